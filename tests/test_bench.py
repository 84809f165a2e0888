"""The benchmark's synthetic book (bench/bench.py) stays a valid book as the format grows.

Issue 10 made columns required that the original format defaulted (accounts.type,
cca_requirements.basis, cca_deposits.cca_account and delivered_by_firm,
reserve_bank_accounts.bank_affiliated); issue 11 added kind-specific ones
(items.security_type for new_issue_not_received, open_date for the ageing kinds). The
generated book was then refused by `reserve validate` and the benchmark measured nothing.
These tests generate a small book in every format the generator writes and load, validate
and compute it, so the next required column breaks a test, not the benchmark."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from reserve.book import load_book
from reserve.book.schema import TABLES_BY_NAME
from reserve.formula import compute

BENCH = Path(__file__).resolve().parents[1] / "bench" / "bench.py"
N = 2000


def _bench():
    spec = importlib.util.spec_from_file_location("reserve_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def bench():
    return _bench()


@pytest.fixture(scope="module")
def books(bench, tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    out = {}
    for fmt in ("parquet", "csv", "xlsx"):
        d = root / fmt
        bench.main(["generate", "--accounts", str(N), "--format", fmt, "--out", str(d)])
        out[fmt] = json.loads((d / "manifest.json").read_text())["book"]
    d = root / "parquet-decimal"
    bench.main(["generate", "--accounts", str(N), "--format", "parquet", "--money", "decimal", "--out", str(d)])
    out["parquet-decimal"] = str(d)
    return out


def test_generated_tables_state_every_required_column(bench):
    """Issue 10 item 2 / issue 11: every column the format requires is written (not left to
    a default the format no longer has)."""
    data = bench.generate_tables(200, cca_customers=20)
    required = {c.name for c in TABLES_BY_NAME["parameters"].columns if c.required}
    assert required <= {k for k, _ in data["params"]}
    for table, cols in data["tables"].items():
        missing = [c.name for c in TABLES_BY_NAME[table].columns if c.required and c.name not in cols]
        assert not missing, f"{table}: {missing}"


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xlsx", "parquet-decimal"])
def test_generated_book_validates_and_computes(books, fmt):
    """Issue 10/11: the benchmark book loads without a problem (load_book raises BookInvalid
    with every problem otherwise) and computes both formulas, in every generated format."""
    book = load_book(books[fmt])
    assert book.row_counts["accounts"] == N
    kinds = set(book.tables["items"]["kind"])
    assert "new_issue_not_received" in kinds and "securities_loaned" in kinds
    result = compute(book)
    assert result.computations["customer"].lines["item_1"] > 0
    assert result.computations["customer"].lines["item_10"] > 0


def test_formats_give_the_same_figures(books):
    """The books are identical across formats (bench/README.md): the same lines, to the cent."""
    figures = {}
    for fmt, path in books.items():
        result = compute(load_book(path))
        figures[fmt] = {b: dict(c.lines) | {"required_deposit": c.required_deposit}
                        for b, c in result.computations.items()}
    first = figures["parquet"]
    for fmt, f in figures.items():
        assert f == first, fmt


def test_duckdb_yardstick_runs(bench, books):
    """bench.py duckdb (the yardstick's aggregation core) still runs on the generated Parquet book."""
    pytest.importorskip("duckdb")

    class Args:
        bookdir = books["parquet"]
        threads = 1

    out = bench.cmd_duckdb(Args)
    assert out["results"]["accounts_by_book"] and out["results"]["items_by_kind"]


def test_all_writes_the_table_of_issue_13s_targets(bench, tmp_path):
    """Issue 13 item 5: `bench.py all` pairs each reserve run with its yardstick, interleaved,
    every run in its own process, and writes the table of every target -- the full run and
    the JSON run against the fair yardstick, the naive DuckDB row, the 40M-account book
    (here a tiny stand-in for --with-40m) and the .xlsx book against fastexcel -- with both
    times, the ratio, peak RSS, the target and whether it is met, and the cost per million
    accounts. Tiny books: this checks the script end to end, not the figures."""
    pytest.importorskip("duckdb")
    pytest.importorskip("fastexcel")
    out = tmp_path / "out"
    res = bench.main(["all", "--xlsx-accounts", "300", "--parquet-accounts", "1000", "--scale-accounts", "0",
                      "--with-40m", "--big-accounts", "1000", "--repeat", "1", "--data", str(tmp_path / "data"),
                      "--out", str(out)])
    table = (out / "results.md").read_text()
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")}
    for key in ("full", "json", "naive", "big", "xlsx"):
        assert key in rows, key
        assert "not run" not in rows[key] and "failed" not in rows[key], rows[key]
    assert "≤ 2× and ≤ 6 GiB" in rows["full"] and "≤ 1.2×" in rows["json"] and "< 180 s and ≤ 24 GiB" in rows["big"]
    assert "not a fair comparison" in rows["naive"] and "fastexcel" in rows["xlsx"]
    assert "1,000 accounts + collateral" in rows and "s per million accounts" in table
    assert "cores" in table and "Python" in table
    runs = [r for v in res["samples"].values() for r in v]
    assert len(runs) == 6 and all(r["rc"] == 0 and r["peak_rss_mib"] > 0 for r in runs)
    fair = res["samples"]["parquet-1000/fair"][0]["output"]
    assert fair["problems"] == {} and fair["dispositions"] > 0
    assert json.loads((out / "results.json").read_text())["plan"]["big"] == 1000


def test_all_says_which_targets_were_not_run(bench):
    """Without --with-40m (and with the .xlsx book skipped) their rows say so, with the flag."""
    res = {"machine": {"cores": 2, "ram_gib": 24.0, "platform": "x", "python": "3", "date": "d", "loadavg_end": 0},
           "repeat": 1, "samples": {}, "plan": {"full": 0, "json": 0, "naive": 0, "big": 0, "xlsx": 0, "sizes": []}}
    text = bench.targets_markdown(res)
    assert "not run (--with-40m)" in text and "not run (--xlsx-accounts N)" in text
