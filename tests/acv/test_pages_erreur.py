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
