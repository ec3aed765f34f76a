"""Les lettres aux villes une fois les résultats publiés, et la liste des villes retenues."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from acv.erreurs import ErreurMetier
from acv.flux import lignes_csv
from acv.historique import historique
from acv.models import ModeleCourriel
from acv.roles import exiger_equipe, peut_lire_tableaux

from .. import lettres as service
from ..forms.accompagnement import LettreForm, ModeleLettreForm
from ..models import Candidature, Lettre, Vague

# Les modèles de courriel que l'équipe modifie : lettres aux villes, relance des plans
# d'accompagnement, et les courriels du jury (affectation, relance, conflit signalé).
MODELES_DU_JURY = ["affectation", "affectation_retiree", "relance", "conflit_signale"]
MODELES_MODIFIABLES = [*Lettre.MODELES.values(), service.CODE_RELANCE, *MODELES_DU_JURY]


def _vague_pour_lettres(request: HttpRequest, pk: int) -> Vague:
    exiger_equipe(request.user)
    return get_object_or_404(Vague, pk=pk)


def _lettre_pour(request: HttpRequest, pk: int) -> Lettre:
    exiger_equipe(request.user)
    return get_object_or_404(
        Lettre.objects.select_related(
            "candidature__vague", "candidature__commune", "candidature__epci", "courriel"
        ),
        pk=pk,
    )


def _pluriel(n: int, singulier: str, pluriel: str) -> str:
    return f"{n} {singulier if n == 1 else pluriel}"


# ---------------------------------------------------------------------------------------------
# Lettres
# ---------------------------------------------------------------------------------------------
@login_required
def lettres_vague(request: HttpRequest, pk: int) -> HttpResponse:
    """Les lettres de la vague : une par candidature décidée, son état d'envoi, les actions."""
    vague = _vague_pour_lettres(request, pk)
    publies = service.resultats_publies(vague)
    candidatures = []
    if publies:
        candidatures = list(
            service.candidatures_decidees(vague).prefetch_related(
                Prefetch("lettres", queryset=Lettre.objects.select_related("courriel"))
            )
        )
    lettres = [lettre for c in candidatures for lettre in c.lettres.all()]
    compte = {
        etat: sum(1 for lettre in lettres if lettre.etat == etat)
        for etat in ("a_envoyer", "en_attente", "envoye", "echec")
    }
    return render(
        request,
        "candidatures/lettres_vague.html",
        {
            "vague": vague,
            "publies": publies,
            "candidatures": candidatures,
            "nb_lettres": len(lettres),
            "compte": compte,
            "sans_lettre": sum(1 for c in candidatures if not c.lettres.all()),
            "non_retenues_sans_plan": sum(
                1
                for c in candidatures
                if service.nature_de(c) == Lettre.Nature.NON_SELECTION
                and getattr(c, "accompagnement", None) is None
            ),
            "modeles": ModeleCourriel.objects.filter(
                code__in=[*Lettre.MODELES.values(), service.CODE_RELANCE]
            ),
        },
    )


