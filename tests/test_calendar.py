"""Tests for reserve.calendar (Rule 15c3-3(e)(3) deadlines; SEC staff FAQ 2025-12-08 Q6)."""

from datetime import date, datetime

import numpy as np
import pytest

from reserve.calendar import BUSDAY_COUNT_NAT, BusinessCalendar


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()


D = date.fromisoformat


# --------------------------------------------------------------- holidays

FED_2026 = [
    "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19",
    "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25",
]


def test_fed_holidays_2026_exactly(cal):
    # reading: business_days
    assert [d for d, _ in cal.holidays_in_year(2026)] == [D(s) for s in FED_2026]
    assert cal.holiday_name(D("2026-11-26")) == "Thanksgiving Day"
    for s in FED_2026:
        assert not cal.is_business_day(D(s))


def test_saturday_independence_day_not_observed_by_fed(cal):
    # 2026-07-04 is a Saturday; holidays.US() would add Friday 07-03, but the
    # Reserve Banks are open that day.
    assert D("2026-07-04").weekday() == 5
    assert cal.is_business_day(D("2026-07-03"))
    assert cal.holiday_name(D("2026-07-03")) is None


def test_sunday_holiday_observed_monday(cal):
    # Independence Day 2027 is a Sunday -> Fed closed Monday 2027-07-05.
    assert not cal.is_business_day(D("2027-07-05"))
    assert cal.holiday_name(D("2027-07-05")) == "Independence Day (observed)"


def test_good_friday_is_a_business_day(cal):
    assert cal.is_business_day(D("2026-04-03"))


def test_years_1990_to_2100_work(cal):
    assert not cal.is_business_day(D("1990-12-25"))
    assert not cal.is_business_day(D("1995-01-02"))  # Jan 1 1995 Sunday -> observed Monday
    assert cal.is_business_day(D("2100-12-24"))  # Christmas 2100 is a Saturday
    assert cal.business_days(1990) and cal.business_days(2100)
    cal.daily_non_computation_days(1990)
    cal.daily_non_computation_days(2100)
    with pytest.raises(ValueError):  # the range is 1900-2199 (with a year's margin): tests/test_dates_bounds.py
        cal.is_business_day(D("1898-06-01"))
    # The last days of 2100 have their deadlines in 2101 (Jan 1, 2101 is a Saturday: no
    # Fed holiday; Monday Jan 3 is the first business day), and Friday Dec 31, 2100 is the
    # business day before New Year's Day.
    assert cal.deposit_deadline(D("2100-12-30")) == D("2101-01-03")
    assert cal.deposit_deadline(D("2100-12-31")) == D("2101-01-04")
    assert "New Year" in cal.non_computation_reason(D("2100-12-31"))
    assert cal.calendar_rows(2100)[-1]["deposit_deadline"] == D("2101-01-04")


# ---------------------------------------------------------- business days

def test_next_and_add_business_days(cal):
    assert cal.next_business_day(D("2026-11-25")) == D("2026-11-27")
    assert cal.next_business_day(D("2026-11-21")) == D("2026-11-23")  # Saturday
    assert cal.add_business_days(D("2026-11-20"), 0) == D("2026-11-20")
    assert cal.add_business_days(D("2026-11-20"), 1) == D("2026-11-23")
    assert cal.add_business_days(D("2026-11-20"), 5) == D("2026-11-30")
    assert cal.add_business_days(datetime(2026, 11, 20, 17, 0), 1) == D("2026-11-23")


def test_business_days_between(cal):
    # [Mon 11-23, Mon 11-30): 23, 24, 25, 27 (26 Thanksgiving)
    assert cal.business_days_between(D("2026-11-23"), D("2026-11-30")) == 4
    assert cal.business_days_between(D("2026-11-23"), D("2026-11-23")) == 0
    # reversed range: minus the count of (end, start], as numpy.busday_count
    assert cal.business_days_between(D("2026-11-30"), D("2026-11-23")) == -4
    assert cal.business_days_between(D("2026-11-22"), D("2026-11-20")) == 0
    assert cal.business_days_between(D("2026-11-23"), D("2026-11-20")) == -1
    assert len(cal.business_days(2026)) == cal.business_days_between(D("2026-01-01"), D("2027-01-01"))


