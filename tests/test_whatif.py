"""`reserve whatif` (issue 15 item 4): the book as it is beside the book with settings applied."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from bookkit import acct, write_book
from click.testing import CliRunner

from reserve.api import whatif
from reserve.book.scenario import ScenarioInvalid, SettingError, parse_setting
from reserve.cli import main

SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "weekly_book.xlsx"


def _book(tmp_path: Path) -> Path:
    # credits $2,000,000.00 (Item 1), aggregate debits $1,000,000.00 (Item 10)
    return write_book(tmp_path / "book", accounts=[acct("C-1", "2000000"), acct("C-2", "-1000000")])


def _summary(w, key: str, name: str = "customer"):
    c = next(c for c in w.computations if c.name.value == name)
    f = next(f for f in c.summary if f.key == key)
    return f.base, f.scenario, f.difference


def test_weekly_three_percent_vs_daily_two_percent(tmp_path):
    w = whatif(_book(tmp_path), ["frequency=daily", "daily_basis=required"])
    # Rule 15c3-1(a)(1)(ii)(A): 3% of $1,000,000.00 = $30,000.00; daily, 2% = $20,000.00.
    # Item 16: 2,000,000.00 - (1,000,000.00 - 30,000.00) = 1,030,000.00 vs 1,020,000.00
    assert _summary(w, "debit_reduction") == (3_000_000, 2_000_000, -1_000_000)
    assert _summary(w, "required_deposit") == (103_000_000, 102_000_000, -1_000_000)
    c = w.computations[0]
    assert (c.base_rate, c.scenario_rate) == ("3%", "2%")
    assert c.lines == ()  # no line of Items 1-15 moves; the summary is always shown
    assert w.computations[1].base_rate == "none"  # PAB Note 4


def test_basic_one_percent_vs_alternative_three_percent(tmp_path):
    w = whatif(_book(tmp_path), ["net_capital_method=basic"])
    # Note E(3): 1% of Item 10 = 1% of 1,000,000.00 = 10,000.00; 2,000,000.00 - 990,000.00 = 1,010,000.00
    assert _summary(w, "debit_reduction") == (3_000_000, 1_000_000, -2_000_000)
    assert _summary(w, "required_deposit") == (103_000_000, 101_000_000, -2_000_000)
    assert w.computations[0].scenario_rate == "1%"
    assert w.settings[0].before == ("alternative",) and w.settings[0].after == "basic"


def test_note_h_condition_not_met(tmp_path):
    w = whatif(SAMPLE, ["cca[cca_id=FICC].written_contract=false"])
    c = w.computations[0]
    item_15 = next(f for f in c.lines if f.key == "item_15")
    assert item_15.base > 0 and item_15.scenario == 0  # the sample's Item 15 is all at FICC
    assert any(e.rule == "Note H(b)(2)(iii)(D)" for e in w.appeared)
    assert w.settings[0].rows == 1


def test_omnibus_net_vs_own_gross(tmp_path):
    sel = "cca_requirements[account_id=C-2001]"
    # omnibus_net must agree with basis net (reading: h_account_structure): alone it is the book's problem
    with pytest.raises(ScenarioInvalid) as exc:
        whatif(SAMPLE, [f"{sel}.account_structure=omnibus_net"])
    assert all(f"--set {sel}.account_structure=omnibus_net" in p.message for p in exc.value.problems)
    w = whatif(SAMPLE, [f"{sel}.account_structure=omnibus_net", f"{sel}.basis=net"])
    assert w.settings[0].rows == 2  # the selector picks both of C-2001's requirement rows
    base, scenario, diff = _summary(w, "aggregate_debits")
    assert diff < 0 and scenario == base + diff


@pytest.mark.parametrize("setting, says", [
    ("frequncy=daily", "did you mean 'frequency'"),
    ("ca[cca_id=FICC].written_contract=false", "did you mean 'cca'"),
    ("cca[cca_id=FICC].writen_contract=false", "did you mean 'written_contract'"),
    ("nonsense", "a setting is NAME=VALUE"),
    # a blank would take the parameter's default (or read as not stated) and look like no change
    ("frequency=", "the value is blank"),
    ("cca[cca_id=FICC].written_contract=  ", "the value is blank"),
])
def test_unknown_names_are_one_line(setting, says):
    with pytest.raises(SettingError, match=says):
        parse_setting(setting)


def test_cli_bad_settings(tmp_path):
    book = _book(tmp_path)
    r = CliRunner().invoke(main, ["whatif", str(book), "--set", "frequncy=daily"])
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0 and "did you mean 'frequency'" in r.stderr
    r = CliRunner().invoke(main, ["whatif", str(book), "--set", "accounts[account_id=NOPE].balance=1"])
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0 and "no row of accounts has account_id 'NOPE'" in r.stderr
    r = CliRunner().invoke(main, ["whatif", str(book), "--set", "accounts[account_id=C-1].balance=$1,000.005"])
    assert r.exit_code == 1
    assert "row 2, column balance: from --set accounts[account_id=C-1].balance=$1,000.005" in r.stderr


def test_values_typed_by_the_books_converters(tmp_path):
    w = whatif(_book(tmp_path), ["accounts[account_id=C-1].balance=$1,500,000.00"])
    assert _summary(w, "total_credits") == (200_000_000, 150_000_000, -50_000_000)


def test_nothing_written_and_json(tmp_path, monkeypatch):
    book = _book(tmp_path)
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in book.iterdir()}
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    r = CliRunner().invoke(main, ["whatif", str(book), "--set", "frequency=daily", "--set", "daily_basis=required",
                                  "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    cust = data["computations"]["customer"]
    assert cust["debit_reduction_rate"] == {"base": "3%", "scenario": "2%"}
    red = next(f for f in cust["summary"] if f["key"] == "debit_reduction")
    assert (red["base"], red["scenario"], red["difference"]) == ("30000.00", "20000.00", "-10000.00")
    assert list(work.iterdir()) == []
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in book.iterdir()} == digests
    text = CliRunner().invoke(main, ["whatif", str(book), "--set", "frequency=daily"]).stdout
    assert "debit reduction (3% -> 2%)" in text


def test_help():
    r = CliRunner().invoke(main, ["whatif", "--help"])
    assert r.exit_code == 0 and "--set" in r.output
