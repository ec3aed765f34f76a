"""Expiration des sessions après inactivité : l'horloge est simulée en vieillissant la session."""

import html
import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acv.middleware import CLE_ACTIVITE, RENOUVELLEMENT_SECONDES
from acv.roles import Role
from tests import factories as f

DEUX_HEURES = 2 * 60 * 60


def _vieillir(client, secondes: float) -> None:
    """Fait comme si la dernière activité enregistrée datait de `secondes` secondes."""
    session = client.session
    session[CLE_ACTIVITE] = time.time() - secondes
    session.save()


def _ecritures_de_session(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as requetes:
        client.get(url)
    return [
        q["sql"]
        for q in requetes.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_session_active_reste_ouverte_juste_avant_deux_heures(client, db):
    client.force_login(f.utilisateur(Role.EQUIPE))
    _vieillir(client, DEUX_HEURES - 60)

    reponse = client.get(reverse("accueil"))

    assert reponse.status_code == 200


def test_session_inactive_depuis_plus_de_deux_heures_renvoie_a_la_connexion(client, db):
    client.force_login(f.utilisateur(Role.EQUIPE))
    _vieillir(client, DEUX_HEURES + 60)

    reponse = client.get(reverse("accueil"), follow=True)

    assert reponse.redirect_chain == [(f"{reverse('login')}?next=/", 302)]
    assert "Votre session a expiré après 2 heures d'inactivité" in html.unescape(
        reponse.content.decode()
    )
    assert reponse.context["user"].is_authenticated is False


def test_session_expiree_ne_peut_plus_servir_apres_le_message(client, db):
    client.force_login(f.utilisateur(Role.EQUIPE))
    _vieillir(client, DEUX_HEURES + 60)
    client.get(reverse("accueil"))

    reponse = client.get(reverse("accueil"))

    assert (reponse.status_code, reponse["Location"]) == (302, f"{reverse('login')}?next=/")


def test_session_disparue_de_la_base_donne_le_meme_message(client, db):
    client.force_login(f.utilisateur(Role.JURE))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    reponse = client.get(reverse("accueil"), follow=True)

    assert reponse.redirect_chain == [(f"{reverse('login')}?next=/", 302)]
    assert "Votre session a expiré après 2 heures d'inactivité" in html.unescape(
        reponse.content.decode()
    )


def test_requete_htmx_sur_session_expiree_demande_une_page_entiere(client, db):
    client.force_login(f.utilisateur(Role.EQUIPE))
    _vieillir(client, DEUX_HEURES + 60)

    reponse = client.get(reverse("accueil"), headers={"HX-Request": "true"})

    assert (reponse.status_code, reponse["HX-Redirect"]) == (204, f"{reverse('login')}?next=/")


def test_activite_recente_ne_reecrit_pas_la_session(client, db):
    client.force_login(f.utilisateur(Role.EQUIPE))
    _vieillir(client, 60)

    ecritures = _ecritures_de_session(client, reverse("accueil"))

    assert ecritures == []


def test_activite_apres_quelques_minutes_repousse_l_expiration_en_base(client, db):
    client.force_login(f.utilisateur(Role.EQUIPE))
    cle = client.session.session_key
    _vieillir(client, RENOUVELLEMENT_SECONDES + 60)
    Session.objects.filter(session_key=cle).update(
        expire_date=timezone.now() + timedelta(minutes=10)
    )

    client.get(reverse("accueil"))

    restant = Session.objects.get(session_key=cle).expire_date - timezone.now()
    assert timedelta(seconds=DEUX_HEURES - 60) < restant <= timedelta(seconds=DEUX_HEURES)
    assert time.time() - client.session[CLE_ACTIVITE] < 60


def test_la_connexion_note_l_instant_de_la_derniere_activite(client, db):
    f.utilisateur(Role.EQUIPE, username="camille")

    client.post(reverse("login"), {"username": "camille", "password": "mot-de-passe-de-test"})

    assert time.time() - client.session[CLE_ACTIVITE] < 60


def test_en_tetes_de_securite_sur_une_page_connectee(client, db):
    client.force_login(f.utilisateur(Role.OBSERVATEUR))

    reponse = client.get(reverse("accueil"))

    assert reponse["Permissions-Policy"].startswith("accelerometer=(), camera=()")
    assert reponse["Cross-Origin-Resource-Policy"] == "same-origin"
    assert reponse["Cross-Origin-Opener-Policy"] == "same-origin"
    assert reponse["Cache-Control"] == "private, no-store"


def test_cookies_de_session_et_csrf_httponly_et_samesite(client, db):
    f.utilisateur(Role.EQUIPE, username="camille")

    client.get(reverse("login"))
    reponse = client.post(
        reverse("login"), {"username": "camille", "password": "mot-de-passe-de-test"}
    )

    session = reponse.cookies["sessionid"]
    assert (session["httponly"], session["samesite"], session["max-age"]) == (True, "Lax", "")
    csrf = client.get(reverse("login")).cookies.get("csrftoken") or client.cookies["csrftoken"]
    assert (csrf["httponly"], csrf["samesite"]) == (True, "Lax")
