"""Changement et réinitialisation du mot de passe (par la boîte d'envoi), verrouillage levé."""

import html
import re

from axes.models import AccessAttempt
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from acv.models import Courriel
from acv.roles import Role
from tests import factories as f

NOUVEAU = "Un-nouveau-mot-de-passe-solide-2019"


def _texte(reponse) -> str:
    return html.unescape(reponse.content.decode())


def _demander(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("password_reset"), {"email": email})


def _lien(courriel: Courriel) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", courriel.corps).group(1)


def test_changement_refuse_un_mot_de_passe_court_avec_un_message_en_francais(client, db):
    client.force_login(f.utilisateur(Role.JURE))

    reponse = client.post(
        reverse("password_change"),
        {
            "old_password": "mot-de-passe-de-test",
            "new_password1": "Court-1",
            "new_password2": "Court-1",
        },
    )

    assert reponse.status_code == 200
    assert "Il doit contenir au minimum 12 caractères" in _texte(reponse)


def test_changement_refuse_un_mot_de_passe_entierement_numerique(client, db):
    client.force_login(f.utilisateur(Role.JURE))

    reponse = client.post(
        reverse("password_change"),
        {
            "old_password": "mot-de-passe-de-test",
            "new_password1": "123456789012",
            "new_password2": "123456789012",
        },
    )

    assert "Ce mot de passe est entièrement numérique" in _texte(reponse)


def test_changement_accepte_un_mot_de_passe_solide(client, db):
    user = f.utilisateur(Role.JURE)
    client.force_login(user)

    reponse = client.post(
        reverse("password_change"),
        {
            "old_password": "mot-de-passe-de-test",
            "new_password1": NOUVEAU,
            "new_password2": NOUVEAU,
        },
    )

    user.refresh_from_db()
    assert (reponse.status_code, reponse["Location"]) == (302, reverse("password_change_done"))
    assert user.check_password(NOUVEAU) is True


def test_la_page_de_connexion_mene_au_mot_de_passe_oublie(client, db):
    texte = _texte(client.get(reverse("login")))

    assert (
        f'<a class="fr-link" href="{reverse("password_reset")}">Mot de passe oublié ?</a>' in texte
    )
    assert "Compte verrouillé ?" in texte


def test_reinitialisation_passe_par_la_boite_d_envoi(
    client, db, django_capture_on_commit_callbacks
):
    f.utilisateur(Role.JURE, username="dominique", email="dominique@exemple.invalid")

    reponse = _demander(client, "Dominique@exemple.invalid", django_capture_on_commit_callbacks)

    assert (reponse.status_code, reponse["Location"]) == (302, reverse("password_reset_done"))
    courriel = Courriel.objects.get()
    assert (courriel.destinataire, courriel.categorie, courriel.statut) == (
        "dominique@exemple.invalid",
        "mot_de_passe",
        Courriel.Statut.ENVOYE,
    )
    assert courriel.sujet == "Au cœur des territoires : réinitialisation de votre mot de passe"
    assert [m.to for m in mail.outbox] == [["dominique@exemple.invalid"]]
    assert "/mot-de-passe/reinitialiser/" in courriel.corps


def test_reinitialisation_meme_reponse_pour_une_adresse_inconnue(
    client, db, django_capture_on_commit_callbacks
):
    f.utilisateur(Role.JURE, username="dominique", email="dominique@exemple.invalid")
    connue = _demander(client, "dominique@exemple.invalid", django_capture_on_commit_callbacks)

    inconnue = _demander(client, "personne@exemple.invalid", django_capture_on_commit_callbacks)

    assert (inconnue.status_code, inconnue["Location"]) == (connue.status_code, connue["Location"])
    assert list(Courriel.objects.values_list("destinataire", flat=True)) == [
        "dominique@exemple.invalid"
    ]
    assert _texte(client.get(reverse("password_reset_done"))).count("Si l'adresse indiquée") == 1


def test_reinitialisation_ignore_un_compte_desactive(
    client, db, django_capture_on_commit_callbacks
):
    f.utilisateur(Role.JURE, email="parti@exemple.invalid", is_active=False)

    reponse = _demander(client, "parti@exemple.invalid", django_capture_on_commit_callbacks)

    assert (reponse.status_code, Courriel.objects.count()) == (302, 0)


