"""The trend at a glance (`reserve compute BOOK --history FOLDER`, issue 14 item 5).

Reading the folder (`read_history`): every file named ``report.json`` under FOLDER, at any
depth (symbolic links to folders are not followed; hidden folders -- the ``.NAME.reserve-*``
leftovers of interrupted runs -- are passed over and counted), is read through the validators
every report file passes (`compare.read_json_file`, `model.report_problems` with the schema
required, `ReportFigures.from_data`). A file is passed over, with its reason in
`History.notes` (never a traceback, never silently), when it:

* is not JSON or not a usable report.json (the first problem is quoted);
* is another firm's (firm names compared as `compare.fit_warnings` does: whitespace
  collapsed, case folded) -- counted, and named;
* is dated on or after this book's as-of date (not an earlier computation);
* is the report.json this run writes over (the ``--out`` folder may be under FOLDER, beside
  last week's): it will not exist after the run, so it cannot be cited as a point;
* is one of two computations of the same date: the later run (``run_at``) is shown;
* is older than the last `HISTORY_POINTS` computations (12 earlier ones and this one).

The points are oldest first, this computation last (file ""); each earlier point carries the
file's path relative to FOLDER and its SHA-256, so the trend cites exactly what it read.

Pointed out in the notes as well (each a sentence a finance user reads without the code):

* **gaps** by the book's ``frequency``: weekly -- a week with no computation between two
  points (a weekly computation is as of the close of the last business day of the week, Rule
  15c3-3(e)(3)(i)(A); the missing weeks are named by that day, from `reserve.calendar`), or
  two computations in one week; daily -- a business day without a computation that is not a
  daily filer's non-computation day (SEC staff FAQ of 2025-12-08, Question 6); monthly -- a
  calendar month without one. The calendar is the Federal Reserve's (the earlier books'
  own extra holidays are not in their report.json).
* **out of order**: files whose order by folder and file name (numbers compared as numbers:
  ``week9`` before ``week10``) disagrees with the order of their as-of dates. The trend is
  always drawn in date order.

Presenting it (`history_view`): the chart of each computation (required deposit, on
deposit, deposit needed, withdrawal permitted, total credits, total debits), as the data
an inline SVG needs -- the amount-to-pixel scaling is done here in integer arithmetic on
cents (floor division; no float), the axis labels are exact (`reserve.money.format_display`
of the tick in cents, thousands or millions of dollars, whichever the figures need) -- the
table of the same figures, and the line-by-line changes (every formula line and summary
figure, this computation against the previous point and against the first shown, with the
percent as an exact Decimal to two decimals, "—" when the prior figure is 0). The template
(templates/history.html) only lays this out; the workbook's Trend sheet
(`reserve.report.xlsx_history`) reads the same view.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

from ..calendar import MAX_YEAR, MIN_YEAR, BusinessCalendar
from ..formula.model import LINES, ComputationName
from ..money import format_display, format_dollars
from .compare import ReportFileInvalid, read_json_file
from .model import SUMMARY_FIGURES, History, HistoryPoint, Report, ReportFigures, report_problems

HISTORY_POINTS = 13  # the last 13 computations: 12 earlier ones and this one
REPORT_NAME = "report.json"
MAX_NAMED = 5  # files (or dates) named in one note; the rest are counted
MAX_FILE_NOTES = 20  # files passed over as not usable, one note each; the rest are counted

COMPUTATION_TITLES = {ComputationName.CUSTOMER: "Customer reserve computation",
                      ComputationName.PAB: "PAB reserve computation"}

# The figures of the chart and of its table, in the legend's order: (figure key, label,
# colour, SVG dash pattern or "").
CHART_FIGURES: tuple[tuple[str, str, str, str], ...] = (
    ("required_deposit", "Required deposit", "#14304F", ""),
    ("on_deposit", "On deposit", "#2E7D32", ""),
    ("deposit_needed", "Deposit needed", "#B3261E", ""),
    ("withdrawal_permitted", "Withdrawal permitted", "#B26A00", "6 3"),
    ("total_credits", "Total credits", "#1F5FA8", "2 3"),
    ("total_debits", "Total debits", "#6A1B9A", "8 3 2 3"),
)

SUMMARY_LABELS = {
    "total_credits": "Total credits",
    "aggregate_debits": "Aggregate debits",
    "debit_reduction": "Debit reduction",
    "total_debits": "Total debits",
    "excess_credits": "Excess of total credits over total debits (Item 16)",
    "excess_debits": "Excess of total debits over total credits",
    "required_deposit": "Required deposit",
    "offset_by_customer_excess_debits": "Met by the customer computation's excess debits",
    "sweep": "Credits moving to a bank sweep program next business day",
    "on_deposit": "On deposit in the reserve bank accounts",
    "deposit_needed": "Deposit needed",
    "withdrawal_permitted": "Withdrawal permitted",
}
# Every figure of the change table, in the report's order: the formula's lines, then the summary.
CHANGE_FIGURES: tuple[tuple[str, str, str], ...] = tuple(
    (line.key.value, line.number, line.caption) for line in LINES
) + tuple((k, "", SUMMARY_LABELS[k]) for k in SUMMARY_FIGURES)

_LINE_KEYS = frozenset(line.key.value for line in LINES)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


# ------------------------------------------------------------------------------ reading the folder


@dataclass(frozen=True)
class _Found:
    """An earlier report.json that passed the validators."""

    file: str  # relative to the folder, with "/"
    sha256: str
    as_of: date
    run_at: str | None
    figures: ReportFigures


def firm_key(name: object) -> str:
    return " ".join(str(name).split()).casefold()


def natural_key(path: str) -> tuple[tuple[tuple[int, str], ...], ...]:
    """The order of a path by folder and file name, numbers compared as numbers (week9 < week10)."""
    return tuple(tuple((int(s), "") if i % 2 else (-1, s) for i, s in enumerate(re.split(r"(\d+)", part)))
                 for part in path.split("/"))


def run_time(run_at: str | None) -> datetime:
    """When a report was run, for choosing between two of one date (unreadable: earliest)."""
    try:
        t = datetime.fromisoformat(str(run_at))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)


def file_names(files: Sequence[str]) -> str:
    shown = ", ".join(files[:MAX_NAMED])
    return shown + (f" and {len(files) - MAX_NAMED} more" if len(files) > MAX_NAMED else "")


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def report_files(root: Path) -> tuple[list[str], list[str], list[str]]:
    """(report.json files under root, those inside hidden folders, folders that cannot be
    read with why), relative, in folder order."""
    found: list[str] = []
    hidden: list[str] = []
    unreadable: list[str] = []

    def cannot(exc: OSError) -> None:  # os.walk would otherwise pass over such a folder in silence
        where = Path(os.path.relpath(exc.filename, root)).as_posix() if exc.filename else "."
        unreadable.append(f"{where} ({exc.strerror or exc})")

    for dirpath, dirnames, filenames in os.walk(root, onerror=cannot, followlinks=False):
        dirnames.sort()
        if REPORT_NAME in filenames and os.path.isfile(os.path.join(dirpath, REPORT_NAME)):
            rel = Path(os.path.relpath(os.path.join(dirpath, REPORT_NAME), root)).as_posix()
            (hidden if any(p.startswith(".") for p in rel.split("/")[:-1]) else found).append(rel)
    return sorted(found, key=natural_key), sorted(hidden, key=natural_key), unreadable


def read_history(folder: str | os.PathLike[str], report: Report, replacing: str | os.PathLike[str] | None = None,
                 calendar: BusinessCalendar | None = None, points: int = HISTORY_POINTS) -> History:
    """The trend of `report`: the earlier computations of its firm found under `folder` (see the
    module docstring) and `report` itself, oldest first, with every file passed over and every
    gap or out-of-order date in the notes. `replacing`: the report.json this run writes over (it
    is passed over). `folder` must be a folder (the CLI checks it)."""
    root = Path(folder)
    notes: list[str] = []
    unusable: list[str] = []  # files passed over for what they are (said one by one, up to MAX_FILE_NOTES)
    files, hidden, unreadable = report_files(root)
    if unreadable:
        notes.append(f"{len(unreadable)} folder(s) under {os.fspath(folder)} cannot be read, so any report.json in "
                     f"them is not in the trend: {file_names(unreadable)}.")
    if hidden:
        notes.append(f"{len(hidden)} report.json file(s) in hidden folders (left by interrupted runs) passed over: "
                     f"{file_names(hidden)}.")
    gone = Path(os.path.realpath(replacing)) if replacing is not None else None
    firm, as_of = firm_key(report.firm_name), report.as_of
    others: dict[str, list[str]] = {}
    later: list[str] = []
    found: list[_Found] = []
    for rel in files:
        path = root / rel
        if gone is not None and Path(os.path.realpath(path)) == gone:
            notes.append(f"{rel} passed over: it is the report.json this run writes over (the --out folder), so it "
                         "is not an earlier computation and would not exist after the run.")
            continue
        try:
            digest = sha256(path)
            data = read_json_file(path)
            if sha256(path) != digest:  # the point cites the bytes it was read from
                raise ReportFileInvalid(path, ["changed while it was being read"])
        except OSError as exc:
            unusable.append(f"{rel} passed over: it cannot be read ({exc.strerror or exc}).")
            continue
        except ReportFileInvalid as exc:
            unusable.append(f"{rel} passed over: it {exc.problems[0] if exc.problems else 'cannot be read'}.")
            continue
        problems = report_problems(data, require_schema=True)
        if problems or not isinstance(data, dict):
            more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
            first = problems[0] if problems else "not an object"
            unusable.append(f"{rel} passed over: not a usable report.json: {first}{more}.")
            continue
        fig = ReportFigures.from_data(data)
        if fig.as_of is None:
            unusable.append(f"{rel} passed over: it has no as-of date.")
            continue
        d = date.fromisoformat(fig.as_of)
        if not MIN_YEAR <= d.year <= MAX_YEAR:
            unusable.append(f"{rel} passed over: it is dated {d.isoformat()}, outside the years {MIN_YEAR}-{MAX_YEAR}.")
            continue
        if fig.firm_name is None or firm_key(fig.firm_name) != firm:
            others.setdefault(str(fig.firm_name or "(no firm name)"), []).append(rel)
            continue
        if d >= as_of:
            later.append(f"{rel} (as of {d.isoformat()})")
            continue
        found.append(_Found(rel, digest, d, fig.run_at, fig))
    notes += unusable[:MAX_FILE_NOTES]
    if len(unusable) > MAX_FILE_NOTES:
        notes.append(f"{len(unusable) - MAX_FILE_NOTES} more report.json file(s) were passed over as not usable "
                     f"(the first {MAX_FILE_NOTES} are listed above).")
    if others:
        n = sum(len(v) for v in others.values())
        names = "; ".join(f"{name!r}: {file_names(v)}" for name, v in sorted(others.items()))
        notes.append(f"{n} report.json file(s) of another firm passed over (this book is {report.firm_name!r}): "
                     f"{names}.")
    if later:
        notes.append(f"{len(later)} report.json file(s) dated on or after this computation's {as_of.isoformat()} "
                     f"passed over (not earlier computations): {file_names(later)}.")
    found = _one_per_date(found, notes)
    found.sort(key=lambda f: f.as_of)
    if len(found) > points - 1:
        dropped = found[: len(found) - (points - 1)]
        found = found[len(found) - (points - 1):]
        notes.append(f"{len(dropped)} earlier computation(s), as of {dropped[0].as_of.isoformat()} to "
                     f"{dropped[-1].as_of.isoformat()}, are older than the last {points} shown and are not in "
                     "the trend.")
    notes += _out_of_order(found)
    shown = [HistoryPoint(f.file, f.sha256, f.as_of, f.run_at,
                          {n: dict(c.amounts) for n, c in f.figures.computations.items()}) for f in found]
    now = report.figures()
    shown.append(HistoryPoint("", "", as_of, report.run_at_text,
                              {n: dict(c.amounts) for n, c in now.computations.items()}))
    if len(shown) == 1:
        notes.append(f"No earlier computation of {report.firm_name!r} was found under {os.fspath(folder)}: the "
                     "trend has this computation only.")
    frequency = str(report.parameters.get("frequency") or "weekly")
    notes += gaps([p.as_of for p in shown], frequency, calendar or BusinessCalendar())
    return History(os.fspath(folder), tuple(shown), tuple(notes))


def with_history(report: Report, folder: str | os.PathLike[str], replacing: str | os.PathLike[str] | None = None,
                 calendar: BusinessCalendar | None = None) -> Report:
    """`report` with its `history` (call before writing report.json, as `--compare` does)."""
    return replace(report, history=read_history(folder, report, replacing, calendar))


def _run_of(f: _Found) -> str:
    return f"{f.file} (run {f.run_at or 'at an unknown time'})"


def _one_per_date(found: list[_Found], notes: list[str]) -> list[_Found]:
    """One computation per as-of date: the later run; the others passed over, said."""
    by_date: dict[date, list[_Found]] = {}
    for f in found:
        by_date.setdefault(f.as_of, []).append(f)
    out = []
    for d in sorted(by_date):
        group = sorted(by_date[d], key=lambda f: (run_time(f.run_at), natural_key(f.file)))
        keep = group[-1]
        out.append(keep)
        if len(group) > 1:
            notes.append(f"{len(group)} computations are as of {d.isoformat()}: the later run, {_run_of(keep)}, is "
                         "shown; passed over: "
                         f"{file_names([_run_of(g) for g in group[:-1]])}.")
    return out


def _out_of_order(found: Sequence[_Found]) -> list[str]:
    """Files whose folder-and-name order disagrees with their dates."""
    notes = []
    latest: _Found | None = None
    for f in sorted(found, key=lambda f: natural_key(f.file)):
        if latest is not None and f.as_of < latest.as_of:
            notes.append(f"Out of order: {f.file} (as of {f.as_of.isoformat()}) comes after {latest.file} (as of "
                         f"{latest.as_of.isoformat()}) by folder and file name but is dated earlier; the trend "
                         "shows the computations in date order.")
        if latest is None or f.as_of > latest.as_of:
            latest = f
    return notes


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _dates(days: Sequence[date]) -> str:
    return file_names([d.isoformat() for d in days])


def gaps(days: Sequence[date], frequency: str, calendar: BusinessCalendar) -> list[str]:
    """The computations missing between consecutive `days` (sorted) for a book computed
    `frequency` (weekly, daily or monthly), as sentences."""
    notes = []
    for a, b in zip(days, days[1:], strict=False):
        between = f"between the computations as of {a.isoformat()} and {b.isoformat()}"
        if frequency == "monthly":
            months = (b.year * 12 + b.month) - (a.year * 12 + a.month)
            missing = [(a.year * 12 + a.month - 1 + k) for k in range(1, months)]
            if missing:
                named = file_names([f"{_MONTHS[m % 12]} {m // 12}" for m in missing])
                notes.append(f"Gap: no computation for {len(missing)} month(s) {between}: {named}.")
            elif months == 0:
                notes.append(f"Two computations in one month: {a.isoformat()} and {b.isoformat()} (the book is "
                             "computed monthly).")
        elif frequency == "daily":
            absent = []
            d = a + timedelta(days=1)
            while d < b:
                if calendar.is_business_day(d) and calendar.non_computation_reason(d) is None:
                    absent.append(d)
                d += timedelta(days=1)
            if absent:
                notes.append(f"Gap: no computation for {len(absent)} business day(s) {between}: {_dates(absent)} "
                             "(the book is computed daily; the non-computation days of the SEC staff FAQ of "
                             "2025-12-08, Question 6, are not counted).")
        else:
            weeks = (_week_start(b) - _week_start(a)).days // 7
            if weeks == 0:
                notes.append(f"Two computations in one week: {a.isoformat()} and {b.isoformat()} (a weekly "
                             "computation is as of the close of the last business day of the week, Rule "
                             "15c3-3(e)(3)(i)(A)).")
            elif weeks > 1:
                ends = []
                for k in range(1, weeks):
                    monday = _week_start(a) + timedelta(days=7 * k)
                    last = calendar.previous_business_day(monday + timedelta(days=7))
                    if last >= monday:  # a week with a business day in it
                        ends.append(last)
                if ends:
                    notes.append(f"Gap: no computation for {len(ends)} week(s) {between}: the weekly computation(s) "
                                 f"as of {_dates(ends)} (the close of the last business day of each week, Rule "
                                 "15c3-3(e)(3)(i)(A)) are missing.")
    return notes


# ------------------------------------------------------------------------------ the view

CHART_WIDTH = 760
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP = 96, 24, 28
LEGEND_COLUMNS, LEGEND_ROW, LEGEND_TOP = 3, 18, 64  # the legend's first row: this far below the plot
Y_TICKS = 5  # at most this many intervals on the amount axis
X_LABEL_GAP = 44  # pixels between two date labels, at least
MARKER_RADIUS = 3


@dataclass(frozen=True)
class Tick:
    pos: int  # pixel along its axis
    label: str
    label_pos: int = 0  # an amount tick: the baseline of its label
    year: str = ""  # a date tick: its year, under the first label and wherever the year changes


@dataclass(frozen=True)
class Marker:
    x: int
    y: int
    title: str  # the hover text: figure, date and exact amount


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str
    dash: str
    points: str  # the SVG polyline's points, "x,y x,y ..."
    markers: tuple[Marker, ...]
    legend_x: int  # the legend's sample line starts here
    legend_y: int  # and its label's baseline is here
    legend_line_end: int
    legend_line_y: int
    legend_text_x: int


@dataclass(frozen=True)
class Chart:
    """One computation's chart: everything the SVG shows, positioned in whole pixels."""

    name: str
    title: str
    aria_label: str
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    unit: str  # the amount axis's title ("$ millions")
    unit_y: int
    y_label_x: int  # amount labels end here
    tick_end: int  # date tick marks run from the bottom to here
    x_label_y: int  # date labels' baseline
    x_year_y: int  # their years' baseline
    x_title_y: int  # the date axis's title's baseline
    zero_y: int | None  # the zero line, when it is inside the axis
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]


