"""Line-by-line comparison of two reports (used by `check`, `reperform` and `--compare`),
and the reading of the report files those commands are given (`read_report_file`): a file
that is not JSON, not a report, or holds a figure that is not an amount is refused with one
located line per problem, never a traceback.

A file given to these commands needs only its figures (an expected file may be hand-written,
holding nothing but a `computations` section), so it is read into a `ReportFigures`; a run's
own report gives the same shape (`Report.figures()`), and `report_problems` is the one set of
validators, shared with `Report.from_json` (the parser of a complete report.json)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from ..formula.model import LINES, ComputationName
from ..money import format_cents, parse_variance_threshold
from .model import (
    COMPARED_FIGURES,
    NEW,
    SCHEMA,
    STILL_OPEN,
    Previous,
    PriorException,
    Report,
    ReportException,
    ReportFigures,
    Variance,
    report_problems,
)

REPORT_SCHEMA = SCHEMA
MAX_FILE_PROBLEMS = 20  # problems of a report file shown (all are counted)

# The figures compared, in report order: each computation's items and summary lines.
SUMMARY_KEYS = COMPARED_FIGURES


def _figures(report: Report | ReportFigures) -> ReportFigures:
    return report.figures() if isinstance(report, Report) else report


def report_lines(report: Report | ReportFigures) -> dict[tuple[str, str], int]:
    """{(computation, line): cents} for every comparable figure of a report."""
    return _figures(report).lines()


# ------------------------------------------------------------------ reading a report file


class ReportFileInvalid(Exception):
    """A --compare / --expected / --against file cannot be used; `problems` are one line each,
    located in the file (`computations.customer.items.1: ...`)."""

    def __init__(self, path: object, problems: list[str], total: int | None = None):
        self.path = str(path)
        self.problems = problems[:MAX_FILE_PROBLEMS]
        self.total = total if total is not None else len(problems)
        super().__init__(f"{self.path}: {problems[0]}" if problems else self.path)


ZIP_MAGIC = b"PK\x03\x04"


def read_json_file(path: str | Path, what: str = "a report.json") -> object:
    """The JSON value in PATH; ReportFileInvalid saying why it is not JSON (a workbook, not
    UTF-8, a syntax error at line:column). Numbers are read as Decimal (exact)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ReportFileInvalid(p, [f"cannot read the file: {exc.strerror or exc}"]) from exc
    return json_bytes(raw, p, what)


