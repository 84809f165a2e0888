"""A scenario: settings applied to a book as it is read, before it is typed (`reserve whatif`).

`reserve whatif BOOK --set NAME=VALUE ...` asks what the computation would be if some facts of
the book were otherwise. Each setting names a parameter or a cell of a table's rows:

    frequency=daily                                  a parameter (schema.PARAMETERS)
    cca[cca_id=FICC].written_contract=false          a column of the rows a selector picks
    cca_requirements[account_id=C-2001][position_type=ust_repo].basis=net
                                                     (several selectors: every one must hold)

The value is text, exactly as a cell of a CSV book would hold it ("$1,000.00", "true",
"2026-11-27"; nothing after `=` is a blank cell). Settings are applied to the *raw* book
(`read.RawBook`), so the book's own converters type them and its checks validate them, exactly
as if the value had been in the book; a value that fails is the same located problem a bad
cell gives, with the setting named (`annotate`). Nothing is written: the book's files are only
read.

A selector compares the text of a raw column with the value given (an enumeration column
without regard to case, as the book reads enumerations); it may pick several rows, and all
of them are set (the count is reported: `Applied`). A selector that picks no row, an unknown
parameter, table or column ("did you mean", reserve.book.names) and the same parameter set
twice are `SettingError`s: one line, raised before anything is computed. Settings are applied
in the order given. Each override is column-wise: a boolean mask from the selectors, one
`where` per column and chunk, never a Python loop per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import BookInvalid, Problem
from .names import match as match_name
from .read import RawBook, RawChunk
from .schema import PARAMETERS, TABLES, TABLES_BY_NAME, Table

# Row number of a parameter row a setting adds (a parameter the book does not state): no row
# of a file is numbered 0 (rows are counted from 1), and `annotate` shows it as no row.
ADDED_ROW = 0

_TABLE_SETTING = re.compile(r"^\s*(?P<table>[^\[\]=.]+?)\s*(?P<selectors>(?:\[[^\[\]]*\]\s*)+)\.(?P<column>[^\[\]=]+?)\s*="
                            r"(?P<value>.*)$", re.S)
_SELECTOR = re.compile(r"\[([^\[\]]*)\]")
_PARAMETER_SETTING = re.compile(r"^\s*(?P<name>[^\[\]=.]+?)\s*=(?P<value>.*)$", re.S)
ROW_TABLES = tuple(t.name for t in TABLES if t.kind != "parameters")
FORMS = "NAME=VALUE (a parameter) or TABLE[COLUMN=VALUE].COLUMN=VALUE (a cell of the rows the selector picks)"


class SettingError(ValueError):
    """A setting that cannot be applied (unknown name, a selector picking no row): one line,
    naming the setting."""

    def __init__(self, setting: str, message: str) -> None:
        self.setting = setting
        super().__init__(f"--set {setting}: {message}")


@dataclass(frozen=True)
class Setting:
    """One `--set`, parsed: `table` is "parameters" for a parameter (then `column` is its name)."""

    text: str  # as typed
    table: str
    column: str
    value: str  # the cell's text, as given
    selectors: tuple[tuple[str, str], ...] = ()  # (column, value): rows where every one holds

    @property
    def is_parameter(self) -> bool:
        return self.table == PARAMETERS.name

    @property
    def target(self) -> str:
        """What it sets, in the format's names: `frequency`, `cca[cca_id=FICC].written_contract`."""
        if self.is_parameter:
            return self.column
        return self.table + "".join(f"[{c}={v}]" for c, v in self.selectors) + "." + self.column


@dataclass(frozen=True)
class Applied:
    """What one setting changed: the rows it set (file, sheet, row as a person sees it) and
    the distinct texts those cells held before ("" for a blank or an absent cell)."""

    setting: Setting
    cells: tuple[tuple[str, str, int], ...]
    before: tuple[str, ...]

    @property
    def rows(self) -> int:
        return len(self.cells)


def _name(kind: str, typed: str, known: Sequence[str], setting: str) -> str:
    """`typed` as one of `known` (case and spaces set aside), or a SettingError ("did you mean")."""
    m = match_name(typed, known)
    if m.name:
        return m.name
    if m.suggestion:
        raise SettingError(setting, f"'{typed.strip()}' is not a {kind}; did you mean '{m.suggestion}'?")
    raise SettingError(setting, f"'{typed.strip()}' is not a {kind} (one of: {', '.join(known)})")


