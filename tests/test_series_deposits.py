"""Deposits made versus required (issue 15 item 2, the series side): reserve.series.read reads
each report's `deposits` and `parameters.bank_opens_at` (docs/BOOK_FORMAT.md), reserve.series.deposits
checks them, the page, the workbook, `reserve series` and hindsight show them.

The report.json files are copies of the sample book's report (a weekly computation as of
Friday 2026-11-20: customer deposit needed 1,603,349.70 due Tuesday 2026-11-24, withdrawal
permitted 0.00; PAB deposit needed 0.00, withdrawal permitted 1,307,857.14) with the as-of
date, parameters, figures and a `deposits` table written inline. With bank_opens_at 08:30 the
deadline is Tuesday 2026-11-24 09:30 (one hour after the opening of banking business on the
second following business day, Rule 15c3-3(e)(3)(i)(A)).
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reserve import api
from reserve.api import build_report, compute_book
from reserve.calendar import BusinessCalendar
from reserve.cli import main
from reserve.money import format_cents
from reserve.series.deposits import check
from reserve.series.model import (
    COVERED,
    DEFICIENCY,
    EXCEEDS,
    MET,
    NO_DEPOSIT_NEEDED,
    NOT_COVERED,
    NOT_YET_DUE,
    Obligation,
)
from reserve.series.read import read_series

ROOT = Path(__file__).resolve().parent.parent
CAL = BusinessCalendar()
FRI, MON, TUE, WED = date(2026, 11, 20), date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)
NEEDED = 160_334_970  # the sample's customer deposit needed, 1,603,349.70
LATER = date(2026, 12, 4)  # a later weekly computation: the evidence then runs to 2026-12-04


@pytest.fixture(scope="module")
def base() -> dict:
    book, result = compute_book(ROOT / "sample_data" / "weekly_book.xlsx")
    return json.loads(build_report(book, result, datetime(2026, 12, 1, 9, 0).astimezone()).to_json())


def dep(at: str, amount: str, kind: str = "deposit", account: str = "RB-1", computation: str = "customer",
        reference: str | None = None, row: int = 2) -> dict:
    """One element of report.json's `deposits`."""
    return {"account_id": account, "computation": computation, "credited_at": at, "kind": kind, "amount": amount,
            "reference": reference, "source": {"file": "book.xlsx", "sheet": "deposits", "row": row}}


def write(folder: Path, base: dict, as_of: date, deposits: list[dict] | None = None, *, name: str | None = None,
          opens: str | None = "08:30", frequency: str = "weekly", test_run: bool = False,
          needed: dict[str, int] | None = None, permitted: dict[str, int] | None = None,
          run_at: str | None = None) -> Path:
    """A copy of the sample report as of `as_of`; `deposits` None: no deposits table (no key)."""
    d = copy.deepcopy(base)
    d["as_of"] = d["parameters"]["as_of"] = as_of.isoformat()
    d["run_at"] = run_at or f"{as_of.isoformat()}T20:00:00+00:00"
    d["parameters"].update(frequency=frequency, test_run=test_run, bank_opens_at=opens)
    for c in ("customer", "pab"):
        d["computations"][c]["deposit_deadline"] = CAL.deposit_deadline(as_of).isoformat()
    for c, v in (needed or {}).items():
        d["computations"][c]["deposit_needed"] = format_cents(v)
    for c, v in (permitted or {}).items():
        d["computations"][c]["withdrawal_permitted"] = format_cents(v)
    if deposits is not None:
        d["deposits"] = deposits
    p = folder / (name or as_of.isoformat()) / "report.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(d, indent=1), encoding="utf-8")
    return p


def customer(s, as_of: date = FRI):
    return next(o for o in s.deposits.obligations if o.computation == "customer" and o.as_of == as_of)


def weekly(tmp_path: Path, base: dict, rows: list[dict], **kw) -> Path:
    """The Friday computation, and the next-but-one Friday's (deposits table empty) so that
    the evidence runs to 2026-12-04."""
    write(tmp_path, base, FRI, rows, **kw)
    write(tmp_path, base, LATER, [], **kw)
    return tmp_path


# ------------------------------------------------------------------------------ the deadline


def test_met_by_the_deadline(tmp_path: Path, base: dict) -> None:
    # 1,000,000.00 Monday + 603,349.70 Tuesday 09:15 (before 09:30) = 1,603,349.70 = the deposit needed: met
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1000000.00"),
                                            dep("2026-11-24T09:15:00", "603349.70", row=3)])])
    c = customer(s)
    assert c.status == MET and c.credited == NEEDED and c.shortfall == 0
    assert c.deadline_at == datetime(2026, 11, 24, 9, 30) and c.window_from == datetime(2026, 11, 21, 0, 0)
    assert s.deposits.deficiencies == () and c.notice is None


