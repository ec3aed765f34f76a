"""Sauvegarde et restauration de toute l'application dans une seule archive .tar.gz.

L'archive contient :
- `donnees.jsonl` : chaque ligne de chaque table des modèles installés (sauf les sessions),
  sérialisée par Django au format JSON Lines, clés primaires conservées, écrite et relue en flux ;
- `fichiers/<nom>` : chaque fichier du stockage par défaut (les pièces), lu par l'API de stockage
  (dossier local ou S3) ;
- `manifeste.json` (en dernier) : date, versions, migrations appliquées, nombre d'objets par modèle,
  taille et empreinte SHA-256 de chaque fichier et des données.

La restauration vérifie toutes les empreintes avant d'écrire quoi que ce soit, écrit les fichiers
sous des noms temporaires du stockage, remplace le contenu des tables sauvegardées dans une seule
transaction, et ne met les fichiers à leur place qu'une fois cette transaction validée (avec
--force, les fichiers absents de l'archive sont alors supprimés). Un échec avant la validation
laisse la base et le stockage tels qu'ils étaient.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import posixpath
import secrets
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import django
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils._os import safe_makedirs

FORMAT = "acv-sauvegarde/1"
MANIFESTE = "manifeste.json"
DONNEES = "donnees.jsonl"
PREFIXE_FICHIERS = "fichiers/"
# Les sessions ne sont pas sauvegardées : éphémères, et les restaurer rouvrirait des connexions.
EXCLUS = {"sessions.session"}
# Les copies temporaires d'une restauration, dans le stockage lui-même, avant leur mise en place.
PREFIXE_TEMPORAIRE = ".restauration-"
TAILLE_BLOC = 1024 * 1024


class EncodeurExact(DjangoJSONEncoder):
    """Comme celui de Django, sans tronquer les dates et heures à la milliseconde."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


class SerialiseurLignes(serializers.get_serializer("jsonl")):
    """JSON Lines de Django, sans les listes plusieurs-à-plusieurs : les tables d'association
    sont écrites ligne à ligne comme les autres (leurs clés primaires comprises)."""

    def handle_m2m_field(self, obj, field) -> None:
        pass


class ErreurSauvegarde(Exception):
    """Une archive illisible, incomplète ou altérée, ou une base qui ne peut pas la recevoir."""


@dataclass
class Bilan:
    objets: dict[str, int] = field(default_factory=dict)
    fichiers: int = 0
    octets: int = 0
    manquants: list[str] = field(default_factory=list)
    # Restauration avec --force : fichiers du stockage absents de l'archive, supprimés.
    supprimes: list[str] = field(default_factory=list)

    @property
    def total_objets(self) -> int:
        return sum(self.objets.values())


def modeles_sauvegardes() -> list[type[models.Model]]:
    """Tous les modèles concrets installés (tables d'association comprises), sauf les exclus."""
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.label_lower not in EXCLUS
    ]


def _modeles_serialises() -> list[type[models.Model]]:
    """Les modèles dont on lit les fichiers (les tables d'association n'en ont pas)."""
    return [m for m in modeles_sauvegardes() if not m._meta.auto_created]


def migrations_appliquees(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{nom}" for app, nom in recorder.applied_migrations())


def fichiers_du_stockage(dossier: str = "") -> Iterator[str]:
    """Les noms de tous les fichiers du stockage par défaut, en parcourant ses dossiers."""
    try:
        dossiers, fichiers = default_storage.listdir(dossier)
    except FileNotFoundError:
        return
    for nom in sorted(fichiers):
        yield posixpath.join(dossier, nom) if dossier else nom
    for sous in sorted(dossiers):
        yield from fichiers_du_stockage(posixpath.join(dossier, sous) if dossier else sous)


def fichiers_references(alias: str = DEFAULT_DB_ALIAS) -> set[str]:
    """Les fichiers nommés par un champ FileField d'un modèle (hors historiques)."""
    noms: set[str] = set()
    for modele in _modeles_serialises():
        if hasattr(modele, "instance_type"):  # modèle historique de django-simple-history
            continue
        for champ in modele._meta.concrete_fields:
            if isinstance(champ, models.FileField):
                noms.update(
                    n
                    for n in modele._base_manager.using(alias).values_list(champ.attname, flat=True)
                    if n
                )
    return noms


class _LecteurHache(io.RawIOBase):
    """Lit un fichier en calculant son empreinte SHA-256 au passage."""

    def __init__(self, source) -> None:
        self.source = source
        self.empreinte = hashlib.sha256()
        self.taille = 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        bloc = self.source.read(n)
        self.empreinte.update(bloc)
        self.taille += len(bloc)
        return bloc


def _ajouter(archive: tarfile.TarFile, nom: str, source, taille: int) -> None:
    info = tarfile.TarInfo(nom)
    info.size = taille
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, source)


