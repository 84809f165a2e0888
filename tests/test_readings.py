"""The readings registry (reserve/formula/readings.py) is complete and true.

Convention: code cites a reading as ``(reading: key)`` in a comment or docstring; a test names
the reading it pins the same way (``# reading: key``). Several may follow one another:
``reading: a; reading: b``. Each Reading declares the functions that apply it (applied_by,
``module:function``) and the tests that pin it (``tests/file.py::test``). This file fails on a
reading that is unused (no function applying it cites it), undeclared (cited in code or tests
but not declared), whose applied_by or tests do not resolve or do not cite it, whose applied_by
misses a function citing it, or -- outside the Note H block while it is pending -- whose
applied_by or tests are empty.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from functools import cache
from pathlib import Path

import pytest

from reserve.formula import readings

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"readings?: ([a-z][a-z0-9_]*)")

# The Note H readings are kept by the Note H work: until it has landed they may leave
# applied_by and tests empty (they must still be cited in code and in a test). Flip to False
# once every Note H reading names its functions and tests.
NOTE_H_PENDING = False

# Readings applied by code another part of the project owns, whose citation is still to be
# written there: reading id -> the function that must cite it.
AWAITING_CITATION: dict[str, str] = {}

DECLARED = dict(readings.READINGS)
GENERAL = {r.id for r in readings._GENERAL}
NOTE_H = {r.id for r in readings._NOTE_H}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _citing_defs(folder: str) -> dict[str, set[str]]:
    """reading id -> the top-level functions and classes of `folder` whose text cites it
    ("module:name" in reserve/, "tests/file.py::name" in tests/)."""
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.parse(text).body:
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            name = (f"{_module_name(path)}:{node.name}" if folder == "reserve"
                    else f"{path.relative_to(ROOT)}::{node.name}")
            for m in CITE.finditer("\n".join(lines[start - 1:node.end_lineno])):
                out.setdefault(m.group(1), set()).add(name)
    return out


@cache
def _cited_anywhere(folder: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        for m in CITE.finditer(path.read_text(encoding="utf-8")):
            out.setdefault(m.group(1), set()).add(str(path.relative_to(ROOT)))
    return out


CODE = _cited_anywhere("reserve")
TESTS = dict(_cited_anywhere("tests"))
# The regex itself (in this file's docstring and CITE) names no reading.
for _k in ("key", "a", "b"):
    TESTS.pop(_k, None)


def _pending(key: str) -> bool:
    return NOTE_H_PENDING and key in NOTE_H


def _resolve(name: str) -> object:
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


def _test_defs(file: str) -> dict[str, str]:
    text = (ROOT / file).read_text(encoding="utf-8")
    lines = text.splitlines()
    return {n.name: "\n".join(lines[n.lineno - 1:n.end_lineno]) for n in ast.walk(ast.parse(text))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def code_problems(r: readings.Reading) -> list[str]:
    """What is wrong with a reading's applied_by: empty (unused, outside a pending block), a
    name that does not resolve or does not cite it, a function citing it left out."""
    key = r.id
    if not r.applied_by:
        if not _pending(key):
            return [f"{key}: applied_by is empty"]
        return [] if key in CODE else [f"{key}: cited nowhere in reserve/ as '(reading: {key})' -- unused"]
    out = []
    for name in r.applied_by:
        try:
            source = inspect.getsource(_resolve(name))
        except (ImportError, AttributeError, TypeError, ValueError):
            out.append(f"{key}: {name} does not resolve")
            continue
        if AWAITING_CITATION.get(key) != name and not re.search(rf"readings?: {key}\b", source):
            out.append(f"{key}: {name} does not cite '(reading: {key})'")
    missing = sorted(_citing_defs("reserve").get(key, set()) - set(r.applied_by))
    if missing:
        out.append(f"{key}: these cite it but are not in applied_by: {missing}")
    return out


def pin_problems(r: readings.Reading) -> list[str]:
    """What is wrong with a reading's tests: empty (outside a pending block), a test that does
    not exist or does not name the reading."""
    key = r.id
    if not r.tests:
        if not _pending(key):
            return [f"{key}: tests is empty"]
        return [] if key in TESTS else [f"{key}: no test names it as '# reading: {key}'"]
    out = []
    for t in r.tests:
        file, _, name = t.partition("::")
        if not (ROOT / file).is_file():
            out.append(f"{key}: {t}: no such file")
            continue
        defs = _test_defs(file)
        if name not in defs:
            out.append(f"{key}: {t} does not exist")
        elif not re.search(rf"readings?: {key}\b", defs[name]):
            out.append(f"{key}: {t} does not name '# reading: {key}'")
    return out


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_each_reading_names_the_code_that_applies_it(key):
    assert not code_problems(DECLARED[key])


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_each_reading_names_the_tests_that_pin_it(key):
    assert not pin_problems(DECLARED[key])


def test_the_checks_catch_what_they_should():
    R = readings.Reading
    unused = R("never_cited", "Note A", "a reading no code applies, for this test only")
    assert code_problems(unused) == ["never_cited: applied_by is empty"]
    assert pin_problems(unused) == ["never_cited: tests is empty"]
    wrong = R("rounding", "x", "y", ("reserve.formula.credits:note_a_drafts_and_checks", "reserve.formula.nowhere:f"),
              ("tests/test_rounding.py::test_no_such_test", "tests/test_formula_modules.py::test_the_public_entry_is_compute"))
    problems = code_problems(wrong)
    assert "rounding: reserve.formula.credits:note_a_drafts_and_checks does not cite '(reading: rounding)'" in problems
    assert "rounding: reserve.formula.nowhere:f does not resolve" in problems
    assert any("cite it but are not in applied_by" in p for p in problems)
    assert pin_problems(wrong) == ["rounding: tests/test_rounding.py::test_no_such_test does not exist",
                                    "rounding: tests/test_formula_modules.py::test_the_public_entry_is_compute does "
                                    "not name '# reading: rounding'"]


def test_code_cites_only_declared_readings():
    unknown = {k: sorted(v) for k, v in CODE.items() if k not in DECLARED}
    assert not unknown, f"readings cited in code but declared nowhere: {unknown}"


def test_tests_name_only_declared_readings():
    unknown = {k: sorted(v) for k, v in TESTS.items() if k not in DECLARED}
    assert not unknown, f"readings named in tests but declared nowhere: {unknown}"


def test_the_general_readings_are_complete():
    # Outside the Note H block no reading may wait.
    for key in GENERAL:
        assert DECLARED[key].applied_by and DECLARED[key].tests, key


def test_each_reading_has_its_rule_and_text():
    for key, r in DECLARED.items():
        assert r.id == key and r.rule.strip() and len(r.text) > 20, key
    assert len(DECLARED) == len(GENERAL) + len(NOTE_H)


def test_assumptions_list_every_reading_once_and_change_nothing():
    before = dict(readings.READINGS)
    listed = [a["key"] for a in readings.assumptions()]
    assert listed == list(DECLARED) and len(listed) == len(set(listed))
    assert dict(readings.READINGS) == before  # no merge into the module's dict
    assert [a["key"] for a in readings.assumptions(["rounding", "bank_cap"])] == ["rounding", "bank_cap"]


def test_the_citation_convention_is_the_only_form():
    # Other forms -- a key after "reading" with no colon, or in quotes -- hide a citation from
    # the checks above.
    old = re.compile(r"\(readings? [a-z][a-z0-9_]*\)|readings? \"[a-z][a-z0-9_]*\"")
    files = sorted((ROOT / "reserve").rglob("*.py"))
    hits = [f"{p.relative_to(ROOT)}:{i}" for p in files
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if old.search(line)]
    assert not hits, hits
