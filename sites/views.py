"""Les pages du déploiement : sites, objectifs, tableau de bord.

Qui fait quoi : l'équipe (et l'administrateur) lit et modifie tout ; un responsable régional lit
tous les sites et modifie ceux dont la commune est dans sa région ; un observateur lit ; un juré
n'a rien ici (403). Un responsable régional qui veut modifier le site d'une autre région reçoit
un 403 et non un 404 : la liste des sites lui est ouverte en lecture, l'existence du site n'est
donc pas un secret, et le 403 dit clairement que c'est le droit de modifier qui manque.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acv.erreurs import ConflitDeVersion, ErreurMetier, enregistrer_avec_version
from acv.historique import historique
from acv.models import Objectif
from acv.roles import est_equipe, est_responsable_regional, exiger_equipe, peut_lire_tableaux
from candidatures.models import Candidature

from . import forms, programme
from .filters import SiteFilter
from .models import Jalon, Site, region_de
from .services import ouvrir_site

LIGNES_PAR_PAGE = 50


def peut_modifier(user, site: Site) -> bool:
    if est_equipe(user):
        return True
    return est_responsable_regional(user) and region_de(user) == site.commune.region_id


def _exiger_lecture(user) -> None:
    if not peut_lire_tableaux(user):
        raise PermissionDenied("Réservé à l'équipe, aux observateurs et aux Cnam en région.")


def _site_pour(request: HttpRequest, pk: int, *, ecriture: bool = False) -> Site:
    """Le site `pk` avec son territoire ; 403 pour un rôle qui ne peut pas lire (ou modifier) ici."""
    _exiger_lecture(request.user)
    site = get_object_or_404(Site.objects.avec_territoire(), pk=pk)
    if ecriture and not peut_modifier(request.user, site):
        raise PermissionDenied("Vous ne pouvez modifier que les sites de votre région.")
    return site


# ---------------------------------------------------------------------------------------------
# Sites
# ---------------------------------------------------------------------------------------------
@login_required
def site_liste(request: HttpRequest) -> HttpResponse:
    _exiger_lecture(request.user)
    aujourdhui = timezone.localdate()
    sites = (
        # Seulement ce que la liste montre : ni les textes de la candidature, ni le département.
        Site.objects.select_related("commune__region", "operateur", "candidature__vague")
        .only(
            "nom",
            "statut",
            "date_ouverture_prevue",
            "date_ouverture",
            "commune__nom",
            "commune__code_insee",
            "commune__ville_acv_id",
            "commune__region__nom",
            "operateur__nom",
            "candidature__vague__numero",
        )
        .annotate(
            # Sous-requête corrélée plutôt qu'un GROUP BY sur la jointure : PostgreSQL ne la
            # calcule que pour les lignes de la page, pas pour tous les sites.
            nb_retards=Coalesce(
                Subquery(
                    Jalon.objects.en_retard(aujourdhui)
                    .filter(site=OuterRef("pk"))
                    .order_by()
                    .values("site")
                    .annotate(n=Count("pk"))
                    .values("n")[:1],
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        .order_by("commune__nom", "nom", "pk")
    )
    filtre = SiteFilter(request.GET, queryset=sites)
    # La page en deux temps : les identifiants de la page, triés et filtrés, puis ces sites-là
    # avec leur territoire, leur vague et leur opérateur. Joindre tout cela aux 6 000 sites avant
    # de trier doublait la requête.
    page = Paginator(filtre.qs.values_list("pk", flat=True), LIGNES_PAR_PAGE).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    par_pk = sites.order_by().in_bulk(ids)
    page.object_list = [par_pk[pk] for pk in ids if pk in par_pk]  # supprimé entre-temps : omis
    requete = request.GET.copy()
    requete.pop("page", None)
    region = region_de(request.user) if est_responsable_regional(request.user) else None
    equipe = est_equipe(request.user)
    for site in page:
        site.modifiable = equipe or (region is not None and site.commune.region_id == region)
    sans_site = None
    if equipe:
        sans_site = list(
            Candidature.objects.filter(statut=Candidature.Statut.RETENUE, site__isnull=True)
            .select_related("vague", "commune__region")
            .only(
                "reference",
                "date_ouverture_prevue",
                "vague__nom",
                "commune__nom",
                "commune__region__nom",
            )
            .order_by("vague__numero", "commune__nom")
        )
    return render(
        request,
        "sites/site_liste.html",
        {
            "filtre": filtre,
            "page_obj": page,
            "requete_sans_page": requete.urlencode(),
            "sans_site": sans_site,
            "est_equipe": equipe,
            "ma_region": region,
        },
    )


@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site_pour(request, pk)
    modifiable = peut_modifier(request.user, site)
    contexte = {
        "site": site,
        "modifiable": modifiable,
        "jalons": list(site.jalons.all()),
        "formations": list(site.formations.all()),
        "inscriptions": list(site.inscriptions.all()),
        "financements": list(site.financements.all()),
        "statut_form": forms.StatutForm(site=site)
        if modifiable and site.statuts_suivants
        else None,
    }
    contexte["total_financements"] = sum(f.montant for f in contexte["financements"])
    if modifiable:
        contexte["historique"] = historique(site)
    return render(request, "sites/site_detail.html", contexte)


@login_required
def site_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site_pour(request, pk, ecriture=True)
    form = forms.SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        site.version = form.cleaned_data["version"]
        try:
            enregistrer_avec_version(site, [*forms.SiteForm.Meta.fields, "modifie_le"])
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, "La fiche du site est enregistrée.")
            return redirect("site_detail", pk=site.pk)
    return render(request, "sites/site_form.html", {"site": site, "form": form})


@require_POST
@login_required
def site_changer_statut(request: HttpRequest, pk: int) -> HttpResponse:
    site = _site_pour(request, pk, ecriture=True)
    form = forms.StatutForm(request.POST, site=site)
    if not form.is_valid():
        if form.cleaned_data.get("version") not in (None, site.version):
            # Le statut a changé depuis la lecture : le statut choisi n'est peut-être plus
            # proposé, mais c'est le changement venu d'ailleurs qu'il faut dire.
            messages.error(request, str(ConflitDeVersion()))
            return redirect("site_detail", pk=site.pk)
        # La version lue manque ou ne se lit pas : le dire (erreur en tête du formulaire).
        erreur = " ".join(form.non_field_errors())
        messages.error(
            request, erreur or "Choisissez un des statuts proposés, avec une date valide."
        )
        return redirect("site_detail", pk=site.pk)
    site.version = form.cleaned_data["version"]
    try:
        with transaction.atomic():
            site.changer_statut(
                form.cleaned_data["vers"],
                par=request.user,
                date_ouverture=form.cleaned_data["date_ouverture"],
                note=form.cleaned_data["note"],
            )
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        messages.success(request, f"Le site est désormais « {site.get_statut_display()} ».")
    return redirect("site_detail", pk=site.pk)


COLLECTIONS = {
    "jalons": (forms.JalonFormSet, "Jalons", "Ajoutez une ligne pour un jalon de plus."),
    "formations": (forms.FormationFormSet, "Offre de formation", ""),
    "inscriptions": (forms.InscriptionsFormSet, "Inscriptions par année", ""),
    "financements": (forms.FinancementFormSet, "Financements", "Montants en euros."),
}


def _collection(request: HttpRequest, pk: int, nom: str) -> HttpResponse:
    site = _site_pour(request, pk, ecriture=True)
    classe, titre, aide = COLLECTIONS[nom]
    formset = classe(request.POST or None, instance=site, prefix=nom)
    statut = 200
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                formset.save()
        except IntegrityError:
            # Une ligne identique (même année, même source…) enregistrée au même instant par
            # quelqu'un d'autre : rien n'est écrit, la saisie reste à l'écran.
            statut = 409
            messages.error(
                request,
                f"{titre} : rien n'a été enregistré, une ligne en double vient d'être "
                "enregistrée par quelqu'un d'autre. Rechargez la page pour la voir, puis "
                "reprenez votre saisie.",
            )
        else:
            messages.success(request, f"{titre} : enregistré.")
            return redirect("site_detail", pk=site.pk)
    return render(
        request,
        "sites/site_collection.html",
        {"site": site, "formset": formset, "titre": titre, "aide": aide},
        status=statut,
    )


@login_required
def site_jalons(request: HttpRequest, pk: int) -> HttpResponse:
    return _collection(request, pk, "jalons")


@login_required
def site_formations(request: HttpRequest, pk: int) -> HttpResponse:
    return _collection(request, pk, "formations")


@login_required
def site_inscriptions(request: HttpRequest, pk: int) -> HttpResponse:
    return _collection(request, pk, "inscriptions")


@login_required
def site_financements(request: HttpRequest, pk: int) -> HttpResponse:
    return _collection(request, pk, "financements")


@require_POST
@login_required
def site_creer_depuis_candidature(request: HttpRequest, candidature_pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    candidature = get_object_or_404(
        Candidature.objects.select_related("commune", "vague"), pk=candidature_pk
    )
    try:
        with transaction.atomic():
            site = ouvrir_site(candidature, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
        return redirect("site_liste")
    messages.success(request, f"Le site « {site.nom} » est créé, avec ses jalons par défaut.")
    return redirect("site_detail", pk=site.pk)


# ---------------------------------------------------------------------------------------------
# Objectifs
# ---------------------------------------------------------------------------------------------
@login_required
def objectif_liste(request: HttpRequest) -> HttpResponse:
    _exiger_lecture(request.user)
    objectifs = programme.avancement_des_objectifs()
    return render(
        request,
        "sites/objectif_liste.html",
        {"objectifs": objectifs, "est_equipe": est_equipe(request.user)},
    )


def _objectif_form(request: HttpRequest, objectif: Objectif | None) -> HttpResponse:
    exiger_equipe(request.user)
    form = forms.ObjectifForm(request.POST or None, instance=objectif)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Objectif « {form.instance.libelle} » enregistré.")
        return redirect("objectif_liste")
    return render(request, "sites/objectif_form.html", {"form": form, "objectif": objectif})


@login_required
def objectif_creer(request: HttpRequest) -> HttpResponse:
    return _objectif_form(request, None)


@login_required
def objectif_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    return _objectif_form(request, get_object_or_404(Objectif, pk=pk))


# ---------------------------------------------------------------------------------------------
# Tableau de bord
# ---------------------------------------------------------------------------------------------
@login_required
def tableau_de_bord(request: HttpRequest) -> HttpResponse:
    _exiger_lecture(request.user)
    etat = programme.tableau_du_jour("etat")
    return render(
        request,
        "sites/tableau_de_bord.html",
        {"etat": etat, "etapes_ville": programme.ETAPES_VILLE, "statuts": Site.Statut},
    )


@login_required
def tableau_de_bord_donnees(request: HttpRequest) -> HttpResponse:
    """Les chiffres et la carte, en JSON, pour les graphiques dessinés dans le navigateur."""
    _exiger_lecture(request.user)
    return HttpResponse(programme.tableau_du_jour("donnees_json"), content_type="application/json")
