"""docs/BOOK_FORMAT.md, generated from the schema so the documentation cannot drift.

    python -m reserve.book.docs > docs/BOOK_FORMAT.md

A test checks that the committed file equals this output.
"""

from __future__ import annotations

from . import guard
from .convert import AMOUNT_BOUND_TEXT, DATE_MAX, DATE_MIN, MONEY_COLUMNS
from .schema import BLANK, ITEM_KIND_HELP, ITEM_KINDS, REQUIRED, TABLES

HEADER = """# The book format

Generated from `reserve/book/schema.py` by `python -m reserve.book.docs`; do not edit by hand.

A **book** is one `.xlsx` workbook with one sheet per table, or one folder with one `.csv` or
`.parquet` file per table named after it (`accounts.csv`, `items.parquet`, ...). A table may be
split across files: `accounts.csv` + `accounts.part2.csv` (any `<table>.<anything>.csv|parquet`),
or a sub-folder `accounts/` of `.csv`/`.parquet` files; the files of one table give the same columns of
the format (a column one file has and another lacks is an error; columns outside the format may
differ). Column order does not matter; blank rows are ignored. A column with a default may be left
out or left blank (see *Names and defaults*).

Types: **money** — dollars with at most 2 decimals (`1234.5`, `1,234.50`, `$1,234.50`,
`(1,234.50)` = -1234.50; an Excel number that is a whole number of cents up to floating-point
noise, such as `=0.1+0.2`, is that number of cents; `12.345` is an error, and so is text in scientific notation, `1.23457E+11`, which a spreadsheet writes for a number it shows so, rounded). **date** — an Excel
date or ISO text `2026-11-20`, 1900 to 2199 (see *Dates and limits*). **datetime** — a date and
a time of day, the bank's local time: an Excel date-time cell whose format shows the hour, ISO
text `2026-11-24 08:45` or `2026-11-24T08:45:00`, or a Parquet timestamp with no time zone; a
date alone is an error (see *Dates and limits*). **bool** — TRUE/FALSE, or
`true/false/t/f/yes/no/y/n/1/0` (any case). **pct** — 0 to 100, a number of percent (`12.5`, `12.5%`); an Excel
cell formatted as a percentage is read as it shows (Excel stores 20% as 0.2: it is 20). **text** — leading/trailing spaces removed; an identifier (a `*_id` column) holding a
character that does not show (a control character such as NUL or DEL, a zero-width space or joiner, a byte
order mark, soft hyphen, direction mark or isolate, a variation selector, a Hangul filler, a space other than
the ordinary space inside it), or not in composed Unicode form (NFC: `é` as `e` + a combining accent), is an
error, and so are two ids of one identifier column that differ only in case (`OAKMONT` and `oakmont`)
or that read the same through look-alike letters of another script or width (`OAKMONT` with a Cyrillic
`О`, or a full-width `Ｏ`): ids are matched exactly, so they would be two customers, banks, securities or
rows. An id of another script that reads as no other id of its column is kept.
**enum** — one of the listed values (case does not matter). A formula cell is read by its
saved value; a formula with no saved value is an error, and so are merged cells in a table
sheet (a merged range holds one value, in its first cell: every cell of a table holds its own).
A CSV row has one field per header column: a row with fewer or more fields is an error.
In a Parquet file a null is a blank cell; a NaN in a floating-point column is an error (it is
no number, and read as a blank it would take the column's default).
"""


LIMITS = f"""
## Dates and limits

**Dates.** A date is ISO text `YYYY-MM-DD` (`2026-11-20`; spaces around it are ignored) or a
date cell: an Excel date, a Parquet `date`, or an Excel/Parquet timestamp with no time zone at
midnight. The years are {DATE_MIN.year} to {DATE_MAX.year}. Anything else is an error naming
the cell and why: another form (`2026/11/20`, `20261120`, `11/20/2026`), text with a time after
the day (even `2026-11-20T00:00:00`), a time zone (`Z`, `+05:00`), a date cell with a time of
day, a year outside {DATE_MIN.year}-{DATE_MAX.year} (`2300-01-01`, `0001-01-01`, Excel's
9999-12-31), a day that does not exist (`2026-02-30`), a number, TRUE/FALSE, or a binary or
nested (list, struct) Parquet value. The business calendar covers the same years, and
{DATE_MAX.year + 1} for the deadlines of late December {DATE_MAX.year}; before 1999 its Federal
Reserve holidays are today's rules applied back (Martin Luther King, Jr. Day in every year, for
instance), not the Fed's historical lists.

**Date-times** (`deposits.credited_at`). A date and a time of day, to the minute or the second:
ISO text `YYYY-MM-DD HH:MM[:SS]` with a space or a `T` between them (`2026-11-24 08:45`,
`2026-11-24T08:45:00`), an Excel date cell whose number format shows the hour (`yyyy-mm-dd
hh:mm`), or a Parquet timestamp with no time zone, in the years {DATE_MIN.year} to {DATE_MAX.year}.
A fraction of a second counts as the next whole second (a credit is never taken as earlier than
the bank recorded it). A date alone is an error, because a deposit's deadline is one hour after
the bank opens: text `2026-11-24`, an Excel cell formatted as a date only (whatever time its value
holds), a Parquet `date` column. So are a time zone (`Z`, `-05:00`), a time that does not exist
(`25:00`), a time without a date, a number and TRUE/FALSE.

**Amounts.** Every amount is at most ${AMOUNT_BOUND_TEXT} ($10^15) either way, and so is every
money column's total of absolute values over its table (all its files together); a book beyond
either is refused, naming the cell, or the table and the column. The bound is far above any
firm and far below what the engine's integer cents hold (about $92 quadrillion): with the
{len(MONEY_COLUMNS)} money columns each within it, no sum the computation forms can overflow.
Percentages are 0 to 100.

**Headers.** A column header that appears twice in a table (a sheet or a file) is an error:
which of the two holds the values would be a guess.
"""


