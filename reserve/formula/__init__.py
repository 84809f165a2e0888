"""Exhibit A applied to a loaded book: pure computation, no I/O.

`compute(book) -> Result`. Each part of the rule lives in its own module and returns
dispositions (what happened to each row) and findings; this module sums dispositions into
the lines of each computation and applies Items 16, the debit reduction, the reserve bank
accounts and the deposit rules.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from .. import money
from ..money import Effect
from ..calendar import BusinessCalendar
from .accounts import accounts_and_collateral
from .items import items
from .note_h import note_h
from .note_h import pairing_findings
from .model import (
    COMPUTATIONS,
    CREDIT_LINES,
    DEBIT_LINES,
    LINES,
    Computation,
    Finding,
    Result,
    concat_dispositions,
)
from .readings import assumptions
from .reserve_bank import reserve_bank

DAILY_THRESHOLD = 50_000_000_000  # $500 million of average total credits (Rule 15c3-3(e)(3)(i)(B)(1))
MONTHLY_CREDIT_LIMIT = 100_000_000  # $1,000,000 aggregate customer funds (Rule 15c3-3(e)(3)(i)(C))


def calendar_for(book) -> BusinessCalendar:
    """Weekdays the Federal Reserve Banks are open, less the book's holidays (reading: business_days)."""
    hol = book.tables.get("holidays")
    extra = []
    if hol is not None and len(hol):
        for d, name in zip(hol["date"], hol["name"]):
            extra.append((pd.Timestamp(d).date(), name or "Book holiday"))
    return BusinessCalendar(extra)


def compute(book) -> Result:

    p = book.params
    cal = calendar_for(book)
    frames: list[pd.DataFrame] = []
    findings: list[Finding] = []

    f, fi, e1_tested = accounts_and_collateral(book, cal)
    frames += f
    findings += fi
    it = items(book, cal)
    frames += it.frames
    findings += it.findings
    nh = note_h(book, cal)
    frames.append(nh.dispositions)  # Item 15 (Note H) and Note B's Item 2 credit
    findings += nh.findings
    f, fi, on_deposit = reserve_bank(book, it.note7_placed)
    frames += f
    findings += fi
    # holidays rows are used by the calendar
    hol = book.tables["holidays"]
    if len(hol):
        from .model import dispositions as _d

        frames.append(_d("holidays", np.arange(len(hol)), "", "calendar", 0, "Business days",
                         "extra non-business day used by the calendar"))

    disp = concat_dispositions(frames)
    # Note H pairing (SEC staff FAQ, Aug. 2025): every Item 15 debit has its matching credit
    # in Item 1 (customer cash) or Item 2 (customer securities) (reading: h_pairing).
    findings += pairing_findings(book, disp)

    acc = book.tables["accounts"]
    margin_debits = bool(((acc["type"] == "margin") & (acc["balance"] < 0) & acc["book"].isin(("customer",))).any())
    if margin_debits and not e1_tested:
        findings.append(Finding("Note E(1)", "customer",
                                "Note E(1) was not tested: the book has no collateral table but margin accounts have debits",
                                None, "", None, "severe"))

    sums = line_sums(disp)

    def line_sum(comp, line):
        return sums.get((comp, line), 0)

    computations: dict[str, Computation] = {}
    for comp in COMPUTATIONS:
        lines = {l.key: line_sum(comp, l.key) for l in LINES}
        total_credits = sum(lines[k] for k in CREDIT_LINES)
        aggregate = sum(lines[k] for k in DEBIT_LINES)
        reduction, reduction_rule = _reduction(p, comp, lines["item_10"], aggregate)
        total_debits = aggregate - reduction
        excess_credits = max(0, total_credits - total_debits)
        excess_debits = max(0, total_debits - total_credits)
        required = excess_credits
        if p.frequency == "monthly" and comp == "customer":
            # Rule 15c3-3(e)(3)(i)(C): a monthly Customer Reserve Bank Account computation
            # deposits "not less than 105%" of the excess. A monthly PAB computation
            # ((e)(3)(iii)) has no such add-on (reading: monthly_105).
            required = money.share(excess_credits, 105, 100, Effect.ADDS_TO_REQUIREMENT)
        computations[comp] = Computation(
            comp, lines, total_credits, aggregate, reduction, reduction_rule, total_debits,
            excess_credits, excess_debits, required,
            sweep=line_sum(comp, "sweep") if comp == "customer" else 0,
            on_deposit=on_deposit.get(comp, 0),
            deposit_deadline=cal.deposit_deadline(p.as_of),  # (reading: deadline)
        )
    cust, pab = computations["customer"], computations["pab"]
    # Rule 15c3-3(e)(4): a PAB requirement may be met by customer excess debits of the same date; never the reverse.
    pab.offset_by_customer_excess_debits = min(pab.required_deposit, cust.excess_debits)
    for c in (cust, pab):
        net_required = c.required_deposit - c.offset_by_customer_excess_debits
        # FAQ Q5: sweep credits reduce the deposit needed; Rule 15c3-3(g): never a withdrawal
        # (reading: sweep).
        c.deposit_needed = max(0, net_required - c.sweep - c.on_deposit)
        c.withdrawal_permitted = max(0, c.on_deposit - net_required)
        if c.deposit_needed > 0:
            findings.append(Finding("Rule 15c3-3(e)", c.name,
                                    f"deposit of {money.format_display(c.deposit_needed)} needed by one hour after the opening "
                                    f"of banking business on {c.deposit_deadline:%A %Y-%m-%d}", c.deposit_needed, "", None, "severe"))

    findings += _frequency_findings(p, cal, cust, pab)

    findings += _default_findings(book)
    result_assumptions = assumptions() + _default_assumptions(book)
    row_counts = _row_counts(book, disp)
    return Result(p, computations, disp, findings, nh.entries, result_assumptions, row_counts,
                  {"business_day": cal.is_business_day(p.as_of), "deposit_deadline": cal.deposit_deadline(p.as_of)})


