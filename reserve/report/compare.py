"""Line-by-line comparison of two reports (used by `check`, `reperform` and `--compare`),
and the reading of the report files those commands are given (`read_report_file`): a file
that is not JSON, not a report, or holds a figure that is not an amount is refused with one
located line per problem, never a traceback."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from ..formula.model import COMPUTATIONS, LINES
from ..money import parse_decimal_text

REPORT_SCHEMA = "reserve.report/1"
MAX_FILE_PROBLEMS = 20  # problems of a report file shown (all are counted)

# The figures compared, in report order: each computation's items and summary lines.
SUMMARY_KEYS = ("other_credits", "other_debits", "total_credits", "aggregate_debits", "debit_reduction", "total_debits",
                "excess_credits", "excess_debits", "required_deposit", "offset_by_customer_excess_debits", "sweep",
                "on_deposit", "deposit_needed", "withdrawal_permitted")


def report_lines(report: dict) -> dict[tuple[str, str], int]:
    """{(computation, line): cents} for every comparable figure of a report.json."""
    out = {}
    for comp, c in report.get("computations", {}).items():
        for num, amt in c.get("items", {}).items():
            out[(comp, f"item {num}")] = parse_decimal_text(str(amt))
        for k in SUMMARY_KEYS:
            if k in c and c[k] is not None:
                out[(comp, k)] = parse_decimal_text(str(c[k]))
    return out


# ------------------------------------------------------------------ reading a report file


class ReportFileInvalid(Exception):
    """A --compare / --expected / --against file cannot be used; `problems` are one line each,
    located in the file (`computations.customer.items.1: ...`)."""

    def __init__(self, path, problems: list[str], total: int | None = None):
        self.path = str(path)
        self.problems = problems[:MAX_FILE_PROBLEMS]
        self.total = total if total is not None else len(problems)
        super().__init__(f"{self.path}: {problems[0]}" if problems else self.path)


ZIP_MAGIC = b"PK\x03\x04"


def read_json_file(path, what: str = "a report.json") -> object:
    """The JSON value in PATH; ReportFileInvalid saying why it is not JSON (a workbook, not
    UTF-8, a syntax error at line:column). Numbers are read as Decimal (exact)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ReportFileInvalid(p, [f"cannot read the file: {exc.strerror or exc}"]) from exc
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


ITEM_NUMBERS = tuple(l.number for l in LINES if l.number)
LINE_KEYS = tuple(l.key for l in LINES)


def _kind(v) -> str:
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true/false"
    if isinstance(v, str):
        return f"the text {v!r}"
    return f"the number {v}"


def _is_iso_date(v) -> bool:
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", v):
        return False
    try:
        date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _amount_problem(where: str, v, nullable: bool = False) -> str | None:
    """None when v is an amount (text or number, at most 2 decimals); else the problem."""
    if v is None and nullable:
        return None
    if isinstance(v, bool) or not isinstance(v, (str, int, Decimal)):
        return f"{where}: found {_kind(v)}; expected an amount such as \"1234.50\""
    try:
        parse_decimal_text(str(v))
    except ValueError as exc:
        reason = str(exc).split(": ", 1)[-1]
        return f"{where}: found {str(v)!r}, not an amount ({reason}); expected an amount such as \"1234.50\""
    return None


