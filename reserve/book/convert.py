"""Typing a book: raw chunks -> one typed DataFrame per table, every problem collected.

Each table's frame has the schema's columns in their engine types, any extra columns the
user added (kept untouched for the audit trail), and two provenance columns:

    _src   categorical "file | sheet" the row came from
    _row   int64 row number as a person sees it in that file (Excel row / CSV line)

Engine types: money -> int64 cents (pandas "Int64" where the column may stay blank);
pct -> int64 in 1/10,000 of a percent; date -> datetime64 (NaT for blank); bool -> bool;
text -> pandas "str" (Arrow-backed; NaN for blank); enum -> Categorical with the schema's fixed
categories (NaN for blank). Enumerations are matched case-insensitively and
stored in lower case (a reading documented in the README).

Everything here is vectorised: a 10-million-row table is typed column by column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.api.types import union_categoricals

from .. import keys, money
from ..errors import Problem, ProblemLog
from .names import match as match_name
from .read import RawBook, RawChunk, _is_arrow_text
from .schema import BLANK, REQUIRED, Column, Table, TABLES, TABLES_BY_NAME

TRUE_WORDS = {"true", "yes", "y", "1", "t"}
FALSE_WORDS = {"false", "no", "n", "0", "f"}


def _shown(v) -> str:
    if v is None:
        return ""
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


class BadCells:
    """Per table, the cells already reported while typing: {column: bool mask over rows}.

    The typed value of a bad cell is a placeholder (blank, 0, or the text as found), so the
    cross-row checks in `validate.py` skip these cells rather than report the same cell a
    second time ("found blank, expected the date the item arose" after "not a date").
    Carried to `validate` in the frame's `attrs` (popped there); deep-copying it is free, so
    pandas operations that propagate attrs never copy the masks.
    """

    ATTR = "_reserve_bad_cells"

    def __init__(self, masks: dict[str, np.ndarray] | None = None):
        self.masks = masks or {}

    def __deepcopy__(self, memo):
        return self

    def mask(self, column: str, n: int) -> np.ndarray | None:
        m = self.masks.get(column)
        return m if m is not None and len(m) == n else None

    @classmethod
    def of(cls, frame: pd.DataFrame) -> "BadCells":
        found = frame.attrs.get(cls.ATTR)
        return found if isinstance(found, cls) else cls()


class _Reporter:
    def __init__(self, chunk: RawChunk, log: ProblemLog):
        self.chunk = chunk
        self.log = log
        self.bad: dict[str, np.ndarray] = {}  # column -> rows of this chunk reported bad

    def mark(self, column: str, mask: np.ndarray) -> None:
        prev = self.bad.get(column)
        self.bad[column] = mask.copy() if prev is None else (prev | mask)

    def cells(self, column: str, mask: np.ndarray, values: pd.Series, expected: str, why: dict | None = None):
        mask = np.asarray(mask, dtype=bool)
        if len(mask) == len(self.chunk.rows) and mask.any():
            self.mark(column, mask)
        idx = np.flatnonzero(mask)
        if len(idx) and self.chunk.flagged:
            # cells the reader already reported (formula with no saved value, Excel error)
            idx = np.array([i for i in idx if (int(self.chunk.rows[i]), column) not in self.chunk.flagged],
                           dtype=np.int64)
        if not len(idx):
            return

        def make(i):
            pos = int(idx[i])
            return Problem(
                self.chunk.file,
                self.chunk.sheet,
                int(self.chunk.rows[pos]),
                column,
                _shown(values.iloc[pos]),
                expected,
                (why or {}).get(pos, ""),
            )

        self.log.add_many(len(idx), make)


def _is_text_dtype(s: pd.Series) -> bool:
    dt = s.dtype
    return isinstance(dt, pd.StringDtype) or (isinstance(dt, pd.ArrowDtype) and _is_arrow_text(dt.pyarrow_dtype))


def _arrow_text(s: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """A text column as Arrow strings, stripped, null where blank; and the blank mask.
    Arrow compute kernels: no Python object per cell (a 10-million-row column in ~1 s)."""
    arr = keys.arrow_text(s)
    trimmed = pc.utf8_trim_whitespace(arr) if _may_have_edge_space(arr) else arr
    lengths = pc.binary_length(trimmed)
    if trimmed.null_count == 0 and len(trimmed) and pc.min(lengths).as_py() > 0:
        return trimmed, np.zeros(len(trimmed), dtype=bool)  # no blank cell: nothing to null out
    blank = pc.fill_null(pc.equal(lengths, 0), True)
    text = pc.if_else(blank, pa.scalar(None, trimmed.type), trimmed)
    return text, blank.to_numpy(zero_copy_only=False)


# Bytes that may begin or end a whitespace character: ASCII whitespace, and any non-ASCII
# byte (Unicode spaces such as U+00A0 are multi-byte in UTF-8).
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE[128:] = True


def _may_have_edge_space(arr: pa.Array) -> bool:
    """Whether any string may start or end with whitespace, read off the Arrow buffers
    (offsets and bytes) without touching each string: trimming ten million identifiers
    that have no spaces would copy them all for nothing."""
    if arr.offset != 0 or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return True
    bufs = arr.buffers()
    if bufs[2] is None:
        return False
    off_type = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=off_type, count=len(arr) + 1)
    data = np.frombuffer(bufs[2], dtype=np.uint8, count=int(offsets[-1]))
    if not len(data):
        return False
    # The first and last byte of each slot; an empty slot reads its neighbour's byte, which
    # can only give a false alarm (and a trim that changes nothing), never miss a space.
    last = len(data) - 1
    first_bytes = data[np.minimum(offsets[:-1], last)]
    last_bytes = data[np.maximum(offsets[1:] - 1, 0)]
    return bool(_EDGE[first_bytes].any() or _EDGE[last_bytes].any())


def _blank_mask(s: pd.Series) -> np.ndarray:
    if _is_text_dtype(s):
        return _arrow_text(s)[1]
    if isinstance(s.dtype, pd.CategoricalDtype):
        values, idx = _dictionary(s)
        return np.append(_arrow_text(values)[1], True)[idx]
    isna = s.isna().to_numpy(dtype=bool)
    if s.dtype == object:
        try:
            stripped = s.astype("string").str.strip()
            isna = isna | (stripped == "").fillna(True).to_numpy(dtype=bool)
        except (TypeError, ValueError):
            pass
    return isna


def _as_text_arrow(s: pd.Series) -> pa.Array:
    """Any column as stripped Arrow text, null for blank. Whole-number floats print without
    .0 (an account number typed in Excel arrives as 12345.0)."""
    if _is_text_dtype(s):
        return _arrow_text(s)[0]
    if s.dtype.kind == "f":
        # Identifiers stored as numbers (a Parquet export of numeric account numbers):
        # whole values print as integers, vectorised; the rare others as Python prints them.
        x = s.to_numpy(dtype=np.float64)  # float-ok: decides how an identifier is printed
        nan = np.isnan(x)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(x) & (x == np.floor(x)) & (np.abs(x) < 2.0**62)  # float-ok: exact tests
        out = pa.array(np.where(whole, x, 0).astype(np.int64)).cast(pa.string())  # float-ok: whole values only
        odd = np.flatnonzero(~whole & ~nan)
        if len(odd):
            out = pc.replace_with_mask(out, pa.array(~whole & ~nan), pa.array([_number_text(v) for v in x[odd].tolist()]))
        return pc.if_else(pa.array(nan), pa.scalar(None, pa.string()), out) if nan.any() else out
    if s.dtype.kind in "iu" and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        return pa.array(s.to_numpy()).cast(pa.string())
    if s.dtype.kind in "iub":
        return pa.array([None if pd.isna(v) else str(v) for v in s.tolist()], type=pa.string())

    def one(v):
        if v is None:
            return None
        if isinstance(v, float):
            if v != v:  # NaN
                return None
            return _number_text(v)
        if isinstance(v, (bool, np.bool_)):
            return "TRUE" if v else "FALSE"
        try:
            if pd.isna(v):
                return None
        except (TypeError, ValueError):
            pass
        t = str(v).strip()
        return t or None
    return pa.array([one(v) for v in s.tolist()], type=pa.string())


def _number_text(v: float) -> str:  # float-ok: prints an identifier typed as a number
    if v != v or v in (float("inf"), float("-inf")):  # float-ok: NaN / infinity print as such
        return repr(v)
    return str(int(v)) if v == int(v) else repr(v)


def _as_text(s: pd.Series) -> pd.Series:
    """Any column as stripped text: pandas' Arrow-backed "str" dtype, NaN for blank."""
    return pd.Series(_as_text_arrow(s).to_pandas(), index=s.index)


