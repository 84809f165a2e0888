"""Issue 10, items 3 and 4 and their "Found" cases: dates are strict, amounts and sums are
bounded, duplicated headers and odd cell types are located problems, never a traceback.

Each test names the issue case it covers. Books are written inline (tests/bookkit.py for
CSV folders; openpyxl and pyarrow here for workbooks and Parquet files).
"""

from __future__ import annotations

import csv
import datetime as dt
import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bookkit import bad_book, book, only, problems_of, write_book, write_xlsx

from reserve import money
from reserve.book import load_book
from reserve.book.convert import AMOUNT_BOUND_CENTS, AMOUNT_EXPECTED, DATE_EXPECTED, MONEY_COLUMNS, _abs_total
from reserve.calendar import BusinessCalendar
from reserve.formula import compute

A1 = {"account_id": "A1", "book": "customer", "balance": "-100"}
D = dt.date.fromisoformat


PARAMS_ROWS = [["name", "value"], ["firm_name", "Example Securities LLC"], ["as_of", dt.date(2026, 11, 20)],
               ["tentative_net_capital", 100_000_000]]
ACCOUNTS_ROWS = [["account_id", "book", "balance", "type"], ["A1", "customer", -100, "cash"]]


def parquet_book(folder, **tables: pa.Table):
    """A folder book: parameters and accounts as CSV (bookkit), the given tables as Parquet."""
    write_book(folder, accounts=[A1])
    for name, table in tables.items():
        (folder / f"{name}.csv").unlink(missing_ok=True)
        pq.write_table(table, folder / f"{name}.parquet")
    return folder


# --------------------------------------------------------------------------- dates: text


@pytest.mark.parametrize("value", [
    "2026/11/20", "20261120", "11/20/2026", "20/11/2026", "Nov 20, 2026", "2026-11-20T00:00:00Z",
    "2026-11-20T09:30:00+05:00", "2026-11-20 00:00:00-0500", "2026-11-20T00:00:00", "2026-11-20 10:30",
    "2300-01-01", "0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31", "2026-02-29", "2026-13-01",
    "2026-11-20x", "+2026-11-20", "45000",
])
def test_date_text_not_iso_day_in_range_is_a_located_problem(tmp_path, value):
    # issue 10 Found: "Date text 2026/11/20 or 20261120 is accepted"; "Dates outside 1677-2262
    # (2300-01-01, 0001-01-01): OutOfBoundsDatetime"; "Date text with a time zone: TypeError"
    err = bad_book(tmp_path, accounts=[A1], holidays=[{"date": "2026-12-24", "name": "ok"},
                                                      {"date": value, "name": "x"}])
    p = only(err, column="date")
    assert (p.file.endswith("holidays.csv"), p.sheet, p.row, p.value) == (True, "holidays", 3, value)
    assert p.expected == DATE_EXPECTED == "an ISO date YYYY-MM-DD between 1900-01-01 and 2199-12-31"
    assert p.message  # the reason: form, zone, time, year range, no such day


def test_date_text_reasons(tmp_path):
    err = bad_book(tmp_path, accounts=[A1], holidays=[
        {"date": "2026/11/20"}, {"date": "2026-11-20T00:00:00Z"}, {"date": "2026-11-20 10:30"},
        {"date": "2300-01-01"}, {"date": "2026-02-30"}])
    why = {p.row: p.message for p in err.problems}
    assert "YYYY-MM-DD" in why[2] and "zone" in why[3] and "time" in why[4]
    assert "1900-2199" in why[5] and "no such day" in why[6]


def test_mixed_offsets_in_one_column(tmp_path):
    # issue 10 Found: "mixed offsets: ValueError"
    err = bad_book(tmp_path, accounts=[A1], holidays=[{"date": "2026-12-24T00:00:00+05:00"},
                                                      {"date": "2026-12-31T00:00:00-03:00"},
                                                      {"date": "2027-01-04"}])
    assert sorted(p.row for p in err.problems) == [2, 3]
    assert all(p.column == "date" and "zone" in p.message for p in err.problems)


