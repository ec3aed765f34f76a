"""Créer un site depuis une candidature retenue ; les règles de son statut ; ses jalons."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from acv.erreurs import ConflitDeVersion, TransitionRefusee
from candidatures.models import Candidature
from sites.models import CentreRegional, Jalon, Site
from sites.services import ouvrir_site

from .. import factories as f
from .conftest import ouvrir, site_retenu

AUJOURDHUI = timezone.localdate


@pytest.fixture
def retenue(db):
    return f.CandidatureFactory(
        statut=Candidature.Statut.RETENUE,
        porteur=Candidature.Porteur.EPCI,
        epci=f.EpciFactory(),
        date_ouverture_prevue=datetime.date(2021, 9, 1),
    )


def test_ouvrir_site_reprend_la_candidature(retenue, equipe):
    site = ouvrir_site(retenue, par=equipe)

    assert (site.candidature, site.commune, site.porteur, site.epci) == (
        retenue,
        retenue.commune,
        "epci",
        retenue.epci,
    )
    assert (site.contact_nom, site.contact_email, site.contact_telephone) == (
        "Contact Fictif",
        "contact@mairie.invalid",
        "01 23 45 67 89",
    )
    assert (site.statut, site.date_ouverture_prevue, site.date_ouverture) == (
        "planifie",
        datetime.date(2021, 9, 1),
        None,
    )
    assert site.history.first().history_user == equipe


def test_ouvrir_site_cree_les_jalons_par_defaut_dates_depuis_l_ouverture_prevue(retenue, equipe):
    site = ouvrir_site(retenue, par=equipe)

    assert [(j.libelle, j.echeance) for j in site.jalons.order_by("ordre")] == [
        ("Convention signée", datetime.date(2020, 12, 5)),
        ("Locaux prêts", datetime.date(2021, 7, 3)),
        ("Équipe recrutée", datetime.date(2021, 8, 2)),
        ("Premier cours", datetime.date(2021, 9, 1)),
        ("Inauguration", datetime.date(2021, 10, 31)),
    ]


def test_ouvrir_site_designe_le_cnam_de_la_region(retenue, equipe):
    centre = CentreRegional.objects.create(nom="Cnam Auvergne-Rhône-Alpes", region_id="84")

    site = ouvrir_site(retenue, par=equipe)

    assert site.operateur == centre


@pytest.mark.parametrize(
    "statut",
    [Candidature.Statut.EN_EXAMEN, Candidature.Statut.NON_RETENUE, Candidature.Statut.RECUE],
)
def test_ouvrir_site_refuse_une_candidature_non_retenue(statut, equipe):
    candidature = f.CandidatureFactory(statut=statut)

    with pytest.raises(TransitionRefusee, match="seule une candidature retenue"):
        ouvrir_site(candidature, par=equipe)
    assert Site.objects.count() == 0


def test_ouvrir_site_refuse_un_second_site(retenue, equipe):
    ouvrir_site(retenue, par=equipe)

    with pytest.raises(TransitionRefusee, match="a déjà son site"):
        ouvrir_site(retenue, par=equipe)
    assert Site.objects.count() == 1


def test_site_creer_depuis_candidature_par_l_equipe(retenue, client_de, equipe):
    reponse = client_de(equipe).post(reverse("site_creer_depuis_candidature", args=[retenue.pk]))

    site = Site.objects.get()
    assert (reponse.status_code, reponse["Location"]) == (
        302,
        reverse("site_detail", args=[site.pk]),
    )


def test_site_creer_depuis_candidature_non_retenue_message_et_rien_cree(client_de, equipe):
    candidature = f.CandidatureFactory(statut=Candidature.Statut.EN_EXAMEN)

    reponse = client_de(equipe).post(
        reverse("site_creer_depuis_candidature", args=[candidature.pk]), follow=True
    )

    assert Site.objects.count() == 0
    assert [str(m) for m in reponse.context["messages"]] == [
        f"La candidature {candidature.reference} est « En examen par le jury » : "
        "seule une candidature retenue peut donner un site."
    ]


def test_site_creer_depuis_candidature_inconnue_404(client_de, equipe):
    reponse = client_de(equipe).post(reverse("site_creer_depuis_candidature", args=[999]))

    assert reponse.status_code == 404


def test_site_creer_depuis_candidature_responsable_regional_403(
    retenue, client_de, responsable_regional
):
    reponse = client_de(responsable_regional).post(
        reverse("site_creer_depuis_candidature", args=[retenue.pk])
    )

    assert (reponse.status_code, Site.objects.count()) == (403, 0)


def test_site_creer_depuis_candidature_get_405(retenue, client_de, equipe):
    reponse = client_de(equipe).get(reverse("site_creer_depuis_candidature", args=[retenue.pk]))

    assert reponse.status_code == 405


# --- statut -----------------------------------------------------------------------------------
def test_statut_cycle_complet(db):
    site = site_retenu()

    site.changer_statut("en_preparation", par=None)
    site.changer_statut("ouvert", par=None, date_ouverture=datetime.date(2021, 2, 1))
    site.changer_statut("suspendu", par=None, note="Travaux")
    site.changer_statut("ouvert", par=None)
    site.changer_statut("ferme", par=None)

    site.refresh_from_db()
    assert (site.statut, site.date_ouverture, site.version) == (
        "ferme",
        datetime.date(2021, 2, 1),
        5,
    )
    assert [h.history_change_reason for h in site.history.order_by("history_id")][-3:] == [
        "Ouvert → Suspendu : Travaux",
        "Suspendu → Ouvert",
        "Ouvert → Fermé",
    ]


def test_statut_ouvrir_exige_la_date(db):
    site = site_retenu()
    site.changer_statut("en_preparation", par=None)

    with pytest.raises(TransitionRefusee, match="Indiquez la date d'ouverture"):
        site.changer_statut("ouvert", par=None)
    site.refresh_from_db()
    assert site.statut == "en_preparation"


def test_statut_ouvrir_refuse_une_date_future(db):
    site = site_retenu()
    site.changer_statut("en_preparation", par=None)

    with pytest.raises(TransitionRefusee, match="dans le futur"):
        site.changer_statut(
            "ouvert", par=None, date_ouverture=AUJOURDHUI() + datetime.timedelta(days=1)
        )


@pytest.mark.parametrize(
    ("depart", "vers"),
    [
        ("planifie", "ouvert"),
        ("planifie", "suspendu"),
        ("en_preparation", "suspendu"),
        ("ferme", "ouvert"),
    ],
)
def test_statut_transition_non_permise_refusee(depart, vers, db):
    site = site_retenu()
    Site.objects.filter(pk=site.pk).update(statut=depart)
    site.refresh_from_db()

    with pytest.raises(TransitionRefusee, match="ne peut pas passer"):
        site.changer_statut(vers, par=None, date_ouverture=datetime.date(2021, 1, 1))


def test_statut_version_perimee_refusee(db):
    site = site_retenu()
    autre_lecture = Site.objects.get(pk=site.pk)
    site.changer_statut("en_preparation", par=None)

    with pytest.raises(ConflitDeVersion):
        autre_lecture.changer_statut("ferme", par=None)
    site.refresh_from_db()
    assert site.statut == "en_preparation"


def test_contrainte_un_site_ouvert_a_sa_date(db):
    site = site_retenu()

    with pytest.raises(IntegrityError), transaction.atomic():
        Site.objects.filter(pk=site.pk).update(statut="ouvert")


def test_contrainte_inscriptions_une_par_annee(db):
    site = site_retenu()
    site.inscriptions.create(annee=2021, nombre=30)

    with pytest.raises(IntegrityError), transaction.atomic():
        site.inscriptions.create(annee=2021, nombre=40)


def test_changer_statut_vue_ouvre_le_site(client_de, equipe):
    site = site_retenu()
    site.changer_statut("en_preparation", par=None)

    reponse = client_de(equipe).post(
        reverse("site_changer_statut", args=[site.pk]),
        {"vers": "ouvert", "date_ouverture": "2021-03-15", "version": site.version},
    )

    site.refresh_from_db()
    assert (reponse.status_code, site.statut, site.date_ouverture) == (
        302,
        "ouvert",
        datetime.date(2021, 3, 15),
    )


def test_changer_statut_vue_sans_date_message_et_rien_ecrit(client_de, equipe):
    site = site_retenu()
    site.changer_statut("en_preparation", par=None)

    reponse = client_de(equipe).post(
        reverse("site_changer_statut", args=[site.pk]),
        {"vers": "ouvert", "version": site.version},
        follow=True,
    )

    site.refresh_from_db()
    assert site.statut == "en_preparation"
    assert [str(m) for m in reponse.context["messages"]] == [
        "Indiquez la date d'ouverture du site."
    ]


def test_changer_statut_vue_statut_change_entre_temps_dit_le_conflit(client_de, equipe):
    """Lu « planifié » (version 0) ; un collègue passe le site en préparation ; « en préparation »
    n'est plus proposé, mais le message dit que la fiche a changé, pas « choisissez un statut »."""
    site = site_retenu()
    version_lue = site.version
    site.changer_statut("en_preparation", par=None)

    reponse = client_de(equipe).post(
        reverse("site_changer_statut", args=[site.pk]),
        {"vers": "en_preparation", "version": version_lue},
        follow=True,
    )

    site.refresh_from_db()
    assert (site.statut, site.version) == ("en_preparation", version_lue + 1)
    assert [str(m) for m in reponse.context["messages"]] == [str(ConflitDeVersion())]


