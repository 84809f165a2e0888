"""The registry of Exhibit A's rules (reserve/formula/registry.py) is complete, in the
Exhibit's order, and true: every function it names exists and cites its rule, every test it
names exists, and ARCHITECTURE.md shows it as it is.

The citations expected are read from the rule text itself
(../shared/reference/exhibit-a-rule-15c3-3a-as-amended-2024.txt): Items 1-16, every Note A-H
with its lettered and numbered subparts, PAB Notes 1-10.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from functools import cache
from pathlib import Path

import pytest

from reserve.formula import computation, registry

ROOT = Path(__file__).resolve().parents[1]
_NAME = "exhibit-a-rule-15c3-3a-as-amended-2024.txt"
# The rule text sits beside the repository (../shared/reference/, the project's reference
# folder); where it is not there (CI), the list written below stands in for it.
RULE_TEXT = next((p for p in (ROOT.parent / "shared" / "reference" / _NAME,
                              ROOT.parent.parent / "shared" / "reference" / _NAME) if p.is_file()), None)

# The Note H block is kept by the Note H work: its entries may still say "TODO" until it has
# landed. Flip to False once every Note H rule names its function or its reason.
NOTE_H_PENDING = False

# Subparts the book states as one attested fact, so one function applies them together:
# Note G(b)(1)(i)-(iii) are alternatives of one test (clearing_organizations.note_g_b1), and
# Note G(b)(3)(i)-(iv) the safeguards of one attestation (note_g_b3).
ATTESTED_AS_ONE = ("Note G(b)(1)", "Note G(b)(3)")

ROMAN = {"i", "ii", "iii", "iv", "v", "vi"}


#: The citations of Exhibit A in its order, as read_citations reads them from the rule text
#: (test_the_written_list_is_the_rule_texts checks the two agree where the text is at hand).
WRITTEN: tuple[str, ...] = (
    "Item 1", "Item 2", "Item 3", "Item 4", "Item 5", "Item 6", "Item 7", "Item 8", "Item 9",
    "Item 10", "Item 11", "Item 12", "Item 13", "Item 14", "Item 15", "Item 16", "Note A", "Note B",
    "Note C", "Note D", "Note E", "Note E(1)", "Note E(2)", "Note E(3)", "Note E(4)", "Note E(5)",
    "Note E(6)", "Note F", "Note G", "Note G(a)", "Note G(b)", "Note G(b)(1)", "Note G(b)(1)(i)",
    "Note G(b)(1)(ii)", "Note G(b)(1)(iii)", "Note G(b)(2)", "Note G(b)(3)", "Note G(b)(3)(i)",
    "Note G(b)(3)(ii)", "Note G(b)(3)(iii)", "Note G(b)(3)(iv)", "Note G(c)", "Note H", "Note H(a)",
    "Note H(a)(1)", "Note H(a)(2)", "Note H(b)", "Note H(b)(1)", "Note H(b)(1)(i)", "Note H(b)(1)(ii)",
    "Note H(b)(1)(iii)", "Note H(b)(1)(iii)(A)", "Note H(b)(1)(iii)(B)", "Note H(b)(1)(iii)(C)",
    "Note H(b)(2)", "Note H(b)(2)(i)", "Note H(b)(2)(ii)", "Note H(b)(2)(iii)", "Note H(b)(2)(iii)(A)",
    "Note H(b)(2)(iii)(B)", "Note H(b)(2)(iii)(C)", "Note H(b)(2)(iii)(D)", "Note H(b)(2)(iv)",
    "Note H(b)(2)(iv)(A)", "Note H(b)(2)(iv)(B)", "Note H(b)(2)(iv)(C)", "Note H(b)(2)(v)",
    "Note H(b)(3)", "Note H(c)", "PAB Note 1", "PAB Note 2", "PAB Note 3", "PAB Note 4", "PAB Note 5",
    "PAB Note 6", "PAB Note 7", "PAB Note 8", "PAB Note 9", "PAB Note 10",
)


def _rank(label: str) -> int:
    if label in ROMAN:
        return 3
    if label.isdigit():
        return 2
    if label.islower():
        return 1
    return 4


@cache
def expected_citations() -> tuple[str, ...]:
    """Every citation of Exhibit A, in its order: read from the rule text where it is at hand,
    else the list written from it (WRITTEN)."""
    return read_citations(RULE_TEXT.read_text(encoding="utf-8")) if RULE_TEXT else WRITTEN


def read_citations(text: str) -> tuple[str, ...]:
    """Every citation of Exhibit A, in its order, read from the rule text."""
    body, _, pab_notes = text.partition("Notes Regarding the PAB Reserve Bank Account Computation")
    table = body[body.index("\n1. "):].split("    Note A.")[0]  # the lines of the formula
    out = [f"Item {n}" for n in re.findall(r"^(\d{1,2})\. [A-Z]", table, flags=re.M)]
    note = None
    path: list[tuple[int, str]] = []
    for line in ("    Note A." + body.split("\n    Note A.", 1)[1]).splitlines():
        m = re.match(r"^    Note ([A-H])\.\s*(.*)", line)
        if m:
            note, rest, path = m.group(1), m.group(2), []
            out.append(f"Note {note}")
        elif note and re.match(r"^    \(", line):
            rest = line[4:]
        else:
            continue
        labels = re.match(r"^((?:\([0-9a-zA-Z]+\))*)", rest).group(1)
        for label in re.findall(r"\(([0-9a-zA-Z]+)\)", labels):
            r = 2 if note == "E" else _rank(label)  # Note E's subparts are (1)-(6)
            path = [p for p in path if p[0] < r] + [(r, label)]
            out.append(f"Note {note}" + "".join(f"({p[1]})" for p in path))
    out += [f"PAB Note {n}" for n in re.findall(r"^    Note (\d+)\.", pab_notes, flags=re.M)]
    return tuple(out)


def _base(citation: str) -> str:
    """'Note A (checks)' -> 'Note A': a sentence of a Note shares the Note's citation."""
    return citation.split(" (")[0]


