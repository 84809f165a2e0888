"""`report.html`: one self-contained page a treasurer acts on and an auditor traces.

The page is a view of the report (`reserve.report.model.Report`) plus the supporting
schedules; amounts are the model's integer cents, never parsed back from text. All arithmetic and
choices happen here, in `build_context`, which returns a `ReportContext` (the template's
documented context); the jinja2 templates in `templates/` only lay it out, and number
formatting lives in the filters registered by `environment()`. Autoescape is on and
undefined variables are errors, so text from the book can never become markup and a
misspelt field fails loudly instead of printing nothing.

Exceptions at scale, with no script. The page is opened from disk by auditors, so nothing
runs and nothing is fetched. Exceptions are grouped by rule, one `<details>` per rule whose
`<summary>` gives the rule, the counts by severity, the amount at stake and how many are
reviewed; a group holding a severe exception is open, the others closed. Above the groups,
two rows of radio buttons (severity: all / severe / review / info; computation: all /
customer / PAB / book-wide), each labelled with its count, filter the rows in CSS alone:
the inputs are siblings before the list, so `#xf-sev-severe:checked ~ .xlist` selects it,
and `tr:has(> td.f:not(.s-severe))` hides a row that does not match (the first cell of each
row carries its severity `s-*` and computation `c-*` classes, the only per-row attributes
besides the stable id). A group with no matching row is hidden the same way, and a line
"showing N exceptions in G groups" per combination (`ExceptionFilter`, counted here) tells
what is left. These rules (`exception_filters`) are written into the page's `<style>`
inside `@media screen`, so a printed page always shows every exception. Needs `:has()`
(Chromium 105+, Firefox 121+, Safari 15.4+); without it every row stays shown.

Beside each exception: its review (the book's `review` row: disposition, comment, reviewer,
date) or "not reviewed"; review rows naming no exception or variance are listed below the
groups, never dropped. With --compare and a `variance_threshold`, a Variances section lists
every line above the threshold with its comment; the unexplained ones are marked and
counted there and in the summary (and the banner).

On paper (the print stylesheet in report.css and the page's `@page` rule): letter
landscape; a footer on every page from `@page` margin boxes (firm and as-of date at the
left, "Page x of y" from `counter(page)` / `counter(pages)` at the right; Chromium 131+;
Firefox and Safari have no margin boxes yet and print without it); the two summary cards
side by side on the first page; closed exception groups printed expanded
(`details::details-content`: Chromium 131+, Firefox 143+, Safari 18.4+; older browsers
print them as they are on screen, which the printed page says); the filter ignored (every
exception printed); the sign-off block kept on one page; DRAFT or INVALID on every printed
page, as the fixed watermark (repeated on each page) and in the top margin box (the
sign-off region's own `<style>` with an `@page` rule, re-rendered with it by `reserve sign`).
Checked in headless Chromium by tests/test_report_chromium.py.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import jinja2
import pandas as pd

from ..book.schema import TABLES
from ..formula.model import LINES_BY_KEY, ComputationName, LineKey, Side
from ..money import format_display
from .compare import comparison
from .history import HistoryView, history_view
from .model import (
    NOTE_H_AMOUNTS,
    Assumption,
    FailedCondition,
    InputRecord,
    Previous,
    PriorException,
    ReadPast,
    Report,
    ReportFigures,
    Review,
    RowCount,
    Source,
    Variance,
)
from .signoff import HTML_BEGIN, HTML_END, SignOff, SignoffError, SignoffView, view
from .supporting import Schedule, ScheduleRows, schedule_for

HTML_ROWS_PER_SCHEDULE = 50  # rows of each schedule shown on the page; the workbook and supporting/ hold the rest
SEVERITY_RANK = {"severe": 0, "review": 1, "info": 2}
SEVERITIES = ("severe", "review", "info")
# the computation filter of the exceptions: an exception's computation, or "book" for one naming neither
SCOPES = (("customer", "customer"), ("pab", "PAB"), ("book", "book-wide"))
CSS_PLAIN = frozenset(" -.,:()")  # characters written as they are in a CSS string (`css_string`)
PRINT_FOOTER_CHARS = 90  # the firm's name is cut to fit the printed footer
COMPUTATION_TITLES = {"customer": "Customer reserve computation", "pab": "PAB reserve computation"}
BANK_ACCOUNT_NAMES = {"customer": "Customer Reserve Bank Account", "pab": "PAB Reserve Bank Account"}

# The columns that identify a row of each table, shown beside it in the HTML schedules (the
# workbook and the Parquet files carry every column).
IDENTITY_COLUMNS = {
    "accounts": ("account_id", "customer_id", "type"),
    "collateral": ("account_id", "security_id"),
    "items": ("item_id", "kind", "description"),
    "cca": ("cca_id", "name"),
    "cca_requirements": ("cca_id", "account_id", "position_type", "basis"),
    "cca_deposits": ("deposit_id", "cca_id", "account_id", "asset", "owner"),
    "reserve_bank_accounts": ("account_id", "bank_name"),
    "holidays": ("date", "name"),
    "deposits": ("account_id", "credited_at", "kind", "reference"),
}
DATETIME_COLUMNS = frozenset(c.name for t in TABLES for c in t.columns if c.type == "datetime")


# ------------------------------------------------------------------------------ context


@dataclass
class FormulaRow:
    """One row of a computation's table, Exhibit A order.

    kind: heading | line | total | result | date."""

    kind: str
    caption: str
    amount: int | None = None  # cents
    item: str = ""
    rule: str = ""
    focus_box: str = ""
    key: str = ""  # compared figure key (line key or summary key), "" if none
    prior: int | None = None
    change: int | None = None
    mover: bool = False
    anchor: str = ""  # link to the schedule of rows behind the line
    rows: int = 0
    ties: bool | None = None  # totals: does the figure equal the sum of what it totals?
    tie_text: str = ""
    text: str = ""  # for kind == date


@dataclass
class ComputationView:
    name: str
    title: str
    rows: list[FormulaRow]
    note: str = ""  # a footnote under the table


@dataclass
class SummaryCard:
    """What the treasurer does for one computation."""

    name: str
    title: str
    required: int
    on_deposit: int
    offset: int
    sweep: int
    deposit_needed: int
    withdrawal_permitted: int
    deadline: str | None
    action: str  # the sentence to act on
    urgent: bool
    prior_required: int | None = None
    change_required: int | None = None


@dataclass(frozen=True)
class ReviewView:
    """A row of the book's `review` table as the page shows it (`model.Review`)."""

    id: str
    disposition: str  # resolved | accepted | open
    comment: str
    reviewer: str
    date: str  # ISO, or ""
    source: str  # where the row is in the book ("book.xlsx · review · row 3"), or ""


