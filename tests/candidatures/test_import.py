"""Import des candidatures : fichiers des tableurs français, lignes refusées, tout ou rien."""

from __future__ import annotations

import csv
import datetime
import io
import math
import time
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from acv.models import Commune, normaliser_nom
from candidatures.imports import (
    Action,
    FichierIllisible,
    analyser,
    importer_fichier,
    lire_montant,
    lire_tableau,
    simuler_fichier,
)
from candidatures.models import Candidature, LigneFinancement, TransitionCandidature, Vague
from candidatures.views.imports import CLE_SESSION

from .. import factories as f

ENTETES = [
    "code_insee",
    "commune",
    "departement",
    "porteur",
    "contact_nom",
    "contact_email",
    "resume",
    "date_ouverture_prevue",
    "apprenants_prevus",
    "financement_commune",
    "financement_banque_territoires",
]


def ligne(**valeurs) -> dict:
    base = {
        "code_insee": "01004",
        "contact_nom": "Camille Exemple",
        "contact_email": "camille@mairie.invalid",
        "resume": "Un espace de formation au cœur de la ville, près de la gare.",
        "date_ouverture_prevue": "01/09/2020",
        "apprenants_prevus": "60",
        "financement_commune": "45 000",
        "financement_banque_territoires": "12 500,50",
    }
    base.update(valeurs)
    return base


def fichier_csv(
    lignes: list[dict], *, sep: str = ";", encodage: str = "utf-8-sig", entetes=None
) -> bytes:
    entetes = entetes or ENTETES
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=sep, lineterminator="\r\n")
    ecrivain.writerow(entetes)
    for valeurs in lignes:
        ecrivain.writerow([valeurs.get(nom, "") for nom in entetes])
    return sortie.getvalue().encode(encodage)


@pytest.fixture
def vague(db):
    return f.VagueFactory(numero=2, statut=Vague.Statut.APPEL_OUVERT)


@pytest.fixture
def ain(db):
    return f.DepartementFactory(code="01", nom="Ain")


@pytest.fixture
def communes(db, ain):
    """Ambérieu (01004), Aurillac (15014), et un binôme ACV : Charleville et Sedan."""
    binome = f.VilleAcvFactory(id_acv="ACV900", libelle="Charleville-Mézières - Sedan")
    ardennes = f.DepartementFactory(code="08", nom="Ardennes")
    return {
        "amberieu": f.CommuneFactory(code_insee="01004", nom="Ambérieu-en-Bugey", departement=ain),
        "aurillac": f.CommuneFactory(code_insee="15014", nom="Aurillac"),
        "charleville": f.CommuneFactory(
            code_insee="08105", nom="Charleville-Mézières", departement=ardennes, ville_acv=binome
        ),
        "sedan": f.CommuneFactory(
            code_insee="08409", nom="Sedan", departement=ardennes, ville_acv=binome
        ),
    }


def importer(contenu: bytes, vague, user, nom="candidatures.csv"):
    return importer_fichier(contenu, nom, vague, par=user)


# ---------------------------------------------------------------------------------------------
# Fichiers valides : chaque encodage, chaque séparateur, XLSX
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encodage", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("sep", [";", ","])
def test_import_fichier_valide_dans_chaque_encodage_et_separateur(
    encodage, sep, vague, communes, equipe
):
    contenu = fichier_csv(
        [ligne(), ligne(code_insee="15014", resume="Œuvre commune, « déjà » prête.")],
        sep=sep,
        encodage=encodage,
    )

    analyse, bilan = importer(contenu, vague, equipe)

    assert analyse.messages_erreur() == []
    assert bilan.crees == 2
    amberieu, aurillac = Candidature.objects.order_by("reference")
    assert [amberieu.reference, aurillac.reference] == ["V2-0001", "V2-0002"]
    assert aurillac.resume == "Œuvre commune, « déjà » prête."
    assert amberieu.statut == Candidature.Statut.RECUE
    assert amberieu.date_reception is not None
    assert amberieu.cle_ville == amberieu.commune.ville_acv_id
    assert amberieu.date_ouverture_prevue == datetime.date(2020, 9, 1)
    assert amberieu.apprenants_prevus == 60
    assert sorted(amberieu.financements.values_list("source", "montant")) == [
        ("banque_territoires", Decimal("12500.50")),
        ("commune", Decimal("45000.00")),
    ]


