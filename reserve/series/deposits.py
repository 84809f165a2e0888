"""Deposits made versus required, and withdrawals against the computations (issue 15 item 2):
pure, no I/O.

`check(obligations, deposits, evidence_until, calendar)` sets each computation of a series
(`reserve.series.model.Obligation`) against the rows of its reports' `deposits` tables
(`Movement`: a credit to or a debit from a reserve bank account, as the bank's statement
shows it) and gives a `DepositCheck`:

* per non-test computation with a deposit needed: met, a deficiency (its amount, the deadline
  instant, the days outstanding, cured on a date or still outstanding), or not yet due on the
  evidence; with, per deficiency, the facts of the notice Rule 15c3-3(i) requires, as plain
  text ready to copy (reserve sends nothing);
* per day and computation with withdrawals: covered by a computation, not covered by one, or
  exceeding the withdrawal permitted (Rule 15c3-3(g)).

Each reading of the rule is a `# Reading:` comment beside the code that applies it and is
listed in `READINGS`, which the check's notes (shown on the series page) carry.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from ..calendar import BusinessCalendar
from ..money import format_dollars
from .model import (
    COMPUTATION_TITLES,
    COVERED,
    DEFICIENCY,
    EXCEEDS,
    MET,
    NO_DEPOSIT_NEEDED,
    NOT_CHECKED,
    NOT_COVERED,
    NOT_YET_DUE,
    DepositCheck,
    Movement,
    Obligation,
    ObligationCheck,
    WithdrawalDay,
)

RULE_DEADLINE = "Rule 15c3-3(e)(3)(i)(A)/(B)"
RULE_DEFICIENCY = "Rule 15c3-3(e)(1), (e)(3)"
RULE_NOTICE = "Rule 15c3-3(i)"
RULE_WITHDRAWAL = "Rule 15c3-3(g); Rule 15c3-3(e)(3)(i)(B)(1)"
RULE_TEST = "SEC staff FAQ of 2025-12-08 (test computations)"
ONE_HOUR = timedelta(hours=1)

READINGS: tuple[str, ...] = (
    "Deadline (Rule 15c3-3(e)(3)(i)(A)/(B)): one hour after the opening of banking business on the second following "
    "business day, read as the report's deposit deadline (a date) at the book's bank_opens_at plus one hour, in the "
    "banks' local time that credited_at is in. Each computation uses the bank_opens_at of its own report.",
    "With bank_opens_at blank the deadline's hour is unknown: a deposit credited ON the deadline date cannot be "
    "shown timely and counts as late (conservative); a deposit credited before the deadline date is timely; a "
    "withdrawal credited on the deadline date counts against the deposit (it may have been before the deadline).",
    "A computation's on-deposit balance is as of the close of its as-of date, so deposits credited on the as-of date "
    "are already in it: the deposits that meet its deposit needed are those credited from the next day 00:00 up to "
    "and including the deadline instant, net of withdrawals in the same window, to the reserve bank accounts of "
    "that computation (customer or PAB; a PAB account's deposit never meets a customer deposit needed).",
    "Deficiency (Rule 15c3-3(e)(1), (e)(3)): the deposit needed less the net credited in the window, when above "
    "zero. Days outstanding: calendar days from the deadline date to the date on which net credits after the "
    "deadline bring the cumulative net to the deposit needed (0 when cured on the deadline date itself); never "
    "within the evidence: still outstanding at the latest date the evidence covers (the latest as-of or "
    "credited_at in the series), counted to it.",
    "A computation whose deadline is after the latest date the evidence covers and whose deposit needed is not yet "
    "met is \"not yet due on the evidence\", not a deficiency.",
    "Withdrawals (Rule 15c3-3(g)): a withdrawal credited on day W is covered only by a non-test computation made on "
    "W, i.e. as of the close of the business day before W (Rule 15c3-3(e)(3)(i)(B)(1): \"daily as of the close of "
    "the previous business day\"); all the withdrawals of day W from a computation's accounts must not exceed that "
    "computation's withdrawal permitted. No such computation (a missed day, an FAQ Q6 non-computation day, a test "
    "run only, a weekly filer's Tuesday, a day that is not a business day): not covered by a computation. The part "
    "over the withdrawal permitted: exceeds the withdrawal permitted. A withdrawal permitted that is not in the "
    "report.json permits nothing. Sweep credits never justify a withdrawal (FAQ Q5): already in the withdrawal "
    "permitted.",
    "A test computation (SEC staff FAQ of 2025-12-08) is never checked for a deposit needed and never covers a "
    "withdrawal.",
    "Rule 15c3-3(i): for each deficiency the facts of the notice to the Commission and the firm's designated "
    "examining authority are drafted, ready to copy; reserve sends nothing.",
)


def window_from(o: Obligation) -> datetime:
    """The first instant a deposit counts for `o`: the day after its as-of date, 00:00."""
    # Reading: the on-deposit balance is as of the close of as_of; what was credited that day is in it.
    return datetime.combine(o.as_of + timedelta(days=1), time(0, 0))


def deadline_at(o: Obligation) -> datetime | None:
    """The deadline instant: the deposit deadline date at bank_opens_at + 1 hour (Rule
    15c3-3(e)(3)(i)(A)/(B)); None when there is no deadline or the opening hour is blank."""
    if o.deadline is None or o.bank_opens_at is None:
        return None
    # Reading: "one hour after the opening of banking business" on the report's deposit deadline date is
    # that date at bank_opens_at (of the computation's own report) + 1 hour, in credited_at's local time
    return datetime.combine(o.deadline, o.bank_opens_at) + ONE_HOUR  # Rule 15c3-3(e)(3)(i)(A)/(B)


def in_window(m: Movement, o: Obligation) -> bool:
    """True when `m` counts toward (or against) `o`'s deposit needed."""
    if m.computation != o.computation or o.deadline is None:
        # Reading: only the accounts of the computation's own book count: a PAB account's deposit never
        # meets a customer deposit needed, nor the reverse (Rule 15c3-3(e)(1): each account's own requirement)
        return False
    if m.credited_at < window_from(o):
        return False
    end = deadline_at(o)
    if end is not None:
        return m.credited_at <= end  # up to and including the deadline instant
    # Reading: bank_opens_at blank -- a deposit on the deadline date cannot be shown timely (late);
    # a withdrawal on the deadline date may have been before the deadline: it counts against.
    day = m.credited_at.date()
    return day < o.deadline if m.kind == "deposit" else day <= o.deadline


