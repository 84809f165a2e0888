"""Words and amounts in Note H's messages: the text of a column, a date, an amount in dollars.

Amounts are written as "$1,234.56" (a negative as "-$1,234.56") from integer cents by
`reserve.money` (`format_dollars` one at a time, `format_dollars_column` many at once, since
Note H writes one message per failing row and the formula never loops over rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ... import money

#: An object array of Python strings, one per row.
TextArray = npt.NDArray[np.object_]


def usd(cents: int) -> str:
    """Cents -> "$1,234.56" ("-$1,234.56" below zero): `reserve.money.format_dollars`."""
    return money.format_dollars(int(cents))


def usd_column(cents: Any) -> TextArray:
    """Cents -> "$1,234.56" text for many amounts at once: `reserve.money.format_dollars_column`."""
    return money.format_dollars_column(cents)


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
