"""Filters of the dashboard pages: plain GET forms, so every view is a shareable URL."""

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from programs.models import Track
from technologies.models import Field, TechnologyStatus

from .models import Basis

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


def _blank(label):
    return [("", label)]


class BasisForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("Basis"), choices=Basis.choices, required=False, initial=Basis.PLANNED
    )

    def basis_value(self) -> str:
        return (self.cleaned_data.get("basis") if self.is_valid() else None) or Basis.PLANNED


class TechnologyFilterForm(forms.Form):
    """Track, field, status, partner country and text search; sort; the radar's year and rings."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    track = forms.ChoiceField(label=_("Track"), required=False)
    field = forms.ChoiceField(label=_("Field"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    country = forms.ChoiceField(label=_("Partner country"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    year = forms.IntegerField(label=_("Radar year"), required=False, min_value=2000, max_value=2100)
    rings = forms.ChoiceField(label=_("Radar rings"), required=False, choices=RING_CHOICES)

    def __init__(self, *args, fields: list[Field], partner_countries: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = _blank(_("All tracks")) + list(Track.choices)
        self.fields["field"].choices = _blank(_("All fields")) + [
            (f.code, f.name_ko if _korean() else f.name_en) for f in fields
        ]
        self.fields["status"].choices = _blank(_("All statuses")) + list(TechnologyStatus.choices)
        self.fields["country"].choices = _blank(_("All countries")) + sorted(
            ((code, countries.name(code)) for code in partner_countries), key=lambda c: c[1]
        )

    def clean_year(self):
        year = self.cleaned_data.get("year")
        this_year = timezone.localdate().year
        if year is not None and year > this_year:
            raise forms.ValidationError(
                _("The radar shows statuses up to this year (%(year)s), not later."),
                params={"year": this_year},
            )
        return year

    def filters(self) -> dict:
        """The cleaned filters, blanks dropped (call after is_valid())."""
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


def _korean() -> bool:
    return (get_language() or "ko").startswith("ko")
