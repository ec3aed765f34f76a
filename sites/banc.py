"""Le banc d'essai : temps serveur et requêtes SQL des pages principales, à plusieurs échelles.

Chaque facteur a sa base de travail (jamais la base en service) : migrée, référentiel chargé,
`seed_scale` appliqué. Les pages sont demandées par le client de test de Django, donc à travers
toute la pile de middleware, connecté sous le bon rôle, requêtes marquées sécurisées comme derrière
le proxy de production. Le « plancher » (voir `sites/urls_benchmark.py`) sert d'étalon.
"""

from __future__ import annotations

import csv
import gc
import http.client
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from acv.models import Commune
from acv.roles import Role
from candidatures.models import Affectation, Vague

from . import echelle, programme

RACINE = Path(settings.BASE_DIR)
ENTETES = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_HOST": "127.0.0.1"}


@dataclass
class Page:
    nom: str
    url: str
    role: str
    complements: list[str] = field(default_factory=list)  # les données que la page charge
    # Appelé avant chaque mesure (hors chronomètre) : pour mesurer la page quand ses données ont
    # changé depuis le dernier affichage (calculs gardés oubliés).
    avant_chaque: Callable[[], None] | None = None


@dataclass
class Mesure:
    page: str
    factor: int
    median_ms: float
    p95_ms: float
    queries: int
    floor_ms: float = 0.0
    ratio: float = 0.0


# ---------------------------------------------------------------------------------------------
# Bases de travail
# ---------------------------------------------------------------------------------------------
class BaseDeTravail:
    """Crée une base neuve pour un facteur et y bascule la connexion ; la base en service est gardée."""

    def __init__(self, facteur: int) -> None:
        self.facteur = facteur
        self.reglages = connections["default"].settings_dict
        self.nom_en_service = self.reglages["NAME"]
        self.postgres = self.reglages["ENGINE"].endswith("postgresql")
        if self.postgres:
            self.nom = f"{self.nom_en_service}_banc_{facteur}"
        else:
            self.nom = str(Path(tempfile.gettempdir()) / f"acv_banc_{facteur}.sqlite3")
        if self.nom == self.nom_en_service:
            raise RuntimeError("La base de travail ne peut pas être la base en service.")

    def _admin(self, sql: str) -> None:
        import psycopg

        r = self.reglages
        with psycopg.connect(
            host=r.get("HOST") or None,
            port=r.get("PORT") or None,
            user=r.get("USER") or None,
            password=r.get("PASSWORD") or None,
            dbname="postgres",
            autocommit=True,
        ) as c:
            c.execute(sql)

    def creer(self) -> None:
        connections["default"].close()
        if self.postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{self.nom}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{self.nom}"')
        else:
            Path(self.nom).unlink(missing_ok=True)
        self.reglages["NAME"] = self.nom

    def url(self) -> str:
        r = self.reglages
        if not self.postgres:
            return f"sqlite:///{self.nom}"
        auth = r.get("USER") or "postgres"
        if r.get("PASSWORD"):
            auth += ":" + r["PASSWORD"]
        return (
            f"postgres://{auth}@{r.get('HOST') or '127.0.0.1'}:{r.get('PORT') or 5432}/{self.nom}"
        )

    def revenir(self, supprimer: bool = True) -> None:
        connections["default"].close()
        self.reglages["NAME"] = self.nom_en_service
        if supprimer:
            if self.postgres:
                self._admin(f'DROP DATABASE IF EXISTS "{self.nom}" WITH (FORCE)')
            else:
                Path(self.nom).unlink(missing_ok=True)


def _chrono(fonction, *args, **kwargs) -> float:
    debut = time.perf_counter()
    fonction(*args, **kwargs)
    return time.perf_counter() - debut


# ---------------------------------------------------------------------------------------------
# Les pages
# ---------------------------------------------------------------------------------------------
def plus_grande_vague() -> Vague:
    return Vague.objects.annotate(n=Count("candidatures")).order_by("-n", "pk").first()


def comptes_du_banc() -> dict[str, User]:
    from django.contrib.auth.models import Group

    equipe, _ = User.objects.get_or_create(username="banc-equipe", defaults={"first_name": "Banc"})
    equipe.groups.add(Group.objects.get(name=Role.EQUIPE.label))
    vague = plus_grande_vague()
    jure = (
        Affectation.objects.filter(candidature__vague=vague)
        .values("jure__utilisateur")
        .annotate(n=Count("pk"))
        .order_by("-n", "jure__utilisateur")
        .first()
    )
    return {"equipe": equipe, "jure": User.objects.get(pk=jure["jure__utilisateur"])}


