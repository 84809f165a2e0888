"""The book loader (BOOK_FORMAT.md): every table, every column type, every class of input
error, and where each problem points (file, sheet, row as the user sees it, column, value).

Small books are written inline: CSV folders with `tests/bookkit.py`, workbooks with
openpyxl or xlsxwriter into tmp_path.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bookkit import book, write_book
from openpyxl import Workbook

from reserve.book import load_book
from reserve.book.schema import ITEM_KINDS, TABLES, TABLES_BY_NAME
from reserve.errors import MAX_PROBLEMS, BookInvalid

D = dt.date.fromisoformat

# --------------------------------------------------------------------------- helpers


def problems_of(path) -> BookInvalid:
    with pytest.raises(BookInvalid) as exc:
        load_book(path)
    return exc.value


def bad_book(tmp_path, parameters=None, **tables) -> BookInvalid:
    return problems_of(write_book(tmp_path / "book", parameters, **tables))


def only(err: BookInvalid, **match):
    """The one problem whose fields equal `match` (fails listing every problem otherwise)."""
    found = [p for p in err.problems if all(getattr(p, k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one problem {match}, got:\n" + "\n".join(map(str, err.problems))
    return found[0]


def _state_type(rows: list[list]) -> list[list]:
    """accounts.type is required (issue 10): an accounts sheet written by a test that is not
    about it gets a `type` column of `cash` after its last header cell (rows and column letters
    of the test's own cells unchanged; blank rows stay blank)."""
    header = next((i for i, r in enumerate(rows) if any(v is not None for v in r)), None)
    if header is None or "type" in rows[header]:
        return rows
    width = len(rows[header])
    out = []
    for i, r in enumerate(rows):
        if i == header:
            out.append(list(r) + ["type"])
        elif i > header and any(v is not None for v in r):
            out.append(list(r) + [None] * (width - len(r)) + ["cash"])
        else:
            out.append(r)
    return out


def write_xlsx(path: Path, sheets: dict[str, list[list]], state_type: bool = True) -> Path:
    """A workbook with one sheet per entry; each row a list of cell values (None = empty)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        if name == "accounts" and state_type:
            rows = _state_type(rows)
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


PARAMS_ROWS = [["name", "value"], ["firm_name", "Example Securities LLC"], ["as_of", dt.date(2026, 11, 20)],
               ["tentative_net_capital", 100_000_000]]

A1 = {"account_id": "A1", "book": "customer", "balance": "100.00"}
M1 = {"account_id": "M1", "book": "customer", "type": "margin", "balance": "-500.00"}


# --------------------------------------------------------------------------- every table loads


FULL = dict(
    accounts=[
        {"account_id": "C1", "customer_id": "P1", "book": "customer", "type": "cash", "balance": "$1,234.50"},
        {"account_id": "C2", "book": "customer", "type": "margin", "balance": "(2,000.00)", "unsecured_amount": "12.5",
         "doubtful": "no", "related_party": "principal", "noncustomer_ownership_pct": "12.5",
         "debit_related_to_credits": "Y", "e5_exception": "requested", "e5_exception_date": "2026-11-18",
         "cross_margin": "true"},
        {"account_id": "O1", "book": "pab", "type": "omnibus", "balance": "-300", "omnibus_deficit": "50",
         "omnibus_calls_5bd": "20", "e5_exception": "partial", "e5_exception_amount": "1,000"},
        {"account_id": "N1", "book": "noncustomer", "type": "cash", "balance": "5"},
    ],
    collateral=[{"account_id": "C2", "security_id": "912828ZT0", "market_value": "2,500", "exempted": "TRUE"},
                {"account_id": "C2", "security_id": "037833100", "market_value": "100"}],
    items=[
        {"item_id": "I1", "book": "customer", "kind": "fail_to_receive", "amount": "10", "market_value": "12",
         "open_date": "2026-10-01"},
        {"item_id": "I2", "book": "customer", "kind": "occ_margin", "amount": "10", "margin_requirement": "8",
         "collateral_form": "cash"},
        {"item_id": "I3", "book": "pab", "kind": "pab_note7_exclusion", "amount": "5000000"},
        {"item_id": "I4", "book": "customer", "kind": "transfer_unconfirmed", "amount": "1", "market_value": "1",
         "open_date": "2026-09-01", "confirmed": "1"},
        {"item_id": "I5", "book": "customer", "kind": "other_credit", "amount": "7", "description": "  why  "},
    ],
    cca=[{"cca_id": "FICC", "name": "Fixed Income Clearing Corporation", "registered": "yes", "clears_ust": "yes",
          "account_designation": "Special Clearing Account for the Exclusive Benefit of the Customers of X",
          "sec_notice_date": "2024-11-29"}],
    cca_requirements=[{"cca_id": "FICC", "account_id": "C1", "position_type": "ust_repo", "basis": "gross",
                       "requirement": "900"},
                      {"cca_id": "FICC", "account_id": "C1", "position_type": "ust_cash", "basis": "net",
                       "requirement": "100"}],
    cca_requirement_increments=[
        {"increment_id": "INC1", "cca_id": "FICC", "account_id": "C1", "arose_on": "2026-11-19",
         "requirement_at_arise": "100", "customer_assets_at_arise": "0", "call_issued_on": "2026-11-19",
         "cure_received_on": "2026-11-20", "cure_received_amount": "100"}],
    cca_deposits=[
        {"deposit_id": "D1", "cca_id": "FICC", "account_id": "C1", "asset": "us_treasury", "owner": "customer",
         "value": "900", "cca_account": "customer_segregated", "delivered_by_firm": "true"},
        {"deposit_id": "D2", "cca_id": "FICC", "account_id": "C1", "asset": "us_treasury", "owner": "firm",
         "value": "100", "cca_account": "house", "delivered_by_firm": "false", "requirement_arose_on": "2026-11-19",
         "requirement_at_arise": "100", "customer_assets_at_arise": "0", "call_issued_on": "2026-11-19",
         "cure_received_on": "2026-11-20", "cure_received_amount": "100"},
    ],
    reserve_bank_accounts=[{"account_id": "R1", "book": "customer", "bank_id": "B", "bank_name": "Bank",
                            "bank_affiliated": "no", "bank_equity_capital": "1,000,000", "cash": "10",
                            "written_notification": "TRUE"}],
    deposits=[{"account_id": "R1", "credited_at": "2026-11-23 09:15", "amount": "10", "kind": "deposit",
               "reference": "FW-1"}],
    clearing_organizations=[{"clearing_org_id": "OCC", "name": "The Options Clearing Corporation", "kind": "occ",
                             "note_g_b1": "yes", "note_g_determined_on": "2026-06-30"}],
    holidays=[{"date": "2026-12-24", "name": "Christmas Eve"}],
    review=[{"exception_id": "E-0123456789ab", "disposition": "open", "comment": "asked ops", "reviewer": "K",
             "date": "2026-11-23"}],
)


def test_every_table_loads_typed(tmp_path):
    b = book(tmp_path / "b", {"prepared_on": "2026-11-23", "pending_cure_policy": "INCLUDE"}, **FULL)
    assert b.params.firm_name == "Example Securities LLC"
    assert b.params.as_of == D("2026-11-20")
    assert b.params.prepared_on == D("2026-11-23")
    assert b.params.pending_cure_policy == "include"  # enumerations are matched case-insensitively
    assert b.params.tentative_net_capital == 100_000_000_00
    assert b.params.frequency == "weekly" and b.params.net_capital_method == "alternative"

    acc = b.table("accounts").set_index("account_id")
    assert acc["balance"].to_dict() == {"C1": 123450, "C2": -200000, "O1": -30000, "N1": 500}  # cents
    assert acc["balance"].dtype == np.int64
    assert acc.loc["C2", "unsecured_amount"] == 1250
    assert acc.loc["C2", "noncustomer_ownership_pct"] == 125_000  # 1/10,000 of a percent
    assert bool(acc.loc["C2", "debit_related_to_credits"]) and bool(acc.loc["C2", "cross_margin"])
    assert not bool(acc.loc["C2", "doubtful"])
    assert acc.loc["C2", "e5_exception_date"] == pd.Timestamp("2026-11-18")
    assert acc.loc["O1", "omnibus_deficit"] == 5000 and acc.loc["O1", "omnibus_calls_5bd"] == 2000
    assert acc.loc["O1", "e5_exception_amount"] == 100000
    assert acc.loc["C1", "type"] == "cash" and acc.loc["N1", "book"] == "noncustomer"

    col = b.table("collateral")
    assert col["market_value"].tolist() == [250000, 10000]
    assert col["exempted"].tolist() == [True, False]

    items = b.table("items").set_index("item_id")
    assert items.loc["I1", "open_date"] == pd.Timestamp("2026-10-01")
    assert items.loc["I1", "market_value"] == 1200
    assert pd.isna(items.loc["I2", "market_value"])  # blank stays blank (no default)
    assert items.loc["I2", "margin_requirement"] == 800 and items.loc["I2", "collateral_form"] == "cash"
    assert bool(items.loc["I4", "confirmed"]) and not bool(items.loc["I1", "confirmed"])
    assert items.loc["I5", "description"] == "why"  # text is stripped

    cca = b.table("cca").iloc[0]
    assert bool(cca["registered"]) and not bool(cca["rule_custody"])
    assert cca["sec_notice_date"] == pd.Timestamp("2024-11-29") and pd.isna(cca["sec_notice_withdrawn_date"])

    req = b.table("cca_requirements")
    assert req["basis"].tolist() == ["gross", "net"] and req["requirement"].tolist() == [90000, 10000]

    dep = b.table("cca_deposits").set_index("deposit_id")
    assert dep.loc["D1", "owner_account_id"] == "C1"  # default = account_id
    assert dep.loc["D1", "cca_account"] == "customer_segregated" and bool(dep.loc["D1", "delivered_by_firm"])
    assert dep.loc["D2", "cca_account"] == "house" and not bool(dep.loc["D2", "delivered_by_firm"])
    assert dep.loc["D2", "cure_received_on"] == pd.Timestamp("2026-11-20")
    assert dep.loc["D2", "customer_assets_at_arise"] == 0 and dep.loc["D2", "cure_received_amount"] == 10000
    assert pd.isna(dep.loc["D1", "requirement_at_arise"])

    rba = b.table("reserve_bank_accounts").iloc[0]
    assert rba["bank_equity_capital"] == 100_000_000 and rba["cash"] == 1000 and rba["qualified_securities"] == 0
    assert not bool(rba["bank_affiliated"]) and bool(rba["written_notification"])

    org = b.table("clearing_organizations").iloc[0]
    assert org["kind"] == "occ" and bool(org["note_g_b1"]) and not bool(org["note_g_b2"])
    assert org["note_g_determined_on"] == pd.Timestamp("2026-06-30")

    assert b.table("holidays")["date"].tolist() == [pd.Timestamp("2026-12-24")]
    assert b.table("deposits")["credited_at"].tolist() == [pd.Timestamp("2026-11-23 09:15")]
    assert b.row_counts == {"accounts": 4, "collateral": 2, "items": 5, "cca": 1, "cca_requirements": 2,
                            "cca_requirement_increments": 1, "cca_deposits": 2, "reserve_bank_accounts": 1,
                            "clearing_organizations": 1,
                            "deposits": 1, "holidays": 1, "review": 1}


def test_defaults_applied(tmp_path):
    b = book(tmp_path / "b", {"tentative_net_capital": None},
             accounts=[{"account_id": "A1", "book": "customer", "balance": "1"},
                       {"account_id": "A2", "customer_id": "", "book": "customer", "balance": "2"}],
             cca=[{"cca_id": "K", "name": "K"}],
             cca_deposits=[{"deposit_id": "D", "cca_id": "K", "account_id": "A2", "asset": "cash", "owner": "customer",
                            "value": "1"}])
    acc = b.table("accounts")
    assert acc["customer_id"].tolist() == ["A1", "A2"]  # customer_id = account_id, left out or blank
    assert acc["type"].tolist() == ["cash", "cash"]
    assert acc["unsecured_amount"].tolist() == [0, 0] and acc["omnibus_deficit"].tolist() == [0, 0]
    assert acc["related_party"].tolist() == ["none", "none"] and acc["e5_exception"].tolist() == ["none", "none"]
    assert acc["noncustomer_ownership_pct"].tolist() == [0, 0]
    assert acc["doubtful"].tolist() == [False, False] and acc["cross_margin"].tolist() == [False, False]
    assert b.table("cca_deposits")["owner_account_id"].tolist() == ["A2"]  # owner_account_id = account_id
    p = b.params
    assert p.prepared_on == p.as_of  # prepared_on = as_of
    assert (p.frequency, p.net_capital_method, p.pending_cure_policy) == ("weekly", "alternative", "exclude")
    assert p.tentative_net_capital is None and p.average_total_credits is None
    assert not (p.cross_margin_dual_registrant or p.cross_margin_joint_member or p.cross_margin_conditions_met)


def test_optional_tables_may_be_left_out(tmp_path):
    b = book(tmp_path / "b", accounts=[A1])
    for t in TABLES:
        if t.kind == "rows":
            frame = b.table(t.name)
            assert set(t.column_names) <= set(frame.columns)
    assert len(b.table("items")) == 0 and len(b.table("cca_deposits")) == 0


def test_extra_columns_kept(tmp_path):
    b = book(tmp_path / "b", accounts=[{**A1, "branch": "NYC-04", "Rep Code": "  R7 "}])
    acc = b.table("accounts")
    assert acc["branch"].tolist() == ["NYC-04"] and acc["Rep Code"].tolist() == ["  R7 "]  # untouched
    assert acc["_row"].tolist() == [2] and acc["_src"].iloc[0].endswith("accounts.csv | accounts")


# --------------------------------------------------------------------------- missing tables and columns


def test_missing_required_table(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").unlink()
    err = problems_of(folder)
    p = only(err, sheet="accounts")
    assert p.file == str(folder) and "no 'accounts'" in p.message


def test_missing_parameters_table(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "parameters.csv").unlink()
    p = only(problems_of(folder), sheet="parameters")
    assert "no 'parameters'" in p.message


def test_missing_parameters_columns(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "parameters.csv").write_text("name,val\nfirm_name,X\n")
    p = only(problems_of(folder), column="value")
    assert p.sheet == "parameters" and "name" in p.message and "value" in p.message


def _required_columns():
    for t in TABLES:
        if t.kind == "rows":
            for c in t.columns:
                if c.required:
                    yield t.name, c.name


@pytest.mark.parametrize("table,column", list(_required_columns()))
def test_missing_required_column(tmp_path, table, column):
    # A valid row for the table, then the column removed from the file entirely.
    rows = {t: [dict(r) for r in FULL[t]][:1] for t in FULL}
    for r in rows[table]:
        r.pop(column, None)
    if table == "holidays":
        rows[table] = [{"name": "x"}]
    err = problems_of(write_book(tmp_path / "book", None, state_required=False, **rows))
    p = only(err, column=column, sheet=table)
    assert p.row is None and p.file.endswith(f"{table}.csv")
    assert f"required column '{column}' is missing" in p.message


def test_required_cell_blank(tmp_path):
    err = bad_book(tmp_path, accounts=[A1, {"account_id": "A2", "book": "customer", "balance": "  "}])
    p = only(err, column="balance")
    assert p.row == 3 and p.value.strip() == "" and "required" in p.expected


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize("value,why", [
    ("1.234", "more than 2 decimal places"),
    ("12.345", "more than 2 decimal places"),
    ("abc", "not a number"),
    ("1,23,4.00", ""),
    ("$", ""),
    ("NaN", "not a number"),
    ("inf", "not a number"),
])
def test_bad_money(tmp_path, value, why):
    err = bad_book(tmp_path, accounts=[A1, {"account_id": "A2", "book": "customer", "balance": value}])
    p = only(err, column="balance")
    assert (p.file.endswith("accounts.csv"), p.sheet, p.row, p.value) == (True, "accounts", 3, value)
    assert "2 decimals" in p.expected and why in p.message


@pytest.mark.parametrize("text,cents", [
    ("1234.5", 123450), ("1,234.50", 123450), ("$1,234.50", 123450), ("(1,234.50)", -123450),
    ("  -$1,234.50 ", -123450), ("1.000", 100), ("-0", 0), ("1000000000000000", 100000000000000000),
])
def test_money_text_forms(tmp_path, text, cents):
    b = book(tmp_path / "b", accounts=[{"account_id": "A1", "book": "customer", "balance": text}])
    assert b.table("accounts")["balance"].tolist() == [cents]


@pytest.mark.parametrize("value", ["2026-13-01", "20/11/2026", "next friday", "45000"])
def test_bad_date(tmp_path, value):
    err = bad_book(tmp_path, accounts=[A1], holidays=[{"date": value, "name": "x"}])
    p = only(err, column="date")
    assert (p.sheet, p.row, p.value) == ("holidays", 2, value) and "date" in p.expected


def test_datetime_with_time_is_an_error(tmp_path):
    err = bad_book(tmp_path, accounts=[A1], holidays=[{"date": "2026-12-24 10:30", "name": "x"},
                                                      {"date": "2026-12-31T00:00:00", "name": "midnight text"}])
    # ISO text is YYYY-MM-DD only, midnight included (issue 10; tests/test_dates_bounds.py)
    assert {(p.row, p.column) for p in err.problems} == {(2, "date"), (3, "date")}
    assert all("time" in p.message and "YYYY-MM-DD" in p.expected for p in err.problems)


@pytest.mark.parametrize("value", ["maybe", "2", "TRUEISH", "si"])
def test_bad_bool(tmp_path, value):
    err = bad_book(tmp_path, accounts=[{**A1, "doubtful": value}])
    p = only(err, column="doubtful")
    assert (p.row, p.value) == (2, value) and "TRUE or FALSE" in p.expected


def test_bool_words(tmp_path):
    # every word BOOK_FORMAT.md lists, t/f (a database export's) included
    words = ["true", "FALSE", "Yes", "no", "y", "N", "1", "0", "", "t", "F"]
    b = book(tmp_path / "b", accounts=[{"account_id": f"A{i}", "book": "customer", "balance": "1", "doubtful": w}
                                       for i, w in enumerate(words)])
    assert b.table("accounts")["doubtful"].tolist() == [True, False, True, False, True, False, True, False, False,
                                                        True, False]


# --------------------------------------------------------------------------- enumerations and ranges


def _enum_columns():
    for t in TABLES:
        if t.kind == "rows":
            for c in t.columns:
                if c.type == "enum":
                    yield t.name, c.name


@pytest.mark.parametrize("table,column", list(_enum_columns()))
def test_enumerations(tmp_path, table, column):
    rows = {t: [dict(r) for r in FULL[t]] for t in FULL}
    rows[table][0][column] = "bogus"
    p = only(bad_book(tmp_path, **rows), column=column)
    assert (p.sheet, p.row, p.value) == (table, 2, "bogus")
    assert p.expected == "one of " + ", ".join(TABLES_BY_NAME[table].column(column).choices)


def test_enumeration_case_insensitive(tmp_path):
    # reading: enum_case
    b = book(tmp_path / "b", accounts=[{"account_id": "A1", "book": " Customer ", "type": "MARGIN", "balance": "1"}])
    assert b.table("accounts")[["book", "type"]].values.tolist() == [["customer", "margin"]]


@pytest.mark.parametrize("value", ["100.5", "-1", "1000"])
def test_pct_out_of_range(tmp_path, value):
    p = only(bad_book(tmp_path, accounts=[{**A1, "noncustomer_ownership_pct": value}]),
             column="noncustomer_ownership_pct")
    assert p.value == value and "0 to 100" in p.expected


def test_pct_bounds_accepted(tmp_path):
    b = book(tmp_path / "b", accounts=[{"account_id": f"A{i}", "book": "customer", "balance": "1",
                                        "noncustomer_ownership_pct": v} for i, v in enumerate(["0", "100", "4.99", "50%"])])
    assert b.table("accounts")["noncustomer_ownership_pct"].tolist() == [0, 1_000_000, 49_900, 500_000]


def _nonneg_money_columns():
    for t in TABLES:
        if t.kind == "rows":
            for c in t.columns:
                if c.type == "money" and c.nonneg:
                    yield t.name, c.name


@pytest.mark.parametrize("table,column", list(_nonneg_money_columns()))
def test_negative_money_where_nonnegative(tmp_path, table, column):
    rows = {t: [dict(r) for r in FULL[t]] for t in FULL}
    rows[table][0][column] = "(5.00)"
    p = only(bad_book(tmp_path, **rows), column=column)
    assert (p.sheet, p.row, p.value) == (table, 2, "(5.00)") and "zero or more" in p.expected


def test_negative_money_allowed_where_signed(tmp_path):
    b = book(tmp_path / "b", accounts=[A1], items=[{"item_id": "X", "book": "customer", "kind": "bank_loan",
                                                    "amount": "-5"}])
    assert b.table("items")["amount"].tolist() == [-500]


# --------------------------------------------------------------------------- keys and references


@pytest.mark.parametrize("table,key_column,row", [
    ("items", "item_id", {"item_id": "I1", "book": "customer", "kind": "bank_loan", "amount": "1"}),
    ("cca", "cca_id", {"cca_id": "FICC", "name": "again"}),
    ("cca_deposits", "deposit_id", {"deposit_id": "D1", "cca_id": "FICC", "account_id": "C1", "asset": "cash",
                                    "owner": "customer", "value": "1"}),
    ("reserve_bank_accounts", "account_id", {"account_id": "R1", "book": "pab", "bank_id": "B", "bank_name": "B",
                                             "bank_equity_capital": "1"}),
])
def test_unique_keys(tmp_path, table, key_column, row):
    rows = {t: [dict(r) for r in FULL[t]] for t in FULL}
    rows[table].append(row)
    p = only(bad_book(tmp_path, **rows), column=key_column, sheet=table)
    assert p.row == len(rows[table]) + 1 and "duplicate" in p.message and "unique" in p.expected


def test_accounts_key_is_account_and_type(tmp_path):
    same_id_other_type = {"account_id": "A1", "book": "customer", "type": "margin", "balance": "-1"}
    b = book(tmp_path / "ok", accounts=[A1, same_id_other_type])
    assert len(b.table("accounts")) == 2
    err = bad_book(tmp_path, accounts=[A1, same_id_other_type, {**A1, "balance": "5"}])
    p = only(err, column="account_id")
    assert p.row == 4 and p.value == "A1" and "account_id + type" in p.expected


def test_one_account_in_two_books_is_refused(tmp_path):
    """An account is in one computation (Rule 15c3-3(a)(1), (a)(16)). Hostile walk-through: the
    key is account_id + type, so C-1001 as a customer's cash account and again as a PAB margin
    account with a 1,000,000 debit was accepted, and that debit took the PAB required deposit
    435,000 -> 0 with no finding. Every row of the id is named, with both books."""
    pab_margin = {"account_id": "A1", "book": "pab", "type": "margin", "balance": "-1000000"}
    other = {"account_id": "A2", "book": "customer", "balance": "5"}
    err = bad_book(tmp_path, accounts=[A1, other, pab_margin])
    found = sorted((p.row, p.value) for p in err.problems if p.column == "book")
    assert found == [(2, "customer"), (4, "pab")]
    assert all("account A1 is in the customer and pab books" in p.message for p in err.problems if p.column == "book")
    # one book, two types: still two rows of one customer account (the key allows it)
    assert len(book(tmp_path / "ok", accounts=[A1, {**pab_margin, "book": "customer"}]).table("accounts")) == 2
    # noncustomer too: an account is outside both computations or in one, not both
    err = bad_book(tmp_path / "nc", accounts=[A1, {**pab_margin, "book": "noncustomer"}])
    assert len([p for p in err.problems if p.column == "book"]) == 2


def test_duplicate_cca_requirement(tmp_path):
    req = {"cca_id": "FICC", "account_id": "C1", "position_type": "ust_repo", "requirement": "900"}
    rows = {t: [dict(r) for r in FULL[t]] for t in FULL}
    rows["cca_requirements"].append(dict(req))
    p = only(bad_book(tmp_path, **rows), sheet="cca_requirements")
    assert p.row == 4 and "twice" in p.message


@pytest.mark.parametrize("table,column,value", [
    ("collateral", "account_id", "NOPE"),
    ("cca_deposits", "account_id", "NOPE"),
    ("cca_deposits", "owner_account_id", "NOPE"),
    ("cca_deposits", "cca_id", "OCC"),
    ("cca_requirements", "cca_id", "OCC"),
    ("cca_requirements", "account_id", "NOPE"),
])
def test_references(tmp_path, table, column, value):
    rows = {t: [dict(r) for r in FULL[t]] for t in FULL}
    rows[table][0][column] = value
    p = only(bad_book(tmp_path, **rows), sheet=table, column=column)
    assert (p.row, p.value) == (2, value)
    assert ("cca_id of the cca table" if column == "cca_id" else "account_id of the accounts table") in p.expected


def test_collateral_must_name_a_margin_account(tmp_path):
    err = bad_book(tmp_path, accounts=[A1, M1], collateral=[{"account_id": "A1", "security_id": "S", "market_value": "1"},
                                                            {"account_id": "M1", "security_id": "S", "market_value": "1"}])
    p = only(err, sheet="collateral")
    assert (p.row, p.column, p.value) == (2, "account_id", "A1") and "margin" in p.expected


# --------------------------------------------------------------------------- kinds


@pytest.mark.parametrize("kind", [k for k, books in ITEM_KINDS.items() if len(books) == 1])
def test_kind_invalid_for_the_rows_book(tmp_path, kind):
    wrong = "pab" if ITEM_KINDS[kind] == ("customer",) else "customer"
    err = bad_book(tmp_path, accounts=[A1], items=[{"item_id": "X", "book": wrong, "kind": kind, "amount": "1",
                                                    "description": "d"}])
    p = only(err, column="kind")
    assert (p.sheet, p.row, p.value) == ("items", 2, kind) and "book" in p.expected


def test_every_kind_loads_in_its_books(tmp_path):
    rows = []
    for kind, books in ITEM_KINDS.items():
        for bk in books:
            rows.append({"item_id": f"{kind}-{bk}", "book": bk, "kind": kind, "amount": "10", "market_value": "10",
                         "open_date": "2026-11-19", "margin_requirement": "10", "collateral_form": "cash",
                         "description": "d", "security_type": "municipal" if kind == "new_issue_not_received" else ""})
    b = book(tmp_path / "b", accounts=[A1], items=rows)
    assert set(b.table("items")["kind"]) == set(ITEM_KINDS)


@pytest.mark.parametrize("kind,column", [
    ("other_credit", "description"), ("other_debit", "description"),
    ("fail_to_deliver", "open_date"), ("transfer_unconfirmed", "open_date"),
    ("securities_loaned", "market_value"), ("stock_dividend_receivable", "market_value"),
    ("letter_of_credit", "margin_requirement"), ("occ_margin", "margin_requirement"),
    ("futures_margin", "collateral_form"),
])
def test_columns_a_kind_needs(tmp_path, kind, column):
    row = {"item_id": "X", "book": "customer", "kind": kind, "amount": "10", "market_value": "10",
           "open_date": "2026-11-19", "margin_requirement": "10", "collateral_form": "cash", "description": "d"}
    row[column] = ""
    p = only(bad_book(tmp_path, accounts=[A1], items=[row]), column=column)
    assert (p.sheet, p.row) == ("items", 2)


def test_item_dated_after_as_of(tmp_path):
    row = {"item_id": "X", "book": "customer", "kind": "fail_to_deliver", "amount": "1", "open_date": "2026-11-21"}
    p = only(bad_book(tmp_path, accounts=[A1], items=[row]), column="open_date")
    assert "2026-11-20" in p.expected


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize("name", ["firm_name", "as_of"])
def test_required_parameter_missing(tmp_path, name):
    p = only(bad_book(tmp_path, {name: None}, accounts=[A1]), sheet="parameters")
    assert f"'{name}' is required" in p.message and p.file.endswith("parameters.csv")


def test_required_parameter_blank(tmp_path):
    p = only(bad_book(tmp_path, {"firm_name": "  "}, accounts=[A1]), sheet="parameters")
    assert (p.row, p.column) == (2, "value") and "'firm_name' is required" in p.message


def test_unknown_and_duplicate_parameter(tmp_path):
    folder = write_book(tmp_path / "b", {"frequncy": "daily"}, accounts=[A1])
    with open(folder / "parameters.csv", "a", newline="") as f:
        csv.writer(f).writerow(["firm_name", "Again LLC"])
    err = problems_of(folder)
    assert len(err.problems) == 2
    unknown = only(err, value="frequncy")
    assert (unknown.row, unknown.column) == (5, "name") and "frequency" in unknown.expected
    twice = only(err, value="firm_name")
    assert twice.row == 6 and "twice" in twice.message


@pytest.mark.parametrize("name,value", [
    ("as_of", "2026-02-30"), ("frequency", "hourly"), ("net_capital_method", "aggregate"),
    ("tentative_net_capital", "40m"), ("average_total_credits", "-1"), ("cross_margin_joint_member", "perhaps"),
    ("prepared_on", "2026-11-20 09:00"),
])
def test_bad_parameter_value(tmp_path, name, value):
    err = bad_book(tmp_path, {name: value}, accounts=[A1])
    p = only(err, sheet="parameters")  # one problem: a bad value is not also "missing"
    assert (p.column, p.value) == ("value", value)


def test_tentative_net_capital_required_with_margin_debits(tmp_path):
    p = only(bad_book(tmp_path, {"tentative_net_capital": None}, accounts=[A1, M1]), sheet="parameters")
    assert "tentative_net_capital" in p.message and "E(5)" in p.message
    # Not needed without a margin debit, nor for a non-customer's margin debit.
    book(tmp_path / "ok1", {"tentative_net_capital": None}, accounts=[A1, {**M1, "balance": "5"}])
    book(tmp_path / "ok2", {"tentative_net_capital": None}, accounts=[A1, {**M1, "book": "noncustomer"}])


def test_monthly_with_alternative_refused(tmp_path):
    p = only(bad_book(tmp_path, {"frequency": "monthly"}, accounts=[A1]), sheet="parameters")
    assert "monthly" in p.message and "alternative" in p.message
    b = book(tmp_path / "ok", {"frequency": "monthly", "net_capital_method": "basic"}, accounts=[A1])
    assert b.params.frequency == "monthly"


def test_prepared_on_before_as_of(tmp_path):
    p = only(bad_book(tmp_path, {"prepared_on": "2026-11-19"}, accounts=[A1]), sheet="parameters")
    assert "prepared_on" in p.message


# --------------------------------------------------------------------------- where problems point


def test_all_problems_reported_at_once(tmp_path):
    err = bad_book(
        tmp_path, {"frequency": "sometimes"},
        accounts=[A1, {"account_id": "A2", "book": "client", "balance": "1.001"}],
        collateral=[{"account_id": "ZZ", "security_id": "S", "market_value": "1"}],
        items=[{"item_id": "I", "book": "customer", "kind": "pab_note8_sweep", "amount": "x"}],
        holidays=[{"date": "tomorrow"}],
    )
    where = {(p.sheet, p.row, p.column) for p in err.problems}
    assert where == {("parameters", 5, "value"), ("accounts", 3, "book"), ("accounts", 3, "balance"),
                     ("collateral", 2, "account_id"), ("items", 2, "kind"), ("items", 2, "amount"),
                     ("holidays", 2, "date")}
    assert err.total == 7


def test_problem_list_is_capped_but_counted(tmp_path):
    rows = [{"account_id": f"A{i}", "book": "customer", "balance": "bad"} for i in range(MAX_PROBLEMS + 50)]
    err = bad_book(tmp_path, accounts=rows)
    assert err.total == MAX_PROBLEMS + 50 and len(err.problems) == MAX_PROBLEMS


def test_problem_text_names_everything(tmp_path):
    err = bad_book(tmp_path, accounts=[A1, {"account_id": "A2", "book": "customer", "balance": "12.345"}])
    text = str(err.problems[0])
    for part in ("accounts.csv", "accounts", "row 3", "column balance", "'12.345'", "2 decimals"):
        assert part in text
    d = err.problems[0].as_dict()
    assert d["row"] == 3 and d["column"] == "balance" and d["value"] == "12.345"


def test_csv_line_numbers_count_blank_lines(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").write_text("account_id,book,balance,type\nA1,customer,1,cash\n\n,,,\nA2,customer,oops,cash\n")
    p = only(problems_of(folder), column="balance")
    assert (p.row, p.value) == (5, "oops")
    (folder / "accounts.csv").write_text("account_id,book,balance,type\nA1,customer,1,cash\n\n,,,\nA2,customer,2,cash\n")
    b = load_book(folder)
    assert b.table("accounts")["_row"].tolist() == [2, 5]  # blank lines ignored, numbering kept


def test_xlsx_rows_with_blank_rows_and_header_on_row_3(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS,
        "accounts": [[], [], ["account_id", "book", "balance"],  # header on Excel row 3
                     ["A1", "customer", 100],  # row 4
                     [],  # row 5: blank, ignored
                     ["A2", "customer", "1.005"],  # row 6: bad
                     [None, None, None],  # row 7
                     ["A3", "pab", "oops"]],  # row 8: bad
    })
    err = problems_of(path)
    assert [(p.file, p.sheet, p.row, p.column, p.value) for p in err.problems] == [
        (str(path), "accounts", 6, "balance", "1.005"), (str(path), "accounts", 8, "balance", "oops")]


def test_xlsx_good_rows_keep_excel_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS,
        "accounts": [[], [], ["account_id", "book", "balance"], ["A1", "customer", 100], [], ["A2", "customer", 5]],
        "Notes": [["anything at all"]],  # a sheet that is not a table is ignored
    })
    acc = load_book(path).table("accounts")
    assert acc["_row"].tolist() == [4, 6] and acc["balance"].tolist() == [10000, 500]
    assert acc["_src"].astype(str).tolist() == [f"{path} | accounts"] * 2


def test_xlsx_bad_cells_name_sheet_row_column_value(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS,
        "accounts": [["account_id", "book", "balance", "doubtful"],
                     ["A1", "customer", 1.5, True],
                     ["A2", "customer", 12.345, "sometimes"]],
        "items": [["item_id", "book", "kind", "amount", "open_date"],
                  ["F1", "customer", "fail_to_deliver", 5, dt.datetime(2026, 11, 2, 9, 30)],
                  ["F2", "customer", "fail_to_deliver", 5, "2026-11-31"]],
    })
    err = problems_of(path)
    got = {(p.sheet, p.row, p.column, p.value) for p in err.problems}
    assert got == {("accounts", 3, "balance", "12.345"), ("accounts", 3, "doubtful", "sometimes"),
                   ("items", 2, "open_date", "2026-11-02 09:30:00"), ("items", 3, "open_date", "2026-11-31")}


def test_formula_without_saved_value_names_the_cell(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS,
        "accounts": [["account_id", "book", "balance", "unsecured_amount"],
                     ["A1", "customer", "=100+20", None],  # required cell: formula, never computed
                     ["A2", "customer", -50, "=10/2"]],  # defaulted cell: must not silently become 0
    })
    err = problems_of(path)
    assert err.total == 2  # and not also "blank, required"
    p1 = only(err, row=2)
    assert (p1.sheet, p1.column, p1.value) == ("accounts", "balance", "=100+20")
    assert "C2" in p1.message and "formula with no saved value" in p1.message
    p2 = only(err, row=3)
    assert p2.column == "unsecured_amount" and "D3" in p2.message


def test_formula_in_parameters_without_saved_value(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": [["name", "value"], ["firm_name", "X"], ["as_of", "=TODAY()"]],
        "accounts": [["account_id", "book", "balance"], ["A1", "customer", 1]],
    })
    err = problems_of(path)
    p = only(err, sheet="parameters")
    assert (p.row, p.column, p.value) == (3, "value", "=TODAY()") and "B3" in p.message


def _xlsxwriter_book(path, write_accounts):
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("parameters")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, (k, v) in enumerate([("name", "value"), ("firm_name", "X LLC")]):
        ws.write_row(r, 0, [k, v])
    ws.write(2, 0, "as_of")
    ws.write_datetime(2, 1, dt.datetime(2026, 11, 20), date_fmt)
    ws = wb.add_worksheet("accounts")
    write_accounts(ws)
    # accounts.type is required (issue 10): a `type` of `cash` right of the test's own cells
    last = ws.dim_colmax + 1
    ws.write(0, last, "type")
    for r in range(1, ws.dim_rowmax + 1):
        ws.write(r, last, "cash")
    wb.close()
    return path


def test_excel_error_cell_is_an_error(tmp_path):
    def accounts(ws):
        ws.write_row(0, 0, ["account_id", "book", "balance"])
        ws.write_row(1, 0, ["A1", "customer"])
        ws.write_formula(1, 2, "=1/0", None, "#DIV/0!")
        ws.write_row(2, 0, ["A2", "customer"])
        ws.write_formula(2, 2, "=0.1+0.2", None, 0.30000000000000004)  # a saved value: read

    err = problems_of(_xlsxwriter_book(tmp_path / "e.xlsx", accounts))
    p = only(err)
    assert (p.sheet, p.row, p.column, p.value) == ("accounts", 2, "balance", "#DIV/0!") and "C2" in p.message


def test_formula_with_saved_value_is_read(tmp_path):
    def accounts(ws):
        ws.write_row(0, 0, ["account_id", "book", "balance"])
        ws.write_row(1, 0, ["A1", "customer"])
        ws.write_formula(1, 2, "=0.1+0.2", None, 0.30000000000000004)  # binary noise: 0.30
        ws.write_row(2, 0, ["A2", "customer", 9e14])  # (the column's total within the bound $10^15, issue 10)
        ws.write_row(3, 0, ["A3", "customer", -0.0])
        ws.write_row(4, 0, ["A4", "customer", 1234567890123.45])

    b = load_book(_xlsxwriter_book(tmp_path / "f.xlsx", accounts))
    assert b.table("accounts")["balance"].tolist() == [30, 90_000_000_000_000_000, 0, 123456789012345]


def test_xlsx_mixed_number_and_text_money_read_exactly(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS,
        "accounts": [["account_id", "book", "balance", "cross_margin", "note"],
                     ["A1", "customer", 1234.5, True, "x"],
                     ["A2", "customer", "$1,250.00", "no", 7],
                     ["A3", "customer", "(2,000.10)", None, None],
                     [12345, "customer", 0.07, False, None],
                     ["A5", "customer", 2.675 * 0 + 19.99, "yes", None]],
    })
    acc = load_book(path).table("accounts")
    assert acc["balance"].tolist() == [123450, 125000, -200010, 7, 1999]
    assert acc["account_id"].tolist() == ["A1", "A2", "A3", "12345", "A5"]  # a numeric id reads as text
    assert acc["cross_margin"].tolist() == [True, False, False, False, True]


def test_xlsx_real_fraction_of_a_cent_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS,
        "accounts": [["account_id", "book", "balance"], ["A1", "customer", 2.675], ["A2", "customer", 0.1 + 0.2]],
    })
    p = only(problems_of(path))
    assert (p.row, p.column, p.value) == (2, "balance", "2.675")


def test_xlsx_missing_sheet_and_column(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {"parameters": PARAMS_ROWS,
                                            "collateral": [["account_id", "market_value"], ["A", 1]]})
    err = problems_of(path)
    assert only(err, sheet="accounts").file == str(path)
    p = only(err, sheet="collateral", column="security_id")
    assert p.row is None and "missing" in p.message


def test_xlsx_date_cells_and_iso_text(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS,
        "accounts": [["account_id", "book", "balance"], ["A1", "customer", 1]],
        "holidays": [["date", "name"], [dt.date(2026, 12, 24), "cell"], ["2026-12-31", "text"],
                     [dt.datetime(2027, 1, 4), "midnight datetime"]],
    })
    assert load_book(path).table("holidays")["date"].tolist() == [
        pd.Timestamp("2026-12-24"), pd.Timestamp("2026-12-31"), pd.Timestamp("2027-01-04")]


def test_not_a_book(tmp_path):
    p = only(problems_of(tmp_path / "nothing.xlsx"))
    assert "not found" in p.message
    (tmp_path / "book.txt").write_text("hello")
    assert "xlsx" in only(problems_of(tmp_path / "book.txt")).message
    (tmp_path / "broken.xlsx").write_text("not a zip")
    assert "cannot open" in only(problems_of(tmp_path / "broken.xlsx")).message


# --------------------------------------------------------------------------- the three forms give the same tables


def _typed(b) -> dict[str, pd.DataFrame]:
    out = {}
    for name, frame in b.tables.items():
        out[name] = frame.drop(columns=["_src", "_row"]).reset_index(drop=True)
    return out


def _same_tables(a, b):
    assert a.params == b.params
    ta, tb = _typed(a), _typed(b)
    assert ta.keys() == tb.keys()
    for name in ta:
        x, y = ta[name], tb[name]
        assert list(x.columns) == list(y.columns), name
        assert len(x) == len(y), name
        for c in x.columns:
            xs = [None if pd.isna(v) else v for v in x[c].tolist()]
            ys = [None if pd.isna(v) else v for v in y[c].tolist()]
            assert xs == ys, (name, c)
            if len(x):
                assert x[c].dtype == y[c].dtype or {x[c].dtype.kind, y[c].dtype.kind} <= {"O", "U", "T"}, (name, c)


TYPED_ROWS = dict(  # one source of truth, written in each form with native cell types where the form has them
    accounts=[("C1", "P1", "customer", "cash", 1234.5, None, False, "none", None),
              ("C2", None, "customer", "margin", -2000.0, 12.5, True, "principal", 20.0),
              ("O1", None, "pab", "omnibus", -300.0, None, False, "none", None)],
    collateral=[("C2", "912828ZT0", 2500.0, True)],
    items=[("I1", "customer", "fail_to_receive", 10.0, 12.0, dt.date(2026, 10, 1)),
           ("I2", "customer", "bank_loan", 99.99, None, None)],
    holidays=[(dt.date(2026, 12, 24), "Christmas Eve")],
)
TYPED_COLUMNS = dict(
    accounts=["account_id", "customer_id", "book", "type", "balance", "unsecured_amount", "doubtful",
              "related_party", "noncustomer_ownership_pct"],
    collateral=["account_id", "security_id", "market_value", "exempted"],
    items=["item_id", "book", "kind", "amount", "market_value", "open_date"],
    holidays=["date", "name"],
)
PARAMS = [("firm_name", "Example Securities LLC"), ("as_of", dt.date(2026, 11, 20)),
          ("tentative_net_capital", 100_000_000)]


def _write_xlsx_form(path):
    sheets = {"parameters": [["name", "value"]] + [list(p) for p in PARAMS]}
    for t, rows in TYPED_ROWS.items():
        sheets[t] = [TYPED_COLUMNS[t]] + [list(r) for r in rows]
    return write_xlsx(path, sheets)


def _cell_text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _write_csv_form(folder):
    folder.mkdir()
    with open(folder / "parameters.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "value"])
        for k, v in PARAMS:
            w.writerow([k, _cell_text(v)])
    for t, rows in TYPED_ROWS.items():
        with open(folder / f"{t}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(TYPED_COLUMNS[t])
            for r in rows:
                w.writerow([_cell_text(v) for v in r])
    return folder


def _write_parquet_form(folder):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir()
    pq.write_table(pa.table({"name": [k for k, _ in PARAMS], "value": [_cell_text(v) for _, v in PARAMS]}),
                   folder / "parameters.parquet")
    for t, rows in TYPED_ROWS.items():
        cols = list(zip(*rows, strict=True))
        arrays = {}
        for name, values in zip(TYPED_COLUMNS[t], cols, strict=True):
            arrays[name] = pa.array(list(values))  # native: string, float64, bool, date32
        pq.write_table(pa.table(arrays), folder / f"{t}.parquet")
    return folder


def test_csv_parquet_and_xlsx_give_the_same_tables(tmp_path):
    from_xlsx = load_book(_write_xlsx_form(tmp_path / "b.xlsx"))
    from_csv = load_book(_write_csv_form(tmp_path / "csv"))
    from_parquet = load_book(_write_parquet_form(tmp_path / "parquet"))
    _same_tables(from_xlsx, from_csv)
    _same_tables(from_xlsx, from_parquet)
    acc = from_parquet.table("accounts")
    assert acc["balance"].tolist() == [123450, -200000, -30000]
    assert acc["noncustomer_ownership_pct"].tolist() == [0, 200_000, 0]
    assert from_parquet.table("items")["open_date"].iloc[0] == pd.Timestamp("2026-10-01")


def test_mixed_csv_and_parquet_folder(tmp_path):
    folder = _write_csv_form(tmp_path / "mixed")
    (folder / "accounts.csv").unlink()
    parquet = _write_parquet_form(tmp_path / "pq")
    (parquet / "accounts.parquet").rename(folder / "accounts.parquet")
    _same_tables(load_book(folder), load_book(_write_csv_form(tmp_path / "csv")))


def test_parquet_problem_rows_count_from_1(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").unlink()
    pq.write_table(pa.table({"account_id": ["A1", "A2"], "book": ["customer", "customer"], "type": ["cash", "cash"],
                             "balance": pa.array([1.5, 1.255])}), folder / "accounts.parquet")
    p = only(problems_of(folder))
    assert (p.file, p.sheet, p.row, p.column) == (str(folder / "accounts.parquet"), "accounts", 2, "balance")


def test_parquet_nan_is_refused_not_read_as_blank(tmp_path):
    """A NaN in a float Parquet column is no value and no blank: read as blank it took the
    column's default (hostile walk-through: items.collateral_value NaN -> = amount, Item 3
    -50,000). A null in the same column is a blank and takes the default; a NaN in a required
    column is reported once (as NaN, not also as "required"), a NaN in a pct column too, and a
    row whose only values are NaN is not dropped as a blank row."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").unlink()
    nan = float("nan")
    pq.write_table(pa.table({
        "account_id": ["A1", "A2", "A3", None],
        "book": ["customer"] * 3 + [None], "type": ["cash"] * 3 + [None],
        "balance": pa.array([1.0, nan, None, nan]),
        "noncustomer_ownership_pct": pa.array([nan, None, 5.0, None]),
    }), folder / "accounts.parquet")
    err = problems_of(folder)
    nan_rows = sorted((p.row, p.column) for p in err.problems if p.value == "NaN")
    assert nan_rows == [(1, "noncustomer_ownership_pct"), (2, "balance"), (4, "balance")]
    assert all("NaN (not a number)" in p.message for p in err.problems if p.value == "NaN")
    # A3's null balance is a blank in a required column (reported as such); A2's NaN is not
    assert [(p.row, p.column) for p in err.problems if "required" in p.expected and p.column == "balance"] == [(3, "balance")]
    # the all-NaN row 4 is kept (not a blank row): its blank ids are reported too
    assert any(p.row == 4 and p.column == "account_id" for p in err.problems)


