"""Pièces : vérification du contenu, dépôt, téléchargement réservé, en-têtes de réponse."""

import io
import zipfile
import zlib

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidatures.fichiers import (
    DOCX,
    ODS,
    ODT,
    PDF,
    PNG,
    XLSX,
    FichierRefuse,
    verifier_fichier,
)
from candidatures.models import Conflit, Piece
from tests import factories as f

PDF_SIMPLE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG_MINIMAL = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
JPEG_DEBUT = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
TYPES_DOCX = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
TYPES_XLSX = TYPES_DOCX.replace("/word/document.xml", "/xl/workbook.xml").replace(
    "wordprocessingml.document", "spreadsheetml.sheet"
)
TYPES_DOCM = TYPES_DOCX.replace(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
)


def _zip(parties: dict) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        for nom, contenu in parties.items():
            archive.writestr(nom, contenu)
    return tampon.getvalue()


DOCX_SIMPLE = _zip({"[Content_Types].xml": TYPES_DOCX, "word/document.xml": "<w:document/>"})
XLSX_SIMPLE = _zip({"[Content_Types].xml": TYPES_XLSX, "xl/workbook.xml": "<workbook/>"})
ODT_SIMPLE = _zip({"mimetype": ODT, "content.xml": "<office:document-content/>"})
ODS_SIMPLE = _zip({"mimetype": ODS, "content.xml": "<office:document-content/>"})


def _verifier(nom: str, contenu: bytes):
    return verifier_fichier(io.BytesIO(contenu), nom, len(contenu))


