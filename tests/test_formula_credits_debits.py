"""Exhibit A Items 1-14, Notes A-G and the reduction, each worked by hand from the rule text.

Amounts in tests are cents unless written as dollars in a book. as_of is Friday 2026-11-20.
"""

from __future__ import annotations

from bookkit import acct, book, item

from reserve.formula import compute


def lines(b, comp="customer"):
    r = compute(b)
    return r, r.computations[comp]


def test_item_1_credit_balances_and_note_a_drafts(tmp_path):
    # reading: zero_balances
    # Item 1 = 1,000.00 + 250.50 credit balances + Note A draft 99.50 = 1,350.00
    b = book(tmp_path, accounts=[acct("A", "1000"), acct("B", "250.50"), acct("C", "-10")],
             items=[item("D1", "drafts_payable", "99.50")])
    _, c = lines(b)
    assert c.lines["item_1"] == 135_000
    assert c.lines["item_10"] == 1_000  # the 10.00 debit


def test_item_2_bank_loans_and_note_b_letters_of_credit(tmp_path):
    # bank loan 5,000 + LOC min(3,000, requirement 2,000) = 7,000
    b = book(tmp_path, items=[item("L", "bank_loan", "5000"),
                              item("C", "letter_of_credit", "3000", margin_requirement="2000")])
    _, c = lines(b)
    assert c.lines["item_2"] == 700_000


def test_note_c_securities_loaned_excess_market_value(tmp_path):
    # collateral 1,000, market value 1,200 -> 1,000 + 200 = 1,200; second: mv 800 < 900 -> 900
    b = book(tmp_path, items=[item("S1", "securities_loaned", "1000", market_value="1200"),
                              item("S2", "securities_loaned", "900", market_value="800")])
    _, c = lines(b)
    assert c.lines["item_3"] == 210_000


def test_note_d_fails_to_receive_over_30_days(tmp_path):
    # F1 opened 2026-10-20: 31 days old -> contract 1,000 + (1,500 - 1,000) = 1,500
    # F2 opened 2026-10-21: 30 days old -> contract value only, 1,000
    b = book(tmp_path, items=[item("F1", "fail_to_receive", "1000", market_value="1500", open_date="2026-10-20"),
                              item("F2", "fail_to_receive", "1000", market_value="1500", open_date="2026-10-21")])
    _, c = lines(b)
    assert c.lines["item_4"] == 250_000


def test_items_5_to_9_ageing(tmp_path):
    b = book(tmp_path, parameters={"net_capital_method": "basic"}, items=[
        item("P", "principal_sale_credit", "10"),                                          # Item 5: 10
        item("SD1", "stock_dividend_receivable", "0", market_value="40", open_date="2026-10-20"),  # 31 days: 40
        item("SD2", "stock_dividend_receivable", "0", market_value="40", open_date="2026-10-21"),  # 30 days: out
        item("SC1", "short_count_difference", "0", market_value="70", open_date="2026-10-19"),     # 32 days: 70
        item("SC2", "short_count_difference", "0", market_value="70", open_date="2026-11-10"),     # out
        item("SU1", "suspense_short", "0", market_value="80", open_date="2026-10-01"),             # 80
        item("T1", "transfer_unconfirmed", "0", market_value="90", open_date="2026-10-10"),        # 41 days: 90
        item("T2", "transfer_unconfirmed", "0", market_value="90", open_date="2026-10-11"),        # 40 days: out
        item("T3", "transfer_unconfirmed", "0", market_value="90", open_date="2026-10-01", confirmed="yes"),  # out
    ])
    _, c = lines(b)
    assert (c.lines["item_5"], c.lines["item_6"], c.lines["item_7"], c.lines["item_8"], c.lines["item_9"]) == (
        1_000, 4_000, 7_000, 8_000, 9_000)


def test_items_7_and_8_alternative_method_seven_business_days(tmp_path):
    # reading: items_7_8_alternative; reading: business_days
    # Rule 15c3-1(a)(1)(ii)(B): more than 7 business days old.
    # age in business days = business days after open_date up to and including as_of (Fri
    # 2026-11-20): an item opened on T is n business days old on T+n.
    # open Mon 2026-11-09: 11-10, (11-11 Veterans Day), 11-12, 11-13, 11-16..11-20 = 8 > 7 -> in
    # open Tue 2026-11-10: 11-12, 11-13, 11-16..11-20 = 7, not more than 7 -> out
    b = book(tmp_path, items=[
        item("A", "short_count_difference", "0", market_value="70", open_date="2026-11-09"),
        item("B", "suspense_short", "0", market_value="80", open_date="2026-11-10"),
    ])
    _, c = lines(b)
    assert c.lines["item_7"] == 7_000
    assert c.lines["item_8"] == 0
    # opened on a Saturday, as_of Thu 2026-11-19: business days after Sat 11-07 through 11-19 are
    # 11-09, 11-10, 11-12, 11-13, 11-16, 11-17, 11-18, 11-19 = 8 > 7 -> in (counting from the
    # Saturday itself up to, not including, as_of would give 7).
    b = book(tmp_path / "sat", parameters={"as_of": "2026-11-19"}, items=[
        item("C", "suspense_short", "0", market_value="100", open_date="2026-11-07")])
    assert lines(b)[1].lines["item_8"] == 10_000
    # as_of Saturday 2026-11-21 (a year-end style computation): opened Tue 11-10 -> 11-12, 11-13,
    # 11-16..11-20 = 7 (the Saturday is no business day) -> out
    b = book(tmp_path / "satasof", parameters={"as_of": "2026-11-21"}, items=[
        item("D", "suspense_short", "0", market_value="100", open_date="2026-11-10")])
    assert lines(b)[1].lines["item_8"] == 0


