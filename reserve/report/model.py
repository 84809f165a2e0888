"""The report of one computation as a typed model (README.md "Outputs").

`build_report(book, result) -> Report` is the one place a computation becomes a report;
`Report.to_json()` is the one serialisation (report.json: amounts as text with exactly two
decimals, never JSON numbers); `Report.from_json(text)` is the one parser of a report.json
(every problem of a hand-edited or foreign file as one located line, `ReportInvalid`, never
a traceback). The renderers (HTML page, workbook, terminal summary, comparison) read this
model: every amount here is integer cents, formatted only by `reserve.money`.

Reading an *earlier* or *prepared* computation needs only its figures, and a hand-written
expected file may hold nothing but a `computations` section: `ReportFigures` is that view,
read by `ReportFigures.from_data` through the same validators (`report_problems`, at the end of this module), and
given for a run by `Report.figures()`, so both sides of a comparison have one shape.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from .. import __version__
from ..formula.model import (
    COMPUTATIONS,
    LINES,
    SUMMARY_BOXES,
    ComputationName,
    Finding,
    LineKey,
    Result,
    Severity,
    Side,
)
from ..money import format_cents, parse_decimal_text

if TYPE_CHECKING:
    from ..book import Book

SCHEMA = "reserve.report/1"

# The summary figures of a computation, in report.json's order (after its items).
SUMMARY_FIGURES: tuple[str, ...] = (
    "total_credits", "aggregate_debits", "debit_reduction", "total_debits", "excess_credits", "excess_debits",
    "required_deposit", "offset_by_customer_excess_debits", "sweep", "on_deposit", "deposit_needed",
    "withdrawal_permitted",
)
# The figures `check` and `reperform` compare after the items: the two FOCUS lines, then the summary.
COMPARED_FIGURES: tuple[str, ...] = ("other_credits", "other_debits") + SUMMARY_FIGURES
# Parameters that are amounts (cents in the model, "1234.50" in report.json).
PARAMETER_AMOUNTS = ("tentative_net_capital", "average_total_credits")
NOTE_H_AMOUNTS = ("requirement", "requirement_counted", "eligible_deposits", "item_15", "excess_on_deposit")
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.SEVERE, Severity.REVIEW, Severity.INFO)
_SEVERITY_RANK = {s.value: i for i, s in enumerate(SEVERITY_ORDER)}

ParameterValue = str | int | bool | date | None  # int: cents (PARAMETER_AMOUNTS)
JSON = Any  # a JSON value as json.loads returns it
_E = TypeVar("_E", bound=StrEnum)


class ReportInvalid(Exception):
    """A JSON text is not a usable report; `problems`: one line each, located by the path in
    the file (`computations.customer.items.1: ...`)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems[0] if problems else "not a report")


def _amount(v: int | None) -> str | None:
    return None if v is None else format_cents(int(v))


def _cents(v: JSON) -> int | None:
    return None if v is None else parse_decimal_text(str(v))


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _date(v: JSON) -> date | None:
    return None if v is None else date.fromisoformat(str(v))


# ------------------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Program:
    """The program that computed the report."""

    name: str
    version: str


@dataclass(frozen=True)
class ReportLine:
    """One line of Exhibit A in a computation (Items 1-15 and the FOCUS other credits/debits)."""

    key: LineKey
    item: str  # "1".."15", or "" for the other credits / debits
    caption: str
    side: Side
    rule: str  # citation shown beside the line ("Item 4; Note D")
    focus_box: str  # the FOCUS box (customer computation only; "" when unconfirmed)
    amount: int  # cents


@dataclass(frozen=True)
class Previous:
    """Last computation's figures beside this one (`reserve compute --compare`)."""

    as_of: str | None
    run_at: str | None
    amounts: Mapping[str, int | None]  # line key or summary figure -> prior cents (None: not in the prior report)
    change: Mapping[str, int | None]  # the same keys -> now less prior, cents
    largest_movers: tuple[str, ...]  # line keys that moved most, largest first


@dataclass(frozen=True)
class ComputationReport:
    """One reserve computation (customer or PAB): its lines and summary figures, in cents."""

    name: ComputationName
    lines: tuple[ReportLine, ...]
    total_credits: int
    aggregate_debits: int
    debit_reduction: int
    total_debits: int
    excess_credits: int  # Item 16
    excess_debits: int
    required_deposit: int
    offset_by_customer_excess_debits: int  # Rule 15c3-3(e)(4) (PAB only)
    sweep: int  # SEC staff FAQ 2025-12-08 Q5 (customer only)
    on_deposit: int
    deposit_needed: int
    withdrawal_permitted: int
    debit_reduction_rule: str
    deposit_deadline: date | None
    previous: Previous | None = None

    @property
    def items(self) -> dict[str, int]:
        """Item number -> cents (report.json's `items`)."""
        return {line.item: line.amount for line in self.lines if line.item}

    def amount(self, key: str) -> int:
        """The cents of a line (by line key) or a summary figure (by name)."""
        for line in self.lines:
            if line.key == key:
                return line.amount
        if key in SUMMARY_FIGURES:
            value: int = getattr(self, key)
            return value
        raise KeyError(key)

    def summary_figures(self) -> dict[str, int]:
        return {k: self.amount(k) for k in SUMMARY_FIGURES}


@dataclass(frozen=True)
class Source:
    """Where a row came from: file, sheet ("" for a CSV or Parquet file) and row as the user numbers it."""

    file: str
    sheet: str
    row: int


@dataclass(frozen=True)
class ReportException:
    """A finding of the computation, for a reviewer. `id` is stable from week to week
    (`exception_id`: rule, computation, the source row's table and key values, and the kind --
    the formula's Finding has no kind field, so the kind is the message as a template,
    `message_kind`, with its figures replaced by "#")."""

    rule: str
    computation: ComputationName | None  # None: both / book-wide
    severity: Severity
    source: Source | None
    amount: int | None  # cents at stake
    message: str
    id: str = ""  # stable exception id (`exception_id`), "" only in a report written before ids
    since: str = ""  # with --compare: "new" or "still open" (EXCEPTION_MARKS); "" otherwise
    review: Review | None = None  # the book's `review` row for this id, if any (issue 14 item 2)


# A reviewer's disposition of an exception or a variance (the book's `review` table).
REVIEW_DISPOSITIONS = ("resolved", "accepted", "open")


@dataclass(frozen=True)
class Review:
    """One row of the book's `review` table: what a reviewer decided about the exception (or
    variance) whose id it names. It records the review; it never changes the computation, and
    a resolved or accepted exception is still shown (and still counts for --fail-on)."""

    id: str  # an exception id ("E-...") or a variance id ("V-...")
    disposition: str  # REVIEW_DISPOSITIONS
    comment: str | None
    reviewer: str
    date: date | None
    source: Source | None = None  # where the row is in the book


DEPOSIT_KINDS = ("deposit", "withdrawal")


@dataclass(frozen=True)
class Deposit:
    """One row of the book's `deposits` table (issue 15): a credit to (deposit) or a debit from
    (withdrawal) a reserve bank account, as the bank's statement shows it. This computation does
    not use it; `reserve series` checks, across reports, each deposit needed against the deposits
    credited by its deadline (Rule 15c3-3(e)(3)) and each withdrawal against the computation of
    its day (Rule 15c3-3(g))."""

    account_id: str  # a reserve_bank_accounts.account_id of the book
    computation: ComputationName  # that account's book
    credited_at: datetime  # naive: the bank's local time, to the second
    kind: str  # DEPOSIT_KINDS
    amount: int  # cents, > 0 (kind gives the direction)
    reference: str | None
    source: Source | None = None


DEPOSITS_ASSUMPTION = (
    "Deposits table: carried to report.json for `reserve series`, which checks each deposit needed against the "
    "deposits credited by its deadline; this computation's figures do not use it.")


