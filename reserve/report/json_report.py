"""`report.json`: the exact, machine-readable record of a computation (README.md "Outputs").

The record is `reserve.report.model.Report`; `Report.to_json()` is its one serialisation
(amounts as strings with exactly two decimals, never JSON numbers). This module keeps the
JSON-value view for scripts and tests that read report.json's keys: `build_report` gives
the dict `json.loads(report.json)` would give, `dumps` its text.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..formula.model import Result
from .model import JSON, SCHEMA, Report
from .model import build_report as build_report_model
from .model import dumps as _dumps

if TYPE_CHECKING:
    from ..book import Book

__all__ = ["SCHEMA", "build_report", "dumps"]


def build_report(book: Book, result: Result, run_time: datetime | None = None) -> dict[str, JSON]:
    """report.json as a JSON value (`model.build_report(...).to_dict()`)."""
    return build_report_model(book, result, run_time).to_dict()


def dumps(report: Report | dict[str, JSON]) -> str:
    """report.json's text of a Report (or of its JSON value)."""
    return report.to_json() if isinstance(report, Report) else _dumps(report)
