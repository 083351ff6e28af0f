"""The seed: every published fact, a demo portfolio that adds up, and no change on a rerun."""

from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F, Max, Q, Sum
from hypothesis import given
from hypothesis import strategies as st

from budgets.models import Basis, BudgetLine, CollaborationTarget, MinistryBudget, TargetPlan
from partners.models import CooperationCenter, Institution
from programs.models import Program, ProgramYearPlan, PublishedFigure, Track
from rdportfolio.seed.demo import split_won
from rdportfolio.seed.facts import SOURCE
from technologies.models import Technology, TechnologyStatus

pytestmark = pytest.mark.django_db

BILLION = 10**9


def planned_won(**filters) -> int:
    return BudgetLine.objects.filter(basis=Basis.PLANNED, **filters).aggregate(s=Sum("amount_won"))[
        "s"
    ]


def test_the_programmes_carry_the_published_targets_80_100_10():
    targets = dict(Program.objects.values_list("track", "target_technology_count"))
    assert targets[Track.LEAPFROGGING] == 80
    assert targets[Track.FOUNDATIONAL] == 100
    assert targets[Track.GAME_CHANGER] == 10
    assert all(p.source == SOURCE for p in Program.objects.all())


def test_the_demo_has_exactly_80_100_10_technologies_including_every_named_one():
    counts = dict(
        Technology.objects.values_list("program__track")
        .annotate(n=Sum(1))
        .values_list("program__track", "n")
    )
    assert counts[Track.LEAPFROGGING] == 80
    assert counts[Track.FOUNDATIONAL] == 100
    assert counts[Track.GAME_CHANGER] == 10
    named = Technology.objects.filter(is_synthetic=False)
    assert {t.name_en for t in named} >= {
        "Semiconductor packaging integrating heterogeneous chips",
        "Lithium-sulfur battery electrodes",
        "Carbon steel for small modular reactors (SMR)",
        "Rare-earth-free permanent magnets for electric-vehicle motors",
        "Personalised artificial organs",
        "Immersive spatial computing",
    }
    assert all(t.source for t in named)


def test_leapfrogging_and_foundational_lines_match_the_published_totals():
    leapfrogging = planned_won(project__technology__program__track=Track.LEAPFROGGING)
    foundational = planned_won(project__technology__program__track=Track.FOUNDATIONAL)
    assert leapfrogging == 1_200 * BILLION
    assert foundational == 687 * BILLION
    assert leapfrogging + foundational == 1_887 * BILLION  # "about 1.9 trillion won"
    assert (
        planned_won(project__technology__program__track=Track.FOUNDATIONAL, fiscal_year__gt=2028)
        is None
    )
    assert (
        planned_won(project__technology__program__track=Track.LEAPFROGGING, fiscal_year__gt=2030)
        is None
    )


def test_the_2024_lines_match_the_published_yearly_plans():
    for plan in ProgramYearPlan.objects.select_related("program"):
        assert (
            planned_won(project__technology__program=plan.program, fiscal_year=plan.fiscal_year)
            == plan.planned_won
        )
    assert (
        ProgramYearPlan.objects.get(program__track=Track.LEAPFROGGING, fiscal_year=2024).planned_won
        == 148_700_000_000
    )


def test_the_packaging_example_gets_about_100_billion_with_us_and_taiwan_partners():
    packaging = Technology.objects.get(code="LF-001")
    assert planned_won(project__technology=packaging) == 100 * BILLION
    countries = set(
        Institution.objects.filter(collaborations__project__technology=packaging).values_list(
            "country", flat=True
        )
    )
    assert countries == {"US", "TW"}


def test_the_2023_international_share_is_about_6_percent_of_the_published_total():
    # 5조 6,711억 원 as passed (the strategy rounds it to 5.7조).
    total = MinistryBudget.objects.get(fiscal_year=2023, basis="budgeted")
    assert total.total_won == 5_671_100_000_000 and not total.is_synthetic
    for basis in (Basis.PLANNED, Basis.EXECUTED):
        international = BudgetLine.objects.filter(
            fiscal_year=2023, basis=basis, is_international=True
        ).aggregate(s=Sum("amount_won"))["s"]
        share = Decimal(international) * 100 / total.total_won
        assert Decimal("5.8") <= share <= Decimal("6.2"), (basis, share)


def test_the_strategy_target_plan_runs_from_6_to_15_percent():
    plan = TargetPlan.objects.current()
    points = dict(plan.points.values_list("fiscal_year", "target_share"))
    assert points == {2023: Decimal("6.00"), 2028: Decimal("15.00")}
    assert CollaborationTarget.objects.filter(plan=plan).exclude(source="").count() == 2


