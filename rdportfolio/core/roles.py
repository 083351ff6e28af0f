"""The ministry's roles, as groups with permissions.

The matrix lives here, in code; each app says what kind of rows its models hold (``Rows``, on
its AppConfig), and the matrix gives each kind its permissions per role. ``roles_sync`` runs after every ``migrate``
(the site's ``post_migrate``; early data migrations call it too), so every
database (a laptop, CI, production) gets the same groups, and a model added
later gets its permissions in each role without a migration of its own.
"""

from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from django.apps.registry import Apps
    from django.db.backends.base.schema import BaseDatabaseSchemaEditor

MINISTRY_EDITOR = "Ministry editor"
EVALUATION_MANAGER = "Evaluation manager"
EVALUATOR = "Evaluator"
CTO_VIEWER = "CTO viewer"
ANALYST = "Analyst"

ROLES = (MINISTRY_EDITOR, EVALUATION_MANAGER, EVALUATOR, CTO_VIEWER, ANALYST)


class Rows(StrEnum):
    """What kind of rows a model holds, as the roles see them. Each app taking part in the
    roles says so on its AppConfig: ``role_policy = {"model": Rows.X}``; a model it does not
    name holds records (editors keep them, every role above reads them)."""

    RECORD = "record"
    # Rows that name private persons: CTOs browse the portfolio, not who was dispatched;
    # analysts count dispatches; the names ("see_researcher_names") are for ministry staff.
    PERSONAL = "personal"
    # Acts undone by another act, never deleted: a year's closing is reopened.
    ACT = "act"
    # Written only by the system (the KPI engine): people read them, editors may recompute.
    SYSTEM = "system"
    # The blind evaluation: run by evaluation managers, scored by evaluators, read by editors
    # under pseudonyms; never shown to CTOs or analysts.
    EVALUATION = "evaluation"
    # Jobs of editors (imports), who write through their permissions on the rows themselves.
    JOB = "job"


def role_policies() -> dict[str, dict[str, Rows]]:
    """Each taking part app's label and its policy, from the app registry."""
    from django.apps import apps

    return {
        config.label: config.role_policy
        for config in apps.get_app_configs()
        if hasattr(config, "role_policy")
    }


def portfolio_apps() -> tuple[str, ...]:
    """The labels of the apps whose models the roles cover."""
    return tuple(role_policies())


def dashboard_permissions() -> tuple[str, ...]:
    """What a reader must hold for the dashboards to make sense: each app that feeds them
    names one permission on its AppConfig (``dashboard_permission``)."""
    from django.apps import apps

    return tuple(
        cast(Any, config).dashboard_permission  # the feeding apps' own attribute
        for config in apps.get_app_configs()
        if getattr(config, "dashboard_permission", None)
    )


def _role_permissions(role: str, rows: Rows, model: str) -> set[str]:
    if model.startswith("historical"):
        # Audit history is read in the admin through the tracked model's own permissions.
        return set()
    if rows == Rows.EVALUATION:
        return _evaluation_permissions(role, model)
    if role == MINISTRY_EDITOR:
        if rows == Rows.SYSTEM:
            return {"view", "recompute"}
        if rows == Rows.PERSONAL:
            return {"view", "add", "change", "delete", "see"}
        if rows == Rows.ACT:
            return {"view", "add", "change"}  # close; reopen
        return {"view", "add", "change", "delete"}
    if rows == Rows.JOB:
        return set()
    if role == EVALUATION_MANAGER:
        # Ministry staff: the names too.
        return {"view", "see"} if rows == Rows.PERSONAL else {"view"}
    if role == ANALYST:
        return {"view"}  # dispatches without the names
    if role == CTO_VIEWER:
        return set() if rows == Rows.PERSONAL else {"view"}
    return set()


def _evaluation_permissions(role: str, model: str) -> set[str]:
    if role == EVALUATION_MANAGER:
        return {"view", "add", "change", "delete", "see"}
    if role == EVALUATOR:
        # Only their own assignments (EvaluationAssignment.objects.visible_to).
        return {"view", "change", "review"} if model == "evaluationassignment" else set()
    if role == MINISTRY_EDITOR:
        return {"view"}  # scores under pseudonyms
    return set()


def roles_sync(apps: "Apps", schema_editor: "BaseDatabaseSchemaEditor | None" = None) -> None:
    """Create the role groups and set their permissions to exactly the matrix above."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        # Migration state apps have no models module; create_permissions skips those.
        models_module = getattr(app_config, "models_module", None)
        cast(Any, app_config).models_module = models_module or True  # True: not a module
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    policies = role_policies()
    permissions = Permission.objects.filter(content_type__app_label__in=policies).select_related(
        "content_type"
    )
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for permission in permissions:
            content_type = permission.content_type
            rows = policies[content_type.app_label].get(content_type.model, Rows.RECORD)
            action = permission.codename.split("_", 1)[0]
            if action in _role_permissions(role, rows, content_type.model):
                wanted.append(permission)
        group.permissions.set(wanted)
