"""Exact money and percentage parsing, formatting and ratio arithmetic.

Design
======

Money is exact.  Inside the engine an amount is an integer number of cents
held in ``numpy.int64`` (range +/-92 quadrillion dollars); at the edges
(JSON, reports) it is a ``decimal.Decimal`` or a fixed two-place string.
Float arithmetic is never used to compute a money value.  The only places a
float is touched are marked ``# float-ok`` with the reason it is safe.

Parsing (``parse_money`` / ``parse_pct``)
----------------------------------------
Both take a whole column (pandas Series/Index/ExtensionArray, numpy array,
pyarrow Array/ChunkedArray, or a list) and return a :class:`Parsed` of
positionally aligned arrays: ``values`` (int64 units, 0 where blank or bad),
``blank`` (empty cell), ``bad`` (present but invalid) and ``why``
(position -> short message, bad positions only).  Money units are cents;
percentage units are 1/10,000 of a percent (``12.5`` -> ``125000``,
``100`` -> ``1000000``) and must lie in 0..100.

Every input kind has a vectorised fast path for the common case and a
per-element Python fallback (the *definition* of the rules) for rare values:

* **float64** (Excel numeric cells; NaN = blank; # float-ok: input only).  Fast path: the candidate
  ``c = rint(x * 10**scale)`` is accepted when ``|c| < 2**52`` and
  ``c / 10**scale == x`` exactly.  IEEE division is correctly rounded, so
  equality proves ``x`` is *the* double nearest to the decimal
  ``c / 10**scale``; below 2**52 units two different cent values can never
  map to the same double, so this is exactly "the shortest repr of ``x`` has
  at most 2 (4) decimals" and ``c`` is its value.  No rounding of the float
  takes place; the float is only used to *propose* an integer that is then
  verified.  Everything else (finite) goes to ``_float_slow``:

  1. ``Decimal(repr(x))`` (shortest round-trip text) with <= scale decimals
     is accepted (above 2**52 units it must also equal the exact binary
     value, because there several cent values share one double);
  2. otherwise ``Decimal(format(x, '.15g'))`` - Excel shows 15 significant
     digits, which strips binary noise such as ``0.1 + 0.2 ==
     0.30000000000000004`` -> 0.30 - is accepted if it has <= scale decimals
     *and* is within half a unit of the exact binary value (so the 15-digit
     form can never move an amount by a cent or more at huge magnitudes);
  3. otherwise bad, "more than 2 decimal places (found <repr>)".

  So ``2.675`` (a genuine 3-decimal value although stored as 2.67499999...)
  is bad, ``0.07`` and ``1234567890123.45`` are exact, ``-0.0`` is 0,
  +/-inf is bad, and values beyond int64 cents are "too large".
  Caveat: noise around zero (``0.1 + 0.2 - 0.3 == 5.55e-17``) has no
  2-decimal 15-digit form and is reported bad rather than guessed to be 0.
  float32/float16 inputs use their own shortest repr (no noise step).
* **integers** (whole dollars / whole percent): ``v * 10**scale`` with an
  overflow check.  Nullable Int64 / arrow nulls are blank.
* **bool**: bad, "not a number".
* **decimal** (pyarrow decimal32/64/128/256, Python ``Decimal``): exact; a
  nonzero digit beyond the scale is bad.  decimal128 is read straight from
  the Arrow buffer (unscaled int64 when it fits).
* **text**: one grammar (``_text_pattern``) used by both the Arrow RE2
  vectorised path and the Python fallback, so they cannot disagree.  Accepted:
  ``1234.5``, ``1,234.50`` (proper 3-digit grouping only), ``$1,234.50``,
  ``-$1,234.50``, ``$-1,234.50``, ``(1,234.50)``, ``($1,234.50)``,
  ``$(1,234.50)``, ``+12``, ``.5``, ``5.``, surrounding whitespace, trailing
  zeros beyond the scale (``1.000``), and scientific notation only when the
  result is a whole number of units (``1e3`` ok, ``1e-3`` bad).  ``parse_pct``
  accepts an optional trailing ``%`` instead of ``$``.  NaN/inf text is
  "not a number".  Whitespace-only text is blank.
* **object** columns are split by element type; str/float/int groups go
  through the vectorised paths above, the rest (None/NA/NaT = blank,
  Decimal, datetime = bad, ...) element by element.

Arithmetic
----------
``share(amount, num, den, effect)`` computes ``amount * num / den`` exactly and rounds
the fraction of a cent toward the higher reserve requirement: the caller names the
amount's effect on the requirement (``Effect.REDUCES_DEBITS``, ``Effect.CAPS_DEPOSIT``,
...), never a direction. It works on Python ints (unbounded) or int64 arrays (``num`` and
``den`` may be arrays), splitting ``amount = q*den + r`` so no intermediate exceeds int64
and doing any element that could overflow in Python integers; out-of-range results raise
``OverflowError`` instead of wrapping. ``mul_ratio(cents, num, den, rounding)`` and
``percent_of(cents, n, d, rounding)`` are the same arithmetic with an explicit direction
('up' = toward +inf, 'down' = toward -inf); with a ``parse_pct`` value ``p`` use
``percent_of(cents, p, 10_000, rounding)``.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Parsed",
    "parse_money",
    "parse_pct",
    "to_decimal",
    "format_cents",
    "format_display",
    "parse_decimal_text",
    "Effect",
    "share",
    "mul_ratio",
    "percent_of",
    "MONEY_SCALE",
    "PCT_SCALE",
    "PCT_ONE_HUNDRED",
]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
MONEY_SCALE = 2  # cents
PCT_SCALE = 4  # 1/10,000 of a percent
PCT_ONE_HUNDRED = 100 * 10**PCT_SCALE  # 100 % in parse_pct units

_UNIQUE_UNITS = 2**52  # below this many units each double maps to one unit value

MSG_NAN = "not a number"
MSG_INF = "not a finite number"
MSG_LARGE = "too large"
MSG_RANGE = "must be between 0 and 100"


class Parsed(NamedTuple):
    values: np.ndarray  # int64; units (cents for money), 0 where blank or bad
    blank: np.ndarray  # bool; empty/None/NaN/whitespace-only
    bad: np.ndarray  # bool; present but invalid
    why: dict[int, str]  # position -> short message, bad positions only


class _Spec(NamedTuple):
    scale: int
    money: bool
    py_re: re.Pattern
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


def _make_spec(scale: int, money: bool) -> _Spec:
    pat = _text_pattern(money)
    return _Spec(scale, money, re.compile(pat), "^" + pat + "$", 18 - scale)


_MONEY = _make_spec(MONEY_SCALE, True)
_PCT = _make_spec(PCT_SCALE, False)


# --------------------------------------------------------------------------
# Scalar rules (the definition; the vectorised paths are accelerators)
# --------------------------------------------------------------------------

def _decimal_units(d: Decimal, scale: int) -> tuple[int | None, str | None]:
    """Exact Decimal -> integer units of 10**-scale, or (None, message)."""
    if not d.is_finite():
        return None, MSG_NAN
    if d.is_zero():
        return 0, None
    if d.adjusted() + scale >= 19:  # |units| >= 10**19 > int64
        return None, MSG_LARGE
    sign, digits, exp = d.as_tuple()
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


def _unit_text(scale: int) -> str:
    return "0." + "0" * (scale - 1) + "1" if scale > 0 else "1"


def _float_slow(x: float, spec: _Spec) -> tuple[int | None, str | None]:
    """Per-element rule for a finite or infinite float64 (NaN is handled by caller)."""  # float-ok
    if math.isinf(x):
        return None, MSG_INF
    scale = spec.scale
    unique = abs(x) < _UNIQUE_UNITS / 10**scale  # float-ok: magnitude test only; both sides of the bound are handled exactly
    r = repr(x)
    units, msg = _decimal_units(Decimal(r), scale)
    if units is not None:
        if unique:
            return units, None
        n, d = x.as_integer_ratio()  # exact binary value n/d
        if n * 10**scale == units * d:
            return units, None
        return None, f"too large to be exact to {_unit_text(scale)} (found {r})"
    if msg == MSG_LARGE:
        return None, msg
    if unique:
        units, _ = _decimal_units(Decimal(format(x, ".15g")), scale)  # float-ok: formatting, not arithmetic
        if units is not None:
            n, d = x.as_integer_ratio()
            if 2 * abs(n * 10**scale - units * d) < d:  # within half a unit of the exact value
                return units, None
    return None, f"{spec.dp_msg} (found {r})"


def _small_float_slow(x: np.floating, spec: _Spec) -> tuple[int | None, str | None]:
    """float16/float32/longdouble: shortest repr in its own precision, exact."""
    if np.isinf(x):
        return None, MSG_INF
    text = str(x)  # numpy prints the shortest round-trip digits for its own type
    units, msg = _decimal_units(Decimal(text), spec.scale)
    if units is None:
        return None, msg if msg == MSG_LARGE else f"{spec.dp_msg} (found {text})"
    mant = np.finfo(x.dtype).nmant
    if abs(units) >= 2**mant:  # ambiguous region: must be the exact binary value
        n, d = x.as_integer_ratio()
        if n * 10**spec.scale != units * d:
            return None, f"too large to be exact (found {text})"
    return units, None


def _text_slow(s: str, spec: _Spec) -> tuple[int | None, str | None, bool]:
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
    try:
        d = Decimal(f"{ip or '0'}.{fp or '0'}e{exp or '0'}")
    except (InvalidOperation, ValueError):
        return None, MSG_NAN, False
    units, msg = _decimal_units(d, spec.scale)
    if units is None:
        return None, msg, False
    if "-" in signs or g["lp"]:
        units = -units
    return units, None, False


_DATE_TYPES = (_dt.date, _dt.time, _dt.timedelta, np.datetime64, np.timedelta64)


def _scalar_slow(v, spec: _Spec) -> tuple[int | None, str | None, bool]:
    """Any single Python/numpy value -> (units, message, is_blank)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None, None, True
    if isinstance(v, (bool, np.bool_)):
        return None, MSG_NAN, False
    if isinstance(v, (int, np.integer)):
        units = int(v) * 10**spec.scale
        if not INT64_MIN <= units <= INT64_MAX:
            return None, MSG_LARGE, False
        return units, None, False
    if isinstance(v, float):  # includes np.float64  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
        if math.isnan(v):
            return None, None, True
        u, msg = _float_slow(float(v), spec)  # float-ok: unboxing a Python/np float64, no arithmetic
        return u, msg, False
    if isinstance(v, np.floating):
        if np.isnan(v):
            return None, None, True
        u, msg = _small_float_slow(v, spec)
        return u, msg, False
    if isinstance(v, Decimal):
        if v.is_nan():
            return None, MSG_NAN, False
        u, msg = _decimal_units(v, spec.scale)
        if u is None and msg == spec.dp_msg:
            msg = f"{msg} (found {v})"
        return u, msg, False
    if isinstance(v, str):
        return _text_slow(v, spec)
    if isinstance(v, (np.datetime64, np.timedelta64)) and np.isnat(v):
        return None, None, True
    if isinstance(v, _DATE_TYPES):
        return None, "not a number (date/time)", False
    return None, MSG_NAN, False


