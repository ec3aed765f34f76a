"""La vérification des pièces déposées : type lu dans le contenu, extension, taille, macros, scripts.

Une pièce est acceptée si son extension finale est l'une des extensions permises et si son contenu
est bien de ce type (signature de fichier, puis examen de l'archive pour les formats bureautiques).
Les fichiers capables d'exécuter du code à l'ouverture (macros Office, macros ou scripts ODF,
JavaScript ou actions automatiques PDF) sont refusés.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO

import filetype

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
# Noms PDF qui déclenchent du code ou une action automatique.
NOMS_PDF_INTERDITS = {
    "JavaScript": "du JavaScript",
    "JS": "du JavaScript",
    "AA": "des actions automatiques (/AA)",
    "Launch": "une commande de lancement de programme",
}
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
        return mimetype

    if "[Content_Types].xml" in noms:  # Office Open XML
        types = _lire_partie(archive, noms["[Content_Types].xml"], nom)
        macros = b"macroenabled" in types.lower() or any(
            e.lower().endswith(("vbaproject.bin", "vbadata.xml")) for e in noms
        )
        if macros:
            raise FichierRefuse(
                f"« {nom} » contient des macros : les fichiers bureautiques à macros sont refusés. "
                "Enregistrez-le sans macros (.docx, .xlsx) ou en PDF."
            )
        for mime, partie in OOXML_PARTIE_PRINCIPALE.items():
            if partie.encode() in types:
                return mime
        return None
    return None


def _lire_partie(archive: zipfile.ZipFile, entree: zipfile.ZipInfo, nom: str) -> bytes:
    if entree.file_size > TAILLE_PARTIE_MAX:
        raise FichierRefuse(f"« {nom} » contient une partie trop volumineuse pour être examinée.")
    try:
        with archive.open(entree) as partie:
            return partie.read(TAILLE_PARTIE_MAX + 1)[:TAILLE_PARTIE_MAX]
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, zlib.error) as erreur:
        raise FichierRefuse(f"« {nom} » est une archive illisible ou chiffrée.") from erreur


# Un nom PDF : « / » puis des caractères ordinaires ; « #4A » code un octet en hexadécimal.
_NOM_PDF = re.compile(rb"/([^\s()<>\[\]{}/%]+)")
_HEXA = re.compile(rb"#([0-9A-Fa-f]{2})")
_FLUX = re.compile(rb"stream\r?\n")


def _noms_pdf(octets: bytes) -> set[str]:
    noms = set()
    for brut in _NOM_PDF.findall(octets):
        decode = _HEXA.sub(lambda m: bytes([int(m.group(1), 16)]), brut)
        noms.add(decode.decode("latin-1"))
    return noms


def _separer_flux(contenu: bytes, nom: str) -> tuple[bytes, list[bytes]]:
    """Le PDF sans le corps de ses flux, et ses flux d'objets (/ObjStm) décompressés.

    Les clés qui déclenchent du code (/JS, /AA…) sont dans des dictionnaires : hors des flux, ou
    dans un flux d'objets. Le corps des autres flux (images, polices, contenu des pages) n'est
    pas lu : des octets quelconques y formeraient de faux « /JS ».
    """
    hors_flux, objets, reste, position = [], [], DECOMPRESSION_PDF_MAX, 0
    for debut in _FLUX.finditer(contenu):
        if debut.start() < position:  # « endstream » d'un flux déjà sauté
            continue
        fin = contenu.find(b"endstream", debut.end())
        if fin == -1:
            break
        entete = contenu[position : debut.start()]
        hors_flux.append(entete)
        noms_dictionnaire = _noms_pdf(entete[entete.rfind(b"obj") :])
        if "ObjStm" in noms_dictionnaire:
            corps = contenu[debut.end() : fin]
            if "Filter" not in noms_dictionnaire:
                objets.append(corps)
            else:
                try:
                    donnees = zlib.decompressobj().decompress(corps, reste)
                except zlib.error:
                    donnees = None
                if donnees is None or len(donnees) >= reste:
                    raise FichierRefuse(
                        f"« {nom} » utilise une compression que nous ne pouvons pas examiner. "
                        "Imprimez-le en PDF (« Enregistrer au format PDF ») et déposez la copie."
                    )
                reste -= len(donnees)
                objets.append(donnees)
        position = fin + len(b"endstream")
    hors_flux.append(contenu[position:])
    return b"".join(hors_flux), objets


def _verifier_pdf(contenu: bytes, nom: str) -> None:
    hors_flux, flux_d_objets = _separer_flux(contenu, nom)
    noms = _noms_pdf(hors_flux)
    for donnees in flux_d_objets:
        noms |= _noms_pdf(donnees)
    for interdit, quoi in NOMS_PDF_INTERDITS.items():
        if interdit in noms:
            raise FichierRefuse(
                f"« {nom} » contient {quoi} : les PDF actifs sont refusés. "
                "Imprimez-le en PDF (« Microsoft Print to PDF », « Enregistrer au format PDF ») "
                "et déposez la copie."
            )