@dataclass(frozen=True)
class DepositView:
    """A row of the book's `deposits` table as the page shows it (`model.Deposit`, issue 15)."""

    account_id: str
    computation: str  # Customer | PAB
    credited_at: str  # "2026-11-24 08:45:00", the bank's local time
    kind: str  # deposit | withdrawal
    amount: int  # cents
    reference: str
    source: str  # where the row is in the book, or ""


@dataclass
class ExceptionRow:
    severity: str
    computation: str  # as shown: "customer", "pab" or "book-wide"
    amount: int | None
    message: str
    source: str  # "accounts.csv · accounts · row 4", or "" (the full path is under Provenance)
    scope: str = "book"  # the computation filter's value: customer | pab | book
    id: str = ""  # the stable exception id (model.exception_id)
    since: str = ""  # --compare: "new" | "still open"; "" otherwise
    review: ReviewView | None = None  # None: not reviewed


@dataclass
class ExceptionGroup:
    rule: str
    severity: str  # the most severe in the group
    count: int
    total: int  # cents at stake
    rows: list[ExceptionRow]
    by_severity: list[tuple[str, int]] = field(default_factory=list)  # (severity, count), most severe first, no zeros
    reviewed: int = 0  # rows with a review row
    new: int = 0  # --compare: rows marked "new"
    open: bool = False  # shown open on screen (the group holds a severe exception)

    @property
    def unreviewed(self) -> int:
        return self.count - self.reviewed


@dataclass(frozen=True)
class FilterOption:
    """One radio button of the exceptions filter."""

    axis: str  # "sev" | "comp"
    value: str  # "all", a severity, or a scope
    label: str
    count: int  # exceptions it matches on its own


