"""Rien de perdu : sauvegarde puis restauration dans une base et un stockage vides."""

import io
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from acv.courriels import mettre_en_file
from acv.models import Courriel
from acv.roles import Role
from acv.sauvegarde import fichiers_du_stockage, modeles_sauvegardes
from candidatures.models import Candidature, Piece
from tests import factories as f

OCTETS_PDF = b"%PDF-1.4\n% piece de test\n" + bytes(range(256)) * 40


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


def _image_des_tables() -> dict[str, list[dict]]:
    return {
        m._meta.label_lower: list(m._base_manager.order_by("pk").values())
        for m in modeles_sauvegardes()
    }


def _image_du_stockage() -> dict[str, bytes]:
    image = {}
    for nom in fichiers_du_stockage():
        with default_storage.open(nom) as fichier:
            image[nom] = fichier.read()
    return image


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


def test_aller_retour_restaure_chaque_table_et_chaque_fichier(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    tables_avant, fichiers_avant = _image_des_tables(), _image_du_stockage()
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _vider(stockage)

    sortie = _sortie("restaurer", str(archive))

    assert _image_des_tables() == tables_avant
    assert _image_du_stockage() == fichiers_avant
    assert "Restauration terminée" in sortie


def test_aller_retour_couvre_les_modeles_de_plusieurs_applications(
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _vider(stockage)
    _sortie("restaurer", str(archive))

    non_vides = {label for label, lignes in _image_des_tables().items() if lignes}

    attendus = {
        "auth.user",
        "auth.user_groups",
        "auth.group",
        "acv.commune",
        "acv.profil",
        "acv.courriel",
        "candidatures.vague",
        "candidatures.candidature",
        "candidatures.historicalcandidature",
        "candidatures.piece",
        "candidatures.affectation",
        "contenttypes.contenttype",
    }
    assert attendus - non_vides == set()
    assert Courriel.objects.get().statut == Courriel.Statut.ENVOYE


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
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    tables_avant, fichiers_avant = _image_des_tables(), _image_du_stockage()
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    f.CandidatureFactory(vague=f.VagueFactory(numero=2))
    f.utilisateur(Role.OBSERVATEUR, username="ajoute-apres")

    _sortie("restaurer", str(archive), "--force")

    assert _image_des_tables() == tables_avant
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
    db, stockage, tmp_path, django_capture_on_commit_callbacks
):
    _peupler(django_capture_on_commit_callbacks)
    archive = tmp_path / "acv.tar.gz"
    _sortie("sauvegarder", str(archive))
    _vider(stockage)
    _sortie("restaurer", str(archive))
    plus_grand = Candidature.objects.order_by("-pk").values_list("pk", flat=True).first()

    nouvelle = f.CandidatureFactory(vague=f.VagueFactory(numero=3))

    assert nouvelle.pk > plus_grand
