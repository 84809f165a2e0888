"""What is on deposit at the clearing agency and eligible for Item 15, per deposit row:
Note H(a)(1) (permitted collateral, with Note H(c)'s qualified customer securities), Note
H(b)(1) (delivered by the firm; (i) the customer's own cash, capped at the cash owed to the
customer; (ii) securities held for the customer; (iii) firm-owned Treasuries only -- their
conditions (A)-(C) are in `allocation`), Note H(b)(2)(iii) (the Special Clearing Account of
the deposit's computation); and Note B's last sentence: customers' securities at a qualified
clearing agency are an Item 2 credit, whatever the (b) conditions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import model
from ..model import Severity
from .accounts import attach_account
from .cca import bools, with_cca
from .failures import BoolArray, Check, IntArray, join_by_row
from .outcome import EXCLUDED, ITEM_2, ITEM_15
from .text import TextArray, dates_text, text, usd, usd_column

# Note H(a)(1): "cash, U.S. Treasury securities, or qualified customer securities".
ELIGIBLE_ASSETS = ("cash", "us_treasury", "qualified_customer_security")
# Note B, last sentence: "customers' securities". `other` (the original format's catch-all)
# is taken as a security, conservatively (reading: h_item2_securities).
SECURITY_ASSETS = ("us_treasury", "qualified_customer_security", "other_security", "other")
# cca_deposits.special_account: which Special Clearing Account a computation's margin must
# sit in (blank: the Customers' one, the only one the original format knew).
SPECIAL_ACCOUNT = {"customer": "customers", "pab": "pab_accounts"}
CAP_CONDITION = "Note H(b)(1)(i)"


def deposit_rows(dp: pd.DataFrame, attrs: pd.DataFrame, agencies: pd.DataFrame) -> pd.DataFrame:
    """One row per cca_deposits row: the deposit, the computation and customer of the account
    it margins and of the account owning it (owner_*), and its clearing agency's outcome."""
    d = pd.DataFrame({
        "pos": np.arange(len(dp), dtype=np.int64),
        "deposit_id": model.text_values(dp["deposit_id"]),
        "cca_id": model.text_values(dp["cca_id"]),
        "account_id": model.text_values(dp["account_id"]),
        "owner_account_id": dp["owner_account_id"].astype(object).where(dp["owner_account_id"].notna(),
                                                                         dp["account_id"]).to_numpy(dtype=object),
        "asset": model.text_values(dp["asset"]),
        "owner": model.text_values(dp["owner"]),
        "value": dp["value"].to_numpy(dtype=np.int64),
        # A blank never meets a condition (the loader fills declared defaults).
        "cca_account": dp["cca_account"].astype(object).fillna("").to_numpy(dtype=object),
        "delivered_by_firm": bools(dp, "delivered_by_firm"),
        "special_account": (dp["special_account"].astype(object).fillna("customers").to_numpy(dtype=object)
                            if "special_account" in dp.columns else np.full(len(dp), "customers", dtype=object)),
        "increment_id": (model.text_values(dp["increment_id"]) if "increment_id" in dp.columns
                         else np.full(len(dp), None, dtype=object)),
    })
    d = attach_account(d, attrs, "account_id", "")
    d = attach_account(d, attrs, "owner_account_id", "owner_")
    return with_cca(d, agencies)


def label(x: pd.DataFrame) -> object:
    """Which deposit a failure is about, for messages."""
    return ("deposit " + text(x["deposit_id"]) + " (" + text(x["owner"]) + " " + text(x["asset"]) + " "
            + usd_column(x["value"]) + np.where(x["increment_id"].notna(), ", for increment " + text(x["increment_id"]),
                                                "") + ")")


def _cash_or_securities_rule(x: pd.DataFrame) -> object:
    return np.where(x["asset"] == "cash", "Note H(b)(1)(i)", "Note H(b)(1)(ii)")


def for_the_customers_positions(d: pd.DataFrame) -> list[Check]:
    """Note H(a)(2): margin "used to margin U.S. Treasury securities positions of the
    customers" -- the account margined is in a computation (reading: h_outside_accounts)."""
    return [Check((d["computation"] == "").to_numpy(dtype=bool), "Note H(a)(2)",
                  lambda x: "margins account " + text(x["account_id"]) + ", " + x["outside"])]


