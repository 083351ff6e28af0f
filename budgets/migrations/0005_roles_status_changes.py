from django.db import migrations

from rdportfolio.core.roles import roles_sync


class Migration(migrations.Migration):
    # Technology status changes are a new model: the roles get their permissions on it.
    dependencies = [("budgets", "0004_roles_share_runs"), ("technologies", "0002_status_changes")]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