def json_bytes(raw: bytes, p: Path, what: str = "a report.json") -> object:
    """The JSON value in the bytes `raw` read from `p` (`read_json_file`, for a reader that
    also hashes the bytes it parses, so that the hash is of exactly what was read)."""
    if raw.startswith(ZIP_MAGIC):
        raise ReportFileInvalid(p, [f"is a workbook (.xlsx, a zip file), not JSON; give {what}"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReportFileInvalid(p, [f"is not UTF-8 text (byte {exc.start}), so not JSON; give {what}"]) from exc
    if not text.strip():
        raise ReportFileInvalid(p, [f"is empty; give {what}"])
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ReportFileInvalid(p, [f"is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]) from exc
    except (ValueError, RecursionError) as exc:
        raise ReportFileInvalid(p, [f"is not JSON: {exc}"]) from exc


def read_report_file(path: str | Path, require_schema: bool = False, what: str = "a report.json") -> ReportFigures:
    """The figures of a report.json (or a JSON with the same `computations` section) whose
    every figure is an amount; ReportFileInvalid with every problem otherwise."""
    data = read_json_file(path, what)
    problems = report_problems(data, require_schema)
    if problems or not isinstance(data, dict):
        raise ReportFileInvalid(path, problems)
    return ReportFigures.from_data(data)


def coverage_problems(actual: Report, expected: ReportFigures) -> list[str]:
    """What an expected file lacks for `reserve check` to vouch for the computation: it must
    hold both computations and every line the program computes (items and summary figures)."""
    comps = expected.computations
    if not comps:
        return ["has nothing to compare: its `computations` section is empty"]
    got = expected.lines()
    problems = []
    for name in actual.computations:
        if name not in comps:
            problems.append(f"lacks the {name} computation")
            continue
        missing = [line for (comp, line) in report_lines(actual) if comp == name and (comp, line) not in got]
        if missing:
            problems.append(f"lacks {len(missing)} line(s) of the {name} computation: {', '.join(missing)}")
    return problems


def fit_warnings(report: Report, other: ReportFigures, role: str, dated_before: bool) -> list[str]:
    """Why `other` (a prior or prepared report) may not be the computation to set beside
    `report`: another firm, or a date that does not fit (a prior must be dated before the
    book; a prepared computation on the book's date). Empty when both fit."""
    out = []
    firm, other_firm = report.firm_name, other.firm_name
    if other_firm is not None and " ".join(str(other_firm).split()).casefold() != " ".join(str(firm).split()).casefold():
        out.append(f"the {role} is of {other_firm!r}, this book of {firm!r}")
    as_of, other_as_of = report.as_of.isoformat(), other.as_of
    if other_as_of is None:
        pass  # a hand-written file need not carry a date
    elif dated_before and str(other_as_of) >= str(as_of):
        out.append(f"the {role} is dated {other_as_of}, on or after this book's {as_of}: it is not an earlier "
                   "computation")
    elif not dated_before and str(other_as_of) != str(as_of):
        out.append(f"the {role} is as of {other_as_of}, this book as of {as_of}")
    return out


def compare_reports(actual: Report, expected: ReportFigures, tolerance: int = 0) -> list[dict[str, str]]:
    """The lines of `expected` that differ from the computation by more than `tolerance` cents
    (or that it does not compute), as text ready to print."""
    a, e = report_lines(actual), report_lines(expected)
    diffs = []
    for key in e:
        if key not in a:  # a line the program does not compute: never passed over in silence
            diffs.append({"computation": key[0], "line": key[1], "expected": format_cents(e[key]),
                          "actual": "(not computed)", "difference": ""})
            continue
        if abs(a[key] - e[key]) > tolerance:
            diffs.append({"computation": key[0], "line": key[1], "expected": format_cents(e[key]),
                          "actual": format_cents(a[key]), "difference": format_cents(a[key] - e[key])})
    return diffs


# ------------------------------------------------------------------ --compare PREVIOUS.json
#
# Week-over-week comparison: every line of each computation with last computation's amount
# and the change. `comparison` is the one place the figures are paired; report.json (via
# `add_comparison`), the HTML page and the workbook all show its result.

LARGEST_MOVERS = 3  # formula lines highlighted per computation (a highlight, not a list: every change is shown)


def comparison(report: Report, previous: ReportFigures | None) -> dict[ComputationName, Previous]:
    """{computation: its lines and figures beside the previous report's (prior cents, change,
    largest movers)}; empty when there is no previous report."""
    if previous is None:
        return {}
    out = {}
    line_keys = [line.key.value for line in LINES]
    now_figures = report.figures()
    for name in report.computations:
        now = now_figures.computations[name].amounts
        before_c = previous.computations.get(name)
        before = before_c.amounts if before_c is not None else {}
        prior = {k: before.get(k) for k in now}
        change = {k: (None if p is None else now[k] - p) for k, p in prior.items()}
        moved = [k for k in line_keys if change.get(k)]
        moved.sort(key=lambda k: (-abs(change[k] or 0), line_keys.index(k)))
        out[name] = Previous(previous.as_of, previous.run_at, prior, change, tuple(moved[:LARGEST_MOVERS]))
    return out


def add_comparison(report: Report, previous: ReportFigures | None) -> Report:
    """The report with, in each computation, a `previous` section: last computation's amount
    of every line and summary figure, the change, and the largest movers; and the previous
    report's `compared_with` (who, when, and why it may not fit). `report` is unchanged. Call
    before writing report.json (`reserve compute --compare`)."""
    if previous is None:
        return report
    from .model import ComparedWith

    cmp = comparison(report, previous)
    comps = {name: replace(c, previous=cmp[name]) for name, c in report.computations.items()}
    warnings = fit_warnings(report, previous, "prior report", dated_before=True)
    exceptions, gone = mark_exceptions(report.exceptions, previous.exceptions)
    if gone is None:
        warnings.append(NO_PRIOR_IDS)
    return replace(report, computations=comps, exceptions=exceptions,
                   compared_with=ComparedWith(previous.as_of, previous.run_at, previous.firm_name, tuple(warnings),
                                              gone),
                   variances=variances(report, cmp))


def figure_label(key: str) -> str:
    """A compared figure's name as the report shows it: "Item 1", "Other credits", "Total credits"."""
    from .supporting import line_label

    if key in LINE_KEY_VALUES:
        return line_label(key)
    return key.replace("_", " ").capitalize()


LINE_KEY_VALUES = frozenset(line.key.value for line in LINES)


def variances(report: Report, cmp: dict[ComputationName, Previous]) -> tuple[Variance, ...] | None:
    """The lines and summary figures whose change since the previous report is above the
    book's `variance_threshold` (the firm's review policy), each with the review row naming its
    id, in report order; None when the book sets no threshold. A figure the previous report
    lacks is not a variance (it is shown as not compared)."""
    text = report.parameters.get("variance_threshold")
    if not isinstance(text, str) or not text:
        return None
    threshold = parse_variance_threshold(text)  # validated when the book was read
    by_id = {r.id: r for r in report.reviews}
    out = []
    for name, prev in cmp.items():
        for key, prior in prev.amounts.items():
            change = prev.change.get(key)
            if prior is None or change is None or not threshold.exceeded(prior, change):
                continue
            vid = f"V-{name.value}-{key}"
            percent = None if prior == 0 else (Decimal(change) * 100 / abs(prior)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            out.append(Variance(vid, name, key, figure_label(key), prior, prior + change, change, percent, by_id.get(vid)))
    return tuple(out)


NO_PRIOR_IDS = "previous report has no exception ids; not compared"


def mark_exceptions(exceptions: tuple[ReportException, ...], prior: tuple[PriorException, ...] | None
                    ) -> tuple[tuple[ReportException, ...], tuple[PriorException, ...] | None]:
    """Each exception marked "new" or "still open" (its id was in the previous report), and the
    previous report's exceptions whose id is not in this one (gone), in the previous report's
    order. `prior` None (a previous report without ids): nothing marked, gone None."""
    if prior is None:
        return exceptions, None
    before = {p.id for p in prior}
    now = {e.id for e in exceptions}
    marked = tuple(replace(e, since=STILL_OPEN if e.id in before else NEW) for e in exceptions)
    return marked, tuple(p for p in prior if p.id not in now)
