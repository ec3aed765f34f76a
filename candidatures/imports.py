"""Import des candidatures depuis un fichier CSV ou XLSX, tel que l'écrivent les tableurs français.

Trois temps : lire le fichier (`lire_tableau` : format, encodage et séparateur détectés), analyser
chaque ligne contre la base (`analyser` : communes, références, une candidature active par ville
et par vague, en une poignée de requêtes groupées), puis écrire en masse (`importer_fichier`, dans
une transaction : rien n'est écrit si une seule ligne est refusée).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from acv.erreurs import ErreurMetier
from acv.models import Commune, normaliser_nom

from .models import Candidature, LigneFinancement, TransitionCandidature, Vague

TAILLE_MAX = 10 * 1024 * 1024  # 10 Mo : bien au-delà de 5 000 candidatures
LIGNES_MAX = 20_000
EXTENSIONS = (".csv", ".txt", ".xlsx")
# Les états où une candidature peut encore être corrigée par un import.
ETATS_MODIFIABLES = (
    Candidature.Statut.BROUILLON,
    Candidature.Statut.RECUE,
    Candidature.Statut.INCOMPLETE,
    Candidature.Statut.RECEVABLE,
)


class FichierIllisible(ErreurMetier):
    """Le fichier lui-même ne peut pas être lu (format, encodage, en-tête)."""


# ---------------------------------------------------------------------------------------------
# Les colonnes
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Colonne:
    nom: str
    obligatoire: bool
    description: str
    exemple: str
    obligatoire_si: str = ""  # une condition, quand l'obligation en dépend


def _colonne_financement(source: LigneFinancement.Source, exemple: str) -> Colonne:
    return Colonne(
        f"financement_{source.value}",
        False,
        f"Montant en euros apporté par : {source.label}. Espaces entre les milliers et virgule "
        "décimale acceptés. Vide : aucun apport.",
        exemple,
    )


_EXEMPLES_FINANCEMENT = {
    LigneFinancement.Source.COMMUNE: "45 000",
    LigneFinancement.Source.EPCI: "20 000",
    LigneFinancement.Source.CONVENTION_ACV: "30 000",
    LigneFinancement.Source.BANQUE_TERRITOIRES: "12 500,50",
    LigneFinancement.Source.REGION: "15 000",
}

COLONNES: tuple[Colonne, ...] = (
    Colonne(
        "reference",
        False,
        "Référence d'une candidature de la vague (par exemple V2-0042) : la ligne la met à jour, "
        "si elle est encore en brouillon, reçue, incomplète ou recevable. Vide : la ligne crée "
        "une candidature, au statut « reçue ».",
        "",
    ),
    Colonne(
        "code_insee",
        False,
        "Code INSEE de la commune, 5 caractères (« 1004 » est lu 01004, « 2A004 » pour la Corse).",
        "08105",
        obligatoire_si="si la colonne commune est vide",
    ),
    Colonne(
        "commune",
        False,
        "Nom de la commune, si le code INSEE n'est pas donné. Majuscules, accents, tirets et "
        "« St » / « Saint » sont indifférents ; un nom porté par plusieurs communes demande le "
        "département ou le code INSEE.",
        "Charleville-Mézières",
        obligatoire_si="si la colonne code_insee est vide",
    ),
    Colonne(
        "departement",
        False,
        "Code du département de la commune (08, 2A, 974) : distingue des communes homonymes.",
        "08",
    ),
    Colonne(
        "porteur",
        False,
        "Qui porte la candidature : « commune » (par défaut) ou « epci » pour l'intercommunalité "
        "dont la commune est membre.",
        "commune",
    ),
    Colonne("contact_nom", True, "Nom et prénom de la personne à contacter.", "Camille Exemple"),
    Colonne("contact_fonction", False, "Sa fonction.", "Cheffe de projet Cœur de Ville"),
    Colonne("contact_email", True, "Son adresse électronique.", "camille.exemple@mairie.invalid"),
    Colonne("contact_telephone", False, "Son téléphone.", "03 24 00 00 00"),
    Colonne(
        "resume",
        True,
        "Résumé du projet.",
        "Un espace d'accès à la formation au cœur de la ville, ouvert aux actifs du bassin.",
    ),
    Colonne(
        "besoins_territoire",
        False,
        "Besoins du bassin d'emploi.",
        "Métiers de l'industrie et du numérique en tension.",
    ),
    Colonne("publics", False, "Publics visés.", "Demandeurs d'emploi, salariés en reconversion."),
    Colonne(
        "offre_formation",
        False,
        "Offre de formation envisagée.",
        "Titre professionnel, licence de gestion en alternance.",
    ),
    Colonne("locaux", False, "Locaux envisagés.", "Ancienne médiathèque, 300 m², centre-ville."),
    Colonne(
        "partenaires", False, "Partenaires locaux.", "Agglomération, Pôle emploi, lycée technique."
    ),
    Colonne(
        "date_ouverture_prevue",
        False,
        "Date d'ouverture prévue, au format JJ/MM/AAAA.",
        "01/09/2020",
    ),
    Colonne(
        "apprenants_prevus",
        False,
        "Nombre d'apprenants attendus la première année (nombre entier).",
        "60",
    ),
    *(
        _colonne_financement(source, _EXEMPLES_FINANCEMENT.get(source, ""))
        for source in LigneFinancement.Source
    ),
)
# Le modèle téléchargeable : sans la référence, qui n'existe qu'à l'export.
COLONNES_MODELE: tuple[Colonne, ...] = COLONNES[1:]
NOMS_COLONNES = tuple(c.nom for c in COLONNES)
COLONNE_FINANCEMENT = {f"financement_{s.value}": s.value for s in LigneFinancement.Source}

CHAMPS_TEXTE = (
    "contact_nom",
    "contact_fonction",
    "contact_email",
    "contact_telephone",
    "resume",
    "besoins_territoire",
    "publics",
    "offre_formation",
    "locaux",
    "partenaires",
)
CHAMPS_OBLIGATOIRES = tuple(c.nom for c in COLONNES if c.obligatoire)
# Ce qu'une mise à jour peut changer sur une candidature existante.
CHAMPS_MODIFIABLES = (
    "commune",
    "porteur",
    "epci",
    "cle_ville",
    *CHAMPS_TEXTE,
    "date_ouverture_prevue",
    "apprenants_prevus",
)

# Quelques intitulés que les tableurs des porteurs emploient, ramenés aux noms des colonnes.
ALIAS = {
    "ref": "reference",
    "insee": "code_insee",
    "code_commune": "code_insee",
    "nom_commune": "commune",
    "dept": "departement",
    "code_departement": "departement",
    "email": "contact_email",
    "e_mail": "contact_email",
    "contact_e_mail": "contact_email",
    "courriel": "contact_email",
    "contact_courriel": "contact_email",
    "telephone": "contact_telephone",
}


def cle_entete(texte: object) -> str:
    """« Code INSEE » → code_insee ; « Référence » → reference."""
    t = unicodedata.normalize("NFKD", str(texte or "")).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-z0-9]+", "_", t.lower()).strip("_")
    return ALIAS.get(t, t)


# ---------------------------------------------------------------------------------------------
# Lecture du fichier
# ---------------------------------------------------------------------------------------------
@dataclass
class Tableau:
    """Un fichier lu : ses en-têtes, ses lignes numérotées comme dans le tableur (en-tête = 1)."""

    entetes: list[str]
    lignes: list[tuple[int, list]]
    description: str


def _decoder(contenu: bytes) -> tuple[str, str]:
    """UTF-8 (avec ou sans BOM) si le texte en est, sinon Windows-1252 (UTF-16 s'il a son BOM)."""
    if contenu.startswith((b"\xff\xfe", b"\xfe\xff")):
        return contenu.decode("utf-16", errors="replace"), "UTF-16"
    try:
        texte = contenu.decode("utf-8-sig")
        return texte, "UTF-8 avec BOM" if contenu.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        return contenu.decode("cp1252", errors="replace"), "Windows-1252"


def _separateur(texte: str) -> str:
    """Le séparateur le plus fréquent de la première ligne non vide (hors guillemets)."""
    premiere = next((ligne for ligne in texte.splitlines() if ligne.strip()), "")
    hors_guillemets = re.sub(r'"[^"]*"', "", premiere)
    comptes = {sep: hors_guillemets.count(sep) for sep in (";", ",", "\t")}
    meilleur = max(comptes, key=comptes.get)
    if comptes[meilleur]:
        return meilleur
    try:
        return csv.Sniffer().sniff(texte[:4096], delimiters=";,\t").delimiter
    except csv.Error:
        return ";"


def _lire_csv(contenu: bytes) -> Tableau:
    texte, encodage = _decoder(contenu)
    if "\x00" in texte:
        raise FichierIllisible(
            "Ce fichier n'est pas un fichier texte CSV : enregistrez-le au format CSV ou XLSX."
        )
    sep = _separateur(texte)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=sep)
    lignes = []
    try:
        for numero, cellules in enumerate(lecteur, start=1):
            lignes.append((numero, cellules))
            if numero > LIGNES_MAX + 1:
                raise FichierIllisible(
                    f"Ce fichier a plus de {LIGNES_MAX} lignes : découpez-le en plusieurs fichiers."
                )
    except csv.Error as erreur:
        raise FichierIllisible(
            f"Ce fichier CSV est mal formé près de la ligne {len(lignes) + 1} ({erreur})."
        ) from erreur
    nom_sep = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}[sep]
    return _tableau(lignes, f"CSV, séparateur {nom_sep}, encodage {encodage}")


