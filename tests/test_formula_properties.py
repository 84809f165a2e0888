"""Invariants of the computation, checked on generated books (hypothesis).

- order-free: shuffling rows does not change any figure;
- splitting a table across CSV files does not change any figure;
- adding a credit never lowers the requirement;
- totals tie: total credits = sum of credit lines, aggregate debits = sum of debit lines;
- every row is accounted for: rows in = used + excluded, one primary disposition per row.
"""

from __future__ import annotations

import csv
import tempfile
from datetime import date, timedelta
from pathlib import Path

from bookkit import write_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reserve.book import load_book
from reserve.formula import compute
from reserve.formula.model import CREDIT_LINES, DEBIT_LINES
from reserve.money import format_cents

SETTINGS = settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))

cents = st.integers(min_value=-5_000_000_00, max_value=5_000_000_00)
pos_cents = st.integers(min_value=0, max_value=5_000_000_00)

account = st.fixed_dictionaries({
    "book": st.sampled_from(["customer", "customer", "pab", "noncustomer"]),
    "type": st.sampled_from(["cash", "margin", "omnibus"]),
    "balance": cents,
    "customer": st.integers(0, 5),
    "unsecured_amount": st.sampled_from([0, 0, 100_00]),
    "doubtful": st.booleans(),
    "noncustomer_ownership_pct": st.sampled_from(["0", "3", "5", "20", "50", "75"]),
})
item = st.fixed_dictionaries({
    "kind": st.sampled_from(["drafts_payable", "bank_loan", "securities_loaned", "fail_to_receive", "fail_to_deliver",
                             "securities_borrowed", "stock_dividend_receivable", "other_credit", "other_debit",
                             "checks_drawn_in_excess", "letter_of_credit", "letter_of_credit_portfolio_margin",
                             "occ_margin", "futures_margin"]),
    "amount": pos_cents,
    "market_value": pos_cents,
    "age": st.integers(0, 60),
    # margin rows naming no clearing organization are capped together: order must not matter
    "margin_requirement": pos_cents,
    "collateral_form": st.sampled_from(["cash", "qualified_securities", "customer_loc", "other"]),
    "clearing_org_qualified": st.booleans(),
})
collateral = st.fixed_dictionaries({"acct": st.integers(0, 20), "security": st.sampled_from(["S1", "S2", "S3", "UST"]),
                                    "market_value": pos_cents})


def _rows(accounts, items, coll):
    acc = [{"account_id": f"A{i}", "customer_id": f"C{a['customer']}", "book": a["book"], "type": a["type"],
            "balance": format_cents(a["balance"]), "unsecured_amount": format_cents(a["unsecured_amount"]),
            "doubtful": str(a["doubtful"]), "noncustomer_ownership_pct": a["noncustomer_ownership_pct"]}
           for i, a in enumerate(accounts)]
    margin_ids = [r["account_id"] for r in acc if r["type"] == "margin"]
    its = []
    for i, it in enumerate(items):
        open_date = (date(2026, 11, 20) - timedelta(days=it["age"])).isoformat()
        its.append({"item_id": f"I{i}", "book": "customer", "kind": it["kind"], "amount": format_cents(it["amount"]),
                    "market_value": format_cents(it["market_value"]), "open_date": open_date,
                    "margin_requirement": format_cents(it["margin_requirement"]),
                    "collateral_form": it["collateral_form"], "clearing_org_qualified": str(it["clearing_org_qualified"]),
                    "description": "generated"})
    col = []
    if margin_ids:
        for c in coll:
            col.append({"account_id": margin_ids[c["acct"] % len(margin_ids)], "security_id": c["security"],
                        "market_value": format_cents(c["market_value"]), "exempted": str(c["security"] == "UST")})
    return acc, its, col


def _figures(result):
    out = {}
    for name, c in result.computations.items():
        out[name] = (tuple(sorted(c.lines.items())), c.total_credits, c.aggregate_debits, c.debit_reduction,
                     c.required_deposit, c.excess_debits, c.deposit_needed, c.withdrawal_permitted)
    return out


def _compute(acc, its, col):
    with tempfile.TemporaryDirectory() as d:
        return compute(load_book(write_book(Path(d), accounts=acc, items=its, collateral=col)))


@SETTINGS
@given(st.lists(account, min_size=1, max_size=20), st.lists(item, max_size=12), st.lists(collateral, max_size=15),
       st.randoms(use_true_random=False))
def test_order_free_and_totals_tie(accounts, items, coll, rnd):
    acc, its, col = _rows(accounts, items, coll)
    first = _compute(acc, its, col)
    rnd.shuffle(acc)
    rnd.shuffle(its)
    rnd.shuffle(col)
    second = _compute(acc, its, col)
    assert _figures(first) == _figures(second)
    for c in first.computations.values():
        assert c.total_credits == sum(c.lines[k] for k in CREDIT_LINES)
        assert c.aggregate_debits == sum(c.lines[k] for k in DEBIT_LINES)
        assert c.total_debits == c.aggregate_debits - c.debit_reduction
        assert c.excess_credits - c.excess_debits == c.total_credits - c.total_debits
    for table, counts in first.row_counts.items():
        assert counts["rows"] == counts["used"] + counts["excluded"], table


@SETTINGS
@given(st.lists(account, min_size=2, max_size=20), st.lists(item, max_size=10), st.integers(1, 19))
def test_splitting_a_table_across_files(accounts, items, cut):
    acc, its, _ = _rows(accounts, items, [])
    whole = _compute(acc, its, [])
    with tempfile.TemporaryDirectory() as d:
        folder = write_book(Path(d), accounts=acc[: cut % len(acc)], items=its)
        rest = acc[cut % len(acc):]
        cols = list(acc[0].keys())
        with open(folder / "accounts.part2.csv", "w", newline="") as f:
            w = csv.DictWriter(f, cols)
            w.writeheader()
            w.writerows(rest)
        split = compute(load_book(folder))
    assert _figures(whole) == _figures(split)


@SETTINGS
@given(st.lists(account, min_size=1, max_size=15), st.lists(item, max_size=8), pos_cents,
       st.sampled_from(["account", "drafts_payable", "bank_loan", "other_credit", "checks_drawn_in_excess",
                        "letter_of_credit_portfolio_margin"]))
def test_adding_a_credit_never_lowers_the_requirement(accounts, items, extra, how):
    acc, its, _ = _rows(accounts, items, [])
    before = _compute(acc, its, [])
    if how == "account":
        acc = acc + [{"account_id": "NEW", "book": "customer", "balance": format_cents(extra)}]
    else:
        its = its + [{"item_id": "NEW", "book": "customer", "kind": how, "amount": format_cents(extra),
                      "description": "added credit"}]
    after = _compute(acc, its, [])
    b, a = before.computations["customer"], after.computations["customer"]
    assert a.required_deposit >= b.required_deposit
    assert a.total_credits == b.total_credits + extra
