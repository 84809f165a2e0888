"""The shapes the computation produces: lines, dispositions, exceptions.

A *disposition* says what happened to one input row (or, for an adjustment that no single
row carries — a Note E(1) concentration charge, the 3% reduction — to a group): the line it
went to and the amount it contributed, or its exclusion with reason and rule. Every line of
the formula is the sum of its dispositions, so totals tie by construction and every figure
traces back to rows.

Dispositions are long-format DataFrames with the columns of `DISPOSITION_COLUMNS`:

    table        input table ("accounts", "items", ...), or "" for an adjustment
    row          positional index of the row in that table (book.tables[table].iloc[row]), -1 for adjustments
    computation  "customer" | "pab" | "" (a row outside both computations)
    line         a key of LINES, or "excluded", or a non-formula use ("reserve_bank", "note_e1_test", ...)
    amount       int64 cents contributed to `line` (0 for exclusions)
    rule         citation of the rule applied ("Item 4", "Note D", "Note H(b)(1)(iii)(C)")
    reason       why, in words a reviewer reads
    ref          a key for group adjustments (security id, customer id), else ""

A row may carry several records where the rule says so (a customer's securities at a
clearing agency: Item 2 credit and Item 15 debit). `primary` marks the one record per row
that counts it as used or excluded for the "rows in = used + excluded" check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeAlias, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd

from .inputs import Params

DISPOSITION_COLUMNS = ("table", "row", "computation", "line", "amount", "rule", "reason", "ref", "primary")



class Severity(StrEnum):
    """How urgently a finding needs a reviewer (a `StrEnum`: equal to its text, so JSON and
    templates see "severe", "review", "info")."""

    SEVERE = "severe"  # the figure may be wrong or the rule is breached
    REVIEW = "review"  # a reviewer must look; the figure stands as computed
    INFO = "info"  # stated for the record


class Side(StrEnum):
    """The side of Exhibit A a line stands on."""

    CREDIT = "credit"
    DEBIT = "debit"


class ComputationName(StrEnum):
    """The two reserve computations: customers (Rule 15c3-3a) and PAB accounts (the PAB
    reserve computation, Rule 15c3-3(a)(16), Exhibit A's notes as adapted)."""

    CUSTOMER = "customer"
    PAB = "pab"


class LineKey(StrEnum):
    """The lines of Exhibit A (Items 1-15 and the FOCUS other credits/debits), in its order."""

    ITEM_1 = "item_1"
    ITEM_2 = "item_2"
    ITEM_3 = "item_3"
    ITEM_4 = "item_4"
    ITEM_5 = "item_5"
    ITEM_6 = "item_6"
    ITEM_7 = "item_7"
    ITEM_8 = "item_8"
    ITEM_9 = "item_9"
    OTHER_CREDITS = "other_credits"
    ITEM_10 = "item_10"
    ITEM_11 = "item_11"
    ITEM_12 = "item_12"
    ITEM_13 = "item_13"
    ITEM_14 = "item_14"
    ITEM_15 = "item_15"
    OTHER_DEBITS = "other_debits"


COMPUTATIONS = tuple(ComputationName)


@dataclass(frozen=True)
class Line:
    """One line of Exhibit A: its key, number ("1".."15", "" for the FOCUS other lines),
    caption, side, the rule it carries and its FOCUS box. Item 15 has no box and is never
    reported in the "Other debits" box (reading: focus_item_15)."""

    key: LineKey
    number: str  # "1".."16", or "" for other lines
    caption: str
    side: Side
    rule: str
    focus_box: str = ""  # customer computation box (confirmed boxes only; the FOCUS Report Part II boxes of the 2026 form)


# Exhibit A's lines, in its order. FOCUS boxes: Form X-17A-5 Part II (confirmed ones only;
# the PAB schedule's boxes are unconfirmed -> blank). Item 15 has no box: the boxes FOCUS Part
# II added on March 1, 2026 (12843, 12844, 12849, 12850, 12851) are not confirmed line by line
# here, and Item 15 is never put in the "Other debits" box (reading: focus_item_15).
LINES: tuple[Line, ...] = (
    Line(LineKey.ITEM_1, "1", "Free credit balances and other credit balances in customers' security accounts", Side.CREDIT, "Item 1; Note A", "4340"),
    Line(LineKey.ITEM_2, "2", "Monies borrowed collateralized by securities carried for the accounts of customers", Side.CREDIT, "Item 2; Note B", "4350"),
    Line(LineKey.ITEM_3, "3", "Monies payable against customers' securities loaned", Side.CREDIT, "Item 3; Note C", "4360"),
    Line(LineKey.ITEM_4, "4", "Customers' securities failed to receive", Side.CREDIT, "Item 4; Note D", "4370"),
    Line(LineKey.ITEM_5, "5", "Credit balances in firm accounts which are attributable to principal sales to customers", Side.CREDIT, "Item 5", "4380"),
    Line(LineKey.ITEM_6, "6", "Market value of stock dividends, stock splits and similar distributions receivable outstanding over 30 calendar days", Side.CREDIT, "Item 6", "4390"),
    Line(LineKey.ITEM_7, "7", "Market value of short security count differences over 30 calendar days old", Side.CREDIT, "Item 7", "4400"),
    Line(LineKey.ITEM_8, "8", "Market value of short securities and credits (not to be offset by longs or by debits) in all suspense accounts over 30 calendar days", Side.CREDIT, "Item 8", "4410"),
    Line(LineKey.ITEM_9, "9", "Market value of securities which are in transfer in excess of 40 calendar days and have not been confirmed to be in transfer by the transfer agent or the issuer during the 40 days", Side.CREDIT, "Item 9", "4420"),
    Line(LineKey.OTHER_CREDITS, "", "Other credits (List)", Side.CREDIT, "FOCUS Other credits", "4425"),
    Line(LineKey.ITEM_10, "10", "Debit balances in customers' cash and margin accounts excluding unsecured accounts and accounts doubtful of collection (net of Note E deductions)", Side.DEBIT, "Item 10; Note E", "4440"),
    Line(LineKey.ITEM_11, "11", "Securities borrowed to effectuate short sales by customers and securities borrowed to make delivery on customers' securities failed to deliver", Side.DEBIT, "Item 11", "4450"),
    Line(LineKey.ITEM_12, "12", "Failed to deliver of customers' securities not older than 30 calendar days", Side.DEBIT, "Item 12", "4460"),
    Line(LineKey.ITEM_13, "13", "Margin required and on deposit with the Options Clearing Corporation for all option contracts written or purchased in customer accounts", Side.DEBIT, "Item 13; Note F", "4465"),
    Line(LineKey.ITEM_14, "14", "Margin required and on deposit with a registered clearing agency or derivatives clearing organization (security futures; portfolio-margined futures)", Side.DEBIT, "Item 14; Note G", "4467"),
    Line(LineKey.ITEM_15, "15", "Margin required and on deposit with a qualified clearing agency for customers' cleared U.S. Treasury purchases, sales and repos", Side.DEBIT, "Item 15; Note H", ""),
    Line(LineKey.OTHER_DEBITS, "", "Other debits (List)", Side.DEBIT, "FOCUS Other debits", "4469"),
)
LINES_BY_KEY = {line.key: line for line in LINES}
CREDIT_LINES = tuple(line.key for line in LINES if line.side is Side.CREDIT)
DEBIT_LINES = tuple(line.key for line in LINES if line.side is Side.DEBIT)

# Boxes of the summary lines (customer computation).
SUMMARY_BOXES = {
    "total_credits": "4430",
    "aggregate_debits": "4470",
    "debit_reduction": "4471",
    "total_debits": "4472",
    "excess_debits": "4480",
    "excess_credits": "4490",
    "required_deposit_monthly": "4500",
    "on_deposit": "4510",
    "deposit_or_withdrawal": "4520",
    "new_amount_on_deposit": "4530",
    "deposit_date": "4540",
    "frequency": "4333",
}


TEXT_COLUMNS = ("table", "computation", "line", "rule", "reason", "ref")


def _categories(values: Iterable[Any]) -> pd.Index:
    return pd.Index(list(values), dtype=object)


TextArg: TypeAlias = str | pd.Categorical | pd.Series | npt.NDArray[Any] | list[str] | tuple[str, ...]
"""A disposition text column: one text for every row, or one per row."""
NumArg: TypeAlias = int | npt.NDArray[Any] | pd.Series | list[int]
"""A disposition number column: one value for every row, or one per row."""


def _as_categorical(v: TextArg, n: int) -> pd.Categorical:
    """A disposition text column: a scalar broadcast, or one value per row. Stored as a
    categorical (a handful of distinct values over up to tens of millions of records:
    small integer codes, never a Python string per record)."""
    if isinstance(v, pd.Series):
        v = v.array if isinstance(v.dtype, pd.CategoricalDtype) else v.to_numpy(dtype=object)
    if isinstance(v, pd.Categorical):
        if v.isna().any():  # blank -> "" (a disposition's text is never missing)
            v = v.add_categories([""]) if "" not in v.categories else v
            v = v.fillna("")
        return pd.Categorical.from_codes(v.codes, dtype=pd.CategoricalDtype(_categories(v.categories)))
    if isinstance(v, (np.ndarray, list, tuple)):
        arr = np.asarray(v, dtype=object)
        if len(arr):
            arr = np.where(pd.isna(arr), "", arr)
        codes, uniques = pd.factorize(arr)
        return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(_categories(uniques)))
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), dtype=pd.CategoricalDtype(_categories([v])))


