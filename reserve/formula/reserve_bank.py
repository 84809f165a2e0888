"""Amounts on deposit in the Reserve Bank Accounts — Rule 15c3-3(e)(5), (f).

(e)(5): exclude "the total amount of any cash deposited with an affiliated bank" and cash
at a non-affiliated bank "to the extent that the amount of the deposit exceeds 15% of the
bank's equity capital". (f): an account without the bank's written notification does not
count. The 15% cap is one per bank, shared by the customer and PAB accounts there pro rata
to their cash (reading: bank_cap).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import money
from ..money import Effect
from .inputs import Bools, Ints, Texts
from .model import Finding, Outcome, Severity, dispositions


def reserve_bank_on_deposit(rb: pd.DataFrame, note7_placed: dict[str, int] | None = None
                            ) -> tuple[Outcome, dict[str, int]]:
    """Amounts on deposit per computation in the Reserve Bank Accounts (Rule 15c3-3(e)): an
    account without the bank's written notification does not count (Rule 15c3-3(f)); cash at
    an affiliated bank, and above 15% of a bank's equity capital, does not count (Rule
    15c3-3(e)(5), `bank_cap_e5`); PAB Note 7 deposits held here do not count twice
    (`pab_note_7_held_deposits`). `note7_placed`: the PAB Note 7 deposits excluded from PAB
    credits, per reserve bank account_id holding them (reading: pab_note7_account)."""
    out = Outcome()
    frames, findings = out.frames, out.findings
    on_deposit = {"customer": 0, "pab": 0}
    if not len(rb):
        return out, on_deposit
    n = len(rb)
    rows = np.arange(n, dtype=np.int64)
    comp = rb["book"].to_numpy(dtype=object)
    cash = rb["cash"].to_numpy(dtype=np.int64)
    qs = rb["qualified_securities"].to_numpy(dtype=np.int64)
    notified = rb["written_notification"].to_numpy(dtype=bool)
    affiliated = bank_affiliated(rb, findings)
    counted_cash = bank_cap_e5(rb, rows, comp, cash, notified & ~affiliated, findings)
    counted = np.where(notified, counted_cash + qs, 0)
    note7_less = pab_note_7_held_deposits(rb, counted, note7_placed)
    counted = counted - note7_less
    excluded_cash = np.where(notified, cash - counted_cash, cash)
    reason = np.full(n, "cash and qualified securities on deposit", dtype=object)
    rule = np.full(n, "Rule 15c3-3(e)", dtype=object)
    m = notified & affiliated & (cash > 0)
    reason[m] = "cash at an affiliated bank excluded; qualified securities counted"
    rule[m] = "Rule 15c3-3(e)(5)"
    m = notified & ~affiliated & (excluded_cash > 0)
    reason[m] = "cash above the bank's 15% equity-capital cap excluded"
    rule[m] = "Rule 15c3-3(e)(5)"
    m = note7_less > 0
    reason[m] = np.array([f"{r}; less {money.format_display(int(v))} of PAB Note 7 deposits held here and excluded from "
                          "PAB credits (they do not also count on deposit)"
                          for r, v in zip(reason[m], note7_less[m], strict=True)], dtype=object)
    rule[m] = np.array([f"{r}; PAB Note 7" for r in rule[m]], dtype=object)
    used = notified & (counted > 0)
    frames.append(dispositions("reserve_bank_accounts", rows[used], comp[used], "reserve_bank", counted[used], rule[used],
                               reason[used]))
    not_notified = ~notified
    frames.append(dispositions("reserve_bank_accounts", rows[not_notified], comp[not_notified], "excluded", 0,
                               "Rule 15c3-3(f)", "no written notification from the bank: the account does not count"))
    nothing = notified & (counted == 0)
    frames.append(dispositions("reserve_bank_accounts", rows[nothing], comp[nothing], "excluded", 0, rule[nothing],
                               np.where(cash[nothing] > 0, reason[nothing], "nothing on deposit")))
    for r in rows[(excluded_cash > 0) & notified & affiliated]:
        findings.append(Finding("Rule 15c3-3(e)(5)", comp[r], "cash at an affiliated bank does not count",
                                int(excluded_cash[r]), "reserve_bank_accounts", int(r), Severity.SEVERE))
    for r in rows[not_notified & ((cash + qs) > 0)]:
        findings.append(Finding("Rule 15c3-3(f)", comp[r], "reserve bank account without written notification does not "
                                "count", int(cash[r] + qs[r]), "reserve_bank_accounts", int(r), Severity.SEVERE))
    for r in rows[m]:
        findings.append(Finding("PAB Note 7", "pab", f"reserve bank account {rb['account_id'].iloc[r]}: "
                                f"{money.format_display(int(note7_less[r]))} of PAB Note 7 deposits it holds were excluded "
                                "from PAB credits, so they do not count on deposit", int(note7_less[r]),
                                "reserve_bank_accounts", int(r), Severity.INFO))
    for c in ("customer", "pab"):
        on_deposit[c] = int(counted[comp == c].sum())
    return out, on_deposit


def pab_note_7_held_deposits(rb: pd.DataFrame, counted: Ints, note7_placed: dict[str, int] | None) -> Ints:
    """PAB Note 7: the deposits placed in the separate PAB Reserve Bank Account have left PAB
    credits, so that money does not also count on deposit; the rest of the account counts
    (reading: pab_note7_account). Returns what each account counts less."""
    n = len(rb)
    if not note7_placed:
        return np.zeros(n, dtype=np.int64)
    ids = rb["account_id"].to_numpy(dtype=object)
    placed = np.array([note7_placed.get(a, 0) for a in ids.tolist()], dtype=np.int64)  # (a handful of accounts)
    out: Ints = np.minimum(placed, counted)
    return out


def bank_affiliated(rb: pd.DataFrame, findings: list[Finding]) -> Bools:
    """Rule 15c3-3(e)(5): whether each account's bank is affiliated with the firm. Affiliation is
    the bank's, not the account's: when the rows of one bank_id disagree, every row of the bank
    is taken as affiliated -- its cash excluded, the reading that counts less on deposit -- and
    the disagreement is a review finding naming the bank (reading: bank_affiliated_any). Before,
    each row kept its own flag (hostile walk-through: the customer row FALSE kept the whole 15%
    cap while the PAB row said TRUE; customer deposit needed 1,603,349.70 -> 1,260,492.55)."""
    own: Bools = rb["bank_affiliated"].to_numpy(dtype=bool)
    if not len(rb):
        return own
    bank = rb["bank_id"].astype(str).to_numpy(dtype=object)
    t = pd.DataFrame({"bank": bank, "aff": own})
    any_aff: Bools = t.groupby("bank", sort=True)["aff"].transform("any").to_numpy(dtype=bool)
    for b in sorted(set(bank[any_aff != own])):
        findings.append(Finding("Rule 15c3-3(e)(5)", "", f"bank {b}: bank_affiliated differs between its reserve account "
                                "rows; the bank is taken as affiliated for every row (its cash does not count)", None,
                                "reserve_bank_accounts", None, Severity.REVIEW))
    _one_bank_two_ids(rb, findings)
    return any_aff


def _one_bank_two_ids(rb: pd.DataFrame, findings: list[Finding]) -> None:
    """Rule 15c3-3(e)(5): one 15% cap per bank, keyed by bank_id. A bank name (spaces and case
    aside) given under two or more bank_ids may be one bank with two caps, in the firm's favour
    (hostile walk-through: FLB and FLB-NA, the same name and equity capital, each got a cap;
    deposit needed 1,603,349.70 -> 1,260,492.55): each such name is a review finding naming
    its ids (reading: bank_one_name). The ids are kept as given: two banks may share a name."""
    if not len(rb) or "bank_name" not in rb:
        return
    names = rb["bank_name"].astype(str).str.casefold().str.split().str.join(" ")
    t = pd.DataFrame({"name": names.to_numpy(dtype=object), "bank": rb["bank_id"].astype(str).to_numpy(dtype=object)})
    t = t[t["name"].str.len() > 0]
    ids = t.groupby("name", sort=True)["bank"].unique()
    for name, banks in ids.items():
        if len(banks) > 1:
            shown = rb["bank_name"].astype(str).to_numpy(dtype=object)[np.flatnonzero(names.to_numpy(dtype=object) == name)[0]]
            findings.append(Finding("Rule 15c3-3(e)(5)", "", f"bank name {shown!r} is given under bank_ids "
                                    f"{', '.join(sorted(map(str, banks)))}: each id gets its own 15% equity-capital cap; "
                                    "if they are one bank, make them one bank_id", None, "reserve_bank_accounts", None,
                                    Severity.REVIEW))


def bank_cap_e5(rb: pd.DataFrame, rows: Ints, comp: Texts, cash: Ints, capped: Bools, findings: list[Finding]) -> Ints:
    """Rule 15c3-3(e)(5): cash at a non-affiliated bank counts only up to 15% of the bank's
    equity capital, one cap per bank shared by its customer and PAB accounts pro rata to their
    cash (reading: bank_cap). Returns the cash counted per account (0 outside `capped`)."""
    n = len(rb)
    bank = rb["bank_id"].to_numpy(dtype=object)
    equity = rb["bank_equity_capital"].to_numpy(dtype=np.int64)
    counted_cash = np.zeros(n, dtype=np.int64)
    if capped.any():
        t = pd.DataFrame({"row": rows[capped], "bank": bank[capped], "comp": comp[capped],
                          "cash": cash[capped], "equity": equity[capped], "account": rb["account_id"].to_numpy(dtype=object)[capped]})
        bank_cash = t.groupby("bank", sort=True)["cash"].transform("sum").to_numpy(dtype=np.int64)
        # one cap per bank: 15% of its equity capital (if rows disagree, the smallest figure is
        # used -- the one that counts less on deposit -- and the disagreement is flagged)
        eq = t.groupby("bank", sort=True)["equity"].transform("min").to_numpy(dtype=np.int64)
        differs = t.groupby("bank", sort=True)["equity"].nunique()
        for b in differs.index[differs > 1]:
            findings.append(Finding("Rule 15c3-3(e)(5)", "", f"bank {b}: its equity capital differs between its reserve "
                                    "account rows; the smallest figure is used", None, "reserve_bank_accounts", None, Severity.REVIEW))
        cap = money.share(eq, 15, 100, Effect.CAPS_DEPOSIT)  # (reading: bank_cap)
        t["bank_cash"] = bank_cash
        t["cap"] = cap
        t["allowed_bank"] = np.minimum(bank_cash, cap)
        # share per computation, pro rata to its cash (what counts on deposit: Effect.CAPS_DEPOSIT)
        comp_cash = t.groupby(["bank", "comp"], sort=True)["cash"].transform("sum").to_numpy(dtype=np.int64)
        allowed_bank = t["allowed_bank"].to_numpy(dtype=np.int64)
        over = bank_cash > cap  # (bank_cash > 0 wherever the cap binds)
        comp_allowed = np.where(over, money.share(allowed_bank, comp_cash, np.maximum(bank_cash, 1), Effect.CAPS_DEPOSIT),
                                comp_cash)
        # within a computation, the computation's share is spread over its accounts pro rata to
        # their cash, and the cents the shares leave go one each to the accounts with the largest
        # remainders (ties by account id) -- never to an account holding no cash. This moves no
        # cent between computations, so it decides no figure of the formula.
        acct_cash = t["cash"].to_numpy(dtype=np.int64)
        share, frac = money.share(comp_allowed, acct_cash, np.maximum(comp_cash, 1), Effect.CAPS_DEPOSIT, remainder=True)
        t["acc_allowed"] = np.where(over, share, acct_cash)
        t["comp_allowed"] = comp_allowed
        t["frac"] = np.where(over, frac, 0)
        t = t.sort_values(["bank", "comp", "frac", "account", "row"], ascending=[True, True, False, True, True], kind="stable")
        left = (t["comp_allowed"] - t.groupby(["bank", "comp"], sort=False)["acc_allowed"].transform("sum")).to_numpy(dtype=np.int64)
        rank = t.groupby(["bank", "comp"], sort=False).cumcount().to_numpy(dtype=np.int64)
        t["acc_allowed"] += (rank < left).astype(np.int64)
        counted_cash[t["row"].to_numpy()] = t["acc_allowed"].to_numpy(dtype=np.int64)
        for b, g in t[t["bank_cash"] > t["cap"]].groupby("bank", sort=True):
            # what is not counted: the bank's cash less the shares counted (the cap, less the
            # cents lost by rounding each computation's share down)
            excess = int(g["bank_cash"].iloc[0]) - int(g["acc_allowed"].sum())
            findings.append(Finding("Rule 15c3-3(e)(5)", "", f"cash at bank {b} exceeds 15% of its equity capital "
                                    f"({money.format_display(int(g['cap'].iloc[0]))}): {money.format_display(excess)} not counted",
                                    excess, "reserve_bank_accounts", int(g["row"].iloc[0]), Severity.SEVERE))
    return counted_cash
