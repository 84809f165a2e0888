"""Money: exact amounts in integer cents, the text of an amount, formatting, and directed rounding.

Design
======

Money is exact.  Inside the engine an amount is an integer number of cents
held in ``numpy.int64`` (range +/-92 quadrillion dollars); at the edges
(JSON, reports) it is a fixed two-place string.  Float arithmetic is never
used to compute a money value.  The only places a float is touched are
marked ``# float-ok`` with the reason it is safe.

The text of an amount
---------------------
One grammar (`AmountGrammar`; `MONEY_TEXT` for dollars, `PCT_TEXT` for
percentages) says what an amount written as text is; `text_units` applies it
to one string.  Accepted: ``1234.5``, ``1,234.50`` (proper 3-digit grouping
only), ``$1,234.50``, ``-$1,234.50``, ``$-1,234.50``, ``(1,234.50)``,
``($1,234.50)``, ``$(1,234.50)``, ``+12``, ``.5``, ``5.``, surrounding
whitespace, and trailing zeros beyond the scale (``1.000``).  Scientific
notation (``1e3``, ``1.23457E+11``) is refused: nobody types an amount so,
but a spreadsheet writes a number it *shows* that way to a CSV rounded to
what it shows (six digits), so the text would be a rounded amount taken as
exact.  The percentage grammar accepts an optional trailing ``%``
instead of ``$``.  The book's cell reader (`reserve.book.cells`, which reads
whole columns of any type, vectorised) and `parse_decimal_text` (one amount
typed on the command line or read back from a report) both use it, so they
cannot disagree.

Formatting
----------
``format_cents`` writes the JSON form (``-1234.50``), ``format_display`` the
form people read (``1,234.50``, negatives in parentheses), ``format_dollars``
(and ``format_dollars_column`` for a whole column) the form inside a sentence
(``$1,234.50``, ``-$1,234.50``); all are exact for
any Python int.

Directed rounding
-----------------
``share(amount, num, den, effect)`` computes ``amount * num / den`` exactly and rounds
the fraction of a cent toward the higher reserve requirement: the caller names the
amount's effect on the requirement (``Effect.REDUCES_DEBITS``, ``Effect.CAPS_DEPOSIT``,
...), never a direction. It works on Python ints (unbounded) or int64 arrays (``num`` and
``den`` may be arrays), splitting ``amount = q*den + r`` so no intermediate exceeds int64
and doing any element that could overflow in Python integers; out-of-range results raise
``OverflowError`` instead of wrapping. It is the only rounding of money in the program.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, Literal, NamedTuple, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "AmountGrammar",
    "MONEY_TEXT",
    "PCT_TEXT",
    "decimal_units",
    "text_units",
    "format_cents",
    "format_display",
    "parse_decimal_text",
    "Effect",
    "share",
    "MONEY_SCALE",
    "PCT_SCALE",
    "PCT_ONE_HUNDRED",
]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
MONEY_SCALE = 2  # cents
PCT_SCALE = 4  # 1/10,000 of a percent
PCT_ONE_HUNDRED = 100 * 10**PCT_SCALE  # 100 % in percentage units

MSG_NAN = "not a number"
MSG_INF = "not a finite number"
MSG_LARGE = "too large"
MSG_RANGE = "must be between 0 and 100"
MSG_EXPONENT = ("scientific notation: a spreadsheet writes a number it shows as 1.23457E+11 to text rounded to what "
                "it shows, so the amount may not be exact; write it in full (format the column as a number and export "
                "again)")

#: An integer amount (cents) or ratio term: a Python or numpy integer (never a bool).
IntScalar = int | np.integer[Any]
#: An array of integer amounts; `share` gives int64 arrays.
IntArray = npt.NDArray[np.int64]


# --------------------------------------------------------------------------
# The text of an amount
# --------------------------------------------------------------------------

class AmountGrammar(NamedTuple):
    scale: int
    money: bool
    py_re: re.Pattern[str]
    arrow_re: str
    max_int_digits: int  # integer-part digits the vectorised text path may take

    @property
    def dp_msg(self) -> str:
        return f"more than {self.scale} decimal places"


def _text_pattern(money: bool) -> str:
    """The accepted text grammar (ASCII only; caller strips outer whitespace)."""
    cur1 = r"(?P<c1>\$)?" if money else ""
    cur2 = r"(?P<c2>\$)?[ ]*" if money else ""
    pct = "" if money else r"(?:[ ]*(?P<pc>%))?"
    return (
        r"(?P<s1>[-+])?" + cur1 + r"[ ]*(?P<lp>\()?[ ]*" + cur2 + r"(?P<s2>[-+])?"
        r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]*)(?:\.(?P<frac>[0-9]*))?"
        r"(?:[eE](?P<exp>[-+]?[0-9]+))?" + pct + r"[ ]*(?P<rp>\))?"
    )


def _make_grammar(scale: int, money: bool) -> AmountGrammar:
    pat = _text_pattern(money)
    return AmountGrammar(scale, money, re.compile(pat), "^" + pat + "$", 18 - scale)


MONEY_TEXT = _make_grammar(MONEY_SCALE, True)
PCT_TEXT = _make_grammar(PCT_SCALE, False)


def decimal_units(d: Decimal, scale: int) -> tuple[int | None, str | None]:
    """Exact Decimal -> integer units of 10**-scale, or (None, message)."""
    if not d.is_finite():
        return None, MSG_NAN
    if d.is_zero():
        return 0, None
    if d.adjusted() + scale >= 19:  # |units| >= 10**19 > int64
        return None, MSG_LARGE
    sign, digits, exp = d.as_tuple()
    assert isinstance(exp, int)  # a finite Decimal's exponent (NaN and infinity were refused above)
    coef = "".join(map(str, digits))
    sig = coef.rstrip("0")  # trailing zeros never matter ("1.000" is 100 cents)
    e = exp + len(coef) - len(sig) + scale
    if e < 0:  # last nonzero digit lies below the smallest unit
        return None, f"more than {scale} decimal places"
    units = int(sig) * 10**e  # sig has <= 19 digits here (magnitude checked above)
    if sign:
        units = -units
    if not INT64_MIN <= units <= INT64_MAX:
        return None, MSG_LARGE
    return units, None



def text_units(s: str, spec: AmountGrammar) -> tuple[int | None, str | None, bool]:
    """Per-element text rule -> (units, message, is_blank)."""
    t = s.strip()
    if not t:
        return None, None, True
    m = spec.py_re.fullmatch(t)
    if m is None:
        if spec.py_re.fullmatch(t.replace(",", "")) is not None:
            return None, "misplaced thousands separator", False
        return None, MSG_NAN, False
    g = m.groupdict()
    if bool(g["lp"]) != bool(g["rp"]):
        return None, "unbalanced parentheses", False
    signs = [x for x in (g["s1"], g["s2"]) if x]
    if len(signs) > 1:
        return None, "more than one sign", False
    if g["lp"] and signs:
        return None, "both parentheses and a sign", False
    if spec.money and g["c1"] and g["c2"]:
        return None, "more than one $", False
    ip = (g["int"] or "").replace(",", "")
    fp = g["frac"] or ""
    if not ip and not fp:
        return None, MSG_NAN, False
    exp = g["exp"]
    if exp and "," in (g["int"] or ""):
        return None, MSG_NAN, False
    if exp is not None:
        return None, MSG_EXPONENT, False
    try:
        d = Decimal(f"{ip or '0'}.{fp or '0'}e{exp or '0'}")
    except (InvalidOperation, ValueError):
        return None, MSG_NAN, False
    units, msg = decimal_units(d, spec.scale)
    if units is None:
        return None, msg, False
    if "-" in signs or g["lp"]:
        units = -units
    return units, None, False



# --------------------------------------------------------------------------
# Formatting, and reading back one amount
# --------------------------------------------------------------------------

def _check_int(x: object) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"expected integer cents, got {type(x).__name__}")
    return int(x)



# Formatting is exact for any Python int (a line total beyond int64 must still print, never
# raise): Python's int -> str conversion refuses more than 4,300 digits, so above that size the
# digits come from Decimal, whose conversion of an int is exact and unlimited.
_STR_DIGITS_SAFE_BITS = 4000 * 3  # 2**12000 has 3,613 digits: well below the 4,300-digit limit


def _digits(q: int, grouped: bool = False) -> str:
    """Decimal digits of q >= 0, exact for any size; with thousands separators when grouped."""
    if q.bit_length() < _STR_DIGITS_SAFE_BITS:
        return f"{q:,}" if grouped else str(q)
    d = Decimal(q)  # exact: an int converts to Decimal without rounding or size limit
    return f"{d:,}" if grouped else str(d)


def format_cents(cents: IntScalar) -> str:
    """Integer cents -> '1234567.89' / '-0.05' / '0.00' (JSON form); exact for any int."""
    c = _check_int(cents)
    q, r = divmod(abs(c), 100)
    return f"{'-' if c < 0 else ''}{_digits(q)}.{r:02d}"


def format_display(cents: IntScalar) -> str:
    """Integer cents -> '1,234,567.89'; negatives in parentheses '(1,234.50)'; exact for any int."""
    c = _check_int(cents)
    q, r = divmod(abs(c), 100)
    body = f"{_digits(q, grouped=True)}.{r:02d}"
    return f"({body})" if c < 0 else body


def format_dollars(cents: IntScalar) -> str:
    """Integer cents -> '$1,234.56', '-$1,234.56' below zero: the form of an amount inside a
    sentence (findings and reasons); exact for any int."""
    c = _check_int(cents)
    return f"-${format_display(-c)}" if c < 0 else f"${format_display(c)}"


def format_dollars_column(cents: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Many int64 amounts at once -> '$1,234.56' texts, as `format_dollars` writes each one
    (integer arithmetic and Arrow string kernels: thousands separators are put in on the
    reversed digits; no Python loop per amount)."""
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


