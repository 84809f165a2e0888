"""Item 15 and Note H: margin required and on deposit at a qualified clearing agency for
customers' cleared U.S. Treasury positions -- customer by customer -- and Note B's last
sentence (customers' securities at a qualified clearing agency are an Item 2 credit).

Reads the tables `cca`, `cca_requirements`, `cca_deposits` (and `accounts` for who owns
what). For every (cca_id, account_id) with a requirement or a deposit:

  1. the clearing agency test (Note H(a), (b)(2), (b)(3)), one row of `cca`;
  2. the requirement rows that count (Note H(a)(2), (b)(2)(i));
  3. the deposits that are eligible (Note H(a)(1), (b)(1), (b)(2)(iii)), with the cap of
     customer cash at the cash the firm owes that customer and the conditions (A)-(C) of
     Note H(b)(1)(iii) for firm-owned Treasuries;
  4. Item 15 = min(requirement counted, eligible deposits), allocated to deposit rows.

Independently of the (b) conditions, every customer-owned non-cash deposit at a qualified
clearing agency is an Item 2 credit (Note B).

Disposition lines written here: ``item_15`` (debit), ``item_2`` (credit), ``note_h_test``
(a row used only as evidence: `cca` rows, counted requirement rows; amount 0) and
``excluded``. Every row of the three tables gets exactly one primary record.

The readings of open wording this module relies on are declared in `NOTE_H_READINGS`
(same shape as `readings.READINGS`) so the report can list them among its assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import keys
from ..calendar import BusinessCalendar
from . import model

ITEM_15 = "item_15"
ITEM_2 = "item_2"
EXCLUDED = "excluded"
NOTE_H_TEST = "note_h_test"

# Note H(a)(2): "purchases and sales of U.S. Treasury securities" and "U.S. Treasury
# securities repurchase and reverse repurchase agreements".
UST_POSITION_TYPES = ("ust_cash", "ust_repo")
# Note H(a)(1): "cash, U.S. Treasury securities, or qualified customer securities".
ELIGIBLE_ASSETS = ("cash", "us_treasury", "qualified_customer_security")
# Note H(b)(2)(iii)(B).
DESIGNATION = "Special Clearing Account for the Exclusive Benefit of the Customers of {firm_name}"
# Order in which Item 15 is allocated to the deposits of one customer (reading
# "allocation_order"): the customer's own assets first, the firm's interim Treasuries last.
ALLOCATION_RANK = {
    ("customer", "cash"): 0,
    ("customer", "us_treasury"): 1,
    ("customer", "qualified_customer_security"): 2,
    ("firm", "us_treasury"): 3,
}
STATUSES = ("eligible", "partial", "ineligible", "pending")

# Readings of Note H wording the rule leaves open, in one place (key: (rule, reading)).
NOTE_H_READINGS: dict[str, tuple[str, str]] = {
    "h_cure_sufficient": (
        "Note H(b)(1)(iii)(C)",
        "\"A sufficient amount ... to meet the margin requirement\" is the shortfall at the time the requirement "
        "arose: cure_received_amount >= requirement_at_arise - customer_assets_at_arise, received on or before "
        "the next business day after requirement_arose_on (Federal Reserve calendar plus book holidays).",
    ),
    "h_firm_treasury_amount": (
        "Note H(b)(1)(iii)",
        "Firm-owned Treasuries meeting (A)-(C) count at their value, up to the requirement after the customer's own "
        "eligible assets are allocated to it (h_allocation_order). The rule sets no cap at the shortfall when the "
        "requirement arose (requirement_at_arise - customer_assets_at_arise); the release calls them an interim "
        "step, so a firm posting more than that shortfall should expect the question. Not capped here.",
    ),
    "h_not_demonstrated": (
        "Note H(b)(1)(iii)",
        "A blank field that a condition needs (requirement_arose_on, requirement_at_arise, customer_assets_at_arise, "
        "call_issued_on, cure_received_amount) means the condition is not demonstrated: the firm-owned Treasury "
        "deposit is ineligible for that reason.",
    ),
    "h_pending": (
        "Note H(b)(1)(iii)(C)",
        "A firm-owned Treasury deposit meeting every other condition whose cure is not recorded while prepared_on "
        "is on or before the deadline is pending: counted only under pending_cure_policy=include, always listed "
        "with its deadline. An entry's status is 'pending' when its Item 15 under the two policies differs. A cure "
        "not recorded once the deadline has passed, or recorded after it, fails (C).",
    ),
    "h_customer_cash_cap": (
        "Note H(b)(1)(i)",
        "Customer cash counts only up to the cash the firm owes that customer: the sum of the positive balances "
        "of all accounts with the customer's customer_id in the same computation. The cap is shared by all of "
        "that customer's otherwise eligible cash deposits at all clearing agencies: spent first on the cash that meets "
        "a counted requirement (customer cash is allocated to a requirement first), then on cash beyond the "
        "requirements, each in order of cca_id, account_id, deposit_id; the rest is excluded. The owner's account "
        "must be in the same computation as the account margined (customer or PAB).",
    ),
    "h_same_customer": (
        "Note H(b)(1)(i)-(ii)",
        "A customer-owned deposit margins only the requirement of an account with the same customer_id as "
        "owner_account_id; otherwise it is ineligible (one customer's assets never margin another's).",
    ),
    "h_allocation_order": (
        "Note H(a)",
        "Item 15 of one customer at one clearing agency is allocated to that customer's eligible deposits in the "
        "order: customer cash, customer Treasuries, qualified customer securities, firm Treasuries; then by "
        "deposit_id. Eligible deposits beyond the requirement are excess on deposit, reported for recall.",
    ),
    "h_excess": (
        "Note H(a)",
        "excess_on_deposit = eligible deposits less the whole requirement (never negative): eligible deposits "
        "that cover a requirement that is not counted (net basis, non-Treasury positions) are not excess.",
    ),
    "h_item2_securities": (
        "Note B",
        "Every customer-owned deposit that is not cash (us_treasury, qualified_customer_security and, "
        "conservatively, other) at a clearing agency that is registered and clears U.S. Treasuries is an Item 2 "
        "credit at its value, in any account at the clearing agency and including excess, in the computation of "
        "owner_account_id's book, whatever the (b) conditions. Customer cash is not added: it is already in Item 1.",
    ),
    "h_outside_accounts": (
        "Note H(a)(2); PAB Note 9",
        "Requirements and deposits of a PAB account belong to the PAB computation; those of a non-customer account "
        "(or an account not in the accounts table, or a cross-margin account outside the formula) are excluded.",
    ),
}

# The clearing agency test, in the order of Note H. (column, rule, what fails).
_CCA_BOOL_CONDITIONS: tuple[tuple[str, str, str], ...] = (
    ("registered", "Note H(a)", "not attested as registered with the Commission under section 17A of the Act"),
    ("clears_ust", "Note H(a)", "not attested as clearing, settling and novating U.S. Treasury transactions"),
    ("rule_gross_margin", "Note H(b)(2)(i)",
     "no attested rule requiring a separate margin amount per customer, delivered on a gross basis"),
    ("rule_investment_limit", "Note H(b)(2)(ii)",
     "no attested rule limiting investment of customer cash to U.S. Treasuries maturing in one year or less"),
    ("rule_segregated_account", "Note H(b)(2)(iii)(A)",
     "no attested rule requiring a segregated account used exclusively for customers' U.S. Treasury transactions"),
)
_CCA_BOOL_CONDITIONS_2: tuple[tuple[str, str, str], ...] = (
    ("written_notice", "Note H(b)(2)(iii)(C)", "no written notice of the clearing agency on file"),
    ("written_contract", "Note H(b)(2)(iii)(D)", "no written contract with the clearing agency on file"),
    ("rule_custody", "Note H(b)(2)(iv)",
     "no attested rule on custody at the clearing agency, a Federal Reserve Bank or an FDIC-insured bank"),
    ("rule_return_excess", "Note H(b)(2)(v)",
     "no attested rule requiring the return of collateral no longer needed"),
    ("in_compliance", "Note H(b)(2)", "the clearing agency and the firm are not attested to comply with those rules"),
)


@dataclass
class NoteHOutcome:
    dispositions: pd.DataFrame
    entries: list[dict]
    findings: list[model.Finding] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _usd1(cents: int) -> str:
    """Cents -> "$1,234.56" (integer arithmetic only)."""
    c = int(cents)
    return f"{'-' if c < 0 else ''}${abs(c) // 100:,}.{abs(c) % 100:02d}"


def _usd(cents) -> np.ndarray:
    """Cents -> "$1,234.56" text for many amounts at once (integer arithmetic, Arrow
    string kernels: thousands separators are put in on the reversed digits)."""
    c = np.asarray(cents, dtype=np.int64)
    if not len(c):
        return np.zeros(0, dtype=object)
    a = np.abs(c)
    digits = pc.utf8_reverse(pa.array(a // 100).cast(pa.string()))
    dollars = pc.utf8_reverse(pc.utf8_rtrim(pc.replace_substring_regex(digits, r"(\d{3})", r"\1,"), characters=","))
    cents_part = pc.utf8_lpad(pa.array(a % 100).cast(pa.string()), width=2, padding="0")
    sign = pa.array(np.where(c < 0, "-$", "$"))
    return np.asarray(pc.binary_join_element_wise(sign, dollars, ".", cents_part, "").to_numpy(zero_copy_only=False),
                      dtype=object)


def _join_by_row(n: int, pos, cond, rule, text) -> tuple[np.ndarray, np.ndarray]:
    """Per row (0..n-1), the failed conditions recorded as (pos, cond, rule, text), in
    condition order: the rules joined (a rule repeated by consecutive conditions once) and
    "rule: text" joined. One record per (row, condition), so a loop over the conditions."""
    pos, cond = np.asarray(pos, dtype=np.int64), np.asarray(cond, dtype=np.int64)
    rule, text = np.asarray(rule, dtype=object), np.asarray(text, dtype=object)
    rules = np.full(n, "", dtype=object)
    texts = np.full(n, "", dtype=object)
    last = np.full(n, "", dtype=object)
    for k in np.unique(cond):
        m = cond == k
        p, r = pos[m], rule[m]
        texts[p] = texts[p] + np.where(texts[p] == "", "", "; ") + r + ": " + text[m]
        new = r != last[p]
        rules[p] = np.where(new, rules[p] + np.where(rules[p] == "", "", "; ") + r, rules[p])
        last[p] = np.where(new, r, last[p])
    return rules, texts


def _text(s: pd.Series) -> pd.Series:
    """Text column for messages: None -> ''."""
    return s.astype(object).where(s.notna(), "").astype(str)


def _dates_text(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), "(blank)").astype(str)


def _money(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A money column (int64 or nullable Int64) -> (values with 0 for blank, blank mask)."""
    blank = s.isna().to_numpy(dtype=bool)
    return s.fillna(0).to_numpy(dtype=np.int64), blank


