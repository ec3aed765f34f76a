"""Le jury : composition, conflits d'intérêts, affectation, avancement (équipe) ; évaluation (juré)."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Prefetch, Q, Window
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from acv.erreurs import ConflitDeVersion, ErreurMetier
from acv.roles import est_jure, exiger_equipe

from ..acces import candidature_pour
from ..affectation import (
    STATUTS_A_AFFECTER,
    affecter_vague,
    ajouter_affectation,
    avis_affectation,
    declarer_conflit,
    relancer_jures,
    retirer_affectation,
    url_absolue,
)
from ..evaluations import DejaSoumise, enregistrer, evaluations_visibles, rouvrir
from ..forms.jury import (
    AffectationAjoutForm,
    ConflitDeclarationForm,
    ConflitEquipeForm,
    ConflitLeverForm,
    EvaluationForm,
    JureAjoutForm,
)
from ..models import Affectation, Candidature, Conflit, Evaluation, Jure, Vague
from ..scores import note_sur_20
from ..services import changements_depuis_precedente

PAR_PAGE = 100
SOUMISE = Evaluation.Statut.SOUMISE
JURY_CLOS = "Les résultats de la vague sont publiés : la composition du jury ne change plus."
BROUILLON = Evaluation.Statut.BROUILLON


# ---------------------------------------------------------------------------------------------
# Accès
# ---------------------------------------------------------------------------------------------
def _vague_equipe(request: HttpRequest, pk: int) -> Vague:
    exiger_equipe(request.user)
    return get_object_or_404(Vague, pk=pk)


def _jure_de(request: HttpRequest, vague_pk: int) -> Jure:
    """Le juré du compte dans la vague : 403 pour un compte sans le rôle, 404 hors du jury."""
    if not est_jure(request.user):
        raise PermissionDenied("Réservé aux membres du jury.")
    jure = (
        Jure.objects.filter(vague_id=vague_pk, utilisateur=request.user)
        .select_related("vague", "organisation")
        .first()
    )
    if jure is None:
        raise Http404("Vous ne faites pas partie du jury de cette vague.")
    return jure


def _affectation_du_jure(request: HttpRequest, pk: int) -> Affectation:
    """L'affectation `pk` du compte connecté, sans conflit (sinon 404 ; 403 hors rôle de juré)."""
    if not est_jure(request.user):
        raise PermissionDenied("Réservé aux membres du jury.")
    affectation = (
        Affectation.objects.filter(pk=pk, jure__utilisateur=request.user)
        .select_related("jure__vague", "jure__organisation")
        .first()
    )
    if affectation is None:
        raise Http404("Évaluation introuvable.")
    # La règle commune de la sélection : un juré ne voit que ce qui lui est affecté, sans conflit.
    affectation.candidature = candidature_pour(request, affectation.candidature_id)
    return affectation


def _charges(jures):
    """Les jurés annotés de leur charge et de leur avancement (une requête)."""
    return jures.annotate(
        nb_affectations=Count("affectations", distinct=True),
        nb_soumises=Count(
            "affectations", filter=Q(affectations__evaluation__statut=SOUMISE), distinct=True
        ),
        nb_brouillons=Count(
            "affectations", filter=Q(affectations__evaluation__statut=BROUILLON), distinct=True
        ),
        nb_a_faire=Count(
            "affectations", filter=Q(affectations__evaluation__isnull=True), distinct=True
        ),
        nb_conflits=Count("conflits", distinct=True),
    ).select_related("utilisateur", "organisation")


# ---------------------------------------------------------------------------------------------
# Le jury d'une vague (équipe)
# ---------------------------------------------------------------------------------------------
@login_required
def jury_vague(request: HttpRequest, pk: int) -> HttpResponse:
    """Requêtes : rôles, vague, jurés annotés, conflits, plus les listes des formulaires."""
    vague = _vague_equipe(request, pk)
    jures = list(_charges(Jure.objects.filter(vague=vague)))
    par_organisation = defaultdict(list)
    for jure in jures:
        par_organisation[jure.organisation].append(jure)
    conflits = (
        Conflit.objects.filter(jure__vague=vague)
        .select_related("jure__utilisateur", "jure__organisation", "candidature__commune")
        .order_by("candidature__commune__nom")
    )
    return render(
        request,
        "candidatures/jury_vague.html",
        {
            "vague": vague,
            "jures": jures,
            "par_organisation": sorted(par_organisation.items(), key=lambda e: e[0].ordre),
            "conflits": conflits,
            "form_jure": JureAjoutForm(vague=vague),
            "form_conflit": ConflitEquipeForm(vague=vague),
        },
    )