@dataclass(frozen=True)
class Variance:
    """A line whose change since the previous report (--compare) is above the book's
    `variance_threshold`: it needs a comment (a `review` row naming `id`, with a comment)."""

    id: str  # "V-<computation>-<line>": stable, so next week's review table can name it
    computation: ComputationName
    line: str  # a line key or a summary figure (report.json's `previous.amounts` keys)
    label: str
    prior: int
    now: int
    change: int
    percent: Decimal | None  # change / |prior| x 100, None when prior is 0
    review: Review | None = None

    @property
    def explained(self) -> bool:
        return self.review is not None and bool((self.review.comment or "").strip())


@dataclass(frozen=True)
class HistoryPoint:
    """One computation of the trend (--history): an earlier report.json found under the folder,
    or this report (file "")."""

    file: str  # as found under the --history folder ("" for this report)
    sha256: str  # of that file ("" for this report)
    as_of: date
    run_at: str | None
    figures: Mapping[ComputationName, Mapping[str, int]]  # figure key (report.json's) -> cents


@dataclass(frozen=True)
class History:
    """The last computations of the same firm (--history FOLDER), oldest first, this one last."""

    folder: str
    points: tuple[HistoryPoint, ...]
    notes: tuple[str, ...]  # gaps, dates out of order, files passed over and why


# --compare marks of an exception (report.json `exceptions[].since`)
NEW, STILL_OPEN = "new", "still open"
EXCEPTION_MARKS = (NEW, STILL_OPEN)


@dataclass(frozen=True)
class PriorException:
    """An exception of the previous report (--compare): enough to list one that is gone."""

    id: str
    rule: str
    computation: str
    severity: str
    message: str


@dataclass(frozen=True)
class FailedCondition:
    """A Note H condition a clearing agency account fails."""

    rule: str
    message: str
    amount: int | None


@dataclass(frozen=True)
class PendingCure:
    """A deposit counted while the customer's delivery is pending (Note H, pending-cure policy)."""

    deposit_id: str
    deadline: date | None
    amount: int | None


@dataclass(frozen=True)
class NoteHEntry:
    """Item 15 for one customer account at one qualified clearing agency (Note H)."""

    cca_id: str
    cca_name: str | None
    account_id: str
    customer_id: str | None
    computation: str  # customer | pab
    account_structure: str | None  # (reading: h_account_structure)
    requirement: int
    requirement_counted: int
    eligible_deposits: int
    item_15: int
    excess_on_deposit: int
    status: str  # eligible | partial | ineligible | pending | excess only
    failed_conditions: tuple[FailedCondition, ...]
    pending: tuple[PendingCure, ...]


@dataclass(frozen=True)
class RowCount:
    """Rows of one table in = used + excluded."""

    table: str
    rows: int
    used: int
    excluded: int

    @property
    def ties(self) -> bool:
        return self.rows == self.used + self.excluded


@dataclass(frozen=True)
class Assumption:
    """A reading of ambiguous wording the computation relies on."""

    key: str  # the reading's id (reserve.formula.readings)
    rule: str
    text: str  # the reading itself (report.json's "reading")


@dataclass(frozen=True)
class InputRecord:
    """A table's rows from one input file, with the file's hash."""

    file: str
    table: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class ReadPast:
    """A sheet, file or column of the book that is not part of the book format (issue 10)."""

    file: str
    sheet: str | None
    column: str | None
    what: str
    reason: str


@dataclass(frozen=True)
class ComparedWith:
    """The previous report of `--compare`, and why it may not fit."""

    as_of: str | None
    run_at: str | None
    firm_name: str | None
    warnings: tuple[str, ...]
    # exceptions of the previous report whose id is not in this one (None: not compared, the
    # previous report has no exception ids)
    exceptions_gone: tuple[PriorException, ...] | None = None


