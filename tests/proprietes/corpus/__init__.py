"""Un corpus de fichiers fabriqués pour éprouver le dépôt des pièces.

Chaque entrée : un nom de fichier tel qu'envoyé par le navigateur, son contenu, et ce qu'on
attend (`None` : accepté ; sinon un extrait du message de refus). Les fichiers sont fabriqués à
la demande (le plus gros pèse 20 Mo + 1 octet : il n'a rien à faire dans le dépôt git) ;
`python -m tests.proprietes.corpus DOSSIER` les écrit sur le disque pour les ouvrir à la main.
"""

from __future__ import annotations

import io
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from candidatures.fichiers import OBJETS_PDF_MAX, TAILLE_MAX

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


@dataclass(frozen=True)
class Fichier:
    cle: str
    nom: str
    contenu: bytes
    refus: str | None  # None : accepté ; sinon un extrait du message de refus

    @property
    def accepte(self) -> bool:
        return self.refus is None


def _zip(parties: list[tuple[str, bytes | str]], stocker_premier: bool = False) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (nom, contenu) in enumerate(parties):
            methode = zipfile.ZIP_STORED if (stocker_premier and i == 0) else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(nom), contenu, compress_type=methode)
    return tampon.getvalue()


# -- PDF ----------------------------------------------------------------------------------------
def _assembler(corps: list[str], catalogue: str = "") -> bytes:
    sortie = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    positions = []
    for numero, objet in enumerate(corps, start=1):
        positions.append(len(sortie))
        sortie += f"{numero} 0 obj\n{objet.replace('{catalogue}', catalogue)}\nendobj\n".encode(
            "latin-1"
        )
    xref = len(sortie)
    sortie += f"xref\n0 {len(corps) + 1}\n0000000000 65535 f \n".encode()
    for position in positions:
        sortie += f"{position:010d} 00000 n \n".encode()
    sortie += (
        f"trailer\n<< /Size {len(corps) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(sortie)


def _pdf_catalogue(catalogue: str, *objets: str) -> bytes:
    corps = [
        "<< /Type /Catalog /Pages 2 0 R {catalogue} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objets,
    ]
    return _assembler(corps, catalogue)


PDF_SAIN = _pdf_catalogue("")
PDF_JAVASCRIPT = _pdf_catalogue(
    "/Names << /JavaScript << /Names [(a) 4 0 R] >> >>",
    "<< /S /JavaScript /JS (app.alert\\('bonjour'\\)) >>",
)
PDF_JS_ENCODE = _pdf_catalogue(
    "/OpenAction 4 0 R", "<< /S /Java#53cript /#4A#53 (app.alert\\(1\\)) >>"
)
PDF_OPENACTION_JS = _pdf_catalogue(
    "/OpenAction << /S /JavaScript /JS (this.exportDataObject\\({cName: 'x'}\\)) >>"
)


def _png_haut(donnees: bytes, colonnes: int) -> bytes:
    """Le prédicteur PNG « Up » (/Predictor 12) : chaque ligne moins la précédente."""
    donnees += b" " * (-len(donnees) % colonnes)
    sortie, precedente = bytearray(), bytes(colonnes)
    for i in range(0, len(donnees), colonnes):
        ligne = donnees[i : i + colonnes]
        sortie += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(ligne, precedente, strict=True))
        precedente = ligne
    return bytes(sortie)


