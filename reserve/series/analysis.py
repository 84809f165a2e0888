"""What the series shows beyond its figures: gaps, average total credits, the daily regime's dates.

Pure: takes the runs (`reserve.series.model.Run`, date order, test runs already left out:
a test computation is in no gap and no average) and a `BusinessCalendar`; no I/O.

**Gaps** (`gaps`). Between two consecutive computations, by the frequency of the later one
(the regime it was computed under; report.json `parameters.frequency`):

* daily -- each business day with no computation, apart from the non-computation days of
  the SEC staff FAQ of 2025-12-08, Question 6 (`BusinessCalendar.non_computation_reason`):
  Rule 15c3-3(e)(3)(i)(B)(1) requires the computation "daily as of the close of the previous
  business day";
* weekly -- each Monday-Sunday week with a business day and no computation, named by its last
  business day (Rule 15c3-3(e)(3)(i)(A): "as of the close of the last business day of the week");
* monthly -- each calendar month with none (Rule 15c3-3(e)(3)(i)(C)).

And every computation dated on a day that is not a business day. The calendar is the Federal
Reserve's (`reserve.calendar`); the books' own extra holidays are not in report.json.

**Average total credits** (`average_total_credits`, Rule 15c3-3(e)(3)(i)(B)(1)). The rule's
average is "the arithmetic mean of the sum of Total Credits in the Customer Reserve Bank
Account computation and the PAB Reserve Bank Account computation reported in the 12 most
recently filed month-end Forms X-17A-5". The series has the computations, not the FOCUS
filings: it takes the month-end computation of each calendar month -- the last computation
of the month in the series -- as the month-end figures the FOCUS report carries (said on the
page). The last month of the series counts only when its last computation is as of the last
business day of the month -- for a daily filer the last that is not an FAQ Q6 non-computation
day (2026-12-31, the business day before New Year's Day, is one) -- otherwise the month is not
over in the series: said. At each
month-end the average is of that month-end and the 11 before it (fewer at the start of the
series: the average is then "of N months", never presented as the rule's). A month-end whose
customer or PAB total credits are absent from its report.json is not in any average (said).
The mean is a Decimal (sum / N to 60 significant digits); whether it reaches $500 million is
decided in integers (sum >= $500 million x N, exact); it is shown rounded half to even to the cent.

The dates (each a reading of the rule, stated on the page and here):

* **reached** (`daily_required_from`): the rule requires daily computation "no later than six
  months after having average total credits equal to or greater than $500 million". Read as:
  from the same day of the month six calendar months after the month-end computation at which
  the average first reached $500 million (the last day of that month when it is shorter),
  moved to the next business day when that day is not one (a computation is as of the close
  of a business day). 2026-01-30 -> 2026-07-30; 2026-08-31 -> 2027-02-28, a Sunday -> 2027-03-01.
  Never before 2026-06-30, the compliance date of the required daily computation (Release
  34-103320): a month-end of 2025-10-31 gives 2026-06-30, not 2026-04-30 (said).
* **not computed daily** (`not_daily`, a gap): from that date, until the earliest weekly
  computation a later fall below allows, a computation whose `frequency` is not daily is a gap
  -- the first named, the rest counted.
* **fell below** (`weekly_from`): a daily filer "whose average total credits falls below $500
  million may elect to compute ... weekly", notifying its examining authority "at least 60
  calendar days before computing ... weekly" ((e)(3)(i)(B)(2)). Read as: the notice given at
  the earliest on the business day after the month-end computation whose average fell below;
  the earliest weekly computation is then as of the first last-business-day-of-a-week on or
  after the 60th calendar day after that notice. (The FOCUS report of that month-end is filed
  later; a firm that waits for it gives its notice later: the date is the earliest possible.)
* a voluntary daily filer (`parameters.daily_basis` voluntary, (e)(3)(v)) "must continue to
  compute ... daily unless a change is approved by its designated examining authority": the
  series reminds it of that (`reminders`), and a fall below $500 million does not free it.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from ..calendar import DAILY_COMPLIANCE_DATE, BusinessCalendar
from ..money import format_dollars
from .model import AVERAGE_MONTHS, THRESHOLD_CENTS, AverageTotalCredits, Crossing, Gap, MonthEnd, Run

RULE_DAILY = "Rule 15c3-3(e)(3)(i)(B)(1); SEC staff FAQ of 2025-12-08, Question 6 (non-computation days)"
RULE_WEEKLY = "Rule 15c3-3(e)(3)(i)(A)"
RULE_MONTHLY = "Rule 15c3-3(e)(3)(i)(C)"
RULE_NOT_BUSINESS = "Rule 15c3-3(e)(3)(i): a computation is as of the close of a business day"
RULE_REACHED = "Rule 15c3-3(e)(3)(i)(B)(1)"
RULE_FELL = "Rule 15c3-3(e)(3)(i)(B)(2)"
RULE_VOLUNTARY = "Rule 15c3-3(e)(3)(v)"
NOTICE_DAYS = 60
SIX_MONTHS = 6
RULE_COMPLIANCE = "Rule 15c3-3(e)(3)(i)(B)(1); compliance date 2026-06-30 (Release 34-103320)"


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def gaps(runs: Sequence[Run], calendar: BusinessCalendar) -> list[Gap]:
    """The gaps of the series (see the module docstring), in date order."""
    out: list[Gap] = []
    for r in runs:
        if not calendar.is_business_day(r.as_of):
            why = calendar.holiday_name(r.as_of) or r.as_of.strftime("%A")
            out.append(Gap("not a business day", r.as_of,
                           f"The computation as of {r.as_of.isoformat()} ({r.file}) is dated on a day that is not a "
                           f"business day ({why}).", RULE_NOT_BUSINESS))
    for a, b in zip(runs, runs[1:], strict=False):
        if b.frequency == "daily":
            d = a.as_of + timedelta(days=1)
            while d < b.as_of:
                if calendar.is_business_day(d) and calendar.non_computation_reason(d) is None:
                    out.append(Gap("missing business day", d,
                                   f"No computation as of {d.isoformat()} ({d.strftime('%A')}), a business day that "
                                   "is not a non-computation day, between the computations as of "
                                   f"{a.as_of.isoformat()} and {b.as_of.isoformat()} (computed daily).", RULE_DAILY))
                d += timedelta(days=1)
        elif b.frequency == "monthly":
            first = a.as_of.year * 12 + a.as_of.month
            for m in range(first + 1, b.as_of.year * 12 + b.as_of.month):
                y, mo = divmod(m - 1, 12)
                last = date(y, mo + 1, _cal.monthrange(y, mo + 1)[1])
                day = last if calendar.is_business_day(last) else calendar.previous_business_day(last)
                out.append(Gap("missing month", day, f"No computation for {y}-{mo + 1:02d} (the monthly computation "
                               f"as of the close of the last business day of the month, {day.isoformat()}).",
                               RULE_MONTHLY))
        else:
            weeks = (_week_start(b.as_of) - _week_start(a.as_of)).days // 7
            for k in range(1, weeks):
                monday = _week_start(a.as_of) + timedelta(days=7 * k)
                last = calendar.previous_business_day(monday + timedelta(days=7))
                if last >= monday:  # a week with a business day in it
                    out.append(Gap("missing week", last, f"No computation for the week of {monday.isoformat()}: the "
                                   f"weekly computation as of {last.isoformat()} (the close of the last business day "
                                   "of the week) is missing.", RULE_WEEKLY))
    return sorted(out, key=lambda g: (g.day, g.kind))


# ------------------------------------------------------------------------------ average total credits


def six_months_after(d: date, calendar: BusinessCalendar) -> date:
    """The day daily computation is required from, for an average that reached $500 million at
    the month-end computation as of `d` (the reading in the module docstring)."""
    m = d.month - 1 + SIX_MONTHS
    y, mo = d.year + m // 12, m % 12 + 1
    day = date(y, mo, min(d.day, _cal.monthrange(y, mo)[1]))
    return day if calendar.is_business_day(day) else calendar.next_business_day(day)


def weekly_from(d: date, calendar: BusinessCalendar) -> tuple[date, date]:
    """(the earliest notice, the earliest weekly computation) for an average that fell below
    $500 million at the month-end computation as of `d` (the reading in the module docstring)."""
    notice = calendar.next_business_day(d)
    day = notice + timedelta(days=NOTICE_DAYS)
    while not calendar.is_weekly_computation_date(day):
        day += timedelta(days=1)
    return notice, day


def mean_cents(totals: Sequence[int]) -> Decimal:
    """The arithmetic mean of `totals` (cents), a Decimal to 60 significant digits (no rounding to the cent)."""
    with localcontext() as ctx:
        ctx.prec = 60  # int64 sums of 12 terms divided by 12: exact to far more places than shown
        return Decimal(sum(totals)) / Decimal(len(totals))


def round_cents(x: Decimal) -> int:
    """`x` cents rounded half to even to the cent (the shown average)."""
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _month_ends(runs: Sequence[Run], calendar: BusinessCalendar, notes: list[str]) -> list[Run]:
    last: dict[tuple[int, int], Run] = {}
    for r in runs:
        last[(r.as_of.year, r.as_of.month)] = r  # runs are in date order: the last one stays
    ends = [last[k] for k in sorted(last)]
    if ends:
        r = ends[-1]
        y, m = r.as_of.year, r.as_of.month
        month_last = date(y, m, _cal.monthrange(y, m)[1])
        last_bd = month_last if calendar.is_business_day(month_last) else calendar.previous_business_day(month_last)
        while r.frequency == "daily" and calendar.non_computation_reason(last_bd) is not None:
            last_bd = calendar.previous_business_day(last_bd)  # a daily filer need not compute on it (FAQ Q6)
        if r.as_of < last_bd:
            notes.append(f"{y}-{m:02d} is not in the average: its last computation in the series, as of "
                         f"{r.as_of.isoformat()}, is before the month's last business day ({last_bd.isoformat()}), "
                         "so the series has no month-end computation for it yet.")
            ends = ends[:-1]
    return ends


def average_total_credits(runs: Sequence[Run], calendar: BusinessCalendar) -> AverageTotalCredits:
    """The month-end computations, the rolling average at each and its crossings of $500 million."""
    notes = ["The rule's average is of the customer and PAB total credits reported in the 12 most recently filed "
             "month-end FOCUS reports (Form X-17A-5); the series has the computations, not the filings, so it takes "
             "the last computation of each calendar month as that month-end's figures."]
    ends = _month_ends(runs, calendar, notes)
    rows: list[MonthEnd] = []
    window: list[int] = []  # the known month-end totals, oldest first
    for r in ends:
        cust, pab = r.figure("customer", "total_credits"), r.figure("pab", "total_credits")
        total = None if cust is None or pab is None else cust + pab
        if total is None:
            absent = " and ".join(n for n, v in (("customer", cust), ("PAB", pab)) if v is None)
            notes.append(f"The month-end computation as of {r.as_of.isoformat()} ({r.file}) has no {absent} total "
                         "credits in its report.json: that month is not in any average.")
        else:
            window = (window + [total])[-AVERAGE_MONTHS:]
        if window and total is not None:
            avg = mean_cents(window)
            rows.append(MonthEnd(f"{r.as_of.year}-{r.as_of.month:02d}", r.as_of, r.file, cust, pab, total,
                                 len(window), avg, round_cents(avg), sum(window) >= THRESHOLD_CENTS * len(window)))
        else:
            rows.append(MonthEnd(f"{r.as_of.year}-{r.as_of.month:02d}", r.as_of, r.file, cust, pab, total,
                                 len(window), None, None, None))
    crossings: list[Crossing] = []
    state: bool | None = None
    for me in rows:
        if me.reaches is None or me.average_cents is None:
            continue
        of = "the rule's 12 months" if me.months == AVERAGE_MONTHS else f"{me.months} month(s) only, not the rule's 12"
        if me.reaches and state is not True:
            since = " (or before: it is at or above $500 million at the series' first month-end)" if state is None else ""
            day = six_months_after(me.as_of, calendar)
            when = (f"from {day.isoformat()} (read as the same day of the month six months later, or the next "
                    "business day)")
            rule = RULE_REACHED
            if day < DAILY_COMPLIANCE_DATE:  # Release 34-103320: not before the compliance date
                when = (f"six months later would be {day.isoformat()}, before the rule's compliance date: from "
                        f"{DAILY_COMPLIANCE_DATE.isoformat()} (Release 34-103320)")
                day, rule = DAILY_COMPLIANCE_DATE, RULE_COMPLIANCE
            crossings.append(Crossing(
                "reached", me.as_of, me.months, me.average_cents, day,
                f"The average total credits reached $500 million at the month-end computation as of "
                f"{me.as_of.isoformat()}{since}: {format_dollars(me.average_cents)}, the mean of {of}. Daily "
                f"computation is required no later than six months after: {when}.", rule))
        elif not me.reaches and state is True:
            notice, day = weekly_from(me.as_of, calendar)
            crossings.append(Crossing(
                "fell below", me.as_of, me.months, me.average_cents, day,
                f"The average total credits fell below $500 million at the month-end computation as of "
                f"{me.as_of.isoformat()}: {format_dollars(me.average_cents)}, the mean of {of}. A firm computing "
                f"daily under (e)(3)(i)(B)(1) may then elect to compute weekly after 60 calendar days' written notice "
                f"to its examining authority: with the notice given {notice.isoformat()} (the next business day, the "
                f"earliest), the earliest weekly computation is as of {day.isoformat()}.", RULE_FELL))
        state = me.reaches
    latest = next((me for me in reversed(rows) if me.average_cents is not None), None)
    if latest is not None and latest.months < AVERAGE_MONTHS:
        notes.append(f"The series has {latest.months} month-end computation(s) with total credits, fewer than the "
                     f"rule's {AVERAGE_MONTHS}: each average shown is of the month-ends present (\"of N months\"), "
                     "not the rule's average.")
    if not rows:
        notes.append("The series has no month-end computation: no average total credits.")
    return AverageTotalCredits(tuple(rows), tuple(crossings), latest, tuple(notes))


def not_daily(runs: Sequence[Run], average: AverageTotalCredits) -> list[Gap]:
    """Computations not made daily when the series' own average says daily computation was
    required (Rule 15c3-3(e)(3)(i)(B)(1)): from each "reached" crossing's date until the
    earliest weekly computation a later "fell below" allows ((e)(3)(i)(B)(2)), each run whose
    `frequency` is not daily -- one Gap for the first, counting the rest (a missing day of a
    weekly filer is then not listed day by day: the finding is that it computes weekly)."""
    # Reading: the series' average stands in for the FOCUS filings' (see average_total_credits); a firm
    # whose own filings give another average can show it -- the series says what its reports imply.
    out: list[Gap] = []
    spans: list[tuple[date, date | None, Crossing]] = []
    for c in average.crossings:
        if c.direction == "reached":
            spans.append((c.date, None, c))
        elif spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], c.date, spans[-1][2])
    for start, end, c in spans:
        late = [r for r in runs if r.as_of >= start and (end is None or r.as_of < end) and r.frequency != "daily"]
        if late:
            first = late[0]
            more = f", and {len(late) - 1} later one(s)" if len(late) > 1 else ""
            out.append(Gap("not computed daily", first.as_of,
                           f"The computation as of {first.as_of.isoformat()} ({first.file}) is {first.frequency}"
                           f"{more}: the series' average total credits reached $500 million at the month-end as of "
                           f"{c.month_end.isoformat()}, so daily computation was required from {start.isoformat()}.",
                           c.rule))
    return out


def reminders(runs: Sequence[Run]) -> list[str]:
    """The voluntary daily filer's reminder ((e)(3)(v)), from the latest computation's parameters."""
    if runs and runs[-1].daily_basis == "voluntary":
        return [f"The latest computation ({runs[-1].as_of.isoformat()}) is a voluntary daily computation "
                f"(daily_basis voluntary, {RULE_VOLUNTARY}): having notified its examining authority of the election, "
                "the firm must continue to compute daily unless its examining authority approves a change -- whatever "
                "its average total credits."]
    return []
