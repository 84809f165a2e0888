"""report.xlsx read back cell by cell: the Summary ties to report.json to the cent, amounts
are numbers in an accounting format, each line's sheet lists its rows with their source,
big lines are capped with a note and written in full to supporting/*.parquet, and text
from the book never becomes a formula."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal

import openpyxl
import pyarrow.parquet as pq
import pytest
from test_report_golden import HYPERLINK, SCRIPT, computed

from reserve.api import write_outputs
from reserve.report.compare import report_lines
from reserve.report.reperform import load_prepared, normalise_line
from reserve.report.supporting import schedules
from reserve.report.xlsx import ACCOUNTING, write_workbook

HEADER_ROW = 5  # Summary: three title rows, a blank row, then the header


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xlsx")
    b, result, report = computed(tmp / "book")
    write_outputs(tmp / "out", b, result, ("xlsx", "json"), report=report)
    wb = openpyxl.load_workbook(tmp / "out" / "report.xlsx")
    return tmp / "out", wb, report, b, result


def cents(v) -> int:
    d = Decimal(str(v)) * 100  # openpyxl reads the stored decimal text back as int/float
    assert d == d.to_integral_value(), v
    return int(d)


def summary_figures(ws, values=None) -> dict[tuple[str, str], int]:
    """{(computation, figure): cents} of the Summary; `values`: the same sheet read with
    data_only=True, for the saved values of the formula cells (tests/test_workbook_formulas.py)."""
    head = [c.value for c in ws[HEADER_ROW]]
    assert head[:4] == ["computation", "line", "caption", "amount"]
    out = {}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        comp, line, amount = row[0].value, row[1].value, row[3]
        if line is None or amount.value is None:
            continue
        assert amount.data_type in ("n", "f") and amount.number_format == ACCOUNTING
        value = amount.value
        if amount.data_type == "f":
            assert values is not None, f"{amount.coordinate}: a formula; pass the saved values"
            value = values[amount.coordinate].value
        key, why = normalise_line(line, comp)
        assert key, why
        out[(comp, key)] = cents(value)
    return out


def test_summary_ties_to_report_json_to_the_cent(outputs):
    _, wb, report, _, _ = outputs
    out = outputs[0]
    figures = summary_figures(wb["Summary"], openpyxl.load_workbook(out / "report.xlsx", data_only=True)["Summary"])
    expected = report_lines(report)
    assert figures == {k: v for k, v in expected.items() if k in figures}
    missing = set(expected) - set(figures)
    # every figure of the formula is on the Summary (the offset is PAB's, the sweep the customer's)
    assert missing <= {("pab", "sweep"), ("customer", "offset_by_customer_excess_debits")}, missing


def test_the_workbook_is_a_prepared_schedule_for_reperform(outputs):
    out, _, report, _, _ = outputs
    prepared = load_prepared(out / "report.xlsx")
    expected = report_lines(report)
    assert prepared and all(expected[k] == v for k, v in prepared.items())


def test_sheets(outputs):
    _, wb, report, _, result = outputs
    names = wb.sheetnames
    assert names[:3] == ["Summary", "Exceptions", "Note H"]
    assert names[-4:] == ["Row accounting", "Assumptions", "Provenance", "Sign-off"]  # issue 14: the sign-off
    assert "Customer Item 1" in names and "PAB Item 1" in names and "Customer Excluded" not in names[:3]
    assert len(names) == 7 + len(schedules(result))
    exc = wb["Exceptions"]
    assert exc.max_row - 2 == len(report.to_dict()["exceptions"])  # the note on reviews, the header


def test_line_sheet_lists_rows_with_source(outputs):
    _, wb, report, b, _ = outputs
    ws = wb["Customer Item 1"]
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r and r[0] == "line_amount")
    head = rows[h]
    data = [dict(zip(head, r, strict=False)) for r in rows[h + 1:]]
    assert len(data) == 4  # four customer credit balances
    assert sum(cents(r["line_amount"]) for r in data) == cents(report.to_dict()["computations"]["customer"]["items"]["1"])
    assert all(r["file"].endswith("accounts.csv") and r["sheet"] == "accounts" and isinstance(r["row"], int)
               for r in data)
    assert [r["account_id"] for r in data][:1] == ["C-100"]  # largest first
    assert "ties" in rows[1]


SUMMARY_FORMULA = re.compile(r"=(ROUND|MAX|MIN|SUM|D\d+)[A-Z0-9(),:+\-]*")  # the Summary's own arithmetic
LINE_SUM = re.compile(r"=ROUND\(SUM\('((?:[^']|'')+)'!A(\d+):A(\d+)\),2\)")  # a line: SUM of its schedule sheet


def test_book_text_cannot_become_a_formula(outputs):
    """The only formulas are the Summary's arithmetic of its amount cells (columns D, and J
    for the change) and its lines' SUMs of their schedule sheets, never text from the book."""
    out, wb, _, _, _ = outputs
    found = []
    formulas = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    assert ws.title == "Summary" and c.column_letter in "DJ", f"{ws.title}!{c.coordinate}: {c.value!r}"
                    m = LINE_SUM.fullmatch(c.value)
                    if m:  # a schedule sheet of this workbook, its line_amount column from below its header
                        assert m[1].replace("''", "'") in wb.sheetnames and int(m[2]) == 6, c.value
                    else:
                        assert SUMMARY_FORMULA.fullmatch(c.value) and "!" not in c.value, c.value
                    formulas += 1
                    continue
                if c.value == HYPERLINK:
                    assert c.data_type == "s" and c.quotePrefix, c.coordinate
                    found.append(f"{ws.title}!{c.coordinate}")
                if isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@")):
                    assert c.quotePrefix, f"{ws.title}!{c.coordinate}"
    assert any(f.startswith("Customer Item 1!") for f in found)  # account_id / customer_id
    assert any(f.startswith("Customer Other credits!") for f in found)  # description
    with zipfile.ZipFile(out / "report.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name != "xl/worksheets/sheet1.xml":  # sheet1: the Summary
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
        assert z.read("xl/worksheets/sheet1.xml").count(b"<f>") == formulas > 0
    # the <script> account id is kept as plain text
    assert any(c.value == SCRIPT for row in wb["Customer Item 1"].iter_rows() for c in row)


def test_note_h_sheet(outputs):
    _, wb, report, _, _ = outputs
    rows = list(wb["Note H"].iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r and r[0] == "cca_id")
    entries = rows[h + 1:h + 1 + len(report.to_dict()["note_h"])]
    assert [(r[0], r[2]) for r in entries] == [(e["cca_id"], e["account_id"]) for e in report.to_dict()["note_h"]]
    item15 = next(r for r in entries if r[2] == "C-100")
    assert cents(item15[8]) == 2000000
    flat = [c for r in rows for c in r if isinstance(c, str)]
    assert "Note H(b)(2)(i)" in flat


def test_big_line_is_capped_in_the_workbook_and_complete_in_parquet(tmp_path):
    accounts = [dict(account_id=f"A{i:03d}", book="customer", balance=str(100 + i)) for i in range(60)]
    b, result, report = computed(tmp_path / "book", accounts=accounts, collateral=[], cca_requirements=[],
                                 cca_deposits=[])
    write_outputs(tmp_path / "out", b, result, ("json",), report=report)
    scheds = schedules(result)
    written = write_workbook(tmp_path / "capped.xlsx", b, result, report, scheds, limit=10)
    assert written["customer_item_1"] == ("Customer Item 1", 10)
    ws = openpyxl.load_workbook(tmp_path / "capped.xlsx")["Customer Item 1"]
    rows = list(ws.iter_rows(values_only=True))
    assert "largest 10 of 60 rows" in rows[2][0] and "supporting/customer_item_1.parquet" in rows[2][0]
    h = next(i for i, r in enumerate(rows) if r and r[0] == "line_amount")
    assert len(rows) - h - 1 == 10
    assert cents(rows[h + 1][0]) == 15900  # the largest: 159.00

    from reserve.report.render import render_all

    names = render_all(tmp_path / "all", b, result, report, ("xlsx",))
    assert "supporting/customer_item_1.parquet" in names and "report.xlsx" in names
    t = pq.read_table(tmp_path / "all" / "supporting" / "customer_item_1.parquet")
    assert t.num_rows == 60
    assert str(t.schema.field("line_amount").type) == "decimal128(20, 2)"
    assert sum(t.column("line_amount").to_pylist()) == Decimal(report.to_dict()["computations"]["customer"]["items"]["1"])
    assert t.column("row").to_pylist()[0] == 61  # A059 is CSV line 61


def test_every_formula_line_ties_to_its_parquet(outputs):
    out, _, report, _, result = outputs
    for s in schedules(result):
        t = pq.read_table(out / s.file_name)
        assert t.num_rows == s.rows
        if s.is_formula_line:
            line = next(x for x in report.to_dict()["computations"][s.computation]["lines"] if x["key"] == s.line)
            assert sum(t.column("line_amount").to_pylist(), Decimal(0)) == Decimal(line["amount"]), s.slug


def test_schedule_cells_are_typed_escaped_and_exact(tmp_path):
    # The data rows of a schedule sheet are written as XML a column at a time (xlsx_rows):
    # read back, amounts are numbers in the accounting format with their exact cents, dates
    # are dates, text with XML's special characters survives, a character XML cannot hold
    # becomes U+FFFD, and text that looks like a formula keeps Excel's quotePrefix.
    from datetime import datetime

    accounts = [dict(account_id="A&<1>", book="customer", balance="1234567890.07"),
                # (a control character in an id is refused since the hidden-character reading
                # id_visible: it is carried here by a column outside the format, kept as text)
                dict(account_id="B", book="customer", balance="0.01", note="B\x01"),
                dict(account_id="-C", book="customer", balance="-5.10")]
    items = [dict(item_id="F1", book="customer", kind="fail_to_deliver", amount="10.50", open_date="2026-11-02")]
    b, result, report = computed(tmp_path / "book", accounts=accounts, items=items, collateral=[],
                                 cca_requirements=[], cca_deposits=[])
    write_workbook(tmp_path / "t.xlsx", b, result, report, schedules(result))
    wb = openpyxl.load_workbook(tmp_path / "t.xlsx")
    ws = wb["Customer Item 1"]
    rows = list(ws.iter_rows())
    h = next(i for i, r in enumerate(rows) if r[0].value == "line_amount")
    head = [c.value for c in rows[h]]
    data = [dict(zip(head, r, strict=False)) for r in rows[h + 1:]]
    assert [r["account_id"].value for r in data] == ["A&<1>", "B"] and data[1]["note"].value == "B\ufffd"
    amount = data[0]["line_amount"]
    assert amount.data_type == "n" and amount.number_format == ACCOUNTING and cents(amount.value) == 123456789007
    assert cents(data[1]["line_amount"].value) == 1 and data[1]["row"].value == 3
    (debit,) = _sheet_rows(wb["Customer Item 10"])
    assert debit["account_id"].value == "-C" and debit["account_id"].quotePrefix and debit["account_id"].data_type == "s"
    (fail,) = _sheet_rows(wb["Customer Item 12"])
    assert fail["open_date"].value == datetime(2026, 11, 2) and fail["open_date"].is_date
    with zipfile.ZipFile(tmp_path / "t.xlsx") as z:
        assert z.testzip() is None


def _sheet_rows(ws) -> list[dict]:
    rows = list(ws.iter_rows())
    h = next(i for i, r in enumerate(rows) if r[0].value == "line_amount")
    head = [c.value for c in rows[h]]
    return [dict(zip(head, r, strict=False)) for r in rows[h + 1:]]


def test_rows_xml_cells():
    import pandas as pd

    from reserve.report.xlsx_rows import CellStyles, column_letter, rows_xml

    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    f = pd.DataFrame({"m": pd.array([-123456, None], dtype="Int64"), "p": pd.array([125_000, 0], dtype="Int64"),
                      "b": [True, None], "o": [7, "=x"], "t": pd.array(["a\tb", "@c"], dtype="str")})
    xml = b"".join(rows_xml(f, list(f.columns), {"m": "money", "p": "pct", "b": "bool"}, 3,
                            CellStyles(money=1, pct=2, date=3, quoted=4))).decode()
    assert xml == (
        '<row r="3"><c r="A3" s="1" t="n"><v>-1234.56</v></c><c r="B3" s="2" t="n"><v>12.5000</v></c>'
        '<c r="C3" t="b"><v>1</v></c><c r="D3" t="n"><v>7</v></c>'
        '<c r="E3" t="inlineStr"><is><t xml:space="preserve">a\tb</t></is></c></row>'
        '<row r="4"><c r="B4" s="2" t="n"><v>0.0000</v></c>'
        '<c r="D4" s="4" t="inlineStr"><is><t xml:space="preserve">=x</t></is></c>'
        '<c r="E4" s="4" t="inlineStr"><is><t xml:space="preserve">@c</t></is></c></row>')


def test_rows_xml_blanks_and_shortcuts():
    # Blank cells are left out of their row, a column blank on every row writes nothing, and
    # the shortcuts (no escape pass when nothing needs escaping, one style text when every
    # flag agrees) give the cells the full passes give.
    import pandas as pd

    from reserve.report.xlsx_rows import CellStyles, rows_xml

    styles = CellStyles(money=1, pct=2, date=3, quoted=4)
    f = pd.DataFrame({"t": pd.array([None, "x<y&z", "plain"], dtype="str"),
                      "q": pd.Categorical(["=a", "-b", "+c"]),
                      "none": pd.array([None, None, None], dtype="Int64"),
                      "d": pd.to_datetime([None, "2026-11-20", None]),
                      "b": [False, False, None]})
    xml = b"".join(rows_xml(f, list(f.columns), {"none": "money", "d": "date", "b": "bool"}, 7, styles)).decode()
    # 2026-11-20 is serial 46346: 46346 days after 1899-12-30
    assert xml == (
        '<row r="7"><c r="B7" s="4" t="inlineStr"><is><t xml:space="preserve">=a</t></is></c>'
        '<c r="E7" t="b"><v>0</v></c></row>'
        '<row r="8"><c r="A8" t="inlineStr"><is><t xml:space="preserve">x&lt;y&amp;z</t></is></c>'
        '<c r="B8" s="4" t="inlineStr"><is><t xml:space="preserve">-b</t></is></c>'
        '<c r="D8" s="3" t="n"><v>46346</v></c><c r="E8" t="b"><v>0</v></c></row>'
        '<row r="9"><c r="A9" t="inlineStr"><is><t xml:space="preserve">plain</t></is></c>'
        '<c r="B9" s="4" t="inlineStr"><is><t xml:space="preserve">+c</t></is></c></row>')
    assert b"".join(rows_xml(f[["none"]], ["none"], {"none": "money"}, 7, styles)) == b'<row r="7"></row><row r="8"></row><row r="9"></row>'
