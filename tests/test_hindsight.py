"""Hindsight re-performance over a series: `reserve reperform BOOK... --series PATH` (issue 15
item 3; reserve.series.hindsight, reserve.report.hindsight_text). Small inline books; the
originals are computed here into a series folder, then one amount is changed for the
corrected book.

The books: one customer credit account A (no debits) and a reserve bank account holding
10,000.00 in cash (bank equity 1,000,000.00: the 15% cap of 150,000.00 does not bite).
Credits 10,000 - debits 0 -> required deposit 10,000.00, on deposit 10,000.00.
"""

from __future__ import annotations

import json
from datetime import date

from bookkit import write_book
from click.testing import CliRunner

from reserve import api
from reserve.cli import main
from reserve.series.hindsight import hindsight

FRI1, FRI2 = "2026-11-13", "2026-11-20"


def run(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def _book(folder, as_of, credit, firm="Example Securities LLC"):
    return write_book(folder, parameters={"as_of": as_of, "firm_name": firm},
                      accounts=[{"account_id": "A", "book": "customer", "balance": credit}],
                      reserve_bank_accounts=[{"account_id": "R", "book": "customer", "bank_id": "B", "bank_name": "Bank",
                                              "bank_equity_capital": "1000000", "cash": "10000",
                                              "written_notification": "true"}])


def _original(tmp_path, name, as_of, credit="10000", firm="Example Securities LLC"):
    """Compute the original and write its report.json under series/NAME."""
    b, r = api.compute_book(_book(tmp_path / "orig" / name, as_of, credit, firm))
    (tmp_path / "series").mkdir(exist_ok=True)
    api.write_outputs(tmp_path / "series" / name, b, r, formats=("json",))


def _series(tmp_path):
    """Two weeks of originals (required 10,000.00 each); corrected books: week 1's credit
    12,000.00 (required 12,000.00 > on deposit 10,000.00: deficiency 2,000.00), week 2's
    8,000.00 (required 8,000.00 <= 10,000.00: none)."""
    _original(tmp_path, "w1", FRI1)
    _original(tmp_path, "w2", FRI2)
    return (_book(tmp_path / "c1", FRI1, "12000"), _book(tmp_path / "c2", FRI2, "8000"))


def test_two_dates_one_deficiency_no_deposits(tmp_path):
    c1, c2 = _series(tmp_path)
    rows, notes, unmatched = api.hindsight([c1, c2], tmp_path / "series")
    assert unmatched == []
    cust = {r.as_of.isoformat(): r for r in rows if r.computation == "customer"}
    w1, w2 = cust[FRI1], cust[FRI2]
    # week 1: original 10,000.00, corrected 12,000.00; on deposit 10,000.00; deposits not
    # evidenced -> at the deadline = 10,000.00; deficiency 12,000 - 10,000 = 2,000.00;
    # above the original requirement 12,000 - 10,000 = 2,000.00
    assert (w1.original_required, w1.corrected_required, w1.on_deposit) == (1_000_000, 1_200_000, 1_000_000)
    assert not w1.evidenced and w1.at_deadline == 1_000_000
    assert (w1.deficiency, w1.above_original) == (200_000, 200_000)
    # week 2: corrected 8,000.00 < 10,000.00 on deposit: no deficiency, nothing above the original
    assert (w2.corrected_required, w2.deficiency, w2.above_original) == (800_000, 0, 0)
    # the lines that moved, largest first: week 1 Item 1 +2,000.00 with the totals and required deposit
    moved = {m.key: (m.original, m.corrected, m.difference) for m in w1.moves}
    assert moved["total_credits"] == (1_000_000, 1_200_000, 200_000)
    assert moved["required_deposit"] == (1_000_000, 1_200_000, 200_000)
    assert "on_deposit" not in moved
    diffs = [abs(m.difference) for m in w1.moves]
    assert diffs == sorted(diffs, reverse=True)
    # PAB: no PAB accounts, nothing moved
    assert all(not r.moves for r in rows if r.computation == "pab")

    code, out = run("reperform", c1, c2, "--series", tmp_path / "series")
    assert code == 1, out
    assert "2026-11-13  customer" in out and "<-- DEFICIENCY" in out
    assert "NOT EVIDENCED" in out and "deficiency against the balance at computation" in out and "Rule 15c3-3(e)(3)" in out
    assert "2026-11-20  customer" in out  # moved (lower), shown
    assert "2 computation(s) unchanged" in out  # the two PAB computations
    assert out.rstrip().endswith("DEFICIENCY: a corrected requirement exceeds what was on deposit.")


def test_lowered_requirement_only_exits_0_and_json(tmp_path):
    _, c2 = _series(tmp_path)
    code, out = run("reperform", c2, "--series", tmp_path / "series", "--json")
    assert code == 0, out
    doc = json.loads(out)
    cust = next(c for c in doc["computations"] if c["computation"] == "customer")
    assert cust["corrected_required"] == "8000.00" and cust["hindsight_deficiency"] == "0.00"
    assert cust["deposits_evidenced"] is False and cust["original_file"] == "w2/report.json"
    assert doc["totals"]["deficiencies"] == 0 and doc["assumptions"]


def test_deposits_mapping_reading():
    # original required 10,000.00, on deposit 10,000.00; corrected 12,500.00
    orig = {"required_deposit": 1_000_000, "on_deposit": 1_000_000}
    corr = {"required_deposit": 1_250_000, "on_deposit": 1_000_000}
    d = date(2026, 11, 13)
    # 1,500.00 credited by the deadline -> at the deadline 11,500.00 -> deficiency 12,500 - 11,500 = 1,000.00
    h = hindsight(d, "customer", "w1/report.json", orig, corr, {("customer", d): 150_000})
    assert h.evidenced and (h.at_deadline, h.deficiency) == (1_150_000, 100_000)
    # 3,000.00 credited -> 13,000.00 at the deadline -> none
    h = hindsight(d, "customer", "w1/report.json", orig, corr, {("customer", d): 300_000})
    assert h.deficiency == 0
    # a mapping without the date: not evidenced, nothing assumed -> 12,500 - 10,000 = 2,500.00
    h = hindsight(d, "customer", "w1/report.json", orig, corr, {("pab", d): 300_000})
    assert not h.evidenced and (h.deficiency, h.above_original) == (250_000, 250_000)


def test_no_original(tmp_path):
    c1, _ = _series(tmp_path)
    lost = _book(tmp_path / "c3", "2026-11-06", "12000")  # no original as of 2026-11-06
    code, out = run("reperform", lost, "--series", tmp_path / "series")
    assert code == 2
    assert "no original report" in out and "2026-11-06" in out
    code, out = run("reperform", lost, c1, "--series", tmp_path / "series")
    assert code == 1 and "Warning:" in out and "no original report" in out  # said; the other re-performed


def test_other_firm_and_test_run_are_not_originals(tmp_path):
    _original(tmp_path, "other", FRI1, firm="Other Broker Inc")
    p = tmp_path / "series" / "w1t"
    _original(tmp_path, "w1t", FRI1)
    data = json.loads((p / "report.json").read_text())
    data["parameters"]["test_run"] = True
    (p / "report.json").write_text(json.dumps(data))
    code, out = run("reperform", _book(tmp_path / "c1", FRI1, "12000"), "--series", tmp_path / "series")
    assert code == 2 and "no original report" in out


def test_against_and_series_refused(tmp_path):
    c1, _ = _series(tmp_path)
    code, out = run("reperform", c1, "--series", tmp_path / "series", "--against", tmp_path / "series" / "w1" / "report.json")
    assert code == 2 and "one of --against PREPARED or --series PATH" in out
    code, out = run("reperform", c1)
    assert code == 2


def test_bad_series_path_and_corrupt_report(tmp_path):
    c1, _ = _series(tmp_path)
    code, out = run("reperform", c1, "--series", tmp_path / "nowhere")
    assert code == 2 and "is not a folder" in out
    bad = tmp_path / "series" / "w9"
    bad.mkdir()
    (bad / "report.json").write_text("{not json")
    code, out = run("reperform", c1, "--series", tmp_path / "series")
    assert code == 1 and "Error: --series" in out and "w9/report.json" in out
    assert "Traceback" not in out


def test_out_csv(tmp_path):
    c1, c2 = _series(tmp_path)
    code, out = run("reperform", c1, c2, "--series", tmp_path / "series", "--out", tmp_path / "h.csv")
    assert code == 1
    rows = (tmp_path / "h.csv").read_text().splitlines()
    assert rows[0].startswith("as_of,computation") and len(rows) == 5
    assert any(r.startswith("2026-11-13,customer,w1/report.json,10000.00,12000.00") for r in rows)


def test_the_offset_and_sweep_meet_part_of_the_corrected_requirement():
    """The deficiency is the corrected computation's own deposit needed against the deadline's
    balance (Rule 15c3-3(e)(4) offset, FAQ 2025-12-08 Q5 sweep), as the report works it.
    Sample book, Item 1 raised by 1,000,000.00: corrected required 5,910,492.55, sweep
    750,000.00, on deposit 2,557,142.85, deposits not evidenced ->
    5,910,492.55 - 750,000.00 - 2,557,142.85 = 2,603,349.70 (the corrected deposit needed);
    the original's net 4,910,492.55 - 750,000.00 = 4,160,492.55, so 1,000,000.00 above it."""
    from datetime import date

    from reserve.series.hindsight import hindsight

    original = {"required_deposit": 491049255, "sweep": 75000000, "on_deposit": 255714285,
                "offset_by_customer_excess_debits": 0}
    corrected = {**original, "required_deposit": 591049255}
    h = hindsight(date(2026, 11, 20), "customer", "w1/report.json", original, corrected)
    assert (h.corrected_less, h.corrected_net) == (75000000, 516049255)
    assert h.deficiency == 260334970 and h.above_original == 100000000
    # a PAB offset meets part of it too: 100,000.00 of customer excess debits
    pab = hindsight(date(2026, 11, 20), "pab", "w1/report.json",
                    {"required_deposit": 50000000, "offset_by_customer_excess_debits": 10000000, "on_deposit": 0},
                    {"required_deposit": 60000000, "offset_by_customer_excess_debits": 10000000, "on_deposit": 0})
    assert pab.deficiency == 50000000 and pab.above_original == 10000000  # 600,000 - 100,000 - 0; 500,000 - 400,000
