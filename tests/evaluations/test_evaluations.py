"""Blind multi-layer evaluation: evaluators see their own, editors pseudonyms, managers names.

Reviewer identities must never leave the evaluation managers' pages: every
API response and export, the dashboards and the audit history are searched
for the reviewers' names.
"""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from technologies.evaluations.models import (
    EvaluationAssignment,
    pseudonym_for,
)
from technologies.models import Technology
from tests.evaluations.conftest import SECRET_NAMES, assignment_url, login

pytestmark = pytest.mark.django_db


# --- pseudonyms and constraints ------------------------------------------------------------


def test_pseudonyms_are_letters_in_order_per_technology_and_layer(
    layer, reviewers, django_user_model
):
    assert [pseudonym_for(i) for i in (0, 1, 25, 26, 27)] == ["A", "B", "Z", "AA", "AB"]
    first = EvaluationAssignment.objects.create(
        layer=layer, technology=Technology.objects.get(code="GC-01"), reviewer=reviewers[0]
    )
    second = EvaluationAssignment.objects.create(
        layer=layer, technology=Technology.objects.get(code="GC-01"), reviewer=reviewers[1]
    )
    other = EvaluationAssignment.objects.create(
        layer=layer, technology=Technology.objects.get(code="GC-02"), reviewer=reviewers[1]
    )
    assert (first.pseudonym, second.pseudonym, other.pseudonym) == ("A", "B", "A")
    with translation.override("en"):
        assert "Zebulon" not in str(first) and str(first).endswith("Reviewer A")
    with translation.override("ko"):
        assert str(first).endswith("평가위원 A")


