"""axe-core (WCAG 2.1 A et AA) sur chaque page principale, sous le rôle qui s'en sert : aucune
violation d'impact « serious » ou « critical ». Un test par rôle ; toutes les pages en faute
sont listées d'un coup."""

import pytest
from django.urls import reverse

from acv.roles import Role
from tests import factories as f

from .jeux import auvergne, monde_complet

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def monde():
    return monde_complet()


def _passer(parcours, adresses: list[str]) -> dict:
    fautes = {}
    for adresse in adresses:
        reponse = parcours.aller(adresse)
        assert reponse.status == 200, adresse
        violations = parcours.violations_axe()
        if violations:
            fautes[adresse] = violations
    return fautes


def test_pages_de_l_equipe_accessibles(parcours, monde):
    vague, vague2 = monde["vague"].pk, monde["vague2"].pk
    adresses = [
        reverse("accueil"),
        reverse("vague_liste"),
        reverse("vague_detail", args=[vague]),
        reverse("candidature_liste"),
        reverse("candidature_detail", args=[monde["candidature"].pk]),
        reverse("candidature_import"),
        reverse("jury_vague", args=[vague2]),
        reverse("jury_avancement", args=[vague]),
        reverse("jury_avancement", args=[vague2]),
        reverse("classement", args=[vague]),
        reverse("deliberation_seance", args=[vague]),
        reverse("deliberation_pv", args=[vague]),
        reverse("lettres_vague", args=[vague]),
        reverse("lettre_apercu", args=[monde["lettre"].pk]),
        reverse("villes_retenues", args=[vague]),
        reverse("accompagnement_liste"),
        reverse("accompagnement_detail", args=[monde["accompagnement"].pk]),
        reverse("site_liste"),
        reverse("site_detail", args=[monde["site"].pk]),
        reverse("site_modifier", args=[monde["site"].pk]),
        reverse("site_jalons", args=[monde["site"].pk]),
        reverse("tableau_de_bord"),
        reverse("objectif_liste"),
        reverse("accessibilite"),
    ]
    parcours.connecter("equipe")

    assert _passer(parcours, adresses) == {}
    assert parcours.erreurs_console == []


def test_pages_du_jure_accessibles(parcours, monde):
    adresses = [
        reverse("accueil"),
        reverse("jury_mes_evaluations"),
        reverse("jury_evaluer", args=[monde["affectation"].pk]),
        reverse("jury_conflits", args=[monde["vague2"].pk]),
    ]
    parcours.connecter(monde["jure"].username)

    assert _passer(parcours, adresses) == {}
    assert parcours.erreurs_console == []


def test_pages_du_responsable_regional_et_de_l_observateur_accessibles(parcours, monde):
    f.utilisateur(Role.RESPONSABLE_REGIONAL, username="resp-ara", region=auvergne())
    f.utilisateur(Role.OBSERVATEUR, username="observateur")
    adresses = [
        reverse("accueil"),
        reverse("site_liste"),
        reverse("site_detail", args=[monde["site"].pk]),
        reverse("tableau_de_bord"),
        reverse("objectif_liste"),
    ]
    fautes = {}
    for compte in ["resp-ara", "observateur"]:
        parcours.page.context.clear_cookies()
        parcours.connecter(compte)
        fautes |= {f"{compte} {a}": v for a, v in _passer(parcours, adresses).items()}

    assert fautes == {}
    assert parcours.erreurs_console == []
