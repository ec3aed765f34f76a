"""Les vues de la sélection, un module par domaine ; chacun déclare ses `urlpatterns`."""
