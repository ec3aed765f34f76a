"""Les exports CSV en flux : chaque ligne est écrite puis envoyée, le fichier n'est jamais gardé
en mémoire en entier (une vague de 2 000 candidatures, 6 000 sites des données ouvertes)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator


class TamponCsv:
    """Un « fichier » dont csv.writer rend chaque ligne au lieu de l'écrire."""

    def write(self, texte: str) -> str:
        return texte


def lignes_csv(
    entetes: Iterable[str], lignes: Iterable[Iterable], *, delimiter: str = ";", **options
) -> Iterator[bytes]:
    """BOM (Excel reconnaît l'UTF-8), en-têtes, puis chaque ligne, en octets UTF-8."""
    ecrivain = csv.writer(TamponCsv(), delimiter=delimiter, **options)
    yield ("\ufeff" + ecrivain.writerow(entetes)).encode()
    for ligne in lignes:
        yield ecrivain.writerow(ligne).encode()
