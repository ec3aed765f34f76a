"""Propriétés de chaque formulaire qui écrit : des envois arbitraires (Hypothesis).

Les formulaires sont relevés dans les pages servies à chaque rôle (`formulaires.relever`), sur le
monde de la table d'accès (`tests/acces/monde.py`, complété par les objets des tables). Chaque
exemple envoie au formulaire un mélange de valeurs que la page propose et de n'importe quoi
(texte quelconque, nombres énormes ou négatifs, dates impossibles, identifiants inexistants,
champs manquants ou en trop, fichiers quelconques) et vérifie :

- jamais d'erreur 500 (le client de test relance l'exception de la vue) ;
- un envoi qui n'est pas accepté n'écrit rien : toutes les lignes des tables de l'application
  sont identiques avant et après. Accepté veut dire : un message de succès, d'information ou
  d'avertissement, ou `{"ok": true}` en JSON ; une redirection sans message est un refus, sauf
  pour les vues de comptes de Django qui redirigent sans message après avoir écrit
  (`ECRITURES_SILENCIEUSES`) ;
- un refus se dit en français : ni message ni page avec les textes anglais de Django.

La liste des cibles ne peut pas oublier une adresse : `test_chaque_adresse_qui_accepte_un_post_est_une_cible`
échoue pour toute adresse qui accepte un POST (d'après la table d'accès ou un formulaire d'une
page) et qui n'est ni dans `CIBLES` ni dans `EXEMPTEES`. Et chaque POST que la table d'accès
refuse (403, 404, 405, connexion) n'écrit rien (`test_un_post_refuse_par_la_table_n_ecrit_rien`).

Chaque exemple tourne dans sa propre transaction (`hypothesis.extra.django.TestCase`).
"""

from __future__ import annotations

import copy
import json
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from candidatures.forms.candidatures import DemandePiecesForm, ResoumissionForm
from candidatures.forms.deliberation import RouvrirForm
from candidatures.forms.jury import EvaluationForm
from candidatures.imports import COLONNES
from candidatures.models import Vague
from tests import factories as f
from tests.acces.monde import ANONYME, EQUIPE, JURE, ROLES, construire_monde
from tests.acces.table import CONNEXION
from tests.acces.test_urls_roles import TABLE

from .formulaires import (
    Champ,
    Formulaire,
    champs_du_formulaire,
    differences,
    instantane,
    relever,
)

# 4 exemples par formulaire (60 formulaires) gardent l'ensemble sous deux minutes sur deux cœurs ;
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
    "login",  # ouverte à tous, sans compte : la plus exposée (envoyée sans session)
    "password_change",
    "password_reset",
    "password_reset_confirm",
    "courriel_renvoyer",
    "courriels_renvoyer_tout",
]

# Les adresses qui acceptent un POST sans être des cibles, chacune avec sa raison.
EXEMPTEES = {
    "logout": "aucune saisie, n'écrit que la session ; la table d'accès vérifie POST et GET (405)",
}
# L'administration de Django (admin:login, admin:logout, ses fiches) : les formulaires de Django,
# réservés aux comptes is_staff, hors de l'interface de l'application ; la table d'accès vérifie
# son entrée (admin:index).
ESPACES_EXEMPTES = ("admin:",)

# Les cibles qui, acceptées, redirigent sans message de succès après avoir écrit : les vues de
# comptes de Django, dont la page suivante dit ce qui est fait. Pour toute autre cible, une
# redirection sans message de succès, d'information ou d'avertissement est un refus.
# (`login` accepté redirige aussi sans message, mais n'écrit que la session et `last_login`,
# hors de l'instantané.)
ECRITURES_SILENCIEUSES = {
    "password_change": "→ mot-de-passe/modifie/ : le mot de passe est changé",
    "password_reset": "→ mot-de-passe/oublie/envoye/ : le lien est mis en file (Courriel) ; "
    "même réponse pour une adresse inconnue, qui n'écrit rien",
    "password_reset_confirm": "→ mot-de-passe/reinitialise/ : le mot de passe est changé",
}

