"""The evaluation models now belong to ``technologies.evaluations`` (app label "evaluations").

State only: their tables and rows stay as they are (the new app names them in Meta.db_table).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("technologies", "0004_evaluations"),
        ("evaluations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="HistoricalEvaluationAssignment"),
                migrations.DeleteModel(name="HistoricalEvaluationLayer"),
                migrations.DeleteModel(name="HistoricalEvaluationRound"),
                migrations.DeleteModel(name="EvaluationAssignment"),
                migrations.DeleteModel(name="EvaluationLayer"),
                migrations.DeleteModel(name="EvaluationRound"),
            ],
        ),
    ]