def test_changer_statut_vue_site_inconnu_404(client_de, equipe):
    reponse = client_de(equipe).post(reverse("site_changer_statut", args=[999]), {"vers": "ferme"})

    assert reponse.status_code == 404


# --- jalons ------------------------------------------------------------------------------------
def test_jalon_en_retard_echeance_passee_et_pas_fait(db):
    site = site_retenu()
    hier = AUJOURDHUI() - datetime.timedelta(days=1)
    en_retard = Jalon.objects.create(site=site, libelle="A", echeance=hier)
    fait = Jalon.objects.create(site=site, libelle="B", echeance=hier, fait_le=hier)
    a_venir = Jalon.objects.create(site=site, libelle="C", echeance=AUJOURDHUI())

    assert (en_retard.en_retard, fait.en_retard, a_venir.en_retard) == (True, False, False)
    assert list(Jalon.objects.en_retard()) == [en_retard]


def test_jalon_d_un_site_ferme_n_est_plus_en_retard(db):
    site = site_retenu()
    Jalon.objects.create(site=site, libelle="A", echeance=datetime.date(2020, 1, 1))
    site.changer_statut("ferme", par=None)

    assert list(Jalon.objects.en_retard()) == []


def test_site_jalons_l_equipe_en_ajoute(client_de, equipe):
    site = site_retenu()
    jalons = list(site.jalons.order_by("echeance", "ordre", "pk"))
    donnees = {"jalons-TOTAL_FORMS": "6", "jalons-INITIAL_FORMS": "5"}
    for i, jalon in enumerate(jalons):
        donnees |= {
            f"jalons-{i}-id": jalon.pk,
            f"jalons-{i}-site": site.pk,
            f"jalons-{i}-libelle": jalon.libelle,
            f"jalons-{i}-echeance": jalon.echeance.isoformat(),
        }
    donnees |= {"jalons-5-libelle": "Comité de pilotage", "jalons-5-echeance": "2022-06-30"}

    reponse = client_de(equipe).post(reverse("site_jalons", args=[site.pk]), donnees)

    assert reponse.status_code == 302
    assert site.jalons.count() == 6
    assert site.jalons.get(libelle="Comité de pilotage").echeance == datetime.date(2022, 6, 30)


