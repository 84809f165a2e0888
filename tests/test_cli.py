"""The command line (SPEC.md "Commands"): help on every command; exit codes 0 (success),
1 (invalid book or failed check: problems printed, nothing written), 2 (usage error)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bookkit import write_book
from reserve.cli import main

AMOUNT = re.compile(r"^-?\d+\.\d\d$")
COMPUTATION_KEYS = {
    "items", "other_credits", "other_debits", "total_credits", "aggregate_debits", "debit_reduction",
    "total_debits", "excess_credits", "excess_debits", "required_deposit", "offset_by_customer_excess_debits",
    "on_deposit", "deposit_needed", "withdrawal_permitted", "deposit_deadline",
}
AMOUNT_KEYS = COMPUTATION_KEYS - {"items", "deposit_deadline"}


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def good_book(folder: Path) -> Path:
    return write_book(
        folder,
        accounts=[
            {"account_id": "C1", "book": "customer", "balance": "1,000,000.00"},
            {"account_id": "C2", "book": "customer", "type": "margin", "balance": "-250,000.00"},
            {"account_id": "P1", "book": "pab", "balance": "40,000.00"},
        ],
        items=[{"item_id": "BL1", "book": "customer", "kind": "bank_loan", "amount": "100000"},
               {"item_id": "SB1", "book": "customer", "kind": "securities_borrowed", "amount": "50000"}],
        reserve_bank_accounts=[{"account_id": "R1", "book": "customer", "bank_id": "B", "bank_name": "Bank",
                                "bank_equity_capital": "1000000000", "cash": "500000",
                                "written_notification": "TRUE"}],
    )


def bad_book(folder: Path) -> Path:
    return write_book(
        folder, {"as_of": "2026-11-31"},
        accounts=[{"account_id": "C1", "book": "customer", "balance": "1.005"},
                  {"account_id": "C2", "book": "client", "balance": "5"}],
    )


# --------------------------------------------------------------------------- help and usage


def test_help_lists_every_command():
    r = run("--help")
    assert r.exit_code == 0
    for name in main.commands:
        assert name in r.output


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(command):
    r = run(command, "--help")
    assert r.exit_code == 0, r.output
    assert "Usage:" in r.output and command in r.output
    assert main.commands[command].help  # a sentence saying what it does


def test_version():
    r = run("--version")
    assert r.exit_code == 0 and "reserve" in r.output


@pytest.mark.parametrize("args", [
    ["compute"],  # missing BOOK
    ["no-such-command"],
    ["validate", "a", "b"],
    ["calendar", "nineteen"],
    ["calendar", "1800"],
    ["compute", "book", "--format", "pdf"],
    ["template", "book.csv"],
    ["check", "book"],  # --expected is required
])
def test_usage_errors_exit_2(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run(*args)
    assert r.exit_code == 2, r.output
    assert "Usage:" in r.output or "Error" in r.output
    assert not (tmp_path / "reserve-report").exists()


# --------------------------------------------------------------------------- validate


def test_validate_good_book(tmp_path):
    book = good_book(tmp_path / "book")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    r = run("validate", book)
    assert r.exit_code == 0, r.output
    assert "valid book" in r.output and "accounts 3" in r.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_validate_bad_book_lists_every_problem_and_writes_nothing(tmp_path):
    book = bad_book(tmp_path / "book")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    r = run("validate", book)
    assert r.exit_code == 1
    err = r.stderr
    assert "3 problem(s)" in err and "nothing was written" in err
    assert "parameters.csv, sheet parameters, row 3, column value: found '2026-11-31'" in err.replace('; ', ' ')
    assert "accounts.csv, sheet accounts, row 2, column balance" in err and "'1.005'" in err
    assert "accounts.csv, sheet accounts, row 3, column book: found 'client'; expected one of" in err
    assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_validate_missing_book(tmp_path):
    r = run("validate", tmp_path / "nope.xlsx")
    assert r.exit_code == 1 and "file not found" in r.stderr


def test_validate_the_sample_book():
    sample = Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"
    r = run("validate", sample)
    assert r.exit_code == 0, r.output


def test_problem_list_is_capped_on_screen(tmp_path):
    rows = [{"account_id": f"A{i}", "book": "customer", "balance": "x"} for i in range(260)]
    r = run("validate", write_book(tmp_path / "b", accounts=rows))
    assert r.exit_code == 1
    assert "260 problem(s)" in r.stderr and "... and 60 more" in r.stderr


# --------------------------------------------------------------------------- compute


def test_compute_writes_report_json(tmp_path):
    out = tmp_path / "out"
    r = run("compute", good_book(tmp_path / "book"), "--out", out, "--format", "json")
    assert r.exit_code == 0, r.output
    assert "Example Securities LLC" in r.output and "wrote" in r.output
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]
    report = json.loads((out / "report.json").read_text())
    assert report["schema"] == "reserve.report/1"
    assert report["firm_name"] == "Example Securities LLC" and report["as_of"] == "2026-11-20"
    for name in ("customer", "pab"):
        c = report["computations"][name]
        assert COMPUTATION_KEYS <= set(c), COMPUTATION_KEYS - set(c)
        assert set(c["items"]) == {str(i) for i in range(1, 16)}
        for k, v in c["items"].items():
            assert isinstance(v, str) and AMOUNT.match(v), (name, k, v)
        for k in AMOUNT_KEYS:
            assert isinstance(c[k], str) and AMOUNT.match(c[k]), (name, k, c[k])
        assert re.match(r"^\d{4}-\d\d-\d\d$", c["deposit_deadline"])
    cust = report["computations"]["customer"]
    assert cust["items"]["1"] == "1000000.00" and cust["items"]["2"] == "100000.00"
    assert cust["items"]["10"] == "250000.00" and cust["items"]["11"] == "50000.00"
    assert report["computations"]["pab"]["items"]["1"] == "40000.00"
    assert isinstance(report["note_h"], list) and isinstance(report["exceptions"], list)
    for e in report["exceptions"]:
        assert {"rule", "computation", "source", "amount", "message"} <= set(e)
    files = {Path(i["file"]).name for i in report["inputs"]}
    assert {"accounts.csv", "parameters.csv", "items.csv"} <= files
    for i in report["inputs"]:
        assert {"file", "table", "rows", "sha256"} <= set(i) and re.match(r"^[0-9a-f]{64}$", i["sha256"])


def test_compute_json_summary(tmp_path):
    r = run("compute", good_book(tmp_path / "book"), "--out", tmp_path / "out", "--format", "json", "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["as_of"] == "2026-11-20"
    assert set(summary["customer"]) >= {"required_deposit", "on_deposit", "deposit_needed", "deposit_deadline"}


def test_compute_all_formats(tmp_path):
    pytest.importorskip("reserve.report.render", reason="HTML/workbook renderers not written yet")
    out = tmp_path / "out"
    r = run("compute", good_book(tmp_path / "book"), "--out", out)
    assert r.exit_code == 0, r.output
    assert {"report.html", "report.json", "report.xlsx"} <= {p.name for p in out.iterdir()}


def test_compute_bad_book_writes_nothing(tmp_path):
    out = tmp_path / "out"
    r = run("compute", bad_book(tmp_path / "book"), "--out", out, "--format", "json")
    assert r.exit_code == 1
    assert "3 problem(s)" in r.stderr and "nothing was written" in r.stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temporary folder left


def test_compute_default_out_folder(tmp_path, monkeypatch):
    book = good_book(tmp_path / "book")
    monkeypatch.chdir(tmp_path)
    r = run("compute", book, "--format", "json", "--quiet")
    assert r.exit_code == 0, r.output
    assert r.output == ""
    assert (tmp_path / "reserve-report" / "report.json").exists()


def test_compute_compare_refuses_a_file_that_is_not_a_report(tmp_path):
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"schema": "something/else"}))
    r = run("compute", good_book(tmp_path / "book"), "--out", tmp_path / "out", "--format", "json",
            "--compare", other)
    assert r.exit_code == 1 and "not a reserve report.json" in r.stderr
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- check


def test_check_passes_and_fails(tmp_path):
    book = good_book(tmp_path / "book")
    out = tmp_path / "out"
    assert run("compute", book, "--out", out, "--format", "json", "--quiet").exit_code == 0
    r = run("check", book, "--expected", out / "report.json")
    assert r.exit_code == 0, r.output
    expected = json.loads((out / "report.json").read_text())
    expected["computations"]["customer"]["items"]["1"] = "999999.99"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(expected))
    r = run("check", book, "--expected", changed)
    assert r.exit_code == 1 and "FAIL" in r.output
    r = run("check", bad_book(tmp_path / "bad"), "--expected", out / "report.json")
    assert r.exit_code == 1 and "problem(s)" in r.stderr


# --------------------------------------------------------------------------- template, sample, calendar


def test_template_command(tmp_path):
    path = tmp_path / "new book.xlsx"
    r = run("template", path)
    assert r.exit_code == 0, r.output
    assert path.exists() and f"wrote {path}" in r.output
    r = run("validate", path)  # empty: firm_name and as_of still to fill in
    assert r.exit_code == 1 and "'firm_name' is required" in r.stderr and "'as_of' is required" in r.stderr


def test_sample_command(tmp_path):
    target = tmp_path / "samples"
    r = run("sample", target)
    assert r.exit_code == 0, r.output
    assert (target / "weekly_book.xlsx").exists() and "weekly_book.xlsx" in r.output
    assert run("validate", target / "weekly_book.xlsx").exit_code == 0


def test_calendar_command():
    r = run("calendar", "2026")
    assert r.exit_code == 0, r.output
    out = r.output
    assert "2026-11-26 Thu  Thanksgiving" in out.replace("Thanksgiving Day", "Thanksgiving")
    rows = [line for line in out.splitlines() if re.match(r"^2026-\d\d-\d\d ", line)]
    friday = next(line for line in rows if line.startswith("2026-11-20"))
    assert "yes" in friday.split()  # a weekly computation date
    assert not any(line.startswith("2026-11-26 Thu  yes") for line in rows)


def test_calendar_with_a_books_holidays(tmp_path):
    book = write_book(tmp_path / "b", accounts=[{"account_id": "A", "book": "customer", "balance": "1"}],
                      holidays=[{"date": "2026-12-24", "name": "Firm closed"}])
    r = run("calendar", "2026", "--book", book)
    assert r.exit_code == 0, r.output
    assert "Firm closed" in r.output
