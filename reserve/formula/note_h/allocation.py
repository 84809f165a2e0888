"""Firm-owned Treasuries as a stop-gap (Note H(b)(1)(iii)(A)-(C)), per deposit or per
increment of the requirement (reading: h_increments), pending cures (reading: h_pending),
and Item 15 itself: per customer account at each clearing agency the lesser of the
requirement counted and the eligible deposits (Note H(a), "margin required and on deposit"),
allocated to the deposits (reading: h_allocation_order), with the excess on deposit
(reading: h_excess).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ... import keys
from ...calendar import BusinessCalendar
from .. import model
from ..model import Severity
from .accounts import attach_account
from .failures import BoolArray, Check, IntArray, join_by_row
from .outcome import EXCLUDED, NOTE_H_TEST
from .text import dates_text, text, usd, usd_column

# Order in which Item 15 is allocated to the deposits of one customer: the customer's own
# assets first, the firm's interim Treasuries last (reading: h_allocation_order).
ALLOCATION_RANK = {
    ("customer", "cash"): 0,
    ("customer", "us_treasury"): 1,
    ("customer", "qualified_customer_security"): 2,
    ("firm", "us_treasury"): 3,
}

# cca_deposits' Note H(b)(1)(iii) columns -> the same fact in cca_requirement_increments.
INCREMENT_FACTS = {
    "requirement_arose_on": "arose_on",
    "requirement_at_arise": "requirement_at_arise",
    "customer_assets_at_arise": "customer_assets_at_arise",
    "call_issued_on": "call_issued_on",
    "cure_received_on": "cure_received_on",
    "cure_received_amount": "cure_received_amount",
}
_EMPTY_INCREMENTS = {"increment_id": object, "cca_id": object, "account_id": object, "arose_on": "datetime64[ns]",
                     "requirement_at_arise": "Int64", "customer_assets_at_arise": "Int64",
                     "call_issued_on": "datetime64[ns]", "cure_received_on": "datetime64[ns]",
                     "cure_received_amount": "Int64"}
KEY = ["cca_id", "account_id"]


def increments_table(inc: pd.DataFrame | None) -> pd.DataFrame:
    """The increments table (empty when the book, or an older caller, has none)."""
    if inc is None:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _EMPTY_INCREMENTS.items()})
    return inc


def _money(s: pd.Series) -> tuple[IntArray, BoolArray]:
    """A money column (int64 or nullable Int64) -> (values with 0 for blank, blank mask)."""
    blank = np.asarray(s.isna().to_numpy(dtype=bool), dtype=bool)
    return np.asarray(s.fillna(0).to_numpy(dtype=np.int64), dtype=np.int64), blank


def stop_gap_facts(d: pd.DataFrame, dp: pd.DataFrame, inc: pd.DataFrame, cal: BusinessCalendar) -> pd.DataFrame:
    """`d` with the facts Note H(b)(1)(iii)(A)-(C) are tested on, blanks kept apart (`<col>_blank`):
    the deposit row's own columns, or those of the increment it names (reading: h_increments),
    and the cure deadline: "by the close of the next business day after the margin
    requirement arose" (one calendar look-up per distinct date, not per row).

    The validator has made sure a deposit naming an increment leaves its own columns blank
    and matches its clearing agency and account, so the increment's facts take their place."""
    facts = pd.DataFrame(index=dp.index)
    for col in INCREMENT_FACTS:
        kind = "datetime64[ns]" if col.endswith("_on") else "Int64"
        facts[col] = dp[col].astype(kind) if col in dp.columns else pd.Series(pd.NA, index=dp.index, dtype=kind)
    if "increment_id" in dp.columns and len(inc) and dp["increment_id"].notna().any():
        at = keys.find(dp["increment_id"], inc["increment_id"])
        tied = np.flatnonzero(at >= 0)
        for col, inc_col in INCREMENT_FACTS.items():
            values = inc[inc_col].astype(facts[col].dtype).iloc[at[tied]].to_numpy()
            column = facts[col].copy()
            column.iloc[tied] = values
            facts[col] = column
    d = d.copy()
    for col in ("requirement_at_arise", "customer_assets_at_arise", "cure_received_amount"):
        d[col], d[col + "_blank"] = _money(facts[col])
    for col in ("requirement_arose_on", "call_issued_on", "cure_received_on"):
        d[col] = facts[col].to_numpy(dtype="datetime64[ns]")
    arose = d["requirement_arose_on"]
    nbd = {pd.Timestamp(x): pd.Timestamp(cal.next_business_day(pd.Timestamp(x).date())) for x in arose.dropna().unique()}
    d["deadline"] = pd.to_datetime(arose.map(nbd)).astype("datetime64[ns]")
    d["shortfall"] = d["requirement_at_arise"] - d["customer_assets_at_arise"]
    return d


