"""The workbook's "Trend" sheet (`reserve compute --history`, issue 14 item 5), after the Summary.

It shows what the page's trend section shows (`reserve.report.history.history_view`, the one
view of `Report.history`): the table of the computations (one row per as-of date, oldest
first: for each computation its required deposit, on deposit, deposit needed, withdrawal
permitted, total credits and total debits, then the report.json it came from and its
SHA-256), the line-by-line changes (every formula line and summary figure, this computation
against the previous one and the first shown, with the change and the percent), and the
notes (files passed over, gaps, dates out of order).

Each computation has a native line chart (`openpyxl.chart.LineChart`) over the table's cells:
its series reference the figure columns of the table (rows 6 to 5 + points), its categories
the as-of dates, so the chart is the table drawn (the charts sit below the table, the change
table below them) and moves with it when a reviewer edits a
cell. openpyxl's write-only worksheets take charts (`add_chart` before the workbook is
saved: the drawing part is written with the sheet), so the sheet is written in the same one
pass as the others. Panes are frozen below the header row, whose autofilter covers the
table of the computations; amounts are numbers in the accounting format, percents numbers
in a percent format (exact: a Decimal of two decimals divided by 100), "—" where there is
no percent (the prior figure is 0).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from .history import CHART_FIGURES, HistoryView, history_view, percent_change
from .model import Report
from .xlsx import _BOLD, _SECTION_FILL, _WRAP, DATE, Page, _Sheet

SHEET_TITLE = "Trend"
HEADER_ROW = 5  # title, what it shows, the notes' place, a blank row, the header
PERCENT = "0.00%"
CHART_WIDTH_CM, CHART_HEIGHT_CM = 22.0, 9.0  # float-ok: a drawing's size in centimetres, not an amount
CHART_ROWS = 20  # empty rows left below the table for each chart (9 cm at Excel's default row height)


def _percent(change: int | None, prior: int | None) -> Decimal | None:
    p = percent_change(change, prior)
    return None if p is None else p / 100


def trend_sheet(wb: Workbook, report: Report, page: Page) -> str | None:
    """Add the Trend sheet to the (write-only) workbook `wb` when the report has a history;
    its title, or None (no sheet) without --history."""
    view = history_view(report.history)
    if view is None:
        return None
    figures = len(CHART_FIGURES)
    n = len(view.computations[0].rows) if view.computations else 0
    width = 1 + figures * len(view.computations) + 2
    # column B also holds the change table's line captions (below): wide
    widths = {1: 12, 2: 48, **{c: 16 for c in range(3, width - 1)}, width - 1: 34, width: 16}
    s = _Sheet(wb, SHEET_TITLE, widths, page=page, header_row=HEADER_ROW)
    s.title_rows(f"Trend: the last {view.points} computation(s), as of {view.first_as_of} to {view.as_of}",
                 f"{report.firm_name}: from the report.json files found under {view.folder}, and this computation",
                 f"{len(view.notes)} note(s) about these computations: below the tables" if view.notes
                 else "No note: no file passed over, no gap, no date out of order")
    s.append([])
    s.header(["as of"] + [f"{c.name} {label.lower()}" for c in view.computations for _, label, *_ in CHART_FIGURES]
             + ["report.json", "sha256 (first 12)"])
    for i in range(n):
        first = view.computations[0].rows[i]
        cells = [s.cell(date.fromisoformat(first.as_of), fmt=DATE)]
        for c in view.computations:
            cells += [s.money(a) for a in c.rows[i].amounts]
        cells += [s.cell(first.file), s.cell(first.sha256)]
        s.append(cells)
    s.table_end()
    _charts(s, view, n)
    _changes(s, view)
    if view.notes:
        s.append([])
        s.append([s.cell("Notes", font=_BOLD, fill=_SECTION_FILL)])
        for note in view.notes:
            s.append([s.cell(note, align=_WRAP)])
    return SHEET_TITLE


def dated_line_chart(ws: Any, title: str, first_col: int, figures: int, header_row: int, n: int,
                     size_cm: tuple[float, float]) -> LineChart:  # float-ok: a drawing's size in centimetres
    """A native line chart over a table of `n` dated rows under `header_row`: the dates in
    column A (the categories), `figures` amount columns from `first_col` (the series, named by
    their headers), both axes shown (openpyxl 3.1 hides them unless told). Shared by the Trend
    sheet and `reserve series`' workbook; the caller styles the series and places the chart."""
    chart = LineChart()
    chart.title = title
    chart.y_axis.title = "US dollars"
    chart.x_axis.title = "As of"
    chart.y_axis.number_format = "#,##0"
    chart.x_axis.number_format = DATE
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.width, chart.height = size_cm
    chart.add_data(Reference(ws, min_col=first_col, max_col=first_col + figures - 1, min_row=header_row,
                             max_row=header_row + n), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=header_row + n))
    return chart


def _charts(s: _Sheet, view: HistoryView, n: int) -> None:
    """One line chart per computation over its figure columns of the table, each on the
    CHART_ROWS empty rows left for it below the table (a chart floats over cells)."""
    for k, c in enumerate(view.computations):
        chart = dated_line_chart(s.ws, f"{c.title}: the last {view.points} computation(s)",
                                 2 + k * len(CHART_FIGURES), len(CHART_FIGURES), HEADER_ROW, n,
                                 (CHART_WIDTH_CM, CHART_HEIGHT_CM))
        for series, (_, _, color, dash) in zip(chart.series, CHART_FIGURES, strict=True):
            series.graphicalProperties.line.solidFill = color.lstrip("#")
            series.graphicalProperties.line.width = 22000  # EMU: about 1.75 pt
            if dash:
                series.graphicalProperties.line.dashStyle = "dash"
            series.marker.symbol = "circle"
            series.smooth = False
        s.ws.add_chart(chart, f"A{s.rows + 2}")
        for _ in range(CHART_ROWS):
            s.append([])


def _changes(s: _Sheet, view: HistoryView) -> None:
    if view.previous_as_of is None:
        s.append([])
        s.append([s.cell("Line by line: no earlier computation to compare with", font=_BOLD)])
        return
    with_first = view.points > 2
    s.append([])
    s.append([s.cell(f"Line by line: this computation (as of {view.as_of}) against the previous one (as of "
                     f"{view.previous_as_of})" + (f" and the first shown (as of {view.first_as_of})" if with_first
                                                  else ""), font=_BOLD, fill=_SECTION_FILL)])
    head = ["computation", "line", f"{view.previous_as_of}", f"{view.as_of}", "change", "percent"]
    if with_first:
        head += [f"{view.first_as_of}", "change since", "percent since"]
    s.append([s.cell(h, font=_BOLD) for h in head])
    for c in view.computations:
        for x in c.changes:
            font = _BOLD if x.kind == "summary" else None
            pct = _percent(x.change, x.prior)
            label = f"Item {x.item} — {x.label}" if x.item else x.label
            cells = [s.cell(c.name), s.cell(label, font=font, align=_WRAP), s.money(x.prior), s.money(x.now),
                     s.money(x.change), s.cell(pct, fmt=PERCENT) if pct is not None else s.cell("—")]
            if with_first:
                pf = _percent(x.change_first, x.first)
                cells += [s.money(x.first), s.money(x.change_first),
                          s.cell(pf, fmt=PERCENT) if pf is not None else s.cell("—")]
            s.append(cells)