@dataclass(frozen=True)
class Report:
    """Everything report.json holds (see README.md "Outputs"); amounts in cents."""

    program: Program
    run_at: datetime
    firm_name: str
    as_of: date
    parameters: Mapping[str, ParameterValue]  # the book's parameters sheet as used (PARAMETER_AMOUNTS in cents)
    computations: Mapping[ComputationName, ComputationReport]  # customer, then pab
    note_h: tuple[NoteHEntry, ...]
    exceptions: tuple[ReportException, ...]  # most severe first
    row_counts: tuple[RowCount, ...]
    assumptions: tuple[Assumption, ...]
    inputs: tuple[InputRecord, ...]
    ignored: tuple[ReadPast, ...]
    focus_boxes: Mapping[str, str] = field(default_factory=lambda: dict(SUMMARY_BOXES))
    compared_with: ComparedWith | None = None
    schema: str = SCHEMA
    reviews: tuple[Review, ...] = ()  # the book's review table, every row (issue 14 item 2)
    # lines above the variance threshold (None: no --compare or no variance_threshold)
    variances: tuple[Variance, ...] | None = None
    history: History | None = None  # --history (issue 14 item 5)
    # the book's deposits table, every row in book order (issue 15); None: the book had no such table
    deposits: tuple[Deposit, ...] | None = None

    # -------------------------------------------------------------- views

    @property
    def run_at_text(self) -> str:
        return self.run_at.isoformat(timespec="seconds")

    @property
    def monthly(self) -> bool:
        return self.parameters.get("frequency") == "monthly"

    def computation(self, name: str) -> ComputationReport | None:
        """The computation called `name` (a schedule's computation may be neither: "noncustomer")."""
        for n, c in self.computations.items():
            if n.value == name:
                return c
        return None

    def parameter_json(self) -> dict[str, JSON]:
        """The parameters as report.json writes them (amounts as text, dates ISO)."""
        out: dict[str, JSON] = {}
        for k, v in self.parameters.items():
            if k in PARAMETER_AMOUNTS and v is not None and not isinstance(v, bool) and isinstance(v, int):
                out[k] = format_cents(v)
            elif isinstance(v, date):
                out[k] = v.isoformat()
            else:
                out[k] = v
        return out

    @property
    def unmatched_reviews(self) -> tuple[Review, ...]:
        """Review rows naming an id that is neither an exception nor a variance of this report."""
        known = {e.id for e in self.exceptions} | {v.id for v in self.variances or ()}
        return tuple(r for r in self.reviews if r.id not in known)

    @property
    def unexplained_variances(self) -> tuple[Variance, ...]:
        return tuple(v for v in self.variances or () if not v.explained)

    def exceptions_by_severity(self) -> dict[str, int]:
        return {s.value: sum(1 for e in self.exceptions if e.severity == s) for s in SEVERITY_ORDER}

    def figures(self) -> ReportFigures:
        """This report's comparable figures (what `check` and `reperform` compare)."""
        comps = {}
        for name, c in self.computations.items():
            compared = {f"item {num}": amt for num, amt in c.items.items()}
            compared.update({k: c.amount(k) for k in COMPARED_FIGURES})
            amounts = {line.key.value: line.amount for line in c.lines}
            amounts.update(c.summary_figures())
            comps[name] = ComputationFigures(compared, amounts)
        opens = self.parameters.get("bank_opens_at")
        return ReportFigures(self.schema, self.firm_name, self.as_of.isoformat(), self.run_at_text, comps,
                             deposits=self.deposits, bank_opens_at=opens if isinstance(opens, str) else None)

    def with_computations(self, computations: Mapping[ComputationName, ComputationReport]) -> Report:
        return replace(self, computations=dict(computations))

    # -------------------------------------------------------------- JSON

    def to_dict(self) -> dict[str, JSON]:
        """report.json as a JSON value (the exact record: amounts as text with two decimals)."""
        out: dict[str, JSON] = {
            "schema": self.schema,
            "program": {"name": self.program.name, "version": self.program.version},
            "run_at": self.run_at_text,
            "firm_name": self.firm_name,
            "as_of": self.as_of.isoformat(),
            "parameters": self.parameter_json(),
            "computations": {n.value: _computation_json(c) for n, c in self.computations.items()},
            "focus_boxes": dict(self.focus_boxes),
            "note_h": [_note_h_json(e) for e in self.note_h],
            "exceptions": [_exception_json(e) for e in self.exceptions],
            "row_counts": {r.table: {"rows": r.rows, "used": r.used, "excluded": r.excluded} for r in self.row_counts},
            "assumptions": [{"key": a.key, "rule": a.rule, "reading": a.text} for a in self.assumptions],
            "inputs": [{"file": i.file, "table": i.table, "rows": i.rows, "sha256": i.sha256} for i in self.inputs],
            # sheets, files and columns of the book read past (issue 10): listed, never dropped quietly
            "ignored": [{"file": i.file, "sheet": i.sheet, "column": i.column, "what": i.what, "reason": i.reason}
                        for i in self.ignored],
        }
        if self.compared_with is not None:
            w = self.compared_with
            out["compared_with"] = {"as_of": w.as_of, "run_at": w.run_at, "firm_name": w.firm_name,
                                    "warnings": list(w.warnings)}
            if w.exceptions_gone is not None:
                out["compared_with"]["exceptions_gone"] = [_prior_json(g) for g in w.exceptions_gone]
        # issue 14: written only when there is something, so a book without them keeps its report.json
        if self.reviews:
            out["reviews"] = [_review_json(r) for r in self.reviews]
        if self.variances is not None:
            out["variances"] = [_variance_json(v) for v in self.variances]
        if self.history is not None:
            out["history"] = _history_json(self.history)
        # issue 15: present when the book had the table (even empty), for `reserve series`
        if self.deposits is not None:
            out["deposits"] = [_deposit_json(d) for d in self.deposits]
        return out

    def to_json(self) -> str:
        """report.json's text."""
        return dumps(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> Report:
        """A report.json's text -> Report; ReportInvalid with every problem, located."""

        try:
            data = json.loads(text, parse_float=Decimal)  # exact: a figure written as a number is read as written
        except json.JSONDecodeError as exc:
            raise ReportInvalid([f"is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]) from exc
        except (ValueError, RecursionError) as exc:
            raise ReportInvalid([f"is not JSON: {exc}"]) from exc
        problems = report_problems(data, require_schema=True)
        if problems:
            raise ReportInvalid(problems)
        reader = _Reader()
        report = reader.report(data)
        if reader.problems or report is None:
            raise ReportInvalid(reader.problems or ["is not a report"])
        return report


def dumps(value: JSON) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def _computation_json(c: ComputationReport) -> dict[str, JSON]:
    by_key = {line.key: line.amount for line in c.lines}
    entry: dict[str, JSON] = {
        "items": {num: format_cents(amt) for num, amt in c.items.items()},
        "other_credits": format_cents(by_key[LineKey.OTHER_CREDITS]),
        "other_debits": format_cents(by_key[LineKey.OTHER_DEBITS]),
    }
    for k, v in c.summary_figures().items():
        entry[k] = format_cents(v)
    entry["debit_reduction_rule"] = c.debit_reduction_rule
    entry["deposit_deadline"] = _iso(c.deposit_deadline)
    entry["lines"] = [{"key": line.key.value, "item": line.item, "caption": line.caption, "side": line.side.value,
                       "rule": line.rule, "focus_box": line.focus_box, "amount": format_cents(line.amount)}
                      for line in c.lines]
    if c.previous is not None:
        p = c.previous
        entry["previous"] = {"as_of": p.as_of, "run_at": p.run_at,
                             "amounts": {k: _amount(v) for k, v in p.amounts.items()},
                             "change": {k: _amount(v) for k, v in p.change.items()},
                             "largest_movers": list(p.largest_movers)}
    return entry


def _note_h_json(e: NoteHEntry) -> dict[str, JSON]:
    return {
        "cca_id": e.cca_id, "cca_name": e.cca_name, "account_id": e.account_id, "customer_id": e.customer_id,
        "computation": e.computation, "account_structure": e.account_structure,
        **{k: format_cents(getattr(e, k)) for k in NOTE_H_AMOUNTS},
        "status": e.status,
        "failed_conditions": [{"rule": f.rule, "message": f.message, "amount": _amount(f.amount)}
                              for f in e.failed_conditions],
        "pending": [{"deposit_id": p.deposit_id, "deadline": _iso(p.deadline), "amount": _amount(p.amount)}
                    for p in e.pending],
    }


def _exception_json(e: ReportException) -> dict[str, JSON]:
    src = None if e.source is None else {"file": e.source.file, "sheet": e.source.sheet, "row": e.source.row}
    out: dict[str, JSON] = {"id": e.id} if e.id else {}
    out.update({"rule": e.rule, "computation": e.computation.value if e.computation else "",
                "severity": e.severity.value, "source": src, "amount": _amount(e.amount), "message": e.message})
    if e.since:
        out["since"] = e.since
    if e.review is not None:
        out["review"] = _review_json(e.review, with_id=False)
    return out


def _source_json(s: Source | None) -> JSON:
    return None if s is None else {"file": s.file, "sheet": s.sheet, "row": s.row}


def _review_json(r: Review, with_id: bool = True) -> dict[str, JSON]:
    out: dict[str, JSON] = {"id": r.id} if with_id else {}
    out.update({"disposition": r.disposition, "comment": r.comment, "reviewer": r.reviewer, "date": _iso(r.date)})
    if with_id:
        out["source"] = _source_json(r.source)
    return out


def _deposit_json(d: Deposit) -> dict[str, JSON]:
    return {"account_id": d.account_id, "computation": d.computation.value,
            "credited_at": d.credited_at.isoformat(timespec="seconds"), "kind": d.kind,
            "amount": format_cents(d.amount), "reference": d.reference, "source": _source_json(d.source)}


def _variance_json(v: Variance) -> dict[str, JSON]:
    return {"id": v.id, "computation": v.computation.value, "line": v.line, "label": v.label,
            "prior": format_cents(v.prior), "now": format_cents(v.now), "change": format_cents(v.change),
            "percent": None if v.percent is None else f"{v.percent:.2f}", "explained": v.explained,
            "review": None if v.review is None else _review_json(v.review, with_id=False)}


def _history_json(h: History) -> dict[str, JSON]:
    return {"folder": h.folder, "notes": list(h.notes),
            "points": [{"file": p.file, "sha256": p.sha256, "as_of": p.as_of.isoformat(), "run_at": p.run_at,
                        "figures": {c.value: {k: format_cents(v) for k, v in f.items()} for c, f in p.figures.items()}}
                       for p in h.points]}


def _prior_json(g: PriorException) -> dict[str, JSON]:
    return {"id": g.id, "rule": g.rule, "computation": g.computation, "severity": g.severity, "message": g.message}


# ------------------------------------------------------------------------------ exception ids
#
# An exception's id follows it from week to week: it is made of what the finding is, never of
# where it sits (not its position in the list, not the row's position in the file). Fields, in
# this order, joined as a JSON list (compact, UTF-8) and hashed with SHA-256; the id is "E-"
# and the first 12 hex digits:
#   1. rule         the finding's rule citation ("Item 12", "Note H(b)(1)(iii)")
#   2. computation  customer | pab | "" (both / book-wide)
#   3. table        the book table of the source row ("" for a finding about no one row)
#   4. row key      the source row's key columns and values, [[column, value], ...] (the
#                   table's unique key in reserve/book/schema.py: account_id and type for
#                   accounts, item_id for items, cca_id / account_id / deposit_id for the
#                   Note H tables; a table without a key: every column of the row); [] when
#                   the finding has no row
#   5. kind         what the finding is about: the formula's Finding carries no kind, so it is
#                   the message as a template (`message_kind`): dates, amounts and counts
#                   replaced by "#", identifiers (C-100, LOAN-1, D-2) kept -- the same finding
#                   next week, with other figures, has the same kind. A finding that names what
#                   makes it this one (`Finding.identity`: the rows a default was leaned on)
#                   has it appended, " [" + identity + "]": with other such figures it is
#                   another finding, and a review of the old one does not cover it.
# Two findings with the same five fields (the same template about the same row, e.g. two
# book-wide findings differing only in a figure) would share an id: the first, in the order of
# their full message text then amount, keeps it and the others get "-2", "-3", ... appended
# (`_unique_ids`), so ids are unique within a report.

EXCEPTION_ID_PREFIX = "E-"
EXCEPTION_ID_HEX = 12
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"(?<![A-Za-z0-9_\-])-?\$?-?\d[\d,]*(?:\.\d+)?%?")


def message_kind(message: str) -> str:
    """A finding's message as a template: dates, amounts (negative ones too), counts and
    percentages -> "#", identifiers (a number joined to letters or a hyphen: C-100, LOAN-1)
    kept. A purely numeric identifier standing alone in the message ("account 12345") is
    taken as a figure: the row key, not the message, carries a row's identity."""
    return _NUMBER.sub("#", _DATE.sub("#", message))


def exception_id(rule: str, computation: str, table: str, key: Iterable[tuple[str, str]], kind: str) -> str:
    """The stable id of an exception (the fields above): "E-" + 12 hex digits of SHA-256."""
    canonical = json.dumps([rule, computation, table, [[c, v] for c, v in key], kind],
                           ensure_ascii=False, separators=(",", ":"))
    return EXCEPTION_ID_PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:EXCEPTION_ID_HEX]


def row_key(book: Book, table: str, row: int | None) -> tuple[tuple[str, str], ...]:
    """The key columns and values of a table's positional row (the identity an id is made of)."""
    if not table or row is None or row < 0 or table not in book.tables:
        return ()
    from ..book.schema import TABLES_BY_NAME

    frame = book.tables[table]
    spec = TABLES_BY_NAME.get(table)
    cols = [c for c in (spec.key or spec.column_names if spec else ()) if c in frame.columns]
    if not cols:
        cols = [c for c in frame.columns if not str(c).startswith("_")]
    return tuple((str(c), _key_text(frame[c].iloc[int(row)])) for c in cols)


def _key_text(v: object) -> str:
    if v is None or (not isinstance(v, str) and bool(np.all(v != v))):  # NaN / NaT / <NA>: a blank
        return ""
    if isinstance(v, date):  # a date, datetime or pandas Timestamp
        return v.isoformat()
    return str(v)


def _unique_ids(ids: list[str], exceptions: list[ReportException]) -> list[str]:
    """`ids` with any shared one disambiguated: within a group sharing an id, ordered by full
    message then amount, the first keeps it, the others get -2, -3, ..."""
    groups: dict[str, list[int]] = {}
    for i, x in enumerate(ids):
        groups.setdefault(x, []).append(i)
    out = list(ids)
    for x, members in groups.items():
        if len(members) > 1:
            members.sort(key=lambda i: (exceptions[i].message, exceptions[i].amount or 0, i))
            for n, i in enumerate(members[1:], start=2):
                out[i] = f"{x}-{n}"
    return out


# ------------------------------------------------------------------------------ building


class RowLookup:
    """`source_of` and `row_key` of many (table, row) pairs at once: each table's rows are taken
    in one `take` per column, not one pandas `iloc` per cell (issue 13: the 8,454 exceptions of
    a 10M-account book were 40,000 lookups, most of the building of the report). The values are
    those `source_of` and `row_key` give: the same array elements, through the same texts."""

    def __init__(self, book: Book, pairs: Iterable[tuple[str, int | None]]):
        from ..book.schema import TABLES_BY_NAME

        self._sources: dict[tuple[str, int], Source] = {}
        self._keys: dict[tuple[str, int], tuple[tuple[str, str], ...]] = {}
        wanted: dict[str, set[int]] = {}
        for table, row in pairs:
            if table and row is not None and table in book.tables and 0 <= row < len(book.tables[table]):
                wanted.setdefault(table, set()).add(int(row))
        for table, rows in wanted.items():
            frame = book.tables[table]
            at = np.array(sorted(rows), dtype=np.int64)
            src = frame["_src"].array.take(at)
            line = frame["_row"].to_numpy(dtype=np.int64)[at]
            spec = TABLES_BY_NAME.get(table)
            cols = [c for c in (spec.key or spec.column_names if spec else ()) if c in frame.columns]
            if not cols:
                cols = [c for c in frame.columns if not str(c).startswith("_")]
            values = [(str(c), frame[c].array.take(at)) for c in cols]
            for i, r in enumerate(at.tolist()):
                file, _, sheet = str(src[i]).partition(" | ")
                self._sources[(table, r)] = Source(file, sheet, int(line[i]))
                self._keys[(table, r)] = tuple((c, _key_text(v[i])) for c, v in values)

    def source(self, table: str, row: int | None) -> Source | None:
        """What `source_of(book, table, row)` gives."""
        return self._sources.get((table, int(row))) if table and row is not None else None

    def key(self, table: str, row: int | None) -> tuple[tuple[str, str], ...]:
        """What `row_key(book, table, row)` gives."""
        return self._keys.get((table, int(row)), ()) if table and row is not None else ()


def source_of(book: Book, table: str, row: int | None) -> Source | None:
    """The file / sheet / row of a table's positional row, or None."""
    if not table or row is None or row < 0 or table not in book.tables:
        return None
    frame = book.tables[table]
    src = str(frame["_src"].iloc[int(row)])
    file, _, sheet = src.partition(" | ")
    return Source(file, sheet, int(frame["_row"].iloc[int(row)]))


def _exception_key(e: ReportException) -> tuple[int, str, str, str, str, int, str]:
    s = e.source
    return (_SEVERITY_RANK.get(e.severity, 3), e.rule, e.computation.value if e.computation else "",
            s.file if s else "", s.sheet if s else "", s.row if s else 0, e.message)


def _computation_name(v: object) -> ComputationName | None:
    return ComputationName(str(v)) if v else None


def build_report(book: Book, result: Result, run_time: datetime | None = None) -> Report:
    """The report of one computation (`run_time`: when it ran; now when None)."""
    comps: dict[ComputationName, ComputationReport] = {}
    for name, c in result.computations.items():
        cname = ComputationName(name)
        lines = tuple(ReportLine(line.key, line.number, line.caption, line.side, line.rule,
                                 line.focus_box if cname is ComputationName.CUSTOMER else "", int(c.lines[line.key]))
                      for line in LINES)
        comps[cname] = ComputationReport(
            cname, lines, int(c.total_credits), int(c.aggregate_debits), int(c.debit_reduction), int(c.total_debits),
            int(c.excess_credits), int(c.excess_debits), int(c.required_deposit),
            int(c.offset_by_customer_excess_debits), int(c.sweep), int(c.on_deposit), int(c.deposit_needed),
            int(c.withdrawal_permitted), c.reduction_rule, c.deposit_deadline)
    reviews = book_reviews(book)
    findings = list(result.findings) + review_findings(reviews)
    lookup = RowLookup(book, ((f.table, f.row) for f in findings))
    found = [ReportException(f.rule, _computation_name(f.computation), Severity(f.severity),
                             lookup.source(f.table, f.row) if f.table else None,
                             None if f.amount is None else int(f.amount), f.message)
             for f in findings]
    ids = _unique_ids([exception_id(f.rule, str(f.computation or ""), f.table or "", lookup.key(f.table, f.row),
                                    message_kind(f.message) + (f" [{f.identity}]" if f.identity else ""))
                       for f in findings], found)
    by_id = {r.id: r for r in reviews}
    exceptions = sorted((replace(e, id=i, review=by_id.get(i)) for e, i in zip(found, ids, strict=True)),
                        key=_exception_key)
    per_source = _rows_per_source(book)
    inputs = []
    for f in book.files:
        for t in f.tables or [""]:
            # a table's rows from this file (a table may be split over several files); the
            # parameters sheet's name/value rows as read
            rows = per_source.get((t, f.path), 0) if t in book.tables else f.rows.get(t, 0)
            inputs.append(InputRecord(f.path, t, int(rows), f.sha256))
    return Report(
        program=Program("reserve", __version__),
        run_at=(run_time or datetime.now().astimezone()).replace(microsecond=0),  # report.json keeps seconds
        firm_name=book.params.firm_name,
        as_of=book.params.as_of,
        parameters=dict(book.params.as_dict()),
        computations=comps,
        note_h=tuple(_note_h_entry(e) for e in result.note_h),
        exceptions=tuple(exceptions),
        row_counts=tuple(RowCount(t, int(rc["rows"]), int(rc["used"]), int(rc["excluded"]))
                         for t, rc in result.row_counts.items()),
        assumptions=tuple(Assumption(a["key"], a["rule"], a["reading"]) for a in result.assumptions)
        + ((Assumption(DEPOSITS_KEY, DEPOSITS_RULE, DEPOSITS_ASSUMPTION),) if had_table(book, "deposits") else ()),
        inputs=tuple(inputs),
        ignored=tuple(ReadPast(i["file"], i["sheet"], i["column"], i["what"], i["reason"])
                      for i in getattr(book, "ignored", [])),
        reviews=tuple(reviews),
        deposits=book_deposits(book),
    )


def had_table(book: Book, table: str) -> bool:
    """Whether the book holds `table` (a sheet or a file of it, even one with no rows): every
    table is a frame of the loaded book, an empty one when the book has none."""
    return any(table in f.tables for f in book.files)


def book_deposits(book: Book) -> tuple[Deposit, ...] | None:
    """The book's `deposits` rows as Deposits, in book order; None when the book has no such
    table. The computation of a row is its reserve bank account's `book` (validated: every row
    names one)."""
    if not had_table(book, "deposits"):
        return None
    dep = book.tables.get("deposits")
    if dep is None or not len(dep):
        return ()
    rba = book.tables["reserve_bank_accounts"]
    book_of = dict(zip(rba["account_id"].astype(str), rba["book"].astype(str), strict=True))
    ids = dep["account_id"].astype(str).tolist()
    refs = [None if r is None else str(r) for r in dep["reference"].astype(object).where(dep["reference"].notna(), None)]
    at = [t.to_pydatetime() for t in dep["credited_at"]]
    kinds = dep["kind"].astype(str).tolist()
    amounts = dep["amount"].to_numpy(dtype=np.int64).tolist()
    return tuple(Deposit(ids[i], ComputationName(book_of[ids[i]]), at[i], kinds[i], int(amounts[i]), refs[i],
                         source_of(book, "deposits", i)) for i in range(len(dep)))


DEPOSITS_KEY = "deposits_table"
DEPOSITS_RULE = "Rule 15c3-3(e)(3), (g), (i)"


REVIEW_RULE = "Review (firm's procedure)"


def book_reviews(book: Book) -> list[Review]:
    """The book's `review` rows as Reviews (one per row; the table is keyed by id)."""
    rev = book.tables.get("review")
    if rev is None or not len(rev):
        return []
    ids = rev["exception_id"].astype(str).tolist()
    disp = rev["disposition"].astype(str).tolist()
    comments = [None if c is None else str(c) for c in rev["comment"].astype(object).where(rev["comment"].notna(), None)]
    reviewers = rev["reviewer"].astype(str).tolist()
    days = [d.date() for d in rev["date"]]
    return [Review(ids[i], disp[i], comments[i], reviewers[i], days[i], source_of(book, "review", i))
            for i in range(len(rev))]


def review_findings(reviews: list[Review]) -> list[Finding]:
    """An acceptance needs a reason: a review that accepts an exception or variance without a
    comment is itself an exception (it is still shown as accepted)."""
    out = []
    for i, r in enumerate(reviews):
        if r.disposition == "accepted" and not (r.comment or "").strip():
            out.append(Finding(REVIEW_RULE, "", f"the review of {r.id} by {r.reviewer} accepts it without a comment: "
                               "an accepted exception or variance needs the reason it is accepted", None, "review",
                               i, Severity.REVIEW))
    return out


def _field(e: object, name: str) -> Any:
    """A field of a Note H entry of the Result: a dict today, a dataclass later (either reads)."""
    return e[name] if isinstance(e, Mapping) else getattr(e, name)


def _note_h_entry(e: object) -> NoteHEntry:
    return NoteHEntry(
        cca_id=_field(e, "cca_id"), cca_name=_field(e, "cca_name"), account_id=_field(e, "account_id"),
        customer_id=_field(e, "customer_id"), computation=str(_field(e, "computation")),
        account_structure=_field(e, "account_structure"),
        requirement=int(_field(e, "requirement")), requirement_counted=int(_field(e, "requirement_counted")),
        eligible_deposits=int(_field(e, "eligible_deposits")), item_15=int(_field(e, "item_15")),
        excess_on_deposit=int(_field(e, "excess_on_deposit")), status=str(_field(e, "status")),
        failed_conditions=tuple(FailedCondition(_field(f, "rule"), _field(f, "message"),
                                                None if _field(f, "amount") is None else int(_field(f, "amount")))
                                for f in _field(e, "failed_conditions")),
        pending=tuple(PendingCure(_field(p, "deposit_id"), _pending_deadline(_field(p, "deadline")),
                                  None if _field(p, "amount") is None else int(_field(p, "amount")))
                      for p in _field(e, "pending")),
    )


def _pending_deadline(v: object) -> date | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _rows_per_source(book: Book) -> dict[tuple[str, str], int]:
    """(table, file) -> rows of the table that came from that file (its `_src` codes)."""
    out: dict[tuple[str, str], int] = {}
    for t, frame in book.tables.items():
        src = frame["_src"].array if "_src" in frame else None
        if src is None or not len(frame):
            continue
        counts = np.bincount(src.codes[src.codes >= 0], minlength=len(src.categories))
        for label, n in zip(src.categories, counts, strict=True):
            file = str(label).rsplit(" | ", 1)[0]
            out[(t, file)] = out.get((t, file), 0) + int(n)
    return out


# ------------------------------------------------------------------------------ figures


@dataclass(frozen=True)
class ComputationFigures:
    """The comparable figures of one computation of a report (or of a hand-written file)."""

    compared: Mapping[str, int]  # "item 1".."item 15", other_credits, ..., withdrawal_permitted -> cents
    amounts: Mapping[str, int]  # line key (item_1, ...) or summary figure -> cents


@dataclass(frozen=True)
class ReportFigures:
    """What a comparison reads of a report: who, when, and each computation's figures."""

    schema: str | None
    firm_name: str | None
    as_of: str | None
    run_at: str | None
    computations: Mapping[ComputationName, ComputationFigures]
    # its exceptions (for --compare's new / still open / gone); None: it has exceptions without
    # ids (written before ids) or no exceptions list (a hand-written file)
    exceptions: tuple[PriorException, ...] | None = None
    # issue 15, for `reserve series`: the book's deposits table (None: the report has none, as
    # every report written before it) and parameters.bank_opens_at ("08:30"; None: not stated)
    deposits: tuple[Deposit, ...] | None = None
    bank_opens_at: str | None = None
    # the problems of those two, located (`deposit_problems`): `report_problems` leaves them to
    # their reader (`reserve series` passes such a file over, saying why); with any, deposits and
    # bank_opens_at are None
    deposit_problems: tuple[str, ...] = ()

    def lines(self) -> dict[tuple[str, str], int]:
        """{(computation, line): cents} for every comparable figure, in report order."""
        return {(n.value, k): v for n, c in self.computations.items() for k, v in c.compared.items()}

    @classmethod
    def from_data(cls, data: Mapping[str, JSON]) -> ReportFigures:
        """The figures of a JSON value `compare.report_problems` found no problem in."""
        comps: dict[ComputationName, ComputationFigures] = {}
        for name, c in (data.get("computations") or {}).items():
            compared: dict[str, int] = {}
            for num, amt in (c.get("items") or {}).items():
                compared[f"item {num}"] = parse_decimal_text(str(amt))
            for k in COMPARED_FIGURES:
                if c.get(k) is not None:
                    compared[k] = parse_decimal_text(str(c[k]))
            amounts: dict[str, int] = {}
            if c.get("lines"):
                for line in c["lines"]:
                    amounts[line["key"]] = parse_decimal_text(str(line["amount"]))
            else:  # a report without the `lines` list: items by number
                for num, amt in (c.get("items") or {}).items():
                    amounts[f"item_{num}"] = parse_decimal_text(str(amt))
                for k in ("other_credits", "other_debits"):
                    if c.get(k) is not None:
                        amounts[k] = parse_decimal_text(str(c[k]))
            for k in SUMMARY_FIGURES:
                if c.get(k) is not None:
                    amounts[k] = parse_decimal_text(str(c[k]))
            comps[ComputationName(name)] = ComputationFigures(compared, amounts)

        def text(key: str) -> str | None:
            v = data.get(key)
            return None if v is None else str(v)

        params = data.get("parameters")
        opens = params.get("bank_opens_at") if isinstance(params, dict) else None
        found = bank_opens_at_problems(opens) + (deposit_problems(data["deposits"]) if "deposits" in data else [])
        deposits = None
        if "deposits" in data and not found:
            deposits = tuple(deposit_of(d) for d in data["deposits"])
        return cls(text("schema"), text("firm_name"), text("as_of"), text("run_at"), comps,
                   _prior_exceptions(data.get("exceptions")), deposits=deposits,
                   bank_opens_at=opens if isinstance(opens, str) and not found else None,
                   deposit_problems=tuple(found))


PRIOR_FIELDS = ("id", "rule", "computation", "severity", "message")


def deposit_of(d: Mapping[str, JSON]) -> Deposit:
    """A report.json `deposits` element `deposit_problems` found no problem in -> Deposit."""
    src = d.get("source")
    source = None if not isinstance(src, dict) else Source(str(src["file"]), str(src["sheet"]), int(src["row"]))
    ref = d.get("reference")
    return Deposit(str(d["account_id"]), ComputationName(d["computation"]), datetime.fromisoformat(str(d["credited_at"])),
                   str(d["kind"]), parse_decimal_text(str(d["amount"])), None if ref is None else str(ref), source)


def _prior_exceptions(value: JSON) -> tuple[PriorException, ...] | None:
    """The exceptions of an earlier report.json, or None when any has no id (or there is no list)."""
    if not isinstance(value, list):
        return None
    out = []
    for e in value:
        if not isinstance(e, dict) or not isinstance(e.get("id"), str) or not e["id"]:
            return None
        out.append(PriorException(*(str(e.get(k) or "") for k in PRIOR_FIELDS)))
    return tuple(out)


# ------------------------------------------------------------------------------ parsing


class _Reader:
    """Reads a report.json's JSON value into the model, collecting every problem (located)."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def _bad(self, where: str, found: JSON, expected: str) -> None:

        self.problems.append(f"{where}: found {kind_of(found)}; expected {expected}")

    def obj(self, v: JSON, where: str) -> Mapping[str, JSON]:
        if isinstance(v, dict):
            return v
        self._bad(where, v, "an object")
        return {}

    def seq(self, v: JSON, where: str) -> list[JSON]:
        if isinstance(v, list):
            return v
        self._bad(where, v, "a list")
        return []

    def text(self, d: Mapping[str, JSON], key: str, where: str, nullable: bool = False) -> str:
        v = d.get(key)
        if isinstance(v, str) or (v is None and nullable):
            return "" if v is None else v
        self._bad(f"{where}.{key}" if where else key, v, "text")
        return ""

    def opt_text(self, d: Mapping[str, JSON], key: str, where: str) -> str | None:
        v = d.get(key)
        if v is None or isinstance(v, str):
            return v
        self._bad(f"{where}.{key}", v, "text or null")
        return None

    def count(self, d: Mapping[str, JSON], key: str, where: str) -> int:
        v = d.get(key)
        if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            return v
        self._bad(f"{where}.{key}", v, "a count such as 12")
        return 0

    def cents(self, d: Mapping[str, JSON], key: str, where: str, nullable: bool = False) -> int | None:

        if key not in d and not nullable:
            self.problems.append(f"{where}: has no `{key}`; expected an amount such as \"1234.50\"")
            return 0
        v = d.get(key)
        problem = amount_problem(f"{where}.{key}", v, nullable=nullable)
        if problem:
            self.problems.append(problem)
            return 0
        return _cents(v)

    def money(self, d: Mapping[str, JSON], key: str, where: str) -> int:
        return self.cents(d, key, where) or 0

    def day(self, d: Mapping[str, JSON], key: str, where: str, nullable: bool = True) -> date | None:
        v = d.get(key)
        if v is None and nullable:
            return None
        if isinstance(v, str):
            try:
                return date.fromisoformat(v)
            except ValueError:
                pass
        self._bad(f"{where}.{key}" if where else key, v, "a date such as \"2026-11-20\"")
        return None

    def enum(self, cls: type[_E], v: JSON, where: str) -> _E:
        try:
            return cls(v)
        except ValueError:
            members = list(cls)
            self._bad(where, v, " or ".join(repr(m.value) for m in members))
            return members[0]

    def report(self, data: Mapping[str, JSON]) -> Report | None:
        prog = self.obj(data.get("program"), "program")
        try:
            run_at = datetime.fromisoformat(str(data.get("run_at")))
        except ValueError:
            self._bad("run_at", data.get("run_at"), "a time such as \"2026-11-20T18:30:00+00:00\"")
            run_at = datetime(1970, 1, 1)
        params: dict[str, ParameterValue] = {}
        for k, v in self.obj(data.get("parameters", {}), "parameters").items():
            if k in PARAMETER_AMOUNTS:
                params[k] = self.cents({k: v}, k, "parameters", nullable=True)
            elif k in ("as_of", "prepared_on", "daily_notice_date"):
                params[k] = self.day({k: v}, k, "parameters")
            elif v is None or isinstance(v, (str, bool)):
                params[k] = v
            else:
                self._bad(f"parameters.{k}", v, "text, true/false or null")
        comps = {ComputationName(n): self.computation(ComputationName(n), self.obj(c, f"computations.{n}"))
                 for n, c in self.obj(data.get("computations"), "computations").items()}
        compared = None
        if "compared_with" in data:
            w = self.obj(data["compared_with"], "compared_with")
            compared = ComparedWith(self.opt_text(w, "as_of", "compared_with"), self.opt_text(w, "run_at", "compared_with"),
                                    self.opt_text(w, "firm_name", "compared_with"),
                                    tuple(str(x) for x in self.seq(w.get("warnings", []), "compared_with.warnings")),
                                    None if "exceptions_gone" not in w else tuple(
                                        PriorException(*(self.opt_text(g, k, at) or "" for k in PRIOR_FIELDS))
                                        for at, g in self._objs(w, "exceptions_gone", "compared_with")))
        boxes = self.obj(data.get("focus_boxes", dict(SUMMARY_BOXES)), "focus_boxes")
        return Report(
            program=Program(self.text(prog, "name", "program"), self.text(prog, "version", "program")),
            run_at=run_at, firm_name=self.text(data, "firm_name", ""), as_of=self.day(data, "as_of", "", False)
            or date(1970, 1, 1), parameters=params, computations=comps,
            note_h=tuple(self.note_h(self.obj(e, f"note_h[{i}]"), f"note_h[{i}]")
                         for i, e in enumerate(self.seq(data.get("note_h", []), "note_h"))),
            exceptions=tuple(self.exception(self.obj(e, f"exceptions[{i}]"), f"exceptions[{i}]")
                             for i, e in enumerate(self.seq(data.get("exceptions", []), "exceptions"))),
            row_counts=tuple(RowCount(t, self.count(rc, "rows", f"row_counts.{t}"), self.count(rc, "used", f"row_counts.{t}"),
                                      self.count(rc, "excluded", f"row_counts.{t}"))
                             for t, rc in ((t, self.obj(rc, f"row_counts.{t}"))
                                           for t, rc in self.obj(data.get("row_counts", {}), "row_counts").items())),
            assumptions=tuple(Assumption(self.text(a, "key", w), self.text(a, "rule", w), self.text(a, "reading", w))
                              for w, a in self._objs(data, "assumptions")),
            inputs=tuple(InputRecord(self.text(i, "file", w), self.text(i, "table", w), self.count(i, "rows", w),
                                     self.text(i, "sha256", w)) for w, i in self._objs(data, "inputs")),
            ignored=tuple(ReadPast(self.text(i, "file", w), self.opt_text(i, "sheet", w), self.opt_text(i, "column", w),
                                   self.text(i, "what", w), self.text(i, "reason", w))
                          for w, i in self._objs(data, "ignored")),
            focus_boxes={str(k): str(v) for k, v in boxes.items()},
            compared_with=compared,
            schema=str(data.get("schema")),
            reviews=tuple(self.review(r, w) for w, r in self._objs(data, "reviews")),
            variances=None if "variances" not in data else tuple(
                self.variance(v, w) for w, v in self._objs(data, "variances")),
            history=None if "history" not in data else self.history(self.obj(data["history"], "history"), "history"),
            deposits=self.deposits(data),
        )

    def deposits(self, data: Mapping[str, JSON]) -> tuple[Deposit, ...] | None:
        params = data.get("parameters")
        self.problems.extend(bank_opens_at_problems(params.get("bank_opens_at") if isinstance(params, dict) else None))
        if "deposits" not in data:
            return None
        found = deposit_problems(data["deposits"])
        if found:
            self.problems.extend(found)
            return ()
        return tuple(deposit_of(d) for d in data["deposits"])

    def source(self, src: JSON, where: str) -> Source | None:
        if src is None:
            return None
        s = self.obj(src, where)
        return Source(self.text(s, "file", where), self.text(s, "sheet", where), self.count(s, "row", where))

    def review(self, r: Mapping[str, JSON], where: str, rid: str | None = None) -> Review:
        disposition = self.text(r, "disposition", where)
        if disposition not in REVIEW_DISPOSITIONS:
            self.problems.append(f"{where}.disposition: found {disposition!r}; expected one of "
                                 + ", ".join(REVIEW_DISPOSITIONS))
        return Review(rid if rid is not None else self.text(r, "id", where), disposition,
                      self.opt_text(r, "comment", where), self.text(r, "reviewer", where),
                      self.day(r, "date", where), self.source(r.get("source"), f"{where}.source"))

    def variance(self, v: Mapping[str, JSON], where: str) -> Variance:
        vid = self.text(v, "id", where)
        pct = v.get("percent")
        percent = None
        if pct is not None:
            try:
                percent = Decimal(str(pct)) if re.fullmatch(r"-?\d+\.\d{2}", str(pct)) else None
            except ArithmeticError:
                percent = None
            if percent is None:
                self._bad(f"{where}.percent", pct, "a percent as text with two decimals, or null")
        rv = v.get("review")
        return Variance(vid, self.enum(ComputationName, v.get("computation"), f"{where}.computation"),
                        self.text(v, "line", where), self.text(v, "label", where), self.money(v, "prior", where),
                        self.money(v, "now", where), self.money(v, "change", where), percent,
                        None if rv is None else self.review(self.obj(rv, f"{where}.review"), f"{where}.review", vid))

    def history(self, h: Mapping[str, JSON], where: str) -> History:
        points = []
        for w, p in self._objs(h, "points", where):
            figs = self.obj(p.get("figures", {}), f"{w}.figures")
            points.append(HistoryPoint(
                self.text(p, "file", w), self.text(p, "sha256", w), self.day(p, "as_of", w, False) or date(1970, 1, 1),
                self.opt_text(p, "run_at", w),
                {self.enum(ComputationName, c, f"{w}.figures"): {str(k): self.money(self.obj(f, f"{w}.figures.{c}"), k,
                                                                                   f"{w}.figures.{c}")
                                                                 for k in self.obj(f, f"{w}.figures.{c}")}
                 for c, f in figs.items()}))
        return History(self.text(h, "folder", where), tuple(points),
                       tuple(str(x) for x in self.seq(h.get("notes", []), f"{where}.notes")))

    def _objs(self, data: Mapping[str, JSON], key: str, where: str = "") -> Iterable[tuple[str, Mapping[str, JSON]]]:
        at = f"{where}.{key}" if where else key
        for i, v in enumerate(self.seq(data.get(key, []), at)):
            yield f"{at}[{i}]", self.obj(v, f"{at}[{i}]")

    def computation(self, name: ComputationName, c: Mapping[str, JSON]) -> ComputationReport:
        where = f"computations.{name.value}"
        raw = {(line.get("key") if isinstance(line, dict) else None): line
               for line in self.seq(c.get("lines"), f"{where}.lines")}
        lines = []
        for i, spec in enumerate(LINES):
            line = raw.get(spec.key.value)
            if not isinstance(line, dict):
                self.problems.append(f"{where}.lines: has no line {spec.key.value}")
                continue
            lw = f"{where}.lines[{i}]"
            lines.append(ReportLine(spec.key, self.text(line, "item", lw), self.text(line, "caption", lw),
                                    self.enum(Side, line.get("side"), f"{lw}.side"), self.text(line, "rule", lw),
                                    self.text(line, "focus_box", lw), self.money(line, "amount", lw)))
        figures = {k: self.money(c, k, where) for k in SUMMARY_FIGURES}
        previous = None
        if "previous" in c:
            p = self.obj(c["previous"], f"{where}.previous")
            pw = f"{where}.previous"
            amounts = self.obj(p.get("amounts", {}), f"{pw}.amounts")
            change = self.obj(p.get("change", {}), f"{pw}.change")
            previous = Previous(self.opt_text(p, "as_of", pw), self.opt_text(p, "run_at", pw),
                                {k: self.cents(amounts, k, f"{pw}.amounts", nullable=True) for k in amounts},
                                {k: self.cents(change, k, f"{pw}.change", nullable=True) for k in change},
                                tuple(str(x) for x in self.seq(p.get("largest_movers", []), f"{pw}.largest_movers")))
        return ComputationReport(name, tuple(lines), **figures,
                                 debit_reduction_rule=self.text(c, "debit_reduction_rule", where, nullable=True),
                                 deposit_deadline=self.day(c, "deposit_deadline", where), previous=previous)

    def note_h(self, e: Mapping[str, JSON], where: str) -> NoteHEntry:
        amounts = {k: self.money(e, k, where) for k in NOTE_H_AMOUNTS}
        return NoteHEntry(
            self.text(e, "cca_id", where), self.opt_text(e, "cca_name", where), self.text(e, "account_id", where),
            self.opt_text(e, "customer_id", where), self.text(e, "computation", where),
            self.opt_text(e, "account_structure", where), **amounts, status=self.text(e, "status", where),
            failed_conditions=tuple(FailedCondition(self.text(f, "rule", w), self.text(f, "message", w),
                                                    self.cents(f, "amount", w, nullable=True))
                                    for w, f in self._objs(e, "failed_conditions", where)),
            pending=tuple(PendingCure(self.text(p, "deposit_id", w), self.day(p, "deadline", w),
                                      self.cents(p, "amount", w, nullable=True))
                          for w, p in self._objs(e, "pending", where)))

    def exception(self, e: Mapping[str, JSON], where: str) -> ReportException:
        src = e.get("source")
        source = None
        if src is not None:
            s = self.obj(src, f"{where}.source")
            source = Source(self.text(s, "file", f"{where}.source"), self.text(s, "sheet", f"{where}.source"),
                            self.count(s, "row", f"{where}.source"))
        comp = e.get("computation")
        return ReportException(
            self.text(e, "rule", where),
            None if not comp else self.enum(ComputationName, comp, f"{where}.computation"),
            self.enum(Severity, e.get("severity"), f"{where}.severity"), source,
            self.cents(e, "amount", where, nullable=True), self.text(e, "message", where),
            id=self.opt_text(e, "id", where) or "", since=self.opt_text(e, "since", where) or "",
            review=None if e.get("review") is None else self.review(self.obj(e["review"], f"{where}.review"),
                                                                     f"{where}.review", self.opt_text(e, "id", where) or ""))


# -- the validators of a report-shaped JSON value: Report.from_json, ReportFigures and the
# comparison (compare.py) all read through them ---------------------------------------------

ITEM_NUMBERS = tuple(spec.number for spec in LINES if spec.number)
LINE_KEYS = tuple(spec.key for spec in LINES)


def kind_of(v: object) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, str):
        return f"the text {v!r}"
    return f"the number {v}"


def _is_iso_date(v: object) -> bool:
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", v):
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def amount_problem(where: str, v: object, nullable: bool = False) -> str | None:
    """None when v is an amount (text or number, at most 2 decimals); else the problem."""
    if v is None and nullable:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, Decimal)):
        return f"{where}: found {kind_of(v)}; expected an amount such as \"1234.50\""
    try:
        parse_decimal_text(str(v))
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[-1]
        return f"{where}: found {str(v)!r}, not an amount ({reason}); expected an amount such as \"1234.50\""
    return None


_CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_CREDITED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def bank_opens_at_problems(value: object) -> list[str]:
    """parameters.bank_opens_at: "HH:MM" (24-hour) or null (absent, in an older report)."""
    if value is None or (isinstance(value, str) and _CLOCK.fullmatch(value)):
        return []
    return [f"parameters.bank_opens_at: found {kind_of(value)}; expected a time of day such as \"08:30\", or null"]


def deposit_problems(value: object) -> list[str]:
    """Every problem of a report.json `deposits` section (issue 15), located."""
    if not isinstance(value, list):
        return [f"deposits: found {kind_of(value)}; expected a list of deposits"]
    out: list[str] = []
    for i, d in enumerate(value):
        w = f"deposits[{i}]"
        if not isinstance(d, dict):
            out.append(f"{w}: found {kind_of(d)}; expected an object with account_id, computation, credited_at, "
                       "kind, amount")
            continue
        if not isinstance(d.get("account_id"), str) or not d["account_id"]:
            out.append(f"{w}.account_id: found {kind_of(d.get('account_id'))}; expected a reserve bank account id")
        if d.get("computation") not in COMPUTATIONS:
            out.append(f"{w}.computation: found {kind_of(d.get('computation'))}; expected "
                       + " or ".join(repr(str(c)) for c in COMPUTATIONS))
        at = d.get("credited_at")
        ok_at = isinstance(at, str) and _CREDITED_AT.fullmatch(at) is not None
        if ok_at:
            try:
                datetime.fromisoformat(str(at))
            except ValueError:
                ok_at = False
        if not ok_at:
            out.append(f"{w}.credited_at: found {kind_of(at)}; expected a date and time such as "
                       "\"2026-11-24T08:45:00\" (no time zone)")
        if d.get("kind") not in DEPOSIT_KINDS:
            out.append(f"{w}.kind: found {kind_of(d.get('kind'))}; expected " + " or ".join(repr(k) for k in DEPOSIT_KINDS))
        if "amount" not in d:
            out.append(f"{w}: has no `amount`; expected an amount such as \"1234.50\"")
        elif (p := amount_problem(f"{w}.amount", d["amount"])):
            out.append(p)
        elif parse_decimal_text(str(d["amount"])) <= 0:
            out.append(f"{w}.amount: found {str(d['amount'])!r}; expected an amount more than zero")
        if d.get("reference") is not None and not isinstance(d["reference"], str):
            out.append(f"{w}.reference: found {kind_of(d['reference'])}; expected text or null")
        src = d.get("source")
        if src is not None and not (isinstance(src, dict) and isinstance(src.get("file"), str)
                                    and isinstance(src.get("sheet"), str) and isinstance(src.get("row"), int)
                                    and not isinstance(src.get("row"), bool)):
            out.append(f"{w}.source: found {kind_of(src)}; expected null or an object with file, sheet and row")
    return out


def report_problems(data: object, require_schema: bool = False) -> list[str]:
    """Every problem of a report-shaped JSON value (a report.json, or any JSON with the same
    `computations` section), located by its path in the file. Empty: the file can be used."""
    if not isinstance(data, dict):
        return [f"is {kind_of(data)}, not a report; expected a JSON object with a `computations` section"]
    problems = []
    if require_schema and data.get("schema") != SCHEMA:
        found = "no `schema`" if "schema" not in data else f"schema {data.get('schema')!r}"
        problems.append(f"is not a reserve report.json ({found}; expected schema {SCHEMA!r})")
    for key in ("firm_name",):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{key}: found {kind_of(data[key])}; expected text")
    if "as_of" in data and not _is_iso_date(data["as_of"]):
        problems.append(f"as_of: found {kind_of(data['as_of'])}; expected a date such as \"2026-11-20\"")
    comps = data.get("computations")
    if comps is None:
        problems.append("has no `computations` section; expected the one a report.json has")
        return problems
    if not isinstance(comps, dict):
        problems.append(f"computations: found {kind_of(comps)}; expected an object with customer and/or pab")
        return problems
    for name, c in comps.items():
        where = f"computations.{name}"
        if name not in COMPUTATIONS:
            problems.append(f"{where}: unknown computation; expected {' or '.join(COMPUTATIONS)}")
            continue
        if not isinstance(c, dict):
            problems.append(f"{where}: found {kind_of(c)}; expected an object")
            continue
        items = c.get("items")
        if items is not None:
            if not isinstance(items, dict):
                problems.append(f"{where}.items: found {kind_of(items)}; expected an object of item number: amount")
            else:
                for num, amt in items.items():
                    if num not in ITEM_NUMBERS:
                        problems.append(f"{where}.items.{num}: unknown item; expected one of {', '.join(ITEM_NUMBERS)}")
                    elif (p := amount_problem(f"{where}.items.{num}", amt)):
                        problems.append(p)
        for k in COMPARED_FIGURES:
            if k in c and (p := amount_problem(f"{where}.{k}", c[k], nullable=True)):
                problems.append(p)
        lines = c.get("lines")
        if lines is not None:
            if not isinstance(lines, list):
                problems.append(f"{where}.lines: found {kind_of(lines)}; expected a list of {{key, amount}}")
            else:
                for i, line in enumerate(lines):
                    lw = f"{where}.lines[{i}]"
                    if not isinstance(line, dict):
                        problems.append(f"{lw}: found {kind_of(line)}; expected an object with `key` and `amount`")
                    elif line.get("key") not in LINE_KEYS:
                        problems.append(f"{lw}.key: found {kind_of(line.get('key'))}; expected a line key such as item_1")
                    elif "amount" not in line:
                        problems.append(f"{lw}: line {line['key']} has no `amount`")
                    elif (p := amount_problem(f"{lw}.amount", line["amount"])):
                        problems.append(p)
    return problems
