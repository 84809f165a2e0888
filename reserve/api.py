"""The library API the CLI (and tests) call: load, compute, write — each separate.

    book = load_book(path)            # reads files; raises BookInvalid with every problem
    result = compute(book)            # pure: no I/O
    report = build_report(book, result)
    write_outputs(out_dir, book, result, formats)   # one set: all files or none, never mixed
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .book import Book, load_book
from .errors import BookInvalid
from .formula import compute
from .outputs import OutputError, publish
from .report.json_report import build_report, dumps

FORMATS = ("html", "xlsx", "json")


def compute_book(path) -> tuple[Book, object]:
    book = load_book(path)
    return book, compute(book)


def write_outputs(out_dir, book, result, formats=FORMATS, report: dict | None = None,
                  previous: dict | None = None, run_time: datetime | None = None,
                  warnings: list[str] | None = None) -> list[Path]:
    """Write the chosen renderings into out_dir as one set (`reserve.outputs.publish`): the
    whole set is written in a hidden folder beside out_dir and switched in by one atomic
    rename; the user's own files in out_dir are kept; an earlier run's files are removed.
    Raises OutputError (one line; out_dir untouched) when the folder cannot be used or
    written. Notes about leftovers of killed runs are appended to `warnings`."""
    report = report or build_report(book, result, run_time)

    def write(folder: Path) -> list[str]:
        written = []
        if "json" in formats:
            (folder / "report.json").write_text(dumps(report), encoding="utf-8")
            written.append("report.json")
        if "html" in formats or "xlsx" in formats:
            from .report import render  # the HTML and workbook renderers

            written += render.render_all(folder, book, result, report, formats, previous)
        return written

    about = {"program": report.get("program"), "run_at": report.get("run_at"), "firm_name": report.get("firm_name"),
             "as_of": report.get("as_of"), "book": str(getattr(book, "label", "") or ""),
             "formats": [f for f in FORMATS if f in formats]}
    out, written, notes = publish(out_dir, write, about)
    if warnings is not None:
        warnings += notes
    return [out / w for w in written]


__all__ = ["BookInvalid", "FORMATS", "OutputError", "build_report", "compute", "compute_book", "load_book", "write_outputs"]
