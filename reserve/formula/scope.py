"""Which account rows are in which computation, before any line is formed.

  - outside both computations: `noncustomer` rows (Rule 15c3-3(a)(1), definition of
    customer) and a broker-dealer's accounts that are not PAB accounts (Rule 15c3-3(a)(16));
  - customer cross-margin accounts under the April 15, 2026 order, when the firm attests its
    three conditions;
  - every other row in exactly one computation, by its book (PAB Note 2, `pab.pab_note_2_one_computation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .inputs import Bools, Ints, Params
from .model import MAX_LISTED, Finding, Outcome, Severity, choose, dispositions, more_than_listed
from .pab import pab_note_2_one_computation

CROSS_MARGIN_ORDER = "Cross-margining order, April 15, 2026"


@dataclass
class AccountScope:
    """The `accounts` table as the Items 1 and 10 rules read it."""

    acc: pd.DataFrame
    rows: Ints
    bal: Ints  # balance in cents: > 0 a credit, < 0 a debit
    book_col: pd.Categorical  # the row's computation (book_col[mask] stays categorical)
    is_customer: Bools
    is_pab: Bools  # PAB accounts, less the broker-dealer accounts that are not PAB accounts
    is_margin: Bools
    live: Bools  # in the customer or the PAB computation, not a cross-margin account excluded


def accounts_in_formula(acc: pd.DataFrame, params: Params) -> tuple[AccountScope, Outcome]:
    """The rows of `accounts` in the formula, with the dispositions of those outside it."""
    out = Outcome()
    n = len(acc)
    rows = np.arange(n, dtype=np.int64)
    book_col = acc["book"].array  # Categorical
    is_customer, is_pab = pab_note_2_one_computation(acc)
    not_pab = outside_both_computations(acc, rows, is_pab, out)
    is_pab = is_pab & ~not_pab
    xm = cross_margin_order(acc, params, rows, is_customer, is_pab, out)
    scope = AccountScope(acc, rows, acc["balance"].to_numpy(dtype=np.int64), book_col, is_customer, is_pab,
                         (acc["type"] == "margin").to_numpy(dtype=bool), (is_customer | is_pab) & ~xm)
    return scope, out


def outside_both_computations(acc: pd.DataFrame, rows: Ints, is_pab: Bools, out: Outcome) -> Bools:
    """Non-customers (Rule 15c3-3(a)(1)), and a broker-dealer's accounts that are not PAB
    accounts -- delivery-versus-payment, receipt-versus-payment, subordinated to the claims of
    creditors (Rule 15c3-3(a)(16); reading: not_pab_accounts), whether the book puts them in
    `pab` or `noncustomer` (validation refuses a `customer` row with a reason). Returns the
    rows that are not PAB accounts."""
    n = len(acc)
    noncust = (acc["book"] == "noncustomer").to_numpy(dtype=bool)
    not_pab: Bools = (acc["non_pab_reason"].notna().to_numpy(dtype=bool) if "non_pab_reason" in acc.columns
                      else np.zeros(n, dtype=bool)) & (noncust | is_pab)
    plain = noncust & ~not_pab
    out.frames.append(dispositions("accounts", rows[plain], "", "excluded", 0,
                                   "Rule 15c3-3(a)(1) (definition of customer)",
                                   "non-customer account: outside the customer and PAB computations"))
    bd = not_pab
    if bd.any():
        why = acc["non_pab_reason"].to_numpy(dtype=object)
        out.frames.append(dispositions(
            "accounts", rows[bd], "", "excluded", 0, "Rule 15c3-3(a)(16) (definition of PAB account)",
            choose(int(bd.sum()), "a broker-dealer's account subordinated to the claims of creditors: "
                   "not a PAB account, outside both computations",
                   (why[bd] == "delivery_versus_payment", "a broker-dealer's delivery-versus-payment "
                    "account: not a PAB account, outside both computations"),
                   (why[bd] == "receipt_versus_payment", "a broker-dealer's receipt-versus-payment "
                    "account: not a PAB account, outside both computations"))))
    return not_pab


def cross_margin_order(acc: pd.DataFrame, params: Params, rows: Ints, is_customer: Bools, is_pab: Bools,
                       out: Outcome) -> Bools:
    """The April 15, 2026 cross-margining order exempts *customer* cross-margin accounts while
    the firm attests its three conditions; a PAB account marked cross_margin stays in the PAB
    computation (reading: cross_margin). Returns the rows excluded."""
    n = len(acc)
    bal = acc["balance"].to_numpy(dtype=np.int64)
    book_col = acc["book"].array
    xm_flag = acc["cross_margin"].to_numpy(dtype=bool)
    xm: Bools = xm_flag & is_customer
    if (xm_flag & is_pab).any():
        out.findings.append(Finding(CROSS_MARGIN_ORDER, "pab",
                                    f"{int((xm_flag & is_pab).sum())} PAB account(s) marked cross_margin stay in the PAB "
                                    "computation: the order covers customer accounts", None, "", None, Severity.REVIEW))
    p = params
    xm_ok = p.cross_margin_dual_registrant and p.cross_margin_joint_member and p.cross_margin_conditions_met
    if xm.any():
        if xm_ok:
            out.frames.append(dispositions("accounts", rows[xm], book_col[xm], "excluded", 0, CROSS_MARGIN_ORDER,
                                           "customer cross-margin account: outside the reserve formula while the order's "
                                           "conditions are met"))
            for r in rows[xm][:MAX_LISTED]:
                out.findings.append(Finding(CROSS_MARGIN_ORDER, book_col[r], "cross-margin account excluded from the "
                                            "computation", int(bal[r]), "accounts", int(r), Severity.INFO))
            more_than_listed(int(xm.sum()), out.findings, CROSS_MARGIN_ORDER, "", "accounts", Severity.INFO)
        else:
            missing = [n_ for n_, v in (("cross_margin_dual_registrant", p.cross_margin_dual_registrant),
                                        ("cross_margin_joint_member", p.cross_margin_joint_member),
                                        ("cross_margin_conditions_met", p.cross_margin_conditions_met)) if not v]
            out.findings.append(Finding(CROSS_MARGIN_ORDER, "",
                                        f"{int(xm.sum())} account(s) marked cross_margin stay in the computation because "
                                        f"the firm does not attest: {', '.join(missing)}", None, "", None, Severity.REVIEW))
            xm = np.zeros(n, dtype=bool)
    return xm
