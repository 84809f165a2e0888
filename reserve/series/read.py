"""Reading a series (`reserve series PATH...`): report.json files only, never a book.

Each PATH is a report.json, a report folder, or a folder holding report folders at any
depth. Folders are searched as `--history` searches them (`reserve.report.history`: every
file named report.json, symbolic links to folders not followed, hidden folders -- the
leftovers of interrupted runs -- passed over and said, unreadable folders said). Each file is
read once and passed through the validators every report file passes (`compare.json_bytes`, on the bytes it hashes,
`model.report_problems` with the schema required, `ReportFigures.from_data`). A file the same
as one already found (the same real path) is read once.

Passed over, each with its reason (in `Series.passed_over`, on the page and on stderr):

* a file that is not JSON or not a usable report.json (the first problem quoted), that has
  no as-of date or one outside the calendar's years;
* another firm's report (firm names compared as `--history` does: whitespace collapsed, case
  folded). The series is of the firm with the most reports; when two or more firms have the
  most, which one is meant cannot be told: `SeriesError` naming them (the CLI: exit 2);
* a second run of the same date: the later `run_at` is in the series, the other listed as
  superseded (test runs are compared only with test runs).

A test computation (report.json `parameters.test_run` true, SEC staff FAQ of 2025-12-08) is
kept apart in `Series.tests`: out of the series, its gaps and its average.

A PATH that does not exist, or a file given that is not a report.json file, is `SeriesError`:
one located line.

**Deposits** (issue 15 item 2; the report.json side of the `deposits` table, docs/BOOK_FORMAT.md). Each
report's top-level `deposits` (present only when its book had the table, even empty) and
`parameters.bank_opens_at` ("HH:MM" or null; absent in older reports = null) are validated:
a malformed element passes the file over like any other problem, located by its JSON path
(`deposits[3].amount: found "12.345"; expected a decimal string with 2 decimals > 0`). The
rows of the series' own reports (not the test computations', not the superseded runs': a
movement only they show is not counted, and is said) are unioned; a row repeated
verbatim in several reports (same account, credited_at, kind, amount, reference) is counted
once -- as many times as the one report holding it most often holds it, since two identical
rows of one book are two credits -- and the repeats are counted. Each computation uses the
`bank_opens_at` of its own report; when the reports differ, the series says so. With no
report holding a deposits table, `Series.deposits` is None ("not checked"); otherwise it is
`reserve.series.deposits.check` over the series' computations, with the evidence running to
the latest as-of or credited_at date of the reports read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

from ..calendar import MAX_YEAR, MIN_YEAR, BusinessCalendar
from ..report.compare import ReportFileInvalid, json_bytes
from ..report.history import file_names, firm_key, natural_key, report_files, run_time
from ..report.model import ReportFigures, report_problems
from .analysis import average_total_credits, gaps, not_daily, reminders
from .deposits import check
from .model import COMPUTATIONS, DepositCheck, Movement, Run, Series

MAX_FILE_NOTES = 50  # files passed over as not usable, one note each; the rest are counted
_AMOUNT = re.compile(r"[0-9]+\.[0-9]{2}")  # report.json's amounts: exactly 2 decimals
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_CREDITED_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
KINDS = ("deposit", "withdrawal")


class SeriesError(Exception):
    """A PATH that cannot be used, or a series whose firm cannot be told: one line."""


@dataclass(frozen=True)
class _File:
    shown: str  # as the user would find it: the PATH given joined with the path under it
    path: Path


def _files(paths: Sequence[str | os.PathLike[str]], notes: list[str]) -> list[_File]:
    out: list[_File] = []
    seen: set[str] = set()
    for given in paths:
        p = Path(given)
        if not p.exists():
            raise SeriesError(f"{os.fspath(given)}: no such file or folder (give report folders, folders holding "
                              "them, or report.json files)")
        if p.is_file():
            if p.suffix.lower() != ".json":
                raise SeriesError(f"{os.fspath(given)}: not a report.json file (series reads report.json files "
                                  "only, never a book)")
            found = [_File(os.fspath(given), p)]
        else:
            rel, hidden, unreadable = report_files(p)
            if unreadable:
                notes.append(f"{len(unreadable)} folder(s) under {os.fspath(given)} cannot be read, so any "
                             f"report.json in them is not in the series: {file_names(unreadable)}.")
            if hidden:
                notes.append(f"{len(hidden)} report.json file(s) in hidden folders under {os.fspath(given)} (left by "
                             f"interrupted runs) passed over: {file_names(hidden)}.")
            if not rel:
                notes.append(f"{os.fspath(given)}: no report.json found in it.")
            found = [_File((p / r).as_posix() if os.fspath(given) != "." else r, p / r) for r in rel]
        for f in found:
            real = os.path.realpath(f.path)
            if real in seen:
                continue
            seen.add(real)
            out.append(f)
    return out


def _deadline(c: object) -> date | None:
    v = c.get("deposit_deadline") if isinstance(c, Mapping) else None
    try:
        return date.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None


def _found(v: object) -> str:
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _bank_opens_at(params: Mapping[str, object], problems: list[str]) -> time | None:
    """parameters.bank_opens_at: "HH:MM" (24-hour) or null; absent (an older report) = null."""
    v = params.get("bank_opens_at")
    if v is None:
        return None
    m = _HHMM.fullmatch(v) if isinstance(v, str) else None
    if m is None:
        problems.append(f"parameters.bank_opens_at: found {_found(v)}; expected \"HH:MM\" (24-hour, such as "
                        "\"08:30\") or null")
        return None
    return time(int(m.group(1)), int(m.group(2)))


def _source(v: object, where: str, problems: list[str]) -> str:
    if v is None:
        return "the book's row not given"
    if not isinstance(v, dict):
        problems.append(f"{where}: found {_found(v)}; expected an object with file, sheet and row, or null")
        return ""
    file, sheet, row = v.get("file"), v.get("sheet"), v.get("row")
    bad = [k for k, ok in (("file", isinstance(file, str)), ("sheet", sheet is None or isinstance(sheet, str)),
                           ("row", row is None or (isinstance(row, int) and not isinstance(row, bool) and row >= 1)))
           if not ok]
    for k in bad:
        problems.append(f"{where}.{k}: found {_found(v.get(k))}; expected "
                        + ("text" if k == "file" else "text or null" if k == "sheet" else "a row number >= 1 or null"))
    return ", ".join(x for x in (str(file), f"sheet {sheet}" if sheet else "", f"row {row}" if row else "") if x)


def _movements(data: Mapping[str, object], shown: str, problems: list[str]) -> tuple[Movement, ...] | None:
    """The report's `deposits` table (None: it has none), every problem located by its JSON path."""
    if "deposits" not in data:
        return None
    rows = data["deposits"]
    if not isinstance(rows, list):
        problems.append(f"deposits: found {_found(rows)}; expected a list of deposit rows")
        return None
    out: list[Movement] = []
    for i, r in enumerate(rows):
        where = f"deposits[{i}]"
        if not isinstance(r, dict):
            problems.append(f"{where}: found {_found(r)}; expected an object")
            continue
        before = len(problems)
        account, comp, at, kind, amount, ref = (r.get(k) for k in ("account_id", "computation", "credited_at", "kind",
                                                                  "amount", "reference"))
        if not isinstance(account, str) or not account.strip():
            problems.append(f"{where}.account_id: found {_found(account)}; expected a reserve bank account id (text)")
        if comp not in COMPUTATIONS:
            problems.append(f"{where}.computation: found {_found(comp)}; expected \"customer\" or \"pab\"")
        when = None
        if isinstance(at, str) and _CREDITED_AT.fullmatch(at):
            try:
                when = datetime.fromisoformat(at)
            except ValueError:
                pass
        if when is None:
            problems.append(f"{where}.credited_at: found {_found(at)}; expected a date and time "
                            "YYYY-MM-DDTHH:MM:SS with no zone, such as \"2026-11-24T08:45:00\"")
        if kind not in KINDS:
            problems.append(f"{where}.kind: found {_found(kind)}; expected \"deposit\" or \"withdrawal\"")
        cents = None
        if isinstance(amount, str) and _AMOUNT.fullmatch(amount):
            cents = int(amount.replace(".", ""))
        if cents is None or cents <= 0:
            problems.append(f"{where}.amount: found {_found(amount)}; expected a decimal string with 2 decimals > 0")
        if ref is not None and not isinstance(ref, str):
            problems.append(f"{where}.reference: found {_found(ref)}; expected text or null")
        source = _source(r.get("source"), f"{where}.source", problems)
        if len(problems) == before and when is not None and cents is not None:
            out.append(Movement(str(account), str(comp), when, str(kind), cents, ref if isinstance(ref, str) else None,
                                shown, source))
    return tuple(out)