# L'anonyme relève la connexion et le mot de passe oublié ; l'administrateur et le responsable
# régional voient les mêmes formulaires que l'équipe.
ROLES_RELEVES = [EQUIPE, JURE, ANONYME]

# Le mot de passe des comptes des fabriques, et un nouveau mot de passe acceptable : proposés aux
# formulaires de comptes pour que leur chemin de succès soit aussi parcouru.
MOT_DE_PASSE = "mot-de-passe-de-test"
NOUVEAU_MOT_DE_PASSE = "Une phrase de passe assez longue 2024"


def _valeurs_en_plus(monde) -> dict[str, dict[str, list[str]]]:
    """Des valeurs qu'un utilisateur connaît sans que la page les propose."""
    comptes = [u for u in monde.utilisateurs.values() if u is not None]
    nouveau = {"new_password1": [NOUVEAU_MOT_DE_PASSE], "new_password2": [NOUVEAU_MOT_DE_PASSE]}
    return {
        "login": {"username": [u.username for u in comptes], "password": [MOT_DE_PASSE]},
        "password_change": {"old_password": [MOT_DE_PASSE], **nouveau},
        "password_reset": {"email": [u.email for u in comptes]},
        "password_reset_confirm": nouveau,
    }


def _grille_modifiable(monde):
    """Une vague en brouillon avec un critère, sans évaluation : sa grille change encore.

    La grille de `monde.vague` est figée (une évaluation y est soumise) : ses critères n'ont plus
    de formulaire, et CritereForm ne serait jamais atteint.
    """

    def fabrique(m):
        vague = f.VagueFactory(numero=8, statut=Vague.Statut.BROUILLON)
        return vague, f.CritereFactory(vague=vague, libelle="Ancrage local", poids=1)

    return monde.obtenir("vague_grille_modifiable", fabrique)


def _pages_en_plus(monde) -> list[str]:
    """Des pages que la table d'accès n'ouvre pas sur ces objets : leurs formulaires sont relevés."""
    vague, critere = _grille_modifiable(monde)
    return [
        reverse("vague_detail", kwargs={"pk": vague.pk}),
        reverse("vague_critere_ajouter", kwargs={"pk": vague.pk}),
        reverse("vague_critere_modifier", kwargs={"pk": vague.pk, "critere_pk": critere.pk}),
    ]


# Les formulaires qu'aucune page du monde ne montre (état de l'objet, ou pas un <form> de la
# page) : envoyés à l'adresse de la table d'accès, avec les champs de la classe de formulaire que
# la vue lit (lue dans la vue), pour que Hypothesis brouille leurs vrais champs.
CHAMPS_DE_SECOURS = {
    # Un bouton sans champ : la vue ne lit que le plan de l'adresse (plan sans vague visée ici).
    "accompagnement_resoumettre": lambda m: {},
    # Le formulaire de la consolidation n'est servi que pour une candidature reçue ou incomplète.
    "candidature_demande_creer": lambda m: champs_du_formulaire(
        DemandePiecesForm(candidature=m.candidature_affectee)
    ),
    # La vue lit request.POST["jeton"] (pas de classe de formulaire) ; le jeton d'une vraie
    # simulation en attente est proposé à chaque exemple (`PREPARATIONS`).
    "candidature_import_executer": lambda m: {"jeton": Champ("jeton", "hidden")},
    # Servi seulement pour une candidature non retenue et une vague ultérieure ouverte.
    "candidature_resoumettre": lambda m: champs_du_formulaire(
        ResoumissionForm(vagues=Vague.objects.all())
    ),
    # Servi seulement pour une vague aux résultats publiés.
    "deliberation_rouvrir": lambda m: champs_du_formulaire(RouvrirForm()),
    # Envoyé par evaluation.js pendant la frappe, pas par un <form> : la grille d'EvaluationForm.
    "jury_evaluation_autosave": lambda m: champs_du_formulaire(
        EvaluationForm(criteres=list(m.affectation.candidature.vague.criteres.all()))
    ),
}
DE_SECOURS = sorted(CHAMPS_DE_SECOURS)

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


