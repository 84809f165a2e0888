"""The `reserve` command line: parse options, call the API, print, exit.

Exit codes: 0 success; 1 the book is invalid, a check failed, or an input or output file
cannot be used (one line each, nothing written); 2 usage error (click's own). A user's
mistake is never a traceback: every command runs inside `ReserveGroup.invoke`, which turns
the known errors into their lines and any unexpected exception into one "internal error"
line pointing to a log file that holds the traceback (still exit 1, still nothing
written: the outputs are switched in only when complete, `reserve.outputs`).

Everything printed passes through `reserve.terminal.SafeStream`: text from a book (firm
name, ids, sheet names, messages) reaches the terminal without control sequences.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import __version__
from .errors import MAX_PROBLEMS, BookInvalid
from .outputs import OutputError
from .terminal import SafeStream

if TYPE_CHECKING:
    from .report.model import Report, ReportFigures

FAIL_ON = {"severe": ("severe",), "review": ("severe", "review")}


class ReportFileError(Exception):
    """A --compare / --expected / --against file cannot be used: one line per problem."""

    def __init__(self, option: str, path, problems: list[str], total: int | None = None):
        self.option, self.path, self.problems = option, str(path), problems
        self.total = total if total is not None else len(problems)
        super().__init__(f"{option} {path}: {problems[0] if problems else ''}")


def _err(msg: str) -> None:
    click.echo(msg, err=True)


def _book_lines(exc: BookInvalid) -> None:
    _err(f"Error: the book has {exc.total} problem(s); nothing was written.")
    for p in exc.problems:
        _err(f"  - {p}")
    if exc.total > len(exc.problems):
        _err(f"  ... and {exc.total - len(exc.problems)} more (the first {MAX_PROBLEMS} are shown)")


def _fail_book(exc: BookInvalid) -> None:
    _book_lines(exc)
    sys.exit(1)


def _log_internal_error(exc: BaseException | None, extra: Sequence[str] = ()) -> str:
    """Write the traceback (and any clean-up errors) to a log file in the system's temporary
    folder; its path."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = Path(tempfile.gettempdir()) / f"reserve-internal-error-{stamp}-{os.getpid()}.log"
    text = (f"reserve {__version__} internal error at {datetime.now().astimezone().isoformat(timespec='seconds')}\n"
            f"command: {' '.join(sys.argv)}\npython: {sys.version.split()[0]}\n\n"
            + ("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)) if exc is not None else "")
            + "".join(f"\nignored during clean-up:\n{e}" for e in extra))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError:
        what = traceback.format_exception_only(type(exc), exc)[-1].strip() if exc is not None else "clean-up errors"
        return f"(the log could not be written: {what})"
    return str(path)


def _unraisable_text(u) -> str:
    """An exception Python could not raise (a generator closed by the garbage collector), as text."""
    return (f"{u.err_msg or 'Exception ignored in'}: {u.object!r}\n"
            + "".join(traceback.format_exception(u.exc_type, u.exc_value, u.exc_traceback)))


class ReserveGroup(click.Group):
    """Runs every command with its output made terminal-safe and its errors turned into lines.

    The exit code of a handled error is set inside its `except` block but `sys.exit` is called
    after it: the failed step's objects (a half-written workbook and its open sheets) are then
    free, and `gc.collect()` closes them while Python's "Exception ignored in ..." messages
    still come to our hook -- a failure that is one line is not followed by a page of
    openpyxl tracebacks at exit."""

    def invoke(self, ctx):
        saved = sys.stdout, sys.stderr, sys.unraisablehook
        ignored: list[str] = []
        sys.stdout, sys.stderr = SafeStream(sys.stdout), SafeStream(sys.stderr)
        sys.unraisablehook = lambda u: ignored.append(_unraisable_text(u))
        code = None
        try:
            try:
                return super().invoke(ctx)
            except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
                raise
            except BookInvalid as exc:
                _book_lines(exc)
                code = 1
            except OutputError as exc:
                _err(f"Error: {exc}")
                code = 1
            except ReportFileError as exc:
                for p in exc.problems:
                    _err(f"Error: {exc.option} {exc.path}: {p}")
                if exc.total > len(exc.problems):
                    _err(f"  ... and {exc.total - len(exc.problems)} more problem(s) in {exc.path}")
                code = 1
            except BrokenPipeError:  # the reader of our output went away (`| head`)
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is written
                code = 1
            except Exception as exc:  # noqa: BLE001 - the CLI edge: no traceback reaches the user
                log = _log_internal_error(exc, ignored)
                _err(f"Error: internal error ({type(exc).__name__}); this is a bug in reserve, not in your input. "
                     f"The details are in {log}; nothing was written.")
                code = 1
            sys.exit(code)
        finally:
            gc.collect()  # the failed step's leftovers are closed now, their complaints caught
            if ignored and code is None:  # a run that otherwise succeeded: say so, in one line
                _err(f"Note: {len(ignored)} error(s) during clean-up were ignored; the details are in "
                     f"{_log_internal_error(None, ignored)}")
            # after an error already reported, clean-up errors are its consequences (the
            # half-written outputs are being discarded): they are not shown
            for s in (sys.stdout, sys.stderr):
                try:
                    s.flush()
                except (OSError, ValueError):
                    pass
            sys.stdout, sys.stderr, sys.unraisablehook = saved


def _compute_or_fail(book):
    """Load and compute BOOK, or print every problem of the book and exit 1."""
    from .api import compute_book

    try:
        return compute_book(book)
    except BookInvalid as exc:
        _fail_book(exc)


def _read_report(option: str, path: Path, require_schema: bool = False) -> ReportFigures:
    """A --compare / --expected report file, checked; ReportFileError (one line per problem)."""
    from .report.compare import ReportFileInvalid, read_report_file

    try:
        return read_report_file(path, require_schema=require_schema)
    except ReportFileInvalid as exc:
        raise ReportFileError(option, path, exc.problems, exc.total) from None


def _severe_failures(report: Report, fail_on: str | None) -> str | None:
    """The FAIL line of --fail-on, or None when the run passes."""
    if not fail_on:
        return None
    levels = FAIL_ON[fail_on]
    n = sum(1 for e in report.exceptions if e.severity in levels)
    if not n:
        return None
    return f"FAIL: {n} {' or '.join(levels)} exception(s) (--fail-on {fail_on})"


def _memory_policy() -> None:
    """The memory policy of a command that loads a book (reserve/memory.py, issue 13): Arrow's
    buffers from jemalloc, freed arrays' memory kept for the next ones while the book is loaded
    and computed. Only the command line sets it: a program using reserve as a library keeps
    its own."""
    from .memory import arrow_from_jemalloc, keep_freed_memory

    arrow_from_jemalloc()
    keep_freed_memory()


def _progress(quiet: bool):
    """Progress of each phase on a terminal (reserve.terminal.TerminalProgress); nothing when
    stderr is not a terminal (a CI log, a pipe) or with --quiet."""
    from .progress import NO_PROGRESS
    from .terminal import TerminalProgress

    return TerminalProgress(sys.stderr) if not quiet and sys.stderr.isatty() else NO_PROGRESS


FAIL_ON_OPTION = click.option(
    "--fail-on", "fail_on", type=click.Choice(sorted(FAIL_ON)), default=None,
    help="For CI: exit 1 when the computation has severe exceptions (`severe`), or severe or review ones "
         "(`review`). The report is written first.")


@click.group(cls=ReserveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reserve")
def main():
    """reserve: SEC Rule 15c3-3 customer and PAB reserve computations (Exhibit A, with Item 15 / Note H).

    A BOOK is an .xlsx workbook (one sheet per table) or a folder of per-table .csv/.parquet
    files; `reserve template` writes an empty one and `reserve sample` writes examples.
    """


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="reserve-report", show_default=True, type=click.Path(path_type=Path),
              help="Folder for report.html, report.xlsx, report.json and supporting/: written as one set (a new "
                   "folder, an empty one, or an earlier report folder; its parent must exist). Your own files in "
                   "it are kept; an earlier run's outputs are replaced.")
@click.option("--format", "formats", default="html,xlsx,json", show_default=True,
              help="Comma-separated outputs: html, xlsx, json.")
@click.option("--compare", "previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A previous report.json: adds last computation's amounts and the change, line by line "
                   "(warns when it is another firm's, or not dated before the book).")
@click.option("--history", "history", metavar="FOLDER",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder holding earlier report folders (searched at any depth for report.json): adds the "
                   "trend of the last 13 computations of the same firm dated before the book (a chart of the "
                   "required deposit, on deposit, deposit needed or withdrawal, total credits and debits, and "
                   "the line-by-line changes). Files passed over, missed weeks (days, months) and dates out of "
                   "order are said in the report. The --out folder may be inside it.")
@FAIL_ON_OPTION
@click.option("--quiet", is_flag=True, help="No progress messages and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def compute(book, out_dir, formats, previous, fail_on, quiet, as_json, history=None):
    """Compute both reserve formulas for BOOK and write the report."""
    _memory_policy()
    from .api import FORMATS
    from .outputs import check_output_dir

    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise click.BadParameter(f"unknown format(s) {', '.join(bad) or '(none)'}; choose from html, xlsx, json",
                                 param_hint="--format")
    check_output_dir(out_dir)  # before the work: a folder that cannot be used is said at once
    prev = _read_report("--compare", previous, require_schema=True) if previous else None
    progress = _progress(quiet)
    from .book import load_book
    from .formula import compute as compute_formula

    b = load_book(book, progress)
    result = compute_formula(b, progress)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reserve-schedules") as early:
        _compute_outputs(out_dir, b, result, chosen, prev, previous, history, fail_on, quiet, as_json, progress,
                         _start_schedules(early, result, chosen))


def _start_schedules(pool: ThreadPoolExecutor, result: Any, chosen: tuple[str, ...]) -> Any:
    """The schedules of the page and the workbook, started now on `pool` so that they are
    sorted while the report is built (render.start_schedules); None when neither is written."""
    if "html" not in chosen and "xlsx" not in chosen:
        return None
    from .report.render import start_schedules

    return start_schedules(pool, result)


def _compute_outputs(out_dir, b, result, chosen, prev, previous, history, fail_on, quiet, as_json, progress,
                     made) -> None:
    """`reserve compute` once the book is computed: the report, its outputs, the summary."""
    from .api import write_outputs
    from .outputs import resolve_out
    from .report.model import build_report
    from .report.summary import summary, summary_text

    with progress.phase("building the report"):
        report = build_report(b, result)
    if prev is not None:
        from .report.compare import add_comparison

        report = add_comparison(report, prev)
    if history is not None:  # issue 14 item 5: the earlier computations under FOLDER, this run's own excluded
        from .report.history import with_history

        with progress.phase(f"reading the earlier reports under {history}"):
            report = with_history(report, history, replacing=resolve_out(out_dir) / "report.json")
    s = summary(report)
    text = json.dumps(s.to_dict(), indent=2) if as_json else summary_text(s)
    fail = _severe_failures(report, fail_on)
    notes: list[str] = []
    from .signing import signatures_in

    signed_before = signatures_in(out_dir)
    from .memory import give_back_freed_memory

    give_back_freed_memory()  # the writers' peak is not raised by memory the computing kept
    paths = write_outputs(out_dir, b, result, chosen, report=report, previous=prev, warnings=notes, progress=progress,
                          schedules=made)
    for w in report.compared_with.warnings if report.compared_with else ():
        _err(f"Warning: --compare {previous}: {w}")
    for n in report.history.notes if report.history else ():
        _err(f"Note: --history {history}: {n}")
    for n in notes:
        _err(f"Note: {n}")
    if signed_before:  # a recompute is a new report: the old one's signatures went with it
        _err(f"Note: the previous report in {out_dir} had {signed_before} signature(s); they went with it "
             "(signoff.json was removed): this report is unsigned (DRAFT), to be signed anew")
    if as_json:
        click.echo(text)
    elif not quiet:
        click.echo(text)
        shown, root = Path(out_dir), resolve_out(out_dir)
        rel = [p.relative_to(root) for p in paths]
        top = [r for r in rel if r.parts[0] != "supporting"]
        for r in top:
            click.echo(f"wrote {shown / r}")
        if len(paths) > len(top):
            click.echo(f"wrote {len(paths) - len(top)} supporting schedule(s) in {shown / 'supporting'}")
    if fail:
        _err(fail)
        sys.exit(1)


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
def validate(book):
    """Check BOOK and print every problem; writes nothing."""
    _memory_policy()
    from .book import load_book

    try:
        b = load_book(book)
    except BookInvalid as exc:
        _fail_book(exc)
    counts = ", ".join(f"{k} {v}" for k, v in b.row_counts.items())
    click.echo(f"OK: {book} is a valid book ({counts} rows).")
    _echo_read_past(b)


def _echo_read_past(b) -> None:
    """Issue 10: what the book holds that is not part of the format is listed, never dropped quietly."""
    from .terminal import safe as clean

    if b.ignored:
        click.echo(f"Read past, not part of the book format ({len(b.ignored)}):")
        for i in b.ignored:
            where = clean(i["file"]) + (f", {i['what']} {clean(i['sheet'])}" if i["sheet"] and i["what"] != "column"
                                         else (f", sheet {clean(i['sheet'])}" if i["sheet"] else ""))
            col = f", column {clean(i['column'])}" if i["column"] else ""
            click.echo(f"  {where}{col}: {i['reason']}")



@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def template(path, force):
    """Write an empty book to PATH.xlsx: every sheet and column, with descriptions and drop-downs.

    PATH's folder must exist; an existing PATH is kept unless --force is given."""
    from .book.template import write_template
    from .outputs import write_file_atomically

    if path.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an .xlsx workbook", param_hint="PATH")
    write_file_atomically(path, write_template, "", force=force)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace sample books already in DIRECTORY.")
def sample(directory, force):
    """Write the sample books (from sample_data/) into DIRECTORY.

    DIRECTORY is created if missing (its parent must exist); books already there are kept
    unless --force is given."""
    from .samples import write_samples

    for p in write_samples(directory, force=force):
        click.echo(f"wrote {p}")


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--expected", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Expected report.json (or a JSON with the same computations section: both computations, "
                   "every item and summary figure).")
@FAIL_ON_OPTION
def check(book, expected, fail_on):
    """For CI: exit 1 when any line of BOOK's computation differs from EXPECTED.

    Also exit 1 when EXPECTED lacks a computation or a line the program computes (a check
    that compares nothing passes nothing)."""
    _memory_policy()
    from .report.compare import compare_reports, coverage_problems, fit_warnings
    from .report.model import build_report

    exp = _read_report("--expected", expected)
    b, result = _compute_or_fail(book)
    report = build_report(b, result)
    for w in fit_warnings(report, exp, "expected report", dated_before=False):
        _err(f"Warning: --expected {expected}: {w}")
    gaps = coverage_problems(report, exp)
    diffs = compare_reports(report, exp)
    failed = False
    for g in gaps:
        click.echo(f"FAIL: {expected} {g}")
        failed = True
    if diffs:
        click.echo(f"FAIL: {len(diffs)} line(s) differ from {expected}:")
        for d in diffs:
            click.echo(f"  {d['computation']:<8} {d['line']:<34} expected {d['expected']:>18}  got {d['actual']:>18}")
        failed = True
    fail = _severe_failures(report, fail_on)
    if fail:
        click.echo(fail)
        failed = True
    if failed:
        sys.exit(1)
    click.echo(f"OK: every line matches {expected}")


@main.command()
@click.argument("year", type=click.IntRange(1990, 2100))
@click.option("--book", "book", type=click.Path(path_type=Path), help="Add the book's extra holidays.")
def calendar(year, book):
    """List YEAR's business days, weekly computation dates, daily non-computation days and deposit deadlines."""
    from .calendar import BusinessCalendar

    extra = []
    if book:
        from .book import load_book
        from .formula import calendar_for

        try:
            cal = calendar_for(load_book(book))
        except BookInvalid as exc:
            _fail_book(exc)
    else:
        cal = BusinessCalendar(extra)
    click.echo(f"Federal Reserve holidays {year} (weekdays):")
    for d, name in cal.holidays_in_year(year):
        click.echo(f"  {d} {d:%a}  {name}")
    click.echo("")
    click.echo(f"{'date':<11} {'day':<4} {'weekly':<7} {'deposit by':<11} daily non-computation day")
    for r in cal.calendar_rows(year):
        d = r["date"]
        click.echo(f"{d.isoformat():<11} {d:%a}  {'yes' if r['weekly_computation'] else '':<7} "
                   f"{r['deposit_deadline'].isoformat():<11} {r['daily_non_computation'] or ''}")


@main.command()
@click.argument("books", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="BOOK...")
@click.option("--against", "prepared", default=None, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The prepared computation: a report.json, or an .xlsx schedule with columns `line` (Item number or "
                   "FOCUS box) and `amount` (optional `computation`: customer/pab).")
@click.option("--tolerance", default="0.00", show_default=True, help="Largest difference accepted per line, in dollars.")
@click.option("--out", "out_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the variances to this file: .json (with the rows behind each line) or .csv. "
                   "Its folder must exist. Without --out nothing is written.")
@click.option("--series", "series", default=None, type=click.Path(path_type=Path), metavar="PATH",
              help="Hindsight re-performance: each BOOK is a corrected book for a past date, set against its "
                   "original report.json under PATH (a folder of earlier report folders, as --history reads).")
@click.option("--json", "as_json", is_flag=True, help="With --series: print the re-performance as JSON.")
def reperform(books, prepared, tolerance, out_path, series, as_json):
    """Recompute BOOK and compare it line by line with PREPARED (--against); exit 1 on any
    variance above --tolerance. With --series PATH instead: recompute each corrected BOOK and
    set it against its original report under PATH (hindsight deficiency: exit 1)."""
    _memory_policy()
    if (prepared is None) == (series is None):
        raise click.UsageError("give one of --against PREPARED or --series PATH")
    if series is not None:
        if tolerance != "0.00":
            raise click.UsageError("--tolerance applies to --against only")
        _reperform_series(books, series, out_path, as_json)
        return
    if as_json:
        raise click.UsageError("--json applies to --series only")
    if len(books) != 1:
        raise click.UsageError("--against compares one BOOK")
    book = books[0]
    from .outputs import check_output_file, write_file_atomically
    from .report.compare import ReportFileInvalid, fit_warnings
    from .report.model import build_report
    from .report.reperform import (
        PreparedInvalid,
        format_variances,
        parse_tolerance,
        read_prepared,
        variances_file_is_ours,
        write_variances,
    )
    from .report.reperform import reperform as run

    try:
        tol = parse_tolerance(tolerance)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--tolerance") from None
    if out_path is not None and out_path.suffix.lower() not in (".json", ".csv"):
        raise click.BadParameter("the variances are written as .json or .csv", param_hint="--out")
    if out_path is not None:  # say at once, before the work, when the file cannot be written
        check_output_file(out_path, "--out", force=False, ours=variances_file_is_ours)
    try:
        lines, meta = read_prepared(prepared)
    except ReportFileInvalid as exc:
        raise ReportFileError("--against", prepared, exc.problems, exc.total) from None
    except PreparedInvalid as exc:
        _err(f"Error: {prepared} cannot be used as the prepared computation:")
        for p in exc.problems:
            _err(f"  - {p}")
        sys.exit(1)
    b, result = _compute_or_fail(book)
    report = build_report(b, result)
    warnings = fit_warnings(report, meta, "prepared report", dated_before=False) if meta else []
    variances = run(b, result, report, lines, tol)
    text = format_variances(variances, tol)
    if out_path is not None:
        write_file_atomically(out_path, lambda p: write_variances(p, variances, tol), "--out", force=False,
                              ours=variances_file_is_ours)
    for w in warnings:
        _err(f"Warning: --against {prepared}: {w}")
    click.echo(text)
    if out_path is not None:
        click.echo(f"wrote {out_path}")
    if any(v.over_tolerance for v in variances):
        sys.exit(1)


def _reperform_series(books, series, out_path, as_json):
    """`reperform BOOK... --series PATH` (issue 15 item 3; reserve.series.hindsight)."""
    import json

    from .api import hindsight
    from .outputs import check_output_file, write_file_atomically
    from .report.hindsight_text import (
        SeriesInvalid,
        format_hindsight,
        hindsight_doc,
        hindsight_file_is_ours,
        write_hindsight,
    )

    if not series.is_dir():
        raise click.BadParameter(f"{series} is not a folder", param_hint="--series")
    if out_path is not None and out_path.suffix.lower() not in (".json", ".csv"):
        raise click.BadParameter("the re-performance is written as .json or .csv", param_hint="--out")
    if out_path is not None:
        check_output_file(out_path, "--out", force=False, ours=hindsight_file_is_ours)
    try:
        rows, notes, unmatched = hindsight(books, series)  # deposits: the series' own deposits tables, if any
    except BookInvalid as exc:
        _fail_book(exc)
    except SeriesInvalid as exc:
        raise ReportFileError("--series", series, exc.problems) from None
    for u in unmatched:
        _err(f"Warning: {u}; not re-performed.")
    if not rows:
        _err(f"Error: no corrected book has an original report under {series}.")
        sys.exit(2)
    if out_path is not None:
        write_file_atomically(out_path, lambda p: write_hindsight(p, rows, notes), "--out", force=False,
                              ours=hindsight_file_is_ours)
    if as_json:
        doc = hindsight_doc(rows, notes)
        doc["unmatched"] = unmatched
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(format_hindsight(rows, notes))
        if out_path is not None:
            click.echo(f"wrote {out_path}")
    if any(r.deficiency > 0 for r in rows):
        sys.exit(1)


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--set", "settings", multiple=True, required=True, metavar="NAME=VALUE",
              help="A setting, repeatable: a parameter (`frequency=daily`, `net_capital_method=basic`, "
                   "`as_of=2026-11-27`) or a column of the rows a selector picks "
                   "(`cca[cca_id=FICC].written_contract=false`; every row it picks is set). The value is "
                   "text as a cell of a CSV book holds it, typed and checked as the book's own cell would be.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON (amounts as exact text).")
def whatif(book, settings, as_json):
    """Compute BOOK as it is and with the --set settings, and print them side by side.

    For each computation: every line that differs and every summary figure (the debit
    reduction with its rate: 3%, 2% or 1%), base, scenario and difference; then the settings
    as applied and the exceptions that appear or disappear. Nothing is written: the book is
    only read. A setting that names nothing is one line (exit 2); a value that fails the
    book's checks is the book's problem naming the setting (exit 1).

    \b
    Examples:
      reserve whatif book.xlsx --set frequency=daily --set daily_basis=required
      reserve whatif book.xlsx --set net_capital_method=basic
      reserve whatif book.xlsx --set "cca[cca_id=FICC].written_contract=false"
      reserve whatif book.xlsx --set "cca_requirements[account_id=C-2001].account_structure=omnibus_net" \\
                               --set "cca_requirements[account_id=C-2001].basis=net"
    """
    _memory_policy()
    from .api import whatif as run
    from .book.scenario import ScenarioInvalid, SettingError
    from .report.whatif import whatif_text

    try:
        w = run(book, settings, _progress(as_json))
    except SettingError as exc:
        _err(f"Error: {exc}")
        sys.exit(2)
    except ScenarioInvalid as exc:
        _err(f"Error: with the settings applied, the book has {exc.total} problem(s); nothing was computed:")
        for p in exc.problems:
            _err(f"  - {p}")
        if exc.total > len(exc.problems):
            _err(f"  ... and {exc.total - len(exc.problems)} more (the first {MAX_PROBLEMS} are shown)")
        sys.exit(1)
    click.echo(json.dumps(w.to_dict(), indent=2, ensure_ascii=False) if as_json else whatif_text(w))



@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="The folder series.html and series.xlsx are written into (as one set).")
@click.option("--quiet", is_flag=True, help="Print nothing on success (files passed over are still said on stderr).")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON (amounts as exact text).")
def series(paths, out_dir, quiet, as_json):
    """Read the report.json files of one firm under PATH... (report folders, folders holding
    them at any depth, or report.json files; never a book) and write the series into --out:
    series.html and series.xlsx.

    Every computation in date order (customer and PAB: required deposit, on deposit, deposit
    needed, withdrawal permitted, deadline) with a chart; the gaps (a daily filer's missing
    business days apart from the FAQ 2025-12-08 Q6 non-computation days, a weekly filer's
    missing weeks, computations on days that are not business days); the average total
    credits over the month-end computations (Rule 15c3-3(e)(3)(i)(B)(1)) and the dates it
    sets; test computations apart. When the reports carry a deposits table: deposits made
    versus required (each deposit needed against the deposits credited by its deadline, the
    deficiencies with the facts of the Rule 15c3-3(i) notice; each day's withdrawals against
    the computation of that day, Rule 15c3-3(g)).

    \b
    Exit status:
      0  written;
      1  written, and a deficiency, or a withdrawal not covered by a computation
         (or exceeding the withdrawal permitted), was found;
      2  a PATH that cannot be used, reports of two firms in equal number, or
         an --out that cannot be written (one line).
    """
    from .api import series as run
    from .money import format_cents
    from .series.html import deposits_summary
    from .series.model import DEPOSITS_NOT_CHECKED
    from .series.read import SeriesError

    try:
        s, written, notes = run(paths, out_dir)
    except SeriesError as exc:
        _err(f"Error: {exc}")
        sys.exit(2)
    except OutputError as exc:
        _err(f"Error: {exc}")
        sys.exit(2)
    for n in (*s.passed_over, *s.superseded, *notes):
        _err(f"note: {n}")
    dep = s.deposits
    if as_json:
        latest = s.average.latest
        doc = {"firm_name": s.firm_name, "computations": len(s.runs), "tests": len(s.tests),
               "first_as_of": s.runs[0].as_of.isoformat() if s.runs else None,
               "last_as_of": s.runs[-1].as_of.isoformat() if s.runs else None,
               "gaps": [{"day": g.day.isoformat(), "kind": g.kind, "rule": g.rule} for g in s.gaps],
               "average_total_credits": None if latest is None or latest.average_cents is None else
               {"as_of": latest.as_of.isoformat(), "months": latest.months,
                "average": format_cents(latest.average_cents)},
               "crossings": [{"direction": c.direction, "month_end": c.month_end.isoformat(),
                              "date": c.date.isoformat(), "rule": c.rule} for c in s.average.crossings],
               "passed_over": list(s.passed_over), "superseded": list(s.superseded),
               "deposits": None if dep is None else
               {"deficiencies": len(dep.deficiencies), "uncovered_withdrawals": len(dep.uncovered),
                "met": dep.met, "computations": len(dep.obligations),
                "by_status": {st: dep.count(st) for st in sorted({o.status for o in dep.obligations})},
                "evidence_until": dep.evidence_until.isoformat(), "rows": len(dep.movements), "repeats": dep.repeats,
                "deficiency_list": [{"as_of": o.as_of.isoformat(), "computation": o.computation,
                                     "deposit_needed": format_cents(o.obligation.deposit_needed or 0),
                                     "credited_by_deadline": format_cents(o.credited or 0),
                                     "shortfall": format_cents(o.shortfall), "days_outstanding": o.days_outstanding,
                                     "cured_on": None if o.cured_on is None else o.cured_on.isoformat(), "rule": o.rule}
                                    for o in dep.deficiencies],
                "uncovered_list": [{"day": w.day.isoformat(), "computation": w.computation,
                                    "withdrawals": format_cents(w.amount), "status": w.status,
                                    "not_covered": format_cents(w.excess), "rule": w.rule} for w in dep.uncovered]},
               "written": [str(w) for w in written]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    elif not quiet:
        span = f"{s.runs[0].as_of.isoformat()} to {s.runs[-1].as_of.isoformat()}" if s.runs else "none"
        click.echo(f"{s.firm_name}: {len(s.runs)} computation(s), {span}; {len(s.tests)} test computation(s); "
                   f"{len(s.gaps)} gap(s); {len(s.passed_over) + len(s.superseded)} file(s) not in the series")
        for c in s.average.crossings:
            click.echo(f"  {c.text}")
        for r in s.reminders:
            click.echo(f"  {r}")
        click.echo(f"  {deposits_summary(dep)}" if dep is not None else f"  {DEPOSITS_NOT_CHECKED}")
        if dep is not None:
            for o in dep.deficiencies:
                click.echo(f"  DEFICIENCY {o.reason} ({o.rule})")
            for w in dep.uncovered:
                click.echo(f"  WITHDRAWAL {w.reason} ({w.rule})")
        click.echo(f"wrote {', '.join(str(w) for w in written)}")
    if dep is not None and (dep.deficiencies or dep.uncovered):
        sys.exit(1)  # written; a deficiency or a withdrawal not covered was found

def _signoff_failed(exc: Exception) -> None:
    _err(f"Error: {exc}")
    sys.exit(1)


def _clean_text(value: str, option: str, required: bool) -> str:
    """A name or comment: trimmed, one line, no control characters (usage error otherwise)."""
    text = (value or "").strip()
    if required and not text:
        raise click.BadParameter("give the signer's name", param_hint=option)
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text):
        raise click.BadParameter("must be one line of text, without control characters", param_hint=option)
    return text