def test_items_11_12_fails_to_deliver(tmp_path):
    # Item 11: 600; Item 12: fail 30 days old (2026-10-21) counts 400, 31 days old (10-20) out
    b = book(tmp_path, items=[item("B", "securities_borrowed", "600"),
                              item("F1", "fail_to_deliver", "400", open_date="2026-10-21"),
                              item("F2", "fail_to_deliver", "500", open_date="2026-10-20")])
    r, c = lines(b)
    assert c.lines["item_11"] == 60_000
    assert c.lines["item_12"] == 40_000
    assert any(f.rule == "Item 12" and f.amount == 50_000 for f in r.findings)


def test_notes_f_and_g_clearing_margin(tmp_path):
    # Note F: min(on deposit 1,000, required 800) = 800 in cash; `other` form excluded.
    # Note G: min(500, 700) = 500 when the DCO is qualified; not qualified -> excluded.
    b = book(tmp_path, items=[
        item("O1", "occ_margin", "1000", margin_requirement="800", collateral_form="cash"),
        item("O2", "occ_margin", "1000", margin_requirement="800", collateral_form="other"),
        item("G1", "futures_margin", "500", margin_requirement="700", collateral_form="qualified_securities",
             clearing_org_qualified="true"),
        item("G2", "futures_margin", "500", margin_requirement="700", collateral_form="cash"),
    ])
    _, c = lines(b)
    assert c.lines["item_13"] == 80_000
    assert c.lines["item_14"] == 50_000


def test_item_10_unsecured_doubtful_e4_e6(tmp_path):
    # reading: e6_bounds
    b = book(tmp_path, parameters={"net_capital_method": "basic"}, accounts=[
        acct("A", "-1000", unsecured_amount="300"),                         # 700
        acct("B", "-1000", doubtful="true"),                                # out
        acct("C", "-1000", related_party="principal"),                      # E(4) out
        acct("D", "-1000", related_party="affiliate", debit_related_to_credits="true"),  # 1,000 stays
        acct("E", "-1000", noncustomer_ownership_pct="4.99"),               # <5%: 1,000
        acct("F", "-1000", noncustomer_ownership_pct="20"),                 # 5-50%: 800
        acct("G", "-1000", noncustomer_ownership_pct="50.01"),              # >50%: out
        acct("H", "-1000", noncustomer_ownership_pct="60", debit_related_to_credits="yes"),  # 1,000
        acct("I", "-1000", noncustomer_ownership_pct="33.333"),             # 1,000 - 333.33 (333.33 up) = 666.67
    ])
    _, c = lines(b)
    # 700 + 1,000 + 1,000 + 800 + 1,000 + 666.67 = 5,166.67
    assert c.lines["item_10"] == 516_667
    # Note E(3): 1% of Item 10 is a debit reduction: 51.6667 rounds up to 51.67 (reading: rounding)
    assert c.debit_reduction == 5_167


def test_a_pct_that_may_be_a_fraction_is_a_review_finding(tmp_path):
    # reading: pct_fraction
    # Read as percent, as the format says: P 0.2 -> 0.2%, under 5%: no E(6) reduction, its
    # 10,000 stays whole; Q 20 -> 20%: 10,000 - 2,000 = 8,000; R 0.04 (below 0.05: as a fraction
    # 4%, under 5% either way) and S 0.5 with debit_related_to_credits (E(6) does not apply): no
    # finding. Item 10 = 10,000 + 8,000 + 10,000 + 10,000 = 38,000.
    b = book(tmp_path, parameters={"net_capital_method": "basic"}, accounts=[
        acct("P", "-10000", noncustomer_ownership_pct="0.2"),
        acct("Q", "-10000", noncustomer_ownership_pct="20"),
        acct("R", "-10000", noncustomer_ownership_pct="0.04"),
        acct("S", "-10000", noncustomer_ownership_pct="0.5", debit_related_to_credits="true"),
    ])
    r, c = lines(b)
    assert c.lines["item_10"] == 3_800_000
    (f,) = [f for f in r.findings if f.rule == "Note E(6)" and "fraction" in f.message]
    assert f.message.startswith("account P: noncustomer_ownership_pct 0.2 is read as 0.2 percent")
    assert "state it in percent (20" in f.message and f.amount == 1_000_000 and f.severity == "review"


