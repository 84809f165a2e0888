"""The book: the only part of `reserve` that reads files.

`load_book(path)` reads, types and validates a whole book and returns a `Book`, or raises
`BookInvalid` carrying every problem found (up to a cap, with the total count). The stages:

    read.read_book     files -> RawBook (untyped chunks; guard.py refuses hostile files)
    convert.type_book  RawBook -> TypedBook (engine types; cells.py reads amounts and percentages)
    validate.validate  TypedBook -> Links (keys, references, the columns a row's kind needs)

`model.py` holds what the rest of the program reads: `Book`, `Parameters` and their records.
Everything is declared once in `schema.py`, which also generates docs/BOOK_FORMAT.md
(`docs.py`) and the `reserve template` workbook (`template.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import BookInvalid, ProblemLog
from ..keys import Links
from ..progress import NO_PROGRESS, Progress
from .convert import type_book
from .model import Book, DefaultUsed, IgnoredInput, InputFile, Parameters
from .read import RawBook, read_book
from .scenario import Applied, Setting, SettingError, annotate, apply_settings
from .schema import TABLES, TABLES_BY_NAME
from .validate import KeyPasses, validate


def load_book(path: str | Path, progress: Progress = NO_PROGRESS) -> Book:
    """Read, type and validate the book at `path` (a workbook or a folder); raises
    `BookInvalid` with every problem found. `progress` is told of each phase (the CLI's
    terminal progress; nothing by default)."""
    log = ProblemLog()
    return _type_and_check(read_book(path, log, progress), log, progress)


def load_book_with(path: str | Path, settings: Sequence[Setting],
                   progress: Progress = NO_PROGRESS) -> tuple[Book, tuple[Applied, ...]]:
    """`load_book` with `settings` applied to the raw book before it is typed
    (reserve.book.scenario): the book as it would be; and what each setting set. Raises
    `SettingError` for a setting that names nothing in the book, `BookInvalid` (the problems at
    a row a setting changed naming it) when the book with the settings is invalid."""
    log = ProblemLog()
    raw = read_book(path, log, progress)
    applied = apply_settings(raw, settings) if raw.readable and not log else ()
    try:
        return _type_and_check(raw, log, progress), applied
    except BookInvalid as exc:
        raise annotate(exc, applied) from None


def _type_and_check(raw: RawBook, log: ProblemLog, progress: Progress) -> Book:
    # the key checks' hash passes start as soon as accounts and collateral are typed, beside
    # the typing of the rest (validate.KeyPasses); their problems are reported by validate
    with KeyPasses() as passes:
        typed = type_book(raw, log, progress, on_typed=passes.typed)
        links: Links = {}
        if "accounts" in typed.tables:  # cross-table checks run even when some cells were bad
            with progress.phase("checking keys and references"):
                links = validate(typed, log, raw.label, passes)
    log.raise_if_any()
    return Book(Parameters(**typed.params), typed.tables, raw.files, raw.label, links, raw.ignored, raw.defaults)


__all__ = ["Book", "BookInvalid", "DefaultUsed", "IgnoredInput", "InputFile", "Links", "Parameters", "load_book",
           "load_book_with", "Setting", "SettingError", "TABLES", "TABLES_BY_NAME"]