def _first_difference(got: str, want: str) -> str:
    i = 0
    while i < min(len(got), len(want)) and got[i] == want[i]:
        i += 1
    return (f"reads \"{got}\" but must read exactly \"{want}\"; first difference at character {i + 1}: "
            f"\"{got[i:i + 12]}\" instead of \"{want[i:i + 12]}\"")


def _account_attributes(book) -> tuple[pd.DataFrame, pd.Series]:
    """Per account_id: computation ('customer' | 'pab' | '') and customer_id, why it is
    outside (''), and the cash the firm owes per (customer_id, computation)."""
    p = book.params
    acc = book.tables["accounts"]
    # Only the accounts the clearing-agency tables name, and every account of their customers
    # (for the cash owed), matter here: a few thousand rows out of possibly millions.
    req, dep = book.tables["cca_requirements"], book.tables["cca_deposits"]
    named = keys.positions_among(acc["account_id"], req["account_id"], dep["account_id"], dep["owner_account_id"])
    of_customers = keys.positions_among(acc["customer_id"], acc["customer_id"].iloc[named])
    acc = acc.iloc[np.union1d(named, of_customers)]
    a = pd.DataFrame({
        "account_id": model.text_values(acc["account_id"]),
        "type": acc["type"].astype(object).fillna("").to_numpy(dtype=object),
        "book": model.text_values(acc["book"]),
        "customer_id": model.text_values(acc["customer_id"]),
        "balance": acc["balance"].to_numpy(dtype=np.int64),
        "cross_margin": acc["cross_margin"].to_numpy(dtype=bool) if "cross_margin" in acc else False,
    })
    xm_out = bool(p.cross_margin_dual_registrant and p.cross_margin_joint_member and p.cross_margin_conditions_met)
    in_formula = a["book"].isin(model.COMPUTATIONS) & ~(a["cross_margin"] & xm_out & (a["book"] == "customer"))
    a["computation"] = a["book"].where(in_formula, "")
    a["outside"] = np.where(
        in_formula, "",
        np.where(a["book"].isin(model.COMPUTATIONS),
                 "a cross-margin account outside the reserve formula (Cross-margining order, April 15, 2026)",
                 "a non-customer account (book " + _text(a["book"]) + ")"))
    # One account_id may have several rows (one per type): the first by type decides, so
    # the result does not depend on row order.
    first = a.sort_values(["account_id", "type"], kind="mergesort").drop_duplicates("account_id")
    attrs = first.set_index("account_id")[["computation", "customer_id", "outside"]]
    # Note H(b)(1)(i): "cash owed by the broker or dealer to the customer" = credit balances.
    live = a[in_formula]
    owed = live["balance"].clip(lower=0).groupby([live["customer_id"], live["computation"]]).sum()
    owed.index = owed.index.set_names(["customer_id", "computation"])
    return attrs, owed.rename("cash_owed")


