"""Note E: the reductions and exclusions of Item 10 (debit balances in customers' accounts).

  E(1) concentration in one security across margin accounts: `note_e1_concentration`
       (customer computation only, PAB Note 3);
  E(2) special omnibus accounts, deficit less calls: `note_e2_deficit_less_calls`;
  E(3) 1% of Item 10 for a basic-method firm: `note_e3_one_percent` (PAB Note 4: not in the
       PAB computation; applied by computation.debit_reduction);
  E(4) household members and principals, affiliates: `note_e4_related_parties`;
  E(5) a single customer's margin debits over 25% of tentative net capital:
       `note_e5_single_customer` (both computations, reading: e5_applies_to_pab);
  E(6) joint and custodian accounts with non-customer interests: `note_e6_joint_accounts`.
Applied per account by debits.item_10_debit_balances (E(2), E(4), E(6)), then per group of
accounts (E(1), then E(5) on the debits left after E(1)).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd

from .. import keys, money
from ..calendar import BusinessCalendar
from ..keys import Links
from ..money import Effect
from .inputs import Bools, Ints, Params, Texts
from .model import MAX_LISTED, Finding, Outcome, Severity, adjustment, dispositions, more_than_listed
from .pab import pab_note_3_no_concentration_test

PCT_100 = 1_000_000  # pct columns are in 1/10,000 of a percent
PCT_5 = 50_000
PCT_50 = 500_000
E5_MINIMUM = 5_000_000  # $50,000 in cents (Note E(5))


def note_e2_deficit_less_calls(acc: pd.DataFrame) -> Ints:
    """Note E(2): a special omnibus account's deficit less calls outstanding five business
    days or less, never below zero (reading: e2_omnibus). It reduces the omnibus account's
    debit (debits.item_10_debit_balances) or "must be increased" on its credit
    (credits.item_1_credit_balances)."""
    out: Ints = np.maximum(acc["omnibus_deficit"].to_numpy(dtype=np.int64)
                           - acc["omnibus_calls_5bd"].to_numpy(dtype=np.int64), 0)
    return out


def note_e3_one_percent(item_10: int) -> int:
    """Note E(3): aggregate debits reduced by 1% of Item 10 (basic method). A reduction of
    debits: its fraction of a cent rounds up (reading: rounding)."""
    return int(money.share(max(0, item_10), 1, 100, Effect.REDUCES_DEBITS))


def note_e4_related_parties(acc: pd.DataFrame, candidates: Bools) -> Bools:
    """Note E(4): debits of a principal's related persons or an affiliate are excluded unless
    shown related to credits. `candidates`: the debits still in Item 10."""
    related_ok = acc["debit_related_to_credits"].to_numpy(dtype=bool)
    rp = acc["related_party"].isin(("principal", "affiliate")).to_numpy(dtype=bool)
    out: Bools = candidates & rp & ~related_ok
    return out


@dataclass
class NoteE6:
    """Note E(6) per account: the debits excluded whole, those reduced, and by how much."""

    whole: Bools  # non-customer ownership over 50%: whole debit excluded
    part: Bools  # 5% to 50%: the non-customer share excluded
    share: Ints  # the non-customer share of the secured debit (0 elsewhere)


def note_e6_joint_accounts(acc: pd.DataFrame, candidates: Bools, secured: Ints) -> NoteE6:
    """Note E(6): joint and custodian accounts with non-customer interests. Over 50%: the whole
    debit; 5%-50%: the non-customer share of the debit after its unsecured part (an exclusion
    from debits, rounded up); unless the debit is demonstrated related to credits
    (reading: e6_bounds)."""
    related_ok = acc["debit_related_to_credits"].to_numpy(dtype=bool)
    pct = acc["noncustomer_ownership_pct"].to_numpy(dtype=np.int64)
    whole = candidates & (pct > PCT_50) & ~related_ok
    part = candidates & ~whole & (pct >= PCT_5) & ~related_ok
    share = np.zeros(len(acc), dtype=np.int64)
    share[part] = money.share(secured[part], pct[part], PCT_100, Effect.REDUCES_DEBITS)  # (only those rows)
    return NoteE6(whole, part, share)


# --------------------------------------------------------------------------- Note E(1)


class E1Shares:
    """Note E(1) reductions attributed to the accounts holding each concentrated security,
    pro rata to their debits (reading: e1_debit_basis): account a's share of security S's
    reduction R_S is R_S x d_a / D_S, D_S the debits of all accounts holding S. One
    security's shares never exceed an account's debit (R_S <= D_S); several can."""

    SCALE = 1 << 20

    def __init__(self, apos: Ints, sec: Ints, reductions: dict[int, int], debits: dict[int, int]):
        self.apos, self.sec, self.reductions, self.debits = apos, sec, reductions, debits

    def of(self, positions: Ints, included: Ints) -> dict[int, Fraction]:
        """Exact share of each account in `positions` (only those holding a concentrated security)."""
        pick = np.isin(self.apos, positions)
        out: dict[int, Fraction] = {}
        for a, s in zip(self.apos[pick].tolist(), self.sec[pick].tolist(), strict=True):  # a few rows
            out[a] = out.get(a, Fraction(0)) + Fraction(self.reductions[s] * int(included[a]), self.debits[s])
        return out

    def over_debit(self) -> Ints:
        """Positions of the accounts whose shares may exceed their debit: sum of R_S / D_S
        over the securities they hold above 1 (a fixed-point upper bound; exact test after)."""
        w = np.zeros(int(self.sec.max()) + 1, dtype=np.int64)
        for s, r in self.reductions.items():
            w[s] = r * self.SCALE // self.debits[s] + 1  # rounded up: an upper bound
        bound = np.zeros(int(self.apos.max()) + 1, dtype=np.int64)
        np.add.at(bound, self.apos, w[self.sec])
        out: Ints = np.flatnonzero(bound > self.SCALE)
        return out


@dataclass
class NoteE1:
    """What Note E(1) did: its dispositions and findings, whether it could be tested (the book
    has a collateral table), and the reductions attributed to accounts (None if none)."""

    outcome: Outcome
    tested: bool
    shares: E1Shares | None


def note_e1_concentration(acc: pd.DataFrame, col: pd.DataFrame, links: Links, included: Ints,
                          margin_live: Bools, book_col: pd.Categorical) -> NoteE1:
    """Note E(1): margin debits reduced by the market value of a specific security, held as
    collateral across customer margin accounts, in excess of 15% of all such collateral -- the
    reduction never more than the debits that security collateralizes. `included`: each
    account's Item 10 debit; `margin_live`: customer margin accounts with a debit in Item 10
    (PAB Note 3: the PAB computation is not tested)."""
    out = Outcome()
    if len(col) == 0:
        return NoteE1(out, False, None)
    tested, pos_i = _e1_collateral(acc, col, links, margin_live, book_col, out.frames)
    if not tested.any():
        return NoteE1(out, True, None)
    v = _E1Values.of(col, tested, pos_i, included)
    out.frames.append(dispositions("collateral", np.flatnonzero(tested).astype(np.int64), "customer", "note_e1_test", 0,
                                   "Note E(1)", "collateral for a margin debit (Note E(1) concentration test; value "
                                   "capped at 140% of the account's debit)",
                                   pd.Categorical.from_codes(v.sec_codes, categories=pd.Index(v.sec_ids, dtype=object))))
    out.findings.extend(_repeat_findings(col, np.flatnonzero(tested).astype(np.int64), v))
    concentrated = np.flatnonzero(~v.exempt & (v.value > v.threshold))  # a handful, in id order
    reductions: dict[int, int] = {}
    for code in concentrated:
        sec, sec_value, sec_debits = v.sec_ids[code], int(v.value[code]), int(v.debits[code])
        excess = sec_value - v.threshold
        reduction = min(excess, sec_debits)
        reductions[int(code)] = reduction
        out.frames.append(adjustment("customer", "item_10", -reduction, "Note E(1)",
                                     f"concentration in security {sec}: collateral value "
                                     f"{money.format_display(sec_value)} exceeds 15% of all margin collateral "
                                     f"({money.format_display(v.threshold)}) by {money.format_display(excess)}; "
                                     f"reduction capped at the debits it collateralizes "
                                     f"({money.format_display(sec_debits)})", str(sec)))
        out.findings.append(Finding("Note E(1)", "customer",
                                    f"security {sec} is concentrated: Item 10 reduced by {money.format_display(reduction)}",
                                    reduction, "", None, Severity.REVIEW))
    if not reductions:
        return NoteE1(out, True, None)
    held = np.isin(v.g_sec, concentrated)
    e1 = E1Shares(v.g_apos[held], v.g_sec[held], reductions, {c: int(v.debits[c]) for c in reductions})
    out.frames.extend(_e1_account_cap(e1, included, acc, out.findings))
    return NoteE1(out, True, e1)


def _e1_collateral(acc: pd.DataFrame, col: pd.DataFrame, links: Links, margin_live: Bools,
                   book_col: pd.Categorical, frames: list[pd.DataFrame]) -> tuple[Bools, Ints]:
    """Note E(1)'s collateral: the rows of margin accounts with a debit in Item 10 are tested;
    those of PAB accounts are excluded (PAB Note 3), the rest excluded as collateral for no
    margin debit. Returns the rows tested and each row's account position."""
    crow = np.arange(len(col), dtype=np.int64)
    # map collateral rows to account positions (margin accounts only; (account_id, type) is
    # unique, so each margin account id appears once)
    found = links.get(keys.COLLATERAL_MARGIN_ACCOUNT)
    if found is None or len(found) != len(col):
        found = keys.margin_account_positions(acc, col)
    found_a: Ints = np.asarray(found, dtype=np.int64)
    known = found_a >= 0
    pos_i: Ints = np.where(known, found_a, 0).astype(np.int64)
    tested: Bools = known & margin_live[pos_i]
    acc_pab = (acc["book"] == "pab").to_numpy(dtype=bool)
    pab = known & acc_pab[pos_i]
    other = ~tested & ~pab
    frames.append(pab_note_3_no_concentration_test(crow[pab]))
    # the computation of the account named (blank when the account is unknown)
    other_comp = book_col[pos_i[other]].add_categories([""]) if "" not in book_col.categories else book_col[pos_i[other]]
    other_comp[~known[other]] = ""
    frames.append(dispositions("collateral", crow[other], other_comp, "excluded", 0,
                               "Note E(1)", "account has no debit in Item 10: not collateral for a margin debit"))
    return tested, pos_i


