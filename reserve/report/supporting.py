"""Supporting schedules: the rows of the book behind each line of the formula.

Every figure of the report is the sum of its dispositions (see `formula/model.py`), so a
line's *schedule* is simply the dispositions of that (computation, line) joined back to
the input rows they came from: the amount the row contributed, the rule and reason, the
source file / sheet / row a person can open, and the row's own columns.

One schedule per (computation, line) found in the dispositions -- the formula lines in
Exhibit A's order, then the rows used for something else (reserve bank accounts, the Note
E(1) collateral, Note H evidence) and the excluded rows, so an auditor can trace *every*
input row, not only the ones that counted.

Within a schedule rows are ordered largest first (absolute amount), then by table and row,
so the first N rows shown in the HTML and the rows kept in the workbook for a very large
line are its largest, and every output is deterministic.

All rows of every schedule are written to ``supporting/<computation>_<line>.parquet``:
Parquet because it keeps types exactly (amounts as decimal(20,2), dates as dates), is written
in seconds for millions of rows, and cannot turn a text cell of the book into a formula. A
finance user cannot open Parquet, so a schedule longer than its workbook sheet
(WORKBOOK_ROWS_PER_SCHEDULE) is also written as ``supporting/<slug>.csv`` from the same Arrow
batches: its largest CSV_ROWS rows (all an Excel sheet holds, so every row of a schedule up to
that size), in a form Excel opens, formula-looking text neutralised (`CsvTrail`).

The files (the audit trail) are built straight from the dispositions, never from a pandas frame
(`trail_batch`, `write_trail`): text by its categorical code, money as masked int64 viewed as
decimal, each source column `take`n for the rows of its table, a column the rows' tables lack
as `pa.nulls` of its type. A line of more than SUPPORTING_BATCH_ROWS rows is written a batch
(one row group) at a time. `schedule_rows` joins the pandas frame the page and the workbook
show, for the rows they show.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import keys
from ..book.schema import TABLES, TABLES_BY_NAME
from ..formula.model import LINES, LINES_BY_KEY, LineKey, Result

if TYPE_CHECKING:
    import pyarrow as pa

    from ..book import Book

SUPPORTING_DIR = "supporting"

# A schedule sheet of report.xlsx holds at most this many rows (a line's largest); a schedule
# with more is also written as supporting/<slug>.csv (see `write_trail`). Why this cap: see
# reserve/report/xlsx.py.
WORKBOOK_ROWS_PER_SCHEDULE = 10_000

# A schedule's CSV holds at most this many rows, its largest: the rows of an Excel sheet
# (1,048,576) less the header. Excel opens no more of a CSV, so rows past this would be bytes
# no finance user can read (a 10M-account book's Item 1 CSV would be ~5 GB and minutes to
# write); every row is in the Parquet file, and the sheet's and page's notes say both. Reading
# chosen for issue 13/14, see README "Outputs".
CSV_ROWS = 1_048_575

# Columns every schedule row has, before the source row's own columns.
FIXED_COLUMNS = ("line_amount", "rule", "reason", "ref", "table", "file", "sheet", "row")
FIXED_TYPES = {"line_amount": "money", "rule": "text", "reason": "text", "ref": "text", "table": "text",
               "file": "text", "sheet": "text", "row": "int"}

COMPUTATION_LABELS = {"customer": "Customer", "pab": "PAB", "": "Book"}

# Disposition lines that are not lines of the formula, in the order they are shown, with a
# long label (HTML) and a short one (sheet names are at most 31 characters).
OTHER_LINES: dict[str, tuple[str, str]] = {
    "sweep": ("Credits swept to a bank sweep program the next business day", "Sweep"),
    "reserve_bank": ("Reserve bank accounts: amount on deposit", "Reserve bank"),
    "note_e1_test": ("Note E(1): securities collateralizing margin debits (tested)", "E(1) collateral"),
    "note_h_test": ("Note H: clearing agencies and requirements tested", "Note H evidence"),
    "clearing_org_test": ("Clearing organizations named by item rows (Notes B, F, G)", "Clearing orgs"),
    "calendar": ("Book holidays used by the business-day calendar", "Holidays"),
    "review": ("Review rows: a reviewer's disposition of an exception or variance", "Review"),
    "excluded": ("Rows excluded, with the reason and rule", "Excluded"),
}

_TABLE_ORDER = {t.name: i for i, t in enumerate(TABLES)}


def line_label(line: str, short: bool = False) -> str:
    if line in LINES_BY_KEY:
        spec = LINES_BY_KEY[LineKey(line)]
        if spec.number:
            return f"Item {spec.number}"
        return "Other credits" if line == "other_credits" else "Other debits"
    if line in OTHER_LINES:
        return OTHER_LINES[line][1 if short else 0]
    return line.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Schedule:
    """The rows behind one (computation, line); `positions` index `result.dispositions`."""

    computation: str
    line: str
    positions: np.ndarray = field(repr=False, compare=False)
    total: int  # cents: the sum of the rows' contributions (= the line's amount for formula lines)
    # the tables its rows come from, sorted (what `schedule_columns` needs; worked out by
    # `schedules` while it sorts the rows, so not again per output -- None: not known)
    tables: tuple[str, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> int:
        return int(len(self.positions))

    @property
    def is_formula_line(self) -> bool:
        return self.line in LINES_BY_KEY

    @property
    def label(self) -> str:
        return line_label(self.line)

    @property
    def title(self) -> str:
        return f"{COMPUTATION_LABELS.get(self.computation, self.computation)} {line_label(self.line)}"

    @property
    def sheet_title(self) -> str:
        t = f"{COMPUTATION_LABELS.get(self.computation, self.computation)} {line_label(self.line, short=True)}"
        return re.sub(r"[\[\]:*?/\\]", "_", t)[:31]

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9_]+", "_", f"{self.computation or 'book'}_{self.line}".lower())

    @property
    def anchor(self) -> str:
        return f"sched-{self.slug}"

    @property
    def file_name(self) -> str:
        return f"{SUPPORTING_DIR}/{self.slug}.parquet"

    @property
    def csv_name(self) -> str | None:
        """supporting/<slug>.csv, written beside the Parquet file when the schedule has more rows
        than a workbook sheet holds (WORKBOOK_ROWS_PER_SCHEDULE); None otherwise."""
        return f"{SUPPORTING_DIR}/{self.slug}.csv" if self.rows > WORKBOOK_ROWS_PER_SCHEDULE else None

    @property
    def csv_rows(self) -> int:
        """How many rows its CSV holds (its largest; 0 without one): see CSV_ROWS."""
        return min(self.rows, CSV_ROWS) if self.csv_name else 0


def _line_rank(line: str) -> tuple[int, int, str]:
    keys = [spec.key.value for spec in LINES]
    if line in keys:
        return (0, keys.index(line), "")
    others = list(OTHER_LINES)
    if line in others:
        return (2 if line == "excluded" else 1, others.index(line), "")
    return (1, len(others), line)



def _file_sheet_codes(src_cat: pd.Categorical, files: list[str], sheets: list[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per row, the codes of its file and sheet in `files` / `sheets` (extended in first-seen
    order), from the "file | sheet" category of each row: worked out per distinct category, not
    per row."""
    f_of, s_of = [], []
    for c in src_cat.categories:
        f, _, sh = str(c).partition(" | ")
        if f not in files:
            files.append(f)
        if sh not in sheets:
            sheets.append(sh)
        f_of.append(files.index(f))
        s_of.append(sheets.index(sh))
    return (np.asarray(f_of, dtype=np.int64)[src_cat.codes], np.asarray(s_of, dtype=np.int64)[src_cat.codes])

