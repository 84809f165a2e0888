"""Reading a book's files into raw, untyped chunks: the only place that touches input files.

A book is one `.xlsx` workbook (a sheet per table) or a folder of per-table `.csv` /
`.parquet` files. A table may be split over several files in a folder:
`accounts.csv`, `accounts.part2.csv`, `accounts.2026-11.parquet` ... (any
`<table>.<anything>.csv|parquet`) or a sub-folder `accounts/` holding `.csv`/`.parquet`
files. Every chunk keeps, for each row, the row number a person sees (Excel row, CSV line,
Parquet row counted from 1), so every later problem and audit record can point at it.

Workbooks are read with fastexcel (calamine, into Arrow): ~10x faster than openpyxl on
large sheets. Columns are read with strict type inference over every row, so a column that
mixes numbers and text is never silently nulled; such a sheet falls back to python-calamine,
which hands over each cell's own Python value. Formula cells are read by their saved value;
a formula with no saved value, and an Excel error value (#N/A, #DIV/0!...), is a problem
naming the cell -- never read as blank, because blank would become a default.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

# defusedxml guards the small XML parts we parse ourselves (workbook, relationships);
# openpyxl (used for writing and by python-calamine-free fallbacks) also picks it up
# automatically when installed.
from defusedxml import ElementTree as SafeET

from ..errors import Problem, ProblemLog
from ..progress import NO_PROGRESS, Progress
from . import guard
from .model import DefaultUsed, IgnoredInput, InputFile
from .names import match as match_name
from .names import normal
from .schema import TABLES_BY_NAME

# fastexcel logs "Could not determine dtype for column N, falling back to string" for a
# column that is entirely blank; that is normal in a book (an optional column left empty),
# and would otherwise be printed on stderr by logging's last-resort handler.
logging.getLogger("fastexcel").addHandler(logging.NullHandler())


@dataclass
class RawChunk:
    """One file's (or sheet's) rows of one table, untyped."""

    table: str
    file: str  # path as given by the user (for messages)
    sheet: str  # sheet name (xlsx) or table name (csv/parquet)
    frame: pd.DataFrame  # columns as read; values raw
    rows: np.ndarray  # int64 row number a person sees, one per frame row
    # (row, column) cells already reported by the reader (a formula with no saved value, an
    # Excel error): they read as blank, and must not be reported again as "blank, required".
    flagged: frozenset = frozenset()
    # A workbook's datetime columns (issue 15): {column: Excel rows whose cell's number format
    # shows the hour}. A date cell of such a column not listed is a date without a time.
    # None: not read from a workbook (a CSV's text and a Parquet timestamp say it themselves).
    timed_cells: dict[str, np.ndarray] | None = None
    # A Parquet file's floating-point columns holding NaN values (not nulls): {column: mask over
    # the frame's rows}. pandas reads a null and a NaN alike as NaN; Parquet tells them apart, and
    # a NaN is no value at all (not a number, not a blank), so typing refuses each one.
    nan_cells: dict[str, np.ndarray] | None = None


@dataclass
class RawBook:
    chunks: dict[str, list[RawChunk]]
    files: list[InputFile]
    label: str  # what the user passed
    # False when the book itself could not be read (no such file, not a workbook): that one
    # problem is reported, not also every table as missing.
    readable: bool = True
    # Sheets, files and columns read past (issue 10: listed, never dropped quietly); shown by
    # `validate` and in the provenance.
    ignored: list[IgnoredInput] = field(default_factory=list)
    # Defaults the book leaned on, filled while typing (convert.default_record): a column
    # omitted or cells left blank that took the format's default; the report lists each.
    defaults: list[DefaultUsed] = field(default_factory=list)
    # Tables one of whose files or sheets could not be read (already a problem): not reported
    # again as "the book has no ... table".
    unread: set[str] = field(default_factory=set)


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_book(path: str | Path, log: ProblemLog, progress: Progress = NO_PROGRESS) -> RawBook:
    """Read the book's files (a workbook's sheets, a folder's files), each a phase of `progress`."""
    p = Path(path)
    if not guard.check_book(p, log):  # a device, FIFO or socket: never opened
        return RawBook({}, [], str(p), readable=False)
    if p.is_dir():
        return _read_folder(p, log, progress)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        if not p.exists():
            log.add(Problem(str(p), message="file not found"))
            return RawBook({}, [], str(p), readable=False)
        return _read_xlsx(p, log, progress)
    if not p.exists():
        log.add(Problem(str(p), message="no such file or folder"))
    else:
        log.add(Problem(str(p), message="a book is an .xlsx workbook or a folder of .csv/.parquet files"))
    return RawBook({}, [], str(p), readable=False)


# --------------------------------------------------------------------------- folders


def _table_names(names, what: str, where: str, log: ProblemLog, ignored: list[IgnoredInput],
                 folder: bool = False) -> dict:
    """Typed sheet/file/folder names -> the table each one is (reserve.book.names): a name
    near a table's name is refused with "did you mean"; two sheets for one table are refused;
    any other name is listed as ignored. (A folder may split a table over several files.)"""
    def stem(n):
        return n.split(".", 1)[0] if folder else n
    matches = {n: match_name(stem(n), TABLES_BY_NAME) for n in names}
    present = {m.name for m in matches.values() if m.name}
    out: dict = {}
    for n, m in matches.items():
        if m.name is None:
            m = match_name(stem(n), TABLES_BY_NAME, present)
        if m.name:
            out[n] = m.name
        elif m.refused:
            log.add(Problem(where, n, message=f"{what} '{n}' is not a table of the book format; did you mean "
                            f"'{m.suggestion}'? (rename it; table names are matched ignoring case and "
                            "surrounding spaces)"))
        else:
            ignored.append({"file": where, "sheet": n, "column": "", "what": what,
                            "reason": "not a table of the book format"})
    if not folder:
        by_table: dict = {}
        for n, t in out.items():
            by_table.setdefault(t, []).append(n)
        for t, ns in by_table.items():
            if len(ns) > 1:
                log.add(Problem(where, ns[1], message=f"the sheets {', '.join(repr(x) for x in ns)} are all the "
                                f"'{t}' table; a workbook holds each table once (keep one, rename the others)"))
                for n in ns:
                    del out[n]
    return out


