"""The book stage's typed hand-offs (issue 12): typing gives validation a TypedBook whose
BadCells say which cells were already reported -- passed explicitly, never through
DataFrame.attrs -- and load_book gives a Book with typed links."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from bookkit import problems_of, write_book

from reserve import keys
from reserve.book import Book, Parameters, load_book
from reserve.book.convert import BadCells, TypedBook, type_book
from reserve.book.read import read_book
from reserve.book.validate import validate
from reserve.errors import ProblemLog

MARGIN = {"account_id": "M1", "book": "customer", "type": "margin", "balance": "-100.00"}


def _typed(folder) -> tuple[TypedBook, ProblemLog, str]:
    log = ProblemLog()
    raw = read_book(folder, log)
    return type_book(raw, log), log, raw.label


def test_a_bad_cell_is_reported_once_and_the_masks_travel_in_the_typed_book(tmp_path):
    # "not a date" while typing; validation would also find the same cell blank ("the date
    # the item arose"), but the TypedBook's BadCells tell it the cell was reported.
    folder = write_book(tmp_path / "b", accounts=[MARGIN],
                        items=[{"item_id": "F1", "book": "customer", "kind": "fail_to_receive", "amount": "10",
                                "open_date": "2026/11/01", "market_value": "10"}])
    typed, log, label = _typed(folder)
    assert log.total == 1 and log.items[0].column == "open_date"
    assert typed.bad_cells["items"].mask("open_date", 1).tolist() == [True]
    assert all(not frame.attrs for frame in typed.tables.values())  # nothing rides on the frames
    validate(typed, log, label)
    assert log.total == 1  # not reported a second time

    # Without the typing step's record, validation reports the cell itself: the channel is
    # the argument, nothing else.
    bare = dataclasses.replace(typed, bad_cells={})
    log2 = ProblemLog()
    validate(bare, log2, label)
    assert [p.column for p in log2.items] == ["open_date"]

    err = problems_of(folder)
    assert err.total == 1


def test_bad_cells_mask_of_another_length_is_ignored():
    cells = BadCells({"x": np.array([True, False])})
    assert cells.mask("x", 2).tolist() == [True, False]
    assert cells.mask("x", 3) is None and cells.mask("y", 2) is None


def test_load_book_gives_a_typed_book_with_its_links(tmp_path):
    folder = write_book(tmp_path / "b", accounts=[MARGIN],
                        collateral=[{"account_id": "M1", "security_id": "S1", "market_value": "150.00"}])
    b = load_book(folder)
    assert isinstance(b, Book) and isinstance(b.params, Parameters)
    assert b.params.prepared_on == b.params.as_of  # defaults to as_of
    assert set(b.links) == {keys.COLLATERAL_MARGIN_ACCOUNT}
    assert b.links[keys.COLLATERAL_MARGIN_ACCOUNT].dtype == np.int64
    assert b.links[keys.COLLATERAL_MARGIN_ACCOUNT].tolist() == [0]
    assert all(not frame.attrs for frame in b.tables.values())
    assert b.row_counts["accounts"] == 1 and b.row_counts["collateral"] == 1


@pytest.mark.parametrize("name", ["build_book", "may_be_omitted", "ROW_TABLES"])
def test_dead_code_stays_gone(name):
    import reserve.book as book_pkg
    from reserve.book import schema

    assert not hasattr(book_pkg, name) and not hasattr(schema, name) and not hasattr(schema.Column, name)
