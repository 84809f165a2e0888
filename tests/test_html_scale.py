"""report.html with many exceptions, their reviews and the variances (issue 14 items 2-4).

A report of the golden tests' book is given 1,500 exceptions over 30 rules with
`dataclasses.replace` (as a large book's would be): the page stays well under 1 MB (no
per-row repeated long attribute), shows every exception exactly once, one `<details>` per
rule with its counts by severity, amount at stake and reviewed / not reviewed, open only
when it holds a severe exception, and a filter (radio inputs, no script) whose every option
and combination states its count. Each exception shows its review or "not reviewed"; review
rows naming nothing are listed; the variances above the threshold are listed with their
comments and the unexplained ones counted in the section and the summary.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from test_report_golden import computed
from test_report_html import parse

from reserve.api import write_outputs
from reserve.formula.model import ComputationName, Severity
from reserve.money import format_display
from reserve.report.html import css_string
from reserve.report.model import Report, ReportException, Review, Source, Variance

RULES = 30
SEVERITIES = (Severity.SEVERE, Severity.REVIEW, Severity.INFO)
COMPUTATIONS = (ComputationName.CUSTOMER, ComputationName.PAB, None)


def many_exceptions(report: Report, n: int = 1500, rules: int = RULES) -> Report:
    """`report` with `n` exceptions over `rules` rules: rule k's cycle severe, review, info when
    k % 3 == 0, review and info when k % 3 == 1, and are all info when k % 3 == 2; every fourth one
    reviewed; computations cycle customer, PAB, book-wide. Sources name a long path, as a
    user's would."""
    out = []
    for i in range(n):
        k = i % rules
        cycle = (SEVERITIES, SEVERITIES[1:], SEVERITIES[2:])[k % 3]
        sev = cycle[(i // rules) % len(cycle)]
        eid = f"E-{i:012x}"
        review = (Review(eid, ("resolved", "accepted", "open")[(i // 4) % 3], f"worked with operations ({i})",
                         "J. Reviewer", date(2026, 11, 19), Source("/home/ops/books/2026-11-20/book.xlsx", "review", i + 2))
                  if i % 4 == 0 else None)
        out.append(ReportException(
            f"Rule {k:02d}", COMPUTATIONS[(i // 7) % 3], sev,
            Source("/home/ops/books/2026-11-20/weekly_reserve_book.xlsx", "accounts", i + 2), 10_000 + i,
            f"account C-{i:05d}: a debit balance of {format_display(10_000 + i)} is unsecured and is excluded "
            f"from Item 10 (Note E(3)).", eid, "", review))
    return replace(report, exceptions=tuple(out), reviews=tuple(e.review for e in out if e.review))


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scale")
    return computed(tmp / "book")


def render(base, tmp_path, report: Report) -> str:
    b, result, _ = base
    tmp_path.mkdir(parents=True, exist_ok=True)
    write_outputs(tmp_path / "out", b, result, ("html",), report=report)
    return (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def section(root, sid: str):
    return root.find("section", id=sid)


def test_1500_exceptions_over_30_rules_stay_small_and_each_shows_once(base, tmp_path):
    plain = render(base, tmp_path / "plain", base[2])
    report = many_exceptions(base[2])
    html = render(base, tmp_path / "many", report)
    size = len(html.encode("utf-8"))
    per_row = (size - len(plain.encode("utf-8"))) / len(report.exceptions)
    print(f"report.html with 1,500 exceptions: {size:,} bytes, {per_row:.0f} bytes per exception")
    assert size < 1_000_000  # the bar is "not 2 MB"; measured about 0.8 MB
    assert per_row < 450  # the message (~100 characters) plus short markup: no per-row long attribute
    assert 'title="' not in html[html.index('<section id="exceptions">'):html.index('<section id="schedules"')]

    root = parse(html)
    groups = list(section(root, "exceptions").find_all("div", class_="group"))
    assert [g.attrs["data-rule"] for g in groups] == sorted(
        {e.rule for e in report.exceptions},
        key=lambda r: (0 if int(r[5:]) % 3 == 0 else 1 if int(r[5:]) % 3 == 1 else 2, r))
    assert len(groups) == RULES
    for e in report.exceptions:  # once each: one row, its id once as text
        assert html.count(f'data-id="{e.id}"') == 1
        assert html.count(f">{e.id}<") + html.count(f">{e.id} <") == 1
    rows = [tr for g in groups for tr in g.find_all("tr", data_id=True)]
    assert len(rows) == 1500


def test_a_group_per_rule_states_counts_stake_and_reviews_open_when_severe(base, tmp_path):
    report = many_exceptions(base[2])
    root = parse(render(base, tmp_path, report))
    for g in section(root, "exceptions").find_all("div", class_="group"):
        rule = g.attrs["data-rule"]
        mine = [e for e in report.exceptions if e.rule == rule]
        details = g.find("details")
        summary = details.find("summary").text
        counts = {s: sum(1 for e in mine if e.severity == s) for s in ("severe", "review", "info")}
        by_severity = summary.split(rule, 1)[1].split(" — ")[0].strip()
        assert by_severity == " · ".join(f"{n} {s}" for s, n in counts.items() if n), (rule, summary)
        stake = sum(e.amount or 0 for e in mine)
        reviewed = sum(1 for e in mine if e.review)
        assert f"{len(mine)} exceptions" in summary and f"amounts total ${format_display(stake)}" in summary
        assert f"{reviewed} reviewed, {len(mine) - reviewed} not reviewed" in summary
        assert ("open" in details.attrs) == (counts["severe"] > 0), rule


def test_filter_options_and_every_combination_state_their_counts(base, tmp_path):
    report = many_exceptions(base[2])
    html = render(base, tmp_path, report)
    root = parse(html)
    ex = section(root, "exceptions")
    assert not list(root.find_all("script"))
    labels = {n.attrs["for"]: n.text for n in ex.find("div", class_="xbar").find_all("label")}
    scope = {ComputationName.CUSTOMER: "customer", ComputationName.PAB: "pab", None: "book"}
    assert labels["xf-sev-all"] == "all (1,500)" and labels["xf-comp-all"] == "all (1,500)"
    for s in ("severe", "review", "info"):
        assert labels[f"xf-sev-{s}"] == f"{s} ({sum(1 for e in report.exceptions if e.severity == s):,})"
    for c, label in (("customer", "customer"), ("pab", "PAB"), ("book", "book-wide")):
        assert labels[f"xf-comp-{c}"] == f"{label} ({sum(1 for e in report.exceptions if scope[e.computation] == c):,})"
    # a radio per option, the "all" ones checked; each row's first cell carries its two filter classes
    radios = {n.attrs["id"]: "checked" in n.attrs for n in ex.find_all("input", type="radio")}
    assert set(radios) == set(labels) and {k for k, v in radios.items() if v} == {"xf-sev-all", "xf-comp-all"}
    for tr in ex.find_all("tr", data_id=True):
        e = next(x for x in report.exceptions if x.id == tr.attrs["data-id"])
        assert tr.find("td").attrs["class"] == f"f s-{e.severity} c-{scope[e.computation]}"
    # "Showing N exceptions in G groups" for every combination, and the CSS rule that hides the rest
    for sev in ("all", "severe", "review", "info"):
        for comp in ("all", "customer", "pab", "book"):
            match = [e for e in report.exceptions
                     if sev in ("all", e.severity) and comp in ("all", scope[e.computation])]
            span = ex.find("span", class_=f"xs-{sev}-{comp}")
            n, g = len(match), len({e.rule for e in match})
            assert span.text == f"Showing {n:,} exception{'s' if n != 1 else ''} in {g} group{'s' if g != 1 else ''}."
            assert f"#xf-sev-{sev}:checked ~ #xf-comp-{comp}:checked ~ .xbar .xs-{sev}-{comp}" in html
    # the filter lives in @media screen: printed, every exception shows
    style = root.find("style").text
    screen = style[style.index("@media screen {"):]
    assert "tr:has(> td.f:not(.s-severe))" in screen


def test_each_exception_shows_its_review_or_not_reviewed(base, tmp_path):
    report = many_exceptions(base[2], n=60, rules=3)
    stray = Review("E-0123456789ab", "accepted", "from last quarter", "A. Auditor", date(2026, 10, 1),
                   Source("/home/ops/book.xlsx", "review", 99))
    var_review = Review("V-customer-item_1", "accepted", "new margin customer", "J. Reviewer", None)
    report = replace(report, reviews=report.reviews + (stray, var_review))
    root = parse(render(base, tmp_path, report))
    ex = section(root, "exceptions")
    for e in report.exceptions:
        cell = ex.find("tr", data_id=e.id).find("td", class_="rv").text
        if e.review is None:
            assert cell == "not reviewed"
        else:
            assert cell == f"{e.review.disposition} {e.review.comment} — J. Reviewer, 2026-11-19"
    assert f"{sum(1 for e in report.exceptions if e.review)} of 60 reviewed" in ex.find("p").text
    # rows of the review table naming no exception (nor variance: none here) are listed, never dropped
    unmatched = ex.find("div", id="reviews-unmatched")
    listed = {tr.attrs["data-review"]: [td.text for td in tr.find_all("td")] for tr in unmatched.find_all("tr", data_review=True)}
    assert listed == {
        "E-0123456789ab": ["E-0123456789ab", "accepted", "from last quarter", "A. Auditor", "2026-10-01",
                           "book.xlsx · review · row 99"],
        "V-customer-item_1": ["V-customer-item_1", "accepted", "new margin customer", "J. Reviewer", "", ""]}


def test_no_review_table_no_unmatched_list_and_no_variance_section(base, tmp_path):
    root = parse(render(base, tmp_path, base[2]))
    assert root.find(id="reviews-unmatched") is None
    assert root.find(id="variances") is None and root.find(id="variance-summary") is None


def variances(report: Report) -> Report:
    explained = Review("V-pab-required_deposit", "accepted", "PAB credits fell after the month end", "J. Reviewer",
                       date(2026, 11, 19))
    no_comment = Review("V-customer-total_credits", "open", None, "J. Reviewer", None)
    vs = (Variance("V-customer-item_1", ComputationName.CUSTOMER, "item_1", "Item 1", 100_000_00, 250_000_00,
                   150_000_00, Decimal("150.00")),
          Variance("V-customer-total_credits", ComputationName.CUSTOMER, "total_credits", "Total credits",
                   0, 5_000_00, 5_000_00, None, no_comment),
          Variance("V-pab-required_deposit", ComputationName.PAB, "required_deposit", "Required deposit",
                   100_000_00, 90_000_00, -10_000_00, Decimal("-10.00"), explained))
    return replace(report, variances=vs, reviews=(explained, no_comment))


def test_variances_listed_with_comments_and_the_unexplained_counted(base, tmp_path):
    report = variances(base[2])
    assert len(report.unexplained_variances) == 2
    root = parse(render(base, tmp_path, report))
    sec = section(root, "variances")
    assert "(3, 2 unexplained)" in sec.find("h2").text
    assert sec.find("span", data_unexplained="2").text == "2 without a comment."
    rows = {tr.attrs["data-variance"]: tr for tr in sec.find_all("tr", data_variance=True)}
    assert list(rows) == [v.id for v in report.variances]
    cells = [td.text.strip() for td in rows["V-customer-item_1"].find_all("td")]
    assert cells == ["Customer", "Item 1", "100,000.00", "250,000.00", "+150,000.00", "+150.00%", "unexplained",
                     "V-customer-item_1"]
    assert "unexplained" in rows["V-customer-item_1"].attrs["class"]
    assert [td.text.strip() for td in rows["V-customer-total_credits"].find_all("td")][5] == ""  # no prior: no percent
    assert "open" in rows["V-customer-total_credits"].text and "unexplained" in rows["V-customer-total_credits"].text
    pab = rows["V-pab-required_deposit"]
    assert "class" not in pab.attrs
    assert [td.text.strip() for td in pab.find_all("td")][4:7] == [
        "−10,000.00", "−10.00%", "accepted PAB credits fell after the month end — J. Reviewer, 2026-11-19"]
    # counted in the summary area and the banner too
    assert "2 without a comment" in root.find(id="variance-summary").text
    assert "2 variances above the threshold without a comment" in root.find("div", class_="banner").text
    assert root.find(id="reviews-unmatched") is None  # both review rows name a variance


def test_every_variance_explained_says_so(base, tmp_path):
    r = base[2]
    ok = Review("V-customer-item_1", "resolved", "a new margin customer", "J. Reviewer", None)
    report = replace(r, variances=(Variance("V-customer-item_1", ComputationName.CUSTOMER, "item_1", "Item 1",
                                            1_00, 2_00, 1_00, Decimal("100.00"), ok),), reviews=(ok,))
    root = parse(render(base, tmp_path, report))
    assert "Every one has a comment." in section(root, "variances").text
    assert "none without a comment" in root.find(id="variance-summary").text
    assert "variance" not in root.find("div", class_="banner").text


def test_printed_footer_is_an_escaped_css_string(base, tmp_path):
    firm = 'Smith & "Sons" </style><script>x</script> \\ ' + "A" * 200
    report = replace(base[2], firm_name=firm)
    html = render(base, tmp_path, report)
    style = html[:html.index("</style>")]
    assert "<script>" not in style and '"Sons"' not in style
    [content] = re.findall(r"@bottom-left \{ content: (\"[^\"]*\");", style)
    assert content == css_string(firm[:89] + "…" + " · Rule 15c3-3 reserve computation as of 2026-11-20")
    assert '@bottom-right { content: "Page " counter(page) " of " counter(pages);' in style
    assert css_string('a"b\\c<') == '"a\\000022 b\\00005C c\\00003C "'
