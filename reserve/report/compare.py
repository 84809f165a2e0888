"""Line-by-line comparison of two reports (used by `check`, `reperform` and `--compare`)."""

from __future__ import annotations

from decimal import Decimal

from ..formula.model import LINES
from ..money import parse_decimal_text

# The figures compared, in report order: each computation's items and summary lines.
SUMMARY_KEYS = ("other_credits", "other_debits", "total_credits", "aggregate_debits", "debit_reduction", "total_debits",
                "excess_credits", "excess_debits", "required_deposit", "offset_by_customer_excess_debits", "on_deposit",
                "deposit_needed", "withdrawal_permitted")


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
