"""The computation: the steps of Exhibit A run in order, then Item 16 and the deposit.

`compute(book) -> Result` runs `STEPS`, each a rule function of credits.py, debits.py,
note_e.py, pab.py, the note_h package or reserve_bank.py applied to the rows it reads, and sums the
dispositions into the lines of each computation (`line_sums`). Then, per computation
(PAB Note 1: the same formula for PAB accounts, `computations`):

  Item 16   total credits less total debits: `item_16_computation`;
  the debit reduction: Note E(3) 1% (basic method) or Rule 15c3-1(a)(1)(ii)(A) 2% / 3%
            (alternative method), none for PAB (PAB Note 4): `debit_reduction`;
  the 105% of a monthly customer computation (Rule 15c3-3(e)(3)(i)(C)): `monthly_105`;
  Rule 15c3-3(e)(4): PAB requirement met by customer excess debits: `e4_pab_offset`;
  the deposit needed, by the deadline (Rule 15c3-3(e), (g)): `deposit_needed`;
  the frequency rules of Rule 15c3-3(e)(3): `frequency_findings`.

STEPS follow Exhibit A's order within each table the rules read: the `accounts` rules (Items
1 and 10, Note E), then the `items` rules (Items 1-14, the PAB Notes), Note H (Item 15), the
reserve bank accounts, then Item 16. That order is also the order of the dispositions and
findings in every output, so it is kept as it is: reordering steps changes the outputs.
The steps before `_assemble` run in two lanes, the accounts' debit chain (Item 10, Notes E(1),
E(5)) on one thread and the rest on another (`_lanes`); their outcomes are taken in the order
of STEPS all the same.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import money
from ..calendar import DAILY_AMENDMENTS_EFFECTIVE, DAILY_COMPLIANCE_DATE, BusinessCalendar
from ..money import Effect
from ..progress import NO_PROGRESS, Progress
from . import credits, debits, note_e, pab
from .debits import DebitBasis
from .inputs import BookData, Params
from .item_rows import ItemRows, item_row_checks
from .model import (
    COMPUTATIONS,
    CREDIT_LINES,
    DEBIT_LINES,
    LINES,
    Computation,
    Finding,
    NoteHEntry,
    Outcome,
    Result,
    Severity,
    concat_dispositions,
    dispositions,
)
from .note_e import NoteE1
from .note_h import NoteHInputs, apply_note_h, pairing_findings
from .readings import assumptions
from .reserve_bank import reserve_bank_on_deposit
from .scope import AccountScope, accounts_in_formula

if TYPE_CHECKING:
    from ..book.model import DefaultUsed

DAILY_THRESHOLD = 50_000_000_000  # $500 million of average total credits (Rule 15c3-3(e)(3)(i)(B)(1))
MONTHLY_CREDIT_LIMIT = 100_000_000  # $1,000,000 aggregate customer funds (Rule 15c3-3(e)(3)(i)(C))
VOLUNTARY_NOTICE_DAYS = 30  # Rule 15c3-3(e)(3)(v): "at least 30 calendar days before beginning"


def calendar_for(book: BookData) -> BusinessCalendar:
    """Weekdays the Federal Reserve Banks are open, less the book's holidays (reading: business_days)."""
    hol = book.tables.get("holidays")
    extra = []
    if hol is not None and len(hol):
        for d, name in zip(hol["date"], hol["name"], strict=True):
            extra.append((pd.Timestamp(d).date(), name or "Book holiday"))
    return BusinessCalendar(extra)


@dataclass
class Run:
    """One computation in progress: the book, its calendar, and what earlier steps found that
    later ones need. Each step reads what it needs from here and returns an Outcome."""

    book: BookData
    cal: BusinessCalendar
    items: ItemRows | None  # None when the book has no items
    scope: AccountScope | None = None
    debits: DebitBasis | None = None
    e1: NoteE1 | None = None
    note7_placed: dict[str, int] = field(default_factory=dict)
    on_deposit: dict[str, int] = field(default_factory=dict)
    note_h_entries: list[NoteHEntry] = field(default_factory=list)
    outcome: Outcome = field(default_factory=Outcome)
    dispositions: pd.DataFrame | None = None
    # the line sums of `dispositions`, with the frame they are of (`_sums`: worked out once
    # for `_credit_lines` and Item 16, not once each -- and again if the frame is another)
    sums: tuple[pd.DataFrame, dict[tuple[str, str], int]] | None = None
    computations: dict[str, Computation] = field(default_factory=dict)

    @property
    def params(self) -> Params:
        return self.book.params


Step = Callable[[Run], Outcome]


def _need(v: Any) -> Any:
    assert v is not None, "a step ran before the step it needs"
    return v


# ----------------------------------------------------------------- the steps, in order