# ------------------------------------------------------- deposit deadline

@pytest.mark.parametrize(
    "as_of, deadline",
    [
        ("2026-11-20", "2026-11-24"),  # Friday -> Tuesday
        # Wednesday -> Monday: Thanksgiving 11-26 skipped, Fri 11-27 is the *first*
        # following business day, Mon 11-30 the second.
        ("2026-11-25", "2026-11-30"),
        ("2026-12-24", "2026-12-29"),  # Thursday -> Tuesday (Christmas Friday 12-25 skipped)
        ("2026-12-31", "2027-01-05"),  # Thursday -> Tuesday (New Year Friday 2027-01-01 skipped)
        ("2026-07-02", "2026-07-06"),  # Thursday -> Monday (Fri 07-03 is a business day)
        ("2026-11-21", "2026-11-24"),  # Saturday as_of: count strictly after it (Mon, Tue)
        ("2026-11-26", "2026-11-30"),  # holiday as_of: Fri 27, Mon 30
    ],
)
def test_deposit_deadline(cal, as_of, deadline):
    # reading: deadline
    assert cal.deposit_deadline(D(as_of)) == D(deadline)


def test_book_holiday_moves_deadline():
    book = BusinessCalendar([(D("2026-11-23"), "Firm closure")])
    assert not book.is_business_day(D("2026-11-23"))
    assert book.holiday_name(D("2026-11-23")) == "Firm closure"
    assert book.deposit_deadline(D("2026-11-20")) == D("2026-11-25")
    plain = BusinessCalendar([D("2026-11-24")])
    assert plain.holiday_name(D("2026-11-24")) == "Book holiday"
    assert plain.deposit_deadline(D("2026-11-20")) == D("2026-11-25")
    assert D("2026-11-23") in [d for d, _ in book.holidays_in_year(2026)]


# -------------------------------------------------------- weekly computation

def test_weekly_computation_dates(cal):
    weekly = cal.weekly_computation_dates(2026)
    assert D("2026-11-20") in weekly  # ordinary Friday
    assert D("2026-12-24") in weekly and D("2026-12-25") not in weekly  # Friday Christmas
    # Week Mon 2026-12-28 .. Sun 2027-01-03: Friday 2027-01-01 is New Year's Day.
    assert weekly[-1] == D("2026-12-31")
    assert cal.weekly_computation_dates(2027)[0] == D("2027-01-08")
    # 2027-11-26 is the Friday after Thanksgiving: a business day, so still the date.
    assert D("2027-11-26") in cal.weekly_computation_dates(2027)
    # 2026-07-03 (Friday; Independence Day is Saturday) is a business day.
    assert D("2026-07-03") in weekly
    # 53: 2026-01-02 (week from Mon 2025-12-29) through 2026-12-31.
    assert len(weekly) == 53 and weekly[0] == D("2026-01-02")
    # Fridays that are holidays in 2026: Juneteenth 06-19, Christmas 12-25, and
    # New Year 2027-01-01 -> Thursdays 06-18, 12-24, 12-31.
    thursdays = [D("2026-06-18"), D("2026-12-24"), D("2026-12-31")]
    assert [d for d in weekly if d.weekday() != 4] == thursdays


def test_weekly_with_book_holiday_friday():
    book = BusinessCalendar([D("2026-11-27")])
    assert D("2026-11-25") in book.weekly_computation_dates(2026)


# ------------------------------------------------- FAQ Q6 non-computation days