@require_POST
@login_required
def lettres_preparer(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour_lettres(request, pk)
    try:
        with transaction.atomic():
            bilan = service.preparer_lettres(vague, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        texte = (
            f"{_pluriel(bilan.creees, 'lettre préparée', 'lettres préparées')}, "
            f"{_pluriel(bilan.mises_a_jour, 'mise à jour', 'mises à jour')}"
        )
        if bilan.deja_envoyees:
            texte += (
                f" ; {_pluriel(bilan.deja_envoyees, 'lettre déjà envoyée', 'lettres déjà envoyées')}"
                " n'ont pas changé"
            )
        if bilan.retouchees:
            texte += (
                f" ; {_pluriel(bilan.retouchees, 'lettre retouchée gardée', 'lettres retouchées gardées')}"
                " telle(s) quelle(s)"
            )
        if bilan.retirees:
            texte += f" ; {_pluriel(bilan.retirees, 'lettre périmée retirée', 'lettres périmées retirées')} (décision changée)"
        messages.success(request, texte + ".")
    return redirect("lettres_vague", pk=vague.pk)


@require_POST
@login_required
def lettres_envoyer(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour_lettres(request, pk)
    try:
        with transaction.atomic():
            bilan = service.envoyer_lettres(vague)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
        return redirect("lettres_vague", pk=vague.pk)
    if bilan.mises_en_file or bilan.renvoyees:
        messages.success(
            request,
            f"{_pluriel(bilan.mises_en_file, 'lettre confiée', 'lettres confiées')} à la boîte "
            f"d'envoi, {_pluriel(bilan.renvoyees, 'lettre en échec renvoyée', 'lettres en échec renvoyées')}. "
            "Leur état ci-dessous dit si elles sont parties.",
        )
    else:
        messages.info(request, "Aucune lettre à envoyer : préparez-les d'abord.")
    if bilan.sans_adresse:
        messages.warning(
            request,
            "Sans courriel de contact, pas d'envoi pour : "
            + ", ".join(bilan.sans_adresse)
            + ". Complétez le contact de ces candidatures, ou utilisez la copie postale (PDF).",
        )
    return redirect("lettres_vague", pk=vague.pk)


@login_required
def lettre_apercu(request: HttpRequest, pk: int) -> HttpResponse:
    lettre = _lettre_pour(request, pk)
    return render(
        request,
        "candidatures/lettre_apercu.html",
        {
            "lettre": lettre,
            "vague": lettre.candidature.vague,
            "historique": historique(lettre),
        },
    )


@login_required
def lettre_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    """Retouche le texte d'une lettre pas encore envoyée (une remarque à reformuler, un nom)."""
    lettre = _lettre_pour(request, pk)
    if lettre.courriel_id:
        messages.error(
            request, "Cette lettre est déjà confiée à la boîte d'envoi : elle ne change plus."
        )
        return redirect("lettre_apercu", pk=lettre.pk)
    form = LettreForm(request.POST or None, instance=lettre, initial={"retouchee": True})
    if request.method == "POST" and form.is_valid():
        lettre = form.save(commit=False)
        lettre._history_user = request.user
        lettre._change_reason = "Retouchée à la main"
        lettre.save(update_fields=["sujet", "corps", "retouchee"])
        messages.success(request, "Lettre enregistrée.")
        return redirect("lettre_apercu", pk=lettre.pk)
    return render(
        request,
        "candidatures/lettre_modifier.html",
        {"lettre": lettre, "vague": lettre.candidature.vague, "form": form},
    )


@require_POST
@login_required
def lettre_renvoyer(request: HttpRequest, pk: int) -> HttpResponse:
    lettre = _lettre_pour(request, pk)
    try:
        with transaction.atomic():
            service.renvoyer_lettre(lettre)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(
            request,
            f"La lettre à {lettre.candidature.commune.nom} est renvoyée à "
            f"{lettre.courriel.destinataire} ; son état ci-dessous dit si elle est partie.",
        )
    if request.POST.get("retour") == "vague":
        return redirect("lettres_vague", pk=lettre.candidature.vague_id)
    return redirect("lettre_apercu", pk=lettre.pk)


def _reponse_pdf(contenu: bytes, nom: str) -> HttpResponse:
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse


@login_required
def lettre_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    lettre = _lettre_pour(request, pk)
    return _reponse_pdf(
        service.pdf_des_lettres([lettre]), f"lettre-{lettre.candidature.reference}.pdf"
    )


@login_required
def lettres_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_pour_lettres(request, pk)
    if not service.resultats_publies(vague):
        raise Http404("Les résultats de cette vague ne sont pas publiés.")
    lettres = list(
        Lettre.objects.filter(candidature__vague=vague)
        .select_related("candidature__vague", "candidature__commune", "candidature__epci")
        .order_by("candidature__commune__nom", "nature")
    )
    if not lettres:
        messages.info(request, "Aucune lettre préparée : préparez les lettres d'abord.")
        return redirect("lettres_vague", pk=vague.pk)
    return _reponse_pdf(service.pdf_des_lettres(lettres), f"lettres-vague-{vague.numero}.pdf")


@login_required
def lettre_modele(request: HttpRequest, code: str) -> HttpResponse:
    """Le sujet et le corps d'un modèle de lettre (ou de relance), avec les variables disponibles."""
    exiger_equipe(request.user)
    if code not in MODELES_MODIFIABLES:
        raise Http404("Modèle inconnu.")
    modele = get_object_or_404(ModeleCourriel, code=code)
    form = ModeleLettreForm(request.POST or None, instance=modele)
    if request.method == "POST" and form.is_valid():
        modele = form.save(commit=False)
        modele._history_user = request.user
        modele.save()
        suite = (
            " Les prochains courriels du jury le suivront."
            if code in MODELES_DU_JURY
            else " Les lettres pas encore envoyées suivront ce modèle quand vous les préparerez "
            "à nouveau."
        )
        messages.success(request, f"Modèle « {modele.libelle} » enregistré." + suite)
        return redirect("lettre_modele", code=code)
    return render(
        request,
        "candidatures/lettre_modele.html",
        {"modele": modele, "form": form, "historique": historique(modele)},
    )


# ---------------------------------------------------------------------------------------------
# Villes retenues : pour les partenaires et la presse
# ---------------------------------------------------------------------------------------------
ENTETES_VILLES = ["Commune", "Code INSEE", "Département", "Région", "Porteur", "Ville ACV"]


def _villes_retenues(request: HttpRequest, pk: int) -> tuple[Vague, QuerySet[Candidature]]:
    """La vague et ses candidatures retenues ; 404 tant que les résultats ne sont pas publiés."""
    if not peut_lire_tableaux(request.user):
        raise PermissionDenied("Réservé à l'équipe, aux partenaires et aux régions.")
    vague = get_object_or_404(Vague, pk=pk)
    if not service.resultats_publies(vague):
        raise Http404("Les résultats de cette vague ne sont pas encore publiés.")
    retenues = (
        Candidature.objects.filter(vague=vague)
        .filter(
            Q(statut=Candidature.Statut.RETENUE) | Q(decision__resultat=Candidature.Statut.RETENUE)
        )
        .exclude(statut__in=Candidature.INACTIFS)
        .avec_territoire()
        .order_by("commune__region__nom", "commune__departement__code", "commune__nom")
    )
    return vague, retenues


def _lignes_villes(retenues: QuerySet[Candidature]) -> Iterator[list[str]]:
    """Une ligne par ville retenue, lue par paquets de 500 (les exports écrivent en flux)."""
    for c in retenues.iterator(chunk_size=500):
        yield [
            c.commune.nom,
            c.commune.code_insee,
            f"{c.commune.departement.code} — {c.commune.departement.nom}",
            c.commune.region.nom,
            c.libelle_porteur,
            "Oui" if c.commune.ville_acv_id else "Non",
        ]


@login_required
def villes_retenues(request: HttpRequest, pk: int) -> HttpResponse:
    vague, retenues = _villes_retenues(request, pk)
    retenues = list(retenues)
    return render(
        request,
        "candidatures/villes_retenues.html",
        {
            "vague": vague,
            "retenues": retenues,
            "nb_acv": sum(1 for c in retenues if c.commune.ville_acv_id),
        },
    )


@login_required
def villes_retenues_csv(request: HttpRequest, pk: int) -> HttpResponse:
    vague, retenues = _villes_retenues(request, pk)
    reponse = StreamingHttpResponse(
        lignes_csv(ENTETES_VILLES, _lignes_villes(retenues)),
        content_type="text/csv; charset=utf-8",
    )
    reponse["Content-Disposition"] = (
        f'attachment; filename="villes-retenues-vague-{vague.numero}.csv"'
    )
    return reponse


@login_required
def villes_retenues_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    from openpyxl import Workbook

    vague, retenues = _villes_retenues(request, pk)
    # En écriture seule : la mémoire ne grandit pas avec les lignes ; largeurs et volet figé
    # se posent avant la première ligne.
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Villes retenues")
    for colonne, largeur in zip("ABCDEF", (28, 12, 28, 28, 40, 10), strict=True):
        feuille.column_dimensions[colonne].width = largeur
    feuille.freeze_panes = "A2"
    feuille.append(ENTETES_VILLES)
    for ligne in _lignes_villes(retenues):
        feuille.append(ligne)
    sortie = BytesIO()
    classeur.save(sortie)
    reponse = HttpResponse(
        sortie.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = (
        f'attachment; filename="villes-retenues-vague-{vague.numero}.xlsx"'
    )
    return reponse


urlpatterns = [
    path("vagues/<int:pk>/lettres/", lettres_vague, name="lettres_vague"),
    path("vagues/<int:pk>/lettres/preparer/", lettres_preparer, name="lettres_preparer"),
    path("vagues/<int:pk>/lettres/envoyer/", lettres_envoyer, name="lettres_envoyer"),
    path("vagues/<int:pk>/lettres.pdf", lettres_pdf, name="lettres_pdf"),
    path("lettres/<int:pk>/", lettre_apercu, name="lettre_apercu"),
    path("lettres/<int:pk>/modifier/", lettre_modifier, name="lettre_modifier"),
    path("lettres/<int:pk>/renvoyer/", lettre_renvoyer, name="lettre_renvoyer"),
    path("lettres/<int:pk>/lettre.pdf", lettre_pdf, name="lettre_pdf"),
    path("lettres/modeles/<slug:code>/", lettre_modele, name="lettre_modele"),
    path("vagues/<int:pk>/villes-retenues/", villes_retenues, name="villes_retenues"),
    path("vagues/<int:pk>/villes-retenues.csv", villes_retenues_csv, name="villes_retenues_csv"),
    path("vagues/<int:pk>/villes-retenues.xlsx", villes_retenues_xlsx, name="villes_retenues_xlsx"),
]
