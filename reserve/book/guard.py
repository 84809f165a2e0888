"""Hostile files are refused before a parser sees them (issue 10, "What must work" item 5).

The readers (fastexcel/calamine, pandas, pyarrow) trust their input: a symlink to
`/dev/zero` is read forever, one cell at XFD1048576 makes calamine allocate the whole range
(17 billion cells, 512 GiB) and abort, a 300 MB shared string or a CSV header of 200,000
fields takes minutes. This module checks, cheaply and before any parse, what the readers
would be asked to do, and refuses with a located Problem:

- the book path is a regular file or a folder; inside a folder, the table files (and the
  files of table sub-folders) are regular files: no device, FIFO, socket or symlink (any
  symlink: a link either repeats a file the book already holds or reads one outside the
  book, whose digest in the provenance then describes a file the folder does not hold);
- a workbook is a zip whose parts are bounded (declared size of a part, of all parts, and
  the compression ratio); each sheet's cell range is bounded (rows x columns, the columns of
  a table sheet); every shared string is at most Excel's own 32,767 characters;
- a CSV header has at most MAX_COLUMNS fields and ends within its first MiB; a Parquet
  file's footer, its number of columns, and the rows and cells its footer states for its
  size (a decompression bomb) are bounded.

Cost for a normal book: the zip directory is read anyway; each sheet part's first 64 KiB
(for its declared <dimension>) and, only for a part of at most SCAN_ALWAYS_BYTES, the whole
part (a C-speed regex over its cell references); xl/sharedStrings.xml is streamed once in
1 MiB blocks (split on `</si>`, C speed); a CSV's first MiB; a Parquet file's last 8 bytes
and schema. A large sheet part whose declared dimension is within budget is trusted and
not read here (reading a 650 MB sheet part costs 1-2 s: the 1M-row workbook would get
measurably slower).

The limits are module constants, documented in docs/BOOK_FORMAT.md ("Limits") by
reserve/book/docs.py.
"""

from __future__ import annotations

import csv
import heapq
import io
import os
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import Problem, ProblemLog
from .schema import TABLES_BY_NAME

GiB = 1 << 30
MiB = 1 << 20

# --- workbooks (zip)
MAX_PART_BYTES = 4 * GiB  # declared uncompressed size of one part (what a zip without zip64 can state)
MAX_TOTAL_BYTES = 8 * GiB  # all parts together
MAX_RATIO = 256  # uncompressed / compressed, for a part over RATIO_FROM_BYTES (real sheets: 2-15)
RATIO_FROM_BYTES = 1 * MiB
# --- sheets
MAX_COLUMNS = 1_000  # columns of a table (sheet, CSV header, Parquet file); a table has at most ~30
BYTES_PER_CELL = 32  # what calamine holds per cell of a sheet's range (its Data enum)
MAX_SHEET_CELLS = 1 << 26  # rows x columns of a sheet's range: 67,108,864 cells, 2 GiB in the reader
FREE_CELLS = 1 << 20  # a range up to 1,048,576 cells (32 MiB) needs no data behind it
CELLS_PER_BYTE = 8  # beyond FREE_CELLS, a range may cover at most 8 cells per byte of its sheet's XML
SCAN_ALWAYS_BYTES = 4 * MiB  # a sheet part up to this size is scanned for its real range (~15 ms per MiB)
HEAD_BYTES = 64 * 1024  # where a sheet part's <dimension> is looked for
# --- text
MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell
MAX_STRING_XML_BYTES = 4 * MiB  # one shared string's XML (a 32,767-character string in rich text fits)
# --- CSV / Parquet
MAX_HEADER_BYTES = 1 * MiB  # a CSV header line
MAX_PARQUET_FOOTER_BYTES = 64 * MiB  # a Parquet file's metadata
# A Parquet file's rows and cells (rows x columns), as its footer states them, against its
# size: a column of a billion equal values run-length encodes into a few kilobytes and then
# decodes into gigabytes (a decompression bomb). Real books hold at most ~1 cell and 0.1 row
# per byte (the 10M- and 40M-account bench books: 0.8 and 0.07); the limits leave room for
# books of constant columns and sorted ids.
PARQUET_FREE_ROWS = 2_000_000  # rows any Parquet file may state
PARQUET_ROWS_PER_BYTE = 8  # beyond PARQUET_FREE_ROWS, rows per byte of the file
PARQUET_FREE_CELLS = 1 << 26  # cells any Parquet file may state (67,108,864)
PARQUET_CELLS_PER_BYTE = 64  # beyond PARQUET_FREE_CELLS, cells per byte of the file

