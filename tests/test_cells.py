"""Tests for reserve.book.cells: reading columns of cells as exact amounts and percentages,
and that every vectorised tier agrees with the one text grammar of reserve.money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reserve import money
from reserve.book import cells
from reserve.book.cells import Parsed, parse_money, parse_pct
from reserve.money import format_cents, format_display, parse_decimal_text

INT64_MAX = 2**63 - 1


def one(value, parser=parse_money):
    """Parse a single value (in an object array) -> (units, blank, bad, why)."""
    arr = np.empty(1, dtype=object)
    arr[0] = value
    r = parser(arr)
    return int(r.values[0]), bool(r.blank[0]), bool(r.bad[0]), r.why.get(0)


def check_shape(r: Parsed, n: int) -> None:
    assert isinstance(r, Parsed)
    assert r.values.dtype == np.int64 and r.values.shape == (n,)
    assert r.blank.dtype == bool and r.bad.dtype == bool
    assert not (r.blank & r.bad).any()
    assert (r.values[r.blank | r.bad] == 0).all()
    assert set(r.why) == set(np.flatnonzero(r.bad).tolist())


# ---------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------

GOOD_TEXT = [
    ("1234.5", 123450),
    ("1234.50", 123450),
    ("1,234.50", 123450),
    ("$1,234.50", 123450),
    ("-1,234.50", -123450),
    ("-$1,234.50", -123450),
    ("$-1,234.50", -123450),
    ("(1,234.50)", -123450),
    ("($1,234.50)", -123450),
    ("$(1,234.50)", -123450),
    ("  1234.50  ", 123450),
    ("\t-7\n", -700),
    (".5", 50),
    ("5.", 500),
    ("-.05", -5),
    ("+12", 1200),
    ("+$12", 1200),
    ("$ 12.00", 1200),
    ("( 12.00 )", -1200),
    ("0", 0),
    ("-0.00", 0),
    ("007.10", 710),
    ("1.000", 100),
    ("1.2300000", 123),
    ("1,234,567,890.12", 123456789012),
    ("12345678901234567.89", 1234567890123456789),
    ("0000000000000000000000012.50", 1250),
    ("\xa012.50\xa0", 1250),  # non-breaking spaces (Excel/web paste)
    ("1." + "0" * 40, 100),
    ("1." + "0" * 5000, 100),  # longer than Python's int() digit limit
    ("0" * 5000 + "1.5", 150),
]

BAD_TEXT = [
    ("1,23.00", "misplaced thousands separator"),
    ("1234,567", "misplaced thousands separator"),
    ("12.345", "more than 2 decimal places"),
    ("12.3450", "more than 2 decimal places"),
    ("1.005", "more than 2 decimal places"),
    ("1e-3", "scientific notation"),
    ("NaN", "not a number"),
    ("nan", "not a number"),
    ("inf", "not a number"),
    ("-Infinity", "not a number"),
    ("abc", "not a number"),
    ("-", "not a number"),
    (".", "not a number"),
    ("$", "not a number"),
    ("()", "not a number"),
    ("1.2.3", "not a number"),
    ("1 234", "not a number"),
    ("12%", "not a number"),
    ("#N/A", "not a number"),
    ("(5", "unbalanced parentheses"),
    ("5)", "unbalanced parentheses"),
    ("-(5)", "both parentheses and a sign"),
    ("(-5)", "both parentheses and a sign"),
    ("--5", "more than one sign"),
    ("-$-5", "more than one sign"),
    ("$$5", "more than one $"),
    ("1,234e3", "not a number"),
    ("99999999999999999999", "too large"),
    ("1e30", "scientific notation"),
    ("1e3", "scientific notation"),  # Excel writes 1.23457E+11 rounded
    ("1.23457E+11", "scientific notation"),
    ("125e-2", "scientific notation"),
    ("1e999999999999999999", "scientific notation"),
    ("1e-999999999999999999", "scientific notation"),
    ("1." + "0" * 5000 + "1", "more than 2 decimal places"),
    ("1" * 5000, "too large"),
    ("\u0661\u0662", "not a number"),  # Arabic-Indic digits are not accepted
]


@pytest.mark.parametrize("text,cents", GOOD_TEXT)
def test_text_good(text, cents):
    assert one(text) == (cents, False, False, None)
    assert parse_decimal_text(text) == cents
    # same answer through the arrow string path and a numpy unicode array
    r = parse_money(pa.array([text]))
    assert (int(r.values[0]), bool(r.bad[0])) == (cents, False)


@pytest.mark.parametrize("text,msg", BAD_TEXT)
def test_text_bad(text, msg):
    value, blank, bad, why = one(text)
    assert (value, blank, bad) == (0, False, True)
    assert why.startswith(msg), why
    with pytest.raises(ValueError, match="invalid amount"):
        parse_decimal_text(text)


@pytest.mark.parametrize("text", ["", " ", "\t\n", "\xa0", "\u3000 "])
def test_text_blank(text):
    assert one(text) == (0, True, False, None)
    with pytest.raises(ValueError, match="blank"):
        parse_decimal_text(text)


def test_parse_decimal_text_type():
    with pytest.raises(TypeError):
        parse_decimal_text(1.5)


def test_text_column_all_forms_vectorised_matches_scalar():
    texts = [t for t, _ in GOOD_TEXT] + [t for t, _ in BAD_TEXT] + ["", "  ", None]
    for col in (pd.Series(texts, dtype="str"), pd.Series(texts, dtype=object),
                pa.array(texts), pa.array(texts, type=pa.large_string()),
                pa.array(texts, type=pa.string_view())):
        r = parse_money(col)
        check_shape(r, len(texts))
        for i, t in enumerate(texts):
            if t is None:
                assert r.blank[i]
                continue
            units, msg, is_blank = money.text_units(t, money.MONEY_TEXT)
            assert bool(r.blank[i]) == is_blank, t
            assert bool(r.bad[i]) == (units is None and not is_blank), t
            assert int(r.values[i]) == (units or 0), t
            assert r.why.get(i) == msg, t


def test_text_chunk_boundaries_and_one_bad_row():
    n = 200_000
    cents = np.arange(n, dtype=np.int64) * 7 - 500_000
    texts = [format_cents(int(c)) for c in cents]
    texts[70_000] = "N/A"
    texts[70_001] = ""
    texts[140_000] = "$1,000.00"
    r = parse_money(pa.array(texts))
    check_shape(r, n)
    expected = cents.copy()
    expected[[70_000, 70_001]] = 0
    expected[140_000] = 100_000
    assert (r.values == expected).all()
    assert r.bad.sum() == 1 and r.why == {70_000: "not a number"}
    assert r.blank.sum() == 1 and r.blank[70_001]


def test_formatted_text_column():
    cents = np.array([0, 5, -5, 123456, -123456, 100000000, -99999999999], dtype=np.int64)
    texts = [format_display(int(c)) for c in cents] + [f"${format_display(int(c))}" for c in cents]
    r = parse_money(pd.Series(texts))
    check_shape(r, len(texts))
    assert r.values.tolist() == cents.tolist() * 2
    assert not r.bad.any()


_ALPHABET = "0123456789,.$()-+ e%x\t"


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=12), min_size=1, max_size=30))
def test_vectorised_text_agrees_with_scalar_rule(texts):
    """Every fast tier must agree with the per-element definition."""
    for spec, parser in ((money.MONEY_TEXT, parse_money), (money.PCT_TEXT, parse_pct)):
        r = parser(pa.array(texts))
        check_shape(r, len(texts))
        for i, t in enumerate(texts):
            units, msg, is_blank = money.text_units(t, spec)
            if spec is money.PCT_TEXT and units is not None and not 0 <= units <= 1_000_000:
                units, msg = None, "must be between 0 and 100"
            assert bool(r.blank[i]) == is_blank, t
            assert int(r.values[i]) == (units or 0), t
            assert r.why.get(i) == msg, t


@settings(max_examples=400, deadline=None)
@given(st.lists(st.from_regex(r"\A[-+]?0*[0-9]{0,20}(\.[0-9]{0,6}0{0,90})?\Z"), min_size=1, max_size=20))
def test_plain_numeric_text_fast_tier_is_exact(texts):
    """The Arrow decimal-cast tier must agree with the Python rule, also for long strings."""
    r = parse_money(pa.array(texts))
    for i, t in enumerate(texts):
        units, msg, is_blank = money.text_units(t, money.MONEY_TEXT)
        assert (int(r.values[i]), bool(r.blank[i]), r.why.get(i)) == (units or 0, is_blank, msg), t


# ---------------------------------------------------------------------------
# Floats (Excel numeric cells)
# ---------------------------------------------------------------------------

FLOAT_CASES = [
    (0.1 + 0.2, 30),  # float-ok: classic binary noise 0.30000000000000004
    (1.1 + 2.2, 330),  # float-ok: 3.3000000000000003
    (sum([0.1] * 10), 100),  # float-ok: 0.9999999999999999
    (0.07, 7),
    (1e15, 100_000_000_000_000_000),
    (-0.0, 0),
    (0.0, 0),
    (1234567890123.45, 123456789012345),
    (-1234567890123.45, -123456789012345),
    (9007199254740993.0, 900719925474099200),  # float-ok: literal rounds to 2**53
    (12345678901234.56, 1234567890123456),
    (0.01, 1),
    (-0.01, -1),
    (100.0, 10000),
]


@pytest.mark.parametrize("x,cents", FLOAT_CASES)
def test_float_good(x, cents):
    r = parse_money(np.array([x]))
    assert (int(r.values[0]), bool(r.blank[0]), bool(r.bad[0])) == (cents, False, False)
    assert one(x) == (cents, False, False, None)


BAD_FLOATS = [
    (2.675, "more than 2 decimal places (found 2.675)"),
    (1.005, "more than 2 decimal places (found 1.005)"),
    (12.345, "more than 2 decimal places (found 12.345)"),
    (1 / 3, "more than 2 decimal places (found 0.3333333333333333)"),  # float-ok: test data
    (0.1 + 0.2 - 0.3, "more than 2 decimal places"),  # float-ok: noise around zero is not guessed
    (5e-324, "more than 2 decimal places"),
    (float("inf"), "not a finite number"),
    (float("-inf"), "not a finite number"),
    (1e17, "too large"),
    (-9.3e16, "too large"),
    (1e300, "too large"),
    (1e15 + 0.25, "too large to be exact"),  # float-ok: shortest repr .2 != exact .25
    (12345678901234.562, "more than 2 decimal places"),  # 15 digits would say .6: rejected
]


@pytest.mark.parametrize("x,msg", BAD_FLOATS)
def test_float_bad(x, msg):
    r = parse_money(np.array([x]))
    assert (int(r.values[0]), bool(r.blank[0]), bool(r.bad[0])) == (0, False, True)
    assert r.why[0].startswith(msg), r.why[0]


def test_float_nan_is_blank():
    r = parse_money(np.array([np.nan, 1.0, np.nan]))
    check_shape(r, 3)
    assert r.blank.tolist() == [True, False, True]
    assert r.values.tolist() == [0, 100, 0]


def test_float_huge_whole_numbers():
    # above 2**52 cents several cent values share one double: accepted only when
    # the shortest repr is also the exact binary value
    assert one(float(2**53))[:3] == (2**53 * 100, False, False)  # float-ok: exact power of two
    x = float(2**55)  # float-ok: exact, but repr is 3.602879701896397e+16 (not exact)
    assert one(x)[3].startswith("too large to be exact")
    assert one(float(2**60))[3] == "too large"  # float-ok: 2**60 dollars exceeds int64 cents


@settings(max_examples=2000, deadline=None)
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_property_cents_roundtrip_via_float_and_text(c):
    x = c / 100.0  # float-ok: c/100 is correctly rounded; the parser must recover c exactly
    assert int(parse_money(np.array([x])).values[0]) == c
    text = format_cents(c)
    assert int(parse_money([text]).values[0]) == c
    assert parse_decimal_text(text) == c
    assert parse_decimal_text(format_display(c)) == c


@settings(max_examples=1000, deadline=None)
@given(st.integers(0, 10**11), st.integers(0, 10**11))
def test_property_sum_of_two_amounts_noise_is_stripped(a, b):
    x = a / 100 + b / 100  # float-ok: simulates an Excel formula =A1+B1 with binary noise
    assert int(parse_money(np.array([x])).values[0]) == a + b


def test_many_noisy_sums():
    # 0.1+0.2 style: every pair of small amounts, summed in float
    a = np.arange(0, 2000)
    b = np.arange(0, 2000)[::-1]
    x = a / 100 + b / 100  # float-ok: test data with binary noise
    r = parse_money(x)
    assert not r.bad.any()
    assert (r.values == a + b).all()
    assert (r.values == 1999).all()


def test_float32_uses_its_own_shortest_repr():
    r = parse_money(np.array([0.07, 1.5, 2.675, np.nan], dtype=np.float32))
    check_shape(r, 4)
    assert r.values.tolist() == [7, 150, 0, 0]
    assert r.bad.tolist() == [False, False, True, False]
    assert r.blank.tolist() == [False, False, False, True]


# ---------------------------------------------------------------------------
# Integers, bools, decimals, other dtypes
# ---------------------------------------------------------------------------

def test_ints():
    v = np.array([0, 1, -1, 123456789, INT64_MAX // 100, -(INT64_MAX // 100),
                  INT64_MAX // 100 + 1, INT64_MAX, -INT64_MAX - 1])
    r = parse_money(v)
    check_shape(r, len(v))
    assert r.values[:6].tolist() == [0, 100, -100, 12345678900,
                                     INT64_MAX // 100 * 100, -(INT64_MAX // 100) * 100]
    assert r.bad.tolist() == [False] * 6 + [True] * 3
    assert set(r.why.values()) == {"too large"}
    assert parse_money(np.array([5], dtype=np.int8)).values.tolist() == [500]
    r = parse_money(np.array([2**64 - 1, 7], dtype=np.uint64))
    assert r.bad.tolist() == [True, False] and r.values.tolist() == [0, 700]


def test_nullable_int_and_float_series():
    r = parse_money(pd.Series([1, None, -3], dtype="Int64"))
    assert r.values.tolist() == [100, 0, -300]
    assert r.blank.tolist() == [False, True, False]
    r = parse_money(pd.Series([1.5, None, 0.07], dtype="Float64"))
    assert r.values.tolist() == [150, 0, 7]
    assert r.blank.tolist() == [False, True, False]


def test_bools_are_bad():
    for col in (np.array([True, False]), pd.Series([True, None], dtype="boolean"),
                pa.array([True, None]), [True, False]):
        r = parse_money(col)
        check_shape(r, 2)
        assert r.bad[0] and r.why[0] == "not a number"
    assert parse_money(pd.Series([True, None], dtype="boolean")).blank.tolist() == [False, True]


def test_arrow_decimals():
    vals = [Decimal("1.23"), Decimal("-1.230"), Decimal("1.234"), None, Decimal("0"),
            Decimal("-99999999.999")]
    r = parse_money(pa.array(vals, type=pa.decimal128(12, 3)))
    check_shape(r, 6)
    assert r.values.tolist() == [123, -123, 0, 0, 0, 0]
    assert r.bad.tolist() == [False, False, True, False, False, True]
    assert r.blank.tolist() == [False, False, False, True, False, False]
    assert r.why[2] == "more than 2 decimal places (found 1.234)"
    # scale 0 and scale < 2
    r = parse_money(pa.array([Decimal("12"), Decimal("-3")], type=pa.decimal128(5, 0)))
    assert r.values.tolist() == [1200, -300]
    r = parse_money(pa.array([Decimal("1.5")], type=pa.decimal128(5, 1)))
    assert r.values.tolist() == [150]
    # wide values beyond int64 unscaled but exact cents
    big = pa.array([Decimal("1.00000000000000000000"), Decimal("12345678901234567.89")],
                   type=pa.decimal128(38, 20))
    assert parse_money(big).values.tolist() == [100, 1234567890123456789]
    r = parse_money(pa.array([Decimal("1" + "0" * 30)], type=pa.decimal128(38, 0)))
    assert r.bad[0] and r.why[0] == "too large"
    for t in (pa.decimal256(40, 2), pa.decimal32(7, 2), pa.decimal64(15, 2)):
        r = parse_money(pa.array([Decimal("10.25"), None], type=t))
        assert r.values.tolist() == [1025, 0] and r.blank.tolist() == [False, True]
    # sliced arrays respect the offset
    r = parse_money(pa.array(vals, type=pa.decimal128(12, 3)).slice(1, 2))
    assert r.values.tolist() == [-123, 0] and r.bad.tolist() == [False, True]


def test_mixed_object_column():
    vals = [1.5, 2, "3.25", None, np.nan, True, dt.datetime(2024, 1, 2), Decimal("1.10"),
            pd.NA, pd.NaT, np.float32(0.07), 10**30, "abc", " ", np.int64(4), np.float64(0.1),
            Decimal("NaN"), dt.date(2024, 1, 1), np.datetime64("NaT"), Decimal("0.001"), b"12"]
    r = parse_money(np.array(vals, dtype=object))
    check_shape(r, len(vals))
    assert r.values.tolist() == [150, 200, 325, 0, 0, 0, 0, 110, 0, 0, 7, 0, 0, 0, 400, 10,
                                 0, 0, 0, 0, 0]
    blanks = {3, 4, 8, 9, 13, 18}
    assert set(np.flatnonzero(r.blank).tolist()) == blanks
    assert set(r.why) == {5, 6, 11, 12, 16, 17, 19, 20}
    assert r.why[5] == "not a number"
    assert r.why[6].startswith("not a number")
    assert r.why[11] == "too large"
    assert r.why[19].startswith("more than 2 decimal places")
    # the same via a plain list
    r2 = parse_money(vals)
    assert r2.values.tolist() == r.values.tolist() and r2.why == r.why


def test_object_big_python_ints():
    r = parse_money(np.array([10**17, 10**16, -(10**16)], dtype=object))
    assert r.bad.tolist() == [True, False, False]
    assert r.values.tolist() == [0, 10**18, -(10**18)]


def test_pyarrow_inputs():
    r = parse_money(pa.chunked_array([[1.5, None], [2.25], []]))
    assert r.values.tolist() == [150, 0, 225] and r.blank.tolist() == [False, True, False]
    r = parse_money(pa.chunked_array([["1", None], ["(2.50)"]]))
    assert r.values.tolist() == [100, 0, -250]
    r = parse_money(pa.chunked_array([], type=pa.string()))
    check_shape(r, 0)
    r = parse_money(pa.array([1, None, 3], type=pa.int32()))
    assert r.values.tolist() == [100, 0, 300] and r.blank.tolist() == [False, True, False]
    r = parse_money(pa.array(["1.10", "2.20", "1.10", None]).dictionary_encode())
    assert r.values.tolist() == [110, 220, 110, 0]
    r = parse_money(pa.array(["x", "1.10", " 2.20 ", ""]).slice(1))
    assert r.values.tolist() == [110, 220, 0] and r.blank.tolist() == [False, False, True]
    r = parse_money(pa.array([None, None]))
    assert r.blank.all() and not r.bad.any()
    r = parse_money(pa.array([dt.date(2024, 1, 1), None]))
    assert r.bad.tolist() == [True, False] and r.blank.tolist() == [False, True]
    r = parse_money(pa.array([0.07, None], type=pa.float32()))
    assert r.values.tolist() == [7, 0] and r.blank.tolist() == [False, True]
    r = parse_money(pd.Series(["1.5", None], dtype=pd.ArrowDtype(pa.string())))
    assert r.values.tolist() == [150, 0]


def test_pandas_inputs_positional():
    s = pd.Series(["1", "2.5", None, "x"], index=[10, 3, 7, 1], dtype="str")
    r = parse_money(s)
    assert r.values.tolist() == [100, 250, 0, 0]
    assert r.why == {3: "not a number"}
    assert parse_money(pd.Index([1.5, 2.0])).values.tolist() == [150, 200]
    r = parse_money(pd.Series(pd.to_datetime(["2024-01-01", None])))
    assert r.bad.tolist() == [True, False] and r.blank.tolist() == [False, True]
    r = parse_money(pd.Series(["1.00", "2.00", "1.00"], dtype="category"))
    assert r.values.tolist() == [100, 200, 100]
    r = parse_money(np.array(["1.5", "  "]))
    assert r.values.tolist() == [150, 0] and r.blank.tolist() == [False, True]


def test_bad_shapes():
    with pytest.raises(ValueError):
        parse_money(np.zeros((2, 2)))
    with pytest.raises(TypeError):
        parse_money(pd.DataFrame({"a": [1]}))
    with pytest.raises(TypeError):
        parse_money(1.5)
    check_shape(parse_money(np.array([], dtype=np.float64)), 0)
    check_shape(parse_money([]), 0)


# ---------------------------------------------------------------------------
# Percentages
# ---------------------------------------------------------------------------

def test_parse_pct():
    vals = ["12.5", "100", "100.0001", "-1", "12.5%", "0.0001", "0.00005", 3.14159, 50, 12.5,
            "(5)", "", "$5", 0.0, 100.0, "1,00", 99.9999, 1e-4, "  7 % "]
    r = parse_pct(np.array(vals, dtype=object))
    check_shape(r, len(vals))
    assert r.values.tolist() == [125000, 1000000, 0, 0, 125000, 1, 0, 0, 500000, 125000,
                                 0, 0, 0, 0, 1000000, 0, 999999, 1, 70000]
    assert r.why == {
        2: "must be between 0 and 100",
        3: "must be between 0 and 100",
        6: "more than 4 decimal places",
        7: "more than 4 decimal places (found 3.14159)",
        10: "must be between 0 and 100",
        12: "not a number",
        15: "misplaced thousands separator",
    }
    assert r.blank.tolist() == [i == 11 for i in range(len(vals))]
    r = parse_pct(np.array([0, 100, 101, -1]))
    assert r.values.tolist() == [0, 1000000, 0, 0] and r.bad.tolist() == [False, False, True, True]


# ---------------------------------------------------------------------------
# Performance sanity: the common cases never touch the per-element fallbacks
# ---------------------------------------------------------------------------

def _forbid(monkeypatch, *names):
    """Make the per-element fallbacks raise: `text_units` is the grammar's own (reserve.money),
    the others are the cell reader's."""
    def boom(*a, **k):
        raise AssertionError("per-element fallback used on the fast path")
    for name in names:
        monkeypatch.setattr(money if name == "text_units" else cells, name, boom)


