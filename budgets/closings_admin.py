"""Closing and reopening fiscal years in the admin: acts, not edits.

The list shows every closing and reopening; "add" is the closing form and each closing has a
reopen form with its reason. Both call the services (``fiscal_year_close``,
``fiscal_year_reopen``), which refuse what cannot be and ask to confirm a KPI figure that
would move by more than the threshold. A closing's own fields are never edited, reverted or
deleted: reopening is how a closing is undone, and its history keeps both.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.admin import PortfolioModelAdmin
from rdportfolio.core.models import MAX_YEAR, MIN_YEAR

from .models import YearClosing
from .services import ClosingRefused, FigureMoveUnconfirmed, fiscal_year_close, fiscal_year_reopen

CONFIRM_LABEL = _("Yes, change the KPI as said above")


class YearCloseForm(forms.Form):
    fiscal_year = forms.IntegerField(label=_("fiscal year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    closed_on = forms.DateField(
        label=_("closed on"),
        widget=AdminDateWidget,
        help_text=_("The day of the act that closed the year (the settled accounts' approval)."),
    )
    source = forms.CharField(
        label=_("source"),
        max_length=500,
        required=False,
        help_text=_("The act: its name, number or where it was published."),
    )
    confirm_kpi_change = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class YearReopenForm(forms.Form):
    reopen_reason = forms.CharField(
        label=_("reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the closing's history."),
    )
    confirm_kpi_change = forms.BooleanField(label=CONFIRM_LABEL, required=False)


class YearClosingAdmin(PortfolioModelAdmin):
    list_display = (
        "fiscal_year",
        "closed_on",
        "closed_by",
        "standing",
        "reopened_at",
        "reopened_by",
        "reopen_reason",
        "source",
        "is_synthetic",
    )
    list_filter = ("fiscal_year",)
    list_select_related = ("closed_by", "reopened_by")

    def get_urls(self):
        reopen = path(
            "<int:closing_id>/reopen/",
            self.admin_site.admin_view(self.reopen_view),
            name="budgets_yearclosing_reopen",
        )
        return [reopen, *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("in force"), boolean=True)
    def standing(self, obj):
        return obj.is_standing

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = YearCloseForm(request.POST or None, initial={"closed_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                closing = fiscal_year_close(
                    fiscal_year=data["fiscal_year"],
                    closed_on=data["closed_on"],
                    closed_by=request.user,
                    source=data["source"],
                    confirmed=data["confirm_kpi_change"],
                )
            except ClosingRefused as refused:
                form.add_error(refused.field, refused.message)
            except FigureMoveUnconfirmed as unconfirmed:
                form.add_error("confirm_kpi_change", unconfirmed.message)
            else:
                self.message_user(
                    request,
                    _(
                        "%(year)s is closed: its executed spending is its KPI figure from the "
                        "next recompute on."
                    )
                    % {"year": closing.fiscal_year},
                    messages.SUCCESS,
                )
                return redirect("admin:budgets_yearclosing_changelist")
        return self._form_page(request, form, _("Close a fiscal year"), None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        closing = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if closing is not None and closing.is_standing and self.has_change_permission(request):
            url = reverse("admin:budgets_yearclosing_reopen", args=[closing.pk])
            extra["reopen_link"] = format_html(
                '<a class="button" href="{}">{}</a>', url, _("Reopen")
            )
        return super().change_view(request, object_id, form_url, extra)

    def reopen_view(self, request, closing_id: int):
        if not self.has_change_permission(request):
            raise PermissionDenied
        closing = get_object_or_404(YearClosing, pk=closing_id)
        form = YearReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                fiscal_year_reopen(
                    closing_id=closing.pk,
                    reopened_by=request.user,
                    reason=form.cleaned_data["reopen_reason"],
                    confirmed=form.cleaned_data["confirm_kpi_change"],
                )
            except ClosingRefused as refused:
                form.add_error(refused.field, refused.message)
            except FigureMoveUnconfirmed as unconfirmed:
                form.add_error("confirm_kpi_change", unconfirmed.message)
            else:
                self.message_user(
                    request,
                    _("%(year)s is open again: its KPI figure is its plan until it is closed.")
                    % {"year": closing.fiscal_year},
                    messages.SUCCESS,
                )
                return redirect("admin:budgets_yearclosing_changelist")
        title = _("Reopen %(year)s") % {"year": closing.fiscal_year}
        return self._form_page(request, form, title, closing)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A closing is undone by reopening it, never by reverting it to an earlier version.
        raise PermissionDenied

    def _form_page(self, request, form, title, closing):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "closing": closing,
        }
        return TemplateResponse(request, "admin/budgets/yearclosing/act.html", context)
