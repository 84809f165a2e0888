"""The Summary's totals as live formulas (issue 14 item 3): total credits and aggregate debits
are the SUM of their line cells, total debits, the excess either way, the required deposit,
the PAB offset, the deposit needed and the withdrawal permitted are formulas of the cells
above them; each cell also holds its computed value (so a reader that does not recalculate
shows it), equal to report.json to the cent, and each formula, evaluated here from the saved
values of the cells it names, gives that same value. The percentages (the debit reduction,
the monthly 105%) stay values, with a comment saying why."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_report_golden import computed

from reserve.api import write_outputs
from reserve.cli import main
from reserve.report.compare import report_lines
from reserve.report.model import ReportFigures
from reserve.report.reperform import normalise_line
from reserve.report.supporting import schedules
from reserve.report.xlsx import with_formulas, write_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"
HEADER_ROW = 5
FORMULA_FIGURES = {"total_credits", "aggregate_debits", "total_debits", "excess_credits", "excess_debits",
                   "required_deposit", "deposit_needed", "withdrawal_permitted"}


def evaluate(formula: str, ws, book=None) -> Decimal:
    """A Summary formula worked out exactly (Decimal) from the saved values of its cells, as
    Excel would: SUM over a range (of this sheet, or of a schedule sheet of `book`, the
    saved-values workbook: 'Customer Item 1'!A6:A22), MAX, MIN, ROUND (half away from zero),
    + and -; a blank cell counts 0."""
    assert formula.startswith("="), formula
    expr = formula[1:]
    sheets: list[str] = []

    def other_sheet(m: re.Match) -> str:  # SUM('Title'!A6:A9) -> RANGE(n, 'A', 6, 9)
        sheets.append(m[1].replace("''", "'"))
        assert m[2] == m[4], m[0]  # one column
        return f"RANGE({len(sheets) - 1},'{m[2]}',{m[3]},{m[5]})"

    expr = re.sub(r"SUM\('((?:[^']|'')+)'!([A-Z]+)(\d+):([A-Z]+)(\d+)\)", other_sheet, expr)
    expr = re.sub(r"SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)",
                  lambda m: f"RANGE(None,'{m[1]}',{m[2]},{m[4]})" if m[1] == m[3] else m[0], expr)
    expr = re.sub(r"(?<!')\b([A-Z]+[0-9]+)\b", lambda m: f"V('{m[1]}')", expr)
    # nothing but these functions, cells and ranges
    assert set(re.findall(r"[A-Z]{2,}", re.sub(r"'[A-Z]+'", "", expr))) <= {"ROUND", "MAX", "MIN", "RANGE"}, expr

    def value(ref: str, sheet=None) -> Decimal:
        v = (ws if sheet is None else book[sheets[sheet]])[ref].value
        return Decimal(0) if v is None else Decimal(str(v))

    def cells(sheet, col: str, first: int, last: int) -> Decimal:
        return sum((value(f"{col}{r}", sheet) for r in range(first, last + 1)), Decimal(0))

    def rnd(x: Decimal, n: int) -> Decimal:
        return x.quantize(Decimal(1).scaleb(-n), rounding=ROUND_HALF_UP)

    return eval(expr, {"__builtins__": {}},  # noqa: S307 - checked above
                {"V": value, "RANGE": cells, "ROUND": rnd, "MAX": max, "MIN": min, "None": None})


def cents(v: object) -> int:
    d = Decimal(str(v)) * 100
    assert d == d.to_integral_value(), v
    return int(d)


def summary(path: Path) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], int], dict[str, str], object]:
    """({(computation, figure): formula}, {(computation, figure): saved cents}, {cell: formula}, the
    saved-values sheet) of a workbook's Summary."""
    ws = openpyxl.load_workbook(path)["Summary"]
    wv = openpyxl.load_workbook(path, data_only=True)["Summary"]  # its .parent: the schedule sheets
    formulas, saved, cells = {}, {}, {}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        comp, line = row[0].value, row[1].value
        for c in row:
            if c.data_type == "f":
                cells[c.coordinate] = c.value
        if line is None or row[3].value is None:
            continue
        key, why = normalise_line(line, comp)
        assert key, why
        value = wv[row[3].coordinate].value
        assert isinstance(value, (int, float)), (row[3].coordinate, value)  # a saved number, never blank
        saved[(comp, key)] = cents(value)
        if row[3].data_type == "f":
            formulas[(comp, key)] = row[3].value
    return formulas, saved, cells, wv


