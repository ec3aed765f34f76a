"""Le modèle de courriel au juré dont une nouvelle affectation automatique déplace des
candidatures qui lui étaient confiées (sans évaluation commencée).

Créé seulement s'il n'existe pas : l'équipe peut le modifier ensuite.
"""

from django.db import migrations

SUJET = "{{ vague }} : {{ nombre }} candidature{{ nombre|pluralize }} ne vous {{ nombre|pluralize:\"est,sont\" }} plus confiée{{ nombre|pluralize }}"
CORPS = """Bonjour {{ nom }},

Pour équilibrer les charges du jury de la {{ vague }}, {{ nombre|pluralize:"cette candidature,ces candidatures" }}, que vous n'aviez pas commencé à évaluer, {{ nombre|pluralize:"est confiée,sont confiées" }} à un autre juré : {{ references }}.

Vous n'avez rien à faire pour {{ nombre|pluralize:"elle,elles" }}. Vos autres évaluations ne changent pas.

Vos évaluations : {{ lien }}

L'équipe du programme « Au cœur des territoires » (Cnam)
"""


def creer(apps, schema_editor):
    ModeleCourriel = apps.get_model("acv", "ModeleCourriel")
    ModeleCourriel.objects.get_or_create(
        code="affectation_retiree",
        defaults={
            "libelle": "Jury : candidatures déplacées vers un autre juré",
            "sujet": SUJET,
            "corps": CORPS,
            "aide": "nom, vague, nombre, references, lien",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("candidatures", "0005_version_des_actions")]
    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
