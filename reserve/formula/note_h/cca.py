"""The qualified clearing agency test: Note H(a)'s definition, the rules of Note H(b)(2),
the Commission's notice of Note H(b)(3), and the same read for the firm's PAB clearing account
with PAB Note 1 ("customers" -> "PAB accounts"; reading: h_pab_account).

One row of the `cca` table per clearing agency. A condition has a scope: "" is the clearing
agency's own (both computations); "customer" a condition of the firm's customers' clearing
account; "pab" one of its PAB clearing account. A row of another table meets the clearing
account of its own computation (`with_cca`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import model
from ..model import ComputationName, Severity
from .failures import BoolArray, join_by_row
from .outcome import NOTE_H_TEST
from .text import TextArray, dates_text, first_difference, usd

# Note H(b)(2)(iii)(B), and the same read with PAB Note 1 ("Customers" -> "PAB Accounts")
# for the PAB clearing account (reading: h_pab_account).
DESIGNATION = "Special Clearing Account for the Exclusive Benefit of the Customers of {firm_name}"
PAB_DESIGNATION = "Special Clearing Account for the Exclusive Benefit of the PAB Accounts of {firm_name}"

# Attested conditions, in the order of Note H: (column, rule, what fails, scope).
_AGENCY_AND_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("registered", "Note H(a)", "not attested as registered with the Commission under section 17A of the Act", ""),
    ("clears_ust", "Note H(a)", "not attested as clearing, settling and novating U.S. Treasury transactions", ""),
    ("rule_gross_margin", "Note H(b)(2)(i)",
     "no attested rule requiring a separate margin amount per customer, delivered on a gross basis", ""),
    ("rule_investment_limit", "Note H(b)(2)(ii)",
     "no attested rule limiting investment of customer cash to U.S. Treasuries maturing in one year or less", ""),
    ("rule_segregated_account", "Note H(b)(2)(iii)(A)",
     "no attested rule requiring a segregated account used exclusively for customers' U.S. Treasury transactions", ""),
    ("pab_rules_apply", "PAB Note 1; Note H(b)(2)",
     "PAB clearing account: the clearing agency's rules of Note H(b)(2)(i)-(v) (a separate margin per PAB account "
     "delivered gross, the investment limit, a segregated account used exclusively for PAB accounts' Treasury "
     "transactions, custody, return) are not attested to apply to it, with compliance (pab_rules_apply)", "pab"),
)
_NOTICE_CONTRACT_CUSTODY_RETURN: tuple[tuple[str, str, str, str], ...] = (
    ("written_notice", "Note H(b)(2)(iii)(C)", "no written notice of the clearing agency on file", "customer"),
    ("pab_written_notice", "PAB Note 1; Note H(b)(2)(iii)(C)",
     "PAB clearing account: no written notice of the clearing agency on file (pab_written_notice)", "pab"),
    ("written_contract", "Note H(b)(2)(iii)(D)", "no written contract with the clearing agency on file", "customer"),
    ("pab_written_contract", "PAB Note 1; Note H(b)(2)(iii)(D)",
     "PAB clearing account: no written contract with the clearing agency on file (pab_written_contract)", "pab"),
    ("rule_custody", "Note H(b)(2)(iv)",
     "no attested rule on custody at the clearing agency, a Federal Reserve Bank or an FDIC-insured bank", ""),
    ("rule_return_excess", "Note H(b)(2)(v)",
     "no attested rule requiring the return of collateral no longer needed", ""),
    ("in_compliance", "Note H(b)(2)", "the clearing agency and the firm are not attested to comply with those rules", ""),
)
_OUTCOMES = ("ok", "fail_rules", "fail_text")


@dataclass(frozen=True)
class CcaCondition:
    """One condition of the test, on every `cca` row: the rows failing it, and why."""

    fails: BoolArray
    rule: str
    message: str | TextArray
    scope: str = ""


@dataclass(frozen=True)
class CcaTest:
    """agencies: per `cca` row (pos, cca_id, cca_name, qualified_ca, and per computation
    ok_<c>, fail_rules_<c>, fail_text_<c>). failures: one record per (row, failed condition):
    cca_id, pos, rule, message, cond, scope."""

    agencies: pd.DataFrame
    failures: pd.DataFrame


def bools(frame: pd.DataFrame, col: str) -> BoolArray:
    """A bool column (False where the column is absent: a blank never meets a condition)."""
    if col not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return np.asarray(frame[col].fillna(False).to_numpy(dtype=bool), dtype=bool)


def qualified_clearing_agency(cca: pd.DataFrame) -> BoolArray:
    """Note H(a)'s definition, which Note B's last sentence refers to: a "qualified clearing
    agency" is registered with the Commission under section 17A and clears, settles and
    novates transactions in U.S. Treasury securities."""
    return bools(cca, "registered") & bools(cca, "clears_ust")


def _attested(cca: pd.DataFrame, conditions: Sequence[tuple[str, str, str, str]]) -> list[CcaCondition]:
    return [CcaCondition(~bools(cca, col), rule, what, scope) for col, rule, what, scope in conditions]


def rules_of_the_clearing_agency(cca: pd.DataFrame) -> list[CcaCondition]:
    """As attested on the `cca` row: Note H(a) (registered under section 17A, clears, settles
    and novates U.S. Treasury transactions), and the clearing agency's rules of Note H(b)(2)(i)
    (a separate margin per customer, delivered gross), Note H(b)(2)(ii) (the investment limit)
    and Note H(b)(2)(iii)(A) (a segregated account used exclusively for customers' U.S.
    Treasury transactions); with PAB Note 1, the same rules applying to the PAB clearing
    account (reading: h_pab_account)."""
    return _attested(cca, _AGENCY_AND_RULES)


def notice_contract_custody_and_return(cca: pd.DataFrame) -> list[CcaCondition]:
    """As attested on the `cca` row: Note H(b)(2)(iii)(C) (the clearing agency's written
    notice) and Note H(b)(2)(iii)(D) (the written contract), for the customers' clearing
    account and, with PAB Note 1, the PAB clearing account's own; Note H(b)(2)(iv) (custody
    at the clearing agency, a Federal Reserve Bank or an FDIC-insured bank), whose account
    conditions Note H(b)(2)(iv)(A) (segregated), Note H(b)(2)(iv)(B) (the bank's written
    notice) and Note H(b)(2)(iv)(C) (the written contract with the bank) are the clearing
    agency's, attested with it as one rule; Note H(b)(2)(v) (return of collateral no longer
    needed); and Note H(b)(2) itself (the clearing agency and the firm comply with those rules)."""
    return _attested(cca, _NOTICE_CONTRACT_CUSTODY_RETURN)


def _designation_check(got: TextArray, want: str, what: str) -> tuple[BoolArray, TextArray]:
    """The designation, exactly. A handful of rows: a loop is fine."""
    bad = np.array([g != want for g in got], dtype=bool)
    why = np.array([f"{what} is blank; it must read exactly \"" + want + "\"" if g is None
                    else f"{what} " + first_difference(g, want) for g in got], dtype=object)
    return bad, why


def special_clearing_account_designation(cca: pd.DataFrame, firm_name: str) -> list[CcaCondition]:
    """Note H(b)(2)(iii)(B): the account is designated "Special Clearing Account for the
    Exclusive Benefit of the Customers of [name of broker or dealer]", exactly; the PAB
    clearing account's read with PAB Note 1 (reading: h_pab_account)."""
    bad, why = _designation_check(model.text_values(cca["account_designation"]), DESIGNATION.format(firm_name=firm_name),
                                  "account designation")
    pab_got = (model.text_values(cca["pab_account_designation"]) if "pab_account_designation" in cca.columns
               else np.full(len(cca), None, dtype=object))
    pab_bad, pab_why = _designation_check(pab_got, PAB_DESIGNATION.format(firm_name=firm_name),
                                          "PAB clearing account: designation (pab_account_designation)")
    return [CcaCondition(bad, "Note H(b)(2)(iii)(B)", why, "customer"),
            CcaCondition(pab_bad, "PAB Note 1; Note H(b)(2)(iii)(B)", pab_why, "pab")]


