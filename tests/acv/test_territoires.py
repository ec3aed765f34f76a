import io

from django.core.management import call_command

from acv.models import Commune, Departement, Epci, Region, VilleAcv


def test_load_territories_charge_le_referentiel_reel(db):
    call_command("load_territories", stdout=io.StringIO())

    assert Region.objects.count() == 18
    assert Departement.objects.count() == 101
    assert Epci.objects.count() == 1253
    assert Commune.objects.count() == 34875
    assert VilleAcv.objects.filter(entree=2018).count() == 222
    assert Commune.objects.filter(ville_acv__entree=2018).count() == 235
    assert VilleAcv.objects.filter(entree__gt=2018).count() == 11


def test_load_territories_deux_fois_ne_change_rien_et_le_dit(db, capsys):
    call_command("load_territories")
    capsys.readouterr()

    call_command("load_territories")

    sortie = capsys.readouterr().out
    assert "rien n'a changé" in sortie
    assert Commune.objects.count() == 34875


def test_load_territories_met_a_jour_une_commune_modifiee(db, capsys):
    call_command("load_territories")
    Commune.objects.filter(pk="15014").update(nom="Nom erroné", population=1)
    capsys.readouterr()

    call_command("load_territories")

    aurillac = Commune.objects.get(pk="15014")
    assert (aurillac.nom, aurillac.nom_normalise) == ("Aurillac", "aurillac")
    assert "communes : 0 créé(s), 1 modifié(s)" in capsys.readouterr().out


def test_un_binome_partage_un_numero_acv(db):
    call_command("load_territories", stdout=io.StringIO())

    binome = VilleAcv.objects.get(pk="ACV017")

    assert sorted(binome.communes.values_list("nom", flat=True)) == ["Arpajon-sur-Cère", "Aurillac"]
    assert binome.entree == 2018
    assert binome.date_signature is not None


def test_codes_corses_et_ultramarins_restent_des_chaines(db):
    call_command("load_territories", stdout=io.StringIO())

    ajaccio = Commune.objects.get(pk="2A004")
    saint_denis = Commune.objects.get(pk="97411")

    assert (ajaccio.nom, ajaccio.departement_id, ajaccio.region_id) == ("Ajaccio", "2A", "94")
    assert (saint_denis.departement_id, saint_denis.region_id) == ("974", "04")
    assert Commune.objects.get(pk="01004").code_insee == "01004"


def test_rambouillet_ville_de_2018_sans_date_de_convention(db):
    call_command("load_territories", stdout=io.StringIO())

    rambouillet = VilleAcv.objects.get(pk="ACV163")

    assert (rambouillet.entree, rambouillet.date_signature) == (2018, None)


def test_recherche_de_commune_par_nom_sans_accent_ni_tiret_et_par_code(db):
    call_command("load_territories", stdout=io.StringIO())

    par_nom = set(Commune.objects.recherche("st etienne du rouvray").values_list("pk", flat=True))
    par_code = list(Commune.objects.recherche("2a004").values_list("nom", flat=True))

    assert par_nom == {"76575"}
    assert par_code == ["Ajaccio"]