def test_after_the_deadline_the_same_day_is_a_deficiency_cured_that_day(tmp_path: Path, base: dict) -> None:
    # the second deposit at 09:45, after the 09:30 deadline: credited by the deadline 1,000,000.00;
    # shortfall 1,603,349.70 - 1,000,000.00 = 603,349.70; the 09:45 deposit brings the cumulative net
    # to 1,603,349.70 on 2026-11-24, the deadline date: 0 calendar days outstanding
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1000000.00"),
                                            dep("2026-11-24T09:45:00", "603349.70", row=3)])])
    c = customer(s)
    assert c.status == DEFICIENCY and c.credited == 100_000_000 and c.shortfall == 60_334_970
    assert (c.cured_on, c.days_outstanding, c.outstanding_at) == (TUE, 0, None)
    assert "Rule 15c3-3(e)(1)" in c.rule and "Rule 15c3-3(i)" in c.rule
    n = c.notice
    assert "Rule 15c3-3(i)" in n and "Securities and Exchange Commission" in n and "designated examining authority" in n
    assert "Harbor Point Securities LLC" in n and "as of the close of business on 2026-11-20" in n
    assert "Deposit required by the computation: $1,603,349.70" in n
    assert "Amount deposited by the deadline" in n and "$1,000,000.00" in n and "Shortfall: $603,349.70" in n
    assert "2026-11-24 09:30" in n and "Cured on 2026-11-24, 0 calendar day(s)" in n and "reserve sends nothing" in n


def test_cured_wednesday_is_one_day_outstanding(tmp_path: Path, base: dict) -> None:
    # cured Wednesday 2026-11-25: 25 - 24 = 1 calendar day outstanding
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1000000.00"),
                                            dep("2026-11-25T08:00:00", "603349.70", row=3)])])
    c = customer(s)
    assert (c.status, c.shortfall, c.cured_on, c.days_outstanding) == (DEFICIENCY, 60_334_970, WED, 1)


def test_never_made_is_outstanding_to_the_end_of_the_evidence(tmp_path: Path, base: dict) -> None:
    # no deposit at all: shortfall 1,603,349.70; the evidence runs to 2026-12-04 (the later report's
    # as-of date): still outstanding at 2026-12-04, 12-04 - 11-24 = 10 calendar days
    s = read_series([weekly(tmp_path, base, [])])
    c = customer(s)
    assert (c.status, c.shortfall, c.cured_on, c.outstanding_at, c.days_outstanding) == (
        DEFICIENCY, NEEDED, None, LATER, 10)
    assert "still outstanding at 2026-12-04" in c.notice
    # the later computation's deadline (Tue 2026-12-08) is after the evidence: not yet due
    assert customer(s, LATER).status == NOT_YET_DUE
    assert s.deposits.evidence_until == LATER


def test_a_blank_bank_opens_at_makes_a_deadline_day_deposit_late(tmp_path: Path, base: dict) -> None:
    # bank_opens_at blank: the 09:15 deposit on the deadline date cannot be shown timely -> counted
    # late: credited by the deadline 1,000,000.00 (Monday), shortfall 603,349.70, cured that day (0 days)
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1000000.00"),
                                            dep("2026-11-24T09:15:00", "603349.70", row=3)], opens=None)])
    c = customer(s)
    assert c.deadline_at is None
    assert (c.status, c.shortfall, c.cured_on, c.days_outstanding) == (DEFICIENCY, 60_334_970, TUE, 0)
    assert "cannot be shown timely" in c.reason and "bank_opens_at is" in c.reason and "blank" in c.reason
    assert "hour is unknown" in c.notice
    assert any("bank_opens_at is blank in every report" in n for n in s.deposits.notes)


def test_a_deposit_on_the_as_of_date_is_already_in_the_balance(tmp_path: Path, base: dict) -> None:
    # 603,349.70 credited Friday 2026-11-20 15:00, the as-of date: already in the on-deposit balance,
    # not in the window -> credited 1,000,000.00 (Monday) only; shortfall 603,349.70, never cured
    s = read_series([weekly(tmp_path, base, [dep("2026-11-20T15:00:00", "603349.70"),
                                            dep("2026-11-23T10:00:00", "1000000.00", row=3)])])
    c = customer(s)
    assert (c.status, c.credited, c.shortfall, c.days_outstanding) == (DEFICIENCY, 100_000_000, 60_334_970, 10)