def _read_folder(folder: Path, log: ProblemLog, progress: Progress = NO_PROGRESS) -> RawBook:
    if not guard.check_folder(folder, log):  # links, devices, FIFOs; headers out of bounds
        return RawBook({}, [], str(folder), readable=False)
    chunks: dict[str, list[RawChunk]] = {}
    files: list[InputFile] = []
    ignored: list[IgnoredInput] = []
    unread: set = set()
    candidates: list[tuple[str, Path]] = []
    entries = sorted(folder.iterdir())
    table_files = [e.name for e in entries if e.suffix.lower() in (".csv", ".parquet") and not e.is_dir()]
    dirs = [e.name for e in entries if e.is_dir()]
    file_tables = _table_names(table_files, "file", str(folder), log, ignored, folder=True)
    dir_tables = _table_names(dirs, "folder", str(folder), log, ignored)
    for entry in entries:
        if entry.is_dir():
            if entry.name not in dir_tables:
                continue
            for sub in sorted(entry.iterdir()):
                if sub.suffix.lower() in (".csv", ".parquet") and not sub.is_dir():
                    candidates.append((dir_tables[entry.name], sub))
                else:
                    ignored.append({"file": str(entry), "sheet": sub.name, "column": "", "what": "file",
                                    "reason": "not a .csv or .parquet file"})
        elif entry.name in file_tables:
            candidates.append((file_tables[entry.name], entry))
        elif entry.name not in table_files:
            ignored.append({"file": str(folder), "sheet": entry.name, "column": "", "what": "file",
                            "reason": "not a .csv or .parquet file"})
    # The provenance digests are computed on a second thread while the files are parsed
    # (hashlib releases the GIL): a 10-million-row book is read once from the page cache.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digests = [pool.submit(sha256_of, f) for _, f in candidates]
        for (table, f), digest in zip(candidates, digests, strict=True):
            shown = str(f)
            with progress.phase(f"reading {table} ({f.name})", unit="rows") as step:
                try:
                    chunk = _read_csv(f, table, shown) if f.suffix.lower() == ".csv" else _read_parquet(f, table, shown)
                except Exception as exc:  # unreadable file: a problem, not a traceback
                    log.add(Problem(shown, table, message=f"cannot read the file: {exc}"))
                    unread.add(table)
                    continue
                step.advance(len(chunk.frame))
            chunks.setdefault(table, []).append(chunk)
            files.append(InputFile(shown, digest.result(), [table], {table: len(chunk.frame)}))
    if not candidates and not log.total:
        workbooks = sorted(e.name for e in folder.iterdir() if e.suffix.lower() in (".xlsx", ".xlsm"))
        hint = (f"; it holds the workbook {workbooks[0]}: pass the workbook itself as the book"
                if workbooks else "")
        log.add(Problem(str(folder), message="the folder holds no table files (accounts.csv, parameters.parquet, ...)"
                        + hint))
    return RawBook(chunks, files, str(folder), ignored=ignored, unread=unread)


def _read_csv(path: Path, table: str, shown: str) -> RawChunk:
    guard.check_csv(path, table, shown)
    with open(path, "rb") as fh:  # (only the start: a CSV book may be gigabytes)
        empty = not fh.read(4096).strip()
    if empty:
        return RawChunk(table, shown, table, pd.DataFrame(), np.zeros(0, dtype=np.int64))
    _check_csv_text(path)
    # The header as typed: pandas renames a repeated column to `name.1`, which would hide
    # an ambiguous file with two `balance` columns.
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        _check_delimiter(header, table)
        known = set(_header_vocabulary(table))
        if len(known & {normal(h) for h in header}) < 2:
            # Issue 10: a title line above the header (convert._title_rows does the same for sheets)
            for line, fields in zip(range(2, 12), reader, strict=False):  # (the first ten lines at most)
                if len(known & {normal(f) for f in fields}) >= 2:
                    raise ValueError(f"the table's header is on line {line}, below a title line "
                                     f"({','.join(header)[:80]!r}): delete the line(s) above the header")
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding="utf-8-sig",
        )
    except UnicodeDecodeError:
        raise ValueError(_not_utf8(path)) from None
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas takes a first field for the row's index when the rows have one field more
        # than the header: every column would be shifted by one, silently (issue 13's walk-through)
        raise ValueError(f"the data rows have more fields than the header's {len(header)} (a comma at the start "
                         "or the end of every line?): every row must have one field per header column")
    _check_short_records(path, frame, len(header))
    if len(header) == len(frame.columns):
        frame.columns = header_names(header, table)
    else:  # pragma: no cover - a header pandas parsed differently from the csv module
        frame.columns = header_names(list(frame.columns), table)
    return RawChunk(table, shown, table, frame, _record_lines(path, len(frame)))


_SAVE_AS = "in Excel, save it with File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)'"