# --------------------------------------------------------------------------
# Column assembly helpers
# --------------------------------------------------------------------------

def _empty(n: int) -> Parsed:
    return Parsed(np.zeros(n, np.int64), np.zeros(n, bool), np.zeros(n, bool), {})


def _all_bad(blank: np.ndarray, msg: str) -> Parsed:
    blank = np.asarray(blank, dtype=bool)
    bad = ~blank
    return Parsed(np.zeros(len(blank), np.int64), blank, bad,
                  dict.fromkeys(np.flatnonzero(bad).tolist(), msg))


def _merge(out: Parsed, idx: np.ndarray, part: Parsed) -> None:
    out.values[idx] = part.values
    out.blank[idx] = part.blank
    out.bad[idx] = part.bad
    if part.why:
        for k, m in part.why.items():
            out.why[int(idx[k])] = m


def _apply_scalar(out: Parsed, i: int, res: tuple[int | None, str | None, bool]) -> None:
    units, msg, is_blank = res
    if is_blank:
        out.blank[i] = True
    elif units is None:
        out.bad[i] = True
        out.why[i] = msg
    else:
        out.values[i] = units


# --------------------------------------------------------------------------
# Vectorised paths
# --------------------------------------------------------------------------

def _parse_float64(x: np.ndarray, spec: _Spec) -> Parsed:  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
    x = np.asarray(x, dtype=np.float64)  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
    n = len(x)
    mult = float(10**spec.scale)  # float-ok: exact power of ten (<= 1e4)
    with np.errstate(over="ignore", invalid="ignore"):
        c = np.rint(x * mult)  # float-ok: only a candidate, verified exactly on the next line
        ok = (np.abs(c) < _UNIQUE_UNITS) & (c / mult == x)  # float-ok: IEEE division is correctly rounded -> exact proof
    c[~ok] = 0.0
    values = c.astype(np.int64)  # float-ok: integer-valued doubles below 2**52 convert exactly
    blank = np.isnan(x)
    bad = np.zeros(n, bool)
    why: dict[int, str] = {}
    for i in np.flatnonzero(~ok & ~blank).tolist():
        units, msg = _float_slow(float(x[i]), spec)  # float-ok: unboxing, no arithmetic
        if units is None:
            bad[i] = True
            why[i] = msg
        else:
            values[i] = units
    return Parsed(values, blank, bad, why)


