"""La délibération : décisions à version, publication, verrouillage, réouverture, procès-verbal."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from acv.erreurs import ConflitDeVersion, TransitionRefusee
from acv.roles import Role
from candidatures import deliberation
from candidatures.classement import oublier_les_calculs_gardes
from candidatures.models import Candidature, Decision, Evaluation, TransitionCandidature, Vague
from tests import factories as f

EN_EXAMEN = Candidature.Statut.EN_EXAMEN


def _seance(places=2, nb=3, statut=Vague.Statut.DELIBERATION):
    """Une vague en délibération, `nb` candidatures en examen notées 18, 14, 10… par deux jurés."""
    vague = f.VagueFactory(numero=5, statut=statut, places_prevues=places)
    jures = [f.JureFactory(vague=vague) for _ in range(2)]
    candidatures = []
    for i in range(nb):
        c = f.CandidatureFactory(
            vague=vague, commune=f.CommuneFactory(nom=f"Ville {chr(65 + i)}"), statut=EN_EXAMEN
        )
        for jure in jures:
            f.EvaluationFactory(
                affectation=f.AffectationFactory(jure=jure, candidature=c),
                statut=Evaluation.Statut.SOUMISE,
                soumise_le=timezone.now(),
                avis=Evaluation.Avis.FAVORABLE,
                note_sur_20=18.0 - 4 * i,
            )
        candidatures.append(c)
    return vague, jures, candidatures


def _tout_decider(candidatures, par, places=2):
    for i, c in enumerate(candidatures):
        resultat = Decision.Resultat.RETENUE if i < places else Decision.Resultat.NON_RETENUE
        deliberation.decider(
            c, resultat=resultat, motivation=f"Motivation {i}", version=None, par=par
        )


# -- décisions ----------------------------------------------------------------------------------
def test_decider_cree_puis_modifie_la_decision_avec_sa_version(db, equipe):
    _, _, (a, *_) = _seance()

    creee = deliberation.decider(
        a, resultat="retenue", motivation="Projet solide.", version=None, par=equipe
    )
    modifiee = deliberation.decider(
        a, resultat="non_retenue", motivation="Locaux incertains.", version=0, par=equipe
    )

    decision = Decision.objects.get(candidature=a)
    assert (creee.pk, modifiee.pk) == (decision.pk, decision.pk)
    assert (decision.resultat, decision.motivation, decision.version) == (
        "non_retenue",
        "Locaux incertains.",
        1,
    )
    assert decision.history.count() == 2


def test_decider_avec_une_version_perimee_n_ecrase_rien(db, equipe):
    _, _, (a, *_) = _seance()
    deliberation.decider(a, resultat="retenue", motivation="Première.", version=None, par=equipe)
    deliberation.decider(a, resultat="retenue", motivation="Deuxième.", version=0, par=equipe)

    with pytest.raises(ConflitDeVersion):
        deliberation.decider(
            a, resultat="non_retenue", motivation="Lue avant.", version=0, par=equipe
        )

    decision = Decision.objects.get(candidature=a)
    assert (decision.resultat, decision.motivation, decision.version) == ("retenue", "Deuxième.", 1)


def test_decider_quand_un_autre_vient_de_creer_la_decision(db, equipe):
    _, _, (a, *_) = _seance()
    deliberation.decider(a, resultat="retenue", motivation="La sienne.", version=None, par=equipe)

    with pytest.raises(ConflitDeVersion):
        deliberation.decider(
            a, resultat="non_retenue", motivation="La mienne.", version=None, par=equipe
        )

    assert Decision.objects.get(candidature=a).motivation == "La sienne."


def test_decider_sans_motivation_refuse(db, equipe):
    _, _, (a, *_) = _seance()

    with pytest.raises(TransitionRefusee, match="Motivez"):
        deliberation.decider(a, resultat="retenue", motivation="  ", version=None, par=equipe)

    assert Decision.objects.count() == 0


def test_decider_hors_deliberation_refuse(db, equipe):
    _, _, (a, *_) = _seance(statut=Vague.Statut.EXAMEN_JURY)

    with pytest.raises(TransitionRefusee, match="délibération"):
        deliberation.decider(
            a, resultat="retenue", motivation="Trop tôt.", version=None, par=equipe
        )

    assert Decision.objects.count() == 0


def test_vue_decider_enregistre_et_revient_a_la_ligne(db, client_de, equipe):
    vague, _, (a, *_) = _seance()

    reponse = client_de(equipe).post(
        reverse("deliberation_decider", kwargs={"pk": a.pk}),
        {"resultat": "retenue", "motivation": "Projet solide.", "version": ""},
    )

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("deliberation_seance", kwargs={"pk": vague.pk}) + (
        f"#c-{a.pk}"
    )
    assert Decision.objects.get(candidature=a).resultat == "retenue"


def test_vue_decider_version_perimee_previent_le_second(db, client_de, equipe):
    _, _, (a, *_) = _seance()
    deliberation.decider(a, resultat="retenue", motivation="La sienne.", version=None, par=equipe)
    client = client_de(f.utilisateur(Role.EQUIPE, username="collegue"))

    reponse = client.post(
        reverse("deliberation_decider", kwargs={"pk": a.pk}),
        {"resultat": "non_retenue", "motivation": "La mienne.", "version": ""},
        follow=True,
    )

    messages = [str(m) for m in reponse.context["messages"]]
    assert len(messages) == 1
    assert "Rien n'a été écrasé" in messages[0]
    assert Decision.objects.get(candidature=a).motivation == "La sienne."


def test_vue_decider_sans_motivation_ne_donne_pas_d_erreur_500(db, client_de, equipe):
    _, _, (a, *_) = _seance()

    reponse = client_de(equipe).post(
        reverse("deliberation_decider", kwargs={"pk": a.pk}),
        {"resultat": "peut-etre", "version": ""},
    )

    assert reponse.status_code == 302
    assert Decision.objects.count() == 0


def test_vue_decider_refusee_a_l_observateur(db, client_de, observateur):
    _, _, (a, *_) = _seance()

    reponse = client_de(observateur).post(
        reverse("deliberation_decider", kwargs={"pk": a.pk}),
        {"resultat": "retenue", "motivation": "x", "version": ""},
    )

    assert reponse.status_code == 403
    assert Decision.objects.count() == 0


def test_vue_presents_enregistre_les_jures(db, client_de, equipe):
    vague, jures, _ = _seance()

    client_de(equipe).post(
        reverse("deliberation_presents", kwargs={"pk": vague.pk}), {"jures": [jures[0].pk]}
    )

    assert list(vague.jures_presents.all()) == [jures[0]]


# -- publication ------------------------------------------------------------------------------
def test_publier_refuse_tant_qu_il_manque_des_decisions(db, equipe):
    vague, _, (a, b, c) = _seance()
    deliberation.decider(a, resultat="retenue", motivation="Oui.", version=None, par=equipe)

    with pytest.raises(TransitionRefusee) as erreur:
        deliberation.publier(vague, par=equipe)

    assert str(erreur.value) == (
        "2 candidatures en examen n'ont pas de décision : Ville B, Ville C. Rien n'a été publié."
    )
    vague.refresh_from_db()
    a.refresh_from_db()
    assert (vague.statut, a.statut) == (Vague.Statut.DELIBERATION, EN_EXAMEN)


def test_publier_applique_les_decisions_et_verrouille(db, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)

    nombre = deliberation.publier(vague, par=equipe)

    vague.refresh_from_db()
    statuts = [Candidature.objects.get(pk=c.pk).statut for c in candidatures]
    assert nombre == 3
    assert statuts == ["retenue", "retenue", "non_retenue"]
    assert (vague.statut, vague.est_verrouillee) == (Vague.Statut.RESULTATS_PUBLIES, True)
    assert vague.publiee_le is not None


def test_vague_publiee_refuse_toute_decision(db, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    deliberation.publier(vague, par=equipe)
    a = Candidature.objects.get(pk=candidatures[0].pk)

    with pytest.raises(TransitionRefusee, match="résultats .* sont publiés"):
        deliberation.decider(a, resultat="non_retenue", motivation="x", version=0, par=equipe)

    assert Decision.objects.get(candidature=a).motivation == "Motivation 0"


def test_vague_publiee_refuse_la_reouverture_d_une_evaluation_puis_l_accepte(db, equipe):
    from candidatures import evaluations

    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    deliberation.publier(vague, par=equipe)
    evaluation = Evaluation.objects.filter(affectation__candidature=candidatures[0]).first()

    with pytest.raises(TransitionRefusee, match="publiés"):
        evaluations.rouvrir(evaluation, par=equipe)
    deliberation.rouvrir(vague, par=equipe, motif="Note à corriger.")
    evaluation = Evaluation.objects.select_related("affectation__candidature__vague").get(
        pk=evaluation.pk
    )
    evaluations.rouvrir(evaluation, par=equipe)

    assert Evaluation.objects.get(pk=evaluation.pk).statut == Evaluation.Statut.BROUILLON


def test_vue_publier_manquantes_dit_lesquelles(db, client_de, equipe):
    vague, _, _ = _seance(nb=1)

    reponse = client_de(equipe).post(
        reverse("deliberation_publier", kwargs={"pk": vague.pk}), follow=True
    )

    messages = [str(m) for m in reponse.context["messages"]]
    assert messages == [
        "1 candidature en examen n'a pas de décision : Ville A. Rien n'a été publié."
    ]


# -- réouverture ------------------------------------------------------------------------------
def test_rouvrir_sans_motif_refuse(db, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    deliberation.publier(vague, par=equipe)

    with pytest.raises(TransitionRefusee, match="motif"):
        deliberation.rouvrir(vague, par=equipe, motif=" ")

    vague.refresh_from_db()
    assert vague.statut == Vague.Statut.RESULTATS_PUBLIES


def test_rouvrir_remet_en_examen_et_garde_le_motif(db, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    deliberation.publier(vague, par=equipe)

    deliberation.rouvrir(vague, par=equipe, motif="Erreur sur la note de Ville C.")

    vague.refresh_from_db()
    statuts = {Candidature.objects.get(pk=c.pk).statut for c in candidatures}
    derniere = vague.history.order_by("-history_id").first()
    retours = TransitionCandidature.objects.filter(
        vers=EN_EXAMEN, de__in=["retenue", "non_retenue"]
    )
    assert (vague.statut, vague.publiee_le) == (Vague.Statut.DELIBERATION, None)
    assert statuts == {EN_EXAMEN}
    assert (
        derniere.history_change_reason == "Délibération rouverte : Erreur sur la note de Ville C."
    )
    assert (derniere.history_user, retours.count()) == (equipe, 3)
    assert Decision.objects.count() == 3  # les décisions restent, de nouveau modifiables


def test_rouvrir_une_vague_non_publiee_refuse(db, equipe):
    vague, _, _ = _seance()

    with pytest.raises(TransitionRefusee, match="publiés"):
        deliberation.rouvrir(vague, par=equipe, motif="Pour voir.")


def test_vue_rouvrir_sans_motif_ne_change_rien(db, client_de, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    deliberation.publier(vague, par=equipe)

    reponse = client_de(equipe).post(
        reverse("deliberation_rouvrir", kwargs={"pk": vague.pk}), {"motif": ""}
    )

    vague.refresh_from_db()
    assert reponse.status_code == 302
    assert vague.statut == Vague.Statut.RESULTATS_PUBLIES


# -- pages ------------------------------------------------------------------------------------
@pytest.mark.parametrize("nb", [1, 3])
def test_seance_en_nombre_constant_de_requetes(
    nb, db, client_de, equipe, django_assert_num_queries
):
    vague, _, _ = _seance(places=1, nb=nb)
    client = client_de(equipe)
    url = reverse("deliberation_seance", kwargs={"pk": vague.pk})
    client.get(url)  # la première requête renouvelle la session (écriture hors mesure)

    # session, utilisateur, groupes, vague, candidatures, empreinte des évaluations (le calcul,
    # vérification « sans un juré » comprise, est gardé par le processus), jurés (colonne et
    # cases des présents), objectifs, présents
    with django_assert_num_queries(9):
        reponse = client.get(url)
    assert len(reponse.context["lignes"]) == nb

    # Un autre processus relit le calcul du cache partagé : une requête de plus.
    oublier_les_calculs_gardes()
    with django_assert_num_queries(10):
        reponse = client.get(url)
    assert len(reponse.context["lignes"]) == nb


def test_seance_trace_la_ligne_des_places_et_la_verification(db, client_de, equipe):
    vague, _, _ = _seance(places=2)

    reponse = client_de(equipe).get(reverse("deliberation_seance", kwargs={"pk": vague.pk}))

    contenu = reponse.content.decode()
    lignes = reponse.context["lignes"]
    assert [ligne.premiere_hors_selection for ligne in lignes] == [False, False, True]
    assert [ligne.basculent for ligne in lignes] == [[], [], []]
    assert contenu.count("Ligne des places") == 1


def test_proces_verbal_montre_presents_et_motivations(db, client_de, equipe):
    vague, jures, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    vague.jures_presents.set(jures)

    reponse = client_de(equipe).get(reverse("deliberation_pv", kwargs={"pk": vague.pk}))

    contenu = reponse.content.decode()
    assert contenu.count("Motivation ") == 3
    assert "Conservatoire national des arts et métiers (Cnam)" in contenu


def test_proces_verbal_en_pdf(db, client_de, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)

    reponse = client_de(equipe).get(reverse("deliberation_pv_pdf", kwargs={"pk": vague.pk}))

    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content[:5] == b"%PDF-"


# -- décisions simultanées (PostgreSQL) -------------------------------------------------------
def _en_meme_temps(*actions):
    """Lance les actions dans deux fils (deux connexions), au même instant ; leurs résultats."""
    depart = threading.Barrier(len(actions))
    resultats = [None] * len(actions)

    def lancer(i, action):
        try:
            depart.wait()
            action()
            resultats[i] = "ok"
        except ConflitDeVersion:
            resultats[i] = "conflit"
        finally:
            connection.close()

    fils = [threading.Thread(target=lancer, args=(i, a)) for i, a in enumerate(actions)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(timeout=30)
    return sorted(resultats)


sur_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="les décisions simultanées demandent de vraies transactions concurrentes (PostgreSQL)",
)


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_deux_creations_simultanees_une_seule_gagne():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    _, _, (a, *_) = _seance()

    def decider(par, resultat, motivation):
        return lambda: deliberation.decider(
            Candidature.objects.select_related("commune").get(pk=a.pk),
            resultat=resultat,
            motivation=motivation,
            version=None,
            par=par,
        )

    resultats = _en_meme_temps(
        decider(equipe, "retenue", "Par la première."),
        decider(collegue, "non_retenue", "Par la seconde."),
    )

    decision = Decision.objects.get(candidature=a)
    assert resultats == ["conflit", "ok"]
    assert (decision.version, decision.history.count()) == (0, 1)
    assert (decision.resultat, decision.motivation) in [
        ("retenue", "Par la première."),
        ("non_retenue", "Par la seconde."),
    ]


@sur_postgresql
@pytest.mark.django_db(transaction=True)
def test_deux_modifications_simultanees_la_seconde_est_prevenue():
    equipe = f.utilisateur(Role.EQUIPE, username="equipe-1")
    collegue = f.utilisateur(Role.EQUIPE, username="equipe-2")
    _, _, (a, *_) = _seance()
    deliberation.decider(a, resultat="retenue", motivation="Avant.", version=None, par=equipe)

    def decider(par, motivation):
        return lambda: deliberation.decider(
            Candidature.objects.select_related("commune").get(pk=a.pk),
            resultat="non_retenue",
            motivation=motivation,
            version=0,
            par=par,
        )

    resultats = _en_meme_temps(
        decider(equipe, "Par la première."), decider(collegue, "Par la seconde.")
    )

    decision = Decision.objects.get(candidature=a)
    assert resultats == ["conflit", "ok"]
    assert decision.version == 1
    assert decision.motivation in ("Par la première.", "Par la seconde.")
    assert decision.history.count() == 2


# -- démonstration ----------------------------------------------------------------------------
def test_demo_delibere_publie_et_ne_retient_pas_les_villes_resoumises(db):
    from candidatures.demo_deliberation import deliberer

    equipe = f.utilisateur(Role.EQUIPE, username="equipe")
    vague, jures, (a, b, c) = _seance(places=2, nb=3, statut=Vague.Statut.EXAMEN_JURY)
    vague.numero = 1
    vague.save()
    vague_2 = f.VagueFactory(numero=2, statut=Vague.Statut.CONSOLIDATION)
    f.CandidatureFactory(vague=vague_2, commune=a.commune, candidature_precedente=a)

    deliberer()
    deliberer()  # idempotente : rien de plus

    vague.refresh_from_db()
    resultats = {
        c.commune.nom: c.statut
        for c in Candidature.objects.filter(vague=vague).select_related("commune")
    }
    assert vague.statut == Vague.Statut.RESULTATS_PUBLIES
    assert resultats == {"Ville A": "non_retenue", "Ville B": "retenue", "Ville C": "retenue"}
    assert Decision.objects.count() == 3
    assert vague.jures_presents.count() == len(jures)
    assert Decision.objects.get(candidature=a).decidee_par == equipe


def test_rouvrir_avec_un_long_motif_le_garde_entier_aux_transitions(db, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    deliberation.publier(vague, par=equipe)
    motif = "Recours d'une commune sur la note d'un critère. " * 4

    deliberation.rouvrir(vague, par=equipe, motif=motif)

    raison = vague.history.order_by("-history_id").first().history_change_reason
    notes = set(
        TransitionCandidature.objects.filter(vers=EN_EXAMEN, de="retenue").values_list(
            "note", flat=True
        )
    )
    assert (len(raison), raison[-1]) == (100, "…")
    assert notes == {f"Délibération rouverte : {motif.strip()}"}


def test_vue_rouvrir_refuse_un_motif_trop_long(db, client_de, equipe):
    vague, _, candidatures = _seance()
    _tout_decider(candidatures, equipe)
    deliberation.publier(vague, par=equipe)

    client_de(equipe).post(
        reverse("deliberation_rouvrir", kwargs={"pk": vague.pk}), {"motif": "x" * 76}
    )

    vague.refresh_from_db()
    assert vague.statut == Vague.Statut.RESULTATS_PUBLIES


def test_seance_coche_les_jures_presents_et_eux_seuls(db, client_de, equipe):
    vague, jures, _ = _seance()
    vague.jures_presents.set([jures[1]])

    html = client_de(equipe).get(reverse("deliberation_seance", kwargs={"pk": vague.pk})).text

    for jure, coche in ((jures[0], False), (jures[1], True)):
        case = html.split(f'name="jures" value="{jure.pk}"', 1)[1].split(">", 1)[0]
        assert ("checked" in case) is coche
        assert f">{jure}</label>" in html
    assert "1 juré présent" in html