def test_a_withdrawal_in_the_window_reduces_the_net(tmp_path: Path, base: dict) -> None:
    # 1,603,349.70 deposited Monday 10:00, 100,000.00 withdrawn Monday 14:00: net 1,503,349.70;
    # shortfall 100,000.00. The withdrawal is also checked under (g): Monday's computation is the
    # Friday one (the previous business day), whose customer withdrawal permitted is 0.00 ->
    # exceeds by 100,000.00
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1603349.70"),
                                            dep("2026-11-23T14:00:00", "100000.00", "withdrawal", row=3)])])
    c = customer(s)
    assert (c.status, c.credited, c.shortfall) == (DEFICIENCY, 150_334_970, 10_000_000)
    [w] = s.deposits.withdrawals
    assert (w.day, w.status, w.amount, w.excess, w.covered_by.as_of, w.permitted) == (
        MON, EXCEEDS, 10_000_000, 10_000_000, FRI, 0)


def test_a_pab_deposit_never_meets_the_customer_deposit_needed(tmp_path: Path, base: dict) -> None:
    # 1,603,349.70 credited Monday to the PAB account: the customer computation is short all of it
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1603349.70", account="RB-P",
                                                 computation="pab")])])
    assert (customer(s).status, customer(s).credited, customer(s).shortfall) == (DEFICIENCY, 0, NEEDED)
    pab = next(o for o in s.deposits.obligations if o.computation == "pab" and o.as_of == FRI)
    assert (pab.status, pab.credited) == (NO_DEPOSIT_NEEDED, NEEDED)


# ------------------------------------------------------------------------------ withdrawals (Rule 15c3-3(g))


def test_daily_withdrawals_covered_exceeding_and_not_covered(tmp_path: Path, base: dict) -> None:
    # a daily filer: computations as of Mon 11-30 and Wed 12-02 (Tue 12-01 missed), and a test run
    # as of Thu 12-03; PAB withdrawal permitted 1,307,857.14 each, customer deposit needed 0
    # (no deposit check noise). PAB withdrawals:
    #   Tue 12-01 500,000.00: the computation made that day is as of Mon 11-30 -> covered;
    #   Tue 12-01 a second 900,000.00: the day's total 1,400,000.00 - 1,307,857.14 = 92,142.86 over;
    #   Thu 12-03 10,000.00: previous business day Wed 12-02... is computed -> covered;
    #   Wed 12-02 10,000.00: previous business day Tue 12-01 was missed -> not covered (10,000.00);
    #   Fri 12-04 10,000.00: previous business day Thu 12-03 has a test run only -> not covered.
    zero = {"customer": 0}
    rows = [dep("2026-12-01T10:00:00", "500000.00", "withdrawal", "RB-P", "pab"),
            dep("2026-12-01T11:00:00", "900000.00", "withdrawal", "RB-P", "pab", row=3),
            dep("2026-12-02T10:00:00", "10000.00", "withdrawal", "RB-P", "pab", row=4),
            dep("2026-12-03T10:00:00", "10000.00", "withdrawal", "RB-P", "pab", row=5),
            dep("2026-12-04T10:00:00", "10000.00", "withdrawal", "RB-P", "pab", row=6)]
    write(tmp_path, base, date(2026, 11, 30), [], frequency="daily", needed=zero)
    write(tmp_path, base, date(2026, 12, 2), rows, frequency="daily", needed=zero)
    write(tmp_path, base, date(2026, 12, 3), [], name="test", frequency="daily", test_run=True, needed=zero)
    s = read_series([tmp_path])
    got = {w.day: (w.status, w.amount, w.excess) for w in s.deposits.withdrawals}
    assert got == {date(2026, 12, 1): (EXCEEDS, 140_000_000, 9_214_286),
                   date(2026, 12, 2): (NOT_COVERED, 1_000_000, 1_000_000),
                   date(2026, 12, 3): (COVERED, 1_000_000, 0),
                   date(2026, 12, 4): (NOT_COVERED, 1_000_000, 1_000_000)}
    by_day = {w.day: w for w in s.deposits.withdrawals}
    assert "no PAB computation as of 2026-12-01" in by_day[date(2026, 12, 2)].reason
    assert "only a test computation" in by_day[date(2026, 12, 4)].reason
    assert by_day[date(2026, 12, 3)].covered_by.as_of == date(2026, 12, 2)
    assert all("Rule 15c3-3(g)" in w.rule for w in s.deposits.withdrawals)
    assert len(s.deposits.uncovered) == 3