def test_a_collateral_row_repeated_exactly_is_a_review_finding(tmp_path):
    # reading: collateral_repeats
    # M1 debit 100,000 (margin). Collateral, all exempted (no concentration, so Item 10 stays
    # 100,000): S1 50,000 (row 2), S2 50,000 (row 3), S1 50,000 again (row 4: an exact repeat
    # of row 2), S1 20,000 (row 5: another lot of S1, not a repeat). Both S1 50,000 rows count
    # as lots, as the book gives them; row 4 is named, with the row it repeats.
    b = book(tmp_path, parameters={"net_capital_method": "basic"},
             accounts=[acct("M1", "-100000", type="margin")],
             collateral=[{"account_id": "M1", "security_id": s, "market_value": v, "exempted": "true"}
                         for s, v in (("S1", "50000"), ("S2", "50000"), ("S1", "50000"), ("S1", "20000"))])
    r, c = lines(b)
    assert c.lines["item_10"] == 10_000_000
    found = [f for f in r.findings if "repeats" in f.message]
    assert len(found) == 1 and (found[0].table, found[0].row) == ("collateral", 2)  # positional: the 3rd row, row 4
    assert "M1 in S1: this row repeats" in found[0].message and "row 2 exactly (market value 50,000.00)" in found[0].message
    assert found[0].amount == 5_000_000 and found[0].rule == "Note E(1)"


def test_unsecured_amount_above_the_debit_is_a_review_finding(tmp_path):
    # A 12,500 debit stated 50,000 unsecured: the whole debit is unsecured and excluded
    # (conservative), Item 10 = 0 -- and the contradiction is named for review.
    b = book(tmp_path, parameters={"net_capital_method": "basic"},
             accounts=[acct("U", "-12500", unsecured_amount="50000"), acct("V", "-1000", unsecured_amount="1000")])
    r, c = lines(b)
    assert c.lines["item_10"] == 0
    (f,) = [f for f in r.findings if "more than its debit" in f.message]
    assert f.message == ("account U: unsecured_amount 50,000.00 is more than its debit 12,500.00: the whole debit is "
                         "taken as unsecured and excluded")
    assert f.rule == "Item 10" and f.amount == 1_250_000


def test_note_e2_special_omnibus(tmp_path):
    # reading: e2_omnibus
    # debit 10,000 reduced by deficit 3,000 less calls 1,000 = 8,000 (PAB omnibus)
    # credit 500 increased by deficit 700 less calls 200 -> 1,000 in Item 1
    b = book(tmp_path, accounts=[
        {"account_id": "OM1", "book": "pab", "type": "omnibus", "balance": "-10000",
         "omnibus_deficit": "3000", "omnibus_calls_5bd": "1000"},
        {"account_id": "OM2", "book": "pab", "type": "omnibus", "balance": "500",
         "omnibus_deficit": "700", "omnibus_calls_5bd": "200"},
    ])
    _, c = lines(b, "pab")
    assert c.lines["item_10"] == 800_000
    assert c.lines["item_1"] == 100_000
    assert c.debit_reduction == 0  # PAB Note 4


def test_note_e1_concentration(tmp_path):
    # Margin debits: M1 10,000; M2 10,000.
    # Collateral: M1 holds XYZ 20,000 (capped at 140% x 10,000 = 14,000) and UST 10,000 (exempted);
    #             M2 holds ABC 30,000 (capped at 14,000).
    # Total collateral value = 14,000 + 10,000 + 14,000 = 38,000; 15% = 5,700.
    # XYZ excess = 14,000 - 5,700 = 8,300 (<= debits it collateralizes 10,000) -> reduce 8,300
    # ABC excess = 14,000 - 5,700 = 8,300 -> reduce 8,300; UST exempted.
    # Item 10 = 20,000 - 16,600 = 3,400
    b = book(tmp_path, accounts=[acct("M1", "-10000", type="margin"), acct("M2", "-10000", type="margin")],
             collateral=[{"account_id": "M1", "security_id": "XYZ", "market_value": "20000"},
                         {"account_id": "M1", "security_id": "UST", "market_value": "10000", "exempted": "true"},
                         {"account_id": "M2", "security_id": "ABC", "market_value": "30000"}])
    _, c = lines(b)
    assert c.lines["item_10"] == 340_000


def test_note_e1_reduction_capped_at_debits_collateralized(tmp_path):
    # Every security is capped at 140% of its account's debit, exempted ones too.
    # M1 debit 1,000 holds XYZ 1,400 (cap 1,400); M2 debit 100,000 holds exempted UST 200,000 (cap 140,000).
    # Total 141,400; 15% = 21,210; XYZ 1,400 < 21,210 -> no reduction; Item 10 = 101,000.
    b = book(tmp_path, accounts=[acct("M1", "-1000", type="margin"), acct("M2", "-100000", type="margin")],
             collateral=[{"account_id": "M1", "security_id": "XYZ", "market_value": "1400"},
                         {"account_id": "M2", "security_id": "UST", "market_value": "200000", "exempted": "true"}])
    _, c = lines(b)
    assert c.lines["item_10"] == 10_100_000
    # Single security, no exempted: capped value 1,400 = total; 15% = 210; excess 1,190 > debit 1,000
    # -> reduction capped at 1,000 -> Item 10 = 0.
    b = book(tmp_path / "b", accounts=[acct("M1", "-1000", type="margin")],
             collateral=[{"account_id": "M1", "security_id": "XYZ", "market_value": "5000"}])
    _, c = lines(b)
    assert c.lines["item_10"] == 0


