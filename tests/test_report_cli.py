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

    ws = openpyxl.load_workbook(tmp / "out2" / "report.xlsx", data_only=True)["Summary"]  # saved values of the formulas
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


def test_add_comparison_pairs_every_line(tmp_path):
    from test_report_golden import computed

    from reserve.report.model import ReportFigures

    _, _, now = computed(tmp_path / "book")  # customer Item 1 1,013,234.56, Item 2 75,000.00, Item 10 0.00
    before = ReportFigures.from_data({"as_of": "2026-11-13", "run_at": "x", "computations": {"customer": {
        "lines": [{"key": "item_1", "amount": "100.00"}, {"key": "item_10", "amount": "70.00"}],
        "total_credits": "100.00"}}})
    out = add_comparison(now, before)
    p = out.computations["customer"].previous
    assert p is not None and p.as_of == "2026-11-13"
    assert (p.amounts["item_1"], p.amounts["item_2"], p.amounts["item_10"], p.amounts["total_credits"],
            p.amounts["required_deposit"]) == (10000, None, 7000, 10000, None)
    assert p.change["item_1"] == 101323456 - 10000 and p.change["item_10"] == -7000 and p.change["item_2"] is None
    assert p.largest_movers == ("item_1", "item_10")  # by size of the change; a new line has no change
    d = out.to_dict()["computations"]["customer"]["previous"]
    assert d["amounts"]["item_10"] == "70.00" and d["change"]["item_10"] == "-70.00" and d["amounts"]["item_2"] is None
    assert now.computations["customer"].previous is None  # the input is not modified
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


# --------------------------------------------------------------------------- issue 10: report files given to commands


def run3(*args):
    """(exit code, stdout, stderr), with no traceback anywhere."""
    r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in r.output + r.stderr
    return r.exit_code, r.stdout, r.stderr


def bad_report_files(tmp, good: dict) -> dict[str, tuple]:
    """name -> (path, the message expected): the shapes found to crash (issue 10)."""
    files = {}

    def put(name, text):
        (tmp / name).write_text(text) if isinstance(text, str) else (tmp / name).write_bytes(text)
        return tmp / name

    files["list"] = (put("list.json", "[1, 2]"), "is a list, not a report")
    no_amount = json.loads(json.dumps(good))
    del no_amount["computations"]["customer"]["lines"][0]["amount"]
    files["no amount"] = (put("no_amount.json", json.dumps(no_amount)),
                          "computations.customer.lines[0]: line item_1 has no `amount`")
    abc = json.loads(json.dumps(good))
    abc["computations"]["customer"]["items"]["1"] = "abc"
    files["abc"] = (put("abc.json", json.dumps(abc)), "computations.customer.items.1: found 'abc', not an amount")
    files["workbook"] = (put("report.json.xlsx.json", (tmp / "out1" / "report.xlsx").read_bytes()),
                         "is a workbook (.xlsx, a zip file), not JSON")
    files["syntax"] = (put("syntax.json", '{"computations": {,}}'), "is not JSON: Expecting property name")
    files["not utf-8"] = (put("latin.json", "{\"firm_name\": \"caf\xe9\"}".encode("latin-1")), "is not UTF-8 text")
    shape = json.loads(json.dumps(good))
    shape["computations"]["pab"] = []
    files["computation a list"] = (put("shape.json", json.dumps(shape)), "computations.pab: found a list")
    return files


@pytest.mark.parametrize("case", ["list", "no amount", "abc", "workbook", "syntax", "not utf-8",
                                  "computation a list"])
@pytest.mark.parametrize("option", ["--compare", "--expected", "--against"])
def test_a_bad_report_file_is_one_located_line(two_weeks, option, case):
    """Found (issue 10): a --compare / --expected / --against file that is a list, lacks an
    `amount`, holds "abc", or is a workbook: all tracebacks."""
    tmp = two_weeks
    good = json.loads((tmp / "out1" / "report.json").read_text())
    path, message = bad_report_files(tmp, good)[case]
    out = tmp / f"bad-{option.strip('-')}-{case.replace(' ', '-')}"
    command = {"--compare": ["compute", tmp / "week1", "--out", out, "--compare", path],
               "--expected": ["check", tmp / "week1", "--expected", path],
               "--against": ["reperform", tmp / "week1", "--against", path, "--out", out.with_suffix(".json")]}[option]
    code, stdout, stderr = run3(*command)
    assert code == 1
    lines = stderr.strip().splitlines()
    assert lines and all(x.startswith(f"Error: {option} {path}: ") for x in lines), stderr
    assert any(message in x for x in lines), stderr
    assert not out.exists() and not out.with_suffix(".json").exists()


def test_an_xlsx_schedule_that_is_json_is_one_line(two_weeks):
    tmp = two_weeks
    fake = tmp / "schedule.xlsx"
    fake.write_text((tmp / "out1" / "report.json").read_text())
    code, stdout, stderr = run3("reperform", tmp / "week1", "--against", fake)
    assert code == 1 and "is not an .xlsx workbook (JSON text: name it .json)" in stderr


@pytest.mark.parametrize("content, message", [
    ({}, "has no `computations` section"),
    ({"firm_name": "x"}, "has no `computations` section"),
    ({"computations": {}}, "has nothing to compare"),
])
def test_check_fails_when_the_expected_file_compares_nothing(two_weeks, content, message):
    """Found (issue 10): `reserve check` exited 0 ("every line matches") when the expected file
    was {} or had no `computations`."""
    path = two_weeks / "empty-expected.json"
    path.write_text(json.dumps(content))
    code, stdout, stderr = run3("check", two_weeks / "week1", "--expected", path)
    assert code == 1 and message in stdout + stderr
    assert "OK" not in stdout


