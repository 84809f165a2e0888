"""The typed model of a series (`reserve series`, issue 15 items 1 and 5): what every output
of the series (series.html, series.xlsx, the terminal and --json summary) shows.

Amounts are integer cents (None: the figure is not in that report.json -- said, never
invented); dates are `datetime.date`. Built by `reserve.series.read.read_series` (the files)
and `reserve.series.analysis` (gaps, average total credits); no renderer computes a figure.

The deposit check of issue 15 item 2 (`reserve.series.deposits`) reads
`Series.obligations`: one `Obligation` per computation (customer or PAB) of every run, the
test runs included and flagged, with what a check of deposits made against deposits required
needs (deposit needed, withdrawal permitted, deadline, the hour the banks open, source file),
and the reports' `deposits` rows (`Movement`). Its result is `Series.deposits`, a
`DepositCheck`: None when no report of the series has a deposits table (the outputs then say
"not checked").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

COMPUTATIONS = ("customer", "pab")
COMPUTATION_TITLES = {"customer": "Customer", "pab": "PAB"}

# The figures of each computation shown in the series, in its order: (report.json key, label).
SERIES_FIGURES: tuple[tuple[str, str], ...] = (
    ("required_deposit", "Required deposit"),
    ("on_deposit", "On deposit"),
    ("deposit_needed", "Deposit needed"),
    ("withdrawal_permitted", "Withdrawal permitted"),
    ("total_credits", "Total credits"),
)

THRESHOLD_CENTS = 500_000_000 * 100  # $500 million, Rule 15c3-3(e)(3)(i)(B)(1)
AVERAGE_MONTHS = 12  # "the 12 most recently filed month-end Forms X-17A-5"


@dataclass(frozen=True)
class Obligation:
    """One computation (customer or PAB) of one run: what a deposit check needs."""

    computation: str  # customer | pab
    as_of: date
    deposit_needed: int | None  # cents
    withdrawal_permitted: int | None  # cents, as the report states it (a test run's is never counted)
    deadline: date | None  # report.json's deposit_deadline (one hour after the opening of banking business)
    test: bool  # a test computation (parameters.test_run, SEC staff FAQ of 2025-12-08)
    file: str  # the report.json it came from, as found
    bank_opens_at: time | None = None  # its report's parameters.bank_opens_at; None: blank (the hour is unknown)

    @property
    def withdrawal_counted(self) -> int | None:
        """The withdrawal the series counts as permitted: none for a test computation (FAQ Q2)."""
        return 0 if self.test else self.withdrawal_permitted


@dataclass(frozen=True)
class Movement:
    """One row of a report's `deposits` table: a credit to or a debit from a reserve bank account."""

    account_id: str
    computation: str  # customer | pab: the account's book
    credited_at: datetime  # the bank's local time, no zone
    kind: str  # deposit | withdrawal
    amount: int  # cents, > 0 (kind gives the direction)
    reference: str | None
    file: str  # the report.json it was read from (the first, when repeated in several)
    source: str  # where the book had it: "book.xlsx, sheet deposits, row 2"

    @property
    def signed(self) -> int:
        """+amount for a deposit, -amount for a withdrawal (cents)."""
        return self.amount if self.kind == "deposit" else -self.amount

    @property
    def key(self) -> tuple[str, datetime, str, int, str | None]:
        """What makes two rows of different reports the same row (repeated verbatim)."""
        return (self.account_id, self.credited_at, self.kind, self.amount, self.reference)


@dataclass(frozen=True)
class Run:
    """One report.json of the series (one computation date, customer and PAB)."""

    file: str  # as found: the PATH given, joined with the path under it
    sha256: str
    as_of: date
    run_at: str | None
    test: bool
    frequency: str  # parameters.frequency (weekly when absent)
    daily_basis: str | None
    figures: dict[str, dict[str, int]]  # {computation: {figure key: cents}}; a figure absent: not in the file
    deadlines: dict[str, date | None]  # {computation: deposit_deadline}
    bank_opens_at: time | None = None  # parameters.bank_opens_at (None: blank or absent)
    movements: tuple[Movement, ...] | None = None  # the report's deposits table; None: it has none

    def figure(self, computation: str, key: str) -> int | None:
        return self.figures.get(computation, {}).get(key)

    def obligations(self) -> tuple[Obligation, ...]:
        return tuple(Obligation(c, self.as_of, self.figure(c, "deposit_needed"), self.figure(c, "withdrawal_permitted"),
                                self.deadlines.get(c), self.test, self.file, self.bank_opens_at)
                     for c in COMPUTATIONS if c in self.figures)


@dataclass(frozen=True)
class Gap:
    """A missing computation, or a computation on a day that is not a business day."""

    kind: str  # missing business day | missing week | missing month | not a business day
    day: date  # the missing day (a week: its last business day; a month: its last business day)
    text: str
    rule: str  # the rule or FAQ it follows from


@dataclass(frozen=True)
class MonthEnd:
    """The month-end computation of a calendar month and the rolling average at it."""

    month: str  # YYYY-MM
    as_of: date
    file: str
    customer_credits: int | None
    pab_credits: int | None
    total: int | None  # customer + PAB total credits; None when either is absent
    months: int  # month-ends in the average (at most 12)
    average: Decimal | None  # exact mean, in cents
    average_cents: int | None  # rounded half to even to the cent (shown)
    reaches: bool | None  # average >= $500 million (exact comparison)


