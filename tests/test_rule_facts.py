"""The facts of Exhibit A and Rule 15c3-1 that the original book format could not state
(issue 11, except Note H), each worked by hand from the rule text.

Amounts are cents unless written as dollars in a book. as_of is Friday 2026-11-20; the
firm uses the alternative method and computes weekly unless a test says otherwise.
"""

from __future__ import annotations

import pandas as pd
import pytest
from bookkit import acct, book, item, write_book

from reserve.book import load_book
from reserve.errors import BookInvalid
from reserve.formula import compute
from reserve.formula.model import LINES, LINES_BY_KEY


def pab_item(i, kind, amount, **kw):
    return item(i, kind, amount, book="pab", **kw)


def org(i, kind, **kw):
    return {"clearing_org_id": i, "name": f"{i} clearing", "kind": kind, **kw}


QUALIFIED = dict(note_g_b1="true", note_g_b2="true", note_g_b3="true")


def problems(tmp_path, parameters=None, **tables) -> list:
    with pytest.raises(BookInvalid) as exc:
        load_book(write_book(tmp_path, parameters, **tables))
    return exc.value.problems


def disp(r, table, line=None):
    d = r.dispositions
    m = d["table"] == table
    if line:
        m &= d["line"] == line
    return d[m]


# --------------------------------------------------------------------------- Note A


def test_note_a_checks_drawn_in_excess_of_bank_balances(tmp_path):
    # Note A: Item 1 includes drafts payable and "checks drawn in excess of bank balances per the
    # records of the broker or dealer": 1,000.00 + draft 99.50 + checks 400.25 = 1,499.75.
    b = book(tmp_path, accounts=[acct("A", "1000")],
             items=[item("D", "drafts_payable", "99.50"), item("K", "checks_drawn_in_excess", "400.25")])
    r = compute(b)
    assert r.computations["customer"].lines["item_1"] == 149_975
    (k,) = disp(r, "items", "item_1").query("row == 1")["reason"].tolist()
    assert "checks drawn in excess of bank balances" in k


# --------------------------------------------------------------------------- Note B


def test_note_b_letters_of_credit_first_and_second_sentences(tmp_path):
    # reading: note_b_letters_of_credit.
    # First sentence, capped "to the extent of the member's margin requirement" once per
    # clearing organization: L1 3,000 (requirement 2,000) and L2 1,500 (requirement 2,500) at OCC
    # together 4,500, capped at the larger stated requirement 2,500 (the larger credit), flagged.
    # L4 names no organization: capped at its own requirement, min(800, 500) = 500.
    # Second sentence (portfolio-margined futures): L3 10,000, not capped.
    # Item 2 = 2,500 + 500 + 10,000 = 13,000.
    b = book(tmp_path, items=[
        item("L1", "letter_of_credit", "3000", margin_requirement="2000", clearing_org_id="OCC"),
        item("L2", "letter_of_credit", "1500", margin_requirement="2500", clearing_org_id="OCC"),
        item("L3", "letter_of_credit_portfolio_margin", "10000"),
        item("L4", "letter_of_credit", "800", margin_requirement="500"),
    ], clearing_organizations=[org("OCC", "occ")])
    r = compute(b)
    assert r.computations["customer"].lines["item_2"] == 1_300_000
    assert any(f.rule == "Note B" and "different margin requirements" in f.message for f in r.findings)


# --------------------------------------------------------------------------- Note C


def test_note_c_monies_payable_and_collateral_value_differ(tmp_path):
    # reading: note_c. Item 3 = monies payable + max(0, market value - collateral value received).
    # S1 non-cash collateral: payable 1,000, collateral value 950, market value 1,200
    #    -> 1,000 + (1,200 - 950) = 1,250 (the old reading, amount as the collateral, gave 1,200).
    # S2 cash collateral (collateral_value blank = amount): 900, market value 800 -> 900.
    # S3 payable 1,000, collateral value 1,100 covers market value 1,050 -> 1,000.
    # Item 3 = 1,250 + 900 + 1,000 = 3,150.
    b = book(tmp_path, items=[
        item("S1", "securities_loaned", "1000", market_value="1200", collateral_value="950"),
        item("S2", "securities_loaned", "900", market_value="800"),
        item("S3", "securities_loaned", "1000", market_value="1050", collateral_value="1100"),
    ])
    assert compute(b).computations["customer"].lines["item_3"] == 315_000


# --------------------------------------------------------------------------- Notes F, G


