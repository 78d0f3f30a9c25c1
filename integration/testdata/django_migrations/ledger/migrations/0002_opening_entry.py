import os
import time

from django.db import migrations


def opening_entry(apps, schema_editor):
    """A data migration that takes a while (SLOW_MIGRATION_SECONDS), so two
    migrate runs started together overlap, and leaves one row per run: a
    migration applied twice shows as two rows."""
    time.sleep(float(os.environ.get("SLOW_MIGRATION_SECONDS", "0")))
    apps.get_model("ledger", "Entry").objects.create(note="opening entry")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(opening_entry, migrations.RunPython.noop)]
