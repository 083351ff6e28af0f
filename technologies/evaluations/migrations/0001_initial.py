"""EvaluationRound and its companions move here from the technologies app: same tables, same rows.

Only Django's state changes (the tables keep their names, see Meta.db_table); the content
types follow, and with them permissions, groups and admin log entries.
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
        ('technologies', '0004_evaluations'),
        ('budgets', '0008_roles_evaluations_imports'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='EvaluationRound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('name_ko', models.CharField(max_length=200, verbose_name='Korean name')),
                        ('name_en', models.CharField(blank=True, max_length=200, verbose_name='English name')),
                        ('fiscal_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                    ],
                    options={
                        'verbose_name': 'evaluation round',
                        'verbose_name_plural': 'evaluation rounds',
                        'db_table': 'technologies_evaluationround',
                        'ordering': ['-fiscal_year', 'name_ko'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('fiscal_year__gte', 1990), ('fiscal_year__lte', 2100)), name='evaluations_evaluationround_fiscal_year_in_range', violation_error_message='fiscal_year must be between 1990 and 2100.'), models.UniqueConstraint(fields=('fiscal_year', 'name_ko'), name='technologies_round_unique_name', violation_error_message='A round with this name already exists that year.')],
                    },
                ),
                migrations.CreateModel(
                    name='EvaluationLayer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('order', models.PositiveSmallIntegerField(help_text='1 for the first layer, 2 for the next, ...', verbose_name='order')),
                        ('kind', models.CharField(choices=[('screening', 'Screening'), ('expert_review', 'Anonymous expert review'), ('committee', 'Committee')], max_length=20, verbose_name='kind')),
                        ('round', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='layers', to='evaluations.evaluationround', verbose_name='evaluation round')),
                    ],
                    options={
                        'verbose_name': 'evaluation layer',
                        'verbose_name_plural': 'evaluation layers',
                        'db_table': 'technologies_evaluationlayer',
                        'ordering': ['round', 'order'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalEvaluationAssignment',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                        ('pseudonym', models.CharField(editable=False, help_text='How editors see this reviewer: Reviewer A, B, ...', max_length=10, verbose_name='pseudonym')),
                        ('has_conflict', models.BooleanField(blank=True, help_text='Declared by the reviewer before scoring; empty until declared.', null=True, verbose_name='conflict of interest')),
                        ('conflict_statement', models.TextField(blank=True, verbose_name='conflict-of-interest statement')),
                        ('score', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='score')),
                        ('cooperation_essential', models.BooleanField(blank=True, null=True, verbose_name='international cooperation is essential')),
                        ('reasons', models.TextField(blank=True, verbose_name='reasons')),
                        ('submitted_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='submitted at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('layer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='evaluations.evaluationlayer', verbose_name='evaluation layer')),
                        ('technology', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='technologies.technology', verbose_name='candidate technology')),
                    ],
                    options={
                        'verbose_name': 'historical evaluation assignment',
                        'verbose_name_plural': 'historical evaluation assignments',
                        'db_table': 'technologies_historicalevaluationassignment',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalEvaluationLayer',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                        ('order', models.PositiveSmallIntegerField(help_text='1 for the first layer, 2 for the next, ...', verbose_name='order')),
                        ('kind', models.CharField(choices=[('screening', 'Screening'), ('expert_review', 'Anonymous expert review'), ('committee', 'Committee')], max_length=20, verbose_name='kind')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('round', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='evaluations.evaluationround', verbose_name='evaluation round')),
                    ],
                    options={
                        'verbose_name': 'historical evaluation layer',
                        'verbose_name_plural': 'historical evaluation layers',
                        'db_table': 'technologies_historicalevaluationlayer',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalEvaluationRound',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                        ('name_ko', models.CharField(max_length=200, verbose_name='Korean name')),
                        ('name_en', models.CharField(blank=True, max_length=200, verbose_name='English name')),
                        ('fiscal_year', models.PositiveSmallIntegerField(help_text='A year between 1990 and 2100.', validators=[django.core.validators.MinValueValidator(1990), django.core.validators.MaxValueValidator(2100)], verbose_name='fiscal year')),
                        ('description', models.TextField(blank=True, verbose_name='description')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical evaluation round',
                        'verbose_name_plural': 'historical evaluation rounds',
                        'db_table': 'technologies_historicalevaluationround',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='EvaluationAssignment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('pseudonym', models.CharField(editable=False, help_text='How editors see this reviewer: Reviewer A, B, ...', max_length=10, verbose_name='pseudonym')),
                        ('has_conflict', models.BooleanField(blank=True, help_text='Declared by the reviewer before scoring; empty until declared.', null=True, verbose_name='conflict of interest')),
                        ('conflict_statement', models.TextField(blank=True, verbose_name='conflict-of-interest statement')),
                        ('score', models.PositiveSmallIntegerField(blank=True, null=True, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='score')),
                        ('cooperation_essential', models.BooleanField(blank=True, null=True, verbose_name='international cooperation is essential')),
                        ('reasons', models.TextField(blank=True, verbose_name='reasons')),
                        ('submitted_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='submitted at')),
                        ('reviewer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluation_assignments', to=settings.AUTH_USER_MODEL, verbose_name='reviewer')),
                        ('technology', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluation_assignments', to='technologies.technology', verbose_name='candidate technology')),
                        ('layer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='evaluations.evaluationlayer', verbose_name='evaluation layer')),
                    ],
                    options={
                        'verbose_name': 'evaluation assignment',
                        'verbose_name_plural': 'evaluation assignments',
                        'db_table': 'technologies_evaluationassignment',
                        'ordering': ['layer', 'technology', 'pseudonym'],
                        'permissions': [('see_reviewers', 'Can see who reviewed what'), ('review_evaluationassignment', 'Can review the technologies assigned to them')],
                        'constraints': [models.UniqueConstraint(fields=('layer', 'technology', 'reviewer'), name='technologies_assignment_unique_reviewer', violation_error_message='This reviewer is already assigned to this technology in this layer.'), models.UniqueConstraint(fields=('layer', 'technology', 'pseudonym'), name='technologies_assignment_unique_pseudonym'), models.CheckConstraint(condition=models.Q(('score__isnull', True), ('score__lte', 100), _connector='OR'), name='technologies_assignment_score_range', violation_error_message='A score is between 0 and 100.'), models.CheckConstraint(condition=models.Q(models.Q(('has_conflict', True), _negated=True), ('score__isnull', True), _connector='OR'), name='technologies_assignment_conflict_no_score', violation_error_message='A reviewer with a conflict of interest cannot score.'), models.CheckConstraint(condition=models.Q(('submitted_at__isnull', True), models.Q(('cooperation_essential__isnull', False), ('has_conflict', False), ('score__isnull', False)), _connector='OR'), name='technologies_assignment_submitted_complete', violation_error_message='A submitted review declares no conflict and has a score and a verdict.')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='evaluationlayer',
                    constraint=models.UniqueConstraint(fields=('round', 'order'), name='technologies_layer_unique_order', violation_error_message='This round already has a layer in that place.'),
                ),
            ],
        ),
        content_types_move("technologies", "evaluations", ['evaluationround', 'evaluationlayer', 'evaluationassignment', 'historicalevaluationround', 'historicalevaluationlayer', 'historicalevaluationassignment']),
    ]