EXCEL_MAX_ROWS, EXCEL_MAX_COLS = 1_048_576, 16_384


class Refused(Exception):
    """A file the guard refuses (raised where no ProblemLog is at hand)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.message)


def _table_like(name: str) -> str | None:
    """The table a file or folder name stands for, matched loosely (case and surrounding
    space ignored, as the name matching does): the guard checks more files, never fewer."""
    stem = name.split(".", 1)[0].strip().lower()
    return stem if stem in _LOWER_TABLES else None


_LOWER_TABLES = {t.lower() for t in TABLES_BY_NAME}
_TABLE_SUFFIXES = (".csv", ".parquet")


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _gib(n: int) -> str:
    return f"{n / GiB:,.1f} GiB" if n >= GiB else f"{n / MiB:,.1f} MiB"


# --------------------------------------------------------------------------- the book path


def check_book(path: Path, log: ProblemLog) -> bool:
    """The book path is a regular file or a folder (a symlink to one is followed: the user
    named it). False (and a problem) when it is a device, FIFO or socket."""
    try:
        st = os.stat(path)
    except OSError:
        return True  # missing or a broken link: read_book says so
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return True
    target = f" (a link to {os.path.realpath(path)})" if os.path.islink(path) else ""
    log.add(Problem(str(path), message=f"the book is {_kind(st.st_mode)}{target}, not a file or a folder; "
                    "a book is an .xlsx workbook or a folder of .csv/.parquet files"))
    return False


# --------------------------------------------------------------------------- folders


def check_folder(folder: Path, log: ProblemLog) -> bool:
    """Table files and table sub-folders' files are regular files (no link, device, FIFO or
    socket), and each table file's header is bounded. Every refused file is a problem; False
    when there is any (the book is then not read at all)."""
    problems: list[Problem] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        log.add(Problem(str(folder), message=f"cannot list the folder: {exc.strerror or exc}"))
        return False
    for entry in entries:
        table = _table_like(entry.name)
        tabular = entry.name.lower().endswith(_TABLE_SUFFIXES)
        if not (tabular or table):
            continue
        shown = str(Path(folder) / entry.name)
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue  # gone since the listing: the reader says so
        if stat.S_ISLNK(mode):
            problems.append(_link_problem(shown, entry.path, table or ""))
            continue
        if stat.S_ISDIR(mode):
            if table:
                problems.extend(_check_subfolder(Path(entry.path), shown, table))
            continue
        if not stat.S_ISREG(mode):
            problems.append(_irregular_problem(shown, mode, table or ""))
            continue
        if table and tabular:
            problems.extend(_content_problems(Path(entry.path), shown, table))
    for p in problems:
        log.add(p)
    return not problems


def _check_subfolder(sub: Path, shown_dir: str, table: str) -> list[Problem]:
    out: list[Problem] = []
    try:
        entries = sorted(os.scandir(sub), key=lambda e: e.name)
    except OSError as exc:
        return [Problem(shown_dir, table, message=f"cannot list the folder: {exc.strerror or exc}")]
    for entry in entries:
        if not entry.name.lower().endswith(_TABLE_SUFFIXES):
            continue
        shown = str(Path(shown_dir) / entry.name)
        try:
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            out.append(_link_problem(shown, entry.path, table))
        elif not stat.S_ISREG(mode):
            out.append(_irregular_problem(shown, mode, table))
        else:
            out.extend(_content_problems(Path(entry.path), shown, table))
    return out


def _link_problem(shown: str, real: str, table: str) -> Problem:
    return Problem(shown, table, value=f"a link to {os.path.realpath(real)}", expected="a regular file",
                   message="a table file of a book is a regular file, not a symbolic link: copy the file "
                           "into the book folder")


def _irregular_problem(shown: str, mode: int, table: str) -> Problem:
    return Problem(shown, table, value=_kind(mode), expected="a regular file",
                   message=f"a table file of a book is a regular file; this is {_kind(mode)}")


def _content_problems(path: Path, shown: str, table: str) -> list[Problem]:
    name = path.name.lower()
    try:
        if name.endswith(".csv"):
            return csv_problems(path, shown, table)
        if name.endswith(".parquet"):
            return parquet_problems(path, shown, table)
    except OSError:
        pass  # unreadable (permissions): the reader reports "cannot read the file"
    return []


def _require_regular(path: Path, shown: str, table: str) -> None:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return  # the reader reports a missing file
    if stat.S_ISLNK(mode):
        raise Refused(_link_problem(shown, str(path), table))
    if not stat.S_ISREG(mode):
        raise Refused(_irregular_problem(shown, mode, table))


def check_csv(path: Path, table: str, shown: str) -> None:
    """For the CSV reader: raises Refused when the file is not a regular file or its header
    is out of bounds (check_folder has reported these already for a whole book)."""
    _require_regular(path, shown, table)
    problems = csv_problems(path, shown, table)
    if problems:
        raise Refused(problems[0])


def check_parquet(path: Path, table: str, shown: str) -> None:
    _require_regular(path, shown, table)
    problems = parquet_problems(path, shown, table)
    if problems:
        raise Refused(problems[0])


def csv_problems(path: Path, shown: str, table: str) -> list[Problem]:
    """The header line ends within MAX_HEADER_BYTES and has at most MAX_COLUMNS fields; only
    the file's first MiB is read."""
    with open(path, "rb") as fh:
        head = fh.read(MAX_HEADER_BYTES + 1)
    if not head:
        return []
    end = head.find(b"\n")
    if end < 0 and len(head) > MAX_HEADER_BYTES:
        fields = head.count(b",") + 1
        many = (f" and more than {fields:,} columns" if fields > MAX_COLUMNS else "")
        return [Problem(shown, table, 1, message=f"the header line is longer than {MAX_HEADER_BYTES // MiB} MiB "
                        f"(the file's first {MAX_HEADER_BYTES:,} bytes hold no line break{many}); "
                        f"a table has at most {MAX_COLUMNS:,} columns: is this a CSV file of the table?")]
    text = head.decode("utf-8-sig", errors="replace")
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:
        return []  # the CSV reader says what is wrong with it
    if len(header) > MAX_COLUMNS:
        return [Problem(shown, table, 1, value=f"{len(header):,} columns", expected=f"at most {MAX_COLUMNS:,}",
                        message=f"the header has {len(header):,} columns; a table has at most "
                                f"{MAX_COLUMNS:,}: remove the extra columns")]
    return []


