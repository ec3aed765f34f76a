"""Les vagues de sélection : transitions, chiffres de la fiche, grille, pièces requises, accès."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from acv.models import VilleAcv
from candidatures.models import (
    Candidature,
    Critere,
    Evaluation,
    Note,
    Piece,
    PieceRequise,
    TransitionCandidature,
    Vague,
)
from candidatures.vagues import part_villes_acv
from tests import factories as f

S = Vague.Statut
C = Candidature.Statut

pytestmark = pytest.mark.django_db


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def _avancer(client, vague, vers):
    return client.post(reverse("vague_avancer", args=[vague.pk]), {"vers": vers})


def _vague_prete(statut, **kwargs) -> Vague:
    """Une vague au statut donné, avec ses dates et une grille d'un critère."""
    vague = f.VagueFactory(numero=1, statut=statut, **kwargs)
    f.CritereFactory(vague=vague, libelle="Pertinence")
    return vague


# ---------------------------------------------------------------------------------------------
# Transitions permises
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "depart, arrivee",
    [
        (S.BROUILLON, S.APPEL_OUVERT),
        (S.APPEL_OUVERT, S.CONSOLIDATION),
        (S.EXAMEN_JURY, S.DELIBERATION),
        (S.RESULTATS_PUBLIES, S.CLOSE),
    ],
)
def test_avancer_vague_transition_permise_change_le_statut_et_le_dit(
    client_de, equipe, depart, arrivee
):
    vague = _vague_prete(depart)

    reponse = _avancer(client_de(equipe), vague, arrivee)

    vague.refresh_from_db()
    assert vague.statut == arrivee
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("vague_detail", args=[vague.pk]) + "#transitions"
    assert _messages(reponse) == [f"La vague est passée à « {S(arrivee).label} »."]


def test_avancer_vague_consolidation_vers_examen_transmet_les_recevables(client_de, equipe):
    vague = _vague_prete(S.CONSOLIDATION)
    recevables = [f.CandidatureFactory(vague=vague, statut=C.RECEVABLE) for _ in range(3)]
    irrecevable = f.CandidatureFactory(
        vague=vague, statut=C.IRRECEVABLE, motif_irrecevabilite="Hors délai"
    )
    retiree = f.CandidatureFactory(vague=vague, statut=C.RETIREE)
    brouillon = f.CandidatureFactory(vague=vague, statut=C.BROUILLON)
    ailleurs = f.CandidatureFactory(vague=f.VagueFactory(numero=2), statut=C.RECEVABLE)

    reponse = _avancer(client_de(equipe), vague, S.EXAMEN_JURY)

    vague.refresh_from_db()
    assert vague.statut == S.EXAMEN_JURY
    assert _messages(reponse) == [
        "La vague est passée à « Examen par le jury ». 3 candidatures transmises au jury."
    ]
    statuts = dict(Candidature.objects.values_list("pk", "statut"))
    assert [statuts[c.pk] for c in recevables] == [C.EN_EXAMEN] * 3
    assert statuts[irrecevable.pk] == C.IRRECEVABLE
    assert statuts[retiree.pk] == C.RETIREE
    assert statuts[brouillon.pk] == C.BROUILLON
    assert statuts[ailleurs.pk] == C.RECEVABLE
    transitions = TransitionCandidature.objects.filter(candidature__in=recevables)
    assert (
        sorted(transitions.values_list("de", "vers", "par"))
        == [(C.RECEVABLE, C.EN_EXAMEN, equipe.pk)] * 3
    )