def test_import_detecte_le_separateur_et_l_encodage(vague, communes):
    contenu = fichier_csv([ligne(resume="Été")], sep=",", encodage="cp1252")

    tableau = lire_tableau(contenu, "export.csv")

    assert tableau.description == "CSV, séparateur virgule, encodage Windows-1252"
    assert tableau.lignes[0][1][ENTETES.index("resume")] == "Été"


def test_import_enregistre_transitions_et_historique(vague, communes, equipe):
    contenu = fichier_csv([ligne(), ligne(code_insee="15014")])

    importer(contenu, vague, equipe, nom="dossiers-septembre.csv")

    transitions = list(TransitionCandidature.objects.values_list("de", "vers", "par", "note"))
    note = "Import du fichier « dossiers-septembre.csv »"
    assert transitions == [("brouillon", "recue", equipe.pk, note)] * 2
    candidature = Candidature.objects.get(commune=communes["aurillac"])
    historique = list(candidature.history.values_list("history_user", "history_change_reason"))
    assert historique == [(equipe.pk, note)]


def test_import_references_suivent_le_maximum_existant(vague, communes, equipe):
    f.CandidatureFactory(vague=vague, commune=communes["aurillac"])  # V2-0001
    Candidature.objects.filter(vague=vague).update(reference="V2-0041")

    importer(fichier_csv([ligne()]), vague, equipe)

    assert Candidature.objects.get(commune=communes["amberieu"]).reference == "V2-0042"


def test_import_xlsx_avec_nombres_et_dates_du_tableur(vague, communes, equipe):
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    feuille.append(ENTETES)
    valeurs = ligne(
        code_insee=1004,  # le tableur a pris le code pour un nombre
        date_ouverture_prevue=datetime.datetime(2021, 1, 15),
        apprenants_prevus=45,
        financement_commune=45000,
        financement_banque_territoires=12500.5,
    )
    feuille.append([valeurs.get(nom) for nom in ENTETES])
    feuille.append([None] * len(ENTETES))  # ligne vide finale
    tampon = io.BytesIO()
    classeur.save(tampon)

    analyse, bilan = importer(tampon.getvalue(), vague, equipe, nom="candidatures.xlsx")

    assert analyse.messages_erreur() == []
    candidature = Candidature.objects.get()
    assert (candidature.commune_id, candidature.date_ouverture_prevue) == (
        "01004",
        datetime.date(2021, 1, 15),
    )
    assert sorted(candidature.financements.values_list("montant", flat=True)) == [
        Decimal("12500.50"),
        Decimal("45000.00"),
    ]


def test_import_tolere_ce_qu_ecrivent_les_tableurs(vague, communes, equipe):
    entetes = ["Code INSEE", " Contact nom ", "Contact e-mail", "Résumé", "Financement commune"]
    texte = (
        "\ufeff" + ";".join(entetes) + "\r\n"
        " 1004 ; Camille Exemple ;camille@mairie.invalid; Un projet. ;12\u00a0500,50\r\n"
        "15014;Dominique Exemple;dominique@mairie.invalid;Un autre.;1\u202f200\r\n"
        ";;;;\r\n"
        "\r\n"
    )

    analyse, bilan = importer(texte.encode("utf-8"), vague, equipe)

    assert analyse.messages_erreur() == []
    assert bilan.crees == 2
    candidature = Candidature.objects.get(commune_id="01004")
    assert (candidature.contact_nom, candidature.resume) == ("Camille Exemple", "Un projet.")
    assert list(LigneFinancement.objects.order_by("montant").values_list("montant", flat=True)) == [
        Decimal("1200.00"),
        Decimal("12500.50"),
    ]


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("12 500,50", Decimal("12500.50")),
        ("12\u00a0500,50", Decimal("12500.50")),
        ("12\u202f500", Decimal("12500.00")),
        ("12.500,50", Decimal("12500.50")),
        ("12500.5", Decimal("12500.50")),
        ("1 000 €", Decimal("1000.00")),
        ("", None),
    ],
)
def test_lire_montant_format_francais(texte, attendu):
    assert lire_montant(texte) == attendu


