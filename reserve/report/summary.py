"""The run summary: what `reserve compute` prints on the terminal and, with `--json`, on
stdout. Both come from `summary(report)`, so they cannot disagree; `summary_text` only lays
it out.

Each computation shows the whole path from the requirement to the action, so the figures
add up on the screen: required deposit, less the PAB offset by customer excess debits
(Rule 15c3-3(e)(4)), less next-day sweep credits (SEC staff FAQ 2025-12-08 Q5), against the
amount on deposit, giving the deposit needed (with its deadline) or the withdrawal
permitted -- and the exceptions by severity (counts of every exception: nothing is cut),
the severe ones to resolve, with `--compare` how many are new, still open and gone, with a
`review` table how many exceptions are resolved / accepted / open / not reviewed (and review
rows naming nothing), with a `variance_threshold` and `--compare` the lines above it and how
many lack a comment, and the sign-off roles not yet signed (after `compute` always all three:
a new report is a DRAFT).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..formula.model import ComputationName
from ..money import format_cents, format_display
from .model import JSON, NEW, REVIEW_DISPOSITIONS, SEVERITY_ORDER, STILL_OPEN, Report
from .signoff import SignOff, view

SEVERITIES = tuple(s.value for s in SEVERITY_ORDER)
FIGURES = ("required_deposit", "offset_by_customer_excess_debits", "sweep", "on_deposit", "deposit_needed",
           "withdrawal_permitted")
TITLES = {ComputationName.CUSTOMER: "Customer", ComputationName.PAB: "PAB"}
ROW_CAPTIONS = {
    "required_deposit": "required deposit",
    "offset_by_customer_excess_debits": "less offset by customer excess debits",
    "sweep": "less next-day sweep credits",
    "on_deposit": "on deposit",
    "deposit_needed": "deposit needed",
    "withdrawal_permitted": "withdrawal permitted",
}


@dataclass(frozen=True)
class ComputationSummary:
    """The path from the requirement to the action for one computation, in cents."""

    name: ComputationName
    figures: dict[str, int]  # FIGURES -> cents
    deposit_deadline: date | None
    result: str  # deposit needed | withdrawal permitted | no deposit needed


@dataclass(frozen=True)
class RunSummary:
    """The summary of one run."""

    firm_name: str
    as_of: date
    computations: tuple[ComputationSummary, ...]
    exceptions: int
    exceptions_by_severity: dict[str, int]
    comparison_warnings: tuple[str, ...] = ()
    # sign-off roles not signed, in order (reserve/report/signoff.py ROLES)
    unsigned_roles: tuple[str, ...] = ()
    # --compare against a report with exception ids: {"new": n, "still open": n, "gone": n}
    exceptions_since: dict[str, int] | None = None
    # the book's review table (issue 14 item 2): exceptions by disposition ("not reviewed" for
    # none), review rows naming no exception or variance
    reviews: dict[str, int] | None = None
    unmatched_reviews: int = 0
    # with a variance_threshold: lines above it, and those without a comment (None: not checked)
    variances: int | None = None
    unexplained_variances: int = 0
    variance_note: str = ""  # why variances were not checked, when a threshold is set
    # the book's parameters.test_run: a test computation (SEC staff FAQ of 2025-12-08), not one of
    # the firm's computations -- `reserve series` keeps it apart and never counts its withdrawal
    test_run: bool = False

    @property
    def severe_exceptions(self) -> int:
        return self.exceptions_by_severity.get("severe", 0)

    def to_dict(self) -> dict[str, JSON]:
        """The summary as `reserve compute --json` prints it (amounts as report.json writes them)."""
        out: dict[str, JSON] = {"firm_name": self.firm_name, "as_of": self.as_of.isoformat(),
                                "test_run": self.test_run}
        for c in self.computations:
            entry: dict[str, JSON] = {k: format_cents(v) for k, v in c.figures.items()}
            entry["deposit_deadline"] = c.deposit_deadline.isoformat() if c.deposit_deadline else None
            entry["result"] = c.result
            out[c.name.value] = entry
        out["exceptions"] = self.exceptions
        out["exceptions_by_severity"] = dict(self.exceptions_by_severity)
        out["severe_exceptions"] = self.severe_exceptions
        if self.exceptions_since is not None:
            out["exceptions_since_previous"] = dict(self.exceptions_since)
        out["unsigned_roles"] = list(self.unsigned_roles)
        if self.reviews is not None:
            out["exceptions_by_review"] = dict(self.reviews)
            out["reviews_naming_nothing"] = self.unmatched_reviews
        if self.variances is not None:
            out["variances_above_threshold"] = self.variances
            out["unexplained_variances"] = self.unexplained_variances
        if self.variance_note:
            out["variance_note"] = self.variance_note
        if self.comparison_warnings:
            out["comparison_warnings"] = list(self.comparison_warnings)
        return out


def summary(report: Report, signoff: SignOff | None = None) -> RunSummary:
    """The summary of one run (`signoff`: the report's sign-off record; none after `compute`)."""
    comps = []
    for name, c in report.computations.items():
        need, withdraw = c.deposit_needed, c.withdrawal_permitted
        result = "deposit needed" if need > 0 else "withdrawal permitted" if withdraw > 0 else "no deposit needed"
        comps.append(ComputationSummary(name, {k: c.amount(k) for k in FIGURES}, c.deposit_deadline, result))
    warnings = report.compared_with.warnings if report.compared_with else ()
    gone = report.compared_with.exceptions_gone if report.compared_with else None
    since = None if gone is None else {
        NEW: sum(1 for e in report.exceptions if e.since == NEW),
        STILL_OPEN: sum(1 for e in report.exceptions if e.since == STILL_OPEN), "gone": len(gone)}
    reviews = None
    if report.reviews:
        reviews = {d: sum(1 for e in report.exceptions if e.review is not None and e.review.disposition == d)
                   for d in REVIEW_DISPOSITIONS}
        reviews[NOT_REVIEWED] = sum(1 for e in report.exceptions if e.review is None)
    note = ""
    if report.variances is None and report.parameters.get("variance_threshold"):
        note = "a variance_threshold is set, but there is no previous report (--compare): variances not checked"
    return RunSummary(report.firm_name, report.as_of, tuple(comps), len(report.exceptions),
                      report.exceptions_by_severity(), tuple(warnings),
                      view(signoff or SignOff(), "").unsigned, since, reviews, len(report.unmatched_reviews),
                      None if report.variances is None else len(report.variances), len(report.unexplained_variances),
                      note, report.parameters.get("test_run") is True)


NOT_REVIEWED = "not reviewed"


def _long_date(d: date | None) -> str:
    if d is None:
        return "(no deadline)"
    return f"{d:%A} {d.isoformat()}"


def summary_text(s: RunSummary) -> str:
    """The summary as the lines printed on the terminal."""
    comps = [c for c in s.computations if c.name in TITLES]
    cells = {c.name: {k: format_display(c.figures[k]) for k in FIGURES} for c in comps}
    label_w = max(len(v) for v in ROW_CAPTIONS.values())
    col_w = max([len(TITLES[c.name]) for c in comps] + [len(v) for c in cells.values() for v in c.values()] + [12])
    test = " — TEST COMPUTATION (parameters.test_run)" if s.test_run else ""
    lines = [f"{s.firm_name} — reserve computation as of {s.as_of.isoformat()}{test}",
             "  " + " " * label_w + "".join(f"  {TITLES[c.name]:>{col_w}}" for c in comps)]
    for k in FIGURES:
        lines.append(f"  {ROW_CAPTIONS[k]:<{label_w}}" + "".join(f"  {cells[c.name][k]:>{col_w}}" for c in comps))
    for c in comps:
        title, cell = TITLES[c.name], cells[c.name]
        sweep = c.figures["sweep"]
        after = f" (after {cell['sweep']} of sweep credits)" if sweep > 0 else ""
        if c.result == "deposit needed":
            lines.append(f"  {title}: DEPOSIT NEEDED {cell['deposit_needed']}{after} by one hour after banks open "
                         f"on {_long_date(c.deposit_deadline)}")
        elif c.result == "withdrawal permitted":
            lines.append(f"  {title}: no deposit needed; withdrawal permitted {cell['withdrawal_permitted']}")
        else:
            never = " (sweep credits never permit one)" if sweep > 0 else ""
            lines.append(f"  {title}: no deposit needed{after}; no withdrawal permitted{never}")
    by = s.exceptions_by_severity
    lines.append(f"  {s.exceptions} exception(s): " + ", ".join(f"{by.get(k, 0)} {k}" for k in SEVERITIES))
    if s.exceptions_since is not None:
        lines.append("  since the previous report: " + ", ".join(f"{n} {k}" for k, n in s.exceptions_since.items()))
    if s.reviews is not None:
        lines.append("  reviewed (review table): " + ", ".join(f"{n} {k}" for k, n in s.reviews.items())
                     + (f"; {s.unmatched_reviews} review row(s) name no exception or variance" if s.unmatched_reviews
                        else ""))
    if s.variances is not None:
        lines.append(f"  {s.variances} line(s) changed by more than the variance threshold, "
                     f"{s.unexplained_variances} without a comment")
    if s.variance_note:
        lines.append(f"  Note: {s.variance_note}")
    if s.test_run:
        lines.append("  a test computation (SEC staff FAQ of 2025-12-08): not one of the firm's computations; "
                     "it permits no withdrawal and `reserve series` shows it apart")
    if s.unsigned_roles:
        lines.append(f"  unsigned: {', '.join(s.unsigned_roles)} (DRAFT until approved: reserve sign)")
    else:
        lines.append("  signed: preparer, reviewer, approver")
    for w in s.comparison_warnings:
        lines.append(f"  Warning: {w}")
    return "\n".join(lines)
