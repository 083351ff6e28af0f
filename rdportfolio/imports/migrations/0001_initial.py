"""ImportJob and its companions move here from the budgets app: same tables, same rows.

Only Django's state changes (the tables keep their names, see Meta.db_table); the content
types follow, and with them permissions, groups and admin log entries.
"""

import django.db.models.deletion
import rdportfolio.core.tabular.specs
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
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('kind', models.CharField(choices=rdportfolio.core.tabular.specs.kind_choices, max_length=20, verbose_name='kind')),
                        ('file_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('file_format', models.CharField(choices=[('xlsx', 'Excel (.xlsx)'), ('csv', 'CSV')], max_length=4, verbose_name='format')),
                        ('content', models.BinaryField(verbose_name='file')),
                        ('dry_run', models.BooleanField(default=True, help_text='Check every row and preview; write nothing.', verbose_name='dry run')),
                        ('language', models.CharField(default='ko', help_text="The requester's language: the errors are written in it.", max_length=10, verbose_name='language')),
                        ('status', models.CharField(choices=[('pending', 'Waiting for a worker'), ('checking', 'Checking rows'), ('writing', 'Writing'), ('checked', 'Checked: ready to import'), ('refused', 'Refused: errors in the file'), ('succeeded', 'Imported'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                        ('rows_done', models.PositiveIntegerField(default=0, verbose_name='rows checked')),
                        ('created_count', models.PositiveIntegerField(default=0, verbose_name='new rows')),
                        ('updated_count', models.PositiveIntegerField(default=0, verbose_name='changed rows')),
                        ('unchanged_count', models.PositiveIntegerField(default=0, verbose_name='unchanged rows')),
                        ('error_count', models.PositiveIntegerField(default=0, verbose_name='errors')),
                        ('errors', models.JSONField(blank=True, default=list, help_text='The first 1,000: row, column, message.', verbose_name='errors')),
                        ('preview', models.JSONField(blank=True, default=list, verbose_name='preview')),
                        ('message', models.TextField(blank=True, verbose_name='message')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('confirms', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='imports', to='imports.importjob', verbose_name='confirms the check')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='import_jobs', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                    ],
                    options={
                        'verbose_name': 'import',
                        'verbose_name_plural': 'imports',
                        'db_table': 'budgets_importjob',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
            ],
        ),
        content_types_move("budgets", "imports", ['importjob']),
    ]
