"""Les pages des candidatures : liste de l'équipe, fiche, saisie, transitions, pièces, consolidation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from acv.erreurs import ErreurMetier, TransitionRefusee
from acv.historique import historique
from acv.roles import exiger_equipe

from ..acces import candidature_pour
from ..fichiers import TYPES_APERCU, TYPES_PERMIS
from ..filters import CandidatureFilter
from ..forms.candidatures import (
    CandidatureForm,
    DemandePiecesForm,
    PieceForm,
    PieceStatutForm,
    PlanFinancementFormSet,
    ResoumissionForm,
    TransitionForm,
)
from ..models import Candidature, Decision, DemandePieces, Piece, Vague
from ..services import (
    changements_depuis_precedente,
    demander_pieces,
    etat_des_pieces,
    marquer_demande_repondue,
    message_ville_deja_candidate,
    preparer_resoumission,
    vagues_de_resoumission,
)

S = Candidature.Statut
# Les transitions proposées sur la fiche, avec le libellé de leur bouton. Retenue et non retenue
# se décident en délibération ; « en examen » vient du passage de la vague au jury.
ACTIONS = {
    S.RECUE: "Enregistrer la réception",
    S.INCOMPLETE: "Déclarer incomplète",
    S.RECEVABLE: "Déclarer recevable",
    S.IRRECEVABLE: "Déclarer irrecevable",
    S.RETIREE: "Retirer la candidature",
}
LIBELLES_DEPUIS = {
    (S.INCOMPLETE, S.RECUE): "Dossier complété : revenir à « reçue »",
    (S.IRRECEVABLE, S.RECUE): "Réexaminer la recevabilité",
}
PAR_PAGE = 50


def actions_possibles(candidature: Candidature) -> list[tuple[str, str]]:
    """Les transitions proposées depuis le statut courant : (statut visé, libellé du bouton)."""
    if candidature.vague.est_verrouillee:
        return []
    permises = Candidature.TRANSITIONS[S(candidature.statut)]
    return [
        (vers, LIBELLES_DEPUIS.get((candidature.statut, vers), libelle))
        for vers, libelle in ACTIONS.items()
        if vers in permises
    ]


def _modifiable(candidature: Candidature) -> str:
    """Vide si la candidature se modifie encore, sinon la raison en clair."""
    if candidature.vague.est_verrouillee:
        return f"La vague « {candidature.vague.nom} » est verrouillée : la candidature ne se modifie plus."
    if candidature.statut in (*Candidature.DECIDEES, S.RETIREE):
        return (
            f"La candidature {candidature.reference} est « {candidature.get_statut_display()} » : "
            "elle ne se modifie plus."
        )
    return ""


# ---------------------------------------------------------------------------------------------
# Liste et fiche
# ---------------------------------------------------------------------------------------------
@login_required
def candidature_liste(request: HttpRequest) -> HttpResponse:
    """Requêtes : rôles, compte de la page, la page (candidature, vague, commune, département,
    région, EPCI), plus les listes de choix des filtres au rendu."""
    exiger_equipe(request.user)
    filtre = CandidatureFilter(
        request.GET or None,
        queryset=Candidature.objects.avec_territoire(),
    )
    champs = filtre.form.fields
    for nom, champ in champs.items():
        champ.widget.attrs["class"] = "fr-input" if nom == "q" else "fr-select"
    champs["acv"].widget.choices = [("", "Toutes"), ("true", "Oui"), ("false", "Non")]
    champs["tri"].choices = [("", "Vague puis commune"), *list(champs["tri"].choices)[1:]]
    page = Paginator(filtre.qs, PAR_PAGE).get_page(request.GET.get("page"))
    requete = request.GET.copy()
    requete.pop("page", None)
    return render(
        request,
        "candidatures/candidature_liste.html",
        {
            "filtre": filtre,
            "page_obj": page,
            "candidatures": page.object_list,
            "requete_sans_page": requete.urlencode(),
        },
    )


@login_required
def candidature_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    candidature = candidature_pour(request, pk)
    pieces = list(
        candidature.pieces.select_related("piece_requise", "deposee_par").order_by(
            "piece_requise__ordre", "deposee_le"
        )
    )
    demandes = candidature.demandes.select_related("demandee_par").prefetch_related(
        Prefetch("pieces")
    )
    financements = list(candidature.financements.all())
    vagues_resoumission = (
        vagues_de_resoumission(candidature) if candidature.statut == S.NON_RETENUE else None
    )
    contexte = {
        "candidature": candidature,
        "pieces": pieces,
        "etats_pieces": etat_des_pieces(candidature, pieces),
        "demandes": demandes,
        "financements": financements,
        "total_financement": sum((ligne.montant for ligne in financements), 0),
        "transitions": candidature.transitions.select_related("par"),
        "actions": actions_possibles(candidature),
        "raison_non_modifiable": _modifiable(candidature),
        "piece_form": PieceForm(candidature=candidature),
        "demande_form": DemandePiecesForm(candidature=candidature),
        "statuts_piece": Piece.Statut.choices,
        "resoumission_form": ResoumissionForm(vagues=vagues_resoumission)
        if vagues_resoumission is not None
        else None,
        "resoumissions": candidature.resoumissions.select_related("vague"),
        "changements": changements_depuis_precedente(candidature),
        "decision": Decision.objects.filter(candidature=candidature)
        .select_related("decidee_par")
        .first(),
        "historique": historique(candidature),
    }
    return render(request, "candidatures/candidature_detail.html", contexte)


# ---------------------------------------------------------------------------------------------
# Saisie
# ---------------------------------------------------------------------------------------------
def _enregistrer(request, form, formset, *, creation: bool) -> Candidature | None:
    """Enregistre la candidature et son plan de financement ; None (et l'erreur sur le
    formulaire) si la base refuse une seconde candidature active pour la ville."""
    candidature = form.save(commit=False)
    candidature._history_user = request.user
    try:
        with transaction.atomic():
            candidature.save()
            formset.instance = candidature
            formset.save()
            if creation and form.cleaned_data.get("recue"):
                candidature.changer_statut(S.RECUE, par=request.user)
    except IntegrityError:
        # Une autre saisie est passée entre la vérification et l'écriture.
        candidature.pk = None
        existante = (
            Candidature.objects.actives()
            .filter(vague=candidature.vague, cle_ville=candidature.cle_ville)
            .select_related("commune")
            .first()
        )
        form.add_error(
            "commune",
            message_ville_deja_candidate(candidature.commune, existante)
            if existante
            else "Cette ville a déjà une candidature active dans cette vague.",
        )
        return None
    return candidature


@login_required
def candidature_creer(request: HttpRequest) -> HttpResponse:
    exiger_equipe(request.user)
    candidature = Candidature()
    initial = {}
    vague_demandee = request.GET.get("vague", "")
    if vague_demandee.isdigit():
        initial["vague"] = vague_demandee
    else:
        ouverte = Vague.objects.filter(statut=Vague.Statut.APPEL_OUVERT).order_by("-numero").first()
        initial["vague"] = ouverte.pk if ouverte else None
    form = CandidatureForm(request.POST or None, instance=candidature, initial=initial)
    formset = PlanFinancementFormSet(
        request.POST or None, instance=candidature, prefix="financements"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        creee = _enregistrer(request, form, formset, creation=True)
        if creee is not None:
            messages.success(request, f"Candidature {creee.reference} enregistrée.")
            return redirect("candidature_detail", pk=creee.pk)
    return render(
        request,
        "candidatures/candidature_formulaire.html",
        {"form": form, "formset": formset, "candidature": None},
    )


@login_required
def candidature_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    candidature = candidature_pour(request, pk, ecriture=True)
    raison = _modifiable(candidature)
    if raison:
        messages.error(request, raison)
        return redirect("candidature_detail", pk=candidature.pk)
    form = CandidatureForm(request.POST or None, instance=candidature)
    formset = PlanFinancementFormSet(
        request.POST or None, instance=candidature, prefix="financements"
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if _enregistrer(request, form, formset, creation=False) is not None:
            messages.success(request, f"Candidature {candidature.reference} enregistrée.")
            return redirect("candidature_detail", pk=candidature.pk)
    return render(
        request,
        "candidatures/candidature_formulaire.html",
        {"form": form, "formset": formset, "candidature": candidature},
    )


# ---------------------------------------------------------------------------------------------
# Transitions et resoumission
# ---------------------------------------------------------------------------------------------
@require_POST
@login_required
def candidature_transition(request: HttpRequest, pk: int) -> HttpResponse:
    candidature = candidature_pour(request, pk, ecriture=True)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Action inconnue : rien n'a changé.")
        return redirect("candidature_detail", pk=candidature.pk)
    vers = form.cleaned_data["vers"]
    try:
        with transaction.atomic():
            if vers in (S.RETENUE, S.NON_RETENUE):
                raise TransitionRefusee(
                    "La décision (retenue ou non retenue) se prend en délibération, sur la page de la vague."
                )
            if vers == S.EN_EXAMEN:
                raise TransitionRefusee(
                    "Une candidature passe en examen quand sa vague est transmise au jury."
                )
            if candidature.vague.est_verrouillee:
                raise TransitionRefusee(
                    f"La vague « {candidature.vague.nom} » est verrouillée : "
                    "le statut de ses candidatures ne change plus."
                )
            retirees = candidature.changer_statut(
                vers, par=request.user, note=form.cleaned_data["note"]
            )
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        message = f"Candidature {candidature.reference} : « {candidature.get_statut_display()} »."
        if retirees:
            message += " Elle n'est plus à évaluer : " + (
                "l'évaluation non soumise de son juré lui est retirée."
                if retirees == 1
                else f"les {retirees} évaluations non soumises de ses jurés leur sont retirées."
            )
        messages.success(request, message)
    return redirect("candidature_detail", pk=candidature.pk)


@require_POST
@login_required
def candidature_resoumettre(request: HttpRequest, pk: int) -> HttpResponse:
    candidature = candidature_pour(request, pk, ecriture=True)
    form = ResoumissionForm(request.POST, vagues=Vague.objects.all())
    if not form.is_valid():
        messages.error(request, "Choisissez la vague de la resoumission.")
        return redirect("candidature_detail", pk=candidature.pk)
    try:
        with transaction.atomic():
            nouvelle = preparer_resoumission(
                candidature, vague=form.cleaned_data["vague"], par=request.user
            )
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
        return redirect("candidature_detail", pk=candidature.pk)
    messages.success(
        request,
        f"Brouillon {nouvelle.reference} préparé dans « {nouvelle.vague.nom} » à partir de "
        f"{candidature.reference} : complétez-le, puis enregistrez sa réception.",
    )
    return redirect("candidature_detail", pk=nouvelle.pk)


# ---------------------------------------------------------------------------------------------
# Pièces
# ---------------------------------------------------------------------------------------------
@require_POST
@login_required
def candidature_piece_deposer(request: HttpRequest, pk: int) -> HttpResponse:
    candidature = candidature_pour(request, pk, ecriture=True)
    if candidature.vague.est_verrouillee:
        messages.error(request, f"La vague « {candidature.vague.nom} » est verrouillée.")
        return redirect("candidature_detail", pk=candidature.pk)
    form = PieceForm(request.POST, request.FILES, candidature=candidature)
    if not form.is_valid():
        for erreurs in form.errors.values():
            for erreur in erreurs:
                messages.error(request, f"Pièce refusée : {erreur}")
        return redirect(reverse("candidature_detail", args=[candidature.pk]) + "#pieces")
    fichier = form.cleaned_data["fichier"]
    piece = Piece(
        candidature=candidature,
        piece_requise=form.cleaned_data["piece_requise"],
        fichier=fichier,
        nom_original=fichier.name[:255],
        type_mime=form.type_verifie.type_mime,
        taille=fichier.size,
        deposee_par=request.user,
    )
    piece._history_user = request.user
    piece.save()
    messages.success(request, f"Pièce « {piece.nom_original} » déposée.")
    return redirect(reverse("candidature_detail", args=[candidature.pk]) + "#pieces")


def _flux(stockage, nom: str, bloc: int = 64 * 1024):
    """Le fichier lu par blocs, ouvert au premier bloc et refermé même si le flux est abandonné."""
    with stockage.open(nom, "rb") as fichier:
        while donnees := fichier.read(bloc):
            yield donnees


@login_required
def piece_telecharger(request: HttpRequest, pk: int) -> FileResponse:
    """Le fichier, en flux, à qui voit la candidature ; en pièce jointe sauf aperçu d'un PDF ou
    d'une image ; jamais de type devinable par le navigateur."""
    piece = get_object_or_404(Piece, pk=pk)
    candidature_pour(request, piece.candidature_id)
    type_mime = piece.type_mime if piece.type_mime in TYPES_PERMIS else "application/octet-stream"
    en_ligne = request.GET.get("apercu") == "1" and type_mime in TYPES_APERCU
    stockage, nom = piece.fichier.storage, piece.fichier.name
    try:
        taille = stockage.size(nom)
    except (FileNotFoundError, OSError):
        raise Http404("Le fichier de cette pièce est introuvable dans le stockage.") from None
    reponse = FileResponse(_flux(stockage, nom), content_type=type_mime)
    reponse["Content-Length"] = str(taille)
    reponse["Content-Disposition"] = content_disposition_header(
        as_attachment=not en_ligne, filename=piece.nom_original
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@require_POST
@login_required
def piece_statut(request: HttpRequest, pk: int) -> HttpResponse:
    piece = get_object_or_404(Piece, pk=pk)
    candidature = candidature_pour(request, piece.candidature_id, ecriture=True)
    form = PieceStatutForm(request.POST)
    if form.is_valid():
        piece.statut = form.cleaned_data["statut"]
        piece._history_user = request.user
        piece.save(update_fields=["statut"])
        messages.success(
            request, f"Pièce « {piece.nom_original} » : {piece.get_statut_display().lower()}."
        )
    else:
        messages.error(request, "État de pièce inconnu : rien n'a changé.")
    return redirect(reverse("candidature_detail", args=[candidature.pk]) + "#pieces")


# ---------------------------------------------------------------------------------------------
# Demandes de pièces
# ---------------------------------------------------------------------------------------------
@require_POST
@login_required
def candidature_demande_creer(request: HttpRequest, pk: int) -> HttpResponse:
    candidature = candidature_pour(request, pk, ecriture=True)
    form = DemandePiecesForm(request.POST, candidature=candidature)
    if not form.is_valid():
        messages.error(request, "Demande non enregistrée : indiquez ce qui est demandé.")
        return redirect(reverse("candidature_detail", args=[candidature.pk]) + "#consolidation")
    try:
        with transaction.atomic():
            demander_pieces(
                candidature,
                objet=form.cleaned_data["objet"],
                pieces=form.cleaned_data["pieces"],
                echeance=form.cleaned_data["echeance"],
                par=request.user,
                envoyer=form.cleaned_data.get("envoyer", False),
            )
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "Demande de pièces enregistrée.")
    return redirect(reverse("candidature_detail", args=[candidature.pk]) + "#consolidation")


