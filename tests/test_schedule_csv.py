"""A schedule too long for its workbook sheet is also written as supporting/<slug>.csv (issue 14
item 3): every row, UTF-8 with a byte order mark, CRLF line ends, amounts as the exact decimal
text of their cents, text that Excel could take for a formula prefixed with an apostrophe;
written with the rest of the output set (named in the manifest, removed with the set) and
named in the schedule sheet's note."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_report_golden import computed

import reserve.report.render as render
import reserve.report.supporting as supporting
from reserve.api import write_outputs
from reserve.outputs import MANIFEST

RISKY = ["=1+1", "+SUM(A1)", "-2", "@cmd"]  # (the loader trims a leading tab / CR / LF: see csv_safe's test)
CAP = 10


def accounts() -> list[dict]:
    rows = [dict(account_id=f"A{i:03d}", book="customer", balance=f"{100 + i}.{i % 100:02d}") for i in range(40)]
    for i, text in enumerate(RISKY):
        rows.append(dict(account_id=text, book="customer", balance=f"{7 + i}.05"))
    return rows


@pytest.fixture
def capped(monkeypatch):
    """The workbook's cap (and so the CSV's threshold) at CAP rows."""
    monkeypatch.setattr(supporting, "WORKBOOK_ROWS_PER_SCHEDULE", CAP)
    monkeypatch.setattr(render, "WORKBOOK_ROWS_PER_SCHEDULE", CAP)


def read_csv(path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    assert raw.startswith(supporting.CSV_BOM)
    text = raw[len(supporting.CSV_BOM):].decode("utf-8")
    return raw, list(csv.reader(io.StringIO(text, newline="")))


def as_text(table: pa.Table) -> list[list[str]]:
    """The Parquet file's rows as the CSV should hold them, worked out cell by cell here."""
    out = []
    for rec in table.to_pylist():
        row = []
        for v in rec.values():
            if v is None:
                row.append("")
            elif isinstance(v, bool):
                row.append("true" if v else "false")
            elif isinstance(v, str):
                row.append("'" + v if v[:1] in "=+-@\t\r\n" and v else v)
            else:
                row.append(str(v))  # Decimal("1234.50") -> "1234.50"; a date -> ISO
        out.append(row)
    return out


def test_a_capped_schedule_is_also_a_csv_excel_opens(tmp_path, capped):
    b, result, report = computed(tmp_path / "book", accounts=accounts(), collateral=[], cca_requirements=[],
                                 cca_deposits=[])
    out = tmp_path / "out"
    written = write_outputs(out, b, result, ("xlsx", "json"), report=report)
    path = out / "supporting" / "customer_item_1.csv"
    assert path in written
    manifest = json.loads((out / MANIFEST).read_text())
    assert "supporting/customer_item_1.csv" in manifest["files"]
    table = pq.read_table(out / "supporting" / "customer_item_1.parquet")
    assert table.num_rows > CAP
    raw, rows = read_csv(path)
    assert raw.count(b"\r\n") == raw.count(b"\n") == table.num_rows + 1  # CRLF line ends
    assert rows[0] == table.column_names
    assert rows[1:] == as_text(table)
    ids = [r[rows[0].index("account_id")] for r in rows[1:]]
    assert {"'" + t for t in RISKY} <= set(ids)  # formula-looking text neutralised
    assert set(RISKY) <= set(table.column("account_id").to_pylist())  # the Parquet file keeps the book's text
    amounts = [r[0] for r in rows[1:]]
    assert all(a.count(".") == 1 and len(a.split(".")[1]) == 2 for a in amounts)  # exact cents as text
    # only the schedules longer than the cap
    small = [s for s in supporting.schedules(result) if s.rows <= CAP]
    assert small and not any((out / f"supporting/{s.slug}.csv").exists() for s in small)
    # the sheet says where the rest is
    ws = openpyxl.load_workbook(out / "report.xlsx")["Customer Item 1"]
    note = ws["A3"].value
    assert f"largest {CAP:,} of {table.num_rows:,}" in note and "supporting/customer_item_1.csv" in note
    assert ws.max_row == 5 + CAP


