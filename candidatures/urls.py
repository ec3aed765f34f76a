"""Les adresses de la sélection ; chaque module de vues déclare les siennes."""

urlpatterns: list = []
