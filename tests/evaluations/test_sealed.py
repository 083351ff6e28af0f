"""Blind review stays blind: no lookup, ordering, search, history or version page lets anyone
but an evaluation manager tie reviews to a reviewer; a round takes only its track's candidates;
an evaluator who wanders off the admin gets a proper page, not a bare "403 Forbidden"."""

import re

import pytest
from django.urls import reverse

from technologies.evaluations.models import EvaluationAssignment, EvaluationLayer, EvaluationRound
from technologies.models import Technology, TechnologyStatus
from tests.evaluations.conftest import SECRET_NAMES, assignment_url, login

pytestmark = pytest.mark.django_db

REVIEWER_LOOKUPS = [
    "reviewer__id__exact={id}",
    "reviewer={id}",
    "reviewer_id={id}",
    "reviewer__exact={id}",
    "reviewer__username=zebulon.quillfeather",
    "reviewer__last_name__icontains=quill",
    "reviewer__isnull=False",
    "reviewer__in={id}",
    "technology__evaluation_assignments__reviewer__id__exact={id}",
]


@pytest.mark.parametrize("lookup", REVIEWER_LOOKUPS)
def test_editors_cannot_look_reviews_up_by_reviewer(ministry_editor, assignments, lookup):
    reviewer_id = assignments[0].reviewer_id
    client = login(ministry_editor)
    response = client.get(f"{assignment_url('changelist')}?{lookup.format(id=reviewer_id)}")
    # Django refuses a disallowed lookup with a 400: nothing listed, nothing to compare.
    assert response.status_code == 400
    # The assignments' score (82) is in no cell: not "82" anywhere, which ids in links hold.
    assert re.search(r">\s*82\s*<", response.content.decode()) is None


@pytest.mark.parametrize("lookup", REVIEWER_LOOKUPS[:3])
def test_managers_still_filter_by_reviewer(evaluation_manager, assignments, lookup):
    reviewer_id = assignments[0].reviewer_id
    response = login(evaluation_manager).get(
        f"{assignment_url('changelist')}?{lookup.format(id=reviewer_id)}"
    )
    assert response.status_code == 200
    assert "zebulon.quillfeather" in response.content.decode()


def test_other_admins_refuse_reviewer_lookups_too(ministry_editor, assignments):
    reviewer_id = assignments[0].reviewer_id
    client = login(ministry_editor)
    for url in (
        reverse("admin:technologies_technology_changelist"),
        reverse("admin:evaluations_evaluationlayer_changelist"),
    ):
        for lookup in (
            f"evaluation_assignments__reviewer__id__exact={reviewer_id}",
            f"assignments__reviewer__id__exact={reviewer_id}",
        ):
            response = client.get(f"{url}?{lookup}")
            # Refused: a 400 (a lookup the admin does not allow), or Django's "?e=1" page for a
            # lookup that names no field; never a list filtered by the reviewer.
            assert response.status_code == 400 or response.url.endswith("?e=1"), (url, lookup)


def test_ordering_and_search_do_not_reach_the_reviewer(ministry_editor, assignments):
    client = login(ministry_editor)
    page = client.get(assignment_url("changelist")).content.decode()
    # Every sortable column of the editor's view: none is the reviewer.
    for column in set(re.findall(r"\?o=([0-9.\-]+)", page)):
        response = client.get(f"{assignment_url('changelist')}?o={column}")
        assert response.status_code == 200
        assert not any(name in response.content.decode() for name in SECRET_NAMES)
    searched = client.get(assignment_url("changelist"), {"q": "quillfeather"})
    assert searched.status_code == 200
    assert "0 evaluation assignments" in searched.content.decode() or (
        "GC-01" not in searched.content.decode()
    )


