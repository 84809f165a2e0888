"""A credit line's reductions never take it below zero (reading: credit_reductions_bound)."""

from __future__ import annotations

from bookkit import book, item

from reserve.formula import compute
from reserve.formula.model import Severity
from reserve.report.model import build_report


def pab_item(i, kind, amount, **kw):
    return item(i, kind, amount, book="pab", **kw)


def test_reductions_within_the_line_are_taken(tmp_path):
    # reading: credit_reductions_bound. PAB Item 1: a PAB credit of 10,000 less a PAB Note 6
    # exclusion of 1,500 (CFTC-segregated portfolio margin) and a Note 5 exclusion of 400
    # (identified as a payable) = 8,100: within the line, both taken, nothing flagged.
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "10000"}], items=[
        pab_item("N6", "pab_note6_cftc_segregated", "1500"),
        pab_item("N5", "pab_note5_exclusion", "400", identified_as_payable="true")])
    r = compute(b)
    assert r.computations["pab"].lines["item_1"] == 810_000
    assert not [f for f in r.findings if f.rule == "Exhibit A (credits)"]


def test_reductions_past_the_line_are_none_of_them_taken(tmp_path):
    # reading: credit_reductions_bound. PAB Item 1: a PAB credit of 10,000; reductions of
    # 15,000 (Note 6) + 400 (Note 5) = 15,400 would make it 10,000 - 15,400 = -5,400, a negative
    # credit. Neither is taken: Item 1 = 10,000 (its credits before them). With no PAB debit the
    # requirement is 10,000 (it was 0 with the reductions). One severe finding for the line (at
    # stake 5,400), one review finding per row; both rows excluded, with the reason; rows in =
    # used + excluded.
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "10000"}], items=[
        pab_item("N6", "pab_note6_cftc_segregated", "15000"),
        pab_item("N5", "pab_note5_exclusion", "400", identified_as_payable="true")])
    r = compute(b)
    pab = r.computations["pab"]
    assert pab.lines["item_1"] == 1_000_000 and pab.required_deposit == 1_000_000
    found = [f for f in r.findings if f.rule == "Exhibit A (credits)"]
    severe = [f for f in found if f.severity is Severity.SEVERE]
    assert len(severe) == 1 and severe[0].amount == 540_000 and "PAB Item 1 is (5,400.00)" in severe[0].message
    rows = sorted((f.message.split(":")[0], f.amount) for f in found if f.severity is Severity.REVIEW)
    assert rows == [("N5", 40_000), ("N6", 1_500_000)]
    d = r.dispositions
    items = d[(d["table"] == "items")]
    assert set(items["line"].astype(str)) == {"excluded"} and (items["amount"] == 0).all()
    assert all("not taken" in str(x) for x in items["reason"])
    counts = r.row_counts["items"]
    assert counts["rows"] == 2 == counts["used"] + counts["excluded"]
    rep = build_report(b, r)
    assert any(e.rule == "Exhibit A (credits)" and e.severity == "severe" for e in rep.exceptions)


def test_a_new_issue_past_item_1_keeps_its_debit_side(tmp_path):
    # reading: credit_reductions_bound. The customer credit line is the one bounded; a new issue
    # row's Item 10 side (its related debit) is not a credit and stays as it is.
    b = book(tmp_path, accounts=[{"account_id": "C", "book": "customer", "balance": "1000"}], items=[
        item("NI", "new_issue_not_received", "5000", security_type="municipal", open_date="2026-11-19")])
    r = compute(b)
    assert r.computations["customer"].lines["item_1"] == 100_000
    assert any(f.rule == "Exhibit A (credits)" and f.severity is Severity.SEVERE for f in r.findings)
