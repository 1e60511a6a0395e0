# Placeholder chained in advance (issue #16: one SMTP connection per batch); filled in by its change if needed.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_notification_preferences")]

    operations: list = []