def test_notes_f_g_margin_capped_once_per_clearing_organization(tmp_path):
    # reading: clearing_margin_groups; reading: note_g_annual.
    # Item 13 (Note F), OCC requirement 1,000 met by O1 cash 600 and O2 qualified securities
    # 700: together 1,300, counted up to 1,000 once (O1 600, O2 400). O3 in another form: out.
    # Item 14 (Note G): CME meets G(b)(1)-(3), determined 2026-03-01 (within the year before
    # as_of): F1 cash 500 + F2 customer letter of credit 300 = 800, capped at 700. F1 says
    # clearing_org_qualified false, but the organization's facts decide.
    # OLD meets G(b) but was last determined 2025-11-19, before 2025-11-20 (a year before as_of):
    # F3 out, whatever its clearing_org_qualified says. NOG lacks G(b)(2): F4 out.
    # Item 13 = 1,000; Item 14 = 700.
    b = book(tmp_path, items=[
        item("O1", "occ_margin", "600", margin_requirement="1000", collateral_form="cash", clearing_org_id="OCC"),
        item("O2", "occ_margin", "700", margin_requirement="1000", collateral_form="qualified_securities",
             clearing_org_id="OCC"),
        item("O3", "occ_margin", "500", margin_requirement="1000", collateral_form="other", clearing_org_id="OCC"),
        item("F1", "futures_margin", "500", margin_requirement="700", collateral_form="cash", clearing_org_id="CME",
             clearing_org_qualified="false"),
        item("F2", "futures_margin", "300", margin_requirement="700", collateral_form="customer_loc",
             clearing_org_id="CME"),
        item("F3", "futures_margin", "400", margin_requirement="400", collateral_form="cash", clearing_org_id="OLD",
             clearing_org_qualified="true"),
        item("F4", "futures_margin", "400", margin_requirement="400", collateral_form="cash", clearing_org_id="NOG"),
    ], clearing_organizations=[
        org("OCC", "occ"), org("CME", "dco", note_g_determined_on="2026-03-01", **QUALIFIED),
        org("OLD", "dco", note_g_determined_on="2025-11-19", **QUALIFIED),
        org("NOG", "dco", note_g_b1="true", note_g_b3="true", note_g_determined_on="2026-06-01")])
    r = compute(b)
    c = r.computations["customer"]
    assert (c.lines["item_13"], c.lines["item_14"]) == (100_000, 70_000)
    i13 = disp(r, "items", "item_13")
    assert sorted(zip(i13["row"], i13["amount"], strict=True)) == [(0, 60_000), (1, 40_000)]
    excluded = disp(r, "items", "excluded").set_index("row")["reason"]
    assert "at least annually" in excluded[5] and "Note G(b)(2)" in excluded[6]
    assert any(f.rule == "Note G(b), (c)" and "F3" in f.message and "facts decide" in f.message for f in r.findings)


def test_margin_rows_of_one_organization_stating_different_requirements(tmp_path):
    # reading: clearing_margin_groups. OCC's rows state 1,000 and 900: the smaller, 900, is used
    # (the smaller debit): 600 + 700 = 1,300 counted up to 900; flagged for review.
    b = book(tmp_path, items=[
        item("N1", "occ_margin", "600", margin_requirement="1000", collateral_form="cash", clearing_org_id="OCC"),
        item("N2", "occ_margin", "700", margin_requirement="900", collateral_form="cash", clearing_org_id="OCC")],
        clearing_organizations=[org("OCC", "occ")])
    r = compute(b)
    assert r.computations["customer"].lines["item_13"] == 90_000
    assert any(f.rule == "Notes F, G" and "different margin requirements" in f.message for f in r.findings)


def test_margin_rows_naming_no_organization_are_one_organization(tmp_path):
    # reading: clearing_margin_groups. A book written before clearing_org_id: U1 cash 800
    # (requirement 800) and U2 cash 500 (requirement 600) may be one requirement met twice, so
    # they count together up to the largest requirement stated, 800 (each row alone: 800 + 500
    # = 1,300). A finding names both rows and the 500 left out. A single row counts as before.
    b = book(tmp_path, items=[
        item("U1", "occ_margin", "800", margin_requirement="800", collateral_form="cash"),
        item("U2", "occ_margin", "500", margin_requirement="600", collateral_form="cash"),
        item("G1", "futures_margin", "500", margin_requirement="700", collateral_form="cash",
             clearing_org_qualified="true")])
    r = compute(b)
    c = r.computations["customer"]
    assert (c.lines["item_13"], c.lines["item_14"]) == (80_000, 50_000)
    (f,) = [f for f in r.findings if f.rule == "Notes F, G"]
    assert "U1, U2" in f.message and f.amount == 50_000


