"""La démo des sites : des stades variés, idempotente."""

from io import StringIO

from candidatures.models import Candidature
from sites.demo import sites
from sites.models import CentreRegional, Jalon, Site

from .. import factories as f


def test_demo_sans_candidature_retenue_ne_cree_rien_et_le_dit(db):
    sortie = StringIO()

    sites(stdout=sortie)

    assert Site.objects.count() == 0
    assert "aucune candidature retenue en vague 1" in sortie.getvalue()


def test_demo_sites_varies_et_idempotente(db):
    vague = f.VagueFactory(numero=1)
    for i in range(30):
        f.CandidatureFactory(
            vague=vague,
            commune=f.CommuneFactory(code_insee=f"15{800 + i}"),
            statut=Candidature.Statut.RETENUE,
        )
    f.utilisateur("equipe", username="equipe")

    sites()
    premier = sorted(Site.objects.values_list("candidature__reference", "statut", "date_ouverture"))
    sites()

    assert (
        sorted(Site.objects.values_list("candidature__reference", "statut", "date_ouverture"))
        == premier
    )
    statuts = {s for _, s, _ in premier}
    assert {"ouvert", "en_preparation"} <= statuts
    ouverts = Site.objects.filter(statut="ouvert")
    assert all(2020 <= s.date_ouverture.year <= 2022 for s in ouverts)
    assert Jalon.objects.en_retard().exists()
    assert list(CentreRegional.objects.values_list("nom", flat=True)) == [
        "Cnam Auvergne-Rhône-Alpes"
    ]
    assert all(s.formations.exists() and s.inscriptions.exists() for s in ouverts)
