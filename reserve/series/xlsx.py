"""series.xlsx: the workbook of a `Series` (reserve.series.model), the page's figures as cells.

Sheets: "Series" (every computation in date order: per computation required deposit, on
deposit, deposit needed, withdrawal permitted, total credits and the deadline; then the
report.json and its SHA-256), with one native line chart per computation
(`openpyxl.chart.LineChart`) whose series reference the sheet's own cells, so the chart is
the table drawn; "Average" (each month-end computation, its customer + PAB total credits, the
months in the average, the average rounded half to even to the cent, and the crossings of
$500 million with their dates); "Gaps" (day, what, detail, rule); "Deposits" (the deposit check of
issue 15 item 2: every non-test computation's deposit needed, deadline, net credited by it,
status, shortfall, cure and days outstanding, with the Rule 15c3-3(i) notice of a deficiency;
header frozen, autofilter; below it a "Withdrawals" part, one row per day and computation;
then the check's readings; "not checked" when no report has a deposits table); "Tests" (test
computations, shown apart); "Notes" (files passed over, superseded runs, the deposit check's
state, reminders).

Amounts are exact: integer cents written as Decimal dollars (`Decimal(cents).scaleb(-2)`) in
the accounting format; an absent figure is an empty cell, with "not in report.json" in the
Notes sheet's legend. Dates are dates. Deterministic: the workbook's created/modified times
are fixed to the last computation's date (the same files give the same workbook).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..report.xlsx_history import dated_line_chart
from .html import series_view
from .model import COMPUTATION_TITLES, COMPUTATIONS, SERIES_FIGURES, DepositCheck, Run, Series

ACCOUNTING = '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)'
DATE = "yyyy-mm-dd"
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ROW = 3
CHART_FIGURES = 4  # the first four of SERIES_FIGURES are charted (total credits is in the table)
CHART_WIDTH_CM, CHART_HEIGHT_CM = 24.0, 10.0  # float-ok: a drawing's size in centimetres, not an amount
CHART_COLOURS = ("14304F", "2E7D32", "B3261E", "B26A00")


def _dec(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(int(cents)).scaleb(-2)


def _runs_sheet(ws: object, runs: tuple[Run, ...], title: str) -> int:
    """Write the runs table; the number of data rows."""
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    ws.append([title])
    ws["A1"].font = BOLD
    ws.append([])
    head = ["as of"]
    for c in COMPUTATIONS:
        head += [f"{c} {label.lower()}" for _, label in SERIES_FIGURES] + [f"{c} deadline"]
    head += ["frequency", "run at", "report.json", "sha256 (first 12)"]
    ws.append(head)
    for cell in ws[HEADER_ROW]:
        cell.font = BOLD
    for r in runs:
        row: list[object] = [r.as_of]
        for c in COMPUTATIONS:
            row += [_dec(r.figure(c, k)) for k, _ in SERIES_FIGURES] + [r.deadlines.get(c)]
        row += [r.frequency, r.run_at or "", r.file, r.sha256[:12]]
        ws.append(row)
    width = len(SERIES_FIGURES) + 1
    for i in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(runs)):
        ws.cell(i, 1).number_format = DATE
        for k, _ in enumerate(COMPUTATIONS):
            for j in range(len(SERIES_FIGURES)):
                ws.cell(i, 2 + k * width + j).number_format = ACCOUNTING
            ws.cell(i, 2 + k * width + len(SERIES_FIGURES)).number_format = DATE
    ws.column_dimensions["A"].width = 12
    for col in range(2, 2 + width * len(COMPUTATIONS)):
        ws.column_dimensions[ws.cell(1, col).column_letter].width = 18
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    if runs:
        ws.auto_filter.ref = f"A{HEADER_ROW}:{ws.cell(HEADER_ROW + len(runs), len(head)).coordinate}"
    return len(runs)


def _charts(ws: object, n: int) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    width = len(SERIES_FIGURES) + 1
    for k, c in enumerate(COMPUTATIONS):
        chart = dated_line_chart(ws, f"{'PAB' if c == 'pab' else 'Customer'} reserve computation: the series",
                                 2 + k * width, CHART_FIGURES, HEADER_ROW, n, (CHART_WIDTH_CM, CHART_HEIGHT_CM))
        for s, colour in zip(chart.series, CHART_COLOURS, strict=True):
            s.graphicalProperties.line.solidFill = colour
            s.smooth = False
        ws.add_chart(chart, f"A{HEADER_ROW + n + 3 + k * 22}")


DEPOSIT_HEAD = ("as of", "computation", "deposit needed", "deadline", "deadline hour known", "credited by the deadline (net)",
                "status", "shortfall", "cured on", "still outstanding at", "days outstanding", "detail", "rule",
                "Rule 15c3-3(i) notice", "report.json")
WITHDRAWAL_HEAD = ("day", "computation", "withdrawals", "rows", "computation as of", "withdrawal permitted", "status",
                   "not covered", "detail", "rule")


def _deposits_sheet(ws: object, c: DepositCheck | None, summary: str) -> None:
    """The Deposits sheet: the obligations (header frozen, autofilter), then the Withdrawals part."""
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(ws, Worksheet)
    ws.append([summary])
    ws["A1"].font = BOLD
    if c is None:
        return
    ws.append([])
    ws.append(list(DEPOSIT_HEAD))
    head = ws.max_row
    for cell in ws[head]:
        cell.font = BOLD
    for o in c.obligations:
        ob = o.obligation
        deadline: object = o.deadline_at if o.deadline_at is not None else ob.deadline
        ws.append([ob.as_of, COMPUTATION_TITLES.get(ob.computation, ob.computation), _dec(ob.deposit_needed), deadline,
                   "yes" if o.deadline_at is not None else "no", _dec(o.credited), o.status,
                   _dec(o.shortfall) if o.shortfall else None, o.cured_on, o.outstanding_at, o.days_outstanding,
                   o.reason, o.rule, o.notice or "", ob.file])
        row = ws.max_row
        ws.cell(row, 1).number_format = DATE
        ws.cell(row, 4).number_format = "yyyy-mm-dd hh:mm" if o.deadline_at is not None else DATE
        for col in (3, 6, 8):
            ws.cell(row, col).number_format = ACCOUNTING
        for col in (9, 10):
            ws.cell(row, col).number_format = DATE
        ws.cell(row, 14).alignment = WRAP
    last = ws.max_row
    ws.freeze_panes = ws.cell(head + 1, 3)
    ws.auto_filter.ref = f"A{head}:{ws.cell(max(last, head), len(DEPOSIT_HEAD)).coordinate}"
    ws.append([])
    ws.append(["Withdrawals (Rule 15c3-3(g)): each day's withdrawals from a computation's reserve bank accounts against "
               "the computation made that day (as of the close of the previous business day)"])
    ws.cell(ws.max_row, 1).font = BOLD
    ws.append(list(WITHDRAWAL_HEAD))
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for w in c.withdrawals:
        ws.append([w.day, COMPUTATION_TITLES.get(w.computation, w.computation), _dec(w.amount), w.count,
                   None if w.covered_by is None else w.covered_by.as_of,
                   None if w.covered_by is None else _dec(w.permitted), w.status, _dec(w.excess) if w.excess else None,
                   w.reason, w.rule])
        row = ws.max_row
        for col in (1, 5):
            ws.cell(row, col).number_format = DATE
        for col in (3, 6, 8):
            ws.cell(row, col).number_format = ACCOUNTING
    if not c.withdrawals:
        ws.append(["No withdrawal in the deposits tables."])
    ws.append([])
    for note in c.notes:
        ws.append([note])
    for letter, width in zip("ABCDEFGHIJKLMNO", (12, 11, 18, 17, 10, 20, 30, 16, 12, 12, 10, 70, 30, 70, 30), strict=True):
        ws.column_dimensions[letter].width = width


def write_series_xlsx(s: Series, path: Path) -> None:
    """Write series.xlsx for `s` at `path`."""
    v = series_view(s)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Series"
    n = _runs_sheet(ws, s.runs, f"{s.firm_name}: {v.count} computation(s), {v.first_as_of} to {v.last_as_of}")
    if n:
        _charts(ws, n)
    av = wb.create_sheet("Average")
    av.append(["Average total credits (Rule 15c3-3(e)(3)(i)(B)(1))"])
    av["A1"].font = BOLD
    av.append([v.latest_average])
    av.append(["month", "month-end computation", "customer total credits", "PAB total credits", "sum",
               "months in average", "average (rounded half to even)", "$500 million or more", "report.json"])
    for cell in av[3]:
        cell.font = BOLD
    for m in s.average.month_ends:
        av.append([m.month, m.as_of, _dec(m.customer_credits), _dec(m.pab_credits), _dec(m.total), m.months,
                   _dec(m.average_cents), "" if m.reaches is None else ("yes" if m.reaches else "no"), m.file])
        row = av.max_row
        av.cell(row, 2).number_format = DATE
        for col in (3, 4, 5, 7):
            av.cell(row, col).number_format = ACCOUNTING
    av.append([])
    av.append(["crossing", "month-end", "months", "average", "date", "what it means", "rule"])
    for cell in av[av.max_row]:
        cell.font = BOLD
    for c in s.average.crossings:
        av.append([c.direction, c.month_end, c.months, _dec(c.average_cents), c.date, c.text, c.rule])
        av.cell(av.max_row, 2).number_format = DATE
        av.cell(av.max_row, 4).number_format = ACCOUNTING
        av.cell(av.max_row, 5).number_format = DATE
    av.append([])
    for note in s.average.notes:
        av.append([note])
    for letter, w in zip("ABCDEFGHI", (10, 14, 20, 20, 20, 10, 22, 10, 40), strict=True):
        av.column_dimensions[letter].width = w
    gp = wb.create_sheet("Gaps")
    gp.append(["day", "what", "detail", "rule"])
    for cell in gp[1]:
        cell.font = BOLD
    for g in s.gaps:
        gp.append([g.day, g.kind, g.text, g.rule])
        gp.cell(gp.max_row, 1).number_format = DATE
    if not s.gaps:
        gp.append(["No gap."])
    for letter, w in zip("ABCD", (12, 20, 90, 50), strict=True):
        gp.column_dimensions[letter].width = w
    _deposits_sheet(wb.create_sheet("Deposits"), s.deposits, v.deposits)
    ts = wb.create_sheet("Tests")
    _runs_sheet(ts, s.tests, "Test computations (SEC staff FAQ of 2025-12-08, Question 2): shown apart, never counted "
                "as permitting a withdrawal")
    nt = wb.create_sheet("Notes")
    nt.column_dimensions["A"].width = 140
    for text in (v.deposits, *v.reminders, *v.passed_over, *v.superseded,
                 "An empty amount cell: the figure is not in that report.json (never filled in)."):
        nt.append([text])
        nt.cell(nt.max_row, 1).alignment = WRAP
    stamp = datetime.combine(s.runs[-1].as_of if s.runs else date(2000, 1, 1), datetime.min.time())
    wb.properties.created = wb.properties.modified = stamp
    wb.save(path)
