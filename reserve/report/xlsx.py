"""`report.xlsx`: the computation as a workbook an auditor can filter, tick and review in.

Sheets: Summary (laid out like the formula; amounts are numbers in an accounting format,
equal to report.json to the cent; its totals are formulas, below), Exceptions (with the review
columns, below), Variances (with --compare and a `variance_threshold`, below), Note H, Deposits
(issue 15: the book's deposits table, when it has one, for `reserve series`), one
sheet per schedule (a line's rows with their source file / sheet / row and all their
columns), Row accounting, Assumptions, Provenance, Sign-off (issue 14: the signatures, VALID /
INVALID; the same state under the Summary's title, cell A4). `reserve sign` rewrites only
those two in the package (`replace_signoff`), never the figures.

Exceptions (issue 14 items 2-3): a note at the top says how a review is recorded (REVIEW_NOTE:
the rows go into the book's `review` table, and the next run shows them), then the table: id,
severity, rule, computation, amount, message, file / sheet / row of the source, since (with
--compare), and disposition, comment, reviewer, review date -- from the exception's review
(`ReportException.review`) when the book's review table names it, else blank cells to fill
in, the disposition with a drop-down of resolved / accepted / open. Below the table: the
previous report's exceptions now gone (--compare), and the review rows that name no
exception or variance of this report (`Report.unmatched_reviews`: never dropped). Variances:
the lines that moved more than the threshold (id, computation, line, prior, now, change,
percent, explained, comment, reviewer), the unexplained ones counted at the top.

For a reviewer (issue 14 item 3): every table sheet has its panes frozen below its header row
and an autofilter over exactly its header and data rows; every sheet prints landscape, fit to
the page's width, with the header row as print titles and a footer (firm, as-of date, "Page
&P of &N"). See `_Sheet`: in write-only mode these are set before the first row.

The Summary's totals are live formulas (issue 14 item 3) that foot to the same cents: each
line whose schedule sheet holds all its rows is the SUM of that sheet's line_amount column
(`_schedule_sum`; a schedule longer than its sheet keeps the line a value); total
credits and aggregate debits are the SUM of their line cells; total debits, the excess either
way (MAX), the required deposit, the PAB offset of Rule 15c3-3(e)(4) (MIN), the deposit needed
and the withdrawal permitted (MAX) are formulas of the cells above them, and with --compare
each change is the amount less the prior. Each is wrapped in ROUND(..., 2), so that Excel's
binary arithmetic gives exactly the number saved; a formula is written only when its result,
worked out in cents from the figures its cells show, is the computed figure
(`_summary_formulas`). The percentages (the debit reduction, the monthly 105%) stay values with
a cell comment: Excel's ROUNDUP works on binary fractions and could round an exact cent up.
Every formula cell also holds its computed value (`<c><f>SUM(D7:D16)</f><v>36466809.12</v></c>`,
put in by `with_formulas` after openpyxl's write-only save, which cannot cache a value), so a
reader that does not recalculate (pandas, openpyxl data_only=True, a viewer) shows it. The
workbook keeps openpyxl's `fullCalcOnLoad="1"`: Excel recalculates on open and, thanks to the
ROUND, shows the same cents.

Amounts are numbers in an accounting format. A schedule sheet's data rows are written by
`xlsx_rows` (a column at a time, amounts as the exact decimal text of their cents) and
spliced into the sheet openpyxl wrote; the other sheets' few amounts go through openpyxl as
`Decimal` (it writes 16 significant digits: exact for amounts under $1 trillion).

Large books (issue 13 item 2). A schedule sheet holds every row of a line of up to
`WORKBOOK_ROWS_PER_SCHEDULE` (10,000) rows and the largest 10,000 of a bigger one: what a
person reviews on a sheet (the largest items, filtered and ticked; 10,000 rows are some 200
printed pages), not a copy of the trail. Every row is in supporting/<slug>.parquet, and for a
line longer than the sheet also in supporting/<slug>.csv, which Excel opens
(`supporting.CsvTrail`); the sheet's note names both. The cap was 100,000: on a 1M-account
book that was 807 MB of sheet XML, 35 s to write (19 s building the rows, 16 s deflating)
and a 60 MB workbook; at 10,000 it is about 3-4 s and 12 MB. The package is deflated at
ZIP_LEVEL 1 rather than zlib's default 6: on the 807 MB of XML, 3-4 s instead of 13-15 s, for
a file a third larger (80 MB rather than 60 MB); on today's capped workbook, 0.4-1 s instead
of about 3 s (12.1 MB rather than 9.3 MB).

Text from the book is untrusted: every text cell is written as a string (openpyxl would
otherwise turn text starting with "=" into a formula), and text starting with = + - @ or a
tab / carriage return / line feed also gets Excel's quotePrefix, so editing the cell in
Excel cannot turn it into a formula either. Characters XML cannot hold are replaced.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date as _date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from ..book.schema import REQUIRED, TABLES_BY_NAME
from ..formula.model import ComputationName
from ..formula.model import Side as LineSide
from .compare import comparison
from .model import (
    NOTE_H_AMOUNTS,
    REVIEW_DISPOSITIONS,
    ComputationReport,
    Previous,
    Report,
    ReportFigures,
    Review,
)
from .signoff import SHEET_TITLE, SignOff, SignoffView, sheet_rows, summary_status, view
from .supporting import FIXED_COLUMNS, Schedule, ScheduleRows, schedule_rows
from .supporting import WORKBOOK_ROWS_PER_SCHEDULE as WORKBOOK_ROWS_PER_SCHEDULE  # the cap, also imported from here
from .xlsx_rows import FORMULA_PREFIXES, CellStyles, rows_xml

if TYPE_CHECKING:
    from ..book import Book
    from ..formula.model import Result

SPOOL_IN_MEMORY = 16 << 20  # a schedule's rows stay in memory up to 16 MiB, then go to a temporary file
ZIP_LEVEL = 1  # deflate level of report.xlsx: see the module docstring (issue 13 item 2)
ACCOUNTING = '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)'
PCT = "0.0000"
DATE = "yyyy-mm-dd"
SUMMARY_HEADER_ROW = 5  # three title rows, the sign-off status (SUMMARY_STATUS_CELL), the header
SCHEDULE_AMOUNT = "line_amount"  # a schedule sheet's column A: the amount each row puts into its line
SCHEDULE_HEADER_ROW = 5  # title, rows and total, what the sheet holds, back link / omitted columns
FOOTER_FIRM_CHARS = 100  # of a footer's 255 characters

NAVY = "14304F"
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14, color=NAVY)
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor=NAVY)
_SECTION_FILL = PatternFill("solid", fgColor="E6EBF2")
_MOVER_FILL = PatternFill("solid", fgColor="FFF4D6")
_RED = Font(bold=True, color="B3261E")
_TOTAL_BORDER = Border(top=Side(style="thin"), bottom=Side(style="double"))
_LINK = Font(color="1F5FA8", underline="single")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _dec(cents: int | None, scale: int = 2) -> Decimal | None:
    return None if cents is None else Decimal(int(cents)).scaleb(-scale)


@dataclass(frozen=True)
class Page:
    """What every printed page of the workbook says in its footer (issue 14 item 3)."""

    firm: str
    as_of: str

    @classmethod
    def of(cls, report: Report) -> Page:
        return cls(report.firm_name, report.as_of.isoformat())


def _footer_text(text: str, limit: int = FOOTER_FIRM_CHARS) -> str:
    """Book text in a footer: '&' starts a control code there, so it is doubled; cut to a length
    Excel keeps (a header or footer holds at most 255 characters in all)."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    return (text[: limit - 1] + "\u2026" if len(text) > limit else text).replace("&", "&&")


