"""Les mauvaises versions lues qu'un formulaire protégé par un verrou optimiste doit refuser."""

import pytest

from acv.erreurs import MESSAGE_VERSION_ILLISIBLE, MESSAGE_VERSION_MANQUANTE

ABSENTE = object()  # le champ n'est pas envoyé du tout

# (valeur envoyée, message attendu)
MAUVAISES_VERSIONS = [
    pytest.param(ABSENTE, MESSAGE_VERSION_MANQUANTE, id="absente"),
    pytest.param("", MESSAGE_VERSION_MANQUANTE, id="vide"),
    pytest.param("abc", MESSAGE_VERSION_ILLISIBLE, id="texte"),
    pytest.param("1.5", MESSAGE_VERSION_ILLISIBLE, id="decimal"),
    pytest.param("-1", MESSAGE_VERSION_ILLISIBLE, id="negative"),
    pytest.param("9" * 30, MESSAGE_VERSION_ILLISIBLE, id="enorme"),
]