@dataclass(frozen=True)
class ExceptionFilter:
    """A combination of the two filters, what it leaves, and its CSS selectors (fixed words only,
    never text from the book)."""

    sev: str  # "all" or a severity
    comp: str  # "all" or a scope
    count: int  # exceptions shown
    groups: int  # groups shown

    @property
    def cell(self) -> str:
        """The selector of a row's first cell that matches both filters ("td.f.s-severe.c-pab")."""
        return "td.f" + ("" if self.sev == "all" else f".s-{self.sev}") + ("" if self.comp == "all" else f".c-{self.comp}")


@dataclass(frozen=True)
class VarianceView:
    """A line above the variance threshold (`model.Variance`)."""

    id: str
    computation: str  # "Customer" | "PAB"
    label: str
    prior: int  # cents, as are now and change
    now: int
    change: int
    percent: str  # "+12.50%", "−3.00%", or "" when the prior figure is zero
    explained: bool
    review: ReviewView | None


@dataclass(frozen=True)
class PendingCureView:
    """A pending cure as the page states it."""

    deposit_id: str
    amount: int | None  # cents
    deadline: str  # the customer's delivery is due by the close of this day (long date)


@dataclass(frozen=True)
class NoteHEntryView:
    """One Note H entry (`model.NoteHEntry`) with its blanks as "" for the page."""

    cca_id: str
    cca_name: str
    account_id: str
    customer_id: str
    computation: str
    account_structure: str
    requirement: int  # cents, as are the four below
    requirement_counted: int
    eligible_deposits: int
    item_15: int
    excess_on_deposit: int
    status: str
    failed_conditions: tuple[FailedCondition, ...]
    pending: tuple[PendingCureView, ...]


@dataclass
class NoteHGroup:
    cca_id: str
    cca_name: str
    entries: list[NoteHEntryView]
    totals: dict[str, int] = field(default_factory=dict)  # amount key -> cents over the entries


@dataclass(frozen=True)
class Mover:
    """A formula line among the largest changes since the previous computation."""

    computation: str  # "Customer" | "PAB"
    caption: str
    prior: int | None  # cents
    now: int
    change: int | None


@dataclass
class NoteHTie:
    """Item 15 of a computation against the sum of its Note H entries."""

    computation: str
    item_15: int
    entries_total: int
    ties: bool


@dataclass(frozen=True)
class ScheduleRecord:
    """A row of a schedule as the page shows it."""

    source: str  # "accounts.csv · accounts · row 4", or "adjustment (no single row)" (full paths: Provenance)
    identity: str  # the columns that identify the row ("account_id: C-100")
    amount: int  # cents the row contributed to the line
    rule: str
    reason: str
    ref: str


@dataclass
class ScheduleView:
    anchor: str
    title: str
    rule: str
    rows: int
    shown: int
    total: int
    line_amount: int | None  # the formula line's figure (None for non-formula schedules)
    ties: bool | None
    sheet: str | None  # workbook sheet holding it (None when no workbook is written)
    sheet_rows: int
    parquet: str
    csv: str | None  # supporting/<slug>.csv for Excel, when the schedule is longer than its sheet
    csv_rows: int  # the rows that CSV holds (its largest: supporting.CSV_ROWS), 0 without one
    records: list[ScheduleRecord]


@dataclass
class ReportContext:
    """Everything report.html shows; the template reads only this (see templates/report.html)."""

    firm_name: str
    as_of: str
    run_at: str
    program: str
    version: str
    banner_level: str  # danger | ok
    banner_lines: list[str]
    summary: list[SummaryCard]
    compared_as_of: str | None
    compared_run_at: str | None
    movers: list[Mover]
    computations: list[ComputationView]
    note_h: list[NoteHGroup]
    note_h_ties: list[NoteHTie]
    exceptions: list[ExceptionGroup]
    exception_total: int
    severe_count: int
    # issue 14: the exceptions' filter (no script), their reviews, the variances, the printed footer
    exception_options: list[FilterOption]
    exception_filters: list[ExceptionFilter]
    reviewed_count: int  # exceptions with a review row
    unmatched_reviews: list[ReviewView]  # review rows naming no exception or variance: listed, never dropped
    variances: list[VarianceView] | None  # None: not compared, or no variance_threshold
    unexplained_count: int
    variance_threshold: list[tuple[str, str]]  # the threshold parameters as written in report.json
    print_footer: str  # a CSS string literal (every character but letters, digits and spaces escaped)
    schedules: list[ScheduleView]
    rows_per_schedule: int
    workbook: str | None
    row_accounting: list[RowCount]
    assumptions: list[Assumption]
    inputs: list[InputRecord]
    ignored: list[ReadPast]  # sheets, files and columns read past (issue 10)
    parameters: list[tuple[str, str]]
    # --compare: why the prior report may not fit (another firm; not dated before the book)
    compared_warnings: list[str] = field(default_factory=list)
    # --compare: the previous report's exceptions not in this one (None: not compared)
    exceptions_gone: list[PriorException] | None = None
    # the sign-off block (issue 14): a new report has no signature yet and reads DRAFT
    signoff: SignoffView = field(default_factory=lambda: view(SignOff(), ""))
    # --history (issue 14 item 5): the trend section (templates/history.html); None without it
    history: HistoryView | None = None
    # issue 15: the book's deposits table, listed for `reserve series`; None: the book has none
    deposits: list[DepositView] | None = None