def test_check_fails_when_a_computation_or_a_line_is_missing(two_weeks):
    """Found (issue 10): `reserve check` exited 0 when the expected file lacked the PAB
    computation. A line the program computes and the file lacks fails too, named."""
    tmp = two_weeks
    full = json.loads((tmp / "out1" / "report.json").read_text())
    no_pab = json.loads(json.dumps(full))
    del no_pab["computations"]["pab"]
    (tmp / "no_pab.json").write_text(json.dumps(no_pab))
    code, stdout, _ = run3("check", tmp / "week1", "--expected", tmp / "no_pab.json")
    assert code == 1 and f"FAIL: {tmp / 'no_pab.json'} lacks the pab computation" in stdout
    partial = json.loads(json.dumps(full))
    del partial["computations"]["customer"]["items"]["3"]
    del partial["computations"]["customer"]["sweep"]
    (tmp / "partial.json").write_text(json.dumps(partial))
    code, stdout, _ = run3("check", tmp / "week1", "--expected", tmp / "partial.json")
    assert code == 1 and "lacks 2 line(s) of the customer computation: item 3, sweep" in stdout
    # only the computations section is needed; its lines are all compared
    minimal = {"computations": full["computations"]}
    (tmp / "minimal.json").write_text(json.dumps(minimal))
    code, stdout, _ = run3("check", tmp / "week1", "--expected", tmp / "minimal.json")
    assert code == 0 and stdout.startswith("OK")


def test_compare_against_another_firm_or_a_later_prior_warns(two_weeks):
    """Found (issue 10): --compare against another firm's report, or a "prior" dated after the
    book, said nothing. Warned on stderr, in report.json and on the page."""
    tmp = two_weeks
    prior = json.loads((tmp / "out1" / "report.json").read_text())
    prior["firm_name"] = "Other Firm LLC"
    prior["as_of"] = "2026-11-27"
    (tmp / "other.json").write_text(json.dumps(prior))
    code, stdout, stderr = run3("compute", tmp / "week2", "--out", tmp / "out-warn", "--compare", tmp / "other.json",
                                "--format", "html,json")
    assert code == 0, stderr
    assert f"Warning: --compare {tmp / 'other.json'}: the prior report is of 'Other Firm LLC', this book of " \
           "'Example Securities LLC'" in stderr
    assert "the prior report is dated 2026-11-27, on or after this book's 2026-11-20" in stderr
    report = json.loads((tmp / "out-warn" / "report.json").read_text())
    assert len(report["compared_with"]["warnings"]) == 2
    page = parse((tmp / "out-warn" / "report.html").read_text())
    warnings = list(page.find_all(data_warning="compare"))
    assert len(warnings) == 2 and "Other Firm LLC" in warnings[0].text
    assert "Warning:" in stdout  # in the summary as well


def test_compare_with_an_earlier_report_of_the_same_firm_says_nothing(two_weeks):
    tmp = two_weeks
    prior = json.loads((tmp / "out1" / "report.json").read_text())
    prior["as_of"] = "2026-11-13"
    (tmp / "earlier.json").write_text(json.dumps(prior))
    code, stdout, stderr = run3("compute", tmp / "week2", "--out", tmp / "out-quiet", "--compare",
                                tmp / "earlier.json", "--format", "json", "--quiet")
    assert code == 0 and stderr == ""
    assert json.loads((tmp / "out-quiet" / "report.json").read_text())["compared_with"]["warnings"] == []


def test_reperform_against_a_report_of_another_date_or_firm_warns(two_weeks):
    """Found (issue 10): `reperform` against a report of another date said nothing."""
    tmp = two_weeks
    other = json.loads((tmp / "out1" / "report.json").read_text())
    other["as_of"] = "2026-11-13"
    other["firm_name"] = "Other Firm LLC"
    (tmp / "prepared-other.json").write_text(json.dumps(other))
    code, stdout, stderr = run3("reperform", tmp / "week1", "--against", tmp / "prepared-other.json")
    assert code == 0
    assert "the prepared report is as of 2026-11-13, this book as of 2026-11-20" in stderr
    assert "the prepared report is of 'Other Firm LLC'" in stderr


def test_reperform_writes_nothing_without_out(two_weeks, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = run3("reperform", two_weeks / "week1", "--against", two_weeks / "out1" / "report.json")
    assert code == 0 and "OK: all" in stdout
    assert list(tmp_path.iterdir()) == []  # no reperform.json in the current folder


def test_reperform_out_into_a_missing_folder_or_over_another_file(two_weeks, tmp_path):
    """Found (issue 10): `reperform --out` into a folder that does not exist was a traceback."""
    code, _, stderr = run3("reperform", two_weeks / "week1", "--against", two_weeks / "out1" / "report.json",
                           "--out", tmp_path / "no" / "v.json")
    assert code == 1 and len(stderr.strip().splitlines()) == 1 and "does not exist; create it first" in stderr
    mine = tmp_path / "notes.json"
    mine.write_text('{"mine": true}')
    code, _, stderr = run3("reperform", two_weeks / "week1", "--against", two_weeks / "out1" / "report.json",
                           "--out", mine)
    assert code == 1 and "exists and is not a file reserve wrote; choose another name (it is kept)" in stderr and mine.read_text() == '{"mine": true}'
    v = tmp_path / "v.csv"
    for _ in range(2):  # its own file is replaced
        code, stdout, _ = run3("reperform", two_weeks / "week1", "--against", two_weeks / "out1" / "report.json",
                               "--out", v)
        assert code == 0 and f"wrote {v}" in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.json", "v.csv"]
