"""La boîte d'envoi : un courriel part après la transaction ; s'il échoue, il reste et repart."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse

from acv.courriels import envoyer_en_attente, mettre_en_file, rendre_modele
from acv.models import Courriel

PANNE = "tests.acv.test_courriels.BackendEnPanne"


class BackendEnPanne(BaseEmailBackend):
    """Un serveur de courriel injoignable."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("serveur SMTP injoignable")


def _en_echec(settings, django_capture_on_commit_callbacks, n: int = 1) -> list[Courriel]:
    settings.EMAIL_BACKEND = PANNE
    with django_capture_on_commit_callbacks(execute=True):
        courriels = [
            mettre_en_file(f"jure{i}@exemple.invalid", f"Sujet {i}", "Corps", categorie="relance")
            for i in range(n)
        ]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return courriels


def test_courriel_part_apres_la_transaction(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        courriel = mettre_en_file("a@exemple.invalid", "Bonjour", "Corps")
        assert len(mail.outbox) == 0  # rien ne part avant la validation

    courriel.refresh_from_db()
    assert courriel.statut == Courriel.Statut.ENVOYE
    assert [m.to for m in mail.outbox] == [["a@exemple.invalid"]]


def test_courriel_en_echec_reste_dans_la_boite_puis_repart(
    db, settings, django_capture_on_commit_callbacks
):
    (courriel,) = _en_echec(settings, django_capture_on_commit_callbacks)
    courriel.refresh_from_db()
    assert courriel.statut == Courriel.Statut.ECHEC
    assert courriel.tentatives == 1
    assert courriel.derniere_erreur == "serveur SMTP injoignable"
    assert mail.outbox == []

    envoyes, echecs = envoyer_en_attente()

    courriel.refresh_from_db()
    assert (envoyes, echecs) == (1, 0)
    assert (courriel.statut, courriel.tentatives) == (Courriel.Statut.ENVOYE, 2)
    assert [m.subject for m in mail.outbox] == ["Sujet 0"]


def test_commande_envoyer_courriels_renvoie_les_echecs(
    db, settings, django_capture_on_commit_callbacks, capsys
):
    _en_echec(settings, django_capture_on_commit_callbacks, n=2)

    call_command("envoyer_courriels")

    assert Courriel.objects.filter(statut=Courriel.Statut.ENVOYE).count() == 2
    assert len(mail.outbox) == 2
    assert "2 courriel(s) envoyé(s), 0 en échec." in capsys.readouterr().out


def test_bouton_renvoyer_un_courriel(
    db, settings, django_capture_on_commit_callbacks, client_de, equipe
):
    (courriel,) = _en_echec(settings, django_capture_on_commit_callbacks)

    reponse = client_de(equipe).post(reverse("courriel_renvoyer", args=[courriel.pk]))

    assert reponse.status_code == 302
    courriel.refresh_from_db()
    assert courriel.statut == Courriel.Statut.ENVOYE
    assert len(mail.outbox) == 1


def test_bouton_renvoyer_toujours_en_panne_le_dit(
    db, settings, django_capture_on_commit_callbacks, client_de, equipe
):
    (courriel,) = _en_echec(settings, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = PANNE
    client = client_de(equipe)

    reponse = client.post(reverse("courriel_renvoyer", args=[courriel.pk]), follow=True)

    courriel.refresh_from_db()
    assert (courriel.statut, courriel.tentatives) == (Courriel.Statut.ECHEC, 2)
    assert "Il reste dans la boîte d&#x27;envoi" in reponse.content.decode()


def test_bouton_tout_renvoyer(db, settings, django_capture_on_commit_callbacks, client_de, equipe):
    _en_echec(settings, django_capture_on_commit_callbacks, n=3)

    reponse = client_de(equipe).post(reverse("courriels_renvoyer_tout"))

    assert reponse.status_code == 302
    assert Courriel.objects.filter(statut=Courriel.Statut.ENVOYE).count() == 3


@pytest.mark.parametrize("nombre", [1, 3])
def test_liste_des_courriels_requetes_constantes(
    db, client_de, equipe, nombre, django_assert_num_queries
):
    for i in range(nombre):
        Courriel.objects.create(destinataire=f"x{i}@exemple.invalid", sujet=f"S{i}", corps="…")
    client = client_de(equipe)

    # session, compte, rôles, décompte par état, compte de la page, la page
    with django_assert_num_queries(6):
        reponse = client.get(reverse("courriels_liste"))

    assert reponse.status_code == 200
    assert len(reponse.context["courriels"]) == nombre


def test_modeles_du_jury_rendus(db):
    sujet, corps = rendre_modele(
        "affectation",
        {
            "nom": "Dominique Exemple",
            "vague": "Vague 1",
            "nombre": 2,
            "references": "V1-0001, V1-0002",
            "date_limite": "10/09/2019",
            "lien": "https://exemple.invalid/jury/",
        },
    )

    assert sujet == "Vague 1 : 2 candidatures à évaluer"
    assert "V1-0001, V1-0002" in corps
    assert "avant le 10/09/2019" in corps
