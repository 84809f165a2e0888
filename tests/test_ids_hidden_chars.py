"""Identifiers that hold a character that does not show, or that are not in composed Unicode
form, are refused (reserve/book/convert.py `_refuse_unseen`).

An id that looks the same as another but is not the same string is a second key, in the
firm's favour: `OAKMONT` + U+2066 splits a customer, so that Rule 15c3-3a Note E(5) no longer
groups its margin debits (deposit needed 1,603,349.70 -> 0.00 on the sample book); `FLB` +
U+FE0F gets a second 15% cap under Rule 15c3-3(e)(5); `SB-44120` + NUL passes the key check
as a second row. Each refused cell is named by file, row and column, with the code point.
"""

from __future__ import annotations

import csv
import datetime as dt
from importlib.resources import files
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bookkit import book, problems_of, write_book
from hypothesis import given, settings
from hypothesis import strategies as st

from reserve.book import convert

# One character of each kind refused, as (character, what it is).
HIDDEN = [
    # Cc: C0 and C1 controls, DEL
    ("\x00", "NUL"), ("\x01", "start of heading"), ("\t", "tab"), ("\x1b", "escape"), ("\x1f", "unit separator"),
    ("\x7f", "DEL"), ("\x85", "next line (C1)"), ("\x9f", "application program command (C1)"),
    # Cf: format characters (the old list, and those that got through it)
    ("\u00ad", "soft hyphen"), ("\u200b", "zero-width space"), ("\u200d", "zero-width joiner"),
    ("\u200e", "left-to-right mark"), ("\u202e", "right-to-left override"), ("\u2060", "word joiner"),
    ("\ufeff", "byte order mark"), ("\u2066", "left-to-right isolate"), ("\u2069", "pop directional isolate"),
    ("\u061c", "Arabic letter mark"), ("\u180e", "Mongolian vowel separator"), ("\U000e0020", "tag space"),
    ("\U000e0001", "language tag"),
    # Co: private use
    ("\ue000", "private use"), ("\U000f0000", "supplementary private use"),
    # Zl, Zp
    ("\u2028", "line separator"), ("\u2029", "paragraph separator"),
    # Zs other than U+0020
    ("\u00a0", "no-break space"), ("\u1680", "ogham space mark"), ("\u2002", "en space"),
    ("\u2007", "figure space"), ("\u200a", "hair space"), ("\u202f", "narrow no-break space"),
    ("\u205f", "medium mathematical space"), ("\u3000", "ideographic space"),
    # variation selectors
    ("\ufe00", "variation selector 1"), ("\ufe0f", "variation selector 16"),
    ("\U000e0100", "variation selector 17"), ("\U000e01ef", "variation selector 256"),
    ("\u180b", "Mongolian free variation selector 1"), ("\u180f", "Mongolian free variation selector 4"),
    # other characters that show nothing
    ("\u034f", "combining grapheme joiner"), ("\u115f", "Hangul choseong filler"),
    ("\u1160", "Hangul jungseong filler"), ("\u3164", "Hangul filler"), ("\uffa0", "halfwidth Hangul filler"),
    ("\u2800", "braille blank"),
]
# (Cs, the surrogates, is refused too, but no UTF-8 file can hold one.)


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _two_customers(tmp_path: Path, second: str, **extra) -> Path:
    return write_book(tmp_path / "b", accounts=[
        {"account_id": "A1", "customer_id": "OAKMONT", "book": "customer", "type": "margin", "balance": "-100"},
        {"account_id": "A2", "customer_id": second, "book": "customer", "type": "margin", "balance": "-5", **extra}])


def _the_problem(path: Path, column: str = "customer_id"):
    found = [p for p in problems_of(path).problems if p.column == column]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(("ch", "what"), HIDDEN, ids=[f"{_code(c)} {w}" for c, w in HIDDEN])
def test_a_character_that_does_not_show_inside_an_id_is_refused(tmp_path, ch, what):
    # reading: id_visible
    # `OAK` + it + `MONT` looks like OAKMONT (or OAK MONT) but would be another customer:
    # refused, with its file, row and column, naming the code point
    p = _the_problem(_two_customers(tmp_path, "OAK" + ch + "MONT"))
    assert (Path(p.file).name, p.row, p.column) == ("accounts.csv", 3, "customer_id")
    assert p.expected == "an identifier of visible characters only"
    assert f"holds a character that does not show ({_code(ch)})" in p.message
    assert "two ids that look the same would be two keys; retype it" in p.message


@pytest.mark.parametrize("ch", ["\u2066", "\u2069", "\u061c", "\ufe0f", "\u034f", "\u3164", "\u180e", "\U000e0020",
                                "\x00", "\x7f", "\x9f", "\u200b"])
