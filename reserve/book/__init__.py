"""The book: the only part of `reserve` that reads files.

`load_book(path)` reads, types and validates a whole book and returns a `Book`, or raises
`BookInvalid` carrying every problem found (up to a cap, with the total count).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ..errors import BookInvalid, ProblemLog
from .convert import type_book
from .read import InputFile, read_book
from .schema import TABLES, TABLES_BY_NAME
from .validate import validate


@dataclass(frozen=True)
class Parameters:
    firm_name: str
    as_of: date
    frequency: str = "weekly"
    net_capital_method: str = "alternative"
    tentative_net_capital: int | None = None  # cents
    prepared_on: date | None = None
    pending_cure_policy: str = "exclude"
    average_total_credits: int | None = None  # cents
    cross_margin_dual_registrant: bool = False
    cross_margin_joint_member: bool = False
    cross_margin_conditions_met: bool = False
    daily_basis: str | None = None  # required | voluntary (Rule 15c3-3(e)(3)(i)(B)(1), (e)(3)(v))
    daily_notice_date: date | None = None

    def __post_init__(self):
        if self.prepared_on is None:
            object.__setattr__(self, "prepared_on", self.as_of)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass
class Book:
    params: Parameters
    tables: dict[str, pd.DataFrame]
    files: list[InputFile] = field(default_factory=list)
    label: str = ""
    # Row-to-row matches found while validating (reserve.keys), reused by the formula so that
    # no hash table over millions of ids is built twice. Derived data: empty is always valid.
    links: dict = field(default_factory=dict)
    # Sheets, files and columns read past, each {"file", "sheet", "column", "what", "reason"}
    # (issue 10: listed in `validate` and the provenance, never dropped quietly).
    ignored: list[dict] = field(default_factory=list)
    # Defaults the book leaned on (issue 10), each {"table", "column", "default", "rows",
    # "omitted", "favourable"}: listed in the report; a favourable one is a review finding.
    defaults_used: list[dict] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def row_counts(self) -> dict[str, int]:
        return {t.name: len(self.tables[t.name]) for t in TABLES if t.name in self.tables}


def build_book(params: dict, tables: dict[str, pd.DataFrame], files=None, label: str = "") -> Book:
    """Validate already-typed tables (used by `load_book`)."""
    log = ProblemLog()
    links = validate(params, tables, log, label)
    log.raise_if_any()
    return Book(Parameters(**params), tables, files or [], label, links)


def load_book(path: str | Path) -> Book:
    log = ProblemLog()
    raw = read_book(path, log)
    params, tables = type_book(raw, log)
    links: dict = {}
    if "accounts" in tables:  # cross-table checks run even when some cells were bad
        links = validate(params, tables, log, raw.label)
    log.raise_if_any()
    return Book(Parameters(**params), tables, raw.files, raw.label, links, raw.ignored, raw.defaults)


__all__ = ["Book", "BookInvalid", "Parameters", "load_book", "TABLES", "TABLES_BY_NAME"]
