"""Turning one spreadsheet cell into a value, or into a message that says what is wrong.

Every converter takes the raw cell (text from a CSV, or what the Excel reader
gives: str, int, float, bool, date, None) and returns the value, or raises
:class:`CellError` with a message for the person who filled the sheet, in the
active language.
"""

import datetime
import math
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Choices
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_countries import countries

from ..exports import formula_unguard
from ..models import MAX_WON, MAX_YEAR, MIN_YEAR

# A raw cell: text from a CSV; str, int, float, bool, date, a Formula or None from Excel.
Cell = Any

# Excel keeps numbers as doubles: above 2^53 a cell cannot hold every whole won exactly.
EXACT_FLOAT_LIMIT = 2**53

TRUE_WORDS = {"y", "yes", "true", "1", "o", "예", "네"}
FALSE_WORDS = {"n", "no", "false", "0", "x", "아니오", "아니요"}


class CellError(ValueError):
    """A cell that cannot be read; the message names what is wrong with it."""


def text(value: Cell) -> str:
    """A cell as trimmed text; whole-number floats (Excel's 2031.0) lose their ".0"."""
    if type(value) is str:  # every CSV cell: 0.7 million calls for 100,000 budget lines
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# Digits only, with thousands separators and an optional ".0…" tail (2031.0 from some exports):
# no exponent ("1e200000" would take minutes to expand), no "Infinity", no "NaN".
WHOLE_NUMBER = re.compile(r"[+-]?(\d{1,19})(?:\.0*)?")


def whole_number(value: Cell, *, what: str) -> int:
    """A whole number; ``what`` (untranslated, marked with gettext_noop) names it in messages,
    translated only when there is a message to write: a clean row costs no translation."""
    if type(value) is str and len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)  # the common cell, "2025" or "148700000000", without a regex
    if type(value) is float and value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT:
        return int(value)  # the common Excel cell, 2025.0, without translating ``what``
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not %(what)s.") % {"value": value, "what": _(what)})
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _whole_float(value, what=_(what))
    cell = text(value)
    if not cell:  # an empty cell, or one a short row lacks: not "“” is not a year"
        raise CellError(_("This column is required."))
    what = _(what)
    digits = cell.replace(",", "").replace(" ", "")
    match = WHOLE_NUMBER.fullmatch(digits)
    if match:
        return int(digits.split(".")[0])
    if re.fullmatch(r"[+-]?\d{20,}(?:\.0*)?", digits):
        raise CellError(_("“%(value)s” has too many digits.") % {"value": _shown(cell)})
    if re.fullmatch(r"[+-]?[\d.]*[eE][+-]?\d+", digits):
        raise CellError(
            _("“%(value)s” is not %(what)s: write all its digits, without an exponent.")
            % {"value": _shown(cell), "what": what}
        )
    raise CellError(_("“%(value)s” is not %(what)s.") % {"value": _shown(cell), "what": what})


def _whole_float(value: float, *, what: str) -> int:
    if not math.isfinite(value):
        raise CellError(_("“%(value)s” is not a number.") % {"value": value})
    if not value.is_integer():
        raise CellError(
            _("“%(value)s” is not %(what)s (no decimals).") % {"value": value, "what": what}
        )
    if abs(value) >= EXACT_FLOAT_LIMIT:
        raise CellError(
            _("%(value)s is too large for an Excel number to be exact; format the cell as text.")
            % {"value": f"{value:.0f}"}
        )
    return int(value)


def _shown(cell: str) -> str:
    """A cell as quoted in a message: long ones cut short."""
    return cell if len(cell) <= 40 else cell[:37] + "…"


# Marked for translation once, here: translated only when a message is written.
_A_WON_AMOUNT = gettext_noop("a whole number of won")
_A_YEAR = gettext_noop("a year")


def won(value: Cell) -> int:
    amount = whole_number(value, what=_A_WON_AMOUNT)
    if amount < 0:
        raise CellError(_("The amount cannot be negative (%(value)s).") % {"value": amount})
    if amount > MAX_WON:
        raise CellError(
            _("%(value)s won is more than 1,000조 원: check the unit (the column is in won).")
            % {"value": f"{amount:,}"}
        )
    return amount


def year(value: Cell) -> int:
    number = whole_number(value, what=_A_YEAR)
    if not MIN_YEAR <= number <= MAX_YEAR:
        raise CellError(
            _("The year must be between 1990 and 2100 (%(value)s).") % {"value": number}
        )
    return number


def optional_year(value: Cell) -> int | None:
    return year(value) if text(value) else None