def test_iso_text_bounds_and_spaces_are_dates(tmp_path):
    b = book(tmp_path / "b", accounts=[A1], holidays=[{"date": " 1900-01-01 "}, {"date": "2199-12-31"},
                                                      {"date": "2024-02-29"}, {"date": ""}])
    assert b.table("holidays")["date"].tolist() == [pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31"),
                                                    pd.Timestamp("2024-02-29")]


@pytest.mark.parametrize("as_of", ["2300-01-01", "0001-01-01", "2026/11/20", "2026-11-20T00:00:00Z"])
def test_as_of_out_of_range_or_not_iso_is_located(tmp_path, as_of):
    err = bad_book(tmp_path, parameters={"as_of": as_of}, accounts=[A1])
    p = only(err, sheet="parameters", column="value")
    assert (p.row, p.value, p.expected) == (3, as_of, DATE_EXPECTED)


# --------------------------------------------------------------------------- dates: the calendar's range


def test_as_of_1900_01_01_computes(tmp_path):
    # issue 10 Found: "as_of 1900-01-01: ValueError from calendar._check_year"
    r = compute(book(tmp_path / "b", parameters={"as_of": "1900-01-01"}, accounts=[A1]))
    assert r.computations["customer"].lines["item_10"] == 10000
    assert r.computations["customer"].deposit_deadline == D("1900-01-03")  # Mon Jan 1 1900 a holiday


def test_as_of_2199_12_31_computes_its_deadline_in_2200(tmp_path):
    r = compute(book(tmp_path / "b", parameters={"as_of": "2199-12-31"}, accounts=[A1]))
    assert r.computations["customer"].deposit_deadline == D("2200-01-03")  # Tue 2199-12-31 -> Fri Jan 3


def test_item_dated_1900_ages_against_a_2026_as_of(tmp_path):
    # a date the format accepts is one the calendar can count business days over
    fail = {"item_id": "F1", "book": "customer", "kind": "fail_to_deliver", "amount": "5", "open_date": "1900-01-02"}
    r = compute(book(tmp_path / "b", accounts=[A1], items=[fail]))
    assert r.computations["customer"].lines["item_12"] == 0  # older than 30 calendar days


def test_calendar_covers_1900_to_2199():
    cal = BusinessCalendar()
    assert cal.business_days(1900) and cal.business_days(2199)
    assert cal.previous_business_day(D("1900-01-02")) == D("1899-12-29")
    assert cal.deposit_deadline(D("2199-12-31")) == D("2200-01-03")
    assert cal.non_computation_reason(D("2199-12-31"))  # the business day before New Year's Day 2200
    with pytest.raises(ValueError):
        cal.business_days(2200)
    with pytest.raises(ValueError):
        cal.is_business_day(D("1898-12-30"))


# --------------------------------------------------------------------------- dates: workbook cells


def test_xlsx_date_cells_out_of_range_or_timed(tmp_path):
    # issue 10 Found: "Excel 9999-12-31: OutOfBoundsDatetime"
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS, "accounts": ACCOUNTS_ROWS,
        "holidays": [["date", "name"], [dt.datetime(2026, 12, 24), "ok"], [dt.datetime(9999, 12, 31), "far"],
                     [dt.datetime(2026, 12, 31, 9, 30), "timed"], [dt.date(2027, 1, 4), "ok"]],
    })
    err = problems_of(path)
    got = {(p.sheet, p.row, p.column): p for p in err.problems}
    assert set(got) == {("holidays", 3, "date"), ("holidays", 4, "date")}
    assert all(p.expected == DATE_EXPECTED for p in got.values())
    assert "1900-2199" in got["holidays", 3, "date"].message and "time" in got["holidays", 4, "date"].message


