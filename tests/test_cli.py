"""The command line (README.md "Commands"): help on every command; exit codes 0 (success),
1 (invalid book or failed check: problems printed, nothing written), 2 (usage error)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bookkit import write_book
from click.testing import CliRunner

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
    assert "parameters.csv, sheet parameters, row 3, column value: no such day found '2026-11-31'" in err.replace('; ', ' ')
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
    assert sorted(p.name for p in out.iterdir()) == [".reserve-outputs.json", "report.json"]  # the set and its manifest
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


# --------------------------------------------------------------------------- issue 10: nothing silent, one line each


def run_err(*args):
    """Run the command line; the result, with the checks every user mistake must pass: exit 1
    or 2, an `Error:` line, and no traceback."""
    r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert "Traceback" not in r.output and "Traceback" not in r.stderr
    return r


def sample_book() -> Path:
    return Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx"


def test_compute_out_that_is_a_file_is_one_line(tmp_path):
    f = tmp_path / "out"
    f.write_text("mine")
    r = run_err("compute", good_book(tmp_path / "book"), "--out", f, "--format", "json")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines() == [f"Error: --out {f} is a file, not a folder; give a folder for the report"]
    assert f.read_text() == "mine"


def test_compute_out_under_a_missing_folder_is_one_line(tmp_path):
    out = tmp_path / "no" / "out"
    r = run_err("compute", good_book(tmp_path / "book"), "--out", out, "--format", "json")
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "does not exist; create it first" in r.stderr
    assert not (tmp_path / "no").exists()


def test_compute_out_that_holds_other_files_is_refused(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "budget.xlsx").write_text("x")
    r = run_err("compute", good_book(tmp_path / "book"), "--out", home, "--format", "json")
    assert r.exit_code == 1 and "not a reserve report folder" in r.stderr
    assert [p.name for p in home.iterdir()] == ["budget.xlsx"]


def test_compute_read_only_folder_is_one_line(tmp_path, monkeypatch):
    """Found (issue 10): --out a read-only folder was a traceback. (Tests may run as root, for
    whom nothing is read-only: the refusal of the file system is simulated.)"""
    from pathlib import Path as P

    book = good_book(tmp_path / "book")
    real_mkdir = P.mkdir

    def denied(self, *a, **k):
        if ".reserve-new-" in self.name:
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(P, "mkdir", denied)
    r = run_err("compute", book, "--out", tmp_path / "out", "--format", "json")
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("Error: cannot write the report in") and "Permission denied" in r.stderr
    assert "nothing was written" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book"]


def test_compute_full_disk_is_one_line_and_leaves_the_old_report(tmp_path, monkeypatch):
    """Found (issue 10): a full disk was a traceback. ENOSPC from the renderer, half-way."""
    import errno

    from reserve.report import render

    book = good_book(tmp_path / "book")
    out = tmp_path / "out"
    assert run("compute", book, "--out", out, "--quiet").exit_code == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full(folder, *a, **k):
        (folder / "report.html").write_text("<html>half")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "report.xlsx"))

    monkeypatch.setattr(render, "render_all", full)
    r = run_err("compute", book, "--out", out)
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "No space left on device" in r.stderr and "nothing was written" in r.stderr
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book", "out"]


def test_an_unexpected_exception_is_an_internal_error_with_a_log(tmp_path, monkeypatch):
    import reserve.formula
    from reserve.report import render

    book = good_book(tmp_path / "book")
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "logs"))
    (tmp_path / "logs").mkdir()

    def bug(*a, **k):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(reserve.formula, "compute", bug)
    r = run_err("compute", book, "--out", tmp_path / "out")
    assert r.exit_code == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: internal error (ZeroDivisionError)")
    assert "nothing was written" in lines[0]
    logs = list((tmp_path / "logs").glob("reserve-internal-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in lines[0]
    text = logs[0].read_text()
    assert "Traceback" in text and "ZeroDivisionError: a bug" in text
    assert not (tmp_path / "out").exists()
    # a bug in a renderer, half-way through the set: the earlier report stays whole
    monkeypatch.undo()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "logs"))
    out = tmp_path / "out"
    assert run("compute", book, "--out", out, "--quiet", "--format", "json").exit_code == 0
    before = (out / "report.json").read_bytes()

    def broken(folder, *a, **k):
        (folder / "report.html").write_text("half")
        raise KeyError("oops")

    monkeypatch.setattr(render, "render_all", broken)
    r = run_err("compute", book, "--out", out)
    assert r.exit_code == 1 and "internal error (KeyError)" in r.stderr
    assert (out / "report.json").read_bytes() == before and not (out / "report.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_template_refuses_to_overwrite_without_force(tmp_path):
    """Found (issue 10): `reserve template book.xlsx` overwrote a filled-in book."""
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"a filled-in book")
    r = run_err("template", path)
    assert r.exit_code == 1
    assert r.stderr.strip() == f"Error: {path} already exists; use --force to replace it"
    assert path.read_bytes() == b"a filled-in book"
    r = run_err("template", path, "--force")
    assert r.exit_code == 0 and path.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx"]


def test_template_and_sample_into_a_missing_folder_are_one_line(tmp_path):
    """Found (issue 10): `reserve template` / `reserve sample` into a folder that does not exist
    were tracebacks. The folders above what you name must exist (reserve creates no others)."""
    r = run_err("template", tmp_path / "no" / "book.xlsx")
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1 and "does not exist" in r.stderr
    r = run_err("sample", tmp_path / "no" / "samples")
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1 and "does not exist" in r.stderr
    assert not (tmp_path / "no").exists()
    r = run_err("sample", tmp_path / "samples")  # the folder named itself is created
    assert r.exit_code == 0 and (tmp_path / "samples" / "weekly_book.xlsx").exists()


def test_sample_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "samples"
    assert run("sample", target).exit_code == 0
    (target / "weekly_book.xlsx").write_bytes(b"my edits")
    r = run_err("sample", target)
    assert r.exit_code == 1 and "--force" in r.stderr
    assert (target / "weekly_book.xlsx").read_bytes() == b"my edits"
    assert run("sample", target, "--force").exit_code == 0
    assert (target / "weekly_book.xlsx").read_bytes() == sample_book().read_bytes()


def test_fail_on_severe_exits_1_after_writing_the_report(tmp_path):
    book = write_book(tmp_path / "book", accounts=[{"account_id": "C1", "book": "customer", "type": "cash",
                                                    "balance": "1000"}])  # no reserve bank account: a deposit is due
    out = tmp_path / "out"
    r = run_err("compute", book, "--out", out, "--format", "json", "--quiet")
    assert r.exit_code == 0
    report = json.loads((out / "report.json").read_text())
    severe = sum(1 for e in report["exceptions"] if e["severity"] == "severe")
    assert severe >= 1
    (out / "report.json").unlink()
    r = run_err("compute", book, "--out", out, "--format", "json", "--quiet", "--fail-on", "severe")
    assert r.exit_code == 1
    assert r.stderr.strip() == f"FAIL: {severe} severe exception(s) (--fail-on severe)"
    assert (out / "report.json").exists()  # written first
    r = run_err("check", book, "--expected", out / "report.json", "--fail-on", "severe")
    assert r.exit_code == 1 and "--fail-on severe" in r.output
    assert run_err("check", book, "--expected", out / "report.json").exit_code == 0


def test_text_from_the_book_reaches_the_terminal_without_control_sequences(tmp_path):
    """Found (issue 10): a firm name holding terminal escape sequences reached the terminal raw."""
    firm = "Evil\x1b[2J\x1b]8;;http://x.example\x07Corp\x9b31m\u202e LLC\r"
    book = write_book(tmp_path / "book", {"firm_name": firm},
                      accounts=[{"account_id": "C1\x1b[31m", "book": "customer", "type": "cash", "balance": "5"},
                                {"account_id": "C2", "book": "customer\x1b[1m", "type": "cash", "balance": "5"}])
    r = run_err("validate", book)
    assert r.exit_code == 1
    r2 = run_err("compute", write_book(tmp_path / "ok", {"firm_name": firm},
                                       accounts=[{"account_id": "C1", "book": "customer", "type": "cash",
                                                  "balance": "5"}]), "--out", tmp_path / "out", "--format", "json")
    assert r2.exit_code == 0, r2.output
    assert "EvilCorp LLC — reserve computation" in r2.stdout
    for text in (r.stdout, r.stderr, r2.stdout, r2.stderr):
        assert not [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7f <= ord(c) <= 0x9f
                    or c == "\u202e"], repr(text)
    # the report itself keeps the name as read (it is data, escaped by each renderer)
    assert "\x1b[2J" in json.loads((tmp_path / "out" / "report.json").read_text())["firm_name"]


def test_terminal_safe():
    from reserve.terminal import safe

    assert safe("plain text, 1,234.50 — ok\n\tnext") == "plain text, 1,234.50 — ok\n\tnext"
    assert safe("a\x1b[2Jb\x1b]0;title\x07c\x1b]8;;http://x\x1b\\d\x1bce\x00f\x7fg\x85h\u202ei") == "abcdefghi"


def test_summary_shows_the_sweep_and_the_path_to_the_result(tmp_path):
    """Found (issue 10): the summaries left out the sweep, so "required 2,969,942.52, on deposit
    2,557,142.85, no deposit needed" read as an arithmetic error."""
    r = run_err("compute", sample_book(), "--out", tmp_path / "out", "--format", "json")
    assert r.exit_code == 0, r.output
    text = r.stdout
    for caption in ("required deposit", "less offset by customer excess debits", "less next-day sweep credits",
                    "on deposit", "deposit needed", "withdrawal permitted"):
        assert caption in text
    assert "750,000.00" in text and "exception(s): " in text and " severe, " in text
    r = run_err("compute", sample_book(), "--out", tmp_path / "out", "--format", "json", "--json")
    s = json.loads(r.stdout)
    assert set(s["customer"]) >= {"required_deposit", "offset_by_customer_excess_debits", "sweep", "on_deposit",
                                  "deposit_needed", "withdrawal_permitted", "deposit_deadline", "result"}
    assert s["customer"]["sweep"] == "750000.00"
    assert set(s["exceptions_by_severity"]) == {"severe", "review", "info"}
    assert sum(s["exceptions_by_severity"].values()) == s["exceptions"]