def _refuse(reponse, messages, url_name: str) -> bool:
    """Un refus : un message d'erreur, un code d'erreur, ou une réponse sans message d'acceptation.

    Sans message de succès, d'information ou d'avertissement, le formulaire rendu (200) comme une
    redirection (302) est un refus : rien ne doit être écrit. Seules les vues de
    `ECRITURES_SILENCIEUSES` redirigent sans message après avoir écrit.
    """
    if reponse.get("Content-Type", "").startswith("application/json"):
        return json.loads(reponse.content).get("ok") is not True
    niveaux = {niveau for niveau, _ in messages}
    if "error" in niveaux or reponse.status_code in (400, 403, 404, 409):
        return True
    if niveaux & {"success", "warning", "info"}:
        return False
    return not (reponse.status_code == 302 and url_name in ECRITURES_SILENCIEUSES)


def _csv_valide(code_insee: str) -> bytes:
    """Une ligne d'import valide : la commune, et l'exemple du modèle pour chaque colonne obligatoire."""
    colonnes = [c for c in COLONNES if c.obligatoire and c.nom != "code_insee"]
    entete = ";".join(["code_insee"] + [c.nom for c in colonnes])
    ligne = ";".join([code_insee] + [c.exemple for c in colonnes])
    return f"{entete}\n{ligne}\n".encode()


def _simulation_en_attente(test) -> dict[str, list[str]]:
    """Une simulation d'import valide en attente dans la session : le jeton de sa page."""
    fichier = SimpleUploadedFile("import.csv", _csv_valide(test.commune_import))
    reponse = test.client.post(
        reverse("candidature_import"), {"vague": test.vague_import, "fichier": fichier}
    )
    attente = test.client.session.get("import_candidatures")
    test.assertIsNotNone(attente, "simulation refusée : " + reponse.content.decode()[:3000])
    return {"jeton": [attente["jeton"]]}


# Avant chaque exemple, dans la session de l'envoi : ce que la page aurait donné à ce formulaire.
PREPARATIONS = {"candidature_import_executer": _simulation_en_attente}


def _acceptent_un_post() -> set[str]:
    """Les adresses qui acceptent un POST d'après la table d'accès.

    Un cas POST qui n'est pas refusé (405) à tous les rôles, ou un GET refusé (405) à tous les
    rôles : une vue `require_POST`, même si aucune page du monde ne montre son formulaire.
    """
    noms = set()
    for url_name, cas_liste in TABLE.items():
        for cas in cas_liste:
            tous_405 = set(cas.attendu.values()) == {405}
            if (cas.methode == "post" and not tous_405) or (cas.methode == "get" and tous_405):
                noms.add(url_name)
    return noms


def _exemptee(url_name: str) -> bool:
    return url_name in EXEMPTEES or url_name.startswith(ESPACES_EXEMPTES)


