"""Golden ("snapshot") tests of whole outputs: report.json and report.html of a small inline
book, with the volatile parts (run time, program version, paths, SHA-256) normalised.

The goldens live in tests/golden/. When a change to the rules or the layout is intended,
regenerate them deliberately and review the diff:

    RESERVE_UPDATE_GOLDEN=1 pytest tests/test_report_golden.py

Other test_report_* modules import the book and helpers from here.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bookkit import book as load_inline_book

from reserve import __version__
from reserve.api import write_outputs
from reserve.formula import compute
from reserve.report.json_report import dumps
from reserve.report.model import build_report

GOLDEN = Path(__file__).parent / "golden"
RUN_TIME = datetime(2026, 11, 20, 18, 30, tzinfo=timezone.utc)
FIRM = "Example Securities LLC"
DESIGNATION = f"Special Clearing Account for the Exclusive Benefit of the Customers of {FIRM}"
SCRIPT = "<script>alert('x')</script>"
HYPERLINK = '=HYPERLINK("http://x","y")'

QUALIFIED_CCA = dict(cca_id="FICC", name="Fixed Income Clearing Corporation", registered="true", clears_ust="true",
                     rule_gross_margin="true", rule_investment_limit="true", rule_segregated_account="true",
                     account_designation=DESIGNATION, written_notice="true", written_contract="true", rule_custody="true",
                     rule_return_excess="true", in_compliance="true", sec_notice_date="2026-01-05")


def report_tables() -> dict:
    """A small book touching every part of the report: credits and debits in both computations,
    a Note E(1) concentration, Note H (one eligible customer, one failing), an other debit
    (an exception), a non-customer account (excluded), untrusted text in IDs and descriptions."""
    return dict(
        accounts=[
            dict(account_id="C-100", book="customer", balance="1000000"),
            dict(account_id="C-200", book="customer", type="margin", balance="-250000"),
            dict(account_id="C-300", customer_id="C-300", book="customer", balance="5000"),
            dict(account_id=SCRIPT, book="customer", balance="1234.56"),
            dict(account_id=HYPERLINK, book="customer", balance="7000"),
            dict(account_id="N-1", book="noncustomer", balance="99"),
            dict(account_id="P-1", book="pab", balance="30000"),
            dict(account_id="P-2", book="pab", balance="-4000"),
        ],
        collateral=[dict(account_id="C-200", security_id="XYZ", market_value="400000")],
        items=[
            dict(item_id="LOAN-1", book="customer", kind="bank_loan", amount="50000"),
            dict(item_id="OD-1", book="customer", kind="other_debit", amount="1000",
                 description=f"suspense debit {SCRIPT}"),
            dict(item_id="FTD-1", book="customer", kind="fail_to_deliver", amount="2000", open_date="2026-11-10"),
            dict(item_id="FTD-2", book="customer", kind="fail_to_deliver", amount="3000", open_date="2026-09-01"),
            dict(item_id="OC-1", book="customer", kind="other_credit", amount="250", description=HYPERLINK),
        ],
        cca=[QUALIFIED_CCA],
        cca_requirements=[
            dict(cca_id="FICC", account_id="C-100", position_type="ust_cash", requirement="20000"),
            dict(cca_id="FICC", account_id="C-200", position_type="ust_repo", basis="net", requirement="5000"),
            dict(cca_id="FICC", account_id="C-300", position_type="ust_cash", requirement="8000"),
        ],
        cca_deposits=[
            dict(deposit_id="D-1", cca_id="FICC", account_id="C-100", asset="us_treasury", owner="customer", value="25000"),
            dict(deposit_id="D-2", cca_id="FICC", account_id="C-200", asset="cash", owner="firm", value="5000"),
            # firm-owned Treasuries margining C-300 while the customer's delivery is awaited (Note H(b)(1)(iii))
            dict(deposit_id="D-3", cca_id="FICC", account_id="C-300", asset="us_treasury", owner="firm", value="8000",
                 requirement_arose_on="2026-11-20", requirement_at_arise="8000", customer_assets_at_arise="0",
                 call_issued_on="2026-11-20"),
        ],
        reserve_bank_accounts=[
            dict(account_id="RB-1", book="customer", bank_id="B1", bank_name="First Bank", bank_equity_capital="1000000000",
                 cash="500000", written_notification="true"),
        ],
    )


def report_book(folder: Path, parameters: dict | None = None, **overrides):
    tables = report_tables()
    tables.update(overrides)
    return load_inline_book(Path(folder), parameters, **tables)


def computed(folder: Path, parameters: dict | None = None, **overrides):
    """(book, result, report) of the report book, run at RUN_TIME."""
    b = report_book(folder, parameters, **overrides)
    result = compute(b)
    return b, result, build_report(b, result, RUN_TIME)


def normalise(text: str, book_folder: Path) -> str:
    text = text.replace(str(book_folder), "<BOOK>")
    text = re.sub(r"\b[0-9a-f]{64}\b", "<SHA256>", text)
    text = text.replace(f"reserve {__version__}", "reserve <VERSION>")
    text = text.replace(f'"version": "{__version__}"', '"version": "<VERSION>"')
    text = text.replace(f'content="reserve {__version__}"', 'content="reserve <VERSION>"')
    return text


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("RESERVE_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"no golden {path}; create it with RESERVE_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), f"golden/{name}",
                                            "actual", n=2))
        pytest.fail(f"{name} differs from its golden (RESERVE_UPDATE_GOLDEN=1 to accept):\n{diff[:6000]}")


def test_report_json_matches_golden(tmp_path):
    folder = tmp_path / "book"
    _, _, report = computed(folder)
    check_golden("report.json", normalise(dumps(report), folder))


def test_report_html_matches_golden(tmp_path):
    folder = tmp_path / "book"
    b, result, report = computed(folder)
    write_outputs(tmp_path / "out", b, result, ("html",), report=report)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    check_golden("report.html", normalise(html, folder))


def test_same_book_same_outputs(tmp_path):
    """Deterministic: two runs of the same book give identical report.json and report.html."""
    texts = []
    for run in ("a", "b"):
        folder = tmp_path / "book"  # same path both times, so only the content could differ
        b, result, report = computed(folder)
        out = tmp_path / f"out-{run}"
        write_outputs(out, b, result, ("html", "json"), report=report)
        texts.append(((out / "report.json").read_text(), (out / "report.html").read_text()))
    assert texts[0] == texts[1]


def test_golden_json_amounts_are_strings(tmp_path):
    _, _, report = computed(tmp_path / "book")
    text = dumps(report)
    data = report.to_dict()
    for comp in data["computations"].values():
        for v in comp["items"].values():
            assert re.fullmatch(r"-?\d+\.\d\d", v)
    assert json.loads(text) == data