def permitted_collateral(d: pd.DataFrame) -> list[Check]:
    """Note H(a)(1): "in the form of cash, U.S. Treasury securities, or qualified customer
    securities". Note H(c) defines qualified customer securities; the book states that an
    asset is one (cca_deposits.asset qualified_customer_security)."""
    return [Check(~d["asset"].isin(ELIGIBLE_ASSETS).to_numpy(dtype=bool), "Note H(a)(1)",
                  lambda x: np.select([x["asset"] == "other_security", x["asset"] == "not_a_security"],
                                      ["a security that is not permitted collateral: not cash, a U.S. Treasury "
                                       "security or a qualified customer security",
                                       "neither cash nor a security"],
                                      "not cash, a U.S. Treasury security or a qualified customer security"))]


def special_clearing_account(d: pd.DataFrame) -> list[Check]:
    """Note H(b)(2)(iii): held in the firm's segregated Special Clearing Account at the
    clearing agency -- the Customers' for a customer account, the PAB Accounts' for a PAB
    account (PAB Note 1; reading: h_pab_account)."""
    cca_acct = d["cca_account"].to_numpy(dtype=object)
    comp = d["computation"].to_numpy(dtype=object)
    expected = np.where(comp == "pab", SPECIAL_ACCOUNT["pab"], SPECIAL_ACCOUNT["customer"])
    wrong_special = ((cca_acct == "customer_segregated") & (comp != "")
                     & (d["special_account"].to_numpy(dtype=object) != expected))
    return [
        Check(cca_acct != "customer_segregated", "Note H(b)(2)(iii)",
              lambda x: np.where(x["cca_account"] == "", "the account at the clearing agency holding it is blank "
                                 "(cca_account): not shown to be the segregated Special Clearing Account",
                                 "held in the firm's " + text(x["cca_account"]) + " account, not the segregated "
                                 "Special Clearing Account")),
        Check(wrong_special,
              lambda x: np.where(x["computation"] == "pab", "PAB Note 1; Note H(b)(2)(iii)", "Note H(b)(2)(iii)"),
              lambda x: np.where(x["computation"] == "pab",
                                 "margins a PAB account but is held in the Special Clearing Account for the Customers, "
                                 "not the PAB Accounts' (special_account " + text(x["special_account"]) + "; blank is "
                                 "the Customers' account)",
                                 "margins a customer account but is held in the Special Clearing Account for the PAB "
                                 "Accounts, not the Customers'")),
    ]


def delivered_by_the_firm(d: pd.DataFrame) -> list[Check]:
    """Note H(b)(1): "delivered by the broker or dealer to the qualified clearing agency"."""
    return [Check(~d["delivered_by_firm"].to_numpy(dtype=bool), "Note H(b)(1)", "not delivered by this broker-dealer")]


def held_for_the_customer(d: pd.DataFrame) -> list[Check]:
    """Note H(b)(1)(i) (cash owed to the customer) and Note H(b)(1)(ii) (securities held in
    custody for the customer): the customer's own cash or securities, "and not for any other
    customer's" positions: one customer's assets never margin another's
    (reading: h_same_customer). The owner's account must be in the same computation as the account
    margined: cash owed and securities held "for the customer" are the customer's in that
    computation (PAB Notes 1-2 keep the two apart); a non-customer or excluded account's
    assets never count."""
    is_cust = d["owner"].to_numpy(dtype=object) == "customer"
    same_id = (d["owner_customer_id"].astype(object) == d["customer_id"].astype(object)).to_numpy(dtype=bool)
    same_comp = (d["owner_computation"].astype(object) == d["computation"].astype(object)).to_numpy(dtype=bool)
    return [
        Check(is_cust & same_id & ~same_comp & (d["computation"] != "").to_numpy(dtype=bool), _cash_or_securities_rule,
              lambda x: "assets of account " + text(x["owner_account_id"]) + " (customer "
              + text(x["owner_customer_id"]) + ", " + np.where(x["owner_computation"] == "", text(x["owner_outside"]),
                                                               "in the " + text(x["owner_computation"]) + " computation")
              + ") are not held for the customer of margin account " + text(x["account_id"]) + " in the "
              + text(x["computation"]) + " computation", severity=Severity.SEVERE),
        Check(is_cust & ~same_id, _cash_or_securities_rule,
              lambda x: "assets of account " + text(x["owner_account_id"]) + " (customer "
              + text(x["owner_customer_id"]) + ") delivered to margin account " + text(x["account_id"]) + " (customer "
              + text(x["customer_id"]) + "): one customer's assets never margin another customer's positions",
              severity=Severity.SEVERE),
    ]


