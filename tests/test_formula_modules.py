"""The formula's structure (issue 12): compute runs its steps in order, each rule function
returns what it did, and a capped list of findings always says how many more there are.

Amounts in tests are cents unless written as dollars in a book. as_of is Friday 2026-11-20.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path

import pandas as pd
import pytest
from bookkit import acct, book, item

import reserve.formula
from reserve.formula import computation, compute
from reserve.formula.item_rows import ItemRows
from reserve.formula.model import MAX_LISTED, Outcome, empty_dispositions


def test_a_capped_list_of_account_findings_says_how_many_more(tmp_path):
    # Note E(4): 203 principals' debits excluded; 200 listed one by one, then one finding
    # saying the 3 more, with the total -- never a silent cut.
    n = MAX_LISTED + 3
    b = book(tmp_path, accounts=[acct("C", "100000")]
             + [acct(f"P{i:03}", "-10", related_party="principal") for i in range(n)])
    found = [f for f in compute(b).findings if f.rule == "Note E(4)"]
    assert len(found) == MAX_LISTED + 1
    assert all(f.row is not None for f in found[:MAX_LISTED])
    assert found[-1].row is None and found[-1].message.startswith("… and 3 more (203 in all")


def test_a_capped_list_of_item_findings_says_how_many_more(tmp_path):
    # A negative amount is listed for review, row by row, up to MAX_LISTED.
    n = MAX_LISTED + 1
    b = book(tmp_path, accounts=[acct("C", "100000")],
             items=[item(f"O{i:03}", "other_credit", "-1", description="reversal") for i in range(n)])
    found = [f for f in compute(b).findings if f.rule == "Exhibit A items: negative amount"]
    assert len(found) == MAX_LISTED + 1
    assert found[-1].message.startswith("… and 1 more (201 in all") and found[-1].table == "items"


def test_a_list_at_the_cap_has_no_more_line(tmp_path):
    b = book(tmp_path, accounts=[acct("C", "100000")]
             + [acct(f"P{i:03}", "-10", related_party="principal") for i in range(MAX_LISTED)])
    found = [f for f in compute(b).findings if f.rule == "Note E(4)"]
    assert len(found) == MAX_LISTED and not any(f.message.startswith("…") for f in found)


def test_compute_runs_every_step_once_each_lane_in_order(tmp_path, monkeypatch):
    ran = []

    def spy(step):
        @functools.wraps(step)
        def wrapped(run):
            ran.append(step.__name__)
            return step(run)
        return wrapped

    monkeypatch.setattr(computation, "STEPS", tuple(spy(s) for s in computation.STEPS))
    b = book(tmp_path, accounts=[acct("C", "1000"), acct("D", "-10")])
    compute(b)
    names = [s.__name__ for s in reserve.formula.STEPS]
    assert sorted(ran) == sorted(names)  # every step once
    end = names.index("_assemble")
    chain = [n for n in names[1:end] if n in computation.DEBIT_CHAIN]
    beside = [n for n in names[1:end] if n not in computation.DEBIT_CHAIN]
    settled = names.index("_credit_lines") + 1
    assert ran[0] == "_scope" and ran[end:settled] == names[end:settled]  # the scope first; _assemble on in order
    assert [n for n in ran if n in chain] == chain  # the debit chain in order
    assert [n for n in ran[1:end] if n in beside] == beside  # the steps beside it in order
    assert chain == ["_item_10_accounts", "_note_e1", "_note_e5"]
    # once the dispositions are final: the findings lane and Item 16's, each in order
    findings = [n for n in names[settled:] if n in computation.FINDINGS_BESIDE]
    after = [n for n in names[settled:] if n not in computation.FINDINGS_BESIDE]
    assert [n for n in ran[settled:] if n in findings] == findings
    assert [n for n in ran[settled:] if n in after] == after
    assert findings == ["_note_h_pairing", "_note_e1_not_tested", "_defaults"]
    assert after == ["_item_16", "_frequency"]


def _sample_book():
    from reserve.book import load_book
    return load_book(Path(__file__).parent.parent / "sample_data" / "weekly_book.xlsx")


def test_the_steps_beside_the_debit_chain_need_nothing_it_makes():
    # Each step beside the chain runs on a run where the chain has not run (Run.debits and
    # Run.e1 still None): none of them fails, so none reads them.
    b = _sample_book()
    p, cal = b.params, computation.calendar_for(b)
    run = computation.Run(b, cal, ItemRows.of(b.tables["items"], p, cal))
    scope, chain, beside, _ = computation._lanes(computation.STEPS)
    scope(run)
    for step in beside:
        step(run)
        assert run.debits is None and run.e1 is None, step.__name__


def test_the_findings_beside_item_16_need_nothing_it_makes():
    # Each FINDINGS_BESIDE step runs on a run where the dispositions are final and Item 16 has
    # not run (Run.computations still empty): none of them fails, so none reads them; and none
    # changes the dispositions Item 16 sums.
    b = _sample_book()
    p, cal = b.params, computation.calendar_for(b)
    run = computation.Run(b, cal, ItemRows.of(b.tables["items"], p, cal))
    settle, after, findings = computation._final_lanes(computation._lanes(computation.STEPS)[3])
    for step in computation.STEPS[:len(computation.STEPS) - len(after) - len(findings)]:
        run.outcome.extend(step(run))
    final = run.dispositions
    for step in findings:
        step(run)
        assert run.computations == {} and run.dispositions is final, step.__name__


def test_the_line_sums_are_worked_out_once_for_the_same_dispositions(monkeypatch):
    # _credit_lines and Item 16 sum the same final frame: once (issue 13); a changed frame
    # (reductions taken back within a credit line) is summed again.
    b = _sample_book()
    calls = []
    real = computation.line_sums
    monkeypatch.setattr(computation, "line_sums", lambda d: calls.append(id(d)) or real(d))
    compute(b)
    assert len(calls) == 1
    run = computation.Run(b, computation.calendar_for(b), None)
    one, other = empty_dispositions(), empty_dispositions()
    run.dispositions = one
    computation._sums(run), computation._sums(run)
    run.dispositions = other
    computation._sums(run)
    assert calls[1:] == [id(one), id(other)]


def test_the_two_lanes_give_what_the_steps_one_after_the_other_give():
    b = _sample_book()
    lanes = compute(b)
    p, cal = b.params, computation.calendar_for(b)
    run = computation.Run(b, cal, ItemRows.of(b.tables["items"], p, cal))
    for step in computation.STEPS:  # one after the other, as before the lanes
        run.outcome.extend(step(run))
    pd.testing.assert_frame_equal(lanes.dispositions, run.dispositions)
    assert lanes.findings == run.outcome.findings
    assert lanes.computations == run.computations
    assert len(lanes.findings) > 10 and len(lanes.dispositions) > 50  # the sample book has both


def test_an_error_in_either_lane_is_raised(tmp_path, monkeypatch):
    def fails(run):
        raise RuntimeError("boom")

    b = book(tmp_path, accounts=[acct("C", "1000"), acct("D", "-10")])
    for name in ("_note_e1", "_note_h"):
        steps = tuple(functools.wraps(s)(fails) if s.__name__ == name else s for s in computation.STEPS)
        monkeypatch.setattr(computation, "STEPS", steps)
        with pytest.raises(RuntimeError, match="boom"):
            compute(b)


def test_every_step_returns_an_outcome():
    for step in computation.STEPS:
        assert inspect.signature(step).return_annotation in (Outcome, "Outcome"), step.__name__


def test_the_public_entry_is_compute():
    assert reserve.formula.compute is computation.compute
    assert set(reserve.formula.__all__) >= {"compute", "calendar_for", "Result"}


def test_pab_note_3_no_concentration_test_for_pab_collateral(tmp_path):
    # PAB Note 3: Note E(1) does not apply to the PAB computation. A PAB margin debit of
    # 10,000 wholly collateralized by one security (which, in the customer computation, would
    # be reduced: capped value 14,000 = all collateral, 15% = 2,100, excess 11,900 > debit)
    # stays whole in PAB Item 10, and its collateral row is excluded under PAB Note 3.
    b = book(tmp_path, accounts=[{"account_id": "P1", "book": "pab", "type": "margin", "balance": "-10000"}],
             collateral=[{"account_id": "P1", "security_id": "XYZ", "market_value": "20000"}])
    r = compute(b)
    assert r.computations["pab"].lines["item_10"] == 1_000_000
    d = r.dispositions
    col = d[d["table"] == "collateral"]
    assert list(col["rule"]) == ["PAB Note 3"] and list(col["computation"]) == ["pab"]
    assert not any(f.rule == "Note E(1)" for f in r.findings)


def test_a_disposition_frame_keeps_the_arrays_it_is_handed_and_the_concatenation_is_writable():
    # model.dispositions wraps the arrays it is given without copying them (issue 13) and marks
    # them read-only, so a caller's later change raises instead of altering the frame silently;
    # the dispositions of a run (one frame or many) are an ordinary, writable frame.
    import numpy as np

    from reserve.formula.model import concat_dispositions, dispositions

    rows, amounts = np.array([3, 1], dtype=np.int64), np.array([500, -250], dtype=np.int64)
    frame = dispositions("accounts", rows, "customer", "item_1", amounts, "Item 1", "a credit")
    with pytest.raises(ValueError):
        amounts[0] = 1  # handed over: read-only now
    assert frame["amount"].tolist() == [500, -250] and frame["row"].tolist() == [3, 1]
    for frames in ([frame], [frame, frame]):
        out = concat_dispositions(frames)
        out.loc[0, "amount"] = 7  # writable
        assert out.loc[0, "amount"] == 7 and frame["amount"].tolist() == [500, -250]


def test_dispositions_concatenated_two_columns_at_a_time_are_those_of_one_thread(monkeypatch):
    # model.concat_dispositions works on two columns at a time for a big run (issue 13): the
    # frame -- values, categories and their order (first appearance) -- is the one-thread frame.
    from reserve.formula import model

    b = _sample_book()
    frames = []
    real = model.concat_dispositions
    monkeypatch.setattr(computation, "concat_dispositions", lambda fs: frames.append(list(fs)) or real(fs))
    compute(b)
    parts = frames[0]
    assert len(parts) > 10
    monkeypatch.setattr(model, "PARALLEL_CONCAT_ROWS", 1 << 40)
    one = model.concat_dispositions(parts)
    monkeypatch.setattr(model, "PARALLEL_CONCAT_ROWS", 0)
    two = model.concat_dispositions(parts)
    pd.testing.assert_frame_equal(one, two)
    for c in model.TEXT_COLUMNS:
        assert list(one[c].cat.categories) == list(two[c].cat.categories), c
