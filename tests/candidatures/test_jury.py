"""Le jury, pages de l'équipe et du juré : composition, conflits, affectation, avancement, relance."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import models
from django.urls import reverse

from acv.models import Courriel, Organisation
from acv.roles import Role
from candidatures.models import Affectation, Candidature, Conflit, Evaluation, Jure, Vague

from .. import factories as f


@pytest.fixture
def vague(db):
    return f.VagueFactory(numero=4, statut=Vague.Statut.EXAMEN_JURY)


@pytest.fixture
def jure(vague, utilisateur_jure):
    return f.JureFactory(vague=vague, utilisateur=utilisateur_jure)


def _jury_complet(vague, par_org: int = 1) -> list[Jure]:
    return [
        f.JureFactory(vague=vague, organisation=o)
        for o in Organisation.objects.all()
        for _ in range(par_org)
    ]


def _soumise(affectation) -> Evaluation:
    return f.EvaluationFactory(
        affectation=affectation,
        statut=Evaluation.Statut.SOUMISE,
        avis=Evaluation.Avis.FAVORABLE,
        soumise_le="2019-09-10T10:00:00+02:00",
        note_sur_20=12.0,
    )


# ---------------------------------------------------------------------------------------------
# Composition du jury
# ---------------------------------------------------------------------------------------------
def test_ajouter_un_jure(client_de, equipe, vague):
    user = f.utilisateur(Role.JURE, username="nouveau-jure")
    adcf = Organisation.objects.get(sigle="adcf")

    reponse = client_de(equipe).post(
        reverse("jury_jure_ajouter", args=[vague.pk]),
        {"utilisateur": user.pk, "organisation": adcf.pk},
    )

    assert reponse.status_code == 302
    assert list(Jure.objects.filter(vague=vague).values_list("utilisateur", "organisation")) == [
        (user.pk, adcf.pk)
    ]


def test_ajouter_un_jure_deja_membre_refuse(client_de, equipe, vague, jure):
    reponse = client_de(equipe).post(
        reverse("jury_jure_ajouter", args=[vague.pk]),
        {"utilisateur": jure.utilisateur_id, "organisation": jure.organisation_id},
        follow=True,
    )

    assert Jure.objects.filter(vague=vague).count() == 1
    assert "Juré non ajouté" in reponse.content.decode()


def test_retirer_un_jure_sans_evaluation_libere_ses_candidatures(client_de, equipe, vague, jure):
    f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))

    reponse = client_de(equipe).post(reverse("jury_jure_retirer", args=[jure.pk]))

    assert reponse.status_code == 302
    assert not Jure.objects.filter(pk=jure.pk).exists()
    assert Affectation.objects.count() == 0


def test_retirer_un_jure_qui_a_evalue_refuse(client_de, equipe, vague, jure):
    affectation = f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))
    _soumise(affectation)

    client_de(equipe).post(reverse("jury_jure_retirer", args=[jure.pk]))

    assert Jure.objects.filter(pk=jure.pk).exists()


def test_jury_d_une_vague_publiee_ne_change_plus(client_de, equipe, vague, jure):
    Vague.objects.filter(pk=vague.pk).update(statut=Vague.Statut.RESULTATS_PUBLIES)
    client = client_de(equipe)
    user = f.utilisateur(Role.JURE, username="tardif")

    ajout = client.post(
        reverse("jury_jure_ajouter", args=[vague.pk]),
        {"utilisateur": user.pk, "organisation": Organisation.objects.first().pk},
        follow=True,
    )
    retrait = client.post(reverse("jury_jure_retirer", args=[jure.pk]), follow=True)

    assert list(Jure.objects.filter(vague=vague)) == [jure]
    for reponse in (ajout, retrait):
        assert "la composition du jury ne change plus" in reponse.content.decode()


@pytest.mark.parametrize("nombre", [1, 3])
def test_page_jury_requetes_constantes(client_de, equipe, vague, nombre, django_assert_num_queries):
    for _ in range(nombre):
        jure = f.JureFactory(vague=vague)
        f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))
    client = client_de(equipe)

    # session, compte, rôles, vague, jurés annotés, conflits, comptes proposés,
    # organisations, jurés et candidatures du formulaire de conflit
    with django_assert_num_queries(10):
        reponse = client.get(reverse("jury_vague", args=[vague.pk]))

    assert reponse.status_code == 200
    assert len(reponse.context["jures"]) == nombre


# ---------------------------------------------------------------------------------------------
# Conflits
# ---------------------------------------------------------------------------------------------
def test_page_conflits_montre_noms_et_porteurs_sans_contenu(
    client_de, utilisateur_jure, vague, jure
):
    f.CandidatureFactory(
        vague=vague,
        commune=f.CommuneFactory(nom="Aurillac-Test"),
        statut=Candidature.Statut.RECEVABLE,
        resume="CONTENU-CONFIDENTIEL",
    )

    page = client_de(utilisateur_jure).get(reverse("jury_conflits", args=[vague.pk]))

    contenu = page.content.decode()
    assert "Aurillac-Test" in contenu
    assert "Commune de Aurillac-Test" in contenu
    assert "CONTENU-CONFIDENTIEL" not in contenu


@pytest.mark.parametrize("nombre", [1, 3])
def test_page_conflits_requetes_constantes(
    client_de, utilisateur_jure, vague, jure, nombre, django_assert_num_queries
):
    for _ in range(nombre):
        f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)
    client = client_de(utilisateur_jure)

    # session, compte, rôles, juré, candidatures, conflits du juré, ses affectations
    with django_assert_num_queries(7):
        reponse = client.get(reverse("jury_conflits", args=[vague.pk]))

    assert len(reponse.context["lignes"]) == nombre


def test_jure_declare_un_conflit_avant_affectation(client_de, utilisateur_jure, vague, jure):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)

    reponse = client_de(utilisateur_jure).post(
        reverse("jury_conflit_declarer", args=[vague.pk]),
        {"candidature": candidature.pk, "motif": "Ancien adjoint au maire"},
    )

    assert reponse.status_code == 302
    conflit = Conflit.objects.get()
    assert (conflit.jure, conflit.candidature, conflit.motif) == (
        jure,
        candidature,
        "Ancien adjoint au maire",
    )
    assert Courriel.objects.count() == 0  # rien à réaffecter : l'équipe n'est pas dérangée


def test_conflit_sans_motif_refuse(client_de, utilisateur_jure, vague, jure):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)

    client_de(utilisateur_jure).post(
        reverse("jury_conflit_declarer", args=[vague.pk]),
        {"candidature": candidature.pk, "motif": "  "},
    )

    assert Conflit.objects.count() == 0


def test_conflit_sur_candidature_d_une_autre_vague_404(client_de, utilisateur_jure, vague, jure):
    ailleurs = f.CandidatureFactory(vague=f.VagueFactory(numero=9))

    reponse = client_de(utilisateur_jure).post(
        reverse("jury_conflit_declarer", args=[vague.pk]),
        {"candidature": ailleurs.pk, "motif": "Élu"},
    )

    assert reponse.status_code == 404


def test_equipe_enregistre_un_conflit_et_retire_l_affectation(client_de, equipe, vague, jure):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    affectation = f.AffectationFactory(jure=jure, candidature=candidature)

    client_de(equipe).post(
        reverse("jury_conflit_enregistrer", args=[vague.pk]),
        {"jure": jure.pk, "candidature": candidature.pk, "motif": "Signalé par la préfecture"},
    )

    assert Conflit.objects.filter(jure=jure, candidature=candidature).exists()
    assert not Affectation.objects.filter(pk=affectation.pk).exists()


def test_equipe_leve_un_conflit_declare_par_erreur(client_de, equipe, vague, jure):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    conflit = Conflit.objects.create(jure=jure, candidature=candidature, motif="Erreur de ligne")
    client = client_de(equipe)
    url = reverse("jury_conflit_lever", args=[conflit.pk])
    assert url in client.get(reverse("jury_vague", args=[vague.pk])).content.decode()

    sans_motif = client.post(url, {"motif": "  "}, follow=True)
    assert Conflit.objects.filter(pk=conflit.pk).exists()
    assert "Conflit maintenu" in sans_motif.content.decode()

    reponse = client.post(url, {"motif": "Homonyme, pas d'intérêt"}, follow=True)

    assert not Conflit.objects.filter(pk=conflit.pk).exists()
    assert "Conflit levé" in reponse.content.decode()
    trace = Conflit.history.filter(id=conflit.pk, history_type="-").get()
    assert trace.history_change_reason == "Conflit levé : Homonyme, pas d'intérêt"
    assert trace.history_user == equipe
    # Le juré peut de nouveau être affecté à la candidature.
    client.post(
        reverse("jury_affectation_ajouter", args=[vague.pk]),
        {"jure": jure.pk, "candidature": candidature.pk},
    )
    assert Affectation.objects.filter(jure=jure, candidature=candidature).exists()


# ---------------------------------------------------------------------------------------------
# Affectation et ajustements
# ---------------------------------------------------------------------------------------------
def test_bouton_affecter_complete_et_dit_ce_qui_manque(client_de, equipe, vague):
    vague.nb_evaluateurs = 3
    vague.save()
    cnam, acv = Organisation.objects.order_by("ordre")[:2]
    f.JureFactory(vague=vague, organisation=cnam)
    f.JureFactory(vague=vague, organisation=acv)
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RECEVABLE)

    reponse = client_de(equipe).post(reverse("jury_affecter", args=[vague.pk]), follow=True)

    assert candidature.affectations.count() == 2
    assert (
        f"{candidature.reference} : 2 évaluateurs sur 3 — le jury de la vague ne compte que "
        "2 organisations" in reponse.content.decode()
    )


def test_modele_de_courriel_du_jury_modifie_par_l_equipe_puis_utilise(
    client_de, equipe, vague, django_capture_on_commit_callbacks
):
    from django.core import mail

    client = client_de(equipe)
    assert (
        reverse("lettre_modele", args=["affectation"])
        in client.get(reverse("jury_vague", args=[vague.pk])).content.decode()
    )
    reponse = client.post(
        reverse("lettre_modele", args=["affectation"]),
        {"sujet": "{{ vague }} : {{ nombre }} dossiers pour vous", "corps": "Bonjour {{ nom }}."},
    )
    assert reponse.status_code == 302
    _jury_complet(vague)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("jury_affecter", args=[vague.pk]))

    assert mail.outbox and mail.outbox[0].subject == f"{vague.nom} : 1 dossiers pour vous"


def test_modele_du_jury_casse_dans_l_administration_ni_500_ni_affectation(
    client_de, administrateur, equipe, vague
):
    """L'administration refuse un modèle mal formé ; s'il l'est quand même (base modifiée à la
    main), l'affectation le dit en clair et n'écrit rien."""
    from acv.models import ModeleCourriel

    modele = ModeleCourriel.objects.get(code="affectation")
    reponse = client_de(administrateur).post(
        reverse("admin:acv_modelecourriel_change", args=[modele.pk]),
        {"code": modele.code, "libelle": modele.libelle, "sujet": "{% if %}", "corps": "x"},
    )
    assert reponse.status_code == 200
    assert "erreur de syntaxe" in reponse.content.decode()
    ModeleCourriel.objects.filter(code="affectation").update(corps="{% if nom %}sans fin")
    _jury_complet(vague)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)

    reponse = client_de(equipe).post(reverse("jury_affecter", args=[vague.pk]), follow=True)

    assert reponse.status_code == 200
    assert "contient une erreur de syntaxe" in reponse.content.decode()
    assert Affectation.objects.count() == 0


def test_bouton_affecter_refuse_vague_verrouillee(client_de, equipe, vague):
    _jury_complet(vague)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    Vague.objects.filter(pk=vague.pk).update(statut=Vague.Statut.RESULTATS_PUBLIES)

    client_de(equipe).post(reverse("jury_affecter", args=[vague.pk]))

    assert Affectation.objects.count() == 0


def test_affecter_a_la_main(client_de, equipe, vague, jure):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)

    client_de(equipe).post(
        reverse("jury_affectation_ajouter", args=[vague.pk]),
        {"jure": jure.pk, "candidature": candidature.pk},
    )

    assert list(Affectation.objects.values_list("jure", "candidature", "manuelle")) == [
        (jure.pk, candidature.pk, True)
    ]
    assert list(Courriel.objects.values_list("destinataire", "categorie")) == [
        (jure.utilisateur.email, "affectation")
    ]


def test_affecter_a_la_main_une_deuxieme_fois_la_meme_organisation_avertit(
    client_de, equipe, vague, jure
):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    f.AffectationFactory(jure=jure, candidature=candidature)
    collegue = f.JureFactory(vague=vague, organisation=jure.organisation)

    reponse = client_de(equipe).post(
        reverse("jury_affectation_ajouter", args=[vague.pk]),
        {"jure": collegue.pk, "candidature": candidature.pk},
        follow=True,
    )

    niveaux = [m.level_tag for m in reponse.context["messages"]]
    assert niveaux == ["success", "warning"]
    assert "de la même organisation" in reponse.content.decode()
    assert candidature.affectations.count() == 2


def test_affecter_a_la_main_un_jure_en_conflit_refuse(client_de, equipe, vague, jure):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    Conflit.objects.create(jure=jure, candidature=candidature, motif="Élu")

    reponse = client_de(equipe).post(
        reverse("jury_affectation_ajouter", args=[vague.pk]),
        {"jure": jure.pk, "candidature": candidature.pk},
        follow=True,
    )

    assert Affectation.objects.count() == 0
    assert "a déclaré un conflit d&#x27;intérêts" in reponse.content.decode()


def test_retirer_une_affectation_soumise_refuse(client_de, equipe, vague, jure):
    affectation = f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))
    _soumise(affectation)

    client_de(equipe).post(reverse("jury_affectation_retirer", args=[affectation.pk]))

    assert Affectation.objects.filter(pk=affectation.pk).exists()


def test_retirer_une_affectation_en_brouillon(client_de, equipe, vague, jure):
    affectation = f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))
    f.EvaluationFactory(affectation=affectation)

    client_de(equipe).post(reverse("jury_affectation_retirer", args=[affectation.pk]))

    assert not Affectation.objects.filter(pk=affectation.pk).exists()
    assert Evaluation.objects.count() == 0


def test_relance_des_jures_en_attente(
    client_de, equipe, vague, jure, django_capture_on_commit_callbacks
):
    a_jour = f.JureFactory(vague=vague)
    _soumise(f.AffectationFactory(jure=a_jour, candidature=f.CandidatureFactory(vague=vague)))
    f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))

    with django_capture_on_commit_callbacks(execute=True):
        client_de(equipe).post(reverse("jury_relancer", args=[vague.pk]))

    assert list(Courriel.objects.values_list("destinataire", "categorie", "statut")) == [
        (jure.utilisateur.email, "relance", "envoye")
    ]


# ---------------------------------------------------------------------------------------------
# Avancement et pages du juré
# ---------------------------------------------------------------------------------------------
def test_avancement_compte_attendues_brouillons_soumises_par_jure_et_par_candidature(
    client_de, equipe, vague
):
    jure_a, jure_b = _jury_complet(vague)[:2]
    c1, c2 = (
        f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN) for _ in range(2)
    )
    _soumise(f.AffectationFactory(jure=jure_a, candidature=c1))
    f.EvaluationFactory(affectation=f.AffectationFactory(jure=jure_a, candidature=c2))
    f.AffectationFactory(jure=jure_b, candidature=c1)

    reponse = client_de(equipe).get(reverse("jury_avancement", args=[vague.pk]))

    assert reponse.context["totaux"] == {
        "attendues": 3,
        "soumises": 1,
        "brouillons": 1,
        "a_faire": 1,
    }
    par_jure = {
        j.pk: (j.nb_affectations, j.nb_soumises, j.nb_brouillons, j.nb_a_faire)
        for j in reponse.context["jures"]
    }
    assert par_jure[jure_a.pk] == (2, 1, 1, 0)
    assert par_jure[jure_b.pk] == (1, 0, 0, 1)
    assert all(
        par_jure[j.pk] == (0, 0, 0, 0) for j in vague.jures.exclude(pk__in=[jure_a.pk, jure_b.pk])
    )
    par_candidature = {
        c.pk: sorted(
            a.evaluation.statut if hasattr(a, "evaluation") else "a_faire"
            for a in c.affectations.all()
        )
        for c in reponse.context["candidatures"]
    }
    assert par_candidature == {c1.pk: ["a_faire", "soumise"], c2.pk: ["brouillon"]}
    page = reponse.content.decode()
    assert "Soumise · 12,0/20" in page


@pytest.mark.parametrize("nombre", [1, 3])
def test_avancement_requetes_constantes(
    client_de, equipe, vague, nombre, django_assert_num_queries
):
    jures = _jury_complet(vague)
    for _ in range(nombre):
        candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
        for jure in jures[:2]:
            f.AffectationFactory(jure=jure, candidature=candidature)
    client = client_de(equipe)

    # session, compte, rôles, vague, totaux, à réaffecter, compte et page des candidatures,
    # leurs affectations, jurés annotés, listes du formulaire (candidatures, jurés)
    with django_assert_num_queries(12):
        reponse = client.get(reverse("jury_avancement", args=[vague.pk]))

    assert reponse.status_code == 200
    assert len(reponse.context["candidatures"]) == nombre
    assert reponse.context["nb_a_reaffecter"] == nombre  # 2 évaluateurs sur 3


@pytest.mark.parametrize("nombre", [1, 3])
def test_mes_evaluations_requetes_constantes(
    client_de, utilisateur_jure, vague, jure, nombre, django_assert_num_queries
):
    for _ in range(nombre):
        f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))
    client = client_de(utilisateur_jure)

    # session, compte, rôles, jurés du compte (vague, organisation), leurs affectations
    with django_assert_num_queries(5):
        reponse = client.get(reverse("jury_mes_evaluations"))

    assert [len(b["lignes"]) for b in reponse.context["blocs"]] == [nombre]


def test_mes_evaluations_seulement_les_vagues_en_cours(client_de, utilisateur_jure, vague, jure):
    close = f.VagueFactory(numero=8, statut=Vague.Statut.CLOSE)
    ancien = f.JureFactory(vague=close, utilisateur=utilisateur_jure)
    f.AffectationFactory(jure=ancien, candidature=f.CandidatureFactory(vague=close))
    f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))

    reponse = client_de(utilisateur_jure).get(reverse("jury_mes_evaluations"))

    assert [b["vague"] for b in reponse.context["blocs"]] == [vague]


def test_mes_evaluations_le_travail_d_abord(client_de, utilisateur_jure, vague, jure):
    """Vagues ouvertes d'abord, la plus récente en tête ; vagues publiées ensuite."""
    publiee = f.VagueFactory(numero=2, statut=Vague.Statut.RESULTATS_PUBLIES)
    recente = f.VagueFactory(numero=6, statut=Vague.Statut.EXAMEN_JURY)
    for autre in (publiee, recente):
        f.JureFactory(vague=autre, utilisateur=utilisateur_jure)

    reponse = client_de(utilisateur_jure).get(reverse("jury_mes_evaluations"))

    assert [b["vague"] for b in reponse.context["blocs"]] == [recente, vague, publiee]


