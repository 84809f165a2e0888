"""The fair yardstick (bench/fair_yardstick.py, issue 13 item 4) does reserve's work, so its
figures are reserve's: on a small generated book every line, total and deposit it computes
equals `reserve`'s to the cent. Where the yardstick leaves a rule out (Note H: Item 15 and
Note B's customers' securities at a qualified clearing agency in Item 2), the test takes
those dispositions out of reserve's lines and says so."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from bookkit import acct, write_book

from reserve.book import load_book
from reserve.formula import compute

pytest.importorskip("duckdb")

BENCH = Path(__file__).resolve().parents[1] / "bench"
N = 3000
NOTE_H_TABLES = ("cca", "cca_requirements", "cca_requirement_increments", "cca_deposits")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"reserve_bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def fy():
    return _load("fair_yardstick")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Two tiny Parquet books: the benchmark's (with Note H tables) and one without them."""
    bench = _load("bench")
    root = tmp_path_factory.mktemp("fair")
    bench.main(["generate", "--accounts", str(N), "--format", "parquet", "--out", str(root / "book")])
    bench.main(["generate", "--accounts", str(N), "--cca-customers", "0", "--format", "parquet",
                "--out", str(root / "no-note-h")])
    return root


def _run(fy, book: Path, out: Path | None = None) -> dict:
    return fy.FairYardstick(book, threads=1).run(out)


FIGURES = ("total_credits", "aggregate_debits", "debit_reduction", "total_debits", "excess_credits", "excess_debits",
           "required_deposit", "offset_by_customer_excess_debits", "sweep", "on_deposit", "deposit_needed")


def test_every_figure_equals_reserve_on_a_book_without_note_h(fy, generated):
    """No Note H rows: nothing the yardstick leaves out applies, so every line of both
    computations, the totals, the 3% reduction, the required deposit, what is on deposit
    (with Rule 15c3-3(e)(5)'s 15% cap per bank) and the deposit needed are reserve's."""
    book = generated / "no-note-h"
    y = _run(fy, book)
    assert y["problems"] == {}
    r = compute(load_book(book))
    for comp in ("customer", "pab"):
        c, yc = r.computations[comp], y["computations"][comp]
        assert yc["lines"] == dict(c.lines), comp
        assert {k: yc[k] for k in FIGURES} == {k: getattr(c, k) for k in FIGURES}, comp
    # the rules the comparison rests on did apply in this book
    assert r.computations["customer"].lines["item_10"] != 0 and r.computations["pab"].lines["item_1"] != 0


def test_lines_equal_reserve_less_note_h(fy, generated):
    """The benchmark's book has Note H rows. The yardstick does not compute Note H, so reserve's
    Item 15 and the Item 2 credits Note H writes (Note B, customers' securities at a qualified
    clearing agency: dispositions of cca_deposits rows) are taken out before comparing; every
    other line is equal to the cent. Totals differ by exactly those amounts (credits) -- the
    debit reduction, the requirement and the deposit are measured on them, so they are not
    compared here (the test above compares them on a book without Note H)."""
    book = generated / "book"
    y = _run(fy, book)
    r = compute(load_book(book))
    d = r.dispositions
    note_h = d[d["table"].isin(NOTE_H_TABLES)]
    assert len(note_h), "the book exercises Note H"
    for comp in ("customer", "pab"):
        by_line = note_h[note_h["computation"] == comp].groupby("line", observed=True)["amount"].sum()
        expected = {k: v - int(by_line.get(k, 0)) for k, v in r.computations[comp].lines.items()}
        assert y["computations"][comp]["lines"] == expected, comp
        credit_h = sum(int(by_line.get(k, 0)) for k in fy.CREDITS)
        assert y["computations"][comp]["total_credits"] == r.computations[comp].total_credits - credit_h


