"""Year closings, the ministry total's basis (budgeted or settled), and target points that say
whether they are a target or the baseline a plan starts from, each with its source.

Existing totals are the budget as passed (budgeted). The strategy's 2023 point (about 6%) is
the level measured when it was made: a baseline, not a target. A point without a source gets
one that says so, so that the page shows it rather than a blank.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

STRATEGY_PLAN_NAME = "Comprehensive Global Technology Collaboration Strategy (Dec 2023)"


def points_say_what_they_are(apps, schema_editor):
    CollaborationTarget = apps.get_model("budgets", "CollaborationTarget")
    CollaborationTarget.objects.filter(plan__name=STRATEGY_PLAN_NAME, fiscal_year=2023).update(
        kind="baseline"
    )
    CollaborationTarget.objects.filter(source="").update(
        source="No source recorded (before December 2026)"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0014_international_means_a_foreign_partner'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalYearClosing',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                ('source', models.CharField(blank=True, help_text='Where this figure or record comes from (publication, date, section).', max_length=500, verbose_name='source')),
                ('is_synthetic', models.BooleanField(default=False, help_text='Invented for the demo portfolio, not a published fact.', verbose_name='synthetic')),
                ('fiscal_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year')),
                ('closed_on', models.DateField(help_text="The day of the act that closed the year (the settled accounts' approval).", verbose_name='closed on')),
                ('reopened_at', models.DateTimeField(blank=True, null=True, verbose_name='reopened at')),
                ('reopen_reason', models.TextField(blank=True, verbose_name='reason for reopening')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical fiscal year closing',
                'verbose_name_plural': 'historical fiscal year closings',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='YearClosing',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('source', models.CharField(blank=True, help_text='Where this figure or record comes from (publication, date, section).', max_length=500, verbose_name='source')),
                ('is_synthetic', models.BooleanField(default=False, help_text='Invented for the demo portfolio, not a published fact.', verbose_name='synthetic')),
                ('fiscal_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year')),
                ('closed_on', models.DateField(help_text="The day of the act that closed the year (the settled accounts' approval).", verbose_name='closed on')),
                ('reopened_at', models.DateTimeField(blank=True, null=True, verbose_name='reopened at')),
                ('reopen_reason', models.TextField(blank=True, verbose_name='reason for reopening')),
            ],
            options={
                'verbose_name': 'fiscal year closing',
                'verbose_name_plural': 'fiscal year closings',
                'ordering': ['-fiscal_year', '-id'],
            },
        ),
        migrations.AlterModelOptions(
            name='ministrybudget',
            options={'ordering': ['fiscal_year', 'basis'], 'verbose_name': 'ministry budget', 'verbose_name_plural': 'ministry budgets'},
        ),
        migrations.AddField(
            model_name='collaborationtarget',
            name='kind',
            field=models.CharField(choices=[('target', 'Target'), ('baseline', 'Baseline')], default='target', help_text='Target: a share the year must reach. Baseline: the level measured when the plan was made; no verdict.', max_length=10, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='historicalcollaborationtarget',
            name='kind',
            field=models.CharField(choices=[('target', 'Target'), ('baseline', 'Baseline')], default='target', help_text='Target: a share the year must reach. Baseline: the level measured when the plan was made; no verdict.', max_length=10, verbose_name='kind'),
        ),
        migrations.AddField(
            model_name='historicalministrybudget',
            name='basis',
            field=models.CharField(choices=[('budgeted', 'Budgeted'), ('settled', 'Settled')], default='budgeted', help_text='Budgeted: as passed for the year. Settled: the settled accounts after it. Executed shares are divided by the settled total where there is one.', max_length=10, verbose_name='basis'),
        ),
        migrations.AddField(
            model_name='ministrybudget',
            name='basis',
            field=models.CharField(choices=[('budgeted', 'Budgeted'), ('settled', 'Settled')], default='budgeted', help_text='Budgeted: as passed for the year. Settled: the settled accounts after it. Executed shares are divided by the settled total where there is one.', max_length=10, verbose_name='basis'),
        ),
        migrations.AlterField(
            model_name='historicalministrybudget',
            name='fiscal_year',
            field=models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year'),
        ),
        migrations.AlterField(
            model_name='ministrybudget',
            name='fiscal_year',
            field=models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year'),
        ),
        migrations.AddConstraint(
            model_name='collaborationtarget',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['target', 'baseline'])), name='budgets_target_kind_valid', violation_error_message='A point is a target or a baseline.'),
        ),
        migrations.RunPython(points_say_what_they_are, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='collaborationtarget',
            constraint=models.CheckConstraint(condition=models.Q(('source', ''), _negated=True), name='budgets_target_has_source', violation_error_message='Say where this point was published (source).'),
        ),
        migrations.AddConstraint(
            model_name='ministrybudget',
            constraint=models.UniqueConstraint(fields=('fiscal_year', 'basis'), name='budgets_ministrybudget_one_per_year_and_basis', violation_error_message='That year already has a total on that basis.'),
        ),
        migrations.AddConstraint(
            model_name='ministrybudget',
            constraint=models.CheckConstraint(condition=models.Q(('basis__in', ['budgeted', 'settled'])), name='budgets_ministrybudget_basis_valid', violation_error_message='A total is budgeted or settled.'),
        ),
        migrations.AddField(
            model_name='historicalyearclosing',
            name='closed_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='closed by'),
        ),
        migrations.AddField(
            model_name='historicalyearclosing',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalyearclosing',
            name='reopened_by',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reopened by'),
        ),
        migrations.AddField(
            model_name='yearclosing',
            name='closed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='closed by'),
        ),
        migrations.AddField(
            model_name='yearclosing',
            name='reopened_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='reopened by'),
        ),
        migrations.AddConstraint(
            model_name='yearclosing',
            constraint=models.CheckConstraint(condition=models.Q(('fiscal_year__gte', 1990), ('fiscal_year__lte', 2100)), name='budgets_yearclosing_fiscal_year_in_range', violation_error_message='fiscal_year must be between 1990 and 2100.'),
        ),
        migrations.AddConstraint(
            model_name='yearclosing',
            constraint=models.UniqueConstraint(condition=models.Q(('reopened_at__isnull', True)), fields=('fiscal_year',), name='budgets_yearclosing_one_standing_per_year', violation_error_message='That year is closed already.'),
        ),
        migrations.AddConstraint(
            model_name='yearclosing',
            constraint=models.CheckConstraint(condition=models.Q(('reopened_at__isnull', True), models.Q(('reopen_reason', ''), _negated=True), _connector='OR'), name='budgets_yearclosing_reopen_has_reason', violation_error_message='A year is reopened only with a reason.'),
        ),
    ]
