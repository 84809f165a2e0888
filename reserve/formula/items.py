"""Items 1-9 and 11-14, the "Other" lines and the PAB Notes, from the `items` table (with the
facts of `clearing_organizations` and `reserve_bank_accounts` that item rows name).

One vectorised pass per kind (docs/BOOK_FORMAT.md "Item kinds"): each row gets its line and
amount, or its exclusion with the rule that excludes it. Ages are calendar days from
open_date to as_of (Items 4, 6-9, 12, Note D), except Items 7 and 8 for an
alternative-method firm: more than 7 business days (Rule 15c3-1(a)(1)(ii)(B)).

Margin at clearing organizations (Items 13, 14; Notes F, G) and letters of credit (Note B)
are capped once per clearing organization, not per row: one requirement may be met by
several deposits of different forms (reading: clearing_margin_groups).

Where a Note's treatment depends on a condition the row does not state, the treatment that
favours the firm is not given (PAB Notes 5-8, Rule 15c3-1(a)(1)(ii)(C)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from .. import money
from ..calendar import BusinessCalendar
from ..money import Effect
from .model import Finding, dispositions, text_values

NOTE7_SINGLE = 500_000_000  # $5,000,000 for any single transaction (PAB Note 7)
NOTE7_AGGREGATE = 1_000_000_000  # $10,000,000 in aggregate
NEW_ISSUE_DAYS = 3  # Rule 15c3-1(a)(1)(ii)(C): "for 3 business days"
PERMITTED_FORMS = ("cash", "qualified_securities", "customer_loc")  # Notes F, G(a)
NEW_ISSUE_SECURITIES = ("us_government_agency", "municipal")  # Rule 15c3-1(c)(2)(vi)(A), (E)
MAX_FINDINGS = 200  # findings listed one by one per rule; the rest are in the dispositions


@dataclass
class ItemsOutcome:
    frames: list[pd.DataFrame] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # PAB Note 7 deposits excluded from PAB credits, per reserve bank account_id that holds
    # them: that money does not also count on deposit (reading: pab_note7_account).
    note7_placed: dict[str, int] = field(default_factory=dict)


def _i64(s: pd.Series) -> np.ndarray:
    return s.fillna(0).to_numpy(dtype=np.int64)


def _col(it: pd.DataFrame, name: str, kind: str):
    """A column that books written before it existed do not have (the loader adds every
    schema column; frames built another way may lack it): its blank form."""
    if name in it.columns:
        s = it[name]
        if kind == "bool":
            return s.fillna(False).to_numpy(dtype=bool)
        if kind == "money":
            return _i64(s)
        if kind == "date":
            return s.to_numpy().astype("datetime64[D]")
        return text_values(s)
    n = len(it)
    return {"bool": np.zeros(n, dtype=bool), "money": np.zeros(n, dtype=np.int64),
            "date": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")}.get(kind, np.full(n, None, dtype=object))


def items(book, cal: BusinessCalendar) -> ItemsOutcome:
    p = book.params
    it = book.tables["items"]
    out = ItemsOutcome()
    frames, findings = out.frames, out.findings
    if not len(it):
        return out
    n = len(it)
    rows = np.arange(n, dtype=np.int64)
    kind = it["kind"].to_numpy(dtype=object)
    comp = it["book"].array  # Categorical: comp[mask] stays categorical, comp[r] is the text
    amount = it["amount"].to_numpy(dtype=np.int64)
    mv = _i64(it["market_value"])
    req = _i64(it["margin_requirement"])
    ids = text_values(it["item_id"])
    as_of = np.datetime64(p.as_of, "D")
    one = np.timedelta64(1, "D")
    od = it["open_date"].to_numpy().astype("datetime64[D]")
    has_date = ~np.isnat(od)
    age = np.where(has_date, (as_of - np.where(has_date, od, as_of)).astype(np.int64), 0)
    # business days after open_date up to and including as_of: T+n is n days old
    # (reading: items_7_8_alternative)
    bd_age = np.where(has_date, cal.busday_count(np.where(has_date, od, as_of) + one, np.full(n, as_of + one)), 0)
    # An ageing kind needs its open_date (validation refuses a blank one). Should a blank reach
    # the formula, it is never a young item: a credit counts as aged, a fail to deliver as too
    # old to be a debit (reading: ageing_blank_date).
    no_date = ~has_date
    over_30 = no_date | (age > 30)
    if p.net_capital_method == "alternative":
        aged_7_8 = no_date | (bd_age > 7)
        age_rule_7_8 = "more than 7 business days old (Rule 15c3-1(a)(1)(ii)(B), alternative method)"
    else:
        aged_7_8 = over_30
        age_rule_7_8 = "over 30 calendar days"

    def add(mask, line, amt, rule, reason, primary=True):
        if mask.any():
            amt_arr = amt[mask] if isinstance(amt, np.ndarray) else amt
            reason_arr = reason[mask] if isinstance(reason, np.ndarray) else reason
            frames.append(dispositions("items", rows[mask], comp[mask], line, amt_arr, rule, reason_arr, "", primary))

    def listed(mask, rule, message, amt, severity="review"):
        """One finding per row where `mask` holds (up to MAX_FINDINGS); `message(r)` words it."""
        for r in rows[mask][:MAX_FINDINGS].tolist():
            findings.append(Finding(rule, comp[r], message(r), int(amt[r]) if isinstance(amt, np.ndarray) else amt,
                                    "items", int(r), severity))

    k = lambda name: kind == name  # noqa: E731
    ageing = np.isin(kind, ("fail_to_receive", "stock_dividend_receivable", "short_count_difference", "suspense_short",
                            "transfer_unconfirmed", "fail_to_deliver", "new_issue_not_received"))
    listed(ageing & no_date, "Items 4, 6-9, 12; Note D (ageing)", lambda r: f"{kind[r].replace('_', ' ')} {ids[r]} has no open_date: "
           "its age is unknown, so it is treated as the older item (the higher requirement)", amount, "severe")

    # A negative amount is accepted (BOOK_FORMAT.md sets no sign) but it works against its
    # line -- a negative credit lowers the requirement -- so each one goes to review.
    listed(amount < 0, "Exhibit A items: negative amount",
           lambda r: f"negative amount on a {kind[r].replace('_', ' ')} item: it reduces the line it belongs to; "
                     "a credit or debit of the other sign needs support", amount)

    # Note A: drafts payable applied against credit balances, and checks drawn in excess of
    # bank balances per the firm's records, are both in Item 1.
    add(k("drafts_payable"), "item_1", amount, "Item 1; Note A", "outstanding draft payable to a customer")
    add(k("checks_drawn_in_excess"), "item_1", amount, "Item 1; Note A",
        "checks drawn in excess of bank balances per the records of the broker or dealer")
    add(k("bank_loan"), "item_2", amount, "Item 2", "monies borrowed collateralized by customers' securities")
    _note_b_letters_of_credit(it, k, amount, req, ids, add, findings, comp)
    # Note C: monies payable against securities loaned, plus the excess of the market value
    # of the securities loaned over the collateral value received (reading: note_c).
    sl = k("securities_loaned")
    cv = amount
    if "collateral_value" in it.columns:  # blank: the collateral received is the amount (cash)
        cv = np.where(it["collateral_value"].isna().to_numpy(dtype=bool), amount, _i64(it["collateral_value"]))
    excess_mv = np.maximum(mv - cv, 0)
    add(sl, "item_3", amount + excess_mv, "Item 3; Note C",
        np.where(excess_mv > 0,
                 np.where(cv != amount, "monies payable plus the market value in excess of the collateral value received (Note C)",
                          "collateral received plus market value in excess of it (Note C)"),
                 np.where(cv != amount, "monies payable against securities loaned (collateral value received covers the market value)",
                          "collateral received for securities loaned")))
    # Note D: over 30 calendar days, add the excess of market value over contract value.
    ftr = k("fail_to_receive")
    old = ftr & over_30
    add(ftr, "item_4", amount + np.where(old, np.maximum(mv - amount, 0), 0), "Item 4; Note D",
        np.where(old & (mv > amount), "fail to receive over 30 calendar days: contract value plus market value in excess (Note D)",
                 "fail to receive at contract value"))
    listed(old & has_date, "Note D", lambda r: f"fail to receive {age[r]} calendar days old", np.maximum(mv - amount, 0))
    add(k("principal_sale_credit"), "item_5", amount, "Item 5", "credit balance in a firm account attributable to a principal sale to a customer")

    def aged_line(name, line, rule, old_mask, old_words):
        m = k(name)
        add(m & old_mask, line, mv, rule, f"market value, {old_words}")
        add(m & ~old_mask, "excluded", 0, rule, f"not yet {old_words}")
        listed(m & old_mask & has_date, rule, lambda r: f"{name.replace('_', ' ')} {old_words} ({age[r]} calendar days)", mv)

    aged_line("stock_dividend_receivable", "item_6", "Item 6", over_30, "outstanding over 30 calendar days")
    aged_line("short_count_difference", "item_7", "Item 7", aged_7_8, age_rule_7_8)
    aged_line("suspense_short", "item_8", "Item 8", aged_7_8, age_rule_7_8)
    tu = k("transfer_unconfirmed")
    confirmed = it["confirmed"].to_numpy(dtype=bool)
    over_40 = no_date | (age > 40)
    add(tu & over_40 & ~confirmed, "item_9", mv, "Item 9", "in transfer over 40 calendar days, not confirmed")
    add(tu & over_40 & confirmed, "excluded", 0, "Item 9", "confirmed to be in transfer by the transfer agent or issuer")
    add(tu & ~over_40, "excluded", 0, "Item 9", "in transfer 40 calendar days or less")

    # Items 11 and 12, less what Rule 15c3-1(a)(1)(ii)(D) takes out.
    allocated = _fails_allocated(p, it, k, amount, over_30, ids, findings, comp)
    sb = k("securities_borrowed")
    add(sb & ~allocated, "item_11", amount, "Item 11", "securities borrowed for customers' short sales or fails to deliver")
    ftd = k("fail_to_deliver")
    add(ftd & ~over_30 & ~allocated, "item_12", amount, "Item 12", "fail to deliver not older than 30 calendar days, at contract value")
    add(ftd & over_30, "excluded", 0, "Item 12", "fail to deliver older than 30 calendar days: not a debit")
    listed(ftd & over_30 & has_date, "Item 12", lambda r: f"aged fail to deliver ({age[r]} calendar days) excluded from debits", amount)
    add((sb | (ftd & ~over_30)) & allocated, "excluded", 0, "Rule 15c3-1(a)(1)(ii)(D)",
        "allocated to a fail to receive of the same issue: excluded from Items 11 and 12 (1% of the contract value "
        "is deducted from net worth)")

    _clearing_margin(book, it, k, amount, req, ids, add, findings, comp)

    add(k("other_credit"), "other_credits", amount, "FOCUS Other credits (box 4425)", it["description"].fillna("").to_numpy(dtype=object))
    od_mask = k("other_debit")
    add(od_mask, "other_debits", amount, "FOCUS Other debits (box 4469)", it["description"].fillna("").to_numpy(dtype=object))
    described = text_values(it["description"])
    for r in rows[od_mask].tolist():
        findings.append(Finding("Other debits", comp[r], f"other debit needs support: {described[r]}",
                                int(amount[r]), "items", int(r), "review"))
    add(k("sweep_next_day"), "sweep", amount, "SEC staff FAQ 2025-12-08 Q5",
        "credits moving to a bank sweep program on the next business day: reduce the deposit needed, never justify a "
        "withdrawal (reading: sweep)")

    _new_issues(p, it, k, amount, bd_age, has_date, ids, add, listed)
    _pab_notes(book, cal, it, k, amount, ids, add, listed, out)
    return out


# --------------------------------------------------------------------------- Note B


def _note_b_letters_of_credit(it, k, amount, req, ids, add, findings, comp):
    """Note B: letters of credit collateralized by customers' securities are Item 2 credits --
    the options- or security-futures-related ones "to the extent of the member's margin
    requirement" at the clearing organization (first sentence: capped once per organization),
    those related to portfolio-margined futures in full (second sentence)
    (reading: note_b_letters_of_credit)."""
    add(k("letter_of_credit_portfolio_margin"), "item_2", amount, "Item 2; Note B",
        "letter of credit collateralized by customers' securities related to futures carried in a securities account "
        "under an SRO portfolio margining rule (Note B, second sentence: not capped)")
    loc = k("letter_of_credit")
    if not loc.any():
        return
    org = _col(it, "clearing_org_id", "text")
    named = loc & (org != None)  # noqa: E711 (object array of ids and None)
    unnamed = loc & ~named
    # Rows that name no clearing organization: each capped at the requirement it states (the
    # format's first reading, and the larger credit: rows that might be one organization's are
    # not capped together).
    add(unnamed, "item_2", np.minimum(amount, req), "Item 2; Note B",
        np.where(amount > req, "letter of credit to the extent of the margin requirement", "letter of credit"))
    if not named.any():
        return
    g = _groups(it, named, org, amount, req, ids, named_cap="largest")
    add(named, "item_2", g.alloc, "Item 2; Note B", g.reason_credit)
    _disagreeing(g, findings, comp, "Note B", "letters of credit", "the largest (the larger credit) is used")


# --------------------------------------------------------------------------- Notes F, G


@dataclass
class _Groups:
    """Rows of one clearing organization (and computation, and line) capped together."""

    alloc: np.ndarray  # each row's part of the group's capped amount (in item_id order)
    cap: np.ndarray  # the group's requirement, per row
    total: np.ndarray  # the group's amount before the cap, per row
    counted: np.ndarray  # the group's capped amount, per row
    size: np.ndarray  # rows in the group, per row
    differs: np.ndarray  # the group's rows state different requirements, per row
    key: np.ndarray  # group label, per row
    reason_credit: np.ndarray
    reason_debit: np.ndarray


def _groups(it, mask, org, amount, req, order, named_cap: str, unnamed_cap: str = "largest",
            per_row_cap: bool = False) -> _Groups:
    """Group the `mask` rows by (computation, kind, clearing organization; rows naming none
    form one group per computation and kind) and cap each group once at its requirement: the
    smallest or the largest stated by its rows (`named_cap` / `unnamed_cap`: whichever gives the
    higher reserve requirement for that line). With `per_row_cap` each row first counts only
    up to the requirement it states. The capped amount is given to the group's rows in
    item_id order."""
    n = len(it)
    idx = np.flatnonzero(mask)
    t = pd.DataFrame({"pos": idx, "comp": it["book"].to_numpy(dtype=object)[idx],
                      "kind": it["kind"].to_numpy(dtype=object)[idx],
                      "org": np.where(org[idx] == None, "", org[idx]).astype(object),  # noqa: E711
                      "amount": amount[idx], "req": req[idx], "id": order[idx]})
    t["a"] = np.minimum(t["amount"], t["req"]) if per_row_cap else t["amount"]
    keys = ["comp", "kind", "org"]
    by = t.groupby(keys, sort=False)
    t["cap"] = np.where(t["org"] == "", by["req"].transform("min" if unnamed_cap == "smallest" else "max"),
                        by["req"].transform("min" if named_cap == "smallest" else "max"))
    t["differs"] = by["req"].transform("nunique") > 1
    t["total"] = by["a"].transform("sum")
    t["size"] = by["a"].transform("size")
    t["counted"] = np.minimum(t["total"], t["cap"])
    t = t.sort_values(keys + ["id", "pos"], kind="stable")
    cum = t.groupby(keys, sort=False)["a"].cumsum()
    t["alloc"] = np.clip(np.minimum(cum, t["counted"]) - (cum - t["a"]), 0, None)
    # the words of each group's disposition (a handful of groups: formatted once each)
    first = t.drop_duplicates(keys)
    where = np.where(first["org"] == "", "the rows naming no clearing organization",
                     "clearing organization " + first["org"].astype(str))
    caps = [money.format_display(int(c)) for c in first["cap"]]
    words = pd.DataFrame({"comp": first["comp"], "kind": first["kind"], "org": first["org"],
                          "credit": [f"letters of credit at {w} counted together up to its margin requirement {c}"
                                     for w, c in zip(where, caps)],
                          "debit": [f"margin required and on deposit at {w}: its deposits counted together up to its "
                                    f"requirement {c}" for w, c in zip(where, caps)]})
    t = t.merge(words, on=keys, how="left").sort_values("pos")
    single = t["size"].to_numpy() == 1
    t["credit"] = np.where(single, "letter of credit to the extent of the margin requirement", t["credit"])
    t["debit"] = np.where(single, "margin required and on deposit (the lesser of the two)", t["debit"])

    def full(col, dtype, fill):
        a = np.full(n, fill, dtype=dtype)
        a[t["pos"].to_numpy()] = t[col].to_numpy(dtype=dtype)
        return a

    return _Groups(full("alloc", np.int64, 0), full("cap", np.int64, 0), full("total", np.int64, 0),
                   full("counted", np.int64, 0), full("size", np.int64, 0), full("differs", bool, False),
                   full("org", object, ""), full("credit", object, ""), full("debit", object, ""))


def _disagreeing(g: _Groups, findings, comp, rule, what, used):
    seen = set()
    for r in np.flatnonzero(g.differs & (g.key != "")).tolist():
        key = (comp[r], g.key[r])
        if key in seen:
            continue
        seen.add(key)
        findings.append(Finding(rule, comp[r], f"the {what} rows of clearing organization {g.key[r]} state different "
                                f"margin requirements: {used} ({money.format_display(int(g.cap[r]))})",
                                None, "items", int(r), "review"))


def _clearing_margin(book, it, k, amount, req, ids, add, findings, comp):
    """Items 13 and 14 (Notes F, G): margin required and on deposit, to the extent it is cash,
    proprietary qualified securities or letters of credit collateralized by customers'
    securities, counted once per clearing organization up to its requirement
    (reading: clearing_margin_groups); Item 14 only at an organization that meets Note G(b),
    determined within the last year (Note G(c); reading: note_g_annual)."""
    occ, fut = k("occ_margin"), k("futures_margin")
    if not (occ.any() or fut.any()):
        return
    p = book.params
    form = it["collateral_form"].to_numpy(dtype=object)
    permitted = np.isin(form, PERMITTED_FORMS)
    org = _col(it, "clearing_org_id", "text")
    named = org != None  # noqa: E711
    qualified_row = it["clearing_org_qualified"].to_numpy(dtype=bool)
    org_ok, org_why = _note_g_organizations(book, org, p.as_of)
    qualified = np.where(named, org_ok, qualified_row)
    for r in np.flatnonzero(fut & named & qualified_row & ~org_ok)[:MAX_FINDINGS].tolist():
        findings.append(Finding("Note G(b), (c)", comp[r], f"futures margin {ids[r]} is marked clearing_org_qualified, but "
                                f"clearing organization {org[r]} {org_why[r]}: the organization's facts decide",
                                int(amount[r]), "items", int(r), "review"))
    counted = (occ | (fut & qualified)) & permitted
    g = _groups(it, counted, org, amount, req, ids, named_cap="smallest", unnamed_cap="largest", per_row_cap=True)
    line = np.where(occ, "item_13", "item_14")
    for on_line, kind_mask, rule in (("item_13", occ, "Item 13; Note F"), ("item_14", fut, "Item 14; Note G")):
        add(counted & kind_mask & (g.alloc > 0), on_line, g.alloc, rule, g.reason_debit)
        add(counted & kind_mask & (g.alloc == 0), "excluded", 0, rule,
            np.where(amount > 0, "the clearing organization's requirement is already met by its other deposits: "
                     "nothing more counts", "nothing on deposit"))
    add(occ & ~permitted, "excluded", 0, "Note F", "margin not in cash, proprietary qualified securities or customer-collateralized letters of credit")
    add(fut & ~permitted, "excluded", 0, "Note G(a)", "margin not in cash, proprietary qualified securities or customer-collateralized letters of credit")
    add(fut & permitted & ~qualified, "excluded", 0, "Note G(b), (c)",
        np.where(named, "clearing organization " + np.where(named, org, "").astype(str) + " " + org_why,
                 "clearing organization not shown to meet Note G(b) within the last year"))
    _disagreeing(g, findings, comp, "Notes F, G", "margin", "the smallest (the smaller debit) is used")
    # Rows naming no organization: grouped per computation and line as one organization
    # (reading: clearing_margin_groups). Say so wherever several rows were capped together.
    un = counted & ~named & (g.size > 1)
    seen = set()
    for r in np.flatnonzero(un).tolist():
        key = (comp[r], line[r])
        if key in seen:
            continue
        seen.add(key)
        members = np.flatnonzero(un & (comp == comp[r]) & (line == line[r]))
        names = ", ".join(str(ids[m]) for m in members[:10]) + (" ..." if len(members) > 10 else "")
        taken = int(g.total[r]) - int(g.counted[r])
        findings.append(Finding("Notes F, G", comp[r], f"{len(members)} {line[r].replace('_', ' ').title()} rows name no "
                                f"clearing organization ({names}): counted as one organization's deposits, up to the "
                                f"largest requirement they state ({money.format_display(int(g.cap[r]))})"
                                + (f", which leaves out {money.format_display(taken)}" if taken > 0 else ", which leaves "
                                   "nothing out") + "; give each row its clearing_org_id so each organization has its "
                                "own cap", taken, "items", int(members[0]), "review"))


def _note_g_organizations(book, org: np.ndarray, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """Per item row naming a clearing organization: does the organization meet Note G(b)
    (1)-(3), determined within the year before as_of (Note G(c))? And if not, why."""
    n = len(org)
    ok = np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
    co = book.tables.get("clearing_organizations")
    if co is None or not len(co):
        why[org != None] = "is not in the clearing_organizations table"  # noqa: E711
        return ok, why
    ids = text_values(co["clearing_org_id"])
    a_year_before = _a_year_before(as_of)
    det_d = co["note_g_determined_on"].to_numpy().astype("datetime64[D]")
    dated = ~np.isnat(det_d)
    conditions = (
        (co["note_g_b1"].to_numpy(dtype=bool), "is not attested to meet Note G(b)(1) (security deposits and assessment "
         "power of $2 billion, $500 million of it security deposits; or $3 billion of margin deposits; or a Commission "
         "exemption)"),
        (co["note_g_b2"].to_numpy(dtype=bool), "is not attested to meet Note G(b)(2) (the bank's written notification for "
         "margin it holds at a bank)"),
        (co["note_g_b3"].to_numpy(dtype=bool), "is not attested to meet Note G(b)(3) (safeguards, fidelity bond, "
         "independent examination; a DCO's written undertaking)"),
        (dated, "has no date of the firm's determination under Note G(c)"),
        (dated & (det_d <= np.datetime64(as_of, "D")), "was determined after as_of"),
        (dated & (det_d >= np.datetime64(a_year_before, "D")),
         f"was last determined to meet Note G before {a_year_before} (Note G(c): at least annually)"),
    )
    org_ok = np.ones(len(co), dtype=bool)
    org_why = np.full(len(co), "", dtype=object)
    for cond, text in conditions:
        fail = org_ok & ~cond
        org_why[fail] = text
        org_ok &= cond
    pos = pd.Index(ids).get_indexer(org)
    known = pos >= 0
    ok[known] = org_ok[pos[known]]
    why[known] = org_why[pos[known]]
    why[~known & (org != None)] = "is not in the clearing_organizations table"  # noqa: E711
    return ok, why


def _a_year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # February 29
        return d.replace(year=d.year - 1, day=28)


# --------------------------------------------------------------------------- Rule 15c3-1


def _fails_allocated(p, it, k, amount, over_30, ids, findings, comp) -> np.ndarray:
    """Rule 15c3-1(a)(1)(ii)(D): an alternative-method firm excludes from Items 11 and 12 the
    fails to deliver and securities borrowed allocated to fails to receive of the same issue,
    and deducts 1% of their contract value from net worth (reading: fails_allocated)."""
    target = _col(it, "allocated_to", "text")
    stated = (k("securities_borrowed") | k("fail_to_deliver")) & (target != None)  # noqa: E711
    if not stated.any():
        return np.zeros(len(it), dtype=bool)
    if p.net_capital_method != "alternative":
        r = int(np.flatnonzero(stated)[0])
        findings.append(Finding("Rule 15c3-1(a)(1)(ii)(D)", "", f"{int(stated.sum())} fail(s) to deliver or securities "
                                "borrowed are allocated to fails to receive, but the exclusion from Items 11 and 12 is "
                                "for the alternative method: they stay in their lines", None, "items", r, "info"))
        return np.zeros(len(it), dtype=bool)
    # only what would otherwise be in Item 11 or 12 is "thereby excluded"
    out = stated & (k("securities_borrowed") | ~over_30)
    for c in ("customer", "pab"):
        m = out & (comp == c)
        if not m.any():
            continue
        contract = int(amount[m].sum())
        deduction = money.share(contract, 1, 100, Effect.NET_CAPITAL_DEDUCTION)
        findings.append(Finding("Rule 15c3-1(a)(1)(ii)(D)", c, f"{int(m.sum())} fail(s) to deliver and securities "
                                "borrowed allocated to fails to receive of the same issue are excluded from Items 11 and 12 "
                                f"(contract value {money.format_display(contract)}): deduct 1% of it, "
                                f"{money.format_display(deduction)}, from net worth in computing net capital",
                                deduction, "items", int(np.flatnonzero(m)[0]), "review"))
    return out


def _new_issues(p, it, k, amount, bd_age, has_date, ids, add, listed):
    """Rule 15c3-1(a)(1)(ii)(C): an alternative-method firm excludes credit balances in accounts
    representing amounts payable for U.S. government or agency and municipal securities not yet
    received from the issuer or its agent, and any related debit items, for 3 business days
    (reading: new_issue_exclusion)."""
    m = k("new_issue_not_received")
    if not m.any():
        return
    sec = _col(it, "security_type", "text")
    related = _col(it, "related_debit", "money")
    eligible_sec = np.isin(sec, NEW_ISSUE_SECURITIES)
    young = has_date & (bd_age <= NEW_ISSUE_DAYS)
    alternative = p.net_capital_method == "alternative"
    ok = m & eligible_sec & young & alternative
    rule = "Rule 15c3-1(a)(1)(ii)(C)"
    add(ok, "item_1", -amount, rule, "credit balance payable for securities not yet received from the issuer or its agent, "
        "within 3 business days: excluded from credits")
    add(ok & (related != 0), "item_10", -related, rule, "related debit items excluded with the new-issue credit balance",
        primary=False)
    why = np.where(np.full(len(it), not alternative), "the exclusion is for the alternative method",
                   np.where(~eligible_sec, "the securities are not U.S. government or agency or municipal securities "
                            "(Rule 15c3-1(c)(2)(vi)(A), (E))",
                            np.where(~has_date, "no open_date: whether it is within 3 business days is not shown",
                                     "outstanding more than 3 business days")))
    add(m & ~ok, "excluded", 0, rule, "new-issue credit balance and related debits stay in the formula: " + why)
    listed(ok, rule, lambda r: f"new-issue credit balance {ids[r]} excluded for 3 business days "
           f"({int(bd_age[r])} business day(s) old), with {money.format_display(int(related[r]))} of related debits",
           amount, "info")


# --------------------------------------------------------------------------- PAB Notes


def _pab_notes(book, cal, it, k, amount, ids, add, listed, out: ItemsOutcome):
    p = book.params
    findings = out.findings
    terms = _col(it, "payment_terms", "text")

    # PAB Note 5, second sentence: receivables of another broker-dealer that are non-allowable
    # assets may be PAB credit balances if subject to immediate cash payment; its clearing
    # deposits if subject to payment within 30 days. A condition not stated keeps the credit
    # (a blank never drops a credit); one stated not met leaves it out (reading: pab_note5).
    for name, ok_terms, cond in (("pab_note5_credit", ("immediate",), "subject to immediate cash payment"),
                                 ("pab_note5_clearing_deposit", ("immediate", "within_30_days"),
                                  "subject to payment within 30 days")):
        m = k(name)
        if not m.any():
            continue
        met = m & np.isin(terms, ok_terms)
        unstated = m & (terms == None)  # noqa: E711
        not_met = m & ~met & ~unstated
        what = "receivable of another broker-dealer" if name == "pab_note5_credit" else "clearing deposit of another broker-dealer"
        add(met, "item_1", amount, "PAB Note 5", f"{what}, {cond}: included as a credit balance")
        add(unstated, "item_1", amount, "PAB Note 5", f"{what} included as a credit balance; whether it is {cond} is not "
            "stated (kept: the higher requirement)")
        add(not_met, "excluded", 0, "PAB Note 5", f"{what} not {cond}: not a credit balance for the PAB computation")
        listed(unstated, "PAB Note 5", lambda r, what=what, cond=cond: f"{what} {ids[r]}: payment_terms not stated, so it "
               f"is not shown to be {cond}; kept as a PAB credit (the higher requirement)", amount)
    # PAB Note 5, first sentence: allowable-asset receivables need not be included, "provided
    # the amounts have been clearly identified as payables on the books".
    m = k("pab_note5_exclusion")
    ok = m & _col(it, "identified_as_payable", "bool")
    add(ok, "item_1", -amount, "PAB Note 5", "interest, floor brokerage or commissions receivable of another broker-dealer, "
        "an allowable asset, identified as a payable on the books: not included in the PAB computation")
    add(m & ~ok, "excluded", 0, "PAB Note 5", "not shown to be identified as a payable on the books: stays in the PAB "
        "computation (no exclusion)")
    listed(m & ~ok, "PAB Note 5", lambda r: f"{ids[r]}: identified_as_payable is not true, so the Note 5 exclusion is "
           "not given", amount)

    # PAB Note 6 (reading: pab_note6).
    m = k("pab_note6_cross_margin")
    ok = m & _col(it, "replaced_next_business_day", "bool")
    add(ok, "item_2", -amount, "PAB Note 6", "credits from PAB securities pledged for intra-day margin calls in an OCC-DCO "
        "cross-margin account, replaced the following business day with the other clearing corporation's excess margin: "
        "credits reduced")
    add(m & ~ok, "excluded", 0, "PAB Note 6", "not shown to be replaced the following business day by the other clearing "
        "corporation's excess margin: credits not reduced")
    listed(m & ~ok, "PAB Note 6", lambda r: f"{ids[r]}: replaced_next_business_day is not true, so the Note 6 reduction "
           "is not given", amount)
    add(k("pab_note6_cftc_segregated"), "item_1", -amount, "PAB Note 6", "balances of a portfolio margin account "
        "segregated under CFTC regulations: not included in the PAB computation")

    _pab_note7(book, cal, it, k, amount, ids, add, listed, out)

    # PAB Note 8: only credits swept by 10 a.m. ET on the deposit date and free of any right,
    # charge, security interest, lien or claim of the investment company or the firm
    # (reading: pab_note8).
    m = k("pab_note8_sweep")
    by_10 = _col(it, "swept_by_10am", "bool")
    free = _col(it, "free_of_liens", "bool")
    ok = m & by_10 & free
    add(ok, "item_1", -amount, "PAB Note 8",
        "credits swept into money market or mutual funds by 10 a.m. ET on the deposit date, free of liens")
    why = np.where(~by_10 & ~free, "swept_by_10am and free_of_liens are", np.where(~by_10, "swept_by_10am is",
                                                                                    "free_of_liens is"))
    add(m & ~ok, "excluded", 0, "PAB Note 8", "not shown to meet PAB Note 8 (" + why + " not true): credits not reduced")
    listed(m & ~ok, "PAB Note 8", lambda r: f"{ids[r]}: {why[r]} not true, so the Note 8 reduction is not given", amount)
    add(k("pab_note9_clearing_deposit"), "other_debits", amount, "PAB Note 9",
        "clearing deposit relating to other broker-dealers' proprietary business (reading: pab_note9_line)")


def _pab_note7(book, cal, it, k, amount, ids, add, listed, out: ItemsOutcome):
    """PAB Note 7: deposits received before a transaction pending settlement, $5,000,000 or more
    for a single transaction or $10,000,000 in aggregate (one broker-dealer's), excluded from
    PAB credits if placed and maintained in a separate PAB Reserve Bank Account by 12 p.m. ET on
    the following business day (reading: pab_note7)."""
    m = k("pab_note7_exclusion")
    if not m.any():
        return
    p = book.params
    n = len(it)
    idx = np.flatnonzero(m)
    tx = _col(it, "transaction_id", "text")
    broker = _col(it, "broker_id", "text")
    # size: a transaction's deposits together; a broker-dealer's deposits in aggregate. A row
    # naming neither stands alone.
    t = pd.DataFrame({"pos": idx, "amount": amount[idx],
                      "tx": np.where(tx[idx] == None, "\0row" + idx.astype(str).astype(object), tx[idx]),  # noqa: E711
                      "broker": np.where(broker[idx] == None, "\0row" + idx.astype(str).astype(object), broker[idx])})  # noqa: E711
    tx_sum = t.groupby("tx")["amount"].transform("sum").to_numpy(dtype=np.int64)
    broker_sum = t.groupby("broker")["amount"].transform("sum").to_numpy(dtype=np.int64)
    size_ok = np.zeros(n, dtype=bool)
    size_ok[idx] = (tx_sum >= NOTE7_SINGLE) | (broker_sum >= NOTE7_AGGREGATE)
    # the separate PAB Reserve Bank Account
    acct = _col(it, "reserve_bank_account_id", "text")
    rb = book.tables["reserve_bank_accounts"]
    separate_ids = set()
    if len(rb) and "pab_note7_account" in rb.columns:
        sep = rb["pab_note7_account"].to_numpy(dtype=bool) & (rb["book"] == "pab").to_numpy(dtype=bool)
        separate_ids = set(text_values(rb["account_id"])[sep].tolist())
    in_separate = pd.Index(sorted(separate_ids), dtype=object).get_indexer(acct) >= 0
    # placed by 12 p.m. ET on the business day after the deposit was received (open_date)
    received = it["open_date"].to_numpy().astype("datetime64[D]")
    placed = _col(it, "placed_on", "date")
    by_noon = _col(it, "placed_by_noon", "bool")
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
    add(ok, "item_1", -amount, "PAB Note 7", "deposit received before a pending transaction, placed in the separate PAB "
        "reserve account by 12 p.m. ET the next business day: excluded from credits")
    add(m & ~ok, "excluded", 0, "PAB Note 7", "stays a credit (no exclusion): " + why)
    listed(m & ~ok, "PAB Note 7", lambda r: f"{ids[r]}: the Note 7 exclusion is not given: {why[r]}", amount)
    for a, v in zip(acct[ok].tolist(), amount[ok].tolist()):
        out.note7_placed[a] = out.note7_placed.get(a, 0) + int(v)