def _check_short_records(path: Path, frame: pd.DataFrame, fields: int) -> None:
    """Refuse a record with fewer fields than the header (pandas reads the missing ones as
    blank cells, which would then take a column's default). A short record leaves its last
    field empty, so the file is read field by field only when some record that is not a
    blank line has an empty last field."""
    if fields < 2 or not len(frame):
        return
    last = frame.iloc[:, -1].to_numpy(dtype=object) == ""
    if not last.any():
        return
    blank_line = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        blank_line &= frame[name].to_numpy(dtype=object) == ""
        if not (last & ~blank_line).any():
            return
    short: list[tuple[int, int]] = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for i, record in enumerate(reader):
            if 0 < len(record) < fields and any(f.strip() for f in record):  # (a blank line is no record)
                short.append((i, len(record)))
    if short:
        lines = _record_lines(path, len(frame))
        (i, n), more = short[0], len(short) - 1
        raise ValueError(f"line {int(lines[i])} has {n} field(s), the header {fields}"
                         + (f" (and {more:,} more line(s) are short)" if more else "")
                         + ": a missing field is not a blank cell; give every row one field per header column")


def _check_csv_text(path: Path) -> None:
    """A CSV book is UTF-8 text, comma-separated (issue 10: Excel on Windows saves cp1252 or
    UTF-16 'Unicode text' by default; say what to do instead of a decoder's traceback text)."""
    with open(path, "rb") as fh:
        start = fh.read(1 << 16)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValueError("the file is UTF-16 text (Excel's 'Unicode Text'), not UTF-8 CSV: " + _SAVE_AS)
    try:
        start.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(start) < 1 << 16 or exc.start < len(start) - 4:  # (not a character cut at the block's end)
            raise ValueError(_not_utf8(path)) from None


def _not_utf8(path: Path) -> str:
    """Where the first byte that is not UTF-8 is (line, byte), found only when decoding failed."""
    import codecs

    dec = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            try:
                dec.decode(block)
            except UnicodeDecodeError as exc:
                bad = block[exc.start:exc.start + 1]
                lines += block[:exc.start].count(b"\n")
                return (f"line {lines} holds the byte 0x{bad.hex()} (byte {offset + exc.start + 1}), which is not UTF-8 "
                        "text: the file was probably saved as Windows-1252 ('CSV (Comma delimited)'); " + _SAVE_AS)
            lines += block.count(b"\n")
            offset += len(block)
    return "the file is not UTF-8 text: " + _SAVE_AS


def _check_delimiter(header: list[str], table: str) -> None:
    """A header read as one field that splits on `;` (or a tab) into the table's names: the
    file uses another separator (Excel's CSV where the list separator is `;`)."""
    if len(header) != 1:
        return
    known = set(_header_vocabulary(table))
    for sep, name in ((";", "semicolons"), ("\t", "tabs")):
        parts = [normal(x) for x in header[0].split(sep)]
        if len(parts) > 1 and len(known.intersection(parts)) >= 2:
            raise ValueError(f"the file is separated by {name}, not commas (its header reads {header[0][:80]!r}): "
                             + _SAVE_AS + ", or replace the separators with commas")


def _record_lines(path: Path, n_records: int) -> np.ndarray:
    """The line on which each record starts, as a person sees the file in an editor
    (header = line 1). One record per line unless a quoted field spans lines (a cell with
    a line break, as Excel exports it); only then are the records walked one by one."""
    plain = np.arange(2, n_records + 2, dtype=np.int64)
    newlines, last = 0, b"\n"
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            newlines += block.count(b"\n")
            last = block[-1:]
    lines = newlines + (last != b"\n")
    if lines == n_records + 1:
        return plain
    starts = []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        done = reader.line_num
        for _ in reader:
            starts.append(done + 1)
            done = reader.line_num
    if len(starts) != n_records:  # the csv module and pandas split differently: keep row order
        return plain
    return np.asarray(starts, dtype=np.int64)


def _read_parquet(path: Path, table: str, shown: str) -> RawChunk:
    import pyarrow as pa
    import pyarrow.parquet as pq

    guard.check_parquet(path, table, shown)

    # Enumerations (book, type, kind...) are read dictionary-encoded: a handful of distinct
    # strings, never one string object per row.
    file_schema = pq.read_schema(path)
    seen: set = set()
    for name in file_schema.names:
        n = normal(name)
        if n in seen:
            raise ValueError(f"column {name.strip()} appears twice: which one holds the values is ambiguous; keep one")
        seen.add(n)
    enums = [c.name for c in TABLES_BY_NAME[table].columns if c.type == "enum"
             and c.name in file_schema.names and _is_arrow_text(file_schema.field(c.name).type)]
    arrow = pq.read_table(path, read_dictionary=enums or None)
    frame = arrow.to_pandas(types_mapper=_arrow_types, date_as_object=False)  # dates as datetime64, not objects
    # A datetime column (issue 15) keeps a Parquet date as Arrow's date, so that typing can
    # refuse it: as datetime64 it would be a timestamp of midnight, a time the file never gave.
    timed = {c.name for c in TABLES_BY_NAME[table].columns if c.type == "datetime"}
    for f in arrow.schema:
        if (pa.types.is_date32(f.type) or pa.types.is_date64(f.type)) and f.name in frame.columns \
                and header_names([f.name], table)[0] in timed:
            frame[f.name] = pd.Series(pd.arrays.ArrowExtensionArray(arrow.column(f.name)), index=frame.index)
    frame.columns = header_names(list(frame.columns), table)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return RawChunk(table, shown, table, frame, rows, nan_cells=_nan_cells(arrow, table))


