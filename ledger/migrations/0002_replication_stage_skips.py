"""Placeholder for recorded stage skips and replications marked at submission (issue #14)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial"), ("practices", "0011_verifications_freshness")]

    operations = []