def test_summary_text_and_json_come_from_one_function(tmp_path):
    from dataclasses import replace
    from datetime import date

    from reserve.api import compute_book
    from reserve.formula.model import Severity
    from reserve.report.model import ReportException, build_report
    from reserve.report.summary import summary, summary_text

    b, result = compute_book(good_book(tmp_path / "book"))
    report = build_report(b, result)
    figures = dict(required_deposit=10000, offset_by_customer_excess_debits=0, on_deposit=5000,
                   withdrawal_permitted=0, deposit_deadline=date(2026, 11, 24))
    comps = {n: replace(c, **figures, sweep=3000 if n == "customer" else 0,
                        deposit_needed=2000 if n == "customer" else 5000)
             for n, c in report.computations.items()}
    exceptions = (ReportException("r", None, Severity.SEVERE, None, None, "m"),
                  ReportException("r", None, Severity.INFO, None, None, "m"))
    s = summary(replace(report, computations=comps, exceptions=exceptions))
    d = s.to_dict()
    assert d["customer"]["result"] == "deposit needed" and d["exceptions_by_severity"] == {"severe": 1, "review": 0,
                                                                                          "info": 1}
    assert d["customer"]["deposit_needed"] == "20.00" and d["customer"]["deposit_deadline"] == "2026-11-24"
    text = summary_text(s)
    assert "Customer: DEPOSIT NEEDED 20.00 (after 30.00 of sweep credits) by one hour after banks open on " \
           "Tuesday 2026-11-24" in text
    assert "2 exception(s): 1 severe, 0 review, 1 info" in text