def test_the_trail_has_one_record_per_input_row_and_sums_to_the_lines(fy, generated, tmp_path):
    """dispositions.parquet: one record per row of accounts, collateral, items and
    reserve_bank_accounts (plus the new issues' related debits and the group adjustments),
    amounts int64 cents, and the records of each line add up to the line."""
    book = generated / "no-note-h"
    y = _run(fy, book, tmp_path)
    t = pq.read_table(tmp_path / "dispositions.parquet")
    assert t.schema.field("amount").type == pa.int64()
    assert t.num_rows == y["dispositions"]
    primary = t.filter(pc.not_equal(t["reason"], "related debit"))
    tables = primary.group_by("table").aggregate([("row", "count")]).to_pydict()
    counts = dict(zip(tables["table"], tables["row_count"], strict=True))
    for table in ("accounts", "collateral", "items", "reserve_bank_accounts"):
        assert counts[table] == y["rows"][table], table
    sums = t.group_by(["computation", "line"]).aggregate([("amount", "sum")]).to_pylist()
    for comp in ("customer", "pab"):
        got = {s["line"]: s["amount_sum"] for s in sums if s["computation"] == comp}
        for line, v in y["computations"][comp]["lines"].items():
            assert got.get(line, 0) == v, (comp, line)


def test_problems_are_counted_and_located(fy, generated, tmp_path):
    """A broken copy of the book: a duplicate account key, an amount that is not whole cents,
    a blank in a required column, collateral naming no account: each problem counted with
    its first rows (0-based positions)."""
    book = tmp_path / "broken"
    shutil.copytree(generated / "no-note-h", book)
    acc = pq.read_table(book / "accounts.parquet").to_pydict()
    gone = acc["account_id"][7]  # its collateral rows then name no account either
    acc["account_id"][7] = acc["account_id"][3]
    acc["type"][7] = acc["type"][3]
    acc["balance"][5] = 12.345
    acc["book"][9] = None
    pq.write_table(pa.table(acc), book / "accounts.parquet")
    col = pq.read_table(book / "collateral.parquet").to_pydict()
    col["account_id"][2] = "NO-SUCH-ACCOUNT"
    pq.write_table(pa.table(col), book / "collateral.parquet")
    p = _run(fy, book)["problems"]
    assert p["accounts: duplicate account_id + type"] == {"count": 1, "first_rows": [3, 7]}
    assert p["accounts.balance: not an amount of whole cents"]["first_rows"] == [5]
    assert p["accounts.book: blank in a required column"]["first_rows"] == [9]
    orphans = sorted({2} | {i for i, a in enumerate(col["account_id"]) if a == gone})
    assert p["collateral.account_id: no such account"] == {"count": len(orphans), "first_rows": orphans[:fy.SHOW]}


def test_main_prints_one_json_line(fy, generated, capsys):
    fy.main([str(generated / "no-note-h"), "--threads", "1"])
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(out["sha256"]) >= {"accounts.parquet", "collateral.parquet", "items.parquet", "parameters.parquet"}
    assert out["rows"]["accounts"] == N and out["peak_rss_mib"] > 0


def _csv_to_parquet(folder: Path, out: Path) -> Path:
    """A bookkit CSV book as a Parquet book of text columns: the yardstick types text cells."""
    import pyarrow.csv as pcsv

    out.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("*.csv"):
        names = pcsv.read_csv(f).column_names
        t = pcsv.read_csv(f, convert_options=pcsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                                   strings_can_be_null=False))
        pq.write_table(t, out / f"{f.stem}.parquet")
    return out


