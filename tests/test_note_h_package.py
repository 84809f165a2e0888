"""The Note H package keeps its index honest (issue 12):

- every Note H citation of the rule registry names the function applying it, and that
  function cites the sentence; every test it names exists;
- every Note H reading names the functions applying it, which cite it as
  ``(reading: <id>)``, and the tests pinning it, one at least naming it;
- the typed entry `apply_note_h(NoteHInputs)` is what `note_h(book, cal)` runs;
- a requirement condition is written once: one entry of `requirements.CONDITIONS` gives
  both the disposition's reason and the failed condition the report and findings show;
- amounts are written through `reserve.money` (the vectorised formatter agrees with it).

The book is the one of test_note_h.py: firm "Example Securities LLC", FICC meeting every
customer condition, account A1 with a $1,000,000 requirement.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from functools import cache
from pathlib import Path
from typing import get_type_hints

import numpy as np
import pytest
from bookkit import book
from test_note_h import CUST_UST, acct, calendar, entry, good_cca, line, req, run, usd

from reserve import money
from reserve.formula import readings, registry
from reserve.formula.note_h import NoteHEntry, NoteHInputs, apply_note_h, note_h, requirements, text
from reserve.formula.note_h.failures import BoolArray

ROOT = Path(__file__).resolve().parents[1]


def resolve(ref: str):
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


@cache
def _test_functions(path: str) -> dict[str, str]:
    """Top-level test functions of a test file -> their source (decorators included)."""
    src = (ROOT / path).read_text(encoding="utf-8")
    tree = ast.parse(src)
    return {n.name: ast.get_source_segment(src, n) or "" for n in tree.body if isinstance(n, ast.FunctionDef)}


def _test_source(ref: str) -> str | None:
    path, _, name = ref.partition("::")
    return _test_functions(path).get(name)


@pytest.mark.parametrize("rule", registry._NOTE_H, ids=lambda r: r.citation)
def test_every_note_h_rule_names_its_function_and_tests(rule):
    assert rule.function and rule.function.startswith("reserve.formula.note_h."), rule.citation
    assert "TODO" not in rule.no_function
    fn = resolve(rule.function)
    assert rule.citation in inspect.getsource(fn), f"{rule.function} does not cite {rule.citation}"
    assert rule.tests, rule.citation
    for t in rule.tests:
        assert _test_source(t) is not None, f"{rule.citation}: no test {t}"


@pytest.mark.parametrize("reading", readings._NOTE_H, ids=lambda r: r.id)
def test_every_note_h_reading_names_the_code_applying_it_and_its_tests(reading):
    assert reading.applied_by and reading.tests, reading.id
    for ref in reading.applied_by:
        src = inspect.getsource(resolve(ref))
        assert f"reading: {reading.id}" in src, f"{ref} does not cite (reading: {reading.id})"
    sources = [_test_source(t) for t in reading.tests]
    assert None not in sources, f"{reading.id}: a test named does not exist: {reading.tests}"
    assert any(f"reading: {reading.id}" in s for s in sources), f"no test named for {reading.id} names it"


def test_note_h_is_apply_note_h_on_the_books_inputs(tmp_path):
    b = book(tmp_path / "b", accounts=[acct("A1")], cca=[good_cca()], cca_requirements=[req()],
             cca_deposits=[dict(deposit_id="D1", cca_id="FICC", account_id="A1", asset="us_treasury",
                                owner="customer", value="1000000")])
    cal = calendar(b)
    inputs = NoteHInputs.from_book(b, cal)
    assert (inputs.firm_name, inputs.include_pending, inputs.cross_margin_outside) == (b.params.firm_name, False, False)
    direct, wrapped = apply_note_h(inputs), note_h(b, cal)
    assert direct.dispositions.equals(wrapped.dispositions)
    assert (direct.entries, direct.findings) == (wrapped.entries, wrapped.findings)
    # Item 15 = min(1,000,000, 1,000,000) = 1,000,000
    assert direct.entries[0]["item_15"] == usd(1_000_000)


def test_entries_have_exactly_the_documented_fields(tmp_path):
    e = entry(run(tmp_path, cca_deposits=CUST_UST))
    assert set(e) == set(get_type_hints(NoteHEntry))


def test_a_requirement_condition_is_written_once(tmp_path, monkeypatch):
    # A condition added to the one table shows in the disposition and in the failed conditions.
    def every_row(r) -> BoolArray:
        return np.ones(len(r), dtype=bool)

    extra = requirements.RequirementCondition("Note H(test)", every_row, "the finding's words", "the reason's words")
    monkeypatch.setattr(requirements, "CONDITIONS", (*requirements.CONDITIONS, extra))
    b = book(tmp_path / "b", accounts=[acct("A1")], cca=[good_cca()], cca_requirements=[req()],
             cca_deposits=[dict(deposit_id="D1", cca_id="FICC", account_id="A1", asset="us_treasury",
                                owner="customer", value="1000000")])
    out = note_h(b, calendar(b))
    assert line(out) == 0  # the requirement no longer counts: Item 15 = min(0, 1,000,000) = 0
    d = out.dispositions
    (rec,) = d[d["table"] == "cca_requirements"].itertuples()
    assert (rec.line, rec.rule) == ("excluded", "Note H(test)") and rec.reason.endswith("the reason's words")
    (fc,) = entry(out)["failed_conditions"]
    assert fc["rule"] == "Note H(test)" and fc["message"].endswith("the finding's words")
    assert [f.rule for f in out.findings if f.table == "cca_requirements"] == ["Note H(test)"]


@pytest.mark.parametrize("cents", [0, 5, 99, 100, 123_456, 100_000_000, 12_345_678_901_234, -1, -100_000])
def test_amounts_are_written_as_money_writes_them(cents):
    expected = ("-$" if cents < 0 else "$") + money.format_display(abs(cents))
    assert text.usd(cents) == expected
    assert text.usd_column(np.array([cents], dtype=np.int64)).tolist() == [expected]
