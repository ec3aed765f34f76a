"""La vérification des pièces déposées : type lu dans le contenu, extension, taille, macros, scripts.

Une pièce est acceptée si son extension finale est l'une des extensions permises et si son contenu
est bien de ce type (signature de fichier, puis examen de l'archive pour les formats bureautiques).
Les fichiers capables d'exécuter du code ou d'aller chercher du contenu à l'ouverture sont refusés :
macros Office, modèle de document externe, objets OLE et contrôles ActiveX, macros ou scripts ODF ;
PDF à JavaScript, actions automatiques ou de lancement, formulaire XFA, fichiers joints. Le PDF est
lu par pypdf, objet par objet (flux d'objets compris) ; un PDF qui ne se lit pas est refusé.
"""

from __future__ import annotations

import importlib
import io
import logging
import re
import sys
import time
import zipfile
import zlib
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO
from xml.etree import ElementTree

import filetype
from pypdf import PasswordType, PdfReader, apply_configuration
from pypdf.errors import LimitReachedError, PdfReadError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    PdfObject,
    StreamObject,
    read_object,
)

from acv.erreurs import ErreurMetier

TAILLE_MAX = 20 * 1024 * 1024

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PNG = "image/png"
JPEG = "image/jpeg"

# Extension finale -> type attendu.
EXTENSIONS = {
    ".pdf": PDF,
    ".odt": ODT,
    ".ods": ODS,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
}
# Types qu'un navigateur peut afficher sans danger dans un onglet (aperçu).
TYPES_APERCU = frozenset({PDF, PNG, JPEG})
TYPES_PERMIS = frozenset(EXTENSIONS.values())
EXTENSIONS_MACROS = frozenset({".docm", ".dotm", ".xlsm", ".xltm", ".xlsb", ".pptm", ".odb"})

# La partie principale d'un document OOXML, par type.
OOXML_PARTIE_PRINCIPALE = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
LIBELLES = {
    PDF: "PDF",
    ODT: "texte OpenDocument",
    ODS: "tableur OpenDocument",
    DOCX: "document Word",
    XLSX: "classeur Excel",
    PNG: "image PNG",
    JPEG: "image JPEG",
}
# Noms PDF refusés, en clé ou en valeur d'un dictionnaire (pypdf décode les « /J#61vaScript »).
NOMS_PDF_ACTIFS = {
    "/JavaScript": "du JavaScript",
    "/JS": "du JavaScript",
    "/OnInstantiate": "du JavaScript (scène 3D)",
    "/AA": "des actions automatiques (/AA)",
    "/Launch": "une commande de lancement de programme",
    "/XFA": "un formulaire XFA (formulaire à scripts)",
    "/RichMedia": "du contenu multimédia actif (/RichMedia)",
    "/SubmitForm": "un envoi de formulaire vers l'extérieur (/SubmitForm)",
    "/ImportData": "une importation de données (/ImportData)",
    "/GoToE": "un renvoi vers un document incorporé (/GoToE)",
    "/GoToR": "un renvoi vers un autre fichier (/GoToR)",
}
# Fichiers joints : arbre des fichiers incorporés, flux de fichier, /EF d'une spécification de
# fichier, annotation « trombone ».
NOMS_PDF_JOINTS = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/EF", "/FileAttachment"})
ENTREES_ZIP_MAX = 5000
TAILLE_PARTIE_MAX = 10 * 1024 * 1024  # une partie XML lue pour examen
DECOMPRESSION_PDF_MAX = 100 * 1024 * 1024  # total des flux d'objets PDF décompressés

ACCEPTES = "PDF, OpenDocument (.odt, .ods), Word (.docx), Excel (.xlsx), PNG ou JPEG"


class FichierRefuse(ErreurMetier):
    pass


@dataclass(frozen=True)
class FichierVerifie:
    type_mime: str
    extension: str