def _scope(run: Run) -> Outcome:
    """Rule 15c3-3(a)(1), (a)(16), the cross-margining order: the account rows in the formula."""
    run.scope, out = accounts_in_formula(run.book.tables["accounts"], run.params)
    return out


def _item_1_accounts(run: Run) -> Outcome:
    """Item 1 from the accounts (with Note E(2)'s increase of an omnibus credit)."""
    return credits.item_1_credit_balances(_need(run.scope))


def _item_10_accounts(run: Run) -> Outcome:
    """Item 10 from the accounts, with Notes E(2), E(4), E(6) per account."""
    run.debits, out = debits.item_10_debit_balances(_need(run.scope))
    return out


def _note_e1(run: Run) -> Outcome:
    """Note E(1) on the customer margin debits (PAB Note 3: not on PAB ones)."""
    s, d = _need(run.scope), _need(run.debits)
    run.e1 = note_e.note_e1_concentration(s.acc, run.book.tables["collateral"], run.book.links, d.included,
                                          d.margin_live & s.is_customer, s.book_col)  # PAB Note 3
    return run.e1.outcome


def _note_e5(run: Run) -> Outcome:
    """Note E(5) on the margin debits of both computations."""
    s, d = _need(run.scope), _need(run.debits)
    # on the debits left after Note E(1) (reading: e5_parenthetical)
    return note_e.note_e5_single_customer(s.acc, run.params, run.cal, d.included, d.margin_live, s.book_col,
                                          run.e1.shares if run.e1 is not None else None)


def _on_items(rule: Callable[[ItemRows], Outcome]) -> Step:
    """A rule of the `items` table as a step (nothing when the book has no items)."""
    def step(run: Run) -> Outcome:
        return rule(run.items) if run.items is not None else Outcome()
    step.__name__ = step.__qualname__ = rule.__name__
    step.__doc__ = rule.__doc__
    return step


def _items_13_14(run: Run) -> Outcome:
    """Items 13 and 14 with Notes F and G."""
    if run.items is None:
        return Outcome()
    return debits.items_13_14_clearing_margin(run.items, run.book.tables.get("clearing_organizations"))


def _pab_note_7(run: Run) -> Outcome:
    """PAB Note 7; the deposits it excludes are remembered for the reserve bank accounts."""
    if run.items is None:
        return Outcome()
    out, run.note7_placed = pab.pab_note_7_pending_settlement(run.items, run.book.tables["reserve_bank_accounts"],
                                                              run.cal)
    return out


def _note_h(run: Run) -> Outcome:
    """Note H: Item 15, and Note B's Item 2 credit for customers' securities at a qualified clearing agency."""
    nh = apply_note_h(NoteHInputs.from_book(run.book, run.cal))
    run.note_h_entries = nh.entries
    return Outcome([nh.dispositions], list(nh.findings))  # Item 15 (Note H) and Note B's Item 2 credit


def _reserve_bank(run: Run) -> Outcome:
    """Rule 15c3-3(e), (e)(5), (f): amounts on deposit in the reserve bank accounts."""
    out, run.on_deposit = reserve_bank_on_deposit(run.book.tables["reserve_bank_accounts"], run.note7_placed)
    return out


def _clearing_organizations(run: Run) -> Outcome:
    """Every clearing_organizations row used as a reference of item rows or excluded (Notes B, F, G)."""
    return debits.clearing_organization_rows(run.book.tables.get("clearing_organizations"), run.book.tables["items"],
                                             run.book.params.as_of)


def _review(run: Run) -> Outcome:
    """The review rows (issue 14: a reviewer's disposition of an exception or variance) are
    carried to the report, never into a line: the report shows each beside the exception or
    variance it names, or lists it as naming none. A review records the firm's procedure; it
    is not a rule of Exhibit A and no figure depends on it."""
    rev = run.book.tables.get("review")
    if rev is None or not len(rev):
        return Outcome()
    return Outcome([dispositions("review", np.arange(len(rev)), "", "review", 0, "Review (firm's procedure)",
                                 "a reviewer's disposition, shown beside the exception or variance it names; "
                                 "changes no figure")])


def _deposits(run: Run) -> Outcome:
    """The deposits rows (issue 15: each credit to or debit from a reserve bank account) are
    carried to report.json, never into a line: the on-deposit balance of this computation is
    the reserve bank accounts' as of the close of as_of (Rule 15c3-3(e)), and whether each
    deposit needed was made by its deadline (Rule 15c3-3(e)(3)) and each withdrawal covered by a
    computation of its day (Rule 15c3-3(g)) is checked by `reserve series` across reports."""
    dep = run.book.tables.get("deposits")
    if dep is None or not len(dep):
        return Outcome()
    return Outcome([dispositions("deposits", np.arange(len(dep)), "", "deposits", 0,
                                 "Rule 15c3-3(e)(3), (g)",
                                 "carried to report.json for the series' deposit check (Rule 15c3-3(e)(3), (g)); "
                                 "changes no figure of this computation")])