def test_parquet_null_float_is_a_blank(tmp_path):
    """The other side of the rule above: a null in a float column is a blank (the default)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").unlink()
    pq.write_table(pa.table({"account_id": ["A1"], "book": ["customer"], "type": ["cash"],
                             "balance": pa.array([1.0]), "noncustomer_ownership_pct": pa.array([None], pa.float64())}),
                   folder / "accounts.parquet")
    acc = load_book(folder).table("accounts")
    assert acc["noncustomer_ownership_pct"].tolist() == [0]


def test_table_split_over_several_files(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1, M1])
    (folder / "accounts.part2.csv").write_text("account_id,book,balance,type\nA9,pab,7,cash\nA10,customer,bad,cash\n")
    err = problems_of(folder)
    p = only(err)
    assert (p.file, p.row) == (str(folder / "accounts.part2.csv"), 3)
    (folder / "accounts.part2.csv").write_text("account_id,book,balance,type\nA9,pab,7,cash\n")
    acc = load_book(folder).table("accounts")
    assert sorted(acc["account_id"]) == ["A1", "A9", "M1"]
    assert len(acc["_src"].cat.categories) == 2


def test_files_of_one_table_give_the_same_columns(tmp_path):
    """Hostile walk-through: accounts.part2 without `doubtful` (it held a doubtful debit of
    48,750) let its rows take the default, false, and the debit count in Item 10; the report's
    default record called it "blank". A schema column one file of a table has and another lacks
    is refused in the file lacking it; an extra column outside the format may differ."""
    doubtful = {**M1, "doubtful": "TRUE"}
    folder = write_book(tmp_path / "b", accounts=[A1, doubtful])
    (folder / "accounts.part2.csv").write_text("account_id,book,balance,type,note\nA9,customer,-48750,margin,x\n")
    p = only(problems_of(folder), column="doubtful")
    assert (p.file, p.row) == (str(folder / "accounts.part2.csv"), None)
    assert str(folder / "accounts.csv") in p.message and "same columns" in p.message
    # with the column (blank where not known): loaded; the extra `note` column may differ
    (folder / "accounts.part2.csv").write_text("account_id,book,balance,type,doubtful,note\nA9,customer,-48750,margin,,x\n")
    assert sorted(load_book(folder).table("accounts")["account_id"]) == ["A1", "A9", "M1"]
    # a file of the table with its header alone (no rows) states nothing and is not compared
    (folder / "accounts.part2.csv").write_text("account_id,book,balance,type,doubtful,note\n")
    assert len(load_book(folder).table("accounts")) == 2
    # a required column missing from one file: reported once, as required (not twice)
    (folder / "accounts.part2.csv").write_text("account_id,book,type,doubtful\nA9,customer,margin,\n")
    assert [(p.column, "required" in p.message) for p in problems_of(folder).problems] == [("balance", True)]


def test_table_in_a_sub_folder(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").unlink()
    sub = folder / "accounts"
    sub.mkdir()
    (sub / "2026-11-a.csv").write_text("account_id,book,balance,type\nA1,customer,1,cash\n")
    (sub / "2026-11-b.csv").write_text("account_id,book,balance,type\nA2,customer,2,cash\nA1,customer,3,cash\n")
    err = problems_of(folder)
    p = only(err, column="account_id")  # the key is unique across the files of a table
    assert (p.file, p.row, p.value) == (str(sub / "2026-11-b.csv"), 3, "A1")
    (sub / "2026-11-b.csv").write_text("account_id,book,balance,type\nA2,customer,2,cash\n")
    assert sorted(load_book(folder).table("accounts")["balance"]) == [100, 200]


SPLIT_ROWS = [{"account_id": f"A{i}", "book": "customer", "type": "cash", "balance": f"{i}.25"} for i in range(10)]


def _split_book(folder: Path) -> Path:
    """SPLIT_ROWS over two files: accounts.csv (4 rows) and accounts.rest.csv (6 rows)."""
    folder = write_book(folder, accounts=SPLIT_ROWS[:4])
    with open(folder / "accounts.rest.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["account_id", "book", "type", "balance"])
        w.writeheader()
        w.writerows(SPLIT_ROWS[4:])
    return folder


def test_split_tables_equal_whole(tmp_path):
    whole = book(tmp_path / "whole", accounts=SPLIT_ROWS)
    _same_tables(whole, load_book(_split_book(tmp_path / "split")))


def test_files_and_hashes_recorded(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    b = load_book(folder)
    names = sorted(Path(f.path).name for f in b.files)
    assert names == ["accounts.csv", "parameters.csv"]
    assert all(len(f.sha256) == 64 for f in b.files)



def test_report_inputs_count_each_files_own_rows(tmp_path):
    # accounts split over two files: 4 + 6 rows; each input names its own file's rows, and the
    # parameters file its name/value rows (firm_name, as_of, tentative_net_capital).
    from reserve.formula import compute
    from reserve.report.json_report import build_report

    b = load_book(_split_book(tmp_path / "split"))
    got = {(Path(i["file"]).name, i["table"]): i["rows"] for i in build_report(b, compute(b))["inputs"]}
    assert got == {("accounts.csv", "accounts"): 4, ("accounts.rest.csv", "accounts"): 6,
                   ("parameters.csv", "parameters"): 3}


def test_a_column_given_twice_is_ambiguous(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").write_text("account_id,book,balance,balance\nA1,customer,1,2\n")
    p = only(problems_of(folder))
    assert (p.sheet, p.column, p.row) == ("accounts", "balance", None) and "twice" in p.message
    path = write_xlsx(tmp_path / "b.xlsx", {"parameters": PARAMS_ROWS,
                                            "accounts": [["account_id", "book", "balance", " balance "],
                                                         ["A1", "customer", 1, 2]]})
    p = only(problems_of(path))
    assert (p.file, p.sheet, p.column) == (str(path), "accounts", "balance") and "twice" in p.message


def test_header_spaces_stripped_and_blank_header_kept_as_extra(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {"parameters": PARAMS_ROWS,
                                            "accounts": [[" account_id ", "book", "balance", None],
                                                         ["A1", "customer", 1, "a note"]]})
    acc = load_book(path).table("accounts")
    assert acc["account_id"].tolist() == ["A1"] and acc["__UNNAMED__3"].tolist() == ["a note"]


def test_formula_whose_saved_result_is_empty_text_is_a_blank_cell(tmp_path):
    # Excel saves =IF(x, "", y) with t="str" and an empty <v></v>: a saved blank, not a
    # formula without a value.
    def accounts(ws):
        ws.write_row(0, 0, ["account_id", "book", "balance", "unsecured_amount"])
        ws.write_row(1, 0, ["A1", "customer", -10])
        ws.write_formula(1, 3, '=IF(C2<0,"",0)', None, "")
        ws.write_row(2, 0, ["A2", "customer"])
        ws.write_formula(2, 2, '=IF(1,"",0)', None, "")

    import zipfile

    written = _xlsxwriter_book(tmp_path / "w.xlsx", accounts)
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(written) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":  # as Excel saves them
                for cell in (b"D2", b"C3"):
                    data = data.replace(b'<c r="' + cell + b'">', b'<c r="' + cell + b'" t="str">')
                assert data.count(b't="str"><f>') == 2
            dst.writestr(info, data)
    p = only(problems_of(path))
    assert (p.row, p.column, p.expected) == (3, "balance", "a value (the column is required)")


def test_every_table_same_from_csv_xlsx_and_parquet_text(tmp_path):
    """FULL (every table, text as typed) written as CSV files, as text cells of a workbook and
    as Parquet string columns loads to the same typed tables."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    params = {"firm_name": "Example Securities LLC", "as_of": "2026-11-20", "tentative_net_capital": "100000000"}
    from_csv = load_book(write_book(tmp_path / "csv", **FULL))

    def columns(rows):
        cols = []
        for r in rows:
            cols += [k for k in r if k not in cols]
        return cols

    sheets = {"parameters": [["name", "value"]] + [[k, v] for k, v in params.items()]}
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    pq.write_table(pa.table({"name": list(params), "value": list(params.values())}), pq_dir / "parameters.parquet")
    for name, rows in FULL.items():
        cols = columns(rows)
        sheets[name] = [cols] + [[r.get(c) for c in cols] for r in rows]
        pq.write_table(pa.table({c: pa.array([r.get(c) for r in rows], pa.string()) for c in cols}),
                       pq_dir / f"{name}.parquet")
    from_xlsx = load_book(write_xlsx(tmp_path / "b.xlsx", sheets))
    from_parquet = load_book(pq_dir)
    _same_tables(from_csv, from_xlsx)
    _same_tables(from_csv, from_parquet)


