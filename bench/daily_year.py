#!/usr/bin/env python
"""A year of DAILY books of one firm, with planted facts for `reserve series` (issue 15 "Done means").

    python bench/daily_year.py --out DIR [--accounts 2000] [--year 2026] [--seed N] [--compute]
    python bench/daily_year.py --out DIR --start 2026-04-20 --end 2026-06-10 --accounts 200 --compute --no-deposits

Writes one Parquet book folder per computation day, `DIR/books/YYYY-MM-DD/` (bench/bench.py's
`write_parquet_book`), one test computation `DIR/books/YYYY-MM-DD-test/`, and with `--compute`
computes each in-process (`reserve.api`: load, compute, `write_outputs`, as `reserve compute BOOK
--out DIR/reports/YYYY-MM-DD --format json` does; the last one also as report.html). Then
`DIR/planted.json`: every planted fact and what the series must find.

What it plants (the positions are fractions of the window's computation days, nudged to the
first day that fits, so a short window has them too):

* **computation days**: the window's business days (`reserve.calendar.BusinessCalendar`) less
  the SEC staff FAQ of 2025-12-08 Question 6 non-computation days (`non_computation_reason`,
  not re-derived here) less **two missed days** (ordinary business days, not adjacent, nothing
  computed). `frequency` daily, `daily_basis` voluntary, `daily_notice_date` the November 1 before
  the window's year (more than 30 days before: the 2% reduction applies), kept voluntary throughout.
* **total credits** (customer + PAB) growing, ~$380M at the first month-end to ~$650M at the last,
  so that the average over the month-end computations of the series first reaches $500 million at
  one month-end (May in a whole year; the second month-end of a two-month window): the anchors are
  linear up to the crossing (slope chosen so the average there is $510M, a month before it at most
  ~$478M), then linear to $650M. The series must say daily computation became required six months
  after that month-end (`reserve.series.analysis.six_months_after`).
* each book: customer, PAB and non-customer cash accounts whose balances vary day to day
  (integer arithmetic on a splitmix64 stream of the seed: the same seed gives the same cents on
  every machine); one customer and one PAB Reserve Bank Account at two non-affiliated banks with
  equity capital so large that the 15% cap of Rule 15c3-3(e)(5) never binds; their balances follow
  the firm's movements: the deposit needed by the computation as of day D (the engine's own
  figure) is credited, rounded up to $1,000, on the next business day at 10:00, with
  `bank_opens_at` 08:30 (deadline: the second following business day at 09:30), and is in the
  balance of every later book;
* EXCEPT **one late deposit**: the customer deposit needed as of the computation day before the
  second missed day (so no computation of the missed day makes a deposit that would cure it) is
  credited the calendar day AFTER its deadline day, at 10:00: a deficiency of the whole deposit
  needed (nothing credited in its window), cured that day: 1 day outstanding (that day's credits
  are moved up, +1% then more, until it needs a deposit);
* **one withdrawal on a day with no computation**: the business day after the first missed day, at
  14:00 (after the 09:30 deadline of the computation before the missed day, so in no obligation's
  window), of the customer account, of 80% of what the previous computation permitted (the firm
  made a cushion deposit of 5% before it, and that day's credits are moved down, -0.3% then more,
  until it permits $1 million or more): no computation as of the missed day covers it (Rule
  15c3-3(g) as reserve.series.deposits reads it);
* the `deposits` table of each book lists the movements credited ON OR AFTER the previous
  computation's as-of date up to and including the book's own as-of date (the first book: from the
  window's start): every movement up to the last as-of is in at least one book, most in two (the
  repeats the series drops); movements after the last computation's as-of are not generated;
* **one test computation** (`test_run` true), the same day as a real one, its customer credits 3%
  higher (or more, until it needs a deposit of $1 million or more: one nobody makes, so a series
  that checked a test computation would find a deficiency); report folder
  `DIR/reports/YYYY-MM-DD-test`; its book's deposits table is the real book's of the day.

`--no-deposits`: no `deposits` table and no `bank_opens_at` (the books compute on a `reserve`
without the deposits table); the balances are the same. With the deposits table and a `reserve`
that does not know it, the figures the simulation needs are computed on the book before the
table is added, and `--compute` is refused.

planted.json also holds this generator's own reading of the series' deposit check (reserve.series.deposits.READINGS) (`expected`): each
deficiency (amount, days outstanding), each withdrawal not covered, the obligations not yet due
on the evidence -- worked from the engine's figures and the movements, independently of
`reserve.series`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reserve.calendar import BusinessCalendar  # noqa: E402


def _bench_module():
    """bench/bench.py, loaded by its path (a `bench` folder on sys.path would shadow it by name)."""
    import importlib.util

    mod = sys.modules.get("reserve_bench")
    if mod is None:
        spec = importlib.util.spec_from_file_location("reserve_bench", HERE / "bench.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules["reserve_bench"] = mod
    return mod


def write_parquet_book(data: dict, out: Path) -> None:
    """bench/bench.py's Parquet writer (money as float64 dollars, as most exports give it)."""
    _bench_module().write_parquet_book(data, out)


