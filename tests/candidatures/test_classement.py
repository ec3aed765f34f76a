"""Le classement d'une vague, contre des valeurs calculées à la main.

La grille du petit jeu : « Projet » (poids 3, noté de 1 à 5) et « Partenaires » (poids 1, de 0
à 8). Σ poids × (max − min) = 3 × 4 + 1 × 8 = 20, donc une évaluation vaut
20 × (3 × (projet − 1) + partenaires) / 20 = 3 × (projet − 1) + partenaires.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from acv.roles import Role
from candidatures import scores
from candidatures.classement import (
    PAR_NOTE,
    EvaluationSoumise,
    Notes,
    arrondi,
    calculer_notes,
    classement_de,
    classer,
    oublier_les_calculs_gardes,
)
from candidatures.models import Candidature, Evaluation, Vague
from tests import factories as f

F, R, D = (Evaluation.Avis.FAVORABLE, Evaluation.Avis.RESERVES, Evaluation.Avis.DEFAVORABLE)


def grille(vague):
    return [
        f.CritereFactory(vague=vague, libelle="Projet", poids=3, note_min=1, note_max=5, ordre=1),
        f.CritereFactory(vague=vague, libelle="Partenaires", poids=1, note_min=0, note_max=8),
    ]


def evaluer(jure, candidature, projet, partenaires, avis, criteres, *, soumise=True):
    """Une évaluation notée sur la grille, sa note sur 20 calculée comme à la soumission."""
    affectation = f.AffectationFactory(jure=jure, candidature=candidature)
    evaluation = f.EvaluationFactory(affectation=affectation)
    valeurs = {criteres[0].pk: projet, criteres[1].pk: partenaires}
    for critere in criteres:
        f.NoteFactory(evaluation=evaluation, critere=critere, valeur=valeurs[critere.pk])
    if soumise:
        evaluation.statut = Evaluation.Statut.SOUMISE
        evaluation.soumise_le = timezone.now()
        evaluation.avis = avis
        evaluation.note_sur_20 = scores.note_sur_20(criteres, valeurs)
        evaluation.save()
    return evaluation


def candidature(vague, nom):
    commune = f.CommuneFactory(nom=nom)
    return f.CandidatureFactory(vague=vague, commune=commune, statut=Candidature.Statut.EN_EXAMEN)


@pytest.fixture
def petit_jeu(db):
    """Cinq jurés, quatre candidatures notées et une sans évaluation soumise.

    A : X = 15, Y = 5   (moyenne 10, écart-type 5 : z(X) = +1, z(Y) = −1)
    B : X = 18, Z = 10  (moyenne 14, écart-type 4 : z(X) = +1, z(Z) = −1)
    C : Y = 8           (une seule évaluation : z = 0)
    D : Z = 9, W = 9    (aucune variation : z = 0)
    E : W = 14          (une seule : z = 0) ; et un brouillon sur V.
    Toutes les notes : 15, 5, 18, 10, 8, 9, 9, 14 → moyenne 88 / 8 = 11 ;
    écarts à la moyenne 4, −6, 7, −1, −3, −2, −2, 3 → Σ carrés 128, variance 16, écart-type 4.
    """
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.DELIBERATION, places_prevues=2)
    criteres = grille(vague)
    a, b, c, d, e = (f.JureFactory(vague=vague) for _ in range(5))
    x = candidature(vague, "Xertigny")
    y = candidature(vague, "Yvetot")
    z = candidature(vague, "Zuydcoote")
    w = candidature(vague, "Wissant")
    v = candidature(vague, "Vitré")
    evaluer(a, x, 5, 3, F, criteres)  # 3 × 4 + 3 = 15
    evaluer(a, y, 2, 2, R, criteres)  # 3 × 1 + 2 = 5
    evaluer(b, x, 5, 6, D, criteres)  # 12 + 6 = 18
    evaluer(b, z, 4, 1, F, criteres)  # 9 + 1 = 10
    evaluer(c, y, 3, 2, D, criteres)  # 6 + 2 = 8
    evaluer(d, z, 3, 3, R, criteres)  # 6 + 3 = 9
    evaluer(d, w, 3, 3, F, criteres)  # 9
    evaluer(e, w, 5, 2, F, criteres)  # 12 + 2 = 14
    evaluer(e, v, 5, 5, F, criteres, soumise=False)
    return vague, {"X": x, "Y": y, "Z": z, "W": w, "V": v}


def lignes_par_nom(classement):
    return {ligne.candidature.commune.nom[0]: ligne for ligne in classement.lignes}


# -- la note d'une évaluation -------------------------------------------------------------------
def test_note_sur_20_tient_compte_des_poids_et_du_minimum_de_l_echelle(db):
    criteres = grille(f.VagueFactory())
    projet, partenaires = criteres

    # 20 × (3 × (4 − 1) + 1 × (5 − 0)) / 20 = 14 ; le minimum de « Projet » (1) vaut 0 point.
    assert scores.note_sur_20(criteres, {projet.pk: 4, partenaires.pk: 5}) == 14.0
    assert scores.note_sur_20(criteres, {projet.pk: 1, partenaires.pk: 0}) == 0.0
    assert scores.note_sur_20(criteres, {projet.pk: 5, partenaires.pk: 8}) == 20.0


# -- les notes d'une candidature ----------------------------------------------------------------
def test_classement_donne_la_moyenne_des_notes_et_l_ecart(petit_jeu):
    vague, _ = petit_jeu

    lignes = lignes_par_nom(classement_de(vague))

    assert (lignes["X"].notes.note, lignes["X"].notes.ecart) == (16.5, 3.0)
    assert (lignes["Y"].notes.note, lignes["Y"].notes.ecart) == (6.5, 3.0)
    assert (lignes["Z"].notes.note, lignes["Z"].notes.ecart) == (9.5, 1.0)
    assert (lignes["W"].notes.note, lignes["W"].notes.ecart) == (11.5, 5.0)


def test_classement_corrige_la_severite_des_jures(petit_jeu):
    vague, _ = petit_jeu

    lignes = lignes_par_nom(classement_de(vague))

    # X : z moyen (1 + 1) / 2 = 1 → 11 + 4 × 1 = 15 ; Y : (−1 + 0) / 2 → 11 − 2 = 9 ;
    # Z : (−1 + 0) / 2 → 9 ; W : (0 + 0) / 2 → 11 (juré sans variation, juré à une évaluation).
    assert lignes["X"].notes.note_corrigee == pytest.approx(15.0, abs=1e-12)
    assert lignes["Y"].notes.note_corrigee == pytest.approx(9.0, abs=1e-12)
    assert lignes["Z"].notes.note_corrigee == pytest.approx(9.0, abs=1e-12)
    assert lignes["W"].notes.note_corrigee == pytest.approx(11.0, abs=1e-12)


def test_classement_compte_les_avis_et_les_evaluations(petit_jeu):
    vague, _ = petit_jeu

    lignes = lignes_par_nom(classement_de(vague))

    x, v = lignes["X"], lignes["V"]
    assert (x.notes.favorables, x.notes.reserves, x.notes.defavorables) == (1, 0, 1)
    assert (x.notes.soumises, x.attendues) == (2, 2)
    assert (v.notes.soumises, v.attendues, v.rang, v.notes.note) == (0, 1, None, None)


def test_classement_signale_l_ecart_et_les_avis_opposes(petit_jeu):
    vague, _ = petit_jeu

    lignes = lignes_par_nom(classement_de(vague))

    # X : favorable et défavorable ; W : écart de 5 ; Y : réserves et défavorable, écart 3.
    drapeaux = {nom: ligne.a_discuter for nom, ligne in lignes.items()}
    assert drapeaux == {"X": True, "W": True, "Y": False, "Z": False, "V": False}


def test_classement_partage_les_rangs_des_ex_aequo(petit_jeu):
    vague, _ = petit_jeu

    classement = classement_de(vague)

    # Notes corrigées 15, 11, 9, 9 : Y et Z ex æquo au 3e rang, dans l'ordre alphabétique ; V à la fin.
    ordre = [(ligne.candidature.commune.nom[0], ligne.rang) for ligne in classement.lignes]
    assert ordre == [("X", 1), ("W", 2), ("Y", 3), ("Z", 3), ("V", None)]


def test_classement_par_note_brute(petit_jeu):
    vague, _ = petit_jeu

    classement = classement_de(vague, par=PAR_NOTE)

    ordre = [(ligne.candidature.commune.nom[0], ligne.rang) for ligne in classement.lignes]
    assert ordre == [("X", 1), ("W", 2), ("Z", 3), ("Y", 4), ("V", None)]


def test_notes_corrigees_bornees_a_0_et_20():
    # A (indulgent) : 20, 20, 20, 20, 0 (moyenne 16, écart-type 8 : z = 0,5 ou −2) sur a1…a5 ;
    # B (sévère) : 0, 0, 0, 0, 20 (moyenne 4, écart-type 8 : z = −0,5 ou 2) sur b1…b5.
    # Vague : moyenne 10, écart-type 10. a5 : 10 − 20 = −10 → 0 ; b5 : 10 + 20 = 30 → 20 ;
    # a1 : 10 + 5 = 15 ; b1 : 10 − 5 = 5.
    evaluations = [EvaluationSoumise(i, 1, 20.0, F) for i in range(1, 5)]
    evaluations += [EvaluationSoumise(5, 1, 0.0, D)]
    evaluations += [EvaluationSoumise(i, 2, 0.0, D) for i in range(11, 15)]
    evaluations += [EvaluationSoumise(15, 2, 20.0, F)]

    notes = calculer_notes(evaluations)

    corrigees = {c: notes[c].note_corrigee for c in (1, 5, 11, 15)}
    assert corrigees == {1: 15.0, 5: 0.0, 11: 5.0, 15: 20.0}


def test_ecart_type_nul_de_la_vague_ne_divise_pas_par_zero():
    evaluations = [EvaluationSoumise(1, 1, 12.0, F), EvaluationSoumise(2, 2, 12.0, F)]

    notes = calculer_notes(evaluations)

    assert (notes[1].note_corrigee, notes[2].note_corrigee) == (12.0, 12.0)


def test_ex_aequo_compares_a_deux_decimales():
    notes = {
        1: Notes(note_corrigee=14.0),
        2: Notes(note_corrigee=12.344),
        3: Notes(note_corrigee=12.3449),
        4: Notes(note_corrigee=12.345),  # 12,35 : devant les deux précédentes
        5: Notes(note_corrigee=3.0),
    }

    ordre, rangs = classer([1, 2, 3, 4, 5], notes)

    assert ordre == [1, 4, 2, 3, 5]
    assert [rangs[c] for c in ordre] == [1, 2, 3, 3, 5]


def test_arrondi_a_deux_decimales_au_plus_proche():
    assert (arrondi(12.345), arrondi(12.344), arrondi(2 / 3)) == (
        Decimal("12.35"),
        Decimal("12.34"),
        Decimal("0.67"),
    )


# -- la page et ses exports -------------------------------------------------------------------
def _vague_notee(nb_candidatures):
    vague = f.VagueFactory(numero=7, statut=Vague.Statut.DELIBERATION, places_prevues=2)
    criteres = grille(vague)
    jures = [f.JureFactory(vague=vague) for _ in range(3)]
    for i in range(nb_candidatures):
        cand = candidature(vague, f"Commune {i}")
        for j, jure in enumerate(jures):
            evaluer(jure, cand, 1 + (i + j) % 5, (i * j) % 9, F, criteres)
    return vague


@pytest.mark.parametrize("nb", [1, 3])
def test_page_classement_en_nombre_constant_de_requetes(
    nb, client_de, equipe, django_assert_num_queries
):
    vague = _vague_notee(nb)
    client = client_de(equipe)
    url = reverse("classement", kwargs={"pk": vague.pk})
    client.get(url)  # la première requête renouvelle la session (écriture hors mesure)

    # session, utilisateur, groupes (rôles), vague, candidatures (avec territoire et décision),
    # empreinte des données ; le calcul est gardé par le processus. Les régions du filtre viennent
    # des lignes calculées.
    with django_assert_num_queries(6):
        reponse = client.get(url)
    assert reponse.status_code == 200
    assert len(reponse.context["lignes"]) == nb

    # Un autre processus (rien de gardé) relit le calcul du cache partagé : une requête de plus.
    oublier_les_calculs_gardes()
    with django_assert_num_queries(7):
        reponse = client.get(url)
    assert len(reponse.context["lignes"]) == nb


def test_page_classement_filtre_les_lignes_sans_changer_les_rangs(petit_jeu, client_de, equipe):
    vague, _ = petit_jeu

    reponse = client_de(equipe).get(
        reverse("classement", kwargs={"pk": vague.pk}), {"drapeau": "oui"}
    )

    lignes = [(ligne.candidature.commune.nom[0], ligne.rang) for ligne in reponse.context["lignes"]]
    assert lignes == [("X", 1), ("W", 2)]


def test_page_classement_trie_par_ecart(petit_jeu, client_de, equipe):
    vague, _ = petit_jeu

    reponse = client_de(equipe).get(
        reverse("classement", kwargs={"pk": vague.pk}), {"tri": "-ecart"}
    )

    noms = [ligne.candidature.commune.nom[0] for ligne in reponse.context["lignes"]]
    assert noms == ["W", "X", "Y", "Z", "V"]


def test_page_classement_affiche_deux_decimales_a_la_francaise(petit_jeu, client_de, equipe):
    vague, _ = petit_jeu

    reponse = client_de(equipe).get(reverse("classement", kwargs={"pk": vague.pk}))

    assert "16,50" in reponse.content.decode()


def _ligne_html(contenu: str, candidature) -> str:
    debut = contenu.index(f'id="c-{candidature.pk}"')
    return " ".join(contenu[debut : contenu.index("</tr>", debut)].split())


@pytest.mark.parametrize("page", ["classement", "deliberation_seance"])
def test_lignes_du_classement_notes_et_avis_lisibles(petit_jeu, client_de, equipe, page):
    vague, cands = petit_jeu

    contenu = client_de(equipe).get(reverse(page, kwargs={"pk": vague.pk})).content.decode()

    # X : 15 et 18, un avis favorable et un défavorable ; V : aucune évaluation soumise.
    x = _ligne_html(contenu, cands["X"])
    assert '<td class="acv-nombre">16,50</td>' in x
    assert '<td class="acv-nombre">3,00</td>' in x
    assert '<span aria-hidden="true">1 / 0 / 1</span>' in x
    assert '<span class="fr-sr-only">1 favorable, 0 avec réserves, 1 défavorable</span>' in x
    v = _ligne_html(contenu, cands["V"])
    assert '<td class="acv-nombre">—</td>' in v
    assert '<span class="fr-sr-only">0 favorable, 0 avec réserves, 0 défavorable</span>' in v
    # Z : deux avis (favorable, réserves) ; W : deux favorables.
    assert "1 favorable, 1 avec réserves, 0 défavorable" in _ligne_html(contenu, cands["Z"])
    assert "2 favorables, 0 avec réserves, 0 défavorable" in _ligne_html(contenu, cands["W"])


def test_export_csv_du_classement(petit_jeu, client_de, equipe):
    vague, _ = petit_jeu

    reponse = client_de(equipe).get(
        reverse("classement_export", kwargs={"pk": vague.pk}), {"format": "csv"}
    )

    contenu = b"".join(reponse.streaming_content).decode("utf-8")
    lignes = contenu.splitlines()
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert contenu.startswith("\ufeffRang;")
    assert lignes[1].split(";")[:5] == ["1", "Xertigny", lignes[1].split(";")[2], "16,50", "15,00"]
    assert len(lignes) == 6


def test_export_xlsx_du_classement(petit_jeu, client_de, equipe):
    import io

    import openpyxl

    vague, _ = petit_jeu

    reponse = client_de(equipe).get(
        reverse("classement_export", kwargs={"pk": vague.pk}), {"format": "xlsx"}
    )

    classeur = openpyxl.load_workbook(io.BytesIO(reponse.content))
    feuille = classeur.active
    premiere = [cellule.value for cellule in feuille[2]]
    assert (premiere[0], premiere[1], premiere[3], premiere[4]) == (1, "Xertigny", 16.5, 15.0)
    assert feuille.max_row == 6


def test_export_format_inconnu_refuse(petit_jeu, client_de, equipe):
    vague, _ = petit_jeu

    reponse = client_de(equipe).get(
        reverse("classement_export", kwargs={"pk": vague.pk}), {"format": "pdf"}
    )

    assert reponse.status_code == 400


def test_page_classement_refusee_au_jure(petit_jeu, client_de):
    vague, _ = petit_jeu
    jure = f.utilisateur(Role.JURE, username="un-jure")

    reponse = client_de(jure).get(reverse("classement", kwargs={"pk": vague.pk}))

    assert reponse.status_code == 403


def test_page_classement_vague_inconnue(client_de, equipe):
    reponse = client_de(equipe).get(reverse("classement", kwargs={"pk": 999}))

    assert reponse.status_code == 404


def test_ex_aequo_sur_la_ligne_des_places(petit_jeu):
    vague, _ = petit_jeu
    vague.places_prevues = 3  # Y et Z partagent le 3e rang : 4 candidatures pour 3 places

    classement = classement_de(vague)

    noms = [ligne.candidature.commune.nom[0] for ligne in classement.ex_aequo_sur_la_ligne]
    assert noms == ["Y", "Z"]


# -- le calcul gardé en cache ne sert jamais des données périmées -----------------------------
def _rangs(vague, **options):
    return {
        ligne.candidature.commune.nom: (ligne.rang, ligne.note, ligne.attendues)
        for ligne in classement_de(vague, verifier=False, **options).lignes
    }


def test_le_classement_relu_du_cache_est_le_meme(petit_jeu, django_assert_num_queries):
    vague, _ = petit_jeu
    premier = classement_de(vague)

    # Gardé par le processus : candidatures, empreinte, jurés ; ni évaluations ni affectations
    # relues.
    with django_assert_num_queries(3):
        garde = classement_de(vague)
    # Un autre processus le relit du cache partagé : une requête de plus.
    oublier_les_calculs_gardes()
    with django_assert_num_queries(4):
        relu = classement_de(vague)

    def resume(classement):
        return [
            (
                lg.candidature.pk,
                lg.rang,
                lg.note,
                lg.note_corrigee,
                lg.ecart,
                lg.notes,
                lg.basculent,
            )
            for lg in classement.lignes
        ]

    assert resume(garde) == resume(premier)
    assert resume(relu) == resume(premier)


def test_une_evaluation_soumise_apres_coup_change_le_classement(petit_jeu):
    vague, _ = petit_jeu
    avant = _rangs(vague)
    assert avant["Vitré"][0] is None  # seulement un brouillon

    brouillon = Evaluation.objects.get(affectation__candidature__commune__nom="Vitré")
    brouillon.statut = Evaluation.Statut.SOUMISE
    brouillon.soumise_le = timezone.now()
    brouillon.avis = F
    brouillon.note_sur_20 = 20.0
    brouillon.version += 1
    brouillon.save()

    apres = _rangs(vague)
    assert apres["Vitré"][:2] == (1, Decimal("20.00"))


def test_une_evaluation_rouverte_ou_retiree_sort_du_classement(petit_jeu):
    vague, _ = petit_jeu
    assert _rangs(vague)["Wissant"][0] is not None
    for evaluation in Evaluation.objects.filter(affectation__candidature__commune__nom="Wissant"):
        evaluation.statut = Evaluation.Statut.BROUILLON
        evaluation.save()

    assert _rangs(vague)["Wissant"][0] is None


def test_une_note_modifiee_sans_changer_de_version_change_le_classement(petit_jeu):
    """Une correction faite par l'administration (save) se voit aussi."""
    vague, _ = petit_jeu
    assert _rangs(vague, par=PAR_NOTE)["Yvetot"][1] == Decimal("6.50")
    evaluation = Evaluation.objects.filter(
        affectation__candidature__commune__nom="Yvetot", statut=Evaluation.Statut.SOUMISE
    ).first()
    evaluation.note_sur_20 = 20.0
    evaluation.save()

    assert _rangs(vague, par=PAR_NOTE)["Yvetot"][1] != Decimal("6.50")


def test_une_affectation_de_plus_change_les_evaluations_attendues(petit_jeu):
    vague, candidatures = petit_jeu
    avant = _rangs(vague)["Xertigny"][2]
    f.AffectationFactory(jure=f.JureFactory(vague=vague), candidature=candidatures["X"])

    assert _rangs(vague)["Xertigny"][2] == avant + 1


def test_une_candidature_retiree_sort_du_classement(petit_jeu):
    vague, _ = petit_jeu
    assert "Zuydcoote" in _rangs(vague)
    Candidature.objects.filter(commune__nom="Zuydcoote").update(statut=Candidature.Statut.RETIREE)

    assert "Zuydcoote" not in _rangs(vague)


def test_les_places_changees_refont_la_ligne(petit_jeu):
    vague, _ = petit_jeu
    dedans = [ligne.dans_la_selection for ligne in classement_de(vague).lignes]
    vague.places_prevues = 1
    vague.save()

    assert [ligne.dans_la_selection for ligne in classement_de(vague).lignes] != dedans
