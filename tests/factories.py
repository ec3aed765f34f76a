"""Fabriques factory_boy : des objets valides, sans surprise, sur un petit référentiel réel."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import Group, User

from acv.models import Commune, Departement, Epci, Organisation, Profil, Region, VilleAcv
from acv.roles import Role
from candidatures.models import (
    Affectation,
    Candidature,
    Critere,
    Decision,
    Evaluation,
    Jure,
    Note,
    PieceRequise,
    Vague,
)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "75"
    nom = "Nouvelle-Aquitaine"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "15"
    nom = "Cantal"
    region = factory.SubFactory(RegionFactory, code="84", nom="Auvergne-Rhône-Alpes")


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci
        django_get_or_create = ["siren"]

    siren = factory.Sequence(lambda n: f"2000{n:05d}")
    nom = factory.Sequence(lambda n: f"Communauté d'agglomération n° {n}")
    type = "CA"


class VilleAcvFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VilleAcv
        django_get_or_create = ["id_acv"]

    id_acv = factory.Sequence(lambda n: f"ACV{n + 300:03d}")
    libelle = factory.Sequence(lambda n: f"Ville ACV {n}")
    entree = 2018


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code_insee"]

    # Des codes qui n'existent pas en France (ni département 20, ni 96) : jamais confondus avec
    # une vraie commune du référentiel, et toujours sur 5 caractères (PostgreSQL le vérifie).
    code_insee = factory.Sequence(lambda n: f"{'20' if n % 2000 < 1000 else '96'}{n % 1000:03d}")
    nom = factory.Sequence(lambda n: f"Commune {n}")
    departement = factory.SubFactory(DepartementFactory)
    region = factory.SelfAttribute("departement.region")
    epci = factory.SubFactory(EpciFactory)
    population = 12000
    latitude = 44.93
    longitude = 2.44
    ville_acv = factory.SubFactory(VilleAcvFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"personne{n}")
    first_name = "Prénom"
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.invalid")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-de-test")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).label))
            if extracted == Role.ADMINISTRATEUR:
                self.is_staff = self.is_superuser = True
        self.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["sigle"]

    sigle = "cnam"
    nom = "Conservatoire national des arts et métiers (Cnam)"


def utilisateur(role: str | None = None, *, region: Region | None = None, **kwargs) -> User:
    user = UserFactory(role=role, **kwargs)
    if region is not None:
        Profil.objects.update_or_create(utilisateur=user, defaults={"region": region})
    return user


class VagueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vague
        django_get_or_create = ["numero"]

    numero = factory.Sequence(lambda n: n + 1)
    nom = factory.LazyAttribute(lambda v: f"Vague {v.numero} — {2018 + v.numero}")
    statut = Vague.Statut.CONSOLIDATION
    date_ouverture = datetime.date(2019, 4, 1)
    date_limite = datetime.date(2019, 6, 30)
    date_jury = datetime.date(2019, 9, 17)
    date_resultats = datetime.date(2019, 10, 1)
    places_prevues = 10


class CritereFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Critere

    vague = factory.SubFactory(VagueFactory)
    libelle = factory.Sequence(lambda n: f"Critère {n}")
    poids = 1
    note_min = 0
    note_max = 5


class PieceRequiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PieceRequise

    vague = factory.SubFactory(VagueFactory)
    libelle = factory.Sequence(lambda n: f"Pièce {n}")


class CandidatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidature

    vague = factory.SubFactory(VagueFactory)
    commune = factory.SubFactory(CommuneFactory)
    statut = Candidature.Statut.RECUE
    contact_nom = "Contact Fictif"
    contact_fonction = "Chargée de mission"
    contact_email = "contact@mairie.invalid"
    contact_telephone = "01 23 45 67 89"
    resume = "Un espace d'accès à la formation en centre-ville."


class JureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jure

    vague = factory.SubFactory(VagueFactory)
    utilisateur = factory.SubFactory(UserFactory, role=Role.JURE)
    organisation = factory.SubFactory(OrganisationFactory)


class AffectationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Affectation

    jure = factory.SubFactory(JureFactory)
    candidature = factory.SubFactory(CandidatureFactory)


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluation

    affectation = factory.SubFactory(AffectationFactory)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    evaluation = factory.SubFactory(EvaluationFactory)
    critere = factory.SubFactory(CritereFactory)
    valeur = 3


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    candidature = factory.SubFactory(CandidatureFactory)
    resultat = Decision.Resultat.RETENUE