def test_clearing_organization_references_are_checked(tmp_path):
    # An unknown clearing_org_id, and Item 13 margin at an organization that is not the OCC.
    ps = problems(tmp_path, items=[
        item("O1", "occ_margin", "1", margin_requirement="1", collateral_form="cash", clearing_org_id="CME"),
        item("O2", "futures_margin", "1", margin_requirement="1", collateral_form="cash", clearing_org_id="NOPE")],
        clearing_organizations=[org("CME", "dco")])
    assert {(p.row, p.column) for p in ps} == {(2, "clearing_org_id"), (3, "clearing_org_id")}
    assert any("Options Clearing Corporation" in p.message for p in ps)


# --------------------------------------------------------------------------- ageing


AGEING = {
    "fail_to_receive": {"market_value": "1500"},
    "stock_dividend_receivable": {"market_value": "40"},
    "short_count_difference": {"market_value": "70"},
    "suspense_short": {"market_value": "80"},
    "transfer_unconfirmed": {"market_value": "90"},
    "fail_to_deliver": {},
    "new_issue_not_received": {"security_type": "municipal"},
}


@pytest.mark.parametrize("kind", sorted(AGEING))
def test_an_ageing_kind_without_open_date_is_a_problem(tmp_path, kind):
    # Items 4, 6-9, 12, Note D and Rule 15c3-1(a)(1)(ii)(C) turn on the item's age.
    (p,) = problems(tmp_path, accounts=[acct("A", "1")], items=[item("X", kind, "1000", **AGEING[kind])])
    assert (p.sheet, p.row, p.column) == ("items", 2, "open_date")


def test_a_blank_open_date_reaching_the_formula_is_never_a_young_item(tmp_path):
    # reading: ageing_blank_date. Validation refuses these rows; should one reach the formula
    # (here: open_date cleared after loading), each is taken as the older item:
    #   fail to receive 1,000 (market 1,500) -> Note D: 1,000 + 500 = 1,500 in Item 4
    #   stock dividend 40 -> Item 6; short count 70 -> Item 7; suspense 80 -> Item 8;
    #   transfer 90 -> Item 9 (over 40 days); fail to deliver 1,000 -> out of Item 12;
    #   new issue 1,000 -> not excluded from Item 1 (not shown within 3 business days).
    rows = [item(k, k, "1000", open_date="2026-11-19", **extra) for k, extra in AGEING.items()]
    b = book(tmp_path, accounts=[acct("A", "5000")], items=rows)
    b.tables["items"]["open_date"] = pd.NaT
    r = compute(b)
    c = r.computations["customer"]
    assert [c.lines[f"item_{i}"] for i in (1, 4, 6, 7, 8, 9, 12)] == [500_000, 150_000, 4_000, 7_000, 8_000, 9_000, 0]
    assert sum(f.rule.startswith("Items 4, 6-9, 12") and f.severity == "severe" for f in r.findings) == len(AGEING)


# --------------------------------------------------------------------------- Rule 15c3-1(a)(1)(ii)(C)


def test_new_issue_credits_and_related_debits_excluded_for_3_business_days(tmp_path):
    # reading: new_issue_exclusion. Account A's credit 10,000 includes 3,000 payable for a
    # municipal new issue not yet received (NI1, opened Tue 11-17: 11-18, 11-19, 11-20 = 3
    # business days, not more than 3) with a related debit of 500 in B's debit 2,000.
    # NI2 (opened Mon 11-16: 4 business days) and NI3 (other securities) stay in.
    # Item 1 = 10,000 - 3,000 = 7,000; Item 10 = 2,000 - 500 = 1,500.
    rows = [item("NI1", "new_issue_not_received", "3000", related_debit="500", security_type="municipal",
                 open_date="2026-11-17"),
            item("NI2", "new_issue_not_received", "1000", security_type="us_government_agency", open_date="2026-11-16"),
            item("NI3", "new_issue_not_received", "1000", security_type="other", open_date="2026-11-19")]
    accounts = [acct("A", "10000"), acct("B", "-2000")]
    r = compute(book(tmp_path / "alt", accounts=accounts, items=rows))
    c = r.computations["customer"]
    assert (c.lines["item_1"], c.lines["item_10"]) == (700_000, 150_000)
    reasons = disp(r, "items", "excluded").set_index("row")["reason"]
    assert "more than 3 business days" in reasons[1] and "not U.S. government" in reasons[2]
    # A basic-method firm: the exclusion is the alternative method's; everything stays.
    r = compute(book(tmp_path / "basic", parameters={"net_capital_method": "basic"}, accounts=accounts, items=rows))
    c = r.computations["customer"]
    assert (c.lines["item_1"], c.lines["item_10"]) == (1_000_000, 200_000)


