"""The credits of Exhibit A: Items 1-9 with Notes A-D, and the FOCUS "Other credits".

  Item 1   credit balances in customers' accounts: `item_1_credit_balances` (accounts, with
           the Note E(2) increase of an omnibus credit) and `note_a_drafts_and_checks` (items);
           less `new_issue_exclusion` (Rule 15c3-1(a)(1)(ii)(C));
  Item 2   monies borrowed collateralized by customers' securities: `item_2_bank_loans`, and
           Note B: `note_b_letters_of_credit`; Note B's customers' securities at a qualified
           clearing agency are Item 2 credits written by Note H (note_h.py);
  Item 3   `item_3_securities_loaned` (Note C);
  Item 4   `item_4_fails_to_receive` (Note D);
  Items 5-9  `item_5_principal_sales`, `item_6_stock_dividends`, `item_7_short_security_count`,
           `item_8_suspense_shorts`, `item_9_transfers_unconfirmed`;
  other credits: `other_credits`.
Where a Note's treatment depends on a condition the row does not state, the treatment that
favours the firm is not given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import money
from .clearing_groups import clearing_groups, disagreeing
from .inputs import Bools
from .item_rows import ItemRows, money_column, texts
from .model import (
    CREDIT_LINES,
    LINES_BY_KEY,
    MAX_LISTED,
    Finding,
    LineKey,
    Outcome,
    Severity,
    choose,
    dispositions,
    more_than_listed,
)
from .note_e import note_e2_deficit_less_calls
from .scope import AccountScope

NEW_ISSUE_DAYS = 3  # Rule 15c3-1(a)(1)(ii)(C): "for 3 business days"
NEW_ISSUE_SECURITIES = ("us_government_agency", "municipal")  # Rule 15c3-1(c)(2)(vi)(A), (E)


def item_1_credit_balances(s: AccountScope) -> Outcome:
    """Item 1: free credit balances and other credit balances in customers' accounts. Note
    E(2): an omnibus credit "must be increased" by the deficit less calls (reading: e2_omnibus).
    A zero balance is excluded, nothing to include (reading: zero_balances)."""
    out = Outcome()
    acc, rows, bal, book_col, live = s.acc, s.rows, s.bal, s.book_col, s.live
    omni = (acc["type"] == "omnibus").to_numpy(dtype=bool)
    e2 = note_e2_deficit_less_calls(acc)
    credit = live & (bal > 0)
    omni_credit_side = live & omni & (bal >= 0) & (e2 > 0)
    c_rows = credit | omni_credit_side
    amt1 = np.where(omni_credit_side, bal + e2, bal)
    e2_side = omni_credit_side[c_rows]
    out.frames.append(dispositions("accounts", rows[c_rows], book_col[c_rows], "item_1", amt1[c_rows],
                                   choose(len(e2_side), "Item 1", (e2_side, "Item 1; Note E(2)")),
                                   choose(len(e2_side), "credit balance",
                                          (e2_side, "omnibus credit balance increased by deficit less calls (Note E(2))"))))
    zero = live & (bal == 0) & ~omni_credit_side  # (reading: zero_balances)
    out.frames.append(dispositions("accounts", rows[zero], book_col[zero], "excluded", 0, "Items 1 and 10",
                                   "zero balance: nothing to include"))
    return out


def note_a_drafts_and_checks(ir: ItemRows) -> Outcome:
    """Note A: drafts payable applied against credit balances, and checks drawn in excess of
    bank balances per the firm's records, are both in Item 1."""
    out = Outcome()
    ir.add(out, ir.k("drafts_payable"), "item_1", ir.amount, "Item 1; Note A", "outstanding draft payable to a customer")
    ir.add(out, ir.k("checks_drawn_in_excess"), "item_1", ir.amount, "Item 1; Note A",
           "checks drawn in excess of bank balances per the records of the broker or dealer")
    return out


def item_2_bank_loans(ir: ItemRows) -> Outcome:
    """Item 2: monies borrowed collateralized by securities carried for the accounts of customers."""
    out = Outcome()
    ir.add(out, ir.k("bank_loan"), "item_2", ir.amount, "Item 2", "monies borrowed collateralized by customers' securities")
    return out


