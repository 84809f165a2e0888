"""The Note H(b)(1)(iii) dates of a firm-owned Treasury stop-gap, in their order (reading:
h_dates_order): the requirement arises (by as_of), the firm calls the customer that day, the
customer's delivery is received after both and by the day the computation is prepared. A
date out of that order is refused as a located problem, every one at once; it was accepted
before, and a cure dated after prepared_on made a pending customer eligible (the sample's
FD-0009: +800,000.00 of Item 15, deposit needed 1,603,349.70 -> 827,349.70).

Unless a test says otherwise the book is as of Friday 2026-11-20 (prepared_on blank: as_of),
one qualified clearing agency FICC, customer A1 with a 1,000,000 Treasury requirement met by
firm-owned Treasuries (F1) whose requirement arose Thursday 11-19, called that day, cured
Friday 11-20.
"""

from __future__ import annotations

import datetime as dt
from importlib.resources import files
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from bookkit import BASE_PARAMETERS, bad_book, book, only, problems_of

from reserve.book import load_book
from reserve.calendar import BusinessCalendar
from reserve.formula import compute
from reserve.formula.note_h import note_h

FIRM = BASE_PARAMETERS["firm_name"]
DESIGNATION = f"Special Clearing Account for the Exclusive Benefit of the Customers of {FIRM}"
CCA = dict(cca_id="FICC", name="Fixed Income Clearing Corporation", registered="TRUE", clears_ust="TRUE",
           rule_gross_margin="TRUE", rule_investment_limit="TRUE", rule_segregated_account="TRUE",
           account_designation=DESIGNATION, written_notice="TRUE", written_contract="TRUE", rule_custody="TRUE",
           rule_return_excess="TRUE", in_compliance="TRUE", sec_notice_date="2024-11-29")
REQ = dict(cca_id="FICC", account_id="A1", position_type="ust_cash", requirement="1000000")
ACCOUNTS = [dict(account_id="A1", book="customer", balance="0")]


def firm_ust(deposit_id="F1", arose="2026-11-19", call="2026-11-19", cure_on="2026-11-20", **over) -> dict:
    row = dict(deposit_id=deposit_id, cca_id="FICC", account_id="A1", asset="us_treasury", owner="firm",
               value="1000000", requirement_arose_on=arose, requirement_at_arise="1000000",
               customer_assets_at_arise="0", call_issued_on=call, cure_received_on=cure_on,
               cure_received_amount="1000000")
    row.update(over)
    return {k: ("" if v is None else v) for k, v in row.items()}


def increment(increment_id="I1", arose="2026-11-19", call="2026-11-19", cure_on="2026-11-20") -> dict:
    row = dict(increment_id=increment_id, cca_id="FICC", account_id="A1", arose_on=arose,
               requirement_at_arise="1000000", customer_assets_at_arise="0", call_issued_on=call,
               cure_received_on=cure_on, cure_received_amount="1000000")
    return {k: ("" if v is None else v) for k, v in row.items()}


def tied(deposit_id, increment_id) -> dict:
    return dict(deposit_id=deposit_id, cca_id="FICC", account_id="A1", asset="us_treasury", owner="firm",
                value="1000000", increment_id=increment_id)


def tables(deposits=(), increments=()) -> dict:
    out = dict(accounts=ACCOUNTS, cca=[CCA], cca_requirements=[REQ], cca_deposits=list(deposits))
    if increments:
        out["cca_requirement_increments"] = list(increments)
    return out


def refused(tmp_path, parameters=None, deposits=(), increments=()):
    return bad_book(tmp_path, parameters, **tables(deposits, increments))


def item_15(tmp_path, parameters=None, deposits=(), increments=()) -> int:
    b = book(tmp_path / "book", parameters, **tables(deposits, increments))
    hol = b.tables["holidays"]
    cal = BusinessCalendar([(pd.Timestamp(d).date(), n or "") for d, n in zip(hol["date"], hol["name"], strict=False)])
    d = note_h(b, cal).dispositions
    return int(d.loc[(d["line"] == "item_15") & (d["computation"] == "customer"), "amount"].sum())


# ------------------------------------------------------------------ cca_deposits


