"""report.html read back with an HTML parser: the summary figures equal report.json, the
banner turns red when action is needed, exceptions are listed grouped by rule (collapsible,
the severe groups open) with their source rows and review, totals tie, text from the book is escaped, the page is self-contained, and
the templates are strict (autoescape on, undefined names are errors)."""

from __future__ import annotations

from html.parser import HTMLParser

import jinja2
import pytest
from test_report_golden import HYPERLINK, SCRIPT, computed

from reserve.api import write_outputs
from reserve.money import format_display, parse_decimal_text
from reserve.report.html import environment

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children, self.parts = tag, dict(attrs), parent, [], []

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def iter(self):
        yield self
        for c in self.children:
            yield from c.iter()

    def find_all(self, tag=None, **attrs):
        """Descendants by tag and attributes: class_="x" matches one of the classes, data_key=
        matches data-key, True matches any value."""
        def match(n, k, v):
            if k == "class_":
                return v in (n.attrs.get("class") or "").split()
            name = k.replace("_", "-")
            return name in n.attrs if v is True else n.attrs.get(name) == v

        for n in self.iter():
            if (tag is None or n.tag == tag) and all(match(n, k, v) for k, v in attrs.items()):
                yield n

    def find(self, tag=None, **attrs):
        return next(self.find_all(tag, **attrs), None)


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node("#root", {})

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.parts.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.parts.append(data)


def parse(html: str) -> Node:
    b = TreeBuilder()
    b.feed(html)
    b.close()
    return b.root


def usd(amount_text: str) -> str:
    return "$" + format_display(parse_decimal_text(amount_text))


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("html")
    b, result, report = computed(tmp / "book")
    write_outputs(tmp / "out", b, result, ("html",), report=report)
    html = (tmp / "out" / "report.html").read_text(encoding="utf-8")
    return html, parse(html), report


def test_summary_shows_both_requirements_deposit_and_deadline(page):
    _, root, report = page
    for name in ("customer", "pab"):
        c = report.to_dict()["computations"][name]
        fig = {n.attrs["data-figure"]: n.text.strip() for n in root.find_all(data_figure=True)}
        assert fig[f"{name}-required"] == usd(c["required_deposit"])
        assert fig[f"{name}-on-deposit"] == usd(c["on_deposit"])
        assert fig[f"{name}-deposit-needed"] == usd(c["deposit_needed"])
        action = root.find(data_action=name).text
        assert usd(c["deposit_needed"]) in action and "Deposit" in action
        assert "Tuesday, 24 November 2026" in action  # as_of Friday 2026-11-20 + 2 business days


def test_red_banner_when_a_deposit_is_needed(page):
    _, root, _ = page
    banner = root.find("div", class_="banner")
    assert "banner-danger" in banner.attrs["class"]
    assert "deposit" in banner.text.lower() and "severe exception" in banner.text


def test_green_banner_when_nothing_is_due(tmp_path):
    # credits 1,000.00; 5,000.00 on deposit: nothing to deposit, 4,000.00 may be withdrawn
    b, result, report = computed(
        tmp_path / "book", accounts=[dict(account_id="A", book="customer", balance="1000")], items=[],
        collateral=[], cca_requirements=[], cca_deposits=[],
        reserve_bank_accounts=[dict(account_id="RB", book="customer", bank_id="B", bank_name="Bank",
                                    bank_equity_capital="100000000", cash="5000", written_notification="true")])
    assert not [e for e in report.to_dict()["exceptions"] if e["severity"] == "severe"]
    write_outputs(tmp_path / "out", b, result, ("html",), report=report)
    root = parse((tmp_path / "out" / "report.html").read_text())
    assert "banner-ok" in root.find("div", class_="banner").attrs["class"]
    assert "$4,000.00" in root.find(data_action="customer").text and "withdrawn" in root.find(data_action="customer").text