def _parse_small_float(x: np.ndarray, spec: _Spec) -> Parsed:  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
    out = _empty(len(x))
    for i, v in enumerate(x):
        _apply_scalar(out, i, _scalar_slow(v, spec))
    return out


def _parse_ints(v: np.ndarray, spec: _Spec) -> Parsed:
    mult = 10**spec.scale
    lim = INT64_MAX // mult
    if v.dtype.kind == "u":
        ok = v <= lim
    else:
        v = v.astype(np.int64, copy=False)
        ok = (v <= lim) & (v >= -lim)
    values = np.where(ok, v, 0).astype(np.int64) * mult
    bad = ~ok
    return Parsed(values, np.zeros(len(v), bool), bad,
                  dict.fromkeys(np.flatnonzero(bad).tolist(), MSG_LARGE))


def _np(a: pa.Array) -> np.ndarray:
    return a.to_numpy(zero_copy_only=False)


_PLAIN_CHARS = b"0123456789.+-"
_PLAIN_MAX_LEN = 30  # Arrow's decimal parser misreads very long digit strings (e.g. "1." + 77 zeros -> 0)
_TEXT_CHUNK = 1 << 16


def _strict_pattern(spec_scale: int, money: bool) -> str:
    """Common formatted forms, all also accepted by ``_text_pattern`` with the same value."""
    num = (rf"(?:(?:[0-9]{{1,{18 - spec_scale}}}|[0-9]{{1,3}}(?:,[0-9]{{3}}){{1,4}})"
           rf"(?:\.[0-9]{{0,{spec_scale}}})?|\.[0-9]{{1,{spec_scale}}})")
    if money:
        return rf"^(?:[-+]?\$?{num}|\$[-+]{num}|\(\$?{num}\)|\$\({num}\))$"
    return rf"^(?:[-+]?{num}%?|\({num}%?\))$"