def test_site_detail_met_en_evidence_les_jalons_en_retard(client_de, observateur):
    site = site_retenu()
    Jalon.objects.create(site=site, libelle="Bail signé", echeance=datetime.date(2020, 1, 1))

    reponse = client_de(observateur).get(reverse("site_detail", args=[site.pk]))

    contenu = reponse.content.decode()
    assert contenu.count('class="acv-ligne-retard"') == 1
    assert "Contact Fictif" not in contenu  # l'observateur ne voit pas le contact


def test_site_detail_montre_l_historique_a_l_equipe(client_de, equipe):
    site = ouvrir(site_retenu(par=equipe), datetime.date(2021, 1, 4), equipe)

    reponse = client_de(equipe).get(reverse("site_detail", args=[site.pk]))

    assert [e.action for e in reponse.context["historique"]] == [
        "En préparation → Ouvert",
        "Planifié → En préparation",
        f"Créé depuis la candidature {site.candidature.reference}",
    ]


def test_ouvrir_site_le_motif_ne_colle_pas_aux_modifications_suivantes(retenue, equipe):
    site = ouvrir_site(retenue, par=equipe)

    site.adresse = "1 rue Neuve"
    site.save()

    assert site.history.first().history_change_reason is None


def _inscriptions(site, *lignes) -> dict:
    donnees = {"inscriptions-TOTAL_FORMS": str(len(lignes)), "inscriptions-INITIAL_FORMS": "0"}
    for i, (annee, nombre) in enumerate(lignes):
        donnees |= {f"inscriptions-{i}-annee": annee, f"inscriptions-{i}-nombre": nombre}
    return donnees


def test_site_inscriptions_enregistrees(client_de, responsable_regional):
    site = site_retenu()

    reponse = client_de(responsable_regional).post(
        reverse("site_inscriptions", args=[site.pk]), _inscriptions(site, (2021, 35), (2022, 48))
    )

    assert reponse.status_code == 302
    assert list(site.inscriptions.values_list("annee", "nombre")) == [(2021, 35), (2022, 48)]


@pytest.mark.parametrize(
    "lignes",
    [((2021, 35), (2021, 40)), ((1990, 10),), ((2021, -3),)],
    ids=["annee-en-double", "annee-impossible", "nombre-negatif"],
)
def test_site_inscriptions_saisie_invalide_rien_ecrit(lignes, client_de, equipe):
    site = site_retenu()

    reponse = client_de(equipe).post(
        reverse("site_inscriptions", args=[site.pk]), _inscriptions(site, *lignes)
    )

    assert (reponse.status_code, site.inscriptions.count()) == (200, 0)
    assert not reponse.context["formset"].is_valid()


def test_bouton_creer_site_puis_lien_vers_le_site(retenue, equipe, rf):
    from django.template.loader import render_to_string

    requete = rf.get("/")
    requete.user = equipe
    avant = render_to_string(
        "sites/_bouton_creer_site.html", {"candidature": retenue}, request=requete
    )
    site = ouvrir_site(retenue, par=equipe)
    retenue.refresh_from_db()
    apres = render_to_string(
        "sites/_bouton_creer_site.html", {"candidature": retenue}, request=requete
    )

    assert reverse("site_creer_depuis_candidature", args=[retenue.pk]) in avant
    assert reverse("site_detail", args=[site.pk]) in apres