def report_problems(data, require_schema: bool = False) -> list[str]:
    """Every problem of a report-shaped JSON value (a report.json, or any JSON with the same
    `computations` section), located by its path in the file. Empty: the file can be used."""
    if not isinstance(data, dict):
        return [f"is {_kind(data)}, not a report; expected a JSON object with a `computations` section"]
    problems = []
    if require_schema and data.get("schema") != REPORT_SCHEMA:
        found = "no `schema`" if "schema" not in data else f"schema {data.get('schema')!r}"
        problems.append(f"is not a reserve report.json ({found}; expected schema {REPORT_SCHEMA!r})")
    for key in ("firm_name",):
        if key in data and not isinstance(data[key], str):
            problems.append(f"{key}: found {_kind(data[key])}; expected text")
    if "as_of" in data and not _is_iso_date(data["as_of"]):
        problems.append(f"as_of: found {_kind(data['as_of'])}; expected a date such as \"2026-11-20\"")
    comps = data.get("computations")
    if comps is None:
        problems.append("has no `computations` section; expected the one a report.json has")
        return problems
    if not isinstance(comps, dict):
        problems.append(f"computations: found {_kind(comps)}; expected an object with customer and/or pab")
        return problems
    for name, c in comps.items():
        where = f"computations.{name}"
        if name not in COMPUTATIONS:
            problems.append(f"{where}: unknown computation; expected {' or '.join(COMPUTATIONS)}")
            continue
        if not isinstance(c, dict):
            problems.append(f"{where}: found {_kind(c)}; expected an object")
            continue
        items = c.get("items")
        if items is not None:
            if not isinstance(items, dict):
                problems.append(f"{where}.items: found {_kind(items)}; expected an object of item number: amount")
            else:
                for num, amt in items.items():
                    if num not in ITEM_NUMBERS:
                        problems.append(f"{where}.items.{num}: unknown item; expected one of {', '.join(ITEM_NUMBERS)}")
                    elif (p := _amount_problem(f"{where}.items.{num}", amt)):
                        problems.append(p)
        for k in SUMMARY_KEYS:
            if k in c and (p := _amount_problem(f"{where}.{k}", c[k], nullable=True)):
                problems.append(p)
        lines = c.get("lines")
        if lines is not None:
            if not isinstance(lines, list):
                problems.append(f"{where}.lines: found {_kind(lines)}; expected a list of {{key, amount}}")
            else:
                for i, l in enumerate(lines):
                    lw = f"{where}.lines[{i}]"
                    if not isinstance(l, dict):
                        problems.append(f"{lw}: found {_kind(l)}; expected an object with `key` and `amount`")
                    elif l.get("key") not in LINE_KEYS:
                        problems.append(f"{lw}.key: found {_kind(l.get('key'))}; expected a line key such as item_1")
                    elif "amount" not in l:
                        problems.append(f"{lw}: line {l['key']} has no `amount`")
                    elif (p := _amount_problem(f"{lw}.amount", l["amount"])):
                        problems.append(p)
    return problems


def read_report_file(path, require_schema: bool = False, what: str = "a report.json") -> dict:
    """A report.json (or a JSON with the same `computations` section) whose every figure is an
    amount; ReportFileInvalid with every problem otherwise."""
    data = read_json_file(path, what)
    problems = report_problems(data, require_schema)
    if problems:
        raise ReportFileInvalid(path, problems)
    return data


def coverage_problems(actual: dict, expected: dict) -> list[str]:
    """What an expected file lacks for `reserve check` to vouch for the computation: it must
    hold both computations and every line the program computes (items and summary figures)."""
    comps = expected.get("computations") or {}
    if not comps:
        return ["has nothing to compare: its `computations` section is empty"]
    got = report_lines(expected)
    problems = []
    for name in actual.get("computations", {}):
        if name not in comps:
            problems.append(f"lacks the {name} computation")
            continue
        missing = [line for (comp, line) in report_lines(actual) if comp == name and (comp, line) not in got]
        if missing:
            problems.append(f"lacks {len(missing)} line(s) of the {name} computation: {', '.join(missing)}")
    return problems


def fit_warnings(report: dict, other: dict, role: str, dated_before: bool) -> list[str]:
    """Why `other` (a prior or prepared report) may not be the computation to set beside
    `report`: another firm, or a date that does not fit (a prior must be dated before the
    book; a prepared computation on the book's date). Empty when both fit."""
    out = []
    firm, other_firm = report.get("firm_name"), other.get("firm_name")
    if other_firm is not None and " ".join(str(other_firm).split()).casefold() != " ".join(str(firm).split()).casefold():
        out.append(f"the {role} is of {other_firm!r}, this book of {firm!r}")
    as_of, other_as_of = report.get("as_of"), other.get("as_of")
    if other_as_of is None:
        pass  # a hand-written file need not carry a date
    elif dated_before and str(other_as_of) >= str(as_of):
        out.append(f"the {role} is dated {other_as_of}, on or after this book's {as_of}: it is not an earlier "
                   "computation")
    elif not dated_before and str(other_as_of) != str(as_of):
        out.append(f"the {role} is as of {other_as_of}, this book as of {as_of}")
    return out


