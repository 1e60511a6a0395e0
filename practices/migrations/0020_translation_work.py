# No operations: reserved for the translation work of issue #17, which needed none; competitions and showcases
# depend on it (their first migrations were made on top of it), so it stays.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("practices", "0019_practice_neighbours")]

    operations: list = []
