"""`report.json`: the exact, machine-readable record of a computation (SPEC.md "Outputs").

Amounts are strings with exactly two decimals, never JSON numbers. The workbook and the
HTML page are views of this record plus the supporting rows.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np

from .. import __version__
from ..money import format_cents
from ..formula.model import LINES, SUMMARY_BOXES

SCHEMA = "reserve.report/1"

COMPUTATION_KEYS = (
    "total_credits", "aggregate_debits", "debit_reduction", "total_debits", "excess_credits", "excess_debits",
    "required_deposit", "offset_by_customer_excess_debits", "sweep", "on_deposit", "deposit_needed",
    "withdrawal_permitted",
)


def _amount(v):
    return None if v is None else format_cents(int(v))


def source_of(book, table: str, row) -> dict | None:
    if not table or row is None or row < 0 or table not in book.tables:
        return None
    frame = book.tables[table]
    src = str(frame["_src"].iloc[int(row)])
    file, _, sheet = src.partition(" | ")
    return {"file": file, "sheet": sheet, "row": int(frame["_row"].iloc[int(row)])}


def _param_value(v):
    if isinstance(v, date):
        return v.isoformat()
    return v


def build_report(book, result, run_time: datetime | None = None) -> dict:
    p = result.params
    comps = {}
    for name, c in result.computations.items():
        items = {l.number: format_cents(c.lines[l.key]) for l in LINES if l.number}
        entry = {
            "items": items,
            "other_credits": format_cents(c.lines["other_credits"]),
            "other_debits": format_cents(c.lines["other_debits"]),
        }
        for k in COMPUTATION_KEYS:
            entry[k] = format_cents(getattr(c, k))
        entry["debit_reduction_rule"] = c.reduction_rule
        entry["deposit_deadline"] = c.deposit_deadline.isoformat() if c.deposit_deadline else None
        entry["lines"] = [
            {"key": l.key, "item": l.number, "caption": l.caption, "side": l.side, "rule": l.rule,
             "focus_box": l.focus_box if name == "customer" else "", "amount": format_cents(c.lines[l.key])}
            for l in LINES
        ]
        comps[name] = entry
    note_h = []
    for e in result.note_h:
        d = {}
        for k, v in e.items():
            if k in ("requirement", "requirement_counted", "eligible_deposits", "item_15", "excess_on_deposit"):
                d[k] = _amount(v)
            elif k == "failed_conditions":
                d[k] = [{**fc, "amount": _amount(fc.get("amount"))} for fc in v]
            elif k == "pending":
                d[k] = [{**pd_, "amount": _amount(pd_.get("amount")),
                         "deadline": pd_["deadline"].isoformat() if hasattr(pd_.get("deadline"), "isoformat") else pd_.get("deadline")}
                        for pd_ in v]
            else:
                d[k] = v.isoformat() if isinstance(v, date) else v
        note_h.append(d)
    exceptions = []
    for f in result.findings:
        exceptions.append({
            "rule": f.rule, "computation": f.computation, "severity": f.severity,
            "source": source_of(book, f.table, f.row) if f.table else None,
            "amount": _amount(f.amount), "message": f.message,
        })
    exceptions.sort(key=lambda x: ({"severe": 0, "review": 1, "info": 2}.get(x["severity"], 3), x["rule"], x["computation"],
                                   (x["source"] or {}).get("file", ""), (x["source"] or {}).get("sheet", ""),
                                   (x["source"] or {}).get("row", 0), x["message"]))
    inputs = []
    per_source = _rows_per_source(book)
    for f in book.files:
        for t in f.tables or [""]:
            # a table's rows from this file (a table may be split over several files); the
            # parameters sheet's name/value rows as read
            rows = per_source.get((t, f.path), 0) if t in book.tables else f.rows.get(t, 0)
            inputs.append({"file": f.path, "table": t, "rows": int(rows), "sha256": f.sha256})
    return {
        "schema": SCHEMA,
        "program": {"name": "reserve", "version": __version__},
        "run_at": (run_time or datetime.now().astimezone()).isoformat(timespec="seconds"),
        "firm_name": p.firm_name,
        "as_of": p.as_of.isoformat(),
        "parameters": {k: (_amount(v) if k in ("tentative_net_capital", "average_total_credits") else _param_value(v))
                       for k, v in p.as_dict().items()},
        "computations": comps,
        "focus_boxes": SUMMARY_BOXES,
        "note_h": note_h,
        "exceptions": exceptions,
        "row_counts": result.row_counts,
        "assumptions": result.assumptions,
        "inputs": inputs,
        # sheets, files and columns of the book read past (issue 10): listed, never dropped quietly
        "ignored": [dict(i) for i in getattr(book, "ignored", [])],
    }


def _rows_per_source(book) -> dict[tuple[str, str], int]:
    """(table, file) -> rows of the table that came from that file (its `_src` codes)."""
    out: dict[tuple[str, str], int] = {}
    for t, frame in book.tables.items():
        src = frame["_src"].array if "_src" in frame else None
        if src is None or not len(frame):
            continue
        counts = np.bincount(src.codes[src.codes >= 0], minlength=len(src.categories))
        for label, n in zip(src.categories, counts):
            file = str(label).rsplit(" | ", 1)[0]
            out[(t, file)] = out.get((t, file), 0) + int(n)
    return out


def dumps(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