ILLISIBLE_XLSX = (
    "Ce fichier XLSX est illisible : ouvrez-le dans votre tableur et enregistrez-le "
    "à nouveau au format XLSX ou CSV."
)


def _lire_xlsx(contenu: bytes) -> Tableau:
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl avertit de styles qu'il ignore : rien qui touche aux valeurs.
            warnings.simplefilter("ignore")
            classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True, data_only=True)
    # Un fichier reçu peut être abîmé ou fabriqué n'importe comment : quoi que lève openpyxl
    # (archive, XML mal formé, référence de cellule impossible, feuille absente…), le fichier
    # est illisible, jamais une erreur serveur.
    except Exception as erreur:  # noqa: BLE001
        raise FichierIllisible(ILLISIBLE_XLSX) from erreur
    try:
        if not classeur.worksheets:
            raise FichierIllisible("Ce fichier XLSX n'a aucune feuille de calcul.")
        feuille = classeur.worksheets[0]
        lignes = []
        for numero, valeurs in enumerate(feuille.iter_rows(values_only=True), start=1):
            lignes.append((numero, list(valeurs)))
            if numero > LIGNES_MAX + 1:
                raise FichierIllisible(
                    f"Ce fichier a plus de {LIGNES_MAX} lignes : découpez-le en plusieurs fichiers."
                )
        nom_feuille = feuille.title
    except FichierIllisible:
        raise
    except Exception as erreur:  # noqa: BLE001
        raise FichierIllisible(ILLISIBLE_XLSX) from erreur
    finally:
        classeur.close()
    return _tableau(lignes, f"XLSX, feuille « {nom_feuille} »")