def _order(m: Movement) -> tuple[datetime, int, int, str]:
    # at the same instant a withdrawal is taken first (a cure is never dated earlier than the evidence allows)
    return (m.credited_at, 0 if m.kind == "withdrawal" else 1, m.amount, m.reference or "")


def _hhmm(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def _deadline_text(o: Obligation) -> str:
    end = deadline_at(o)
    if end is not None:
        return (f"{_hhmm(end)} (one hour after the banks open at {o.bank_opens_at.strftime('%H:%M') if o.bank_opens_at else ''} "
                f"on {o.deadline.isoformat() if o.deadline else ''})")
    return (f"{o.deadline.isoformat() if o.deadline else 'unknown'}, one hour after the opening of banking business "
            "(the hour is unknown: bank_opens_at is blank)")


def notice_text(c: ObligationCheck, firm_name: str) -> str:
    """The facts of the Rule 15c3-3(i) notice for the deficiency `c`: plain text ready to copy."""
    o = c.obligation
    title = COMPUTATION_TITLES.get(o.computation, o.computation)
    account = "Customer Reserve Bank Account" if o.computation == "customer" else "PAB Reserve Bank Account"
    if c.cured_on is not None:
        cured = (f"Cured on {c.cured_on.isoformat()}, {c.days_outstanding} calendar day(s) after the deadline date, "
                 "by deposits credited after the deadline.")
    else:
        cured = (f"Not cured: still outstanding at {c.outstanding_at.isoformat() if c.outstanding_at else 'the end of the evidence'}"
                 f" (the latest date the evidence covers), {c.days_outstanding} calendar day(s) after the deadline date.")
    lines = [
        "NOTICE OF FAILURE TO MAKE A REQUIRED DEPOSIT (Rule 15c3-3(i))",
        "To: the Securities and Exchange Commission; and the firm's designated examining authority",
        f"From: {firm_name or '(firm name not in report.json)'}",
        f"Computation: {title} reserve computation ({account}) as of the close of business on {o.as_of.isoformat()}",
        f"Deposit required by the computation: {format_dollars(o.deposit_needed or 0)}",
        f"Deadline: {_deadline_text(o)}",
        f"Amount deposited by the deadline (net of withdrawals, credited after {o.as_of.isoformat()}): "
        f"{format_dollars(c.credited or 0)}",
        f"Shortfall: {format_dollars(c.shortfall)}",
        cured,
        f"Source: {o.file}",
        "",
        "Rule 15c3-3(i): a broker or dealer that fails to make a required deposit shall immediately notify the "
        "Commission and its designated examining authority, and promptly thereafter confirm the notification in "
        "writing. Drafted by reserve from the reports and the deposits tables; reserve sends nothing.",
    ]
    return "\n".join(lines)


class _Book:
    """The movements of each computation in time order, with their instants for bisection (the
    window and the cure are found without a pass over every row per computation)."""

    def __init__(self, moves: Sequence[Movement]) -> None:
        self.rows: dict[str, list[Movement]] = {}
        for m in sorted(moves, key=_order):
            self.rows.setdefault(m.computation, []).append(m)
        self.times = {c: [m.credited_at for m in ms] for c, ms in self.rows.items()}

    def since(self, o: Obligation) -> list[Movement]:
        """`o`'s computation's movements from its window's start on, in time order."""
        rows = self.rows.get(o.computation, [])
        return rows[bisect_left(self.times.get(o.computation, []), window_from(o)):]


def _obligation(o: Obligation, book: _Book, evidence_until: date, firm_name: str) -> ObligationCheck:
    title = COMPUTATION_TITLES.get(o.computation, o.computation)
    what = f"{title} as of {o.as_of.isoformat()}"
    if o.deposit_needed is None or o.deadline is None:
        absent = "deposit needed" if o.deposit_needed is None else "deposit deadline"
        # a blank never meets a condition: the computation is not shown met, only not checked
        return ObligationCheck(o, NOT_CHECKED, None, None, None, 0, None, None, None,
                               f"{what}: its report.json has no {absent}, so the deposit cannot be checked.",
                               RULE_DEFICIENCY, None)
    start, end = window_from(o), deadline_at(o)
    later = book.since(o)
    # the rows up to the window's end: to the deadline instant, or (hour unknown) to the end of the deadline date
    past = ((lambda m: m.credited_at > end) if end is not None else (lambda m: m.credited_at.date() > o.deadline))
    cut = next((i for i, m in enumerate(later) if past(m)), len(later))
    counted = [m for m in later[:cut] if in_window(m, o)]
    credited = sum(m.signed for m in counted)  # Rule 15c3-3(e)(3): net of withdrawals in the window
    needed = o.deposit_needed
    late_same_day = [] if end is not None else [
        m for m in later[:cut] if m.kind == "deposit" and m.credited_at.date() == o.deadline]
    window = (f"credited from {_hhmm(start)} to {_hhmm(end)}" if end is not None else
              f"credited from {_hhmm(start)} to the end of {(o.deadline - timedelta(days=1)).isoformat()}")
    got = f"{format_dollars(credited)} net {window} ({len(counted)} movement(s))"
    if needed <= 0:
        return ObligationCheck(o, NO_DEPOSIT_NEEDED, start, end, credited, 0, None, None, None,
                               f"{what}: no deposit needed; {got}.", RULE_DEFICIENCY, None)
    if credited >= needed:
        return ObligationCheck(o, MET, start, end, credited, 0, None, None, None,
                               f"{what}: deposit needed {format_dollars(needed)} met by {got}.", RULE_DEFICIENCY, None)
    # Reading: the deficiency is the deposit needed less the net credited in the window, when above zero
    shortfall = needed - credited  # Rule 15c3-3(e)(1), (e)(3)
    if o.deadline > evidence_until:
        # Reading: a deadline after the evidence's latest date, not yet met: not yet due, not a deficiency
        return ObligationCheck(o, NOT_YET_DUE, start, end, credited, 0, None, None, None,
                               f"{what}: deposit needed {format_dollars(needed)} due {_deadline_text(o)}, after the "
                               f"latest date the evidence covers ({evidence_until.isoformat()}); {got} so far: not yet "
                               "due on the evidence.", RULE_DEADLINE, None)
    cumulative, cured_on = credited, None
    for m in (m for m in later if not in_window(m, o)):  # after the window, in time order
        cumulative += m.signed
        if cumulative >= needed:
            cured_on = m.credited_at.date()
            break
    # Reading: days outstanding are calendar days from the deadline date to the cure (or to the evidence's end)
    outstanding_at = None if cured_on is not None else evidence_until
    days = ((cured_on or evidence_until) - o.deadline).days
    why = ""
    if late_same_day:
        why = (f" {len(late_same_day)} deposit(s) credited on the deadline date itself "
               f"({format_dollars(sum(m.amount for m in late_same_day))}) cannot be shown timely: bank_opens_at is "
               "blank, so the deadline's hour is unknown; counted as late.")
    when = (f"cured on {cured_on.isoformat()} ({days} calendar day(s) outstanding)" if cured_on is not None else
            f"still outstanding at {evidence_until.isoformat()} ({days} calendar day(s) outstanding)")
    draft = ObligationCheck(o, DEFICIENCY, start, end, credited, shortfall, cured_on, outstanding_at, days,
                            f"{what}: deposit needed {format_dollars(needed)} by {_deadline_text(o)}; {got}: short "
                            f"{format_dollars(shortfall)}, {when}.{why}", f"{RULE_DEFICIENCY}; {RULE_NOTICE}", None)
    # Reading: Rule 15c3-3(i) -- the facts of the notice are drafted for each deficiency; reserve sends nothing
    return replace(draft, notice=notice_text(draft, firm_name))  # Rule 15c3-3(i)


def _withdrawals(obligations: Sequence[Obligation], moves: Sequence[Movement],
                 calendar: BusinessCalendar) -> list[WithdrawalDay]:
    # Reading: a test computation never covers a withdrawal (SEC staff FAQ of 2025-12-08)
    by_as_of = {(o.computation, o.as_of): o for o in obligations if not o.test}
    first = min((o.as_of for o in obligations if not o.test), default=None)
    days: dict[tuple[date, str], list[Movement]] = {}
    for m in moves:
        if m.kind == "withdrawal":
            days.setdefault((m.credited_at.date(), m.computation), []).append(m)
    out = []
    for (day, comp), ms in sorted(days.items()):
        ms = sorted(ms, key=_order)
        total = sum(m.amount for m in ms)
        title = COMPUTATION_TITLES.get(comp, comp)
        what = f"{len(ms)} withdrawal(s) of {format_dollars(total)} from the {title} reserve bank account(s) on {day.isoformat()}"
        # Reading: Rule 15c3-3(g) with (e)(3)(i)(B)(1) -- the computation made on W, as of the close of the
        # previous business day, is the only one that covers W's withdrawals, all of them together.
        # Reading: on a day that is not a business day no computation is made: nothing covers it.
        basis = calendar.previous_business_day(day) if calendar.is_business_day(day) else None
        cover = by_as_of.get((comp, basis)) if basis is not None else None
        if cover is None:
            if basis is None:
                why = f"{day.isoformat()} is not a business day, so no computation was made on it"
            else:
                test = any(o.test and o.computation == comp and o.as_of == basis for o in obligations)
                why = (f"the series has no {title} computation as of {basis.isoformat()} (the previous business day)"
                       + (", only a test computation, which never covers a withdrawal" if test else "")
                       + (f"; the day is before the series' first computation ({first.isoformat()}): the report of the "
                          "computation that covered it, if any, is not in the series" if first and basis < first else ""))
            out.append(WithdrawalDay(day, comp, total, len(ms), None, None, NOT_COVERED, total,
                                     f"{what}: not covered by a computation: {why}.", RULE_WITHDRAWAL, tuple(ms)))
            continue
        permitted = cover.withdrawal_permitted
        allowed = permitted or 0  # Reading: a withdrawal permitted not in report.json permits nothing
        if total <= allowed:
            out.append(WithdrawalDay(day, comp, total, len(ms), cover, permitted, COVERED, 0,
                                     f"{what}: covered by the computation as of {basis.isoformat() if basis else ''} "
                                     f"(withdrawal permitted {format_dollars(allowed)}).", RULE_WITHDRAWAL, tuple(ms)))
        else:
            excess = total - allowed  # Rule 15c3-3(g): only to the extent the amount remaining is not less than required
            shown = "not in its report.json, so nothing" if permitted is None else format_dollars(permitted)
            out.append(WithdrawalDay(day, comp, total, len(ms), cover, permitted, EXCEEDS, excess,
                                     f"{what}: exceeds the withdrawal permitted by the computation as of "
                                     f"{basis.isoformat() if basis else ''} ({shown}) by {format_dollars(excess)}.",
                                     RULE_WITHDRAWAL, tuple(ms)))
    return out


def check(obligations: Iterable[Obligation], deposits: Iterable[Movement], evidence_until: date,
          calendar: BusinessCalendar, *, firm_name: str = "", repeats: int = 0,
          notes: Sequence[str] = ()) -> DepositCheck:
    """Deposits made versus required for every obligation, and the withdrawals (module docstring)."""
    obs = sorted(obligations, key=lambda o: (o.as_of, o.computation, o.test))
    moves = tuple(sorted(deposits, key=lambda m: (_order(m), m.account_id, m.computation)))
    tests = [o for o in obs if o.test]
    # Reading: a test computation is never checked for a deposit needed (SEC staff FAQ of 2025-12-08)
    book = _Book(moves)
    checked = tuple(_obligation(o, book, evidence_until, firm_name) for o in obs if not o.test)
    out_notes = [*notes, *READINGS]
    if tests:
        out_notes.append(f"{len(tests)} test computation(s) not checked for a deposit needed and covering no "
                         f"withdrawal ({RULE_TEST}).")
    return DepositCheck(checked, tuple(_withdrawals(obs, moves, calendar)), moves, repeats, evidence_until,
                        tuple(out_notes))


def credited_by_deadline(c: DepositCheck) -> dict[tuple[str, date], int]:
    """{(computation, as_of): net cents credited in its window}, for the computations whose
    window the evidence covers (hindsight re-performance, reserve.series.hindsight)."""
    return {(o.computation, o.as_of): o.credited for o in c.obligations
            if o.credited is not None and o.status != NOT_YET_DUE
            and o.obligation.deadline is not None and o.obligation.deadline <= c.evidence_until}
