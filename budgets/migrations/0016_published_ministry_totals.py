"""The ministry totals published since the strategy, in place of the rows the seed had
assumed: 2023's 5.7조 was the strategy's rounding of 5조 6,711억; the demo's 2024 and 2025
were assumed flat at 5.7조, while 5조 802억 and 5조 5,701억 are published.

Only rows exactly as the seed wrote them change (same value and source): an edited total is
an editor's, and stays. Each change gets a history row that says why.
"""

from django.db import migrations
from django.utils import timezone

STRATEGY_SOURCE = (
    "BusinessKorea on MOTIE's Comprehensive Global Technology Collaboration Strategy, 5 Dec 2023"
)
DEMO_ASSUMED = (
    "Synthetic demo portfolio (seed --demo, random seed 20231205): assumed flat at the "
    "published 2023 level"
)
SOURCE_2023_2024 = (
    "MOTIE R&D budget, news report of 25 Dec 2023 (2023: 5조 6,711억 원; 2024: 5조 802억 원): "
    "https://v.daum.net/v/20231225110126987"
)
SOURCE_2025 = "MOTIE R&D budget 2025: 5조 5,701억 원 (+9.6%): https://techfocus.kr/gt_info/12"
# (year, source as seeded, the published total, its source)
PUBLISHED = [
    (2023, STRATEGY_SOURCE, 56_711 * 10**8, SOURCE_2023_2024),
    (2024, DEMO_ASSUMED, 50_802 * 10**8, SOURCE_2023_2024),
    (2025, DEMO_ASSUMED, 55_701 * 10**8, SOURCE_2025),
]
REASON = "Published total in place of the seeded 5.7조 (2026-12)"


def published_totals(apps, schema_editor):
    MinistryBudget = apps.get_model("budgets", "MinistryBudget")
    History = apps.get_model("budgets", "HistoricalMinistryBudget")
    tracked = [f.attname for f in MinistryBudget._meta.concrete_fields]
    now = timezone.now()
    for year, seeded_source, won, source in PUBLISHED:
        for total in MinistryBudget.objects.filter(
            fiscal_year=year, basis="budgeted", total_won=5_700 * 10**9, source=seeded_source
        ):
            total.total_won, total.source, total.is_synthetic = won, source, False
            total.updated_at = now
            total.save()
            History.objects.create(
                **{name: getattr(total, name) for name in tracked},
                history_date=now,
                history_type="~",
                history_change_reason=REASON,
            )


class Migration(migrations.Migration):
    dependencies = [("budgets", "0015_closings_total_bases_target_kinds")]

    operations = [migrations.RunPython(published_totals, migrations.RunPython.noop)]