@main.command()
@click.argument("report_dir", metavar="REPORT_DIR", type=click.Path(path_type=Path))
@click.option("--role", required=True, type=click.Choice(["preparer", "reviewer", "approver"]),
              help="The role signed in: preparer, then reviewer, then approver (one signature each).")
@click.option("--name", required=True, help="Who signs (the preparer may not also approve).")
@click.option("--comment", default="", help="A comment recorded with the signature.")
def sign(report_dir, role, name, comment):
    """Sign REPORT_DIR's report.json in a role: records who, when (UTC) and the report's SHA-256
    in signoff.json, and re-renders the sign-off of report.html and report.xlsx.

    An attestation record: no credentials are stored; anyone with write access can sign."""
    from .report.signoff import Role, SignoffError
    from .signing import sign as add_signature

    name = _clean_text(name, "--name", required=True)
    comment = _clean_text(comment, "--comment", required=False)
    try:
        sig, v = add_signature(report_dir, Role(role), name, comment)
    except SignoffError as exc:
        _signoff_failed(exc)
    click.echo(f"signed {report_dir / 'report.json'} as {sig.role.value}: {sig.name}, {sig.signed_at}, "
               f"sha256 {sig.report_sha256[:12]}…")
    click.echo(v.headline)


@main.command()
@click.argument("report_dir", metavar="REPORT_DIR", type=click.Path(path_type=Path))
@click.option("--render", "rerender", is_flag=True,
              help="Also re-render the sign-off of report.html and report.xlsx (VALID / INVALID, DRAFT) "
                   "from signoff.json and the current report.json.")
