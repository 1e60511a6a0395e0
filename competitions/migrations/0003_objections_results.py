# The results work of issue #18 (COMP-B): the winners' award collection on the call.
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("competitions", "0002_core"), ("showcases", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="call",
            name="winners_collection",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="showcases.collection",
                verbose_name="koleksi pemenang",
            ),
        ),
    ]
