"""What Note H reads: five tables of the book, a few parameters and the business calendar.

The formula does not import the book package (its readers are on the far side of the import
contract): `from_book` takes anything shaped like `reserve.book.Book` (`formula.inputs.BookData`,
the one description of a book the formula reads).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ...calendar import BusinessCalendar
from ..inputs import BookData, Params


def cross_margin_outside(p: Params) -> bool:
    """The firm meets the cross-margining order's conditions (Cross-margining order, April 15,
    2026): its customers' cross-margin accounts are outside the reserve formula."""
    return bool(p.cross_margin_dual_registrant and p.cross_margin_joint_member and p.cross_margin_conditions_met)


@dataclass(frozen=True)
class NoteHInputs:
    """Everything Note H reads.

    accounts: the accounts table (who owns what; the cash owed to each customer).
    cca: one row per clearing agency (its attestations, designations, the Commission's notice).
    requirements: cca_requirements, one row per margin requirement of an account at a clearing agency.
    increments: cca_requirement_increments, or None when the book has no such table.
    deposits: cca_deposits, one row per asset on deposit.
    firm_name: for the Special Clearing Account's designation (Note H(b)(2)(iii)(B)).
    as_of: the computation date (the Commission's notice, Note H(b)(3)).
    prepared_on: when the computation is prepared (whether a cure deadline has passed).
    include_pending: pending_cure_policy is "include" (reading: h_pending).
    cross_margin_outside: customers' cross-margin accounts are outside the formula.
    calendar: business days (the cure deadline, Note H(b)(1)(iii)(C)).
    """

    accounts: pd.DataFrame
    cca: pd.DataFrame
    requirements: pd.DataFrame
    increments: pd.DataFrame | None
    deposits: pd.DataFrame
    firm_name: str
    as_of: pd.Timestamp
    prepared_on: pd.Timestamp
    include_pending: bool
    cross_margin_outside: bool
    calendar: BusinessCalendar

    @classmethod
    def from_book(cls, book: BookData, cal: BusinessCalendar) -> NoteHInputs:
        p = book.params
        t = book.tables
        return cls(
            accounts=t["accounts"], cca=t["cca"], requirements=t["cca_requirements"],
            increments=t.get("cca_requirement_increments"), deposits=t["cca_deposits"],
            firm_name=p.firm_name, as_of=pd.Timestamp(p.as_of), prepared_on=pd.Timestamp(p.prepared_on or p.as_of),
            include_pending=p.pending_cure_policy == "include", cross_margin_outside=cross_margin_outside(p),
            calendar=cal)
