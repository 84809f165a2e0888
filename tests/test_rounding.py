"""Directed rounding (reading: rounding): one helper, `money.share`, told the amount's effect on
the requirement; and for every percentage, share and cap of the formula a case worked by hand
whose fraction of a cent is not zero, so that the direction is pinned.

The rounding reading (reserve/formula/readings.py, "rounding"): round toward the higher requirement, worked out from the amount's effect.
Amounts are cents unless written as dollars in a book; as_of is Friday 2026-11-20.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from bookkit import acct, book
from hypothesis import given, settings
from hypothesis import strategies as st

from reserve import money
from reserve.formula import compute
from reserve.money import Effect

INT64_MAX = 2**63 - 1


def margin(i, balance, **kw):
    return acct(i, balance, type="margin", **kw)


def coll(a, s, mv, **kw):
    return {"account_id": a, "security_id": s, "market_value": mv, **kw}


# --------------------------------------------------------------------------- the helper


def test_each_effect_names_its_direction():
    up = {e for e in Effect if e.rounds_up}
    assert up == {Effect.ADDS_TO_CREDITS, Effect.REDUCES_DEBITS, Effect.ADDS_TO_REQUIREMENT,
                  Effect.NET_CAPITAL_DEDUCTION}
    for e in Effect:
        assert e.says  # each effect says what it does to the requirement


def test_share_scalars_round_by_effect():
    # 333,333.33 x 3% = 9,999.9999: a reduction of debits rounds up, to 10,000.00
    assert money.share(33_333_333, 3, 100, Effect.REDUCES_DEBITS) == 1_000_000
    # the same fraction as a threshold rounds down
    assert money.share(33_333_333, 3, 100, Effect.THRESHOLD) == 999_999
    assert money.share(-10, 1, 3, Effect.ADDS_TO_DEBITS) == -4  # toward -inf
    assert money.share(-10, 1, 3, Effect.REDUCES_DEBITS) == -3  # toward +inf
    assert money.share(10**30, 3, 7, Effect.REDUCES_DEBITS) == -((-3 * 10**30) // 7)  # Python ints: unbounded
    assert money.share(10, 1, -3, Effect.THRESHOLD) == -4
    assert isinstance(money.share(np.int64(10), 1, 3, Effect.THRESHOLD), int)
    with pytest.raises(TypeError):
        money.share(10, 1, 3, "up")  # a direction is not an effect
    with pytest.raises(ZeroDivisionError):
        money.share(10, 1, 0, Effect.THRESHOLD)
    with pytest.raises(TypeError):
        money.share(1.5, 1, 3, Effect.THRESHOLD)


def test_share_arrays_with_array_ratios_and_remainders():
    a = np.array([1_000, 1_001, -1_001, 0, 7])
    num = np.array([1, 2, 3, 4, 5])
    den = np.array([3, 3, 3, 3, 3])
    assert money.share(a, num, den, Effect.CAPS_DEPOSIT).tolist() == [333, 667, -1001, 0, 11]
    assert money.share(a, num, den, Effect.REDUCES_DEBITS).tolist() == [334, 668, -1001, 0, 12]
    q, r = money.share(a, num, den, Effect.CAPS_DEPOSIT, remainder=True)
    assert (q * den + r).tolist() == (a * num).tolist() and ((r >= 0) & (r < den)).all()
    q, r = money.share(a, num, den, Effect.REDUCES_DEBITS, remainder=True)
    assert (q * den + r).tolist() == (a * num).tolist() and ((r <= 0) & (r > -den)).all()
    with pytest.raises(ZeroDivisionError):
        money.share(a, num, np.array([3, 3, 0, 3, 3]), Effect.THRESHOLD)


def test_share_arrays_never_overflow_silently():
    # products far beyond int64 (bank cash x cash) are exact: done in Python integers
    big = np.array([9 * 10**17, 10**18, 5])
    got = money.share(big, np.array([10**17, 3, 10**18]), np.array([10**17 + 7, 7, 10**18 + 1]), Effect.CAPS_DEPOSIT)
    assert got.tolist() == [(9 * 10**17 * 10**17) // (10**17 + 7), 3 * 10**18 // 7, 5 * 10**18 // (10**18 + 1)]
    with pytest.raises(OverflowError):
        money.share(np.array([INT64_MAX]), 3, 2, Effect.THRESHOLD)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(-(2**62), 2**62), st.integers(-(2**40), 2**40),
                          st.integers(1, 2**40) | st.integers(-(2**40), -1)), min_size=1, max_size=20),
       st.sampled_from(list(Effect)))
def test_share_matches_exact_fractions(triples, effect):
    a = np.array([t[0] for t in triples], dtype=np.int64)
    n = np.array([t[1] for t in triples], dtype=np.int64)
    d = np.array([t[2] for t in triples], dtype=np.int64)
    want = []
    for x, y, z in triples:
        f = Fraction(x * y, z)
        want.append(-((-f.numerator) // f.denominator) if effect.rounds_up else f.numerator // f.denominator)
    fits = all(-(2**63) <= w <= INT64_MAX for w in want)
    if not fits:
        with pytest.raises(OverflowError):
            money.share(a, n, d, effect)
        return
    assert money.share(a, n, d, effect).tolist() == want
    assert [money.share(x, y, z, effect) for x, y, z in triples] == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(-(2**63) + 1, 2**63 - 1), min_size=1, max_size=20),
       st.integers(-(2**40), 2**40), st.integers(1, 2**40) | st.integers(-(2**40), -1),
       st.sampled_from(list(Effect)))
def test_share_of_an_array_by_one_ratio_matches_exact_fractions(values, n, d, effect):
    # one percentage for a whole column: the fast path when products fit int64, else exact
    a = np.array(values, dtype=np.int64)
    exact = [Fraction(x * n, d) for x in values]
    want = [-((-f.numerator) // f.denominator) if effect.rounds_up else f.numerator // f.denominator for f in exact]
    if not all(-(2**63) <= w <= INT64_MAX for w in want):
        with pytest.raises(OverflowError):
            money.share(a, n, d, effect)
        return
    assert money.share(a, n, d, effect).tolist() == want
    if d > 0:  # the remainder is defined for a positive denominator: a*n = q*d + r
        q, r = money.share(a, n, d, effect, remainder=True)
        assert [x * n - w * d for x, w in zip(values, want, strict=True)] == r.tolist()


def test_formula_code_rounds_only_through_the_helper():
    """No call site of the formula decides a direction itself (reading: rounding)."""
    root = Path(__file__).resolve().parents[1] / "reserve" / "formula"
    banned = re.compile(r"math\.(ceil|floor)|-\(\(-|\*\s*\d+\s*//\s*\d+|//\s*100\b")
    # every module of the formula (Note H's are checked with them once its package is in)
    names = sorted(p.name for p in root.glob("*.py") if not p.name.startswith("note_h"))
    assert {"computation.py", "credits.py", "debits.py", "note_e.py", "pab.py", "reserve_bank.py"} <= set(names)
    for name in names:
        for i, line in enumerate((root / name).read_text().splitlines(), 1):
            assert not banned.search(line), f"{name}:{i}: {line.strip()}"


# --------------------------------------------------------------------------- each percentage


def test_three_percent_reduction_rounds_up(tmp_path):
    # reading: rounding. Aggregate debits 333,333.33 x 3% = 9,999.9999 -> reduction 10,000.00
    # (a larger reduction raises the requirement); total debits 323,333.33.
    # Credits 400,000.00 -> required 400,000.00 - 323,333.33 = 76,666.67 (76,666.66 rounding down).
    b = book(tmp_path, accounts=[acct("A", "400000"), acct("B", "-333333.33")])
    c = compute(b).computations["customer"]
    assert (c.aggregate_debits, c.debit_reduction, c.total_debits) == (33_333_333, 1_000_000, 32_333_333)
    assert c.required_deposit == 7_666_667


def test_two_percent_reduction_rounds_up(tmp_path):
    # reading: rounding. Daily computation required: 333,333.33 x 2% = 6,666.6666 -> 6,666.67.
    b = book(tmp_path, parameters={"frequency": "daily", "daily_basis": "required"},
             accounts=[acct("A", "400000"), acct("B", "-333333.33")])
    c = compute(b).computations["customer"]
    assert c.debit_reduction == 666_667 and c.total_debits == 33_333_333 - 666_667


def test_one_percent_reduction_rounds_up(tmp_path):
    # reading: rounding. Basic method, Note E(3): Item 10 333,333.33 x 1% = 3,333.3333 -> 3,333.34.
    b = book(tmp_path, parameters={"net_capital_method": "basic"}, accounts=[acct("A", "400000"), acct("B", "-333333.33")])
    c = compute(b).computations["customer"]
    assert c.debit_reduction == 333_334


def test_105_percent_monthly_rounds_up(tmp_path):
    # reading: rounding; reading: monthly_105. Monthly, basic method, as_of Monday 2026-11-30
    # (the month's last business day): credits 1,000.01, no debits -> excess 1,000.01
    # x 105% = 1,050.0105 -> required 1,050.02.
    b = book(tmp_path, parameters={"frequency": "monthly", "net_capital_method": "basic", "as_of": "2026-11-30"},
             accounts=[acct("A", "1000.01")])
    assert compute(b).computations["customer"].required_deposit == 105_002


def test_140_percent_cap_rounds_down(tmp_path):
    # reading: rounding. X debit 1,000.01 holds A 2,000.00: "not more than 140 percent" of the
    # debit = 1,400.014 -> 1,400.01 (not 1,400.02). Y debit 5,000.00 holds exempted UST 4,999.99
    # (cap 7,000: not binding). Total 1,400.01 + 4,999.99 = 6,400.00; 15% = 960.00 (no fraction).
    # A's excess 1,400.01 - 960.00 = 440.01 (<= X's debit) -> Item 10 = 1,000.01 + 5,000 - 440.01
    # = 5,560.00 (rounding the cap up would give 1,400.02, total 6,400.01, 15% 960.00, 5,559.99).
    b = book(tmp_path, accounts=[margin("X", "-1000.01"), margin("Y", "-5000")],
             collateral=[coll("X", "A", "2000"), coll("Y", "UST", "4999.99", exempted="true")])
    assert compute(b).computations["customer"].lines["item_10"] == 556_000


def test_note_e1_15_percent_threshold_rounds_down(tmp_path):
    # reading: rounding. X debit 1,000 holds A 1,000.01 (below its 140% cap); Y debit 5,000
    # holds exempted UST 5,000. Total 6,000.01; 15% = 900.0015 -> 900.00 (a lower threshold
    # reduces more). A's excess 1,000.01 - 900.00 = 100.01 -> Item 10 = 6,000 - 100.01 = 5,899.99
    # (rounding the threshold up would give 900.01, excess 100.00, 5,900.00).
    b = book(tmp_path, accounts=[margin("X", "-1000"), margin("Y", "-5000")],
             collateral=[coll("X", "A", "1000.01"), coll("Y", "UST", "5000", exempted="true")])
    assert compute(b).computations["customer"].lines["item_10"] == 589_999


def test_note_e5_25_percent_threshold_rounds_down(tmp_path):
    # reading: rounding. Tentative net capital 400,000.03 x 25% = 100,000.0075 -> 100,000.00.
    # Customer X's margin debit 150,000.01 exceeds it by 50,000.01, more than $50,000 -> reduced
    # by 50,000.01: Item 10 = 100,000.00. Rounding the threshold up (100,000.01) would leave an
    # excess of exactly 50,000.00, not reduced: Item 10 150,000.01.
    b = book(tmp_path, parameters={"tentative_net_capital": "400000.03"}, accounts=[margin("X", "-150000.01")],
             collateral=[])
    assert compute(b).computations["customer"].lines["item_10"] == 10_000_000


def test_note_e1_share_taken_off_before_note_e5_rounds_down(tmp_path):
    # reading: rounding; reading: e1_debit_basis.
    # Note E(1): X debit 100,000 and Y debit 200,000 hold A (100,000 and 200,000, below their caps);
    # Z debit 1,300,000 (shown related to credits: outside Note E(5)) holds exempted UST
    # 1,693,333.33. Total 1,993,333.33; 15% = 298,999.9995 -> 298,999.99; A's value 300,000 ->
    # reduction R = 1,000.01, attributed pro rata to debits: X 1,000.01 x 1/3 = 333.3367 -> 333.33
    # (rounded down: a larger share would make the E(5) reduction smaller), Y 666.6733 -> 666.67.
    # Note E(5): TNC 198,666.64 -> 25% = 49,666.66.
    #   X: 100,000 - 333.33 = 99,666.67; excess 50,000.01 > 50,000 -> reduced by 50,000.01
    #   Y: 200,000 - 666.67 = 199,333.33; excess 149,666.67 -> reduced
    # Item 10 = 1,600,000 - 1,000.01 - 50,000.01 - 149,666.67 = 1,399,333.31.
    # (Rounding the shares up -- 333.34, 666.68 -- leaves X's excess at 50,000.00, not reduced,
    # and gives 1,449,333.33.)
    b = book(tmp_path, parameters={"tentative_net_capital": "198666.64"},
             accounts=[margin("X", "-100000"), margin("Y", "-200000"),
                       margin("Z", "-1300000", debit_related_to_credits="true")],
             collateral=[coll("X", "A", "100000"), coll("Y", "A", "200000"),
                         coll("Z", "UST", "1693333.33", exempted="true")])
    r = compute(b)
    assert r.computations["customer"].lines["item_10"] == 139_933_331
    assert any(f.rule == "Note E(5)" and "customer X:" in f.message and "50,000.01" in f.message for f in r.findings)


def test_note_e1_amount_given_back_rounds_down(tmp_path):
    # reading: rounding; reading: e1_debit_basis.
    # X debit 1,000 holds A 1,400 and B 1,400 (caps 1,400); W debit 2,000 holds A 2,800 (cap 2,800);
    # P debit 2,000 holds exempted UST 2,500.07. Total 4,200 + 1,400 + 2,500.07 = 8,100.07;
    # 15% = 1,215.0105 -> 1,215.01.
    # A: excess 4,200 - 1,215.01 = 2,984.99 (<= 3,000 of debits); B: 1,400 - 1,215.01 = 184.99.
    # X's shares: A 2,984.99 x 1,000 / 3,000 = 994.9967 and all of B's 184.99 = 1,179.9867 > its
    # debit 1,000: the excess 179.9867 is given back to Item 10, rounded down to 179.98 (more given
    # back would lower the requirement).
    # Item 10 = 1,000 + 2,000 + 2,000 - 2,984.99 - 184.99 + 179.98 = 2,010.00 (2,010.01 rounding up).
    b = book(tmp_path, accounts=[margin("X", "-1000"), margin("W", "-2000"), margin("P", "-2000")],
             collateral=[coll("X", "A", "1400"), coll("X", "B", "1400"), coll("W", "A", "2800"),
                         coll("P", "UST", "2500.07", exempted="true")])
    r = compute(b)
    assert r.computations["customer"].lines["item_10"] == 201_000
    assert any(f.rule == "Note E(1)" and "limited to the debit" in f.message and f.amount == 17_998 for f in r.findings)


def test_note_e6_share_rounds_up(tmp_path):
    # reading: rounding; reading: e6_bounds. Debit 1,000.01 with a 20% non-customer owner: the
    # excluded share 200.002 rounds up to 200.01 (an exclusion from debits) -> Item 10 = 800.00.
    b = book(tmp_path, accounts=[acct("J", "-1000.01", noncustomer_ownership_pct="20")])
    assert compute(b).computations["customer"].lines["item_10"] == 80_000


def test_bank_15_percent_cap_rounds_down(tmp_path):
    # reading: rounding; reading: bank_cap. Equity capital 333.33 x 15% = 49.9995 -> 49.99 counts
    # of the 100.00 of cash (what counts on deposit rounds down).
    b = book(tmp_path, reserve_bank_accounts=[{"account_id": "R", "book": "customer", "bank_id": "B", "bank_name": "B",
                                               "bank_equity_capital": "333.33", "cash": "100",
                                               "written_notification": "true"}])
    assert compute(b).computations["customer"].on_deposit == 4_999


def test_bank_cap_pro_rata_shares_round_down(tmp_path):
    # reading: rounding; reading: bank_cap. Equity 100,000 -> cap 15,000.00 at a bank holding
    # customer cash 10,000.00 and PAB cash 20,000.01 (30,000.01):
    #   customer 15,000 x 10,000 / 30,000.01 = 4,999.9983 -> 4,999.99
    #   PAB      15,000 x 20,000.01 / 30,000.01 = 10,000.0016 -> 10,000.00
    # (each computation's share is what counts on deposit: rounded down).
    rb = lambda i, comp, cash: {"account_id": i, "book": comp, "bank_id": "B", "bank_name": "B",  # noqa: E731
                                "bank_equity_capital": "100000", "cash": cash, "written_notification": "true"}
    b = book(tmp_path, reserve_bank_accounts=[rb("C", "customer", "10000"), rb("P", "pab", "20000.01")])
    r = compute(b)
    assert (r.computations["customer"].on_deposit, r.computations["pab"].on_deposit) == (499_999, 1_000_000)


def test_net_capital_one_percent_rounds_up(tmp_path):
    # reading: rounding; reading: fails_allocated. A fail to deliver of 1,000.01 allocated to a fail
    # to receive of the same issue: 1% of its contract value, 10.0001, is deducted from net worth:
    # shown as 10.01 (a larger deduction is the conservative one).
    b = book(tmp_path, items=[
        {"item_id": "R", "book": "customer", "kind": "fail_to_receive", "amount": "1000.01", "market_value": "1000.01",
         "open_date": "2026-11-18", "security_id": "S"},
        {"item_id": "D", "book": "customer", "kind": "fail_to_deliver", "amount": "1000.01", "open_date": "2026-11-18",
         "allocated_to": "R", "security_id": "S"}])
    r = compute(b)
    (f,) = [f for f in r.findings if f.rule == "Rule 15c3-1(a)(1)(ii)(D)"]
    assert f.amount == 1_001 and "10.01" in f.message