def parse_setting(text: str) -> Setting:
    """One `NAME=VALUE` or `TABLE[COLUMN=VALUE].COLUMN=VALUE`; SettingError when it names nothing
    of the book format, or when VALUE is blank: a blank parameter takes its default and a blank
    cell reads as not stated, so `frequency=` would show 'weekly' -> 'weekly' as if nothing were
    asked. A blank is tested by blanking the cell in a copy of the book, where it is flagged."""
    setting = _parse_setting(text)
    if not setting.value.strip():
        raise SettingError(text, "the value is blank; a setting gives a value (to see the book with a blank "
                                 "cell, blank it in a copy of the book)")
    return setting


def _parse_setting(text: str) -> Setting:
    m = _TABLE_SETTING.match(text)
    if m:
        table = _name("table of the book format", m["table"], ROW_TABLES + (PARAMETERS.name,), text)
        if table == PARAMETERS.name:
            raise SettingError(text, "a parameter is set as NAME=VALUE (frequency=daily), not through the "
                                     "parameters table")
        spec = TABLES_BY_NAME[table]
        selectors = []
        for sel in _SELECTOR.findall(m["selectors"]):
            col, eq, value = sel.partition("=")
            if not eq or not col.strip():
                raise SettingError(text, f"the selector [{sel}] is not COLUMN=VALUE")
            selectors.append((_name(f"column of {table}", col, spec.column_names, text), value.strip()))
        column = _name(f"column of {table}", m["column"], spec.column_names, text)
        return Setting(text, table, column, m["value"], tuple(selectors))
    m = _PARAMETER_SETTING.match(text)
    if m:
        known = PARAMETERS.column_names
        if match_name(m["name"], known).name is None and match_name(m["name"], ROW_TABLES).name:
            raise SettingError(text, f"a cell of {m['name'].strip()} is set as TABLE[COLUMN=VALUE].COLUMN=VALUE")
        return Setting(text, PARAMETERS.name, _name("parameter", m["name"], known, text), m["value"])
    raise SettingError(text, f"a setting is {FORMS}")


def parse_settings(texts: Sequence[str]) -> tuple[Setting, ...]:
    """Every `--set`, parsed; the same parameter twice is refused (which one holds is ambiguous)."""
    settings = tuple(parse_setting(t) for t in texts)
    seen: dict[str, str] = {}
    for s in settings:
        if s.is_parameter:
            if s.column in seen:
                raise SettingError(s.text, f"{s.column} is already set by --set {seen[s.column]}; set it once")
            seen[s.column] = s.text
    return settings


# ------------------------------------------------------------------------------ applying


def _text(s: pd.Series, lower: bool = False) -> pa.Array:
    """A raw column as stripped Arrow text, null where blank (the converters' own reading)."""
    from .convert import _as_text_arrow

    arr = _as_text_arrow(s)
    return pc.utf8_lower(arr) if lower else arr


def _mask(chunk: RawChunk, spec: Table, selectors: tuple[tuple[str, str], ...]) -> np.ndarray:
    """The rows of a chunk every selector picks (a column the chunk lacks picks none)."""
    n = len(chunk.frame)
    mask = np.ones(n, dtype=bool)
    for column, value in selectors:
        if column not in chunk.frame.columns:
            return np.zeros(n, dtype=bool)
        enum = spec.column(column).type == "enum"
        text = _text(chunk.frame[column], lower=enum)
        wanted = value.lower() if enum else value
        mask &= pc.fill_null(pc.equal(text, pa.scalar(wanted, text.type)), False).to_numpy(zero_copy_only=False)
    return mask


def _set(frame: pd.DataFrame, column: str, mask: np.ndarray, value: str) -> tuple[pd.DataFrame, list[str]]:
    """`frame` with `column` set to `value` where `mask`, and the distinct texts it held there.
    A column read as numbers, dates or booleans becomes an object column (each cell keeps its
    own value, as a workbook sheet of mixed cells is read), so the text is typed by the same
    converter as every other cell of the column."""
    if column in frame.columns:
        old = frame[column]
        before = sorted({"" if v is None else str(v) for v in _text(old[mask]).to_pylist()})
        from .convert import _is_text_dtype

        base = old if _is_text_dtype(old) or old.dtype == object else old.astype(object)
        new = base.where(~mask, value)
    else:  # an optional column the chunk omits: blank elsewhere, as if its cells were empty
        before = [""]
        cells = np.full(len(frame), None, dtype=object)
        cells[mask] = value
        new = pd.Series(cells, index=frame.index, dtype=object)
    return frame.assign(**{column: new}), before


