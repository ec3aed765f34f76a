"""Les plans d'accompagnement des villes non retenues, pages de l'équipe."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from acv.erreurs import ErreurMetier, TransitionRefusee, enregistrer_avec_version
from acv.historique import historique
from acv.roles import est_equipe, exiger_equipe

from .. import lettres as service
from ..forms.accompagnement import (
    AccompagnementFilter,
    AccompagnementForm,
    ActionForm,
    CreationAccompagnementForm,
    ModificationActionForm,
    StatutActionForm,
)
from ..models import Accompagnement, ActionAccompagnement, Candidature, Decision, Vague
from ..services import preparer_resoumission, vagues_de_resoumission

PAR_PAGE = 50


def _accompagnement_pour(request: HttpRequest, pk: int) -> Accompagnement:
    """Le plan `pk` pour l'équipe (403 pour les autres rôles, 404 s'il n'existe pas)."""
    exiger_equipe(request.user)
    return get_object_or_404(
        Accompagnement.objects.select_related(
            "candidature__vague",
            "candidature__commune__departement",
            "candidature__commune__region",
            "candidature__epci",
            "conseiller",
            "vague_cible",
            "resoumission__vague",
        ),
        pk=pk,
    )


def _candidature_non_retenue(request: HttpRequest, pk: int) -> Candidature:
    exiger_equipe(request.user)
    return get_object_or_404(
        Candidature.objects.avec_territoire(), pk=pk, statut=Candidature.Statut.NON_RETENUE
    )


def actions_habituelles(plan: Accompagnement) -> list[ActionAccompagnement]:
    """Les étapes que suit d'ordinaire une ville vers la vague suivante, datées depuis aujourd'hui."""
    jour = timezone.localdate()
    depot = plan.vague_cible.date_limite if plan.vague_cible else None
    etapes = [
        ("Entretien de restitution de l'avis du jury avec la ville", jour + datetime.timedelta(14)),
        ("Rencontre avec le Cnam en région et visite des locaux", jour + datetime.timedelta(45)),
        (
            "Compléter le plan de financement et les lettres d'engagement des partenaires",
            jour + datetime.timedelta(90),
        ),
        (
            "Relire le dossier révisé avant son dépôt",
            (depot - datetime.timedelta(21)) if depot else None,
        ),
        ("Déposer la nouvelle candidature", depot),
    ]
    return [
        ActionAccompagnement(accompagnement=plan, libelle=libelle, echeance=echeance)
        for libelle, echeance in etapes
    ]


# ---------------------------------------------------------------------------------------------
# Liste
# ---------------------------------------------------------------------------------------------
@login_required
def accompagnement_liste(request: HttpRequest) -> HttpResponse:
    exiger_equipe(request.user)
    filtre = AccompagnementFilter(
        request.GET,
        queryset=Accompagnement.objects.pour_liste().order_by("candidature__commune__nom", "pk"),
    )
    for nom, champ in filtre.form.fields.items():
        champ.widget.attrs["class"] = "fr-input" if nom == "q" else "fr-select"
    page = Paginator(filtre.qs, PAR_PAGE).get_page(request.GET.get("page"))
    requete = request.GET.copy()
    requete.pop("page", None)
    publiees = Vague.objects.filter(
        statut__in=[Vague.Statut.RESULTATS_PUBLIES, Vague.Statut.CLOSE]
    ).annotate(
        sans_plan=Count(
            "candidatures",
            filter=Q(
                candidatures__statut=Candidature.Statut.NON_RETENUE,
                candidatures__accompagnement__isnull=True,
            ),
        )
    )
    return render(
        request,
        "candidatures/accompagnement_liste.html",
        {
            "publiees": publiees,
            "filtre": filtre,
            "page_obj": page,
            "plans": page.object_list,
            "requete_sans_page": requete.urlencode(),
            "aujourdhui": timezone.localdate(),
        },
    )


@require_POST
@login_required
def accompagnement_relancer(request: HttpRequest) -> HttpResponse:
    """Relance maintenant chaque conseiller de ses actions en retard (une fois par jour au plus)."""
    exiger_equipe(request.user)
    lien = request.build_absolute_uri(reverse("accompagnement_liste") + "?retard=true")
    try:
        with transaction.atomic():
            envoyes = service.relancer_conseillers(lien=lien)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        if envoyes:
            messages.success(
                request,
                f"{envoyes} conseiller{'s' if envoyes > 1 else ''} relancé{'s' if envoyes > 1 else ''} "
                "par courriel de leurs actions en retard.",
            )
        else:
            messages.info(
                request, "Aucune action en retard à relancer (ou déjà relancée aujourd'hui)."
            )
    return redirect("accompagnement_liste")


# ---------------------------------------------------------------------------------------------
# Fiche
# ---------------------------------------------------------------------------------------------
@dataclass
class EntreeAction:
    date: datetime.datetime
    par: str
    action: str
    changements: list