def _est_vide(valeur: object) -> bool:
    return valeur is None or (isinstance(valeur, str) and not valeur.strip())


def _tableau(lignes: list[tuple[int, list]], description: str) -> Tableau:
    # Les lignes vides (celles de la fin, et celles qu'un tableur laisse au milieu) ne comptent pas.
    pleines = [(n, cellules) for n, cellules in lignes if not all(map(_est_vide, cellules))]
    if not pleines:
        raise FichierIllisible("Ce fichier est vide.")
    numero_entete, entete = pleines[0]
    if numero_entete != 1:
        raise FichierIllisible(
            "La première ligne du fichier doit porter les noms des colonnes (voir le modèle)."
        )
    return Tableau(
        entetes=[cle_entete(v) for v in entete], lignes=pleines[1:], description=description
    )


def lire_tableau(contenu: bytes, nom: str) -> Tableau:
    """Lit un fichier CSV ou XLSX ; lève FichierIllisible avec un message à montrer."""
    if len(contenu) > TAILLE_MAX:
        raise FichierIllisible(f"Ce fichier dépasse {TAILLE_MAX // (1024 * 1024)} Mo.")
    nom = (nom or "").lower()
    if contenu.startswith(b"PK\x03\x04") or nom.endswith(".xlsx"):
        return _lire_xlsx(contenu)
    if contenu.startswith(b"\xd0\xcf\x11\xe0") or nom.endswith(".xls"):
        raise FichierIllisible(
            "Les classeurs Excel 97-2003 (.xls) ne sont pas lus : enregistrez le fichier au "
            "format XLSX ou CSV."
        )
    return _lire_csv(contenu)


# ---------------------------------------------------------------------------------------------
# Valeurs
# ---------------------------------------------------------------------------------------------
class ValeurInvalide(ValueError):
    pass


_ESPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007]+")


def texte_cellule(valeur: object) -> str:
    """Le texte d'une cellule, espaces parasites ôtés ; le « ' » qui neutralise une formule aussi."""
    if valeur is None:
        return ""
    if isinstance(valeur, datetime.datetime):
        valeur = valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    texte = str(valeur).replace("\r\n", "\n").replace("\r", "\n").strip()
    if texte.startswith("'") and texte[1:2] in ("=", "+", "-", "@"):
        texte = texte[1:]
    return texte


def lire_montant(valeur: object) -> Decimal | None:
    """« 12 500,50 », « 12500.5 », « 12 500 € », une cellule numérique → Decimal ; vide → None."""
    brut = texte_cellule(valeur)
    if isinstance(valeur, float):
        # Un nombre calculé par le tableur peut traîner des décimales : arrondi au centime.
        montant = Decimal(str(round(valeur, 2)))
    elif isinstance(valeur, (int, Decimal)) and not isinstance(valeur, bool):
        montant = Decimal(valeur)
    else:
        texte = _ESPACES.sub("", brut).removesuffix("€").removesuffix("EUR")
        if not texte:
            return None
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", texte):  # 12.500,50
            texte = texte.replace(".", "")
        if not re.fullmatch(r"-?\d+([.,]\d{1,2})?", texte):
            raise ValeurInvalide(f"« {brut} » n'est pas un montant (exemple : 12 500,50)")
        montant = Decimal(texte.replace(",", "."))
    if not montant.is_finite() or montant >= 10**10:
        raise ValeurInvalide(f"« {brut} » n'est pas un montant plausible")
    if montant < 0:
        raise ValeurInvalide(f"« {brut} » : un montant ne peut pas être négatif")
    if montant != montant.quantize(Decimal("0.01")):
        raise ValeurInvalide(f"« {brut} » : deux chiffres au plus après la virgule")
    return montant.quantize(Decimal("0.01"))