def note_b_letters_of_credit(ir: ItemRows) -> Outcome:
    """Note B: letters of credit collateralized by customers' securities are Item 2 credits --
    the options- or security-futures-related ones "to the extent of the member's margin
    requirement" at the clearing organization (first sentence: capped once per organization),
    those related to portfolio-margined futures in full (second sentence)
    (reading: note_b_letters_of_credit)."""
    out = Outcome()
    amount, req = ir.amount, ir.req
    ir.add(out, ir.k("letter_of_credit_portfolio_margin"), "item_2", amount, "Item 2; Note B",
           "letter of credit collateralized by customers' securities related to futures carried in a securities account "
           "under an SRO portfolio margining rule (Note B, second sentence: not capped)")
    loc = ir.k("letter_of_credit")
    if not loc.any():
        return out
    org = texts(ir.it, "clearing_org_id")
    named = loc & (org != None)  # noqa: E711 (object array of ids and None)
    unnamed = loc & ~named
    # Rows that name no clearing organization: each capped at the requirement it states (the
    # format's first reading, and the larger credit: rows that might be one organization's are
    # not capped together).
    ir.add(out, unnamed, "item_2", np.minimum(amount, req), "Item 2; Note B",
           np.where(amount > req, "letter of credit to the extent of the margin requirement", "letter of credit"))
    if not named.any():
        return out
    g = clearing_groups(ir.it, named, org, amount, req, ir.ids, named_cap="largest")
    ir.add(out, named, "item_2", g.alloc, "Item 2; Note B", g.reason_credit)
    disagreeing(g, out.findings, ir.comp, "Note B", "letters of credit", "the largest (the larger credit) is used")
    return out


def item_3_securities_loaned(ir: ItemRows) -> Outcome:
    """Item 3 with Note C: monies payable against securities loaned, plus the excess of the
    market value of the securities loaned over the collateral value received (reading: note_c)."""
    out = Outcome()
    it, amount, mv = ir.it, ir.amount, ir.mv
    cv = amount
    if "collateral_value" in it.columns:  # blank: the collateral received is the amount (cash)
        cv = np.where(it["collateral_value"].isna().to_numpy(dtype=bool), amount, money_column(it, "collateral_value"))
    excess_mv = np.maximum(mv - cv, 0)
    ir.add(out, ir.k("securities_loaned"), "item_3", amount + excess_mv, "Item 3; Note C",
           np.where(excess_mv > 0,
                    np.where(cv != amount, "monies payable plus the market value in excess of the collateral value "
                             "received (Note C)", "collateral received plus market value in excess of it (Note C)"),
                    np.where(cv != amount, "monies payable against securities loaned (collateral value received covers "
                             "the market value)", "collateral received for securities loaned")))
    return out


def item_4_fails_to_receive(ir: ItemRows) -> Outcome:
    """Item 4 with Note D: customers' securities failed to receive; over 30 calendar days, add
    the excess of market value over contract value."""
    out = Outcome()
    amount, mv, age = ir.amount, ir.mv, ir.age
    ftr = ir.k("fail_to_receive")
    old = ftr & ir.over_30
    ir.add(out, ftr, "item_4", amount + np.where(old, np.maximum(mv - amount, 0), 0), "Item 4; Note D",
           np.where(old & (mv > amount), "fail to receive over 30 calendar days: contract value plus market value in "
                    "excess (Note D)", "fail to receive at contract value"))
    ir.listed(out, old & ir.has_date, "Note D", lambda r: f"fail to receive {age[r]} calendar days old",
              np.maximum(mv - amount, 0))
    return out


def item_5_principal_sales(ir: ItemRows) -> Outcome:
    """Item 5: credit balances in firm accounts attributable to principal sales to customers."""
    out = Outcome()
    ir.add(out, ir.k("principal_sale_credit"), "item_5", ir.amount, "Item 5",
           "credit balance in a firm account attributable to a principal sale to a customer")
    return out


def _aged_line(ir: ItemRows, name: str, line: str, rule: str, old_mask: Bools, old_words: str) -> Outcome:
    """Market value of the rows of `name` older than the rule's age; the younger ones excluded."""
    out = Outcome()
    m = ir.k(name)
    ir.add(out, m & old_mask, line, ir.mv, rule, f"market value, {old_words}")
    ir.add(out, m & ~old_mask, "excluded", 0, rule, f"not yet {old_words}")
    age = ir.age
    ir.listed(out, m & old_mask & ir.has_date, rule,
              lambda r: f"{name.replace('_', ' ')} {old_words} ({age[r]} calendar days)", ir.mv)
    return out


def item_6_stock_dividends(ir: ItemRows) -> Outcome:
    """Item 6: stock dividends, stock splits and similar distributions receivable outstanding
    over 30 calendar days."""
    return _aged_line(ir, "stock_dividend_receivable", "item_6", "Item 6", ir.over_30, "outstanding over 30 calendar days")