def names_and_defaults() -> str:
    """The name-matching rules and the defaults that can favour the firm, from the schema."""
    rows = []
    for t in TABLES:
        for c in t.columns:
            if c.favourable:
                when = (f"`{c.favourable_when[0]}` {c.favourable_when[1]} `{c.favourable_when[2]}`"
                        if c.favourable_when else "every row")
                rows.append(f"| {t.name}.{c.name} | {_default(c)} | {when} | {c.favourable} |")
    return """
## Names and defaults

**Names.** Sheet, file, folder, column and parameter names are matched ignoring case and
surrounding spaces, inner runs of spaces read as `_` (`Items`, ` items `, `Unsecured Amount`).
A name close to a name of the format (one edit for names of up to 6 letters, two for longer
ones, the same letters without `_`/`-`/`.`, a clipped form of 5 letters or more, a name of 5
letters or more with something before or after it, or with its words shortened: `itemz`,
`doubtfull`, `unsecured`, `items (1)`, `items_2026-11-20`, `is_doubtful`, `doubtful (Y/N)`,
`unsecured_amt`, `noncustomer_ownership_%`), a name of two words or more written word for word with
its words contracted (`cust_id`, `acct_id`, `e5_exc_date`), or a name in full-width forms
(`ＣＵＳＴＯＭＥＲ_ＩＤ`) is an error that says "did you mean ...", unless the
name it resembles is also present (`balance_usd` beside `balance` is an extra column). Any other sheet, file or column is read past: `reserve validate`
lists it, and so does the report's provenance (json `ignored`); extra columns are carried into
the audit trail. Two sheets of one workbook that are the same table are an error. A title row
above a table's header, a CSV that is not UTF-8, and a CSV separated by semicolons or tabs are
errors that say what to do.

**Defaults.** A column whose default would meet a condition of the rule, earn a debit or drop a
credit is required (issue 10: `accounts.type`, `cca_requirements.basis`,
`cca_deposits.cca_account`, `cca_deposits.delivered_by_firm`,
`reserve_bank_accounts.bank_affiliated`, whose original defaults were `cash`, `gross`,
`customer_segregated`, true and false). Every default a book leans on (a column left out, or
cells left blank) is listed with the report's assumptions (`default:<table>.<column>`). The
defaults below can still favour the firm on the rows named; a book that leans on one there gets
a review finding per table, naming each column, until it states them:

| column | default | rows where it matters | effect |
| --- | --- | --- | --- |
""" + "\n".join(rows) + "\n"


def _default(c) -> str:
    if c.default is REQUIRED:
        return "required"
    if c.default_from:
        return f"= {c.default_from}"
    if c.default is BLANK:
        return "blank"
    if isinstance(c.default, bool):
        return "true" if c.default else "false"
    return f"`{c.default}`"


def _type(c) -> str:
    if c.type == "enum":
        return " \\| ".join(f"`{x}`" for x in c.choices) if len(c.choices) <= 6 else "see kinds"
    if c.type == "money" and c.nonneg:
        return "money ≥ 0"
    return c.type


def render() -> str:
    out = [HEADER, LIMITS, names_and_defaults()]
    for t in TABLES:
        out.append(f"\n## `{t.name}`{'' if t.required else ' (optional)'}\n\n{t.help}\n")
        if t.key:
            out.append(f"Unique key: {' + '.join(f'`{k}`' for k in t.key)}.\n")
        head = "| name | type | default | meaning |" if t.kind == "parameters" else "| column | type | default | meaning |"
        out.append("\n" + head + "\n|---|---|---|---|")
        for c in t.columns:
            out.append(f"| {c.name} | {_type(c)} | {_default(c)} | {c.help.replace('|', '/')} |")
        out.append("")
    out.append("\n## Item kinds and their computations\n\n| kind | computations | line and amount taken |\n|---|---|---|")
    for k, books in ITEM_KINDS.items():
        out.append(f"| `{k}` | {', '.join(books)} | {ITEM_KIND_HELP.get(k, '').replace('|', '/')} |")
    out.append("")
    out.append("\n## Limits\n\nA book is checked before it is parsed, so that a damaged or hostile file is refused at "
               "once with a message (never a crash, a hang or gigabytes of memory). Beyond these limits a book "
               "is refused; every limit is far above a real book (`reserve/book/guard.py`).\n\n"
               "| what | limit |\n|---|---|")
    for what, limit in guard.limits():
        out.append(f"| {what} | {limit.replace('|', '/')} |")
    out.append("")
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
