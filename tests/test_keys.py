"""reserve.keys: exact id look-ups on Arrow kernels, both strategies, blanks and repeats."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reserve import keys


def s(values):
    return pd.Series(values, dtype="str")


@pytest.mark.parametrize("pad", [0, 100])  # pad > 8x the values: the hash table is built over the values
def test_find_positions_first_occurrence_blank_and_absent(pad):
    k = s([f"X{i}" for i in range(pad)] + ["A1", "B2", "A1", None, "C3"])
    v = s(["C3", "A1", "Z9", None, "B2"])
    got = keys.find(v, k)
    assert got.tolist() == [pad + 4, pad + 0, -1, -1, pad + 1]  # A1's first occurrence; blank never matches


def test_find_accepts_object_and_categorical_columns():
    k = pd.Series(["a", "b"], dtype=object)
    v = pd.Series(pd.Categorical(["b", None, "a"], categories=["a", "b"]))
    assert keys.find(v, k).tolist() == [1, -1, 0]


def test_find_is_exact_not_case_or_space_folding():
    assert keys.find(s(["a1", "A1 ", "A1"]), s(["A1"])).tolist() == [-1, -1, 0]


def test_duplicated_fast_path_and_composite_key():
    f = pd.DataFrame({"account_id": s(["1", "2", "3"]), "type": ["cash", "cash", "margin"]})
    assert keys.duplicated(f, ["account_id", "type"]).tolist() == [False, False, False]
    # id repeated under another type: still unique on (account_id, type)
    f = pd.DataFrame({"account_id": s(["1", "1", "2", "1"]), "type": ["cash", "margin", "cash", "cash"]})
    assert keys.duplicated(f, ["account_id", "type"]).tolist() == [False, False, False, True]


def test_margin_account_positions():
    acc = pd.DataFrame({"account_id": s(["M1", "M1", "C1", "M2"]), "type": ["cash", "margin", "cash", "margin"]})
    col = pd.DataFrame({"account_id": s(["M2", "M1", "C1", "??", None])})
    assert keys.margin_account_positions(acc, col).tolist() == [3, 1, -1, -1, -1]


def test_formula_recomputes_links_when_a_book_has_none():
    """Book.links is derived data: a book built without it computes the same figures."""
    import dataclasses
    from importlib.resources import files

    from reserve.book import load_book
    from reserve.formula import compute

    book = load_book(files("reserve.sample_data") / "weekly_book.xlsx")
    assert keys.COLLATERAL_MARGIN_ACCOUNT in book.links
    bare = dataclasses.replace(book, links={})
    a, b = compute(book), compute(bare)
    for comp in ("customer", "pab"):
        assert a.computations[comp] == b.computations[comp]
    assert a.dispositions.equals(b.dispositions)


@pytest.mark.parametrize("raw,want", [
    (["A1", "B2"], ["A1", "B2"]),  # nothing to trim: the fast path leaves the strings as they are
    ([" A1", "B2"], ["A1", "B2"]),
    (["A1\t", "B2"], ["A1", "B2"]),
    (["A1\u00a0", "\u2003B2"], ["A1", "B2"]),  # Unicode spaces (multi-byte in UTF-8)
    (["", None, "  ", "C3"], [None, None, None, "C3"]),
    (["é", "x\u00e9"], ["é", "x\u00e9"]),  # non-ASCII, not a space: looked at, kept
])
def test_text_cells_are_stripped_and_blank_is_null(raw, want):
    from reserve.book import convert

    text, blank = convert._arrow_text(pd.Series(raw, dtype="str"))
    assert text.to_pylist() == want
    assert blank.tolist() == [w is None for w in want]


def test_edge_space_check_on_a_sliced_array():
    import pyarrow as pa

    from reserve.book import convert

    arr = pa.array([" x", "y", "z"]).slice(1)
    assert convert._may_have_edge_space(arr)  # an offset array is always trimmed (conservative)
    assert not convert._may_have_edge_space(pa.array(["y", "z", None, ""]))


EDGE_BYTES = {9, 10, 11, 12, 13, 28, 29, 30, 31, 32, *range(128, 256)}


@given(st.lists(st.text(alphabet=st.sampled_from(["a", "B", " ", "\t", "\u00a0", "é", "\x1c", "7"]), max_size=4),
                max_size=12))
@settings(max_examples=300, deadline=None)
def test_edge_space_check_is_the_bytes_at_each_end(values):
    # issue 13: the check reads the first and last byte of each slot by uint8 arithmetic; it must
    # say True whenever some string starts or ends with a whitespace byte or a non-ASCII one
    # (empty slots at either end of the column included: they read a neighbour, never past it)
    import pyarrow as pa

    from reserve.book import convert

    raw = [v.encode() for v in values]
    must = any(b and (b[0] in EDGE_BYTES or b[-1] in EDGE_BYTES) for b in raw)
    got = convert._may_have_edge_space(pa.array(values, pa.string()))
    assert got or not must


@given(st.binary(max_size=64), st.integers(0, 255), st.integers(0, 255), st.integers(1, 9))
@settings(max_examples=300, deadline=None)
def test_any_byte_in_is_a_plain_range_test(data, a, b, block):
    from reserve.book import convert

    lo, hi = min(a, b), max(a, b)
    arr = np.frombuffer(data, dtype=np.uint8)
    old = convert._BYTE_BLOCK
    convert._BYTE_BLOCK = block  # several blocks, and the early stop, on a short input
    try:
        assert convert._any_byte_in(arr, ((lo, hi),)) == any(lo <= x <= hi for x in data)
    finally:
        convert._BYTE_BLOCK = old


def test_among_keeps_the_keys_named_by_any_of_the_values():
    k = s(["A", "B", "C", None, "B"])
    got = keys.among(k, s(["C", None]), s([]), s(["B", "Z"]))
    assert got.tolist() == ["B", "C", "B"] and got.index.tolist() == [1, 2, 4]
    assert keys.among(k, s([])).tolist() == []


@pytest.mark.parametrize("dtype", ["str", object, "category"])  # category: a Parquet dictionary column
def test_enum_cells_matched_on_the_dictionary(dtype):
    """Case and surrounding spaces do not matter; blank is blank; anything else is reported."""
    from reserve.book import convert
    from reserve.book.schema import Column

    class Rep:
        def __init__(self):
            self.bad = None

        def cells(self, name, mask, values, expected, why=None):
            self.bad = np.asarray(mask).tolist()

    col = Column("book", "enum", None, choices=("customer", "pab", "noncustomer"))
    raw = pd.Series([" Customer", "PAB", None, "", "pab ", "bogus", "customer"], dtype=dtype)
    rep = Rep()
    values, blank = convert._convert_enum(col, raw, rep)
    assert values.astype(object).where(values.notna(), None).tolist() == [
        "customer", "pab", None, None, "pab", None, "customer"]
    assert blank.tolist() == [False, False, True, True, False, False, False]
    assert rep.bad == [False, False, False, False, False, True, False]
    assert list(values.cat.categories) == ["customer", "pab", "noncustomer"]


def test_parquet_enum_read_as_dictionary_types_the_same(tmp_path):
    """An enumeration written as a Parquet dictionary column, or as plain strings, or with
    blanks and odd case, loads the same."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from reserve.book import load_book

    folder = tmp_path / "b"
    folder.mkdir()
    pq.write_table(pa.table({"name": ["firm_name", "as_of", "tentative_net_capital"],
                             "value": ["X LLC", "2026-11-20", "1000000"]}),
                   folder / "parameters.parquet")
    books = pa.array(["customer", " PAB", "customer", "noncustomer"]).dictionary_encode()
    pq.write_table(pa.table({"account_id": ["A1", "A2", "A3", "A4"], "book": books,
                             "type": ["cash", "margin", " CASH", "cash"], "balance": [1.0, -2.5, 3.0, 4.0]}),
                   folder / "accounts.parquet")
    acc = load_book(folder).table("accounts")
    assert acc["book"].astype(str).tolist() == ["customer", "pab", "customer", "noncustomer"]
    assert acc["type"].astype(str).tolist() == ["cash", "margin", "cash", "cash"]  # (type is required: issue 10)
    assert acc["balance"].tolist() == [100, -250, 300, 400]