@require_POST
@login_required
def jury_jure_ajouter(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_equipe(request, pk)
    form = JureAjoutForm(request.POST, vague=vague)
    if vague.est_verrouillee:
        messages.error(request, JURY_CLOS)
    elif form.is_valid():
        jure = Jure.objects.create(
            vague=vague,
            utilisateur=form.cleaned_data["utilisateur"],
            organisation=form.cleaned_data["organisation"],
        )
        messages.success(request, f"{jure} fait maintenant partie du jury.")
    else:
        messages.error(request, "Juré non ajouté : " + _erreurs(form))
    return redirect("jury_vague", vague.pk)


@require_POST
@login_required
def jury_jure_retirer(request: HttpRequest, pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    jure = get_object_or_404(
        Jure.objects.select_related("vague", "utilisateur", "organisation"), pk=pk
    )
    try:
        with transaction.atomic():
            if jure.vague.est_verrouillee:
                raise ErreurMetier(JURY_CLOS)
            if Evaluation.objects.filter(affectation__jure=jure).exists():
                raise ErreurMetier(
                    f"{jure} a déjà commencé ou soumis des évaluations : retirez d'abord ses "
                    "affectations une à une (page d'avancement)."
                )
            for affectation in Affectation.objects.filter(jure=jure):
                affectation._history_user = request.user
                affectation.delete()
            jure.delete()
    except ErreurMetier as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            f"{jure} ne fait plus partie du jury ; ses candidatures sont à réaffecter.",
        )
    return redirect("jury_vague", jure.vague_id)


@require_POST
@login_required
def jury_conflit_enregistrer(request: HttpRequest, pk: int) -> HttpResponse:
    """Un conflit enregistré par l'équipe pour un juré (retire l'affectation non soumise)."""
    vague = _vague_equipe(request, pk)
    form = ConflitEquipeForm(request.POST, vague=vague)
    if not form.is_valid():
        messages.error(request, "Conflit non enregistré : " + _erreurs(form))
        return redirect("jury_vague", vague.pk)
    jure, candidature = form.cleaned_data["jure"], form.cleaned_data["candidature"]
    try:
        _conflit, retiree = declarer_conflit(
            jure,
            candidature,
            motif=form.cleaned_data["motif"],
            par=request.user,
            url_avancement=url_absolue(request, "jury_avancement", vague.pk),
        )
    except ErreurMetier as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            f"Conflit enregistré : {jure} / {candidature.commune.nom}."
            + (
                " Son affectation est retirée : la candidature est à réaffecter." if retiree else ""
            ),
        )
    return redirect("jury_vague", vague.pk)


# ---------------------------------------------------------------------------------------------
# Conflits déclarés par le juré
# ---------------------------------------------------------------------------------------------
@login_required
def jury_conflits(request: HttpRequest, pk: int) -> HttpResponse:
    """Les villes candidates de la vague : nom et porteur seulement. Requêtes : rôles, juré,
    candidatures (commune, EPCI), conflits du juré, affectations du juré."""
    jure = _jure_de(request, pk)
    candidatures = (
        Candidature.objects.filter(vague=jure.vague)
        .actives()
        .recues()
        .select_related("commune__departement", "epci")
        .order_by("commune__nom")
        .only(
            "pk",
            "reference",
            "porteur",
            "commune__nom",
            "commune__departement__nom",
            "commune__departement__code",
            "epci__nom",
            "vague_id",
        )
    )
    conflits = {c.candidature_id: c for c in Conflit.objects.filter(jure=jure)}
    affectees = set(Affectation.objects.filter(jure=jure).values_list("candidature_id", flat=True))
    lignes = [
        {
            "candidature": c,
            "conflit": conflits.get(c.pk),
            "affectee": c.pk in affectees,
        }
        for c in candidatures
    ]
    return render(
        request,
        "candidatures/jury_conflits.html",
        {"jure": jure, "vague": jure.vague, "lignes": lignes, "nb_conflits": len(conflits)},
    )


