"""Issue 15 item 2, the book side: the optional `deposits` table, the `datetime` column type,
the `bank_opens_at` parameter, and what report.json, the page and the workbook carry of them
for `reserve series` (CONTRACT15). The computation itself never uses the table: every row is
a disposition that changes no figure."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bookkit import bad_book, book, only, problems_of, write_book, write_xlsx
from openpyxl import load_workbook

from reserve import api
from reserve.book import load_book
from reserve.formula import compute
from reserve.formula.model import ComputationName
from reserve.report.model import (
    DEPOSITS_ASSUMPTION,
    Deposit,
    Report,
    ReportFigures,
    ReportInvalid,
    Source,
    build_report,
    report_problems,
)

RBA = [
    {"account_id": "RB-1", "book": "customer", "bank_id": "B1", "bank_name": "First Bank",
     "bank_equity_capital": "1000000000", "cash": "2500000"},
    {"account_id": "RB-P", "book": "pab", "bank_id": "B1", "bank_name": "First Bank",
     "bank_equity_capital": "1000000000", "cash": "10000"},
]
ACCOUNTS = [{"account_id": "C1", "book": "customer", "balance": "3000000"}]


def dep(account="RB-1", at="2026-11-24 08:45", amount="1,603,349.70", kind="deposit", reference="FW-1102"):
    return {"account_id": account, "credited_at": at, "amount": amount, "kind": kind, "reference": reference}


def deposits_book(tmp_path: Path, rows, parameters=None, name="book", **tables):
    tables = {"accounts": ACCOUNTS, "reserve_bank_accounts": RBA, **tables}
    return book(tmp_path / name, {"bank_opens_at": "08:30", **(parameters or {})}, deposits=rows, **tables)


def refused(err, row, column="credited_at"):
    return only(err, sheet="deposits", row=row, column=column)


# ------------------------------------------------------------------ the datetime type: text


def test_iso_text_with_a_space_or_a_t(tmp_path):
    b = deposits_book(tmp_path, [dep(at="2026-11-24 08:45"), dep(at="2026-11-24T08:45:30"), dep(at=" 2026-11-24 8:05 "),
                                 dep(at="2026-11-24T00:00:00")])
    assert b.tables["deposits"]["credited_at"].tolist() == [
        pd.Timestamp("2026-11-24 08:45:00"), pd.Timestamp("2026-11-24 08:45:30"), pd.Timestamp("2026-11-24 08:05:00"),
        pd.Timestamp("2026-11-24 00:00:00")]  # midnight typed as a time is a time
    assert str(b.tables["deposits"]["credited_at"].dtype) == "datetime64[ns]"


def test_a_fraction_of_a_second_counts_as_the_next_second(tmp_path):
    # Reading: a credit is never taken as earlier than the bank recorded it. 09:29:59.2 is
    # after 09:29:59, so it is 09:30:00 (and a deadline of 09:30:00 is met only just);
    # .000 is no fraction.
    b = deposits_book(tmp_path, [dep(at="2026-11-24T09:29:59.2"), dep(at="2026-11-24 09:29:59.000")])
    assert b.tables["deposits"]["credited_at"].tolist() == [pd.Timestamp("2026-11-24 09:30:00"),
                                                            pd.Timestamp("2026-11-24 09:29:59")]


def test_a_date_without_a_time_is_refused(tmp_path):
    err = bad_book(tmp_path, {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, reserve_bank_accounts=RBA,
                   deposits=[dep(at="2026-11-24")])
    p = refused(err, 2)
    assert p.value == "2026-11-24" and "a date without a time of day" in p.message
    assert "YYYY-MM-DD HH:MM" in p.expected


@pytest.mark.parametrize("text,why", [
    ("next tuesday", "not in the form YYYY-MM-DD HH:MM"),
    ("11/24/2026 08:45", "not in the form YYYY-MM-DD HH:MM"),
    ("2026-11-24 25:00", "no such time of day"),
    ("2026-11-24 08:60", "no such time of day"),
    ("2026-02-30 10:00", "no such day"),
    ("2026-11-24T08:45:00Z", "a time zone"),
    ("2026-11-24 08:45-05:00", "a time zone"),
    ("2300-01-01 10:00", "a year outside 1900-2199"),
])
def test_garbage_is_refused_with_the_value_shown(tmp_path, text, why):
    err = bad_book(tmp_path, {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, reserve_bank_accounts=RBA,
                   deposits=[dep(at=text)])
    p = refused(err, 2)
    assert p.value == text and why in p.message, str(p)


# ------------------------------------------------------------------ the datetime type: Excel


def _workbook(path: Path, deposit_rows, formats=None):
    """A whole book as one workbook; formats: {Excel row: number format} of credited_at (column B)."""
    write_xlsx(path, {
        "parameters": [["name", "value"], ["firm_name", "Example Securities LLC"], ["as_of", dt.date(2026, 11, 20)],
                       ["tentative_net_capital", 100000000], ["bank_opens_at", dt.time(8, 30)]],
        "accounts": [["account_id", "book", "type", "balance"], ["C1", "customer", "cash", 3000000]],
        "reserve_bank_accounts": [["account_id", "book", "bank_id", "bank_name", "bank_affiliated", "bank_equity_capital",
                                   "cash"], ["RB-1", "customer", "B1", "First Bank", False, 1000000000, 2500000]],
        "deposits": [["account_id", "credited_at", "amount", "kind", "reference"], *deposit_rows],
    })
    wb = load_workbook(path)
    for row, fmt in (formats or {}).items():
        wb["deposits"].cell(row, 2).number_format = fmt
    wb.save(path)
    return path


def test_excel_date_time_cells_and_date_cells(tmp_path):
    # Rows 2-4: date-time cells (openpyxl gives a datetime); row 3 is formatted as a date alone,
    # so whatever time it holds is not shown to the user: refused. Row 4 is midnight in a format
    # that shows the hour: 00:00 is a time. The parameter is an Excel time cell 08:30.
    path = _workbook(tmp_path / "book.xlsx", [
        ["RB-1", dt.datetime(2026, 11, 24, 8, 45), 100, "deposit", "FW-1"],
        ["RB-1", dt.datetime(2026, 11, 24, 9, 15), 5, "deposit", "FW-2"],
        ["RB-1", dt.datetime(2026, 11, 25), 7, "deposit", "FW-3"],
    ], formats={2: "yyyy-mm-dd hh:mm", 3: "yyyy-mm-dd", 4: "yyyy-mm-dd hh:mm"})
    err = problems_of(path)
    p = refused(err, 3)
    assert "an Excel date whose cell format shows no time of day" in p.message
    assert len(err.problems) == 1
    wb = load_workbook(path)
    wb["deposits"].cell(3, 2).number_format = "m/d/yyyy h:mm AM/PM"
    wb.save(path)
    b = load_book(path)
    assert b.params.bank_opens_at == "08:30"
    assert b.tables["deposits"]["credited_at"].tolist() == [
        pd.Timestamp("2026-11-24 08:45"), pd.Timestamp("2026-11-24 09:15"), pd.Timestamp("2026-11-25 00:00")]


def test_an_excel_date_cell_is_refused_in_a_sheet_read_cell_by_cell(tmp_path):
    # A column mixing date cells and text is read cell by cell (python-calamine gives a date for
    # a whole day): the format still decides. Row 3 (date format) refused; row 4 text with a
    # time accepted; row 5 a plain number refused as a number.
    path = _workbook(tmp_path / "book.xlsx", [
        ["RB-1", dt.datetime(2026, 11, 24, 8, 45), 100, "deposit", None],
        ["RB-1", dt.datetime(2026, 11, 24), 5, "deposit", None],
        ["RB-1", "2026-11-24 10:00", 7, "deposit", None],
        ["RB-1", 46350.5, 7, "deposit", None],
    ], formats={2: "yyyy-mm-dd hh:mm", 3: "yyyy-mm-dd", 5: "General"})
    err = problems_of(path)
    assert "an Excel date whose cell format shows no time of day" in refused(err, 3).message
    assert "a number, not a date and time" in refused(err, 5).message
    assert len(err.problems) == 2


# ------------------------------------------------------------------ the datetime type: Parquet


def _parquet_book(tmp_path: Path, column: pa.Array) -> Path:
    folder = write_book(tmp_path / "book", {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, reserve_bank_accounts=RBA,
                        deposits=[dep()])
    (folder / "deposits.csv").unlink()
    pq.write_table(pa.table({"account_id": ["RB-1"], "credited_at": column, "amount": ["1603349.70"],
                             "kind": ["deposit"]}), folder / "deposits.parquet")
    return folder


def test_a_parquet_timestamp_is_a_date_time(tmp_path):
    folder = _parquet_book(tmp_path, pa.array([dt.datetime(2026, 11, 24, 8, 45, 0, 500000)], pa.timestamp("us")))
    b = load_book(folder)
    assert b.tables["deposits"]["credited_at"].tolist() == [pd.Timestamp("2026-11-24 08:45:01")]  # .5 s: up


def test_a_parquet_date_column_is_refused(tmp_path):
    err = problems_of(_parquet_book(tmp_path, pa.array([dt.date(2026, 11, 24)], pa.date32())))
    p = only(err, column="credited_at")
    assert p.row == 1 and "a Parquet date column has no time of day" in p.message


def test_a_parquet_timestamp_with_a_zone_is_refused(tmp_path):
    zoned = pa.array([dt.datetime(2026, 11, 24, 13, 45)], pa.timestamp("us", tz="UTC"))
    p = only(problems_of(_parquet_book(tmp_path, zoned)), column="credited_at")
    assert "a time zone" in p.message


# ------------------------------------------------------------------ validation


def test_every_problem_of_the_table_at_once(tmp_path):
    err = bad_book(tmp_path, {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, reserve_bank_accounts=RBA, deposits=[
        dep(account="RB-9"),  # row 2: no such reserve bank account
        dep(amount="0"),  # row 3: zero
        dep(amount="-5", kind="withdrawal"),  # row 4: negative (kind gives the direction)
        dep(kind="transfer"),  # row 5: not a kind
        dep(at="2026-11-24"),  # row 6: a date alone
    ])
    p = only(err, sheet="deposits", row=2, column="account_id")
    assert p.value == "RB-9" and p.expected == "one of RB-1, RB-P"
    assert "names no reserve bank account of this book" in p.message
    assert only(err, sheet="deposits", row=3, column="amount").value == "0.00"
    p = only(err, sheet="deposits", row=4, column="amount")
    assert p.value == "(5.00)" and "more than zero" in p.expected
    assert only(err, sheet="deposits", row=5, column="kind").expected == "one of deposit, withdrawal"
    assert "a date without a time" in refused(err, 6).message
    assert len(err.problems) == 5


def test_a_deposits_table_without_reserve_bank_accounts(tmp_path):
    err = bad_book(tmp_path, {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, deposits=[dep(), dep(account="RB-P")])
    for row in (2, 3):
        p = only(err, sheet="deposits", row=row, column="account_id")
        assert "the book has no reserve_bank_accounts rows" in p.message


def test_required_columns(tmp_path):
    err = bad_book(tmp_path, {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, reserve_bank_accounts=RBA,
                   deposits=[dep(at=None), {**dep(), "amount": None}])
    assert only(err, sheet="deposits", row=2, column="credited_at").expected == "a value (the column is required)"
    assert only(err, sheet="deposits", row=3, column="amount").expected == "a value (the column is required)"


@pytest.mark.parametrize("value,why", [
    ("8am", "not in the form HH:MM"),
    ("25:00", "no such time of day"),
    ("08:61", "no such time of day"),
    ("08:30:15", "not in the form HH:MM"),
])
def test_bank_opens_at_refused(tmp_path, value, why):
    err = bad_book(tmp_path, {"bank_opens_at": value}, accounts=ACCOUNTS)
    p = only(err, sheet="parameters", column="value")
    assert p.value == value and why in p.message and "HH:MM" in p.expected


def test_bank_opens_at_read(tmp_path):
    assert book(tmp_path / "a", {"bank_opens_at": "8:30"}, accounts=ACCOUNTS).params.bank_opens_at == "08:30"
    assert book(tmp_path / "b", {"bank_opens_at": "23:59"}, accounts=ACCOUNTS).params.bank_opens_at == "23:59"
    assert book(tmp_path / "c", {}, accounts=ACCOUNTS).params.bank_opens_at is None  # blank: the hour is not known


# ------------------------------------------------------------------ row accounting and figures


def test_rows_accounted_for_and_no_figure_changes(tmp_path):
    rows = [dep(), dep(account="RB-P", at="2026-11-23 14:00", amount="2500", kind="withdrawal", reference=None)]
    with_table = deposits_book(tmp_path, rows, name="with")
    without = book(tmp_path / "without", {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, reserve_bank_accounts=RBA)
    r1, r0 = compute(with_table), compute(without)
    assert r1.row_counts["deposits"] == {"rows": 2, "used": 2, "excluded": 0}  # 2 in = 2 used + 0 excluded
    for name in ("customer", "pab"):
        a, b = r1.computations[name], r0.computations[name]
        assert (a.lines, a.required_deposit, a.on_deposit, a.deposit_needed, a.withdrawal_permitted) == \
            (b.lines, b.required_deposit, b.on_deposit, b.deposit_needed, b.withdrawal_permitted)
    d = r1.dispositions[r1.dispositions["table"] == "deposits"]
    assert d["row"].tolist() == [0, 1] and set(d["amount"]) == {0}
    assert set(d["reason"].astype(str)) == {"carried to report.json for the series' deposit check (Rule 15c3-3(e)(3), "
                                            "(g)); changes no figure of this computation"}
    report = build_report(with_table, r1)
    counts = {c.table: c for c in report.row_counts}
    assert counts["deposits"].ties


# ------------------------------------------------------------------ report.json


def _report(b) -> Report:
    return build_report(b, compute(b), run_time=dt.datetime(2026, 11, 20, 18, 30, tzinfo=dt.timezone.utc))


def test_report_json_carries_the_table_and_reads_it_back(tmp_path):
    b = deposits_book(tmp_path, [dep(), dep(account="RB-P", at="2026-11-23T14:00:05", amount="2500",
                                            kind="withdrawal", reference=None)])
    report = _report(b)
    data = json.loads(report.to_json())
    assert data["parameters"]["bank_opens_at"] == "08:30"
    assert data["deposits"] == [
        {"account_id": "RB-1", "computation": "customer", "credited_at": "2026-11-24T08:45:00", "kind": "deposit",
         "amount": "1603349.70", "reference": "FW-1102",
         "source": {"file": str(tmp_path / "book" / "deposits.csv"), "sheet": "deposits", "row": 2}},
        {"account_id": "RB-P", "computation": "pab", "credited_at": "2026-11-23T14:00:05", "kind": "withdrawal",
         "amount": "2500.00", "reference": None,
         "source": {"file": str(tmp_path / "book" / "deposits.csv"), "sheet": "deposits", "row": 3}},
    ]
    first = Deposit("RB-1", ComputationName.CUSTOMER, dt.datetime(2026, 11, 24, 8, 45), "deposit", 160334970, "FW-1102",
                    Source(str(tmp_path / "book" / "deposits.csv"), "deposits", 2))
    assert report.deposits is not None and report.deposits[0] == first  # $1,603,349.70 = 160,334,970 cents
    back = Report.from_json(report.to_json())
    assert back.deposits == report.deposits and back.parameters["bank_opens_at"] == "08:30"
    fig = ReportFigures.from_data(data)
    assert fig.deposits == report.deposits and fig.bank_opens_at == "08:30" and fig.deposit_problems == ()
    assert report.figures().deposits == report.deposits and report.figures().bank_opens_at == "08:30"


def test_present_only_when_the_book_has_the_table(tmp_path):
    empty = _report(deposits_book(tmp_path, [], name="empty"))
    assert json.loads(empty.to_json())["deposits"] == []  # the table, with no rows: present, empty
    none = _report(book(tmp_path / "none", {}, accounts=ACCOUNTS, reserve_bank_accounts=RBA))
    data = json.loads(none.to_json())
    assert "deposits" not in data and data["parameters"]["bank_opens_at"] is None
    assert none.deposits is None and ReportFigures.from_data(data).deposits is None


def test_an_older_report_without_them(tmp_path):
    data = json.loads(_report(deposits_book(tmp_path, [dep()])).to_json())
    del data["deposits"]
    del data["parameters"]["bank_opens_at"]
    fig = ReportFigures.from_data(data)
    assert fig.deposits is None and fig.bank_opens_at is None
    assert Report.from_json(json.dumps(data)).deposits is None


def test_a_bad_deposits_section_is_located(tmp_path):
    data = json.loads(_report(deposits_book(tmp_path, [dep()])).to_json())
    data["deposits"][0].update(amount="0.00", credited_at="2026-11-24", kind="credit", computation="firm")
    data["parameters"]["bank_opens_at"] = "8am"
    # report_problems leaves them to their readers (`reserve series` passes the file over, in
    # its own words); ReportFigures keeps them, located, and Report.from_json refuses them
    assert report_problems(data, require_schema=True) == []
    fig = ReportFigures.from_data(data)
    assert fig.deposits is None and fig.bank_opens_at is None
    assert list(fig.deposit_problems) == [
        "parameters.bank_opens_at: found the text '8am'; expected a time of day such as \"08:30\", or null",
        "deposits[0].computation: found the text 'firm'; expected 'customer' or 'pab'",
        "deposits[0].credited_at: found the text '2026-11-24'; expected a date and time such as "
        "\"2026-11-24T08:45:00\" (no time zone)",
        "deposits[0].kind: found the text 'credit'; expected 'deposit' or 'withdrawal'",
        "deposits[0].amount: found '0.00'; expected an amount more than zero",
    ]
    with pytest.raises(ReportInvalid) as exc:
        Report.from_json(json.dumps(data))
    assert exc.value.problems == list(fig.deposit_problems)


def test_the_assumptions_line(tmp_path):
    def lines(report):
        return [a.text for a in report.assumptions if a.key == "deposits_table"]
    assert lines(_report(deposits_book(tmp_path, [dep()], name="a"))) == [DEPOSITS_ASSUMPTION]
    assert lines(_report(deposits_book(tmp_path, [], name="b"))) == [DEPOSITS_ASSUMPTION]
    assert lines(_report(book(tmp_path / "c", {}, accounts=ACCOUNTS, reserve_bank_accounts=RBA))) == []
    assert DEPOSITS_ASSUMPTION == ("Deposits table: carried to report.json for `reserve series`, which checks each "
                                   "deposit needed against the deposits credited by its deadline; this computation's "
                                   "figures do not use it.")


# ------------------------------------------------------------------ the page and the workbook


def test_the_page_and_the_workbook_list_the_rows(tmp_path):
    folder = write_book(tmp_path / "book", {"bank_opens_at": "08:30"}, accounts=ACCOUNTS, reserve_bank_accounts=RBA,
                        deposits=[dep(reference="FW-<1102>")])
    b, r = api.compute_book(folder)
    api.write_outputs(tmp_path / "out", b, r)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert '<section id="deposits">' in html and "Deposits and withdrawals recorded (1)" in html
    assert ("<td>RB-1</td><td>Customer</td><td>2026-11-24 08:45:00</td><td>deposit</td>"
            '<td class="num">1,603,349.70</td><td>FW-&lt;1102&gt;</td>') in html
    assert "checks these rows" in html and "reserve series" in html
    assert '<a href="#deposits">Deposits (1)</a>' in html
    assert "credited_at: 2026-11-24 08:45:00 · kind: deposit" in html  # the row's schedule keeps the hour
    wb = load_workbook(tmp_path / "out" / "report.xlsx")
    rows = list(wb["Deposits"].iter_rows(values_only=True))
    assert rows[2] == ("account_id", "computation", "credited_at", "kind", "amount", "reference", "file", "sheet", "row")
    assert rows[3][:6] == ("RB-1", "customer", dt.datetime(2026, 11, 24, 8, 45), "deposit", 1603349.7, "FW-<1102>")
    assert "reserve series" in rows[1][0]


def test_no_listing_without_the_table(tmp_path):
    folder = write_book(tmp_path / "book", {}, accounts=ACCOUNTS, reserve_bank_accounts=RBA)
    b, r = api.compute_book(folder)
    api.write_outputs(tmp_path / "out", b, r)
    assert 'id="deposits"' not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Deposits" not in load_workbook(tmp_path / "out" / "report.xlsx").sheetnames


@pytest.mark.parametrize("code,hour", [
    ("yyyy-mm-dd hh:mm", True), ("m/d/yyyy h:mm AM/PM", True), ("[h]:mm:ss", True), ("dd/mm/yyyy HH:MM", True),
    ("yyyy-mm-dd", False), ('yyyy-mm-dd "h"', False), ("yyyy-mm-dd \\h", False), ("[$-409]mmmm d, yyyy", False),
    ("[Red]yyyy-mm-dd", False), ("General", False),
])
def test_which_excel_formats_show_the_hour(code, hour):
    from reserve.book.read import format_shows_hour

    assert format_shows_hour(code) is hour


@pytest.mark.parametrize("value,out", [
    (dt.time(8, 30), "08:30"), ("08:30", "08:30"), ("8:30", "08:30"), (" 00:00 ", "00:00"), ("23:59", "23:59"),
])
def test_parse_clock(value, out):
    from reserve.book.cells import parse_clock

    assert parse_clock(value) == out


@pytest.mark.parametrize("value,why", [
    (dt.time(8, 30, 15), "seconds"), (dt.datetime(2026, 11, 24, 8, 30), "a date"), (dt.timedelta(hours=8), "not a time"),
    (0.354166, "a number"), ("24:00", "no such time"), ("08h30", "HH:MM"),
])
def test_parse_clock_refuses(value, why):
    from reserve.book.cells import parse_clock

    with pytest.raises(ValueError, match=why):
        parse_clock(value)