def firm_owned_treasuries_only(d: pd.DataFrame) -> list[Check]:
    """Note H(b)(1)(iii): the firm may deliver only "U.S. Treasury securities owned by the
    broker or dealer"."""
    owner, asset = d["owner"].to_numpy(dtype=object), d["asset"].to_numpy(dtype=object)
    return [Check((owner == "firm") & (asset != "us_treasury"), "Note H(b)(1)(iii)",
                  lambda x: "only U.S. Treasury securities owned by the firm may be used; firm-owned "
                  + text(x["asset"]) + " is never eligible")]


def deposit_conditions(d: pd.DataFrame) -> list[Check]:
    """Every condition of a deposit row but the firm Treasuries' (A)-(C) and the cash cap, in
    the order they are reported."""
    return (for_the_customers_positions(d) + permitted_collateral(d) + special_clearing_account(d)
            + delivered_by_the_firm(d) + held_for_the_customer(d) + firm_owned_treasuries_only(d))


def customer_cash_cap(d: pd.DataFrame, counts: BoolArray, cash_owed: pd.Series,
                      requirements: pd.DataFrame) -> tuple[pd.DataFrame, Check]:
    """Note H(b)(1)(i): customer cash counts only up to the "cash owed by the broker or dealer
    to the customer", one cap per customer and computation shared across all clearing
    agencies (reading: h_customer_cash_cap).

    -> (`d` with `eligible` (what counts of each deposit, 0 where it does not), `capped_out`
    and `cash_owed`; the cap as a failed condition)."""
    d = d.copy()
    n_d = len(d)
    val = d["value"].to_numpy(dtype=np.int64)
    cash_cust = counts & (d["owner"].to_numpy(dtype=object) == "customer") & (d["asset"].to_numpy(dtype=object) == "cash")
    eligible_amt = np.where(counts, val, 0)
    d["capped_out"] = np.zeros(n_d, dtype=np.int64)
    d["cash_owed"] = np.zeros(n_d, dtype=np.int64)
    if cash_cust.any():
        r = requirements
        cc = d.loc[cash_cust, ["pos", "customer_id", "computation", "cca_id", "account_id", "deposit_id", "value"]]
        cc = cc.merge(cash_owed, how="left", left_on=["customer_id", "computation"], right_index=True)
        cc["cash_owed"] = cc["cash_owed"].fillna(0).astype(np.int64)
        # The cap is spent first on the cash that meets a counted requirement -- customer cash is
        # the first asset allocated to it (reading: h_allocation_order) -- and only then on cash beyond
        # the requirements, so Item 15 does not depend on the order of the clearing agencies' ids.
        req_entry = pd.Series(r["counted_amt"].to_numpy(dtype=np.int64)).groupby(
            [r["cca_id"].to_numpy(dtype=object), r["account_id"].to_numpy(dtype=object)]).sum().rename("req_entry")
        cc = cc.merge(req_entry, how="left", left_on=["cca_id", "account_id"], right_index=True)
        cc["req_entry"] = cc["req_entry"].fillna(0).astype(np.int64)
        cc = cc.sort_values(["customer_id", "computation", "cca_id", "account_id", "deposit_id"], kind="mergesort")
        before_e = cc.groupby(["cca_id", "account_id"], sort=False)["value"].cumsum() - cc["value"]
        meets = np.clip(cc["req_entry"] - before_e, 0, cc["value"]).astype(np.int64)
        beyond = cc["value"] - meets
        per_customer = [cc["customer_id"], cc["computation"]]
        before_m = meets.groupby(per_customer, sort=False).cumsum() - meets
        allowed_m = np.clip(cc["cash_owed"] - before_m, 0, meets)
        left = np.maximum(cc["cash_owed"] - meets.groupby(per_customer, sort=False).transform("sum"), 0)
        before_b = beyond.groupby(per_customer, sort=False).cumsum() - beyond
        allowed_b = np.clip(left - before_b, 0, beyond)
        allowed = (allowed_m + allowed_b).to_numpy(dtype=np.int64)
        pos = cc["pos"].to_numpy(dtype=np.int64)
        eligible_amt[pos] = allowed
        d.loc[pos, "capped_out"] = cc["value"].to_numpy(dtype=np.int64) - allowed
        d.loc[pos, "cash_owed"] = cc["cash_owed"].to_numpy(dtype=np.int64)
    d["eligible"] = eligible_amt
    cap = Check(d["capped_out"].to_numpy(dtype=np.int64) > 0, CAP_CONDITION,
                lambda x: "customer cash counts only up to the cash the firm owes customer " + text(x["customer_id"])
                + " (credit balances " + usd_column(x["cash_owed"]) + ", shared by the customer's cash deposits at all "
                "clearing agencies: first the cash meeting requirements, then any beyond them, each in order of cca_id, "
                "account_id, deposit_id); " + usd_column(x["capped_out"]) + " excluded", amount="capped_out")
    return d, cap