def verifier_fichier(fichier: IO[bytes], nom: str, taille: int | None = None) -> FichierVerifie:
    """Vérifie une pièce et renvoie son type lu dans le contenu ; lève FichierRefuse sinon.

    Lit le fichier en entier (20 Mo au plus) puis le rembobine.
    """
    extension = PurePath(nom or "").suffix.lower()
    if extension in EXTENSIONS_MACROS:
        raise FichierRefuse(
            f"« {nom} » : les fichiers bureautiques à macros ({extension}) sont refusés. "
            "Enregistrez-le sans macros (.docx, .xlsx) ou en PDF."
        )
    attendu = EXTENSIONS.get(extension)
    if attendu is None:
        raise FichierRefuse(
            f"« {nom} » : l'extension {extension or '(aucune)'} n'est pas acceptée. "
            f"Formats acceptés : {ACCEPTES}."
        )
    if taille is None:
        fichier.seek(0, 2)
        taille = fichier.tell()
    if taille > TAILLE_MAX:
        raise FichierRefuse(
            f"« {nom} » pèse {taille / 1024 / 1024:.1f} Mo : 20 Mo au plus par fichier."
        )
    if taille == 0:
        raise FichierRefuse(f"« {nom} » est vide.")
    fichier.seek(0)
    contenu = fichier.read(TAILLE_MAX + 1)
    fichier.seek(0)
    if len(contenu) > TAILLE_MAX:
        raise FichierRefuse(f"« {nom} » dépasse 20 Mo : 20 Mo au plus par fichier.")

    lu = _type_du_contenu(contenu, attendu, nom)
    if lu != attendu:
        raise FichierRefuse(
            f"« {nom} » porte l'extension {extension} mais son contenu "
            f"{'est un fichier ' + LIBELLES[lu] if lu in LIBELLES else 'ne correspond à aucun format accepté'}"
            " : le type du fichier doit correspondre à son extension."
        )
    if lu == PDF:
        _verifier_pdf(contenu, nom)
    return FichierVerifie(type_mime=lu, extension=extension)


def _type_du_contenu(contenu: bytes, attendu: str, nom: str) -> str | None:
    """Le type lu dans les octets : signature, puis, pour une archive zip, son contenu."""
    if contenu.startswith(b"PK\x03\x04"):
        return _type_archive(contenu, nom)
    genre = filetype.guess(contenu[:8192])
    mime = genre.mime if genre else None
    if mime == PDF and contenu.startswith(b"%PDF-"):
        return PDF
    if mime == PNG and contenu.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if mime == JPEG and contenu.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def _type_archive(contenu: bytes, nom: str) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(contenu))
        entrees = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if len(entrees) > ENTREES_ZIP_MAX:
        raise FichierRefuse(f"« {nom} » contient trop d'éléments pour être examiné.")
    noms = {e.filename: e for e in entrees}

    if "mimetype" in noms:  # OpenDocument
        mimetype = _lire_partie(archive, noms["mimetype"], nom).decode("ascii", "replace").strip()
        if mimetype not in (ODT, ODS):
            return None
        for entree in noms:
            bas = entree.lower()
            if bas.startswith(("basic/", "scripts/")):
                raise FichierRefuse(
                    f"« {nom} » contient des macros ou des scripts : ils sont refusés. "
                    "Enregistrez le document sans macros ou en PDF."
                )
        for partie in ("content.xml", "styles.xml"):
            if partie in noms and b"vnd.sun.star.script" in _lire_partie(
                archive, noms[partie], nom
            ):
                raise FichierRefuse(
                    f"« {nom} » déclenche des macros à l'ouverture : il est refusé. "
                    "Enregistrez le document sans macros ou en PDF."
                )
        _refuser_les_objets_ole(archive, entrees, nom)
        return mimetype

    if "[Content_Types].xml" in noms:  # Office Open XML
        types = _lire_partie(archive, noms["[Content_Types].xml"], nom)
        _verifier_ooxml(archive, entrees, types, nom, [0])
        for mime, partie in OOXML_PARTIE_PRINCIPALE.items():
            if partie.encode() in types:
                return mime
        return None
    return None


# Un fichier « composé » OLE (CFB) : projet VBA, objet OLE incorporé, contrôle ActiveX, .doc/.xls.
SIGNATURE_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Paquets OOXML admis dans « embeddings/ » : les données d'un graphique Word ou PowerPoint y sont
# rangées en classeur .xlsx. Ils sont examinés comme le document (sans incorporation à leur tour).
EXTENSIONS_INCORPOREES_ADMISES = (".xlsx", ".docx", ".pptx")
INCORPORES_MAX = 50 * 1024 * 1024  # total lu des paquets incorporés
TYPES_OOXML_MACROS = (b"macroenabled", b"vnd.ms-office.vbaproject", b"vnd.ms-office.vbadata")
TYPES_OOXML_OLE = (b"vnd.ms-office.activex", b"officedocument.oleobject")
RELATIONS_OLE = ("/oleobject", "/control", "/activexcontrol", "/activexcontrolbinary")
MESSAGE_MACROS = (
    "contient des macros : les fichiers bureautiques à macros sont refusés. "
    "Enregistrez-le sans macros (.docx, .xlsx) ou en PDF."
)
MESSAGE_OLE = (
    "contient des objets incorporés (OLE) ou des contrôles ActiveX : ils sont refusés. "
    "Enregistrez le document sans ces objets, ou en PDF."
)
MESSAGE_MODELE = (
    "charge à l'ouverture un modèle de document externe, qui peut apporter des macros : "
    "il est refusé. Détachez le modèle (Développeur > Modèle de document) ou enregistrez le "
    "document en PDF."
)