def _assembler_compact(corps: list[str], compresses: set[int], chiffre: bool = False) -> bytes:
    """Un PDF 1.5 : les objets `compresses` (numéros) rangés dans un flux d'objets compressé avec
    prédicteur PNG, et une table des renvois en flux (elle aussi avec prédicteur). `chiffre` :
    chiffré en AES-256 sans mot de passe d'ouverture (le flux d'objets n'est lisible qu'une fois
    déchiffré)."""
    n = len(corps)
    num_flux, num_table = n + 1, n + 2
    ordre = sorted(compresses)
    entete, objets = [], b""
    for numero in ordre:
        entete.append(f"{numero} {len(objets)}")
        objets += corps[numero - 1].encode("latin-1") + b"\n"
    entete_octets = (" ".join(entete) + "\n").encode()
    flux = zlib.compress(_png_haut(entete_octets + objets, 8))
    chiffrement = ""
    if chiffre:
        flux, chiffrement = _chiffrer(flux, num_flux)
    sortie = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    positions = {}
    for numero in range(1, n + 1):
        if numero not in compresses:
            positions[numero] = len(sortie)
            sortie += f"{numero} 0 obj\n{corps[numero - 1]}\nendobj\n".encode("latin-1")
    positions[num_flux] = len(sortie)
    sortie += (
        (
            f"{num_flux} 0 obj\n<< /Type /ObjStm /N {len(ordre)} /First {len(entete_octets)} "
            f"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 8 >> "
            f"/Length {len(flux)} >>\nstream\n"
        ).encode()
        + flux
        + b"\nendstream\nendobj\n"
    )
    positions[num_table] = len(sortie)
    lignes = bytes([0]) + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")
    for numero in range(1, num_table + 1):
        if numero in compresses:
            lignes += (
                bytes([2]) + num_flux.to_bytes(4, "big") + ordre.index(numero).to_bytes(2, "big")
            )
        else:
            lignes += bytes([1]) + positions[numero].to_bytes(4, "big") + bytes(2)
    table = zlib.compress(_png_haut(lignes, 7))
    sortie += (
        (
            f"{num_table} 0 obj\n<< /Type /XRef /Size {num_table + 1} /W [1 4 2] /Root 1 0 R {chiffrement} "
            f"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >> "
            f"/Length {len(table)} >>\nstream\n"
        ).encode()
        + table
        + b"\nendstream\nendobj\n"
    )
    sortie += f"startxref\n{positions[num_table]}\n%%EOF\n".encode()
    return bytes(sortie)


def _chiffrer(flux: bytes, numero: int) -> tuple[bytes, str]:
    """Le flux chiffré (objet `numero`, génération 0) et les entrées /Encrypt et /ID du trailer."""
    from pypdf._encryption import EncryptAlgorithm, Encryption

    identifiant = b"corpus-acv-cnam!"
    chiffrement = Encryption.make(EncryptAlgorithm.AES_256, -4, identifiant)
    entree = chiffrement.write_entry("", "proprietaire")
    tampon = io.BytesIO()
    entree.write_to_stream(tampon)
    flux = chiffrement._make_crypt_filter(numero, 0).stm_crypt.encrypt(flux)
    ident = identifiant.hex()
    return flux, f"/Encrypt {tampon.getvalue().decode('latin-1')} /ID [<{ident}> <{ident}>]"


PAGE_ET_CATALOGUE = [
    "<< /Type /Catalog /Pages 2 0 R {catalogue} >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
]


def _compact(catalogue: str, *objets: str, chiffre: bool = False) -> bytes:
    """Un PDF 1.5 d'une page dont tous les objets, sauf le catalogue, sont dans le flux d'objets."""
    corps = [c.replace("{catalogue}", catalogue) for c in PAGE_ET_CATALOGUE] + list(objets)
    return _assembler_compact(corps, set(range(2, len(corps) + 1)), chiffre)


