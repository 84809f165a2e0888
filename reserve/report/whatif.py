"""What if: a book's computation beside the same book with some facts set otherwise (issue 15 item 4).

`reserve whatif BOOK --set NAME=VALUE ...` computes the book as it is (the *base*) and as it
would be with the settings applied (the *scenario*, reserve.book.scenario), and shows them
side by side: `what_if(base, scenario, applied) -> WhatIf`, the model; `whatif_text` the
terminal's layout; `WhatIf.to_dict()` the `--json` form (amounts as text with two decimals,
exact, as in report.json).

For each computation (customer, PAB): every line of Exhibit A (Items 1-15, the FOCUS other
credits and other debits) whose amount differs, then every summary figure whether it
differs or not (total credits, aggregate debits, the debit reduction *with the rate used*,
total debits, Item 16 excess, required deposit, the Rule 15c3-3(e)(4) offset, the next-day
sweep, on deposit, deposit needed, withdrawal permitted), each as base, scenario and the
difference (scenario less base). The rate is read off the computation's reduction rule:
3% or 2% of aggregate debits (Rule 15c3-1(a)(1)(ii)(A): 2% for a daily computer), 1% of
Item 10 (basic method, Note E(3)), none in the PAB computation (PAB Note 4). Then the
settings as applied (how many rows each set, and what the cells held) and the exceptions
that appear or disappear, matched by their stable id (`model.exception_id`). Nothing here
writes anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from ..book.scenario import ADDED_ROW, Applied
from ..formula.model import LINES, ComputationName
from ..money import format_cents, format_display
from .model import JSON, SUMMARY_FIGURES, Report, ReportException

SUMMARY_LABELS: dict[str, str] = {
    "total_credits": "total credits",
    "aggregate_debits": "aggregate debits",
    "debit_reduction": "debit reduction",
    "total_debits": "total debits",
    "excess_credits": "excess of credits (Item 16)",
    "excess_debits": "excess of debits",
    "required_deposit": "required deposit",
    "offset_by_customer_excess_debits": "offset by customer excess debits",
    "sweep": "next-day sweep credits",
    "on_deposit": "on deposit",
    "deposit_needed": "deposit needed",
    "withdrawal_permitted": "withdrawal permitted",
}
assert tuple(SUMMARY_LABELS) == SUMMARY_FIGURES
TITLES = {ComputationName.CUSTOMER: "Customer", ComputationName.PAB: "PAB"}
_RATE = re.compile(r"(\d+(?:\.\d+)?)%")
NO_RATE = "none"


def reduction_rate(rule: str) -> str:
    """The rate of a debit reduction as its rule states it: "3%", "2%", "1%", or "none"
    (PAB Note 4: no reduction in the PAB computation)."""
    m = _RATE.search(rule)
    return f"{m.group(1)}%" if m else NO_RATE


@dataclass(frozen=True)
class Figure:
    """One line or summary figure, base and scenario, in cents."""

    key: str  # line key (item_4, other_credits) or summary figure (required_deposit)
    label: str  # "Item 4", "Other credits", "debit reduction (3% -> 2%)"
    caption: str  # the line's caption in Exhibit A ("" for a summary figure)
    base: int
    scenario: int

    @property
    def difference(self) -> int:
        return self.scenario - self.base

    def to_dict(self) -> dict[str, JSON]:
        return {"key": self.key, "label": self.label, "caption": self.caption, "base": format_cents(self.base),
                "scenario": format_cents(self.scenario), "difference": format_cents(self.difference)}


@dataclass(frozen=True)
class ComputationWhatIf:
    """One computation side by side: the lines that differ, every summary figure, the rate."""

    name: ComputationName
    lines: tuple[Figure, ...]  # only the lines whose amount differs, in Exhibit A's order
    summary: tuple[Figure, ...]  # every summary figure (SUMMARY_FIGURES), always
    base_rate: str  # "3%", "2%", "1%" or "none"
    scenario_rate: str
    base_reduction_rule: str
    scenario_reduction_rule: str
    base_deadline: date | None
    scenario_deadline: date | None

    def to_dict(self) -> dict[str, JSON]:
        return {
            "lines": [f.to_dict() for f in self.lines],
            "summary": [f.to_dict() for f in self.summary],
            "debit_reduction_rate": {"base": self.base_rate, "scenario": self.scenario_rate},
            "debit_reduction_rule": {"base": self.base_reduction_rule, "scenario": self.scenario_reduction_rule},
            "deposit_deadline": {"base": _iso(self.base_deadline), "scenario": _iso(self.scenario_deadline)},
        }


@dataclass(frozen=True)
class SettingShown:
    """One setting as applied: what it set, on how many rows (and which), what was there."""

    setting: str  # as typed
    target: str  # in the format's names: frequency, cca[cca_id=FICC].written_contract
    table: str  # "parameters" for a parameter
    rows: int  # rows (or the parameter row) set
    cells: tuple[tuple[str, str, int | None], ...]  # file, sheet, row (None: a parameter row added)
    before: tuple[str, ...]  # distinct texts the cells held ("" blank); a parameter: its value as used
    after: str  # the value given; a parameter: its value as used in the scenario

    def to_dict(self) -> dict[str, JSON]:
        return {"setting": self.setting, "target": self.target, "table": self.table, "rows": self.rows,
                "cells": [{"file": f, "sheet": s, "row": r} for f, s, r in self.cells],
                "before": list(self.before), "after": self.after}


@dataclass(frozen=True)
class ExceptionShown:
    """An exception of one side only (by its stable id)."""

    id: str
    severity: str
    rule: str
    computation: str  # "customer", "pab" or "" (book-wide)
    message: str
    amount: int | None

    def to_dict(self) -> dict[str, JSON]:
        return {"id": self.id, "severity": self.severity, "rule": self.rule, "computation": self.computation,
                "message": self.message, "amount": None if self.amount is None else format_cents(self.amount)}


@dataclass(frozen=True)
class WhatIf:
    """The base and the scenario side by side (see the module docstring)."""

    book: str
    firm_name: str
    base_as_of: date
    scenario_as_of: date
    settings: tuple[SettingShown, ...]
    computations: tuple[ComputationWhatIf, ...]
    appeared: tuple[ExceptionShown, ...]  # in the scenario, not in the base
    disappeared: tuple[ExceptionShown, ...]  # in the base, not in the scenario
    base: Report | None = field(default=None, compare=False, repr=False)
    scenario: Report | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, JSON]:
        return {
            "book": self.book,
            "firm_name": self.firm_name,
            "as_of": {"base": self.base_as_of.isoformat(), "scenario": self.scenario_as_of.isoformat()},
            "settings": [s.to_dict() for s in self.settings],
            "computations": {c.name.value: c.to_dict() for c in self.computations},
            "exceptions": {"appeared": [e.to_dict() for e in self.appeared],
                           "disappeared": [e.to_dict() for e in self.disappeared]},
        }


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _parameter_text(report: Report, name: str) -> str:
    v = report.parameter_json().get(name)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _setting(a: Applied, base: Report, scenario: Report) -> SettingShown:
    s = a.setting
    cells = tuple((f, sh, None if r == ADDED_ROW else r) for f, sh, r in a.cells)
    if s.is_parameter:  # the value as each computation used it (a default where blank)
        return SettingShown(s.text, s.target, s.table, a.rows, cells, (_parameter_text(base, s.column),),
                            _parameter_text(scenario, s.column))
    return SettingShown(s.text, s.target, s.table, a.rows, cells, a.before, s.value.strip())


def _computation(name: ComputationName, base: Report, scenario: Report) -> ComputationWhatIf:
    b, s = base.computations[name], scenario.computations[name]
    lines = []
    for spec in LINES:
        bv, sv = b.amount(spec.key), s.amount(spec.key)
        if bv != sv:
            label = f"Item {spec.number}" if spec.number else spec.caption.replace(" (List)", "")
            lines.append(Figure(spec.key.value, label, spec.caption, bv, sv))
    base_rate, scenario_rate = reduction_rate(b.debit_reduction_rule), reduction_rate(s.debit_reduction_rule)
    rate = base_rate if base_rate == scenario_rate else f"{base_rate} -> {scenario_rate}"
    summary = []
    for key in SUMMARY_FIGURES:
        label = SUMMARY_LABELS[key] + (f" ({rate})" if key == "debit_reduction" else "")
        summary.append(Figure(key, label, "", b.amount(key), s.amount(key)))
    return ComputationWhatIf(name, tuple(lines), tuple(summary), base_rate, scenario_rate, b.debit_reduction_rule,
                             s.debit_reduction_rule, b.deposit_deadline, s.deposit_deadline)


def _shown(e: ReportException) -> ExceptionShown:
    return ExceptionShown(e.id, e.severity.value, e.rule, e.computation.value if e.computation else "", e.message,
                          e.amount)


def what_if(base: Report, scenario: Report, applied: Sequence[Applied], book: str = "") -> WhatIf:
    """The scenario beside the base (both reports of the same book, `applied` what made the
    scenario); the exceptions of one side only are matched by id, in each report's order."""
    base_ids = {e.id for e in base.exceptions}
    scenario_ids = {e.id for e in scenario.exceptions}
    return WhatIf(
        book=book,
        firm_name=scenario.firm_name,
        base_as_of=base.as_of,
        scenario_as_of=scenario.as_of,
        settings=tuple(_setting(a, base, scenario) for a in applied),
        computations=tuple(_computation(n, base, scenario) for n in base.computations if n in scenario.computations),
        appeared=tuple(_shown(e) for e in scenario.exceptions if e.id not in base_ids),
        disappeared=tuple(_shown(e) for e in base.exceptions if e.id not in scenario_ids),
        base=base,
        scenario=scenario,
    )


