from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import csrf, views, views_courriels
from .forms import (
    ChangementMotDePasseForm,
    ConnexionForm,
    DemandeReinitialisationForm,
    NouveauMotDePasseForm,
)

urlpatterns = [
    path("", views.accueil, name="accueil"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=ConnexionForm
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/",
        auth_views.PasswordChangeView.as_view(form_class=ChangementMotDePasseForm),
        name="password_change",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            form_class=DemandeReinitialisationForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=NouveauMotDePasseForm, reset_url_token="nouveau"
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("communes/autocompletion/", views.communes_autocompletion, name="communes_autocompletion"),
    path("accessibilite/", views.declaration_accessibilite, name="accessibilite"),
    path("jeton-csrf/", csrf.jeton_csrf, name="jeton_csrf"),
    path("courriels/", views_courriels.courriels_liste, name="courriels_liste"),
    path(
        "courriels/<int:pk>/renvoyer/", views_courriels.courriel_renvoyer, name="courriel_renvoyer"
    ),
    path(
        "courriels/renvoyer/",
        views_courriels.courriels_renvoyer_tout,
        name="courriels_renvoyer_tout",
    ),
    path("candidatures/", include("candidatures.urls")),
    path("sites/", include("sites.urls")),
    path("opendata/", include("sites.urls_opendata")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Au cœur des territoires — administration"
admin.site.site_title = "Au cœur des territoires"
admin.site.index_title = "Administration des données"