def test_xlsx_mixed_date_column_read_cell_by_cell(tmp_path):
    # a column mixing date cells and text is read cell by cell (python-calamine objects)
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": PARAMS_ROWS, "accounts": ACCOUNTS_ROWS,
        "holidays": [["date", "name"], [dt.datetime(2026, 12, 24), "cell"], ["2026-12-31", "text"],
                     [dt.datetime(9999, 12, 31), "far"], ["2026/12/30", "slashes"], [45000, "a number"],
                     [True, "a boolean"]],
    })
    err = problems_of(path)
    assert sorted(p.row for p in err.problems) == [4, 5, 6, 7]
    assert all(p.column == "date" and p.expected == DATE_EXPECTED for p in err.problems)


def test_xlsx_as_of_cell_9999_12_31(tmp_path):
    rows = [r if r[0] != "as_of" else ["as_of", dt.datetime(9999, 12, 31)] for r in PARAMS_ROWS]
    err = problems_of(write_xlsx(tmp_path / "b.xlsx", {"parameters": rows, "accounts": ACCOUNTS_ROWS}))
    p = only(err, sheet="parameters")
    assert (p.row, p.column, p.expected) == (3, "value", DATE_EXPECTED)


# --------------------------------------------------------------------------- dates: Parquet cells


@pytest.mark.parametrize("array, why", [
    (pa.array([dt.date(2026, 12, 24), dt.date(2300, 1, 1)]), "1900-2199"),
    (pa.array([dt.date(2026, 12, 24), dt.date(1, 1, 1)]), "1900-2199"),
    (pa.array([dt.datetime(2026, 12, 24), dt.datetime(9999, 12, 31)], pa.timestamp("us")), "1900-2199"),
    (pa.array([dt.datetime(2026, 12, 24), dt.datetime(2026, 12, 31, 12)], pa.timestamp("ms")), "time"),
    (pa.array([dt.datetime(2026, 12, 24), dt.datetime(2026, 12, 31)], pa.timestamp("us", tz="UTC")), "zone"),
    (pa.array([b"2026-12-24", b"\xff\xfe"]), "binary"),
    (pa.array([[1], [2, 3]]), "list"),
    (pa.array([{"y": 2026}, {"y": 2027}]), "structure"),
    (pa.array([45000, 45001]), "number"),
    (pa.array([True, False]), "TRUE/FALSE"),
])
def test_parquet_date_column_of_any_type(tmp_path, array, why):
    # issue 10 Found: "A binary Parquet column in a date column: UnicodeDecodeError"
    folder = parquet_book(tmp_path / "b", holidays=pa.table({"date": array, "name": ["a", "b"]}))
    err = problems_of(folder)
    rows = sorted(p.row for p in err.problems)
    assert rows in ([2], [1, 2]) and all(p.column == "date" and p.sheet == "holidays" for p in err.problems)
    assert all(p.expected == DATE_EXPECTED and why in p.message for p in err.problems)
    assert all(p.file == str(folder / "holidays.parquet") for p in err.problems)


def test_parquet_date_cells_in_range_are_dates(tmp_path):
    folder = parquet_book(tmp_path / "b", holidays=pa.table({
        "date": pa.array([dt.datetime(1900, 1, 1), dt.datetime(2199, 12, 31), None], pa.timestamp("ns"))}))
    assert load_book(folder).table("holidays")["date"].tolist() == [pd.Timestamp("1900-01-01"),
                                                                    pd.Timestamp("2199-12-31")]
    folder = parquet_book(tmp_path / "c", holidays=pa.table({"date": pa.array([dt.date(2026, 12, 24)])}))
    assert load_book(folder).table("holidays")["date"].tolist() == [pd.Timestamp("2026-12-24")]


# --------------------------------------------------------------------------- amounts: each cell bounded


@pytest.mark.parametrize("value", ["1000000000000000.01", "-1000000000000000.01", "40,000,000,000,000,000",
                                   "$99999999999999999999999", "10000000000000000"])
