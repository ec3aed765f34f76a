"""Les lettres aux villes après publication des résultats, et la liste des villes retenues."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from acv.erreurs import TransitionRefusee
from acv.models import Courriel, ModeleCourriel
from candidatures import lettres as service
from candidatures.models import (
    Accompagnement,
    ActionAccompagnement,
    Candidature,
    Decision,
    Evaluation,
    Lettre,
    Vague,
)

from .. import factories as f

pytestmark = pytest.mark.django_db


class BackendEnPanne(BaseEmailBackend):
    """Un serveur de courriel injoignable."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("serveur SMTP injoignable")


def _evaluation_soumise(candidature, commentaire: str, avis: str = "reserves") -> Evaluation:
    return f.EvaluationFactory(
        affectation__candidature=candidature,
        affectation__jure__vague=candidature.vague,
        statut=Evaluation.Statut.SOUMISE,
        soumise_le=timezone.now(),
        avis=avis,
        commentaire=commentaire,
    )


@contextmanager
def _en_deliberation(vague):
    """Décisions et évaluations s'écrivent avant la publication, qui les verrouille."""
    Vague.objects.filter(pk=vague.pk).update(statut=Vague.Statut.DELIBERATION)
    yield
    Vague.objects.filter(pk=vague.pk).update(statut=Vague.Statut.RESULTATS_PUBLIES)
    vague.refresh_from_db()


@pytest.fixture
def vague():
    return f.VagueFactory(numero=1, statut=Vague.Statut.RESULTATS_PUBLIES)


@pytest.fixture
def retenue(vague):
    candidature = f.CandidatureFactory(
        vague=vague,
        statut=Candidature.Statut.RETENUE,
        commune__nom="Aurillac",
        contact_email="mairie@aurillac.invalid",
    )
    with _en_deliberation(vague):
        f.DecisionFactory(
            candidature=candidature,
            resultat=Decision.Resultat.RETENUE,
            motivation="Un projet porté par des partenaires engagés.",
        )
        _evaluation_soumise(candidature, "Des locaux déjà identifiés en centre-ville.", "favorable")
    return candidature


@pytest.fixture
def non_retenue(vague, equipe):
    candidature = f.CandidatureFactory(
        vague=vague,
        statut=Candidature.Statut.NON_RETENUE,
        commune__nom="Mauriac",
        contact_email="mairie@mauriac.invalid",
    )
    with _en_deliberation(vague):
        f.DecisionFactory(
            candidature=candidature,
            resultat=Decision.Resultat.NON_RETENUE,
            motivation="Le plan de financement reste incomplet.",
        )
        _evaluation_soumise(candidature, "Le besoin du bassin d'emploi est mal   documenté.")
        _evaluation_soumise(
            candidature, "Aucune lettre d'engagement des partenaires.", "defavorable"
        )
        f.EvaluationFactory(
            affectation__candidature=candidature,
            affectation__jure__vague=vague,
            commentaire="Brouillon non soumis : ne doit pas paraître.",
        )
    equipe.first_name, equipe.last_name = "Camille", "Demoulin"
    equipe.save()
    plan = Accompagnement.objects.create(
        candidature=candidature,
        conseiller=equipe,
        vague_cible=f.VagueFactory(numero=2, nom="Vague 2 — 2020", statut="appel_ouvert"),
    )
    ActionAccompagnement.objects.create(
        accompagnement=plan,
        libelle="Rencontre avec le Cnam en région",
        echeance=timezone.localdate().replace(year=2030, month=3, day=2),
    )
    return candidature


def _lettre(candidature) -> Lettre:
    return Lettre.objects.select_related("courriel").get(candidature=candidature)


