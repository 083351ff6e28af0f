"""Audit history: every core model keeps its versions, with who and when; editors revert."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from budgets.models import (
    BudgetLine,
    CollaborationTarget,
    ExchangeRate,
    MinistryBudget,
    TargetPlan,
)
from partners.models import (
    Collaboration,
    CooperationCenter,
    Institution,
    IPAgreement,
    ResearcherDispatch,
)
from programs.models import Program, ProgramYearPlan, PublishedFigure
from technologies.evaluations.models import EvaluationAssignment, EvaluationLayer, EvaluationRound
from technologies.models import Field, Project, Technology
from tests.factories import TechnologyFactory

pytestmark = pytest.mark.django_db

CORE_MODELS = [
    Program,
    ProgramYearPlan,
    PublishedFigure,
    Field,
    Technology,
    Project,
    Institution,
    CooperationCenter,
    Collaboration,
    ResearcherDispatch,
    IPAgreement,
    BudgetLine,
    MinistryBudget,
    ExchangeRate,
    TargetPlan,
    CollaborationTarget,
    EvaluationRound,
    EvaluationLayer,
    EvaluationAssignment,
]


def one_row_of(model, django_user_model):
    """A stored row: the seeded portfolio has one of each, but for the evaluation."""
    row = model.objects.order_by("pk").first()
    if row is not None:
        return row
    reviewer = django_user_model.objects.create_user("t_history_reviewer")
    round_ = EvaluationRound.objects.create(
        name_ko="이력 시험", fiscal_year=2025, track="game_changer"
    )
    layer = EvaluationLayer.objects.create(round=round_, order=1, kind="screening")
    EvaluationAssignment.objects.create(
        layer=layer, technology=Technology.objects.get(code="GC-01"), reviewer=reviewer
    )
    return model.objects.order_by("pk").first()


@pytest.mark.parametrize("model", CORE_MODELS, ids=lambda m: m.__name__)
def test_every_core_model_keeps_a_version_of_each_change(model, django_user_model):
    row = one_row_of(model, django_user_model)
    versions = row.history.count()
    row.save()
    assert row.history.count() == versions + 1
    assert row.history.first().history_type == "~"


def login(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def technology_form(technology, **changes):
    data = {
        "program": technology.program_id,
        "field": technology.field_id,
        "code": technology.code,
        "name_ko": technology.name_ko,
        "name_en": technology.name_en,
        "status": technology.status,
        "target_commercialisation_year": technology.target_commercialisation_year or "",
        "value_chain_rationale": technology.value_chain_rationale,
        "source": technology.source,
        "is_synthetic": "on" if technology.is_synthetic else "",
    }
    for prefix in ("projects", "status_changes"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


def test_an_admin_edit_records_who_changed_what_and_the_page_shows_it(ministry_editor):
    technology = TechnologyFactory(name_en="Before")
    client = login(ministry_editor)
    url = reverse("admin:technologies_technology_change", args=[technology.pk])
    response = client.post(url, technology_form(technology, name_en="After"))
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = technology.history.first()
    assert (latest.name_en, latest.history_type, latest.history_user) == (
        "After",
        "~",
        ministry_editor,
    )
    page = client.get(reverse("admin:technologies_technology_history", args=[technology.pk]))
    assert page.status_code == 200
    assert ministry_editor.username in page.content.decode()


def test_an_api_write_records_its_user(ministry_editor):
    line = BudgetLine.objects.filter(collaboration__isnull=True).first()
    api = APIClient()
    api.force_authenticate(ministry_editor)
    response = api.patch(
        f"/api/v1/budget-lines/{line.pk}/", {"amount_won": line.amount_won + 1}, format="json"
    )
    assert response.status_code == 200
    latest = line.history.first()
    assert latest.amount_won == line.amount_won + 1 and latest.history_user == ministry_editor


def test_editors_revert_to_an_earlier_version(ministry_editor):
    technology = TechnologyFactory(name_en="Original")
    technology.name_en = "Mistake"
    technology.save()
    original = technology.history.order_by("history_date").first()
    client = login(ministry_editor)
    url = reverse(
        "admin:technologies_technology_simple_history", args=[technology.pk, original.history_id]
    )
    page = client.get(url)
    assert page.status_code == 200
    # The version the form carries is the stored row's, not the old one's it shows.
    opened = re.search(r'name="opened_version" value="([^"]+)"', page.content.decode())
    assert opened and opened.group(1) == technology.updated_at.isoformat()
    form = {**technology_form(technology, name_en="Original"), "opened_version": opened.group(1)}
    response = client.post(url, form)
    assert response.status_code == 302
    technology.refresh_from_db()
    assert technology.name_en == "Original"
    assert technology.history.first().history_user == ministry_editor


def test_readers_cannot_revert(evaluation_manager):
    technology = TechnologyFactory(name_en="Original")
    technology.name_en = "Changed"
    technology.save()
    original = technology.history.order_by("history_date").first()
    client = login(evaluation_manager)
    url = reverse(
        "admin:technologies_technology_simple_history", args=[technology.pk, original.history_id]
    )
    response = client.post(url, technology_form(technology, name_en="Original"))
    assert response.status_code == 403
    technology.refresh_from_db()
    assert technology.name_en == "Changed"