# --------------------------------------------------------------------------- Rule 15c3-1(a)(1)(ii)(D)


def test_fails_allocated_to_fails_to_receive_are_excluded_and_listed(tmp_path):
    # reading: fails_allocated. R: fail to receive 1,000 of issue S1. D (fail to deliver 400) and
    # B (security borrowed 600) are allocated to R, same issue: out of Items 12 and 11, and the
    # firm deducts 1% of 1,000 = 10.00 from net worth. D2 (300, not allocated) stays.
    # Item 4 = 1,000; Item 11 = 0; Item 12 = 300.
    rows = [item("R", "fail_to_receive", "1000", market_value="1000", open_date="2026-11-18", security_id="S1"),
            item("D", "fail_to_deliver", "400", open_date="2026-11-18", security_id="S1", allocated_to="R"),
            item("B", "securities_borrowed", "600", security_id="S1", allocated_to="R"),
            item("D2", "fail_to_deliver", "300", open_date="2026-11-18")]
    r = compute(book(tmp_path / "alt", items=rows))
    c = r.computations["customer"]
    assert (c.lines["item_4"], c.lines["item_11"], c.lines["item_12"]) == (100_000, 0, 30_000)
    (f,) = [f for f in r.findings if f.rule == "Rule 15c3-1(a)(1)(ii)(D)"]
    assert f.amount == 1_000 and "1,000.00" in f.message
    # A basic-method firm keeps them in their lines (Item 11 600, Item 12 700).
    c = compute(book(tmp_path / "basic", parameters={"net_capital_method": "basic"}, items=rows)).computations["customer"]
    assert (c.lines["item_11"], c.lines["item_12"]) == (60_000, 70_000)


def test_allocation_must_name_a_fail_to_receive_of_the_same_issue(tmp_path):
    ps = problems(tmp_path, items=[
        item("R", "fail_to_receive", "1", market_value="1", open_date="2026-11-18", security_id="S1"),
        item("L", "bank_loan", "1"),
        item("D1", "fail_to_deliver", "1", open_date="2026-11-18", allocated_to="L"),  # not a fail to receive
        item("D2", "fail_to_deliver", "1", open_date="2026-11-18", security_id="S2", allocated_to="R"),  # other issue
        item("K", "bank_loan", "1", allocated_to="R"),  # not a kind that is allocated
        item("D3", "fail_to_deliver", "1", open_date="2026-11-18", allocated_to="R")])  # issue not stated
    assert {(p.row, p.column) for p in ps} == {(4, "allocated_to"), (5, "security_id"), (6, "allocated_to"),
                                               (7, "security_id")}


def test_a_column_given_on_a_kind_that_does_not_use_it_is_refused(tmp_path):
    # Nothing silent: a Note's column on a row of another kind would be ignored.
    ps = problems(tmp_path, items=[
        item("L", "bank_loan", "1", payment_terms="immediate"),
        item("S", "drafts_payable", "1", swept_by_10am="true"),
        item("N", "new_issue_not_received", "1", open_date="2026-11-19", security_type="municipal",
             placed_on="2026-11-19"),
        item("B", "bank_loan", "1", related_debit="5")])
    assert {(p.row, p.column) for p in ps} == {(2, "payment_terms"), (3, "swept_by_10am"), (4, "placed_on"),
                                               (5, "related_debit")}


# --------------------------------------------------------------------------- PAB Notes 5-8


def test_pab_note_5_payment_terms_and_identified_payables(tmp_path):
    # reading: pab_note5.
    # Second sentence: a receivable is a credit balance if subject to immediate cash payment, a
    # clearing deposit if subject to payment within 30 days:
    #   C1 receivable immediate +100; C2 receivable within 30 days: not a credit;
    #   C3 clearing deposit within 30 days +300; C4 clearing deposit later: not a credit;
    #   C5 clearing deposit, terms not stated: kept (+50), flagged.
    # First sentence: X1 allowable receivable identified as a payable: -1,000; X2 not: stays.
    # PAB Item 1 = 10,000 + 100 + 300 + 50 - 1,000 = 9,450.
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "10000"}], items=[
        pab_item("C1", "pab_note5_credit", "100", payment_terms="immediate"),
        pab_item("C2", "pab_note5_credit", "200", payment_terms="within_30_days"),
        pab_item("C3", "pab_note5_clearing_deposit", "300", payment_terms="within_30_days"),
        pab_item("C4", "pab_note5_clearing_deposit", "400", payment_terms="later"),
        pab_item("C5", "pab_note5_clearing_deposit", "50"),
        pab_item("X1", "pab_note5_exclusion", "1000", identified_as_payable="true"),
        pab_item("X2", "pab_note5_exclusion", "500")])
    r = compute(b)
    assert r.computations["pab"].lines["item_1"] == 945_000
    flagged = {f.row for f in r.findings if f.rule == "PAB Note 5"}
    assert flagged == {4, 6}


