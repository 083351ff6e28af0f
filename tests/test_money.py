"""Won as people read them: 억 원 and 조 원 in Korean, billions and trillions in English."""

from decimal import Decimal

import pytest

from rdportfolio.money import format_won, won_to_usd


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
    assert format_won(148_700_000_000, unit="jo", language="ko") == "0.149조 원"


def test_english_amounts():
    assert format_won(148_700_000_000, language="en") == "₩148.7 billion"
    assert format_won(5_700_000_000_000, language="en") == "₩5.7 trillion"


def test_amounts_beyond_float_precision_stay_exact():
    # 2**53 + 1 is the first integer a float cannot hold.
    assert format_won(2**53 + 1, unit="eok", language="ko") == "90,071,992.5억 원"
    assert format_won(9_007_199_254_740_993, language="ko") == "9,007조 1,993억 원"


def test_won_to_usd_at_the_implied_2023_rate():
    assert won_to_usd(5_700_000_000_000, Decimal("1315")) == Decimal("4334600760")
