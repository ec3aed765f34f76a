from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CentreRegional, Formation, Inscriptions, Jalon, LigneFinancementSite, Site


@admin.register(CentreRegional)
class CentreRegionalAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "region"]
    list_filter = ["region"]
    search_fields = ["nom"]


class JalonInline(admin.TabularInline):
    model = Jalon
    extra = 0
    fields = ["libelle", "echeance", "fait_le", "ordre"]


class FormationInline(admin.TabularInline):
    model = Formation
    extra = 0


class InscriptionsInline(admin.TabularInline):
    model = Inscriptions
    extra = 0


class LigneFinancementSiteInline(admin.TabularInline):
    model = LigneFinancementSite
    extra = 0


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = [
        "nom",
        "commune",
        "statut",
        "operateur",
        "date_ouverture_prevue",
        "date_ouverture",
    ]
    list_filter = ["statut", "commune__region", "operateur"]
    search_fields = ["nom", "commune__nom", "commune__code_insee"]
    list_select_related = ["commune", "operateur"]
    raw_id_fields = ["candidature", "commune", "epci"]
    readonly_fields = ["version", "cree_le", "modifie_le"]
    inlines = [JalonInline, FormationInline, InscriptionsInline, LigneFinancementSiteInline]


@admin.register(Jalon)
class JalonAdmin(SimpleHistoryAdmin):
    list_display = ["libelle", "site", "echeance", "fait_le"]
    list_filter = ["libelle"]
    search_fields = ["libelle", "site__nom"]
    list_select_related = ["site"]
    raw_id_fields = ["site"]


@admin.register(Formation)
class FormationAdmin(SimpleHistoryAdmin):
    list_display = ["intitule", "site", "domaine", "niveau", "date_debut"]
    search_fields = ["intitule", "domaine", "site__nom"]
    list_select_related = ["site"]
    raw_id_fields = ["site"]


@admin.register(Inscriptions)
class InscriptionsAdmin(SimpleHistoryAdmin):
    list_display = ["site", "annee", "nombre"]
    list_filter = ["annee"]
    list_select_related = ["site"]
    raw_id_fields = ["site"]


@admin.register(LigneFinancementSite)
class LigneFinancementSiteAdmin(SimpleHistoryAdmin):
    list_display = ["site", "source", "libelle", "montant"]
    list_filter = ["source"]
    list_select_related = ["site"]
    raw_id_fields = ["site"]
