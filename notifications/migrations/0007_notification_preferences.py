# Placeholder chained in advance (issue #16: notification settings per kind); filled in by its change.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_constraint_messages"),
        ("accounts", "0004_profile_position_notification_language"),
    ]

    operations: list = []