@require_POST
@login_required
def jury_conflit_declarer(request: HttpRequest, pk: int) -> HttpResponse:
    jure = _jure_de(request, pk)
    form = ConflitDeclarationForm(request.POST)
    retour = (
        "jury_mes_evaluations" if request.POST.get("retour") == "evaluations" else "jury_conflits"
    )
    retour_args = () if retour == "jury_mes_evaluations" else (jure.vague_id,)
    if not form.is_valid():
        messages.error(request, "Conflit non déclaré : indiquez son motif.")
        if request.POST.get("retour") == "evaluations":
            affectation = Affectation.objects.filter(
                jure=jure, candidature_id=form.cleaned_data.get("candidature")
            ).first()
            if affectation:
                return redirect("jury_evaluer", affectation.pk)
        return redirect(retour, *retour_args)
    candidature = (
        Candidature.objects.filter(vague=jure.vague, pk=form.cleaned_data["candidature"])
        .actives()
        .select_related("commune", "vague")
        .first()
    )
    if candidature is None:
        raise Http404("Candidature introuvable dans cette vague.")
    try:
        _conflit, retiree = declarer_conflit(
            jure,
            candidature,
            motif=form.cleaned_data["motif"],
            par=request.user,
            url_avancement=url_absolue(request, "jury_avancement", jure.vague_id),
        )
    except ErreurMetier as e:
        messages.error(request, str(e))
        affectation = Affectation.objects.filter(jure=jure, candidature=candidature).first()
        if retour == "jury_mes_evaluations" and affectation:
            return redirect("jury_evaluer", affectation.pk)
    else:
        messages.success(
            request,
            f"Conflit d'intérêts déclaré avec {candidature.commune.nom}."
            + (
                " Cette candidature vous est retirée ; l'équipe du programme est prévenue "
                "et la confiera à un autre juré."
                if retiree
                else ""
            ),
        )
    return redirect(retour, *retour_args)


