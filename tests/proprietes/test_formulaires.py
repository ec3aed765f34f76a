"""Propriétés de chaque formulaire qui écrit : des envois arbitraires (Hypothesis).

Les formulaires sont relevés dans les pages servies à chaque rôle (`formulaires.relever`), sur le
monde de la table d'accès (`tests/acces/monde.py`, complété par les objets des tables). Chaque
exemple envoie au formulaire un mélange de valeurs que la page propose et de n'importe quoi
(texte quelconque, nombres énormes ou négatifs, dates impossibles, identifiants inexistants,
champs manquants ou en trop, fichiers quelconques) et vérifie :

- jamais d'erreur 500 (le client de test relance l'exception de la vue) ;
- un envoi qui n'est pas accepté (pas de message de succès) n'écrit rien : toutes les lignes des
  tables de l'application sont identiques avant et après ;
- un refus se dit en français : ni message ni page avec les textes anglais de Django.

Chaque exemple tourne dans sa propre transaction (`hypothesis.extra.django.TestCase`).
"""

from __future__ import annotations

import json
import os
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.acces.monde import EQUIPE, JURE, construire_monde
from tests.acces.test_urls_roles import TABLE

from .formulaires import Champ, Formulaire, differences, instantane, relever

# 4 exemples par formulaire (57 formulaires) gardent l'ensemble sous deux minutes sur deux cœurs ;
# pour une passe approfondie : ACV_EXEMPLES_FORMULAIRES=30 (une dizaine de minutes).
EXEMPLES = settings(
    max_examples=int(os.environ.get("ACV_EXEMPLES_FORMULAIRES", "4")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Les adresses qui écrivent, par domaine ; chacune doit être trouvée dans une page.
CIBLES = [
    # vagues, critères, pièces requises
    "vague_creer",
    "vague_modifier",
    "vague_avancer",
    "vague_critere_ajouter",
    "vague_critere_modifier",
    "vague_critere_retirer",
    "vague_piece_ajouter",
    "vague_piece_modifier",
    "vague_piece_retirer",
    # candidatures, financements, transitions, pièces, demandes
    "candidature_creer",
    "candidature_modifier",
    "candidature_transition",
    "candidature_resoumettre",
    "candidature_piece_deposer",
    "candidature_demande_creer",
    "piece_statut",
    "demande_repondue",
    # import
    "candidature_import",
    "candidature_import_executer",
    # jury
    "jury_jure_ajouter",
    "jury_jure_retirer",
    "jury_conflit_enregistrer",
    "jury_conflit_lever",
    "jury_affecter",
    "jury_affectation_ajouter",
    "jury_affectation_retirer",
    "jury_relancer",
    "jury_evaluation_rouvrir",
    "jury_conflit_declarer",
    "jury_evaluer",
    "jury_evaluation_autosave",
    # délibération, publication, réouverture
    "deliberation_decider",
    "deliberation_presents",
    "deliberation_publier",
    "deliberation_rouvrir",
    # lettres
    "lettres_preparer",
    "lettres_envoyer",
    "lettre_modifier",
    "lettre_renvoyer",
    "lettre_modele",
    # accompagnements et actions
    "accompagnement_relancer",
    "accompagnement_creer",
    "accompagnement_modifier",
    "accompagnement_action_ajouter",
    "accompagnement_action_modifier",
    "accompagnement_action_statut",
    "accompagnement_resoumettre",
    # sites, jalons, formations, inscriptions, financements, statut ; objectifs
    "site_modifier",
    "site_changer_statut",
    "site_jalons",
    "site_formations",
    "site_inscriptions",
    "site_financements",
    "site_creer_depuis_candidature",
    "objectif_creer",
    "objectif_modifier",
    # comptes et boîte d'envoi
    "password_change",
    "courriel_renvoyer",
    "courriels_renvoyer_tout",
]
ROLES_RELEVES = [EQUIPE, JURE]  # l'administrateur et le responsable régional voient les mêmes

# Les textes par défaut de Django en anglais : jamais montrés (l'interface est en français).
ANGLAIS = re.compile(
    r"This field is required|Enter a valid|Select a valid choice|Ensure this value|"
    r"is not one of the available choices|The submitted file is empty|No file was submitted|"
    r"Not Found|Forbidden|Bad Request|Server Error|Method Not Allowed|Traceback|"
    r"Management form data|ManagementForm data",
)

N_IMPORTE_QUOI = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "9" * 30,
            "-1",
            "-99999999999999999999",
            "0",
            "1e309",
            "NaN",
            "31/02/2020",
            "2020-02-30",
            "0000-00-00",
            "99999-12-31",
            "999999",
            "2147483648",
            "9223372036854775808",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "é" * 5000,
            "nul\x00dedans",  # refusé par PostgreSQL s'il arrive jusqu'à la base
        ]
    ),
    st.integers().map(str),
    st.dates().map(str),
)
FICHIERS = st.builds(
    lambda nom, contenu: SimpleUploadedFile(nom, contenu),
    st.one_of(
        st.sampled_from(["import.csv", "budget.pdf", "plan.xlsx", "photo.png", "a.exe", ".pdf"]),
        st.text(min_size=1, max_size=30).filter(lambda t: t.strip("./\\\x00") != ""),
    ),
    st.one_of(
        st.binary(max_size=400),
        st.just(b"code_insee;contact_nom\n15101;Camille\n"),
        st.just(b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
    ),
)


def _valeur(champ: Champ) -> st.SearchStrategy:
    proposees = [v for v in champ.valeurs if v is not None]
    if champ.genre == "file":
        return FICHIERS
    if champ.genre in ("checkbox", "select") and proposees:
        # Plusieurs valeurs (cases à cocher, choix multiples), dont des intruses.
        return st.one_of(
            st.sampled_from(proposees),
            st.lists(st.one_of(st.sampled_from(proposees), N_IMPORTE_QUOI), max_size=4),
            N_IMPORTE_QUOI,
        )
    if proposees:
        return st.one_of(st.sampled_from(proposees), N_IMPORTE_QUOI)
    return st.one_of(st.just("Une saisie ordinaire."), N_IMPORTE_QUOI)


@st.composite
def envois(draw, formulaire: Formulaire) -> dict:
    donnees = {}
    for nom, champ in formulaire.champs.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # champ manquant
        donnees[nom] = draw(_valeur(champ))
    for _ in range(draw(st.integers(0, 2))):  # champs en trop
        donnees[draw(st.text(min_size=1, max_size=12))] = draw(N_IMPORTE_QUOI)
    return donnees


def _messages(reponse) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in reponse.wsgi_request._messages]