def test_a_folder_holding_only_a_workbook_says_to_pass_the_workbook(tmp_path):
    from openpyxl import Workbook

    from reserve.book import load_book
    from reserve.errors import BookInvalid

    Workbook().save(tmp_path / "book.xlsx")
    with pytest.raises(BookInvalid) as info:
        load_book(tmp_path)
    assert any("pass the workbook itself" in p.message for p in info.value.problems)


def _header_workbook(path, how):
    """accounts with header ' account_id ', rich-text 'book', 'balance', a blank header cell,
    the number 2026 as a header; the table starts in column B."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": how == "inline"})
    ws = wb.add_worksheet("parameters")
    ws.write_row(0, 0, ["name", "value"])
    ws.write_row(1, 0, ["firm_name", "X LLC"])
    ws.write_row(2, 0, ["as_of", "2026-11-20"])
    ws = wb.add_worksheet("accounts")
    ws.write_string(0, 1, " account_id ")
    if how == "rich":
        bold = wb.add_format({"bold": True})
        ws.write_rich_string(0, 2, bold, "bo", "ok")
    else:
        ws.write_string(0, 2, "book")
    ws.write_string(0, 3, "balance")
    ws.write_number(0, 5, 2026)
    ws.write_string(0, 6, "type")
    ws.write_row(1, 1, ["A1", "customer", 12.5, "note", "x", "cash"])
    ws.write_row(2, 1, ["A2", "pab", -3, None, "y", "cash"])
    wb.close()
    return path


@pytest.mark.parametrize("how", ["shared", "inline", "rich"])
def test_xlsx_header_read_from_the_sheet_xml_in_one_pass(tmp_path, how, monkeypatch):
    import zipfile

    import fastexcel

    from reserve.book import read

    path = _header_workbook(tmp_path / f"{how}.xlsx", how)
    with zipfile.ZipFile(path) as zf:
        first_row, header = read._scan_header(zf, read._sheet_parts(zf)["accounts"])
    assert first_row == 1
    assert header == {"B": " account_id ", "C": "book", "D": "balance", "F": "2026", "G": "type"}
    assert read._names_from_scan(header, "accounts") == ["account_id", "book", "balance", "__UNNAMED__3", "2026",
                                                         "type"]
    calls = []
    real = fastexcel.ExcelReader.load_sheet

    def spy(self, name, *a, **k):
        calls.append((name, k.get("n_rows")))
        return real(self, name, *a, **k)

    monkeypatch.setattr(fastexcel.ExcelReader, "load_sheet", spy)
    acc = load_book(path).table("accounts")
    assert acc["account_id"].tolist() == ["A1", "A2"] and acc["balance"].tolist() == [1250, -300]
    extra = acc["__UNNAMED__3"]
    assert extra.iloc[0] == "note" and pd.isna(extra.iloc[1]) and acc["2026"].tolist() == ["x", "y"]
    assert calls == [("accounts", None)]  # the sheet is parsed once: no separate header read


def test_shared_strings_read_only_as_far_as_needed(tmp_path):
    import zipfile

    from reserve.book import read

    path = tmp_path / "s.xlsx"
    sst = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<si><t>a &amp; b</t></si><si><r><t>ri</t></r><r><t xml:space="preserve">ch </t></r>'
           '<rPh><t>PHONETIC</t></rPh></si><si/><si><t>last</t></si></sst>')
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/sharedStrings.xml", sst)
    with zipfile.ZipFile(path) as zf:
        assert read._shared_strings(zf, 1) == {0: "a & b", 1: "rich "}
        assert read._shared_strings(zf, 9) == {0: "a & b", 1: "rich ", 2: "", 3: "last"}


def test_xlsx_data_wider_than_its_header_falls_back_to_the_reader_header(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", {"parameters": PARAMS_ROWS,
                                            "accounts": [["account_id", "book", "balance", "type"],
                                                         ["A1", "customer", 1, "cash", "no header above me"]]})
    acc = load_book(path).table("accounts")
    assert acc["balance"].tolist() == [100] and acc["__UNNAMED__4"].tolist() == ["no header above me"]


def test_xlsx_damaged_header_cell_is_a_problem_not_a_traceback(tmp_path):
    import zipfile

    good = write_xlsx(tmp_path / "g.xlsx", {"parameters": PARAMS_ROWS,
                                            "accounts": [["account_id", "book", "balance"], ["A1", "customer", 1]]})
    bad = tmp_path / "d.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                # a header cell claiming a shared string whose index is not a number
                old = b'<c r="A1" t="inlineStr"><is><t>account_id</t></is></c>'
                assert old in data
                data = data.replace(old, b'<c r="A1" t="s"><v>x</v></c>')
            dst.writestr(info, data)
    from reserve.book import read

    with zipfile.ZipFile(bad) as zf:
        assert read._scan_header(zf, "xl/worksheets/sheet2.xml") == (1, None)  # not decoded: reader's turn
    with pytest.raises(BookInvalid) as err:  # whatever the reader makes of it is reported, never raised
        load_book(bad)
    assert all(p.file == str(bad) and p.sheet == "accounts" for p in err.value.problems)


def test_csv_line_numbers_count_a_cell_with_a_line_break(tmp_path):
    # A quoted cell spanning two lines (a description with a line break, as Excel exports
    # it): the record after it starts on line 4, and a problem there is reported on line 4.
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").write_text(
        'account_id,book,type,balance,description\n'
        'A1,customer,cash,1,"first line\nsecond line"\n'
        'A2,customer,cash,not money,\n')
    p = only(problems_of(folder), column="balance")
    assert (p.row, p.value) == (4, "not money")
    # CRLF line ends and no final line break: still one record per line
    (folder / "accounts.csv").write_bytes(b"account_id,book,balance,type\r\nA1,customer,1,cash\r\nA2,customer,x,cash")
    assert only(problems_of(folder), column="balance").row == 3


def test_the_sheet_xml_is_cut_between_cells_whatever_the_block_size(tmp_path):
    """`_cell_parts` (the one streaming loop of the header, formula and date-time scans): with
    blocks far smaller than a cell, every `<c>` is still whole in one piece -- the cells found are
    those of the whole XML read at once."""
    import zipfile

    from reserve.book import read as R

    xml = (b'<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="3"><v>46350.5</v></c>'
           b'</row><row r="2"><c r="A2" t="inlineStr"><is><t>x y</t></is></c><c r="B2"><f>1+1</f></c></row>'
           b'</sheetData></worksheet>')
    path = tmp_path / "b.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    with zipfile.ZipFile(path) as zf:
        whole = [m.group(0) for m in R._CELL.finditer(xml)]
        for size in (1, 7, 64, 1 << 20):
            parts = list(R._cell_parts(zf, "xl/worksheets/sheet1.xml", size))
            assert b"".join(parts) == xml
            assert [m.group(0) for p in parts for m in R._CELL.finditer(p)] == whole, size


def _csv_problems(folder):
    from reserve.book import BookInvalid, load_book

    try:
        load_book(folder)
    except BookInvalid as exc:
        return [p.message for p in exc.problems]
    return []


@pytest.mark.parametrize("edit,expect", [
    # a comma at the start (or the end) of every data row: pandas would take the first field
    # as the row's index and shift every column by one (account_id read as blank)
    (lambda rows: [rows[0]] + ["," + r for r in rows[1:]], "more fields than the header's"),
    (lambda rows: [rows[0]] + [r + "," for r in rows[1:]], "more fields than the header's"),
    # a row cut short: its missing fields are not blank cells
    (lambda rows: [rows[0], rows[1].rsplit(",", 1)[0]] + rows[2:], "line 2 has"),
])
def test_a_csv_row_with_the_wrong_number_of_fields_is_refused(tmp_path, edit, expect):
    book = write_book(tmp_path / "b", accounts=[
        {"account_id": "A1", "book": "customer", "type": "cash", "balance": "100", "account_name": "one"},
        {"account_id": "A2", "book": "customer", "type": "cash", "balance": "200", "account_name": "two"}])
    path = book / "accounts.csv"
    rows = path.read_text().splitlines()
    path.write_text("\n".join(edit(rows)) + "\n")
    (msg,) = [m for m in _csv_problems(book) if "accounts.csv" in m or expect in m]
    assert expect in msg and "cannot read the file" in msg


def test_a_csv_with_blank_lines_and_empty_last_fields_still_loads(tmp_path):
    # an empty last field written as such ("A2,...,") is a blank cell; a blank line is no row
    book = write_book(tmp_path / "b", accounts=[
        {"account_id": "A1", "book": "customer", "type": "cash", "balance": "100", "account_name": "one"},
        {"account_id": "A2", "book": "customer", "type": "cash", "balance": "200", "account_name": ""}])
    path = book / "accounts.csv"
    path.write_text(path.read_text() + "\n  \n")
    assert _csv_problems(book) == []


def test_merged_cells_in_a_table_sheet_are_refused_at_their_first_cell(tmp_path):
    # A merged range reads as its first cell's value and blanks below it: the second
    # account's customer_id would be blank and default to its account_id (losing the
    # customer's Note E(5) grouping). Refused, located at the range's first cell.
    from importlib.resources import files

    import openpyxl

    wb = openpyxl.load_workbook(files("reserve.sample_data") / "weekly_book.xlsx")
    ws = wb["accounts"]
    ws.merge_cells("B12:B13")
    ws.merge_cells("C14:C14")  # one cell: nothing merged
    last = ws.max_column
    from openpyxl.utils import get_column_letter

    beside = f"{get_column_letter(last + 2)}2:{get_column_letter(last + 3)}3"
    ws.merge_cells(beside)  # beside the table, under no header: none of it is read, not refused
    wb.save(tmp_path / "book.xlsx")
    msgs = [(p.sheet, p.row, p.column, p.message) for p in problems_of(tmp_path / "book.xlsx").problems]
    assert msgs == [("accounts", 12, "customer_id", "cells B12:B13 are merged: only B12 holds the value and the "
                     "others read as blank cells (which would take the column's default); unmerge them and give "
                     "every cell its value")]


@pytest.mark.parametrize("value,fmt,expect", [
    (0.2, "0%", 200_000),  # Excel stores 20% as 0.2: read as shown, 20 (units of 1/10,000 %)
    (0.125, "0.00%", 125_000),  # built-in 0.00%: 12.5
    (0.0575, "0.0%", 57_500),  # a custom format with %: 5.75
    (20, "General", 200_000),  # a plain number is a number of percent, as before
    (20, '0" %"', 200_000),  # a % in quoted text does not scale the number
])
def test_a_percentage_cell_of_a_workbook_is_read_as_it_shows(tmp_path, value, fmt, expect):
    from importlib.resources import files

    import openpyxl

    from reserve.book import load_book

    wb = openpyxl.load_workbook(files("reserve.sample_data") / "weekly_book.xlsx")
    ws = wb["accounts"]
    col = [c.value for c in ws[1]].index("noncustomer_ownership_pct") + 1
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "C-1102")
    cell = ws.cell(row, col)
    cell.value, cell.number_format = value, fmt
    wb.save(tmp_path / "book.xlsx")
    acc = load_book(tmp_path / "book.xlsx").tables["accounts"]
    assert int(acc.loc[acc["account_id"] == "C-1102", "noncustomer_ownership_pct"].iloc[0]) == expect


def test_a_percentage_cell_over_100_percent_as_shown_is_refused(tmp_path):
    # 20 formatted 0% shows 2000%: read as shown, it is over 100 and refused, never taken as 20
    from importlib.resources import files

    import openpyxl

    wb = openpyxl.load_workbook(files("reserve.sample_data") / "weekly_book.xlsx")
    ws = wb["accounts"]
    col = [c.value for c in ws[1]].index("noncustomer_ownership_pct") + 1
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "C-1102")
    ws.cell(row, col).value, ws.cell(row, col).number_format = 20, "0%"
    wb.save(tmp_path / "book.xlsx")
    (p,) = problems_of(tmp_path / "book.xlsx").problems
    assert (p.row, p.column) == (row, "noncustomer_ownership_pct") and "2000" in p.value


@pytest.mark.parametrize("hidden", ["\u200b", "\ufeff", "\u00ad", "\u200e"])
def test_an_identifier_with_an_invisible_character_is_refused(tmp_path, hidden):
    # "OAKMONT\u200b" looks like "OAKMONT" but would be another customer (its Note E(5)
    # grouping lost) -- refused, located, naming the character; other text keeps it
    book = write_book(tmp_path / "b", accounts=[
        {"account_id": "A1", "customer_id": "OAKMONT", "book": "customer", "type": "cash", "balance": "100"},
        {"account_id": "A2", "customer_id": "OAKMONT" + hidden, "book": "customer", "type": "cash", "balance": "5",
         "account_name": "Oak" + hidden}])
    (p,) = problems_of(book).problems
    assert (p.row, p.column) == (3, "customer_id") and f"U+{ord(hidden):04X}" in p.message


def test_identifiers_of_other_scripts_are_not_refused(tmp_path):
    from reserve.book import load_book

    book = write_book(tmp_path / "b", accounts=[
        {"account_id": "Ä-1", "customer_id": "Société Générale", "book": "customer", "type": "cash", "balance": "1"}])
    assert list(load_book(book).tables["accounts"]["customer_id"]) == ["Société Générale"]


@pytest.mark.parametrize(("table", "column", "rows"), [
    # a customer split in two would lose its Note E(5) grouping (walk-through: deposit needed
    # 1,603,349.70 -> 0.00 on the sample book); an account copied under a lower-case id would
    # count its debit twice
    ("accounts", "customer_id", [
        {"account_id": "A1", "customer_id": "OAKMONT", "book": "customer", "type": "cash", "balance": "100"},
        {"account_id": "A2", "customer_id": "oakmont", "book": "customer", "type": "cash", "balance": "5"}]),
    ("accounts", "account_id", [
        {"account_id": "C-1006", "book": "customer", "type": "cash", "balance": "-12500"},
        {"account_id": "c-1006", "book": "customer", "type": "cash", "balance": "-12500"}]),
    ("accounts", "customer_id", [  # beyond ASCII: the same by Unicode lower-casing
        {"account_id": "A1", "customer_id": "ÉCLAIR", "book": "customer", "type": "cash", "balance": "1"},
        {"account_id": "A2", "customer_id": "éclair", "book": "customer", "type": "cash", "balance": "1"}]),
])
def test_identifiers_that_differ_only_in_case_are_refused_naming_both(tmp_path, table, column, rows):
    # reading: id_case
    # Ids are matched exactly, so `OAKMONT` and `oakmont` would be two keys, in the firm's
    # favour (a split customer, bank or security; a row counted twice): both cells are refused,
    # located, each naming the other spelling.
    book = write_book(tmp_path / "b", **{table: rows})
    found = [p for p in problems_of(book).problems if p.column == column]
    assert [p.row for p in found] == [2, 3]
    assert repr(rows[1][column]) in found[0].message and repr(rows[0][column]) in found[1].message
    assert "only in case" in found[0].message


def test_identifiers_differing_only_in_case_across_the_files_of_a_table_are_refused(tmp_path):
    # reading: id_case
    # Each file of a split table is checked as it is typed; OAKMONT in accounts.csv and oakmont
    # in accounts.part2.csv meet only when the files are put together, and are refused there,
    # each cell located in its own file, naming the other spelling.
    folder = write_book(tmp_path / "b", accounts=[
        {"account_id": "A1", "customer_id": "OAKMONT", "book": "customer", "type": "cash", "balance": "100"}])
    (folder / "accounts.part2.csv").write_text("account_id,customer_id,book,type,balance\nA2,oakmont,customer,cash,5\n")
    found = sorted(((p.file, p.row, p.value) for p in problems_of(folder).problems if p.column == "customer_id"))
    assert found == [(str(folder / "accounts.csv"), 2, "OAKMONT"), (str(folder / "accounts.part2.csv"), 2, "oakmont")]
    msgs = [p.message for p in problems_of(folder).problems]
    assert all("in another file of 'accounts'" in m for m in msgs)
    # both spellings within the second file too: reported once each, not again across files
    (folder / "accounts.part2.csv").write_text(
        "account_id,customer_id,book,type,balance\nA2,oakmont,customer,cash,5\nA3,Oakmont,customer,cash,5\n")
    rows = sorted((p.file.rsplit("/", 1)[-1], p.row) for p in problems_of(folder).problems)
    assert rows == [("accounts.csv", 2), ("accounts.part2.csv", 2), ("accounts.part2.csv", 3)]


def test_identifiers_of_one_case_or_of_mixed_case_that_do_not_clash_load(tmp_path):
    from reserve.book import load_book

    book = write_book(tmp_path / "b", accounts=[
        {"account_id": "Acct-1", "customer_id": "Oak", "book": "customer", "type": "cash", "balance": "1"},
        {"account_id": "Acct-2", "customer_id": "oak-2", "book": "customer", "type": "cash", "balance": "1"},
        {"account_id": "ACCT-3", "customer_id": "OAK-3", "book": "customer", "type": "cash", "balance": "1"}])
    assert list(load_book(book).tables["accounts"]["account_id"]) == ["Acct-1", "Acct-2", "ACCT-3"]


def test_an_empty_file_or_sheet_is_refused_not_read_as_no_rows(tmp_path):
    # reading: empty_table. Hostile walk-through: a 0-byte items.csv (an export cut short) was
    # read as a table of no items, the book "valid", and the deposit needed of the sample book
    # fell from 1,603,349.70 to 0.00. An empty file -- not even its header row -- is refused,
    # naming it; the header alone is a table of no rows.
    folder = write_book(tmp_path / "b", accounts=[A1], items=[])
    (folder / "items.csv").write_text("")
    p = only(problems_of(folder), file=str(folder / "items.csv"))
    assert "empty" in p.message and "header row" in p.message
    (folder / "items.csv").write_text("item_id,book,kind,amount\n")
    assert len(load_book(folder).table("items")) == 0
    # a workbook's empty sheet: the same
    wb = Workbook()
    ws = wb.active
    ws.title = "parameters"
    for r in (["name", "value"], ["firm_name", "F"], ["as_of", "2026-11-20"]):
        ws.append(r)
    acc = wb.create_sheet("accounts")
    for r in (["account_id", "book", "balance", "type"], ["A1", "customer", "100", "cash"]):
        acc.append(r)
    wb.create_sheet("items")
    wb.save(tmp_path / "b.xlsx")
    p = only(problems_of(tmp_path / "b.xlsx"), sheet="items")
    assert "the sheet is empty" in p.message


# --------------------------------------------------------------------------- typing on two threads


def test_columns_typed_two_at_a_time_report_as_one_thread(tmp_path, monkeypatch):
    """A big chunk's columns are converted two at a time (convert._converted, issue 13), each
    column reporting to a log of its own that joins the book's log in the schema's column
    order: the problems, their order, which are kept under the cap (MAX_PROBLEMS) and their
    count are what one thread gives. 150 rows, each with a bad balance, a bad date and a bad
    ownership percentage: 450 problems, of which the first 200 are kept -- all 150 balances
    (the column comes first in the schema), then 50 of the next column's."""
    from collections import Counter

    import reserve.book.convert as convert

    rows = [{"account_id": f"A{i}", "book": "customer", "balance": "12.345", "e5_exception_date": "2026-13-01",
             "noncustomer_ownership_pct": "250"} for i in range(150)]
    path = write_book(tmp_path / "b", accounts=rows)
    monkeypatch.setattr(convert, "PARALLEL_TYPING_ROWS", 1 << 40)  # one thread
    serial = problems_of(path)
    monkeypatch.setattr(convert, "PARALLEL_TYPING_ROWS", 1)  # every chunk on two threads
    parallel = problems_of(path)
    assert serial.total == parallel.total == 450  # 150 rows x 3 bad cells
    assert len(parallel.problems) == MAX_PROBLEMS == 200
    assert parallel.problems == serial.problems
    # kept: the schema's first bad column whole (150), then 200 - 150 = 50 of the next one
    # (noncustomer_ownership_pct comes before e5_exception_date); shown sorted by row
    kept = Counter(p.column for p in parallel.problems)
    assert kept == {"balance": 150, "noncustomer_ownership_pct": 50}