def test_note_e1_140_percent_cap_rounds_down(tmp_path):
    # "only to the extent it represents in value not more than 140 percent": a 0.01 debit
    # caps its collateral at floor(0.014) = 0.01, never 0.02.
    # Y debit 2,000 holds A 2,000 (cap 2,000); Z debit 10,000 holds exempted B 9,000 (cap 9,000);
    # seven accounts with 0.01 debits hold B 1.00 each (cap 0.01 each = 0.07).
    # Total 11,000.07; 15% = 1,650.0105 -> 1,650.01 (rounded down); A excess 2,000 - 1,650.01 = 349.99
    # Item 10 = 2,000 + 10,000 + 0.07 - 349.99 = 11,650.08
    small = [acct(f"S{i}", "-0.01", type="margin") for i in range(7)]
    b = book(tmp_path, accounts=[acct("Y", "-2000", type="margin"), acct("Z", "-10000", type="margin")] + small,
             collateral=[{"account_id": "Y", "security_id": "A", "market_value": "2000"},
                         {"account_id": "Z", "security_id": "B", "market_value": "9000", "exempted": "true"}]
             + [{"account_id": f"S{i}", "security_id": "B", "market_value": "1", "exempted": "true"} for i in range(7)])
    assert lines(b)[1].lines["item_10"] == 1_165_008


def test_note_e1_account_never_loses_more_than_its_debit(tmp_path):
    # X debit 1,000 holds A 1,400 and B 1,400 (each capped at 140% = 1,400); P0-P4 debit 100
    # each hold their own stock at 140 (cap 140). Total 2,800 + 700 = 3,500; 15% = 525.
    # A: excess 1,400 - 525 = 875 <= the debits it collateralizes (1,000) -> 875; B the same.
    # Both fall on X (their only holder): 1,750 > X's debit 1,000, so X's reduction is limited
    # to 1,000 (750 given back). Item 10 = 1,000 + 500 - 1,000 = 500 (never below zero).
    others = [acct(f"P{i}", "-100", type="margin") for i in range(5)]
    b = book(tmp_path, accounts=[acct("X", "-1000", type="margin")] + others,
             collateral=[{"account_id": "X", "security_id": "A", "market_value": "1400"},
                         {"account_id": "X", "security_id": "B", "market_value": "1400"}]
             + [{"account_id": f"P{i}", "security_id": f"S{i}", "market_value": "140"} for i in range(5)])
    r, c = lines(b)
    assert c.lines["item_10"] == 50_000
    assert any(f.rule == "Note E(1)" and "limited to the debit" in f.message and f.amount == 75_000 for f in r.findings)


def test_note_e5_applies_to_the_debits_left_after_note_e1(tmp_path):
    # reading: e5_parenthetical; reading: e1_debit_basis
    # TNC 100,000 -> 25% = 25,000. Q0-Q3 (own customers) debit 20,000 each, holding their own
    # stock at 28,000 (cap 28,000); 4 x 28,000 = 112,000.
    q = [acct(f"Q{i}", "-20000", type="margin", customer_id=f"Q{i}") for i in range(4)]
    qc = [{"account_id": f"Q{i}", "security_id": f"T{i}", "market_value": "28000"} for i in range(4)]
    tnc = {"tentative_net_capital": "100000"}
    # (a) X (customer X) debit 200,000 holds A 280,000 (cap 280,000). Total 392,000; 15% = 58,800;
    #     A excess 221,200 > X's 200,000 -> reduction 200,000, all X's. X after E(1): 0 -> no E(5).
    #     Item 10 = 280,000 - 200,000 = 80,000 (E(5) on the debit before E(1) would take 175,000 more).
    b = book(tmp_path / "a", parameters=tnc, accounts=[acct("X", "-200000", type="margin", customer_id="X")] + q,
             collateral=[{"account_id": "X", "security_id": "A", "market_value": "280000"}] + qc)
    assert lines(b)[1].lines["item_10"] == 8_000_000
    # (b) X holds A 100,000 (cap 100,000). Total 212,000; 15% = 31,800; A excess 68,200 -> X's share.
    #     X after E(1) = 200,000 - 68,200 = 131,800; E(5) excess 131,800 - 25,000 = 106,800 > 50,000.
    #     Item 10 = 280,000 - 68,200 - 106,800 = 105,000
    b = book(tmp_path / "b", parameters=tnc, accounts=[acct("X", "-200000", type="margin", customer_id="X")] + q,
             collateral=[{"account_id": "X", "security_id": "A", "market_value": "100000"}] + qc)
    r, c = lines(b)
    assert c.lines["item_10"] == 10_500_000
    assert any(f.rule == "Note E(5)" and "after 68,200.00 of Note E(1)" in f.message for f in r.findings)
    # (c) two holders share A's reduction pro rata to their debits: X debit 150,000 holds A 150,000,
    #     Y debit 50,000 holds A 50,000. Total 312,000; 15% = 46,800; A 200,000, excess 153,200.
    #     X's share 153,200 x 150,000 / 200,000 = 114,900 -> X after E(1) 35,100: excess over
    #     25,000 is 10,100 <= 50,000 -> no E(5). Item 10 = 280,000 - 153,200 = 126,800
    b = book(tmp_path / "c", parameters=tnc,
             accounts=[acct("X", "-150000", type="margin", customer_id="X"),
                       acct("Y", "-50000", type="margin", customer_id="Y")] + q,
             collateral=[{"account_id": "X", "security_id": "A", "market_value": "150000"},
                         {"account_id": "Y", "security_id": "A", "market_value": "50000"}] + qc)
    assert lines(b)[1].lines["item_10"] == 12_680_000


