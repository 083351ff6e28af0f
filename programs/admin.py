from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from rdportfolio.core.admin import NamedCellsMixin, PortfolioModelAdmin, won_column
from rdportfolio.core.won_input import WonInputMixin

from .models import Program, ProgramYearPlan, PublishedFigure


class ProgramYearPlanInline(NamedCellsMixin, WonInputMixin, admin.TabularInline):
    model = ProgramYearPlan
    extra = 0
    fields = ("fiscal_year", "planned_won", "technologies_started", "source", "is_synthetic")


@admin.register(Program)
class ProgramAdmin(PortfolioModelAdmin):
    list_display = (
        "name_ko",
        "name_en",
        "track",
        "target_technology_count",
        "commercialisation_horizon_years",
        "start_year",
        "end_year",
        "planned_total",
        "is_synthetic",
    )
    list_filter = ("track", "is_synthetic")
    search_fields = ("name_ko", "name_en")
    inlines = [ProgramYearPlanInline]
    planned_total = won_column("planned_total_won", _("planned total"))


@admin.register(ProgramYearPlan)
class ProgramYearPlanAdmin(PortfolioModelAdmin):
    list_display = ("program", "fiscal_year", "planned", "technologies_started", "source")
    list_filter = ("program__track", "fiscal_year")
    list_select_related = ("program",)
    search_fields = ("program__name_ko", "program__name_en")
    planned = won_column("planned_won", _("published plan"))


@admin.register(PublishedFigure)
class PublishedFigureAdmin(PortfolioModelAdmin):
    list_display = ("code", "description_ko", "fiscal_year", "amount", "quantity", "unit", "source")
    list_filter = ("fiscal_year", "is_synthetic")
    search_fields = ("code", "description_ko", "description_en")
    amount = won_column("amount_won", _("amount"))
