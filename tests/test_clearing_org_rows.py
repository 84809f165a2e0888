"""Every clearing_organizations row is accounted for (rows in = used + excluded).

Until 2026-12-03 a clearing_organizations row got no disposition at all: the sample book's
Row accounting read "3 rows, 0 used, 0 excluded ✗ does not tie". A row named by an item row
(Note B letters of credit, Items 13 and 14) is used as their reference, with its Note G
standing; a row no item row names is excluded, saying it has no effect."""

from __future__ import annotations

from bookkit import book, item

from reserve.formula import compute

ORGS = [
    {"clearing_org_id": "OCC", "name": "The Options Clearing Corporation", "kind": "occ"},
    {"clearing_org_id": "CME", "name": "CME Clearing", "kind": "dco", "note_g_b1": "true", "note_g_b2": "true",
     "note_g_b3": "true", "note_g_determined_on": "2026-06-30"},
    {"clearing_org_id": "ICE", "name": "ICE Clear US", "kind": "dco"},
]


def _result(tmp_path, items):
    return compute(book(tmp_path / "b", clearing_organizations=ORGS, items=items))


def test_named_rows_used_unnamed_excluded_and_the_table_ties(tmp_path):
    r = _result(tmp_path, [
        item("O1", "occ_margin", "1000", margin_requirement="800", collateral_form="cash", clearing_org_id="OCC"),
        item("F1", "futures_margin", "500", margin_requirement="500", collateral_form="cash", clearing_org_id="CME"),
        item("F2", "futures_margin", "300", margin_requirement="300", collateral_form="cash", clearing_org_id="CME"),
    ])
    rc = r.row_counts["clearing_organizations"]
    # 3 rows in: OCC and CME named (used), ICE named by no item row (excluded): 3 = 2 + 1
    assert (rc["rows"], rc["used"], rc["excluded"]) == (3, 2, 1)
    d = r.dispositions[r.dispositions["table"] == "clearing_organizations"].sort_values("row")
    assert list(d["line"]) == ["clearing_org_test", "clearing_org_test", "excluded"]
    reasons = list(d["reason"])
    assert reasons[0].startswith("clearing organization named by 1 item row(s); the Options Clearing Corporation")
    assert reasons[1].startswith("clearing organization named by 2 item row(s); meets Note G(b)")
    assert reasons[2] == "named by no item row: no effect on the computation"
    # evidence only: the rows carry no amount into any line
    assert int(d["amount"].sum()) == 0


def test_a_named_organization_failing_note_g_says_why(tmp_path):
    r = _result(tmp_path, [item("F1", "futures_margin", "500", margin_requirement="500", collateral_form="cash",
                                clearing_org_id="ICE")])
    d = r.dispositions[(r.dispositions["table"] == "clearing_organizations")].sort_values("row")
    assert list(d["line"]) == ["excluded", "excluded", "clearing_org_test"]
    assert "for Item 14: it is not attested to meet Note G(b)(1)" in list(d["reason"])[2]
    rc = r.row_counts["clearing_organizations"]
    assert rc["rows"] == rc["used"] + rc["excluded"] == 3


def test_every_table_of_the_sample_book_ties():
    """Rows in = used + excluded for every table of the sample book, reference tables included."""
    from reserve.api import compute_book

    b, r = compute_book("sample_data/weekly_book.xlsx")
    assert set(r.row_counts) == set(b.row_counts)  # every table of the book is counted
    for table, rc in r.row_counts.items():
        assert rc["rows"] == b.row_counts[table] == rc["used"] + rc["excluded"], table
