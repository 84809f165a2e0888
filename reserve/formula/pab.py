"""The PAB Notes: Exhibit A applied to the PAB accounts (Rule 15c3-3(a)(16)), with its changes.

  PAB Note 1  the formula's Items and Notes read "PAB accounts" for "customers": the same
              rule functions run on the PAB rows (computation.computations);
  PAB Note 2  a row is a credit in one computation only: `pab_note_2_one_computation`;
  PAB Note 3  no Note E(1) test: `pab_note_3_no_concentration_test`;
  PAB Note 4  no Note E(3) reduction: `pab_note_4_no_reduction`;
  PAB Note 5  receivables and clearing deposits of other broker-dealers: `pab_note_5_receivables`;
  PAB Note 6  cross-margin and CFTC-segregated balances: `pab_note_6_cross_margin`;
  PAB Note 7  deposits before a pending settlement: `pab_note_7_pending_settlement` (and the
              separate PAB reserve account: reserve_bank.pab_note_7_held_deposits);
  PAB Note 8  sweeps to money market funds: `pab_note_8_sweeps`;
  PAB Note 9  clearing deposits as PAB debits: `pab_note_9_clearing_deposits`;
  PAB Note 10 accounts cleared through an affiliate or a third party: in the `accounts` table
              with book pab (the book format; see the registry).
Where a Note's treatment depends on a condition the row does not state, the treatment that
favours the firm is not given.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..calendar import BusinessCalendar
from .inputs import Bools, Ints, Texts
from .item_rows import ItemRows, bools, dates, texts
from .model import Outcome, dispositions, text_values

NOTE7_SINGLE = 500_000_000  # $5,000,000 for any single transaction (PAB Note 7)
NOTE7_AGGREGATE = 1_000_000_000  # $10,000,000 in aggregate
PAB_NOTE_4 = "PAB Note 4: no reduction in the PAB computation"


def pab_note_2_one_computation(acc: pd.DataFrame) -> tuple[Bools, Bools]:
    """PAB Note 2: each row is in exactly one computation, by its book -- a credit in the
    customer computation is never also a PAB credit (reading: pab_note2). Enums arrive as
    categoricals: their codes are compared, never a Python string per row. Returns the
    customer rows and the PAB rows."""
    is_customer: Bools = (acc["book"] == "customer").to_numpy(dtype=bool)
    is_pab: Bools = (acc["book"] == "pab").to_numpy(dtype=bool)
    return is_customer, is_pab


def pab_note_3_no_concentration_test(collateral_rows: Ints) -> pd.DataFrame:
    """PAB Note 3: Note E(1) does not apply to the PAB computation; the collateral of PAB
    accounts is excluded from the test (called by note_e.note_e1_concentration)."""
    return dispositions("collateral", collateral_rows, "pab", "excluded", 0, "PAB Note 3",
                        "Note E(1) does not apply to the PAB computation")


def pab_note_4_no_reduction() -> tuple[int, str]:
    """PAB Note 4: Note E(3) -- and the percentage reduction of the alternative method -- does
    not apply to the PAB computation (reading: reduction)."""
    return 0, PAB_NOTE_4


def pab_note_5_receivables(ir: ItemRows) -> Outcome:
    """PAB Note 5, second sentence: receivables of another broker-dealer that are non-allowable
    assets may be PAB credit balances if subject to immediate cash payment; its clearing
    deposits if subject to payment within 30 days. A condition not stated keeps the credit (a
    blank never drops a credit); one stated not met leaves it out. First sentence: allowable-
    asset receivables need not be included, "provided the amounts have been clearly identified
    as payables on the books" (reading: pab_note5)."""
    out = Outcome()
    amount, ids = ir.amount, ir.ids
    terms = texts(ir.it, "payment_terms")
    for name, ok_terms, cond in (("pab_note5_credit", ("immediate",), "subject to immediate cash payment"),
                                 ("pab_note5_clearing_deposit", ("immediate", "within_30_days"),
                                  "subject to payment within 30 days")):
        m = ir.k(name)
        if not m.any():
            continue
        met = m & np.isin(terms, ok_terms)
        unstated = m & (terms == None)  # noqa: E711
        not_met = m & ~met & ~unstated
        what = "receivable of another broker-dealer" if name == "pab_note5_credit" else "clearing deposit of another broker-dealer"
        ir.add(out, met, "item_1", amount, "PAB Note 5", f"{what}, {cond}: included as a credit balance")
        ir.add(out, unstated, "item_1", amount, "PAB Note 5", f"{what} included as a credit balance; whether it is {cond} "
               "is not stated (kept: the higher requirement)")
        ir.add(out, not_met, "excluded", 0, "PAB Note 5", f"{what} not {cond}: not a credit balance for the PAB computation")
        ir.listed(out, unstated, "PAB Note 5", _unstated_terms(ids, what, cond), amount)
    m = ir.k("pab_note5_exclusion")
    ok = m & bools(ir.it, "identified_as_payable")
    ir.add(out, ok, "item_1", -amount, "PAB Note 5", "interest, floor brokerage or commissions receivable of another "
           "broker-dealer, an allowable asset, identified as a payable on the books: not included in the PAB computation")
    ir.add(out, m & ~ok, "excluded", 0, "PAB Note 5", "not shown to be identified as a payable on the books: stays in the "
           "PAB computation (no exclusion)")
    ir.listed(out, m & ~ok, "PAB Note 5", lambda r: f"{ids[r]}: identified_as_payable is not true, so the Note 5 "
              "exclusion is not given", amount)
    return out