@dataclass(frozen=True)
class Crossing:
    """The average reaching $500 million, or falling below it, at a month-end."""

    direction: str  # reached | fell below
    month_end: date
    months: int  # month-ends the average at that month-end is of
    average_cents: int
    date: date  # reached: daily computation required from; fell below: earliest weekly computation
    text: str
    rule: str


@dataclass(frozen=True)
class AverageTotalCredits:
    month_ends: tuple[MonthEnd, ...]
    crossings: tuple[Crossing, ...]
    latest: MonthEnd | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Series:
    """A firm's computations read from its report.json files, in date order."""

    firm_name: str
    paths: tuple[str, ...]  # the PATHs given
    runs: tuple[Run, ...]  # the series: not test runs, one per date (the later run), date order
    tests: tuple[Run, ...]  # test computations, date order
    superseded: tuple[str, ...]  # runs of a date that has a later run: a sentence each
    passed_over: tuple[str, ...]  # files not in the series, with why: a sentence each
    gaps: tuple[Gap, ...]
    average: AverageTotalCredits
    reminders: tuple[str, ...]  # the voluntary daily filer's (e)(3)(v) reminder
    deposits: DepositCheck | None = None  # issue 15 item 2's check (reserve.series.deposits): None = not checked
    read_files: int = 0  # report.json files read
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def frequency(self) -> str:
        return self.runs[-1].frequency if self.runs else "weekly"

    @property
    def daily_basis(self) -> str | None:
        return self.runs[-1].daily_basis if self.runs else None

    def obligations(self) -> tuple[Obligation, ...]:
        """Every computation of every run, the test runs included (flagged), in date order."""
        return tuple(o for r in sorted(self.runs + self.tests, key=lambda r: (r.as_of, r.test)) for o in r.obligations())


# ------------------------------------------------------------------------------ the deposit check

# The statuses of an obligation (reserve.series.deposits.check)
MET = "met"
DEFICIENCY = "deficiency"
NOT_YET_DUE = "not yet due"
NO_DEPOSIT_NEEDED = "no deposit needed"
NOT_CHECKED = "not checked"
# The statuses of a day's withdrawals
COVERED = "covered"
NOT_COVERED = "not covered by a computation"
EXCEEDS = "exceeds the withdrawal permitted"


@dataclass(frozen=True)
class ObligationCheck:
    """One non-test computation's deposit needed set against the deposits credited for it."""

    obligation: Obligation
    status: str  # MET | DEFICIENCY | NOT_YET_DUE | NO_DEPOSIT_NEEDED | NOT_CHECKED
    window_from: datetime | None  # the first instant a deposit counts (the day after as_of, 00:00)
    deadline_at: datetime | None  # the deadline instant; None when bank_opens_at is blank (the hour unknown)
    credited: int | None  # cents: deposits less withdrawals credited in the window; None: not checked
    shortfall: int  # cents: deposit needed - credited, when > 0 (a deficiency), else 0
    cured_on: date | None  # the date later net credits brought the cumulative net to the deposit needed
    outstanding_at: date | None  # not cured within the evidence: still outstanding at this date
    days_outstanding: int | None  # calendar days from the deadline date to cured_on / outstanding_at
    reason: str  # the status in a sentence
    rule: str
    notice: str | None  # the Rule 15c3-3(i) notice facts, ready to copy (a deficiency only)

    @property
    def computation(self) -> str:
        return self.obligation.computation

    @property
    def as_of(self) -> date:
        return self.obligation.as_of


@dataclass(frozen=True)
class WithdrawalDay:
    """The withdrawals of one day from the reserve bank accounts of one computation."""

    day: date
    computation: str
    amount: int  # cents, every withdrawal of the day from that computation's accounts
    count: int  # withdrawal rows
    covered_by: Obligation | None  # the non-test computation made that day (as of the previous business day)
    permitted: int | None  # that computation's withdrawal permitted (cents); None: none or not in report.json
    status: str  # COVERED | NOT_COVERED | EXCEEDS
    excess: int  # cents not covered (the whole amount when no computation covers the day)
    reason: str
    rule: str
    movements: tuple[Movement, ...]


@dataclass(frozen=True)
class DepositCheck:
    """Deposits made versus required, and withdrawals against the computations (issue 15 item 2)."""

    obligations: tuple[ObligationCheck, ...]  # the non-test computations, date order
    withdrawals: tuple[WithdrawalDay, ...]  # day order
    movements: tuple[Movement, ...]  # the rows checked (repeats dropped), time order
    repeats: int  # rows dropped as repeated verbatim in several reports
    evidence_until: date  # the latest as_of or credited_at in the series
    notes: tuple[str, ...]  # the check's readings and what it read

    @property
    def deficiencies(self) -> tuple[ObligationCheck, ...]:
        return tuple(o for o in self.obligations if o.status == DEFICIENCY)

    @property
    def uncovered(self) -> tuple[WithdrawalDay, ...]:
        return tuple(w for w in self.withdrawals if w.status != COVERED)

    @property
    def met(self) -> int:
        return sum(1 for o in self.obligations if o.status == MET)

    def count(self, status: str) -> int:
        return sum(1 for o in self.obligations if o.status == status)


DEPOSITS_NOT_CHECKED = "Deposits made versus required: not checked (no deposits table in these reports)."