def _sorted_categorical(col: pd.Series) -> pd.Categorical:
    """A text column as a categorical of the values present, sorted (what
    `pd.Categorical(col.astype(str))` gives), without turning millions of codes into strings."""
    a = col.array
    if not isinstance(a, pd.Categorical) or not all(isinstance(c, str) for c in a.categories):
        return pd.Categorical(col.astype(str))
    # the categories used, sorted, and the codes mapped through a small array (a handful of
    # categories): pandas' remove_unused_categories + reorder_categories remap millions of
    # codes twice, generically (issue 13: 1.5 s of the schedules at 20M dispositions)
    codes = np.asarray(a.codes)
    present = np.flatnonzero(np.bincount(codes[codes >= 0] if (codes < 0).any() else codes,
                                         minlength=len(a.categories)))
    names = [str(a.categories[i]) for i in present]
    order = sorted(range(len(names)), key=names.__getitem__)
    width = np.int8 if len(names) < 127 else np.int16 if len(names) < 32_000 else np.int32
    remap = np.full(len(a.categories) + 1, -1, dtype=width)  # the last entry: code -1 stays -1
    remap[present[order]] = np.arange(len(order), dtype=width)
    return pd.Categorical.from_codes(remap[codes], dtype=pd.CategoricalDtype([names[i] for i in order]))


