"""ShareRun and its companions move here from the budgets app: same tables, same rows.

Only Django's state changes (the tables keep their names, see Meta.db_table); the content
types follow, and with them permissions, groups and admin log entries.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from rdportfolio.core.moves import content_types_move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('budgets', '0008_roles_evaluations_imports'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ShareRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('skipped', 'Skipped: inputs unchanged'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('trigger', models.CharField(choices=[('nightly', 'Nightly schedule'), ('change', 'Data change'), ('admin', 'Admin: recompute now'), ('command', 'Management command'), ('import', 'Excel/CSV import')], max_length=10, verbose_name='trigger')),
                        ('forced', models.BooleanField(default=False, verbose_name='forced')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('fingerprint', models.CharField(blank=True, max_length=64, verbose_name='input fingerprint')),
                        ('line_count', models.BigIntegerField(blank=True, null=True, verbose_name='budget lines read')),
                        ('snapshot_count', models.IntegerField(blank=True, null=True, verbose_name='snapshot rows written')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('target_plan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='budgets.targetplan', verbose_name='target plan')),
                    ],
                    options={
                        'verbose_name': 'share run',
                        'verbose_name_plural': 'share runs',
                        'db_table': 'budgets_sharerun',
                        'ordering': ['-id'],
                        'permissions': [('recompute_share', 'Can ask for a recompute of the share')],
                    },
                ),
                migrations.CreateModel(
                    name='ShareSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('fiscal_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year')),
                        ('basis', models.CharField(choices=[('planned', 'Planned'), ('allocated', 'Allocated'), ('executed', 'Executed')], max_length=10, verbose_name='basis')),
                        ('dimension', models.CharField(choices=[('overall', 'Overall'), ('track', 'Track'), ('field', 'Field'), ('country', 'Country')], max_length=10, verbose_name='dimension')),
                        ('key', models.CharField(blank=True, help_text="Track, field code or ISO country code ('unassigned' for lines without a partner).", max_length=40, verbose_name='key')),
                        ('international_won', models.BigIntegerField(verbose_name='international (won)')),
                        ('total_won', models.BigIntegerField(blank=True, null=True, verbose_name='ministry total (won)')),
                        ('share', models.DecimalField(blank=True, decimal_places=4, max_digits=9, null=True, verbose_name='share (%)')),
                        ('target_share', models.DecimalField(blank=True, decimal_places=4, max_digits=9, null=True, verbose_name='target share (%)')),
                        ('target_won', models.BigIntegerField(blank=True, help_text='Target share times the ministry total, in whole won.', null=True, verbose_name='target (won)')),
                        ('gap_won', models.BigIntegerField(blank=True, help_text='Target won minus international won; positive is a shortfall.', null=True, verbose_name='gap (won)')),
                        ('status', models.CharField(choices=[('on_track', 'On track'), ('behind', 'Behind'), ('no_data', 'No data'), ('no_target', 'No target')], max_length=10, verbose_name='status')),
                        ('is_projection', models.BooleanField(default=False, help_text='Planned figures standing in for a year with no executed figures.', verbose_name='projection')),
                        ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='snapshots', to='kpi.sharerun', verbose_name='run')),
                    ],
                    options={
                        'verbose_name': 'share snapshot',
                        'verbose_name_plural': 'share snapshots',
                        'db_table': 'budgets_sharesnapshot',
                        'ordering': ['run', 'dimension', 'key', 'fiscal_year', 'basis'],
                    },
                ),
                migrations.AddIndex(
                    model_name='sharerun',
                    index=models.Index(fields=['status', 'finished_at'], name='sharerun_status_finished_idx'),
                ),
                migrations.AddConstraint(
                    model_name='sharerun',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('status',), name='budgets_sharerun_one_pending'),
                ),
                migrations.AddConstraint(
                    model_name='sharesnapshot',
                    constraint=models.UniqueConstraint(fields=('run', 'fiscal_year', 'basis', 'dimension', 'key'), name='budgets_snapshot_unique'),
                ),
            ],
        ),
        content_types_move("budgets", "kpi", ['sharerun', 'sharesnapshot']),
    ]
