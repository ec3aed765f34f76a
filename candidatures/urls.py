"""Les adresses de la sélection : celles de chaque module de vues, mises bout à bout."""

urlpatterns: list = []