def _unstated_terms(ids: Texts, what: str, cond: str) -> Callable[[int], str]:
    def message(r: int) -> str:
        return (f"{what} {ids[r]}: payment_terms not stated, so it is not shown to be {cond}; kept as a PAB credit "
                "(the higher requirement)")
    return message


def pab_note_6_cross_margin(ir: ItemRows) -> Outcome:
    """PAB Note 6: credits from PAB securities pledged for intra-day margin calls in an OCC-DCO
    cross-margin account reduce PAB credits only if replaced the following business day; balances
    of a portfolio margin account segregated under CFTC regulations are not included
    (reading: pab_note6)."""
    out = Outcome()
    amount, ids = ir.amount, ir.ids
    m = ir.k("pab_note6_cross_margin")
    ok = m & bools(ir.it, "replaced_next_business_day")
    ir.add(out, ok, "item_2", -amount, "PAB Note 6", "credits from PAB securities pledged for intra-day margin calls in an "
           "OCC-DCO cross-margin account, replaced the following business day with the other clearing corporation's excess "
           "margin: credits reduced")
    ir.add(out, m & ~ok, "excluded", 0, "PAB Note 6", "not shown to be replaced the following business day by the other "
           "clearing corporation's excess margin: credits not reduced")
    ir.listed(out, m & ~ok, "PAB Note 6", lambda r: f"{ids[r]}: replaced_next_business_day is not true, so the Note 6 "
              "reduction is not given", amount)
    ir.add(out, ir.k("pab_note6_cftc_segregated"), "item_1", -amount, "PAB Note 6", "balances of a portfolio margin "
           "account segregated under CFTC regulations: not included in the PAB computation")
    return out


def pab_note_7_pending_settlement(ir: ItemRows, reserve_bank_accounts: pd.DataFrame,
                                  cal: BusinessCalendar) -> tuple[Outcome, dict[str, int]]:
    """PAB Note 7: deposits received before a transaction pending settlement, $5,000,000 or more
    for a single transaction or $10,000,000 in aggregate (one broker-dealer's), excluded from
    PAB credits if placed and maintained in a separate PAB Reserve Bank Account by 12 p.m. ET on
    the following business day (reading: pab_note7). Returns also the deposits excluded, per
    reserve bank account_id holding them: that money does not also count on deposit
    (reading: pab_note7_account)."""
    out = Outcome()
    placed_in: dict[str, int] = {}
    m = ir.k("pab_note7_exclusion")
    if not m.any():
        return out, placed_in
    amount, ids = ir.amount, ir.ids
    n = len(ir)
    size_ok = _note7_size(ir, m)
    acct = texts(ir.it, "reserve_bank_account_id")
    in_separate = _note7_separate_account(acct, reserve_bank_accounts)
    dated, timely, happened = _note7_timing(ir, cal)
    ok = m & size_ok & in_separate & timely & happened
    reasons = [
        (~size_ok, "under $5,000,000 for its transaction and under $10,000,000 for its broker-dealer in aggregate"),
        (~in_separate, "not shown to be in a separate PAB Reserve Bank Account (reserve_bank_account_id naming a PAB "
                       "account with pab_note7_account true)"),
        (~dated, "open_date (received) or placed_on not stated"),
        (dated & ~timely, "not placed by 12 p.m. ET on the business day after it was received"),
        (dated & timely & ~happened, "placed_on is after prepared_on"),
    ]
    why = np.full(n, "", dtype=object)
    for mask, text in reasons:
        why = np.where(m & ~ok & mask, np.where(why == "", text, why + "; " + text), why)
    ir.add(out, ok, "item_1", -amount, "PAB Note 7", "deposit received before a pending transaction, placed in the separate "
           "PAB reserve account by 12 p.m. ET the next business day: excluded from credits")
    ir.add(out, m & ~ok, "excluded", 0, "PAB Note 7", "stays a credit (no exclusion): " + why)
    ir.listed(out, m & ~ok, "PAB Note 7", lambda r: f"{ids[r]}: the Note 7 exclusion is not given: {why[r]}", amount)
    for a, v in zip(acct[ok].tolist(), amount[ok].tolist(), strict=True):
        placed_in[a] = placed_in.get(a, 0) + int(v)
    return out, placed_in


