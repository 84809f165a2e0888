"""What loading a book gives the rest of the program: the `Book` and the records it carries.

`reserve.book.load_book(path)` returns a `Book` (or raises `BookInvalid`). The formula and
the report read only this: typed tables, the parameters, the row links found while
validating, and what the book leaned on (files read, inputs read past, defaults used).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, TypedDict

import pandas as pd

from ..keys import Links
from .schema import TABLES

__all__ = ["Book", "DefaultUsed", "IgnoredInput", "InputFile", "Links", "Parameters"]


@dataclass(frozen=True)
class Parameters:
    """The parameters sheet, typed. Each field is declared, with its help text, in
    `schema.PARAMETERS` (and so in docs/BOOK_FORMAT.md); amounts are integer cents."""

    firm_name: str
    as_of: date  # the computation date (close of business)
    frequency: str = "weekly"  # weekly | daily | monthly (Rule 15c3-3(e)(3))
    net_capital_method: str = "alternative"  # basic | alternative (Rule 15c3-1; Note E(3))
    tentative_net_capital: int | None = None  # cents; for Note E(5)
    prepared_on: date | None = None  # the day the computation is prepared; as_of when not given
    pending_cure_policy: str = "exclude"  # exclude | include (Note H(b)(1)(iii)(C))
    average_total_credits: int | None = None  # cents; decides whether daily computation is required
    cross_margin_dual_registrant: bool = False  # these three: the cross-margining order
    cross_margin_joint_member: bool = False
    cross_margin_conditions_met: bool = False
    daily_basis: str | None = None  # required | voluntary (Rule 15c3-3(e)(3)(i)(B)(1), (e)(3)(v))
    daily_notice_date: date | None = None  # the written notice of a voluntary daily computation
    variance_threshold: str | None = None  # the firm's review policy, normalised (money.parse_variance_threshold)
    test_run: bool = False  # a test computation (SEC staff FAQ of 2025-12-08): shown apart by `reserve series`
    # issue 15: "HH:MM", the hour the reserve banks open (the deposit deadline is an hour after it,
    # Rule 15c3-3(e)(3)(i)); None: not stated (a deposit on the deadline day is then not shown timely)
    bank_opens_at: str | None = None

    def __post_init__(self) -> None:
        if self.prepared_on is None:
            object.__setattr__(self, "prepared_on", self.as_of)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class InputFile:
    """One file the book was read from, for the provenance of the report."""

    path: str  # as the user gave it (or as found in the book's folder)
    sha256: str  # of the file's bytes
    tables: list[str] = field(default_factory=list)  # the tables read from it
    rows: dict[str, int] = field(default_factory=dict)  # rows read per table (as read, before typing)


class IgnoredInput(TypedDict):
    """A sheet, file or column read past (issue 10: listed by `validate` and in the
    provenance, never dropped quietly)."""

    file: str
    sheet: str
    column: str  # "" for a whole sheet or file
    what: str  # sheet | file | folder | column
    reason: str


class DefaultUsed(TypedDict):
    """A column default the book leaned on (issue 10): listed in the report; a favourable one
    is a review finding."""

    table: str
    column: str
    default: str  # the default as the report shows it ("0.00", "the value of account_id", ...)
    rows: int  # cells that took it
    omitted: bool  # the column was absent from every file of the table
    favourable: str  # why the default can favour the firm ("" when it cannot, on these rows)
    favourable_rows: int  # cells on which it can


@dataclass
class Book:
    """A loaded, typed and validated book."""

    params: Parameters
    # One frame per table of the format (schema.TABLES; a table the book lacks is an empty
    # frame), with the schema's columns in their engine types (see convert.py: money as int64
    # cents, pct as int64 1/10,000 %, dates as datetime64, enums as categoricals), any extra
    # columns the user added, and the provenance columns `_src` ("file | sheet") and `_row`
    # (the row number a person sees).
    tables: dict[str, pd.DataFrame]
    files: list[InputFile] = field(default_factory=list)
    label: str = ""  # what the user passed (a workbook or a folder)
    # Row-to-row matches found while validating (reserve.keys), reused by the formula so that
    # no hash table over millions of ids is built twice. Derived data: empty is always valid.
    links: Links = field(default_factory=lambda: Links())
    ignored: list[IgnoredInput] = field(default_factory=list)
    defaults_used: list[DefaultUsed] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def row_counts(self) -> dict[str, int]:
        """Rows per table, in the format's table order."""
        return {t.name: len(self.tables[t.name]) for t in TABLES if t.name in self.tables}