def _items_7_8_age(ir: ItemRows) -> tuple[Bools, str]:
    """Items 7 and 8: over 30 calendar days; for an alternative-method firm more than 7
    business days (Rule 15c3-1(a)(1)(ii)(B); reading: items_7_8_alternative)."""
    if ir.params.net_capital_method == "alternative":
        return ir.no_date | (ir.bd_age > 7), "more than 7 business days old (Rule 15c3-1(a)(1)(ii)(B), alternative method)"
    return ir.over_30, "over 30 calendar days"


def item_7_short_security_count(ir: ItemRows) -> Outcome:
    """Item 7: short security count differences over 30 calendar days old (7 business days,
    alternative method)."""
    aged, words = _items_7_8_age(ir)
    return _aged_line(ir, "short_count_difference", "item_7", "Item 7", aged, words)


def item_8_suspense_shorts(ir: ItemRows) -> Outcome:
    """Item 8: short securities and credits in suspense accounts over 30 calendar days (7
    business days, alternative method)."""
    aged, words = _items_7_8_age(ir)
    return _aged_line(ir, "suspense_short", "item_8", "Item 8", aged, words)


def item_9_transfers_unconfirmed(ir: ItemRows) -> Outcome:
    """Item 9: securities in transfer over 40 calendar days not confirmed by the transfer agent
    or the issuer."""
    out = Outcome()
    tu = ir.k("transfer_unconfirmed")
    confirmed = ir.it["confirmed"].to_numpy(dtype=bool)
    over_40 = ir.no_date | (ir.age > 40)
    ir.add(out, tu & over_40 & ~confirmed, "item_9", ir.mv, "Item 9", "in transfer over 40 calendar days, not confirmed")
    ir.add(out, tu & over_40 & confirmed, "excluded", 0, "Item 9",
           "confirmed to be in transfer by the transfer agent or issuer")
    ir.add(out, tu & ~over_40, "excluded", 0, "Item 9", "in transfer 40 calendar days or less")
    return out


def other_credits(ir: ItemRows) -> Outcome:
    """FOCUS "Other credits" (box 4425)."""
    out = Outcome()
    ir.add(out, ir.k("other_credit"), "other_credits", ir.amount, "FOCUS Other credits (box 4425)",
           ir.it["description"].fillna("").to_numpy(dtype=object))
    return out


def sweep_next_day(ir: ItemRows) -> Outcome:
    """SEC staff FAQ 2025-12-08 Q5: credits moving to a bank sweep program the next business
    day reduce the deposit needed, never justify a withdrawal (reading: sweep)."""
    out = Outcome()
    ir.add(out, ir.k("sweep_next_day"), "sweep", ir.amount, "SEC staff FAQ 2025-12-08 Q5",
           "credits moving to a bank sweep program on the next business day: reduce the deposit needed, never justify a "
           "withdrawal (reading: sweep)")
    return out


def new_issue_exclusion(ir: ItemRows) -> Outcome:
    """Rule 15c3-1(a)(1)(ii)(C): an alternative-method firm excludes credit balances in accounts
    representing amounts payable for U.S. government or agency and municipal securities not yet
    received from the issuer or its agent, and any related debit items, for 3 business days
    (reading: new_issue_exclusion)."""
    out = Outcome()
    m = ir.k("new_issue_not_received")
    if not m.any():
        return out
    amount, bd_age, has_date, ids = ir.amount, ir.bd_age, ir.has_date, ir.ids
    sec = texts(ir.it, "security_type")
    related = money_column(ir.it, "related_debit")
    eligible_sec = np.isin(sec, NEW_ISSUE_SECURITIES)
    young = has_date & (bd_age <= NEW_ISSUE_DAYS)
    alternative = ir.params.net_capital_method == "alternative"
    ok = m & eligible_sec & young & alternative
    rule = "Rule 15c3-1(a)(1)(ii)(C)"
    ir.add(out, ok, "item_1", -amount, rule, "credit balance payable for securities not yet received from the issuer or "
           "its agent, within 3 business days: excluded from credits")
    ir.add(out, ok & (related != 0), "item_10", -related, rule,
           "related debit items excluded with the new-issue credit balance", primary=False)
    why = np.where(np.full(len(ir), not alternative), "the exclusion is for the alternative method",
                   np.where(~eligible_sec, "the securities are not U.S. government or agency or municipal securities "
                            "(Rule 15c3-1(c)(2)(vi)(A), (E))",
                            np.where(~has_date, "no open_date: whether it is within 3 business days is not shown",
                                     "outstanding more than 3 business days")))
    ir.add(out, m & ~ok, "excluded", 0, rule, "new-issue credit balance and related debits stay in the formula: " + why)
    ir.listed(out, ok, rule, lambda r: f"new-issue credit balance {ids[r]} excluded for 3 business days "
              f"({int(bd_age[r])} business day(s) old), with {money.format_display(int(related[r]))} of related debits",
              amount, Severity.INFO)
    return out