def customer_securities_item_2(d: pd.DataFrame) -> BoolArray:
    """Note B, last sentence: "Item 2 must include the market value of customers' securities
    on deposit at a 'qualified clearing agency'" -- the customer-owned securities at a clearing
    agency meeting Note H(a)'s definition, owned by an account in a computation
    (reading: h_item2_securities)."""
    is_cust = d["owner"].to_numpy(dtype=object) == "customer"
    asset = d["asset"].to_numpy(dtype=object)
    owner_comp = d["owner_computation"].to_numpy(dtype=object)
    return np.asarray(is_cust & np.isin(asset, SECURITY_ASSETS) & d["qualified_ca"].to_numpy(dtype=bool)
                      & (owner_comp != ""), dtype=bool)


def other_asset_findings(d: pd.DataFrame) -> list[model.Finding]:
    """A customer deposit of the original format's `other` counted in Item 2 as a security
    (Note B): for review, so the book can say other_security or not_a_security
    (reading: h_item2_securities)."""
    m = customer_securities_item_2(d) & (d["asset"].to_numpy(dtype=object) == "other")
    f = d.loc[m].sort_values(["cca_id", "account_id", "deposit_id"], kind="mergesort")
    return [model.Finding("Note B", comp, f"clearing agency {cca_id}, account {acct}: deposit {dep_id} (customer `other` "
                          f"asset {usd(value)}) is taken as a customer security and counted in Item 2, conservatively; "
                          "state asset other_security (a security that is not permitted collateral) or not_a_security "
                          "(not a security: no Item 2)", int(value), "cca_deposits", int(pos), Severity.REVIEW)
            for cca_id, acct, dep_id, comp, value, pos in zip(
                *(f[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "account_id", "deposit_id",
                                                                  "owner_computation")),
                f["value"].tolist(), f["pos"].tolist(), strict=False)]


