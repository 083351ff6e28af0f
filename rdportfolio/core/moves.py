"""Moving models between apps without touching their rows: what the migrations need.

A moved model keeps its table (``Meta.db_table``) and its history table
(``HistoricalRecords(table_name=...)``); the migrations change only Django's
state (``SeparateDatabaseAndState``) and hand the model's content type to the
new app, so its permissions, the groups holding them and the admin's log
entries follow it.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def content_types_move(source: str, target: str, model_names: list[str]) -> migrations.RunPython:
    """A reversible migration operation: the content types of ``model_names`` change app."""

    def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _move(apps, source, target, model_names)

    def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        _move(apps, target, source, model_names)

    return migrations.RunPython(forwards, backwards)


def _move(apps: Apps, source: str, target: str, model_names: list[str]) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in model_names:
        moving = content_type.objects.filter(app_label=source, model=model).first()
        if moving is None:
            continue  # a database that never had the model (nothing to carry over)
        # One may exist already when permissions were created earlier in this same migrate
        # run; it holds nothing the moving one does not, and roles_sync refills its groups.
        content_type.objects.filter(app_label=target, model=model).delete()
        moving.app_label = target
        moving.save(update_fields=["app_label"])
    content_type.objects.clear_cache()