def _run(f: _File, notes: list[str]) -> tuple[Run, str] | None:
    """The run in a file and its firm name, or None (said in notes)."""
    try:
        raw = f.path.read_bytes()  # read once: hashed and parsed from the same bytes
        digest = hashlib.sha256(raw).hexdigest()
        data = json_bytes(raw, f.path)
    except OSError as exc:
        notes.append(f"{f.shown} passed over: it cannot be read ({exc.strerror or exc}).")
        return None
    except ReportFileInvalid as exc:
        notes.append(f"{f.shown} passed over: it {exc.problems[0] if exc.problems else 'cannot be read'}.")
        return None
    problems = report_problems(data, require_schema=True)
    if problems or not isinstance(data, dict):
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        notes.append(f"{f.shown} passed over: not a usable report.json: "
                     f"{problems[0] if problems else 'not an object'}{more}.")
        return None
    # the figures, not the exceptions: a large firm's report.json lists many, and a series needs none
    fig = ReportFigures.from_data({k: v for k, v in data.items() if k != "exceptions"})
    if fig.as_of is None:
        notes.append(f"{f.shown} passed over: it has no as-of date.")
        return None
    d = date.fromisoformat(fig.as_of)
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        notes.append(f"{f.shown} passed over: it is dated {d.isoformat()}, outside the years {MIN_YEAR}-{MAX_YEAR}.")
        return None
    raw_params, raw_comps = data.get("parameters"), data.get("computations")
    params: Mapping[str, object] = raw_params if isinstance(raw_params, dict) else {}
    comps: Mapping[str, object] = raw_comps if isinstance(raw_comps, dict) else {}
    figures: dict[str, dict[str, int]] = {str(n.value): dict(c.amounts) for n, c in fig.computations.items()
                                          if n.value in COMPUTATIONS}
    deadlines: dict[str, date | None] = {n: _deadline(comps.get(n)) for n in figures}
    basis = params.get("daily_basis")
    found: list[str] = []  # the deposits table's problems: the file is passed over, located
    opens = _bank_opens_at(params, found)
    movements = _movements(data, f.shown, found)
    if found:
        more = f" (and {len(found) - 1} more problem(s))" if len(found) > 1 else ""
        notes.append(f"{f.shown} passed over: not a usable report.json: {found[0]}{more}.")
        return None
    run = Run(f.shown, digest, d, fig.run_at, params.get("test_run") is True, str(params.get("frequency") or "weekly"),
              basis if isinstance(basis, str) else None, figures, deadlines, opens, movements)
    return run, str(fig.firm_name or "")


