"""Note H pairing: every Item 15 debit keeps its matching credit.

SEC staff FAQ (August 6, 2025): customer cash used to meet a clearing agency's margin
requirement is still owed to the customer and stays a credit in Item 1; customers'
securities on deposit at a qualified clearing agency are a credit in Item 2 (Note B, last
sentence). An Item 15 debit without that credit would offset credits that are not there.

Checked on the *final* dispositions of the whole computation (after `formula/credits.py` has
put each account's credit balance in Item 1 or excluded it, and this package has written
Item 15 and Item 2), not on the book: whatever excluded a credit -- a non-customer or cross-margin
account, an account outside the PAB definition, any later rule -- the check sees it
(reading: h_pairing).

    pairing_findings(book, dispositions) -> list[Finding]

is pure and vectorised over the handful of clearing-agency deposits in Item 15; the Item 1
records it sums are those of the accounts of the customers concerned only.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from ... import keys
from .. import model
from ..inputs import BookData
from ..model import Severity
from .accounts import account_facts
from .inputs import cross_margin_outside
from .text import TextArray
from .text import usd as _usd

RULE_CASH = "Note H(b)(1)(i); Item 1; SEC staff FAQ (August 6, 2025)"
RULE_SECURITIES = "Note H(b)(1)(ii); Item 2; Note B; SEC staff FAQ (August 6, 2025)"


def _is(col: pd.Series, value: str) -> npt.NDArray[np.bool_]:
    """col == value, row by row; a categorical compared on its codes (20 million dispositions:
    no string per row)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        cats = col.cat.categories
        if value not in cats:
            return np.zeros(len(col), dtype=bool)
        out: npt.NDArray[np.bool_] = np.asarray(col.array.codes) == cats.get_loc(value)
        return out
    same: npt.NDArray[np.bool_] = (col == value).to_numpy(dtype=bool, na_value=False)
    return same


def _records(disp: pd.DataFrame, table: str, line: str,
             keep: npt.NDArray[np.bool_] | None = None) -> pd.DataFrame:
    """The records of one table to one line: (row, computation, amount); with `keep` (by the
    table's row position), only the records of the rows it marks. The matching positions are
    found on the codes first and only those records are taken (20 million dispositions, a few
    of them wanted: issue 13)."""
    at = np.flatnonzero(_is(disp["table"], table) & _is(disp["line"], line))
    row = disp["row"].to_numpy(dtype=np.int64)[at]
    if keep is not None:
        mine = keep[row]
        at, row = at[mine], row[mine]
    return pd.DataFrame({"row": row,
                         "computation": np.asarray(disp["computation"].iloc[at].to_numpy(dtype=object), dtype=object),
                         "amount": disp["amount"].to_numpy(dtype=np.int64)[at]})


def _customer_of(book: BookData, account_ids: TextArray) -> TextArray:
    """customer_id of each account id, as Note H reads it (the account's first row by type;
    None when the account is unknown)."""
    t = book.tables
    # only the rows of these accounts (a handful of millions): an account's facts are read off
    # its own rows (the first by type), so the same as over the whole table, without a second
    # hash pass over every account's customer (issue 13)
    acc = t["accounts"]
    theirs = acc.iloc[keys.positions_among(acc["account_id"], pd.Series(list(account_ids), dtype=object))]
    attrs = account_facts(theirs, t["cca_requirements"], t["cca_deposits"], cross_margin_outside(book.params)).attrs
    customer = attrs["customer_id"].reindex(pd.Index(account_ids, dtype=object)).astype(object)
    return np.asarray(customer.where(customer.notna(), None).to_numpy(dtype=object), dtype=object)