def test_a_weekly_filers_tuesday_withdrawal_is_not_covered(tmp_path: Path, base: dict) -> None:
    # weekly: Friday 11-20's computation is made Monday 11-23; a PAB withdrawal on Monday is covered
    # (100,000.00 <= 1,307,857.14); Tuesday 11-24's previous business day (Monday) has none
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1603349.70"),
                                            dep("2026-11-23T12:00:00", "100000.00", "withdrawal", "RB-P", "pab"),
                                            dep("2026-11-24T12:00:00", "100000.00", "withdrawal", "RB-P", "pab")])])
    assert [(w.day, w.status) for w in s.deposits.withdrawals] == [(MON, COVERED), (TUE, NOT_COVERED)]


def test_a_withdrawal_before_the_series_is_not_covered_and_said_so(tmp_path: Path, base: dict) -> None:
    # the first report's table holds a PAB withdrawal of Thu 11-19: its computation (as of Wed 11-18)
    # is not in the series -- not covered (nothing is assumed), and the reason says why
    s = read_series([weekly(tmp_path, base, [dep("2026-11-19T10:00:00", "5.00", "withdrawal", "RB-P", "pab"),
                                            dep("2026-11-23T10:00:00", "1603349.70", row=3)])])
    [w] = s.deposits.withdrawals
    assert w.status == NOT_COVERED and w.excess == 500 and "before the series' first computation (2026-11-20)" in w.reason


# ------------------------------------------------------------------------------ reading


def test_repeats_across_reports_are_counted_once(tmp_path: Path, base: dict) -> None:
    # the Monday 1,000,000.00 is in both reports' tables (verbatim): counted once, 1 repeat; a row
    # twice in ONE report is two credits. Friday's report: 1,000,000.00 Mon; the later report:
    # 1,000,000.00 Mon (repeat) + 301,674.85 Tue 09:00 twice = 1,603,349.70 -> met
    rows = [dep("2026-11-23T10:00:00", "1000000.00", reference="FW-1")]
    write(tmp_path, base, FRI, rows)
    write(tmp_path, base, LATER, rows + [dep("2026-11-24T09:00:00", "301674.85", reference="FW-2", row=3),
                                         dep("2026-11-24T09:00:00", "301674.85", reference="FW-2", row=4)])
    s = read_series([tmp_path])
    assert s.deposits.repeats == 1 and len(s.deposits.movements) == 3
    assert customer(s).status == MET and customer(s).credited == NEEDED
    assert any("1 row(s) repeated verbatim" in n for n in s.deposits.notes)


def test_a_malformed_deposits_element_is_located(tmp_path: Path, base: dict) -> None:
    write(tmp_path, base, FRI, [dep("2026-11-23T10:00:00", "1000000.00"), dep("2026-11-23T10:00:00", "1.00"),
                                dep("2026-11-23T10:00:00", "1.00"), dep("2026-11-23T10:00:00", "12.345")])
    write(tmp_path, base, LATER, [], opens="8am")
    write(tmp_path, base, date(2026, 11, 27), [dep("2026-11-24", "5.00")])
    write(tmp_path, base, date(2026, 11, 13), [])
    write(tmp_path, base, date(2026, 11, 6), [dep("2026-11-09T10:00:00", "5.00", kind="credit", computation="firm")])
    write(tmp_path, base, date(2026, 10, 30), {"rows": []})
    s = read_series([tmp_path])
    assert [r.as_of for r in s.runs] == [date(2026, 11, 13)]
    said = " ".join(s.passed_over)
    assert 'deposits[3].amount: found "12.345"; expected a decimal string with 2 decimals > 0' in said
    assert 'parameters.bank_opens_at: found "8am"; expected "HH:MM"' in said
    assert 'deposits[0].credited_at: found "2026-11-24"; expected a date and time' in said
    assert 'deposits[0].computation: found "firm"; expected "customer" or "pab"' in said
    assert "(and 1 more problem(s))" in said  # the kind too: every problem counted, the first quoted
    assert 'deposits: found {"rows": []}; expected a list of deposit rows' in said
    # "1.00" twice is fine (two credits); the file is passed over for its element [3] only
    assert "2026-11-20/report.json passed over" in said


