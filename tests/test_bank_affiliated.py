"""Rule 15c3-3(e)(5): affiliation is the bank's (reading: bank_affiliated_any)."""

from __future__ import annotations

from bookkit import book

from reserve.formula import compute


def rb(i, comp, cash, affiliated):
    return {"account_id": i, "book": comp, "bank_id": "FLB", "bank_name": "First Lake Bank",
            "bank_equity_capital": "1000000000", "cash": cash, "written_notification": "true",
            "bank_affiliated": affiliated}


ACCOUNTS = [{"account_id": "C", "book": "customer", "balance": "5000"},
            {"account_id": "P", "book": "pab", "balance": "5000"}]


def test_rows_of_one_bank_that_disagree_are_all_affiliated(tmp_path):
    # reading: bank_affiliated_any. Bank FLB, equity capital 1,000,000,000 (15% = 150,000,000:
    # no cap binds). The customer account says not affiliated (cash 1,000), the PAB account says
    # affiliated (cash 500). Affiliation is the bank's: both rows are taken as affiliated, so
    # neither cash counts -- on deposit 0 and 0 (before: customer 1,000, PAB 0) -- and one review
    # finding names the bank.
    b = book(tmp_path, accounts=ACCOUNTS, reserve_bank_accounts=[rb("RC", "customer", "1000", "false"),
                                                                 rb("RP", "pab", "500", "true")])
    r = compute(b)
    assert (r.computations["customer"].on_deposit, r.computations["pab"].on_deposit) == (0, 0)
    found = [f for f in r.findings if "bank_affiliated differs" in f.message]
    assert len(found) == 1 and "bank FLB" in found[0].message


def test_rows_that_agree_keep_their_flag(tmp_path):
    # reading: bank_affiliated_any. Both rows not affiliated: both cash count (1,000 and 500),
    # nothing flagged.
    b = book(tmp_path, accounts=ACCOUNTS, reserve_bank_accounts=[rb("RC", "customer", "1000", "false"),
                                                                 rb("RP", "pab", "500", "false")])
    r = compute(b)
    assert (r.computations["customer"].on_deposit, r.computations["pab"].on_deposit) == (100_000, 50_000)
    assert not [f for f in r.findings if "bank_affiliated differs" in f.message]


def test_one_bank_name_under_two_ids_is_flagged(tmp_path):
    # reading: bank_one_name. "First Lake Bank" under FLB and FLB-NA (and "first  lake bank" in
    # another case and spacing): each id keeps its own 15% cap, as given, and one review finding
    # names the ids. Two names under their own ids: nothing.
    rows = [rb("RC", "customer", "1000", "false"), {**rb("RP", "pab", "500", "false"), "bank_id": "FLB-NA",
                                                    "bank_name": "first  lake bank"}]
    r = compute(book(tmp_path / "a", accounts=ACCOUNTS, reserve_bank_accounts=rows))
    (f,) = [f for f in r.findings if "is given under bank_ids" in f.message]
    assert "FLB, FLB-NA" in f.message
    assert (r.computations["customer"].on_deposit, r.computations["pab"].on_deposit) == (100_000, 50_000)
    rows[1]["bank_name"] = "Second Bank"
    r = compute(book(tmp_path / "b", accounts=ACCOUNTS, reserve_bank_accounts=rows))
    assert not [f for f in r.findings if "is given under bank_ids" in f.message]
