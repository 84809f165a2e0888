"""The typed report (reserve.report.model): report.json is its one serialisation and
`Report.from_json` its one parser; the renderers read its cents; no output cuts a list of
findings without saying how many more there are and where they are."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_report_golden import computed
from test_report_html import parse

from reserve.api import write_outputs
from reserve.cli import main
from reserve.formula.model import ComputationName, LineKey, Severity
from reserve.report.json_report import build_report as build_report_json
from reserve.report.json_report import dumps
from reserve.report.model import Report, ReportException, ReportInvalid, Source
from reserve.report.summary import summary, summary_text

REPORT = Path(__file__).resolve().parents[1] / "reserve" / "report"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("model")
    b, result, report = computed(tmp / "book")
    return tmp, b, result, report


def test_the_json_is_the_models_serialisation_and_parses_back(run):
    _, b, result, report = run
    text = report.to_json()
    assert text == dumps(report) == dumps(json.loads(text))  # one serialisation, whichever door
    assert json.loads(text) == build_report_json(b, result, report.run_at)
    again = Report.from_json(text)
    assert again == report and again.to_json() == text


def test_the_model_holds_cents_and_enumerations(run):
    _, _, _, report = run
    cust = report.computations[ComputationName.CUSTOMER]
    assert cust.items["1"] == 101323456 and cust.amount("item_1") == 101323456
    assert cust.lines[0].key is LineKey.ITEM_1 and isinstance(cust.required_deposit, int)
    assert all(isinstance(e.severity, Severity) for e in report.exceptions)
    assert report.exceptions_by_severity() == {s: sum(1 for e in report.exceptions if e.severity == s)
                                               for s in ("severe", "review", "info")}


def _edited(report: Report, edit) -> str:
    data = json.loads(report.to_json())
    edit(data)
    return json.dumps(data)


@pytest.mark.parametrize("edit, located", [
    (lambda d: d["computations"]["customer"]["items"].__setitem__("1", "12.345"), "computations.customer.items.1"),
    (lambda d: d["computations"]["pab"].__setitem__("total_debits", [1]), "computations.pab.total_debits"),
    (lambda d: d["exceptions"][0].__setitem__("severity", "urgent"), "exceptions[0].severity"),
    (lambda d: d["note_h"][0].__setitem__("item_15", "lots"), "note_h[0].item_15"),
    (lambda d: d["note_h"][0].__setitem__("pending", [{"deposit_id": "D", "deadline": "someday", "amount": None}]),
     "note_h[0].pending[0].deadline"),
    (lambda d: d["row_counts"]["accounts"].__setitem__("rows", "eight"), "row_counts.accounts.rows"),
    (lambda d: d["computations"]["customer"].__setitem__("lines", d["computations"]["customer"]["lines"][1:]),
     "computations.customer.lines: has no line item_1"),
    (lambda d: d.__setitem__("schema", "other/1"), "is not a reserve report.json"),
    (lambda d: d["computations"]["customer"].pop("sweep"), "computations.customer: has no `sweep`"),
])
def test_a_hand_edited_report_is_refused_with_located_problems(run, edit, located):
    _, _, _, report = run
    with pytest.raises(ReportInvalid) as exc:
        Report.from_json(_edited(report, edit))
    assert any(p.startswith(located) or located in p for p in exc.value.problems), exc.value.problems


@pytest.mark.parametrize("text, why", [("", "is not JSON"), ("{", "is not JSON"), ("[1]", "is a list, not a report"),
                                       ('{"schema": "reserve.report/1"}', "has no `computations` section")])
def test_a_foreign_file_is_refused_in_one_line(text, why):
    with pytest.raises(ReportInvalid) as exc:
        Report.from_json(text)
    assert any(why in p for p in exc.value.problems), exc.value.problems


def test_renderers_never_parse_amounts_back_from_text():
    for name in ("html.py", "xlsx.py", "summary.py", "compare.py", "render.py", "model.py"):
        src = (REPORT / name).read_text(encoding="utf-8")
        if name in ("compare.py", "model.py"):  # the readers of report files parse; nothing else does
            continue
        assert "parse_decimal_text" not in src, name
    cli = (REPORT.parent / "cli.py").read_text(encoding="utf-8")
    assert "parse_decimal_text" not in cli and 'report["' not in cli and "report.get(" not in cli


# ------------------------------------------------------------------ findings are never cut silently


def _many_findings(report: Report, n: int) -> Report:
    extra = tuple(ReportException("Note D", ComputationName.CUSTOMER, Severity.REVIEW,
                                  Source("items.csv", "items", i + 2), 100 + i, f"finding number {i}")
                  for i in range(n))
    return replace(report, exceptions=report.exceptions + extra)


def test_every_finding_reaches_every_output(run, tmp_path):
    _, b, result, report = run
    many = _many_findings(report, 450)
    total = len(many.exceptions)
    write_outputs(tmp_path / "out", b, result, ("html", "xlsx", "json"), report=many)
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(data["exceptions"]) == total
    root = parse((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    rows = [tr for g in root.find("section", id="exceptions").find_all("div", class_="group")
            for tr in g.find("tbody").find_all("tr")]
    assert len(rows) == total
    ws = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx", read_only=True)["Exceptions"]
    assert sum(1 for _ in ws.iter_rows(min_row=3, values_only=True)) == total  # row 1 the note, row 2 the header
    s = summary(many)
    assert s.exceptions == total and sum(s.exceptions_by_severity.values()) == total
    assert f"{total} exception(s)" in summary_text(s)


def test_a_capped_schedule_says_how_many_more_and_where(tmp_path):
    accounts = [dict(account_id=f"A{i:03d}", book="customer", balance=str(100 + i)) for i in range(60)]
    b, result, report = computed(tmp_path / "book", accounts=accounts, collateral=[], cca_requirements=[],
                                 cca_deposits=[])
    from reserve.report.supporting import schedules
    from reserve.report.xlsx import write_workbook

    write_outputs(tmp_path / "out", b, result, ("html",), report=report)
    note = parse((tmp_path / "out" / "report.html").read_text()).find(id="sched-customer_item_1").find(
        "p", class_="note").text
    assert "50 largest of 60" in note and "supporting/customer_item_1.parquet" in note
    write_workbook(tmp_path / "capped.xlsx", b, result, report, schedules(result), limit=10)
    rows = list(openpyxl.load_workbook(tmp_path / "capped.xlsx")["Customer Item 1"].iter_rows(values_only=True))
    assert re.search(r"largest 10 of 60 rows; every row is in supporting/customer_item_1\.parquet", rows[2][0])


def test_a_report_file_with_many_problems_says_how_many_more(tmp_path):
    data = {"schema": "reserve.report/1", "computations": {"customer": {"items": {str(i): "x" for i in range(1, 16)},
                                                                        "total_credits": "y", "sweep": "z",
                                                                        "on_deposit": "w", "deposit_needed": "v",
                                                                        "excess_debits": "u", "debit_reduction": "t"}}}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    book = tmp_path / "book"
    computed(book)
    r = CliRunner().invoke(main, ["compute", str(book), "--out", str(tmp_path / "o"), "--compare", str(bad)])
    assert r.exit_code == 1
    lines = r.output.strip().splitlines()
    assert len([x for x in lines if x.startswith("Error:")]) == 20
    assert lines[-1] == f"  ... and 1 more problem(s) in {bad}"


# ------------------------------------------------------------------ reperform writes into --out or nowhere


def test_reperform_help_says_it_writes_only_with_out():
    r = CliRunner().invoke(main, ["reperform", "--help"])
    assert r.exit_code == 0
    assert "Without --out nothing is written" in " ".join(r.output.split())


def test_reperform_without_out_writes_nothing_anywhere(run, tmp_path, monkeypatch):
    tmp, _, _, report = run
    prepared = tmp_path / "prepared.json"
    prepared.write_text(report.to_json(), encoding="utf-8")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    before = sorted(p.name for p in tmp_path.iterdir())
    r = CliRunner().invoke(main, ["reperform", str(tmp / "book"), "--against", str(prepared)])
    assert r.exit_code == 0, r.output
    assert list(work.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == before
    out = tmp_path / "variances.json"
    r = CliRunner().invoke(main, ["reperform", str(tmp / "book"), "--against", str(prepared), "--out", str(out)])
    assert r.exit_code == 0 and out.is_file() and list(work.iterdir()) == []
