"""Resoumission : d'une candidature non retenue à un brouillon dans une vague ultérieure."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse

from acv.erreurs import ErreurMetier
from candidatures.models import Candidature, LigneFinancement, Piece, Vague
from candidatures.services import changements_depuis_precedente, preparer_resoumission
from tests import factories as f

S = Candidature.Statut
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n%%EOF\n"


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


@pytest.fixture
def vague1(db):
    return f.VagueFactory(numero=1, nom="Vague 1 — 2019", statut=Vague.Statut.CLOSE)


@pytest.fixture
def vague2(db):
    return f.VagueFactory(numero=2, nom="Vague 2 — 2020", statut=Vague.Statut.APPEL_OUVERT)


@pytest.fixture
def non_retenue(vague1):
    candidature = f.CandidatureFactory(
        vague=vague1,
        statut=S.NON_RETENUE,
        commune=f.CommuneFactory(code_insee="15014", nom="Aurillac"),
        resume="Un espace en centre-ville.",
        apprenants_prevus=40,
    )
    LigneFinancement.objects.create(candidature=candidature, source="commune", montant=20000)
    LigneFinancement.objects.create(candidature=candidature, source="etat", montant=10000)
    return candidature


def _piece(candidature, nom, statut=Piece.Statut.ACCEPTEE, requise=None) -> Piece:
    piece = Piece(
        candidature=candidature,
        piece_requise=requise,
        nom_original=nom,
        type_mime="application/pdf",
        taille=len(PDF),
        statut=statut,
    )
    piece.fichier.save(nom, ContentFile(PDF), save=False)
    piece.save()
    return piece


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def test_resoumission_reprend_contenu_financement_et_lien(non_retenue, vague2, equipe):
    nouvelle = preparer_resoumission(non_retenue, vague=vague2, par=equipe)

    assert (
        nouvelle.vague,
        nouvelle.statut,
        nouvelle.candidature_precedente,
        nouvelle.commune,
        nouvelle.resume,
        nouvelle.apprenants_prevus,
        nouvelle.reference,
    ) == (vague2, S.BROUILLON, non_retenue, non_retenue.commune, non_retenue.resume, 40, "V2-0001")
    assert sorted(nouvelle.financements.values_list("source", "montant")) == [
        ("commune", Decimal("20000.00")),
        ("etat", Decimal("10000.00")),
    ]
    assert (
        nouvelle.history.get().history_change_reason == f"Resoumission de {non_retenue.reference}"
    )


def test_resoumission_copie_les_pieces_sous_de_nouveaux_noms(non_retenue, vague2, equipe, stockage):
    requise1 = f.PieceRequiseFactory(vague=non_retenue.vague, libelle="Budget")
    requise2 = f.PieceRequiseFactory(vague=vague2, libelle="Budget")
    originale = _piece(non_retenue, "budget.pdf", requise=requise1)
    _piece(non_retenue, "refusee.pdf", statut=Piece.Statut.REFUSEE)

    nouvelle = preparer_resoumission(non_retenue, vague=vague2, par=equipe)

    copie = nouvelle.pieces.get()
    assert (copie.nom_original, copie.piece_requise, copie.statut, copie.deposee_par) == (
        "budget.pdf",
        requise2,
        Piece.Statut.RECUE,
        equipe,
    )
    assert copie.fichier.name != originale.fichier.name
    assert (stockage / copie.fichier.name).read_bytes() == PDF
    assert (stockage / originale.fichier.name).read_bytes() == PDF


@pytest.mark.parametrize("statut", [S.RECUE, S.EN_EXAMEN, S.RETENUE, S.RETIREE])
def test_resoumission_refusee_si_pas_non_retenue(statut, non_retenue, vague2, equipe):
    Candidature.objects.filter(pk=non_retenue.pk).update(statut=statut)
    non_retenue.refresh_from_db()

    with pytest.raises(ErreurMetier, match="seule une candidature non retenue"):
        preparer_resoumission(non_retenue, vague=vague2, par=equipe)


def test_resoumission_refusee_dans_une_vague_anterieure_ou_la_meme(non_retenue, equipe):
    with pytest.raises(ErreurMetier, match="postérieure"):
        preparer_resoumission(non_retenue, vague=non_retenue.vague, par=equipe)


def test_resoumission_refusee_dans_une_vague_verrouillee(non_retenue, equipe):
    vague3 = f.VagueFactory(numero=3, statut=Vague.Statut.RESULTATS_PUBLIES)

    with pytest.raises(ErreurMetier, match="n'accepte plus de candidature"):
        preparer_resoumission(non_retenue, vague=vague3, par=equipe)


def test_resoumission_refusee_si_la_ville_est_deja_candidate(non_retenue, vague2, equipe):
    existante = f.CandidatureFactory(vague=vague2, commune=non_retenue.commune)

    with pytest.raises(
        ErreurMetier, match=f"déjà une candidature active dans cette vague \\({existante.reference}"
    ):
        preparer_resoumission(non_retenue, vague=vague2, par=equipe)

    assert Candidature.objects.filter(vague=vague2).count() == 1


def test_vue_resoumettre_cree_le_brouillon_et_redirige(client_de, equipe, non_retenue, vague2):
    reponse = client_de(equipe).post(
        reverse("candidature_resoumettre", args=[non_retenue.pk]), {"vague": vague2.pk}
    )

    nouvelle = Candidature.objects.get(vague=vague2)
    assert (reponse.status_code, reponse["Location"]) == (
        302,
        reverse("candidature_detail", args=[nouvelle.pk]),
    )


def test_vue_resoumettre_refus_avec_message(client_de, equipe, non_retenue, vague2):
    f.CandidatureFactory(vague=vague2, commune=non_retenue.commune)

    reponse = client_de(equipe).post(
        reverse("candidature_resoumettre", args=[non_retenue.pk]), {"vague": vague2.pk}
    )

    assert reponse["Location"] == reverse("candidature_detail", args=[non_retenue.pk])
    assert _messages(reponse)[0].startswith(
        "Aurillac a déjà une candidature active dans cette vague"
    )


def test_vue_resoumettre_404_403_405(client_de, equipe, utilisateur_jure, non_retenue, vague2):
    url = reverse("candidature_resoumettre", args=[non_retenue.pk])

    assert (
        client_de(equipe)
        .post(reverse("candidature_resoumettre", args=[99999]), {"vague": vague2.pk})
        .status_code
        == 404
    )
    assert client_de(utilisateur_jure).post(url, {"vague": vague2.pk}).status_code == 403
    assert client_de(equipe).get(url).status_code == 405
    assert Candidature.objects.filter(vague=vague2).count() == 0


def test_fiche_non_retenue_propose_les_vagues_ulterieures(client_de, equipe, non_retenue, vague2):
    f.VagueFactory(numero=3, statut=Vague.Statut.CLOSE)

    reponse = client_de(equipe).get(reverse("candidature_detail", args=[non_retenue.pk]))

    assert list(reponse.context["resoumission_form"].fields["vague"].queryset) == [vague2]


def test_ce_qui_a_change_champ_par_champ_financement_compris(non_retenue, vague2, equipe):
    nouvelle = preparer_resoumission(non_retenue, vague=vague2, par=equipe)
    nouvelle.resume = "Un espace agrandi, avec un atelier numérique."
    nouvelle.apprenants_prevus = 65
    nouvelle.save()
    LigneFinancement.objects.filter(candidature=nouvelle, source="etat").update(montant=15000)
    LigneFinancement.objects.create(candidature=nouvelle, source="banque_territoires", montant=5000)

    changements = [(c.champ, c.avant, c.apres) for c in changements_depuis_precedente(nouvelle)]

    assert changements == [
        (
            "Résumé du projet",
            "Un espace en centre-ville.",
            "Un espace agrandi, avec un atelier numérique.",
        ),
        ("Apprenants attendus la première année", "40", "65"),
        ("Financement : Banque des territoires", "", "5\u00a0000,00 €"),
        ("Financement : État", "10\u00a0000,00 €", "15\u00a0000,00 €"),
        ("Financement : total", "30\u00a0000,00 €", "40\u00a0000,00 €"),
    ]


def test_ce_qui_a_change_rien_juste_apres_la_resoumission(non_retenue, vague2, equipe):
    _piece(non_retenue, "budget.pdf")

    nouvelle = preparer_resoumission(non_retenue, vague=vague2, par=equipe)

    assert changements_depuis_precedente(nouvelle) == []


def test_fiche_de_la_resoumission_montre_ce_qui_a_change(client_de, equipe, non_retenue, vague2):
    nouvelle = preparer_resoumission(non_retenue, vague=vague2, par=equipe)
    _piece(nouvelle, "plan-des-locaux.pdf")

    reponse = client_de(equipe).get(reverse("candidature_detail", args=[nouvelle.pk]))

    texte = reponse.content.decode()
    assert "Ce qui a changé depuis la candidature précédente" in texte
    assert [(c.champ, c.apres) for c in reponse.context["changements"]] == [
        ("Pièces", "plan-des-locaux.pdf")
    ]
