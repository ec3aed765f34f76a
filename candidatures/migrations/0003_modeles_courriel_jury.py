"""Les modèles de courriel du jury : avis d'affectation, relance, conflit signalé à l'équipe.

Créés seulement s'ils n'existent pas : l'équipe peut les modifier ensuite sans qu'une migration
ne les écrase.
"""

from django.db import migrations

MODELES = [
    (
        "affectation",
        "Jury : avis d'affectation",
        "{{ vague }} : {{ nombre }} candidature{{ nombre|pluralize }} à évaluer",
        """Bonjour {{ nom }},

{{ nombre }} candidature{{ nombre|pluralize }} vous {{ nombre|pluralize:"est,sont" }} confiée{{ nombre|pluralize }} pour la {{ vague }} du programme « Au cœur des territoires » : {{ references }}.
{% if date_limite %}
Merci de soumettre vos évaluations avant le {{ date_limite }}.{% endif %}

Vos évaluations : {{ lien }}

Si vous avez un conflit d'intérêts avec l'une de ces candidatures, déclarez-le depuis la même page avant de l'évaluer.

L'équipe du programme « Au cœur des territoires » (Cnam)
""",
        "nom, vague, nombre, references, date_limite, lien",
    ),
    (
        "relance",
        "Jury : relance des évaluations en attente",
        "{{ vague }} : {{ nombre }} évaluation{{ nombre|pluralize }} en attente",
        """Bonjour {{ nom }},

Il vous reste {{ nombre }} évaluation{{ nombre|pluralize }} à soumettre pour la {{ vague }} du programme « Au cœur des territoires ».{% if date_limite %} La date limite est le {{ date_limite }}.{% endif %}

Vos brouillons sont enregistrés : vous reprenez là où vous vous étiez arrêté·e.

Vos évaluations : {{ lien }}

L'équipe du programme « Au cœur des territoires » (Cnam)
""",
        "nom, vague, nombre, date_limite, lien",
    ),
    (
        "conflit_signale",
        "Jury : conflit d'intérêts déclaré après affectation",
        "{{ reference }} ({{ commune }}) à réaffecter : conflit d'intérêts",
        """Bonjour,

{{ jure }} a déclaré un conflit d'intérêts avec la candidature {{ reference }} ({{ commune }}), qui lui était affectée.
Motif : {{ motif }}

Son affectation et son brouillon éventuel ont été retirés : la candidature est à réaffecter.

Avancement du jury : {{ lien }}
""",
        "jure, reference, commune, motif, lien",
    ),
]


def creer(apps, schema_editor):
    ModeleCourriel = apps.get_model("acv", "ModeleCourriel")
    for code, libelle, sujet, corps, aide in MODELES:
        ModeleCourriel.objects.get_or_create(
            code=code,
            defaults={"libelle": libelle, "sujet": sujet, "corps": corps, "aide": aide},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("acv", "0001_initial"),
        ("candidatures", "0002_lettres_accompagnement"),
    ]
    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