def _holidays(run: Run) -> Outcome:
    """The holidays rows are used by the calendar."""
    hol = run.book.tables["holidays"]
    if not len(hol):
        return Outcome()
    return Outcome([dispositions("holidays", np.arange(len(hol)), "", "calendar", 0, "Business days",
                                 "extra non-business day used by the calendar")])


def _assemble(run: Run) -> Outcome:
    """Every disposition so far, as one frame: the lines are their sums."""
    run.dispositions = concat_dispositions(run.outcome.frames)
    return Outcome()


def _sums(run: Run) -> dict[tuple[str, str], int]:
    """`line_sums` of the run's dispositions, kept while they are the same frame (a step that
    changes the amounts of the frame in place sets `run.sums` to None)."""
    disp = _need(run.dispositions)
    if run.sums is None or run.sums[0] is not disp:
        run.sums = (disp, line_sums(disp))
    return run.sums[1]


def _credit_lines(run: Run) -> Outcome:
    """Items 1-9: reductions never take a credit line below zero (credits.reductions_within_credits)."""
    if all(v >= 0 for (_, ln), v in _sums(run).items() if ln in CREDIT_LINES):
        return Outcome()  # every book whose reductions are within their lines: one pass over the codes
    it = run.book.tables["items"]
    disp, found = credits.reductions_within_credits(_need(run.dispositions), it["item_id"] if "item_id" in it else pd.Series(dtype=str))
    run.dispositions = disp
    run.sums = None  # the frame may be the same object, its amounts changed: summed again
    return Outcome([], found)


def _note_h_pairing(run: Run) -> Outcome:
    """Note H with Items 1, 2: each Item 15 debit has its matching credit."""
    # Note H pairing (SEC staff FAQ, Aug. 2025): every Item 15 debit has its matching credit
    # in Item 1 (customer cash) or Item 2 (customer securities) (reading: h_pairing).
    return Outcome([], pairing_findings(run.book, _need(run.dispositions)))


def _note_e1_not_tested(run: Run) -> Outcome:
    """Note E(1) could not be tested (no collateral table): a severe finding."""
    return Outcome([], note_e.note_e1_not_tested(run.book.tables["accounts"], run.e1 is not None and run.e1.tested))


def _item_16(run: Run) -> Outcome:
    """Item 16 per computation, Rule 15c3-3(e)(4), and the deposit needed."""
    run.computations, found = computations(run.params, run.cal, _sums(run), run.on_deposit)
    return Outcome([], found)


def _frequency(run: Run) -> Outcome:
    """Rule 15c3-3(e)(3): what the computation's frequency requires."""
    return Outcome([], frequency_findings(run.params, run.cal, run.computations["customer"], run.computations["pab"]))


def _defaults(run: Run) -> Outcome:
    """Issue 10: defaults that can favour the firm, leaned on where they matter."""
    return Outcome([], default_findings(run.book))


#: The steps of `compute`, in the order they run (see the module docstring). The frames and
#: findings of each step are appended to the run's, in this order.
STEPS: tuple[Step, ...] = (
    _scope,
    _item_1_accounts,
    _item_10_accounts,
    _note_e1,
    _note_e5,
    _on_items(item_row_checks),
    _on_items(credits.note_a_drafts_and_checks),
    _on_items(credits.item_2_bank_loans),
    _on_items(credits.note_b_letters_of_credit),
    _on_items(credits.item_3_securities_loaned),
    _on_items(credits.item_4_fails_to_receive),
    _on_items(credits.item_5_principal_sales),
    _on_items(credits.item_6_stock_dividends),
    _on_items(credits.item_7_short_security_count),
    _on_items(credits.item_8_suspense_shorts),
    _on_items(credits.item_9_transfers_unconfirmed),
    _on_items(debits.items_11_12_borrowed_and_failed),
    _items_13_14,
    _on_items(credits.other_credits),
    _on_items(debits.other_debits),
    _on_items(credits.sweep_next_day),
    _on_items(credits.new_issue_exclusion),
    _on_items(pab.pab_note_5_receivables),
    _on_items(pab.pab_note_6_cross_margin),
    _pab_note_7,
    _on_items(pab.pab_note_8_sweeps),
    _on_items(pab.pab_note_9_clearing_deposits),
    _note_h,
    _reserve_bank,
    _clearing_organizations,
    _holidays,
    _review,
    _deposits,
    _assemble,
    _credit_lines,
    _note_h_pairing,
    _note_e1_not_tested,
    _item_16,
    _frequency,
    _defaults,
)


