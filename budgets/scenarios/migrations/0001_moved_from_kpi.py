"""Scenarios move from the KPI app into an app of their own. Their tables stay as they are
(``kpi_scenario`` ...): only Django's idea of whose models they are changes, and their content
types go with them, so that permissions, admin log entries and history keep pointing at them.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from rdportfolio.core.moves import content_types_move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('kpi', '0010_scenario_results_leased'),
        ('technologies', '0008_project_text_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='Scenario',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10, verbose_name='status')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('revision', models.PositiveIntegerField(default=1, verbose_name='revision')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                ('revision_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='revisions', to='scenarios.scenario', verbose_name='revision of')),
            ],
            options={
                'verbose_name': 'scenario',
                'verbose_name_plural': 'scenarios',
                'db_table': 'kpi_scenario',
                'ordering': ['-updated_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalScenario',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                ('name', models.CharField(max_length=200, verbose_name='name')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10, verbose_name='status')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published at')),
                ('revision', models.PositiveIntegerField(default=1, verbose_name='revision')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('owner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                ('revision_of', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='scenarios.scenario', verbose_name='revision of')),
            ],
            options={
                'verbose_name': 'historical scenario',
                'verbose_name_plural': 'historical scenarios',
                'db_table': 'kpi_historicalscenario',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalAdjustment',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('kind', models.CharField(choices=[('shift', 'Shift domestic won to international'), ('add', 'Add international won'), ('total', 'Change the ministry total'), ('slip', 'Slip: delay by years'), ('rate', 'Execution rate')], max_length=10, verbose_name='kind')),
                ('track', models.CharField(blank=True, choices=[('leapfrogging', 'Leapfrogging'), ('foundational', 'Foundational'), ('game_changer', 'Game-changer'), ('legacy', 'Legacy international collaboration')], max_length=20, verbose_name='track')),
                ('country', models.CharField(blank=True, help_text='ISO code: only the lines with partners in this country.', max_length=10, verbose_name='partner country (scope)')),
                ('from_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='from year')),
                ('to_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='to year')),
                ('amount_won', models.BigIntegerField(blank=True, help_text='Whole won per year; for the ministry total, negative is a cut.', null=True, verbose_name='amount (won per year)')),
                ('percent', models.DecimalField(blank=True, decimal_places=3, help_text="Shift: the share of the scope's domestic won moved; total: the change; execution rate: the rate (empty: the rate observed in closed years).", max_digits=7, null=True, verbose_name='percent')),
                ('partner_country', models.CharField(blank=True, help_text='ISO code of the partners of the won shifted or added.', max_length=2, verbose_name='partner country')),
                ('slip_years', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='years of delay')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('field', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='technologies.field', verbose_name='field')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('technology', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='technologies.technology', verbose_name='technology')),
                ('scenario', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='scenarios.scenario', verbose_name='scenario')),
            ],
            options={
                'verbose_name': 'historical scenario adjustment',
                'verbose_name_plural': 'historical scenario adjustments',
                'db_table': 'kpi_historicaladjustment',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Adjustment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('kind', models.CharField(choices=[('shift', 'Shift domestic won to international'), ('add', 'Add international won'), ('total', 'Change the ministry total'), ('slip', 'Slip: delay by years'), ('rate', 'Execution rate')], max_length=10, verbose_name='kind')),
                ('track', models.CharField(blank=True, choices=[('leapfrogging', 'Leapfrogging'), ('foundational', 'Foundational'), ('game_changer', 'Game-changer'), ('legacy', 'Legacy international collaboration')], max_length=20, verbose_name='track')),
                ('country', models.CharField(blank=True, help_text='ISO code: only the lines with partners in this country.', max_length=10, verbose_name='partner country (scope)')),
                ('from_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='from year')),
                ('to_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='to year')),
                ('amount_won', models.BigIntegerField(blank=True, help_text='Whole won per year; for the ministry total, negative is a cut.', null=True, verbose_name='amount (won per year)')),
                ('percent', models.DecimalField(blank=True, decimal_places=3, help_text="Shift: the share of the scope's domestic won moved; total: the change; execution rate: the rate (empty: the rate observed in closed years).", max_digits=7, null=True, verbose_name='percent')),
                ('partner_country', models.CharField(blank=True, help_text='ISO code of the partners of the won shifted or added.', max_length=2, verbose_name='partner country')),
                ('slip_years', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='years of delay')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='note')),
                ('field', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='technologies.field', verbose_name='field')),
                ('technology', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='technologies.technology', verbose_name='technology')),
                ('scenario', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='adjustments', to='scenarios.scenario', verbose_name='scenario')),
            ],
            options={
                'verbose_name': 'scenario adjustment',
                'verbose_name_plural': 'scenario adjustments',
                'db_table': 'kpi_adjustment',
                'ordering': ['scenario', 'position'],
            },
        ),
        migrations.CreateModel(
            name='ScenarioResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('enqueued_at', models.DateTimeField(blank=True, null=True, verbose_name='handed to the workers at')),
                ('lease_until', models.DateTimeField(blank=True, help_text='A job whose worker stops renewing this is taken up again.', null=True, verbose_name="worker's lease until")),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('scenario_revision', models.PositiveIntegerField(verbose_name='scenario revision')),
                ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                ('line_count', models.BigIntegerField(blank=True, null=True, verbose_name='budget lines read')),
                ('beyond_won', models.BigIntegerField(default=0, help_text='Won slipped past the last plan year.', verbose_name='slipped past the plan (won)')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('rates', models.JSONField(blank=True, default=dict, help_text="Each track's rate observed in closed years (executed ÷ planned), as used.", verbose_name='execution rates')),
                ('scenario', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='scenarios.scenario', verbose_name='scenario')),
            ],
            options={
                'verbose_name': 'scenario result',
                'verbose_name_plural': 'scenario results',
                'db_table': 'kpi_scenarioresult',
                'ordering': ['-id'],
            },
        ),
        migrations.CreateModel(
            name='ScenarioFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('path', models.CharField(choices=[('baseline', 'Baseline'), ('scenario', 'Scenario'), ('expected', 'Expected (execution rate)')], max_length=10, verbose_name='path')),
                ('fiscal_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year')),
                ('dimension', models.CharField(choices=[('overall', 'Overall'), ('track', 'Track'), ('field', 'Field'), ('country', 'Country')], max_length=10, verbose_name='dimension')),
                ('key', models.CharField(blank=True, max_length=40, verbose_name='key')),
                ('international_won', models.BigIntegerField(verbose_name='international (won)')),
                ('total_won', models.BigIntegerField(blank=True, null=True, verbose_name='ministry total (won)')),
                ('share', models.DecimalField(blank=True, decimal_places=4, max_digits=30, null=True, verbose_name='share (%)')),
                ('target_share', models.DecimalField(blank=True, decimal_places=4, max_digits=9, null=True, verbose_name='target share (%)')),
                ('target_won', models.BigIntegerField(blank=True, null=True, verbose_name='target (won)')),
                ('gap_won', models.BigIntegerField(blank=True, null=True, verbose_name='gap (won)')),
                ('status', models.CharField(choices=[('on_track', 'On track'), ('behind', 'Behind'), ('no_data', 'No data'), ('no_target', 'No target'), ('inconsistent', 'Inconsistent: above the ministry total'), ('baseline', 'Baseline: no verdict'), ('in_progress', 'In progress: the year is not closed')], max_length=12, verbose_name='status')),
                ('difference_won', models.BigIntegerField(verbose_name='difference from the baseline (won)')),
                ('result', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='figures', to='scenarios.scenarioresult', verbose_name='result')),
            ],
            options={
                'verbose_name': 'scenario figure',
                'verbose_name_plural': 'scenario figures',
                'db_table': 'kpi_scenariofigure',
                'ordering': ['result', 'path', 'dimension', 'key', 'fiscal_year'],
            },
        ),
        migrations.AddConstraint(
            model_name='scenario',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('published_at__isnull', False), _connector='OR'), name='kpi_scenario_published_has_date'),
        ),
        migrations.AddConstraint(
            model_name='adjustment',
            constraint=models.UniqueConstraint(fields=('scenario', 'position'), name='kpi_adjustment_unique_position'),
        ),
        migrations.AddConstraint(
            model_name='adjustment',
            constraint=models.CheckConstraint(condition=models.Q(('to_year__gte', models.F('from_year'))), name='kpi_adjustment_span_order'),
        ),
        migrations.AddConstraint(
            model_name='adjustment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'slip'), _negated=True), ('slip_years__gte', 1), _connector='OR'), name='kpi_adjustment_slip_years'),
        ),
        migrations.AddConstraint(
            model_name='adjustment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'add'), _negated=True), ('amount_won__gt', 0), _connector='OR'), name='kpi_adjustment_add_amount'),
        ),
        migrations.AddConstraint(
            model_name='adjustment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'shift'), _negated=True), models.Q(('amount_won__gt', 0), ('percent__isnull', True)), models.Q(('amount_won__isnull', True), ('percent__gt', 0), ('percent__lte', 100)), _connector='OR'), name='kpi_adjustment_shift_amount'),
        ),
        migrations.AddConstraint(
            model_name='scenariofigure',
            constraint=models.UniqueConstraint(fields=('result', 'path', 'fiscal_year', 'dimension', 'key'), name='kpi_scenario_figure_unique'),
        ),
            ]),
        content_types_move(
            "kpi",
            "scenarios",
            [
                "scenario",
                "historicalscenario",
                "adjustment",
                "historicaladjustment",
                "scenarioresult",
                "scenariofigure",
            ],
        ),
    ]
