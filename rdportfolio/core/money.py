"""How won are shown to people: one helper for the admin, pages and exports.

Amounts are whole won in ``int``; arithmetic here uses ``Decimal`` so that
10^13-scale figures never pass through a float.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import overload

from django.utils.translation import get_language

EOK = 10**8  # 억: one hundred million won
JO = 10**12  # 조: one trillion won
MAN = 10**4  # 만: ten thousand won


def _fmt(value: Decimal, places: int) -> str:
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# The units a reader can pick on the pages: 억 원, 조 원 or US dollars at a yearly rate.
UNITS = ("eok", "jo", "usd")
DEFAULT_UNIT = "eok"


def _korean_count(n: int, suffix: str) -> str:
    # Korean groups large numbers by 만 (10^4) and 억 (10^8), not by thousands.
    man = int((Decimal(n) / MAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if man >= MAN:
        eok, man = divmod(man, MAN)
        return f"{eok:,}억 {man:,}만 {suffix}" if man else f"{eok:,}억 {suffix}"
    if man:
        return f"{man:,}만 {suffix}"
    return f"{n:,} {suffix}"


def format_won(
    amount: int | None,
    unit: str = "auto",
    language: str | None = None,
    krw_per_usd: Decimal | int | None = None,
) -> str:
    """Format whole won for people.

    Korean: "1조 2,000억 원", "1,487억 원", "5,000만 원"; with ``unit="eok"``
    always in 억 원 (one decimal at most), with ``unit="jo"`` always in 조 원 (two).
    English: "₩1.2 trillion", "₩148.7 billion"; ``unit="eok"`` is "KRW 148.7 billion"
    and ``unit="jo"`` "KRW 0.15 trillion". ``unit="usd"`` converts at ``krw_per_usd``
    and counts in millions: "$113.1 million", "113.1백만 달러". Each page unit names
    the same unit as the charts' axis (:func:`unit_scale`). ``None`` gives "–".
    """
    if amount is None:
        return "–"
    language = (language or get_language() or "ko")[:2]
    if unit == "usd":
        if krw_per_usd is None:
            raise ValueError("unit='usd' needs krw_per_usd")
        return format_usd(int(won_to_usd(int(amount), krw_per_usd)), language, unit="usd")
    n = abs(int(amount))
    text = _won_korean(n, unit) if language == "ko" else _won_english(n, unit)
    return _signed(amount < 0, text)


def _signed(negative: bool, text: str) -> str:
    """A minus only where the figure shown is not zero: never "-0조 원"."""
    return "-" + text if negative and any(c in "123456789" for c in text) else text


def _won_english(n: int, unit: str) -> str:
    if unit == "jo":
        return f"KRW {_fmt(Decimal(n) / JO, 2)} trillion"
    if unit == "eok":
        return f"KRW {_fmt(Decimal(n) / 10**9, 1)} billion"
    for size, word in ((JO, "trillion"), (10**9, "billion"), (10**6, "million")):
        if n >= size:
            return f"₩{_fmt(Decimal(n) / size, 2 if size == JO else 1)} {word}"
    return f"₩{n:,}"


def _won_korean(n: int, unit: str) -> str:
    if unit == "jo":
        return f"{_fmt(Decimal(n) / JO, 2)}조 원"
    if unit == "eok":
        return f"{_fmt(Decimal(n) / EOK, 1)}억 원"
    if n >= JO:
        jo, rest = divmod(n, JO)
        eok = (Decimal(rest) / EOK).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{jo:,}조 {eok:,}억 원" if eok else f"{jo:,}조 원"
    if n >= EOK:
        return f"{_fmt(Decimal(n) / EOK, 1)}억 원"
    if n >= MAN:
        return f"{_fmt(Decimal(n) / MAN, 0)}만 원"
    return f"{n:,}원"


def format_usd(dollars: int | None, language: str | None = None, unit: str = "auto") -> str:
    """Whole US dollars for people: "$113.1 million", "1억 1,308만 달러".

    With ``unit="usd"`` (the pages' dollar unit) every amount is counted in millions, as
    the charts' axis is: "$4,334.6 million", "113.1백만 달러".
    """
    if dollars is None:
        return "–"
    language = (language or get_language() or "ko")[:2]
    n = abs(int(dollars))
    if unit == "usd":
        millions = _fmt(Decimal(n) / 10**6, 1)
        text = f"{millions}백만 달러" if language == "ko" else f"${millions} million"
        return _signed(dollars < 0, text)
    if language == "ko":
        return _signed(dollars < 0, _korean_count(n, "달러"))
    for size, word in ((10**9, "billion"), (10**6, "million")):
        if n >= size:
            return _signed(dollars < 0, f"${_fmt(Decimal(n) / size, 1)} {word}")
    return _signed(dollars < 0, f"${n:,}")


def won_to_usd(amount: int, krw_per_usd: Decimal | int) -> Decimal:
    """Whole won to US dollars at a stored rate, rounded to whole dollars."""
    return (Decimal(amount) / Decimal(krw_per_usd)).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def unit_scale(unit: str, language: str | None = None) -> tuple[int, str]:
    """What a chart axis counts in for a unit: (divisor, label).

    The divisor applies to won, or to dollars for ``usd``. Korean counts in 억 and 조;
    English in billions and trillions.
    """
    language = (language or get_language() or "ko")[:2]
    korean = language == "ko"
    if unit == "jo":
        return JO, "조 원" if korean else "KRW trillion"
    if unit == "usd":
        return 10**6, "백만 달러" if korean else "USD million"
    return (EOK, "억 원") if korean else (10**9, "KRW billion")


@overload
def chart_value(
    amount: int, unit: str, language: str | None = ..., krw_per_usd: Decimal | int | None = ...
) -> str: ...
@overload
def chart_value(
    amount: None, unit: str, language: str | None = ..., krw_per_usd: Decimal | int | None = ...
) -> None: ...
def chart_value(
    amount: int | None,
    unit: str,
    language: str | None = None,
    krw_per_usd: Decimal | int | None = None,
) -> str | None:
    """An amount in a chart's axis unit, as a decimal string.

    Charts get scaled figures as strings, never raw won: totals can pass
    JavaScript's 2^53, and the string keeps the server's exact rounding.
    """
    if amount is None:
        return None
    divisor, _label = unit_scale(unit, language)
    value = Decimal(int(amount))
    if unit == "usd":
        if krw_per_usd is None:
            raise ValueError("unit='usd' needs krw_per_usd")
        value = value / Decimal(krw_per_usd)
    return str((value / divisor).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


class Display:
    """Amounts for one reader: their unit and language, with the yearly dollar rates at hand.

    Dollars are converted year by year at that year's rate; a year without a
    stored rate takes the closest earlier one (else the earliest, else the
    configured default), so a multi-year total in dollars is the sum of its
    years, never one rate applied to a won total.
    """

    def __init__(
        self,
        unit: str,
        rates: dict[int, Decimal],
        default_rate: Decimal | int,
        language: str | None = None,
    ):
        self.unit = unit if unit in UNITS else DEFAULT_UNIT
        self.language = (language or get_language() or "ko")[:2]
        self.rates = dict(sorted(rates.items()))
        self.default_rate = Decimal(default_rate)
        self.axis_label = unit_scale(self.unit, self.language)[1]

    def unit_choices(self) -> list[tuple[str, str]]:
        """The units a reader can switch to, each named as its amounts and axes name it."""
        return [(unit, unit_scale(unit, self.language)[1]) for unit in UNITS]

    def rate(self, year: int | None) -> Decimal:
        if not self.rates:
            return self.default_rate
        if year is None:
            return self.rates[max(self.rates)]
        earlier = [y for y in self.rates if y <= year]
        return self.rates[max(earlier)] if earlier else self.rates[min(self.rates)]

    def text(self, won: int | None, year: int | None = None) -> str:
        return format_won(won, self.unit, self.language, self.rate(year))

    def value(self, won: int | None, year: int | None = None) -> str | None:
        return chart_value(won, self.unit, self.language, self.rate(year))

    def text_over_years(self, won_by_year: dict[int, int]) -> str:
        """A total over several years, each year converted at its own rate."""
        if self.unit != "usd":
            return format_won(sum(won_by_year.values()), self.unit, self.language)
        dollars = sum(won_to_usd(won, self.rate(year)) for year, won in won_by_year.items())
        return format_usd(int(dollars), self.language, unit="usd")

    def value_over_years(self, won_by_year: dict[int, int]) -> str:
        if self.unit != "usd":
            return chart_value(sum(won_by_year.values()), self.unit, self.language)
        divisor, _label = unit_scale("usd", self.language)
        dollars = sum(Decimal(won) / self.rate(year) for year, won in won_by_year.items())
        # No years would make ``dollars`` the int 0 (then a float): callers give at least one.
        scaled: Decimal = dollars / divisor  # type: ignore[assignment]
        return str(scaled.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def apportion(total: int, weights: list[int]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole won that add up to ``total``
    (largest remainders; ties to the first)."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    floors = [total * w // whole for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in remainders[: total - sum(floors)]:
        floors[i] += 1
    return floors