PDF_COMPACT_SAIN = _compact("/OpenAction [3 0 R /Fit]")
PDF_COMPACT_JS = _compact("/OpenAction 4 0 R", "<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
PDF_COMPACT_CHIFFRE_SAIN = _compact("/OpenAction [3 0 R /Fit]", chiffre=True)
PDF_COMPACT_CHIFFRE_JS = _compact(
    "/OpenAction 4 0 R", "<< /S /JavaScript /JS (app.alert\\(1\\)) >>", chiffre=True
)

# Audit : « stream » dans une chaîne faisait sauter au scanner d'octets tout jusqu'à « endstream ».
PDF_FAUX_FLUX = _assembler(
    [
        "<< /Type /Catalog /Pages 3 0 R /OpenAction 2 0 R >>",
        "<< /Type /Action /Z (stream\n) /S /JavaScript /JS (app.alert\\(1\\)) /Y (endstream) >>",
        "<< /Type /Pages /Kids [] /Count 0 >>",
    ]
)
XFA = (
    '<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template><subform><event '
    'activity="initialize"><script contentType="application/x-javascript">app.alert(1)</script>'
    "</event></subform></template></xdp:xdp>"
)
PDF_XFA = _pdf_catalogue(
    "/AcroForm << /Fields [] /XFA 4 0 R >> /NeedsRendering true",
    f"<< /Length {len(XFA)} >>\nstream\n{XFA}\nendstream",
)


def _pdf_predicteur_de_l_audit() -> bytes:
    """Le cas de l'audit tel quel : un flux d'objets avec prédicteur, sans en-tête d'index."""
    objet = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    flux = zlib.compress(_png_haut(objet, 8))
    return _assembler(
        [
            "<< /Type /Catalog /Pages 3 0 R /OpenAction 2 0 R >>",
            "<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /DecodeParms << /Predictor 12 "
            f"/Columns 8 >> /Length {len(flux)} >>\nstream\n"
            + flux.decode("latin-1")
            + "\nendstream",
            "<< /Type /Pages /Kids [] /Count 0 >>",
        ]
    )


EXE = "MZ\x90\x00" + "\x00" * 60
PDF_JOINT_EXE = _pdf_catalogue(
    "/Names << /EmbeddedFiles << /Names [(facture.exe) 4 0 R] >> >>",
    "<< /Type /Filespec /F (facture.exe) /EF << /F 5 0 R >> >>",
    f"<< /Type /EmbeddedFile /Length {len(EXE)} >>\nstream\n{EXE}\nendstream",
)
# Une annotation « trombone » : ni arbre /EmbeddedFiles ni /Type sur le flux du fichier.
PDF_JOINT_ANNOTATION = _assembler(
    [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
        "<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /FS << /Type /Filespec "
        "/F (lisez-moi.exe) /EF << /F 5 0 R >> >> >>",
        f"<< /Length {len(EXE)} >>\nstream\n{EXE}\nendstream",
    ]
)


def _pdf_action(action: str) -> bytes:
    return _pdf_catalogue(f"/OpenAction << {action} >>")


# Un objet JavaScript absent de la table des renvois : un lecteur qui répare la table le trouve.
PDF_OBJET_ORPHELIN = _pdf_catalogue("/OpenAction 9 0 R") + (
    b"9 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n"
)
# Le même, caché dans les données d'un flux derrière un faux « endobj ».
CACHE = "x endobj\n9 0 obj\n<< /S /JavaScript /JS (app.alert\\(1\\)) >>\nendobj\n"
PDF_OBJET_DANS_UN_FLUX = _pdf_catalogue(
    "/OpenAction 9 0 R", f"<< /Length {len(CACHE)} >>\nstream\n{CACHE}\nendstream"
)
# Un catalogue écrit en entier dans le « trailer » : ce n'est pas un objet, un lecteur le lit.
PDF_CATALOGUE_DANS_LE_TRAILER = (
    b"%PDF-1.7\n1 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref\n0 2\n"
    b"0000000000 65535 f \n0000000009 00000 n \ntrailer\n<< /Size 2 /Root << /Type /Catalog "
    b"/Pages 1 0 R /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >> >> >>\n"
    b"startxref\n62\n%%EOF\n"
)
# pypdf tolérant rendrait ce dictionnaire sans /JS (il s'arrête à « @ ») ; un lecteur lit la suite.
PDF_DICTIONNAIRE_TRONQUE = _pdf_catalogue(
    "/OpenAction 4 0 R", "<< /Z @ /S /JavaScript /JS (app.alert\\(1\\)) >>"
)
PDF_ILLISIBLE = b"%PDF-1.7\n" + bytes(range(256)) * 40


def _pdf_bombe() -> bytes:
    """Un flux d'objets de 60 Mo une fois décompressé (60 ko compressé)."""
    flux = zlib.compress(b"1 0 " + b" " * (60 * 1024 * 1024), 9)
    return _pdf_catalogue(
        "",
        f"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {len(flux)} >>\nstream\n"
        + flux.decode("latin-1")
        + "\nendstream",
    )


def _pdf_trop_d_objets() -> bytes:
    return b"%PDF-1.7\n" + b"".join(
        b"%d 0 obj null endobj\n" % i for i in range(1, OBJETS_PDF_MAX + 2)
    )


def _pdf_chiffre(source: bytes, mot_de_passe: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    ecrivain = PdfWriter(clone_from=PdfReader(io.BytesIO(source)))
    ecrivain.encrypt(user_password=mot_de_passe, owner_password="proprietaire", algorithm="AES-256")
    tampon = io.BytesIO()
    ecrivain.write(tampon)
    return tampon.getvalue()


def _pdf_reportlab() -> bytes:
    """Un PDF ordinaire : texte, image, lien vers un site (reportlab, comme la démo)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    tampon = io.BytesIO()
    page = canvas.Canvas(tampon, pagesize=A4, invariant=1)
    page.setTitle("Budget prévisionnel")
    page.setFont("Helvetica", 11)
    page.drawString(60, 780, "Budget prévisionnel (fictif) : stream endstream /JS 12 0 obj")
    page.drawImage(ImageReader(io.BytesIO(_image("PNG"))), 60, 600, 64, 64)
    page.linkURL("https://www.cohesion-territoires.gouv.fr/", (60, 770, 300, 790))
    page.showPage()
    page.save()
    return tampon.getvalue()


def _pdf_xhtml2pdf() -> bytes:
    """Un PDF produit comme les lettres de l'application (xhtml2pdf)."""
    from xhtml2pdf import pisa

    tampon = io.BytesIO()
    pisa.CreatePDF("<h1>Lettre</h1><p>Madame la maire, …</p>", dest=tampon)
    return tampon.getvalue()


# Un flux de contenu en clair dont le texte et les opérandes imitent la syntaxe PDF : ce ne sont
# pas des dictionnaires. (Un « 12 0 obj << … >> » entier dans un flux serait lu, et refusé.)
TEXTE = "BT /F1 12 Tf 60 780 Td (stream, endstream, /JS, /JavaScript : du texte) Tj /JS gs ET"
PDF_FLUX_TEXTE = _assembler(
    [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(TEXTE)} >>\nstream\n{TEXTE}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
)
# Des octets d'image qui contiennent par hasard « /JS » et « /Launch ».
IMAGE = "\x00\x13/JS (\xff\x10/Launch \x00\x01"
PDF_IMAGE_OCTETS_JS = _pdf_catalogue(
    "",
    "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceRGB "
    f"/BitsPerComponent 8 /Length {len(IMAGE)} >>\nstream\n{IMAGE}\nendstream",
)


# -- images ---------------------------------------------------------------------------------------
def _image(format_: str) -> bytes:
    from PIL import Image

    tampon = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 0, 145)).save(tampon, format=format_)
    return tampon.getvalue()