class _Sheet:
    """A write-only sheet with helpers that make every cell safe and typed.

    In write-only mode openpyxl writes the sheet's properties and views (frozen panes) with
    the first row, so they are set here, before any row: a table sheet passes `header_row`
    (the row of its column names) and gets its panes frozen below it and that row printed at
    the top of every page; `table_end` then puts the autofilter over the header and the data
    rows. Every sheet prints landscape, fit to the page's width, with the firm, the as-of
    date and "Page x of y" in its footer."""

    def __init__(self, wb: Workbook, title: str, widths: Mapping[int, float] | None = None, *, page: Page,
                 header_row: int | None = None):
        self.ws = wb.create_sheet(title)
        self.title = title
        self.rows = 0
        self.header_row = header_row
        self.header_width = 0
        for col, w in (widths or {}).items():
            self.ws.column_dimensions[get_column_letter(col)].width = w
        ws = self.ws
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.oddFooter.left.text = _footer_text(page.firm)
        ws.oddFooter.center.text = _footer_text(f"as of {page.as_of}")
        ws.oddFooter.right.text = "Page &P of &N"
        if header_row is not None:
            ws.freeze_panes = f"A{header_row + 1}"
            ws.print_title_rows = f"{header_row}:{header_row}"

    def table_end(self, last_row: int | None = None) -> None:
        """The autofilter over the header row and the data rows up to `last_row` (default: the
        last row written)."""
        if self.header_row is None or not self.header_width:
            raise ValueError(f"{self.title}: no header row to filter")
        last = max(self.header_row, self.rows if last_row is None else last_row)
        self.ws.auto_filter.ref = f"A{self.header_row}:{get_column_letter(self.header_width)}{last}"

    def cell(self, value: object, *, font: Font | None = None, fill: PatternFill | None = None, fmt: str | None = None,
             border: Border | None = None, align: Alignment | None = None, link: str | None = None) -> WriteOnlyCell:
        c = WriteOnlyCell(self.ws, value=None)
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
            c.value = text
            c.data_type = "s"  # never a formula, whatever the text starts with
            if text.startswith(FORMULA_PREFIXES):
                c.quotePrefix = True
        else:
            c.value = value
        if font is not None:
            c.font = font
        if fill is not None:
            c.fill = fill
        if fmt is not None:
            c.number_format = fmt
        if border is not None:
            c.border = border
        if align is not None:
            c.alignment = align
        if link is not None:
            c.hyperlink = Hyperlink(ref="", location=link)
            c.font = font or _LINK
        return c

    def money(self, cents: int | None, *, font: Font | None = None, fill: PatternFill | None = None,
              border: Border | None = None) -> WriteOnlyCell:
        return self.cell(_dec(cents), fmt=ACCOUNTING, font=font, fill=fill, border=border)

    def append(self, values: Iterable[object]) -> None:
        self.ws.append(values)
        self.rows += 1

    def header(self, names: Iterable[str]) -> None:
        cells = [self.cell(n, font=_HEADER_FONT, fill=_HEADER_FILL) for n in names]
        self.append(cells)
        if self.rows == self.header_row:
            self.header_width = len(cells)

    def title_rows(self, *lines: str) -> None:
        for i, line in enumerate(lines):
            self.append([self.cell(line, font=_TITLE if i == 0 else None)])


def _sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'!A1"


