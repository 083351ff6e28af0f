"""Writes of the blind evaluation: each goes through one function, whoever calls it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EvaluationAssignment


@transaction.atomic
def assignment_submit(
    *,
    assignment: EvaluationAssignment,
    has_conflict: bool | None,
    score: int | None,
    cooperation_essential: bool | None,
    reasons: str,
    conflict_statement: str = "",
) -> EvaluationAssignment:
    """Record an evaluator's review and seal it: a submitted review never changes again.

    A submission declares no conflict of interest and has a score, a verdict on
    whether international cooperation is essential, and reasons; anything less
    is refused with a ValidationError naming the field, and nothing is saved.
    """
    stored = EvaluationAssignment.objects.select_for_update().get(pk=assignment.pk)
    if stored.submitted_at is not None:
        raise ValidationError(_("This review was submitted and can no longer be changed."))
    assignment.has_conflict = has_conflict
    assignment.score = score
    assignment.cooperation_essential = cooperation_essential
    assignment.reasons = reasons
    assignment.conflict_statement = conflict_statement
    assignment.submitting = True  # the model's clean() checks a submission is complete
    assignment.full_clean()
    assignment.submitted_at = timezone.now()
    assignment.save()
    return assignment
