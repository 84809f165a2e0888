"""Tests for reserve.money: formatting, reading back one amount, and the exact arithmetic of
`share` (its rounding by effect is pinned case by case in test_rounding.py)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reserve.money import Effect, format_cents, format_display, parse_decimal_text, share

INT64_MAX = 2**63 - 1
UP, DOWN = Effect.ADDS_TO_CREDITS, Effect.REDUCES_CREDITS  # toward +inf, toward -inf


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("cents,json,display,dec", [
    (0, "0.00", "0.00", "0.00"),
    (5, "0.05", "0.05", "0.05"),
    (-5, "-0.05", "(0.05)", "-0.05"),
    (123450, "1234.50", "1,234.50", "1234.50"),
    (-123450, "-1234.50", "(1,234.50)", "-1234.50"),
    (123456789, "1234567.89", "1,234,567.89", "1234567.89"),
    (INT64_MAX, "92233720368547758.07", "92,233,720,368,547,758.07", "92233720368547758.07"),
    (-INT64_MAX - 1, "-92233720368547758.08", "(92,233,720,368,547,758.08)",
     "-92233720368547758.08"),
    (10**30, "10000000000000000000000000000.00", "10,000,000,000,000,000,000,000,000,000.00",
     "10000000000000000000000000000.00"),
])
def test_formatting(cents, json, display, dec):
    assert format_cents(cents) == json
    assert format_display(cents) == display
    assert str(Decimal(format_cents(cents))) == dec
    assert parse_decimal_text(json) == cents and parse_decimal_text(display) == cents
    assert format_cents(np.int64(cents)) == json if abs(cents) <= INT64_MAX else True


@pytest.mark.parametrize("bad", [1.5, True, Decimal("1"), "1"])
def test_formatting_rejects_non_int(bad):
    for f in (format_cents, format_display):
        with pytest.raises(TypeError):
            f(bad)


# ---------------------------------------------------------------------------
# The arithmetic of share
# ---------------------------------------------------------------------------

def test_share_scalars():
    assert share(100, 1, 3, DOWN) == 33
    assert share(100, 1, 3, UP) == 34
    assert share(-100, 1, 3, DOWN) == -34
    assert share(-100, 1, 3, UP) == -33
    assert share(300, 1, 3, UP) == 100 and share(300, 1, 3, DOWN) == 100
    assert share(0, 7, 9, UP) == 0
    assert share(100, -1, 3, UP) == -33
    assert share(100, 1, -3, DOWN) == -34
    assert share(np.int64(10), 1, 4, UP) == 3
    assert isinstance(share(np.int64(10), 1, 4, UP), int)
    assert share(10**15, 10**6, 10**6 + 1, DOWN) == (10**21) // (10**6 + 1)
    assert share(10**30, 3, 7, UP) == -((-3 * 10**30) // 7)  # Python ints: unbounded
    with pytest.raises(ZeroDivisionError):
        share(1, 1, 0, UP)
    with pytest.raises(TypeError):
        share(1.5, 1, 2, UP)
    with pytest.raises(TypeError):
        share(1, 0.5, 2, UP)
    with pytest.raises(TypeError):
        share(np.array([1.5]), 1, 2, UP)


def test_share_of_a_percentage():
    assert share(10001, 3, 100, UP) == 301  # 300.03 -> up
    assert share(10001, 3, 100, DOWN) == 300
    assert share(-10001, 3, 100, UP) == -300
    assert share(-10001, 3, 100, DOWN) == -301
    assert share(1000, 125000, 1_000_000, DOWN) == 125  # 12.5% in percentage units (1/10,000 %)
    a = np.array([10001, -10001, 0, 100])
    assert share(a, 3, 100, UP).tolist() == [301, -300, 0, 3]
    assert share(a, 3, 100, DOWN).tolist() == [300, -301, 0, 3]


def _ref(c, num, den, up):
    return -((-c * num) // den) if up else (c * num) // den


def test_share_arrays_big_values():
    rng = np.random.default_rng(1)
    c = np.concatenate([rng.integers(-(10**15), 10**15, 5000), [0, 1, -1, 10**15, -(10**15)]])
    for num, den in [(3, 100), (10**6, 10**6 + 7), (999_999, 1_000_000), (1, 3), (7, 1),
                     (125000, 1_000_000), (2**40, 2**41 - 1), (3, 2**62)]:
        for effect, up in ((UP, True), (DOWN, False)):
            got = share(c, num, den, effect)
            assert got.dtype == np.int64
            assert got.tolist() == [_ref(int(v), num, den, up) for v in c.tolist()], (num, den)


def test_share_overflow_and_edges():
    big = np.array([INT64_MAX, -INT64_MAX - 1])
    with pytest.raises(OverflowError):
        share(big, 2, 1, DOWN)
    with pytest.raises(OverflowError):
        share(np.array([INT64_MAX]), 3, 2, DOWN)
    with pytest.raises(OverflowError):
        share(np.array([-INT64_MAX - 1]), -1, 1, DOWN)
    assert share(big, 1, 1, UP).tolist() == big.tolist()
    assert share(big, 1, 2, UP).tolist() == [2**62, -(2**62)]
    # exactly representable near the limits: decided exactly, no spurious overflow
    assert share(np.array([INT64_MAX]), 3, 3, DOWN).tolist() == [INT64_MAX]
    assert share(np.array([-INT64_MAX - 1]), 5, 5, UP).tolist() == [-INT64_MAX - 1]
    # huge num/den go through exact Python ints
    assert share(np.array([10, -10]), 10**20, 3 * 10**20, UP).tolist() == [4, -3]
    # pandas Series keeps its index; object arrays of ints work
    s = pd.Series([100, -100], index=["a", "b"], name="x")
    out = share(s, 1, 3, UP)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["a", "b"]
    assert out.tolist() == [34, -33] and out.name == "x"
    assert share(np.array([100, -100], dtype=object), 1, 3, DOWN).tolist() == [33, -34]
    assert share(np.array([5], dtype=np.uint32), 1, 2, UP).tolist() == [3]
    assert share(np.array(7), 1, 2, UP) == 4


@settings(max_examples=500, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=20),
       st.integers(-(10**7), 10**7), st.integers(1, 10**9), st.sampled_from([UP, DOWN]))
def test_property_share_matches_python_ints(cs, num, den, effect):
    up = effect.rounds_up
    expected = [_ref(c, num, den, up) for c in cs]
    assert [share(c, num, den, effect) for c in cs] == expected
    if all(-(2**63) <= e < 2**63 for e in expected):
        assert share(np.array(cs, dtype=np.int64), num, den, effect).tolist() == expected
    else:
        with pytest.raises(OverflowError):
            share(np.array(cs, dtype=np.int64), num, den, effect)




def test_format_dollars_one_amount_and_a_column_agree():
    # 123456789 cents = $1,234,567.89; -5 cents = -$0.05; 100000 cents = $1,000.00
    from reserve.money import format_dollars, format_dollars_column

    cents = [123456789, -5, 0, 100000, -99999999999]
    assert [format_dollars(c) for c in cents] == ["$1,234,567.89", "-$0.05", "$0.00", "$1,000.00", "-$999,999,999.99"]
    assert list(format_dollars_column(np.array(cents, dtype=np.int64))) == [format_dollars(c) for c in cents]
    assert len(format_dollars_column(np.array([], dtype=np.int64))) == 0