def parquet_problems(path: Path, shown: str, table: str) -> list[Problem]:
    """A Parquet file ends in PAR1 after a footer of at most MAX_PARQUET_FOOTER_BYTES, and
    its schema has at most MAX_COLUMNS columns (only the footer is read)."""
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        if size < 12:
            return [Problem(shown, table, message="not a Parquet file (too short)")]
        fh.seek(size - 8)
        tail = fh.read(8)
    if tail[4:] != b"PAR1":
        return [Problem(shown, table, message="not a Parquet file (it does not end in PAR1)")]
    footer = int.from_bytes(tail[:4], "little")
    if footer > MAX_PARQUET_FOOTER_BYTES or footer > size - 12:
        return [Problem(shown, table, value=f"a footer of {footer:,} bytes",
                        expected=f"at most {MAX_PARQUET_FOOTER_BYTES // MiB} MiB and within the file",
                        message="the Parquet file's metadata is out of bounds")]
    try:
        import pyarrow.parquet as pq

        n = len(pq.read_schema(path).names)
        rows = pq.read_metadata(path).num_rows
    except Exception:
        return []  # the reader says what is wrong with it
    if n > MAX_COLUMNS:
        return [Problem(shown, table, value=f"{n:,} columns", expected=f"at most {MAX_COLUMNS:,}",
                        message=f"the file has {n:,} columns; a table has at most {MAX_COLUMNS:,}: "
                                "remove the extra columns")]
    max_rows = PARQUET_FREE_ROWS + PARQUET_ROWS_PER_BYTE * size
    max_cells = PARQUET_FREE_CELLS + PARQUET_CELLS_PER_BYTE * size
    if rows > max_rows or rows * n > max_cells:
        stated = f"{rows:,} rows" if rows > max_rows else f"{rows:,} rows x {n:,} columns = {rows * n:,} cells"
        allowed = (f"at most {max_rows:,} rows" if rows > max_rows else f"at most {max_cells:,} cells")
        return [Problem(shown, table, value=f"{stated} in {size:,} bytes",
                        expected=f"{allowed} for a file of this size",
                        message="the Parquet file states far more rows than its size can hold as data (it would "
                                "decompress into more memory than the book is worth: a decompression bomb?); "
                                "write the table without such runs of repeated values, or split it")]
    return []