def _nan_cells(arrow, table: str) -> dict[str, np.ndarray] | None:
    """`RawChunk.nan_cells` of a Parquet table: its floating-point columns' NaN values. A null
    is a blank cell; a NaN is a value that is no number, and read as blank it would take the
    column's default (a collateral value, a percentage of 0) where the file gave none (hostile
    walk-through: items.collateral_value NaN took `amount`, Item 3 -50,000). One vectorised pass
    per float column; most files have none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out: dict[str, np.ndarray] = {}
    for f in arrow.schema:
        if pa.types.is_floating(f.type):  # float-ok: only looks for NaN values, reads no amount
            col = arrow.column(f.name)
            if col.null_count == len(col):
                continue
            nan = pc.fill_null(pc.is_nan(col), False)
            if pc.any(nan).as_py():
                out[header_names([f.name], table)[0]] = nan.to_numpy(zero_copy_only=False)
    return out or None


def _is_arrow_text(arrow_type) -> bool:
    import pyarrow as pa

    return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)


def _arrow_types(arrow_type):
    import pyarrow as pa

    # Keep text as Arrow-backed strings (cheap at 10M rows) and decimals exact.
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.ArrowDtype(arrow_type)
    if pa.types.is_decimal(arrow_type):
        return pd.ArrowDtype(arrow_type)
    return None


# --------------------------------------------------------------------------- workbooks


_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> zip member of its XML, from workbook.xml and its relationships."""
    wb = SafeET.fromstring(zf.read("xl/workbook.xml"))
    rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
    out = {}
    for s in wb.findall("m:sheets/m:sheet", _NS):
        rid = s.get(f"{{{_NS['r']}}}id")
        target = targets.get(rid, "")
        if target.startswith("/"):
            member = target.lstrip("/")
        else:
            member = str(PurePosixPath("xl") / target)
        out[s.get("name")] = member
    return out


