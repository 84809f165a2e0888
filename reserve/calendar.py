"""Business-day calendar for SEC Rule 15c3-3 reserve computations.

Rules applied (Rule 15c3-3(e)(3) and the SEC staff FAQ of 2025-12-08, with the readings
settled for this project stated here; docs/BOOK_FORMAT.md states the years covered):

* **Business day.**  Rule 15c3-3 does not define it.  Settled for this project: a
  weekday on which the Federal Reserve Banks are open (Fedwire; U.S. Treasury
  settlement runs on it), i.e. excluding the Federal Reserve holidays given by the
  ``holidays`` package calendar ``holidays.financial_holidays("XFED")``, plus any
  extra holidays given by the book.  ``holidays.US()`` is *not* used: it adds an
  "observed" Friday for a Saturday holiday (e.g. 2026-07-03), a day on which the
  Reserve Banks are open.  The Fed observes a Sunday holiday on the Monday.
* **Deposit deadline** (Rule 15c3-3(e)(3)(i)(A) and (B)(1)): "no later than one hour
  after the opening of banking business on the second following business day".
  Reported as a date: the 2nd business day strictly after ``as_of`` (Friday ->
  Tuesday).  If ``as_of`` is not itself a business day the counting still starts
  on the first business day strictly after it.
* **Weekly computation** ((e)(3)(i)(A)): "as of the close of the last business day
  of the week" -- the last business day of each Monday-Sunday week (normally
  Friday; Thursday when the Friday is a holiday).
* **Daily computers' non-computation days** (SEC staff FAQ of 2025-12-08,
  Question 6): (1) a Federal Holiday (footnote 9: 5 U.S.C. 6103) -- read, as
  settled by the team, as the XFED calendar days that fall on weekdays; (2) Good
  Friday; (3) the "Additional Days": the Friday before MLK Day, Washington's
  Birthday, Memorial Day, Labor Day and Columbus Day; the Thursday before Good
  Friday; the Friday after Thanksgiving; the business day before Juneteenth,
  Independence Day and Christmas Day (the Friday after, when the holiday falls on a
  Thursday); the business day before New Year's Day.

Holiday sets are computed lazily per year and cached.  Supported years:
1900-2199, the years a book's dates may take (``reserve.book.convert``), plus 2200
for the deadlines and next business days of late December 2199.  The ``holidays``
XFED calendar starts in 1999; for earlier years the package's present rules are
applied (MLK Day, a federal holiday since 1986, is then a closure in every year;
the Saturday rule is the Fed's long-standing practice) -- not checked against the
Fed's published lists for those years, and stated as such in docs/BOOK_FORMAT.md.
Juneteenth is a holiday from 2021 on, as in the package.

No I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TypedDict

import numpy as np
import numpy.typing as npt

# python-dateutil (installed with holidays) ships no annotations, and its stubs are not a dependency
from dateutil.easter import easter  # type: ignore[import-untyped]
from holidays.financial import XFED

__all__ = [
    "BUSDAY_COUNT_NAT",
    "MAX_YEAR",
    "MIN_YEAR",
    "BusinessCalendar",
    "CalendarRow",
    "DateLike",
]

MIN_YEAR = 1900
MAX_YEAR = 2199  # a book's dates lie in MIN_YEAR..MAX_YEAR (reserve.book.convert.DATE_MIN/DATE_MAX)

#: Value returned by :meth:`BusinessCalendar.busday_count` where start or end is NaT.
#: Note that, like ``numpy.busday_count``, a reversed range (start > end) gives a
#: negative count, so -1 can also be a genuine result for a reversed range; callers
#: that may pass reversed ranges should test for NaT themselves.
BUSDAY_COUNT_NAT = -1

BOOK_HOLIDAY_NAME = "Book holiday"

# Rule 15c3-3(e)(3)(i)(B)(1), required daily computation: Release 34-102022 (effective
# 2025-03-14) with the compliance date extended to June 30, 2026 by Release 34-103320. No firm is
# required to compute daily before it, whenever its average total credits reached $500 million.
DAILY_COMPLIANCE_DATE = date(2026, 6, 30)
# The daily computation amendments (Release 34-102022) took effect on 2025-03-14: from then a
# voluntary daily computer may take the 2% reduction after its 30 days' notice (SEC staff FAQ
# 2025-12-08, Q3); before it, no 2% reduction for daily computation existed.
DAILY_AMENDMENTS_EFFECTIVE = date(2025, 3, 14)

#: What the calendar's methods take as a day: a date (a datetime or pandas.Timestamp is taken
#: at its day), an ISO "YYYY-MM-DD" string, or a numpy datetime64.
DateLike = date | str | np.datetime64


class CalendarRow(TypedDict):
    """One business day, as `reserve calendar YEAR` lists it."""

    date: date
    weekday: str
    weekly_computation: bool  # the last business day of its week
    daily_non_computation: str  # why a daily filer need not compute (FAQ Q6), or ""
    deposit_deadline: date  # the second following business day

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Names used by the ``holidays`` package's XFED calendar (en_US).
_MLK = "Birthday of Martin Luther King, Jr."
_WASHINGTON = "Washington's Birthday"
_MEMORIAL = "Memorial Day"
_JUNETEENTH = "Juneteenth National Independence Day"
_INDEPENDENCE = "Independence Day"
_LABOR = "Labor Day"
_COLUMBUS = "Columbus Day"
_THANKSGIVING = "Thanksgiving Day"
_CHRISTMAS = "Christmas Day"
_NEW_YEAR = "New Year's Day"


class _FederalReserveHolidays(XFED):
    """The package's XFED calendar, allowed back to MIN_YEAR (the package starts at 1999)."""

    start_year = MIN_YEAR - 1  # the business day before early January MIN_YEAR falls in the year before
    end_year = MAX_YEAR + 1  # deadlines of late December MAX_YEAR fall in the next year


