"""Scenarios now live in their own app (scenarios 0001): their models leave the KPI's state
only; the tables stay, and are the scenarios app's now."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('kpi', '0010_scenario_results_leased'),
        ('scenarios', '0001_moved_from_kpi'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='field',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='scenario',
        ),
        migrations.RemoveField(
            model_name='historicaladjustment',
            name='technology',
        ),
        migrations.RemoveField(
            model_name='historicalscenario',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalscenario',
            name='owner',
        ),
        migrations.RemoveField(
            model_name='historicalscenario',
            name='revision_of',
        ),
        migrations.RemoveField(
            model_name='scenario',
            name='owner',
        ),
        migrations.RemoveField(
            model_name='scenario',
            name='revision_of',
        ),
        migrations.RemoveField(
            model_name='scenarioresult',
            name='scenario',
        ),
        migrations.RemoveField(
            model_name='scenariofigure',
            name='result',
        ),
        migrations.DeleteModel(
            name='Adjustment',
        ),
        migrations.DeleteModel(
            name='HistoricalAdjustment',
        ),
        migrations.DeleteModel(
            name='HistoricalScenario',
        ),
        migrations.DeleteModel(
            name='Scenario',
        ),
        migrations.DeleteModel(
            name='ScenarioFigure',
        ),
        migrations.DeleteModel(
            name='ScenarioResult',
        ),
            ]),
    ]