# -- préparation ------------------------------------------------------------------------------
def test_preparer_lettres_selection_cite_motivation_et_remarques(vague, retenue, equipe):
    bilan = service.preparer_lettres(vague, par=equipe)

    lettre = _lettre(retenue)
    assert bilan.creees == 1
    assert lettre.nature == Lettre.Nature.SELECTION
    assert lettre.sujet == "Au cœur des territoires : candidature retenue pour Aurillac"
    assert "la candidature portée par la commune d'Aurillac pour" in lettre.corps
    assert "Un projet porté par des partenaires engagés." in lettre.corps
    assert "- Des locaux déjà identifiés en centre-ville." in lettre.corps
    assert "accompagnement" not in lettre.corps


def test_preparer_lettres_non_selection_cite_motifs_remarques_et_accompagnement(
    vague, non_retenue, equipe
):
    service.preparer_lettres(vague, par=equipe)

    corps = _lettre(non_retenue).corps
    assert _lettre(non_retenue).nature == Lettre.Nature.NON_SELECTION
    assert "Les motifs du jury :\nLe plan de financement reste incomplet." in corps
    remarques = (
        "Les principales remarques du jury :\n"
        "- Le besoin du bassin d'emploi est mal documenté.\n"
        "- Aucune lettre d'engagement des partenaires.\n"
    )
    assert remarques in corps
    assert "Brouillon non soumis" not in corps
    assert "dans « Vague 2 — 2020 »" in corps
    assert "- Rencontre avec le Cnam en région (d'ici le 2 mars 2030)" in corps
    assert "Camille Demoulin (equipe@exemple.invalid)" in corps
    assert "portée par la commune de Mauriac pour" in corps


def test_preparer_lettres_sans_plan_propose_l_accompagnement_general(vague, equipe):
    candidature = f.CandidatureFactory(vague=vague, statut=Candidature.Statut.NON_RETENUE)

    service.preparer_lettres(vague, par=equipe)

    assert service.ACCOMPAGNEMENT_PAR_DEFAUT in _lettre(candidature).corps


def test_preparer_lettres_refuse_avant_publication(equipe):
    vague = f.VagueFactory(numero=3, statut=Vague.Statut.DELIBERATION)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)

    with pytest.raises(TransitionRefusee):
        service.preparer_lettres(vague, par=equipe)

    assert Lettre.objects.count() == 0


def test_preparer_lettres_deux_fois_suit_le_modele_sans_dupliquer(vague, retenue, equipe):
    service.preparer_lettres(vague, par=equipe)
    ModeleCourriel.objects.filter(code="lettre_selection").update(
        sujet="Bonne nouvelle, {{ commune }}"
    )

    bilan = service.preparer_lettres(vague, par=equipe)

    assert (bilan.creees, bilan.mises_a_jour) == (0, 1)
    assert Lettre.objects.count() == 1
    assert _lettre(retenue).sujet == "Bonne nouvelle, Aurillac"


def test_preparer_lettres_ne_change_plus_une_lettre_envoyee(
    vague, retenue, equipe, django_capture_on_commit_callbacks
):
    service.preparer_lettres(vague, par=equipe)
    with django_capture_on_commit_callbacks(execute=True):
        service.envoyer_lettres(vague)
    ModeleCourriel.objects.filter(code="lettre_selection").update(sujet="Autre sujet")

    bilan = service.preparer_lettres(vague, par=equipe)

    assert bilan.deja_envoyees == 1
    assert _lettre(retenue).sujet == mail.outbox[0].subject


def test_lettre_retouchee_gardee_a_la_preparation_suivante(client_de, vague, non_retenue, equipe):
    service.preparer_lettres(vague, par=equipe)
    lettre = _lettre(non_retenue)

    reponse = client_de(equipe).post(
        reverse("lettre_modifier", args=[lettre.pk]),
        {"sujet": "La suite pour Mauriac", "corps": "Texte reformulé.", "retouchee": "on"},
    )
    bilan = service.preparer_lettres(vague, par=equipe)

    lettre.refresh_from_db()
    assert reponse.status_code == 302
    assert bilan.retouchees == 1
    assert (lettre.sujet, lettre.corps, lettre.retouchee) == (
        "La suite pour Mauriac",
        "Texte reformulé.",
        True,
    )