_CELL = re.compile(rb"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE = re.compile(rb'\bt="([a-zA-Z]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_FORMULA = re.compile(rb"<f\b[^>]*>([^<]*)</f>")


@dataclass(frozen=True)
class BadCell:
    row: int  # Excel row number
    letters: str  # column letters (A, B, ... AA)
    value: str  # what the cell holds: the formula, or the Excel error
    expected: str
    message: str
    through: str = ""  # a merged range: the letters of its last column (the range spans letters..through)


@dataclass
class SheetScan:
    first_row: int | None  # Excel row number of the first cell holding a value
    bad_cells: list[BadCell]


def _cell_parts(zf: zipfile.ZipFile, member: str, block_size: int) -> Iterator[bytes]:
    """A sheet's XML streamed in pieces of about `block_size` bytes, each cut before the start
    of its last, maybe unfinished, cell (`<c `), which begins the next piece: every `<c>` is
    whole in one piece (a cell longer than a block is read on until it ends; before this helper,
    the three scans emitted such a piece cut inside the cell). Stopping early (a caller's break)
    closes the member."""
    tail = b""
    with zf.open(member) as f:
        while True:
            block = f.read(block_size)
            data = tail + block
            if not block:
                yield data
                return
            cut = data.rfind(b"<c ")
            if cut <= 0:  # no cell start after the first byte yet: a cell longer than a block -- read on
                tail = data
                continue
            yield data[:cut]
            tail = data[cut:]


def _scan_sheet(zf: zipfile.ZipFile, member: str, cap: int = 500) -> SheetScan:
    """Stream the sheet XML once: find the header row, formulas without a saved value,
    Excel error values and merged cells. Cheap: the regex runs only on chunks that contain
    `<f`, `t="e"` or `<mergeCell` (plus the first chunk that holds a value)."""
    first_row = None
    bad: list[BadCell] = []
    for part in _cell_parts(zf, member, 1 << 22):
        interesting = first_row is None or b"<f" in part or b't="e"' in part
        if interesting and len(bad) < cap:
            for m in _CELL.finditer(part):
                attrs, body = m.group(1), m.group(3) or b""
                ref = _REF.search(attrs)
                if ref is None:
                    continue
                typ_m = _TYPE.search(attrs)
                typ = typ_m.group(1) if typ_m else b"n"
                val = _VALUE.search(body)
                has_value = (val is not None and val.group(1) != b"") or b"<is>" in body
                letters = ref.group(1).decode()
                row = int(ref.group(2))
                cell = f"{letters}{row}"
                if first_row is None and has_value:
                    first_row = row
                # A formula whose saved result is the empty string (Excel writes
                # t="str" and an empty <v></v> for =IF(..., "", ...)) is a saved blank,
                # not a missing value; a script-written formula has no t="str".
                saved_empty_text = typ == b"str" and b"<v" in body
                if b"<f" in body and not has_value and not saved_empty_text:
                    fm = _FORMULA.search(body)
                    formula = "=" + _xml_text(fm.group(1)) if fm and fm.group(1) else "a formula"
                    bad.append(BadCell(row, letters, formula, "a value saved in the cell",
                                       f"cell {cell} holds a formula with no saved value "
                                       "(open and save the workbook in Excel, or enter the value)"))
                elif typ == b"e":
                    shown = _xml_text(val.group(1)) if val else "error"
                    bad.append(BadCell(row, letters, shown, "a value, not an Excel error",
                                       f"cell {cell} holds the Excel error {shown}"))
                if len(bad) >= cap:
                    break
        if b"<mergeCell " in part and len(bad) < cap:  # (after the cells: <mergeCells> follows <sheetData>)
            for m in _MERGE.finditer(part):
                letters, row, last = m.group(1).decode(), int(m.group(2)), m.group(3).decode()
                if last == f"{letters}{row}":
                    continue  # a "merge" of one cell merges nothing
                span = f"{letters}{row}:{last}"
                bad.append(BadCell(row, letters, f"merged {span}", "one value in each cell, no merged cells",
                                   f"cells {span} are merged: only {letters}{row} holds the value and the others "
                                   "read as blank cells (which would take the column's default); unmerge them and "
                                   "give every cell its value", through=re.sub(r"[$\d]", "", last)))
                if len(bad) >= cap:
                    break
    return SheetScan(first_row, bad)


_MERGE = re.compile(rb'<mergeCell\b[^>]*?\bref="\$?([A-Z]+)\$?(\d+):\$?([A-Z]+\$?\d+)"')


_T_TEXT = re.compile(rb"<t\b[^>]*?(?:/>|>([^<]*)</t>)")
_SI = re.compile(rb"<si\b[^>]*?(?:/>|>(.*?)</si>)", re.S)
_PHONETIC = re.compile(rb"<rPh\b.*?</rPh>", re.S)


def _scan_header(zf: zipfile.ZipFile, member: str) -> tuple[int | None, dict[str, str] | None]:
    """The header row straight from the sheet XML, reading only the sheet's first blocks:
    (Excel row number of the first row holding a value, {column letters: header text}).
    The header is None when a cell is of a kind not decoded here (the caller then asks
    the workbook reader). Shared strings are looked up in xl/sharedStrings.xml, read only
    as far as the highest index the header uses."""
    first_row = None
    cells: dict[str, tuple[bytes, bytes]] = {}
    done = False
    for part in _cell_parts(zf, member, 1 << 20):
        for m in _CELL.finditer(part):
            attrs, body = m.group(1), m.group(3) or b""
            ref = _REF.search(attrs)
            if ref is None:
                continue
            row = int(ref.group(2))
            if first_row is not None and row > first_row:
                done = True
                break
            val = _VALUE.search(body)
            if not ((val is not None and val.group(1) != b"") or b"<is>" in body):
                continue
            first_row = row
            typ_m = _TYPE.search(attrs)
            cells[ref.group(1).decode()] = (typ_m.group(1) if typ_m else b"n", body)
        if done:
            break
    if first_row is None:
        return None, {}
    try:
        # (a shared-string cell holds its index in <v>)
        wanted = {int(v.group(1)) for t, b in cells.values() if t == b"s" and (v := _VALUE.search(b)) is not None}
    except ValueError:  # not a shared-string index: let the workbook reader read the header
        return first_row, None
    shared = _shared_strings(zf, max(wanted)) if wanted else {}
    out: dict[str, str] = {}
    for letters, (typ, body) in cells.items():
        val = _VALUE.search(body)
        raw = val.group(1) if val else b""
        if typ == b"s":
            idx = int(raw)
            if idx not in shared:
                return first_row, None
            text = shared[idx]
        elif typ == b"inlineStr":
            text = "".join(_xml_text(t.group(1) or b"") for t in _T_TEXT.finditer(_PHONETIC.sub(b"", body)))
        elif typ in (b"str", b"n"):
            text = _xml_text(raw)
            if typ == b"n":
                try:
                    number = float(text)  # float-ok: a header cell typed as a number, shown as text
                except ValueError:
                    return first_row, None
                text = str(int(number)) if number.is_integer() else repr(number)
        elif typ == b"b":
            text = "TRUE" if raw.strip() == b"1" else "FALSE"
        else:  # an error or a date cell in the header: let the workbook reader say what it holds
            return first_row, None
        out[letters] = text
    return first_row, out


def _shared_strings(zf: zipfile.ZipFile, last: int) -> dict[int, str]:
    """Shared strings 0..last (rich text runs joined, phonetic runs left out)."""
    try:
        f = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return {}
    out: dict[int, str] = {}
    tail = b""
    with f:
        while len(out) <= last:
            block = f.read(1 << 20)
            data = tail + block
            cut = data.rfind(b"</si>") if block else len(data)
            end = cut + len(b"</si>") if block and cut >= 0 else (len(data) if not block else 0)
            part, tail = data[:end], data[end:]
            for m in _SI.finditer(part):
                body = _PHONETIC.sub(b"", m.group(1) or b"")
                out[len(out)] = "".join(_xml_text(t.group(1) or b"") for t in _T_TEXT.finditer(body))
                if len(out) > last:
                    break
            if not block:
                break
    return out


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _xml_text(raw: bytes) -> str:
    from html import unescape

    return unescape(raw.decode("utf-8", errors="replace"))


def _header_by_letter(path: Path, sheet: str) -> dict[str, str]:
    """Column letters -> header name, for naming the column of a bad cell. Only used when a
    sheet has bad cells, so reading the sheet again with python-calamine costs nothing in
    the normal case."""
    import python_calamine
    from openpyxl.utils import get_column_letter

    try:
        sh = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
        values = sh.to_python(skip_empty_area=True)
    except Exception:
        return {}
    if not values:
        return {}
    start_col = sh.start[1] + 1 if sh.start else 1
    return {get_column_letter(start_col + i): str(h).strip() for i, h in enumerate(values[0])
            if h is not None and str(h).strip()}


def _scan_member(path: Path, member: str) -> SheetScan:
    with zipfile.ZipFile(path) as zf:  # its own handle: runs on the background thread
        return _scan_sheet(zf, member)


SHEET_THREADS = 2  # sheets of a workbook parsed at once (fastexcel releases the GIL; this machine has 2 cores)


def _read_xlsx(path: Path, log: ProblemLog, progress: Progress = NO_PROGRESS) -> RawBook:
    import fastexcel

    shown = str(path)
    if not guard.check_workbook(path, log):  # before fastexcel/calamine parse anything
        return RawBook({}, [], shown, readable=False)
    chunks: dict[str, list[RawChunk]] = {}
    try:
        zf = zipfile.ZipFile(path)
        parts = _sheet_parts(zf)
        reader = fastexcel.read_excel(str(path))
    except Exception as exc:
        log.add(Problem(shown, message=f"cannot open the workbook: {exc}"))
        return RawBook({}, [], shown, readable=False)
    tables_here = []
    rows_here: dict[str, int] = {}
    # While fastexcel parses a sheet (it releases the GIL), a second thread hashes the
    # workbook and streams the sheet's XML for formulas without saved values and error cells.
    # The sheets themselves are parsed two at a time, each thread with its own fastexcel
    # reader (issue 13: the accounts and collateral sheets of a 1M-row book side by side);
    # their results, and every problem, are taken in sheet order.
    with zf, ThreadPoolExecutor(max_workers=1) as pool, \
            ThreadPoolExecutor(max_workers=SHEET_THREADS, thread_name_prefix="reserve-sheet") as loads:
        digest = pool.submit(sha256_of, path)
        ignored: list[IgnoredInput] = []
        unread: set = set()
        sheet_tables = _table_names(reader.sheet_names, "sheet", shown, log, ignored)
        headers: dict[str, tuple[int | None, dict[str, str] | None] | Exception] = {}
        percent_styles: set[int] | None = None
        loaded: dict[str, Future[RawChunk]] = {}
        readers = threading.local()

        def load(sheet: str, table: str, first_row: int | None, header: dict[str, str] | None) -> RawChunk:
            if not hasattr(readers, "reader"):
                readers.reader = fastexcel.read_excel(str(path))
            return _load_sheet(readers.reader, path, sheet, table, first_row, header, shown)

        for sheet in reader.sheet_names:
            table = sheet_tables.get(sheet)
            if table is None:
                continue
            member = parts.get(sheet)
            try:
                headers[sheet] = _scan_header(zf, member) if member else (None, {})
            except Exception as exc:  # a damaged sheet part: a problem, not a traceback (below)
                headers[sheet] = exc
                continue
            first_row, header = headers[sheet]  # type: ignore[misc]
            loaded[sheet] = loads.submit(load, sheet, table, first_row, header)
        for sheet in reader.sheet_names:
            table = sheet_tables.get(sheet)
            if table is None:
                continue  # refused (near a table's name) or listed as ignored (README, working sheets)
            member = parts.get(sheet)
            scanned = headers[sheet]
            if isinstance(scanned, Exception):
                log.add(Problem(shown, sheet, message=f"cannot read the sheet: {scanned}"))
                unread.add(table)
                continue
            first_row, header = scanned
            scan_job = pool.submit(_scan_member, path, member) if member else None
            failure = None
            with progress.phase(f"reading sheet {sheet}", unit="rows") as step:
                try:
                    chunk = loaded[sheet].result()
                except Exception as exc:
                    chunk, failure = None, exc
                try:
                    scan = scan_job.result() if scan_job else SheetScan(None, [])
                except Exception as exc:
                    scan, failure = SheetScan(None, []), failure or exc
                step.advance(len(chunk.frame) if chunk is not None else 0)
            if scan.bad_cells:
                names = ({letters: text.strip() for letters, text in header.items() if text.strip()}
                         if header is not None and scan.first_row == first_row else _header_by_letter(path, sheet))
            else:
                names = {}
            flagged = set()
            for bad in scan.bad_cells:
                if bad.through and not any(_column_number(bad.letters) <= _column_number(at) <= _column_number(bad.through)
                                           for at in names):
                    continue  # merged cells beside the table, over none of its named columns: none of it is read
                col = names.get(bad.letters, "")
                if col and not (scan.first_row is not None and bad.row <= scan.first_row):
                    flagged.add((bad.row, col))
                log.add(Problem(shown, sheet, bad.row, col, bad.value, bad.expected, bad.message))
            if failure is not None:
                log.add(Problem(shown, sheet, message=f"cannot read the sheet: {failure}"))
                unread.add(table)
                continue
            assert chunk is not None  # (no chunk only when reading failed)
            if flagged:
                chunk.flagged = frozenset(flagged)
            pct_letters = _datetime_letters(path, sheet, table, header, "pct") if member and len(chunk.frame) else {}
            if pct_letters and member:
                try:
                    if percent_styles is None:  # once per workbook; none (most books): no sheet is scanned
                        percent_styles = _styles(zf, format_shows_percent, _BUILTIN_PERCENT_FORMATS)
                    if percent_styles:
                        _as_shown_percent(chunk, _styled_cells(zf, member, pct_letters, percent_styles))
                except Exception as exc:  # a damaged styles part: a problem, never 20% read as 0.2%
                    log.add(Problem(shown, sheet, message=f"cannot read the number formats of the sheet "
                                    f"(needed to read a percentage cell as it shows): {exc}"))
                    unread.add(table)
                    continue
            timed_letters = _datetime_letters(path, sheet, table, header) if member and len(chunk.frame) else {}
            if timed_letters and member:
                try:
                    chunk.timed_cells = _timed_cells(zf, member, timed_letters)
                except Exception as exc:  # a damaged styles part: a problem, never a date taken as timed
                    log.add(Problem(shown, sheet, message=f"cannot read the number formats of the sheet "
                                    f"(needed to tell a date-time from a date): {exc}"))
                    unread.add(table)
                    continue
            chunks.setdefault(table, []).append(chunk)
            tables_here.append(table)
            rows_here[table] = len(chunk.frame)
        sha = digest.result()
    return RawBook(chunks, [InputFile(shown, sha, tables_here, rows_here)], shown, ignored=ignored, unread=unread)


# --------------------------------------------------------------------------- date-time cells
#
# Issue 15: whether an Excel date cell holds a date and a time, or a date alone, is in its
# number format, not in its value (a date typed as 2026-11-24 and a date-time of midnight are
# the same number; calamine and fastexcel give both as the same timestamp). The format is the
# cell's style (`s`, an index into styles.xml's cellXfs) -> numFmtId -> a built-in format or
# the workbook's own format code. A format shows the hour when its code, without its quoted
# text, escaped characters and bracketed codes other than elapsed hours ([h]), has an `h`.

_BUILTIN_HOUR_FORMATS = frozenset({18, 19, 20, 21, 22, 46})  # h:mm AM/PM ... m/d/yy h:mm, [h]:mm:ss
_QUOTED = re.compile(r'"[^"]*"|\\.|\[(?![hH]+\])[^\]]*\]')
_STYLE = re.compile(rb'\bs="(\d+)"')


def format_shows_hour(code: str) -> bool:
    """Whether an Excel number format code shows the hour (`yyyy-mm-dd hh:mm`, `[h]:mm`)."""
    return "h" in _QUOTED.sub("", code).lower()


def format_shows_percent(code: str) -> bool:
    """Whether an Excel number format code shows its number as a percentage (`0%`, `0.00%`)."""
    return "%" in _QUOTED.sub("", code)


_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})  # 0%, 0.00%