def test_differing_bank_opens_at_each_uses_its_own(tmp_path: Path, base: dict) -> None:
    # Friday's report opens at 09:00 -> deadline 10:00: a 09:45 deposit is timely
    write(tmp_path, base, FRI, [dep("2026-11-23T10:00:00", "1000000.00"),
                                dep("2026-11-24T09:45:00", "603349.70", row=3)], opens="09:00")
    write(tmp_path, base, LATER, [], opens="08:30")
    s = read_series([tmp_path])
    assert customer(s).status == MET and customer(s).deadline_at == datetime(2026, 11, 24, 10, 0)
    assert any("bank_opens_at differ (08:30, 09:00)" in n for n in s.deposits.notes)


def test_a_withdrawal_after_the_deadline_delays_the_cure(tmp_path: Path, base: dict) -> None:
    # credited by the deadline 1,000,000.00 (short 603,349.70); Wed 11-25 603,349.70 deposited but
    # 100,000.00 withdrawn the same morning first: cumulative 1,503,349.70 < 1,603,349.70; Mon 11-30
    # 100,000.00 more -> 1,603,349.70: cured 2026-11-30, 30 - 24 = 6 calendar days outstanding
    s = read_series([weekly(tmp_path, base, [dep("2026-11-23T10:00:00", "1000000.00"),
                                            dep("2026-11-25T08:00:00", "100000.00", "withdrawal", row=3),
                                            dep("2026-11-25T09:00:00", "603349.70", row=4),
                                            dep("2026-11-30T09:00:00", "100000.00", row=5)])])
    c = customer(s)
    assert (c.status, c.shortfall, c.cured_on, c.days_outstanding) == (DEFICIENCY, 60_334_970, date(2026, 11, 30), 6)


def test_a_deposit_needed_not_in_report_json_is_not_checked(tmp_path: Path, base: dict) -> None:
    # a blank never meets a condition: without the figure the computation is "not checked", never met
    d = copy.deepcopy(base)
    del d["computations"]["customer"]["deposit_needed"]
    write(tmp_path, d, FRI, [dep("2026-11-23T10:00:00", "1603349.70")])
    s = read_series([tmp_path])
    c = customer(s)
    assert c.status == "not checked" and "no deposit needed" in c.reason and c.credited is None
    assert s.deposits.met == 0 and s.deposits.deficiencies == ()


def test_no_deposits_key_is_not_checked(tmp_path: Path, base: dict) -> None:
    write(tmp_path, base, FRI)
    assert read_series([tmp_path]).deposits is None


def test_the_check_is_pure_and_skips_test_computations() -> None:
    # a test computation with a deposit needed is never checked (SEC staff FAQ of 2025-12-08)
    o = Obligation("customer", FRI, 100, 0, TUE, True, "t/report.json", None)
    c = check([o], [], LATER, CAL)
    assert c.obligations == () and any("1 test computation(s) not checked" in n for n in c.notes)


# ------------------------------------------------------------------------------ outputs