def lire_date(valeur: object) -> datetime.date | None:
    """JJ/MM/AAAA (ou une date de tableur, ou AAAA-MM-JJ) → date ; vide → None."""
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    texte = texte_cellule(valeur)
    if not texte:
        return None
    trouve = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", texte)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", texte)
    try:
        if trouve:
            jour, mois, annee = map(int, trouve.groups())
            return datetime.date(annee, mois, jour)
        if iso:
            annee, mois, jour = map(int, iso.groups())
            return datetime.date(annee, mois, jour)
    except ValueError:
        pass
    raise ValeurInvalide(f"« {texte} » n'est pas une date au format JJ/MM/AAAA")


def lire_entier(valeur: object) -> int | None:
    if isinstance(valeur, int) and not isinstance(valeur, bool):
        nombre = valeur
    elif isinstance(valeur, float) and valeur.is_integer():
        nombre = int(valeur)
    else:
        texte = _ESPACES.sub("", texte_cellule(valeur))
        if not texte:
            return None
        if not re.fullmatch(r"\d+", texte):
            raise ValeurInvalide(f"« {texte_cellule(valeur)} » n'est pas un nombre entier")
        nombre = int(texte)
    if nombre < 0 or nombre > 2_147_483_647:
        raise ValeurInvalide(f"« {nombre} » n'est pas un nombre d'apprenants plausible")
    return nombre


def lire_code_insee(valeur: object) -> str:
    """« 1004 » → 01004 (zéro initial perdu par le tableur) ; « 2a004 » → 2A004."""
    texte = _ESPACES.sub("", texte_cellule(valeur)).upper()
    if re.fullmatch(r"\d{4}", texte):
        texte = texte.zfill(5)
    if not re.fullmatch(r"\d{5}|2[AB]\d{3}", texte):
        raise ValeurInvalide(f"code INSEE « {texte_cellule(valeur)} » mal formé (5 caractères)")
    return texte


def lire_departement(valeur: object) -> str:
    texte = _ESPACES.sub("", texte_cellule(valeur)).upper()
    if re.fullmatch(r"\d", texte):
        texte = texte.zfill(2)
    if not re.fullmatch(r"\d{2,3}|2[AB]", texte):
        raise ValeurInvalide(f"département « {texte_cellule(valeur)} » mal formé (01, 2A, 974…)")
    return texte


PORTEURS = {
    "commune": Candidature.Porteur.COMMUNE,
    "la commune": Candidature.Porteur.COMMUNE,
    "ville": Candidature.Porteur.COMMUNE,
    "epci": Candidature.Porteur.EPCI,
    "intercommunalite": Candidature.Porteur.EPCI,
    "l intercommunalite": Candidature.Porteur.EPCI,
    "l intercommunalite epci": Candidature.Porteur.EPCI,
}


def lire_porteur(valeur: object) -> str:
    texte = normaliser_nom(texte_cellule(valeur))
    if not texte:
        return Candidature.Porteur.COMMUNE
    if texte not in PORTEURS:
        raise ValeurInvalide(
            f"porteur « {texte_cellule(valeur)} » : écrivez « commune » ou « epci »"
        )
    return PORTEURS[texte]


# ---------------------------------------------------------------------------------------------
# Analyse
# ---------------------------------------------------------------------------------------------
class Action:
    CREATION = "creation"
    MISE_A_JOUR = "mise_a_jour"
    INCHANGEE = "inchangee"
    REFUS = "refus"

    LIBELLES = {
        CREATION: "Création",
        MISE_A_JOUR: "Mise à jour",
        INCHANGEE: "Inchangée",
        REFUS: "Refusée",
    }


@dataclass
class LigneAnalysee:
    numero: int
    erreurs: list[str] = field(default_factory=list)
    reference: str = ""
    commune: Commune | None = None
    candidature: Candidature | None = None  # la candidature mise à jour
    champs: dict = field(default_factory=dict)  # valeurs des champs du modèle, normalisées
    montants: dict = field(default_factory=dict)  # source -> Decimal | None (colonnes présentes)
    changements: list[str] = field(default_factory=list)

    @property
    def action(self) -> str:
        if self.erreurs:
            return Action.REFUS
        if self.candidature is None:
            return Action.CREATION
        return Action.MISE_A_JOUR if self.changements else Action.INCHANGEE

    @property
    def libelle_action(self) -> str:
        return Action.LIBELLES[self.action]

    @property
    def financements_lisibles(self) -> list[tuple[str, Decimal]]:
        return [
            (LigneFinancement.Source(source).label, montant)
            for source, montant in self.montants.items()
            if montant is not None
        ]

    @property
    def libelle_commune(self) -> str:
        if self.commune is not None:
            return f"{self.commune.nom} ({self.commune.code_insee})"
        if self.candidature is not None:
            return str(self.candidature.commune.nom)
        return ""


