"""Propriétés de l'import des candidatures, sur des contenus arbitraires (Hypothesis).

Quel que soit le fichier : pas d'autre exception que les erreurs métier prévues
(`FichierIllisible`, `ErreurMetier`) ; chaque ligne refusée a un message en français précédé de
son numéro (« Ligne 7 : … ») ; un fichier refusé n'écrit rien.

Chaque exemple tourne dans sa propre transaction (`hypothesis.extra.django.TestCase`).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import warnings
import zipfile

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from acv.erreurs import ErreurMetier
from acv.roles import Role
from candidatures.imports import COLONNES, FichierIllisible, importer_fichier, simuler_fichier
from candidatures.models import Candidature, LigneFinancement, TransitionCandidature, Vague
from tests import factories as f

EXEMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOMS = tuple(c.nom for c in COLONNES)
COLONNES_FINANCEMENT = tuple(n for n in NOMS if n.startswith("financement_"))

# Ce qu'une erreur Python brute laisserait passer dans un message : jamais montré à l'utilisateur.
ANGLAIS = re.compile(
    r"Traceback|invalid literal|could not convert|object has no attribute|is not a valid|"
    r"unsupported operand|NoneType|Decimal\(|ValueError|KeyError|TypeError|\bnan\b",
    re.IGNORECASE,
)
LIGNE = re.compile(r"^Ligne (\d+) : \S")
CITATION = re.compile(r"«.*»", re.DOTALL)


def _anglais(message: str):
    """Une trace d'erreur Python dans le message, hors des valeurs citées entre « »."""
    return ANGLAIS.search(CITATION.sub("", message))


# -- stratégies --------------------------------------------------------------------------------
texte_quelconque = st.text(max_size=60)
montants = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(min_value=-(10**12), max_value=10**12, places=3).map(
        lambda d: str(d).replace(".", ",")
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
    st.sampled_from(
        ["12 500,50", "12.500,50", "12 500 €", "1e309", "-0", "NaN", "∞", "1,234", "0,001", ""]
    ),
    texte_quelconque,
)
dates = st.one_of(
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(lambda d: d.isoformat()),
    st.tuples(st.integers(-5, 99), st.integers(-5, 99), st.integers(-1, 99999)).map(
        lambda t: f"{t[0]:02d}/{t[1]:02d}/{t[2]:04d}"
    ),
    st.sampled_from(["31/02/2020", "00/00/0000", "29/02/2019", "1/1/1", "2020-13-45", ""]),
    texte_quelconque,
)
entiers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["60", "1 000", "2147483648", "-1", "12,5", "", "٣"]),
    texte_quelconque,
)


def _cellule_pour(nom: str, codes_insee: list[str]) -> st.SearchStrategy:
    if nom in COLONNES_FINANCEMENT:
        return montants
    if nom == "date_ouverture_prevue":
        return dates
    if nom == "apprenants_prevus":
        return entiers
    if nom == "code_insee":
        return st.one_of(st.sampled_from(codes_insee), texte_quelconque)
    if nom == "contact_email":
        return st.one_of(st.just("contact@mairie.invalid"), st.emails(), texte_quelconque)
    if nom == "porteur":
        return st.one_of(st.sampled_from(["commune", "epci", "EPCI", ""]), texte_quelconque)
    if nom == "reference":
        return st.one_of(
            st.just(""), st.sampled_from(["V4-0001", "V4-9999", "V1-0001"]), texte_quelconque
        )
    return st.one_of(st.just("Un texte ordinaire."), st.text(max_size=300))


@st.composite
def tableaux(draw, codes_insee: list[str]):
    """Des en-têtes (colonnes connues, dans le désordre, et inconnues) et des lignes de cellules."""
    entetes = draw(
        st.lists(
            st.one_of(st.sampled_from(NOMS), texte_quelconque),
            min_size=1,
            max_size=len(NOMS) + 2,
        )
    )
    nb_lignes = draw(st.integers(min_value=0, max_value=6))
    lignes = [
        [draw(_cellule_pour(nom, codes_insee)) for nom in entetes]
        + draw(st.lists(texte_quelconque, max_size=2))  # cellules en trop, parfois
        for _ in range(nb_lignes)
    ]
    return entetes, lignes


def _csv(entetes, lignes, separateur: str, encodage: str) -> bytes:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=separateur)
    ecrivain.writerow(entetes)
    ecrivain.writerows(lignes)
    return tampon.getvalue().encode(encodage, errors="replace")


