"""L'évaluation par un juré : brouillon automatique, version, soumission, double soumission,
lecture seule, réouverture, règle de révélation, conflit déclaré après affectation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from acv.models import Courriel
from acv.roles import Role
from candidatures.models import Affectation, Candidature, Evaluation, Vague

from .. import factories as f


@pytest.fixture
def vague(db):
    vague = f.VagueFactory(numero=3, statut=Vague.Statut.EXAMEN_JURY)
    f.CritereFactory(vague=vague, libelle="Pertinence", poids=2, ordre=1)
    f.CritereFactory(vague=vague, libelle="Partenariats", poids=1, ordre=2)
    return vague


@pytest.fixture
def candidature(vague):
    return f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)


@pytest.fixture
def affectation(vague, candidature, utilisateur_jure):
    jure = f.JureFactory(vague=vague, utilisateur=utilisateur_jure)
    return f.AffectationFactory(jure=jure, candidature=candidature)


@pytest.fixture
def autre_affectation(vague, candidature):
    jure = f.JureFactory(vague=vague, utilisateur=f.utilisateur(Role.JURE, username="autre-jure"))
    return f.AffectationFactory(jure=jure, candidature=candidature)


def _donnees(vague, notes=(4, 3), avis="favorable", commentaire="Projet solide.", **extra):
    criteres = list(vague.criteres.order_by("ordre"))
    donnees = {f"critere_{c.pk}": v for c, v in zip(criteres, notes, strict=False) if v is not None}
    donnees.update({"avis": avis, "commentaire": commentaire, **extra})
    return donnees


def _soumettre(client, affectation, donnees):
    return client.post(
        reverse("jury_evaluer", args=[affectation.pk]), {**donnees, "action": "soumettre"}
    )


# ---------------------------------------------------------------------------------------------
# Brouillon enregistré pendant la frappe
# ---------------------------------------------------------------------------------------------
def test_autosave_cree_le_brouillon_et_renvoie_sa_version(
    client_de, utilisateur_jure, affectation, vague
):
    client = client_de(utilisateur_jure)

    reponse = client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]),
        _donnees(vague, notes=(4, None), avis="", version=0),
    )

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/json"
    assert reponse.json()["ok"] is True
    assert reponse.json()["version"] == 1
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert evaluation.statut == Evaluation.Statut.BROUILLON
    assert list(evaluation.notes.values_list("valeur", flat=True)) == [4]
    assert evaluation.commentaire == "Projet solide."


def test_autosave_version_perimee_refusee_sans_rien_ecrire(
    client_de, utilisateur_jure, affectation, vague
):
    client = client_de(utilisateur_jure)
    url = reverse("jury_evaluation_autosave", args=[affectation.pk])
    client.post(url, _donnees(vague, commentaire="v1", version=0))
    client.post(url, _donnees(vague, commentaire="v2", version=1))

    reponse = client.post(url, _donnees(vague, commentaire="vieil onglet", version=1))

    assert reponse.status_code == 409
    assert reponse.json()["ok"] is False
    assert "Rien n'a été écrasé" in reponse.json()["message"]
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert (evaluation.commentaire, evaluation.version) == ("v2", 2)


def test_autosave_note_hors_echelle_refusee(client_de, utilisateur_jure, affectation, vague):
    client = client_de(utilisateur_jure)

    reponse = client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]),
        _donnees(vague, notes=(9, 1), version=0),
    )

    assert reponse.status_code == 400
    assert reponse.json()["ok"] is False
    assert not Evaluation.objects.filter(affectation=affectation).exists()


def test_autosave_session_expiree_redirige_vers_la_connexion(client, affectation, vague):
    reponse = client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]), _donnees(vague, version=0)
    )

    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("login"))
    assert not Evaluation.objects.filter(affectation=affectation).exists()


def test_brouillon_sans_js_par_le_bouton(client_de, utilisateur_jure, affectation, vague):
    client = client_de(utilisateur_jure)

    reponse = client.post(
        reverse("jury_evaluer", args=[affectation.pk]),
        {**_donnees(vague, notes=(2, None), version=0), "action": "brouillon"},
    )

    assert reponse.status_code == 302
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert evaluation.statut == Evaluation.Statut.BROUILLON
    assert evaluation.note_sur_20 is None


# ---------------------------------------------------------------------------------------------
# Soumission
# ---------------------------------------------------------------------------------------------
def test_soumission_calcule_la_note_sur_20(client_de, utilisateur_jure, affectation, vague):
    client = client_de(utilisateur_jure)

    reponse = _soumettre(client, affectation, _donnees(vague, notes=(4, 3), version=0))

    assert reponse.status_code == 302
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert evaluation.statut == Evaluation.Statut.SOUMISE
    assert evaluation.soumise_le is not None
    assert evaluation.note_sur_20 == pytest.approx(20 * (2 * 4 + 3) / 15)


def test_soumission_incomplete_refusee_sans_rien_ecrire(
    client_de, utilisateur_jure, affectation, vague
):
    client = client_de(utilisateur_jure)

    reponse = _soumettre(client, affectation, _donnees(vague, notes=(4, None), version=0))

    # La page revient avec la saisie du juré et le message ; rien n'est écrit.
    assert reponse.status_code == 400
    assert not Evaluation.objects.filter(affectation=affectation).exists()
    page = reponse.content.decode()
    assert "il manque : Partenariats" in page
    assert 'value="4" checked' in page


def test_double_soumission_sans_effet_et_le_dit(client_de, utilisateur_jure, affectation, vague):
    client = client_de(utilisateur_jure)
    _soumettre(client, affectation, _donnees(vague, notes=(4, 3), version=0))
    avant = Evaluation.objects.get(affectation=affectation)
    nb_historique = avant.history.count()

    reponse = _soumettre(
        client, affectation, _donnees(vague, notes=(1, 1), avis="defavorable", version=1)
    )

    apres = Evaluation.objects.get(affectation=affectation)
    assert (apres.avis, apres.note_sur_20, apres.version) == (
        avant.avis,
        avant.note_sur_20,
        avant.version,
    )
    assert list(apres.notes.order_by("critere__ordre").values_list("valeur", flat=True)) == [4, 3]
    assert apres.history.count() == nb_historique
    page = client.get(reponse["Location"]).content.decode()
    assert "déjà soumise : rien n&#x27;a été modifié" in page


def soumettre_evaluation(affectation):
    return f.EvaluationFactory(
        affectation=affectation,
        statut=Evaluation.Statut.SOUMISE,
        soumise_le=timezone.now(),
        avis=Evaluation.Avis.FAVORABLE,
    )


def test_apres_soumission_la_page_mene_a_la_suivante(
    client_de, utilisateur_jure, affectation, vague
):
    """Trente candidatures dans la soirée : de l'une on passe à la suivante, brouillons d'abord,
    sans les soumises ni celles d'un autre juré."""
    jure = affectation.jure

    def affecter(nom):
        commune = f.CommuneFactory(nom=nom)
        candidature = f.CandidatureFactory(
            vague=vague, commune=commune, statut=Candidature.Statut.EN_EXAMEN
        )
        return f.AffectationFactory(jure=jure, candidature=candidature)

    soumise, a_faire, brouillon = affecter("Albi"), affecter("Bayonne"), affecter("Vienne")
    soumettre_evaluation(soumise)
    f.EvaluationFactory(affectation=brouillon, statut=Evaluation.Statut.BROUILLON)
    client = client_de(utilisateur_jure)

    reponse = _soumettre(client, affectation, _donnees(vague, version=0))
    page = client.get(reponse["Location"]).content.decode()

    lien = reverse("jury_evaluer", args=[brouillon.pk])
    assert f'href="{lien}">Candidature suivante : Vienne</a>' in page
    assert "Il vous reste 2 autres candidatures à évaluer" in page

    page = client.get(reverse("jury_evaluer", args=[brouillon.pk])).content.decode()
    assert "Candidature suivante : Bayonne" in page
    assert "Il vous reste 1 autre candidature à évaluer" in page

    soumettre_evaluation(a_faire)
    page = client.get(reverse("jury_evaluer", args=[brouillon.pk])).content.decode()
    assert "Candidature suivante" not in page
    assert "Aucune autre candidature ne vous attend dans cette vague." in page