def test_mes_evaluations_progression(client_de, utilisateur_jure, vague, jure):
    a_faire, brouillon, soumise = (
        f.AffectationFactory(jure=jure, candidature=f.CandidatureFactory(vague=vague))
        for _ in range(3)
    )
    f.EvaluationFactory(affectation=brouillon)
    _soumise(soumise)

    reponse = client_de(utilisateur_jure).get(reverse("jury_mes_evaluations"))

    assert reponse.context["blocs"][0]["compte"] == {"a_faire": 1, "brouillon": 1, "soumise": 1}
    assert [ligne["etat"] for ligne in reponse.context["blocs"][0]["lignes"]] == [
        "brouillon",
        "a_faire",
        "soumise",
    ]


# ---------------------------------------------------------------------------------------------
# Démo
# ---------------------------------------------------------------------------------------------
@pytest.mark.lent
@pytest.mark.django_db
def test_demo_jury_complete_et_idempotente():
    import io

    from django.core.management import call_command

    from acv.demo import comptes
    from candidatures.demo import vagues
    from candidatures.demo_jury import jury

    call_command("load_territories", stdout=io.StringIO())
    comptes()
    vagues()
    jury()
    avant = (Jure.objects.count(), Affectation.objects.count(), Evaluation.objects.count())

    jury()

    assert (Jure.objects.count(), Affectation.objects.count(), Evaluation.objects.count()) == avant
    vague_1, vague_2 = Vague.objects.order_by("numero")
    assert vague_1.jures.count() == 15
    # Trois jurés par organisation, le compte de démonstration compris.
    assert Counter(vague_1.jures.values_list("organisation__sigle", flat=True)) == {
        sigle: 3 for sigle in Organisation.objects.values_list("sigle", flat=True)
    }
    assert vague_1.jures.filter(utilisateur__username="jure", organisation__sigle="cnam").exists()
    evaluees = Evaluation.objects.filter(affectation__candidature__vague=vague_1)
    assert evaluees.count() == Affectation.objects.filter(candidature__vague=vague_1).count()
    assert set(evaluees.values_list("statut", flat=True)) == {Evaluation.Statut.SOUMISE}
    for candidature in vague_1.candidatures.filter(statut__in=["recevable", "en_examen"]):
        orgs = list(candidature.affectations.values_list("jure__organisation", flat=True))
        assert len(orgs) == len(set(orgs)) == 3
    assert not Affectation.objects.filter(
        jure__conflits__candidature=models.F("candidature")
    ).exists()
    assert vague_2.statut == Vague.Statut.EXAMEN_JURY
    etats = set(
        Evaluation.objects.filter(affectation__candidature__vague=vague_2).values_list(
            "statut", flat=True
        )
    )
    assert etats == {Evaluation.Statut.SOUMISE, Evaluation.Statut.BROUILLON}
    a_faire_demo = Affectation.objects.filter(
        candidature__vague=vague_2, jure__utilisateur__username="jure", evaluation__isnull=True
    )
    assert a_faire_demo.count() >= 1


def test_equipe_conflit_sur_evaluation_soumise_demande_de_rouvrir(client_de, equipe, vague, jure):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    _soumise(f.AffectationFactory(jure=jure, candidature=candidature))

    reponse = client_de(equipe).post(
        reverse("jury_conflit_enregistrer", args=[vague.pk]),
        {"jure": jure.pk, "candidature": candidature.pk, "motif": "Signalé tard"},
        follow=True,
    )

    assert Conflit.objects.count() == 0
    assert "est soumise : rouvrez-la d&#x27;abord" in reponse.content.decode()
