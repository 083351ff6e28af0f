"""Deleting many audited rows: every deletion in the history, written in bulk, and the KPI told.

The admin's "delete selected" over budget lines goes through bulk_delete_with_history:
each line leaves a "deleted" history row with its last values, who and why, in a handful
of statements (benchmarks/scale.py measures 10,000 lines against a bare SQL DELETE).
"""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from budgets.kpi.models import RunTrigger, ShareRun
from budgets.models import BudgetLine
from rdportfolio.core.history import bulk_delete_with_history
from technologies.models import Project

pytestmark = pytest.mark.django_db


def admin_delete(user, model_path, ids):
    """Select ``ids``, choose "delete selected", and confirm on the page it shows."""
    from tests.core.test_admin_bulk_delete import confirm_form

    client = Client()
    client.force_login(user)
    url = f"/admin/{model_path}/"
    page = client.post(url, {"action": "delete_selected", "_selected_action": ids, "index": "0"})
    assert page.status_code == 200
    return client.post(url, confirm_form(page))


def test_delete_selected_writes_each_lines_history_in_bulk(
    ministry_editor, django_capture_on_commit_callbacks
):
    lines = list(BudgetLine.objects.order_by("pk")[:250])
    ids = [line.pk for line in lines]
    before = {line.pk: line.amount_won for line in lines}
    history = BudgetLine.history.model
    last_run = ShareRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as queries:
            response = admin_delete(ministry_editor, "budgets/budgetline", ids)
    assert response.status_code == 302
    assert not BudgetLine.objects.filter(pk__in=ids).exists()
    gone = history.objects.filter(id__in=ids, history_type="-")
    assert gone.count() == len(ids)
    for row in gone:
        assert row.amount_won == before[row.id]
        assert row.history_user_id == ministry_editor.pk
        assert row.history_change_reason == "Admin: delete selected"
    # The admin's own log too, one entry a line, as Django writes it.
    assert LogEntry.objects.filter(
        action_flag=DELETION, object_id__in=map(str, ids)
    ).count() == len(ids)
    # No statement a line: the history and the deletion went in batches.
    inserts = [q for q in queries.captured_queries if "historicalbudgetline" in q["sql"].lower()]
    assert len(inserts) <= 3
    # The share is recomputed once for the whole deletion.
    requested = ShareRun.objects.filter(pk__gt=last_run)
    assert requested.count() == 1
    assert requested.get().trigger == RunTrigger.CHANGE


def test_rows_others_point_to_go_through_djangos_delete():
    project = Project.objects.filter(budget_lines__isnull=True).first() or Project.objects.create(
        technology=BudgetLine.objects.first().project.technology,
        project_number="RS-BULK-0001",
        title_ko="지울 과제",
        title_en="To delete",
        lead_organisation="(주)테스트",
        start_year=2026,
        end_year=2027,
    )
    deleted = bulk_delete_with_history(Project.objects.filter(pk=project.pk))
    assert deleted >= 1
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Project.history.filter(id=project.pk, history_type="-").count() == 1


def test_a_failure_half_way_deletes_nothing(monkeypatch):
    # The history is written and the rows deleted, then the last step fails: all rolled back.
    ids = list(BudgetLine.objects.order_by("pk").values_list("pk", flat=True)[:12])

    def failing_send(*args, **kwargs):
        assert not BudgetLine.objects.filter(pk__in=ids).exists()  # they were deleted
        raise RuntimeError("the database went away")

    monkeypatch.setattr("rdportfolio.core.history.bulk_deleted.send", failing_send)
    with pytest.raises(RuntimeError):
        bulk_delete_with_history(BudgetLine.objects.filter(pk__in=ids))
    monkeypatch.undo()
    assert BudgetLine.objects.filter(pk__in=ids).count() == len(ids)
    assert not BudgetLine.history.filter(id__in=ids, history_type="-").exists()


def test_logging_a_deletion_reads_the_rows_names_with_the_rows(django_user_model):
    # Each log entry names its line by its project's number: read with the lines (two
    # queries for any number of lines), not one query a line.
    from django.contrib import admin
    from django.test import RequestFactory

    user = django_user_model.objects.create_superuser("t_logger", password="a-long-test-pw-1")
    lines = BudgetLine.objects.order_by("pk")[:40]
    ids = list(lines.values_list("pk", flat=True))
    request = RequestFactory().post("/admin/budgets/budgetline/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        admin.site._registry[BudgetLine].log_deletions(
            request, BudgetLine.objects.filter(pk__in=ids)
        )
    assert len(queries) <= 3, [q["sql"][:80] for q in queries]
    names = list(
        LogEntry.objects.filter(action_flag=DELETION, user=user).values_list(
            "object_repr", flat=True
        )
    )
    assert len(names) == 40 and all(name.startswith("RS-") and " · " in name for name in names)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_deletion_log_names_each_line_as_the_line_names_itself(django_user_model, language):
    # The budget-line admin names the lines it logs from values (deletion_names), not from
    # instances: the names must be str()'s, in the reader's language, and one entry a line.
    from django.contrib import admin
    from django.test import RequestFactory
    from django.utils import translation

    user = django_user_model.objects.create_superuser("t_namer", password="a-long-test-pw-1")
    lines = list(BudgetLine.objects.select_related("project").order_by("pk")[:25])
    request = RequestFactory().post("/admin/budgets/budgetline/")
    request.user = user
    with translation.override(language):
        expected = {str(line.pk): str(line) for line in lines}
        admin.site._registry[BudgetLine].log_deletions(
            request, BudgetLine.objects.filter(pk__in=expected)
        )
    logged = LogEntry.objects.filter(action_flag=DELETION, user=user)
    assert dict(logged.values_list("object_id", "object_repr")) == expected
    assert logged.count() == len(lines)
    assert {entry.content_type.model for entry in logged} == {"budgetline"}
    assert all(entry.action_time is not None for entry in logged)