def _default_findings(book) -> list[Finding]:
    """Issue 10: a default that can favour the firm, leaned on by rows where it matters, is a
    review finding, one per table listing each such column (the columns whose default would
    decide a condition of the rule are required instead: accounts.type, cca_requirements.basis,
    cca_deposits.cca_account and delivered_by_firm, reserve_bank_accounts.bank_affiliated)."""
    by_table: dict[str, list[dict]] = {}
    for d in getattr(book, "defaults_used", []):
        if d.get("favourable"):
            by_table.setdefault(d["table"], []).append(d)
    out = []
    for table, used in by_table.items():
        rules = sorted({d["favourable"].split(":", 1)[0] for d in used})
        parts = []
        for d in used:
            how = "column not in the book" if d["omitted"] else "blank"
            parts.append(f"{d['column']} taken as {d['default']} on {d['favourable_rows']:,} row(s) ({how}: "
                         f"{d['favourable'].split(':', 1)[-1].strip()})")
        out.append(Finding("; ".join(rules), "", f"{table}: defaults that can favour the firm were used where they "
                           f"matter: {'; '.join(parts)}. State these columns to remove this finding.",
                           None, "", None, "review"))
    return out


def _default_assumptions(book) -> list[dict]:
    """Every default the book leaned on, listed with the reports' assumptions (issue 10)."""
    out = []
    for d in getattr(book, "defaults_used", []):
        how = "column not in the book: every row" if d["omitted"] else f"{d['rows']:,} blank cell(s)"
        out.append({"key": f"default:{d['table']}.{d['column']}", "rule": "Book format default",
                    "reading": f"{d['table']}.{d['column']} taken as {d['default']} ({how})"
                               + (f"; favours the firm on {d['favourable_rows']:,} row(s): {d['favourable']}"
                                  if d.get("favourable") else "")})
    return out


def _reduction(p, comp: str, item_10: int, aggregate: int) -> tuple[int, str]:
    """The percentage reduction of debits (reading: reduction). A reduction of debits: a
    larger one raises the requirement, so its fraction of a cent rounds up (reading: rounding)."""
    if comp == "pab":
        return 0, "PAB Note 4: no reduction in the PAB computation"
    if p.net_capital_method == "basic":
        return (money.share(max(0, item_10), 1, 100, Effect.REDUCES_DEBITS),
                "Note E(3): 1% of Item 10")
    pct, why = _alternative_pct(p)
    return money.share(max(0, aggregate), pct, 100, Effect.REDUCES_DEBITS), why


