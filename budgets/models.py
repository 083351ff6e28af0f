"""Money: project budget lines, the ministry's totals, exchange rates, target plans."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Collaboration
from programs.models import ProgramYearPlan
from rdportfolio.core.models import (
    SourcedModel,
    TimeStampedModel,
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


class BudgetLineQuerySet(models.QuerySet):
    def international(self):
        return self.filter(is_international=True)

    def sums(self, *group_by: str):
        """Total and international won per group, summed in SQL (values are ints or Decimals)."""
        return (
            self.order_by()
            .values(*group_by)
            .annotate(
                total_won=Sum("amount_won"),
                international_won=Sum("amount_won", filter=Q(is_international=True), default=0),
            )
            .order_by(*group_by)
        )

    def with_related(self):
        return self.select_related(
            "project__technology__program",
            "project__technology__field",
            "collaboration__institution",
        )


class BudgetLine(SourcedModel):
    """One project's amount for one fiscal year on one basis.

    A line either pays for a named collaboration (then it is international
    by definition) or is a project's unattributed line, international or
    domestic. A project has at most one line per (year, basis, collaboration).
    """

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("project")
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

    objects = BudgetLineQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project__project_number", "fiscal_year", "basis"]
        constraints = [
            year_in_range("fiscal_year"),
            not_negative("amount_won"),
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
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.fiscal_year} {self.get_basis_display()}"

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
        constraints = [year_in_range("fiscal_year"), not_negative("total_won")]

    def __str__(self) -> str:
        return str(self.fiscal_year)


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


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    SKIPPED = "skipped", _("Skipped: inputs unchanged")
    FAILED = "failed", _("Failed")


class RunTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly schedule")
    CHANGE = "change", _("Data change")
    ADMIN = "admin", _("Admin: recompute now")
    COMMAND = "command", _("Management command")
    IMPORT = "import", _("Excel/CSV import")


class ShareRunQuerySet(models.QuerySet):
    def latest_succeeded(self):
        """The run pages and the API read: the newest complete snapshot."""
        return self.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").first()

    def as_of(self, moment):
        """The run that was current at ``moment``: what we reported then."""
        return (
            self.filter(status=RunStatus.SUCCEEDED, finished_at__lte=moment)
            .order_by("-finished_at", "-id")
            .first()
        )


class ShareRun(TimeStampedModel):
    """One recomputation of the international-collaboration share and its outcome."""

    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=RunTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    forced = models.BooleanField(_("forced"), default=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    fingerprint = models.CharField(_("input fingerprint"), max_length=64, blank=True)
    target_plan = models.ForeignKey(
        TargetPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("target plan"),
    )
    line_count = models.BigIntegerField(_("budget lines read"), null=True, blank=True)
    snapshot_count = models.IntegerField(_("snapshot rows written"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = ShareRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("share run")
        verbose_name_plural = _("share runs")
        ordering = ["-id"]
        permissions = [("recompute_share", _("Can ask for a recompute of the share"))]
        constraints = [
            # Coalescing: at most one run waits in the queue; later requests join it.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="pending"),
                name="budgets_sharerun_one_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "finished_at"], name="sharerun_status_finished_idx")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_status_display()}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class Dimension(models.TextChoices):
    OVERALL = "overall", _("Overall")
    TRACK = "track", _("Track")
    FIELD = "field", _("Field")
    COUNTRY = "country", _("Country")


class ShareStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    NO_DATA = "no_data", _("No data")
    NO_TARGET = "no_target", _("No target")


UNASSIGNED = "unassigned"


class ShareSnapshotQuerySet(models.QuerySet):
    def cumulative(
        self, *, from_year: int, to_year: int, basis: str, dimension: str = Dimension.OVERALL
    ):
        """Sum a span of years per key, in SQL; years without a ministry total are left out.

        Returns rows of key, international_won, total_won and target_won (the
        yearly targets in won, summed); the share over the span is
        international / total, the cumulative gap target_won - international.
        """
        return (
            self.filter(
                fiscal_year__gte=from_year,
                fiscal_year__lte=to_year,
                basis=basis,
                dimension=dimension,
                total_won__isnull=False,
            )
            .order_by()
            .values("key")
            .annotate(
                international_won=Sum("international_won"),
                total_won=Sum("total_won"),
                target_won=Sum("target_won"),
                years=models.Count("fiscal_year"),
            )
            .order_by("key")
        )


class ShareSnapshot(models.Model):
    """One figure of one run: a year, a basis, and overall or one key of a breakdown."""

    run = models.ForeignKey(
        ShareRun, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("run")
    )
    fiscal_year = year_field(_("fiscal year"))
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    key = models.CharField(
        _("key"),
        max_length=40,
        blank=True,
        help_text=_(
            "Track, field code or ISO country code ('unassigned' for lines without a partner)."
        ),
    )
    international_won = models.BigIntegerField(_("international (won)"))
    total_won = models.BigIntegerField(_("ministry total (won)"), null=True, blank=True)
    share = models.DecimalField(
        _("share (%)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    target_share = models.DecimalField(
        _("target share (%)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    target_won = models.BigIntegerField(
        _("target (won)"),
        null=True,
        blank=True,
        help_text=_("Target share times the ministry total, in whole won."),
    )
    gap_won = models.BigIntegerField(
        _("gap (won)"),
        null=True,
        blank=True,
        help_text=_("Target won minus international won; positive is a shortfall."),
    )
    status = models.CharField(_("status"), max_length=10, choices=ShareStatus.choices)
    is_projection = models.BooleanField(
        _("projection"),
        default=False,
        help_text=_("Planned figures standing in for a year with no executed figures."),
    )

    objects = ShareSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("share snapshot")
        verbose_name_plural = _("share snapshots")
        ordering = ["run", "dimension", "key", "fiscal_year", "basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "fiscal_year", "basis", "dimension", "key"],
                name="budgets_snapshot_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.basis} {self.dimension}:{self.key or '-'}"


class ImportKind(models.TextChoices):
    TECHNOLOGIES = "technologies", _("Technologies")
    PROJECTS = "projects", _("Projects")
    INSTITUTIONS = "institutions", _("Institutions")
    BUDGET_LINES = "budget_lines", _("Budget lines")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    CHECKING = "checking", _("Checking rows")
    WRITING = "writing", _("Writing")
    CHECKED = "checked", _("Checked: ready to import")
    REFUSED = "refused", _("Refused: errors in the file")
    SUCCEEDED = "succeeded", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(TimeStampedModel):
    """One Excel or CSV file, checked (dry run) or imported, with its progress and errors.

    The file is kept in the database so that any worker on any machine can read it.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(
        _("format"), max_length=4, choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")]
    )
    content = models.BinaryField(_("file"), editable=False)
    dry_run = models.BooleanField(
        _("dry run"), default=True, help_text=_("Check every row and preview; write nothing.")
    )
    confirms = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="imports",
        verbose_name=_("confirms the check"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_jobs",
        verbose_name=_("requested by"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        default="ko",
        help_text=_("The requester's language: the errors are written in it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    created_count = models.PositiveIntegerField(_("new rows"), default=0)
    updated_count = models.PositiveIntegerField(_("changed rows"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged rows"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(
        _("errors"), default=list, blank=True, help_text=_("The first 1,000: row, column, message.")
    )
    preview = models.JSONField(_("preview"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.file_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            ImportStatus.CHECKED,
            ImportStatus.REFUSED,
            ImportStatus.SUCCEEDED,
            ImportStatus.FAILED,
        )

    @property
    def progress_percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
