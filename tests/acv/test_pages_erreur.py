from django.template.loader import render_to_string


def test_la_page_500_est_en_francais_et_sans_contexte():
    html = render_to_string("500.html", request=None)

    assert '<html lang="fr">' in html
    assert "rien n'a été enregistré" in html.replace("&#x27;", "'")


def test_un_modele_de_courriel_manquant_est_une_erreur_metier_claire(db):
    import pytest

    from acv.courriels import rendre_modele
    from acv.erreurs import ErreurMetier

    with pytest.raises(ErreurMetier, match="« inexistant » est introuvable"):
        rendre_modele("inexistant", {})


# -- caractère nul dans la requête ------------------------------------------------------------
def test_caractere_nul_dans_une_recherche_refuse_en_francais(client_de, equipe):
    from django.urls import reverse

    reponse = client_de(equipe).get(reverse("communes_autocompletion"), {"q": "Aur\x00"})

    assert reponse.status_code == 400
    texte = reponse.content.decode()
    assert "Requête incorrecte" in texte
    assert "Bad Request" not in texte


def test_caractere_nul_dans_un_envoi_n_ecrit_rien(client_de, equipe):
    from django.urls import reverse

    from candidatures.models import Vague
    from tests import factories as f

    vague = f.VagueFactory(numero=5, statut=Vague.Statut.BROUILLON)

    reponse = client_de(equipe).post(
        reverse("vague_avancer", args=[vague.pk]),
        {"vers": Vague.Statut.APPEL_OUVERT, "note": "ouverte\x00"},
    )

    assert reponse.status_code == 400
    vague.refresh_from_db()
    assert vague.statut == Vague.Statut.BROUILLON


def test_un_identifiant_ne_peut_pas_ecrire_une_fausse_ligne_au_journal(client, db, caplog):
    import logging

    from django.urls import reverse

    faux = "inconnu\n2026-11-28 INFO acv.securite Connexion : admin depuis 10.0.0.1"
    with caplog.at_level(logging.WARNING, logger="acv.securite"):
        client.post(reverse("login"), {"username": faux, "password": "x"})

    lignes = [r.getMessage() for r in caplog.records if r.name == "acv.securite"]
    assert lignes and all("\n" not in ligne for ligne in lignes)
    assert any("inconnu\\n2026" in ligne for ligne in lignes)