def _verifier_ooxml(
    archive: zipfile.ZipFile,
    entrees: list[zipfile.ZipInfo],
    types: bytes,
    nom: str,
    lu_incorpore: list[int],
    incorpore: bool = False,
) -> None:
    """Macros, modèle externe, objets OLE et ActiveX d'un paquet OOXML (docx, xlsx…)."""
    types_bas = types.lower()
    if any(t in types_bas for t in TYPES_OOXML_MACROS) or any(
        e.filename.lower().endswith(("vbaproject.bin", "vbadata.xml")) for e in entrees
    ):
        raise FichierRefuse(f"« {nom} » {MESSAGE_MACROS}")
    if any(t in types_bas for t in TYPES_OOXML_OLE):
        raise FichierRefuse(f"« {nom} » {MESSAGE_OLE}")
    for entree in entrees:
        bas = entree.filename.lower()
        if bas.endswith(".rels"):
            _verifier_relations(_lire_partie(archive, entree, nom), nom)
        if bas.startswith("activex/") or "/activex/" in bas:
            raise FichierRefuse(f"« {nom} » {MESSAGE_OLE}")
        if bas.startswith("embeddings/") or "/embeddings/" in bas:
            if incorpore or not bas.endswith(EXTENSIONS_INCORPOREES_ADMISES):
                raise FichierRefuse(f"« {nom} » {MESSAGE_OLE}")
            _verifier_paquet_incorpore(_lire_partie(archive, entree, nom), nom, lu_incorpore)
    _refuser_les_objets_ole(archive, entrees, nom)


def _verifier_relations(relations: bytes, nom: str) -> None:
    try:
        racine = ElementTree.fromstring(relations)
    except ElementTree.ParseError as erreur:
        raise FichierRefuse(f"« {nom} » contient une partie illisible.") from erreur
    for relation in racine.iter():
        if not isinstance(relation.tag, str) or not relation.tag.endswith("Relationship"):
            continue
        genre = relation.get("Type", "").strip().lower()
        if genre.endswith("/attachedtemplate"):
            raise FichierRefuse(f"« {nom} » {MESSAGE_MODELE}")
        if genre.endswith("/vbaproject"):
            raise FichierRefuse(f"« {nom} » {MESSAGE_MACROS}")
        if genre.endswith(RELATIONS_OLE):
            raise FichierRefuse(f"« {nom} » {MESSAGE_OLE}")


def _verifier_paquet_incorpore(donnees: bytes, nom: str, lu_incorpore: list[int]) -> None:
    lu_incorpore[0] += len(donnees)
    if lu_incorpore[0] > INCORPORES_MAX:
        raise FichierRefuse(f"« {nom} » contient trop de documents incorporés pour être examiné.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(donnees))
        entrees = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as erreur:
        raise FichierRefuse(f"« {nom} » {MESSAGE_OLE}") from erreur
    if len(entrees) > ENTREES_ZIP_MAX:
        raise FichierRefuse(f"« {nom} » contient trop d'éléments pour être examiné.")
    types = next((e for e in entrees if e.filename == "[Content_Types].xml"), None)
    if types is None:
        raise FichierRefuse(f"« {nom} » {MESSAGE_OLE}")
    _verifier_ooxml(
        archive, entrees, _lire_partie(archive, types, nom), nom, lu_incorpore, incorpore=True
    )


def _refuser_les_objets_ole(
    archive: zipfile.ZipFile, entrees: list[zipfile.ZipInfo], nom: str
) -> None:
    """Toute partie au format OLE, quel que soit son nom (un .bin, une « image » renommée…)."""
    for entree in entrees:
        if entree.is_dir():
            continue
        try:
            with archive.open(entree) as partie:
                debut = partie.read(len(SIGNATURE_OLE))
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error) as e:
            raise FichierRefuse(f"« {nom} » est une archive illisible ou chiffrée.") from e
        if debut == SIGNATURE_OLE:
            raise FichierRefuse(f"« {nom} » {MESSAGE_OLE}")