def reductions_within_credits(disp: pd.DataFrame, item_ids: pd.Series) -> tuple[pd.DataFrame, list[Finding]]:
    """A credit line (Items 1-9) whose reductions take it below zero: none of the reductions is
    taken (reading: credit_reductions_bound). Each reduction the book gives -- Rule 15c3-1(a)(1)(ii)(C)'s
    new issues off Item 1, PAB Notes 5, 6 and 8 off PAB Items 1 and 2 -- excludes an amount
    that is part of the credits of its line, so together they cannot exceed them: a line below
    zero says the rows are wrong, and taking them would be a negative credit (a debit the rule
    does not give; hostile walk-through: a PAB Note 6 exclusion of 20,000,000.00 took PAB Item 1 to
    -14,690,000.00 and the PAB requirement from 435,000.00 to 0). Read conservatively, the
    line keeps its credits before the reductions, each reduction row is excluded with that reason,
    and a severe finding names the line and a review finding each row. `disp` is the assembled
    disposition frame (changed in place: its rows keep their positions); `item_ids` the items
    table's item_id, by row."""
    findings: list[Finding] = []
    if not len(disp):
        return disp, findings
    # compared on the categoricals (a handful of categories), never as millions of strings
    comp, line = disp["computation"].array, disp["line"].array
    amount = disp["amount"].to_numpy(dtype=np.int64)
    from_items = np.asarray(disp["table"].array == "items", dtype=bool)
    credit = np.asarray(line.isin(CREDIT_LINES), dtype=bool)
    moved = np.zeros(len(disp), dtype=bool)
    reason = ("not taken: the reductions of this line exceed its credits, which they are part of "
              "(a negative credit line); the line keeps its credits before them -- check the row")
    n_line = max(len(line.categories), 1)
    pair_codes = np.unique(np.asarray(comp.codes, dtype=np.int64)[credit] * n_line + np.asarray(line.codes)[credit])
    pairs = {(str(comp.categories[k // n_line]), str(line.categories[k % n_line])) for k in pair_codes.tolist()}
    for c, ln in sorted(pairs):
        here = credit & np.asarray(comp == c, dtype=bool) & np.asarray(line == ln, dtype=bool)
        total = int(amount[here].sum())
        if total >= 0:
            continue
        cut = here & from_items & (amount < 0)
        if not cut.any():
            continue
        gross = total - int(amount[cut].sum())
        label = f"{'PAB' if c == 'pab' else 'customer'} Item {LINES_BY_KEY[LineKey(ln)].number}"
        rows = np.flatnonzero(cut)
        findings.append(Finding("Exhibit A (credits)", c, f"{label} is {money.format_display(total)} after the "
                                f"reductions of {len(rows)} items row(s) ({money.format_display(-int(amount[cut].sum()))}) "
                                f"against credits of {money.format_display(gross)}: a reduction is part of the credits "
                                "it reduces, so together they cannot exceed them; none of them is taken (the line is "
                                f"{money.format_display(gross)}): check the rows", -total, "items",
                                int(disp["row"].iloc[rows[0]]), Severity.SEVERE))
        for i in rows[:MAX_LISTED]:
            r = int(disp["row"].iloc[i])
            findings.append(Finding("Exhibit A (credits)", c, f"{item_ids.iloc[r]}: a reduction of {label} of "
                                    f"{money.format_display(-int(amount[i]))} not taken ({label} below zero with it)",
                                    -int(amount[i]), "items", r, Severity.REVIEW))
        more_than_listed(len(rows), findings, "Exhibit A (credits)", c, "items")
        moved |= cut
    if moved.any():
        for col, value in (("line", "excluded"), ("reason", reason)):
            cat = disp[col].array
            if value not in cat.categories:
                disp[col] = cat.add_categories([value])
            disp.loc[moved, col] = value
        disp.loc[moved, "amount"] = 0
    return disp, findings