def _note7_size(ir: ItemRows, m: Bools) -> Bools:
    """PAB Note 7's size: $5,000,000 or more for a single transaction (its deposits together),
    or $10,000,000 in aggregate (one broker-dealer's deposits). A row naming neither stands alone."""
    idx = np.flatnonzero(m)
    tx = texts(ir.it, "transaction_id")
    broker = texts(ir.it, "broker_id")
    t = pd.DataFrame({"pos": idx, "amount": ir.amount[idx],
                      "tx": np.where(tx[idx] == None, "\0row" + idx.astype(str).astype(object), tx[idx]),  # noqa: E711
                      "broker": np.where(broker[idx] == None, "\0row" + idx.astype(str).astype(object), broker[idx])})  # noqa: E711
    tx_sum = t.groupby("tx")["amount"].transform("sum").to_numpy(dtype=np.int64)
    broker_sum = t.groupby("broker")["amount"].transform("sum").to_numpy(dtype=np.int64)
    size_ok = np.zeros(len(ir), dtype=bool)
    size_ok[idx] = (tx_sum >= NOTE7_SINGLE) | (broker_sum >= NOTE7_AGGREGATE)
    return size_ok


def _note7_separate_account(acct: Texts, rb: pd.DataFrame) -> Bools:
    """PAB Note 7's separate PAB Reserve Bank Account: the row names a PAB reserve bank
    account marked pab_note7_account."""
    separate_ids: set[str] = set()
    if len(rb) and "pab_note7_account" in rb.columns:
        sep = rb["pab_note7_account"].to_numpy(dtype=bool) & (rb["book"] == "pab").to_numpy(dtype=bool)
        separate_ids = set(text_values(rb["account_id"])[sep].tolist())
    out: Bools = pd.Index(sorted(separate_ids), dtype=object).get_indexer(acct) >= 0
    return out


def _note7_timing(ir: ItemRows, cal: BusinessCalendar) -> tuple[Bools, Bools, Bools]:
    """PAB Note 7's timing: placed by 12 p.m. ET on the business day after the deposit was
    received (open_date). Returns (both dates stated, timely, placed on or before prepared_on)."""
    p, it = ir.params, ir.it
    received = it["open_date"].to_numpy().astype("datetime64[D]")
    placed = dates(it, "placed_on")
    by_noon = bools(it, "placed_by_noon")
    dated = ~np.isnat(received) & ~np.isnat(placed)
    one = np.timedelta64(1, "D")
    safe_r = np.where(dated, received, np.datetime64(p.as_of, "D"))
    safe_p = np.where(dated, placed, np.datetime64(p.as_of, "D"))
    # business days after receipt up to and including the placement day: 0 = before the next
    # business day (any time); 1 with the placement day a business day = on it (by noon only)
    k_after = cal.busday_count(safe_r + one, safe_p + one)
    before_next = dated & (safe_p >= safe_r) & (k_after == 0)
    on_next = dated & (safe_p >= safe_r) & (k_after == 1) & (cal.busday_count(safe_r + one, safe_p) == 0)
    timely = before_next | (on_next & by_noon)
    happened = dated & (safe_p <= np.datetime64(p.prepared_on, "D"))
    return dated, timely, happened


def pab_note_8_sweeps(ir: ItemRows) -> Outcome:
    """PAB Note 8: only credits swept by 10 a.m. ET on the deposit date and free of any right,
    charge, security interest, lien or claim of the investment company or the firm reduce PAB
    credits (reading: pab_note8)."""
    out = Outcome()
    amount, ids = ir.amount, ir.ids
    m = ir.k("pab_note8_sweep")
    by_10 = bools(ir.it, "swept_by_10am")
    free = bools(ir.it, "free_of_liens")
    ok = m & by_10 & free
    ir.add(out, ok, "item_1", -amount, "PAB Note 8",
           "credits swept into money market or mutual funds by 10 a.m. ET on the deposit date, free of liens")
    why = np.where(~by_10 & ~free, "swept_by_10am and free_of_liens are", np.where(~by_10, "swept_by_10am is",
                                                                                    "free_of_liens is"))
    ir.add(out, m & ~ok, "excluded", 0, "PAB Note 8", "not shown to meet PAB Note 8 (" + why + " not true): credits not "
           "reduced")
    ir.listed(out, m & ~ok, "PAB Note 8", lambda r: f"{ids[r]}: {why[r]} not true, so the Note 8 reduction is not given",
              amount)
    return out


def pab_note_9_clearing_deposits(ir: ItemRows) -> Outcome:
    """PAB Note 9: clearing deposits relating to other broker-dealers' proprietary business are
    PAB debits, shown with the other debits (reading: pab_note9_line)."""
    out = Outcome()
    ir.add(out, ir.k("pab_note9_clearing_deposit"), "other_debits", ir.amount, "PAB Note 9",
           "clearing deposit relating to other broker-dealers' proprietary business (reading: pab_note9_line)")
    return out