def test_import_commune_par_nom_sans_accents_ni_tirets(vague, communes, equipe):
    contenu = fichier_csv([ligne(code_insee="", commune="CHARLEVILLE mezieres")])

    analyse, bilan = importer(contenu, vague, equipe)

    assert analyse.messages_erreur() == []
    assert Candidature.objects.get().commune == communes["charleville"]


def test_import_porteur_epci_prend_l_intercommunalite_de_la_commune(vague, communes, equipe):
    importer(fichier_csv([ligne(porteur="EPCI")]), vague, equipe)

    candidature = Candidature.objects.get()
    assert (candidature.porteur, candidature.epci_id) == ("epci", communes["amberieu"].epci_id)


# ---------------------------------------------------------------------------------------------
# Lignes refusées : rien n'est importé, chaque raison avec son numéro de ligne
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("valeurs", "message"),
    [
        ({"code_insee": "99999"}, "Ligne 3 : code INSEE « 99999 » inconnu"),
        (
            {"code_insee": "ABCDE"},
            "Ligne 3 : code INSEE « ABCDE » mal formé (5 caractères)",
        ),
        ({"code_insee": ""}, "Ligne 3 : commune manquante : donnez son code INSEE ou son nom"),
        ({"contact_nom": "  "}, "Ligne 3 : contact_nom : valeur obligatoire manquante"),
        ({"resume": ""}, "Ligne 3 : resume : valeur obligatoire manquante"),
        (
            {"financement_commune": "12,5,0"},
            "Ligne 3 : financement_commune : « 12,5,0 » n'est pas un montant (exemple : 12 500,50)",
        ),
        (
            {"financement_commune": "-300"},
            "Ligne 3 : financement_commune : « -300 » : un montant ne peut pas être négatif",
        ),
        (
            {"date_ouverture_prevue": "31/02/2020"},
            "Ligne 3 : date_ouverture_prevue : « 31/02/2020 » n'est pas une date au format JJ/MM/AAAA",
        ),
        (
            {"date_ouverture_prevue": "septembre"},
            "Ligne 3 : date_ouverture_prevue : « septembre » n'est pas une date au format JJ/MM/AAAA",
        ),
        (
            {"apprenants_prevus": "une soixantaine"},
            "Ligne 3 : apprenants_prevus : « une soixantaine » n'est pas un nombre entier",
        ),
        (
            {"contact_email": "camille.mairie"},
            "Ligne 3 : contact_email : « camille.mairie » n'est pas une adresse électronique valide",
        ),
        (
            {"porteur": "département"},
            "Ligne 3 : porteur « département » : écrivez « commune » ou « epci »",
        ),
        (
            {"code_insee": "15014", "commune": "Saint-Flour"},
            "Ligne 3 : le code INSEE 15014 est celui de Aurillac, pas de « Saint-Flour » : "
            "corrigez l'un des deux",
        ),
    ],
)
def test_import_ligne_invalide_n_importe_rien(valeurs, message, vague, communes, equipe):
    contenu = fichier_csv([ligne(code_insee="08105"), ligne(**valeurs)])

    analyse, bilan = importer(contenu, vague, equipe)

    assert bilan is None
    assert analyse.messages_erreur() == [message]
    assert Candidature.objects.count() == 0
    assert LigneFinancement.objects.count() == 0
    assert TransitionCandidature.objects.count() == 0