def _convert_text(col: Column, s: pd.Series, rep: _Reporter) -> tuple[pd.Series, np.ndarray]:
    text = _as_text_arrow(s)
    blank = text.is_null().to_numpy(zero_copy_only=False)
    return pd.Series(text.to_pandas(), index=s.index), blank


def _dictionary(s: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A column as (its distinct values as text, each row's index into them, -1 where
    missing). A Parquet dictionary column is taken as it is; other text is dictionary-
    encoded by Arrow; numbers or mixed cells are made text first."""
    if isinstance(s.dtype, pd.CategoricalDtype) and all(isinstance(c, str) for c in s.cat.categories):
        return pd.Series(list(s.cat.categories), dtype="str"), s.cat.codes.to_numpy().astype(np.int64)
    arr = keys.arrow_text(s) if _is_text_dtype(s) else _as_text_arrow(s)
    enc = arr.dictionary_encode()
    idx = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.Series(enc.dictionary.to_pandas(), dtype="str"), idx


def _convert_enum(col: Column, s: pd.Series, rep: _Reporter) -> tuple[pd.Series, np.ndarray]:
    # A few distinct values over millions of rows: strip and match the distinct values only,
    # then map each row through them (index -1, a missing cell, reads the extra last slot).
    values, idx = _dictionary(s)
    text, text_blank = _arrow_text(values)
    found = pc.index_in(pc.utf8_lower(text), value_set=pa.array(list(col.choices), type=pa.string()))
    value_codes = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    blank = np.append(text_blank, True)[idx]
    codes = np.append(value_codes, -1)[idx]
    rep.cells(col.name, ~blank & (codes < 0), s, "one of " + ", ".join(col.choices))
    cat = pd.Categorical.from_codes(codes.astype(np.int8 if len(col.choices) < 127 else np.int32),
                                    categories=list(col.choices))
    return pd.Series(cat, index=s.index), blank


def _convert_bool(col: Column, s: pd.Series, rep: _Reporter) -> tuple[pd.Series, np.ndarray]:
    n = len(s)
    if s.dtype == bool:
        return pd.Series(s.to_numpy(), index=s.index), np.zeros(n, dtype=bool)
    if str(s.dtype) == "boolean":
        blank = s.isna().to_numpy(dtype=bool)
        return pd.Series(s.fillna(False).to_numpy(dtype=bool), index=s.index), blank
    text = _as_text(s)
    blank = text.isna().to_numpy(dtype=bool)
    low = text.str.lower()
    is_true = low.isin(TRUE_WORDS).to_numpy(dtype=bool)
    is_false = low.isin(FALSE_WORDS).to_numpy(dtype=bool)
    bad = ~blank & ~is_true & ~is_false
    rep.cells(col.name, bad, s, "TRUE or FALSE (true/false/yes/no/y/n/1/0)")
    return pd.Series(is_true, index=s.index), blank


def _convert_money(col: Column, s: pd.Series, rep: _Reporter) -> tuple[pd.Series, np.ndarray]:
    parsed = money.parse_money(s)
    bad = parsed.bad.copy()
    rep.cells(col.name, bad, s, "an amount in dollars with at most 2 decimals", parsed.why)
    neg = col.nonneg & ~parsed.blank & ~bad & (parsed.values < 0)
    if col.nonneg:
        rep.cells(col.name, neg, s, "an amount of zero or more")
    return pd.Series(parsed.values, index=s.index, dtype=np.int64), parsed.blank


def _convert_pct(col: Column, s: pd.Series, rep: _Reporter) -> tuple[pd.Series, np.ndarray]:
    parsed = money.parse_pct(s)
    rep.cells(col.name, parsed.bad, s, "a percentage from 0 to 100", parsed.why)
    return pd.Series(parsed.values, index=s.index, dtype=np.int64), parsed.blank


def _convert_date(col: Column, s: pd.Series, rep: _Reporter) -> tuple[pd.Series, np.ndarray]:
    n = len(s)
    blank = _blank_mask(s)
    bad_number = np.zeros(n, dtype=bool)
    if s.dtype.kind == "M":
        dt = pd.Series(pd.to_datetime(s), index=s.index)
        if getattr(dt.dt, "tz", None) is not None:
            dt = dt.dt.tz_localize(None)
    elif s.dtype.kind in "fiu":
        bad_number = ~blank
        dt = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    else:
        if s.dtype == object:
            kinds = s.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
            bad_number = kinds.to_numpy(dtype=bool) & ~blank
            as_text = s.map(lambda v: None if isinstance(v, (int, float)) and not isinstance(v, bool)
                            else (v.isoformat() if hasattr(v, "isoformat") else v))
        else:
            as_text = s
        text = pd.Series(as_text, index=s.index).astype("string").str.strip()
        dt = pd.to_datetime(text.where(~pd.Series(blank | bad_number, index=s.index)),
                            format="ISO8601", errors="coerce")
    dt = dt.astype("datetime64[ns]")
    unparsed = ~blank & ~bad_number & dt.isna().to_numpy(dtype=bool)
    timed = ~blank & ~dt.isna().to_numpy(dtype=bool) & (dt != dt.dt.normalize()).to_numpy(dtype=bool)
    rep.cells(col.name, bad_number, s, "a date (format the cell as a date, or type 2026-11-20)",
              {int(i): "a number, not a date" for i in np.flatnonzero(bad_number)[:200]})
    rep.cells(col.name, unparsed, s, "a date such as 2026-11-20")
    rep.cells(col.name, timed, s, "a date without a time of day (a time makes the day ambiguous)")
    return dt, blank


CONVERTERS = {
    "text": _convert_text,
    "enum": _convert_enum,
    "bool": _convert_bool,
    "money": _convert_money,
    "pct": _convert_pct,
    "date": _convert_date,
}


def _empty_frame(table: Table) -> pd.DataFrame:
    cols = {}
    for c in table.columns:
        cols[c.name] = pd.Series(dtype=_engine_dtype(c))
    cols["_src"] = pd.Series(dtype="category")
    cols["_row"] = pd.Series(dtype=np.int64)
    return pd.DataFrame(cols)


def _engine_dtype(c: Column):
    if c.type == "money":
        return "Int64" if c.default is BLANK else np.int64
    if c.type == "pct":
        return np.int64
    if c.type == "date":
        return "datetime64[ns]"
    if c.type == "bool":
        return bool
    if c.type == "enum":
        return pd.CategoricalDtype(list(c.choices))
    return "str"


def _default_value(c: Column):
    if c.type == "money" and isinstance(c.default, (int,)) and not isinstance(c.default, bool):
        return int(c.default) * 100  # schema defaults are in dollars
    if c.type == "pct" and isinstance(c.default, int) and not isinstance(c.default, bool):
        return int(c.default) * 10_000
    return c.default


def type_chunk(table: Table, chunk: RawChunk, log: ProblemLog, bad: dict | None = None,
               used: dict | None = None) -> pd.DataFrame | None:
    """Type one chunk; `bad`, when given, receives {column: mask} of the cells reported bad;
    `used`, when given, receives {column: cells that took the column's default} (issue 10:
    the report says when a default was used)."""
    frame = chunk.frame
    rep = _Reporter(chunk, log)
    # Duplicate headers are ambiguous: which one holds the value?
    seen = set()
    for name in frame.columns:
        if name in seen:
            log.add(Problem(chunk.file, chunk.sheet, None, name, message="the column appears twice"))
        seen.add(name)
    if len(seen) != len(frame.columns):
        return None
    if len(frame.columns) == 0 and len(frame) == 0:
        return None  # an empty sheet
    # Blank rows are ignored (BOOK_FORMAT.md): a row whose every cell is blank.
    if len(frame):
        # Cheap columns first (a number or a boolean is blank only when missing), and stop
        # as soon as no row can still be all blank: usually after the first column.
        all_blank = np.ones(len(frame), dtype=bool)
        for name in sorted(frame.columns, key=lambda c: _is_text_dtype(frame[c]) or frame[c].dtype == object):
            all_blank &= _blank_mask(frame[name])
            if not all_blank.any():
                break
        keep = ~all_blank
        if not keep.all():
            frame = frame.loc[keep].reset_index(drop=True)
            chunk = RawChunk(chunk.table, chunk.file, chunk.sheet, frame, chunk.rows[keep], chunk.flagged)
            rep = _Reporter(chunk, log)
    missing = [c.name for c in table.columns if c.required and c.name not in frame.columns]
    for name in missing:
        log.add(Problem(chunk.file, chunk.sheet, None, name,
                        message=f"required column '{name}' is missing "
                                f"(columns found: {', '.join(map(str, frame.columns)) or 'none'})"))
    if missing:
        return None
    out = {}
    blanks = {}
    for c in table.columns:
        if c.name in frame.columns:
            values, blank = CONVERTERS[c.type](c, frame[c.name], rep)
        else:
            values = pd.Series(np.full(len(frame), np.nan), index=frame.index, dtype="str")  # float-ok: NaN = blank text
            blank = np.ones(len(frame), dtype=bool)
            if c.type == "enum":
                values = pd.Series(pd.Categorical.from_codes(np.full(len(frame), -1, dtype=np.int8), categories=list(c.choices)),
                                   index=frame.index)
            elif c.type == "money":
                values = pd.Series(np.zeros(len(frame), dtype=np.int64), index=frame.index)
            elif c.type == "pct":
                values = pd.Series(np.zeros(len(frame), dtype=np.int64), index=frame.index)
            elif c.type == "date":
                values = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
            elif c.type == "bool":
                values = pd.Series(np.zeros(len(frame), dtype=bool), index=frame.index)
        out[c.name] = values
        blanks[c.name] = blank
    for c in table.columns:
        values, blank = out[c.name], blanks[c.name]
        if not blank.any():
            out[c.name] = values.astype(_engine_dtype(c)) if c.type != "text" and c.type != "enum" else values
            continue
        if c.required:
            rep.cells(c.name, blank, frame[c.name] if c.name in frame.columns else values, "a value (the column is required)")
        elif c.default_from:
            values = values.where(~blank, out[c.default_from])
            _count_default(used, c, blank, out)
        elif c.default is BLANK:
            if c.type == "money":
                values = pd.Series(pd.array(np.where(blank, 0, values.to_numpy(dtype=np.int64)), dtype="Int64"), index=frame.index)
                values[blank] = pd.NA
            elif c.type in ("text", "enum"):
                values = values.where(~blank, None)
        else:
            d = _default_value(c)
            _count_default(used, c, blank, out)
            if c.type in ("text", "enum"):
                values = values.where(~blank, d)
            else:
                values = pd.Series(np.where(blank, d, values.to_numpy()), index=frame.index)
        out[c.name] = values.astype(_engine_dtype(c)) if c.type not in ("text", "enum") else values
    for c in table.columns:
        if c.type == "enum" and not (isinstance(out[c.name].dtype, pd.CategoricalDtype)
                                     and list(out[c.name].cat.categories) == list(c.choices)):
            # a few distinct values over up to millions of rows: categorical (fixed categories, so
            # chunks concatenate without losing the dtype); invalid values were reported above
            v = out[c.name]
            v = v.where(v.isin(c.choices), None)
            out[c.name] = pd.Series(pd.Categorical(v, categories=list(c.choices)), index=frame.index)
    for extra in frame.columns:
        if extra not in table.column_names:
            out[extra] = frame[extra]
    out["_src"] = pd.Series(pd.Categorical.from_codes(np.zeros(len(frame), dtype=np.int8),
                                                      categories=[f"{chunk.file} | {chunk.sheet}"]), index=frame.index)
    out["_row"] = pd.Series(chunk.rows, index=frame.index)
    typed = pd.DataFrame(out, index=frame.index, copy=False)
    if bad is not None:
        if chunk.flagged:  # cells the reader reported (formula with no saved value, Excel error)
            pos = {int(r): i for i, r in enumerate(chunk.rows)}
            for row, column in chunk.flagged:
                if row in pos:
                    m = np.zeros(len(chunk.rows), dtype=bool)
                    m[pos[row]] = True
                    rep.mark(column, m)
        bad.update(rep.bad)
    return typed


def type_parameters(chunk: RawChunk, log: ProblemLog) -> dict:
    """The parameters sheet is name/value rows; type each value by its declaration."""
    table = TABLES_BY_NAME["parameters"]
    frame = chunk.frame
    for need in ("name", "value"):
        if need not in frame.columns:
            log.add(Problem(chunk.file, chunk.sheet, None, need,
                            message=f"the parameters sheet needs columns 'name' and 'value' (missing '{need}')"))
            return {}
    names = _as_text(frame["name"])
    known = {c.name: c for c in table.columns}
    values: dict = {}
    sources: dict = {}
    given: set = set()  # names with a row, even when its value was bad or blank
    bad_names: set = set()  # names whose value was reported bad: no default either
    for pos in range(len(frame)):
        name = names.iloc[pos]
        if name is None:
            continue
        row = int(chunk.rows[pos])
        if name not in known:
            m = match_name(name, known, given)
            if m.name:  # the format's name, typed in another case or spacing
                name = m.name
            elif m.refused:
                log.add(Problem(chunk.file, chunk.sheet, row, "name", name,
                                f"a parameter name (did you mean '{m.suggestion}'?)"))
                continue
            else:
                log.add(Problem(chunk.file, chunk.sheet, row, "name", name,
                                "a parameter name: " + ", ".join(known)))
                continue
        if name in given:
            log.add(Problem(chunk.file, chunk.sheet, row, "name", name, message="the parameter is given twice"))
            continue
        given.add(name)
        col = known[name]
        one = RawChunk(chunk.table, chunk.file, chunk.sheet,
                       pd.DataFrame({"value": pd.Series([frame["value"].iloc[pos]], dtype=object)}),
                       np.array([row], dtype=np.int64))
        rep = _Reporter(one, log)
        before = log.total
        vals, blank = CONVERTERS[col.type](Column("value", col.type, col.default, choices=col.choices, nonneg=col.nonneg),
                                          one.frame["value"], rep)
        if log.total != before:
            bad_names.add(name)
            continue
        if blank[0]:
            if col.required and (row, "value") not in chunk.flagged:
                log.add(Problem(chunk.file, chunk.sheet, row, "value", "", f"a value: {col.help}",
                                message=f"parameter '{name}' is required"))
            continue
        v = vals.iloc[0]
        if col.type == "date":
            v = pd.Timestamp(v).date()
        elif col.type == "money":
            v = int(v)
        elif col.type == "bool":
            v = bool(v)
        values[name] = v
        sources[name] = row
    for col in table.columns:
        if col.name in values or col.name in bad_names:
            continue
        if col.required:
            if col.name not in given:  # (a row with a bad or blank value was reported already)
                log.add(Problem(chunk.file, chunk.sheet, None, "value",
                                message=f"parameter '{col.name}' is required: {col.help}"))
        elif col.default_from:
            if col.default_from in values:
                values[col.name] = values[col.default_from]
        elif col.default is not BLANK:
            values[col.name] = _default_value(col)
        else:
            values[col.name] = None
    return values


def _columns_recognised(table: Table, chunk: RawChunk, log: ProblemLog, ignored: list) -> bool:
    """Issue 10: a header the format does not know is refused when it is near a column of the
    format that the chunk lacks ("did you mean"), else listed as ignored (it is carried into
    the audit trail, never used by the computation). The reader already took every header in
    the format's spelling whatever its case and spacing (read.header_names)."""
    known = table.column_names
    present = set(chunk.frame.columns)
    ok = True
    for name in chunk.frame.columns:
        if name in known:
            continue
        shown = "(no header)" if str(name).startswith("__UNNAMED__") else str(name)
        m = match_name(name, known, present) if shown != "(no header)" else None
        if m is not None and m.refused:
            log.add(Problem(chunk.file, chunk.sheet, None, shown, shown, f"a column of '{table.name}'",
                            message=f"column '{shown}' is not a column of the book format; did you mean "
                                    f"'{m.suggestion}'? (rename it; column names are matched ignoring case "
                                    "and surrounding spaces)"))
            ok = False
        else:
            ignored.append({"file": chunk.file, "sheet": chunk.sheet, "column": shown, "what": "column",
                            "reason": "not a column of the book format: carried into the audit trail, "
                                      "not used by the computation"})
    return ok


def _count_default(used: dict | None, c: Column, blank: np.ndarray, out: dict) -> None:
    """Count the cells that take `c`'s default, and of those the rows on which the default
    can favour the firm (Column.favourable_when), into used[c.name] = [cells, favourable cells]."""
    if used is None:
        return
    n = int(blank.sum())
    fav = 0
    if n and c.favourable:
        mask = blank
        if c.favourable_when:
            col, op, value = c.favourable_when
            other = out[col]
            if op == "<":
                mask = blank & (other.to_numpy(dtype=np.int64, na_value=0) < value)
            else:
                mask = blank & (other.astype(object) == value).to_numpy(dtype=bool, na_value=False)
        fav = int(mask.sum())
    tally = used.setdefault(c.name, [0, 0])
    tally[0] += n
    tally[1] += fav


def default_record(table: str, c: Column, tally: list, omitted: bool) -> dict:
    """One default the book leaned on, for the report (issue 10)."""
    taken = f"the value of {c.default_from}" if c.default_from else _default_text(c)
    return {"table": table, "column": c.name, "default": taken, "rows": tally[0], "omitted": omitted,
            "favourable": c.favourable if tally[1] else "", "favourable_rows": tally[1]}


def _default_text(c: Column) -> str:
    d = c.default
    if isinstance(d, bool):
        return "true" if d else "false"
    if c.type == "money":
        return f"{d:,.2f}" if isinstance(d, int) else str(d)
    return str(d)


def type_book(raw: RawBook, log: ProblemLog) -> tuple[dict, dict[str, pd.DataFrame]]:
    tables: dict[str, pd.DataFrame] = {}
    params: dict = {}
    if not raw.readable:  # the reader reported why; nothing else to say
        return params, tables
    for table in TABLES:
        chunks = raw.chunks.get(table.name, [])
        if table.kind == "parameters":
            if not chunks:
                log.add(Problem(raw.label, "parameters", message="the book has no 'parameters' sheet/table "
                                "(two columns: name, value)"))
                continue
            if len(chunks) > 1:
                log.add(Problem(raw.label, "parameters", message="parameters are given in more than one file"))
            params = type_parameters(chunks[0], log)
            for extra in chunks[0].frame.columns:
                if extra not in ("name", "value"):
                    raw.ignored.append({"file": chunks[0].file, "sheet": chunks[0].sheet, "column": str(extra),
                                        "what": "column", "reason": "the parameters table reads only 'name' and 'value'"})
            continue
        if not chunks:
            if table.required:
                log.add(Problem(raw.label, table.name, message=f"the book has no '{table.name}' sheet/table"))
            tables[table.name] = _empty_frame(table)
            continue
        typed, bads = [], []
        used: dict = {}
        for ch in chunks:
            if not _columns_recognised(table, ch, log, raw.ignored):
                continue
            bad: dict = {}
            t = type_chunk(table, ch, log, bad, used)
            if t is not None:
                typed.append(t)
                bads.append(bad)
        for c in table.columns:
            if used.get(c.name, [0])[0]:
                omitted = all(c.name not in ch.frame.columns for ch in chunks)
                raw.defaults.append(default_record(table.name, c, used[c.name], omitted))
        if not typed:
            tables[table.name] = _empty_frame(table)
            continue
        if len(typed) > 1:
            src = union_categoricals([t["_src"].array for t in typed])
            frame = pd.concat(typed, ignore_index=True)
            frame["_src"] = src
        else:
            frame = typed[0].reset_index(drop=True)
        columns = {c for b in bads for c in b}
        if columns:  # masks aligned with the concatenated frame
            masks = {c: np.concatenate([b.get(c, np.zeros(len(t), dtype=bool)) for t, b in zip(typed, bads)])
                     for c in columns}
            frame.attrs[BadCells.ATTR] = BadCells(masks)
        tables[table.name] = frame
    return params, tables