def test_huge_line_totals_format_everywhere(tmp_path):
    """Found (issue 10): line totals past the decimal formatter's range raised "too large" in
    the renderers and the CLI summary. Formatting is exact for any int (the book's amounts
    are bounded where they are read; the formatting must never raise)."""
    from dataclasses import replace

    from reserve.api import compute_book, write_outputs
    from reserve.money import format_cents, format_display, parse_decimal_text
    from reserve.report.model import build_report
    from reserve.report.summary import summary, summary_text

    for cents in (2**63, -(2**63) - 1, 10**40 + 7, -(10**5000) - 13):
        for f in (format_cents, format_display):
            assert parse_decimal_text(f(cents)) == cents
    assert format_display(94467440737095516_16) == "94,467,440,737,095,516.16"
    b, result = compute_book(good_book(tmp_path / "book"))
    report = build_report(b, result)
    huge = 10**30 + 1
    report = replace(report, computations={
        n: replace(c, total_credits=huge, excess_credits=huge, required_deposit=huge, deposit_needed=huge,
                   lines=tuple(replace(line, amount=huge) for line in c.lines))
        for n, c in report.computations.items()})
    assert "10,000,000,000,000,000,000,000,000,000.01" in summary_text(summary(report))
    write_outputs(tmp_path / "out", b, result, report=report)
    assert "10,000,000,000,000,000,000,000,000,000.01" in (tmp_path / "out" / "report.html").read_text()


