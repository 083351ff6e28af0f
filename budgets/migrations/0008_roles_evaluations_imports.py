from django.db import migrations

from rdportfolio.core.roles import roles_sync


class Migration(migrations.Migration):
    # New models (evaluations, imports, audit history): the roles get exactly their matrix again.
    dependencies = [
        ("budgets", "0007_imports"),
        ("technologies", "0004_evaluations"),
        ("programs", "0002_history"),
        ("partners", "0002_history"),
    ]

    operations = [migrations.RunPython(roles_sync, migrations.RunPython.noop)]
