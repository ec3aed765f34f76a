"""Les réglages de gunicorn : l'application chargée une fois, gelée pour le ramasse-miettes."""

import gc
import runpy
from pathlib import Path

from django.conf import settings
from django.db import connections

REGLAGES = Path(settings.BASE_DIR) / "gunicorn.conf.py"


def test_application_prechargee_et_gelee_avant_chaque_worker(monkeypatch):
    reglages = runpy.run_path(str(REGLAGES))
    assert reglages["preload_app"] is True

    fermetures = []
    monkeypatch.setattr(connections, "close_all", lambda: fermetures.append(True))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        reglages["pre_fork"](server=None, worker=None)
        # les objets déjà créés ne sont plus parcourus par le ramasse-miettes
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
    # aucune connexion ouverte par le maître ne passe au worker
    assert fermetures == [True]
