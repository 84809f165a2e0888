"""The debits of Exhibit A: Items 10-14 with Notes F and G, and the FOCUS "Other debits".

  Item 10  debit balances in customers' cash and margin accounts: `item_10_debit_balances`
           (with Notes E(2), E(4), E(6) per account; Notes E(1), E(5) per group: note_e.py);
  Items 11, 12  securities borrowed and fails to deliver: `items_11_12_borrowed_and_failed`
           (less Rule 15c3-1(a)(1)(ii)(D): `fails_allocated`);
  Items 13, 14  margin at the OCC and at a clearing agency or DCO (Notes F, G):
           `items_13_14_clearing_margin`, `note_g_organizations`;
  other debits: `other_debits`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd

from .. import money
from ..money import Effect
from .clearing_groups import clearing_groups, disagreeing
from .inputs import Bools, Ints, Texts
from .item_rows import ItemRows, texts
from .model import MAX_LISTED, Finding, Outcome, Severity, choose, dispositions, more_than_listed, text_values
from .note_e import note_e2_deficit_less_calls, note_e4_related_parties, note_e6_joint_accounts
from .scope import AccountScope

PERMITTED_FORMS = ("cash", "qualified_securities", "customer_loc")  # Notes F, G(a)


@dataclass
class DebitBasis:
    """Item 10 per account after the per-account exclusions: the basis of Notes E(1), E(5)."""

    included: Ints  # each account's debit in Item 10 (0 where none)
    margin_live: Bools  # margin accounts in the formula with a debit in Item 10


def item_10_debit_balances(s: AccountScope) -> tuple[DebitBasis, Outcome]:
    """Item 10: debit balances in customers' cash and margin accounts "excluding unsecured
    accounts and accounts doubtful of collection", then Note E(4) related parties, Note E(6)
    non-customer owners (reading: e6_bounds), Note E(2) omnibus deficits less calls
    (reading: e2_omnibus)."""
    out = Outcome()
    acc, rows, bal, book_col, live = s.acc, s.rows, s.bal, s.book_col, s.live
    n = len(acc)
    omni = (acc["type"] == "omnibus").to_numpy(dtype=bool)
    e2 = note_e2_deficit_less_calls(acc)
    deb = live & (bal < 0)
    debit = np.where(deb, -bal, 0)
    doubtful = deb & acc["doubtful"].to_numpy(dtype=bool)
    unsecured = np.minimum(acc["unsecured_amount"].to_numpy(dtype=np.int64), debit)
    fully_unsecured = deb & ~doubtful & (unsecured >= debit)
    e4 = note_e4_related_parties(acc, deb & ~doubtful & ~fully_unsecured)
    secured = debit - unsecured
    e6 = note_e6_joint_accounts(acc, deb & ~doubtful & ~fully_unsecured & ~e4, secured)
    out.findings.extend(note_e6_fraction_findings(acc, deb & ~doubtful & ~fully_unsecured & ~e4 & ~e6.whole & ~e6.part,
                                                  secured, book_col))
    out.findings.extend(unsecured_over_debit_findings(acc, deb, debit, book_col))
    after_e6 = secured - e6.share
    e2_cut = np.where(deb & omni, np.minimum(e2, after_e6), 0)  # never below zero (reading: e2_omnibus)
    included = np.where(deb & ~doubtful & ~fully_unsecured & ~e4 & ~e6.whole, after_e6 - e2_cut, 0).astype(np.int64)

    for mask, rule, why in (
        (doubtful, "Item 10", "account doubtful of collection: whole debit excluded"),
        (fully_unsecured, "Item 10", "unsecured account: debit excluded"),
        (e4, "Note E(4)", "debit of a principal's related person or an affiliate, not shown related to credits: excluded"),
        (e6.whole, "Note E(6)", "non-customer ownership over 50%: whole debit excluded"),
    ):
        out.frames.append(dispositions("accounts", rows[mask], book_col[mask], "excluded", 0, rule, why))
        if mask.any() and rule != "Item 10":
            for r in rows[mask][:MAX_LISTED]:
                out.findings.append(Finding(rule, book_col[r], why, int(debit[r]), "accounts", int(r), Severity.INFO))
            more_than_listed(int(mask.sum()), out.findings, rule, "", "accounts", Severity.INFO)
    inc = deb & ~doubtful & ~fully_unsecured & ~e4 & ~e6.whole
    zero_after = inc & (included == 0)
    part_unsec = inc & (unsecured > 0)
    e2_used = inc & (e2_cut > 0)
    why10 = choose(n, "debit balance", (part_unsec, "debit balance less its unsecured part"),
                   (e6.part, "debit balance less the non-customer share (Note E(6))"),
                   (e2_used, "debit balance less omnibus deficit net of calls (Note E(2))"))
    rule10 = choose(n, "Item 10", (e6.part, "Item 10; Note E(6)"), (e2_used, "Item 10; Note E(2)"))
    keep = inc & ~zero_after
    out.frames.append(dispositions("accounts", rows[keep], book_col[keep], "item_10", included[keep], rule10[keep],
                                   why10[keep]))
    out.frames.append(dispositions("accounts", rows[zero_after], book_col[zero_after], "excluded", 0, rule10[zero_after],
                                   "debit fully offset by its deductions (unsecured part, Note E(2) or E(6))"))
    return DebitBasis(included, live & s.is_margin & (included > 0)), out


# A percentage of at most 1 that, read as a fraction (0.2 for 20%), would reach Note E(6)'s 5%:
# 0.05 to 1 percent, in the engine's units of 1/10,000 percent.
_FRACTION_LOW, _FRACTION_HIGH = 500, 10_000


def note_e6_fraction_findings(acc: pd.DataFrame, untouched: Bools, secured: Ints, book_col: pd.Categorical) -> list[Finding]:
    """Note E(6): a non-customer share stated as 0.05 to 1 (percent) on a debit E(6) left whole
    may be a fraction written where the format asks for percent (0.2 meant as 20%: a Parquet
    or CSV file has no percent format to tell; hostile walk-through, deposit needed
    1,603,349.70 -> 1,454,822.42 with no finding). Read as the format says (percent, so under
    5%: no exclusion), and a review finding per such account says what a fraction would mean
    (reading: pct_fraction)."""
    pct = acc["noncustomer_ownership_pct"].to_numpy(dtype=np.int64)
    related_ok = acc["debit_related_to_credits"].to_numpy(dtype=bool)  # E(6) would not apply anyway
    odd = untouched & ~related_ok & (pct >= _FRACTION_LOW) & (pct <= _FRACTION_HIGH)

    def say(r: int) -> tuple[str, int]:
        shown = Decimal(int(pct[r])) / 10_000
        return (f"noncustomer_ownership_pct {shown:f} is read as {shown:f} percent, under 5%, so the debit is not "
                f"reduced; if the book gave a fraction ({shown:f} for {shown * 100:f}%), state it in percent "
                f"({shown * 100:f})", int(secured[r]))

    return _account_findings(acc, odd, "Note E(6)", book_col, say)


def unsecured_over_debit_findings(acc: pd.DataFrame, deb: Bools, debit: Ints, book_col: pd.Categorical) -> list[Finding]:
    """Item 10: an `unsecured_amount` above the account's debit is taken as the whole debit
    (an unsecured account: excluded), which is conservative, but the book contradicts itself:
    a review finding names the account (hostile walk-through: 50,000 on a 12,500 debit)."""
    unsec = acc["unsecured_amount"].to_numpy(dtype=np.int64)
    odd = deb & (unsec > debit)

    def say(r: int) -> tuple[str, int]:
        return (f"unsecured_amount {money.format_display(int(unsec[r]))} is more than its debit "
                f"{money.format_display(int(debit[r]))}: the whole debit is taken as unsecured and excluded", int(debit[r]))

    return _account_findings(acc, odd, "Item 10", book_col, say)


def _account_findings(acc: pd.DataFrame, odd: Bools, rule: str, book_col: pd.Categorical,
                      say: Callable[[int], tuple[str, int]]) -> list[Finding]:
    """A review finding per account in `odd` (MAX_LISTED of them, then a count):
    "account <id>: " + the message `say(row)` gives, with the amount at stake it gives."""
    if not odd.any():
        return []
    ids = acc["account_id"]
    out: list[Finding] = []
    at = np.flatnonzero(odd)
    for r in at[:MAX_LISTED].tolist():
        message, amount = say(r)
        out.append(Finding(rule, book_col[r], f"account {ids.iloc[r]}: {message}", amount, "accounts", int(r),
                           Severity.REVIEW))
    more_than_listed(len(at), out, rule, "", "accounts")
    return out


def fails_allocated(ir: ItemRows, out: Outcome) -> Bools:
    """Rule 15c3-1(a)(1)(ii)(D): an alternative-method firm excludes from Items 11 and 12 the
    fails to deliver and securities borrowed allocated to fails to receive of the same issue,
    and deducts 1% of their contract value from net worth (reading: fails_allocated)."""
    findings, amount, comp = out.findings, ir.amount, ir.comp
    target = texts(ir.it, "allocated_to")
    stated = (ir.k("securities_borrowed") | ir.k("fail_to_deliver")) & (target != None)  # noqa: E711
    if not stated.any():
        return np.zeros(len(ir), dtype=bool)
    if ir.params.net_capital_method != "alternative":
        r = int(np.flatnonzero(stated)[0])
        findings.append(Finding("Rule 15c3-1(a)(1)(ii)(D)", "", f"{int(stated.sum())} fail(s) to deliver or securities "
                                "borrowed are allocated to fails to receive, but the exclusion from Items 11 and 12 is "
                                "for the alternative method: they stay in their lines", None, "items", r, Severity.INFO))
        return np.zeros(len(ir), dtype=bool)
    # only what would otherwise be in Item 11 or 12 is "thereby excluded"
    allocated: Bools = stated & (ir.k("securities_borrowed") | ~ir.over_30)
    for c in ("customer", "pab"):
        m = allocated & (comp == c)
        if not m.any():
            continue
        contract = int(amount[m].sum())
        deduction = money.share(contract, 1, 100, Effect.NET_CAPITAL_DEDUCTION)
        findings.append(Finding("Rule 15c3-1(a)(1)(ii)(D)", c, f"{int(m.sum())} fail(s) to deliver and securities "
                                "borrowed allocated to fails to receive of the same issue are excluded from Items 11 and 12 "
                                f"(contract value {money.format_display(contract)}): deduct 1% of it, "
                                f"{money.format_display(deduction)}, from net worth in computing net capital",
                                deduction, "items", int(np.flatnonzero(m)[0]), Severity.REVIEW))
    return allocated


def items_11_12_borrowed_and_failed(ir: ItemRows) -> Outcome:
    """Item 11: securities borrowed to effectuate short sales by customers and to make delivery
    on customers' fails to deliver. Item 12: fails to deliver of customers' securities not older
    than 30 calendar days. Both less what Rule 15c3-1(a)(1)(ii)(D) takes out."""
    out = Outcome()
    amount, age = ir.amount, ir.age
    allocated = fails_allocated(ir, out)
    sb = ir.k("securities_borrowed")
    ir.add(out, sb & ~allocated, "item_11", amount, "Item 11",
           "securities borrowed for customers' short sales or fails to deliver")
    ftd = ir.k("fail_to_deliver")
    ir.add(out, ftd & ~ir.over_30 & ~allocated, "item_12", amount, "Item 12",
           "fail to deliver not older than 30 calendar days, at contract value")
    ir.add(out, ftd & ir.over_30, "excluded", 0, "Item 12", "fail to deliver older than 30 calendar days: not a debit")
    ir.listed(out, ftd & ir.over_30 & ir.has_date, "Item 12",
              lambda r: f"aged fail to deliver ({age[r]} calendar days) excluded from debits", amount)
    ir.add(out, (sb | (ftd & ~ir.over_30)) & allocated, "excluded", 0, "Rule 15c3-1(a)(1)(ii)(D)",
           "allocated to a fail to receive of the same issue: excluded from Items 11 and 12 (1% of the contract value "
           "is deducted from net worth)")
    return out


def items_13_14_clearing_margin(ir: ItemRows, clearing_organizations: pd.DataFrame | None) -> Outcome:
    """Items 13 and 14 (Notes F, G): margin required and on deposit, to the extent it is cash,
    proprietary qualified securities or letters of credit collateralized by customers'
    securities, counted once per clearing organization up to its requirement
    (reading: clearing_margin_groups); Item 14 only at an organization that meets Note G(b),
    determined within the last year (Note G(c); reading: note_g_annual)."""
    out = Outcome()
    findings, it, amount, req, ids, comp = out.findings, ir.it, ir.amount, ir.req, ir.ids, ir.comp
    occ, fut = ir.k("occ_margin"), ir.k("futures_margin")
    if not (occ.any() or fut.any()):
        return out
    form = it["collateral_form"].to_numpy(dtype=object)
    permitted = np.isin(form, PERMITTED_FORMS)
    org = texts(it, "clearing_org_id")
    named = org != None  # noqa: E711
    qualified_row = it["clearing_org_qualified"].to_numpy(dtype=bool)
    org_ok, org_why = note_g_organizations(clearing_organizations, org, ir.params.as_of)
    qualified = np.where(named, org_ok, qualified_row)
    marked = np.flatnonzero(fut & named & qualified_row & ~org_ok)
    for r in marked[:MAX_LISTED].tolist():
        findings.append(Finding("Note G(b), (c)", comp[r], f"futures margin {ids[r]} is marked clearing_org_qualified, but "
                                f"clearing organization {org[r]} {org_why[r]}: the organization's facts decide",
                                int(amount[r]), "items", int(r), Severity.REVIEW))
    more_than_listed(len(marked), findings, "Note G(b), (c)", "", "items")
    counted = (occ | (fut & qualified)) & permitted
    g = clearing_groups(it, counted, org, amount, req, ids, named_cap="smallest", unnamed_cap="largest", per_row_cap=True)
    line = np.where(occ, "item_13", "item_14")
    for on_line, kind_mask, rule in (("item_13", occ, "Item 13; Note F"), ("item_14", fut, "Item 14; Note G")):
        ir.add(out, counted & kind_mask & (g.alloc > 0), on_line, g.alloc, rule, g.reason_debit)
        ir.add(out, counted & kind_mask & (g.alloc == 0), "excluded", 0, rule,
               np.where(amount > 0, "the clearing organization's requirement is already met by its other deposits: "
                        "nothing more counts", "nothing on deposit"))
    ir.add(out, occ & ~permitted, "excluded", 0, "Note F",
           "margin not in cash, proprietary qualified securities or customer-collateralized letters of credit")
    ir.add(out, fut & ~permitted, "excluded", 0, "Note G(a)",
           "margin not in cash, proprietary qualified securities or customer-collateralized letters of credit")
    ir.add(out, fut & permitted & ~qualified, "excluded", 0, "Note G(b), (c)",
           np.where(named, "clearing organization " + np.where(named, org, "").astype(str) + " " + org_why,
                    "clearing organization not shown to meet Note G(b) within the last year"))
    disagreeing(g, findings, comp, "Notes F, G", "margin", "the smallest (the smaller debit) is used")
    _unnamed_organizations(ir, counted & ~named & (g.size > 1), line, g.total, g.counted, g.cap, findings)
    return out


def _unnamed_organizations(ir: ItemRows, un: Bools, line: Texts, total: Ints, counted: Ints, cap: Ints,
                           findings: list[Finding]) -> None:
    """Rows naming no organization: grouped per computation and line as one organization
    (reading: clearing_margin_groups). Say so wherever several rows were capped together."""
    comp, ids = ir.comp, ir.ids
    seen: set[tuple[str, str]] = set()
    for r in np.flatnonzero(un).tolist():
        key = (comp[r], line[r])
        if key in seen:
            continue
        seen.add(key)
        members = np.flatnonzero(un & (comp == comp[r]) & (line == line[r]))
        names = ", ".join(str(ids[m]) for m in members[:10]) + (" ..." if len(members) > 10 else "")
        taken = int(total[r]) - int(counted[r])
        findings.append(Finding("Notes F, G", comp[r], f"{len(members)} {line[r].replace('_', ' ').title()} rows name no "
                                f"clearing organization ({names}): counted as one organization's deposits, up to the "
                                f"largest requirement they state ({money.format_display(int(cap[r]))})"
                                + (f", which leaves out {money.format_display(taken)}" if taken > 0 else ", which leaves "
                                   "nothing out") + "; give each row its clearing_org_id so each organization has its "
                                "own cap", taken, "items", int(members[0]), Severity.REVIEW))


def note_g_organizations(co: pd.DataFrame | None, org: Texts, as_of: date) -> tuple[Bools, Texts]:
    """Per item row naming a clearing organization: does the organization meet Note G(b)
    (1)-(3), determined within the year before as_of (Note G(c))? And if not, why."""
    n = len(org)
    ok = np.zeros(n, dtype=bool)
    why = np.full(n, "", dtype=object)
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


def clearing_organization_rows(co: pd.DataFrame | None, items: pd.DataFrame, as_of: date) -> Outcome:
    """Every row of `clearing_organizations` accounted for (rows in = used + excluded): a row
    named by an item row (`items.clearing_org_id`: Note B's letters of credit, Items 13 and
    14) is used as the reference of those rows, with its Note G(b), (c) standing; a row no
    item row names has no effect on the computation and is excluded, saying so."""
    if co is None or not len(co):
        return Outcome()
    ids = text_values(co["clearing_org_id"])
    named = texts(items, "clearing_org_id") if "clearing_org_id" in items.columns and len(items) else np.array([], dtype=object)
    named = named[named != None]  # noqa: E711
    uses, counts = np.unique(named.astype(str), return_counts=True) if len(named) else (np.array([], dtype=str), np.array([], dtype=np.int64))
    pos = pd.Index(uses).get_indexer(ids)
    n_named = np.where(pos >= 0, counts[np.maximum(pos, 0)] if len(counts) else 0, 0)
    ok, why = note_g_organizations(co, ids, as_of)
    kind = co["kind"].to_numpy(dtype=object)
    standing = np.where(kind == "occ", "the Options Clearing Corporation (Item 13, Note F)",
                        np.where(ok, "meets Note G(b), determined within the year before as_of (Note G(c))",
                                 "for Item 14: it " + why.astype(str)))
    used = n_named > 0
    reason = np.where(used, "clearing organization named by " + n_named.astype(str) + " item row(s); " + standing,
                      "named by no item row: no effect on the computation")
    rows = np.arange(len(co))
    out = Outcome()
    out.frames.append(dispositions("clearing_organizations", rows[used], "", "clearing_org_test", 0,
                                   "Notes B, F, G", reason[used]))
    out.frames.append(dispositions("clearing_organizations", rows[~used], "", "excluded", 0, "Notes B, F, G",
                                   reason[~used]))
    return out


def _a_year_before(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # February 29
        return d.replace(year=d.year - 1, day=28)


def other_debits(ir: ItemRows) -> Outcome:
    """FOCUS "Other debits" (box 4469): each one needs support, so each is listed for review."""
    out = Outcome()
    amount, comp = ir.amount, ir.comp
    od_mask = ir.k("other_debit")
    ir.add(out, od_mask, "other_debits", amount, "FOCUS Other debits (box 4469)",
           ir.it["description"].fillna("").to_numpy(dtype=object))
    described = text_values(ir.it["description"])
    for r in ir.rows[od_mask].tolist():
        out.findings.append(Finding("Other debits", comp[r], f"other debit needs support: {described[r]}",
                                    int(amount[r]), "items", int(r), Severity.REVIEW))
    return out
