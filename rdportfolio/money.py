"""How won are shown to people: one helper for the admin, pages and exports.

Amounts are whole won in ``int``; arithmetic here uses ``Decimal`` so that
10^13-scale figures never pass through a float.
"""

from decimal import ROUND_HALF_UP, Decimal

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


def format_won(amount: int | None, unit: str = "auto", language: str | None = None) -> str:
    """Format whole won for people.

    Korean: "1조 2,000억 원", "1,487억 원", "5,000만 원"; with ``unit="eok"``
    always in 억 원, with ``unit="jo"`` always in 조 원. English: "₩1.2 trillion",
    "₩148.7 billion". ``None`` gives "–".
    """
    if amount is None:
        return "–"
    language = (language or get_language() or "ko")[:2]
    sign = "-" if amount < 0 else ""
    n = abs(int(amount))
    if language != "ko":
        for size, word in ((JO, "trillion"), (10**9, "billion"), (10**6, "million")):
            if n >= size:
                return f"{sign}₩{_fmt(Decimal(n) / size, 2 if size == JO else 1)} {word}"
        return f"{sign}₩{n:,}"
    if unit == "jo":
        return f"{sign}{_fmt(Decimal(n) / JO, 3)}조 원"
    if unit == "eok":
        return f"{sign}{_fmt(Decimal(n) / EOK, 1)}억 원"
    if n >= JO:
        jo, rest = divmod(n, JO)
        eok = (Decimal(rest) / EOK).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return f"{sign}{jo:,}조 {eok:,}억 원" if eok else f"{sign}{jo:,}조 원"
    if n >= EOK:
        return f"{sign}{_fmt(Decimal(n) / EOK, 1)}억 원"
    if n >= MAN:
        return f"{sign}{_fmt(Decimal(n) / MAN, 0)}만 원"
    return f"{sign}{n:,}원"


def won_to_usd(amount: int, krw_per_usd: Decimal | int) -> Decimal:
    """Whole won to US dollars at a stored rate, rounded to whole dollars."""
    return (Decimal(amount) / Decimal(krw_per_usd)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
