"""Checks across rows and tables, after typing: keys, references, kinds, and the columns
a row needs because of what it is. Each check returns problems; none raises."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import keys, money
from ..errors import Problem, ProblemLog
from ..keys import Links
from .convert import BadCells, TypedBook
from .schema import ITEM_KINDS, TABLES_BY_NAME

# Kinds whose amount depends on age (BOOK_FORMAT.md kinds table): open_date required.
AGED_KINDS = (
    "fail_to_receive",
    "stock_dividend_receivable",
    "short_count_difference",
    "suspense_short",
    "transfer_unconfirmed",
    "fail_to_deliver",
    "new_issue_not_received",  # Rule 15c3-1(a)(1)(ii)(C): 3 business days
)
# Kinds whose amount is (or may be) the market value: market_value required.
MARKET_VALUE_KINDS = (
    "securities_loaned",
    "stock_dividend_receivable",
    "short_count_difference",
    "suspense_short",
    "transfer_unconfirmed",
)
MARGIN_KINDS = ("letter_of_credit", "occ_margin", "futures_margin")
DESCRIBED_KINDS = ("other_credit", "other_debit")
# The ids a review row may name (reserve.report.model: exception_id, Variance.id)
REVIEW_ID = r"E-[0-9a-f]{12}(?:-[0-9]+)?|V-(?:customer|pab)-[a-z0-9_]+"


def _day(v: Any) -> str:
    """A date (Timestamp, datetime.date) as the book writes it: YYYY-MM-DD."""
    return f"{pd.Timestamp(v):%Y-%m-%d}"


def _src_file_sheet(src: str) -> tuple[str, str]:
    file, _, sheet = str(src).partition(" | ")
    return file, sheet


@dataclass(frozen=True)
class Checks:
    """Where the checks report: the problem log, the typed tables, and the cells typing
    already reported (`convert.TypedBook.bad_cells`), which are not reported again."""

    log: ProblemLog
    tables: Mapping[str, pd.DataFrame]
    bad_cells: Mapping[str, BadCells]


def report_rows(checks: Checks, table: str, mask: npt.ArrayLike, column: str,
                expected: str | Callable[[int], str] = "", message: str | Callable[[int], str] = "",
                value_col: str | None = None) -> None:
    """One problem per row of `table` in `mask`, at `column` (showing `value_col`'s value; a
    date column's as YYYY-MM-DD); `expected` and `message` are each one text, or a function
    of the row's position giving each row's."""
    frame = checks.tables[table]
    rows = np.asarray(mask, dtype=bool)
    bad = checks.bad_cells.get(table)
    already = bad.mask(column, len(rows)) if bad is not None else None
    if already is not None:  # reported while typing: do not report the same cell twice
        rows = rows & ~already
    idx = np.flatnonzero(rows)
    if not len(idx):
        return
    vcol = value_col or column
    schema = TABLES_BY_NAME.get(table)
    is_date = schema is not None and vcol in schema.column_names and schema.column(vcol).type == "date"

    def make(i: int) -> Problem:
        pos = int(idx[i])
        file, sheet = _src_file_sheet(frame["_src"].iloc[pos])
        v = frame[vcol].iloc[pos] if vcol in frame.columns else ""
        shown = "" if v is None or (not isinstance(v, str) and pd.isna(v)) else (
            _day(v) if is_date and isinstance(v, pd.Timestamp) else str(v))
        want = expected(pos) if callable(expected) else expected
        why = message(pos) if callable(message) else message
        return Problem(file, sheet, int(frame["_row"].iloc[pos]), column, shown, want, why)

    checks.log.add_many(len(idx), make)


def check_unique(checks: Checks, name: str, dup: npt.NDArray[np.bool_] | None = None) -> None:
    key = list(TABLES_BY_NAME[name].key)
    frame = checks.tables[name]
    if not key or not len(frame):
        return
    if dup is None:
        dup = keys.duplicated(frame, key)
    report_rows(checks, name, dup, key[0], expected="a unique " + " + ".join(key),
                message=f"duplicate {' + '.join(key)} (each must appear once in '{name}')")


def check_one_book(checks: Checks, shared: npt.NDArray[np.bool_]) -> None:
    """An account is in one computation: the rows of one account_id (an account may have a row
    per type) must all name the same `book`. The accounts key is account_id + type, so the
    same account_id as a customer's cash account and a PAB margin account was two accounts, and
    its debit counted in a computation the account is not in (hostile walk-through: C-1001 as
    a PAB margin debit of 1,000,000 took the PAB required deposit 435,000 -> 0, no finding).
    Rule 15c3-3(a)(1) and (a)(16): a PAB account is a broker-dealer's, which no customer account
    is. `shared`: the rows whose account_id is on another row too (none in most books)."""
    if not shared.any():
        return
    accounts = checks.tables["accounts"]
    at = np.flatnonzero(shared)
    sub = pd.DataFrame({"id": accounts["account_id"].iloc[at].to_numpy(),
                        "book": accounts["book"].iloc[at].astype("string").to_numpy()})
    sub = sub[sub["id"].notna() & sub["book"].notna()]
    books = sub.groupby("id")["book"].agg(lambda b: sorted(set(b)))
    mixed = books[books.map(len) > 1]
    if not len(mixed):
        return
    wrong = np.zeros(len(accounts), dtype=bool)
    wrong[at[sub.index[sub["id"].isin(mixed.index)].to_numpy()]] = True
    names = {i: " and ".join(b) for i, b in mixed.items()}
    ids = accounts["account_id"]

    def why(pos: int) -> str:
        i = ids.iloc[pos]
        return (f"account {i} is in the {names[i]} books: an account belongs to one computation "
                "(Rule 15c3-3(a)(1), (a)(16)); give all its rows one book, or the other account another id")

    report_rows(checks, "accounts", wrong, "book", expected="the same book on every row of one account_id",
                message=why)


def check_reference(checks: Checks, table: str, column: str, known: pd.Series, what: str) -> None:
    """Every non-blank `column` value must be one of `known` (an id column of another table)."""
    frame = checks.tables[table]
    if not len(frame):
        return
    unknown = frame[column].notna().to_numpy(dtype=bool) & (keys.find(frame[column], known) < 0)
    report_rows(checks, table, unknown, column, expected=what)


class KeyPasses:
    """The two hash passes over millions of ids -- the accounts key, and collateral to its
    margin account -- started as soon as their tables are typed (`type_book`'s `on_typed`),
    so that they run beside the typing of the next tables (issue 13). Arrow's kernels release
    the GIL, so they take the second core. They only read the typed frames, which are final
    when `on_typed` is told of them; `validate` waits for their results and reports their
    problems in table order, as it did when it ran them itself. Use as a context manager: the
    threads are joined on leaving, whatever happened."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="reserve-keys")
        self.frames: dict[str, pd.DataFrame] = {}
        self.jobs: dict[str, tuple[tuple[pd.DataFrame, ...], Future[npt.NDArray[Any]]]] = {}

    def typed(self, name: str, frame: pd.DataFrame) -> None:
        """`type_book`'s `on_typed`: a table is final; start what it allows."""
        self.frames[name] = frame
        if name in ("accounts", "collateral") and "accounts" in self.frames:
            self.start(self.frames["accounts"], self.frames.get("collateral"))

    def start(self, accounts: pd.DataFrame, collateral: pd.DataFrame | None) -> None:
        """Start each pass not yet started over these very frames."""
        self._submit("accounts", (accounts,), keys.duplicated_and_shared, accounts, list(TABLES_BY_NAME["accounts"].key))
        if collateral is not None:
            self._submit("collateral", (accounts, collateral), keys.margin_account_positions, accounts, collateral)

    def _submit(self, name: str, frames: tuple[pd.DataFrame, ...], fn: Callable[..., Any],
                *args: Any) -> None:
        have = self.jobs.get(name)
        if have is None or len(have[0]) != len(frames) or any(a is not b for a, b in zip(have[0], frames, strict=True)):
            self.jobs[name] = (frames, self.pool.submit(fn, *args))

    def result(self, name: str) -> Any:
        return self.jobs[name][1].result()

    def __enter__(self) -> KeyPasses:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def validate(typed: TypedBook, log: ProblemLog, label: str, passes: KeyPasses | None = None) -> Links:
    """Check the typed tables; returns the row links found on the way (`Book.links`).
    `passes`: the hash passes, perhaps already started (see `KeyPasses`); else they run here."""
    if passes is None:
        with KeyPasses() as own:
            return validate(typed, log, label, own)
    accounts, col = typed.tables["accounts"], typed.tables["collateral"]
    passes.start(accounts, col)  # what is not yet running, both at once on two cores
    (acc_dup, acc_shared), col_pos = passes.result("accounts"), passes.result("collateral")
    params, tables = typed.params, typed.tables
    checks = Checks(log, tables, typed.bad_cells)
    links: Links = {}
    for name in TABLES_BY_NAME:
        if name in tables:
            check_unique(checks, name, acc_dup if name == "accounts" else None)
    check_one_book(checks, acc_shared)

    if len(col):
        links[keys.COLLATERAL_MARGIN_ACCOUNT] = col_pos
        present = col["account_id"].notna().to_numpy(dtype=bool)
        miss = np.flatnonzero(present & (col_pos < 0))
        unknown = np.zeros(len(col), dtype=bool)
        not_margin = np.zeros(len(col), dtype=bool)
        if len(miss):  # only a bad book gets here: which misses name no account at all
            anywhere = keys.find(col["account_id"].iloc[miss], accounts["account_id"]) >= 0
            unknown[miss[~anywhere]] = True
            not_margin[miss[anywhere]] = True
        report_rows(checks, "collateral", unknown, "account_id", expected="an account_id of the accounts table")
        report_rows(checks, "collateral", not_margin, "account_id", expected="a margin account (type margin in accounts)",
                    message="collateral is only tested for margin accounts (Note E(1))")

    _validate_cca(checks, tables, accounts)
    _check_h_dates_order(checks, params)

    items = tables["items"]
    if len(items):
        allowed = np.zeros(len(items), dtype=bool)
        for kind, books in ITEM_KINDS.items():
            allowed |= ((items["kind"] == kind) & items["book"].isin(books)).to_numpy()
        wrong = ~allowed & items["kind"].notna().to_numpy() & items["book"].notna().to_numpy()
        report_rows(checks, "items", wrong, "kind", expected="a kind that belongs to the row's book "
                    "(sweep_next_day is customer only; pab_* kinds are PAB only)")
        kind = items["kind"]
        need = {
            "description": (kind.isin(DESCRIBED_KINDS) & items["description"].isna(), "a description (required for other_credit and other_debit)"),
            "open_date": (kind.isin(AGED_KINDS) & items["open_date"].isna(), "the date the item arose (needed to age it)"),
            "market_value": (kind.isin(MARKET_VALUE_KINDS) & items["market_value"].isna(), "the market value (the line takes it)"),
            "margin_requirement": (kind.isin(MARGIN_KINDS) & items["margin_requirement"].isna(), "the clearing organization's margin requirement"),
            "collateral_form": (kind.isin(("occ_margin", "futures_margin")) & items["collateral_form"].isna(), "the form of the margin: cash, qualified_securities, customer_loc or other"),
        }
        if "security_type" in items.columns:
            need["security_type"] = (kind.eq("new_issue_not_received") & items["security_type"].isna(),
                                     "the new issue's securities: us_government_agency, municipal or other "
                                     "(Rule 15c3-1(a)(1)(ii)(C))")
        for column, (mask, expected) in need.items():
            report_rows(checks, "items", mask.to_numpy(dtype=bool), column, expected=expected)
        _check_item_links(checks, tables, items)
        as_of = params.get("as_of")
        if as_of is not None:
            # Note D: a fail to receive over 30 calendar days takes market value over contract.
            age = (pd.Timestamp(as_of) - items["open_date"]).dt.days
            old_ftr = ((kind == "fail_to_receive") & (age > 30) & items["market_value"].isna()).to_numpy(dtype=bool)
            report_rows(checks, "items", old_ftr, "market_value",
                        expected="the market value (the fail is over 30 days old: Note D)")
            future = (items["open_date"].notna() & (age < 0)).to_numpy(dtype=bool)
            report_rows(checks, "items", future, "open_date", expected=f"a date on or before as_of ({as_of})",
                        message="the item arose after the computation date")

    if len(accounts) and "non_pab_reason" in accounts.columns:
        # Rule 15c3-3(a)(16): a reason is given only for a broker-dealer's account (book pab or
        # noncustomer); a customer's account is not a broker-dealer's proprietary account.
        wrong = (accounts["non_pab_reason"].notna() & (accounts["book"] == "customer")).to_numpy(dtype=bool)
        report_rows(checks, "accounts", wrong, "non_pab_reason", expected="blank for a customer account: non_pab_reason "
                    "is for a broker-dealer's account (book pab or noncustomer) that is not a PAB account under "
                    "Rule 15c3-3(a)(16)")
    rba = tables.get("reserve_bank_accounts")
    if rba is not None and len(rba) and "pab_note7_account" in rba.columns:
        wrong = (rba["pab_note7_account"] & (rba["book"] != "pab")).to_numpy(dtype=bool)
        report_rows(checks, "reserve_bank_accounts", wrong, "pab_note7_account", expected="false: only a PAB reserve bank account holds "
                    "PAB Note 7 deposits")
    if len(accounts):
        req_date = ((accounts["e5_exception"] == "requested") & accounts["e5_exception_date"].isna()).to_numpy(dtype=bool)
        report_rows(checks, "accounts", req_date, "e5_exception_date",
                    expected="the day the Note E(5) exception was requested")
        margin_debit = (accounts["type"] == "margin") & (accounts["balance"] < 0) & accounts["book"].isin(("customer", "pab"))
        if margin_debit.any() and "tentative_net_capital" in params and params["tentative_net_capital"] is None:
            log.add(Problem(label, "parameters", None, "value",
                            message="parameter 'tentative_net_capital' is required: margin accounts have debit "
                                    "balances and Note E(5) compares them with 25% of tentative net capital"))

    review = tables.get("review")
    if review is not None and len(review):
        # an id the report can have: an exception's (E- + 12 hex, -N for a repeat) or a variance's
        ids = review["exception_id"].astype("string")
        ok = ids.str.fullmatch(REVIEW_ID).fillna(True).to_numpy(dtype=bool)
        report_rows(checks, "review", ~ok, "exception_id", expected="an exception id as the report shows it "
                    "(E- and 12 hex digits, e.g. E-3f9a0c1d2e4b, or E-3f9a0c1d2e4b-2) or a variance id "
                    "(V-customer-<line> or V-pab-<line>, e.g. V-customer-total_credits)")

    deposits = tables.get("deposits")
    if deposits is not None and len(deposits):
        _validate_deposits(checks, tables, deposits)

    if params.get("frequency") == "monthly" and params.get("net_capital_method") == "alternative":
        log.add(Problem(label, "parameters", None, "value", "monthly",
                        "weekly or daily: a firm using the alternative method computes at least weekly "
                        "(Rule 15c3-3(e)(3)(i)(C) allows monthly only to small aggregate-indebtedness firms)",
                        message="frequency 'monthly' is refused with net_capital_method 'alternative'"))
    if params.get("daily_basis") == "voluntary" and params.get("daily_notice_date") is None:
        log.add(Problem(label, "parameters", None, "value",
                        message="parameter 'daily_notice_date' is required with daily_basis 'voluntary': the 2% "
                                "reduction starts 30 days after the written notice (Rule 15c3-3(e)(3)(v))"))
    if params.get("prepared_on") and params.get("as_of") and params["prepared_on"] < params["as_of"]:
        log.add(Problem(label, "parameters", None, "value", str(params["prepared_on"]),
                        f"a date on or after as_of ({params['as_of']})", message="prepared_on is before as_of"))
    return links


# --------------------------------------------------------------------------- deposits

MAX_IDS_LISTED = 10  # reserve bank account ids a problem lists as expected


def _validate_deposits(checks: Checks, tables: Mapping[str, pd.DataFrame], deposits: pd.DataFrame) -> None:
    """The deposits table (issue 15): each row names a reserve bank account of this book (its
    computation is that account's `book`), and moves a positive amount (`kind` says which
    way). Rule 15c3-3(e)(3), (g): a movement of an account the book does not hold cannot be
    matched to a computation's deposit needed or withdrawal permitted."""
    rba = tables.get("reserve_bank_accounts")
    named = deposits["account_id"].notna().to_numpy(dtype=bool)
    if rba is None or not len(rba):
        report_rows(checks, "deposits", named, "account_id",
                    expected="an account_id of the reserve_bank_accounts table",
                    message="names no reserve bank account of this book: the book has no reserve_bank_accounts rows")
    else:
        ids = rba["account_id"].dropna().astype(str).tolist()
        listed = ", ".join(ids[:MAX_IDS_LISTED]) + (f" (and {len(ids) - MAX_IDS_LISTED} more)"
                                                    if len(ids) > MAX_IDS_LISTED else "")
        unknown = named & (keys.find(deposits["account_id"], rba["account_id"]) < 0)
        report_rows(checks, "deposits", unknown, "account_id", expected=f"one of {listed}",
                    message="names no reserve bank account of this book (reserve_bank_accounts.account_id)")
    amount = deposits["amount"].to_numpy(dtype=np.int64)
    not_positive = amount <= 0
    bad = checks.bad_cells.get("deposits")
    already = bad.mask("amount", len(amount)) if bad is not None else None
    if already is not None:
        not_positive &= ~already
    for pos in np.flatnonzero(not_positive).tolist():  # (only a bad book's rows: the loop is over problems)
        file, sheet = _src_file_sheet(deposits["_src"].iloc[pos])
        checks.log.add(Problem(file, sheet, int(deposits["_row"].iloc[pos]), "amount",
                               money.format_display(int(amount[pos])),
                               "an amount more than zero (kind says whether it is a deposit or a withdrawal)"))


# --------------------------------------------------------------------------- Note H tables

# The columns of a firm-owned Treasury deposit that an increment states instead (Note H(b)(1)(iii)).
INCREMENT_COLUMNS = ("requirement_arose_on", "requirement_at_arise", "customer_assets_at_arise", "call_issued_on",
                     "cure_received_on", "cure_received_amount")


def _validate_cca(checks: Checks, tables: Mapping[str, pd.DataFrame], accounts: pd.DataFrame) -> None:
    """The clearing-agency tables (Note H): references, duplicates, and the deposits' ties to
    the increments of a requirement."""
    cca_ids = tables["cca"]["cca_id"]
    req = tables["cca_requirements"]
    dep = tables["cca_deposits"]
    inc = tables.get("cca_requirement_increments")
    if inc is None:  # typed by an older caller without the table
        inc = pd.DataFrame({c: pd.Series(dtype=object) for c in ("increment_id", "cca_id", "account_id")})
    # the account ids the clearing-agency tables name, found in one pass over the accounts
    account_ids = keys.among(accounts["account_id"], req["account_id"], dep["account_id"], dep["owner_account_id"],
                             inc["account_id"])
    if len(req):
        check_reference(checks, "cca_requirements", "cca_id", cca_ids, "a cca_id of the cca table")
        check_reference(checks, "cca_requirements", "account_id", account_ids, "an account_id of the accounts table")
        subset = ["cca_id", "account_id", "position_type", "basis"] + (
            ["account_structure"] if "account_structure" in req.columns else [])
        dup = req.duplicated(subset=subset, keep="first").to_numpy()
        report_rows(checks, "cca_requirements", dup, "account_id", expected="one row per " + ", ".join(subset[:-1]) + " and " + subset[-1],
                    message="the same requirement is given twice")
        if "account_structure" in req.columns:
            # Note H(b)(2)(i): a stated account structure and the basis say one thing twice and
            # must agree (reading: h_account_structure).
            structure = req["account_structure"].astype(object).to_numpy(dtype=object)
            basis = req["basis"].astype(object).to_numpy(dtype=object)
            stated = req["basis"].notna().to_numpy(dtype=bool)
            for name, want in (("own_gross", "gross"), ("omnibus_gross", "gross"), ("omnibus_net", "net")):
                report_rows(checks, "cca_requirements", stated & (structure == name) & (basis != want), "account_structure",
                            expected=f"basis {want} with account_structure {name}",
                            message=f"the account structure contradicts basis {'net' if want == 'gross' else 'gross'}")
    if len(dep):
        check_reference(checks, "cca_deposits", "cca_id", cca_ids, "a cca_id of the cca table")
        check_reference(checks, "cca_deposits", "account_id", account_ids, "an account_id of the accounts table")
        check_reference(checks, "cca_deposits", "owner_account_id", account_ids, "an account_id of the accounts table")
    if len(inc):
        check_reference(checks, "cca_requirement_increments", "cca_id", cca_ids, "a cca_id of the cca table")
        check_reference(checks, "cca_requirement_increments", "account_id", account_ids, "an account_id of the accounts table")
    if len(dep) and "increment_id" in dep.columns and dep["increment_id"].notna().any():
        # Note H(b)(1)(iii): a firm-owned Treasury deposit tied to an increment is tested on
        # the increment's arise date, call and cure; one place states them.
        tied = dep["increment_id"].notna().to_numpy(dtype=bool)
        pos = keys.find(dep["increment_id"], inc["increment_id"]) if len(inc) else np.full(len(dep), -1)
        report_rows(checks, "cca_deposits", tied & (pos < 0), "increment_id",
                    expected="an increment_id of the cca_requirement_increments table")
        report_rows(checks, "cca_deposits", tied & (dep["owner"] != "firm").to_numpy(dtype=bool), "increment_id",
                    expected="blank for owner=customer",
                    message="an increment ties firm-owned Treasuries to the day a requirement grew (Note H(b)(1)(iii))")
        found = tied & (pos >= 0)
        if found.any():
            at = np.where(found, pos, 0)
            for col in ("cca_id", "account_id"):
                theirs = inc[col].to_numpy(dtype=object)[at]
                ours = dep[col].to_numpy(dtype=object)
                differ = found & (ours != theirs)
                report_rows(checks, "cca_deposits", differ, col, expected=f"the {col} of its increment",
                            message="the deposit and the increment it names are for different "
                                    + ("clearing agencies" if col == "cca_id" else "accounts"))
        for col in INCREMENT_COLUMNS:
            if col in dep.columns:
                report_rows(checks, "cca_deposits", tied & dep[col].notna().to_numpy(dtype=bool), col,
                            expected="blank (the increment named in increment_id states it)")


# The Note H(b)(1)(iii) dates of a firm-owned Treasury stop-gap, per table: the day the
# requirement (or the increment) arose, the call, the cure.
H_DATE_TABLES = (("cca_deposits", "requirement_arose_on"), ("cca_requirement_increments", "arose_on"))


def _check_h_dates_order(checks: Checks, params: Mapping[str, Any]) -> None:
    """Note H(b)(1)(iii): the margin requirement arises, the firm calls the customer that day
    ((B)), the customer's delivery is received by the close of the next business day ((C)).
    The dates of a cca_deposits row and of a cca_requirement_increments row must be in that
    order, and must have happened by the day the computation rests on them: the requirement
    arisen by as_of, the cure received by prepared_on (as_of when blank: the parameter
    defaults to it). A cure dated after prepared_on, or before the requirement arose, was
    taken as received in time (walk-through: FD-0009's cure dated 2026-11-23 with prepared_on
    2026-11-20 made a pending customer eligible, +800,000.00 of Item 15, deposit needed
    1,603,349.70 -> 827,349.70). Each such cell is refused, located (reading: h_dates_order).
    The rows' other facts are the computation's to test ((B)'s call on the very day,
    (C)'s deadline and amount)."""
    as_of = params.get("as_of")
    prepared = params.get("prepared_on") or as_of
    prepared_name = "prepared_on" if params.get("prepared_on") else "as_of"
    for table, arose_col in H_DATE_TABLES:
        frame = checks.tables.get(table)
        if frame is not None and len(frame):
            _check_h_dates_of(checks, table, arose_col, as_of, prepared, prepared_name)


def _check_h_dates_of(checks: Checks, table: str, arose_col: str, as_of: Any, prepared: Any,
                      prepared_name: str) -> None:
    """`_check_h_dates_order` on one table, whose requirement arose on `arose_col`."""
    frame = checks.tables[table]

    def dates(col: str) -> pd.Series:
        if col not in frame.columns:
            return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        return frame[col].astype("datetime64[ns]")

    arose, call, cure = dates(arose_col), dates("call_issued_on"), dates("cure_received_on")
    has_arose, has_call, has_cure = (s.notna().to_numpy(dtype=bool) for s in (arose, call, cure))
    # Note H(b)(1)(iii): a requirement the computation as of as_of rests on has arisen by
    # as_of (reading: h_dates_order).
    if as_of is not None:
        report_rows(checks, table, has_arose & (arose > pd.Timestamp(as_of)).to_numpy(dtype=bool), arose_col,
                    expected=f"a date on or before as_of ({_day(as_of)}): a margin requirement the computation "
                             "relies on must have arisen by the computation date (Note H(b)(1)(iii))",
                    message="the requirement is dated after the computation date")
    # Note H(b)(1)(iii)(B): the call is for a requirement that has arisen (on that very day)
    # (reading: h_dates_order).
    report_rows(checks, table, has_arose & has_call & (call < arose).to_numpy(dtype=bool), "call_issued_on",
                expected=lambda pos: f"a date on or after {arose_col} ({_day(arose.iloc[pos])}): the firm calls the "
                                     "customer for a margin requirement that has arisen, on the day it arose "
                                     "(Note H(b)(1)(iii)(B))",
                message="the call is dated before the requirement arose")
    # Note H(b)(1)(iii)(C): the delivery that cures the requirement comes after it arose and
    # after the call (reading: h_dates_order).
    before_arose = has_arose & has_cure & (cure < arose).to_numpy(dtype=bool)
    before_call = has_call & has_cure & (cure < call).to_numpy(dtype=bool)
    call_later = has_arose & has_call & (call > arose).to_numpy(dtype=bool)

    def after_what(pos: int) -> str:
        names = [f"{arose_col} ({_day(arose.iloc[pos])})"] if has_arose[pos] else []
        if has_call[pos]:
            names.append(f"call_issued_on ({_day(call.iloc[pos])})")
        return (f"a date on or after {' and '.join(names)}: the customer's delivery that cures a margin "
                "requirement is received after the requirement arose and the firm called for it "
                "(Note H(b)(1)(iii)(C))")

    def which(pos: int) -> str:
        if not before_arose[pos]:
            return "the cure is dated before the call"
        return "the cure is dated before the requirement arose" + (
            " and before the call" if before_call[pos] and call_later[pos] else "")

    report_rows(checks, table, before_arose | before_call, "cure_received_on", expected=after_what, message=which)
    # Note H(b)(1)(iii)(C): a cure the computation counts has been received when it is
    # prepared (reading: h_dates_order).
    if prepared is not None:
        report_rows(checks, table, has_cure & (cure > pd.Timestamp(prepared)).to_numpy(dtype=bool), "cure_received_on",
                    expected=f"a date on or before {prepared_name} ({_day(prepared)}): a cure the computation "
                             "relied on must have been received when it was prepared (Note H(b)(1)(iii)(C))",
                    message=f"the cure is dated after the computation was prepared ({prepared_name})")


def _check_item_links(checks: Checks, tables: Mapping[str, pd.DataFrame], items: pd.DataFrame) -> None:
    """The rows items name: clearing organizations (Notes B, F, G), the fail to receive a fail
    to deliver or borrow is allocated to (Rule 15c3-1(a)(1)(ii)(D)), the separate PAB reserve
    account of PAB Note 7."""
    kind = items["kind"]
    orgs = tables.get("clearing_organizations")
    if "clearing_org_id" in items.columns and orgs is not None:
        check_reference(checks, "items", "clearing_org_id", orgs["clearing_org_id"],
                        "a clearing_org_id of the clearing_organizations table")
        pos = keys.find(items["clearing_org_id"], orgs["clearing_org_id"])
        org_kind = np.full(len(items), None, dtype=object)
        known = pos >= 0
        org_kind[known] = orgs["kind"].to_numpy(dtype=object)[pos[known]]
        occ_elsewhere = (kind == "occ_margin").to_numpy(dtype=bool) & known & (org_kind != "occ")
        report_rows(checks, "items", occ_elsewhere, "clearing_org_id", expected="a clearing organization of kind occ",
                    message="Item 13 is margin on deposit with the Options Clearing Corporation (Note F)")
    if "allocated_to" in items.columns:
        given = items["allocated_to"].notna().to_numpy(dtype=bool)
        if given.any():
            allowed = kind.isin(("securities_borrowed", "fail_to_deliver")).to_numpy(dtype=bool)
            report_rows(checks, "items", given & ~allowed, "allocated_to", expected="blank: allocated_to is for "
                        "securities_borrowed and fail_to_deliver (Rule 15c3-1(a)(1)(ii)(D))")
            pos = keys.find(items["allocated_to"], items["item_id"])
            ok = pos >= 0
            safe = np.where(ok, pos, 0)
            same = ok & (kind.to_numpy(dtype=object)[safe] == "fail_to_receive") & \
                (items["book"].to_numpy(dtype=object)[safe] == items["book"].to_numpy(dtype=object))
            report_rows(checks, "items", given & allowed & ~same, "allocated_to",
                        expected="the item_id of a fail_to_receive in the same book")
            # "of the same issue": stated on both rows, and the same
            has_sec = items["security_id"].notna().to_numpy(dtype=bool)
            report_rows(checks, "items", given & allowed & same & ~has_sec, "security_id",
                        expected="the issue (security_id) of an item allocated to a fail to receive: it must be the "
                                 "same issue (Rule 15c3-1(a)(1)(ii)(D))")
            report_rows(checks, "items", given & allowed & same & has_sec & ~has_sec[safe], "allocated_to",
                        expected="a fail_to_receive that states its security_id (the same issue, Rule "
                                 "15c3-1(a)(1)(ii)(D))")
            sec = items["security_id"].to_numpy(dtype=object)
            both = given & allowed & same & has_sec & has_sec[safe]
            differ = both & (sec != sec[safe])
            report_rows(checks, "items", differ, "security_id", expected="the security_id of the fail to receive it is "
                        "allocated to (the same issue, Rule 15c3-1(a)(1)(ii)(D))")
    rba = tables.get("reserve_bank_accounts")
    if "reserve_bank_account_id" in items.columns and rba is not None:
        check_reference(checks, "items", "reserve_bank_account_id", rba["account_id"],
                        "an account_id of the reserve_bank_accounts table")
    _check_kind_columns(checks, items)


# The items columns added for one Note (issue 11) and the kinds that use them: a value given
# on another kind would be silently ignored, so it is refused. (Booleans and amounts that
# default count as given when true / not zero; collateral_value is left out: its blank takes
# the row's amount while loading, so a value given cannot be told from the default.)
KIND_COLUMNS: dict[str, tuple[str, ...]] = {
    "clearing_org_id": ("occ_margin", "futures_margin", "letter_of_credit"),
    "security_type": ("new_issue_not_received",),
    "related_debit": ("new_issue_not_received",),
    "payment_terms": ("pab_note5_credit", "pab_note5_clearing_deposit"),
    "identified_as_payable": ("pab_note5_exclusion",),
    "replaced_next_business_day": ("pab_note6_cross_margin",),
    "transaction_id": ("pab_note7_exclusion",),
    "broker_id": ("pab_note7_exclusion",),
    "reserve_bank_account_id": ("pab_note7_exclusion",),
    "placed_on": ("pab_note7_exclusion",),
    "placed_by_noon": ("pab_note7_exclusion",),
    "swept_by_10am": ("pab_note8_sweep",),
    "free_of_liens": ("pab_note8_sweep",),
}


def _check_kind_columns(checks: Checks, items: pd.DataFrame) -> None:
    kind = items["kind"]
    for column, kinds in KIND_COLUMNS.items():
        if column not in items.columns:
            continue
        col = items[column]
        ctype = TABLES_BY_NAME["items"].column(column).type
        if ctype == "bool":
            given = col.fillna(False).to_numpy(dtype=bool)
        elif ctype == "money" and column == "related_debit":
            given = col.fillna(0).to_numpy(dtype=np.int64) != 0
        else:
            given = col.notna().to_numpy(dtype=bool)
        if not given.any():
            continue
        wrong = given & ~kind.isin(kinds).to_numpy(dtype=bool)
        report_rows(checks, "items", wrong, column, expected=f"blank: {column} is used only for {', '.join(kinds)}")