def _source_text(src: Source | None) -> tuple[str, str]:
    if src is None:
        return "", ""
    name = os.path.basename(src.file or "") or (src.file or "")
    parts = [name]
    if src.sheet:
        parts.append(str(src.sheet))
    parts.append(f"row {src.row}")
    return " · ".join(parts), f"{src.file} | {src.sheet} | row {src.row}"


def _long_date(d: date | str | None) -> str:
    if not d:
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return f"{d:%A}, {d.day} {d:%B %Y}"


def _summary_cards(report: Report, cmp: Mapping[ComputationName, Previous]) -> list[SummaryCard]:
    cards = []
    for name in ComputationName:
        c = report.computations.get(name)
        if c is None:
            continue
        required, on_dep = c.required_deposit, c.on_deposit
        offset, sweep = c.offset_by_customer_excess_debits, c.sweep
        need, wd = c.deposit_needed, c.withdrawal_permitted
        account = BANK_ACCOUNT_NAMES[name]
        deadline = _long_date(c.deposit_deadline)
        if need > 0:
            action = (f"Deposit ${format_display(need)} into the {account} by one hour after the opening of "
                      f"banking business on {deadline}.")
        elif wd > 0:
            action = (f"No deposit is needed. ${format_display(wd)} more than required is on deposit and may be "
                      f"withdrawn (Rule 15c3-3(g)).")
        else:
            action = "No deposit is needed: the amount on deposit covers the requirement."
        p = cmp.get(name)
        prior = p.amounts.get("required_deposit") if p else None
        change = p.change.get("required_deposit") if p else None
        cards.append(SummaryCard(name, COMPUTATION_TITLES[name], required, on_dep, offset, sweep, need, wd,
                                 c.deposit_deadline.isoformat() if c.deposit_deadline else None, action, need > 0,
                                 prior, change))
    return cards


