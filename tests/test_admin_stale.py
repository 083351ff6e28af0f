"""Two editors edit the same budget line in the admin: a save from a form opened before the
other's save is refused with what happened, and the other's values stand; two saves at
the same instant are compared one after the other (PostgreSQL)."""

import re
import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client
from django.urls import reverse

from budgets.models import BudgetLine
from rdportfolio.core import roles
from tests.factories import BudgetLineFactory, ProjectFactory

STALE = "Someone else saved this record at "


def _editor(django_user_model, username):
    user = django_user_model.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.MINISTRY_EDITOR))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _opened(client, line):
    """The change form as drawn for ``client``: the POST it would send, the amount aside."""
    page = client.get(reverse("admin:budgets_budgetline_change", args=[line.pk])).content.decode()
    version = re.search(r'name="opened_version" value="([^"]+)"', page)
    assert version, "the change form carries no version of the row"
    return {
        "project": line.project_id,
        "fiscal_year": line.fiscal_year,
        "basis": line.basis,
        "source": line.source,
        "confirm_kpi_change": "on",
        "opened_version": version.group(1),
    }


def _save(client, line, form, amount):
    return client.post(
        reverse("admin:budgets_budgetline_change", args=[line.pk]),
        {**form, "amount_won": str(amount)},
    )


@pytest.fixture
def line():
    return BudgetLineFactory(
        project=ProjectFactory(start_year=2031, end_year=2033), fiscal_year=2031
    )


@pytest.mark.django_db
def test_a_save_from_a_form_opened_before_another_save_is_refused(django_user_model, line):
    first, second = _editor(django_user_model, "editor_a"), _editor(django_user_model, "editor_b")
    first_form, second_form = _opened(first, line), _opened(second, line)
    assert _save(first, line, first_form, 2_000_000_000).status_code == 302

    refused = _save(second, line, second_form, 3_000_000_000)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert STALE in page and "your changes were not saved" in page
    assert 'name="amount_won" value="3000000000"' in page  # what they typed is still there
    line.refresh_from_db()
    assert line.amount_won == 2_000_000_000

    # Opened again, the form shows the first editor's amount and saves.
    assert _save(second, line, _opened(second, line), 3_000_000_000).status_code == 302
    line.refresh_from_db()
    assert line.amount_won == 3_000_000_000


@pytest.mark.django_db
def test_a_form_saved_twice_by_its_editor_in_a_row_is_refused_the_second_time(
    django_user_model, line
):
    # The back button, then save again: the row changed since that form was drawn.
    editor = _editor(django_user_model, "editor_a")
    form = _opened(editor, line)
    assert _save(editor, line, form, 2_000_000_000).status_code == 302
    assert STALE in _save(editor, line, form, 4_000_000_000).content.decode()
    line.refresh_from_db()
    assert line.amount_won == 2_000_000_000


@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_instant_keep_one_and_refuse_the_other(
    on_postgresql, django_user_model, line
):
    clients = [_editor(django_user_model, name) for name in ("editor_a", "editor_b")]
    forms = [_opened(client, line) for client in clients]
    start = threading.Barrier(2)
    answers = {}

    def save(n):
        try:
            start.wait()
            answers[n] = _save(clients[n], line, forms[n], (n + 2) * 1_000_000_000)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(answer.status_code for answer in answers.values())
    assert statuses == [200, 302]
    (kept,) = [n for n, answer in answers.items() if answer.status_code == 302]
    (refused,) = [n for n, answer in answers.items() if answer.status_code == 200]
    assert STALE in answers[refused].content.decode()
    assert BudgetLine.objects.get(pk=line.pk).amount_won == (kept + 2) * 1_000_000_000


@pytest.mark.django_db
def test_a_line_changed_inline_from_a_page_opened_before_another_save_is_refused(
    django_user_model, line
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.kpi.test_closing import change_form_data

    first, second = _editor(django_user_model, "editor_a"), _editor(django_user_model, "editor_b")
    url = reverse("admin:technologies_project_change", args=[line.project_id])
    with CaptureQueriesContext(connection) as one_line:
        page = first.get(url)
    data = change_form_data(page)
    (row,) = [key for key, value in data.items() if key.endswith("-id") and value == line.pk]
    prefix = row.removesuffix("-id")
    assert data[f"{prefix}-opened_version"]
    # The other editor saves the line from its own page meanwhile.
    assert _save(second, line, _opened(second, line), 2_000_000_000).status_code == 302

    refused = first.post(
        url,
        {**data, f"{prefix}-amount_won": "3000000000", "budget_lines-confirm_kpi_change": "1"},
    )
    assert refused.status_code == 200 and STALE in refused.content.decode()
    line.refresh_from_db()
    assert line.amount_won == 2_000_000_000
    # Saving the project with its lines untouched is no edit of theirs: it goes through.
    fresh = change_form_data(first.get(url))
    assert first.post(url, fresh).status_code == 302
    # And the version costs no query per line: a page of five lines, as many as of one.
    for year in (2032, 2033):
        BudgetLineFactory(project=line.project, fiscal_year=year)
        BudgetLineFactory(project=line.project, fiscal_year=year, basis="executed")
    with CaptureQueriesContext(connection) as five_lines:
        first.get(url)
    assert len(five_lines) == len(one_line)