def test_the_database_refuses_incomplete_submissions_and_scored_conflicts(layer, reviewers):
    assignment = EvaluationAssignment.objects.create(
        layer=layer, technology=Technology.objects.get(code="GC-01"), reviewer=reviewers[0]
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationAssignment.objects.filter(pk=assignment.pk).update(submitted_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationAssignment.objects.filter(pk=assignment.pk).update(has_conflict=True, score=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationAssignment.objects.create(
            layer=layer, technology=assignment.technology, reviewer=reviewers[0]
        )


# --- evaluators ------------------------------------------------------------------------------


def test_evaluators_see_only_their_own_assignments(layer, reviewers):
    technology = Technology.objects.get(code="GC-01")
    mine = EvaluationAssignment.objects.create(
        layer=layer, technology=technology, reviewer=reviewers[0]
    )
    theirs = EvaluationAssignment.objects.create(
        layer=layer, technology=technology, reviewer=reviewers[1]
    )
    client = login(reviewers[0])
    changelist = client.get(assignment_url("changelist"))
    assert changelist.status_code == 200
    assert list(changelist.context["cl"].queryset) == [mine]
    assert client.get(assignment_url("change", mine.pk)).status_code == 200
    other = client.get(assignment_url("change", theirs.pk))
    # Someone else's assignment does not exist for them: the admin says so on its index.
    assert other.status_code == 302 and other["Location"] == reverse("admin:index")
    page = client.get(assignment_url("change", mine.pk)).content.decode()
    assert "Ottoline" not in page and "Marchbanks" not in page
    # No links or buttons that would answer 403: the layer, the technology, the history.
    assert reverse("admin:technologies_technology_change", args=[technology.pk]) not in page
    assert reverse("admin:evaluations_evaluationlayer_change", args=[layer.pk]) not in page
    assert assignment_url("history", mine.pk) not in page
    assert "GC-01" in page
    # They see nothing else of the evaluation, nor the portfolio's other admin pages.
    assert client.get(reverse("admin:evaluations_evaluationlayer_changelist")).status_code == 403
    assert client.get(reverse("admin:budgets_budgetline_changelist")).status_code == 403


def test_an_evaluator_declares_then_scores_then_submits(layer, reviewers):
    assignment = EvaluationAssignment.objects.create(
        layer=layer, technology=Technology.objects.get(code="GC-01"), reviewer=reviewers[0]
    )
    client = login(reviewers[0])
    url = assignment_url("change", assignment.pk)
    base = {
        "conflict_statement": "",
        "reasons": "",
        "score": "",
        "cooperation_essential": "unknown",
    }
    response = client.post(url, {**base, "has_conflict": "unknown", "score": "70", "submit": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Declare whether you have a conflict of interest." in page
    assert "Give the reasons for your verdict." in page
    response = client.post(
        url,
        {
            **base,
            "has_conflict": "false",
            "score": "70",
            "cooperation_essential": "true",
            "reasons": "Only the partner has the EUV know-how.",
            "submit": "on",
        },
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.submitted_at is not None and assignment.score == 70
    # Submitted: it can no longer be changed.
    client.post(
        url, {**base, "has_conflict": "false", "score": "10", "cooperation_essential": "true"}
    )
    assignment.refresh_from_db()
    assert assignment.score == 70


def test_a_declared_conflict_means_no_score(layer, reviewers):
    assignment = EvaluationAssignment.objects.create(
        layer=layer, technology=Technology.objects.get(code="GC-01"), reviewer=reviewers[0]
    )
    response = login(reviewers[0]).post(
        assignment_url("change", assignment.pk),
        {
            "has_conflict": "true",
            "conflict_statement": "",
            "score": "90",
            "cooperation_essential": "unknown",
            "reasons": "",
        },
    )
    page = response.content.decode()
    assert "leave the score empty" in page and "Describe the conflict of interest." in page


# --- editors and managers --------------------------------------------------------------------


def test_editors_see_scores_under_pseudonyms_only(ministry_editor, assignments, layer):
    client = login(ministry_editor)
    pages = [
        client.get(assignment_url("changelist")),
        client.get(assignment_url("change", assignments[0].pk)),
        client.get(reverse("admin:evaluations_evaluationlayer_change", args=[layer.pk])),
        client.get(assignment_url("changelist"), {"q": "zebulon"}),
    ]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode()
        for name in (*SECRET_NAMES, "zebulon.quillfeather", "reviewers.example"):
            assert name not in text
    assert "Reviewer A" in pages[0].content.decode() and "Reviewer B" in pages[0].content.decode()
    results = pages[2].content.decode()
    assert "Reviewer A 82 (yes)" in results and "mean · 73.0" not in results and "73.0" in results
    # Editors read; they cannot change scores or see the history (who saved which version).
    assert client.get(assignment_url("history", assignments[0].pk)).status_code == 403
    client.post(assignment_url("change", assignments[0].pk), {"score": "1"})
    assignments[0].refresh_from_db()
    assert assignments[0].score == 82


def test_managers_see_who_reviewed_what(evaluation_manager, assignments):
    client = login(evaluation_manager)
    text = client.get(assignment_url("changelist")).content.decode()
    assert "zebulon.quillfeather" in text and "ottoline.marchbanks" in text
    assert client.get(assignment_url("history", assignments[0].pk)).status_code == 200


def test_managers_assign_only_evaluators(evaluation_manager, reviewers, layer, ministry_editor):
    client = login(evaluation_manager)
    form = client.get(assignment_url("add")).content.decode()
    assert "zebulon.quillfeather" in form and ministry_editor.username not in form
    candidate = Technology.objects.filter(program__track="game_changer", status="candidate").last()
    response = client.post(
        assignment_url("add"),
        {"layer": layer.pk, "technology": candidate.pk, "reviewer": reviewers[0].pk},
    )
    assert response.status_code == 302
    assert EvaluationAssignment.objects.get(technology=candidate, layer=layer).pseudonym == "A"


def test_history_keeps_scores_but_not_reviewers(assignments):
    history = assignments[0].history.all()
    assert history.count() >= 2
    assert not hasattr(history.first(), "reviewer_id")
    assert all(entry.history_user_id is None for entry in history)


# --- never anywhere else -----------------------------------------------------------------------


def test_reviewer_identity_is_absent_from_every_api_response_export_and_page(
    assignments, analyst, ministry_editor, cto_viewer
):
    from rdportfolio.api_urls import router

    outputs = []
    for user in (analyst, ministry_editor):
        api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        api.force_authenticate(user)
        for prefix, _viewset, basename in router.registry:
            for params in ({}, {"format": "csv"}, {"page_size": 1000}):
                response = api.get(f"/api/v1/{prefix}/", params)
                outputs.append((f"{basename} {params}", response))
        outputs.append(("share", api.get("/api/v1/share/", {"format": "csv"})))
        outputs.append(("schema", api.get("/api/v1/schema/")))
    browser = login(cto_viewer)
    for url in (
        "/",
        "/technologies/",
        "/technologies/GC-01/",
        "/partners/",
        "/technologies/export.csv",
    ):
        outputs.append((url, browser.get(url)))
    editor = login(ministry_editor)
    technology = Technology.objects.get(code="GC-01")
    outputs.append(
        (
            "technology history",
            editor.get(reverse("admin:technologies_technology_history", args=[technology.pk])),
        )
    )
    outputs.append(
        (
            "export",
            editor.post(
                reverse("admin:technologies_technology_changelist"),
                {"action": "export_csv", "_selected_action": [technology.pk], "index": 0},
            ),
        )
    )
    for label, response in outputs:
        assert response.status_code < 400, (label, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        for name in (*SECRET_NAMES, "zebulon", "reviewers.example"):
            assert name.casefold() not in text.casefold(), f"{name} leaked in {label}"


@pytest.mark.parametrize("persona", ["cto_viewer", "analyst", "outsider"])
def test_ctos_and_analysts_have_no_evaluation_pages(client, request, persona, assignments):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(assignment_url("changelist"))
    # Not admin users: the admin sends them to its login page.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("persona", ["evaluation_manager", "ministry_editor"])
def test_the_assignment_list_costs_the_same_queries_for_more_rows(
    request, persona, layer, reviewers, django_user_model
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(request.getfixturevalue(persona))
    technologies = list(Technology.objects.order_by("code")[:12])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(assignment_url("changelist")).status_code == 200
        return len(queries.captured_queries)

    for technology in technologies[:2]:
        EvaluationAssignment.objects.create(
            layer=layer, technology=technology, reviewer=reviewers[0]
        )
    few = count()
    for technology in technologies[2:]:
        for reviewer in reviewers:
            EvaluationAssignment.objects.create(
                layer=layer, technology=technology, reviewer=reviewer
            )
    assert count() == few
