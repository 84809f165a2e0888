"""The typed model of a series (`reserve series`, issue 15 items 1 and 5): what every output
of the series (series.html, series.xlsx, the terminal and --json summary) shows.

Amounts are integer cents (None: the figure is not in that report.json -- said, never
invented); dates are `datetime.date`. Built by `reserve.series.read.read_series` (the files)
and `reserve.series.analysis` (gaps, average total credits); no renderer computes a figure.

The deposit check of issue 15 item 2 (`reserve.series.deposits`, built apart) reads
`Series.obligations`: one `Obligation` per computation (customer or PAB) of every run, the
test runs included and flagged, with what a check of deposits made against deposits required
needs (deposit needed, withdrawal permitted, deadline, source file). `Series.deposits` is its
place in the model: None until that check is wired in, and the outputs then say "not checked".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
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

    @property
    def withdrawal_counted(self) -> int | None:
        """The withdrawal the series counts as permitted: none for a test computation (FAQ Q2)."""
        return 0 if self.test else self.withdrawal_permitted


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

    def figure(self, computation: str, key: str) -> int | None:
        return self.figures.get(computation, {}).get(key)

    def obligations(self) -> tuple[Obligation, ...]:
        return tuple(Obligation(c, self.as_of, self.figure(c, "deposit_needed"), self.figure(c, "withdrawal_permitted"),
                                self.deadlines.get(c), self.test, self.file)
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
    deposits: object | None = None  # issue 15 item 2's check (reserve.series.deposits): None = not checked
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


DEPOSITS_NOT_CHECKED = "Deposits made versus required: not checked (no deposits table in these reports)."
