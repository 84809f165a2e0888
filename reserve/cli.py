"""The `reserve` command line: parse options, call the API, print, exit.

Exit codes: 0 success; 1 the book is invalid or a check failed (errors printed, nothing
written); 2 usage error (click's own).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import MAX_PROBLEMS, BookInvalid


def _fail_book(exc: BookInvalid) -> None:
    click.echo(f"Error: the book has {exc.total} problem(s); nothing was written.", err=True)
    for p in exc.problems:
        click.echo(f"  - {p}", err=True)
    if exc.total > len(exc.problems):
        click.echo(f"  ... and {exc.total - len(exc.problems)} more (the first {MAX_PROBLEMS} are shown)", err=True)
    sys.exit(1)


def _compute_or_fail(book):
    """Load and compute BOOK, or print every problem of the book and exit 1."""
    from .api import compute_book

    try:
        return compute_book(book)
    except BookInvalid as exc:
        _fail_book(exc)


class _Progress:
    """Stage messages on a terminal; silent when stderr is not a terminal or --quiet."""

    def __init__(self, quiet: bool):
        self.on = not quiet and sys.stderr.isatty()

    def __call__(self, msg: str) -> None:
        if self.on:
            click.echo(f"... {msg}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reserve")
def main():
    """reserve: SEC Rule 15c3-3 customer and PAB reserve computations (Exhibit A, with Item 15 / Note H).

    A BOOK is an .xlsx workbook (one sheet per table) or a folder of per-table .csv/.parquet
    files; `reserve template` writes an empty one and `reserve sample` writes examples.
    """


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", default="reserve-report", show_default=True, type=click.Path(path_type=Path),
              help="Folder for report.html, report.xlsx and report.json.")
@click.option("--format", "formats", default="html,xlsx,json", show_default=True,
              help="Comma-separated outputs: html, xlsx, json.")
@click.option("--compare", "previous", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A previous report.json: adds last computation's amounts and the change, line by line.")
@click.option("--quiet", is_flag=True, help="No progress messages and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def compute(book, out_dir, formats, previous, quiet, as_json):
    """Compute both reserve formulas for BOOK and write the report."""
    from .api import FORMATS, write_outputs
    from .report.json_report import build_report

    chosen = tuple(f.strip().lower() for f in formats.split(",") if f.strip())
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise click.BadParameter(f"unknown format(s) {', '.join(bad) or '(none)'}; choose from html, xlsx, json",
                                 param_hint="--format")
    prev = None
    if previous:
        try:
            prev = json.loads(previous.read_text(encoding="utf-8"))
            if prev.get("schema") != "reserve.report/1":
                raise ValueError("not a reserve report.json (schema reserve.report/1)")
        except (ValueError, OSError) as exc:
            click.echo(f"Error: --compare {previous}: {exc}", err=True)
            sys.exit(1)
    progress = _Progress(quiet)
    from .book import load_book
    from .formula import compute as compute_formula

    progress(f"loading {book}")
    try:
        b = load_book(book)
    except BookInvalid as exc:
        _fail_book(exc)
    progress(f"computing ({sum(b.row_counts.values()):,} rows)")
    result = compute_formula(b)
    progress("writing the report")
    report = build_report(b, result)
    if prev is not None:
        from .report.compare import add_comparison

        report = add_comparison(report, prev)
    paths = write_outputs(out_dir, b, result, chosen, report=report, previous=prev)
    if as_json:
        click.echo(json.dumps(_summary(report), indent=2))
    elif not quiet:
        click.echo(_summary_text(report))
        top = [p for p in paths if "supporting" not in p.parts]
        for p in top:
            click.echo(f"wrote {p}")
        if len(paths) > len(top):
            click.echo(f"wrote {len(paths) - len(top)} supporting schedule(s) in {Path(out_dir) / 'supporting'}")


def _summary(report: dict) -> dict:
    out = {"firm_name": report["firm_name"], "as_of": report["as_of"]}
    for name, c in report["computations"].items():
        out[name] = {k: c[k] for k in ("required_deposit", "on_deposit", "deposit_needed", "withdrawal_permitted",
                                       "deposit_deadline")}
    out["exceptions"] = len(report["exceptions"])
    return out


def _summary_text(report: dict) -> str:
    from .money import format_display, parse_decimal_text

    lines = [f"{report['firm_name']} — reserve computation as of {report['as_of']}"]
    for name, label in (("customer", "Customer"), ("pab", "PAB")):
        c = report["computations"][name]
        need = parse_decimal_text(c["deposit_needed"])
        line = (f"  {label:<9} required {format_display(parse_decimal_text(c['required_deposit'])):>18}"
                f"   on deposit {format_display(parse_decimal_text(c['on_deposit'])):>18}")
        if need > 0:
            line += f"   DEPOSIT NEEDED {format_display(need)} by {c['deposit_deadline']}"
        else:
            line += f"   no deposit needed (withdrawal permitted {format_display(parse_decimal_text(c['withdrawal_permitted']))})"
        lines.append(line)
    severe = sum(1 for e in report["exceptions"] if e["severity"] == "severe")
    lines.append(f"  {len(report['exceptions'])} exception(s), {severe} severe")
    return "\n".join(lines)


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
def validate(book):
    """Check BOOK and print every problem; writes nothing."""
    from .book import load_book

    try:
        b = load_book(book)
    except BookInvalid as exc:
        _fail_book(exc)
    counts = ", ".join(f"{k} {v}" for k, v in b.row_counts.items())
    click.echo(f"OK: {book} is a valid book ({counts} rows).")


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def template(path):
    """Write an empty book to PATH.xlsx: every sheet and column, with descriptions and drop-downs."""
    from .book.template import write_template

    if path.suffix.lower() != ".xlsx":
        raise click.BadParameter("the template is an .xlsx workbook", param_hint="PATH")
    write_template(path)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def sample(directory):
    """Write the sample books (from sample_data/) into DIRECTORY."""
    from .samples import write_samples

    for p in write_samples(directory):
        click.echo(f"wrote {p}")


@main.command()
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--expected", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Expected report.json (or a JSON with the same computations section).")
def check(book, expected):
    """For CI: exit 1 when any line of BOOK's computation differs from EXPECTED."""
    from .report.compare import compare_reports
    from .report.json_report import build_report

    try:
        exp = json.loads(expected.read_text(encoding="utf-8"))
    except ValueError as exc:
        click.echo(f"Error: {expected} is not JSON: {exc}", err=True)
        sys.exit(1)
    b, result = _compute_or_fail(book)
    diffs = compare_reports(build_report(b, result), exp)
    if diffs:
        click.echo(f"FAIL: {len(diffs)} line(s) differ from {expected}:")
        for d in diffs:
            click.echo(f"  {d['computation']:<8} {d['line']:<34} expected {d['expected']:>18}  got {d['actual']:>18}")
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
@click.argument("book", type=click.Path(path_type=Path))
@click.option("--against", "prepared", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The prepared computation: a report.json, or an .xlsx schedule with columns `line` (Item number or "
                   "FOCUS box) and `amount` (optional `computation`: customer/pab).")
@click.option("--tolerance", default="0.00", show_default=True, help="Largest difference accepted per line, in dollars.")
@click.option("--out", "out_path", default="reperform.json", show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the variances: .json (with the rows behind each line) or .csv.")
def reperform(book, prepared, tolerance, out_path):
    """Recompute BOOK and compare it line by line with PREPARED; exit 1 on any variance above --tolerance."""
    from .report.json_report import build_report
    from .report.reperform import (PreparedInvalid, format_variances, load_prepared, parse_tolerance,
                                   reperform as run, write_variances)

    try:
        tol = parse_tolerance(tolerance)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--tolerance")
    try:
        lines = load_prepared(prepared)
    except PreparedInvalid as exc:
        click.echo(f"Error: {prepared} cannot be used as the prepared computation:", err=True)
        for p in exc.problems:
            click.echo(f"  - {p}", err=True)
        sys.exit(1)
    b, result = _compute_or_fail(book)
    variances = run(b, result, build_report(b, result), lines, tol)
    click.echo(format_variances(variances, tol))
    click.echo(f"wrote {write_variances(out_path, variances, tol)}")
    if any(v.over_tolerance for v in variances):
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
