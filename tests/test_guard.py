"""Issue 10, "What must work" item 5 and the "Crashes and hangs" cases about files: hostile
files are refused quickly, before any parser sees them (reserve/book/guard.py).

Every hostile file is built here, small. The cases that crash, hang or eat memory on the
code before the guard (a cell at XFD1048576, a link to /dev/zero, a FIFO, a 300 MB shared
string, a 200,000-column CSV) run in a subprocess under RLIMIT_AS = 1 GiB and a timeout,
through `reserve validate` and `reserve compute`: exit 1, one clear message, in < 5 s.
"""

from __future__ import annotations

import os
import random
import socket
import string
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from bookkit import write_book

from reserve.book import guard, load_book
from reserve.book.docs import render
from reserve.errors import BookInvalid, ProblemLog

GiB = 1 << 30
MiB = 1 << 20

# The CLI in a process of its own, capped at 1 GiB of address space; the time printed is
# the command's own (modules imported before the clock starts).
HARNESS = r"""
import resource, sys, time
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
import reserve.book, reserve.book.read
from reserve.cli import main
t = time.perf_counter()
try:
    main(sys.argv[2:], standalone_mode=True)
    rc = 0
except SystemExit as e:
    rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
sys.stderr.write(f"\nELAPSED {time.perf_counter() - t:.3f}\n")
sys.stderr.flush()
sys.exit(rc)
"""


def run_cli(*args, limit=GiB, timeout=30):
    """(exit code, stderr+stdout, seconds the command took)."""
    try:
        p = subprocess.run([sys.executable, "-c", HARNESS, str(limit), *map(str, args)],
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"reserve {' '.join(map(str, args))} ran past {timeout} s")
    out = p.stdout + p.stderr
    elapsed = float(out.rsplit("ELAPSED ", 1)[1].split()[0]) if "ELAPSED " in out else float("inf")
    return p.returncode, out, elapsed


def assert_refused(book, *needles, seconds=5.0, tmp_path=None, compute=True):
    """`reserve validate` and `reserve compute` both exit 1 with the message, in time,
    within 1 GiB, and compute writes nothing."""
    runs = [("validate", book)]
    if compute:
        out_dir = (tmp_path or Path(book).parent) / "out-never"
        runs.append(("compute", book, "--out", out_dir))
    for args in runs:
        rc, out, elapsed = run_cli(*args)
        assert rc == 1, (args, rc, out[-3000:])
        assert "Traceback" not in out and "internal error" not in out, out[-3000:]
        for needle in needles:
            assert needle in out, (needle, out[-3000:])
        assert elapsed < seconds, (args, elapsed)
        if args[0] == "compute":
            assert not Path(args[3]).exists()
    return out


def problems(path) -> list[str]:
    with pytest.raises(BookInvalid) as err:
        load_book(path)
    return [str(p) for p in err.value.problems]


# --------------------------------------------------------------------------- workbooks


def write_workbook(path: Path, stray=None, extra_sheets=None, accounts_header=None) -> Path:
    """A small valid book (parameters + one account); stray=(row, col) adds one text cell."""
    wb = xlsxwriter.Workbook(str(path))
    s = wb.add_worksheet("parameters")
    for i, row in enumerate([["name", "value"], ["firm_name", "Example Securities LLC"],
                             ["as_of", "2026-11-20"], ["tentative_net_capital", "100000000"]]):
        s.write_row(i, 0, row)
    a = wb.add_worksheet("accounts")
    a.write_row(0, 0, accounts_header or ["account_id", "customer_id", "book", "type", "balance"])
    a.write_row(1, 0, ["A1", "C1", "customer", "cash", "100"])
    if stray:
        a.write_string(stray[0], stray[1], "x")
    for name, rows in (extra_sheets or {}).items():
        w = wb.add_worksheet(name)
        for i, row in enumerate(rows):
            w.write_row(i, 0, row)
    wb.close()
    return path