def deposit_dispositions(d: pd.DataFrame, used: IntArray, pending: BoolArray, include_pending: bool,
                         cure_pending: BoolArray, failures: pd.DataFrame) -> pd.DataFrame:
    """Item 15; Note H(a); Note H(b)(1)(i)-(iii): the amount of each deposit used toward the
    counted requirement, or why it is not; and Note B's Item 2 credit for customers'
    securities (`customer_securities_item_2`)."""
    n = len(d)
    val = d["value"].to_numpy(dtype=np.int64)
    eligible_amt = d["eligible"].to_numpy(dtype=np.int64)
    capped_out = d["capped_out"].to_numpy(dtype=np.int64)
    asset = d["asset"].to_numpy(dtype=object)
    is_cust = d["owner"].to_numpy(dtype=object) == "customer"
    pos = d["pos"].to_numpy(dtype=np.int64)
    comp = d["computation"].to_numpy(dtype=object)
    # Why each row is not (wholly) in Item 15: its failed conditions, joined.
    rules, texts = join_by_row(n, failures["pos"], failures["cond"], failures["rule"], failures["detail"])
    cca_ok = d["cca_ok"].to_numpy(dtype=bool)
    cash_cust = is_cust & (asset == "cash")
    item1_note = "; customer cash is not added to Item 2 (it is already a credit in Item 1 through the customer's account balance)"
    unused = eligible_amt - used
    req_c = d["requirement_counted"].fillna(0).to_numpy(dtype=np.int64)
    class_rule = np.select([cash_cust, is_cust], ["Note H(b)(1)(i)", "Note H(b)(1)(ii)"], "Note H(b)(1)(iii)")
    dl: TextArray = dates_text(d["deadline"]).to_numpy(dtype=object)
    pending_excluded = pending & (not include_pending)

    # Rows in Item 15: the amount used, and what was not.
    i = np.flatnonzero(used > 0)
    reason_15 = ("deposit of " + usd_column(val[i]) + "; eligible " + usd_column(eligible_amt[i]) + "; "
                 + usd_column(used[i]) + " used toward the counted requirement " + usd_column(req_c[i])
                 + np.where(unused[i] > 0, "; unused eligible " + usd_column(unused[i]) + " is excess on deposit (recall)",
                            "")
                 + np.where(capped_out[i] > 0, "; " + usd_column(capped_out[i]) + " over the cash owed to the customer "
                            "excluded (Note H(b)(1)(i))", "")
                 + np.where(pending[i] & include_pending, "; cure pending (deadline " + dl[i] + "), counted under "
                            "pending_cure_policy=include", "")
                 + np.where(cash_cust[i], item1_note, ""))
    rule_15 = "Item 15; Note H(a); " + class_rule[i]

    # Rows not in Item 15: the reason, most decisive first.
    x = np.flatnonzero(used == 0)
    has_fail = texts[x] != ""
    cca_fail = ~cca_ok[x]
    pend_x = pending_excluded[x]
    spare = eligible_amt[x] > 0
    ex_rule = np.select([cca_fail, has_fail, pend_x, spare],
                        [d["fail_rules"].to_numpy(dtype=object)[x], rules[x], "Note H(b)(1)(iii)(C)", "Note H(a)"],
                        "Note H(a)")
    ex_why = np.select(
        [cca_fail, has_fail, pend_x, spare],
        ["clearing agency fails Note H: " + d["fail_text"].to_numpy(dtype=object)[x]
         + np.where(has_fail, "; also: " + texts[x], ""),
         texts[x],
         "cure pending: the customer's delivery is due by the close of " + dl[x] + " and not yet recorded; excluded "
         "under pending_cure_policy=exclude",
         "eligible " + usd_column(eligible_amt[x]) + " but not needed: the counted requirement " + usd_column(req_c[x])
         + " is already covered; excess on deposit (recall)"],
        "no counted requirement at this clearing agency for the account: nothing to margin (excess on deposit)")
    ex_reason = ("deposit of " + usd_column(val[x]) + " not in Item 15: " + ex_why
                 + np.where(cure_pending[x] & ~pending[x], "; its cure is also not yet recorded (deadline " + dl[x] + ")",
                            "")
                 + np.where(cash_cust[x], item1_note, ""))

    # Note B, last sentence: customers' securities at a qualified clearing agency -> Item 2,
    # at their value, in any account, excess included, whatever the (b) conditions. The
    # original format's `other` is taken as a security, conservatively; `not_a_security`
    # is not one (reading: h_item2_securities).
    item2 = customer_securities_item_2(d)
    owner_comp = d["owner_computation"].to_numpy(dtype=object)
    j = np.flatnonzero(item2)
    reason_2 = ("market value of customer securities (" + d["asset"].to_numpy(dtype=object)[j] + ") on deposit at a "
                "qualified clearing agency, owned by account " + d["owner_account_id"].to_numpy(dtype=object)[j]
                + ", in the " + d["cca_account"].to_numpy(dtype=object)[j] + " account"
                + np.where(asset[j] == "other", " (asset `other`: taken as a security, conservatively; state "
                           "other_security or not_a_security)", ""))
    return model.concat_dispositions([
        model.dispositions("cca_deposits", pos[i], comp[i], ITEM_15, used[i], rule_15, reason_15, primary=True),
        model.dispositions("cca_deposits", pos[j], owner_comp[j], ITEM_2, val[j], "Item 2; Note B", reason_2,
                           primary=~(used[j] > 0)),
        # The Item 15 side of rows that are not in Item 15 (primary when Item 2 does not carry the row).
        model.dispositions("cca_deposits", pos[x], comp[x], EXCLUDED, 0, ex_rule, ex_reason, primary=~item2[x]),
    ])