def _apply_parameter(raw: RawBook, s: Setting) -> Applied:
    chunks = raw.chunks.get(PARAMETERS.name, [])
    if not chunks or "name" not in chunks[0].frame.columns or "value" not in chunks[0].frame.columns:
        raise SettingError(s.text, "the book has no parameters table (name, value) to set it in")
    chunk = chunks[0]
    frame = chunk.frame
    # names as the format compares them (names.normal: lower case, inner spaces as `_`)
    names = pc.replace_substring_regex(_text(frame["name"], lower=True), pattern=r"\s+", replacement="_")
    mask = pc.fill_null(pc.equal(names, s.column), False).to_numpy(zero_copy_only=False)
    if mask.any():
        chunk.frame, before = _set(frame, "value", mask, s.value)
        cells = tuple((chunk.file, chunk.sheet, int(r)) for r in chunk.rows[mask])
        return Applied(s, cells, tuple(before))
    added = pd.DataFrame({"name": [s.column], "value": [s.value]}, dtype=object)
    chunk.frame = pd.concat([frame, added], ignore_index=True)
    chunk.rows = np.append(chunk.rows, np.int64(ADDED_ROW))
    return Applied(s, ((chunk.file, chunk.sheet, ADDED_ROW),), ("",))


def _apply_cells(raw: RawBook, s: Setting) -> Applied:
    spec = TABLES_BY_NAME[s.table]
    chunks = raw.chunks.get(s.table, [])
    if not chunks:
        raise SettingError(s.text, f"the book has no {s.table} table")
    cells: list[tuple[str, str, int]] = []
    before: set[str] = set()
    for chunk in chunks:
        mask = _mask(chunk, spec, s.selectors)
        if not mask.any():
            continue
        chunk.frame, was = _set(chunk.frame, s.column, mask, s.value)
        before.update(was)
        cells += [(chunk.file, chunk.sheet, int(r)) for r in chunk.rows[mask]]
    if not cells:
        col, value = s.selectors[0]
        raise SettingError(s.text, f"no row of {s.table} has " + " and ".join(f"{c} {v!r}" for c, v in s.selectors)
                           + _some_values(chunks, col, value))
    return Applied(s, tuple(cells), tuple(sorted(before)))


def _some_values(chunks: list[RawChunk], column: str, value: str) -> str:
    """A hint for a selector that picks nothing: the values the column holds (a few)."""
    values: list[str] = []
    for chunk in chunks:
        if column in chunk.frame.columns:
            arr = _text(chunk.frame[column]).unique().drop_null()
            values += [v for v in arr.to_pylist() if v not in values]
        if len(values) > 8:
            break
    if not values:
        return f" (the table has no {column} values)"
    shown = ", ".join(values[:8]) + (", ..." if len(values) > 8 else "")
    return f" ({column} values in the book: {shown})"


def apply_settings(raw: RawBook, settings: Sequence[Setting]) -> tuple[Applied, ...]:
    """Apply each setting, in order, to the raw book's frames (they are changed in place: `raw`
    is this load's own reading of the files); what each set. SettingError when one names
    nothing in this book."""
    return tuple(_apply_parameter(raw, s) if s.is_parameter else _apply_cells(raw, s) for s in settings)


class ScenarioInvalid(BookInvalid):
    """The book with the settings applied is invalid (the book as it is was valid): the
    problems, those at a row a setting changed naming it."""


def annotate(exc: BookInvalid, applied: Sequence[Applied]) -> ScenarioInvalid:
    """The book's problems with each one at a row a setting changed naming that setting (a
    value that fails is the same problem a bad cell gives, and says where it came from)."""
    by_row: dict[tuple[str, str, int], list[str]] = {}
    for a in applied:
        for cell in a.cells:
            by_row.setdefault(cell, []).append(a.setting.text)

    def one(p: Problem) -> Problem:
        names = by_row.get((p.file, p.sheet, p.row)) if p.row is not None else None
        if not names:
            return p
        said = "; ".join(f"--set {n}" for n in names)
        message = f"from {said}" + (f": {p.message}" if p.message else "")
        return replace(p, row=None if p.row == ADDED_ROW else p.row, message=message)

    return ScenarioInvalid([one(p) for p in exc.problems], exc.total)


__all__ = ["Applied", "FORMS", "ScenarioInvalid", "Setting", "SettingError", "annotate", "apply_settings", "parse_setting",
           "parse_settings"]