def test_amount_beyond_the_bound_is_a_located_problem(tmp_path, value):
    # issue 10 item 3: every amount is checked against a bound, the cell named
    err = bad_book(tmp_path, accounts=[{"account_id": "A1", "book": "customer", "balance": value}])
    p = only(err, column="balance")
    assert (p.sheet, p.row, p.value, p.expected) == ("accounts", 2, value, AMOUNT_EXPECTED)
    assert AMOUNT_EXPECTED.startswith("an amount of at most 1,000,000,000,000,000.00")


def test_amount_at_the_bound_is_accepted(tmp_path):
    b = book(tmp_path / "b", accounts=[{"account_id": "A1", "book": "customer", "balance": "-1000000000000000"}])
    assert b.table("accounts")["balance"].tolist() == [-AMOUNT_BOUND_CENTS]


def test_amount_bound_in_xlsx_parquet_and_parameters(tmp_path):
    path = write_xlsx(tmp_path / "b.xlsx", {
        "parameters": [r if r[0] != "tentative_net_capital" else ["tentative_net_capital", 4e16] for r in PARAMS_ROWS],
        "accounts": [["account_id", "book", "balance", "type"], ["A1", "customer", -4e16, "cash"],
                     ["A2", "customer", 1, "cash"]]})
    err = problems_of(path)
    assert {(p.sheet, p.row, p.column) for p in err.problems} == {("parameters", 4, "value"), ("accounts", 2, "balance")}
    assert all(p.expected == AMOUNT_EXPECTED for p in err.problems)
    folder = parquet_book(tmp_path / "pq", accounts=pa.table({
        "account_id": ["A1", "A2"], "book": ["customer", "customer"], "type": ["cash", "cash"],
        "balance": pa.array([1.5, -2e17])}))
    p = only(problems_of(folder))
    assert (p.row, p.column, p.expected) == (2, "balance", AMOUNT_EXPECTED)


def test_pct_extremes_are_bounded(tmp_path):
    # pct: the other numeric type; its bound is 0-100, so an extreme cannot overflow
    err = bad_book(tmp_path, accounts=[{"account_id": "A1", "book": "customer", "balance": "1",
                                        "noncustomer_ownership_pct": "1e300"}])
    assert only(err, column="noncustomer_ownership_pct").row == 2


# --------------------------------------------------------------------------- sums cannot overflow


def test_three_accounts_of_40_quadrillion_refused_not_wrapped(tmp_path):
    # issue 10 Found: "three accounts of $40,000,000,000,000,000 give Item 1 =
    # -64,467,440,737,095,516.16 and a required deposit of 0.00 (np.add.at on int64)"
    big = "-40000000000000000"
    err = bad_book(tmp_path, accounts=[{"account_id": f"A{i}", "book": "customer", "balance": big} for i in range(3)])
    assert sorted(p.row for p in err.problems) == [2, 3, 4]
    assert all(p.column == "balance" and p.expected == AMOUNT_EXPECTED for p in err.problems)


def test_column_total_beyond_the_bound_names_table_and_column(tmp_path):
    # issue 10 item 3: each cell within the bound, the column's total beyond it
    cap = "-1000000000000000"
    err = bad_book(tmp_path, accounts=[{"account_id": f"A{i}", "book": "customer", "balance": cap} for i in range(3)])
    p = only(err)
    assert (p.sheet, p.row, p.column, p.value) == ("accounts", None, "balance", "3,000,000,000,000,000.00")
    assert p.message.startswith("the accounts' balance total of absolute values is 3,000,000,000,000,000.00, "
                                "above the bound of 1,000,000,000,000,000.00")


