"""Our readings of wording the rule leaves open — in one place, each named.

Every reading the computation relies on is declared here with the rule it interprets and
the choice made; the code that applies it refers to it by key, and the report lists all of
them under "Assumptions". To change a reading, change it here (and its test).
"""

from __future__ import annotations

READINGS: dict[str, tuple[str, str]] = {
    # key: (rule, reading)
    "rounding": (
        "Exhibit A (percentages)",
        "Amounts are exact cents. Where a percentage produces a fraction of a cent it is rounded in the "
        "direction that increases the reserve requirement: debit reductions (1%, 2%, 3%) and the 15% bank "
        "cap round down; exclusions of debits (Note E(6) shares), the 105% monthly deposit and a Note E(1) "
        "reduction given back or attributed to an account round up; the Note E(1) 15% threshold and Note E(5) 25% "
        "threshold round down. Note E(1)'s 140% cap rounds down, as its words say ('not more than 140 percent').",
    ),
    "e5_parenthetical": (
        "Note E(5)",
        "A single customer's margin debits (all margin accounts with one customer_id, omnibus accounts excluded, "
        "after Notes E(1), E(2), E(4), E(6), unsecured parts and doubtful accounts; accounts whose debit is "
        "demonstrated related to credits left out) that exceed 25% of tentative net capital are reduced by the "
        "whole excess when that excess is greater than $50,000; an excess of $50,000 or less is not reduced.",
    ),
    "e5_exception": (
        "Note E(5)",
        "DEA exceptions are read per customer from the customer's account rows: `plenary` removes the reduction; "
        "`partial` removes up to the sum of e5_exception_amount; `requested` keeps the debit in the formula for "
        "five business days counting the day of the request (the day itself if a business day, else the next "
        "business day, is day 1). Where a customer's rows disagree, plenary > requested (in its window) > partial > none.",
    ),
    "e5_applies_to_pab": (
        "PAB Notes 1, 3, 4",
        "Note E(5) applies in the PAB computation too (PAB Notes 3 and 4 remove only Notes E(1) and E(3)).",
    ),
    "e1_debit_basis": (
        "Note E(1)",
        "The margin accounts tested are customer margin accounts whose debit is in Item 10 after unsecured parts, "
        "doubtful accounts and Notes E(2), E(4), E(6). A security is collateral for an account only up to 140% of "
        "that account's debit (each security in the account capped separately, several rows of one security in one "
        "account summed first). The 15% test compares each non-exempted security's capped value across all margin "
        "accounts with 15% of the capped value of all securities (exempted ones included). The reduction is the "
        "excess, never more than the debits of the accounts that security collateralizes. Each security's reduction is "
        "attributed to the accounts holding it pro rata to their debits (rounded up); an account holding several "
        "concentrated securities never loses more than its whole debit (the reduction is limited and the rest "
        "given back), and Note E(5) is tested on each account's debit less its share.",
    ),
    "e6_bounds": (
        "Note E(6)",
        "Non-customer share under 5%: the whole debit stays; from 5% through 50% inclusive: the non-customer share "
        "of the debit is excluded; over 50%: the whole debit is excluded — unless the debit is demonstrated related "
        "to credits. The share applies to the debit after its unsecured part is removed.",
    ),
    "e2_omnibus": (
        "Note E(2)",
        "A special omnibus account's debit is reduced by its deficit less calls outstanding five business days or "
        "less (never below zero); an omnibus account with a credit (or zero) balance has its credit increased by "
        "that amount (Item 1).",
    ),
    "zero_balances": (
        "Items 1, 10",
        "An account with a zero balance is accounted for as excluded ('nothing to include').",
    ),
    "items_7_8_alternative": (
        "Rule 15c3-1(a)(1)(ii)(B)",
        "For an alternative-method firm, Items 7 and 8 take items more than 7 business days old, the age being the "
        "business days after open_date up to and including as_of (an item opened on day T is n business days old on "
        "T+n; one opened on a non-business day is already one day old on the next business day); otherwise over 30 "
        "calendar days.",
    ),
    "pab_note9_line": (
        "PAB Note 9",
        "Clearing deposits relating to other broker-dealers' proprietary business are a PAB debit shown with the "
        "other debits (Exhibit A has no numbered line for them); they are not flagged as unsupported other debits.",
    ),
    "pab_note7": (
        "PAB Note 7",
        "A pending-settlement deposit is excluded from PAB credits when it is $5,000,000 or more, or when the book's "
        "pab_note7_exclusion rows total $10,000,000 or more; the firm attests it was placed in a separate PAB "
        "reserve account by 12 p.m. ET the next business day.",
    ),
    "pab_note2": (
        "PAB Note 2",
        "Every row belongs to exactly one computation by its `book` column, so no credit is counted in both.",
    ),
    "monthly_105": (
        "Item 16; Rule 15c3-3(e)(3)(i)(C)",
        "With frequency `monthly` the customer computation's required deposit is 105% of its excess of credits "
        "(rounded up); the PAB computation's is its excess (Rule 15c3-3(e)(3)(iii) has no 105%). A monthly as_of "
        "that is not the month's last business day, and a monthly PAB computation in a book with customer "
        "accounts, are flagged for review.",
    ),
    "reduction": (
        "Note E(3); Rule 15c3-1(a)(1)(ii)(A); PAB Note 4",
        "Basic method: 1% of Item 10. Alternative method: 3% of aggregate debits, 2% when frequency is `daily` "
        "(required or voluntary daily computation). No reduction in the PAB computation.",
    ),
    "bank_cap": (
        "Rule 15c3-3(e)(5)",
        "Cash at an affiliated bank is excluded. Cash at a non-affiliated bank counts up to 15% of the bank's equity "
        "capital (rounded down), one cap per bank shared by the customer and PAB accounts there pro rata to their "
        "cash (each computation's share rounded down; within a computation, its share is spread over its accounts "
        "pro rata to their cash, the cents left by rounding going to the largest remainders). Where a bank's rows "
        "disagree on its equity capital, the smallest figure is used. Qualified securities are not capped. An "
        "account without the Rule 15c3-3(f) written notification counts for nothing.",
    ),
    "sweep": (
        "SEC staff FAQ 2025-12-08 Q5",
        "sweep_next_day credits reduce the customer deposit needed but never the required deposit used to "
        "decide a withdrawal.",
    ),
    "cross_margin": (
        "Cross-margining order, April 15, 2026",
        "A customer account marked cross_margin is outside both computations only when the firm attests all three "
        "cross_margin_* parameters; otherwise it stays in and the report says why. The order covers customer "
        "accounts: a PAB account marked cross_margin stays in the PAB computation, flagged for review.",
    ),
    "business_days": (
        "Rule 15c3-3 (business day undefined)",
        "Business days are weekdays on which the Federal Reserve Banks are open (holidays package, XFED calendar), "
        "less the book's extra holidays. Ageing in Items 4, 6-9 and 12 counts calendar days.",
    ),
    "daily_non_computation": (
        "SEC staff FAQ 2025-12-08 Q6",
        "A daily filer's non-computation days: weekday Federal Reserve holidays (the FAQ's 'Federal Holiday', "
        "read as the Fed's calendar: a Saturday holiday closes no Friday), Good Friday, and the FAQ's Additional "
        "Days (the Friday before MLK Day, Washington's Birthday, Memorial Day, Labor Day and Columbus Day; the "
        "Thursday before Good Friday; the Friday after Thanksgiving; the business day before Juneteenth, "
        "Independence Day and Christmas -- the Friday after when the holiday is a Thursday -- and before New Year's "
        "Day). A daily filer computing as of such a day is told so, not stopped.",
    ),
    "deadline": (
        "Rule 15c3-3(e)(3)",
        "The deposit is due one hour after the opening of banking business on the second business day after as_of; "
        "the report gives that date.",
    ),
    "enum_case": (
        "BOOK_FORMAT.md",
        "Enumerations (book, type, kind, ...) are matched without regard to case.",
    ),
}


def _merge_note_h() -> None:
    # Note H's readings are declared beside the code that applies them; listed here with the rest.
    from .note_h import NOTE_H_READINGS

    for k, v in NOTE_H_READINGS.items():
        READINGS.setdefault(k, v)


def assumptions(keys=None) -> list[dict]:
    _merge_note_h()
    keys = keys or READINGS.keys()
    return [{"key": k, "rule": READINGS[k][0], "reading": READINGS[k][1]} for k in keys]
