"""History pages as staff read them: records named by what staff know them by, no "None",
no "(pk=None)", amounts with their 억 figure."""

import pytest
from django.urls import reverse
from simple_history.utils import update_change_reason

from budgets.models import BudgetLine
from tests.factories import CollaborationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_budget_lines_history_reads_plainly(client, ministry_editor):
    project = ProjectFactory(project_number="RS-HIST-1", start_year=2026, end_year=2028)
    line = BudgetLine.objects.create(
        project=project, fiscal_year=2026, basis="planned", amount_won=1_000_000_000
    )
    collaboration = CollaborationFactory(project=project)
    line.amount_won = 5_000_000_000
    line.is_international = True
    line.collaboration = collaboration
    line.save()
    update_change_reason(line, "")  # no reason given
    client.force_login(ministry_editor)
    page = client.get(
        reverse("admin:budgets_budgetline_history", args=[line.pk]), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "RS-HIST-1 · 2026" in page
    assert f"{project.pk} 2026" not in page
    assert "pk=None" not in page
    assert ">None<" not in page.replace(" ", "").replace("\n", "")
    assert "5,000,000,000 (50억 원)" in page and "1,000,000,000 (10억 원)" in page


def test_a_line_edited_in_its_projects_form_records_the_line_not_an_empty_project_version(
    client, ministry_editor
):
    project = ProjectFactory(project_number="RS-HIST-2", start_year=2026, end_year=2028)
    line = BudgetLine.objects.create(
        project=project, fiscal_year=2026, basis="planned", amount_won=1_000_000_000
    )
    client.force_login(ministry_editor)
    url = reverse("admin:technologies_project_change", args=[project.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in ((n, form[n]) for n in form.fields)
    }
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
        for index, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                data[f"{formset.formset.prefix}-{index}-{name}"] = "" if value is None else value
    prefix = next(
        f.formset.prefix
        for f in page.context["inline_admin_formsets"]
        if f.formset.model is BudgetLine
    )
    data[f"{prefix}-0-amount_won"] = "20억"
    data = {k: ("on" if v is True else "" if v is False else v) for k, v in data.items()}
    versions = project.history.count()
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][0].formset.forms
    ]
    line.refresh_from_db()
    assert line.amount_won == 2_000_000_000
    assert project.history.count() == versions  # no empty project version
    latest = line.history.first()
    assert (latest.history_type, latest.amount_won, latest.history_user_id) == (
        "~",
        2_000_000_000,
        ministry_editor.pk,
    )
    assert str(latest.instance).startswith("RS-HIST-2 · 2026")