def test_identifiers_stored_as_numbers_print_as_typed():
    from reserve.book import convert

    f = pd.Series([12345.0, -0.0, 1.5, float("nan"), 1e20, float("inf")])
    assert convert._as_text_arrow(f).to_pylist() == ["12345", "0", "1.5", None, "100000000000000000000", "inf"]
    i = pd.Series([7, 123456789012], dtype="int64")
    assert convert._as_text_arrow(i).to_pylist() == ["7", "123456789012"]
    n = pd.Series([7, None], dtype="Int64")
    assert convert._as_text_arrow(n).to_pylist() == ["7", None]
    o = pd.Series([3.0, float("inf"), None, " x "], dtype=object)
    assert convert._as_text_arrow(o).to_pylist() == ["3", "inf", None, "x"]


def test_numeric_account_numbers_in_parquet_match_across_tables(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from reserve.book import load_book

    folder = tmp_path / "n"
    folder.mkdir()
    pq.write_table(pa.table({"name": ["firm_name", "as_of", "tentative_net_capital"],
                             "value": ["X LLC", "2026-11-20", "1000000"]}), folder / "parameters.parquet")
    pq.write_table(pa.table({"account_id": pa.array([1001, 1002], pa.int64()), "book": ["customer", "customer"],
                             "type": ["margin", "cash"], "balance": [-100.0, 50.0]}), folder / "accounts.parquet")
    pq.write_table(pa.table({"account_id": pa.array([1001.0]), "security_id": pa.array([912828], pa.int64()),
                             "market_value": [120.0]}), folder / "collateral.parquet")
    book = load_book(folder)
    assert book.table("accounts")["account_id"].tolist() == ["1001", "1002"]
    assert book.links[keys.COLLATERAL_MARGIN_ACCOUNT].tolist() == [0]  # 1001.0 (a float column) is account 1001


def test_duplicated_blank_equals_blank_and_categorical_key():
    # blank account ids repeat each other (pandas' rule); a categorical second column
    f = pd.DataFrame({"account_id": s(["1", None, None, "1", "1"]),
                      "type": pd.Categorical(["cash", "cash", "cash", "margin", "cash"], categories=["cash", "margin", "x"])})
    assert keys.duplicated(f, ["account_id", "type"]).tolist() == [False, False, True, False, True]
    # a categorical with more categories than rows proves nothing: the repeat is still found
    g = pd.DataFrame({"k": pd.Categorical(["a", "a"], categories=["a", "b", "c"])})
    assert keys.duplicated(g, ["k"]).tolist() == [False, True]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "a", " A", None]), st.sampled_from(["cash", "margin", None]),
                          st.sampled_from([1, 2, None])), min_size=0, max_size=30))
