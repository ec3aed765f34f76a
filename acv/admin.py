from axes.utils import reset as reinitialiser_verrouillage
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .courriels import GabaritsVerifies
from .models import (
    Commune,
    Courriel,
    Departement,
    Epci,
    ModeleCourriel,
    Objectif,
    Organisation,
    Profil,
    Region,
    VilleAcv,
)


@admin.register(Region)
class RegionAdmin(ImportExportModelAdmin):
    list_display = ["code", "nom"]
    search_fields = ["code", "nom"]


@admin.register(Departement)
class DepartementAdmin(ImportExportModelAdmin):
    list_display = ["code", "nom", "region"]
    list_filter = ["region"]
    search_fields = ["code", "nom"]
    list_select_related = ["region"]


@admin.register(Epci)
class EpciAdmin(ImportExportModelAdmin):
    list_display = ["siren", "nom", "type"]
    list_filter = ["type"]
    search_fields = ["siren", "nom"]


class CommuneInline(admin.TabularInline):
    model = Commune
    fields = ["code_insee", "nom", "departement", "population"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VilleAcv)
class VilleAcvAdmin(ImportExportModelAdmin):
    list_display = ["id_acv", "libelle", "entree", "date_signature"]
    list_filter = ["entree"]
    search_fields = ["id_acv", "libelle", "communes__nom", "communes__code_insee"]
    inlines = [CommuneInline]


@admin.register(Commune)
class CommuneAdmin(ImportExportModelAdmin):
    list_display = ["code_insee", "nom", "departement", "region", "population", "ville_acv"]
    list_filter = ["region", ("ville_acv", admin.EmptyFieldListFilter)]
    search_fields = ["code_insee", "nom", "nom_normalise"]
    list_select_related = ["departement", "region", "ville_acv"]
    autocomplete_fields = ["epci", "ville_acv", "departement"]
    readonly_fields = ["nom_normalise"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["nom", "sigle", "ordre"]
    search_fields = ["nom", "sigle"]


@admin.register(Objectif)
class ObjectifAdmin(SimpleHistoryAdmin):
    list_display = ["libelle", "echeance", "nombre_sites", "acv_seulement"]
    list_filter = ["acv_seulement"]
    search_fields = ["libelle"]


class ModeleCourrielAdminForm(GabaritsVerifies, forms.ModelForm):
    class Meta:
        model = ModeleCourriel
        fields = ["code", "libelle", "sujet", "corps", "aide"]


@admin.register(ModeleCourriel)
class ModeleCourrielAdmin(SimpleHistoryAdmin):
    form = ModeleCourrielAdminForm
    list_display = ["libelle", "code", "sujet"]
    search_fields = ["libelle", "code", "sujet"]


@admin.register(Courriel)
class CourrielAdmin(admin.ModelAdmin):
    list_display = [
        "sujet",
        "destinataire",
        "categorie",
        "statut",
        "tentatives",
        "cree_le",
        "envoye_le",
    ]
    list_filter = ["statut", "categorie"]
    search_fields = ["sujet", "destinataire"]
    readonly_fields = ["cree_le", "envoye_le", "tentatives", "derniere_erreur"]
    date_hierarchy = "cree_le"


class ProfilInline(admin.StackedInline):
    model = Profil
    can_delete = False
    autocomplete_fields = ["region", "organisation"]


admin.site.unregister(User)


@admin.register(User)
class UtilisateurAdmin(UserAdmin):
    inlines = [ProfilInline]
    list_display = [
        "username",
        "first_name",
        "last_name",
        "email",
        "roles",
        "is_active",
        "is_staff",
    ]
    list_filter = ["groups", "is_active", "is_staff"]
    actions = ["lever_verrouillage"]

    @admin.action(description="Lever le verrouillage de connexion des comptes choisis")
    def lever_verrouillage(self, request, queryset) -> None:
        # Comme `manage.py axes_reset_username <identifiant>`, pour chaque compte choisi.
        tentatives = sum(reinitialiser_verrouillage(username=u.get_username()) for u in queryset)
        self.message_user(
            request,
            f"Verrouillage levé pour {len(queryset)} compte(s) ({tentatives} tentative(s) effacée(s)).",
            messages.SUCCESS,
        )

    @admin.display(description="rôles")
    def roles(self, obj) -> str:
        return ", ".join(g.name for g in obj.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(Profil)
class ProfilAdmin(SimpleHistoryAdmin):
    list_display = ["utilisateur", "region", "organisation"]
    list_filter = ["region", "organisation"]
    search_fields = ["utilisateur__username", "utilisateur__last_name", "utilisateur__email"]
    list_select_related = ["utilisateur", "region", "organisation"]
    autocomplete_fields = ["utilisateur", "region", "organisation"]