# ---------------------------------------------------------------------------------------------
# Transitions refusées
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "depart, arrivee, message",
    [
        (
            S.BROUILLON,
            S.CONSOLIDATION,
            "La vague « Vague 1 — 2019 » est « Brouillon » : elle ne peut pas passer à "
            "« Consolidation ». L'étape suivante est « Appel ouvert ».",
        ),
        (
            S.APPEL_OUVERT,
            S.BROUILLON,
            "La vague « Vague 1 — 2019 » est « Appel ouvert » : elle ne peut pas passer à "
            "« Brouillon ». L'étape suivante est « Consolidation ».",
        ),
        (
            S.CONSOLIDATION,
            S.DELIBERATION,
            "La vague « Vague 1 — 2019 » est « Consolidation » : elle ne peut pas passer à "
            "« Délibération ». L'étape suivante est « Examen par le jury ».",
        ),
        (
            S.EXAMEN_JURY,
            S.EXAMEN_JURY,
            "La vague « Vague 1 — 2019 » est « Examen par le jury » : elle ne peut pas passer à "
            "« Examen par le jury ». L'étape suivante est « Délibération ».",
        ),
        (
            S.DELIBERATION,
            S.RESULTATS_PUBLIES,
            "Les résultats se publient depuis la séance du jury, une fois toutes les décisions "
            "enregistrées.",
        ),
        (
            S.RESULTATS_PUBLIES,
            S.DELIBERATION,
            "La vague « Vague 1 — 2019 » est « Résultats publiés » : elle ne peut pas passer à "
            "« Délibération ». L'étape suivante est « Close ».",
        ),
        (
            S.CLOSE,
            S.BROUILLON,
            "La vague « Vague 1 — 2019 » est « Close » : elle ne peut pas passer à « Brouillon ».",
        ),
        (S.CONSOLIDATION, "n_importe_quoi", "Statut de vague inconnu : rien n'a changé."),
    ],
)
def test_avancer_vague_transition_refusee_ne_change_rien_et_dit_pourquoi(
    client_de, equipe, depart, arrivee, message
):
    vague = _vague_prete(depart)

    reponse = _avancer(client_de(equipe), vague, arrivee)

    vague.refresh_from_db()
    assert vague.statut == depart
    assert reponse.status_code == 302
    assert _messages(reponse) == [message]


def test_avancer_vague_ouvrir_l_appel_sans_dates_est_refuse(client_de, equipe):
    vague = _vague_prete(S.BROUILLON, date_ouverture=None)

    reponse = _avancer(client_de(equipe), vague, S.APPEL_OUVERT)

    vague.refresh_from_db()
    assert vague.statut == S.BROUILLON
    assert _messages(reponse) == [
        "Renseignez les dates d'ouverture de l'appel et de limite de dépôt avant d'ouvrir l'appel."
    ]


def test_avancer_vague_vers_examen_refuse_tant_que_des_candidatures_ne_sont_pas_tranchees(
    client_de, equipe
):
    vague = _vague_prete(S.CONSOLIDATION)
    recevable = f.CandidatureFactory(vague=vague, statut=C.RECEVABLE)
    f.CandidatureFactory(vague=vague, statut=C.RECUE)
    f.CandidatureFactory(vague=vague, statut=C.INCOMPLETE)

    reponse = _avancer(client_de(equipe), vague, S.EXAMEN_JURY)

    vague.refresh_from_db()
    recevable.refresh_from_db()
    assert (vague.statut, recevable.statut) == (S.CONSOLIDATION, C.RECEVABLE)
    assert TransitionCandidature.objects.count() == 0
    assert _messages(reponse) == [
        "2 candidatures reçues ou incomplètes ne sont pas encore tranchées : déclarez chacune "
        "recevable ou irrecevable avant de transmettre la vague au jury."
    ]


def test_avancer_vague_vers_examen_une_seule_non_tranchee_au_singulier(client_de, equipe):
    vague = _vague_prete(S.CONSOLIDATION)
    f.CandidatureFactory(vague=vague, statut=C.RECEVABLE)
    f.CandidatureFactory(vague=vague, statut=C.INCOMPLETE)

    reponse = _avancer(client_de(equipe), vague, S.EXAMEN_JURY)

    assert _messages(reponse) == [
        "1 candidature reçue ou incomplète n'est pas encore tranchée : déclarez chacune "
        "recevable ou irrecevable avant de transmettre la vague au jury."
    ]


def test_avancer_vague_vers_examen_sans_recevable_est_refuse(client_de, equipe):
    vague = _vague_prete(S.CONSOLIDATION)
    f.CandidatureFactory(vague=vague, statut=C.IRRECEVABLE, motif_irrecevabilite="Hors délai")

    reponse = _avancer(client_de(equipe), vague, S.EXAMEN_JURY)

    vague.refresh_from_db()
    assert vague.statut == S.CONSOLIDATION
    assert _messages(reponse) == ["Aucune candidature recevable à transmettre au jury."]