def test_duplicated_agrees_with_pandas(rows):
    # the integer-code test marks exactly the rows pandas' tuple test marks, blanks included
    f = pd.DataFrame({"account_id": s([r[0] for r in rows]),
                      "type": pd.Categorical([r[1] for r in rows], categories=["cash", "margin"]),
                      "n": pd.array([r[2] for r in rows], dtype="Int64")})
    for key in (["account_id"], ["account_id", "type"], ["type", "n"], ["account_id", "type", "n"]):
        want = f.duplicated(subset=key, keep="first").to_numpy(dtype=bool).tolist()
        assert keys.duplicated(f, key).tolist() == want, key


def test_key_passes_start_early_and_rerun_for_other_frames():
    # validate.KeyPasses: the hash passes start when accounts and collateral are typed; a
    # later call with other frames (not the ones typed) runs the passes again on those
    from reserve.book.validate import KeyPasses

    acc = pd.DataFrame({"account_id": s(["M1", "M1", "C1", "M2"]), "type": ["cash", "margin", "cash", "margin"]})
    col = pd.DataFrame({"account_id": s(["M2", "M1", "C1"])})
    with KeyPasses() as passes:
        passes.typed("accounts", acc)
        assert set(passes.jobs) == {"accounts"}
        passes.typed("collateral", col)
        early = passes.jobs["collateral"][1]
        passes.start(acc, col)  # the same frames: nothing started again
        assert passes.jobs["collateral"][1] is early
        assert [m.tolist() for m in passes.result("accounts")] == [[False] * 4, [True, True, False, False]]
        assert passes.result("collateral").tolist() == [3, 1, -1]
        dup = pd.DataFrame({"account_id": s(["M1", "M1"]), "type": ["margin", "margin"]})
        passes.start(dup, col)
        assert [m.tolist() for m in passes.result("accounts")] == [[False, True], [True, True]]
        assert passes.result("collateral").tolist() == [-1, 0, -1]