def _summary(wb: Workbook, report: Report, cmp: Mapping[ComputationName, Previous], sheet_of: dict[str, Any],
             previous: ReportFigures | None, status: str = "") -> dict[str, str]:
    """The Summary sheet; returns its formulas ({cell: formula}, `_summary_formulas`), which
    `_splice_rows` puts into the cells openpyxl wrote with their values."""
    compared = bool(cmp)
    at: dict[tuple[str, str], int] = {}  # (computation, figure key) -> its row
    changes: list[int] = []  # rows whose change (column J) is the amount (D) less the prior (I)
    line_sums: dict[str, str] = {}  # line cells that are the SUM of their schedule sheet (`_schedule_sum`)
    widths = {1: 12, 2: 8, 3: 70, 4: 20, 5: 34, 6: 10, 7: 9, 8: 24}
    if compared:
        widths.update({9: 20, 10: 18})
    s = _Sheet(wb, "Summary", widths, page=Page.of(report), header_row=SUMMARY_HEADER_ROW)
    warnings = report.compared_with.warnings if report.compared_with else ()
    s.title_rows(f"{report.firm_name}",
                 f"Rule 15c3-3 reserve computations (Exhibit A) as of {report.as_of.isoformat()}",
                 f"Computed {report.run_at_text} by {report.program.name} {report.program.version}"
                 + (f"; compared with the computation as of {previous.as_of if previous else None}" if compared else "")
                 + "".join(f"; WARNING: {w}" for w in warnings))
    s.append([s.cell(status, font=_RED)] if status else [])  # SUMMARY_STATUS_CELL: the sign-off state
    head = ["computation", "line", "caption", "amount", "rule", "focus_box", "rows", "schedule"]
    if compared:
        head += [f"prior ({previous.as_of if previous else None})", "change"]
    s.header(head)
    for name, c in report.computations.items():
        boxes: Mapping[str, str] = report.focus_boxes if name == ComputationName.CUSTOMER else {}
        p = cmp.get(name)
        prior: Mapping[str, int | None] = p.amounts if p else {}
        change: Mapping[str, int | None] = p.change if p else {}
        movers = set(p.largest_movers) if p else set()

        def row(line: str, caption: str, key: str, amount: int | None, rule: str = "", box: str = "",
                total: bool = False, sched: Schedule | None = None, *, name: str = name,
                prior: Mapping[str, int | None] = prior, change: Mapping[str, int | None] = change,
                movers: set[str] = movers, why_value: str = "") -> None:
            mover = key in movers
            fill = _MOVER_FILL if mover else None
            font = _BOLD if total else None
            border = _TOTAL_BORDER if total else None
            at[(name, key)] = s.rows + 1
            if sched is not None and amount is not None:
                ref = _schedule_sum(sched, sheet_of, amount)
                if ref:
                    line_sums[f"D{s.rows + 1}"] = ref
            amount_cell = s.money(amount, fill=fill, font=font, border=border)
            if why_value:
                amount_cell.comment = Comment(why_value, report.program.name, width=320, height=110)
            cells = [s.cell(name, fill=fill), s.cell(line, fill=fill, font=font), s.cell(caption, fill=fill, font=font),
                     amount_cell, s.cell(rule, fill=fill), s.cell(box, fill=fill)]
            if sched is not None:
                title, _ = sheet_of.get(sched.slug, (None, 0))
                cells.append(s.cell(sched.rows, fill=fill))
                cells.append(s.cell(title, link=_sheet_ref(title), fill=fill) if title else s.cell(None, fill=fill))
            else:
                cells += [s.cell(None, fill=fill), s.cell(None, fill=fill)]
            if compared:
                was, moved = prior.get(key), change.get(key)
                cells += [s.money(was, fill=fill), s.money(moved, fill=fill)]
                if amount is not None and was is not None and moved == amount - was:
                    changes.append(s.rows + 1)
            s.append(cells)

        def section(text: str, name: str = name) -> None:
            s.append([s.cell(name, fill=_SECTION_FILL), s.cell(None, fill=_SECTION_FILL),
                      s.cell(text, font=_BOLD, fill=_SECTION_FILL)] + [s.cell(None, fill=_SECTION_FILL)] * (len(head) - 3))

        scheds = sheet_of.get("__by_line__", {})
        for side, heading in ((LineSide.CREDIT, "Credit balances"), (LineSide.DEBIT, "Debit balances")):
            section(heading)
            for line in c.lines:
                if line.side == side:
                    row(line.item or line.caption.replace(" (List)", "").lower(), line.caption, line.key,
                        line.amount, line.rule, line.focus_box, sched=scheds.get((name, line.key)))
            if side == LineSide.CREDIT:
                row("total credits", "Total credits", "total_credits", c.total_credits,
                    "Items 1-9 and other credits", boxes.get("total_credits", ""), total=True)
        row("aggregate debits", "Aggregate debits", "aggregate_debits", c.aggregate_debits,
            "Items 10-15 and other debits", boxes.get("aggregate_debits", ""), total=True)
        row("debit reduction", "Less: debit reduction", "debit_reduction", c.debit_reduction,
            c.debit_reduction_rule or "", boxes.get("debit_reduction", ""),
            why_value=_VALUE_NOT_FORMULA.format(what="a percentage of debits") if c.debit_reduction else "")
        row("total debits", "Total debits", "total_debits", c.total_debits,
            "Aggregate debits less the reduction", boxes.get("total_debits", ""), total=True)
        section("Reserve requirement")
        row("16", "Excess of total credits over total debits", "excess_credits", c.excess_credits, "Item 16",
            boxes.get("excess_credits", ""))
        row("excess debits", "Excess of total debits over total credits", "excess_debits", c.excess_debits,
            "Item 16", boxes.get("excess_debits", ""))
        monthly = report.monthly
        row("required deposit", "Required deposit" + (" (105% of the excess: monthly)" if monthly else ""),
            "required_deposit", c.required_deposit, "Item 16; Rule 15c3-3(e)",
            boxes.get("required_deposit_monthly", "") if monthly else "", total=True,
            why_value=(_VALUE_NOT_FORMULA.format(what="105% of the excess")
                       if c.required_deposit != c.excess_credits else ""))
        if name == ComputationName.PAB:
            row("offset by customer excess debits", "Less: met by the customer computation's excess debits",
                "offset_by_customer_excess_debits", c.offset_by_customer_excess_debits, "Rule 15c3-3(e)(4)")
        if name == ComputationName.CUSTOMER:
            row("sweep", "Less: credits moving to a bank sweep program next business day", "sweep", c.sweep,
                "SEC staff FAQ 2025-12-08 Q5")
        row("on deposit", "Amount on deposit in the reserve bank accounts", "on_deposit", c.on_deposit,
            "Rule 15c3-3(e), (f)", boxes.get("on_deposit", ""), sched=scheds.get((name, "reserve_bank")))
        row("deposit needed", "Deposit needed", "deposit_needed", c.deposit_needed, "Rule 15c3-3(e)",
            boxes.get("deposit_or_withdrawal", ""), total=True)
        row("withdrawal permitted", "Withdrawal permitted", "withdrawal_permitted", c.withdrawal_permitted,
            "Rule 15c3-3(g)", boxes.get("deposit_or_withdrawal", ""))
        deadline = c.deposit_deadline.isoformat() if c.deposit_deadline else ""
        s.append([s.cell(name), s.cell(None), s.cell(f"Deposit deadline: {deadline} "
                                                     "(one hour after the opening of banking business)"),
                  s.cell(None), s.cell("Rule 15c3-3(e)(3)"), s.cell(boxes.get("deposit_date", ""))])
        s.append([])
    s.table_end(s.rows - 1)  # not the blank row after the last computation
    formulas = _summary_formulas(report, at)
    formulas.update(line_sums)
    for r in changes:  # the change beside the prior figure: now less prior
        formulas[f"J{r}"] = f"ROUND(D{r}-I{r},2)"
    return formulas


def _schedule_sum(sched: Schedule, sheet_of: Mapping[str, Any], amount: int) -> str:
    """The formula of a Summary line cell that is the SUM of its schedule sheet's `line_amount`
    column (issue 14 item 3: "SUM of the schedule cells"), or "" when the cell stays a value:
    when the sheet holds only the largest rows of a longer schedule (the rest are in its
    Parquet/CSV file), when it has no rows, or when the rows do not add up to the line (the
    sheet then says DOES NOT TIE). `line_amount` is the sheet's first column (SCHEDULE_AMOUNT,
    checked in `_schedule_sheet`), its rows SCHEDULE_HEADER_ROW + 1 on; ROUND(..., 2) makes
    Excel's binary sum exactly the cents saved."""
    title, shown = sheet_of.get(sched.slug, (None, 0))
    if not title or shown == 0 or shown != sched.rows or sched.total != amount:
        return ""
    first, last = SCHEDULE_HEADER_ROW + 1, SCHEDULE_HEADER_ROW + shown
    sheet = "'" + str(title).replace("'", "''") + "'"
    return f"ROUND(SUM({sheet}!A{first}:A{last}),2)"


_VALUE_NOT_FORMULA = ("A value, not a formula: {what}, its fraction of a cent rounded up (reading: rounding). "
                      "Excel's ROUNDUP works on binary fractions, and could round an exact cent up by one.")


