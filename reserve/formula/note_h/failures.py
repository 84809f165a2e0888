"""Failed conditions as data: one record per (row, condition of Note H it fails).

A stage of Note H states its conditions as `Check`s, in the order of the rule; `failed`
turns them into long-format records (columns `FAILURE_COLUMNS`), which then drive, from one
statement of each condition, the exclusion reasons of the dispositions (`join_by_row`), the
report's failed conditions per customer and the findings (`condition_findings`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import model
from ..model import Severity
from .text import TextArray

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
#: A message part: one text for every row, or a function of the failing rows giving one per row
#: (so messages are only built where a condition fails).
Words = str | Callable[[pd.DataFrame], Any]

FAILURE_COLUMNS = ("cca_id", "account_id", "computation", "table", "pos", "rule", "message", "detail", "amount",
                   "kind", "sortkey", "cond", "severity")
_INT_COLUMNS = ("pos", "amount", "kind", "cond")


@dataclass(frozen=True)
class Check:
    """One condition of the rule tested on every row of a table.

    fails: the rows that fail it. rule: the citation (or one per failing row). detail: the
    condition, in words. amount: the column holding the amount at stake. severity: of the
    finding each failure gives.
    """

    fails: BoolArray
    rule: Words
    detail: Words
    amount: str = "value"
    severity: Severity = Severity.REVIEW


@dataclass(frozen=True)
class Table:
    """Where a stage's failures are reported: the input table, the order of its records among
    a customer's (`kind`), the column ordering its rows (`sortkey`) and the label naming a row."""

    name: str
    kind: int
    sortkey: str
    label: Callable[[pd.DataFrame], Any] | None = None


def _per_row(v: Words, rows: pd.DataFrame) -> TextArray:
    w = v(rows) if callable(v) else v
    if isinstance(w, (pd.Series, np.ndarray)):
        return np.asarray(w, dtype=object)
    return np.full(len(rows), w, dtype=object)


def failed(frame: pd.DataFrame, checks: Sequence[Check], table: Table, first_cond: int = 0) -> pd.DataFrame:
    """The failure records of `checks` on `frame` (which has cca_id, account_id, computation,
    pos and the amount and sortkey columns); condition k of `checks` is numbered first_cond + k."""
    parts = []
    for k, c in enumerate(checks):
        m = np.asarray(c.fails, dtype=bool)
        if not m.any():
            continue
        s = frame.loc[m]
        detail = _per_row(c.detail, s)
        parts.append(pd.DataFrame({
            "cca_id": s["cca_id"].to_numpy(dtype=object),
            "account_id": s["account_id"].to_numpy(dtype=object),
            "computation": s["computation"].to_numpy(dtype=object),
            "table": table.name,
            "pos": s["pos"].to_numpy(dtype=np.int64),
            "rule": _per_row(c.rule, s),
            "message": (_per_row(table.label, s) + ": " + detail) if table.label is not None else detail,
            "detail": detail,
            "amount": s[c.amount].to_numpy(dtype=np.int64),
            "kind": table.kind,
            "sortkey": s[table.sortkey].to_numpy(dtype=object),
            "cond": first_cond + k,
            "severity": c.severity,
        }))
    return concat(parts)


def concat(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Failure records of several stages -> one frame (typed columns even when empty)."""
    kept = [x for x in parts if len(x)]
    if not kept:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in _INT_COLUMNS else object) for c in FAILURE_COLUMNS})
    return pd.concat(kept, ignore_index=True)


def join_by_row(n: int, pos: Any, cond: Any, rule: Any, detail: Any) -> tuple[TextArray, TextArray]:
    """Per row (0..n-1), the failed conditions recorded as (pos, cond, rule, detail), in
    condition order: the rules joined (a rule repeated by consecutive conditions once) and
    "rule: detail" joined. One record per (row, condition), so a loop over the conditions."""
    pos_, cond_ = np.asarray(pos, dtype=np.int64), np.asarray(cond, dtype=np.int64)
    rule_, text_ = np.asarray(rule, dtype=object), np.asarray(detail, dtype=object)
    rules = np.full(n, "", dtype=object)
    texts = np.full(n, "", dtype=object)
    last = np.full(n, "", dtype=object)
    for k in np.unique(cond_):
        m = cond_ == k
        p, r = pos_[m], rule_[m]
        texts[p] = texts[p] + np.where(texts[p] == "", "", "; ") + r + ": " + text_[m]
        new = r != last[p]
        rules[p] = np.where(new, rules[p] + np.where(rules[p] == "", "", "; ") + r, rules[p])
        last[p] = np.where(new, r, last[p])
    return rules, texts


def failed_rows(n: int, failures: pd.DataFrame) -> BoolArray:
    """The rows (0..n-1) with at least one failure record."""
    out = np.zeros(n, dtype=bool)
    out[failures["pos"].to_numpy(dtype=np.int64)] = True
    return out


def condition_findings(failures: pd.DataFrame, table: str) -> list[model.Finding]:
    """One finding per failed condition of a requirement or deposit row, by clearing agency,
    account, row and condition."""
    f = failures.sort_values(["cca_id", "account_id", "sortkey", "cond"], kind="mergesort")
    cols = [f[c].to_numpy(dtype=object).tolist() for c in ("rule", "computation", "cca_id", "account_id", "message",
                                                            "severity")]
    return [model.Finding(rule, comp, f"clearing agency {cca_id}, account {acct}: {msg}", int(amt), table, int(pos),
                          Severity(sev))
            for rule, comp, cca_id, acct, msg, sev, amt, pos in zip(*cols, f["amount"].tolist(), f["pos"].tolist(), strict=False)]
