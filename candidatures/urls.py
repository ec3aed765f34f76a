"""Les adresses de la sélection : celles de chaque module de vues, mises bout à bout."""

from .views import accompagnement, candidatures, deliberation, imports, jury, lettres, vagues

urlpatterns: list = []
urlpatterns += vagues.urlpatterns
urlpatterns += candidatures.urlpatterns
urlpatterns += lettres.urlpatterns
urlpatterns += accompagnement.urlpatterns
urlpatterns += imports.urlpatterns
urlpatterns += deliberation.urlpatterns
urlpatterns += jury.urlpatterns
