"""Share runs: skipped when nothing changed, kept for what was reported then; triggers; the admin."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from budgets.kpi.models import (
    Dimension,
    RunStatus,
    RunTrigger,
    ShareRun,
    ShareSnapshot,
)
from budgets.kpi.services import (
    share_recompute,
    share_recompute_request,
    share_run_execute,
    share_runs_prune,
)
from budgets.models import (
    Basis,
    BudgetLine,
    CollaborationTarget,
    MinistryBudget,
    TargetPlan,
)
from partners.models import Institution
from technologies.models import Project
from tests.factories import (
    ProjectFactory,
)

D = Decimal
SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
T = 10**12
STRATEGY_POINTS = [(2023, D("6.00")), (2028, D("15.00"))]


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
def test_retention_keeps_every_run_that_was_current_inside_the_window(settings, analyst):
    from tests.api.client import api

    settings.RDP_SHARE_RUN_RETENTION_DAYS = 30
    now = timezone.now()
    days_ago = {"a": 40, "b": 35, "c": 31, "d": 5}
    runs = {name: share_recompute(force=True) for name in days_ago}
    for name, days in days_ago.items():
        moment = now - datetime.timedelta(days=days)
        ShareRun.objects.filter(pk=runs[name].pk).update(created_at=moment, finished_at=moment)
    skipped = share_recompute()
    ShareRun.objects.filter(pk=skipped.pk).update(created_at=now - datetime.timedelta(days=31))
    share_runs_prune()
    kept = set(ShareRun.objects.values_list("pk", flat=True))
    # a and b were replaced before the window began; c was current at its start (until d).
    assert {runs["c"].pk, runs["d"].pk} <= kept
    assert not {runs["a"].pk, runs["b"].pk, skipped.pk} & kept
    moment = (timezone.localtime(now - datetime.timedelta(days=29))).isoformat(timespec="seconds")
    body = api(analyst).get("/api/v1/share/", {"as_of": moment, "by": "overall"}).json()
    assert body["run"]["id"] == runs["c"].pk


@pytest.mark.django_db
def test_cumulative_figures_over_2024_to_2028():
    run = share_recompute(force=True)
    span = run.snapshots.cumulative(from_year=2024, to_year=2028, basis=Basis.PLANNED).get(key="")
    yearly = run.snapshots.filter(
        dimension="overall", basis="planned", fiscal_year__range=(2024, 2028)
    )
    assert span["international_won"] == sum(s.international_won for s in yearly)
    assert span["total_won"] == sum(s.total_won for s in yearly)
    assert span["total_won"] == sum(
        MinistryBudget.objects.filter(
            fiscal_year__range=(2024, 2028), basis="budgeted"
        ).values_list("total_won", flat=True)
    )
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
    assert first == second
    assert len(enqueued) == 1  # changes join the waiting run: one message
    # "Recompute now" joins it too, forces it, and sends it again: its message may be lost.
    with django_capture_on_commit_callbacks() as resent:
        forced = share_recompute_request(trigger=RunTrigger.ADMIN, force=True)
    assert forced == first
    first.refresh_from_db()
    assert first.forced
    assert len(resent) == 1


@pytest.mark.django_db
def test_a_target_plan_change_requests_a_run(django_capture_on_commit_callbacks):
    plan = TargetPlan.objects.current()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        CollaborationTarget.objects.create(
            plan=plan, fiscal_year=2026, target_share=D("12.5"), source="test"
        )
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
    CollaborationTarget.objects.create(
        plan=revision, fiscal_year=2023, target_share=D("6"), source="test"
    )
    CollaborationTarget.objects.create(
        plan=revision, fiscal_year=2030, target_share=D("18"), source="test"
    )
    with pytest.raises(ValidationError) as error:
        CollaborationTarget(
            plan=original, fiscal_year=2026, target_share=D("20"), source="test"
        ).full_clean()
    assert "Revision 2026" in str(error.value)
    run = share_recompute(force=True)
    assert run.target_plan == revision
    row = run.snapshots.get(fiscal_year=2030, basis=Basis.PLANNED, dimension=Dimension.OVERALL)
    assert row.target_share == D("18")
    assert list(original.points.values_list("target_share", flat=True)) == [D("6.00"), D("15.00")]
