"""Issue 14 item 2: exceptions that are worked -- the book's `review` table beside each
exception, an id followed across two weeks, and variances above `variance_threshold`.

Hand-worked books: one customer cash account with a credit balance and nothing on deposit,
so each week's deposit needed is the credit balance (Item 1 = total credits = excess =
required deposit = deposit needed)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from bookkit import bad_book, only, write_book

from reserve.api import compute_book
from reserve.formula.model import ComputationName
from reserve.money import parse_variance_threshold
from reserve.report.compare import add_comparison
from reserve.report.model import Report, ReportFigures, build_report
from reserve.report.summary import summary, summary_text


def _report(folder: Path, balance: str, as_of: str = "2026-11-20", review=None, **params) -> Report:
    tables = {"accounts": [{"account_id": "A1", "book": "customer", "balance": balance}]}
    if review is not None:
        tables["review"] = review
    b, r = compute_book(write_book(folder, {"as_of": as_of, **params}, **tables))
    return build_report(b, r)


def _deposit_exception(report: Report):
    (e,) = [e for e in report.exceptions if e.message.startswith("deposit of")]
    return e


def _figures(report: Report) -> ReportFigures:
    return ReportFigures.from_data(json.loads(report.to_json()))


def test_a_review_row_is_shown_beside_its_exception_and_kept_in_report_json(tmp_path):
    first = _report(tmp_path / "w0", "1000")
    eid = _deposit_exception(first).id
    rows = [{"exception_id": eid, "disposition": "accepted", "comment": "deposit wired Monday 9:15",
             "reviewer": "J. Rivera", "date": "2026-11-23"},
            {"exception_id": "E-000000000000", "disposition": "resolved", "comment": "old", "reviewer": "J. Rivera",
             "date": "2026-11-23"}]
    rep = _report(tmp_path / "w1", "1000", review=rows)
    e = _deposit_exception(rep)
    assert e.id == eid  # the same finding of the same book: the same id
    assert e.review is not None and (e.review.disposition, e.review.comment, e.review.reviewer) == (
        "accepted", "deposit wired Monday 9:15", "J. Rivera")
    assert e.review.source is not None and (e.review.source.sheet, e.review.source.row) == ("review", 2)
    # a row naming an id that is not in the report: listed, never dropped
    assert [r.id for r in rep.unmatched_reviews] == ["E-000000000000"]
    # report.json carries both, and reads back the same
    data = json.loads(rep.to_json())
    (je,) = [x for x in data["exceptions"] if x["id"] == eid]
    assert je["review"] == {"disposition": "accepted", "comment": "deposit wired Monday 9:15",
                            "reviewer": "J. Rivera", "date": "2026-11-23"}
    assert [r["id"] for r in data["reviews"]] == [eid, "E-000000000000"]
    assert Report.from_json(rep.to_json()).to_json() == rep.to_json()


def test_review_rows_are_accounted_for(tmp_path):
    b, r = compute_book(write_book(tmp_path / "b", {}, accounts=[{"account_id": "A1", "book": "customer",
                                                                  "balance": "10"}],
                                   review=[{"exception_id": "E-000000000001", "disposition": "open",
                                            "reviewer": "K", "date": "2026-11-23"}]))
    rc = r.row_counts["review"]
    assert (rc["rows"], rc["used"], rc["excluded"]) == (1, 1, 0)  # carried to the report: 1 = 1 + 0


def test_an_acceptance_without_a_comment_is_itself_an_exception(tmp_path):
    eid = _deposit_exception(_report(tmp_path / "w0", "1000")).id
    rep = _report(tmp_path / "w1", "1000", review=[{"exception_id": eid, "disposition": "accepted",
                                                     "reviewer": "J. Rivera", "date": "2026-11-23"}])
    (f,) = [e for e in rep.exceptions if e.rule == "Review (firm's procedure)"]
    assert f"the review of {eid} by J. Rivera accepts it without a comment" in f.message
    assert f.source is not None and f.source.sheet == "review"
    assert _deposit_exception(rep).review.disposition == "accepted"  # still shown as accepted


def test_an_exception_followed_across_two_weeks_with_its_review(tmp_path):
    """Week 1 (2026-11-13): $1,000 credit, nothing on deposit: exception "deposit needed".
    Week 2 (2026-11-20): $1,500; the reviewer's row from week 1 is carried into the book."""
    week1 = _report(tmp_path / "w1", "1000", as_of="2026-11-13")
    e1 = _deposit_exception(week1)
    review = [{"exception_id": e1.id, "disposition": "open", "comment": "funding call placed",
               "reviewer": "J. Rivera", "date": "2026-11-16"}]
    week2 = add_comparison(_report(tmp_path / "w2", "1500", review=review), _figures(week1))
    e2 = _deposit_exception(week2)
    # the amount changed (1,000 -> 1,500), the id did not: the id is made of the rule, the row and the kind
    assert e2.id == e1.id and e2.amount == 150000 and e1.amount == 100000
    assert e2.since == "still open"
    assert e2.review is not None and e2.review.comment == "funding call placed"
    s = summary(week2)
    assert s.reviews == {"resolved": 0, "accepted": 0, "open": 1, "not reviewed": len(week2.exceptions) - 1}
    assert "reviewed (review table): 0 resolved, 0 accepted, 1 open" in summary_text(s)


