import io

import pytest
from django.core.management import call_command

from candidatures.models import Affectation, Candidature, Evaluation, Jure, Vague
from sites import echelle
from sites.models import Jalon, Site

pytestmark = pytest.mark.lent


def test_seed_scale_facteur_1_donne_la_taille_du_programme(db):
    call_command("seed_scale", "--factor", "1", stdout=io.StringIO())

    vague = Vague.objects.get(nom__startswith=echelle.PREFIXE)
    assert vague.candidatures.count() == 100
    assert Jure.objects.filter(vague=vague).count() == 20
    assert Affectation.objects.filter(candidature__vague=vague).count() == 300
    # trois évaluations par candidature, dont une part de brouillons (la vague est en examen)
    evaluations = Evaluation.objects.filter(affectation__candidature__vague=vague)
    assert evaluations.count() == 300
    assert 0 < evaluations.filter(statut="brouillon").count() < 100
    assert Site.objects.count() == 60
    assert Jalon.objects.count() == 300
    # Une ville au plus par vague, trois organisations distinctes par candidature.
    assert len(set(vague.candidatures.values_list("cle_ville", flat=True))) == 100
    for candidature in Candidature.objects.filter(vague=vague)[:20]:
        organisations = list(candidature.affectations.values_list("jure__organisation", flat=True))
        assert len(set(organisations)) == 3
    assert Evaluation.objects.filter(statut="soumise", note_sur_20__isnull=True).count() == 0


def test_tailles_des_vagues_a_cent_fois():
    tailles = echelle.tailles_des_vagues(100)

    assert (sum(tailles), max(tailles), len(tailles)) == (10000, 2000, 8)
    assert echelle.nombre_de_jures(100) >= 100