def stable_order(key: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """np.argsort(key, kind="stable"), faster for a small key: numpy sorts 8- and 16-bit
    integers stably by radix, in linear time, so a key of 0..65535 is sorted in the smallest
    unsigned type that holds it (2.4 s -> 0.7 s for 25M dispositions, issue 13). A stable
    sort's order is unique, so it is the same whatever the key's type."""
    low, top = (int(key.min()), int(key.max())) if len(key) else (0, 0)
    small = None if low < 0 else np.uint8 if top < 2**8 else np.uint16 if top < 2**16 else None
    return np.argsort(key.astype(small) if small is not None else key, kind="stable")


def schedules(result: Result) -> list[Schedule]:
    """Every (computation, line) of the dispositions, in report order, rows largest first."""
    d = result.dispositions
    if not len(d):
        return []
    amount = d["amount"].to_numpy(dtype=np.int64)
    row = d["row"].to_numpy(dtype=np.int64)
    # table order (schema order) per row, computed per category rather than per row
    cat = _sorted_categorical(d["table"])
    order = np.array([_TABLE_ORDER.get(str(c), -1) for c in cat.categories], dtype=np.int64)
    tcode = order[cat.codes]
    # group on the categorical codes of (computation, line), not on millions of strings
    comp, line_cat = _sorted_categorical(d["computation"]), _sorted_categorical(d["line"])
    n_line = max(len(line_cat.categories), 1)
    key = comp.codes.astype(np.int64) * n_line + line_cat.codes
    # the rows of each (computation, line) together, each group in row order: one stable
    # argsort of the small integer key and the group boundaries, rather than a pandas groupby
    by_key = stable_order(key)
    sorted_key = key[by_key]
    starts = np.concatenate(([0], np.flatnonzero(sorted_key[1:] != sorted_key[:-1]) + 1, [len(key)]))

    def largest_first(i: int) -> Schedule:
        k = int(sorted_key[starts[i]])
        comp_name, line = str(comp.categories[k // n_line]), str(line_cat.categories[k % n_line])
        pos = by_key[starts[i]:starts[i + 1]]
        # largest first, then schema table order, then row: the table and the row in one key
        # (a table's code is small, a row below 2**40), so two sort passes, not three
        pos = pos[np.lexsort(((tcode[pos] << 40) + row[pos], -np.abs(amount[pos])))]
        codes = np.asarray(cat.codes)[pos]
        used = np.flatnonzero(np.bincount(codes[codes >= 0], minlength=len(cat.categories)))
        return Schedule(comp_name, line, pos, int(amount[pos].sum()), tuple(str(cat.categories[i]) for i in used))

    # numpy sorts without the interpreter lock: the groups are sorted two at a time (issue 13),
    # and taken back in key order
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="reserve-schedules") as pool:
        out = list(pool.map(largest_first, range(len(starts) - 1)))
    comp_rank = {"customer": 0, "pab": 1, "": 2}
    out.sort(key=lambda s: (comp_rank.get(s.computation, 3), s.computation, _line_rank(s.line)))
    return out


def schedule_for(scheds: list[Schedule], computation: str, line: str) -> Schedule | None:
    for s in scheds:
        if s.computation == computation and s.line == line:
            return s
    return None


@dataclass
class ScheduleRows:
    """Rows of a schedule as a DataFrame plus each column's type (for formatting)."""

    frame: pd.DataFrame
    types: dict[str, str]  # column -> money | pct | date | bool | int | text

    def head(self, n: int | None) -> "ScheduleRows":
        return self if n is None or n >= len(self.frame) else ScheduleRows(self.frame.iloc[:n], self.types)


def _source_columns(table: str, frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, type) of a table's own columns, schema order first, then extra columns."""
    spec = TABLES_BY_NAME.get(table)
    cols = []
    known = set()
    if spec is not None:
        for c in spec.columns:
            if c.name in frame.columns:
                t = {"enum": "text"}.get(c.type, c.type)
                cols.append((c.name, t))
                known.add(c.name)
    for c in frame.columns:
        if c in known or c in ("_src", "_row"):
            continue
        cols.append((c, "text"))
    return cols


def _obj(values: Any) -> pd.Series:
    """An object column as is (pandas would otherwise convert it to its string dtype, slowly)."""
    return pd.Series(values, dtype=object, copy=False)


def _output_name(name: str) -> str:
    while name in FIXED_COLUMNS:
        name = f"book_{name}"
    return name


def schedule_columns(book: Book, result: Result, sched: Schedule) -> dict[str, str]:
    """The source columns (name -> type) of a whole schedule, in the order `schedule_rows`
    gives them for all its rows: what every batch of a big schedule is conformed to."""
    tables = (sched.tables if sched.tables is not None
              else _sorted_categorical(result.dispositions["table"].iloc[sched.positions]).categories)
    out: dict[str, str] = {}
    for t in tables:
        if not t or t not in book.tables:
            continue
        for name, typ in _source_columns(t, book.tables[t]):
            name = _output_name(name)
            out[name] = typ if out.get(name, typ) == typ else "text"  # same name, other types: text
    return out


def _missing_column(n: int, typ: str) -> pd.Series:
    if typ in ("money", "pct", "int"):  # all missing: a mask, not a Python list of pd.NA per row
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)))
    if typ == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"))
    if typ == "bool":
        return _obj(np.full(n, None, dtype=object))
    return keys.blank_text(n)


def schedule_rows(book: Book, result: Result, sched: Schedule, limit: int | None = None, *, start: int = 0,
                  columns: dict[str, str] | None = None) -> ScheduleRows:
    """Rows `start` to `start + limit` (all when None) of a schedule, joined to their source
    rows; with `columns` (from `schedule_columns`), exactly those source columns, in that
    order, whichever tables these rows come from.

    Vectorised for millions of rows: categorical columns stay categorical, a source column
    coming from one table is taken as is, and only columns mixing tables are assembled."""
    pos = sched.positions[start:] if limit is None else sched.positions[start:start + limit]
    d = result.dispositions.iloc[pos].reset_index(drop=True)
    n = len(d)
    table_cat = _sorted_categorical(d["table"])
    rows = d["row"].to_numpy(dtype=np.int64)
    types: dict[str, str] = dict(FIXED_TYPES)
    data: dict[str, object] = {
        "line_amount": pd.Series(d["amount"].to_numpy(dtype=np.int64)),
        "rule": d["rule"],
        "reason": d["reason"],
        "ref": d["ref"],
        "table": pd.Series(table_cat),
    }
    file_code = np.full(n, -1, dtype=np.int64)
    sheet_code = np.full(n, -1, dtype=np.int64)
    files: list[str] = []
    sheets: list[str] = []
    row_col = np.zeros(n, dtype=np.int64)
    row_na = np.ones(n, dtype=bool)
    extra: dict[str, tuple[str, list[Any]]] = {}  # name -> (type, [(positions, values)])
    for code, t in enumerate(table_cat.categories):
        if not t or t not in book.tables:
            continue
        idx = np.flatnonzero(table_cat.codes == code)
        src = book.tables[t].iloc[rows[idx]]
        # file / sheet per distinct "file | sheet", not per row
        file_code[idx], sheet_code[idx] = _file_sheet_codes(_sorted_categorical(src["_src"]), files, sheets)
        row_col[idx] = src["_row"].to_numpy(dtype=np.int64)
        row_na[idx] = False
        for name, typ in _source_columns(t, src):
            out_name = _output_name(name)
            prev_typ, parts = extra.get(out_name, (typ, []))
            parts.append((idx, src[name]))
            extra[out_name] = (typ if prev_typ == typ else "text", parts)  # same name, other types: text
    data["file"] = pd.Series(pd.Categorical.from_codes(file_code, files))
    data["sheet"] = pd.Series(pd.Categorical.from_codes(sheet_code, sheets))
    data["row"] = pd.Series(pd.arrays.IntegerArray(row_col, row_na))
    if columns is not None:
        for name, typ in columns.items():
            typ_here, parts = extra.get(name, (typ, []))
            data[name] = _assemble(n, typ, parts) if parts else _missing_column(n, typ)
            types[name] = typ
        return ScheduleRows(pd.DataFrame(data, copy=False), types)
    for name, (typ, parts) in extra.items():
        data[name] = _assemble(n, typ, parts)
        types[name] = typ
    return ScheduleRows(pd.DataFrame(data, copy=False), types)