def test_autosave_apres_soumission_refusee(client_de, utilisateur_jure, affectation, vague):
    client = client_de(utilisateur_jure)
    _soumettre(client, affectation, _donnees(vague, version=0))

    reponse = client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]),
        _donnees(vague, commentaire="changé", version=1),
    )

    assert reponse.status_code == 409
    assert Evaluation.objects.get(affectation=affectation).commentaire == "Projet solide."


def test_evaluation_soumise_en_lecture_seule(client_de, utilisateur_jure, affectation, vague):
    client = client_de(utilisateur_jure)
    _soumettre(client, affectation, _donnees(vague, version=0))

    page = client.get(reverse("jury_evaluer", args=[affectation.pk])).content.decode()

    assert 'data-lecture-seule="1"' in page
    assert 'value="soumettre"' not in page
    assert "demandez à l'équipe du programme de la rouvrir" in page


def test_vague_verrouillee_refuse_l_evaluation(client_de, utilisateur_jure, affectation, vague):
    Vague.objects.filter(pk=vague.pk).update(statut=Vague.Statut.RESULTATS_PUBLIES)
    client = client_de(utilisateur_jure)

    reponse = client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]), _donnees(vague, version=0)
    )

    assert reponse.status_code == 400
    assert "résultats de la vague sont publiés" in reponse.json()["message"]
    assert not Evaluation.objects.filter(affectation=affectation).exists()