def test_page_workbook_json_and_exit_1_on_a_deficiency(tmp_path: Path, base: dict) -> None:
    src = weekly(tmp_path / "in", base, [dep("2026-11-23T10:00:00", "1000000.00"),
                                        dep("2026-11-25T08:00:00", "603349.70", row=3),
                                        dep("2026-11-24T12:00:00", "100000.00", "withdrawal", "RB-P", "pab", row=4)])
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["series", str(src), "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert "1 deficiency(ies), 1 withdrawal day(s) not covered" in r.output and "DEFICIENCY" in r.output
    page = (out / "series.html").read_text(encoding="utf-8")
    assert 'data-deficiency="Customer 2026-11-20"' in page and "603,349.70" in page
    assert '<pre class="notice" data-notice="Customer 2026-11-20">NOTICE OF FAILURE TO MAKE A REQUIRED DEPOSIT' in page
    assert page.index('id="deficiencies"') < page.index('id="withdrawals-uncovered"') < page.index('id="obligations"')
    assert 'data-withdrawal="not covered by a computation"' in page and 'data-status="deficiency"' in page
    assert "How the check reads the rule" in page and "<script" not in page
    wb = load_workbook(out / "series.xlsx")
    ws = wb["Deposits"]
    assert ws.freeze_panes == "C4" and ws.auto_filter.ref.startswith("A3:")
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    deficiency = next(r for r in rows if r[6] == DEFICIENCY)
    assert f"{deficiency[7]:.2f}" == "603349.70" and deficiency[10] == 1 and deficiency[3] == datetime(2026, 11, 24, 9, 30)
    assert "Rule 15c3-3(i)" in deficiency[13]
    assert any(r[0] and str(r[0]).startswith("Withdrawals (Rule 15c3-3(g))") for r in rows)
    assert any(r[6] == NOT_COVERED for r in rows)
    r = CliRunner().invoke(main, ["series", str(src), "--out", str(tmp_path / "out2"), "--json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)["deposits"]
    assert doc["deficiencies"] == 1 and doc["uncovered_withdrawals"] == 1
    assert doc["deficiency_list"][0]["shortfall"] == "603349.70" and doc["deficiency_list"][0]["days_outstanding"] == 1


def test_exit_0_when_all_met(tmp_path: Path, base: dict) -> None:
    src = weekly(tmp_path / "in", base, [dep("2026-11-23T10:00:00", "1603349.70")])
    r = CliRunner().invoke(main, ["series", str(src), "--out", str(tmp_path / "out"), "--quiet"])
    assert r.exit_code == 0, r.output


def test_series_help_says_the_exit_codes() -> None:
    r = CliRunner().invoke(main, ["series", "--help"])
    assert "Exit status" in r.output and "deficiency" in r.output


# ------------------------------------------------------------------------------ hindsight


def test_hindsight_measures_against_the_deposits_tables(tmp_path: Path) -> None:
    """Originals as of Fri 2026-11-13 and 2026-11-20 (required 10,000.00, on deposit 10,000.00);
    the 11-20 report's deposits table shows 1,500.00 credited to the customer account on Mon
    11-16 10:00, in the 11-13 computation's window (deadline Tue 11-17 09:30). The corrected
    11-13 book requires 12,000.00: at the deadline 10,000.00 + 1,500.00 = 11,500.00 -> hindsight
    deficiency 500.00 (not 2,000.00: the deposit is evidenced). The 11-20 computation's deadline
    (11-24) is after the evidence (11-20): not evidenced."""
    from test_hindsight import _book, _original

    _original(tmp_path, "w1", "2026-11-13")
    _original(tmp_path, "w2", "2026-11-20")
    for name, rows in (("w1", []), ("w2", [dep("2026-11-16T10:00:00", "1500.00", account="R")])):
        p = tmp_path / "series" / name / "report.json"
        data = json.loads(p.read_text())
        data["parameters"]["bank_opens_at"] = "08:30"
        data["deposits"] = rows
        p.write_text(json.dumps(data))
    c1 = _book(tmp_path / "c1", "2026-11-13", "12000")
    c2 = _book(tmp_path / "c2", "2026-11-20", "12000")
    rows, notes, _ = api.hindsight([c1, c2], tmp_path / "series")
    cust = {r.as_of: r for r in rows if r.computation == "customer"}
    w1, w2 = cust[date(2026, 11, 13)], cust[date(2026, 11, 20)]
    assert w1.evidenced and w1.credited == 150_000 and (w1.at_deadline, w1.deficiency) == (1_150_000, 50_000)
    assert not w2.evidenced and w2.deficiency == 200_000
    assert any("Deposits evidenced by the deposits tables" in n for n in notes)
    r = CliRunner().invoke(main, ["reperform", str(c1), "--series", str(tmp_path / "series"), "--json"])
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    c = next(x for x in doc["computations"] if x["computation"] == "customer")
    assert c["deposits_evidenced"] is True and c["credited_by_deadline"] == "1500.00"
    assert c["hindsight_deficiency"] == "500.00"


def test_a_deposit_only_a_test_computation_shows_is_not_evidence(tmp_path: Path, base: dict) -> None:
    # The Friday computation needs 1,603,349.70 by Tuesday 09:30. Its own book's deposits table is empty,
    # and the next Friday's too; a test computation as of Monday 11-23 carries a 1,603,349.70 deposit of
    # Monday 10:00. A test computation is not one of the firm's computations (FAQ 2025-12-08): its row is
    # not evidence, so the deposit needed stays unmet -- shortfall 1,603,349.70 -- and the note says so.
    write(tmp_path, base, FRI, [])
    write(tmp_path, base, LATER, [])
    write(tmp_path, base, MON, [dep("2026-11-23T10:00:00", "1603349.70")], name="test", test_run=True)
    s = read_series([tmp_path])
    c = customer(s)
    assert c.status == DEFICIENCY and c.credited == 0 and c.shortfall == NEEDED
    assert any("appear only in a test computation's or a superseded run's report" in n and "test" in n
               for n in s.deposits.notes)
