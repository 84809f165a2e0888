#!/usr/bin/env python
"""Benchmark of `reserve series` (issue 15 item 5): 260 daily report.json files of one firm.

    python bench/series_bench.py --accounts 1000000 --out bench/data/series-1m

Generates one book with bench/bench.py's generator (parquet, `--accounts` accounts), computes
it once (`reserve compute --format json`), then writes 260 dated copies of its report.json --
the business days of a year that are not FAQ Q6 non-computation days, `frequency` daily,
each computation's total credits, required deposit, on deposit and deposit needed varied
(deposit needed = max(required - on deposit, 0), withdrawal permitted = max(on deposit -
required, 0); the copies pass the report validators) -- and times `reserve series` over them
(the CLI, in its own process: reading each file once, the page and the workbook). It prints
one JSON line: the accounts, the report.json size, the generate / compute / series seconds.
`series` never loads the book: the time is of the 260 report.json files only.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _reserve_cmd  # noqa: E402  (bench/bench.py)
from reserve.calendar import BusinessCalendar  # noqa: E402
from reserve.money import format_cents, parse_decimal_text  # noqa: E402

DAYS = 260


def dated_copies(report: dict, out: Path, first: date = date(2025, 11, 3), days: int = DAYS) -> list[Path]:
    cal = BusinessCalendar()
    when, d = [], first
    while len(when) < days:
        if cal.is_business_day(d) and cal.non_computation_reason(d) is None:
            when.append(d)
        d += timedelta(days=1)
    paths = []
    for i, day in enumerate(when):
        r = copy.deepcopy(report)
        r["as_of"] = r["parameters"]["as_of"] = day.isoformat()
        r["run_at"] = f"{day.isoformat()}T21:00:00+00:00"
        r["parameters"]["frequency"] = "daily"
        for c in ("customer", "pab"):
            comp = r["computations"][c]
            k = 1000 + (i * 37) % 200  # per mille: 1.000 .. 1.199, deterministic
            for key in ("total_credits", "required_deposit", "on_deposit"):
                comp[key] = format_cents(parse_decimal_text(comp[key]) * k // 1000)
            req, dep = parse_decimal_text(comp["required_deposit"]), parse_decimal_text(comp["on_deposit"])
            dep = dep * (1000 + (i * 53) % 400 - 200) // 1000
            comp["on_deposit"] = format_cents(dep)
            comp["deposit_needed"] = format_cents(max(req - dep, 0))
            comp["withdrawal_permitted"] = format_cents(max(dep - req, 0))
            comp["deposit_deadline"] = cal.deposit_deadline(day).isoformat()
        p = out / day.isoformat() / "report.json"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(r), encoding="utf-8")
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--out", type=Path, default=Path("bench/data/series"))
    args = ap.parse_args()
    book = args.out / "book"
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(Path(__file__).parent / "bench.py"), "generate", "--accounts",
                    str(args.accounts), "--format", "parquet", "--out", str(book)], check=True, stdout=subprocess.DEVNULL)
    t1 = time.perf_counter()
    subprocess.run([*_reserve_cmd(), "compute", str(book), "--out", str(args.out / "report"),
                    "--format", "json", "--quiet"], check=True)
    t2 = time.perf_counter()
    report = json.loads((args.out / "report" / "report.json").read_text(encoding="utf-8"))
    files = dated_copies(report, args.out / "reports")
    t3 = time.perf_counter()
    subprocess.run([*_reserve_cmd(), "series", str(args.out / "reports"), "--out",
                    str(args.out / "series"), "--quiet"], check=True)
    t4 = time.perf_counter()
    print(json.dumps({"accounts": args.accounts, "reports": len(files), "report_json_bytes": files[0].stat().st_size,
                      "generate_s": round(t1 - t0, 2), "compute_s": round(t2 - t1, 2), "copies_s": round(t3 - t2, 2),
                      "series_s": round(t4 - t3, 2)}))


if __name__ == "__main__":
    main()