def _xlsx(entetes, lignes, typer) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils.exceptions import IllegalCharacterError

    classeur = Workbook()
    feuille = classeur.active
    for ligne in [entetes, *lignes]:
        propres = []
        for valeur in ligne:
            valeur = typer(valeur)
            try:
                feuille.cell(row=1, column=1).value = valeur  # essai : caractères interdits
                propres.append(valeur)
            except (IllegalCharacterError, ValueError, TypeError):
                propres.append(None)
        feuille.append(propres)
    feuille.delete_rows(1)  # la ligne d'essai
    tampon = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classeur.save(tampon)
    return tampon.getvalue()


def _typer(valeur: str):
    """Ce qu'un tableur ferait d'une cellule : nombre, date, ou texte."""
    try:
        nombre = float(valeur.replace(",", "."))
    except ValueError:
        pass
    else:
        if nombre == nombre and abs(nombre) < 1e300:
            return nombre
    trouve = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", valeur)
    if trouve:
        try:
            jour, mois, annee = map(int, trouve.groups())
            return datetime.datetime(annee, mois, jour)
        except ValueError:
            pass
    return valeur


class ImportArbitraire(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.equipe = f.utilisateur(Role.EQUIPE, username="equipe-proprietes")
        cls.vague = f.VagueFactory(numero=4, statut=Vague.Statut.APPEL_OUVERT)
        cls.communes = [f.CommuneFactory() for _ in range(3)]
        # Une candidature existante, que le fichier peut viser par sa référence.
        f.CandidatureFactory(
            vague=cls.vague, commune=cls.communes[0], reference="V4-0001", statut="recue"
        )
        cls.codes = [c.code_insee for c in cls.communes] + ["2A004", "01004", "1004"]

    # -- outils ------------------------------------------------------------------------------
    def _comptes(self) -> tuple[int, ...]:
        return (
            Candidature.objects.count(),
            Candidature.history.count(),
            LigneFinancement.objects.count(),
            TransitionCandidature.objects.count(),
        )

    def _verifier_messages(self, analyse, nb_lignes_fichier: int) -> None:
        for message in analyse.erreurs_fichier:
            self.assertTrue(message.strip())
            self.assertIsNone(_anglais(message), message)
        for ligne in analyse.refusees:
            self.assertTrue(2 <= ligne.numero <= nb_lignes_fichier + 1, ligne.numero)
        messages = analyse.messages_erreur()[len(analyse.erreurs_fichier) :]
        self.assertEqual(len(messages), sum(len(ligne.erreurs) for ligne in analyse.refusees))
        for message in messages:
            self.assertRegex(message, LIGNE)
            self.assertIsNone(_anglais(message), message)

    def _importer(self, contenu: bytes, nom: str, nb_lignes: int) -> None:
        avant = self._comptes()
        try:
            analyse = simuler_fichier(contenu, nom, self.vague)
        except ErreurMetier as refus:  # FichierIllisible en est une
            self.assertTrue(str(refus).strip())
            self.assertIsNone(_anglais(str(refus)), str(refus))
        else:
            self._verifier_messages(analyse, nb_lignes)
        self.assertEqual(self._comptes(), avant, "la simulation n'écrit rien")

        try:
            analyse, bilan = importer_fichier(contenu, nom, self.vague, par=self.equipe)
        except ErreurMetier:
            self.assertEqual(self._comptes(), avant)
            return
        event("refusé" if bilan is None else "importé")
        if bilan is None:
            self.assertFalse(analyse.valide)
            self.assertEqual(self._comptes(), avant, "un fichier refusé n'écrit rien")
        else:
            self.assertTrue(analyse.valide)
            apres = self._comptes()
            self.assertEqual(apres[0] - avant[0], bilan.crees)
            self.assertEqual(apres[3] - avant[3], bilan.crees)

    # -- propriétés ----------------------------------------------------------------------------
    @EXEMPLES
    @given(
        contenu=st.binary(max_size=3000),
        nom=st.sampled_from(["import.csv", "import.txt", "import.xlsx", "import.xls", "x", ""]),
    )
    def test_octets_quelconques(self, contenu, nom):
        self._importer(contenu, nom, nb_lignes=contenu.count(b"\n") + 1)

    @EXEMPLES
    @given(
        contenu=st.binary(max_size=2000).map(lambda b: b"PK\x03\x04" + b),
    )
    def test_faux_classeur_zip(self, contenu):
        self._importer(contenu, "import.xlsx", nb_lignes=0)

    @EXEMPLES
    @given(data=st.data())
    def test_vrai_classeur_dont_une_partie_est_abimee(self, data):
        """Un vrai XLSX dont une partie (feuille, classeur, relations, styles…) est retirée,
        tronquée, remplacée par des octets quelconques ou par du XML qui pointe n'importe où."""
        entetes, lignes = data.draw(tableaux(self.codes))
        contenu = _xlsx(entetes, lignes, _typer)
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            parties = {nom: archive.read(nom) for nom in archive.namelist()}
        cible = data.draw(st.sampled_from(sorted(parties)), label="partie abîmée")
        original = parties[cible]
        abimee = data.draw(
            st.one_of(
                st.none(),
                st.integers(0, len(original)).map(lambda n: original[:n]),
                st.binary(max_size=200),
                st.sampled_from(
                    [
                        b"<?xml version='1.0'?><a><b></a>",
                        original.replace(b'r="A1"', b'r="ZZZZZZ1"'),
                        original.replace(b"sheet1", b"sheet9"),
                        original.replace(b'"1"', b'"-7"'),
                    ]
                ),
            ),
            label="contenu",
        )
        sortie = io.BytesIO()
        with zipfile.ZipFile(sortie, "w") as archive:
            for nom, octets in parties.items():
                if nom != cible:
                    archive.writestr(nom, octets)
                elif abimee is not None:
                    archive.writestr(nom, abimee)
        self._importer(sortie.getvalue(), "import.xlsx", nb_lignes=len(lignes))

    def test_classeurs_abimes_connus(self):
        """Les cas trouvés à l'audit : feuille ou classeur au XML cassé, référence de cellule
        impossible, feuille absente — chacun refusé avec un message, jamais une 500."""
        contenu = _xlsx(["code_insee"], [["15014"]], _typer)
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            parties = {nom: archive.read(nom) for nom in archive.namelist()}
        feuille = "xl/worksheets/sheet1.xml"
        variantes = {
            "feuille cassée": {feuille: b"<worksheet><sheetData><row>"},
            "classeur cassé": {"xl/workbook.xml": b"<workbook><sheets>"},
            "cellule impossible": {feuille: parties[feuille].replace(b'r="A1"', b'r="ZZZZZZ1"')},
            "feuille absente": {feuille: None},
        }
        for nom, changements in variantes.items():
            with self.subTest(nom):
                sortie = io.BytesIO()
                with zipfile.ZipFile(sortie, "w") as archive:
                    for partie, octets in {**parties, **changements}.items():
                        if octets is not None:
                            archive.writestr(partie, octets)
                avant = self._comptes()
                try:
                    simuler_fichier(sortie.getvalue(), "import.xlsx", self.vague)
                except ErreurMetier as refus:
                    self.assertIn("XLSX", str(refus))
                self.assertEqual(self._comptes(), avant)

    @EXEMPLES
    @given(data=st.data())
    def test_csv_aux_cellules_arbitraires(self, data):
        entetes, lignes = data.draw(tableaux(self.codes))
        separateur = data.draw(st.sampled_from([";", ",", "\t"]))
        encodage = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
        contenu = _csv(entetes, lignes, separateur, encodage)
        # Une cellule multiligne compte pour plusieurs lignes du fichier.
        self._importer(contenu, "import.csv", nb_lignes=max(len(lignes), contenu.count(b"\n")))

    @EXEMPLES
    @given(data=st.data())
    def test_xlsx_aux_cellules_typees_arbitraires(self, data):
        entetes, lignes = data.draw(tableaux(self.codes))
        contenu = _xlsx(entetes, lignes, _typer)
        self._importer(contenu, "import.xlsx", nb_lignes=len(lignes))

    @EXEMPLES
    @given(
        montant=montants,
        date=dates,
        apprenants=entiers,
        source=st.sampled_from(COLONNES_FINANCEMENT),
    )
    def test_montants_dates_et_nombres_arbitraires_sur_une_ligne_sinon_valide(
        self, montant, date, apprenants, source
    ):
        entetes = [
            "code_insee",
            "contact_nom",
            "contact_email",
            "resume",
            "date_ouverture_prevue",
            "apprenants_prevus",
            source,
        ]
        ligne = [
            self.communes[1].code_insee,
            "Camille Fictif",
            "camille@mairie.invalid",
            "Un projet.",
            date,
            apprenants,
            montant,
        ]
        avant = self._comptes()
        try:
            analyse, bilan = importer_fichier(
                _csv(entetes, [ligne], ";", "utf-8"), "import.csv", self.vague, par=self.equipe
            )
        except FichierIllisible as refus:  # un caractère NUL rend le CSV illisible : prévu
            self.assertIn("CSV", str(refus))
            self.assertEqual(self._comptes(), avant)
            return
        self._verifier_messages(analyse, 1)
        event("refusé" if bilan is None else "importé")
        if bilan is None:
            self.assertEqual(self._comptes(), avant)
            self.assertTrue(all(m.startswith("Ligne 2 : ") for m in analyse.messages_erreur()))
        else:
            candidature = Candidature.objects.get(reference=bilan.references[0])
            self.assertEqual(candidature.commune, self.communes[1])
