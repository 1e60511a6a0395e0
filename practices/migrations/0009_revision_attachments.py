"""Placeholder for evidence carried across revisions (issue #14); its owner fills in the operations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("practices", "0008_ledger_models_leave")]

    operations = []
