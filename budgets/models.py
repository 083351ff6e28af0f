"""Money: project budget lines, the ministry's totals, exchange rates, target plans.

The international-collaboration share computed from them is the KPI unit, in ``budgets.kpi``.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Collaboration
from programs.models import ProgramYearPlan
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

# The partner country of international lines that pay for no named collaboration.
UNASSIGNED = "unassigned"


class Basis(models.TextChoices):
    # IATI's distinction: what was planned, what was allocated, what was spent.
    PLANNED = "planned", _("Planned")
    ALLOCATED = "allocated", _("Allocated")
    EXECUTED = "executed", _("Executed")


class BudgetLine(SourcedModel):
    """One project's amount for one fiscal year on one basis.

    A line either pays for a named collaboration (then it is international
    by definition) or is a project's unattributed line, international or
    domestic. A project has at most one line per (year, basis, collaboration).
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
        help_text=_("Counts towards the international-collaboration share."),
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
            models.CheckConstraint(
                condition=Q(collaboration__isnull=True) | Q(is_international=True),
                name="budgets_line_collaboration_is_international",
                violation_error_message=_(
                    "A line that pays for a collaboration is international spending."
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
            models.Index(
                fields=["id"],
                condition=Q(is_international=True, collaboration__isnull=True),
                name="budgetline_unassigned_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.label_for(self.project.project_number, self.fiscal_year, self.basis)

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
        errors = {}
        if (
            self.collaboration_id
            and self.project_id
            and self.collaboration.project_id != self.project_id
        ):
            errors["collaboration"] = _(
                "This collaboration belongs to another project (%(number)s)."
            ) % {"number": self.collaboration.project.project_number}
        if self.collaboration_id and not self.is_international:
            errors["is_international"] = _(
                "A line that pays for a collaboration is international spending."
            )
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


class MinistryBudget(SourcedModel):
    """The ministry's whole industrial R&D budget for a year: the KPI's denominator."""

    fiscal_year = year_field(_("fiscal year"), unique=True)
    total_won = won_field(_("total industrial R&D budget (won)"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ministry budget")
        verbose_name_plural = _("ministry budgets")
        ordering = ["fiscal_year"]
        constraints = [
            year_in_range("fiscal_year"),
            not_negative("total_won"),
            at_most_max_won("total_won"),
        ]

    def __str__(self) -> str:
        return str(self.fiscal_year)

    def clean(self):
        # The KPI divides the year's international lines by this total: a total below them (a
        # total typed in 억 instead of won, say) would make a share above 100%.
        if self.fiscal_year is None or self.total_won is None:
            return
        largest = (
            BudgetLine.objects.filter(fiscal_year=self.fiscal_year, is_international=True)
            .order_by()
            .values("basis")
            .annotate(won=Sum("amount_won"))
            .order_by("-won")
            .first()
        )
        if largest and largest["won"] > self.total_won:
            raise ValidationError(
                {
                    "total_won": _(
                        "The %(year)s budget lines already hold %(lines)s won of international "
                        "spending (%(basis)s), more than this total of %(total)s won. Enter the "
                        "total in whole won, or correct those lines first."
                    )
                    % {
                        "year": self.fiscal_year,
                        "lines": f"{largest['won']:,}",
                        "basis": Basis(largest["basis"]).label,
                        "total": f"{self.total_won:,}",
                    }
                }
            )


class ExchangeRateQuerySet(models.QuerySet):
    def by_year(self) -> dict[int, Decimal]:
        return dict(self.values_list("fiscal_year", "krw_per_usd"))


class ExchangeRate(SourcedModel):
    """Won per US dollar for a year, for showing figures in dollars (never for sums)."""

    fiscal_year = year_field(_("fiscal year"), unique=True)
    krw_per_usd = models.DecimalField(
        _("won per US dollar"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    objects = ExchangeRateQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["fiscal_year"]
        constraints = [
            year_in_range("fiscal_year"),
            models.CheckConstraint(
                condition=Q(krw_per_usd__gt=0),
                name="budgets_exchangerate_positive",
                violation_error_message=_("The rate must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.krw_per_usd}"


class TargetPlanQuerySet(models.QuerySet):
    def current(self):
        """The plan in force: the one adopted last. Older plans stay as they were."""
        return self.order_by("-adopted_on", "-id").first()


class TargetPlan(SourcedModel):
    """A versioned target path. A revision is a new plan; it never edits the one it replaces."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    adopted_on = models.DateField(_("adopted on"))
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    description = models.TextField(_("description"), blank=True)

    objects = TargetPlanQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target plan")
        verbose_name_plural = _("target plans")
        ordering = ["-adopted_on"]

    def __str__(self) -> str:
        return self.name


class CollaborationTarget(SourcedModel):
    """One point of a target plan: the share to reach in a fiscal year, in percent."""

    plan = models.ForeignKey(
        TargetPlan, on_delete=models.CASCADE, related_name="points", verbose_name=_("target plan")
    )
    fiscal_year = year_field(_("fiscal year"))
    target_share = models.DecimalField(
        _("target share (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Percent of the ministry's industrial R&D budget, e.g. 15.00."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collaboration target")
        verbose_name_plural = _("collaboration targets")
        ordering = ["plan", "fiscal_year"]
        constraints = [
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["plan", "fiscal_year"],
                name="budgets_target_one_per_year",
                violation_error_message=_("This plan already has a target for that year."),
            ),
            models.CheckConstraint(
                condition=Q(target_share__gte=0, target_share__lte=100),
                name="budgets_target_share_percent",
                violation_error_message=_("A target share is a percent between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.target_share}%"

    def clean(self):
        # A plan that a newer one replaced is the record of what was promised then: it stays as it was.
        current = TargetPlan.objects.current()
        if self.plan_id and current is not None and self.plan_id != current.pk:
            raise ValidationError(
                {
                    "plan": _(
                        "“%(plan)s” has been replaced by “%(current)s”: revise by adding a new plan."
                    )
                    % {"plan": self.plan, "current": current}
                }
            )


class PlanReconciliationQuerySet(models.QuerySet):
    def with_line_totals(self):
        """Annotate each published plan figure with the planned budget lines under its programme.

        ``lines_won`` sums the planned-basis lines of every project of every
        technology in the programme for that fiscal year (international or
        not); ``difference_won`` is lines minus the published figure.
        """
        lines = (
            BudgetLine.objects.filter(
                project__technology__program=OuterRef("program"),
                fiscal_year=OuterRef("fiscal_year"),
                basis=Basis.PLANNED,
            )
            .order_by()
            .values("project__technology__program")
            .annotate(total=Sum("amount_won"))
            .values("total")
        )
        return (
            self.select_related("program")
            .annotate(lines_won=Coalesce(Subquery(lines, output_field=models.BigIntegerField()), 0))
            .annotate(difference_won=models.F("lines_won") - models.F("planned_won"))
        )


class PlanReconciliation(ProgramYearPlan):
    """Read-only view: published programme figures beside the sum of their budget lines."""

    objects = PlanReconciliationQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = _("plan reconciliation")
        verbose_name_plural = _("plan reconciliations")