def test_pab_note_6_cross_margin_and_cftc_segregated_balances(tmp_path):
    # reading: pab_note6. PAB Item 2: bank loan 5,000 less N6a 2,000 (PAB securities pledged
    # for intra-day margin, replaced the next business day by the other clearing corporation's
    # excess margin) = 3,000; N6b (not shown replaced) reduces nothing.
    # PAB Item 1: 10,000 less N6c 1,500 of CFTC-segregated portfolio margin balances = 8,500.
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "10000"}], items=[
        pab_item("L", "bank_loan", "5000"),
        pab_item("N6a", "pab_note6_cross_margin", "2000", replaced_next_business_day="true"),
        pab_item("N6b", "pab_note6_cross_margin", "1000"),
        pab_item("N6c", "pab_note6_cftc_segregated", "1500")])
    c = compute(b).computations["pab"]
    assert (c.lines["item_1"], c.lines["item_2"]) == (850_000, 300_000)


def test_pab_note_7_size_timing_and_the_separate_account(tmp_path):
    # reading: pab_note7; reading: pab_note7_account.
    # PAB balance 60,000,000. Deposits received before a pending transaction, in SEP (the
    # separate PAB Reserve Bank Account) unless said otherwise:
    #   T1 6,000,000 received Thu 11-19, placed Fri 11-20 by noon            -> excluded
    #   T2 6,000,000 received 11-19, placed 11-20 after noon                 -> stays
    #   T3a 3,000,000 + T3b 2,500,000, one transaction (5,500,000), same day -> excluded
    #   T4a/b/c 4,000,000 + 4,000,000 + 3,000,000, three transactions of broker BD4
    #       (each under 5,000,000; 11,000,000 in aggregate), same day        -> excluded
    #   T5 1,000,000 of broker BD5 alone                                      -> stays
    #   T6 6,000,000 in OTH, a PAB account not marked pab_note7_account      -> stays
    #   T7 5,000,000 received Fri 11-13, placed Mon 11-16 by noon            -> excluded
    #   T8 5,000,000 received Fri 11-13, placed Tue 11-17                    -> stays
    # PAB Item 1 = 60,000,000 - 6,000,000 - 5,500,000 - 11,000,000 - 5,000,000 = 32,500,000.
    # On deposit: SEP cash 30,000,000 less the 27,500,000 excluded deposits it holds = 2,500,000,
    # plus OTH 1,000,000 = 3,500,000.
    def dep(i, amount, received, placed, noon=None, **kw):
        row = dict(open_date=received, placed_on=placed, reserve_bank_account_id="SEP")
        if noon is not None:
            row["placed_by_noon"] = noon
        row.update(kw)
        return pab_item(i, "pab_note7_exclusion", amount, **row)

    items = [dep("T1", "6000000", "2026-11-19", "2026-11-20", "true"),
             dep("T2", "6000000", "2026-11-19", "2026-11-20", "false"),
             dep("T3a", "3000000", "2026-11-19", "2026-11-19", transaction_id="TX3"),
             dep("T3b", "2500000", "2026-11-19", "2026-11-19", transaction_id="TX3"),
             dep("T4a", "4000000", "2026-11-19", "2026-11-19", broker_id="BD4"),
             dep("T4b", "4000000", "2026-11-19", "2026-11-19", broker_id="BD4"),
             dep("T4c", "3000000", "2026-11-19", "2026-11-19", broker_id="BD4"),
             dep("T5", "1000000", "2026-11-19", "2026-11-19", broker_id="BD5"),
             dep("T6", "6000000", "2026-11-19", "2026-11-19", reserve_bank_account_id="OTH"),
             dep("T7", "5000000", "2026-11-13", "2026-11-16", "true"),
             dep("T8", "5000000", "2026-11-13", "2026-11-17", "true")]
    rb = lambda i, cash, **kw: {"account_id": i, "book": "pab", "bank_id": "B", "bank_name": "B",  # noqa: E731
                                "bank_equity_capital": "1000000000", "cash": cash, "written_notification": "true", **kw}
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "60000000"}], items=items,
             reserve_bank_accounts=[rb("SEP", "30000000", pab_note7_account="true"), rb("OTH", "1000000")])
    r = compute(b)
    c = r.computations["pab"]
    assert c.lines["item_1"] == 3_250_000_000
    assert c.on_deposit == 350_000_000
    kept = {f.row for f in r.findings if f.rule == "PAB Note 7" and f.table == "items"}
    assert kept == {1, 7, 8, 10}  # T2, T5, T6, T8
    reasons = disp(r, "items", "excluded").set_index("row")["reason"]
    assert "12 p.m." in reasons[1] and "under $5,000,000" in reasons[7] and "separate PAB Reserve" in reasons[8]


