import datetime

from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from acv.roles import Role
from tests import factories as f


def test_les_groupes_des_roles_existent_apres_migrate(db):
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(r.label for r in Role)


def test_connexion_avec_le_bon_mot_de_passe_mene_a_l_accueil(client, db):
    f.utilisateur(Role.EQUIPE, username="camille")

    reponse = client.post(
        reverse("login"), {"username": "camille", "password": "mot-de-passe-de-test"}
    )

    assert (reponse.status_code, reponse["Location"]) == (302, reverse("accueil"))


def test_connexion_refusee_avec_un_message_en_francais(client, db):
    f.utilisateur(Role.EQUIPE, username="camille")

    reponse = client.post(reverse("login"), {"username": "camille", "password": "faux"})

    assert reponse.status_code == 200
    assert "Identifiant ou mot de passe incorrect" in reponse.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_verrouillage_apres_echecs_repetes_puis_message_en_francais(client, db):
    f.utilisateur(Role.JURE, username="dominique")
    for _ in range(3):
        client.post(reverse("login"), {"username": "dominique", "password": "faux"})

    reponse = client.post(
        reverse("login"), {"username": "dominique", "password": "mot-de-passe-de-test"}
    )

    assert reponse.status_code == 429
    texte = reponse.content.decode()
    assert "Compte temporairement verrouillé" in texte
    assert "écrivez à l'équipe du programme" in texte


@override_settings(AXES_FAILURE_LIMIT=3)
def test_le_verrouillage_ne_touche_pas_le_meme_compte_depuis_une_autre_adresse(client, db):
    f.utilisateur(Role.JURE, username="dominique")
    for _ in range(3):
        client.post(
            reverse("login"),
            {"username": "dominique", "password": "faux"},
            REMOTE_ADDR="203.0.113.9",
        )

    reponse = client.post(
        reverse("login"),
        {"username": "dominique", "password": "mot-de-passe-de-test"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert reponse.status_code == 302


def test_l_accueil_dit_a_chaque_role_ce_qu_il_fait(client, db):
    attendus = {
        Role.EQUIPE: "Vous pilotez les vagues de sélection",
        Role.JURE: "Vous évaluez les candidatures qui vous sont confiées",
        Role.RESPONSABLE_REGIONAL: "Vous mettez à jour les sites de votre région",
        Role.OBSERVATEUR: "Vous suivez l'avancement du programme",
        Role.ADMINISTRATEUR: "Vous gérez les comptes, les rôles",
    }
    for role, phrase in attendus.items():
        client.force_login(f.utilisateur(role, username=f"u-{role}"))

        reponse = client.get(reverse("accueil"))

        assert phrase in reponse.content.decode(), role


def test_une_page_est_en_francais_avec_le_dsfr_local(client, db):
    client.force_login(f.utilisateur(Role.EQUIPE))

    html = client.get(reverse("accueil")).content.decode()

    assert '<html lang="fr"' in html
    assert "/static/dsfr/dist/dsfr/dsfr.min.css" in html
    assert "Se déconnecter" in html
    assert "https://cdn" not in html


def test_en_tetes_de_securite_et_csp_sans_script_en_ligne(client, db):
    reponse = client.get(reverse("login"))

    csp = reponse["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    assert reponse["X-Frame-Options"] == "DENY"
    assert reponse["X-Content-Type-Options"] == "nosniff"


def test_autocompletion_des_communes_par_nom_et_par_code(client, db):
    f.CommuneFactory(code_insee="15014", nom="Aurillac")
    f.CommuneFactory(code_insee="15012", nom="Arpajon-sur-Cère")
    client.force_login(f.utilisateur(Role.EQUIPE))

    par_nom = client.get(reverse("communes_autocompletion"), {"q": "auri"}).json()
    par_code = client.get(reverse("communes_autocompletion"), {"q": "15012"}).json()

    assert [r["code"] for r in par_nom["resultats"]] == ["15014"]
    assert [r["code"] for r in par_code["resultats"]] == ["15012"]


def test_l_administrateur_voit_l_administration_avec_le_referentiel(client, db):
    client.force_login(f.utilisateur(Role.ADMINISTRATEUR))

    html = client.get(reverse("admin:acv_commune_changelist")).content.decode()

    assert "Sélectionnez l’objet commune à changer" in html or "commune" in html


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=datetime.timedelta(hours=1))
def test_le_message_de_verrouillage_dit_la_duree_reglee(client, db):
    f.utilisateur(Role.JURE, username="dominique")
    for _ in range(3):
        reponse = client.post(reverse("login"), {"username": "dominique", "password": "faux"})

    assert reponse.status_code == 429
    assert "la connexion est bloquée pendant 1 heure." in reponse.content.decode()
