"""Fields, the technologies the strategy funds, and the projects under them.

Their blind evaluation is an app of its own: ``technologies.evaluations``.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Program
from rdportfolio.core.history import bulk_history
from rdportfolio.core.models import (
    SourcedModel,
    TimeStampedModel,
    end_not_before_start,
    validate_end_not_before_start,
    year_field,
    year_in_range,
)


class Field(TimeStampedModel):
    """An industrial field (semiconductors, secondary batteries, ...): the radar's sectors."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_ko


class TechnologyStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    SELECTED = "selected", _("Selected")
    IN_PROGRESS = "in_progress", _("In progress")
    COMMERCIALISED = "commercialised", _("Commercialised")
    DROPPED = "dropped", _("Dropped")


class TechnologyQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("program", "field")

    def search(self, text: str):
        """Technologies whose code, Korean or English name contains ``text``, or one of whose
        projects has it in its number, title or lead organisation, or a partner institution
        in its English or Korean name ("Massachusetts", "매사추세츠", "다온반도체").

        Partners are matched by the partners app (``Project.partner_queries``). Projects and
        partners are matched in two subqueries, each run once
        per statement: one correlated subquery joining projects, collaborations and
        institutions under one OR could use no index and ran for every technology (45–68 ms
        a statement, four statements a page, at 13,800 projects)."""
        by_project = Project.objects.filter(
            Q(project_number__icontains=text)
            | Q(title_ko__icontains=text)
            | Q(title_en__icontains=text)
            | Q(lead_organisation__icontains=text)
        ).values("technology_id")
        by_partner = Project.partner_queries.projects_partnered_named(text).values("technology_id")
        return self.filter(
            Q(code__icontains=text)
            | Q(name_ko__icontains=text)
            | Q(name_en__icontains=text)
            | Q(pk__in=by_project)
            | Q(pk__in=by_partner)
        )

    def with_partner_country(self, country: str):
        """Technologies with a project that collaborates with an institution in ``country``.

        ``country`` is an ISO 3166 code; the partners app answers which projects.
        """
        partnered = Project.partner_queries.projects_partnered_in(country)
        return self.filter(Exists(partnered.filter(technology=OuterRef("pk"))))

    def with_status_on(self, day: datetime.date, name: str):
        """Annotate ``name`` with each technology's status at the end of ``day``, from its history.

        None where the technology had no status yet (it entered the portfolio later).
        """
        latest = (
            TechnologyStatusChange.objects.filter(technology=OuterRef("pk"), changed_on__lte=day)
            .order_by("-changed_on", "-id")
            .values("status")[:1]
        )
        return self.annotate(**{name: Subquery(latest)})