def _summary_formulas(report: Report, at: Mapping[tuple[str, str], int]) -> dict[str, str]:
    """{cell: formula} of the Summary's figures that are arithmetic of other cells on it, as
    Item 16 and Rule 15c3-3(e) compute them (`formula.computation`): total credits and
    aggregate debits the SUM of their lines, total debits, the excess either way (MAX), the
    required deposit (= Item 16, but for a monthly 105%), the PAB offset of (e)(4) (MIN with
    the customer computation's excess debits), the deposit needed and the withdrawal
    permitted (MAX). Each is wrapped in ROUND(..., 2): a sum of binary fractions can be off
    by a ulp, and rounding to the cent makes the result exactly the number saved in the
    cell. A formula is used only when its result, worked out here in cents from the figures
    its cells show, is the computed figure; otherwise (and for the percentages, see
    `_VALUE_NOT_FORMULA`) the cell keeps its value."""
    out: dict[str, str] = {}
    customer = report.computations.get(ComputationName.CUSTOMER)
    for name, c in report.computations.items():
        def d(key: str, name: ComputationName = name) -> str:
            return f"D{at[(name, key)]}"

        def put(key: str, formula: str, value: int, c: ComputationReport = c, name: ComputationName = name) -> None:
            if (name, key) in at and value == c.amount(key):
                out[d(key)] = formula

        def has(key: str, name: ComputationName = name) -> bool:
            return (name, key) in at

        for total, side in (("total_credits", LineSide.CREDIT), ("aggregate_debits", LineSide.DEBIT)):
            keys = [line.key for line in c.lines if line.side == side]
            rows = [at[(name, k)] for k in keys]
            if rows and rows == list(range(rows[0], rows[0] + len(rows))):
                put(total, f"ROUND(SUM(D{rows[0]}:D{rows[-1]}),2)", sum(c.amount(k) for k in keys))
        tc, agg, red = c.total_credits, c.aggregate_debits, c.debit_reduction
        td = c.total_debits
        put("total_debits", f"ROUND({d('aggregate_debits')}-{d('debit_reduction')},2)", agg - red)
        put("excess_credits", f"MAX(0,ROUND({d('total_credits')}-{d('total_debits')},2))", max(0, tc - td))
        put("excess_debits", f"MAX(0,ROUND({d('total_debits')}-{d('total_credits')},2))", max(0, td - tc))
        if c.required_deposit == c.excess_credits:  # not the monthly 105%: a percentage stays a value
            put("required_deposit", d("excess_credits"), c.excess_credits)
        req, net = d("required_deposit"), c.required_deposit
        if has("offset_by_customer_excess_debits") and customer is not None and customer is not c \
                and (ComputationName.CUSTOMER, "excess_debits") in at:
            cust = f"D{at[(ComputationName.CUSTOMER, 'excess_debits')]}"
            put("offset_by_customer_excess_debits", f"MIN({req},{cust})", min(net, customer.excess_debits))
        less, net_text = "", req
        if has("offset_by_customer_excess_debits"):
            net -= c.offset_by_customer_excess_debits
            net_text = f"({req}-{d('offset_by_customer_excess_debits')})"
            less = f"-{d('offset_by_customer_excess_debits')}"
        sweep = 0
        if has("sweep"):
            sweep = c.sweep
            less += f"-{d('sweep')}"
        put("deposit_needed", f"MAX(0,ROUND({req}{less}-{d('on_deposit')},2))", max(0, net - sweep - c.on_deposit))
        put("withdrawal_permitted", f"MAX(0,ROUND({d('on_deposit')}-{net_text},2))", max(0, c.on_deposit - net))
    return out


EXCEPTIONS_HEADER_ROW = 2  # the note on recording a review, then the header
REVIEW_COLUMNS = ("disposition", "comment", "reviewer", "review date")
REVIEW_NOTE = ("To record a review, fill in disposition (resolved / accepted / open), comment, reviewer and review "
               "date, then put these rows (id, disposition, comment, reviewer, date) into the book's review table: "
               "the next run shows them here. A review never changes the computation.")


def _review_cells(r: Review | None) -> list[_C]:
    """disposition, comment, reviewer, review date of a review (blank cells to fill in without one)."""
    if r is None:
        return [_C(None) for _ in REVIEW_COLUMNS]
    return [_C(r.disposition), _C(r.comment or None, "wrap"), _C(r.reviewer),
            _C(r.date, "date") if r.date else _C(None)]


