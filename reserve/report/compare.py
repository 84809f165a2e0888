"""Line-by-line comparison of two reports (used by `check`, `reperform` and `--compare`)."""

from __future__ import annotations

from decimal import Decimal

from ..formula.model import LINES
from ..money import parse_decimal_text

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


def compare_reports(actual: dict, expected: dict, tolerance: int = 0) -> list[dict]:
    a, e = report_lines(actual), report_lines(expected)
    diffs = []
    from ..money import format_cents

    for key in e:
        if key not in a:
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
                            "firm_name": previous.get("firm_name")}
    return out