#: The accounts' debit chain: Item 10, then Note E(1) on its debits, then Note E(5) after
#: Note E(1), each needing the one before. The longest run of steps of a big book (about half
#: of the computing of a 10M-account book, issue 13).
DEBIT_CHAIN = frozenset({"_item_10_accounts", "_note_e1", "_note_e5"})


#: Once the dispositions are final (after `_credit_lines`), the steps that read only the book,
#: those dispositions and Note E(1)'s outcome -- never Item 16's computations -- run on a second
#: thread beside Item 16 and the steps after it (issue 13: the Note H pairing looks through 20
#: million dispositions and 10 million customer ids, 0.7-0.9 s, while Item 16 sums the lines).
FINDINGS_BESIDE = frozenset({"_note_h_pairing", "_note_e1_not_tested", "_defaults"})


def _final_lanes(rest: tuple[Step, ...]) -> tuple[tuple[Step, ...], tuple[Step, ...], tuple[Step, ...]]:
    """The steps from `_assemble` on, as compute runs them: up to `_credit_lines` in order (they
    make the final dispositions); then the FINDINGS_BESIDE steps on a second thread and the
    others on this one, each lane in order. tests/test_formula_modules.py checks that the
    steps beside need nothing Item 16 makes, and that the outcome is that of one thread."""
    names = [s.__name__ for s in rest]
    end = names.index(_credit_lines.__name__) + 1
    assert not FINDINGS_BESIDE & set(names[:end]), "the final dispositions are made before the lanes"
    after = tuple(s for s in rest[end:] if s.__name__ not in FINDINGS_BESIDE)
    beside = tuple(s for s in rest[end:] if s.__name__ in FINDINGS_BESIDE)
    return rest[:end], after, beside


def _lanes(steps: tuple[Step, ...]) -> tuple[Step, tuple[Step, ...], tuple[Step, ...], tuple[Step, ...]]:
    """STEPS as compute runs them: the scope first; then, up to `_assemble`, the debit chain on
    this thread and every other step beside it on a second thread (each of those reads the book,
    the scope or the item rows, nothing the chain makes: `Run.debits`, `Run.e1`); then the rest
    in order. tests/test_formula_modules.py checks that the steps beside the chain need nothing
    from it, and that the outcome is that of running every step one after the other."""
    names = [s.__name__ for s in steps]
    assert names[0] == _scope.__name__, "the scope is the first step"
    end = names.index(_assemble.__name__)
    before = steps[1:end]
    chain = tuple(s for s in before if s.__name__ in DEBIT_CHAIN)
    beside = tuple(s for s in before if s.__name__ not in DEBIT_CHAIN)
    return steps[0], chain, beside, steps[end:]


def _two_lanes(run: Run, here: tuple[Step, ...], beside: tuple[Step, ...],
               advance: Callable[..., None]) -> list[Outcome]:
    """The steps `here` on this thread and `beside` on a second one, each lane in order; their
    outcomes in the order of STEPS (the lane's error, if any, is raised). `advance(n)` is told
    of the steps done."""
    done: dict[Step, Outcome] = {}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="reserve-steps") as pool:
        lane = pool.submit(lambda: [step(run) for step in beside])
        try:
            for step in here:
                done[step] = step(run)
                advance()
        finally:
            done.update(zip(beside, lane.result(), strict=True))  # the lane's error, if any, is raised here
    advance(len(beside))
    return [done[step] for step in STEPS if step in done]


def compute(book: BookData, progress: Progress = NO_PROGRESS) -> Result:
    """Exhibit A applied to a loaded book: every step of STEPS, then the Result. The steps run
    in the lanes of `_lanes`, then of `_final_lanes` (`_two_lanes`), and every step's outcome
    is taken in the order of STEPS, so the outputs are those of running the steps one after the
    other. `progress` is told of each step done (it prints nothing unless the caller gave one)."""
    p = book.params
    cal = calendar_for(book)
    it = book.tables["items"]
    run = Run(book, cal, ItemRows.of(it, p, cal) if len(it) else None)
    scope, chain, beside, rest = _lanes(STEPS)
    with progress.phase("computing", total=len(STEPS), unit="steps") as counted:
        run.outcome.extend(scope(run))
        counted.advance()
        for outcome in _two_lanes(run, chain, beside, counted.advance):
            run.outcome.extend(outcome)  # in the order of STEPS
        settle, after, findings = _final_lanes(rest)
        for step in settle:
            run.outcome.extend(step(run))
            counted.advance()
        for outcome in _two_lanes(run, after, findings, counted.advance):
            run.outcome.extend(outcome)
    disp = _need(run.dispositions)
    result_assumptions = assumptions() + default_assumptions(book)
    return Result(p, run.computations, disp, run.outcome.findings, run.note_h_entries, result_assumptions,
                  row_counts(book, disp))


