"""`reserve reperform BOOK... --series PATH`: finding the original computations and showing
the hindsight re-performance (the arithmetic and the readings of the rule are
reserve.series.hindsight's).

Finding the originals (`read_originals`): every report.json under PATH, found and checked as
`--history` finds and checks them (report.history: hidden folders passed over, each file through
`compare.read_json_file` and `model.report_problems` with the schema required). A file that
cannot be used is an error (`SeriesInvalid`, one located line per file): it might be the
original, and passing over it would make the result favourable. A report whose parameters say
`test_run` is true is never an original. Of two reports of one firm, date and computation, the
later run (`run_at`) is the original; the others are said in the notes.

Showing it: `format_hindsight` (the terminal: a table per date that moved or shows a
deficiency, a count of the unchanged, totals and the assumptions), `hindsight_doc` (the same as
JSON, amounts as exact text) and `write_hindsight` (.json or .csv for --out).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..money import format_cents, format_display
from ..series.hindsight import ASSUMPTIONS, Hindsight, totals
from .compare import ReportFileInvalid, read_json_file
from .history import SUMMARY_LABELS, firm_key, report_files, run_time, sha256
from .model import ReportFigures, report_problems

SCHEMA = "reserve.hindsight/1"
CSV_HEADER = ("as_of,computation,original_file,original_required,corrected_required,on_deposit_at_computation,"
              "corrected_offset_and_sweep,deposits_evidenced,credited_by_deadline,on_deposit_at_deadline,hindsight_deficiency,"
              "corrected_above_original,lines_moved")


class SeriesInvalid(Exception):
    """report.json files under the series folder that cannot be used; one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(problems[0] if problems else "series folder cannot be used")


@dataclass(frozen=True)
class Original:
    """An original computation's report."""

    file: str  # relative to the series folder
    sha256: str
    run_at: str | None
    figures: ReportFigures
    deadlines: dict[str, str | None]  # computation -> deposit_deadline as reported


def read_originals(folder: str | os.PathLike[str]) -> tuple[dict[tuple[str, date], Original], list[str]]:
    """({(firm key, as_of): original report}, notes). Raises SeriesInvalid when a report.json
    cannot be used (or a folder cannot be read)."""
    root = Path(folder)
    files, hidden, unreadable = report_files(root)
    problems = [f"{u}: the folder cannot be read" for u in unreadable]
    notes: list[str] = []
    if hidden:
        notes.append(f"{len(hidden)} report.json file(s) in hidden folders (left by interrupted runs) passed over.")
    by_key: dict[tuple[str, date], list[Original]] = {}
    tests: list[str] = []
    for rel in files:
        path = root / rel
        try:
            digest = sha256(path)
            data = read_json_file(path)
        except OSError as exc:
            problems.append(f"{rel}: cannot be read ({exc.strerror or exc})")
            continue
        except ReportFileInvalid as exc:
            problems.append(f"{rel}: {exc.problems[0] if exc.problems else 'cannot be read'}")
            continue
        found = report_problems(data, require_schema=True)
        if found or not isinstance(data, dict):
            problems.append(f"{rel}: not a usable report.json: {found[0] if found else 'not an object'}")
            continue
        fig = ReportFigures.from_data(data)
        if fig.as_of is None or fig.firm_name is None:
            problems.append(f"{rel}: has no firm name or as-of date")
            continue
        params = data.get("parameters")
        if isinstance(params, dict) and params.get("test_run") is True:
            tests.append(rel)  # a test run is never the original
            continue
        comps = data.get("computations")
        deadlines = {str(n): (str(c.get("deposit_deadline")) if isinstance(c, dict) and c.get("deposit_deadline")
                              else None) for n, c in (comps.items() if isinstance(comps, dict) else ())}
        key = (firm_key(fig.firm_name), date.fromisoformat(fig.as_of))
        by_key.setdefault(key, []).append(Original(rel, digest, fig.run_at, fig, deadlines))
    if problems:
        raise SeriesInvalid(problems)
    if tests:
        notes.append(f"{len(tests)} test run(s) passed over (never the original): {', '.join(tests[:5])}.")
    out: dict[tuple[str, date], Original] = {}
    for key, group in sorted(by_key.items()):
        group.sort(key=lambda o: (run_time(o.run_at), o.file))
        out[key] = group[-1]
        if len(group) > 1:
            notes.append(f"{len(group)} reports are as of {key[1].isoformat()}: the later run, {group[-1].file}, is the "
                         f"original; passed over: {', '.join(o.file for o in group[:-1])}.")
    return out, notes


