"""Le banc d'essai de bout en bout : une vraie commande, une base de travail, une vraie charge.

Lancé en sous-processus, comme on le lance à la main, contre la base de test prise pour « la base
en service » : il doit construire ses données ailleurs, mesurer chaque page principale face au
plancher, faire son test de charge sans erreur, et ne rien laisser derrière lui.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from candidatures.models import Candidature
from sites.models import Site

RACINE = Path(__file__).resolve().parents[2]

PAGES = {
    "plancher",
    "classement",
    "seance_du_jury",
    "liste_du_jure",
    "evaluation",
    "liste_candidatures_filtree",
    "tableau_de_bord",
    "liste_sites",
    "classement_csv",
    "classement_recalcule",
    "tableau_de_bord_recalcule",
}

pytestmark = [
    pytest.mark.lent,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="le banc crée ses bases sur PostgreSQL"
    ),
    pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk absent (apt-get install wrk)"),
]


def _bases() -> set[str]:
    with connection.cursor() as curseur:
        curseur.execute("SELECT datname FROM pg_database")
        return {nom for (nom,) in curseur.fetchall()}


@pytest.mark.django_db
def test_benchmark_mesure_les_pages_dans_une_base_de_travail_et_la_supprime():
    reglages = connection.settings_dict
    en_service = reglages["NAME"]
    url = f"postgres://{reglages.get('USER') or 'postgres'}@{reglages.get('HOST') or '127.0.0.1'}:{reglages.get('PORT') or 5432}/{en_service}"
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "true"}
    sortie = subprocess.run(
        [sys.executable, "manage.py", "benchmark", "--factors", "1", "--json"]
        + ["--repetitions", "2", "--charge-facteur", "1", "--charge-duree", "2"]
        + ["--charge-clients", "2"],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert sortie.returncode == 0, sortie.stderr[-3000:]
    resultats = json.loads(sortie.stdout)

    pages = {p["page"]: p for p in resultats["pages"]}
    assert set(pages) == PAGES
    assert pages["plancher"]["floor_ms"] == pages["plancher"]["median_ms"]
    for page in pages.values():
        assert set(page) == {
            "page",
            "factor",
            "median_ms",
            "p95_ms",
            "queries",
            "floor_ms",
            "ratio",
        }
        assert page["factor"] == 1
        assert 0 < page["median_ms"] <= page["p95_ms"]
        assert page["queries"] > 0
        # Le plancher de chaque page est mesuré en alternance avec elle, dans la même exécution.
        assert page["floor_ms"] > 0
        assert page["ratio"] == pytest.approx(page["median_ms"] / page["floor_ms"], abs=0.01)
    # Le tableau de bord compte aussi la requête de ses données (graphiques et carte).
    assert pages["tableau_de_bord"]["queries"] > pages["plancher"]["queries"]
    charge = resultats["load"]
    assert charge["errors"] == 0
    assert charge["rps"] > 0 and charge["p95_ms"] > 0
    commandes = {c["command"] for c in resultats["commands"]}
    assert {"load_territories", "seed_scale", "import 5000 lignes"} <= commandes

    # Rien n'a été écrit dans la base en service, et la base de travail est supprimée.
    assert Candidature.objects.count() == 0 and Site.objects.count() == 0
    assert f"{en_service}_banc_1" not in _bases()