# ---------------------------------------------------------------------------------------------
# Affectation (équipe)
# ---------------------------------------------------------------------------------------------
@require_POST
@login_required
def jury_affecter(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_equipe(request, pk)
    try:
        rapport = affecter_vague(
            vague,
            par=request.user,
            url_mes_evaluations=url_absolue(request, "jury_mes_evaluations"),
        )
    except ErreurMetier as e:
        messages.error(request, str(e))
        return redirect("jury_vague", vague.pk)
    resume = (
        f"Affectation faite : {rapport.creees} nouvelle(s), {rapport.gardees} gardée(s)"
        + (f", {rapport.retirees} déplacée(s) pour équilibrer" if rapport.retirees else "")
        + f". Charge des jurés : de {rapport.borne_basse} à {rapport.borne_haute} candidature(s)."
        + (
            f" {rapport.jures_prevenus} juré(s) prévenu(s) par courriel."
            if rapport.jures_prevenus
            else ""
        )
        + (
            f" {rapport.jures_prevenus_retraits} juré(s) prévenu(s) des candidatures qui leur "
            "sont retirées."
            if rapport.jures_prevenus_retraits
            else ""
        )
    )
    if rapport.complet:
        messages.success(request, resume + " Chaque candidature a ses évaluateurs.")
    else:
        messages.warning(
            request,
            resume
            + f" {len(rapport.manques)} candidature(s) n'ont pas tous leurs évaluateurs : "
            + " ; ".join(rapport.manques),
        )
    return redirect("jury_avancement", vague.pk)


@require_POST
@login_required
def jury_affectation_ajouter(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_equipe(request, pk)
    form = AffectationAjoutForm(request.POST, vague=vague)
    if not form.is_valid():
        messages.error(request, "Affectation non ajoutée : " + _erreurs(form))
        return redirect("jury_avancement", vague.pk)
    jure, candidature = form.cleaned_data["jure"], form.cleaned_data["candidature"]
    try:
        with transaction.atomic():
            affectation = ajouter_affectation(jure, candidature, par=request.user)
            avis_affectation(
                jure,
                [candidature.reference],
                url=url_absolue(request, "jury_mes_evaluations"),
            )
    except ErreurMetier as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, f"{jure} évaluera {candidature.reference} ({candidature.commune.nom})."
        )
        if affectation.avertissement:
            messages.warning(request, affectation.avertissement)
    return redirect("jury_avancement", vague.pk)


@require_POST
@login_required
def jury_affectation_retirer(request: HttpRequest, pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    affectation = get_object_or_404(
        Affectation.objects.select_related(
            "jure__utilisateur", "jure__organisation", "candidature__vague"
        ),
        pk=pk,
    )
    vague_pk = affectation.candidature.vague_id
    try:
        retirer_affectation(affectation, par=request.user)
    except ErreurMetier as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            f"Affectation retirée : {affectation.jure} / {affectation.candidature.reference}.",
        )
    return redirect("jury_avancement", vague_pk)


@require_POST
@login_required
def jury_relancer(request: HttpRequest, pk: int) -> HttpResponse:
    vague = _vague_equipe(request, pk)
    try:
        nombre = relancer_jures(
            vague, url_mes_evaluations=url_absolue(request, "jury_mes_evaluations")
        )
    except ErreurMetier as e:
        messages.error(request, str(e))
        return redirect("jury_avancement", vague.pk)
    if nombre:
        messages.success(request, f"Relance mise en file pour {nombre} juré(s).")
    else:
        messages.info(request, "Aucun juré n'a d'évaluation en attente : personne à relancer.")
    return redirect("jury_avancement", vague.pk)


@require_POST
@login_required
def jury_evaluation_rouvrir(request: HttpRequest, pk: int) -> HttpResponse:
    exiger_equipe(request.user)
    evaluation = get_object_or_404(
        Evaluation.objects.select_related(
            "affectation__candidature__vague", "affectation__jure__utilisateur"
        ),
        affectation_id=pk,
    )
    try:
        with transaction.atomic():
            rouvrir(evaluation, par=request.user)
    except ErreurMetier as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            f"Évaluation de {evaluation.affectation.jure} sur "
            f"{evaluation.affectation.candidature.reference} rouverte : elle redevient un brouillon.",
        )
    return redirect("jury_avancement", evaluation.affectation.candidature.vague_id)


@login_required
def jury_avancement(request: HttpRequest, pk: int) -> HttpResponse:
    """Requêtes : rôles, vague, totaux, jurés annotés, compte et page des candidatures, leurs
    affectations (juré, compte, organisation, évaluation), plus les listes du formulaire."""
    vague = _vague_equipe(request, pk)
    affectations = Affectation.objects.filter(candidature__vague=vague)
    totaux = affectations.aggregate(
        attendues=Count("pk"),
        soumises=Count("pk", filter=Q(evaluation__statut=SOUMISE)),
        brouillons=Count("pk", filter=Q(evaluation__statut=BROUILLON)),
    )
    totaux["a_faire"] = totaux["attendues"] - totaux["soumises"] - totaux["brouillons"]
    jures = _charges(Jure.objects.filter(vague=vague))
    candidatures = (
        Candidature.objects.filter(vague=vague)
        .filter(Q(statut__in=STATUTS_A_AFFECTER) | Q(affectations__isnull=False))
        .distinct()
        .select_related("commune")
        .annotate(nb_evaluateurs=Count("affectations", distinct=True))
        .prefetch_related(
            Prefetch(
                "affectations",
                queryset=Affectation.objects.select_related(
                    "jure__utilisateur", "jure__organisation", "evaluation"
                ).order_by("jure__organisation__ordre"),
            )
        )
    )
    filtre = request.GET.get("filtre", "")
    if filtre == "a_reaffecter":
        candidatures = candidatures.filter(
            statut__in=STATUTS_A_AFFECTER, nb_evaluateurs__lt=vague.nb_evaluateurs
        )
    nb_a_reaffecter = (
        Candidature.objects.filter(vague=vague, statut__in=STATUTS_A_AFFECTER)
        .annotate(n=Count("affectations"))
        .filter(n__lt=vague.nb_evaluateurs)
        .count()
    )
    page = Paginator(candidatures.order_by("reference"), PAR_PAGE).get_page(request.GET.get("page"))
    requete = request.GET.copy()
    requete.pop("page", None)
    return render(
        request,
        "candidatures/jury_avancement.html",
        {
            "vague": vague,
            "totaux": totaux,
            "jures": jures,
            "page_obj": page,
            "candidatures": page.object_list,
            "requete_sans_page": requete.urlencode(),
            "filtre": filtre,
            "nb_a_reaffecter": nb_a_reaffecter,
            "a_affecter": STATUTS_A_AFFECTER,
            "form_affectation": AffectationAjoutForm(vague=vague),
        },
    )