def _refuse(reponse, messages) -> bool:
    """Un refus : un message d'erreur, un code d'erreur, ou le formulaire rendu sans succès."""
    if reponse.get("Content-Type", "").startswith("application/json"):
        return json.loads(reponse.content).get("ok") is not True
    niveaux = {niveau for niveau, _ in messages}
    if "error" in niveaux or reponse.status_code in (400, 403, 404, 409):
        return True
    return reponse.status_code == 200 and not niveaux & {"success", "warning", "info"}


class FormulairesArbitraires(TestCase):
    formulaires: dict[str, Formulaire]
    utilisateurs: dict[str, int]

    @classmethod
    def setUpTestData(cls):
        from django.test import Client

        monde = construire_monde()
        cls.utilisateurs = {r: u.pk for r, u in monde.utilisateurs.items() if u is not None}
        pages = []
        for url_name, cas_liste in TABLE.items():
            for cas in cas_liste:
                if cas.methode != "get" or url_name in ("logout", "login"):
                    continue
                url = reverse(url_name, kwargs=cas.kwargs(monde))
                pages.append(url + ("?" + cas.query if cas.query else ""))
        cls.formulaires = {}
        client = Client()
        for role in ROLES_RELEVES:
            client.force_login(monde.utilisateurs[role])
            for page in pages:
                reponse = client.get(page)
                if reponse.status_code != 200 or "html" not in reponse.get("Content-Type", ""):
                    continue
                for formulaire in relever(reponse.content.decode(), page, role):
                    deja = cls.formulaires.get(formulaire.url_name)
                    if deja is None:
                        cls.formulaires[formulaire.url_name] = formulaire
                    elif deja.action == formulaire.action:
                        deja.fusionner(formulaire)
        # Un formulaire qu'aucune page du monde ne montre (état de l'objet) : l'envoi de la table
        # d'accès, avec ses champs.
        cls.de_secours = []
        for url_name in CIBLES:
            if url_name in cls.formulaires:
                continue
            for cas in TABLE.get(url_name, []):
                role = next((r for r in (EQUIPE, JURE) if cas.attendu[r] in (200, 302)), None)
                if role and (cas.methode == "post" or cas.attendu[role] == 200):
                    donnees = cas.donnees(monde) if cas.methode == "post" else {}
                    cls.formulaires[url_name] = Formulaire(
                        reverse(url_name, kwargs=cas.kwargs(monde)),
                        url_name,
                        {n: Champ(n, "text", [str(v)]) for n, v in donnees.items()},
                        role,
                    )
                    cls.de_secours.append(url_name)
                    break
        # Chaque exemple repart de cet état (sa transaction est annulée à la fin).
        cls.etat_initial = instantane()

    def _envoyer(self, url_name: str, donnees: dict) -> None:
        formulaire = self.formulaires[url_name]
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.get(pk=self.utilisateurs[formulaire.role])
        self.client.force_login(user)
        avant = self.etat_initial

        reponse = self.client.post(formulaire.action, donnees)

        messages = _messages(reponse)
        self.assertNotEqual(reponse.status_code, 500)
        for _, texte in messages:
            self.assertTrue(texte.strip())
            self.assertIsNone(ANGLAIS.search(texte), texte)
        if reponse.status_code in (200, 400, 403, 404) and not getattr(reponse, "streaming", False):
            contenu = reponse.content.decode(errors="replace")
            self.assertIsNone(ANGLAIS.search(contenu), ANGLAIS.search(contenu))
        if _refuse(reponse, messages):
            self.assertIn(reponse.status_code, (200, 302, 400, 403, 404, 409))
            self.assertEqual(
                differences(avant, instantane()),
                [],
                f"envoi refusé ({reponse.status_code}, {messages}) mais tables modifiées",
            )


