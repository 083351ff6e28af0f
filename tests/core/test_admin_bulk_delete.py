"""The admin's "delete selected" over many budget lines, as a browser does it: choose the
action, read the confirmation page, post back what its form holds.

Django's own confirmation posted back one field per selected row, and Django refuses more
than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields with 400 Bad Request: "select all" over
12,660 lines could not be deleted at all (rdportfolio/core/admin_delete.py).
"""

import re

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages
from django.test import Client

from budgets.admin import BudgetLineAdmin
from budgets.models import BudgetLine
from rdportfolio.core.admin_delete import delete_selected_in_bulk

pytestmark = pytest.mark.django_db

URL = "/admin/budgets/budgetline/"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def confirm_form(page) -> dict[str, list[str]]:
    """The fields the confirmation page's form posts, as a browser would send them."""
    html = page.content.decode()
    start = html.index('<form method="post">')
    form = html[start : html.index("</form>", start)]
    fields: dict[str, list[str]] = {}
    for name, value in HIDDEN.findall(form):
        fields.setdefault(name, []).append(value)
    return fields


def editor_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def select_all(client, query: str, one_id: int):
    """ "Select all N" on a filtered list, then "Delete selected"."""
    return client.post(
        f"{URL}?{query}",
        {
            "action": "delete_selected",
            "select_across": "1",
            "index": "0",
            "_selected_action": [one_id],
        },
    )


def test_select_all_of_a_filtered_list_is_confirmed_by_count_and_deletes_just_those(
    ministry_editor, settings, monkeypatch
):
    monkeypatch.setattr("rdportfolio.core.admin_delete.SHOWN", 10)
    chosen = BudgetLine.objects.filter(fiscal_year=2025)
    ids = set(chosen.values_list("pk", flat=True))
    others = BudgetLine.objects.exclude(fiscal_year=2025).count()
    assert len(ids) > 60
    # Fewer fields than lines: posting an id per line back would be refused, as at 1,000.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    client = editor_client(ministry_editor)

    page = select_all(client, "fiscal_year=2025", min(ids))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"{len(ids):,}" in html
    named = re.findall(r"<li>([^<]+)</li>", html[html.index('id="deleted-objects"') :])[:10]
    first = BudgetLine.objects.select_related("project").order_by("pk").filter(pk__in=ids)[:10]
    assert named == [str(line) for line in first]
    assert f"…and {len(ids) - 10:,} more." in html
    fields = confirm_form(page)
    assert fields["select_across"] == ["1"]
    assert fields["selection_count"] == [str(len(ids))]
    assert len(fields["_selected_action"]) == 1

    done = client.post(f"{URL}?fiscal_year=2025", fields)
    assert done.status_code == 302
    assert not chosen.exists()
    assert BudgetLine.objects.count() == others
    gone = BudgetLine.history.filter(id__in=ids, history_type="-")
    assert gone.count() == len(ids)
    assert set(gone.values_list("history_user_id", flat=True)) == {ministry_editor.pk}
    logged = LogEntry.objects.filter(action_flag=DELETION, user=ministry_editor)
    assert set(logged.values_list("object_id", flat=True)) == {str(pk) for pk in ids}
    assert [str(m) for m in get_messages(done.wsgi_request)] == [
        f"Successfully deleted {len(ids)} budget lines."
    ]


def test_a_selection_that_changed_since_the_confirmation_is_not_deleted(ministry_editor):
    client = editor_client(ministry_editor)
    chosen = BudgetLine.objects.filter(fiscal_year=2026, basis="planned")
    before = chosen.count()
    page = select_all(client, "fiscal_year=2026&basis=planned", chosen.first().pk)
    fields = confirm_form(page)
    # Someone else deletes one of those lines before the confirmation is posted.
    chosen.order_by("-pk").first().delete()

    again = client.post(f"{URL}?fiscal_year=2026&basis=planned", fields)
    assert again.status_code == 200  # the confirmation page again, with the new count
    assert chosen.count() == before - 1
    assert (
        f"The selection changed since the confirmation page: it now holds {before - 1:,} "
        "rows. Nothing was deleted; confirm again."
    ) in again.content.decode()
    assert confirm_form(again)["selection_count"] == [str(before - 1)]

    done = client.post(f"{URL}?fiscal_year=2026&basis=planned", confirm_form(again))
    assert done.status_code == 302
    assert not chosen.exists()


def test_rows_ticked_one_by_one_are_deleted_and_no_others(ministry_editor):
    client = editor_client(ministry_editor)
    ids = list(BudgetLine.objects.order_by("-pk").values_list("pk", flat=True)[:3])
    total = BudgetLine.objects.count()
    page = client.post(URL, {"action": "delete_selected", "index": "0", "_selected_action": ids})
    assert page.status_code == 200
    fields = confirm_form(page)
    assert sorted(map(int, fields["_selected_action"])) == sorted(ids)
    assert "select_across" not in fields
    assert "more." not in page.content.decode()

    assert client.post(URL, fields).status_code == 302
    assert not BudgetLine.objects.filter(pk__in=ids).exists()
    assert BudgetLine.objects.count() == total - 3


def test_confirming_without_the_pages_count_deletes_nothing(ministry_editor):
    # A hand-made post (no count from the page) only gets the confirmation page.
    client = editor_client(ministry_editor)
    ids = list(BudgetLine.objects.order_by("pk").values_list("pk", flat=True)[:2])
    response = client.post(
        URL, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert response.status_code == 200
    assert BudgetLine.objects.filter(pk__in=ids).count() == 2


def test_only_who_may_delete_lines_can_and_korean_staff_read_the_page(
    analyst, evaluation_manager, ministry_editor
):
    ids = list(BudgetLine.objects.order_by("pk").values_list("pk", flat=True)[:2])
    post = {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    for user in (analyst, evaluation_manager):
        client = Client()
        client.force_login(user)
        client.post(URL, {**post, "selection_count": "2"})
        assert BudgetLine.objects.filter(pk__in=ids).count() == 2, user.username
    korean = Client(HTTP_ACCEPT_LANGUAGE="ko")
    korean.force_login(ministry_editor)
    page = korean.post(URL, {"action": "delete_selected", "index": "0", "_selected_action": ids})
    assert "네, 확신합니다." in page.content.decode()  # Django's own Korean, kept


def test_rows_others_point_to_keep_djangos_confirmation_of_what_cascades(rf, ministry_editor):
    from django.contrib import admin

    from technologies.models import Project

    request = rf.get("/admin/")
    request.user = ministry_editor
    lines = admin.site._registry[BudgetLine].get_actions(request)
    projects = admin.site._registry[Project].get_actions(request)
    assert isinstance(admin.site._registry[BudgetLine], BudgetLineAdmin)
    assert lines["delete_selected"][0] is delete_selected_in_bulk
    assert projects["delete_selected"][0] is not delete_selected_in_bulk