def _label(key: str) -> str:
    if key.startswith("item_"):
        return f"Item {key.removeprefix('item_')}"
    return SUMMARY_LABELS.get(key, key.replace("_", " "))


def _amount(v: int | None) -> str:
    return "(none)" if v is None else format_display(v)


def format_hindsight(rows: Sequence[Hindsight], notes: Sequence[str] = ()) -> str:
    """The terminal text: a table per (date, computation) that moved or shows a deficiency."""
    out: list[str] = []
    shown = [r for r in rows if r.changed or r.deficiency > 0]
    for r in shown:
        out.append(f"{r.as_of.isoformat()}  {r.computation}  (original: {r.original_file})")
        out.append(f"  {'original required deposit':<46} {format_display(r.original_required):>18}")
        out.append(f"  {'corrected required deposit':<46} {format_display(r.corrected_required):>18}")
        if r.corrected_less:
            out.append(f"  {'less offset (e)(4) and sweep credits (corrected)':<46} "
                       f"{format_display(r.corrected_less):>18}")
        out.append(f"  {'on deposit at the computation':<46} {format_display(r.on_deposit):>18}")
        if r.evidenced:
            out.append(f"  {'net deposits credited by the deadline':<46} {format_display(r.credited or 0):>18}")
            out.append(f"  {'on deposit at the deadline':<46} {format_display(r.at_deadline):>18}")
        else:
            by = f" by the deadline {r.deadline}" if r.deadline else ""
            out.append(f"  deposits after the computation{by}: NOT EVIDENCED (none assumed)")
        what = "hindsight deficiency" if r.evidenced else "deficiency against the balance at computation"
        out.append(f"  {what:<46} {format_display(r.deficiency):>18}"
                   + ("  <-- DEFICIENCY" if r.deficiency > 0 else ""))
        if not r.evidenced:
            out.append(f"  {'corrected above original (net of offset, sweep)':<46} {format_display(r.above_original):>18}")
        if r.moves:
            out.append(f"  lines that moved ({len(r.moves)}), largest first:")
            out.append(f"    {'line':<52} {'original':>18} {'corrected':>18} {'difference':>16}")
            for m in r.moves:
                out.append(f"    {_label(m.key):<52.52} {_amount(m.original):>18} {_amount(m.corrected):>18} "
                           f"{format_display(m.difference):>16}")
        out.append("")
    unchanged = len(rows) - len(shown)
    if unchanged:
        out.append(f"{unchanged} computation(s) unchanged, no deficiency.")
    t = totals(rows)
    out.append(f"Totals: {t.compared} computation(s) re-performed, {t.changed} moved, {t.deficiencies} with a hindsight "
               f"deficiency totalling {format_display(t.deficiency)}; corrected requirements above the original "
               f"total {format_display(t.above_original)}.")
    for n in notes:
        out.append(f"Note: {n}")
    out.append("Assumptions:")
    out += [f"  - {a}" for a in ASSUMPTIONS]
    out.append("DEFICIENCY: a corrected requirement exceeds what was on deposit." if t.deficiencies
               else "OK: no hindsight deficiency.")
    return "\n".join(out)


def hindsight_doc(rows: Sequence[Hindsight], notes: Sequence[str] = ()) -> dict[str, object]:
    t = totals(rows)
    return {"schema": SCHEMA, "computations": [r.as_dict() for r in rows],
            "totals": {"compared": t.compared, "changed": t.changed, "deficiencies": t.deficiencies,
                       "hindsight_deficiency": format_cents(t.deficiency),
                       "corrected_above_original": format_cents(t.above_original)},
            "notes": list(notes), "assumptions": list(ASSUMPTIONS)}


def write_hindsight(path: str | os.PathLike[str], rows: Sequence[Hindsight], notes: Sequence[str] = ()) -> Path:
    """--out: .csv (one row per date and computation) or .json (`hindsight_doc`)."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        with open(p, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(CSV_HEADER.split(","))
            for r in rows:
                d = r.as_dict()
                w.writerow([d[k] for k in CSV_HEADER.split(",")[:-1]] + [len(r.moves)])
    else:
        p.write_text(json.dumps(hindsight_doc(rows, notes), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return p


def hindsight_file_is_ours(path: str | os.PathLike[str]) -> bool:
    """Was PATH written by `write_hindsight` (so --out may replace it)?"""
    p = Path(path)
    try:
        if not p.is_file():
            return False
        head = p.read_bytes()[:4096]
    except OSError:
        return False
    if p.suffix.lower() == ".csv":
        return head.split(b"\n", 1)[0].strip() == CSV_HEADER.encode()
    return b'"schema": "' + SCHEMA.encode() + b'"' in head