def _ecrire_donnees(destination, alias: str, bilan: Bilan) -> None:
    """Écrit chaque objet de chaque modèle, en flux (itérateur par paquets)."""
    serialiseur = SerialiseurLignes()
    for modele in modeles_sauvegardes():
        requete = modele._base_manager.using(alias).order_by(modele._meta.pk.name)
        compte = 0

        def objets(requete=requete):
            nonlocal compte
            for objet in requete.iterator(chunk_size=2000):
                compte += 1
                yield objet

        serialiseur.serialize(objets(), stream=destination, cls=EncodeurExact)
        bilan.objets[modele._meta.label_lower] = compte


def sauvegarder(chemin: str | os.PathLike, *, alias: str = DEFAULT_DB_ALIAS) -> Bilan:
    """Écrit l'archive `chemin` (remplacée seulement une fois complète, lisible du seul propriétaire).

    Sur PostgreSQL, les données sont lues dans une transaction REPEATABLE READ : une image
    cohérente même si l'application tourne. Les fichiers sont lus ensuite ; un fichier référencé
    mais absent du stockage est signalé dans le bilan et le manifeste.
    """
    chemin = Path(chemin)
    bilan = Bilan()
    connexion = connections[alias]
    with tempfile.TemporaryFile(mode="w+b") as brut:
        texte = io.TextIOWrapper(brut, encoding="utf-8", newline="\n")
        image_coherente = connexion.vendor == "postgresql" and not connexion.in_atomic_block
        with transaction.atomic(using=alias):
            if image_coherente:
                with connexion.cursor() as curseur:
                    curseur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            migrations = migrations_appliquees(alias)
            _ecrire_donnees(texte, alias, bilan)
            references = fichiers_references(alias)
        texte.flush()
        taille_donnees = brut.tell()
        brut.seek(0)

        descripteur, temporaire = tempfile.mkstemp(
            dir=chemin.parent, prefix=f".{chemin.name}.", suffix=".partiel"
        )
        os.close(descripteur)
        os.chmod(temporaire, 0o600)
        try:
            with tarfile.open(temporaire, "w:gz") as archive:
                lecteur = _LecteurHache(brut)
                _ajouter(archive, DONNEES, lecteur, taille_donnees)
                liste = []
                for nom in fichiers_du_stockage():
                    taille = default_storage.size(nom)
                    with default_storage.open(nom, "rb") as source:
                        fichier = _LecteurHache(source)
                        _ajouter(archive, PREFIXE_FICHIERS + nom, fichier, taille)
                    liste.append(
                        {"nom": nom, "taille": taille, "sha256": fichier.empreinte.hexdigest()}
                    )
                    bilan.fichiers += 1
                    bilan.octets += taille
                presents = {f["nom"] for f in liste}
                bilan.manquants = sorted(references - presents)
                manifeste = {
                    "format": FORMAT,
                    "cree_le": timezone.now().isoformat(),
                    "django": django.get_version(),
                    "base": connexion.vendor,
                    "migrations": migrations,
                    "donnees": {
                        "nom": DONNEES,
                        "taille": taille_donnees,
                        "sha256": lecteur.empreinte.hexdigest(),
                    },
                    "modeles": bilan.objets,
                    "fichiers": liste,
                    "fichiers_references_absents": bilan.manquants,
                }
                contenu = json.dumps(manifeste, ensure_ascii=False, indent=2).encode()
                _ajouter(archive, MANIFESTE, io.BytesIO(contenu), len(contenu))
            os.replace(temporaire, chemin)
        except BaseException:
            Path(temporaire).unlink(missing_ok=True)
            raise
    return bilan


# --- Restauration ------------------------------------------------------------------------


