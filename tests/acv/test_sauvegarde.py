"""Rien de perdu : sauvegarde puis restauration, dans une base et un stockage vides ou non (--force).

Les comparaisons portent sur chaque table de la base (lue par l'introspection, pas par la liste des
modèles que la sauvegarde utilise) et sur chaque fichier du stockage, octet par octet.
"""

import io
import json
import tarfile

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog, AccessLog
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from dsfr.models import DsfrConfig, DsfrSocialMedia

from acv import sauvegarde
from acv.courriels import mettre_en_file
from acv.models import Commune, ModeleCourriel, Objectif
from acv.roles import Role
from acv.sauvegarde import ErreurSauvegarde, fichiers_du_stockage
from candidatures.models import Candidature, Note, Piece
from tests import factories as f

OCTETS_PDF = b"%PDF-1.4\n% piece de test\n" + bytes(range(256)) * 40

# Les seules tables de la base que la sauvegarde laisse de côté, et pourquoi. Toute autre table
# est comparée ligne à ligne : une table oubliée par la sauvegarde fait échouer les allers-retours.
TABLES_NON_SAUVEGARDEES = {
    # L'état des migrations n'est pas une donnée : la restauration exige que la base ait
    # exactement les migrations de l'archive (comparées au manifeste), elle ne les écrit pas.
    "django_migrations",
    # Le cache partagé (CACHES, DatabaseCache) : jetable, il se reconstruit seul.
    "acv_cache",
    # Les sessions : exclues exprès (EXCLUS), et vidées par la restauration, qui rouvrirait sinon
    # des connexions sur d'autres comptes (vérifié à part : la table est vide après).
    "django_session",
}


@pytest.fixture
def stockage(tmp_path):
    """Un stockage par défaut à ce test, vide au départ."""
    reglage = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "stockage"},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=reglage):
        yield tmp_path / "stockage"


def _peupler(django_capture_on_commit_callbacks) -> None:
    """Un petit monde : quelques comptes, une vague, une candidature, une pièce, un courriel."""
    equipe = f.utilisateur(Role.EQUIPE, username="camille", first_name="Camille")
    f.utilisateur(Role.RESPONSABLE_REGIONAL, region=f.RegionFactory(code="44", nom="Grand Est"))
    vague = f.VagueFactory(numero=1)
    f.CritereFactory(vague=vague, libelle="Pertinence", poids=2)
    requise = f.PieceRequiseFactory(vague=vague, libelle="Délibération")
    candidature = f.CandidatureFactory(vague=vague)
    candidature.statut = Candidature.Statut.EN_EXAMEN
    candidature.save()  # une seconde ligne d'historique
    Piece.objects.create(
        candidature=candidature,
        piece_requise=requise,
        fichier=ContentFile(OCTETS_PDF, name="deliberation.pdf"),
        nom_original="Délibération du conseil.pdf",
        type_mime="application/pdf",
        taille=len(OCTETS_PDF),
        deposee_par=equipe,
    )
    default_storage.save("exports/synthese.csv", ContentFile("commune;statut\nAurillac;reçue\n"))
    f.AffectationFactory(candidature=candidature)
    with django_capture_on_commit_callbacks(execute=True):
        mettre_en_file("x@exemple.invalid", "Sujet", "Corps", categorie="essai")


