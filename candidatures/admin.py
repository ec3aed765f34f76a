from django.contrib import admin
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from acv.models import Commune, Epci
from acv.roles import Role, a_role

from .models import (
    Affectation,
    Candidature,
    Conflit,
    Critere,
    Decision,
    DemandePieces,
    Evaluation,
    Jure,
    LigneFinancement,
    Note,
    Piece,
    PieceRequise,
    TransitionCandidature,
    Vague,
)


class VerrouilleeAvecSaVague:
    """Une fiche liée à une vague publiée ne se modifie ni ne se supprime, même par l'administration :
    les résultats publiés ne changent qu'en rouvrant la délibération (avec un motif, historisé).

    `chemin_vague` : le chemin de la fiche à sa vague, en attributs séparés par des points.
    """

    chemin_vague = ""

    def _verrouillee(self, obj) -> bool:
        if obj is None:
            return False
        vague = obj
        for attribut in self.chemin_vague.split("."):
            vague = getattr(vague, attribut)
        return vague.est_verrouillee

    def has_change_permission(self, request, obj=None) -> bool:
        return not self._verrouillee(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not self._verrouillee(obj) and super().has_delete_permission(request, obj)


class AvecVersion:
    """La version du verrou optimiste, en lecture seule, augmentée à chaque enregistrement par
    l'administration : un formulaire de l'application ouvert avant ne l'écrase pas."""

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "version"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


class CritereInline(admin.TabularInline):
    model = Critere
    extra = 0


class PieceRequiseInline(admin.TabularInline):
    model = PieceRequise
    extra = 0


@admin.register(Vague)
class VagueAdmin(SimpleHistoryAdmin):
    list_display = [
        "numero",
        "nom",
        "statut",
        "date_ouverture",
        "date_limite",
        "date_jury",
        "places_prevues",
    ]
    list_filter = ["statut"]
    search_fields = ["nom"]
    inlines = [CritereInline, PieceRequiseInline]
    filter_horizontal = ["jures_presents"]


class LigneFinancementInline(admin.TabularInline):
    model = LigneFinancement
    extra = 0


class TransitionInline(admin.TabularInline):
    model = TransitionCandidature
    extra = 0
    can_delete = False
    readonly_fields = ["de", "vers", "par", "le", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CandidatureResource(resources.ModelResource):
    """Import/export de l'administration : une ligne par candidature, liée par sa référence.

    Chaque ligne passe par save() (référence, ville, historique) ; la base refuse une seconde
    candidature active par ville et par vague. Pour l'équipe, la page d'import des candidatures
    (simulation, montants et dates à la française, communes par nom) est l'outil prévu.
    """

    vague = fields.Field(
        attribute="vague", column_name="vague", widget=widgets.ForeignKeyWidget(Vague, "numero")
    )
    commune = fields.Field(
        attribute="commune",
        column_name="code_insee",
        widget=widgets.ForeignKeyWidget(Commune, "code_insee"),
    )
    epci = fields.Field(
        attribute="epci", column_name="epci_siren", widget=widgets.ForeignKeyWidget(Epci, "siren")
    )

    class Meta:
        model = Candidature
        import_id_fields = ["reference"]
        fields = [
            "reference",
            "vague",
            "commune",
            "porteur",
            "epci",
            "statut",
            "motif_irrecevabilite",
            "contact_nom",
            "contact_fonction",
            "contact_email",
            "contact_telephone",
            "resume",
            "besoins_territoire",
            "publics",
            "offre_formation",
            "locaux",
            "partenaires",
            "date_ouverture_prevue",
            "apprenants_prevus",
            "date_reception",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("vague", "commune", "epci")


@admin.register(Candidature)
class CandidatureAdmin(ImportExportMixin, SimpleHistoryAdmin):
    resource_classes = [CandidatureResource]
    list_display = ["reference", "commune", "vague", "statut", "porteur", "date_reception"]
    list_filter = ["vague", "statut", "porteur", "commune__region"]
    search_fields = ["reference", "commune__nom", "commune__code_insee", "epci__nom", "contact_nom"]
    list_select_related = ["commune", "vague"]
    autocomplete_fields = ["commune", "epci", "candidature_precedente"]
    readonly_fields = ["reference", "cle_ville", "cree_le", "modifie_le"]
    inlines = [LigneFinancementInline, TransitionInline]

    # L'import et l'export de l'administration : réservés aux administrateurs.
    def has_import_permission(self, request) -> bool:
        return a_role(request.user, Role.ADMINISTRATEUR)

    def has_export_permission(self, request) -> bool:
        return a_role(request.user, Role.ADMINISTRATEUR)


@admin.register(Piece)
class PieceAdmin(SimpleHistoryAdmin):
    list_display = [
        "nom_original",
        "candidature",
        "piece_requise",
        "type_mime",
        "taille",
        "statut",
        "deposee_le",
    ]
    list_filter = ["statut", "type_mime"]
    search_fields = ["nom_original", "candidature__reference", "candidature__commune__nom"]
    list_select_related = ["candidature", "candidature__commune", "piece_requise"]
    raw_id_fields = ["candidature"]


@admin.register(DemandePieces)
class DemandePiecesAdmin(admin.ModelAdmin):
    list_display = ["candidature", "demandee_le", "echeance", "repondue_le"]
    search_fields = ["candidature__reference", "candidature__commune__nom", "objet"]
    raw_id_fields = ["candidature"]


@admin.register(Jure)
class JureAdmin(admin.ModelAdmin):
    list_display = ["utilisateur", "organisation", "vague"]
    list_filter = ["vague", "organisation"]
    search_fields = ["utilisateur__username", "utilisateur__last_name"]
    autocomplete_fields = ["utilisateur"]
    list_select_related = ["utilisateur", "organisation", "vague"]


@admin.register(Conflit)
class ConflitAdmin(SimpleHistoryAdmin):
    list_display = ["jure", "candidature", "declare_le"]
    list_filter = ["jure__vague"]
    raw_id_fields = ["candidature", "jure"]


@admin.register(Affectation)
class AffectationAdmin(VerrouilleeAvecSaVague, SimpleHistoryAdmin):
    chemin_vague = "candidature.vague"
    list_display = ["jure", "candidature", "manuelle", "creee_le"]
    list_filter = ["jure__vague", "manuelle"]
    raw_id_fields = ["candidature", "jure"]


class NoteInline(VerrouilleeAvecSaVague, admin.TabularInline):
    model = Note
    extra = 0
    chemin_vague = "affectation.candidature.vague"  # depuis l'évaluation affichée

    def has_add_permission(self, request, obj=None) -> bool:
        return not self._verrouillee(obj) and super().has_add_permission(request, obj)


@admin.register(Evaluation)
class EvaluationAdmin(VerrouilleeAvecSaVague, AvecVersion, SimpleHistoryAdmin):
    chemin_vague = "affectation.candidature.vague"
    list_display = ["affectation", "statut", "avis", "note_sur_20", "soumise_le"]
    list_filter = ["statut", "avis", "affectation__jure__vague"]
    raw_id_fields = ["affectation"]
    inlines = [NoteInline]


@admin.register(Decision)
class DecisionAdmin(VerrouilleeAvecSaVague, AvecVersion, SimpleHistoryAdmin):
    chemin_vague = "candidature.vague"
    list_display = ["candidature", "resultat", "decidee_par", "decidee_le"]
    list_filter = ["resultat", "candidature__vague"]
    raw_id_fields = ["candidature"]


# ---------------------------------------------------------------------------------------------
# Lettres et accompagnement
# ---------------------------------------------------------------------------------------------
from .models import Accompagnement, ActionAccompagnement, Lettre  # noqa: E402


@admin.register(Lettre)
class LettreAdmin(SimpleHistoryAdmin):
    list_display = ["candidature", "nature", "sujet", "preparee_le", "courriel"]
    list_filter = ["nature", "candidature__vague"]
    search_fields = ["candidature__reference", "candidature__commune__nom", "sujet"]
    list_select_related = ["candidature__commune", "candidature__vague", "courriel"]
    raw_id_fields = ["candidature", "courriel"]


class ActionAccompagnementInline(admin.TabularInline):
    model = ActionAccompagnement
    extra = 0
    fields = ["libelle", "statut", "echeance", "faite_le"]


@admin.register(Accompagnement)
class AccompagnementAdmin(AvecVersion, SimpleHistoryAdmin):
    list_display = ["candidature", "conseiller", "vague_cible", "resoumission", "cree_le"]
    list_filter = ["vague_cible", "candidature__vague", "candidature__commune__region"]
    search_fields = ["candidature__reference", "candidature__commune__nom", "notes"]
    list_select_related = ["candidature__commune", "conseiller", "vague_cible", "resoumission"]
    raw_id_fields = ["candidature", "resoumission"]
    readonly_fields = ["cree_le", "cree_par"]
    inlines = [ActionAccompagnementInline]

    def save_formset(self, request, form, formset, change) -> None:
        # Une action changée ici : sa version augmente, un formulaire ouvert avant ne l'écrase pas.
        for action in formset.save(commit=False):
            if action.pk:
                action.version += 1
            action.save()
        for action in formset.deleted_objects:
            action.delete()


# Les modèles montrés en ligne ci-dessus ont aussi leur propre liste, pour chercher et filtrer.
@admin.register(Critere)
class CritereAdmin(SimpleHistoryAdmin):
    list_display = ["libelle", "vague", "poids", "note_min", "note_max", "ordre"]
    list_filter = ["vague"]
    search_fields = ["libelle", "description"]
    list_select_related = ["vague"]


@admin.register(PieceRequise)
class PieceRequiseAdmin(admin.ModelAdmin):
    list_display = ["libelle", "vague", "obligatoire", "ordre"]
    list_filter = ["vague", "obligatoire"]
    search_fields = ["libelle", "description"]
    list_select_related = ["vague"]


@admin.register(TransitionCandidature)
class TransitionCandidatureAdmin(admin.ModelAdmin):
    list_display = ["candidature", "de", "vers", "par", "le"]
    list_filter = ["vers", "candidature__vague"]
    search_fields = ["candidature__reference", "candidature__commune__nom", "note"]
    list_select_related = ["candidature", "candidature__commune", "candidature__vague", "par"]
    date_hierarchy = "le"

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # le journal ne se réécrit pas


@admin.register(LigneFinancement)
class LigneFinancementAdmin(admin.ModelAdmin):
    list_display = ["candidature", "source", "libelle", "montant"]
    list_filter = ["source", "candidature__vague"]
    search_fields = ["candidature__reference", "candidature__commune__nom", "libelle"]
    list_select_related = ["candidature", "candidature__commune", "candidature__vague"]


@admin.register(Note)
class NoteAdmin(VerrouilleeAvecSaVague, admin.ModelAdmin):
    chemin_vague = "evaluation.affectation.candidature.vague"
    list_display = ["evaluation", "critere", "valeur"]
    list_filter = ["critere__vague"]
    search_fields = ["evaluation__affectation__candidature__reference"]
    raw_id_fields = ["evaluation"]


@admin.register(ActionAccompagnement)
class ActionAccompagnementAdmin(AvecVersion, SimpleHistoryAdmin):
    list_display = ["libelle", "accompagnement", "statut", "echeance", "faite_le"]
    list_filter = ["statut"]
    search_fields = ["libelle", "accompagnement__candidature__commune__nom"]
    list_select_related = ["accompagnement", "accompagnement__candidature__commune"]
