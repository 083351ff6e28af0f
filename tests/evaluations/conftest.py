"""What the evaluation tests share: two reviewers with memorable names, a round, its reviews."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rdportfolio.core import roles
from technologies.evaluations.models import (
    EvaluationAssignment,
    EvaluationLayer,
    EvaluationRound,
    LayerKind,
)
from technologies.models import Technology

SECRET_NAMES = ("Zebulon", "Quillfeather")


@pytest.fixture
def reviewers(django_user_model):
    people = []
    for first, last in [("Zebulon", "Quillfeather"), ("Ottoline", "Marchbanks")]:
        user = django_user_model.objects.create_user(
            username=f"{first.lower()}.{last.lower()}",
            first_name=first,
            last_name=last,
            email=f"{first.lower()}@reviewers.example",
            password="a-long-test-password",
            is_staff=True,
        )
        user.groups.add(Group.objects.get(name=roles.EVALUATOR))
        people.append(user)
    return people


@pytest.fixture
def layer():
    round_ = EvaluationRound.objects.create(
        name_ko="2024 게임체인저 후보 검증", fiscal_year=2024, track="game_changer"
    )
    EvaluationLayer.objects.create(round=round_, order=1, kind=LayerKind.SCREENING)
    return EvaluationLayer.objects.create(round=round_, order=2, kind=LayerKind.EXPERT_REVIEW)


@pytest.fixture
def assignments(layer, reviewers):
    technology = Technology.objects.get(code="GC-01")
    first = EvaluationAssignment.objects.create(
        layer=layer, technology=technology, reviewer=reviewers[0]
    )
    second = EvaluationAssignment.objects.create(
        layer=layer, technology=technology, reviewer=reviewers[1]
    )
    # Both submitted, so that scores show everywhere they can.
    for assignment, score, essential in ((first, 82, True), (second, 64, False)):
        assignment.has_conflict = False
        assignment.score = score
        assignment.cooperation_essential = essential
        assignment.reasons = "Because."
        assignment.submitted_at = timezone.now()
        assignment.save()
    return first, second


def login(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def assignment_url(view, *args):
    return reverse(f"admin:evaluations_evaluationassignment_{view}", args=args)
