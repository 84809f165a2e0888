"""`reserve reperform BOOK --against PREPARED`: recompute a book and compare it, line by line,
with a computation someone else prepared (README.md "Commands"; issue 5).

PREPARED is a `report.json` from an earlier run, or an `.xlsx` schedule with columns
`line` (or `item`) and `amount`, and optionally `computation` (customer | pab; default
customer). A line is named by its Item number ("1" .. "16", "Item 10"), by its FOCUS box
("4340"; customer computation only -- the PAB schedule's boxes are not confirmed), or by
the name of a summary figure ("total credits", "required_deposit", "on deposit"). The
workbook `reserve compute` writes is itself a valid PREPARED (its Summary sheet).

Each compared line comes back with its variance and the rows of the book behind it (how
many, and the largest few, with file / sheet / row), so an auditor sees at once where a
difference can come from. Problems with PREPARED are collected and raised together
(`PreparedInvalid`), like a book's.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..book.cells import parse_money
from ..errors import Problem
from ..formula.model import CREDIT_LINES, DEBIT_LINES, LINES, SUMMARY_BOXES
from ..money import format_cents, format_display, parse_decimal_text
from .compare import SUMMARY_KEYS, ZIP_MAGIC, ReportFileInvalid, read_report_file, report_lines
from .model import Report, ReportFigures, source_of

if TYPE_CHECKING:
    from ..book import Book
    from ..formula.model import Result

LARGEST_ROWS = 5  # rows shown behind each line
SUMMARY_NAMES = SUMMARY_KEYS


class PreparedInvalid(Exception):
    """The prepared computation cannot be read; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the prepared computation")


# A report_lines key for every way a line may be named.
def _line_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for spec in LINES:
        target = f"item {spec.number}" if spec.number else spec.key
        if spec.number:
            names[spec.number] = target
            names[f"item {spec.number}"] = target
            names[f"item_{spec.number}"] = target
        names[spec.key] = target
        names[spec.key.replace("_", " ")] = target
        if spec.focus_box:
            names[f"box:{spec.focus_box}"] = target
    names["16"] = names["item 16"] = names["item_16"] = "excess_credits"
    for k in SUMMARY_NAMES:
        names[k] = k
        names[k.replace("_", " ")] = k
    for box_key, box in SUMMARY_BOXES.items():
        target = {"required_deposit_monthly": "required_deposit"}.get(box_key, box_key)
        if target in SUMMARY_NAMES:
            names[f"box:{box}"] = target
    return names


LINE_NAMES = _line_names()
NOT_AMOUNT_BOXES = {v: k for k, v in SUMMARY_BOXES.items() if k in ("deposit_or_withdrawal", "new_amount_on_deposit",
                                                                      "deposit_date", "frequency")}


def normalise_line(text: object, computation: str = "customer") -> tuple[str | None, str]:
    """A prepared line label -> (report_lines key, "") or (None, why not)."""
    if text is None:
        return None, "blank line"
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    t = re.sub(r"\s+", " ", str(text).strip().lower())
    t = re.sub(r"^(line|item)\s*#?\s*(\d+)$", r"item \2", t)
    t = t.removeprefix("box ").strip()
    if re.fullmatch(r"\d{4}", t):
        if computation != "customer":
            return None, f"FOCUS box {t} is known for the customer computation only; name the PAB line by its Item number"
        if t in NOT_AMOUNT_BOXES:
            return None, (f"FOCUS box {t} ({NOT_AMOUNT_BOXES[t].replace('_', ' ')}) is not compared; "
                          "give deposit needed or withdrawal permitted instead")
        key = LINE_NAMES.get(f"box:{t}")
        return (key, "") if key else (None, f"unknown FOCUS box {t}")
    t = t.rstrip(".").replace("-", " ")
    if re.fullmatch(r"\d+", t):
        t = str(int(t))
    for cand in (t, t.replace(" ", "_"), re.sub(r"\s*\(list\)$", "", t)):
        if cand in LINE_NAMES:
            return LINE_NAMES[cand], ""
    return None, f"unknown line {text!r} (expected an Item number 1-16, a FOCUS box or a summary figure name)"


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and np.isnan(v))


def _header_index(row: Sequence[object]) -> dict[str, int] | None:
    names: dict[str, int] = {}
    for i, v in enumerate(row):
        if isinstance(v, str) and v.strip():
            names.setdefault(v.strip().lower(), i)
    line = names.get("line", names.get("item"))
    if line is None or "amount" not in names:
        return None
    return {"line": line, "amount": names["amount"], "computation": names.get("computation", -1)}


def load_prepared(path: str | Path) -> dict[tuple[str, str], int]:
    """{(computation, line): cents} of a prepared computation (report.json or .xlsx schedule);
    raises PreparedInvalid with every problem found."""
    return read_prepared(path)[0]


