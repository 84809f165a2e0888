"""Item 15 and Note H: margin required and on deposit at a qualified clearing agency for
customers' cleared U.S. Treasury positions -- customer by customer -- and Note B's last
sentence (customers' securities at a qualified clearing agency are an Item 2 credit).

Reads the tables `cca`, `cca_requirements`, `cca_requirement_increments`, `cca_deposits`
(and `accounts` for who owns what; `NoteHInputs`). For every (cca_id, account_id) with a
requirement or a deposit, `apply_note_h` applies, in the order of the rule:

  1. `cca`: the clearing agency test (Note H(a), (b)(2), (b)(3)), one row of `cca`: the
     agency's own conditions, and those of the firm's clearing account for the computation
     of the account -- the customers' account, or the PAB accounts' account (PAB Note 1);
  2. `requirements`: the requirement rows that count (Note H(a)(2), (b)(2)(i), with the
     account structure);
  3. `deposits`: the deposits that are eligible (Note H(a)(1), (b)(1), (b)(2)(iii)), with
     `allocation.firm_treasuries_stop_gap` for the conditions (A)-(C) of Note H(b)(1)(iii),
     per increment of the requirement, and the cap of customer cash at the cash the firm
     owes that customer (Note H(b)(1)(i));
  4. `allocation`: Item 15 = min(requirement counted, eligible deposits), allocated to
     deposit rows.

Independently of the (b) conditions, every customer-owned deposit that is a security at a
qualified clearing agency is an Item 2 credit (Note B; `deposits.customer_securities_item_2`).
Whether each Item 15 debit keeps its matching credit (customer cash in Item 1, customer
securities in Item 2) is checked on the final dispositions by `pairing.pairing_findings`.

Disposition lines written here: ``item_15`` (debit), ``item_2`` (credit), ``note_h_test``
(a row used only as evidence: `cca` rows, counted requirement rows, increments; amount 0)
and ``excluded``. Every row of the four tables gets exactly one primary record.

The readings of open wording this package relies on are declared in the one registry,
`reserve.formula.readings.READINGS` (its Note H block), so the report lists them among its
assumptions; the code that applies one cites it as ``(reading: <key>)``.
"""

from __future__ import annotations

from ...calendar import BusinessCalendar
from .. import model
from ..inputs import BookData
from ..model import FailedCondition, NoteHEntry, PendingDeposit
from . import allocation, deposits, failures
from .accounts import account_facts
from .cca import cca_dispositions, cca_findings, cca_test, where_used
from .failures import Table
from .inputs import NoteHInputs
from .outcome import NoteHOutcome, entries
from .pairing import pairing_findings
from .requirements import requirement_dispositions, requirements_counted

__all__ = ["FailedCondition", "NoteHEntry", "NoteHInputs", "NoteHOutcome", "PendingDeposit", "apply_note_h", "note_h",
           "pairing_findings"]

_TABLE_ORDER = {"cca": 0, "cca_requirements": 1, "cca_requirement_increments": 2, "cca_deposits": 3}


def note_h(book: BookData, cal: BusinessCalendar) -> NoteHOutcome:
    """Item 15 and Note H (and Note B's Item 2 credit) on a loaded book."""
    return apply_note_h(NoteHInputs.from_book(book, cal))


def apply_note_h(inputs: NoteHInputs) -> NoteHOutcome:
    """Item 15: Note H(a), (b), (c) and Note B's last sentence, in the order of the rule."""
    x = inputs
    accts = account_facts(x.accounts, x.requirements, x.deposits, x.cross_margin_outside)
    test = cca_test(x.cca, x.firm_name, x.as_of)  # Note H(a), (b)(2), (b)(3)
    req = requirements_counted(x.requirements, accts.attrs, test.agencies)  # Note H(a)(2), (b)(2)(i)
    r = req.rows

    # Note H(a)(1), (a)(2), (b)(1), (b)(2)(iii): each deposit's conditions, then (A)-(C) of
    # Note H(b)(1)(iii) for firm-owned Treasuries, numbered in that order.
    increments = allocation.increments_table(x.increments)
    d = deposits.deposit_rows(x.deposits, accts.attrs, test.agencies)
    d = allocation.stop_gap_facts(d, x.deposits, increments, x.calendar)
    table = Table("cca_deposits", 2, "deposit_id", deposits.label)
    conditions = deposits.deposit_conditions(d)
    stop_gap = allocation.firm_treasuries_stop_gap(d, x.prepared_on)
    dep_fail = failures.failed(d, conditions, table)
    abc_fail = failures.failed(d, stop_gap.checks, table, first_cond=len(conditions))
    failed_any = failures.failed_rows(len(d), failures.concat([dep_fail, abc_fail]))
    pending, counts = allocation.pending_and_counted(stop_gap.cure_pending, failed_any,
                                                     d["cca_ok"].to_numpy(dtype=bool), x.include_pending)
    d, cap = deposits.customer_cash_cap(d, counts, accts.cash_owed, r)  # Note H(b)(1)(i)
    cap_fail = failures.failed(d, [cap], table, first_cond=len(conditions) + len(stop_gap.checks))
    dep_fail = failures.concat([dep_fail, abc_fail, cap_fail])

    # Note H(a): "margin required and on deposit", per customer account at each clearing agency.
    e = allocation.margin_required_and_on_deposit(r, d, pending, test.agencies, accts.attrs)
    d, used = allocation.allocate(d, e)

    test = where_used(test, r, d)
    dispositions = model.concat_dispositions([
        cca_dispositions(test.agencies),
        requirement_dispositions(r),
        allocation.increment_dispositions(increments, accts.attrs, d, abc_fail, stop_gap.cure_pending),
        deposits.deposit_dispositions(d, used, pending, x.include_pending, stop_gap.cure_pending, dep_fail),
    ])
    dispositions = (dispositions.assign(_t=dispositions["table"].map(_TABLE_ORDER), _p=~dispositions["primary"])
                    .sort_values(["_t", "row", "_p"], kind="mergesort").drop(columns=["_t", "_p"])
                    .reset_index(drop=True))

    pend = allocation.pending_deposits(d, pending)
    findings = (cca_findings(test.agencies, test.failures, r)
                + failures.condition_findings(req.failures, "cca_requirements")
                + failures.condition_findings(dep_fail, "cca_deposits")
                + allocation.pending_cure_findings(pend, x.include_pending, x.prepared_on)
                + allocation.excess_findings(e)
                + deposits.other_asset_findings(d))
    return NoteHOutcome(dispositions, entries(e, test.failures, req.failures, dep_fail, pend), findings)