def _disposition_list(s: _Sheet, column: int, first: int, last: int) -> None:
    """A drop-down of the dispositions (REVIEW_DISPOSITIONS) on rows first..last of a column."""
    if last < first:
        return
    letter = get_column_letter(column)
    dv = DataValidation(type="list", formula1='"' + ",".join(REVIEW_DISPOSITIONS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="disposition",
                        error="A disposition is one of: " + ", ".join(REVIEW_DISPOSITIONS))
    dv.add(f"{letter}{first}:{letter}{last}")
    s.ws.data_validations.append(dv)


# ------------------------------------------------------------------ rows written as XML by hand
#
# openpyxl makes a Python object per cell and writes about 50,000 cells a second: the Exceptions
# sheet of a 10M-account book (8,454 exceptions, 110,000 cells) took 1.8 s of the main thread
# while the audit trail wanted both cores (issue 13). Its rows past the header are written here
# as SpreadsheetML text instead, a cell at a time but with no object per cell, and spliced into
# the sheet after openpyxl has saved the workbook (`_splice_rows`, as a schedule sheet's rows).
# The cells are openpyxl's: inline strings (characters XML cannot hold replaced by U+FFFD,
# always text, never a formula; text starting with = + - @ or a tab, carriage return or line
# feed gets the quotePrefix style), numbers, dates as serial numbers under the date style, and
# blank cells left out unless styled -- except that an amount is the exact decimal text of its
# cents ("1234.50"), where openpyxl writes a float's digits.

# The styles a hand-written cell may have, by name: what `_Sheet.cell` is given for it.
HAND_STYLES: dict[str, dict[str, Any]] = {
    "plain": {}, "red": {"font": _RED}, "bold": {"font": _BOLD}, "wrap": {"alignment": _WRAP},
    "money": {"number_format": ACCOUNTING}, "date": {"number_format": DATE},
}


@dataclass(frozen=True)
class _C:
    """One hand-written cell: its value (text, int, cents as `Money`, a date, None for a blank)
    and the name of its style (HAND_STYLES)."""

    value: object
    style: str = "plain"


@dataclass(frozen=True)
class Money:
    cents: int | None


def _style_ids(wb: Workbook, styles: Mapping[Any, Mapping[str, Any]]) -> dict[Any, int]:
    """{key: cell attributes} -> {key: the style id of a cell so styled}, registered in the
    workbook through a probe sheet, removed again (no sheet is numbered differently)."""
    probe = wb.create_sheet("__styles__")
    out = {}
    for key, attrs in styles.items():
        c = WriteOnlyCell(probe)
        for k, v in attrs.items():
            setattr(c, k, v)
        out[key] = int(c.style_id)
    wb.remove(probe)
    return out


def _hand_styles(wb: Workbook) -> dict[tuple[str, bool], int]:
    """(style name, quote prefixed) -> the style id of a hand-written cell so styled."""
    return _style_ids(wb, {(name, quoted): {**attrs, **({"quotePrefix": True} if quoted else {})}
                           for name, attrs in HAND_STYLES.items() for quoted in (False, True)})


def _cell_xml(ref: str, c: _C, ids: Mapping[tuple[str, bool], int]) -> str:
    """The `<c>` element of a hand-written cell ("" for a blank cell with no style)."""
    from openpyxl.utils.datetime import to_excel

    v = c.value.cents if isinstance(c.value, Money) else c.value
    if isinstance(v, str):  # as `_Sheet.cell` writes text: `_text_cell`, quote-prefixed when formula-like
        sid = ids[(c.style, ILLEGAL_CHARACTERS_RE.sub("\ufffd", v).startswith(FORMULA_PREFIXES))]
        return _text_cell(ref, v, f' s="{sid}"' if sid else "")
    sid = ids[(c.style, False)]
    style = f' s="{sid}"' if sid else ""
    if v is None:
        return f'<c r="{ref}"{style}/>' if sid else ""
    if isinstance(c.value, Money) and c.value.cents is not None:
        return f'<c r="{ref}"{style} t="n"><v>{_dec(c.value.cents)}</v></c>'
    if isinstance(v, (bool, np.bool_)):
        return f'<c r="{ref}"{style} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, np.integer)):
        return f'<c r="{ref}"{style} t="n"><v>{int(v)}</v></c>'
    if isinstance(v, _date):
        return f'<c r="{ref}"{style} t="n"><v>{int(to_excel(v))}</v></c>'
    raise TypeError(f"a hand-written cell holds text, an int, Money, a date or None, not {type(v).__name__}")


def _rows_xml(rows: list[list[_C] | None], first_row: int, ids: Mapping[tuple[str, bool], int]) -> bytes:
    """`<row>` elements, the first numbered `first_row`; a None row is an empty row."""
    letters = [get_column_letter(i + 1) for i in range(max((len(r) for r in rows if r), default=0))]
    out = []
    for n, row in enumerate(rows, first_row):
        if row:
            cells = "".join(_cell_xml(f"{letters[i]}{n}", c, ids) for i, c in enumerate(row))
            out.append(f'<row r="{n}">{cells}</row>')
    return "".join(out).encode("utf-8")


def _exceptions(wb: Workbook, report: Report) -> tuple[int, BinaryIO]:
    """The exceptions, each with the review the book's review table gives it (or blank cells a
    reviewer fills in, the disposition from a drop-down), the note on how a review is recorded
    at the top; below the table the previous report's exceptions now gone (--compare) and the
    review rows that name no exception or variance of this report (never dropped). The rows
    past the header are written by hand (see above): returns the sheet's number and them."""
    ids = _hand_styles(wb)
    gone = report.compared_with.exceptions_gone if report.compared_with else None
    marked = gone is not None  # --compare with a previous report that has ids: a "since" column
    widths = {1: 16, 2: 10, 3: 26, 4: 12, 5: 18, 6: 90, 7: 40, 8: 18, 9: 8}
    if marked:
        widths[10] = 12
    first_review = len(widths) + 1
    widths.update({first_review: 12, first_review + 1: 50, first_review + 2: 20, first_review + 3: 12})
    s = _Sheet(wb, "Exceptions", widths, page=Page.of(report), header_row=EXCEPTIONS_HEADER_ROW)
    number = len(wb.worksheets)  # openpyxl names the n-th sheet xl/worksheets/sheet<n>.xml
    s.append([s.cell(REVIEW_NOTE, font=_BOLD)])
    s.header(["id", "severity", "rule", "computation", "amount", "message", "file", "sheet", "row"]
             + (["since"] if marked else []) + list(REVIEW_COLUMNS))
    rows: list[list[_C] | None] = []
    for e in report.exceptions:
        src = e.source
        rows.append([_C(e.id or None), _C(str(e.severity), "red" if e.severity == "severe" else "plain"),
                     _C(e.rule), _C(str(e.computation or "")), _C(Money(e.amount), "money"),
                     _C(e.message, "wrap"), _C(src.file if src else None),
                     _C(src.sheet if src else None), _C(src.row if src else None)]
                    + ([_C(e.since or None)] if marked else []) + _review_cells(e.review))
    last = s.rows + len(rows)
    s.table_end(last)  # the exceptions, not the lists below them
    _disposition_list(s, first_review, EXCEPTIONS_HEADER_ROW + 1, last)
    if gone:  # the previous report's exceptions not in this one, below the table
        rows.append(None)
        rows.append([_C(f"Gone since the computation as of {report.compared_with.as_of if report.compared_with else ''}"
                        f": {len(gone)} exception(s) of the previous report not in this one")])
        for g in gone:
            rows.append([_C(g.id), _C(g.severity), _C(g.rule), _C(g.computation), _C(None),
                         _C(g.message, "wrap"), _C(None), _C(None), _C(None), _C("gone")])
    unmatched = report.unmatched_reviews
    if unmatched:
        rows.append(None)
        rows.append([_C(f"Review rows naming no exception or variance of this report: {len(unmatched)} "
                        "(the id may be mistyped, or the exception is gone)", "red")])
        rows.append([_C(n, "bold") for n in ("id", *REVIEW_COLUMNS, "file", "sheet", "row")])
        for r in unmatched:
            src = r.source
            rows.append([_C(r.id), *_review_cells(r), _C(src.file if src else None),
                         _C(src.sheet if src else None), _C(src.row if src else None)])
    spool: BinaryIO = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # type: ignore[assignment]  # typeshed: SpooledTemporaryFile is not an IO[bytes], though it is one
    spool.write(_rows_xml(rows, s.rows + 1, ids))
    spool.seek(0)
    return number, spool


VARIANCES_HEADER_ROW = 3  # the title, what a variance needs, then the header
VARIANCE_COLUMNS = ("id", "computation", "line", "label", "prior", "now", "change", "percent", "explained",
                    "comment", "reviewer")


def _variances(wb: Workbook, report: Report) -> None:
    """The lines that moved more than the book's variance_threshold since the previous report
    (--compare), the unexplained ones counted at the top; written only when report.variances
    is not None."""
    variances = report.variances or ()
    unexplained = len(report.unexplained_variances)
    s = _Sheet(wb, "Variances", {1: 34, 2: 12, 3: 24, 4: 40, 5: 18, 6: 18, 7: 18, 8: 10, 9: 10, 10: 60, 11: 20},
               page=Page.of(report), header_row=VARIANCES_HEADER_ROW)
    as_of = report.compared_with.as_of if report.compared_with else ""
    s.append([s.cell(f"Variances above the book's variance_threshold since the computation as of {as_of}: "
                     f"{len(variances)}, of which {unexplained} unexplained", font=_RED if unexplained else _TITLE)])
    s.append([s.cell("A variance is explained by a row of the book's review table naming its id, with a comment.")])
    s.header(list(VARIANCE_COLUMNS))
    for v in variances:
        r = v.review
        s.append([s.cell(v.id), s.cell(str(v.computation)), s.cell(v.line), s.cell(v.label), s.money(v.prior),
                  s.money(v.now), s.money(v.change),
                  s.cell(v.percent, fmt="0.00") if v.percent is not None else s.cell(None),
                  s.cell("yes" if v.explained else "NO", font=None if v.explained else _RED),
                  s.cell(r.comment if r else None, align=_WRAP), s.cell(r.reviewer if r else None)])
    s.table_end()


DEPOSITS_HEADER_ROW = 3  # the title, what the table is for, then the header
DEPOSIT_COLUMNS = ("account_id", "computation", "credited_at", "kind", "amount", "reference", "file", "sheet", "row")
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _deposits(wb: Workbook, report: Report) -> None:
    """The book's deposits table (issue 15), listed for `reserve series`; written only when the
    book had the table (report.deposits is not None)."""
    deposits = report.deposits or ()
    s = _Sheet(wb, "Deposits", {1: 16, 2: 12, 3: 20, 4: 12, 5: 18, 6: 20, 7: 40, 8: 14, 9: 8},
               page=Page.of(report), header_row=DEPOSITS_HEADER_ROW)
    s.append([s.cell(f"Deposits and withdrawals recorded: {len(deposits)} row(s) of the book's deposits table, "
                     "at the time the bank credited them (its local time)", font=_TITLE)])
    s.append([s.cell("This computation's figures do not use them; `reserve series` checks them against each deposit "
                     "needed and its deadline (Rule 15c3-3(e)(3)) and each withdrawal against the computation of its "
                     "day (Rule 15c3-3(g)).")])
    s.header(list(DEPOSIT_COLUMNS))
    for d in deposits:
        src = d.source
        s.append([s.cell(d.account_id), s.cell(str(d.computation)), s.cell(d.credited_at, fmt=DATETIME_FORMAT),
                  s.cell(d.kind), s.money(d.amount), s.cell(d.reference), s.cell(src.file if src else None),
                  s.cell(src.sheet if src else None), s.cell(src.row if src else None)])
    s.table_end()


_NOTE_H_COLS = ("cca_id", "cca_name", "account_id", "customer_id", "computation", "requirement", "requirement_counted",
                "eligible_deposits", "item_15", "excess_on_deposit", "status")
_NOTE_H_MONEY = set(NOTE_H_AMOUNTS)


def _note_h(wb: Workbook, report: Report) -> None:
    s = _Sheet(wb, "Note H", {1: 12, 2: 28, 3: 14, 4: 14, 5: 12, 6: 16, 7: 16, 8: 16, 9: 16, 10: 16, 11: 12},
               page=Page.of(report), header_row=2 if report.note_h else None)
    s.title_rows("Item 15 — Note H per clearing agency and customer")
    entries = report.note_h
    if not entries:
        s.append([s.cell("No margin requirement at a clearing agency for customers' U.S. Treasury positions.")])
        return
    s.header(list(_NOTE_H_COLS))
    for e in entries:
        s.append([s.money(getattr(e, k)) if k in _NOTE_H_MONEY else s.cell(getattr(e, k)) for k in _NOTE_H_COLS])
    s.table_end()  # the entries, not the failed conditions below them
    s.append([])
    s.append([s.cell("Failed conditions and pending cures", font=_BOLD)])
    s.header(["cca_id", "account_id", "kind", "rule / deposit", "amount", "message / deadline"])
    for e in entries:
        for f in e.failed_conditions:
            s.append([s.cell(e.cca_id), s.cell(e.account_id), s.cell("failed condition"), s.cell(f.rule),
                      s.money(f.amount), s.cell(f.message)])
        for p in e.pending:
            deadline = p.deadline.isoformat() if p.deadline else None
            s.append([s.cell(e.cca_id), s.cell(e.account_id), s.cell("pending cure"), s.cell(p.deposit_id),
                      s.money(p.amount), s.cell(f"customer's delivery due by the close of {deadline}")])


def _tables_of(table: pd.Series, rows: Any) -> list[str]:
    """The tables of the rows `rows` (a mask): from the categorical's codes, not a string per row."""
    if isinstance(table.dtype, pd.CategoricalDtype):
        cats = table.cat.categories
        codes = np.unique(table.cat.codes.to_numpy()[rows])
        return [str(cats[c]) if c >= 0 else "" for c in codes]  # "": no table, never a default
    return [str(t) for t in pd.unique(table[rows].astype(str))]


def _uninformative(f: pd.DataFrame, name: str) -> bool:
    col = f[name]
    blank = col.isna()
    if bool(blank.all()):
        return True
    defaults = set()
    for t in _tables_of(f["table"], ~blank.to_numpy()):
        spec = TABLES_BY_NAME.get(t)
        if spec is None:
            return False
        try:
            column = spec.column(name)
        except KeyError:
            return False
        d = column.default
        if d is None or d is REQUIRED or column.default_from:
            return False
        defaults.add(d)
    if len(defaults) != 1:
        return False
    d = defaults.pop()
    try:
        return bool((blank | (col == d)).all())
    except (TypeError, ValueError):
        return False


def _cell_styles(wb: Workbook) -> CellStyles:
    """The style ids of the data cells of schedule sheets, registered in the workbook."""
    ids = _style_ids(wb, {"money": {"number_format": ACCOUNTING}, "pct": {"number_format": PCT},
                          "date": {"number_format": DATE}, "quoted": {"quotePrefix": True}})
    return CellStyles(money=ids["money"], pct=ids["pct"], date=ids["date"], quoted=ids["quoted"])


def _schedule_sheet(wb: Workbook, report: Report, sched: Schedule, title: str, rows: ScheduleRows,
                    styles: CellStyles) -> tuple[int, BinaryIO]:
    f = rows.frame
    # A book column blank, or at its default, in every row shown says nothing about these
    # rows: it is left out of the sheet (named in a note; the Parquet file keeps it). This
    # also halves the cells of a typical accounts sheet -- openpyxl writes ~40,000 a second.
    omitted = [n for n in f.columns if n not in FIXED_COLUMNS and _uninformative(f, n)]
    names = [n for n in f.columns if n not in omitted]
    widths = {1: 16, 2: 22, 3: 60, 4: 14, 5: 16, 6: 30, 7: 14, 8: 7}
    widths.update({i + 1: 16 for i in range(8, len(names))})
    s = _Sheet(wb, title, widths, page=Page.of(report), header_row=SCHEDULE_HEADER_ROW)
    shown = len(f)
    line_amount = None
    comp = report.computation(sched.computation)
    if sched.is_formula_line and comp is not None:
        for line in comp.lines:
            if line.key == sched.line:
                line_amount = line.amount
    s.title_rows(sched.title)
    s.append([s.cell("rows"), s.cell(sched.rows), s.cell("total of the rows"), s.money(sched.total)]
             + ([s.cell("line on Summary"), s.money(line_amount),
                 s.cell("ties" if line_amount == sched.total else "DOES NOT TIE")] if line_amount is not None else []))
    if shown < sched.rows:
        also = f" and, for Excel, {sched.csv_name}" if sched.csv_name else ""
        over = (f" (the CSV holds its largest {sched.csv_rows:,} rows, all an Excel sheet holds; the Parquet file "
                "holds every row)" if sched.csv_name and sched.csv_rows < sched.rows else "")
        s.append([s.cell(f"This sheet holds the largest {shown:,} of {sched.rows:,} rows; every row is in "
                         f"{sched.file_name}{also} beside this workbook{over}.", font=_RED)])
    else:
        s.append([s.cell(f"All {sched.rows:,} rows (also in {sched.file_name}).")])
    s.append([s.cell("Back to Summary", link=_sheet_ref("Summary"))]
             + ([s.cell("Columns blank or at their default in every row, not shown: " + ", ".join(omitted))]
                if omitted else []))
    if names[0] != SCHEDULE_AMOUNT:  # pragma: no cover - supporting.FIXED_COLUMNS puts it first
        raise AssertionError(f"{title}: first column {names[0]!r}, not {SCHEDULE_AMOUNT!r} (_schedule_sum)")
    s.header(names)
    header_row = s.rows
    if header_row != SCHEDULE_HEADER_ROW:  # pragma: no cover - the rows above are fixed
        raise AssertionError(f"{title}: header on row {header_row}, not {SCHEDULE_HEADER_ROW}")
    s.table_end(header_row + shown)  # the data rows are spliced in after the save
    # The data rows are written as XML a column at a time (xlsx_rows) into a spool file, and
    # spliced into the sheet's part after openpyxl has saved the workbook.
    spool: BinaryIO = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # type: ignore[assignment]  # typeshed: SpooledTemporaryFile is not an IO[bytes], though it is one
    for chunk in rows_xml(f, names, rows.types, header_row + 1, styles):
        spool.write(chunk)
    spool.seek(0)
    return shown, spool


def _row_accounting(wb: Workbook, report: Report) -> None:
    s = _Sheet(wb, "Row accounting", {1: 24, 2: 12, 3: 12, 4: 12, 5: 30}, page=Page.of(report), header_row=1)
    s.header(["table", "rows in", "used", "excluded", "rows in = used + excluded"])
    for rc in report.row_counts:
        s.append([s.cell(rc.table), rc.rows, rc.used, rc.excluded,
                  s.cell("ties" if rc.ties else "DOES NOT TIE", font=None if rc.ties else _RED)])
    s.table_end()


def _assumptions(wb: Workbook, report: Report) -> None:
    s = _Sheet(wb, "Assumptions", {1: 22, 2: 34, 3: 120}, page=Page.of(report), header_row=1)
    s.header(["key", "rule", "reading"])
    for a in report.assumptions:
        s.append([s.cell(a.key), s.cell(a.rule), s.cell(a.text, align=_WRAP)])
    s.table_end()


def _provenance(wb: Workbook, report: Report, previous: ReportFigures | None) -> None:
    s = _Sheet(wb, "Provenance", {1: 60, 2: 24, 3: 10, 4: 70}, page=Page.of(report))  # four small tables: no panes
    for k, v in (("program", f"{report.program.name} {report.program.version}"),
                 ("run_at", report.run_at_text), ("firm_name", report.firm_name), ("as_of", report.as_of.isoformat()),
                 ("schema", report.schema),
                 ("compared_with", f"{previous.as_of} (run {previous.run_at})" if previous else "")):
        s.append([s.cell(k, font=_BOLD), s.cell(v)])
    s.append([])
    s.header(["file", "table", "rows", "sha256"])
    for i in report.inputs:
        s.append([s.cell(i.file), s.cell(i.table), i.rows, s.cell(i.sha256)])
    s.append([])
    s.header(["read past (not part of the book format)", "sheet / file", "column", "why"])
    for r in report.ignored:
        s.append([s.cell(r.file), s.cell(r.sheet), s.cell(r.column), s.cell(r.reason)])
    if not report.ignored:
        s.append([s.cell("nothing: every sheet, file and column is part of the book format")])
    s.append([])
    s.header(["parameter", "value"])
    for k, v in report.parameter_json().items():
        s.append([s.cell(k), s.cell(v if isinstance(v, (bool, type(None))) else str(v))])


def unique_titles(scheds: list[Schedule]) -> dict[str, str]:
    """slug -> sheet title, unique (case-insensitively, as Excel requires) and at most 31 characters."""
    used = {"summary", "exceptions", "variances", "note h", "deposits", "row accounting", "assumptions", "provenance",
            SHEET_TITLE.lower()}
    out = {}
    for s in scheds:
        t = s.sheet_title
        base, n = t, 2
        while t.lower() in used:
            suffix = f" ({n})"
            t = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(t.lower())
        out[s.slug] = t
    return out


class WorkbookWriter:
    """report.xlsx written in one pass: `begin`, then `add_schedule` for each schedule in
    order (so each schedule's rows are built once and shared with the other outputs), then
    `save`."""

    def __init__(self, report: Report, scheds: list[Schedule], previous: ReportFigures | None = None,
                 limit: int = WORKBOOK_ROWS_PER_SCHEDULE):
        self.report, self.scheds, self.previous, self.limit = report, scheds, previous, limit
        self.titles = unique_titles(scheds)
        self.written: dict[str, tuple[str, int]] = {}
        self.bulk: dict[int, BinaryIO] = {}  # sheet number -> its data rows as XML
        self.styles: CellStyles | None = None
        self.formulas: dict[str, str] = {}  # the Summary's formula cells (the Summary is sheet 1)
        wb = self.wb = Workbook(write_only=True)
        wb.properties.creator = f"{report.program.name} {report.program.version}"
        wb.properties.title = (f"{report.firm_name} Rule 15c3-3 reserve computation as of "
                               f"{report.as_of.isoformat()}")
        # stamp the run time, not the write time: the workbook says when the figures were computed
        stamp = report.run_at.replace(tzinfo=None, microsecond=0)
        wb.properties.created = wb.properties.modified = stamp
        self.signoff = view(SignOff(), "")  # no signature yet: DRAFT

    def sheet_rows(self, sched: Schedule) -> int:
        """How many rows of a schedule its sheet holds."""
        return min(sched.rows, self.limit)

    def begin(self) -> None:
        sheet_of: dict[str, Any] = {s.slug: (self.titles[s.slug], self.sheet_rows(s)) for s in self.scheds}
        sheet_of["__by_line__"] = {(s.computation, s.line): s for s in self.scheds}
        self.formulas = _summary(self.wb, self.report, comparison(self.report, self.previous), sheet_of,
                                 self.previous, summary_status(self.signoff))
        from .xlsx_history import trend_sheet  # --history (issue 14 item 5): the Trend sheet, after the Summary

        trend_sheet(self.wb, self.report, Page.of(self.report))
        number, rows = _exceptions(self.wb, self.report)
        self.bulk[number] = rows
        if self.report.variances is not None:
            _variances(self.wb, self.report)
        _note_h(self.wb, self.report)
        if self.report.deposits is not None:
            _deposits(self.wb, self.report)

    def add_schedule(self, sched: Schedule, rows: ScheduleRows) -> None:
        """`rows`: at least the schedule's first `sheet_rows(sched)` rows."""
        if self.styles is None:
            self.styles = _cell_styles(self.wb)
        shown, spool = _schedule_sheet(self.wb, self.report, sched, self.titles[sched.slug], rows.head(self.limit),
                                       self.styles)
        self.bulk[len(self.wb.worksheets)] = spool  # openpyxl names the n-th sheet xl/worksheets/sheet<n>.xml
        self.written[sched.slug] = (self.titles[sched.slug], shown)

    def save(self, path: Path) -> dict[str, tuple[str, int]]:
        _row_accounting(self.wb, self.report)
        _assumptions(self.wb, self.report)
        _provenance(self.wb, self.report, self.previous)
        _signoff_sheet(self.wb, self.signoff, Page.of(self.report))
        path = Path(path)
        part = path.with_name(path.name + ".openpyxl")
        try:
            self.wb.save(part)
            _splice_rows(part, path, {f"xl/worksheets/sheet{n}.xml": f for n, f in self.bulk.items()},
                         {SUMMARY_PART: self.formulas})
        finally:
            part.unlink(missing_ok=True)
            for f in self.bulk.values():
                f.close()
        return self.written


# ----------------------------------------------------------------------------- sign-off (issue 14)

SUMMARY_STATUS_CELL = "A4"  # the row under the Summary's three title rows
_SIGNOFF_WIDTHS = {1: 12, 2: 28, 3: 22, 4: 30, 5: 10, 6: 60}


def _signoff_sheet(wb: Workbook, v: SignoffView, page: Page) -> None:
    """The Sign-off sheet of a new (write-only) workbook. Panes frozen below its header, but no
    autofilter: `reserve sign` rewrites its rows, and a filter's range would go stale."""
    s = _Sheet(wb, SHEET_TITLE, _SIGNOFF_WIDTHS, page=page, header_row=4)
    rows = sheet_rows(v)
    s.append([s.cell(rows[0][0], font=_TITLE)])
    for r in rows[1:3]:
        s.append([s.cell(t) for t in r])
    s.header(rows[3])
    for r in rows[4:]:
        s.append([s.cell(t, font=_RED if t == "INVALID" else None) for t in r])


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part in the package (xl/worksheets/sheetN.xml)."""
    book = ElementTree.fromstring(z.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): (r.get("Target") or "") for r in rels.findall("p:Relationship", _NS)}
    out = {}
    for sh in book.iterfind("m:sheets/m:sheet", _NS):
        t = target.get(sh.get(f"{{{_NS['r']}}}id"), "")
        out[sh.get("name") or ""] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


def _style_of(sheet: str, ref: str) -> str:
    m = re.search(r'<c r="' + ref + r'"[^>]*?\ss="(\d+)"', sheet)
    return f' s="{m.group(1)}"' if m else ""


def _text_cell(ref: str, text: str, style: str) -> str:
    if not text:
        return f'<c r="{ref}"{style} t="inlineStr" />'
    value = xml_escape(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'


def replace_signoff(src: Path, dst: Path, v: SignoffView) -> None:
    """Copy report.xlsx `src` to `dst` with its sign-off re-rendered: the Sign-off sheet's rows
    and the Summary's status cell (SUMMARY_STATUS_CELL); every other part is copied as it is
    (no workbook is loaded: a big workbook is not read into memory). The styles are the ones
    `reserve compute` gave those cells. ValueError (one line) when src has no Sign-off sheet."""
    with zipfile.ZipFile(src) as zin:
        parts = _sheet_parts(zin)
        if SHEET_TITLE not in parts or "Summary" not in parts:
            raise ValueError(f"report.xlsx has no {SHEET_TITLE} sheet (written by an earlier version of reserve); "
                             "recompute the report")
        sheet = zin.read(parts[SHEET_TITLE]).decode("utf-8")
        summary = zin.read(parts["Summary"]).decode("utf-8")
        title, header, red = _style_of(sheet, "A1"), _style_of(sheet, "A4"), _style_of(summary, "A4")
        rows = []
        for i, r in enumerate(sheet_rows(v), 1):
            style = title if i == 1 else header if i == 4 else ""
            cells = "".join(_text_cell(f"{get_column_letter(j)}{i}", t, red if t == "INVALID" else style)
                            for j, t in enumerate(r, 1))
            rows.append(f'<row r="{i}">{cells}</row>')
        data = "<sheetData>" + "".join(rows) + "</sheetData>"
        new_sheet, n = re.subn(r"<sheetData>.*</sheetData>|<sheetData\s*/>", lambda _: data, sheet, count=1,
                               flags=re.S)
        cell = _text_cell(SUMMARY_STATUS_CELL, summary_status(v), red)
        new_summary, m = re.subn(r'<c r="' + SUMMARY_STATUS_CELL + r'"[^>]*?(?:/>|>.*?</c>)', lambda _: cell,
                                 summary, count=1, flags=re.S)
        if not n or not m:
            raise ValueError("report.xlsx's sign-off cells were not found (the workbook was edited); recompute "
                             "the report")
        changed = {parts[SHEET_TITLE]: new_sheet.encode("utf-8"), parts["Summary"]: new_summary.encode("utf-8")}
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zout:
            for info in zin.infolist():
                zout.writestr(info, changed.get(info.filename) or zin.read(info.filename),
                              compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)


SUMMARY_PART = "xl/worksheets/sheet1.xml"  # the first sheet openpyxl writes


def with_formulas(sheet: bytes, formulas: Mapping[str, str]) -> bytes:
    """The sheet XML with `<f>formula</f>` put before the saved value `<v>` of each cell named
    in `formulas` (cells openpyxl wrote as numbers): a formula cell with its computed value
    cached, which openpyxl's write-only mode cannot write. ValueError when a cell is missing."""
    if not formulas:
        return sheet
    done: set[str] = set()

    def put(m: re.Match[bytes]) -> bytes:
        ref = m.group(1).decode("ascii")
        f = formulas.get(ref)
        if f is None:
            return m.group(0)
        done.add(ref)
        return m.group(0)[:-3] + b"<f>" + xml_escape(f).encode("utf-8") + b"</f><v>"

    out = re.sub(rb'<c r="([A-Z]+[0-9]+)"[^>]*?\bt="n"[^>]*><v>', put, sheet)
    if done != set(formulas):
        raise ValueError(f"no number cell for the formulas of {sorted(set(formulas) - done)}")
    return out


def _splice_rows(src: Path, dst: Path, bulk: dict[str, BinaryIO],
                 formulas: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Copy the workbook `src` to `dst`, putting each sheet's spooled rows at the end of its
    <sheetData> (after the title and header rows openpyxl wrote), and the `formulas` of a
    sheet ({part: {cell: formula}}) into their cells (`with_formulas`)."""
    formulas = formulas or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in formulas:
                data = with_formulas(data, formulas[info.filename])
            rows = bulk.get(info.filename)
            if rows is None:
                # an entry read from a zip carries no level: without compresslevel= it would be
                # deflated at zlib's default (6), whatever ZIP_LEVEL says
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)
                continue
            cut = data.rfind(b"</sheetData>")
            if cut < 0:  # pragma: no cover - openpyxl always writes the title rows
                raise ValueError(f"{info.filename}: no <sheetData> to put the rows in")
            # opened by name, the entry takes zout's compression and compresslevel (a ZipInfo made
            # here would take zlib's default level)
            with zout.open(info.filename, "w", force_zip64=True) as out:
                out.write(data[:cut])
                shutil.copyfileobj(rows, out, 1 << 20)
                out.write(data[cut:])


def write_workbook(path: Path, book: Book, result: Result, report: Report, scheds: list[Schedule],
                   previous: ReportFigures | None = None,
                   limit: int = WORKBOOK_ROWS_PER_SCHEDULE) -> dict[str, tuple[str, int]]:
    """Write report.xlsx on its own; returns {schedule slug: (sheet title, rows written)}."""
    w = WorkbookWriter(report, scheds, previous, limit)
    w.begin()
    for s in scheds:
        w.add_schedule(s, schedule_rows(book, result, s, w.sheet_rows(s)))
    return w.save(path)