# ----------------------------------------------------------------- Item 16 and the deposit


def computations(p: Params, cal: BusinessCalendar, sums: dict[tuple[str, str], int], on_deposit: dict[str, int]
                 ) -> tuple[dict[str, Computation], list[Finding]]:
    """PAB Note 1: the formula computed for customers and for PAB accounts alike, each from its
    own dispositions; then Rule 15c3-3(e)(4) between them and the deposit each needs."""
    out: dict[str, Computation] = {}
    for comp in COMPUTATIONS:
        lines: dict[str, int] = {line.key: sums.get((comp, line.key), 0) for line in LINES}
        out[comp] = item_16_computation(p, comp, lines, sweep=sums.get((comp, "sweep"), 0) if comp == "customer" else 0,
                                        on_deposit=on_deposit.get(comp, 0),
                                        deadline=cal.deposit_deadline(p.as_of))  # (reading: deadline)
    cust, pab_c = out["customer"], out["pab"]
    pab_c.offset_by_customer_excess_debits = e4_pab_offset(pab_c, cust)
    findings: list[Finding] = []
    for c in (cust, pab_c):
        findings += deposit_needed(c)
    return out, findings


def item_16_computation(p: Params, comp: str, lines: dict[str, int], sweep: int, on_deposit: int,
                        deadline: date) -> Computation:
    """Item 16: the excess of total credits (Items 1-9) over total debits (Items 10-15, less
    the debit reduction), the required deposit (monthly: 105%, `monthly_105`)."""
    total_credits = sum(lines[k] for k in CREDIT_LINES)
    aggregate = sum(lines[k] for k in DEBIT_LINES)
    reduction, reduction_rule = debit_reduction(p, comp, lines["item_10"], aggregate)
    total_debits = aggregate - reduction
    excess_credits = max(0, total_credits - total_debits)
    excess_debits = max(0, total_debits - total_credits)
    required = monthly_105(p, comp, excess_credits)
    return Computation(comp, lines, total_credits, aggregate, reduction, reduction_rule, total_debits,
                       excess_credits, excess_debits, required, sweep=sweep, on_deposit=on_deposit,
                       deposit_deadline=deadline)


def monthly_105(p: Params, comp: str, excess_credits: int) -> int:
    """Rule 15c3-3(e)(3)(i)(C): a monthly Customer Reserve Bank Account computation deposits
    "not less than 105%" of the excess. A monthly PAB computation ((e)(3)(iii)) has no such
    add-on (reading: monthly_105)."""
    if p.frequency == "monthly" and comp == "customer":
        return int(money.share(excess_credits, 105, 100, Effect.ADDS_TO_REQUIREMENT))
    return excess_credits


def e4_pab_offset(pab_c: Computation, cust: Computation) -> int:
    """Rule 15c3-3(e)(4): a PAB requirement may be met by customer excess debits of the same
    date; never the reverse."""
    return min(pab_c.required_deposit, cust.excess_debits)


def deposit_needed(c: Computation) -> list[Finding]:
    """Rule 15c3-3(e): the deposit needed, by one hour after the opening of banking business on
    the deadline; FAQ Q5: sweep credits reduce the deposit needed; Rule 15c3-3(g): never a
    withdrawal (reading: sweep)."""
    net_required = c.required_deposit - c.offset_by_customer_excess_debits
    c.deposit_needed = max(0, net_required - c.sweep - c.on_deposit)
    c.withdrawal_permitted = max(0, c.on_deposit - net_required)
    if c.deposit_needed > 0:
        assert c.deposit_deadline is not None
        return [Finding("Rule 15c3-3(e)", c.name,
                        f"deposit of {money.format_display(c.deposit_needed)} needed by one hour after the opening "
                        f"of banking business on {c.deposit_deadline:%A %Y-%m-%d}", c.deposit_needed, "", None,
                        Severity.SEVERE)]
    return []


def debit_reduction(p: Params, comp: str, item_10: int, aggregate: int) -> tuple[int, str]:
    """The percentage reduction of debits (reading: reduction): Note E(3) 1% of Item 10 for a
    basic-method firm, Rule 15c3-1(a)(1)(ii)(A) 2% or 3% of aggregate debits for an
    alternative-method one, none in the PAB computation (PAB Note 4). A reduction of debits: a
    larger one raises the requirement, so its fraction of a cent rounds up (reading: rounding)."""
    if comp == "pab":
        return pab.pab_note_4_no_reduction()
    if p.net_capital_method == "basic":
        return note_e.note_e3_one_percent(item_10), "Note E(3): 1% of Item 10"
    pct, why = _alternative_pct(p)
    return money.share(max(0, aggregate), pct, 100, Effect.REDUCES_DEBITS), why


