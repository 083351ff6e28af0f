"""Amounts typed as ministry staff say them: 50억, 1.2조, 3억 5천만, 5,000,000,000."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from budgets.models import BudgetLine
from rdportfolio.core.won_input import parse_won
from tests.factories import ProjectFactory


@pytest.mark.parametrize(
    ("typed", "won"),
    [
        ("5000000000", 5_000_000_000),
        ("5,000,000,000", 5_000_000_000),
        ("50억", 5_000_000_000),
        ("50억 원", 5_000_000_000),
        ("50 억원", 5_000_000_000),
        ("1.2조", 1_200_000_000_000),
        ("1조 2,000억", 1_200_000_000_000),
        ("3억 5천만", 350_000_000),
        ("3억5천만원", 350_000_000),
        ("1,487억", 148_700_000_000),
        ("0.5억", 50_000_000),
        ("2백만", 2_000_000),
        ("1억 2345", 100_002_345),
        ("0", 0),
    ],
)
def test_amounts_in_every_form_staff_write_them(typed, won):
    assert parse_won(typed) == won


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-1억", "cannot be negative"),
        ("5억 3조", "is not an amount"),  # units from the largest down
        ("3억 2억", "is not an amount"),
        ("1.5", "is not a whole number of won"),
        ("0.000000001억", "is not a whole number of won"),
        ("12 billion", "is not an amount"),
        ("1e10", "is not an amount"),
        ("2000조", "more than 1,000조 원"),
        ("억", "is not an amount"),
        ("", "Enter an amount"),
    ],
)
def test_what_is_not_an_amount_is_refused_saying_why(typed, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            parse_won(typed)
        # Read inside the override: the messages are translated when read, not when raised.
        assert message in " ".join(refused.value.messages)


@pytest.mark.django_db
def test_a_budget_line_is_entered_in_eok_and_shown_with_separators_and_eok(client, ministry_editor):
    project = ProjectFactory(project_number="RS-WON-1", start_year=2026, end_year=2028)
    client.force_login(ministry_editor)
    url = reverse("admin:budgets_budgetline_add")
    form = {"project": project.pk, "fiscal_year": 2026, "basis": "planned", "is_international": ""}
    response = client.post(url, {**form, "amount_won": "50억"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302, response.content.decode()[:3000]
    line = BudgetLine.objects.get(project=project)
    assert line.amount_won == 5_000_000_000
    page = client.get(reverse("admin:budgets_budgetline_change", args=[line.pk])).content.decode()
    assert 'value="5,000,000,000"' in page and "= 50억 원" in page
    response = client.post(
        url, {**form, "fiscal_year": 2027, "amount_won": "5억 3조"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "“5억 3조” is not an amount" in response.content.decode()
    assert BudgetLine.objects.filter(project=project).count() == 1