def test_note_e1_not_tested_without_collateral_table(tmp_path):
    b = book(tmp_path, accounts=[acct("M1", "-1000", type="margin")])
    r, c = lines(b)
    assert c.lines["item_10"] == 100_000
    assert any(f.rule == "Note E(1)" and "not tested" in f.message for f in r.findings)


def test_note_e5_single_customer(tmp_path):
    # reading: e5_parenthetical
    # TNC 1,000,000 -> 25% = 250,000. Customer X margin debits 200,000 + 150,000 = 350,000:
    # excess 100,000 > 50,000 -> reduced by 100,000. Customer Y 290,000: excess 40,000 <= 50,000 -> none.
    # Item 10 = 350,000 + 290,000 - 100,000 = 540,000
    b = book(tmp_path, parameters={"tentative_net_capital": "1000000"}, accounts=[
        acct("X1", "-200000", type="margin", customer_id="X"),
        acct("X2", "-150000", type="margin", customer_id="X"),
        acct("Y1", "-290000", type="margin", customer_id="Y"),
    ], collateral=[])
    _, c = lines(b)
    assert c.lines["item_10"] == 54_000_000


def test_note_e5_exceptions(tmp_path):
    # reading: e5_exception
    base = dict(type="margin", customer_id="X")
    tnc = {"tentative_net_capital": "1000000"}
    # plenary: no reduction -> 350,000
    b = book(tmp_path / "p", parameters=tnc, accounts=[acct("X1", "-350000", e5_exception="plenary", **base)])
    assert lines(b)[1].lines["item_10"] == 35_000_000
    # partial 30,000 of the 100,000 excess excepted -> reduction 70,000 -> 280,000
    b = book(tmp_path / "q", parameters=tnc,
             accounts=[acct("X1", "-350000", e5_exception="partial", e5_exception_amount="30000", **base)])
    assert lines(b)[1].lines["item_10"] == 28_000_000
    # requested Mon 2026-11-16: days 16,17,18,19,20 = 5 business days counting the request day -> included
    b = book(tmp_path / "r", parameters=tnc,
             accounts=[acct("X1", "-350000", e5_exception="requested", e5_exception_date="2026-11-16", **base)])
    assert lines(b)[1].lines["item_10"] == 35_000_000
    # requested Fri 2026-11-13: 13,16,17,18,19,20 = 6 business days -> window over -> reduced to 250,000
    b = book(tmp_path / "s", parameters=tnc,
             accounts=[acct("X1", "-350000", e5_exception="requested", e5_exception_date="2026-11-13", **base)])
    assert lines(b)[1].lines["item_10"] == 25_000_000


def test_note_e5_exceptions_disagreeing_take_the_least_favourable(tmp_path):
    # reading: e5_exception. TNC 1,000,000: 25% = 250,000. Customer X, two margin debits of
    # 200,000 and 150,000 = 350,000, over by 100,000 (more than 50,000). X1 says plenary, X2 none:
    # the least favourable, none, is taken -> reduced by 100,000 -> Item 10 = 350,000 - 100,000 =
    # 250,000 (before: plenary won, 350,000), and a review finding names the disagreement.
    # X1 plenary, X2 partial 30,000: partial is taken -> reduction 100,000 - 30,000 = 70,000 ->
    # 280,000. Both plenary: no reduction -> 350,000, nothing named.
    base = dict(type="margin", customer_id="X")
    tnc = {"tentative_net_capital": "1000000"}
    cases = [({"e5_exception": "plenary"}, {"e5_exception": "none"}, 25_000_000, True),
             ({"e5_exception": "plenary"}, {"e5_exception": "partial", "e5_exception_amount": "30000"}, 28_000_000, True),
             ({"e5_exception": "plenary"}, {"e5_exception": "plenary"}, 35_000_000, False)]
    for i, (one, two, item_10, named) in enumerate(cases):
        b = book(tmp_path / str(i), parameters=tnc,
                 accounts=[acct("X1", "-200000", **one, **base), acct("X2", "-150000", **two, **base)])
        r = compute(b)
        assert r.computations["customer"].lines["item_10"] == item_10, i
        assert any("state different DEA exceptions" in f.message for f in r.findings) == named, i


