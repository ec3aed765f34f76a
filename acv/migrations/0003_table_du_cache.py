"""La table du cache partagé (CACHES, DatabaseCache) : créée avec le reste par `migrate`.

Le classement garde son calcul dans ce cache ; sans la table, une base tout juste migrée
échouait tant que `manage.py createcachetable` n'avait pas été lancé. La commande est
idempotente : la lancer encore ne change rien.
"""

from django.core.management import call_command
from django.db import migrations


def creer_la_table_du_cache(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("acv", "0002_donnees_de_reference")]
    operations = [migrations.RunPython(creer_la_table_du_cache, migrations.RunPython.noop)]
