"""Scenarios: what-if plans over the KPI, their ordered adjustments and their stored results.

Editors write scenarios and adjustments (audited); results and their figures are written only
by the system (``scenario_services``), like share runs and snapshots. A published scenario is
read-only: its adjustments and its result never change afterwards; a revision is a new draft.
"""

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from budgets.kpi.models import Dimension, ShareStatus
from programs.models import Track
from rdportfolio.core.jobs import LeasedJob
from rdportfolio.core.models import TimeStampedModel, year_field

from .engine import Change, Kind, Path

if TYPE_CHECKING:
    from technologies.models import Field


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ScenarioQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Editors see every scenario; everyone else who may read them, the published ones."""
        if user.has_perm("scenarios.change_scenario"):
            return self
        if user.has_perm("scenarios.view_scenario"):
            return self.filter(status=ScenarioStatus.PUBLISHED)
        return self.none()


class Scenario(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    revision_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("revision of"),
    )
    # Bumped by every change of the adjustments: a result is current when it was computed
    # for this revision.
    revision = models.PositiveIntegerField(_("revision"), default=1)

    objects = ScenarioQuerySet.as_manager()
    history = HistoricalRecords(table_name="kpi_historicalscenario")

    class Meta:
        db_table = "kpi_scenario"  # the tables are kept from when scenarios were in the KPI app
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="kpi_scenario_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.status == ScenarioStatus.PUBLISHED

    def current_result(self):
        """The newest result of the current revision, from ``results.all()``: prefetched on
        lists (the same queries at any length), one query otherwise."""
        current = [r for r in self.results.all() if r.scenario_revision == self.revision]
        return max(current, key=lambda r: r.pk, default=None)


class Adjustment(models.Model):
    """One step of a scenario, over a scope (any combination; empty = the whole portfolio)
    and a span of open plan years."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("scenario")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices, blank=True)
    field = models.ForeignKey(
        "technologies.Field",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("field"),
    )
    technology = models.ForeignKey(
        "technologies.Technology",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("technology"),
    )
    country = models.CharField(
        _("partner country (scope)"),
        max_length=10,
        blank=True,
        help_text=_("ISO code: only the lines with partners in this country."),
    )
    from_year = year_field(_("from year"))
    to_year = year_field(_("to year"))
    amount_won = models.BigIntegerField(
        _("amount (won per year)"),
        null=True,
        blank=True,
        help_text=_("Whole won per year; for the ministry total, negative is a cut."),
    )
    percent = models.DecimalField(
        _("percent"),
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_(
            "Shift: the share of the scope's domestic won moved; total: the change; "
            "execution rate: the rate (empty: the rate observed in closed years)."
        ),
    )
    partner_country = models.CharField(
        _("partner country"),
        max_length=2,
        blank=True,
        help_text=_("ISO code of the partners of the won shifted or added."),
    )
    slip_years = models.PositiveSmallIntegerField(_("years of delay"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords(table_name="kpi_historicaladjustment")

    class Meta:
        db_table = "kpi_adjustment"
        verbose_name = _("scenario adjustment")
        verbose_name_plural = _("scenario adjustments")
        ordering = ["scenario", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "position"], name="kpi_adjustment_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(to_year__gte=models.F("from_year")), name="kpi_adjustment_span_order"
            ),
            models.CheckConstraint(
                condition=~Q(kind="slip") | Q(slip_years__gte=1), name="kpi_adjustment_slip_years"
            ),
            models.CheckConstraint(
                condition=~Q(kind="add") | Q(amount_won__gt=0), name="kpi_adjustment_add_amount"
            ),
            models.CheckConstraint(
                condition=~Q(kind="shift")
                | Q(amount_won__gt=0, percent__isnull=True)
                | Q(amount_won__isnull=True, percent__gt=0, percent__lte=100),
                name="kpi_adjustment_shift_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()} {self.from_year}–{self.to_year}"

    def as_change(self, number: int | None = None) -> Change:
        return Change(
            kind=self.kind,
            from_year=self.from_year,
            to_year=self.to_year,
            track=self.track,
            field=cast("Field", self.field).code if self.field_id else "",
            technology=self.technology_id,
            country=self.country,
            amount_won=self.amount_won,
            percent=self.percent,
            partner_country=self.partner_country,
            slip_years=self.slip_years,
            number=number or self.position,
        )


class ResultStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ScenarioResult(LeasedJob):
    """One computation of a scenario's paths, for one revision of its adjustments."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="results", verbose_name=_("scenario")
    )
    scenario_revision = models.PositiveIntegerField(_("scenario revision"))
    status = models.CharField(
        _("status"), max_length=10, choices=ResultStatus.choices, default=ResultStatus.PENDING
    )
    line_count = models.BigIntegerField(_("budget lines read"), null=True, blank=True)
    beyond_won = models.BigIntegerField(
        _("slipped past the plan (won)"),
        default=0,
        help_text=_("Won slipped past the last plan year."),
    )
    error = models.TextField(_("error"), blank=True)
    rates = models.JSONField(
        _("execution rates"),
        default=dict,
        blank=True,
        help_text=_("Each track's rate observed in closed years (executed ÷ planned), as used."),
    )

    class Meta:
        db_table = "kpi_scenarioresult"
        verbose_name = _("scenario result")
        verbose_name_plural = _("scenario results")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.scenario} #{self.pk} {self.get_status_display()}"


class ScenarioFigure(models.Model):
    """One figure of a result: a path, a year, and overall or one key of a breakdown."""

    result = models.ForeignKey(
        ScenarioResult, on_delete=models.CASCADE, related_name="figures", verbose_name=_("result")
    )
    path = models.CharField(_("path"), max_length=10, choices=Path.choices)
    fiscal_year = year_field(_("fiscal year"))
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    key = models.CharField(_("key"), max_length=40, blank=True)
    international_won = models.BigIntegerField(_("international (won)"))
    total_won = models.BigIntegerField(_("ministry total (won)"), null=True, blank=True)
    share = models.DecimalField(
        _("share (%)"), max_digits=30, decimal_places=4, null=True, blank=True
    )
    target_share = models.DecimalField(
        _("target share (%)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    target_won = models.BigIntegerField(_("target (won)"), null=True, blank=True)
    gap_won = models.BigIntegerField(_("gap (won)"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ShareStatus.choices)
    difference_won = models.BigIntegerField(_("difference from the baseline (won)"))

    class Meta:
        db_table = "kpi_scenariofigure"
        verbose_name = _("scenario figure")
        verbose_name_plural = _("scenario figures")
        ordering = ["result", "path", "dimension", "key", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["result", "path", "fiscal_year", "dimension", "key"],
                name="kpi_scenario_figure_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.path} {self.fiscal_year} {self.dimension}:{self.key or '-'}"