# ---------------------------------------------------------------------------------------------
# Le juré : ses évaluations
# ---------------------------------------------------------------------------------------------
@login_required
def jury_mes_evaluations(request: HttpRequest) -> HttpResponse:
    """Requêtes : rôles, jurys du compte dans les vagues en cours, leurs affectations
    (candidature, commune, évaluation)."""
    if not est_jure(request.user):
        raise PermissionDenied("Réservé aux membres du jury.")
    jures = list(
        Jure.objects.filter(utilisateur=request.user, vague__in=Vague.objects.en_cours())
        .select_related("vague", "organisation")
        .prefetch_related(
            Prefetch(
                "affectations",
                queryset=Affectation.objects.select_related(
                    "candidature__commune", "candidature__epci", "evaluation"
                )
                # Ni les textes des candidatures ni les commentaires : seulement ce que la liste
                # montre (des centaines de lignes pour un juré très chargé).
                .only(
                    "jure_id",
                    "candidature__reference",
                    "candidature__porteur",
                    "candidature__commune__nom",
                    "candidature__epci__nom",
                    "evaluation__statut",
                    "evaluation__note_sur_20",
                )
                .order_by("candidature__commune__nom"),
            )
        )
        .order_by("vague__numero")
    )
    blocs = []
    for jure in jures:
        lignes = []
        compte = {"a_faire": 0, "brouillon": 0, "soumise": 0}
        for a in jure.affectations.all():
            evaluation = getattr(a, "evaluation", None)
            etat = evaluation.statut if evaluation else "a_faire"
            compte[etat] += 1
            lignes.append({"affectation": a, "etat": etat, "evaluation": evaluation})
        ordre = {"brouillon": 0, "a_faire": 1, "soumise": 2}
        lignes.sort(key=lambda ligne: ordre[ligne["etat"]])
        blocs.append({"jure": jure, "vague": jure.vague, "lignes": lignes, "compte": compte})
    # Le travail d'abord : les vagues encore ouvertes, la plus récente en tête ; les vagues aux
    # résultats publiés (évaluations closes) ensuite.
    blocs.sort(key=lambda bloc: (bloc["vague"].est_verrouillee, -bloc["vague"].numero))
    return render(request, "candidatures/jury_mes_evaluations.html", {"blocs": blocs})


