"""Les vagues de sélection, pages de l'équipe : liste, fiche et chiffres, calendrier, grille, pièces requises, transitions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from acv.erreurs import ErreurMetier
from acv.historique import historique
from acv.roles import exiger_equipe

from ..forms.vagues import CritereForm, PieceRequiseForm, VagueForm
from ..models import Candidature, Critere, Note, PieceRequise, Vague
from ..vagues import avancer_vague, part_villes_acv


def _pluriel(n: int, singulier: str, pluriel: str) -> str:
    return f"{n} {singulier if n == 1 else pluriel}"


# ---------------------------------------------------------------------------------------------
# Accès
# ---------------------------------------------------------------------------------------------
def _vague_pour(request: HttpRequest, pk: int) -> Vague:
    """La vague `pk` pour l'équipe du programme ; 403 pour tout autre rôle, 404 si elle n'existe pas."""
    exiger_equipe(request.user)
    return get_object_or_404(Vague, pk=pk)


def _vers_la_fiche(vague: Vague, ancre: str = "") -> HttpResponse:
    reponse = redirect("vague_detail", pk=vague.pk)
    if ancre:
        reponse["Location"] += f"#{ancre}"
    return reponse


def _grille_figee(request: HttpRequest, vague: Vague) -> bool:
    """Vrai (et un message d'erreur posé) si la grille ne peut plus changer."""
    if vague.est_verrouillee:
        messages.error(
            request,
            f"Les résultats de « {vague.nom} » sont publiés : sa grille ne peut plus changer.",
        )
        return True
    if not vague.grille_modifiable:
        messages.error(
            request,
            f"Une évaluation de « {vague.nom} » a déjà été soumise : sa grille est figée, "
            "rien n'a été modifié.",
        )
        return True
    return False


def _vague_figee(request: HttpRequest, vague: Vague) -> bool:
    if vague.est_verrouillee:
        messages.error(
            request,
            f"Les résultats de « {vague.nom} » sont publiés : la vague ne peut plus être modifiée.",
        )
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Vagues
# ---------------------------------------------------------------------------------------------
@login_required
def vague_liste(request: HttpRequest) -> HttpResponse:
    exiger_equipe(request.user)
    vagues = Vague.objects.annotate(
        nb_recues=Count(
            "candidatures", filter=~Q(candidatures__statut=Candidature.Statut.BROUILLON)
        )
    ).order_by("-numero")
    return render(request, "candidatures/vague_liste.html", {"vagues": vagues})


@login_required
def vague_creer(request: HttpRequest) -> HttpResponse:
    exiger_equipe(request.user)
    form = VagueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        vague = form.save(commit=False)
        vague._history_user = request.user
        vague._change_reason = "Création de la vague"
        vague.save()
        messages.success(request, f"La vague « {vague.nom} » est créée, en brouillon.")
        return _vers_la_fiche(vague)
    return render(request, "candidatures/vague_formulaire.html", {"form": form, "vague": None})


@login_required
def vague_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    if _vague_figee(request, vague):
        return _vers_la_fiche(vague)
    form = VagueForm(request.POST or None, instance=vague)
    if request.method == "POST" and form.is_valid():
        vague = form.save(commit=False)
        vague._history_user = request.user
        vague._change_reason = "Calendrier et paramètres modifiés"
        vague.save()
        messages.success(request, "La vague est enregistrée.")
        return _vers_la_fiche(vague)
    return render(request, "candidatures/vague_formulaire.html", {"form": form, "vague": vague})


@login_required
def vague_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    candidatures = Candidature.objects.filter(vague=vague)
    comptes = dict(
        candidatures.order_by()
        .values_list("statut")
        .annotate(n=Count("pk"))
        .values_list("statut", "n")
    )
    par_statut = [(libelle, comptes.get(code, 0)) for code, libelle in Candidature.Statut.choices]
    par_region = list(
        candidatures.recues()
        .values("commune__region__nom")
        .annotate(
            recues=Count("pk"),
            en_cours=Count("pk", filter=~Q(statut__in=Candidature.INACTIFS)),
            retenues=Count("pk", filter=Q(statut=Candidature.Statut.RETENUE)),
        )
        .order_by("commune__region__nom")
    )
    criteres = list(vague.criteres.all())
    pieces_requises = list(vague.pieces_requises.annotate(nb_pieces=Count("pieces")))
    contexte = {
        "vague": vague,
        "nb_recues": sum(n for code, n in comptes.items() if code != Candidature.Statut.BROUILLON),
        "nb_brouillons": comptes.get(Candidature.Statut.BROUILLON, 0),
        "part_acv": part_villes_acv(vague),
        "par_statut": par_statut,
        "par_region": par_region,
        "criteres": criteres,
        "poids_total": sum(c.poids for c in criteres),
        "grille_modifiable": not vague.est_verrouillee and vague.grille_modifiable,
        "pieces_requises": pieces_requises,
        "action_suivante": Vague.ACTIONS.get(vague.statut_suivant),
        "historique": historique(vague),
    }
    return render(request, "candidatures/vague_detail.html", contexte)


@require_POST
@login_required
def vague_avancer(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    vers = request.POST.get("vers", "")
    try:
        with transaction.atomic():
            transmises = avancer_vague(
                vague, vers, par=request.user, note=request.POST.get("note", "").strip()
            )
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        message = f"La vague est passée à « {Vague.Statut(vers).label} »."
        if transmises:
            message += f" {_pluriel(transmises, 'candidature transmise', 'candidatures transmises')} au jury."
        messages.success(request, message)
    return _vers_la_fiche(vague, "transitions")


# ---------------------------------------------------------------------------------------------
# Grille
# ---------------------------------------------------------------------------------------------
def _critere_formulaire(
    request: HttpRequest, vague: Vague, critere: Critere | None
) -> HttpResponse:
    """Ajoute (`critere` None) ou modifie un critère de la grille, tant qu'elle n'est pas figée."""
    if _grille_figee(request, vague):
        return _vers_la_fiche(vague, "grille")
    instance = critere or Critere(vague=vague, ordre=vague.criteres.count() + 1)
    form = CritereForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        enregistre = form.save(commit=False)
        enregistre._history_user = request.user
        enregistre.save()
        fait = "enregistré" if critere else "ajouté à la grille"
        messages.success(request, f"Le critère « {enregistre.libelle} » est {fait}.")
        return _vers_la_fiche(vague, "grille")
    return render(
        request,
        "candidatures/vague_critere_formulaire.html",
        {"form": form, "vague": vague, "critere": critere},
    )


@login_required
def vague_critere_ajouter(request: HttpRequest, pk: int) -> HttpResponse:
    return _critere_formulaire(request, _vague_pour(request, pk), None)


@login_required
def vague_critere_modifier(request: HttpRequest, pk: int, critere_pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    return _critere_formulaire(
        request, vague, get_object_or_404(Critere, pk=critere_pk, vague=vague)
    )


@require_POST
@login_required
def vague_critere_retirer(request: HttpRequest, pk: int, critere_pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    critere = get_object_or_404(Critere, pk=critere_pk, vague=vague)
    if _grille_figee(request, vague):
        return _vers_la_fiche(vague, "grille")
    with transaction.atomic():
        # Aucune évaluation n'est soumise : les notes de ce critère sont des brouillons.
        brouillons, _ = Note.objects.filter(critere=critere).delete()
        critere._history_user = request.user
        critere.delete()
    message = f"Le critère « {critere.libelle} » est retiré de la grille."
    if brouillons:
        message += (
            " 1 note en brouillon sur ce critère a été effacée."
            if brouillons == 1
            else f" {brouillons} notes en brouillon sur ce critère ont été effacées."
        )
    messages.success(request, message)
    return _vers_la_fiche(vague, "grille")


# ---------------------------------------------------------------------------------------------
# Pièces requises
# ---------------------------------------------------------------------------------------------
def _piece_formulaire(
    request: HttpRequest, vague: Vague, piece: PieceRequise | None
) -> HttpResponse:
    """Ajoute (`piece` None) ou modifie une pièce requise, tant que la vague n'est pas publiée."""
    if _vague_figee(request, vague):
        return _vers_la_fiche(vague, "pieces")
    instance = piece or PieceRequise(vague=vague, ordre=vague.pieces_requises.count() + 1)
    form = PieceRequiseForm(request.POST or None, instance=instance, vague=vague)
    if request.method == "POST" and form.is_valid():
        enregistree = form.save()
        fait = "enregistrée" if piece else "ajoutée à la liste"
        messages.success(request, f"La pièce « {enregistree.libelle} » est {fait}.")
        return _vers_la_fiche(vague, "pieces")
    return render(
        request,
        "candidatures/vague_piece_formulaire.html",
        {"form": form, "vague": vague, "piece": piece},
    )


@login_required
def vague_piece_ajouter(request: HttpRequest, pk: int) -> HttpResponse:
    return _piece_formulaire(request, _vague_pour(request, pk), None)


@login_required
def vague_piece_modifier(request: HttpRequest, pk: int, piece_pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    return _piece_formulaire(
        request, vague, get_object_or_404(PieceRequise, pk=piece_pk, vague=vague)
    )


@require_POST
@login_required
def vague_piece_retirer(request: HttpRequest, pk: int, piece_pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    piece = get_object_or_404(PieceRequise, pk=piece_pk, vague=vague)
    if _vague_figee(request, vague):
        return _vers_la_fiche(vague, "pieces")
    with transaction.atomic():
        deposees = piece.pieces.count()
        demandes = piece.demandes.count()
        if deposees or demandes:
            motif = (
                f"La pièce « {piece.libelle} » ne peut pas être retirée : "
                + (
                    f"{deposees} document{'s' if deposees > 1 else ''} déposé{'s' if deposees > 1 else ''} "
                    f"y renvoie{'nt' if deposees > 1 else ''}"
                    if deposees
                    else f"{demandes} demande{'s' if demandes > 1 else ''} de pièces la mentionne{'nt' if demandes > 1 else ''}"
                )
                + ". Modifiez-la plutôt, ou rendez-la facultative."
            )
            messages.error(request, motif)
            return _vers_la_fiche(vague, "pieces")
        piece.delete()
    messages.success(request, f"La pièce « {piece.libelle} » est retirée de la liste.")
    return _vers_la_fiche(vague, "pieces")


urlpatterns = [
    path("vagues/", vague_liste, name="vague_liste"),
    path("vagues/nouvelle/", vague_creer, name="vague_creer"),
    path("vagues/<int:pk>/", vague_detail, name="vague_detail"),
    path("vagues/<int:pk>/modifier/", vague_modifier, name="vague_modifier"),
    path("vagues/<int:pk>/avancer/", vague_avancer, name="vague_avancer"),
    path("vagues/<int:pk>/criteres/ajouter/", vague_critere_ajouter, name="vague_critere_ajouter"),
    path(
        "vagues/<int:pk>/criteres/<int:critere_pk>/modifier/",
        vague_critere_modifier,
        name="vague_critere_modifier",
    ),
    path(
        "vagues/<int:pk>/criteres/<int:critere_pk>/retirer/",
        vague_critere_retirer,
        name="vague_critere_retirer",
    ),
    path("vagues/<int:pk>/pieces/ajouter/", vague_piece_ajouter, name="vague_piece_ajouter"),
    path(
        "vagues/<int:pk>/pieces/<int:piece_pk>/modifier/",
        vague_piece_modifier,
        name="vague_piece_modifier",
    ),
    path(
        "vagues/<int:pk>/pieces/<int:piece_pk>/retirer/",
        vague_piece_retirer,
        name="vague_piece_retirer",
    ),
]