def test_a_character_that_does_not_show_at_the_end_of_an_id_is_refused(tmp_path, ch):
    # reading: id_visible
    # the reproductions that got through: OAKMONT + U+2066 split the sample book's customer
    # (a space or U+0085 at either end is stripped as before: the id is then OAKMONT itself)
    p = _the_problem(_two_customers(tmp_path, "OAKMONT" + ch))
    assert (Path(p.file).name, p.row, p.column) == ("accounts.csv", 3, "customer_id") and _code(ch) in p.message


def test_every_character_that_does_not_show_is_named_once(tmp_path):
    # reading: id_visible
    p = _the_problem(_two_customers(tmp_path, "\u2066OAK\u00a0MONT\u2069\u2066"))
    assert "(U+2066, U+00A0, U+2069)" in p.message


def test_a_bank_id_with_a_variation_selector_is_refused(tmp_path):
    # reading: id_visible
    # FLB + U+FE0F would be a second bank with its own 15% limit (Rule 15c3-3(e)(5))
    bank = {"book": "customer", "bank_name": "First Lakes Bank", "bank_affiliated": "no",
            "bank_equity_capital": "1,000,000", "cash": "10"}
    path = write_book(tmp_path / "b", reserve_bank_accounts=[
        {"account_id": "R1", "bank_id": "FLB", **bank}, {"account_id": "R2", "bank_id": "FLB\ufe0f", **bank}])
    p = _the_problem(path, "bank_id")
    assert (Path(p.file).name, p.row) == ("reserve_bank_accounts.csv", 3) and "U+FE0F" in p.message


def test_an_item_id_with_a_nul_is_refused_in_csv_and_parquet(tmp_path):
    # reading: id_visible
    # SB-44120 + NUL would pass the key check as a second row of the same item
    item = {"book": "customer", "kind": "bank_loan", "amount": "-5"}
    rows = [{"item_id": "SB-44120", **item}, {"item_id": "SB-44120\x00", **item}]
    p = _the_problem(write_book(tmp_path / "csv", items=rows), "item_id")
    assert (Path(p.file).name, p.row) == ("items.csv", 3) and "U+0000" in p.message

    folder = write_book(tmp_path / "parquet", items=rows)
    (folder / "items.csv").unlink()
    pq.write_table(pa.table({k: [r[k] for r in rows] for k in rows[0]}), folder / "items.parquet")
    p = _the_problem(folder, "item_id")
    assert (Path(p.file).name, p.row) == ("items.parquet", 2) and "U+0000" in p.message


def test_other_text_keeps_such_characters(tmp_path):
    # reading: id_visible
    # only identifier columns (*_id) are refused: a name may hold a no-break space or a joiner
    b = book(tmp_path / "b", accounts=[{"account_id": "A1", "book": "customer", "type": "cash", "balance": "1",
                                        "account_name": "Oak\u00a0Mont\u200d\u2066"}])
    assert list(b.table("accounts")["account_name"]) == ["Oak\u00a0Mont\u200d\u2066"]


def test_plain_ascii_ids_with_an_inner_space_and_ids_of_other_scripts_are_accepted(tmp_path):
    # reading: id_visible
    ids = ["OAKMONT", "OAK MONT", "C-1006 / 2", "Zürich-01", "Société Générale", "Straße 7", "東京-01", "한국",
           "Ωmega", "ÅNGSTRÖM", "x\u0301", "👍"]
    b = book(tmp_path / "b", accounts=[{"account_id": f"A{i}", "customer_id": c, "book": "customer", "type": "cash",
                                        "balance": "1"} for i, c in enumerate(ids)])
    assert list(b.table("accounts")["customer_id"]) == ids


def test_an_id_not_in_composed_unicode_form_is_refused(tmp_path):
    # reading: id_visible
    # `Cafe` + U+0301 looks like `Café` but is another string: its own message, naming what
    # it spells apart and what the composed form has
    p = _the_problem(write_book(tmp_path / "b", accounts=[
        {"account_id": "A1", "customer_id": "Café", "book": "customer", "type": "cash", "balance": "1"},
        {"account_id": "A2", "customer_id": "Cafe\u0301", "book": "customer", "type": "cash", "balance": "1"}]))
    assert (Path(p.file).name, p.row, p.column) == ("accounts.csv", 3, "customer_id")
    assert p.expected == "an identifier in composed Unicode form (NFC)"
    assert p.message.startswith("is not in composed Unicode form (NFC): U+0065 U+0301 where the composed form has "
                                "U+00E9") and p.message.endswith("retype it")


@pytest.mark.parametrize("given", ["Zu\u0308rich-01", "\u1112\u1161\u11ab", "\u212b-1", "Ca\u0301fe\u0301"])
def test_other_ids_not_in_nfc_are_refused(tmp_path, given):
    # reading: id_visible
    # a decomposed accent, Hangul spelled in jamo, the Angstrom sign (NFC: U+00C5)
    p = _the_problem(_two_customers(tmp_path, given))
    assert p.row == 3 and p.message.startswith("is not in composed Unicode form (NFC)")


