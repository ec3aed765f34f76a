"""Export des candidatures en CSV (point-virgule, UTF-8 avec BOM, en flux) et en XLSX.

Les colonnes sont celles du modèle d'import, précédées de la référence : un export corrigé se
réimporte tel quel, chaque ligne mettant à jour sa candidature.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from acv.flux import TamponCsv

from .imports import COLONNE_FINANCEMENT, COLONNES_MODELE
from .models import Candidature

ENTETES: tuple[str, ...] = ("reference", *(c.nom for c in COLONNES_MODELE))
_DANGEREUX = re.compile(r"^[=@\t\r]|^[+-](?![\d\s.,()]*$)")


def candidatures_a_exporter(queryset: QuerySet[Candidature]) -> QuerySet[Candidature]:
    """Le queryset filtré, avec la commune et la somme des montants par source : une requête."""
    sommes = {
        f"somme_{source}": Sum("financements__montant", filter=Q(financements__source=source))
        for source in COLONNE_FINANCEMENT.values()
    }
    return queryset.select_related("commune").annotate(**sommes).order_by("reference")


def _sans_formule(texte: str) -> str:
    """Un texte qu'un tableur prendrait pour une formule est précédé d'une apostrophe."""
    return "'" + texte if _DANGEREUX.match(texte) else texte


def montant_fr(montant: Decimal | None) -> str:
    """12500.5 → « 12500,50 » : virgule décimale, sans séparateur de milliers pour que le
    tableur y lise un nombre (l'import accepte aussi « 12 500,50 »)."""
    return "" if montant is None else f"{montant:.2f}".replace(".", ",")


def date_fr(date: datetime.date | None) -> str:
    return "" if date is None else date.strftime("%d/%m/%Y")


def valeurs(candidature: Candidature) -> dict[str, object]:
    """Les valeurs d'une ligne, typées (dates, montants, entiers), par nom de colonne."""
    commune = candidature.commune
    ligne: dict[str, object] = {
        "reference": candidature.reference,
        "code_insee": commune.code_insee,
        "commune": commune.nom,
        "departement": commune.departement_id,
        "porteur": candidature.porteur,
        "date_ouverture_prevue": candidature.date_ouverture_prevue,
        "apprenants_prevus": candidature.apprenants_prevus,
    }
    for nom in ENTETES:
        if nom in COLONNE_FINANCEMENT:
            ligne[nom] = getattr(candidature, f"somme_{COLONNE_FINANCEMENT[nom]}")
        elif nom not in ligne:
            ligne[nom] = _sans_formule(getattr(candidature, nom) or "")
    return ligne


def _texte(valeur: object) -> str:
    if valeur is None:
        return ""
    if isinstance(valeur, Decimal):
        return montant_fr(valeur)
    if isinstance(valeur, datetime.date):
        return date_fr(valeur)
    return str(valeur)


def lignes_csv(queryset: QuerySet[Candidature]) -> Iterator[bytes]:
    """Le fichier CSV, ligne par ligne : BOM, en-têtes, puis une ligne par candidature.

    Les candidatures sont lues par paquets (une requête par paquet de 500).
    """
    ecrivain = csv.writer(TamponCsv(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff".encode()
    yield ecrivain.writerow(ENTETES).encode()
    for candidature in candidatures_a_exporter(queryset).iterator(chunk_size=500):
        ligne = valeurs(candidature)
        yield ecrivain.writerow([_texte(ligne[nom]) for nom in ENTETES]).encode()


def classeur_xlsx(queryset: QuerySet[Candidature]) -> bytes:
    """Le classeur XLSX (openpyxl en écriture seule : la mémoire ne grandit pas avec les lignes)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("Candidatures")
    feuille.freeze_panes = "B2"
    gras = Font(bold=True)
    entetes = []
    for nom in ENTETES:
        cellule = WriteOnlyCell(feuille, value=nom)
        cellule.font = gras
        entetes.append(cellule)
    feuille.append(entetes)
    for candidature in candidatures_a_exporter(queryset).iterator(chunk_size=500):
        ligne = valeurs(candidature)
        cellules = []
        for nom in ENTETES:
            valeur = ligne[nom]
            if isinstance(valeur, Decimal):
                valeur = WriteOnlyCell(feuille, value=valeur)
                valeur.number_format = "#,##0.00"
            elif isinstance(valeur, datetime.date):
                valeur = WriteOnlyCell(feuille, value=valeur)
                valeur.number_format = "DD/MM/YYYY"
            # Un texte ne commence jamais par « = » (voir _sans_formule) : jamais une formule.
            cellules.append(valeur)
        feuille.append(cellules)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def modele_csv() -> bytes:
    """Le modèle d'import : en-têtes et une ligne d'exemple, point-virgule, UTF-8 avec BOM."""
    from .imports import ligne_exemple

    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow([c.nom for c in COLONNES_MODELE])
    ecrivain.writerow(ligne_exemple())
    return ("\ufeff" + sortie.getvalue()).encode()


def modele_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .imports import ligne_exemple

    classeur = Workbook()
    feuille = classeur.active
    feuille.title = "Candidatures"
    feuille.append([c.nom for c in COLONNES_MODELE])
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    feuille.append(ligne_exemple())
    for cellule in feuille[2]:
        cellule.data_type = "s"  # « 08105 » garde son zéro, « 01/09/2020 » reste du texte
    aide = classeur.create_sheet("Colonnes")
    aide.append(["colonne", "obligatoire", "description", "exemple"])
    for cellule in aide[1]:
        cellule.font = Font(bold=True)
    for colonne in COLONNES_MODELE:
        obligatoire = "oui" if colonne.obligatoire else (colonne.obligatoire_si or "non")
        aide.append([colonne.nom, obligatoire, colonne.description, colonne.exemple])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()
