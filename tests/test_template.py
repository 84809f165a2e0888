"""`reserve template`: an empty book with every sheet and column, a description of each
column, drop-downs for enumerations and booleans, a README sheet -- and, once firm_name and
as_of are filled in, a valid book."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from reserve.book import load_book
from reserve.book.schema import ITEM_KINDS, TABLES
from reserve.book.template import write_template
from reserve.errors import BookInvalid


@pytest.fixture(scope="module")
def template_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "book.xlsx"
    write_template(path)
    return path


@pytest.fixture(scope="module")
def wb(template_path):
    return load_workbook(template_path)


def test_every_table_is_a_sheet_and_there_is_a_readme(wb):
    assert wb.sheetnames == ["README"] + [t.name for t in TABLES]


def test_readme_sheet_explains_the_book(wb):
    text = "\n".join(str(r[0]) for r in wb["README"].iter_rows(values_only=True) if r[0])
    assert "reserve validate" in text and "reserve compute" in text
    for t in TABLES:
        assert t.name in text
    for kind in ITEM_KINDS:
        assert kind in text


@pytest.mark.parametrize("table", [t for t in TABLES if t.kind == "rows"], ids=lambda t: t.name)
def test_every_column_has_a_header_with_a_description(wb, table):
    ws = wb[table.name]
    headers = [c.value for c in ws[1]]
    assert headers == list(table.column_names)
    for cell, col in zip(ws[1], table.columns, strict=True):
        assert cell.comment is not None, f"{table.name}.{col.name} has no comment"
        assert cell.comment.text.startswith(col.name) and col.help[:30] in cell.comment.text
        assert bool(cell.font.bold) == col.required  # required columns are bold
    assert ws.max_row == 1  # no notes row: the sheet is a valid, empty table


def _validations(ws) -> dict[str, list[str]]:
    out = {}
    for dv in ws.data_validations.dataValidation:
        choices = dv.formula1.strip('"').split(",")
        for rng in str(dv.sqref).split():
            out[rng.split(":")[0].rstrip("0123456789")] = (choices, str(rng))
    return out


@pytest.mark.parametrize("table", [t for t in TABLES if t.kind == "rows"], ids=lambda t: t.name)
def test_drop_downs_for_enumerations_and_booleans(wb, table):
    ws = wb[table.name]
    dvs = _validations(ws)
    for i, col in enumerate(table.columns):
        letter = ws.cell(row=1, column=i + 1).column_letter
        if col.type == "enum":
            choices, rng = dvs[letter]
            assert choices == list(col.choices), col.name
            assert rng.startswith(f"{letter}2:")
        elif col.type == "bool":
            assert dvs[letter][0] == ["TRUE", "FALSE"], col.name
        else:
            assert letter not in dvs, col.name


def test_parameters_sheet_lists_every_parameter(wb):
    params = next(t for t in TABLES if t.kind == "parameters")
    rows = list(wb["parameters"].iter_rows(values_only=True))
    assert rows[0][:2] == ("name", "value")
    assert [r[0] for r in rows[1:]] == list(params.column_names)
    described = {r[0]: r[2] for r in rows[1:]}
    for c in params.columns:
        assert c.help[:30] in described[c.name]


def test_empty_template_asks_for_firm_name_and_as_of(template_path):
    with pytest.raises(BookInvalid) as exc:
        load_book(template_path)
    messages = sorted(p.message for p in exc.value.problems)
    assert len(messages) == 2
    assert "'as_of' is required" in messages[0] and "'firm_name' is required" in messages[1]


def test_filled_template_validates(template_path, tmp_path):
    wb = load_workbook(template_path)
    ws = wb["parameters"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "firm_name":
            row[1].value = "Harbor Point Securities LLC"
        elif row[0].value == "as_of":
            row[1].value = dt.date(2026, 11, 20)
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    b = load_book(filled)
    assert b.params.firm_name == "Harbor Point Securities LLC" and b.params.as_of == dt.date(2026, 11, 20)
    assert b.params.prepared_on == dt.date(2026, 11, 20) and b.params.frequency == "weekly"
    assert all(n == 0 for n in b.row_counts.values())

    # A first row typed into the template loads too.
    ws = wb["accounts"]
    ws.append(["A1", None, "customer", "cash", 100])
    wb.save(filled)
    assert load_book(filled).table("accounts")["balance"].tolist() == [10000]


def test_template_is_written_atomically(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path)
    assert path.exists() and not list(tmp_path.glob("*.tmp"))