# Formulaires qu'aucune page du monde ne montre : envoyés à l'adresse de la table d'accès.
# (la grille de la vague du monde est figée : ses critères n'ont plus de formulaire ; la
# resoumission, la demande de pièces, la réouverture et le brouillon automatique ne sont pas des
# <form method="post"> de la page, ou pas dans l'état du monde).
DE_SECOURS = [
    "accompagnement_resoumettre",
    "candidature_demande_creer",
    "candidature_import_executer",
    "candidature_resoumettre",
    "deliberation_rouvrir",
    "jury_evaluation_autosave",
    "vague_critere_ajouter",
    "vague_critere_modifier",
    "vague_critere_retirer",
]


def _formulaires_trouves(self):
    self.assertEqual(sorted(self.de_secours), DE_SECOURS)


FormulairesArbitraires.test_formulaires_trouves_dans_les_pages = _formulaires_trouves


def _test_pour(url_name: str):
    @EXEMPLES
    @given(data=st.data())
    def test(self, data):
        self.assertIn(url_name, self.formulaires, "formulaire introuvable dans les pages")
        donnees = data.draw(envois(self.formulaires[url_name]), label="données envoyées")
        self._envoyer(url_name, donnees)

    test.__name__ = f"test_{url_name}"
    test.__doc__ = f"Envois arbitraires à « {url_name} » : pas de 500, un refus n'écrit rien."
    return test


for _nom in CIBLES:
    setattr(FormulairesArbitraires, f"test_{_nom}", _test_pour(_nom))