FIRM = "Example Daily Clearing LLC"
SEED = 20260101
BANK_OPENS_AT = "08:30"
DEPOSIT_TIME = dt.time(10, 0)  # the firm's deposits: the next business day at 10:00
WITHDRAWAL_TIME = dt.time(14, 0)  # the planted withdrawal: after 09:30, the deadline hour
LATE_TIME = dt.time(10, 0)  # the late deposit: the day after its deadline day
ROUND_DEPOSIT = 1_000_00  # deposits rounded up to $1,000 (cents)
THRESHOLD = 500_000_000_00  # $500 million (cents), Rule 15c3-3(e)(3)(i)(B)(1)
LO, HI, OVER = 380_000_000_00, 650_000_000_00, 10_000_000_00  # first month-end, last, the average's margin
CUSTOMER_SHARE = 88  # percent of total credits in the customer computation
CUSHION_PCT = 5  # the cushion deposit before the planted withdrawal: 5% of the required deposit
# the day's noise (basis points) tried in turn on the computation before the first missed day (until
# it permits $1M or more) and on the one before the second (until it needs a deposit)
FORCED_D0 = (-30, -100, -200, -400, -800, -1600)
FORCED_L = (100, 200, 400, 800, 1600)
TEST_BUMPS = (103, 106, 110, 120, 140)  # the test computation's customer credits: 103% of the real ones, or more
M = 10**6  # a million, in dollars


# --------------------------------------------------------------------------- a stable random stream

