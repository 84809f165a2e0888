"""The audit trail of a big line, built straight from the dispositions (`supporting.trail_batch`):
the rows a person reads back from supporting/*.parquet, on a book small enough to write by hand.

Customer Item 1 of the book below is two accounts' credit balances and one draft payable (Note
A), largest first: A1 $1,000.50, the draft D1 $75.25, A2 $20.00. The accounts rows lack the
items' columns and the item row lacks the accounts' columns; a batch holding only accounts rows
has no items column at all, which must still be typed (decimal, date, bool, text), all null."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bookkit import book
from hypothesis import given, settings
from hypothesis import strategies as st

from reserve.formula import compute
from reserve.report import supporting as S


@pytest.fixture(scope="module")
def trail(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book")
    bk = book(folder,
              accounts=[{"account_id": "A1", "book": "customer", "balance": "1000.50"},
                        {"account_id": "A2", "book": "customer", "balance": "20"},
                        {"account_id": "A3", "book": "customer", "balance": "-300"}],
              items=[{"item_id": "D1", "book": "customer", "kind": "drafts_payable", "amount": "75.25",
                      "open_date": "2026-11-02"}])
    result = compute(bk)
    sched = S.schedule_for(S.schedules(result), "customer", "item_1")
    assert sched is not None
    return folder, bk, result, sched, S.schedule_columns(bk, result, sched)


def test_item_1_trail_is_the_rows_written_by_hand(trail):
    folder, bk, result, sched, columns = trail
    table = S.trail_batch(bk, result, sched, columns)
    picked = ["line_amount", "rule", "table", "file", "sheet", "row", "account_id", "book", "balance",
              "item_id", "kind", "amount", "open_date"]
    got = table.select(picked).to_pylist()
    accounts, items = str(folder / "accounts.csv"), str(folder / "items.csv")
    assert got == [
        {"line_amount": Decimal("1000.50"), "rule": "Item 1", "table": "accounts", "file": accounts,
         "sheet": "accounts", "row": 2, "account_id": "A1", "book": "customer", "balance": Decimal("1000.50"),
         "item_id": None, "kind": None, "amount": None, "open_date": None},
        {"line_amount": Decimal("75.25"), "rule": "Item 1; Note A", "table": "items", "file": items,
         "sheet": "items", "row": 2, "account_id": None, "book": "customer", "balance": None,
         "item_id": "D1", "kind": "drafts_payable", "amount": Decimal("75.25"),
         "open_date": date(2026, 11, 2)},
        {"line_amount": Decimal("20.00"), "rule": "Item 1", "table": "accounts", "file": accounts,
         "sheet": "accounts", "row": 3, "account_id": "A2", "book": "customer", "balance": Decimal("20.00"),
         "item_id": None, "kind": None, "amount": None, "open_date": None},
    ]
    assert table.column_names == [*S.FIXED_COLUMNS, *columns]
    assert sum(Decimal(v) for v in table["line_amount"].to_pylist()) * 100 == sched.total == 109575


def test_absent_columns_are_typed_nulls(trail):
    _, bk, result, sched, columns = trail
    last = S.trail_batch(bk, result, sched, columns, 2, 3)  # A2 only: no items column in this batch
    assert last["account_id"].to_pylist() == ["A2"]
    expect = {"amount": pa.decimal128(20, 2), "open_date": pa.date32(), "confirmed": pa.bool_(), "kind": pa.string(),
              "item_id": pa.string()}
    for name, typ in expect.items():
        assert last.schema.field(name).type == typ, name
        assert last[name].null_count == 1, name
    # and every batch has the one schema the whole schedule fixes
    assert last.schema == S.trail_batch(bk, result, sched, columns).schema


def test_absent_columns_share_one_null_array_per_schedule(trail):
    """A column no row of a batch has is one null array per length and type, made once and
    shared by every such column and batch of the schedule (issue 13); the values are those
    `pa.nulls` gives."""
    _, bk, result, sched, columns = trail
    dicts = S.Dictionaries()
    a = S.trail_batch(bk, result, sched, columns, 2, 3, dicts=dicts)
    b = S.trail_batch(bk, result, sched, columns, 2, 3, dicts=dicts)
    assert dicts.nulls(1, "money") is dicts.nulls(1, "money")
    assert dicts.nulls(1, "money").equals(pa.nulls(1, pa.decimal128(20, 2)))
    assert a.equals(b) and a.equals(S.trail_batch(bk, result, sched, columns, 2, 3))  # no cache: the same


def _pandas_path(bk, result, sched, columns, start, stop):
    """What the batches were before the trail: the joined pandas frame converted to Arrow."""
    t = S._arrow_table(S.schedule_rows(bk, result, sched, stop - start, start=start, columns=columns))
    cols = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in t.columns]
    return pa.Table.from_arrays(cols, names=t.column_names)


def _decoded(t: pa.Table) -> pa.Table:
    cols = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in t.columns]
    return pa.Table.from_arrays(cols, names=t.column_names)


@pytest.mark.parametrize("start,stop", [(0, 3), (0, 1), (1, 2), (1, 3), (2, 3)])
def test_trail_equals_the_joined_rows(trail, start, stop):
    _, bk, result, sched, columns = trail
    batch = S.trail_batch(bk, result, sched, columns, start, stop)
    assert _decoded(batch).equals(_pandas_path(bk, result, sched, columns, start, stop))  # the same texts


def test_disposition_texts_are_dictionaries_of_every_text_unless_too_many(trail, monkeypatch):
    # A batch's rule, reason, ref and table are dictionary arrays over every text of the
    # dispositions (so every batch of a schedule has the same dictionary and the same
    # schema); file and sheet over the batch's own; a column of more than DICTIONARY_TEXTS
    # texts stays plain strings, in every batch alike. The book's text columns are plain.
    _, bk, result, sched, columns = trail
    first, last = (S.trail_batch(bk, result, sched, columns, a, b) for a, b in ((0, 1), (2, 3)))
    for name in ("rule", "reason", "ref", "table", "file", "sheet"):
        assert pa.types.is_dictionary(first.schema.field(name).type), name
    for name in ("rule", "reason", "ref", "table"):
        assert first[name].chunk(0).dictionary.equals(last[name].chunk(0).dictionary), name
    assert first.schema == last.schema
    assert first.schema.field("account_id").type == pa.string()
    monkeypatch.setattr(S, "DICTIONARY_TEXTS", 0)
    plain = S.trail_batch(bk, result, sched, columns, 0, 1)
    for name in ("rule", "reason", "ref", "table"):
        assert plain.schema.field(name).type == pa.string(), name
    assert _decoded(plain).equals(_decoded(first))


def test_every_schedule_of_the_sample_book_in_batches(tmp_path):
    from importlib.resources import files

    from reserve.api import compute_book

    bk, result = compute_book(files("reserve.sample_data") / "weekly_book.xlsx")
    for sched in S.schedules(result):
        columns = S.schedule_columns(bk, result, sched)
        # the tables `schedules` noted while sorting are those of the rows themselves
        assert sched.tables is not None and columns == S.schedule_columns(bk, result, replace(sched, tables=None))
        name = S.write_supporting_batches(tmp_path, bk, result, sched, columns, batch=4)
        f = pq.ParquetFile(tmp_path / name)
        assert f.metadata.num_row_groups == max(1, -(-sched.rows // 4)), name
        assert _decoded(f.read()).equals(_pandas_path(bk, result, sched, columns, 0, sched.rows)), name


def test_a_whole_schedule_is_the_file_write_supporting_writes(trail, tmp_path):
    """`write_trail` (no pandas frame) writes what `write_supporting(schedule_rows(...))` did:
    the same Arrow table, dictionary-encoded text included, for every schedule."""
    from importlib.resources import files

    from reserve.api import compute_book

    _, small, small_result, _, _ = trail
    sample, sample_result = compute_book(files("reserve.sample_data") / "weekly_book.xlsx")
    for bk, result in ((small, small_result), (sample, sample_result)):
        for sched in S.schedules(result):
            columns = S.schedule_columns(bk, result, sched)
            joined = S._arrow_table(S.schedule_rows(bk, result, sched))
            assert S.trail_batch(bk, result, sched, columns, encoded=True).equals(joined), sched.slug
            S.write_supporting(tmp_path / "frame", sched, S.schedule_rows(bk, result, sched))
            S.write_trail(tmp_path / "trail", bk, result, sched)
            a = pq.read_table(tmp_path / "frame" / sched.file_name)
            assert a.equals(pq.read_table(tmp_path / "trail" / sched.file_name)), sched.slug


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["b", "a", "Item 1", "", "zz", None]), max_size=40),
       st.lists(st.sampled_from(["unused", "b", "a", "zz", "Item 1", ""]), unique=True, max_size=6))
def test_sorted_categorical_is_what_pandas_gives(values, extra):
    """The fast `_sorted_categorical` (codes mapped through a small array) gives exactly the
    categorical pandas gives by removing the unused categories and sorting the rest, with
    missing values kept missing -- whatever unused categories the column carries."""
    cats = list(dict.fromkeys([v for v in values if v is not None] + extra))
    col = pd.Series(pd.Categorical(values, categories=cats))
    got = S._sorted_categorical(col)
    want = col.array.remove_unused_categories()
    want = want.reorder_categories(sorted(want.categories))
    assert list(got.categories) == list(want.categories)
    assert got.codes.tolist() == want.codes.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["accounts", "items", "collateral", ""]), st.integers(0, 5),
                          st.sampled_from(["customer", "pab", ""]), st.sampled_from(["item_1", "item_10", "excluded"]),
                          st.integers(-3, 3)), max_size=40))
def test_schedules_group_and_order_as_a_plain_sort(rows):
    """`schedules` (a stable argsort of the (computation, line) codes, each group sorted on two
    threads) gives each group's rows as one plain sort does: largest |amount| first, then the
    schema's table order, then the row, ties kept in disposition order."""
    from types import SimpleNamespace

    from reserve.formula.model import concat_dispositions, dispositions

    parts = [dispositions(t, [r], c, ln, a, "rule", "reason") for t, r, c, ln, a in rows]
    d = concat_dispositions(parts) if parts else dispositions("accounts", [], "customer", "item_1", 0, "r", "r")
    got = {(s.computation, s.line): (s.positions.tolist(), s.total)
           for s in S.schedules(SimpleNamespace(dispositions=d))}
    expect = {}
    for key in {(c, ln) for _, _, c, ln, _ in rows}:
        at = [i for i, (_, _, c, ln, _) in enumerate(rows) if (c, ln) == key]
        at.sort(key=lambda i: (-abs(rows[i][4]), S._TABLE_ORDER.get(rows[i][0], -1), rows[i][1], i))
        expect[key] = (at, sum(rows[i][4] for i in at))
    assert got == expect


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=70_000), max_size=300),
       st.sampled_from([2**8, 2**16, 70_001]))