def _attach_account(frame: pd.DataFrame, attrs: pd.DataFrame, on: str, prefix: str) -> pd.DataFrame:
    m = attrs.rename(columns=lambda c: prefix + c)
    out = frame.merge(m, how="left", left_on=on, right_index=True, sort=False)
    unknown = out[prefix + "computation"].isna()
    out[prefix + "computation"] = out[prefix + "computation"].fillna("")
    out[prefix + "outside"] = out[prefix + "outside"].where(~unknown, "an account that is not in the accounts table")
    out[prefix + "outside"] = out[prefix + "outside"].fillna("")
    return out


def _failures(frame: pd.DataFrame, mask, rule, detail, amount, kind: int, sortkey: str, cond: int,
              table: str, label=None, severity: str = "review") -> pd.DataFrame | None:
    """Long-format failed-condition records for the rows of `frame` where `mask` holds.

    `rule` is a citation or a function of the failing rows; `detail` (the condition, in
    words) and `label` (which row) are functions of the failing rows, so messages are only
    built where a condition fails. `amount` and `sortkey` name columns of `frame`.
    """
    m = np.asarray(mask, dtype=bool)
    if not m.any():
        return None
    s = frame.loc[m]

    def arr(v):
        v = v(s) if callable(v) else v
        if isinstance(v, (pd.Series, np.ndarray)):
            return np.asarray(v, dtype=object)
        return np.full(len(s), v, dtype=object)

    text = arr(detail)
    return pd.DataFrame({
        "cca_id": s["cca_id"].to_numpy(dtype=object),
        "account_id": s["account_id"].to_numpy(dtype=object),
        "computation": s["computation"].to_numpy(dtype=object),
        "table": table,
        "pos": s["pos"].to_numpy(dtype=np.int64),
        "rule": arr(rule),
        "message": (arr(label) + ": " + text) if label is not None else text,
        "detail": text,
        "amount": s[amount].to_numpy(dtype=np.int64),
        "kind": kind,
        "sortkey": s[sortkey].to_numpy(dtype=object),
        "cond": cond,
        "severity": severity,
    })


FAILURE_COLUMNS = ("cca_id", "account_id", "computation", "table", "pos", "rule", "message", "detail", "amount", "kind", "sortkey",
                   "cond", "severity")


def _concat_failures(parts) -> pd.DataFrame:
    parts = [x for x in parts if x is not None]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=np.int64 if c in ("pos", "amount", "kind", "cond") else object)
                             for c in FAILURE_COLUMNS})
    return pd.concat(parts, ignore_index=True)


# --------------------------------------------------------------------------- the CCA test


