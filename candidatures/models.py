"""La sélection : vagues, candidatures et leur consolidation, jury, évaluations, décisions."""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from acv.erreurs import TransitionRefusee
from acv.models import Commune, Epci, Organisation


# ---------------------------------------------------------------------------------------------
# Vagues
# ---------------------------------------------------------------------------------------------
class VagueQuerySet(models.QuerySet):
    def en_cours(self) -> VagueQuerySet:
        return self.exclude(statut__in=[Vague.Statut.BROUILLON, Vague.Statut.CLOSE])


class Vague(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        APPEL_OUVERT = "appel_ouvert", "Appel ouvert"
        CONSOLIDATION = "consolidation", "Consolidation"
        EXAMEN_JURY = "examen_jury", "Examen par le jury"
        DELIBERATION = "deliberation", "Délibération"
        RESULTATS_PUBLIES = "resultats_publies", "Résultats publiés"
        CLOSE = "close", "Close"

    # Chaque statut et le suivant ; la réouverture des résultats est un acte à part (rouvrir()).
    SUIVANT = {
        Statut.BROUILLON: Statut.APPEL_OUVERT,
        Statut.APPEL_OUVERT: Statut.CONSOLIDATION,
        Statut.CONSOLIDATION: Statut.EXAMEN_JURY,
        Statut.EXAMEN_JURY: Statut.DELIBERATION,
        Statut.DELIBERATION: Statut.RESULTATS_PUBLIES,
        Statut.RESULTATS_PUBLIES: Statut.CLOSE,
    }
    ACTIONS = {
        Statut.APPEL_OUVERT: "Ouvrir l'appel à candidatures",
        Statut.CONSOLIDATION: "Clore l'appel et passer en consolidation",
        Statut.EXAMEN_JURY: "Transmettre au jury",
        Statut.DELIBERATION: "Passer en délibération",
        Statut.RESULTATS_PUBLIES: "Publier les résultats",
        Statut.CLOSE: "Clore la vague",
    }
    VERROUILLES = (Statut.RESULTATS_PUBLIES, Statut.CLOSE)

    numero = models.PositiveSmallIntegerField("numéro", unique=True)
    nom = models.CharField("nom", max_length=120, unique=True)
    statut = models.CharField(
        "statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON
    )
    date_ouverture = models.DateField("ouverture de l'appel", null=True, blank=True)
    date_limite = models.DateField("date limite de dépôt", null=True, blank=True)
    date_jury = models.DateField("séance du jury", null=True, blank=True)
    date_resultats = models.DateField("annonce des résultats", null=True, blank=True)
    date_limite_evaluations = models.DateField("date limite des évaluations", null=True, blank=True)
    places_prevues = models.PositiveIntegerField("places prévues", default=0)
    nb_evaluateurs = models.PositiveSmallIntegerField(
        "évaluateurs par candidature", default=3, validators=[MinValueValidator(1)]
    )
    jures_presents = models.ManyToManyField(
        "Jure", blank=True, related_name="+", verbose_name="jurés présents en séance"
    )
    publiee_le = models.DateTimeField("résultats publiés le", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["jures_presents"])

    objects = VagueQuerySet.as_manager()

    class Meta:
        verbose_name = "vague de sélection"
        verbose_name_plural = "vagues de sélection"
        ordering = ["numero"]
        constraints = [
            models.CheckConstraint(
                condition=Q(nb_evaluateurs__gte=1), name="vague_au_moins_un_evaluateur"
            ),
        ]

    def __str__(self) -> str:
        return self.nom

    @property
    def est_verrouillee(self) -> bool:
        return self.statut in self.VERROUILLES

    @property
    def statut_suivant(self) -> str | None:
        return self.SUIVANT.get(self.statut)

    @property
    def grille_modifiable(self) -> bool:
        """La grille se modifie tant qu'aucune évaluation de la vague n'est soumise (une requête)."""
        return not Evaluation.objects.filter(
            affectation__candidature__vague=self, statut=Evaluation.Statut.SOUMISE
        ).exists()

    def avancer(self, vers: str, *, par, note: str = "") -> None:
        """Passe au statut `vers`, qui doit suivre le statut actuel. Écrit l'historique."""
        if self.SUIVANT.get(self.statut) != vers:
            raise TransitionRefusee(
                f"La vague « {self.nom} » est « {self.get_statut_display()} » : elle ne peut pas "
                f"passer à « {self.Statut(vers).label} »."
                + (
                    f" L'étape suivante est « {self.Statut(self.statut_suivant).label} »."
                    if self.statut_suivant
                    else ""
                )
            )
        self.statut = vers
        if vers == self.Statut.RESULTATS_PUBLIES:
            self.publiee_le = timezone.now()
        self._change_reason = note or f"Statut : {self.Statut(vers).label}"
        self._history_user = par
        self.save(update_fields=["statut", "publiee_le"])

    def rouvrir(self, par, motif: str) -> None:
        """Rouvre la délibération d'une vague dont les résultats sont publiés.

        Effets : la vague repasse « en délibération » (date de publication effacée), avec le motif
        dans son historique ; ses candidatures retenues ou non retenues reviennent « en examen »,
        chaque retour enregistré (transition et historique). Les décisions restent, modifiables.
        Refuse sans motif, ou si les résultats de la vague ne sont pas publiés.
        """
        motif = (motif or "").strip()
        if not motif:
            raise TransitionRefusee("Indiquez le motif de la réouverture de la délibération.")

        def _court(raison: str) -> str:  # la colonne du motif d'historique : 100 caractères
            return raison if len(raison) <= 100 else raison[:99] + "…"

        if self.statut != self.Statut.RESULTATS_PUBLIES:
            raise TransitionRefusee(
                f"La vague « {self.nom} » est « {self.get_statut_display()} » : seule une vague "
                "dont les résultats sont publiés peut être rouverte."
            )
        self.statut = self.Statut.DELIBERATION
        self.publiee_le = None
        # Le motif d'historique tient en 100 caractères (django-simple-history) : le formulaire
        # limite le motif en conséquence ; le texte complet va aux transitions des candidatures.
        self._change_reason = _court(f"Délibération rouverte : {motif}")
        self._history_user = par
        self.save(update_fields=["statut", "publiee_le"])
        for candidature in self.candidatures.filter(statut__in=Candidature.DECIDEES):
            depart = candidature.statut
            candidature.statut = Candidature.Statut.EN_EXAMEN
            candidature._change_reason = _court(
                f"{Candidature.Statut(depart).label} → {Candidature.Statut.EN_EXAMEN.label} : "
                f"délibération rouverte ({motif})"
            )
            candidature._history_user = par
            candidature.save(update_fields=["statut", "modifie_le"])
            TransitionCandidature.objects.create(
                candidature=candidature,
                de=depart,
                vers=Candidature.Statut.EN_EXAMEN,
                par=par,
                note=f"Délibération rouverte : {motif}",
            )


class Critere(models.Model):
    """Un critère de la grille d'une vague, noté sur une échelle de note_min à note_max."""

    vague = models.ForeignKey(Vague, on_delete=models.PROTECT, related_name="criteres")
    libelle = models.CharField("libellé", max_length=200)
    description = models.TextField("description", blank=True)
    poids = models.DecimalField(
        "poids",
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note_min = models.SmallIntegerField("note minimale", default=0)
    note_max = models.SmallIntegerField("note maximale", default=5)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "critère"
        ordering = ["vague", "ordre", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(note_max__gt=models.F("note_min")), name="critere_echelle_croissante"
            ),
            models.CheckConstraint(condition=Q(poids__gt=0), name="critere_poids_positif"),
        ]

    def __str__(self) -> str:
        return self.libelle


class PieceRequise(models.Model):
    """Un élément de la liste des pièces demandées aux candidats d'une vague."""

    vague = models.ForeignKey(Vague, on_delete=models.PROTECT, related_name="pieces_requises")
    libelle = models.CharField("libellé", max_length=200)
    description = models.TextField("description", blank=True)
    obligatoire = models.BooleanField("obligatoire", default=True)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "pièce requise"
        verbose_name_plural = "pièces requises"
        ordering = ["vague", "ordre", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["vague", "libelle"], name="piece_requise_unique_par_vague"
            )
        ]

    def __str__(self) -> str:
        return self.libelle


