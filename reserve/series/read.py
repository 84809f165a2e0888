"""Reading a series (`reserve series PATH...`): report.json files only, never a book.

Each PATH is a report.json, a report folder, or a folder holding report folders at any
depth. Folders are searched as `--history` searches them (`reserve.report.history`: every
file named report.json, symbolic links to folders not followed, hidden folders -- the
leftovers of interrupted runs -- passed over and said, unreadable folders said). Each file is
read once and passed through the validators every report file passes (`compare.read_json_file`,
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
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..calendar import MAX_YEAR, MIN_YEAR, BusinessCalendar
from ..report.compare import ReportFileInvalid, read_json_file
from ..report.history import _firm_key, _names, _natural, _report_files, _run_time, _sha256
from ..report.model import ReportFigures, report_problems
from .analysis import average_total_credits, gaps, reminders
from .model import COMPUTATIONS, Run, Series

MAX_FILE_NOTES = 50  # files passed over as not usable, one note each; the rest are counted


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
            rel, hidden, unreadable = _report_files(p)
            if unreadable:
                notes.append(f"{len(unreadable)} folder(s) under {os.fspath(given)} cannot be read, so any "
                             f"report.json in them is not in the series: {_names(unreadable)}.")
            if hidden:
                notes.append(f"{len(hidden)} report.json file(s) in hidden folders under {os.fspath(given)} (left by "
                             f"interrupted runs) passed over: {_names(hidden)}.")
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


def _run(f: _File, notes: list[str]) -> tuple[Run, str] | None:
    """The run in a file and its firm name, or None (said in notes)."""
    try:
        digest = _sha256(f.path)
        data = read_json_file(f.path)
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
    run = Run(f.shown, digest, d, fig.run_at, params.get("test_run") is True, str(params.get("frequency") or "weekly"),
              basis if isinstance(basis, str) else None, figures, deadlines)
    return run, str(fig.firm_name or "")


def _one_per_date(runs: list[Run], superseded: list[str]) -> list[Run]:
    by_date: dict[date, list[Run]] = {}
    for r in runs:
        by_date.setdefault(r.as_of, []).append(r)
    out = []
    for d in sorted(by_date):
        group = sorted(by_date[d], key=lambda r: (_run_time(r.run_at), _natural(r.file)))
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
            by_firm.setdefault(_firm_key(got[1]), []).append(got)
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
                          f"{firm_name!r}): {_names([r.file for r, _ in v])}.")
    runs = [r for r, _ in by_firm[firm]]
    superseded: list[str] = []
    main = _one_per_date([r for r in runs if not r.test], superseded)
    tests = _one_per_date([r for r in runs if r.test], superseded)
    return Series(firm_name, tuple(os.fspath(p) for p in paths), tuple(main), tuple(tests), tuple(superseded),
                  tuple(passed), tuple(gaps(main, cal)), average_total_credits(main, cal), tuple(reminders(main)),
                  None, len(files))