def _cca_test(book, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Note H(a), (b)(2), (b)(3) per `cca` row -> (per-cca frame, long failures)."""
    cca = book.tables["cca"]
    firm = book.params.firm_name
    want = DESIGNATION.format(firm_name=firm)
    c = pd.DataFrame({"pos": np.arange(len(cca), dtype=np.int64),
                      "cca_id": model.text_values(cca["cca_id"]),
                      "cca_name": model.text_values(cca["name"])})
    masks, rules_, msgs = [], [], []

    def add(mask, rule, message):
        masks.append(np.asarray(mask, dtype=bool))
        rules_.append(rule)
        msgs.append(np.asarray(message, dtype=object) if isinstance(message, (pd.Series, np.ndarray))
                    else np.full(len(c), message, dtype=object))

    for col, rule, what in _CCA_BOOL_CONDITIONS:
        add(~cca[col].to_numpy(dtype=bool), rule, what)
    # (b)(2)(iii)(B): the designation, exactly. A handful of rows: a loop is fine.
    got = model.text_values(cca["account_designation"])
    bad = np.array([g != want for g in got], dtype=bool)
    why = np.array(["account designation is blank; it must read exactly \"" + want + "\"" if g is None
                    else "account designation " + _first_difference(g, want) for g in got], dtype=object)
    add(bad, "Note H(b)(2)(iii)(B)", why)
    for col, rule, what in _CCA_BOOL_CONDITIONS_2:
        add(~cca[col].to_numpy(dtype=bool), rule, what)
    # (b)(3): the Commission "has published (and not subsequently withdrawn) a notice".
    notice = cca["sec_notice_date"]
    withdrawn = cca["sec_notice_withdrawn_date"]
    add(notice.isna().to_numpy(dtype=bool), "Note H(b)(3)", "no Commission notice permitting the debit (sec_notice_date blank)")
    add((notice > as_of).to_numpy(dtype=bool), "Note H(b)(3)",
        "the Commission's notice was published on " + _dates_text(notice) + ", after as_of " + f"{as_of:%Y-%m-%d}")
    add((withdrawn <= as_of).to_numpy(dtype=bool), "Note H(b)(3)",
        "the Commission's notice was withdrawn on " + _dates_text(withdrawn))

    # One record per (cca row, failed condition), in the order of Note H.
    fm = np.column_stack(masks) if len(c) else np.zeros((0, len(masks)), dtype=bool)
    ri, ci = np.nonzero(fm)
    f = pd.DataFrame({"cca_id": c["cca_id"].to_numpy()[ri], "pos": c["pos"].to_numpy()[ri],
                      "rule": np.asarray(rules_, dtype=object)[ci],
                      "message": np.column_stack(msgs)[ri, ci] if len(c) else np.zeros(0, dtype=object),
                      "cond": ci.astype(np.int64)})
    failed = c["cca_id"].isin(f["cca_id"])
    c["ok"] = ~failed.to_numpy()
    # Note H(a) (and Note B): a "qualified clearing agency" is registered and clears U.S. Treasuries.
    c["qualified_ca"] = cca["registered"].to_numpy(dtype=bool) & cca["clears_ust"].to_numpy(dtype=bool)
    c["fail_rules"], c["fail_text"] = _join_by_row(len(c), f["pos"], f["cond"], f["rule"], f["message"])
    return c, f


def _with_cca(frame: pd.DataFrame, cca: pd.DataFrame) -> pd.DataFrame:
    out = frame.merge(cca[["cca_id", "cca_name", "ok", "qualified_ca", "fail_rules", "fail_text"]],
                      how="left", on="cca_id", sort=False)
    unknown = out["ok"].isna().to_numpy(dtype=bool)
    out["cca_known"] = ~unknown
    out["cca_ok"] = out["ok"].fillna(False).astype(bool)
    out["qualified_ca"] = out["qualified_ca"].fillna(False).astype(bool)
    out["fail_rules"] = out["fail_rules"].where(~unknown, "Note H(a)").fillna("")
    out["fail_text"] = out["fail_text"].where(~unknown, "Note H(a): the clearing agency is not in the cca table").fillna("")
    return out.drop(columns="ok")


# --------------------------------------------------------------------------- main


def note_h(book, cal: BusinessCalendar) -> NoteHOutcome:
    p = book.params
    as_of = pd.Timestamp(p.as_of)
    prepared_on = pd.Timestamp(p.prepared_on or p.as_of)
    include_pending = p.pending_cure_policy == "include"

    attrs, cash_owed = _account_attributes(book)
    cca, cca_fail = _cca_test(book, as_of)

    # ---------------------------------------------------------------- requirements
    rq = book.tables["cca_requirements"]
    r = pd.DataFrame({
        "pos": np.arange(len(rq), dtype=np.int64),
        "cca_id": model.text_values(rq["cca_id"]),
        "account_id": model.text_values(rq["account_id"]),
        "position_type": model.text_values(rq["position_type"]),
        "basis": rq["basis"].astype(object).fillna("gross").to_numpy(dtype=object),
        "requirement": rq["requirement"].to_numpy(dtype=np.int64),
    })
    r = _attach_account(r, attrs, "account_id", "")
    r = _with_cca(r, cca)
    r_amt = r["requirement"].to_numpy(dtype=np.int64)
    # Note H(a)(2): Treasury purchases/sales and repos only. A triparty GC repo whose matching
    # CUSIP is a non-Treasury collateral type is `other` (SEC staff FAQ 2025-09-30, Q1).
    r_not_ust = ~r["position_type"].isin(UST_POSITION_TYPES).to_numpy(dtype=bool)
    # Note H(b)(2)(i): "a separate margin amount for each customer ... on a gross basis".
    r_net = (r["basis"] != "gross").to_numpy(dtype=bool)
    r_outside = (r["computation"] == "").to_numpy(dtype=bool)
    r_row_ok = ~r_not_ust & ~r_net & ~r_outside
    r_counted = r_row_ok & r["cca_ok"].to_numpy(dtype=bool)
    r["row_ok"] = r_row_ok
    r["counted"] = r_counted
    r["sortkey"] = _text(r["position_type"]) + "/" + _text(r["basis"])

    def r_label(x):
        return "requirement " + x["sortkey"] + " of " + _usd(x["requirement"])

    req_fail = _concat_failures([
        _failures(r, r_outside, "Note H(a)(2)", lambda x: "account " + _text(x["account_id"]) + " is " + x["outside"]
                  + "; Note H applies to customers' (and PAB accounts') positions",
                  "requirement", 1, "sortkey", 0, "cca_requirements", r_label),
        _failures(r, r_not_ust, "Note H(a)(2)", "the margin does not result from purchases, sales or repos of U.S. "
                  "Treasury securities (a triparty GC repo with a non-Treasury matching CUSIP is not one: SEC staff FAQ "
                  "2025-09-30)", "requirement", 1, "sortkey", 1, "cca_requirements", r_label),
        _failures(r, r_net, "Note H(b)(2)(i)", "computed net across customers, not gross for this customer",
                  "requirement", 1, "sortkey", 2, "cca_requirements", r_label),
    ])

    # ---------------------------------------------------------------- deposits
    dp = book.tables["cca_deposits"]
    d = pd.DataFrame({
        "pos": np.arange(len(dp), dtype=np.int64),
        "deposit_id": model.text_values(dp["deposit_id"]),
        "cca_id": model.text_values(dp["cca_id"]),
        "account_id": model.text_values(dp["account_id"]),
        "owner_account_id": dp["owner_account_id"].astype(object).where(dp["owner_account_id"].notna(),
                                                                         dp["account_id"]).to_numpy(dtype=object),
        "asset": model.text_values(dp["asset"]),
        "owner": model.text_values(dp["owner"]),
        "value": dp["value"].to_numpy(dtype=np.int64),
        "cca_account": dp["cca_account"].astype(object).fillna("customer_segregated").to_numpy(dtype=object),
        "delivered_by_firm": dp["delivered_by_firm"].to_numpy(dtype=bool),
    })
    d = _attach_account(d, attrs, "account_id", "")
    d = _attach_account(d, attrs, "owner_account_id", "owner_")
    d = _with_cca(d, cca)
    n_d = len(d)
    val = d["value"].to_numpy(dtype=np.int64)
    asset = d["asset"].to_numpy(dtype=object)
    owner = d["owner"].to_numpy(dtype=object)
    is_cust = owner == "customer"
    is_firm = owner == "firm"
    # Firm-owned Treasury documentation (Note H(b)(1)(iii)), blanks kept apart.
    for col in ("requirement_at_arise", "customer_assets_at_arise", "cure_received_amount"):
        d[col], d[col + "_blank"] = _money(dp[col])
    for col in ("requirement_arose_on", "call_issued_on", "cure_received_on"):
        d[col] = dp[col].to_numpy(dtype="datetime64[ns]")
    # (C) "by the close of the next business day after the margin requirement arose": one
    # calendar look-up per distinct date, not per row.
    arose = d["requirement_arose_on"]
    nbd = {pd.Timestamp(x): pd.Timestamp(cal.next_business_day(pd.Timestamp(x).date())) for x in arose.dropna().unique()}
    d["deadline"] = pd.to_datetime(arose.map(nbd)).astype("datetime64[ns]")
    d["shortfall"] = d["requirement_at_arise"] - d["customer_assets_at_arise"]

    def d_label(x):
        return ("deposit " + _text(x["deposit_id"]) + " (" + _text(x["owner"]) + " " + _text(x["asset"]) + " "
                + _usd(x["value"]) + ")")

    fails: list = []
    cond = iter(range(100))

    def dfail(mask, rule, detail, amount="value", severity="review"):
        fails.append(_failures(d, mask, rule, detail, amount, 2, "deposit_id", next(cond), "cca_deposits", d_label,
                               severity))

    dfail((d["computation"] == "").to_numpy(dtype=bool), "Note H(a)(2)",
          lambda x: "margins account " + _text(x["account_id"]) + ", " + x["outside"])
    # Note H(a)(1): cash, U.S. Treasury securities or qualified customer securities.
    dfail(~d["asset"].isin(ELIGIBLE_ASSETS).to_numpy(dtype=bool), "Note H(a)(1)",
          "not cash, a U.S. Treasury security or a qualified customer security")
    # Note H(b)(2)(iii): held in the firm's segregated customer account at the clearing agency.
    dfail((d["cca_account"] != "customer_segregated").to_numpy(dtype=bool), "Note H(b)(2)(iii)",
          lambda x: "held in the firm's " + _text(x["cca_account"]) + " account, not the segregated Special Clearing "
          "Account")
    # Note H(b)(1): "delivered by the broker or dealer to the qualified clearing agency".
    dfail(~d["delivered_by_firm"].to_numpy(dtype=bool), "Note H(b)(1)", "not delivered by this broker-dealer")
    # Note H(b)(1)(i)-(ii): the customer's own cash/securities, "and not for any other customer's"
    # positions: one customer's assets never margin another's.
    same_id = (d["owner_customer_id"].astype(object) == d["customer_id"].astype(object)).to_numpy(dtype=bool)
    # The owner's account must be in the same computation as the account margined: cash owed
    # and securities held "for the customer" are the customer's in that computation (PAB
    # Notes 1-2 keep the two apart); a non-customer or excluded account's assets never count.
    same_comp = (d["owner_computation"].astype(object) == d["computation"].astype(object)).to_numpy(dtype=bool)
    same_customer = same_id & same_comp
    dfail(is_cust & same_id & ~same_comp & (d["computation"] != "").to_numpy(dtype=bool),
          lambda x: np.where(x["asset"] == "cash", "Note H(b)(1)(i)", "Note H(b)(1)(ii)"),
          lambda x: "assets of account " + _text(x["owner_account_id"]) + " (customer " + _text(x["owner_customer_id"])
          + ", " + np.where(x["owner_computation"] == "", _text(x["owner_outside"]),
                            "in the " + _text(x["owner_computation"]) + " computation")
          + ") are not held for the customer of margin account " + _text(x["account_id"]) + " in the "
          + _text(x["computation"]) + " computation", severity="severe")
    dfail(is_cust & ~same_id,
          lambda x: np.where(x["asset"] == "cash", "Note H(b)(1)(i)", "Note H(b)(1)(ii)"),
          lambda x: "assets of account " + _text(x["owner_account_id"]) + " (customer " + _text(x["owner_customer_id"])
          + ") delivered to margin account " + _text(x["account_id"]) + " (customer " + _text(x["customer_id"])
          + "): one customer's assets never margin another customer's positions", severity="severe")
    # Note H(b)(1)(iii): the firm may deliver only "U.S. Treasury securities owned by the broker or dealer".
    dfail(is_firm & (asset != "us_treasury"), "Note H(b)(1)(iii)",
          lambda x: "only U.S. Treasury securities owned by the firm may be used; firm-owned " + _text(x["asset"])
          + " is never eligible")

    # Note H(b)(1)(iii)(A)-(C) for firm-owned Treasuries (readings h_not_demonstrated, h_cure_sufficient).
    ft = is_firm & (asset == "us_treasury")
    req_at, cust_at = d["requirement_at_arise"].to_numpy(), d["customer_assets_at_arise"].to_numpy()
    req_at_blank, cust_at_blank = d["requirement_at_arise_blank"].to_numpy(), d["customer_assets_at_arise_blank"].to_numpy()
    cure_amt, cure_amt_blank = d["cure_received_amount"].to_numpy(), d["cure_received_amount_blank"].to_numpy()
    arose_blank = d["requirement_arose_on"].isna().to_numpy(dtype=bool)
    call_blank = d["call_issued_on"].isna().to_numpy(dtype=bool)
    cure_blank = d["cure_received_on"].isna().to_numpy(dtype=bool)
    shortfall = d["shortfall"].to_numpy()
    # (A) "did not owe to the customer or hold in custody ... sufficient" assets when it arose.
    dfail(ft & (req_at_blank | cust_at_blank), "Note H(b)(1)(iii)(A)",
          "not demonstrated: requirement_at_arise and customer_assets_at_arise are needed to show the customer's "
          "assets were short of the requirement when it arose")
    dfail(ft & ~req_at_blank & ~cust_at_blank & (cust_at >= req_at), "Note H(b)(1)(iii)(A)",
          lambda x: "the customer's assets when the requirement arose (" + _usd(x["customer_assets_at_arise"])
          + ") were not less than the requirement (" + _usd(x["requirement_at_arise"])
          + "): the firm's Treasuries were not needed")
    # (B) the call issued "on the day the margin requirement arose".
    dfail(ft & (arose_blank | call_blank), "Note H(b)(1)(iii)(B)",
          "not demonstrated: requirement_arose_on and call_issued_on are needed to show the call was issued the day "
          "the requirement arose")
    dfail(ft & ~arose_blank & ~call_blank & (d["call_issued_on"] != d["requirement_arose_on"]).to_numpy(dtype=bool),
          "Note H(b)(1)(iii)(B)",
          lambda x: "the call was issued on " + _dates_text(x["call_issued_on"]) + ", not on the day the requirement "
          "arose (" + _dates_text(x["requirement_arose_on"]) + ")")
    # (C) a sufficient delivery received by the close of the next business day.
    dfail(ft & arose_blank, "Note H(b)(1)(iii)(C)",
          "not demonstrated: requirement_arose_on is blank, so the cure deadline (next business day) is unknown")
    has_deadline = ft & ~arose_blank
    c_late = has_deadline & ~cure_blank & (d["cure_received_on"] > d["deadline"]).to_numpy(dtype=bool)
    dfail(c_late, "Note H(b)(1)(iii)(C)",
          lambda x: "the customer's delivery was received on " + _dates_text(x["cure_received_on"]) + ", after the "
          "deadline " + _dates_text(x["deadline"]) + " (close of the next business day after "
          + _dates_text(x["requirement_arose_on"]) + ")")
    received = has_deadline & ~cure_blank & ~c_late
    dfail(received & cure_amt_blank, "Note H(b)(1)(iii)(C)",
          "not demonstrated: cure_received_on is given but cure_received_amount is blank")
    dfail(received & ~cure_amt_blank & (req_at_blank | cust_at_blank), "Note H(b)(1)(iii)(C)",
          "not demonstrated: without requirement_at_arise and customer_assets_at_arise the delivery received cannot "
          "be shown sufficient")
    dfail(received & ~cure_amt_blank & ~req_at_blank & ~cust_at_blank & (cure_amt < shortfall), "Note H(b)(1)(iii)(C)",
          lambda x: "the customer delivered " + _usd(x["cure_received_amount"]) + ", less than the "
          + _usd(x["shortfall"]) + " needed to meet the requirement (requirement "
          + _usd(x["requirement_at_arise"]) + " less customer assets "
          + _usd(x["customer_assets_at_arise"]) + ")")
    not_yet = has_deadline & cure_blank
    c_missed = not_yet & (prepared_on > d["deadline"]).to_numpy(dtype=bool)
    dfail(c_missed, "Note H(b)(1)(iii)(C)",
          lambda x: "no delivery from the customer is recorded and the deadline " + _dates_text(x["deadline"])
          + " passed before prepared_on " + f"{prepared_on:%Y-%m-%d}")
    cure_pending = not_yet & ~c_missed

    dfail_frame = _concat_failures(fails)
    d_failed = np.zeros(n_d, dtype=bool)
    d_failed[dfail_frame["pos"].to_numpy(dtype=np.int64)] = True
    cca_ok_d = d["cca_ok"].to_numpy(dtype=bool)
    # Pending (reading h_pending): meets every other condition, cure not yet due.
    pending = cure_pending & ~d_failed & cca_ok_d
    ok = ~d_failed & cca_ok_d & ~cure_pending
    counts = ok | (pending & include_pending)

    # Note H(b)(1)(i): customer cash only up to the cash the firm owes that customer, one cap
    # per customer shared across all clearing agencies (reading h_customer_cash_cap).
    cash_cust = counts & is_cust & (asset == "cash")
    eligible_amt = np.where(counts, val, 0)
    d["capped_out"] = np.zeros(n_d, dtype=np.int64)
    d["cash_owed"] = np.zeros(n_d, dtype=np.int64)
    if cash_cust.any():
        cc = d.loc[cash_cust, ["pos", "customer_id", "computation", "cca_id", "account_id", "deposit_id", "value"]]
        cc = cc.merge(cash_owed, how="left", left_on=["customer_id", "computation"], right_index=True)
        cc["cash_owed"] = cc["cash_owed"].fillna(0).astype(np.int64)
        # The cap is spent first on the cash that meets a counted requirement -- customer cash is
        # the first asset allocated to it (h_allocation_order) -- and only then on cash beyond
        # the requirements, so Item 15 does not depend on the order of the clearing agencies' ids.
        req_entry = pd.Series(np.where(r_counted, r_amt, 0)).groupby(
            [r["cca_id"].to_numpy(dtype=object), r["account_id"].to_numpy(dtype=object)]).sum().rename("req_entry")
        cc = cc.merge(req_entry, how="left", left_on=["cca_id", "account_id"], right_index=True)
        cc["req_entry"] = cc["req_entry"].fillna(0).astype(np.int64)
        cc = cc.sort_values(["customer_id", "computation", "cca_id", "account_id", "deposit_id"], kind="mergesort")
        before_e = cc.groupby(["cca_id", "account_id"], sort=False)["value"].cumsum() - cc["value"]
        meets = np.clip(cc["req_entry"] - before_e, 0, cc["value"]).astype(np.int64)
        beyond = cc["value"] - meets
        before_m = meets.groupby([cc["customer_id"], cc["computation"]], sort=False).cumsum() - meets
        allowed_m = np.clip(cc["cash_owed"] - before_m, 0, meets)
        left = np.maximum(cc["cash_owed"] - meets.groupby([cc["customer_id"], cc["computation"]], sort=False).transform("sum"), 0)
        before_b = beyond.groupby([cc["customer_id"], cc["computation"]], sort=False).cumsum() - beyond
        allowed_b = np.clip(left - before_b, 0, beyond)
        allowed = (allowed_m + allowed_b).to_numpy(dtype=np.int64)
        pos = cc["pos"].to_numpy(dtype=np.int64)
        eligible_amt[pos] = allowed
        d.loc[pos, "capped_out"] = cc["value"].to_numpy(dtype=np.int64) - allowed
        d.loc[pos, "cash_owed"] = cc["cash_owed"].to_numpy(dtype=np.int64)
    capped_out = d["capped_out"].to_numpy(dtype=np.int64)
    fails.append(_failures(
        d, capped_out > 0, "Note H(b)(1)(i)",
        lambda x: "customer cash counts only up to the cash the firm owes customer " + _text(x["customer_id"])
        + " (credit balances " + _usd(x["cash_owed"]) + ", shared by the customer's cash deposits at all "
        "clearing agencies: first the cash meeting requirements, then any beyond them, each in order of cca_id, "
        "account_id, deposit_id); " + _usd(x["capped_out"])
        + " excluded", "capped_out", 2, "deposit_id", next(cond), "cca_deposits", d_label))
    dfail_frame = _concat_failures(fails)
    deadline = d["deadline"]

    # ---------------------------------------------------------------- per customer at each CCA
    key = ["cca_id", "account_id"]
    d["eligible"] = eligible_amt
    d["eligible_excl"] = np.where(pending, 0, eligible_amt)  # under pending_cure_policy=exclude
    d["eligible_incl"] = np.where(pending, val, eligible_amt)  # under pending_cure_policy=include
    r["counted_amt"] = np.where(r_counted, r_amt, 0)
    r["row_ok_amt"] = np.where(r_row_ok, r_amt, 0)
    rg = r.groupby(key, sort=False).agg(requirement=("requirement", "sum"), requirement_counted=("counted_amt", "sum"),
                                        at_stake=("row_ok_amt", "sum"))
    d["is_eligible"] = (eligible_amt > 0).astype(np.int64)
    dg = d.groupby(key, sort=False).agg(eligible_deposits=("eligible", "sum"), e_excl=("eligible_excl", "sum"),
                                        e_incl=("eligible_incl", "sum"), n_deposits=("pos", "size"),
                                        n_eligible=("is_eligible", "sum"))
    e = rg.join(dg, how="outer")
    for c_ in e.columns:
        e[c_] = e[c_].fillna(0).astype(np.int64)
    e = e.reset_index().sort_values(key, kind="mergesort").reset_index(drop=True)
    e = e.merge(cca[["cca_id", "cca_name"]], how="left", on="cca_id")
    e = _attach_account(e, attrs, "account_id", "")
    req_c = e["requirement_counted"].to_numpy(dtype=np.int64)
    # Note H(a): "margin required and on deposit": the lesser of the two.
    e["item_15"] = np.minimum(req_c, e["eligible_deposits"].to_numpy(dtype=np.int64))
    item_excl = np.minimum(req_c, e["e_excl"].to_numpy(dtype=np.int64))
    item_incl = np.minimum(req_c, e["e_incl"].to_numpy(dtype=np.int64))
    # Reading h_excess: eligible deposits beyond the whole requirement are excess to recall.
    e["excess_on_deposit"] = np.maximum(e["eligible_deposits"] - e["requirement"], 0)
    it, rq_tot = e["item_15"].to_numpy(), e["requirement"].to_numpy()
    # Status (reading h_pending for 'pending').
    status = np.select(
        [item_excl != item_incl,
         (rq_tot > 0) & (it == rq_tot),
         it > 0,
         rq_tot > 0,
         (e["n_deposits"] > 0).to_numpy() & (e["n_eligible"] == 0).to_numpy()],
        ["pending", "eligible", "partial", "ineligible", "ineligible"], default="eligible")
    e["status"] = status

    # Allocate each entry's Item 15 to its deposits (reading h_allocation_order).
    d = d.merge(e[key + ["item_15", "requirement", "requirement_counted"]], how="left", on=key, sort=False)
    rank = np.full(n_d, 9, dtype=np.int64)
    for (o, a_), rk in ALLOCATION_RANK.items():
        rank[(owner == o) & (asset == a_)] = rk
    d["rank"] = rank
    al = d.loc[eligible_amt > 0, key + ["rank", "deposit_id", "pos", "eligible", "item_15"]]
    al = al.sort_values(key + ["rank", "deposit_id"], kind="mergesort")
    before = al.groupby(key, sort=False)["eligible"].cumsum() - al["eligible"]
    used = np.zeros(n_d, dtype=np.int64)
    used[al["pos"].to_numpy(dtype=np.int64)] = np.clip(al["item_15"] - before, 0, al["eligible"]).to_numpy(dtype=np.int64)

    # ---------------------------------------------------------------- dispositions
    disp = [_cca_dispositions(cca), _requirement_dispositions(r)]
    disp.append(_deposit_dispositions(d, val, used, eligible_amt, capped_out, pending, include_pending,
                                      cure_pending, deadline, dfail_frame, is_cust, asset))
    dispositions = model.concat_dispositions(disp)
    order = {"cca": 0, "cca_requirements": 1, "cca_deposits": 2}
    dispositions = (dispositions.assign(_t=dispositions["table"].map(order), _p=~dispositions["primary"])
                    .sort_values(["_t", "row", "_p"], kind="mergesort").drop(columns=["_t", "_p"])
                    .reset_index(drop=True))

    # ---------------------------------------------------------------- entries and findings
    pend = d.loc[pending, ["cca_id", "account_id", "deposit_id", "pos", "value", "computation"]].copy()
    pend["deadline"] = deadline.to_numpy()[pending]
    entries = _entries(e, cca_fail, req_fail, dfail_frame, pend)
    findings = _findings(e, cca, cca_fail, r, req_fail, dfail_frame, pend, include_pending, prepared_on)
    return NoteHOutcome(dispositions, entries, findings)


# --------------------------------------------------------------------------- dispositions


def _cca_dispositions(cca: pd.DataFrame) -> pd.DataFrame:
    ok = cca["ok"].to_numpy(dtype=bool)
    reason = np.where(ok, "qualified clearing agency meeting every Note H condition (a), (b)(2), (b)(3)",
                      "does not meet Note H; no Item 15 debit at this clearing agency: " + cca["fail_text"])
    rule = np.where(ok, "Note H(a), (b)(2), (b)(3)", cca["fail_rules"])
    return model.dispositions("cca", cca["pos"], "", NOTE_H_TEST, 0, rule, reason)


def _requirement_dispositions(r: pd.DataFrame) -> pd.DataFrame:
    counted = r["counted"].to_numpy(dtype=bool)
    row_ok = r["row_ok"].to_numpy(dtype=bool)
    amt = _usd(r["requirement"])
    outside = (r["computation"] == "").to_numpy(dtype=bool)
    not_ust = ~r["position_type"].isin(UST_POSITION_TYPES).to_numpy(dtype=bool)
    net = (r["basis"] != "gross").to_numpy(dtype=bool)
    parts = [
        (outside, "Note H(a)(2)", "account " + _text(r["account_id"]) + " is " + r["outside"]),
        (not_ust, "Note H(a)(2)", "position type " + _text(r["position_type"]) + " is not a U.S. Treasury purchase/sale "
         "or repo (SEC staff FAQ 2025-09-30: triparty GC repo with a non-Treasury matching CUSIP)"),
        (net, "Note H(b)(2)(i)", pd.Series("computed net, not gross for this customer", index=r.index)),
        (row_ok & ~r["cca_ok"].to_numpy(dtype=bool), r["fail_rules"], "clearing agency fails Note H: " + r["fail_text"]),
    ]
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
    rule = np.where(counted, "Item 15; Note H(a)(2), (b)(2)(i)", rule_s)
    reason = np.where(counted,
                      "requirement " + amt + " counted for Item 15 (the debit is carried by the deposit rows, "
                      "up to what is on deposit)",
                      "requirement " + amt + " not counted for Item 15: " + why_s)
    return model.dispositions("cca_requirements", r["pos"], r["computation"], line, 0, rule, reason)


def _deposit_dispositions(d, val, used, eligible_amt, capped_out, pending, include_pending, cure_pending,
                          deadline, dfail_frame, is_cust, asset) -> pd.DataFrame:
    n = len(d)
    pos = d["pos"].to_numpy(dtype=np.int64)
    comp = d["computation"].to_numpy(dtype=object)
    # Why each row is not (wholly) in Item 15: its failed conditions, joined.
    rules, texts = _join_by_row(n, dfail_frame["pos"], dfail_frame["cond"], dfail_frame["rule"], dfail_frame["detail"])
    cca_ok = d["cca_ok"].to_numpy(dtype=bool)
    cash_cust = is_cust & (asset == "cash")
    item1_note = "; customer cash is not added to Item 2 (it is already a credit in Item 1 through the customer's account balance)"
    unused = eligible_amt - used
    req_c = d["requirement_counted"].fillna(0).to_numpy(dtype=np.int64)
    class_rule = np.select([cash_cust, is_cust], ["Note H(b)(1)(i)", "Note H(b)(1)(ii)"], "Note H(b)(1)(iii)")
    dl = _dates_text(deadline).to_numpy(dtype=object)
    pending_excluded = pending & (not include_pending)

    # Rows in Item 15: the amount used, and what was not.
    i = np.flatnonzero(used > 0)
    reason_15 = ("deposit of " + _usd(val[i]) + "; eligible " + _usd(eligible_amt[i]) + "; " + _usd(used[i])
                 + " used toward the counted requirement " + _usd(req_c[i])
                 + np.where(unused[i] > 0, "; unused eligible " + _usd(unused[i]) + " is excess on deposit (recall)", "")
                 + np.where(capped_out[i] > 0, "; " + _usd(capped_out[i]) + " over the cash owed to the customer "
                            "excluded (Note H(b)(1)(i))", "")
                 + np.where(pending[i] & include_pending, "; cure pending (deadline " + dl[i] + "), counted under "
                            "pending_cure_policy=include", "")
                 + np.where(cash_cust[i], item1_note, ""))
    rule_15 = "Item 15; Note H(a); " + class_rule[i]

    # Rows not in Item 15: the reason, most decisive first.
    x = np.flatnonzero(used == 0)
    has_fail = texts[x] != ""
    cca_fail = ~cca_ok[x]
    pend_x = pending_excluded[x]
    spare = eligible_amt[x] > 0
    ex_rule = np.select([cca_fail, has_fail, pend_x, spare],
                        [d["fail_rules"].to_numpy(dtype=object)[x], rules[x], "Note H(b)(1)(iii)(C)", "Note H(a)"],
                        "Note H(a)")
    ex_why = np.select(
        [cca_fail, has_fail, pend_x, spare],
        ["clearing agency fails Note H: " + d["fail_text"].to_numpy(dtype=object)[x]
         + np.where(has_fail, "; also: " + texts[x], ""),
         texts[x],
         "cure pending: the customer's delivery is due by the close of " + dl[x] + " and not yet recorded; excluded "
         "under pending_cure_policy=exclude",
         "eligible " + _usd(eligible_amt[x]) + " but not needed: the counted requirement " + _usd(req_c[x])
         + " is already covered; excess on deposit (recall)"],
        "no counted requirement at this clearing agency for the account: nothing to margin (excess on deposit)")
    ex_reason = ("deposit of " + _usd(val[x]) + " not in Item 15: " + ex_why
                 + np.where(cure_pending[x] & ~pending[x], "; its cure is also not yet recorded (deadline " + dl[x] + ")", "")
                 + np.where(cash_cust[x], item1_note, ""))

    # Note B, last sentence: customers' securities at a qualified clearing agency -> Item 2,
    # at their value, in any account, excess included, whatever the (b) conditions. `other`
    # assets are treated as securities (reading h_item2_securities).
    owner_comp = d["owner_computation"].to_numpy(dtype=object)
    item2 = is_cust & (asset != "cash") & d["qualified_ca"].to_numpy(dtype=bool) & (owner_comp != "")
    j = np.flatnonzero(item2)
    reason_2 = ("market value of customer securities (" + d["asset"].to_numpy(dtype=object)[j] + ") on deposit at a "
                "qualified clearing agency, owned by account " + d["owner_account_id"].to_numpy(dtype=object)[j]
                + ", in the " + d["cca_account"].to_numpy(dtype=object)[j] + " account")
    return model.concat_dispositions([
        model.dispositions("cca_deposits", pos[i], comp[i], ITEM_15, used[i], rule_15, reason_15, primary=True),
        model.dispositions("cca_deposits", pos[j], owner_comp[j], ITEM_2, val[j], "Item 2; Note B", reason_2,
                           primary=~(used[j] > 0)),
        # The Item 15 side of rows that are not in Item 15 (primary when Item 2 does not carry the row).
        model.dispositions("cca_deposits", pos[x], comp[x], EXCLUDED, 0, ex_rule, ex_reason, primary=~item2[x]),
    ])


# --------------------------------------------------------------------------- report records


def _entry_failures(e: pd.DataFrame, cca_fail: pd.DataFrame, req_fail: pd.DataFrame,
                    dfail: pd.DataFrame) -> pd.DataFrame:
    key = ["cca_id", "account_id"]
    # The clearing agency's failures are reported for every customer there, with the
    # requirement they put at stake.
    cf = e[key + ["at_stake"]].merge(cca_fail[["cca_id", "rule", "message", "cond"]], on="cca_id")
    cf = cf.assign(amount=cf["at_stake"], kind=0, sortkey="", message="clearing agency " + cf["cca_id"] + ": " + cf["message"])
    missing = e.loc[~e["cca_id"].isin(cca_fail["cca_id"]) & e["cca_name"].isna(), key + ["at_stake"]]
    cf_unknown = missing.assign(rule="Note H(a)", message="clearing agency " + missing["cca_id"] + " is not in the cca table",
                                cond=-1, amount=missing["at_stake"], kind=0, sortkey="")
    cols = key + ["kind", "sortkey", "cond", "rule", "message", "amount"]
    allf = pd.concat([cf[cols], cf_unknown[cols], req_fail[cols], dfail[cols]], ignore_index=True)
    return allf.sort_values(key + ["kind", "sortkey", "cond"], kind="mergesort")


def _entries(e, cca_fail, req_fail, dfail, pend) -> list[dict]:
    key = ["cca_id", "account_id"]
    allf = _entry_failures(e, cca_fail, req_fail, dfail)
    fc: dict[tuple, list] = {}
    amounts = allf["amount"].to_numpy(dtype=object)
    for cca_id, acct, rule, msg, amt in zip(*(allf[c].to_numpy(dtype=object).tolist() for c in
                                              ("cca_id", "account_id", "rule", "message")), amounts.tolist()):
        fc.setdefault((cca_id, acct), []).append(
            {"rule": rule, "message": msg, "amount": None if amt is None or amt != amt else int(amt)})
    pl: dict[tuple, list] = {}
    pend = pend.sort_values(key + ["deposit_id"], kind="mergesort")
    for cca_id, acct, dep_id, dl, value in zip(*(pend[c].to_numpy(dtype=object).tolist() for c in
                                                 ("cca_id", "account_id", "deposit_id")),
                                               pend["deadline"].dt.date.tolist(), pend["value"].tolist()):
        pl.setdefault((cca_id, acct), []).append({"deposit_id": dep_id, "deadline": dl, "amount": int(value)})
    cols = {c: e[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "cca_name", "account_id", "customer_id",
                                                                "computation", "status")}
    nums = {c: e[c].to_numpy(dtype=np.int64).tolist() for c in ("requirement", "requirement_counted",
                                                                  "eligible_deposits", "item_15", "excess_on_deposit")}
    out = []
    for k in range(len(e)):
        ident = (cols["cca_id"][k], cols["account_id"][k])
        name, cust = cols["cca_name"][k], cols["customer_id"][k]
        out.append({
            "cca_id": ident[0],
            "cca_name": None if name is None or name != name else name,
            "account_id": ident[1],
            "customer_id": None if cust is None or cust != cust else cust,
            "computation": cols["computation"][k],
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


def _findings(e, cca, cca_fail, r, req_fail, dfail, pend, include_pending, prepared_on) -> list[model.Finding]:
    out: list[model.Finding] = []
    # Clearing agencies failing Note H: one finding per failed condition, with the
    # requirement at stake there.
    stake = r.groupby("cca_id")["row_ok_amt"].sum().to_dict()
    comps = r[r["row_ok"]].groupby("cca_id")["computation"].unique().to_dict()
    cf = cca_fail.merge(cca[["cca_id", "cca_name"]], on="cca_id").sort_values(["pos", "cond"], kind="mergesort")
    for cca_id, name, rule, msg, pos in zip(*(cf[c].to_numpy(dtype=object).tolist() for c in
                                              ("cca_id", "cca_name", "rule", "message", "pos"))):
        at = int(stake.get(cca_id, 0))
        cs = comps.get(cca_id, [])
        out.append(model.Finding(rule, cs[0] if len(cs) == 1 else "",
                                 f"clearing agency {cca_id} ({name}): {msg}; no Item 15 debit at this clearing agency "
                                 f"({_usd1(at)} of requirements not counted)", at, "cca", int(pos), "review"))
    # Requirements not counted and deposits not eligible: one finding per failed condition.
    for table, f in (("cca_requirements", req_fail), ("cca_deposits", dfail)):
        f = f.sort_values(["cca_id", "account_id", "sortkey", "cond"], kind="mergesort")
        cols = [f[c].to_numpy(dtype=object).tolist() for c in ("rule", "computation", "cca_id", "account_id",
                                                                "message", "severity")]
        for rule, comp, cca_id, acct, msg, sev, amt, pos in zip(*cols, f["amount"].tolist(), f["pos"].tolist()):
            out.append(model.Finding(rule, comp, f"clearing agency {cca_id}, account {acct}: {msg}", int(amt), table,
                                     int(pos), sev))
    pend = pend.sort_values(["cca_id", "account_id", "deposit_id"], kind="mergesort")
    effect = ("counted in Item 15 under pending_cure_policy=include: if the delivery is not received by then, the "
              "computation must be redone without it" if include_pending else
              "excluded from Item 15 under pending_cure_policy=exclude")
    for cca_id, acct, dep_id, comp, dl, value, pos in zip(
            *(pend[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "account_id", "deposit_id", "computation")),
            pend["deadline"].tolist(), pend["value"].tolist(), pend["pos"].tolist()):
        out.append(model.Finding(
            "Note H(b)(1)(iii)(C)", comp,
            f"clearing agency {cca_id}, account {acct}: firm-owned Treasuries {dep_id} ({_usd1(value)}) await the "
            f"customer's delivery, due by the close of {dl:%A %Y-%m-%d} (prepared on {prepared_on:%Y-%m-%d}); {effect}",
            int(value), "cca_deposits", int(pos), "review"))
    ex = e[e["excess_on_deposit"] > 0]
    for cca_id, acct, comp, elig, req_, excess in zip(
            *(ex[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "account_id", "computation")),
            *(ex[c].tolist() for c in ("eligible_deposits", "requirement", "excess_on_deposit"))):
        out.append(model.Finding(
            "Note H(a)", comp,
            f"clearing agency {cca_id}, account {acct}: eligible deposits {_usd1(elig)} exceed the requirement "
            f"{_usd1(req_)} by {_usd1(excess)}: excess on deposit, no Item 15 debit for it (customer securities in it "
            "stay an Item 2 credit); recall it", int(excess), "", None, "review"))
    return out
