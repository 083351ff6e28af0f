"""The scenario editor's forms: the scenario, its ordered adjustments, the solver's question.

Plain forms: what an adjustment means (more than the scope holds, a closed year, an empty
scope) is the engine's to say; its refusal is put on the form and field it names.
"""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from budgets.scenarios.engine import Kind
from budgets.scenarios.models import Scenario
from budgets.scenarios.solve import BY, SOURCES
from programs.models import Track
from rdportfolio.core.models import MAX_YEAR, MIN_YEAR
from rdportfolio.core.won_input import SignedWonFormField, WonFormField
from technologies.models import Field, Technology


def _countries(blank_label):
    # A callable: the names are read in the reader's language when the form is built.
    return lambda: [("", blank_label), *countries]


def _scope_countries():
    return [("", _("Any")), *countries]


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class AdjustmentForm(forms.Form):
    # A blank first choice: the empty row for a new adjustment stays unchanged, not a "shift".
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *Kind.choices])
    track = forms.ChoiceField(
        label=_("track"), choices=[("", _("All tracks")), *Track.choices], required=False
    )
    field = forms.ModelChoiceField(
        label=_("field"),
        queryset=Field.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All fields"),
    )
    technology = forms.ModelChoiceField(
        label=_("technology"),
        queryset=Technology.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All technologies"),
    )
    country = forms.ChoiceField(
        label=_("partner country (scope)"),
        choices=_scope_countries,
        required=False,
    )
    from_year = forms.IntegerField(label=_("from year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    to_year = forms.IntegerField(label=_("to year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    amount_won = SignedWonFormField(
        label=_("amount (won per year)"),
        required=False,
        help_text=_("50억, 1.2조 …; for the ministry total, -300억 is a cut."),
    )
    percent = forms.DecimalField(label=_("percent"), max_digits=7, decimal_places=3, required=False)
    partner_country = forms.ChoiceField(
        label=_("partner country"), choices=_countries(_("None named")), required=False
    )
    slip_years = forms.IntegerField(
        label=_("years of delay"), min_value=1, max_value=20, required=False
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def adjustment(self) -> dict:
        """The adjustment as ``scenario_update`` takes it."""
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        data.pop("ORDER", None)
        data.pop("DELETE", None)
        for name in ("track", "country", "partner_country", "note"):
            data[name] = data[name] or ""
        return data


class BaseAdjustmentFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[AdjustmentForm]:
        """The adjustments to save, in the order given: the saved ones (changed or not) and a
        new one filled in, less those marked for deletion."""
        forms_ = list(self.ordered_forms) if self.can_order else list(self.forms)
        initial = set(self.forms[: self.initial_form_count()])
        return [
            f
            for f in forms_
            if (f in initial or f.has_changed())
            # Django's own test for a form marked for deletion (the stubs omit it).
            and not (self.can_delete and self._should_delete_form(f))  # type: ignore[attr-defined]
        ]


AdjustmentFormSet = forms.formset_factory(
    AdjustmentForm, formset=BaseAdjustmentFormSet, extra=1, can_order=True, can_delete=True
)


class SolveForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Allocate by"), choices=[(b, _(b.capitalize())) for b in BY], initial="track"
    )
    source = forms.ChoiceField(
        label=_("Where the won comes from"),
        choices=[
            (SOURCES[0], _("Shift domestic won to international")),
            (SOURCES[1], _("Add new international won")),
        ],
        initial="shift",
    )
    max_move_percent = forms.DecimalField(
        label=_("Most of a scope's domestic won moved per year (%)"),
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=3,
        initial=50,
        required=False,
    )
    max_add_won = WonFormField(label=_("Most new won per scope and year"), required=False)
    programme_totals = forms.BooleanField(
        label=_("Keep each track within its programme's published total"),
        required=False,
        initial=True,
    )
    scenario = forms.ModelChoiceField(
        label=_("Start from"),
        queryset=Scenario.objects.none(),
        required=False,
        empty_label=_("The baseline"),
    )

    def __init__(self, *args, scenarios=None, **kwargs):
        super().__init__(*args, **kwargs)
        if scenarios is not None:
            cast(forms.ModelChoiceField, self.fields["scenario"]).queryset = scenarios

    def clean(self):
        data = super().clean() or {}
        if data.get("source") == "shift" and data.get("max_move_percent") is None:
            raise ValidationError({"max_move_percent": _("Say how much may move.")})
        return data