# --------------------------------------------------------------------------- workbooks

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def check_workbook(path: Path, log: ProblemLog) -> bool:
    """Everything about a workbook that a parser would have to trust, checked before
    fastexcel/calamine open it. False (and problems) when it is refused."""
    shown = str(path)
    try:
        st = os.stat(path)
    except OSError:
        return True  # the reader says it is missing
    if not stat.S_ISREG(st.st_mode):
        log.add(Problem(shown, message=f"the workbook is {_kind(st.st_mode)}, not a regular file"))
        return False
    try:
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        log.add(Problem(shown, message=f"cannot open the workbook: {exc.strerror or exc}"))
        return False
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        log.add(Problem(shown, message="cannot open the workbook: it is not an .xlsx workbook but an old .xls "
                        "workbook or a password-protected one (save it as .xlsx without a password)"))
        return False
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        log.add(Problem(shown, message=f"cannot open the workbook: it is not an .xlsx workbook (not a zip file: {exc})"))
        return False
    with zf:
        problems = zip_problems(zf.infolist(), shown)
        if not problems:
            try:
                problems = _workbook_problems(zf, shown)
            except Exception as exc:  # a damaged part: one problem, not a traceback
                problems = [Problem(shown, message=f"cannot read the workbook: {exc}")]
    for p in problems:
        log.add(p)
    return not problems


def zip_problems(infos: list[zipfile.ZipInfo], shown: str) -> list[Problem]:
    """The zip directory (read anyway when a workbook is opened): the declared size of each
    part and of all, and the compression ratio of large parts (a zip bomb)."""
    out: list[Problem] = []
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART_BYTES:
            out.append(Problem(shown, value=f"{info.filename}: {_gib(info.file_size)}",
                               expected=f"at most {_gib(MAX_PART_BYTES)}",
                               message=f"the workbook's part {info.filename} declares {_gib(info.file_size)} "
                                       "uncompressed"))
        elif info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            out.append(Problem(shown, value=f"{info.filename}: {info.compress_size:,} bytes -> {info.file_size:,}",
                               expected=f"a compression ratio of at most {MAX_RATIO}:1",
                               message=f"the workbook's part {info.filename} expands {ratio:,.0f} times "
                                       "(a zip bomb, or a part of nothing but repeated text)"))
    if total > MAX_TOTAL_BYTES:
        out.append(Problem(shown, value=_gib(total), expected=f"at most {_gib(MAX_TOTAL_BYTES)}",
                           message=f"the workbook's parts declare {_gib(total)} uncompressed in all"))
    return out


