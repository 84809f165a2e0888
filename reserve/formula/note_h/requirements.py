"""The margin requirement that counts for Item 15, per requirement row: Note H(a)(2) (the
customers' U.S. Treasury positions) and Note H(b)(2)(i) (a separate margin per customer,
delivered gross), with the account structure of the customer's margin
(reading: h_account_structure).

Each condition is stated once, in `CONDITIONS`: the same table gives the requirement rows'
dispositions and their failed conditions in the report and the findings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import model
from .accounts import attach_account
from .cca import with_cca
from .failures import BoolArray, Check, Table, Words, failed
from .outcome import EXCLUDED, NOTE_H_TEST
from .text import text, usd_column

# Note H(a)(2): "purchases and sales of U.S. Treasury securities" and "U.S. Treasury
# securities repurchase and reverse repurchase agreements".
UST_POSITION_TYPES = ("ust_cash", "ust_repo")

# Note H(b)(2)(i) and the account structure (reading: h_account_structure). Margin held in
# an omnibus account netted across customers earns no Item 15 debit: the clearing agency
# does not "calculate a separate margin amount for each customer" delivered "on a gross
# basis". Industry has applied for an exemption (Release 34-105980, July 2026); that release
# is a notice of the application, not an order. Should the Commission grant an order, set
# this to True (and add the order's conditions, and reword the reading; reading: h_account_structure):
# omnibus_net requirements (basis net, as the loader makes sure) then count.
OMNIBUS_NET_MARGIN_COUNTS = False


def outside_the_computations(r: pd.DataFrame) -> BoolArray:
    """Note H(a)(2): margin for the positions "of the customers of the broker or dealer". PAB
    accounts' requirements are the PAB computation's; a non-customer's, an unknown account's
    or an excluded cross-margin account's count in neither (reading: h_outside_accounts)."""
    return np.asarray((r["computation"] == "").to_numpy(dtype=bool), dtype=bool)


def not_treasury_positions(r: pd.DataFrame) -> BoolArray:
    """Note H(a)(2): U.S. Treasury purchases/sales and repos only. A triparty GC repo whose
    matching CUSIP is a non-Treasury collateral type is `other` (SEC staff FAQ 2025-09-30, Q1)."""
    return np.asarray(~r["position_type"].isin(UST_POSITION_TYPES).to_numpy(dtype=bool), dtype=bool)


def omnibus_net_margin(r: pd.DataFrame) -> BoolArray:
    """Note H(b)(2)(i): "a separate margin amount for each customer ... on a gross basis". An
    omnibus account netted across customers earns no debit unless an order permits it
    (reading: h_account_structure)."""
    omnibus_net = (r["structure"] == "omnibus_net").to_numpy(dtype=bool)
    return np.asarray(omnibus_net & (not OMNIBUS_NET_MARGIN_COUNTS), dtype=bool)


def not_gross_per_customer(r: pd.DataFrame) -> BoolArray:
    """Note H(b)(2)(i): margin computed net across customers, or not shown gross (a blank
    basis). An omnibus_net requirement is net by its structure: `omnibus_net_margin` is the
    one reason given for it."""
    return np.asarray((r["basis"] != "gross").to_numpy(dtype=bool) & ~(r["structure"] == "omnibus_net").to_numpy(dtype=bool),
                      dtype=bool)


@dataclass(frozen=True)
class RequirementCondition:
    """A condition a requirement row must meet to count: the rule, the rows failing it, and
    why in two wordings -- `finding` for the report's failed conditions and findings,
    `reason` for the row's disposition."""

    rule: str
    fails: Callable[[pd.DataFrame], BoolArray]
    finding: Words
    reason: Words


def _outside_finding(x: pd.DataFrame) -> pd.Series:
    return ("account " + text(x["account_id"]) + " is " + x["outside"]
            + "; Note H applies to customers' (and PAB accounts') positions")


def _outside_reason(r: pd.DataFrame) -> pd.Series:
    return "account " + text(r["account_id"]) + " is " + r["outside"]


def _not_ust_reason(r: pd.DataFrame) -> pd.Series:
    return ("position type " + text(r["position_type"]) + " is not a U.S. Treasury purchase/sale or repo (SEC staff "
            "FAQ 2025-09-30: triparty GC repo with a non-Treasury matching CUSIP)")


def _net_finding(x: pd.DataFrame) -> object:
    return np.where(x["basis"] == "", "basis blank: not shown computed gross for this customer",
                    "computed net across customers, not gross for this customer")


def _net_reason(r: pd.DataFrame) -> pd.Series:
    return pd.Series(np.where(r["basis"] == "", "basis blank, not shown gross for this customer",
                              "computed net, not gross for this customer"), index=r.index)