def _formula(report: Report, name: ComputationName, cmp: Mapping[ComputationName, Previous],
             scheds: list[Schedule]) -> ComputationView:
    c = report.computations[name]
    boxes: Mapping[str, str] = report.focus_boxes if name == ComputationName.CUSTOMER else {}
    p = cmp.get(name)
    prior: Mapping[str, int | None] = p.amounts if p else {}
    change: Mapping[str, int | None] = p.change if p else {}
    movers = set(p.largest_movers) if p else set()

    def figure(kind: str, caption: str, key: str, rule: str = "", box: str = "", item: str = "",
               ties: bool | None = None, tie_text: str = "") -> FormulaRow:
        return FormulaRow(kind, caption, c.amount(key), item, rule, box, key, prior.get(key), change.get(key),
                          key in movers, ties=ties, tie_text=tie_text)

    rows: list[FormulaRow] = []
    sums = {Side.CREDIT: 0, Side.DEBIT: 0}
    for side, heading in ((Side.CREDIT, "Credit balances"), (Side.DEBIT, "Debit balances")):
        rows.append(FormulaRow("heading", heading))
        for line in c.lines:
            if line.side != side:
                continue
            sums[side] += line.amount
            s = schedule_for(scheds, name, line.key)
            rows.append(FormulaRow("line", line.caption, line.amount, line.item, line.rule, line.focus_box, line.key,
                                   prior.get(line.key), change.get(line.key), line.key in movers,
                                   s.anchor if s else "", s.rows if s else 0))
        if side == Side.CREDIT:
            tc = c.total_credits
            rows.append(figure("total", "Total credits", "total_credits", "Items 1–9 and other credits",
                               boxes.get("total_credits", ""), ties=sums[Side.CREDIT] == tc,
                               tie_text=f"sum of the credit lines above: {format_display(sums[Side.CREDIT])}"))
    agg, red, td = c.aggregate_debits, c.debit_reduction, c.total_debits
    rows.append(figure("total", "Aggregate debits", "aggregate_debits", "Items 10–15 and other debits",
                       boxes.get("aggregate_debits", ""), ties=sums[Side.DEBIT] == agg,
                       tie_text=f"sum of the debit lines above: {format_display(sums[Side.DEBIT])}"))
    rows.append(figure("line", "Less: debit reduction", "debit_reduction", c.debit_reduction_rule or "",
                       boxes.get("debit_reduction", "")))
    rows.append(figure("total", "Total debits", "total_debits", "Aggregate debits less the reduction",
                       boxes.get("total_debits", ""), ties=agg - red == td,
                       tie_text=f"{format_display(agg)} − {format_display(red)}"))
    tc = c.total_credits
    ec, ed = c.excess_credits, c.excess_debits
    rows.append(FormulaRow("heading", "Reserve requirement"))
    rows.append(figure("result", "Excess of total credits over total debits", "excess_credits", "Item 16",
                       boxes.get("excess_credits", ""), "16", ties=ec == max(0, tc - td),
                       tie_text=f"{format_display(tc)} − {format_display(td)}, if positive"))
    rows.append(figure("result", "Excess of total debits over total credits", "excess_debits", "Item 16",
                       boxes.get("excess_debits", ""), ties=ed == max(0, td - tc),
                       tie_text=f"{format_display(td)} − {format_display(tc)}, if positive"))
    monthly = report.monthly
    rows.append(figure("result", "Required deposit (105% of the excess: monthly computation)" if monthly
                       else "Required deposit", "required_deposit",
                       "Item 16; Rule 15c3-3(e)(3)(i)(C)" if monthly else "Item 16; Rule 15c3-3(e)",
                       boxes.get("required_deposit_monthly", "") if monthly else ""))
    if name == ComputationName.PAB:
        rows.append(figure("line", "Less: met by the customer computation's excess debits",
                           "offset_by_customer_excess_debits", "Rule 15c3-3(e)(4)"))
    if c.sweep or (name == ComputationName.CUSTOMER and prior.get("sweep")):
        rows.append(figure("line", "Less: credits moving to a bank sweep program next business day", "sweep",
                           "SEC staff FAQ 2025-12-08 Q5"))
    rows.append(figure("result", "Amount on deposit in the reserve bank accounts", "on_deposit",
                       "Rule 15c3-3(e), (f)", boxes.get("on_deposit", "")))
    s = schedule_for(scheds, name, "reserve_bank")
    if s:
        rows[-1].anchor, rows[-1].rows = s.anchor, s.rows
    rows.append(figure("result", "Deposit needed", "deposit_needed", "Rule 15c3-3(e)",
                       boxes.get("deposit_or_withdrawal", "")))
    rows.append(figure("result", "Withdrawal permitted", "withdrawal_permitted", "Rule 15c3-3(g)",
                       boxes.get("deposit_or_withdrawal", "")))
    rows.append(FormulaRow("date", "Deposit deadline", rule="Rule 15c3-3(e)(3)",
                           focus_box=boxes.get("deposit_date", ""), text=_long_date(c.deposit_deadline)))
    note = ("FOCUS boxes: Form X-17A-5 Part II. Item 15 has no confirmed box yet and is left blank."
            if name == ComputationName.CUSTOMER
            else "The PAB schedule's FOCUS boxes are not confirmed and are left blank; PAB Note 4: no debit reduction.")
    return ComputationView(name, COMPUTATION_TITLES.get(name, name), rows, note)


def _review(r: Review | None) -> ReviewView | None:
    if r is None:
        return None
    return ReviewView(r.id, r.disposition, r.comment or "", r.reviewer, r.date.isoformat() if r.date else "",
                      _source_text(r.source)[0])


def _deposits(report: Report) -> list[DepositView] | None:
    if report.deposits is None:
        return None
    return [DepositView(d.account_id, COMPUTATION_TITLES.get(d.computation, d.computation.value).split()[0],
                        d.credited_at.isoformat(sep=" ", timespec="seconds"), d.kind, d.amount, d.reference or "",
                        _source_text(d.source)[0]) for d in report.deposits]