def lire_manifeste(archive: tarfile.TarFile) -> dict:
    try:
        membre = archive.getmember(MANIFESTE)
        manifeste = json.load(archive.extractfile(membre))
    except (KeyError, ValueError) as erreur:
        raise ErreurSauvegarde(
            f"Archive illisible : pas de {MANIFESTE} valide ({erreur})."
        ) from None
    if manifeste.get("format") != FORMAT:
        raise ErreurSauvegarde(
            f"Format d'archive inconnu : {manifeste.get('format')!r} (attendu : {FORMAT})."
        )
    return manifeste


def _nom_sur(nom: str) -> bool:
    normalise = posixpath.normpath(nom)
    return (
        bool(nom)
        and normalise == nom
        and not nom.startswith("/")
        and not normalise.startswith("..")
        and "\\" not in nom
    )


def _empreinte_membre(archive: tarfile.TarFile, nom: str) -> tuple[int, str]:
    try:
        membre = archive.getmember(nom)
    except KeyError:
        raise ErreurSauvegarde(f"Archive incomplète : {nom} manque.") from None
    if not membre.isfile():
        raise ErreurSauvegarde(f"Archive altérée : {nom} n'est pas un fichier ordinaire.")
    empreinte = hashlib.sha256()
    source = archive.extractfile(membre)
    taille = 0
    while bloc := source.read(TAILLE_BLOC):
        empreinte.update(bloc)
        taille += len(bloc)
    return taille, empreinte.hexdigest()


def verifier(archive: tarfile.TarFile, manifeste: dict) -> None:
    """Compare la taille et l'empreinte de chaque élément à celles du manifeste."""
    attendus = [(DONNEES, manifeste["donnees"])] + [
        (PREFIXE_FICHIERS + f["nom"], f) for f in manifeste["fichiers"]
    ]
    for nom, attendu in attendus:
        if nom != DONNEES and not _nom_sur(attendu["nom"]):
            raise ErreurSauvegarde(
                f"Archive refusée : nom de fichier dangereux {attendu['nom']!r}."
            )
        taille, empreinte = _empreinte_membre(archive, nom)
        if (taille, empreinte) != (attendu["taille"], attendu["sha256"]):
            raise ErreurSauvegarde(
                f"Archive altérée : l'empreinte SHA-256 de {nom} ne correspond pas au manifeste."
            )