def test_import_deux_lignes_pour_la_meme_commune_refusees(vague, communes, equipe):
    contenu = fichier_csv([ligne(), ligne(code_insee="15014"), ligne(code_insee="1004")])

    analyse, bilan = importer(contenu, vague, equipe)

    assert bilan is None
    assert analyse.messages_erreur() == [
        "Ligne 4 : Ambérieu-en-Bugey : la ligne 2 porte déjà une candidature pour cette ville "
        "(une seule par ville et par vague ; les deux communes d'un binôme comptent pour une ville)"
    ]
    assert Candidature.objects.count() == 0


def test_import_deux_communes_d_un_binome_refusees(vague, communes, equipe):
    contenu = fichier_csv([ligne(code_insee="08105"), ligne(code_insee="08409")])

    analyse, bilan = importer(contenu, vague, equipe)

    assert bilan is None
    assert [ligne.numero for ligne in analyse.refusees] == [3]
    assert analyse.refusees[0].erreurs[0].startswith("Sedan : la ligne 2 porte déjà")
    assert Candidature.objects.count() == 0


def test_import_ville_deja_candidate_dans_la_vague_refusee(vague, communes, equipe):
    existante = f.CandidatureFactory(vague=vague, commune=communes["charleville"])

    analyse, bilan = importer(fichier_csv([ligne(), ligne(code_insee="08409")]), vague, equipe)

    assert bilan is None
    assert analyse.messages_erreur() == [
        f"Ligne 3 : Sedan : cette ville a déjà une candidature active dans la vague "
        f"({existante.reference}, Charleville-Mézières) ; retirez-la ou donnez sa référence "
        "pour la mettre à jour"
    ]
    assert Candidature.objects.count() == 1


def test_import_ville_dont_la_candidature_est_retiree_acceptee(vague, communes, equipe):
    f.CandidatureFactory(
        vague=vague, commune=communes["amberieu"], statut=Candidature.Statut.RETIREE
    )

    analyse, bilan = importer(fichier_csv([ligne()]), vague, equipe)

    assert (analyse.messages_erreur(), bilan.crees) == ([], 1)


def test_import_plusieurs_erreurs_toutes_signalees(vague, communes, equipe):
    contenu = fichier_csv(
        [ligne(code_insee="99999"), ligne(code_insee="15014", financement_commune="beaucoup")]
    )

    analyse, bilan = importer(contenu, vague, equipe)

    assert analyse.messages_erreur() == [
        "Ligne 2 : code INSEE « 99999 » inconnu",
        "Ligne 3 : financement_commune : « beaucoup » n'est pas un montant (exemple : 12 500,50)",
    ]


def test_import_fichier_sans_colonne_connue_refuse(vague, communes, equipe):
    contenu = "nom;prénom\nDupont;Jean\n".encode()

    analyse, bilan = importer(contenu, vague, equipe)

    assert bilan is None
    assert analyse.erreurs_fichier[0].startswith("Aucune colonne reconnue")


def test_import_fichier_vide_illisible(vague, equipe):
    with pytest.raises(FichierIllisible, match="Ce fichier est vide."):
        importer(b"\r\n\r\n", vague, equipe)


def test_import_xls_ancien_format_refuse(vague, equipe):
    with pytest.raises(FichierIllisible, match="Excel 97-2003"):
        importer(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, vague, equipe, nom="vieux.xls")


def test_import_vague_verrouillee_refusee(communes, equipe):
    vague = f.VagueFactory(numero=3, statut=Vague.Statut.RESULTATS_PUBLIES)

    analyse, bilan = importer(fichier_csv([ligne()]), vague, equipe)

    assert bilan is None
    assert Candidature.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Communes homonymes
