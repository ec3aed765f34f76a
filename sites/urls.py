from django.urls import path

from . import views

urlpatterns = [
    path("", views.site_liste, name="site_liste"),
    path("<int:pk>/", views.site_detail, name="site_detail"),
    path("<int:pk>/modifier/", views.site_modifier, name="site_modifier"),
    path("<int:pk>/statut/", views.site_changer_statut, name="site_changer_statut"),
    path("<int:pk>/jalons/", views.site_jalons, name="site_jalons"),
    path("<int:pk>/formations/", views.site_formations, name="site_formations"),
    path("<int:pk>/inscriptions/", views.site_inscriptions, name="site_inscriptions"),
    path("<int:pk>/financements/", views.site_financements, name="site_financements"),
    path(
        "depuis-candidature/<int:candidature_pk>/",
        views.site_creer_depuis_candidature,
        name="site_creer_depuis_candidature",
    ),
    path("objectifs/", views.objectif_liste, name="objectif_liste"),
    path("objectifs/nouveau/", views.objectif_creer, name="objectif_creer"),
    path("objectifs/<int:pk>/modifier/", views.objectif_modifier, name="objectif_modifier"),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
    path(
        "tableau-de-bord/donnees.json",
        views.tableau_de_bord_donnees,
        name="tableau_de_bord_donnees",
    ),
]