@dataclass
class _E1Values:
    """Note E(1)'s test per security: each security's collateral value, capped at 140% of each
    holding account's debit (reading: e1_debit_basis), against 15% of all of it."""

    sec_ids: Texts  # the securities tested, in id order
    sec_codes: Ints  # per tested collateral row, its security's index in sec_ids
    value: Ints  # per security: its capped collateral value across accounts
    debits: Ints  # per security: the debits of the accounts holding it
    exempt: Bools  # per security: exempted (any row)
    threshold: int  # 15% of the capped value of all securities
    g_apos: Ints  # per (account, security) pair: the account position
    g_sec: Ints  # per pair: the security index
    repeats: Ints  # tested rows (indices among them) repeating an earlier one exactly, and
    repeated: Ints  # ... the earlier row each repeats (see `_exact_repeats`)

    @classmethod
    def of(cls, col: pd.DataFrame, tested: Bools, pos_i: Ints, included: Ints) -> _E1Values:
        # group on integer codes of the security ids (sorted, so the output order is the ids' order)
        sec_codes_, sec_ids_ = pd.factorize(col["security_id"][tested], sort=True)
        sec_ids = np.asarray(sec_ids_, dtype=object)
        sec_codes = np.asarray(sec_codes_, dtype=np.int64)
        apos_t = pos_i[tested]
        mv_t = col["market_value"].to_numpy(dtype=np.int64)[tested]
        exempt_t = col["exempted"].to_numpy(dtype=bool)[tested]
        n_sec = len(sec_ids)
        # 140% of the account's debit, each security in the account capped separately. Group
        # the rows by (account, security) by sorting one integer key (a hash table over
        # millions of pairs is several times slower), then reduce each run.
        pair = apos_t * n_sec + sec_codes
        order = np.argsort(pair)
        sorted_pair = pair[order]
        starts = np.flatnonzero(np.concatenate(([True], sorted_pair[1:] != sorted_pair[:-1])))
        g_mv = np.add.reduceat(mv_t[order], starts)
        g_exempt = np.logical_or.reduceat(exempt_t[order], starts)
        g_apos, g_sec = apos_t[order][starts], sec_codes[order][starts]
        g_debit = included[g_apos]
        # "not more than 140 percent" of the debit: the cap feeds both a security's excess and
        # the 15% base, so the rule's words decide (reading: rounding)
        capped = np.minimum(g_mv, money.share(g_debit, 140, 100, Effect.NOT_MORE_THAN))
        total = int(capped.sum())
        threshold = int(money.share(total, 15, 100, Effect.THRESHOLD))  # 15% of all collateral value
        value = np.zeros(n_sec, dtype=np.int64)
        np.add.at(value, g_sec, capped)
        debits = np.zeros(n_sec, dtype=np.int64)
        np.add.at(debits, g_sec, g_debit)
        exempt = np.zeros(n_sec, dtype=bool)
        exempt[g_sec[g_exempt]] = True
        repeats, repeated = _exact_repeats(pair, order, starts, mv_t, exempt_t)
        return cls(sec_ids, sec_codes, value, debits, exempt, threshold, g_apos, g_sec, repeats, repeated)


