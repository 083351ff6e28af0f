"""Versioned target paths: the share the ministry aims at, year by year."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rdportfolio.core.models import SourcedModel, year_field, year_in_range


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


class TargetKind(models.TextChoices):
    # A plan publishes where it starts from and where it must get to; only the second is a
    # bar a year can be behind.
    TARGET = "target", _("Target")
    BASELINE = "baseline", _("Baseline")


class CollaborationTarget(SourcedModel):
    """One published point of a target plan: a share in percent for a fiscal year, either a
    target to reach or the baseline the plan starts from (which gets no verdict).

    Only published points are stored, each with its source; the years between them are
    assumed by the KPI rule (a straight line), and it says so wherever they appear.
    """

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
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=TargetKind.choices,
        default=TargetKind.TARGET,
        help_text=_(
            "Target: a share the year must reach. Baseline: the level measured when the plan "
            "was made; no verdict."
        ),
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
            models.CheckConstraint(
                condition=Q(kind__in=TargetKind.values),
                name="budgets_target_kind_valid",
                violation_error_message=_("A point is a target or a baseline."),
            ),
            # Stored points are published ones: where they were published is part of them.
            models.CheckConstraint(
                condition=~Q(source=""),
                name="budgets_target_has_source",
                violation_error_message=_("Say where this point was published (source)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year}: {self.target_share}%"

    def clean(self):
        if not self.source:
            raise ValidationError(
                {"source": _("Say where this point was published: the plan, its date, the page.")}
            )
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
