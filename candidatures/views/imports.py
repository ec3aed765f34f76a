"""Import et export des candidatures : page d'import (simulation puis import), modèle, export."""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from acv.erreurs import ErreurMetier
from acv.roles import exiger_equipe

from ..exports import classeur_xlsx, lignes_csv, modele_csv, modele_xlsx
from ..filters import CandidatureFilter
from ..forms.imports import ImportCandidaturesForm
from ..imports import COLONNES, Analyse, importer_fichier, simuler_fichier
from ..models import Candidature, Vague

# Le fichier simulé attend l'import dans le stockage par défaut (local ou S3), sous un nom
# généré ; la session n'en garde que ce nom, le nom d'origine et la vague.
DOSSIER = "imports"
CLE_SESSION = "import_candidatures"
LIGNES_AFFICHEES = 1000
ABANDON = datetime.timedelta(days=1)
TYPE_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _oublier_fichier(request: HttpRequest) -> None:
    attente = request.session.pop(CLE_SESSION, None)
    if attente:
        default_storage.delete(attente["stocke"])


def nettoyer_simulations_abandonnees(age: datetime.timedelta = ABANDON) -> int:
    """Supprime les fichiers simulés puis jamais importés, plus vieux que `age` (au mieux)."""
    try:
        _, noms = default_storage.listdir(DOSSIER)
    except (FileNotFoundError, NotImplementedError, OSError):
        return 0
    seuil = timezone.now() - age
    supprimes = 0
    for nom in noms:
        chemin = f"{DOSSIER}/{nom}"
        try:
            if default_storage.get_modified_time(chemin) < seuil:
                default_storage.delete(chemin)
                supprimes += 1
        except (FileNotFoundError, NotImplementedError, OSError):
            continue
    return supprimes


def _garder_fichier(request: HttpRequest, fichier, vague: Vague) -> str:
    """Range le fichier sous un nom généré, le note dans la session ; renvoie le jeton."""
    _oublier_fichier(request)
    nettoyer_simulations_abandonnees()
    jeton = uuid.uuid4().hex
    fichier.seek(0)
    stocke = default_storage.save(f"{DOSSIER}/{jeton}{Path(fichier.name).suffix.lower()}", fichier)
    request.session[CLE_SESSION] = {
        "jeton": jeton,
        "stocke": stocke,
        "nom": Path(fichier.name).name[:200],
        "vague": vague.pk,
    }
    return jeton


def _contexte_simulation(analyse: Analyse, **extra) -> dict:
    return {
        "analyse": analyse,
        "lignes": analyse.lignes[:LIGNES_AFFICHEES],
        "lignes_masquees": max(0, len(analyse.lignes) - LIGNES_AFFICHEES),
        "refusees": analyse.refusees[:LIGNES_AFFICHEES],
        **extra,
    }


@login_required
def candidature_import(request: HttpRequest) -> HttpResponse:
    """GET : le formulaire et les colonnes ; POST : la simulation, sans rien écrire."""
    exiger_equipe(request.user)
    form = ImportCandidaturesForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        vague = form.cleaned_data["vague"]
        fichier = form.cleaned_data["fichier"]
        try:
            analyse = simuler_fichier(fichier.read(), fichier.name, vague)
        except ErreurMetier as erreur:
            form.add_error("fichier", str(erreur))
        else:
            if analyse.valide:
                jeton = _garder_fichier(request, fichier, vague)
            else:
                _oublier_fichier(request)
                jeton = ""
            return render(
                request,
                "candidatures/import_simulation.html",
                _contexte_simulation(analyse, jeton=jeton),
            )
    return render(
        request, "candidatures/import_formulaire.html", {"form": form, "colonnes": COLONNES}
    )


@require_POST
@login_required
def candidature_import_executer(request: HttpRequest) -> HttpResponse:
    """Importe le fichier de la dernière simulation : tout, ou rien si une ligne est refusée."""
    exiger_equipe(request.user)
    attente = request.session.get(CLE_SESSION)
    if not attente or request.POST.get("jeton") != attente["jeton"]:
        messages.error(
            request,
            "Cette simulation n'est plus disponible (un autre fichier a été simulé depuis, ou "
            "l'import est déjà fait) : déposez à nouveau le fichier.",
        )
        return redirect("candidature_import")
    vague = Vague.objects.filter(pk=attente["vague"]).first()
    try:
        with default_storage.open(attente["stocke"], "rb") as fichier:
            contenu = fichier.read()
    except FileNotFoundError:
        contenu = None
    if vague is None or contenu is None:
        request.session.pop(CLE_SESSION, None)
        messages.error(request, "Le fichier simulé est introuvable : déposez-le à nouveau.")
        return redirect("candidature_import")
    try:
        analyse, bilan = importer_fichier(contenu, attente["nom"], vague, par=request.user)
    except ErreurMetier as erreur:
        _oublier_fichier(request)
        messages.error(request, str(erreur))
        return redirect("candidature_import")
    _oublier_fichier(request)
    if bilan is None:
        # La base a changé depuis la simulation : on montre pourquoi, rien n'est écrit.
        messages.error(
            request,
            "Rien n'a été importé : la base a changé depuis la simulation (voir ci-dessous).",
        )
        return render(
            request,
            "candidatures/import_simulation.html",
            _contexte_simulation(analyse, jeton=""),
        )
    texte = f"Import terminé dans « {vague.nom} » : {bilan.crees} candidature(s) créée(s)"
    if bilan.mis_a_jour:
        texte += f", {bilan.mis_a_jour} mise(s) à jour"
    if bilan.inchanges:
        texte += f", {bilan.inchanges} inchangée(s)"
    messages.success(request, texte + ".")
    try:
        return redirect(f"{reverse('candidature_liste')}?vague={vague.pk}")
    except NoReverseMatch:
        return redirect("candidature_import")


@login_required
def candidature_import_modele(request: HttpRequest) -> HttpResponse:
    """Le modèle à remplir : CSV point-virgule UTF-8 avec BOM, ou XLSX (`?format=xlsx`)."""
    exiger_equipe(request.user)
    if request.GET.get("format") == "xlsx":
        reponse = HttpResponse(modele_xlsx(), content_type=TYPE_XLSX)
        nom = "modele-import-candidatures.xlsx"
    else:
        reponse = HttpResponse(modele_csv(), content_type="text/csv; charset=utf-8")
        nom = "modele-import-candidatures.csv"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


@login_required
def candidature_export(request: HttpRequest) -> HttpResponse:
    """Les candidatures de la liste, avec ses filtres, en CSV (en flux) ou en XLSX."""
    exiger_equipe(request.user)
    filtre = CandidatureFilter(request.GET or None, queryset=Candidature.objects.all())
    candidatures = filtre.qs
    horodatage = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    if request.GET.get("format") == "xlsx":
        reponse = HttpResponse(classeur_xlsx(candidatures), content_type=TYPE_XLSX)
        nom = f"candidatures-{horodatage}.xlsx"
    else:
        reponse = StreamingHttpResponse(
            lignes_csv(candidatures), content_type="text/csv; charset=utf-8"
        )
        nom = f"candidatures-{horodatage}.csv"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


urlpatterns = [
    path("import/", candidature_import, name="candidature_import"),
    path("import/importer/", candidature_import_executer, name="candidature_import_executer"),
    path("import/modele/", candidature_import_modele, name="candidature_import_modele"),
    path("export/", candidature_export, name="candidature_export"),
]
