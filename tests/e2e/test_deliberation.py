"""(b) L'équipe lance l'affectation, ouvre le classement, tient la séance du jury (jurés présents),
enregistre les décisions et publie les résultats."""

import pytest

from acv.roles import Role
from candidatures.evaluations import enregistrer
from candidatures.models import Affectation, Candidature, Evaluation, Vague
from tests import factories as f

from .jeux import recreer_modeles_de_courriel, vague_en_examen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMUNES = [("15014", "Aurillac"), ("15187", "Saint-Flour"), ("15120", "Mauriac")]
# Notes (qualité, partenariats) et avis de chaque juré, par commune : Aurillac en tête.
NOTES = {
    "Aurillac": ((5, 4), "favorable"),
    "Saint-Flour": ((4, 3), "favorable"),
    "Mauriac": ((2, 2), "defavorable"),
}


def _evaluer_tout(criteres):
    """Ce que font les jurés (le parcours (a) le fait dans le navigateur) : tout est soumis."""
    for affectation in Affectation.objects.select_related(
        "candidature__commune", "jure__utilisateur"
    ):
        (qualite, partenariats), avis = NOTES[affectation.candidature.commune.nom]
        enregistrer(
            affectation,
            notes={criteres[0].pk: qualite, criteres[1].pk: partenariats},
            avis=avis,
            commentaire="Dossier lu en entier.",
            version=0,  # premier brouillon
            par=affectation.jure.utilisateur,
            soumettre=True,
        )


def test_affectation_classement_seance_decisions_publication(parcours):
    recreer_modeles_de_courriel()  # l'avis d'affectation aux jurés
    f.utilisateur(Role.EQUIPE, username="equipe")
    vague, criteres, jures, candidatures = vague_en_examen(communes=COMMUNES)
    page = parcours.page
    page.on("dialog", lambda boite: boite.accept())  # la confirmation de la publication
    parcours.connecter("equipe")

    # L'affectation : 3 candidatures × 2 évaluateurs, répartis sur 3 jurés.
    parcours.aller(f"/candidatures/vagues/{vague.pk}/jury/")
    assert parcours.violations_axe() == []
    parcours.suivre(page.get_by_role("button", name="Affecter automatiquement"))
    assert page.get_by_text("Affectation faite : 6 nouvelle(s)").is_visible()
    assert Affectation.objects.count() == 6
    assert parcours.violations_axe() == []

    _evaluer_tout(criteres)
    assert Evaluation.objects.filter(statut="soumise").count() == 6

    # Le classement : Aurillac, Saint-Flour, Mauriac.
    parcours.aller(f"/candidatures/vagues/{vague.pk}/classement/")
    assert parcours.violations_axe() == []
    tableau = page.get_by_role("table", name="Classement de Vague 1 — 2019 : 3 candidatures")
    communes = [
        t.split("\n")[0].strip() for t in tableau.get_by_role("rowheader").all_inner_texts()
    ]
    assert communes == ["Aurillac", "Saint-Flour", "Mauriac"]

    # La séance : passer en délibération, noter les présents.
    parcours.suivre(page.get_by_role("link", name="Séance du jury").first)
    parcours.suivre(page.get_by_role("button", name="Passer en délibération"))
    assert page.get_by_text("La vague est passée à « Délibération ».").is_visible()
    parcours.aller(f"/candidatures/vagues/{vague.pk}/deliberation/")
    for jure in jures[:2]:
        page.get_by_text(str(jure), exact=True).click()  # le libellé DSFR couvre la case
        assert page.get_by_label(str(jure)).is_checked()
    parcours.suivre(page.get_by_role("button", name="Enregistrer les présents"))
    assert page.get_by_text("Jurés présents enregistrés : 2.").is_visible()
    assert parcours.violations_axe() == []

    # Les décisions, motivées.
    for nom, resultat in [
        ("Aurillac", "Retenue"),
        ("Saint-Flour", "Retenue"),
        ("Mauriac", "Non retenue"),
    ]:
        decision = page.get_by_role("group", name=f"Décision pour {nom}")
        decision.get_by_text(resultat, exact=True).click()  # le libellé DSFR couvre la case
        page.locator("form", has=decision).get_by_label("Motivation").fill(
            f"{nom} : {resultat.lower()} après discussion."
        )
        parcours.suivre(page.get_by_role("button", name=f"Décider pour {nom}"))
        assert page.get_by_text(f"{nom} : {resultat.lower()}, décision enregistrée.").is_visible()
    assert parcours.violations_axe() == []

    # La publication applique les décisions et verrouille la vague.
    parcours.suivre(page.get_by_role("button", name="Publier les résultats"))
    assert page.get_by_text("Résultats publiés : 3 candidatures décidées.").is_visible()
    assert page.get_by_role("button", name="Décider pour Mauriac").count() == 0
    vague.refresh_from_db()
    assert vague.statut == Vague.Statut.RESULTATS_PUBLIES
    assert sorted(Candidature.objects.values_list("commune__nom", "statut")) == [
        ("Aurillac", "retenue"),
        ("Mauriac", "non_retenue"),
        ("Saint-Flour", "retenue"),
    ]
    assert sorted(str(j) for j in vague.jures_presents.all()) == sorted(str(j) for j in jures[:2])

    # Le procès-verbal nomme les présents et les décisions.
    parcours.suivre(page.get_by_role("link", name="Procès-verbal", exact=True))
    assert parcours.violations_axe() == []
    assert page.get_by_text("Non retenue").first.is_visible()
    assert parcours.erreurs_console == []
