"""The report's commands through click's CliRunner: `compute --compare`, `reperform` and
`check`, with their exit codes (0 success, 1 a check failed or the input is invalid)."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from test_report_golden import report_book, report_tables
from test_report_html import parse

from reserve.cli import main
from reserve.report.compare import add_comparison, comparison


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def two_weeks(tmp_path_factory):
    """Last week's book and output, and this week's book: C-100's credit grew by 100,000.00
    and a bank loan of 50,000.00 was repaid."""
    tmp = tmp_path_factory.mktemp("cli")
    report_book(tmp / "week1")
    code, out = run("compute", tmp / "week1", "--out", tmp / "out1", "--quiet")
    assert code == 0, out
    t = report_tables()
    t["accounts"][0] = dict(t["accounts"][0], balance="1100000")
    t["items"] = [i for i in t["items"] if i["item_id"] != "LOAN-1"]
    report_book(tmp / "week2", **{k: v for k, v in t.items()})
    return tmp


def test_compute_compare_shows_prior_and_change_in_html_and_xlsx(two_weeks):
    tmp = two_weeks
    code, out = run("compute", tmp / "week2", "--out", tmp / "out2", "--compare", tmp / "out1" / "report.json", "--quiet")
    assert code == 0, out
    root = parse((tmp / "out2" / "report.html").read_text())
    item1 = root.find("tr", data_key="customer:item_1")
    assert "mover" in item1.attrs["class"].split()
    cells = [td.text.strip() for td in item1.find_all("td", class_="num")]
    assert cells[:3] == ["1,113,234.56", "1,013,234.56", "+100,000.00 ◆"]  # ◆ marks a largest mover
    item2 = root.find("tr", data_key="customer:item_2")
    assert "−50,000.00" in item2.text and "mover" in item2.attrs["class"].split()
    assert "Compared with the computation as of 2026-11-20" in root.find(id="movers").text

    ws = openpyxl.load_workbook(tmp / "out2" / "report.xlsx")["Summary"]
    head = [c.value for c in ws[5]]
    assert head[-2:] == ["prior (2026-11-20)", "change"]
    row = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == "customer" and r[1] == "1")
    assert (row[-2], row[-1]) == (1013234.56, 100000)


def test_compute_compare_in_report_json(two_weeks):
    tmp = two_weeks
    code, out = run("compute", tmp / "week2", "--out", tmp / "out3", "--compare", tmp / "out1" / "report.json",
                    "--quiet", "--format", "json")
    assert code == 0, out
    report = json.loads((tmp / "out3" / "report.json").read_text())
    prev = report["computations"]["customer"]["previous"]
    assert prev["amounts"]["item_1"] == "1013234.56" and prev["change"]["item_1"] == "100000.00"
    assert prev["largest_movers"][:2] == ["item_1", "item_2"]
    assert report["compared_with"]["as_of"] == "2026-11-20"


def test_add_comparison_pairs_every_line():
    now = {"as_of": "2026-11-27", "computations": {"customer": {
        "lines": [{"key": "item_1", "amount": "150.00"}, {"key": "item_2", "amount": "10.00"},
                  {"key": "item_10", "amount": "0.00"}],
        "total_credits": "160.00", "required_deposit": "160.00"}}}
    before = {"as_of": "2026-11-20", "run_at": "x", "computations": {"customer": {
        "lines": [{"key": "item_1", "amount": "100.00"}, {"key": "item_10", "amount": "70.00"}],
        "total_credits": "100.00"}}}
    out = add_comparison(now, before)
    p = out["computations"]["customer"]["previous"]
    assert p["amounts"] == {"item_1": "100.00", "item_2": None, "item_10": "70.00", "total_credits": "100.00",
                            "required_deposit": None}
    assert p["change"]["item_1"] == "50.00" and p["change"]["item_10"] == "-70.00" and p["change"]["item_2"] is None
    assert p["largest_movers"] == ["item_10", "item_1"]  # by size of the change; a new line has no change
    assert "previous" not in now["computations"]["customer"]  # the input is not modified
    assert add_comparison(now, None) is now
    assert comparison(now, None) == {}


def test_check_passes_and_fails_with_a_diff(two_weeks):
    tmp = two_weeks
    expected = tmp / "out1" / "report.json"
    code, out = run("check", tmp / "week1", "--expected", expected)
    assert code == 0 and out.startswith("OK"), out
    code, out = run("check", tmp / "week2", "--expected", expected)
    assert code == 1
    assert "FAIL" in out and "item 1" in out and "1013234.56" in out and "1113234.56" in out


def test_reperform_against_report_json(two_weeks):
    tmp = two_weeks
    code, out = run("reperform", tmp / "week1", "--against", tmp / "out1" / "report.json", "--out", tmp / "v.json")
    assert code == 0, out
    assert "OK: all" in out
    doc = json.loads((tmp / "v.json").read_text())
    assert doc["variances"] == 0 and doc["lines"][0]["line"] == "item 1"


def prepared_xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Firm's reserve computation"])
    ws.append(["computation", "line", "amount"])
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_reperform_xlsx_variance_exits_1_with_rows_behind(two_weeks):
    tmp = two_weeks
    # the firm's schedule: item 1 by number, item 2 by FOCUS box; item 1 is 10.00 short
    prep = prepared_xlsx(tmp / "prepared.xlsx", [("customer", 1, 1013224.56), ("customer", "4350", "75,000.00"),
                                                  (None, "Item 12", 2000), ("pab", "1", 30000)])
    code, out = run("reperform", tmp / "week1", "--against", prep, "--out", tmp / "v.csv")
    assert code == 1, out
    assert "VARIANCE: 1 of 4" in out
    assert "customer item 1: 4 row(s) behind the line" in out
    assert "accounts.csv | accounts | row 2" in out  # C-100, the largest
    assert (tmp / "v.csv").read_text().splitlines()[1].startswith("customer,item 1,1013224.56,1013234.56,10.00,True,4")
    code, out = run("reperform", tmp / "week1", "--against", prep, "--tolerance", "10.00", "--out", tmp / "v2.json")
    assert code == 0, out


def test_reperform_bad_prepared_exits_1_listing_every_problem(two_weeks):
    tmp = two_weeks
    prep = prepared_xlsx(tmp / "bad.xlsx", [("customer", "99", 1), ("customer", "1", "12.345"), ("pab", "4340", 5),
                                            ("firm", "1", 1)])
    code, out = run("reperform", tmp / "week1", "--against", prep, "--out", tmp / "v3.json")
    assert code == 1
    assert out.count("  - ") == 4
    assert "unknown line" in out and "decimal" in out and "customer computation only" in out
    assert not (tmp / "v3.json").exists()


def test_reperform_bad_tolerance_is_a_usage_error(two_weeks):
    code, out = run("reperform", two_weeks / "week1", "--against", two_weeks / "out1" / "report.json",
                    "--tolerance", "-1")
    assert code == 2 and "tolerance" in out


@pytest.mark.parametrize("cmd", ["reperform", "check", "compute"])
def test_help(cmd):
    code, out = run(cmd, "--help")
    assert code == 0 and "Usage" in out
