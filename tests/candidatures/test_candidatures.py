"""Candidatures : transitions, règle d'une candidature active par ville et par vague, saisie, liste."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from acv.erreurs import TransitionRefusee
from candidatures.acces import candidature_pour
from candidatures.models import Candidature, LigneFinancement, TransitionCandidature, Vague
from tests import factories as f

S = Candidature.Statut
PERMISES = [(de, vers) for de, arrivees in Candidature.TRANSITIONS.items() for vers in arrivees]
REFUSEES = [
    (de, vers) for de in S for vers in S if vers not in Candidature.TRANSITIONS[de] and vers != de
]


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def _binome():
    ville = f.VilleAcvFactory(id_acv="ACV080", libelle="Charleville-Mézières / Sedan")
    charleville = f.CommuneFactory(code_insee="08105", nom="Charleville-Mézières", ville_acv=ville)
    sedan = f.CommuneFactory(code_insee="08409", nom="Sedan", ville_acv=ville)
    return charleville, sedan


def _donnees(vague, commune, **autres) -> dict:
    donnees = {
        "vague": vague.pk,
        "commune": commune.code_insee,
        "porteur": "commune",
        "contact_nom": "Camille Fictive",
        "contact_fonction": "Directrice générale des services",
        "contact_email": "dgs@mairie.invalid",
        "contact_telephone": "03 24 00 00 00",
        "resume": "Un espace Cnam au cœur de la ville.",
        "apprenants_prevus": "60",
        "recue": "on",
        "financements-TOTAL_FORMS": "3",
        "financements-INITIAL_FORMS": "0",
        "financements-MIN_NUM_FORMS": "0",
        "financements-MAX_NUM_FORMS": "1000",
        "financements-0-source": "commune",
        "financements-0-libelle": "Locaux et fonctionnement",
        "financements-0-montant": "45000",
        "financements-1-source": "banque_territoires",
        "financements-1-montant": "30000.50",
    }
    donnees.update(autres)
    return donnees


# ---------------------------------------------------------------------------------------------
# Transitions (modèle)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("de", "vers"), PERMISES)
def test_transition_permise_enregistre_statut_et_journal(de, vers, equipe):
    candidature = f.CandidatureFactory(statut=de)

    candidature.changer_statut(vers, par=equipe, note="Motif de test")

    candidature.refresh_from_db()
    transition = candidature.transitions.get()
    assert (
        candidature.statut,
        transition.de,
        transition.vers,
        transition.par,
        transition.note,
    ) == (
        vers,
        de,
        vers,
        equipe,
        "Motif de test",
    )


@pytest.mark.parametrize(("de", "vers"), REFUSEES)
def test_transition_refusee_ne_change_rien(de, vers, equipe):
    candidature = f.CandidatureFactory(statut=de)

    with pytest.raises(TransitionRefusee):
        candidature.changer_statut(vers, par=equipe, note="Motif de test")

    candidature.refresh_from_db()
    assert (candidature.statut, candidature.transitions.count()) == (de, 0)


def test_transition_irrecevable_sans_motif_refusee(equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)

    with pytest.raises(TransitionRefusee, match="motif"):
        candidature.changer_statut(S.IRRECEVABLE, par=equipe, note="  ")

    candidature.refresh_from_db()
    assert candidature.statut == S.RECUE


def test_premiere_reception_date_la_candidature(equipe):
    candidature = f.CandidatureFactory(statut=S.BROUILLON, date_reception=None)

    candidature.changer_statut(S.RECUE, par=equipe)

    candidature.refresh_from_db()
    assert candidature.date_reception is not None


# ---------------------------------------------------------------------------------------------
# Transitions (vue)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("vers", [S.INCOMPLETE, S.RECEVABLE, S.RETIREE])
def test_vue_transition_depuis_recue_reussit(vers, client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)

    reponse = client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]), {"vers": vers, "note": "Vu"}
    )

    candidature.refresh_from_db()
    assert (reponse.status_code, candidature.statut) == (302, vers)
    assert list(candidature.transitions.values_list("par__username", "note")) == [("equipe", "Vu")]


def test_vue_transition_irrecevable_garde_le_motif(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)

    client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]),
        {"vers": S.IRRECEVABLE, "note": "Hors du périmètre du programme"},
    )

    candidature.refresh_from_db()
    assert (candidature.statut, candidature.motif_irrecevabilite) == (
        S.IRRECEVABLE,
        "Hors du périmètre du programme",
    )


def test_vue_transition_irrecevable_sans_motif_message_et_rien_ne_change(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RECUE)

    reponse = client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]), {"vers": S.IRRECEVABLE}
    )

    candidature.refresh_from_db()
    assert (candidature.statut, _messages(reponse)) == (
        S.RECUE,
        ["Indiquez le motif d'irrecevabilité."],
    )


@pytest.mark.parametrize(
    ("depart", "vers"),
    [(S.EN_EXAMEN, S.RETENUE), (S.EN_EXAMEN, S.NON_RETENUE), (S.RECEVABLE, S.EN_EXAMEN)],
)
def test_vue_transition_reservee_a_la_deliberation_ou_a_la_vague_refusee(
    depart, vers, client_de, equipe
):
    candidature = f.CandidatureFactory(statut=depart)

    reponse = client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]), {"vers": vers}
    )

    candidature.refresh_from_db()
    assert (reponse.status_code, candidature.statut, TransitionCandidature.objects.count()) == (
        302,
        depart,
        0,
    )
    assert len(_messages(reponse)) == 1


def test_vue_transition_non_permise_affiche_le_refus(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.RETIREE)

    reponse = client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]), {"vers": S.RECUE}
    )

    candidature.refresh_from_db()
    assert candidature.statut == S.RETIREE
    assert _messages(reponse) == [
        f"La candidature {candidature.reference} est « Retirée » : elle ne peut pas passer à « Reçue »."
    ]


def test_vue_transition_vague_verrouillee_refusee(client_de, equipe):
    vague = f.VagueFactory(numero=5, statut=Vague.Statut.CLOSE)
    candidature = f.CandidatureFactory(vague=vague, statut=S.RECEVABLE)

    client_de(equipe).post(
        reverse("candidature_transition", args=[candidature.pk]), {"vers": S.RETIREE}
    )

    candidature.refresh_from_db()
    assert candidature.statut == S.RECEVABLE


def test_vue_transition_404_403_405(client_de, equipe, utilisateur_jure, observateur):
    candidature = f.CandidatureFactory(statut=S.RECUE)
    url = reverse("candidature_transition", args=[candidature.pk])

    assert (
        client_de(equipe).post(reverse("candidature_transition", args=[99999])).status_code == 404
    )
    assert client_de(utilisateur_jure).post(url, {"vers": S.RETIREE}).status_code == 403
    assert client_de(observateur).post(url, {"vers": S.RETIREE}).status_code == 403
    assert client_de(equipe).get(url).status_code == 405
    candidature.refresh_from_db()
    assert candidature.statut == S.RECUE


def test_fiche_propose_les_transitions_permises_sauf_decision(client_de, equipe):
    candidature = f.CandidatureFactory(statut=S.EN_EXAMEN)

    reponse = client_de(equipe).get(reverse("candidature_detail", args=[candidature.pk]))

    assert [vers for vers, _ in reponse.context["actions"]] == [S.RETIREE]


# ---------------------------------------------------------------------------------------------
# Une candidature active par ville et par vague
# ---------------------------------------------------------------------------------------------
def test_creation_enregistre_candidature_financement_et_reception(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.APPEL_OUVERT)
    commune = f.CommuneFactory(code_insee="15014", nom="Aurillac")

    reponse = client_de(equipe).post(reverse("candidature_creer"), _donnees(vague, commune))

    candidature = Candidature.objects.get()
    assert (reponse.status_code, reponse["Location"]) == (
        302,
        reverse("candidature_detail", args=[candidature.pk]),
    )
    assert (candidature.reference, candidature.statut, candidature.commune) == (
        "V1-0001",
        S.RECUE,
        commune,
    )
    assert candidature.montant_total == Decimal("75000.50")
    assert candidature.transitions.get().vers == S.RECUE


def test_creation_seconde_commune_du_binome_refusee_avec_message(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.APPEL_OUVERT)
    charleville, sedan = _binome()
    premiere = f.CandidatureFactory(vague=vague, commune=charleville)

    reponse = client_de(equipe).post(reverse("candidature_creer"), _donnees(vague, sedan))

    assert reponse.status_code == 200
    assert Candidature.objects.count() == 1
    assert reponse.context["form"].errors["commune"] == [
        f"Sedan a déjà une candidature active dans cette vague ({premiere.reference}, portée au "
        "titre de Charleville-Mézières) ; pour un binôme Action Cœur de Ville, les deux communes "
        "forment une seule ville : une seule candidature, portée par l'une d'elles ou par leur "
        "intercommunalité. Complétez la candidature existante, ou retirez-la d'abord."
    ]


def test_creation_meme_ville_hors_acv_refusee_avec_message(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.APPEL_OUVERT)
    commune = f.CommuneFactory(code_insee="15014", nom="Aurillac", ville_acv=None)
    premiere = f.CandidatureFactory(vague=vague, commune=commune)

    reponse = client_de(equipe).post(reverse("candidature_creer"), _donnees(vague, commune))

    assert Candidature.objects.count() == 1
    assert reponse.context["form"].errors["commune"] == [
        f"Aurillac a déjà une candidature active dans cette vague ({premiere.reference}). "
        "Complétez la candidature existante, ou retirez-la d'abord."
    ]


@pytest.mark.parametrize("statut_premiere", [S.RETIREE, S.IRRECEVABLE])
def test_creation_apres_retrait_ou_irrecevabilite_acceptee(statut_premiere, client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.APPEL_OUVERT)
    charleville, sedan = _binome()
    f.CandidatureFactory(vague=vague, commune=charleville, statut=statut_premiere)

    reponse = client_de(equipe).post(reverse("candidature_creer"), _donnees(vague, sedan))

    assert reponse.status_code == 302
    assert Candidature.objects.actives().get().commune == sedan


def test_meme_ville_dans_une_autre_vague_acceptee(client_de, equipe):
    vague1 = f.VagueFactory(numero=1, statut=Vague.Statut.CONSOLIDATION)
    vague2 = f.VagueFactory(numero=2, statut=Vague.Statut.APPEL_OUVERT)
    charleville, _ = _binome()
    f.CandidatureFactory(vague=vague1, commune=charleville)

    reponse = client_de(equipe).post(reverse("candidature_creer"), _donnees(vague2, charleville))

    assert (reponse.status_code, Candidature.objects.count()) == (302, 2)


def test_reactiver_une_irrecevable_quand_la_ville_est_deja_candidate_refuse(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    charleville, sedan = _binome()
    ancienne = f.CandidatureFactory(vague=vague, commune=charleville, statut=S.IRRECEVABLE)
    f.CandidatureFactory(vague=vague, commune=sedan)

    reponse = client_de(equipe).post(
        reverse("candidature_transition", args=[ancienne.pk]), {"vers": S.RECUE}
    )

    ancienne.refresh_from_db()
    assert ancienne.statut == S.IRRECEVABLE
    assert _messages(reponse) == [
        "Cette ville a déjà une candidature active dans cette vague : "
        "retirez-la ou déclarez-la irrecevable d'abord."
    ]


def test_modification_vers_une_commune_deja_candidate_refusee(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    charleville, sedan = _binome()
    f.CandidatureFactory(vague=vague, commune=charleville)
    autre = f.CandidatureFactory(vague=vague)
    donnees = _donnees(vague, sedan)
    del donnees["vague"]

    reponse = client_de(equipe).post(reverse("candidature_modifier", args=[autre.pk]), donnees)

    autre.refresh_from_db()
    assert reponse.status_code == 200
    assert autre.commune != sedan
    assert "Sedan a déjà une candidature active" in reponse.context["form"].errors["commune"][0]


# ---------------------------------------------------------------------------------------------
# Saisie
# ---------------------------------------------------------------------------------------------
def test_porteur_epci_prend_l_epci_de_la_commune(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    epci = f.EpciFactory(siren="241500230", nom="CA du Bassin d'Aurillac")
    commune = f.CommuneFactory(code_insee="15014", nom="Aurillac", epci=epci)

    client_de(equipe).post(reverse("candidature_creer"), _donnees(vague, commune, porteur="epci"))

    candidature = Candidature.objects.get()
    assert (candidature.epci, candidature.libelle_porteur) == (epci, "CA du Bassin d'Aurillac")


def test_porteur_epci_sans_epci_refuse(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    commune = f.CommuneFactory(code_insee="15014", nom="Aurillac", epci=None)

    reponse = client_de(equipe).post(
        reverse("candidature_creer"), _donnees(vague, commune, porteur="epci")
    )

    assert Candidature.objects.count() == 0
    assert reponse.context["form"].errors["porteur"] == [
        "Aurillac n'appartient à aucune intercommunalité connue : le porteur ne peut être que la commune."
    ]


def test_commune_inconnue_refusee_sans_erreur_serveur(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    commune = f.CommuneFactory(code_insee="15014", nom="Aurillac")

    donnees = _donnees(vague, commune)
    donnees["commune"] = "Atlantide"

    reponse = client_de(equipe).post(reverse("candidature_creer"), donnees)

    assert (reponse.status_code, Candidature.objects.count()) == (200, 0)
    assert "commune" in reponse.context["form"].errors


def test_montant_negatif_refuse(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    commune = f.CommuneFactory(code_insee="15014", nom="Aurillac")

    reponse = client_de(equipe).post(
        reverse("candidature_creer"),
        _donnees(vague, commune, **{"financements-0-montant": "-10"}),
    )

    assert (reponse.status_code, Candidature.objects.count()) == (200, 0)
    assert reponse.context["formset"].errors[0]["montant"] == [
        "Assurez-vous que cette valeur est supérieure ou égale à 0."
    ]


def test_modification_met_a_jour_le_plan_de_financement(client_de, equipe):
    candidature = f.CandidatureFactory()
    ligne = LigneFinancement.objects.create(
        candidature=candidature, source="commune", montant=Decimal("1000")
    )
    donnees = _donnees(candidature.vague, candidature.commune, resume="Nouveau résumé")
    del donnees["vague"]
    donnees.update(
        {
            "financements-INITIAL_FORMS": "1",
            "financements-0-id": str(ligne.pk),
            "financements-0-DELETE": "on",
        }
    )

    reponse = client_de(equipe).post(
        reverse("candidature_modifier", args=[candidature.pk]), donnees
    )

    candidature.refresh_from_db()
    assert reponse.status_code == 302
    assert (candidature.resume, candidature.montant_total) == (
        "Nouveau résumé",
        Decimal("30000.50"),
    )


@pytest.mark.parametrize("statut", [S.RETENUE, S.NON_RETENUE, S.RETIREE])
def test_modification_refusee_une_fois_decidee_ou_retiree(statut, client_de, equipe):
    candidature = f.CandidatureFactory(statut=statut, resume="Avant")

    reponse = client_de(equipe).post(
        reverse("candidature_modifier", args=[candidature.pk]),
        _donnees(candidature.vague, candidature.commune, resume="Après"),
    )

    candidature.refresh_from_db()
    assert (reponse.status_code, candidature.resume) == (302, "Avant")
    assert "ne se modifie plus" in _messages(reponse)[0]


def test_modification_refusee_vague_verrouillee(client_de, equipe):
    vague = f.VagueFactory(numero=4, statut=Vague.Statut.RESULTATS_PUBLIES)
    candidature = f.CandidatureFactory(vague=vague, statut=S.RECEVABLE, resume="Avant")

    reponse = client_de(equipe).get(reverse("candidature_modifier", args=[candidature.pk]))

    assert reponse.status_code == 302
    assert _messages(reponse) == [
        f"La vague « {vague.nom} » est verrouillée : la candidature ne se modifie plus."
    ]


def test_creation_refusee_aux_autres_roles(client_de, utilisateur_jure, observateur):
    assert client_de(utilisateur_jure).get(reverse("candidature_creer")).status_code == 403
    assert client_de(observateur).get(reverse("candidature_creer")).status_code == 403


def test_formulaire_de_creation_propose_les_vagues_non_verrouillees(client_de, equipe):
    ouverte = f.VagueFactory(numero=2, statut=Vague.Statut.APPEL_OUVERT)
    f.VagueFactory(numero=1, statut=Vague.Statut.CLOSE)

    reponse = client_de(equipe).get(reverse("candidature_creer") + f"?vague={ouverte.pk}")

    form = reponse.context["form"]
    assert (list(form.fields["vague"].queryset), form.initial["vague"]) == (
        [ouverte],
        str(ouverte.pk),
    )


def test_formulaire_de_creation_commune_en_autocompletion(client_de, equipe):
    ouverte = f.VagueFactory(numero=2, statut=Vague.Statut.APPEL_OUVERT)
    f.VagueFactory(numero=1, statut=Vague.Statut.CONSOLIDATION)

    reponse = client_de(equipe).get(reverse("candidature_creer"))

    texte = reponse.content.decode()
    assert reponse.context["form"].initial["vague"] == ouverte.pk
    assert '<datalist id="id_commune-suggestions"></datalist>' in texte
    assert 'data-autocompletion-commune="/communes/autocompletion/"' in texte
    assert "<option" not in texte.split('name="commune"')[1].split("</datalist>")[0]


# ---------------------------------------------------------------------------------------------
# Fiche et accès
# ---------------------------------------------------------------------------------------------
def test_fiche_montre_le_contenu_le_financement_et_le_journal(client_de, equipe):
    candidature = f.CandidatureFactory(
        statut=S.BROUILLON, besoins_territoire="Manque de techniciens de maintenance"
    )
    LigneFinancement.objects.create(candidature=candidature, source="etat", montant=1200)
    LigneFinancement.objects.create(candidature=candidature, source="region", montant=800)
    candidature.changer_statut(S.RECUE, par=equipe, note="Dossier déposé en mairie")

    reponse = client_de(equipe).get(reverse("candidature_detail", args=[candidature.pk]))

    texte = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Manque de techniciens de maintenance" in texte
    assert "2\u00a0000,00 €" in texte
    assert "Dossier déposé en mairie" in texte
    assert reponse.context["total_financement"] == Decimal("2000")
    assert len(reponse.context["historique"]) == 2


def test_fiche_refusee_au_jure_meme_affecte(client_de, utilisateur_jure):
    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)

    reponse = client_de(utilisateur_jure).get(
        reverse("candidature_detail", args=[affectation.candidature.pk])
    )

    assert reponse.status_code == 403


def test_acces_jure_affecte_voit_la_candidature(rf, utilisateur_jure):
    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)
    requete = rf.get("/")
    requete.user = utilisateur_jure

    assert candidature_pour(requete, affectation.candidature.pk) == affectation.candidature


def test_acces_jure_en_conflit_404(rf, utilisateur_jure):
    from django.http import Http404

    from candidatures.models import Conflit

    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)
    Conflit.objects.create(
        jure=affectation.jure, candidature=affectation.candidature, motif="Élu local"
    )
    requete = rf.get("/")
    requete.user = utilisateur_jure

    with pytest.raises(Http404):
        candidature_pour(requete, affectation.candidature.pk)


def test_acces_jure_ecriture_403(rf, utilisateur_jure):
    from django.core.exceptions import PermissionDenied

    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)
    requete = rf.get("/")
    requete.user = utilisateur_jure

    with pytest.raises(PermissionDenied):
        candidature_pour(requete, affectation.candidature.pk, ecriture=True)


# ---------------------------------------------------------------------------------------------
# Liste
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("nombre", [1, 3])
def test_liste_nombre_de_requetes_constant(nombre, client_de, equipe, django_assert_num_queries):
    vague = f.VagueFactory(numero=1)
    for _ in range(nombre):
        f.CandidatureFactory(vague=vague)
    client = client_de(equipe)

    # session, compte, rôles, compte des lignes, la page (candidature, vague, commune,
    # département, région, EPCI), puis les choix des filtres : vagues, régions,
    # départements.
    with django_assert_num_queries(8):
        reponse = client.get(reverse("candidature_liste"))

    assert len(reponse.context["candidatures"]) == nombre


def test_liste_filtre_par_statut_et_recherche(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    aurillac = f.CandidatureFactory(
        vague=vague, commune=f.CommuneFactory(code_insee="15014", nom="Aurillac")
    )
    f.CandidatureFactory(vague=vague, statut=S.INCOMPLETE)
    f.CandidatureFactory(
        vague=vague,
        statut=S.RETIREE,
        commune=f.CommuneFactory(code_insee="15187", nom="Saint-Flour"),
    )

    reponse = client_de(equipe).get(reverse("candidature_liste"), {"statut": "recue", "q": "aur"})

    assert list(reponse.context["candidatures"]) == [aurillac]


def test_liste_affiche_colonnes_et_badge(client_de, equipe):
    candidature = f.CandidatureFactory(
        commune=f.CommuneFactory(code_insee="15014", nom="Aurillac"), statut=S.INCOMPLETE
    )

    texte = client_de(equipe).get(reverse("candidature_liste")).content.decode()

    assert candidature.reference in texte
    assert "Aurillac" in texte
    assert "fr-badge--warning" in texte
    assert "Commune de Aurillac" in texte


def test_liste_pagine_par_cinquante(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    for _ in range(51):
        f.CandidatureFactory(vague=vague)

    reponse = client_de(equipe).get(reverse("candidature_liste"), {"page": 2})

    assert (reponse.context["page_obj"].number, len(reponse.context["candidatures"])) == (2, 1)


def test_liste_refusee_aux_autres_roles(client_de, utilisateur_jure, observateur):
    assert client_de(utilisateur_jure).get(reverse("candidature_liste")).status_code == 403
    assert client_de(observateur).get(reverse("candidature_liste")).status_code == 403


def test_seconde_saisie_simultanee_refusee_par_la_base_avec_message(rf, equipe):
    # Deux saisies de la même ville : la seconde a passé la vérification du formulaire avant
    # que la première n'écrive ; la contrainte de la base la refuse, sans erreur serveur.
    from candidatures.forms.candidatures import CandidatureForm, PlanFinancementFormSet
    from candidatures.views.candidatures import _enregistrer

    vague = f.VagueFactory(numero=1, statut=Vague.Statut.APPEL_OUVERT)
    charleville, sedan = _binome()
    donnees = _donnees(vague, sedan)
    form = CandidatureForm(donnees, instance=Candidature())
    formset = PlanFinancementFormSet(donnees, instance=form.instance, prefix="financements")
    assert form.is_valid() and formset.is_valid()
    premiere = f.CandidatureFactory(vague=vague, commune=charleville)
    requete = rf.post("/")
    requete.user = equipe

    resultat = _enregistrer(requete, form, formset, creation=True)

    assert (resultat, Candidature.objects.count(), LigneFinancement.objects.count()) == (None, 1, 0)
    assert form.errors["commune"][0].startswith(
        f"Sedan a déjà une candidature active dans cette vague ({premiere.reference}"
    )


def test_fiche_montre_la_decision_du_jury(client_de, equipe):
    decision = f.DecisionFactory(
        candidature__statut=S.NON_RETENUE,
        resultat="non_retenue",
        motivation="Locaux à confirmer ; partenariats à formaliser.",
    )

    reponse = client_de(equipe).get(reverse("candidature_detail", args=[decision.candidature.pk]))

    assert reponse.context["decision"] == decision
    assert "Locaux à confirmer ; partenariats à formaliser." in reponse.content.decode()
