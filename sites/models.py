"""Le déploiement : les sites (espaces d'accès à la formation), leurs jalons, leur offre et leurs chiffres."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from acv.erreurs import TransitionRefusee, enregistrer_avec_version
from acv.models import Commune, Epci, Region
from candidatures.models import Candidature


class CentreRegional(models.Model):
    """Un Cnam en région : il opère les sites de sa région."""

    nom = models.CharField("nom", max_length=200, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="centres_regionaux", verbose_name="région"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "centre régional du Cnam"
        verbose_name_plural = "centres régionaux du Cnam"
        ordering = ["nom"]

    def __str__(self) -> str:
        return self.nom


class SiteQuerySet(models.QuerySet):
    def avec_territoire(self) -> SiteQuerySet:
        return self.select_related(
            "commune",
            "commune__departement",
            "commune__region",
            "commune__ville_acv",
            "operateur",
            "candidature__vague",
        )

    def en_ville_acv(self) -> SiteQuerySet:
        return self.filter(commune__ville_acv__isnull=False)

    def qui_comptent(self) -> SiteQuerySet:
        """Les sites ouverts (ou suspendus, donc ouverts un jour et pas fermés) : ceux des objectifs."""
        return self.filter(statut__in=Site.QUI_COMPTENT, date_ouverture__isnull=False)

    def modifiables_par(self, user) -> SiteQuerySet:
        from acv.roles import est_equipe, est_responsable_regional

        if est_equipe(user):
            return self
        if est_responsable_regional(user):
            region_id = region_de(user)
            return self.filter(commune__region_id=region_id) if region_id else self.none()
        return self.none()


def region_de(user) -> str | None:
    """Le code de la région d'un responsable régional (None sans profil ou sans région)."""
    profil = getattr(user, "profil", None) if getattr(user, "is_authenticated", False) else None
    return profil.region_id if profil else None


