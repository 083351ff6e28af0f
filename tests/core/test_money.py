"""Won as people read them: 억 원 and 조 원 in Korean, billions and trillions in English."""

import re
from decimal import Decimal

import pytest

from rdportfolio.core.money import Display, chart_value, format_won, unit_scale, won_to_usd


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (148_700_000_000, "1,487억 원"),
        (1_200_000_000_000, "1조 2,000억 원"),
        (1_887_000_000_000, "1조 8,870억 원"),
        (5_700_000_000_000, "5조 7,000억 원"),
        (31_000_000_000_000, "31조 원"),
        (50_000_000, "5,000만 원"),
        (9_999, "9,999원"),
        (-342_000_000_000, "-3,420억 원"),
        (None, "–"),
    ],
)
def test_korean_amounts(amount, expected):
    assert format_won(amount, language="ko") == expected


def test_forced_units():
    assert format_won(1_200_000_000_000, unit="eok", language="ko") == "12,000억 원"
    assert format_won(148_700_000_000, unit="jo", language="ko") == "0.15조 원"


def test_english_amounts():
    assert format_won(148_700_000_000, language="en") == "₩148.7 billion"
    assert format_won(5_700_000_000_000, language="en") == "₩5.7 trillion"


def test_amounts_beyond_float_precision_stay_exact():
    # 2**53 + 1 is the first integer a float cannot hold.
    assert format_won(2**53 + 1, unit="eok", language="ko") == "90,071,992.5억 원"
    assert format_won(9_007_199_254_740_993, language="ko") == "9,007조 1,993억 원"


def test_won_to_usd_at_the_implied_2023_rate():
    assert won_to_usd(5_700_000_000_000, Decimal("1315")) == Decimal("4334600760")


def test_english_forced_units_count_in_billions_and_trillions():
    assert format_won(148_700_000_000, unit="eok", language="en") == "KRW 148.7 billion"
    assert format_won(1_200_000_000_000, unit="jo", language="en") == "KRW 1.2 trillion"


def test_dollars_at_a_yearly_rate_the_korean_and_the_english_way():
    assert format_won(148_700_000_000, unit="usd", language="ko", krw_per_usd=1315) == (
        "113.1백만 달러"
    )
    assert format_won(148_700_000_000, unit="usd", language="en", krw_per_usd=1315) == (
        "$113.1 million"
    )
    assert format_won(5_700_000_000_000, unit="usd", language="en", krw_per_usd=1315) == (
        "$4,334.6 million"  # the pages' dollar unit counts in millions, as its axis does
    )
    with pytest.raises(ValueError, match="krw_per_usd"):
        format_won(1, unit="usd")


def test_chart_values_are_strings_in_the_axis_unit_exact_beyond_2_53():
    assert chart_value(148_700_000_000, "eok", "ko") == "1487.000"
    assert chart_value(148_700_000_000, "eok", "en") == "148.700"
    assert chart_value(148_700_000_000, "usd", "en", 1315) == "113.080"
    assert chart_value(2**53 + 1, "eok", "ko") == "90071992.547"
    assert unit_scale("usd", "ko") == (10**6, "백만 달러")


def test_display_converts_each_year_at_its_rate_and_falls_back_to_an_earlier_one():
    display = Display(
        "usd", {2023: Decimal("1000"), 2025: Decimal("2000")}, default_rate=1315, language="en"
    )
    assert display.rate(2024) == 1000  # the closest earlier year
    assert display.rate(2022) == 1000  # before any rate: the earliest
    assert display.rate(2030) == 2000
    # 1 billion won in 2023 and 1 billion in 2025: $1,000,000 + $500,000, not 2 billion / one rate
    assert display.text_over_years({2023: 10**9, 2025: 10**9}) == "$1.5 million"
    assert display.value_over_years({2023: 10**9, 2025: 10**9}) == "1.500"
    assert Display("usd", {}, default_rate=1315).rate(2024) == 1315
    assert Display("bogus", {}, default_rate=1315).unit == "eok"


# One rule per unit and language: the amount is written in the very unit the charts' axis,
# the footer and the unit menu name, with a fixed number of decimals, and never as "-0".
UNIT_PATTERNS = {
    ("eok", "ko"): (r"(-?)([\d,]+(?:\.\d)?)억 원", "억 원", 1),
    ("eok", "en"): (r"(-?)KRW ([\d,]+(?:\.\d)?) billion", "KRW billion", 1),
    ("jo", "ko"): (r"(-?)([\d,]+(?:\.\d{1,2})?)조 원", "조 원", 2),
    ("jo", "en"): (r"(-?)KRW ([\d,]+(?:\.\d{1,2})?) trillion", "KRW trillion", 2),
    ("usd", "ko"): (r"(-?)([\d,]+(?:\.\d)?)백만 달러", "백만 달러", 1),
    ("usd", "en"): (r"(-?)\$([\d,]+(?:\.\d)?) million", "USD million", 1),
}
AMOUNTS = [
    0,
    1,
    -290_000_000,  # -2.9억: "-0조 원" once
    2_600_000_000,
    26_200_000_000,
    -26_200_000_000,
    148_700_000_000,
    5_700_000_000_000,
    -5_700_000_000_000,
    987_654_321_098_765,
]


@pytest.mark.parametrize(("unit", "language"), list(UNIT_PATTERNS))
@pytest.mark.parametrize("amount", AMOUNTS)
def test_each_unit_writes_amounts_in_the_unit_its_axis_and_menu_name(unit, language, amount):
    pattern, label, places = UNIT_PATTERNS[(unit, language)]
    display = Display(unit, {}, default_rate=1315, language=language)
    assert display.axis_label == label
    assert (unit, label) in display.unit_choices()
    text = display.text(amount, 2026)
    match = re.fullmatch(pattern, text)
    assert match, text
    sign, number = match.groups()
    shown = Decimal(number.replace(",", ""))
    divisor = unit_scale(unit, language)[0]
    exact = Decimal(amount) / (Decimal(1315) if unit == "usd" else 1) / divisor
    assert abs(shown - abs(exact)) <= Decimal(1).scaleb(-places) / 2 + Decimal("0.0005"), text
    assert sign == ("-" if shown and amount < 0 else ""), text  # never "-0"