def test_other_lines_sweep_and_reduction(tmp_path):
    # reading: sweep; reading: reduction
    # credits: 10,000 + other credit 500 = 10,500; debits: 2,000 + other debit 1,000 = 3,000
    # alternative 3% of 3,000 = 90 -> total debits 2,910 -> required 7,590
    # on deposit 5,000; sweep 1,000 -> deposit needed 7,590 - 1,000 - 5,000 = 1,590
    b = book(tmp_path, accounts=[acct("A", "10000"), acct("B", "-2000")],
             items=[item("OC", "other_credit", "500", description="unclaimed dividends"),
                    item("OD", "other_debit", "1000", description="receivable from clearing"),
                    item("SW", "sweep_next_day", "1000")],
             reserve_bank_accounts=[{"account_id": "R", "book": "customer", "bank_id": "B", "bank_name": "Bank",
                                     "bank_equity_capital": "1000000", "cash": "5000", "written_notification": "y"}])
    r, c = lines(b)
    assert (c.total_credits, c.aggregate_debits, c.debit_reduction, c.required_deposit) == (
        1_050_000, 300_000, 9_000, 759_000)
    assert c.deposit_needed == 159_000
    assert c.withdrawal_permitted == 0
    assert any(f.rule == "Other debits" for f in r.findings)


def test_daily_two_percent_and_monthly_105(tmp_path):
    # reading: reduction; reading: daily_basis; reading: monthly_105
    # daily: 2% of 3,000 debits = 60 -> required 10,000 - 2,940 = 7,060
    b = book(tmp_path / "d", parameters={"frequency": "daily"}, accounts=[acct("A", "10000"), acct("B", "-3000")])
    assert lines(b)[1].required_deposit == 706_000
    # monthly (basic method): 1% of Item 10 = 30 -> excess 10,000 - 2,970 = 7,030; x 105% = 7,381.50
    b = book(tmp_path / "m", parameters={"frequency": "monthly", "net_capital_method": "basic"},
             accounts=[acct("A", "10000"), acct("B", "-3000")])
    assert lines(b)[1].required_deposit == 738_150


def test_monthly_105_is_for_the_customer_computation_only(tmp_path):
    # Rule 15c3-3(e)(3)(i)(C): the monthly *Customer* Reserve Bank Account computation deposits
    # not less than 105%; a monthly PAB computation ((e)(3)(iii)) has no add-on.
    # as_of Monday 2026-11-30, the last business day of November.
    # customer: 1% of 3,000 = 30 -> excess 10,000 - 2,970 = 7,030 x 105% = 7,381.50
    # PAB: credits 100.01, no reduction (PAB Note 4) -> required 100.01 (not 105.0105 -> 105.02)
    b = book(tmp_path, parameters={"frequency": "monthly", "net_capital_method": "basic", "as_of": "2026-11-30"},
             accounts=[acct("A", "10000"), acct("B", "-3000"), acct("P", "100.01", book="pab")])
    r = compute(b)
    assert r.computations["customer"].required_deposit == 738_150
    assert r.computations["pab"].required_deposit == 10_001
    # a firm with customer accounts computes PAB weekly ((e)(3)(iii)); as_of is the month's last business day
    assert any(f.rule == "Rule 15c3-3(e)(3)(iii)" for f in r.findings)
    assert not any("last business day of the month" in f.message for f in r.findings)
    # 2026-11-27 (the Friday after Thanksgiving) is not the last business day of November
    b = book(tmp_path / "b", parameters={"frequency": "monthly", "net_capital_method": "basic", "as_of": "2026-11-27"},
             accounts=[acct("A", "10000")])
    assert any("last business day of the month" in f.message for f in compute(b).findings)


def test_reserve_bank_caps_and_pab_offset(tmp_path):
    # Bank B1 (non-affiliated) equity 100,000 -> cap 15,000 shared: customer cash 20,000, PAB cash 10,000
    #   customer share = 15,000 x 20,000 / 30,000 = 10,000; PAB 5,000.
    # Bank B2 affiliated: cash 7,000 out, securities 3,000 in (customer).
    # Account without notification: 50,000 out.
    # customer on deposit = 10,000 + 3,000 = 13,000; PAB = 5,000
    # customer: credits 1,000, debits 10,000 -> excess debits 10,000 x 0.97 = 9,700 - 1,000 = 8,700
    # PAB: credits 20,000 -> required 20,000; offset min(20,000, 8,700) = 8,700;
    #   deposit needed = 20,000 - 8,700 - 5,000 = 6,300
    b = book(tmp_path, accounts=[acct("C", "1000"), acct("D", "-10000"),
                                 {"account_id": "P", "book": "pab", "balance": "20000"}],
             reserve_bank_accounts=[
                 {"account_id": "R1", "book": "customer", "bank_id": "B1", "bank_name": "One", "bank_equity_capital": "100000",
                  "cash": "20000", "written_notification": "true"},
                 {"account_id": "R2", "book": "pab", "bank_id": "B1", "bank_name": "One", "bank_equity_capital": "100000",
                  "cash": "10000", "written_notification": "true"},
                 {"account_id": "R3", "book": "customer", "bank_id": "B2", "bank_name": "Affiliate", "bank_affiliated": "true",
                  "bank_equity_capital": "1000000", "cash": "7000", "qualified_securities": "3000", "written_notification": "true"},
                 {"account_id": "R4", "book": "customer", "bank_id": "B3", "bank_name": "Three", "bank_equity_capital": "1000000",
                  "cash": "50000", "written_notification": "false"},
             ])
    r = compute(b)
    cust, pab = r.computations["customer"], r.computations["pab"]
    assert cust.on_deposit == 1_300_000 and pab.on_deposit == 500_000
    assert cust.excess_debits == 870_000 and cust.required_deposit == 0
    assert pab.offset_by_customer_excess_debits == 870_000
    assert pab.deposit_needed == 630_000
    # customer: required 0, on deposit 13,000 -> withdrawal permitted 13,000
    assert cust.withdrawal_permitted == 1_300_000


