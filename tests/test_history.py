"""`reserve compute BOOK --history FOLDER` (issue 14 item 5): the earlier report.json files of
the same firm under FOLDER, the notes about what was passed over, gaps and dates out of order,
the chart (inline SVG), the tables, the workbook's Trend sheet and its native chart, and the
history kept in report.json (so `reserve verify --render` keeps the trend).

The earlier reports are this week's sample-book report with its as-of date (and a few
figures) changed, written with `Report.to_json` -- the same file a run on that date writes."""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from click.testing import CliRunner
from test_report_html import parse

from reserve.calendar import BusinessCalendar
from reserve.cli import main
from reserve.formula.model import ComputationName
from reserve.report.history import (
    CHANGE_FIGURES,
    CHART_FIGURES,
    HISTORY_POINTS,
    gaps,
    history_view,
    percent_change,
    percent_text,
    read_history,
)
from reserve.report.model import History, HistoryPoint, Report

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"
SVG = "{http://www.w3.org/2000/svg}"
CUSTOMER, PAB = ComputationName.CUSTOMER, ComputationName.PAB


def run(*args):
    r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in r.output + r.stderr
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def this_week(tmp_path_factory) -> Report:
    """The sample book's report (as of Friday 2026-11-20), computed once."""
    tmp = tmp_path_factory.mktemp("base")
    code, out, err = run("compute", SAMPLE, "--out", tmp / "r", "--format", "json", "--quiet")
    assert code == 0, out + err
    return Report.from_json((tmp / "r" / "report.json").read_text(encoding="utf-8"))


def earlier(report: Report, as_of: str, required: int | None = None, run_at: str = "2026-11-01T09:00:00+00:00",
            firm: str | None = None, item_4: int | None = None) -> Report:
    """`report` as if computed on `as_of`: its customer required deposit (and Item 4) changed."""
    c = report.computations[CUSTOMER]
    if required is not None:
        c = replace(c, required_deposit=required)
    if item_4 is not None:
        c = replace(c, lines=tuple(replace(line, amount=item_4) if line.key == "item_4" else line for line in c.lines))
    return replace(report, as_of=date.fromisoformat(as_of), run_at=datetime.fromisoformat(run_at),
                   firm_name=firm or report.firm_name, computations={**report.computations, CUSTOMER: c})


def put(folder: Path, rel: str, text: str) -> Path:
    p = folder / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------ the command, end to end


@pytest.fixture(scope="module")
def trend(tmp_path_factory, this_week):
    """A folder of last weeks' report folders, and this week's run written into it:

    2026-10-23, 2026-10-30 and 2026-11-13 of the same firm (the week ending 2026-11-06 is
    missed); 2026-11-13 computed twice (the rerun, run later, wins); one of another firm; one
    not JSON; one dated after this book; and the --out folder itself holding an earlier
    computation (as of 2026-11-06), which this run writes over and must not count."""
    hist = tmp_path_factory.mktemp("trend") / "reports"
    r = this_week
    files = {
        "2026-10-23/report.json": earlier(r, "2026-10-23", required=400_000_000, item_4=60_000_000),
        "2026-10-30/report.json": earlier(r, "2026-10-30", required=450_000_000),
        "2026-11-13/report.json": earlier(r, "2026-11-13", required=1, run_at="2026-11-13T18:00:00+00:00"),
        "2026-11-13-rerun/report.json": earlier(r, "2026-11-13", required=480_000_000,
                                                run_at="2026-11-16T08:00:00+00:00"),
        "other-firm/report.json": earlier(r, "2026-11-13", firm="Other Broker LLC"),
        "later/report.json": earlier(r, "2026-11-27"),
        "2026-11-20/report.json": earlier(r, "2026-11-06", required=470_000_000),  # the --out folder
    }
    paths = {rel: put(hist, rel, rep.to_json()) for rel, rep in files.items()}
    put(hist, "notes/report.json", "this is not JSON\n")
    hashes = {rel: sha(p) for rel, p in paths.items()}
    out = hist / "2026-11-20"
    code, stdout, stderr = run("compute", SAMPLE, "--out", out, "--history", hist)
    assert code == 0, stdout + stderr
    report = Report.from_json((out / "report.json").read_text(encoding="utf-8"))
    return hist, out, report, hashes, stderr