def _assemble(n: int, typ: str, parts: list[Any]) -> pd.Series:
    """One output column from per-table pieces (missing where the row's table lacks it)."""
    if len(parts) == 1 and len(parts[0][0]) == n:
        vals = parts[0][1].reset_index(drop=True)
        if typ in ("money", "pct"):
            return pd.Series(pd.array(vals, dtype="Int64"))
        return _obj(vals.to_numpy(dtype=object)) if vals.dtype == object else vals
    if typ in ("money", "pct"):
        data = np.zeros(n, dtype=np.int64)
        mask = np.ones(n, dtype=bool)
        for idx, vals in parts:
            a = pd.array(vals, dtype="Int64")
            data[idx] = a.to_numpy(dtype=np.int64, na_value=0)
            mask[idx] = a.isna()
        return pd.Series(pd.arrays.IntegerArray(data, mask))
    if typ == "date":
        out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
        for idx, vals in parts:
            out[idx] = pd.to_datetime(vals).to_numpy(dtype="datetime64[ns]")
        return pd.Series(out)
    if all(isinstance(v.dtype, pd.StringDtype) for _, v in parts):
        # text from several tables (account ids of accounts and collateral rows): Arrow
        # strings gathered by position, never a Python string per row
        import pyarrow as pa

        pieces = [pa.array(v.array) for _, v in parts]
        pieces = [(p.combine_chunks() if isinstance(p, pa.ChunkedArray) else p).cast(pa.large_string()) for p in pieces]
        where = np.full(n, -1, dtype=np.int64)
        where[np.concatenate([idx for idx, _ in parts])] = np.arange(sum(len(idx) for idx, _ in parts))
        taken = pa.concat_arrays(pieces).take(pa.array(where, mask=where < 0))
        return pd.Series(taken.to_pandas(), dtype="str")
    out = np.full(n, None, dtype=object)
    for idx, vals in parts:
        out[idx] = vals.to_numpy(dtype=object)
    return _obj(out)


# ------------------------------------------------------------------------------ parquet


def _arrow_column(series: pd.Series, typ: str) -> pa.Array:
    import pyarrow as pa

    if typ == "money" or typ == "pct":
        ints = pd.array(series, dtype="Int64")
        return _units(ints.to_numpy(dtype=np.int64, na_value=0), np.asarray(ints.isna()), typ)
    if typ == "date":
        return pa.array(pd.to_datetime(series), type=pa.timestamp("ns")).cast(pa.date32())
    if typ == "bool":
        return pa.array(series, type=pa.bool_(), from_pandas=True)
    if typ == "int":
        return pa.array(pd.array(series, dtype="Int64"), type=pa.int64())
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = series.cat.categories
        if len(cats) == 0 or all(isinstance(c, str) for c in cats):
            return pa.DictionaryArray.from_arrays(pa.array(series.cat.codes.to_numpy(), type=pa.int32(),
                                                           mask=series.cat.codes.to_numpy() < 0),
                                                  pa.array(list(cats), type=pa.string()))
        series = series.astype(object)
    try:
        return pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if pd.isna(v) else str(v) for v in series], type=pa.string())


def _arrow_table(rows: ScheduleRows) -> pa.Table:
    import pyarrow as pa

    cols = [_arrow_column(rows.frame[c], rows.types.get(c, "text")) for c in rows.frame.columns]
    return pa.Table.from_arrays(cols, names=list(rows.frame.columns))


# How the supporting Parquet files are written (issue 13: the writer was a third of the trail's
# time at 10M accounts): zstd; dictionary pages only for the columns of few distinct values
# (the disposition texts, table, file, sheet and the book's enum columns) -- an id or amount
# column is all distinct, and trying a dictionary for it first is wasted work; min/max
# statistics only for the amount and the row number (what a reader filters on), not for
# every text column. The values are the same either way; only the file's encoding differs.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "use_dictionary": sorted({"rule", "reason", "ref", "table", "file", "sheet"}
                             | {_output_name(c.name) for t in TABLES for c in t.columns if c.type == "enum"}),
    "write_statistics": ["line_amount", "row"],
}


def write_parquet(path: Path, rows: ScheduleRows) -> None:
    import pyarrow.parquet as pq

    pq.write_table(_arrow_table(rows), path, **PARQUET_OPTIONS)


# A schedule with more rows than this is joined to its source rows and written a batch at a
# time, so that memory holds one batch, not a line of ten million rows with all its columns.
SUPPORTING_BATCH_ROWS = 1_000_000