def test_avancer_vague_vers_examen_sans_grille_est_refuse(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=S.CONSOLIDATION)
    f.CandidatureFactory(vague=vague, statut=C.RECEVABLE)

    reponse = _avancer(client_de(equipe), vague, S.EXAMEN_JURY)

    vague.refresh_from_db()
    assert vague.statut == S.CONSOLIDATION
    assert _messages(reponse) == [
        "La grille de la vague n'a aucun critère : les jurés n'auraient rien à noter."
    ]


def test_avancer_vague_par_un_jure_est_interdit(client_de, utilisateur_jure):
    vague = _vague_prete(S.BROUILLON)

    reponse = _avancer(client_de(utilisateur_jure), vague, S.APPEL_OUVERT)

    vague.refresh_from_db()
    assert (reponse.status_code, vague.statut) == (403, S.BROUILLON)


def test_avancer_vague_en_get_est_refuse(client_de, equipe):
    vague = _vague_prete(S.BROUILLON)

    reponse = client_de(equipe).get(reverse("vague_avancer", args=[vague.pk]))

    assert reponse.status_code == 405


def test_avancer_vague_inexistante_donne_404(client_de, equipe):
    reponse = client_de(equipe).post(reverse("vague_avancer", args=[999]), {"vers": "close"})

    assert reponse.status_code == 404


def test_avancer_vague_ecrit_l_historique_visible_sur_la_fiche(client_de, equipe):
    vague = _vague_prete(S.BROUILLON)
    client = client_de(equipe)

    _avancer(client, vague, S.APPEL_OUVERT)
    reponse = client.get(reverse("vague_detail", args=[vague.pk]))

    entree = reponse.context["historique"][0]
    assert (entree.action, entree.par) == ("Statut : Appel ouvert", "Prénom " + equipe.last_name)


def test_fiche_vague_en_deliberation_renvoie_a_la_seance_sans_bouton_de_publication(
    client_de, equipe
):
    vague = _vague_prete(S.DELIBERATION)

    reponse = client_de(equipe).get(reverse("vague_detail", args=[vague.pk]))

    assert 'value="resultats_publies"' not in reponse.content.decode()
    assert reponse.context["action_suivante"] == "Publier les résultats"


def test_fiche_vague_propose_le_bouton_de_l_etape_suivante(client_de, equipe):
    vague = _vague_prete(S.CONSOLIDATION)

    reponse = client_de(equipe).get(reverse("vague_detail", args=[vague.pk]))

    contenu = reponse.content.decode()
    assert contenu.count('name="vers"') == 1
    assert 'value="examen_jury"' in contenu
    assert "Transmettre au jury" in contenu


# ---------------------------------------------------------------------------------------------
# La part des villes ACV de 2018 (85 / 222 → 38 %)
# ---------------------------------------------------------------------------------------------
def _villes_acv(nombre: int, entree: int = 2018, debut: int = 1) -> list[VilleAcv]:
    return VilleAcv.objects.bulk_create(
        VilleAcv(id_acv=f"ACV{n:03d}", libelle=f"Ville {n}", entree=entree)
        for n in range(debut, debut + nombre)
    )


