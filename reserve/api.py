"""The library API the CLI (and tests) call: load, compute, write — each separate.

    book = load_book(path)            # reads files; raises BookInvalid with every problem
    result = compute(book)            # pure: no I/O
    report = build_report(book, result)   # the typed Report (reserve.report.model)
    write_outputs(out_dir, book, result, formats)   # one set: all files or none, never mixed
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .book import Book, load_book
from .errors import BookInvalid
from .formula import compute
from .formula.model import Result
from .outputs import OutputError, publish
from .progress import NO_PROGRESS, Progress
from .report.model import Report, ReportFigures, build_report

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .report.supporting import Schedule
    from .report.whatif import WhatIf
    from .series.hindsight import Hindsight

FORMATS = ("html", "xlsx", "json")


def compute_book(path: str | Path) -> tuple[Book, Result]:
    """Load the book at PATH (BookInvalid with every problem) and compute it."""
    book = load_book(path)
    return book, compute(book)


def whatif(path: str | Path, settings: Sequence[str], progress: Progress = NO_PROGRESS,
           run_time: datetime | None = None) -> WhatIf:
    """`reserve whatif`: the book at PATH computed as it is and with `settings` applied
    (reserve.book.scenario), side by side (reserve.report.whatif); nothing is written.
    Raises SettingError (a setting naming nothing), BookInvalid (the book as it is),
    ScenarioInvalid (the book with the settings: the problems naming the setting)."""
    from .book import load_book_with
    from .book.scenario import parse_settings
    from .report.whatif import what_if

    parsed = parse_settings(settings)  # before the work: a setting naming nothing is said at once
    base_book = load_book(path, progress)
    scenario_book, applied = load_book_with(path, parsed, progress)
    run_time = run_time or datetime.now().astimezone()
    base = build_report(base_book, compute(base_book, progress), run_time)
    scenario = build_report(scenario_book, compute(scenario_book, progress), run_time)
    return what_if(base, scenario, applied, str(path))


def series(paths: Sequence[str | Path], out_dir: str | Path) -> tuple[object, list[Path], list[str]]:
    """`reserve series`: the series of the report.json files under `paths` (reserve.series.read:
    report.json files only, never a book) written into out_dir as one set, series.html and
    series.xlsx (`reserve.outputs.publish`). Returns (the Series, the files written, notes
    about leftovers of killed runs). Raises SeriesError (a PATH that cannot be used, a series
    whose firm cannot be told) before anything is written, OutputError (out_dir)."""
    from .series.html import render_series_html
    from .series.read import read_series
    from .series.xlsx import write_series_xlsx

    s = read_series(paths)

    def write(folder: Path) -> list[str]:
        (folder / "series.html").write_text(render_series_html(s), encoding="utf-8")
        write_series_xlsx(s, folder / "series.xlsx")
        return ["series.html", "series.xlsx"]

    about = {"command": "series", "firm_name": s.firm_name,
             "as_of": [s.runs[0].as_of.isoformat(), s.runs[-1].as_of.isoformat()] if s.runs else [],
             "paths": [str(p) for p in paths]}
    out, written, notes = publish(out_dir, write, about)
    return s, [out / w for w in written], notes


def hindsight(paths: Sequence[str | Path], series: str | Path,
              deposits: Mapping[tuple[str, date], int] | None = None) -> tuple[list[Hindsight], list[str], list[str]]:
    """`reserve reperform BOOK... --series PATH` (issue 15 item 3): each corrected book at
    `paths` recomputed (as `compute` does; nothing written) and set against its original
    report under `series` (reserve.report.hindsight_text.read_originals; reserve.series.hindsight).
    Returns (rows by date and computation, notes, the books without an original, said).
    Raises BookInvalid (a corrected book) or SeriesInvalid (a report.json under `series`).

    `deposits` ({(computation, as_of): net cents credited after the computation and by its
    deadline}) defaults to the series' own deposit check (reserve.series.deposits) when the
    reports under `series` carry a deposits table: the net credited in each computation's
    window whose deadline the evidence covers, for the firm of that series only. Without one,
    deposits are not evidenced (reserve.series.hindsight)."""
    from .report.hindsight_text import read_originals
    from .report.history import firm_key
    from .series.hindsight import hindsight as one

    originals, notes = read_originals(series)
    by_firm: dict[str, Mapping[tuple[str, date], int]] = {}
    if deposits is None:
        by_firm = _series_deposits(series, notes)
    rows: list[Hindsight] = []
    unmatched: list[str] = []
    for path in paths:
        book = load_book(path)
        figures = build_report(book, compute(book)).figures()
        as_of = date.fromisoformat(str(figures.as_of))
        orig = originals.get((firm_key(figures.firm_name), as_of))
        if orig is None:
            unmatched.append(f"{path}: no original report of {figures.firm_name!r} as of {as_of.isoformat()} under "
                             f"{series}")
            continue
        credited = deposits if deposits is not None else by_firm.get(firm_key(figures.firm_name))
        for name, comp in figures.computations.items():
            was = orig.figures.computations.get(name)
            if was is None:
                notes.append(f"{path}: the original {orig.file} has no {name.value} computation; not compared.")
                continue
            rows.append(one(as_of, name.value, orig.file, was.amounts, comp.amounts, credited,
                            orig.deadlines.get(name.value)))
    rows.sort(key=lambda r: (r.as_of, r.computation))
    return rows, notes, unmatched


def _series_deposits(series: str | Path, notes: list[str]) -> dict[str, Mapping[tuple[str, date], int]]:
    """{firm key: the net credited by each deadline} from the deposit check of the series
    under `series` (reserve.series.read); empty when its reports carry no deposits table."""
    from .report.history import firm_key
    from .series.deposits import credited_by_deadline
    from .series.read import SeriesError, read_series

    try:
        s = read_series([series])
    except SeriesError as exc:
        notes.append(f"The deposits under {series} are not read ({exc}): deposits are not evidenced.")
        return {}
    if s.deposits is None:
        return {}
    passed = [n for n in s.passed_over if " passed over: " in n]
    notes.append(f"Deposits evidenced by the deposits tables of the reports under {series} (firm {s.firm_name!r}): the "
                 "net credited after each computation and by its deadline (reserve series' deposit check); a "
                 "computation whose deadline is after the evidence is not evidenced."
                 + (f" {len(passed)} report.json file(s) not read for deposits (see reserve series)." if passed else ""))
    return {firm_key(s.firm_name): credited_by_deadline(s.deposits)}


def write_outputs(out_dir: str | Path, book: Book, result: Result, formats: Iterable[str] = FORMATS,
                  report: Report | None = None, previous: ReportFigures | None = None,
                  run_time: datetime | None = None, warnings: list[str] | None = None,
                  progress: Progress = NO_PROGRESS, schedules: Future[list[Schedule]] | None = None) -> list[Path]:
    """Write the chosen renderings into out_dir as one set (`reserve.outputs.publish`): the
    whole set is written in a hidden folder beside out_dir and switched in by one atomic
    rename; the user's own files in out_dir are kept; an earlier run's files are removed.
    Raises OutputError (one line; out_dir untouched) when the folder cannot be used or
    written. Notes about leftovers of killed runs are appended to `warnings`. `progress` is
    told of each output written. `schedules`: the schedules already being made
    (`render.start_schedules`), else they are made here."""
    report = report or build_report(book, result, run_time)
    formats = tuple(formats)

    def write(folder: Path) -> list[str]:
        written = []
        if "json" in formats:
            with progress.phase("writing report.json"):
                (folder / "report.json").write_text(report.to_json(), encoding="utf-8")
            written.append("report.json")
        if "html" in formats or "xlsx" in formats:
            from .report import render  # the HTML and workbook renderers

            rendered = render.render_all(folder, book, result, report, formats, previous, progress, schedules)
            written += rendered
            # the CSV copy of a schedule too long for its workbook sheet, written beside its
            # Parquet file (supporting.write_trail): part of the set, named in the manifest
            written += [csv for csv in (n.removesuffix(".parquet") + ".csv" for n in rendered if n.endswith(".parquet"))
                        if (folder / csv).is_file()]
        return written

    about = {"program": {"name": report.program.name, "version": report.program.version},
             "run_at": report.run_at_text, "firm_name": report.firm_name,
             "as_of": report.as_of.isoformat(), "book": str(getattr(book, "label", "") or ""),
             "formats": [f for f in FORMATS if f in formats]}
    out, written, notes = publish(out_dir, write, about)
    if warnings is not None:
        warnings += notes
    return [out / w for w in written]


__all__ = ["BookInvalid", "FORMATS", "OutputError", "build_report", "compute", "compute_book", "hindsight", "load_book",
           "series", "whatif", "write_outputs"]
