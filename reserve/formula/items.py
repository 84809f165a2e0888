"""Items 1-9 and 11-14, the "Other" lines and the PAB Notes, from the `items` table.

One vectorised pass per kind (BOOK_FORMAT.md "Kinds"): each row gets its line and amount,
or its exclusion with the rule that excludes it. Ages are calendar days from open_date to
as_of (Items 4, 6-9, 12), except Items 7 and 8 for an alternative-method firm: more than
7 business days (Rule 15c3-1(a)(1)(ii)(B)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import money
from ..calendar import BusinessCalendar
from .model import Finding, dispositions, text_values

NOTE7_SINGLE = 500_000_000  # $5,000,000 (PAB Note 7)
NOTE7_AGGREGATE = 1_000_000_000  # $10,000,000


def _i64(s: pd.Series) -> np.ndarray:
    return s.fillna(0).to_numpy(dtype=np.int64)


def items(book, cal: BusinessCalendar):
    p = book.params
    it = book.tables["items"]
    frames: list[pd.DataFrame] = []
    findings: list[Finding] = []
    if not len(it):
        return frames, findings
    n = len(it)
    rows = np.arange(n, dtype=np.int64)
    kind = it["kind"].to_numpy(dtype=object)
    comp = it["book"].array  # Categorical: comp[mask] stays categorical, comp[r] is the text
    amount = it["amount"].to_numpy(dtype=np.int64)
    mv = _i64(it["market_value"])
    req = _i64(it["margin_requirement"])
    as_of = np.datetime64(p.as_of, "D")
    od = it["open_date"].to_numpy().astype("datetime64[D]")
    has_date = ~np.isnat(od)
    age = np.where(has_date, (as_of - np.where(has_date, od, as_of)).astype(np.int64), 0)
    if p.net_capital_method == "alternative":
        # business days after open_date up to and including as_of (readings: items_7_8_alternative)
        one = np.timedelta64(1, "D")
        bd = cal.busday_count(np.where(has_date, od, as_of) + one, np.full(n, as_of + one))
        aged_7_8 = has_date & (bd > 7)
        age_rule_7_8 = "more than 7 business days old (Rule 15c3-1(a)(1)(ii)(B), alternative method)"
    else:
        aged_7_8 = age > 30
        age_rule_7_8 = "over 30 calendar days"

    def add(mask, line, amt, rule, reason, primary=True):
        if mask.any():
            amt_arr = amt[mask] if isinstance(amt, np.ndarray) else amt
            reason_arr = reason[mask] if isinstance(reason, np.ndarray) else reason
            frames.append(dispositions("items", rows[mask], comp[mask], line, amt_arr, rule, reason_arr, "", primary))

    k = lambda name: kind == name  # noqa: E731

    # A negative amount is accepted (BOOK_FORMAT.md sets no sign) but it works against its
    # line -- a negative credit lowers the requirement -- so each one goes to review.
    for r in rows[amount < 0][:200]:
        findings.append(Finding("Exhibit A items: negative amount", comp[r], f"negative amount on a {kind[r].replace('_', ' ')} item: it "
                                "reduces the line it belongs to; a credit or debit of the other sign needs support",
                                int(amount[r]), "items", int(r), "review"))

    add(k("drafts_payable"), "item_1", amount, "Item 1; Note A", "outstanding draft payable to a customer")
    add(k("bank_loan"), "item_2", amount, "Item 2", "monies borrowed collateralized by customers' securities")
    loc = k("letter_of_credit")
    add(loc, "item_2", np.minimum(amount, req), "Item 2; Note B",
        np.where(amount > req, "letter of credit to the extent of the margin requirement", "letter of credit"))
    # Note C: collateral received plus any excess of market value over it.
    sl = k("securities_loaned")
    add(sl, "item_3", amount + np.maximum(mv - amount, 0), "Item 3; Note C",
        np.where(mv > amount, "collateral received plus market value in excess of it (Note C)", "collateral received for securities loaned"))
    # Note D: over 30 calendar days, add the excess of market value over contract value.
    ftr = k("fail_to_receive")
    old = ftr & (age > 30)
    add(ftr, "item_4", amount + np.where(old, np.maximum(mv - amount, 0), 0), "Item 4; Note D",
        np.where(old & (mv > amount), "fail to receive over 30 calendar days: contract value plus market value in excess (Note D)",
                 "fail to receive at contract value"))
    for r in rows[old][:200]:
        findings.append(Finding("Note D", comp[r], f"fail to receive {age[r]} calendar days old", int(max(mv[r] - amount[r], 0)),
                                "items", int(r), "review"))
    add(k("principal_sale_credit"), "item_5", amount, "Item 5", "credit balance in a firm account attributable to a principal sale to a customer")

    def aged_line(name, line, rule, old_mask, old_words):
        m = k(name)
        add(m & old_mask, line, mv, rule, f"market value, {old_words}")
        add(m & ~old_mask, "excluded", 0, rule, f"not yet {old_words}")
        for r in rows[m & old_mask][:200]:
            findings.append(Finding(rule, comp[r], f"{name.replace('_', ' ')} {old_words} ({age[r]} calendar days)", int(mv[r]),
                                    "items", int(r), "review"))

    aged_line("stock_dividend_receivable", "item_6", "Item 6", age > 30, "outstanding over 30 calendar days")
    aged_line("short_count_difference", "item_7", "Item 7", aged_7_8, age_rule_7_8)
    aged_line("suspense_short", "item_8", "Item 8", aged_7_8, age_rule_7_8)
    tu = k("transfer_unconfirmed")
    confirmed = it["confirmed"].to_numpy(dtype=bool)
    add(tu & (age > 40) & ~confirmed, "item_9", mv, "Item 9", "in transfer over 40 calendar days, not confirmed")
    add(tu & (age > 40) & confirmed, "excluded", 0, "Item 9", "confirmed to be in transfer by the transfer agent or issuer")
    add(tu & (age <= 40), "excluded", 0, "Item 9", "in transfer 40 calendar days or less")

    add(k("securities_borrowed"), "item_11", amount, "Item 11", "securities borrowed for customers' short sales or fails to deliver")
    ftd = k("fail_to_deliver")
    add(ftd & (age <= 30), "item_12", amount, "Item 12", "fail to deliver not older than 30 calendar days, at contract value")
    add(ftd & (age > 30), "excluded", 0, "Item 12", "fail to deliver older than 30 calendar days: not a debit")
    for r in rows[ftd & (age > 30)][:200]:
        findings.append(Finding("Item 12", comp[r], f"aged fail to deliver ({age[r]} calendar days) excluded from debits",
                                int(amount[r]), "items", int(r), "review"))

    form = it["collateral_form"].to_numpy(dtype=object)
    permitted = np.isin(form, ("cash", "qualified_securities", "customer_loc"))
    occ = k("occ_margin")
    add(occ & permitted, "item_13", np.minimum(amount, req), "Item 13; Note F", "margin required and on deposit (the lesser of the two)")
    add(occ & ~permitted, "excluded", 0, "Note F", "margin not in cash, proprietary qualified securities or customer-collateralized letters of credit")
    fut = k("futures_margin")
    qualified = it["clearing_org_qualified"].to_numpy(dtype=bool)
    add(fut & permitted & qualified, "item_14", np.minimum(amount, req), "Item 14; Note G", "margin required and on deposit (the lesser of the two)")
    add(fut & ~permitted, "excluded", 0, "Note G(a)", "margin not in cash, proprietary qualified securities or customer-collateralized letters of credit")
    add(fut & permitted & ~qualified, "excluded", 0, "Note G(b), (c)",
        "clearing organization not shown to meet Note G(b) within the last year")

    add(k("other_credit"), "other_credits", amount, "FOCUS Other credits (box 4425)", it["description"].fillna("").to_numpy(dtype=object))
    od_mask = k("other_debit")
    add(od_mask, "other_debits", amount, "FOCUS Other debits (box 4469)", it["description"].fillna("").to_numpy(dtype=object))
    described = text_values(it["description"])
    for r in rows[od_mask].tolist():
        findings.append(Finding("Other debits", comp[r], f"other debit needs support: {described[r]}",
                                int(amount[r]), "items", int(r), "review"))
    add(k("sweep_next_day"), "sweep", amount, "SEC staff FAQ 2025-12-08 Q5",
        "credits moving to a bank sweep program on the next business day: reduce the deposit needed, never justify a withdrawal")

    # PAB Notes.
    add(k("pab_note5_credit"), "item_1", amount, "PAB Note 5", "receivable of another broker-dealer / clearing deposit included as a credit balance")
    n7 = k("pab_note7_exclusion")
    n7_total = int(amount[n7].sum()) if n7.any() else 0
    n7_ok = n7 & ((amount >= NOTE7_SINGLE) | (n7_total >= NOTE7_AGGREGATE))
    add(n7_ok, "item_1", -amount, "PAB Note 7",
        "deposit received before a pending transaction, placed in a separate PAB reserve account: excluded from credits")
    add(n7 & ~n7_ok, "excluded", 0, "PAB Note 7",
        "under $5,000,000 and the book's such deposits total under $10,000,000: stays a credit (no exclusion)")
    add(k("pab_note8_sweep"), "item_1", -amount, "PAB Note 8",
        "credits swept into money market or mutual funds by 10 a.m. ET on the deposit date")
    add(k("pab_note9_clearing_deposit"), "other_debits", amount, "PAB Note 9",
        "clearing deposit relating to other broker-dealers' proprietary business")
    return frames, findings