def _classements_oublies() -> None:
    """Le classement à recalculer : ni dans le cache partagé, ni gardé par le processus."""
    from candidatures.classement import oublier_les_calculs_gardes

    cache.clear()
    oublier_les_calculs_gardes()


def pages_principales(comptes: dict[str, User]) -> list[Page]:
    vague = plus_grande_vague()
    affectation = (
        Affectation.objects.filter(candidature__vague=vague, jure__utilisateur=comptes["jure"])
        .order_by("pk")
        .first()
    )
    return [
        Page("classement", reverse("classement", kwargs={"pk": vague.pk}), "equipe"),
        Page("seance_du_jury", reverse("deliberation_seance", kwargs={"pk": vague.pk}), "equipe"),
        Page("liste_du_jure", reverse("jury_mes_evaluations"), "jure"),
        Page("evaluation", reverse("jury_evaluer", kwargs={"pk": affectation.pk}), "jure"),
        Page(
            "liste_candidatures_filtree",
            reverse("candidature_liste") + f"?vague={vague.pk}&statut=en_examen&tri=commune",
            "equipe",
        ),
        Page(
            "tableau_de_bord",
            reverse("tableau_de_bord"),
            "equipe",
            complements=[reverse("tableau_de_bord_donnees")],
        ),
        Page("liste_sites", reverse("site_liste"), "equipe"),
        Page(
            "classement_csv",
            reverse("classement_export", kwargs={"pk": vague.pk}) + "?format=csv",
            "equipe",
        ),
        # Les mêmes quand leurs données ont changé depuis le dernier affichage : le classement
        # recalculé (cache vidé), le tableau de bord recalculé (derniers calculs oubliés).
        Page(
            "classement_recalcule",
            reverse("classement", kwargs={"pk": vague.pk}),
            "equipe",
            avant_chaque=_classements_oublies,
        ),
        Page(
            "tableau_de_bord_recalcule",
            reverse("tableau_de_bord"),
            "equipe",
            complements=[reverse("tableau_de_bord_donnees")],
            avant_chaque=programme.oublier_les_calculs_gardes,
        ),
    ]


def _obtenir(client: Client, url: str) -> int:
    reponse = client.get(url, **ENTETES)
    if reponse.status_code != 200:
        raise RuntimeError(f"{url} a répondu {reponse.status_code}")
    if reponse.streaming:
        for _ in reponse.streaming_content:
            pass
    else:
        _ = reponse.content
    return reponse.status_code


def _percentile_95(durees: list[float]) -> float:
    durees = sorted(durees)
    return durees[min(len(durees) - 1, round(0.95 * (len(durees) - 1)))]


def mesurer(
    client: Client,
    page: Page,
    repetitions: int,
    plancher: tuple[Client, Page] | None = None,
) -> tuple[float, float, int, float | None]:
    """Médiane et 95e centile (ms) du temps serveur, nombre de requêtes SQL de la page, et médiane
    du plancher mesuré en alternance avec elle (None sans plancher).

    Le plancher est demandé juste avant chaque mesure de la page : une machine virtuelle a des
    passages lents de quelques secondes, qui tomberaient sinon sur la page ou sur le plancher
    seulement et fausseraient leur rapport.
    """
    for _ in range(2):  # échauffement : caches de gabarits, connexion
        for url in [page.url, *page.complements]:
            _obtenir(client, url)
    durees, durees_plancher, requetes = [], [], 0
    for _ in range(repetitions):
        if plancher is not None:
            debut = time.perf_counter()
            _obtenir(plancher[0], plancher[1].url)
            durees_plancher.append((time.perf_counter() - debut) * 1000)
        if page.avant_chaque is not None:
            page.avant_chaque()
        with CaptureQueriesContext(connection) as capture:
            debut = time.perf_counter()
            for url in [page.url, *page.complements]:
                _obtenir(client, url)
            durees.append((time.perf_counter() - debut) * 1000)
        requetes = len(capture.captured_queries)
    median_plancher = statistics.median(durees_plancher) if durees_plancher else None
    return statistics.median(durees), _percentile_95(durees), requetes, median_plancher


def fichier_import(nombre: int = 5000) -> bytes:
    """Un fichier CSV de `nombre` candidatures valides (communes hors programme, une par ville)."""
    from candidatures.imports import COLONNES_MODELE, ligne_exemple

    noms = [c.nom for c in COLONNES_MODELE]
    exemple = dict(zip(noms, ligne_exemple(), strict=True))
    codes = list(
        Commune.objects.filter(ville_acv__isnull=True)
        .order_by("code_insee")
        .values_list("code_insee", flat=True)[:nombre]
    )
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(noms)
    for code in codes:
        ecrivain.writerow(
            [
                {
                    **exemple,
                    "code_insee": code,
                    "commune": "",
                    "departement": "",
                    "porteur": "commune",
                }[n]
                for n in noms
            ]
        )
    return ("\ufeff" + sortie.getvalue()).encode("utf-8")


