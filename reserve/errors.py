"""Errors are data: every problem with a book is a `Problem` record.

Loader and checks collect problems instead of raising at the first one, so a user sees
every mistake of a book at once. The CLI decides how to show them; `BookInvalid` carries
the whole list out of the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MAX_PROBLEMS = 200  # how many problems are shown; the count of all of them is always given


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str = ""  # sheet (xlsx) or table name (csv/parquet)
    row: int | None = None  # row as the user sees it: Excel row number, CSV line, Parquet row (1-based)
    column: str = ""
    value: str = ""  # the value found, as text
    expected: str = ""  # what was expected
    message: str = ""  # anything else

    def sort_key(self) -> tuple[str, str, int, str, str]:
        return (self.file, self.sheet, self.row if self.row is not None else -1, self.column, self.message)

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f", sheet {self.sheet}"
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        details = []
        if self.message:
            details.append(self.message)
        if self.value != "" or self.expected:
            found = repr(self.value) if self.value != "" else "blank"
            if not (self.message and f"found {self.value}" in self.message):
                details.append(f"found {found}")
            if self.expected:
                details.append(f"expected {self.expected}")
        return f"{where}: {'; '.join(details)}" if details else where

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "message": self.message,
        }


class BookInvalid(Exception):
    """The book has problems; nothing is computed or written."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = sorted(problems, key=Problem.sort_key)
        self.total = total if total is not None else len(problems)
        super().__init__(f"{self.total} problem(s) in the book")


class ProblemLog:
    """Collects problems, keeping at most MAX_PROBLEMS but counting all of them."""

    def __init__(self, cap: int = MAX_PROBLEMS) -> None:
        self.cap = cap
        self.items: list[Problem] = []
        self.total = 0

    def add(self, problem: Problem) -> None:
        self.total += 1
        if len(self.items) < self.cap:
            self.items.append(problem)

    def add_many(self, count: int, make: Callable[[int], Problem]) -> None:
        """Record `count` problems, building only those that fit under the cap: make(i) -> Problem."""
        room = max(0, self.cap - len(self.items))
        for i in range(min(count, room)):
            self.items.append(make(i))
        self.total += count

    def absorb(self, other: "ProblemLog") -> None:
        """Take in `other`'s problems, as though they had been added here after this log's own:
        the same problems kept (the first under the cap) and counted. How problems found on
        another thread join the log in a fixed order (`convert._converted`)."""
        room = max(0, self.cap - len(self.items))
        self.items.extend(other.items[:room])
        self.total += other.total

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise BookInvalid(self.items, self.total)