def _rels_targets(zf: zipfile.ZipFile) -> tuple[list[tuple[str, str]], list[str]]:
    """[(sheet name, member)] of the worksheets, and the shared-strings members."""
    from defusedxml import ElementTree as SafeET

    names = set(zf.namelist())
    try:
        wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        # not a workbook laid out as Excel does; every worksheet part is checked by name
        sheets = [(PurePosixPath(n).stem, n) for n in sorted(names)
                  if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        return sheets, ["xl/sharedStrings.xml"] if "xl/sharedStrings.xml" in names else []
    targets, strings = {}, []
    for r in rels.findall(f"{{{_NS_REL}}}Relationship"):
        target = r.get("Target") or ""
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[r.get("Id")] = member
        if (r.get("Type") or "").endswith("/sharedStrings") and member in names:
            strings.append(member)
    if not strings and "xl/sharedStrings.xml" in names:
        strings.append("xl/sharedStrings.xml")
    sheets = []
    for s in wb.findall(f"{{{_NS_MAIN}}}sheets/{{{_NS_MAIN}}}sheet"):
        member = targets.get(s.get(f"{{{_NS_R}}}id"), "")
        if member in names:
            sheets.append((s.get("name") or "", member))
    return sheets, strings


def _workbook_problems(zf: zipfile.ZipFile, shown: str) -> list[Problem]:
    sheets, strings = _rels_targets(zf)
    out: list[Problem] = []
    for sheet, member in sheets:
        out.extend(sheet_problems(zf, member, sheet, shown))
    for member in strings:
        out.extend(shared_string_problems(zf, member, shown))
    return out


_DIMENSION = re.compile(rb'<(?:[\w.-]+:)?dimension\b[^>]*?\bref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData\b")
# The quick pass: every ` r="..."` reference, of a cell (letters and digits) or of a row
# (digits only). It over-counts (an empty formatted cell or row has one too), never
# under-counts, unless an attribute is separated by a tab or a line break (then the exact
# pass runs).
_ANY_LETTERS = re.compile(rb' r="([A-Za-z]*)\d+"')
_ANY_DIGITS = re.compile(rb' r="[A-Za-z]*(\d+)"')
_ODD_SPACE = (b'\tr="', b'\nr="', b'\rr="')
# The exact pass: a cell that can hold a value (not self-closing; calamine's range spans
# those only), and a row followed by cells (its cells may carry no reference: calamine
# then places them by counting).
_VALUE_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Za-z]+)(\d+)"[^>]*(?<!/)>')
_ROW = re.compile(rb'<(?:[\w.-]+:)?row\s[^>]*?\br="(\d+)"[^>]*(?<!/)>\s*'
                  rb'<(?:[\w.-]+:)?c(?:>|\s(?![^>]*\br=)[^>]*(?<!/)>)')


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


class _Extent:
    """The range of a sheet's cells, as calamine will allocate it (first to last cell)."""

    def __init__(self) -> None:
        self.min_row: int | None = None  # (both None until a cell is added)
        self.min_col: int | None = None
        self.rows_top: list[int] = []  # the two largest row numbers
        self.cols_top: list[int] = []  # the two largest column numbers
        self.far_row_cell = self.far_col_cell = ""  # a cell in the last row, in the last column

    @property
    def max_row(self) -> int:
        return self.rows_top[0] if self.rows_top else 0

    @property
    def max_col(self) -> int:
        return self.cols_top[0] if self.cols_top else 0

    def add(self, letters, digits, row_digits=(), name: bool = True) -> None:
        """Cells (column letters and row digits, index-aligned) and rows of one block; a
        cell without letters (a row's own reference, in the quick pass) counts as column A.
        name: find the cells at the far ends (for the message)."""
        prev_col, prev_row = self.max_col, self.max_row
        if letters:
            cols = {column_number(x.decode()) or 1 for x in set(letters)}
            nums = set(map(int, set(digits)))
            self._widen(cols, nums)
            if name and self.max_col > prev_col:
                i = next(i for i, x in enumerate(letters) if column_number(x.decode()) == self.max_col)
                self.far_col_cell = f"{letters[i].decode().upper()}{int(digits[i])}"
            if name and self.max_row > prev_row:
                i = next(i for i, d in enumerate(digits) if int(d) == self.max_row)
                self.far_row_cell = f"{letters[i].decode().upper()}{self.max_row}"
                prev_row = self.max_row
        if row_digits:
            self._widen({1}, set(map(int, set(row_digits))))
            if self.max_row > prev_row:  # a row whose cells carry no reference
                self.far_row_cell = f"row {self.max_row}"

    def _widen(self, cols: set[int], rows: set[int]) -> None:
        lo_c, lo_r = min(cols), min(rows)
        self.min_col = lo_c if self.min_col is None else min(self.min_col, lo_c)
        self.min_row = lo_r if self.min_row is None else min(self.min_row, lo_r)
        self.cols_top = sorted(set(self.cols_top) | set(heapq.nlargest(2, cols)), reverse=True)[:2]
        self.rows_top = sorted(set(self.rows_top) | set(heapq.nlargest(2, rows)), reverse=True)[:2]

    @property
    def empty(self) -> bool:
        return self.min_row is None

    @property
    def rows(self) -> int:
        return 0 if self.min_row is None else self.max_row - self.min_row + 1

    @property
    def cols(self) -> int:
        return 0 if self.min_col is None else self.max_col - self.min_col + 1

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def ref(self) -> str:
        if self.min_row is None or self.min_col is None:
            return ""
        return f"{column_letters(self.min_col)}{self.min_row}:{column_letters(self.max_col)}{self.max_row}"

    def stray(self) -> list[str]:
        """The cells standing apart from the rest: the last row's (or last column's) cell
        when it is more than one row (column) beyond the one before it."""
        out = []
        if len(self.cols_top) == 2 and self.cols_top[0] - self.cols_top[1] > 1 and self.far_col_cell:
            out.append(self.far_col_cell)
        if len(self.rows_top) == 2 and self.rows_top[0] - self.rows_top[1] > 1 and self.far_row_cell:
            out.append(self.far_row_cell)
        return sorted(set(out))