_STRICT = {True: _strict_pattern(MONEY_SCALE, True), False: _strict_pattern(PCT_SCALE, False)}


def _decimal128_low_words(d: pa.Array) -> np.ndarray:
    """Low 64 bits of each decimal128 slot (the whole value when precision <= 18)."""
    raw = np.frombuffer(d.buffers()[1], dtype=np.int64)
    return raw[2 * d.offset: 2 * (d.offset + len(d)): 2]


def _string_bytes(a: pa.Array) -> tuple[np.ndarray, memoryview]:
    """(offsets, data bytes) of a string/large_string array."""
    bufs = a.buffers()
    off_type = np.int64 if pa.types.is_large_string(a.type) else np.int32
    offs = np.frombuffer(bufs[1], dtype=off_type)[a.offset: a.offset + len(a) + 1]
    data = memoryview(bufs[2]) if bufs[2] is not None else memoryview(b"")
    return offs, data


def _parse_text_arrow(arr: pa.Array, spec: _Spec) -> Parsed:
    """Text column -> units, in three tiers (each a subset of the one grammar).

    1. Per chunk of 65,536 rows whose bytes are all ``0-9 . + -`` (so each
       row can only be ``[+-]digits[.digits]``): Arrow's exact
       string->decimal128(18, scale) cast.  It fails the whole chunk on
       anything else (``1.005`` would lose data, ``--5``, ``.``), and the
       chunk moves on.  Rows longer than 30 bytes also move on: Arrow
       silently misparses digit strings of ~77+ characters.
    2. Rows matching a strict regex of common formatted forms (``$1,234.50``,
       ``(1,234.50)``, ``-$5``...): strip ``, $ ( ) %``, same exact cast,
       negate parenthesised rows.
    3. Everything else: the full grammar (``_parse_text_regex``).
    """
    if pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
    n = len(arr)
    null = _np(arr.is_null())
    empty = ~null & (_np(pc.binary_length(arr).fill_null(0)) == 0)
    out = Parsed(np.zeros(n, np.int64), null | empty, np.zeros(n, bool), {})
    done = out.blank.copy()
    if n == 0:
        return out
    dec = pa.decimal128(18, spec.scale)
    if np.little_endian and not done.all():
        src = pc.if_else(pa.array(empty), "0", arr) if empty.any() else arr
        offs, data = _string_bytes(src)
        lens = np.diff(offs)
        for lo in range(0, n, _TEXT_CHUNK):
            hi = min(n, lo + _TEXT_CHUNK)
            if (done[lo:hi].all() or lens[lo:hi].max() > _PLAIN_MAX_LEN
                    or data[offs[lo]:offs[hi]].tobytes().translate(None, _PLAIN_CHARS)):
                continue
            try:
                d = pc.cast(src.slice(lo, hi - lo), dec)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            rows = ~done[lo:hi]
            out.values[lo:hi][rows] = _decimal128_low_words(d)[rows]
            done[lo:hi] = True
    rest = np.flatnonzero(~done)
    if not len(rest):
        return out
    trimmed = pc.ascii_trim_whitespace(arr if len(rest) == n else arr.take(pa.array(rest)))
    if np.little_endian:
        strict = _np(pc.match_substring_regex(trimmed, _STRICT[spec.money]).fill_null(False))
        if strict.any():
            sub = trimmed if strict.all() else trimmed.filter(pa.array(strict))
            _, data = _string_bytes(sub)
            raw = data.tobytes()
            clean = sub
            for ch in ",$()%":
                if ch.encode() in raw:
                    clean = pc.replace_substring(clean, ch, "")
            try:
                units = _decimal128_low_words(pc.cast(clean, dec)).copy()
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # pragma: no cover - grammar guarantees success
                strict[:] = False
            else:
                if b"(" in raw:
                    paren = _np(pc.match_substring(sub, "("))
                    units[paren] = -units[paren]
                out.values[rest[strict]] = units
                done[rest[strict]] = True
                trimmed = trimmed.filter(pa.array(~strict))
                rest = rest[~strict]
    if len(rest):
        _merge(out, rest, _parse_text_regex(trimmed, spec))
    return out


