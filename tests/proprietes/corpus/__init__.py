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
from dataclasses import dataclass
from pathlib import Path

from candidatures.fichiers import TAILLE_MAX

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
    ]


def ecrire(dossier: Path) -> None:
    dossier.mkdir(parents=True, exist_ok=True)
    for fichier in fichiers():
        nom = f"{fichier.cle}--{Path(fichier.nom).name}"[:200]
        (dossier / nom).write_bytes(fichier.contenu)


if __name__ == "__main__":
    ecrire(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-pieces"))