def _exact_repeats(pair: Ints, order: Ints, starts: Ints, mv: Ints, exempt: Bools) -> tuple[Ints, Ints]:
    """Tested collateral rows that repeat an earlier row exactly -- the same account and
    security (`pair`), market value and exempted flag -- and the earliest row each repeats.
    Only the (account, security) groups of more than one row are looked at (the rows are
    already sorted by pair), so a book of one row per position costs one comparison."""
    sizes = np.diff(np.append(starts, len(pair)))
    if not (sizes > 1).any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    idx = np.sort(order[np.repeat(sizes > 1, sizes)])
    sub = pd.DataFrame({"pair": pair[idx], "mv": mv[idx], "ex": exempt[idx], "t": idx})
    later = sub.duplicated(["pair", "mv", "ex"], keep="first").to_numpy(dtype=bool)
    first = sub.groupby(["pair", "mv", "ex"], sort=False)["t"].transform("first").to_numpy(dtype=np.int64)
    return idx[later].astype(np.int64), first[later]


def _repeat_findings(col: pd.DataFrame, tested_rows: Ints, v: _E1Values) -> list[Finding]:
    """Note E(1): a collateral row that repeats another exactly (account, security, market
    value, exempted) is counted as a second lot, as the book gives it, and named for review: a
    copy of a row adds its value to the 15% test's denominator again (hostile walk-through: a
    second copy of 9,000,000 of 91282CJL6, exempted, took the E(1) reduction 846,850 ->
    642,850, deposit needed 1,603,349.70 -> 1,565,912.95). Not refused: the table has no key,
    and two lots of one size are possible (a random 10M-row book holds such pairs)
    (reading: collateral_repeats)."""
    if not len(v.repeats):
        return []
    out: list[Finding] = []
    rows, firsts = tested_rows[v.repeats], tested_rows[v.repeated]
    src_row, src = col["_row"], col["_src"]
    for r, f in list(zip(rows.tolist(), firsts.tolist(), strict=True))[:MAX_LISTED]:
        mv = int(col["market_value"].iloc[r])
        file = str(src.iloc[f]).partition(" | ")[0]
        out.append(Finding("Note E(1)", "customer",
                           f"collateral of account {col['account_id'].iloc[r]} in {col['security_id'].iloc[r]}: this row "
                           f"repeats {file} row {int(src_row.iloc[f])} exactly (market value {money.format_display(mv)}); both "
                           "are counted as lots in the 15% test: if one is a copy, remove it", mv, "collateral", int(r),
                           Severity.REVIEW))
    more_than_listed(len(rows), out, "Note E(1)", "customer", "collateral")
    return out


