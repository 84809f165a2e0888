"""Item 15 and Note H: margin required and on deposit at a qualified clearing agency for
customers' cleared U.S. Treasury positions -- customer by customer -- and Note B's last
sentence (customers' securities at a qualified clearing agency are an Item 2 credit).

Reads the tables `cca`, `cca_requirements`, `cca_requirement_increments`, `cca_deposits`
(and `accounts` for who owns what). For every (cca_id, account_id) with a requirement or a
deposit:

  1. the clearing agency test (Note H(a), (b)(2), (b)(3)), one row of `cca`: the agency's
     own conditions, and those of the firm's clearing account for the computation of the
     account -- the customers' account, or the PAB accounts' account (PAB Note 1);
  2. the requirement rows that count (Note H(a)(2), (b)(2)(i), with the account structure);
  3. the deposits that are eligible (Note H(a)(1), (b)(1), (b)(2)(iii)), with the cap of
     customer cash at the cash the firm owes that customer and the conditions (A)-(C) of
     Note H(b)(1)(iii) for firm-owned Treasuries, per increment of the requirement;
  4. Item 15 = min(requirement counted, eligible deposits), allocated to deposit rows.

Independently of the (b) conditions, every customer-owned deposit that is a security at a
qualified clearing agency is an Item 2 credit (Note B). Whether each Item 15 debit keeps its
matching credit (customer cash in Item 1, customer securities in Item 2) is checked on the
final dispositions by `note_h_pairing.pairing_findings`.

Disposition lines written here: ``item_15`` (debit), ``item_2`` (credit), ``note_h_test``
(a row used only as evidence: `cca` rows, counted requirement rows, increments; amount 0)
and ``excluded``. Every row of the four tables gets exactly one primary record.

The readings of open wording this module relies on are declared in the one registry,
`reserve.formula.readings.READINGS` (its Note H block), so the report lists them among its
assumptions; the code that applies one cites it as ``(reading: <key>)``.
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
# Note B, last sentence: "customers' securities". `other` (the original format's catch-all)
# is taken as a security, conservatively (reading: h_item2_securities).
SECURITY_ASSETS = ("us_treasury", "qualified_customer_security", "other_security", "other")
# Note H(b)(2)(iii)(B), and the same read with PAB Note 1 ("Customers" -> "PAB Accounts")
# for the PAB clearing account (reading: h_pab_account).
DESIGNATION = "Special Clearing Account for the Exclusive Benefit of the Customers of {firm_name}"
PAB_DESIGNATION = "Special Clearing Account for the Exclusive Benefit of the PAB Accounts of {firm_name}"
# cca_deposits.special_account: which Special Clearing Account a computation's margin must
# sit in (blank: the Customers' one, the only one the original format knew).
SPECIAL_ACCOUNT = {"customer": "customers", "pab": "pab_accounts"}

# Note H(b)(2)(i) and the account structure (reading: h_account_structure). Margin held in
# an omnibus account netted across customers earns no Item 15 debit: the clearing agency
# does not "calculate a separate margin amount for each customer" delivered "on a gross
# basis". Industry has applied for an exemption (Release 34-105980, July 2026); that release
# is a notice of the application, not an order. Should the Commission grant an order, set
# this to True (and add the order's conditions, and reword the reading; reading: h_account_structure):
# omnibus_net requirements (basis net, as the loader makes sure) then count.
OMNIBUS_NET_MARGIN_COUNTS = False
ACCOUNT_STRUCTURES = ("own_gross", "omnibus_gross", "omnibus_net")

# Order in which Item 15 is allocated to the deposits of one customer: the customer's own
# assets first, the firm's interim Treasuries last (reading: h_allocation_order).
ALLOCATION_RANK = {
    ("customer", "cash"): 0,
    ("customer", "us_treasury"): 1,
    ("customer", "qualified_customer_security"): 2,
    ("firm", "us_treasury"): 3,
}
STATUSES = ("eligible", "partial", "ineligible", "pending", "excess only")

# The clearing agency test, in the order of Note H. (column, rule, what fails, scope): scope
# "" is the clearing agency's own condition (both computations); "customer" a condition of
# the firm's customers' clearing account; "pab" one of its PAB clearing account, read with
# PAB Note 1 (reading: h_pab_account). The designations are checked between them.
_CCA_BOOL_CONDITIONS: tuple[tuple[str, str, str, str], ...] = (
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
_CCA_BOOL_CONDITIONS_2: tuple[tuple[str, str, str, str], ...] = (
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


def _bools(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A bool column (False where the column is absent: a blank never meets a condition)."""
    if col not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame[col].fillna(False).to_numpy(dtype=bool)