def test_pab_note_7_account_must_be_a_pab_account(tmp_path):
    ps = problems(tmp_path, reserve_bank_accounts=[
        {"account_id": "R", "book": "customer", "bank_id": "B", "bank_name": "B", "bank_equity_capital": "1",
         "cash": "1", "written_notification": "true", "pab_note7_account": "true"}])
    assert [(p.sheet, p.column) for p in ps] == [("reserve_bank_accounts", "pab_note7_account")]


def test_pab_note_8_sweep_needs_both_conditions(tmp_path):
    # reading: pab_note8. W1 swept by 10 a.m. and free of liens: -1,000. W2 swept by 10 a.m.,
    # liens not excluded: nothing. W3 free of liens, after 10 a.m.: nothing.
    # PAB Item 1 = 10,000 - 1,000 = 9,000; W2 and W3 listed.
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "10000"}], items=[
        pab_item("W1", "pab_note8_sweep", "1000", swept_by_10am="true", free_of_liens="true"),
        pab_item("W2", "pab_note8_sweep", "2000", swept_by_10am="true"),
        pab_item("W3", "pab_note8_sweep", "3000", free_of_liens="true")])
    r = compute(b)
    assert r.computations["pab"].lines["item_1"] == 900_000
    assert {f.row for f in r.findings if f.rule == "PAB Note 8"} == {1, 2}


def test_pab_note_9_clearing_deposits_are_other_debits_not_flagged(tmp_path):
    # reading: pab_note9_line. 400 of clearing deposits relating to other broker-dealers'
    # proprietary business: a PAB debit in the other debits, not an unsupported other debit.
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "1000"}],
             items=[pab_item("N9", "pab_note9_clearing_deposit", "400")])
    r = compute(b)
    assert r.computations["pab"].lines["other_debits"] == 40_000
    assert not [f for f in r.findings if f.rule == "Other debits"]


# --------------------------------------------------------------------------- PAB accounts


def test_accounts_that_are_not_pab_accounts(tmp_path):
    # reading: not_pab_accounts. Rule 15c3-3(a)(16): a broker-dealer's delivery-versus-payment
    # account (D, put in the PAB book) and one subordinated to the claims of creditors (S,
    # noncustomer) are not PAB accounts: both out, with that reason. PAB Item 1 = P's 1,000.
    b = book(tmp_path, accounts=[
        {"account_id": "P", "book": "pab", "balance": "1000"},
        {"account_id": "D", "book": "pab", "balance": "5000", "non_pab_reason": "delivery_versus_payment"},
        {"account_id": "S", "book": "noncustomer", "balance": "2000", "non_pab_reason": "subordinated"},
        {"account_id": "N", "book": "noncustomer", "balance": "9"}])
    r = compute(b)
    assert r.computations["pab"].lines["item_1"] == 100_000
    out = disp(r, "accounts", "excluded").set_index("row")
    assert out.loc[1, "rule"] == out.loc[2, "rule"] == "Rule 15c3-3(a)(16) (definition of PAB account)"
    assert "delivery-versus-payment" in out.loc[1, "reason"] and "subordinated" in out.loc[2, "reason"]
    assert out.loc[3, "rule"].startswith("Rule 15c3-3(a)(1)")


def test_a_customer_account_cannot_be_a_non_pab_account(tmp_path):
    (p,) = problems(tmp_path, accounts=[acct("C", "1", non_pab_reason="subordinated")])
    assert (p.sheet, p.row, p.column) == ("accounts", 2, "non_pab_reason")


def test_note_e5_applies_in_the_pab_computation(tmp_path):
    # reading: e5_applies_to_pab. TNC 100,000 -> 25% = 25,000. PAB margin debit 100,000:
    # excess 75,000 > 50,000 -> reduced by 75,000: PAB Item 10 = 25,000.
    b = book(tmp_path, parameters={"tentative_net_capital": "100000"},
             accounts=[{"account_id": "X", "book": "pab", "type": "margin", "balance": "-100000"}])
    assert compute(b).computations["pab"].lines["item_10"] == 2_500_000