@dataclass
class Analyse:
    vague: Vague
    nom_fichier: str
    description: str = ""
    lignes: list[LigneAnalysee] = field(default_factory=list)
    erreurs_fichier: list[str] = field(default_factory=list)
    remarques: list[str] = field(default_factory=list)

    @property
    def valide(self) -> bool:
        return bool(self.lignes) and not self.erreurs_fichier and not self.refusees

    @property
    def refusees(self) -> list[LigneAnalysee]:
        return [ligne for ligne in self.lignes if ligne.erreurs]

    def _compte(self, action: str) -> int:
        return sum(1 for ligne in self.lignes if ligne.action == action)

    @property
    def nb_creations(self) -> int:
        return self._compte(Action.CREATION)

    @property
    def nb_mises_a_jour(self) -> int:
        return self._compte(Action.MISE_A_JOUR)

    @property
    def nb_inchangees(self) -> int:
        return self._compte(Action.INCHANGEE)

    @property
    def nb_refus(self) -> int:
        return len(self.refusees)

    def messages_erreur(self) -> list[str]:
        """Chaque erreur, précédée de son numéro de ligne : « Ligne 7 : … »."""
        return [*self.erreurs_fichier] + [
            f"Ligne {ligne.numero} : {erreur}"
            for ligne in self.refusees
            for erreur in ligne.erreurs
        ]


def _libelle(commune: Commune) -> str:
    return f"{commune.nom} ({commune.code_insee}, {commune.departement.nom})"


class _Referentiel:
    """Ce que l'analyse lit en base, en quelques requêtes groupées."""

    def __init__(self, vague: Vague, brutes: list[dict]) -> None:
        codes, noms, references = set(), set(), set()
        for valeurs in brutes:
            try:
                if not _est_vide(valeurs.get("code_insee")):
                    codes.add(lire_code_insee(valeurs["code_insee"]))
            except ValeurInvalide:
                pass
            if not _est_vide(valeurs.get("commune")):
                noms.add(normaliser_nom(texte_cellule(valeurs["commune"])))
            if not _est_vide(valeurs.get("reference")):
                references.add(texte_cellule(valeurs["reference"]).upper())
        communes = Commune.objects.select_related("departement")
        # 1 requête : les communes données par leur code
        self.par_code = {c.pk: c for c in communes.filter(pk__in=codes)} if codes else {}
        # 1 requête : les communes données par leur nom
        self.par_nom: dict[str, list[Commune]] = defaultdict(list)
        if noms:
            for c in communes.filter(nom_normalise__in=noms).order_by("departement_id", "pk"):
                self.par_nom[c.nom_normalise].append(c)
        # 2 requêtes : les candidatures désignées par leur référence, et leur financement
        self.par_reference = (
            {
                c.reference: c
                for c in Candidature.objects.filter(reference__in=references)
                .select_related("vague", "commune")
                .prefetch_related("financements")
            }
            if references
            else {}
        )
        # 1 requête : les candidatures actives de la vague, par ville
        self.actives: dict[str, tuple[str, str]] = {
            cle: (reference, nom)
            for cle, reference, nom in Candidature.objects.filter(vague=vague)
            .actives()
            .values_list("cle_ville", "reference", "commune__nom")
        }

    def commune(self, valeurs: dict) -> Commune:
        """La commune d'une ligne, par son code INSEE ou son nom ; ValeurInvalide sinon."""
        departement = None
        if not _est_vide(valeurs.get("departement")):
            departement = lire_departement(valeurs["departement"])
        nom = texte_cellule(valeurs.get("commune"))
        if not _est_vide(valeurs.get("code_insee")):
            code = lire_code_insee(valeurs["code_insee"])
            commune = self.par_code.get(code)
            if commune is None:
                raise ValeurInvalide(f"code INSEE « {code} » inconnu")
            if nom and normaliser_nom(nom) != commune.nom_normalise:
                raise ValeurInvalide(
                    f"le code INSEE {code} est celui de {commune.nom}, pas de « {nom} » : "
                    "corrigez l'un des deux"
                )
            if departement and departement != commune.departement_id:
                raise ValeurInvalide(
                    f"{commune.nom} ({code}) est dans le département {commune.departement_id}, "
                    f"pas dans le {departement}"
                )
            return commune
        if not nom:
            raise ValeurInvalide("commune manquante : donnez son code INSEE ou son nom")
        homonymes = self.par_nom.get(normaliser_nom(nom), [])
        if not homonymes:
            raise ValeurInvalide(
                f"commune « {nom} » inconnue : vérifiez son nom ou donnez son code INSEE"
            )
        candidates = homonymes
        if departement:
            candidates = [c for c in homonymes if c.departement_id == departement]
            if not candidates:
                raise ValeurInvalide(
                    f"aucune commune « {nom} » dans le département {departement} ; "
                    f"{len(homonymes)} ailleurs : " + ", ".join(map(_libelle, homonymes))
                )
        if len(candidates) > 1:
            raise ValeurInvalide(
                f"{nom} : {len(candidates)} communes portent ce nom : "
                + ", ".join(map(_libelle, candidates))
                + " ; précisez le département ou le code INSEE"
            )
        return candidates[0]


