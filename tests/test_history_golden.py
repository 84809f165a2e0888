"""Golden files of the trend (`--history`, issue 14 item 5): report.json's `history` section
and the page's trend section for the small report book of test_report_golden, with two
earlier weekly computations of it (and a missed week), volatile parts normalised.

    RESERVE_UPDATE_GOLDEN=1 pytest tests/test_history_golden.py
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from test_report_golden import check_golden, computed, normalise

from reserve.api import write_outputs
from reserve.formula.model import ComputationName
from reserve.report.history import with_history
from reserve.report.json_report import dumps
from reserve.report.model import Report


def _earlier(report: Report, as_of: str, required: int) -> Report:
    c = replace(report.computations[ComputationName.CUSTOMER], required_deposit=required)
    return replace(report, as_of=date.fromisoformat(as_of), run_at=datetime(2026, 11, 1, 12, tzinfo=timezone.utc),
                   computations={**report.computations, ComputationName.CUSTOMER: c})


def _trend(tmp_path: Path):
    folder = tmp_path / "book"
    b, result, report = computed(folder)
    hist = tmp_path / "history"
    for as_of, required in (("2026-10-30", 90_000_000), ("2026-11-13", 70_000_000)):  # 2026-11-06 missed
        p = hist / as_of / "report.json"
        p.parent.mkdir(parents=True)
        p.write_text(_earlier(report, as_of, required).to_json(), encoding="utf-8")
    return folder, hist, b, result, with_history(report, hist)


def test_history_json_matches_golden(tmp_path):
    folder, hist, _, _, report = _trend(tmp_path)
    text = dumps(report.to_dict()["history"]).replace(str(hist), "<HISTORY>")
    check_golden("history.json", normalise(text, folder))


def test_trend_html_matches_golden(tmp_path):
    folder, hist, b, result, report = _trend(tmp_path)
    write_outputs(tmp_path / "out", b, result, ("html",), report=report)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="trend".*?</section>\n', page, flags=re.S)
    assert section is not None
    text = re.sub(r"\b[0-9a-f]{12}…", "<SHA256-12>…", section.group(0).replace(str(hist), "<HISTORY>"))
    check_golden("history.html", normalise(text, folder))
