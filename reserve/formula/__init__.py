"""Exhibit A applied to a loaded book: pure computation, no I/O.

`compute(book) -> Result` (computation.py) runs the rules of Exhibit A in order. Each part of
the rule has its module, named after it, and each rule a function named after the rule:

  credits.py       Items 1-9, Notes A-D, other credits
  debits.py        Items 10-14, Notes F, G, other debits
  note_e.py        Note E(1)-(6), the reductions of Item 10
  note_h/          Note H, Item 15 (and Note B's customers' securities at a qualified clearing agency)
  pab.py           PAB Notes 1-10
  reserve_bank.py  amounts on deposit (Rule 15c3-3(e)(5), (f); PAB Note 7's separate account)
  computation.py   Item 16, the debit reduction, the 105%, (e)(4), the deposit and its deadline
  scope.py         which account rows are in which computation
  registry.py      every rule of Exhibit A, in its order, with its function and tests
  readings.py      our readings of wording the rule leaves open
"""

from __future__ import annotations

from .computation import STEPS, calendar_for, compute
from .model import Computation, Finding, Result

__all__ = ["STEPS", "Computation", "Finding", "Result", "calendar_for", "compute"]