def commission_notice(cca: pd.DataFrame, as_of: pd.Timestamp) -> list[CcaCondition]:
    """Note H(b)(3): the Commission "has published (and not subsequently withdrawn) a notice"
    that brokers or dealers may include the debit -- published on or before as_of, and not
    withdrawn on or before it."""
    notice = cca["sec_notice_date"]
    withdrawn = cca["sec_notice_withdrawn_date"]
    return [
        CcaCondition(notice.isna().to_numpy(dtype=bool), "Note H(b)(3)",
                     "no Commission notice permitting the debit (sec_notice_date blank)"),
        CcaCondition((notice > as_of).to_numpy(dtype=bool), "Note H(b)(3)",
                     np.asarray("the Commission's notice was published on " + dates_text(notice) + ", after as_of "
                                + f"{as_of:%Y-%m-%d}", dtype=object)),
        CcaCondition((withdrawn <= as_of).to_numpy(dtype=bool), "Note H(b)(3)",
                     np.asarray("the Commission's notice was withdrawn on " + dates_text(withdrawn), dtype=object)),
    ]


def cca_test(cca: pd.DataFrame, firm_name: str, as_of: pd.Timestamp) -> CcaTest:
    """The qualified clearing agency test per `cca` row, in the order of the rule: Note H(a),
    Note H(b)(2) (`rules_of_the_clearing_agency`, `special_clearing_account_designation`,
    `notice_contract_custody_and_return`) and Note H(b)(3) (`commission_notice`), for the
    customers' clearing account and, with PAB Note 1, the PAB clearing account
    (reading: h_pab_account)."""
    c = pd.DataFrame({"pos": np.arange(len(cca), dtype=np.int64),
                      "cca_id": model.text_values(cca["cca_id"]),
                      "cca_name": model.text_values(cca["name"])})
    conditions = (rules_of_the_clearing_agency(cca) + special_clearing_account_designation(cca, firm_name)
                  + notice_contract_custody_and_return(cca) + commission_notice(cca, as_of))
    msgs = [np.asarray(x.message, dtype=object) if isinstance(x.message, np.ndarray)
            else np.full(len(c), x.message, dtype=object) for x in conditions]
    # One record per (cca row, failed condition), in the order of Note H.
    fm = np.column_stack([x.fails for x in conditions]) if len(c) else np.zeros((0, len(conditions)), dtype=bool)
    ri, ci = np.nonzero(fm)
    f = pd.DataFrame({"cca_id": c["cca_id"].to_numpy()[ri], "pos": c["pos"].to_numpy()[ri],
                      "rule": np.asarray([x.rule for x in conditions], dtype=object)[ci],
                      "message": np.column_stack(msgs)[ri, ci] if len(c) else np.zeros(0, dtype=object),
                      "cond": ci.astype(np.int64),
                      "scope": np.asarray([x.scope for x in conditions], dtype=object)[ci]})
    c["qualified_ca"] = qualified_clearing_agency(cca)
    for comp in model.COMPUTATIONS:
        fc = f[f["scope"].isin(("", comp))]
        c["ok_" + comp] = ~c["cca_id"].isin(fc["cca_id"]).to_numpy()
        c["fail_rules_" + comp], c["fail_text_" + comp] = join_by_row(len(c), fc["pos"], fc["cond"], fc["rule"],
                                                                      fc["message"])
    return CcaTest(c, f)