def choose(n: int, default: str, *cases: tuple[npt.NDArray[np.bool_], str]) -> pd.Categorical:
    """One text per row as a categorical: `default`, overridden by each (mask, text) in turn
    (a later case wins). The vectorised form of an if/elif chain over millions of rows."""
    texts = [default]
    codes = np.zeros(n, dtype=np.int16)
    for mask, text in cases:
        if text not in texts:
            texts.append(text)
        codes[np.asarray(mask, dtype=bool)] = texts.index(text)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(_categories(texts)))


def dispositions(table: TextArg, rows: npt.ArrayLike, computation: TextArg, line: TextArg, amount: NumArg, rule: TextArg,
                 reason: TextArg, ref: TextArg = "", primary: NumArg = True) -> pd.DataFrame:
    """Build a disposition frame; scalars broadcast over `rows`; text columns may be given as
    arrays, Series or categoricals (`choose`). The frame wraps the arrays it is given, without
    a copy (pandas 3 would copy each: 20 million dispositions at 10M accounts, issue 13), so a
    caller hands them over: none changes an array after passing it here."""
    positions = np.asarray(rows, dtype=np.int64)
    n = len(positions)

    def num(v: NumArg, dtype: type[Any]) -> npt.NDArray[Any]:
        if isinstance(v, (pd.Series, np.ndarray, list)):
            return np.asarray(v.to_numpy() if isinstance(v, pd.Series) else v).astype(dtype, copy=False)
        return np.full(n, v, dtype=dtype)

    amounts, primaries = num(amount, np.int64), num(primary, bool)
    for a in (positions, amounts, primaries):
        a.flags.writeable = False  # handed over: a caller's later change raises, never alters the frame
    return pd.DataFrame(
        {
            "table": _as_categorical(table, n),
            "row": positions,
            "computation": _as_categorical(computation, n),
            "line": _as_categorical(line, n),
            "amount": amounts,
            "rule": _as_categorical(rule, n),
            "reason": _as_categorical(reason, n),
            "ref": _as_categorical(ref, n),
            "primary": primaries,
        },
        copy=False,
    )


