"""Mark the KPI stale when its inputs change: the only thing signals do here.

The work itself is a Celery run requested once per transaction (see
``share_recompute_schedule``); nothing is computed inside the save. Imports
write in bulk, which sends no ``post_save``: they send ``rows_imported`` once.
"""

from django.db.models.signals import post_delete, post_save

from partners.models import Collaboration, Institution
from rdportfolio.core.history import bulk_deleted
from rdportfolio.core.tabular import rows_imported
from technologies.models import Project, Technology

from ..models import BudgetLine, CollaborationTarget, MinistryBudget, TargetPlan, YearClosing
from .models import RunTrigger
from .services import share_recompute_schedule

# What the share reads: lines and totals, the targets, the closings, and how lines are classified
# (track and field through project and technology, country through the collaboration).
SHARE_INPUT_MODELS = (
    BudgetLine,
    MinistryBudget,
    TargetPlan,
    CollaborationTarget,
    YearClosing,
    Project,
    Technology,
    Collaboration,
    Institution,
)


def _inputs_changed(sender, raw=False, **kwargs):
    if raw:
        return  # fixtures being loaded
    share_recompute_schedule()


def _rows_imported(sender, count=0, **kwargs):
    if sender in SHARE_INPUT_MODELS and count:  # a file that changed nothing changes no figure
        share_recompute_schedule(trigger=RunTrigger.IMPORT)


def _bulk_deleted(sender, **kwargs):
    if sender in SHARE_INPUT_MODELS:
        share_recompute_schedule()


def connect() -> None:
    rows_imported.connect(_rows_imported, dispatch_uid="share-stale-import")
    bulk_deleted.connect(_bulk_deleted, dispatch_uid="share-stale-bulk-delete")
    for model in SHARE_INPUT_MODELS:
        post_save.connect(
            _inputs_changed, sender=model, dispatch_uid=f"share-stale-save-{model.__name__}"
        )
        post_delete.connect(
            _inputs_changed, sender=model, dispatch_uid=f"share-stale-delete-{model.__name__}"
        )