def test_equipe_rouvre_une_evaluation_soumise(
    client_de, utilisateur_jure, equipe, affectation, vague
):
    _soumettre(client_de(utilisateur_jure), affectation, _donnees(vague, version=0))

    reponse = client_de(equipe).post(reverse("jury_evaluation_rouvrir", args=[affectation.pk]))

    assert reponse.status_code == 302
    evaluation = Evaluation.objects.get(affectation=affectation)
    assert (evaluation.statut, evaluation.note_sur_20) == (Evaluation.Statut.BROUILLON, None)
    client = client_de(utilisateur_jure)
    resoumise = _soumettre(
        client, affectation, _donnees(vague, notes=(5, 5), version=evaluation.version)
    )
    assert resoumise.status_code == 302
    assert Evaluation.objects.get(affectation=affectation).note_sur_20 == 20.0


# ---------------------------------------------------------------------------------------------
# Règle de révélation
# ---------------------------------------------------------------------------------------------
def test_revelation_rien_avant_sa_propre_soumission(
    client_de, utilisateur_jure, affectation, autre_affectation, vague
):
    autre = client_de(autre_affectation.jure.utilisateur)
    _soumettre(autre, autre_affectation, _donnees(vague, commentaire="AVIS-DE-L-AUTRE", version=0))
    client = client_de(utilisateur_jure)
    client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]),
        _donnees(vague, commentaire="mon brouillon", version=0),
    )

    page = client.get(reverse("jury_evaluer", args=[affectation.pk])).content.decode()

    assert "AVIS-DE-L-AUTRE" not in page
    assert "Vous les verrez une fois votre propre évaluation soumise." in page


def test_revelation_les_evaluations_soumises_des_autres_apres_la_sienne(
    client_de, utilisateur_jure, affectation, autre_affectation, vague
):
    autre = client_de(autre_affectation.jure.utilisateur)
    _soumettre(autre, autre_affectation, _donnees(vague, commentaire="AVIS-DE-L-AUTRE", version=0))
    client = client_de(utilisateur_jure)
    _soumettre(client, affectation, _donnees(vague, version=0))

    page = client.get(reverse("jury_evaluer", args=[affectation.pk])).content.decode()

    assert "AVIS-DE-L-AUTRE" in page


def test_revelation_jamais_le_brouillon_d_un_autre(
    client_de, utilisateur_jure, affectation, autre_affectation, vague
):
    autre = client_de(autre_affectation.jure.utilisateur)
    autre.post(
        reverse("jury_evaluation_autosave", args=[autre_affectation.pk]),
        _donnees(vague, commentaire="BROUILLON-DE-L-AUTRE", version=0),
    )
    client = client_de(utilisateur_jure)
    _soumettre(client, affectation, _donnees(vague, version=0))

    page = client.get(reverse("jury_evaluer", args=[affectation.pk])).content.decode()

    assert "BROUILLON-DE-L-AUTRE" not in page
    assert "Aucun autre juré n'a encore soumis son évaluation." in page