def test_points_are_the_earlier_computations_of_the_firm_oldest_first(trend, this_week):
    hist, out, report, hashes, _ = trend
    h = report.history
    assert h is not None and h.folder == str(hist)
    assert [(p.file, p.as_of.isoformat()) for p in h.points] == [
        ("2026-10-23/report.json", "2026-10-23"), ("2026-10-30/report.json", "2026-10-30"),
        ("2026-11-13-rerun/report.json", "2026-11-13"), ("", "2026-11-20")]
    assert [p.sha256 for p in h.points[:-1]] == [hashes[p.file] for p in h.points[:-1]]
    assert h.points[-1].sha256 == "" and h.points[-1].run_at == report.run_at_text
    # the figures are the files' (cents), this one's are the run's
    assert [p.figures[CUSTOMER]["required_deposit"] for p in h.points[:-1]] == [400_000_000, 450_000_000, 480_000_000]
    assert h.points[0].figures[CUSTOMER]["item_4"] == 60_000_000
    assert h.points[-1].figures == {n: dict(c.amounts) for n, c in report.figures().computations.items()}


def test_every_file_passed_over_is_said(trend):
    hist, _, report, _, stderr = trend
    notes = report.history.notes
    text = "\n".join(notes)
    assert "2026-11-20/report.json passed over: it is the report.json this run writes over" in text
    assert "notes/report.json passed over: it is not JSON" in text
    assert "1 report.json file(s) of another firm passed over" in text and "'Other Broker LLC'" in text
    assert "later/report.json (as of 2026-11-27)" in text and "on or after this computation's 2026-11-20" in text
    assert ("2 computations are as of 2026-11-13: the later run, 2026-11-13-rerun/report.json (run "
            "2026-11-16T08:00:00+00:00), is shown; passed over: 2026-11-13/report.json") in text
    # the missed week is named by the last business day of that week
    assert any(n.startswith("Gap: no computation for 1 week(s) between the computations as of 2026-10-30 and "
                            "2026-11-13") and "2026-11-06" in n for n in notes)
    # and the terminal says every note too
    for n in notes:
        assert f"Note: --history {hist}: {n}" in stderr.splitlines()


def test_the_chart_is_inline_svg_with_a_point_per_computation(trend):
    _, out, report, _, _ = trend
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page.split('id="trend"')[1].split("</section>")[0]
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    charts = [ElementTree.fromstring(s) for s in svgs if "data-chart" in s]
    assert [c.get("data-chart") for c in charts] == ["customer", "pab"]
    for chart in charts:
        assert chart.get("role") == "img" and "computation(s), as of 2026-10-23 to 2026-11-20" in chart.get("aria-label")
        assert chart.find(f"{SVG}title") is not None
        lines = chart.findall(f".//{SVG}polyline")
        assert len(lines) == len(CHART_FIGURES)
        for line in lines:
            pts = line.get("points").split()
            assert len(pts) == 4
            xs = [int(p.split(",")[0]) for p in pts]
            assert xs == sorted(xs) and len(set(xs)) == 4  # dates left to right
        # hover values: exact amounts
        titles = [t.text for t in chart.iter(f"{SVG}title")]
        assert any(t and t.endswith("as of 2026-10-23: $4,000,000.00") for t in titles) or chart.get(
            "data-chart") == "pab"
        labels = [t.text for t in chart.iter(f"{SVG}text")]
        assert "Required deposit" in labels and "Total debits" in labels  # the legend
        assert any(t in labels for t in ("$ millions", "$ thousands"))
    # the missed week is a wider gap: x positions follow the dates (7, 14, 7 days)
    xs = [int(p.split(",")[0]) for p in charts[0].find(f".//{SVG}polyline").get("points").split()]
    assert (xs[2] - xs[1]) == pytest.approx(2 * (xs[1] - xs[0]), abs=1)


def test_the_figures_and_the_changes_are_tables_on_the_page(trend):
    _, out, report, _, _ = trend
    root = parse((out / "report.html").read_text(encoding="utf-8"))

    def body(table):
        return [[td.text.strip() for td in tr.find_all("td")] for tr in table.find_all("tr") if tr.find("td")]

    figures = body(root.find("table", data_trend="customer"))
    assert [r[0] for r in figures] == ["2026-10-23", "2026-10-30", "2026-11-13", "2026-11-20"]
    assert figures[0][1] == "4,000,000.00" and figures[-1][-1] == "this computation"
    assert len(figures[0]) == 1 + len(CHART_FIGURES) + 1
    changes = body(root.find("table", data_changes="customer"))
    assert len(changes) == len(CHANGE_FIGURES)
    cells = next(r for r in changes if r[1] == "Required deposit")
    now = report.computations[CUSTOMER].required_deposit
    # vs 2026-11-13 (4,800,000.00) and vs the first shown, 2026-10-23 (4,000,000.00): exact percents
    assert cells[2] == "4,800,000.00" and cells[6] == "4,000,000.00"
    assert cells[5] == percent_text(percent_change(now - 480_000_000, 480_000_000))
    assert cells[8] == percent_text(percent_change(now - 400_000_000, 400_000_000))
    assert body(root.find("table", data_changes="pab"))  # the PAB computation's too
    notes = [li.text.strip() for li in root.find_all("li", data_note="history")]
    assert notes == list(report.history.notes)


