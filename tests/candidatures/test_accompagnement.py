"""Les plans d'accompagnement des villes non retenues : actions, retards, relances, resoumission."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from acv.erreurs import TransitionRefusee
from acv.roles import Role
from candidatures import lettres as service
from candidatures.models import (
    Accompagnement,
    ActionAccompagnement,
    Candidature,
    Vague,
)
from candidatures.services import preparer_resoumission

from .. import factories as f

pytestmark = pytest.mark.django_db

AUJOURDHUI = timezone.localdate()
HIER = AUJOURDHUI - datetime.timedelta(days=1)
DEMAIN = AUJOURDHUI + datetime.timedelta(days=1)


@pytest.fixture
def vague():
    return f.VagueFactory(numero=1, statut=Vague.Statut.RESULTATS_PUBLIES)


@pytest.fixture
def vague_cible():
    return f.VagueFactory(numero=2, statut=Vague.Statut.APPEL_OUVERT)


def _plan(vague, conseiller, *, nom="Mauriac", **champs) -> Accompagnement:
    candidature = f.CandidatureFactory(
        vague=vague, statut=Candidature.Statut.NON_RETENUE, commune__nom=nom
    )
    return Accompagnement.objects.create(candidature=candidature, conseiller=conseiller, **champs)


def _action(plan, libelle, echeance, statut=ActionAccompagnement.Statut.A_FAIRE):
    return ActionAccompagnement.objects.create(
        accompagnement=plan,
        libelle=libelle,
        echeance=echeance,
        statut=statut,
        faite_le=AUJOURDHUI if statut == ActionAccompagnement.Statut.FAITE else None,
    )


# -- actions en retard ------------------------------------------------------------------------
def test_actions_en_retard_echeance_passee_ni_faite_ni_abandonnee(vague, equipe):
    plan = _plan(vague, equipe)
    retard = _action(plan, "Appeler la mairie", HIER)
    _action(plan, "Visiter les locaux", DEMAIN)
    _action(plan, "Sans échéance", None)
    _action(plan, "Restitution", HIER, ActionAccompagnement.Statut.FAITE)
    _action(plan, "Abandonnée", HIER, ActionAccompagnement.Statut.ABANDONNEE)
    en_cours = _action(plan, "Plan de financement", HIER, ActionAccompagnement.Statut.EN_COURS)

    en_retard = list(ActionAccompagnement.objects.en_retard().order_by("pk"))

    assert en_retard == [retard, en_cours]
    assert [a.en_retard for a in plan.actions.order_by("pk")] == [
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    assert Accompagnement.objects.pour_liste().get(pk=plan.pk).nb_en_retard == 2


def test_fiche_montre_les_actions_en_retard(client_de, vague, equipe):
    plan = _plan(vague, equipe)
    _action(plan, "Appeler la mairie", HIER)
    _action(plan, "Visiter les locaux", DEMAIN)

    reponse = client_de(equipe).get(reverse("accompagnement_detail", args=[plan.pk]))

    assert reponse.status_code == 200
    assert reponse.context["nb_en_retard"] == 1
    assert reponse.content.decode().count(">En retard</p>") == 1


def test_action_faite_datee_du_jour_et_plus_en_retard(client_de, vague, equipe):
    plan = _plan(vague, equipe)
    action = _action(plan, "Appeler la mairie", HIER)

    reponse = client_de(equipe).post(
        reverse("accompagnement_action_statut", args=[action.pk]),
        {"statut": "faite", "version": 0},
    )

    action.refresh_from_db()
    assert reponse.status_code == 302
    assert (action.statut, action.faite_le, action.en_retard) == ("faite", AUJOURDHUI, False)
    assert action.history.first().history_user == equipe


def test_action_etat_inconnu_refuse_sans_rien_changer(client_de, vague, equipe):
    action = _action(_plan(vague, equipe), "Appeler la mairie", HIER)

    client_de(equipe).post(
        reverse("accompagnement_action_statut", args=[action.pk]),
        {"statut": "oubliee", "version": 0},
    )

    action.refresh_from_db()
    assert action.statut == "a_faire"


def test_action_ajouter(client_de, vague, equipe):
    plan = _plan(vague, equipe)

    reponse = client_de(equipe).post(
        reverse("accompagnement_action_ajouter", args=[plan.pk]),
        {"libelle": "Visiter les locaux", "echeance": "2030-01-15"},
    )

    assert reponse.status_code == 302
    assert list(plan.actions.values_list("libelle", "echeance")) == [
        ("Visiter les locaux", datetime.date(2030, 1, 15))
    ]


def test_action_repoussee_n_est_plus_en_retard(client_de, vague, equipe):
    action = _action(_plan(vague, equipe), "Appeler la mairie", HIER)

    reponse = client_de(equipe).post(
        reverse("accompagnement_action_modifier", args=[action.pk]),
        {"libelle": "Appeler la mairie", "echeance": DEMAIN.isoformat(), "version": 0},
    )

    action.refresh_from_db()
    assert reponse.status_code == 302
    assert (action.echeance, action.en_retard, action.version) == (DEMAIN, False, 1)


def test_action_modifiee_ou_changee_d_etat_entre_temps_rien_n_est_ecrase(client_de, vague, equipe):
    """Deux membres de l'équipe sur la même action : le second, qui a lu l'ancienne version,
    est prévenu et n'écrase rien (ni le libellé, ni l'état)."""
    action = _action(_plan(vague, equipe), "Appeler la mairie", HIER)
    client = client_de(equipe)
    client.post(
        reverse("accompagnement_action_statut", args=[action.pk]),
        {"statut": "en_cours", "version": 0},
    )

    modification = client.post(
        reverse("accompagnement_action_modifier", args=[action.pk]),
        {"libelle": "Écrire à la mairie", "echeance": DEMAIN.isoformat(), "version": 0},
    )
    etat = client.post(
        reverse("accompagnement_action_statut", args=[action.pk]),
        {"statut": "abandonnee", "version": 0},
        follow=True,
    )

    action.refresh_from_db()
    assert (action.libelle, action.statut, action.version) == ("Appeler la mairie", "en_cours", 1)
    assert modification.status_code == 200
    assert "rechargez la page" in modification.content.decode()
    assert "rechargez la page" in etat.content.decode()


def test_action_sans_version_refusee(client_de, vague, equipe):
    action = _action(_plan(vague, equipe), "Appeler la mairie", HIER)

    client_de(equipe).post(
        reverse("accompagnement_action_statut", args=[action.pk]), {"statut": "faite"}
    )

    action.refresh_from_db()
    assert action.statut == "a_faire"


def test_action_ajouter_sans_libelle_refuse(client_de, vague, equipe):
    plan = _plan(vague, equipe)

    reponse = client_de(equipe).post(
        reverse("accompagnement_action_ajouter", args=[plan.pk]), {"libelle": ""}
    )

    assert reponse.status_code == 400
    assert plan.actions.count() == 0


# -- ouverture et modification du plan ----------------------------------------------------------
def test_creer_plan_pour_une_ville_non_retenue(client_de, vague, vague_cible, equipe):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)

    reponse = client_de(equipe).post(
        reverse("accompagnement_creer", args=[candidature.pk]),
        {"conseiller": equipe.pk, "vague_cible": vague_cible.pk, "actions_habituelles": "on"},
    )

    plan = Accompagnement.objects.get(candidature=candidature)
    assert reponse.status_code == 302
    assert (plan.conseiller, plan.vague_cible, plan.cree_par) == (equipe, vague_cible, equipe)
    assert plan.actions.count() == 5


def test_creer_plan_refuse_une_candidature_retenue(client_de, vague, equipe):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)

    reponse = client_de(equipe).get(reverse("accompagnement_creer", args=[candidature.pk]))

    assert reponse.status_code == 404


def test_ouvrir_refuse_un_second_plan(vague, equipe):
    plan = _plan(vague, equipe)

    with pytest.raises(TransitionRefusee):
        Accompagnement.ouvrir(plan.candidature, conseiller=equipe, par=equipe)


def test_liste_refusee_a_l_observateur(client_de, observateur):
    reponse = client_de(observateur).get(reverse("accompagnement_liste"))

    assert reponse.status_code == 403


def test_modifier_plan_refuse_une_version_perimee(client_de, vague, vague_cible, equipe):
    plan = _plan(vague, equipe, notes="Premier échange")
    autre = f.utilisateur(Role.EQUIPE, username="conseillere")
    client = client_de(equipe)
    client.post(
        reverse("accompagnement_modifier", args=[plan.pk]),
        {"conseiller": autre.pk, "vague_cible": vague_cible.pk, "notes": "A", "version": 0},
    )

    reponse = client.post(
        reverse("accompagnement_modifier", args=[plan.pk]),
        {"conseiller": equipe.pk, "notes": "B", "version": 0},
    )

    plan.refresh_from_db()
    assert reponse.status_code == 200
    assert (plan.conseiller, plan.notes, plan.version) == (autre, "A", 1)


# -- vers la resoumission ---------------------------------------------------------------------
def test_resoumettre_depuis_un_plan(client_de, vague, vague_cible, equipe):
    plan = _plan(vague, equipe, vague_cible=vague_cible)
    client = client_de(equipe)

    reponse = client.post(reverse("accompagnement_resoumettre", args=[plan.pk]))

    plan.refresh_from_db()
    resoumission = plan.resoumission
    assert reponse.status_code == 302
    assert plan.history.count() == 2  # ouverture, resoumission reliée
    assert (resoumission.vague, resoumission.candidature_precedente, resoumission.statut) == (
        vague_cible,
        plan.candidature,
        Candidature.Statut.BROUILLON,
    )
    fiche = client.get(reverse("accompagnement_detail", args=[plan.pk]))
    assert fiche.context["resoumission"] == resoumission
    assert "Brouillon" in fiche.content.decode()


def test_resoumission_preparee_depuis_la_candidature_rejoint_le_plan(vague, vague_cible, equipe):
    plan = _plan(vague, equipe)

    resoumission = preparer_resoumission(plan.candidature, vague=vague_cible, par=equipe)

    plan.refresh_from_db()
    assert plan.resoumission == resoumission
    assert plan.history.first().history_change_reason == (
        f"Resoumission {resoumission.reference} reliée au plan"
    )


def test_resoumettre_sans_vague_visee_refuse(client_de, vague, equipe):
    plan = _plan(vague, equipe)

    reponse = client_de(equipe).post(
        reverse("accompagnement_resoumettre", args=[plan.pk]), follow=True
    )

    assert [str(m) for m in reponse.context["messages"]] == [
        "Choisissez d'abord la vague visée par le plan."
    ]
    assert Candidature.objects.count() == 1


def test_resoumettre_relie_la_resoumission_existante(client_de, vague, vague_cible, equipe):
    plan = _plan(vague, equipe)  # préparée depuis la candidature, avant le choix de la vague
    existante = f.CandidatureFactory(
        vague=vague_cible,
        commune=plan.candidature.commune,
        candidature_precedente=plan.candidature,
        statut=Candidature.Statut.RECUE,
    )

    client_de(equipe).post(reverse("accompagnement_resoumettre", args=[plan.pk]))

    plan.refresh_from_db()
    assert plan.resoumission == existante
    assert Candidature.objects.count() == 2


# -- liste ------------------------------------------------------------------------------------
@pytest.mark.parametrize("nombre", [1, 3])
def test_liste_nombre_de_requetes_constant(
    client_de, vague, equipe, nombre, django_assert_num_queries
):
    for i in range(nombre):
        plan = _plan(vague, equipe, nom=f"Ville {i}")
        _action(plan, "Appeler la mairie", HIER)
    client = client_de(equipe)
    client.get(reverse("accompagnement_liste"))  # la session note l'activité à la 1re requête

    # session, compte, rôles du compte, vagues publiées (villes sans plan), décompte de la page,
    # page des plans (territoire, conseiller, resoumission, décomptes d'actions), choix des
    # filtres : conseillers, régions, vagues d'origine, vagues visées
    with django_assert_num_queries(10):
        reponse = client.get(reverse("accompagnement_liste"))

    assert len(reponse.context["plans"]) == nombre


def test_liste_filtre_actions_en_retard_et_conseiller(client_de, vague, equipe):
    autre = f.utilisateur(Role.EQUIPE, username="conseillere")
    en_retard = _plan(vague, equipe, nom="Aurillac")
    _action(en_retard, "Appeler la mairie", HIER)
    a_jour = _plan(vague, equipe, nom="Mauriac")
    _action(a_jour, "Visiter", DEMAIN)
    autre_plan = _plan(vague, autre, nom="Figeac")
    _action(autre_plan, "Appeler", HIER)
    client = client_de(equipe)

    retard = client.get(reverse("accompagnement_liste"), {"retard": "true"})
    siens = client.get(reverse("accompagnement_liste"), {"conseiller": equipe.pk})

    assert [p.candidature.commune.nom for p in retard.context["plans"]] == ["Aurillac", "Figeac"]
    assert [p.candidature.commune.nom for p in siens.context["plans"]] == ["Aurillac", "Mauriac"]


def test_liste_triee_par_actions_en_retard(client_de, vague, equipe):
    _action(_plan(vague, equipe, nom="Aurillac"), "Appeler", DEMAIN)
    plan = _plan(vague, equipe, nom="Mauriac")
    _action(plan, "Appeler", HIER)
    _action(plan, "Visiter", HIER)
    _action(_plan(vague, equipe, nom="Figeac"), "Appeler", HIER)

    reponse = client_de(equipe).get(reverse("accompagnement_liste"), {"tri": "-retard"})

    assert [p.nb_en_retard for p in reponse.context["plans"]] == [2, 1, 0]


# -- relances ---------------------------------------------------------------------------------
def test_relancer_un_courriel_par_conseiller_avec_ses_actions_en_retard(
    vague, equipe, django_capture_on_commit_callbacks
):
    autre = f.utilisateur(Role.EQUIPE, username="conseillere", email="c@cnam.invalid")
    plan = _plan(vague, equipe, nom="Aurillac")
    _action(plan, "Appeler la mairie", HIER)
    _action(plan, "Visiter les locaux", DEMAIN)
    _action(_plan(vague, equipe, nom="Mauriac"), "Restitution", HIER)
    _action(_plan(vague, autre, nom="Figeac"), "Relire le dossier", HIER)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("relancer_accompagnements", adresse="https://acv.exemple")

    courriels = sorted(mail.outbox, key=lambda m: m.to[0])
    assert [m.to for m in courriels] == [["c@cnam.invalid"], ["equipe@exemple.invalid"]]
    assert courriels[1].subject == "Accompagnement des villes : 2 actions en retard"
    assert f"- Aurillac : Appeler la mairie (échéance le {HIER:%d/%m/%Y})" in courriels[1].body
    assert "Visiter les locaux" not in courriels[1].body
    assert "https://acv.exemple/candidatures/accompagnements/?retard=true" in courriels[1].body


def test_relancer_deux_fois_le_meme_jour_n_envoie_qu_une_fois(vague, equipe):
    _action(_plan(vague, equipe), "Appeler la mairie", HIER)

    premiere = service.relancer_conseillers()
    seconde = service.relancer_conseillers()

    assert (premiere, seconde) == (1, 0)


def test_bouton_relancer_de_l_equipe(client_de, vague, equipe, django_capture_on_commit_callbacks):
    _action(_plan(vague, equipe), "Appeler la mairie", HIER)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(equipe).post(reverse("accompagnement_relancer"))

    assert reponse.status_code == 302
    assert len(mail.outbox) == 1


# -- démo -------------------------------------------------------------------------------------
def test_demo_accompagner_idempotente(
    vague, vague_cible, equipe, django_capture_on_commit_callbacks
):
    from candidatures.demo_accompagnement import accompagner

    resoumise = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)
    resoumission = f.CandidatureFactory(
        vague=vague_cible, commune=resoumise.commune, candidature_precedente=resoumise
    )

    with django_capture_on_commit_callbacks(execute=True):
        accompagner()
        accompagner()

    assert Accompagnement.objects.count() == 2
    assert Accompagnement.objects.get(candidature=resoumise).resoumission == resoumission
    assert set(Accompagnement.objects.values_list("vague_cible", flat=True)) == {vague_cible.pk}
    assert ActionAccompagnement.objects.count() == 12
    assert len(mail.outbox) == 3