# ---------------------------------------------------------------------------------------------
def test_import_nom_ambigu_liste_les_candidates(vague, equipe, ain):
    reunion = f.DepartementFactory(code="974", nom="La Réunion")
    f.CommuneFactory(code_insee="97411", nom="Saint-Denis", departement=reunion)
    f.CommuneFactory(code_insee="01344", nom="Saint-Denis-lès-Bourg", departement=ain)
    f.CommuneFactory(code_insee="01345", nom="Saint-Denis", departement=ain)

    analyse, bilan = importer(
        fichier_csv([ligne(code_insee="", commune="St Denis")]), vague, equipe
    )

    assert analyse.messages_erreur() == [
        "Ligne 2 : St Denis : 2 communes portent ce nom : Saint-Denis (01345, Ain), "
        "Saint-Denis (97411, La Réunion) ; précisez le département ou le code INSEE"
    ]


@pytest.fixture
def referentiel(db):
    call_command("load_territories", stdout=io.StringIO())


def test_import_saint_denis_du_vrai_referentiel(referentiel, vague, equipe):
    saint_denis = Commune.objects.filter(nom_normalise=normaliser_nom("Saint-Denis"))
    contenu = fichier_csv(
        [
            ligne(code_insee="", commune="ST-DENIS"),
            ligne(code_insee="", commune="saint denis", departement="93"),
        ]
    )

    analyse = simuler_fichier(contenu, "f.csv", vague)

    refus = analyse.lignes[0].erreurs[0]
    assert refus.startswith(f"ST-DENIS : {saint_denis.count()} communes portent ce nom : ")
    assert "Saint-Denis (93066, Seine-Saint-Denis)" in refus
    assert refus.endswith("; précisez le département ou le code INSEE")
    assert (analyse.lignes[1].erreurs, analyse.lignes[1].commune.pk) == ([], "93066")


def test_import_nom_unique_dans_le_departement_accepte(vague, equipe, ain):
    reunion = f.DepartementFactory(code="974", nom="La Réunion")
    f.CommuneFactory(code_insee="97411", nom="Saint-Denis", departement=reunion)
    f.CommuneFactory(code_insee="01345", nom="Saint-Denis", departement=ain)

    analyse, bilan = importer(
        fichier_csv([ligne(code_insee="", commune="Saint-Denis", departement="974")]),
        vague,
        equipe,
    )

    assert Candidature.objects.get().commune_id == "97411"


# ---------------------------------------------------------------------------------------------
# Mise à jour par la référence
# ---------------------------------------------------------------------------------------------
def test_import_avec_reference_met_a_jour_la_candidature(vague, communes, equipe):
    candidature = f.CandidatureFactory(
        vague=vague, commune=communes["amberieu"], statut=Candidature.Statut.INCOMPLETE
    )
    LigneFinancement.objects.create(
        candidature=candidature, source="commune", libelle="Budget 2020", montant=1000
    )
    LigneFinancement.objects.create(candidature=candidature, source="region", montant=5000)
    entetes = ["reference", "resume", "financement_commune", "financement_region"]
    contenu = fichier_csv(
        [
            {
                "reference": candidature.reference.lower(),
                "resume": "Projet revu.",
                "financement_commune": "2 000",
                "financement_region": "5 000",
            }
        ],
        entetes=entetes,
    )

    analyse, bilan = importer(contenu, vague, equipe)

    assert [(ligne.action, ligne.changements) for ligne in analyse.lignes] == [
        (Action.MISE_A_JOUR, ["resume", "financement_commune"])
    ]
    assert (bilan.crees, bilan.mis_a_jour) == (0, 1)
    candidature.refresh_from_db()
    assert (candidature.resume, candidature.statut) == ("Projet revu.", "incomplete")
    assert candidature.contact_nom == "Contact Fictif"  # colonne absente : inchangé
    assert sorted(candidature.financements.values_list("source", "libelle", "montant")) == [
        ("commune", "", Decimal("2000.00")),
        ("region", "", Decimal("5000.00")),
    ]
    assert candidature.history.first().history_change_reason == (
        "Import du fichier « candidatures.csv »"
    )