def _cell_budget(xml_bytes: int) -> int:
    """How many cells a sheet's range may span, given the size of its XML."""
    return min(MAX_SHEET_CELLS, max(FREE_CELLS, CELLS_PER_BYTE * xml_bytes))


def _over(ext: _Extent, table: str | None, xml_bytes: int) -> bool:
    return ext.cells > _cell_budget(xml_bytes) or bool(table and ext.cols > MAX_COLUMNS)


def sheet_problems(zf: zipfile.ZipFile, member: str, sheet: str, shown: str) -> list[Problem]:
    """A sheet's range (rows x columns, as the reader allocates it) is within budget, and a
    table sheet has at most MAX_COLUMNS columns. The declared <dimension> is read from the
    part's first 64 KiB; the part itself is scanned when it is small (cheap), when it
    declares no dimension, or when the declared one is over budget (the real cells may
    still be within it: Excel's dimension can be stale)."""
    info = zf.getinfo(member)
    table = sheet.strip().lower() if sheet.strip().lower() in _LOWER_TABLES else None
    with zf.open(member) as f:
        head = f.read(HEAD_BYTES)
    data_at = _SHEET_DATA.search(head)
    m = _DIMENSION.search(head, 0, data_at.start() if data_at else len(head))
    declared = None
    if m:
        c1, r1 = column_number(m.group(1).decode()), int(m.group(2))
        c2, r2 = (column_number(m.group(3).decode()), int(m.group(4))) if m.group(3) else (c1, r1)
        ref = m.group(1).decode().upper() + m.group(2).decode()
        if m.group(3):
            ref += ":" + m.group(3).decode().upper() + m.group(4).decode()
        declared = (abs(r2 - r1) + 1, abs(c2 - c1) + 1, ref)
    if declared and info.file_size > SCAN_ALWAYS_BYTES:
        rows, cols, _ = declared
        if rows * cols <= _cell_budget(info.file_size) and (table is None or cols <= MAX_COLUMNS):
            return []  # a large part, a range within budget: trusted, not read here
    quick, odd, size = _scan(zf, member, table, exact=False)
    if not odd and not _over(quick, table, size):
        return []
    ext, _, size = _scan(zf, member, table, exact=True)
    if not _over(ext, table, size):
        return []
    return _extent_problems(ext, sheet, table, shown, declared, size)