def _parse_text_regex(trimmed: pa.Array, spec: _Spec) -> Parsed:
    """Vectorised shared grammar on ASCII-trimmed text; odd rows per element."""
    n = len(trimmed)
    null = _np(trimmed.is_null())
    tlen = _np(pc.binary_length(trimmed).fill_null(0))
    m = pc.extract_regex(trimmed, spec.arrow_re)
    matched = _np(m.is_valid())

    def field(name: str) -> pa.Array:
        return pc.struct_field(m, name).fill_null("")

    def flen(a: pa.Array) -> np.ndarray:
        return _np(pc.binary_length(a))

    s1, s2, lp, rp = field("s1"), field("s2"), field("lp"), field("rp")
    has_s1, has_s2, has_lp, has_rp = flen(s1) > 0, flen(s2) > 0, flen(lp) > 0, flen(rp) > 0
    int_digits = pc.replace_substring(field("int"), ",", "")
    frac = field("frac")
    frac_trim = pc.utf8_rtrim(frac, characters="0")
    int_len = flen(int_digits)
    ok = (
        matched & (tlen > 0) & (has_lp == has_rp) & ~(has_s1 & has_s2)
        & ~(has_lp & (has_s1 | has_s2)) & ((int_len + flen(frac)) > 0)
        & (flen(field("exp")) == 0) & (int_len <= spec.max_int_digits)
        & (flen(frac_trim) <= spec.scale)
    )
    if spec.money:
        ok &= ~((flen(field("c1")) > 0) & (flen(field("c2")) > 0))
    ok_pa = pa.array(ok)
    int_s = pc.if_else(pc.and_(ok_pa, pa.array(int_len > 0)), int_digits, "0")
    ip = _np(pc.cast(int_s, pa.int64()))
    frac_s = pc.if_else(ok_pa, pc.utf8_rpad(frac_trim, width=spec.scale, padding="0"), "0")
    fp = _np(pc.cast(frac_s, pa.int64()))
    units = ip * (10**spec.scale) + fp
    neg = _np(pc.equal(s1, "-")) | _np(pc.equal(s2, "-")) | has_lp
    values = np.where(ok, np.where(neg, -units, units), 0).astype(np.int64)
    blank = null | (tlen == 0)
    out = Parsed(values, blank, np.zeros(n, bool), {})
    rest = np.flatnonzero(~ok & ~blank)
    if len(rest):
        strs = trimmed.take(pa.array(rest)).to_pylist()
        for i, s in zip(rest.tolist(), strs):
            _apply_scalar(out, i, _text_slow(s, spec))
    return out