VOLUNTARY_NOTICE_DAYS = 30  # Rule 15c3-3(e)(3)(v): "at least 30 calendar days before beginning"


def voluntary_daily_start(p) -> date | None:
    """The first day a voluntary daily computer may take the 2% reduction: 30 calendar days
    after its written notice to its designated examining authority (Rule 15c3-3(e)(3)(v);
    reading: daily_basis)."""
    if p.daily_notice_date is None:
        return None
    return p.daily_notice_date + timedelta(days=VOLUNTARY_NOTICE_DAYS)


def _daily_required_by_credits(p) -> bool:
    return p.average_total_credits is not None and p.average_total_credits >= DAILY_THRESHOLD


def _alternative_pct(p) -> tuple[int, str]:
    """Rule 15c3-1(a)(1)(ii)(A): 3% of aggregate debits; 2% for a firm that computes daily
    because it must (Rule 15c3-3(e)(3)(i)(B)(1)) or, by choice, from 30 days after its written
    notice (Rule 15c3-3(e)(3)(v)) (reading: daily_basis)."""
    rule = "Rule 15c3-1(a)(1)(ii)(A)"
    if p.frequency != "daily":
        return 3, f"{rule}: 3% of aggregate debits (alternative method)"
    if p.daily_basis == "required" or _daily_required_by_credits(p):
        return 2, f"{rule}: 2% of aggregate debits (daily computation required, Rule 15c3-3(e)(3)(i)(B)(1))"
    if p.daily_basis == "voluntary":
        start = voluntary_daily_start(p)
        if start is None or p.as_of < start:
            return 3, (f"{rule}: 3% of aggregate debits (voluntary daily computation, Rule 15c3-3(e)(3)(v): "
                       f"2% only from {start}, 30 days after the written notice)")
        return 2, f"{rule}: 2% of aggregate debits (voluntary daily computation, Rule 15c3-3(e)(3)(v))"
    # A book that does not say why it computes daily (written before daily_basis existed):
    # 2%, the smaller reduction, which gives the higher requirement.
    return 2, f"{rule}: 2% of aggregate debits (daily computation; why the firm computes daily is not stated)"


def _daily_findings(p) -> list[Finding]:
    """What the book says about daily computation, and what the rule makes of it
    (Rule 15c3-3(e)(3)(i)(B), (e)(3)(v); reading: daily_basis)."""
    out = []
    stated = [n for n in ("daily_basis", "daily_notice_date") if getattr(p, n) is not None]
    if p.frequency != "daily":
        if stated:
            out.append(Finding("Rule 15c3-3(e)(3)", "", f"{' and '.join(stated)} given, but frequency is {p.frequency}: "
                               "not used", None, "", None, "review"))
        return out
    alternative = p.net_capital_method == "alternative"
    if p.daily_basis is None and alternative:
        out.append(Finding("Rule 15c3-1(a)(1)(ii)(A)", "customer", "frequency is daily but daily_basis is not stated "
                           "(required under Rule 15c3-3(e)(3)(i)(B)(1), or voluntary under (e)(3)(v) with the date of "
                           "the written notice): the 2% reduction is applied, the smaller one", None, "", None, "review"))
    if p.daily_basis == "voluntary" and _daily_required_by_credits(p):
        out.append(Finding("Rule 15c3-3(e)(3)(i)(B)(1)", "", "daily_basis is voluntary, but average total credits of "
                           f"{money.format_display(p.average_total_credits)} reach $500 million: daily computation is "
                           "required, and the 2% reduction applies", p.average_total_credits, "", None, "review"))
    elif p.daily_basis == "voluntary" and alternative:
        start = voluntary_daily_start(p)
        if start is not None and p.as_of < start:
            out.append(Finding("Rule 15c3-3(e)(3)(v)", "customer", f"voluntary daily computation: the 2% reduction "
                               f"applies from {start}, 30 calendar days after the written notice of "
                               f"{p.daily_notice_date} to the designated examining authority; until then 3%",
                               None, "", None, "review"))
    return out


