"""Deposits and letters of credit at clearing organizations, counted once per organization.

Margin at clearing organizations (Items 13, 14; Notes F, G) and letters of credit (Note B)
are capped once per clearing organization, not per row: one requirement may be met by
several deposits of different forms (reading: clearing_margin_groups).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .. import money
from .inputs import Bools, Ints, Texts
from .model import Finding, Severity

Cap = Literal["smallest", "largest"]


@dataclass
class ClearingGroups:
    """Rows of one clearing organization (and computation, and line) capped together."""

    alloc: Ints  # each row's part of the group's capped amount (in item_id order)
    cap: Ints  # the group's requirement, per row
    total: Ints  # the group's amount before the cap, per row
    counted: Ints  # the group's capped amount, per row
    size: Ints  # rows in the group, per row
    differs: Bools  # the group's rows state different requirements, per row
    key: Texts  # group label, per row
    reason_credit: Texts
    reason_debit: Texts


def clearing_groups(it: pd.DataFrame, mask: Bools, org: Texts, amount: Ints, req: Ints, order: Texts,
                    named_cap: Cap, unnamed_cap: Cap = "largest", per_row_cap: bool = False) -> ClearingGroups:
    """Group the `mask` rows by (computation, kind, clearing organization; rows naming none
    form one group per computation and kind) and cap each group once at its requirement: the
    smallest or the largest stated by its rows (`named_cap` / `unnamed_cap`: whichever gives the
    higher reserve requirement for that line). With `per_row_cap` each row first counts only
    up to the requirement it states. The capped amount is given to the group's rows in
    item_id order."""
    n = len(it)
    idx = np.flatnonzero(mask)
    t = pd.DataFrame({"pos": idx, "comp": it["book"].to_numpy(dtype=object)[idx],
                      "kind": it["kind"].to_numpy(dtype=object)[idx],
                      "org": np.where(org[idx] == None, "", org[idx]).astype(object),  # noqa: E711
                      "amount": amount[idx], "req": req[idx], "id": order[idx]})
    t["a"] = np.minimum(t["amount"], t["req"]) if per_row_cap else t["amount"]
    keys = ["comp", "kind", "org"]
    by = t.groupby(keys, sort=False)
    t["cap"] = np.where(t["org"] == "", by["req"].transform("min" if unnamed_cap == "smallest" else "max"),
                        by["req"].transform("min" if named_cap == "smallest" else "max"))
    t["differs"] = by["req"].transform("nunique") > 1
    t["total"] = by["a"].transform("sum")
    t["size"] = by["a"].transform("size")
    t["counted"] = np.minimum(t["total"], t["cap"])
    t = t.sort_values(keys + ["id", "pos"], kind="stable")
    cum = t.groupby(keys, sort=False)["a"].cumsum()
    t["alloc"] = np.clip(np.minimum(cum, t["counted"]) - (cum - t["a"]), 0, None)
    # the words of each group's disposition (a handful of groups: formatted once each)
    first = t.drop_duplicates(keys)
    where = np.where(first["org"] == "", "the rows naming no clearing organization",
                     "clearing organization " + first["org"].astype(str))
    caps = [money.format_display(int(c)) for c in first["cap"]]
    words = pd.DataFrame({"comp": first["comp"], "kind": first["kind"], "org": first["org"],
                          "credit": [f"letters of credit at {w} counted together up to its margin requirement {c}"
                                     for w, c in zip(where, caps, strict=True)],
                          "debit": [f"margin required and on deposit at {w}: its deposits counted together up to its "
                                    f"requirement {c}" for w, c in zip(where, caps, strict=True)]})
    t = t.merge(words, on=keys, how="left").sort_values("pos")
    single = t["size"].to_numpy() == 1
    t["credit"] = np.where(single, "letter of credit to the extent of the margin requirement", t["credit"])
    t["debit"] = np.where(single, "margin required and on deposit (the lesser of the two)", t["debit"])

    def full(col: str, dtype: type, fill: object) -> Any:
        a: npt.NDArray[Any] = np.full(n, fill, dtype=dtype)
        a[t["pos"].to_numpy()] = t[col].to_numpy(dtype=dtype)
        return a

    return ClearingGroups(full("alloc", np.int64, 0), full("cap", np.int64, 0), full("total", np.int64, 0),
                   full("counted", np.int64, 0), full("size", np.int64, 0), full("differs", bool, False),
                   full("org", object, ""), full("credit", object, ""), full("debit", object, ""))


def disagreeing(g: ClearingGroups, findings: list[Finding], comp: pd.Categorical, rule: str, what: str,
                used: str) -> None:
    """One finding per clearing organization whose rows state different requirements."""
    seen: set[tuple[str, str]] = set()
    for r in np.flatnonzero(g.differs & (g.key != "")).tolist():
        key = (comp[r], g.key[r])
        if key in seen:
            continue
        seen.add(key)
        findings.append(Finding(rule, comp[r], f"the {what} rows of clearing organization {g.key[r]} state different "
                                f"margin requirements: {used} ({money.format_display(int(g.cap[r]))})",
                                None, "items", int(r), Severity.REVIEW))
