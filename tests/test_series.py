"""`reserve series` (issue 15 items 1 and 5): reading report.json files as a series, the gaps,
test computations, average total credits and its dates, the outputs, and scale.

The report.json files are copies of the sample book's report with the as-of date, firm,
parameters and total credits changed (they still pass the report validators)."""

from __future__ import annotations

import calendar as _cal
import copy
import json
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from reserve.api import build_report, compute_book
from reserve.calendar import BusinessCalendar
from reserve.cli import main
from reserve.money import format_cents
from reserve.series.analysis import mean_cents, round_cents, six_months_after, weekly_from
from reserve.series.model import DEPOSITS_NOT_CHECKED
from reserve.series.read import SeriesError, read_series

ROOT = Path(__file__).resolve().parent.parent
CAL = BusinessCalendar()
M = 100_000_000  # $1 million in cents


@pytest.fixture(scope="module")
def base() -> dict:
    book, result = compute_book(ROOT / "sample_data" / "weekly_book.xlsx")
    run_time = datetime(2026, 12, 1, 9, 0).astimezone()
    return json.loads(build_report(book, result, run_time).to_json())


def write(folder: Path, base: dict, as_of: date, name: str | None = None, *, firm: str | None = None,
          frequency: str = "weekly", test_run: bool = False, daily_basis: str | None = None,
          run_at: str | None = None, credits: int | None = None, pab_credits: int = 50 * M,
          drop_deadline: bool = False) -> Path:
    """A copy of the sample report as of `as_of`; `credits`: customer + PAB total credits (cents)."""
    d = copy.deepcopy(base)
    d["as_of"] = d["parameters"]["as_of"] = as_of.isoformat()
    d["run_at"] = run_at or f"{as_of.isoformat()}T20:00:00+00:00"
    if firm:
        d["firm_name"] = d["parameters"]["firm_name"] = firm
    d["parameters"].update(frequency=frequency, test_run=test_run, daily_basis=daily_basis)
    if credits is not None:
        d["computations"]["customer"]["total_credits"] = format_cents(credits - pab_credits)
        d["computations"]["pab"]["total_credits"] = format_cents(pab_credits)
    for c in ("customer", "pab"):
        d["computations"][c]["deposit_deadline"] = CAL.deposit_deadline(as_of).isoformat()
    if drop_deadline:
        del d["computations"]["pab"]["deposit_deadline"]
    p = folder / (name or as_of.isoformat()) / "report.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(json.dumps(d, indent=1), encoding="utf-8")
    return p


def last_business_day(y: int, m: int) -> date:
    d = date(y, m, _cal.monthrange(y, m)[1])
    return d if CAL.is_business_day(d) else CAL.previous_business_day(d)


# ------------------------------------------------------------------------------ reading


def test_date_order_superseded_and_another_firm(tmp_path: Path, base: dict) -> None:
    write(tmp_path, base, date(2026, 11, 20), "b")
    write(tmp_path, base, date(2026, 11, 13), "a")
    write(tmp_path, base, date(2026, 11, 13), "a-rerun", run_at="2026-11-16T09:00:00+00:00")
    write(tmp_path, base, date(2026, 11, 6), "other", firm="Other Securities LLC")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "report.json").write_text("not json", encoding="utf-8")
    s = read_series([tmp_path])
    assert [r.as_of for r in s.runs] == [date(2026, 11, 13), date(2026, 11, 20)]
    assert s.runs[0].file.endswith("a-rerun/report.json")  # the later run_at
    assert len(s.superseded) == 1 and "a/report.json" in s.superseded[0]
    assert any("another firm, 'Other Securities LLC'" in n for n in s.passed_over)
    assert any("junk/report.json passed over: it is not JSON" in n for n in s.passed_over)
    assert s.read_files == 5


