"""The data rows of a schedule sheet as SpreadsheetML, built a column at a time.

openpyxl makes a Python object per cell and writes ~50,000 cells a second; a big book's
schedules hold millions of cells. Here each column becomes one Arrow string array of `<c>`
elements (Arrow's string kernels: no Python per cell), the columns are joined into `<row>`
elements, and `WorkbookWriter` splices the text into the sheet part openpyxl wrote, after its
title and header rows. The cells are the ones openpyxl writes (inline strings, numbers,
`t="b"` booleans, dates as serial numbers under a date style), except that amounts are the
exact decimal text of their cents ("1234.50"), never a float's digits.

Text from the book is untrusted, as in `xlsx._Sheet.cell`: escaped for XML, characters XML
cannot hold replaced by U+FFFD, always a string cell (never a formula), and text starting
with = + - @ or a tab / carriage return / line feed gets the quotePrefix style.

Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ROWS_PER_BATCH = 20_000
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")  # serial 1 = 1900-01-01 (dates after 1900-02-28)
_ILLEGAL_XML = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"  # openpyxl's ILLEGAL_CHARACTERS_RE
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")  # text Excel could take for a formula


@dataclass(frozen=True)
class CellStyles:
    """Style ids (the `s` attribute) from the workbook's style table."""

    money: int
    pct: int
    date: int
    quoted: int  # a text cell with Excel's quotePrefix


def column_letter(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _text(values: Any) -> pa.Array:
    return pc.cast(pa.array(values), pa.large_string())


_NOTHING = pa.scalar("", pa.large_string())


def _join(*parts: Any, skip_null: bool = False) -> pa.Array:
    """Concatenate, element by element; a str part is the same text on every row. A null
    part makes the row's result null -- or, with `skip_null`, is left out (a blank cell)."""
    arrays = [pa.scalar(p, pa.large_string()) if isinstance(p, str) else p for p in parts]
    options = pc.JoinOptions(null_handling="skip") if skip_null else None
    return pc.binary_join_element_wise(*arrays, _NOTHING, options=options)


def _either(flags: Any, yes: str, no: str) -> pa.Array | str:
    """`yes` where flags is true, else `no` (the one text when every flag is the same)."""
    flags = pa.array(flags, pa.bool_())
    if flags.null_count == 0:
        if not pc.any(flags).as_py():
            return no
        if pc.all(flags).as_py():
            return yes
    return pc.if_else(flags, pa.scalar(yes, pa.large_string()), pa.scalar(no, pa.large_string()))


def _blank_where(text: pa.Array, valid: np.ndarray) -> pa.Array:
    """`text` (large strings, no nulls, no offset) null where `valid` is false: its own
    buffers under a validity bitmap, no copy of the strings."""
    if valid.all():
        return text
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.LargeStringArray.from_buffers(len(text), text.buffers()[1], text.buffers()[2], bitmap,
                                            int(len(valid) - np.count_nonzero(valid)))


def _fixed_point(units: np.ndarray, scale: int) -> pa.Array:
    """Integer units of 10**-scale -> exact decimal text: -123456 at scale 2 -> "-1234.56"."""
    q, r = np.divmod(np.abs(units), 10**scale)
    return _join(_either(units < 0, "-", ""), _text(q), ".", pc.utf8_lpad(_text(r), scale, "0"))


def _byte_table(chars: str) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


# the bytes _escape changes (each is ASCII, so a UTF-8 text holds one only as that character)
_NEEDS_ESCAPE = _byte_table("&<>" + "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])))
_FORMULA_BYTE = _byte_table("".join(FORMULA_PREFIXES))


def _utf8(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of a large-string array's own span of its buffers (no copy)."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset: text.offset + len(text) + 1]
    data = text.buffers()[2]
    return offsets, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8))


def _escape(text: pa.Array) -> pa.Array:
    offsets, data = _utf8(text)
    if not _NEEDS_ESCAPE[data[offsets[0]:offsets[-1]]].any():
        return text  # nothing to escape (most columns): four passes saved
    text = pc.replace_substring(text, "&", "&amp;")
    text = pc.replace_substring(text, "<", "&lt;")
    text = pc.replace_substring(text, ">", "&gt;")
    return pc.replace_substring_regex(text, _ILLEGAL_XML, "\ufffd")


def _formula_like(text: pa.Array) -> np.ndarray:
    """Whether each text starts with a character Excel could take for a formula's (FORMULA_PREFIXES,
    all ASCII: the text's first byte); false for a blank or empty text."""
    offsets, data = _utf8(text)
    starts, ends = offsets[:-1], offsets[1:]
    out = np.zeros(len(text), dtype=bool)
    some = ends > starts
    out[some] = _FORMULA_BYTE[data[starts[some]]]
    return out


def _as_arrow_text(values: pd.Series) -> pa.Array | None:
    """A text column as Arrow strings (nulls where blank), or None when it holds other
    Python objects (numbers, dates) that `_python_cells` must write one by one."""
    if isinstance(values.dtype, pd.CategoricalDtype) and not all(isinstance(c, str) for c in values.cat.categories):
        values = values.astype(object)
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.large_string())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.cast(arr, pa.large_string())
    return None