def _e1_account_cap(e1: E1Shares, included: Ints, acc: pd.DataFrame, findings: list[Finding]) -> list[pd.DataFrame]:
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
    for a, amount in list(back.items())[:MAX_LISTED]:
        findings.append(Finding("Note E(1)", "customer",
                                f"account {ids.iloc[a]}: its shares of the concentration reductions exceed its debit "
                                f"{money.format_display(int(included[a]))} by {money.format_display(amount)}; limited to "
                                "the debit", amount, "accounts", int(a), Severity.REVIEW))
    more_than_listed(len(back), findings, "Note E(1)", "customer", "accounts")
    return [adjustment("customer", "item_10", total, "Note E(1)",
                       f"the concentration reductions attributed to {len(back)} account(s) exceed their debits by "
                       f"{money.format_display(total)}: each account's reduction limited to its debit", "")]


def note_e1_not_tested(acc: pd.DataFrame, e1_tested: bool) -> list[Finding]:
    """Note E(1) cannot be tested without a collateral table: say so when customer margin
    accounts have debits."""
    margin_debits = bool(((acc["type"] == "margin") & (acc["balance"] < 0) & acc["book"].isin(("customer",))).any())
    if margin_debits and not e1_tested:
        return [Finding("Note E(1)", "customer",
                        "Note E(1) was not tested: the book has no collateral table but margin accounts have debits",
                        None, "", None, Severity.SEVERE)]
    return []