def test_reserve_bank_cap_cents_and_conflicting_equity(tmp_path):
    rb = lambda i, comp, cash, eq="100.01": {  # noqa: E731
        "account_id": i, "book": comp, "bank_id": "B", "bank_name": "Bank", "bank_equity_capital": eq,
        "cash": cash, "written_notification": "true"}
    # Equity 100.01 -> cap 15.0015 -> 15.00. Customer cash 10.00, PAB cash 20.01 (bank cash 30.01):
    # customer share 15.00 x 10.00 / 30.01 = 4.998... -> 4.99; PAB 15.00 x 20.01 / 30.01 = 10.0016... -> 10.00.
    # Not counted: 30.01 - (4.99 + 10.00) = 15.02 (the cap's 15.01 plus the cent lost rounding shares down).
    b = book(tmp_path / "a", reserve_bank_accounts=[rb("C", "customer", "10"), rb("P", "pab", "20.01")])
    r = compute(b)
    assert (r.computations["customer"].on_deposit, r.computations["pab"].on_deposit) == (499, 1_000)
    assert any("15.02 not counted" in f.message for f in r.findings)
    # Equity 0.35 -> cap 0.05 (0.0525 rounded down); customer accounts A 0.00, B 0.03, C 0.03:
    # B and C each 0.05 x 0.03 / 0.06 = 0.025 -> 0.02, and the cent left goes to B (largest
    # remainder, ties by id), never to A, which holds no cash. On deposit 0.05.
    b = book(tmp_path / "b", reserve_bank_accounts=[rb("A", "customer", "0", "0.35"), rb("B", "customer", "0.03", "0.35"),
                                                    rb("C", "customer", "0.03", "0.35")])
    r = compute(b)
    assert r.computations["customer"].on_deposit == 5
    d = r.dispositions
    got = d[(d["table"] == "reserve_bank_accounts") & (d["line"] == "reserve_bank")]
    assert sorted(zip(got["row"].tolist(), got["amount"].tolist(), strict=True)) == [(1, 3), (2, 2)]
    # Rows disagreeing on a bank's equity capital (1,000 and 100): the smaller, 100 -> cap 15, is used.
    b = book(tmp_path / "c", reserve_bank_accounts=[rb("X", "customer", "100", "1000"), rb("Y", "customer", "100", "100")])
    r = compute(b)
    assert r.computations["customer"].on_deposit == 1_500
    assert any("smallest figure" in f.message for f in r.findings)


def test_pab_notes_5_7_8_9(tmp_path):
    # reading: pab_note7; reading: pab_note8; reading: pab_note5.
    # PAB credits: balance 20,000,000 + Note 5 100,000 (immediate payment) - Note 7 6,000,000
    # (>= 5M, placed in the separate PAB account on the day received) - Note 8 1,000,000
    # (swept by 10 a.m., free of liens); the Note 7 row of 1,000,000 alone (its broker's total
    # 1,000,000 < 10M) stays a credit -> no reduction
    # = 13,100,000; debits: Note 9 clearing deposit 400,000; no reduction (PAB Note 4)
    pab = lambda i, k, a, **kw: {"item_id": i, "book": "pab", "kind": k, "amount": a, **kw}  # noqa: E731
    n7 = dict(open_date="2026-11-20", placed_on="2026-11-20", reserve_bank_account_id="SEP")
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "20000000"}], items=[
        pab("N5", "pab_note5_credit", "100000", payment_terms="immediate"),
        pab("N7a", "pab_note7_exclusion", "6000000", broker_id="BD1", **n7),
        pab("N7b", "pab_note7_exclusion", "1000000", broker_id="BD2", **n7),
        pab("N8", "pab_note8_sweep", "1000000", swept_by_10am="true", free_of_liens="true"),
        pab("N9", "pab_note9_clearing_deposit", "400000")],
        reserve_bank_accounts=[{"account_id": "SEP", "book": "pab", "bank_id": "B", "bank_name": "B",
                                "bank_equity_capital": "1000000000", "cash": "6000000", "written_notification": "true",
                                "pab_note7_account": "true"}])
    r, c = lines(b, "pab")
    assert c.lines["item_1"] == 1_310_000_000
    assert c.aggregate_debits == 40_000_000 and c.debit_reduction == 0
    assert c.required_deposit == 1_270_000_000
    # reading: pab_note7_account. The 6,000,000 excluded from PAB credits is the money in the
    # separate account, so it does not also count on deposit: 6,000,000 - 6,000,000 = 0.
    assert c.on_deposit == 0


