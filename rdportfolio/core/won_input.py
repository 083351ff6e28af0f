"""Amounts as ministry staff type them: "50억", "1.2조", "3억 5천만", "5,000,000,000".

Staff think in 억 원; the database keeps whole won. The admin's won fields read any of
these forms and show the stored figure with separators and its 억 figure beside it.
"""

import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.forms.renderers import BaseRenderer
from django.forms.widgets import TextInput
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .models import MAX_WON
from .money import format_won

if TYPE_CHECKING:  # what the mixin goes with: an admin, for its super() call
    from django.contrib.admin.options import BaseModelAdmin

    _AdminBase = BaseModelAdmin[Any]
else:
    _AdminBase = object

# Units from the largest: each may appear once, in this order ("1조 2,000억", "3억 5천만").
UNITS = [
    ("조", 10**12),
    ("억", 10**8),
    ("천만", 10**7),
    ("백만", 10**6),
    ("만", 10**4),
    ("천", 10**3),
]
_PART = re.compile(r"(\d+(?:\.\d+)?)(조|억|천만|백만|만|천)?")


def parse_won(text: str) -> int:
    """Whole won from what staff type, or ValidationError saying what is wrong."""
    raw = str(text).strip()
    cell = re.sub(r"[\s,]", "", raw)
    cell = cell.removesuffix("원").removesuffix("₩")
    if cell.startswith("-"):
        raise ValidationError(
            _("The amount cannot be negative (%(value)s)."), params={"value": raw}
        )
    if not cell:
        raise ValidationError(_("Enter an amount in won, e.g. 50억 or 5,000,000,000."))
    total, position, last_rank = Decimal(0), 0, -1
    while position < len(cell):
        match = _PART.match(cell, position)
        if not match or match.end() == position:
            raise _unreadable(raw)
        number, unit = match.groups()
        if unit is None:
            if match.end() != len(cell):
                raise _unreadable(raw)  # a plain number only comes last
            scale, rank = 1, len(UNITS)
        else:
            rank = [u for u, _s in UNITS].index(unit)
            scale = UNITS[rank][1]
            if rank <= last_rank:
                raise _unreadable(raw)  # units from the largest down, each once
            last_rank = rank
        try:
            total += Decimal(number) * scale
        except InvalidOperation as exc:
            raise _unreadable(raw) from exc
        position = match.end()
    if total != total.to_integral_value():
        raise ValidationError(_("“%(value)s” is not a whole number of won."), params={"value": raw})
    amount = int(total)
    if amount > MAX_WON:
        raise ValidationError(
            _("%(value)s won is more than 1,000조 원: check the unit."),
            params={"value": f"{amount:,}"},
        )
    return amount


def _unreadable(raw: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not an amount: write it as 50억, 1.2조, 3억 5천만 or 5,000,000,000."),
        params={"value": raw},
    )


class WonInput(TextInput):
    """The amount with separators, and its 억 figure beside it."""

    def format_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return f"{value:,}"
        return super().format_value(value)

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        field = super().render(name, value, {**(attrs or {}), "inputmode": "text"}, renderer)
        if isinstance(value, int):
            return format_html(
                '{} <span class="won-hint">= {}</span>', field, format_won(value, "eok", "ko")
            )
        return field


class WonFormField(forms.Field):
    widget = WonInput
    default_error_messages = {"required": _("This field is required.")}

    def __init__(
        self,
        *,
        max_value: int | None = None,
        min_value: int | None = None,
        step_size: int | None = None,
        **kwargs: Any,
    ) -> None:
        # What a BigIntegerField's form field is given: the model's validators still apply.
        kwargs.setdefault(
            "help_text",
            _("In won, or with units: 50억, 1.2조, 3억 5천만."),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        return parse_won(value)


class SignedWonFormField(WonFormField):
    """Won as staff type them; a leading minus is a cut ("-300억"), for changes of a total."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip().startswith("-"):
            return -parse_won(value.strip()[1:])
        return super().to_python(value)


class WonInputMixin(_AdminBase):
    """For a ModelAdmin or an inline: every ``*_won`` amount typed as staff say it."""

    def formfield_for_dbfield(
        self, db_field: "Field[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.get_internal_type() == "BigIntegerField" and db_field.name.endswith("_won"):
            kwargs["form_class"] = WonFormField
            return db_field.formfield(**kwargs)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
