"""Institutions, centres, collaborations, dispatches and IP agreements in the admin."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.admin import (
    NamedCellsMixin,
    PortfolioModelAdmin,
    TabularExportMixin,
    country_filter,
    won_column,
)
from rdportfolio.core.won_input import WonInputMixin
from technologies.admin import project_inline_add

from .models import (
    Collaboration,
    CooperationCenter,
    Institution,
    IPAgreement,
    ResearcherDispatch,
)


@admin.register(Institution)
class InstitutionAdmin(TabularExportMixin, PortfolioModelAdmin):
    import_kind = "institutions"
    list_display = ("name", "name_ko", "country", "kind", "city", "is_synthetic")
    list_filter = (country_filter("country", Institution), "kind", "is_synthetic")
    search_fields = ("name", "name_ko", "city")
    # Staff paste "www.mit.edu"; read it as https, as Django 6 will.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(CooperationCenter)
class CooperationCenterAdmin(PortfolioModelAdmin):
    list_display = ("name_ko", "name_en", "institution", "country", "opened_year", "status")
    list_filter = ("status", country_filter("institution__country", Institution))
    list_select_related = ("institution",)
    search_fields = ("name_ko", "name_en", "institution__name")
    filter_horizontal = ("fields",)
    autocomplete_fields = ("institution",)

    @admin.display(description=_("country"), ordering="institution__country")
    def country(self, obj):
        return obj.institution.country.name


SEE_RESEARCHER_NAMES = "partners.see_researcher_names"

if TYPE_CHECKING:  # what the mixin goes with, for its super() calls; a plain class at run time
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


class NamesOnlyForStaffMixin(_AdminBase):
    """Every admin page of dispatches shows names (rows, titles, history): only for those whose
    role includes the names. Others count dispatches through the API and the dashboards."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(SEE_RESEARCHER_NAMES) and super().has_view_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(SEE_RESEARCHER_NAMES) and super().has_change_permission(
            request, obj
        )

    def has_add_permission(self, request, *args):
        # ModelAdmin's takes (request), an inline's (request, obj).
        return request.user.has_perm(SEE_RESEARCHER_NAMES) and super().has_add_permission(
            request, *args
        )

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(SEE_RESEARCHER_NAMES) and super().has_delete_permission(
            request, obj
        )


class ResearcherDispatchInline(NamedCellsMixin, NamesOnlyForStaffMixin, admin.TabularInline):
    model = ResearcherDispatch
    extra = 0
    fields = (
        "researcher_name",
        "home_organisation",
        "start_date",
        "end_date",
        "status",
        "direct_participation_confirmed",
    )


class IPAgreementInline(WonInputMixin, admin.StackedInline):
    model = IPAgreement
    extra = 0
    max_num = 1
    fields = (
        ("domestic_share_percent", "foreign_share_percent"),
        "implementation_right",
        "territory",
        ("signed_on", "term_years"),
        "source",
    )


class CollaborationInline(NamedCellsMixin, WonInputMixin, admin.TabularInline):
    """Collaborations as rows under their project."""

    model = Collaboration
    extra = 0
    show_change_link = True
    fields = ("institution", "role", "center", "start_year", "end_year", "contribution_won")
    autocomplete_fields = ("institution", "center")


# Staff work top-down: a project's collaborations sit under it.
project_inline_add(CollaborationInline)


@admin.register(Collaboration)
class CollaborationAdmin(TabularExportMixin, PortfolioModelAdmin):
    import_kind = "collaborations"
    list_display = (
        "project",
        "institution",
        "country",
        "role",
        "start_year",
        "end_year",
        "contribution",
    )
    list_filter = (
        country_filter("institution__country", Institution),
        "role",
        "project__technology__program__track",
        "project__technology__field",
    )
    list_select_related = ("project", "institution")
    search_fields = (
        "project__project_number",
        "project__title_ko",
        "institution__name",
        "institution__name_ko",
    )
    autocomplete_fields = ("project", "institution", "center")
    inlines = [ResearcherDispatchInline, IPAgreementInline]
    contribution = won_column("contribution_won", _("contribution"))

    @admin.display(description=_("country"), ordering="institution__country")
    def country(self, obj):
        return obj.institution.country.name


@admin.register(ResearcherDispatch)
class ResearcherDispatchAdmin(NamesOnlyForStaffMixin, PortfolioModelAdmin):
    list_display = (
        "researcher_name",
        "home_organisation",
        "host",
        "start_date",
        "end_date",
        "status",
        "direct_participation_confirmed",
    )
    list_filter = (
        "status",
        "direct_participation_confirmed",
        country_filter("collaboration__institution__country", Institution),
    )
    list_select_related = ("collaboration__institution",)
    search_fields = ("researcher_name", "home_organisation", "collaboration__institution__name")
    autocomplete_fields = ("collaboration",)

    @admin.display(description=_("host institution"), ordering="collaboration__institution__name")
    def host(self, obj):
        return obj.collaboration.institution


@admin.register(IPAgreement)
class IPAgreementAdmin(TabularExportMixin, PortfolioModelAdmin):
    import_kind = "ip_agreements"
    list_display = (
        "collaboration",
        "domestic_share_percent",
        "foreign_share_percent",
        "implementation_right",
        "territory",
        "term_years",
    )
    list_filter = ("implementation_right",)
    list_select_related = ("collaboration__project", "collaboration__institution")
    search_fields = ("collaboration__project__project_number", "collaboration__institution__name")
    autocomplete_fields = ("collaboration",)
