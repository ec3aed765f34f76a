"""Les adresses de la sélection : celles de chaque module de vues, mises bout à bout."""

from .views import candidatures, vagues

urlpatterns: list = []
urlpatterns += vagues.urlpatterns
urlpatterns += candidatures.urlpatterns