def chronometrer_import() -> float:
    from candidatures.imports import importer_fichier

    vague = Vague.objects.create(numero=999, nom="Banc — import", statut=Vague.Statut.APPEL_OUVERT)
    contenu = fichier_import()
    par = User.objects.get(username="banc-equipe")
    debut = time.perf_counter()
    analyse, bilan = importer_fichier(contenu, "banc.csv", vague, par=par)
    duree = time.perf_counter() - debut
    if bilan is None:
        raise RuntimeError("L'import de 5 000 lignes a été refusé : " + str(analyse)[:500])
    return duree


# ---------------------------------------------------------------------------------------------
# Le test de charge (gunicorn + wrk, sur la boucle locale)
# ---------------------------------------------------------------------------------------------
LUA = """
local cibles = {%s}
local i = 0
request = function()
  i = i %% #cibles + 1
  local c = cibles[i]
  return wrk.format("GET", c[1], {["Cookie"] = "__Host-sessionid=" .. c[2], ["X-Forwarded-Proto"] = "https", ["Host"] = "127.0.0.1"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULTAT {"requetes": %%d, "duree_us": %%d, "erreurs": %%d, "p95_us": %%d, "p50_us": %%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(95), latency:percentile(50)))
end
"""


def _session_pour(user: User) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_de_charge(
    base: BaseDeTravail, pages: list[Page], comptes: dict[str, User], *, duree: int, clients: int
) -> dict:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk est introuvable : sudo apt-get install wrk")
    sessions = {role: _session_pour(user) for role, user in comptes.items()}
    cibles = []
    for page in pages:
        for url in [page.url, *page.complements]:
            cibles.append(f'{{"{url}", "{sessions[page.role]}"}}')
    port = _port_libre()
    env = {
        **os.environ,
        "DATABASE_URL": base.url(),
        # La clé du banc : les sessions ouvertes ici sont signées avec elle.
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
        "SECURE": "true",  # comme en production : cookie de session « __Host-sessionid »
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_SETTINGS_MODULE": "acv.settings",
    }
    journal_serveur = tempfile.TemporaryFile()
    serveur = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "acv.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--no-control-socket",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        cwd=RACINE,
        env=env,
        stdout=subprocess.DEVNULL,
        # Un fichier, pas un tube : un tube plein (journaux) bloquerait les workers.
        stderr=journal_serveur,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        # Chaque adresse répond 200 avant la charge, sans suivre de redirection : une
        # redirection vers la connexion compterait comme un succès pour wrk.
        for page in pages:
            for url in [page.url, *page.complements]:
                connexion = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connexion.request(
                    "GET",
                    url,
                    headers={
                        "Cookie": f"__Host-sessionid={sessions[page.role]}",
                        "X-Forwarded-Proto": "https",
                    },
                )
                statut = connexion.getresponse().status
                connexion.close()
                if statut != 200:
                    raise RuntimeError(f"{url} : {statut} sous gunicorn")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(LUA % ", ".join(cibles))
        sortie = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(clients),
                "-d",
                f"{duree}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                f"http://127.0.0.1:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=duree + 60,
        ).stdout
        Path(script.name).unlink(missing_ok=True)
    finally:
        serveur.terminate()
        try:
            serveur.wait(timeout=15)
        except subprocess.TimeoutExpired:
            serveur.kill()
            serveur.wait(timeout=15)
    ligne = next(ligne for ligne in sortie.splitlines() if ligne.startswith("RESULTAT "))
    resultat = json.loads(ligne.removeprefix("RESULTAT "))
    return {
        "rps": round(resultat["requetes"] / (resultat["duree_us"] / 1e6), 1),
        "errors": resultat["erreurs"],
        "p95_ms": round(resultat["p95_us"] / 1000, 1),
        "p50_ms": round(resultat["p50_us"] / 1000, 1),
        "requests": resultat["requetes"],
        "duration_s": duree,
        "clients": clients,
        "pages": sorted({p.nom for p in pages}),
    }


