"""Placeholder for the input constraints and their messages (issue #14); its owner fills in the operations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("practices", "0011_verifications_freshness")]

    operations = []
