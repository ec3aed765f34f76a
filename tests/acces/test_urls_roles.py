"""Chaque adresse de l'application, contre chaque rôle : jamais une erreur 500.

Les tables `table_*.py` de ce dossier disent, par adresse nommée, la réponse attendue pour chaque
rôle ; une adresse sans ligne fait échouer `test_chaque_adresse_a_sa_ligne`.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from . import __path__ as dossier
from .monde import ROLES, construire_monde
from .table import CONNEXION


def _tables() -> dict:
    lignes = {}
    for module in pkgutil.iter_modules(dossier):
        if module.name.startswith("table_"):
            for nom, cas in importlib.import_module(f"{__package__}.{module.name}").LIGNES.items():
                assert nom not in lignes, f"{nom} apparaît dans deux tables"
                lignes[nom] = cas
    return lignes


TABLE = _tables()


def _noms_des_adresses(resolver: URLResolver | None = None, espace: str = "") -> set[str]:
    noms = set()
    for motif in (resolver or get_resolver()).url_patterns:
        if isinstance(motif, URLResolver):
            sous_espace = f"{espace}{motif.namespace}:" if motif.namespace else espace
            if motif.namespace == "admin":
                noms.add("admin:index")  # l'administration de Django : voir table_acv
                continue
            noms |= _noms_des_adresses(motif, sous_espace)
        elif isinstance(motif, URLPattern):
            assert motif.name, f"adresse sans nom : {motif.pattern}"
            noms.add(espace + motif.name)
    return noms


def test_chaque_adresse_a_sa_ligne():
    assert sorted(_noms_des_adresses() - set(TABLE)) == []
    assert sorted(set(TABLE) - _noms_des_adresses()) == []


@pytest.mark.parametrize("url_name", sorted(TABLE))
def test_acces_par_role(url_name, client, db):
    monde = construire_monde()
    ecarts = []
    for cas in TABLE[url_name]:
        for role in ROLES:
            client.logout()
            user = monde.utilisateurs[role]
            if user is not None:
                client.force_login(user)
            url = reverse(url_name, kwargs=cas.kwargs(monde))
            if cas.query:
                url += "?" + cas.query
            reponse = getattr(client, cas.methode)(url, cas.donnees(monde))
            attendu = cas.attendu[role]
            if attendu == CONNEXION:
                obtenu_ok = reponse.status_code == 302 and reponse["Location"].startswith(
                    reverse("login")
                )
            else:
                obtenu_ok = reponse.status_code == attendu
            if not obtenu_ok:
                ecarts.append(
                    f"{cas.nom or cas.methode} {url} [{role}] : attendu {attendu}, obtenu {reponse.status_code}"
                )
    assert ecarts == []
