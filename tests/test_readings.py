"""Every reading named in code is declared, and every declared reading is used and tested.

Convention (readings.py, note_h.py): code cites a reading as ``(reading: key)`` in a comment
or docstring; a test names the reading it pins the same way (``# reading: key``). Several
may follow one another: ``reading: a; reading: b``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reserve.formula import readings

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"readings?: ([a-z][a-z0-9_]*)")


def _cited(folder: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for m in CITE.finditer(path.read_text(encoding="utf-8")):
            out.setdefault(m.group(1), set()).add(str(path.relative_to(ROOT)))
    return out


CODE = _cited("reserve")
TESTS = _cited("tests")
# The regex itself (in this file's docstring and CITE) names no reading.
TESTS.pop("key", None)
TESTS.pop("a", None)
TESTS.pop("b", None)
DECLARED = dict(readings.READINGS)
NOTE_H_READINGS = {k: r for k, r in readings.READINGS.items() if r in readings._NOTE_H}
# note_h.py is converted to the convention by the Note H work (issue 11); until that is in,
# the Note H keys are checked only where they already follow it.
NOTE_H_CONVERTED = any(k in CODE for k in NOTE_H_READINGS)


def _dicts():
    yield "READINGS", readings.READINGS
    if NOTE_H_CONVERTED:
        yield "NOTE_H_READINGS", NOTE_H_READINGS


@pytest.mark.parametrize("name,declared", list(_dicts()))
def test_every_declared_reading_is_cited_in_code(name, declared):
    missing = sorted(k for k in declared if k not in CODE)
    assert not missing, f"{name} keys cited nowhere in reserve/ as '(reading: key)': {missing}"


@pytest.mark.parametrize("name,declared", list(_dicts()))
def test_every_declared_reading_is_pinned_by_a_test(name, declared):
    missing = sorted(k for k in declared if k not in TESTS)
    assert not missing, f"{name} keys no test names as '# reading: key': {missing}"


def test_code_cites_only_declared_readings():
    unknown = {k: sorted(v) for k, v in CODE.items() if k not in DECLARED}
    assert not unknown, f"readings cited in code but declared nowhere: {unknown}"


def test_tests_name_only_declared_readings():
    unknown = {k: sorted(v) for k, v in TESTS.items() if k not in DECLARED}
    assert not unknown, f"readings named in tests but declared nowhere: {unknown}"


def test_each_reading_has_its_rule_and_text():
    for key, r in DECLARED.items():
        assert r.id == key and r.rule.strip() and len(r.text) > 20, key


def test_assumptions_list_every_reading_once_and_change_nothing():
    before = dict(readings.READINGS), dict(NOTE_H_READINGS)
    listed = [a["key"] for a in readings.assumptions()]
    assert sorted(listed) == sorted(DECLARED) and len(listed) == len(set(listed))
    assert (dict(readings.READINGS), dict(NOTE_H_READINGS)) == before  # no merge into the module's dict
    assert [a["key"] for a in readings.assumptions(["rounding", "bank_cap"])] == ["rounding", "bank_cap"]


def test_the_citation_convention_is_the_only_form():
    # Other forms -- a key after "reading" with no colon, or in quotes -- hide a citation from
    # the checks above.
    old = re.compile(r"\(readings? [a-z][a-z0-9_]*\)|readings? \"[a-z][a-z0-9_]*\"")
    files = [p for p in sorted((ROOT / "reserve").rglob("*.py")) if p.name != "note_h.py" or NOTE_H_CONVERTED]
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in files
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if old.search(line)]
    assert not hits, hits
