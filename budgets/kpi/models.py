"""The KPI's records: each recompute of the share (a run) and the figures it wrote (snapshots).

Runs and snapshots are written only by the system (``services``), read by
people and the API; a run's snapshots never change afterwards, so earlier
reports stay answerable.
"""

from typing import Any

from django.conf import settings
from django.db import connection, models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.models import PublishedFigure
from rdportfolio.core.jobs import LeasedJob
from rdportfolio.core.models import year_field

from ..models import Basis, TargetPlan, TotalBasis

# How current the figures are: kept in a module of its own (this one holds the tables);
# LATE_AFTER is read from here by /health/ and its tests.
from .freshness import LATE_AFTER, Freshness  # noqa: F401


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
    def freshness(self) -> Freshness:
        """How current the figures are, in one query whatever the number of runs: the latest
        successful run and the newest run that was not skipped (itself when all is current).

        Written by hand: every page and API read asks this, and compiling the same statement
        from nested ORM subqueries cost three times what the database spends on it.
        """
        table = connection.ops.quote_name(self.model._meta.db_table)
        # Table names only are formatted in; every value is a parameter.
        latest = (
            f"SELECT id FROM {table} WHERE status = %s ORDER BY finished_at DESC, id DESC LIMIT 1"  # noqa: S608, E501
        )
        # The newest run that was not skipped.
        recent = f"SELECT id FROM {table} WHERE status <> %s ORDER BY id DESC LIMIT 1"  # noqa: S608
        # Runs, each with the query's own is_latest column.
        rows: list[Any] = list(
            self.raw(
                f"SELECT *, id = ({latest}) AS is_latest FROM {table} "  # noqa: S608 -- names, not input
                f"WHERE id = ({latest}) OR id = ({recent})",
                [RunStatus.SUCCEEDED, RunStatus.SUCCEEDED, RunStatus.SKIPPED],
            )
        )
        run = next((row for row in rows if row.is_latest), None)
        if run is None:
            return Freshness(run=None, state="none")
        newest = next((row for row in rows if row.pk > run.pk), None)
        if newest is None:
            return Freshness(run=run, state="current")
        if newest.status == RunStatus.FAILED:
            return Freshness(run=run, state="failed", since=newest.finished_at, newest=newest)
        late = timezone.now() - newest.created_at > LATE_AFTER
        return Freshness(
            run=run, state="late" if late else "updating", since=newest.created_at, newest=newest
        )

    def latest_succeeded_id(self) -> Subquery:
        """The latest successful run's id as a subquery: filters on it cost no query of their own."""
        return Subquery(
            self.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").values("pk")[:1]
        )

    def latest_succeeded(self):
        """The run pages and the API read: the newest complete snapshot."""
        return self.filter(status=RunStatus.SUCCEEDED).order_by("-finished_at", "-id").first()

    def with_current_until(self):
        """Each run with when a later successful run replaced its figures (``current_until``;
        None for the current run and for runs that wrote none)."""
        later = (
            ShareRun.objects.filter(
                status=RunStatus.SUCCEEDED, finished_at__gt=OuterRef("finished_at")
            )
            .order_by("finished_at")
            .values("finished_at")[:1]
        )
        return self.annotate(
            current_until=models.Case(
                models.When(status=RunStatus.SUCCEEDED, then=Subquery(later)),
                default=None,
                output_field=models.DateTimeField(),
            )
        )

    def as_of(self, moment):
        """The run that was current at ``moment``: what we reported then."""
        return (
            self.filter(status=RunStatus.SUCCEEDED, finished_at__lte=moment)
            .order_by("-finished_at", "-id")
            .first()
        )


class ShareRun(LeasedJob):
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
    synthetic_inputs = models.BooleanField(
        _("synthetic inputs"),
        default=False,
        help_text=_("Some figures were computed from synthetic (demo) lines or totals."),
    )
    snapshot_count = models.IntegerField(_("snapshot rows written"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = ShareRunQuerySet.as_manager()

    class Meta:
        # The budgets app's tables, where the KPI lived before it was a unit of its own.
        db_table = "budgets_sharerun"
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

    @property
    def error_summary(self) -> str:
        """The error's last line (the exception), for people; the traceback stays in ``error``."""
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1][:300] if lines else ""


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
    # International lines worth more than the ministry's whole budget that year: a figure to
    # correct (a total typed in the wrong unit, lines entered twice), shown as it is.
    INCONSISTENT = "inconsistent", _("Inconsistent: above the ministry total")
    # The year a plan starts from: its figure is the measured level, not measured against one.
    BASELINE = "baseline", _("Baseline: no verdict")
    # Executed spending of a year the ministry has not closed: what is spent so far.
    IN_PROGRESS = "in_progress", _("In progress: the year is not closed")


class TargetOrigin(models.TextChoices):
    """Where a figure's target came from: a published point of the plan, or assumed."""

    PUBLISHED = "published", _("Published target")
    BASELINE = "baseline", _("Published baseline")
    INTERPOLATED = "interpolated", _("Assumed: straight line between published points")
    HELD = "held", _("Assumed: the last published target held")


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
    # Wide enough for any share the lines and totals can make (a total of 1 won included):
    # an inconsistent figure is stored and flagged, never a reason for the run to fail.
    share = models.DecimalField(
        _("share (%)"), max_digits=30, decimal_places=4, null=True, blank=True
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
    status = models.CharField(_("status"), max_length=12, choices=ShareStatus.choices)
    is_projection = models.BooleanField(
        _("projection"),
        default=False,
        help_text=_("The planned figure of a year the ministry has not closed: its KPI figure."),
    )
    year_closed = models.BooleanField(
        _("year closed"),
        default=False,
        help_text=_("The ministry had closed the year: its executed figure is its KPI figure."),
    )
    total_basis = models.CharField(
        _("total's basis"),
        max_length=10,
        choices=TotalBasis.choices,
        blank=True,
        help_text=_("Which ministry total divided this figure: budgeted or settled."),
    )
    target_origin = models.CharField(
        _("target's origin"),
        max_length=12,
        choices=TargetOrigin.choices,
        blank=True,
        help_text=_("Published by the plan, or assumed (and by which rule)."),
    )
    synthetic_inputs = models.BooleanField(
        _("synthetic inputs"),
        default=False,
        help_text=_("A synthetic (demo) line or total fed this figure."),
    )

    objects = ShareSnapshotQuerySet.as_manager()

    class Meta:
        db_table = "budgets_sharesnapshot"
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


class Reconciliation(PublishedFigure):
    """The admin's page of published figures beside the portfolio's own (``reconciliation``):
    a read-only view, no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("published figure against the portfolio")
        verbose_name_plural = _("published figures against the portfolio")


# The pages' rollups live in a module of their own; imported here so that Django registers
# them with the app.
from .rollup_models import BudgetRollup, FieldRollup, PartnerRollup  # noqa: E402, F401