def _designation_check(got: np.ndarray, want: str, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Note H(b)(2)(iii)(B): the designation, exactly. A handful of rows: a loop is fine."""
    bad = np.array([g != want for g in got], dtype=bool)
    why = np.array([f"{what} is blank; it must read exactly \"" + want + "\"" if g is None
                    else f"{what} " + _first_difference(g, want) for g in got], dtype=object)
    return bad, why


def _cca_test(book, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Note H(a), (b)(2), (b)(3) per `cca` row -> (per-cca frame, long failures).

    The per-cca frame carries the outcome for each computation's clearing account:
    `ok_customer`, `ok_pab` and their joined failures; each failure record has a `scope`
    ("" the clearing agency's own condition, "customer" or "pab" its clearing account's)."""
    cca = book.tables["cca"]
    firm = book.params.firm_name
    c = pd.DataFrame({"pos": np.arange(len(cca), dtype=np.int64),
                      "cca_id": model.text_values(cca["cca_id"]),
                      "cca_name": model.text_values(cca["name"])})
    masks, rules_, msgs, scopes = [], [], [], []

    def add(mask, rule, message, scope=""):
        masks.append(np.asarray(mask, dtype=bool))
        rules_.append(rule)
        msgs.append(np.asarray(message, dtype=object) if isinstance(message, (pd.Series, np.ndarray))
                    else np.full(len(c), message, dtype=object))
        scopes.append(scope)

    for col, rule, what, scope in _CCA_BOOL_CONDITIONS:
        add(~_bools(cca, col), rule, what, scope)
    # (b)(2)(iii)(B): the designation, exactly; the PAB account's read with PAB Note 1
    # (reading: h_pab_account).
    bad, why = _designation_check(model.text_values(cca["account_designation"]), DESIGNATION.format(firm_name=firm),
                                  "account designation")
    add(bad, "Note H(b)(2)(iii)(B)", why, "customer")
    pab_got = (model.text_values(cca["pab_account_designation"]) if "pab_account_designation" in cca.columns
               else np.full(len(cca), None, dtype=object))
    bad, why = _designation_check(pab_got, PAB_DESIGNATION.format(firm_name=firm),
                                  "PAB clearing account: designation (pab_account_designation)")
    add(bad, "PAB Note 1; Note H(b)(2)(iii)(B)", why, "pab")
    for col, rule, what, scope in _CCA_BOOL_CONDITIONS_2:
        add(~_bools(cca, col), rule, what, scope)
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
                      "cond": ci.astype(np.int64),
                      "scope": np.asarray(scopes, dtype=object)[ci]})
    # Note H(a) (and Note B): a "qualified clearing agency" is registered and clears U.S. Treasuries.
    c["qualified_ca"] = _bools(cca, "registered") & _bools(cca, "clears_ust")
    for comp in model.COMPUTATIONS:
        fc = f[f["scope"].isin(("", comp))]
        c["ok_" + comp] = ~c["cca_id"].isin(fc["cca_id"]).to_numpy()
        c["fail_rules_" + comp], c["fail_text_" + comp] = _join_by_row(len(c), fc["pos"], fc["cond"], fc["rule"],
                                                                       fc["message"])
    return c, f


def _with_cca(frame: pd.DataFrame, cca: pd.DataFrame) -> pd.DataFrame:
    """The clearing agency's outcome for each row's computation: its PAB clearing account's
    for a PAB row, its customers' clearing account's otherwise (reading: h_pab_account)."""
    cols = ["cca_id", "cca_name", "qualified_ca"] + [f"{k}_{comp}" for comp in model.COMPUTATIONS
                                                   for k in ("ok", "fail_rules", "fail_text")]
    out = frame.merge(cca[cols], how="left", on="cca_id", sort=False)
    unknown = out["ok_customer"].isna().to_numpy(dtype=bool)
    pab = (out["computation"] == "pab").to_numpy(dtype=bool)
    pick = {k: np.where(pab, out[f"{k}_pab"].to_numpy(dtype=object), out[f"{k}_customer"].to_numpy(dtype=object))
            for k in ("ok", "fail_rules", "fail_text")}
    out = out.drop(columns=[f"{k}_{comp}" for comp in model.COMPUTATIONS for k in ("ok", "fail_rules", "fail_text")])
    out["cca_known"] = ~unknown
    out["cca_ok"] = pd.Series(pick["ok"], index=out.index).fillna(False).astype(bool)
    out["qualified_ca"] = out["qualified_ca"].fillna(False).astype(bool)
    out["fail_rules"] = pd.Series(pick["fail_rules"], index=out.index).where(~unknown, "Note H(a)").fillna("")
    out["fail_text"] = pd.Series(pick["fail_text"], index=out.index).where(
        ~unknown, "Note H(a): the clearing agency is not in the cca table").fillna("")
    return out