def write_supporting_batches(out_dir: Path, book: Book, result: Result, sched: Schedule, columns: dict[str, str],
                             batch: int | None = None) -> str:
    """Every row of a big schedule -> supporting/<slug>.parquet, `batch` rows at a time (one
    row group each), each batch conformed to the whole schedule's columns (`trail_batch`:
    straight from the dispositions to Arrow, no pandas frame). The book's text columns are
    plain strings, the disposition texts dictionaries (`trail_batch`)."""
    import pyarrow.parquet as pq

    batch = batch or SUPPORTING_BATCH_ROWS
    (Path(out_dir) / SUPPORTING_DIR).mkdir(parents=True, exist_ok=True)
    writer = None
    csv = CsvTrail(Path(out_dir) / sched.csv_name) if sched.csv_name else None
    starts = range(0, max(sched.rows, 1), batch)
    # Two stages (issue 13): the next batch is built (`trail_batch`: take and cast in pyarrow)
    # on a second thread while this one writes the last (zstd, CSV encoding); both run without
    # the interpreter lock. One batch ahead at most: memory holds two batches, not the line.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reserve-batch")
    dicts = Dictionaries()  # used by one batch at a time: the pool has one thread
    try:
        ahead = pool.submit(trail_batch, book, result, sched, columns, starts[0], starts[0] + batch, dicts=dicts)
        for i, start in enumerate(starts):
            table = ahead.result()
            if i + 1 < len(starts):
                ahead = pool.submit(trail_batch, book, result, sched, columns, starts[i + 1], starts[i + 1] + batch,
                                    dicts=dicts)
            if writer is None:
                writer = pq.ParquetWriter(Path(out_dir) / sched.file_name, table.schema, **PARQUET_OPTIONS)
            writer.write_table(table)  # every batch has the schema `columns` fixes: no cast
            if csv is not None and start < CSV_ROWS:
                csv.write(table.slice(0, CSV_ROWS - start))  # its largest rows: see CSV_ROWS
            del table
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if writer is not None:
            writer.close()
        if csv is not None:
            csv.close()
    return sched.file_name


def write_trail(out_dir: Path, book: Book, result: Result, sched: Schedule) -> str:
    """Every row of a schedule -> supporting/<slug>.parquet straight from the dispositions
    (`trail_batch`), without joining a pandas frame: the file `write_supporting` writes from
    `schedule_rows(book, result, sched)`, or for a big line `write_supporting_batches`."""
    import pyarrow.parquet as pq

    columns = schedule_columns(book, result, sched)
    if sched.rows > SUPPORTING_BATCH_ROWS:
        return write_supporting_batches(out_dir, book, result, sched, columns)
    (Path(out_dir) / SUPPORTING_DIR).mkdir(parents=True, exist_ok=True)
    table = trail_batch(book, result, sched, columns, encoded=True)
    pq.write_table(table, Path(out_dir) / sched.file_name, **PARQUET_OPTIONS)
    if sched.csv_name:
        write_csv(Path(out_dir) / sched.csv_name, table.slice(0, CSV_ROWS))  # see CSV_ROWS
    return sched.file_name


# ------------------------------------------------------------------------------ csv
#
# A finance user cannot open Parquet: a schedule too long for its workbook sheet is also
# written as supporting/<slug>.csv, its largest CSV_ROWS rows, in a form Excel opens as it is -- UTF-8 with a
# byte order mark (so Excel reads it as UTF-8), CRLF line ends, amounts as the exact decimal
# text of their cents ("-1234.50"), dates ISO (2026-11-20), blanks empty. Text from the book is
# untrusted: a text cell (or column name) starting with = + - @ or a tab, carriage return or
# line feed gets a leading apostrophe ("'=1+1"), so that Excel shows it as text instead of
# running it as a formula (CSV injection). The apostrophe is part of the cell's text in the
# CSV; the Parquet file beside it has the text as the book gave it. Excel opens at most
# 1,048,576 rows of a CSV (the header's included): the CSV stops there (CSV_ROWS); the Parquet
# file has every row.

CSV_BOM = b"\xef\xbb\xbf"
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")  # what Excel could take for the start of a formula


def _csv_text(values: pa.Array) -> pa.Array:
    """A text array with formula-looking cells prefixed by an apostrophe, vectorised: of a
    dictionary array only its dictionary is looked at (the codes are kept); an array with
    no such cell is returned as it is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(values.type):
        return pa.DictionaryArray.from_arrays(values.indices, _csv_text(values.dictionary))
    first = pc.utf8_slice_codeunits(values, 0, 1)
    risky = pc.fill_null(pc.is_in(first, value_set=pa.array(CSV_FORMULA_PREFIXES, values.type)), False)
    if not pc.any(risky).as_py():
        return values
    quoted = pc.binary_join_element_wise(pa.scalar("'", values.type), values, pa.scalar("", values.type))
    return pc.if_else(risky, quoted, values)


def csv_safe(table: pa.Table) -> pa.Table:
    """The table as it goes into the CSV: text neutralised (`_csv_text`), column names too."""
    import pyarrow as pa

    cols, names = [], []
    for name, col in zip(table.column_names, table.columns, strict=True):
        t = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
        if (pa.types.is_string(t) or pa.types.is_large_string(t)) and col.null_count < len(col):
            col = pa.chunked_array([_csv_text(c) for c in col.chunks], col.type)
        cols.append(col)
        names.append("'" + name if name.startswith(CSV_FORMULA_PREFIXES) else name)
    return pa.Table.from_arrays(cols, names=names)


class CsvTrail:
    """supporting/<slug>.csv written a batch at a time (see the comment above)."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")  # noqa: SIM115 - closed by close()
        self.file.write(CSV_BOM)
        self.writer: Any = None

    def write(self, table: pa.Table) -> None:
        import pyarrow.csv as pcsv

        safe = csv_safe(table)
        if self.writer is None:
            self.writer = pcsv.CSVWriter(self.file, safe.schema,
                                         write_options=pcsv.WriteOptions(eol="\r\n", batch_size=16_384))
        self.writer.write_table(safe)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.file.close()