def _styles(zf: zipfile.ZipFile, shows, builtin: frozenset[int]) -> set[int]:
    """The cellXfs indices (a cell's `s`) whose number format `shows(code)` says yes to (a
    built-in format: its id in `builtin`)."""
    try:
        root = SafeET.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return set()
    custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "")
              for f in root.findall("m:numFmts/m:numFmt", _NS)}
    out = set()
    for i, xf in enumerate(root.findall("m:cellXfs/m:xf", _NS)):
        fid = int(xf.get("numFmtId", "0"))
        if fid in custom:
            if shows(custom[fid]):
                out.add(i)
        elif fid in builtin:
            out.add(i)
    return out


def _hour_styles(zf: zipfile.ZipFile) -> set[int]:
    """The cellXfs indices (a cell's `s`) whose number format shows the hour."""
    return _styles(zf, format_shows_hour, _BUILTIN_HOUR_FORMATS)


def _timed_cells(zf: zipfile.ZipFile, member: str, letters: dict[str, str]) -> dict[str, np.ndarray]:
    """{column: Excel rows of its cells whose number format shows the hour}, for the columns
    `letters` names ({column letters: column name}), streaming the sheet's XML once."""
    return _styled_cells(zf, member, letters, _hour_styles(zf))


def _styled_cells(zf: zipfile.ZipFile, member: str, letters: dict[str, str], styles: set[int]) -> dict[str, np.ndarray]:
    """{column: Excel rows of its cells whose style is one of `styles`}, for the columns
    `letters` names ({column letters: column name}), streaming the sheet's XML once."""
    found: dict[str, list[int]] = {name: [] for name in letters.values()}
    needles = [f's="{i}"'.encode() for i in sorted(styles)]
    if styles:
        for part in _cell_parts(zf, member, 1 << 22):
            if len(needles) <= 64 and not any(n in part for n in needles):
                continue  # no cell of this part has one of the styles
            for m in _CELL.finditer(part):
                attrs = m.group(1)
                ref = _REF.search(attrs)
                style = _STYLE.search(attrs)
                if ref is None or style is None:
                    continue
                name = letters.get(ref.group(1).decode())
                if name is not None and int(style.group(1)) in styles:
                    found[name].append(int(ref.group(2)))
    return {name: np.asarray(rows, dtype=np.int64) for name, rows in found.items()}