def _contexte_evaluation(request, affectation: Affectation, form: EvaluationForm | None = None):
    candidature = affectation.candidature
    vague = candidature.vague
    criteres = list(vague.criteres.all())
    evaluation = (
        Evaluation.objects.filter(affectation=affectation).prefetch_related("notes").first()
    )
    notes = {n.critere_id: n.valeur for n in evaluation.notes.all()} if evaluation else {}
    if form is None:
        initial = {
            "avis": evaluation.avis if evaluation else "",
            "commentaire": evaluation.commentaire if evaluation else "",
            "version": evaluation.version if evaluation else 0,
        }
        initial.update({f"critere_{pk}": v for pk, v in notes.items()})
        form = EvaluationForm(initial=initial, criteres=criteres)
    valeurs = {}
    for c in criteres:
        brute = form[f"critere_{c.pk}"].value()
        try:
            valeurs[c.pk] = int(brute) if brute not in (None, "") else None
        except (TypeError, ValueError):
            valeurs[c.pk] = None
    lignes_criteres = [
        {
            "critere": c,
            "champ": form[f"critere_{c.pk}"],
            "valeur": valeurs[c.pk],
            "echelle": list(range(c.note_min, c.note_max + 1)),
            "radios": c.note_max - c.note_min <= 10,
        }
        for c in criteres
    ]
    soumise = evaluation is not None and evaluation.statut == SOUMISE
    # Ce qui reste au juré dans la vague, dans l'ordre de sa liste (brouillons d'abord) : pour
    # passer à la suivante sans revenir à la liste.
    # Une ligne : la suivante, et (fenêtre sur toutes les lignes, avant la limite) leur nombre.
    suivante = (
        Affectation.objects.filter(jure_id=affectation.jure_id)
        .exclude(pk=affectation.pk)
        .exclude(evaluation__statut=SOUMISE)
        .annotate(restantes=Window(Count("pk")))
        .order_by(F("evaluation__statut").asc(nulls_last=True), "candidature__commune__nom", "pk")
        .values_list("pk", "candidature__commune__nom", "restantes")
        .first()
    )
    return {
        "affectation": affectation,
        "candidature": candidature,
        "vague": vague,
        "evaluation": evaluation,
        "soumise": soumise,
        "lecture_seule": soumise or vague.est_verrouillee,
        "form": form,
        "lignes_criteres": lignes_criteres,
        "note_courante": note_sur_20(criteres, valeurs),
        "avis_choix": Evaluation.Avis.choices,
        "financements": list(candidature.financements.all()),
        "pieces": list(candidature.pieces.select_related("piece_requise")),
        "changements": changements_depuis_precedente(candidature)
        if candidature.candidature_precedente_id
        else [],
        "autres": evaluations_visibles(affectation),
        "version": evaluation.version if evaluation else 0,
        "modifiee_ms": int(evaluation.modifiee_le.timestamp() * 1000) if evaluation else 0,
        "suivante": suivante[:2] if suivante else None,
        "restantes": suivante[2] if suivante else 0,
    }


@login_required
def jury_evaluer(request: HttpRequest, pk: int) -> HttpResponse:
    """La candidature et la grille côte à côte ; POST : « Enregistrer le brouillon » ou « Soumettre »."""
    affectation = _affectation_du_jure(request, pk)
    if request.method == "POST":
        criteres = list(affectation.candidature.vague.criteres.all())
        form = EvaluationForm(request.POST, criteres=criteres)
        soumettre = request.POST.get("action") == "soumettre"
        if form.is_valid():
            try:
                enregistrer(
                    affectation,
                    notes=form.notes(),
                    avis=form.cleaned_data["avis"],
                    commentaire=form.cleaned_data["commentaire"],
                    version=form.cleaned_data["version"],
                    par=request.user,
                    soumettre=soumettre,
                )
            except DejaSoumise as e:
                messages.info(request, str(e))
                return redirect("jury_evaluer", affectation.pk)
            except ErreurMetier as e:
                messages.error(request, str(e))
            else:
                if soumettre:
                    messages.success(
                        request,
                        f"Évaluation de {affectation.candidature.commune.nom} soumise. Vous voyez "
                        "maintenant les évaluations soumises des autres jurés.",
                    )
                else:
                    messages.success(request, "Brouillon enregistré.")
                return redirect("jury_evaluer", affectation.pk)
        else:
            messages.error(request, "Rien n'a été enregistré : " + form.erreurs_texte())
        contexte = _contexte_evaluation(request, affectation, form)
        return render(request, "candidatures/jury_evaluer.html", contexte, status=400)
    return render(
        request, "candidatures/jury_evaluer.html", _contexte_evaluation(request, affectation)
    )


