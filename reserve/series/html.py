"""series.html: the view of a `Series` (reserve.series.model) that templates/series.html lays out.

Everything shown is decided here: amounts formatted through `reserve.money` (a figure absent
from its report.json is "not in report.json", never 0), dates ISO, the charts positioned in
whole pixels by the trend chart of `--history` (`reserve.report.history._chart`: integer
arithmetic on cents, no float) -- one chart per computation over the series' computations
(required deposit, on deposit, deposit needed, withdrawal permitted, total credits and total
debits). Inline SVG; no script. A test computation's withdrawal is shown as reported and
marked "not counted (test computation)"; it is in its own table and in no chart.

Deterministic: the page holds no run time; the same files give the same page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..money import format_display
from ..report.history import COMPUTATION_TITLES as _HISTORY_TITLES
from ..report.history import Chart, trend_chart
from ..report.model import HistoryPoint
from .model import (
    COMPUTATION_TITLES,
    COMPUTATIONS,
    COVERED,
    DEFICIENCY,
    DEPOSITS_NOT_CHECKED,
    MET,
    NO_DEPOSIT_NEEDED,
    NOT_CHECKED,
    NOT_YET_DUE,
    SERIES_FIGURES,
    DepositCheck,
    Gap,
    ObligationCheck,
    Run,
    Series,
    WithdrawalDay,
)

ABSENT = "not in report.json"
_NAMES = {n.value: n for n in _HISTORY_TITLES}  # "customer" -> the computation's name, as history charts key it
OPEN_TABLE_ROWS = 60  # the deposit check's table of every computation is folded above this many rows
COLUMNS: tuple[tuple[str, str], ...] = (*SERIES_FIGURES[:4], ("deposit_deadline", "Deadline"))


def amount(cents: int | None) -> str:
    return ABSENT if cents is None else format_display(cents)


@dataclass(frozen=True)
class RunRow:
    as_of: str
    weekday: str
    file: str
    sha256: str  # first 12 hex digits
    run_at: str
    frequency: str
    cells: tuple[str, ...]  # per computation (COMPUTATIONS order), COLUMNS order


@dataclass(frozen=True)
class MonthRow:
    month: str
    as_of: str
    customer: str
    pab: str
    total: str
    months: int
    average: str
    reaches: str


@dataclass(frozen=True)
class ChartView:
    name: str
    title: str
    chart: Chart


@dataclass(frozen=True)
class ObligationRow:
    """One computation of the deposit check, formatted (series_deposits.html, the Deposits sheet)."""

    as_of: str
    computation: str
    deposit_needed: str
    deadline: str  # "2026-11-24 09:30", or "2026-11-24 (hour unknown)"
    credited: str
    status: str
    shortfall: str
    cured: str  # "cured 2026-11-24" / "still outstanding at 2026-12-04" / ""
    days: str
    reason: str
    rule: str
    notice: str
    file: str


@dataclass(frozen=True)
class WithdrawalRow:
    day: str
    computation: str
    amount: str
    count: int
    covered_by: str  # the covering computation's as-of, or "none"
    permitted: str
    status: str
    excess: str
    reason: str
    rule: str


@dataclass(frozen=True)
class DepositsView:
    summary: str
    deficiencies: tuple[ObligationRow, ...]
    uncovered: tuple[WithdrawalRow, ...]
    covered: int  # withdrawal days covered
    met: int
    counts: tuple[tuple[str, int], ...]  # (status, computations) in a fixed order, zeros left out
    obligations: tuple[ObligationRow, ...]
    withdrawals: tuple[WithdrawalRow, ...]
    notes: tuple[str, ...]
    table_open: bool  # the table of every computation shown unfolded (a short series) or folded (a long one)


def _deadline_cell(c: ObligationCheck) -> str:
    if c.deadline_at is not None:
        return c.deadline_at.strftime("%Y-%m-%d %H:%M")
    d = c.obligation.deadline
    return ABSENT if d is None else f"{d.isoformat()} (hour unknown)"


def obligation_row(c: ObligationCheck) -> ObligationRow:
    o = c.obligation
    cured = (f"cured {c.cured_on.isoformat()}" if c.cured_on is not None else
             f"still outstanding at {c.outstanding_at.isoformat()}" if c.outstanding_at is not None else "")
    return ObligationRow(o.as_of.isoformat(), COMPUTATION_TITLES.get(o.computation, o.computation),
                         amount(o.deposit_needed), _deadline_cell(c),
                         "" if c.credited is None else format_display(c.credited), c.status,
                         format_display(c.shortfall) if c.status == DEFICIENCY else "", cured,
                         "" if c.days_outstanding is None else str(c.days_outstanding), c.reason, c.rule,
                         c.notice or "", o.file)


def withdrawal_row(w: WithdrawalDay) -> WithdrawalRow:
    return WithdrawalRow(w.day.isoformat(), COMPUTATION_TITLES.get(w.computation, w.computation),
                         format_display(w.amount), w.count,
                         "none" if w.covered_by is None else w.covered_by.as_of.isoformat(),
                         "" if w.covered_by is None else amount(w.permitted), w.status,
                         format_display(w.excess) if w.excess else "", w.reason, w.rule)


def deposits_summary(c: DepositCheck) -> str:
    """The check in one sentence (the page's headline, the Notes sheet, the terminal)."""
    needed = sum(1 for o in c.obligations if o.status not in (NO_DEPOSIT_NEEDED, NOT_CHECKED))
    text = (f"Deposits made versus required: {len(c.deficiencies)} deficiency(ies), {len(c.uncovered)} withdrawal "
            f"day(s) not covered by a computation or exceeding the withdrawal permitted; {c.met} of {needed} "
            f"computation(s) with a deposit needed met by the deadline")
    if c.count(NOT_YET_DUE):
        text += f", {c.count(NOT_YET_DUE)} not yet due on the evidence"
    if c.count(NOT_CHECKED):
        text += f", {c.count(NOT_CHECKED)} not checked (a figure not in report.json)"
    return text + f" (evidence to {c.evidence_until.isoformat()})."


def deposits_view(c: DepositCheck) -> DepositsView:
    order = (DEFICIENCY, NOT_YET_DUE, NOT_CHECKED, MET, NO_DEPOSIT_NEEDED)
    counts = tuple((st, c.count(st)) for st in order if c.count(st))
    return DepositsView(deposits_summary(c), tuple(obligation_row(o) for o in c.deficiencies),
                        tuple(withdrawal_row(w) for w in c.uncovered),
                        sum(1 for w in c.withdrawals if w.status == COVERED), c.met, counts,
                        tuple(obligation_row(o) for o in c.obligations), tuple(withdrawal_row(w) for w in c.withdrawals),
                        c.notes, len(c.obligations) <= OPEN_TABLE_ROWS)


@dataclass(frozen=True)
class SeriesView:
    firm_name: str
    title: str
    first_as_of: str
    last_as_of: str
    count: int
    read_files: int
    paths: tuple[str, ...]
    frequency: str
    passed_over: tuple[str, ...]
    superseded: tuple[str, ...]
    deposits: str
    dep: DepositsView | None  # the deposit check; None: not checked (`deposits` says so)
    reminders: tuple[str, ...]
    column_heads: tuple[str, ...]  # COMPUTATIONS x COLUMNS
    rows: tuple[RunRow, ...]
    tests: tuple[RunRow, ...]
    gaps: tuple[Gap, ...]
    average_notes: tuple[str, ...]
    crossings: tuple[str, ...]
    crossing_rules: tuple[str, ...]
    months: tuple[MonthRow, ...]
    latest_average: str
    charts: tuple[ChartView, ...]


def _cell(r: Run, computation: str, key: str) -> str:
    if computation not in r.figures:
        return ABSENT
    if key == "deposit_deadline":
        d = r.deadlines.get(computation)
        return ABSENT if d is None else d.isoformat()
    text = amount(r.figure(computation, key))
    if key == "withdrawal_permitted" and r.test and r.figure(computation, key):
        text += " (not counted: test computation)"
    return text


def run_row(r: Run) -> RunRow:
    return RunRow(r.as_of.isoformat(), r.as_of.strftime("%a"), r.file, r.sha256[:12], _run_at_text(r.run_at),
                  r.frequency, tuple(_cell(r, c, k) for c in COMPUTATIONS for k, _ in COLUMNS))


def charts(runs: Sequence[Run], customer_height: int = 260, pab_height: int = 200) -> tuple[ChartView, ...]:
    """One chart per computation present, over the series' (non-test) computations."""
    if not runs:
        return ()
    points = [HistoryPoint(r.file, r.sha256, r.as_of, r.run_at, {_NAMES[c]: f for c, f in r.figures.items()})
              for r in runs]
    out = []
    for c in COMPUTATIONS:
        if any(c in r.figures for r in runs):
            name = _NAMES[c]
            out.append(ChartView(c, _HISTORY_TITLES[name],
                                 trend_chart(name, points, customer_height if c == "customer" else pab_height)))
    return tuple(out)


def series_view(s: Series) -> SeriesView:
    runs = s.runs
    first = runs[0].as_of.isoformat() if runs else ""
    last = runs[-1].as_of.isoformat() if runs else ""
    months = tuple(MonthRow(m.month, m.as_of.isoformat(), amount(m.customer_credits), amount(m.pab_credits),
                            amount(m.total), m.months, "" if m.average_cents is None else format_display(m.average_cents),
                            "" if m.reaches is None else ("yes" if m.reaches else "no")) for m in s.average.month_ends)
    latest = s.average.latest
    if latest is None or latest.average_cents is None:
        latest_text = "No average: the series has no month-end computation with both total credits."
    else:
        of = "the rule's 12 month-ends" if latest.months == 12 else f"{latest.months} month-end(s) only (not the rule's 12)"
        latest_text = (f"At the month-end computation as of {latest.as_of.isoformat()}: "
                       f"${format_display(latest.average_cents)}, the mean of {of}; "
                       + ("at or above" if latest.reaches else "below") + " $500,000,000.00.")
    return SeriesView(
        s.firm_name, f"{s.firm_name} — reserve computations as a series", first, last, len(runs), s.read_files,
        s.paths, s.frequency, s.passed_over, s.superseded,
        DEPOSITS_NOT_CHECKED if s.deposits is None else deposits_summary(s.deposits),
        None if s.deposits is None else deposits_view(s.deposits), s.reminders,
        tuple(f"{c.upper() if c == 'pab' else c.capitalize()} {label.lower()}" for c in COMPUTATIONS for _, label in COLUMNS),
        tuple(run_row(r) for r in runs), tuple(run_row(r) for r in s.tests), s.gaps, s.average.notes,
        tuple(c.text for c in s.average.crossings), tuple(c.rule for c in s.average.crossings), months, latest_text,
        charts(runs))


def render_series_html(s: Series) -> str:
    from ..report.html import environment

    return environment().get_template("series.html").render(v=series_view(s))


def _run_at_text(run_at: str | None) -> str:
    """report.json's run_at as the table shows it: "2025-11-03 21:00:00+00:00" (the date and
    the time apart, so the cell wraps between them, not a digit a line), "unknown" without one."""
    return run_at.replace("T", " ", 1) if run_at else "unknown"
