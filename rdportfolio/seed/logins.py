"""Demo logins for the embedded mode, one per role. Never created in production."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from rdportfolio.core import roles

# (username, password, role or None for the superuser, staff)
DEMO_LOGINS = [
    ("admin", "admin-demo-2026", None, True),
    ("editor", "editor-demo-2026", roles.MINISTRY_EDITOR, True),
    ("manager", "manager-demo-2026", roles.EVALUATION_MANAGER, True),
    ("evaluator", "evaluator-demo-2026", roles.EVALUATOR, True),
    ("evaluator2", "evaluator2-demo-2026", roles.EVALUATOR, True),
    ("cto", "cto-demo-2026", roles.CTO_VIEWER, False),
    ("analyst", "analyst-demo-2026", roles.ANALYST, False),
]


# A published token for the demo analyst, so the README's curl and pandas examples work as written.
DEMO_ANALYST_TOKEN = "demo0analyst0token000000000000000000000a"  # noqa: S105 - published on purpose, embedded mode only


def demo_logins_ensure() -> list[tuple[str, str, str]]:
    """Create the demo users that are missing; return (username, password, role) for all."""
    User = get_user_model()
    result = []
    for username, password, role, staff in DEMO_LOGINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            if role is None:
                user = User.objects.create_superuser(
                    username, f"{username}@example.invalid", password
                )
            else:
                user = User.objects.create_user(
                    username, f"{username}@example.invalid", password, is_staff=staff
                )
                user.groups.add(Group.objects.get(name=role))
        if username == "analyst":
            Token.objects.get_or_create(user=user, defaults={"key": DEMO_ANALYST_TOKEN})
        result.append((username, password, role or "superuser"))
    return result


def demo_evaluation_ensure() -> int:
    """A demo selection round for the game-changer candidates, reviewed blind by the two demo
    evaluators (the second has submitted); returns how many assignments it created."""
    from technologies.evaluations.models import (
        EvaluationAssignment,
        EvaluationLayer,
        EvaluationRound,
        LayerKind,
    )
    from technologies.evaluations.services import assignment_submit
    from technologies.models import Technology, TechnologyStatus

    User = get_user_model()
    round_, _created = EvaluationRound.objects.get_or_create(
        fiscal_year=2026,
        name_ko="게임체인저 후보 검증 (시연)",
        defaults={"name_en": "2026 game-changer candidate review (demo)", "track": "game_changer"},
    )
    if not round_.track:  # made by an earlier version of the seed
        round_.track = "game_changer"
        round_.save(update_fields=["track"])
    layers = {}
    for order, kind in enumerate(
        (LayerKind.SCREENING, LayerKind.EXPERT_REVIEW, LayerKind.COMMITTEE), start=1
    ):
        layers[kind], _created = EvaluationLayer.objects.get_or_create(
            round=round_, order=order, defaults={"kind": kind}
        )
    candidates = Technology.objects.filter(
        program__track="game_changer", status=TechnologyStatus.CANDIDATE
    ).order_by("code")
    created = 0
    for reviewer_name, submitted in (("evaluator", False), ("evaluator2", True)):
        reviewer = User.objects.get(username=reviewer_name)
        for index, technology in enumerate(candidates):
            assignment, was_created = EvaluationAssignment.objects.get_or_create(
                layer=layers[LayerKind.EXPERT_REVIEW], technology=technology, reviewer=reviewer
            )
            created += was_created
            if was_created and submitted:
                assignment_submit(
                    assignment=assignment,
                    has_conflict=False,
                    score=60 + (index * 7) % 35,
                    cooperation_essential=index % 3 != 0,
                    reasons="시연용 평가 의견.",
                )
    return created