def column_cells(values: pd.Series, typ: str, letter: str, rownums: pa.Array, styles: CellStyles) -> pa.Array | None:
    """One `<c>` element per row, null where the value is blank (the cell is left out), or
    None when every value is blank (the column has no cell to write)."""
    ref = f'<c r="{letter}'
    if typ in ("money", "pct", "int"):
        arr = pd.array(values, dtype="Int64")
        valid = ~np.asarray(arr.isna())
        if not valid.any():
            return None
        units = np.asarray(arr.fillna(0), dtype=np.int64)
        if typ == "int":
            body, style = _text(units), ""
        else:
            body = _fixed_point(units, 2 if typ == "money" else 4)
            style = f' s="{styles.money if typ == "money" else styles.pct}"'
        return _join(ref, _blank_where(rownums, valid), f'"{style} t="n"><v>', body, "</v></c>")
    if typ == "date":
        days = pd.to_datetime(values).to_numpy().astype("datetime64[D]")
        valid = ~np.isnat(days)
        if not valid.any():
            return None
        serial = np.where(valid, (days - _EXCEL_EPOCH).astype(np.int64), 0)
        return _join(ref, _blank_where(rownums, valid), f'" s="{styles.date}" t="n"><v>', _text(serial), "</v></c>")
    if typ == "bool":
        try:
            flags = pd.array(values, dtype="boolean")
        except (TypeError, ValueError):
            return _python_cells(values, letter, rownums, styles)
        valid = ~np.asarray(flags.isna())
        if not valid.any():
            return None
        truth = np.asarray(flags.fillna(False), dtype=bool)
        return _join(ref, _blank_where(rownums, valid), '" t="b"><v>', _either(truth, "1", "0"), "</v></c>")
    text = _as_arrow_text(values)
    if text is None:
        return _python_cells(values, letter, rownums, styles)
    if text.null_count == len(text):
        return None
    # a null text (a blank) makes the cell null: left out of its row
    style = _either(_formula_like(text), f' s="{styles.quoted}"', "")
    return _join(ref, rownums, '"', style, ' t="inlineStr"><is><t xml:space="preserve">', _escape(text), "</t></is></c>")


def _python_cells(values: pd.Series, letter: str, rownums: pa.Array, styles: CellStyles) -> pa.Array | None:
    """A text column holding other objects: a bool as a boolean, an integer as a number, a
    date as a date, the rest as its text (one value at a time: such columns are rare)."""
    from datetime import date, datetime

    out: list[str | None] = []
    for v, r in zip(values.to_numpy(dtype=object), rownums.to_pylist(), strict=True):
        ref = f'<c r="{letter}{r}"'
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):  # float-ok: a blank (NaN) cell, not an amount
            out.append(None)
        elif isinstance(v, (bool, np.bool_)):
            out.append(f'{ref} t="b"><v>{int(bool(v))}</v></c>')
        elif isinstance(v, (int, np.integer)):
            out.append(f'{ref} t="n"><v>{int(v)}</v></c>')
        elif isinstance(v, (date, datetime, pd.Timestamp)):
            d = np.datetime64(pd.Timestamp(v).date(), "D")
            serial = int((d - _EXCEL_EPOCH) // np.timedelta64(1, "D"))
            out.append(f'{ref} s="{styles.date}" t="n"><v>{serial}</v></c>')
        else:
            text = str(v)
            quoted = text.startswith(FORMULA_PREFIXES)
            body = _escape(pa.array([text], pa.large_string()))[0].as_py()
            out.append(f'{ref}{f" s={chr(34)}{styles.quoted}{chr(34)}" if quoted else ""} t="inlineStr">'
                       f'<is><t xml:space="preserve">{body}</t></is></c>')
    if all(o is None for o in out):
        return None
    return pa.array(out, pa.large_string())


def rows_xml(frame: pd.DataFrame, names: list[str], types: dict[str, str], first_row: int,
             styles: CellStyles) -> Iterator[bytes]:
    """`<row>` elements for `frame[names]`, the first numbered `first_row`, in batches."""
    letters = [column_letter(i) for i in range(len(names))]
    for start in range(0, len(frame), ROWS_PER_BATCH):
        part = frame.iloc[start:start + ROWS_PER_BATCH]
        rownums = _text(np.arange(first_row + start, first_row + start + len(part), dtype=np.int64))
        # a column blank on every row of the batch has no cell to write (None): most of a
        # schedule's columns belong to the tables its rows do not come from; a blank cell
        # (null) is left out of its row
        cells = [c for c in (column_cells(part[n], types.get(n, "text"), letters[i], rownums, styles)
                             for i, n in enumerate(names)) if c is not None]
        yield _concatenated(_join('<row r="', rownums, '">', *cells, "</row>", skip_null=True))


def _concatenated(rows: pa.Array) -> bytes:
    """The UTF-8 bytes of every string of `rows` (no nulls), one after the other: the span of
    its data buffer the offsets cover, without a Python string per row."""
    rows = pc.cast(rows, pa.large_string())
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    if len(rows) == 0:
        return b""
    assert rows.null_count == 0  # every row is a <row> element
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset: rows.offset + len(rows) + 1]
    start, stop = int(offsets[0]), int(offsets[-1])
    out: bytes = rows.buffers()[2].slice(start, stop - start).to_pybytes()
    return out
