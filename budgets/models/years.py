"""A fiscal year's records: the ministry's total (the KPI's denominator), its exchange rate."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rdportfolio.core.models import (
    SourcedModel,
    at_most_max_won,
    not_negative,
    won_field,
    year_field,
    year_in_range,
)

from .lines import Basis, BudgetLine


class TotalBasis(models.TextChoices):
    # The two figures a ministry total has: the budget as the National Assembly passed it, and
    # the settled accounts (결산) once the year is over.
    BUDGETED = "budgeted", _("Budgeted")
    SETTLED = "settled", _("Settled")


class MinistryBudgetQuerySet(models.QuerySet):
    def by_year_and_basis(self) -> dict[tuple[int, str], int]:
        return {
            (year, basis): won
            for year, basis, won in self.values_list("fiscal_year", "basis", "total_won")
        }


class MinistryBudget(SourcedModel):
    """The ministry's whole industrial R&D budget for a year, as budgeted or as settled: the
    KPI's denominator (``DENOMINATOR_BASES`` says which figure divides which)."""

    fiscal_year = year_field(_("fiscal year"))
    basis = models.CharField(
        _("basis"),
        max_length=10,
        choices=TotalBasis.choices,
        default=TotalBasis.BUDGETED,
        help_text=_(
            "Budgeted: as passed for the year. Settled: the settled accounts after it. Executed "
            "shares are divided by the settled total where there is one."
        ),
    )
    total_won = won_field(_("total industrial R&D budget (won)"))

    objects = MinistryBudgetQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ministry budget")
        verbose_name_plural = _("ministry budgets")
        ordering = ["fiscal_year", "basis"]
        constraints = [
            year_in_range("fiscal_year"),
            not_negative("total_won"),
            at_most_max_won("total_won"),
            models.UniqueConstraint(
                fields=["fiscal_year", "basis"],
                name="budgets_ministrybudget_one_per_year_and_basis",
                violation_error_message=_("That year already has a total on that basis."),
            ),
            models.CheckConstraint(
                condition=Q(basis__in=TotalBasis.values),
                name="budgets_ministrybudget_basis_valid",
                violation_error_message=_("A total is budgeted or settled."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} ({self.get_basis_display()})"

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


class YearClosingQuerySet(models.QuerySet):
    def standing(self):
        """Closings in force: not reopened since."""
        return self.filter(reopened_at__isnull=True)

    def closed_years(self) -> set[int]:
        """The fiscal years whose executed figures are the KPI's (see ``YearClosing``)."""
        return set(self.standing().values_list("fiscal_year", flat=True))


class YearClosing(SourcedModel):
    """The ministry's act that closes a fiscal year: from then on the year's KPI figure is its
    executed spending, no longer its plan.

    A year is closed by this act alone, never by the first executed line entered for it:
    executed lines may come in through the year and after it ("in progress") without moving
    the figure. A closing is reversed only by reopening it, with a reason; it is never
    deleted, and each close and reopen stays in its history.
    """

    fiscal_year = year_field(_("fiscal year"))
    closed_on = models.DateField(
        _("closed on"),
        help_text=_("The day of the act that closed the year (the settled accounts' approval)."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    objects = YearClosingQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fiscal year closing")
        verbose_name_plural = _("fiscal year closings")
        ordering = ["-fiscal_year", "-id"]
        constraints = [
            year_in_range("fiscal_year"),
            # Two editors closing the same year at once: the second is refused, not doubled.
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=Q(reopened_at__isnull=True),
                name="budgets_yearclosing_one_standing_per_year",
                violation_error_message=_("That year is closed already."),
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
                name="budgets_yearclosing_reopen_has_reason",
                violation_error_message=_("A year is reopened only with a reason."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.fiscal_year)

    @property
    def is_standing(self) -> bool:
        return self.reopened_at is None
