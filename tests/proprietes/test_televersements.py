"""Le corpus de fichiers fabriqués (`corpus/`) contre la vérification des pièces et la vue de dépôt.

Chaque refus attendu est refusé avec un message clair et rien n'est écrit (ni ligne, ni fichier) ;
chaque fichier valide est accepté sous un nom généré, qui ne garde rien du nom d'origine ; aucune
pièce n'est jamais servie en ligne comme HTML ou SVG.
"""

from __future__ import annotations

import io
import logging
import re
import time
from pathlib import PurePath

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidatures.fichiers import FichierRefuse, verifier_fichier
from candidatures.models import Candidature, Piece, Vague
from tests import factories as f

from .corpus import (
    PDF_COMPACT_CHIFFRE_JS,
    PDF_COMPACT_CHIFFRE_SAIN,
    PDF_COMPACT_JS,
    PDF_COMPACT_SAIN,
    PDF_ILLISIBLE,
    PDF_SAIN,
    _assembler,
    fichiers,
)

CORPUS = fichiers()
REFUSES = [x for x in CORPUS if not x.accepte]
ACCEPTES = [x for x in CORPUS if x.accepte]
NOM_GENERE = re.compile(r"^pieces/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|jpg|jpeg|docx|xlsx|odt|ods)$")


@pytest.fixture(autouse=True)
def stockage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def _fichiers_ecrits(dossier) -> list[str]:
    return sorted(str(p.relative_to(dossier)) for p in dossier.rglob("*") if p.is_file())


def _messages(reponse) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in reponse.wsgi_request._messages]


@pytest.fixture
def candidature(db):
    return f.CandidatureFactory(
        vague=f.VagueFactory(numero=3, statut=Vague.Statut.CONSOLIDATION),
        statut=Candidature.Statut.INCOMPLETE,
    )


# -- la vérification seule --------------------------------------------------------------------
def test_corpus_couvre_les_cas_de_l_issue():
    assert len({x.cle for x in CORPUS}) == len(CORPUS) == 70
    assert (len(REFUSES), len(ACCEPTES)) == (48, 22)


@pytest.mark.parametrize("fichier", REFUSES, ids=lambda x: x.cle)
def test_verification_refuse_avec_un_message_clair(fichier):
    with pytest.raises(FichierRefuse) as refus:
        verifier_fichier(io.BytesIO(fichier.contenu), fichier.nom, len(fichier.contenu))

    message = str(refus.value)
    assert fichier.refus in message
    assert message.startswith(f"« {fichier.nom} »")


@pytest.mark.parametrize("fichier", ACCEPTES, ids=lambda x: x.cle)
def test_verification_accepte_les_fichiers_valides(fichier):
    verifie = verifier_fichier(io.BytesIO(fichier.contenu), fichier.nom, len(fichier.contenu))

    assert verifie.extension == PurePath(fichier.nom).suffix.lower()


# -- à travers la vue de dépôt ------------------------------------------------------------------
def _deposer(client, candidature, fichier):
    envoi = SimpleUploadedFile(fichier.nom, fichier.contenu, content_type="application/pdf")
    return client.post(
        reverse("candidature_piece_deposer", kwargs={"pk": candidature.pk}), {"fichier": envoi}
    )


@pytest.mark.parametrize("fichier", REFUSES, ids=lambda x: x.cle)
def test_depot_refuse_avec_message_et_rien_d_ecrit(
    fichier, client_de, equipe, candidature, stockage
):
    lignes_avant = (Piece.objects.count(), Piece.history.count())

    reponse = _deposer(client_de(equipe), candidature, fichier)

    messages = _messages(reponse)
    assert reponse.status_code == 302
    assert [niveau for niveau, _ in messages] == ["error"]
    assert messages[0][1].startswith("Pièce refusée : ")
    # Le fichier vide est arrêté par Django avant notre vérification, en français aussi.
    assert fichier.refus in messages[0][1] or "vide" in messages[0][1]
    assert (Piece.objects.count(), Piece.history.count()) == lignes_avant
    assert _fichiers_ecrits(stockage) == []


@pytest.mark.parametrize("fichier", ACCEPTES, ids=lambda x: x.cle)
def test_depot_accepte_sous_un_nom_genere(fichier, client_de, equipe, candidature, stockage):
    reponse = _deposer(client_de(equipe), candidature, fichier)

    piece = Piece.objects.get()
    origine = PurePath(fichier.nom.replace("\\", "/"))
    assert reponse.status_code == 302
    assert [niveau for niveau, _ in _messages(reponse)] == ["success"]
    assert NOM_GENERE.match(piece.fichier.name), piece.fichier.name
    assert _fichiers_ecrits(stockage) == [piece.fichier.name]
    # Aucun morceau du nom d'origine (hors extension) dans le chemin stocké.
    for morceau in re.split(r"[^A-Za-z0-9]+", origine.stem):
        if len(morceau) >= 3:
            assert morceau.lower() not in piece.fichier.name.lower()
    assert ".." not in piece.fichier.name
    assert "/" not in piece.nom_original
    assert len(piece.nom_original) <= 255
    assert piece.taille == len(fichier.contenu)
    assert (stockage / piece.fichier.name).read_bytes() == fichier.contenu


