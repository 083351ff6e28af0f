"""International means a foreign partner: a line counts as international spending exactly
when it pays for a collaboration (whose institution is outside Korea, partners 0006).

Lines marked international without a collaboration were counted before this rule and are
not any more: they become domestic here, each with a history row that says why (the
admin's history of the line shows it), and the migration prints how many per year and
how much won, so that editors can attach them to their collaborations.
"""

from collections import defaultdict

from django.db import migrations, models
from django.utils import timezone

REASON = "KPI rule: international needs a foreign partner (was international, no partner)"


def free_flag_lines_reclassify(apps, schema_editor):
    BudgetLine = apps.get_model("budgets", "BudgetLine")
    History = apps.get_model("budgets", "HistoricalBudgetLine")
    free = BudgetLine.objects.filter(is_international=True, collaboration__isnull=True)
    lines = list(free.order_by("fiscal_year", "id"))
    if not lines:
        return
    now = timezone.now()
    tracked = [f.attname for f in BudgetLine._meta.concrete_fields]
    per_year = defaultdict(lambda: [0, 0])
    history = []
    for line in lines:
        line.is_international = False
        per_year[line.fiscal_year][0] += 1
        per_year[line.fiscal_year][1] += line.amount_won
        history.append(
            History(
                **{name: getattr(line, name) for name in tracked},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
            )
        )
    free.update(is_international=False)
    History.objects.bulk_create(history, batch_size=1000)
    print(  # noqa: T201 - a report for the person who runs migrate
        f"\n  {len(lines)} budget lines were international without a foreign partner and are "
        "domestic now (see their history):"
    )
    for year, (count, won) in sorted(per_year.items()):
        print(f"    {year}: {count} line(s), {won:,} won")  # noqa: T201




class Migration(migrations.Migration):

    dependencies = [
        ('budgets', '0013_budget_line_project_id_index'),
        ('partners', '0006_partners_are_outside_korea'),
        ('technologies', '0008_project_text_search_index'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='budgetline',
            name='budgets_line_collaboration_is_international',
        ),
        migrations.RemoveIndex(
            model_name='budgetline',
            name='budgetline_unassigned_idx',
        ),
        migrations.AlterField(
            model_name='budgetline',
            name='is_international',
            field=models.BooleanField(default=False, editable=False, help_text='Counts towards the international-collaboration share. Set from the line: true exactly when it pays for a collaboration with a partner outside Korea.', verbose_name='international collaboration'),
        ),
        migrations.AlterField(
            model_name='historicalbudgetline',
            name='is_international',
            field=models.BooleanField(default=False, editable=False, help_text='Counts towards the international-collaboration share. Set from the line: true exactly when it pays for a collaboration with a partner outside Korea.', verbose_name='international collaboration'),
        ),
        migrations.RunPython(free_flag_lines_reclassify, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='budgetline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('collaboration__isnull', False), ('is_international', True)), models.Q(('collaboration__isnull', True), ('is_international', False)), _connector='OR'), name='budgets_line_international_iff_collaboration', violation_error_message='A line is international exactly when it pays for a collaboration with a foreign partner.'),
        ),
    ]
