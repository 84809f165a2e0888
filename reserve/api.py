"""The library API the CLI (and tests) call: load, compute, write — each separate.

    book = load_book(path)            # reads files; raises BookInvalid with every problem
    result = compute(book)            # pure: no I/O
    report = build_report(book, result)
    write_outputs(out_dir, book, result, formats)   # atomic: all files or none
"""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from .book import Book, load_book
from .errors import BookInvalid
from .formula import compute
from .report.json_report import build_report, dumps

FORMATS = ("html", "xlsx", "json")


def compute_book(path) -> tuple[Book, object]:
    book = load_book(path)
    return book, compute(book)


def write_outputs(out_dir, book, result, formats=FORMATS, report: dict | None = None,
                  previous: dict | None = None, run_time: datetime | None = None) -> list[Path]:
    """Write the chosen renderings into out_dir atomically: everything is written in a
    temporary folder beside it and moved into place only when all succeeded."""
    out = Path(out_dir)
    report = report or build_report(book, result, run_time)
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    written = []
    try:
        if "json" in formats:
            (tmp / "report.json").write_text(dumps(report), encoding="utf-8")
            written.append("report.json")
        if "html" in formats or "xlsx" in formats:
            from .report import render  # the HTML and workbook renderers

            written += render.render_all(tmp, book, result, report, formats, previous)
        out.mkdir(parents=True, exist_ok=True)
        for name in os.listdir(tmp):
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(tmp / name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [out / w for w in written]


__all__ = ["BookInvalid", "FORMATS", "build_report", "compute", "compute_book", "load_book", "write_outputs"]