@pytest.mark.parametrize(
    ("statut", "attendu"),
    [
        (Candidature.Statut.BROUILLON, []),
        (Candidature.Statut.RECEVABLE, []),
        (
            Candidature.Statut.RETENUE,
            [
                "la candidature V2-0001 est « Retenue » : elle ne peut plus être modifiée par un import"
            ],
        ),
        (
            Candidature.Statut.RETIREE,
            [
                "la candidature V2-0001 est « Retirée » : elle ne peut plus être modifiée par un import"
            ],
        ),
    ],
)
def test_import_mise_a_jour_selon_l_etat(statut, attendu, vague, communes, equipe):
    candidature = f.CandidatureFactory(vague=vague, commune=communes["amberieu"], statut=statut)
    contenu = fichier_csv(
        [{"reference": candidature.reference, "resume": "Nouveau."}],
        entetes=["reference", "resume"],
    )

    analyse = simuler_fichier(contenu, "f.csv", vague)

    assert analyse.lignes[0].erreurs == attendu


def test_import_reference_inconnue_ou_d_une_autre_vague_refusee(vague, communes, equipe):
    autre = f.CandidatureFactory(vague=f.VagueFactory(numero=1), commune=communes["aurillac"])
    contenu = fichier_csv(
        [{"reference": "V2-0999", "resume": "x"}, {"reference": autre.reference, "resume": "y"}],
        entetes=["reference", "resume"],
    )

    analyse, bilan = importer(contenu, vague, equipe)

    assert analyse.messages_erreur() == [
        "Ligne 2 : référence « V2-0999 » inconnue (videz-la pour créer la candidature)",
        f"Ligne 3 : la candidature {autre.reference} appartient à la vague "
        f"« {autre.vague.nom} », pas à « {vague.nom} »",
    ]


def test_import_analyse_en_nombre_de_requetes_constant(vague, communes, django_assert_num_queries):
    # Les requêtes : communes par code, candidatures actives de la vague.
    une = lire_tableau(fichier_csv([ligne()]), "f.csv")
    trois = lire_tableau(
        fichier_csv([ligne(), ligne(code_insee="15014"), ligne(code_insee="08105")]), "f.csv"
    )

    with django_assert_num_queries(2):
        analyser(une, vague)
    with django_assert_num_queries(2):
        analyse = analyser(trois, vague)
    assert analyse.nb_creations == 3


# ---------------------------------------------------------------------------------------------
# Les pages
# ---------------------------------------------------------------------------------------------
def deposer(client, vague, contenu: bytes, nom="candidatures.csv"):
    return client.post(
        reverse("candidature_import"),
        {"vague": vague.pk, "fichier": SimpleUploadedFile(nom, contenu, "text/csv")},
    )


def test_page_import_documente_les_colonnes(client_de, equipe, vague):
    reponse = client_de(equipe).get(reverse("candidature_import"))

    assert reponse.status_code == 200
    assert [c.nom for c in reponse.context["colonnes"]][:3] == [
        "reference",
        "code_insee",
        "commune",
    ]
    assert "financement_banque_territoires" in reponse.content.decode()
    assert "js/import.js" in reponse.content.decode()


def test_page_import_ne_propose_pas_les_vagues_verrouillees(client_de, equipe, vague):
    f.VagueFactory(numero=1, nom="Vague close", statut=Vague.Statut.CLOSE)

    reponse = client_de(equipe).get(reverse("candidature_import"))

    assert list(reponse.context["form"].fields["vague"].queryset) == [vague]