def check_formulas_foot(path: Path, report: dict) -> dict[tuple[str, str], str]:
    formulas, saved, cells, wv = summary(path)
    expected = report_lines(ReportFigures.from_data(report))
    assert saved == {k: v for k, v in expected.items() if k in saved}  # the saved values are report.json's
    for ref, f in cells.items():  # every formula gives exactly the value saved in its cell
        assert evaluate(f, wv, wv.parent) == Decimal(str(wv[ref].value)).quantize(Decimal("0.01")), (ref, f)
    return formulas


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("formulas") / "report"
    r = CliRunner().invoke(main, ["compute", str(SAMPLE), "--out", str(out), "--quiet"])
    assert r.exit_code in (0, 1), r.output
    return out


def test_sample_totals_are_formulas_that_foot_to_report_json(sample):
    report = json.loads((sample / "report.json").read_text())
    formulas = check_formulas_foot(sample / "report.xlsx", report)
    for comp in report["computations"]:
        assert {k for c, k in formulas if c == comp} >= FORMULA_FIGURES, comp
    assert re.fullmatch(r"=ROUND\(SUM\(D\d+:D\d+\),2\)", formulas[("customer", "total_credits")])
    assert formulas[("pab", "offset_by_customer_excess_debits")].startswith("=MIN(")
    # each line whose sheet holds all its rows is the SUM of that sheet's line_amount column
    assert formulas[("customer", "item 1")] == "=ROUND(SUM('Customer Item 1'!A6:A22),2)"
    assert formulas[("customer", "on_deposit")].startswith("=ROUND(SUM('Customer Reserve bank'!A6:")
    assert {("customer", "item 10"), ("pab", "item 1")} <= set(formulas)
    # the inputs without a schedule, and the percentages, stay values
    assert not {k for _, k in formulas} & {"sweep", "debit_reduction"}


def test_a_schedule_longer_than_its_sheet_keeps_its_line_a_value(tmp_path):
    """The sheet then holds only the largest rows (the rest are in the Parquet/CSV file): a SUM
    of it would not be the line, so the line stays a value and the totals still foot."""
    b, result, report = computed(tmp_path / "book")
    write_workbook(tmp_path / "cut.xlsx", b, result, report, schedules(result), limit=3)
    formulas, _, _, _ = summary(tmp_path / "cut.xlsx")
    assert ("customer", "item 1") not in formulas  # item 1 has more than 3 rows
    assert ("customer", "total_credits") in formulas
    data = json.loads(report.to_json())
    check_formulas_foot(tmp_path / "cut.xlsx", data)


def test_the_formulas_are_in_the_xml_with_their_values(sample):
    with zipfile.ZipFile(sample / "report.xlsx") as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        calc = z.read("xl/workbook.xml").decode()
    cells = re.findall(r'<c r="(D\d+)"[^>]*><f>([^<]+)</f><v>([^<]+)</v></c>', xml)
    assert len(cells) >= 2 * len(FORMULA_FIGURES)
    assert all(v and f for _, f, v in cells)
    assert 'fullCalcOnLoad="1"' in calc  # Excel recalculates on open: the same cents, see ROUND


def test_the_debit_reduction_stays_a_value_with_a_comment(sample):
    ws = openpyxl.load_workbook(sample / "report.xlsx")["Summary"]
    cell = next(r[3] for r in ws.iter_rows(min_row=HEADER_ROW + 1) if r[1].value == "debit reduction" and r[3].value)
    assert cell.data_type == "n" and "not a formula" in cell.comment.text