def test_lettre_modifier_refuse_une_lettre_partie(
    client_de, vague, retenue, equipe, django_capture_on_commit_callbacks
):
    service.preparer_lettres(vague, par=equipe)
    with django_capture_on_commit_callbacks(execute=True):
        service.envoyer_lettres(vague)
    lettre = _lettre(retenue)

    reponse = client_de(equipe).post(
        reverse("lettre_modifier", args=[lettre.pk]), {"sujet": "Autre", "corps": "Autre"}
    )

    assert reponse.status_code == 302
    assert _lettre(retenue).sujet == lettre.sujet


def test_preparer_lettres_modele_invalide_message_clair(client_de, vague, retenue, equipe):
    ModeleCourriel.objects.filter(code="lettre_selection").update(corps="{% if commune %}")

    reponse = client_de(equipe).post(reverse("lettres_preparer", args=[vague.pk]), follow=True)

    messages = [str(m) for m in reponse.context["messages"]]
    assert messages[0].startswith("Le modèle « Lettre aux villes retenues » contient une erreur")
    assert Lettre.objects.count() == 0


# -- envoi ------------------------------------------------------------------------------------
def test_lettres_envoyer_au_contact_de_la_candidature(
    client_de, vague, retenue, non_retenue, equipe, django_capture_on_commit_callbacks
):
    service.preparer_lettres(vague, par=equipe)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(equipe).post(reverse("lettres_envoyer", args=[vague.pk]))

    assert reponse.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == [
        "mairie@aurillac.invalid",
        "mairie@mauriac.invalid",
    ]
    assert [lettre.etat for lettre in Lettre.objects.select_related("courriel")] == [
        "envoye",
        "envoye",
    ]


def test_envoi_en_echec_garde_puis_renvoye(
    client_de, settings, vague, non_retenue, equipe, django_capture_on_commit_callbacks
):
    service.preparer_lettres(vague, par=equipe)
    client = client_de(equipe)
    settings.EMAIL_BACKEND = "tests.candidatures.test_lettres.BackendEnPanne"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("lettres_envoyer", args=[vague.pk]))
    lettre = _lettre(non_retenue)
    assert (lettre.etat, lettre.courriel.derniere_erreur) == ("echec", "serveur SMTP injoignable")
    assert Candidature.objects.get(pk=non_retenue.pk).statut == Candidature.Statut.NON_RETENUE

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(reverse("lettre_renvoyer", args=[lettre.pk]))

    lettre = _lettre(non_retenue)
    assert reponse.status_code == 302
    assert (lettre.etat, lettre.courriel.tentatives) == ("envoye", 2)
    assert len(mail.outbox) == 1
    assert Courriel.objects.count() == 1


def test_lettre_renvoyer_refuse_une_lettre_partie(
    client_de, vague, retenue, equipe, django_capture_on_commit_callbacks
):
    service.preparer_lettres(vague, par=equipe)
    with django_capture_on_commit_callbacks(execute=True):
        service.envoyer_lettres(vague)

    with django_capture_on_commit_callbacks(execute=True):
        reponse = client_de(equipe).post(
            reverse("lettre_renvoyer", args=[_lettre(retenue).pk]), follow=True
        )

    messages = [str(m) for m in reponse.context["messages"]]
    assert messages == [
        "Seule une lettre dont l'envoi a échoué se renvoie (celle-ci est « envoyée »)."
    ]
    assert len(mail.outbox) == 1


def test_lettres_envoyer_signale_les_candidatures_sans_courriel(vague, equipe):
    f.CandidatureFactory(
        vague=vague, statut=Candidature.Statut.RETENUE, commune__nom="Figeac", contact_email=""
    )
    service.preparer_lettres(vague, par=equipe)

    bilan = service.envoyer_lettres(vague)

    assert (bilan.mises_en_file, bilan.sans_adresse) == (0, ["Figeac"])