def test_variances_above_the_threshold_need_a_comment(tmp_path):
    """Week 1: $1,000; week 2: $1,500. Change +$500 = 50% of $1,000 on Item 1, total credits,
    excess credits, required deposit and deposit needed (the others stay 0)."""
    week1 = _figures(_report(tmp_path / "w1", "1000", as_of="2026-11-13"))
    moved = ["item_1", "total_credits", "excess_credits", "required_deposit", "deposit_needed"]

    def variances(threshold, review=None):
        rep = _report(tmp_path / f"w2-{len(list(tmp_path.iterdir()))}", "1500", review=review,
                      variance_threshold=threshold)
        return add_comparison(rep, week1)

    # "10%": 50% > 10% on each moved line
    rep = variances("10%")
    assert [v.id for v in rep.variances] == [f"V-customer-{k}" for k in moved]
    v = rep.variances[0]
    assert (v.computation, v.prior, v.now, v.change, v.percent, v.label) == (
        ComputationName.CUSTOMER, 100000, 150000, 50000, Decimal("50.00"), "Item 1")
    assert len(rep.unexplained_variances) == 5
    # "$400": $500 > $400; "1000 or 10%": the percent is enough; "1000 and 10%": $500 is not > $1,000
    assert len(variances("400").variances) == 5
    assert len(variances("1000 or 10%").variances) == 5
    assert variances("1000 and 10%").variances == ()
    assert variances("500").variances == ()  # above, not at: $500 is not more than $500
    # a comment explains one; the rest stay unexplained, and the summary says so
    rep = variances("10%", review=[{"exception_id": "V-customer-item_1", "disposition": "accepted",
                                    "comment": "new account funded", "reviewer": "J. Rivera",
                                    "date": "2026-11-23"}])
    assert [v.explained for v in rep.variances] == [True, False, False, False, False]
    assert rep.unmatched_reviews == ()
    s = summary(rep)
    assert (s.variances, s.unexplained_variances) == (5, 4)
    assert "5 line(s) changed by more than the variance threshold, 4 without a comment" in summary_text(s)
    data = json.loads(rep.to_json())
    assert data["variances"][0]["percent"] == "50.00" and data["variances"][0]["explained"] is True
    assert Report.from_json(rep.to_json()).to_json() == rep.to_json()


def test_a_threshold_without_compare_says_variances_were_not_checked(tmp_path):
    rep = _report(tmp_path / "b", "1500", variance_threshold="5%")
    assert rep.variances is None
    assert "variances not checked" in summary_text(summary(rep))
    assert rep.parameters["variance_threshold"] == "5%"


def test_threshold_grammar_exactly():
    t = parse_variance_threshold("$250,000.00 or 5%")
    assert (t.amount, t.percent, t.both) == (25000000, 50000, False)  # cents; 1/10,000 %
    # 5% of $1,000.00 is $50.00: a change of $50.00 is not above it, $50.01 is
    p = parse_variance_threshold("5%")
    assert not p.exceeded(100000, 5000) and p.exceeded(100000, 5001) and p.exceeded(100000, -5001)
    assert p.exceeded(0, 1) and not p.exceeded(0, 0)  # from nothing, any change passes any percent
    both = parse_variance_threshold("100 and 5%")
    assert not both.exceeded(100000, 9000) and both.exceeded(100000, 10001)  # $90 fails the amount
    assert parse_variance_threshold("2.5 %").text() == "2.5%"


@pytest.mark.parametrize("value, why", [("lots", "is not an amount"), ("0%", "more than 0%"),
                                        ("-5", "cannot be negative"), ("5% or 6%", "two percents")])
def test_a_bad_threshold_is_one_located_problem(tmp_path, value, why):
    p = only(bad_book(tmp_path, {"variance_threshold": value}), column="value")
    assert p.sheet == "parameters" and why in p.message and p.value == value


def test_a_review_id_the_report_cannot_have_is_refused(tmp_path):
    err = bad_book(tmp_path, review=[{"exception_id": "E-12", "disposition": "open", "reviewer": "K",
                                      "date": "2026-11-23"},
                                     {"exception_id": "V-customer-item_1", "disposition": "later", "reviewer": "K",
                                      "date": "2026-11-23"}])
    assert only(err, column="exception_id").value == "E-12"
    assert only(err, column="disposition").value == "later"


def test_a_review_of_a_default_finding_covers_its_rows_only(tmp_path):
    """Hostile walk-through: the finding "defaults that can favour the firm were used" kept its
    id when more rows leaned on the default (its message template drops counts), so a review
    accepting it for 1 row silently covered a second. Its id is now of the columns and counts
    (Finding.identity): the same book, the same id; one row more, another finding, open."""
    def rep(folder, debtors, review=None):
        accounts = [{"account_id": "A1", "book": "customer", "balance": "100000"}]
        accounts += [{"account_id": f"D{i}", "book": "customer", "balance": "-1000", "doubtful": None}
                     for i in range(debtors)]
        tables = {"accounts": accounts}
        if review is not None:
            tables["review"] = review
        b, r = compute_book(write_book(folder, **tables))
        return build_report(b, r)

    def default_finding(report):
        (e,) = [e for e in report.exceptions if "defaults that can favour the firm" in e.message]
        return e

    one = default_finding(rep(tmp_path / "w0", 1))
    assert "doubtful taken as" in one.message and "on 1 row(s)" in one.message
    accept = [{"exception_id": one.id, "disposition": "accepted", "comment": "D0 reviewed: collectible",
               "reviewer": "J. Rivera", "date": "2026-11-20"}]
    same = rep(tmp_path / "w1", 1, accept)
    assert default_finding(same).id == one.id and default_finding(same).review is not None
    more = rep(tmp_path / "w2", 2, accept)
    two = default_finding(more)
    assert "on 2 row(s)" in two.message
    assert two.id != one.id and two.review is None  # open: the review covered one row
    assert [r.id for r in more.unmatched_reviews] == [one.id]  # and the old review is listed, not dropped