def with_cca(frame: pd.DataFrame, agencies: pd.DataFrame) -> pd.DataFrame:
    """The clearing agency's outcome for each row's computation: its PAB clearing account's
    for a PAB row, its customers' clearing account's otherwise (reading: h_pab_account)."""
    cols = ["cca_id", "cca_name", "qualified_ca"] + [f"{k}_{comp}" for comp in model.COMPUTATIONS for k in _OUTCOMES]
    out = frame.merge(agencies[cols], how="left", on="cca_id", sort=False)
    unknown = out["ok_customer"].isna().to_numpy(dtype=bool)
    pab = (out["computation"] == "pab").to_numpy(dtype=bool)
    pick = {k: np.where(pab, out[f"{k}_pab"].to_numpy(dtype=object), out[f"{k}_customer"].to_numpy(dtype=object))
            for k in _OUTCOMES}
    out = out.drop(columns=[f"{k}_{comp}" for comp in model.COMPUTATIONS for k in _OUTCOMES])
    out["cca_ok"] = pd.Series(pick["ok"], index=out.index).fillna(False).astype(bool)
    out["qualified_ca"] = out["qualified_ca"].fillna(False).astype(bool)
    out["fail_rules"] = pd.Series(pick["fail_rules"], index=out.index).where(~unknown, "Note H(a)").fillna("")
    out["fail_text"] = pd.Series(pick["fail_text"], index=out.index).where(
        ~unknown, "Note H(a): the clearing agency is not in the cca table").fillna("")
    return out


def where_used(test: CcaTest, requirements: pd.DataFrame, deposits: pd.DataFrame) -> CcaTest:
    """The clearing agencies where PAB accounts' margin is, and where customers' is: a
    clearing account's own conditions are reported where that computation is (PAB Note 1)."""
    cca, fail = test.agencies.copy(), test.failures
    used_by = {comp: set(requirements.loc[requirements["computation"] == comp, "cca_id"])
               | set(deposits.loc[deposits["computation"] == comp, "cca_id"]) for comp in model.COMPUTATIONS}
    cca["used_pab"] = cca["cca_id"].isin(used_by[ComputationName.PAB]).to_numpy()
    cca["used_customer"] = cca["cca_id"].isin(used_by[ComputationName.CUSTOMER]).to_numpy()
    shown = fail.merge(cca[["cca_id", "used_pab", "used_customer"]], on="cca_id", how="left")
    fail = fail[((shown["scope"] == "")
                 | ((shown["scope"] == "customer") & (shown["used_customer"] | ~shown["used_pab"]))
                 | ((shown["scope"] == "pab") & shown["used_pab"])).to_numpy(dtype=bool)]
    return CcaTest(cca, fail)