def voluntary_daily_start(p: Params) -> date | None:
    """The first day a voluntary daily computer may take the 2% reduction: 30 calendar days
    after its written notice to its designated examining authority (Rule 15c3-3(e)(3)(v);
    reading: daily_basis)."""
    if p.daily_notice_date is None:
        return None
    return p.daily_notice_date + timedelta(days=VOLUNTARY_NOTICE_DAYS)


def _daily_required_by_credits(p: Params) -> bool:
    return p.average_total_credits is not None and p.average_total_credits >= DAILY_THRESHOLD


def _required_daily_in_force(p: Params) -> bool:
    """The book says the firm must compute daily (daily_basis required, or average total
    credits of $500 million or more) and as_of is on or after the compliance date (Release
    34-103320): only then is it "required to make the computation ... on a daily basis"
    (Rule 15c3-1(a)(1)(ii)(A)). Before that date the firm computing daily does so by choice,
    under Rule 15c3-3(e)(3)(v) (SEC staff FAQ 2025-12-08, Q1 and Q3) (reading: daily_basis)."""
    return (p.daily_basis == "required" or _daily_required_by_credits(p)) and p.as_of >= DAILY_COMPLIANCE_DATE


def _alternative_pct(p: Params) -> tuple[int, str]:
    """Rule 15c3-1(a)(1)(ii)(A): 3% of aggregate debits; 2% for a firm that computes daily
    because it must (Rule 15c3-3(e)(3)(i)(B)(1), in force from 2026-06-30) or, by choice, from
    30 days after its written notice (Rule 15c3-3(e)(3)(v)); never before the daily amendments'
    effective date, 2025-03-14 (reading: daily_basis). The 2% reduction is the smaller one: it
    leaves more debits, so it gives the LOWER requirement -- a benefit the book must earn."""
    rule = "Rule 15c3-1(a)(1)(ii)(A)"
    if p.frequency != "daily":
        return 3, f"{rule}: 3% of aggregate debits (alternative method)"
    if p.as_of < DAILY_AMENDMENTS_EFFECTIVE:
        return 3, (f"{rule}: 3% of aggregate debits (the 2% reduction for daily computation is available from "
                   f"{DAILY_AMENDMENTS_EFFECTIVE.isoformat()}, Release 34-102022)")
    if _required_daily_in_force(p):
        return 2, f"{rule}: 2% of aggregate debits (daily computation required, Rule 15c3-3(e)(3)(i)(B)(1))"
    if p.daily_basis is not None:  # voluntary, or "required" before the compliance date: (e)(3)(v)
        start = voluntary_daily_start(p)
        early = "" if p.daily_basis == "voluntary" else (
            f"daily computation is not required before {DAILY_COMPLIANCE_DATE.isoformat()}, Release 34-103320; ")
        if start is None or p.as_of < start:
            return 3, (f"{rule}: 3% of aggregate debits ({early}voluntary daily computation, Rule 15c3-3(e)(3)(v): "
                       f"2% only from {start or '30 days after the written notice (daily_notice_date not given)'}"
                       + (", 30 days after the written notice)" if start else ")"))
        return 2, f"{rule}: 2% of aggregate debits ({early}voluntary daily computation, Rule 15c3-3(e)(3)(v))"
    # A daily book that does not say why it computes daily (written before daily_basis existed):
    # frequency daily is read as daily computation the rule allows 2% for (SPEC: "2% when
    # frequency is daily"), flagged for review -- 2% gives the lower requirement.
    return 2, f"{rule}: 2% of aggregate debits (daily computation; why the firm computes daily is not stated)"


