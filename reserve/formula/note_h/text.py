"""Words and amounts in Note H's messages: the text of a column, a date, an amount in dollars.

Amounts are written as "$1,234.56" (a negative as "-$1,234.56") from integer cents: one amount
through `reserve.money.format_display`, many at once through `usd_column`, the one vectorised
formatter of the package (`reserve.money` formats one amount at a time; Note H writes one
message per failing row, and the formula never loops over rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ... import money

#: An object array of Python strings, one per row.
TextArray = npt.NDArray[np.object_]


def usd(cents: int) -> str:
    """Cents -> "$1,234.56" ("-$1,234.56" below zero)."""
    c = int(cents)
    return f"-${money.format_display(-c)}" if c < 0 else f"${money.format_display(c)}"


def usd_column(cents: Any) -> TextArray:
    """Cents -> "$1,234.56" text for many amounts at once, as `usd` writes one (integer
    arithmetic, Arrow string kernels: thousands separators are put in on the reversed digits)."""
    c = np.asarray(cents, dtype=np.int64)
    if not len(c):
        return np.zeros(0, dtype=object)
    a = np.abs(c)
    digits = pc.utf8_reverse(pa.array(a // 100).cast(pa.string()))
    dollars = pc.utf8_reverse(pc.utf8_rtrim(pc.replace_substring_regex(digits, r"(\d{3})", r"\1,"), characters=","))
    cents_part = pc.utf8_lpad(pa.array(a % 100).cast(pa.string()), width=2, padding="0")
    sign = pa.array(np.where(c < 0, "-$", "$"))
    joined = pc.binary_join_element_wise(sign, dollars, ".", cents_part, "")
    return np.asarray(joined.to_numpy(zero_copy_only=False), dtype=object)


def text(s: pd.Series) -> pd.Series:
    """Text column for messages: None -> ''."""
    return s.astype(object).where(s.notna(), "").astype(str)


def dates_text(s: pd.Series) -> pd.Series:
    """Date column for messages: 2026-11-20, or "(blank)"."""
    return s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), "(blank)").astype(str)


def first_difference(got: str, want: str) -> str:
    """Where a text that must read exactly `want` departs from it (Note H(b)(2)(iii)(B))."""
    i = 0
    while i < min(len(got), len(want)) and got[i] == want[i]:
        i += 1
    return (f"reads \"{got}\" but must read exactly \"{want}\"; first difference at character {i + 1}: "
            f"\"{got[i:i + 12]}\" instead of \"{want[i:i + 12]}\"")
