"""Hindsight re-performance over a series (issue 15 item 3): pure, no I/O.

`reserve reperform BOOK... --series PATH` recomputes corrected books for past dates and sets
each against the ORIGINAL computation of the same firm, as-of date and computation (the
report.json found under PATH; reading it is reserve.report.hindsight's). For each (date,
computation) `hindsight` gives:

* the original and the corrected required deposit;
* the amount on deposit at the computation (the original report's `on_deposit`);
* the amount on deposit at the deadline, and the hindsight deficiency -- the corrected
  requirement less what was on deposit at the deadline, when positive;
* the lines that moved: every Exhibit A line and summary figure whose amount differs between
  the original and the corrected computation, both amounts and the difference, largest first.

The readings of the rule, each stated again in `ASSUMPTIONS` (printed with the output):

* Rule 15c3-3(e)(1): the firm must maintain in the reserve bank account(s) at least the
  amount the formula requires. The corrected computation's requirement is what the formula
  required on that date; the original's figures are what the firm acted on.
* Rule 15c3-3(e)(3): the computation is as of the close of the computation day and the
  deposit is due by the deadline (one hour after the opening of banking business on the
  second business day after it, for a weekly computation). So what counts against the
  corrected requirement is the amount on deposit at that deadline: the original's on deposit
  plus deposits less withdrawals credited after the computation and by its deadline.
* Those deposits are evidenced only by a deposits source (`deposits`: {(computation, as_of):
  net cents credited by the deadline}): `api.hindsight` takes it from the deposit check of
  the series under PATH (reserve.series.deposits, when its reports carry a deposits table;
  a computation whose deadline is after the evidence is not in it). When there is none, or
  the date is not in it, nothing
  is assumed to have been deposited: the deficiency is measured against the balance at the
  computation, and separately the amount by which the corrected requirement exceeds the
  ORIGINAL requirement is shown (what the firm was short even if it deposited exactly what was
  asked), the deposits said not evidenced.
* Rule 15c3-3(i): a firm that failed to make a required deposit must notify the Commission and
  its DEA immediately by telegraphic notice. A hindsight deficiency is flagged as possibly
  notifiable; whether notice was due is a judgement the output leaves to the reader.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..money import format_cents

# {(computation, as_of): net cents credited after the computation and by its deadline}
Deposits = Mapping[tuple[str, date], int]

ASSUMPTIONS: tuple[str, ...] = (
    "Rule 15c3-3(e)(1): the corrected computation's required deposit is what the formula required on that date; "
    "the original report's figures are what the firm acted on.",
    "Rule 15c3-3(e)(4) and SEC staff FAQ 2025-12-08 Q5: the requirement set against the deposit is the required "
    "deposit less the PAB offset by the customer computation's excess debits and the next-day sweep credits, as the "
    "report's deposit needed is worked.",
    "Rule 15c3-3(e)(3): the deposit is due by the deadline after the computation, so the corrected requirement is "
    "set against the amount on deposit at that deadline: the original's on deposit plus deposits less withdrawals "
    "credited after the computation and by the deadline.",
    "Deposits are counted only when evidenced by the deposits source; where none is given for a date nothing is "
    "assumed deposited: the deficiency is measured against the balance at the computation, and the amount by which "
    "the corrected requirement exceeds the original requirement is shown separately (the firm's shortfall even if "
    "it deposited exactly what the original asked).",
    "Rule 15c3-3(i): a hindsight deficiency may have called for notice to the Commission and the DEA; whether it did "
    "is left to the reader.",
)


@dataclass(frozen=True)
class LineMove:
    """One Exhibit A line or summary figure that differs between original and corrected."""

    key: str  # line key (item_1, ...) or summary figure
    original: int | None  # cents; None: the line is not in that computation
    corrected: int | None

    @property
    def difference(self) -> int:
        return (self.corrected or 0) - (self.original or 0)

    def as_dict(self) -> dict[str, str | None]:
        return {"line": self.key, "original": None if self.original is None else format_cents(self.original),
                "corrected": None if self.corrected is None else format_cents(self.corrected),
                "difference": format_cents(self.difference)}


@dataclass(frozen=True)
class Hindsight:
    """One (date, computation) re-performed in hindsight."""

    as_of: date
    computation: str
    original_file: str  # the original report.json, relative to the series folder
    original_required: int
    corrected_required: int
    on_deposit: int  # at the computation (the original report)
    corrected_less: int  # the corrected computation's PAB offset ((e)(4)) and sweep credits (FAQ Q5): see deficiency
    original_less: int  # the same of the original
    credited: int | None  # net deposits credited by the deadline; None: not evidenced
    deadline: str | None  # the original's deposit deadline (ISO), as it reported it
    moves: tuple[LineMove, ...]

    @property
    def evidenced(self) -> bool:
        return self.credited is not None

    @property
    def at_deadline(self) -> int:
        """On deposit at the deadline (Rule 15c3-3(e)(3)); without evidence of deposits, the
        balance at the computation (nothing is assumed deposited)."""
        return self.on_deposit + (self.credited or 0)

    @property
    def corrected_net(self) -> int:
        """What the corrected computation required on deposit: its required deposit less what
        meets part of it without a deposit -- the PAB computation's offset by the customer
        computation's excess debits (Rule 15c3-3(e)(4)) and the credits moving to a bank sweep
        program the next business day (SEC staff FAQ 2025-12-08 Q5) -- as `deposit_needed`
        is worked (formula.computation). Reading: the hindsight deficiency is the corrected
        computation's own deposit needed against what was on deposit at the deadline, so a
        correction that moves no line gives no deficiency the original did not show."""
        return self.corrected_required - self.corrected_less

    @property
    def original_net(self) -> int:
        return self.original_required - self.original_less

    @property
    def deficiency(self) -> int:
        """The corrected net requirement (`corrected_net`) less on deposit at the deadline,
        when positive (Rule 15c3-3(e)(1))."""
        return max(0, self.corrected_net - self.at_deadline)

    @property
    def above_original(self) -> int:
        """How much the corrected net requirement exceeds the original one, when positive:
        short even had the firm deposited exactly what the original asked."""
        return max(0, self.corrected_net - self.original_net)

    @property
    def changed(self) -> bool:
        return bool(self.moves)

    def as_dict(self) -> dict[str, object]:
        return {"as_of": self.as_of.isoformat(), "computation": self.computation, "original_file": self.original_file,
                "original_required": format_cents(self.original_required),
                "corrected_required": format_cents(self.corrected_required),
                "on_deposit_at_computation": format_cents(self.on_deposit),
                "corrected_offset_and_sweep": format_cents(self.corrected_less),
                "original_offset_and_sweep": format_cents(self.original_less),
                "deposits_evidenced": self.evidenced,
                "credited_by_deadline": None if self.credited is None else format_cents(self.credited),
                "deposit_deadline": self.deadline,
                "on_deposit_at_deadline": format_cents(self.at_deadline),
                "hindsight_deficiency": format_cents(self.deficiency),
                "corrected_above_original": format_cents(self.above_original),
                "lines_moved": [m.as_dict() for m in self.moves]}


def moved_lines(original: Mapping[str, int], corrected: Mapping[str, int]) -> tuple[LineMove, ...]:
    """Every figure whose amount differs, largest |difference| first (then in the original's order)."""
    order = {k: i for i, k in enumerate([*original, *(k for k in corrected if k not in original)])}
    moves = [LineMove(k, original.get(k), corrected.get(k)) for k in order if original.get(k) != corrected.get(k)]
    return tuple(sorted(moves, key=lambda m: (-abs(m.difference), order[m.key])))


def hindsight(as_of: date, computation: str, original_file: str, original: Mapping[str, int],
              corrected: Mapping[str, int], deposits: Deposits | None = None,
              deadline: str | None = None) -> Hindsight:
    """The corrected computation (`corrected`: figure key -> cents) set against the original
    one (`original`, its report's amounts); `deposits` as the module docstring says."""
    credited = None if deposits is None else deposits.get((computation, as_of))

    def less(figures: Mapping[str, int]) -> int:  # (e)(4) offset + FAQ Q5 sweep: see Hindsight.corrected_net
        return int(figures.get("offset_by_customer_excess_debits", 0) or 0) + int(figures.get("sweep", 0) or 0)

    return Hindsight(as_of, computation, original_file, int(original.get("required_deposit", 0)),
                     int(corrected.get("required_deposit", 0)), int(original.get("on_deposit", 0)),
                     less(corrected), less(original),
                     None if credited is None else int(credited), deadline, moved_lines(original, corrected))


@dataclass(frozen=True)
class Totals:
    """The series' totals."""

    compared: int
    changed: int
    deficiencies: int
    deficiency: int  # cents, summed
    above_original: int  # cents, summed


def totals(rows: Sequence[Hindsight]) -> Totals:
    return Totals(len(rows), sum(1 for r in rows if r.changed), sum(1 for r in rows if r.deficiency > 0),
                  sum(r.deficiency for r in rows), sum(r.above_original for r in rows))