def test_stable_order_is_numpys_stable_argsort_whatever_the_keys_range(values, bound):
    # schedules() groups the dispositions by a small integer key with S.stable_order (issue 13:
    # a radix sort in a small type); its order must be exactly np.argsort(kind="stable") of the
    # int64 key, for keys within 0..255, 0..65535, beyond, and with a negative one.
    import numpy as np

    key = np.array([v % bound if v >= 0 else v for v in values], dtype=np.int64)
    assert S.stable_order(key).tolist() == np.argsort(key, kind="stable").tolist()


INT64 = st.integers(-(2**63), 2**63 - 1)


@given(st.lists(st.tuples(INT64, st.booleans()), max_size=40), st.sampled_from(["money", "pct"]))
@settings(max_examples=200, deadline=None)
def test_decimals_laid_out_by_numpy_are_arrows_cast(values, typ):
    # issue 13: _units builds decimal128 from the int64 units directly (low word the value,
    # high word its sign); it must be exactly Arrow's int64 -> decimal128 cast, nulls included,
    # for every int64 -- e.g. -1 cent is the words (-1, -1), i.e. -0.01; 2**63 - 1 cents is
    # 92,233,720,368,547,758.07.
    import numpy as np

    units = np.array([v for v, _ in values], dtype=np.int64)
    mask = np.array([m for _, m in values], dtype=bool)
    want = pa.array(units, type=pa.int64(), mask=mask).cast(pa.decimal128(20, 0)).view(S._arrow_type(typ))
    got = S._units(units, mask, typ)
    assert got.equals(want) and got.type == want.type
    assert S._units(units, None, typ).equals(pa.array(units, type=pa.int64()).cast(pa.decimal128(20, 0))
                                             .view(S._arrow_type(typ)))


def test_decimal_edges_written_by_hand():
    import numpy as np

    got = S._units(np.array([-1, 0, 2**63 - 1, -(2**63), 123456], dtype=np.int64),
                   np.array([False, True, False, False, False]), "money").to_pylist()
    assert got == [Decimal("-0.01"), None, Decimal("92233720368547758.07"), Decimal("-92233720368547758.08"),
                   Decimal("1234.56")]


def test_integer_take_reads_a_masked_array_directly_and_anything_else_through_pandas():
    # supporting._int_take (issue 13): pandas' Int64 taken through its value and mask arrays;
    # an integer array of another kind (Arrow-backed) through pandas' public take. The same
    # units and mask either way; a unit under the mask is never read.
    import numpy as np

    rows = np.array([3, 1, 2], dtype=np.int64)  # 7, missing, -250
    masked = pd.array([100, None, -250, 7], dtype="Int64")
    arrow = pd.array([100, None, -250, 7], dtype="int64[pyarrow]")
    for values in (masked, arrow):
        units, missing = S._int_take(values, rows)
        assert missing.tolist() == [False, True, False]
        assert units[~missing].tolist() == [7, -250]
        assert S._units(units, missing, "money").to_pylist() == [Decimal("0.07"), None, Decimal("-2.50")]
