"""Small pieces every app's admin uses."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from simple_history.admin import SimpleHistoryAdmin

from .money import format_won

TIMESTAMPS = ("created_at", "updated_at")
PROVENANCE = ("source", "is_synthetic")


class PortfolioModelAdmin(SimpleHistoryAdmin):
    """The base of every portfolio admin: what the row is about first, where it came from last.

    The "History" page lists every version of the row with who changed it and when (from
    django-simple-history); users who may change the row can revert to an earlier version.
    """

    readonly_fields = TIMESTAMPS

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history would save a read-only user's POST as an empty change (and an
        # audit entry in their name): reverting is for those who may change the row.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        tail = [f for f in (*PROVENANCE, *TIMESTAMPS) if f in fields]
        return [f for f in fields if f not in tail] + tail


def won_column(field_name: str, description):
    """A changelist column that shows whole won as 억 원 / 조 원 and sorts by the raw amount."""

    @admin.display(description=description, ordering=field_name)
    def column(self, obj):
        return format_won(getattr(obj, field_name))

    column.__name__ = f"{field_name}_display"
    return column


def country_filter(lookup: str, institution_model):
    """A list filter offering only the countries that institutions are actually in.

    Django's default would list all 249 ISO countries.
    """

    class CountryListFilter(admin.SimpleListFilter):
        title = _("country")
        parameter_name = "country"

        def lookups(self, request, model_admin):
            codes = (
                institution_model.objects.order_by().values_list("country", flat=True).distinct()
            )
            return sorted(
                ((code, countries.name(code)) for code in codes), key=lambda pair: str(pair[1])
            )

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{lookup: self.value()})
            return queryset

    return CountryListFilter