def _completer() -> None:
    """Une ligne dans chaque table que la démo laisse vide, un fichier hors des pièces, une
    session et une entrée du cache (ces deux-là ne sont pas sauvegardées)."""
    camille = f.utilisateur(Role.EQUIPE, username="camille-complement")
    camille.user_permissions.add(Permission.objects.order_by("pk").first())
    LogEntry.objects.create(
        user=camille,
        content_type=ContentType.objects.get_for_model(Objectif),
        object_id="1",
        object_repr="objectif",
        action_flag=CHANGE,
        change_message="[]",
    )
    objectif = Objectif.objects.order_by("pk").first()
    objectif.libelle += " (révisé)"
    objectif.save()
    modele = ModeleCourriel.objects.order_by("pk").first()
    modele.aide += "\nRévisé."
    modele.save()
    config = DsfrConfig.objects.create(
        site_title="Au cœur des territoires",
        operator_logo_file=ContentFile(b"\x89PNG\r\n\x1a\n" + bytes(300), name="cnam.png"),
    )
    DsfrSocialMedia.objects.create(site_config=config, title="Mastodon", url="https://x.invalid")
    acces = {
        "username": "inconnu",
        "ip_address": "192.0.2.7",
        "user_agent": "curl/8",
        "http_accept": "*/*",
        "path_info": "/connexion/",
    }
    tentative = AccessAttempt.objects.create(
        **acces, get_data="", post_data="username=inconnu", failures_since_start=3
    )
    AccessAttemptExpiration.objects.create(access_attempt=tentative, expires_at=timezone.now())
    AccessFailureLog.objects.create(**acces, locked_out=False)
    AccessLog.objects.create(**acces, session_hash="0" * 64)
    default_storage.save("exports/synthese.csv", ContentFile("commune;statut\nAurillac;reçue\n"))
    SessionStore().create()
    cache.set("tableau_de_bord", [1, 2, 3])


@pytest.fixture
def demo(db, stockage, django_capture_on_commit_callbacks):
    """La démo complète (référentiel réel, vagues, jury, décisions, lettres, accompagnements,
    sites, objectifs) et de quoi remplir les tables qu'elle laisse vides."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())
        _completer()


def _valeur(valeur):
    return bytes(valeur) if isinstance(valeur, memoryview) else valeur


def _tables_comparees() -> list[str]:
    tables = set(connection.introspection.table_names())
    assert TABLES_NON_SAUVEGARDEES <= tables, "exclusion d'une table qui n'existe plus"
    return sorted(tables - TABLES_NON_SAUVEGARDEES)


def _lignes(table: str) -> tuple[list[str], list[tuple]]:
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
        colonnes = [c[0] for c in curseur.description]
        lignes = [tuple(_valeur(v) for v in ligne) for ligne in curseur.fetchall()]
    return colonnes, sorted(lignes, key=repr)


def _image_des_tables() -> dict[str, tuple[list[str], list[tuple]]]:
    """Chaque table de la base (hors exclusions), colonnes et lignes, dans un ordre stable."""
    return {table: _lignes(table) for table in _tables_comparees()}


def _image_du_stockage() -> dict[str, bytes]:
    """Chaque fichier du stockage (copies temporaires comprises, s'il en restait), octet par
    octet."""
    image = {}
    for nom in fichiers_du_stockage():
        with default_storage.open(nom) as fichier:
            image[nom] = fichier.read()
    return image


def _differences(avant: dict, apres: dict) -> list[str]:
    """Les tables (ou fichiers) qui diffèrent : un message d'échec lisible malgré 35 000 lignes."""
    return sorted(n for n in avant.keys() | apres.keys() if avant.get(n) != apres.get(n))


def _vider(stockage) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as curseur:  # TRUNCATE dans la transaction du test
            curseur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)
    for nom in list(fichiers_du_stockage()):
        default_storage.delete(nom)


def _sortie(*args) -> str:
    sortie = io.StringIO()
    call_command(*args, stdout=sortie)
    return sortie.getvalue()


@pytest.fixture
def restaurer(django_capture_on_commit_callbacks):
    """Lance `manage.py restaurer` ; le test tourne dans une transaction, dont on simule la
    validation : c'est elle qui met les fichiers restaurés à leur place."""

    def _restaurer(*args) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return _sortie("restaurer", *args)

    return _restaurer


def _bouleverser() -> None:
    """Une base et un stockage non vides qui diffèrent de l'archive de toutes les façons : lignes
    ajoutées, modifiées et supprimées ; fichier remplacé, fichier supprimé, fichiers en plus."""
    f.CandidatureFactory(vague=f.VagueFactory(numero=9))
    f.utilisateur(Role.OBSERVATEUR, username="ajoute-apres")
    Commune.objects.filter(pk=Commune.objects.order_by("pk").values("pk")[:1]).update(
        nom="Renommée après la sauvegarde"
    )
    Note.objects.filter(
        pk__in=list(Note.objects.order_by("pk").values_list("pk", flat=True)[:5])
    ).delete()
    AccessLog.objects.all().delete()
    pieces = list(Piece.objects.order_by("pk")[:2])
    default_storage.delete(pieces[0].fichier.name)
    default_storage.save(pieces[0].fichier.name, ContentFile(b"%PDF-1.4 remplacee"))
    default_storage.delete(pieces[1].fichier.name)
    default_storage.save("exports/apres.csv", ContentFile(b"ajoute;apres\n"))
    default_storage.save("pieces/orphelin.pdf", ContentFile(b"%PDF-1.4 orphelin"))


