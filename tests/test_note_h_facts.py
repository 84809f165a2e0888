"""Note H facts the original book format could not state, worked by hand (issue 11):

- the PAB clearing account (PAB Note 1 with Note H(b)(2)(iii));
- the clearing agency account structure of each customer's margin (Note H(b)(2)(i));
- pairing: each Item 15 debit keeps its matching Item 1 / Item 2 credit (SEC staff FAQ,
  August 6, 2025), checked on the final dispositions;
- a requirement that grew over several days (Note H(b)(1)(iii), per increment);
- deposits that are securities but not permitted collateral, apart from non-securities
  (Note B, last sentence).

The book is the one of test_note_h.py: as of Friday 2026-11-20, firm "Example Securities
LLC", FICC meeting every customer condition, account A1 with a $1,000,000 requirement.
Amounts in books are dollars; outcomes are cents.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from pathlib import Path

import pandas as pd
import pytest
from bookkit import book, write_book
from test_note_h import (
    PAB_ACCOUNT,
    PAB_DESIGNATION,
    acct,
    calendar,
    check_rows,
    dep,
    entry,
    firm_ust,
    good_cca,
    line,
    req,
    rules,
    run,
    usd,
)

from reserve.book import load_book
from reserve.errors import BookInvalid
from reserve.formula import compute, model
from reserve.formula.note_h import note_h, pairing_findings

requirements_module = importlib.import_module("reserve.formula.note_h.requirements")  # where the switch is read


# ------------------------------------------------------------------ the PAB clearing account


def pab_book(cca_over=None, special="pab_accounts", **dep_over):
    """P1 (PAB account) has a 1,000,000 requirement at FICC met by its own Treasuries."""
    cca_row = good_cca(**{**PAB_ACCOUNT, **(cca_over or {})})
    d = dep("D1", 1_000_000, account_id="P1", **({"special_account": special} if special is not None else {}),
            **dep_over)
    return dict(accounts=[acct("P1", "pab")], cca=[cca_row], cca_requirements=[req("P1")], cca_deposits=[d])


def test_pab_margin_needs_the_pab_clearing_account(tmp_path):
    # The original format: only the customers' designation, notice and contract (and the PAB
    # margin in the "customer_segregated" account). Read with PAB Note 1 the PAB account's own
    # designation and attestations are not stated: PAB Item 15 = 0 (reading: h_pab_account).
    spec = pab_book()
    spec["cca"] = [good_cca()]
    spec["cca_deposits"] = [dep("D1", 1_000_000, account_id="P1")]
    out = run(tmp_path, **spec)
    assert line(out, computation="pab") == 0
    e = entry(out, "FICC", "P1")
    assert rules(e) == ["PAB Note 1; Note H(b)(2)", "PAB Note 1; Note H(b)(2)(iii)(B)",
                        "PAB Note 1; Note H(b)(2)(iii)(C)", "PAB Note 1; Note H(b)(2)(iii)(D)",
                        "PAB Note 1; Note H(b)(2)(iii)"]
    assert PAB_DESIGNATION in e["failed_conditions"][1]["message"] and "blank" in e["failed_conditions"][1]["message"]
    # The clearing account's failures put the PAB requirement at stake: 1,000,000 each.
    assert [f.amount for f in out.findings if f.table == "cca"] == [usd(1_000_000)] * 4
    assert all(f.computation == "pab" and "for PAB accounts" in f.message for f in out.findings if f.table == "cca")
    # Note B does not depend on the (b) conditions: P1's Treasuries stay a PAB Item 2 credit.
    assert line(out, "item_2", "pab") == usd(1_000_000)
    # Stated: PAB Item 15 = min(1,000,000, 1,000,000) = 1,000,000.
    assert line(run(tmp_path, **pab_book()), computation="pab") == usd(1_000_000)


@pytest.mark.parametrize("column,rule", [
    ("pab_rules_apply", "PAB Note 1; Note H(b)(2)"),
    ("pab_written_notice", "PAB Note 1; Note H(b)(2)(iii)(C)"),
    ("pab_written_contract", "PAB Note 1; Note H(b)(2)(iii)(D)"),
])
def test_each_pab_attestation_is_required(tmp_path, column, rule):
    # reading: h_pab_account
    out = run(tmp_path, **pab_book({column: "FALSE"}))
    assert line(out, computation="pab") == 0  # 1,000,000 without the condition -> 0
    assert rules(entry(out, "FICC", "P1")) == [rule]


def test_pab_designation_must_read_exactly(tmp_path):
    # "Customers" where PAB Note 1 reads "PAB Accounts": the 59th character differs
    # ("Special Clearing Account for the Exclusive Benefit of the " is 58 characters).
    # reading: h_pab_account
    wrong = PAB_DESIGNATION.replace("PAB Accounts", "Customers")
    out = run(tmp_path, **pab_book({"pab_account_designation": wrong}))
    assert line(out, computation="pab") == 0
    (fc,) = entry(out, "FICC", "P1")["failed_conditions"]
    assert fc["rule"] == "PAB Note 1; Note H(b)(2)(iii)(B)" and "character 59" in fc["message"]


def test_pab_margin_in_the_customers_special_account(tmp_path):
    # special_account blank is the Customers' account: PAB margin there is not in the PAB
    # clearing account -> PAB Item 15 = 0, Item 2 unchanged (1,000,000).
    # reading: h_pab_account
    for special in (None, "customers"):
        out = run(tmp_path, **pab_book(special=special))
        assert line(out, computation="pab") == 0, special
        assert rules(entry(out, "FICC", "P1")) == ["PAB Note 1; Note H(b)(2)(iii)"]
        assert line(out, "item_2", "pab") == usd(1_000_000)


def test_customer_margin_in_the_pab_special_account(tmp_path):
    out = run(tmp_path, cca_deposits=[dep("D1", 1_000_000, special_account="pab_accounts")])
    assert line(out) == 0 and rules(entry(out)) == ["Note H(b)(2)(iii)"]
    assert line(run(tmp_path, cca_deposits=[dep("D1", 1_000_000, special_account="customers")])) == usd(1_000_000)


def test_customer_and_pab_clearing_accounts_are_tested_apart(tmp_path):
    # A1 (customer, 1,000,000) and P1 (PAB, 1,000,000) at the same FICC.
    # reading: h_pab_account
    spec = pab_book()
    spec["accounts"] = [acct("A1"), acct("P1", "pab")]
    spec["cca_requirements"] = [req("A1"), req("P1")]
    spec["cca_deposits"] = spec["cca_deposits"] + [dep("D2", 1_000_000)]
    out = run(tmp_path, **spec)
    assert (line(out), line(out, computation="pab")) == (usd(1_000_000), usd(1_000_000))
    # The customers' designation wrong: customer Item 15 0, PAB Item 15 still 1,000,000.
    spec["cca"] = [good_cca(**PAB_ACCOUNT, account_designation="Customer account")]
    out = run(tmp_path, **spec)
    assert (line(out), line(out, computation="pab")) == (0, usd(1_000_000))
    assert rules(entry(out, "FICC", "A1")) == ["Note H(b)(2)(iii)(B)"] and rules(entry(out, "FICC", "P1")) == []
    (f,) = [f for f in out.findings if f.table == "cca"]
    assert f.computation == "customer" and f.amount == usd(1_000_000) and "for customers" in f.message
    rec = out.dispositions[out.dispositions["table"] == "cca"].iloc[0]
    assert "customers' clearing account" in rec["reason"] and "PAB clearing account (PAB Note 1): meets" in rec["reason"]
    # A condition of the clearing agency itself (registered) fails both: 0 and 0.
    spec["cca"] = [good_cca(**PAB_ACCOUNT, registered="FALSE")]
    out = run(tmp_path, **spec)
    assert (line(out), line(out, computation="pab")) == (0, 0)
    assert rules(entry(out, "FICC", "P1")) == ["Note H(a)"]


# ------------------------------------------------------------------ the account structure


@pytest.mark.parametrize("structure,basis,counted", [
    ("own_gross", "gross", True),
    ("omnibus_gross", "gross", True),   # an omnibus account with a separate margin per customer
    ("", "gross", True),                # not stated: the stated basis decides (original format)
    ("", "net", False),
    ("omnibus_net", "net", False),      # netted across customers: no Item 15 today
])
def test_account_structure(tmp_path, structure, basis, counted):
    out = run(tmp_path, cca_requirements=[req(basis=basis, account_structure=structure)],
              cca_deposits=[dep("D1", 1_000_000)])
    # Counted: Item 15 = min(1,000,000, 1,000,000); not counted: min(0, 1,000,000) = 0
    # (reading: h_account_structure).
    assert line(out) == (usd(1_000_000) if counted else 0)
    e = entry(out)
    assert e["account_structure"] == (structure or None)
    if not counted:
        (fc,) = e["failed_conditions"]  # one reason, never two for one requirement
        assert fc["rule"] == "Note H(b)(2)(i)" and fc["amount"] == usd(1_000_000)
        assert ("34-105980" in fc["message"]) == (structure == "omnibus_net")
    rec = out.dispositions[out.dispositions["table"] == "cca_requirements"].iloc[0]
    assert (structure in rec["reason"]) if structure else True


@pytest.mark.parametrize("structure,basis", [("own_gross", "net"), ("omnibus_gross", "net"), ("omnibus_net", "gross")])
def test_a_structure_contradicting_the_basis_is_refused(tmp_path, structure, basis):
    # The structure and the basis state one fact of Note H(b)(2)(i) twice: they must agree.
    # reading: h_account_structure
    with pytest.raises(BookInvalid) as err:
        book(Path(tmp_path) / "b", accounts=[acct("A1")], cca=[good_cca()],
             cca_requirements=[req(basis=basis, account_structure=structure)])
    (p,) = err.value.problems
    assert (p.sheet, p.row, p.column, p.value) == ("cca_requirements", 2, "account_structure", structure)
    assert p.expected == f"basis {'gross' if basis == 'net' else 'net'} with account_structure {structure}"
    assert p.message == f"the account structure contradicts basis {basis}"


def test_an_order_permitting_omnibus_margin_is_one_switch(tmp_path, monkeypatch):
    # reading: h_account_structure
    b = book(Path(tmp_path) / "b", accounts=[acct("A1")], cca=[good_cca()],
             cca_requirements=[req(basis="net", account_structure="omnibus_net")], cca_deposits=[dep("D1", 1_000_000)])
    assert line(note_h(b, calendar(b))) == 0
    # Should the Commission grant the exemption applied for (Release 34-105980), the switch
    # lets omnibus_net requirements count: Item 15 = min(1,000,000, 1,000,000).
    monkeypatch.setattr(requirements_module, "OMNIBUS_NET_MARGIN_COUNTS", True)
    out = note_h(b, calendar(b))
    check_rows(b, out)
    assert line(out) == usd(1_000_000) and rules(entry(out)) == []


def test_requirements_differing_only_in_structure_are_two_requirements(tmp_path):
    # 600,000 in the customer's own account + 400,000 netted in an omnibus account: counted 600,000.
    reqs = [req(requirement=600_000, account_structure="own_gross"),
            req(requirement=400_000, basis="net", account_structure="omnibus_net")]
    out = run(tmp_path, cca_requirements=reqs, cca_deposits=[dep("D1", 1_000_000)])
    e = entry(out)
    assert (e["requirement"], e["requirement_counted"], e["item_15"]) == (usd(1_000_000), usd(600_000), usd(600_000))
    assert e["account_structure"] == "omnibus_net, own_gross"
    # The same requirement twice is still refused.
    with pytest.raises(BookInvalid) as err:
        book(Path(tmp_path) / "dup", accounts=[acct("A1")], cca=[good_cca()],
             cca_requirements=[req(account_structure="own_gross"), req(account_structure="own_gross")])
    assert any(p.column == "account_id" and "twice" in p.message for p in err.value.problems)


# ------------------------------------------------------------------ pairing (reading: h_pairing)


def pairing_book(tmp_path, **over):
    # Customer C1: A1 credit 300,000 and A2 credit 100,000 (Item 1: 400,000). At FICC, A1's
    # requirement 1,000,000 is met by C1's cash 400,000 (owner A1) and Treasuries 600,000.
    tables = dict(accounts=[acct("A1", balance=300_000, customer_id="C1"), acct("A2", balance=100_000, customer_id="C1")],
                  cca=[good_cca()], cca_requirements=[req()],
                  cca_deposits=[dep("C1", 400_000, "cash"), dep("T1", 600_000)])
    tables.update(over)
    return book(Path(tmp_path) / "pair", **tables)


def test_pairing_holds_on_a_computed_book(tmp_path):
    # Every Item 15 debit has its matching credit: no pairing finding (reading: h_pairing).
    b = pairing_book(tmp_path)
    result = compute(b)
    # Item 15 = 400,000 cash + 600,000 Treasuries; Item 1 = 300,000 + 100,000 = 400,000 >= 400,000;
    # Item 2 = 600,000 for T1 >= its 600,000 in Item 15.
    assert result.computations["customer"].lines["item_15"] == usd(1_000_000)
    assert result.computations["customer"].lines["item_1"] == usd(400_000)
    assert pairing_findings(b, result.dispositions) == []


def _drop(disp, table, row, line_):
    keep = ~((disp["table"] == table) & (disp["row"] == row) & (disp["line"] == line_)).to_numpy(dtype=bool)
    return model.concat_dispositions([disp[keep].reset_index(drop=True)])


def test_customer_cash_in_item_15_without_its_item_1_credit(tmp_path):
    # reading: h_pairing
    b = pairing_book(tmp_path)
    disp = compute(b).dispositions
    # A later exclusion takes A2's 100,000 credit out of Item 1: C1's Item 1 credits are
    # 300,000 against 400,000 of C1's cash in Item 15: 100,000 without a matching credit.
    (f,) = pairing_findings(b, _drop(disp, "accounts", 1, "item_1"))
    assert (f.severity, f.computation, f.amount, f.table, f.row) == ("severe", "customer", usd(100_000), "cca_deposits", 0)
    assert f.message.startswith("customer C1:") and "$400,000.00" in f.message and "$300,000.00" in f.message
    assert f.rule.startswith("Note H(b)(1)(i); Item 1")
    # Both credits gone: 400,000 short.
    (f,) = pairing_findings(b, _drop(_drop(disp, "accounts", 1, "item_1"), "accounts", 0, "item_1"))
    assert f.amount == usd(400_000)


def test_customer_security_in_item_15_without_its_item_2_credit(tmp_path):
    # reading: h_pairing
    b = pairing_book(tmp_path)
    disp = compute(b).dispositions
    # T1 (row 1) is in Item 15 for 600,000; with its Item 2 record gone, 600,000 is unmatched.
    (f,) = pairing_findings(b, _drop(disp, "cca_deposits", 1, "item_2"))
    assert (f.severity, f.amount, f.row) == ("severe", usd(600_000), 1)
    assert "customer C1" in f.message and "T1" in f.message and f.rule.startswith("Note H(b)(1)(ii); Item 2")


formula_module = importlib.import_module("reserve.formula.credits")  # Item 1 of the accounts
PAIRING_WIRED = "pairing_findings" in inspect.getsource(importlib.import_module("reserve.formula.computation"))


@pytest.mark.skipif(not PAIRING_WIRED, reason="pairing_findings is not yet called from reserve.formula.compute "
                    "(one line after the dispositions are joined: findings += pairing_findings(book, disp))")
def test_compute_reports_a_debit_without_its_credit(tmp_path, monkeypatch):
    # The check runs on the final dispositions of the whole computation: an exclusion that
    # takes A2's 100,000 credit out of Item 1 (simulated here on what credits.py returns)
    # leaves 400,000 of C1's cash in Item 15 against 300,000 of Item 1: one severe finding.
    # reading: h_pairing
    b = pairing_book(tmp_path)
    real = formula_module.item_1_credit_balances

    def without_a2_credit(scope):
        out = real(scope)
        out.frames = [f[~((f["table"] == "accounts") & (f["row"] == 1) & (f["line"] == "item_1")).to_numpy(dtype=bool)]
                      for f in out.frames]
        return out

    assert [f for f in compute(b).findings if f.rule.startswith("Note H(b)(1)(i); Item 1")] == []
    monkeypatch.setattr(formula_module, "item_1_credit_balances", without_a2_credit)
    (f,) = [f for f in compute(b).findings if f.rule.startswith("Note H(b)(1)(i); Item 1")]
    assert (f.severity, f.amount) == ("severe", usd(100_000)) and f.message.startswith("customer C1:")


def test_pairing_in_the_pab_computation(tmp_path):
    # PAB account P1 credit 250,000 delivers 250,000 of cash for its own requirement.
    # reading: h_pairing
    spec = pab_book()
    spec["accounts"] = [acct("P1", "pab", 250_000)]
    spec["cca_deposits"] = [dep("D1", 250_000, "cash", account_id="P1", special_account="pab_accounts")]
    b = book(Path(tmp_path) / "pab", **spec)
    disp = compute(b).dispositions
    assert pairing_findings(b, disp) == []
    (f,) = pairing_findings(b, _drop(disp, "accounts", 0, "item_1"))
    assert (f.computation, f.amount) == ("pab", usd(250_000)) and "customer P1" in f.message


# ------------------------------------------------------------------ increments (reading: h_increments)


def increment(increment_id, arose, at_arise, cust_assets, call, cure_on, cure_amount, account_id="A1", cca_id="FICC"):
    return {k: ("" if v is None else str(v)) for k, v in dict(
        increment_id=increment_id, cca_id=cca_id, account_id=account_id, arose_on=arose,
        requirement_at_arise=at_arise, customer_assets_at_arise=cust_assets, call_issued_on=call,
        cure_received_on=cure_on, cure_received_amount=cure_amount).items()}


def tied(deposit_id, value, increment_id):
    return dep(deposit_id, value, "us_treasury", "firm", increment_id=increment_id)


# The requirement grew: Wednesday 11-18 to 600,000 (customer held nothing), Thursday 11-19 to
# 1,000,000 (customer then held the 600,000 delivered on Thursday). The firm delivered its
# own Treasuries for each increment: F1 600,000, F2 400,000.
I1 = increment("I1", "2026-11-18", 600_000, 0, "2026-11-18", "2026-11-19", 600_000)
I2 = increment("I2", "2026-11-19", 1_000_000, 600_000, "2026-11-19", "2026-11-20", 400_000)
GROWN = [tied("F1", 600_000, "I1"), tied("F2", 400_000, "I2")]


def test_a_requirement_grown_over_two_days(tmp_path):
    # Each increment tested on its own facts (reading: h_increments).
    out = run(tmp_path, cca_requirement_increments=[I1, I2], cca_deposits=GROWN)
    # I1: (A) 0 < 600,000; (B) call 11-18 = arose; (C) 600,000 >= 600,000 - 0 by Thu 11-19.
    # I2: (A) 600,000 < 1,000,000; (B) call 11-19 = arose; (C) 400,000 >= 1,000,000 - 600,000 by Fri 11-20.
    # Item 15 = min(1,000,000, 600,000 + 400,000) = 1,000,000.
    assert line(out) == usd(1_000_000) and entry(out)["status"] == "eligible"
    d = out.dispositions
    inc = d[d["table"] == "cca_requirement_increments"]
    assert inc["line"].tolist() == ["note_h_test", "note_h_test"]
    assert "(F1)" in inc["reason"].iloc[0] and "conditions (A)-(C) met" in inc["reason"].iloc[0]


@pytest.mark.parametrize("over,rule,needle", [
    (dict(call="2026-11-20"), "Note H(b)(1)(iii)(B)", "not on the day"),
    # shortfall of the second increment = 1,000,000 - 600,000 = 400,000 > 399,999.99 received
    (dict(cure_amount=399_999.99), "Note H(b)(1)(iii)(C)", "$400,000.00 needed"),
    (dict(cure_on="2026-11-23"), "Note H(b)(1)(iii)(C)", "after the deadline 2026-11-20"),
    (dict(cust_assets=1_000_000), "Note H(b)(1)(iii)(A)", "not less than"),
])
def test_each_increment_is_tested_on_its_own(tmp_path, over, rule, needle):
    # reading: h_increments
    args = dict(increment_id="I2", arose="2026-11-19", at_arise=1_000_000, cust_assets=600_000, call="2026-11-19",
                cure_on="2026-11-20", cure_amount=400_000)
    args.update(over)
    # the cure received by prepared_on (reading: h_dates_order)
    out = run(tmp_path, {"prepared_on": args["cure_on"]}, cca_requirement_increments=[I1, increment(**args)],
              cca_deposits=GROWN)
    # The second increment fails, the first still holds: Item 15 = min(1,000,000, 600,000) = 600,000.
    assert line(out) == usd(600_000)
    e = entry(out)
    assert e["status"] == "partial" and rule in rules(e)
    msg = [f["message"] for f in e["failed_conditions"] if f["rule"] == rule][0]
    assert needle in msg and "F2" in msg and "for increment I2" in msg
    inc = out.dispositions[out.dispositions["table"] == "cca_requirement_increments"]
    assert "conditions (A)-(C) met" in inc["reason"].iloc[0] and "not met" in inc["reason"].iloc[1]


def test_one_cure_for_several_deposits_of_one_increment(tmp_path):
    # One increment (1,000,000, customer held nothing, cured 1,000,000 on Friday) and two lots
    # of firm Treasuries delivered for it: the cure is tested once. Item 15 = 600,000 + 400,000.
    # reading: h_increments
    inc = increment("I1", "2026-11-19", 1_000_000, 0, "2026-11-19", "2026-11-20", 1_000_000)
    out = run(tmp_path, cca_requirement_increments=[inc], cca_deposits=[tied("F1", 600_000, "I1"), tied("F2", 400_000, "I1")])
    assert line(out) == usd(1_000_000)
    rec = out.dispositions[out.dispositions["table"] == "cca_requirement_increments"].iloc[0]
    assert "(F1, F2)" in rec["reason"]


@pytest.mark.parametrize("policy,item_15", [("exclude", 600_000), ("include", 1_000_000)])
def test_pending_cure_of_the_latest_increment(tmp_path, policy, item_15):
    # The second increment arose on as_of Friday 11-20: its cure is due Monday 11-23 (pending).
    # exclude: Item 15 = 600,000 (the first increment's); include: 600,000 + 400,000.
    i2 = increment("I2", "2026-11-20", 1_000_000, 600_000, "2026-11-20", None, None)
    out = run(tmp_path, {"pending_cure_policy": policy}, cca_requirement_increments=[I1, i2], cca_deposits=GROWN)
    assert line(out) == usd(item_15)
    e = entry(out)
    assert e["status"] == "pending" and [p["deposit_id"] for p in e["pending"]] == ["F2"]
    rec = out.dispositions[out.dispositions["table"] == "cca_requirement_increments"].iloc[1]
    assert "cure pending" in rec["reason"] and "2026-11-23" in rec["reason"]


def test_an_increment_no_deposit_names_is_excluded(tmp_path):
    # reading: h_increments
    out = run(tmp_path, cca_requirement_increments=[I1], cca_deposits=[dep("D1", 1_000_000)])
    assert line(out) == usd(1_000_000)
    rec = out.dispositions[out.dispositions["table"] == "cca_requirement_increments"].iloc[0]
    assert (rec["line"], rec["primary"]) == ("excluded", True) and "nothing to test" in rec["reason"]


def test_one_increment_books_work_unchanged(tmp_path):
    # The original format: the deposit's own columns (firm_ust) give the same Item 15 as the
    # same facts stated as one increment.
    own = run(tmp_path, cca_deposits=[firm_ust()])
    inc = increment("I1", "2026-11-19", 1_000_000, 0, "2026-11-19", "2026-11-20", 1_000_000)
    as_increment = run(tmp_path, cca_requirement_increments=[inc], cca_deposits=[tied("F1", 1_000_000, "I1")])
    assert line(own) == line(as_increment) == usd(1_000_000)


@pytest.mark.parametrize("deposit,column,needle", [
    (tied("F1", 1, "I9"), "increment_id", "cca_requirement_increments"),
    (dep("D1", 1, increment_id="I1"), "increment_id", "owner=customer"),
    ({**tied("F1", 1, "I1"), "requirement_arose_on": "2026-11-18"}, "requirement_arose_on", "increment"),
    ({**tied("F1", 1, "I1"), "account_id": "A2"}, "account_id", "of its increment"),
])
def test_deposit_ties_to_increments_are_validated(tmp_path, deposit, column, needle):
    folder = write_book(Path(tmp_path) / "b", accounts=[acct("A1"), acct("A2")], cca=[good_cca()],
                        cca_requirement_increments=[I1], cca_deposits=[deposit])
    with pytest.raises(BookInvalid) as err:
        load_book(folder)
    (p,) = [p for p in err.value.problems if p.column == column]
    assert p.sheet == "cca_deposits" and p.row == 2 and needle in (p.expected + " " + (p.message or ""))


# ------------------------------------------------------------------ assets (reading: h_item2_securities)


def test_other_security_not_a_security_and_other(tmp_path):
    # (reading: h_item2_securities)
    # Requirement 1,000,000 met by Treasuries D1 1,000,000; the customer also has equities E1
    # (other_security, 300,000), a letter of guarantee G1 (not_a_security, 200,000) and an
    # `other` O1 (50,000) at FICC. None is permitted collateral (Note H(a)(1)): Item 15 = 1,000,000.
    deps = [dep("D1", 1_000_000), dep("E1", 300_000, "other_security"), dep("G1", 200_000, "not_a_security"),
            dep("O1", 50_000, "other")]
    out = run(tmp_path, cca_deposits=deps)
    assert line(out) == usd(1_000_000)
    # Item 2 = the customer's securities: 1,000,000 + 300,000 + 50,000 (`other`, conservatively) = 1,350,000;
    # the guarantee is not a security.
    assert line(out, "item_2") == usd(1_350_000)
    d = out.dispositions
    by_row = {r: set(d.loc[(d["table"] == "cca_deposits") & (d["row"] == r), "line"]) for r in range(4)}
    assert by_row == {0: {"item_15", "item_2"}, 1: {"item_2", "excluded"}, 2: {"excluded"}, 3: {"item_2", "excluded"}}
    msgs = {f["message"].split(":")[0]: f["message"] for f in entry(out)["failed_conditions"]}
    assert "not permitted collateral" in msgs["deposit E1 (customer other_security $300,000.00)"]
    assert "neither cash nor a security" in msgs["deposit G1 (customer not_a_security $200,000.00)"]
    # `other` is flagged for review, with what to state instead.
    (f,) = [f for f in out.findings if f.rule == "Note B"]
    assert (f.severity, f.amount, f.row) == ("review", usd(50_000), 3)
    assert "O1" in f.message and "other_security" in f.message and "not_a_security" in f.message


def test_firm_owned_other_security_is_no_item_2(tmp_path):
    # reading: h_item2_securities
    out = run(tmp_path, cca_deposits=[dep("D1", 1_000_000), dep("E1", 300_000, "other_security", "firm")])
    assert (line(out), line(out, "item_2")) == (usd(1_000_000), usd(1_000_000))  # the firm's own: not customers'


# ------------------------------------------------------------------ every row disposed once


def test_shuffled_increments_give_the_same_result(tmp_path):
    b = book(Path(tmp_path) / "b", accounts=[acct("A1")], cca=[good_cca()], cca_requirements=[req()],
             cca_requirement_increments=[I1, I2], cca_deposits=GROWN)
    out = note_h(b, calendar(b))
    check_rows(b, out)
    shuffled = {k: v.iloc[::-1].reset_index(drop=True) for k, v in b.tables.items()}
    again = note_h(dataclasses.replace(b, tables=shuffled), calendar(b))
    check_rows(b, again)
    assert again.entries == out.entries
    assert line(again) == line(out) == usd(1_000_000)
    assert isinstance(b.tables["cca_requirement_increments"], pd.DataFrame)