LONGUEURS = {
    nom: Candidature._meta.get_field(nom).max_length
    for nom in CHAMPS_TEXTE
    if Candidature._meta.get_field(nom).max_length
}


def _analyser_valeurs(
    ligne: LigneAnalysee, valeurs: dict, presentes: set[str], referentiel: _Referentiel, vague
) -> None:
    """Remplit `ligne` (champs, montants, commune, candidature) et ses erreurs."""
    erreurs = ligne.erreurs
    reference = texte_cellule(valeurs.get("reference")).upper()
    ligne.reference = reference
    if reference:
        candidature = referentiel.par_reference.get(reference)
        if candidature is None:
            erreurs.append(
                f"référence « {reference} » inconnue (videz-la pour créer la candidature)"
            )
        elif candidature.vague_id != vague.pk:
            erreurs.append(
                f"la candidature {reference} appartient à la vague « {candidature.vague.nom} », "
                f"pas à « {vague.nom} »"
            )
        elif candidature.statut not in ETATS_MODIFIABLES:
            erreurs.append(
                f"la candidature {reference} est « {candidature.get_statut_display()} » : "
                "elle ne peut plus être modifiée par un import"
            )
        else:
            ligne.candidature = candidature
        if erreurs:
            return

    creation = ligne.candidature is None
    # La commune : obligatoire à la création ; à la mise à jour, seulement si une colonne la donne.
    if creation or presentes & {"code_insee", "commune"}:
        try:
            ligne.commune = referentiel.commune(valeurs)
        except ValeurInvalide as erreur:
            erreurs.append(str(erreur))

    champs = ligne.champs
    if creation or "porteur" in presentes:
        try:
            champs["porteur"] = lire_porteur(valeurs.get("porteur"))
        except ValeurInvalide as erreur:
            erreurs.append(str(erreur))
    longueurs = LONGUEURS
    for nom in CHAMPS_TEXTE:
        if not creation and nom not in presentes:
            continue
        texte = texte_cellule(valeurs.get(nom))
        if nom == "contact_email":
            texte = texte.lower()
        if not texte and nom in CHAMPS_OBLIGATOIRES:
            erreurs.append(f"{nom} : valeur obligatoire manquante")
            continue
        if nom in longueurs and len(texte) > longueurs[nom]:
            erreurs.append(f"{nom} : trop long ({len(texte)} caractères, {longueurs[nom]} au plus)")
            continue
        if nom == "contact_email" and texte:
            try:
                validate_email(texte)
            except ValidationError:
                erreurs.append(
                    f"contact_email : « {texte} » n'est pas une adresse électronique valide"
                )
                continue
        champs[nom] = texte
    for nom, lecteur in (("date_ouverture_prevue", lire_date), ("apprenants_prevus", lire_entier)):
        if creation or nom in presentes:
            try:
                champs[nom] = lecteur(valeurs.get(nom))
            except ValeurInvalide as erreur:
                erreurs.append(f"{nom} : {erreur}")
    for colonne, source in COLONNE_FINANCEMENT.items():
        if colonne in presentes:
            try:
                ligne.montants[source] = lire_montant(valeurs.get(colonne))
            except ValeurInvalide as erreur:
                erreurs.append(f"{colonne} : {erreur}")

    commune = ligne.commune or (ligne.candidature.commune if ligne.candidature else None)
    if commune is not None and ("porteur" in champs or ligne.commune is not None):
        porteur = champs.get("porteur", ligne.candidature.porteur if ligne.candidature else None)
        if porteur == Candidature.Porteur.EPCI:
            if commune.epci_id is None:
                erreurs.append(
                    f"porteur « epci » : {commune.nom} n'appartient à aucune intercommunalité connue"
                )
            champs["epci_id"] = commune.epci_id
        elif porteur == Candidature.Porteur.COMMUNE:
            champs["epci_id"] = None
    if ligne.commune is not None:
        champs["commune_id"] = ligne.commune.pk
        champs["cle_ville"] = Candidature.cle_ville_de(ligne.commune)


def _changements(ligne: LigneAnalysee) -> list[str]:
    """Les colonnes dont la valeur diffère de la candidature en base (mise à jour)."""
    candidature = ligne.candidature
    noms = []
    for nom, valeur in ligne.champs.items():
        if nom == "cle_ville":
            continue
        if getattr(candidature, nom) != valeur:
            noms.append({"commune_id": "commune", "epci_id": "porteur"}.get(nom, nom))
    actuels = _montants_par_source(candidature)
    for source, montant in ligne.montants.items():
        if actuels.get(source) != montant:
            noms.append(f"financement_{source}")
    return list(dict.fromkeys(noms))