def _parse_decimal_arrow(arr: pa.Array, spec: _Spec) -> Parsed:
    t = arr.type
    n = len(arr)
    null = _np(arr.is_null())
    out = _empty(n)
    out.blank[:] = null
    k = spec.scale
    if t.bit_width < 128 and t.precision <= 38:
        arr = arr.cast(pa.decimal128(t.precision, t.scale))
        t = arr.type
    if t.bit_width == 128 and n and np.little_endian:
        raw = np.frombuffer(arr.buffers()[1], dtype=np.int64)
        raw = raw[2 * arr.offset: 2 * (arr.offset + n)].reshape(n, 2)
        lo, hi = raw[:, 0], raw[:, 1]
        fits = hi == (lo >> 63)  # unscaled value fits in int64
        s = t.scale
        if s <= k:
            mult = 10 ** (k - s)
            lim = INT64_MAX // mult
            ok = fits & (lo <= lim) & (lo >= -lim)
            units = np.where(ok, lo, 0) * mult
        elif 10 ** (s - k) <= INT64_MAX:
            q, r = np.divmod(lo, 10 ** (s - k))
            ok = fits & (r == 0)
            units = q
        else:
            ok = fits & (lo == 0)
            units = np.zeros(n, np.int64)
        ok &= ~null
        out.values[ok] = units[ok]
        rest = np.flatnonzero(~ok & ~null)
    else:
        rest = np.flatnonzero(~null)
    for i in rest.tolist():
        _apply_scalar(out, i, _scalar_slow(arr[i].as_py(), spec))
    return out


def _parse_arrow(arr: pa.Array | pa.ChunkedArray, spec: _Spec) -> Parsed:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    if pa.types.is_null(t):
        return _all_bad(np.ones(len(arr), bool), MSG_NAN)
    if pa.types.is_float64(t):  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
        return _parse_float64(_np(arr), spec)  # float-ok: arrow nulls come out as NaN -> blank
    if pa.types.is_floating(t):
        return _parse_numpy_array(_np(arr), spec)
    if pa.types.is_integer(t):
        res = _parse_ints(_np(arr.fill_null(0)), spec)
        null = _np(arr.is_null())
        res.blank[:] = null
        return res
    if pa.types.is_decimal(t):
        return _parse_decimal_arrow(arr, spec)
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return _parse_text_arrow(arr, spec)
    return _all_bad(_np(arr.is_null()), MSG_NAN)  # bool, dates, binary, nested...


