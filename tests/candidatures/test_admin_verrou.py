"""L'administration ne réécrit pas les résultats d'une vague publiée, et respecte les versions."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from candidatures.models import Candidature, Decision, Evaluation, Vague
from tests import factories as f

pytestmark = pytest.mark.django_db


def _vague(statut):
    vague = f.VagueFactory(numero=4, statut=statut)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)
    decision = f.DecisionFactory(candidature=candidature, motivation="Projet solide.")
    evaluation = f.EvaluationFactory(
        affectation=f.AffectationFactory(jure=f.JureFactory(vague=vague), candidature=candidature),
        statut=Evaluation.Statut.SOUMISE,
        soumise_le=timezone.now(),
        avis=Evaluation.Avis.FAVORABLE,
        note_sur_20=15.0,
    )
    return decision, evaluation


def _modifier(client, modele, obj, donnees):
    url = reverse(f"admin:candidatures_{modele}_change", args=[obj.pk])
    return client.get(url), client.post(url, donnees)


def test_vague_publiee_decision_et_evaluation_en_lecture_seule(client_de, administrateur):
    decision, evaluation = _vague(Vague.Statut.RESULTATS_PUBLIES)
    client = client_de(administrateur)

    page, envoi = _modifier(
        client,
        "decision",
        decision,
        {"candidature": decision.candidature_id, "resultat": "non_retenue"},
    )
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert envoi.status_code == 403
    decision.refresh_from_db()
    assert (decision.resultat, decision.version) == (Decision.Resultat.RETENUE, 0)

    page, envoi = _modifier(client, "evaluation", evaluation, {"note_sur_20": "2"})
    assert 'name="_save"' not in page.text and envoi.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.note_sur_20 == 15.0

    suppression = client.post(
        reverse("admin:candidatures_decision_delete", args=[decision.pk]), {"post": "yes"}
    )
    assert suppression.status_code == 403
    assert Decision.objects.filter(pk=decision.pk).exists()


def test_vague_en_deliberation_l_administration_modifie_et_la_version_avance(
    client_de, administrateur
):
    decision, _ = _vague(Vague.Statut.DELIBERATION)
    client = client_de(administrateur)

    page, envoi = _modifier(
        client,
        "decision",
        decision,
        {
            "candidature": decision.candidature_id,
            "resultat": "non_retenue",
            "motivation": "Corrigée.",
            "decidee_le_0": "2019-09-17",
            "decidee_le_1": "10:00:00",
        },
    )

    assert 'name="_save"' in page.text and 'name="version"' not in page.text
    assert envoi.status_code == 302, envoi.context["adminform"].form.errors
    decision.refresh_from_db()
    assert (decision.resultat, decision.version) == (Decision.Resultat.NON_RETENUE, 1)


def test_action_d_un_plan_modifiee_dans_l_administration_sa_version_avance(
    client_de, administrateur
):
    from candidatures.models import Accompagnement, ActionAccompagnement

    vague = f.VagueFactory(numero=4, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
    plan = Accompagnement.objects.create(candidature=candidature, conseiller=administrateur)
    action = ActionAccompagnement.objects.create(accompagnement=plan, libelle="Appeler")

    page, envoi = _modifier(
        client_de(administrateur),
        "actionaccompagnement",
        action,
        {"accompagnement": plan.pk, "libelle": "Écrire", "statut": "a_faire"},
    )

    assert 'name="version"' not in page.text
    assert envoi.status_code == 302, envoi.context["adminform"].form.errors
    action.refresh_from_db()
    assert (action.libelle, action.version) == ("Écrire", 1)
