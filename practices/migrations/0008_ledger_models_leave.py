# The replication ledger's models move to the ledger app (ledger/migrations/0001_initial.py takes them into its
# state). Only the migration state changes: the tables stay, under their practices_* names.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('practices', '0007_practice_benchmark_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                # Children first, so no model left in the state points at a deleted one.
                migrations.DeleteModel(name='ReplicationResult'),
                migrations.DeleteModel(name='ReplicationStep'),
                migrations.DeleteModel(name='Replication'),
                migrations.DeleteModel(name='Question'),
            ],
            database_operations=[],
        ),
    ]
