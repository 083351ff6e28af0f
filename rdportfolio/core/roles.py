"""The ministry's roles, as groups with permissions.

The matrix lives here, in code. ``roles_sync`` runs after every ``migrate``
(the site's ``post_migrate``; early data migrations call it too), so every
database (a laptop, CI, production) gets the same groups, and a model added
later gets its permissions in each role without a migration of its own.
"""

MINISTRY_EDITOR = "Ministry editor"
EVALUATION_MANAGER = "Evaluation manager"
EVALUATOR = "Evaluator"
CTO_VIEWER = "CTO viewer"
ANALYST = "Analyst"

ROLES = (MINISTRY_EDITOR, EVALUATION_MANAGER, EVALUATOR, CTO_VIEWER, ANALYST)

# App labels whose models the roles cover.
PORTFOLIO_APPS = (
    "programs",
    "technologies",
    "evaluations",
    "partners",
    "budgets",
    "kpi",
    "imports",
)

# Models whose rows name private persons: CTOs browse the portfolio, not who was dispatched;
# analysts count dispatches; the names ("see_researcher_names") are for ministry staff.
PERSONAL_MODELS = {("partners", "researcherdispatch")}
# Acts that are undone by another act, never deleted: a year's closing is reopened.
ACT_MODELS = {("budgets", "yearclosing")}
# Written only by the system (the KPI engine): people read them, editors may ask for a recompute.
SYSTEM_MODELS = {
    ("kpi", "sharerun"),
    ("kpi", "sharesnapshot"),
    ("kpi", "scenarioresult"),
    ("kpi", "scenariofigure"),
    ("kpi", "reconciliation"),  # published figures beside the portfolio's: read only
}
# The blind evaluation: run by evaluation managers, scored by evaluators, read by editors under
# pseudonyms; never shown to CTOs or analysts.
EVALUATION_MODELS = {
    ("evaluations", "evaluationround"),
    ("evaluations", "evaluationlayer"),
    ("evaluations", "evaluationassignment"),
}
# Imports write through editors' permissions on the rows themselves; the jobs are theirs.
IMPORT_MODELS = {("imports", "importjob")}


def _role_permissions(role: str, app_label: str, model: str) -> set[str]:
    key = (app_label, model)
    if model.startswith("historical"):
        # Audit history is read in the admin through the tracked model's own permissions.
        return set()
    if key in EVALUATION_MODELS:
        return _evaluation_permissions(role, model)
    if role == MINISTRY_EDITOR:
        if key in SYSTEM_MODELS:
            return {"view", "recompute"}
        if key in PERSONAL_MODELS:
            return {"view", "add", "change", "delete", "see"}
        if key in ACT_MODELS:
            return {"view", "add", "change"}  # close; reopen
        return {"view", "add", "change", "delete"}
    if key in IMPORT_MODELS:
        return set()
    if role == EVALUATION_MANAGER:
        # Ministry staff: the names too.
        return {"view", "see"} if key in PERSONAL_MODELS else {"view"}
    if role == ANALYST:
        return {"view"}  # dispatches without the names
    if role == CTO_VIEWER:
        return set() if key in PERSONAL_MODELS else {"view"}
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


def roles_sync(apps, schema_editor=None) -> None:
    """Create the role groups and set their permissions to exactly the matrix above."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        # Migration state apps have no models module; create_permissions skips those.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label__in=PORTFOLIO_APPS
    ).select_related("content_type")
    for role in ROLES:
        group, _created = Group.objects.get_or_create(name=role)
        wanted = [
            permission
            for permission in permissions
            if permission.codename.split("_", 1)[0]
            in _role_permissions(
                role, permission.content_type.app_label, permission.content_type.model
            )
        ]
        group.permissions.set(wanted)
