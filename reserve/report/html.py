"""`report.html`: one self-contained page a treasurer acts on and an auditor traces.

The page is a view of report.json plus the supporting schedules. All arithmetic and
choices happen here, in `build_context`, which returns a `ReportContext` (the template's
documented context); the jinja2 templates in `templates/` only lay it out, and number
formatting lives in the filters registered by `environment()`. Autoescape is on and
undefined variables are errors, so text from the book can never become markup and a
misspelt field fails loudly instead of printing nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

import jinja2
import pandas as pd

from ..formula.model import LINES_BY_KEY
from ..money import format_display, parse_decimal_text
from .compare import comparison
from .supporting import Schedule, ScheduleRows, schedule_for

HTML_ROWS_PER_SCHEDULE = 50  # rows of each schedule shown on the page; the workbook and supporting/ hold the rest
SEVERITY_RANK = {"severe": 0, "review": 1, "info": 2}
COMPUTATION_TITLES = {"customer": "Customer reserve computation", "pab": "PAB reserve computation"}
BANK_ACCOUNT_NAMES = {"customer": "Customer Reserve Bank Account", "pab": "PAB Reserve Bank Account"}

# The columns that identify a row of each table, shown beside it in the HTML schedules (the
# workbook and the Parquet files carry every column).
IDENTITY_COLUMNS = {
    "accounts": ("account_id", "customer_id", "type"),
    "collateral": ("account_id", "security_id"),
    "items": ("item_id", "kind", "description"),
    "cca": ("cca_id", "name"),
    "cca_requirements": ("cca_id", "account_id", "position_type", "basis"),
    "cca_deposits": ("deposit_id", "cca_id", "account_id", "asset", "owner"),
    "reserve_bank_accounts": ("account_id", "bank_name"),
    "holidays": ("date", "name"),
}


def _cents(text) -> int | None:
    return None if text is None else parse_decimal_text(str(text))


# ------------------------------------------------------------------------------ context


@dataclass
class FormulaRow:
    """One row of a computation's table, Exhibit A order.

    kind: heading | line | total | result | date."""

    kind: str
    caption: str
    amount: int | None = None  # cents
    item: str = ""
    rule: str = ""
    focus_box: str = ""
    key: str = ""  # compared figure key (line key or summary key), "" if none
    prior: int | None = None
    change: int | None = None
    mover: bool = False
    anchor: str = ""  # link to the schedule of rows behind the line
    rows: int = 0
    ties: bool | None = None  # totals: does the figure equal the sum of what it totals?
    tie_text: str = ""
    text: str = ""  # for kind == date


@dataclass
class ComputationView:
    name: str
    title: str
    rows: list[FormulaRow]
    note: str = ""  # a footnote under the table


@dataclass
class SummaryCard:
    """What the treasurer does for one computation."""

    name: str
    title: str
    required: int
    on_deposit: int
    offset: int
    sweep: int
    deposit_needed: int
    withdrawal_permitted: int
    deadline: str | None
    action: str  # the sentence to act on
    urgent: bool
    prior_required: int | None = None
    change_required: int | None = None


@dataclass
class ExceptionRow:
    severity: str
    computation: str
    amount: int | None
    message: str
    source: str  # "accounts.csv · accounts · row 4", or ""
    source_title: str  # full path


@dataclass
class ExceptionGroup:
    rule: str
    severity: str  # the most severe in the group
    count: int
    total: int  # cents at stake
    rows: list[ExceptionRow]


@dataclass
class NoteHGroup:
    cca_id: str
    cca_name: str
    entries: list[dict]  # amounts in cents; failed_conditions / pending lists
    totals: dict = field(default_factory=dict)  # amount key -> cents over the entries


@dataclass
class NoteHTie:
    """Item 15 of a computation against the sum of its Note H entries."""

    computation: str
    item_15: int
    entries_total: int
    ties: bool


@dataclass
class ScheduleView:
    anchor: str
    title: str
    rule: str
    rows: int
    shown: int
    total: int
    line_amount: int | None  # the formula line's figure (None for non-formula schedules)
    ties: bool | None
    sheet: str | None  # workbook sheet holding it (None when no workbook is written)
    sheet_rows: int
    parquet: str
    records: list[dict]  # {source, source_title, identity, amount, rule, reason, ref}


@dataclass
class ReportContext:
    """Everything report.html shows; the template reads only this (see templates/report.html)."""

    firm_name: str
    as_of: str
    run_at: str
    program: str
    version: str
    banner_level: str  # danger | ok
    banner_lines: list[str]
    summary: list[SummaryCard]
    compared_as_of: str | None
    compared_run_at: str | None
    movers: list[dict]  # {computation, caption, prior, now, change}
    computations: list[ComputationView]
    note_h: list[NoteHGroup]
    note_h_ties: list[NoteHTie]
    exceptions: list[ExceptionGroup]
    exception_total: int
    severe_count: int
    schedules: list[ScheduleView]
    rows_per_schedule: int
    workbook: str | None
    row_accounting: list[dict]
    assumptions: list[dict]
    inputs: list[dict]
    ignored: list[dict]  # sheets, files and columns read past (issue 10)
    parameters: list[tuple[str, str]]
    # --compare: why the prior report may not fit (another firm; not dated before the book)
    compared_warnings: list[str] = field(default_factory=list)


def _source_text(src: dict | None) -> tuple[str, str]:
    if not src:
        return "", ""
    name = os.path.basename(src.get("file") or "") or (src.get("file") or "")
    parts = [name]
    if src.get("sheet"):
        parts.append(str(src["sheet"]))
    if src.get("row") is not None:
        parts.append(f"row {src['row']}")
    return " · ".join(parts), f"{src.get('file', '')} | {src.get('sheet', '')} | row {src.get('row', '')}"


def _long_date(iso: str | None) -> str:
    if not iso:
        return ""
    d = date.fromisoformat(iso)
    return f"{d:%A}, {d.day} {d:%B %Y}"


def _summary_cards(report: dict, cmp: dict) -> list[SummaryCard]:
    cards = []
    for name in ("customer", "pab"):
        c = report["computations"].get(name)
        if c is None:
            continue
        required = _cents(c["required_deposit"])
        on_dep = _cents(c["on_deposit"])
        offset = _cents(c.get("offset_by_customer_excess_debits")) or 0
        sweep = _cents(c.get("sweep")) or 0
        need = _cents(c["deposit_needed"])
        wd = _cents(c["withdrawal_permitted"])
        account = BANK_ACCOUNT_NAMES[name]
        deadline = _long_date(c.get("deposit_deadline"))
        if need > 0:
            action = (f"Deposit ${format_display(need)} into the {account} by one hour after the opening of "
                      f"banking business on {deadline}.")
        elif wd > 0:
            action = (f"No deposit is needed. ${format_display(wd)} more than required is on deposit and may be "
                      f"withdrawn (Rule 15c3-3(g)).")
        else:
            action = "No deposit is needed: the amount on deposit covers the requirement."
        prior = cmp.get(name, {}).get("amounts", {}).get("required_deposit") if cmp else None
        change = cmp.get(name, {}).get("change", {}).get("required_deposit") if cmp else None
        cards.append(SummaryCard(name, COMPUTATION_TITLES[name], required, on_dep, offset, sweep, need, wd,
                                 c.get("deposit_deadline"), action, need > 0, prior, change))
    return cards


def _formula(report: dict, name: str, cmp: dict, scheds: list[Schedule]) -> ComputationView:
    c = report["computations"][name]
    boxes = report.get("focus_boxes", {}) if name == "customer" else {}
    prior = cmp.get(name, {}).get("amounts", {}) if cmp else {}
    change = cmp.get(name, {}).get("change", {}) if cmp else {}
    movers = set(cmp.get(name, {}).get("largest_movers", [])) if cmp else set()

    def figure(kind, caption, key, rule="", box="", item="", ties=None, tie_text=""):
        amt = _cents(c.get(key)) if key in c else None
        return FormulaRow(kind, caption, amt, item, rule, box, key, prior.get(key), change.get(key), key in movers,
                          ties=ties, tie_text=tie_text)

    rows: list[FormulaRow] = []
    sums = {"credit": 0, "debit": 0}
    for side, heading in (("credit", "Credit balances"), ("debit", "Debit balances")):
        rows.append(FormulaRow("heading", heading))
        for l in c["lines"]:
            if l["side"] != side:
                continue
            amt = _cents(l["amount"])
            sums[side] += amt
            s = schedule_for(scheds, name, l["key"])
            rows.append(FormulaRow("line", l["caption"], amt, l["item"], l["rule"], l["focus_box"], l["key"],
                                   prior.get(l["key"]), change.get(l["key"]), l["key"] in movers,
                                   s.anchor if s else "", s.rows if s else 0))
        if side == "credit":
            tc = _cents(c["total_credits"])
            rows.append(figure("total", "Total credits", "total_credits", "Items 1–9 and other credits",
                               boxes.get("total_credits", ""), ties=sums["credit"] == tc,
                               tie_text=f"sum of the credit lines above: {format_display(sums['credit'])}"))
    agg = _cents(c["aggregate_debits"])
    red = _cents(c["debit_reduction"])
    td = _cents(c["total_debits"])
    rows.append(figure("total", "Aggregate debits", "aggregate_debits", "Items 10–15 and other debits",
                       boxes.get("aggregate_debits", ""), ties=sums["debit"] == agg,
                       tie_text=f"sum of the debit lines above: {format_display(sums['debit'])}"))
    rows.append(figure("line", "Less: debit reduction", "debit_reduction", c.get("debit_reduction_rule") or "",
                       boxes.get("debit_reduction", "")))
    rows.append(figure("total", "Total debits", "total_debits", "Aggregate debits less the reduction",
                       boxes.get("total_debits", ""), ties=agg - red == td,
                       tie_text=f"{format_display(agg)} − {format_display(red)}"))
    tc = _cents(c["total_credits"])
    ec, ed = _cents(c["excess_credits"]), _cents(c["excess_debits"])
    rows.append(FormulaRow("heading", "Reserve requirement"))
    rows.append(figure("result", "Excess of total credits over total debits", "excess_credits", "Item 16",
                       boxes.get("excess_credits", ""), "16", ties=ec == max(0, tc - td),
                       tie_text=f"{format_display(tc)} − {format_display(td)}, if positive"))
    rows.append(figure("result", "Excess of total debits over total credits", "excess_debits", "Item 16",
                       boxes.get("excess_debits", ""), ties=ed == max(0, td - tc),
                       tie_text=f"{format_display(td)} − {format_display(tc)}, if positive"))
    monthly = report.get("parameters", {}).get("frequency") == "monthly"
    rows.append(figure("result", "Required deposit (105% of the excess: monthly computation)" if monthly
                       else "Required deposit", "required_deposit",
                       "Item 16; Rule 15c3-3(e)(3)(i)(C)" if monthly else "Item 16; Rule 15c3-3(e)",
                       boxes.get("required_deposit_monthly", "") if monthly else ""))
    if name == "pab":
        rows.append(figure("line", "Less: met by the customer computation's excess debits",
                           "offset_by_customer_excess_debits", "Rule 15c3-3(e)(4)"))
    if _cents(c.get("sweep")) or (name == "customer" and "sweep" in c and prior.get("sweep")):
        rows.append(figure("line", "Less: credits moving to a bank sweep program next business day", "sweep",
                           "SEC staff FAQ 2025-12-08 Q5"))
    rows.append(figure("result", "Amount on deposit in the reserve bank accounts", "on_deposit",
                       "Rule 15c3-3(e), (f)", boxes.get("on_deposit", "")))
    s = schedule_for(scheds, name, "reserve_bank")
    if s:
        rows[-1].anchor, rows[-1].rows = s.anchor, s.rows
    rows.append(figure("result", "Deposit needed", "deposit_needed", "Rule 15c3-3(e)",
                       boxes.get("deposit_or_withdrawal", "")))
    rows.append(figure("result", "Withdrawal permitted", "withdrawal_permitted", "Rule 15c3-3(g)",
                       boxes.get("deposit_or_withdrawal", "")))
    rows.append(FormulaRow("date", "Deposit deadline", rule="Rule 15c3-3(e)(3)",
                           focus_box=boxes.get("deposit_date", ""), text=_long_date(c.get("deposit_deadline"))))
    note = ("FOCUS boxes: Form X-17A-5 Part II. Item 15 has no confirmed box yet and is left blank." if name == "customer"
            else "The PAB schedule's FOCUS boxes are not confirmed and are left blank; PAB Note 4: no debit reduction.")
    return ComputationView(name, COMPUTATION_TITLES.get(name, name), rows, note)


def _exceptions(report: dict) -> list[ExceptionGroup]:
    groups: dict[str, list[dict]] = {}
    for e in report.get("exceptions", []):
        groups.setdefault(e["rule"], []).append(e)
    out = []
    for rule, items in groups.items():
        rows = []
        for e in items:
            src, title = _source_text(e.get("source"))
            rows.append(ExceptionRow(e["severity"], e.get("computation") or "", _cents(e.get("amount")), e["message"],
                                     src, title))
        sev = min((r.severity for r in rows), key=lambda s: SEVERITY_RANK.get(s, 3))
        out.append(ExceptionGroup(rule, sev, len(rows), sum(r.amount or 0 for r in rows), rows))
    out.sort(key=lambda g: (SEVERITY_RANK.get(g.severity, 3), g.rule))
    return out


_NOTE_H_AMOUNTS = ("requirement", "requirement_counted", "eligible_deposits", "item_15", "excess_on_deposit")


def _note_h(report: dict) -> list[NoteHGroup]:
    groups: dict[str, NoteHGroup] = {}
    for e in report.get("note_h", []):
        entry = dict(e)
        for k in _NOTE_H_AMOUNTS:
            entry[k] = _cents(e.get(k))
        entry["failed_conditions"] = [{**f, "amount": _cents(f.get("amount"))} for f in e.get("failed_conditions", [])]
        entry["pending"] = [{**p, "amount": _cents(p.get("amount")), "deadline": _long_date(p.get("deadline"))}
                            for p in e.get("pending", [])]
        for k in ("customer_id", "cca_name", "computation", "status", "account_structure"):
            entry.setdefault(k, "")
            if entry[k] is None:
                entry[k] = ""
        g = groups.setdefault(e["cca_id"], NoteHGroup(e["cca_id"], entry["cca_name"], []))
        g.entries.append(entry)
    for g in groups.values():
        g.totals = {k: sum(e[k] or 0 for e in g.entries) for k in _NOTE_H_AMOUNTS}
    return [groups[k] for k in sorted(groups)]


def _note_h_ties(report: dict) -> list[NoteHTie]:
    out = []
    for name, c in report["computations"].items():
        entries = [e for e in report.get("note_h", []) if e.get("computation") == name]
        if not entries:
            continue
        total = sum(_cents(e.get("item_15")) or 0 for e in entries)
        item_15 = _cents(c["items"].get("15", "0"))
        out.append(NoteHTie(COMPUTATION_TITLES[name].split()[0], item_15, total, item_15 == total))
    return out


def _text(v) -> str:
    """A cell of a schedule as text: blank for missing values, dates as ISO dates."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    return str(v)


