"""Fields, the technologies the strategy funds, the projects under them, and their evaluation."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Program
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
    value_chain_rationale = models.TextField(
        _("value-chain rationale"),
        blank=True,
        help_text=_("Why the technology matters: the weak link in the value chain it closes."),
    )

    objects = TechnologyQuerySet.as_manager()

    history = HistoricalRecords()

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

    history = HistoricalRecords()

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

    def __str__(self) -> str:
        return f"{self.project_number} {self.title_ko}"

    def clean(self):
        validate_end_not_before_start(self, "start_year", "end_year")
        if self.status == ProjectStatus.IN_PROGRESS and self._stored_status() != self.status:
            problems = [message for check in self.start_checks for message in check(self)]
            if problems:
                raise ValidationError({"status": problems})

    def _stored_status(self) -> str | None:
        if self.pk is None:
            return None
        return Project.objects.filter(pk=self.pk).values_list("status", flat=True).first()


# --- Evaluation: rounds, layers, blind expert assignments --------------------------------------


class EvaluationRound(TimeStampedModel):
    """A selection round, e.g. the 2024 call for leapfrogging technologies."""

    name_ko = models.CharField(_("Korean name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    fiscal_year = year_field(_("fiscal year"))
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-fiscal_year", "name_ko"]
        constraints = [
            year_in_range("fiscal_year"),
            models.UniqueConstraint(
                fields=["fiscal_year", "name_ko"],
                name="technologies_round_unique_name",
                violation_error_message=_("A round with this name already exists that year."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.name_ko}"


class LayerKind(models.TextChoices):
    # The strategy's multi-layer verification: screening, anonymous experts, then a committee.
    SCREENING = "screening", _("Screening")
    EXPERT_REVIEW = "expert_review", _("Anonymous expert review")
    COMMITTEE = "committee", _("Committee")


class EvaluationLayer(TimeStampedModel):
    round = models.ForeignKey(
        EvaluationRound,
        on_delete=models.PROTECT,
        related_name="layers",
        verbose_name=_("evaluation round"),
    )
    order = models.PositiveSmallIntegerField(
        _("order"), help_text=_("1 for the first layer, 2 for the next, ...")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LayerKind.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evaluation layer")
        verbose_name_plural = _("evaluation layers")
        ordering = ["round", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "order"],
                name="technologies_layer_unique_order",
                violation_error_message=_("This round already has a layer in that place."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.order}. {self.get_kind_display()}"


def pseudonym_for(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA": reviewers of one technology in one layer."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


class EvaluationAssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What a user may list: everything for managers and editors, own rows for evaluators."""
        if user.is_superuser or user.has_perm("technologies.view_evaluationassignment"):
            if user.has_perm("technologies.review_evaluationassignment") and not (
                user.is_superuser or user.has_perm("technologies.see_reviewers")
            ):
                return self.filter(reviewer=user)
            return self
        return self.none()


class EvaluationAssignment(TimeStampedModel):
    """One expert's blind review of one candidate technology in one layer.

    The reviewer's identity is sealed: evaluators see only their own rows,
    editors see the scores under a pseudonym (Reviewer A, B, ...), and only
    evaluation managers see who reviewed what. The reviewer is kept out of the
    audit history, whose entries carry no user either.
    """

    layer = models.ForeignKey(
        EvaluationLayer,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("evaluation layer"),
    )
    technology = models.ForeignKey(
        Technology,
        on_delete=models.PROTECT,
        related_name="evaluation_assignments",
        verbose_name=_("candidate technology"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evaluation_assignments",
        verbose_name=_("reviewer"),
    )
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=10,
        editable=False,
        help_text=_("How editors see this reviewer: Reviewer A, B, ..."),
    )
    has_conflict = models.BooleanField(
        _("conflict of interest"),
        null=True,
        blank=True,
        help_text=_("Declared by the reviewer before scoring; empty until declared."),
    )
    conflict_statement = models.TextField(_("conflict-of-interest statement"), blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    cooperation_essential = models.BooleanField(
        _("international cooperation is essential"), null=True, blank=True
    )
    reasons = models.TextField(_("reasons"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)

    objects = EvaluationAssignmentQuerySet.as_manager()
    # The history keeps every score change, but neither the reviewer nor the user who saved it.
    history = HistoricalRecords(excluded_fields=["reviewer"], get_user=lambda **kwargs: None)

    class Meta:
        verbose_name = _("evaluation assignment")
        verbose_name_plural = _("evaluation assignments")
        ordering = ["layer", "technology", "pseudonym"]
        permissions = [
            ("see_reviewers", _("Can see who reviewed what")),
            ("review_evaluationassignment", _("Can review the technologies assigned to them")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["layer", "technology", "reviewer"],
                name="technologies_assignment_unique_reviewer",
                violation_error_message=_(
                    "This reviewer is already assigned to this technology in this layer."
                ),
            ),
            models.UniqueConstraint(
                fields=["layer", "technology", "pseudonym"],
                name="technologies_assignment_unique_pseudonym",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100),
                name="technologies_assignment_score_range",
                violation_error_message=_("A score is between 0 and 100."),
            ),
            # A declared conflict means no score: the assignment goes to someone else.
            models.CheckConstraint(
                condition=~Q(has_conflict=True) | Q(score__isnull=True),
                name="technologies_assignment_conflict_no_score",
                violation_error_message=_("A reviewer with a conflict of interest cannot score."),
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | Q(has_conflict=False, score__isnull=False, cooperation_essential__isnull=False),
                name="technologies_assignment_submitted_complete",
                violation_error_message=_(
                    "A submitted review declares no conflict and has a score and a verdict."
                ),
            ),
        ]

    def __str__(self) -> str:
        # Never the reviewer's name: this text lands in admin logs and messages.
        return f"{self.technology.code} · {self.layer} · {self.reviewer_label}"

    @property
    def reviewer_label(self) -> str:
        return str(_("Reviewer %(pseudonym)s") % {"pseudonym": self.pseudonym})

    def save(self, *args, **kwargs):
        if not self.pseudonym:
            taken = EvaluationAssignment.objects.filter(
                layer_id=self.layer_id, technology_id=self.technology_id
            ).count()
            self.pseudonym = pseudonym_for(taken)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.has_conflict and self.score is not None:
            errors["score"] = _(
                "You declared a conflict of interest: leave the score empty; "
                "the evaluation manager will reassign this technology."
            )
        if self.submitted_at or getattr(self, "submitting", False):
            if self.has_conflict is None:
                errors["has_conflict"] = _("Declare whether you have a conflict of interest.")
            elif self.has_conflict:
                errors["has_conflict"] = _(
                    "A review with a declared conflict of interest cannot be submitted."
                )
            if self.score is None:
                errors.setdefault("score", _("Give a score from 0 to 100."))
            if self.cooperation_essential is None:
                errors["cooperation_essential"] = _(
                    "Say whether international cooperation is essential."
                )
            if not self.reasons.strip():
                errors["reasons"] = _("Give the reasons for your verdict.")
        if self.has_conflict and not self.conflict_statement.strip():
            errors["conflict_statement"] = _("Describe the conflict of interest.")
        if errors:
            raise ValidationError(errors)