@dataclass(frozen=True)
class StopGap:
    """checks: the failed conditions (A)-(C), in order. cure_pending: firm Treasuries whose
    cure is not recorded while the deadline has not passed (reading: h_pending)."""

    checks: list[Check]
    cure_pending: BoolArray


def firm_treasuries_stop_gap(d: pd.DataFrame, prepared_on: pd.Timestamp) -> StopGap:
    """Note H(b)(1)(iii)(A)-(C) for firm-owned Treasuries, on the deposit's own facts or its
    increment's (reading: h_not_demonstrated; reading: h_cure_sufficient;
    reading: h_increments). Those meeting them count at their value (reading: h_firm_treasury_amount)."""
    ft = (d["owner"].to_numpy(dtype=object) == "firm") & (d["asset"].to_numpy(dtype=object) == "us_treasury")
    req_at, cust_at = d["requirement_at_arise"].to_numpy(), d["customer_assets_at_arise"].to_numpy()
    req_at_blank, cust_at_blank = d["requirement_at_arise_blank"].to_numpy(), d["customer_assets_at_arise_blank"].to_numpy()
    cure_amt, cure_amt_blank = d["cure_received_amount"].to_numpy(), d["cure_received_amount_blank"].to_numpy()
    arose_blank = d["requirement_arose_on"].isna().to_numpy(dtype=bool)
    call_blank = d["call_issued_on"].isna().to_numpy(dtype=bool)
    cure_blank = d["cure_received_on"].isna().to_numpy(dtype=bool)
    shortfall = d["shortfall"].to_numpy()
    has_deadline = ft & ~arose_blank
    c_late = has_deadline & ~cure_blank & (d["cure_received_on"] > d["deadline"]).to_numpy(dtype=bool)
    received = has_deadline & ~cure_blank & ~c_late
    not_yet = has_deadline & cure_blank
    c_missed = not_yet & (prepared_on > d["deadline"]).to_numpy(dtype=bool)
    checks = [
        # (A) "did not owe to the customer or hold in custody ... sufficient" assets when it arose.
        Check(ft & (req_at_blank | cust_at_blank), "Note H(b)(1)(iii)(A)",
              "not demonstrated: requirement_at_arise and customer_assets_at_arise are needed to show the customer's "
              "assets were short of the requirement when it arose"),
        Check(ft & ~req_at_blank & ~cust_at_blank & (cust_at >= req_at), "Note H(b)(1)(iii)(A)",
              lambda x: "the customer's assets when the requirement arose (" + usd_column(x["customer_assets_at_arise"])
              + ") were not less than the requirement (" + usd_column(x["requirement_at_arise"])
              + "): the firm's Treasuries were not needed"),
        # (B) the call issued "on the day the margin requirement arose".
        Check(ft & (arose_blank | call_blank), "Note H(b)(1)(iii)(B)",
              "not demonstrated: requirement_arose_on and call_issued_on are needed to show the call was issued the day "
              "the requirement arose"),
        Check(ft & ~arose_blank & ~call_blank
              & (d["call_issued_on"] != d["requirement_arose_on"]).to_numpy(dtype=bool), "Note H(b)(1)(iii)(B)",
              lambda x: "the call was issued on " + dates_text(x["call_issued_on"]) + ", not on the day the requirement "
              "arose (" + dates_text(x["requirement_arose_on"]) + ")"),
        # (C) a sufficient delivery received by the close of the next business day.
        Check(ft & arose_blank, "Note H(b)(1)(iii)(C)",
              "not demonstrated: requirement_arose_on is blank, so the cure deadline (next business day) is unknown"),
        Check(c_late, "Note H(b)(1)(iii)(C)",
              lambda x: "the customer's delivery was received on " + dates_text(x["cure_received_on"]) + ", after the "
              "deadline " + dates_text(x["deadline"]) + " (close of the next business day after "
              + dates_text(x["requirement_arose_on"]) + ")"),
        Check(received & cure_amt_blank, "Note H(b)(1)(iii)(C)",
              "not demonstrated: cure_received_on is given but cure_received_amount is blank"),
        Check(received & ~cure_amt_blank & (req_at_blank | cust_at_blank), "Note H(b)(1)(iii)(C)",
              "not demonstrated: without requirement_at_arise and customer_assets_at_arise the delivery received cannot "
              "be shown sufficient"),
        Check(received & ~cure_amt_blank & ~req_at_blank & ~cust_at_blank & (cure_amt < shortfall),
              "Note H(b)(1)(iii)(C)",
              lambda x: "the customer delivered " + usd_column(x["cure_received_amount"]) + ", less than the "
              + usd_column(x["shortfall"]) + " needed to meet the requirement (requirement "
              + usd_column(x["requirement_at_arise"]) + " less customer assets "
              + usd_column(x["customer_assets_at_arise"]) + ")"),
        Check(c_missed, "Note H(b)(1)(iii)(C)",
              lambda x: "no delivery from the customer is recorded and the deadline " + dates_text(x["deadline"])
              + " passed before prepared_on " + f"{prepared_on:%Y-%m-%d}"),
    ]
    return StopGap(checks, np.asarray(not_yet & ~c_missed, dtype=bool))