def _frequency_findings(p, cal: BusinessCalendar, cust: Computation, pab: Computation) -> list[Finding]:
    out = _daily_findings(p)
    if not cal.is_business_day(p.as_of):
        out.append(Finding("Rule 15c3-3(e)(3)", "", f"as_of {p.as_of} is not a business day "
                           f"({cal.holiday_name(p.as_of) or p.as_of.strftime('%A')}); accepted (e.g. a year-end computation)",
                           None, "", None, "review"))
    if p.frequency == "daily":
        why = cal.non_computation_reason(p.as_of)  # (reading: daily_non_computation)
        if why:
            out.append(Finding("SEC staff FAQ 2025-12-08 Q6", "", f"as_of {p.as_of} is a day a daily filer need not compute: {why}",
                               None, "", None, "info"))
    if p.frequency == "monthly" and not _last_business_day_of_month(cal, p.as_of):
        out.append(Finding("Rule 15c3-3(e)(3)(i)(C)", "", f"monthly computation is made as of the close of the last business "
                           f"day of the month; as_of {p.as_of} is not", None, "", None, "review"))
    if p.frequency == "monthly" and (cust.total_credits or cust.aggregate_debits):
        out.append(Finding("Rule 15c3-3(e)(3)(iii)", "pab", "the PAB computation may be monthly only for a firm that "
                           "carries no customer accounts and conducts no proprietary trading business; this book has "
                           "customer balances, so the PAB computation is due weekly", None, "", None, "review"))
    if p.frequency == "monthly" and cust.total_credits > MONTHLY_CREDIT_LIMIT:
        out.append(Finding("Rule 15c3-3(e)(3)(i)(C)", "customer", "monthly computation is allowed only with aggregate customer "
                           f"funds of $1,000,000 or less; customer credits are {money.format_display(cust.total_credits)}",
                           cust.total_credits, "", None, "severe"))
    total = cust.total_credits + pab.total_credits
    if p.frequency != "daily" and total >= DAILY_THRESHOLD:
        out.append(Finding("Rule 15c3-3(e)(3)(i)(B)(1)", "", f"customer + PAB total credits are {money.format_display(total)} "
                           "(at least $500 million): if average total credits are at that level, daily computation is required",
                           total, "", None, "review"))
    if p.average_total_credits is not None:
        required = p.average_total_credits >= DAILY_THRESHOLD
        msg = (f"average total credits {money.format_display(p.average_total_credits)}: daily computation "
               + ("IS required (within six months of crossing $500 million)" if required else "is not required"))
        out.append(Finding("Rule 15c3-3(e)(3)(i)(B)(1)", "", msg, p.average_total_credits, "", None,
                           "severe" if required and p.frequency != "daily" else "info"))
    return out


def _last_business_day_of_month(cal: BusinessCalendar, d) -> bool:
    nxt = cal.next_business_day(d)
    return cal.is_business_day(d) and nxt.month != d.month


def line_sums(disp: pd.DataFrame) -> dict[tuple[str, str], int]:
    """(computation, line) -> sum of the amounts, exact in int64, on the categorical codes
    (np.add.at over tens of millions of records, no hash table)."""
    comp, line = disp["computation"].array, disp["line"].array
    n_line = len(line.categories)
    code = comp.codes.astype(np.int64) * n_line + line.codes
    out = np.zeros(len(comp.categories) * n_line, dtype=np.int64)
    np.add.at(out, code, disp["amount"].to_numpy(dtype=np.int64))
    seen = np.bincount(code, minlength=len(out)) > 0
    return {(str(comp.categories[c // n_line]), str(line.categories[c % n_line])): int(out[c])
            for c in np.flatnonzero(seen)}


def _row_counts(book, disp: pd.DataFrame) -> dict[str, dict]:
    """Per table: rows in, used (a primary disposition to a line), excluded."""
    table = disp["table"].array
    primary = disp["primary"].to_numpy(dtype=bool)
    excluded = (disp["line"] == "excluded").to_numpy(dtype=bool)
    n_cat = len(table.categories)
    used_n = np.bincount(table.codes[primary & ~excluded], minlength=n_cat)
    excl_n = np.bincount(table.codes[primary & excluded], minlength=n_cat)
    where = {str(c): i for i, c in enumerate(table.categories)}
    out = {}
    for name, frame in book.tables.items():
        i = where.get(name)
        out[name] = {"rows": len(frame), "used": int(used_n[i]) if i is not None else 0,
                     "excluded": int(excl_n[i]) if i is not None else 0}
    return out