class Choice:
    """A converter to one code of a set of choices, from its code or its label, Korean or
    English, whatever the reader's language.

    The lookup is built once (on first use), not per cell: a file of 100,000 rows would
    otherwise translate every label of the set 100,000 times.
    """

    def __init__(
        self, choices: type[Choices] | Iterable[tuple[str, Any]], *, default: str | None = None
    ) -> None:
        self._choices = choices  # a Choices enum or a list of (code, label); read when used
        self.default = default
        self._lookup: dict[str, str] | None = None

    def allowed(self) -> str:
        """The choices as a person reads them: labels in the active language, with the code."""
        source = self._choices
        pairs = source.choices if hasattr(source, "choices") else source
        return ", ".join(
            str(label) if str(label).casefold() == code.casefold() else f"{label} ({code})"
            for code, label in pairs
        )

    def _labels(self) -> dict[str, str]:
        source = self._choices
        pairs = source.choices if hasattr(source, "choices") else source
        lookup = {code.casefold(): code for code, _label in pairs}
        for language in ("ko", "en"):  # the site's two languages: the same lookup for both
            with translation.override(language):
                for code, label in pairs:
                    lookup.setdefault(str(label).casefold(), code)
        return lookup

    def __call__(self, value: Cell) -> str:
        cell = text(value)
        if not cell:
            if self.default is None:
                raise CellError(_("This column is required."))
            return self.default
        if self._lookup is None:
            self._lookup = self._labels()
        code = self._lookup.get(cell.casefold())
        if code is None:
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": cell, "allowed": self.allowed()}
            )
        return code


def choice(
    value: Cell, choices: type[Choices] | Iterable[tuple[str, Any]], *, default: str | None = None
) -> str:
    """One cell against a set of choices (for a single cell; a file uses :class:`Choice`)."""
    return Choice(choices, default=default)(value)


def boolean(value: Cell, *, default: bool | None = None) -> bool:
    if isinstance(value, bool):
        return value
    cell = text(value).casefold()
    if not cell:
        if default is None:
            raise CellError(_("This column is required."))
        return default
    if cell in TRUE_WORDS:
        return True
    if cell in FALSE_WORDS:
        return False
    raise CellError(_("“%(value)s” is not Y or N.") % {"value": text(value)})


def required_text(value: Cell, *, max_length: int) -> str:
    cell = text(value)
    if not cell:
        raise CellError(_("This column is required."))
    return optional_text(cell, max_length=max_length)


def optional_text(value: Cell, *, max_length: int) -> str:
    # Our exports write "=x" as "'=x" (formula-safe CSV): read back, it is "=x" again.
    cell = formula_unguard(text(value))
    if len(cell) > max_length:
        raise CellError(
            _("At most %(max)s characters (this has %(length)s).")
            % {"max": max_length, "length": len(cell)}
        )
    return cell


_COUNTRY_CODES: frozenset[str] = frozenset()


def _country_codes() -> frozenset[str]:
    global _COUNTRY_CODES  # noqa: PLW0603 - read once: the codes do not change while running
    if not _COUNTRY_CODES:
        _COUNTRY_CODES = frozenset(code for code, _name in countries)
    return _COUNTRY_CODES


def country(value: Cell) -> str:
    """An ISO 3166-1 alpha-2 code, from the code or the country's English name."""
    cell = text(value)
    if not cell:
        raise CellError(_("This column is required."))
    if cell.upper() in _country_codes():
        return cell.upper()
    code = countries.by_name(cell)
    if not code:
        raise CellError(
            _("Unknown country “%(value)s”: use the ISO code, e.g. US.") % {"value": cell}
        )
    return code


def website(value: Cell) -> str:
    address = optional_text(value, max_length=200)
    if address and "://" not in address:
        address = f"https://{address}"  # staff write "www.mit.edu", as the admin form accepts
    if address:
        try:
            URLValidator()(address)
        except ValidationError as exc:
            raise CellError(_("“%(value)s” is not a web address.") % {"value": address}) from exc
    return address


def yes_no(value: Cell) -> str:
    """How a boolean is written in an export: Y or N, as the importer reads it back."""
    return "Y" if value else "N"


def percent(value: Cell) -> Decimal:
    """A percent between 0 and 100 with at most two decimals: "60", "60.5", "60%"."""
    cell = text(value).removesuffix("%").strip()
    if not cell:
        raise CellError(_("This column is required."))
    try:
        number = Decimal(cell.replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise CellError(
            _("“%(value)s” is not a percent (a number such as 60 or 60.5).")
            % {"value": _shown(text(value))}
        )
    if not 0 <= number <= 100:
        raise CellError(_("A percent is between 0 and 100 (%(value)s).") % {"value": number})
    return number.quantize(Decimal("0.01"))


def optional_date(value: Cell) -> datetime.date | None:
    """A day: an Excel date cell, or text written 2025-03-01."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    cell = text(value)
    if not cell:
        return None
    try:
        return datetime.date.fromisoformat(cell)
    except ValueError:
        raise CellError(
            _("“%(value)s” is not a date: write it as 2025-03-01.") % {"value": _shown(cell)}
        ) from None


def optional_whole_number(value: Cell, *, at_most: int) -> int | None:
    """An optional count between 0 and ``at_most`` (a term in years, say)."""
    if not text(value):
        return None
    number = whole_number(value, what=_A_WHOLE_NUMBER)
    if not 0 <= number <= at_most:
        raise CellError(
            _("A number between 0 and %(max)s (%(value)s).") % {"max": at_most, "value": number}
        )
    return number


_A_WHOLE_NUMBER = gettext_noop("a whole number")