def test_each_row_is_in_one_computation(tmp_path):
    # reading: pab_note2. A customer credit 100 and a PAB credit 50: each in its own computation
    # only (a credit in the customer computation is never also a PAB credit).
    b = book(tmp_path, accounts=[acct("C", "100"), {"account_id": "P", "book": "pab", "balance": "50"}])
    r = compute(b)
    assert (r.computations["customer"].lines["item_1"], r.computations["pab"].lines["item_1"]) == (10_000, 5_000)


# --------------------------------------------------------------------------- daily computation


DEBITS = [acct("A", "10000"), acct("B", "-3000")]


@pytest.mark.parametrize("params,pct", [
    # Rule 15c3-3(e)(3)(i)(B)(1): computes daily because it must -> 2%
    ({"daily_basis": "required"}, 2),
    # (e)(3)(v): notice 2026-10-21 + 30 days = 2026-11-20 = as_of -> 2%
    ({"daily_basis": "voluntary", "daily_notice_date": "2026-10-21"}, 2),
    # notice 2026-10-22 + 30 days = 2026-11-21, after as_of -> still 3%
    ({"daily_basis": "voluntary", "daily_notice_date": "2026-10-22"}, 3),
    # voluntary, but average total credits of $500 million make it required -> 2%
    ({"daily_basis": "voluntary", "daily_notice_date": "2026-11-01", "average_total_credits": "500000000"}, 2),
    # a book that does not say why (the original format): 2% as SPEC reads frequency daily -- the
    # lower requirement -- flagged for review
    ({}, 2),
])
def test_daily_computation_basis_decides_2_or_3_percent(tmp_path, params, pct):
    # reading: daily_basis; reading: reduction. Debits 3,000: 2% = 60 -> required
    # 10,000 - 2,940 = 7,060; 3% = 90 -> 7,090.
    b = book(tmp_path, parameters={"frequency": "daily", **params}, accounts=DEBITS)
    r = compute(b)
    c = r.computations["customer"]
    assert (c.debit_reduction, c.required_deposit) == ((6_000, 706_000) if pct == 2 else (9_000, 709_000))
    if not params:
        assert any("daily_basis is not stated" in f.message for f in r.findings)
    if params.get("daily_notice_date") == "2026-10-22":
        assert any(f.rule == "Rule 15c3-3(e)(3)(v)" and "2026-11-21" in f.message for f in r.findings)


def test_voluntary_daily_needs_the_notice_date(tmp_path):
    ps = problems(tmp_path, parameters={"frequency": "daily", "daily_basis": "voluntary"}, accounts=DEBITS)
    assert len(ps) == 1 and "daily_notice_date" in ps[0].message


def test_average_total_credits_of_500_million_make_daily_required(tmp_path):
    # reading: daily_basis. A weekly firm whose average total credits reached $500 million is
    # told daily computation is required (Rule 15c3-3(e)(3)(i)(B)(1)).
    b = book(tmp_path, parameters={"average_total_credits": "500000000"}, accounts=DEBITS)
    (f,) = [f for f in compute(b).findings if f.rule == "Rule 15c3-3(e)(3)(i)(B)(1)"]
    assert f.severity == "severe" and "IS required" in f.message


# --------------------------------------------------------------------------- FOCUS


def test_item_15_has_no_focus_box_and_the_report_says_why(tmp_path):
    # reading: focus_item_15. The boxes added to FOCUS Part II on March 1, 2026 are not
    # confirmed line by line: Item 15's box stays blank, and no line but the other debits is
    # put in the "Other debits" box 4469.
    assert LINES_BY_KEY["item_15"].focus_box == ""
    assert [line.key for line in LINES if line.focus_box == "4469"] == ["other_debits"]
    r = compute(book(tmp_path, accounts=DEBITS))
    (a,) = [a for a in r.assumptions if a["key"] == "focus_item_15"]
    assert all(box in a["reading"] for box in ("12843", "12844", "12849", "12850", "12851"))


def test_every_kind_says_what_it_is_and_the_template_shows_it(tmp_path):
    from openpyxl import load_workbook

    from reserve.book.schema import ITEM_KIND_HELP, ITEM_KINDS
    from reserve.book.template import write_template

    assert set(ITEM_KIND_HELP) == set(ITEM_KINDS) and all(len(v) > 20 for v in ITEM_KIND_HELP.values())
    write_template(tmp_path / "t.xlsx")
    wb = load_workbook(tmp_path / "t.xlsx")
    readme = "\n".join(str(r[0]) for r in wb["README"].iter_rows(values_only=True) if r[0])
    assert "clearing_organizations" in wb.sheetnames
    for kind in ("checks_drawn_in_excess", "letter_of_credit_portfolio_margin", "new_issue_not_received",
                 "pab_note5_clearing_deposit", "pab_note5_exclusion", "pab_note6_cross_margin",
                 "pab_note6_cftc_segregated"):
        assert kind in readme
    items_header = [c.value for c in wb["items"][1]]
    for column in ("clearing_org_id", "collateral_value", "allocated_to", "placed_by_noon", "free_of_liens"):
        assert column in items_header


