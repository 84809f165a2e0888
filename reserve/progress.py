"""Progress that moves (issue 13 item 6): each long phase of a run -- reading and typing each
table, validating, each step of the computation, writing each output -- says what it is
doing, advances a count while it works, and says how long it took when done.

The stages take a `Progress` (the default, `NO_PROGRESS`, does nothing), so the loader, the
formula and the writers stay free of terminal code: they only call

    with progress.phase("typing accounts", total=rows, unit="rows") as p:
        ... p.advance(n) ...

`reserve.terminal.TerminalProgress` is the one that prints, on a terminal only (the CLI picks it when stderr
is a terminal and --quiet is not given): one line per phase, rewritten in place (carriage
return) at most ten times a second while the count advances, and finished as

    ... typing accounts: 10,000,000 rows in 4.2 s

Every piece of text it prints passes through `reserve.terminal.safe` first (a sheet or file
name comes from the book); only its own carriage return and erase-line control are added.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Phase:
    """One phase of a run: `advance(n)` as work is done."""

    def __init__(self, owner: Progress, name: str, total: int | None, unit: str):
        self.owner, self.name, self.total, self.unit = owner, name, total, unit
        self.done = 0
        self.started = time.perf_counter()

    def advance(self, n: int = 1) -> None:
        self.done += n
        self.owner._moved(self)

    @property
    def seconds(self) -> float:  # float-ok: elapsed wall time, shown to a person, never money
        return time.perf_counter() - self.started


class Progress:
    """Progress that shows nothing (the default of every stage)."""

    @contextmanager
    def phase(self, name: str, total: int | None = None, unit: str = "") -> Iterator[Phase]:
        p = Phase(self, name, total, unit)
        self._started(p)
        try:
            yield p
        finally:
            self._finished(p)

    def _started(self, p: Phase) -> None:
        pass

    def _moved(self, p: Phase) -> None:
        pass

    def _finished(self, p: Phase) -> None:
        pass


NO_PROGRESS = Progress()


def _unit(n: int, unit: str) -> str:
    if not unit:
        return ""
    return f" {unit[:-1]}" if n == 1 and unit.endswith("s") else f" {unit}"


def count_text(p: Phase) -> str:
    """The count while a phase works: "3,000,000 of 10,000,000 rows" (or "3,000,000 rows")."""
    if p.total is None:
        return f"{p.done:,}{_unit(p.done, p.unit)}"
    return f"{p.done:,} of {p.total:,}{_unit(p.total, p.unit)}"


def done_text(p: Phase) -> str:
    """A phase when done: ": 10,000,000 rows in 4.2 s" (its count, if it counted, and its time)."""
    n = p.total if p.total is not None else p.done
    count = f": {n:,}{_unit(n, p.unit)}" if n else ""
    return f"{count} in {p.seconds:.1f} s"