def test_two_firms_in_equal_number_is_one_line_exit_2(tmp_path: Path, base: dict) -> None:
    write(tmp_path, base, date(2026, 11, 13), "a")
    write(tmp_path, base, date(2026, 11, 20), "b", firm="Other Securities LLC")
    with pytest.raises(SeriesError, match="Harbor Point Securities LLC.*Other Securities LLC|Other.*Harbor"):
        read_series([tmp_path])
    r = CliRunner().invoke(main, ["series", str(tmp_path), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "Other Securities LLC" in r.output and "Traceback" not in r.output


def test_a_bad_path_is_one_line_exit_2(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["series", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2
    assert r.output.strip().count("\n") == 0 and "nowhere: no such file or folder" in r.output
    (tmp_path / "book.xlsx").write_bytes(b"PK")
    r = CliRunner().invoke(main, ["series", str(tmp_path / "book.xlsx"), "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "never a book" in r.output


def test_an_absent_figure_is_said_not_invented(tmp_path: Path, base: dict) -> None:
    write(tmp_path, base, date(2026, 11, 20), drop_deadline=True)
    s = read_series([tmp_path])
    assert s.runs[0].deadlines == {"customer": date(2026, 11, 24), "pab": None}
    from reserve.series.html import series_view

    v = series_view(s)
    assert v.rows[0].cells[-1] == "not in report.json" and v.rows[0].cells[4] == "2026-11-24"


# ------------------------------------------------------------------------------ gaps and tests


def test_daily_gaps_non_computation_days_and_a_test_run(tmp_path: Path, base: dict) -> None:
    # Mon 11-23, Tue 11-24 present; Wed 11-25 missing (a gap); Thu 11-26 Thanksgiving (a
    # holiday); Fri 11-27 the Friday after Thanksgiving (FAQ Q6 non-computation day: no gap);
    # Sat 11-28 a computation on a day that is not a business day; Mon 11-30, Tue 12-01 present.
    for d in (23, 24, 28, 30):
        write(tmp_path, base, date(2026, 11, d), frequency="daily", daily_basis="required")
    write(tmp_path, base, date(2026, 12, 1), frequency="daily", daily_basis="voluntary")
    write(tmp_path, base, date(2026, 11, 25), "test-1125", frequency="daily", test_run=True)
    s = read_series([tmp_path])
    assert [(g.day, g.kind) for g in s.gaps] == [(date(2026, 11, 25), "missing business day"),
                                                 (date(2026, 11, 28), "not a business day")]
    assert "Question 6" in s.gaps[0].rule and "(e)(3)(i)(B)(1)" in s.gaps[0].rule
    assert [r.as_of for r in s.tests] == [date(2026, 11, 25)]
    assert date(2026, 11, 25) not in [r.as_of for r in s.runs]
    # the sample's PAB computation permits a withdrawal: a test run's is never counted (FAQ Q2)
    test_pab = [o for o in s.obligations() if o.test and o.computation == "pab"][0]
    assert test_pab.withdrawal_permitted and test_pab.withdrawal_counted == 0
    main_pab = [o for o in s.obligations() if not o.test and o.computation == "pab"][0]
    assert main_pab.withdrawal_counted == main_pab.withdrawal_permitted > 0
    assert len(s.obligations()) == 2 * 6 and s.obligations()[0].deadline == date(2026, 11, 25)
    assert s.reminders and "(e)(3)(v)" in s.reminders[0] and "approves a change" in s.reminders[0]


def test_weekly_missed_week(tmp_path: Path, base: dict) -> None:
    write(tmp_path, base, date(2026, 11, 6))
    write(tmp_path, base, date(2026, 11, 20))
    s = read_series([tmp_path])
    assert [(g.day, g.kind, g.rule) for g in s.gaps] == [(date(2026, 11, 13), "missing week", "Rule 15c3-3(e)(3)(i)(A)")]


# ------------------------------------------------------------------------------ average total credits


def test_six_months_and_sixty_days_readings() -> None:
    # reached at 2025-12-31: + 6 months = 2026-06-30, a Tuesday (a business day)
    assert six_months_after(date(2025, 12, 31), CAL) == date(2026, 6, 30)
    # 2026-08-31 + 6 months: February has 28 days -> 2027-02-28, a Sunday -> Monday 2027-03-01
    assert six_months_after(date(2026, 8, 31), CAL) == date(2027, 3, 1)
    # fell below at Fri 2026-01-30: notice Mon 2026-02-02; + 60 days = 2026-04-03 (Feb 26 days
    # left after the 2nd + 31 in March = 57, + 3 = April 3), a Friday (Good Friday: the Reserve
    # Banks are open) and the last business day of its week
    assert weekly_from(date(2026, 1, 30), CAL) == (date(2026, 2, 2), date(2026, 4, 3))


def test_mean_is_exact_and_rounded_half_even() -> None:
    # (11 x $450M + $1,100M) / 12 = $6,050M / 12 = $504,166,666.666... -> $504,166,666.67
    m = mean_cents([450 * M] * 11 + [1100 * M])
    assert str(m).startswith("50416666666.666666") and round_cents(m) == 50_416_666_667
    assert round_cents(Decimal("2.5")) == 2 and round_cents(Decimal("3.5")) == 4  # half to even


def test_average_crosses_500_million_and_falls_below(tmp_path: Path, base: dict) -> None:
    # month-ends of 2025: Jan-Nov $450M each, Dec $1,100M; Jan 2026 $300M.
    # At Nov 2025 (11 months): $450M < $500M.  At Dec 2025 (12 months):
    # (11 x 450 + 1100) / 12 = 504.1666...M >= $500M: reached; daily from 2026-06-30.
    # At Jan 2026 (12 months, Jan 2025 drops out): (10 x 450 + 1100 + 300) / 12 = 5900 / 12 =
    # $491,666,666.666... -> $491,666,666.67 < $500M: fell below; weekly from 2026-04-03.
    for m in range(1, 13):
        write(tmp_path, base, last_business_day(2025, m), credits=(1100 if m == 12 else 450) * M)
        write(tmp_path, base, last_business_day(2025, m) - timedelta(days=7), credits=9999 * M)  # not a month-end
    write(tmp_path, base, date(2026, 1, 30), credits=300 * M)
    write(tmp_path, base, date(2026, 2, 6), credits=9999 * M)  # February is not over in the series
    s = read_series([tmp_path])
    a = s.average
    assert [me.as_of for me in a.month_ends] == [last_business_day(2025, m) for m in range(1, 13)] + [date(2026, 1, 30)]
    assert [me.months for me in a.month_ends] == list(range(1, 13)) + [12]
    assert a.month_ends[10].average_cents == 450 * M and a.month_ends[10].reaches is False
    assert a.month_ends[11].average_cents == 50_416_666_667 and a.month_ends[11].reaches is True
    assert a.month_ends[12].average_cents == 49_166_666_667 and a.month_ends[12].reaches is False
    assert [(c.direction, c.month_end, c.date) for c in a.crossings] == [
        ("reached", date(2025, 12, 31), date(2026, 6, 30)), ("fell below", date(2026, 1, 30), date(2026, 4, 3))]
    assert any("2026-02 is not in the average" in n for n in a.notes)
    assert any("FOCUS" in n for n in a.notes)
    assert a.latest is not None and a.latest.months == 12


def test_daily_is_not_required_before_the_compliance_date(tmp_path: Path, base: dict) -> None:
    # one month-end, 2025-10-31, of $600M: the average (of 1 month) is at or above $500M there.
    # Six months later is 2026-04-30, before the compliance date of the required daily
    # computation (Release 34-103320: 2026-06-30): daily computation is required from 2026-06-30.
    write(tmp_path, base, date(2025, 10, 31), credits=600 * M)
    c = read_series([tmp_path]).average.crossings[0]
    assert (c.direction, c.month_end, c.date) == ("reached", date(2025, 10, 31), date(2026, 6, 30))
    assert "six months later would be 2026-04-30" in c.text and "Release 34-103320" in c.text
    assert "Release 34-103320" in c.rule


def test_a_weekly_filer_past_its_daily_date_is_a_gap(tmp_path: Path, base: dict) -> None:
    # Weekly computations every Friday of 2026 from 01-02 to 08-28, every one at $600M of total
    # credits: the average reaches $500M at the first month-end, 2026-01-30 (1 month), so daily
    # computation is required from 2026-07-30 (six months later, a Thursday). The weekly runs on or
    # after it: 07-31, 08-07, 08-14, 08-21, 08-28 -- one gap, at the first, counting 4 later ones.
    d = date(2026, 1, 2)
    while d <= date(2026, 8, 28):
        write(tmp_path, base, d if CAL.is_business_day(d) else CAL.previous_business_day(d), credits=600 * M)
        d += timedelta(days=7)
    s = read_series([tmp_path])
    assert s.average.crossings[0].date == date(2026, 7, 30)
    late = [g for g in s.gaps if g.kind == "not computed daily"]
    assert [g.day for g in late] == [date(2026, 7, 31)]
    assert "is weekly, and 4 later one(s)" in late[0].text and "required from 2026-07-30" in late[0].text
    assert late[0].rule == "Rule 15c3-3(e)(3)(i)(B)(1)"
    assert [g.day for g in s.gaps] == sorted(g.day for g in s.gaps)  # the gaps in date order


def test_fewer_than_12_months_is_of_n_months(tmp_path: Path, base: dict) -> None:
    # two month-ends of $600M and $500M: (600 + 500) / 2 = $550M, "of 2 month(s) only"
    write(tmp_path, base, date(2026, 9, 30), credits=600 * M)
    write(tmp_path, base, date(2026, 10, 30), credits=500 * M)
    s = read_series([tmp_path])
    assert s.average.latest is not None and s.average.latest.average_cents == 550 * M
    # reached already at the first month-end, an average of that one month ($600M)
    assert "1 month(s) only, not the rule's 12" in s.average.crossings[0].text
    assert "(or before" in s.average.crossings[0].text  # at or above at the series' first month-end
    assert any("fewer than the rule's 12" in n for n in s.average.notes)


# ------------------------------------------------------------------------------ outputs


def test_cli_writes_page_and_workbook(tmp_path: Path, base: dict) -> None:
    src = tmp_path / "reports"
    for d in (23, 24, 30):
        write(src, base, date(2026, 11, d), frequency="daily")
    write(src, base, date(2026, 11, 25), "t", frequency="daily", test_run=True)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["series", str(src), "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["computations"] == 3 and doc["tests"] == 1 and doc["deposits"] is None
    assert [g["day"] for g in doc["gaps"]] == ["2026-11-25"]
    page = (out / "series.html").read_text(encoding="utf-8")
    assert DEPOSITS_NOT_CHECKED in page and "<script" not in page
    assert page.count('data-chart="') == 2 and 'id="test-table"' in page
    assert 'data-gap="missing business day"' in page
    wb = load_workbook(out / "series.xlsx")
    assert wb.sheetnames == ["Series", "Average", "Gaps", "Deposits", "Tests", "Notes"]
    assert wb["Deposits"]["A1"].value == DEPOSITS_NOT_CHECKED  # no deposits table: said, no table
    assert len(wb["Series"]._charts) == 2
    # written as the exact decimal text of the cents (openpyxl reads the cell back as a number)
    assert str(wb["Series"]["B4"].value) == base["computations"]["customer"]["required_deposit"]
    assert wb["Notes"]["A1"].value == DEPOSITS_NOT_CHECKED
    # the same files give the same page
    r2 = CliRunner().invoke(main, ["series", str(src), "--out", str(tmp_path / "out2"), "--quiet"])
    assert r2.exit_code == 0 and (tmp_path / "out2" / "series.html").read_text(encoding="utf-8") == page


def test_scale_260_daily_reports_render_in_seconds(tmp_path: Path, base: dict) -> None:
    # a year of daily computations (small book; bench/series_bench.py does a 1M-account firm's)
    days, d = [], date(2025, 11, 3)
    while len(days) < 260:
        if CAL.is_business_day(d) and CAL.non_computation_reason(d) is None:
            days.append(d)
        d += timedelta(days=1)
    for i, day in enumerate(days):
        write(tmp_path / "in", base, day, frequency="daily", credits=(400 + i) * M)
    t = time.perf_counter()
    r = CliRunner().invoke(main, ["series", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--quiet"])
    took = time.perf_counter() - t
    assert r.exit_code == 0, r.output
    s = read_series([tmp_path / "in"])
    assert len(s.runs) == 260 and not s.gaps
    assert took < 30, took


def test_last_month_ends_on_its_last_computation_day(tmp_path: Path, base: dict) -> None:
    # a daily filer's December 2026: the 31st is the business day before New Year's Day (FAQ Q6,
    # no computation needed), so a last computation as of Wed 2026-12-30 is December's month-end
    write(tmp_path, base, date(2026, 12, 30), frequency="daily", credits=600 * M)
    s = read_series([tmp_path])
    assert [me.as_of for me in s.average.month_ends] == [date(2026, 12, 30)]
    write(tmp_path, base, date(2027, 1, 4), frequency="weekly", credits=600 * M)  # January 2027 is not over
    assert [me.as_of for me in read_series([tmp_path]).average.month_ends] == [date(2026, 12, 30)]