def _as_shown_percent(chunk: RawChunk, styled: dict[str, np.ndarray]) -> None:
    """A pct column's number cells formatted as a percentage are read as they show: Excel
    stores 20% as 0.2 and shows it 20%, and the book format's percentages are numbers of
    percent (0 to 100). The value is multiplied by 100 exactly, on its shortest decimal text
    (0.125 -> "12.500"), never in floating point; the text then goes through the same checks
    as any other (at most 4 decimals, 0 to 100)."""
    from decimal import Decimal

    for name, excel_rows in styled.items():
        if not len(excel_rows) or name not in chunk.frame.columns:
            continue
        at = np.flatnonzero(np.isin(chunk.rows, excel_rows))
        col = chunk.frame[name]
        values = col.to_numpy(dtype=object, copy=True)
        changed = False
        for i in at:
            v = values[i]
            if isinstance(v, (np.integer, int)) and not isinstance(v, bool):
                exact = Decimal(int(v))
            elif isinstance(v, (np.floating, float)) and np.isfinite(v):  # float-ok: an Excel cell as read, never computed with
                exact = Decimal(repr(v.item() if isinstance(v, np.generic) else v))  # its shortest decimal text
            else:
                continue  # text or a blank: read as it is
            values[i] = format(exact * 100, "f")
            changed = True
        if changed:
            chunk.frame[name] = pd.Series(values, index=chunk.frame.index, dtype=object)