def rewrite(path: Path, member: str, change, *, level=6) -> Path:
    """The workbook with one part's XML replaced by change(xml) (bytes, or an iterable of
    bytes chunks written one by one)."""
    src = path.with_suffix(".orig.xlsx")
    path.rename(src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename != member:
                zout.writestr(info, data)
                continue
            new = change(data)
            zi = zipfile.ZipInfo(member, info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi._compresslevel = level
            with zout.open(zi, "w", force_zip64=True) as f:
                for chunk in ([new] if isinstance(new, bytes) else new):
                    f.write(chunk)
    src.unlink()
    return path


def accounts_part(path: Path) -> str:
    return "xl/worksheets/sheet2.xml"  # xlsxwriter: sheets in the order written


def test_normal_workbook_passes_the_guard(tmp_path):
    book = write_workbook(tmp_path / "book.xlsx")
    log = ProblemLog()
    assert guard.check_workbook(book, log) and not log
    assert load_book(book).tables["accounts"].shape[0] == 1
    sample = Path(__file__).parent.parent / "sample_data" / "weekly_book.xlsx"
    assert guard.check_workbook(sample, log) and not log


def test_one_cell_at_XFD1048576_is_refused_in_under_5s_within_1GiB(tmp_path):
    # issue 10: "One cell at XFD1048576 in an 18 KB workbook: the reader tries to allocate
    # 512 GiB and the process aborts (exit 134, a Rust backtrace)."
    book = write_workbook(tmp_path / "book.xlsx", stray=(1048575, 16383))
    assert book.stat().st_size < 20_000
    out = assert_refused(book, "XFD1048576", "delete the stray cell at XFD1048576", "accounts", tmp_path=tmp_path)
    assert "A1:XFD1048576" in out  # what the workbook declares


def test_a_lying_dimension_does_not_hide_the_stray_cell(tmp_path):
    # The sheet declares A1:E2 but holds a cell at XFD1048576: its cells are scanned.
    book = write_workbook(tmp_path / "book.xlsx", stray=(1048575, 16383))
    rewrite(book, accounts_part(book), lambda x: x.replace(b'<dimension ref="A1:XFD1048576"/>',
                                                          b'<dimension ref="A1:E2"/>'))
    assert_refused(book, "delete the stray cell at XFD1048576", tmp_path=tmp_path, compute=False)


def test_a_cell_in_the_last_row_is_refused(tmp_path):
    # issue 10: "A cell in the last row: 1.1 GB, 7 s." The range A1:E1048576 holds a few
    # hundred bytes of data: a stray cell, named.
    book = write_workbook(tmp_path / "book.xlsx", stray=(1048575, 3))
    msgs = problems(book)
    assert len(msgs) == 1, msgs
    assert "A1:E1048576" in msgs[0] and "delete the stray cell at D1048576" in msgs[0]


def test_a_stale_large_dimension_over_small_data_is_read(tmp_path):
    # Excel's dimension can be stale: declared A1:XFD1048576, cells only in A1:E2. The
    # cells decide, and the book loads.
    book = write_workbook(tmp_path / "book.xlsx")
    rewrite(book, accounts_part(book), lambda x: x.replace(b'<dimension ref="A1:E2"/>',
                                                          b'<dimension ref="A1:XFD1048576"/>'))
    assert b"A1:XFD1048576" in zipfile.ZipFile(book).read(accounts_part(book))
    assert load_book(book).tables["accounts"].shape[0] == 1


def test_empty_formatted_cells_far_away_are_not_refused(tmp_path):
    # A formatted but empty cell (self-closing <c .../>) holds no value: calamine skips it.
    book = write_workbook(tmp_path / "book.xlsx")
    rewrite(book, accounts_part(book), lambda x: x.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>'))
    assert load_book(book).tables["accounts"].shape[0] == 1


def test_a_table_sheet_with_more_than_1000_columns_is_refused(tmp_path):
    header = ["account_id", "customer_id", "book", "type", "balance"] + [f"x{i}" for i in range(996)]
    book = write_workbook(tmp_path / "book.xlsx", accounts_header=header)
    msgs = problems(book)
    assert len(msgs) == 1 and "1,001 columns" in msgs[0] and "at most 1,000" in msgs[0], msgs


def test_a_wide_working_sheet_within_the_cell_budget_is_not_refused(tmp_path):
    # The column bound is for tables; a README or working sheet is only held to the budget.
    book = write_workbook(tmp_path / "book.xlsx", extra_sheets={"Working": [list(range(2000))] * 3})
    assert load_book(book).tables["accounts"].shape[0] == 1


def test_a_sheet_range_over_the_cell_budget_is_refused_even_when_dense_enough():
    ext = guard._Extent()
    ext.add([b"A", b"CW"], [b"1", b"1048576"])  # 1,048,576 rows x 101 columns
    assert ext.cells > guard.MAX_SHEET_CELLS
    assert guard._over(ext, "accounts", 3 * GiB)
    ext = guard._Extent()
    ext.add([b"A", b"P"], [b"1", b"1000001"])  # the benchmark's 1M-row accounts sheet
    assert not guard._over(ext, "accounts", 653_399_320)


def test_not_a_zip_and_an_encrypted_workbook_are_refused(tmp_path):
    text = tmp_path / "book.xlsx"
    text.write_text("account_id,balance\n")
    assert any("not an .xlsx workbook (not a zip file" in m for m in problems(text))
    ole = tmp_path / "locked.xlsx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    (msg,) = problems(ole)
    assert "password-protected" in msg


def test_zip_directory_bounds():
    def info(name, size, packed):
        i = zipfile.ZipInfo(name)
        i.file_size, i.compress_size = size, packed
        return i

    assert guard.zip_problems([info("xl/worksheets/sheet1.xml", 650 * MiB, 65 * MiB)], "b.xlsx") == []
    (p,) = guard.zip_problems([info("xl/worksheets/sheet1.xml", 5 * GiB, 500 * MiB)], "b.xlsx")
    assert "declares 5.0 GiB" in str(p) and "at most 4.0 GiB" in str(p)
    many = [info(f"xl/worksheets/sheet{i}.xml", 3 * GiB, 300 * MiB) for i in range(3)]
    (p,) = guard.zip_problems(many, "b.xlsx")
    assert "9.0 GiB uncompressed in all" in str(p)
    (p,) = guard.zip_problems([info("xl/worksheets/sheet1.xml", 300 * MiB, 300 * 1024)], "b.xlsx")
    assert "zip bomb" in str(p) and "1,024 times" in str(p)


def test_a_300MB_shared_string_in_a_small_workbook_is_refused_in_under_5s(tmp_path):
    # issue 10: "A 300 MB shared string in a 323 KB workbook: over 60 s."
    book = write_workbook(tmp_path / "book.xlsx")

    def huge(xml):
        head, rest = xml.split(b"</sst>")
        yield head + b"<si><t>"
        block = b"a" * (10 * MiB)
        for _ in range(30):
            yield block
        yield b"</t></si></sst>"

    rewrite(book, "xl/sharedStrings.xml", huge, level=9)
    assert book.stat().st_size < 400_000
    assert_refused(book, "xl/sharedStrings.xml", tmp_path=tmp_path)


_LETTERS = bytes(ord(string.ascii_letters[i % 52]) for i in range(256))


def _random_text(n):
    """n random letters (they compress about 1.6:1: not a zip bomb)."""
    return random.Random(10).randbytes(n).translate(_LETTERS)


def test_a_shared_string_longer_than_a_cell_can_hold_is_refused(tmp_path):
    book = write_workbook(tmp_path / "book.xlsx")
    text = _random_text(40_000)
    rewrite(book, "xl/sharedStrings.xml", lambda x: x.replace(b"</sst>", b"<si><t>" + text + b"</t></si></sst>"))
    (msg,) = problems(book)
    assert "40,000 characters" in msg and "32,767" in msg and text[:20].decode() in msg


def test_a_shared_string_of_megabytes_is_refused_without_reading_it_whole(tmp_path):
    book = write_workbook(tmp_path / "book.xlsx")
    text = _random_text(6 * MiB)  # not a zip bomb: random letters compress ~1.6:1
    rewrite(book, "xl/sharedStrings.xml", lambda x: x.replace(b"</sst>", b"<si><t>" + text + b"</t></si></sst>"))
    t = time.perf_counter()
    (msg,) = problems(book)
    assert time.perf_counter() - t < 5
    assert "more than 4 MiB of XML" in msg


def test_shared_strings_count_characters_not_bytes():
    # 32,767 characters written as `&amp;` (5 bytes each) fit a cell; 32,768 do not.
    for n, ok in ((32_767, True), (32_768, False)):
        xml = b"<sst><si><t>x</t></si><si><t>" + b"&amp;" * n + b"</t></si><si><r><t>a</t></r></si></sst>"
        path = Path(os.environ.get("TMPDIR", "/tmp")) / f"guard-sst-{os.getpid()}-{n}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/sharedStrings.xml", xml)
        with zipfile.ZipFile(path) as z:
            found = guard.shared_string_problems(z, "xl/sharedStrings.xml", "b.xlsx")
        path.unlink()
        assert (found == []) is ok, found
        if not ok:
            assert "shared string 1" in str(found[0]) and "32,768 characters" in str(found[0])


# --------------------------------------------------------------------------- the book path


@pytest.mark.parametrize("name", ["book.xlsx", "book"])
def test_a_book_that_is_a_link_to_dev_zero_is_refused_in_under_1s(tmp_path, name):
    # issue 10: "A book that is a symlink to /dev/zero: 6 GB in 22 s."
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    assert_refused(link, "a device", "/dev/zero", seconds=1.0, tmp_path=tmp_path)


def test_a_book_that_is_a_fifo_is_refused(tmp_path):
    fifo = tmp_path / "book.xlsx"
    os.mkfifo(fifo)
    assert_refused(fifo, "a FIFO", seconds=1.0, tmp_path=tmp_path, compute=False)


def test_a_link_to_a_regular_workbook_is_followed(tmp_path):
    real = write_workbook(tmp_path / "book-2026-11-20.xlsx")
    (tmp_path / "latest.xlsx").symlink_to(real)
    assert load_book(tmp_path / "latest.xlsx").tables["accounts"].shape[0] == 1


# --------------------------------------------------------------------------- folders


def test_a_table_file_linked_to_dev_zero_is_refused(tmp_path):
    book = write_book(tmp_path / "book")
    (book / "holidays.csv").symlink_to("/dev/zero")
    assert_refused(book, "holidays.csv", "symbolic link", "/dev/zero", tmp_path=tmp_path)


def test_a_fifo_table_file_is_refused(tmp_path):
    book = write_book(tmp_path / "book")
    os.mkfifo(book / "items.csv")
    assert_refused(book, "items.csv", "a FIFO", tmp_path=tmp_path, compute=False)


def test_a_fifo_in_a_table_subfolder_is_refused(tmp_path):
    book = write_book(tmp_path / "book")
    (book / "accounts").mkdir()
    os.mkfifo(book / "accounts" / "part2.csv")
    assert_refused(book, "part2.csv", "a FIFO", tmp_path=tmp_path, compute=False)


def test_a_socket_table_file_is_refused(tmp_path):
    book = write_book(tmp_path / "b")
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(book / "items.csv"))
        (msg,) = problems(book)
    finally:
        s.close()
    assert "items.csv" in msg and "a socket" in msg


def test_a_table_file_linked_outside_the_book_is_refused(tmp_path):
    # Any symbolic link is refused (reading: a link repeats a file of the book or reads one
    # outside it, whose digest then describes a file the folder does not hold).
    outside = write_book(tmp_path / "elsewhere", accounts=[{"account_id": "X", "book": "customer",
                                                            "type": "cash", "balance": "575000"}])
    book = write_book(tmp_path / "book")
    (book / "accounts.part2.csv").symlink_to(outside / "accounts.csv")
    (msg,) = problems(book)
    assert "accounts.part2.csv" in msg and "symbolic link" in msg and "copy the file" in msg


def test_a_table_subfolder_that_is_a_link_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.csv").write_text("kind,amount\n")
    book = write_book(tmp_path / "book")
    (book / "items").symlink_to(elsewhere, target_is_directory=True)
    (msg,) = problems(book)
    assert "items" in msg and "symbolic link" in msg


def test_a_csv_with_200000_columns_is_refused_from_its_first_line(tmp_path):
    # issue 10: "A holidays.csv with 200,000 columns: over 60 s."
    book = write_book(tmp_path / "book")
    (book / "holidays.csv").write_text(",".join(f"c{i}" for i in range(200_000)) + "\n2026-11-26\n")
    assert_refused(book, "holidays.csv", "columns", "a table has at most 1,000 columns", tmp_path=tmp_path)
    # short names: the header fits in 1 MiB, and its fields are counted
    (book / "holidays.csv").write_text(",".join("c" for i in range(200_000)) + "\n2026-11-26\n")
    assert_refused(book, "holidays.csv", "the header has 200,000 columns", tmp_path=tmp_path, compute=False)


def test_a_csv_header_longer_than_1MiB_is_refused(tmp_path):
    book = write_book(tmp_path / "book")
    (book / "holidays.csv").write_bytes(b"date," + b"x" * (2 * MiB) + b"\n")
    (msg,) = problems(book)
    assert "holidays.csv" in msg and "longer than 1 MiB" in msg


def test_a_csv_of_1000_columns_passes_the_guard(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text(",".join(f"c{i}" for i in range(1000)) + "\n")
    assert guard.csv_problems(path, str(path), "accounts") == []


def test_a_parquet_file_with_too_many_columns_or_a_lying_footer_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    book = write_book(tmp_path / "book")
    pq.write_table(pa.table({f"c{i}": [1] for i in range(1001)}), book / "holidays.parquet")
    (msg,) = problems(book)
    assert "holidays.parquet" in msg and "1,001 columns" in msg
    (book / "holidays.parquet").write_bytes(b"PAR1" + b"\0" * 16 + (3 * GiB).to_bytes(4, "little") + b"PAR1")
    (msg,) = problems(book)
    assert "metadata is out of bounds" in msg


def test_a_parquet_decompression_bomb_is_refused_from_its_footer(tmp_path):
    # 12,000,000 equal values run-length encode into a few kilobytes: the footer states
    # 12,000,000 rows, more than PARQUET_FREE_ROWS (2,000,000) + 8 per byte of the small file,
    # so the file is refused before a reader decodes it; a real table of the same rows is not.
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    book = write_book(tmp_path / "book")
    pq.write_table(pa.table({"holiday": pa.array(np.zeros(12_000_000, dtype=np.int8))}), book / "holidays.parquet",
                   compression="zstd")
    size = (book / "holidays.parquet").stat().st_size
    assert 12_000_000 > guard.PARQUET_FREE_ROWS + guard.PARQUET_ROWS_PER_BYTE * size
    (msg,) = problems(book)
    assert "holidays.parquet" in msg and "12,000,000 rows" in msg and "decompression bomb" in msg
    # PARQUET_FREE_ROWS equal values pass, whatever the size
    few = tmp_path / "few.parquet"
    pq.write_table(pa.table({"a": pa.array(np.zeros(guard.PARQUET_FREE_ROWS, dtype=np.int8))}), few)
    assert guard.parquet_problems(few, "few", "holidays") == []
    # cells (rows x columns) against the size too: 100 columns of 30,000 equal values are
    # 3,000,000 cells, refused when the limits allow fewer (monkeypatched down to 1,000,000
    # free cells + 1 a byte, the file being a few hundred kilobytes)
    wide = tmp_path / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": pa.array(np.zeros(30_000, dtype=np.int8)) for i in range(100)}), wide)
    assert guard.parquet_problems(wide, "wide", "holidays") == []
    mp = pytest.MonkeyPatch()
    mp.setattr(guard, "PARQUET_FREE_CELLS", 1_000_000)
    mp.setattr(guard, "PARQUET_CELLS_PER_BYTE", 1)
    try:
        (p,) = guard.parquet_problems(wide, "wide", "holidays")
    finally:
        mp.undo()
    assert p.value.startswith("30,000 rows x 100 columns = 3,000,000 cells in ") and "cells for a file" in p.expected


def test_normal_folder_books_pass_the_guard(tmp_path):
    book = write_book(tmp_path / "book", accounts=[{"account_id": "A", "book": "customer", "type": "cash",
                                                       "balance": "1"}])
    (book / "accounts").mkdir()
    (book / "accounts" / "more.csv").write_text("account_id,book,type,balance\nB,customer,cash,2\n")
    (book / "notes.txt").write_text("not a table")
    log = ProblemLog()
    assert guard.check_folder(book, log) and not log
    assert load_book(book).tables["accounts"].shape[0] == 2


# --------------------------------------------------------------------------- docs


def test_every_limit_is_documented():
    doc = render()
    assert "## Limits" in doc
    for what, _ in guard.limits():
        assert what in doc
    for figure in ("1,000", "32,767", "67,108,864", "4.0 GiB", "8.0 GiB", "256:1", "XFD1048576"):
        assert figure in doc, figure


def test_a_tag_is_never_split_between_scan_blocks():
    # A cell tag with a long attribute before its reference stays whole for the next block;
    # a tag of over 1 MiB is refused (no sheet has one).
    assert guard._cut(b'<c r="A1"><v>1</v></c><c s="1" x="' + b"y" * 70_000) == 22
    assert guard._cut(b"<t>" + b"a" * 70_000) == 70_003  # a finished tag and long text: cut after
    with pytest.raises(ValueError, match="more than 1 MiB"):
        guard._cut(b'<c x="' + b"y" * (2 * MiB))
