"""Stable exception ids (issue 14, item 2): an exception keeps its id from week to week --
made of its rule, computation, source row identity (the table's key columns, never the row's
position) and kind (the message as a template) -- and `compute --compare` marks each one new
or still open and lists those gone, in report.json, report.html and report.xlsx."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
from bookkit import write_book
from click.testing import CliRunner
from test_report_golden import RUN_TIME, report_tables

from reserve.book import load_book
from reserve.cli import main
from reserve.formula import compute
from reserve.report.compare import NO_PRIOR_IDS
from reserve.report.model import (
    ReportException,
    Severity,
    _unique_ids,
    build_report,
    exception_id,
    message_kind,
)

AGED = dict(item_id="FTD-9", book="customer", kind="fail_to_deliver", amount="700", open_date="2026-08-01")


def week1() -> dict:
    return report_tables()


def week2() -> dict:
    """Next week's book: every table's rows in reverse order, one aged fail added, the
    already-aged fail (FTD-2) grown, and the customer balance moved (other figures change)."""
    t = {name: list(reversed(rows)) for name, rows in report_tables().items()}
    for r in t["items"]:
        if r["item_id"] == "FTD-2":
            r["amount"] = "3500"
    for r in t["accounts"]:
        if r["account_id"] == "C-100":
            r["balance"] = "1100000"
    t["items"].insert(2, AGED)
    return t


def week3() -> dict:
    """The week after: FTD-2 was delivered (its row is gone)."""
    t = week2()
    t["items"] = [r for r in t["items"] if r["item_id"] != "FTD-2"]
    return t


def report_of(folder: Path, tables: dict):
    b = load_book(write_book(folder, None, **tables))
    return build_report(b, compute(b), RUN_TIME)


def by_id(report) -> dict[str, ReportException]:
    return {e.id: e for e in report.exceptions}


def aged_fail(report, item_row_message: str = "aged fail to deliver") -> list[ReportException]:
    return [e for e in report.exceptions if e.rule == "Item 12" and item_row_message in e.message]


def test_every_exception_has_a_unique_readable_id(tmp_path):
    r = report_of(tmp_path / "w1", week1())
    ids = [e.id for e in r.exceptions]
    assert ids and all(i.startswith("E-") and len(i.split("-")[1]) == 12 for i in ids)
    assert len(set(ids)) == len(ids)
    assert [e["id"] for e in json.loads(r.to_json())["exceptions"]] == ids


def test_one_id_followed_across_two_weeks(tmp_path):
    """Rows reordered, one row added, figures moved: the same exception keeps its id."""
    one, two = report_of(tmp_path / "w1", week1()), report_of(tmp_path / "w2", week2())
    [ftd2] = aged_fail(one)
    assert ftd2.source is not None and ftd2.source.row == 5  # items.csv row 5 in week 1
    followed = by_id(two)[ftd2.id]  # the same id names the same fail next week ...
    assert followed.rule == "Item 12" and followed.amount == 350000  # ... grown to 3,500.00
    assert followed.source is not None and followed.source.row != ftd2.source.row  # at another row
    # every exception of week 1 is still there under its id (nothing about them changed but
    # positions and figures) -- including the deposit needed, whose amount moved
    assert set(by_id(one)) <= set(by_id(two))
    deposit = [e for e in one.exceptions if e.rule == "Rule 15c3-3(e)" and e.computation == "customer"][0]
    assert by_id(two)[deposit.id].amount != deposit.amount
    # the added aged fail is the one new id
    [new] = set(by_id(two)) - set(by_id(one))
    assert "FTD" not in by_id(two)[new].message and by_id(two)[new].amount == 70000


def test_id_fields():
    """The id is a hash of the documented fields; a figure in the message does not change it,
    an identifier does."""
    key = (("item_id", "FTD-2"),)
    a = exception_id("Item 12", "customer", "items", key, message_kind("aged fail (80 days), 3,000.00 on 2026-11-20"))
    b = exception_id("Item 12", "customer", "items", key, message_kind("aged fail (87 days), 3,500.00 on 2026-11-27"))
    assert a == b
    assert a != exception_id("Item 12", "customer", "items", (("item_id", "FTD-3"),), message_kind("aged fail"))
    assert message_kind("account C-100: deposit D-2 ($5,000.00) by 2026-11-23, 25%") == "account C-100: deposit D-2 (#) by #, #"
    assert message_kind("short by -1,250.00 (-$3.10), LOAN-1") == "short by # (#), LOAN-1"


def test_colliding_ids_disambiguated_deterministically():
    def exc(message: str) -> ReportException:
        return ReportException("Note X", None, Severity.REVIEW, None, None, message)

    found = [exc("b 2"), exc("a 1"), exc("c")]
    ids = _unique_ids(["E-1", "E-1", "E-2"], found)
    assert ids == ["E-1-2", "E-1", "E-2"]  # ordered by message: "a 1" keeps the id
    # the same findings listed in another order get the same ids
    assert _unique_ids(["E-1", "E-1", "E-2"], [found[1], found[0], found[2]]) == ["E-1", "E-1-2", "E-2"]


def run(*args):
    r = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return r


def test_compare_marks_new_still_open_and_gone(tmp_path):
    for name, tables in (("w1", week1()), ("w2", week2()), ("w3", week3())):
        write_book(tmp_path / name, None, **tables)
    assert run("compute", tmp_path / "w1", "--out", tmp_path / "o1", "--quiet").exit_code in (0, 1)
    run("compute", tmp_path / "w2", "--out", tmp_path / "o2", "--quiet", "--compare", tmp_path / "o1" / "report.json")
    one = json.loads((tmp_path / "o1" / "report.json").read_text())
    two = json.loads((tmp_path / "o2" / "report.json").read_text())
    before = {e["id"] for e in one["exceptions"]}
    marks = {e["id"]: e["since"] for e in two["exceptions"]}
    assert {i for i, m in marks.items() if m == "still open"} == before
    [new] = [i for i, m in marks.items() if m == "new"]
    assert two["compared_with"]["exceptions_gone"] == []
    assert "since" not in one["exceptions"][0]

    r = run("compute", tmp_path / "w3", "--out", tmp_path / "o3", "--quiet", "--compare",
            tmp_path / "o2" / "report.json")
    three = json.loads((tmp_path / "o3" / "report.json").read_text())
    [ftd2] = [e for e in two["exceptions"] if e["rule"] == "Item 12" and e["amount"] == "3500.00"]
    gone = three["compared_with"]["exceptions_gone"]
    assert [g["id"] for g in gone] == [ftd2["id"]] and gone[0]["message"] == ftd2["message"]
    assert {e["id"]: e["since"] for e in three["exceptions"]}[new] == "still open"
    assert NO_PRIOR_IDS not in r.stderr

    # the HTML: the id and its mark on each row, and the gone list
    page = (tmp_path / "o3" / "report.html").read_text()
    section = page[page.index('<section id="exceptions">'):]
    section = section[:section.index("</section>")]
    listed, gone_part = section.split('id="exceptions-gone"')
    shown = dict(re.findall(r'<tr data-id="([^"]+)">.*?<td class="small exception-id">(.*?)</td></tr>', listed, re.S))
    assert set(shown) == {e["id"] for e in three["exceptions"]}
    assert re.sub(r"<[^>]+>", "", shown[new]) == f"{new} still open"
    assert re.findall(r'<tr data-id="([^"]+)"', gone_part) == [ftd2["id"]]
    # the workbook: id first, since last; the gone one below the table
    ws = openpyxl.load_workbook(tmp_path / "o3" / "report.xlsx", read_only=True)["Exceptions"]
    table = list(ws.iter_rows(min_row=2, values_only=True))  # row 1: how to record a review
    head = table[0]
    since = head.index("since")
    assert head[0] == "id" and head[since + 1:] == ("disposition", "comment", "reviewer", "review date")
    assert {row[0]: row[since] for row in table[1:len(three["exceptions"]) + 1]}[new] == "still open"
    assert [row[0] for row in table if row and len(row) > since and row[since] == "gone"] == [ftd2["id"]]


def test_compare_with_a_report_without_ids_says_so_once(tmp_path):
    write_book(tmp_path / "w1", None, **week1())
    write_book(tmp_path / "w2", None, **week2())
    run("compute", tmp_path / "w1", "--out", tmp_path / "o1", "--quiet")
    old = json.loads((tmp_path / "o1" / "report.json").read_text())
    for e in old["exceptions"]:
        del e["id"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    r = run("compute", tmp_path / "w2", "--out", tmp_path / "o2", "--compare", tmp_path / "old.json")
    assert r.exit_code in (0, 1) and "Traceback" not in r.output
    assert r.stderr.count(NO_PRIOR_IDS) == 1
    two = json.loads((tmp_path / "o2" / "report.json").read_text())
    assert all("since" not in e for e in two["exceptions"]) and "exceptions_gone" not in two["compared_with"]
    assert NO_PRIOR_IDS in two["compared_with"]["warnings"]
    ws = openpyxl.load_workbook(tmp_path / "o2" / "report.xlsx", read_only=True)["Exceptions"]
    head = next(ws.iter_rows(min_row=2, values_only=True))
    assert "since" not in head and head[head.index("row") + 1] == "disposition"  # no since column


def test_terminal_and_json_summary_count_severe_unsigned_and_since(tmp_path):
    """Issue 14 item 6: one summary for the terminal and --json: severe count, unsigned roles
    (after compute always all three) and, with --compare, new / still open / gone."""
    write_book(tmp_path / "w1", None, **week1())
    write_book(tmp_path / "w2", None, **week2())
    run("compute", tmp_path / "w1", "--out", tmp_path / "o1", "--quiet")
    r = run("compute", tmp_path / "w2", "--out", tmp_path / "o2", "--json", "--compare", tmp_path / "o1" / "report.json")
    s = json.loads(r.stdout)
    report = json.loads((tmp_path / "o2" / "report.json").read_text())
    assert s["severe_exceptions"] == sum(1 for e in report["exceptions"] if e["severity"] == "severe") > 0
    assert s["unsigned_roles"] == ["preparer", "reviewer", "approver"]
    assert s["exceptions_since_previous"] == {"new": 1, "still open": len(report["exceptions"]) - 1, "gone": 0}
    text = run("compute", tmp_path / "w2", "--out", tmp_path / "o3", "--compare",
               tmp_path / "o1" / "report.json").stdout
    assert f"since the previous report: 1 new, {len(report['exceptions']) - 1} still open, 0 gone" in text
    assert "unsigned: preparer, reviewer, approver" in text
    assert f"{s['severe_exceptions']} severe, " in text


def test_ids_marks_and_gone_read_back_from_report_json(tmp_path):
    """`reserve sign` re-renders from report.json: the ids, marks and gone list survive the
    round trip through Report.from_json."""
    from reserve.report.compare import add_comparison
    from reserve.report.model import Report, ReportFigures

    one, three = report_of(tmp_path / "w1", week1()), report_of(tmp_path / "w3", week3())
    compared = add_comparison(three, ReportFigures.from_data(json.loads(one.to_json())))
    assert compared.compared_with is not None and compared.compared_with.exceptions_gone
    back = Report.from_json(compared.to_json())
    assert back.exceptions == compared.exceptions
    assert back.compared_with == compared.compared_with
    assert back.to_json() == compared.to_json()


def test_row_lookup_gives_what_source_of_and_row_key_give():
    # report.model.RowLookup (issue 13): the sources and key texts of many rows at once, one
    # take per column -- the same as source_of / row_key one row at a time, for every table of
    # the sample book (text, enum, date and integer keys; a row -1 or past the end: nothing).
    from pathlib import Path

    from reserve.book import load_book
    from reserve.report.model import RowLookup, row_key, source_of

    b = load_book(Path(__file__).resolve().parents[1] / "sample_data" / "weekly_book.xlsx")
    pairs = [(t, r) for t, frame in b.tables.items() for r in (*range(len(frame)), -1, len(frame), None)]
    pairs += [("", 0), ("no_such_table", 0)]
    rows = RowLookup(b, pairs)
    assert sum(len(f) for f in b.tables.values()) > 50
    for t, r in pairs:
        in_table = t in b.tables and r is not None and 0 <= r < len(b.tables[t])
        assert rows.source(t, r) == (source_of(b, t, r) if in_table else None), (t, r)
        assert rows.key(t, r) == (row_key(b, t, r) if in_table else ()), (t, r)