def test_reinitialisation_limitee_a_trois_liens_par_heure(
    client, db, django_capture_on_commit_callbacks
):
    f.utilisateur(Role.JURE, email="dominique@exemple.invalid")

    for _ in range(5):
        _demander(client, "dominique@exemple.invalid", django_capture_on_commit_callbacks)

    assert Courriel.objects.count() == 3


def test_reinitialisation_adresse_invalide_message_en_francais(client, db):
    reponse = client.post(reverse("password_reset"), {"email": "pas-une-adresse"})

    assert reponse.status_code == 200
    assert "Saisissez une adresse de courriel valide" in _texte(reponse)


def test_lien_recu_permet_de_choisir_un_nouveau_mot_de_passe_et_de_se_connecter(
    client, db, django_capture_on_commit_callbacks
):
    user = f.utilisateur(Role.JURE, username="dominique", email="dominique@exemple.invalid")
    _demander(client, "dominique@exemple.invalid", django_capture_on_commit_callbacks)
    formulaire = client.get(_lien(Courriel.objects.get()), follow=True)

    reponse = client.post(
        formulaire.redirect_chain[-1][0], {"new_password1": NOUVEAU, "new_password2": NOUVEAU}
    )

    user.refresh_from_db()
    assert (reponse.status_code, reponse["Location"]) == (302, reverse("password_reset_complete"))
    assert user.check_password(NOUVEAU) is True
    connexion = client.post(reverse("login"), {"username": "dominique", "password": NOUVEAU})
    assert connexion.status_code == 302


def test_lien_deja_utilise_est_refuse_en_francais(client, db, django_capture_on_commit_callbacks):
    f.utilisateur(Role.JURE, email="dominique@exemple.invalid")
    _demander(client, "dominique@exemple.invalid", django_capture_on_commit_callbacks)
    lien = _lien(Courriel.objects.get())
    formulaire = client.get(lien, follow=True)
    client.post(
        formulaire.redirect_chain[-1][0], {"new_password1": NOUVEAU, "new_password2": NOUVEAU}
    )

    reponse = client.get(lien, follow=True)

    assert "Lien invalide ou expiré" in _texte(reponse)
    assert reponse.context["validlink"] is False


def test_nouveau_mot_de_passe_soumis_aux_validateurs(
    client, db, django_capture_on_commit_callbacks
):
    f.utilisateur(Role.JURE, email="dominique@exemple.invalid")
    _demander(client, "dominique@exemple.invalid", django_capture_on_commit_callbacks)
    formulaire = client.get(_lien(Courriel.objects.get()), follow=True)

    reponse = client.post(
        formulaire.redirect_chain[-1][0], {"new_password1": "court", "new_password2": "court"}
    )

    assert reponse.status_code == 200
    assert "Il doit contenir au minimum 12 caractères" in _texte(reponse)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_reinitialisation_leve_le_verrouillage(client, db, django_capture_on_commit_callbacks):
    f.utilisateur(Role.JURE, username="dominique", email="dominique@exemple.invalid")
    for _ in range(3):
        client.post(reverse("login"), {"username": "dominique", "password": "faux"})
    verrouille = client.post(reverse("login"), {"username": "dominique", "password": "faux"})
    _demander(client, "dominique@exemple.invalid", django_capture_on_commit_callbacks)
    formulaire = client.get(_lien(Courriel.objects.get()), follow=True)
    client.post(
        formulaire.redirect_chain[-1][0], {"new_password1": NOUVEAU, "new_password2": NOUVEAU}
    )

    reponse = client.post(reverse("login"), {"username": "dominique", "password": NOUVEAU})

    assert verrouille.status_code == 429
    assert "réinitialisez votre mot de passe" in _texte(verrouille)
    assert (reponse.status_code, AccessAttempt.objects.count()) == (302, 0)


@override_settings(AXES_FAILURE_LIMIT=2)
def test_action_d_administration_leve_le_verrouillage(client, db, administrateur):
    f.utilisateur(Role.JURE, username="dominique")
    for _ in range(2):
        client.post(reverse("login"), {"username": "dominique", "password": "faux"})
    client.force_login(administrateur)
    jure = f.UserFactory(username="dominique")

    reponse = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "lever_verrouillage", "_selected_action": [jure.pk]},
        follow=True,
    )

    assert AccessAttempt.objects.count() == 0
    assert "Verrouillage levé pour 1 compte(s)" in _texte(reponse)