def verify(report_dir, rerender):
    """Check every signature of REPORT_DIR against its current report.json: VALID or INVALID
    each; exit 1 on any INVALID. An unsigned report is DRAFT (exit 0)."""
    from .report.signoff import SignoffError
    from .signing import read_folder, render

    try:
        f = read_folder(report_dir)
        if rerender:
            render(report_dir)
    except SignoffError as exc:
        _signoff_failed(exc)
    from .report.signoff import view

    v = view(f.signoff, f.current)
    for g in v.signatures:
        click.echo(f"{'VALID' if g.valid else 'INVALID':<8} {g.role:<9} {g.name}  {g.signed_at}"
                   + ("" if g.valid else f"  (signed sha256 {g.hash_prefix}…, report.json now {v.report_hash_prefix}…)"))
    bad = sum(1 for g in v.signatures if not g.valid)
    if bad:
        click.echo(f"INVALID: {bad} of {len(v.signatures)} signature(s) do not match {report_dir / 'report.json'} "
                   "(it changed after it was signed)")
        sys.exit(1)
    if not v.signatures:
        click.echo(f"DRAFT: {report_dir / 'report.json'} is not signed (unsigned roles: {', '.join(v.unsigned)})")
    elif v.unsigned:
        click.echo(f"VALID: {len(v.signatures)} signature(s) match report.json; DRAFT: unsigned roles: "
                   f"{', '.join(v.unsigned)}")
    else:
        click.echo(f"VALID: {len(v.signatures)} signature(s) match report.json; approved")


if __name__ == "__main__":  # pragma: no cover
    main()