def test_column_total_counts_every_file_and_both_signs(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[{"account_id": "A1", "book": "customer", "balance": "-600000000000000"}])
    with open(folder / "accounts.part2.csv", "w", newline="") as f:
        csv.writer(f).writerows([["account_id", "book", "balance", "type"], ["A2", "customer", "600000000000000", "cash"]])
    p = only(problems_of(folder))  # +6e14 and -6e14 net to 0 but move 1.2e15
    assert (p.sheet, p.column, p.value) == ("accounts", "balance", "1,200,000,000,000,000.00")


def test_nullable_money_column_total(tmp_path):
    acc = [{"account_id": f"A{i}", "book": "customer", "balance": "-1", "e5_exception_amount": v}
           for i, v in enumerate(["600000000000000", "", "600000000000000"])]
    err = bad_book(tmp_path, accounts=acc)
    assert any(p.column == "e5_exception_amount" and p.row is None for p in err.problems)


def test_abs_total_is_exact_where_float_and_int64_are_not():
    rng = random.Random(10)
    values = [rng.randint(-AMOUNT_BOUND_CENTS, AMOUNT_BOUND_CENTS) for _ in range(200_000)]
    a = np.array(values, dtype=np.int64)
    exact = sum(abs(v) for v in values)
    assert exact > 2**63 and _abs_total(a) == exact
    assert int(np.abs(a).sum()) != exact  # int64 wraps
    assert _abs_total(np.array([AMOUNT_BOUND_CENTS, -AMOUNT_BOUND_CENTS, 1], dtype=np.int64)) == 2 * AMOUNT_BOUND_CENTS + 1


def test_every_money_column_bounded_leaves_int64_room():
    # the reading: a line adds parts of the book's money columns, each at most once
    assert len(MONEY_COLUMNS) * AMOUNT_BOUND_CENTS < (2**63 - 1) // 2


# --------------------------------------------------------------------------- duplicated headers


def _dup_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows([header, *rows])


def test_parameters_name_column_twice_csv(tmp_path):
    # issue 10 Found: "A parameters table with its name column twice: AttributeError in _is_text_dtype"
    folder = write_book(tmp_path / "b", accounts=[A1])
    _dup_csv(folder / "parameters.csv", ["name", "value", "name"],
             [["firm_name", "X", "firm_name"], ["as_of", "2026-11-20", "as_of"]])
    p = only(problems_of(folder), column="name")
    assert (p.sheet, p.row) == ("parameters", None) and "appears twice" in p.message


def test_parameters_value_column_twice_xlsx(tmp_path):
    rows = [["name", "value", "value"]] + [r + [r[1]] for r in PARAMS_ROWS[1:]]
    p = only(problems_of(write_xlsx(tmp_path / "b.xlsx", {"parameters": rows, "accounts": ACCOUNTS_ROWS})),
             column="value")
    assert p.sheet == "parameters" and "appears twice" in p.message


def test_parameters_name_column_twice_parquet(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[A1])
    (folder / "parameters.csv").unlink()
    t = pa.Table.from_arrays([pa.array(["firm_name", "as_of"]), pa.array(["X", "2026-11-20"]),
                              pa.array(["firm_name", "as_of"])], names=["name", "value", "name"])
    pq.write_table(t, folder / "parameters.parquet")
    # The Parquet reader (reserve/book/read.py) refuses the file before typing: a located
    # problem naming the file, not yet the column (read.py is outside this change).
    p = only(problems_of(folder), file=str(folder / "parameters.parquet"))
    assert "name" in p.message


@pytest.mark.parametrize("form", ["csv", "xlsx", "parquet"])
def test_any_table_with_a_duplicated_header(tmp_path, form):
    header = ["account_id", "book", "balance", "balance"]
    row = ["A1", "customer", "-100", "-200"]
    if form == "xlsx":
        path = write_xlsx(tmp_path / "b.xlsx", {"parameters": PARAMS_ROWS, "accounts": [header, row]})
    else:
        path = write_book(tmp_path / "b", accounts=[A1])
        (path / "accounts.csv").unlink()
        if form == "csv":
            _dup_csv(path / "accounts.csv", header, [row])
        else:
            pq.write_table(pa.Table.from_arrays([pa.array([v]) for v in row], names=header), path / "accounts.parquet")
    err = problems_of(path)
    if form == "parquet":  # refused by the reader, naming the file (see the parameters case above)
        assert "balance" in only(err, file=str(path / "accounts.parquet")).message
        return
    p = only(err, column="balance")
    assert p.sheet == "accounts" and "appears twice" in p.message


