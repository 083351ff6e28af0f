"""Mark the KPI stale when its inputs change: the only thing signals do here.

The work itself is a Celery run requested once per transaction (see
``share_recompute_schedule``); nothing is computed inside the save.
"""

from django.db.models.signals import post_delete, post_save

from partners.models import Collaboration, Institution
from technologies.models import Project, Technology

from .models import BudgetLine, CollaborationTarget, MinistryBudget, TargetPlan
from .services import share_recompute_schedule

# What the share reads: lines and totals, the targets, and how lines are classified
# (track and field through project and technology, country through the collaboration).
SHARE_INPUT_MODELS = (
    BudgetLine,
    MinistryBudget,
    TargetPlan,
    CollaborationTarget,
    Project,
    Technology,
    Collaboration,
    Institution,
)


def _inputs_changed(sender, raw=False, **kwargs):
    if raw:
        return  # fixtures being loaded
    share_recompute_schedule()


def connect() -> None:
    for model in SHARE_INPUT_MODELS:
        post_save.connect(
            _inputs_changed, sender=model, dispatch_uid=f"share-stale-save-{model.__name__}"
        )
        post_delete.connect(
            _inputs_changed, sender=model, dispatch_uid=f"share-stale-delete-{model.__name__}"
        )
