#!/usr/bin/env python
"""Benchmark of `reserve` at scale (issue 13; before it issue 3, item 10; README.md "Performance").

    python bench/bench.py all                 # issue 13's table of targets (see bench/README.md)
    python bench/bench.py all --with-40m      # + the 40M-account book (alone on the machine)
    python bench/bench.py generate --accounts 1000000 --format xlsx --out bench/data/xlsx-1m
    python bench/bench.py fair bench/data/parquet-10m        # the fair DuckDB yardstick
    python bench/bench.py fastexcel bench/data/xlsx-1m/book.xlsx
    python bench/bench.py duckdb bench/data/parquet-10m      # the naive aggregation (not fair)
    python bench/bench.py run bench/data/xlsx-1m/book.xlsx   # load / compute / JSON timed apart

`generate` writes a synthetic book (fixed seed: the same arguments give the same bytes of
data) with every table of BOOK_FORMAT.md. `fair` runs bench/fair_yardstick.py: DuckDB doing
the work `reserve compute --format json` does, its disposition table written. `fastexcel`
reads every sheet of a workbook to Arrow and nothing else. `duckdb` aggregates six columns
and checks nothing. `run` times load_book, compute and build_report + dumps in one process.
`all` pairs each `reserve compute` run (through the CLI, so the whole run counts, writers
included) with its yardstick, interleaved over --repeat rounds, every run in its own process
with its own peak RSS, and writes the table of issue 13's targets to bench/out/results.md
(every sample: bench/out/results.json).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
OUT = HERE / "out"

SEED = 20261120
AS_OF = dt.date(2026, 11, 20)  # a Friday
FIRM = "Example Clearing Securities LLC"
GEN_VERSION = 2  # bump when the generated data changes (invalidates cached books)


# --------------------------------------------------------------------------- helpers


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (Linux: ru_maxrss in KiB)."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 if sys.platform != "darwin" else r / 2**20


def cpu_s() -> float:
    """CPU seconds (user + system, all threads) of this process so far: steadier than wall
    time on a shared machine."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def loadavg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def cents_to_dollars(c: np.ndarray) -> np.ndarray:
    """Integer cents -> float64 dollars, the nearest double to the 2-decimal amount (what an
    export of a DECIMAL(18,2) column as DOUBLE gives). Checked: rint(x*100) == c, and
    c/100 == x, so the loader's exact test accepts every value."""
    x = c.astype(np.int64) / 100.0
    back = np.rint(x * 100.0)
    assert np.array_equal(back.astype(np.int64), c) and np.array_equal(back / 100.0, x), "inexact dollars"
    return x


def lognormal_cents(rng, n, median_dollars, sigma, lo_cents=1, hi_cents=10**13):
    v = np.exp(rng.normal(np.log(median_dollars * 100.0), sigma, n))
    return np.clip(np.rint(v), lo_cents, hi_cents).astype(np.int64)


def _ids(prefix: str, nums: np.ndarray, width: int):
    import pyarrow as pa
    import pyarrow.compute as pc

    s = pc.utf8_lpad(pa.array(nums, type=pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), s, pa.scalar(""))


def _choice(choices, idx):
    import pyarrow as pa

    return pa.array(np.asarray(choices, dtype=object)).take(pa.array(idx))


def _pick(rng, n, weights: dict):
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return rng.choice(len(keys), size=n, p=p / p.sum()), keys


# --------------------------------------------------------------------------- generation