class Technology(SourcedModel):
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="technologies", verbose_name=_("programme")
    )
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="technologies", verbose_name=_("field")
    )
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("The ministry's identifier for the technology, e.g. LF-001."),
    )
    name_ko = models.CharField(_("Korean name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=TechnologyStatus.choices,
        default=TechnologyStatus.CANDIDATE,
    )
    target_commercialisation_year = year_field(
        _("target commercialisation year"), null=True, blank=True
    )
    # Bilingual, as the names are: the Korean page shows the Korean text (the English one
    # where there is no Korean yet), the English page the English.
    value_chain_rationale = models.TextField(
        _("value-chain rationale (Korean)"),
        blank=True,
        help_text=_("Why the technology matters: the weak link in the value chain it closes."),
    )
    value_chain_rationale_en = models.TextField(_("value-chain rationale (English)"), blank=True)

    objects = TechnologyQuerySet.as_manager()

    history = bulk_history(unindexed=["code", "program", "field"])

    class Meta:
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")
        ordering = ["code"]
        constraints = [year_in_range("target_commercialisation_year", nullable=True)]
        indexes = [models.Index(fields=["status"], name="technology_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_ko}"

    def save(self, *args, **kwargs):
        # Every status a technology passes through is kept with its date: the radar shows
        # movement between years from it. Bulk writers (seed, imports) add their own rows.
        with transaction.atomic():
            previous = None
            if not self._state.adding and self.pk is not None:
                previous = (
                    Technology.objects.filter(pk=self.pk).values_list("status", flat=True).first()
                )
            super().save(*args, **kwargs)
            if previous != self.status:
                TechnologyStatusChange.objects.create(
                    technology=self, status=self.status, changed_on=timezone.localdate()
                )


class TechnologyStatusChange(TimeStampedModel):
    """A technology entered a status on a day: the pipeline's history."""

    technology = models.ForeignKey(
        Technology,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("technology"),
    )
    status = models.CharField(_("status"), max_length=20, choices=TechnologyStatus.choices)
    changed_on = models.DateField(_("changed on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("technology status change")
        verbose_name_plural = _("technology status changes")
        ordering = ["technology", "changed_on", "id"]
        indexes = [
            models.Index(fields=["technology", "changed_on"], name="technology_status_on_idx")
        ]

    def __str__(self) -> str:
        return f"{self.technology.code} {self.changed_on}: {self.get_status_display()}"


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


class DevelopmentPhase(models.TextChoices):
    # NTIS's research-stage classification, so records can be matched with it.
    BASIC = "basic", _("Basic research")
    APPLIED = "applied", _("Applied research")
    DEVELOPMENT = "development", _("Development research")
    OTHER = "other", _("Other")


class ProjectQuerySet(models.QuerySet):
    def with_partner_country(self, country: str):
        """Projects that collaborate with an institution in ``country`` (an ISO 3166 code)."""
        partnered = Project.partner_queries.projects_partnered_in(country)
        return self.filter(Exists(partnered.filter(pk=OuterRef("pk"))))


class Project(SourcedModel):
    """The funded unit under a technology, numbered the NTIS way."""

    technology = models.ForeignKey(
        Technology, on_delete=models.PROTECT, related_name="projects", verbose_name=_("technology")
    )
    project_number = models.CharField(
        _("project number"),
        max_length=30,
        unique=True,
        help_text=_("NTIS-style project number, e.g. RS-2024-00123456."),
    )
    title_ko = models.CharField(_("Korean title"), max_length=300)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    lead_organisation = models.CharField(
        _("lead domestic organisation"),
        max_length=200,
        help_text=_("The Korean company or institute leading the project."),
    )
    development_phase = models.CharField(
        _("development phase"),
        max_length=20,
        choices=DevelopmentPhase.choices,
        default=DevelopmentPhase.APPLIED,
    )
    start_year = year_field(_("start year"))
    end_year = year_field(_("end year"))
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )

    objects = ProjectQuerySet.as_manager()

    history = bulk_history(unindexed=["project_number", "technology"])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["project_number"]
        constraints = [
            year_in_range("start_year"),
            year_in_range("end_year"),
            end_not_before_start("start_year", "end_year"),
        ]

    # Conditions a project must meet before it moves to "in progress", added by the apps above
    # this one (partners: every collaboration grants the domestic company the right to
    # implement). Each takes the project and returns the messages of what is missing.
    start_checks: list = []
    # Which projects have which partners: the partners app's module of queries
    # (``partners.queries``), plugged in by PartnersConfig.ready; this app cannot import it.
    partner_queries: Any = None

    def __str__(self) -> str:
        return f"{self.project_number} {self.title_ko}"

    def clean(self):
        validate_end_not_before_start(self, "start_year", "end_year")
        if self.status == ProjectStatus.IN_PROGRESS and self._stored_status() != self.status:
            problems = self.start_problems()
            if problems:
                raise ValidationError({"status": problems})

    def start_problems(self) -> list[str]:
        """What keeps this project from moving to "in progress", as messages (empty: nothing)."""
        return [message for check in self.start_checks for message in check(self)]

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return Project.objects.filter(pk=self.pk).values_list("status", flat=True).first()
