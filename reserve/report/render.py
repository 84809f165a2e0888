"""The HTML page, the workbook and the supporting rows of one computation.

`render_all` is what `api.write_outputs` calls (inside its temporary folder, so everything
written here appears atomically with report.json). The schedules -- the rows behind each
line -- are built once, one at a time (a big line's rows are in memory only while it is
written), and shared by the three outputs: all rows to supporting/<slug>.parquet straight
from the dispositions (`supporting.write_trail`: codes and `take` on the source columns, a
million rows at a time, and the same rows as supporting/<slug>.csv for a schedule longer than
its workbook sheet), and only the rows shown joined as a frame: the largest 10,000
(WORKBOOK_ROWS_PER_SCHEDULE) to the workbook, the largest 50 to the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..progress import NO_PROGRESS, Progress
from .html import HTML_ROWS_PER_SCHEDULE, build_context, render_html
from .model import Report, ReportFigures
from .supporting import (
    ScheduleRows,
    schedule_columns,
    schedule_rows,
    schedules,
    write_trail,
)
from .xlsx import WORKBOOK_ROWS_PER_SCHEDULE, WorkbookWriter

if TYPE_CHECKING:
    from ..book import Book
    from ..formula.model import Result

HTML_NAME = "report.html"
XLSX_NAME = "report.xlsx"


def render_all(out_dir: str | Path, book: Book, result: Result, report: Report, formats: Iterable[str],
               previous: ReportFigures | None = None, progress: Progress = NO_PROGRESS) -> list[str]:
    """Write report.html / report.xlsx (as chosen in `formats`) and supporting/*.parquet into
    out_dir; return the names written, relative to out_dir, in a stable order. `progress`
    counts the schedules written, then the workbook and the page."""
    out = Path(out_dir)
    scheds = schedules(result)
    workbook = WorkbookWriter(report, scheds, previous, WORKBOOK_ROWS_PER_SCHEDULE) if "xlsx" in formats else None
    if workbook:
        workbook.begin()
    formats = tuple(formats)
    heads: dict[str, ScheduleRows] = {}
    supporting = []
    shown = max(WORKBOOK_ROWS_PER_SCHEDULE, HTML_ROWS_PER_SCHEDULE)
    with progress.phase("writing the schedules (supporting/)", total=sum(s.rows for s in scheds),
                        unit="rows") as step:
        for s in scheds:
            # every row to the audit trail, straight from the dispositions; only the rows shown
            # are joined (conformed to the whole line's columns when the line has more)
            supporting.append(write_trail(out, book, result, s))
            rows = schedule_rows(book, result, s, shown,
                                 columns=schedule_columns(book, result, s) if s.rows > shown else None)
            if workbook:
                workbook.add_schedule(s, rows)
            heads[s.slug] = rows.head(HTML_ROWS_PER_SCHEDULE)
            del rows
            step.advance(s.rows)
    written = []
    sheets = None
    if workbook:
        with progress.phase("writing report.xlsx"):
            sheets = workbook.save(out / XLSX_NAME)
        written.append(XLSX_NAME)
    if "html" in formats:
        with progress.phase("writing report.html"):
            ctx = build_context(report, scheds, heads, previous, sheets, XLSX_NAME if workbook else None)
            (out / HTML_NAME).write_text(render_html(ctx), encoding="utf-8")
        written.insert(0, HTML_NAME)
    return written + sorted(supporting)