def _as_date(d: DateLike) -> date:
    """Normalise a ``date``/``datetime``/``pandas.Timestamp``/ISO string to ``date``."""
    if isinstance(d, datetime):  # datetime (and pandas.Timestamp) subclass date
        return d.date()
    if isinstance(d, date):
        return d
    if isinstance(d, str):
        return date.fromisoformat(d)
    if isinstance(d, np.datetime64):
        return date.fromisoformat(str(d.astype("datetime64[D]")))
    raise TypeError(f"expected a date, got {type(d).__name__}")


def _check_year(year: int, ahead: int = 0) -> None:
    # `ahead`: the holidays of the years just outside MIN_YEAR..MAX_YEAR are looked up too,
    # since a deadline or a "business day before New Year's Day" of late December MAX_YEAR
    # falls in the year after, and the business day before early January MIN_YEAR in the
    # year before.
    if not MIN_YEAR - ahead <= year <= MAX_YEAR + ahead:
        raise ValueError(f"year {year} outside the supported range {MIN_YEAR}-{MAX_YEAR}")


def _base_name(name: str) -> str:
    suffix = " (observed)"
    return name[: -len(suffix)] if name.endswith(suffix) else name


class BusinessCalendar:
    """Federal Reserve business-day calendar plus book holidays.

    ``extra_holidays`` are the book's additional closures: ``date`` objects or
    ``(date, name)`` pairs (ISO strings and ``datetime`` are accepted too).
    """

    def __init__(self, extra_holidays: Iterable[tuple[DateLike, str]] | Iterable[DateLike] = ()) -> None:
        self._extra: dict[date, str] = {}
        for item in extra_holidays:
            if isinstance(item, (tuple, list)):
                if len(item) != 2:
                    raise ValueError(f"extra holiday must be a date or (date, name): {item!r}")
                d, name = _as_date(item[0]), str(item[1] or "").strip() or BOOK_HOLIDAY_NAME
            else:
                d, name = _as_date(item), BOOK_HOLIDAY_NAME
            if d in self._extra and self._extra[d] != name:
                name = f"{self._extra[d]}; {name}"
            self._extra[d] = name
        self._fed_cache: dict[int, dict[date, str]] = {}
        self._non_computation_cache: dict[int, dict[date, str]] = {}

    # ------------------------------------------------------------------ holidays

    def _fed(self, year: int) -> dict[date, str]:
        """Federal Reserve holidays of ``year`` (cached); may include weekend dates."""
        cached = self._fed_cache.get(year)
        if cached is None:
            _check_year(year, ahead=1)
            cached = dict(_FederalReserveHolidays(years=year, language="en_US").items())
            self._fed_cache[year] = cached
        return cached

    def _fed_date(self, year: int, name: str) -> date | None:
        """Date on which the Fed calendar of ``year`` carries holiday ``name`` (observed or not)."""
        for d, n in self._fed(year).items():
            if _base_name(n) == name:
                return d
        return None

    def is_federal_holiday(self, d: DateLike) -> bool:
        """True if ``d`` is a Federal Reserve holiday that falls on a weekday."""
        d = _as_date(d)
        return d.weekday() < 5 and d in self._fed(d.year)

    def holiday_name(self, d: DateLike) -> str | None:
        """Name of the Fed holiday or book holiday on ``d``; ``None`` otherwise.

        A Fed holiday that falls on a Saturday (not observed by the Fed) is still
        named, although the day is not a closure of a business day.
        """
        d = _as_date(d)
        fed = self._fed(d.year).get(d)
        return fed if fed is not None else self._extra.get(d)

    def holidays_in_year(self, year: int) -> list[tuple[date, str]]:
        """Weekday closures of ``year`` (Fed holidays and book holidays), sorted."""
        _check_year(year)
        days = {d for d in self._fed(year) if d.weekday() < 5}
        days |= {d for d in self._extra if d.year == year and d.weekday() < 5}
        return [(d, self.holiday_name(d) or "") for d in sorted(days)]

    # ------------------------------------------------------------- business days

    def is_business_day(self, d: DateLike) -> bool:
        d = _as_date(d)
        return d.weekday() < 5 and d not in self._fed(d.year) and d not in self._extra

    def next_business_day(self, d: DateLike) -> date:
        """First business day strictly after ``d``."""
        d = _as_date(d) + timedelta(days=1)
        while not self.is_business_day(d):
            d += timedelta(days=1)
        return d

    def previous_business_day(self, d: DateLike) -> date:
        """Last business day strictly before ``d``."""
        d = _as_date(d) - timedelta(days=1)
        while not self.is_business_day(d):
            d -= timedelta(days=1)
        return d

    def add_business_days(self, d: DateLike, n: int) -> date:
        """The ``n``-th business day strictly after ``d`` (``n`` = 0 returns ``d``;
        negative ``n`` counts back strictly before ``d``)."""
        d = _as_date(d)
        step = self.next_business_day if n > 0 else self.previous_business_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def business_days_between(self, start: DateLike, end: DateLike) -> int:
        """Number of business days in ``[start, end)``.

        When ``end < start`` the result is minus the number of business days in
        ``(end, start]`` -- the same convention as ``numpy.busday_count``."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            one = timedelta(days=1)
            return -self.business_days_between(end + one, start + one)
        count = 0
        d = start
        while d < end:
            if self.is_business_day(d):
                count += 1
            d += timedelta(days=1)
        return count

    def _numpy_holidays(self, first_year: int, last_year: int) -> npt.NDArray[np.datetime64]:
        days: set[date] = set()
        for year in range(first_year, last_year + 1):
            days.update(self._fed(year))
        days.update(d for d in self._extra if first_year <= d.year <= last_year)
        return np.array(sorted(days), dtype="datetime64[D]")

    def busday_count(self, start: npt.ArrayLike, end: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Vectorised :meth:`business_days_between` over ``datetime64`` arrays.

        Arrays broadcast against each other; any ``datetime64`` unit is accepted
        (converted to days).  Where either side is NaT the result is
        :data:`BUSDAY_COUNT_NAT` (-1).  Returns an ``int64`` array.
        """
        s = np.asarray(start).astype("datetime64[D]")
        e = np.asarray(end).astype("datetime64[D]")
        s, e = np.broadcast_arrays(s, e)
        out = np.full(s.shape, BUSDAY_COUNT_NAT, dtype=np.int64)
        valid = ~(np.isnat(s) | np.isnat(e))
        if not valid.any():
            return out
        sv, ev = s[valid], e[valid]
        lo = min(sv.min(), ev.min()).astype(object)
        hi = max(sv.max(), ev.max()).astype(object)
        hol = self._numpy_holidays(lo.year, hi.year)
        out[valid] = np.busday_count(sv, ev, weekmask="1111100", holidays=hol)
        return out

    def business_days(self, year: int) -> list[date]:
        _check_year(year)
        d, end = date(year, 1, 1), date(year, 12, 31)
        days = []
        while d <= end:
            if self.is_business_day(d):
                days.append(d)
            d += timedelta(days=1)
        return days

    # ------------------------------------------------------------- deadlines etc.

    def deposit_deadline(self, as_of: DateLike) -> date:
        """Second following business day (Rule 15c3-3(e)(3)); the deposit is due one
        hour after the opening of banking business on that day."""
        return self.add_business_days(as_of, 2)

    def is_weekly_computation_date(self, d: DateLike) -> bool:
        """True if ``d`` is the last business day of its Monday-Sunday week."""
        d = _as_date(d)
        if not self.is_business_day(d):
            return False
        return all(not self.is_business_day(d + timedelta(days=k)) for k in range(1, 5 - d.weekday()))

    def weekly_computation_dates(self, year: int) -> list[date]:
        """Last business day of each Monday-Sunday week, for the dates falling in ``year``
        (a week spanning New Year belongs to the year of its last business day)."""
        return [d for d in self.business_days(year) if self.is_weekly_computation_date(d)]

    # ------------------------------------------------------- FAQ Q6 (daily filers)

    def _additional_days(self, year: int) -> list[tuple[date, str]]:
        """FAQ Q6 "Additional Days" generated by the holidays of ``year``.

        The day produced may fall in another year (business day before New Year's
        Day is in December of the previous year).

        Reading of "business day before <holiday>": the last business day strictly
        before the holiday's actual date (June 19, July 4, Dec 25, Jan 1).  For a
        Sunday holiday the Fed closes on the Monday (itself a Federal Holiday) and
        the business day before is the Friday -- the same whether one counts from the
        Sunday or the observed Monday.  For a Saturday holiday the Fed is open on
        the Friday, so the Friday is the business day before (e.g. 2026-07-03,
        2027-06-18, 2027-12-24, 2027-12-31).  The "Friday after" exception applies
        only when the actual date is a Thursday.
        """
        days: list[tuple[date, str]] = []

        for name, label in (
            (_MLK, "Friday before Birthday of Martin Luther King, Jr."),
            (_WASHINGTON, "Friday before Washington's Birthday"),
            (_MEMORIAL, "Friday before Memorial Day"),
            (_LABOR, "Friday before Labor Day"),
            (_COLUMBUS, "Friday before Columbus Day"),
        ):
            monday = self._fed_date(year, name)
            if monday is not None:
                days.append((monday - timedelta(days=3), label))

        thanksgiving = self._fed_date(year, _THANKSGIVING)
        if thanksgiving is not None:
            days.append((thanksgiving + timedelta(days=1), "Friday after Thanksgiving Day"))

        good_friday = easter(year) - timedelta(days=2)
        days.append((good_friday - timedelta(days=1), "Thursday before Good Friday"))

        for name, month, day, thursday_rule in (
            (_JUNETEENTH, 6, 19, True),
            (_INDEPENDENCE, 7, 4, True),
            (_CHRISTMAS, 12, 25, True),
            (_NEW_YEAR, 1, 1, False),
        ):
            if self._fed_date(year, name) is None:  # e.g. Juneteenth before 2021
                continue
            if month == 1 and year - 1 < MIN_YEAR:  # would fall before the supported range
                continue
            actual = date(year, month, day)
            if thursday_rule and actual.weekday() == 3:
                days.append((actual + timedelta(days=1), f"Friday after {name} (falls on a Thursday)"))
            else:
                days.append((self.previous_business_day(actual), f"Business day before {name}"))
        return days

    def _non_computation(self, year: int) -> dict[date, str]:
        cached = self._non_computation_cache.get(year)
        if cached is not None:
            return cached
        _check_year(year)
        reasons: dict[date, list[str]] = {}

        def add(d: date, reason: str) -> None:
            if d.year == year:
                reasons.setdefault(d, []).append(reason)

        # (1) Federal Holidays: XFED days on weekdays (settled reading).
        for d, name in self._fed(year).items():
            if d.weekday() < 5:
                add(d, f"Federal holiday: {name}")
        # (2) Good Friday (a business day: the Fed is open).
        good_friday = easter(year) - timedelta(days=2)
        if self.is_business_day(good_friday):
            add(good_friday, "Good Friday")
        # (3) Additional Days; New Year's Day of year+1 gives a December day.
        for y in (year, year + 1):
            if y > MAX_YEAR + 1:
                continue
            for d, reason in self._additional_days(y):
                # Only days that would otherwise be computation (business) days.
                if d.year == year and self.is_business_day(d):
                    add(d, f"Additional Day: {reason}")

        result = {d: "; ".join(rs) for d, rs in sorted(reasons.items())}
        self._non_computation_cache[year] = result
        return result

    def daily_non_computation_days(self, year: int) -> list[tuple[date, str]]:
        """FAQ Q6 non-computation days of ``year``, as sorted ``(day, reason)`` pairs.

        Only weekday Federal Holidays and days that would otherwise be business days
        are listed (a book holiday is not a business day, so it is not listed)."""
        return list(self._non_computation(year).items())

    def non_computation_reason(self, d: DateLike) -> str | None:
        """Why a daily filer need not compute as of ``d`` (FAQ Q6), else ``None``."""
        d = _as_date(d)
        return self._non_computation(d.year).get(d)

    # -------------------------------------------------------------------- output

    def calendar_rows(self, year: int) -> list[CalendarRow]:
        """One row per business day of ``year`` for the ``reserve calendar YEAR`` command."""
        return [
            {
                "date": d,
                "weekday": _WEEKDAY_NAMES[d.weekday()],
                "weekly_computation": self.is_weekly_computation_date(d),
                "daily_non_computation": self.non_computation_reason(d) or "",
                "deposit_deadline": self.deposit_deadline(d),
            }
            for d in self.business_days(year)
        ]
