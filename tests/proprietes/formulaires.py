"""Outils des propriétés des formulaires : relevé des formulaires dans les pages, instantané de la base.

Les formulaires sont relevés dans le HTML réellement servi (champs, options des listes, valeurs des
boutons), là où chaque rôle les voit : ce que le test envoie ensuite, c'est ce qu'un navigateur
pourrait envoyer, puis n'importe quoi d'autre.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import Resolver404, resolve


@dataclass
class Champ:
    nom: str
    genre: str  # text, hidden, select, checkbox, radio, file, textarea, submit…
    valeurs: list[str] = field(default_factory=list)  # valeurs proposées par la page


@dataclass
class Formulaire:
    action: str  # chemin, sans requête ni fragment
    url_name: str
    champs: dict[str, Champ] = field(default_factory=dict)
    role: str = ""
    # La page à ouvrir d'abord, dans la même session, quand le formulaire n'est servi qu'après
    # une redirection (le lien de réinitialisation du mot de passe range son jeton en session).
    avant: str = ""

    def fusionner(self, autre: Formulaire) -> None:
        for nom, champ in autre.champs.items():
            if nom in self.champs:
                for valeur in champ.valeurs:
                    if valeur not in self.champs[nom].valeurs:
                        self.champs[nom].valeurs.append(valeur)
            else:
                self.champs[nom] = champ


class _Releveur(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.formulaires: list[tuple[str, dict[str, Champ]]] = []
        self._courant: dict[str, Champ] | None = None
        self._select: Champ | None = None
        self._autres_actions: list[tuple[str, dict[str, Champ]]] = []

    def _ajouter(self, nom: str, genre: str, valeur: str | None) -> None:
        if self._courant is None or not nom or nom == "csrfmiddlewaretoken":
            return
        champ = self._courant.setdefault(nom, Champ(nom, genre))
        if valeur is not None and valeur not in champ.valeurs:
            champ.valeurs.append(valeur)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self._courant = {}
                self.formulaires.append((urljoin(self.page, a.get("action") or ""), self._courant))
            return
        if self._courant is None:
            return
        if tag == "input":
            genre = (a.get("type") or "text").lower()
            valeur = a.get("value")
            if genre in ("checkbox", "radio") and valeur is None:
                valeur = "on"
            self._ajouter(a.get("name"), genre, valeur)
        elif tag == "button":
            if a.get("name"):
                self._ajouter(a["name"], "submit", a.get("value", ""))
            if a.get("formaction"):  # un bouton qui envoie le même formulaire ailleurs
                self._autres_actions.append((urljoin(self.page, a["formaction"]), self._courant))
        elif tag == "textarea":
            self._ajouter(a.get("name"), "textarea", None)
        elif tag == "select":
            self._ajouter(a.get("name"), "select", None)
            self._select = self._courant.get(a.get("name") or "")
        elif tag == "option" and self._select is not None:
            valeur = a.get("value")
            if valeur is not None and valeur not in self._select.valeurs:
                self._select.valeurs.append(valeur)

    def handle_endtag(self, tag):
        if tag == "form":
            self._courant = None
        elif tag == "select":
            self._select = None

    def resultat(self) -> list[tuple[str, dict[str, Champ]]]:
        return self.formulaires + self._autres_actions


def relever(html: str, page: str, role: str, avant: str = "") -> list[Formulaire]:
    """Les formulaires POST d'une page, rattachés au nom de l'adresse qu'ils visent.

    Le nom est complet, espace de noms compris (« admin:login » n'est pas « login »).
    """
    releveur = _Releveur(page)
    releveur.feed(html)
    formulaires = []
    for action, champs in releveur.resultat():
        chemin = urlsplit(action).path
        try:
            url_name = resolve(chemin).view_name
        except Resolver404:
            continue
        formulaires.append(Formulaire(chemin, url_name, dict(champs), role, avant))
    return formulaires


def champs_du_formulaire(form) -> dict[str, Champ]:
    """Les champs d'un formulaire Django (non lié), comme une page les proposerait.

    Pour les formulaires qu'aucune page du monde ne montre : leurs vrais noms de champs, avec les
    choix proposés (identifiants des listes, choix, valeur initiale), pour que Hypothesis les
    brouille comme ceux relevés dans une page.
    """
    from django import forms

    champs = {}
    for nom, champ in form.fields.items():
        cle = form.add_prefix(nom)
        valeurs: list[str] = []
        if isinstance(champ, forms.FileField):
            genre = "file"
        elif isinstance(champ, forms.BooleanField):
            genre, valeurs = "checkbox", ["on"]
        elif isinstance(champ, forms.ModelChoiceField):
            genre = (
                "checkbox" if isinstance(champ.widget, forms.CheckboxSelectMultiple) else "select"
            )
            valeurs = [str(pk) for pk in champ.queryset.values_list("pk", flat=True)[:50]]
        elif isinstance(champ, forms.ChoiceField):
            genre = "select"
            valeurs = [str(v) for v, _ in champ.choices]
        else:
            genre = "textarea" if isinstance(champ.widget, forms.Textarea) else "text"
        initial = form.get_initial_for_field(champ, nom)
        if initial not in (None, "", [], ()) and not isinstance(initial, bool | list | tuple):
            valeurs.append(str(initial))
        champs[cle] = Champ(cle, genre, list(dict.fromkeys(valeurs)))
    return champs


# -- instantané de la base ---------------------------------------------------------------------
def _modeles():
    for app in ("acv", "candidatures", "sites"):
        yield from apps.get_app_config(app).get_models()


def instantane() -> dict[str, list]:
    """Toutes les lignes des tables de l'application (et des comptes, hors dernière connexion)."""
    etat = {m._meta.label: list(m.objects.order_by("pk").values_list()) for m in _modeles()}
    User = get_user_model()
    champs = [f.attname for f in User._meta.concrete_fields if f.attname != "last_login"]
    etat["comptes"] = list(User.objects.order_by("pk").values_list(*champs))
    etat["groupes"] = list(User.groups.through.objects.order_by("pk").values_list())
    return etat


def differences(avant: dict, apres: dict) -> list[str]:
    return [nom for nom in avant if avant[nom] != apres.get(nom)]
