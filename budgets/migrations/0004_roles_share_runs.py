from django.db import migrations

from rdportfolio.core.roles import roles_sync


class Migration(migrations.Migration):
    dependencies = [("budgets", "0003_share_runs")]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
