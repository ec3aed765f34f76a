"""Les formulaires de la sélection, un module par domaine."""