def test_exceptions_grouped_by_rule_with_source_rows(page):
    _, root, report = page
    groups = list(root.find("section", id="exceptions").find_all("div", class_="group"))
    rules = [g.attrs["data-rule"] for g in groups]
    assert sorted(set(rules)) == sorted({e["rule"] for e in report.to_dict()["exceptions"]})
    assert len(rules) == len(set(rules))  # one group per rule
    rows = [tr for g in groups for tr in g.find("tbody").find_all("tr")]
    assert len(rows) == len(report.to_dict()["exceptions"])
    other = next(g for g in groups if g.attrs["data-rule"] == "Other debits")
    cells = [td.text.strip() for td in other.find("tbody").find("tr").find_all("td")]
    assert cells[3] == "items.csv · items · row 3"  # OD-1 is the second data row (CSV line 3)
    assert cells[4] == "1,000.00"
    assert cells[5] == "not reviewed"  # the book has no review table
    # each group collapsible (<details>), its summary naming the rule; open when it holds a severe one
    for g in groups:
        mine = [e for e in report.to_dict()["exceptions"] if e["rule"] == g.attrs["data-rule"]]
        details = g.find("details")
        assert g.attrs["data-rule"] in details.find("summary").text
        assert ("open" in details.attrs) == any(e["severity"] == "severe" for e in mine)


def test_formula_totals_tie_and_lines_link_to_rows(page):
    _, root, report = page
    table = root.find("section", id="computation-customer").find("table")
    ties = [s.text for s in table.find_all("span", class_="tie")]
    assert ties and all(t.startswith("✓") for t in ties)
    item1 = table.find("tr", data_key="customer:item_1")
    assert item1.find("a").attrs["href"] == "#sched-customer_item_1"
    assert "1,013,234.56" in item1.text
    assert root.find(id="sched-customer_item_1") is not None
    boxes = [td.text for td in item1.find_all("td", class_="box")]
    assert boxes == ["4340"]


def test_book_text_is_escaped(page):
    html, root, _ = page
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert not list(root.find_all("script"))
    texts = root.text
    assert SCRIPT in texts and HYPERLINK in texts  # shown, as text


def test_page_is_self_contained(page):
    _, root, _ = page
    for n in root.iter():
        for attr in ("src", "href"):
            v = n.attrs.get(attr)
            assert v is None or v.startswith("#"), f"<{n.tag} {attr}={v!r}> would leave the page"
        assert n.tag not in ("link", "img", "iframe", "object", "embed", "script")


def test_row_accounting_ties(page):
    _, root, report = page
    rows = list(root.find("section", id="row-accounting").find("tbody").find_all("tr"))
    assert [r.attrs["data-table"] for r in rows] == list(report.to_dict()["row_counts"])
    assert all("✓" in r.text for r in rows)


def test_large_schedule_shows_first_50_with_a_note(tmp_path):
    accounts = [dict(account_id=f"A{i:03d}", book="customer", balance=str(100 + i)) for i in range(60)]
    b, result, report = computed(tmp_path / "book", accounts=accounts, collateral=[], cca_requirements=[],
                                 cca_deposits=[])
    write_outputs(tmp_path / "out", b, result, ("html", "xlsx"), report=report)
    root = parse((tmp_path / "out" / "report.html").read_text())
    sched = root.find(id="sched-customer_item_1")
    rows = list(sched.find("tbody").find_all("tr"))
    assert len(rows) == 50
    assert "A059" in rows[0].text  # largest first: 159.00
    note = sched.find("p", class_="note").text
    assert "50 largest of 60" in note and "supporting/customer_item_1.parquet" in note and "Customer Item 1" in note


def test_templates_are_strict_and_autoescaped():
    env = environment()
    assert env.autoescape is True or env.autoescape
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ r.missing }}").render(r={})
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert env.from_string("{{ 123456 | money }} {{ -5 | money }} {{ 1234 | usd }}").render() == "1,234.56 (0.05) $12.34"
