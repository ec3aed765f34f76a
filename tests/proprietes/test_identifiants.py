"""Les identifiants hors des entiers de la base, envoyés à des choix multiples : un refus, pas une 500.

Trouvé par les propriétés des formulaires (`test_formulaires.py`) : `jures=9223372036854775808`
envoyé aux présents de la séance levait OverflowError dans SQLite.
"""

import pytest
from django.urls import reverse

from candidatures.models import DemandePieces, Vague
from tests import factories as f

TROP_GRAND = "9223372036854775808"


def _messages(reponse):
    return [(m.level_tag, str(m)) for m in reponse.wsgi_request._messages]


@pytest.mark.parametrize("valeur", [TROP_GRAND, "-1", "1e3", "٣", "1" * 40])
def test_presents_identifiant_impossible_refuse_sans_rien_ecrire(valeur, client_de, equipe):
    vague = f.VagueFactory(numero=5, statut=Vague.Statut.DELIBERATION)
    jure = f.JureFactory(vague=vague)
    vague.jures_presents.set([jure])

    reponse = client_de(equipe).post(
        reverse("deliberation_presents", kwargs={"pk": vague.pk}), {"jures": [valeur]}
    )

    assert reponse.status_code == 302
    assert [niveau for niveau, _ in _messages(reponse)] == ["error"]
    assert list(vague.jures_presents.all()) == [jure]


def test_demande_de_pieces_identifiant_impossible_refusee(client_de, equipe):
    candidature = f.CandidatureFactory(vague=f.VagueFactory(numero=3))
    f.PieceRequiseFactory(vague=candidature.vague)

    reponse = client_de(equipe).post(
        reverse("candidature_demande_creer", kwargs={"pk": candidature.pk}),
        {"objet": "Le budget", "pieces": [TROP_GRAND]},
    )

    assert reponse.status_code == 302
    assert "error" in [niveau for niveau, _ in _messages(reponse)]
    assert DemandePieces.objects.count() == 0