def test_the_workbook_has_a_trend_sheet_with_a_native_chart_over_its_table(trend):
    _, out, report, _, _ = trend
    wb = openpyxl.load_workbook(out / "report.xlsx")
    assert wb.sheetnames[:2] == ["Summary", "Trend"]
    ws = wb["Trend"]
    assert ws.freeze_panes == "A6" and ws.auto_filter.ref.startswith("A5:")
    assert [ws.cell(r, 1).value.date().isoformat() for r in range(6, 10)] == [
        "2026-10-23", "2026-10-30", "2026-11-13", "2026-11-20"]
    assert ws["B5"].value == "customer required deposit"
    assert Decimal(str(ws["B6"].value)) == Decimal("4000000.00")
    assert Decimal(str(ws["B9"].value)) == Decimal(report.computations[CUSTOMER].required_deposit) / 100
    with zipfile.ZipFile(out / "report.xlsx") as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names and "xl/charts/chart2.xml" in names
        chart = z.read("xl/charts/chart1.xml").decode()
    refs = re.findall(r"<(?:c:)?f>([^<]*)</(?:c:)?f>", chart)
    assert "'Trend'!$B$6:$B$9" in refs and "'Trend'!$A$6:$A$9" in refs
    assert "'Trend'!$G$6:$G$9" in refs  # the sixth series: total debits
    # the charts sit below the table, one above the other, over the rows left empty for them
    anchors = [ch.anchor._from.row + 1 for ch in ws._charts]  # openpyxl counts anchor rows from 0
    assert len(anchors) == 2 and 9 < anchors[0] < anchors[1]
    assert all(ws.cell(r, 1).value is None for r in range(anchors[0], anchors[1]))
    # the change table: every line, with its percent as a number
    labels = [ws.cell(r, 2).value for r in range(1, ws.max_row + 1)]
    row = next(i for i, v in enumerate(labels, 1) if v == "Item 4 — Customers' securities failed to receive")
    assert ws.cell(row, 1).value == "customer"
    now4 = report.computations[CUSTOMER].amount("item_4")
    assert Decimal(str(ws.cell(row, 7).value)) == Decimal("600000.00")  # the first shown
    assert ws.cell(row, 9).number_format == "0.00%"
    assert Decimal(str(ws.cell(row, 9).value)) == percent_change(now4 - 60_000_000, 60_000_000) / 100


def test_report_json_keeps_the_history_and_verify_render_keeps_the_trend(trend):
    _, out, report, _, _ = trend
    again = Report.from_json(report.to_json())
    assert again.history == report.history
    code, stdout, stderr = run("verify", out, "--render")
    assert code == 0, stdout + stderr
    page = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="trend"' in page and page.count("<polyline") == 2 * len(CHART_FIGURES)
    assert Report.from_json((out / "report.json").read_text(encoding="utf-8")).history == report.history
    assert "xl/charts/chart1.xml" in zipfile.ZipFile(out / "report.xlsx").namelist()


