"""Reading a column of cells as exact amounts or percentages: `parse_money`, `parse_pct`.

A book's money and percentage cells arrive in every type a reader can give: Excel numbers
(float64, read and proven exact, never computed with; # float-ok), integers, Arrow decimals, text in the many ways people type an amount, and
object columns mixing all of these (a sheet read cell by cell). This module turns a whole
column into integer units in one vectorised pass, reporting each cell it refuses with the
reason. What an amount written as text *is* -- the grammar -- is defined once, in
`reserve.money` (`AmountGrammar`, `text_units`), and shared with the report's readers of
amounts; this module only reads columns with it.

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
* **text**: the grammar of ``reserve.money`` (``AmountGrammar``: its Python
  pattern and the same pattern for Arrow's RE2), used by both the vectorised
  path here and the per-element rule ``money.text_units``, so they cannot
  disagree (the forms accepted are listed in ``reserve.money``).  NaN/inf text
  is "not a number".  Whitespace-only text is blank.
* **object** columns are split by element type; str/float/int groups go
  through the vectorised paths above, the rest (None/NA/NaT = blank,
  Decimal, datetime = bad, ...) element by element.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import Decimal
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import money
from ..money import (
    INT64_MAX,
    INT64_MIN,
    MONEY_SCALE,
    MONEY_TEXT,
    MSG_INF,
    MSG_LARGE,
    MSG_NAN,
    MSG_RANGE,
    PCT_ONE_HUNDRED,
    PCT_SCALE,
    PCT_TEXT,
    AmountGrammar,
    decimal_units,
)

__all__ = ["Parsed", "parse_money", "parse_pct"]

_UNIQUE_UNITS = 2**52  # below this many units each double maps to one unit value


class Parsed(NamedTuple):
    values: np.ndarray  # int64; units (cents for money), 0 where blank or bad
    blank: np.ndarray  # bool; empty/None/NaN/whitespace-only
    bad: np.ndarray  # bool; present but invalid
    why: dict[int, str]  # position -> short message, bad positions only



# --------------------------------------------------------------------------
# Scalar rules of a cell (the definition; the vectorised paths are accelerators)
# --------------------------------------------------------------------------

def _unit_text(scale: int) -> str:
    return "0." + "0" * (scale - 1) + "1" if scale > 0 else "1"


def _float_slow(x: float, spec: AmountGrammar) -> tuple[int | None, str | None]:
    """Per-element rule for a finite or infinite float64 (NaN is handled by caller)."""  # float-ok
    if math.isinf(x):
        return None, MSG_INF
    scale = spec.scale
    unique = abs(x) < _UNIQUE_UNITS / 10**scale  # float-ok: magnitude test only; both sides of the bound are handled exactly
    r = repr(x)
    units, msg = decimal_units(Decimal(r), scale)
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
        units, _ = decimal_units(Decimal(format(x, ".15g")), scale)  # float-ok: formatting, not arithmetic
        if units is not None:
            n, d = x.as_integer_ratio()
            if 2 * abs(n * 10**scale - units * d) < d:  # within half a unit of the exact value
                return units, None
    return None, f"{spec.dp_msg} (found {r})"


def _small_float_slow(x: np.floating, spec: AmountGrammar) -> tuple[int | None, str | None]:
    """float16/float32/longdouble: shortest repr in its own precision, exact."""
    if np.isinf(x):
        return None, MSG_INF
    text = str(x)  # numpy prints the shortest round-trip digits for its own type
    units, msg = decimal_units(Decimal(text), spec.scale)
    if units is None:
        return None, msg if msg == MSG_LARGE else f"{spec.dp_msg} (found {text})"
    mant = np.finfo(x.dtype).nmant
    if abs(units) >= 2**mant:  # ambiguous region: must be the exact binary value
        n, d = x.as_integer_ratio()
        if n * 10**spec.scale != units * d:
            return None, f"too large to be exact (found {text})"
    return units, None



_DATE_TYPES = (_dt.date, _dt.time, _dt.timedelta, np.datetime64, np.timedelta64)


def _scalar_slow(v, spec: AmountGrammar) -> tuple[int | None, str | None, bool]:
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
        u, msg = decimal_units(v, spec.scale)
        if u is None and msg == spec.dp_msg:
            msg = f"{msg} (found {v})"
        return u, msg, False
    if isinstance(v, str):
        return money.text_units(v, spec)
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
        assert msg is not None  # every refusal carries its reason
        out.bad[i] = True
        out.why[i] = msg
    else:
        out.values[i] = units


# --------------------------------------------------------------------------
# Vectorised paths
# --------------------------------------------------------------------------

# Rows per block of the vectorised float path: its temporaries stay small (8 MiB a column) and
# are reused block after block, instead of a dozen fresh arrays of ten million doubles each,
# whose pages the kernel must zero (issue 13: the run's system time).
_FLOAT_BLOCK = 1 << 20


def _parse_float64(x: np.ndarray, spec: AmountGrammar) -> Parsed:  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
    x = np.asarray(x, dtype=np.float64)  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
    n = len(x)
    mult = float(10**spec.scale)  # float-ok: exact power of ten (<= 1e4)
    values = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, n, _FLOAT_BLOCK):
            xb = x[start:start + _FLOAT_BLOCK]
            c = np.multiply(xb, mult)  # float-ok: only a candidate, verified exactly below
            np.rint(c, out=c)
            okb = ok[start:start + _FLOAT_BLOCK]
            np.less(np.abs(c), _UNIQUE_UNITS, out=okb)
            okb &= np.divide(c, mult) == xb  # float-ok: IEEE division is correctly rounded -> exact proof
            # integer-valued doubles below 2**52 convert exactly; the others stay 0
            np.copyto(values[start:start + _FLOAT_BLOCK], c, casting="unsafe", where=okb)
    blank = np.isnan(x)
    bad = np.zeros(n, bool)
    why: dict[int, str] = {}
    for i in np.flatnonzero(~(ok | blank)).tolist():
        units, msg = _float_slow(float(x[i]), spec)  # float-ok: unboxing, no arithmetic
        if units is None:
            assert msg is not None  # every refusal carries its reason
            bad[i] = True
            why[i] = msg
        else:
            values[i] = units
    return Parsed(values, blank, bad, why)


def _parse_small_float(x: np.ndarray, spec: AmountGrammar) -> Parsed:  # float-ok: dispatch on the input's type (Excel numbers), see module docstring
    out = _empty(len(x))
    for i, v in enumerate(x):
        _apply_scalar(out, i, _scalar_slow(v, spec))
    return out


def _parse_ints(v: np.ndarray, spec: AmountGrammar) -> Parsed:
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
    """Common formatted forms, all also accepted by the grammar (``money.AmountGrammar``) with the same value."""
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


def _parse_text_arrow(arr: pa.Array, spec: AmountGrammar) -> Parsed:
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


def _parse_text_regex(trimmed: pa.Array, spec: AmountGrammar) -> Parsed:
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
        for i, s in zip(rest.tolist(), strs, strict=True):
            _apply_scalar(out, i, money.text_units(s, spec))
    return out


def _parse_decimal_arrow(arr: pa.Array, spec: AmountGrammar) -> Parsed:
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


def _parse_arrow(arr: pa.Array | pa.ChunkedArray, spec: AmountGrammar) -> Parsed:
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


def _parse_object(obj: np.ndarray, spec: AmountGrammar) -> Parsed:
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


def _parse_numpy_array(a: np.ndarray, spec: AmountGrammar) -> Parsed:
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


def _parse_extension(ea, spec: AmountGrammar) -> Parsed:
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


def _parse(values, spec: AmountGrammar) -> Parsed:
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
    return _parse(values, MONEY_TEXT)


def parse_pct(values) -> Parsed:
    """Parse a column of percentages 0..100 (<= 4 decimals) into 1/10,000 % units."""
    res = _parse(values, PCT_TEXT)
    out_of_range = ~res.blank & ~res.bad & ((res.values < 0) | (res.values > PCT_ONE_HUNDRED))
    if out_of_range.any():
        res.bad[out_of_range] = True
        res.values[out_of_range] = 0
        for i in np.flatnonzero(out_of_range).tolist():
            res.why[i] = MSG_RANGE
    return res



# --------------------------------------------------------------------------
# A time of day (the `bank_opens_at` parameter, issue 15)
# --------------------------------------------------------------------------

CLOCK_EXPECTED = "a time of day HH:MM on a 24-hour clock, from 00:00 to 23:59 (e.g. 08:30)"
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")


def parse_clock(value) -> str:
    """A time of day as `HH:MM`: text `08:30` (or `8:30`), or an Excel time cell (a
    `datetime.time` with no seconds, which is how Excel keeps `08:30` typed in a cell).
    Anything else raises ValueError saying why (`8am`, `25:00`, `08:30:15`, a date)."""
    if isinstance(value, (_dt.datetime, _dt.date)):
        raise ValueError("a date, not a time of day")
    if isinstance(value, _dt.time):
        if value.second or value.microsecond:
            raise ValueError("a time with seconds: give the hour and minute only")
        if value.tzinfo is not None:
            raise ValueError("a time zone: give the banks' local time, without a zone")
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, bool) or not isinstance(value, str):
        raise ValueError("not a time of day" if not isinstance(value, (int, float)) else
                         "a number, not a time of day (type 08:30)")
    m = _CLOCK.fullmatch(value.strip())
    if m is None:
        raise ValueError("not in the form HH:MM")
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise ValueError("no such time of day (hours 00-23, minutes 00-59)")
    return f"{hour:02d}:{minute:02d}"
