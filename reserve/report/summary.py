"""The run summary: what `reserve compute` prints on the terminal and, with `--json`, on
stdout. Both come from `summary(report)`, so they cannot disagree; `summary_text` only lays
the dict out.

Each computation shows the whole path from the requirement to the action, so the figures
add up on the screen: required deposit, less the PAB offset by customer excess debits
(Rule 15c3-3(e)(4)), less next-day sweep credits (SEC staff FAQ 2025-12-08 Q5), against the
amount on deposit, giving the deposit needed (with its deadline) or the withdrawal
permitted -- and the exceptions by severity.
"""

from __future__ import annotations

from ..money import format_display, parse_decimal_text

SEVERITIES = ("severe", "review", "info")
FIGURES = ("required_deposit", "offset_by_customer_excess_debits", "sweep", "on_deposit", "deposit_needed",
           "withdrawal_permitted")
TITLES = {"customer": "Customer", "pab": "PAB"}
ROW_CAPTIONS = {
    "required_deposit": "required deposit",
    "offset_by_customer_excess_debits": "less offset by customer excess debits",
    "sweep": "less next-day sweep credits",
    "on_deposit": "on deposit",
    "deposit_needed": "deposit needed",
    "withdrawal_permitted": "withdrawal permitted",
}


def _cents(v) -> int:
    return 0 if v is None else parse_decimal_text(str(v))


def summary(report: dict) -> dict:
    """The summary of one run as a JSON-ready dict (amounts as report.json writes them)."""
    out: dict = {"firm_name": report.get("firm_name"), "as_of": report.get("as_of")}
    for name, c in report.get("computations", {}).items():
        entry = {k: c.get(k) for k in FIGURES}
        need, withdraw = _cents(c.get("deposit_needed")), _cents(c.get("withdrawal_permitted"))
        entry["deposit_deadline"] = c.get("deposit_deadline")
        entry["result"] = ("deposit needed" if need > 0 else "withdrawal permitted" if withdraw > 0
                           else "no deposit needed")
        out[name] = entry
    exceptions = report.get("exceptions", [])
    out["exceptions"] = len(exceptions)
    out["exceptions_by_severity"] = {s: sum(1 for e in exceptions if e.get("severity") == s) for s in SEVERITIES}
    if report.get("compared_with", {}).get("warnings"):
        out["comparison_warnings"] = list(report["compared_with"]["warnings"])
    return out


def _long_date(iso: str | None) -> str:
    if not iso:
        return "(no deadline)"
    from datetime import date

    return f"{date.fromisoformat(iso):%A} {iso}"


def summary_text(s: dict) -> str:
    """The summary as the lines printed on the terminal."""
    names = [n for n in TITLES if isinstance(s.get(n), dict)]
    cells = {n: {k: format_display(_cents(s[n].get(k))) for k in FIGURES} for n in names}
    label_w = max(len(v) for v in ROW_CAPTIONS.values())
    col_w = max([len(TITLES.get(n, n)) for n in names] + [len(v) for c in cells.values() for v in c.values()] + [12])
    lines = [f"{s.get('firm_name')} — reserve computation as of {s.get('as_of')}",
             "  " + " " * label_w + "".join(f"  {TITLES.get(n, n):>{col_w}}" for n in names)]
    for k in FIGURES:
        lines.append(f"  {ROW_CAPTIONS[k]:<{label_w}}" + "".join(f"  {cells[n][k]:>{col_w}}" for n in names))
    for n in names:
        c = s[n]
        title = TITLES.get(n, n)
        sweep = _cents(c.get("sweep"))
        after = f" (after {cells[n]['sweep']} of sweep credits)" if sweep > 0 else ""
        if c["result"] == "deposit needed":
            lines.append(f"  {title}: DEPOSIT NEEDED {cells[n]['deposit_needed']}{after} by one hour after banks open "
                         f"on {_long_date(c.get('deposit_deadline'))}")
        elif c["result"] == "withdrawal permitted":
            lines.append(f"  {title}: no deposit needed; withdrawal permitted {cells[n]['withdrawal_permitted']}")
        else:
            never = " (sweep credits never permit one)" if sweep > 0 else ""
            lines.append(f"  {title}: no deposit needed{after}; no withdrawal permitted{never}")
    by = s.get("exceptions_by_severity", {})
    lines.append(f"  {s.get('exceptions', 0)} exception(s): " + ", ".join(f"{by.get(k, 0)} {k}" for k in SEVERITIES))
    for w in s.get("comparison_warnings", []):
        lines.append(f"  Warning: {w}")
    return "\n".join(lines)