def _parse_object(obj: np.ndarray, spec: _Spec) -> Parsed:
    n = len(obj)
    out = _empty(n)
    if n == 0:
        return out
    kind = pd.api.types.infer_dtype(obj, skipna=False)  # one fast C pass
    if kind == "string":
        return _parse_text_arrow(pa.array(obj, type=pa.string()), spec)
    if kind == "integer":
        try:
            return _parse_ints(obj.astype(np.int64), spec)
        except OverflowError:
            pass
    types = np.frompyfunc(type, 1, 1)(obj)

    def of_type(*ts: type) -> np.ndarray:
        mask = np.zeros(n, bool)
        for t in ts:
            box = np.empty(1, dtype=object)  # boxed so numpy does not treat t as a dtype
            box[0] = t
            mask |= types == box
        return mask

    is_str = of_type(str)
    is_float = of_type(float, np.float64)  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
    is_int = of_type(int, np.int64)
    if is_int.any():
        idx = np.flatnonzero(is_int)
        try:
            ints = obj[idx].astype(np.int64)
        except OverflowError:  # Python ints beyond int64: handled one by one
            is_int[:] = False
        else:
            _merge(out, idx, _parse_ints(ints, spec))
    if is_str.any():
        idx = np.flatnonzero(is_str)
        _merge(out, idx, _parse_text_arrow(pa.array(obj[idx], type=pa.string()), spec))
    if is_float.any():
        idx = np.flatnonzero(is_float)
        _merge(out, idx, _parse_float64(obj[idx].astype(np.float64), spec))  # float-ok: they are already doubles
    rest = ~(is_str | is_float | is_int)
    if rest.any():
        is_none = of_type(type(None))
        out.blank[is_none] = True
        for i in np.flatnonzero(rest & ~is_none).tolist():
            _apply_scalar(out, i, _scalar_slow(obj[i], spec))
    return out


def _parse_numpy_array(a: np.ndarray, spec: _Spec) -> Parsed:
    if a.ndim != 1:
        raise ValueError(f"expected a 1-D column, got shape {a.shape}")
    kind = a.dtype.kind
    if kind == "f":
        if a.dtype == np.float64:  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
            return _parse_float64(a, spec)  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
        return _parse_small_float(a, spec)  # float-ok: float32/float16 inputs widened exactly, then the float64 rule
    if kind in "iu":
        return _parse_ints(a, spec)
    if kind == "b":
        return _all_bad(np.zeros(len(a), bool), MSG_NAN)
    if kind == "U":
        return _parse_text_arrow(pa.array(a, type=pa.string()), spec)
    if kind in "Mm":
        return _all_bad(np.isnat(a), "not a number (date/time)")
    if kind == "O":
        return _parse_object(a, spec)
    return _all_bad(np.zeros(len(a), bool), MSG_NAN)  # complex, bytes, void


def _parse_extension(ea, spec: _Spec) -> Parsed:
    dtype = ea.dtype
    if isinstance(dtype, pd.ArrowDtype) or (
        isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    ):
        return _parse_arrow(ea.__arrow_array__(), spec)
    if isinstance(ea, pd.arrays.BooleanArray):
        return _all_bad(np.asarray(ea.isna(), dtype=bool), MSG_NAN)
    if isinstance(ea, pd.arrays.IntegerArray):
        res = _parse_ints(ea.to_numpy(dtype=dtype.numpy_dtype, na_value=0), spec)
        res.blank[:] = np.asarray(ea.isna(), dtype=bool)
        return res
    if isinstance(ea, pd.arrays.FloatingArray):
        na = np.asarray(ea.isna(), dtype=bool)
        res = _parse_numpy_array(ea.to_numpy(dtype=dtype.numpy_dtype, na_value=np.nan), spec)  # float-ok: same doubles, NA -> NaN
        res.blank[na] = True
        return res
    return _parse_numpy_array(np.asarray(ea), spec)


def _parse(values, spec: _Spec) -> Parsed:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return _parse_arrow(values, spec)
    if isinstance(values, pd.DataFrame):
        raise TypeError("expected one column, got a DataFrame")
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.array
    if isinstance(values, pd.api.extensions.ExtensionArray):
        return _parse_extension(values, spec)
    if isinstance(values, np.ndarray):
        return _parse_numpy_array(values, spec)
    if isinstance(values, (list, tuple)):
        return _parse_object(np.fromiter(values, dtype=object, count=len(values)), spec)
    raise TypeError(f"cannot parse a column from {type(values).__name__}")


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def parse_money(values) -> Parsed:
    """Parse a column of amounts into int64 cents (see module docstring)."""
    return _parse(values, _MONEY)


