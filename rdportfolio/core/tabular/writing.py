"""Writing a checked plan: every row or none, with the audit history of each."""

import django.dispatch
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .planning import Plan
from .specs import Spec

# Sent inside the writing transaction once per written file (bulk writes send no post_save):
# whoever keeps figures derived from these rows marks them stale here. Arguments: kind, count.
rows_imported = django.dispatch.Signal()

BATCH_SIZE = 2000


@transaction.atomic
def plan_write(*, spec: Spec, plan: Plan, user, reason: str) -> None:
    """Insert and update the plan's rows in bulk, with a history row each naming ``reason``."""
    model = spec.model
    created = []
    for _number, values in plan.create:
        obj = model(**values)
        if hasattr(obj, "source") and not obj.source:
            obj.source = reason
        created.append(obj)
    created = bulk_create_with_history(
        created, model, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
    )
    updated = []
    now = timezone.now()
    for _number, current, values in plan.update:
        previous = {name: getattr(current, name) for name in spec.compare_fields}
        for name in spec.compare_fields:
            setattr(current, name, values[name])
        current.updated_at = now
        updated.append((current, previous))
    if updated:
        bulk_update_with_history(
            [obj for obj, _previous in updated],
            model,
            fields=[*spec.compare_fields, "updated_at"],
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    if spec.after_write is not None:
        spec.after_write(created=created, updated=updated, reason=reason)
    rows_imported.send(sender=model, kind=spec.kind, count=len(created) + len(updated))