def contenu_existant(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Ce qui fait qu'une base ou un stockage n'est pas vide (vide = fraîchement migré)."""
    constats = []
    comptes = get_user_model()._base_manager.using(alias).count()
    if comptes:
        constats.append(f"la base contient déjà {comptes} compte(s) utilisateur")
    premier = next(fichiers_du_stockage(), None)
    if premier is not None:
        constats.append(f"le stockage des fichiers n'est pas vide (par exemple {premier})")
    return constats


def _vider_tables(alias: str, modeles: list[type[models.Model]]) -> None:
    connexion = connections[alias]
    tables = [m._meta.db_table for m in modeles]
    if apps.is_installed("django.contrib.sessions"):
        # Les sessions ouvertes désigneraient d'autres comptes après la restauration.
        tables.append(apps.get_model("sessions", "Session")._meta.db_table)
    requetes = connexion.ops.sql_flush(no_style(), tables, reset_sequences=False)
    if connexion.vendor == "postgresql":
        # TRUNCATE refuse une table dont des contrôles différés sont en attente : on les passe.
        with connexion.cursor() as curseur:
            curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        connexion.ops.execute_sql_flush(requetes)
        with connexion.cursor() as curseur:
            curseur.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        connexion.ops.execute_sql_flush(requetes)


def _inserer(modele: type[models.Model], lot: list[models.Model], alias: str) -> None:
    """INSERT par paquets, valeurs prises telles quelles (raw : ni auto_now ni signaux)."""
    champs = modele._meta.local_concrete_fields
    taille = connections[alias].ops.bulk_batch_size(champs, lot) or len(lot)
    for debut in range(0, len(lot), taille):
        modele._base_manager._insert(
            lot[debut : debut + taille], fields=champs, using=alias, raw=True
        )


def _charger(archive: tarfile.TarFile, alias: str) -> None:
    """Relit les données en flux et les insère par paquets de même modèle (tables vidées)."""
    flux = io.TextIOWrapper(archive.extractfile(DONNEES), encoding="utf-8")
    modele, lot = None, []
    for objet in serializers.deserialize("jsonl", flux, using=alias):
        instance = objet.object
        if lot and (type(instance) is not modele or len(lot) >= 2000):
            _inserer(modele, lot, alias)
            lot = []
        modele = type(instance)
        lot.append(instance)
    if lot:
        _inserer(modele, lot, alias)


def _chemin_local(nom: str) -> str | None:
    """Le chemin du fichier sur le disque si le stockage est un dossier local, sinon None (S3)."""
    try:
        return default_storage.path(nom)
    except NotImplementedError:
        return None


def _effacer_dossiers_vides(dossier: str) -> None:
    """Retire les dossiers vides laissés sous `dossier` (stockage local seulement)."""
    racine = _chemin_local(dossier)
    if racine is None or not os.path.isdir(racine):
        return
    for chemin, _, _ in sorted(os.walk(racine), key=lambda e: len(e[0]), reverse=True):
        try:
            os.rmdir(chemin)
        except OSError:
            pass  # pas vide : un fichier qu'on n'a pas su déplacer y est gardé


def _preparer_fichiers(
    archive: tarfile.TarFile, manifeste: dict, dossier: str, temporaires: dict[str, str]
) -> None:
    """Écrit chaque fichier de l'archive sous un nom temporaire du même stockage, dans `dossier`.

    `temporaires` (nom définitif -> nom temporaire) est rempli au fur et à mesure : en cas d'échec,
    l'appelant sait quoi effacer. Rien d'autre n'est touché dans le stockage.
    """
    for decrit in manifeste["fichiers"]:
        nom = decrit["nom"]
        temporaire = posixpath.join(dossier, nom)
        try:
            source = archive.extractfile(PREFIXE_FICHIERS + nom)
            enregistre = default_storage.save(temporaire, File(source, name=nom))
        except Exception as erreur:
            raise ErreurSauvegarde(
                f"Restauration annulée : {nom} n'a pas pu être écrit dans le stockage ({erreur}). "
                "La base et les fichiers déjà présents sont inchangés."
            ) from erreur
        temporaires[nom] = enregistre
        if enregistre != temporaire:
            raise ErreurSauvegarde(
                f"Le stockage a renommé {temporaire} en {enregistre} : restauration annulée, "
                "la base et les fichiers déjà présents sont inchangés."
            )


def _effacer_temporaires(temporaires: dict[str, str], dossier: str) -> None:
    """Après un échec : efface les seules copies temporaires, jamais un fichier d'avant."""
    for temporaire in temporaires.values():
        try:
            default_storage.delete(temporaire)
        except Exception:  # on nettoie au mieux, l'erreur d'origine prime
            pass
    _effacer_dossiers_vides(dossier)


def _deplacer(temporaire: str, nom: str) -> None:
    """Met la copie temporaire à sa place, en remplaçant le fichier de même nom s'il existe.

    Stockage local : un renommage (atomique, sans copie). Ailleurs (S3) : une copie par l'API de
    stockage, la copie temporaire n'étant effacée qu'une fois le fichier définitif écrit.
    """
    source, cible = _chemin_local(temporaire), _chemin_local(nom)
    if source is not None and cible is not None:
        mode = getattr(default_storage, "directory_permissions_mode", None)
        if mode is not None:
            safe_makedirs(os.path.dirname(cible), mode, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(cible), exist_ok=True)
        os.replace(source, cible)
        return
    if default_storage.exists(nom):
        default_storage.delete(nom)
    with default_storage.open(temporaire, "rb") as contenu:
        enregistre = default_storage.save(nom, File(contenu, name=nom))
    if enregistre != nom:
        default_storage.delete(enregistre)
        raise ErreurSauvegarde(f"le stockage l'a renommé en {enregistre}")
    default_storage.delete(temporaire)


def _mettre_en_place(temporaires: dict[str, str], dossier: str, force: bool, bilan: Bilan) -> None:
    """Une fois la base validée : retire (avec --force) les fichiers absents de l'archive, puis
    met chaque fichier de l'archive à sa place. Un fichier qui n'a pas pu être déplacé reste dans
    `dossier` : rien n'est perdu, l'erreur le dit."""
    if force:
        for nom in list(fichiers_du_stockage()):
            if nom not in temporaires and not nom.startswith(dossier + "/"):
                default_storage.delete(nom)
                bilan.supprimes.append(nom)
    echecs = []
    for nom, temporaire in temporaires.items():
        try:
            _deplacer(temporaire, nom)
        except Exception as erreur:  # on place tous les autres, puis on le dit
            echecs.append(f"{nom} ({erreur})")
    _effacer_dossiers_vides(dossier)
    if echecs:
        raise ErreurSauvegarde(
            f"Base restaurée, mais {len(echecs)} fichier(s) n'ont pas pu être mis à leur place : "
            + " ; ".join(echecs[:5])
            + f". Leur copie est gardée dans le dossier {dossier}/ du stockage : déplacez-les "
            "à la main (même chemin, sans ce préfixe)."
        )


def restaurer(
    chemin: str | os.PathLike, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS
) -> Bilan:
    """Restaure l'archive dans la base `alias` (migrée) et le stockage par défaut.

    Refuse une base ou un stockage non vide sans `force`, une archive dont les migrations ne sont
    pas celles de la base, et toute empreinte qui ne correspond pas. Puis :

    1. les fichiers de l'archive sont écrits sous des noms temporaires du même stockage (dossier
       `.restauration-…/`), sans toucher aux fichiers présents ;
    2. les tables sauvegardées (et les sessions) sont vidées puis rechargées dans une seule
       transaction ;
    3. une fois cette transaction validée seulement, avec `force`, les fichiers du stockage absents
       de l'archive sont supprimés, puis chaque copie temporaire prend la place du fichier de même
       nom (remplacé s'il existait).

    Un échec avant la validation annule la transaction et n'efface que les copies temporaires :
    la base et le stockage restent ce qu'ils étaient. Appelée dans une transaction englobante,
    l'étape 3 attend la validation de celle-ci (`on_commit`).
    """
    connexion = connections[alias]
    try:
        archive = tarfile.open(chemin, "r:gz")
    except (OSError, tarfile.TarError) as erreur:
        raise ErreurSauvegarde(f"Archive illisible : {erreur}.") from None
    with archive:
        manifeste = lire_manifeste(archive)
        verifier(archive, manifeste)

        ici = set(migrations_appliquees(alias))
        la_bas = set(manifeste["migrations"])
        if ici != la_bas:
            en_trop, manquantes = sorted(ici - la_bas), sorted(la_bas - ici)
            raise ErreurSauvegarde(
                "Les migrations de cette base ne sont pas celles de l'archive : "
                f"{len(manquantes)} absente(s) ici ({', '.join(manquantes[:5]) or '—'}), "
                f"{len(en_trop)} en plus ici ({', '.join(en_trop[:5]) or '—'}). "
                "Restaurez avec la version de l'application qui a fait la sauvegarde, "
                "puis lancez migrate."
            )
        if not force and (constats := contenu_existant(alias)):
            raise ErreurSauvegarde(
                "Restauration refusée : "
                + " ; ".join(constats)
                + ". Restaurez dans une base neuve (créée puis migrée) et un stockage vide, "
                "ou relancez avec --force pour tout remplacer par le contenu de l'archive."
            )

        modeles = modeles_sauvegardes()
        dossier = f"{PREFIXE_TEMPORAIRE}{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        temporaires: dict[str, str] = {}
        bilan = Bilan()
        try:
            _preparer_fichiers(archive, manifeste, dossier, temporaires)
            with transaction.atomic(using=alias):
                _vider_tables(alias, modeles)
                with connexion.constraint_checks_disabled():
                    _charger(archive, alias)
                connexion.check_constraints(table_names=[m._meta.db_table for m in modeles])
                for modele in modeles:
                    label = modele._meta.label_lower
                    bilan.objets[label] = modele._base_manager.using(alias).count()
                    attendu = manifeste["modeles"].get(label, 0)
                    if bilan.objets[label] != attendu:
                        raise ErreurSauvegarde(
                            f"Restauration incomplète : {bilan.objets[label]} objet(s) {label} "
                            f"au lieu de {attendu}."
                        )
                sequences = connexion.ops.sequence_reset_sql(no_style(), modeles)
                if sequences:
                    with connexion.cursor() as curseur:
                        for requete in sequences:
                            curseur.execute(requete)
        except BaseException:
            _effacer_temporaires(temporaires, dossier)
            raise
    bilan.fichiers = len(temporaires)
    bilan.octets = sum(decrit["taille"] for decrit in manifeste["fichiers"])
    # Hors de toute transaction, la base est validée : les fichiers sont mis en place tout de
    # suite. Dans une transaction englobante, ils attendent qu'elle soit validée.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    transaction.on_commit(
        partial(_mettre_en_place, temporaires, dossier, force, bilan), using=alias
    )
    return bilan