def _jeu_de_85_villes_sur_222() -> Vague:
    """222 villes de 2018 ; 85 ont une candidature reçue dans la vague, dont un binôme aux deux
    communes candidates et une ville dont la candidature a été retirée après réception ; plus
    un brouillon, une ville entrée en 2023 et une candidature d'une autre vague, qui ne comptent pas."""
    villes = _villes_acv(222)
    (ville_2023,) = _villes_acv(1, entree=2023, debut=300)
    vague = f.VagueFactory(numero=1, statut=S.EXAMEN_JURY)
    autre_vague = f.VagueFactory(numero=2)
    statuts = [C.EN_EXAMEN, C.RECUE, C.IRRECEVABLE, C.RECEVABLE, C.NON_RETENUE, C.RETENUE]
    for i, ville in enumerate(villes[:83]):
        f.CandidatureFactory(
            vague=vague,
            commune=f.CommuneFactory(ville_acv=ville),
            statut=statuts[i % len(statuts)],
            motif_irrecevabilite="Dossier incomplet",
        )
    binome = villes[83]
    f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(ville_acv=binome), statut=C.RETIREE)
    f.CandidatureFactory(
        vague=vague, commune=f.CommuneFactory(ville_acv=binome), statut=C.EN_EXAMEN
    )
    f.CandidatureFactory(
        vague=vague, commune=f.CommuneFactory(ville_acv=villes[84]), statut=C.RETIREE
    )
    f.CandidatureFactory(
        vague=vague, commune=f.CommuneFactory(ville_acv=villes[85]), statut=C.BROUILLON
    )
    f.CandidatureFactory(
        vague=vague, commune=f.CommuneFactory(ville_acv=ville_2023), statut=C.EN_EXAMEN
    )
    f.CandidatureFactory(
        vague=autre_vague, commune=f.CommuneFactory(ville_acv=villes[86]), statut=C.RECUE
    )
    return vague


def test_part_villes_acv_compte_85_villes_distinctes_sur_222():
    vague = _jeu_de_85_villes_sur_222()

    part = part_villes_acv(vague)

    assert (part.villes, part.total, part.pourcentage) == (85, 222, 38)


def test_fiche_vague_affiche_38_pour_cent_et_le_detail_85_sur_222(client_de, equipe):
    vague = _jeu_de_85_villes_sur_222()

    reponse = client_de(equipe).get(reverse("vague_detail", args=[vague.pk]))

    contenu = reponse.content.decode()
    assert '<p class="fr-callout__title" id="chiffre-part-acv">38&nbsp;%</p>' in contenu
    assert "85&nbsp;/&nbsp;222" in contenu
    # 83 + 2 (binôme) + 1 (retirée) + 1 (ville de 2023) reçues ; le brouillon à part.
    assert (reponse.context["nb_recues"], reponse.context["nb_brouillons"]) == (87, 1)


def test_part_villes_acv_binome_compte_une_fois():
    (binome,) = _villes_acv(1)
    vague = f.VagueFactory(numero=1)
    f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(ville_acv=binome), statut=C.RETIREE)
    f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(ville_acv=binome), statut=C.RECUE)

    assert part_villes_acv(vague).villes == 1


def test_part_villes_acv_candidature_retiree_apres_reception_compte_encore():
    (ville,) = _villes_acv(1)
    vague = f.VagueFactory(numero=1)
    f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(ville_acv=ville), statut=C.RETIREE)

    assert part_villes_acv(vague).villes == 1


def test_part_villes_acv_brouillon_ne_compte_pas():
    (ville,) = _villes_acv(1)
    vague = f.VagueFactory(numero=1)
    f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(ville_acv=ville), statut=C.BROUILLON)

    assert part_villes_acv(vague).villes == 0


def test_part_villes_acv_ville_entree_en_2023_ne_compte_pas():
    (ville,) = _villes_acv(1, entree=2023)
    vague = f.VagueFactory(numero=1)
    f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(ville_acv=ville), statut=C.RECUE)

    assert (part_villes_acv(vague).villes, part_villes_acv(vague).total) == (0, 0)


def test_part_villes_acv_arrondi_a_l_entier_le_plus_proche():
    vague = f.VagueFactory(numero=1)
    villes = _villes_acv(8)
    for ville in villes[:3]:
        f.CandidatureFactory(vague=vague, commune=f.CommuneFactory(ville_acv=ville))

    assert part_villes_acv(vague).pourcentage == 38  # 3 / 8 = 37,5 %


