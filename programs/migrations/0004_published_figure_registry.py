"""The published-figure registry: what each figure counts (its definition), where and when it
was published, and what the portfolio computes to compare with it; and programme plans that
count technologies and projects apart ("66.5 billion won to start 50 projects" is 50 projects).

The seeded figures get their definitions and measures here; a later `seed` adds the figures
published since the strategy (the ministry's totals, the global-cooperation budget line).
"""

from django.db import migrations, models

STRATEGY_SOURCE = (
    "BusinessKorea on MOTIE's Comprehensive Global Technology Collaboration Strategy, 5 Dec 2023"
)
# code -> (measure, English definition, Korean definition)
SEEDED = {
    "motie-industrial-rd-budget": (
        "ministry_total",
        "MOTIE's industrial R&D budget for 2023 as the strategy rounds it (5.7 trillion won).",
        "전략 발표문이 반올림한 2023년 산업부 산업기술 R&D 예산(5.7조 원).",
    ),
    "international-share-2023": (
        "international_share",
        "The strategy's share of the industrial R&D budget spent on international "
        "collaboration in 2023, about 6%; the definition behind it is not published.",
        "전략이 밝힌 2023년 산업기술 R&D 예산 중 국제협력 비중(약 6%). 산정 기준은 공개되지 않았다.",
    ),
    "international-share-target-2028": (
        "target_share",
        "The strategy's target: over 15% of the industrial R&D budget on international "
        "collaboration by 2028.",
        "전략의 목표: 2028년까지 산업기술 R&D 예산의 15% 이상을 국제협력에.",
    ),
    "international-won-2023-scale": (
        "international_won",
        "6% of 5.7 trillion won: the strategy's two figures multiplied, for scale.",
        "5.7조 원의 6%: 전략의 두 수치를 곱한 규모 참고값.",
    ),
    "international-won-2028-scale": (
        "international_won",
        "15% of 5.7 trillion won: the 2028 target at the 2023 budget, for scale.",
        "5.7조 원의 15%: 2023년 예산 기준 2028년 목표 규모 참고값.",
    ),
    "krw-per-usd-implied": (
        "krw_per_usd",
        "Won per US dollar implied by the report's own won and dollar pairs.",
        "보도의 원화·달러 수치 쌍이 뜻하는 원/달러 환율.",
    ),
}


def registry_fill(apps, schema_editor):
    PublishedFigure = apps.get_model("programs", "PublishedFigure")
    for code, (measure, definition_en, definition_ko) in SEEDED.items():
        PublishedFigure.objects.filter(code=code, source=STRATEGY_SOURCE, measure="").update(
            measure=measure, definition_en=definition_en, definition_ko=definition_ko
        )
    # 31조 원 at 1,315 won per dollar is 235.7억 달러, as the report says (US$23.57 billion).
    PublishedFigure.objects.filter(
        code="national-rd-budget", description_ko="국가 R&D 예산 (236.7억 달러)"
    ).update(description_ko="국가 R&D 예산 (235.7억 달러)")
    # "66.5 billion won in 2024 to start 50 projects": projects, not technologies.
    ProgramYearPlan = apps.get_model("programs", "ProgramYearPlan")
    ProgramYearPlan.objects.filter(
        program__track="foundational", fiscal_year=2024, technologies_started=50,
        source=STRATEGY_SOURCE,
    ).update(technologies_started=None, projects_started=50)


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0003_won_at_most_max'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalprogramyearplan',
            name='projects_started',
            field=models.PositiveSmallIntegerField(blank=True, help_text='How many projects the plan starts that year, as published (a technology may have several).', null=True, verbose_name='projects started'),
        ),
        migrations.AddField(
            model_name='historicalpublishedfigure',
            name='definition_en',
            field=models.TextField(blank=True, help_text='What the figure counts, as its publisher defines it.', verbose_name='English definition'),
        ),
        migrations.AddField(
            model_name='historicalpublishedfigure',
            name='definition_ko',
            field=models.TextField(blank=True, verbose_name='Korean definition'),
        ),
        migrations.AddField(
            model_name='historicalpublishedfigure',
            name='measure',
            field=models.CharField(blank=True, choices=[('ministry_total', "The ministry's budgeted total for the year"), ('international_won', "International collaboration (the year's KPI won)"), ('international_share', 'The international-collaboration share (KPI)'), ('target_share', "The target plan's share for the year"), ('krw_per_usd', "The year's exchange rate")], help_text='What the portfolio computes to compare with it; empty: context only.', max_length=30, verbose_name='portfolio measure'),
        ),
        migrations.AddField(
            model_name='historicalpublishedfigure',
            name='published_on',
            field=models.DateField(blank=True, null=True, verbose_name='published on'),
        ),
        migrations.AddField(
            model_name='historicalpublishedfigure',
            name='source_url',
            field=models.URLField(blank=True, max_length=500, verbose_name='source address'),
        ),
        migrations.AddField(
            model_name='programyearplan',
            name='projects_started',
            field=models.PositiveSmallIntegerField(blank=True, help_text='How many projects the plan starts that year, as published (a technology may have several).', null=True, verbose_name='projects started'),
        ),
        migrations.AddField(
            model_name='publishedfigure',
            name='definition_en',
            field=models.TextField(blank=True, help_text='What the figure counts, as its publisher defines it.', verbose_name='English definition'),
        ),
        migrations.AddField(
            model_name='publishedfigure',
            name='definition_ko',
            field=models.TextField(blank=True, verbose_name='Korean definition'),
        ),
        migrations.AddField(
            model_name='publishedfigure',
            name='measure',
            field=models.CharField(blank=True, choices=[('ministry_total', "The ministry's budgeted total for the year"), ('international_won', "International collaboration (the year's KPI won)"), ('international_share', 'The international-collaboration share (KPI)'), ('target_share', "The target plan's share for the year"), ('krw_per_usd', "The year's exchange rate")], help_text='What the portfolio computes to compare with it; empty: context only.', max_length=30, verbose_name='portfolio measure'),
        ),
        migrations.AddField(
            model_name='publishedfigure',
            name='published_on',
            field=models.DateField(blank=True, null=True, verbose_name='published on'),
        ),
        migrations.AddField(
            model_name='publishedfigure',
            name='source_url',
            field=models.URLField(blank=True, max_length=500, verbose_name='source address'),
        ),
        migrations.AlterField(
            model_name='historicalprogramyearplan',
            name='technologies_started',
            field=models.PositiveSmallIntegerField(blank=True, help_text='How many technologies the plan starts that year, as published.', null=True, verbose_name='technologies started'),
        ),
        migrations.AlterField(
            model_name='programyearplan',
            name='technologies_started',
            field=models.PositiveSmallIntegerField(blank=True, help_text='How many technologies the plan starts that year, as published.', null=True, verbose_name='technologies started'),
        ),
        migrations.AddConstraint(
            model_name='publishedfigure',
            constraint=models.CheckConstraint(condition=models.Q(('measure', ''), ('fiscal_year__isnull', False), _connector='OR'), name='programs_figure_measure_has_year', violation_error_message='A figure to compare needs its fiscal year.'),
        ),
        migrations.RunPython(registry_fill, migrations.RunPython.noop),
    ]