# -- bureautique ------------------------------------------------------------------------------
def _types_ooxml(partie: str, type_principal: str, extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="{partie}" ContentType="{type_principal}"/>{extra}</Types>'
    )


def _rels(cible: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}" Target="{cible}"/></Relationships>'
    )


DOCUMENT_WORD = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}">'
    "<w:body><w:p><w:r><w:t>Projet de la ville (fictif)</w:t></w:r></w:p></w:body></w:document>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA = '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'


def _docx(type_principal: str = DOCX_MAIN, macros: bool = False) -> bytes:
    parties = [
        (
            "[Content_Types].xml",
            _types_ooxml("/word/document.xml", type_principal, VBA if macros else ""),
        ),
        ("_rels/.rels", _rels("word/document.xml")),
        ("word/document.xml", DOCUMENT_WORD),
    ]
    if macros:
        parties.append(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504))
    return _zip(parties)


def _xlsx() -> bytes:
    from openpyxl import Workbook

    classeur = Workbook()
    classeur.active.append(["poste", "montant"])
    classeur.active.append(["Locaux", 12000])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _xlsm_renomme() -> bytes:
    """Un vrai classeur openpyxl, passé « à macros » : type principal et vbaProject.bin."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    parties = []
    for entree in source.infolist():
        contenu = source.read(entree)
        if entree.filename == "[Content_Types].xml":
            contenu = contenu.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                XLSM_MAIN.encode(),
            ).replace(b"</Types>", VBA.encode() + b"</Types>")
        parties.append((entree.filename, contenu))
    parties.append(("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504))
    return _zip(parties)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # début d'un fichier composé OLE
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _relations(*relations: tuple[str, str, str]) -> str:
    """Une partie .rels : (type, cible, mode) ; mode « External » pour une cible hors du paquet."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{genre}" Target="{cible}"'
            + (f' TargetMode="{mode}"' if mode else "")
            + "/>"
            for i, (genre, cible, mode) in enumerate(relations, start=1)
        )
        + "</Relationships>"
    )