# --- Allers-retours ---------------------------------------------------------------------------


@pytest.mark.lent
def test_aller_retour_de_la_demo_restaure_chaque_table_et_chaque_fichier(
    demo, stockage, tmp_path, restaurer
):
    tables_avant, fichiers_avant = _image_des_tables(), _image_du_stockage()
    vides = [table for table, (_, lignes) in tables_avant.items() if not lignes]
    # Une table vide ne prouverait rien : remplissez-la dans _completer().
    assert vides == []
    assert len(fichiers_avant) > 20  # les pièces de la démo, le logo, l'export
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _vider(stockage)

    sortie = restaurer(str(archive))

    assert _differences(tables_avant, _image_des_tables()) == []
    assert _differences(fichiers_avant, _image_du_stockage()) == []
    assert _lignes("django_session")[1] == []
    assert "Restauration terminée" in sortie


def test_aller_retour_restaure_chaque_table_et_chaque_fichier(
    db, stockage, tmp_path, restaurer, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    _completer()
    tables_avant, fichiers_avant = _image_des_tables(), _image_du_stockage()
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _vider(stockage)

    sortie = restaurer(str(archive))

    assert _differences(tables_avant, _image_des_tables()) == []
    assert _image_du_stockage() == fichiers_avant
    assert _lignes("django_session")[1] == []
    assert "Restauration terminée : " in sortie


# --- --force sur une base et un stockage non vides ---------------------------------------------


@pytest.mark.lent
def test_force_sur_une_base_et_un_stockage_non_vides_redonne_exactement_l_archive(
    demo, stockage, tmp_path, restaurer
):
    tables_archive, fichiers_archive = _image_des_tables(), _image_du_stockage()
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _bouleverser()
    assert _differences(tables_archive, _image_des_tables()) != []

    restaurer(str(archive), "--force")

    assert _differences(tables_archive, _image_des_tables()) == []
    # Fichiers remplacés et supprimés rendus, fichiers absents de l'archive retirés, aucune
    # copie temporaire restante.
    assert _differences(fichiers_archive, _image_du_stockage()) == []
    assert not any(p.name.startswith(".restauration-") for p in stockage.iterdir())


def test_force_dit_quels_fichiers_absents_de_l_archive_il_supprime(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    default_storage.save("exports/apres.csv", ContentFile(b"ajoute;apres\n"))

    # Hors transaction englobante (comme la commande), les fichiers sont mis en place avant la
    # fin ; ici, la fin de la transaction du test est simulée.
    with django_capture_on_commit_callbacks(execute=True):
        bilan = sauvegarde.restaurer(archive, force=True)

    assert bilan.supprimes == ["exports/apres.csv"]
    assert not default_storage.exists("exports/apres.csv")


# --- Un échec au milieu ne perd rien ------------------------------------------------------------


def _echec_a_l_ecriture_d_un_fichier(monkeypatch) -> type[BaseException]:
    """Le troisième fichier écrit dans le stockage fait déborder le disque."""
    enregistrer = FileSystemStorage._save
    appels = []

    def _save(self, name, content):
        appels.append(name)
        if len(appels) == 3:
            raise OSError(28, "Plus de place sur le périphérique")
        return enregistrer(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", _save)
    return CommandError


class Panne(Exception):
    pass


def _echec_au_chargement_des_donnees(monkeypatch) -> type[BaseException]:
    """Les tables sont vidées et à moitié rechargées, les fichiers écrits à côté."""
    inserer = sauvegarde._inserer
    appels = []

    def _inserer(modele, lot, alias):
        appels.append(modele)
        if len(appels) == 20:
            raise Panne("coupure au milieu du chargement")
        inserer(modele, lot, alias)

    monkeypatch.setattr(sauvegarde, "_inserer", _inserer)
    return Panne


def _echec_en_fin_de_transaction(monkeypatch) -> type[BaseException]:
    """Tout est rechargé et vérifié, les fichiers écrits : la toute dernière étape échoue."""

    def _sequences(*args, **kwargs):
        raise Panne("compteurs d'identifiants")

    monkeypatch.setattr(connection.ops, "sequence_reset_sql", _sequences)
    return Panne


@pytest.mark.lent
@pytest.mark.parametrize(
    "panne",
    [
        _echec_a_l_ecriture_d_un_fichier,
        _echec_au_chargement_des_donnees,
        _echec_en_fin_de_transaction,
    ],
    ids=["ecriture_d_un_fichier", "chargement_des_donnees", "fin_de_transaction"],
)
def test_un_echec_au_milieu_de_force_laisse_la_base_et_les_fichiers_intacts(
    demo, stockage, tmp_path, restaurer, monkeypatch, panne
):
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _bouleverser()
    tables_avant, fichiers_avant = _image_des_tables(), _image_du_stockage()
    exception = panne(monkeypatch)

    with pytest.raises(exception):
        restaurer(str(archive), "--force")

    assert _differences(tables_avant, _image_des_tables()) == []
    # Les fichiers remplacés, supprimés ou ajoutés depuis la sauvegarde sont tels quels, et les
    # copies temporaires effacées.
    assert _differences(fichiers_avant, _image_du_stockage()) == []
    assert not any(p.name.startswith(".restauration-") for p in stockage.iterdir())


def test_un_fichier_qui_ne_peut_pas_etre_mis_en_place_reste_dans_le_dossier_temporaire(
    db, stockage, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    fichiers_archive = _image_du_stockage()
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _vider(stockage)
    deplacer = sauvegarde._deplacer

    def _deplacer(temporaire, nom):
        if nom == "exports/synthese.csv":
            raise OSError(13, "Permission non accordée")
        deplacer(temporaire, nom)

    monkeypatch.setattr(sauvegarde, "_deplacer", _deplacer)

    # (La commande en fait une CommandError ; ici, l'erreur naît à la validation simulée.)
    with pytest.raises(ErreurSauvegarde) as erreur:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("restaurer", str(archive))

    # La base est restaurée ; le fichier qui n'a pas pu prendre sa place n'est pas perdu.
    assert "Base restaurée, mais 1 fichier(s) n'ont pas pu être mis à leur place" in str(
        erreur.value
    )
    assert Candidature.objects.count() == 1
    apres = _image_du_stockage()
    (temporaire,) = [n for n in apres if n.startswith(".restauration-")]
    assert temporaire.endswith("/exports/synthese.csv")
    assert apres.pop(temporaire) == fichiers_archive.pop("exports/synthese.csv")
    assert apres == fichiers_archive


# --- Manifeste et refus ------------------------------------------------------------------------


def test_manifeste_donne_migrations_comptes_et_empreintes(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"

    _sortie("sauvegarder", str(archive))

    with tarfile.open(archive) as tar:
        manifeste = json.load(tar.extractfile("manifeste.json"))
        noms = tar.getnames()
    piece = Piece.objects.get()
    assert manifeste["format"] == "acv-sauvegarde/1"
    assert "candidatures.0001_initial" in manifeste["migrations"]
    assert manifeste["modeles"]["candidatures.candidature"] == 1
    assert manifeste["modeles"]["auth.user"] == 3  # camille, le responsable, le juré
    assert sorted(f["nom"] for f in manifeste["fichiers"]) == sorted(
        [piece.fichier.name, "exports/synthese.csv"]
    )
    assert [f["taille"] for f in manifeste["fichiers"] if f["nom"] == piece.fichier.name] == [
        len(OCTETS_PDF)
    ]
    assert noms[0] == "donnees.jsonl"
    assert noms[-1] == "manifeste.json"
    assert manifeste["fichiers_references_absents"] == []


def test_restauration_refuse_une_base_non_vide_sans_force(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    f.CandidatureFactory(vague=f.VagueFactory(numero=2))

    with pytest.raises(CommandError) as erreur:
        call_command("restaurer", str(archive))

    assert "Restauration refusée : la base contient déjà 3 compte(s) utilisateur" in str(
        erreur.value
    )
    assert Candidature.objects.count() == 2


def test_restauration_avec_force_remplace_le_contenu(
    db, stockage, tmp_path, restaurer, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    tables_avant, fichiers_avant = _image_des_tables(), _image_du_stockage()
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    f.CandidatureFactory(vague=f.VagueFactory(numero=2))
    f.utilisateur(Role.OBSERVATEUR, username="ajoute-apres")
    default_storage.save("exports/apres.csv", ContentFile(b"ajoute;apres\n"))

    restaurer(str(archive), "--force")

    assert _differences(tables_avant, _image_des_tables()) == []
    assert _image_du_stockage() == fichiers_avant


def _alterer(archive, nom_membre: str, octets: bytes, destination) -> None:
    with tarfile.open(archive) as source, tarfile.open(destination, "w:gz") as cible:
        for membre in source.getmembers():
            contenu = source.extractfile(membre).read()
            if membre.name == nom_membre:
                contenu = octets
            membre.size = len(contenu)
            cible.addfile(membre, io.BytesIO(contenu))


def test_restauration_refuse_un_fichier_altere_sans_rien_ecrire(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    nom = "fichiers/" + Piece.objects.get().fichier.name
    alteree = tmp_path / "alteree.tar.gz"
    _alterer(archive, nom, b"%PDF-1.4 autre contenu", alteree)
    _vider(stockage)

    with pytest.raises(CommandError) as erreur:
        call_command("restaurer", str(alteree))

    assert str(erreur.value) == (
        f"Archive altérée : l'empreinte SHA-256 de {nom} ne correspond pas au manifeste."
    )
    assert (Candidature.objects.count(), list(fichiers_du_stockage())) == (0, [])


def test_restauration_refuse_des_donnees_alterees(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    alteree = tmp_path / "alteree.tar.gz"
    _alterer(archive, "donnees.jsonl", b"", alteree)
    _vider(stockage)

    with pytest.raises(CommandError) as erreur:
        call_command("restaurer", str(alteree))

    assert "empreinte SHA-256 de donnees.jsonl" in str(erreur.value)


def test_restauration_refuse_un_fichier_qui_n_est_pas_une_archive(db, stockage, tmp_path):
    faux = tmp_path / "faux.tar.gz"
    faux.write_bytes(b"ceci n'est pas une archive")

    with pytest.raises(CommandError) as erreur:
        call_command("restaurer", str(faux))

    assert str(erreur.value).startswith("Archive illisible")


def test_restauration_refuse_des_migrations_differentes(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    with tarfile.open(archive) as tar:
        manifeste = json.load(tar.extractfile("manifeste.json"))
    manifeste["migrations"].append("candidatures.9999_venue_du_futur")
    alteree = tmp_path / "futur.tar.gz"
    _alterer(archive, "manifeste.json", json.dumps(manifeste).encode(), alteree)
    _vider(stockage)

    with pytest.raises(CommandError) as erreur:
        call_command("restaurer", str(alteree))

    assert "1 absente(s) ici (candidatures.9999_venue_du_futur)" in str(erreur.value)


def test_l_archive_n_est_lisible_que_par_son_proprietaire(db, stockage, tmp_path):
    archive = tmp_path / "acv.tar.gz"

    _sortie("sauvegarder", str(archive))

    assert archive.stat().st_mode & 0o777 == 0o600


def test_apres_restauration_les_nouveaux_objets_ont_des_identifiants_libres(
    db, stockage, tmp_path, restaurer, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _vider(stockage)
    restaurer(str(archive))
    plus_grand = Candidature.objects.order_by("-pk").values_list("pk", flat=True).first()

    nouvelle = f.CandidatureFactory(vague=f.VagueFactory(numero=3))

    assert nouvelle.pk > plus_grand
