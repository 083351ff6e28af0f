"""Demo logins for the embedded mode, one per role. Never created in production."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token

from rdportfolio import roles

# (username, password, role or None for the superuser, staff)
DEMO_LOGINS = [
    ("admin", "admin-demo-2026", None, True),
    ("editor", "editor-demo-2026", roles.MINISTRY_EDITOR, True),
    ("evaluator", "evaluator-demo-2026", roles.EVALUATOR, True),
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