def test_lettres_vague_montre_l_etat_de_chaque_lettre(
    client_de, vague, retenue, non_retenue, equipe, settings, django_capture_on_commit_callbacks
):
    service.preparer_lettres(vague, par=equipe)
    settings.EMAIL_BACKEND = "tests.candidatures.test_lettres.BackendEnPanne"
    with django_capture_on_commit_callbacks(execute=True):
        service.envoyer_lettres(vague)

    reponse = client_de(equipe).get(reverse("lettres_vague", args=[vague.pk]))

    assert reponse.status_code == 200
    assert reponse.context["compte"] == {"a_envoyer": 0, "en_attente": 0, "envoye": 0, "echec": 2}
    assert reponse.content.decode().count("Échec de l&#x27;envoi") == 2


def test_lettres_vague_refusee_a_l_observateur(client_de, vague, observateur):
    reponse = client_de(observateur).get(reverse("lettres_vague", args=[vague.pk]))

    assert reponse.status_code == 403


# -- PDF --------------------------------------------------------------------------------------
def test_lettre_pdf_pour_la_copie_postale(client_de, vague, non_retenue, equipe):
    service.preparer_lettres(vague, par=equipe)

    reponse = client_de(equipe).get(reverse("lettre_pdf", args=[_lettre(non_retenue).pk]))

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    texte = PdfReader(io.BytesIO(reponse.content)).pages[0].extract_text()
    assert "Mairie de Mauriac" in texte
    assert "Le plan de financement reste incomplet." in texte


def test_lettres_pdf_toutes_les_lettres_de_la_vague(client_de, vague, retenue, non_retenue, equipe):
    service.preparer_lettres(vague, par=equipe)

    reponse = client_de(equipe).get(reverse("lettres_pdf", args=[vague.pk]))

    assert reponse.status_code == 200
    assert len(PdfReader(io.BytesIO(reponse.content)).pages) == 2


# -- modèles ----------------------------------------------------------------------------------
def test_lettre_modele_enregistre_le_texte(client_de, equipe):
    reponse = client_de(equipe).post(
        reverse("lettre_modele", args=["lettre_selection"]),
        {"sujet": "Retenue : {{ commune }}", "corps": "Bravo {{ porteur }}."},
    )

    assert reponse.status_code == 302
    assert ModeleCourriel.objects.get(code="lettre_selection").sujet == "Retenue : {{ commune }}"


def test_lettre_modele_refuse_une_syntaxe_invalide(client_de, equipe):
    avant = ModeleCourriel.objects.get(code="lettre_selection").corps

    reponse = client_de(equipe).post(
        reverse("lettre_modele", args=["lettre_selection"]),
        {"sujet": "Retenue", "corps": "{% if commune %}sans fin"},
    )

    assert reponse.status_code == 200
    assert list(reponse.context["form"].errors) == ["corps"]
    assert ModeleCourriel.objects.get(code="lettre_selection").corps == avant


@pytest.mark.parametrize(
    "corps",
    [
        '{% include "base.html" %}',
        '{% url "accueil" %}',
        "{% debug %}",
        "{% load static %}{% static 'x' %}",
        "{{ commune|date:'Y' }}{% if %}",
    ],
)
def test_lettre_modele_refuse_ce_qui_echouerait_a_l_envoi_ou_lirait_le_serveur(
    client_de, equipe, corps
):
    avant = ModeleCourriel.objects.get(code="relance").corps

    reponse = client_de(equipe).post(
        reverse("lettre_modele", args=["relance"]), {"sujet": "Relance", "corps": corps}
    )

    assert reponse.status_code == 200
    assert list(reponse.context["form"].errors) == ["corps"]
    assert ModeleCourriel.objects.get(code="relance").corps == avant


def test_modele_abime_en_base_ni_500_ni_lettres(client_de, vague, retenue, equipe):
    """Un modèle modifié hors de l'application (base, ancienne version) qui échoue au rendu :
    la préparation le dit et n'écrit rien."""
    ModeleCourriel.objects.filter(code="lettre_selection").update(corps='{% url "inconnue" %}')

    reponse = client_de(equipe).post(reverse("lettres_preparer", args=[vague.pk]), follow=True)

    assert reponse.status_code == 200
    assert "Lettre aux villes retenues" in reponse.content.decode()
    assert Lettre.objects.count() == 0


