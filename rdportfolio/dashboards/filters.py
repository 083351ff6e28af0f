"""The pages' filters: plain GET forms, so that every view of a page is a shareable URL.

The technology list's filters are a django-filter filter set whose queries are
the technology queryset's own (``search``, ``with_partner_country``), the same
ones the API's filters call.
"""

from typing import cast

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from budgets.models import Basis
from partners.models import InstitutionKind
from programs.models import Track
from technologies.models import Technology, TechnologyStatus

from .labels import country_label, name_of

SORT_CHOICES = [
    ("code", _("Code")),
    ("name", _("Name")),
    ("track", _("Track")),
    ("field", _("Field")),
    ("status", _("Status")),
    ("-planned_won", _("Planned budget, largest first")),
    ("-international_won", _("International budget, largest first")),
    ("-partner_count", _("Partners, most first")),
]
RING_CHOICES = [("status", _("Status")), ("horizon", _("Horizon"))]


def _second(pair: tuple[str, str]) -> str:
    return pair[1]


class BasisForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("Basis"), choices=Basis.choices, required=False, initial=Basis.PLANNED
    )

    def basis_value(self) -> str:
        return (self.cleaned_data.get("basis") if self.is_valid() else None) or Basis.PLANNED


class PartnerPageForm(BasisForm):
    """The partners page: a year (else all years), a partner country, a kind, a text."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    country = forms.ChoiceField(label=_("Partner country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)

    def __init__(self, *args, partner_countries, **kwargs):
        super().__init__(*args, **kwargs)
        named = sorted(((code, country_label(code)) for code in partner_countries), key=_second)
        cast(forms.ChoiceField, self.fields["country"]).choices = [
            ("", str(_("All countries"))),
            *named,
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("All kinds")),
            *InstitutionKind.choices,
        ]

    def value(self, name):
        return self.cleaned_data.get(name) or None if self.is_bound and self.is_valid() else None


class GapYearForm(forms.Form):
    """The year whose gap the overview breaks down: one of the years the figures cover."""

    gap_year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["gap_year"]).choices = [(year, year) for year in years]
        self.fields["gap_year"].error_messages["invalid_choice"] = _(
            "%(value)s is not a year the figures cover (%(first)s–%(last)s)."
        ) % {
            "value": "%(value)s",
            "first": years[0] if years else "–",
            "last": years[-1] if years else "–",
        }


class TechnologyPageForm(forms.Form):
    """What the list shows besides its filters: the order, and the radar's year and rings."""

    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    year = forms.IntegerField(label=_("Radar year"), required=False, min_value=2000, max_value=2100)
    rings = forms.ChoiceField(label=_("Radar rings"), required=False, choices=RING_CHOICES)

    def clean_year(self):
        year = self.cleaned_data.get("year")
        this_year = timezone.localdate().year
        if year is not None and year > this_year:
            raise forms.ValidationError(
                _("The radar shows statuses up to this year (%(year)s), not later."),
                params={"year": this_year},
            )
        return year


class TechnologyPageFilter(django_filters.FilterSet):
    """Text, track, field, status and partner country; the fields' and countries' choices are
    the ones in the portfolio, named in the reader's language."""

    q = django_filters.CharFilter(
        label=_("Search"), method="filter_search", max_length=100, strip=True
    )
    track = django_filters.ChoiceFilter(
        label=_("Track"),
        field_name="program__track",
        choices=Track.choices,
        empty_label=_("All tracks"),
    )
    field = django_filters.ChoiceFilter(
        label=_("Field"), field_name="field__code", empty_label=_("All fields")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TechnologyStatus.choices, empty_label=_("All statuses")
    )
    country = django_filters.ChoiceFilter(
        label=_("Partner country"), method="filter_country", empty_label=_("All countries")
    )

    class Meta:
        model = Technology
        fields = ["q", "track", "field", "status", "country"]
        form = TechnologyPageForm

    def __init__(self, *args, fields, partner_countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["field"].extra["choices"] = [(f.code, name_of(f)) for f in fields]
        self.filters["country"].extra["choices"] = sorted(
            ((code, country_label(code)) for code in partner_countries), key=_second
        )

    def filter_queryset(self, queryset):
        # The form also holds display options (sort, year, rings) that filter nothing.
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def filter_search(self, queryset, name, value):
        # The matching technologies read once (210 at most): the page's list, its count, its
        # status totals and its radar each ran the text search over every project and
        # partner again (13 ms a statement at 14,000 projects).
        matching = list(queryset.model.objects.search(value).values_list("pk", flat=True))
        return queryset.filter(pk__in=matching)

    def filter_country(self, queryset, name, value):
        return queryset.with_partner_country(value)

    def options(self) -> dict:
        """The display options (sort, radar year and rings) that were given (after is_valid())."""
        data = self.form.cleaned_data
        return {k: data[k] for k in ("sort", "year", "rings") if data.get(k) not in ("", None)}