def parse_pct(values) -> Parsed:
    """Parse a column of percentages 0..100 (<= 4 decimals) into 1/10,000 % units."""
    res = _parse(values, _PCT)
    out_of_range = ~res.blank & ~res.bad & ((res.values < 0) | (res.values > PCT_ONE_HUNDRED))
    if out_of_range.any():
        res.bad[out_of_range] = True
        res.values[out_of_range] = 0
        for i in np.flatnonzero(out_of_range).tolist():
            res.why[i] = MSG_RANGE
    return res


def _check_int(x) -> int:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
        raise TypeError(f"expected integer cents, got {type(x).__name__}")
    return int(x)


def to_decimal(cents: int) -> Decimal:
    """Integer cents -> Decimal with exactly 2 places (Decimal('1234.50'))."""
    return Decimal(f"{_check_int(cents)}e-2")  # string construction is exact


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


def format_cents(cents: int) -> str:
    """Integer cents -> '1234567.89' / '-0.05' / '0.00' (JSON form); exact for any int."""
    c = _check_int(cents)
    q, r = divmod(abs(c), 100)
    return f"{'-' if c < 0 else ''}{_digits(q)}.{r:02d}"


def format_display(cents: int) -> str:
    """Integer cents -> '1,234,567.89'; negatives in parentheses '(1,234.50)'; exact for any int."""
    c = _check_int(cents)
    q, r = divmod(abs(c), 100)
    body = f"{_digits(q, grouped=True)}.{r:02d}"
    return f"({body})" if c < 0 else body


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
    units, msg, is_blank = _text_slow(text, _MONEY)
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
# SPEC "Rounding": where a percentage produces a fraction of a cent, round in the direction
# that increases the reserve requirement -- worked out from the amount's *effect*, not its
# name. So the caller does not choose "up" or "down": it says what the amount does to the
# requirement (`Effect`), and `share` rounds the exact fraction accordingly (reading:
# rounding). `mul_ratio` / `percent_of` are the same arithmetic with the direction given
# explicitly, for code outside the formula.


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


def share(amount, num, den, effect: Effect, *, remainder: bool = False):
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


def mul_ratio(cents, num: int, den: int, rounding: str):
    """Exact ``cents * num / den`` rounded 'up' (toward +inf) or 'down' (toward -inf): the
    arithmetic of `share` with the direction given explicitly (formula code uses `share`).

    Python int (or numpy integer scalar) in -> Python int out (unbounded).
    int array in -> int64 array out (pandas Series in -> Series out, same index);
    raises OverflowError if a result does not fit in int64.
    """
    num, den = _check_int(num), _check_int(den)
    return _ratio(cents, num, den, _round_up(rounding), False)


def percent_of(cents, pct_num: int, pct_den: int, rounding: str):
    """``cents * (pct_num / pct_den) %`` exactly, rounded 'up' or 'down'.

    ``percent_of(x, 3, 1, 'up')`` is 3 % of x rounded toward +inf; with a
    ``parse_pct`` value ``p`` use ``percent_of(x, p, 10_000, rounding)``.
    """
    return mul_ratio(cents, pct_num, _check_int(pct_den) * 100, rounding)


def _round_up(rounding: str) -> bool:
    if rounding == "up":
        return True
    if rounding == "down":
        return False
    raise ValueError(f"rounding must be 'up' or 'down', got {rounding!r}")


def _is_int_scalar(x) -> bool:
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


def _int_array(x) -> np.ndarray:
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


def _ratio(amount, num, den, up: bool, want_remainder: bool):
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
        q, r = pd.Series(q, index=index, name=amount.name), pd.Series(r, index=index, name=amount.name)
    return (q, r) if want_remainder else q


def _ratio_scalar_fast(a: np.ndarray, n: int, d: int, up: bool, need_r: bool):
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


def _ratio_slow(a, n, d, up, mask, q, r, need_r):
    """Python integers for the elements in `mask` (those that could overflow int64)."""
    for i in zip(*np.nonzero(mask)):
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