def test_before_the_compliance_date_daily_is_coming_not_in_force(tmp_path):
    # reading: daily_basis. Release 34-103320: the required daily computation's compliance date is 2026-06-30. A weekly
    # firm as of 2026-03-20 whose average total credits are $500 million is told daily computation is
    # required from 2026-06-30 -- a review finding, not a severe one (the requirement is not yet in force).
    b = book(tmp_path, parameters={"as_of": "2026-03-20", "average_total_credits": "500000000"}, accounts=DEBITS)
    (f,) = [f for f in compute(b).findings if f.rule == "Rule 15c3-3(e)(3)(i)(B)(1)"]
    assert f.severity == "review" and "is required from 2026-06-30" in f.message and "Release 34-103320" in f.message


@pytest.mark.parametrize("params,pct,says", [
    # as_of 2026-03-20, before the compliance date 2026-06-30: "required" is not yet in force, so the
    # firm computes daily by choice (FAQ 2025-12-08 Q1, Q3): without a notice date -> 3%
    ({"daily_basis": "required"}, 3, "daily_notice_date not given"),
    # ... with a notice of 2026-02-01: + 30 days = 2026-03-03 <= as_of -> 2% on the voluntary terms
    ({"daily_basis": "required", "daily_notice_date": "2026-02-01"}, 2, None),
    # ... notice 2026-03-01 + 30 days = 2026-03-31 > as_of -> 3%
    ({"daily_basis": "required", "daily_notice_date": "2026-03-01"}, 3, "from 2026-03-31"),
    # average total credits of $500 million, voluntary with no early enough notice -> 3%, not "required"
    ({"daily_basis": "voluntary", "daily_notice_date": "2026-03-01", "average_total_credits": "500000000"}, 3,
     "from 2026-03-31"),
])
def test_before_the_compliance_date_required_daily_takes_2_percent_only_on_the_voluntary_terms(
        tmp_path, params, pct, says):
    # reading: daily_basis. Debits 3,000: 2% = 60 -> required 10,000 - 2,940 = 7,060; 3% = 90 -> 7,090.
    b = book(tmp_path, parameters={"frequency": "daily", "as_of": "2026-03-20", **params}, accounts=DEBITS)
    r = compute(b)
    c = r.computations["customer"]
    assert (c.debit_reduction, c.required_deposit) == ((6_000, 706_000) if pct == 2 else (9_000, 709_000))
    early = [f for f in r.findings if f.rule == "Rule 15c3-3(e)(3)(v)" and "not required before 2026-06-30" in f.message]
    if says:
        assert len(early) == 1 and says in early[0].message and early[0].severity == "review"
    else:
        assert not early


def test_on_the_compliance_date_required_daily_takes_2_percent_without_notice(tmp_path):
    # reading: daily_basis. as_of 2026-06-30 (a Tuesday), the compliance date itself: required daily
    # is in force -> 2% with no notice (FAQ Q4): 10,000 - (3,000 - 60) = 7,060.
    b = book(tmp_path, parameters={"frequency": "daily", "as_of": "2026-06-30", "daily_basis": "required"},
             accounts=DEBITS)
    c = compute(b).computations["customer"]
    assert (c.debit_reduction, c.required_deposit) == (6_000, 706_000)


def test_before_the_daily_amendments_took_effect_a_daily_book_takes_3_percent(tmp_path):
    # reading: daily_basis. as_of 2025-03-13, the day before Release 34-102022 took effect: no 2%
    # for daily computation existed, whatever the book states -> 3%: 10,000 - (3,000 - 90) = 7,090.
    for params in ({}, {"daily_basis": "voluntary", "daily_notice_date": "2025-01-02"}):
        b = book(tmp_path / str(len(params)), parameters={"frequency": "daily", "as_of": "2025-03-13", **params},
                 accounts=DEBITS)
        r = compute(b)
        c = r.computations["customer"]
        assert (c.debit_reduction, c.required_deposit) == (9_000, 709_000)
        assert any("2025-03-14" in f.message and "3% applied" in f.message for f in r.findings)