def test_simulation_montre_les_lignes_sans_rien_ecrire(client_de, equipe, vague, communes):
    client = client_de(equipe)

    reponse = deposer(client, vague, fichier_csv([ligne(), ligne(code_insee="15014")]))

    assert reponse.status_code == 200
    analyse = reponse.context["analyse"]
    assert [(ligne.numero, ligne.action) for ligne in analyse.lignes] == [
        (2, "creation"),
        (3, "creation"),
    ]
    assert Candidature.objects.count() == 0
    attente = client.session[CLE_SESSION]
    assert attente["jeton"] == reponse.context["jeton"]
    assert default_storage.exists(attente["stocke"])
    default_storage.delete(attente["stocke"])


def test_simulation_ligne_refusee_affichee(client_de, equipe, vague, communes):
    reponse = deposer(client_de(equipe), vague, fichier_csv([ligne(code_insee="99999")]))

    assert reponse.status_code == 200
    assert "Rien ne sera importé" in reponse.content.decode()
    assert reponse.context["analyse"].messages_erreur() == [
        "Ligne 2 : code INSEE « 99999 » inconnu"
    ]
    assert reponse.context["jeton"] == ""


def test_simulation_fichier_illisible_message_sur_le_champ(client_de, equipe, vague):
    reponse = deposer(client_de(equipe), vague, b"", nom="vide.csv")

    assert reponse.status_code == 200
    assert reponse.context["form"].errors["fichier"] == ["Le fichier soumis est vide."]


def test_import_confirme_cree_les_candidatures(client_de, equipe, vague, communes):
    client = client_de(equipe)
    simulation = deposer(client, vague, fichier_csv([ligne(), ligne(code_insee="15014")]))
    stocke = client.session[CLE_SESSION]["stocke"]

    reponse = client.post(
        reverse("candidature_import_executer"), {"jeton": simulation.context["jeton"]}
    )

    assert reponse.status_code == 302
    assert Candidature.objects.filter(vague=vague).count() == 2
    assert [str(m) for m in get_messages(reponse.wsgi_request)] == [
        f"Import terminé dans « {vague.nom} » : 2 candidature(s) créée(s)."
    ]
    assert not default_storage.exists(stocke)
    assert CLE_SESSION not in client.session


def test_import_confirme_jeton_perime_n_importe_rien(client_de, equipe, vague, communes):
    client = client_de(equipe)
    deposer(client, vague, fichier_csv([ligne()]))

    reponse = client.post(reverse("candidature_import_executer"), {"jeton": "autre"})

    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("candidature_import")
    assert Candidature.objects.count() == 0
    default_storage.delete(client.session[CLE_SESSION]["stocke"])


def test_import_confirme_base_changee_depuis_la_simulation(client_de, equipe, vague, communes):
    client = client_de(equipe)
    simulation = deposer(client, vague, fichier_csv([ligne()]))
    f.CandidatureFactory(vague=vague, commune=communes["amberieu"])  # saisie entre-temps

    reponse = client.post(
        reverse("candidature_import_executer"), {"jeton": simulation.context["jeton"]}
    )

    assert reponse.status_code == 200
    assert reponse.context["analyse"].nb_refus == 1
    assert Candidature.objects.count() == 1


def test_import_confirme_get_refuse(client_de, equipe):
    assert client_de(equipe).get(reverse("candidature_import_executer")).status_code == 405


def test_import_refuse_a_l_observateur(client_de, observateur, vague, communes):
    reponse = deposer(client_de(observateur), vague, fichier_csv([ligne()]))

    assert reponse.status_code == 403
    assert Candidature.objects.count() == 0


def test_modele_csv_telechargeable_reimportable(client_de, equipe, vague, communes):
    reponse = client_de(equipe).get(reverse("candidature_import_modele"))

    contenu = reponse.content
    assert contenu.startswith(b"\xef\xbb\xbf")
    entete, exemple = contenu.decode("utf-8-sig").splitlines()
    assert entete.split(";")[:3] == ["code_insee", "commune", "departement"]
    # L'exemple (Charleville-Mézières, 08105) s'importe tel quel.
    analyse = simuler_fichier(contenu, "modele.csv", vague)
    assert (analyse.messages_erreur(), analyse.nb_creations) == ([], 1)


