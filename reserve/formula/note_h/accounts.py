"""Whose positions and assets Note H looks at: each account's computation and customer.

Note H(a)(2) counts margin for "the customers of the broker or dealer"; read with PAB Note 1
and PAB Note 9 the PAB accounts' margin belongs to the PAB computation, and a non-customer
account's, an unknown account's or an excluded cross-margin account's to neither
(reading: h_outside_accounts). Note H(b)(1)(i) caps customer cash at the "cash owed by the broker or
dealer to the customer": the customer's credit balances, per computation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import keys
from .. import model
from .text import text

OUTSIDE_CROSS_MARGIN = "a cross-margin account outside the reserve formula (Cross-margining order, April 15, 2026)"
OUTSIDE_UNKNOWN = "an account that is not in the accounts table"


@dataclass(frozen=True)
class AccountFacts:
    """attrs: per account_id, its `computation` ('customer' | 'pab' | ''), `customer_id` and
    why it is `outside` the computations ('' when inside). cash_owed: per (customer_id,
    computation), the cash the firm owes the customer (Note H(b)(1)(i))."""

    attrs: pd.DataFrame
    cash_owed: pd.Series


def account_facts(accounts: pd.DataFrame, requirements: pd.DataFrame, deposits: pd.DataFrame,
                  cross_margin_outside: bool) -> AccountFacts:
    """Note H(a)(2) with PAB Note 9: the computation of each account the clearing-agency tables
    name (reading: h_outside_accounts); Note H(b)(1)(i): the cash owed to each of their customers.

    cross_margin_outside: the firm meets the cross-margining order's conditions, so its
    customers' cross-margin accounts are outside the reserve formula."""
    acc = accounts
    # Only the accounts the clearing-agency tables name, and every account of their customers
    # (for the cash owed), matter here: a few thousand rows out of possibly millions.
    named = keys.positions_among(acc["account_id"], requirements["account_id"], deposits["account_id"],
                                 deposits["owner_account_id"])
    of_customers = keys.positions_among(acc["customer_id"], acc["customer_id"].iloc[named])
    acc = acc.iloc[np.union1d(named, of_customers)]
    a = pd.DataFrame({
        "account_id": model.text_values(acc["account_id"]),
        "type": acc["type"].astype(object).fillna("").to_numpy(dtype=object),
        "book": model.text_values(acc["book"]),
        "customer_id": model.text_values(acc["customer_id"]),
        "balance": acc["balance"].to_numpy(dtype=np.int64),
        "cross_margin": acc["cross_margin"].to_numpy(dtype=bool) if "cross_margin" in acc else False,
    })
    in_formula = (a["book"].isin(model.COMPUTATIONS)
                  & ~(a["cross_margin"] & cross_margin_outside & (a["book"] == "customer")))
    a["computation"] = a["book"].where(in_formula, "")
    a["outside"] = np.where(
        in_formula, "",
        np.where(a["book"].isin(model.COMPUTATIONS), OUTSIDE_CROSS_MARGIN,
                 "a non-customer account (book " + text(a["book"]) + ")"))
    # One account_id may have several rows (one per type): the first by type decides, so
    # the result does not depend on row order.
    first = a.sort_values(["account_id", "type"], kind="mergesort").drop_duplicates("account_id")
    attrs = first.set_index("account_id")[["computation", "customer_id", "outside"]]
    # Note H(b)(1)(i): "cash owed by the broker or dealer to the customer" = credit balances,
    # not netted against the customer's debits in other accounts (reading: h_cash_owed).
    live = a[in_formula]
    owed = live["balance"].clip(lower=0).groupby([live["customer_id"], live["computation"]]).sum()
    owed.index = owed.index.set_names(["customer_id", "computation"])
    return AccountFacts(attrs, owed.rename("cash_owed"))


def attach_account(frame: pd.DataFrame, attrs: pd.DataFrame, on: str, prefix: str) -> pd.DataFrame:
    """`frame` with the computation, customer_id and `outside` of the account in column `on`
    (columns named with `prefix`); an account not in the accounts table is outside."""
    m = attrs.rename(columns=lambda c: prefix + c)
    out = frame.merge(m, how="left", left_on=on, right_index=True, sort=False)
    unknown = out[prefix + "computation"].isna()
    out[prefix + "computation"] = out[prefix + "computation"].fillna("")
    out[prefix + "outside"] = out[prefix + "outside"].where(~unknown, OUTSIDE_UNKNOWN)
    out[prefix + "outside"] = out[prefix + "outside"].fillna("")
    return out
