"""Les actions de la sélection qui touchent plusieurs modèles : resoumission, consolidation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from acv.courriels import mettre_en_file
from acv.erreurs import ErreurMetier

from .models import Candidature, DemandePieces, LigneFinancement, Piece, PieceRequise, Vague

# Le contenu d'une candidature que reprend une resoumission et que compare « ce qui a changé ».
CHAMPS_CONTENU = [
    "commune",
    "porteur",
    "epci",
    "contact_nom",
    "contact_fonction",
    "contact_email",
    "contact_telephone",
    "resume",
    "besoins_territoire",
    "publics",
    "offre_formation",
    "locaux",
    "partenaires",
    "date_ouverture_prevue",
    "apprenants_prevus",
]


def message_ville_deja_candidate(commune, existante: Candidature) -> str:
    """Le refus de la règle « une candidature active par ville et par vague », en clair."""
    message = f"{commune.nom} a déjà une candidature active dans cette vague ({existante.reference}"
    if existante.commune_id != commune.pk:
        message += f", portée au titre de {existante.commune.nom}"
    message += ")"
    if commune.ville_acv_id:
        message += (
            " ; pour un binôme Action Cœur de Ville, les deux communes forment une seule ville : "
            "une seule candidature, portée par l'une d'elles ou par leur intercommunalité"
        )
    return message + ". Complétez la candidature existante, ou retirez-la d'abord."


def candidature_active_de_la_ville(
    vague: Vague, commune, *, sauf: int | None = None
) -> Candidature | None:
    """La candidature active de la ville de `commune` dans `vague` (une requête)."""
    return (
        Candidature.objects.actives()
        .filter(vague=vague, cle_ville=Candidature.cle_ville_de(commune))
        .exclude(pk=sauf)
        .select_related("commune")
        .first()
    )


def vagues_de_resoumission(candidature: Candidature):
    """Les vagues où une candidature non retenue peut être resoumise : ultérieures, non verrouillées."""
    return Vague.objects.filter(numero__gt=candidature.vague.numero).exclude(
        statut__in=Vague.VERROUILLES
    )


def preparer_resoumission(candidature: Candidature, *, vague: Vague, par) -> Candidature:
    """Crée, dans `vague`, un brouillon qui reprend une candidature non retenue.

    Effets : une nouvelle candidature (brouillon, liée par `candidature_precedente`) avec le
    contenu, le plan de financement et les pièces non refusées de la précédente ; chaque fichier
    est copié dans le stockage sous un nouveau nom généré ; une ligne d'historique.
    Refuse, avec un message clair, une candidature qui n'est pas non retenue, une vague qui n'est
    pas ultérieure ou qui est verrouillée, et une ville qui a déjà une candidature active dans
    la vague.
    """
    if candidature.statut != Candidature.Statut.NON_RETENUE:
        raise ErreurMetier(
            f"La candidature {candidature.reference} est « {candidature.get_statut_display()} » : "
            "seule une candidature non retenue peut être resoumise."
        )
    if vague.numero <= candidature.vague.numero:
        raise ErreurMetier(
            f"Choisissez une vague postérieure à « {candidature.vague.nom} » pour la resoumission."
        )
    if vague.est_verrouillee:
        raise ErreurMetier(
            f"La vague « {vague.nom} » est « {vague.get_statut_display()} » : "
            "elle n'accepte plus de candidature."
        )
    existante = candidature_active_de_la_ville(vague, candidature.commune)
    if existante is not None:
        raise ErreurMetier(message_ville_deja_candidate(candidature.commune, existante))

    nouvelle = Candidature(
        vague=vague,
        statut=Candidature.Statut.BROUILLON,
        candidature_precedente=candidature,
        **{champ: getattr(candidature, champ) for champ in CHAMPS_CONTENU},
    )
    nouvelle._history_user = par
    nouvelle._change_reason = f"Resoumission de {candidature.reference}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                nouvelle.save()
        except IntegrityError as erreur:
            raise ErreurMetier(
                f"{candidature.commune.nom} a déjà une candidature active dans cette vague."
            ) from erreur
        LigneFinancement.objects.bulk_create(
            LigneFinancement(
                candidature=nouvelle,
                source=ligne.source,
                libelle=ligne.libelle,
                montant=ligne.montant,
            )
            for ligne in candidature.financements.all()
        )
        requises = {p.libelle: p for p in PieceRequise.objects.filter(vague=vague)}
        for piece in candidature.pieces.exclude(statut=Piece.Statut.REFUSEE).select_related(
            "piece_requise"
        ):
            copie = Piece(
                candidature=nouvelle,
                piece_requise=requises.get(piece.piece_requise.libelle)
                if piece.piece_requise_id
                else None,
                nom_original=piece.nom_original,
                type_mime=piece.type_mime,
                taille=piece.taille,
                deposee_par=par,
            )
            with piece.fichier.open("rb") as source:
                copie.fichier.save(piece.nom_original, File(source), save=False)
            copie._history_user = par
            copie.save()
    return nouvelle


# ---------------------------------------------------------------------------------------------
# Ce qui a changé depuis la candidature précédente
# ---------------------------------------------------------------------------------------------
@dataclass
class Changement:
    champ: str
    avant: str
    apres: str


def _affichage(candidature: Candidature, champ: str) -> str:
    valeur = getattr(candidature, champ)
    if valeur is None or valeur == "":
        return ""
    if champ == "porteur":
        return candidature.get_porteur_display()
    if champ == "date_ouverture_prevue":
        return f"{valeur:%d/%m/%Y}"
    return str(valeur)


def _financement_par_source(candidature: Candidature) -> dict[str, Decimal]:
    totaux: dict[str, Decimal] = {}
    for ligne in candidature.financements.all():
        libelle = ligne.get_source_display()
        totaux[libelle] = totaux.get(libelle, Decimal("0")) + ligne.montant
    return totaux


def _euros(montant: Decimal | None) -> str:
    if montant is None:
        return ""
    return f"{montant:,.2f} €".replace(",", "\u00a0").replace(".", ",")


def changements_depuis_precedente(candidature: Candidature) -> list[Changement]:
    """Champ par champ, financement et pièces compris, ce qui diffère de la candidature précédente."""
    precedente = candidature.candidature_precedente
    if precedente is None:
        return []
    changements = []
    for champ in CHAMPS_CONTENU:
        avant, apres = _affichage(precedente, champ), _affichage(candidature, champ)
        if avant != apres:
            libelle = Candidature._meta.get_field(champ).verbose_name
            changements.append(Changement(str(libelle).capitalize(), avant, apres))
    fin_avant, fin_apres = _financement_par_source(precedente), _financement_par_source(candidature)
    for source in sorted(set(fin_avant) | set(fin_apres)):
        if fin_avant.get(source) != fin_apres.get(source):
            changements.append(
                Changement(
                    f"Financement : {source}",
                    _euros(fin_avant.get(source)),
                    _euros(fin_apres.get(source)),
                )
            )
    total_avant, total_apres = (
        sum(fin_avant.values(), Decimal("0")),
        sum(fin_apres.values(), Decimal("0")),
    )
    if total_avant != total_apres:
        changements.append(
            Changement("Financement : total", _euros(total_avant), _euros(total_apres))
        )
    pieces_avant = Counter(precedente.pieces.values_list("nom_original", flat=True))
    pieces_apres = Counter(candidature.pieces.values_list("nom_original", flat=True))
    ajoutees = sorted((pieces_apres - pieces_avant).elements())
    retirees = sorted((pieces_avant - pieces_apres).elements())
    if ajoutees or retirees:
        changements.append(Changement("Pièces", ", ".join(retirees), ", ".join(ajoutees)))
    return changements


# ---------------------------------------------------------------------------------------------
# Consolidation
# ---------------------------------------------------------------------------------------------
@dataclass
class EtatPiece:
    piece_requise: PieceRequise
    etat: str  # "manquante", "recue" ou "acceptee"
    pieces: list[Piece]

    @property
    def libelle_etat(self) -> str:
        return {"manquante": "Manquante", "recue": "Reçue", "acceptee": "Acceptée"}[self.etat]


def etat_des_pieces(candidature: Candidature, pieces: list[Piece]) -> list[EtatPiece]:
    """Pour chaque pièce requise de la vague, son état d'après les pièces déposées (une requête).

    Acceptée si une pièce déposée à son titre est acceptée ; reçue si une pièce attend d'être
    examinée ; manquante sinon (aucune pièce, ou seulement des pièces refusées).
    """
    etats = []
    for requise in PieceRequise.objects.filter(vague_id=candidature.vague_id):
        siennes = [p for p in pieces if p.piece_requise_id == requise.pk]
        statuts = {p.statut for p in siennes}
        if Piece.Statut.ACCEPTEE in statuts:
            etat = "acceptee"
        elif Piece.Statut.RECUE in statuts:
            etat = "recue"
        else:
            etat = "manquante"
        etats.append(EtatPiece(requise, etat, siennes))
    return etats


def demander_pieces(
    candidature: Candidature, *, objet: str, pieces, echeance, par, envoyer: bool = False
) -> DemandePieces:
    """Enregistre une demande de pièces ; une candidature reçue devient incomplète.

    Effets : la demande ; la transition reçue → incomplète (journal et historique) si la
    candidature était reçue ; avec `envoyer`, un courriel au contact de la candidature (boîte
    d'envoi, parti après la transaction). Refuse une candidature qui n'est plus en consolidation.
    """
    if candidature.statut not in (Candidature.Statut.RECUE, Candidature.Statut.INCOMPLETE):
        raise ErreurMetier(
            f"La candidature {candidature.reference} est « {candidature.get_statut_display()} » : "
            "on ne demande des pièces qu'à une candidature reçue ou incomplète."
        )
    with transaction.atomic():
        demande = DemandePieces.objects.create(
            candidature=candidature, objet=objet, echeance=echeance, demandee_par=par
        )
        demande.pieces.set(pieces)
        if envoyer and candidature.contact_email:
            mettre_en_file(
                candidature.contact_email,
                f"Candidature {candidature.reference} : pièces à fournir",
                _corps_demande(candidature, objet, pieces, echeance),
                categorie="demande_pieces",
            )
        if candidature.statut == Candidature.Statut.RECUE:
            candidature.changer_statut(
                Candidature.Statut.INCOMPLETE, par=par, note=f"Pièces demandées : {objet}"
            )
    return demande


def _corps_demande(candidature: Candidature, objet: str, pieces, echeance) -> str:
    lignes = [
        f"Bonjour{' ' + candidature.contact_nom if candidature.contact_nom else ''},",
        "",
        f"Pour compléter la candidature {candidature.reference} de {candidature.commune.nom} "
        f"au programme « Au cœur des territoires » ({candidature.vague.nom}), "
        "merci de nous transmettre :",
        "",
        objet,
    ]
    lignes += [f"- {piece.libelle}" for piece in pieces]
    if echeance:
        lignes += ["", f"avant le {echeance:%d/%m/%Y}."]
    lignes += ["", "L'équipe du programme « Au cœur des territoires » — Cnam"]
    return "\n".join(lignes)


def marquer_demande_repondue(demande: DemandePieces, *, par) -> None:
    """Note la réponse à une demande ; sans autre demande en attente, l'incomplète redevient reçue.

    Effets : la date de réponse ; la transition incomplète → reçue (journal et historique) quand
    plus aucune demande n'attend de réponse.
    """
    if demande.repondue_le is not None:
        raise ErreurMetier(
            f"La réponse à cette demande a déjà été notée le {timezone.localtime(demande.repondue_le):%d/%m/%Y}."
        )
    candidature = demande.candidature
    with transaction.atomic():
        demande.repondue_le = timezone.now()
        demande.save(update_fields=["repondue_le"])
        en_attente = candidature.demandes.filter(repondue_le__isnull=True).exists()
        if candidature.statut == Candidature.Statut.INCOMPLETE and not en_attente:
            candidature.changer_statut(
                Candidature.Statut.RECUE, par=par, note="Pièces demandées reçues."
            )