def _montants_par_source(candidature: Candidature) -> dict[str, Decimal]:
    montants: dict[str, Decimal] = {}
    for ligne in candidature.financements.all():
        montants[ligne.source] = montants.get(ligne.source, Decimal("0")) + ligne.montant
    return montants


def analyser(tableau: Tableau, vague: Vague, nom_fichier: str = "") -> Analyse:
    """Analyse chaque ligne contre la base sans rien écrire.

    Requêtes : les communes par code (1), par nom (1), les candidatures par référence et leur
    financement (2), les candidatures actives de la vague (1) — quel que soit le nombre de lignes.
    """
    analyse = Analyse(vague=vague, nom_fichier=nom_fichier, description=tableau.description)
    if vague.est_verrouillee:
        analyse.erreurs_fichier.append(
            f"La vague « {vague.nom} » est « {vague.get_statut_display()} » : on n'y importe plus."
        )
    entetes = tableau.entetes
    doublons = sorted({e for e in entetes if e and entetes.count(e) > 1})
    if doublons:
        analyse.erreurs_fichier.append(
            "Colonnes en double : " + ", ".join(doublons) + ". Gardez-en une de chaque."
        )
    connues = [e for e in entetes if e in NOMS_COLONNES]
    ignorees = [e for e in entetes if e and e not in NOMS_COLONNES]
    if not connues:
        analyse.erreurs_fichier.append(
            "Aucune colonne reconnue sur la première ligne : reprenez les noms de colonnes du "
            "modèle (code_insee, commune, contact_nom…). Vérifiez aussi le séparateur."
        )
        return analyse
    if ignorees:
        analyse.remarques.append("Colonnes ignorées (noms inconnus) : " + ", ".join(ignorees) + ".")
    presentes = set(connues)
    manquantes = [nom for nom in CHAMPS_OBLIGATOIRES if nom not in presentes]
    if not presentes & {"code_insee", "commune"}:
        manquantes.insert(0, "code_insee ou commune")
    if manquantes:
        analyse.remarques.append(
            "Colonnes absentes, nécessaires pour créer une candidature : "
            + ", ".join(manquantes)
            + "."
        )
    if not tableau.lignes:
        analyse.erreurs_fichier.append("Ce fichier n'a aucune ligne de candidature sous l'en-tête.")
        return analyse

    index = {nom: i for i, nom in enumerate(entetes) if nom in NOMS_COLONNES}
    brutes = [
        (numero, {nom: (cellules[i] if i < len(cellules) else None) for nom, i in index.items()})
        for numero, cellules in tableau.lignes
    ]
    referentiel = _Referentiel(vague, [valeurs for _, valeurs in brutes])
    villes_du_fichier: dict[str, int] = {}
    references_du_fichier: dict[str, int] = {}
    for numero, valeurs in brutes:
        ligne = LigneAnalysee(numero=numero)
        _analyser_valeurs(ligne, valeurs, presentes, referentiel, vague)
        if ligne.reference and not ligne.erreurs:
            if ligne.reference in references_du_fichier:
                ligne.erreurs.append(
                    f"la candidature {ligne.reference} est déjà mise à jour par la ligne "
                    f"{references_du_fichier[ligne.reference]}"
                )
            references_du_fichier.setdefault(ligne.reference, numero)
        cle = ligne.champs.get("cle_ville") or (
            ligne.candidature.cle_ville if ligne.candidature else None
        )
        if cle and not ligne.erreurs:
            commune = ligne.commune or ligne.candidature.commune
            deja = referentiel.actives.get(cle)
            if deja and deja[0] != ligne.reference:
                ligne.erreurs.append(
                    f"{commune.nom} : cette ville a déjà une candidature active dans la vague "
                    f"({deja[0]}, {deja[1]}) ; retirez-la ou donnez sa référence pour la mettre à jour"
                )
            elif cle in villes_du_fichier:
                ligne.erreurs.append(
                    f"{commune.nom} : la ligne {villes_du_fichier[cle]} porte déjà une candidature "
                    "pour cette ville (une seule par ville et par vague ; les deux communes d'un "
                    "binôme comptent pour une ville)"
                )
            else:
                villes_du_fichier[cle] = numero
        if ligne.candidature is not None and not ligne.erreurs:
            ligne.changements = _changements(ligne)
        analyse.lignes.append(ligne)
    return analyse


# ---------------------------------------------------------------------------------------------
# Écriture
# ---------------------------------------------------------------------------------------------
@dataclass
class Bilan:
    crees: int = 0
    mis_a_jour: int = 0
    inchanges: int = 0
    references: list[str] = field(default_factory=list)