class FormulairesArbitraires(TestCase):
    formulaires: dict[str, Formulaire]
    trouves: set[str]
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
        pages.append(reverse("login"))  # ouverte à l'anonyme seulement
        pages += _pages_en_plus(monde)
        cls.formulaires = {}
        client = Client()
        for role in ROLES_RELEVES:
            client.logout()
            if monde.utilisateurs[role] is not None:
                client.force_login(monde.utilisateurs[role])
            for page in pages:
                # Connecté, on suit les redirections : le lien de réinitialisation du mot de
                # passe mène à son formulaire. L'anonyme serait mené à la connexion à chaque fois.
                reponse = client.get(page, follow=role != ANONYME)
                if reponse.status_code != 200 or "html" not in reponse.get("Content-Type", ""):
                    continue
                servie = reponse.request["PATH_INFO"]
                avant = page if getattr(reponse, "redirect_chain", None) else ""
                for formulaire in relever(reponse.content.decode(), servie, role, avant):
                    deja = cls.formulaires.get(formulaire.url_name)
                    if deja is None:
                        cls.formulaires[formulaire.url_name] = formulaire
                    elif deja.action == formulaire.action:
                        deja.fusionner(formulaire)
                        if not formulaire.avant:
                            deja.avant = ""  # servi aussi sans redirection : pas de détour
        cls.trouves = set(cls.formulaires)
        # Un formulaire qu'aucune page du monde ne montre : l'adresse de la table d'accès, les
        # champs de la classe de formulaire de la vue, et les valeurs envoyées par la table.
        cls.de_secours = []
        for url_name in CIBLES:
            if url_name in cls.formulaires:
                continue
            for cas in TABLE.get(url_name, []):
                role = next((r for r in (EQUIPE, JURE) if cas.attendu[r] in (200, 302)), None)
                if role and (cas.methode == "post" or cas.attendu[role] == 200):
                    champs = (
                        CHAMPS_DE_SECOURS[url_name](monde) if url_name in CHAMPS_DE_SECOURS else {}
                    )
                    formulaire = Formulaire(
                        reverse(url_name, kwargs=cas.kwargs(monde)), url_name, champs, role
                    )
                    donnees = cas.donnees(monde) if cas.methode == "post" else {}
                    formulaire.fusionner(
                        Formulaire(
                            formulaire.action,
                            url_name,
                            {n: Champ(n, "text", [str(v)]) for n, v in donnees.items()},
                        )
                    )
                    cls.formulaires[url_name] = formulaire
                    cls.de_secours.append(url_name)
                    break
        for url_name, valeurs in _valeurs_en_plus(monde).items():
            if url_name in cls.formulaires:
                cls.formulaires[url_name].fusionner(
                    Formulaire("", url_name, {n: Champ(n, "text", v) for n, v in valeurs.items()})
                )
        # L'import à exécuter : une vague ouverte et une commune du monde pour la simulation.
        cls.vague_import = f.VagueFactory(numero=7, statut=Vague.Statut.APPEL_OUVERT).pk
        cls.commune_import = f.CommuneFactory().code_insee
        # Chaque exemple repart de cet état (sa transaction est annulée à la fin).
        cls.etat_initial = instantane()

    def _preparer(self, url_name: str) -> tuple[Formulaire, dict]:
        """Connecte le rôle du formulaire, ouvre ce que la page demande d'abord ; l'état avant."""
        formulaire = self.formulaires[url_name]
        from django.contrib.auth import get_user_model

        if formulaire.role != ANONYME:
            user = get_user_model().objects.get(pk=self.utilisateurs[formulaire.role])
            self.client.force_login(user)
        if formulaire.avant:
            self.client.get(formulaire.avant)
        preparation = PREPARATIONS.get(url_name)
        if preparation is None:
            return formulaire, self.etat_initial
        formulaire = copy.deepcopy(formulaire)
        valeurs = preparation(self)
        formulaire.fusionner(
            Formulaire("", url_name, {n: Champ(n, "hidden", v) for n, v in valeurs.items()})
        )
        return formulaire, instantane()

    def _envoyer(self, formulaire: Formulaire, donnees: dict, avant: dict) -> None:
        reponse = self.client.post(formulaire.action, donnees)

        messages = _messages(reponse)
        self.assertNotEqual(reponse.status_code, 500)
        for _, texte in messages:
            self.assertTrue(texte.strip())
            self.assertIsNone(ANGLAIS.search(texte), texte)
        if reponse.status_code in (200, 400, 403, 404) and not getattr(reponse, "streaming", False):
            contenu = reponse.content.decode(errors="replace")
            self.assertIsNone(ANGLAIS.search(contenu), ANGLAIS.search(contenu))
        if _refuse(reponse, messages, formulaire.url_name):
            self.assertIn(reponse.status_code, (200, 302, 400, 403, 404, 409))
            self.assertEqual(
                differences(avant, instantane()),
                [],
                f"envoi refusé ({reponse.status_code}, {messages}) mais tables modifiées",
            )

    def test_formulaires_trouves_dans_les_pages(self):
        """Seuls les formulaires de DE_SECOURS sont envoyés sans avoir été trouvés dans une page."""
        self.assertEqual(sorted(self.de_secours), DE_SECOURS)

    def test_chaque_adresse_qui_accepte_un_post_est_une_cible(self):
        """Une adresse qui accepte un POST est une cible, ou une exemption avec sa raison.

        Accepte un POST : un cas POST de la table d'accès qui n'est pas 405 pour tous, un GET
        refusé (405) pour tous (`require_POST`), ou un <form method="post"> d'une page du monde
        qui la vise.
        """
        acceptent = _acceptent_un_post() | self.trouves
        oubliees = sorted(n for n in acceptent if n not in CIBLES and not _exemptee(n))
        self.assertEqual(
            oubliees, [], "acceptent un POST : ajoutez-les à CIBLES, ou à EXEMPTEES avec la raison"
        )
        self.assertEqual(sorted(set(CIBLES) - acceptent), [], "cibles qui n'acceptent pas de POST")
        self.assertEqual(sorted(set(EXEMPTEES) - acceptent), [], "exemptions devenues inutiles")
        self.assertEqual(sorted(set(EXEMPTEES) & set(CIBLES)), [])
        self.assertEqual(len(CIBLES), len(set(CIBLES)), "cible en double")
        self.assertLessEqual(set(ECRITURES_SILENCIEUSES), set(CIBLES))