@dataclass(frozen=True)
class FigureRow:
    """One computation of the trend in the figures table (cents; None: not in that report)."""

    as_of: str
    file: str  # as found under the folder ("this computation" for this one)
    sha256: str  # first 12 hex digits ("" for this one)
    amounts: tuple[int | None, ...]  # CHART_FIGURES order


@dataclass(frozen=True)
class ChangeRow:
    """A formula line or summary figure: now against the previous point and the first shown."""

    item: str  # the item number ("4"), "" for the other lines and the summary figures
    label: str
    kind: str  # line | summary
    now: int | None
    prior: int | None
    change: int | None
    percent: str  # "+12.50%", "—" when the prior figure is 0 or absent
    first: int | None
    change_first: int | None
    percent_first: str


@dataclass(frozen=True)
class ComputationTrend:
    name: str
    title: str
    chart: Chart
    rows: tuple[FigureRow, ...]
    changes: tuple[ChangeRow, ...]


@dataclass(frozen=True)
class HistoryView:
    """What the page's trend section (templates/history.html) and the Trend sheet show."""

    folder: str
    notes: tuple[str, ...]
    points: int
    first_as_of: str
    previous_as_of: str | None  # None: this computation is the only point
    as_of: str
    figure_labels: tuple[str, ...]
    computations: tuple[ComputationTrend, ...]


