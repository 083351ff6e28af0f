"""An edit made in a form opened before someone else saved the same row is refused, not
saved over theirs.

Two editors open the same budget line; the first saves; the second, from the form as it
was, used to overwrite the first without either knowing. The form now carries the row's
``updated_at`` as it was drawn, and the save compares it with the stored one, the row
locked for the rest of the save (the admin saves in one transaction), so that two saves
at the same instant are compared one after the other.
"""

from typing import Any, cast

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

OPENED = "opened_version"


class _Version(forms.CharField):
    def has_changed(self, initial: Any, data: Any) -> bool:
        return False  # not an edit: a form whose own fields are unchanged saves nothing


class UnchangedSinceOpenedForm(forms.ModelForm):  # type: ignore[type-arg] # any model
    """A model form refused if its row was saved by anyone after the form was drawn."""

    opened_version = _Version(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound or self.instance.pk is None or not hasattr(self.instance, "updated_at"):
            return
        # The stored row's, not the instance's: a revert draws the form from an old version.
        stored = self._stored_updated_at()
        self.fields[OPENED].initial = stored.isoformat() if stored else ""

    def _stored_updated_at(self, *, lock: bool = False) -> Any:
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        return (
            (rows.select_for_update() if lock else rows)
            .values_list("updated_at", flat=True)
            .first()
        )

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # a ModelForm's: its cleaned_data
        opened = cleaned.get(OPENED)
        if self.instance.pk is None or not opened:
            return cleaned
        stored = self._stored_updated_at(lock=True)
        if stored is not None and stored.isoformat() != opened:
            when = formats.date_format(timezone.localtime(stored), "DATETIME_FORMAT")
            raise ValidationError(
                _(
                    "Someone else saved this record at %(when)s, after you opened it: your "
                    "changes were not saved. Open the record again to see theirs, then make "
                    "yours."
                ),
                code="stale",
                params={"when": when},
            )
        return cleaned


class UnchangedSinceOpenedInlineForm(UnchangedSinceOpenedForm):
    """The same for a row edited inline under its parent: its version is the one the page's
    own query read (no query per row), and only a row being changed is compared and locked
    (a page of 72 lines costs no more queries; saving three of them, three)."""

    def _stored_updated_at(self, *, lock: bool = False) -> Any:
        if not lock:
            return getattr(self.instance, "updated_at", None)
        return super()._stored_updated_at(lock=lock)

    def clean(self) -> dict[str, Any]:
        if not self.has_changed():
            return cast(dict[str, Any], forms.ModelForm.clean(self))
        return super().clean()


class UnchangedSinceOpenedMixin:
    """For a ModelAdmin whose form is an :class:`UnchangedSinceOpenedForm`: the row's version
    travels in the change form, as a hidden input at the end of its last fieldset."""

    form: type[forms.ModelForm]  # type: ignore[type-arg]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc] # ModelAdmin's
        if obj is None or OPENED not in self.form.base_fields:
            return fieldsets
        if OPENED in flatten_fieldsets(fieldsets):
            return fieldsets
        *first, (name, options) = fieldsets
        return [*first, (name, {**options, "fields": [*options["fields"], OPENED]})]