# -- jamais servi en ligne comme HTML ou SVG ----------------------------------------------------
@pytest.mark.parametrize("fichier", ACCEPTES, ids=lambda x: x.cle)
def test_telechargement_des_fichiers_acceptes_en_tetes_surs(
    fichier, client_de, equipe, candidature
):
    client = client_de(equipe)
    _deposer(client, candidature, fichier)
    piece = Piece.objects.get()
    url = reverse("piece_telecharger", kwargs={"pk": piece.pk})

    joint = client.get(url)
    apercu = client.get(url + "?apercu=1")

    assert b"".join(joint.streaming_content) == fichier.contenu
    for reponse in (joint, apercu):
        assert reponse["X-Content-Type-Options"] == "nosniff"
        assert reponse["Content-Type"] == piece.type_mime
    assert joint["Content-Disposition"].startswith("attachment;")
    en_ligne = piece.type_mime in ("application/pdf", "image/png", "image/jpeg")
    assert apercu["Content-Disposition"].startswith("inline;" if en_ligne else "attachment;")


@pytest.mark.parametrize(
    ("type_mime", "nom"),
    [
        ("text/html", "page.html"),
        ("image/svg+xml", "logo.svg"),
        ("application/xhtml+xml", "page.xhtml"),
        ("text/html; charset=utf-8", "page.pdf"),
    ],
)
def test_piece_ecrite_hors_du_depot_jamais_servie_en_ligne(
    type_mime, nom, client_de, equipe, candidature
):
    """Une pièce entrée par l'administration ou une vieille sauvegarde, au type dangereux."""
    piece = Piece(candidature=candidature, nom_original=nom, type_mime=type_mime, taille=10)
    piece.fichier.save(nom, ContentFile(b"<svg onload=alert(1)></svg>"), save=False)
    piece.save()
    url = reverse("piece_telecharger", kwargs={"pk": piece.pk})

    for reponse in (client_de(equipe).get(url), client_de(equipe).get(url + "?apercu=1")):
        assert reponse["Content-Type"] == "application/octet-stream"
        assert reponse["Content-Disposition"].startswith("attachment;")
        assert reponse["X-Content-Type-Options"] == "nosniff"


def test_nom_d_origine_du_chemin_relatif_reduit_a_son_dernier_morceau(
    client_de, equipe, candidature
):
    fichier = next(x for x in CORPUS if x.cle == "chemin_relatif")

    _deposer(client_de(equipe), candidature, fichier)

    assert Piece.objects.get().nom_original == "budget.pdf"


def test_pdf_sain_du_corpus_est_un_pdf_lisible():
    """Garde-fou du corpus : le PDF de base est bien formé (table des renvois juste)."""
    debut = PDF_SAIN.index(b"startxref\n") + len(b"startxref\n")
    xref = int(PDF_SAIN[debut:].split(b"\n")[0])
    assert PDF_SAIN[xref : xref + 4] == b"xref"
    assert PDF_SAIN.startswith(b"%PDF-1.7")


@pytest.mark.parametrize(
    ("contenu", "chiffre"),
    [
        (PDF_COMPACT_SAIN, False),
        (PDF_COMPACT_JS, False),
        (PDF_COMPACT_CHIFFRE_SAIN, True),
        (PDF_COMPACT_CHIFFRE_JS, True),
    ],
)
def test_pdf_compacts_du_corpus_sont_bien_formes(contenu, chiffre):
    """Garde-fou : table des renvois en flux, objets dans un flux d'objets avec prédicteur PNG."""
    from pypdf import PdfReader

    lecteur = PdfReader(io.BytesIO(contenu), strict=True)
    if chiffre:
        assert lecteur.decrypt("")
    assert lecteur.is_encrypted is chiffre
    assert set(lecteur.xref_objStm) >= {2, 3}
    assert len(lecteur.pages) == 1
    assert b"JavaScript" not in contenu  # le JavaScript n'est lisible qu'une fois décompressé


def test_examen_pdf_ne_remplit_pas_le_journal(caplog):
    """Un PDF abîmé (peut-être hostile) ne fait pas écrire pypdf à chaque réparation."""
    caplog.set_level(logging.WARNING)

    with pytest.raises(FichierRefuse, match="n'est pas un PDF lisible"):
        verifier_fichier(io.BytesIO(PDF_ILLISIBLE), "abime.pdf", len(PDF_ILLISIBLE))

    assert [r for r in caplog.records if r.name.startswith("pypdf")] == []


@pytest.mark.lent
def test_pdf_hostile_de_20_mo_refuse_en_temps_borne():
    """20 Mo de tableaux de nombres, le pire coût de lecture par octet : refusé, et vite."""
    tableau = "[" + "0 " * 90_000 + "]"
    contenu = _assembler(["<< /Type /Catalog >>"] + [tableau] * 110)
    assert len(contenu) < 20 * 1024 * 1024

    debut = time.monotonic()
    with pytest.raises(FichierRefuse, match="trop complexe pour être examiné"):
        verifier_fichier(io.BytesIO(contenu), "tableaux.pdf", len(contenu))
    assert time.monotonic() - debut < 30