def _test_pour(url_name: str):
    @EXEMPLES
    @given(data=st.data())
    def test(self, data):
        self.assertIn(url_name, self.formulaires, "formulaire introuvable dans les pages")
        formulaire, avant = self._preparer(url_name)
        donnees = data.draw(envois(formulaire), label="données envoyées")
        self._envoyer(formulaire, donnees, avant)

    test.__name__ = f"test_{url_name}"
    test.__doc__ = f"Envois arbitraires à « {url_name} » : pas de 500, un refus n'écrit rien."
    return test


for _nom in CIBLES:
    setattr(FormulairesArbitraires, f"test_{_nom}", _test_pour(_nom))


# -- les POST refusés par la table d'accès --------------------------------------------------
REFUS = (403, 404, 405, CONNEXION)
POST_REFUSES = sorted(
    url_name
    for url_name, cas_liste in TABLE.items()
    if any(c.methode == "post" and set(c.attendu.values()) & set(REFUS) for c in cas_liste)
)


@pytest.mark.parametrize("url_name", POST_REFUSES)
def test_un_post_refuse_par_la_table_n_ecrit_rien(url_name, client, db):
    """Chaque POST de la table d'accès refusé à un rôle (403, 404, 405, connexion) n'écrit rien.

    Par exemple, le responsable régional qui envoie la fiche, les jalons, les formations, les
    inscriptions ou les financements d'un site d'une autre région : 403, et aucune ligne ne change
    (la même saisie est acceptée pour l'équipe, voir `tests/acces/table_sites.py`).
    """
    monde = construire_monde()
    ecritures = []
    for cas in TABLE[url_name]:
        if cas.methode != "post":
            continue
        for role in ROLES:
            if cas.attendu[role] not in REFUS:
                continue
            client.logout()
            if monde.utilisateurs[role] is not None:
                client.force_login(monde.utilisateurs[role])
            url = reverse(url_name, kwargs=cas.kwargs(monde))
            donnees = cas.donnees(monde)
            avant = instantane()
            reponse = client.post(url + ("?" + cas.query if cas.query else ""), donnees)
            modifiees = differences(avant, instantane())
            if modifiees:
                ecritures.append(
                    f"{cas.nom or 'post'} [{role}] {reponse.status_code} : {modifiees}"
                )
    assert ecritures == []