# --------------------------------------------------------------------------- formatters are total


@pytest.mark.parametrize("cents", [0, 5, -5, 2**63 - 1, -(2**63), 2**63, 10**40 + 7, "-(10**5000) - 1",
                                   "10**20000", int(np.int64(-1))])
def test_formatters_never_raise_for_an_int(cents):
    if isinstance(cents, str):  # (too many digits for a test id)
        cents = eval(cents)
    # issue 10 Found: "Line totals past the decimal formatter's range: 'too large' raised in the
    # renderers and the CLI summary" -- total formatters, and their forms read back exactly
    c, d = money.format_cents(cents), money.format_display(cents)
    assert money.parse_decimal_text(c) == cents == money.parse_decimal_text(d)
    assert money.format_display(np.int64(-(2**63))) == "(92,233,720,368,547,758.08)"


# --------------------------------------------------------------------------- a seeded fuzz of the date converter


def test_date_converter_fuzz_never_raises():
    # issue 10 item 9 for dates: any mix of cell values ends in dates or located problems
    import decimal

    from reserve.book import convert
    from reserve.book.read import RawChunk
    from reserve.book.schema import Column
    from reserve.errors import ProblemLog

    pool = [None, float("nan"), pd.NA, pd.NaT, "2026-01-01", " 2026-01-01 ", "2026/01/01", "", "  ", "x" * 50,
            dt.date(2026, 1, 1), dt.date(9999, 12, 31), dt.date(1, 1, 1), dt.datetime(2026, 1, 1),
            dt.datetime(2026, 1, 1, 1), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc), pd.Timestamp("2026-01-01"),
            pd.Timestamp("2026-01-01", tz="UTC"), np.datetime64("2026-01-01"), np.datetime64("NaT"),
            np.datetime64("2300-01-01T05"), 1, 1.5, 2**70, True, np.bool_(True), np.int64(5), np.float32(1.5),
            decimal.Decimal("1"), decimal.Decimal("sNaN"), b"x", b"\xff", bytearray(b"a"), [1], (1,), {"a": 1},
            np.array([1, 2]), dt.time(1), dt.timedelta(1), pd.Timedelta(1), object(), complex(1, 2),
            "\u0662\u0660\u0662\u0666-\u0660\u0661-\u0660\u0661", "2026-01-01\x00", "\ud800"]
    rng = random.Random(10)
    for _ in range(600):
        vals = [rng.choice(pool) for _ in range(rng.randint(0, 6))]
        s = pd.Series(vals, dtype=object)
        log = ProblemLog()
        chunk = RawChunk("holidays", "f.csv", "holidays", pd.DataFrame({"date": s}), np.arange(2, 2 + len(s)))
        out, blank = convert._convert_date(Column("date", "date", None), s, convert._Reporter(chunk, log))
        assert out.dtype == "datetime64[ns]" and len(out) == len(s) == len(blank)
        assert all(p.expected == DATE_EXPECTED and str(p) for p in log.items)
        good = ~blank & out.notna().to_numpy()
        assert log.total == int((~blank & ~good).sum())


def test_abs_total_across_blocks():
    # _abs_total works 2**20 rows at a time through one buffer: 2**20 + 5 rows of -3 and 3
    n = (1 << 20) + 5
    a = np.where(np.arange(n) % 2 == 0, -3, 3).astype(np.int64)
    assert _abs_total(a) == 3 * n and _abs_total(a[:0]) == 0