def test_monthly_105_is_a_value_and_the_rest_still_foot(tmp_path):
    b, result, report = computed(tmp_path / "book", {"frequency": "monthly", "net_capital_method": "basic",
                                                     "as_of": "2026-11-30"})
    write_outputs(tmp_path / "out", b, result, ("xlsx", "json"), report=report)
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    formulas = check_formulas_foot(tmp_path / "out" / "report.xlsx", data)
    cust = report.computations[next(iter(report.computations))]
    assert cust.required_deposit != cust.excess_credits  # the 105%
    assert ("customer", "required_deposit") not in formulas
    assert ("customer", "deposit_needed") in formulas  # built on the required deposit's cell
    ws = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx")["Summary"]
    cell = next(r[3] for r in ws.iter_rows(min_row=HEADER_ROW + 1)
                if r[0].value == "customer" and r[1].value == "required deposit")
    assert "105%" in cell.comment.text


def test_a_figure_its_cells_do_not_give_stays_a_value(tmp_path):
    """Never a formula whose result could differ from the computed cents: a report whose total
    credits are not the sum of its lines (made so here) keeps that total as a value."""
    b, result, report = computed(tmp_path / "book")
    name = next(iter(report.computations))
    odd = dataclasses.replace(report.computations[name], total_credits=report.computations[name].total_credits + 1)
    bad = report.with_computations({**report.computations, name: odd})
    write_workbook(tmp_path / "odd.xlsx", b, result, bad, schedules(result))
    formulas, saved, _, _ = summary(tmp_path / "odd.xlsx")
    assert (name.value, "total_credits") not in formulas
    assert saved[(name.value, "total_credits")] == odd.total_credits
    assert (name.value, "aggregate_debits") in formulas
    # excess credits still reads the total's cell, so it must agree with it: it does not here
    assert (name.value, "excess_credits") not in formulas or odd.excess_credits == max(
        0, odd.total_credits - odd.total_debits)


def test_with_compare_the_change_is_now_less_prior(tmp_path):
    b, result, report = computed(tmp_path / "book")
    write_outputs(tmp_path / "o1", b, result, ("json",), report=report)
    b2, result2, _ = computed(tmp_path / "book2", {"as_of": "2026-11-27"})
    r = CliRunner().invoke(main, ["compute", str(tmp_path / "book2"), "--out", str(tmp_path / "o2"), "--quiet",
                                  "--compare", str(tmp_path / "o1" / "report.json")])
    assert r.exit_code in (0, 1), r.output
    data = json.loads((tmp_path / "o2" / "report.json").read_text())
    check_formulas_foot(tmp_path / "o2" / "report.xlsx", data)
    _, _, cells, wv = summary(tmp_path / "o2" / "report.xlsx")
    changes = {ref: f for ref, f in cells.items() if ref.startswith("J")}
    assert changes and all(f == f"=ROUND(D{ref[1:]}-I{ref[1:]},2)" for ref, f in changes.items())


def test_sign_keeps_the_formulas(sample, tmp_path):
    d = tmp_path / "signed"
    shutil.copytree(sample, d)
    r = CliRunner().invoke(main, ["sign", str(d), "--role", "preparer", "--name", "P. Reparer"])
    assert r.exit_code == 0, r.output
    assert summary(d / "report.xlsx")[2] == summary(sample / "report.xlsx")[2]
    check_formulas_foot(d / "report.xlsx", json.loads((d / "report.json").read_text()))


def test_with_formulas_refuses_a_missing_cell():
    xml = b'<sheetData><row r="1"><c r="D1" s="2" t="n"><v>1.5</v></c></row></sheetData>'
    assert with_formulas(xml, {"D1": "SUM(D2:D3)"}) == xml.replace(b"<v>", b"<f>SUM(D2:D3)</f><v>")
    with pytest.raises(ValueError, match="D9"):
        with_formulas(xml, {"D9": "SUM(D2:D3)"})
