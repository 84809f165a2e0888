"""Re-performance: naming a prepared line, reading a prepared computation, and the rows
behind each variance."""

from __future__ import annotations

import pytest
from test_report_golden import computed

from reserve.report.compare import ReportFileInvalid
from reserve.report.reperform import PreparedInvalid, format_variances, load_prepared, normalise_line, reperform


@pytest.mark.parametrize("text, key", [
    ("1", "item 1"), (1, "item 1"), (10.0, "item 10"), ("Item 10", "item 10"), ("item_10", "item 10"),
    ("ITEM 15", "item 15"), ("Line 4", "item 4"), ("4340", "item 1"), ("box 4440", "item 10"), (4472, "total_debits"),
    ("4425", "other_credits"), ("Other debits (List)", "other_debits"), ("16", "excess_credits"),
    ("Total credits", "total_credits"), ("required_deposit", "required_deposit"), ("on deposit", "on_deposit"),
    ("4510", "on_deposit"), ("4500", "required_deposit"),
])
def test_line_names(text, key):
    assert normalise_line(text) == (key, "")


@pytest.mark.parametrize("text, computation, why", [
    ("17", "customer", "unknown line"), ("4520", "customer", "not compared"), ("4340", "pab", "customer computation only"),
    ("9999", "customer", "unknown FOCUS box"), (None, "customer", "blank"),
])
def test_line_names_rejected(text, computation, why):
    key, msg = normalise_line(text, computation)
    assert key is None and why in msg


def test_load_prepared_report_json(tmp_path):
    _, _, report = computed(tmp_path / "book")
    p = tmp_path / "r.json"
    p.write_text(report.to_json())
    lines = load_prepared(p)
    assert lines[("customer", "item 1")] == 101323456
    assert lines[("pab", "required_deposit")] == 2600000


def test_load_prepared_rejects_other_files(tmp_path):
    (tmp_path / "x.csv").write_text("line,amount\n1,2\n")
    with pytest.raises(PreparedInvalid):
        load_prepared(tmp_path / "x.csv")
    (tmp_path / "x.json").write_text("[1]")
    with pytest.raises(ReportFileInvalid, match="is a list, not a report"):
        load_prepared(tmp_path / "x.json")


def test_variance_lists_the_rows_behind_the_line(tmp_path):
    b, result, report = computed(tmp_path / "book")
    # Item 10: C-200's debit 250,000.00 less the Note E(1) concentration charge 250,000.00 = 0.00
    prepared = {("customer", "item 10"): 25000000, ("customer", "item 12"): 200000}
    v10, v12 = reperform(b, result, report, prepared, 0)
    assert (v10.line, v10.computed, v10.difference, v10.over_tolerance, v10.rows) == ("item 10", 0, -25000000, True, 2)
    assert {x["table"] for x in v10.largest} == {"(adjustment)", "accounts"}
    assert not v12.over_tolerance and v12.rows == 1  # FTD-2 is older than 30 days: excluded, not behind Item 12
    text = format_variances([v10, v12])
    assert "VARIANCE: 1 of 2" in text and "Note E(1)" in text
