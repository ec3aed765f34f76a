# Les deux commandes du README : `make run` (démo locale sur SQLite) et `make test` (toute la suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO := DEBUG=true
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
PORT ?= 8000

.PHONY: install run test test-rapide lint

install: $(VENV)/.installe

$(VENV)/.installe: pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 ou plus est requis"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { echo "Installez d'abord python3-venv (sudo apt install python3-venv)"; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(VENV)/bin/uv sync --frozen --python $(PY)
	@touch $@

run: install
	$(DEMO) $(PY) manage.py migrate --noinput
	$(DEMO) $(PY) manage.py createcachetable
	$(DEMO) $(PY) manage.py load_territories
	$(DEMO) $(PY) manage.py seed_demo
	@echo ""
	@echo "  Application : http://127.0.0.1:$(PORT)/"
	@echo "  Comptes de démonstration (mot de passe : demo-acv-2019) :"
	@echo "    equipe (équipe du programme), jure (membre du jury), region (responsable régional Grand Est),"
	@echo "    observateur (observateur), admin (administrateur)"
	@echo ""
	$(DEMO) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) -m pytest

# La partie rapide de la suite (ni navigateur ni gros volumes), utilisée par la CI sur SQLite.
test-rapide: install
	$(PY) -m pytest -m "not e2e and not lent"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
