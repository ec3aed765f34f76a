"""Le référentiel territorial, les organisations du jury, les objectifs et la boîte d'envoi."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


def normaliser_nom(nom: str) -> str:
    """Forme de comparaison d'un nom de commune : sans casse, accents, tirets ni « St »."""
    texte = unicodedata.normalize("NFKD", nom or "")
    texte = "".join(c for c in texte if not unicodedata.combining(c)).lower()
    for signe in "-'’.,_/()":
        texte = texte.replace(signe, " ")
    mots = []
    for mot in texte.split():
        if mot == "st":
            mot = "saint"
        elif mot == "ste":
            mot = "sainte"
        mots.append(mot)
    return " ".join(mots)


class Region(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class Departement(models.Model):
    code = models.CharField("code", max_length=3, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.nom}"


class Epci(models.Model):
    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=10, help_text="CC, CA, CU, ME…")

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class VilleAcv(models.Model):
    """Une ville du programme Action Cœur de Ville : une commune, ou un binôme de communes."""

    ENTREE_INITIALE = 2018

    id_acv = models.CharField("numéro ACV", max_length=10, primary_key=True)
    libelle = models.CharField("libellé du programme", max_length=200)
    date_signature = models.DateField("signature de la convention", null=True, blank=True)
    entree = models.PositiveSmallIntegerField("année d'entrée")

    class Meta:
        verbose_name = "ville ACV"
        verbose_name_plural = "villes ACV"
        ordering = ["libelle"]

    def __str__(self) -> str:
        return f"{self.libelle} ({self.id_acv})"

    @property
    def est_binome(self) -> bool:
        return self.communes.count() > 1


class CommuneQuerySet(models.QuerySet):
    def acv(self) -> CommuneQuerySet:
        return self.filter(ville_acv__isnull=False)

    def recherche(self, terme: str) -> CommuneQuerySet:
        """Par code INSEE (début) ou par nom normalisé (début d'un mot)."""
        terme = (terme or "").strip()
        if not terme:
            return self.none()
        if terme[:1].isdigit() or terme[:2].upper() in ("2A", "2B"):
            return self.filter(code_insee__startswith=terme.upper())
        norme = normaliser_nom(terme)
        return self.filter(
            Q(nom_normalise__startswith=norme) | Q(nom_normalise__contains=" " + norme)
        )


class Commune(models.Model):
    code_insee = models.CharField("code INSEE", max_length=5, primary_key=True)
    nom = models.CharField("nom", max_length=100)
    nom_normalise = models.CharField(max_length=100, db_index=True, editable=False)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="communes"
    )
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    ville_acv = models.ForeignKey(
        VilleAcv,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name="ville ACV",
    )

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        ordering = ["nom"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.code_insee})"

    def save(self, *args, **kwargs) -> None:
        self.nom_normalise = normaliser_nom(self.nom)
        super().save(*args, **kwargs)

    @property
    def est_acv(self) -> bool:
        return self.ville_acv_id is not None


class Organisation(models.Model):
    """Un des cinq organismes représentés au jury."""

    sigle = models.SlugField("code", max_length=40, unique=True)
    nom = models.CharField("nom", max_length=200, unique=True)
    ordre = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "organisation"
        ordering = ["ordre", "nom"]

    def __str__(self) -> str:
        return self.nom


class Objectif(models.Model):
    """Une cible du programme : un nombre de sites ouverts à une échéance."""

    libelle = models.CharField("libellé", max_length=200)
    echeance = models.DateField("échéance")
    nombre_sites = models.PositiveIntegerField("nombre de sites ouverts")
    acv_seulement = models.BooleanField("seuls les sites en ville ACV comptent", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "objectif"
        ordering = ["echeance", "-nombre_sites"]
        constraints = [
            models.CheckConstraint(condition=Q(nombre_sites__gt=0), name="objectif_nombre_positif"),
        ]

    def __str__(self) -> str:
        return self.libelle


class Profil(models.Model):
    """Ce que le rôle d'un compte demande en plus : la région d'un responsable régional."""

    utilisateur = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profil"
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Pour un responsable régional : la région dont il met à jour les sites.",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Pour un membre du jury : l'organisation qu'il représente.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "profil"

    def __str__(self) -> str:
        return f"Profil de {self.utilisateur}"


class ModeleCourriel(models.Model):
    """Un modèle de courriel que l'équipe modifie ; sujet et corps en syntaxe de gabarit Django."""

    code = models.SlugField("code", max_length=50, unique=True)
    libelle = models.CharField("libellé", max_length=200)
    sujet = models.CharField("sujet", max_length=250)
    corps = models.TextField("corps")
    aide = models.TextField("variables disponibles", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "modèle de courriel"
        verbose_name_plural = "modèles de courriel"
        ordering = ["libelle"]

    def __str__(self) -> str:
        return self.libelle


class Courriel(models.Model):
    """Un courriel de la boîte d'envoi : tout ce que l'application envoie passe par ici."""

    class Statut(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        ENVOYE = "envoye", "Envoyé"
        ECHEC = "echec", "Échec"

    destinataire = models.EmailField("destinataire")
    sujet = models.CharField("sujet", max_length=250)
    corps = models.TextField("corps")
    categorie = models.CharField("catégorie", max_length=50, blank=True)
    statut = models.CharField(
        "état", max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE, db_index=True
    )
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    derniere_erreur = models.TextField("dernière erreur", blank=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "courriel"
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"{self.sujet} → {self.destinataire}"