def pending_and_counted(cure_pending: BoolArray, failed: BoolArray, cca_ok: BoolArray,
                        include_pending: bool) -> tuple[BoolArray, BoolArray]:
    """Note H(b)(1)(iii)(C) while the cure is not yet due: a deposit meeting every other
    condition at a clearing agency meeting Note H, whose cure is pending, counts only under
    pending_cure_policy=include (reading: h_pending). -> (pending, counts)."""
    pending = cure_pending & ~failed & cca_ok
    ok = ~failed & cca_ok & ~cure_pending
    return pending, ok | (pending & include_pending)


def increment_dispositions(inc: pd.DataFrame, attrs: pd.DataFrame, d: pd.DataFrame, abc_failures: pd.DataFrame,
                           cure_pending: BoolArray) -> pd.DataFrame:
    """Note H(b)(1)(iii)(A)-(C), per increment (reading: h_increments): one record per
    increment, evidence for the firm-owned Treasuries delivered for it, with the outcome of
    (A)-(C) on its facts; an increment no deposit names is excluded."""
    if not len(inc):
        return model.empty_dispositions()
    i = pd.DataFrame({"pos": np.arange(len(inc), dtype=np.int64),
                      "increment_id": model.text_values(inc["increment_id"]),
                      "cca_id": model.text_values(inc["cca_id"]),
                      "account_id": model.text_values(inc["account_id"]),
                      "arose": dates_text(inc["arose_on"].astype("datetime64[ns]"))})
    i = attach_account(i, attrs, "account_id", "")
    tied = d[d["increment_id"].notna()]
    # (A)-(C) do not depend on which of the increment's deposits is looked at: the first one's.
    _, abc_texts = join_by_row(len(d), abc_failures["pos"], abc_failures["cond"], abc_failures["rule"],
                               abc_failures["detail"])
    per = pd.DataFrame({"increment_id": tied["increment_id"].to_numpy(dtype=object),
                        "deposit_id": tied["deposit_id"].to_numpy(dtype=object),
                        "abc": abc_texts[tied["pos"].to_numpy(dtype=np.int64)],
                        "pending": cure_pending[tied["pos"].to_numpy(dtype=np.int64)],
                        "deadline": dates_text(tied["deadline"]).to_numpy(dtype=object)})
    per = per.sort_values(["increment_id", "deposit_id"], kind="mergesort")
    g = per.groupby("increment_id", sort=False).agg(deposits=("deposit_id", ", ".join), abc=("abc", "first"),
                                                    pending=("pending", "first"), deadline=("deadline", "first"))
    i = i.merge(g, how="left", left_on="increment_id", right_index=True, sort=False)
    used = i["deposits"].notna().to_numpy(dtype=bool)
    abc = i["abc"].fillna("").to_numpy(dtype=object)
    head = ("increment of the requirement of account " + text(i["account_id"]) + " at " + text(i["cca_id"])
            + " that arose on " + i["arose"] + ": ")
    outcome = np.select(
        [abc != "", i["pending"].fillna(False).to_numpy(dtype=bool)],
        ["conditions (A)-(C) not met: " + abc,
         "(A) and (B) met; the customer's delivery is due by the close of " + i["deadline"].fillna("").astype(str)
         + " and not yet recorded (cure pending)"],
        "conditions (A)-(C) met")
    reason = np.where(used, head + "tested for the firm-owned Treasuries delivered for it ("
                      + i["deposits"].fillna("").astype(str) + "): " + outcome,
                      head + "no firm-owned Treasury deposit names it (cca_deposits.increment_id): nothing to test")
    line = np.where(used, NOTE_H_TEST, EXCLUDED)
    return model.dispositions("cca_requirement_increments", i["pos"], i["computation"], line, 0,
                              "Note H(b)(1)(iii)(A)-(C)", reason)


