"""Item 1 (credit balances) and Item 10 (debit balances) with Note E, from `accounts` and
`collateral`.

Order of application, per account, then per group:
  1. outside both computations: `noncustomer` rows; cross-margin accounts under the
     April 15, 2026 order (when the firm attests its three conditions);
  2. credit balances -> Item 1 (Note E(2): an omnibus credit is increased by the deficit
     less calls);
  3. debit balances -> Item 10, "excluding unsecured accounts and accounts doubtful of
     collection", then Note E(4) related parties, Note E(6) non-customer owners, Note E(2)
     omnibus deficits;
  4. group reductions of Item 10: Note E(1) concentration (customer only, PAB Note 3; each
     security's reduction attributed to its holders pro rata to their debits, no account
     losing more than its debit) and then Note E(5) single-customer concentration on the
     debits left after Note E(1).
Readings of open wording live in `readings.py`.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from .. import keys, money
from ..money import Effect
from ..calendar import BusinessCalendar
from .model import Finding, adjustment, choose, dispositions

PCT_100 = 1_000_000  # pct columns are in 1/10,000 of a percent
PCT_5 = 50_000
PCT_50 = 500_000
E5_MINIMUM = 5_000_000  # $50,000 in cents (Note E(5))


def accounts_and_collateral(book, cal: BusinessCalendar):
    """Returns (dispositions, findings, e1_tested: bool)."""
    p = book.params
    acc = book.tables["accounts"]
    col = book.tables["collateral"]
    n = len(acc)
    rows = np.arange(n, dtype=np.int64)
    frames: list[pd.DataFrame] = []
    findings: list[Finding] = []

    bal = acc["balance"].to_numpy(dtype=np.int64)
    # enums arrive as categoricals: compare their codes, never a Python string per row. Each
    # row is in exactly one computation, by its book (PAB Note 2; reading: pab_note2).
    book_col = acc["book"].array  # Categorical; book_col[mask] keeps it categorical
    is_customer = (acc["book"] == "customer").to_numpy(dtype=bool)
    is_pab = (acc["book"] == "pab").to_numpy(dtype=bool)
    is_margin = (acc["type"] == "margin").to_numpy(dtype=bool)

    # 1. Outside both computations: non-customers, and a broker-dealer's accounts that are not
    # PAB accounts -- delivery-versus-payment, receipt-versus-payment, subordinated to the
    # claims of creditors (Rule 15c3-3(a)(16); reading: not_pab_accounts), whether the book
    # puts them in `pab` or `noncustomer` (validation refuses a `customer` row with a reason).
    noncust = (acc["book"] == "noncustomer").to_numpy(dtype=bool)
    not_pab = (acc["non_pab_reason"].notna().to_numpy(dtype=bool) if "non_pab_reason" in acc.columns
               else np.zeros(n, dtype=bool)) & (noncust | is_pab)
    is_pab = is_pab & ~not_pab
    in_formula = is_customer | is_pab
    plain = noncust & ~not_pab
    frames.append(dispositions("accounts", rows[plain], "", "excluded", 0,
                               "Rule 15c3-3(a)(1) (definition of customer)",
                               "non-customer account: outside the customer and PAB computations"))
    bd = not_pab
    if bd.any():
        why = acc["non_pab_reason"].to_numpy(dtype=object)
        frames.append(dispositions("accounts", rows[bd], "", "excluded", 0, "Rule 15c3-3(a)(16) (definition of PAB account)",
                                   choose(int(bd.sum()), "a broker-dealer's account subordinated to the claims of creditors: "
                                          "not a PAB account, outside both computations",
                                          (why[bd] == "delivery_versus_payment", "a broker-dealer's delivery-versus-payment "
                                           "account: not a PAB account, outside both computations"),
                                          (why[bd] == "receipt_versus_payment", "a broker-dealer's receipt-versus-payment "
                                           "account: not a PAB account, outside both computations"))))
    # The order exempts *customer* cross-margin accounts; a PAB account marked cross_margin
    # stays in the PAB computation (reading: cross_margin).
    xm_flag = acc["cross_margin"].to_numpy(dtype=bool)
    xm = xm_flag & is_customer
    if (xm_flag & is_pab).any():
        findings.append(Finding("Cross-margining order, April 15, 2026", "pab",
                                f"{int((xm_flag & is_pab).sum())} PAB account(s) marked cross_margin stay in the PAB "
                                "computation: the order covers customer accounts", None, "", None, "review"))
    xm_ok = p.cross_margin_dual_registrant and p.cross_margin_joint_member and p.cross_margin_conditions_met
    if xm.any():
        if xm_ok:
            frames.append(dispositions("accounts", rows[xm], book_col[xm], "excluded", 0,
                                       "Cross-margining order, April 15, 2026",
                                       "customer cross-margin account: outside the reserve formula while the order's conditions are met"))
            for r in rows[xm][:200]:
                findings.append(Finding("Cross-margining order, April 15, 2026", book_col[r],
                                        "cross-margin account excluded from the computation", int(bal[r]), "accounts", int(r), "info"))
        else:
            missing = [n_ for n_, v in (("cross_margin_dual_registrant", p.cross_margin_dual_registrant),
                                        ("cross_margin_joint_member", p.cross_margin_joint_member),
                                        ("cross_margin_conditions_met", p.cross_margin_conditions_met)) if not v]
            findings.append(Finding("Cross-margining order, April 15, 2026", "",
                                    f"{int(xm.sum())} account(s) marked cross_margin stay in the computation because "
                                    f"the firm does not attest: {', '.join(missing)}", None, "", None, "review"))
            xm = np.zeros(n, dtype=bool)
    live = in_formula & ~xm

    # 2. Credits -> Item 1. Note E(2): an omnibus credit "must be increased" by the deficit less
    # calls (reading: e2_omnibus).
    omni = (acc["type"] == "omnibus").to_numpy(dtype=bool)
    e2 = np.maximum(acc["omnibus_deficit"].to_numpy(dtype=np.int64) - acc["omnibus_calls_5bd"].to_numpy(dtype=np.int64), 0)
    credit = live & (bal > 0)
    omni_credit_side = live & omni & (bal >= 0) & (e2 > 0)
    c_rows = credit | omni_credit_side
    amt1 = np.where(omni_credit_side, bal + e2, bal)
    e2_side = omni_credit_side[c_rows]
    frames.append(dispositions("accounts", rows[c_rows], book_col[c_rows], "item_1", amt1[c_rows],
                               choose(len(e2_side), "Item 1", (e2_side, "Item 1; Note E(2)")),
                               choose(len(e2_side), "credit balance",
                                      (e2_side, "omnibus credit balance increased by deficit less calls (Note E(2))"))))
    zero = live & (bal == 0) & ~omni_credit_side  # (reading: zero_balances)
    frames.append(dispositions("accounts", rows[zero], book_col[zero], "excluded", 0, "Items 1 and 10",
                               "zero balance: nothing to include"))

    # 3. Debits -> Item 10, after exclusions.
    deb = live & (bal < 0)
    debit = np.where(deb, -bal, 0)
    doubtful = deb & acc["doubtful"].to_numpy(dtype=bool)
    unsecured = np.minimum(acc["unsecured_amount"].to_numpy(dtype=np.int64), debit)
    fully_unsecured = deb & ~doubtful & (unsecured >= debit)
    related_ok = acc["debit_related_to_credits"].to_numpy(dtype=bool)
    rp = acc["related_party"].isin(("principal", "affiliate")).to_numpy(dtype=bool)
    e4 = deb & ~doubtful & ~fully_unsecured & rp & ~related_ok
    pct = acc["noncustomer_ownership_pct"].to_numpy(dtype=np.int64)
    secured = debit - unsecured
    e6_all = deb & ~doubtful & ~fully_unsecured & ~e4 & (pct > PCT_50) & ~related_ok
    e6_part = deb & ~doubtful & ~fully_unsecured & ~e4 & ~e6_all & (pct >= PCT_5) & ~related_ok
    # Note E(6) 5%-50%: exclude the non-customer share of the debit after its unsecured part
    # (an exclusion from debits; reading: e6_bounds).
    e6_share = np.zeros(n, dtype=np.int64)
    e6_share[e6_part] = money.share(secured[e6_part], pct[e6_part], PCT_100, Effect.REDUCES_DEBITS)  # (only those rows)
    after_e6 = secured - e6_share
    e2_cut = np.where(deb & omni, np.minimum(e2, after_e6), 0)  # never below zero (reading: e2_omnibus)
    included = np.where(deb & ~doubtful & ~fully_unsecured & ~e4 & ~e6_all, after_e6 - e2_cut, 0)

    for mask, rule, why in (
        (doubtful, "Item 10", "account doubtful of collection: whole debit excluded"),
        (fully_unsecured, "Item 10", "unsecured account: debit excluded"),
        (e4, "Note E(4)", "debit of a principal's related person or an affiliate, not shown related to credits: excluded"),
        (e6_all, "Note E(6)", "non-customer ownership over 50%: whole debit excluded"),
    ):
        frames.append(dispositions("accounts", rows[mask], book_col[mask], "excluded", 0, rule, why))
        if mask.any() and rule != "Item 10":
            for r in rows[mask][:200]:
                findings.append(Finding(rule, book_col[r], why, int(debit[r]), "accounts", int(r), "info"))
    inc = deb & ~doubtful & ~fully_unsecured & ~e4 & ~e6_all
    zero_after = inc & (included == 0)
    part_unsec = inc & (unsecured > 0)
    e2_used = inc & (e2_cut > 0)
    why10 = choose(n, "debit balance", (part_unsec, "debit balance less its unsecured part"),
                   (e6_part, "debit balance less the non-customer share (Note E(6))"),
                   (e2_used, "debit balance less omnibus deficit net of calls (Note E(2))"))
    rule10 = choose(n, "Item 10", (e6_part, "Item 10; Note E(6)"), (e2_used, "Item 10; Note E(2)"))
    keep = inc & ~zero_after
    frames.append(dispositions("accounts", rows[keep], book_col[keep], "item_10", included[keep], rule10[keep], why10[keep]))
    frames.append(dispositions("accounts", rows[zero_after], book_col[zero_after], "excluded", 0, rule10[zero_after],
                               "debit fully offset by its deductions (unsecured part, Note E(2) or E(6))"))

    # 4a. Note E(1) — customer computation only (PAB Note 3).
    e1_frames, e1_findings, e1_tested, e1 = _note_e1(acc, col, book.links, included,
                                                     live & is_margin & (included > 0) & is_customer, book_col)
    frames.extend(e1_frames)
    findings.extend(e1_findings)

    # 4b. Note E(5), on the debits left after Note E(1) (reading: e5_parenthetical).
    e5_frames, e5_findings = _note_e5(book, cal, acc, included, live & is_margin & (included > 0), book_col, e1)
    frames.extend(e5_frames)
    findings.extend(e5_findings)
    return frames, findings, e1_tested


def _note_e1(acc, col, links, included, margin_live, book_col):
    """Note E(1): concentration in a specific security across customer margin accounts."""
    frames: list[pd.DataFrame] = []
    findings: list[Finding] = []
    ncol = len(col)
    crow = np.arange(ncol, dtype=np.int64)
    if ncol == 0:
        return frames, findings, False, None
    # map collateral rows to account positions (margin accounts only; (account_id, type) is
    # unique, so each margin account id appears once)
    found = links.get(keys.COLLATERAL_MARGIN_ACCOUNT)
    if found is None or len(found) != ncol:
        found = keys.margin_account_positions(acc, col)
    known = found >= 0
    pos_i = np.where(known, found, 0).astype(np.int64)
    tested = known & margin_live[pos_i]
    acc_pab = (acc["book"] == "pab").to_numpy(dtype=bool)
    pab = known & acc_pab[pos_i]
    other = ~tested & ~pab
    frames.append(dispositions("collateral", crow[pab], "pab", "excluded", 0, "PAB Note 3",
                               "Note E(1) does not apply to the PAB computation"))
    # the computation of the account named (blank when the account is unknown)
    other_comp = book_col[pos_i[other]].add_categories([""]) if "" not in book_col.categories else book_col[pos_i[other]]
    other_comp[~known[other]] = ""
    frames.append(dispositions("collateral", crow[other], other_comp, "excluded", 0,
                               "Note E(1)", "account has no debit in Item 10: not collateral for a margin debit"))
    if not tested.any():
        return frames, findings, True, None
    # group on integer codes of the security ids (sorted, so the output order is the ids' order)
    sec_codes, sec_ids = pd.factorize(col["security_id"][tested], sort=True)
    sec_ids = np.asarray(sec_ids, dtype=object)
    sec_codes = np.asarray(sec_codes, dtype=np.int64)
    crow_t, apos_t = crow[tested], pos_i[tested]
    mv_t = col["market_value"].to_numpy(dtype=np.int64)[tested]
    exempt_t = col["exempted"].to_numpy(dtype=bool)[tested]
    n_sec = len(sec_ids)
    # 140% of the account's debit, each security in the account capped separately (reading:
    # e1_debit_basis). Group the rows by (account, security) by sorting one integer key (a
    # hash table over millions of pairs is several times slower), then reduce each run.
    pair = apos_t * n_sec + sec_codes
    order = np.argsort(pair)
    sorted_pair = pair[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_pair[1:] != sorted_pair[:-1])))
    g_mv = np.add.reduceat(mv_t[order], starts)
    g_exempt = np.logical_or.reduceat(exempt_t[order], starts)
    g_apos, g_sec = apos_t[order][starts], sec_codes[order][starts]
    g_debit = included[g_apos]
    # "not more than 140 percent" of the debit: the cap feeds both a security's excess and the
    # 15% base, so the rule's words decide (reading: rounding)
    capped = np.minimum(g_mv, money.share(g_debit, 140, 100, Effect.NOT_MORE_THAN))
    total = int(capped.sum())
    threshold = money.share(total, 15, 100, Effect.THRESHOLD)  # 15% of all collateral value
    # per security: capped value, exempted (any row), and the debits of the accounts holding it
    value = np.zeros(n_sec, dtype=np.int64)
    np.add.at(value, g_sec, capped)
    debits = np.zeros(n_sec, dtype=np.int64)
    np.add.at(debits, g_sec, g_debit)
    exempt = np.zeros(n_sec, dtype=bool)
    exempt[g_sec[g_exempt]] = True
    frames.append(dispositions("collateral", crow_t, "customer", "note_e1_test", 0, "Note E(1)",
                               "collateral for a margin debit (Note E(1) concentration test; value capped at 140% of the account's debit)",
                               pd.Categorical.from_codes(sec_codes, categories=pd.Index(sec_ids, dtype=object))))
    concentrated = np.flatnonzero(~exempt & (value > threshold))  # a handful, in id order
    reductions: dict[int, int] = {}
    for code in concentrated:
        sec, sec_value, sec_debits = sec_ids[code], int(value[code]), int(debits[code])
        excess = sec_value - threshold
        reduction = min(excess, sec_debits)
        reductions[int(code)] = reduction
        frames.append(adjustment("customer", "item_10", -reduction, "Note E(1)",
                                 f"concentration in security {sec}: collateral value {money.format_display(sec_value)} "
                                 f"exceeds 15% of all margin collateral ({money.format_display(threshold)}) by "
                                 f"{money.format_display(excess)}; reduction capped at the debits it collateralizes "
                                 f"({money.format_display(sec_debits)})", str(sec)))
        findings.append(Finding("Note E(1)", "customer",
                                f"security {sec} is concentrated: Item 10 reduced by {money.format_display(reduction)}",
                                reduction, "", None, "review"))
    if not reductions:
        return frames, findings, True, None
    held = np.isin(g_sec, concentrated)
    e1 = E1Shares(g_apos[held], g_sec[held], reductions, {c: int(debits[c]) for c in reductions})
    frames.extend(_e1_account_cap(e1, included, acc, findings))
    return frames, findings, True, e1


class E1Shares:
    """Note E(1) reductions attributed to the accounts holding each concentrated security,
    pro rata to their debits (reading: e1_debit_basis): account a's share of security S's
    reduction R_S is R_S x d_a / D_S, D_S the debits of all accounts holding S. One
    security's shares never exceed an account's debit (R_S <= D_S); several can."""

    SCALE = 1 << 20

    def __init__(self, apos: np.ndarray, sec: np.ndarray, reductions: dict[int, int], debits: dict[int, int]):
        self.apos, self.sec, self.reductions, self.debits = apos, sec, reductions, debits

    def of(self, positions: np.ndarray, included: np.ndarray) -> dict[int, Fraction]:
        """Exact share of each account in `positions` (only those holding a concentrated security)."""
        pick = np.isin(self.apos, positions)
        out: dict[int, Fraction] = {}
        for a, s in zip(self.apos[pick].tolist(), self.sec[pick].tolist()):  # a few rows
            out[a] = out.get(a, Fraction(0)) + Fraction(self.reductions[s] * int(included[a]), self.debits[s])
        return out

    def over_debit(self) -> np.ndarray:
        """Positions of the accounts whose shares may exceed their debit: sum of R_S / D_S
        over the securities they hold above 1 (a fixed-point upper bound; exact test after)."""
        w = np.zeros(int(self.sec.max()) + 1, dtype=np.int64)
        for s, r in self.reductions.items():
            w[s] = r * self.SCALE // self.debits[s] + 1  # rounded up: an upper bound
        bound = np.zeros(int(self.apos.max()) + 1, dtype=np.int64)
        np.add.at(bound, self.apos, w[self.sec])
        return np.flatnonzero(bound > self.SCALE)


def _e1_account_cap(e1: E1Shares, included: np.ndarray, acc, findings: list) -> list[pd.DataFrame]:
    """Note E(1): "the required reduction must not be in excess of the amounts of the debit
    balance required to be excluded because of this concentration rule" -- an account
    holding several concentrated securities never loses more than its whole debit."""
    maybe = e1.over_debit()
    if not len(maybe):
        return []
    shares = e1.of(maybe, included)
    # What is given back adds to Item 10 (Effect.ADDS_TO_DEBITS; reading: rounding).
    back = {a: money.share((v - int(included[a])).numerator, 1, (v - int(included[a])).denominator, Effect.ADDS_TO_DEBITS)
            for a, v in sorted(shares.items()) if v > int(included[a])}
    back = {a: amount for a, amount in back.items() if amount > 0}
    if not back:
        return []
    total = sum(back.values())
    ids = acc["account_id"]
    for a, amount in list(back.items())[:200]:
        findings.append(Finding("Note E(1)", "customer",
                                f"account {ids.iloc[a]}: its shares of the concentration reductions exceed its debit "
                                f"{money.format_display(int(included[a]))} by {money.format_display(amount)}; limited to the debit",
                                amount, "accounts", int(a), "review"))
    return [adjustment("customer", "item_10", total, "Note E(1)",
                       f"the concentration reductions attributed to {len(back)} account(s) exceed their debits by "
                       f"{money.format_display(total)}: each account's reduction limited to its debit", "")]


def _note_e5(book, cal: BusinessCalendar, acc, included, margin_live, book_col, e1: E1Shares | None = None):
    """Note E(5): a single customer's margin debits over 25% of tentative net capital, in the
    customer and the PAB computations (PAB Notes 3 and 4 remove only E(1) and E(3))
    (reading: e5_applies_to_pab)."""
    frames: list[pd.DataFrame] = []
    findings: list[Finding] = []
    p = book.params
    subject = margin_live & ~acc["debit_related_to_credits"].to_numpy(dtype=bool)
    if not subject.any() or p.tentative_net_capital is None:
        return frames, findings
    threshold = money.share(max(p.tentative_net_capital, 0), 25, 100, Effect.THRESHOLD)
    # Sum each customer's debits on integer codes first, and keep only the customers whose
    # excess is over $50,000 (a handful out of millions) for the rest of the test.
    cust, n_cust = keys.factorize(acc["customer_id"][subject])
    comp_code = np.asarray(book_col[subject].codes, dtype=np.int64)
    n_comp = len(book_col.categories)
    group = np.where(cust >= 0, cust * n_comp + comp_code, -1)
    sums = np.zeros(max(n_cust * n_comp, 1), dtype=np.int64)
    np.add.at(sums, group[group >= 0], included[subject][group >= 0])
    over = np.flatnonzero((sums - threshold) > E5_MINIMUM)
    candidates = np.flatnonzero(subject)[np.isin(group, over)]
    subject = np.zeros(len(subject), dtype=bool)
    subject[candidates] = True
    # The candidates' debits after Note E(1): less each account's share of the concentration
    # reductions (taken off before E(5) is measured: Effect.REDUCES_A_DEBIT_REDUCTION), never
    # below zero (reading: e1_debit_basis).
    debit = included[subject]  # (a copy: the candidates only)
    e1_share = np.zeros(len(debit), dtype=np.int64)
    if e1 is not None:
        for a, share in e1.of(candidates, included).items():
            e1_share[np.searchsorted(candidates, a)] = min(
                money.share(share.numerator, 1, share.denominator, Effect.REDUCES_A_DEBIT_REDUCTION), int(included[a]))
    d = pd.DataFrame({
        "computation": book_col[subject],
        "customer_id": acc["customer_id"][subject].to_numpy(),
        "debit": debit - e1_share,
        "e1_share": e1_share,
        "exc": acc["e5_exception"].array[subject],
        "exc_amount": acc["e5_exception_amount"].to_numpy(dtype=np.int64)[subject],
        "exc_date": acc["e5_exception_date"].to_numpy()[subject],
    })
    as_of = pd.Timestamp(p.as_of)
    # DEA exceptions, per customer (reading: e5_exception). 'requested': included for five
    # business days counting the day of the request.
    in_window = np.zeros(len(d), dtype=bool)
    req = (d["exc"] == "requested").to_numpy() & ~pd.isna(d["exc_date"]).to_numpy()
    if req.any():
        starts = d.loc[req, "exc_date"].to_numpy().astype("datetime64[D]")
        ends = np.full(len(starts), np.datetime64(p.as_of, "D") + np.timedelta64(1, "D"))
        counted = cal.busday_count(starts, ends)
        in_window[req] = (counted >= 0) & (counted <= 5) & (starts <= np.datetime64(p.as_of, "D"))
    d["plenary"] = d["exc"] == "plenary"
    d["window"] = in_window
    d["partial_amt"] = np.where(d["exc"] == "partial", d["exc_amount"], 0)
    d["requested"] = d["exc"] == "requested"
    g = d.groupby(["computation", "customer_id"], sort=True, observed=True).agg(
        debit=("debit", "sum"), e1_share=("e1_share", "sum"), plenary=("plenary", "max"), window=("window", "max"),
        partial_amt=("partial_amt", "sum"), requested=("requested", "max"))
    g = g.reset_index()
    # Only customers whose excess is over $50,000 are looked at one by one (a handful, at any size).
    g = g[(g["debit"] - threshold) > E5_MINIMUM]
    for _, r in g.iterrows():
        excess = int(r["debit"]) - threshold
        comp, cust = r["computation"], r["customer_id"]
        after = (f" (after {money.format_display(int(r['e1_share']))} of Note E(1) concentration reductions)"
                 if r["e1_share"] > 0 else "")
        head = (f"customer {cust}: margin debits {money.format_display(int(r['debit']))}{after} exceed 25% of tentative net "
                f"capital ({money.format_display(threshold)}) by {money.format_display(excess)}")
        if r["plenary"]:
            findings.append(Finding("Note E(5)", comp, head + "; plenary DEA exception: no reduction", excess, "", None, "review"))
            continue
        if r["window"]:
            findings.append(Finding("Note E(5)", comp, head + "; DEA exception requested: included for five business days "
                                    "from the request, no reduction yet", excess, "", None, "severe"))
            continue
        reduction = excess
        note = ""
        if r["partial_amt"] > 0:
            reduction = max(0, excess - int(r["partial_amt"]))
            note = f"; partial DEA exception of {money.format_display(int(r['partial_amt']))}"
        elif r["requested"]:
            note = "; the five business days of the pending DEA request have passed"
        if reduction > 0:
            frames.append(adjustment(comp, "item_10", -reduction, "Note E(5)", head + note, str(cust)))
        findings.append(Finding("Note E(5)", comp, head + note + f": Item 10 reduced by {money.format_display(reduction)}",
                                reduction, "", None, "review"))
    return frames, findings