def _exceptions(report: Report) -> list[ExceptionGroup]:
    groups: dict[str, list[ExceptionRow]] = {}
    for e in report.exceptions:
        src, _ = _source_text(e.source)
        scope = e.computation.value if e.computation else "book"
        groups.setdefault(e.rule, []).append(ExceptionRow(
            e.severity, e.computation.value if e.computation else "book-wide", e.amount, e.message, src, scope,
            e.id, e.since, _review(e.review)))
    out = []
    for rule, rows in groups.items():
        sev = min((r.severity for r in rows), key=lambda s: SEVERITY_RANK.get(s, 3))
        counts = [(s, sum(1 for r in rows if r.severity == s)) for s in SEVERITIES]
        out.append(ExceptionGroup(rule, sev, len(rows), sum(r.amount or 0 for r in rows), rows,
                                  [(s, n) for s, n in counts if n],
                                  sum(1 for r in rows if r.review is not None),
                                  sum(1 for r in rows if r.since == "new"), sev == "severe"))
    out.sort(key=lambda g: (SEVERITY_RANK.get(g.severity, 3), g.rule))
    return out


def _exception_filters(groups: list[ExceptionGroup]) -> tuple[list[FilterOption], list[ExceptionFilter]]:
    """The radio buttons (with the count each matches) and every combination of the two, with
    what it leaves shown: the page's CSS and its "showing" line are written from these."""
    rows = [r for g in groups for r in g.rows]
    options = [FilterOption("sev", "all", "all", len(rows))]
    options += [FilterOption("sev", s, s, sum(1 for r in rows if r.severity == s)) for s in SEVERITIES]
    options.append(FilterOption("comp", "all", "all", len(rows)))
    options += [FilterOption("comp", v, label, sum(1 for r in rows if r.scope == v)) for v, label in SCOPES]
    combos = []
    for sev in ("all", *SEVERITIES):
        for comp in ("all", *(v for v, _ in SCOPES)):
            def match(r: ExceptionRow, sev: str = sev, comp: str = comp) -> bool:
                return sev in ("all", r.severity) and comp in ("all", r.scope)
            shown = [sum(1 for r in g.rows if match(r)) for g in groups]
            combos.append(ExceptionFilter(sev, comp, sum(shown), sum(1 for n in shown if n)))
    return options, combos


def _percent(v: Variance) -> str:
    """The change as a percent of the prior figure, signed like `_change` ("+12.50%", "−3.00%")."""
    if v.percent is None:
        return ""
    sign = "−" if v.percent < 0 else "+" if v.percent > 0 else ""
    return f"{sign}{abs(v.percent):.2f}%"


def _variances(report: Report) -> list[VarianceView] | None:
    if report.variances is None:
        return None
    return [VarianceView(v.id, COMPUTATION_TITLES[v.computation].split()[0], v.label, v.prior, v.now, v.change,
                         _percent(v), v.explained, _review(v.review)) for v in report.variances]


def _variance_threshold(report: Report) -> list[tuple[str, str]]:
    """The book's variance threshold parameters (amount and/or percent), as report.json writes them."""
    return [(k, str(v)) for k, v in report.parameter_json().items()
            if k.startswith("variance_threshold") and v is not None]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def css_string(text: str) -> str:
    """`text` as a CSS string literal safe inside a `<style>` element: every character but ASCII
    letters, digits and `CSS_PLAIN` as a 6-digit hex escape and a space (which CSS reads as the end
    of the escape, so a space after it survives), so neither a quote, a backslash nor
    `</style>` from the book can end it."""
    return '"' + "".join(c if (c.isascii() and c.isalnum()) or c in CSS_PLAIN else f"\\{ord(c):06X} " for c in text) + '"'


def _note_h(report: Report) -> list[NoteHGroup]:
    groups: dict[str, NoteHGroup] = {}
    for e in report.note_h:
        entry = NoteHEntryView(
            e.cca_id, e.cca_name or "", e.account_id, e.customer_id or "", e.computation or "",
            e.account_structure or "", e.requirement, e.requirement_counted, e.eligible_deposits, e.item_15,
            e.excess_on_deposit, e.status or "", e.failed_conditions,
            tuple(PendingCureView(p.deposit_id, p.amount, _long_date(p.deadline)) for p in e.pending))
        g = groups.setdefault(e.cca_id, NoteHGroup(e.cca_id, entry.cca_name, []))
        g.entries.append(entry)
    for g in groups.values():
        g.totals = {k: sum(getattr(e, k) for e in g.entries) for k in NOTE_H_AMOUNTS}
    return [groups[k] for k in sorted(groups)]