def test_history_must_be_a_folder(tmp_path):
    f = put(tmp_path, "a.txt", "x")
    for bad in (f, tmp_path / "missing"):
        code, stdout, stderr = run("compute", SAMPLE, "--out", tmp_path / "o", "--history", bad)
        assert code == 2
        errors = [line for line in stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "--history" in errors[0]
    assert not (tmp_path / "o").exists()


def test_without_history_there_is_no_trend(tmp_path):
    code, out, err = run("compute", SAMPLE, "--out", tmp_path / "o", "--quiet")
    assert code == 0, out + err
    assert 'id="trend"' not in (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert "Trend" not in openpyxl.load_workbook(tmp_path / "o" / "report.xlsx", read_only=True).sheetnames
    assert '"history"' not in (tmp_path / "o" / "report.json").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ reading the folder


def test_the_last_13_computations(tmp_path, this_week):
    r = this_week
    days = [date(2026, 11, 20).toordinal() - 7 * k for k in range(1, 16)]  # 15 earlier Fridays
    for d in days:
        day = date.fromordinal(d).isoformat()
        put(tmp_path, f"{day}/report.json", earlier(r, day).to_json())
    h = read_history(tmp_path, r)
    assert len(h.points) == HISTORY_POINTS
    assert h.points[0].as_of == date.fromordinal(days[11]) and h.points[-1].as_of == r.as_of
    assert [p.as_of for p in h.points] == sorted(p.as_of for p in h.points)
    assert any("3 earlier computation(s), as of 2026-08-07 to 2026-08-21, are older than the last 13" in n
               for n in h.notes)
    assert not any(n.startswith("Gap") for n in h.notes)


def test_out_of_order_names_and_hidden_leftovers(tmp_path, this_week):
    r = this_week
    put(tmp_path, "week9/report.json", earlier(r, "2026-11-13").to_json())
    put(tmp_path, "week10/report.json", earlier(r, "2026-11-06").to_json())  # after week9 by name, dated earlier
    put(tmp_path, ".reports.reserve-new-0a1b/report.json", earlier(r, "2026-10-30").to_json())
    h = read_history(tmp_path, r)
    assert [p.file for p in h.points] == ["week10/report.json", "week9/report.json", ""]
    assert any(n.startswith("Out of order: week10/report.json (as of 2026-11-06) comes after week9/report.json "
                            "(as of 2026-11-13)") for n in h.notes)
    assert any("1 report.json file(s) in hidden folders" in n and ".reports.reserve-new-0a1b" in n for n in h.notes)


def test_a_report_json_that_is_not_a_report_is_passed_over_with_its_reason(tmp_path, this_week):
    put(tmp_path, "a/report.json", '{"schema": "reserve.report/1", "as_of": "2026-11-13", "computations": '
                                   '{"customer": {"items": {"1": "ten"}}}}')
    put(tmp_path, "b/report.json", "[1, 2]")
    put(tmp_path, "c/report.json", "")
    h = read_history(tmp_path, this_week)
    assert [p.file for p in h.points] == [""]
    text = "\n".join(h.notes)
    assert "a/report.json passed over: not a usable report.json: computations.customer.items.1: found 'ten'" in text
    assert "b/report.json passed over: not a usable report.json: is a list" in text
    assert "c/report.json passed over: it is empty" in text
    assert "No earlier computation of 'Harbor Point Securities LLC' was found" in text


def test_firm_names_compare_as_fit_warnings_does(tmp_path, this_week):
    r = this_week
    put(tmp_path, "a/report.json", earlier(r, "2026-11-13", firm="  harbor   POINT securities llc ").to_json())
    assert [p.file for p in read_history(tmp_path, r).points] == ["a/report.json", ""]


# ------------------------------------------------------------------------------ gaps


def test_weekly_gaps_use_the_business_calendar():
    cal = BusinessCalendar()
    # Thanksgiving week 2026: no Friday close missing; the week ending Wed 2026-11-25 has its last
    # business day on Friday 11-27 (Thanksgiving is Thursday the 26th; the Fed is open Friday)
    notes = gaps([date(2026, 11, 13), date(2026, 12, 4)], "weekly", cal)
    assert len(notes) == 1 and "2 week(s)" in notes[0] and "2026-11-20, 2026-11-27" in notes[0]
    # Independence Day 2025 is a Friday: that week's computation is as of Thursday 2025-07-03
    notes = gaps([date(2025, 6, 27), date(2025, 7, 11)], "weekly", cal)
    assert "as of 2025-07-03" in notes[0]
    assert gaps([date(2026, 11, 13), date(2026, 11, 20)], "weekly", cal) == []
    assert "Two computations in one week" in gaps([date(2026, 11, 18), date(2026, 11, 20)], "weekly", cal)[0]


def test_daily_and_monthly_gaps():
    cal = BusinessCalendar()
    # Thursday 2026-11-19 to Tuesday 2026-11-24: Friday 11-20 and Monday 11-23 missing
    notes = gaps([date(2026, 11, 19), date(2026, 11, 24)], "daily", cal)
    assert "2 business day(s)" in notes[0] and "2026-11-20, 2026-11-23" in notes[0]
    # the Friday after Thanksgiving is a daily filer's non-computation day (FAQ Q6): not a gap
    assert gaps([date(2026, 11, 25), date(2026, 11, 30)], "daily", cal) == []
    notes = gaps([date(2026, 7, 31), date(2026, 10, 30)], "monthly", cal)
    assert "2 month(s)" in notes[0] and "August 2026, September 2026" in notes[0]
    assert gaps([date(2026, 9, 30), date(2026, 10, 30)], "monthly", cal) == []


# ------------------------------------------------------------------------------ the view


def test_percent_is_exact_two_decimals_and_a_dash_when_prior_is_zero():
    assert percent_change(1, 3) == Decimal("33.33")
    assert percent_change(-2, 3) == Decimal("-66.67")
    assert percent_change(5, -10) == Decimal("50.00")  # of the prior's size
    assert percent_change(5, 0) is None and percent_change(None, 5) is None
    assert percent_text(Decimal("12.5")) == "+12.50%" and percent_text(Decimal("0")) == "0.00%"
    assert percent_text(None) == "—"
    # large amounts stay exact (no float): 1 cent on $90 trillion
    assert percent_change(1, 9_000_000_000_000_000) == Decimal("0.00")


def test_amounts_are_scaled_to_whole_pixels_inside_the_plot(this_week):
    r = this_week
    neg = replace(r.computations[CUSTOMER], withdrawal_permitted=-5)  # not a real figure: below zero, for the axis

    pts = (HistoryPoint("a", "x" * 64, date(2026, 11, 13), None, {CUSTOMER: {k: 1_000_000_000 for k, *_ in CHART_FIGURES}}),
           HistoryPoint("", "", date(2026, 11, 20), None,
                        {CUSTOMER: {**{k: 0 for k, *_ in CHART_FIGURES}, "withdrawal_permitted": neg.withdrawal_permitted}}))
    v = history_view(History("f", pts, ()))
    chart = v.computations[0].chart
    assert chart.unit == "$ millions"
    for s in chart.series:
        for m in s.markers:
            assert isinstance(m.x, int) and isinstance(m.y, int)
            assert chart.left <= m.x <= chart.right and chart.top <= m.y <= chart.bottom
    # the top tick is the largest amount, exactly, in $ millions
    assert chart.y_ticks[-1].label == "10.00" and chart.y_ticks[-1].pos == chart.top
    assert chart.zero_y is not None  # an amount below zero: the zero line is drawn
    # one computation only: one point, in the middle
    one = history_view(History("f", pts[1:], ())).computations[0]
    assert [len(s.markers) for s in one.chart.series] == [1] * len(CHART_FIGURES)
    assert one.changes[0].prior is None and one.changes[0].percent == "—"


def test_a_folder_without_earlier_reports_gives_a_trend_of_one(tmp_path):
    (tmp_path / "empty").mkdir()
    code, stdout, stderr = run("compute", SAMPLE, "--out", tmp_path / "o", "--history", tmp_path / "empty", "--quiet")
    assert code == 0, stdout + stderr
    assert "Note: --history" in stderr and "the trend has this computation only" in stderr
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    assert 'id="trend"' in page and 'data-changes="customer"' not in page  # nothing to compare with
    assert page.count("<polyline") == 2 * len(CHART_FIGURES)
    ws = openpyxl.load_workbook(tmp_path / "o" / "report.xlsx")["Trend"]
    assert ws.auto_filter.ref == "A5:O6"  # as of, 2 x 6 figures, the file and its hash; one row
    assert ws["A6"].value.date() == date(2026, 11, 20) and ws["A7"].value is None
    assert any("no earlier computation" in str(r[0]) for r in ws.iter_rows(min_row=7, max_col=1, values_only=True))
    assert ws.oddFooter.right.text == "Page &P of &N"  # printed like every sheet


def test_many_unusable_files_are_counted_and_an_unreadable_folder_is_said(tmp_path, this_week, monkeypatch):
    import os

    for i in range(23):
        put(tmp_path, f"bad{i}/report.json", "{")
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    notes = read_history(tmp_path, this_week).notes
    assert notes[0] == (f"1 folder(s) under {tmp_path} cannot be read, so any report.json in them is not in the "
                        "trend: locked (Permission denied).")
    passed = [n for n in notes if n.startswith("bad")]
    assert len(passed) == 20 and passed[0].startswith("bad0/report.json passed over: it is not JSON")
    assert "3 more report.json file(s) were passed over as not usable (the first 20 are listed above)." in notes


def test_text_from_another_file_is_escaped_on_the_page(tmp_path, this_week):
    from types import SimpleNamespace

    from reserve.report.html import environment

    put(tmp_path, "x/report.json", earlier(this_week, "2026-11-13", firm="<script>alert(1)</script>").to_json())
    put(tmp_path, "<b>/report.json", "{")
    view = history_view(read_history(tmp_path, this_week))
    html = environment().get_template("history.html").render(r=SimpleNamespace(history=view))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>" not in html and "&lt;b&gt;/report.json passed over" in html
    ElementTree.fromstring(re.search(r"<svg\b.*?</svg>", html, flags=re.S).group(0))  # well-formed XML
