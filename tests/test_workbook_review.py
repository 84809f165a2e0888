"""report.xlsx of the sample book read back (issue 14 item 3): a workbook a reviewer can work
in. Each table sheet has its panes frozen below its header and an autofilter over exactly its
header and data rows; every sheet prints landscape, fit to the page's width, with the header
row repeated on each page and a footer naming the firm, the as-of date and "Page x of y".
`reserve sign` keeps all of it."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from reserve.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"
FIXED = {"Summary": 5, "Exceptions": 2, "Variances": 3, "Row accounting": 1, "Assumptions": 1}  # sheet -> header row
NOT_TABLES = {"Provenance"}  # four small tables one under another


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("review") / "report"
    r = CliRunner().invoke(main, ["compute", str(SAMPLE), "--out", str(out), "--quiet"])
    assert r.exit_code in (0, 1), r.output
    return out


def header_row(ws) -> int | None:
    if ws.title in FIXED:
        return FIXED[ws.title]
    if ws.title == "Note H":
        return 2 if ws.max_row > 2 else None
    if ws.title == "Sign-off":
        return 4
    if ws.title in NOT_TABLES:
        return None
    return 5  # a schedule sheet


def last_data_row(ws, head: int) -> int:
    """The last row of the table under `head`: rows up to the first empty one."""
    row = head
    for r in ws.iter_rows(min_row=head + 1):
        if all(c.value is None for c in r):
            break
        row += 1
    return row


def check_print_setup(ws, report: dict) -> None:
    assert ws.page_setup.orientation == "landscape", ws.title
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    f = ws.oddFooter
    assert f.left.text == report["firm_name"].replace("&", "&&"), ws.title
    assert f.center.text == f"as of {report['as_of']}", ws.title
    assert f.right.text == "Page &P of &N", ws.title


def check_workbook(path: Path, report: dict) -> None:
    wb = openpyxl.load_workbook(path)
    tables = 0
    for ws in wb.worksheets:
        check_print_setup(ws, report)
        head = header_row(ws)
        if head is None:
            assert ws.freeze_panes is None and not ws.auto_filter.ref, ws.title
            continue
        assert ws.freeze_panes == f"A{head + 1}", ws.title
        assert ws.print_title_rows == f"${head}:${head}", ws.title
        width = max(c.column for c in ws[head] if c.value is not None)
        if ws.title == "Sign-off":  # `reserve sign` rewrites its rows: no filter to go stale
            assert not ws.auto_filter.ref
            continue
        tables += 1
        if ws.title == "Summary":  # computations are separated by a blank row: the table runs to the last
            last = max(c.row for r in ws.iter_rows(min_row=head) for c in r if c.value is not None)
        else:
            last = last_data_row(ws, head)
        assert ws.auto_filter.ref == f"A{head}:{get_column_letter(width)}{last}", ws.title
    assert tables >= 5  # Summary, Exceptions, the schedules, Row accounting, Assumptions


def test_every_table_sheet_has_panes_filter_and_print_setup(report_dir):
    report = json.loads((report_dir / "report.json").read_text())
    check_workbook(report_dir / "report.xlsx", report)


def test_exceptions_filter_covers_every_exception_and_not_the_gone_list(report_dir):
    report = json.loads((report_dir / "report.json").read_text())
    ws = openpyxl.load_workbook(report_dir / "report.xlsx")["Exceptions"]
    assert ws.auto_filter.ref.endswith(str(2 + len(report["exceptions"])))


def test_schedule_filter_covers_the_spliced_rows(report_dir):
    wb = openpyxl.load_workbook(report_dir / "report.xlsx")
    for ws in wb.worksheets:
        if header_row(ws) == 5 and ws.title != "Summary":
            shown = ws.max_row - 5
            assert shown > 0 and ws.auto_filter.ref.endswith(str(5 + shown)), ws.title


def test_sign_keeps_panes_filters_and_print_setup(report_dir, tmp_path):
    import shutil

    d = tmp_path / "signed"
    shutil.copytree(report_dir, d)
    r = CliRunner().invoke(main, ["sign", str(d), "--role", "preparer", "--name", "P. Reparer"])
    assert r.exit_code == 0, r.output
    report = json.loads((d / "report.json").read_text())
    check_workbook(d / "report.xlsx", report)
    assert openpyxl.load_workbook(d / "report.xlsx")["Sign-off"]["B5"].value


def test_with_compare_the_exceptions_filter_stops_above_the_gone_list(tmp_path):
    from bookkit import write_book
    from test_exception_ids import week2, week3

    for name, tables in (("w2", week2()), ("w3", week3())):
        write_book(tmp_path / name, None, **tables)
    assert CliRunner().invoke(main, ["compute", str(tmp_path / "w2"), "--out", str(tmp_path / "o2"),
                                     "--quiet"]).exit_code in (0, 1)
    r = CliRunner().invoke(main, ["compute", str(tmp_path / "w3"), "--out", str(tmp_path / "o3"), "--quiet",
                                  "--compare", str(tmp_path / "o2" / "report.json")])
    assert r.exit_code in (0, 1), r.output
    report = json.loads((tmp_path / "o3" / "report.json").read_text())
    assert report["compared_with"]["exceptions_gone"]
    ws = openpyxl.load_workbook(tmp_path / "o3" / "report.xlsx")["Exceptions"]
    # J: the "since" column, then the four review columns to N
    assert ws.auto_filter.ref == f"A2:N{2 + len(report['exceptions'])}"
    assert ws.freeze_panes == "A3" and ws.print_title_rows == "$2:$2"


def test_footer_text_doubles_ampersands_and_is_cut_to_fit():
    from reserve.report.xlsx import FOOTER_FIRM_CHARS, _footer_text

    assert _footer_text("Smith & Jones LLC") == "Smith && Jones LLC"
    long = _footer_text("X" * 300)
    assert len(long) == FOOTER_FIRM_CHARS and long.endswith("\u2026")


# ------------------------------------------------------------------ reviews and variances (issue 14 items 2-3)


def reviewed_report(tmp_path: Path):
    """The report book with a review of its first exception, a review naming no exception, and
    two variances (one explained by a review with a comment, one not)."""
    import dataclasses
    from datetime import date
    from decimal import Decimal

    from test_report_golden import computed

    from reserve.formula.model import ComputationName
    from reserve.report.model import Review, Source, Variance

    b, result, report = computed(tmp_path / "book")
    first, *rest = report.exceptions
    review = Review(first.id, "accepted", "=known; cured Monday", "R. Viewer", date(2026, 11, 23),
                    Source("review.csv", "", 2))
    stray = Review("E-0000-mistyped", "open", None, "R. Viewer", None, Source("review.csv", "", 3))
    explained = Review("V-customer-item_1", "accepted", "new accounts opened", "R. Viewer", date(2026, 11, 23))
    variances = (
        Variance("V-customer-item_1", ComputationName.CUSTOMER, "item_1", "Item 1", 100_000, 150_000, 50_000,
                 Decimal("50.00"), review=explained),
        Variance("V-customer-item_10", ComputationName.CUSTOMER, "item_10", "Item 10", 200_000, 100_000, -100_000,
                 Decimal("-50.00")),
    )
    report = dataclasses.replace(report, exceptions=(dataclasses.replace(first, review=review), *rest),
                                 reviews=(review, stray, explained), variances=variances)
    return b, result, report


def test_exceptions_carry_their_review_and_blank_cells_to_fill_in(tmp_path):
    from reserve.report.supporting import schedules
    from reserve.report.xlsx import REVIEW_COLUMNS, write_workbook

    b, result, report = reviewed_report(tmp_path)
    write_workbook(tmp_path / "r.xlsx", b, result, report, schedules(result))
    check_workbook(tmp_path / "r.xlsx", report.to_dict())
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Exceptions"]
    assert "review table" in ws["A1"].value and "next run" in ws["A1"].value
    head = [c.value for c in ws[2]]
    assert head[0] == "id" and tuple(head[-4:]) == REVIEW_COLUMNS
    rows = {r[0]: dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=3, max_row=2 + len(report.exceptions),
                                                                         values_only=True)}
    assert len(rows) == len(report.exceptions)
    first = rows[report.exceptions[0].id]
    assert (first["disposition"], first["comment"], first["reviewer"]) == ("accepted", "=known; cured Monday",
                                                                          "R. Viewer")
    assert first["review date"].date().isoformat() == "2026-11-23"
    comment_cell = next(c for c in ws[3] if c.value == "=known; cured Monday")
    assert comment_cell.data_type == "s" and comment_cell.quotePrefix  # a reviewer's text is never a formula
    assert all(r["disposition"] is None and r["comment"] is None for i, r in rows.items()
               if i != report.exceptions[0].id)
    # the disposition drop-down on exactly the exceptions' rows
    (dv,) = ws.data_validations.dataValidation
    col = openpyxl.utils.get_column_letter(head.index("disposition") + 1)
    assert dv.type == "list" and dv.formula1 == '"resolved,accepted,open"' and dv.showErrorMessage
    assert str(dv.sqref) == f"{col}3:{col}{2 + len(report.exceptions)}"
    # the review naming no exception is listed below the table, never dropped
    below = list(ws.iter_rows(min_row=3 + len(report.exceptions), values_only=True))
    notes = [r[0] for r in below if r and isinstance(r[0], str) and r[0].startswith("Review rows naming no")]
    assert notes and "1" in notes[0]
    stray = next(r for r in below if r and r[0] == "E-0000-mistyped")
    assert stray[1] == "open" and stray[3] == "R. Viewer" and stray[5:8] == ("review.csv", None, 3)


def test_variances_sheet_counts_the_unexplained(tmp_path):
    from reserve.report.supporting import schedules
    from reserve.report.xlsx import VARIANCE_COLUMNS, write_workbook

    b, result, report = reviewed_report(tmp_path)
    write_workbook(tmp_path / "r.xlsx", b, result, report, schedules(result))
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames[:3] == ["Summary", "Exceptions", "Variances"]
    ws = wb["Variances"]
    assert "2, of which 1 unexplained" in ws["A1"].value
    assert tuple(c.value for c in ws[3]) == VARIANCE_COLUMNS
    rows = [dict(zip(VARIANCE_COLUMNS, r, strict=True)) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert [(r["id"], r["explained"], r["comment"]) for r in rows] == [
        ("V-customer-item_1", "yes", "new accounts opened"), ("V-customer-item_10", "NO", None)]
    assert [(r["prior"], r["now"], r["change"], r["percent"]) for r in rows] == [(1000, 1500, 500, 50),
                                                                                 (2000, 1000, -1000, -50)]
    assert ws.auto_filter.ref == "A3:K5" and ws.freeze_panes == "A4"


def test_no_variances_sheet_without_a_threshold(report_dir):
    assert "Variances" not in openpyxl.load_workbook(report_dir / "report.xlsx").sheetnames


def test_exception_rows_written_by_hand_have_openpyxl_cells_and_styles(tmp_path):
    # The Exceptions rows past the header are SpreadsheetML written by hand (xlsx._rows_xml,
    # issue 13), not openpyxl cells: read back, each has the value and style openpyxl gave it --
    # severity red and bold when severe, the message wrapped, the amount under the accounting
    # format and exact (cents / 100), the source row a number, blank cells left out.
    from decimal import Decimal

    from reserve.report.supporting import schedules
    from reserve.report.xlsx import ACCOUNTING, write_workbook

    b, result, report = reviewed_report(tmp_path)
    write_workbook(tmp_path / "r.xlsx", b, result, report, schedules(result))
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Exceptions"]
    assert any(e.severity == "severe" for e in report.exceptions) and any(e.amount is None for e in report.exceptions)
    for n, e in enumerate(report.exceptions, 3):
        sev, amount, message, row = ws[f"B{n}"], ws[f"E{n}"], ws[f"F{n}"], ws[f"I{n}"]
        assert sev.value == str(e.severity)
        red = sev.font.bold and sev.font.color is not None and sev.font.color.rgb == "00B3261E"
        assert red == (e.severity == "severe"), n
        assert message.value == e.message and message.alignment.wrap_text and message.alignment.vertical == "top"
        assert amount.number_format == ACCOUNTING
        if e.amount is None:
            assert amount.value is None
        else:  # "1234.50": the exact decimal text, read back by openpyxl as a float (its repr exact)
            assert Decimal(repr(amount.value)) * 100 == e.amount
        assert row.value == (e.source.row if e.source else None)
        assert ws[f"A{n}"].value == (e.id or None)


def test_a_hand_written_cell_is_safe_text():
    # xlsx._cell_xml: text is always text (never a formula), escaped for XML, with characters XML
    # cannot hold replaced by U+FFFD; formula-looking text gets the quotePrefix style; a blank
    # cell with no style is left out, a styled one kept; an amount is its exact decimal text.
    from datetime import date

    import numpy as np

    from reserve.report.xlsx import _C, Money, _cell_xml

    ids = {("plain", False): 0, ("plain", True): 7, ("wrap", False): 3, ("wrap", True): 8, ("money", False): 4,
           ("date", False): 5}
    assert _cell_xml("A1", _C("a<b & c\x01"), ids) == (
        '<c r="A1" t="inlineStr"><is><t xml:space="preserve">a&lt;b &amp; c\ufffd</t></is></c>')
    assert _cell_xml("B1", _C("=1+1", "wrap"), ids) == (
        '<c r="B1" s="8" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>')
    assert _cell_xml("C1", _C(None), ids) == ""
    assert _cell_xml("D1", _C(None, "wrap"), ids) == '<c r="D1" s="3"/>'
    assert _cell_xml("E1", _C(Money(-123450), "money"), ids) == '<c r="E1" s="4" t="n"><v>-1234.50</v></c>'
    assert _cell_xml("F1", _C(Money(None), "money"), ids) == '<c r="F1" s="4"/>'
    assert _cell_xml("G1", _C(date(2026, 11, 23), "date"), ids) == '<c r="G1" s="5" t="n"><v>46349</v></c>'
    assert _cell_xml("H1", _C(""), ids) == '<c r="H1" t="inlineStr" />'
    assert _cell_xml("I1", _C(12), ids) == _cell_xml("I1", _C(np.int64(12)), ids) == '<c r="I1" t="n"><v>12</v></c>'