def test_an_id_both_hidden_and_decomposed_is_one_problem(tmp_path):
    # reading: id_visible
    p = _the_problem(_two_customers(tmp_path, "Cafe\u0301\u2066"))
    assert "U+2066" in p.message and "does not show" in p.message


@given(st.lists(st.one_of(st.none(), st.text(alphabet=st.characters(max_codepoint=0x2100), max_size=6)),
                max_size=12), st.integers(0, 3), st.integers(0, 3))
@settings(max_examples=300, deadline=None)
def test_the_fast_path_reads_exactly_the_strings_bytes(values, cut_front, cut_back):
    # reading: id_visible
    # the fast path passes a column only when every byte of its strings (a slice's own, not
    # its neighbours' or the buffer's) is printable ASCII; otherwise its strings are tested
    arr = pa.array(values, pa.string())
    arr = arr.slice(min(cut_front, len(arr)), max(0, len(arr) - cut_front - cut_back))
    strings = [v for v in arr.to_pylist() if v is not None]
    for a in (arr, arr.cast(pa.large_string())):
        data = convert._string_bytes(a)
        assert data.tobytes() == "".join(strings).encode()
        plain = all(0x20 <= ord(c) <= 0x7E for v in strings for c in v)
        assert convert._any_byte_in(data, convert._NOT_PRINTABLE_ASCII) == (not plain)


def test_the_fast_path_never_reads_the_buffer_padding():
    # reading: id_visible
    # zero bytes past the strings (padding, a slice's tail) must not send a plain column down
    # the slow path, nor may a slice read its neighbour's NUL
    data = pa.py_buffer(b"ABC\x00" + b"\x00" * 60)
    arr = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(np.array([0, 3], np.int32).tobytes()), data])
    assert convert._string_bytes(arr).tobytes() == b"ABC"
    full = pa.array(["A\x00", "BC", "D"])
    assert convert._string_bytes(full.slice(1)).tobytes() == b"BCD"
    assert convert._string_bytes(full.slice(0, 1)).tobytes() == b"A\x00"


@pytest.mark.parametrize("others", ["ascii", "accented", "control"])
def test_the_column_is_tested_whatever_else_it_holds(tmp_path, others):
    # reading: id_visible
    # a refused id is found whether the rest of its column is ASCII, beyond ASCII (only those
    # strings are tested, when the column has no ASCII control byte) or has a control byte
    rest = {"ascii": "PLAIN", "accented": "Zürich-01", "control": "TAB\tBED"}[others]
    path = write_book(tmp_path / "b", accounts=[
        {"account_id": f"A{i}", "customer_id": c, "book": "customer", "type": "cash", "balance": "1"}
        for i, c in enumerate([rest, "OAKMONT", "OAK\u00a0MONT", "Cafe\u0301", "OAKMONT\u2066", rest])])
    found = {p.row: p.message for p in problems_of(path).problems if p.column == "customer_id"}
    assert {r: m.split(":")[0] for r, m in found.items() if r in (4, 5, 6)} == {
        4: "holds a character that does not show (U+00A0)", 5: "is not in composed Unicode form (NFC)",
        6: "holds a character that does not show (U+2066)"}
    assert sorted(found) == ([2, 4, 5, 6, 7] if others == "control" else [4, 5, 6])


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ") if v.time() != dt.time(0) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _sample_as_csv(folder: Path, change=None) -> Path:
    """The sample book (weekly_book.xlsx) as a folder of CSV files, one per sheet; `change`
    may edit the rows (a dict of sheet -> list of row lists, the header first) before."""
    import openpyxl

    wb = openpyxl.load_workbook(files("reserve.sample_data") / "weekly_book.xlsx")
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets
              if ws.title != "README"}
    if change:
        change(sheets)
    folder.mkdir()
    for name, rows in sheets.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([[_cell_text(v) for v in r] for r in rows])
    return folder


def test_the_sample_book_with_a_customer_id_given_an_isolate_is_refused(tmp_path):
    # reading: id_visible
    # The walk-through's reproduction: one OAKMONT account's customer_id + U+2066 made the
    # sample book's Note E(5) deposit needed 1,603,349.70 -> 0.00. Now refused, located.
    from reserve.api import load_book
    from reserve.errors import BookInvalid

    load_book(_sample_as_csv(tmp_path / "as-is"))  # the CSV form loads as it is
    at = {}

    def split_one(sheets):
        rows = sheets["accounts"]
        c = rows[0].index("customer_id")
        i = next(i for i, r in enumerate(rows[1:], start=1) if r[c] == "OAKMONT")
        rows[i][c] = "OAKMONT" + "\u2066"
        at["row"] = i + 1  # the CSV line (the header is line 1)

    with pytest.raises(BookInvalid) as exc:
        load_book(_sample_as_csv(tmp_path / "split", split_one))
    (p,) = exc.value.problems
    assert (Path(p.file).name, p.row, p.column) == ("accounts.csv", at["row"], "customer_id")
    assert p.message == ("holds a character that does not show (U+2066): two ids that look the same would be two "
                         "keys; retype it")