@require_POST
@login_required
def jury_evaluation_autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Le brouillon enregistré pendant la frappe : JSON {ok, version, note, message}."""
    affectation = _affectation_du_jure(request, pk)
    criteres = list(affectation.candidature.vague.criteres.all())
    form = EvaluationForm(request.POST, criteres=criteres)
    if not form.is_valid():
        return JsonResponse({"ok": False, "message": form.erreurs_texte()}, status=400)
    try:
        evaluation = enregistrer(
            affectation,
            notes=form.notes(),
            avis=form.cleaned_data["avis"],
            commentaire=form.cleaned_data["commentaire"],
            version=form.cleaned_data["version"],
            par=request.user,
        )
    except (DejaSoumise, ConflitDeVersion) as e:
        return JsonResponse({"ok": False, "conflit": True, "message": str(e)}, status=409)
    except ErreurMetier as e:
        return JsonResponse({"ok": False, "message": str(e)}, status=400)
    return JsonResponse(
        {
            "ok": True,
            "version": evaluation.version,
            "modifiee_ms": int(evaluation.modifiee_le.timestamp() * 1000),
            "note": note_sur_20(criteres, form.notes()),
            "message": f"Brouillon enregistré à {timezone.localtime(evaluation.modifiee_le):%H:%M:%S}.",
        }
    )


@require_POST
@login_required
def jury_conflit_lever(request: HttpRequest, pk: int) -> HttpResponse:
    """L'équipe lève un conflit déclaré par erreur ; le juré peut de nouveau être affecté à la
    candidature. Le motif reste dans l'historique du conflit."""
    exiger_equipe(request.user)
    conflit = get_object_or_404(
        Conflit.objects.select_related("jure__vague", "jure__utilisateur", "candidature__commune"),
        pk=pk,
    )
    vague = conflit.jure.vague
    form = ConflitLeverForm(request.POST)
    if vague.est_verrouillee:
        messages.error(request, JURY_CLOS)
    elif not form.is_valid():
        messages.error(request, "Conflit maintenu : " + _erreurs(form))
    else:
        conflit._history_user = request.user
        conflit._change_reason = "Conflit levé : " + form.cleaned_data["motif"]
        conflit.delete()
        messages.success(
            request,
            f"Conflit levé : {conflit.jure} peut de nouveau être affecté·e à "
            f"{conflit.candidature.commune.nom} ({conflit.candidature.reference}).",
        )
    return redirect("jury_vague", vague.pk)


def _erreurs(form) -> str:
    return " ".join(str(e) for erreurs in form.errors.values() for e in erreurs)


urlpatterns = [
    path("vagues/<int:pk>/jury/", jury_vague, name="jury_vague"),
    path("vagues/<int:pk>/jury/ajouter/", jury_jure_ajouter, name="jury_jure_ajouter"),
    path("jury/jures/<int:pk>/retirer/", jury_jure_retirer, name="jury_jure_retirer"),
    path(
        "vagues/<int:pk>/jury/conflit/", jury_conflit_enregistrer, name="jury_conflit_enregistrer"
    ),
    path("jury/conflits/<int:pk>/lever/", jury_conflit_lever, name="jury_conflit_lever"),
    path("vagues/<int:pk>/jury/affecter/", jury_affecter, name="jury_affecter"),
    path(
        "vagues/<int:pk>/jury/affectations/ajouter/",
        jury_affectation_ajouter,
        name="jury_affectation_ajouter",
    ),
    path(
        "jury/affectations/<int:pk>/retirer/",
        jury_affectation_retirer,
        name="jury_affectation_retirer",
    ),
    path("vagues/<int:pk>/jury/relancer/", jury_relancer, name="jury_relancer"),
    path("vagues/<int:pk>/jury/avancement/", jury_avancement, name="jury_avancement"),
    path(
        "jury/evaluations/<int:pk>/rouvrir/",
        jury_evaluation_rouvrir,
        name="jury_evaluation_rouvrir",
    ),
    path("jury/", jury_mes_evaluations, name="jury_mes_evaluations"),
    path("jury/vagues/<int:pk>/conflits/", jury_conflits, name="jury_conflits"),
    path(
        "jury/vagues/<int:pk>/conflits/declarer/",
        jury_conflit_declarer,
        name="jury_conflit_declarer",
    ),
    path("jury/evaluations/<int:pk>/", jury_evaluer, name="jury_evaluer"),
    path(
        "jury/evaluations/<int:pk>/brouillon/",
        jury_evaluation_autosave,
        name="jury_evaluation_autosave",
    ),
]
