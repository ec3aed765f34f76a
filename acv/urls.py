from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views
from .forms import ChangementMotDePasseForm, ConnexionForm

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
    path("communes/autocompletion/", views.communes_autocompletion, name="communes_autocompletion"),
    path("accessibilite/", views.declaration_accessibilite, name="accessibilite"),
    path("candidatures/", include("candidatures.urls")),
    path("sites/", include("sites.urls")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Au cœur des territoires — administration"
admin.site.site_title = "Au cœur des territoires"
admin.site.index_title = "Administration des données"