def splitmix(seed: int, stream: int, n: int) -> np.ndarray:
    """n uint64 values of splitmix64 for (seed, stream): integer arithmetic only, so the same
    seed gives the same books on every machine and numpy version (numpy's Generator streams
    are not promised across versions)."""
    base = np.uint64((seed * 0x9E3779B97F4A7C15 + stream * 0xD1B54A32D192ED03) & 0xFFFFFFFFFFFFFFFF)
    with np.errstate(over="ignore"):
        x = base + (np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
        z = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def ints(seed: int, stream: int, n: int, lo: int, hi: int) -> np.ndarray:
    """n integers in [lo, hi] (int64) from the stream."""
    return (splitmix(seed, stream, n) % np.uint64(hi - lo + 1)).astype(np.int64) + lo


# --------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    start: dt.date
    end: dt.date
    business: list[dt.date]
    q6: list[tuple[dt.date, str]]  # FAQ Q6 non-computation days in the window (holidays too)
    computation_days: list[dt.date]
    missed: list[dt.date]
    month_ends: list[dt.date]  # the month-end computations the series' average takes
    crossing_index: int | None  # index into month_ends of the planted crossing
    anchors: list[int]  # total credits (cents) at each month-end
    before_withdrawal: dt.date  # D0: the computation before the first missed day (permits a withdrawal)
    withdrawal_day: dt.date  # the business day after the first missed day
    late_obligation: dt.date  # L: the computation before the second missed day
    late_deadline: dt.date
    late_credited: dt.date  # the calendar day after the deadline day
    test_day: dt.date
    noise_bp: dict[dt.date, int] = field(default_factory=dict)  # forced day noise (basis points)


def _month_end_days(days: Sequence[dt.date], cal: BusinessCalendar) -> list[dt.date]:
    """The month-end computations the series takes (reserve.series.analysis._month_ends): the last
    computation of each month; the last month only if it is as of the month's last business day
    that is not an FAQ Q6 non-computation day."""
    last: dict[tuple[int, int], dt.date] = {}
    for d in days:
        last[(d.year, d.month)] = d
    ends = [last[k] for k in sorted(last)]
    if ends:
        y, m = ends[-1].year, ends[-1].month
        bd = dt.date(y, m, 1) + dt.timedelta(days=40)
        bd = bd.replace(day=1) - dt.timedelta(days=1)
        while not cal.is_business_day(bd) or cal.non_computation_reason(bd) is not None:
            bd -= dt.timedelta(days=1)
        if ends[-1] < bd:
            ends = ends[:-1]
    return ends


def make_plan(start: dt.date, end: dt.date, seed: int, cal: BusinessCalendar) -> Plan:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    business = [d for d in days if cal.is_business_day(d)]
    q6 = [(d, r) for d in days if (r := cal.non_computation_reason(d)) is not None]
    candidates = [d for d in business if cal.non_computation_reason(d) is None]
    if len(candidates) < 20:
        raise SystemExit(f"the window {start}..{end} has {len(candidates)} computation days: give at least 20")
    cand_set = set(candidates)
    # the last candidate of each month: a missed day is never one (it would move the month-end)
    last_of_month: dict[tuple[int, int], dt.date] = {}
    for c in candidates:
        last_of_month[(c.year, c.month)] = c
    pre_ends = set(last_of_month.values())
    jitter = ints(seed, 7, 2, 0, 3)

    def fits(i: int, late: bool) -> bool:
        d = candidates[i]
        prev_bd, next_bd = cal.previous_business_day(d), cal.next_business_day(d)
        if d in pre_ends or i < 3 or i > len(candidates) - 5:
            return False
        # the computation before and the day after are computation days (D0 / L, the withdrawal day / L's deadline)
        if prev_bd not in cand_set or next_bd not in cand_set or prev_bd in pre_ends:
            return False
        if late:  # L's deadline is next_bd; the late deposit the calendar day after it must be a business day
            after = next_bd + dt.timedelta(days=1)
            return cal.is_business_day(after) and after <= candidates[-1]
        return True

    def pick(frac: float, late: bool, avoid: set[dt.date]) -> int:
        i = int(len(candidates) * frac) + int(jitter[int(late)])
        for k in list(range(i, len(candidates))) + list(range(i - 1, 0, -1)):
            if fits(k, late) and not any(abs((candidates[k] - a).days) <= 3 for a in avoid):
                return k
        raise SystemExit(f"no day fits a planted {'late deposit' if late else 'missed day'} in {start}..{end}")

    i1 = pick(0.30, False, set())
    i2 = pick(0.62, True, {candidates[i1]})
    missed = sorted([candidates[i1], candidates[i2]])
    m1, m2 = candidates[i1], candidates[i2]
    comp = [d for d in candidates if d not in (m1, m2)]
    # the test computation: ~85% of the way, away from the planted days
    ti = int(len(comp) * 0.85)
    while any(abs((comp[ti] - a).days) <= 3 for a in (m1, m2, cal.next_business_day(m2) + dt.timedelta(days=1))):
        ti = ti - 1
    month_ends = _month_end_days(comp, cal)
    k = len(month_ends)
    j = min(k, max(2, round(0.4 * k))) if k else None  # the crossing's month-end (1-based); May in a year
    anchors: list[int] = []
    if k and j is not None:
        # up to the crossing: lo + d*(i-1), with the mean of the first j = $500M + OVER
        step = 2 * (THRESHOLD + OVER - LO) // (j - 1) if j > 1 else 0
        first = LO if j > 1 else THRESHOLD + OVER
        anchors = [first + step * i for i in range(j)]
        top = max(HI, anchors[-1])
        for i in range(j, k):
            anchors.append(anchors[j - 1] + (top - anchors[j - 1]) * (i - j + 1) // (k - j))
    late_l, late_deadline = cal.previous_business_day(m2), cal.next_business_day(m2)
    noise = {cal.previous_business_day(late_l): -30}  # (the planted days' own: FORCED_D0, FORCED_L)
    return Plan(start, end, business, q6, comp, missed, month_ends, None if j is None else j - 1, anchors,
                cal.previous_business_day(m1), cal.next_business_day(m1), late_l, late_deadline,
                late_deadline + dt.timedelta(days=1), comp[ti], noise)


def total_credits_target(plan: Plan, d: dt.date, seed: int) -> int:
    """The day's target of customer + PAB total credits (cents): the month-end anchors joined by
    straight lines (flat before the first and after the last), times a day's noise of -0.3% to
    +0.3% (none at a month-end; forced on the planted days)."""
    ends, a = plan.month_ends, plan.anchors
    if not ends:
        base = LO
    elif d <= ends[0]:
        base = a[0]
    elif d >= ends[-1]:
        base = a[-1]
    else:
        i = max(k for k in range(len(ends)) if ends[k] <= d)
        base = a[i] + (a[i + 1] - a[i]) * (d - ends[i]).days // (ends[i + 1] - ends[i]).days
    if d in ends:
        return base
    bp = plan.noise_bp.get(d)
    if bp is None:
        bp = int(ints(seed, 1_000_000 + d.toordinal(), 1, -30, 30)[0])
    return base * (10_000 + bp) // 10_000


# --------------------------------------------------------------------------- the book of a day


@dataclass(frozen=True)
class Movement:
    account_id: str
    computation: str
    credited_at: dt.datetime
    kind: str  # deposit | withdrawal
    amount: int  # cents, > 0
    reference: str
    why: str

    def row(self) -> dict:
        return {"account_id": self.account_id, "computation": self.computation,
                "credited_at": self.credited_at.isoformat(timespec="seconds"), "kind": self.kind,
                "amount": cents_text(self.amount), "reference": self.reference, "why": self.why}


RESERVE_ACCOUNTS = {"customer": "RB-CUST-1", "pab": "RB-PAB-1"}


def cents_text(c: int) -> str:
    sign = "-" if c < 0 else ""
    return f"{sign}{abs(c) // 100}.{abs(c) % 100:02d}"


class Accounts:
    """The firm's accounts: fixed weights, balances drawn each day around the day's targets."""

    def __init__(self, n: int, seed: int) -> None:
        import pyarrow as pa

        self.n, self.seed = n, seed
        n_c, n_p = n * 85 // 100, n * 10 // 100
        self.book = np.array(["customer"] * n_c + ["pab"] * n_p + ["noncustomer"] * (n - n_c - n_p), dtype=object)
        a = ints(seed, 1, n, 0, 999)
        self.weight = 1 + a * a * a // 1_000_000  # 1..998, skewed: a few large accounts
        r = ints(seed, 2, n, 0, 99)
        is_c, is_p = self.book == "customer", self.book == "pab"
        self.debit = (is_c & (r < 20)) | (is_p & (r < 10))  # a fifth of customer, a tenth of PAB accounts
        self.ids = pa.array([f"{'C' if b == 'customer' else 'P' if b == 'pab' else 'N'}-{i + 1:06d}"
                             for i, b in enumerate(self.book.tolist())], pa.string())
        self.kinds = {"customer_credit": is_c & ~self.debit, "customer_debit": is_c & self.debit,
                      "pab_credit": is_p & ~self.debit, "pab_debit": is_p & self.debit}

    def balances(self, d: dt.date, total: int, customer_bump: int = 100) -> tuple[np.ndarray, dict[str, int]]:
        """Signed balances (cents) for day d: each group's target spread over its accounts by
        weight x a day factor of 90%-110% (integer division: the group's sum is within n cents
        of its target). Returns the balances and each computation's credits and debits."""
        f = ints(self.seed, 10_000_000 + d.toordinal(), self.n, 900, 1100)
        share = self.weight * f  # <= 1.1e6
        cust = total * CUSTOMER_SHARE // 100
        pab = total - cust
        cust = cust * customer_bump // 100
        dr = int(ints(self.seed, 20_000_000 + d.toordinal(), 1, 1400, 1600)[0])  # customer debits: 14%-16% of credits
        targets = {"customer_credit": cust, "customer_debit": cust * dr // 10_000,
                   "pab_credit": pab, "pab_debit": pab * 5 // 100}
        bal = np.zeros(self.n, dtype=np.int64)
        for k, mask in self.kinds.items():
            s = int(share[mask].sum())
            v = targets[k] * share[mask] // s
            bal[mask] = -v if k.endswith("debit") else v
        non = self.book == "noncustomer"
        bal[non] = (share[non] * 10 - 6_000_000)  # the firm's own accounts: excluded from both computations
        sums = {k: int(np.abs(bal[m]).sum()) for k, m in self.kinds.items()}
        return bal, sums


def book_tables(acc: Accounts, bal: np.ndarray, on_deposit: dict[str, int], deposits: list[Movement] | None) -> dict:
    import pyarrow as pa

    n = acc.n
    tables = {
        "accounts": {
            "account_id": ("text", acc.ids, None),
            "book": ("text", pa.array(acc.book.tolist(), pa.string()), None),
            "type": ("text", pa.array(["cash"] * n, pa.string()), None),
            "balance": ("money", bal, None),
        },
        "reserve_bank_accounts": {
            "account_id": ("text", pa.array([RESERVE_ACCOUNTS["customer"], RESERVE_ACCOUNTS["pab"]]), None),
            "book": ("text", pa.array(["customer", "pab"]), None),
            "bank_id": ("text", pa.array(["BANK-A", "BANK-B"]), None),
            "bank_name": ("text", pa.array(["First Synthetic Bank", "Second Synthetic Bank"]), None),
            "bank_affiliated": ("bool", np.array([False, False]), None),
            # 15% of $60 billion / $40 billion: far above any balance here (Rule 15c3-3(e)(5) never binds)
            "bank_equity_capital": ("money", np.array([60_000 * M * 100, 40_000 * M * 100], dtype=np.int64), None),
            "cash": ("money", np.array([on_deposit["customer"], on_deposit["pab"]], dtype=np.int64), None),
            "qualified_securities": ("money", np.zeros(2, dtype=np.int64), None),
            "written_notification": ("bool", np.array([True, True]), None),
        },
    }
    if deposits is not None:
        tables["deposits"] = {
            "account_id": ("text", pa.array([m.account_id for m in deposits], pa.string()), None),
            "credited_at": ("text", pa.array([m.credited_at.strftime("%Y-%m-%d %H:%M") for m in deposits],
                                             pa.string()), None),
            "amount": ("money", np.array([m.amount for m in deposits], dtype=np.int64), None),
            "kind": ("text", pa.array([m.kind for m in deposits], pa.string()), None),
            "reference": ("text", pa.array([m.reference for m in deposits], pa.string()), None),
        }
    return tables


def book_params(d: dt.date, notice: dt.date, test: bool, with_deposits: bool) -> list:
    p: list = [("firm_name", FIRM), ("as_of", d), ("frequency", "daily"), ("net_capital_method", "alternative"),
               ("daily_basis", "voluntary"), ("daily_notice_date", notice)]
    if test:
        p.append(("test_run", "true"))
    if with_deposits:
        p.append(("bank_opens_at", BANK_OPENS_AT))
    return p


def engine_knows_deposits() -> bool:
    from reserve.book.schema import TABLES_BY_NAME

    return "deposits" in TABLES_BY_NAME


# --------------------------------------------------------------------------- the contract's check, as B reads it


def deadline_instant(deadline: dt.date) -> dt.datetime:
    """One hour after the opening of banking business (Rule 15c3-3(e)(3)(i)): 08:30 + 1 hour."""
    h, m = (int(x) for x in BANK_OPENS_AT.split(":"))
    return dt.datetime.combine(deadline, dt.time(h, m)) + dt.timedelta(hours=1)


def expected_check(obligations: list[dict], movements: list[Movement], cal: BusinessCalendar,
                   evidence_end: dt.date) -> dict:
    """The deposit check's readings (reserve.series.deposits.READINGS) applied to the planted series (independently of reserve.series):
    each non-test obligation with a deposit needed > 0 against the net movements to its
    computation's accounts after as_of (from the next day 00:00) up to its deadline instant;
    each day's withdrawals against the non-test computation as of the business day before."""
    deficiencies, pending, met = [], [], 0
    moves = sorted(movements, key=lambda m: (m.credited_at, m.reference))
    for o in obligations:
        if o["test"] or o["deposit_needed"] <= 0:
            continue
        c, need = o["computation"], o["deposit_needed"]
        start = dt.datetime.combine(o["as_of"] + dt.timedelta(days=1), dt.time(0, 0))
        dl = deadline_instant(o["deadline"])
        mine = [m for m in moves if m.computation == c]
        net = sum((m.amount if m.kind == "deposit" else -m.amount) for m in mine if start <= m.credited_at <= dl)
        if net >= need:
            met += 1
            continue
        if o["deadline"] > evidence_end:
            pending.append({"computation": c, "as_of": o["as_of"].isoformat(), "deposit_needed": cents_text(need),
                            "deadline": o["deadline"].isoformat(), "credited_so_far": cents_text(net)})
            continue
        cum, cured = net, None
        for m in mine:
            if m.credited_at > dl:
                cum += m.amount if m.kind == "deposit" else -m.amount
                if cum >= need:
                    cured = m.credited_at.date()
                    break
        to = cured or evidence_end
        deficiencies.append({"computation": c, "as_of": o["as_of"].isoformat(), "deposit_needed": cents_text(need),
                             "deadline": dl.isoformat(timespec="minutes"), "credited_by_deadline": cents_text(net),
                             "deficiency": cents_text(need - net), "cured_on": cured.isoformat() if cured else None,
                             "days_outstanding": (to - o["deadline"]).days,
                             "still_outstanding_at": None if cured else evidence_end.isoformat()})
    by_day: dict[tuple[dt.date, str], int] = {}
    for m in moves:
        if m.kind == "withdrawal":
            by_day[(m.credited_at.date(), m.computation)] = by_day.get((m.credited_at.date(), m.computation), 0) + m.amount
    covering = {(o["as_of"], o["computation"]): o for o in obligations if not o["test"]}
    not_covered, exceeding, covered = [], [], 0
    for (day, c), amount in sorted(by_day.items()):
        o = covering.get((cal.previous_business_day(day), c))
        if o is None:
            not_covered.append({"day": day.isoformat(), "computation": c, "amount": cents_text(amount),
                                "missing_computation_as_of": cal.previous_business_day(day).isoformat()})
        elif amount > o["withdrawal_permitted"]:
            exceeding.append({"day": day.isoformat(), "computation": c, "amount": cents_text(amount),
                              "permitted": cents_text(o["withdrawal_permitted"]),
                              "excess": cents_text(amount - o["withdrawal_permitted"])})
        else:
            covered += 1
    return {"deficiencies": deficiencies, "not_yet_due": pending, "obligations_met": met,
            "withdrawals_not_covered": not_covered, "withdrawals_exceeding": exceeding, "withdrawal_days_covered": covered}


# --------------------------------------------------------------------------- the run


def _figures(result) -> dict[str, dict[str, int]]:
    out = {}
    for name, c in result.computations.items():
        key = getattr(name, "value", name)
        out[str(key)] = {"total_credits": c.total_credits, "required_deposit": c.required_deposit,
                         "on_deposit": c.on_deposit, "deposit_needed": c.deposit_needed,
                         "withdrawal_permitted": c.withdrawal_permitted}
    return out


def generate(out: Path, accounts: int = 2000, start: dt.date | None = None, end: dt.date | None = None,
             year: int = 2026, seed: int = SEED, compute: bool = False, deposits: bool = True,
             log=None) -> dict:
    from reserve.api import write_outputs
    from reserve.book import load_book
    from reserve.errors import BookInvalid
    from reserve.formula import compute as compute_book
    from reserve.series.analysis import mean_cents, round_cents, six_months_after

    t0 = time.perf_counter()
    cal = BusinessCalendar()
    start = start or dt.date(year, 1, 1)
    end = end or dt.date(year, 12, 31)
    knows = engine_knows_deposits()
    if compute and deposits and not knows:
        raise SystemExit("--compute with the deposits table needs a reserve that knows the `deposits` table "
                         "(issue 15, branch i15-dep-book); use --no-deposits, or generate without --compute")
    plan = make_plan(start, end, seed, cal)
    notice = dt.date(start.year - 1, 11, 1)
    acc = Accounts(accounts, seed)
    comp_set = set(plan.computation_days)
    next_comp = dict(zip(plan.computation_days, plan.computation_days[1:], strict=False))
    last_comp = plan.computation_days[-1]
    books, reports = out / "books", out / "reports"
    if compute:
        reports.mkdir(parents=True, exist_ok=True)
    balance = {"customer": 0, "pab": 0}
    scheduled: dict[dt.date, list[Movement]] = {}
    movements: list[Movement] = []
    obligations: list[dict] = []
    month_end_rows: list[dict] = []
    planted_w: dict | None = None
    planted_late: dict | None = None
    test_info: dict | None = None
    n_ref = 0
    prev_comp: dt.date | None = None
    timing = {"books_s": 0.0, "compute_s": 0.0}
    rows_listed: dict[str, int] = {}  # deposits rows per book

    def schedule(m: Movement) -> None:
        scheduled.setdefault(m.credited_at.date(), []).append(m)

    def ref() -> str:
        nonlocal n_ref
        n_ref += 1
        return f"FW-{n_ref:05d}"

    def run_book(folder: Path, d: dt.date, bal: np.ndarray, test: bool, listed: list[Movement]):
        """Write the book; load and compute it: (the figures the simulation needs, the book, the result)."""
        t = time.perf_counter()
        final = deposits and knows
        data = {"params": book_params(d, notice, test, final), "tables": book_tables(acc, bal, balance, listed if final else None)}
        write_parquet_book(data, folder)
        timing["books_s"] += time.perf_counter() - t
        t = time.perf_counter()
        try:
            book = load_book(folder)
        except BookInvalid as exc:  # the generator's own fault: say where
            raise SystemExit(f"internal: reserve refuses the generated book {folder}: "
                             + "; ".join(str(p) for p in exc.problems[:5])) from None
        result = compute_book(book)
        timing["compute_s"] += time.perf_counter() - t
        if deposits and not knows:  # the table added after the figures (a reserve without it would refuse it)
            t = time.perf_counter()
            write_parquet_book({"params": book_params(d, notice, test, True),
                                "tables": {"deposits": book_tables(acc, bal, balance, listed)["deposits"]}}, folder)
            timing["books_s"] += time.perf_counter() - t
        return _figures(result), book, result

    def report(folder: Path, book, result, formats: tuple[str, ...], run_at: dt.datetime) -> None:
        """The report folder, as `reserve compute BOOK --out FOLDER --format ...` writes it."""
        t = time.perf_counter()
        write_outputs(folder, book, result, formats, run_time=run_at)
        timing["compute_s"] += time.perf_counter() - t

    for d in plan.business:
        if d > last_comp:
            break
        for m in sorted(scheduled.pop(d, []), key=lambda m: (m.credited_at, m.reference)):
            balance[m.computation] += m.amount if m.kind == "deposit" else -m.amount
            if balance[m.computation] < 0:
                raise SystemExit(f"internal: the {m.computation} reserve account went below zero on {d}")
            movements.append(m)
        if d not in comp_set:
            continue
        since = prev_comp or start
        listed = [m for m in movements if since <= m.credited_at.date() <= d]
        rows_listed[d.isoformat()] = len(listed)
        run_at = dt.datetime.combine(cal.next_business_day(d), dt.time(6, 30), tzinfo=dt.timezone.utc)
        # the day's total credits; on the two planted days moved further (down before the withdrawal,
        # up before the late deposit) until the computation permits one / needs one
        tries = FORCED_D0 if d == plan.before_withdrawal else FORCED_L if d == plan.late_obligation else (None,)
        for bp in tries:
            if bp is not None:
                plan.noise_bp[d] = bp
            total = total_credits_target(plan, d, seed)
            bal, sums = acc.balances(d, total)
            if prev_comp is None:  # the opening balances: the credits less 97% of the debits, rounded up to $1M
                for c in ("customer", "pab"):
                    need = sums[f"{c}_credit"] - sums[f"{c}_debit"] * 97 // 100
                    balance[c] = -(-need // (M * 100)) * M * 100
            fig, book, result = run_book(books / d.isoformat(), d, bal, False, listed)
            if d == plan.before_withdrawal and fig["customer"]["withdrawal_permitted"] < M * 100:
                continue
            if d == plan.late_obligation and fig["customer"]["deposit_needed"] <= 0:
                continue
            break
        if compute:
            report(reports / d.isoformat(), book, result, ("json", "html") if d == last_comp else ("json",), run_at)
        for c in ("customer", "pab"):
            if fig[c]["total_credits"] != sums[f"{c}_credit"] or fig[c]["on_deposit"] != balance[c]:
                raise SystemExit(f"internal: the engine's {c} figures as of {d} are not the generator's "
                                 f"({fig[c]} vs credits {sums[f'{c}_credit']}, on deposit {balance[c]})")
            obligations.append({"computation": c, "as_of": d, "deposit_needed": fig[c]["deposit_needed"],
                                "withdrawal_permitted": fig[c]["withdrawal_permitted"],
                                "deadline": cal.deposit_deadline(d), "test": False})
        if d in plan.month_ends:
            month_end_rows.append({"month": f"{d.year}-{d.month:02d}", "as_of": d,
                                   "customer": fig["customer"]["total_credits"], "pab": fig["pab"]["total_credits"]})
        nxt = cal.next_business_day(d)
        for c in ("customer", "pab"):
            need = fig[c]["deposit_needed"]
            amount = -(-need // ROUND_DEPOSIT) * ROUND_DEPOSIT if need > 0 else 0
            if c == "customer" and next_comp.get(d) == plan.before_withdrawal:
                # credited before the computation that precedes the first missed day: a cushion on top,
                # so that computation permits a withdrawal
                amount += fig[c]["required_deposit"] * CUSHION_PCT // 100 // ROUND_DEPOSIT * ROUND_DEPOSIT
            if amount <= 0:
                continue
            if d == plan.late_obligation and c == "customer":
                if need <= 0:
                    raise SystemExit(f"internal: the late deposit's computation as of {d} needs no deposit "
                                     f"even with its credits {plan.noise_bp[d] / 100:+.2f}%")
                when = dt.datetime.combine(plan.late_credited, LATE_TIME)
                m = Movement(RESERVE_ACCOUNTS[c], c, when, "deposit", amount, ref(),
                             f"the deposit needed as of {d}, credited after its deadline (late)")
                planted_late = {"computation": c, "account_id": m.account_id, "obligation_as_of": d.isoformat(),
                                "deposit_needed": cents_text(need), "deadline_date": plan.late_deadline.isoformat(),
                                "deadline_instant": deadline_instant(plan.late_deadline).isoformat(timespec="minutes"),
                                "credited_at": when.isoformat(timespec="minutes"), "amount": cents_text(amount),
                                "reference": m.reference}
            else:
                m = Movement(RESERVE_ACCOUNTS[c], c, dt.datetime.combine(nxt, DEPOSIT_TIME), "deposit", amount, ref(),
                             f"the deposit needed as of {d}" + (" and a cushion" if amount > need else ""))
            schedule(m)
        if d == plan.before_withdrawal:
            permitted = fig["customer"]["withdrawal_permitted"]
            if permitted < M * 100:
                raise SystemExit(f"internal: the computation as of {d} permits only {cents_text(permitted)}, even "
                                 f"with its credits {plan.noise_bp[d] / 100:+.2f}%")
            amount = permitted * 8 // 10 // ROUND_DEPOSIT * ROUND_DEPOSIT
            when = dt.datetime.combine(plan.withdrawal_day, WITHDRAWAL_TIME)
            m = Movement(RESERVE_ACCOUNTS["customer"], "customer", when, "withdrawal", amount, ref(),
                         f"within what the computation as of {d} permitted, but on a day whose computation (as of "
                         f"{plan.missed[0]}) was not made")
            schedule(m)
            planted_w = {"day": plan.withdrawal_day.isoformat(), "credited_at": when.isoformat(timespec="minutes"),
                         "computation": "customer", "account_id": m.account_id, "amount": cents_text(amount),
                         "reference": m.reference, "previous_computation": d.isoformat(),
                         "previous_withdrawal_permitted": cents_text(permitted),
                         "missing_computation_as_of": plan.missed[0].isoformat()}
        if d == plan.test_day:
            # the test computation's customer credits raised until it needs a deposit (nobody makes it)
            for bump in TEST_BUMPS:
                tbal, _ = acc.balances(d, total, bump)
                tfig, tbook, tresult = run_book(books / f"{d.isoformat()}-test", d, tbal, True, listed)
                if tfig["customer"]["deposit_needed"] >= M * 100:
                    break
            if compute:  # its report, run later the same day as the real one's
                report(reports / f"{d.isoformat()}-test", tbook, tresult, ("json",), run_at + dt.timedelta(hours=8))
            for c in ("customer", "pab"):
                obligations.append({"computation": c, "as_of": d, "deposit_needed": tfig[c]["deposit_needed"],
                                    "withdrawal_permitted": tfig[c]["withdrawal_permitted"],
                                    "deadline": cal.deposit_deadline(d), "test": True})
            rows_listed["test"] = len(listed)  # the same movements as the real book of the day
            test_info = {"date": d.isoformat(), "book": f"books/{d.isoformat()}-test",
                         "report": f"reports/{d.isoformat()}-test",
                         "customer_credits_pct": bump,
                         "customer_deposit_needed": cents_text(tfig["customer"]["deposit_needed"]),
                         "customer_total_credits": cents_text(tfig["customer"]["total_credits"]),
                         "the_real_computation_deposit_needed": cents_text(fig["customer"]["deposit_needed"])}
        prev_comp = d
        if log:
            print(f"{d} {fig['customer']['total_credits'] + fig['pab']['total_credits']:>16,} "
                  f"need {fig['customer']['deposit_needed']:>12,} {fig['pab']['deposit_needed']:>11,}", file=log, flush=True)
    dropped = sorted((m for ms in scheduled.values() for m in ms), key=lambda m: m.credited_at)

    # ---------------------------------------------------------------- the average and the crossing
    window: list[int] = []
    crossing = None
    for row in month_end_rows:
        total = row["customer"] + row["pab"]
        window = (window + [total])[-12:]
        avg = mean_cents(window)
        row.update({"total": total, "months": len(window), "average": cents_text(round_cents(avg)),
                    "reaches": sum(window) >= THRESHOLD * len(window)})
        if row["reaches"] and crossing is None:
            crossing = row
    if crossing is None or (plan.crossing_index is not None and crossing["as_of"] != plan.month_ends[plan.crossing_index]):
        raise SystemExit(f"internal: the average crosses at {crossing and crossing['as_of']}, planted at "
                         f"{plan.crossing_index is not None and plan.month_ends[plan.crossing_index]}")
    required_from = six_months_after(crossing["as_of"], cal)
    # By hand, for a whole year 2026: the crossing month-end is 2026-05-29 (the last computation
    # of May: Friday; May 31 is a Sunday); six months later is 2026-11-29, a Sunday, so the next
    # business day, Monday 2026-11-30. The test window 2026-04-20..2026-06-10 crosses at the same
    # month-end (its second, May), so the same date.
    check = expected_check(obligations, movements, cal, max(last_comp, max((m.credited_at.date() for m in movements),
                                                                           default=last_comp)))
    listed_rows = sum(v for k, v in rows_listed.items() if k != "test") if deposits else 0
    if planted_late:
        defs = [x for x in check["deficiencies"] if x["as_of"] == planted_late["obligation_as_of"]]
        planted_late["expected_deficiency"] = defs[0]["deficiency"] if defs else None
        planted_late["expected_days_outstanding"] = defs[0]["days_outstanding"] if defs else None
        planted_late["expected_cured_on"] = defs[0]["cured_on"] if defs else None
    planted = {
        "generator": {"script": "bench/daily_year.py", "seed": seed, "accounts": accounts, "start": start.isoformat(),
                      "end": end.isoformat(), "firm_name": FIRM, "deposits_table": deposits,
                      "bank_opens_at": BANK_OPENS_AT if deposits else None},
        "frequency": "daily", "daily_basis": "voluntary", "daily_notice_date": notice.isoformat(),
        "computation_days": [d.isoformat() for d in plan.computation_days],
        "q6_days": [{"date": d.isoformat(), "reason": r, "business_day": cal.is_business_day(d)} for d, r in plan.q6],
        "missed_days": [d.isoformat() for d in plan.missed],
        "month_ends": [{**r, "as_of": r["as_of"].isoformat(), "customer": cents_text(r["customer"]),
                        "pab": cents_text(r["pab"]), "total": cents_text(r["total"])} for r in month_end_rows],
        "crossing": {"month_end": crossing["as_of"].isoformat(), "average": crossing["average"],
                     "months": crossing["months"], "daily_required_from": required_from.isoformat()},
        "late_deposit": planted_late,
        "uncovered_withdrawal": planted_w,
        "test_run": test_info,
        "deposits": {"rule": "each book lists the movements credited on or after the previous computation's as-of "
                             "date (the first book: the window's start) up to and including its own as-of date; "
                             "movements after the last computation's as-of are not generated",
                     "movements": len(movements),
                     "rows_in_books": listed_rows,  # the series' own computations' books
                     # the test computation's book carries the real book's rows of the day (the same
                     # statement): no evidence of its own (a series counts the computations' tables)
                     "rows_in_test_book": rows_listed.get("test", 0) if deposits else 0,
                     # each movement once, the rest repeats
                     "repeats": (listed_rows - len(movements)) if deposits else 0,
                     "not_generated_after_last_as_of": [m.row() for m in dropped],
                     "all": [m.row() for m in movements]},
        "expected": check,
        "reports": "reports/" if compute else None,
    }
    out.mkdir(parents=True, exist_ok=True)
    # planted.json is the same for the same arguments (no timings in it: they go to the summary line)
    (out / "planted.json").write_text(json.dumps(planted, indent=1, default=str) + "\n", encoding="utf-8")
    planted["seconds"] = {k: round(v, 2) for k, v in timing.items()} | {"total_s": round(time.perf_counter() - t0, 2)}
    return planted


def main(argv: Sequence[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--accounts", type=int, default=2000)
    ap.add_argument("--year", type=int, default=2026)
    ap.add_argument("--start", type=dt.date.fromisoformat, help="the window's first day (default: January 1 of --year)")
    ap.add_argument("--end", type=dt.date.fromisoformat, help="the window's last day (default: December 31 of --year)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--compute", action="store_true", help="compute each book (report.json; the last also report.html)")
    ap.add_argument("--no-deposits", action="store_true",
                    help="no deposits table, no bank_opens_at (for a reserve without the deposits table)")
    ap.add_argument("--verbose", action="store_true", help="a line per computation day on stderr")
    args = ap.parse_args(argv)
    if args.accounts < 50:
        ap.error("--accounts: at least 50")
    planted = generate(args.out, args.accounts, args.start, args.end, args.year, args.seed, args.compute,
                       not args.no_deposits, sys.stderr if args.verbose else None)
    print(json.dumps({"out": str(args.out), "computation_days": len(planted["computation_days"]),
                      "missed_days": planted["missed_days"], "crossing": planted["crossing"],
                      "late_deposit": planted["late_deposit"] and planted["late_deposit"]["obligation_as_of"],
                      "uncovered_withdrawal": planted["uncovered_withdrawal"] and planted["uncovered_withdrawal"]["day"],
                      "test_run": planted["test_run"] and planted["test_run"]["date"],
                      "deficiencies": len(planted["expected"]["deficiencies"]), "seconds": planted["seconds"]}))
    return planted


if __name__ == "__main__":
    main()
