"""(e) L'équipe importe un fichier, voit une ligne refusée (rien d'importé), le corrige, importe."""

import re

import pytest

from acv.roles import Role
from candidatures.models import Candidature, Vague
from tests import factories as f

from .jeux import commune_du_cantal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ENTETE = "code_insee;contact_nom;contact_email;resume"


def _fichier(dossier, nom: str, lignes: list[str]):
    chemin = dossier / nom
    chemin.write_text("\n".join([ENTETE, *lignes]) + "\n", encoding="utf-8")
    return chemin


def test_import_refuse_puis_corrige(parcours, tmp_path):
    f.utilisateur(Role.EQUIPE, username="equipe")
    vague = f.VagueFactory(numero=2, nom="Vague 2 — 2020", statut=Vague.Statut.APPEL_OUVERT)
    commune_du_cantal("15014", "Aurillac")
    commune_du_cantal("15187", "Saint-Flour")
    aurillac = "15014;Camille Exemple;camille@mairie.invalid;Un espace au centre-ville."
    faux = _fichier(
        tmp_path,
        "candidatures.csv",
        [aurillac, "99999;Dominique Exemple;dominique@mairie.invalid;Un tiers-lieu."],
    )
    corrige = _fichier(
        tmp_path,
        "candidatures-corrige.csv",
        [aurillac, "15187;Dominique Exemple;dominique@mairie.invalid;Un tiers-lieu."],
    )
    page = parcours.page
    parcours.connecter("equipe")

    parcours.aller("/candidatures/import/")
    assert parcours.violations_axe() == []
    page.get_by_label("Vague").select_option(label=vague.nom)
    page.get_by_label("Fichier").set_input_files(faux)
    parcours.suivre(page.get_by_role("button", name="Simuler l'import"))

    # Une ligne refusée : rien ne sera importé, la raison est dite, aucun bouton d'import.
    assert page.get_by_role("heading", name="Rien ne sera importé").is_visible()
    refusees = page.get_by_role("table", name="Lignes refusées (1)")
    assert refusees.get_by_role("rowheader").all_inner_texts() == ["3"]
    assert "99999" in refusees.inner_text()
    assert page.get_by_role("button", name="Importer").count() == 0
    assert parcours.violations_axe() == []
    assert Candidature.objects.count() == 0

    # Le fichier corrigé : la simulation est valide, puis l'import.
    parcours.suivre(page.get_by_role("link", name="Déposer le fichier corrigé"))
    page.get_by_label("Vague").select_option(label=vague.nom)
    page.get_by_label("Fichier").set_input_files(corrige)
    parcours.suivre(page.get_by_role("button", name="Simuler l'import"))
    assert page.get_by_role("heading", name="Toutes les lignes sont valides").is_visible()
    assert parcours.violations_axe() == []
    assert Candidature.objects.count() == 0
    parcours.suivre(
        page.get_by_role("button", name=re.compile(r"^Importer 2 créations et 0 mises? à jour$"))
    )

    assert page.get_by_text(
        "Import terminé dans « Vague 2 — 2020 » : 2 candidature(s) créée(s)."
    ).is_visible()
    assert sorted(Candidature.objects.values_list("commune__nom", "statut")) == [
        ("Aurillac", "recue"),
        ("Saint-Flour", "recue"),
    ]
    assert parcours.violations_axe() == []
    assert parcours.erreurs_console == []