def test_modele_xlsx_telechargeable_reimportable(client_de, equipe, vague, communes):
    reponse = client_de(equipe).get(reverse("candidature_import_modele") + "?format=xlsx")

    classeur = openpyxl.load_workbook(io.BytesIO(reponse.content))
    assert classeur.sheetnames == ["Candidatures", "Colonnes"]
    analyse = simuler_fichier(reponse.content, "modele.xlsx", vague)
    assert (analyse.messages_erreur(), analyse.nb_creations) == ([], 1)


# ---------------------------------------------------------------------------------------------
# Un gros fichier
# ---------------------------------------------------------------------------------------------
def _paquets(modele, nombre: int) -> int:
    """Le nombre de requêtes d'un bulk_create de `nombre` objets, paquets de 500 au plus."""
    champs = [c for c in modele._meta.concrete_fields if not c.primary_key]
    taille = min(500, connection.ops.bulk_batch_size(champs, [None] * nombre) or 500)
    return math.ceil(nombre / taille)


@pytest.mark.lent
def test_import_5000_lignes(vague, equipe, ain, django_assert_max_num_queries):
    epci = f.EpciFactory()
    region = ain.region
    Commune.objects.bulk_create(
        [
            Commune(
                code_insee=f"01{i:03d}" if i < 1000 else f"{60 + i // 1000:02d}{i % 1000:03d}",
                nom=f"Commune {i}",
                nom_normalise=normaliser_nom(f"Commune {i}"),
                departement=ain,
                region=region,
                epci=epci,
            )
            for i in range(5000)
        ]
    )
    codes = list(Commune.objects.values_list("pk", flat=True))
    lignes = [
        ligne(code_insee=code.lstrip("0"), resume=f"Projet n° {i}, " + "texte " * 30)
        for i, code in enumerate(codes)
    ]
    contenu = fichier_csv(lignes)

    # Analyse : verrou de la vague, communes, candidatures actives ; écriture : numéro suivant,
    # puis des paquets (500 lignes au plus ; moins sous SQLite, limité à 999 paramètres par
    # requête) de candidatures, d'historique, de transitions et de financements.
    paquets = (
        _paquets(Candidature, 5000)
        + _paquets(Candidature.history.model, 5000)
        + _paquets(TransitionCandidature, 5000)
        + _paquets(LigneFinancement, 10000)
    )

    debut = time.monotonic()
    with django_assert_max_num_queries(6 + paquets):
        analyse, bilan = importer(contenu, vague, equipe)
    duree = time.monotonic() - debut

    print(f"\n5 000 lignes validées et importées en {duree:.1f} s")
    assert analyse.messages_erreur() == []
    assert bilan.crees == 5000
    assert Candidature.objects.filter(vague=vague).count() == 5000
    assert LigneFinancement.objects.count() == 10000
    assert TransitionCandidature.objects.count() == 5000
    assert Candidature.history.count() == 5000
    assert Candidature.objects.order_by("-reference").first().reference == "V2-5000"


def test_simulations_abandonnees_supprimees_apres_un_jour(db):
    import os

    from django.core.files.base import ContentFile

    from candidatures.views.imports import nettoyer_simulations_abandonnees

    ancien = default_storage.save("imports/ancien-test.csv", ContentFile(b"x"))
    recent = default_storage.save("imports/recent-test.csv", ContentFile(b"x"))
    il_y_a_deux_jours = time.time() - 2 * 86400
    os.utime(default_storage.path(ancien), (il_y_a_deux_jours, il_y_a_deux_jours))

    nettoyer_simulations_abandonnees()

    assert (default_storage.exists(ancien), default_storage.exists(recent)) == (False, True)
    default_storage.delete(recent)