def write_csv(path: Path, table: pa.Table) -> None:
    """One table -> a CSV file Excel opens (`CsvTrail`)."""
    csv = CsvTrail(path)
    try:
        csv.write(table)
    finally:
        csv.close()


def write_supporting(out_dir: Path, sched: Schedule, rows: ScheduleRows) -> str:
    """Every row of a schedule -> supporting/<slug>.parquet; returns the name written."""
    (Path(out_dir) / SUPPORTING_DIR).mkdir(parents=True, exist_ok=True)
    write_parquet(Path(out_dir) / sched.file_name, rows)
    return sched.file_name


# ---------------------------------------------------------------- the trail, straight to Arrow
#
# The rows of a big schedule built as Arrow columns from the dispositions' categorical codes
# and `take` on the source columns: no pandas frame per batch, no copy of a whole source table
# (only the rows of the batch are taken), an absent column is `pa.nulls`. The values and types
# are those `_arrow_table(schedule_rows(..., columns=columns))` gives with text as plain
# strings (tests/test_report_batches.py and tests/test_supporting_trail.py hold the two equal).


def _arrow_type(typ: str) -> pa.DataType:
    """The Arrow type of a schedule column of type `typ` (what `_arrow_column` makes)."""
    import pyarrow as pa

    if typ in ("money", "pct"):
        return pa.decimal128(20, 2 if typ == "money" else 4)
    if typ == "date":
        return pa.date32()
    if typ == "bool":
        return pa.bool_()
    if typ == "int":
        return pa.int64()
    return pa.string()


def _units(units: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_] | None, typ: str) -> pa.Array:
    """Integer units (cents; pct in 1/10,000) -> decimal(20, 2 | 4), or int64 for "int"."""
    import pyarrow as pa

    if typ == "int":
        return pa.array(units, type=pa.int64(), mask=mask)
    return _decimal(units, mask, _arrow_type(typ))


def _decimal(units: npt.NDArray[np.int64], mask: npt.NDArray[np.bool_] | None, typ: pa.DataType) -> pa.Array:
    """int64 units as a decimal128 array of `typ` (its scale the units' places): each value the
    128-bit two's complement of the integer -- the low word the int64 itself, the high word its
    sign (0 or -1) -- laid out by numpy, which is what Arrow's int64 -> decimal128 cast gives
    (exact for every int64) at a seventh of its time (issue 13: 26 ms -> 4 ms per million values).
    Arrow's buffers are little-endian; on a big-endian machine the cast is used."""
    import sys

    import pyarrow as pa

    units = np.ascontiguousarray(units, dtype=np.int64)
    n = len(units)
    if sys.byteorder != "little":  # pragma: no cover - every machine reserve runs on is little-endian
        return pa.array(units, type=pa.int64(), mask=mask).cast(pa.decimal128(20, 0)).view(typ)
    words = np.empty((n, 2), dtype=np.int64)
    words[:, 0] = units
    np.right_shift(units, 63, out=words[:, 1])  # arithmetic shift: 0 for >= 0, -1 below
    nulls = int(np.count_nonzero(mask)) if mask is not None else 0
    validity = pa.py_buffer(np.packbits(~np.asarray(mask, dtype=bool), bitorder="little")) if nulls else None
    return pa.Array.from_buffers(typ, n, [validity, pa.py_buffer(words)], null_count=nulls)


class Dictionaries:
    """The Arrow form of a categorical's categories, made once per schedule rather than once per
    batch (issue 13: a column of 177,000 texts was converted again for each million rows).
    Keyed by the categories' identity; the categories are held, so that identity is not reused."""

    def __init__(self) -> None:
        self._made: dict[tuple[int, bool], tuple[pd.Index, pa.Array | None]] = {}
        self._nulls: dict[tuple[int, str], pa.Array] = {}

    def nulls(self, n: int, typ: str) -> pa.Array:
        """n nulls of a schedule column of type `typ`, made once per length and type (issue 13:
        a batch of the excluded rows has 66 columns no row of it has, and each `pa.nulls` of a
        million decimals was 16 MB of fresh memory, a third of the batch's time). Arrow arrays
        are immutable, so one array serves every column and batch that needs it."""
        import pyarrow as pa

        key = (n, typ)
        if key not in self._nulls:
            self._nulls[key] = pa.nulls(n, _arrow_type(typ))
        return self._nulls[key]

    def of(self, cats: pd.Index, encoded: bool) -> pa.Array | None:
        """The dictionary of `cats` as plain strings (encoded: the dictionary array's values, or
        None when some category is not a string and the codes cannot be kept)."""
        import pyarrow as pa

        key = (id(cats), encoded)
        if key not in self._made:
            if encoded:
                made = (pa.array(list(cats), type=pa.string())
                        if len(cats) == 0 or all(isinstance(c, str) for c in cats) else None)
            else:
                made = _arrow_column(_obj(np.asarray(cats, dtype=object)), "text")
            self._made[key] = (cats, made)
        return self._made[key][1]


