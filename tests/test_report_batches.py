"""A big line's supporting rows are joined and written in batches (memory holds one batch).
Batched and whole outputs must say the same thing: every value of every supporting file,
every cell of the workbook, the whole HTML page. Checked on the sample book with batches of
3 rows, so that batches start and end inside each table and some batches lack a table."""

from datetime import datetime, timezone
from importlib.resources import files

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reserve.api import compute_book, write_outputs
from reserve.report import supporting

RUN = datetime(2026, 11, 20, 18, 30, tzinfo=timezone.utc)


def _plain(table: pa.Table) -> pa.Table:
    cols = [c.combine_chunks() for c in table.columns]
    cols = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in cols]
    return pa.table(cols, names=table.column_names)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    book, result = compute_book(files("reserve.sample_data") / "weekly_book.xlsx")
    whole = tmp_path_factory.mktemp("whole") / "out"
    write_outputs(whole, book, result, ("html", "xlsx"), run_time=RUN)
    batched = tmp_path_factory.mktemp("batched") / "out"
    mp = pytest.MonkeyPatch()
    mp.setattr(supporting, "SUPPORTING_BATCH_ROWS", 3)
    try:
        write_outputs(batched, book, result, ("html", "xlsx"), run_time=RUN)
    finally:
        mp.undo()
    return whole, batched


def test_every_supporting_file_has_the_same_rows_and_columns(both):
    whole, batched = both
    names = sorted(p.name for p in (whole / "supporting").iterdir())
    assert names == sorted(p.name for p in (batched / "supporting").iterdir()) and len(names) > 10
    several = 0
    for name in names:
        a = _plain(pq.read_table(whole / "supporting" / name))
        f = pq.ParquetFile(batched / "supporting" / name)
        several += f.metadata.num_row_groups > 1
        b = _plain(f.read())
        assert a.column_names == b.column_names, name
        assert a.schema == b.schema, name
        assert a.equals(b), name
    assert several > 5  # the batched path was taken


def test_workbook_and_page_are_the_same(both):
    import python_calamine

    whole, batched = both
    assert (whole / "report.html").read_text() == (batched / "report.html").read_text()
    wa = python_calamine.CalamineWorkbook.from_path(str(whole / "report.xlsx"))
    wb = python_calamine.CalamineWorkbook.from_path(str(batched / "report.xlsx"))
    assert wa.sheet_names == wb.sheet_names
    for sheet in wa.sheet_names:
        assert wa.get_sheet_by_name(sheet).to_python() == wb.get_sheet_by_name(sheet).to_python(), sheet


def test_rows_bytes_are_the_strings_one_after_the_other():
    # xlsx_rows._concatenated reads the rows' bytes off the Arrow buffers: a sliced array too
    import pyarrow as pa

    from reserve.report.xlsx_rows import _concatenated

    rows = pa.array(["<row>é</row>", "", "<row r=\"2\"/>", "tail"], pa.string())
    assert _concatenated(rows) == "<row>é</row><row r=\"2\"/>tail".encode()
    assert _concatenated(rows.slice(2, 1)) == b'<row r="2"/>' and _concatenated(rows.slice(0, 0)) == b""


def test_schedules_made_beforehand_give_the_same_outputs(tmp_path):
    # `reserve compute` starts the schedules on another thread while the report is built
    # (render.start_schedules, issue 13) and hands them to write_outputs: every output is
    # what write_outputs gives when it makes them itself.
    from concurrent.futures import ThreadPoolExecutor

    from reserve.report.render import start_schedules

    book, result = compute_book(files("reserve.sample_data") / "weekly_book.xlsx")
    write_outputs(tmp_path / "itself", book, result, run_time=RUN)
    with ThreadPoolExecutor(max_workers=1) as pool:
        write_outputs(tmp_path / "early", book, result, run_time=RUN, schedules=start_schedules(pool, result))
    a, b = tmp_path / "itself", tmp_path / "early"
    names = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file() and p.name != ".reserve-manifest.json")
    assert names == sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file() and p.name != ".reserve-manifest.json")
    assert (a / "report.html").read_text() == (b / "report.html").read_text()
    assert (a / "report.json").read_text() == (b / "report.json").read_text()
    for name in names:
        if name.endswith(".parquet"):
            assert pq.read_table(a / name).equals(pq.read_table(b / name)), name
        elif name.endswith(".csv"):
            assert (a / name).read_bytes() == (b / name).read_bytes(), name
