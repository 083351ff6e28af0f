"""The blind evaluation in the admin: one table, three views (managers, editors, evaluators)."""

from typing import cast

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models.constants import LOOKUP_SEP
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from rdportfolio.core import roles
from rdportfolio.core.admin import NamedCellsMixin, PortfolioModelAdmin
from rdportfolio.core.admin_stale import UnchangedSinceOpenedForm

from .models import (
    EvaluationAssignment,
    EvaluationAssignmentQuerySet,
    EvaluationLayer,
    EvaluationRound,
)
from .services import assignment_submit


class LayerInline(NamedCellsMixin, admin.TabularInline):
    model = EvaluationLayer
    extra = 0
    fields = ("order", "kind")


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(PortfolioModelAdmin):
    list_display = ("name_ko", "name_en", "fiscal_year", "track")
    list_filter = ("fiscal_year", "track")
    search_fields = ("name_ko", "name_en")
    inlines = [LayerInline]


@admin.register(EvaluationLayer)
class EvaluationLayerAdmin(PortfolioModelAdmin):
    list_display = ("round", "order", "kind")
    list_filter = ("round", "kind")
    list_select_related = ("round",)
    readonly_fields = (*PortfolioModelAdmin.readonly_fields, "results")

    @admin.display(description=_("results under pseudonyms"))
    def results(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        rows = (
            obj.assignments.filter(submitted_at__isnull=False)
            .select_related("technology")
            .order_by("technology__code", "pseudonym")
        )
        by_technology: dict = {}
        for row in rows:
            by_technology.setdefault(row.technology, []).append(row)
        if not by_technology:
            return _("No review submitted yet.")
        yes, no = _("yes"), _("no")
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 - a constant
            "<strong>{}</strong>: {} · {} {} · {} {}/{}",
            (
                (
                    technology.code,
                    ", ".join(
                        f"{r.reviewer_label} {r.score} ({yes if r.cooperation_essential else no})"
                        for r in reviews
                    ),
                    _("mean"),
                    f"{sum(r.score for r in reviews) / len(reviews):.1f}",
                    _("cooperation essential"),
                    sum(1 for r in reviews if r.cooperation_essential),
                    len(reviews),
                )
                for technology, reviews in by_technology.items()
            ),
        )


REVIEW_FIELDS = ("has_conflict", "conflict_statement", "score", "cooperation_essential", "reasons")


class AssignmentForm(UnchangedSinceOpenedForm):
    submit = forms.BooleanField(
        label=_("Submit the review"),
        required=False,
        help_text=_("Once submitted, the review can no longer be changed."),
    )

    class Meta:
        model = EvaluationAssignment
        fields = ("layer", "technology", "reviewer", *REVIEW_FIELDS)

    def clean(self):
        cleaned = super().clean()
        # The model's clean() checks a submission is complete (declaration, score, verdict).
        self.instance.submitting = bool(cleaned.get("submit"))
        return cleaned


REVIEWER_NAMES = {"reviewer", "reviewer_id"}


