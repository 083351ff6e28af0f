"""Budget lines: one project's won for one year on one basis, and what makes one international."""

from typing import cast

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Collaboration
from rdportfolio.core.history import bulk_history
from rdportfolio.core.models import (
    SourcedModel,
    at_most_max_won,
    not_negative,
    won_field,
    year_field,
    year_in_range,
)
from technologies.models import Project


class Basis(models.TextChoices):
    # IATI's distinction: what was planned, what was allocated, what was spent.
    PLANNED = "planned", _("Planned")
    ALLOCATED = "allocated", _("Allocated")
    EXECUTED = "executed", _("Executed")


def executed_year_not_begun(basis: str | None, year: int | None) -> str | None:
    """Why an executed amount cannot be entered for ``year`` yet (None: it can).

    Spending is recorded once it happens: an executed line for a fiscal year that has not
    begun (Seoul's calendar) is a typing slip, refused wherever lines are written.
    """
    if basis != Basis.EXECUTED or year is None or year <= timezone.localdate().year:
        return None
    return _("%(year)s has not begun: executed amounts can be entered from 1 January %(year)s.") % {
        "year": year
    }


class BudgetLine(SourcedModel):
    """One project's amount for one fiscal year on one basis.

    A line either pays for a collaboration with a foreign partner, and is then
    international spending, or is the project's domestic line. ``is_international``
    is not typed by anyone: it is set from the collaboration (and a database constraint
    holds the two together), so "international" always has a partner outside Korea behind
    it. A project has at most one line per (year, basis, collaboration).
    """

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("project"),
        db_index=False,  # budgetline_project_id_idx below: (project, id)
    )
    fiscal_year = year_field(_("fiscal year"))
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    amount_won = won_field(_("amount (won)"))
    is_international = models.BooleanField(
        _("international collaboration"),
        default=False,
        editable=False,
        help_text=_(
            "Counts towards the international-collaboration share. Set from the line: true "
            "exactly when it pays for a collaboration with a partner outside Korea."
        ),
    )
    collaboration = models.ForeignKey(
        Collaboration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("collaboration"),
        help_text=_(
            "The collaboration this money pays for, if any; it must belong to the same project."
        ),
    )

    history = bulk_history(unindexed=["project", "collaboration"])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project__project_number", "fiscal_year", "basis"]
        constraints = [
            year_in_range("fiscal_year"),
            not_negative("amount_won"),
            at_most_max_won("amount_won"),
            # Two partial indexes rather than one: NULL collaborations would
            # otherwise never collide, and SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "basis"],
                condition=Q(collaboration__isnull=True),
                name="budgets_line_unique_unattributed",
                violation_error_message=_(
                    "This project already has a line without collaboration for that year and basis."
                ),
            ),
            models.UniqueConstraint(
                fields=["project", "fiscal_year", "basis", "collaboration"],
                condition=Q(collaboration__isnull=False),
                name="budgets_line_unique_per_collaboration",
                violation_error_message=_(
                    "This project already has a line for that collaboration, year and basis."
                ),
            ),
            # What the KPI counts as international: a line that pays for a collaboration
            # (whose institution is outside Korea: partners_institution_outside_korea), and
            # only such a line.
            models.CheckConstraint(
                condition=Q(is_international=True, collaboration__isnull=False)
                | Q(is_international=False, collaboration__isnull=True),
                name="budgets_line_international_iff_collaboration",
                violation_error_message=_(
                    "A line is international exactly when it pays for a collaboration with a "
                    "foreign partner."
                ),
            ),
            models.CheckConstraint(
                condition=Q(basis__in=Basis.values),
                name="budgets_line_basis_valid",
                violation_error_message=_("Basis must be planned, allocated or executed."),
            ),
        ]
        indexes = [
            models.Index(fields=["fiscal_year", "basis"], name="budgetline_year_basis_idx"),
            # The API's orderings (the cursor breaks ties on id in the same direction, so one
            # index serves both directions) and its "unassigned" country filter: each page of
            # a million lines from an index, not a sort or a scan of the table.
            models.Index(fields=["amount_won", "id"], name="budgetline_amount_idx"),
            models.Index(fields=["fiscal_year", "id"], name="budgetline_year_id_idx"),
            # In place of the foreign key's own index: the lines of a few projects (a
            # technology's) in id order, the API's page, from the index alone.
            models.Index(fields=["project", "id"], name="budgetline_project_id_idx"),
        ]

    def __str__(self) -> str:
        return self.label_for(self.project.project_number, self.fiscal_year, self.basis)

    def save(self, *args, **kwargs):
        self.is_international = self.collaboration_id is not None
        super().save(*args, **kwargs)

    @staticmethod
    def label_for(project_number: str, year: int, basis: str, labels: dict | None = None) -> str:
        """What staff know a line by (its project's number), not the project's internal id.

        ``labels``: each basis's label as text, when naming many lines (translated once).
        """
        if labels is not None:
            return f"{project_number} · {year} {labels.get(basis, basis)}"
        return f"{project_number} · {year} {Basis(basis).label if basis in Basis.values else basis}"

    @staticmethod
    def basis_labels() -> dict[str, str]:
        return {code: str(label) for code, label in Basis.choices}

    def clean(self):
        self.is_international = self.collaboration_id is not None
        errors = {}
        if (
            self.collaboration_id
            and self.project_id
            and cast(Collaboration, self.collaboration).project_id != self.project_id
        ):
            errors["collaboration"] = _(
                "This collaboration belongs to another project (%(number)s)."
            ) % {"number": cast(Collaboration, self.collaboration).project.project_number}
        not_begun = executed_year_not_begun(self.basis, self.fiscal_year)
        if not_begun:
            errors["fiscal_year"] = not_begun
        if (
            self.project_id
            and self.fiscal_year
            and not (self.project.start_year <= self.fiscal_year <= self.project.end_year)
        ):
            errors["fiscal_year"] = _(
                "%(year)s is outside the project's years (%(start)s–%(end)s)."
            ) % {
                "year": self.fiscal_year,
                "start": self.project.start_year,
                "end": self.project.end_year,
            }
        if errors:
            raise ValidationError(errors)