def percent_change(change: int | None, prior: int | None) -> Decimal | None:
    """change / |prior| x 100, exact, rounded half-even to two decimals; None when prior is 0 or absent."""
    if change is None or not prior:
        return None
    with localcontext() as ctx:
        ctx.prec = 60  # enough digits for any int64 quotient: the result is exact before the rounding
        return (Decimal(change) * 100 / abs(Decimal(prior))).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def percent_text(p: Decimal | None) -> str:
    return "—" if p is None else f"{p:.2f}%" if not p else f"{p:+.2f}%"


def _nice_step(span: int, ticks: int = Y_TICKS) -> int:
    """The smallest 1, 2 or 5 x 10^k cents that cuts `span` cents into at most `ticks` intervals."""
    step = 1
    while True:
        for m in (1, 2, 5):
            if span <= m * step * ticks:
                return m * step
        step *= 10


def _unit(top: int) -> tuple[str, int]:
    """The amount axis's unit for amounts up to `top` cents: (title, cents per label unit / 100)."""
    if top >= 100_000_000:  # $1 million
        return "$ millions", 1_000_000
    if top >= 100_000:  # $1,000
        return "$ thousands", 1_000
    return "$", 1


def _month_day(d: date) -> str:
    return f"{_MONTHS[d.month - 1][:3]} {d.day}"