def _lire_partie(archive: zipfile.ZipFile, entree: zipfile.ZipInfo, nom: str) -> bytes:
    if entree.file_size > TAILLE_PARTIE_MAX:
        raise FichierRefuse(f"« {nom} » contient une partie trop volumineuse pour être examinée.")
    try:
        with archive.open(entree) as partie:
            return partie.read(TAILLE_PARTIE_MAX + 1)[:TAILLE_PARTIE_MAX]
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error) as erreur:
        raise FichierRefuse(f"« {nom} » est une archive illisible ou chiffrée.") from erreur


# -- PDF ------------------------------------------------------------------------------------------
# L'examen lit le PDF avec pypdf : chaque objet du fichier (ceux de la table des renvois et ceux
# qu'on y trouve en le parcourant, comme le font les lecteurs qui réparent une table abîmée), et
# chaque objet des flux d'objets, décompressés avec tous leurs filtres (prédicteurs compris). Un
# objet annoncé par la table qui ne se lit pas rend le PDF illisible, donc refusé : on ne devine
# pas ce qu'un lecteur plus tolérant en ferait.
class _PdfActif(Exception):
    def __init__(self, nom_pdf: str):
        super().__init__(nom_pdf)
        self.nom_pdf = nom_pdf


class _PdfProtege(Exception):
    pass


class _PdfCompression(Exception):
    pass


class _PdfTropComplexe(Exception):
    pass


class _EnteteInvalide(Exception):
    pass


_ESPACES_PDF = rb"\x00\t\n\f\r "
# « 12 0 obj » : l'en-tête d'un objet, là où un lecteur qui répare la table des renvois le trouve.
_ENTETE_OBJET = re.compile(
    rb"(?<![0-9])([0-9]{1,10})[" + _ESPACES_PDF + rb"]+([0-9]{1,5})[" + _ESPACES_PDF + rb"]+obj"
    rb"(?![A-Za-z0-9])"
)
_BLANCS_ET_COMMENTAIRES = re.compile(rb"(?:[" + _ESPACES_PDF + rb"]|%[^\r\n]*)*")
# Un nom PDF : « / » puis des caractères ordinaires ; « #4A » code un octet en hexadécimal.
_NOM_PDF = re.compile(rb"/([^\s()<>\[\]{}/%]+)")
_HEXA = re.compile(rb"#([0-9A-Fa-f]{2})")

# Limites de l'examen : un PDF hostile ne doit ni le faire durer ni le faire gonfler en mémoire.
OBJETS_PDF_MAX = 200_000  # objets lus (fichier et flux d'objets)
NOEUDS_PDF_MAX = 2_000_000  # valeurs parcourues dans ces objets
DUREE_EXAMEN_PDF_MAX = 15.0  # secondes
PROFONDEUR_FLUX_D_OBJETS_MAX = 3
LIMITES_PYPDF = {
    "maximum_declared_stream_length": TAILLE_MAX,
    "zlib_maximum_output_length": 50 * 1024 * 1024,
    "zlib_maximum_recovery_input_length": 1024 * 1024,
    "lzw_maximum_output_length": 50 * 1024 * 1024,
    "run_length_maximum_output_length": 50 * 1024 * 1024,
    "brotli_maximum_output_length": 50 * 1024 * 1024,
    "jbig2_maximum_output_length": 50 * 1024 * 1024,
    "jbig2dec_binary": None,  # jamais de programme externe
    "stream_decoding_work_maximum_length": 100 * 1024 * 1024,
    "array_maximum_element_count": 100_000,
    "dictionary_maximum_element_count": 100_000,
}


# pypdf signale chaque réparation par un avertissement : pendant l'examen d'une pièce déposée
# (peut-être hostile, avec des milliers d'objets abîmés), ces avertissements sont tus.
_EXAMEN_PDF_EN_COURS: ContextVar[bool] = ContextVar("examen_pdf_en_cours", default=False)