def _codes(codes: npt.NDArray[np.integer], type: pa.DataType | None = None) -> pa.Array:
    """Categorical codes as an Arrow index array, null where the code is -1 (no mask made
    when no code is)."""
    import pyarrow as pa

    missing = codes < 0
    return pa.array(codes, type=type, mask=missing if missing.any() else None)


def _category_text(cat: pd.Categorical, at: npt.NDArray[np.int64] | None, encoded: bool = False,
                   absent: npt.NDArray[np.bool_] | None = None, dicts: Dictionaries | None = None) -> pa.Array:
    """Rows `at` (all when None) of a categorical as Arrow text: plain strings (its categories
    converted once, then taken by code; null where the code is -1), or with `encoded` the
    dictionary array `_arrow_column` makes of it (every category, int32 codes). `dicts`: the
    categories' Arrow form kept from an earlier batch of the schedule."""
    import pyarrow as pa

    codes = np.asarray(cat.codes) if at is None else np.asarray(cat.codes)[at]
    if absent is not None:  # rows of another table: null
        codes = np.where(absent, -1, codes)
    dicts = dicts or Dictionaries()
    cats = cat.categories
    if encoded and (values := dicts.of(cats, True)) is not None:
        return pa.DictionaryArray.from_arrays(_codes(codes.astype(np.int32, copy=False), pa.int32()), values)
    dictionary = dicts.of(cats, False)
    assert dictionary is not None
    return dictionary.take(_codes(codes))