# --------------------------------------------------------------------------- increments

# cca_deposits' Note H(b)(1)(iii) columns -> the same fact in cca_requirement_increments.
INCREMENT_FACTS = {
    "requirement_arose_on": "arose_on",
    "requirement_at_arise": "requirement_at_arise",
    "customer_assets_at_arise": "customer_assets_at_arise",
    "call_issued_on": "call_issued_on",
    "cure_received_on": "cure_received_on",
    "cure_received_amount": "cure_received_amount",
}


def _increments(book) -> pd.DataFrame:
    """The increments table (empty when the book, or an older caller, has none)."""
    inc = book.tables.get("cca_requirement_increments")
    if inc is None:
        cols = {"increment_id": object, "cca_id": object, "account_id": object, "arose_on": "datetime64[ns]",
                "requirement_at_arise": "Int64", "customer_assets_at_arise": "Int64", "call_issued_on": "datetime64[ns]",
                "cure_received_on": "datetime64[ns]", "cure_received_amount": "Int64"}
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})
    return inc


def _increment_facts(dp: pd.DataFrame, inc: pd.DataFrame) -> pd.DataFrame:
    """Per deposit row, the facts (A)-(C) are tested on: the row's own columns, or those of
    the increment it names (reading: h_increments). The validator has made sure a deposit
    naming an increment leaves its own columns blank and matches its clearing agency and
    account, so the increment's facts simply take their place."""
    out = pd.DataFrame(index=dp.index)
    for col in INCREMENT_FACTS:
        kind = "datetime64[ns]" if col.endswith("_on") else "Int64"
        out[col] = dp[col].astype(kind) if col in dp.columns else pd.Series(pd.NA, index=dp.index, dtype=kind)
    if "increment_id" not in dp.columns or not len(inc) or not dp["increment_id"].notna().any():
        return out
    at = keys.find(dp["increment_id"], inc["increment_id"])
    tied = np.flatnonzero(at >= 0)
    for col, inc_col in INCREMENT_FACTS.items():
        kind = out[col].dtype
        values = inc[inc_col].astype(kind).iloc[at[tied]].to_numpy()
        column = out[col].copy()
        column.iloc[tied] = values
        out[col] = column
    return out