@pytest.mark.parametrize("column,first,second,odd", [
    ("customer_id", "OAKMONT", "\u041eAKMONT", "'\u041e' U+041E"),  # a Cyrillic capital O
    ("customer_id", "oakmont", "\u043eakm\u043ent", "'\u043e' U+043E"),  # two Cyrillic small o
    ("account_id", "C-1O06", "C-1\u039f06", "'\u039f' U+039F"),  # a Greek capital omicron for the O
    ("customer_id", "OAKMONT", "\uff2fAKMONT", "'\uff2f' U+FF2F"),  # a full-width O
    ("customer_id", "OAKMONT", "\u043eakmont", "'\u043e' U+043E"),  # look-alike and another case at once
])
def test_identifiers_that_read_the_same_through_look_alike_letters_are_refused(tmp_path, column, first, second, odd):
    # reading: id_lookalike
    # OAKMONT and OAKMONT with a Cyrillic O look the same on a screen and in print, but are two
    # ids: as two keys they would split a customer out of Note E(5) (or a bank out of Rule
    # 15c3-3(e)(5)'s 15% limit, or count a row twice), in the firm's favour. Both cells are
    # refused, located, each naming the other spelling, the odd letter named by its code point.
    rows = [{"account_id": "A1", "customer_id": "X", "book": "customer", "type": "cash", "balance": "100"},
            {"account_id": "A2", "customer_id": "Y", "book": "customer", "type": "cash", "balance": "5"}]
    rows[0][column], rows[1][column] = first, second
    found = [p for p in problems_of(write_book(tmp_path / "b", accounts=rows)).problems if p.column == column]
    assert [p.row for p in found] == [2, 3]
    assert repr(second) in found[0].message and repr(first) in found[1].message
    assert "reads as the same id" in found[1].message and odd in found[1].message
    assert found[0].expected == "identifiers that differ in more than case or look-alike letters"


