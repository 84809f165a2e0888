"""Small books written inline in tests: `write_book(tmp_path, parameters={...}, accounts=[...])`.

Each table is a list of dicts (one per row); columns left out take their defaults. The book
is written as a folder of CSV files -- the same loader path users take -- and loaded.
"""

from __future__ import annotations

import csv
from pathlib import Path

from reserve.book import load_book

BASE_PARAMETERS = {
    "firm_name": "Example Securities LLC",
    "as_of": "2026-11-20",  # a Friday
    "tentative_net_capital": "100000000",
}


# Columns the book format requires since issue 10 (their old defaults favoured the firm). A
# test that leaves one out of a row gets the old default stated here, in the kit, so that each
# test still says only what it is about; a test of the requirement itself writes the CSV
# itself or passes the column as None (a blank cell).
STATED = {
    "accounts": {"type": "cash"},
    "cca_requirements": {"basis": "gross"},
    "cca_deposits": {"cca_account": "customer_segregated", "delivered_by_firm": "true"},
    "reserve_bank_accounts": {"bank_affiliated": "false"},
}


def write_book(folder: Path, parameters: dict | None = None, state_required: bool = True, **tables: list[dict]) -> Path:
    if state_required:
        tables = {name: [{**STATED.get(name, {}), **r} for r in rows] for name, rows in tables.items()}
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    params = dict(BASE_PARAMETERS)
    params.update(parameters or {})
    params = {k: v for k, v in params.items() if v is not None}
    with open(folder / "parameters.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "value"])
        for k, v in params.items():
            w.writerow([k, v])
    tables.setdefault("accounts", [])
    for name, rows in tables.items():
        cols: list[str] = []
        for r in rows:
            for k in r:
                if k not in cols:
                    cols.append(k)
        if not cols:  # an empty table: its required columns only
            from reserve.book.schema import TABLES_BY_NAME

            cols = [c.name for c in TABLES_BY_NAME[name].columns if c.required]
        with open(folder / f"{name}.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            for r in rows:
                w.writerow(["" if r.get(c) is None else r.get(c) for c in cols])
    return folder


def book(folder: Path, parameters: dict | None = None, **tables: list[dict]):
    return load_book(write_book(folder, parameters, **tables))


def problems_of(path):
    """The BookInvalid that loading `path` raises (the test fails if it loads)."""
    import pytest

    from reserve.errors import BookInvalid

    with pytest.raises(BookInvalid) as exc:
        load_book(path)
    return exc.value


def bad_book(tmp_path: Path, parameters: dict | None = None, **tables: list[dict]):
    return problems_of(write_book(tmp_path / "book", parameters, **tables))


def only(err, **match):
    """The one problem whose fields equal `match` (fails listing every problem otherwise)."""
    found = [p for p in err.problems if all(getattr(p, k) == v for k, v in match.items())]
    assert len(found) == 1, f"expected one problem {match}, got:\n" + "\n".join(map(str, err.problems))
    return found[0]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook with one sheet per entry, each row a list of cell values (None = empty),
    written exactly as given."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def acct(i, balance, **kw) -> dict:
    """One `accounts` row of the customer book (override any column with a keyword)."""
    return {"account_id": i, "book": "customer", "balance": balance, **kw}


def item(i, kind, amount, **kw) -> dict:
    """One `items` row of the customer book (override any column with a keyword)."""
    return {"item_id": i, "book": "customer", "kind": kind, "amount": amount, **kw}