def _datetime_letters(path: Path, sheet: str, table: str, header: dict[str, str] | None,
                      typ: str = "datetime") -> dict[str, str]:
    """{column letters: column name} of the table's datetime (or `typ`) columns in the sheet's header."""
    wanted = {c.name for c in TABLES_BY_NAME[table].columns if c.type == typ}
    if not wanted:
        return {}
    by_letter = header if header is not None else _header_by_letter(path, sheet)
    return {letters: name for letters, text in by_letter.items()
            if (name := header_names([text], table)[0]) in wanted}


def _names_from_scan(header: dict[str, str] | None, table: str) -> list[str] | None:
    """Header names, first to last header column, from the XML scan (None: not decoded)."""
    if not header:
        return None
    by_number = {_column_number(letters): text for letters, text in header.items()}
    lo, hi = min(by_number), max(by_number)
    return header_names([by_number.get(i) for i in range(lo, hi + 1)], table)


def _same_columns(names: list[str], reader_names: list[str]) -> bool:
    """Whether the scan's header lines up with the columns fastexcel read (it renames a
    repeated name `name_1` and calls a blank header `__UNNAMED__<n>`)."""
    if len(names) != len(reader_names):
        return False
    for ours, theirs in zip(names, reader_names, strict=True):
        theirs = str(theirs).strip()
        if ours.startswith("__UNNAMED__"):
            if not theirs.startswith("__UNNAMED__") and theirs != "":
                return False
        elif normal(theirs) != normal(ours) and not (normal(theirs).startswith(normal(ours) + "_")
                                                    and theirs[len(ours) + 1:].isdigit()):
            return False
    return True


def _load_sheet(reader, path: Path, sheet: str, table: str, first_row: int | None,
                header: dict[str, str] | None, shown: str) -> RawChunk:
    import fastexcel

    schema = TABLES_BY_NAME[table]
    if first_row is None:  # an empty sheet: a table with no columns and no rows
        return RawChunk(table, shown, sheet, pd.DataFrame(), np.zeros(0, dtype=np.int64))
    if schema.kind == "parameters":
        return _load_sheet_cells(path, sheet, table, shown)
    # The header row as typed (fastexcel's own header names rename a repeated name to
    # `name_1`, which would hide an ambiguous sheet with two `balance` columns): from the
    # XML scan, or else by asking fastexcel for the first row (which parses the sheet twice).
    names = _names_from_scan(header, table)
    for attempt in (0, 1):
        if names is None:
            first = reader.load_sheet(sheet, header_row=None, n_rows=1).to_arrow()
            names = header_names([first.column(i)[0].as_py() for i in range(first.num_columns)], table)
        if len(set(names)) != len(names):  # reported by the typing step; no need to read the rows
            return RawChunk(table, shown, sheet, pd.DataFrame(columns=names), np.zeros(0, dtype=np.int64))
        text_cols = {i: "string" for i, n in enumerate(names) if n not in schema.column_names
                     or schema.column(n).type in ("text", "enum")}
        try:
            data = reader.load_sheet(
                sheet,
                header_row=0,
                dtypes=text_cols or None,
                schema_sample_rows=None,
                dtype_coercion="strict",
                whitespace_as_null=True,
            ).to_arrow()
        except fastexcel.FastExcelError:
            # A column mixes numbers and text (or dates and text): take each cell's own value.
            return _load_sheet_cells(path, sheet, table, shown)
        if attempt == 0 and header is not None and not _same_columns(names, data.column_names):
            names = None  # the scan's header does not line up: ask fastexcel, read again
            continue
        break
    frame = data.to_pandas(types_mapper=_arrow_types)
    assert names is not None  # (set by the loop above)
    if len(frame.columns) == len(names):
        frame.columns = names
    else:  # pragma: no cover - fastexcel reads the same range both times
        frame.columns = header_names(list(frame.columns), table)
    rows = np.arange(first_row + 1, first_row + 1 + len(frame), dtype=np.int64)
    return RawChunk(table, shown, sheet, frame, rows)


def header_names(values, table: str | None = None) -> list[str]:
    """Header cells -> column names: stripped text; a number typed as a header prints without
    `.0`; a blank header cell gets fastexcel's placeholder name `__UNNAMED__<position>`.
    With `table`, a name the format knows is taken in the format's spelling whatever its case
    and spacing (`Unsecured Amount` -> `unsecured_amount`; reserve.book.names)."""
    known = _header_vocabulary(table) if table else ()
    out = []
    for i, v in enumerate(values):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = "" if v is None else str(v).strip()
        if text and known:
            text = match_name(text, known).name or text
        out.append(text or f"__UNNAMED__{i}")
    return out


def _header_vocabulary(table: str) -> tuple[str, ...]:
    schema = TABLES_BY_NAME[table]
    # the parameters table is name/value rows; its columns are the two headers
    return ("name", "value") if schema.kind == "parameters" else schema.column_names


def _load_sheet_cells(path: Path, sheet: str, table: str, shown: str) -> RawChunk:
    """Exact per-cell values (python-calamine): used for the parameters sheet and for
    sheets whose columns mix types."""
    import python_calamine

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    sh = wb.get_sheet_by_name(sheet)
    values = sh.to_python(skip_empty_area=True)
    start_row = sh.start[0] + 1 if sh.start else 1  # 1-based Excel row of the header
    if not values:
        return RawChunk(table, shown, sheet, pd.DataFrame(), np.zeros(0, dtype=np.int64))
    header = header_names(values[0], table)
    body = values[1:]
    frame = pd.DataFrame(body, columns=header, dtype=object) if body else pd.DataFrame(columns=header, dtype=object)
    frame = frame.replace("", None) if len(frame) else frame
    rows = np.arange(start_row + 1, start_row + 1 + len(frame), dtype=np.int64)
    return RawChunk(table, shown, sheet, frame, rows)