def _docx_avec(*parties: tuple[str, bytes | str], types: str = "") -> bytes:
    """Le document Word du corpus, plus des parties (et des types de contenu)."""
    return _zip(
        [
            ("[Content_Types].xml", _types_ooxml("/word/document.xml", DOCX_MAIN, types)),
            ("_rels/.rels", _rels("word/document.xml")),
            ("word/document.xml", DOCUMENT_WORD),
            *parties,
        ]
    )


def _xlsx_avec(*parties: tuple[str, bytes | str], types: str = "") -> bytes:
    """Le classeur openpyxl du corpus, plus des parties (et des types de contenu)."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx()))
    existantes = []
    for entree in source.infolist():
        contenu = source.read(entree)
        if entree.filename == "[Content_Types].xml":
            contenu = contenu.replace(b"</Types>", types.encode() + b"</Types>")
        existantes.append((entree.filename, contenu))
    return _zip([*existantes, *parties])


# Modèle distant : word/settings.xml désigne un modèle .dotm chargé à l'ouverture (macros).
SETTINGS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="{W}" '
    f'xmlns:r="{RELS}"><w:attachedTemplate r:id="rId1"/></w:settings>'
)
DOCX_MODELE_DISTANT = _docx_avec(
    ("word/settings.xml", SETTINGS),
    (
        "word/_rels/settings.xml.rels",
        _relations((f"{RELS}/attachedTemplate", "https://exemple.invalid/modele.dotm", "External")),
    ),
)
TYPE_OLE = (
    '<Default Extension="bin" '
    'ContentType="application/vnd.openxmlformats-officedocument.oleObject"/>'
)
DOCX_OLE = _docx_avec(
    (
        "word/_rels/document.xml.rels",
        _relations((f"{RELS}/oleObject", "embeddings/oleObject1.bin", "")),
    ),
    ("word/embeddings/oleObject1.bin", OLE),
    types=TYPE_OLE,
)
# Lien OLE vers une adresse (CVE-2017-0199) : aucune partie incorporée, une relation externe.
DOCX_LIEN_OLE = _docx_avec(
    (
        "word/_rels/document.xml.rels",
        _relations((f"{RELS}/oleObject", "https://exemple.invalid/charge.hta", "External")),
    ),
)
DOCX_ACTIVEX = _docx_avec(
    (
        "word/activeX/activeX1.xml",
        '<ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>',
    ),
    (
        "word/activeX/_rels/activeX1.xml.rels",
        _relations(
            (
                "http://schemas.microsoft.com/office/2006/relationships/activeXControlBinary",
                "activeX1.bin",
                "",
            )
        ),
    ),
    ("word/activeX/activeX1.bin", b"\x00" * 64),
)
# Un objet OLE rangé sous un nom d'image, sans type de contenu ni relation qui le trahisse.
DOCX_OLE_DEGUISE = _docx_avec(("word/media/image1.png", OLE))
DOCX_VBA_AILLEURS = _docx_avec(("customXml/vbaProject.bin", OLE))
XLSX_OLE = _xlsx_avec(("xl/embeddings/oleObject1.bin", OLE), types=TYPE_OLE)
# Word range les données d'un graphique en classeur .xlsx incorporé : admis s'il est sain.
GRAPHIQUE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><c:chartSpace '
    'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>'
)


def _docx_graphique(classeur: bytes) -> bytes:
    return _docx_avec(
        ("word/_rels/document.xml.rels", _relations((f"{RELS}/chart", "charts/chart1.xml", ""))),
        ("word/charts/chart1.xml", GRAPHIQUE),
        (
            "word/charts/_rels/chart1.xml.rels",
            _relations((f"{RELS}/package", "../embeddings/Microsoft_Excel_Worksheet.xlsx", "")),
        ),
        ("word/embeddings/Microsoft_Excel_Worksheet.xlsx", classeur),
        types='<Default Extension="xlsx" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet"/>',
    )


DOCX_LIEN_HYPERTEXTE = _docx_avec(
    (
        "word/_rels/document.xml.rels",
        _relations((f"{RELS}/hyperlink", "https://www.cohesion-territoires.gouv.fr/", "External")),
    ),
)
# Réglages d'impression d'Excel : un .bin qui n'est pas un objet OLE (structure DEVMODE).
XLSX_REGLAGES_IMPRESSION = _xlsx_avec(
    ("xl/printerSettings/printerSettings1.bin", b"M\x00i\x00c\x00r\x00o\x00" + b"\x00" * 200),
    types='<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.printerSettings"/>',
)


def _xlsx_graphique() -> bytes:
    """Un classeur openpyxl avec un graphique et une image."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.drawing.image import Image

    classeur = Workbook()
    feuille = classeur.active
    for ligne in (["poste", "montant"], ["Locaux", 12000], ["Travaux", 30000]):
        feuille.append(ligne)
    graphique = BarChart()
    graphique.add_data(Reference(feuille, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    feuille.add_chart(graphique, "D2")
    feuille.add_image(Image(io.BytesIO(_image("PNG"))), "D20")
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _odf(mimetype: str, corps: str, macro: bool = False) -> bytes:
    manifeste = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    contenu = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.2">'
        f"<office:body>{corps}</office:body></office:document-content>"
    )
    parties: list[tuple[str, bytes | str]] = [
        ("mimetype", mimetype),
        ("content.xml", contenu),
        ("META-INF/manifest.xml", manifeste),
    ]
    if macro:
        parties += [
            ("Basic/script-lc.xml", '<?xml version="1.0"?><library:libraries/>'),
            (
                "Basic/Standard/Module1.xml",
                '<?xml version="1.0"?><script:module script:name="Module1">'
                'Sub Main\n  Shell("calc.exe")\nEnd Sub</script:module>',
            ),
        ]
    return _zip(parties, stocker_premier=True)


ODT_MIME = "application/vnd.oasis.opendocument.text"
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
ODT_CORPS = "<office:text><text:p>Projet de la ville (fictif)</text:p></office:text>"
ODS_CORPS = (
    "<office:spreadsheet><table:table table:name='Budget'><table:table-row>"
    "<table:table-cell><text:p>Locaux</text:p></table:table-cell></table:table-row>"
    "</table:table></office:spreadsheet>"
)

HTML = b"<!DOCTYPE html><html><body><script>fetch('/admin/')</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.domain)</script><rect width='10' height='10'/></svg>"
)


