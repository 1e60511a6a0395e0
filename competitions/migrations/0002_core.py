# COMP-A (calls, entries, stages, reviews): a call is in one stage at a time.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("competitions", "0001_calls")]

    operations = [
        migrations.AddConstraint(
            model_name="stage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "open")), fields=("call",), name="competitions_stage_one_open_per_call"
            ),
        ),
    ]
