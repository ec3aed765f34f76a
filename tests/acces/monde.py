"""Le petit monde sur lequel la table URL × rôle est vérifiée.

Un objet par cas d'accès : une candidature affectée au juré, une non affectée, une en conflit ;
les tables des autres domaines y ajoutent paresseusement leurs objets (`monde.obtenir(nom, fabrique)`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from acv.roles import Role
from candidatures.models import Candidature, Conflit, Vague

from .. import factories as f

ANONYME = "anonyme"
JURE = "jure"
RESPONSABLE = "responsable_regional"
OBSERVATEUR = "observateur"
EQUIPE = "equipe"
ADMIN = "administrateur"
ROLES = [ANONYME, JURE, RESPONSABLE, OBSERVATEUR, EQUIPE, ADMIN]


@dataclass
class Monde:
    utilisateurs: dict
    region: object
    autre_region: object
    vague: Vague
    candidature_affectee: Candidature
    candidature_non_affectee: Candidature
    candidature_en_conflit: Candidature
    jure: object
    affectation: object
    extras: dict = field(default_factory=dict)

    def obtenir(self, nom: str, fabrique):
        """L'objet `nom`, créé au premier besoin par `fabrique(monde)`."""
        if nom not in self.extras:
            self.extras[nom] = fabrique(self)
        return self.extras[nom]


def construire_monde() -> Monde:
    region = f.RegionFactory(code="84", nom="Auvergne-Rhône-Alpes")
    autre_region = f.RegionFactory(code="44", nom="Grand Est")
    utilisateurs = {
        ANONYME: None,
        JURE: f.utilisateur(Role.JURE, username="t-jure"),
        RESPONSABLE: f.utilisateur(Role.RESPONSABLE_REGIONAL, username="t-region", region=region),
        OBSERVATEUR: f.utilisateur(Role.OBSERVATEUR, username="t-observateur"),
        EQUIPE: f.utilisateur(Role.EQUIPE, username="t-equipe"),
        ADMIN: f.utilisateur(Role.ADMINISTRATEUR, username="t-admin"),
    }
    vague = f.VagueFactory(numero=1, statut=Vague.Statut.EXAMEN_JURY)
    f.CritereFactory(vague=vague, libelle="Pertinence", poids=2)
    f.CritereFactory(vague=vague, libelle="Partenariats", poids=1)
    statut = Candidature.Statut.EN_EXAMEN
    affectee = f.CandidatureFactory(vague=vague, statut=statut)
    non_affectee = f.CandidatureFactory(vague=vague, statut=statut)
    en_conflit = f.CandidatureFactory(vague=vague, statut=statut)
    jure = f.JureFactory(vague=vague, utilisateur=utilisateurs[JURE])
    affectation = f.AffectationFactory(jure=jure, candidature=affectee)
    Conflit.objects.create(jure=jure, candidature=en_conflit, motif="Élu de la commune")
    return Monde(
        utilisateurs=utilisateurs,
        region=region,
        autre_region=autre_region,
        vague=vague,
        candidature_affectee=affectee,
        candidature_non_affectee=non_affectee,
        candidature_en_conflit=en_conflit,
        jure=jure,
        affectation=affectation,
    )