# ------------------------------------------------------------------------------ text


def _signed(cents: int) -> str:
    if cents == 0:
        return "0.00"
    return f"+{format_display(cents)}" if cents > 0 else f"-{format_display(-cents)}"


def _rows_text(s: SettingShown) -> str:
    if s.table == "parameters":
        return "parameter" if s.cells and s.cells[0][2] is not None else "parameter (not in the book)"
    rows = ", ".join(str(r) for _, _, r in s.cells[:6]) + (", ..." if len(s.cells) > 6 else "")
    return f"{s.rows} row{'s' if s.rows != 1 else ''} of {s.table} (row {rows})"


def _before_text(s: SettingShown) -> str:
    was = " / ".join(repr(b) if b else "blank" for b in s.before) or "blank"
    return f"{was} -> {repr(s.after) if s.after else 'blank'}"


def _exception_line(e: ExceptionShown) -> str:
    where = f" {e.computation}" if e.computation else ""
    return f"  {e.id}  {e.severity:<6} {e.rule}{where}: {e.message}"


WIDTH = 18  # an amount column: up to 999,999,999,999.99 and its sign


def whatif_text(w: WhatIf) -> str:
    """The comparison as the terminal shows it."""
    out = [f"What if: {w.firm_name}, as of {w.base_as_of}"
           + (f" (scenario as of {w.scenario_as_of})" if w.scenario_as_of != w.base_as_of else "")
           + (f", book {w.book}" if w.book else ""), "", "Settings as applied:"]
    for s in w.settings:
        out.append(f"  --set {s.setting}")
        out.append(f"      {s.target}: {_rows_text(s)}: {_before_text(s)}")
    head = f"  {'':<40} {'base':>{WIDTH}} {'scenario':>{WIDTH}} {'difference':>{WIDTH}}"
    for c in w.computations:
        out += ["", f"{TITLES[c.name]} computation", head]
        if not c.lines:
            out.append("  (no line of Items 1-15 or the other credits and debits differs)")
        for f in c.lines + c.summary:
            out.append(f"  {f.label:<40} {format_display(f.base):>{WIDTH}} {format_display(f.scenario):>{WIDTH}} "
                       f"{_signed(f.difference):>{WIDTH}}")
        if c.base_reduction_rule == c.scenario_reduction_rule:
            out.append(f"  debit reduction: {c.base_reduction_rule}")
        else:
            out.append(f"  debit reduction, base: {c.base_reduction_rule}")
            out.append(f"  debit reduction, scenario: {c.scenario_reduction_rule}")
        if c.base_deadline != c.scenario_deadline:
            out.append(f"  deposit deadline: base {c.base_deadline}, scenario {c.scenario_deadline}")
    for title, items in (("appear", w.appeared), ("disappear", w.disappeared)):
        out += ["", f"Exceptions that {title} ({len(items)}){':' if items else ': none'}"]
        out += [_exception_line(e) for e in items]
    out += ["", "Nothing was written: the book is unchanged."]
    return "\n".join(out)


__all__ = ["ComputationWhatIf", "ExceptionShown", "Figure", "SettingShown", "WhatIf", "reduction_rate", "what_if",
           "whatif_text"]
