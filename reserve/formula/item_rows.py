"""The `items` table as the rule functions of Items 1-14 and the PAB Notes read it.

`ItemRows` holds, once per run, the columns and derived facts every item rule needs (kind,
computation, amounts, ages in calendar and business days) and the two ways a rule writes
its result: `add` (a disposition per row of a mask) and `listed` (a finding per row, up to
MAX_LISTED, then "... and N more").

Ages are calendar days from open_date to as_of (Items 4, 6-9, 12, Note D), except Items 7
and 8 for an alternative-method firm: more than 7 business days (Rule 15c3-1(a)(1)(ii)(B)).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..calendar import BusinessCalendar
from .inputs import Bools, Dates, Ints, Params, Texts
from .model import MAX_LISTED, Finding, Outcome, Severity, TextArg, dispositions, more_than_listed, text_values

AGEING_KINDS = ("fail_to_receive", "stock_dividend_receivable", "short_count_difference", "suspense_short",
                "transfer_unconfirmed", "fail_to_deliver", "new_issue_not_received")


def _i64(s: pd.Series) -> Ints:
    out: Ints = s.fillna(0).to_numpy(dtype=np.int64)
    return out


ColumnKind = Literal["bool", "money", "date", "text"]


def column(it: pd.DataFrame, name: str, kind: ColumnKind) -> Bools | Ints | Dates | Texts:
    """A column that books written before it existed do not have (the loader adds every
    schema column; frames built another way may lack it): its blank form."""
    if name in it.columns:
        s = it[name]
        if kind == "bool":
            b: Bools = s.fillna(False).to_numpy(dtype=bool)
            return b
        if kind == "money":
            return _i64(s)
        if kind == "date":
            d: Dates = s.to_numpy().astype("datetime64[D]")
            return d
        return text_values(s)
    n = len(it)
    if kind == "bool":
        return np.zeros(n, dtype=bool)
    if kind == "money":
        return np.zeros(n, dtype=np.int64)
    if kind == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    return np.full(n, None, dtype=object)


def bools(it: pd.DataFrame, name: str) -> Bools:
    out = column(it, name, "bool")
    return out  # type: ignore[return-value]  # column(kind="bool") is a Bools


def money_column(it: pd.DataFrame, name: str) -> Ints:
    return column(it, name, "money")  # type: ignore[return-value]  # column(kind="money") is Ints


def dates(it: pd.DataFrame, name: str) -> Dates:
    return column(it, name, "date")  # type: ignore[return-value]  # column(kind="date") is Dates


def texts(it: pd.DataFrame, name: str) -> Texts:
    return column(it, name, "text")  # type: ignore[return-value]  # column(kind="text") is Texts


@dataclass
class ItemRows:
    """The `items` table with what every item rule needs, computed once."""

    it: pd.DataFrame
    params: Params
    rows: Ints  # positions 0..n-1
    kind: Texts
    comp: pd.Categorical  # the row's computation: comp[mask] stays categorical, comp[r] is the text
    amount: Ints
    mv: Ints  # market_value, blank 0
    req: Ints  # margin_requirement, blank 0
    ids: Texts  # item_id
    age: Ints  # calendar days from open_date to as_of (0 where blank)
    bd_age: Ints  # business days after open_date up to and including as_of
    has_date: Bools
    no_date: Bools
    over_30: Bools  # over 30 calendar days, or no open_date (reading: ageing_blank_date)

    @classmethod
    def of(cls, it: pd.DataFrame, params: Params, cal: BusinessCalendar) -> ItemRows:
        n = len(it)
        as_of = np.datetime64(params.as_of, "D")
        one = np.timedelta64(1, "D")
        od = it["open_date"].to_numpy().astype("datetime64[D]")
        has_date = ~np.isnat(od)
        age = np.where(has_date, (as_of - np.where(has_date, od, as_of)).astype(np.int64), 0)
        # business days after open_date up to and including as_of: T+n is n days old
        # (reading: items_7_8_alternative)
        bd_age = np.where(has_date, cal.busday_count(np.where(has_date, od, as_of) + one, np.full(n, as_of + one)), 0)
        # An ageing kind needs its open_date (validation refuses a blank one). Should a blank
        # reach the formula, it is never a young item: a credit counts as aged, a fail to
        # deliver as too old to be a debit (reading: ageing_blank_date).
        no_date = ~has_date
        return cls(it, params, np.arange(n, dtype=np.int64), it["kind"].to_numpy(dtype=object), it["book"].array,
                   it["amount"].to_numpy(dtype=np.int64), _i64(it["market_value"]), _i64(it["margin_requirement"]),
                   text_values(it["item_id"]), age.astype(np.int64), np.asarray(bd_age, dtype=np.int64), has_date,
                   no_date, no_date | (age > 30))

    def __len__(self) -> int:
        return len(self.rows)

    def k(self, name: str) -> Bools:
        """The rows of one kind."""
        out: Bools = self.kind == name
        return out

    def add(self, out: Outcome, mask: Bools, line: str, amt: Ints | int, rule: str, reason: TextArg,
            primary: bool = True) -> None:
        """Dispositions of the `mask` rows to `line` (amounts and reasons per row, or one for all)."""
        if mask.any():
            amt_arr = amt[mask] if isinstance(amt, np.ndarray) else amt
            reason_arr = reason[mask] if isinstance(reason, np.ndarray) else reason
            out.frames.append(dispositions("items", self.rows[mask], self.comp[mask], line, amt_arr, rule, reason_arr,
                                           "", primary))

    def listed(self, out: Outcome, mask: Bools, rule: str, message: Callable[[int], str], amt: Ints | int,
               severity: Severity = Severity.REVIEW) -> None:
        """One finding per row where `mask` holds (up to MAX_LISTED, then one saying how many
        more); `message(r)` words it."""
        picked = self.rows[mask]
        for r in picked[:MAX_LISTED].tolist():
            out.findings.append(Finding(rule, self.comp[r], message(r),
                                        int(amt[r]) if isinstance(amt, np.ndarray) else amt, "items", int(r), severity))
        more_than_listed(len(picked), out.findings, rule, "", "items", severity)


def item_row_checks(ir: ItemRows) -> Outcome:
    """Rows every item rule relies on: an ageing kind without its open_date (Items 4, 6-9, 12;
    Note D; reading: ageing_blank_date), and a negative amount, which works against its line."""
    out = Outcome()
    kind, ids, amount = ir.kind, ir.ids, ir.amount
    ageing = np.isin(kind, AGEING_KINDS)
    ir.listed(out, ageing & ir.no_date, "Items 4, 6-9, 12; Note D (ageing)",
              lambda r: f"{kind[r].replace('_', ' ')} {ids[r]} has no open_date: "
              "its age is unknown, so it is treated as the older item (the higher requirement)", amount, Severity.SEVERE)
    # A negative amount is accepted (BOOK_FORMAT.md sets no sign) but it works against its
    # line -- a negative credit lowers the requirement -- so each one goes to review.
    ir.listed(out, amount < 0, "Exhibit A items: negative amount",
              lambda r: f"negative amount on a {kind[r].replace('_', ' ')} item: it reduces the line it belongs to; "
                        "a credit or debit of the other sign needs support", amount)
    return out