# ---------------------------------------------------------------------------------------------
# Candidatures
# ---------------------------------------------------------------------------------------------
class CandidatureQuerySet(models.QuerySet):
    def actives(self) -> CandidatureQuerySet:
        return self.exclude(statut__in=Candidature.INACTIFS)

    def recues(self) -> CandidatureQuerySet:
        """Les candidatures déposées (tout sauf les brouillons), quel que soit leur sort ensuite."""
        return self.exclude(statut=Candidature.Statut.BROUILLON)

    def avec_territoire(self) -> CandidatureQuerySet:
        return self.select_related(
            "vague", "commune", "commune__departement", "commune__region", "epci"
        )


class Candidature(models.Model):
    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        RECUE = "recue", "Reçue"
        INCOMPLETE = "incomplete", "Incomplète"
        RECEVABLE = "recevable", "Recevable"
        IRRECEVABLE = "irrecevable", "Irrecevable"
        EN_EXAMEN = "en_examen", "En examen par le jury"
        RETENUE = "retenue", "Retenue"
        NON_RETENUE = "non_retenue", "Non retenue"
        RETIREE = "retiree", "Retirée"

    class Porteur(models.TextChoices):
        COMMUNE = "commune", "La commune"
        EPCI = "epci", "L'intercommunalité (EPCI)"

    INACTIFS = (Statut.RETIREE, Statut.IRRECEVABLE)
    DECIDEES = (Statut.RETENUE, Statut.NON_RETENUE)
    # Transitions permises : statut de départ -> statuts d'arrivée.
    TRANSITIONS = {
        Statut.BROUILLON: {Statut.RECUE, Statut.RETIREE},
        Statut.RECUE: {Statut.INCOMPLETE, Statut.RECEVABLE, Statut.IRRECEVABLE, Statut.RETIREE},
        Statut.INCOMPLETE: {Statut.RECUE, Statut.RECEVABLE, Statut.IRRECEVABLE, Statut.RETIREE},
        Statut.RECEVABLE: {Statut.EN_EXAMEN, Statut.IRRECEVABLE, Statut.RETIREE},
        Statut.IRRECEVABLE: {Statut.RECUE},
        Statut.EN_EXAMEN: {Statut.RETENUE, Statut.NON_RETENUE, Statut.RETIREE},
        Statut.RETENUE: set(),
        Statut.NON_RETENUE: set(),
        Statut.RETIREE: set(),
    }

    reference = models.CharField("référence", max_length=20, unique=True, editable=False)
    vague = models.ForeignKey(Vague, on_delete=models.PROTECT, related_name="candidatures")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="candidatures")
    porteur = models.CharField(
        "porteur", max_length=10, choices=Porteur.choices, default=Porteur.COMMUNE
    )
    epci = models.ForeignKey(
        Epci,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="candidatures",
        verbose_name="EPCI porteur",
    )
    # La ville au sens de la règle « une candidature active par ville et par vague » : le numéro
    # ACV (un binôme compte une fois) ou, hors programme, le code INSEE. Calculée à l'enregistrement.
    cle_ville = models.CharField("ville", max_length=10, editable=False, db_index=True)
    statut = models.CharField(
        "statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON, db_index=True
    )
    motif_irrecevabilite = models.TextField("motif d'irrecevabilité", blank=True)

    contact_nom = models.CharField("nom du contact", max_length=200, blank=True)
    contact_fonction = models.CharField("fonction du contact", max_length=200, blank=True)
    contact_email = models.EmailField("courriel du contact", blank=True)
    contact_telephone = models.CharField("téléphone du contact", max_length=30, blank=True)

    resume = models.TextField("résumé du projet", blank=True)
    besoins_territoire = models.TextField("besoins du bassin d'emploi", blank=True)
    publics = models.TextField("publics visés", blank=True)
    offre_formation = models.TextField("offre de formation envisagée", blank=True)
    locaux = models.TextField("locaux", blank=True)
    partenaires = models.TextField("partenaires locaux", blank=True)
    date_ouverture_prevue = models.DateField("ouverture prévue", null=True, blank=True)
    apprenants_prevus = models.PositiveIntegerField(
        "apprenants attendus la première année", null=True, blank=True
    )

    candidature_precedente = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resoumissions",
        verbose_name="candidature précédente",
    )
    date_reception = models.DateTimeField("reçue le", null=True, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)
    history = HistoricalRecords()

    objects = CandidatureQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        ordering = ["vague", "commune__nom"]
        constraints = [
            models.UniqueConstraint(
                fields=["vague", "cle_ville"],
                condition=~Q(statut__in=["retiree", "irrecevable"]),
                name="une_candidature_active_par_ville_et_vague",
            ),
            models.CheckConstraint(
                condition=Q(porteur="commune") | Q(epci__isnull=False),
                name="candidature_epci_si_porteur_epci",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.commune.nom} — {self.vague.nom}"

    # -- identité -------------------------------------------------------------------------
    @staticmethod
    def cle_ville_de(commune: Commune) -> str:
        return commune.ville_acv_id or commune.code_insee

    @property
    def est_active(self) -> bool:
        return self.statut not in self.INACTIFS

    @property
    def libelle_porteur(self) -> str:
        if self.porteur == self.Porteur.EPCI and self.epci_id:
            return self.epci.nom
        return f"Commune de {self.commune.nom}"

    def save(self, *args, **kwargs) -> None:
        if self.commune_id:
            self.cle_ville = self.cle_ville_de(self.commune)
        if not self.reference:
            self.reference = self._nouvelle_reference()
        super().save(*args, **kwargs)

    def _nouvelle_reference(self) -> str:
        prefixe = f"V{self.vague.numero}-"
        derniere = (
            Candidature.objects.filter(reference__startswith=prefixe)
            .order_by("-reference")
            .values_list("reference", flat=True)
            .first()
        )
        numero = int(derniere.rsplit("-", 1)[1]) + 1 if derniere else 1
        return f"{prefixe}{numero:04d}"

    @property
    def montant_total(self) -> Decimal:
        return sum((ligne.montant for ligne in self.financements.all()), Decimal("0"))

    # -- transitions ----------------------------------------------------------------------
    def changer_statut(self, vers: str, *, par, note: str = "") -> int:
        """Passe au statut `vers` si la transition est permise.

        Effets : enregistre la transition (qui, quand, note) et une ligne d'historique ; la date
        de réception à la première réception ; retirée ou irrecevable, la candidature n'est plus
        à évaluer : ses évaluations non soumises sont retirées aux jurés (leur nombre est
        renvoyé). Refuse, avec un message clair, une transition non
        permise, un retrait après décision et la réactivation d'une candidature quand la ville
        a déjà une candidature active dans la vague.
        """
        depart = self.statut
        if vers not in self.TRANSITIONS[self.Statut(depart)]:
            if vers == self.Statut.RETIREE and depart in self.DECIDEES:
                raise TransitionRefusee("Une candidature déjà décidée ne peut plus être retirée.")
            raise TransitionRefusee(
                f"La candidature {self.reference} est « {self.get_statut_display()} » : "
                f"elle ne peut pas passer à « {self.Statut(vers).label} »."
            )
        if vers == self.Statut.IRRECEVABLE and not note.strip():
            raise TransitionRefusee("Indiquez le motif d'irrecevabilité.")
        self.statut = vers
        champs = ["statut", "modifie_le"]
        if vers == self.Statut.RECUE and self.date_reception is None:
            self.date_reception = timezone.now()
            champs.append("date_reception")
        if vers == self.Statut.IRRECEVABLE:
            self.motif_irrecevabilite = note.strip()
            champs.append("motif_irrecevabilite")
        self._change_reason = f"{self.Statut(depart).label} → {self.Statut(vers).label}" + (
            f" : {note}" if note else ""
        )
        self._history_user = par
        try:
            with transaction.atomic():
                self.save(update_fields=champs)
        except IntegrityError as erreur:
            self.statut = depart
            raise TransitionRefusee(
                "Cette ville a déjà une candidature active dans cette vague : "
                "retirez-la ou déclarez-la irrecevable d'abord."
            ) from erreur
        TransitionCandidature.objects.create(
            candidature=self, de=depart, vers=vers, par=par, note=note
        )
        if vers in self.INACTIFS:
            return self._retirer_evaluations_en_cours(par, self.Statut(vers).label.lower())
        return 0

    def _retirer_evaluations_en_cours(self, par, raison: str) -> int:
        """Retire aux jurés les évaluations non soumises (affectation et brouillon) d'une
        candidature qui ne sera plus examinée ; les évaluations soumises restent. L'historique
        garde ce qui est retiré. Renvoie le nombre d'affectations retirées."""
        retirees = 0
        for affectation in (
            self.affectations.select_for_update(of=("self",))
            .exclude(evaluation__statut=Evaluation.Statut.SOUMISE)
            .select_related("evaluation")
        ):
            affectation.retirer(
                getattr(affectation, "evaluation", None), par=par, motif=f"candidature {raison}"
            )
            retirees += 1
        return retirees


class TransitionCandidature(models.Model):
    """Le journal des changements de statut d'une candidature : qui, quand, de quoi à quoi, pourquoi."""

    candidature = models.ForeignKey(
        Candidature, on_delete=models.CASCADE, related_name="transitions"
    )
    de = models.CharField("de", max_length=20, choices=Candidature.Statut.choices)
    vers = models.CharField("vers", max_length=20, choices=Candidature.Statut.choices)
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    le = models.DateTimeField("le", default=timezone.now)
    note = models.TextField("note", blank=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["candidature", "le", "pk"]

    def __str__(self) -> str:
        return f"{self.get_de_display()} → {self.get_vers_display()}"


class LigneFinancement(models.Model):
    """Une ligne du plan de financement d'une candidature."""

    class Source(models.TextChoices):
        COMMUNE = "commune", "Commune"
        EPCI = "epci", "Intercommunalité"
        CONVENTION_ACV = "convention_acv", "Convention Action Cœur de Ville"
        BANQUE_TERRITOIRES = "banque_territoires", "Banque des territoires"
        REGION = "region", "Région"
        ETAT = "etat", "État"
        CNAM = "cnam", "Cnam"
        AUTRE = "autre", "Autre"

    candidature = models.ForeignKey(
        Candidature, on_delete=models.CASCADE, related_name="financements"
    )
    source = models.CharField("source", max_length=30, choices=Source.choices)
    libelle = models.CharField("précision", max_length=200, blank=True)
    montant = models.DecimalField(
        "montant (€)", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "plan de financement"
        ordering = ["candidature", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(montant__gte=0), name="financement_montant_positif"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} : {self.montant} €"


def _chemin_piece(instance: Piece, nom: str) -> str:
    """Un nom généré : rien du nom déposé (ni chemin, ni double extension) n'atteint le disque."""
    return f"pieces/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{Path(nom).suffix.lower()[:6]}"


class Piece(models.Model):
    """Un fichier joint à une candidature, éventuellement au titre d'une pièce requise."""

    class Statut(models.TextChoices):
        RECUE = "recue", "Reçue"
        ACCEPTEE = "acceptee", "Acceptée"
        REFUSEE = "refusee", "Refusée"

    candidature = models.ForeignKey(Candidature, on_delete=models.PROTECT, related_name="pieces")
    piece_requise = models.ForeignKey(
        PieceRequise,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pieces",
        verbose_name="au titre de",
    )
    fichier = models.FileField("fichier", upload_to=_chemin_piece, max_length=200)
    nom_original = models.CharField("nom du fichier", max_length=255)
    type_mime = models.CharField("type", max_length=100)
    taille = models.PositiveIntegerField("taille (octets)")
    statut = models.CharField("état", max_length=10, choices=Statut.choices, default=Statut.RECUE)
    deposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deposee_le = models.DateTimeField("déposée le", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "pièce"
        ordering = ["candidature", "piece_requise__ordre", "deposee_le"]

    def __str__(self) -> str:
        return self.nom_original


class DemandePieces(models.Model):
    """Une demande de pièces manquantes adressée au porteur pendant la consolidation."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="demandes")
    pieces = models.ManyToManyField(
        PieceRequise, blank=True, related_name="demandes", verbose_name="pièces demandées"
    )
    objet = models.TextField("ce qui est demandé")
    demandee_le = models.DateTimeField("demandée le", default=timezone.now)
    echeance = models.DateField("à fournir avant le", null=True, blank=True)
    repondue_le = models.DateTimeField("réponse reçue le", null=True, blank=True)
    demandee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "demande de pièces"
        verbose_name_plural = "demandes de pièces"
        ordering = ["candidature", "demandee_le"]

    def __str__(self) -> str:
        return f"Demande du {self.demandee_le:%d/%m/%Y}"


# ---------------------------------------------------------------------------------------------
# Jury
# ---------------------------------------------------------------------------------------------
class Jure(models.Model):
    """Un membre du jury d'une vague, représentant une des cinq organisations."""

    vague = models.ForeignKey(Vague, on_delete=models.PROTECT, related_name="jures")
    utilisateur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jures"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="jures")

    class Meta:
        verbose_name = "juré·e"
        verbose_name_plural = "jurés"
        ordering = ["vague", "organisation__ordre", "utilisateur__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["vague", "utilisateur"], name="jure_unique_par_vague")
        ]

    def __str__(self) -> str:
        nom = self.utilisateur.get_full_name() or self.utilisateur.username
        return f"{nom} ({self.organisation.sigle})"


class Conflit(models.Model):
    """Un conflit d'intérêts : ce juré n'évalue pas cette candidature et ne peut pas l'ouvrir."""

    jure = models.ForeignKey(Jure, on_delete=models.CASCADE, related_name="conflits")
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="conflits")
    motif = models.TextField("motif")
    declare_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declare_le = models.DateTimeField("déclaré le", default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "conflit d'intérêts"
        verbose_name_plural = "conflits d'intérêts"
        constraints = [
            models.UniqueConstraint(fields=["jure", "candidature"], name="conflit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.jure} / {self.candidature.reference}"


class Affectation(models.Model):
    """Un juré chargé d'évaluer une candidature."""

    jure = models.ForeignKey(Jure, on_delete=models.PROTECT, related_name="affectations")
    candidature = models.ForeignKey(
        Candidature, on_delete=models.PROTECT, related_name="affectations"
    )
    manuelle = models.BooleanField("faite à la main", default=False)
    creee_le = models.DateTimeField("créée le", default=timezone.now)
    creee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = "affectation"
        constraints = [
            models.UniqueConstraint(fields=["jure", "candidature"], name="affectation_unique")
        ]

    def retirer(self, evaluation: Evaluation | None, *, par, motif: str) -> None:
        """Supprime l'affectation et son brouillon `evaluation` (lu par l'appelant, jamais une
        évaluation soumise) ; l'historique garde qui l'a fait et pourquoi (`motif`)."""
        if evaluation is not None:
            evaluation._history_user = par
            evaluation._change_reason = f"Brouillon retiré : {motif}"
            evaluation.delete()
        self._history_user = par
        self._change_reason = f"Retirée : {motif}"
        self.delete()

    def __str__(self) -> str:
        return f"{self.jure} → {self.candidature.reference}"


class Evaluation(models.Model):
    """Les notes, le commentaire et l'avis d'un juré sur une candidature ; figée une fois soumise."""

    class Statut(models.TextChoices):
        BROUILLON = "brouillon", "Brouillon"
        SOUMISE = "soumise", "Soumise"

    class Avis(models.TextChoices):
        FAVORABLE = "favorable", "Favorable"
        RESERVES = "reserves", "Favorable avec réserves"
        DEFAVORABLE = "defavorable", "Défavorable"

    affectation = models.OneToOneField(
        Affectation, on_delete=models.PROTECT, related_name="evaluation"
    )
    statut = models.CharField(
        "état", max_length=10, choices=Statut.choices, default=Statut.BROUILLON, db_index=True
    )
    avis = models.CharField("avis", max_length=12, choices=Avis.choices, blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    # Note sur 20 calculée à la soumission (voir candidatures.scores) ; nulle en brouillon.
    note_sur_20 = models.FloatField("note sur 20", null=True, blank=True)
    modifiee_le = models.DateTimeField("modifiée le", auto_now=True)
    soumise_le = models.DateTimeField("soumise le", null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "évaluation"
        constraints = [
            models.CheckConstraint(
                condition=Q(statut="brouillon") | (Q(soumise_le__isnull=False) & ~Q(avis="")),
                name="evaluation_soumise_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Évaluation de {self.affectation}"


class Note(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="notes")
    critere = models.ForeignKey(Critere, on_delete=models.PROTECT, related_name="notes")
    valeur = models.SmallIntegerField("note")

    class Meta:
        verbose_name = "note"
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "critere"], name="note_unique_par_critere"
            )
        ]

    def __str__(self) -> str:
        return f"{self.critere} : {self.valeur}"


# ---------------------------------------------------------------------------------------------
# Délibération
# ---------------------------------------------------------------------------------------------
class Decision(models.Model):
    """La décision du jury sur une candidature, avec sa motivation."""

    class Resultat(models.TextChoices):
        RETENUE = "retenue", "Retenue"
        NON_RETENUE = "non_retenue", "Non retenue"

    candidature = models.OneToOneField(
        Candidature, on_delete=models.PROTECT, related_name="decision"
    )
    resultat = models.CharField("décision", max_length=12, choices=Resultat.choices)
    motivation = models.TextField("motivation", blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decidee_le = models.DateTimeField("décidée le", default=timezone.now)
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "décision"

    def __str__(self) -> str:
        return f"{self.candidature.reference} : {self.get_resultat_display()}"


# ---------------------------------------------------------------------------------------------
# Lettres et accompagnement
# ---------------------------------------------------------------------------------------------
class Lettre(models.Model):
    """La lettre annonçant sa décision à une ville, rendue depuis un modèle que l'équipe modifie.

    L'état d'envoi se lit sur le courriel lié (boîte d'envoi) : pas de courriel, pas encore
    envoyée ; sinon en attente, envoyée ou en échec.
    """

    class Nature(models.TextChoices):
        SELECTION = "selection", "Lettre de sélection"
        NON_SELECTION = "non_selection", "Lettre de non-sélection"

    # Le modèle de courriel (acv.ModeleCourriel) de chaque nature.
    MODELES = {Nature.SELECTION: "lettre_selection", Nature.NON_SELECTION: "lettre_non_selection"}

    candidature = models.ForeignKey(Candidature, on_delete=models.PROTECT, related_name="lettres")
    nature = models.CharField("nature", max_length=15, choices=Nature.choices)
    sujet = models.CharField("sujet", max_length=250)
    corps = models.TextField("corps")
    courriel = models.ForeignKey(
        "acv.Courriel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="courriel envoyé",
    )
    preparee_le = models.DateTimeField("préparée le", default=timezone.now)
    preparee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Retouchée à la main avant l'envoi : une nouvelle préparation ne l'écrase pas.
    retouchee = models.BooleanField("retouchée à la main", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "lettre"
        ordering = ["candidature__commune__nom", "nature"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidature", "nature"], name="lettre_unique_par_candidature_et_nature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} — {self.candidature}"

    @property
    def etat(self) -> str:
        """« a_envoyer », ou l'état du courriel lié (en_attente, envoye, echec)."""
        return self.courriel.statut if self.courriel_id else "a_envoyer"

    @property
    def etat_libelle(self) -> str:
        if not self.courriel_id:
            return "Pas encore envoyée"
        return {
            "en_attente": "En attente d'envoi",
            "envoye": "Envoyée",
            "echec": "Échec de l'envoi",
        }.get(self.courriel.statut, self.courriel.get_statut_display())

    @property
    def est_partie(self) -> bool:
        return bool(self.courriel_id) and self.courriel.statut == "envoye"


class AccompagnementQuerySet(models.QuerySet):
    def pour_liste(self, aujourdhui=None) -> AccompagnementQuerySet:
        """Ce que la liste montre, en une requête : territoire, conseiller, resoumission, et les
        décomptes d'actions (total, faites, en retard) et la prochaine échéance ouverte."""
        aujourdhui = aujourdhui or timezone.localdate()
        ouvertes = ~Q(actions__statut__in=ActionAccompagnement.TERMINEES)
        return self.select_related(
            "candidature__vague",
            "candidature__commune__departement",
            "candidature__commune__region",
            "conseiller",
            "vague_cible",
            "resoumission",
        ).annotate(
            nb_actions=models.Count("actions", distinct=True),
            nb_faites=models.Count(
                "actions",
                filter=Q(actions__statut=ActionAccompagnement.Statut.FAITE),
                distinct=True,
            ),
            nb_en_retard=models.Count(
                "actions", filter=ouvertes & Q(actions__echeance__lt=aujourdhui), distinct=True
            ),
            prochaine_echeance=models.Min("actions__echeance", filter=ouvertes),
        )

    def avec_actions_en_retard(self, aujourdhui=None) -> AccompagnementQuerySet:
        aujourdhui = aujourdhui or timezone.localdate()
        return self.filter(
            pk__in=ActionAccompagnement.objects.en_retard(aujourdhui).values("accompagnement")
        )


class Accompagnement(models.Model):
    """Le plan d'accompagnement d'une ville non retenue, vers une vague suivante."""

    candidature = models.OneToOneField(
        Candidature,
        on_delete=models.PROTECT,
        related_name="accompagnement",
        verbose_name="candidature non retenue",
    )
    conseiller = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="accompagnements",
        verbose_name="conseiller ou conseillère",
    )
    vague_cible = models.ForeignKey(
        Vague,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accompagnements_cibles",
        verbose_name="vague visée",
    )
    resoumission = models.ForeignKey(
        Candidature,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accompagnements_d_origine",
        verbose_name="resoumission",
    )
    notes = models.TextField("notes", blank=True)
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    objects = AccompagnementQuerySet.as_manager()

    class Meta:
        verbose_name = "plan d'accompagnement"
        verbose_name_plural = "plans d'accompagnement"
        ordering = ["candidature__commune__nom"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(resoumission=models.F("candidature")),
                name="accompagnement_resoumission_distincte",
            )
        ]

    def __str__(self) -> str:
        return f"Accompagnement de {self.candidature.commune.nom}"

    @classmethod
    def ouvrir(cls, candidature: Candidature, *, conseiller, par, **champs) -> Accompagnement:
        """Crée le plan d'une candidature non retenue ; refuse toute autre candidature, ou un second plan."""
        if candidature.statut != Candidature.Statut.NON_RETENUE:
            raise TransitionRefusee(
                "Un plan d'accompagnement ne s'ouvre que pour une candidature non retenue."
            )
        if cls.objects.filter(candidature=candidature).exists():
            raise TransitionRefusee("Cette candidature a déjà un plan d'accompagnement.")
        plan = cls(candidature=candidature, conseiller=conseiller, cree_par=par, **champs)
        plan._history_user = par
        plan._change_reason = "Ouverture du plan"
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError as erreur:  # ouvert au même instant par quelqu'un d'autre
            raise TransitionRefusee(
                "Cette candidature vient de recevoir un plan d'accompagnement, ouvert par "
                "quelqu'un d'autre : rechargez la page pour le voir."
            ) from erreur
        return plan


class ActionAccompagnementQuerySet(models.QuerySet):
    def ouvertes(self) -> ActionAccompagnementQuerySet:
        return self.exclude(statut__in=ActionAccompagnement.TERMINEES)

    def en_retard(self, aujourdhui=None) -> ActionAccompagnementQuerySet:
        """Échéance passée, ni faite ni abandonnée."""
        return self.ouvertes().filter(echeance__lt=aujourdhui or timezone.localdate())


class ActionAccompagnement(models.Model):
    """Une action d'un plan d'accompagnement, avec son échéance."""

    class Statut(models.TextChoices):
        A_FAIRE = "a_faire", "À faire"
        EN_COURS = "en_cours", "En cours"
        FAITE = "faite", "Faite"
        ABANDONNEE = "abandonnee", "Abandonnée"

    TERMINEES = (Statut.FAITE, Statut.ABANDONNEE)

    accompagnement = models.ForeignKey(
        Accompagnement, on_delete=models.CASCADE, related_name="actions"
    )
    libelle = models.CharField("action", max_length=300)
    statut = models.CharField(
        "état", max_length=12, choices=Statut.choices, default=Statut.A_FAIRE, db_index=True
    )
    echeance = models.DateField("échéance", null=True, blank=True)
    faite_le = models.DateField("faite le", null=True, blank=True)
    relancee_le = models.DateField("dernière relance", null=True, blank=True)
    # Vérifiée à l'enregistrement depuis les pages (acv.erreurs.enregistrer_avec_version).
    version = models.PositiveIntegerField(default=0)
    history = HistoricalRecords()

    objects = ActionAccompagnementQuerySet.as_manager()

    class Meta:
        verbose_name = "action d'accompagnement"
        verbose_name_plural = "actions d'accompagnement"
        ordering = ["accompagnement", models.F("echeance").asc(nulls_last=True), "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(statut="faite") | Q(faite_le__isnull=True),
                name="action_faite_le_si_faite",
            )
        ]

    def __str__(self) -> str:
        return self.libelle

    @property
    def est_terminee(self) -> bool:
        return self.statut in self.TERMINEES

    def en_retard_au(self, aujourdhui) -> bool:
        return bool(self.echeance) and self.echeance < aujourdhui and not self.est_terminee

    @property
    def en_retard(self) -> bool:
        return self.en_retard_au(timezone.localdate())

    def changer_statut(self, vers: str, *, par, version: int | None = None) -> None:
        """Passe l'action à `vers` ; « faite » date l'action du jour, les autres effacent cette date.

        `version` : celle que l'utilisateur a lue ; si l'action a changé depuis, ConflitDeVersion
        et rien n'est écrit (sans version, l'état en base est pris tel quel).
        """
        from acv.erreurs import ConflitDeVersion, enregistrer_avec_version

        if vers not in self.Statut.values:
            raise TransitionRefusee("État d'action inconnu.")
        if version is not None and version != self.version:
            raise ConflitDeVersion()
        if vers == self.statut:
            raise TransitionRefusee(f"L'action est déjà « {self.Statut(vers).label.lower()} ».")
        depart = self.statut
        self.statut = vers
        self.faite_le = timezone.localdate() if vers == self.Statut.FAITE else None
        self._history_user = par
        self._change_reason = f"{self.Statut(depart).label} → {self.Statut(vers).label}"
        enregistrer_avec_version(self, ["statut", "faite_le"])


def _relier_resoumission_au_plan(sender, instance: Candidature, created: bool, raw=False, **kwargs):
    """Une resoumission créée (depuis la candidature ou depuis le plan) rejoint le plan
    d'accompagnement de la candidature précédente, s'il n'en a pas déjà une (une requête)."""
    if raw or not created or not instance.candidature_precedente_id:
        return
    plan = Accompagnement.objects.filter(
        candidature_id=instance.candidature_precedente_id, resoumission__isnull=True
    ).first()
    if plan is not None:
        plan.resoumission = instance
        plan._change_reason = f"Resoumission {instance.reference} reliée au plan"
        plan.save(update_fields=["resoumission"])


models.signals.post_save.connect(
    _relier_resoumission_au_plan, sender=Candidature, dispatch_uid="accompagnement_resoumission"
)