def fichiers() -> list[Fichier]:
    """Le corpus complet (le fichier de 20 Mo + 1 octet compris)."""
    png, jpeg = _image("PNG"), _image("JPEG")
    return [
        # -- refusés ---------------------------------------------------------------------------
        Fichier("html_en_pdf", "projet.pdf", HTML, "contenu ne correspond à aucun format"),
        Fichier("svg_script", "logo.svg", SVG, "l'extension .svg n'est pas acceptée"),
        Fichier("svg_en_png", "logo.png", SVG, "contenu ne correspond à aucun format"),
        Fichier("pdf_javascript", "dossier.pdf", PDF_JAVASCRIPT, "du JavaScript"),
        Fichier("pdf_js_encode", "dossier-encode.pdf", PDF_JS_ENCODE, "du JavaScript"),
        Fichier("pdf_openaction_js", "ouverture.pdf", PDF_OPENACTION_JS, "du JavaScript"),
        Fichier("docm_en_docx", "projet.docx", _docx(DOCM_MAIN, macros=True), "macros"),
        Fichier("docx_vba_seul", "projet-vba.docx", _docx(DOCX_MAIN, macros=True), "macros"),
        Fichier("xlsm_en_xlsx", "budget.xlsx", _xlsm_renomme(), "macros"),
        Fichier("docm", "projet.docm", _docx(DOCM_MAIN, macros=True), "macros"),
        Fichier("odt_macro", "note.odt", _odf(ODT_MIME, ODT_CORPS, macro=True), "macros"),
        Fichier(
            "zip_en_docx",
            "archive.docx",
            _zip([("lisez-moi.txt", "bonjour"), ("photo.bin", b"\x00" * 10)]),
            "contenu ne correspond à aucun format",
        ),
        Fichier("pdf_exe", "budget.pdf.exe", b"MZ\x90\x00" + b"\x00" * 60, "l'extension .exe"),
        Fichier("odt_en_docx", "note.docx", _odf(ODT_MIME, ODT_CORPS), "texte OpenDocument"),
        Fichier("png_en_pdf", "plan.pdf", png, "image PNG"),
        Fichier("vide", "vide.pdf", b"", "vide"),
        Fichier(
            "trop_gros", "enorme.pdf", PDF_SAIN + b"0" * (TAILLE_MAX + 1 - len(PDF_SAIN)), "20 Mo"
        ),
        # PDF actifs ou piégés (audit) : chacun refusé avec son motif.
        Fichier("pdf_faux_flux", "faux-flux.pdf", PDF_FAUX_FLUX, "du JavaScript"),
        Fichier("pdf_xfa", "formulaire.pdf", PDF_XFA, "formulaire XFA"),
        Fichier("pdf_flux_d_objets_js", "compact.pdf", PDF_COMPACT_JS, "du JavaScript"),
        Fichier(
            "pdf_predicteur_audit", "predicteur.pdf", _pdf_predicteur_de_l_audit(), "du JavaScript"
        ),
        Fichier("pdf_joint_exe", "facture.pdf", PDF_JOINT_EXE, "fichiers joints"),
        Fichier("pdf_joint_annotation", "trombone.pdf", PDF_JOINT_ANNOTATION, "fichiers joints"),
        Fichier(
            "pdf_js_nom_hexa",
            "hexa.pdf",
            _pdf_catalogue(
                "/Names << /J#61vaScript << /Names [(a) 4 0 R] >> >>",
                "<< /S /GoTo /D [3 0 R /Fit] >>",
            ),
            "du JavaScript",
        ),
        Fichier(
            "pdf_launch",
            "lancer.pdf",
            _pdf_action("/S /Launch /F (calc.exe)"),
            "lancement de programme",
        ),
        Fichier(
            "pdf_submitform",
            "envoi.pdf",
            _pdf_action("/S /SubmitForm /F << /FS /URL /F (https://exemple.invalid/) >>"),
            "/SubmitForm",
        ),
        Fichier(
            "pdf_importdata",
            "import.pdf",
            _pdf_action("/S /ImportData /F (donnees.fdf)"),
            "/ImportData",
        ),
        Fichier(
            "pdf_gotor",
            "renvoi.pdf",
            _pdf_action("/S /GoToR /F (\\\\serveur\\partage\\a.pdf) /D [0 /Fit]"),
            "/GoToR",
        ),
        Fichier(
            "pdf_gotoe",
            "renvoi-joint.pdf",
            _pdf_action("/S /GoToE /T << /R /C /N (a) >> /D [0 /Fit]"),
            "/GoToE",
        ),
        Fichier(
            "pdf_richmedia",
            "media.pdf",
            _pdf_catalogue("", "<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>"),
            "/RichMedia",
        ),
        Fichier("pdf_objet_orphelin", "orphelin.pdf", PDF_OBJET_ORPHELIN, "du JavaScript"),
        Fichier("pdf_objet_dans_un_flux", "cache.pdf", PDF_OBJET_DANS_UN_FLUX, "du JavaScript"),
        Fichier(
            "pdf_catalogue_trailer", "trailer.pdf", PDF_CATALOGUE_DANS_LE_TRAILER, "du JavaScript"
        ),
        Fichier(
            "pdf_chiffre_js", "chiffre-js.pdf", _pdf_chiffre(PDF_JAVASCRIPT, ""), "du JavaScript"
        ),
        Fichier(
            "pdf_chiffre_flux_d_objets_js",
            "chiffre-compact.pdf",
            PDF_COMPACT_CHIFFRE_JS,
            "du JavaScript",
        ),
        Fichier(
            "pdf_dictionnaire_tronque",
            "tronque.pdf",
            PDF_DICTIONNAIRE_TRONQUE,
            "n'est pas un PDF lisible",
        ),
        Fichier("pdf_illisible", "abime.pdf", PDF_ILLISIBLE, "n'est pas un PDF lisible"),
        Fichier(
            "pdf_mot_de_passe",
            "secret.pdf",
            _pdf_chiffre(PDF_SAIN, "secret"),
            "protégé par un mot de passe",
        ),
        Fichier("pdf_bombe", "bombe.pdf", _pdf_bombe(), "trop complexe"),
        Fichier("pdf_trop_d_objets", "objets.pdf", _pdf_trop_d_objets(), "trop complexe"),
        # Bureautique : modèle distant, objets OLE, ActiveX.
        Fichier(
            "docx_modele_distant", "modele.docx", DOCX_MODELE_DISTANT, "modèle de document externe"
        ),
        Fichier("docx_ole", "objet.docx", DOCX_OLE, "objets incorporés (OLE)"),
        Fichier("docx_lien_ole", "lien.docx", DOCX_LIEN_OLE, "objets incorporés (OLE)"),
        Fichier("docx_activex", "controle.docx", DOCX_ACTIVEX, "ActiveX"),
        Fichier("docx_ole_deguise", "image.docx", DOCX_OLE_DEGUISE, "objets incorporés (OLE)"),
        Fichier("docx_vba_ailleurs", "vba.docx", DOCX_VBA_AILLEURS, "macros"),
        Fichier("xlsx_ole", "objet.xlsx", XLSX_OLE, "objets incorporés (OLE)"),
        Fichier(
            "docx_graphique_xlsm",
            "graphique-macros.docx",
            _docx_graphique(_xlsm_renomme()),
            "macros",
        ),
        # -- acceptés ---------------------------------------------------------------------------
        Fichier("png", "plan-des-locaux.png", png, None),
        Fichier("jpeg", "facade.jpg", jpeg, None),
        Fichier("docx", "projet.docx", _docx(), None),
        Fichier("xlsx", "budget.xlsx", _xlsx(), None),
        Fichier("odt", "note.odt", _odf(ODT_MIME, ODT_CORPS), None),
        Fichier("ods", "budget.ods", _odf(ODS_MIME, ODS_CORPS), None),
        Fichier("pdf_point", "budget-v1.2.pdf", PDF_SAIN, None),
        Fichier("pdf_exe_pdf", "facture.exe.pdf", PDF_SAIN, None),
        Fichier("chemin_relatif", "../../../etc/cron.d/budget.pdf", PDF_SAIN, None),
        Fichier("nom_tres_long", "budget-" + "tres-long-" * 40 + ".pdf", PDF_SAIN, None),
        Fichier("pdf_20_mo_pile", "pile.pdf", PDF_SAIN + b"%" * (TAILLE_MAX - len(PDF_SAIN)), None),
        Fichier("pdf_reportlab", "budget-reportlab.pdf", _pdf_reportlab(), None),
        Fichier("pdf_xhtml2pdf", "lettre.pdf", _pdf_xhtml2pdf(), None),
        Fichier("pdf_flux_texte", "texte.pdf", PDF_FLUX_TEXTE, None),
        Fichier("pdf_image_octets_js", "photo.pdf", PDF_IMAGE_OCTETS_JS, None),
        Fichier("pdf_flux_d_objets_sain", "compact-sain.pdf", PDF_COMPACT_SAIN, None),
        Fichier(
            "pdf_chiffre_flux_d_objets_sain",
            "chiffre-compact-sain.pdf",
            PDF_COMPACT_CHIFFRE_SAIN,
            None,
        ),
        Fichier(
            "pdf_chiffre_sans_mot_de_passe", "protege.pdf", _pdf_chiffre(_pdf_reportlab(), ""), None
        ),
        Fichier("docx_graphique", "graphique.docx", _docx_graphique(_xlsx()), None),
        Fichier("docx_lien_hypertexte", "liens.docx", DOCX_LIEN_HYPERTEXTE, None),
        Fichier("xlsx_graphique", "graphique.xlsx", _xlsx_graphique(), None),
        Fichier("xlsx_reglages_impression", "impression.xlsx", XLSX_REGLAGES_IMPRESSION, None),
    ]


def ecrire(dossier: Path) -> None:
    dossier.mkdir(parents=True, exist_ok=True)
    for fichier in fichiers():
        nom = f"{fichier.cle}--{Path(fichier.nom).name}"[:200]
        (dossier / nom).write_bytes(fichier.contenu)


if __name__ == "__main__":
    ecrire(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-pieces"))