CITED = [r.citation for r in registry.RULES]
NOTE_H = set(id(r) for r in registry._NOTE_H)


@pytest.mark.skipif(RULE_TEXT is None, reason="the rule text is not beside the repository")
def test_the_written_list_is_the_rule_texts():
    assert read_citations(RULE_TEXT.read_text(encoding="utf-8")) == WRITTEN


def test_the_rule_text_reads_as_expected():
    got = expected_citations()
    assert [c for c in got if c.startswith("Item ")] == [f"Item {n}" for n in range(1, 17)]
    assert [c for c in got if c.startswith("PAB Note ")] == [f"PAB Note {n}" for n in range(1, 11)]
    assert [c for c in got if re.fullmatch(r"Note [A-H]", c)] == [f"Note {x}" for x in "ABCDEFGH"]
    assert [c for c in got if c.startswith("Note E(")] == [f"Note E({n})" for n in range(1, 7)]
    assert {"Note G(b)(3)(iv)", "Note H(b)(1)(iii)(C)", "Note H(b)(2)(iv)(C)", "Note H(c)"} <= set(got)


def test_every_citation_of_exhibit_a_is_in_the_registry():
    have = {_base(c) for c in CITED}
    missing = []
    for c in expected_citations():
        if c in have or any(h.startswith(c + "(") for h in have):  # present, or a heading of subparts present
            continue
        if any(c.startswith(a + "(") for a in ATTESTED_AS_ONE if a in have):
            continue
        missing.append(c)
    assert not missing, f"citations of Exhibit A missing from the registry: {missing}"


def test_the_registry_cites_only_exhibit_a_and_each_rule_once():
    known = set(expected_citations())
    assert not [c for c in CITED if _base(c) not in known]
    assert len(CITED) == len(set(CITED))


def test_the_registry_is_in_the_exhibits_order():
    order = {c: i for i, c in enumerate(expected_citations())}
    positions = [order[_base(c)] for c in CITED]
    assert positions == sorted(positions), [c for c, p, q in zip(CITED, positions, sorted(positions), strict=True)
                                            if p != q][:3]


def _pending(rule: registry.Rule) -> bool:
    return NOTE_H_PENDING and id(rule) in NOTE_H


def test_every_rule_has_its_function_or_a_declared_reason():
    for r in registry.RULES:
        if _pending(r):
            continue
        assert "TODO" not in r.no_function and "TODO" not in (r.function or ""), r.citation
        assert bool(r.function) != bool(r.no_function.strip()), f"{r.citation}: a function or a reason, not both"
        if r.no_function:
            assert len(r.no_function) > 40, f"{r.citation}: say why no function applies it"


def _resolve(name: str):
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