def _scan(zf, member, table, exact: bool) -> tuple[_Extent, bool, int]:
    """(the range of the sheet's cells, whether an attribute is separated oddly, bytes
    read). Stops as soon as the range passes the budget of the part's declared size (a
    stray cell far away)."""
    budget = _cell_budget(zf.getinfo(member).file_size)
    ext = _Extent()
    odd = False
    read = 0
    tail = b""
    with zf.open(member) as f:
        while True:
            block = f.read(4 * MiB)
            read += len(block)
            data = tail + block
            cut = _cut(data) if block else len(data)
            part, tail = data[:cut], data[cut:]
            if exact:
                refs = _VALUE_CELL.findall(part)
                letters, digits = zip(*refs, strict=True) if refs else ((), ())
                ext.add(letters, digits, _ROW.findall(part))
            else:
                ext.add(_ANY_LETTERS.findall(part), _ANY_DIGITS.findall(part), name=False)
                odd = odd or any(s in part for s in _ODD_SPACE)
            if ext.cells > budget or (table and ext.cols > MAX_COLUMNS):
                break
            if not block:
                break
    return ext, odd, read


def _cut(data: bytes) -> int:
    """Where to end this block's scan: before the last tag (kept for the next block, so that
    no reference is split), unless that tag is finished and followed by 64 KiB of text. An
    unfinished tag is always kept whole; one of over 1 MiB is refused (no sheet has one)."""
    lt = data.rfind(b"<")
    if lt < 0:
        return len(data)
    if data.find(b">", lt) < 0:
        if len(data) - lt > MiB:
            raise ValueError("a sheet holds an XML tag of more than 1 MiB")
        return lt
    return lt if len(data) - lt <= HEAD_BYTES else len(data)


def _extent_problems(ext: _Extent, sheet, table, shown, declared, xml_bytes) -> list[Problem]:
    said = f"the sheet declares its range as {declared[2]}; " if declared else ""
    stray = ext.stray()
    what = (f"delete the stray cell at {' and '.join(stray)}" if stray else
            "a book this large is a folder of .csv/.parquet files, not a workbook")
    if table and ext.cols > MAX_COLUMNS:
        return [Problem(shown, sheet, value=f"{ext.cols:,} columns ({ext.ref})",
                        expected=f"at most {MAX_COLUMNS:,} columns",
                        message=f"{said}its cells reach column {column_letters(ext.max_col)} "
                                f"({ext.far_col_cell}); a table has at most {MAX_COLUMNS:,} columns: "
                                + (what if stray else "remove the extra columns"))]
    budget = _cell_budget(xml_bytes)
    why = (f"a sheet may span at most {MAX_SHEET_CELLS:,} cells" if ext.cells > MAX_SHEET_CELLS else
           f"a range that large with only {xml_bytes:,} bytes of sheet data is a stray cell far from the "
           f"table (over {FREE_CELLS:,} cells, a range may span at most {CELLS_PER_BYTE} cells per byte of "
           "its sheet's data)")
    return [Problem(shown, sheet, value=ext.ref, expected=f"a range of at most {budget:,} cells",
                    message=f"{said}its cells span {ext.ref}: {ext.rows:,} rows x {ext.cols:,} columns "
                            f"= {ext.cells:,} cells, {_gib(ext.cells * BYTES_PER_CELL)} to read; {why}: {what}")]


def shared_string_problems(zf: zipfile.ZipFile, member: str, shown: str) -> list[Problem]:
    """Every shared string is at most MAX_CELL_CHARS characters. Streamed in 1 MiB blocks;
    an element's text is decoded only when its XML is longer than MAX_CELL_CHARS bytes, and
    an element whose XML passes MAX_STRING_XML_BYTES is refused without reading on."""
    out: list[Problem] = []
    index = 0  # shared strings passed so far
    tail = b""
    with zf.open(member) as f:
        while True:
            block = f.read(MiB)
            data = tail + block
            end = data.rfind(b"</si>") + len(b"</si>") if block else len(data)
            if end < len(b"</si>"):
                end = 0
            done, tail = data[:end], data[end:]
            # Quick: a string of over MAX_CELL_CHARS bytes leaves some aligned window with no
            # `</si>` in it; only then is the block split and measured.
            if any(done.find(b"</si>", i, i + _WINDOW + 5) < 0 for i in range(0, len(done) - _WINDOW, _WINDOW)):
                pieces = done.split(b"</si>")
                for i, piece in enumerate(pieces):
                    if len(piece) > MAX_CELL_CHARS:
                        chars, start = _si_text_length(piece)
                        if chars > MAX_CELL_CHARS:
                            out.append(_long_string(shown, member, index + i, f"{chars:,} characters", start))
                            if len(out) >= 20:
                                return out
            index += done.count(b"</si>")
            if len(tail) > MAX_STRING_XML_BYTES:
                head = tail[tail.find(b"<si"):][:200]
                out.append(_long_string(shown, member, index, f"more than {MAX_STRING_XML_BYTES // MiB} MiB of XML",
                                        _si_text_length(head + b"</t>")[1]))
                return out
            if not block:
                break
    return out