# The two forms format_cents and format_display write, at any size (the general grammar below
# bounds amounts to int64 cents, as book amounts are; a report's own totals are not).
_WRITTEN_FORM = re.compile(r"(?P<neg>-)?(?P<int>\d+)\.(?P<frac>\d\d)|\((?P<pint>\d{1,3}(?:,\d{3})*)\.(?P<pfrac>\d\d)\)"
                           r"|(?P<gint>\d{1,3}(?:,\d{3})*)\.(?P<gfrac>\d\d)")


def _written_form_units(text: str) -> int | None:
    m = _WRITTEN_FORM.fullmatch(text.strip())
    if m is None:
        return None
    if m["int"] is not None:
        digits, sign = m["int"] + m["frac"], -1 if m["neg"] else 1
    elif m["pint"] is not None:
        digits, sign = m["pint"].replace(",", "") + m["pfrac"], -1
    else:
        digits, sign = m["gint"].replace(",", "") + m["gfrac"], 1
    return sign * int(Decimal(digits))  # Decimal: exact, and no limit on the number of digits


def parse_decimal_text(text: str) -> int:
    """One text amount -> integer cents; ValueError (with reason) if blank/invalid.

    Accepts the money grammar of the module docstring (bounded to int64 cents) and, at any
    size, the forms `format_cents` and `format_display` write -- so a report's own figures
    read back exactly however large they are."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    units, msg, is_blank = text_units(text, MONEY_TEXT)
    if is_blank:
        raise ValueError("invalid amount: blank")
    if units is None:
        if msg == MSG_LARGE:
            big = _written_form_units(text)
            if big is not None:
                return big
        raise ValueError(f"invalid amount {text!r}: {msg}")
    return units



# --------------------------------------------------------------------------
# Directed rounding: every percentage, share and cap of the formula
# --------------------------------------------------------------------------
#
# Where a percentage produces a fraction of a cent, round in the direction
# that increases the reserve requirement -- worked out from the amount's *effect*, not its
# name. So the caller does not choose "up" or "down": it says what the amount does to the
# requirement (`Effect`), and `share` rounds the exact fraction accordingly (reading:
# rounding).


class Effect(Enum):
    """What an amount computed from a fraction does to the reserve requirement; it decides
    which way the fraction of a cent is rounded (the way that gives the higher requirement)."""

    ADDS_TO_CREDITS = ("up", "adds to total credits")
    REDUCES_CREDITS = ("down", "is taken off total credits")
    ADDS_TO_DEBITS = ("down", "adds to total debits (e.g. a Note E(1) reduction given back to Item 10)")
    REDUCES_DEBITS = ("up", "reduces total debits: a debit reduction (1%, 2%, 3%) or an exclusion from debits "
                            "(a Note E(6) share)")
    REDUCES_A_DEBIT_REDUCTION = ("down", "is taken off a debit before a later reduction is measured on it, so a larger "
                                         "amount makes that reduction smaller (the Note E(1) share before Note E(5))")
    THRESHOLD = ("down", "is a threshold above which debits are reduced (Note E(1) 15%, Note E(5) 25%): a lower "
                         "threshold reduces more")
    CAPS_DEPOSIT = ("down", "caps, or is a share of, what counts on deposit in a reserve bank account "
                            "(Rule 15c3-3(e)(5) 15% and its pro-rata shares)")
    ADDS_TO_REQUIREMENT = ("up", "is the required deposit itself (105% of a monthly excess)")
    NOT_MORE_THAN = ("down", "is a cap the rule words 'not more than' and that feeds both sides of a test "
                             "(Note E(1) 140%): the rule's words decide")
    NET_CAPITAL_DEDUCTION = ("up", "is deducted from net worth in computing net capital, not a reserve amount "
                                   "(Rule 15c3-1(a)(1)(ii)(D) 1%): a larger deduction is the conservative one")

    @property
    def rounds_up(self) -> bool:
        return self.value[0] == "up"

    @property
    def says(self) -> str:
        return self.value[1]



@overload
def share(amount: IntScalar, num: IntScalar, den: IntScalar, effect: Effect, *,
          remainder: Literal[False] = False) -> int: ...
@overload
def share(amount: IntScalar, num: IntScalar, den: IntScalar, effect: Effect, *,
          remainder: Literal[True]) -> tuple[int, int]: ...
@overload
def share(amount: npt.NDArray[np.integer[Any]], num: IntScalar | npt.NDArray[np.integer[Any]],
          den: IntScalar | npt.NDArray[np.integer[Any]], effect: Effect, *,
          remainder: Literal[False] = False) -> IntArray: ...
@overload
def share(amount: npt.NDArray[np.integer[Any]], num: IntScalar | npt.NDArray[np.integer[Any]],
          den: IntScalar | npt.NDArray[np.integer[Any]], effect: Effect, *,
          remainder: Literal[True]) -> tuple[IntArray, IntArray]: ...
def share(amount: Any, num: Any, den: Any, effect: Effect, *, remainder: bool = False) -> Any:
    """Exact ``amount * num / den``, its fraction of a cent rounded the way `effect` says
    (toward the higher reserve requirement).

    Scalars (Python or numpy integers) give a Python int (unbounded). Arrays (int64, or any
    integer array-likes; `num` and `den` may be arrays too, broadcast against `amount`) give
    an int64 array, computed without overflow (``amount = q*den + r`` so no intermediate
    exceeds int64; elements that could overflow are done in Python integers) and raising
    OverflowError when a result does not fit int64. A pandas Series `amount` gives a Series.

    With ``remainder=True`` also returns what the rounding left: ``amount*num - result*den``
    (in units of 1/den; in [0, den) when rounded down, in (-den, 0] when rounded up; `den`
    must then be positive) -- for spreading the cents a share leaves over largest remainders.
    """
    if not isinstance(effect, Effect):
        raise TypeError(f"effect must be a money.Effect, got {effect!r}")
    return _ratio(amount, num, den, effect.rounds_up, remainder)



def _is_int_scalar(x: object) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _ratio_py(a: int, n: int, d: int, up: bool) -> tuple[int, int]:
    """(result, remainder) on Python integers: a*n = result*d + remainder."""
    if d == 0:
        raise ZeroDivisionError("ratio denominator is zero")
    if d < 0:
        n, d = -n, -d
    q, r = divmod(a * n, d)  # floor; 0 <= r < d
    if up and r:
        q, r = q + 1, r - d
    return q, r


def _int_array(x: Any) -> npt.NDArray[Any]:
    """An integer array-like -> int64 array, or an object array of Python ints when some
    value does not fit int64; anything that is not integers is a TypeError."""
    a = np.asarray(x.to_numpy() if isinstance(x, pd.Series) else x)
    if a.dtype.kind == "i":
        return a.astype(np.int64, copy=False)
    if a.dtype.kind == "u":
        if (a > INT64_MAX).any():
            raise OverflowError("cents exceed int64")
        return a.astype(np.int64)
    if a.dtype.kind == "O":
        vals = [_check_int(v) for v in a.ravel().tolist()]
        if all(INT64_MIN <= v <= INT64_MAX for v in vals):
            return np.array(vals, dtype=np.int64).reshape(a.shape)
        return np.array(vals, dtype=object).reshape(a.shape)
    raise TypeError(f"expected integer cents, got dtype {a.dtype}")


def _ratio(amount: Any, num: Any, den: Any, up: bool, want_remainder: bool) -> Any:
    q: Any  # a Python int, an int64 array or a Series, as the inputs are
    r: Any
    if all(_is_int_scalar(v) for v in (amount, num, den)):
        q, r = _ratio_py(int(amount), int(num), int(den), up)
        return (q, r) if want_remainder else q
    for v in (amount, num, den):
        if isinstance(v, (float, bool, np.floating, np.bool_, Decimal)):
            raise TypeError(f"expected integer cents, got {type(v).__name__}")
    index = amount.index if isinstance(amount, pd.Series) else None
    if _is_int_scalar(num) and _is_int_scalar(den):
        a = _int_array(amount)
        if a.dtype == np.int64 and a.ndim:
            fast = _ratio_scalar_fast(a, int(num), int(den), up, want_remainder)
            if fast is not None:
                q, r = fast
                if index is not None:
                    q, r = pd.Series(q, index=index, name=amount.name), pd.Series(r, index=index, name=amount.name)
                return (q, r) if want_remainder else q
    a, n, d = np.broadcast_arrays(_int_array(amount), _int_array(num), _int_array(den))
    if a.ndim == 0:
        q, r = _ratio_py(int(a), int(n), int(d), up)
        return (q, r) if want_remainder else q
    if (d == 0).any():
        raise ZeroDivisionError("ratio denominator is zero")
    if a.dtype == object or n.dtype == object or d.dtype == object:
        q, r = _ratio_slow(a, n, d, up, np.ones(a.shape, dtype=bool), np.zeros(a.shape, np.int64),
                           np.zeros(a.shape, np.int64), want_remainder)
    else:
        q, r = _ratio_int64(a, n, d, up, want_remainder)
    if index is not None:
        qs, rs = pd.Series(q, index=index, name=amount.name), pd.Series(r, index=index, name=amount.name)
        return (qs, rs) if want_remainder else qs
    return (q, r) if want_remainder else q


def _ratio_scalar_fast(a: IntArray, n: int, d: int, up: bool, need_r: bool) -> tuple[IntArray, IntArray] | None:
    """One ratio for a whole int64 array (a percentage): a single multiply and floor division
    when every product a*n fits int64 -- the common case -- else None (the general path)."""
    if d == 0:
        raise ZeroDivisionError("ratio denominator is zero")
    if d < 0:
        n, d = -n, -d
    g = math.gcd(n, d)
    n, d = n // g, d // g
    if not len(a):
        z = np.zeros(a.shape, np.int64)
        return z, z.copy()
    biggest = max(abs(int(a.max())), abs(int(a.min())))
    if biggest * abs(n) > INT64_MAX or d > INT64_MAX:
        return None
    prod = a * n  # |prod| <= INT64_MAX: exact, and -prod cannot wrap
    q = -((-prod) // d) if up else prod // d
    # the remainder in units of 1/den as given (before the gcd reduction)
    return q, ((prod - q * d) * g if need_r else np.zeros(a.shape, np.int64))


def _ratio_slow(a: npt.NDArray[Any], n: npt.NDArray[Any], d: npt.NDArray[Any], up: bool, mask: npt.NDArray[np.bool_],
                q: IntArray, r: IntArray, need_r: bool) -> tuple[IntArray, IntArray]:
    """Python integers for the elements in `mask` (those that could overflow int64)."""
    for i in zip(*np.nonzero(mask), strict=True):
        qi, ri = _ratio_py(int(a[i]), int(n[i]), int(d[i]), up)
        if not INT64_MIN <= qi <= INT64_MAX:
            raise OverflowError("ratio result exceeds int64")
        if not INT64_MIN <= ri <= INT64_MAX:
            if need_r:
                raise OverflowError("ratio remainder exceeds int64")
            ri = 0
        q[i], r[i] = qi, ri
    return q, r


def _ratio_int64(a0: np.ndarray, n0: np.ndarray, d0: np.ndarray, up: bool,
                 need_r: bool) -> tuple[np.ndarray, np.ndarray]:
    # a*n/d = (-a)*(-n)/d = a*(-n)/(-d): make d > 0 and n >= 0. A sign flip of INT64_MIN
    # would wrap, so those elements go to Python integers on the operands as given.
    slow = (a0 == INT64_MIN) | (n0 == INT64_MIN) | (d0 == INT64_MIN)
    neg_d = d0 < 0
    n = np.where(neg_d, -n0, n0)
    d = np.where(neg_d, -d0, d0)
    neg_n = n < 0
    a = np.where(neg_n, -a0, a0)
    n = np.where(neg_n, -n, n)
    q, r = np.divmod(a, np.where(slow, 1, d))  # a = q*d + r, 0 <= r < d
    n1 = np.maximum(n, 1)
    # r*n <= (d-1)*n must fit int64, and so must q*n + (n-1); elements where either could
    # overflow are done in Python integers.
    slow |= (d - 1) > INT64_MAX // n1
    lo = -(INT64_MAX // n1 + ((INT64_MAX % n1) == n1 - 1))  # ceil(INT64_MIN / n)
    slow |= (q > (INT64_MAX - (n1 - 1)) // n1) | (q < lo)
    q2, r2 = np.divmod(np.where(slow, 0, r) * np.where(slow, 0, n), np.where(slow, 1, d))
    res = np.where(slow, 0, q * n + q2)
    if up:
        bump = (r2 != 0) & ~slow
        if (res[bump] == INT64_MAX).any():
            raise OverflowError("ratio result exceeds int64")
        res = res + bump
        r2 = r2 - np.where(bump, d, 0)
    res, r2 = res.astype(np.int64), r2.astype(np.int64)
    if slow.any():
        res, r2 = _ratio_slow(a0, n0, d0, up, slow, res, r2, need_r)
    return res, r2



# ------------------------------------------------------------------ variance threshold
#
# The book's `variance_threshold` parameter (issue 14 item 2): above it, a line's change since
# the previous report needs a reviewer's comment. Written as an amount ("250000", "$250,000.00"),
# a percent ("5%"), or both joined by "or" (either is enough) or "and" (both must be passed).
# Compared exactly: cents and 1/10,000 % as integers, never a float.


@dataclass(frozen=True)
class VarianceThreshold:
    amount: int | None  # cents: a change of more than this
    percent: int | None  # 1/10,000 %: a change of more than this share of the prior amount
    both: bool = False  # "and": both must be passed; otherwise either

    def exceeded(self, prior: int, change: int) -> bool:
        """Is a change of `change` cents from `prior` cents above the threshold? A change of
        0 never is; from a prior of 0 any other change passes any percent."""
        if change == 0:
            return False
        over_amount = self.amount is not None and abs(change) > self.amount
        over_percent = self.percent is not None and abs(change) * PCT_ONE_HUNDRED > self.percent * abs(prior)
        if self.amount is not None and self.percent is not None:
            return (over_amount and over_percent) if self.both else (over_amount or over_percent)
        return over_amount or over_percent

    def text(self) -> str:
        parts = []
        if self.amount is not None:
            parts.append(format_cents(self.amount))
        if self.percent is not None:
            whole, frac = divmod(self.percent, 10**PCT_SCALE)
            parts.append(f"{whole}" + (f".{frac:0{PCT_SCALE}d}".rstrip("0") if frac else "") + "%")
        return (" and " if self.both else " or ").join(parts)


VARIANCE_THRESHOLD_FORMS = "an amount (250000), a percent (5%), or both joined by 'or' or 'and' (250000 or 5%)"


def parse_variance_threshold(text: str) -> VarianceThreshold:
    """The `variance_threshold` parameter's text -> VarianceThreshold; ValueError saying why."""
    words = str(text).strip()
    m = re.fullmatch(r"(.+?)\s+(or|and)\s+(.+)", words, flags=re.IGNORECASE)
    pieces, both = ([m.group(1), m.group(3)], m.group(2).lower() == "and") if m else ([words], False)
    amount = percent = None
    for piece in pieces:
        piece = piece.strip()
        if piece.endswith("%"):
            if percent is not None:
                raise ValueError("gives two percents")
            units, msg, blank = text_units(piece[:-1].strip(), PCT_TEXT)
            if blank or units is None:
                raise ValueError(f"{piece!r} is not a percent ({msg or 'blank'})")
            if units <= 0:
                raise ValueError(f"{piece!r}: a percent threshold must be more than 0%")
            percent = units
        else:
            if amount is not None:
                raise ValueError("gives two amounts")
            try:
                amount = parse_decimal_text(piece)
            except ValueError as exc:
                raise ValueError(f"{piece!r} is not an amount ({exc})") from None
            if amount < 0:
                raise ValueError(f"{piece!r}: an amount threshold cannot be negative")
    return VarianceThreshold(amount, percent, both)