def test_ids_of_other_scripts_that_read_differently_are_kept(tmp_path):
    # reading: id_lookalike
    # A Cyrillic or Greek id is an id like any other: refused only when it reads as another id
    # of its column. МОСКВА-1 (Cyrillic) and MOCKBA-2 read differently; ΑΘΗΝΑ and ATHENA too
    # (Θ is not a Latin letter); accents are letters (ÉCLAIR and ECLAIR are two ids).
    rows = [{"account_id": f"A{i}", "customer_id": c, "book": "customer", "type": "cash", "balance": "1"}
            for i, c in enumerate(["\u041c\u041e\u0421\u041a\u0412\u0410-1", "MOCKBA-2", "\u0391\u0398\u0397\u039d\u0391",
                                   "ATHENA", "\u00c9CLAIR", "ECLAIR"])]
    b = book(tmp_path / "b", accounts=rows)
    assert b.table("accounts")["customer_id"].tolist() == [r["customer_id"] for r in rows]


def test_a_nan_reported_before_typing_is_seen_by_the_column_typed_on_another_thread(tmp_path, monkeypatch):
    # convert._converted (issue 13): a column typed on a second thread starts from the cells
    # already reported in it (a Parquet NaN, reported before typing), as on one thread: the
    # same problems either way -- here a float customer_id column with a NaN, and two ids that
    # differ only in case.
    import pyarrow as pa
    import pyarrow.parquet as pq

    import reserve.book.convert as convert

    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "accounts.csv").unlink()
    pq.write_table(pa.table({
        "account_id": ["A1", "a1", "A3"], "book": ["customer"] * 3, "type": ["cash"] * 3,
        "balance": pa.array([1.0, 2.0, 3.0]), "customer_id": pa.array([1.0, float("nan"), 3.0]),
    }), folder / "accounts.parquet")
    monkeypatch.setattr(convert, "PARALLEL_TYPING_ROWS", 1 << 40)
    serial = problems_of(folder)
    monkeypatch.setattr(convert, "PARALLEL_TYPING_ROWS", 1)
    parallel = problems_of(folder)
    assert parallel.problems == serial.problems and parallel.total == serial.total
    assert {(p.row, p.column) for p in serial.problems} >= {(2, "customer_id"), (1, "account_id"), (2, "account_id")}