@admin.register(EvaluationAssignment)
class EvaluationAssignmentAdmin(PortfolioModelAdmin):
    """Three views of one table: managers see reviewers, editors pseudonyms, evaluators their own."""

    form = AssignmentForm
    # The reviewer column is shown to managers only; joining it always keeps one query.
    list_select_related = ("technology", "layer__round", "reviewer")
    list_filter = ("layer__round", "layer__kind", "technology__program__track")
    search_fields = ("technology__code", "technology__name_ko", "technology__name_en")

    @staticmethod
    def sees_reviewers(request) -> bool:
        return request.user.is_superuser or request.user.has_perm("evaluations.see_reviewers")

    def reviews_only(self, request) -> bool:
        return request.user.has_perm(
            "evaluations.review_evaluationassignment"
        ) and not self.sees_reviewers(request)

    def get_queryset(self, request):
        # The default manager's queryset (objects): the stubs see a plain QuerySet.
        queryset = cast(EvaluationAssignmentQuerySet, super().get_queryset(request))
        return queryset.visible_to(request.user)

    def get_list_display(self, request):
        columns = [
            "technology",
            "layer",
            "reviewer_label",
            "state",
            "score",
            "cooperation_essential",
        ]
        if self.sees_reviewers(request):
            columns.insert(3, "reviewer")
        return columns

    def get_list_filter(self, request):
        if self.sees_reviewers(request):
            return (*self.list_filter, "reviewer")
        return self.list_filter

    def get_search_fields(self, request):
        if self.sees_reviewers(request):
            return (*self.search_fields, "reviewer__username", "reviewer__last_name")
        return self.search_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("layer", "technology", "reviewer")
        if self.sees_reviewers(request):
            head = ["layer", "technology", "technology_summary", "reviewer", "reviewer_label"]
        else:
            # Plain text, not links: evaluators may not open the layer or the technology.
            head = ["layer_label", "technology_label", "technology_summary", "reviewer_label"]
        tail = ["submitted_at", "created_at", "updated_at"]
        if self.reviews_only(request) and obj.submitted_at is None:
            return [*head, *REVIEW_FIELDS, "submit", *tail]
        return [*head, *REVIEW_FIELDS, *tail]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        fixed = ["layer", "technology", "technology_summary", "reviewer_label", "submitted_at"]
        fixed += ["reviewer", "created_at", "updated_at", "layer_label", "technology_label"]
        if self.reviews_only(request) and obj.submitted_at is None:
            return fixed
        # Scores are the reviewer's alone: managers assign, editors read.
        return [*fixed, *REVIEW_FIELDS]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = [
            f
            for f in flatten_fieldsets(self.get_fieldsets(request, obj))
            if f not in self.get_readonly_fields(request, obj) and f != "submit"
        ]
        return super().get_form(request, obj, change=change, **kwargs)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is not None and self.reviews_only(request):
            return obj.reviewer_id == request.user.pk and obj.submitted_at is None
        return True

    def has_view_permission(self, request, obj=None):
        if obj is not None and self.reviews_only(request) and obj.reviewer_id != request.user.pk:
            return False
        return super().has_view_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The History button only where the history page opens (managers).
        extra = {"show_history": self.sees_reviewers(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def history_view(self, request, object_id, extra_context=None):
        # Who saved which version would tell who reviewed what: managers only.
        if not self.sees_reviewers(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A version page shows its reviewer and who saved it: as closed as the list of versions.
        if not self.sees_reviewers(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def lookup_allowed(self, lookup, value, request=None):
        # ?reviewer__id__exact=5 (or reviewer, reviewer_id, reviewer__username, ...) would gather
        # one reviewer's scores across technologies: a lookup on the reviewer is for managers.
        # Django refuses a disallowed lookup with a 400.
        if REVIEWER_NAMES & set(lookup.split(LOOKUP_SEP)) and not self.sees_reviewers(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(groups__name=roles.EVALUATOR, is_active=True)
                .order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("submit"):
            assignment_submit(
                assignment=obj, **{name: getattr(obj, name) for name in REVIEW_FIELDS}
            )
        else:
            super().save_model(request, obj, form, change)

    @admin.display(description=_("pseudonym"), ordering="pseudonym")
    def reviewer_label(self, obj):
        return obj.reviewer_label

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.submitted_at:
            return _("Submitted")
        if obj.has_conflict:
            return _("Conflict declared")
        return _("Open")

    @admin.display(description=_("evaluation layer"))
    def layer_label(self, obj):
        return str(obj.layer)

    @admin.display(description=_("candidate technology"))
    def technology_label(self, obj):
        return str(obj.technology)

    @admin.display(description=_("technology"))
    def technology_summary(self, obj):
        technology = obj.technology
        return format_html(
            "{} / {}<br><small>{}</small>",
            technology.name_ko,
            technology.name_en,
            technology.value_chain_rationale or technology.value_chain_rationale_en or "",
        )