def _historique_complet(plan: Accompagnement) -> list:
    """L'historique du plan et celui de ses actions, mêlés, le plus récent d'abord (trois requêtes)."""
    entrees = list(historique(plan))
    lignes = (
        ActionAccompagnement.history.filter(accompagnement_id=plan.pk)
        .select_related("history_user")
        .order_by("-history_date")[:100]
    )
    for ligne in lignes:
        user = ligne.history_user
        quoi = {"+": "ajoutée", "~": "modifiée", "-": "supprimée"}[ligne.history_type]
        raison = f" ({ligne.history_change_reason})" if ligne.history_change_reason else ""
        entrees.append(
            EntreeAction(
                date=ligne.history_date,
                par=(user.get_full_name() or user.username) if user else "",
                action=f"Action « {ligne.libelle} » {quoi}{raison}",
                changements=[],
            )
        )
    return sorted(entrees, key=lambda e: e.date, reverse=True)


def _contexte_fiche(plan: Accompagnement, **extra) -> dict:
    candidature = plan.candidature
    try:
        motivation = candidature.decision.motivation
    except Decision.DoesNotExist:
        motivation = ""
    resoumission = plan.resoumission or (
        candidature.resoumissions.exclude(statut__in=Candidature.INACTIFS)
        .select_related("vague")
        .first()
    )
    aujourdhui = timezone.localdate()
    actions = list(plan.actions.all())
    return {
        "plan": plan,
        "candidature": candidature,
        "vague": candidature.vague,
        "actions": actions,
        "nb_en_retard": sum(1 for a in actions if a.en_retard_au(aujourdhui)),
        "aujourdhui": aujourdhui,
        "motivation": motivation,
        "remarques": service.remarques_par_candidature([candidature.pk]).get(candidature.pk, []),
        "resoumission": resoumission,
        "resoumission_reliee": plan.resoumission_id is not None,
        "lettres": list(candidature.lettres.select_related("courriel")),
        "form_action": ActionForm(),
        "form_statut": StatutActionForm(),
        "statuts": ActionAccompagnement.Statut.choices,
        "historique": _historique_complet(plan),
        **extra,
    }


@login_required
def accompagnement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _accompagnement_pour(request, pk)
    return render(request, "candidatures/accompagnement_detail.html", _contexte_fiche(plan))