def test_blank_text_is_the_loaders_blank_text_column():
    # an absent text column: n blanks in the "str" dtype, equal to the slow per-NaN form
    import numpy as np

    idx = pd.RangeIndex(3, 8)
    pd.testing.assert_series_equal(keys.blank_text(5, idx), pd.Series(np.full(5, np.nan), index=idx, dtype="str"))
    assert keys.blank_text(0).dtype == "str" and keys.blank_text(4).isna().all()


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d", "", None]), max_size=30),
       st.lists(st.sampled_from(["b", "a", "a", "e", ""]), max_size=6))
def test_lookup_in_two_halves_is_the_one_lookup(values, known):
    # keys._index_in looks a long column up in two halves on two threads (SPLIT_LOOKUP): the
    # positions are those of one look-up -- first equal key, -1 for blank or absent.
    v, k = pd.Series(values, dtype="str"), pd.Series(known, dtype="str")
    whole = keys.find(v, k)
    saved = keys.SPLIT_LOOKUP
    try:
        keys.SPLIT_LOOKUP = 1
        split = keys.find(v, k)
    finally:
        keys.SPLIT_LOOKUP = saved
    assert split.tolist() == whole.tolist()
    assert whole.tolist() == [known.index(x) if x is not None and x in known else -1 for x in values]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["A1", "A2", "A10", "B", "b", "", None]), max_size=12), st.booleans())
def test_duplicated_on_ids_listed_in_order_or_not(ids, ordered):
    # A book listed in ascending id order is proven unique by comparing neighbours
    # (keys._strictly_ascending), any other by the hash pass: the same marks as pandas gives.
    if ordered:
        ids = sorted({i for i in ids if i is not None})
    frame = pd.DataFrame({"account_id": pd.Series(ids, dtype="str"), "type": pd.Series(["cash"] * len(ids), dtype="str")})
    want = frame.duplicated(subset=["account_id", "type"], keep="first").to_numpy(dtype=bool)
    assert keys.duplicated(frame, ["account_id", "type"]).tolist() == want.tolist()


def test_strictly_ascending_ids():
    import pyarrow as pa

    assert keys._strictly_ascending(pa.array(["A1", "A10", "A2"]))  # bytes: "A1" < "A10" < "A2"
    assert not keys._strictly_ascending(pa.array(["A1", "A1"]))  # equal neighbours: not proven
    assert not keys._strictly_ascending(pa.array(["B", "A"]))
    assert not keys._strictly_ascending(pa.array(["A", None]))  # a blank id: the hash pass decides
    many = [f"X{i:05d}" for i in range(3000)]
    assert keys._strictly_ascending(pa.array(many))
    assert not keys._strictly_ascending(pa.array(many[:2500] + ["X00000"] + many[2500:]))  # past the first thousand
