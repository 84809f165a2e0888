"""Exact look-ups of text keys on Arrow's hash kernels: no Python object per row.

A 10-million-row book is matched row to row by identifiers (collateral to its margin
account, clearing-agency rows to their accounts). Hash tables over millions of strings are
the costliest step of loading and computing, so each one is built once, over the smaller
side where that is possible, and the positions are kept (`Book.links`) for the formula.
Matching is exact: the strings themselves are hashed and compared, never a digest of them.
Pure functions: no I/O.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Final, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Book.links key: for each collateral row, the accounts position of the margin account it
# names (-1 when there is none).
COLLATERAL_MARGIN_ACCOUNT: Final = "collateral.margin_account"

# `Book.links`: the row-to-row matches the book's validation found, each keyed as above and
# each optional (derived data: a consumer that finds a key missing computes it itself, with
# the function named below, and gets the same positions).
Links = TypedDict("Links", {
    # collateral row -> accounts position of its margin account, -1 for none
    # (`margin_account_positions(accounts, collateral)`)
    "collateral.margin_account": npt.NDArray[np.int64],
}, total=False)


def arrow_text(s: pd.Series) -> pa.Array:
    """A text (or enum) column as one Arrow string array, null where blank."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype("str")
    if isinstance(s.dtype, (pd.StringDtype, pd.ArrowDtype)):
        arr = pa.array(s.array)
    else:
        arr = pa.array([None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
                        for v in s.tolist()], type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    return arr


def blank_text(n: int, index: pd.Index | None = None) -> pd.Series:
    """A text column of n blanks, in the loader's text dtype ("str", Arrow-backed): built on one
    Arrow null array, where `pd.Series(np.full(n, np.nan), dtype="str")` converts each NaN in
    Python (issue 13: 2.1 s for an absent column of ten million rows)."""
    out = pd.Series(pa.nulls(n, pa.large_string()).to_pandas(), dtype="str")
    if index is not None:
        out.index = index
    return out


# Values looked up in two halves at once, each on its own thread, past this many (issue 13):
# Arrow's look-up runs on one core and releases the GIL; each half builds its own hash
# table of the keys, so the split pays only when the values outnumber the keys.
SPLIT_LOOKUP = 2_000_000


def _index_in(values: pa.Array, keys: pa.Array) -> npt.NDArray[np.int64]:
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(keys) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    if values.type != keys.type:
        values = values.cast(keys.type)
    if len(values) >= SPLIT_LOOKUP and len(values) >= 2 * len(keys):
        half = len(values) // 2
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="reserve-lookup") as pool:
            parts = list(pool.map(lambda part: _positions(part, keys), (values.slice(0, half), values.slice(half))))
        return np.concatenate(parts)
    return _positions(values, keys)


def _positions(values: pa.Array, keys: pa.Array) -> npt.NDArray[np.int64]:
    found = pc.index_in(values, value_set=keys, skip_nulls=True)
    out: npt.NDArray[np.int64] = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return out


def find(values: pd.Series, keys: pd.Series) -> npt.NDArray[np.int64]:
    """For each value, the position of the first equal key (-1 when absent or blank).

    When the values are far fewer than the keys (a few thousand clearing-agency rows
    against millions of accounts), the hash table is built over the values and the keys
    are streamed through it, instead of hashing every key."""
    v, k = arrow_text(values), arrow_text(keys)
    if len(v) * 8 < len(k):
        wanted = pc.unique(v.drop_null())
        named = np.flatnonzero(pc.is_in(k, value_set=wanted.cast(k.type), skip_nulls=True)
                               .to_numpy(zero_copy_only=False))
        sub = _index_in(v, k.take(pa.array(named, type=pa.int64())))
        return np.where(sub >= 0, named[np.maximum(sub, 0)] if len(named) else -1, -1)
    return _index_in(v, k)