@login_required
def accompagnement_creer(request: HttpRequest, pk: int) -> HttpResponse:
    """Ouvre le plan d'une candidature non retenue (404 pour toute autre candidature)."""
    candidature = _candidature_non_retenue(request, pk)
    existant = Accompagnement.objects.filter(candidature=candidature).first()
    if existant:
        messages.info(request, "Cette candidature a déjà un plan d'accompagnement.")
        return redirect("accompagnement_detail", pk=existant.pk)
    suivante = vagues_de_resoumission(candidature).order_by("numero").first()
    form = CreationAccompagnementForm(
        request.POST or None,
        candidature=candidature,
        initial={
            "conseiller": request.user if est_equipe(request.user) else None,
            "vague_cible": suivante,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                plan = Accompagnement.ouvrir(
                    candidature,
                    conseiller=form.cleaned_data["conseiller"],
                    par=request.user,
                    vague_cible=form.cleaned_data["vague_cible"],
                    notes=form.cleaned_data["notes"],
                )
                if form.cleaned_data["actions_habituelles"]:
                    for action in actions_habituelles(plan):
                        action._history_user = request.user
                        action.save()
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, f"Plan d'accompagnement de {candidature.commune.nom} ouvert.")
            return redirect("accompagnement_detail", pk=plan.pk)
    return render(
        request,
        "candidatures/accompagnement_formulaire.html",
        {"form": form, "candidature": candidature, "vague": candidature.vague, "plan": None},
    )


@login_required
def accompagnement_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    """Conseiller, vague visée, notes ; refuse d'écraser une modification faite entre-temps."""
    plan = _accompagnement_pour(request, pk)
    form = AccompagnementForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan._history_user = request.user
        try:
            enregistrer_avec_version(plan, ["conseiller", "vague_cible", "notes"])
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, "Plan enregistré.")
            return redirect("accompagnement_detail", pk=plan.pk)
    return render(
        request,
        "candidatures/accompagnement_formulaire.html",
        {
            "form": form,
            "candidature": plan.candidature,
            "vague": plan.candidature.vague,
            "plan": plan,
        },
    )


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------
@require_POST
@login_required
def accompagnement_action_ajouter(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _accompagnement_pour(request, pk)
    form = ActionForm(request.POST)
    if form.is_valid():
        action = form.save(commit=False)
        action.accompagnement = plan
        action._history_user = request.user
        action.save()
        messages.success(request, f"Action « {action.libelle} » ajoutée.")
        return redirect("accompagnement_detail", pk=plan.pk)
    messages.error(request, "L'action n'a pas été ajoutée : corrigez le formulaire ci-dessous.")
    return render(
        request,
        "candidatures/accompagnement_detail.html",
        _contexte_fiche(plan, form_action=form),
        status=400,
    )


@require_POST
@login_required
def accompagnement_action_statut(request: HttpRequest, pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    action = get_object_or_404(ActionAccompagnement.objects.select_related("accompagnement"), pk=pk)
    form = StatutActionForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, " ".join(form.errors["version"]))
        else:
            messages.error(request, "Choisissez un état parmi ceux proposés : rien n'a changé.")
    else:
        try:
            with transaction.atomic():
                action.changer_statut(
                    form.cleaned_data["statut"],
                    par=request.user,
                    version=form.cleaned_data["version"],
                )
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(
                request, f"Action « {action.libelle} » : {action.get_statut_display().lower()}."
            )
    return redirect("accompagnement_detail", pk=action.accompagnement_id)


@login_required
def accompagnement_action_modifier(request: HttpRequest, pk: int) -> HttpResponse:
    """Reformule une action ou en repousse l'échéance."""
    exiger_equipe(request.user)
    action = get_object_or_404(
        ActionAccompagnement.objects.select_related("accompagnement__candidature__commune"), pk=pk
    )
    form = ModificationActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        action = form.save(commit=False)
        action._history_user = request.user
        try:
            enregistrer_avec_version(action, ["libelle", "echeance"])
        except ErreurMetier as erreur:
            messages.error(request, str(erreur))
        else:
            messages.success(request, f"Action « {action.libelle} » enregistrée.")
            return redirect("accompagnement_detail", pk=action.accompagnement_id)
    return render(
        request,
        "candidatures/accompagnement_action.html",
        {"form": form, "action": action, "plan": action.accompagnement},
    )


# ---------------------------------------------------------------------------------------------
# Vers la resoumission
# ---------------------------------------------------------------------------------------------
def resoumettre(plan: Accompagnement, *, par) -> tuple[Candidature, bool]:
    """La resoumission du plan : celle que la ville a déjà (préparée depuis sa candidature),
    reliée au plan, sinon une nouvelle préparée dans la vague visée par
    candidatures.services.preparer_resoumission. Renvoie (resoumission, créée). Refuse si le plan
    a déjà sa resoumission, ou s'il faut la créer sans vague visée."""
    if plan.resoumission_id:
        raise TransitionRefusee(
            f"La resoumission de ce plan est déjà préparée ({plan.resoumission.reference})."
        )
    resoumission = (
        plan.candidature.resoumissions.exclude(statut__in=Candidature.INACTIFS)
        .order_by("-vague__numero")
        .first()
    )
    creee = resoumission is None
    if creee:
        if plan.vague_cible is None:
            raise TransitionRefusee("Choisissez d'abord la vague visée par le plan.")
        resoumission = preparer_resoumission(plan.candidature, vague=plan.vague_cible, par=par)
        plan.refresh_from_db(fields=["resoumission"])  # déjà reliée à sa création (signal)
        if plan.resoumission_id == resoumission.pk:
            return resoumission, creee
    plan.resoumission = resoumission
    plan._history_user = par
    plan._change_reason = f"Resoumission {resoumission.reference} reliée au plan"
    plan.save(update_fields=["resoumission"])
    return resoumission, creee


@require_POST
@login_required
def accompagnement_resoumettre(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _accompagnement_pour(request, pk)
    try:
        with transaction.atomic():
            resoumission, creee = resoumettre(plan, par=request.user)
    except ErreurMetier as erreur:
        messages.error(request, str(erreur))
    else:
        if creee:
            messages.success(
                request,
                f"Resoumission {resoumission.reference} préparée dans « {plan.vague_cible} » "
                "à partir du dossier précédent ; elle reste en brouillon jusqu'à son dépôt.",
            )
        else:
            messages.success(
                request,
                f"La resoumission existante {resoumission.reference} est maintenant reliée au plan.",
            )
    return redirect("accompagnement_detail", pk=plan.pk)


urlpatterns = [
    path("accompagnements/", accompagnement_liste, name="accompagnement_liste"),
    path("accompagnements/relancer/", accompagnement_relancer, name="accompagnement_relancer"),
    path("accompagnements/<int:pk>/", accompagnement_detail, name="accompagnement_detail"),
    path(
        "accompagnements/<int:pk>/modifier/",
        accompagnement_modifier,
        name="accompagnement_modifier",
    ),
    path(
        "accompagnements/<int:pk>/actions/ajouter/",
        accompagnement_action_ajouter,
        name="accompagnement_action_ajouter",
    ),
    path(
        "accompagnements/actions/<int:pk>/",
        accompagnement_action_modifier,
        name="accompagnement_action_modifier",
    ),
    path(
        "accompagnements/actions/<int:pk>/etat/",
        accompagnement_action_statut,
        name="accompagnement_action_statut",
    ),
    path(
        "accompagnements/<int:pk>/resoumettre/",
        accompagnement_resoumettre,
        name="accompagnement_resoumettre",
    ),
    path("<int:pk>/accompagnement/ouvrir/", accompagnement_creer, name="accompagnement_creer"),
]
