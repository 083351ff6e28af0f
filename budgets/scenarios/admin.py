"""Scenarios in the admin, for ministry staff: drafts edited with their adjustments inline,
checked by the scenario engine before anything is saved; published ones read-only. Results
are the system's: shown, never edited."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.admin import NamedCellsMixin, PortfolioModelAdmin, ReadOnlyAdminMixin
from rdportfolio.core.won_input import SignedWonFormField, WonInputMixin

from .engine import AdjustmentError
from .models import Adjustment, Scenario, ScenarioResult
from .services import scenario_check, scenario_result_request


class AdjustmentInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """The adjustments as they will be saved, in order, through the engine: a refusal is
        put on the row and field it names, and nothing is saved."""
        super().clean()
        if any(form.errors for form in self.forms):
            return
        kept = [
            form for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda form: form.cleaned_data.get("position") or 0)
        changes = [form.save(commit=False).as_change(number) for number, form in enumerate(kept, 1)]
        try:
            scenario_check(changes)
        except AdjustmentError as error:
            form = kept[error.number - 1] if 1 <= error.number <= len(kept) else None
            if form is None:
                raise ValidationError(error.message) from error
            field = error.field_name if error.field_name in form.fields else None
            form.add_error(field, error.message)
            raise ValidationError(
                _("Adjustment %(n)s: %(message)s") % {"n": error.number, "message": error.message}
            ) from error


class AdjustmentInline(NamedCellsMixin, WonInputMixin, admin.StackedInline):
    model = Adjustment
    formset = AdjustmentInlineFormSet
    extra = 0
    autocomplete_fields = ("technology",)
    fields = (
        ("position", "kind"),
        ("track", "field", "technology", "country"),
        ("from_year", "to_year"),
        ("amount_won", "percent"),
        ("partner_country", "slip_years"),
        "note",
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "amount_won":  # signed: a change of the ministry total may be a cut
            kwargs["form_class"] = SignedWonFormField
            return db_field.formfield(**kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_published)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not (obj and obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)


@admin.register(Scenario)
class ScenarioAdmin(PortfolioModelAdmin):
    list_display = ("name", "status", "owner", "revision", "updated_at", "result_status", "page")
    list_filter = ("status",)
    list_select_related = ("owner",)
    search_fields = ("name", "description")
    inlines = [AdjustmentInline]
    fields = ("name", "description", "status", "published_at", "owner", "revision_of", "revision")
    readonly_fields = ("status", "published_at", "owner", "revision_of", "revision")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj and obj.is_published)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.is_published)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        obj.save()

    def save_related(self, request, form, formsets, change):
        adjustments_changed = any(formset.has_changed() for formset in formsets)
        super().save_related(request, form, formsets, change)
        scenario = form.instance
        if adjustments_changed or not change:
            # Positions as the rows were ordered: 1, 2, 3 ...; a new revision, new figures.
            with transaction.atomic():
                ordered = list(scenario.adjustments.order_by("position", "pk"))
                for number, adjustment in enumerate(ordered, 1):
                    if adjustment.position != number:
                        Adjustment.objects.filter(pk=adjustment.pk).update(position=number)
                if change:
                    Scenario.objects.filter(pk=scenario.pk).update(revision=scenario.revision + 1)
                    scenario.refresh_from_db()
                scenario_result_request(scenario=scenario)

    def get_queryset(self, request):
        # One rule with the API and the pages: drafts are their editors' (Scenario.visible_to).
        visible = Scenario.objects.visible_to(request.user)
        return super().get_queryset(request).filter(pk__in=visible).prefetch_related("results")

    def history_view(self, request, object_id, extra_context=None):
        # simple-history draws a row its queryset hides from its last history record (as for a
        # deleted one): a reader would see a draft, or a deleted draft, by name that way.
        if not request.user.has_perm("scenarios.change_scenario"):
            if self.get_object(request, object_id) is None:
                # Django's own answer to an id its queryset does not hold (a private method).
                redirect = self._get_obj_does_not_exist_redirect  # type: ignore[attr-defined]
                return redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    @admin.display(description=_("figures"))
    def result_status(self, obj):
        result = obj.current_result()  # prefetched: constant queries for the list
        return result.get_status_display() if result else "–"

    @admin.display(description=_("page"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("dashboards:scenario", args=[obj.pk]), _("open")
        )


@admin.register(ScenarioResult)
class ScenarioResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("id", "scenario", "scenario_revision", "status", "finished_at", "line_count")
    list_filter = ("status",)
    list_select_related = ("scenario",)
    readonly_fields = [f.name for f in ScenarioResult._meta.fields]

    def get_queryset(self, request):
        visible = Scenario.objects.visible_to(request.user)
        return super().get_queryset(request).filter(scenario__in=visible)