def test_a_test_computation_says_so_on_the_terminal_and_in_json(tmp_path):
    """parameters.test_run (SEC staff FAQ of 2025-12-08): the summary's title and a line say it is a
    test computation, and --json carries test_run; an ordinary run says test_run false."""
    accounts = [{"account_id": "A1", "book": "customer", "balance": "100"}]
    test = write_book(tmp_path / "t", {"test_run": "true"}, accounts=accounts)
    res = run("compute", str(test), "--out", str(tmp_path / "rt"), "--format", "json")
    assert res.exit_code == 0, res.output
    assert "TEST COMPUTATION (parameters.test_run)" in res.output.splitlines()[0]
    assert "it permits no withdrawal and `reserve series` shows it apart" in res.output
    res = run("compute", str(test), "--out", str(tmp_path / "rt2"), "--format", "json", "--json")
    assert json.loads(res.output)["test_run"] is True
    plain = write_book(tmp_path / "p", {}, accounts=accounts)
    res = run("compute", str(plain), "--out", str(tmp_path / "rp"), "--format", "json", "--json")
    assert json.loads(res.output)["test_run"] is False


def test_arrow_memory_pool(tmp_path, monkeypatch):
    # A command that loads a book takes Arrow's buffers from jemalloc (reserve.memory.arrow_from_jemalloc,
    # issue 13: a lower peak at 10M accounts); ARROW_DEFAULT_MEMORY_POOL, when set, is kept.
    import pyarrow as pa

    before = pa.default_memory_pool()
    try:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
        pa.set_memory_pool(pa.system_memory_pool())
        assert run("validate", good_book(tmp_path / "a")).exit_code == 0
        assert pa.default_memory_pool().backend_name == "jemalloc"
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
        pa.set_memory_pool(pa.system_memory_pool())
        assert run("validate", tmp_path / "a").exit_code == 0
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(before)


def test_memory_policy_is_kept_for_the_computing_and_given_back_before_the_writers(tmp_path, monkeypatch):
    # reserve/memory.py (issue 13): `compute` keeps freed memory while the book is loaded and
    # computed, and gives it back before the report writers (so their peak is not raised by it);
    # the outputs are the same either way (the policy changes the time only).
    import reserve.memory as memory
    from reserve.formula import computation

    calls: list[str] = []
    keep, give = memory.keep_freed_memory, memory.give_back_freed_memory
    monkeypatch.setattr(memory, "keep_freed_memory", lambda: calls.append("keep") or keep())
    monkeypatch.setattr(memory, "give_back_freed_memory", lambda: calls.append("give back") or give())
    real_compute = computation.compute
    monkeypatch.setattr("reserve.formula.compute",
                        lambda b, p: calls.append("compute") or real_compute(b, p))
    book = good_book(tmp_path / "a")
    assert run("compute", book, "--out", tmp_path / "kept", "--format", "json").exit_code == 0
    assert calls == ["keep", "compute", "give back"]
    assert memory._kept is False  # given back: the heap trimmed, the writers' thresholds set (reserve/memory.py)
    monkeypatch.setattr(memory, "keep_freed_memory", lambda: [])  # the process as it was
    assert run("compute", book, "--out", tmp_path / "plain", "--format", "json").exit_code == 0
    strip = lambda p: re.sub(r'"run_at": "[^"]*"', "", p.read_text(encoding="utf-8"))  # noqa: E731
    assert strip(tmp_path / "kept" / "report.json") == strip(tmp_path / "plain" / "report.json")


def test_keep_freed_memory_applies_what_this_platform_has():
    import platform
    import sys

    import reserve.memory as memory

    applied = memory.keep_freed_memory()
    try:
        if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
            assert "glibc heap kept" in applied and memory._kept
        assert "numpy no huge-page advice" in applied  # numpy 1.26 to 2.x have the switch
    finally:
        memory.give_back_freed_memory()
    assert memory._kept is False
    memory.give_back_freed_memory()  # twice: nothing to undo, no error