#: The conditions of a requirement row, in the order they are reported.
CONDITIONS: tuple[RequirementCondition, ...] = (
    RequirementCondition("Note H(a)(2)", outside_the_computations, _outside_finding, _outside_reason),
    RequirementCondition(
        "Note H(a)(2)", not_treasury_positions,
        "the margin does not result from purchases, sales or repos of U.S. Treasury securities (a triparty GC repo with "
        "a non-Treasury matching CUSIP is not one: SEC staff FAQ 2025-09-30)",
        _not_ust_reason),
    RequirementCondition("Note H(b)(2)(i)", not_gross_per_customer, _net_finding, _net_reason),
    RequirementCondition(
        "Note H(b)(2)(i)", omnibus_net_margin,
        "held in an omnibus account margined net across customers (account_structure omnibus_net): the clearing agency "
        "does not calculate a separate margin for this customer delivered gross; no Item 15 (an exemption has been "
        "applied for, Release 34-105980, July 2026: a notice, not an order)",
        "held in an omnibus account margined net across customers (no Item 15; exemption applied for, Release "
        "34-105980: a notice, not an order)"),
)


@dataclass(frozen=True)
class Requirements:
    """rows: one per cca_requirements row, with its account's computation, its clearing
    agency's outcome, `row_ok` (meets CONDITIONS), `counted` (and at a clearing agency
    meeting Note H), `counted_amt`, `row_ok_amt`. failures: their failed conditions."""

    rows: pd.DataFrame
    failures: pd.DataFrame


def _label(x: pd.DataFrame) -> object:
    return "requirement " + x["sortkey"] + " of " + usd_column(x["requirement"])


def requirements_counted(rq: pd.DataFrame, attrs: pd.DataFrame, agencies: pd.DataFrame) -> Requirements:
    """Note H(a)(2), (b)(2)(i): the requirement rows that count for Item 15 (Item 15's
    "margin required"), at a clearing agency meeting Note H."""
    r = pd.DataFrame({
        "pos": np.arange(len(rq), dtype=np.int64),
        "cca_id": model.text_values(rq["cca_id"]),
        "account_id": model.text_values(rq["account_id"]),
        "position_type": model.text_values(rq["position_type"]),
        # A blank basis or structure is never gross (the loader fills declared defaults).
        "basis": rq["basis"].astype(object).fillna("").to_numpy(dtype=object),
        "structure": (rq["account_structure"].astype(object).fillna("").to_numpy(dtype=object)
                      if "account_structure" in rq.columns else np.full(len(rq), "", dtype=object)),
        "requirement": rq["requirement"].to_numpy(dtype=np.int64),
    })
    r = attach_account(r, attrs, "account_id", "")
    r = with_cca(r, agencies)
    fails = [c.fails(r) for c in CONDITIONS]
    row_ok = ~np.logical_or.reduce(fails)
    counted = row_ok & r["cca_ok"].to_numpy(dtype=bool)
    amount = r["requirement"].to_numpy(dtype=np.int64)
    r["row_ok"] = row_ok
    r["counted"] = counted
    r["counted_amt"] = np.where(counted, amount, 0)
    r["row_ok_amt"] = np.where(row_ok, amount, 0)
    r["sortkey"] = (text(r["position_type"]) + "/" + text(r["basis"])
                    + np.where(r["structure"] != "", "/" + r["structure"].astype(str), ""))
    checks = [Check(m, c.rule, c.finding, "requirement") for c, m in zip(CONDITIONS, fails, strict=False)]
    return Requirements(r, failed(r, checks, Table("cca_requirements", 1, "sortkey", _label)))


def requirement_dispositions(r: pd.DataFrame) -> pd.DataFrame:
    """Item 15; Note H(a)(2), (b)(2)(i): a counted requirement is evidence (the debit is
    carried by the deposit rows); one not counted is excluded with every reason, the
    clearing agency's failures last."""
    counted = r["counted"].to_numpy(dtype=bool)
    row_ok = r["row_ok"].to_numpy(dtype=bool)
    structure = r["structure"].to_numpy(dtype=object)
    amt = usd_column(r["requirement"]) + np.where(structure != "", " (" + structure + " account)", "")
    parts: list[tuple[BoolArray, object, object]] = [
        (c.fails(r), c.rule, c.reason(r) if callable(c.reason) else c.reason) for c in CONDITIONS]
    parts.append((row_ok & ~r["cca_ok"].to_numpy(dtype=bool), r["fail_rules"],
                  "clearing agency fails Note H: " + r["fail_text"]))
    rule_s = pd.Series("", index=r.index, dtype=object)
    why_s = pd.Series("", index=r.index, dtype=object)
    for mask, rule, why in parts:
        rr = rule if isinstance(rule, pd.Series) else pd.Series(rule, index=r.index)
        ww = why if isinstance(why, pd.Series) else pd.Series(why, index=r.index)
        sep_r = np.where(rule_s == "", "", "; ")
        sep_w = np.where(why_s == "", "", "; ")
        rule_s = rule_s.where(~mask, rule_s + sep_r + rr)
        why_s = why_s.where(~mask, why_s + sep_w + ww)
    line = np.where(counted, NOTE_H_TEST, EXCLUDED)
    rule_out = np.where(counted, "Item 15; Note H(a)(2), (b)(2)(i)", rule_s)
    reason = np.where(counted,
                      "requirement " + amt + " counted for Item 15 (the debit is carried by the deposit rows, "
                      "up to what is on deposit)",
                      "requirement " + amt + " not counted for Item 15: " + why_s)
    return model.dispositions("cca_requirements", r["pos"], r["computation"], line, 0, rule_out, reason)