def test_faq_q6_2025(cal):
    # reading: daily_non_computation
    expected = [
        ("2025-01-01", "Federal holiday"),   # New Year's Day (Wednesday)
        ("2025-01-17", "Additional Day"),    # Friday before MLK Day (Mon 01-20)
        ("2025-01-20", "Federal holiday"),
        ("2025-02-14", "Additional Day"),    # Friday before Washington's Birthday (02-17)
        ("2025-02-17", "Federal holiday"),
        ("2025-04-17", "Additional Day"),    # Thursday before Good Friday
        ("2025-04-18", "Good Friday"),       # Easter 2025-04-20
        ("2025-05-23", "Additional Day"),    # Friday before Memorial Day (05-26)
        ("2025-05-26", "Federal holiday"),
        ("2025-06-19", "Federal holiday"),   # Juneteenth is a Thursday ...
        ("2025-06-20", "Additional Day"),    # ... so the Friday after, not Wed 06-18
        ("2025-07-03", "Additional Day"),    # business day before Fri 07-04
        ("2025-07-04", "Federal holiday"),
        ("2025-08-29", "Additional Day"),    # Friday before Labor Day (09-01)
        ("2025-09-01", "Federal holiday"),
        ("2025-10-10", "Additional Day"),    # Friday before Columbus Day (10-13)
        ("2025-10-13", "Federal holiday"),
        ("2025-11-11", "Federal holiday"),   # Veterans Day (no Additional Day)
        ("2025-11-27", "Federal holiday"),   # Thanksgiving
        ("2025-11-28", "Additional Day"),    # Friday after Thanksgiving
        ("2025-12-25", "Federal holiday"),   # Christmas is a Thursday ...
        ("2025-12-26", "Additional Day"),    # ... so the Friday after, not Wed 12-24
        ("2025-12-31", "Additional Day"),    # business day before New Year's Day 2026
    ]
    got = cal.daily_non_computation_days(2025)
    assert [d for d, _ in got] == [D(s) for s, _ in expected]
    for (d, reason), (_, kind) in zip(got, expected, strict=True):
        assert reason.startswith(kind), (d, reason)
    assert "Juneteenth" in cal.non_computation_reason(D("2025-06-20"))
    assert "Christmas" in cal.non_computation_reason(D("2025-12-26"))
    assert cal.non_computation_reason(D("2025-12-24")) is None


def test_faq_q6_2026(cal):
    expected = [
        "2026-01-01",  # New Year's Day (Thursday; NY is not subject to the Thursday rule)
        "2026-01-16",  # Friday before MLK Day (Mon 01-19)
        "2026-01-19",
        "2026-02-13",  # Friday before Washington's Birthday (02-16)
        "2026-02-16",
        "2026-04-02",  # Thursday before Good Friday
        "2026-04-03",  # Good Friday (Easter 2026-04-05)
        "2026-05-22",  # Friday before Memorial Day (05-25)
        "2026-05-25",
        "2026-06-18",  # business day before Juneteenth (Friday 06-19)
        "2026-06-19",
        "2026-07-03",  # business day before Independence Day (Saturday 07-04);
                       # 07-04 itself is a Saturday, so it is not listed
        "2026-09-04",  # Friday before Labor Day (09-07)
        "2026-09-07",
        "2026-10-09",  # Friday before Columbus Day (10-12)
        "2026-10-12",
        "2026-11-11",  # Veterans Day (Wednesday)
        "2026-11-26",  # Thanksgiving
        "2026-11-27",  # Friday after Thanksgiving
        "2026-12-24",  # business day before Christmas (Friday 12-25)
        "2026-12-25",
        "2026-12-31",  # business day before New Year's Day 2027 (Friday)
    ]
    got = cal.daily_non_computation_days(2026)
    assert [d for d, _ in got] == [D(s) for s in expected]
    assert cal.non_computation_reason(D("2026-07-03")) == (
        "Additional Day: Business day before Independence Day"
    )
    assert cal.non_computation_reason(D("2026-04-03")) == "Good Friday"
    assert cal.non_computation_reason(D("2026-11-20")) is None