def _one_per_date(runs: list[Run], superseded: list[str]) -> list[Run]:
    by_date: dict[date, list[Run]] = {}
    for r in runs:
        by_date.setdefault(r.as_of, []).append(r)
    out = []
    for d in sorted(by_date):
        group = sorted(by_date[d], key=lambda r: (run_time(r.run_at), natural_key(r.file)))
        keep = group[-1]
        out.append(keep)
        for g in group[:-1]:
            kind = "test computation" if keep.test else "computation"
            superseded.append(f"{g.file} (as of {d.isoformat()}, run {g.run_at or 'at an unknown time'}) is superseded "
                              f"by the later run of the same date, {keep.file} (run {keep.run_at or 'at an unknown time'})"
                              f", which the series shows as its {kind}.")
    return out


def read_series(paths: Sequence[str | os.PathLike[str]], calendar: BusinessCalendar | None = None) -> Series:
    """The series of the report.json files under `paths` (see the module docstring)."""
    if not paths:
        raise SeriesError("give at least one report folder, folder holding them, or report.json file")
    cal = calendar or BusinessCalendar()
    notes: list[str] = []
    files = _files(paths, notes)
    unusable: list[str] = []
    by_firm: dict[str, list[tuple[Run, str]]] = {}
    for f in files:
        got = _run(f, unusable)
        if got is not None:
            by_firm.setdefault(firm_key(got[1]), []).append(got)
    passed = notes + unusable[:MAX_FILE_NOTES]
    if len(unusable) > MAX_FILE_NOTES:
        passed.append(f"{len(unusable) - MAX_FILE_NOTES} more report.json file(s) were passed over as not usable "
                      f"(the first {MAX_FILE_NOTES} are listed above).")
    if not by_firm:
        raise SeriesError(f"no usable report.json under {', '.join(os.fspath(p) for p in paths)}"
                          + (f": {unusable[0]}" if unusable else ""))
    most = max(len(v) for v in by_firm.values())
    top = sorted(k for k, v in by_firm.items() if len(v) == most)
    if len(top) > 1:
        names = ", ".join(repr(by_firm[k][0][1]) for k in top)
        raise SeriesError(f"these reports are of {len(by_firm)} firms and {names} have {most} report(s) each: "
                          "a series is of one firm; give the folders of one")
    firm = top[0]
    firm_name = by_firm[firm][0][1]
    for k in sorted(by_firm):
        if k != firm:
            v = by_firm[k]
            passed.append(f"{len(v)} report.json file(s) of another firm, {v[0][1]!r}, passed over (the series is of "
                          f"{firm_name!r}): {file_names([r.file for r, _ in v])}.")
    runs = [r for r, _ in by_firm[firm]]
    superseded: list[str] = []
    main = _one_per_date([r for r in runs if not r.test], superseded)
    tests = _one_per_date([r for r in runs if r.test], superseded)
    average = average_total_credits(main, cal)
    s = Series(firm_name, tuple(os.fspath(p) for p in paths), tuple(main), tuple(tests), tuple(superseded),
               tuple(passed), tuple(sorted(gaps(main, cal) + not_daily(main, average), key=lambda g: g.day)), average,
               tuple(reminders(main)),
               None, len(files))
    return replace(s, deposits=deposit_check(s, runs, cal))