def test_two_million_floats_stay_vectorised(monkeypatch):
    _forbid(monkeypatch, "_float_slow", "_scalar_slow", "text_units")
    rng = np.random.default_rng(7)
    cents = rng.integers(-(10**13), 10**13, 2_000_000)
    x = cents / 100.0  # float-ok: correctly rounded test data
    x[::1000] = np.nan
    r = parse_money(x)
    assert not r.bad.any()
    ok = ~np.isnan(x)
    assert (r.values[ok] == cents[ok]).all() and r.blank.sum() == 2000


def test_two_million_ints_and_plain_strings_stay_vectorised(monkeypatch):
    _forbid(monkeypatch, "_float_slow", "_scalar_slow", "text_units", "_parse_text_regex")
    rng = np.random.default_rng(8)
    cents = rng.integers(-(10**11), 10**11, 2_000_000)
    assert (parse_money(cents).values == cents * 100).all()
    texts = pa.array([format_cents(c) for c in cents[:300_000].tolist()])
    r = parse_money(texts)
    assert (r.values == cents[:300_000]).all() and not r.bad.any()


def test_formatted_strings_avoid_per_element_fallback(monkeypatch):
    _forbid(monkeypatch, "text_units", "_parse_text_regex")
    cents = np.arange(-50_000, 50_000, 7)
    texts = pa.array([("$" if c % 2 else "") + format_display(int(c)) for c in cents])
    r = parse_money(texts)
    assert (r.values == cents).all()


def test_float_column_across_block_boundaries():
    # the float path works a block of 2**20 rows at a time: refusals and values keep their rows
    # on either side of a boundary, and the last, short block is read too
    from reserve.book.cells import _FLOAT_BLOCK, parse_money

    n = 2 * _FLOAT_BLOCK + 3
    x = np.full(n, 12.34)
    x[_FLOAT_BLOCK - 1], x[_FLOAT_BLOCK], x[n - 1] = 1.005, np.nan, -7.5
    p = parse_money(x)
    assert p.values[0] == 1234 and p.values[_FLOAT_BLOCK + 1] == 1234 and p.values[n - 1] == -750
    assert np.flatnonzero(p.bad).tolist() == [_FLOAT_BLOCK - 1] and "decimal places" in p.why[_FLOAT_BLOCK - 1]
    assert np.flatnonzero(p.blank).tolist() == [_FLOAT_BLOCK]
    assert p.values[_FLOAT_BLOCK - 1] == 0 and p.values[_FLOAT_BLOCK] == 0