def margin_required_and_on_deposit(r: pd.DataFrame, d: pd.DataFrame, pending: BoolArray, cca: pd.DataFrame,
                                   attrs: pd.DataFrame) -> pd.DataFrame:
    """Note H(a): Item 15 "must include the amount of margin required and on deposit": per
    customer account at each clearing agency, the lesser of the requirement counted and the
    eligible deposits; the excess on deposit (reading: h_excess) and the entry's status
    (reading: h_pending; reading: h_excess)."""
    val = d["value"].to_numpy(dtype=np.int64)
    eligible_amt = d["eligible"].to_numpy(dtype=np.int64)
    d = d.assign(eligible_excl=np.where(pending, 0, eligible_amt),  # under pending_cure_policy=exclude
                 eligible_incl=np.where(pending, val, eligible_amt),  # under pending_cure_policy=include
                 is_eligible=(eligible_amt > 0).astype(np.int64))
    rg = r.groupby(KEY, sort=False).agg(requirement=("requirement", "sum"), requirement_counted=("counted_amt", "sum"),
                                        at_stake=("row_ok_amt", "sum"))
    dg = d.groupby(KEY, sort=False).agg(eligible_deposits=("eligible", "sum"), e_excl=("eligible_excl", "sum"),
                                        e_incl=("eligible_incl", "sum"), n_deposits=("pos", "size"),
                                        n_eligible=("is_eligible", "sum"))
    e = rg.join(dg, how="outer")
    for c_ in e.columns:
        e[c_] = e[c_].fillna(0).astype(np.int64)
    e = e.reset_index().sort_values(KEY, kind="mergesort").reset_index(drop=True)
    e = e.merge(cca[["cca_id", "cca_name"]], how="left", on="cca_id")
    e = attach_account(e, attrs, "account_id", "")
    req_c = e["requirement_counted"].to_numpy(dtype=np.int64)
    # Note H(a): "margin required and on deposit": the lesser of the two.
    e["item_15"] = np.minimum(req_c, e["eligible_deposits"].to_numpy(dtype=np.int64))
    item_excl = np.minimum(req_c, e["e_excl"].to_numpy(dtype=np.int64))
    item_incl = np.minimum(req_c, e["e_incl"].to_numpy(dtype=np.int64))
    # Eligible deposits beyond the whole requirement are excess to recall (reading: h_excess).
    e["excess_on_deposit"] = np.maximum(e["eligible_deposits"] - e["requirement"], 0)
    it, rq_tot = e["item_15"].to_numpy(), e["requirement"].to_numpy()
    # Status ('pending': reading: h_pending; 'excess only', eligible deposits and no
    # requirement at all: reading: h_excess).
    e["status"] = np.select(
        [item_excl != item_incl,
         (rq_tot > 0) & (it == rq_tot),
         it > 0,
         rq_tot > 0,
         (e["n_deposits"] > 0).to_numpy() & (e["n_eligible"] == 0).to_numpy(),
         (e["excess_on_deposit"] > 0).to_numpy()],
        ["pending", "eligible", "partial", "ineligible", "ineligible", "excess only"], default="eligible")
    # The account structures stated for the entry's requirements (reading: h_account_structure).
    st = r.loc[r["structure"] != "", KEY + ["structure"]].drop_duplicates().sort_values(KEY + ["structure"])
    st = st.groupby(KEY, sort=False)["structure"].agg(", ".join).rename("account_structure")
    return e.merge(st, how="left", left_on=KEY, right_index=True, sort=False)


