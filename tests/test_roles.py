"""The role matrix over every admin page: nobody sees or changes more than their role allows."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from rdportfolio.core.roles import portfolio_apps

pytestmark = pytest.mark.django_db

ADMINS = {
    model._meta.label_lower: model
    for model in admin.site._registry
    if model._meta.app_label in portfolio_apps()
}
EVALUATION = {
    "evaluations.evaluationround",
    "evaluations.evaluationlayer",
    "evaluations.evaluationassignment",
}
SYSTEM = {
    "kpi.sharerun",
    "kpi.sharesnapshot",
    "scenarios.scenarioresult",
    "kpi.reconciliation",
}


def expected(persona: str, label: str) -> tuple[bool, bool]:
    """(may list, may add) for a persona and a model."""
    if persona == "ministry_editor":
        if label in EVALUATION:
            return True, False  # scores under pseudonyms, read-only
        return True, label not in SYSTEM
    if persona == "evaluation_manager":
        if label in EVALUATION:
            return True, True
        return label != "imports.importjob", False
    if persona == "evaluator":
        return label == "evaluations.evaluationassignment", False
    return False, False


@pytest.mark.parametrize("persona", ["ministry_editor", "evaluation_manager", "evaluator"])
@pytest.mark.parametrize("label", sorted(ADMINS))
def test_staff_roles_over_every_admin_page(request, persona, label):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    model = ADMINS[label]
    opts = model._meta
    may_list, may_add = expected(persona, label)
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert (changelist.status_code == 200) is may_list, changelist.status_code
    add = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    if label == "imports.importjob":
        assert (add.status_code == 200) is may_add
    elif label not in SYSTEM:
        assert (add.status_code == 200) is may_add, add.status_code


@pytest.mark.parametrize("persona", ["cto_viewer", "analyst", "outsider"])
def test_non_staff_never_reach_the_admin(request, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:technologies_technology_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_evaluation_manager_alone_holds_the_reviewer_permission(
    ministry_editor, evaluation_manager, evaluator
):
    assert evaluation_manager.has_perm("evaluations.see_reviewers")
    assert not ministry_editor.has_perm("evaluations.see_reviewers")
    assert not evaluator.has_perm("evaluations.see_reviewers")
    assert evaluator.has_perm("evaluations.review_evaluationassignment")


def test_each_app_policy_names_only_models_of_its_own():
    from django.apps import apps

    from rdportfolio.core.roles import role_policies

    for label, policy in role_policies().items():
        models = {model._meta.model_name for model in apps.get_app_config(label).get_models()}
        assert set(policy) <= models, f"{label}: {set(policy) - models}"
