#!/usr/bin/env python
"""The fair yardstick: DuckDB doing the work `reserve compute --format json` does on a
Parquet book (issue 13, item 4), so that "reserve / yardstick" compares like with like.

    python bench/fair_yardstick.py BOOKDIR [--out DIR] [--threads N]
    python bench/bench.py fair BOOKDIR [--out DIR]        # the same, as bench.py runs it

BOOKDIR is a folder of `<table>.parquet` files (`bench.py generate --format parquet`). It
prints one JSON line: rows per table, the problems found (a count and the first rows of
each), both computations' lines and totals, the SHA-256 of every input file, and the
seconds of each step. With --out it writes DIR/dispositions.parquet.

What it does -- all of it in DuckDB SQL; Python only writes the SQL from the schema, hashes
the files on a second thread (as reserve does) and runs a few exact fractions for the
handful of accounts Note E(1)'s shares touch:

  read     every column of every table of the schema (`reserve.book.schema.TABLES`, read
           as data: the column names, types, defaults and keys), each row with its position;
  type     every cell by its declared type: money -> exact int64 cents (a float64 dollar
           amount must be the nearest double to a whole cent: round(x*100)/100 = x; decimal,
           integer and plain "-1234.56" text also read), >= 0 where the column says so; pct
           -> int64 1/10,000 of a percent, 0 to 100; dates (date, timestamp at midnight, ISO
           text); bools (bool, or the words true/false/yes/no/y/n/1/0); enums (trimmed,
           case-insensitive, one of the choices); text (trimmed, blank = missing); every bad
           cell counted per column in the same pass (a bit per check); blanks in required
           columns reported; defaults applied (constants, and `default_from` columns such as
           customer_id = account_id);
  ids      every *_id text column: no invisible character, no two ids differing only in case
           (a scan for non-ASCII bytes and letters of both cases; the ids grouped only then);
  keys     unique: accounts (account_id, type), one account_id in one book only,
           items.item_id, and every other table's declared key;
  refer    collateral -> a margin account of `accounts` (an unknown account and a
           non-margin one told apart); items: the kind allowed in the row's book, the
           columns a kind needs (open_date of the ageing kinds, description of other
           credits and debits, security_type of new issues), clearing_org_id ->
           clearing_organizations, allocated_to -> a fail to receive, reserve_bank_account_id
           -> reserve_bank_accounts; Note H tables: cca_requirements, cca_deposits and the
           increments -> cca and accounts (owner_account_id too), cca_deposits.increment_id ->
           increments; a customer-margin debit without tentative_net_capital;
  formula  the scope (non-customers; broker-dealer accounts that are not PAB accounts; the
           cross-margining order); Item 1 (Note E(2)'s increase of an omnibus credit);
           Item 10 less doubtful and unsecured accounts and parts, Notes E(4), E(6) (the
           5%-50% share rounded up) and E(2); Note E(1) per (account, security) capped at
           140% of the debit, each security's excess over 15% of all of it, the reduction
           capped at the debits it collateralizes, an account never losing more than its
           debit; Note E(5) per customer over 25% of tentative net capital by more than
           $50,000, measured after the accounts' Note E(1) shares, with the plenary, partial
           and requested (five business days) exceptions; the items by kind: Notes A-D,
           Items 2-9 with their ages in calendar days (Items 7 and 8: 7 business days for the
           alternative method), Items 11 and 12 less the fails allocated to fails to receive,
           Items 13 and 14 (Notes F, G: permitted forms, counted once per clearing
           organization up to its requirement, Note G(b)/(c) from clearing_organizations),
           Note B's letters of credit, other credits and debits, the next-day sweep, the new
           issues of Rule 15c3-1(a)(1)(ii)(C), PAB Notes 5-9; Item 16: totals, the debit
           reduction (Note E(3) 1%, or 3% / 2% of aggregate debits; none for PAB), excess,
           the required deposit (105% of a monthly customer excess), Rule 15c3-3(e)(4)'s
           offset, on deposit in the reserve bank accounts (written notification, affiliated
           banks, the 15% equity-capital cap per bank), the deposit needed; collateral rows
           repeating another exactly counted (reserve's review finding). Business days are
           weekdays less the Federal Reserve holidays (taken from `reserve.calendar` as a
           list of dates) and the book's holidays;
  trail    the disposition table written to Parquet: one record per input row of accounts,
           collateral, items and reserve_bank_accounts (table, row, computation, line or
           `excluded`, amount in cents, rule, reason; text as DuckDB ENUMs, so dictionary
           columns), the new issues' related debits, and the group adjustments (Note E(1)
           per security, the E(1) give-back, Note E(5) per customer).

What it does NOT do that reserve does:
  * Note H and Item 15 (clearing agencies' Treasury margin; Note B's customers' securities
    at a qualified clearing agency as an Item 2 credit) -- the Note H tables are typed,
    keyed and referenced, not computed; the Note H pairing;
  * CSV and .xlsx input, hostile-file guards, header-name matching and title rows, money as
    "$1,234.50" or "(12.00)" text, the values beyond +/- the amount bound;
  * findings (the review list: each exclusion, aged item, large debtor ... worded and
    listed), the Note E(1) "not tested" finding, frequency and default-use findings, the
    assumptions, a problem worded per cell (it counts problems and keeps the first rows);
  * the reasons word for word (its reasons are its own short texts);
  * report.json / html / xlsx and supporting/*.parquet (its one output is the disposition
    table), the deposit deadline;
  * the clearing_organizations, holidays, cca* and review rows in the trail.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from reserve.book.convert import _HIDDEN
from reserve.book.schema import ITEM_KINDS, TABLES, Column, Table
from reserve.calendar import BusinessCalendar

SHOW = 5  # rows shown per problem
# what reserve's typing refuses in an id (the same RE2 pattern; DuckDB's regexps are RE2 too). The
# yardstick looks for it only in a column with bytes beyond ASCII: ASCII control bytes in an id
# (reserve refuses them too, one numpy pass) are not looked for here
INVISIBLE = _HIDDEN
TRUE = ("true", "yes", "y", "1", "t")
FALSE = ("false", "no", "n", "0", "f")
CREDITS = ("item_1", "item_2", "item_3", "item_4", "item_5", "item_6", "item_7", "item_8", "item_9", "other_credits")
DEBITS = ("item_10", "item_11", "item_12", "item_13", "item_14", "item_15", "other_debits")
AGEING = ("fail_to_receive", "stock_dividend_receivable", "short_count_difference", "suspense_short",
          "transfer_unconfirmed", "fail_to_deliver", "new_issue_not_received")
PERMITTED = ("cash", "qualified_securities", "customer_loc")


def lit(v: object) -> str:
    """A SQL literal."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dt.date):
        return f"DATE '{v.isoformat()}'"
    return "'" + str(v).replace("'", "''") + "'"