def concat_dispositions(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Disposition frames -> one, keeping every text column categorical (pandas' concat would
    turn categoricals with different categories into Python strings)."""
    frames = [f for f in frames if len(f)] or [empty_dispositions()]
    if len(frames) == 1:  # a copy: a disposition frame's own arrays are read-only (`dispositions`)
        return frames[0].reset_index(drop=True).copy()

    def column(c: str) -> Any:
        if c in TEXT_COLUMNS:
            return _union([_as_categorical(f[c], len(f)) for f in frames])
        return np.concatenate([f[c].to_numpy() for f in frames])

    if sum(len(f) for f in frames) < PARALLEL_CONCAT_ROWS:
        return pd.DataFrame({c: column(c) for c in DISPOSITION_COLUMNS}, copy=False)
    # two columns at a time: numpy's remapping and copying run without the interpreter lock
    # (issue 13: the 20 million dispositions of a 10M-account book, 0.8 -> 0.5 s)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="reserve-concat") as pool:
        return pd.DataFrame(dict(zip(DISPOSITION_COLUMNS, pool.map(column, DISPOSITION_COLUMNS), strict=True)),
                            copy=False)


PARALLEL_CONCAT_ROWS = 1 << 20  # dispositions concatenated two columns at a time from this many rows


def _union(parts: list[pd.Categorical]) -> pd.Categorical:
    """Categoricals -> one, categories in order of first appearance: each part's codes are
    mapped through a small array (a handful of categories), then concatenated."""
    cats: dict[Any, int] = {}
    for p in parts:
        for c in p.categories:
            cats.setdefault(c, len(cats))
    width = np.int8 if len(cats) < 127 else np.int16 if len(cats) < 32_000 else np.int32
    codes = []
    for p in parts:
        remap = np.array([cats[c] for c in p.categories] + [-1], dtype=width)  # code -1 stays -1
        codes.append(remap[p.codes])
    return pd.Categorical.from_codes(np.concatenate(codes) if codes else np.zeros(0, dtype=width),
                                     dtype=pd.CategoricalDtype(_categories(cats)))


def adjustment(computation: str, line: str, amount: int, rule: str, reason: str, ref: str = "") -> pd.DataFrame:
    """A record no single input row carries (a concentration charge, a percentage)."""
    return dispositions("", [-1], computation, line, int(amount), rule, reason, ref, False)


def empty_dispositions() -> pd.DataFrame:
    return dispositions("", [], "", "", 0, "", "")


@dataclass
class Finding:
    """An exception or warning for the report: something a reviewer must look at."""

    rule: str
    computation: str  # customer | pab | "" (both / book-wide)
    message: str
    amount: int | None = None  # cents at stake
    table: str = ""
    row: int | None = None  # positional row in the table (resolved to file/sheet/row by the report)
    severity: Severity = Severity.REVIEW
    # What, beyond the rule, row and message template, makes this finding this one (part of its
    # exception id, report/model.py): "" for most. A finding whose figures are what a reviewer
    # accepts (how many rows leaned on a default) puts them here, so that a review accepting it
    # covers those rows and no more: with other figures it is another finding.
    identity: str = ""


#: Findings listed one by one per rule; past it, one more finding says how many more there are.
MAX_LISTED = 200


def more_than_listed(total: int, findings: list[Finding], rule: str, computation: str, table: str,
                     severity: Severity = Severity.REVIEW) -> None:
    """Append "... and N more" when `total` rows qualified but only MAX_LISTED were listed."""
    if total > MAX_LISTED:
        findings.append(Finding(rule, computation, f"… and {total - MAX_LISTED:,} more ({total:,} in all; each is in "
                                "the dispositions)", None, table, None, severity))


@dataclass
class Outcome:
    """What a rule function returns: its dispositions, in the order they are written, and its
    findings, in the order they are reported."""

    frames: list[pd.DataFrame] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def extend(self, other: Outcome) -> None:
        self.frames.extend(other.frames)
        self.findings.extend(other.findings)


@dataclass
class Computation:
    """One reserve computation (customer or PAB), all amounts in cents."""

    name: str
    lines: dict[str, int]
    total_credits: int
    aggregate_debits: int
    debit_reduction: int
    reduction_rule: str
    total_debits: int
    excess_credits: int
    excess_debits: int
    required_deposit: int
    offset_by_customer_excess_debits: int = 0
    sweep: int = 0
    on_deposit: int = 0
    deposit_needed: int = 0
    withdrawal_permitted: int = 0
    deposit_deadline: date | None = None


# Note H's report entries (built by note_h.outcome.entries; listed in Result.note_h)


class FailedCondition(TypedDict):
    """A condition of Note H one customer's entry fails."""

    rule: str  #: the citation, e.g. "Note H(b)(1)(iii)(C)"
    message: str  #: which row and what fails, in words
    amount: int | None  #: cents at stake: the requirement (clearing agency, requirement rows) or the deposit


class PendingDeposit(TypedDict):
    """Firm-owned Treasuries awaiting the customer's delivery (Note H(b)(1)(iii)(C); reading: h_pending)."""

    deposit_id: str
    deadline: date  #: the close of the next business day after the requirement arose
    amount: int  #: cents


class NoteHEntry(TypedDict):
    """One customer account at one clearing agency: Item 15 worked out. Amounts in cents."""

    cca_id: str
    cca_name: str | None  #: None when the clearing agency is not in the cca table
    account_id: str
    customer_id: str | None  #: None when the account is not in the accounts table
    computation: str  #: "customer", "pab", or "" (an account outside both computations)
    account_structure: str | None  #: the structures stated for its requirements, joined (reading: h_account_structure)
    requirement: int  #: every requirement row of the account at the clearing agency
    requirement_counted: int  #: those that count (Note H(a)(2), (b)(2)(i)) at a clearing agency meeting Note H
    eligible_deposits: int  #: deposits meeting Note H(a)(1), (b)(1), (b)(2)(iii), after the cash cap
    item_15: int  #: min(requirement_counted, eligible_deposits) (Note H(a))
    excess_on_deposit: int  #: eligible deposits beyond the whole requirement, to recall (reading: h_excess)
    status: str  #: "eligible", "partial", "ineligible", "pending" or "excess only"
    failed_conditions: list[FailedCondition]
    pending: list[PendingDeposit]


@dataclass
class Result:
    """Everything one run computed; renderers only present it."""

    params: Params
    """The book's parameters (reserve.book.Parameters), as the computation used them."""
    computations: dict[str, Computation]
    """"customer" and "pab" -> the lines, totals, reduction and deposit of that computation."""
    dispositions: pd.DataFrame
    """Every input row's disposition (DISPOSITION_COLUMNS; see this module's docstring): the lines
    are the sums of its amounts."""
    findings: list[Finding]
    """Exceptions and warnings for a reviewer, in the order the rules ran."""
    note_h: list[NoteHEntry]
    """One entry per customer and clearing agency under Note H (Item 15) (`NoteHEntry` above; built by note_h.outcome.entries)."""
    assumptions: list[dict[str, str]]
    """The readings relied on ({"key", "rule", "reading"}), then every default the book leaned on."""
    row_counts: dict[str, dict[str, int]]
    """table -> {"rows", "used", "excluded"}: rows in = used + excluded."""


def text_values(s: pd.Series) -> npt.NDArray[np.object_]:
    """A text or enum column as a plain object array with None where blank (the loader keeps
    text as Arrow strings and enums as categoricals, whose blanks read back as NaN)."""
    out: npt.NDArray[np.object_] = s.to_numpy(dtype=object)
    missing = s.isna().to_numpy(dtype=bool)
    if missing.any():
        out = out.copy()
        out[missing] = None
    return out