def test_pab_notes_7_8_without_their_conditions_give_nothing(tmp_path):
    # reading: pab_note7; reading: pab_note8. A book written to the original format: the Note 7
    # and Note 8 rows state none of the Notes' conditions (where the deposit was placed, and
    # when; the sweep's 10 a.m. and lien conditions), so neither reduces PAB credits:
    # Item 1 = 20,000,000 + 100,000 (Note 5, payment terms not stated: kept, flagged) = 20,100,000.
    pab = lambda i, k, a: {"item_id": i, "book": "pab", "kind": k, "amount": a}  # noqa: E731
    b = book(tmp_path, accounts=[{"account_id": "P", "book": "pab", "balance": "20000000"}], items=[
        pab("N5", "pab_note5_credit", "100000"), pab("N7a", "pab_note7_exclusion", "6000000"),
        pab("N8", "pab_note8_sweep", "1000000")])
    r, c = lines(b, "pab")
    assert c.lines["item_1"] == 2_010_000_000
    rules = [f.rule for f in r.findings]
    assert {"PAB Note 5", "PAB Note 7", "PAB Note 8"} <= set(rules)


def test_noncustomer_and_cross_margin(tmp_path):
    # reading: cross_margin
    rows = [acct("A", "100"), {"account_id": "N", "book": "noncustomer", "balance": "999"},
            acct("X", "50", cross_margin="true")]
    b = book(tmp_path / "no", accounts=rows)
    r, c = lines(b)
    assert c.lines["item_1"] == 15_000  # cross-margin stays: the firm does not attest the order's conditions
    assert any("cross_margin" in f.message for f in r.findings)
    b = book(tmp_path / "yes", parameters={"cross_margin_dual_registrant": "true", "cross_margin_joint_member": "true",
                                           "cross_margin_conditions_met": "true"}, accounts=rows)
    assert lines(b)[1].lines["item_1"] == 10_000
    # The order covers customer accounts: a PAB account marked cross_margin stays in the PAB
    # computation (PAB Item 1 = 70), flagged for review.
    b = book(tmp_path / "pab", parameters={"cross_margin_dual_registrant": "true", "cross_margin_joint_member": "true",
                                           "cross_margin_conditions_met": "true"},
             accounts=rows + [acct("P", "70", book="pab", cross_margin="true")])
    r = compute(b)
    assert r.computations["pab"].lines["item_1"] == 7_000 and r.computations["customer"].lines["item_1"] == 10_000
    assert any(f.computation == "pab" and "covers customer accounts" in f.message for f in r.findings)


def test_negative_item_amount_goes_to_review(tmp_path):
    # A negative draft payable lowers Item 1 (1,000 - 300 = 700): accepted, and flagged.
    b = book(tmp_path, accounts=[acct("A", "1000")], items=[item("D", "drafts_payable", "-300")])
    r, c = lines(b)
    assert c.lines["item_1"] == 70_000
    (f,) = [f for f in r.findings if f.rule == "Exhibit A items: negative amount"]
    assert (f.amount, f.table, f.row) == (-30_000, "items", 0) and "drafts payable" in f.message


def test_every_row_accounted_for(tmp_path):
    # reading: zero_balances
    b = book(tmp_path, accounts=[acct("A", "100"), acct("B", "0"), acct("C", "-5", doubtful="true"),
                                 {"account_id": "N", "book": "noncustomer", "balance": "1"}],
             items=[item("F", "fail_to_deliver", "4", open_date="2026-01-01"), item("L", "bank_loan", "3")])
    r = compute(b)
    for table, counts in r.row_counts.items():
        assert counts["rows"] == counts["used"] + counts["excluded"], table
    prim = r.dispositions[r.dispositions["primary"]]
    assert not prim[prim["table"] != ""].duplicated(["table", "row"]).any()


def test_note_e5_a_request_dated_after_the_computation_date_was_not_pending(tmp_path):
    # reading: e5_exception
    # TNC 1,000,000 -> 25% = 250,000; X's 350,000 exceed it by 100,000 > 50,000. A DEA exception
    # requested on 2026-11-23, after the as-of date 2026-11-20, was not pending on that date: no
    # five-day window, the reduction taken (Item 10 = 350,000 - 100,000 = 250,000), and the
    # finding says why -- not that the five business days have passed.
    b = book(tmp_path, parameters={"tentative_net_capital": "1000000"},
             accounts=[acct("X1", "-350000", type="margin", customer_id="X", e5_exception="requested",
                            e5_exception_date="2026-11-23")])
    r, c = lines(b)
    assert b.params.as_of.isoformat() == "2026-11-20"
    assert c.lines["item_10"] == 25_000_000
    (f,) = [f for f in r.findings if f.rule == "Note E(5)" and "Item 10 reduced" in f.message]
    assert "dated after the computation date (2026-11-20): no request was pending on it" in f.message
    assert "have passed" not in f.message