def read_prepared(path: str | Path) -> tuple[dict[tuple[str, str], int], ReportFigures | None]:
    """(lines, the report's firm_name and as_of -- None for a schedule) of a prepared
    computation. A report.json is checked like every report file (`compare.read_report_file`:
    ReportFileInvalid, one located line per problem); a schedule raises PreparedInvalid."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _load_xlsx(p), None
    if suffix != ".json":
        raise PreparedInvalid([Problem(str(p), message="PREPARED must be a report.json or an .xlsx schedule")])
    data = read_report_file(p, what="a report.json (or an .xlsx schedule named .xlsx)")
    lines = report_lines(data)
    if not lines:
        raise ReportFileInvalid(p, ["has nothing to compare: no item or summary figure in `computations`"])
    return lines, data


def _cell(row: Sequence[object], i: int) -> object:
    """Cell i of a worksheet row, None when the row is shorter (or i is -1: no such column)."""
    return row[i] if 0 <= i < len(row) else None


def _load_xlsx(p: Path) -> dict[tuple[str, str], int]:
    import openpyxl  # parses with defusedxml when installed (XML-bomb protection)

    try:
        head = p.read_bytes()[:64]
    except OSError as exc:
        raise PreparedInvalid([Problem(str(p), message=f"cannot read the file: {exc.strerror or exc}")]) from exc
    if not head.startswith(ZIP_MAGIC):
        looks = "JSON text: name it .json" if head.lstrip()[:1] in (b"{", b"[") else "not a workbook"
        raise PreparedInvalid([Problem(str(p), message=f"is not an .xlsx workbook ({looks})")])
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise PreparedInvalid([Problem(str(p), message=f"cannot read the workbook: {exc}")]) from exc
    problems: list[Problem] = []
    out: dict[tuple[str, str], int] = {}
    where: dict[tuple[str, str], int] = {}
    try:
        for ws in wb.worksheets:
            header = None
            for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if header is None:
                    header = _header_index(row)
                    if header is None and r >= 30:
                        break
                    continue
                line, amount, comp = (_cell(row, header["line"]), _cell(row, header["amount"]),
                                      _cell(row, header["computation"]))
                if _is_blank(line) or _is_blank(amount):
                    continue  # headings, blank lines, lines left empty
                comp = "customer" if _is_blank(comp) else str(comp).strip().lower()
                if comp not in ("customer", "pab"):
                    problems.append(Problem(str(p), ws.title, r, "computation", str(comp), "customer or pab"))
                    continue
                key, why = normalise_line(line, comp)
                if key is None:
                    problems.append(Problem(str(p), ws.title, r, "line", str(line), message=why))
                    continue
                parsed = parse_money([amount])
                if parsed.bad[0] or parsed.blank[0]:
                    problems.append(Problem(str(p), ws.title, r, "amount", str(amount), "an amount with at most 2 decimals",
                                            parsed.why.get(0, "")))
                    continue
                k = (comp, key)
                if k in out:
                    problems.append(Problem(str(p), ws.title, r, "line", str(line),
                                            message=f"{comp} {key} is given twice (first on row {where[k]})"))
                    continue
                out[k], where[k] = int(parsed.values[0]), r
            if header is not None:
                break  # the first sheet with a `line`/`item` and `amount` header is the schedule
        else:
            problems.append(Problem(str(p), message="no sheet has a header row with columns `line` (or `item`) and `amount`"))
    finally:
        wb.close()
    if problems:
        raise PreparedInvalid(problems)
    if not out:
        raise PreparedInvalid([Problem(str(p), message="the schedule has no line with an amount")])
    return out


# ------------------------------------------------------------------------------ reperform


@dataclass
class Variance:
    """One compared line."""

    computation: str
    line: str  # report_lines key: "item 10", "total_credits", ...
    prepared: int  # cents
    computed: int | None  # None: the line is not in the computation
    rows: int  # rows of the book behind the line
    largest: list[dict[str, Any]] = field(default_factory=list)  # {table, file, sheet, row, amount, rule, reason}
    over_tolerance: bool = False

    @property
    def difference(self) -> int | None:
        return None if self.computed is None else self.computed - self.prepared

    def as_dict(self) -> dict[str, Any]:
        return {"computation": self.computation, "line": self.line, "prepared": format_cents(self.prepared),
                "computed": None if self.computed is None else format_cents(self.computed),
                "difference": None if self.difference is None else format_cents(self.difference),
                "over_tolerance": self.over_tolerance, "rows": self.rows,
                "largest_rows": [{**x, "amount": format_cents(x["amount"])} for x in self.largest]}


def _behind(line: str) -> tuple[str, ...]:
    """Disposition lines behind a compared figure."""
    if line.startswith("item "):
        num = line.split()[1]
        return tuple(spec.key for spec in LINES if spec.number == num)
    return {"other_credits": ("other_credits",), "other_debits": ("other_debits",), "total_credits": CREDIT_LINES,
            "aggregate_debits": DEBIT_LINES, "total_debits": DEBIT_LINES, "excess_credits": CREDIT_LINES + DEBIT_LINES,
            "excess_debits": CREDIT_LINES + DEBIT_LINES, "required_deposit": CREDIT_LINES + DEBIT_LINES,
            "on_deposit": ("reserve_bank",), "sweep": ("sweep",)}.get(line, ())


def reperform(book: Book, result: Result, report: Report, prepared: dict[tuple[str, str], int], tolerance_cents: int = 0,
              largest: int = LARGEST_ROWS) -> list[Variance]:
    """Every prepared line against the recomputed one, in report order; `over_tolerance` marks
    a |difference| above the tolerance (or a line the computation does not have)."""
    computed = report_lines(report)
    order = {k: i for i, k in enumerate(computed)}
    d = result.dispositions
    comp_col = d["computation"].astype(str).to_numpy()
    line_col = d["line"].astype(str).to_numpy()
    amount = d["amount"].to_numpy(dtype=np.int64)
    out = []
    for key in sorted(prepared, key=lambda k: (order.get(k, len(order)), k)):
        comp, line = key
        mask = (comp_col == comp) & np.isin(line_col, _behind(line))
        pos = np.flatnonzero(mask)
        top = pos[np.lexsort((pos, -np.abs(amount[pos])))][:largest] if len(pos) else pos
        rows = []
        for i in top:
            r = d.iloc[int(i)]
            src = source_of(book, str(r["table"]), int(r["row"])) if str(r["table"]) else None
            rows.append({"table": str(r["table"]) or "(adjustment)", "file": src.file if src else None,
                         "sheet": src.sheet if src else None, "row": src.row if src else None,
                         "amount": int(r["amount"]),
                         "line": str(r["line"]), "rule": str(r["rule"]), "reason": str(r["reason"])})
        got = computed.get(key)
        v = Variance(comp, line, prepared[key], got, int(len(pos)), rows)
        v.over_tolerance = got is None or abs(got - prepared[key]) > tolerance_cents
        out.append(v)
    return out


def format_variances(variances: list[Variance], tolerance_cents: int = 0) -> str:
    """The variances as text: one line per compared line, the rows behind each variance."""
    over = [v for v in variances if v.over_tolerance]
    lines = [f"{'computation':<11} {'line':<34} {'prepared':>18} {'computed':>18} {'difference':>16}  rows"]
    for v in variances:
        mark = "  <-- variance" if v.over_tolerance else ""
        lines.append(f"{v.computation:<11} {v.line:<34} {format_display(v.prepared):>18} "
                     f"{'(not computed)' if v.computed is None else format_display(v.computed):>18} "
                     f"{'' if v.difference is None else format_display(v.difference):>16}  {v.rows:>4}{mark}")
    for v in over:
        if not v.largest:
            continue
        lines.append("")
        lines.append(f"{v.computation} {v.line}: {v.rows} row(s) behind the line; the largest:")
        for x in v.largest:
            where = f"{x['file']} | {x['sheet']} | row {x['row']}" if x["file"] else x["table"]
            lines.append(f"    {format_display(x['amount']):>18}  {where}  [{x['rule']}] {x['reason']}")
    lines.append("")
    tol = format_display(tolerance_cents)
    if over:
        lines.append(f"VARIANCE: {len(over)} of {len(variances)} line(s) differ by more than {tol}.")
    else:
        lines.append(f"OK: all {len(variances)} line(s) agree within {tol}.")
    return "\n".join(lines)


def write_variances(path: str | Path, variances: list[Variance], tolerance_cents: int = 0) -> Path:
    """The variances to PATH: .csv (one row per line) or JSON (with the rows behind each line)."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        with open(p, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(CSV_HEADER.split(","))
            for v in variances:
                d = v.as_dict()
                w.writerow([d["computation"], d["line"], d["prepared"], d["computed"], d["difference"],
                            d["over_tolerance"], d["rows"]])
    else:
        doc = {"schema": VARIANCES_SCHEMA, "tolerance": format_cents(tolerance_cents),
               "variances": sum(1 for v in variances if v.over_tolerance), "lines": [v.as_dict() for v in variances]}
        p.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return p


VARIANCES_SCHEMA = "reserve.reperform/1"
CSV_HEADER = "computation,line,prepared,computed,difference,over_tolerance,rows"


def variances_file_is_ours(path: str | Path) -> bool:
    """Was PATH written by `write_variances` (so --out may replace it)?"""
    p = Path(path)
    try:
        if not p.is_file():
            return False
        with open(p, "rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    if p.suffix.lower() == ".csv":
        return head.split(b"\n", 1)[0].strip() == CSV_HEADER.encode()
    return b'"schema": "' + VARIANCES_SCHEMA.encode() + b'"' in head


def parse_tolerance(text: str) -> int:
    """--tolerance text -> cents (>= 0); ValueError with the reason."""
    cents = parse_decimal_text(str(text))
    if cents < 0:
        raise ValueError("the tolerance cannot be negative")
    return cents