def generate_tables(n_accounts: int, n_collateral: int | None = None, n_items: int | None = None,
                    cca_customers: int = 1000, seed: int = SEED) -> dict:
    """The synthetic book as {table: {column: (kind, values)}}, kind in money|date|bool|text|pct.

    Money is int64 cents here; writers turn it into the export's representation. Null
    entries are marked with a mask: (kind, values, null_mask_or_None)."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    n = int(n_accounts)
    n_collateral = n if n_collateral is None else int(n_collateral)
    n_items = max(100, n // 100) if n_items is None else int(n_items)
    T: dict[str, dict] = {}

    # ---------------------------------------------------------------- accounts
    book_idx, books = _pick(rng, n, {"customer": 0.85, "pab": 0.10, "noncustomer": 0.05})
    type_idx, types = _pick(rng, n, {"cash": 0.55, "margin": 0.44, "omnibus": 0.01})
    is_margin = type_idx == types.index("margin")
    is_omni = type_idx == types.index("omnibus")
    # ~2.5 accounts per customer, ids interleaved (not sorted) as a real extract would be
    n_cust = max(1, int(n / 2.5))
    cust = rng.integers(0, n_cust, n)
    sign = rng.choice(3, size=n, p=[0.58, 0.37, 0.05])  # credit, debit, zero
    mag = lognormal_cents(rng, n, 4_000, 1.6, hi_cents=5 * 10**10)  # median $4,000, cap $500M
    bal = np.where(sign == 0, mag, np.where(sign == 1, -mag, 0)).astype(np.int64)
    # a few large margin debtors (Note E(5) against 25% of tentative net capital)
    cand_w = np.flatnonzero(is_margin & (book_idx == 0))
    whales = rng.choice(cand_w, size=min(max(5, n // 25_000), len(cand_w)), replace=False)
    bal[whales] = -lognormal_cents(rng, len(whales), 6_000_000, 0.5)
    debit = np.where(bal < 0, -bal, 0)
    unsec = np.zeros(n, np.int64)
    u = (bal < 0) & (rng.random(n) < 0.02)
    unsec[u] = np.where(rng.random(int(u.sum())) < 0.3, debit[u], debit[u] // rng.integers(2, 10, int(u.sum())))
    doubtful = (bal < 0) & (rng.random(n) < 0.005)
    rp_idx = rng.choice(3, size=n, p=[0.994, 0.004, 0.002])
    pct = np.zeros(n, np.int64)  # percent, written as a number 0..100
    j = rng.random(n) < 0.01
    pct_choices = np.array([0, 3, 10, 25, 50, 60, 100])
    pct_vals = pct_choices[rng.integers(0, len(pct_choices), n)]
    pct[j] = pct_vals[j]
    related = rng.random(n) < 0.002
    om_def = np.where(is_omni & (rng.random(n) < 0.3), lognormal_cents(rng, n, 20_000, 1.0), 0)
    om_calls = np.where(om_def > 0, om_def // rng.integers(2, 5, n), 0)
    exc_idx = rng.choice(4, size=n, p=[0.9997, 0.0001, 0.0001, 0.0001])
    exc_idx[whales[:4]] = [1, 2, 3, 3]
    exc_amt = np.where(exc_idx == 2, lognormal_cents(rng, n, 100_000, 1.0), 0)
    exc_date_null = exc_idx != 3
    exc_date = np.full(n, np.datetime64(AS_OF, "D")) - rng.integers(0, 10, n).astype("timedelta64[D]")
    xm = (book_idx == 0) & (rng.random(n) < 0.001)

    T["accounts"] = {
        "account_id": ("text", _ids("AC", rng.permutation(n).astype(np.int64) + 1, 9), None),
        "customer_id": ("text", _ids("CU", cust + 1, 8), None),
        "book": ("text", _choice(books, book_idx), None),
        "type": ("text", _choice(types, type_idx), None),
        "balance": ("money", bal, None),
        "unsecured_amount": ("money", unsec, None),
        "doubtful": ("bool", doubtful, None),
        "related_party": ("text", _choice(["none", "principal", "affiliate"], rp_idx), None),
        "noncustomer_ownership_pct": ("pct", pct, None),
        "debit_related_to_credits": ("bool", related, None),
        "omnibus_deficit": ("money", om_def.astype(np.int64), None),
        "omnibus_calls_5bd": ("money", om_calls.astype(np.int64), None),
        "e5_exception": ("text", _choice(["none", "plenary", "partial", "requested"], exc_idx), None),
        "e5_exception_amount": ("money", exc_amt.astype(np.int64), None),
        "e5_exception_date": ("date", exc_date, exc_date_null),
        "cross_margin": ("bool", xm, None),
    }
    acct_ids = T["accounts"]["account_id"][1]

    # ---------------------------------------------------------------- collateral
    margin_pos = np.flatnonzero(is_margin)
    n_sec = 5000
    # a few concentrated securities, the rest Zipf-like
    w = 1.0 / np.arange(1, n_sec + 1) ** 0.9
    w = w / w.sum() * 0.55
    w[:3] = [0.18, 0.12, 0.15]  # securities 0 and 1 concentrated; 2 is an exempted Treasury
    w = w / w.sum()
    sec = rng.choice(n_sec, size=n_collateral, p=w)
    exempt_sec = np.zeros(n_sec, bool)
    exempt_sec[2] = True
    exempt_sec[rng.choice(n_sec, 100, replace=False)] = True
    exempt_sec[[0, 1]] = False
    cpos = margin_pos[rng.integers(0, len(margin_pos), n_collateral)] if len(margin_pos) else np.zeros(0, np.int64)
    cmv = lognormal_cents(rng, n_collateral, 6_000, 1.4, hi_cents=10**11)
    T["collateral"] = {
        "account_id": ("text", acct_ids.take(cpos), None),
        "security_id": ("text", _ids("US", sec.astype(np.int64) * 7919 % 10_000_000, 7), None),
        "market_value": ("money", cmv, None),
        "exempted": ("bool", exempt_sec[sec], None),
    }

    # ---------------------------------------------------------------- items
    from reserve.book.schema import ITEM_KINDS

    kinds = list(ITEM_KINDS)
    ibook = np.where(rng.random(n_items) < 0.85, 0, 1)  # customer, pab
    allowed_c = [k for k in kinds if "customer" in ITEM_KINDS[k]]
    allowed_p = [k for k in kinds if "pab" in ITEM_KINDS[k]]
    kc = rng.integers(0, len(allowed_c), n_items)
    kp = rng.integers(0, len(allowed_p), n_items)
    kind_names = np.where(ibook == 0, np.array(allowed_c, dtype=object)[kc], np.array(allowed_p, dtype=object)[kp])
    amt = lognormal_cents(rng, n_items, 50_000, 1.5, hi_cents=10**11)
    n7 = kind_names == "pab_note7_exclusion"
    amt[n7 & (rng.random(n_items) < 0.5)] = 600_000_000  # $6M: over the single-transaction threshold
    imv = np.rint(amt * rng.uniform(0.8, 1.3, n_items)).astype(np.int64)
    age = rng.integers(0, 61, n_items)
    open_date = np.full(n_items, np.datetime64(AS_OF, "D")) - age.astype("timedelta64[D]")
    mreq = np.rint(amt * rng.uniform(0.7, 1.2, n_items)).astype(np.int64)
    form_idx = rng.choice(4, size=n_items, p=[0.5, 0.3, 0.1, 0.1])
    is_margin_kind = np.isin(kind_names, ["occ_margin", "futures_margin"])
    described = np.isin(kind_names, ["other_credit", "other_debit"])
    T["items"] = {
        "item_id": ("text", _ids("IT", np.arange(1, n_items + 1, dtype=np.int64), 8), None),
        "book": ("text", _choice(["customer", "pab"], ibook), None),
        "kind": ("text", pa.array(kind_names.tolist(), pa.string()), None),
        "amount": ("money", amt, None),
        "market_value": ("money", imv, None),
        "open_date": ("date", open_date, None),
        "confirmed": ("bool", rng.random(n_items) < 0.3, None),
        "margin_requirement": ("money", mreq, None),
        "collateral_form": ("text", _choice(["cash", "qualified_securities", "customer_loc", "other"], form_idx),
                            ~is_margin_kind),
        "clearing_org_qualified": ("bool", rng.random(n_items) < 0.8, None),
        "description": ("text", pa.array(np.where(described, "synthetic item", "").tolist(), pa.string()), ~described),
    }
    # Columns the format made required after GEN_VERSION 1 (issue 11), drawn from their own
    # stream so that every value of version 1 stays as it was (the figures stay comparable).
    rng2 = np.random.default_rng([seed, 2])
    new_issue = kind_names == "new_issue_not_received"
    st_idx = rng2.choice(3, size=n_items, p=[0.45, 0.35, 0.20])
    T["items"]["security_type"] = ("text", _choice(["us_government_agency", "municipal", "other"], st_idx), ~new_issue)
    # Note C: a securities loan's collateral received; three in four in cash (worth the monies
    # payable), the rest securities worth 85-100% of them (Item 3 adds the shortfall)
    loaned = kind_names == "securities_loaned"
    cv = np.where(rng2.random(n_items) < 0.75, amt, np.rint(amt * rng2.uniform(0.85, 1.0, n_items))).astype(np.int64)
    T["items"]["collateral_value"] = ("money", cv, ~loaned)

    # ---------------------------------------------------------------- reserve bank accounts
    rb_n = 8
    rb_book = np.array([0, 0, 0, 0, 0, 1, 1, 1])
    rb_bank = np.array([0, 1, 2, 3, 0, 0, 2, 4])
    T["reserve_bank_accounts"] = {
        "account_id": ("text", _ids("RB", np.arange(1, rb_n + 1, dtype=np.int64), 3), None),
        "book": ("text", _choice(["customer", "pab"], rb_book), None),
        "bank_id": ("text", _ids("BANK", rb_bank.astype(np.int64) + 1, 2), None),
        "bank_name": ("text", _choice([f"Synthetic Bank {i + 1}" for i in range(5)], rb_bank), None),
        "bank_affiliated": ("bool", rb_bank == 4, None),
        "bank_equity_capital": ("money", np.array([2 * 10**12, 5 * 10**11, 3 * 10**12, 8 * 10**10, 10**12],
                                                  dtype=np.int64)[rb_bank], None),
        "cash": ("money", lognormal_cents(rng, rb_n, 2e8 * max(n, 1000) / 1e6, 0.5), None),
        "qualified_securities": ("money", lognormal_cents(rng, rb_n, 5e8 * max(n, 1000) / 1e6, 0.5), None),
        "written_notification": ("bool", np.array([True, True, True, True, False, True, True, True]), None),
    }

    # ---------------------------------------------------------------- cca (Note H)
    T["cca"] = {
        "cca_id": ("text", pa.array(["FICC", "CCA2"]), None),
        "name": ("text", pa.array(["Fixed Income Clearing Corporation", "Second Treasury Clearing Agency"]), None),
        **{c: ("bool", np.array([True, True]), None) for c in (
            "registered", "clears_ust", "rule_gross_margin", "rule_investment_limit", "rule_segregated_account",
            "written_notice", "written_contract", "rule_custody", "rule_return_excess", "in_compliance")},
        "account_designation": ("text", pa.array([
            f"Special Clearing Account for the Exclusive Benefit of the Customers of {FIRM}",
            f"Special Clearing Account for the Exclusive Benefit of the Customers of {FIRM}."]), None),  # one typo
        "sec_notice_date": ("date", np.array(["2026-06-30", "2026-09-15"], dtype="datetime64[D]"), None),
        "sec_notice_withdrawn_date": ("date", np.array(["NaT", "NaT"], dtype="datetime64[D]"), np.array([True, True])),
    }
    cand = np.flatnonzero((book_idx == 0) & ~xm)
    k = min(cca_customers, len(cand))
    who = rng.choice(cand, size=k, replace=False)
    who_cca = rng.integers(0, 2, k)
    req = lognormal_cents(rng, k, 250_000, 1.0)
    T["cca_requirements"] = {
        "cca_id": ("text", _choice(["FICC", "CCA2"], who_cca), None),
        "account_id": ("text", acct_ids.take(who), None),
        "position_type": ("text", _choice(["ust_cash", "ust_repo", "other"], rng.choice(3, k, p=[0.6, 0.35, 0.05])), None),
        "basis": ("text", _choice(["gross", "net"], (rng.random(k) < 0.03).astype(np.int64)), None),
        "requirement": ("money", req, None),
    }
    # deposits: one or two per requirement; mostly the customer's own cash/Treasuries, a few
    # firm-owned Treasuries with the Note H(b)(1)(iii) facts
    nd = k + k // 2
    di = np.concatenate([np.arange(k), rng.integers(0, k, nd - k)])
    asset_idx = rng.choice(4, nd, p=[0.45, 0.35, 0.15, 0.05])
    owner_firm = (rng.random(nd) < 0.05) & (asset_idx == 1)
    val = np.rint(req[di] * rng.uniform(0.3, 1.1, nd)).astype(np.int64)
    arose = np.full(nd, np.datetime64(AS_OF, "D")) - rng.integers(0, 4, nd).astype("timedelta64[D]")
    ff = ~owner_firm
    T["cca_deposits"] = {
        "deposit_id": ("text", _ids("DP", np.arange(1, nd + 1, dtype=np.int64), 6), None),
        "cca_id": ("text", _choice(["FICC", "CCA2"], who_cca[di]), None),
        "account_id": ("text", acct_ids.take(who[di]), None),
        "asset": ("text", _choice(["cash", "us_treasury", "qualified_customer_security", "other"], asset_idx), None),
        "owner": ("text", _choice(["customer", "firm"], owner_firm.astype(np.int64)), None),
        "owner_account_id": ("text", acct_ids.take(who[di]), owner_firm),
        "value": ("money", val, None),
        "cca_account": ("text", _choice(["customer_segregated", "house"], (rng.random(nd) < 0.02).astype(np.int64)), None),
        "delivered_by_firm": ("bool", rng.random(nd) < 0.99, None),
        "requirement_arose_on": ("date", arose, ff),
        "requirement_at_arise": ("money", req[di], ff),
        "customer_assets_at_arise": ("money", req[di] // 2, ff),
        "call_issued_on": ("date", arose, ff),
        "cure_received_on": ("date", arose + np.timedelta64(1, "D"), ff | (rng.random(nd) < 0.3)),
        "cure_received_amount": ("money", req[di] // 2, ff),
    }
    T["holidays"] = {
        "date": ("date", np.array(["2026-12-24"], dtype="datetime64[D]"), None),
        "name": ("text", pa.array(["Firm closed (synthetic)"]), None),
    }
    tnc = 40_000_000_00  # $40,000,000 tentative net capital: 25% = $10M (E(5) threshold)
    params = [
        ("firm_name", FIRM),
        ("as_of", AS_OF),
        ("frequency", "weekly"),
        ("net_capital_method", "alternative"),
        ("tentative_net_capital", tnc),
        ("prepared_on", AS_OF + dt.timedelta(days=1)),
        ("pending_cure_policy", "exclude"),
    ]
    return {"params": params, "tables": T}


# --------------------------------------------------------------------------- writers


def _arrow_column(kind, values, null, money: str):
    import pyarrow as pa

    mask = None if null is None else pa.array(np.asarray(null, dtype=bool))
    if kind == "money":
        c = np.asarray(values, dtype=np.int64)
        if money == "float":
            arr = pa.array(cents_to_dollars(c), pa.float64(), mask=None if null is None else np.asarray(null, bool))
        elif money == "decimal":
            # decimal128 storage: the unscaled value (cents) as 16-byte little-endian two's complement
            words = np.empty((len(c), 2), dtype=np.int64)
            words[:, 0] = c
            words[:, 1] = np.where(c < 0, -1, 0)
            arr = pa.Array.from_buffers(pa.decimal128(18, 2), len(c), [None, pa.py_buffer(words.tobytes())])
            if null is not None:
                arr = pa.compute.if_else(mask, pa.scalar(None, arr.type), arr)
        else:
            raise SystemExit(f"unknown money representation {money}")
        return arr
    if kind == "pct":
        return pa.array(np.asarray(values, dtype=np.float64))
    if kind == "bool":
        return pa.array(np.asarray(values, dtype=bool), mask=None if null is None else np.asarray(null, bool))
    if kind == "date":
        return pa.array(np.asarray(values, dtype="datetime64[D]"), pa.date32(),
                        mask=None if null is None else np.asarray(null, bool))
    if kind == "text":
        arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values, pa.string())
        if null is not None:
            arr = pa.compute.if_else(mask, pa.scalar(None, pa.string()), arr)
        return arr
    raise ValueError(kind)


def write_parquet_book(data: dict, out: Path, money: str = "float") -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    names = [k for k, _ in data["params"]]
    vals = []
    for k, v in data["params"]:
        if isinstance(v, dt.date):
            vals.append(v.isoformat())
        elif k in ("tentative_net_capital", "average_total_credits"):
            vals.append(f"{v // 100}.{v % 100:02d}")
        else:
            vals.append(str(v))
    pq.write_table(pa.table({"name": names, "value": vals}), out / "parameters.parquet")
    for table, cols in data["tables"].items():
        t = pa.table({c: _arrow_column(kind, v, null, money) for c, (kind, v, null) in cols.items()})
        pq.write_table(t, out / f"{table}.parquet")


def _cents_text(c: np.ndarray, null=None):
    """Integer cents -> exact 2-decimal text ("-1234.05"), as a CSV export of a DECIMAL
    column writes it (no float formatting, no exponent)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    c = np.asarray(c, dtype=np.int64)
    a = np.abs(c)
    whole = pa.array(a // 100).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(a % 100).cast(pa.string()), 2, "0")
    sign = pa.array(np.where(c < 0, "-", ""), pa.string())
    arr = pc.binary_join_element_wise(sign, whole, pa.array(np.full(len(c), ".")), frac, pa.scalar(""))
    if null is not None:
        arr = pc.if_else(pa.array(np.asarray(null, bool)), pa.scalar(None, pa.string()), arr)
    return arr


def write_csv_book(data: dict, out: Path) -> None:
    """A folder of <table>.csv (UTF-8, comma, header row): money as exact 2-decimal text,
    dates ISO, booleans true/false, blanks empty, text quoted."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    out.mkdir(parents=True, exist_ok=True)
    names = [k for k, _ in data["params"]]
    vals = []
    for k, v in data["params"]:
        if isinstance(v, dt.date):
            vals.append(v.isoformat())
        elif k in ("tentative_net_capital", "average_total_credits"):
            vals.append(f"{v // 100}.{v % 100:02d}")
        else:
            vals.append(str(v))
    opts = pcsv.WriteOptions(quoting_style="none")  # as a spreadsheet export: no quotes (none is needed)
    pcsv.write_csv(pa.table({"name": names, "value": vals}), out / "parameters.csv", opts)
    for table, cols in data["tables"].items():
        t = pa.table({c: (_cents_text(v, null) if kind == "money" else _arrow_column(kind, v, null, "float"))
                      for c, (kind, v, null) in cols.items()})
        pcsv.write_csv(t, out / f"{table}.csv", opts)


def write_xlsx_book(data: dict, path: Path) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    money_fmt = wb.add_format({"num_format": "#,##0.00"})
    ws = wb.add_worksheet("parameters")
    ws.write_row(0, 0, ["name", "value"])
    for r, (k, v) in enumerate(data["params"], start=1):
        ws.write_string(r, 0, k)
        if isinstance(v, dt.date):
            ws.write_datetime(r, 1, dt.datetime(v.year, v.month, v.day), date_fmt)
        elif isinstance(v, (int, np.integer)) and k in ("tentative_net_capital", "average_total_credits"):
            ws.write_number(r, 1, int(v) / 100.0, money_fmt)
        else:
            ws.write_string(r, 1, str(v))
    epoch = dt.datetime(1899, 12, 30)
    for table, cols in data["tables"].items():
        ws = wb.add_worksheet(table)
        names = list(cols)
        ws.write_row(0, 0, names)
        writers = []
        for kind, values, null in cols.values():
            if kind == "money":
                py = cents_to_dollars(np.asarray(values, dtype=np.int64)).tolist()
                w, fmt = ws.write_number, money_fmt
            elif kind == "pct":
                py = np.asarray(values, dtype=np.float64).tolist()
                w, fmt = ws.write_number, None
            elif kind == "bool":
                py = np.asarray(values, dtype=bool).tolist()
                w, fmt = ws.write_boolean, None
            elif kind == "date":
                # Excel serial day numbers with a date format: what a date cell is
                d = np.asarray(values, dtype="datetime64[D]")
                py = (d - np.datetime64(epoch.date(), "D")).astype(np.int64).astype(np.float64).tolist()
                w, fmt = ws.write_number, date_fmt
            else:
                py = values.to_pylist() if hasattr(values, "to_pylist") else list(values)
                w, fmt = ws.write_string, None
            nl = None if null is None else np.asarray(null, dtype=bool).tolist()
            writers.append((w, fmt, py, nl))
        n = len(writers[0][2])
        # row-major (constant_memory flushes a row when the next one starts)
        for r in range(n):
            rr = r + 1
            for ci, (w, fmt, py, nl) in enumerate(writers):
                if nl is not None and nl[r]:
                    continue
                v = py[r]
                if fmt is None:
                    w(rr, ci, v)
                else:
                    w(rr, ci, v, fmt)
    wb.close()


def cmd_generate(args) -> dict:
    t0 = time.perf_counter()
    n = args.accounts
    data = generate_tables(n, args.collateral, args.items, args.cca_customers, args.seed)
    t1 = time.perf_counter()
    out = Path(args.out)
    if args.format == "parquet":
        write_parquet_book(data, out, args.money)
        book = out
    elif args.format == "csv":
        write_csv_book(data, out)
        book = out
    else:
        book = out / "book.xlsx"
        write_xlsx_book(data, book)
    t2 = time.perf_counter()
    rows = {t: len(next(iter(c.values()))[1]) for t, c in data["tables"].items()}
    manifest = {"gen_version": GEN_VERSION, "accounts": n, "collateral": args.collateral, "items": args.items,
                "cca_customers": args.cca_customers, "seed": args.seed, "format": args.format, "money": args.money,
                "book": str(book), "rows": rows, "generate_s": round(t1 - t0, 2), "write_s": round(t2 - t1, 2),
                "bytes": _size(book)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2))
    print(json.dumps(manifest))
    return manifest


def _size(p: Path) -> int:
    p = Path(p)
    if p.is_dir():
        return sum(f.stat().st_size for f in p.iterdir() if f.is_file() and f.suffix in (".parquet", ".csv"))
    return p.stat().st_size


# --------------------------------------------------------------------------- run


def _finish_profile(args, prof, res: dict) -> dict:
    if prof is not None:
        OUT.mkdir(parents=True, exist_ok=True)
        stem = args.profile_out or str(OUT / f"profile-{Path(args.book).stem}")
        if args.profile == "pyinstrument":
            Path(stem + ".txt").write_text(prof.output_text(unicode=False, color=False, show_all=False))
            Path(stem + ".html").write_text(prof.output_html())
        else:
            import io
            import pstats

            prof.dump_stats(stem + ".prof")
            s = io.StringIO()
            st = pstats.Stats(prof, stream=s).sort_stats("cumulative")
            st.print_stats(60)
            st.sort_stats("tottime").print_stats(40)
            Path(stem + ".txt").write_text(s.getvalue())
        res["profile"] = stem + ".txt"
    print(json.dumps(res))
    return res


def cmd_run(args) -> dict:
    from reserve.book import load_book
    from reserve.formula import compute
    from reserve.report.json_report import build_report, dumps

    prof = None
    if args.profile == "pyinstrument":
        from pyinstrument import Profiler

        prof = Profiler(interval=0.01)
    elif args.profile == "cprofile":
        import cProfile

        prof = cProfile.Profile()
    phases = args.phases.split(",")
    res = {"book": str(args.book), "rss_start_mib": round(peak_rss_mib(), 1), "loadavg_start": loadavg()}

    running = [False]

    def progress():
        path = os.environ.get("BENCH_PROGRESS")
        if path:
            Path(path).write_text(json.dumps(res))
        print(json.dumps(res), file=sys.stderr, flush=True)

    def start():
        if prof is not None:
            (prof.start if args.profile == "pyinstrument" else prof.enable)()
            running[0] = True

    def stop():
        if prof is not None and running[0]:
            (prof.stop if args.profile == "pyinstrument" else prof.disable)()
            running[0] = False

    c0 = cpu_s()
    t0 = time.perf_counter()
    if "load" in phases:
        start()
    book = load_book(args.book)
    stop()
    t1 = time.perf_counter()
    c1 = cpu_s()
    res["load_s"] = round(t1 - t0, 3)
    res["load_cpu_s"] = round(c1 - c0, 3)
    res["rss_after_load_mib"] = round(peak_rss_mib(), 1)
    res["rows"] = book.row_counts
    progress()
    if args.stop_after == "load":
        return _finish_profile(args, prof, res)
    if "compute" in phases:
        start()
    result = compute(book)
    stop()
    t2 = time.perf_counter()
    c2 = cpu_s()
    res["compute_s"] = round(t2 - t1, 3)
    res["compute_cpu_s"] = round(c2 - c1, 3)
    progress()
    if args.stop_after == "compute":
        return _finish_profile(args, prof, res)
    res["rss_after_compute_mib"] = round(peak_rss_mib(), 1)
    if "report" in phases:
        start()
    report = build_report(book, result)
    text = dumps(report)
    stop()
    t3 = time.perf_counter()
    c3 = cpu_s()
    res["report_s"] = round(t3 - t2, 3)
    res["report_cpu_s"] = round(c3 - c2, 3)
    res["total_s"] = round(t3 - t0, 3)
    res["total_cpu_s"] = round(c3 - c0, 3)
    res["loadavg_end"] = loadavg()
    res["peak_rss_mib"] = round(peak_rss_mib(), 1)
    res["json_bytes"] = len(text.encode())
    res["dispositions"] = int(len(result.dispositions))
    res["findings"] = len(result.findings)
    cust = result.computations["customer"]
    pab = result.computations["pab"]
    res["figures"] = {
        "customer_item_1": cust.lines["item_1"], "customer_item_10": cust.lines["item_10"],
        "customer_total_credits": cust.total_credits, "customer_total_debits": cust.total_debits,
        "customer_required_deposit": cust.required_deposit, "pab_item_1": pab.lines["item_1"],
        "pab_item_10": pab.lines["item_10"], "pab_required_deposit": pab.required_deposit,
    }
    if args.report_out:
        Path(args.report_out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report_out).write_text(text, encoding="utf-8")
    return _finish_profile(args, prof, res)


# --------------------------------------------------------------------------- duckdb


DUCKDB_SQL = {
    # Items 1 and 10 raw: credit and debit balances by book
    "accounts_by_book": """
        SELECT book, count(*) AS n,
               sum(c) FILTER (WHERE c > 0) AS credits,
               sum(-c) FILTER (WHERE c < 0) AS debits
        FROM (SELECT book, CAST(round(balance * 100) AS BIGINT) AS c FROM read_parquet('{d}/accounts.parquet'))
        GROUP BY book ORDER BY book""",
    # Note E(1): per (account, security) market value capped at 140% of the account's debit,
    # summed per security, against 15% of the total
    "collateral_concentration": """
        WITH d AS (
            SELECT account_id, -CAST(round(balance * 100) AS BIGINT) AS debit
            FROM read_parquet('{d}/accounts.parquet')
            WHERE type = 'margin' AND book = 'customer' AND balance < 0),
        g AS (
            SELECT c.account_id, c.security_id, sum(CAST(round(c.market_value * 100) AS BIGINT)) AS mv,
                   any_value(d.debit) AS debit, bool_or(c.exempted) AS exempted
            FROM read_parquet('{d}/collateral.parquet') c JOIN d USING (account_id)
            GROUP BY c.account_id, c.security_id),
        s AS (
            SELECT security_id, sum(least(mv, (debit * 14 + 9) // 10)) AS value, bool_or(exempted) AS exempted,
                   sum(debit) AS debits
            FROM g GROUP BY security_id)
        SELECT security_id, value, debits, value - (sum(value) OVER ()) * 15 // 100 AS excess
        FROM s WHERE NOT exempted ORDER BY excess DESC LIMIT 10""",
    "items_by_kind": """
        SELECT book, kind, count(*) AS n, sum(CAST(round(amount * 100) AS BIGINT)) AS amount
        FROM read_parquet('{d}/items.parquet') GROUP BY book, kind ORDER BY book, kind""",
}


def cmd_duckdb(args) -> dict:
    import duckdb

    d = Path(args.bookdir).resolve()
    t0 = time.perf_counter()
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    c0 = cpu_s()
    out = {"bookdir": str(d), "threads": con.execute("SELECT current_setting('threads')").fetchone()[0],
           "loadavg_start": loadavg()}
    results = {}
    for name, sql in DUCKDB_SQL.items():
        q0 = time.perf_counter()
        rows = con.execute(sql.format(d=str(d).replace("'", "''"))).fetchall()
        out[f"{name}_s"] = round(time.perf_counter() - q0, 3)
        results[name] = [list(map(lambda v: v if isinstance(v, (int, str, bool, type(None))) else str(v), r)) for r in rows]
    con.close()
    out["total_s"] = round(time.perf_counter() - t0, 3)
    out["total_cpu_s"] = round(cpu_s() - c0, 3)
    out["peak_rss_mib"] = round(peak_rss_mib(), 1)
    out["results"] = results
    print(json.dumps(out))
    return out


# --------------------------------------------------------------------------- all


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _sub(argv: list[str], log, rss_limit_gib: float = 0.0) -> dict:
    """Run `bench.py argv...` in a fresh interpreter (so its peak RSS is its own); its last
    stdout line is JSON. A watchdog kills it if its RSS passes rss_limit_gib (so a runaway
    run cannot push a shared machine into the OOM killer); the phases it finished are kept
    from its progress file."""
    import tempfile

    progress = Path(tempfile.mkstemp(prefix="bench-progress-", suffix=".json")[1])
    cmd = [sys.executable, str(Path(__file__).resolve()), *argv]
    env = dict(os.environ, BENCH_PROGRESS=str(progress))
    print("$", " ".join(cmd), file=log, flush=True)
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    import threading

    outs: dict[str, str] = {}
    readers = [threading.Thread(target=lambda k, f: outs.__setitem__(k, f.read()), args=(k, f), daemon=True)
               for k, f in (("out", p.stdout), ("err", p.stderr))]
    for t in readers:
        t.start()
    killed = None
    max_seen = 0.0
    while p.poll() is None:
        rss = _rss_mib(p.pid)
        max_seen = max(max_seen, rss)
        if rss_limit_gib and rss > rss_limit_gib * 1024:
            killed = f"killed by the watchdog at {rss / 1024:.1f} GiB RSS (limit {rss_limit_gib} GiB)"
            p.kill()
            break
        time.sleep(0.5)
    p.wait()
    for t in readers:
        t.join()
    wall = time.perf_counter() - t0
    partial = {}
    try:
        partial = json.loads(progress.read_text() or "{}")
    except (OSError, ValueError):
        pass
    progress.unlink(missing_ok=True)
    if p.returncode != 0 or killed:
        print(outs.get("out", "")[-4000:], outs.get("err", "")[-8000:], file=log, flush=True)
        err = killed or ((outs.get("err", "").strip().splitlines() or ["failed"])[-1][:500])
        return {**partial, "error": err, "wall_s": round(wall, 2), "watchdog_max_rss_mib": round(max_seen, 1)}
    line = [ln for ln in outs["out"].strip().splitlines() if ln.startswith("{")][-1]
    res = json.loads(line)
    res["wall_s"] = round(wall, 2)
    print(json.dumps({k: v for k, v in res.items() if k != "results"}), file=log, flush=True)
    return res


def _ensure_book(n: int, fmt: str, out: Path, money: str, regen: bool, log) -> dict:
    m = out / "manifest.json"
    if m.exists() and not regen:
        man = json.loads(m.read_text())
        if (man.get("gen_version") == GEN_VERSION and man.get("accounts") == n and man.get("format") == fmt
                and man.get("money") == money and Path(man["book"]).exists()):
            print(f"reusing {man['book']}", file=log, flush=True)
            man["reused"] = True
            return man
    return _sub(["generate", "--accounts", str(n), "--format", fmt, "--money", money, "--out", str(out)], log)


def _fmt(v, unit=""):
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:,.2f}{unit}"
    return f"{v}{unit}"


def cmd_fair(args) -> dict:
    """The fair yardstick (bench/fair_yardstick.py) on a Parquet book, its trail written."""
    sys.path.insert(0, str(HERE))
    import fair_yardstick

    out = Path(args.out) if args.out else OUT / "runs" / f"fair-{Path(args.bookdir).name}"
    res = fair_yardstick.FairYardstick(Path(args.bookdir), args.threads).run(out)
    res["peak_rss_mib"] = round(peak_rss_mib(), 1)
    print(json.dumps(res, default=str))
    return res


def cmd_fastexcel(args) -> dict:
    """fastexcel's bare read of a workbook: every sheet to Arrow, nothing else (no typing, no
    checks): the floor any reader of the .xlsx book stands on."""
    import fastexcel

    t0 = time.perf_counter()
    reader = fastexcel.read_excel(str(args.book))
    rows = {}
    for name in reader.sheet_names:
        batch = reader.load_sheet_by_name(name).to_arrow()
        rows[name] = batch.num_rows
    res = {"book": str(args.book), "rows": rows, "total_s": round(time.perf_counter() - t0, 3),
           "peak_rss_mib": round(peak_rss_mib(), 1)}
    print(json.dumps(res))
    return res


def _reserve_cmd() -> list[str]:
    """The `reserve` command of this interpreter's environment (the CLI, so the whole run counts)."""
    exe = Path(sys.executable).parent / "reserve"
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from reserve.cli import main; main()"]


def _measure(cmd: list[str], log, rss_limit_gib: float = 0.0) -> dict:
    """Run `cmd` in its own process: wall seconds, CPU seconds and peak RSS (the child's own
    ru_maxrss, from wait4), its last JSON stdout line if any. A watchdog kills it if its RSS
    passes rss_limit_gib, so a runaway run cannot push a shared machine into the OOM killer."""
    import tempfile

    print("$", " ".join(cmd), file=log, flush=True)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        killed, max_seen, status, ru = None, 0.0, None, None
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            rss = _rss_mib(p.pid)
            max_seen = max(max_seen, rss)
            if rss_limit_gib and rss > rss_limit_gib * 1024 and killed is None:
                killed = f"killed by the watchdog at {rss / 1024:.1f} GiB RSS (limit {rss_limit_gib} GiB)"
                p.kill()
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    res = {"cmd": cmd, "wall_s": round(wall, 3), "cpu_s": round(ru.ru_utime + ru.ru_stime, 3),
           "peak_rss_mib": round(ru.ru_maxrss / 1024, 1), "rc": p.returncode}
    if killed or p.returncode != 0:
        res["error"] = killed or ((stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1][:500])
        res["peak_rss_mib"] = round(max(max_seen, res["peak_rss_mib"]), 1)
        print(stdout[-2000:], stderr[-4000:], file=log, flush=True)
    lines = [ln for ln in stdout.strip().splitlines() if ln.startswith("{")]
    if lines:
        try:
            res["output"] = json.loads(lines[-1])
        except ValueError:
            pass
    print(json.dumps({k: v for k, v in res.items() if k not in ("cmd", "output")}), file=log, flush=True)
    return res


def _median(xs: list[float]) -> float | None:
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


# The rows of issue 13's table of targets: (key, what reserve runs, the yardstick, target ratio,
# target seconds, peak cap GiB).
TARGETS = (
    ("full", "`reserve compute` (html, xlsx, json, supporting/*.parquet)", "fair", 2.0, None, 6.0),
    ("json", "`reserve compute --format json`", "fair", 1.2, None, None),
    ("naive", "`reserve compute --format json`", "naive", None, None, None),
    ("big", "`reserve compute` (every default output)", "fair", None, 180.0, 24.0),
    ("xlsx", "`reserve compute` (every default output)", "fastexcel", 2.0, None, None),
)
YARDSTICKS = {"fair": "the fair DuckDB yardstick (bench/fair_yardstick.py)",
              "naive": "naive DuckDB aggregation, checks nothing (`bench.py duckdb`): not a fair comparison",
              "fastexcel": "fastexcel's bare read of every sheet (`bench.py fastexcel`)"}


def cmd_all(args) -> dict:
    """Issue 13's targets, each pairing interleaved (reserve, yardstick, reserve, yardstick ...)
    over --repeat rounds, every run in its own process with its own peak RSS."""
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs_dir = out / "runs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    log = sys.stderr
    scale = [n for n in (args.scale_accounts if args.scale_accounts is not None else [1_000_000]) if n]
    main_n = args.parquet_accounts
    sizes = sorted(set(scale + ([main_n] if main_n else [])))
    big_n = args.big_accounts if args.with_40m else 0
    books: dict[str, dict] = {}
    for n in sizes + ([big_n] if big_n and big_n not in sizes else []):
        books[f"parquet-{n}"] = _ensure_book(n, "parquet", data / f"parquet-{n}", args.money, args.regen, log)
    if args.xlsx_accounts:
        books[f"xlsx-{args.xlsx_accounts}"] = _ensure_book(args.xlsx_accounts, "xlsx", data / f"xlsx-{args.xlsx_accounts}",
                                                           "float", args.regen, log)
    for label, man in books.items():
        if man.get("error"):
            raise SystemExit(f"generating {label} failed: {man['error']}")
    reserve = _reserve_cmd()
    me = [sys.executable, str(Path(__file__).resolve())]
    lim = args.rss_limit_gib
    samples: dict[tuple[str, str], list[dict]] = {}

    def run(key: tuple[str, str], cmd: list[str]) -> None:
        samples.setdefault(key, []).append(_measure(cmd, log, lim))

    def full(label: str, book: str, fmt: str | None = None) -> list[str]:
        return [*reserve, "compute", book, "--out", str(runs_dir / f"{label}-{fmt or 'all'}"), "--quiet",
                *(["--format", fmt] if fmt else [])]

    for i in range(args.repeat):
        print(f"-- round {i + 1} of {args.repeat}", file=log, flush=True)
        # the big book's runs are the same commands as a size's of the same book: run once
        for n in sizes + ([big_n] if big_n and big_n not in sizes else []):
            label = f"parquet-{n}"
            book = books[label]["book"]
            run((label, "reserve-full"), full(label, book))
            run((label, "fair"), [*me, "fair", book, "--out", str(runs_dir / f"fair-{label}")])
            if n == main_n:
                run((label, "reserve-json"), full(label, book, "json"))
                run((label, "naive"), [*me, "duckdb", book])
        if args.xlsx_accounts:
            label = f"xlsx-{args.xlsx_accounts}"
            book = books[label]["book"]
            run((label, "reserve-full"), full(label, book))
            run((label, "fastexcel"), [*me, "fastexcel", book])
    machine = {"cores": os.cpu_count(), "ram_gib": round(_mem_gib(), 1), "platform": platform.platform(),
               "python": platform.python_version(), "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "loadavg_end": loadavg()}
    res = {"machine": machine, "repeat": args.repeat, "books": books,
           "samples": {f"{a}/{b}": v for (a, b), v in samples.items()},
           "plan": {"full": main_n, "json": main_n, "naive": main_n, "big": big_n, "xlsx": args.xlsx_accounts,
                    "sizes": sizes + ([big_n] if big_n and big_n not in sizes else [])}}
    text = targets_markdown(res)
    print(text)
    (out / "results.md").write_text(text)
    (out / "results.json").write_text(json.dumps(res, indent=2, default=str))
    return res


def _stats(runs: list[dict]) -> dict:
    ok = [r for r in runs if not r.get("error")]
    return {"median_s": _median([r["wall_s"] for r in ok]), "cpu_s": _median([r["cpu_s"] for r in ok]),
            "min_s": min((r["wall_s"] for r in ok), default=None),
            "max_s": max((r["wall_s"] for r in ok), default=None),
            "peak_gib": max((r["peak_rss_mib"] for r in runs), default=0) / 1024 if runs else None,
            "errors": [r["error"] for r in runs if r.get("error")], "n": len(runs)}


def _secs(st: dict) -> str:
    if st["median_s"] is None:
        return "failed" if st["errors"] else "—"
    spread = f" ({st['min_s']:.1f}–{st['max_s']:.1f})" if st["n"] > 1 else ""
    return f"{st['median_s']:.2f}{spread}; CPU {st['cpu_s']:.1f}"


def targets_markdown(res: dict) -> str:
    """The table of issue 13's targets (and the cost per million accounts) from `all`'s samples."""
    m, plan, S = res["machine"], res["plan"], res["samples"]
    lines = [
        f"Benchmark of `reserve` against its yardsticks, {m['date']}; machine: {m['cores']} cores, {m['ram_gib']:.0f} GiB "
        f"RAM, {m['platform']}, Python {m['python']}; load average at the end {m['loadavg_end']}.",
        f"Each pairing interleaved over {res['repeat']} round(s) (reserve, yardstick, reserve, yardstick ...), every run "
        "in its own process; seconds are wall-clock medians (min–max), then the median CPU seconds (user + system, all "
        "threads: steadier on a shared machine); peak RSS is the largest of the runs; the ratio is of the wall medians.",
        "",
        "| target | book | reserve | reserve s | reserve peak | yardstick | yardstick s | yardstick peak | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for key, what, yard, ratio_t, secs_t, cap in TARGETS:
        n = plan[key]
        kind = "xlsx" if key == "xlsx" else "parquet"
        label = f"{kind}-{n}"
        book = (f"{n:,} accounts, .xlsx" if kind == "xlsx" else f"{n:,} accounts + collateral, Parquet") if n else "—"
        rkey = "reserve-json" if key in ("json", "naive") else "reserve-full"
        target = " and ".join(t for t in (f"≤ {ratio_t:g}×" if ratio_t else "", f"< {secs_t:.0f} s" if secs_t else "",
                                          f"≤ {cap:g} GiB" if cap else "") if t) or "— (not a fair comparison)"
        if not n or f"{label}/{rkey}" not in S:
            flag = {"big": "--with-40m", "xlsx": "--xlsx-accounts N"}.get(key, "--parquet-accounts N")
            lines.append(f"| {key} | — | {what} | not run ({flag}) | | {YARDSTICKS[yard]} | | | | {target} | — |")
            continue
        r, y = _stats(S[f"{label}/{rkey}"]), _stats(S.get(f"{label}/{yard}", []))
        ratio = r["median_s"] / y["median_s"] if r["median_s"] and y["median_s"] else None
        met = []
        if ratio_t:
            met.append(ratio is not None and ratio <= ratio_t)
        if secs_t:
            met.append(r["median_s"] is not None and r["median_s"] < secs_t)
        if cap:
            met.append(r["peak_gib"] is not None and not r["errors"] and r["peak_gib"] <= cap)
        verdict = ("**yes**" if all(met) else "**no**") if met else "—"
        lines.append(f"| {key} | {book} | {what} | {_secs(r)} | {r['peak_gib']:.2f} GiB | {YARDSTICKS[yard]} | {_secs(y)} | "
                     f"{y['peak_gib']:.2f} GiB | {f'{ratio:.2f}×' if ratio else '—'} | {target} | {verdict} |")
        for e in r["errors"] + y["errors"]:
            notes.append(f"- {key}: {e}")
    lines += ["", "How the cost grows (`reserve compute` with every default output, Parquet books):", "",
              "| book | reserve s | s per million accounts | peak RSS | GiB per million accounts | fair yardstick s | ratio |",
              "|---|---|---|---|---|---|---|"]
    for n in plan["sizes"]:
        label = f"parquet-{n}"
        if f"{label}/reserve-full" not in S:
            continue
        r, y = _stats(S[f"{label}/reserve-full"]), _stats(S.get(f"{label}/fair", []))
        per = n / 1e6
        ratio = r["median_s"] / y["median_s"] if r["median_s"] and y["median_s"] else None
        per_million = f"{r['median_s'] / per:.2f}" if r["median_s"] else "—"
        lines.append(f"| {n:,} accounts + collateral | {_secs(r)} | {per_million} | {r['peak_gib']:.2f} GiB | "
                     f"{r['peak_gib'] / per:.3f} | {_secs(y)} | {f'{ratio:.2f}×' if ratio else '—'} |")
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"


def _mem_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return 0.0


# --------------------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", help="write a synthetic book")
    g.add_argument("--accounts", type=int, required=True)
    g.add_argument("--collateral", type=int, default=None, help="collateral rows (default: = accounts)")
    g.add_argument("--items", type=int, default=None, help="item rows (default: accounts / 100)")
    g.add_argument("--cca-customers", type=int, default=1000)
    g.add_argument("--format", choices=("xlsx", "parquet", "csv"), required=True)
    g.add_argument("--money", choices=("float", "decimal"), default="float",
                   help="Parquet money columns: float64 dollars (default, what most exports give) or decimal128(18,2)")
    g.add_argument("--seed", type=int, default=SEED)
    g.add_argument("--out", required=True)
    r = sub.add_parser("run", help="time load + compute + JSON report on a book")
    r.add_argument("book")
    r.add_argument("--profile", choices=("pyinstrument", "cprofile"))
    r.add_argument("--phases", default="load,compute,report", help="phases to profile (comma-separated)")
    r.add_argument("--profile-out", help="profile output path stem (default bench/out/profile-<book>)")
    r.add_argument("--report-out", help="also write report.json here")
    r.add_argument("--stop-after", choices=("load", "compute"), help="stop after this phase (for profiling)")
    d = sub.add_parser("duckdb", help="the yardstick: the same aggregation in DuckDB on the Parquet files")
    d.add_argument("bookdir")
    d.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: DuckDB's own, = cores)")
    f = sub.add_parser("fair", help="the fair yardstick: DuckDB doing reserve's work on a Parquet book (bench/fair_yardstick.py)")
    f.add_argument("bookdir")
    f.add_argument("--out", help="folder for dispositions.parquet (default bench/out/runs/fair-<book>)")
    f.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: DuckDB's own, = cores)")
    x = sub.add_parser("fastexcel", help="fastexcel's bare read of every sheet of a workbook, to Arrow")
    x.add_argument("book")
    a = sub.add_parser("all", help="issue 13's targets: reserve and its yardsticks interleaved, each run in its own process")
    a.add_argument("--xlsx-accounts", type=int, default=1_000_000, help="the .xlsx book (0: skip its row)")
    a.add_argument("--parquet-accounts", type=int, default=10_000_000, help="the Parquet book of the 2x / 1.2x targets")
    a.add_argument("--scale-accounts", type=int, action="append", default=None, metavar="N",
                   help="also Parquet books of N accounts for the cost per million (repeatable; default 1000000; 0: none)")
    a.add_argument("--with-40m", action="store_true",
                   help="also the 40M-account + 40M-collateral book (needs the whole machine: run it alone)")
    a.add_argument("--big-accounts", type=int, default=40_000_000, help="accounts of the --with-40m book")
    a.add_argument("--repeat", type=int, default=3, help="rounds of each pairing (the table shows medians)")
    a.add_argument("--data", default=str(DATA), help="where the generated books are cached (default bench/data)")
    a.add_argument("--out", default=str(OUT), help="results.md, results.json and the runs' outputs (default bench/out)")
    a.add_argument("--money", choices=("float", "decimal"), default="float")
    a.add_argument("--regen", action="store_true", help="regenerate books even if --data has them")
    a.add_argument("--rss-limit-gib", type=float, default=21.0,
                   help="kill a run whose RSS passes this (0: no limit); the table then says so")
    args = ap.parse_args(argv)
    return {"generate": cmd_generate, "run": cmd_run, "duckdb": cmd_duckdb, "fair": cmd_fair, "fastexcel": cmd_fastexcel,
            "all": cmd_all}[args.cmd](args)


if __name__ == "__main__":
    main()