# --------------------------------------------------------------------------- Note E(5)


def note_e5_single_customer(acc: pd.DataFrame, params: Params, cal: BusinessCalendar, included: Ints,
                            margin_live: Bools, book_col: pd.Categorical, e1: E1Shares | None = None) -> Outcome:
    """Note E(5): a single customer's margin debits over 25% of tentative net capital, in the
    customer and the PAB computations (PAB Notes 3 and 4 remove only E(1) and E(3))
    (reading: e5_applies_to_pab), measured on the debits left after Note E(1)
    (reading: e5_parenthetical): the excess over 25% reduces Item 10 when it is over $50,000,
    unless the designated examining authority grants an exception (reading: e5_exception)."""
    out = Outcome()
    p = params
    subject = margin_live & ~acc["debit_related_to_credits"].to_numpy(dtype=bool)
    if not subject.any() or p.tentative_net_capital is None:
        return out
    threshold = int(money.share(max(p.tentative_net_capital, 0), 25, 100, Effect.THRESHOLD))
    candidates = _e5_candidates(acc, subject, included, book_col, threshold)
    g = _e5_customers(acc, p, cal, included, book_col, e1, candidates)
    # Only customers whose excess is over $50,000 are looked at one by one (a handful, at any size).
    g = g[(g["debit"] - threshold) > E5_MINIMUM]
    for _, r in g.iterrows():
        _e5_customer(r, threshold, out, p.as_of)
    return out


def _e5_candidates(acc: pd.DataFrame, subject: Bools, included: Ints, book_col: pd.Categorical, threshold: int) -> Ints:
    """The positions of the accounts of customers whose margin debits, before Note E(1), exceed
    the threshold by more than $50,000: each customer's debits summed on integer codes first
    (a handful of customers out of millions go on to the rest of the test)."""
    cust, n_cust = keys.factorize(acc["customer_id"][subject])
    comp_code = np.asarray(book_col[subject].codes, dtype=np.int64)
    n_comp = len(book_col.categories)
    group = np.where(cust >= 0, cust * n_comp + comp_code, -1)
    sums = np.zeros(max(n_cust * n_comp, 1), dtype=np.int64)
    np.add.at(sums, group[group >= 0], included[subject][group >= 0])
    over = np.flatnonzero((sums - threshold) > E5_MINIMUM)
    out: Ints = np.flatnonzero(subject)[np.isin(group, over)]
    return out


