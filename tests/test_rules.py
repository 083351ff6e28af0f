"""The strategy's two rules, wherever a change comes from: admin, API, model code."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from partners.models import DispatchStatus, ImplementationRight, IPAgreement, ResearcherDispatch
from technologies.models import ProjectStatus
from tests.factories import CollaborationFactory, InstitutionFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned_project():
    project = ProjectFactory(status=ProjectStatus.PLANNED)
    with_rights = CollaborationFactory(
        project=project, institution=InstitutionFactory(name="Good Lab")
    )
    IPAgreement.objects.create(
        collaboration=with_rights,
        domestic_share_percent=70,
        foreign_share_percent=30,
        implementation_right=ImplementationRight.EXCLUSIVE,
    )
    no_agreement = CollaborationFactory(
        project=project, institution=InstitutionFactory(name="Missing Lab")
    )
    no_right = CollaborationFactory(
        project=project, institution=InstitutionFactory(name="Closed Lab")
    )
    IPAgreement.objects.create(
        collaboration=no_right,
        domestic_share_percent=10,
        foreign_share_percent=90,
        implementation_right=ImplementationRight.NONE,
    )
    return project, no_agreement, no_right


def test_a_project_does_not_start_while_a_collaboration_lacks_the_right_to_implement(
    planned_project,
):
    project, no_agreement, no_right = planned_project
    project.status = ProjectStatus.IN_PROGRESS
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        project.full_clean()
    messages = refused.value.message_dict["status"]
    assert len(messages) == 2
    assert any("Missing Lab" in m and "has no IP agreement" in m for m in messages)
    assert any("Closed Lab" in m and "no right to implement" in m for m in messages)
    assert not any("Good Lab" in m for m in messages)
    # With agreements that grant the right, it starts.
    IPAgreement.objects.create(
        collaboration=no_agreement,
        domestic_share_percent=50,
        foreign_share_percent=50,
        implementation_right=ImplementationRight.NON_EXCLUSIVE,
    )
    IPAgreement.objects.filter(collaboration=no_right).update(
        implementation_right=ImplementationRight.NON_EXCLUSIVE
    )
    project.full_clean()
    project.save()


def test_the_rule_applies_to_the_move_not_to_edits_of_a_running_project(planned_project):
    project, _no_agreement, _no_right = planned_project
    project.__class__.objects.filter(pk=project.pk).update(status=ProjectStatus.IN_PROGRESS)
    project.refresh_from_db()
    assert project.start_problems()  # the rule would refuse a start: it has no IP rights yet
    project.title_ko = "고친 제목"
    project.full_clean()  # already in progress: editing the title is not a start
    project.save()
    project.refresh_from_db()
    assert (project.title_ko, project.status) == ("고친 제목", ProjectStatus.IN_PROGRESS)


def test_the_api_refuses_the_start_and_names_the_collaboration(planned_project, ministry_editor):
    project, _no_agreement, _no_right = planned_project
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(ministry_editor)
    response = api.patch(
        f"/api/v1/projects/{project.pk}/", {"status": "in_progress"}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["attr"] for e in errors} == {"status"}
    assert any("Missing Lab" in e["detail"] for e in errors)
    project.refresh_from_db()
    assert project.status == ProjectStatus.PLANNED


def test_the_admin_says_which_collaboration_blocks_the_start(planned_project, ministry_editor):
    project, _no_agreement, _no_right = planned_project
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(ministry_editor)
    url = reverse("admin:technologies_project_change", args=[project.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data.update(
        technology=project.technology_id,
        status="in_progress",
        **{
            f"{prefix}-{key}": value
            for prefix in ("collaborations", "budget_lines")
            for key, value in (
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            )
        },
    )
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Missing Lab" in text and "Closed Lab" in text
    project.refresh_from_db()
    assert project.status == ProjectStatus.PLANNED


def test_a_dispatch_cannot_close_without_confirmed_participation():
    dispatch = ResearcherDispatch.objects.filter(direct_participation_confirmed=False).first()
    dispatch.status = DispatchStatus.CLOSED
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            dispatch.full_clean()
        # The message is lazy: read in English, whatever language an earlier test left on.
        assert "direct participation is confirmed" in refused.value.message_dict["status"][0]
