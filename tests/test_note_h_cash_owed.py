"""Note H(b)(1)(i): "cash owed by the broker or dealer to the customer" (reading: h_cash_owed)."""

from __future__ import annotations

import pandas as pd

from reserve.formula.note_h.accounts import account_facts


def test_cash_owed_is_the_customers_credit_balances_not_netted_against_its_debits():
    # reading: h_cash_owed. Customer K: account A a credit of 2,000,000.00 (Item 1), account B a
    # debit of 2,000,000.00 (Item 10). The cash the firm owes K is A's credit, 2,000,000.00: the
    # formula carries a credit and a debit gross (Items 1 and 10), and the release calls the
    # credit items "cash owed to customers"; B's debit is not taken off it. Customer L, a
    # debit only: owes nothing -> 0.
    acc = pd.DataFrame({"account_id": ["A", "B", "C"], "customer_id": ["K", "K", "L"],
                        "book": ["customer"] * 3, "type": ["cash", "margin", "margin"],
                        "balance": [200_000_000, -200_000_000, -5_000]})
    req = pd.DataFrame({"account_id": ["A", "C"]})
    dep = pd.DataFrame({"account_id": pd.Series([], dtype=object), "owner_account_id": pd.Series([], dtype=object)})
    facts = account_facts(acc, req, dep, cross_margin_outside=False)
    owed = facts.cash_owed.to_dict()
    assert owed[("K", "customer")] == 200_000_000
    assert owed.get(("L", "customer"), 0) == 0