def union(runs: Sequence[Run]) -> tuple[list[Movement], int]:
    """The deposits rows of `runs`, a row repeated verbatim in several reports once (as many
    times as the one report holding it most often holds it); (rows, repeats dropped)."""
    # Reading: a row of the same account, credited_at, kind, amount and reference in several
    # reports is one movement of the bank statement carried by several books; twice in ONE book, two.
    most: dict[tuple[object, ...], int] = {}
    first: dict[tuple[object, ...], list[Movement]] = {}
    total = 0
    for r in sorted(runs, key=lambda r: (r.as_of, run_time(r.run_at), natural_key(r.file))):
        rows = r.movements or ()
        total += len(rows)
        for key, n in Counter(m.key for m in rows).items():
            if n > most.get(key, 0):
                most[key] = n
        for m in rows:
            got = first.setdefault(m.key, [])
            if len(got) < most[m.key]:
                got.append(m)
    out = [m for ms in first.values() for m in ms]
    return out, total - len(out)


def deposit_check(s: Series, runs: Sequence[Run], calendar: BusinessCalendar) -> DepositCheck | None:
    """The deposit check of the series `s` over the deposits tables of its own runs (`s.runs`:
    not the test computations, not the superseded runs); None when none of them has a
    deposits table. `runs`: all the firm's reports read (for what the others hold)."""
    counted = {id(r) for r in s.runs}
    series_runs = [r for r in runs if id(r) in counted]
    with_table = [r for r in series_runs if r.movements is not None]
    if not with_table:
        return None
    moves, repeats = union(with_table)
    # Reading: only the deposits tables of the series' own computations are evidence. A test computation is not
    # one of the firm's computations (SEC staff FAQ of 2025-12-08) and a superseded run was replaced by a later
    # run of its date: a movement only they show is not counted (it would meet a requirement on evidence the
    # firm's computations do not carry -- the favourable direction), and is said.
    keys = {m.key for m in moves}
    others = [r for r in runs if id(r) not in counted and r.movements]
    only_there = {m.key for r in others for m in (r.movements or ()) if m.key not in keys}
    # Reading: the evidence covers to the latest as-of or credited_at date of the series' reports
    dates = [r.as_of for r in series_runs] + [m.credited_at.date() for m in moves]
    notes = [f"Deposits tables read from {len(with_table)} of the {len(series_runs)} report(s) of the series: "
             f"{len(moves)} row(s) checked, {repeats} row(s) repeated verbatim in several reports counted once (the "
             "same account, credited_at, kind, amount and reference: one movement of the bank statement carried by "
             "several books; twice in one book, two movements). The deposits tables of the test computations and "
             "superseded runs are not evidence. The evidence runs to "
             f"{max(dates).isoformat()} (the latest as-of or credited_at date of the series' reports)."]
    if only_there:
        notes.append(f"{len(only_there)} deposits row(s) appear only in a test computation's or a superseded run's "
                     f"report ({file_names([r.file for r in others if any(m.key in only_there for m in r.movements or ())])}"
                     "): not counted -- a deposit is evidenced by the firm's own computations' books.")
    without = [r for r in series_runs if r.movements is None]
    if without:
        notes.append(f"{len(without)} report(s) have no deposits table ({file_names([r.file for r in without])}): their "
                     "computations are checked against the rows of the others; a deposit no report shows is not "
                     "counted.")
    # Reading: each computation's deadline uses the bank_opens_at of its own report (Obligation.bank_opens_at)
    opens = sorted({r.bank_opens_at.strftime("%H:%M") if r.bank_opens_at else "blank" for r in runs})
    if len(opens) > 1:
        notes.append(f"The reports' bank_opens_at differ ({', '.join(opens)}): each computation's deadline uses the "
                     "bank_opens_at of its own report.")
    elif opens == ["blank"]:
        notes.append("bank_opens_at is blank in every report: the deadline's hour is unknown, so a deposit credited on "
                     "the deadline date itself counts as late.")
    return check(s.obligations(), moves, max(dates), calendar, firm_name=s.firm_name, repeats=repeats, notes=notes)
