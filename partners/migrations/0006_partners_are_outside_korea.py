"""Partners are institutions outside Korea: a Korean institution would make its lines count
as international collaboration. Stops, naming them, if the database holds any: which foreign
institution (if any) their collaborations belong to is for an editor to decide, not a guess.
"""

from django.db import migrations, models


def korean_partners_refuse(apps, schema_editor):
    Institution = apps.get_model("partners", "Institution")
    korean = list(Institution.objects.filter(country="KR").values_list("id", "name"))
    if korean:
        names = "; ".join(f"#{pk} {name}" for pk, name in korean)
        raise RuntimeError(
            f"These institutions are in Korea and cannot be foreign partners: {names}. Move "
            "their collaborations to the foreign institution concerned (or delete them) and "
            "run migrate again."
        )




class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0005_lighter_institution_history'),
    ]

    operations = [
        migrations.RunPython(korean_partners_refuse, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='institution',
            constraint=models.CheckConstraint(condition=models.Q(('country', 'KR'), _negated=True), name='partners_institution_outside_korea', violation_error_message='A Korean institution cannot be a foreign partner: partners are institutions outside Korea.'),
        ),
    ]
