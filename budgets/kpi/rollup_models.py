"""What pages read instead of aggregating budget lines and collaborations per request:
rollups each successful recompute writes beside its share snapshots, from the same read.

Only the latest successful run keeps its rollups: they answer "what do the figures say now",
the snapshots answer "what did we report then".
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Track
from rdportfolio.core.models import year_field

from ..models import Basis


class BudgetRollupQuerySet(models.QuerySet):
    def of_run(self, run):
        """The rollups pages read: those of ``run`` (the latest successful one, or a subquery
        giving its id); none without."""
        return self.filter(run=run) if run is not None else self.none()

    def technologies(self):
        return self.filter(technology__isnull=False)


def _run_key(related_name: str) -> models.ForeignKey:
    """A rollup's run, unchecked and unindexed (see BudgetRollup for why)."""
    return models.ForeignKey(
        "ShareRun",  # a name, not an import: models.py imports this module
        on_delete=models.CASCADE,
        related_name=related_name,
        verbose_name=_("run"),
        db_constraint=False,
        db_index=False,
    )


def _unchecked_key(to: str, verbose_name, *, null: bool = False) -> models.ForeignKey:
    """A rollup's member (technology, institution, field), unchecked and unindexed."""
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        null=null,
        blank=null,
        related_name="+",
        verbose_name=verbose_name,
        db_constraint=False,
        db_index=False,
    )


def _sums() -> tuple[models.BigIntegerField, ...]:
    """Total and international won, and how many lines they add up."""
    return (
        models.BigIntegerField(_("total (won)")),
        models.BigIntegerField(_("international (won)")),
        models.BigIntegerField(_("budget lines")),
    )


class BudgetRollup(models.Model):
    """Budget lines summed per year, basis and technology or partner institution.

    Written by the recompute beside the share snapshots, from the same single read of the
    lines, so pages show figures of one run and never sum budget lines per request. Tracks
    and fields have rollups of their own (FieldRollup); countries come from the snapshots. Only the latest successful run keeps its rollups: they answer "what do the
    figures say now", the snapshots answer "what did we report then".
    """

    # The keys below are not checked by the database, and have no index of their own. A run
    # writes ~8,400 rollup rows; checking three foreign keys on each, at commit, cost more
    # than the aggregation itself (0.17 s of 0.28 s for the rows' write, measured), and the
    # single-column indexes another 0.08 s. The rows are derived: written only by the
    # recompute, under its lock, from ids it read in the same transaction, and replaced by
    # the next run; deleting a technology, institution or run still deletes its rollups
    # (Django cascades), and the next recompute, which such a deletion requests, rewrites
    # them all. The unique constraints below index every lookup the pages make (run first).
    run = _run_key("rollups")
    fiscal_year = year_field(_("fiscal year"))
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    technology = _unchecked_key("technologies.Technology", _("technology"), null=True)
    institution = _unchecked_key("partners.Institution", _("partner institution"), null=True)
    total_won, international_won, line_count = _sums()

    objects = BudgetRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget rollup")
        verbose_name_plural = _("budget rollups")
        constraints = [
            models.CheckConstraint(
                condition=Q(technology__isnull=True, institution__isnull=False)
                | Q(technology__isnull=False, institution__isnull=True),
                name="kpi_rollup_one_member",
            ),
            models.UniqueConstraint(
                fields=["run", "technology", "fiscal_year", "basis"],
                condition=Q(technology__isnull=False),
                name="kpi_rollup_unique_technology",
            ),
            models.UniqueConstraint(
                fields=["run", "institution", "fiscal_year", "basis"],
                condition=Q(institution__isnull=False),
                name="kpi_rollup_unique_institution",
            ),
        ]

    def __str__(self) -> str:
        member = self.technology_id or self.institution_id
        return f"{self.fiscal_year} {self.basis} {member}"


class PartnerRollup(models.Model):
    """How many partner institutions of one country a technology's projects collaborate
    with, counted from the collaborations (budget lines or not).

    The technology list and its CSV show each technology's partner count and countries:
    counted per request, that was a join over every collaboration (28,000 at a million
    lines: 48 ms of a 99 ms CSV). An institution has one country, so a technology's partner
    count is the sum of its rows. Keys unchecked by the database, as BudgetRollup's.
    """

    run = _run_key("partner_rollups")
    technology = _unchecked_key("technologies.Technology", _("technology"))
    country = models.CharField(_("country"), max_length=2)
    institution_count = models.IntegerField(_("partner institutions"))

    objects = BudgetRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner rollup")
        verbose_name_plural = _("partner rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "technology", "country"], name="kpi_partner_rollup_unique"
            ),
            models.CheckConstraint(
                condition=Q(institution_count__gt=0), name="kpi_partner_rollup_some"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.technology_id} {self.country}: {self.institution_count}"


class FieldRollup(models.Model):
    """Budget lines summed per year, basis, track and field: what the overview's budget chart
    and the gap page's breakdowns show.

    Summed per request from the technology rollups, those two pages read about 4,800 rows at
    a million lines (8.9 ms and 5.8 ms of the overview's 39 ms, against 3 ms on the demo);
    this has at most years x 3 bases x 4 tracks x fields rows whatever the data size. The
    recompute adds up the share's groups over partner countries. Keys unchecked by the
    database, as BudgetRollup's.
    """

    run = _run_key("field_rollups")
    fiscal_year = year_field(_("fiscal year"))
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    track = models.CharField(_("track"), max_length=20, choices=Track.choices)
    field = _unchecked_key("technologies.Field", _("field"))
    total_won, international_won, line_count = _sums()

    objects = BudgetRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("field rollup")
        verbose_name_plural = _("field rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["run", "fiscal_year", "basis", "track", "field"],
                name="kpi_field_rollup_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.basis} {self.track} {self.field_id}"
