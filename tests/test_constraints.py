"""Every row keeps its rules twice: a clear form message, and a database constraint."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from budgets.models import Basis, BudgetLine
from partners.models import DispatchStatus, ImplementationRight, IPAgreement, ResearcherDispatch
from rdportfolio.core.models import MAX_WON
from technologies.models import Project
from tests.factories import (
    BudgetLineFactory,
    CollaborationFactory,
    ProjectFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    # Messages are asserted in English; the active language otherwise follows earlier requests.
    with translation.override("en"):
        yield


def assert_rejected_by_database(model, **values):
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(**values)
    assert model.objects.count() == before


def test_a_negative_amount_is_refused():
    project = ProjectFactory()
    line = BudgetLine(project=project, fiscal_year=2025, basis=Basis.PLANNED, amount_won=-1)
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert "amount_won" in error.value.message_dict
    assert_rejected_by_database(
        BudgetLine, project=project, fiscal_year=2025, basis=Basis.PLANNED, amount_won=-1
    )


def test_a_year_out_of_range_is_refused():
    project = ProjectFactory()
    line = BudgetLine(project=project, fiscal_year=20250, basis=Basis.PLANNED, amount_won=1)
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert "fiscal_year" in error.value.message_dict
    assert_rejected_by_database(
        BudgetLine, project=project, fiscal_year=1800, basis=Basis.PLANNED, amount_won=1
    )


def test_an_end_before_its_start_is_refused_with_both_years_named():
    technology = TechnologyFactory()
    project = Project(
        technology=technology,
        project_number="RS-X",
        title_ko="x",
        lead_organisation="x",
        start_year=2028,
        end_year=2024,
    )
    with pytest.raises(ValidationError) as error:
        project.full_clean()
    message = " ".join(error.value.message_dict["end_year"])
    assert "2024" in message and "2028" in message
    assert_rejected_by_database(
        Project,
        technology=technology,
        project_number="RS-END-BEFORE-START",
        title_ko="x",
        lead_organisation="x",
        start_year=2028,
        end_year=2024,
    )


def test_a_duplicate_unattributed_line_is_refused():
    line = BudgetLineFactory()
    duplicate = BudgetLine(
        project=line.project, fiscal_year=line.fiscal_year, basis=line.basis, amount_won=5
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has a line" in str(error.value)
    assert_rejected_by_database(
        BudgetLine,
        project=line.project,
        fiscal_year=line.fiscal_year,
        basis=line.basis,
        amount_won=5,
    )


def test_a_duplicate_line_for_one_collaboration_is_refused_but_another_basis_is_not():
    collaboration = CollaborationFactory()
    values = dict(
        project=collaboration.project,
        collaboration=collaboration,
        fiscal_year=2025,
        is_international=True,
    )
    BudgetLine.objects.create(basis=Basis.PLANNED, amount_won=10, **values)
    BudgetLine.objects.create(basis=Basis.EXECUTED, amount_won=9, **values)
    with pytest.raises(ValidationError):
        BudgetLine(basis=Basis.PLANNED, amount_won=11, **values).full_clean()
    assert_rejected_by_database(BudgetLine, basis=Basis.PLANNED, amount_won=11, **values)


def test_a_line_cannot_pay_for_another_projects_collaboration():
    collaboration = CollaborationFactory()
    other_project = ProjectFactory()
    line = BudgetLine(
        project=other_project,
        collaboration=collaboration,
        fiscal_year=2025,
        basis=Basis.PLANNED,
        amount_won=1,
        is_international=True,
    )
    with pytest.raises(ValidationError) as error:
        line.full_clean()
    assert collaboration.project.project_number in " ".join(
        error.value.message_dict["collaboration"]
    )


def assert_bulk_rejected_by_database(model, **values):
    # bulk_create skips save(), which would have set derived fields right.
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.bulk_create([model(**values)])
    assert model.objects.count() == before


def test_a_line_for_a_collaboration_is_international_and_only_such_a_line():
    collaboration = CollaborationFactory()
    line = dict(project=collaboration.project, fiscal_year=2025, basis=Basis.PLANNED, amount_won=1)
    assert_bulk_rejected_by_database(
        BudgetLine, **line, collaboration=collaboration, is_international=False
    )
    # The free flag of before: international spending with no partner behind it.
    assert_bulk_rejected_by_database(BudgetLine, **line, is_international=True)


def test_a_line_outside_the_projects_years_is_refused():
    project = ProjectFactory(start_year=2024, end_year=2026)
    with pytest.raises(ValidationError) as error:
        BudgetLine(
            project=project, fiscal_year=2029, basis=Basis.PLANNED, amount_won=1
        ).full_clean()
    assert "2024" in " ".join(error.value.message_dict["fiscal_year"])


def test_ip_ownership_must_add_up_to_100_percent():
    collaboration = CollaborationFactory()
    agreement = IPAgreement(
        collaboration=collaboration,
        domestic_share_percent=60,
        foreign_share_percent=30,
        implementation_right=ImplementationRight.EXCLUSIVE,
    )
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "100" in " ".join(error.value.message_dict["foreign_share_percent"])
    assert_rejected_by_database(
        IPAgreement,
        collaboration=collaboration,
        domestic_share_percent=60,
        foreign_share_percent=30,
        implementation_right=ImplementationRight.EXCLUSIVE,
    )


def test_a_dispatch_cannot_close_without_confirmed_participation():
    collaboration = CollaborationFactory()
    values = dict(
        collaboration=collaboration,
        researcher_name="김연구",
        home_organisation="(주)시험",
        start_date="2024-03-01",
        end_date="2024-12-31",
        status=DispatchStatus.CLOSED,
        direct_participation_confirmed=False,
    )
    with pytest.raises(ValidationError) as error:
        ResearcherDispatch(**values).full_clean()
    assert "status" in error.value.message_dict
    assert_rejected_by_database(ResearcherDispatch, **values)


def test_sums_beyond_what_a_float_holds_are_exact():
    # Ten lines just under the largest amount, and one of 1 won: an odd sum above 2**53, which
    # a float (or SQLite's decimal) would round.
    amounts = [MAX_WON - 1] * 10 + [1]
    ids = [
        BudgetLine.objects.create(
            project=ProjectFactory(), fiscal_year=2025, basis=Basis.PLANNED, amount_won=won
        ).pk
        for won in amounts
    ]
    total = BudgetLine.objects.filter(pk__in=ids).aggregate(total=Sum("amount_won"))["total"]
    assert total == 9_999_999_999_999_991 > 2**53


def test_an_amount_above_1000_jo_won_is_refused_by_the_model_and_the_database():
    project = ProjectFactory()
    line = BudgetLine(
        project=project, fiscal_year=2025, basis=Basis.PLANNED, amount_won=MAX_WON + 1
    )
    with pytest.raises(ValidationError) as refused:
        line.full_clean()
    assert "amount_won" in refused.value.message_dict
    assert_rejected_by_database(
        BudgetLine, project=project, fiscal_year=2025, basis=Basis.PLANNED, amount_won=MAX_WON + 1
    )


def test_the_admin_form_names_the_bad_field_and_saves_nothing(client, ministry_editor):
    project = ProjectFactory()
    client.force_login(ministry_editor)
    before = BudgetLine.objects.count()
    response = client.post(
        reverse("admin:budgets_budgetline_add"),
        {
            "project": project.pk,
            "fiscal_year": 2025,
            "basis": Basis.PLANNED,
            "amount_won": -5,
            "source": "",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "amount_won" in errors
    assert BudgetLine.objects.count() == before