class Site(models.Model):
    class Statut(models.TextChoices):
        PLANIFIE = "planifie", "Planifié"
        EN_PREPARATION = "en_preparation", "En préparation"
        OUVERT = "ouvert", "Ouvert"
        SUSPENDU = "suspendu", "Suspendu"
        FERME = "ferme", "Fermé"

    # Transitions permises : statut de départ -> statuts d'arrivée. Un projet peut être abandonné
    # (fermé) avant d'ouvrir ; un site suspendu peut rouvrir.
    TRANSITIONS = {
        Statut.PLANIFIE: {Statut.EN_PREPARATION, Statut.FERME},
        Statut.EN_PREPARATION: {Statut.OUVERT, Statut.PLANIFIE, Statut.FERME},
        Statut.OUVERT: {Statut.SUSPENDU, Statut.FERME},
        Statut.SUSPENDU: {Statut.OUVERT, Statut.FERME},
        Statut.FERME: set(),
    }
    ACTIONS = {
        Statut.PLANIFIE: "Revenir à « planifié »",
        Statut.EN_PREPARATION: "Passer en préparation",
        Statut.OUVERT: "Ouvrir le site",
        Statut.SUSPENDU: "Suspendre l'activité",
        Statut.FERME: "Fermer le site",
    }
    QUI_COMPTENT = (Statut.OUVERT, Statut.SUSPENDU)
    AVANT_OUVERTURE = (Statut.PLANIFIE, Statut.EN_PREPARATION)

    candidature = models.OneToOneField(
        Candidature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="site",
        verbose_name="candidature d'origine",
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="sites")
    porteur = models.CharField(
        "porteur",
        max_length=10,
        choices=Candidature.Porteur.choices,
        default=Candidature.Porteur.COMMUNE,
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
        verbose_name="EPCI porteur",
    )
    nom = models.CharField("nom du site", max_length=200)
    adresse = models.TextField("adresse", blank=True)
    operateur = models.ForeignKey(
        CentreRegional,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sites",
        verbose_name="opérateur (Cnam en région)",
    )
    contact_nom = models.CharField("nom du contact", max_length=200, blank=True)
    contact_fonction = models.CharField("fonction du contact", max_length=200, blank=True)
    contact_email = models.EmailField("courriel du contact", blank=True)
    contact_telephone = models.CharField("téléphone du contact", max_length=30, blank=True)
    date_ouverture_prevue = models.DateField("ouverture prévue", null=True, blank=True)
    date_ouverture = models.DateField("date d'ouverture", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=Statut.choices, default=Statut.PLANIFIE, db_index=True
    )
    version = models.PositiveIntegerField(default=0)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)
    history = HistoricalRecords(excluded_fields=["modifie_le"])

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "site"
        ordering = ["commune__nom", "nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut__in=["planifie", "en_preparation", "ferme"])
                | Q(date_ouverture__isnull=False),
                name="site_ouvert_a_une_date_d_ouverture",
            ),
            models.CheckConstraint(
                condition=Q(porteur="commune") | Q(epci__isnull=False),
                name="site_epci_si_porteur_epci",
            ),
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def est_acv(self) -> bool:
        return self.commune.ville_acv_id is not None

    @property
    def libelle_porteur(self) -> str:
        if self.porteur == Candidature.Porteur.EPCI and self.epci_id:
            return self.epci.nom
        return f"Commune de {self.commune.nom}"

    @property
    def statuts_suivants(self) -> list[tuple[str, str]]:
        """(statut, libellé de l'action) des transitions possibles depuis le statut actuel."""
        ordre = list(self.Statut)
        return [
            (s.value, self.ACTIONS[s])
            for s in sorted(self.TRANSITIONS[self.Statut(self.statut)], key=ordre.index)
        ]

    def changer_statut(
        self, vers: str, *, par, date_ouverture: datetime.date | None = None, note: str = ""
    ) -> None:
        """Passe au statut `vers` si la transition est permise.

        Ouvrir exige la date d'ouverture (pas dans le futur) ; rouvrir un site suspendu garde
        la première date d'ouverture. Enregistre avec verrou optimiste (`version` lue) et une
        ligne d'historique (qui, motif). Lève TransitionRefusee ou ConflitDeVersion.
        """
        depart = self.Statut(self.statut)
        if vers not in self.Statut.values:
            raise TransitionRefusee(f"Statut inconnu : « {vers} ».")
        vers = self.Statut(vers)
        if vers not in self.TRANSITIONS[depart]:
            raise TransitionRefusee(
                f"Le site « {self.nom} » est « {depart.label} » : "
                f"il ne peut pas passer à « {vers.label} »."
            )
        champs = ["statut", "modifie_le"]
        if vers == self.Statut.OUVERT and depart != self.Statut.SUSPENDU:
            if date_ouverture is None:
                raise TransitionRefusee("Indiquez la date d'ouverture du site.")
            if date_ouverture > timezone.localdate():
                raise TransitionRefusee(
                    "La date d'ouverture ne peut pas être dans le futur : "
                    "ouvrez le site le jour où il ouvre."
                )
            self.date_ouverture = date_ouverture
            champs.append("date_ouverture")
        self.statut = vers
        self._change_reason = f"{depart.label} → {vers.label}" + (f" : {note}" if note else "")
        self._history_user = par
        try:
            enregistrer_avec_version(self, champs)
        except Exception:
            self.statut = depart
            raise
        finally:
            del self._change_reason  # le motif ne vaut que pour cette transition

    def jalons_par_defaut(self) -> list[Jalon]:
        """Le jeu de jalons de départ, datés depuis l'ouverture prévue (ou dans un an sans elle)."""
        repere = self.date_ouverture_prevue or (timezone.localdate() + datetime.timedelta(days=365))
        return [
            Jalon(
                site=self,
                libelle=libelle,
                echeance=repere + datetime.timedelta(days=decalage),
                ordre=ordre,
            )
            for ordre, (libelle, decalage) in enumerate(Jalon.PAR_DEFAUT, start=1)
        ]