@pytest.fixture(autouse=True)
def stockage(settings, tmp_path):
    """Chaque test écrit ses pièces dans un dossier à lui."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def _piece(candidature, nom="budget-v1.2.pdf", contenu=PDF_SIMPLE, type_mime=PDF) -> Piece:
    piece = Piece(
        candidature=candidature, nom_original=nom, type_mime=type_mime, taille=len(contenu)
    )
    piece.fichier.save(nom, ContentFile(contenu), save=False)
    piece.save()
    return piece


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


# ---------------------------------------------------------------------------------------------
# Vérification du contenu
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("nom", "contenu", "attendu"),
    [
        ("budget-v1.2.pdf", PDF_SIMPLE, PDF),
        ("Plan de financement.PDF", PDF_SIMPLE, PDF),
        ("projet.docx", DOCX_SIMPLE, DOCX),
        ("budget.xlsx", XLSX_SIMPLE, XLSX),
        ("note.odt", ODT_SIMPLE, ODT),
        ("tableau.ods", ODS_SIMPLE, ODS),
        ("plan-des-locaux.png", PNG_MINIMAL, PNG),
        ("facade.jpeg", JPEG_DEBUT, "image/jpeg"),
        ("facade.jpg", JPEG_DEBUT, "image/jpeg"),
    ],
)
def test_fichier_accepte_donne_le_type_lu(nom, contenu, attendu):
    assert _verifier(nom, contenu).type_mime == attendu


@pytest.mark.parametrize(
    ("nom", "contenu", "extrait"),
    [
        ("projet.pdf", HTML, "porte l'extension .pdf mais son contenu ne correspond"),
        ("plan.pdf.exe", PDF_SIMPLE, "l'extension .exe n'est pas acceptée"),
        ("plan.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "l'extension .svg"),
        ("page.html", HTML, "l'extension .html"),
        ("sans-extension", PDF_SIMPLE, "l'extension (aucune)"),
        ("image.png", PDF_SIMPLE, "son contenu est un fichier PDF"),
        ("projet.xlsx", DOCX_SIMPLE, "son contenu est un fichier document Word"),
        ("projet.docx", ODT_SIMPLE, "son contenu est un fichier texte OpenDocument"),
        ("archive.docx", _zip({"a.txt": "x"}), "ne correspond à aucun format"),
        ("vide.pdf", b"", "est vide"),
    ],
)
def test_fichier_refuse_si_type_et_extension_divergent(nom, contenu, extrait):
    with pytest.raises(FichierRefuse, match=extrait.replace("(", r"\(").replace(")", r"\)")):
        _verifier(nom, contenu)


@pytest.mark.parametrize(
    ("nom", "contenu"),
    [
        ("macro.docm", _zip({"[Content_Types].xml": TYPES_DOCM})),
        ("macro.xlsm", XLSX_SIMPLE),
        ("macro.docx", _zip({"[Content_Types].xml": TYPES_DOCM})),
        (
            "cache.docx",
            _zip({"[Content_Types].xml": TYPES_DOCX, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        ),
        ("macro.odt", _zip({"mimetype": ODT, "Basic/Standard/Module1.xml": "<script/>"})),
        ("script.ods", _zip({"mimetype": ODS, "Scripts/python/x.py": "import os"})),
        (
            "evenement.odt",
            _zip(
                {
                    "mimetype": ODT,
                    "content.xml": '<script:event-listener xlink:href="vnd.sun.star.script:x"/>',
                }
            ),
        ),
    ],
)
def test_fichier_bureautique_a_macros_refuse(nom, contenu):
    with pytest.raises(FichierRefuse, match="macros"):
        _verifier(nom, contenu)


@pytest.mark.parametrize(
    "corps",
    [
        b"1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj",
        b"1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj 2 0 obj<</S/JavaScript/JS 3 0 R>>endobj",
        b"1 0 obj<</Type/Catalog/OpenAction<</S/#4Aava#53cript/#4A#53(x)>>>>endobj",
        b"1 0 obj<</Type/Page/AA<</O<</S/Launch/F(calc.exe)>>>>>>endobj",
        b"1 0 obj<</Names<</#4AavaScript 4 0 R>>>>endobj",
    ],
)
def test_pdf_avec_javascript_ou_action_automatique_refuse(corps):
    with pytest.raises(FichierRefuse, match="les PDF actifs sont refusés"):
        _verifier("actif.pdf", b"%PDF-1.7\n" + corps + b"\n%%EOF")


def test_pdf_avec_javascript_dans_un_flux_compresse_refuse():
    flux = zlib.compress(b"<</S/JavaScript/JS(app.alert(1))>>")
    contenu = b"%PDF-1.7\n5 0 obj<</Type/ObjStm/Filter/FlateDecode>>stream\n" + flux
    contenu += b"\nendstream\nendobj\n%%EOF"

    with pytest.raises(FichierRefuse, match="JavaScript"):
        _verifier("objets.pdf", contenu)


def test_pdf_avec_javascript_dans_un_flux_d_objets_non_compresse_refuse():
    contenu = b"%PDF-1.7\n5 0 obj<</Type/ObjStm/N 1/First 4>>stream\n"
    contenu += b"1 0 <</S/JavaScript/JS(x)>>\nendstream\nendobj\n%%EOF"

    with pytest.raises(FichierRefuse, match="JavaScript"):
        _verifier("objets.pdf", contenu)


def test_pdf_dont_une_image_contient_par_hasard_des_octets_js_accepte():
    # Les octets d'une image ne sont pas des dictionnaires PDF : « /JS » y est sans effet.
    image = b"\x00\x13/JS (\xff\x10/AA \x00"
    contenu = b"%PDF-1.7\n4 0 obj<</Type/XObject/Subtype/Image/Length 16>>stream\n" + image
    contenu += b"\nendstream\nendobj\n%%EOF"

    assert _verifier("photo.pdf", contenu).type_mime == PDF


def test_pdf_flux_d_objets_illisible_refuse():
    contenu = b"%PDF-1.7\n5 0 obj<</Type/ObjStm/Filter/LZWDecode>>stream\n\x80\x0b\x60"
    contenu += b"\nendstream\nendobj\n%%EOF"

    with pytest.raises(FichierRefuse, match="compression que nous ne pouvons pas examiner"):
        _verifier("lzw.pdf", contenu)


def test_pdf_avec_openaction_de_navigation_accepte():
    contenu = b"%PDF-1.7\n1 0 obj<</Type/Catalog/OpenAction[3 0 R/Fit]>>endobj\n%%EOF"

    assert _verifier("ouvre-page-1.pdf", contenu).type_mime == PDF


def test_fichier_de_plus_de_20_mo_refuse():
    with pytest.raises(FichierRefuse, match="20 Mo au plus"):
        verifier_fichier(io.BytesIO(PDF_SIMPLE), "gros.pdf", 20 * 1024 * 1024 + 1)


# ---------------------------------------------------------------------------------------------
# Dépôt
# ---------------------------------------------------------------------------------------------
def test_depot_enregistre_la_piece_sous_un_nom_genere(client_de, equipe, stockage):
    candidature = f.CandidatureFactory()
    requise = f.PieceRequiseFactory(vague=candidature.vague, libelle="Budget prévisionnel")

    reponse = client_de(equipe).post(
        reverse("candidature_piece_deposer", args=[candidature.pk]),
        {
            "fichier": SimpleUploadedFile("budget-v1.2.pdf", PDF_SIMPLE, "text/html"),
            "piece_requise": requise.pk,
        },
    )

    piece = Piece.objects.get()
    assert reponse.status_code == 302
    assert (piece.nom_original, piece.type_mime, piece.taille, piece.piece_requise) == (
        "budget-v1.2.pdf",
        PDF,
        len(PDF_SIMPLE),
        requise,
    )
    assert piece.fichier.name.startswith("pieces/")
    assert "budget" not in piece.fichier.name
    assert (stockage / piece.fichier.name).read_bytes() == PDF_SIMPLE


@pytest.mark.parametrize(
    ("nom", "contenu"),
    [
        ("projet.pdf", HTML),
        ("plan.pdf.exe", PDF_SIMPLE),
        ("macro.docm", _zip({"[Content_Types].xml": TYPES_DOCM})),
        ("actif.pdf", b"%PDF-1.7\n1 0 obj<</OpenAction<</S/JavaScript/JS(x)>>>>endobj"),
    ],
)
def test_depot_refuse_avec_message_et_rien_d_ecrit(nom, contenu, client_de, equipe, stockage):
    candidature = f.CandidatureFactory()

    reponse = client_de(equipe).post(
        reverse("candidature_piece_deposer", args=[candidature.pk]),
        {"fichier": SimpleUploadedFile(nom, contenu, "application/pdf")},
    )

    assert reponse.status_code == 302
    assert Piece.objects.count() == 0
    assert not (stockage / "pieces").exists()
    messages = _messages(reponse)
    assert len(messages) == 1
    assert messages[0].startswith(f"Pièce refusée : « {nom} »")


def test_depot_refuse_au_jure_affecte(client_de, utilisateur_jure):
    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)

    reponse = client_de(utilisateur_jure).post(
        reverse("candidature_piece_deposer", args=[affectation.candidature.pk]),
        {"fichier": SimpleUploadedFile("budget.pdf", PDF_SIMPLE)},
    )

    assert (reponse.status_code, Piece.objects.count()) == (403, 0)


def test_depot_en_get_405(client_de, equipe):
    candidature = f.CandidatureFactory()

    reponse = client_de(equipe).get(reverse("candidature_piece_deposer", args=[candidature.pk]))

    assert reponse.status_code == 405


# ---------------------------------------------------------------------------------------------
# Téléchargement
# ---------------------------------------------------------------------------------------------
def test_telechargement_par_l_equipe_en_piece_jointe_avec_en_tetes(client_de, equipe):
    piece = _piece(f.CandidatureFactory())

    reponse = client_de(equipe).get(reverse("piece_telecharger", args=[piece.pk]))

    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == PDF_SIMPLE
    assert (
        reponse["Content-Type"],
        reponse["Content-Disposition"],
        reponse["X-Content-Type-Options"],
        reponse["Content-Length"],
    ) == (PDF, 'attachment; filename="budget-v1.2.pdf"', "nosniff", str(len(PDF_SIMPLE)))


def test_telechargement_apercu_en_ligne_pour_un_pdf(client_de, equipe):
    piece = _piece(f.CandidatureFactory())

    reponse = client_de(equipe).get(reverse("piece_telecharger", args=[piece.pk]) + "?apercu=1")

    b"".join(reponse.streaming_content)
    assert reponse["Content-Disposition"] == 'inline; filename="budget-v1.2.pdf"'


def test_telechargement_apercu_refuse_pour_un_document_bureautique(client_de, equipe):
    piece = _piece(f.CandidatureFactory(), "projet.docx", DOCX_SIMPLE, DOCX)

    reponse = client_de(equipe).get(reverse("piece_telecharger", args=[piece.pk]) + "?apercu=1")

    b"".join(reponse.streaming_content)
    assert (reponse["Content-Type"], reponse["Content-Disposition"]) == (
        DOCX,
        'attachment; filename="projet.docx"',
    )


def test_telechargement_jamais_de_html_en_ligne(client_de, equipe):
    # Une pièce glissée par l'administration avec un type dangereux est servie en octets bruts.
    piece = _piece(f.CandidatureFactory(), "page.html", HTML, "text/html")

    reponse = client_de(equipe).get(reverse("piece_telecharger", args=[piece.pk]) + "?apercu=1")

    b"".join(reponse.streaming_content)
    assert (reponse["Content-Type"], reponse["Content-Disposition"]) == (
        "application/octet-stream",
        'attachment; filename="page.html"',
    )


def test_telechargement_anonyme_renvoye_a_la_connexion(client, db):
    piece = _piece(f.CandidatureFactory())

    reponse = client.get(reverse("piece_telecharger", args=[piece.pk]))

    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("login"))


def test_telechargement_jure_non_affecte_404(client_de, utilisateur_jure):
    f.JureFactory(utilisateur=utilisateur_jure)
    piece = _piece(f.CandidatureFactory())

    reponse = client_de(utilisateur_jure).get(reverse("piece_telecharger", args=[piece.pk]))

    assert reponse.status_code == 404


def test_telechargement_jure_affecte_200(client_de, utilisateur_jure):
    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)
    piece = _piece(affectation.candidature)

    reponse = client_de(utilisateur_jure).get(reverse("piece_telecharger", args=[piece.pk]))

    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == PDF_SIMPLE


def test_telechargement_jure_affecte_mais_en_conflit_404(client_de, utilisateur_jure):
    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)
    Conflit.objects.create(jure=affectation.jure, candidature=affectation.candidature, motif="Élu")
    piece = _piece(affectation.candidature)

    reponse = client_de(utilisateur_jure).get(reverse("piece_telecharger", args=[piece.pk]))

    assert reponse.status_code == 404


def test_telechargement_observateur_403(client_de, observateur):
    piece = _piece(f.CandidatureFactory())

    reponse = client_de(observateur).get(reverse("piece_telecharger", args=[piece.pk]))

    assert reponse.status_code == 403


def test_telechargement_fichier_absent_du_stockage_404(client_de, equipe, stockage):
    piece = _piece(f.CandidatureFactory())
    (stockage / piece.fichier.name).unlink()

    reponse = client_de(equipe).get(reverse("piece_telecharger", args=[piece.pk]))

    assert reponse.status_code == 404


# ---------------------------------------------------------------------------------------------
# État d'une pièce
# ---------------------------------------------------------------------------------------------
def test_etat_de_la_piece_modifie_par_l_equipe(client_de, equipe):
    piece = _piece(f.CandidatureFactory())

    reponse = client_de(equipe).post(
        reverse("piece_statut", args=[piece.pk]), {"statut": Piece.Statut.ACCEPTEE}
    )

    piece.refresh_from_db()
    assert (reponse.status_code, piece.statut) == (302, Piece.Statut.ACCEPTEE)
    assert piece.history.first().history_user == equipe


def test_etat_de_la_piece_inconnu_ne_change_rien(client_de, equipe):
    piece = _piece(f.CandidatureFactory())

    reponse = client_de(equipe).post(reverse("piece_statut", args=[piece.pk]), {"statut": "x"})

    piece.refresh_from_db()
    assert (piece.statut, _messages(reponse)) == (
        Piece.Statut.RECUE,
        ["État de pièce inconnu : rien n'a changé."],
    )


def test_etat_de_la_piece_404_403_405(client_de, equipe, utilisateur_jure):
    affectation = f.AffectationFactory(jure__utilisateur=utilisateur_jure)
    piece = _piece(affectation.candidature)
    url = reverse("piece_statut", args=[piece.pk])

    assert client_de(equipe).post(reverse("piece_statut", args=[99999])).status_code == 404
    assert client_de(utilisateur_jure).post(url, {"statut": "acceptee"}).status_code == 403
    assert client_de(equipe).get(url).status_code == 405


def test_fiche_liste_les_pieces_avec_liens(client_de, equipe):
    piece = _piece(f.CandidatureFactory())

    texte = client_de(equipe).get(reverse("candidature_detail", args=[piece.candidature.pk]))
    texte = texte.content.decode()

    assert reverse("piece_telecharger", args=[piece.pk]) + "?apercu=1" in texte
    assert "budget-v1.2.pdf" in texte
