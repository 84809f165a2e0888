"""`reserve template`: an empty book a new user fills in, generated from the schema.

Every table is a sheet with its headers; each header carries a comment describing the
column (type, default, meaning) — a comment rather than a notes row, so the sheet stays a
valid book as it is. Enumerations and booleans get drop-down lists. The `parameters` sheet
lists every parameter name with a description beside it, and a README sheet explains the
rest.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .schema import BLANK, ITEM_KIND_HELP, ITEM_KINDS, REQUIRED, TABLES, Column

HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
REQUIRED_FONT = Font(bold=True)
MAX_ROWS = 100_000  # rows the drop-down lists cover


def describe(c: Column) -> str:
    kind = {"money": "money (dollars, at most 2 decimals)", "pct": "percent 0-100", "date": "date",
            "datetime": "date and time of day (an Excel date-time, or 2026-11-24 08:45)",
            "bool": "TRUE/FALSE", "text": "text", "enum": "one of: " + ", ".join(c.choices)}[c.type]
    if c.default is REQUIRED:
        d = "required"
    elif c.default_from:
        d = f"default: {c.default_from}"
    elif c.default is BLANK:
        d = "may be blank"
    else:
        d = f"default: {c.default}"
    return f"{c.name} — {kind}; {d}.\n{c.help}"


def write_template(path: Path) -> None:
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    lines = [
        "reserve — book template",
        "",
        "Fill in one sheet per table. Row 1 holds the column names (exact, lower case); hover a header for its",
        "description. Columns marked bold are required; others may be left blank (their default applies) or deleted.",
        "Extra columns are allowed and carried into the audit trail. Blank rows are ignored.",
        "Money: dollars with at most 2 decimals (1234.5, 1,234.50, $1,234.50, (1,234.50) = negative).",
        "Dates: Excel dates or 2026-11-20. Date-times (deposits.credited_at): an Excel date and time, or "
        "2026-11-24 08:45. Booleans: TRUE/FALSE (or yes/no, y/n, 1/0).",
        "Account balances: positive = credit (owed to the customer), negative = debit (owed by the customer).",
        "",
        "Check the book with:   reserve validate BOOK.xlsx",
        "Compute it with:       reserve compute BOOK.xlsx --out report/",
        "",
        "Tables:",
    ]
    for t in TABLES:
        lines.append(f"  {t.name}{'' if t.required else ' (optional)'}: {t.help}")
    lines += ["", "Item kinds (items.kind) and the computations they belong to:"]
    for k, books in ITEM_KINDS.items():
        lines.append(f"  {k}: {', '.join(books)}. {ITEM_KIND_HELP.get(k, '')}")
    for i, text in enumerate(lines, start=1):
        readme.cell(row=i, column=1, value=text)
    readme.column_dimensions["A"].width = 120

    for t in TABLES:
        ws = wb.create_sheet(t.name)
        if t.kind == "parameters":
            ws.append(["name", "value", "description"])
            for c in t.columns:
                default = "" if c.default in (REQUIRED, BLANK) or c.default_from else c.default
                ws.append([c.name, default, describe(c).replace("\n", " ")])
            for col, width in (("A", 32), ("B", 28), ("C", 120)):
                ws.column_dimensions[col].width = width
            for cell in ws[1]:
                cell.fill = HEADER_FILL
                cell.font = REQUIRED_FONT
            continue
        ws.append([c.name for c in t.columns])
        for i, c in enumerate(t.columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.fill = HEADER_FILL
            if c.required:
                cell.font = REQUIRED_FONT
            cell.comment = Comment(describe(c), "reserve")
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(12, len(c.name) + 4)
            choices = c.choices if c.type == "enum" else (("TRUE", "FALSE") if c.type == "bool" else ())
            if choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                dv.error = f"{c.name}: choose one of {', '.join(choices)}"
                dv.errorTitle = "reserve"
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{MAX_ROWS}")
            # Formats for the whole column (not a styled row 2, which would leave an empty
            # row behind and format only the first entry).
            if c.type == "date":
                ws.column_dimensions[letter].number_format = "yyyy-mm-dd"
            elif c.type == "datetime":  # the hour shows: a date-time, never a date alone (issue 15)
                ws.column_dimensions[letter].number_format = "yyyy-mm-dd hh:mm"
            elif c.type == "money":
                ws.column_dimensions[letter].number_format = "#,##0.00"
        ws.freeze_panes = "A2"
    tmp = Path(str(path) + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
