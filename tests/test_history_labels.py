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