def compare_reports(actual: dict, expected: dict, tolerance: int = 0) -> list[dict]:
    a, e = report_lines(actual), report_lines(expected)
    diffs = []
    from ..money import format_cents

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

# The summary figures compared after the formula lines, in report order.
COMPARED_SUMMARY_KEYS = ("total_credits", "aggregate_debits", "debit_reduction", "total_debits", "excess_credits",
                         "excess_debits", "required_deposit", "offset_by_customer_excess_debits", "sweep", "on_deposit",
                         "deposit_needed", "withdrawal_permitted")
LARGEST_MOVERS = 3  # formula lines highlighted per computation


def computation_amounts(comp: dict) -> dict[str, int]:
    """{key: cents} of one computation of a report.json: formula lines (by line key) and summary figures."""
    out: dict[str, int] = {}
    if comp.get("lines"):
        for l in comp["lines"]:
            out[l["key"]] = parse_decimal_text(str(l["amount"]))
    else:  # a report without the `lines` list: items by number
        for num, amt in comp.get("items", {}).items():
            out[f"item_{num}"] = parse_decimal_text(str(amt))
        for k in ("other_credits", "other_debits"):
            if comp.get(k) is not None:
                out[k] = parse_decimal_text(str(comp[k]))
    for k in COMPARED_SUMMARY_KEYS:
        if comp.get(k) is not None:
            out[k] = parse_decimal_text(str(comp[k]))
    return out


def comparison(report: dict, previous: dict | None) -> dict[str, dict]:
    """{computation: {"amounts": {key: prior cents | None}, "change": {key: cents | None},
    "largest_movers": [line keys]}}; empty when there is no previous report."""
    if not previous:
        return {}
    out = {}
    line_keys = [l.key for l in LINES]
    for name, comp in report.get("computations", {}).items():
        now = computation_amounts(comp)
        before = computation_amounts(previous.get("computations", {}).get(name, {}))
        prior = {k: before.get(k) for k in now}
        change = {k: (None if prior[k] is None else now[k] - prior[k]) for k in now}
        moved = [k for k in line_keys if change.get(k)]
        moved.sort(key=lambda k: (-abs(change[k]), line_keys.index(k)))
        out[name] = {"amounts": prior, "change": change, "largest_movers": moved[:LARGEST_MOVERS]}
    return out


def add_comparison(report: dict, previous: dict | None) -> dict:
    """report.json with, in each computation, a `previous` section: last computation's amount
    of every line and summary figure, the change, and the largest movers. Returns a new dict;
    `report` is unchanged. Call before writing report.json (`reserve compute --compare`)."""
    if not previous:
        return report
    from ..money import format_cents

    cmp = comparison(report, previous)
    out = dict(report)
    comps = {}
    for name, comp in report.get("computations", {}).items():
        c = cmp[name]
        comps[name] = {**comp, "previous": {
            "as_of": previous.get("as_of"),
            "run_at": previous.get("run_at"),
            "amounts": {k: None if v is None else format_cents(v) for k, v in c["amounts"].items()},
            "change": {k: None if v is None else format_cents(v) for k, v in c["change"].items()},
            "largest_movers": c["largest_movers"],
        }}
    out["computations"] = comps
    out["compared_with"] = {"as_of": previous.get("as_of"), "run_at": previous.get("run_at"),
                            "firm_name": previous.get("firm_name"),
                            "warnings": fit_warnings(report, previous, "prior report", dated_before=True)}
    return out