@pytest.mark.parametrize("persona", ["ministry_editor", "evaluator", "cto_viewer", "analyst"])
def test_history_and_version_pages_are_closed_to_all_but_managers(request, persona, assignments):
    user = request.getfixturevalue(persona)
    if persona == "evaluator":
        user.is_staff = True
        user.save()
    client = login(user)
    assignment = assignments[0]
    version = assignment.history.order_by("history_id").first()
    history = client.get(assignment_url("history", assignment.pk))
    form = client.get(
        reverse(
            "admin:evaluations_evaluationassignment_simple_history",
            args=[assignment.pk, version.history_id],
        )
    )
    # Staff get 403; people who are not staff are sent to the admin's login.
    expected = 403 if user.is_staff else 302
    assert history.status_code == expected and form.status_code == expected
    for response in (history, form):
        assert not any(name in response.content.decode() for name in SECRET_NAMES)


def test_managers_open_history_and_versions(evaluation_manager, assignments):
    client = login(evaluation_manager)
    assignment = assignments[0]
    version = assignment.history.order_by("history_id").first()
    assert client.get(assignment_url("history", assignment.pk)).status_code == 200
    url = reverse(
        "admin:evaluations_evaluationassignment_simple_history",
        args=[assignment.pk, version.history_id],
    )
    assert client.get(url).status_code == 200


def test_history_pages_link_users_only_for_who_may_open_them(ministry_editor, admin_user):
    technology = Technology.objects.get(code="GC-01")
    technology._history_user = admin_user  # a version saved by the superuser
    technology.save()
    url = reverse("admin:technologies_technology_history", args=[technology.pk])
    user_link = reverse("admin:auth_user_change", args=[admin_user.pk])
    assert user_link not in login(ministry_editor).get(url).content.decode()
    assert user_link in login(admin_user).get(url).content.decode()


# --- a round reviews its own track's candidates ------------------------------------------------


def _assign(client, layer, technology, reviewer):
    return client.post(
        assignment_url("add"),
        {"layer": layer.pk, "technology": technology.pk, "reviewer": reviewer.pk},
    )


def test_a_round_refuses_another_tracks_technology(evaluation_manager, layer, reviewers):
    foundational = Technology.objects.filter(program__track="foundational").first()
    foundational.status = TechnologyStatus.CANDIDATE
    foundational.save()
    response = _assign(login(evaluation_manager), layer, foundational, reviewers[0])
    assert response.status_code == 200  # the form again, with the error
    text = response.content.decode()
    assert "this round reviews Game-changer candidates" in text and foundational.code in text
    assert not EvaluationAssignment.objects.filter(technology=foundational).exists()


def test_a_round_refuses_a_technology_that_is_not_a_candidate(evaluation_manager, layer, reviewers):
    selected = Technology.objects.get(code="GC-02")
    selected.status = TechnologyStatus.SELECTED
    selected.save()
    response = _assign(login(evaluation_manager), layer, selected, reviewers[0])
    assert "not a candidate" in response.content.decode()
    assert not EvaluationAssignment.objects.filter(technology=selected).exists()


def test_a_round_without_a_track_takes_no_assignment(evaluation_manager, reviewers):
    round_ = EvaluationRound.objects.create(name_ko="트랙 없음", fiscal_year=2025)
    layer = EvaluationLayer.objects.create(round=round_, order=1, kind="screening")
    response = _assign(
        login(evaluation_manager), layer, Technology.objects.get(code="GC-01"), reviewers[0]
    )
    assert "track before assigning technologies" in response.content.decode()


def test_a_selected_technologys_earlier_reviews_still_submit(assignments):
    # The check is on assigning, not on every later save of the review.
    technology = assignments[0].technology
    technology.status = TechnologyStatus.SELECTED
    technology.save()
    assignments[0].full_clean()


# --- an evaluator off the admin ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["ko", "en"])
def test_an_evaluator_on_the_site_gets_a_styled_page_in_their_language(evaluator, language):
    response = login(evaluator, language).get("/")
    assert response.status_code == 403
    text = response.content.decode()
    assert '<link rel="stylesheet"' in text and "<h1>" in text
    expected = "권한" if language == "ko" else "Not allowed"
    assert expected in text
    assert reverse("admin:index") in text  # a way back
