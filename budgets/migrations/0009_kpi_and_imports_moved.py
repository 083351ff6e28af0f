"""Share runs and snapshots now belong to ``budgets.kpi`` (app label "kpi"), import jobs to
``rdportfolio.imports`` (app label "imports").

State only: their tables and rows stay as they are (the new apps name them in Meta.db_table).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0008_roles_evaluations_imports"),
        ("kpi", "0001_initial"),
        ("imports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="ShareSnapshot"),
                migrations.DeleteModel(name="ShareRun"),
                migrations.DeleteModel(name="ImportJob"),
            ],
        ),
    ]