def test_note_e1_shares_limited_to_the_debit_and_text_cells(fy, tmp_path):
    """Note E(1), worked by hand: two margin accounts, each a $100 debit holding $140 of each
    of two securities. Capped value 4 x $140 = $560; 15% = $84; each security's value $280
    exceeds it by $196, capped at the $200 of debits it collateralizes: reduction $196 each.
    Each account's share: 196 x 100/200 = $98 per security, $196 in all, more than its $100
    debit: $96 given back per account. Item 10 = 200 - 392 + 192 = $0. The book's cells are
    text (a CSV book written to Parquet as strings), so the yardstick's text typing is used."""
    margin = {"type": "margin", "e5_exception": "none"}
    csv_book = write_book(tmp_path / "csv", accounts=[acct("A", "-100.00", **margin), acct("B", "-100", **margin),
                                                      acct("C", "250.5")],
                          collateral=[{"account_id": a, "security_id": s, "market_value": "140", "exempted": "false"}
                                      for a in ("A", "B") for s in ("S1", "S2")])
    book = _csv_to_parquet(csv_book, tmp_path / "parquet")
    y = _run(fy, book, tmp_path / "trail")
    assert y["problems"] == {}
    c = y["computations"]["customer"]
    assert c["lines"]["item_10"] == 0 and c["lines"]["item_1"] == 25050
    trail = pq.read_table(tmp_path / "trail" / "dispositions.parquet").to_pylist()
    e1 = sorted(r["amount"] for r in trail if r["rule"] == "Note E(1)" and r["table"] == "")
    assert e1 == [-19600, -19600, 19200]
    r = compute(load_book(csv_book)).computations["customer"]
    assert dict(r.lines) == c["lines"]


def test_the_new_refusals_and_the_repeat_count(fy, generated, tmp_path):
    """What reserve refuses since the last walk-through, the yardstick counts too, so that it
    does the same work: one account_id in two books (both rows named), two ids differing only
    in case, an invisible character in an id, a NaN amount (not a finite number of cents); and
    a collateral row repeating another exactly is counted (reserve names it for review)."""
    import math

    book = tmp_path / "hostile"
    shutil.copytree(generated / "no-note-h", book)
    acc = pq.read_table(book / "accounts.parquet").to_pydict()
    i, j = 3, 8
    assert acc["book"][i] != "pab" or acc["book"][j] != "pab"
    acc["account_id"][j] = acc["account_id"][i]  # the same id: customer and (now) pab
    acc["book"][i], acc["book"][j] = "customer", "pab"
    acc["type"][j] = "cash" if acc["type"][i] != "cash" else "margin"  # not also a duplicate key
    acc["customer_id"][11] = acc["customer_id"][12].lower() if acc["customer_id"][12].lower() != acc["customer_id"][12] \
        else acc["customer_id"][12].upper()
    acc["customer_id"][13] = acc["customer_id"][13] + "\u200b"
    acc["balance"][14] = math.nan
    pq.write_table(pa.table(acc), book / "accounts.parquet")
    y = _run(fy, book)
    p = y["problems"]
    assert p["accounts.account_id: in two books"] == {"count": 2, "first_rows": [i, j]}
    assert "accounts: duplicate account_id + type" not in p
    same = sorted(k for k, c in enumerate(acc["customer_id"]) if c.lower() == acc["customer_id"][12].lower())
    assert p["accounts.customer_id: differs only in case from another id"] == {"count": len(same),
                                                                               "first_rows": same[:fy.SHOW]}
    assert p["accounts.customer_id: a character that does not show"] == {"count": 1, "first_rows": [13]}
    assert p["accounts.balance: not an amount of whole cents"] == {"count": 1, "first_rows": [14]}


def test_collateral_repeats_are_counted_as_reserve_names_them(fy, generated, tmp_path):
    """Three collateral rows each copied once more and one twice (copies at the end): the
    yardstick's count of exact repeats is the number of reserve's Note E(1) repeat findings
    (rows of a tested account only: both count within the 15% test's rows)."""
    book = tmp_path / "repeats"
    shutil.copytree(generated / "no-note-h", book)
    col = pq.read_table(book / "collateral.parquet")
    extra = [col.slice(k, 1) for k in (0, 1, 2, 2)]
    pq.write_table(pa.concat_tables([col, *extra]), book / "collateral.parquet")
    y = _run(fy, book)
    found = [f for f in compute(load_book(book)).findings if f.rule == "Note E(1)" and "repeats" in f.message]
    assert y["collateral_repeats"] == len(found) > 0
    assert _run(fy, generated / "no-note-h")["collateral_repeats"] == 0
