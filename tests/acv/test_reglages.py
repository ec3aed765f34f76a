"""Les réglages de production refusent de démarrer sans ce qui leur est indispensable."""

import os
import re
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parents[2]


def _demarrer(**variables) -> subprocess.CompletedProcess:
    """`check --deploy` avec les réglages de la production et seulement `variables`.

    Les variables vides l'emportent sur un fichier .env local (les variables du système passent
    avant lui) : un poste de développeur avec DEBUG=true dans son .env ne fausse pas le test.
    """
    env = {k: v for k, v in os.environ.items() if k != "SECURE"}
    env.update({"SECRET_KEY": "", "DEBUG": "false", "DATABASE_URL": ""}, **variables)
    env["DJANGO_SETTINGS_MODULE"] = "acv.settings"
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=RACINE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_sans_secret_key_la_production_refuse_de_demarrer():
    resultat = _demarrer(DATABASE_URL="sqlite:////tmp/inutile.sqlite3")

    assert resultat.returncode != 0
    assert "SECRET_KEY est obligatoire" in resultat.stderr


def test_sans_database_url_la_production_refuse_de_demarrer():
    resultat = _demarrer(SECRET_KEY="k" * 60)

    assert resultat.returncode != 0
    assert "DATABASE_URL est obligatoire" in resultat.stderr


def test_check_deploy_ne_laisse_que_w021():
    resultat = _demarrer(
        SECRET_KEY="une-cle-de-production-tres-longue-et-aleatoire-9f8e7d6c5b4a3928171615",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/acv",
        ALLOWED_HOSTS="acv.example.org",
    )

    avertissements = sorted(set(re.findall(r"security\.W\d+", resultat.stdout + resultat.stderr)))
    assert avertissements == ["security.W021"], resultat.stderr


def test_demo_locale_sur_sqlite_sans_variable():
    resultat = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='acv.settings';django.setup();"
            "from django.conf import settings;print(settings.DATABASES['default']['ENGINE'])",
        ],
        cwd=RACINE,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL")},
            "DEBUG": "true",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert resultat.stdout.strip() == "django.db.backends.sqlite3", resultat.stderr