def test_a_cure_dated_after_prepared_on_is_refused(tmp_path):
    # reading: h_dates_order
    # prepared_on blank: as_of 2026-11-20. A delivery dated Monday 11-23 cannot have been
    # received when the computation was prepared; counted, it met (C) (deadline Monday).
    err = refused(tmp_path, deposits=[firm_ust(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-23")])
    p = only(err, sheet="cca_deposits", column="cure_received_on")
    assert (p.row, p.value) == (2, "2026-11-23")
    assert p.expected == ("a date on or before prepared_on (2026-11-20): a cure the computation relied on must have "
                          "been received when it was prepared (Note H(b)(1)(iii)(C))")
    assert len(err.problems) == 1


def test_a_cure_after_a_stated_prepared_on_is_refused(tmp_path):
    # reading: h_dates_order
    err = refused(tmp_path, {"prepared_on": "2026-11-21"},
                  deposits=[firm_ust(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-23")])
    p = only(err, sheet="cca_deposits", column="cure_received_on")
    assert p.row == 2 and "on or before prepared_on (2026-11-21)" in p.expected


def test_a_cure_dated_before_the_requirement_arose_is_refused(tmp_path):
    # reading: h_dates_order
    # Requirement Friday 11-20, called that day, "cured" Thursday 11-19: before the deadline,
    # so it met (C) -- but a delivery before the requirement cannot be its cure.
    err = refused(tmp_path, deposits=[firm_ust(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-19")])
    p = only(err, sheet="cca_deposits", column="cure_received_on")
    assert (p.row, p.value) == (2, "2026-11-19")
    assert p.message == "the cure is dated before the requirement arose"
    assert p.expected.startswith("a date on or after requirement_arose_on (2026-11-20) and call_issued_on "
                                 "(2026-11-20): ")
    assert "Note H(b)(1)(iii)(C)" in p.expected
    assert len(err.problems) == 1


def test_a_cure_dated_before_the_call_is_refused(tmp_path):
    # reading: h_dates_order
    # Arose Wednesday 11-18, called Thursday 11-19, "cured" 11-18: after the requirement arose but
    # before the call it answers.
    err = refused(tmp_path, deposits=[firm_ust(arose="2026-11-18", call="2026-11-19", cure_on="2026-11-18")])
    p = only(err, sheet="cca_deposits", column="cure_received_on")
    assert (p.row, p.value, p.message) == (2, "2026-11-18", "the cure is dated before the call")
    assert "call_issued_on (2026-11-19)" in p.expected


def test_a_call_dated_before_the_requirement_arose_is_refused(tmp_path):
    # reading: h_dates_order
    err = refused(tmp_path, deposits=[firm_ust(arose="2026-11-20", call="2026-11-19", cure_on="2026-11-20")])
    p = only(err, sheet="cca_deposits", column="call_issued_on")
    assert (p.row, p.value) == (2, "2026-11-19")
    assert p.expected.startswith("a date on or after requirement_arose_on (2026-11-20): ")
    assert "Note H(b)(1)(iii)(B)" in p.expected
    assert len(err.problems) == 1


def test_a_requirement_arising_after_as_of_is_refused(tmp_path):
    # reading: h_dates_order
    # Arose Monday 11-23, called that day, no cure yet: the computation as of Friday cannot
    # rest on it. (The call on the day it arose is in order: only the arise date is refused.)
    err = refused(tmp_path, deposits=[firm_ust(arose="2026-11-23", call="2026-11-23", cure_on=None)])
    p = only(err, sheet="cca_deposits", column="requirement_arose_on")
    assert (p.row, p.value) == (2, "2026-11-23")
    assert p.expected.startswith("a date on or before as_of (2026-11-20): ")
    assert len(err.problems) == 1


def test_every_date_out_of_order_is_refused_at_once_each_row_named(tmp_path):
    # reading: h_dates_order
    deposits = [
        firm_ust("F1"),  # in order (row 2)
        firm_ust("F2", arose="2026-11-20", call="2026-11-20", cure_on="2026-11-23"),  # row 3: cure after prepared_on
        firm_ust("F3", arose="2026-11-20", call="2026-11-19", cure_on="2026-11-19"),  # row 4: call and cure too early
        firm_ust("F4", arose="2026-11-24", call="2026-11-24", cure_on="2026-11-25"),  # row 5: arose after as_of, cure
    ]
    increments = [
        increment("I1", arose="2026-11-23", call="2026-11-20", cure_on="2026-11-24"),  # row 2: all three
        increment("I2"),  # in order (row 3)
    ]
    err = refused(tmp_path, deposits=deposits + [tied("F5", "I1"), tied("F6", "I2")], increments=increments)
    found = sorted((p.sheet, p.row, p.column, p.value) for p in err.problems)
    assert found == [
        ("cca_deposits", 3, "cure_received_on", "2026-11-23"),
        ("cca_deposits", 4, "call_issued_on", "2026-11-19"),
        ("cca_deposits", 4, "cure_received_on", "2026-11-19"),
        ("cca_deposits", 5, "cure_received_on", "2026-11-25"),
        ("cca_deposits", 5, "requirement_arose_on", "2026-11-24"),
        ("cca_requirement_increments", 2, "arose_on", "2026-11-23"),
        ("cca_requirement_increments", 2, "call_issued_on", "2026-11-20"),
        ("cca_requirement_increments", 2, "cure_received_on", "2026-11-24"),
    ], "\n".join(map(str, err.problems))
    assert err.total == 8


# ------------------------------------------------------------------ cca_requirement_increments


@pytest.mark.parametrize(("over", "column", "value", "expected"), [
    (dict(arose="2026-11-23", call="2026-11-23", cure_on=None), "arose_on", "2026-11-23",
     "a date on or before as_of (2026-11-20)"),
    (dict(arose="2026-11-20", call="2026-11-19", cure_on="2026-11-20"), "call_issued_on", "2026-11-19",
     "a date on or after arose_on (2026-11-20)"),
    (dict(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-19"), "cure_received_on", "2026-11-19",
     "a date on or after arose_on (2026-11-20) and call_issued_on (2026-11-20)"),
    (dict(arose="2026-11-18", call="2026-11-19", cure_on="2026-11-18"), "cure_received_on", "2026-11-18",
     "a date on or after arose_on (2026-11-18) and call_issued_on (2026-11-19)"),
    (dict(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-23"), "cure_received_on", "2026-11-23",
     "a date on or before prepared_on (2026-11-20)"),
])
def test_an_increment_out_of_order_is_refused(tmp_path, over, column, value, expected):
    # reading: h_dates_order
    err = refused(tmp_path, deposits=[tied("F1", "I1")], increments=[increment("I0"), increment("I1", **over)])
    p = only(err, sheet="cca_requirement_increments", column=column)
    assert (p.row, p.value) == (3, value) and p.expected.startswith(expected)
    assert len(err.problems) == 1, "\n".join(map(str, err.problems))


# ------------------------------------------------------------------ the boundaries, accepted


def test_the_boundary_dates_are_accepted(tmp_path):
    # reading: h_dates_order
    # Arose on as_of (Friday 11-20), called that day, cured on prepared_on (Monday 11-23): in
    # order, and the cure deadline (close of Monday) met -- Item 15 = 1,000,000.00.
    assert item_15(tmp_path, {"prepared_on": "2026-11-23"},
                   deposits=[firm_ust(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-23")]) == 100_000_000


@pytest.mark.parametrize("dates", [
    dict(arose="2026-11-19", call="2026-11-19", cure_on="2026-11-19"),  # cured the day it arose and was called
    dict(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-20"),  # all on as_of = prepared_on
    dict(arose="2026-11-20", call="2026-11-20", cure_on=None),  # arose on as_of, cure pending
    dict(arose="2026-11-19", call="2026-11-20", cure_on="2026-11-20"),  # a late call (B fails) cured that day
    dict(arose=None, call="2026-11-19", cure_on="2026-11-20"),  # no arise date: (B), (C) not demonstrated
])
def test_dates_in_order_load(tmp_path, dates):
    # reading: h_dates_order
    b = book(tmp_path / "book", **tables([firm_ust(**dates), tied("F2", "I1")], [increment("I1", **dates)]))
    assert len(b.tables["cca_deposits"]) == 2


def test_a_cure_on_a_stated_prepared_on_after_as_of_is_accepted(tmp_path):
    # reading: h_dates_order
    # Only the cure may be dated after as_of, up to prepared_on.
    b = book(tmp_path / "book", {"prepared_on": "2026-11-23"},
             **tables([firm_ust(arose="2026-11-20", call="2026-11-20", cure_on="2026-11-23")],
                      [increment("I1", arose="2026-11-20", call="2026-11-20", cure_on="2026-11-23")]))
    assert len(b.tables["cca_requirement_increments"]) == 1


# ------------------------------------------------------------------ the sample book


def _sample_with_fd0009_cured(tmp_path: Path, cure_on: dt.date, prepared_on: dt.date | None = None) -> Path:
    wb = openpyxl.load_workbook(files("reserve.sample_data") / "weekly_book.xlsx")
    ws = wb["cca_deposits"]
    header = [c.value for c in ws[1]]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "FD-0009")
    ws.cell(row, header.index("cure_received_on") + 1).value = cure_on
    ws.cell(row, header.index("cure_received_amount") + 1).value = 800_000.00
    if prepared_on is not None:
        params = wb["parameters"]
        (at,) = [r[0].row for r in params.iter_rows(min_row=2) if r[0].value == "prepared_on"]
        params.cell(at, 2).value = prepared_on
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def test_the_sample_with_fd0009_cured_after_prepared_on_is_refused(tmp_path):
    # reading: h_dates_order
    # FD-0009 (C-2005): requirement arose on as_of 2026-11-20, called that day, cure due by the
    # close of Monday 11-23, pending when prepared (prepared_on 11-20). A cure dated Monday made
    # C-2005 eligible: +800,000.00 of Item 15, deposit needed 1,603,349.70 -> 827,349.70. Refused.
    path = _sample_with_fd0009_cured(tmp_path, dt.date(2026, 11, 23))
    err = problems_of(path)
    (p,) = err.problems
    ws = openpyxl.load_workbook(path, read_only=True)["cca_deposits"]
    row = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if r[0] == "FD-0009")
    assert (p.file, p.sheet, p.row, p.column, p.value) == (str(path), "cca_deposits", row, "cure_received_on",
                                                          "2026-11-23")
    assert p.expected.startswith("a date on or before prepared_on (2026-11-20): a cure the computation relied on "
                                 "must have been received when it was prepared")


def test_the_sample_with_fd0009_cured_on_prepared_on_counts(tmp_path):
    # reading: h_dates_order
    # The same cure with prepared_on Monday 11-23 (the cure received when the computation was
    # prepared, by its deadline): accepted, and C-2005's 800,000.00 counts in Item 15.
    result = compute(load_book(_sample_with_fd0009_cured(tmp_path, dt.date(2026, 11, 23), dt.date(2026, 11, 23))))
    assert result.computations["customer"].deposit_needed == 82_734_970