def factorize(values: pd.Series) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes of a text column (equal strings, equal codes; -1 where blank) and the
    number of distinct values: for grouping with numpy instead of hashing strings again."""
    enc = arrow_text(values).dictionary_encode()
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, len(enc.dictionary)


def positions_among(keys: pd.Series, *values: pd.Series) -> npt.NDArray[np.int64]:
    """Positions of the keys equal to one of `values`, ascending: one pass over millions of
    keys for several small look-ups, which then search only these."""
    wanted = [arrow_text(v).drop_null() for v in values if len(v)]
    if not wanted or not len(keys):
        return np.zeros(0, dtype=np.int64)
    k = arrow_text(keys)
    wanted_set = pc.unique(pa.chunked_array([w.cast(k.type) for w in wanted]).combine_chunks())
    return np.flatnonzero(pc.is_in(k, value_set=wanted_set, skip_nulls=True).to_numpy(zero_copy_only=False))


def among(keys: pd.Series, *values: pd.Series) -> pd.Series:
    """The keys equal to one of `values`, in key order (see `positions_among`)."""
    return keys.iloc[positions_among(keys, *values)]


def duplicated(frame: pd.DataFrame, key: list[str]) -> npt.NDArray[np.bool_]:
    """Rows whose key repeats an earlier row's (the first occurrence is not marked)."""
    return duplicated_and_shared(frame, key, shared=False)[0]


def duplicated_and_shared(frame: pd.DataFrame, key: list[str],
                          shared: bool = True) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """(rows whose key repeats an earlier row's, the first occurrence not marked; rows whose
    first key column's value appears on another row too, every occurrence marked). The second
    is for a key of several columns (an account and its type): the rows of one account_id."""
    n = len(frame)
    if n == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    first = frame[key[0]]
    if isinstance(first.dtype, pd.StringDtype):
        # The first key column alone is usually unique (an account number): a book listed in
        # ascending order of it proves that by comparing each id with the one before (issue
        # 13: strictly ascending bytes are all different), else one hash pass does; either
        # proves the whole key unique without building a table of tuples.
        ids = arrow_text(first)
        if _strictly_ascending(ids) or len(pc.unique(ids)) == n:
            none = np.zeros(n, dtype=bool)
            return none, none
    dup: npt.NDArray[np.bool_] = frame.duplicated(subset=key, keep="first").to_numpy(dtype=bool)
    if not shared:  # (not asked for: no second pass)
        return dup, np.zeros(n, dtype=bool)
    rows: npt.NDArray[np.bool_] = (frame.duplicated(subset=key[:1], keep=False).to_numpy(dtype=bool)
                                   if len(key) > 1 else dup | frame.duplicated(subset=key, keep="last").to_numpy(dtype=bool))
    return dup, rows


def _strictly_ascending(ids: pa.Array) -> bool:
    """Whether every id is present and greater than the one before it (Arrow compares the
    UTF-8 bytes); the first thousand are looked at first, so an unsorted column costs little."""
    n = len(ids)
    if n < 2 or ids.null_count:
        return n < 2 and not ids.null_count
    for stop in (min(n, 1000), n):
        if not pc.all(pc.greater(ids.slice(1, stop - 1), ids.slice(0, stop - 1))).as_py():
            return False
    return True


def margin_account_positions(accounts: pd.DataFrame, collateral: pd.DataFrame) -> npt.NDArray[np.int64]:
    """For each collateral row, the accounts position of the margin account it names, or -1.
    ((account_id, type) is the accounts key, so a margin account id appears once.)"""
    margin = np.flatnonzero((accounts["type"] == "margin").to_numpy(dtype=bool))
    if not len(collateral):
        return np.zeros(0, dtype=np.int64)
    at = find(collateral["account_id"], accounts["account_id"].iloc[margin])
    return np.where(at >= 0, margin[np.maximum(at, 0)] if len(margin) else -1, -1).astype(np.int64)