# ---------------------------------------------------------------------------------------------
# Conflit déclaré après affectation
# ---------------------------------------------------------------------------------------------
def test_conflit_tardif_retire_affectation_et_brouillon_et_previent_l_equipe(
    client_de, utilisateur_jure, equipe, affectation, vague, django_capture_on_commit_callbacks
):
    client = client_de(utilisateur_jure)
    client.post(
        reverse("jury_evaluation_autosave", args=[affectation.pk]), _donnees(vague, version=0)
    )

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("jury_conflit_declarer", args=[vague.pk]),
            {
                "candidature": affectation.candidature_id,
                "motif": "Mon conjoint y est élu",
                "retour": "evaluations",
            },
        )

    assert reponse.status_code == 302
    assert not Affectation.objects.filter(pk=affectation.pk).exists()
    assert not Evaluation.objects.filter(affectation_id=affectation.pk).exists()
    courriel = Courriel.objects.get(categorie="conflit")
    assert courriel.destinataire == equipe.email
    assert affectation.candidature.reference in courriel.sujet
    assert client.get(reverse("jury_evaluer", args=[affectation.pk])).status_code == 404
    avancement = client_de(equipe).get(reverse("jury_avancement", args=[vague.pk]))
    assert "À réaffecter" in avancement.content.decode()


def test_conflit_tardif_refuse_si_evaluation_soumise(
    client_de, utilisateur_jure, affectation, vague
):
    client = client_de(utilisateur_jure)
    _soumettre(client, affectation, _donnees(vague, version=0))

    reponse = client.post(
        reverse("jury_conflit_declarer", args=[vague.pk]),
        {
            "candidature": affectation.candidature_id,
            "motif": "Découvert tard",
            "retour": "evaluations",
        },
    )

    assert Affectation.objects.filter(pk=affectation.pk).exists()
    assert Evaluation.objects.get(affectation=affectation).statut == Evaluation.Statut.SOUMISE
    page = client.get(reponse["Location"]).content.decode()
    assert "Contactez l&#x27;équipe du programme" in page


# ---------------------------------------------------------------------------------------------
# Candidature retirée pendant l'examen
# ---------------------------------------------------------------------------------------------
def test_candidature_retiree_n_est_plus_a_evaluer(
    client_de, equipe, utilisateur_jure, affectation, autre_affectation, vague, candidature
):
    """Retirée pendant l'examen : le brouillon et l'affectation non commencée disparaissent de
    la liste des jurés (ni à évaluer, ni à relancer) ; l'évaluation soumise reste."""
    f.EvaluationFactory(affectation=affectation, statut=Evaluation.Statut.BROUILLON)
    soumettre_evaluation(autre_affectation)
    troisieme = f.AffectationFactory(
        jure=f.JureFactory(
            vague=vague, utilisateur=f.utilisateur(Role.JURE, username="troisieme-jure")
        ),
        candidature=candidature,
    )

    reponse = client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]),
        {"vers": Candidature.Statut.RETIREE, "note": "La commune renonce."},
        follow=True,
    )

    assert "les 2 évaluations non soumises de ses jurés leur sont retirées" in (
        reponse.content.decode()
    )
    assert list(Affectation.objects.filter(candidature=candidature)) == [autre_affectation]
    assert not Evaluation.objects.filter(affectation_id__in=[affectation.pk, troisieme.pk]).exists()
    assert Evaluation.objects.get(affectation=autre_affectation).statut == "soumise"
    client = client_de(utilisateur_jure)
    assert candidature.reference not in client.get(reverse("jury_mes_evaluations")).content.decode()
    assert client.get(reverse("jury_evaluer", args=[affectation.pk])).status_code == 404
    # L'historique garde le brouillon retiré et pourquoi.
    assert (
        Evaluation.history.filter(affectation_id=affectation.pk, history_type="-")
        .get()
        .history_change_reason
        == "Brouillon retiré : candidature retirée"
    )


def test_candidature_irrecevable_retire_les_affectations_non_commencees(
    client_de, equipe, vague, affectation
):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)
    f.AffectationFactory(jure=affectation.jure, candidature=candidature)

    client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]),
        {"vers": Candidature.Statut.IRRECEVABLE, "note": "Hors périmètre."},
    )

    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.IRRECEVABLE
    assert not Affectation.objects.filter(candidature=candidature).exists()
