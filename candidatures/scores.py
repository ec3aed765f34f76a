"""Les notes : celle d'une évaluation sur 20, et (issue du classement) celles d'une vague.

Note d'une évaluation soumise, sur 20 :
    20 × Σ poids × (note − min) / Σ poids × (max − min), sur les critères de la vague.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def note_sur_20(criteres: Iterable, notes: Mapping[int, int | float | None]) -> float | None:
    """La note sur 20 d'une évaluation, `notes` donnant la note par identifiant de critère.

    Renvoie None si un critère n'est pas noté (évaluation incomplète) ou si la grille est vide.
    """
    numerateur = denominateur = 0.0
    criteres = list(criteres)
    if not criteres:
        return None
    for critere in criteres:
        valeur = notes.get(critere.pk)
        if valeur is None:
            return None
        poids = float(critere.poids)
        numerateur += poids * (float(valeur) - critere.note_min)
        denominateur += poids * (critere.note_max - critere.note_min)
    return 20.0 * numerateur / denominateur
