"""The international-collaboration share: the rule, the engine, runs, triggers, and the admin."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgets.kpi.models import (
    Dimension,
    RunStatus,
    RunTrigger,
    ShareRun,
    ShareSnapshot,
    ShareStatus,
)
from budgets.kpi.rule import (
    ShareInputs,
    share_inputs_read,
    share_snapshots_build,
    target_share_for,
)
from budgets.kpi.services import (
    share_recompute,
    share_recompute_request,
    share_run_execute,
    share_runs_prune,
)
from budgets.models import (
    UNASSIGNED,
    Basis,
    BudgetLine,
    CollaborationTarget,
    MinistryBudget,
    TargetPlan,
)
from partners.models import Institution
from technologies.models import Project

from .factories import BudgetLineFactory, CollaborationFactory, InstitutionFactory, ProjectFactory

D = Decimal
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
T = 10**12
STRATEGY_POINTS = [(2023, D("6.00")), (2028, D("15.00"))]


# --- The rule, on hand-computed cases (no database) ------------------------------------


def test_the_target_is_interpolated_linearly_between_plan_points():
    assert target_share_for(STRATEGY_POINTS, 2023) == D("6.00")
    assert target_share_for(STRATEGY_POINTS, 2024) == D("7.8000")  # 6 + 9 x 1/5
    assert target_share_for(STRATEGY_POINTS, 2026) == D("11.4000")
    assert target_share_for(STRATEGY_POINTS, 2028) == D("15.00")
    points = [(2023, D("6")), (2025, D("7")), (2028, D("16"))]
    assert target_share_for(points, 2024) == D("6.5000")
    assert target_share_for(points, 2027) == D("13.0000")


def test_the_last_target_holds_after_the_plan_and_none_applies_before_it():
    assert target_share_for(STRATEGY_POINTS, 2030) == D("15.00")
    assert target_share_for(STRATEGY_POINTS, 2022) is None
    assert target_share_for([], 2025) is None


def build(groups, totals, points=STRATEGY_POINTS):
    snapshots = share_snapshots_build(
        ShareInputs(groups=groups, totals=totals, plan_id=1, points=points)
    )
    return {(s.fiscal_year, s.basis, s.dimension, s.key): s for s in snapshots}


def test_share_gap_and_verdict_on_a_hand_computed_year():
    rows = build(
        [
            # year, basis, track, field, country, international won, international lines, lines
            (2024, "planned", "leapfrogging", "semiconductors", "US", 300 * 10**9, 4, 4),
            (2024, "planned", "foundational", "materials", None, 0, 0, 2),  # domestic lines
            (
                2024,
                "planned",
                "legacy",
                "materials",
                None,
                100 * 10**9,
                1,
                1,
            ),  # no partner on record
        ],
        {2024: 5 * T},
    )
    overall = rows[(2024, "planned", "overall", "")]
    assert overall.international_won == 400 * 10**9
    assert overall.share == D("8.0000")  # 400 billion of 5 trillion
    assert overall.target_share == D("7.8000")
    assert overall.target_won == 390 * 10**9
    assert overall.gap_won == -10 * 10**9  # 10 billion above the target
    assert overall.status == ShareStatus.ON_TRACK
    assert rows[(2024, "planned", "country", "US")].international_won == 300 * 10**9
    assert rows[(2024, "planned", "country", UNASSIGNED)].international_won == 100 * 10**9
    assert (2024, "planned", "country", "") not in rows  # domestic lines have no country
    assert rows[(2024, "planned", "track", "legacy")].share == D("2.0000")
    assert rows[(2024, "planned", "track", "leapfrogging")].status == ShareStatus.NO_TARGET


def test_a_shortfall_is_a_positive_gap_and_behind():
    rows = build(
        [(2028, "planned", "leapfrogging", "semiconductors", "DE", 500 * 10**9, 1, 1)],
        {2028: 5_700 * 10**9},
    )
    overall = rows[(2028, "planned", "overall", "")]
    assert overall.target_won == 855 * 10**9  # 15% of 5.7 trillion
    assert overall.gap_won == 355 * 10**9
    assert overall.status == ShareStatus.BEHIND


def test_a_missing_or_zero_total_gives_no_data_not_an_error():
    rows = build(
        [
            (2031, "planned", "leapfrogging", "semiconductors", "US", 10**9, 1, 1),
            (2032, "planned", "leapfrogging", "semiconductors", "US", 10**9, 1, 1),
        ],
        {2032: 0},
    )
    for year in (2031, 2032):
        overall = rows[(year, "planned", "overall", "")]
        assert overall.share is None and overall.gap_won is None
        assert overall.status == ShareStatus.NO_DATA
        assert rows[(year, "planned", "country", "US")].status == ShareStatus.NO_DATA


def test_without_a_target_plan_the_verdict_is_no_target():
    rows = build(
        [(2024, "planned", "leapfrogging", "semiconductors", "US", 10**9, 1, 1)],
        {2024: T},
        points=[],
    )
    overall = rows[(2024, "planned", "overall", "")]
    assert overall.share == D("0.1000")
    assert overall.target_share is None and overall.gap_won is None
    assert overall.status == ShareStatus.NO_TARGET


def test_planned_and_executed_are_separate_and_planned_is_a_projection_only_without_executed():
    rows = build(
        [
            (2025, "planned", "leapfrogging", "semiconductors", "US", 600 * 10**9, 1, 1),
            (2025, "executed", "leapfrogging", "semiconductors", "US", 540 * 10**9, 1, 1),
            (2026, "planned", "leapfrogging", "semiconductors", "US", 700 * 10**9, 1, 1),
        ],
        {2025: 6 * T, 2026: 6 * T},
    )
    assert rows[(2025, "planned", "overall", "")].share == D("10.0000")
    assert rows[(2025, "executed", "overall", "")].share == D("9.0000")
    assert not rows[(2025, "planned", "overall", "")].is_projection
    assert rows[(2026, "planned", "overall", "")].is_projection
    executed_2026 = rows[(2026, "executed", "overall", "")]
    assert executed_2026.status == ShareStatus.NO_DATA and executed_2026.share is None
    assert executed_2026.target_share == D("11.4000")  # the path is drawn ahead of the figures


def test_breakdowns_add_up_to_the_overall_figure():
    groups = [
        (2024, "executed", track, field, country, amount, 1, 1)
        for track, field, country, amount in [
            ("leapfrogging", "semiconductors", "US", 7),
            ("leapfrogging", "robotics", "JP", 11),
            ("foundational", "robotics", None, 13),
            ("legacy", "materials", "US", 17),
        ]
    ]
    rows = build(groups, {2024: 1000})
    for dimension in ("track", "field", "country"):
        total = sum(
            s.international_won for k, s in rows.items() if k[2] == dimension and k[1] == "executed"
        )
        assert total == rows[(2024, "executed", "overall", "")].international_won == 48


# --- The engine on the database ---------------------------------------------------------


@pytest.mark.django_db
def test_the_seeded_portfolio_shows_2023_at_about_6_percent_and_the_path_to_15():
    run = share_recompute(force=True)
    assert run.status == RunStatus.SUCCEEDED
    overall = {
        (s.fiscal_year, s.basis): s for s in run.snapshots.filter(dimension=Dimension.OVERALL)
    }
    executed_2023 = overall[(2023, Basis.EXECUTED)]
    assert D("5.8") <= executed_2023.share <= D("6.2")
    assert executed_2023.total_won == 5_700 * 10**9
    assert [overall[(year, Basis.PLANNED)].target_share for year in range(2023, 2029)] == [
        D("6"),
        D("7.8"),
        D("9.6"),
        D("11.4"),
        D("13.2"),
        D("15"),
    ]
    for year in range(2023, 2029):
        planned = overall[(year, Basis.PLANNED)]
        assert planned.gap_won == planned.target_won - planned.international_won
        assert planned.status in (ShareStatus.ON_TRACK, ShareStatus.BEHIND)
    assert overall[(2028, Basis.PLANNED)].is_projection
    assert not overall[(2024, Basis.PLANNED)].is_projection


@pytest.mark.django_db
def test_reading_the_inputs_costs_the_same_queries_for_few_and_many_lines():
    project = ProjectFactory(start_year=2000, end_year=2040)
    collaboration = CollaborationFactory(project=project)
    BudgetLineFactory(project=project, fiscal_year=2001)
    with CaptureQueriesContext(connection) as few:
        share_inputs_read()
    BudgetLine.objects.bulk_create(
        BudgetLine(
            project=project,
            collaboration=collaboration,
            is_international=True,
            fiscal_year=year,
            basis=basis,
            amount_won=year,
        )
        for year in range(2002, 2040)
        for basis in Basis.values
    )
    with CaptureQueriesContext(connection) as many:
        inputs = share_inputs_read()
    assert len(many.captured_queries) == len(few.captured_queries) <= 6
    assert inputs.line_count == BudgetLine.objects.count()


def python_recomputation():
    """The rule again, in plain Python over every line: the reference for the SQL engine."""
    totals = dict(MinistryBudget.objects.values_list("fiscal_year", "total_won"))
    sums: dict[tuple, int] = {}
    lines: dict[tuple, int] = {}
    for year, basis, amount, international, track, field, country in BudgetLine.objects.values_list(
        "fiscal_year",
        "basis",
        "amount_won",
        "is_international",
        "project__technology__program__track",
        "project__technology__field__code",
        "collaboration__institution__country",
    ):
        lines[(year, basis)] = lines.get((year, basis), 0) + 1
        won = amount if international else 0
        keys = [("overall", ""), ("track", track), ("field", field)]
        if international:
            keys.append(("country", country or UNASSIGNED))
        for dimension, key in keys:
            sums[(year, basis, dimension, key)] = sums.get((year, basis, dimension, key), 0) + won
    expected = {}
    for (year, basis, dimension, key), won in sums.items():
        total = totals.get(year)
        share = (D(won) * 100 / D(total)).quantize(D("0.0001")) if total else None
        expected[(year, basis, dimension, key)] = (won, share)
    return expected


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lines=st.dictionaries(
        keys=st.tuples(
            st.integers(0, 2),  # project
            st.integers(2029, 2033),  # fiscal year
            st.sampled_from(Basis.values),
            st.sampled_from([None, 0, 1]),  # collaboration of that project, or none
        ),
        values=st.tuples(st.integers(0, 10**14), st.booleans()),
        max_size=40,
    ),
    totals=st.dictionaries(
        st.integers(2031, 2033), st.sampled_from([0, 10**9, 5_700 * 10**9, 123_456_789]), max_size=3
    ),
    countries=st.lists(st.sampled_from(["US", "DE", "KR", "TW"]), min_size=6, max_size=6),
)
def test_the_sql_engine_equals_a_plain_python_recomputation(lines, totals, countries):
    with transaction.atomic():
        projects = [ProjectFactory(start_year=2025, end_year=2035) for _ in range(3)]
        collaborations = [
            [
                CollaborationFactory(
                    project=p, institution=InstitutionFactory(country=countries[2 * i + j])
                )
                for j in range(2)
            ]
            for i, p in enumerate(projects)
        ]
        for (p, year, basis, c), (amount, international) in lines.items():
            BudgetLine.objects.create(
                project=projects[p],
                fiscal_year=year,
                basis=basis,
                amount_won=amount,
                collaboration=collaborations[p][c] if c is not None else None,
                is_international=international or c is not None,
            )
        for year, total in totals.items():
            MinistryBudget.objects.update_or_create(fiscal_year=year, defaults={"total_won": total})
        engine = {
            (s.fiscal_year, s.basis, s.dimension, s.key): (
                s.international_won,
                s.share if s.total_won else None,
            )
            for s in share_snapshots_build(share_inputs_read())
        }
        expected = python_recomputation()
        # The engine also emits zero rows for years with a total but no lines; the rest must match.
        assert {k: v for k, v in engine.items() if k in expected} == expected
        assert all(v[0] == 0 for k, v in engine.items() if k not in expected)
        transaction.set_rollback(True)


# --- Runs: idempotent, skipped when nothing changed, kept for "what did we report then" ----


@pytest.mark.django_db
def test_an_unchanged_input_is_skipped_and_a_forced_run_writes():
    first = share_recompute(force=True)
    again = share_recompute()
    assert again.status == RunStatus.SKIPPED and again.fingerprint == first.fingerprint
    assert again.snapshots.count() == 0
    forced = share_recompute(force=True)
    assert (
        forced.status == RunStatus.SUCCEEDED and forced.snapshots.count() == first.snapshots.count()
    )


@pytest.mark.django_db
def test_a_change_of_classification_changes_the_fingerprint():
    first = share_recompute(force=True)
    institution = Institution.objects.filter(
        collaborations__budget_lines__is_international=True
    ).first()
    institution.country = "NZ"
    institution.save()
    second = share_recompute()
    assert second.status == RunStatus.SUCCEEDED and second.fingerprint != first.fingerprint
    assert second.snapshots.filter(dimension=Dimension.COUNTRY, key="NZ").exists()


@pytest.mark.django_db
def test_a_redelivered_run_does_nothing_twice():
    run = share_recompute(force=True)
    snapshot_count = ShareSnapshot.objects.count()
    assert share_run_execute(run_id=run.pk).status == RunStatus.SUCCEEDED
    assert ShareSnapshot.objects.count() == snapshot_count
    assert share_run_execute(run_id=10**9) is None  # a message for a run this database never had


@pytest.mark.django_db
def test_the_run_current_at_a_date_answers_what_we_reported_then():
    old = share_recompute(force=True)
    ShareRun.objects.filter(pk=old.pk).update(
        finished_at=datetime.datetime(2026, 3, 1, 18, tzinfo=SEOUL)
    )
    new = share_recompute(force=True)
    assert ShareRun.objects.as_of(datetime.datetime(2026, 3, 2, tzinfo=SEOUL)) == old
    assert ShareRun.objects.latest_succeeded() == new


@pytest.mark.django_db
def test_runs_older_than_the_retention_are_pruned_but_the_latest_success_stays(settings):
    settings.RDP_SHARE_RUN_RETENTION_DAYS = 30
    keep = share_recompute(force=True)
    old = share_recompute(force=True)
    skipped = share_recompute()
    long_ago = timezone.now() - datetime.timedelta(days=31)
    ShareRun.objects.filter(pk__in=[keep.pk, old.pk, skipped.pk]).update(created_at=long_ago)
    ShareRun.objects.filter(pk=keep.pk).update(finished_at=timezone.now())  # the newest success
    share_runs_prune()
    assert set(
        ShareRun.objects.filter(pk__in=[keep.pk, old.pk, skipped.pk]).values_list("pk", flat=True)
    ) == {keep.pk}


@pytest.mark.django_db
def test_cumulative_figures_over_2024_to_2028():
    run = share_recompute(force=True)
    span = run.snapshots.cumulative(from_year=2024, to_year=2028, basis=Basis.PLANNED).get(key="")
    yearly = run.snapshots.filter(
        dimension="overall", basis="planned", fiscal_year__range=(2024, 2028)
    )
    assert span["international_won"] == sum(s.international_won for s in yearly)
    assert span["total_won"] == 5 * 5_700 * 10**9
    assert span["target_won"] == sum(s.target_won for s in yearly)
    by_track = run.snapshots.cumulative(
        from_year=2024, to_year=2028, basis=Basis.PLANNED, dimension="track"
    )
    assert sum(row["international_won"] for row in by_track) == span["international_won"]


# --- Triggers: once per transaction, coalesced while a run waits -------------------------


@pytest.mark.django_db
def test_ten_thousand_changed_lines_in_one_transaction_request_exactly_one_run(
    django_capture_on_commit_callbacks,
):
    runs_before = ShareRun.objects.count()
    # The test's own transaction is the one transaction here: everything happens inside the capture.
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            technology = ProjectFactory().technology
            projects = Project.objects.bulk_create(
                Project(
                    technology=technology,
                    project_number=f"RS-BULK-{i:05d}",
                    title_ko="대량",
                    lead_organisation="x",
                    start_year=2000,
                    end_year=2039,
                )
                for i in range(84)
            )
            changed = 0
            for project in projects:
                for year in range(2000, 2040):
                    for basis in Basis.values:
                        if changed < 10_000:
                            BudgetLine(
                                project=project, fiscal_year=year, basis=basis, amount_won=year
                            ).save()
                            changed += 1
            BudgetLine.objects.filter(
                project__in=projects[:2]
            ).delete()  # deletes signal per row too
            MinistryBudget.objects.get(fiscal_year=2023).save()
    assert changed == 10_000
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as enqueued:
        callbacks[0]()
    assert ShareRun.objects.count() == runs_before + 1
    assert ShareRun.objects.filter(status=RunStatus.PENDING, trigger=RunTrigger.CHANGE).count() == 1
    assert len(enqueued) == 1  # one message to the workers


@pytest.mark.django_db
def test_requests_join_the_run_already_waiting(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as enqueued:
        first = share_recompute_request(trigger=RunTrigger.CHANGE)
        second = share_recompute_request(trigger=RunTrigger.CHANGE)
        forced = share_recompute_request(trigger=RunTrigger.ADMIN, force=True)
    assert first == second == forced
    first.refresh_from_db()
    assert first.forced
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_a_target_plan_change_requests_a_run(django_capture_on_commit_callbacks):
    plan = TargetPlan.objects.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        CollaborationTarget.objects.create(plan=plan, fiscal_year=2026, target_share=D("12.5"))
    assert len(callbacks) == 1


# --- The admin ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_sees_runs_and_snapshots_and_can_ask_for_a_recompute(
    client, ministry_editor, django_capture_on_commit_callbacks
):
    share_recompute(force=True)
    client.force_login(ministry_editor)
    page = client.get(reverse("admin:kpi_sharerun_changelist"))
    assert page.status_code == 200 and b"recompute-now" in page.content
    latest = ShareRun.objects.latest_succeeded()
    snapshots = client.get(
        reverse("admin:kpi_sharesnapshot_changelist"),
        {"run__id__exact": latest.pk, "dimension": "overall"},
    )
    assert snapshots.status_code == 200
    assert {s.run_id for s in snapshots.context["cl"].result_list} == {latest.pk}
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("admin:kpi_sharerun_recompute"))
    assert response.status_code == 302
    run = ShareRun.objects.get(status=RunStatus.PENDING)
    assert run.trigger == RunTrigger.ADMIN and run.requested_by == ministry_editor and run.forced


@pytest.mark.django_db
def test_only_those_allowed_may_ask_for_a_recompute(client, evaluation_manager):
    client.force_login(evaluation_manager)
    assert b"recompute-now" not in client.get(reverse("admin:kpi_sharerun_changelist")).content
    assert client.post(reverse("admin:kpi_sharerun_recompute")).status_code == 403
    assert client.get(reverse("admin:kpi_sharerun_recompute")).status_code == 405
    assert not ShareRun.objects.filter(status=RunStatus.PENDING).exists()


@pytest.mark.django_db
def test_a_replaced_target_plan_cannot_be_edited_and_the_new_one_takes_over():
    from django.core.exceptions import ValidationError

    original = TargetPlan.objects.current()
    revision = TargetPlan.objects.create(
        name="Revision 2026", adopted_on=datetime.date(2026, 6, 1), supersedes=original
    )
    CollaborationTarget.objects.create(plan=revision, fiscal_year=2023, target_share=D("6"))
    CollaborationTarget.objects.create(plan=revision, fiscal_year=2030, target_share=D("18"))
    with pytest.raises(ValidationError) as error:
        CollaborationTarget(plan=original, fiscal_year=2026, target_share=D("20")).full_clean()
    assert "Revision 2026" in str(error.value)
    run = share_recompute(force=True)
    assert run.target_plan == revision
    row = run.snapshots.get(fiscal_year=2030, basis=Basis.PLANNED, dimension=Dimension.OVERALL)
    assert row.target_share == D("18")
    assert list(original.points.values_list("target_share", flat=True)) == [D("6.00"), D("15.00")]
