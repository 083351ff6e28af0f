"""The strategy's tracks and their published yearly plan figures."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rdportfolio.core.models import (
    SourcedModel,
    at_most_max_won,
    end_not_before_start,
    not_negative,
    validate_end_not_before_start,
    won_field,
    year_field,
    year_in_range,
)


class Track(models.TextChoices):
    LEAPFROGGING = "leapfrogging", _("Leapfrogging")
    FOUNDATIONAL = "foundational", _("Foundational")
    GAME_CHANGER = "game_changer", _("Game-changer")
    # International R&D the ministry funded before the December 2023 strategy:
    # it carries the 2023 baseline (about 6%) and the track is not part of the 190.
    LEGACY = "legacy", _("Legacy international collaboration")


# How tracks are listed everywhere: the strategy's three, then the legacy programme.
TRACK_ORDER = [Track.LEAPFROGGING, Track.FOUNDATIONAL, Track.GAME_CHANGER, Track.LEGACY]


class ProgramQuerySet(models.QuerySet):
    def strategy(self):
        """The three tracks of the 2023 strategy (the 190 technologies), legacy excluded."""
        return self.exclude(track=Track.LEGACY)


class Program(SourcedModel):
    track = models.CharField(_("track"), max_length=20, choices=Track.choices, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)
    target_technology_count = models.PositiveSmallIntegerField(
        _("target technology count"),
        null=True,
        blank=True,
        help_text=_("How many technologies the strategy plans for this track (80, 100, 10)."),
    )
    commercialisation_horizon_years = models.PositiveSmallIntegerField(
        _("commercialisation horizon (years)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "Years from start to commercialisation (about 5 for leapfrogging, 10 for foundational)."
        ),
    )
    start_year = year_field(_("start year"))
    end_year = year_field(
        _("end year"), null=True, blank=True, help_text=_("Empty while the end is not decided.")
    )
    planned_total_won = won_field(
        _("planned total (won)"),
        null=True,
        blank=True,
        help_text=_("The published total for the track over its span, in whole won."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = ProgramQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["start_year", "track"]
        constraints = [
            year_in_range("start_year"),
            year_in_range("end_year", nullable=True),
            end_not_before_start("start_year", "end_year"),
            not_negative("planned_total_won", nullable=True),
            at_most_max_won("planned_total_won", nullable=True),
        ]

    def __str__(self) -> str:
        return self.name_ko

    def clean(self):
        validate_end_not_before_start(self, "start_year", "end_year")


class ProgramYearPlan(SourcedModel):
    """A programme's yearly figure as the ministry published it (e.g. 148.7 billion won in 2024).

    These are facts to reconcile the project-level budget lines against, not
    budget lines themselves: they never enter the KPI.
    """

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="year_plans", verbose_name=_("programme")
    )
    fiscal_year = year_field(_("fiscal year"))
    planned_won = won_field(_("published plan (won)"))
    technologies_started = models.PositiveSmallIntegerField(
        _("technologies started"),
        null=True,
        blank=True,
        help_text=_("How many technologies the plan starts that year, as published."),
    )
    projects_started = models.PositiveSmallIntegerField(
        _("projects started"),
        null=True,
        blank=True,
        help_text=_(
            "How many projects the plan starts that year, as published (a technology may have "
            "several)."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme yearly plan")
        verbose_name_plural = _("programme yearly plans")
        ordering = ["program__start_year", "fiscal_year"]
        constraints = [
            year_in_range("fiscal_year"),
            not_negative("planned_won"),
            at_most_max_won("planned_won"),
            models.UniqueConstraint(
                fields=["program", "fiscal_year"],
                name="programs_yearplan_one_per_year",
                violation_error_message=_(
                    "This programme already has a plan figure for that year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.fiscal_year}"


class Measure(models.TextChoices):
    """What the portfolio computes itself to put beside a published figure."""

    MINISTRY_TOTAL = "ministry_total", _("The ministry's budgeted total for the year")
    INTERNATIONAL_WON = "international_won", _("International collaboration (the year's KPI won)")
    INTERNATIONAL_SHARE = "international_share", _("The international-collaboration share (KPI)")
    TARGET_SHARE = "target_share", _("The target plan's share for the year")
    KRW_PER_USD = "krw_per_usd", _("The year's exchange rate")


class PublishedFigure(SourcedModel):
    """A figure as someone published it, with what it counts and where it was published.

    The registry of every number the programme is judged by: the ministry's totals, the
    global-cooperation budget line, the strategy's 6% and 15%, Korea's national R&D budget.
    Published figures use more than one definition (2,243억 원 is 3.96% of 2023's total while
    the strategy speaks of about 6%): each keeps its own, and where the portfolio computes
    the same kind of figure (``measure``) its own value is shown beside it, with the
    difference.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    description_ko = models.CharField(_("Korean description"), max_length=300)
    description_en = models.CharField(_("English description"), max_length=300)
    definition_ko = models.TextField(_("Korean definition"), blank=True)
    definition_en = models.TextField(
        _("English definition"),
        blank=True,
        help_text=_("What the figure counts, as its publisher defines it."),
    )
    source_url = models.URLField(_("source address"), max_length=500, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    measure = models.CharField(
        _("portfolio measure"),
        max_length=30,
        choices=Measure.choices,
        blank=True,
        help_text=_("What the portfolio computes to compare with it; empty: context only."),
    )
    fiscal_year = year_field(_("fiscal year"), null=True, blank=True)
    amount_won = won_field(_("amount (won)"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A count, a percent or a rate, when the figure is not an amount of won."),
    )
    unit = models.CharField(
        _("unit"), max_length=30, blank=True, help_text=_("For the quantity: %, count, KRW/USD.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        ordering = ["code"]
        constraints = [
            year_in_range("fiscal_year", nullable=True),
            not_negative("amount_won", nullable=True),
            at_most_max_won("amount_won", nullable=True),
            models.CheckConstraint(
                condition=models.Q(amount_won__isnull=False) | models.Q(quantity__isnull=False),
                name="programs_figure_has_value",
                violation_error_message=_(
                    "A published figure needs an amount in won or a quantity."
                ),
            ),
            # A figure compared with the portfolio's own belongs to a year.
            models.CheckConstraint(
                condition=models.Q(measure="") | models.Q(fiscal_year__isnull=False),
                name="programs_figure_measure_has_year",
                violation_error_message=_("A figure to compare needs its fiscal year."),
            ),
        ]

    def __str__(self) -> str:
        return self.description_ko

    @property
    def value(self):
        """The figure itself: won, or its quantity (a percent, a count, a rate)."""
        return self.amount_won if self.amount_won is not None else self.quantity