def _prochain_numero(vague: Vague) -> int:
    prefixe = f"V{vague.numero}-"
    # Le plus grand numéro : la référence la plus longue, puis la plus grande (V1-10000 > V1-9999).
    derniere = (
        Candidature.objects.filter(reference__startswith=prefixe)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    return int(derniere.rsplit("-", 1)[1]) + 1 if derniere else 1


def _lignes_financement(candidature: Candidature, montants: dict) -> Iterable[LigneFinancement]:
    for source, montant in montants.items():
        if montant is not None:
            yield LigneFinancement(candidature=candidature, source=source, montant=montant)


def _ecrire(analyse: Analyse, par) -> Bilan:
    vague = analyse.vague
    maintenant = timezone.now()
    raison = f"Import du fichier « {analyse.nom_fichier} »"[:100]
    bilan = Bilan()
    a_creer = [ligne for ligne in analyse.lignes if ligne.action == Action.CREATION]
    a_modifier = [ligne for ligne in analyse.lignes if ligne.action == Action.MISE_A_JOUR]
    bilan.inchanges = analyse.nb_inchangees

    numero = _prochain_numero(vague)
    nouvelles = []
    for i, ligne in enumerate(a_creer):
        nouvelles.append(
            Candidature(
                vague=vague,
                reference=f"V{vague.numero}-{numero + i:04d}",
                statut=Candidature.Statut.RECUE,
                date_reception=maintenant,
                **ligne.champs,
            )
        )
    nouvelles = bulk_create_with_history(
        nouvelles, Candidature, batch_size=500, default_user=par, default_change_reason=raison
    )
    financements = [
        financement
        for candidature, ligne in zip(nouvelles, a_creer, strict=True)
        for financement in _lignes_financement(candidature, ligne.montants)
    ]
    TransitionCandidature.objects.bulk_create(
        [
            TransitionCandidature(
                candidature=c,
                de=Candidature.Statut.BROUILLON,
                vers=Candidature.Statut.RECUE,
                par=par,
                le=maintenant,
                note=raison,
            )
            for c in nouvelles
        ],
        batch_size=500,
    )

    modifiees = []
    sources_remplacees: dict[str, list[int]] = defaultdict(list)
    for ligne in a_modifier:
        candidature = ligne.candidature
        for nom, valeur in ligne.champs.items():
            setattr(candidature, nom, valeur)
        candidature.modifie_le = maintenant
        modifiees.append(candidature)
        actuels = _montants_par_source(candidature)
        nouveaux = {}
        for source, montant in ligne.montants.items():
            if actuels.get(source) != montant:
                sources_remplacees[source].append(candidature.pk)
                nouveaux[source] = montant
        financements.extend(_lignes_financement(candidature, nouveaux))
    if modifiees:
        bulk_update_with_history(
            modifiees,
            Candidature,
            [*CHAMPS_MODIFIABLES, "modifie_le"],
            batch_size=200,
            default_user=par,
            default_change_reason=raison,
        )
    # Une source dont le montant change : ses lignes sont remplacées par une seule (≤ 8 requêtes).
    for source, ids in sources_remplacees.items():
        LigneFinancement.objects.filter(candidature_id__in=ids, source=source).delete()
    LigneFinancement.objects.bulk_create(financements, batch_size=500)

    bilan.crees = len(nouvelles)
    bilan.mis_a_jour = len(modifiees)
    bilan.references = [c.reference for c in nouvelles]
    return bilan


def importer_fichier(
    contenu: bytes, nom_fichier: str, vague: Vague, *, par
) -> tuple[Analyse, Bilan | None]:
    """Analyse le fichier puis, si aucune ligne n'est refusée, l'importe (une transaction).

    La vague est verrouillée le temps de l'import (SELECT … FOR UPDATE) : deux imports simultanés
    dans la même vague passent l'un après l'autre, et les références restent uniques. Renvoie
    l'analyse et le bilan (None si rien n'a été écrit). Lève FichierIllisible.
    """
    tableau = lire_tableau(contenu, nom_fichier)
    try:
        with transaction.atomic():
            vague = Vague.objects.select_for_update().get(pk=vague.pk)
            analyse = analyser(tableau, vague, nom_fichier)
            if not analyse.valide:
                return analyse, None
            return analyse, _ecrire(analyse, par)
    except IntegrityError as erreur:
        raise ErreurMetier(
            "Une candidature a été enregistrée dans cette vague pendant l'import, pour une ville "
            "du fichier : rien n'a été importé. Relancez la simulation pour voir laquelle."
        ) from erreur


def simuler_fichier(contenu: bytes, nom_fichier: str, vague: Vague) -> Analyse:
    """L'analyse seule : ce que l'import ferait, ligne par ligne. Lève FichierIllisible."""
    return analyser(lire_tableau(contenu, nom_fichier), vague, nom_fichier)


# ---------------------------------------------------------------------------------------------
# Le modèle téléchargeable
# ---------------------------------------------------------------------------------------------
def ligne_exemple() -> list[str]:
    return [c.exemple for c in COLONNES_MODELE]