@require_POST
@login_required
def demande_repondue(request: HttpRequest, pk: int) -> HttpResponse:
    demande = get_object_or_404(DemandePieces, pk=pk)
    candidature = candidature_pour(request, demande.candidature_id, ecriture=True)
    demande.candidature = candidature
    try:
        with transaction.atomic():
            marquer_demande_repondue(demande, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, "Réponse notée.")
    return redirect(reverse("candidature_detail", args=[candidature.pk]) + "#consolidation")


urlpatterns = [
    path("", candidature_liste, name="candidature_liste"),
    path("nouvelle/", candidature_creer, name="candidature_creer"),
    path("<int:pk>/", candidature_detail, name="candidature_detail"),
    path("<int:pk>/modifier/", candidature_modifier, name="candidature_modifier"),
    path("<int:pk>/transition/", candidature_transition, name="candidature_transition"),
    path("<int:pk>/resoumettre/", candidature_resoumettre, name="candidature_resoumettre"),
    path("<int:pk>/pieces/", candidature_piece_deposer, name="candidature_piece_deposer"),
    path("<int:pk>/demandes/", candidature_demande_creer, name="candidature_demande_creer"),
    path("pieces/<int:pk>/", piece_telecharger, name="piece_telecharger"),
    path("pieces/<int:pk>/etat/", piece_statut, name="piece_statut"),
    path("demandes/<int:pk>/repondue/", demande_repondue, name="demande_repondue"),
]