_WINDOW = 8 * 1024  # a string of over MAX_CELL_CHARS bytes spans 3 whole aligned windows of this size
_T = re.compile(rb"<(?:[\w.-]+:)?t\b[^>]*?(?:/>|>([^<]*)</(?:[\w.-]+:)?t>)")
_RPH = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", re.S)


def _si_text_length(piece: bytes) -> tuple[int, str]:
    from html import unescape

    at = piece.find(b"<si")
    body = _RPH.sub(b"", piece[at:] if at >= 0 else piece)
    text = "".join(unescape((m.group(1) or b"").decode("utf-8", errors="replace")) for m in _T.finditer(body))
    return len(text), text[:40]


def _long_string(shown, member, index, size, start) -> Problem:
    return Problem(shown, value=f"shared string {index}: {size}", expected=f"at most {MAX_CELL_CHARS:,} characters",
                   message=f"the workbook's shared string {index} (in {member}, starting {start!r}) is longer "
                           f"than a cell can hold in Excel ({MAX_CELL_CHARS:,} characters): shorten the cell "
                           "that holds it")


def limits() -> list[tuple[str, str]]:
    """(what, limit) for docs/BOOK_FORMAT.md's "Limits" section."""
    return [
        ("book path", "a regular `.xlsx`/`.xlsm` file or a folder (a link to one is followed); a device, "
                      "FIFO or socket is refused"),
        ("table files in a folder", "`.csv`/`.parquet` files and table sub-folders (and their files) are "
                                    "regular files: a symbolic link (any), device, FIFO or socket is refused; "
                                    "copy a linked file into the folder"),
        ("workbook", "a zip file (an old `.xls` or a password-protected workbook is refused)"),
        ("workbook part", f"at most {_gib(MAX_PART_BYTES)} uncompressed (as the zip directory declares it); "
                          f"all parts together at most {_gib(MAX_TOTAL_BYTES)}; a part over "
                          f"{RATIO_FROM_BYTES // MiB} MiB expands at most {MAX_RATIO}:1"),
        ("sheet range", f"rows x columns from a sheet's first to its last cell holding a value: at most "
                        f"{MAX_SHEET_CELLS:,} cells (the reader holds {BYTES_PER_CELL} bytes per cell of the "
                        f"range, {_gib(MAX_SHEET_CELLS * BYTES_PER_CELL)}); over {FREE_CELLS:,} cells, at most "
                        f"{CELLS_PER_BYTE} cells per byte of the sheet's XML (one cell at XFD1048576 is refused "
                        "with its address: delete it). A sheet part over "
                        f"{SCAN_ALWAYS_BYTES // MiB} MiB is judged by its declared `<dimension>`; a smaller "
                        "one, or one without or over the limit, by its cells"),
        ("columns of a table", f"at most {MAX_COLUMNS:,} (a table sheet's range, a CSV header, a Parquet "
                               "file's schema)"),
        ("text of a cell", f"a shared string of at most {MAX_CELL_CHARS:,} characters (Excel's own limit)"),
        ("CSV header", f"its first line ends within {MAX_HEADER_BYTES // MiB} MiB"),
        ("Parquet footer", f"at most {MAX_PARQUET_FOOTER_BYTES // MiB} MiB"),
        ("Parquet rows", f"the rows a file's footer states: at most {PARQUET_FREE_ROWS:,}, plus "
                         f"{PARQUET_ROWS_PER_BYTE} per byte of the file; its cells (rows x columns): at most "
                         f"{PARQUET_FREE_CELLS:,}, plus {PARQUET_CELLS_PER_BYTE} per byte (a file that would "
                         "decompress into far more memory than its size is refused)"),
    ]
