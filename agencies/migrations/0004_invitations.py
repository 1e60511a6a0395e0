# Placeholder chained in advance (issue #16: invitations); filled in by its change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_constraint_messages"),
        ("accounts", "0004_profile_position_notification_language"),
    ]

    operations: list = []
