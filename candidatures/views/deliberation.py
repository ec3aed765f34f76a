"""Classement, séance du jury, publication des résultats et procès-verbal : pages de l'équipe."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from acv.erreurs import ErreurMetier
from acv.flux import lignes_csv
from acv.roles import exiger_equipe

from .. import deliberation as services
from ..classement import CRITERES_DE_RANG, PAR_CORRIGEE, Classement, Ligne, classement_de
from ..forms.deliberation import DecisionForm, FiltreClassementForm, PresentsForm, RouvrirForm
from ..models import Candidature, Vague


# ---------------------------------------------------------------------------------------------
# Accès
# ---------------------------------------------------------------------------------------------
def _vague_pour(request: HttpRequest, pk: int) -> Vague:
    """La vague `pk` pour l'équipe du programme ; 403 pour tout autre rôle, 404 si elle n'existe pas."""
    exiger_equipe(request.user)
    return get_object_or_404(Vague, pk=pk)


def _vers_la_seance(vague_pk: int, ancre: str = "") -> HttpResponse:
    reponse = redirect("deliberation_seance", pk=vague_pk)
    if ancre:
        reponse["Location"] += f"#{ancre}"
    return reponse


# ---------------------------------------------------------------------------------------------
# Tri et filtres (sur les lignes calculées : les rangs restent ceux de toute la vague)
# ---------------------------------------------------------------------------------------------
def _par(request: HttpRequest) -> str:
    par = request.GET.get("par", "")
    return par if par in CRITERES_DE_RANG else PAR_CORRIGEE


def _regions(classement: Classement) -> list[tuple[str, str]]:
    regions = {
        ligne.candidature.commune.region_id: ligne.candidature.commune.region.nom
        for ligne in classement.lignes
    }
    return sorted(regions.items(), key=lambda r: r[1])


def _sans_valeur_a_la_fin(valeur: Decimal | None, decroissant: bool) -> tuple:
    if valeur is None:
        return (1, Decimal(0))
    return (0, -valeur if decroissant else valeur)


LIGNES_PAR_PAGE = 100

CLES_DE_TRI = {
    "commune": lambda ligne: (ligne.candidature.commune.nom_normalise,),
    "-note": lambda ligne: _sans_valeur_a_la_fin(ligne.note, True),
    "-corrigee": lambda ligne: _sans_valeur_a_la_fin(ligne.note_corrigee, True),
    "-ecart": lambda ligne: _sans_valeur_a_la_fin(ligne.ecart, True),
    "region": lambda ligne: (ligne.candidature.commune.region.nom,),
}


def _filtrer(classement: Classement, formulaire: FiltreClassementForm) -> list[Ligne]:
    lignes = classement.lignes
    region = formulaire.valeur("region")
    if region:
        lignes = [ligne for ligne in lignes if ligne.candidature.commune.region_id == region]
    drapeau = formulaire.valeur("drapeau")
    if drapeau:
        lignes = [ligne for ligne in lignes if ligne.a_discuter == (drapeau == "oui")]
    acv = formulaire.valeur("acv")
    if acv:
        lignes = [
            ligne
            for ligne in lignes
            if (ligne.candidature.commune.ville_acv_id is not None) == (acv == "oui")
        ]
    tri = formulaire.valeur("tri", "rang")
    if tri in CLES_DE_TRI:
        lignes = sorted(lignes, key=CLES_DE_TRI[tri])  # stable : à égalité, l'ordre du rang
    return list(lignes)


def _classement_filtre(
    request: HttpRequest, vague: Vague
) -> tuple[Classement, FiltreClassementForm, list[Ligne]]:
    classement = classement_de(vague, par=_par(request), verifier=False)
    formulaire = FiltreClassementForm(request.GET, regions=_regions(classement))
    return classement, formulaire, _filtrer(classement, formulaire)


def _pagination(request: HttpRequest, lignes: list[Ligne]) -> dict:
    """Au plus LIGNES_PAR_PAGE lignes par page : le rang reste celui de toute la vague."""
    requete = request.GET.copy()
    requete.pop("page", None)
    return {
        "page_obj": Paginator(lignes, LIGNES_PAR_PAGE).get_page(request.GET.get("page")),
        "requete_sans_page": requete.urlencode(),
    }


# ---------------------------------------------------------------------------------------------
# Classement
# ---------------------------------------------------------------------------------------------
@login_required
def classement(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    classement_, formulaire, lignes = _classement_filtre(request, vague)
    contexte = {
        "vague": vague,
        "classement": classement_,
        "formulaire": formulaire,
        "lignes": lignes,
        **_pagination(request, lignes),
        "par_rang": formulaire.valeur("tri", "rang") == "rang",
        "requete": request.GET.urlencode(),
        "maintenant": timezone.now(),
    }
    return render(request, "candidatures/classement.html", contexte)


ENTETES_EXPORT = [
    "Rang",
    "Commune",
    "Code INSEE",
    "Note",
    "Note corrigée",
    "Évaluations soumises",
    "Évaluations attendues",
    "Écart",
    "Favorables",
    "Réserves",
    "Défavorables",
    "À discuter",
    "Région",
    "Ville ACV",
    "Référence",
    "Décision",
]


def _ligne_export(ligne: Ligne) -> list:
    candidature = ligne.candidature
    decision = ligne.decision
    return [
        ligne.rang,
        candidature.commune.nom,
        candidature.commune.code_insee,
        ligne.note,
        ligne.note_corrigee,
        ligne.notes.soumises,
        ligne.attendues,
        ligne.ecart,
        ligne.notes.favorables,
        ligne.notes.reserves,
        ligne.notes.defavorables,
        "oui" if ligne.a_discuter else "non",
        candidature.commune.region.nom,
        "oui" if candidature.commune.ville_acv_id else "non",
        candidature.reference,
        decision.get_resultat_display() if decision else "",
    ]


def _texte_csv(valeur):
    """Les notes à deux décimales avec la virgule ; le reste tel quel (csv écrit None vide)."""
    if type(valeur) is Decimal:
        return f"{valeur:.2f}".replace(".", ",")
    return valeur


def _flux_csv(lignes: list[Ligne]) -> Iterator[bytes]:
    """Ligne à ligne, déjà en octets (la réponse n'a plus à chercher son encodage à chaque ligne)."""
    return lignes_csv(
        ENTETES_EXPORT, ([_texte_csv(v) for v in _ligne_export(ligne)] for ligne in lignes)
    )


def _classeur_xlsx(vague: Vague, lignes: list[Ligne]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(title=f"Classement vague {vague.numero}")
    feuille.append(ENTETES_EXPORT)
    for ligne in lignes:
        cellules = []
        for valeur in _ligne_export(ligne):
            if isinstance(valeur, Decimal):
                cellule = WriteOnlyCell(feuille, value=float(valeur))
                cellule.number_format = "0.00"
                cellules.append(cellule)
            else:
                cellules.append(valeur)
        feuille.append(cellules)
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


@login_required
def classement_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Le classement affiché (mêmes filtres, même tri) en CSV (`;`, UTF-8 avec BOM) ou en XLSX."""
    vague = _vague_pour(request, pk)
    format_ = request.GET.get("format", "csv")
    if format_ not in ("csv", "xlsx"):
        return HttpResponseBadRequest("Format d'export inconnu : choisissez csv ou xlsx.")
    _, _, lignes = _classement_filtre(request, vague)
    nom = f"classement-vague-{vague.numero}-{timezone.localdate():%Y-%m-%d}"
    if format_ == "csv":
        reponse = StreamingHttpResponse(_flux_csv(lignes), content_type="text/csv; charset=utf-8")
        reponse["Content-Disposition"] = f'attachment; filename="{nom}.csv"'
        return reponse
    reponse = HttpResponse(
        _classeur_xlsx(vague, lignes),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = f'attachment; filename="{nom}.xlsx"'
    return reponse


# ---------------------------------------------------------------------------------------------
# Séance du jury
# ---------------------------------------------------------------------------------------------
@login_required
def deliberation_seance(request: HttpRequest, pk: int) -> HttpResponse:
    """La page projetée en séance : classement, décisions, présents, sélection face au programme."""
    vague = _vague_pour(request, pk)
    classement_ = classement_de(vague, par=_par(request), verifier=True)
    # Les cases des présents, rendues d'après les jurés que le classement a déjà lus (l'ordre du
    # formulaire) : rendre 100 cases par les gabarits de widgets coûtait autant que le tableau.
    presents = set(vague.jures_presents.order_by().values_list("pk", flat=True))
    contexte = {
        "vague": vague,
        "classement": classement_,
        "lignes": classement_.lignes,
        **_pagination(request, classement_.lignes),
        "etat": services.etat_selection(classement_),
        "jures": list(classement_.jures.values()),
        "presents": presents,
        "nb_presents": len(presents),
        "rouvrir": RouvrirForm(),
        "modifiable": vague.statut == Vague.Statut.DELIBERATION,
        "a_ouvrir": vague.statut == Vague.Statut.EXAMEN_JURY,
        "resultats": DecisionForm.base_fields["resultat"].choices,
        "par": classement_.par,
    }
    return render(request, "candidatures/deliberation_seance.html", contexte)


@require_POST
@login_required
def deliberation_decider(request: HttpRequest, pk: int) -> HttpResponse:
    """Décide une candidature (création ou modification, contre la version lue)."""
    exiger_equipe(request.user)
    candidature = get_object_or_404(Candidature.objects.select_related("commune", "vague"), pk=pk)
    formulaire = DecisionForm(request.POST)
    if not formulaire.is_valid():
        erreurs = " ".join(e for champ in formulaire.errors.values() for e in champ)
        messages.error(request, f"{candidature.commune.nom} : {erreurs} Rien n'a été enregistré.")
        return _vers_la_seance(candidature.vague_id, f"c-{candidature.pk}")
    try:
        with transaction.atomic():
            decision = services.decider(
                candidature,
                resultat=formulaire.cleaned_data["resultat"],
                motivation=formulaire.cleaned_data["motivation"],
                version=formulaire.cleaned_data["version"],
                par=request.user,
            )
    except ErreurMetier as erreur:
        messages.error(request, f"{candidature.commune.nom} : {erreur}")
    else:
        messages.success(
            request,
            f"{candidature.commune.nom} : {decision.get_resultat_display().lower()}, décision enregistrée.",
        )
    return _vers_la_seance(candidature.vague_id, f"c-{candidature.pk}")


@require_POST
@login_required
def deliberation_presents(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    formulaire = PresentsForm(request.POST, vague=vague)
    if not formulaire.is_valid():
        messages.error(request, "Choisissez des jurés de la vague. Rien n'a été enregistré.")
        return _vers_la_seance(vague.pk, "presents")
    try:
        with transaction.atomic():
            services.enregistrer_presents(
                vague, jures=formulaire.cleaned_data["jures"], par=request.user
            )
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        n = len(formulaire.cleaned_data["jures"])
        messages.success(
            request, f"Jurés présents enregistrés : {n}." if n else "Aucun juré présent."
        )
    return _vers_la_seance(vague.pk, "presents")


@require_POST
@login_required
def deliberation_publier(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    try:
        nombre = services.publier(vague, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(
            request,
            f"Résultats publiés : {nombre} candidatures décidées. La vague est verrouillée.",
        )
    return _vers_la_seance(vague.pk)


@require_POST
@login_required
def deliberation_rouvrir(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    formulaire = RouvrirForm(request.POST)
    if not formulaire.is_valid():
        erreurs = " ".join(formulaire.errors.get("motif", []))
        messages.error(request, f"{erreurs} Rien n'a changé.")
        return _vers_la_seance(vague.pk, "publication")
    try:
        services.rouvrir(vague, par=request.user, motif=formulaire.cleaned_data["motif"])
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(
            request,
            "La délibération est rouverte : les candidatures décidées sont de nouveau en examen.",
        )
    return _vers_la_seance(vague.pk, "publication")


# ---------------------------------------------------------------------------------------------
# Procès-verbal
# ---------------------------------------------------------------------------------------------
def _contexte_pv(vague: Vague) -> dict:
    classement_ = classement_de(vague, verifier=False)
    return {
        "vague": vague,
        "classement": classement_,
        "lignes": classement_.lignes,
        "decidees": [ligne for ligne in classement_.lignes if ligne.decision],
        "presents": services.jures_presents_par_organisation(vague),
        "etat": services.etat_selection(classement_),
        "date_pv": timezone.localdate(),
    }


@login_required
def deliberation_pv(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour(request, pk)
    return render(request, "candidatures/deliberation_pv.html", _contexte_pv(vague))


@login_required
def deliberation_pv_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from xhtml2pdf import pisa

    vague = _vague_pour(request, pk)
    html = render_to_string("candidatures/deliberation_pv_pdf.html", _contexte_pv(vague))
    sortie = io.BytesIO()
    resultat = pisa.CreatePDF(html, dest=sortie, encoding="utf-8")
    if resultat.err:
        messages.error(
            request, "Le PDF du procès-verbal n'a pas pu être produit : imprimez la page."
        )
        return redirect(reverse("deliberation_pv", kwargs={"pk": vague.pk}))
    reponse = HttpResponse(sortie.getvalue(), content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="proces-verbal-vague-{vague.numero}.pdf"'
    return reponse


urlpatterns = [
    path("vagues/<int:pk>/classement/", classement, name="classement"),
    path("vagues/<int:pk>/classement/export/", classement_export, name="classement_export"),
    path("vagues/<int:pk>/deliberation/", deliberation_seance, name="deliberation_seance"),
    path(
        "vagues/<int:pk>/deliberation/presents/",
        deliberation_presents,
        name="deliberation_presents",
    ),
    path(
        "vagues/<int:pk>/deliberation/publier/", deliberation_publier, name="deliberation_publier"
    ),
    path(
        "vagues/<int:pk>/deliberation/rouvrir/", deliberation_rouvrir, name="deliberation_rouvrir"
    ),
    path("vagues/<int:pk>/deliberation/proces-verbal/", deliberation_pv, name="deliberation_pv"),
    path(
        "vagues/<int:pk>/deliberation/proces-verbal.pdf",
        deliberation_pv_pdf,
        name="deliberation_pv_pdf",
    ),
    path("<int:pk>/decision/", deliberation_decider, name="deliberation_decider"),
]
