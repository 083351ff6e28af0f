from django.contrib import admin

from rdportfolio.admin_utils import PortfolioModelAdmin

from .models import Field, Project, Technology


@admin.register(Field)
class FieldAdmin(PortfolioModelAdmin):
    list_display = ("code", "name_ko", "name_en")
    search_fields = ("code", "name_ko", "name_en")


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    show_change_link = True
    fields = ("project_number", "title_ko", "lead_organisation", "start_year", "end_year", "status")


@admin.register(Technology)
class TechnologyAdmin(PortfolioModelAdmin):
    list_display = (
        "code",
        "name_ko",
        "name_en",
        "program",
        "field",
        "status",
        "target_commercialisation_year",
        "is_synthetic",
    )
    list_filter = ("program__track", "field", "status", "is_synthetic")
    list_select_related = ("program", "field")
    search_fields = ("code", "name_ko", "name_en")
    autocomplete_fields = ("field",)
    inlines = [ProjectInline]


@admin.register(Project)
class ProjectAdmin(PortfolioModelAdmin):
    list_display = (
        "project_number",
        "title_ko",
        "technology",
        "lead_organisation",
        "start_year",
        "end_year",
        "status",
    )
    list_filter = (
        "technology__program__track",
        "technology__field",
        "status",
        "development_phase",
        "start_year",
    )
    list_select_related = ("technology",)
    search_fields = (
        "project_number",
        "title_ko",
        "title_en",
        "lead_organisation",
        "technology__name_ko",
        "technology__name_en",
    )
    autocomplete_fields = ("technology",)