def test_the_csv_goes_with_its_set(tmp_path, monkeypatch):
    b, result, report = computed(tmp_path / "book", accounts=accounts(), collateral=[], cca_requirements=[],
                                 cca_deposits=[])
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        m.setattr(supporting, "WORKBOOK_ROWS_PER_SCHEDULE", CAP)
        m.setattr(render, "WORKBOOK_ROWS_PER_SCHEDULE", CAP)
        write_outputs(out, b, result, ("xlsx", "json"), report=report)
    assert (out / "supporting" / "customer_item_1.csv").exists()
    write_outputs(out, b, result, ("xlsx", "json"), report=report)  # the default cap: no CSV needed
    assert not (out / "supporting" / "customer_item_1.csv").exists()  # removed with the old set
    assert "Customer Item 1" in openpyxl.load_workbook(out / "report.xlsx").sheetnames


def test_a_batched_schedule_writes_the_same_csv(tmp_path, capped, monkeypatch):
    b, result, report = computed(tmp_path / "book", accounts=accounts(), collateral=[], cca_requirements=[],
                                 cca_deposits=[])
    sched = next(s for s in supporting.schedules(result) if s.slug == "customer_item_1")
    supporting.write_trail(tmp_path / "one", b, result, sched)
    monkeypatch.setattr(supporting, "SUPPORTING_BATCH_ROWS", 7)  # several batches, one CSV
    supporting.write_trail(tmp_path / "batched", b, result, sched)
    one = (tmp_path / "one" / sched.csv_name).read_bytes()
    assert (tmp_path / "batched" / sched.csv_name).read_bytes() == one
    assert one.count(supporting.CSV_BOM) == 1


def test_the_csv_stops_at_the_rows_excel_opens(tmp_path, capped, monkeypatch):
    """A schedule longer than an Excel sheet: its CSV holds its largest CSV_ROWS rows (here 15
    of 44; really 1,048,575), the Parquet file every row; both write paths agree, and the
    sheet and the page say so."""
    monkeypatch.setattr(supporting, "CSV_ROWS", 15)
    monkeypatch.setattr(render, "HTML_ROWS_PER_SCHEDULE", 5)  # the page shows 5, so it says where the rest are
    b, result, report = computed(tmp_path / "book", accounts=accounts(), collateral=[], cca_requirements=[],
                                 cca_deposits=[])
    sched = next(s for s in supporting.schedules(result) if s.slug == "customer_item_1")
    assert sched.rows == 44 and sched.csv_rows == 15  # 40 + the 4 risky ids, all credits
    out = tmp_path / "out"
    write_outputs(out, b, result, ("html", "xlsx", "json"), report=report)
    table = pq.read_table(out / sched.file_name)
    assert table.num_rows == 44
    raw, rows = read_csv(out / sched.csv_name)
    assert rows[1:] == as_text(table.slice(0, 15))  # the first 15 of the Parquet file: its largest
    amounts = [int(r[0].replace(".", "")) for r in rows[1:]]
    assert amounts == sorted(amounts, reverse=True) and amounts[-1] >= max(
        int(str(v).replace(".", "")) for v in table.column("line_amount").to_pylist()[15:])
    monkeypatch.setattr(supporting, "SUPPORTING_BATCH_ROWS", 7)  # batches of 7: the CSV stops inside the 3rd
    supporting.write_trail(tmp_path / "batched", b, result, sched)
    assert (tmp_path / "batched" / sched.csv_name).read_bytes() == raw
    note = openpyxl.load_workbook(out / "report.xlsx")["Customer Item 1"]["A3"].value
    assert "the CSV holds its largest 15 rows" in note and "every row" in note
    assert "(its largest 15 rows, all an Excel sheet holds)" in (out / "report.html").read_text()


def test_csv_safe_neutralises_text_and_names_only():
    t = pa.table({"=name": ["=a", None, "b", "-1", "\tt", "\rr", "\nn", "a=b"],
                  "n": pa.array([-1, 2, None, 3, 4, 5, 6, 7], pa.int64()),
                  "d": pa.array(["x", "@y", "x", None, "+", "x", "x", "x"]).dictionary_encode()})
    safe = supporting.csv_safe(t)
    assert safe.column_names == ["'=name", "n", "d"]
    assert safe.column(0).to_pylist() == ["'=a", None, "b", "'-1", "'\tt", "'\rr", "'\nn", "a=b"]
    assert safe.column(1).to_pylist() == [-1, 2, None, 3, 4, 5, 6, 7]  # numbers are numbers
    assert safe.column(2).to_pylist() == ["x", "'@y", "x", None, "'+", "x", "x", "x"]