# ---------------------------------------------------------------------------------------------
# L'ensemble
# ---------------------------------------------------------------------------------------------
def executer(
    facteurs: list[int],
    *,
    repetitions: int = 30,
    charge_facteur: int | None = 10,
    charge_duree: int = 20,
    charge_clients: int = 8,
    charge_pages: tuple[str, ...] = ("liste_du_jure", "tableau_de_bord"),
    journal=print,
) -> dict:
    resultats: dict = {"pages": [], "load": {}, "commands": []}
    for facteur in facteurs:
        base = BaseDeTravail(facteur)
        base.creer()
        try:
            journal(f"×{facteur} : base de travail {base.nom}")
            call_command("migrate", verbosity=0)
            call_command("createcachetable", verbosity=0)
            resultats["commands"].append(
                {
                    "command": "load_territories",
                    "factor": facteur,
                    "seconds": round(
                        _chrono(call_command, "load_territories", stdout=io.StringIO()), 2
                    ),
                }
            )
            resultats["commands"].append(
                {
                    "command": "seed_scale",
                    "factor": facteur,
                    "seconds": round(_chrono(echelle.generer, facteur), 2),
                }
            )
            comptes = comptes_du_banc()
            pages = pages_principales(comptes)
            clients = {}
            for role, user in comptes.items():
                clients[role] = Client()
                clients[role].force_login(user)
            # Comme un worker de gunicorn (voir gunicorn.conf.py) : ce qui existe avant la première
            # requête est gelé pour le ramasse-miettes, dont les passages complets ne parcourent
            # plus que ce que les requêtes créent.
            gc.collect()
            gc.freeze()
            # DEBUG coupé comme en production, même lancé avec DEBUG=true : le moteur de gabarits
            # en mode débogage, plus lent, fausserait les temps.
            with override_settings(
                ROOT_URLCONF="sites.urls_benchmark", SECURE_SSL_REDIRECT=False, DEBUG=False
            ):
                plancher = Page(
                    "plancher",
                    reverse("banc_plancher", kwargs={"vague_pk": plus_grande_vague().pk}),
                    "equipe",
                )
                plancher_ms, plancher_p95, plancher_req, _ = mesurer(
                    clients["equipe"], plancher, repetitions
                )
                resultats["pages"].append(
                    asdict(
                        Mesure(
                            "plancher",
                            facteur,
                            round(plancher_ms, 2),
                            round(plancher_p95, 2),
                            plancher_req,
                            round(plancher_ms, 2),
                            1.0,
                        )
                    )
                )
                journal(f"  {'plancher':28} {plancher_ms:8.1f} ms  p95 {plancher_p95:8.1f} ms")
                for page in pages:
                    median, p95, requetes, plancher_page = mesurer(
                        clients[page.role], page, repetitions, (clients["equipe"], plancher)
                    )
                    mesure = Mesure(
                        page.nom,
                        facteur,
                        round(median, 2),
                        round(p95, 2),
                        requetes,
                        round(plancher_page, 2),
                        round(median / plancher_page, 2),
                    )
                    resultats["pages"].append(asdict(mesure))
                    journal(
                        f"  {page.nom:28} {median:8.1f} ms  p95 {p95:8.1f} ms  {requetes:3d} requêtes"
                        f"  plancher {plancher_page:6.1f} ms  ×{median / plancher_page:.2f}"
                    )
            if facteur == max(facteurs):
                resultats["commands"].append(
                    {
                        "command": "import 5000 lignes",
                        "factor": facteur,
                        "seconds": round(chronometrer_import(), 2),
                    }
                )
            if charge_facteur == facteur:
                journal(f"  test de charge : {charge_clients} clients, {charge_duree} s")
                choisies = [p for p in pages if p.nom in charge_pages]
                resultats["load"] = test_de_charge(
                    base, choisies, comptes, duree=charge_duree, clients=charge_clients
                )
        finally:
            gc.unfreeze()
            base.revenir()
    return resultats


def tableau(resultats: dict) -> str:
    lignes = [
        "| page | ×N | médiane (ms) | p95 (ms) | requêtes | plancher (ms) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in resultats["pages"]:
        lignes.append(
            f"| {m['page']} | {m['factor']} | {m['median_ms']:.1f} | {m['p95_ms']:.1f} | {m['queries']} | {m['floor_ms']:.1f} | {m['ratio']:.2f} |"
        )
    lignes.append("")
    lignes.append("| commande | ×N | durée (s) |")
    lignes.append("|---|---:|---:|")
    for c in resultats["commands"]:
        lignes.append(f"| {c['command']} | {c['factor']} | {c['seconds']:.2f} |")
    if resultats["load"]:
        charge = resultats["load"]
        lignes.append("")
        lignes.append(
            f"Charge ({', '.join(charge['pages'])}) : {charge['clients']} clients, {charge['duration_s']} s — "
            f"{charge['rps']} requêtes/s, p95 {charge['p95_ms']} ms, {charge['errors']} erreur(s) sur {charge['requests']} requêtes."
        )
    return "\n".join(lignes)
