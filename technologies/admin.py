"""Fields, technologies and projects in the admin; other apps add their rows under a project."""

from django.contrib import admin

from rdportfolio.core.admin import NamedCellsMixin, PortfolioModelAdmin, TabularExportMixin

from .models import Field, Project, Technology, TechnologyStatusChange

# Staff work top-down: a project's collaborations and budget lines sit under it. Those models
# live in higher apps, which add their inlines here (in app order) instead of replacing the
# project admin: ``project_inline_add(CollaborationInline)``.
PROJECT_INLINES: list[type[admin.options.InlineModelAdmin]] = []


def project_inline_add(inline: type[admin.options.InlineModelAdmin]) -> None:
    if inline not in PROJECT_INLINES:
        PROJECT_INLINES.append(inline)


@admin.register(Field)
class FieldAdmin(PortfolioModelAdmin):
    list_display = ("code", "name_ko", "name_en")
    search_fields = ("code", "name_ko", "name_en")


class ProjectInline(NamedCellsMixin, admin.TabularInline):
    model = Project
    extra = 0
    show_change_link = True
    fields = ("project_number", "title_ko", "lead_organisation", "start_year", "end_year", "status")


class StatusChangeInline(NamedCellsMixin, admin.TabularInline):
    # Saving a new status records today's date; editors backdate it here when the change
    # happened earlier (the radar's year-to-year movement reads these dates).
    model = TechnologyStatusChange
    extra = 0
    fields = ("changed_on", "status", "note")
    ordering = ("changed_on", "id")


@admin.register(Technology)
class TechnologyAdmin(TabularExportMixin, PortfolioModelAdmin):
    import_kind = "technologies"
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
    inlines = [ProjectInline, StatusChangeInline]


@admin.register(TechnologyStatusChange)
class TechnologyStatusChangeAdmin(PortfolioModelAdmin):
    list_display = ("technology", "changed_on", "status", "note")
    list_filter = ("status", "technology__program__track", "changed_on")
    list_select_related = ("technology",)
    search_fields = ("technology__code", "technology__name_ko", "technology__name_en", "note")
    autocomplete_fields = ("technology",)
    date_hierarchy = "changed_on"


@admin.register(Project)
class ProjectAdmin(TabularExportMixin, PortfolioModelAdmin):
    import_kind = "projects"
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

    def get_inlines(self, request, obj):
        return [*self.inlines, *PROJECT_INLINES]