def pairing_findings(book: BookData, dispositions: pd.DataFrame) -> list[model.Finding]:
    """Severe findings for Item 15 debits whose matching credit is missing, one per customer
    (cash) or per deposit (securities), naming the customer (reading: h_pairing)."""
    dep = book.tables["cca_deposits"]
    if not len(dep) or not len(dispositions):
        return []
    i15 = _records(dispositions, "cca_deposits", "item_15")
    i15 = i15[i15["amount"] > 0]
    if not len(i15):
        return []
    rows = i15["row"].to_numpy(dtype=np.int64)
    owner = dep["owner"].astype(object).to_numpy(dtype=object)[rows]
    cust_rows = owner == "customer"
    i15 = i15[cust_rows]
    rows = rows[cust_rows]
    if not len(i15):
        return []
    acc = book.tables["accounts"]
    owner_acct = dep["owner_account_id"].astype(object).where(dep["owner_account_id"].notna(), dep["account_id"])
    i15 = i15.assign(
        deposit_id=model.text_values(dep["deposit_id"])[rows],
        cca_id=model.text_values(dep["cca_id"])[rows],
        asset=dep["asset"].astype(object).to_numpy(dtype=object)[rows],
        owner_account_id=owner_acct.to_numpy(dtype=object)[rows],
    )
    i15["customer_id"] = _customer_of(book, i15["owner_account_id"].to_numpy(dtype=object))
    out: list[model.Finding] = []

    # Cash: per customer and computation, the customer cash in Item 15 against the customer's
    # Item 1 credits after every exclusion (the accounts' Item 1 records).
    cash = i15[i15["asset"] == "cash"]
    if len(cash):
        per = (cash.sort_values(["customer_id", "computation", "cca_id", "deposit_id"], kind="mergesort")
               .groupby(["customer_id", "computation"], sort=True, dropna=False)
               .agg(item_15=("amount", "sum"), row=("row", "first"),
                    deposits=("deposit_id", lambda s: ", ".join(map(str, s))),
                    ccas=("cca_id", lambda s: ", ".join(sorted(set(map(str, s)))))))
        custs = pd.Series([c for c, _ in per.index if c is not None], dtype=object)
        theirs = np.zeros(len(acc), dtype=bool)  # the accounts of these customers, by position
        if len(custs):
            theirs[keys.positions_among(acc["customer_id"], custs)] = True
        item1 = _records(dispositions, "accounts", "item_1", keep=theirs)
        item1["customer_id"] = model.text_values(acc["customer_id"].iloc[item1["row"].to_numpy(dtype=np.int64)])
        credits = item1.groupby(["customer_id", "computation"])["amount"].sum().to_dict()
        for (cust, comp), r in per.iterrows():  # one per customer with cash in Item 15: a handful
            have = int(credits.get((cust, comp), 0))
            short = int(r["item_15"]) - have
            if short <= 0:
                continue
            out.append(model.Finding(
                RULE_CASH, comp,
                f"customer {cust}: customer cash of {_usd(r['item_15'])} counted in Item 15 (deposits {r['deposits']} "
                f"at {r['ccas']}) has no matching credit: the customer's Item 1 credits after every exclusion are "
                f"{_usd(have)}, {_usd(short)} less; customer cash delivered to a clearing agency stays a credit in Item 1 "
                "(it is still owed to the customer)", short, "cca_deposits", int(r["row"]), Severity.SEVERE))

    # Securities: each customer security in Item 15 is in Item 2 for at least that amount.
    sec = i15[i15["asset"] != "cash"]
    if len(sec):
        item2 = _records(dispositions, "cca_deposits", "item_2").groupby("row")["amount"].sum()
        have = item2.reindex(sec["row"].to_numpy(dtype=np.int64)).fillna(0).astype(np.int64).to_numpy()
        short = sec["amount"].to_numpy(dtype=np.int64) - have
        bad = sec.assign(have=have, short=short)[short > 0].sort_values(["cca_id", "deposit_id"], kind="mergesort")
        for cust, comp, dep_id, cca_id, asset, amount, got, miss, row in zip(
                *(bad[c].to_numpy(dtype=object).tolist() for c in ("customer_id", "computation", "deposit_id", "cca_id",
                                                                   "asset")),
                bad["amount"].tolist(), bad["have"].tolist(), bad["short"].tolist(), bad["row"].tolist(), strict=False):
            out.append(model.Finding(
                RULE_SECURITIES, comp,
                f"customer {cust}: {asset} deposit {dep_id} at {cca_id} counted in Item 15 for {_usd(amount)} has no "
                f"matching Item 2 credit ({_usd(got)} recorded, {_usd(miss)} less): customers' securities on deposit at "
                "a qualified clearing agency are a credit in Item 2 (Note B, last sentence)", int(miss), "cca_deposits",
                int(row), Severity.SEVERE))
    return out
