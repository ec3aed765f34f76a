"""Export des candidatures (CSV en flux, XLSX) et aller-retour export → import."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from candidatures.exports import ENTETES
from candidatures.imports import COLONNES_MODELE, Action, importer_fichier
from candidatures.models import Candidature, LigneFinancement, Vague

from .. import factories as f


@pytest.fixture
def vague(db):
    return f.VagueFactory(numero=1, statut=Vague.Statut.CONSOLIDATION)


@pytest.fixture
def candidature(vague):
    ain = f.DepartementFactory(code="01", nom="Ain")
    candidature = f.CandidatureFactory(
        vague=vague,
        commune=f.CommuneFactory(code_insee="01004", nom="Ambérieu-en-Bugey", departement=ain),
        date_ouverture_prevue=datetime.date(2020, 9, 1),
        apprenants_prevus=60,
        resume="Un projet ; sur deux lignes\net des « guillemets ».",
    )
    LigneFinancement.objects.create(candidature=candidature, source="commune", montant=12500.5)
    LigneFinancement.objects.create(candidature=candidature, source="commune", montant=1000)
    LigneFinancement.objects.create(candidature=candidature, source="region", montant=30000)
    return candidature


def exporter(client, query: str = "") -> bytes:
    reponse = client.get(reverse("candidature_export") + query)
    assert reponse.status_code == 200
    if isinstance(reponse, StreamingHttpResponse):
        return b"".join(reponse.streaming_content)
    return reponse.content


def lire_csv(contenu: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(contenu.decode("utf-8-sig")), delimiter=";"))


def test_export_colonnes_du_modele_precedees_de_la_reference():
    assert ENTETES == ("reference", *(c.nom for c in COLONNES_MODELE))


def test_export_csv_point_virgule_utf8_bom_en_flux(client_de, equipe, candidature):
    reponse = client_de(equipe).get(reverse("candidature_export"))

    assert isinstance(reponse, StreamingHttpResponse)
    assert reponse["Content-Type"] == "text/csv; charset=utf-8"
    assert reponse["Content-Disposition"].startswith('attachment; filename="candidatures-')
    contenu = b"".join(reponse.streaming_content)
    assert contenu.startswith(b"\xef\xbb\xbfreference;code_insee;commune;")
    (ligne,) = lire_csv(contenu)
    assert {
        nom: ligne[nom]
        for nom in (
            "reference",
            "code_insee",
            "commune",
            "departement",
            "date_ouverture_prevue",
            "apprenants_prevus",
            "financement_commune",
            "financement_region",
            "financement_etat",
            "resume",
        )
    } == {
        "reference": candidature.reference,
        "code_insee": "01004",
        "commune": "Ambérieu-en-Bugey",
        "departement": "01",
        "date_ouverture_prevue": "01/09/2020",
        "apprenants_prevus": "60",
        "financement_commune": "13500,50",
        "financement_region": "30000,00",
        "financement_etat": "",
        "resume": "Un projet ; sur deux lignes\net des « guillemets ».",
    }


def test_export_xlsx_types_du_tableur(client_de, equipe, candidature):
    contenu = exporter(client_de(equipe), "?format=xlsx")

    feuille = openpyxl.load_workbook(io.BytesIO(contenu)).active
    entetes, valeurs = list(feuille.iter_rows(values_only=True))
    ligne = dict(zip(entetes, valeurs, strict=True))
    assert entetes == ENTETES
    assert (
        ligne["code_insee"],
        ligne["date_ouverture_prevue"],
        ligne["financement_commune"],
        ligne["apprenants_prevus"],
    ) == ("01004", datetime.datetime(2020, 9, 1), 13500.5, 60)


def test_export_reprend_les_filtres_de_la_liste(client_de, equipe, candidature, vague):
    autre_vague = f.VagueFactory(numero=2)
    f.CandidatureFactory(vague=autre_vague)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETIREE)
    client = client_de(equipe)

    tout = lire_csv(exporter(client))
    vague_1 = lire_csv(exporter(client, f"?vague={vague.pk}&statut=recue"))
    vague_1_xlsx = openpyxl.load_workbook(
        io.BytesIO(exporter(client, f"?format=xlsx&vague={vague.pk}&statut=recue"))
    ).active

    assert len(tout) == 3
    assert [ligne["reference"] for ligne in vague_1] == [candidature.reference]
    assert vague_1_xlsx.max_row == 2


def test_export_neutralise_les_formules(client_de, equipe, candidature):
    Candidature.objects.filter(pk=candidature.pk).update(
        contact_nom='=HYPERLINK("http://x")', contact_telephone="+33 3 24 00 00 00"
    )

    (ligne,) = lire_csv(exporter(client_de(equipe)))
    feuille = openpyxl.load_workbook(io.BytesIO(exporter(client_de(equipe), "?format=xlsx"))).active

    assert (ligne["contact_nom"], ligne["contact_telephone"]) == (
        '\'=HYPERLINK("http://x")',
        "+33 3 24 00 00 00",
    )
    assert feuille.cell(row=2, column=ENTETES.index("contact_nom") + 1).data_type == "s"


def test_export_en_nombre_de_requetes_constant(
    client_de, equipe, candidature, vague, django_assert_num_queries
):
    client = client_de(equipe)
    # Session, compte, rôles, puis une requête : candidatures, communes et sommes par source.
    with django_assert_num_queries(4):
        exporter(client)
    f.CandidatureFactory(vague=vague)
    f.CandidatureFactory(vague=vague)
    with django_assert_num_queries(4):
        assert len(lire_csv(exporter(client))) == 3


def test_export_reserve_a_l_equipe(client_de, observateur, candidature):
    assert client_de(observateur).get(reverse("candidature_export")).status_code == 403


# ---------------------------------------------------------------------------------------------
# Aller-retour export → import
# ---------------------------------------------------------------------------------------------
def test_aller_retour_csv_sans_correction_ne_change_rien(client_de, equipe, candidature, vague):
    contenu = exporter(client_de(equipe))

    analyse, bilan = importer_fichier(contenu, "export.csv", vague, par=equipe)

    assert analyse.messages_erreur() == []
    assert [ligne.action for ligne in analyse.lignes] == [Action.INCHANGEE]
    assert (bilan.crees, bilan.mis_a_jour, bilan.inchanges) == (0, 0, 1)
    assert LigneFinancement.objects.filter(candidature=candidature).count() == 3


def test_aller_retour_csv_corrige_met_a_jour_et_cree(client_de, equipe, candidature, vague):
    (ligne,) = lire_csv(exporter(client_de(equipe)))
    ligne["resume"] = "Projet corrigé après échange avec la ville."
    ligne["financement_region"] = "35 000"
    nouvelle = dict(ligne, reference="", code_insee="15014", commune="Aurillac", departement="15")
    f.CommuneFactory(code_insee="15014", nom="Aurillac")
    sortie = io.StringIO()
    ecrivain = csv.DictWriter(sortie, fieldnames=ENTETES, delimiter=";")
    ecrivain.writeheader()
    ecrivain.writerows([ligne, nouvelle])

    analyse, bilan = importer_fichier(
        sortie.getvalue().encode("utf-8-sig"), "export-corrige.csv", vague, par=equipe
    )

    assert analyse.messages_erreur() == []
    assert [(ligne.action, ligne.changements) for ligne in analyse.lignes] == [
        (Action.MISE_A_JOUR, ["resume", "financement_region"]),
        (Action.CREATION, []),
    ]
    assert (bilan.crees, bilan.mis_a_jour) == (1, 1)
    candidature.refresh_from_db()
    assert candidature.resume == "Projet corrigé après échange avec la ville."
    assert sorted(candidature.financements.values_list("source", "montant")) == [
        ("commune", Decimal("1000.00")),
        ("commune", Decimal("12500.50")),
        ("region", Decimal("35000.00")),
    ]
    assert Candidature.objects.get(commune_id="15014").reference == "V1-0002"


def test_aller_retour_xlsx_corrige_met_a_jour(client_de, equipe, candidature, vague):
    classeur = openpyxl.load_workbook(io.BytesIO(exporter(client_de(equipe), "?format=xlsx")))
    feuille = classeur.active
    feuille.cell(row=2, column=ENTETES.index("apprenants_prevus") + 1, value=80)
    tampon = io.BytesIO()
    classeur.save(tampon)

    analyse, bilan = importer_fichier(tampon.getvalue(), "export.xlsx", vague, par=equipe)

    assert [(ligne.action, ligne.changements) for ligne in analyse.lignes] == [
        (Action.MISE_A_JOUR, ["apprenants_prevus"])
    ]
    candidature.refresh_from_db()
    assert candidature.apprenants_prevus == 80


def test_aller_retour_candidature_decidee_refusee(client_de, equipe, candidature, vague):
    contenu = exporter(client_de(equipe))
    Candidature.objects.filter(pk=candidature.pk).update(statut=Candidature.Statut.EN_EXAMEN)

    analyse, bilan = importer_fichier(contenu, "export.csv", vague, par=equipe)

    assert bilan is None
    assert analyse.messages_erreur() == [
        f"Ligne 2 : la candidature {candidature.reference} est « En examen par le jury » : "
        "elle ne peut plus être modifiée par un import"
    ]


# ---------------------------------------------------------------------------------------------
# L'administration (django-import-export), réservée aux administrateurs
# ---------------------------------------------------------------------------------------------
def test_admin_ressource_export_puis_import_met_a_jour(candidature, administrateur):
    from candidatures.admin import CandidatureResource

    donnees = CandidatureResource().export()
    donnees[0] = tuple(
        "Corrigé dans l'administration." if nom == "resume" else valeur
        for nom, valeur in zip(donnees.headers, donnees[0], strict=True)
    )

    resultat = CandidatureResource().import_data(donnees, dry_run=False, user=administrateur)

    assert (resultat.has_errors(), resultat.has_validation_errors()) == (False, False)
    assert resultat.totals["update"] == 1
    candidature.refresh_from_db()
    assert candidature.resume == "Corrigé dans l'administration."


def test_admin_ressource_seconde_candidature_active_refusee(candidature, vague):
    from candidatures.admin import CandidatureResource

    donnees = CandidatureResource().export()
    donnees[0] = tuple(
        "" if nom == "reference" else valeur
        for nom, valeur in zip(donnees.headers, donnees[0], strict=True)
    )

    resultat = CandidatureResource().import_data(donnees, dry_run=False, raise_errors=False)

    assert resultat.has_errors()
    assert Candidature.objects.count() == 1


def test_admin_import_export_pour_l_administrateur(client_de, administrateur, candidature):
    client = client_de(administrateur)

    liste = client.get(reverse("admin:candidatures_candidature_changelist"))
    page_import = client.get(reverse("admin:candidatures_candidature_import"))
    page_export = client.get(reverse("admin:candidatures_candidature_export"))

    assert (liste.status_code, page_import.status_code, page_export.status_code) == (200,) * 3
    assert reverse("admin:candidatures_candidature_import") in liste.content.decode()


def test_admin_import_refuse_a_l_equipe_meme_membre_du_personnel(client_de, equipe, candidature):
    equipe.is_staff = True
    equipe.save()
    client = client_de(equipe)

    page_import = client.get(reverse("admin:candidatures_candidature_import"))
    page_export = client.get(reverse("admin:candidatures_candidature_export"))

    assert (page_import.status_code, page_export.status_code) == (403, 403)