def _schedule_views(heads: dict[str, ScheduleRows], report: dict, scheds: list[Schedule],
                    sheets: dict[str, tuple[str, int]] | None, limit: int) -> list[ScheduleView]:
    out = []
    for s in scheds:
        f = heads[s.slug].head(limit).frame
        records = []
        for i in range(len(f)):
            r = f.iloc[i]
            table = r["table"]
            if table:
                src, title = _source_text({"file": r["file"], "sheet": r["sheet"], "row": int(r["row"])})
            else:
                src, title = "adjustment (no single row)", ""
            ident = []
            for col in IDENTITY_COLUMNS.get(table, ()):
                if col not in f.columns:
                    continue
                v = _text(r[col])
                if not v or (col == "customer_id" and v == _text(r.get("account_id"))):
                    continue
                ident.append(f"{col}: {v}")
            records.append({"source": src, "source_title": title, "identity": " · ".join(ident),
                            "amount": int(r["line_amount"]), "rule": _text(r["rule"]), "reason": _text(r["reason"]),
                            "ref": _text(r["ref"])})
        line_amount = None
        ties = None
        if s.is_formula_line:
            for l in report["computations"].get(s.computation, {}).get("lines", []):
                if l["key"] == s.line:
                    line_amount = _cents(l["amount"])
            ties = None if line_amount is None else line_amount == s.total
        sheet, sheet_rows = (sheets or {}).get(s.slug, (None, 0))
        rule = LINES_BY_KEY[s.line].rule if s.line in LINES_BY_KEY else ""
        out.append(ScheduleView(s.anchor, s.title, rule, s.rows, len(records), s.total, line_amount, ties, sheet,
                                sheet_rows, s.file_name, records))
    return out


