"""Blind multi-layer evaluation of candidate technologies: rounds, layers, expert assignments.

The strategy selects technologies for international collaboration through
multi-layer verification including anonymous expert evaluations. The reviewer's
identity is sealed: evaluators see only their own assignments, editors see
scores under pseudonyms (Reviewer A, B, ...), and only evaluation managers see
who reviewed what.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Track
from rdportfolio.core.models import TimeStampedModel, year_field, year_in_range
from technologies.models import Technology, TechnologyStatus


class EvaluationRound(TimeStampedModel):
    """A selection round, e.g. the 2024 call for leapfrogging technologies."""

    name_ko = models.CharField(_("Korean name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    fiscal_year = year_field(_("fiscal year"))
    # Which track's candidates the round selects. Empty only on rounds made before rounds had
    # a track and holding no assignment to tell it; such a round takes none until it is set.
    track = models.CharField(
        _("track"),
        max_length=20,
        choices=Track.choices,
        help_text=_("Only candidate technologies of this track can be assigned in the round."),
    )
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(table_name="technologies_historicalevaluationround")

    class Meta:
        # The tables of the technologies app, where evaluations lived before they had their own.
        db_table = "technologies_evaluationround"
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

    history = HistoricalRecords(table_name="technologies_historicalevaluationlayer")

    class Meta:
        db_table = "technologies_evaluationlayer"
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
        if user.is_superuser or user.has_perm("evaluations.view_evaluationassignment"):
            if user.has_perm("evaluations.review_evaluationassignment") and not (
                user.is_superuser or user.has_perm("evaluations.see_reviewers")
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
    # Not a field: set on an instance being submitted, for clean() (annotated, never assigned).
    submitting: bool

    objects = EvaluationAssignmentQuerySet.as_manager()
    # The history keeps every score change, but neither the reviewer nor the user who saved it.
    history = HistoricalRecords(
        excluded_fields=["reviewer"],
        get_user=lambda **kwargs: None,
        table_name="technologies_historicalevaluationassignment",
    )

    class Meta:
        db_table = "technologies_evaluationassignment"
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

    def _candidate_errors(self) -> dict:
        """A round reviews candidates of its own track: checked when a technology is assigned
        (not later, when a selected technology's old reviews are read or submitted)."""
        if self.layer_id is None or self.technology_id is None:
            return {}
        if self.pk is not None:
            stored = (
                EvaluationAssignment.objects.filter(pk=self.pk)
                .values_list("layer_id", "technology_id")
                .first()
            )
            if stored == (self.layer_id, self.technology_id):
                return {}
        round_ = self.layer.round
        technology = self.technology
        if not round_.track:
            return {"layer": _("Set the round's track before assigning technologies to it.")}
        if technology.program.track != round_.track:
            return {
                "technology": _(
                    "%(code)s is a %(its)s technology; this round reviews %(track)s candidates."
                )
                % {
                    "code": technology.code,
                    "its": technology.program.get_track_display(),
                    "track": round_.get_track_display(),
                }
            }
        if technology.status != TechnologyStatus.CANDIDATE:
            return {
                "technology": _(
                    "%(code)s is %(status)s, not a candidate: only candidates are reviewed."
                )
                % {"code": technology.code, "status": technology.get_status_display()}
            }
        return {}

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
        errors = self._candidate_errors()
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