def _tick_year(ticks: Sequence[Tick]) -> str:
    """The year the last of `ticks` is in (the last one that shows its year)."""
    return next((t.year for t in reversed(ticks) if t.year), "")


def trend_chart(name: ComputationName, points: Sequence[HistoryPoint], height: int) -> Chart:
    title = COMPUTATION_TITLES.get(name, name.value)
    bottom = height
    legend_rows = -(-len(CHART_FIGURES) // LEGEND_COLUMNS)
    total_height = bottom + LEGEND_TOP + legend_rows * LEGEND_ROW
    right = CHART_WIDTH - PLOT_RIGHT
    values = [v for p in points for k, *_ in CHART_FIGURES
              if (v := p.figures.get(name, {}).get(k)) is not None]
    lo, hi = min([0, *values]), max([0, *values])
    step = _nice_step(max(hi - lo, 100))
    lo_t, hi_t = (lo // step) * step, -(-hi // step) * step
    if hi_t == lo_t:
        hi_t = lo_t + step
    unit, per = _unit(max(abs(lo_t), abs(hi_t)))

    def y(cents: int) -> int:
        return PLOT_TOP + (hi_t - cents) * (bottom - PLOT_TOP) // (hi_t - lo_t)

    first, last = points[0].as_of, points[-1].as_of
    span = (last - first).days

    def x(d: date) -> int:
        if not span:
            return (PLOT_LEFT + right) // 2
        return PLOT_LEFT + (d - first).days * (right - PLOT_LEFT) // span

    y_ticks = tuple(Tick(y(t), format_display(t // per), y(t) + 4) for t in range(lo_t, hi_t + 1, step))
    x_ticks: list[Tick] = []
    for i, p in enumerate(points):
        pos = x(p.as_of)
        if x_ticks and pos - x_ticks[-1].pos < X_LABEL_GAP:
            if i != len(points) - 1:
                continue
            x_ticks.pop()  # the last computation is always labelled
        year = str(p.as_of.year)
        shown = not x_ticks or year != _tick_year(x_ticks)
        x_ticks.append(Tick(pos, _month_day(p.as_of), year=year if shown else ""))
    series = []
    for j, (key, label, color, dash) in enumerate(CHART_FIGURES):
        marks = []
        for p in points:
            v = p.figures.get(name, {}).get(key)
            if v is not None:
                marks.append(Marker(x(p.as_of), y(v), f"{label}, as of {p.as_of.isoformat()}: {format_dollars(v)}"))
        lx, ly = PLOT_LEFT + (j % LEGEND_COLUMNS) * 220, bottom + LEGEND_TOP + (j // LEGEND_COLUMNS) * LEGEND_ROW
        series.append(Series(key, label, color, dash, " ".join(f"{m.x},{m.y}" for m in marks), tuple(marks),
                             lx, ly, lx + 24, ly - 4, lx + 30))
    aria = (f"{title}: {', '.join(s[1].lower() for s in CHART_FIGURES)} for {len(points)} computation(s), as of "
            f"{first.isoformat()} to {last.isoformat()}; the figures are in the table below the chart.")
    return Chart(name.value, title, aria, CHART_WIDTH, total_height, PLOT_LEFT, right, PLOT_TOP, bottom, unit,
                 PLOT_TOP - 14, PLOT_LEFT - 6, bottom + 4, bottom + 16, bottom + 29, bottom + 44,
                 y(0) if lo_t < 0 < hi_t else None, y_ticks, tuple(x_ticks), tuple(series))


def _changes(name: ComputationName, points: Sequence[HistoryPoint]) -> tuple[ChangeRow, ...]:
    now_p, prior_p, first_p = points[-1], (points[-2] if len(points) > 1 else None), points[0]
    rows = []
    for key, item, label in CHANGE_FIGURES:
        now = now_p.figures.get(name, {}).get(key)
        prior = None if prior_p is None else prior_p.figures.get(name, {}).get(key)
        first = None if len(points) < 3 else first_p.figures.get(name, {}).get(key)
        change = None if now is None or prior is None else now - prior
        change_first = None if now is None or first is None else now - first
        rows.append(ChangeRow(item, label, "line" if key in _LINE_KEYS else "summary", now, prior,
                              change, percent_text(percent_change(change, prior)), first, change_first,
                              percent_text(percent_change(change_first, first))))
    return tuple(rows)


def history_view(history: History | None, customer_height: int = 260, pab_height: int = 170) -> HistoryView | None:
    """The trend as the page and the workbook show it; None without --history."""
    if history is None or not history.points:
        return None
    points = history.points
    names = [n for n in ComputationName if any(n in p.figures for p in points)]
    comps = []
    for n in names:
        rows = tuple(FigureRow(p.as_of.isoformat(), p.file or "this computation", p.sha256[:12],
                               tuple(p.figures.get(n, {}).get(k) for k, *_ in CHART_FIGURES)) for p in points)
        chart = trend_chart(n, points, customer_height if n is ComputationName.CUSTOMER else pab_height)
        comps.append(ComputationTrend(n.value, COMPUTATION_TITLES.get(n, n.value), chart, rows, _changes(n, points)))
    return HistoryView(history.folder, tuple(history.notes), len(points), points[0].as_of.isoformat(),
                       points[-2].as_of.isoformat() if len(points) > 1 else None, points[-1].as_of.isoformat(),
                       tuple(label for _, label, *_ in CHART_FIGURES), tuple(comps))

