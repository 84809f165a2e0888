"""The library API the CLI (and tests) call: load, compute, write — each separate.

    book = load_book(path)            # reads files; raises BookInvalid with every problem
    result = compute(book)            # pure: no I/O
    report = build_report(book, result)   # the typed Report (reserve.report.model)
    write_outputs(out_dir, book, result, formats)   # one set: all files or none, never mixed
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from .book import Book, load_book
from .errors import BookInvalid
from .formula import compute
from .formula.model import Result
from .outputs import OutputError, publish
from .progress import NO_PROGRESS, Progress
from .report.model import Report, ReportFigures, build_report

FORMATS = ("html", "xlsx", "json")


def compute_book(path: str | Path) -> tuple[Book, Result]:
    """Load the book at PATH (BookInvalid with every problem) and compute it."""
    book = load_book(path)
    return book, compute(book)


def write_outputs(out_dir: str | Path, book: Book, result: Result, formats: Iterable[str] = FORMATS,
                  report: Report | None = None, previous: ReportFigures | None = None,
                  run_time: datetime | None = None, warnings: list[str] | None = None,
                  progress: Progress = NO_PROGRESS) -> list[Path]:
    """Write the chosen renderings into out_dir as one set (`reserve.outputs.publish`): the
    whole set is written in a hidden folder beside out_dir and switched in by one atomic
    rename; the user's own files in out_dir are kept; an earlier run's files are removed.
    Raises OutputError (one line; out_dir untouched) when the folder cannot be used or
    written. Notes about leftovers of killed runs are appended to `warnings`. `progress` is
    told of each output written."""
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

            rendered = render.render_all(folder, book, result, report, formats, previous, progress)
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


__all__ = ["BookInvalid", "FORMATS", "OutputError", "build_report", "compute", "compute_book", "load_book", "write_outputs"]
