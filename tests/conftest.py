import os

import pytest

from acv.roles import Role

from . import factories as f

# Playwright (API synchrone) fait tourner une boucle d'évènements dans le fil des tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _classements_oublies():
    """Chaque test part sans les classements gardés par le processus : d'un test à l'autre, la
    base revient en arrière et peut redonner les mêmes identifiants à d'autres données."""
    from candidatures.classement import oublier_les_calculs_gardes

    oublier_les_calculs_gardes()
    yield


@pytest.fixture
def region():
    return f.RegionFactory(code="84", nom="Auvergne-Rhône-Alpes")


@pytest.fixture
def autre_region():
    return f.RegionFactory(code="44", nom="Grand Est")


@pytest.fixture
def equipe(db):
    return f.utilisateur(Role.EQUIPE, username="equipe")


@pytest.fixture
def administrateur(db):
    return f.utilisateur(Role.ADMINISTRATEUR, username="administrateur")


@pytest.fixture
def observateur(db):
    return f.utilisateur(Role.OBSERVATEUR, username="observateur")


@pytest.fixture
def responsable_regional(db, region):
    return f.utilisateur(Role.RESPONSABLE_REGIONAL, username="responsable", region=region)


@pytest.fixture
def manager_autre_region(db, autre_region):
    return f.utilisateur(Role.RESPONSABLE_REGIONAL, username="responsable-ge", region=autre_region)


@pytest.fixture
def utilisateur_jure(db):
    return f.utilisateur(Role.JURE, username="jure")


@pytest.fixture
def client_de(client):
    """client_de(user) : le client de test connecté sous ce compte (force_login, sans axes)."""

    def _client(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return _client


def _vide_la_base(item) -> bool:
    """Un test qui vide la base à la fin (transactionnel) : il doit passer après les autres."""
    from django.test import TestCase, TransactionTestCase

    classe = getattr(item, "cls", None)
    if classe is not None and issubclass(classe, TransactionTestCase):
        return not issubclass(classe, TestCase)
    marqueur = item.get_closest_marker("django_db")
    if marqueur is not None and (
        marqueur.kwargs.get("transaction") or (marqueur.args and marqueur.args[0])
    ):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # pytest-django ne reconnaît comme « base de données » que les tests marqués django_db ; ceux
    # qui l'obtiennent par une fixture (`equipe(db)`…) passaient après les tests transactionnels,
    # qui vident la base et emportent les données des migrations (organisations, objectifs,
    # modèles de courriel). Tri stable : les tests transactionnels en dernier.
    items.sort(key=_vide_la_base)