def allocate(d: pd.DataFrame, e: pd.DataFrame) -> tuple[pd.DataFrame, IntArray]:
    """Each entry's Item 15 allocated to its eligible deposits: the customer's cash, then
    Treasuries, then qualified customer securities, then the firm's Treasuries, by deposit_id
    (Note H(a); reading: h_allocation_order); firm Treasuries meeting (A)-(C) at their value,
    up to what the customer's own assets leave (reading: h_firm_treasury_amount). -> (`d` with
    its entry's item_15, requirement and requirement_counted; the amount of each deposit used)."""
    owner, asset = d["owner"].to_numpy(dtype=object), d["asset"].to_numpy(dtype=object)
    d = d.merge(e[KEY + ["item_15", "requirement", "requirement_counted"]], how="left", on=KEY, sort=False)
    n_d = len(d)
    rank = np.full(n_d, 9, dtype=np.int64)
    for (o, a_), rk in ALLOCATION_RANK.items():
        rank[(owner == o) & (asset == a_)] = rk
    d["rank"] = rank
    eligible_amt = d["eligible"].to_numpy(dtype=np.int64)
    al = d.loc[eligible_amt > 0, KEY + ["rank", "deposit_id", "pos", "eligible", "item_15"]]
    al = al.sort_values(KEY + ["rank", "deposit_id"], kind="mergesort")
    before = al.groupby(KEY, sort=False)["eligible"].cumsum() - al["eligible"]
    used = np.zeros(n_d, dtype=np.int64)
    used[al["pos"].to_numpy(dtype=np.int64)] = np.clip(al["item_15"] - before, 0, al["eligible"]).to_numpy(dtype=np.int64)
    return d, used


def pending_deposits(d: pd.DataFrame, pending: BoolArray) -> pd.DataFrame:
    """The pending deposits (reading: h_pending): cca_id, account_id, deposit_id, pos, value,
    computation, deadline."""
    pend = d.loc[pending, ["cca_id", "account_id", "deposit_id", "pos", "value", "computation"]].copy()
    pend["deadline"] = d["deadline"].to_numpy()[pending]
    return pend


def pending_cure_findings(pend: pd.DataFrame, include_pending: bool, prepared_on: pd.Timestamp) -> list[model.Finding]:
    """Note H(b)(1)(iii)(C): firm-owned Treasuries awaiting the customer's delivery, with the
    deadline and the effect of pending_cure_policy (reading: h_pending)."""
    pend = pend.sort_values(["cca_id", "account_id", "deposit_id"], kind="mergesort")
    effect = ("counted in Item 15 under pending_cure_policy=include: if the delivery is not received by then, the "
              "computation must be redone without it" if include_pending else
              "excluded from Item 15 under pending_cure_policy=exclude")
    return [model.Finding(
        "Note H(b)(1)(iii)(C)", comp,
        f"clearing agency {cca_id}, account {acct}: firm-owned Treasuries {dep_id} ({usd(value)}) await the "
        f"customer's delivery, due by the close of {dl:%A %Y-%m-%d} (prepared on {prepared_on:%Y-%m-%d}); {effect}",
        int(value), "cca_deposits", int(pos), Severity.REVIEW)
        for cca_id, acct, dep_id, comp, dl, value, pos in zip(
            *(pend[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "account_id", "deposit_id", "computation")),
            pend["deadline"].tolist(), pend["value"].tolist(), pend["pos"].tolist(), strict=False)]


def excess_findings(e: pd.DataFrame) -> list[model.Finding]:
    """Note H(a): eligible deposits beyond the requirement earn no Item 15 debit; recall them
    (reading: h_excess)."""
    ex = e[e["excess_on_deposit"] > 0]
    return [model.Finding(
        "Note H(a)", comp,
        f"clearing agency {cca_id}, account {acct}: eligible deposits {usd(elig)} exceed the requirement "
        f"{usd(req_)} by {usd(excess)}: excess on deposit, no Item 15 debit for it (customer securities in it "
        "stay an Item 2 credit); recall it", int(excess), "", None, Severity.REVIEW)
        for cca_id, acct, comp, elig, req_, excess in zip(
            *(ex[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "account_id", "computation")),
            *(ex[c].tolist() for c in ("eligible_deposits", "requirement", "excess_on_deposit")), strict=False)]
