"""Matching the names a person typed (sheets, files, columns, parameters) to the book format.

Issue 10: a sheet named `Items`, `items ` or `Items.csv`, or a header `doubtfull`, used to be
dropped silently, and the computation lost a credit with no exception. Now every name is
one of three things:

- **recognised**: equal to a name of the format once case, surrounding space and inner
  runs of spaces (read as `_`) are set aside: `Unsecured Amount` is `unsecured_amount`;
- **refused**: not recognised, but within a small edit distance of a name of the format,
  a clipped form of one (`doubtfull`, `unsecured`), one decorated or abbreviated
  (`items (1)`, `is_doubtful`, `unsecured_amt`), its words contracted (`cust_id`,
  `mkt_value`) or typed in full-width forms (`ＣＵＳＴＯＭＥＲ_ＩＤ`): the book is refused
  with "did you mean ...", because a typo must never quietly drop a fact;
- **ignored**: anything else (a `README` sheet, an `account_name` column): read past, and
  listed as ignored in `validate`'s output and in the report's provenance.

A near name is refused only when the name it resembles is not itself present (a column
`balance_usd` beside `balance` is an extra column, not a typo).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"[\s]+")


def normal(name: object) -> str:
    """The form names are compared in: stripped, lower case, inner spaces as `_`."""
    return _SPACES.sub("_", str(name).strip()).lower()


def _distance(a: str, b: str, cap: int) -> int:
    """Levenshtein distance, stopping early once it passes `cap` (names are short)."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > cap:
            return cap + 1
        prev = cur
    return prev[-1]


def near(name: str, known) -> str | None:
    """The known name `name` is most likely a mistyped form of, or None.

    Near means: the same once `_`, `-` and `.` are set aside (`unsecuredamount`); an edit
    distance of 1 (known names of up to 6 letters) or 2 (longer names); or a clipped form of
    at least 5 letters that a known name begins with (`unsecured` for `unsecured_amount`)."""
    n = normal(name)
    squeezed = re.sub(r"[_\-.]", "", n)
    best, best_d = None, 99
    for k in known:
        if re.sub(r"[_\-.]", "", k) == squeezed:
            return k
        cap = 1 if len(k) <= 6 else 2
        d = _distance(n, k, cap)
        if d <= cap and d < best_d:
            best, best_d = k, d
        elif best is None and len(n) >= 5 and k.startswith(n) and len(k) > len(n):
            best, best_d = k, cap + 1
    if best is None:
        best = _decorated(n, known)
    if best is None:
        best = _contracted(n, known)
    if best is None and n != (folded := normal(unicodedata.normalize("NFKC", n))):
        # typed in full-width or other compatibility forms (`ＣＵＳＴＯＭＥＲ_ＩＤ`): refused, named
        by_normal = {normal(k): k for k in known}
        best = by_normal.get(folded) or near(folded, known)
    return best


def _contracted(n: str, known) -> str | None:
    """The known name of two words or more that `n` writes with its words contracted, word for
    word (`cust_id`, `acct_id`, `mkt_value`): each typed word begins with its word's first
    letter and its letters come in that word's order, and at least one is shorter than its
    word; a typed word of one letter must be its word (the walk-through: `cust_id` was read
    past, and every account became a customer of its own). The first such name, if several."""
    words = n.split("_")
    if len(words) < 2 or any(not w for w in words):
        return None
    for k in known:
        kw = k.split("_")
        if len(kw) != len(words) or n == k:
            continue
        if all(w == x or (len(w) >= 2 and w[0] == x[0] and len(w) < len(x) and _subsequence(w, x))
               for w, x in zip(words, kw, strict=True)):
            return k
    return None


_SEPARATOR = re.compile(r"[_\-.(\[{#]")


def _decorated(n: str, known) -> str | None:
    """The known name (of at least 5 letters) that `n` is a decorated or abbreviated form of:
    the name with something after it or before it (`items (1)`, `items_2026-11-20`,
    `doubtful (y/n)`, `is_doubtful`), or its words shortened (`unsecured_amt`, with a clipped
    end such as `noncustomer_ownership_%`) -- issue 13's walk-through: such a file or column
    was read past and the computation went on without it."""
    for k in known:
        if len(k) < 5:
            continue
        if n.startswith(k) and _SEPARATOR.match(n, len(k)):
            return k
        if n.endswith(k) and len(n) > len(k) and _SEPARATOR.match(n[-len(k) - 1]):
            return k
    core = re.sub(r"[^a-z0-9]+$", "", n)  # a clipped end: `noncustomer_ownership_%`
    for k in known:
        if len(k) < 5:
            continue
        if len(core) >= 8 and k.startswith(core) and len(k) > len(core):
            return k
        a, b = re.sub(r"[^a-z0-9]", "", core), re.sub(r"[^a-z0-9]", "", k)
        if len(a) >= 6 and a[:5] == b[:5] and len(a) >= 0.6 * len(b) and len(a) < len(b) and _subsequence(a, b):
            return k
    return None


def _subsequence(a: str, b: str) -> bool:
    """Whether the letters of `a` appear in `b` in order (`unsecuredamt` in `unsecuredamount`)."""
    it = iter(b)
    return all(c in it for c in a)


@dataclass(frozen=True)
class Match:
    """How one typed name was taken."""

    typed: str
    name: str | None  # the format's name it was taken as (None: not taken)
    suggestion: str | None = None  # refused: the name it is near

    @property
    def refused(self) -> bool:
        return self.name is None and self.suggestion is not None

    @property
    def ignored(self) -> bool:
        return self.name is None and self.suggestion is None


def match(typed: object, known, present=()) -> Match:
    """Take `typed` as one of `known`: recognised, refused (near one not in `present`) or ignored."""
    text = str(typed)
    n = normal(text)
    by_normal = {normal(k): k for k in known}
    if n in by_normal:
        return Match(text, by_normal[n])
    missing = [k for k in known if k not in present]
    suggestion = near(n, missing)
    return Match(text, None, suggestion)


def did_you_mean(what: str, m: Match, known) -> str:
    return (f"{what} '{m.typed}' is not a name of the book format; did you mean '{m.suggestion}'? "
            f"(rename it; names are matched ignoring case and surrounding spaces)")