def test_every_published_figure_has_its_source_and_context_figures_are_kept():
    figures = {f.code: f for f in PublishedFigure.objects.all()}
    assert figures["national-rd-budget"].amount_won == 31_000_000_000_000
    assert figures["msit-rd-budget"].amount_won == 9_700_000_000_000
    assert figures["leapfrogging-candidates"].quantity == 95
    assert all(f.source for f in figures.values())
    assert figures["leapfrogging-candidates"].source == SOURCE  # the strategy's own figures
    for year in (2023, 2024, 2025):
        # Figures from elsewhere name where: the press report of the passed budget.
        assert figures[f"motie-rd-budget-{year}"].source_url.startswith("https://")
        assert figures[f"global-cooperation-rd-{year}"].definition_en


def test_the_mit_and_stanford_centres_exist_and_the_demo_spans_about_20_countries():
    hosts = set(CooperationCenter.objects.values_list("institution__name", flat=True))
    assert {"Massachusetts Institute of Technology", "Stanford University"} <= hosts
    assert Institution.objects.count() >= 150
    assert Institution.objects.values("country").distinct().count() >= 20


def test_demo_rows_are_marked_synthetic_and_fact_rows_are_not():
    assert Technology.objects.filter(is_synthetic=True).count() == 199  # 179 strategy + 20 legacy
    assert not BudgetLine.objects.filter(is_synthetic=False).exists()
    # Assumed totals only where none is published: 2026 to 2030.
    synthetic = MinistryBudget.objects.filter(is_synthetic=True)
    assert sorted(synthetic.values_list("fiscal_year", flat=True)) == list(range(2026, 2031))


def test_demo_lines_keep_the_rules_that_bulk_inserts_do_not_check():
    # bulk_create skips clean(): check its cross-row rules over the whole table.
    assert (
        not BudgetLine.objects.filter(collaboration__isnull=False)
        .exclude(collaboration__project=F("project"))
        .exists()
    )
    assert not BudgetLine.objects.filter(
        Q(fiscal_year__lt=F("project__start_year")) | Q(fiscal_year__gt=F("project__end_year"))
    ).exists()
    assert not Technology.objects.filter(
        status=TechnologyStatus.CANDIDATE, projects__isnull=False
    ).exists()


def test_a_second_run_changes_nothing():
    portfolio_models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in ("programs", "technologies", "partners", "budgets")
    ]

    def snapshot():
        return {
            m._meta.label: (
                m.objects.count(),
                # Snapshot rows are immutable and carry no timestamps (their run does).
                m.objects.aggregate(latest=Max("updated_at"))["latest"]
                if any(f.name == "updated_at" for f in m._meta.fields)
                else None,
            )
            for m in portfolio_models
            if not m._meta.proxy
        }

    # Once more first: in the embedded mode this run adds the demo logins and their demo
    # evaluation round, which the session's seed (logins off) did not.
    call_command("seed", "--demo", stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("seed", "--demo", stdout=out)
    assert snapshot() == before
    assert "Nothing to do" in out.getvalue()


@pytest.mark.django_db(False)
def test_split_won_hands_the_leftover_won_to_the_largest_remainders():
    assert split_won(10, [1, 1, 1]) == [4, 3, 3]
    with pytest.raises(ValueError):
        split_won(5, [0, 0])


@pytest.mark.django_db(False)
@given(
    total=st.integers(min_value=0, max_value=10**15),
    weights=st.lists(st.integers(min_value=1, max_value=1000), min_size=1, max_size=40),
)
def test_split_won_keeps_every_won_and_stays_proportional(total, weights):
    parts = split_won(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part * weight_sum - total * weight) < weight_sum  # within one won of exact


def test_demo_logins_are_created_only_where_the_setting_allows(settings):
    User = get_user_model()
    settings.RDP_DEMO_LOGINS = False
    out = StringIO()
    call_command("seed", "--demo", stdout=out)
    assert not User.objects.filter(username__in=["admin", "editor", "analyst"]).exists()
    assert "No demo logins" in out.getvalue()

    settings.RDP_DEMO_LOGINS = True
    call_command("seed", "--demo", stdout=out)
    roles_by_user = {
        u.username: [g.name for g in u.groups.all()]
        for u in User.objects.filter(
            username__in=["admin", "editor", "evaluator", "cto", "analyst"]
        )
    }
    assert roles_by_user == {
        "admin": [],
        "editor": ["Ministry editor"],
        "evaluator": ["Evaluator"],
        "cto": ["CTO viewer"],
        "analyst": ["Analyst"],
    }
    assert User.objects.get(username="admin").is_superuser
    assert "analyst-demo-2026" in out.getvalue()