def _increment_dispositions(inc: pd.DataFrame, attrs: pd.DataFrame, d: pd.DataFrame, abc_frame: pd.DataFrame,
                            cure_pending: np.ndarray) -> pd.DataFrame:
    """One record per increment: evidence for the firm-owned Treasuries delivered for it, with
    the outcome of (A)-(C) on its facts; an increment no deposit names is excluded."""
    if not len(inc):
        return model.empty_dispositions()
    i = pd.DataFrame({"pos": np.arange(len(inc), dtype=np.int64),
                      "increment_id": model.text_values(inc["increment_id"]),
                      "cca_id": model.text_values(inc["cca_id"]),
                      "account_id": model.text_values(inc["account_id"]),
                      "arose": _dates_text(inc["arose_on"].astype("datetime64[ns]"))})
    i = _attach_account(i, attrs, "account_id", "")
    tied = d[d["increment_id"].notna()]
    # (A)-(C) do not depend on which of the increment's deposits is looked at: the first one's.
    abc_rules, abc_texts = _join_by_row(len(d), abc_frame["pos"], abc_frame["cond"], abc_frame["rule"],
                                        abc_frame["detail"])
    per = pd.DataFrame({"increment_id": tied["increment_id"].to_numpy(dtype=object),
                        "deposit_id": tied["deposit_id"].to_numpy(dtype=object),
                        "abc": abc_texts[tied["pos"].to_numpy(dtype=np.int64)],
                        "pending": cure_pending[tied["pos"].to_numpy(dtype=np.int64)],
                        "deadline": _dates_text(tied["deadline"]).to_numpy(dtype=object)})
    per = per.sort_values(["increment_id", "deposit_id"], kind="mergesort")
    g = per.groupby("increment_id", sort=False).agg(deposits=("deposit_id", ", ".join), abc=("abc", "first"),
                                                    pending=("pending", "first"), deadline=("deadline", "first"))
    i = i.merge(g, how="left", left_on="increment_id", right_index=True, sort=False)
    used = i["deposits"].notna().to_numpy(dtype=bool)
    abc = i["abc"].fillna("").to_numpy(dtype=object)
    head = ("increment of the requirement of account " + _text(i["account_id"]) + " at " + _text(i["cca_id"])
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
        # A blank basis or structure is never gross (the loader fills declared defaults).
        "basis": rq["basis"].astype(object).fillna("").to_numpy(dtype=object),
        "structure": (rq["account_structure"].astype(object).fillna("").to_numpy(dtype=object)
                      if "account_structure" in rq.columns else np.full(len(rq), "", dtype=object)),
        "requirement": rq["requirement"].to_numpy(dtype=np.int64),
    })
    r = _attach_account(r, attrs, "account_id", "")
    r = _with_cca(r, cca)
    r_amt = r["requirement"].to_numpy(dtype=np.int64)
    # Note H(a)(2): Treasury purchases/sales and repos only. A triparty GC repo whose matching
    # CUSIP is a non-Treasury collateral type is `other` (SEC staff FAQ 2025-09-30, Q1).
    r_not_ust = ~r["position_type"].isin(UST_POSITION_TYPES).to_numpy(dtype=bool)
    # Note H(b)(2)(i): "a separate margin amount for each customer ... on a gross basis", and
    # the account structure of the customer's margin (reading: h_account_structure): an
    # omnibus account netted across customers earns no debit unless an order permits it.
    omnibus_net = (r["structure"] == "omnibus_net").to_numpy(dtype=bool)
    r_omnibus = omnibus_net & (not OMNIBUS_NET_MARGIN_COUNTS)
    # (An omnibus_net requirement is net by its structure: that is the one reason given.)
    r_net = (r["basis"] != "gross").to_numpy(dtype=bool) & ~omnibus_net
    # PAB accounts' requirements are the PAB computation's; a non-customer's, an unknown
    # account's or an excluded cross-margin account's count in neither (reading: h_outside_accounts).
    r_outside = (r["computation"] == "").to_numpy(dtype=bool)
    r_row_ok = ~r_not_ust & ~r_net & ~r_omnibus & ~r_outside
    r_counted = r_row_ok & r["cca_ok"].to_numpy(dtype=bool)
    r["row_ok"] = r_row_ok
    r["counted"] = r_counted
    r["sortkey"] = (_text(r["position_type"]) + "/" + _text(r["basis"])
                    + np.where(r["structure"] != "", "/" + r["structure"].astype(str), ""))

    def r_label(x):
        return "requirement " + x["sortkey"] + " of " + _usd(x["requirement"])

    req_fail = _concat_failures([
        _failures(r, r_outside, "Note H(a)(2)", lambda x: "account " + _text(x["account_id"]) + " is " + x["outside"]
                  + "; Note H applies to customers' (and PAB accounts') positions",
                  "requirement", 1, "sortkey", 0, "cca_requirements", r_label),
        _failures(r, r_not_ust, "Note H(a)(2)", "the margin does not result from purchases, sales or repos of U.S. "
                  "Treasury securities (a triparty GC repo with a non-Treasury matching CUSIP is not one: SEC staff FAQ "
                  "2025-09-30)", "requirement", 1, "sortkey", 1, "cca_requirements", r_label),
        _failures(r, r_net, "Note H(b)(2)(i)",
                  lambda x: np.where(x["basis"] == "", "basis blank: not shown computed gross for this customer",
                                     "computed net across customers, not gross for this customer"),
                  "requirement", 1, "sortkey", 2, "cca_requirements", r_label),
        _failures(r, r_omnibus, "Note H(b)(2)(i)",
                  "held in an omnibus account margined net across customers (account_structure omnibus_net): the "
                  "clearing agency does not calculate a separate margin for this customer delivered gross; no Item 15 "
                  "(an exemption has been applied for, Release 34-105980, July 2026: a notice, not an order)",
                  "requirement", 1, "sortkey", 3, "cca_requirements", r_label),
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
        # A blank never meets a condition (the loader fills declared defaults).
        "cca_account": dp["cca_account"].astype(object).fillna("").to_numpy(dtype=object),
        "delivered_by_firm": _bools(dp, "delivered_by_firm"),
        "special_account": (dp["special_account"].astype(object).fillna("customers").to_numpy(dtype=object)
                            if "special_account" in dp.columns else np.full(len(dp), "customers", dtype=object)),
        "increment_id": (model.text_values(dp["increment_id"]) if "increment_id" in dp.columns
                         else np.full(len(dp), None, dtype=object)),
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
    # Firm-owned Treasury documentation (Note H(b)(1)(iii)), blanks kept apart: the deposit's
    # own columns, or those of the increment it names (reading: h_increments).
    facts = _increment_facts(dp, _increments(book))
    for col in ("requirement_at_arise", "customer_assets_at_arise", "cure_received_amount"):
        d[col], d[col + "_blank"] = _money(facts[col])
    for col in ("requirement_arose_on", "call_issued_on", "cure_received_on"):
        d[col] = facts[col].to_numpy(dtype="datetime64[ns]")
    # (C) "by the close of the next business day after the margin requirement arose": one
    # calendar look-up per distinct date, not per row.
    arose = d["requirement_arose_on"]
    nbd = {pd.Timestamp(x): pd.Timestamp(cal.next_business_day(pd.Timestamp(x).date())) for x in arose.dropna().unique()}
    d["deadline"] = pd.to_datetime(arose.map(nbd)).astype("datetime64[ns]")
    d["shortfall"] = d["requirement_at_arise"] - d["customer_assets_at_arise"]

    def d_label(x):
        return ("deposit " + _text(x["deposit_id"]) + " (" + _text(x["owner"]) + " " + _text(x["asset"]) + " "
                + _usd(x["value"]) + np.where(x["increment_id"].notna(), ", for increment " + _text(x["increment_id"]), "")
                + ")")

    fails: list = []
    cond = iter(range(100))

    def dfail(mask, rule, detail, amount="value", severity="review"):
        fails.append(_failures(d, mask, rule, detail, amount, 2, "deposit_id", next(cond), "cca_deposits", d_label,
                               severity))

    dfail((d["computation"] == "").to_numpy(dtype=bool), "Note H(a)(2)",
          lambda x: "margins account " + _text(x["account_id"]) + ", " + x["outside"])
    # Note H(a)(1): cash, U.S. Treasury securities or qualified customer securities.
    dfail(~d["asset"].isin(ELIGIBLE_ASSETS).to_numpy(dtype=bool), "Note H(a)(1)",
          lambda x: np.select([x["asset"] == "other_security", x["asset"] == "not_a_security"],
                              ["a security that is not permitted collateral: not cash, a U.S. Treasury security or a "
                               "qualified customer security",
                               "neither cash nor a security"],
                              "not cash, a U.S. Treasury security or a qualified customer security"))
    # Note H(b)(2)(iii): held in the firm's segregated Special Clearing Account at the
    # clearing agency -- the Customers' for a customer account, the PAB Accounts' for a PAB
    # account (PAB Note 1; reading: h_pab_account).
    cca_acct = d["cca_account"].to_numpy(dtype=object)
    dfail(cca_acct != "customer_segregated", "Note H(b)(2)(iii)",
          lambda x: np.where(x["cca_account"] == "", "the account at the clearing agency holding it is blank "
                             "(cca_account): not shown to be the segregated Special Clearing Account",
                             "held in the firm's " + _text(x["cca_account"]) + " account, not the segregated Special "
                             "Clearing Account"))
    comp_d = d["computation"].to_numpy(dtype=object)
    expected_special = np.where(comp_d == "pab", SPECIAL_ACCOUNT["pab"], SPECIAL_ACCOUNT["customer"])
    wrong_special = ((cca_acct == "customer_segregated") & (comp_d != "")
                     & (d["special_account"].to_numpy(dtype=object) != expected_special))
    dfail(wrong_special, lambda x: np.where(x["computation"] == "pab", "PAB Note 1; Note H(b)(2)(iii)",
                                            "Note H(b)(2)(iii)"),
          lambda x: np.where(x["computation"] == "pab",
                             "margins a PAB account but is held in the Special Clearing Account for the Customers, not "
                             "the PAB Accounts' (special_account " + _text(x["special_account"]) + "; blank is the "
                             "Customers' account)",
                             "margins a customer account but is held in the Special Clearing Account for the PAB "
                             "Accounts, not the Customers'"))
    # Note H(b)(1): "delivered by the broker or dealer to the qualified clearing agency".
    dfail(~d["delivered_by_firm"].to_numpy(dtype=bool), "Note H(b)(1)", "not delivered by this broker-dealer")
    # Note H(b)(1)(i)-(ii): the customer's own cash/securities, "and not for any other customer's"
    # positions: one customer's assets never margin another's (reading: h_same_customer).
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

    # Note H(b)(1)(iii)(A)-(C) for firm-owned Treasuries, on the deposit's own facts or its
    # increment's (reading: h_not_demonstrated; reading: h_cure_sufficient; reading: h_increments).
    # Those meeting them count at their value (reading: h_firm_treasury_amount).
    ft = is_firm & (asset == "us_treasury")
    abc_first = len(fails)  # the failures from here to the cure are the increment's (A)-(C)
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
    abc_frame = _concat_failures(fails[abc_first:])

    dfail_frame = _concat_failures(fails)
    d_failed = np.zeros(n_d, dtype=bool)
    d_failed[dfail_frame["pos"].to_numpy(dtype=np.int64)] = True
    cca_ok_d = d["cca_ok"].to_numpy(dtype=bool)
    # Pending (reading: h_pending): meets every other condition, cure not yet due.
    pending = cure_pending & ~d_failed & cca_ok_d
    ok = ~d_failed & cca_ok_d & ~cure_pending
    counts = ok | (pending & include_pending)

    # Note H(b)(1)(i): customer cash only up to the cash the firm owes that customer, one cap
    # per customer shared across all clearing agencies (reading: h_customer_cash_cap).
    cash_cust = counts & is_cust & (asset == "cash")
    eligible_amt = np.where(counts, val, 0)
    d["capped_out"] = np.zeros(n_d, dtype=np.int64)
    d["cash_owed"] = np.zeros(n_d, dtype=np.int64)
    if cash_cust.any():
        cc = d.loc[cash_cust, ["pos", "customer_id", "computation", "cca_id", "account_id", "deposit_id", "value"]]
        cc = cc.merge(cash_owed, how="left", left_on=["customer_id", "computation"], right_index=True)
        cc["cash_owed"] = cc["cash_owed"].fillna(0).astype(np.int64)
        # The cap is spent first on the cash that meets a counted requirement -- customer cash is
        # the first asset allocated to it (reading: h_allocation_order) -- and only then on cash beyond
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
    # Eligible deposits beyond the whole requirement are excess to recall (reading: h_excess).
    e["excess_on_deposit"] = np.maximum(e["eligible_deposits"] - e["requirement"], 0)
    it, rq_tot = e["item_15"].to_numpy(), e["requirement"].to_numpy()
    # Status ('pending': reading: h_pending; 'excess only', eligible deposits and no
    # requirement at all: reading: h_excess).
    status = np.select(
        [item_excl != item_incl,
         (rq_tot > 0) & (it == rq_tot),
         it > 0,
         rq_tot > 0,
         (e["n_deposits"] > 0).to_numpy() & (e["n_eligible"] == 0).to_numpy(),
         (e["excess_on_deposit"] > 0).to_numpy()],
        ["pending", "eligible", "partial", "ineligible", "ineligible", "excess only"], default="eligible")
    e["status"] = status
    # The account structures stated for the entry's requirements (reading: h_account_structure).
    st = r.loc[r["structure"] != "", key + ["structure"]].drop_duplicates().sort_values(key + ["structure"])
    st = st.groupby(key, sort=False)["structure"].agg(", ".join).rename("account_structure")
    e = e.merge(st, how="left", left_on=key, right_index=True, sort=False)

    # Allocate each entry's Item 15 to its deposits (reading: h_allocation_order).
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
    # The clearing agencies where PAB accounts' margin is, and where customers' is: a
    # clearing account's own conditions are reported where that computation is.
    used_by = {comp: set(r.loc[r["computation"] == comp, "cca_id"]) | set(d.loc[d["computation"] == comp, "cca_id"])
               for comp in model.COMPUTATIONS}
    cca["used_pab"] = cca["cca_id"].isin(used_by["pab"]).to_numpy()
    cca["used_customer"] = cca["cca_id"].isin(used_by["customer"]).to_numpy()
    shown = cca_fail.merge(cca[["cca_id", "used_pab", "used_customer"]], on="cca_id", how="left")
    cca_fail = cca_fail[((shown["scope"] == "")
                         | ((shown["scope"] == "customer") & (shown["used_customer"] | ~shown["used_pab"]))
                         | ((shown["scope"] == "pab") & shown["used_pab"])).to_numpy(dtype=bool)]
    disp = [_cca_dispositions(cca), _requirement_dispositions(r)]
    disp.append(_increment_dispositions(_increments(book), attrs, d, abc_frame, cure_pending))
    disp.append(_deposit_dispositions(d, val, used, eligible_amt, capped_out, pending, include_pending,
                                      cure_pending, deadline, dfail_frame, is_cust, asset))
    dispositions = model.concat_dispositions(disp)
    order = {"cca": 0, "cca_requirements": 1, "cca_requirement_increments": 2, "cca_deposits": 3}
    dispositions = (dispositions.assign(_t=dispositions["table"].map(order), _p=~dispositions["primary"])
                    .sort_values(["_t", "row", "_p"], kind="mergesort").drop(columns=["_t", "_p"])
                    .reset_index(drop=True))

    # ---------------------------------------------------------------- entries and findings
    pend = d.loc[pending, ["cca_id", "account_id", "deposit_id", "pos", "value", "computation"]].copy()
    pend["deadline"] = deadline.to_numpy()[pending]
    entries = _entries(e, cca_fail, req_fail, dfail_frame, pend)
    findings = _findings(e, cca, cca_fail, r, req_fail, dfail_frame, pend, include_pending, prepared_on)
    findings += _other_asset_findings(d, is_cust, asset)
    return NoteHOutcome(dispositions, entries, findings)


# --------------------------------------------------------------------------- dispositions


def _cca_dispositions(cca: pd.DataFrame) -> pd.DataFrame:
    """One evidence record per clearing agency: the customers' clearing account's outcome,
    and the PAB clearing account's where PAB accounts' margin is there (PAB Note 1)."""
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


def _requirement_dispositions(r: pd.DataFrame) -> pd.DataFrame:
    counted = r["counted"].to_numpy(dtype=bool)
    row_ok = r["row_ok"].to_numpy(dtype=bool)
    structure = r["structure"].to_numpy(dtype=object)
    amt = _usd(r["requirement"]) + np.where(structure != "", " (" + structure + " account)", "")
    outside = (r["computation"] == "").to_numpy(dtype=bool)
    not_ust = ~r["position_type"].isin(UST_POSITION_TYPES).to_numpy(dtype=bool)
    omnibus_net = (r["structure"] == "omnibus_net").to_numpy(dtype=bool)
    omnibus = omnibus_net & (not OMNIBUS_NET_MARGIN_COUNTS)
    net = (r["basis"] != "gross").to_numpy(dtype=bool) & ~omnibus_net
    parts = [
        (outside, "Note H(a)(2)", "account " + _text(r["account_id"]) + " is " + r["outside"]),
        (not_ust, "Note H(a)(2)", "position type " + _text(r["position_type"]) + " is not a U.S. Treasury purchase/sale "
         "or repo (SEC staff FAQ 2025-09-30: triparty GC repo with a non-Treasury matching CUSIP)"),
        (net, "Note H(b)(2)(i)", pd.Series(np.where(r["basis"] == "", "basis blank, not shown gross for this customer",
                                                    "computed net, not gross for this customer"), index=r.index)),
        (omnibus, "Note H(b)(2)(i)", pd.Series("held in an omnibus account margined net across customers (no Item 15; "
                                               "exemption applied for, Release 34-105980: a notice, not an order)",
                                               index=r.index)),
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


def _item2_rows(d: pd.DataFrame, is_cust: np.ndarray, asset: np.ndarray) -> np.ndarray:
    """Note B, last sentence: the deposits that are customers' securities at a qualified
    clearing agency, owned by an account in a computation (reading: h_item2_securities)."""
    owner_comp = d["owner_computation"].to_numpy(dtype=object)
    return is_cust & np.isin(asset, SECURITY_ASSETS) & d["qualified_ca"].to_numpy(dtype=bool) & (owner_comp != "")


def _other_asset_findings(d: pd.DataFrame, is_cust: np.ndarray, asset: np.ndarray) -> list[model.Finding]:
    """A customer deposit of the original format's `other` counted in Item 2 as a security:
    for review, so the book can say other_security or not_a_security (reading: h_item2_securities)."""
    m = _item2_rows(d, is_cust, asset) & (asset == "other")
    f = d.loc[m].sort_values(["cca_id", "account_id", "deposit_id"], kind="mergesort")
    return [model.Finding("Note B", comp, f"clearing agency {cca_id}, account {acct}: deposit {dep_id} (customer `other` "
                          f"asset {_usd1(value)}) is taken as a customer security and counted in Item 2, conservatively; "
                          "state asset other_security (a security that is not permitted collateral) or not_a_security "
                          "(not a security: no Item 2)", int(value), "cca_deposits", int(pos), "review")
            for cca_id, acct, dep_id, comp, value, pos in zip(
                *(f[c].to_numpy(dtype=object).tolist() for c in ("cca_id", "account_id", "deposit_id",
                                                                  "owner_computation")),
                f["value"].tolist(), f["pos"].tolist())]


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
    # at their value, in any account, excess included, whatever the (b) conditions. The
    # original format's `other` is taken as a security, conservatively; `not_a_security`
    # is not one (reading: h_item2_securities).
    item2 = _item2_rows(d, is_cust, asset)
    owner_comp = d["owner_computation"].to_numpy(dtype=object)
    j = np.flatnonzero(item2)
    reason_2 = ("market value of customer securities (" + d["asset"].to_numpy(dtype=object)[j] + ") on deposit at a "
                "qualified clearing agency, owned by account " + d["owner_account_id"].to_numpy(dtype=object)[j]
                + ", in the " + d["cca_account"].to_numpy(dtype=object)[j] + " account"
                + np.where(asset[j] == "other", " (asset `other`: taken as a security, conservatively; state "
                           "other_security or not_a_security)", ""))
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
    cf = e[key + ["at_stake", "computation"]].merge(cca_fail[["cca_id", "rule", "message", "cond", "scope"]], on="cca_id")
    # An entry meets its own computation's clearing account (reading: h_pab_account).
    cf = cf[((cf["scope"] == "") | (cf["scope"] == np.where(cf["computation"] == "pab", "pab", "customer")))
            .to_numpy(dtype=bool)]
    cf = cf.assign(amount=cf["at_stake"], kind=0, sortkey="", message="clearing agency " + cf["cca_id"] + ": " + cf["message"])
    missing = e.loc[~e["cca_id"].isin(cca_fail["cca_id"]) & e["cca_name"].isna(), key + ["at_stake"]]
    cf_unknown = missing.assign(rule="Note H(a)", message="clearing agency " + missing["cca_id"] + " is not in the cca table",
                                cond=-1, amount=missing["at_stake"], kind=0, sortkey="")
    cols = key + ["kind", "sortkey", "cond", "rule", "message", "amount"]
    allf = pd.concat([cf[cols], cf_unknown[cols], req_fail[cols], dfail[cols]], ignore_index=True)
    return allf.sort_values(key + ["kind", "sortkey", "cond"], kind="mergesort")


def _or_none(v):
    return None if v is None or v != v else v


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
                                                                "computation", "status", "account_structure")}
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
            # The structures stated for its requirements, or None (reading: h_account_structure).
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


def _findings(e, cca, cca_fail, r, req_fail, dfail, pend, include_pending, prepared_on) -> list[model.Finding]:
    out: list[model.Finding] = []
    # Clearing agencies failing Note H: one finding per failed condition, with the
    # requirement at stake there.
    # A condition of one computation's clearing account puts only that computation's
    # requirements at stake (reading: h_pab_account).
    stake = r.groupby("cca_id")["row_ok_amt"].sum().to_dict()
    stake_by = r.groupby(["cca_id", "computation"])["row_ok_amt"].sum().to_dict()
    comps = r[r["row_ok"]].groupby("cca_id")["computation"].unique().to_dict()
    cf = cca_fail.merge(cca[["cca_id", "cca_name", "used_pab"]], on="cca_id").sort_values(["pos", "cond"],
                                                                                        kind="mergesort")
    for cca_id, name, rule, msg, pos, scope, pab_too in zip(*(cf[c].to_numpy(dtype=object).tolist() for c in (
            "cca_id", "cca_name", "rule", "message", "pos", "scope", "used_pab"))):
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