def test_fiche_vague_compte_par_statut_et_par_region(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    f.CandidatureFactory(vague=vague, statut=C.RECUE)
    f.CandidatureFactory(vague=vague, statut=C.RECUE)
    f.CandidatureFactory(vague=vague, statut=C.RETIREE)
    f.CandidatureFactory(vague=vague, statut=C.BROUILLON)

    reponse = client_de(equipe).get(reverse("vague_detail", args=[vague.pk]))

    par_statut = dict(reponse.context["par_statut"])
    assert (par_statut["Reçue"], par_statut["Retirée"], par_statut["Brouillon"]) == (2, 1, 1)
    assert par_statut["Retenue"] == 0
    assert reponse.context["par_region"] == [
        {"commune__region__nom": "Auvergne-Rhône-Alpes", "recues": 3, "en_cours": 2, "retenues": 0}
    ]


# ---------------------------------------------------------------------------------------------
# Liste et formulaires de la vague
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("nombre", [1, 3])
def test_liste_des_vagues_en_nombre_de_requetes_constant(
    client_de, equipe, django_assert_num_queries, nombre
):
    for numero in range(1, nombre + 1):
        vague = f.VagueFactory(numero=numero)
        f.CandidatureFactory(vague=vague, statut=C.RECUE)
        f.CandidatureFactory(vague=vague, statut=C.BROUILLON)
    client = client_de(equipe)

    # session, compte, groupes du compte (rôles), vagues avec leur nombre de candidatures reçues
    with django_assert_num_queries(4):
        reponse = client.get(reverse("vague_liste"))

    assert reponse.status_code == 200
    assert [v.nb_recues for v in reponse.context["vagues"]] == [1] * nombre


def test_liste_des_vagues_interdite_a_un_observateur(client_de, observateur):
    assert client_de(observateur).get(reverse("vague_liste")).status_code == 403


def _donnees_vague(**kwargs) -> dict:
    donnees = {
        "numero": 3,
        "nom": "Vague 3 — 2021",
        "date_ouverture": "2021-01-11",
        "date_limite": "2021-04-30",
        "date_limite_evaluations": "2021-06-04",
        "date_jury": "2021-06-15",
        "date_resultats": "2021-07-01",
        "places_prevues": "20",
        "nb_evaluateurs": "3",
    }
    donnees.update(kwargs)
    return donnees


def test_creer_vague_la_cree_en_brouillon(client_de, equipe):
    reponse = client_de(equipe).post(reverse("vague_creer"), _donnees_vague())

    vague = Vague.objects.get()
    assert reponse["Location"] == reverse("vague_detail", args=[vague.pk])
    assert (vague.nom, vague.statut, vague.date_jury) == (
        "Vague 3 — 2021",
        S.BROUILLON,
        datetime.date(2021, 6, 15),
    )
    assert vague.history.get().history_user == equipe


def test_creer_vague_propose_le_numero_suivant(client_de, equipe):
    f.VagueFactory(numero=2)

    reponse = client_de(equipe).get(reverse("vague_creer"))

    assert reponse.context["form"].initial["numero"] == 3


def test_creer_vague_refuse_un_calendrier_a_rebours(client_de, equipe):
    reponse = client_de(equipe).post(reverse("vague_creer"), _donnees_vague(date_jury="2021-03-01"))

    assert reponse.status_code == 200
    assert Vague.objects.count() == 0
    assert reponse.context["form"].errors["date_jury"] == [
        "Cette date précède « Date limite des évaluations » (04/06/2021) : "
        "le calendrier doit se suivre."
    ]


def test_creer_vague_refuse_un_numero_deja_pris(client_de, equipe):
    f.VagueFactory(numero=3)

    reponse = client_de(equipe).post(reverse("vague_creer"), _donnees_vague())

    assert reponse.context["form"].errors["numero"] == ["Une vague porte déjà ce numéro."]


def test_modifier_vague_enregistre_ses_dates_et_places(client_de, equipe):
    vague = f.VagueFactory(numero=3, statut=S.APPEL_OUVERT)

    client_de(equipe).post(
        reverse("vague_modifier", args=[vague.pk]),
        _donnees_vague(places_prevues="25", nb_evaluateurs="2"),
    )

    vague.refresh_from_db()
    assert (vague.places_prevues, vague.nb_evaluateurs, vague.statut) == (25, 2, S.APPEL_OUVERT)
    assert vague.date_limite_evaluations == datetime.date(2021, 6, 4)


def test_modifier_vague_refuse_zero_evaluateur(client_de, equipe):
    vague = f.VagueFactory(numero=3)

    reponse = client_de(equipe).post(
        reverse("vague_modifier", args=[vague.pk]), _donnees_vague(nb_evaluateurs="0")
    )

    vague.refresh_from_db()
    assert vague.nb_evaluateurs == 3
    assert reponse.context["form"].errors["nb_evaluateurs"] == [
        "Assurez-vous que cette valeur est supérieure ou égale à 1."
    ]


def test_modifier_vague_aux_resultats_publies_est_refuse(client_de, equipe):
    vague = f.VagueFactory(numero=3, statut=S.RESULTATS_PUBLIES)

    reponse = client_de(equipe).post(
        reverse("vague_modifier", args=[vague.pk]), _donnees_vague(places_prevues="99")
    )

    vague.refresh_from_db()
    assert vague.places_prevues == 10
    assert _messages(reponse) == [
        "Les résultats de « Vague 3 — 2021 » sont publiés : la vague ne peut plus être modifiée."
    ]


def test_fiche_vague_inexistante_donne_404(client_de, equipe):
    assert client_de(equipe).get(reverse("vague_detail", args=[999])).status_code == 404


# ---------------------------------------------------------------------------------------------
# Grille
# ---------------------------------------------------------------------------------------------
def _donnees_critere(**kwargs) -> dict:
    donnees = {
        "libelle": "Ancrage territorial",
        "description": "Les besoins du bassin d'emploi sont établis.",
        "poids": "1,5",
        "note_min": "1",
        "note_max": "4",
        "ordre": "3",
    }
    donnees.update(kwargs)
    return donnees


def _soumettre_une_evaluation(vague: Vague) -> None:
    candidature = f.CandidatureFactory(vague=vague, statut=C.EN_EXAMEN)
    affectation = f.AffectationFactory(jure=f.JureFactory(vague=vague), candidature=candidature)
    f.EvaluationFactory(
        affectation=affectation,
        statut=Evaluation.Statut.SOUMISE,
        soumise_le=timezone.now(),
        avis=Evaluation.Avis.FAVORABLE,
    )


def test_ajouter_critere_a_une_grille_modifiable(client_de, equipe):
    vague = f.VagueFactory(numero=1)

    reponse = client_de(equipe).post(
        reverse("vague_critere_ajouter", args=[vague.pk]), _donnees_critere()
    )

    critere = Critere.objects.get()
    assert (critere.vague, critere.libelle, str(critere.poids), critere.note_max) == (
        vague,
        "Ancrage territorial",
        "1.50",
        4,
    )
    assert reponse["Location"] == reverse("vague_detail", args=[vague.pk]) + "#grille"


def test_ajouter_critere_refuse_une_echelle_inversee(client_de, equipe):
    vague = f.VagueFactory(numero=1)

    reponse = client_de(equipe).post(
        reverse("vague_critere_ajouter", args=[vague.pk]),
        _donnees_critere(note_min="4", note_max="1"),
    )

    assert Critere.objects.count() == 0
    assert reponse.context["form"].errors["note_max"] == [
        "La note maximale doit être supérieure à la note minimale."
    ]


def test_ajouter_critere_refuse_un_poids_nul(client_de, equipe):
    vague = f.VagueFactory(numero=1)

    reponse = client_de(equipe).post(
        reverse("vague_critere_ajouter", args=[vague.pk]), _donnees_critere(poids="0")
    )

    assert Critere.objects.count() == 0
    assert reponse.context["form"].errors["poids"] == ["Le poids doit être strictement positif."]


def test_modifier_critere_change_son_poids(client_de, equipe):
    critere = f.CritereFactory(vague=f.VagueFactory(numero=1))

    client_de(equipe).post(
        reverse("vague_critere_modifier", args=[critere.vague.pk, critere.pk]),
        _donnees_critere(poids="2"),
    )

    critere.refresh_from_db()
    assert (critere.libelle, str(critere.poids)) == ("Ancrage territorial", "2.00")


def test_modifier_critere_d_une_autre_vague_donne_404(client_de, equipe):
    critere = f.CritereFactory(vague=f.VagueFactory(numero=1))
    autre = f.VagueFactory(numero=2)

    reponse = client_de(equipe).get(reverse("vague_critere_modifier", args=[autre.pk, critere.pk]))

    assert reponse.status_code == 404


def test_retirer_critere_efface_les_notes_en_brouillon(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=S.EXAMEN_JURY)
    critere = f.CritereFactory(vague=vague)
    conserve = f.CritereFactory(vague=vague)
    evaluation = f.EvaluationFactory(
        affectation=f.AffectationFactory(
            jure=f.JureFactory(vague=vague), candidature=f.CandidatureFactory(vague=vague)
        )
    )
    f.NoteFactory(evaluation=evaluation, critere=critere)
    f.NoteFactory(evaluation=evaluation, critere=conserve)

    reponse = client_de(equipe).post(reverse("vague_critere_retirer", args=[vague.pk, critere.pk]))

    assert list(Critere.objects.all()) == [conserve]
    assert list(Note.objects.values_list("critere", flat=True)) == [conserve.pk]
    assert _messages(reponse) == [
        f"Le critère « {critere.libelle} » est retiré de la grille. "
        "1 note en brouillon sur ce critère a été effacée."
    ]


def test_grille_figee_apres_une_evaluation_soumise(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=S.EXAMEN_JURY)
    critere = f.CritereFactory(vague=vague, libelle="Pertinence", poids=2)
    _soumettre_une_evaluation(vague)
    client = client_de(equipe)
    refus = [
        "Une évaluation de « Vague 1 — 2019 » a déjà été soumise : sa grille est figée, "
        "rien n'a été modifié."
    ]

    ajout = client.post(
        reverse("vague_critere_ajouter", args=[vague.pk]), _donnees_critere(), follow=True
    )
    modification = client.post(
        reverse("vague_critere_modifier", args=[vague.pk, critere.pk]),
        _donnees_critere(poids="5"),
        follow=True,
    )
    retrait = client.post(
        reverse("vague_critere_retirer", args=[vague.pk, critere.pk]), follow=True
    )
    page = client.get(reverse("vague_critere_ajouter", args=[vague.pk]), follow=True)

    for reponse in (ajout, modification, retrait, page):
        assert [str(m) for m in reponse.context["messages"]] == refus
        assert reponse.redirect_chain == [
            (reverse("vague_detail", args=[vague.pk]) + "#grille", 302)
        ]
    critere.refresh_from_db()
    assert list(Critere.objects.all()) == [critere]
    assert (critere.libelle, str(critere.poids)) == ("Pertinence", "2.00")
    fiche = client.get(reverse("vague_detail", args=[vague.pk]))
    assert fiche.context["grille_modifiable"] is False
    assert reverse("vague_critere_ajouter", args=[vague.pk]) not in fiche.content.decode()


def test_grille_modifiable_tant_que_les_evaluations_sont_en_brouillon(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=S.EXAMEN_JURY)
    f.EvaluationFactory(
        affectation=f.AffectationFactory(
            jure=f.JureFactory(vague=vague), candidature=f.CandidatureFactory(vague=vague)
        )
    )

    client_de(equipe).post(reverse("vague_critere_ajouter", args=[vague.pk]), _donnees_critere())

    assert Critere.objects.filter(vague=vague).count() == 1


def test_grille_d_une_autre_vague_reste_modifiable(client_de, equipe):
    vague = f.VagueFactory(numero=1, statut=S.EXAMEN_JURY)
    _soumettre_une_evaluation(vague)
    autre = f.VagueFactory(numero=2, statut=S.CONSOLIDATION)

    client_de(equipe).post(reverse("vague_critere_ajouter", args=[autre.pk]), _donnees_critere())

    assert Critere.objects.filter(vague=autre).count() == 1


def test_ajouter_critere_par_un_observateur_est_interdit(client_de, observateur):
    vague = f.VagueFactory(numero=1)

    reponse = client_de(observateur).post(
        reverse("vague_critere_ajouter", args=[vague.pk]), _donnees_critere()
    )

    assert (reponse.status_code, Critere.objects.count()) == (403, 0)


# ---------------------------------------------------------------------------------------------
# Pièces requises
# ---------------------------------------------------------------------------------------------
def test_ajouter_piece_requise(client_de, equipe):
    vague = f.VagueFactory(numero=1)

    client_de(equipe).post(
        reverse("vague_piece_ajouter", args=[vague.pk]),
        {"libelle": "Délibération du conseil municipal", "obligatoire": "on", "ordre": "1"},
    )

    piece = PieceRequise.objects.get()
    assert (piece.vague, piece.libelle, piece.obligatoire) == (
        vague,
        "Délibération du conseil municipal",
        True,
    )


def test_ajouter_piece_requise_en_double_est_refuse(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    f.PieceRequiseFactory(vague=vague, libelle="Plan de financement")

    reponse = client_de(equipe).post(
        reverse("vague_piece_ajouter", args=[vague.pk]),
        {"libelle": "plan de financement", "ordre": "2"},
    )

    assert PieceRequise.objects.count() == 1
    assert reponse.context["form"].errors["libelle"] == [
        "Cette vague demande déjà une pièce de ce libellé."
    ]


def test_modifier_piece_requise_la_rend_facultative(client_de, equipe):
    piece = f.PieceRequiseFactory(vague=f.VagueFactory(numero=1), libelle="Plan des locaux")

    client_de(equipe).post(
        reverse("vague_piece_modifier", args=[piece.vague.pk, piece.pk]),
        {"libelle": "Plan des locaux", "ordre": "4"},
    )

    piece.refresh_from_db()
    assert (piece.obligatoire, piece.ordre) == (False, 4)


def test_retirer_piece_requise_sans_document(client_de, equipe):
    piece = f.PieceRequiseFactory(vague=f.VagueFactory(numero=1))

    client_de(equipe).post(reverse("vague_piece_retirer", args=[piece.vague.pk, piece.pk]))

    assert PieceRequise.objects.count() == 0


def test_retirer_piece_requise_a_laquelle_un_document_renvoie_est_refuse(client_de, equipe):
    vague = f.VagueFactory(numero=1)
    piece = f.PieceRequiseFactory(vague=vague, libelle="Plan de financement")
    Piece.objects.create(
        candidature=f.CandidatureFactory(vague=vague),
        piece_requise=piece,
        fichier="pieces/2019/06/plan.pdf",
        nom_original="plan.pdf",
        type_mime="application/pdf",
        taille=1000,
    )

    reponse = client_de(equipe).post(reverse("vague_piece_retirer", args=[vague.pk, piece.pk]))

    assert PieceRequise.objects.count() == 1
    assert _messages(reponse) == [
        "La pièce « Plan de financement » ne peut pas être retirée : 1 document déposé y renvoie. "
        "Modifiez-la plutôt, ou rendez-la facultative."
    ]


def test_retirer_piece_requise_d_une_autre_vague_donne_404(client_de, equipe):
    piece = f.PieceRequiseFactory(vague=f.VagueFactory(numero=1))
    autre = f.VagueFactory(numero=2)

    reponse = client_de(equipe).post(reverse("vague_piece_retirer", args=[autre.pk, piece.pk]))

    assert (reponse.status_code, PieceRequise.objects.count()) == (404, 1)


def test_retirer_piece_requise_par_un_responsable_regional_est_interdit(
    client_de, responsable_regional
):
    piece = f.PieceRequiseFactory(vague=f.VagueFactory(numero=1))

    reponse = client_de(responsable_regional).post(
        reverse("vague_piece_retirer", args=[piece.vague.pk, piece.pk])
    )

    assert (reponse.status_code, PieceRequise.objects.count()) == (403, 1)


def test_retirer_piece_requise_en_get_est_refuse(client_de, equipe):
    piece = f.PieceRequiseFactory(vague=f.VagueFactory(numero=1))

    reponse = client_de(equipe).get(reverse("vague_piece_retirer", args=[piece.vague.pk, piece.pk]))

    assert (reponse.status_code, PieceRequise.objects.count()) == (405, 1)


def test_modifier_vague_ne_change_plus_son_numero_une_fois_des_candidatures_recues(
    client_de, equipe
):
    vague = f.VagueFactory(numero=3)
    f.CandidatureFactory(vague=vague)

    client_de(equipe).post(
        reverse("vague_modifier", args=[vague.pk]), _donnees_vague(numero="7", places_prevues="12")
    )

    vague.refresh_from_db()
    assert (vague.numero, vague.places_prevues) == (3, 12)