# -- villes retenues --------------------------------------------------------------------------
def test_villes_retenues_introuvable_avant_publication(client_de, observateur):
    vague = f.VagueFactory(numero=3, statut=Vague.Statut.DELIBERATION)
    f.CandidatureFactory(vague=vague, statut=Candidature.Statut.RETENUE)
    client = client_de(observateur)

    codes = [
        client.get(reverse(nom, args=[vague.pk])).status_code
        for nom in ("villes_retenues", "villes_retenues_csv", "villes_retenues_xlsx")
    ]

    assert codes == [404, 404, 404]


def test_villes_retenues_apres_publication(client_de, vague, retenue, non_retenue, observateur):
    reponse = client_de(observateur).get(reverse("villes_retenues", args=[vague.pk]))

    assert reponse.status_code == 200
    assert [c.commune.nom for c in reponse.context["retenues"]] == ["Aurillac"]


def test_villes_retenues_csv_sans_contact_personnel(
    client_de, vague, retenue, non_retenue, observateur
):
    reponse = client_de(observateur).get(reverse("villes_retenues_csv", args=[vague.pk]))

    assert reponse.streaming  # écrit en flux, ville par ville
    texte = b"".join(reponse.streaming_content).decode("utf-8")
    lignes = list(csv.reader(io.StringIO(texte.lstrip("\ufeff")), delimiter=";"))
    assert texte[0] == "\ufeff"
    assert lignes == [
        ["Commune", "Code INSEE", "Département", "Région", "Porteur", "Ville ACV"],
        [
            "Aurillac",
            retenue.commune.code_insee,
            "15 — Cantal",
            "Auvergne-Rhône-Alpes",
            "Commune de Aurillac",
            "Oui",
        ],
    ]
    assert "aurillac.invalid" not in texte


def test_villes_retenues_xlsx(client_de, vague, retenue, observateur):
    reponse = client_de(observateur).get(reverse("villes_retenues_xlsx", args=[vague.pk]))

    feuille = load_workbook(io.BytesIO(reponse.content)).active
    assert feuille.title == "Villes retenues"
    assert [c.value for c in feuille[1]] == [
        "Commune",
        "Code INSEE",
        "Département",
        "Région",
        "Porteur",
        "Ville ACV",
    ]
    assert [c.value for c in feuille[2]] == [
        "Aurillac",
        retenue.commune.code_insee,
        "15 — Cantal",
        "Auvergne-Rhône-Alpes",
        "Commune de Aurillac",
        "Oui",
    ]
    assert feuille.max_row == 2
    # En-têtes figés et colonnes à la largeur des noms, comme avant l'écriture seule.
    assert feuille.freeze_panes == "A2"
    assert feuille.column_dimensions["A"].width == 28


def test_villes_retenues_refusee_au_jure(client_de, vague, utilisateur_jure):
    reponse = client_de(utilisateur_jure).get(reverse("villes_retenues", args=[vague.pk]))

    assert reponse.status_code == 403


@pytest.mark.parametrize("nombre", [1, 3])
def test_lettres_vague_nombre_de_requetes_constant(
    client_de, vague, equipe, nombre, django_assert_num_queries
):
    for i in range(nombre):
        candidature = f.CandidatureFactory(
            vague=vague, statut=Candidature.Statut.NON_RETENUE, commune__nom=f"Ville {i}"
        )
        Accompagnement.objects.create(candidature=candidature, conseiller=equipe)
    service.preparer_lettres(vague, par=equipe)
    client = client_de(equipe)
    client.get(reverse("lettres_vague", args=[vague.pk]))  # la session note l'activité

    # session, compte, rôles, vague, candidatures (territoire, décision, plan, conseiller),
    # actions des plans, lettres et leurs courriels, modèles de lettres
    with django_assert_num_queries(8):
        reponse = client.get(reverse("lettres_vague", args=[vague.pk]))

    assert reponse.context["nb_lettres"] == nombre