def test_faq_q6_weekend_holidays(cal):
    # Juneteenth 2027 is a Saturday: business day before it is Friday 06-18.
    assert "Juneteenth" in cal.non_computation_reason(D("2027-06-18"))
    # Independence Day 2027 is a Sunday (Fed closed Monday 07-05): Friday 07-02.
    assert "Independence Day" in cal.non_computation_reason(D("2027-07-02"))
    assert cal.non_computation_reason(D("2027-07-05")).startswith("Federal holiday")
    # Christmas 2027 is a Saturday: Friday 12-24; New Year 2028 Saturday: Friday 12-31.
    assert "Christmas" in cal.non_computation_reason(D("2027-12-24"))
    assert "New Year" in cal.non_computation_reason(D("2027-12-31"))
    # Christmas 2022 Sunday (Fed closed Mon 12-26): Friday 12-23.
    assert "Christmas" in cal.non_computation_reason(D("2022-12-23"))
    # New Year's Day 2022 was a Saturday: the Additional Day is Friday 2021-12-31.
    assert "New Year" in cal.non_computation_reason(D("2021-12-31"))


def test_faq_q6_skips_book_holidays():
    book = BusinessCalendar([D("2026-11-27")])
    assert book.non_computation_reason(D("2026-11-27")) is None


# ------------------------------------------------------------- vectorised

def test_busday_count_matches_scalar(cal):
    rng = np.random.default_rng(15)
    starts = np.datetime64("2025-01-01") + rng.integers(0, 1100, 300).astype("timedelta64[D]")
    ends = starts + rng.integers(-40, 400, 300).astype("timedelta64[D]")
    got = cal.busday_count(starts, ends)
    want = [
        cal.business_days_between(D(str(s)), D(str(e))) for s, e in zip(starts, ends, strict=True)
    ]
    assert got.tolist() == want


def test_busday_count_nat_and_units():
    book = BusinessCalendar([D("2026-11-23")])
    starts = np.array(["2026-11-20", "NaT", "2026-11-20"], dtype="datetime64[ns]")
    ends = np.array(["2026-11-30", "2026-11-30", "NaT"], dtype="datetime64[D]")
    out = book.busday_count(starts, ends)
    # [Fri 11-20, Mon 11-30): 20, 24, 25, 27 (23 book holiday, 26 Thanksgiving)
    assert out.tolist() == [4, BUSDAY_COUNT_NAT, BUSDAY_COUNT_NAT]
    assert out.dtype == np.int64
    all_nat = np.array(["NaT"], dtype="datetime64[D]")
    assert book.busday_count(all_nat, all_nat).tolist() == [BUSDAY_COUNT_NAT]
    # broadcasting against a scalar end date
    assert book.busday_count(starts[:1], np.datetime64("2026-11-24")).tolist() == [1]


# ----------------------------------------------------------- calendar rows

def test_calendar_rows(cal):
    rows = cal.calendar_rows(2026)
    assert len(rows) == len(cal.business_days(2026))
    by_date = {r["date"]: r for r in rows}
    r = by_date[D("2026-12-24")]
    assert r == {
        "date": D("2026-12-24"),
        "weekday": "Thursday",
        "weekly_computation": True,
        "daily_non_computation": "Additional Day: Business day before Christmas Day",
        "deposit_deadline": D("2026-12-29"),
    }
    assert by_date[D("2026-11-18")]["daily_non_computation"] == ""
    assert by_date[D("2026-11-18")]["weekly_computation"] is False
    assert D("2026-11-26") not in by_date


def test_cache_is_lazy():
    c = BusinessCalendar()
    assert c._fed_cache == {}
    c.is_business_day(D("2026-05-01"))
    assert set(c._fed_cache) == {2026}