def build_context(report: dict, scheds: list[Schedule], heads: dict[str, ScheduleRows], previous: dict | None = None,
                  sheets: dict[str, tuple[str, int]] | None = None, workbook: str | None = None,
                  rows_per_schedule: int = HTML_ROWS_PER_SCHEDULE) -> ReportContext:
    """The page's content. `heads`: schedule slug -> its first rows (at least `rows_per_schedule`,
    see `supporting.schedule_rows`); `sheets`: schedule slug -> (workbook sheet, rows in it)."""
    cmp = comparison(report, previous)
    summary = _summary_cards(report, cmp)
    exceptions = _exceptions(report)
    severe = sum(1 for e in report.get("exceptions", []) if e["severity"] == "severe")
    banner = []
    for card in summary:
        if card.deposit_needed > 0:
            banner.append(f"{card.title.split()[0]} deposit of ${format_display(card.deposit_needed)} needed by "
                          f"{_long_date(card.deadline)}")
    if severe:
        banner.append(f"{severe} severe exception{'s' if severe != 1 else ''} to resolve")
    movers = []
    for name, c in (cmp or {}).items():
        amounts = {l["key"]: _cents(l["amount"]) for l in report["computations"][name]["lines"]}
        for key in c["largest_movers"]:
            l = LINES_BY_KEY[key]
            movers.append({"computation": COMPUTATION_TITLES[name].split()[0], "caption":
                           (f"Item {l.number}" if l.number else l.caption), "prior": c["amounts"].get(key),
                           "now": amounts[key], "change": c["change"][key]})
    row_accounting = []
    for table, rc in report.get("row_counts", {}).items():
        row_accounting.append({"table": table, "rows": rc["rows"], "used": rc["used"], "excluded": rc["excluded"],
                               "ties": rc["rows"] == rc["used"] + rc["excluded"]})
    params = [(k, "" if v is None else (("true" if v else "false") if isinstance(v, bool) else str(v)))
              for k, v in report.get("parameters", {}).items()]
    return ReportContext(
        firm_name=report["firm_name"], as_of=report["as_of"], run_at=report.get("run_at", ""),
        program=report.get("program", {}).get("name", "reserve"), version=report.get("program", {}).get("version", ""),
        banner_level="danger" if banner else "ok",
        banner_lines=banner or ["No deposit is needed and there is no severe exception."],
        summary=summary,
        compared_as_of=(previous or {}).get("as_of") if previous else None,
        compared_run_at=(previous or {}).get("run_at") if previous else None,
        movers=movers,
        computations=[_formula(report, n, cmp, scheds) for n in ("customer", "pab") if n in report["computations"]],
        note_h=_note_h(report), note_h_ties=_note_h_ties(report),
        exceptions=exceptions, exception_total=len(report.get("exceptions", [])), severe_count=severe,
        schedules=_schedule_views(heads, report, scheds, sheets, rows_per_schedule),
        rows_per_schedule=rows_per_schedule, workbook=workbook,
        row_accounting=row_accounting, assumptions=list(report.get("assumptions", [])),
        inputs=list(report.get("inputs", [])), ignored=list(report.get("ignored", [])), parameters=params,
        compared_warnings=list((report.get("compared_with") or {}).get("warnings") or []),
    )


# ------------------------------------------------------------------------------ rendering


def _money(cents) -> str:
    return "" if cents is None else format_display(int(cents))


def _usd(cents) -> str:
    if cents is None:
        return ""
    c = int(cents)
    return f"−${format_display(-c)}" if c < 0 else f"${format_display(c)}"


def _change(cents) -> str:
    if cents is None:
        return "new"
    c = int(cents)
    if c == 0:
        return "–"
    return f"+{format_display(c)}" if c > 0 else f"−{format_display(-c)}"


def _count(n) -> str:
    return f"{int(n):,}"


def environment() -> jinja2.Environment:
    """Templates from the package `reserve.templates`; autoescaped, strict about undefined names."""
    from importlib.resources import files

    root = files("reserve.templates")

    def load(name: str):
        res = root.joinpath(name)
        if not res.is_file():
            return None
        return res.read_text(encoding="utf-8"), None, lambda: True

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(money=_money, usd=_usd, change=_change, count=_count, longdate=_long_date)
    return env


def render_html(ctx: ReportContext) -> str:
    return environment().get_template("report.html").render(r=ctx)
