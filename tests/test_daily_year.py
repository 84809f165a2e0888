"""bench/daily_year.py (issue 15 "Done means"): a year of daily books with planted facts.

A short window (2026-04-20..2026-06-10, 200 accounts) is generated once and computed on today's
engine (`--compute --no-deposits`); the series read from its reports must find exactly the
planted facts. A second, shorter one is generated WITH the deposits table (not computed: a
`reserve` without A1's `deposits` table refuses it) and read back as Parquet. The tests that
need the deposits table in the engine (A1, branch i15-dep-book) are skipped until it is there.

The planted days of the default seed (deterministic: the generator's random stream is integer
splitmix64, the same on every machine), worked by hand from the calendar of 2026:

* FAQ Q6 non-computation days in the window: Fri 2026-05-22 (Friday before Memorial Day, a
  business day) and Mon 2026-05-25 (Memorial Day, a Federal holiday);
* missed days: Mon 2026-05-04 and Wed 2026-05-27 (business days, not Q6 days, not adjacent);
* the withdrawal on Tue 2026-05-05 at 14:00, the business day after the first missed day: the
  computation that would cover it is the one as of Mon 2026-05-04 (the close of the business day
  before), not made. The computation before, as of Fri 2026-05-01, permitted it; its own deadline
  is Fri + 2 business days = Tue 2026-05-05 at 09:30 (08:30 + 1 hour), so the 14:00 withdrawal is
  after it, in no obligation's window;
* the late deposit: the customer deposit needed as of Tue 2026-05-26 (the computation day before
  the second missed day); deadline Tue + 2 business days (Wed 27, Thu 28) = Thu 2026-05-28 at
  09:30; credited Fri 2026-05-29 at 10:00: nothing in its window, so the deficiency is the whole
  deposit needed, cured 2026-05-29: 2026-05-29 - 2026-05-28 = 1 day outstanding;
* the test computation: Wed 2026-06-03.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from reserve.book.schema import TABLES_BY_NAME
from reserve.calendar import BusinessCalendar

GEN = Path(__file__).resolve().parents[1] / "bench" / "daily_year.py"
START, END, ACCOUNTS = date(2026, 4, 20), date(2026, 6, 10), 200
HAS_DEPOSITS = "deposits" in TABLES_BY_NAME
needs_deposits = pytest.mark.skipif(not HAS_DEPOSITS, reason="needs the book's deposits table (issue 15, branch i15-dep-book)")


def _gen():
    mod = sys.modules.get("reserve_daily_year")
    if mod is None:
        spec = importlib.util.spec_from_file_location("reserve_daily_year", GEN)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["reserve_daily_year"] = mod
        spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def gen():
    return _gen()


@pytest.fixture(scope="module")
def computed(gen, tmp_path_factory):
    """The window generated and computed on today's engine (no deposits table)."""
    out = tmp_path_factory.mktemp("daily") / "year"
    gen.main(["--out", str(out), "--start", START.isoformat(), "--end", END.isoformat(), "--accounts", str(ACCOUNTS),
              "--compute", "--no-deposits"])
    return out, json.loads((out / "planted.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def with_deposits(gen, tmp_path_factory):
    """A shorter window written WITH the deposits table and bank_opens_at (not computed)."""
    out = tmp_path_factory.mktemp("daily") / "deposits"
    gen.main(["--out", str(out), "--start", "2026-05-01", "--end", "2026-06-05", "--accounts", "60"])
    return out, json.loads((out / "planted.json").read_text(encoding="utf-8"))


def test_the_random_stream_is_pinned(gen):
    # integer splitmix64: these values are the same on every machine and numpy version, so the
    # books (and the cents below) are too
    assert gen.splitmix(0, 0, 2).tolist() == [_splitmix64(0x9E3779B97F4A7C15), _splitmix64(2 * 0x9E3779B97F4A7C15)]


def _splitmix64(x: int) -> int:
    """splitmix64's output function, in Python integers (the reference the generator's numpy follows)."""
    m = 2**64 - 1
    z = x & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    return z ^ (z >> 31)


def test_the_year_2026s_plan(gen):
    """The plan of a whole year (no book written: `make_plan` is pure), as bench/README.md states it.

    2026 has 251 business days, 12 of them FAQ Q6 non-computation days: 251 - 12 - 2 missed = 237.
    The month-end computations: the last computation of each month, December's the 30th (the
    31st, the business day before New Year's Day, is a Q6 day). The crossing at the 5th, May:
    anchors $380M + $65M x (i - 1), the step chosen so the mean of the first 5 is $510M:
    (380 + 445 + 510 + 575 + 640) / 5 = 2,550 / 5 = 510 >= 500; a month before,
    (380 + 445 + 510 + 575) / 4 = 1,910 / 4 = 477.5 < 500. Then up by (650 - 640) / 7 a month to $650M.
    """
    cal = BusinessCalendar()
    plan = gen.make_plan(date(2026, 1, 1), date(2026, 12, 31), gen.SEED, cal)
    assert len(plan.computation_days) == 237
    assert plan.missed == [date(2026, 4, 21), date(2026, 8, 18)]
    assert (plan.before_withdrawal, plan.withdrawal_day) == (date(2026, 4, 20), date(2026, 4, 22))
    assert (plan.late_obligation, plan.late_deadline, plan.late_credited) == (
        date(2026, 8, 17), date(2026, 8, 19), date(2026, 8, 20))
    assert plan.test_day == date(2026, 11, 4)
    assert [d.month for d in plan.month_ends] == list(range(1, 13))
    assert plan.month_ends[4] == date(2026, 5, 29) and plan.month_ends[-1] == date(2026, 12, 30)
    million = 100 * 10**6
    assert plan.crossing_index == 4
    assert [a // million for a in plan.anchors[:5]] == [380, 445, 510, 575, 640]
    assert sum(plan.anchors[:5]) == 5 * 510 * million and sum(plan.anchors[:4]) == 1910 * million
    assert plan.anchors[-1] == 650 * million
    for d, a in zip(plan.month_ends, plan.anchors, strict=True):  # no noise at a month-end
        assert gen.total_credits_target(plan, d, gen.SEED) == a


def test_computation_days_are_the_business_days_less_q6_and_the_missed_days(computed):
    out, planted = computed
    cal = BusinessCalendar()
    days = [START + timedelta(days=i) for i in range((END - START).days + 1)]
    business = [d for d in days if cal.is_business_day(d)]
    q6 = {date.fromisoformat(q["date"]) for q in planted["q6_days"]}
    assert q6 == {date(2026, 5, 22), date(2026, 5, 25)}  # Friday before Memorial Day; Memorial Day
    missed = [date.fromisoformat(d) for d in planted["missed_days"]]
    assert missed == [date(2026, 5, 4), date(2026, 5, 27)]
    for m in missed:  # ordinary business days, not Q6 days
        assert cal.is_business_day(m) and cal.non_computation_reason(m) is None
    assert cal.next_business_day(missed[0]) != missed[1]  # not adjacent
    expected = [d for d in business if d not in q6 and d not in missed]
    assert [date.fromisoformat(d) for d in planted["computation_days"]] == expected
    assert len(expected) == 34  # 37 business days (Apr 20..Jun 10, less Memorial Day) - May 22 - 2 missed
    folders = sorted(p.name for p in (out / "books").iterdir())
    assert folders == sorted([d.isoformat() for d in expected] + ["2026-06-03-test"])
    assert sorted(p.name for p in (out / "reports").iterdir()) == folders
    assert (out / "reports" / END.isoformat() / "report.html").is_file()  # html for the last only
    assert not (out / "reports" / "2026-06-09" / "report.html").exists()


def test_planted_facts(computed):
    _, p = computed
    assert p["frequency"] == "daily" and p["daily_basis"] == "voluntary"
    assert p["daily_notice_date"] == "2025-11-01"  # before the year, more than 30 days: 2% applies
    late = p["late_deposit"]
    assert late["obligation_as_of"] == "2026-05-26" and late["computation"] == "customer"
    assert late["deadline_date"] == "2026-05-28" and late["deadline_instant"] == "2026-05-28T09:30"
    assert late["credited_at"] == "2026-05-29T10:00"  # the day after the deadline day
    need, amount = Decimal(late["deposit_needed"]), Decimal(late["amount"])
    assert 0 < need <= amount < need + 1000  # the deposit needed, rounded up to $1,000
    assert Decimal(late["expected_deficiency"]) == need  # nothing credited in its window
    assert late["expected_days_outstanding"] == 1 and late["expected_cured_on"] == "2026-05-29"
    w = p["uncovered_withdrawal"]
    assert (w["day"], w["credited_at"], w["missing_computation_as_of"], w["previous_computation"]) == (
        "2026-05-05", "2026-05-05T14:00", "2026-05-04", "2026-05-01")
    assert 0 < Decimal(w["amount"]) <= Decimal(w["previous_withdrawal_permitted"])
    assert p["test_run"]["date"] == "2026-06-03" and Decimal(p["test_run"]["customer_deposit_needed"]) >= 1_000_000
    exp = p["expected"]  # the generator's own reading of the series' deposit check (reserve.series.deposits.READINGS): only the planted facts
    assert [d["as_of"] for d in exp["deficiencies"]] == ["2026-05-26"]
    assert [(x["day"], x["amount"]) for x in exp["withdrawals_not_covered"]] == [("2026-05-05", w["amount"])]
    assert exp["withdrawals_exceeding"] == []
    assert p["crossing"] == {"month_end": "2026-05-29", "average": "509999999.20", "months": 2,
                             "daily_required_from": "2026-11-30"}


def test_the_series_finds_exactly_the_plant(computed):
    from reserve.series.read import read_series

    out, p = computed
    s = read_series([out / "reports"])
    assert [(g.kind, g.day.isoformat()) for g in s.gaps] == [("missing business day", d) for d in p["missed_days"]]
    assert [r.as_of.isoformat() for r in s.runs] == p["computation_days"]
    assert [t.as_of.isoformat() for t in s.tests] == [p["test_run"]["date"]]  # apart from the series
    assert not s.passed_over and not s.superseded
    assert s.daily_basis == "voluntary" and s.reminders  # (e)(3)(v): a voluntary daily filer stays daily
    (c,) = s.average.crossings
    assert (c.direction, c.month_end.isoformat(), c.date.isoformat()) == ("reached", "2026-05-29", "2026-11-30")
    # By hand: six calendar months after Fri 2026-05-29 is Sun 2026-11-29, not a business day: the
    # next one, Mon 2026-11-30.
    assert c.date == date(2026, 11, 30)
    ends = {me.as_of.isoformat(): me for me in s.average.month_ends}
    assert list(ends) == ["2026-04-30", "2026-05-29"]  # June is not over at 2026-06-10
    for row in p["month_ends"]:
        me = ends[row["as_of"]]
        assert me.customer_credits == _cents(row["customer"]) and me.pab_credits == _cents(row["pab"])


def test_the_average_at_the_crossing_by_hand(computed):
    """The month-end totals planted (customer + PAB total credits), and the average worked by hand:

    2026-04-30: 334,399,999.34 + 45,599,999.90 = 379,999,999.24  -> average of 1 month 379,999,999.24 (< $500M)
    2026-05-29: 563,199,999.27 + 76,799,999.90 = 639,999,999.17
                (379,999,999.24 + 639,999,999.17) / 2 = 1,019,999,998.41 / 2 = 509,999,999.205
                -> rounded half to even to the cent: 509,999,999.20 (>= $500M: 1,019,999,998.41 >= 2 x 500,000,000)
    """
    from reserve.series.read import read_series

    out, p = computed
    rows = {r["as_of"]: r for r in p["month_ends"]}
    assert (rows["2026-04-30"]["customer"], rows["2026-04-30"]["pab"], rows["2026-04-30"]["total"]) == (
        "334399999.34", "45599999.90", "379999999.24")
    assert (rows["2026-05-29"]["customer"], rows["2026-05-29"]["pab"], rows["2026-05-29"]["total"]) == (
        "563199999.27", "76799999.90", "639999999.17")
    s = read_series([out / "reports"])
    april, may = s.average.month_ends
    assert april.average_cents == 379_999_999_24 and april.reaches is False
    assert may.average == Decimal("50999999920.5")  # cents: 101,999,999,841 / 2, exact
    assert may.average_cents == 509_999_999_20 and may.reaches is True  # half to even: ...920.5 -> ...920


def test_every_report_computes_with_the_planted_balances(computed):
    out, p = computed
    movements = p["deposits"]["all"]
    assert p["deposits"]["rows_in_books"] == 0  # --no-deposits: no table
    for d in p["computation_days"]:
        r = json.loads((out / "reports" / d / "report.json").read_text(encoding="utf-8"))
        assert r["parameters"]["frequency"] == "daily" and r["parameters"].get("test_run") is not True
        assert "deposits" not in r
    # the withdrawal is in the balance of the computation as of its own day, not of the one before
    w = p["uncovered_withdrawal"]
    before = json.loads((out / "reports" / "2026-05-01" / "report.json").read_text(encoding="utf-8"))
    assert _cents(before["computations"]["customer"]["withdrawal_permitted"]) >= _cents(w["amount"])
    day = json.loads((out / "reports" / w["day"] / "report.json").read_text(encoding="utf-8"))
    credited = {m["reference"]: m for m in movements}
    on_may5 = sum((1 if m["kind"] == "deposit" else -1) * _cents(m["amount"]) for m in credited.values()
                  if m["computation"] == "customer" and m["credited_at"][:10] in ("2026-05-02", "2026-05-03",
                                                                                   "2026-05-04", "2026-05-05"))
    assert _cents(day["computations"]["customer"]["on_deposit"]) == _cents(
        before["computations"]["customer"]["on_deposit"]) + on_may5
    test = json.loads((out / "reports" / "2026-06-03-test" / "report.json").read_text(encoding="utf-8"))
    assert test["parameters"]["test_run"] is True
    assert _cents(test["computations"]["customer"]["deposit_needed"]) == _cents(p["test_run"]["customer_deposit_needed"])


def test_the_deposits_sheet_is_the_contracts(with_deposits):
    import pyarrow.parquet as pq

    out, p = with_deposits
    assert p["generator"]["bank_opens_at"] == "08:30"
    seen: dict[tuple, int] = {}
    rows = 0
    for d in p["computation_days"] + [f"{p['test_run']['date']}-test"]:
        folder = out / "books" / d
        pt = pq.read_table(folder / "parameters.parquet").to_pydict()
        params = dict(zip(pt["name"], pt["value"], strict=True))
        assert params["bank_opens_at"] == "08:30"
        t = pq.read_table(folder / "deposits.parquet")
        assert t.column_names == ["account_id", "credited_at", "amount", "kind", "reference"]
        rb = set(pq.read_table(folder / "reserve_bank_accounts.parquet").column("account_id").to_pylist())
        as_of = date.fromisoformat(d[:10])
        for r in t.to_pylist():
            assert r["account_id"] in rb  # names a reserve bank account of this book
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r["credited_at"])  # a date AND a time
            assert datetime.fromisoformat(r["credited_at"]).date() <= as_of
            assert r["amount"] > 0 and round(r["amount"] * 100) == r["amount"] * 100
            assert r["kind"] in ("deposit", "withdrawal") and r["reference"]
            if not d.endswith("-test"):
                key = (r["account_id"], r["credited_at"], r["kind"], r["amount"], r["reference"])
                seen[key] = seen.get(key, 0) + 1
                rows += 1
    # every movement is in at least one book of the series' own computations (the union, repeats
    # dropped, is the whole list); the test computation's book repeats the real book of its day
    assert len(seen) == p["deposits"]["movements"] == len(p["deposits"]["all"])
    assert rows == p["deposits"]["rows_in_books"] and rows - len(seen) == p["deposits"]["repeats"] > 0
    test_day = p["test_run"]["date"]
    test_table = pq.read_table(out / "books" / f"{test_day}-test" / "deposits.parquet")
    assert test_table.num_rows == p["deposits"]["rows_in_test_book"]
    assert test_table.equals(pq.read_table(out / "books" / test_day / "deposits.parquet"))
    refs = {k[4] for k in seen}
    assert refs == {m["reference"] for m in p["deposits"]["all"]}


def test_the_generators_check_by_hand(gen):
    """The generator's reading of the deposit check on a hand-made case (what planted.json's `expected` holds).

    Computation as of Mon 2026-05-04, customer, deposit needed 100.00: deadline Mon + 2 business
    days = Wed 2026-05-06 at 09:30. Credited Tue 10:00 60.00 and Wed 09:30 30.00 (at the instant:
    in the window), net 90.00: a deficiency of 10.00; Wed 11:00 5.00 and Thu 10:00 5.00 after the
    deadline bring the net to 100.00 on Thu 2026-05-07: 1 day outstanding. A withdrawal of 20.00
    on Wed 14:00 is covered by the computation as of Tue (the business day before), which permits
    15.00: 5.00 over. One of 7.00 on Fri 2026-05-08 has no computation as of Thu: not covered.
    """
    cal = BusinessCalendar()
    ob = [{"computation": "customer", "as_of": date(2026, 5, 4), "deposit_needed": 100_00, "withdrawal_permitted": 0,
           "deadline": date(2026, 5, 6), "test": False},
          {"computation": "customer", "as_of": date(2026, 5, 5), "deposit_needed": 0, "withdrawal_permitted": 15_00,
           "deadline": date(2026, 5, 7), "test": False},
          {"computation": "customer", "as_of": date(2026, 5, 7), "deposit_needed": 0, "withdrawal_permitted": 99_00,
           "deadline": date(2026, 5, 11), "test": True}]  # a test computation covers nothing
    mv = [gen.Movement("RB", "customer", datetime(2026, 5, *dh), k, a, f"R{i}", "")
          for i, (dh, k, a) in enumerate([((5, 10, 0), "deposit", 60_00), ((6, 9, 30), "deposit", 30_00),
                                          ((6, 11, 0), "deposit", 5_00), ((7, 10, 0), "deposit", 5_00),
                                          ((6, 14, 0), "withdrawal", 20_00), ((8, 10, 0), "withdrawal", 7_00)])]
    # first the deposits alone
    mv_no_w = [m for m in mv if m.kind == "deposit"]
    got = gen.expected_check(ob, mv_no_w, cal, date(2026, 5, 8))
    (d,) = got["deficiencies"]
    assert (d["deficiency"], d["credited_by_deadline"], d["cured_on"], d["days_outstanding"]) == (
        "10.00", "90.00", "2026-05-07", 1)
    got = gen.expected_check(ob, mv, cal, date(2026, 5, 8))
    # with the withdrawals: Wed 14:00 is after the deadline instant, so not in the window's net (90.00), but
    # in the cumulative net after it: 90 + 5 (Wed 11:00) - 20 (Wed 14:00) + 5 (Thu) - 7 (Fri) = 73 < 100:
    # never cured in the evidence, still outstanding at its latest date, Fri 2026-05-08 - Wed 2026-05-06 = 2 days
    (d,) = got["deficiencies"]
    assert (d["cured_on"], d["still_outstanding_at"], d["days_outstanding"]) == (None, "2026-05-08", 2)
    assert got["withdrawals_exceeding"] == [{"day": "2026-05-06", "computation": "customer", "amount": "20.00",
                                              "permitted": "15.00", "excess": "5.00"}]
    assert got["withdrawals_not_covered"] == [{"day": "2026-05-08", "computation": "customer", "amount": "7.00",
                                               "missing_computation_as_of": "2026-05-07"}]


@pytest.fixture(scope="module")
def computed_with_deposits(gen, tmp_path_factory):
    """The short window with the deposits table, computed (needs the engine's deposits table)."""
    if not HAS_DEPOSITS:
        pytest.skip("needs the book's deposits table (issue 15, branch i15-dep-book)")
    out = tmp_path_factory.mktemp("daily") / "computed-deposits"
    gen.main(["--out", str(out), "--start", START.isoformat(), "--end", END.isoformat(), "--accounts", str(ACCOUNTS),
              "--compute"])
    return out, json.loads((out / "planted.json").read_text(encoding="utf-8"))


@needs_deposits
def test_with_the_deposits_table_every_report_carries_its_movements(computed_with_deposits):
    """Once the engine knows the deposits table (A1): the books with it compute, each report.json
    carries bank_opens_at and its deposits, and their union is the planted movements."""
    out, p = computed_with_deposits
    union = set()
    for d in p["computation_days"]:
        r = json.loads((out / "reports" / d / "report.json").read_text(encoding="utf-8"))
        assert r["parameters"]["bank_opens_at"] == "08:30"
        for m in r["deposits"]:
            union.add((m["account_id"], m["credited_at"], m["kind"], m["amount"], m["reference"]))
    assert union == {(m["account_id"], m["credited_at"], m["kind"], m["amount"], m["reference"])
                     for m in p["deposits"]["all"]}


def _cents(text: str) -> int:
    return int(Decimal(text) * 100)


HAS_CHECK = importlib.util.find_spec("reserve.series.deposits") is not None


@needs_deposits
@pytest.mark.skipif(not HAS_CHECK, reason="needs the series' deposit check (issue 15, branch i15-dep-series)")
def test_the_series_deposit_check_finds_exactly_the_plant(computed_with_deposits):
    """The series' check (A2, reserve.series.deposits) on the planted window finds what planted.json
    expects, and nothing else: one deficiency, the late customer deposit as of 2026-05-26 (its
    whole deposit needed; deadline Thu 2026-05-28 09:30, cured Fri 2026-05-29: 1 day outstanding);
    one day of withdrawals not covered by a computation, 2026-05-05 (no computation as of 2026-05-04);
    every other deposit needed met; the test computation of 2026-06-03, which needs a deposit
    nobody made, not checked; each movement once, the repeats counted."""
    from reserve.series.read import read_series

    out, p = computed_with_deposits
    s = read_series([out / "reports"])
    d = s.deposits
    assert d is not None
    late = p["late_deposit"]
    (f,) = d.deficiencies
    assert (f.obligation.computation, f.obligation.as_of.isoformat()) == ("customer", late["obligation_as_of"])
    assert f.shortfall == _cents(late["expected_deficiency"]) == _cents(late["deposit_needed"]) and f.credited == 0
    assert (f.cured_on.isoformat(), f.days_outstanding) == ("2026-05-29", 1)
    assert f.deadline_at == datetime(2026, 5, 28, 9, 30)
    w = p["uncovered_withdrawal"]
    (u,) = d.uncovered
    assert (u.day.isoformat(), u.computation, u.amount) == (w["day"], "customer", _cents(w["amount"]))
    assert len(d.movements) == p["deposits"]["movements"] and d.repeats == p["deposits"]["repeats"]
    met = sum(1 for o in d.obligations if o.status == "met")
    assert met == p["expected"]["obligations_met"]
    assert not any(o.obligation.test for o in d.obligations if o.status in ("met", "deficiency"))