def _daily_findings(p: Params) -> list[Finding]:
    """What the book says about daily computation, and what the rule makes of it
    (Rule 15c3-3(e)(3)(i)(B), (e)(3)(v); reading: daily_basis)."""
    out: list[Finding] = []
    stated = [n for n in ("daily_basis", "daily_notice_date") if getattr(p, n) is not None]
    if p.frequency != "daily":
        if stated:
            out.append(Finding("Rule 15c3-3(e)(3)", "", f"{' and '.join(stated)} given, but frequency is {p.frequency}: "
                               "not used", None, "", None, Severity.REVIEW))
        return out
    alternative = p.net_capital_method == "alternative"
    if alternative and p.as_of < DAILY_AMENDMENTS_EFFECTIVE:
        out.append(Finding("Rule 15c3-1(a)(1)(ii)(A)", "customer", f"as_of {p.as_of} is before "
                           f"{DAILY_AMENDMENTS_EFFECTIVE.isoformat()}, the effective date of the daily computation "
                           "amendments (Release 34-102022): no 2% reduction for daily computation yet; 3% applied",
                           None, "", None, Severity.REVIEW))
        return out
    if p.daily_basis is None and alternative:
        out.append(Finding("Rule 15c3-1(a)(1)(ii)(A)", "customer", "frequency is daily but daily_basis is not stated "
                           "(required under Rule 15c3-3(e)(3)(i)(B)(1), or voluntary under (e)(3)(v) with the date of "
                           "the written notice): the 2% reduction is applied, which gives the lower requirement; "
                           "state daily_basis to put the firm's entitlement on record", None, "", None, Severity.REVIEW))
    required_stated = p.daily_basis == "required" or (p.daily_basis == "voluntary" and _daily_required_by_credits(p))
    if required_stated and p.as_of < DAILY_COMPLIANCE_DATE and alternative:
        start = voluntary_daily_start(p)
        if start is None or p.as_of < start:
            out.append(Finding("Rule 15c3-3(e)(3)(v)", "customer", f"daily computation is not required before "
                               f"{DAILY_COMPLIANCE_DATE.isoformat()} (the compliance date, Release 34-103320): until "
                               "then the firm computes daily by choice, and takes the 2% reduction only from 30 calendar "
                               "days after its written notice to the designated examining authority ("
                               + (f"notice of {p.daily_notice_date}: from {start}" if start else "daily_notice_date not given")
                               + "); 3% applied", None, "", None, Severity.REVIEW))
    elif p.daily_basis == "voluntary" and _daily_required_by_credits(p):
        out.append(Finding("Rule 15c3-3(e)(3)(i)(B)(1)", "", "daily_basis is voluntary, but average total credits of "
                           f"{money.format_display(p.average_total_credits or 0)} reach $500 million: daily computation is "
                           "required, and the 2% reduction applies", p.average_total_credits, "", None, Severity.REVIEW))
    elif p.daily_basis == "voluntary" and alternative:
        start = voluntary_daily_start(p)
        if start is not None and p.as_of < start:
            out.append(Finding("Rule 15c3-3(e)(3)(v)", "customer", f"voluntary daily computation: the 2% reduction "
                               f"applies from {start}, 30 calendar days after the written notice of "
                               f"{p.daily_notice_date} to the designated examining authority; until then 3%",
                               None, "", None, Severity.REVIEW))
    return out


def frequency_findings(p: Params, cal: BusinessCalendar, cust: Computation, pab: Computation) -> list[Finding]:
    out = _daily_findings(p)
    if not cal.is_business_day(p.as_of):
        out.append(Finding("Rule 15c3-3(e)(3)", "", f"as_of {p.as_of} is not a business day "
                           f"({cal.holiday_name(p.as_of) or p.as_of.strftime('%A')}); accepted (e.g. a year-end computation)",
                           None, "", None, Severity.REVIEW))
    if p.frequency == "daily":
        why = cal.non_computation_reason(p.as_of)  # (reading: daily_non_computation)
        if why:
            out.append(Finding("SEC staff FAQ 2025-12-08 Q6", "", f"as_of {p.as_of} is a day a daily filer need not compute: {why}",
                               None, "", None, Severity.INFO))
    if p.frequency == "monthly" and not _last_business_day_of_month(cal, p.as_of):
        out.append(Finding("Rule 15c3-3(e)(3)(i)(C)", "", f"monthly computation is made as of the close of the last business "
                           f"day of the month; as_of {p.as_of} is not", None, "", None, Severity.REVIEW))
    if p.frequency == "monthly" and (cust.total_credits or cust.aggregate_debits):
        out.append(Finding("Rule 15c3-3(e)(3)(iii)", "pab", "the PAB computation may be monthly only for a firm that "
                           "carries no customer accounts and conducts no proprietary trading business; this book has "
                           "customer balances, so the PAB computation is due weekly", None, "", None, Severity.REVIEW))
    if p.frequency == "monthly" and cust.total_credits > MONTHLY_CREDIT_LIMIT:
        out.append(Finding("Rule 15c3-3(e)(3)(i)(C)", "customer", "monthly computation is allowed only with aggregate customer "
                           f"funds of $1,000,000 or less; customer credits are {money.format_display(cust.total_credits)}",
                           cust.total_credits, "", None, Severity.SEVERE))
    total = cust.total_credits + pab.total_credits
    if p.frequency != "daily" and total >= DAILY_THRESHOLD:
        out.append(Finding("Rule 15c3-3(e)(3)(i)(B)(1)", "", f"customer + PAB total credits are {money.format_display(total)} "
                           "(at least $500 million): if average total credits are at that level, daily computation is required",
                           total, "", None, Severity.REVIEW))
    if p.average_total_credits is not None:
        required = p.average_total_credits >= DAILY_THRESHOLD
        # Release 34-103320: the required daily computation's compliance date is 2026-06-30; before it
        # the requirement is coming (a review finding), not yet in force
        early = p.as_of < DAILY_COMPLIANCE_DATE
        when = (f"is required from {DAILY_COMPLIANCE_DATE.isoformat()} (the compliance date, Release 34-103320), "
                "within six months of crossing $500 million" if early
                else "IS required (within six months of crossing $500 million)")
        msg = (f"average total credits {money.format_display(p.average_total_credits)}: daily computation "
               + (when if required else "is not required"))
        severity = (Severity.INFO if not required or p.frequency == "daily"
                    else Severity.REVIEW if early else Severity.SEVERE)
        out.append(Finding("Rule 15c3-3(e)(3)(i)(B)(1)", "", msg, p.average_total_credits, "", None, severity))
    return out