def cca_dispositions(cca: pd.DataFrame) -> pd.DataFrame:
    """One evidence record per clearing agency: the customers' clearing account's outcome,
    and the PAB clearing account's where PAB accounts' margin is there (PAB Note 1;
    Note H(a), (b)(2), (b)(3))."""
    ok = cca["ok_customer"].to_numpy(dtype=bool)
    pab_used = cca["used_pab"].to_numpy(dtype=bool)
    pab_ok = cca["ok_pab"].to_numpy(dtype=bool)
    only_pab = pab_used & ~cca["used_customer"].to_numpy(dtype=bool)
    customer_part = np.where(ok, "qualified clearing agency meeting every Note H condition (a), (b)(2), (b)(3)",
                             np.where(pab_used & pab_ok, "does not meet Note H for the customers' clearing account; no "
                                      "customer Item 15 debit at this clearing agency: ",
                                      "does not meet Note H; no Item 15 debit at this clearing agency: ")
                             + cca["fail_text_customer"])
    pab_part = np.where(pab_ok, "; PAB clearing account (PAB Note 1): meets every Note H condition",
                        "; PAB clearing account (PAB Note 1): no PAB Item 15 debit at this clearing agency: "
                        + cca["fail_text_pab"])
    reason = np.where(only_pab, np.where(pab_ok, "qualified clearing agency; PAB clearing account (PAB Note 1) meeting "
                                         "every Note H condition (a), (b)(2), (b)(3)",
                                         "PAB clearing account (PAB Note 1) does not meet Note H; no PAB Item 15 debit "
                                         "at this clearing agency: " + cca["fail_text_pab"]),
                      customer_part + np.where(pab_used, pab_part, ""))
    rule_c = np.where(ok, "Note H(a), (b)(2), (b)(3)", cca["fail_rules_customer"])
    rule_p = np.where(pab_ok, "PAB Note 1; Note H(a), (b)(2), (b)(3)", cca["fail_rules_pab"])
    rule = np.where(only_pab, rule_p, np.where(pab_used, rule_c + "; " + np.where(pab_ok, "PAB Note 1", rule_p), rule_c))
    return model.dispositions("cca", cca["pos"], "", NOTE_H_TEST, 0, rule, reason)


def cca_findings(cca: pd.DataFrame, failures: pd.DataFrame, requirements: pd.DataFrame) -> list[model.Finding]:
    """Clearing agencies failing Note H: one finding per failed condition, with the
    requirement at stake there. A condition of one computation's clearing account puts only
    that computation's requirements at stake (reading: h_pab_account)."""
    r = requirements
    stake = r.groupby("cca_id")["row_ok_amt"].sum().to_dict()
    stake_by = r.groupby(["cca_id", "computation"])["row_ok_amt"].sum().to_dict()
    comps = r[r["row_ok"]].groupby("cca_id")["computation"].unique().to_dict()
    cf = failures.merge(cca[["cca_id", "cca_name", "used_pab"]], on="cca_id").sort_values(["pos", "cond"],
                                                                                         kind="mergesort")
    out: list[model.Finding] = []
    for cca_id, name, rule, msg, pos, scope, pab_too in zip(*(cf[c].to_numpy(dtype=object).tolist() for c in (
            "cca_id", "cca_name", "rule", "message", "pos", "scope", "used_pab")), strict=False):
        if scope:
            at, comp = int(stake_by.get((cca_id, scope), 0)), scope
            where = "for PAB accounts" if scope == "pab" else "for customers" if pab_too else ""
        else:
            at, where = int(stake.get(cca_id, 0)), ""
            cs = comps.get(cca_id, [])
            comp = cs[0] if len(cs) == 1 else ""
        out.append(model.Finding(rule, comp,
                                 f"clearing agency {cca_id} ({name}): {msg}; no Item 15 debit "
                                 f"{where + ' ' if where else ''}at this clearing agency "
                                 f"({usd(at)} of requirements not counted)", at, "cca", int(pos), Severity.REVIEW))
    return out