def _note_h_ties(report: Report) -> list[NoteHTie]:
    out = []
    for name, c in report.computations.items():
        entries = [e for e in report.note_h if e.computation == name]
        if not entries:
            continue
        total = sum(e.item_15 for e in entries)
        item_15 = c.items.get("15", 0)
        out.append(NoteHTie(COMPUTATION_TITLES[name].split()[0], item_15, total, item_15 == total))
    return out


def _text(v: object, with_time: bool = False) -> str:
    """A cell of a schedule as text: blank for missing values, dates as ISO dates (`with_time`:
    a datetime column, deposits.credited_at of issue 15, with its time, even 00:00:00)."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ", timespec="seconds") if with_time else str(v.date().isoformat())
    return str(v)


def _schedule_views(heads: dict[str, ScheduleRows], report: Report, scheds: list[Schedule],
                    sheets: dict[str, tuple[str, int]] | None, limit: int) -> list[ScheduleView]:
    out = []
    for s in scheds:
        f = heads[s.slug].head(limit).frame
        records = []
        for i in range(len(f)):
            r = f.iloc[i]
            table = r["table"]
            if table:
                src, _ = _source_text(Source(r["file"], r["sheet"], int(r["row"])))
            else:
                src = "adjustment (no single row)"
            ident = []
            for col in IDENTITY_COLUMNS.get(table, ()):
                if col not in f.columns:
                    continue
                v = _text(r[col], with_time=col in DATETIME_COLUMNS)
                if not v or (col == "customer_id" and v == _text(r.get("account_id"))):
                    continue
                ident.append(f"{col}: {v}")
            records.append(ScheduleRecord(src, " · ".join(ident), int(r["line_amount"]), _text(r["rule"]),
                                          _text(r["reason"]), _text(r["ref"])))
        line_amount = None
        ties = None
        comp = report.computation(s.computation)
        if s.is_formula_line and comp is not None:
            for line in comp.lines:
                if line.key == s.line:
                    line_amount = line.amount
            ties = None if line_amount is None else line_amount == s.total
        sheet, sheet_rows = (sheets or {}).get(s.slug, (None, 0))
        rule = LINES_BY_KEY[LineKey(s.line)].rule if s.line in LINES_BY_KEY else ""
        out.append(ScheduleView(s.anchor, s.title, rule, s.rows, len(records), s.total, line_amount, ties, sheet,
                                sheet_rows, s.file_name, s.csv_name, s.csv_rows, records))
    return out


def build_context(report: Report, scheds: list[Schedule], heads: dict[str, ScheduleRows],
                  previous: ReportFigures | None = None,
                  sheets: dict[str, tuple[str, int]] | None = None, workbook: str | None = None,
                  rows_per_schedule: int = HTML_ROWS_PER_SCHEDULE) -> ReportContext:
    """The page's content. `heads`: schedule slug -> its first rows (at least `rows_per_schedule`,
    see `supporting.schedule_rows`); `sheets`: schedule slug -> (workbook sheet, rows in it)."""
    cmp = comparison(report, previous)
    summary = _summary_cards(report, cmp)
    exceptions = _exceptions(report)
    options, filters = _exception_filters(exceptions)
    severe = report.exceptions_by_severity()["severe"]
    variances = _variances(report)
    unexplained = len(report.unexplained_variances)
    banner = []
    for card in summary:
        if card.deposit_needed > 0:
            banner.append(f"{card.title.split()[0]} deposit of ${format_display(card.deposit_needed)} needed by "
                          f"{_long_date(card.deadline)}")
    if severe:
        banner.append(f"{severe} severe exception{'s' if severe != 1 else ''} to resolve")
    if unexplained:
        banner.append(f"{unexplained} variance{'s' if unexplained != 1 else ''} above the threshold without a comment")
    movers = []
    for name, p in cmp.items():
        amounts = {line.key: line.amount for line in report.computations[name].lines}
        for key in p.largest_movers:
            spec = LINES_BY_KEY[LineKey(key)]
            movers.append(Mover(COMPUTATION_TITLES[name].split()[0],
                                f"Item {spec.number}" if spec.number else spec.caption, p.amounts.get(key),
                                amounts[spec.key], p.change[key]))
    row_accounting = list(report.row_counts)
    params = [(k, "" if v is None else (("true" if v else "false") if isinstance(v, bool) else str(v)))
              for k, v in report.parameter_json().items()]
    return ReportContext(
        firm_name=report.firm_name, as_of=report.as_of.isoformat(), run_at=report.run_at_text,
        program=report.program.name, version=report.program.version,
        banner_level="danger" if banner else "ok",
        banner_lines=banner or ["No deposit is needed and there is no severe exception."],
        summary=summary,
        compared_as_of=previous.as_of if previous else None,
        compared_run_at=previous.run_at if previous else None,
        movers=movers,
        computations=[_formula(report, n, cmp, scheds) for n in ComputationName if n in report.computations],
        note_h=_note_h(report), note_h_ties=_note_h_ties(report),
        exceptions=exceptions, exception_total=len(report.exceptions), severe_count=severe,
        exception_options=options, exception_filters=filters,
        reviewed_count=sum(g.reviewed for g in exceptions),
        unmatched_reviews=[v for v in map(_review, report.unmatched_reviews) if v is not None],
        variances=variances, unexplained_count=unexplained, variance_threshold=_variance_threshold(report),
        print_footer=css_string(f"{_cut(report.firm_name, PRINT_FOOTER_CHARS)} · Rule 15c3-3 reserve computation as of "
                                f"{report.as_of.isoformat()}"),
        schedules=_schedule_views(heads, report, scheds, sheets, rows_per_schedule),
        rows_per_schedule=rows_per_schedule, workbook=workbook,
        row_accounting=row_accounting, assumptions=list(report.assumptions),
        inputs=list(report.inputs), ignored=list(report.ignored), parameters=params,
        compared_warnings=list(report.compared_with.warnings if report.compared_with else ()),
        exceptions_gone=(None if report.compared_with is None or report.compared_with.exceptions_gone is None
                         else list(report.compared_with.exceptions_gone)),
        signoff=view(SignOff(), ""),
        history=history_view(report.history),
        deposits=_deposits(report),
    )


# ------------------------------------------------------------------------------ rendering


def _money(cents: int | None) -> str:
    return "" if cents is None else format_display(int(cents))


def _usd(cents: int | None) -> str:
    if cents is None:
        return ""
    c = int(cents)
    return f"−${format_display(-c)}" if c < 0 else f"${format_display(c)}"


def _change(cents: int | None) -> str:
    if cents is None:
        return "new"
    c = int(cents)
    if c == 0:
        return "–"
    return f"+{format_display(c)}" if c > 0 else f"−{format_display(-c)}"


def _count(n: int) -> str:
    return f"{int(n):,}"


def environment() -> jinja2.Environment:
    """Templates from the package `reserve.templates`; autoescaped, strict about undefined names."""
    from importlib.resources import files

    root = files("reserve.templates")

    def load(name: str) -> tuple[str, None, Callable[[], bool]] | None:
        res = root.joinpath(name)
        if not res.is_file():
            return None
        return res.read_text(encoding="utf-8"), None, lambda: True

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(money=_money, usd=_usd, change=_change, count=_count, longdate=_long_date)
    return env


def render_html(ctx: ReportContext) -> str:
    return environment().get_template("report.html").render(r=ctx)


def render_signoff_block(v: SignoffView) -> str:
    """The marked region of report.html holding the sign-off section and the DRAFT / INVALID
    watermark, from `<!-- signoff:begin -->` to `<!-- signoff:end -->` (both included)."""
    return environment().get_template("signoff.html").render(s=v)


def replace_signoff_block(page: str, v: SignoffView) -> str:
    """report.html with its sign-off region re-rendered for `v`; nothing else changes.
    SignoffError when the page has no (or a broken) region."""
    start, end = page.find(HTML_BEGIN), page.find(HTML_END)
    if start < 0 or end < start or page.count(HTML_BEGIN) != 1:
        raise SignoffError("report.html has no sign-off block (written by an earlier version of reserve, or "
                           "edited); recompute the report")
    block = render_signoff_block(v)
    return page[:start] + block.rstrip("\n") + page[end + len(HTML_END):]
