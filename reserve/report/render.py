"""The HTML page, the workbook and the supporting rows of one computation.

`render_all` is what `api.write_outputs` calls (inside its temporary folder, so everything
written here appears atomically with report.json). The schedules -- the rows behind each
line -- are built once, one at a time (a big line's rows are in memory only while it is
written), and shared by the three outputs: all rows to supporting/<slug>.parquet straight
from the dispositions (`supporting.write_trail`: codes and `take` on the source columns, a
million rows at a time, and the same rows as supporting/<slug>.csv for a schedule longer than
its workbook sheet), and only the rows shown joined as a frame: the largest 10,000
(WORKBOOK_ROWS_PER_SCHEDULE) to the workbook, the largest 50 to the page. The trail is
written on a second thread while this one builds the workbook and the page (see render_all).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ..progress import NO_PROGRESS, Progress
from .html import HTML_ROWS_PER_SCHEDULE, build_context, render_html
from .model import Report, ReportFigures
from .supporting import (
    Schedule,
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
TRAIL_THREADS = 2  # threads writing the audit trail beside the workbook (this machine has 2 cores)
XLSX_NAME = "report.xlsx"


def render_all(out_dir: str | Path, book: Book, result: Result, report: Report, formats: Iterable[str],
               previous: ReportFigures | None = None, progress: Progress = NO_PROGRESS,
               made: Future[list[Schedule]] | None = None) -> list[str]:
    """Write report.html / report.xlsx (as chosen in `formats`) and supporting/*.parquet into
    out_dir; return the names written, relative to out_dir, in a stable order. `progress`
    counts the schedules written, then the workbook and the page. `made`: `schedules(result)`
    already started on another thread (`start_schedules`), so that they are sorted while the
    report is built."""
    out = Path(out_dir)
    scheds = made.result() if made is not None else schedules(result)
    workbook = WorkbookWriter(report, scheds, previous, WORKBOOK_ROWS_PER_SCHEDULE) if "xlsx" in formats else None
    formats = tuple(formats)
    heads: dict[str, ScheduleRows] = {}
    shown = max(WORKBOOK_ROWS_PER_SCHEDULE, HTML_ROWS_PER_SCHEDULE)
    written = []
    # The audit trail (supporting/*.parquet and *.csv) is written on a second thread while
    # this one builds the workbook and the page (issue 13): its work is pyarrow's -- take,
    # cast, zstd and CSV encoding -- which runs without the interpreter lock, where the
    # workbook's is Python's. The trail only reads the book and the result; nothing here
    # writes them. Its files are part of the same set (api.write_outputs publishes the folder
    # only after every future has finished; the first error of either thread is raised, after
    # the other has stopped, so no file is written into a folder being removed).
    # Two trail threads, the longest schedules first, so that the longest does not start last.
    pool = ThreadPoolExecutor(max_workers=TRAIL_THREADS, thread_name_prefix="reserve-trail")
    try:
        longest = sorted(range(len(scheds)), key=lambda i: (-scheds[i].rows, i))
        submitted = {i: pool.submit(write_trail, out, book, result, scheds[i]) for i in longest}
        trail = [submitted[i] for i in range(len(scheds))]
        if workbook:
            workbook.begin()
        with progress.phase("preparing the schedules shown (report.xlsx, report.html)", total=len(scheds),
                            unit="schedules") as step:
            for s in scheds:
                # only the rows shown are joined (conformed to the whole line's columns when
                # the line has more); every row goes to the trail
                rows = schedule_rows(book, result, s, shown,
                                     columns=schedule_columns(book, result, s) if s.rows > shown else None)
                if workbook:
                    workbook.add_schedule(s, rows)
                heads[s.slug] = rows.head(HTML_ROWS_PER_SCHEDULE)
                del rows
                step.advance()
                _raise_first_failure(trail)  # a trail that failed (a full disk) stops the run now
        sheets = None
        if workbook:
            with progress.phase("writing report.xlsx"):
                sheets = workbook.save(out / XLSX_NAME)
            written.append(XLSX_NAME)
        _raise_first_failure(trail)
        if "html" in formats:
            with progress.phase("writing report.html"):
                ctx = build_context(report, scheds, heads, previous, sheets, XLSX_NAME if workbook else None)
                (out / HTML_NAME).write_text(render_html(ctx), encoding="utf-8")
            written.insert(0, HTML_NAME)
        with progress.phase("writing the audit trail (supporting/)", total=sum(s.rows for s in scheds),
                            unit="rows") as step:
            supporting = []
            for s, done in zip(scheds, trail, strict=True):
                supporting.append(done.result())
                step.advance(s.rows)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return written + sorted(supporting)


def start_schedules(pool: ThreadPoolExecutor, result: Result) -> Future[list[Schedule]]:
    """`schedules(result)` on `pool`, for `render_all(made=...)`: grouping and sorting 20 million
    dispositions takes 2-4 s (numpy's sorts, without the interpreter lock), which run beside the
    building of the report and report.json instead of after them (issue 13). It only reads the
    result, which nothing changes once computed."""
    return pool.submit(schedules, result)


def _raise_first_failure(futures: list[Future[str]]) -> None:
    """Raise the error of the first trail write that has failed, if any (the rest are then
    cancelled or waited for by render_all's `finally`): the run stops as soon as it knows."""
    for f in futures:
        if f.done() and not f.cancelled() and f.exception() is not None:
            f.result()
