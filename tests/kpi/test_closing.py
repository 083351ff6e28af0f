"""A year closes by the ministry's act, never by the first executed line (issue 30).

The defect this guards: one editor's executed entry for one project "closed" a ministry year
and turned the overview's headline from 13.15% to 0.08%. The seeded demo has 2023 and 2024
closed and 2025 open, with execution in progress.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, transaction
from django.urls import reverse
from django.utils import timezone, translation

from budgets.kpi.models import ShareStatus
from budgets.kpi.services import share_recompute
from budgets.models import Basis, BudgetLine, MinistryBudget, YearClosing
from budgets.services import (
    ClosingRefused,
    FigureMoveUnconfirmed,
    fiscal_year_close,
    fiscal_year_reopen,
)
from rdportfolio.dashboards.overview import share_path
from tests.api.client import api
from tests.factories import CollaborationFactory, ProjectFactory

OPEN_YEAR = 2025  # ended, not closed in the demo
ACT_DAY = datetime.date(2026, 3, 31)


@pytest.fixture(autouse=True)
def _in_english():
    # The services speak the reader's language; these tests read their English.
    with translation.override("en"):
        yield


def headline_by_year() -> dict[int, dict]:
    return {row.year: row for row in share_path(share_recompute(force=True))}


def one_projects_executed_line(year: int, won: int) -> BudgetLine:
    collaboration = CollaborationFactory(project=ProjectFactory(start_year=2024, end_year=2030))
    line = BudgetLine(
        project=collaboration.project,
        collaboration=collaboration,
        fiscal_year=year,
        basis=Basis.EXECUTED,
        amount_won=won,
    )
    line.full_clean()
    line.save()
    return line


@pytest.mark.django_db
def test_one_projects_executed_lines_do_not_move_an_open_years_headline():
    before = headline_by_year()
    assert before[2024].closed and not before[OPEN_YEAR].closed
    one_projects_executed_line(OPEN_YEAR, 40_000_000_000)
    after = headline_by_year()
    year = after[OPEN_YEAR]
    # The headline of an open year stays its plan; the execution so far is shown beside it.
    assert year.best.basis == Basis.PLANNED
    assert year.best.share == before[OPEN_YEAR].best.share
    assert year.in_progress.status == ShareStatus.IN_PROGRESS
    assert year.in_progress.international_won > 40_000_000_000
    assert after[2028].best.share == before[2028].best.share


@pytest.mark.django_db
def test_closing_the_year_makes_its_executed_spending_the_headline(ministry_editor):
    one_projects_executed_line(OPEN_YEAR, 40_000_000_000)
    with pytest.raises(FigureMoveUnconfirmed) as unconfirmed:
        fiscal_year_close(fiscal_year=OPEN_YEAR, closed_on=ACT_DAY, closed_by=ministry_editor)
    # It says which year moves, from what to what.
    assert str(OPEN_YEAR) in unconfirmed.value.message and "%" in unconfirmed.value.message
    assert not YearClosing.objects.filter(fiscal_year=OPEN_YEAR).exists()
    closing = fiscal_year_close(
        fiscal_year=OPEN_YEAR, closed_on=ACT_DAY, closed_by=ministry_editor, confirmed=True
    )
    year = headline_by_year()[OPEN_YEAR]
    assert year.closed and year.best.basis == Basis.EXECUTED and year.in_progress is None
    assert closing.closed_by == ministry_editor and closing.history.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("year", "closed_on", "field", "says"),
    [
        (timezone.localdate().year, timezone.localdate(), "fiscal_year", "has not ended"),
        (OPEN_YEAR, datetime.date(OPEN_YEAR, 12, 30), "closed_on", "falls after the year"),
        (OPEN_YEAR, timezone.localdate() + datetime.timedelta(days=1), "closed_on", "not after"),
        (2021, ACT_DAY, "fiscal_year", "has no executed lines"),
        (2024, ACT_DAY, "fiscal_year", "is closed already"),
    ],
)
def test_a_closing_that_cannot_be_is_refused_naming_why(
    ministry_editor, year, closed_on, field, says
):
    standing = YearClosing.objects.count()
    with pytest.raises(ClosingRefused) as refused:
        fiscal_year_close(
            fiscal_year=year, closed_on=closed_on, closed_by=ministry_editor, confirmed=True
        )
    assert refused.value.field == field and says in refused.value.message
    assert YearClosing.objects.count() == standing


@pytest.mark.django_db
def test_reopening_needs_a_reason_and_puts_the_plan_back(ministry_editor):
    closing = YearClosing.objects.standing().get(fiscal_year=2024)
    with pytest.raises(ClosingRefused, match="Say why"):
        fiscal_year_reopen(closing_id=closing.pk, reopened_by=ministry_editor, reason="  ")
    fiscal_year_reopen(
        closing_id=closing.pk, reopened_by=ministry_editor, reason="결산 정정", confirmed=True
    )
    year = headline_by_year()[2024]
    assert not year.closed and year.best.basis == Basis.PLANNED
    with pytest.raises(ClosingRefused, match="reopened already"):
        fiscal_year_reopen(
            closing_id=closing.pk, reopened_by=ministry_editor, reason="again", confirmed=True
        )
    # Reopened, the year can be closed again: a second closing, the first kept.
    fiscal_year_close(
        fiscal_year=2024, closed_on=ACT_DAY, closed_by=ministry_editor, confirmed=True
    )
    assert YearClosing.objects.filter(fiscal_year=2024).count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_standing_closing_and_a_reopening_without_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        YearClosing.objects.create(fiscal_year=2024, closed_on=ACT_DAY)
    closing = YearClosing.objects.standing().get(fiscal_year=2024)
    closing.reopened_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        closing.save()


@pytest.mark.django_db
def test_an_executed_line_for_a_year_not_begun_is_refused_naming_the_year(ministry_editor):
    next_year = timezone.localdate().year + 1
    with pytest.raises(ValidationError) as refused:
        one_projects_executed_line(next_year, 1_000_000)
    assert str(next_year) in str(refused.value)
    project = ProjectFactory(start_year=2024, end_year=2030)
    response = api(ministry_editor).post(
        "/api/v1/budget-lines/",
        {"project": project.pk, "fiscal_year": next_year, "basis": "executed", "amount_won": 5},
        format="json",
    )
    assert response.status_code == 400 and str(next_year) in response.content.decode()
    assert not BudgetLine.objects.filter(project=project).exists()


# --- The admin: closing is an act with its own form, never an edit or a delete -----------


@pytest.mark.django_db
def test_an_editor_closes_a_year_in_the_admin_confirming_the_move(client, ministry_editor):
    one_projects_executed_line(OPEN_YEAR, 40_000_000_000)
    client.force_login(ministry_editor)
    url = reverse("admin:budgets_yearclosing_add")
    form = {"fiscal_year": OPEN_YEAR, "closed_on": ACT_DAY.isoformat(), "source": "결산 승인"}
    first = client.post(url, form)
    assert first.status_code == 200  # the form again, with the move said
    assert str(OPEN_YEAR) in first.context["form"].errors["confirm_kpi_change"][0]
    assert not YearClosing.objects.filter(fiscal_year=OPEN_YEAR).exists()
    second = client.post(url, {**form, "confirm_kpi_change": "on"})
    assert second.status_code == 302
    closing = YearClosing.objects.standing().get(fiscal_year=OPEN_YEAR)
    assert closing.closed_by == ministry_editor and closing.source == "결산 승인"
    # Never deleted, never reverted: reopening is the way back.
    delete = reverse("admin:budgets_yearclosing_delete", args=[closing.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    reopen = reverse("admin:budgets_yearclosing_reopen", args=[closing.pk])
    refused = client.post(reopen, {"reopen_reason": "", "confirm_kpi_change": "on"})
    assert refused.status_code == 200 and YearClosing.objects.get(pk=closing.pk).is_standing
    reopened = client.post(reopen, {"reopen_reason": "결산 정정", "confirm_kpi_change": "on"})
    assert reopened.status_code == 302
    closing.refresh_from_db()
    assert closing.reopened_by == ministry_editor and closing.reopen_reason == "결산 정정"


@pytest.mark.django_db
def test_the_closing_form_says_in_korean_what_is_wrong(client, ministry_editor):
    client.force_login(ministry_editor)
    response = client.post(
        reverse("admin:budgets_yearclosing_add"),
        {"fiscal_year": timezone.localdate().year, "closed_on": ACT_DAY.isoformat()},
        headers={"accept-language": "ko"},
    )
    errors = response.context["form"].errors["fiscal_year"][0]
    assert str(timezone.localdate().year) in errors and "끝나지" in errors


@pytest.mark.django_db
def test_readers_cannot_close_a_year(client, analyst, cto_viewer):
    for user in (analyst, cto_viewer):
        response = api(user).post(
            "/api/v1/year-closings/?confirm_kpi_change=true",
            {"fiscal_year": OPEN_YEAR, "closed_on": ACT_DAY.isoformat()},
            format="json",
        )
        assert response.status_code == 403
    assert not YearClosing.objects.filter(fiscal_year=OPEN_YEAR).exists()


# --- The API ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_closes_and_reopens_a_year_through_the_api(ministry_editor, analyst):
    one_projects_executed_line(OPEN_YEAR, 40_000_000_000)
    client = api(ministry_editor)
    body = {"fiscal_year": OPEN_YEAR, "closed_on": ACT_DAY.isoformat(), "source": "결산"}
    unconfirmed = client.post("/api/v1/year-closings/", body, format="json")
    assert unconfirmed.status_code == 400
    assert str(OPEN_YEAR) in unconfirmed.json()["errors"][0]["detail"]
    assert unconfirmed.json()["errors"][0]["attr"] == "confirm_kpi_change"
    created = client.post("/api/v1/year-closings/?confirm_kpi_change=true", body, format="json")
    assert created.status_code == 201, created.content
    closing = created.json()
    assert closing["is_standing"] is True and closing["fiscal_year"] == OPEN_YEAR
    again = client.post("/api/v1/year-closings/?confirm_kpi_change=true", body, format="json")
    assert again.status_code == 400 and "closed already" in again.json()["errors"][0]["detail"]
    listed = api(analyst).get("/api/v1/year-closings/", {"is_standing": "true"}).json()
    assert OPEN_YEAR in {row["fiscal_year"] for row in listed["results"]}
    assert api(analyst).post(f"/api/v1/year-closings/{closing['id']}/reopen/").status_code == 403
    reopen = f"/api/v1/year-closings/{closing['id']}/reopen/?confirm_kpi_change=true"
    assert client.post(reopen, {}, format="json").status_code == 400
    reopened = client.post(reopen, {"reopen_reason": "정정"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["is_standing"] is False
    # No editor holds a delete permission on closings: refused before the method is looked at.
    assert client.delete(f"/api/v1/year-closings/{closing['id']}/").status_code == 403
    assert YearClosing.objects.filter(pk=closing["id"]).exists()


@pytest.mark.django_db
def test_a_budget_line_that_moves_the_headline_needs_confirmation(ministry_editor):
    collaboration = CollaborationFactory(project=ProjectFactory(start_year=2024, end_year=2030))
    client = api(ministry_editor)
    line = {
        "project": collaboration.project.pk,
        "collaboration": collaboration.pk,
        "fiscal_year": 2028,
        "basis": "planned",
        "amount_won": 60_000_000_000,  # about 1 point of a 5.6조 total
    }
    refused = client.post("/api/v1/budget-lines/", line, format="json")
    assert refused.status_code == 400
    said = refused.json()["errors"][0]["detail"]
    assert "2028" in said and refused.json()["errors"][0]["attr"] == "confirm_kpi_change"
    assert not BudgetLine.objects.filter(collaboration=collaboration).exists()
    saved = client.post("/api/v1/budget-lines/?confirm_kpi_change=true", line, format="json")
    assert saved.status_code == 201 and saved.json()["is_international"] is True
    # A small change (well under 0.1 points) needs no confirmation.
    small_line = {**line, "fiscal_year": 2027, "amount_won": 1_000_000}
    small = client.post("/api/v1/budget-lines/", small_line, format="json")
    assert small.status_code == 201, small.content


@pytest.mark.django_db
def test_a_ministry_total_that_moves_the_headline_needs_confirmation_in_the_admin(
    client, ministry_editor
):
    total = MinistryBudget.objects.get(fiscal_year=2028, basis="budgeted")
    client.force_login(ministry_editor)
    url = reverse("admin:budgets_ministrybudget_change", args=[total.pk])
    # Typed in 억 where won were meant: the 2028 share would jump.
    form = {"fiscal_year": 2028, "basis": "budgeted", "total_won": str(total.total_won // 2)}
    first = client.post(url, form)
    assert first.status_code == 200
    said = first.context["adminform"].form.errors["confirm_kpi_change"][0]
    assert "2028" in said
    assert MinistryBudget.objects.get(pk=total.pk).total_won == total.total_won
    second = client.post(url, {**form, "confirm_kpi_change": "on"})
    assert second.status_code == 302
    assert MinistryBudget.objects.get(pk=total.pk).total_won == total.total_won // 2


@pytest.mark.django_db(transaction=True)
def test_two_editors_closing_one_year_at_once_leave_one_closing(on_postgresql):
    collaboration = CollaborationFactory(project=ProjectFactory(start_year=2030, end_year=2036))
    MinistryBudget.objects.create(fiscal_year=2020, total_won=10**12)
    project = ProjectFactory(start_year=2019, end_year=2021)
    BudgetLine.objects.create(
        project=project, fiscal_year=2020, basis=Basis.EXECUTED, amount_won=10**9
    )
    assert collaboration.pk
    barrier = threading.Barrier(2)
    closed, refused = [], []

    def close():
        try:
            translation.activate("en")  # a thread starts in the default language
            barrier.wait()
            closed.append(
                fiscal_year_close(
                    fiscal_year=2020, closed_on=ACT_DAY, closed_by=None, confirmed=True
                )
            )
        except ClosingRefused as error:
            refused.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(closed) == 1 and len(refused) == 1
    assert "closed already" in refused[0].message
    assert YearClosing.objects.filter(fiscal_year=2020).count() == 1


def change_form_data(response) -> dict:
    """What the admin change page would post back untouched: every form's initial values."""
    data, forms = {}, [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
        forms += list(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [getattr(item, "pk", item) for item in value]
            data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


@pytest.mark.django_db
def test_a_projects_inline_lines_that_move_the_headline_ask_to_confirm(client, ministry_editor):
    collaboration = CollaborationFactory(project=ProjectFactory(start_year=2024, end_year=2030))
    project = collaboration.project
    client.force_login(ministry_editor)
    url = reverse("admin:technologies_project_change", args=[project.pk])
    data = change_form_data(client.get(url))
    total = int(data["budget_lines-TOTAL_FORMS"])
    # A new 600억 line for 2028 on the project's inline (about 1 point of the 2028 share).
    data.update(
        {
            "budget_lines-TOTAL_FORMS": total + 1,
            f"budget_lines-{total}-project": project.pk,
            f"budget_lines-{total}-fiscal_year": 2028,
            f"budget_lines-{total}-basis": "planned",
            f"budget_lines-{total}-amount_won": 60_000_000_000,
            f"budget_lines-{total}-collaboration": collaboration.pk,
        }
    )
    refused = client.post(url, data)
    assert refused.status_code == 200
    said = " ".join(
        str(error)
        for inline in refused.context["inline_admin_formsets"]
        for error in inline.formset.non_form_errors()
    )
    assert "2028" in said and 'name="budget_lines-confirm_kpi_change"' in said
    assert not BudgetLine.objects.filter(collaboration=collaboration).exists()
    confirmed = client.post(url, {**data, "budget_lines-confirm_kpi_change": "1"})
    assert confirmed.status_code == 302
    assert BudgetLine.objects.get(collaboration=collaboration).amount_won == 60_000_000_000
