"""What Note H gives the computation: dispositions, findings, and one report entry per
customer account at each clearing agency (`NoteHEntry`, the rows of the report's Note H
table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import model
from ..model import FailedCondition, NoteHEntry, PendingDeposit

# The disposition lines Note H writes.
ITEM_15 = "item_15"  # the debit, carried by the deposit rows
ITEM_2 = "item_2"  # Note B, last sentence: customers' securities at a qualified clearing agency
EXCLUDED = "excluded"
NOTE_H_TEST = "note_h_test"  # evidence only (cca rows, counted requirements, increments): amount 0


@dataclass
class NoteHOutcome:
    """dispositions: one primary record per row of cca, cca_requirements,
    cca_requirement_increments and cca_deposits (and Item 2 records). entries: per customer
    account at each clearing agency. findings: for the reviewer."""

    dispositions: pd.DataFrame
    entries: list[NoteHEntry]
    findings: list[model.Finding] = field(default_factory=list)


_KEY = ["cca_id", "account_id"]


def _entry_failures(e: pd.DataFrame, cca_fail: pd.DataFrame, req_fail: pd.DataFrame,
                    dep_fail: pd.DataFrame) -> pd.DataFrame:
    # The clearing agency's failures are reported for every customer there, with the
    # requirement they put at stake.
    cf = e[_KEY + ["at_stake", "computation"]].merge(cca_fail[["cca_id", "rule", "message", "cond", "scope"]],
                                                     on="cca_id")
    # An entry meets its own computation's clearing account (reading: h_pab_account).
    cf = cf[((cf["scope"] == "") | (cf["scope"] == np.where(cf["computation"] == "pab", "pab", "customer")))
            .to_numpy(dtype=bool)]
    cf = cf.assign(amount=cf["at_stake"], kind=0, sortkey="", message="clearing agency " + cf["cca_id"] + ": "
                   + cf["message"])
    missing = e.loc[~e["cca_id"].isin(cca_fail["cca_id"]) & e["cca_name"].isna(), _KEY + ["at_stake"]]
    cf_unknown = missing.assign(rule="Note H(a)", message="clearing agency " + missing["cca_id"] + " is not in the cca table",
                                cond=-1, amount=missing["at_stake"], kind=0, sortkey="")
    cols = _KEY + ["kind", "sortkey", "cond", "rule", "message", "amount"]
    allf = pd.concat([cf[cols], cf_unknown[cols], req_fail[cols], dep_fail[cols]], ignore_index=True)
    return allf.sort_values(_KEY + ["kind", "sortkey", "cond"], kind="mergesort")


def _or_none(v: Any) -> Any:
    return None if v is None or v != v else v


def entries(e: pd.DataFrame, cca_fail: pd.DataFrame, req_fail: pd.DataFrame, dep_fail: pd.DataFrame,
            pend: pd.DataFrame) -> list[NoteHEntry]:
    """The report's entries, one per row of `e` (the per-customer frame), with the failed
    conditions of the clearing agency, the requirement rows and the deposit rows, in the order
    of the rule, and the pending deposits."""
    allf = _entry_failures(e, cca_fail, req_fail, dep_fail)
    fc: dict[tuple[str, str], list[FailedCondition]] = {}
    amounts = allf["amount"].to_numpy(dtype=object)
    for cca_id, acct, rule, msg, amt in zip(*(allf[c].to_numpy(dtype=object).tolist() for c in
                                              ("cca_id", "account_id", "rule", "message")), amounts.tolist(), strict=False):
        fc.setdefault((cca_id, acct), []).append(
            {"rule": rule, "message": msg, "amount": None if amt is None or amt != amt else int(amt)})
    pl: dict[tuple[str, str], list[PendingDeposit]] = {}
    pend = pend.sort_values(_KEY + ["deposit_id"], kind="mergesort")
    for cca_id, acct, dep_id, dl, value in zip(*(pend[c].to_numpy(dtype=object).tolist() for c in
                                                 ("cca_id", "account_id", "deposit_id")),
                                               pend["deadline"].dt.date.tolist(), pend["value"].tolist(), strict=False):
        pl.setdefault((cca_id, acct), []).append({"deposit_id": dep_id, "deadline": dl, "amount": int(value)})
    cols = {c: e[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "cca_name", "account_id", "customer_id",
                                                                "computation", "status", "account_structure")}
    nums = {c: e[c].to_numpy(dtype=np.int64).tolist() for c in ("requirement", "requirement_counted",
                                                                  "eligible_deposits", "item_15", "excess_on_deposit")}
    out: list[NoteHEntry] = []
    for k in range(len(e)):
        ident = (cols["cca_id"][k], cols["account_id"][k])
        out.append({
            "cca_id": ident[0],
            "cca_name": _or_none(cols["cca_name"][k]),
            "account_id": ident[1],
            "customer_id": _or_none(cols["customer_id"][k]),
            "computation": cols["computation"][k],
            "account_structure": _or_none(cols["account_structure"][k]),
            "requirement": nums["requirement"][k],
            "requirement_counted": nums["requirement_counted"][k],
            "eligible_deposits": nums["eligible_deposits"][k],
            "item_15": nums["item_15"][k],
            "excess_on_deposit": nums["excess_on_deposit"][k],
            "status": cols["status"][k],
            "failed_conditions": fc.get(ident, []),
            "pending": pl.get(ident, []),
        })
    return out