@pytest.mark.parametrize("rule", [r for r in registry.RULES if r.function], ids=lambda r: r.citation)
def test_each_function_exists_and_cites_its_rule(rule):
    if _pending(rule):
        pytest.skip("Note H block pending")
    fn = _resolve(rule.function)
    assert callable(fn)
    source = inspect.getsource(fn)
    cite = _base(rule.citation)
    # "Note G(b)(1)" may be written "Note G(b)(1)" or "G(b)(1)"; "Item 11" inside "Items 11 and 12"
    short = cite.replace("Note ", "")
    assert cite in source or short in source or re.search(rf"\bItems? [0-9, and-]*\b{cite[5:]}\b", source) \
        if cite.startswith("Item ") else (cite in source or short in source), \
        f"{rule.function} does not cite {cite}"


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_each_named_test_exists():
    seen: dict[str, set[str]] = {}
    for r in registry.RULES:
        if _pending(r):
            continue
        if r.function:
            assert r.tests, f"{r.citation}: name the hand-worked tests that pin it"
        for t in r.tests:
            file, _, name = t.partition("::")
            if file not in seen:
                assert (ROOT / file).is_file(), t
                seen[file] = _test_names(ROOT / file)
            assert name in seen[file], f"{r.citation}: {t} does not exist"


def test_each_function_is_run_by_compute():
    """compute runs the registry: every function named is a step of STEPS or is used by one
    (called, or handed on as in Note H's table of conditions, somewhere in the formula's code
    besides its own definition; the registry and the readings, which name every function as
    text, are left out of that code)."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "reserve" / "formula").rglob("*.py"))
                     if p.name not in ("registry.py", "readings.py"))
    steps = {s.__name__ for s in computation.STEPS}
    for r in registry.RULES:
        if not r.function or _pending(r):
            continue
        name = r.function.partition(":")[2]
        assert name in steps or re.search(rf"(?<!def )(?<![\w:]){name}\b(?!:)", code), f"{r.function} is not run by compute"


def test_architecture_md_shows_the_registry_as_it_is(capsys):
    assert registry.main(["--check", str(ROOT / "ARCHITECTURE.md")]) == 0, capsys.readouterr().out
    registry.main([])
    printed = capsys.readouterr().out
    assert printed.startswith(registry.BEGIN) and "| Item 16 |" in printed and "| PAB Note 10 |" in printed


def test_the_check_fails_on_a_stale_block(tmp_path, capsys):
    stale = tmp_path / "ARCHITECTURE.md"
    stale.write_text(f"# A\n\n{registry.BEGIN}\n| old |\n{registry.END}\n", encoding="utf-8")
    assert registry.main(["--check", str(stale)]) == 1
    assert registry.main(["--write", str(stale)]) == 0 and registry.main(["--check", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8").startswith("# A\n\n")


# -- the item kinds: kind -> lines -> function ------------------------------------------------


@cache
def _sample_lines_by_kind() -> dict[str, set[str]]:
    """kind -> the lines its rows of the sample book end on (primary dispositions)."""
    from reserve.book import load_book
    from reserve.formula import compute

    book = load_book(ROOT / "sample_data" / "weekly_book.xlsx")
    d = compute(book).dispositions
    d = d[(d["table"] == "items") & d["primary"]]
    kinds = book.tables["items"]["kind"].astype(str).to_numpy()[d["row"].to_numpy()]
    out: dict[str, set[str]] = {}
    for kind, line in zip(kinds, d["line"].astype(str), strict=True):
        out.setdefault(kind, set()).add(line)
    return out


def test_every_item_kind_of_the_schema_is_mapped_once():
    from reserve.book.schema import ITEM_KINDS

    mapped = [k.kind for k in registry.ITEM_KINDS]
    assert len(mapped) == len(set(mapped))
    assert set(mapped) == set(ITEM_KINDS)


@pytest.mark.parametrize("kind", registry.ITEM_KINDS, ids=lambda k: k.kind)
def test_each_kinds_function_reads_it(kind):
    source = inspect.getsource(_resolve(kind.function))
    assert f'"{kind.kind}"' in source, f"{kind.function} does not read items of kind {kind.kind}"


@pytest.mark.parametrize("kind", registry.ITEM_KINDS, ids=lambda k: k.kind)
def test_each_kind_ends_only_on_its_lines(kind):
    """Run on the sample book (every kind has rows there): a row of the kind ends on one of its
    declared lines or excluded, and at least one row reaches a declared line."""
    seen = _sample_lines_by_kind().get(kind.kind, set())
    assert seen, f"the sample book has no row of kind {kind.kind}"
    assert seen <= {*kind.lines, "excluded"}, f"{kind.kind}: rows end on {sorted(seen)}, declared {kind.lines}"
    assert seen & set(kind.lines), f"{kind.kind}: no row of the sample book reaches {kind.lines}"