class JalonQuerySet(models.QuerySet):
    def en_retard(self, aujourdhui: datetime.date | None = None) -> JalonQuerySet:
        """Échéance passée et pas fait ; les sites fermés ne sont plus suivis."""
        return self.filter(
            fait_le__isnull=True, echeance__lt=aujourdhui or timezone.localdate()
        ).exclude(site__statut=Site.Statut.FERME)


class Jalon(models.Model):
    """Une étape datée de l'ouverture d'un site."""

    # libellé, décalage en jours depuis l'ouverture prévue
    PAR_DEFAUT = [
        ("Convention signée", -270),
        ("Locaux prêts", -60),
        ("Équipe recrutée", -30),
        ("Premier cours", 0),
        ("Inauguration", 60),
    ]

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="jalons")
    libelle = models.CharField("libellé", max_length=200)
    echeance = models.DateField("échéance", null=True, blank=True)
    fait_le = models.DateField("fait le", null=True, blank=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=100)
    history = HistoricalRecords()

    objects = JalonQuerySet.as_manager()

    class Meta:
        verbose_name = "jalon"
        ordering = ["site", "echeance", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["site", "libelle"], name="jalon_unique_par_site"),
        ]
        indexes = [
            # Les retards, du plus ancien au plus récent (tableau de bord) : lus dans l'ordre des
            # échéances parmi les seuls jalons pas faits, sans trier tous les retards du programme.
            models.Index(
                fields=["echeance"],
                condition=Q(fait_le__isnull=True),
                name="jalon_a_faire_echeance",
            ),
        ]

    def __str__(self) -> str:
        return self.libelle

    def est_en_retard(self, aujourdhui: datetime.date | None = None) -> bool:
        return (
            self.fait_le is None
            and self.echeance is not None
            and self.echeance < (aujourdhui or timezone.localdate())
        )

    @property
    def en_retard(self) -> bool:
        return self.est_en_retard()

    @property
    def jours_de_retard(self) -> int:
        return (timezone.localdate() - self.echeance).days if self.est_en_retard() else 0


class Formation(models.Model):
    """Une formation de l'offre d'un site."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="formations")
    intitule = models.CharField("intitulé", max_length=250)
    domaine = models.CharField("domaine", max_length=150, blank=True)
    niveau = models.CharField(
        "niveau ou certification",
        max_length=150,
        blank=True,
        help_text="Par exemple : titre RNCP niveau 5, certificat de compétence, licence professionnelle.",
    )
    date_debut = models.DateField("date de début", null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "formation"
        ordering = ["site", "date_debut", "intitule"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "intitule", "date_debut"], name="formation_unique_par_site"
            ),
        ]

    def __str__(self) -> str:
        return self.intitule


class Inscriptions(models.Model):
    """Le nombre d'inscrits d'un site pour une année."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="inscriptions")
    annee = models.PositiveSmallIntegerField("année")
    nombre = models.PositiveIntegerField("inscrits")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "inscriptions d'une année"
        verbose_name_plural = "inscriptions"
        ordering = ["site", "annee"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "annee"], name="inscriptions_unique_par_site_et_annee"
            ),
            models.CheckConstraint(
                condition=Q(annee__gte=2019) & Q(annee__lte=2100),
                name="inscriptions_annee_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.annee} : {self.nombre}"


class LigneFinancementSite(models.Model):
    """Une ligne du financement d'un site."""

    class Source(models.TextChoices):
        CONVENTION_ACV = "convention_acv", "Convention Action Cœur de Ville"
        BANQUE_TERRITOIRES = "banque_territoires", "Banque des territoires"
        REGION = "region", "Région"
        AUTRE = "autre", "Autre"

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="financements")
    source = models.CharField("source", max_length=30, choices=Source.choices)
    libelle = models.CharField("précision", max_length=200, blank=True)
    montant = models.DecimalField(
        "montant (€)",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "ligne de financement du site"
        verbose_name_plural = "financements des sites"
        ordering = ["site", "source", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gte=0), name="financement_site_montant_positif"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} : {self.montant} €"