def _last_business_day_of_month(cal: BusinessCalendar, d: date) -> bool:
    nxt = cal.next_business_day(d)
    return cal.is_business_day(d) and nxt.month != d.month


def line_sums(disp: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(computation, line) -> sum of the amounts, exact in int64, on the categorical codes
    (np.add.at over tens of millions of records, no hash table)."""
    comp, line = disp["computation"].array, disp["line"].array
    n_line = len(line.categories)
    n = len(comp.categories) * n_line
    # the key in the smallest integer that holds it (issue 13: an int64 key of 20 million
    # records was 160 MB of fresh memory, most of the function's time)
    width = np.int16 if n < 2**15 else np.int32 if n < 2**31 else np.int64
    code = comp.codes.astype(width) * width(n_line) + line.codes.astype(width)
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, code, disp["amount"].to_numpy(dtype=np.int64))
    seen = np.zeros(n, dtype=np.int64)
    np.add.at(seen, code, 1)
    return {(str(comp.categories[c // n_line]), str(line.categories[c % n_line])): int(out[c])
            for c in np.flatnonzero(seen > 0)}


def row_counts(book: BookData, disp: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per table: rows in, used (a primary disposition to a line), excluded."""
    table = disp["table"].array
    primary = disp["primary"].to_numpy(dtype=bool)
    excluded = (disp["line"] == "excluded").to_numpy(dtype=bool)
    n_cat = len(table.categories)
    used_n = np.bincount(table.codes[primary & ~excluded], minlength=n_cat)
    excl_n = np.bincount(table.codes[primary & excluded], minlength=n_cat)
    where = {str(c): i for i, c in enumerate(table.categories)}
    out: dict[str, dict[str, int]] = {}
    for name, frame in book.tables.items():
        i = where.get(name)
        out[name] = {"rows": len(frame), "used": int(used_n[i]) if i is not None else 0,
                     "excluded": int(excl_n[i]) if i is not None else 0}
    return out


def default_findings(book: BookData) -> list[Finding]:
    """Issue 10: a default that can favour the firm, leaned on by rows where it matters, is a
    review finding, one per table listing each such column (the columns whose default would
    decide a condition of the rule are required instead: accounts.type, cca_requirements.basis,
    cca_deposits.cca_account and delivered_by_firm, reserve_bank_accounts.bank_affiliated)."""
    by_table: dict[str, list[DefaultUsed]] = {}
    for d in book.defaults_used:
        if d.get("favourable"):
            by_table.setdefault(d["table"], []).append(d)
    out: list[Finding] = []
    for table, used in by_table.items():
        rules = sorted({d["favourable"].split(":", 1)[0] for d in used})
        parts = []
        for d in used:
            how = "column not in the book" if d["omitted"] else "blank"
            parts.append(f"{d['column']} taken as {d['default']} on {d['favourable_rows']:,} row(s) ({how}: "
                         f"{d['favourable'].split(':', 1)[-1].strip()})")
        # The id is of these columns *and counts* (Finding.identity): a review accepting the
        # finding accepts these rows; a row more (a blank added, a file without the column) is
        # another finding, never silently covered by that review (hostile walk-through).
        identity = "; ".join(f"{d['column']}={d['favourable_rows']}" for d in used)
        out.append(Finding("; ".join(rules), "", f"{table}: defaults that can favour the firm were used where they "
                           f"matter: {'; '.join(parts)}. State these columns to remove this finding (a review "
                           "accepting it covers these counts of rows only).",
                           None, "", None, Severity.REVIEW, identity))
    return out


def default_assumptions(book: BookData) -> list[dict[str, str]]:
    """Every default the book leaned on, listed with the reports' assumptions (issue 10)."""
    out: list[dict[str, str]] = []
    for d in book.defaults_used:
        how = "column not in the book: every row" if d["omitted"] else f"{d['rows']:,} blank cell(s)"
        out.append({"key": f"default:{d['table']}.{d['column']}", "rule": "Book format default",
                    "reading": f"{d['table']}.{d['column']} taken as {d['default']} ({how})"
                               + (f"; favours the firm on {d['favourable_rows']:,} row(s): {d['favourable']}"
                                  if d.get("favourable") else "")})
    return out