def _e5_customers(acc: pd.DataFrame, p: Params, cal: BusinessCalendar, included: Ints, book_col: pd.Categorical,
                  e1: E1Shares | None, candidates: Ints) -> pd.DataFrame:
    """Per (computation, customer) of the candidates: margin debits after Note E(1), the Note
    E(1) shares taken off, and the DEA exceptions stated on the customer's rows."""
    subject = np.zeros(len(acc), dtype=bool)
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
    # DEA exceptions, per customer (reading: e5_exception). 'requested': included for five
    # business days counting the day of the request.
    in_window = np.zeros(len(d), dtype=bool)
    later = np.zeros(len(d), dtype=bool)  # a request dated after the computation date: none was pending
    req = (d["exc"] == "requested").to_numpy() & ~pd.isna(d["exc_date"]).to_numpy()
    if req.any():
        starts = d.loc[req, "exc_date"].to_numpy().astype("datetime64[D]")
        ends = np.full(len(starts), np.datetime64(p.as_of, "D") + np.timedelta64(1, "D"))
        counted = cal.busday_count(starts, ends)
        in_window[req] = (counted >= 0) & (counted <= 5) & (starts <= np.datetime64(p.as_of, "D"))
        later[req] = starts > np.datetime64(p.as_of, "D")
    # A DEA exception is the customer's: when its rows state different ones, the one that
    # favours the firm least is taken -- none < partial < requested < plenary -- and the
    # disagreement is named (reading: e5_exception). Before, the most favourable won: a plenary
    # exception on one of OAKMONT's two accounts excepted the whole customer.
    exc_text = pd.Series(d["exc"].astype(object)).fillna("none").to_numpy(dtype=object)
    d["rank"] = np.select([exc_text == "plenary", exc_text == "requested", exc_text == "partial"], [3, 2, 1], 0)
    keys_ = ["computation", "customer_id"]
    least = d.groupby(keys_, sort=True, observed=True)["rank"].transform("min").to_numpy(dtype=np.int64)
    d["kinds"] = exc_text
    d["plenary"] = least == 3
    d["window"] = np.where(least == 2, np.where(exc_text == "requested", in_window, True), False)  # every request's
    d["partial_amt"] = np.where((exc_text == "partial") & (least == 1), d["exc_amount"], 0)
    d["requested"] = least == 2
    d["later"] = (least == 2) & (exc_text == "requested") & later
    g = d.groupby(keys_, sort=True, observed=True).agg(
        debit=("debit", "sum"), e1_share=("e1_share", "sum"), plenary=("plenary", "max"), window=("window", "min"),
        partial_amt=("partial_amt", "sum"), requested=("requested", "max"), later=("later", "max"),
        stated=("kinds", lambda k: ", ".join(sorted(set(k)))))
    return g.reset_index()


def _e5_customer(r: pd.Series, threshold: int, out: Outcome, as_of: date) -> None:
    """Note E(5) for one customer over the threshold by more than $50,000: the reduction, or
    the DEA exception that removes or defers it (reading: e5_exception)."""
    excess = int(r["debit"]) - threshold
    comp, cust_id = r["computation"], r["customer_id"]
    after = (f" (after {money.format_display(int(r['e1_share']))} of Note E(1) concentration reductions)"
             if r["e1_share"] > 0 else "")
    head = (f"customer {cust_id}: margin debits {money.format_display(int(r['debit']))}{after} exceed 25% of tentative "
            f"net capital ({money.format_display(threshold)}) by {money.format_display(excess)}")
    if "," in str(r.get("stated", "")):
        least = ("plenary" if r["plenary"] else "requested" if r["requested"] else
                 "partial" if r["partial_amt"] > 0 else "none")
        out.findings.append(Finding("Note E(5)", comp, f"customer {cust_id}: its accounts state different DEA exceptions "
                                    f"({r['stated']}); the one that favours the firm least, {least}, is taken -- "
                                    "state the customer's exception alike on each of its accounts", excess, "", None,
                                    Severity.REVIEW))
    if r["plenary"]:
        out.findings.append(Finding("Note E(5)", comp, head + "; plenary DEA exception: no reduction", excess, "", None,
                                    Severity.REVIEW))
        return
    if r["window"]:
        out.findings.append(Finding("Note E(5)", comp, head + "; DEA exception requested: included for five business "
                                    "days from the request, no reduction yet", excess, "", None, Severity.SEVERE))
        return
    reduction = excess
    note = ""
    if r["partial_amt"] > 0:
        reduction = max(0, excess - int(r["partial_amt"]))
        note = f"; partial DEA exception of {money.format_display(int(r['partial_amt']))}"
    elif r["requested"] and r["later"]:
        # a request dated after the computation date was not pending on it: the reduction is
        # taken, and said so -- not "the five days have passed" (reading: e5_exception)
        note = (f"; the DEA exception request is dated after the computation date ({as_of.isoformat()}): no request was "
                "pending on it")
    elif r["requested"]:
        note = "; the five business days of the pending DEA request have passed"
    if reduction > 0:
        out.frames.append(adjustment(comp, "item_10", -reduction, "Note E(5)", head + note, str(cust_id)))
    out.findings.append(Finding("Note E(5)", comp, head + note + f": Item 10 reduced by {money.format_display(reduction)}",
                                reduction, "", None, Severity.REVIEW))
