"""What the formula reads from a loaded book, as typed interfaces.

The formula imports nothing of `reserve.book` (the layer contract keeps the book's readers
out of it), so the book's `Parameters` and `Book` are described here structurally: any
object with these attributes is a book the formula can compute (`reserve.book.Book` is one;
the tests' hand-built books are others).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..keys import Links

if TYPE_CHECKING:  # the type only: the formula imports nothing of the book at run time
    from ..book.model import DefaultUsed

Ints = npt.NDArray[np.int64]
"""int64 cents, or positions, one per row."""
Bools = npt.NDArray[np.bool_]
"""A row mask."""
Texts = npt.NDArray[np.object_]
"""Text per row (None where blank)."""
Dates = npt.NDArray[np.datetime64]
"""datetime64[D] per row (NaT where blank)."""


class Params(Protocol):
    """The book's parameters sheet (reserve.book.Parameters)."""

    @property
    def firm_name(self) -> str: ...
    @property
    def as_of(self) -> date: ...
    @property
    def frequency(self) -> str: ...  # weekly | monthly | daily
    @property
    def net_capital_method(self) -> str: ...  # basic | alternative
    @property
    def tentative_net_capital(self) -> int | None: ...  # cents
    @property
    def prepared_on(self) -> date | None: ...  # as_of when not given (the book fills it)
    @property
    def pending_cure_policy(self) -> str: ...
    @property
    def average_total_credits(self) -> int | None: ...  # cents
    @property
    def cross_margin_dual_registrant(self) -> bool: ...
    @property
    def cross_margin_joint_member(self) -> bool: ...
    @property
    def cross_margin_conditions_met(self) -> bool: ...
    @property
    def daily_basis(self) -> str | None: ...  # required | voluntary
    @property
    def daily_notice_date(self) -> date | None: ...
    def as_dict(self) -> dict[str, Any]: ...


class BookData(Protocol):
    """A loaded book (reserve.book.Book): its parameters and typed tables.

    tables: table name -> DataFrame, every schema table present (empty when the book has none).
    links: row-to-row matches found while validating (reserve.keys), reused by the formula.
    defaults_used: the defaults the book leaned on (issue 10), one dict per column.
    """

    @property
    def params(self) -> Params: ...
    @property
    def tables(self) -> dict[str, pd.DataFrame]: ...
    @property
    def links(self) -> Links: ...
    @property
    def defaults_used(self) -> list[DefaultUsed]: ...