def col(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


# ----------------------------------------------------------------------- typing, per cell


def _scaled(c: str, duck_type: str, scale: int) -> tuple[str, str]:
    """(exact integer in units of 10**-scale, or NULL; the condition of a bad cell)."""
    m = 10 ** scale
    t = duck_type.upper()
    if t in ("DOUBLE", "FLOAT", "REAL"):
        x = f"CAST({c} AS DOUBLE)"
        units = f"round({x} * {m})"
        # the nearest double to a whole unit, within 2**53 (beyond it a double is no amount)
        ok = f"(isfinite({x}) AND abs({units}) < 9007199254740992 AND {units} / {m} = {x})"
        return f"CASE WHEN {ok} THEN CAST({units} AS BIGINT) END", f"({c} IS NOT NULL AND NOT {ok})"
    if t.startswith("DECIMAL"):
        s = int(t[t.index(",") + 1:t.index(")")])
        if s <= scale:
            return f"CAST(CAST({c} AS DECIMAL(38, {scale})) * {m} AS BIGINT)", "FALSE"
        exact = f"(round({c}, {scale}) = {c})"
        return (f"CASE WHEN {exact} THEN CAST(CAST({c} AS DECIMAL(38, {scale})) * {m} AS BIGINT) END",
                f"({c} IS NOT NULL AND NOT {exact})")
    if any(t.startswith(k) for k in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER")):
        return f"CAST({c} AS BIGINT) * {m}", "FALSE"
    s = f"nullif(trim(CAST({c} AS VARCHAR)), '')"
    ok = f"regexp_full_match({s}, '-?[0-9]{{1,15}}(\\.[0-9]{{1,{scale}}})?')"
    return (f"CASE WHEN {ok} THEN CAST(CAST({s} AS DECIMAL(38, {scale})) * {m} AS BIGINT) END",
            f"({s} IS NOT NULL AND NOT coalesce({ok}, FALSE))")


def cell_sql(column: Column, duck_type: str | None) -> tuple[str, str, str]:
    """(typed value, bad-cell condition, blank condition) of one declared column."""
    c = col(column.name)
    if duck_type is None:
        return "NULL", "FALSE", "TRUE"
    t = duck_type.upper()
    text = f"nullif(trim(CAST({c} AS VARCHAR)), '')"
    if column.type == "text":
        return text, "FALSE", f"({text} IS NULL)"
    if column.type == "enum":
        e = f"lower({text})"
        return e, f"({e} NOT IN ({', '.join(lit(x) for x in column.choices)}))", f"({text} IS NULL)"
    if column.type == "bool":
        if t == "BOOLEAN":
            return c, "FALSE", f"({c} IS NULL)"
        e = f"lower({text})"
        return (f"({e} IN ({', '.join(map(lit, TRUE))}))", f"({e} NOT IN ({', '.join(map(lit, TRUE + FALSE))}))",
                f"({text} IS NULL)")
    if column.type == "date":
        if t == "DATE":
            return c, "FALSE", f"({c} IS NULL)"
        if t.startswith("TIMESTAMP"):
            return f"CAST({c} AS DATE)", f"(CAST({c} AS TIME) <> TIME '00:00:00')", f"({c} IS NULL)"
        iso = f"regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')"
        val = f"CASE WHEN {iso} THEN TRY_CAST({text} AS DATE) END"
        return val, f"({text} IS NOT NULL AND {val} IS NULL)", f"({text} IS NULL)"
    if column.type in ("money", "pct"):
        value, bad = _scaled(c, t, 2 if column.type == "money" else 4)
        if column.type == "pct":
            bad = f"({bad} OR coalesce({value} NOT BETWEEN 0 AND 1000000, FALSE))"
        elif column.nonneg:
            bad = f"({bad} OR coalesce({value} < 0, FALSE))"
        blank = f"({text} IS NULL)" if t == "VARCHAR" else f"({c} IS NULL)"
        return value, bad, blank
    raise ValueError(f"unknown column type {column.type}")


def default_sql(column: Column) -> str | None:
    """The SQL constant of a column's default (None: no default, or one from another column)."""
    d = column.default
    if column.required or d is None or column.default_from:
        return None
    if isinstance(d, (bool, int)):
        return lit(d)
    if isinstance(d, str):
        return lit(d)
    return None


# ----------------------------------------------------------------------- the run


class FairYardstick:
    """One run of the yardstick on one Parquet book."""

    def __init__(self, bookdir: Path, threads: int = 0) -> None:
        self.dir = Path(bookdir)
        self.db = duckdb.connect()
        if threads:
            self.db.execute(f"SET threads = {int(threads)}")
        # every record carries its row position: the engine need not keep insertion order
        self.db.execute("SET preserve_insertion_order = false")
        self.seconds: dict[str, float] = {}
        self.problems: dict[str, dict] = {}
        self.rows: dict[str, int] = {}
        self.present: dict[str, set[str]] = {}

    # -- helpers
    def sql(self, step: str, query: str) -> list[tuple]:
        t0 = time.perf_counter()
        rel = self.db.execute(query)
        out = rel.fetchall() if rel.description else []
        self.seconds[step] = round(self.seconds.get(step, 0.0) + time.perf_counter() - t0, 3)
        return out

    def problem(self, what: str, count: int, rows_query: str | None = None) -> None:
        if not count:
            return
        first = [r[0] for r in self.db.execute(f"{rows_query} LIMIT {SHOW}").fetchall()] if rows_query else []
        self.problems[what] = {"count": int(count), "first_rows": first}

    # -- read and type
    def load_table(self, table: Table) -> None:
        path = self.dir / f"{table.name}.parquet"
        name = f"t_{table.name}"
        if not path.exists():
            if table.required:
                self.problem(f"{table.name}: the table is missing", 1)
            empty = ", ".join(f"CAST(NULL AS {self._duck(c)}) AS {col(c.name)}" for c in table.columns)
            self.db.execute(f"CREATE TEMP TABLE {name} AS SELECT 0::BIGINT AS _row, {empty} LIMIT 0")
            self.rows[table.name] = 0
            self.present[table.name] = set()
            return
        src = f"read_parquet({lit(str(path))}, file_row_number = true)"
        schema = dict(self.db.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM {src})").fetchall())
        self.present[table.name] = set(schema)
        typed, checks = {}, []  # checks: (what, condition)
        for c in table.columns:
            if c.required and c.name not in schema:
                self.problem(f"{table.name}.{c.name}: required column missing", 1)
            value, bad, blank = cell_sql(c, schema.get(c.name))
            if c.name not in schema:
                value = f"CAST(NULL AS {self._duck(c)})"
            if bad != "FALSE":
                checks.append((f"{table.name}.{c.name}: not {self._expects(c)}", f"({blank} IS FALSE AND {bad})"))
            if c.required and c.name in schema:
                checks.append((f"{table.name}.{c.name}: blank in a required column", blank))
            d = default_sql(c)
            typed[c.name] = value if d is None else f"coalesce({value}, {d})"
        for c in table.columns:  # defaults taken from another column's typed value
            if c.default_from:
                typed[c.name] = f"coalesce({typed[c.name]}, {typed[c.default_from]})"
        assert len(checks) < 63, f"{table.name}: too many checks for one BIGINT of bits"
        bits = " + ".join(f"(CASE WHEN {cond} THEN {1 << i} ELSE 0 END)" for i, (_, cond) in enumerate(checks)) or "0"
        sel = ", ".join(f"{v} AS {col(k)}" for k, v in typed.items())
        self.sql("read+type", f"CREATE TEMP TABLE {name} AS SELECT file_row_number AS _row, {sel}, "
                              f"CAST({bits} AS BIGINT) AS _bad FROM {src}")
        counts = self.sql("read+type", f"SELECT count(*), {', '.join(f'count_if(_bad & {1 << i} <> 0)' for i in range(len(checks))) or '0'} "
                                       f"FROM {name}")[0]
        self.rows[table.name] = int(counts[0])
        for i, ((what, _), n) in enumerate(zip(checks, counts[1:], strict=True)):
            self.problem(what, n, f"SELECT _row FROM {name} WHERE _bad & {1 << i} <> 0 ORDER BY _row")

    @staticmethod
    def _duck(c: Column) -> str:
        return {"money": "BIGINT", "pct": "BIGINT", "date": "DATE", "bool": "BOOLEAN"}.get(c.type, "VARCHAR")

    @staticmethod
    def _expects(c: Column) -> str:
        return {"money": "an amount of whole cents" + (" >= 0" if c.nonneg else ""), "pct": "a percent 0-100",
                "date": "a date", "bool": "true/false", "enum": "one of " + "/".join(c.choices)}.get(c.type, "text")

    def parameters(self) -> dict:
        path = self.dir / "parameters.parquet"
        raw = dict(self.db.execute(f"SELECT trim(CAST(name AS VARCHAR)), CAST(value AS VARCHAR) "
                                   f"FROM read_parquet({lit(str(path))})").fetchall()) if path.exists() else {}
        table = next(t for t in TABLES if t.kind == "parameters")
        p: dict[str, object] = {}
        for c in table.columns:
            text = (raw.get(c.name) or "").strip() or None
            if text is None:
                if c.required:
                    self.problem(f"parameters.{c.name}: required", 1)
                p[c.name] = None if c.required or c.default is None or c.default_from else c.default
                continue
            value, bad, _ = cell_sql(c, "VARCHAR")
            v, is_bad = self.db.execute(f"SELECT {value}, {bad} FROM (SELECT {lit(text)} AS {col(c.name)})").fetchone()
            if is_bad:
                self.problem(f"parameters.{c.name}: not {self._expects(c)}", 1)
            p[c.name] = v
        for c in table.columns:
            if c.default_from and p[c.name] is None:
                p[c.name] = p[c.default_from]
        return p

    def calendar(self, p: dict) -> None:
        """cal(d, k): k = business days up to and including d (weekdays less the Federal
        Reserve holidays and the book's), so business days in (a, b] = k(b) - k(a)."""
        bounds = self.db.execute("""SELECT min(d), max(d) FROM (
            SELECT min(open_date) AS d FROM t_items UNION ALL SELECT max(open_date) FROM t_items
            UNION ALL SELECT min(placed_on) FROM t_items UNION ALL SELECT max(placed_on) FROM t_items
            UNION ALL SELECT min(e5_exception_date) FROM t_accounts)""").fetchone()
        days = [d for d in (*bounds, p["as_of"], p["prepared_on"]) if d is not None]
        lo = max(min(days) - dt.timedelta(days=10), dt.date(1900, 1, 1))
        hi = min(max(days) + dt.timedelta(days=10), dt.date(2199, 12, 31))
        book_hol = [d for (d,) in self.db.execute("SELECT date FROM t_holidays WHERE date IS NOT NULL").fetchall()]
        cal = BusinessCalendar(book_hol)
        hol = np.array([d for y in range(lo.year, hi.year + 1) for d, _ in cal.holidays_in_year(y)], dtype="datetime64[D]")
        d = np.arange(np.datetime64(lo, "D"), np.datetime64(hi, "D") + 1)
        k = np.cumsum(np.is_busday(d, holidays=hol)).astype(np.int64)
        self.db.register("cal_arrow", pa.table({"d": pa.array(d, pa.date32()), "k": k}))
        self.db.execute("CREATE TEMP TABLE cal AS SELECT * FROM cal_arrow")
        self.db.unregister("cal_arrow")

    # -- keys and references
    def keys(self) -> None:
        for t in TABLES:
            if not t.key or t.kind == "parameters":
                continue
            if t.name == "accounts":
                self._account_keys()
                continue
            k = ", ".join(col(c) for c in t.key)
            n = self.sql("keys", f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM t_{t.name} WHERE {' AND '.join(f'{col(c)} IS NOT NULL' for c in t.key)} "
                                 f"GROUP BY {k} HAVING count(*) > 1)")[0][0]
            self.problem(f"{t.name}: duplicate {' + '.join(t.key)}", n,
                         f"SELECT _row FROM (SELECT _row, count(*) OVER (PARTITION BY {k}) AS n FROM t_{t.name}) "
                         "WHERE n > 1 ORDER BY _row")

    def _account_keys(self) -> None:
        """accounts: the key (account_id, type), and one account_id in two books (reserve's
        keys.duplicated_and_shared) -- one hash pass over account_id alone, then the few ids
        of more than one row."""
        self.sql("keys", """CREATE TEMP TABLE acc_multi AS SELECT account_id FROM t_accounts
            WHERE account_id IS NOT NULL GROUP BY account_id HAVING count(*) > 1""")
        rows = "SELECT a._row, a.account_id, a.type, a.book FROM t_accounts a JOIN acc_multi m USING (account_id)"
        n = self.sql("keys", f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM ({rows}) "
                             "WHERE type IS NOT NULL GROUP BY account_id, type HAVING count(*) > 1)")[0][0]
        self.problem("accounts: duplicate account_id + type", n,
                     f"SELECT _row FROM (SELECT _row, count(*) OVER (PARTITION BY account_id, type) AS n FROM ({rows}) "
                     "WHERE type IS NOT NULL) WHERE n > 1 ORDER BY _row")
        shared = f"SELECT _row FROM (SELECT _row, count(DISTINCT book) OVER (PARTITION BY account_id) AS nb FROM ({rows})) WHERE nb > 1"
        n = self.sql("keys", f"SELECT count(*) FROM ({shared})")[0][0]
        self.problem("accounts.account_id: in two books", n, f"{shared} ORDER BY _row")

    def identifiers(self, table: Table) -> None:
        """Every *_id text column, as reserve's typing checks it: no invisible character, and no
        two ids that differ only in case (reading id_case). A pass over the column tells whether
        it has a byte outside ASCII, or letters of both cases; only then are its ids looked at."""
        name = f"t_{table.name}"
        ids = [c.name for c in table.columns if c.type == "text" and c.name.endswith("_id") and c.name in self.present[table.name]]
        if not ids or not self.rows[table.name]:
            return
        # bytes outside ASCII: more bytes than characters; letters of both cases: some id that
        # upper-casing changes and some that lower-casing changes (both vectorised, no regexp)
        scan = ", ".join(f"bool_or(strlen({col(n)}) <> length({col(n)})), "
                         f"bool_or(upper({col(n)}) <> {col(n)}) AND bool_or(lower({col(n)}) <> {col(n)})" for n in ids)
        flags = self.sql("identifiers", f"SELECT {scan} FROM {name}")[0]
        for i, n in enumerate(ids):
            wide, both = bool(flags[2 * i]), bool(flags[2 * i + 1])
            if wide:
                cond = f"regexp_matches({col(n)}, {lit(INVISIBLE)})"
                k = self.sql("identifiers", f"SELECT count_if({cond}) FROM {name}")[0][0]
                self.problem(f"{table.name}.{n}: a character that does not show", k, f"SELECT _row FROM {name} WHERE {cond} ORDER BY _row")
            if wide or both:
                clash = (f"lower({col(n)}) IN (SELECT l FROM (SELECT DISTINCT {col(n)} AS v, lower({col(n)}) AS l FROM {name} "
                         f"WHERE {col(n)} IS NOT NULL) GROUP BY l HAVING count(*) > 1)")
                k = self.sql("identifiers", f"SELECT count_if({clash}) FROM {name}")[0][0]
                self.problem(f"{table.name}.{n}: differs only in case from another id", k,
                             f"SELECT _row FROM {name} WHERE {clash} ORDER BY _row")

    def references(self, p: dict) -> None:
        # collateral -> its margin account (the position kept for Note E(1))
        self.sql("references", """CREATE TEMP TABLE col_acc AS
            SELECT c._row, c.account_id, c.security_id, c.market_value, c.exempted, a._row AS arow
            FROM t_collateral c LEFT JOIN (SELECT account_id, _row FROM t_accounts WHERE type = 'margin') a
              ON a.account_id = c.account_id""")
        # the few rows naming no margin account: is the account unknown, or not a margin one?
        # (each check joins the small side against the accounts, never a hash table of 10M ids)
        self.sql("references", """CREATE TEMP TABLE col_lost AS SELECT _row, account_id FROM col_acc WHERE arow IS NULL""")
        self.sql("references", """CREATE TEMP TABLE col_lost_k AS SELECT l._row, l._row IN (SELECT l2._row FROM col_lost l2
            JOIN t_accounts a ON a.account_id = l2.account_id) AS known FROM col_lost l""")
        for what, cond in (("collateral.account_id: no such account", "NOT known"),
                           ("collateral.account_id: not a margin account", "known")):
            n = self.sql("references", f"SELECT count(*) FROM col_lost_k WHERE {cond}")[0][0]
            self.problem(what, n, f"SELECT _row FROM col_lost_k WHERE {cond} ORDER BY _row")
        allowed = " OR ".join(f"(kind = {lit(k)} AND book IN ({', '.join(map(lit, books))}))" for k, books in ITEM_KINDS.items())
        refs = {
            "items.kind: not allowed in the row's book": f"kind IS NOT NULL AND book IS NOT NULL AND NOT ({allowed})",
            "items.open_date: required for an ageing kind": f"open_date IS NULL AND kind IN ({', '.join(map(lit, AGEING))})",
            "items.description: required for other credits and debits": "description IS NULL AND kind IN ('other_credit', 'other_debit')",
            "items.security_type: required for a new issue": "security_type IS NULL AND kind = 'new_issue_not_received'",
            "items.clearing_org_id: no such clearing organization": "clearing_org_id IS NOT NULL AND clearing_org_id NOT IN "
                                                                    "(SELECT clearing_org_id FROM t_clearing_organizations WHERE clearing_org_id IS NOT NULL)",
            "items.allocated_to: not a fail to receive": "allocated_to IS NOT NULL AND allocated_to NOT IN (SELECT item_id FROM "
                                                         "t_items WHERE kind = 'fail_to_receive' AND item_id IS NOT NULL)",
            "items.reserve_bank_account_id: no such account": "reserve_bank_account_id IS NOT NULL AND reserve_bank_account_id "
                                                              "NOT IN (SELECT account_id FROM t_reserve_bank_accounts WHERE account_id IS NOT NULL)",
        }
        self._count_where("t_items", refs)
        named = " UNION ALL ".join(f"SELECT {c} AS id FROM t_{t}" for t, c in (
            ("cca_requirements", "account_id"), ("cca_requirement_increments", "account_id"),
            ("cca_deposits", "account_id"), ("cca_deposits", "owner_account_id")))
        self.sql("references", f"""CREATE TEMP TABLE known_ids AS SELECT DISTINCT r.id FROM (SELECT DISTINCT id FROM ({named})
            WHERE id IS NOT NULL) r JOIN t_accounts a ON a.account_id = r.id""")
        acc = "(SELECT id FROM known_ids)"
        cca = "(SELECT cca_id FROM t_cca WHERE cca_id IS NOT NULL)"
        for t in ("cca_requirements", "cca_requirement_increments", "cca_deposits"):
            conds = {f"{t}.cca_id: no such clearing agency": f"cca_id IS NOT NULL AND cca_id NOT IN {cca}",
                     f"{t}.account_id: no such account": f"account_id IS NOT NULL AND account_id NOT IN {acc}"}
            if t == "cca_deposits":
                conds["cca_deposits.owner_account_id: no such account"] = f"owner_account_id IS NOT NULL AND owner_account_id NOT IN {acc}"
                conds["cca_deposits.increment_id: no such increment"] = ("increment_id IS NOT NULL AND increment_id NOT IN "
                                                                         "(SELECT increment_id FROM t_cca_requirement_increments "
                                                                         "WHERE increment_id IS NOT NULL)")
            self._count_where(f"t_{t}", conds)
        self._count_where("t_accounts", {"accounts.e5_exception_date: required for a requested exception":
                                         "e5_exception = 'requested' AND e5_exception_date IS NULL",
                                         "accounts.non_pab_reason: not for a customer account":
                                         "non_pab_reason IS NOT NULL AND book = 'customer'"})
        if p["tentative_net_capital"] is None:
            n = self.sql("references", "SELECT count(*) FROM t_accounts WHERE type = 'margin' AND balance < 0 "
                                       "AND book IN ('customer', 'pab')")[0][0]
            self.problem("parameters.tentative_net_capital: required with margin debits", min(n, 1))

    def _count_where(self, table: str, conds: dict[str, str]) -> None:
        counts = self.sql("references", f"SELECT {', '.join(f'count_if({c})' for c in conds.values())} FROM {table}")[0]
        for (what, cond), n in zip(conds.items(), counts, strict=True):
            self.problem(what, n, f"SELECT _row FROM {table} WHERE {cond} ORDER BY _row")

    # -- the formula
    def accounts(self, p: dict) -> None:
        """Scope, Item 1, Item 10 with Notes E(2), E(4), E(6): one record per account row."""
        xm_ok = bool(p["cross_margin_dual_registrant"] and p["cross_margin_joint_member"] and p["cross_margin_conditions_met"])
        self.sql("formula", f"""CREATE TEMP TABLE acc_d AS
        WITH a AS (
          SELECT _row, account_id, customer_id, book, type = 'margin' AS margin, type = 'omnibus' AS omni, balance AS bal,
            CASE WHEN balance < 0 THEN -balance ELSE 0 END AS debit,
            greatest(omnibus_deficit - omnibus_calls_5bd, 0) AS e2,
            book = 'noncustomer' AND non_pab_reason IS NULL AS noncust,
            book IN ('pab', 'noncustomer') AND non_pab_reason IS NOT NULL AS not_pab,
            cross_margin AND book = 'customer' AND {lit(xm_ok)} AS xm,
            doubtful, debit_related_to_credits AS rel, related_party IN ('principal', 'affiliate') AS rp,
            noncustomer_ownership_pct AS pct, unsecured_amount
          FROM t_accounts),
        b AS (
          SELECT *, NOT noncust AND NOT not_pab AND NOT xm AS live, least(unsecured_amount, debit) AS unsec FROM a),
        c AS (
          SELECT *, live AND bal < 0 AS deb, debit - unsec AS secured,
            live AND bal < 0 AND NOT doubtful AND unsec < debit AS cand FROM b),
        e AS (
          SELECT *, cand AND rp AND NOT rel AS e4,
            cand AND NOT (rp AND NOT rel) AND pct > 500000 AND NOT rel AS e6_whole,
            CASE WHEN cand AND NOT (rp AND NOT rel) AND pct <= 500000 AND pct >= 50000 AND NOT rel
                 -- the non-customer share, rounded up (an exclusion from debits), without overflow
                 THEN (secured // 1000000) * pct + ((secured % 1000000) * pct + 999999) // 1000000 ELSE 0 END AS e6
          FROM c),
        f AS (
          SELECT *, CASE WHEN deb AND omni THEN least(e2, secured - e6) ELSE 0 END AS e2_cut FROM e),
        g AS (
          SELECT *, CASE WHEN cand AND NOT e4 AND NOT e6_whole THEN secured - e6 - e2_cut ELSE 0 END AS included FROM f)
        SELECT _row, account_id, customer_id, CASE WHEN noncust OR not_pab THEN '' ELSE book END AS computation,
          margin, included, live AND margin AND included > 0 AS margin_live, rel,
          CASE
            WHEN noncust THEN 'noncustomer' WHEN not_pab THEN 'not_pab' WHEN xm THEN 'cross_margin'
            WHEN live AND omni AND bal >= 0 AND e2 > 0 THEN 'omnibus_credit' WHEN live AND bal > 0 THEN 'credit'
            WHEN bal = 0 THEN 'zero' WHEN doubtful THEN 'doubtful' WHEN unsec >= debit THEN 'unsecured'
            WHEN e4 THEN 'e4' WHEN e6_whole THEN 'e6_whole' WHEN included = 0 THEN 'offset'
            WHEN e2_cut > 0 THEN 'e2_debit' WHEN e6 > 0 THEN 'e6_part' WHEN unsec > 0 THEN 'part_unsecured'
            ELSE 'debit' END AS why,
          CASE WHEN live AND omni AND bal >= 0 AND e2 > 0 THEN bal + e2 WHEN live AND bal > 0 THEN bal ELSE included END AS amount
        FROM g""")

    def note_e1(self) -> None:
        """Note E(1): per security, its collateral value (each account's holding capped at
        140% of its debit, rounded down) against 15% of all of it."""
        self.sql("formula", """CREATE TEMP TABLE e1_pairs AS
            SELECT c.arow, c.security_id, sum(c.market_value) AS mv, bool_or(c.exempted) AS exempted,
                   any_value(d.included) AS debit, count(*) AS n
            FROM col_acc c JOIN acc_d d ON d._row = c.arow AND d.margin_live AND d.computation = 'customer'
            GROUP BY c.arow, c.security_id""")
        # a collateral row repeating another exactly (account, security, market value, exempted):
        # counted as a lot and named for review, as reserve does (reading collateral_repeats);
        # only the (account, security) pairs of more than one row are looked at
        self.e1_repeats = int(self.sql("formula", """SELECT coalesce(sum(n - 1), 0) FROM (
            SELECT count(*) AS n FROM col_acc c JOIN (SELECT arow, security_id FROM e1_pairs WHERE n > 1) m
              ON m.arow = c.arow AND m.security_id = c.security_id
            GROUP BY c.arow, c.security_id, c.market_value, c.exempted HAVING count(*) > 1)""")[0][0])
        self.sql("formula", """CREATE TEMP TABLE e1_sec AS
            WITH s AS (SELECT security_id, sum(least(mv, debit * 14 // 10)) AS value, sum(debit) AS debits,
                              bool_or(exempted) AS exempted FROM e1_pairs GROUP BY security_id),
                 t AS (SELECT sum(value) * 15 // 100 AS threshold FROM s)
            SELECT security_id, CAST(value AS BIGINT) AS value, CAST(debits AS BIGINT) AS debits, CAST(threshold AS BIGINT) AS threshold,
                   CAST(least(value - threshold, debits) AS BIGINT) AS reduction
            FROM s, t WHERE NOT exempted AND value > threshold""")
        # an account's shares of the reductions (R_S x d / D_S), exact, for the accounts whose
        # shares may pass their debit (Note E(1)'s cap) -- a handful: found with a bound first
        near = self.sql("formula", """SELECT p.arow, any_value(p.debit), list(s.reduction), list(s.debits)
            FROM e1_pairs p JOIN e1_sec s USING (security_id) GROUP BY p.arow
            HAVING sum(s.reduction / s.debits) > 0.999999""")
        back = 0
        for _, debit, reds, debs in near:
            share = sum((Fraction(r * debit, d) for r, d in zip(reds, debs, strict=True)), Fraction(0))
            if share > debit:
                back += int((share - debit) // 1)  # given back to Item 10: rounded down
        self.e1_back = back

    def note_e5(self, p: dict) -> None:
        """Note E(5): each (computation, customer) over 25% of tentative net capital by more
        than $50,000, after its accounts' Note E(1) shares."""
        tnc = p["tentative_net_capital"]
        self.e5: list[tuple] = []
        if tnc is None:
            return
        threshold = max(int(tnc), 0) * 25 // 100
        cand = self.sql("formula", f"""SELECT d.computation, d.customer_id, d._row, d.included, a.e5_exception,
                a.e5_exception_amount, a.e5_exception_date
            FROM acc_d d JOIN t_accounts a USING (_row)
            JOIN (SELECT computation, customer_id FROM acc_d WHERE margin_live AND NOT rel
                  GROUP BY computation, customer_id HAVING sum(included) - {threshold} > 5000000) o
              ON o.computation = d.computation AND o.customer_id = d.customer_id
            WHERE d.margin_live AND NOT d.rel
            ORDER BY d.computation, d.customer_id, d._row""")
        shares: dict[int, Fraction] = {}
        if cand:
            rows = ", ".join(str(r[2]) for r in cand)
            for arow, debit, red, debs in self.db.execute(f"""SELECT p.arow, p.debit, s.reduction, s.debits
                    FROM e1_pairs p JOIN e1_sec s USING (security_id) WHERE p.arow IN ({rows})""").fetchall():
                shares[arow] = shares.get(arow, Fraction(0)) + Fraction(red * debit, debs)
        as_of = p["as_of"]
        k = dict(self.db.execute("SELECT d, k FROM cal").fetchall())
        groups: dict[tuple[str, str], dict] = {}
        for comp, cust, arow, included, exc, exc_amount, exc_date in cand:  # a handful of customers
            g = groups.setdefault((comp, cust), {"debit": 0, "plenary": False, "window": False, "partial": 0, "requested": False})
            g["debit"] += included - min(int(shares.get(arow, 0) // 1), included)
            g["plenary"] |= exc == "plenary"
            g["partial"] += exc_amount if exc == "partial" else 0
            if exc == "requested":
                g["requested"] = True
                if exc_date is not None and exc_date <= as_of:
                    # business days from the request to as_of, both counted
                    n = k[as_of] - k[exc_date - dt.timedelta(days=1)]
                    g["window"] |= n <= 5
        for (comp, cust), g in sorted(groups.items()):
            excess = g["debit"] - threshold
            if excess <= 5_000_000 or g["plenary"] or g["window"]:
                continue
            reduction = max(0, excess - g["partial"]) if g["partial"] > 0 else excess
            if reduction > 0:
                self.e5.append((comp, cust, reduction))

    def items(self, p: dict) -> None:
        """Items 1-14 and the PAB Notes, by kind: one record per item row (and one more per
        new issue's related debit)."""
        as_of, alt = lit(p["as_of"]), p["net_capital_method"] == "alternative"
        prepared = lit(p["prepared_on"])
        self.sql("formula", f"""CREATE TEMP TABLE it_x AS
            SELECT i.*, i.open_date IS NULL AS no_date, coalesce({as_of} - i.open_date, 0) AS age,
              i.open_date IS NULL OR {as_of} - i.open_date > 30 AS over_30,
              coalesce((SELECT k FROM cal WHERE d = {as_of}) - c.k, 0) AS bd_age,
              CASE WHEN i.clearing_org_id IS NULL THEN i.clearing_org_qualified
                   ELSE coalesce(o.note_g_b1 AND o.note_g_b2 AND o.note_g_b3 AND o.note_g_determined_on <= {as_of}
                                 AND o.note_g_determined_on >= CAST({as_of} - INTERVAL 1 YEAR AS DATE), FALSE) END AS g_ok,
              coalesce(i.margin_requirement, 0) AS req, coalesce(i.market_value, 0) AS mv
            FROM t_items i LEFT JOIN cal c ON c.d = i.open_date
            LEFT JOIN t_clearing_organizations o ON o.clearing_org_id = i.clearing_org_id""")
        # Notes B, F, G: rows of one clearing organization (and computation, kind) counted
        # together up to its requirement, given to its rows in item_id order
        self.sql("formula", f"""CREATE TEMP TABLE it_grp AS
            WITH g AS (
              SELECT _row, item_id, book, kind, coalesce(clearing_org_id, '') AS org, req,
                CASE WHEN kind = 'letter_of_credit' THEN amount ELSE least(amount, req) END AS a
              FROM it_x
              WHERE (kind = 'letter_of_credit' AND clearing_org_id IS NOT NULL)
                 OR ((kind = 'occ_margin' OR (kind = 'futures_margin' AND g_ok))
                     AND collateral_form IN ({', '.join(map(lit, PERMITTED))}))),
            h AS (
              SELECT *, sum(a) OVER w AS total,
                CASE WHEN kind = 'letter_of_credit' OR org = '' THEN max(req) OVER w ELSE min(req) OVER w END AS cap,
                sum(a) OVER (PARTITION BY book, kind, org ORDER BY item_id, _row ROWS UNBOUNDED PRECEDING) AS cum
              FROM g WINDOW w AS (PARTITION BY book, kind, org))
            SELECT _row, CAST(greatest(least(cum, least(total, cap)) - (cum - a), 0) AS BIGINT) AS alloc FROM h""")
        # PAB Note 7: size (the transaction's, or the broker-dealer's deposits), separate account, timing
        self.sql("formula", f"""CREATE TEMP TABLE it_n7 AS
            WITH m AS (SELECT _row, amount, open_date, placed_on, placed_by_noon, reserve_bank_account_id AS acct,
                         coalesce(transaction_id, '#' || _row) AS tx, coalesce(broker_id, '#' || _row) AS bd
                       FROM it_x WHERE kind = 'pab_note7_exclusion'),
            s AS (SELECT *, sum(amount) OVER (PARTITION BY tx) >= 500000000
                            OR sum(amount) OVER (PARTITION BY bd) >= 1000000000 AS size_ok FROM m),
            t AS (SELECT s.*, acct IN (SELECT account_id FROM t_reserve_bank_accounts WHERE book = 'pab' AND pab_note7_account)
                    AS separate, kp.k - kr.k AS k_after, kp1.k - kr.k AS k_before
                  FROM s LEFT JOIN cal kr ON kr.d = s.open_date LEFT JOIN cal kp ON kp.d = s.placed_on
                  LEFT JOIN cal kp1 ON kp1.d = s.placed_on - 1)
            SELECT _row, acct, coalesce(size_ok AND separate AND placed_on >= open_date AND placed_on <= {prepared}
                   AND (k_after = 0 OR (k_after = 1 AND k_before = 0 AND placed_by_noon)), FALSE) AS ok FROM t""")
        sev = "(no_date OR bd_age > 7)" if alt else "over_30"
        allocated = (f"({lit(alt)} AND allocated_to IS NOT NULL AND (kind = 'securities_borrowed' OR NOT over_30))")
        new_ok = (f"({lit(alt)} AND security_type IN ('us_government_agency', 'municipal') AND NOT no_date "
                  "AND bd_age <= 3)")
        kinds = {  # kind: (line, amount or NULL when excluded, rule)
            "drafts_payable": ("item_1", "amount", "Item 1; Note A"),
            "checks_drawn_in_excess": ("item_1", "amount", "Item 1; Note A"),
            "bank_loan": ("item_2", "amount", "Item 2"),
            "letter_of_credit": ("item_2", "CASE WHEN clearing_org_id IS NULL THEN least(amount, req) ELSE g.alloc END",
                                 "Item 2; Note B"),
            "letter_of_credit_portfolio_margin": ("item_2", "amount", "Item 2; Note B"),
            "securities_loaned": ("item_3", "amount + greatest(mv - coalesce(collateral_value, amount), 0)", "Item 3; Note C"),
            "fail_to_receive": ("item_4", "amount + CASE WHEN over_30 THEN greatest(mv - amount, 0) ELSE 0 END",
                                "Item 4; Note D"),
            "principal_sale_credit": ("item_5", "amount", "Item 5"),
            "stock_dividend_receivable": ("item_6", "CASE WHEN over_30 THEN mv END", "Item 6"),
            "short_count_difference": ("item_7", f"CASE WHEN {sev} THEN mv END", "Item 7"),
            "suspense_short": ("item_8", f"CASE WHEN {sev} THEN mv END", "Item 8"),
            "transfer_unconfirmed": ("item_9", "CASE WHEN (no_date OR age > 40) AND NOT confirmed THEN mv END", "Item 9"),
            "securities_borrowed": ("item_11", f"CASE WHEN NOT {allocated} THEN amount END", "Item 11"),
            "fail_to_deliver": ("item_12", f"CASE WHEN NOT over_30 AND NOT {allocated} THEN amount END", "Item 12"),
            "occ_margin": ("item_13", "CASE WHEN g.alloc > 0 THEN g.alloc END", "Item 13; Note F"),
            "futures_margin": ("item_14", "CASE WHEN g.alloc > 0 THEN g.alloc END", "Item 14; Note G"),
            "new_issue_not_received": ("item_1", f"CASE WHEN {new_ok} THEN -amount END", "Rule 15c3-1(a)(1)(ii)(C)"),
            "other_credit": ("other_credits", "amount", "FOCUS Other credits"),
            "other_debit": ("other_debits", "amount", "FOCUS Other debits"),
            "sweep_next_day": ("sweep", "amount", "SEC staff FAQ 2025-12-08 Q5"),
            "pab_note5_credit": ("item_1", "CASE WHEN coalesce(payment_terms, 'immediate') = 'immediate' THEN amount END",
                                 "PAB Note 5"),
            "pab_note5_clearing_deposit": ("item_1", "CASE WHEN coalesce(payment_terms, 'immediate') IN ('immediate', "
                                                     "'within_30_days') THEN amount END", "PAB Note 5"),
            "pab_note5_exclusion": ("item_1", "CASE WHEN identified_as_payable THEN -amount END", "PAB Note 5"),
            "pab_note6_cross_margin": ("item_2", "CASE WHEN replaced_next_business_day THEN -amount END", "PAB Note 6"),
            "pab_note6_cftc_segregated": ("item_1", "-amount", "PAB Note 6"),
            "pab_note7_exclusion": ("item_1", "CASE WHEN n7.ok THEN -amount END", "PAB Note 7"),
            "pab_note8_sweep": ("item_1", "CASE WHEN swept_by_10am AND free_of_liens THEN -amount END", "PAB Note 8"),
            "pab_note9_clearing_deposit": ("other_debits", "amount", "PAB Note 9"),
        }
        missing = set(ITEM_KINDS) - set(kinds)
        assert not missing, f"kinds the yardstick does not know: {missing}"
        amt = "CASE kind " + " ".join(f"WHEN {lit(k)} THEN {a}" for k, (_, a, _) in kinds.items()) + " END"
        line = "CASE kind " + " ".join(f"WHEN {lit(k)} THEN {lit(ln)}" for k, (ln, _, _) in kinds.items()) + " END"
        rule = "CASE kind " + " ".join(f"WHEN {lit(k)} THEN {lit(r)}" for k, (_, _, r) in kinds.items()) + " END"
        self.sql("formula", f"""CREATE TEMP TABLE item_d AS
            WITH x AS (SELECT i._row, i.book, i.kind, i.related_debit, CAST({amt} AS BIGINT) AS amt, {line} AS line, {rule} AS rule,
                         {new_ok} AS new_ok
                       FROM it_x i LEFT JOIN it_grp g USING (_row) LEFT JOIN it_n7 n7 USING (_row))
            SELECT _row, book AS computation, CASE WHEN amt IS NULL THEN 'excluded' ELSE line END AS line,
                   coalesce(amt, 0) AS amount, rule, kind AS reason FROM x
            UNION ALL  -- Rule 15c3-1(a)(1)(ii)(C): the related debits leave Item 10 with the credit
            SELECT _row, book, 'item_10', -related_debit, 'Rule 15c3-1(a)(1)(ii)(C)', 'related debit'
            FROM x WHERE kind = 'new_issue_not_received' AND new_ok AND related_debit <> 0""")

    def reserve_bank(self) -> None:
        """On deposit (Rule 15c3-3(e), (e)(5), (f)): notified accounts; cash at an affiliated
        bank not counted; cash per bank capped at 15% of its equity capital, shared pro rata."""
        self.sql("formula", """CREATE TEMP TABLE rb_d AS
            WITH r AS (SELECT *, written_notification AND NOT bank_affiliated AS capped FROM t_reserve_bank_accounts),
            b AS (SELECT *, sum(cash) OVER (PARTITION BY bank_id) AS bank_cash,
                         min(bank_equity_capital) OVER (PARTITION BY bank_id) * 15 // 100 AS cap,
                         sum(cash) OVER (PARTITION BY bank_id, book) AS comp_cash FROM r WHERE capped),
            c AS (SELECT *, CASE WHEN bank_cash > cap THEN CAST(CAST(least(bank_cash, cap) AS HUGEINT) * comp_cash // bank_cash AS BIGINT)
                                 ELSE comp_cash END AS comp_allowed FROM b),
            d AS (SELECT *, CASE WHEN bank_cash > cap THEN CAST(CAST(comp_allowed AS HUGEINT) * cash // greatest(comp_cash, 1) AS BIGINT)
                                 ELSE cash END AS share,
                         CASE WHEN bank_cash > cap THEN CAST(CAST(comp_allowed AS HUGEINT) * cash % greatest(comp_cash, 1) AS BIGINT)
                                 ELSE 0 END AS frac FROM c),
            e AS (SELECT _row, share + CASE WHEN row_number() OVER (PARTITION BY bank_id, book ORDER BY frac DESC, account_id, _row) - 1
                         < comp_allowed - sum(share) OVER (PARTITION BY bank_id, book) THEN 1 ELSE 0 END AS counted_cash FROM d)
            SELECT r._row, r.account_id, r.book AS computation,
                   CASE WHEN r.written_notification THEN coalesce(e.counted_cash, 0) + r.qualified_securities ELSE 0 END AS counted
            FROM r LEFT JOIN e USING (_row)""")
        # PAB Note 7 deposits held in the separate account do not also count on deposit
        self.sql("formula", """CREATE TEMP TABLE rb_final AS
            SELECT r._row, r.computation, CAST(r.counted - least(coalesce(p.placed, 0), r.counted) AS BIGINT) AS counted
            FROM rb_d r LEFT JOIN (SELECT n.acct, sum(i.amount) AS placed FROM it_n7 n JOIN t_items i USING (_row)
                                   WHERE n.ok GROUP BY n.acct) p ON p.acct = r.account_id""")

    def totals(self, p: dict) -> dict:
        sums = self.sql("formula", f"""SELECT computation, line, sum(amount) FROM (
              SELECT computation, CASE WHEN why IN ('credit', 'omnibus_credit') THEN 'item_1' ELSE 'item_10' END AS line, amount
              FROM acc_d WHERE amount <> 0
              UNION ALL SELECT computation, line, amount FROM item_d WHERE line <> 'excluded'
              UNION ALL SELECT 'customer', 'item_10', -reduction FROM e1_sec
              UNION ALL SELECT 'customer', 'item_10', {int(self.e1_back)})
            GROUP BY ALL""")
        on_deposit = dict(self.sql("formula", "SELECT computation, sum(counted) FROM rb_final GROUP BY ALL"))
        out = {}
        for comp in ("customer", "pab"):
            lines = {ln: 0 for ln in (*CREDITS, *DEBITS)}
            for c, ln, v in sums:
                if c == comp and ln in lines:
                    lines[ln] += int(v)
            lines["item_10"] -= sum(r for c, _, r in self.e5 if c == comp)
            credits = sum(lines[k] for k in CREDITS)
            aggregate = sum(lines[k] for k in DEBITS)
            if comp == "pab":
                reduction = 0  # PAB Note 4
            elif p["net_capital_method"] == "basic":
                reduction = -(-max(0, lines["item_10"]) // 100)  # Note E(3), rounded up
            else:  # Rule 15c3-1(a)(1)(ii)(A): 3%, or 2% computing daily (required, or 30 days after notice)
                avg = p["average_total_credits"]
                if p["frequency"] != "daily":
                    pct = 3
                elif p["daily_basis"] == "required" or (avg is not None and avg >= 50_000_000_000):
                    pct = 2
                elif p["daily_basis"] == "voluntary":
                    notice = p["daily_notice_date"]
                    pct = 2 if notice is not None and p["as_of"] >= notice + dt.timedelta(days=30) else 3
                else:
                    pct = 2
                reduction = -(-max(0, aggregate) * pct // 100)
            total_debits = aggregate - reduction
            excess = max(0, credits - total_debits)
            required = -(-excess * 105 // 100) if p["frequency"] == "monthly" and comp == "customer" else excess
            sweep = sum(int(v) for c, ln, v in sums if c == comp and ln == "sweep") if comp == "customer" else 0
            out[comp] = {"lines": lines, "total_credits": credits, "aggregate_debits": aggregate, "debit_reduction": reduction,
                         "total_debits": total_debits, "excess_credits": excess,
                         "excess_debits": max(0, total_debits - credits), "required_deposit": required, "sweep": sweep,
                         "on_deposit": int(on_deposit.get(comp) or 0)}
        pab_c, cust = out["pab"], out["customer"]
        pab_c["offset_by_customer_excess_debits"] = min(pab_c["required_deposit"], cust["excess_debits"])  # (e)(4)
        cust["offset_by_customer_excess_debits"] = 0
        for c in out.values():
            c["deposit_needed"] = max(0, c["required_deposit"] - c["offset_by_customer_excess_debits"] - c["sweep"]
                                      - c["on_deposit"])
        return out

    def write_trail(self, out: Path) -> int:
        """The disposition table, one record per input row (+ adjustments), to Parquet."""
        out.mkdir(parents=True, exist_ok=True)
        self.db.register("e5_arrow", pa.table({"computation": [c for c, _, _ in self.e5], "ref": [k for _, k, _ in self.e5],
                                               "amount": pa.array([-r for _, _, r in self.e5], pa.int64())}))
        why_rule = {"noncustomer": "Rule 15c3-3(a)(1)", "not_pab": "Rule 15c3-3(a)(16)", "cross_margin":
                    "Cross-margining order, April 15, 2026", "omnibus_credit": "Item 1; Note E(2)", "credit": "Item 1",
                    "zero": "Items 1 and 10", "doubtful": "Item 10", "unsecured": "Item 10", "e4": "Note E(4)",
                    "e6_whole": "Note E(6)", "offset": "Item 10", "e2_debit": "Item 10; Note E(2)",
                    "e6_part": "Item 10; Note E(6)", "part_unsecured": "Item 10", "debit": "Item 10"}
        acc_rule = "CASE why " + " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in why_rule.items()) + " END"
        enum = {"line": sorted({"excluded", "note_e1_test", "reserve_bank", "sweep", *CREDITS, *DEBITS}),
                "comp": ["", "customer", "pab"],
                "tbl": ["", "accounts", "collateral", "items", "reserve_bank_accounts"]}
        for name, values in enum.items():
            self.db.execute(f"CREATE TYPE {name}_t AS ENUM ({', '.join(map(lit, values))})")
        t0 = time.perf_counter()
        self.db.execute(f"""COPY (
            SELECT tbl::tbl_t AS "table", "row", computation::comp_t AS computation, line::line_t AS line,
                   CAST(amount AS BIGINT) AS amount,
                   rule::VARCHAR AS rule, reason::VARCHAR AS reason, ref FROM (
              SELECT 'accounts' AS tbl, _row AS "row", computation,
                     CASE WHEN why IN ('credit', 'omnibus_credit') THEN 'item_1'
                          WHEN why IN ('debit', 'e2_debit', 'e6_part', 'part_unsecured') THEN 'item_10' ELSE 'excluded' END AS line,
                     amount, {acc_rule} AS rule, why AS reason, NULL AS ref FROM acc_d
              UNION ALL
              SELECT 'collateral', c._row, CASE WHEN p.arow IS NOT NULL THEN 'customer' ELSE coalesce(d.computation, '') END,
                     CASE WHEN p.arow IS NOT NULL THEN 'note_e1_test' ELSE 'excluded' END, 0,
                     CASE WHEN d.computation = 'pab' THEN 'PAB Note 3' ELSE 'Note E(1)' END,
                     CASE WHEN p.arow IS NOT NULL THEN 'tested' ELSE 'no margin debit' END, NULL
              FROM col_acc c LEFT JOIN acc_d d ON d._row = c.arow
                LEFT JOIN (SELECT DISTINCT arow FROM e1_pairs) p ON p.arow = c.arow
              UNION ALL
              SELECT 'items', _row, computation, line, amount, rule, reason, NULL FROM item_d
              UNION ALL
              SELECT 'reserve_bank_accounts', _row, computation, CASE WHEN counted > 0 THEN 'reserve_bank' ELSE 'excluded' END,
                     counted, 'Rule 15c3-3(e)', 'on deposit', NULL FROM rb_final
              UNION ALL
              SELECT '', -1, 'customer', 'item_10', -reduction, 'Note E(1)', 'concentration', security_id FROM e1_sec
              UNION ALL
              SELECT '', -1, 'customer', 'item_10', {int(self.e1_back)}, 'Note E(1)', 'limited to the debit', NULL
              WHERE {int(self.e1_back)} <> 0
              UNION ALL
              SELECT '', -1, computation, 'item_10', amount, 'Note E(5)', 'single customer', ref FROM e5_arrow)
          ) TO {lit(str(out / 'dispositions.parquet'))} (FORMAT parquet, COMPRESSION zstd)""")
        self.seconds["trail"] = round(time.perf_counter() - t0, 3)
        return int(self.db.execute(f"SELECT count(*) FROM read_parquet({lit(str(out / 'dispositions.parquet'))})").fetchone()[0])

    def run(self, out: Path | None = None) -> dict:
        t0 = time.perf_counter()
        files = sorted(self.dir.glob("*.parquet"))
        with ThreadPoolExecutor(max_workers=1) as pool:  # provenance on a second thread, as reserve does
            digests = pool.submit(lambda: {f.name: file_sha256(f) for f in files})
            p = self.parameters()
            for table in TABLES:
                if table.kind != "parameters":
                    self.load_table(table)
                    self.identifiers(table)
            self.calendar(p)
            self.keys()
            self.references(p)
            self.accounts(p)
            self.note_e1()
            self.note_e5(p)
            self.items(p)
            self.reserve_bank()
            computations = self.totals(p)
            records = self.write_trail(out) if out is not None else None
            sha = digests.result()
        return {"book": str(self.dir), "rows": self.rows, "problems": self.problems,
                "n_problems": sum(v["count"] for v in self.problems.values()), "computations": computations,
                "dispositions": records, "collateral_repeats": self.e1_repeats, "sha256": sha, "seconds": self.seconds,
                "threads": int(self.db.execute("SELECT current_setting('threads')").fetchone()[0]),
                "total_s": round(time.perf_counter() - t0, 3)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bookdir")
    ap.add_argument("--out", help="write DIR/dispositions.parquet (the audit trail)")
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (default: DuckDB's own, = cores)")
    a = ap.parse_args(argv)
    res = FairYardstick(Path(a.bookdir), a.threads).run(Path(a.out) if a.out else None)
    res["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(res, default=str))
    return res


if __name__ == "__main__":
    main()