def _source_piece(col: pd.Series, rows: npt.NDArray[np.int64], typ: str, encoded: bool = False,
                  absent: npt.NDArray[np.bool_] | None = None, dicts: Dictionaries | None = None) -> pa.Array:
    """Rows `rows` of a book column, as the Arrow type of a schedule column of type `typ`
    (`encoded`: a categorical as its dictionary array). `absent`: the positions that are rows of
    another table (their `rows` entry is any valid row), null in the result -- the whole
    column of a batch in one take, where concatenating pieces and taking again would copy twice."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if typ == "text" and isinstance(col.dtype, pd.CategoricalDtype):
        return _category_text(col.array, rows, encoded, absent, dicts)
    if typ in ("money", "pct", "int"):
        units, na = _int_take(col.array, rows)
        return _units(units, na if absent is None else na | absent, typ)
    piece = col.array.take(rows)
    if typ == "text" and isinstance(col.dtype, pd.StringDtype):
        out = pa.array(piece).cast(pa.string())
    elif typ == "text":
        out = _arrow_column(_obj(np.asarray(piece, dtype=object)), "text")
    else:
        out = _arrow_column(pd.Series(piece, copy=False), typ)  # date, bool
    if absent is not None and absent.any():
        out = pc.if_else(pa.array(absent), pa.nulls(len(out), out.type), out)
    return out


def _int_take(values: Any, rows: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Rows `rows` of an integer column (the book's money, percentages and counts: pandas'
    Int64) as int64 units and a missing mask. A masked array's values and mask are two numpy
    arrays (`_data`, `_mask`), taken directly: half the time of pandas' take, then its
    conversion to numpy with the missing as 0 (issue 13). The units under the mask are
    whatever the array holds there; Arrow reads none of them (they are null)."""
    data, mask = getattr(values, "_data", None), getattr(values, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and data.dtype == np.int64:
        return data[rows], mask[rows]
    ints = pd.array(values.take(rows), dtype="Int64")  # another integer array: pandas' public way
    return ints.to_numpy(dtype=np.int64, na_value=0), np.asarray(ints.isna())


def _placed(n: int, typ: str, pieces: list[tuple[npt.NDArray[np.int64], pa.Array]],
            places: dict[tuple[int, ...], tuple[list[npt.NDArray[np.int64]], pa.Array]] | None = None,
            dicts: Dictionaries | None = None) -> pa.Array:
    """One column of n rows from per-table pieces (piece i holds the rows `idx_i`), null
    where the row's table lacks the column; all null (`pa.nulls`, from `dicts` when given)
    when no table has it. `places`: the gather index of each set of tables already placed in
    this batch (every column of the same tables has the same one: it is made once, issue 13)."""
    import pyarrow as pa

    if not pieces:
        return dicts.nulls(n, typ) if dicts is not None else pa.nulls(n, _arrow_type(typ))
    if len(pieces) == 1 and len(pieces[0][0]) == n:  # one table, every row (idx = 0..n-1)
        return pieces[0][1]
    key = tuple(id(idx) for idx, _ in pieces)
    if places is None or key not in places:
        where = np.full(n, -1, dtype=np.int64)
        offset = 0
        for idx, _ in pieces:
            where[idx] = np.arange(offset, offset + len(idx), dtype=np.int64)
            offset += len(idx)
        made = ([idx for idx, _ in pieces], _codes(where))  # the idx arrays held: their ids stay theirs
        if places is None:
            return pa.concat_arrays([p for _, p in pieces]).take(made[1])
        places[key] = made
    return pa.concat_arrays([p for _, p in pieces]).take(places[key][1])


DICTIONARY_TEXTS = 1 << 16  # a disposition text column with at most this many texts: a dictionary in every batch


def _fixed_text(cat: pd.Categorical, pos: npt.NDArray[np.int64], encoded: bool,
                dicts: Dictionaries | None = None) -> pa.Array:
    """A disposition text column of the rows `pos`: every category as the dictionary (the same
    in every batch) when there are at most DICTIONARY_TEXTS of them, else plain strings."""
    return _category_text(cat, pos, encoded or len(cat.categories) <= DICTIONARY_TEXTS, dicts=dicts)


def trail_batch(book: Book, result: Result, sched: Schedule, columns: dict[str, str], start: int = 0,
                stop: int | None = None, *, encoded: bool = False, dicts: Dictionaries | None = None) -> pa.Table:
    """Rows `start` to `stop` of a schedule as the Arrow table its supporting file holds: the
    fixed columns (the disposition texts, table, file and sheet as dictionary arrays, see
    `_fixed_text`), then exactly `columns` (from `schedule_columns`), their text as plain strings.

    `encoded` (for a whole schedule written in one piece, see `write_trail`): the text kept
    dictionary-encoded where `_arrow_table(schedule_rows(...))` keeps it -- the disposition
    texts, table, file and sheet, and a categorical book column when one table has it for
    every row -- with the same dictionaries. `dicts`: the categories' Arrow forms, shared by
    the batches of a schedule (`Dictionaries`)."""
    import pyarrow as pa

    dicts = dicts or Dictionaries()
    d = result.dispositions
    pos = sched.positions[start:stop]
    n = len(pos)
    table_cat = d["table"].array
    tcodes = np.asarray(table_cat.codes)[pos]
    rows = d["row"].to_numpy(dtype=np.int64)[pos]
    # The disposition texts, table, file and sheet are dictionary arrays in every batch too
    # (issue 13): a batch's reasons are a few hundred texts repeated a million times, which
    # as plain strings were copied out here and hashed again by the Parquet writer. A text
    # column with more than DICTIONARY_TEXTS texts (refs naming millions of customers) stays
    # plain, the same for every batch of the schedule (one schema).
    fixed: dict[str, pa.Array] = {
        "line_amount": _units(d["amount"].to_numpy(dtype=np.int64)[pos], None, "money"),
        "rule": _fixed_text(d["rule"].array, pos, encoded, dicts),
        "reason": _fixed_text(d["reason"].array, pos, encoded, dicts),
        "ref": _fixed_text(d["ref"].array, pos, encoded, dicts),
        # the tables of these rows, sorted (the dictionary `schedule_rows` gives); a batch,
        # every table of the dispositions (one dictionary for every batch)
        "table": (_category_text(_sorted_categorical(d["table"].iloc[pos]), None, True) if encoded
                  else _fixed_text(table_cat, pos, encoded, dicts)),
    }
    file_code = np.full(n, -1, dtype=np.int64)
    sheet_code = np.full(n, -1, dtype=np.int64)
    files: list[str] = []
    sheets: list[str] = []
    row_col = np.zeros(n, dtype=np.int64)
    row_na = np.ones(n, dtype=bool)
    pieces: dict[str, list[tuple[npt.NDArray[np.int64], pa.Array]]] = {}
    present = sorted((str(table_cat.categories[c]), int(c)) for c in np.unique(tcodes) if c >= 0)
    # the output columns only one table of this batch has (-> that table), and its gather index
    owners: dict[str, list[str]] = {}
    for t, _ in present:
        if t and t in book.tables:
            for name, _typ in _source_columns(t, book.tables[t]):
                owners.setdefault(_output_name(name), []).append(t)
    single = {c: ts[0] for c, ts in owners.items() if len(ts) == 1}
    gather: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]] = {}
    every: npt.NDArray[np.int64] | None = None
    for t, code in present:
        if not t or t not in book.tables:
            continue
        frame = book.tables[t]
        idx = np.flatnonzero(tcodes == code)
        src_rows = rows[idx]
        # file / sheet per distinct "file | sheet", not per row
        file_code[idx], sheet_code[idx] = _file_sheet_codes(_sorted_categorical(frame["_src"].iloc[src_rows]),
                                                            files, sheets)
        row_col[idx] = frame["_row"].to_numpy(dtype=np.int64)[src_rows]
        row_na[idx] = False
        whole = encoded and len(idx) == n  # this table has every row: its categoricals stay encoded
        for name, _typ in _source_columns(t, frame):
            out_name = _output_name(name)
            if out_name not in columns:
                continue
            if not whole and n // 2 <= len(idx) < n and single.get(out_name) == t:
                # the only table of these rows with the column, and most of them: the batch's
                # whole column in one take, other tables' rows null (rows of this table at
                # `idx`, row 0 elsewhere); a table of few rows is cheaper as a piece placed
                if t not in gather:
                    g = np.zeros(n, dtype=np.int64)
                    g[idx] = src_rows
                    absent = np.ones(n, dtype=bool)
                    absent[idx] = False
                    gather[t] = (g, absent)
                g, absent = gather[t]
                if every is None:
                    every = np.arange(n, dtype=np.int64)  # one for the batch: `_placed` reads its length
                pieces[out_name] = [(every,
                                     _source_piece(frame[name], g, columns[out_name], False, absent, dicts))]
                continue
            piece = _source_piece(frame[name], src_rows, columns[out_name], whole, dicts=dicts)
            pieces.setdefault(out_name, []).append((idx, piece))
    fixed["file"] = _category_text(pd.Categorical.from_codes(file_code, files), None, True)
    fixed["sheet"] = _category_text(pd.Categorical.from_codes(sheet_code, sheets), None, True)
    fixed["row"] = _units(row_col, row_na, "int")
    places: dict[tuple[int, ...], tuple[list[npt.NDArray[np.int64]], pa.Array]] = {}
    arrays = [fixed[c] for c in FIXED_COLUMNS] + [_placed(n, typ, pieces.get(name, []), places, dicts)
                                                  for name, typ in columns.items()]
    return pa.Table.from_arrays(arrays, names=[*FIXED_COLUMNS, *columns])