class _SansAvertissementsPendantLExamen(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _EXAMEN_PDF_EN_COURS.get()


_FILTRE_PYPDF = _SansAvertissementsPendantLExamen()
importlib.import_module("pypdf.filters")  # chargé à la demande par pypdf : son journal aussi
for _module in [m for m in sys.modules if m == "pypdf" or m.startswith("pypdf.")]:
    logging.getLogger(_module).addFilter(_FILTRE_PYPDF)


IMPRIMER_EN_PDF = (
    "Imprimez-le en PDF (« Microsoft Print to PDF », « Enregistrer au format PDF ») "
    "et déposez la copie."
)


def _verifier_pdf(contenu: bytes, nom: str) -> None:
    jeton = _EXAMEN_PDF_EN_COURS.set(True)
    try:
        with apply_configuration(**LIMITES_PYPDF):
            _ExamenPdf(contenu).examiner()
    except _PdfActif as actif:
        if actif.nom_pdf in NOMS_PDF_JOINTS:
            message = (
                "contient des fichiers joints : les PDF avec fichiers joints sont refusés. "
                "Déposez chaque document séparément."
            )
        else:
            quoi = NOMS_PDF_ACTIFS[actif.nom_pdf]
            message = f"contient {quoi} : les PDF actifs sont refusés. {IMPRIMER_EN_PDF}"
        raise FichierRefuse(f"« {nom} » {message}") from None
    except _PdfProtege:
        raise FichierRefuse(
            f"« {nom} » est protégé par un mot de passe : nous ne pouvons pas l'examiner. "
            f"Retirez la protection, ou {IMPRIMER_EN_PDF[0].lower()}{IMPRIMER_EN_PDF[1:]}"
        ) from None
    except _PdfCompression:
        raise FichierRefuse(
            f"« {nom} » utilise une compression que nous ne pouvons pas examiner. {IMPRIMER_EN_PDF}"
        ) from None
    except (_PdfTropComplexe, LimitReachedError, MemoryError, RecursionError):
        raise FichierRefuse(
            f"« {nom} » est trop complexe pour être examiné (trop d'objets ou de données "
            f"compressées). {IMPRIMER_EN_PDF}"
        ) from None
    except Exception:  # toute erreur de lecture : refusé, jamais accepté sans examen
        raise FichierRefuse(
            f"« {nom} » n'est pas un PDF lisible : sa structure est abîmée et nous ne pouvons "
            f"pas l'examiner. {IMPRIMER_EN_PDF}"
        ) from None
    finally:
        _EXAMEN_PDF_EN_COURS.reset(jeton)


class _ExamenPdf:
    def __init__(self, contenu: bytes):
        self.contenu = contenu
        self.echeance = time.monotonic() + DUREE_EXAMEN_PDF_MAX
        self.objets = 0
        self.noeuds = 0
        self.decompresse = 0
        self.entetes = self._entetes()  # les en-têtes « 12 0 obj » trouvés en lisant le fichier
        self.lecteur = self._ouvrir()
        self.flux = io.BytesIO(contenu)
        # Les flux que la table des renvois désigne comme flux d'objets, quel que soit leur /Type.
        self.conteneurs = {stm for stm, _ in self.lecteur.xref_objStm.values()}

    def _entetes(self) -> list[re.Match[bytes]]:
        entetes = []
        for entete in _ENTETE_OBJET.finditer(self.contenu):
            entetes.append(entete)
            if len(entetes) > OBJETS_PDF_MAX:
                raise _PdfTropComplexe
        return entetes

    def _ouvrir(self) -> PdfReader:
        """Lit la structure du PDF ; une table des renvois absente ou fausse est reconstruite."""
        try:
            lecteur = PdfReader(
                io.BytesIO(self.contenu), strict=False, xref_stream_maximum_entries=OBJETS_PDF_MAX
            )
        except LimitReachedError:
            raise
        except Exception:
            # Comme un lecteur de PDF : sans table utilisable, elle est refaite à partir des
            # en-têtes d'objets trouvés (le dernier l'emporte). pypdf saurait la refaire, mais en
            # lisant chaque objet une fois de plus.
            lecteur = PdfReader(
                io.BytesIO(self.contenu + self._table_reconstruite()),
                strict=False,
                xref_stream_maximum_entries=OBJETS_PDF_MAX,
            )
        if lecteur.is_encrypted:
            try:
                resultat = lecteur.decrypt("")
            except Exception as erreur:
                raise _PdfProtege from erreur
            if resultat == PasswordType.NOT_DECRYPTED:
                raise _PdfProtege
        # La structure a pu être réparée ; les objets, eux, doivent se lire sans approximation
        # (pypdf tolérant rendrait un dictionnaire tronqué là où un lecteur lirait la suite).
        lecteur.strict = True
        return lecteur

    def _table_reconstruite(self) -> bytes:
        """Une table des renvois et un « trailer » à ajouter au bout du fichier."""
        derniers: dict[tuple[int, int], int] = {}
        for entete in self.entetes:
            derniers[int(entete.group(1)), int(entete.group(2))] = entete.start()
        lignes = [b"\nxref\n0 1\n0000000000 65535 f \n"]
        for (numero, generation), position in sorted(derniers.items()):
            if generation < 65535 and position < 10**10:
                lignes.append(b"%d 1\n%010d %05d n \n" % (numero, position, generation))
        taille = max((numero for numero, _ in derniers), default=0) + 1
        debut = len(self.contenu) + 1  # après le saut de ligne d'ouverture
        lignes.append(b"trailer\n<< /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (taille, debut))
        return b"".join(lignes)

    def examiner(self) -> None:
        positions = self._positions()
        if not positions:
            raise PdfReadError("aucun objet")
        fin_couverte = 0
        for position in sorted(positions):
            annonce = positions[position]
            dedans = position < fin_couverte  # dans le corps d'un objet déjà lu (flux, chaîne)
            self._compter_objet()
            try:
                numero, generation, objet, fin = self._lire(position)
            except (_PdfTropComplexe, LimitReachedError):
                raise
            except _EnteteInvalide:
                self._balayer_octets(self.contenu, position)
                continue
            except Exception as erreur:
                if annonce and not dedans:
                    # Refusé comme illisible, mais avec le motif le plus précis qu'on puisse lire.
                    self._relire_avec_tolerance(position)
                    raise erreur
                # Un « 12 0 obj » au milieu d'un flux, ou un débris hors de la table : il ne se
                # lit pas, mais un lecteur tolérant pourrait en tirer un dictionnaire.
                self._balayer_octets(self.contenu, position)
                continue
            if not dedans:
                fin_couverte = max(fin_couverte, fin)
            self._parcourir(objet, numero, generation, strict=annonce, profondeur=0)
        # Les « trailer » ne sont pas des objets, mais un lecteur y prend le catalogue (/Root),
        # qui peut y être écrit en entier : celui que pypdf a retenu, puis chacun, octet à octet.
        self._parcourir(self.lecteur.trailer, 0, 0, strict=False, profondeur=0)
        for trailer in re.finditer(rb"trailer", self.contenu):
            fin = self.contenu.find(b"startxref", trailer.end())
            if fin == -1 or fin - trailer.end() > 64 * 1024:
                fin = trailer.end() + 64 * 1024
            self._balayer_octets(self.contenu, trailer.end(), fin)

    def _relire_avec_tolerance(self, position: int) -> None:
        self.lecteur.strict = False
        try:
            numero, generation, objet, _ = self._lire(position)
            self._parcourir(objet, numero, generation, strict=True, profondeur=0)
        except (_PdfActif, _PdfCompression, _PdfTropComplexe, LimitReachedError):
            raise
        except Exception:
            self._balayer_octets(self.contenu, position)
        finally:
            self.lecteur.strict = True

    def _positions(self) -> dict[int, bool]:
        """Début de chaque objet -> annoncé par la table des renvois (sinon : trouvé en lisant)."""
        positions: dict[int, bool] = {}
        libres = self.lecteur.xref_free_entry
        for generation, entrees in self.lecteur.xref.items():
            for numero, position in entrees.items():
                if libres.get(generation, {}).get(numero) or not isinstance(position, int):
                    continue
                debut = self._debut_d_objet(position)
                if debut is not None:
                    positions[debut] = True
        for entete in self.entetes:
            positions.setdefault(entete.start(), False)
        if len(positions) > OBJETS_PDF_MAX:
            raise _PdfTropComplexe
        return positions

    def _debut_d_objet(self, position: int) -> int | None:
        if not 0 <= position < len(self.contenu):
            return None
        position = _BLANCS_ET_COMMENTAIRES.match(self.contenu, position).end()
        return position if _ENTETE_OBJET.match(self.contenu, position) else None

    def _lire(self, position: int) -> tuple[int, int, PdfObject, int]:
        entete = _ENTETE_OBJET.match(self.contenu, position)
        if entete is None:
            raise _EnteteInvalide
        self.flux.seek(_BLANCS_ET_COMMENTAIRES.match(self.contenu, entete.end()).end())
        objet = read_object(self.flux, self.lecteur)
        return int(entete.group(1)), int(entete.group(2)), objet, self.flux.tell()

    def _parcourir(
        self, racine: PdfObject, numero: int, generation: int, strict: bool, profondeur: int
    ) -> None:
        pile = [racine]
        while pile:
            objet = pile.pop()
            self.noeuds += 1
            if self.noeuds > NOEUDS_PDF_MAX:
                raise _PdfTropComplexe
            if isinstance(objet, NameObject):
                self._nom(objet)
            elif isinstance(objet, DictionaryObject):  # les flux aussi : leur dictionnaire
                for cle, valeur in dict.items(objet):
                    self._nom(cle)
                    pile.append(valeur)
            elif isinstance(objet, ArrayObject):
                pile.extend(list.__iter__(objet))
        if isinstance(racine, StreamObject) and self._est_flux_d_objets(racine, numero):
            self._ouvrir_flux_d_objets(racine, numero, generation, strict, profondeur)

    def _nom(self, nom: str) -> None:
        if nom in NOMS_PDF_ACTIFS or nom in NOMS_PDF_JOINTS:
            raise _PdfActif(str(nom))

    def _est_flux_d_objets(self, flux: StreamObject, numero: int) -> bool:
        return (
            dict.get(flux, "/Type") == "/ObjStm"
            or ("/N" in flux and "/First" in flux)
            or numero in self.conteneurs
        )

    def _ouvrir_flux_d_objets(
        self, flux: StreamObject, numero: int, generation: int, strict: bool, profondeur: int
    ) -> None:
        if profondeur >= PROFONDEUR_FLUX_D_OBJETS_MAX:
            raise _PdfTropComplexe
        try:
            if self.lecteur.is_encrypted:
                self.lecteur._encryption.decrypt_object(flux, numero, generation)
            donnees = flux.get_data()
        except LimitReachedError:
            raise
        except Exception as erreur:
            if strict:
                raise _PdfCompression from erreur
            return
        self.decompresse += len(donnees)
        if self.decompresse > DECOMPRESSION_PDF_MAX:
            raise _PdfTropComplexe
        try:
            # En-tête : « numéro position » pour chacun des /N objets, puis les objets dès /First.
            nombre, premier = dict.get(flux, "/N"), dict.get(flux, "/First")
            if not isinstance(nombre, int) or not isinstance(premier, int):
                raise _PdfCompression
            jetons = donnees[:premier].split() if 0 <= premier <= len(donnees) else [b"?"]
            if len(jetons) % 2 or len(jetons) < 2 * nombre or not all(map(bytes.isdigit, jetons)):
                # Pas un flux d'objets une fois décompressé : filtre inconnu ou données brouillées.
                raise _PdfCompression
            lecture = io.BytesIO(donnees)
            for i in range(0, len(jetons), 2):
                self._compter_objet()
                debut = premier + int(jetons[i + 1])
                if debut >= len(donnees):
                    raise PdfReadError("objet hors du flux")
                lecture.seek(_BLANCS_ET_COMMENTAIRES.match(donnees, debut).end())
                objet = read_object(lecture, self.lecteur)
                self._parcourir(objet, int(jetons[i]), 0, strict, profondeur + 1)
        except (_PdfActif, _PdfTropComplexe, LimitReachedError):
            raise
        except Exception:
            self._balayer_octets(donnees, 0, len(donnees))  # le motif le plus précis d'abord
            if strict:
                raise

    def _balayer_octets(self, octets: bytes, debut: int, fin: int | None = None) -> None:
        """Dernier recours pour un fragment illisible : ses noms, lus octet à octet."""
        if fin is None:
            fin = octets.find(b"endobj", debut)
            if fin == -1 or fin - debut > 1024 * 1024:
                fin = debut + 1024 * 1024
        for brut in _NOM_PDF.findall(octets, debut, fin):
            nom = "/" + _HEXA.sub(lambda m: bytes([int(m.group(1), 16)]), brut).decode("latin-1")
            self._nom(nom)

    def _compter_objet(self) -> None:
        self.objets += 1
        if self.objets > OBJETS_PDF_MAX or time.monotonic() > self.echeance:
            raise _PdfTropComplexe
