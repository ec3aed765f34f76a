"""Un jeton CSRF refusé : page en français, JSON pour les envois en JavaScript, jeton neuf."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from acv.roles import Role
from candidatures.models import Candidature, Evaluation, Vague
from tests import factories as f

JSON = {"Accept": "application/json", "X-Requested-With": "fetch"}
MOT_DE_PASSE = "mot-de-passe-de-test"


@pytest.fixture
def navigateur() -> Client:
    """Un client qui vérifie le jeton CSRF, comme un navigateur (le client de test ne le fait pas)."""
    return Client(enforce_csrf_checks=True)


def _jeton_du_formulaire(reponse) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', reponse.text).group(1)


def _jeton_neuf(navigateur: Client) -> str:
    reponse = navigateur.get(reverse("jeton_csrf"), headers=JSON)
    assert reponse.status_code == 200
    return reponse.json()["jeton"]


# ---------------------------------------------------------------------------------------------
# La page d'un envoi refusé
# ---------------------------------------------------------------------------------------------
def test_envoi_sans_jeton_la_page_est_en_francais(navigateur, db):
    reponse = navigateur.post(reverse("login"), {"username": "x", "password": "y"})

    assert reponse.status_code == 403
    assert reponse.templates[0].name == "403_csrf.html"
    texte = reponse.text
    assert '<html lang="fr"' in texte
    assert "Le formulaire a expiré" in texte
    assert "rien n'a été enregistré" in texte
    assert "Rechargez-la" in texte
    assert "Votre saisie est gardée dans ce navigateur" in texte
    assert "CSRF verification failed" not in texte
    assert "Forbidden" not in texte
    assert "no-store" in reponse["Cache-Control"]


def test_la_page_ramene_a_la_page_d_origine_si_elle_est_du_site(navigateur, db):
    origine = "http://testserver/candidatures/jury/evaluations/7/"
    reponse = navigateur.post(reverse("logout"), headers={"Referer": origine})
    assert reponse.status_code == 403
    assert f'href="{origine}"' in reponse.text

    ailleurs = navigateur.post(reverse("logout"), headers={"Referer": "https://exemple.org/piege"})
    assert ailleurs.status_code == 403
    assert "exemple.org" not in ailleurs.text


def test_jeton_perime_la_page_aussi(navigateur, db):
    navigateur.force_login(f.utilisateur(Role.EQUIPE))
    _jeton_neuf(navigateur)  # pose le cookie
    reponse = navigateur.post(reverse("logout"), {"csrfmiddlewaretoken": "x" * 64})

    assert reponse.status_code == 403
    assert "Le formulaire a expiré" in reponse.text
    assert "CSRF" not in reponse.text


# ---------------------------------------------------------------------------------------------
# Un envoi fait en JavaScript
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "entetes",
    [JSON, {"Accept": "application/json"}, {"X-Requested-With": "XMLHttpRequest"}],
    ids=["fetch d'evaluation.js", "Accept seul", "X-Requested-With seul"],
)
def test_envoi_en_javascript_sans_jeton_reponse_json(navigateur, db, entetes):
    reponse = navigateur.post(reverse("logout"), headers=entetes)

    assert reponse.status_code == 403
    assert reponse["Content-Type"] == "application/json"
    donnees = reponse.json()
    assert donnees["jeton"] is True
    assert donnees["adresse_jeton"] == reverse("jeton_csrf")
    assert donnees["erreur"].startswith("Le formulaire a expiré")
    assert "no-store" in reponse["Cache-Control"]


# ---------------------------------------------------------------------------------------------
# Le jeton neuf
# ---------------------------------------------------------------------------------------------
def test_jeton_neuf_reserve_aux_comptes_connectes(navigateur, db):
    reponse = navigateur.get(reverse("jeton_csrf"), headers=JSON)
    assert reponse.status_code == 302
    assert reponse["Location"].startswith(reverse("login"))


def test_jeton_neuf_jamais_en_cache_et_valable_pour_un_envoi(navigateur, db):
    navigateur.force_login(f.utilisateur(Role.OBSERVATEUR))

    reponse = navigateur.get(reverse("jeton_csrf"), headers=JSON)
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    jeton = reponse.json()["jeton"]
    assert len(jeton) == 64

    # Refusé sans le jeton, accepté avec.
    assert navigateur.post(reverse("logout")).status_code == 403
    deconnexion = navigateur.post(reverse("logout"), {"csrfmiddlewaretoken": jeton})
    assert deconnexion.status_code == 302
    assert deconnexion["Location"] == reverse("login")


def test_brouillon_apres_reconnexion_dans_un_autre_onglet(navigateur, db):
    """Le scénario d'evaluation.js : la page ouverte garde son jeton, une nouvelle connexion le
    renouvelle ; l'envoi du brouillon est refusé en JSON, le jeton neuf le fait passer."""
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.EXAMEN_JURY)
    critere = f.CritereFactory(vague=vague, libelle="Besoins", ordre=1)
    jure = f.JureFactory(vague=vague, utilisateur=f.utilisateur(Role.JURE, username="jure-csrf"))
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.EN_EXAMEN)
    affectation = f.AffectationFactory(jure=jure, candidature=candidature)
    page = reverse("jury_evaluer", args=[affectation.pk])
    brouillon = reverse("jury_evaluation_autosave", args=[affectation.pk])

    navigateur.force_login(jure.utilisateur)
    jeton_de_la_page = _jeton_du_formulaire(navigateur.get(page))
    saisie = {f"critere_{critere.pk}": "3", "avis": "", "commentaire": "Premier jet."}
    premier = navigateur.post(
        brouillon, {**saisie, "version": 0, "csrfmiddlewaretoken": jeton_de_la_page}, headers=JSON
    )
    assert premier.json()["ok"] is True

    # La session se perd ; nouvelle connexion (dans un autre onglet) : nouveau jeton.
    del navigateur.cookies[settings.SESSION_COOKIE_NAME]
    jeton_connexion = _jeton_du_formulaire(navigateur.get(reverse("login")))
    connexion = navigateur.post(
        reverse("login"),
        {"username": "jure-csrf", "password": MOT_DE_PASSE, "csrfmiddlewaretoken": jeton_connexion},
    )
    assert connexion.status_code == 302

    # La page restée ouverte envoie son brouillon avec l'ancien jeton : refus en JSON.
    saisie["commentaire"] = "Après la reconnexion."
    refus = navigateur.post(
        brouillon, {**saisie, "version": 1, "csrfmiddlewaretoken": jeton_de_la_page}, headers=JSON
    )
    assert refus.status_code == 403
    assert refus.json()["jeton"] is True

    # Jeton neuf, nouvel essai : enregistré.
    essai = navigateur.post(
        brouillon,
        {**saisie, "version": 1, "csrfmiddlewaretoken": _jeton_neuf(navigateur)},
        headers=JSON,
    )
    assert essai.status_code == 200
    assert essai.json()["version"] == 2
    assert Evaluation.objects.get(affectation=affectation).commentaire == "Après la reconnexion."
