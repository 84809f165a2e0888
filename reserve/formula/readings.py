"""Our readings of wording the rule leaves open — in one place, each named.

Every reading the computation relies on is declared here with the rule it interprets and
the choice made; the code that applies it refers to it by key, and the report lists all of
them under "Assumptions". To change a reading, change it here (and its test).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """One reading of wording the rule leaves open.

    id: the key the code and the tests cite it by, as ``(reading: <id>)``.
    rule: the provision it interprets (a citation, e.g. "Note E(5)").
    text: the reading chosen, as the report's Assumptions print it.
    applied_by: the functions (``module:function``) that apply it.
    tests: the tests (``tests/file.py::test``) that pin it.
    """

    id: str
    rule: str
    text: str
    applied_by: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()


_GENERAL: tuple[Reading, ...] = (
    Reading(
        'rounding',
        'Exhibit A (percentages, shares, caps); reserve/money.py share',
        'Amounts are exact cents. Every percentage, share and cap goes through one helper (money.share) that '
        "is told the amount's effect on the requirement and rounds its fraction of a cent toward the higher "
        'requirement: up for a reduction of debits or an exclusion from debits (the 1% of Note E(3), the 2% '
        'and 3% of Rule 15c3-1(a)(1)(ii)(A), a Note E(6) non-customer share) and for the required deposit '
        '(the 105% of a monthly computation); down for an amount that adds to debits (a Note E(1) reduction '
        'given back to Item 10), for an amount taken off a debit before Note E(5) is measured on it (each '
        "account's share of the Note E(1) reductions), for the thresholds above which debits are reduced "
        '(Note E(1) 15%, Note E(5) 25%) and for what counts on deposit (the Rule 15c3-3(e)(5) 15% bank cap '
        "and each computation's and account's share of it). Note E(1)'s 140% cap feeds both a security's "
        "excess and the 15% base, so the rule's words decide: 'not more than 140 percent', rounded down. The "
        "1% of Rule 15c3-1(a)(1)(ii)(D), a deduction from net worth shown for the firm's net capital, rounds "
        'up.',
        applied_by=(
            "reserve.formula.computation:debit_reduction",
            "reserve.formula.note_e:note_e3_one_percent",
            "reserve.formula.note_e:_E1Values",
            "reserve.formula.note_e:_e1_account_cap",
        ),
        tests=(
            "tests/test_formula_credits_debits.py::test_item_10_unsecured_doubtful_e4_e6",
            "tests/test_rounding.py::test_formula_code_rounds_only_through_the_helper",
            "tests/test_rounding.py::test_three_percent_reduction_rounds_up",
            "tests/test_rounding.py::test_two_percent_reduction_rounds_up",
            "tests/test_rounding.py::test_one_percent_reduction_rounds_up",
            "tests/test_rounding.py::test_105_percent_monthly_rounds_up",
            "tests/test_rounding.py::test_140_percent_cap_rounds_down",
            "tests/test_rounding.py::test_note_e1_15_percent_threshold_rounds_down",
            "tests/test_rounding.py::test_note_e5_25_percent_threshold_rounds_down",
            "tests/test_rounding.py::test_note_e1_share_taken_off_before_note_e5_rounds_down",
            "tests/test_rounding.py::test_note_e1_amount_given_back_rounds_down",
            "tests/test_rounding.py::test_note_e6_share_rounds_up",
            "tests/test_rounding.py::test_bank_15_percent_cap_rounds_down",
            "tests/test_rounding.py::test_bank_cap_pro_rata_shares_round_down",
            "tests/test_rounding.py::test_net_capital_one_percent_rounds_up",
        ),
    ),
    Reading(
        'e5_parenthetical',
        'Note E(5)',
        "A single customer's margin debits (all margin accounts with one customer_id, omnibus accounts "
        'excluded, after Notes E(1), E(2), E(4), E(6), unsecured parts and doubtful accounts; accounts whose '
        'debit is demonstrated related to credits left out) that exceed 25% of tentative net capital are '
        'reduced by the whole excess when that excess is greater than $50,000; an excess of $50,000 or less '
        'is not reduced.',
        applied_by=(
            "reserve.formula.computation:_note_e5",
            "reserve.formula.note_e:note_e5_single_customer",
        ),
        tests=(
            "tests/test_formula_credits_debits.py::test_note_e5_applies_to_the_debits_left_after_note_e1",
            "tests/test_formula_credits_debits.py::test_note_e5_single_customer",
        ),
    ),
    Reading(
        'e5_exception',
        'Note E(5)',
        "DEA exceptions are read per customer from the customer's account rows: `plenary` removes the "
        'reduction; `partial` removes up to the sum of e5_exception_amount; `requested` keeps the debit in '
        'the formula for five business days counting the day of the request (the day itself if a business '
        "day, else the next business day, is day 1). The exception is the customer's: where its rows "
        'disagree, the one that favours the firm least is taken (none < partial < requested < plenary; requested '
        'in its window only if every row requesting is) and a review finding names the disagreement. A request '
        'dated after the computation date was not pending on it: the reduction is taken, and the finding says so.',
        applied_by=(
            "reserve.formula.note_e:note_e5_single_customer",
            "reserve.formula.note_e:_e5_customers",
            "reserve.formula.note_e:_e5_customer",
        ),
        tests=("tests/test_formula_credits_debits.py::test_note_e5_exceptions",
               "tests/test_formula_credits_debits.py::test_note_e5_exceptions_disagreeing_take_the_least_favourable",
               "tests/test_formula_credits_debits.py::test_note_e5_a_request_dated_after_the_computation_date_was_not_pending"),
    ),
    Reading(
        'e5_applies_to_pab',
        'PAB Notes 1, 3, 4',
        'Note E(5) applies in the PAB computation too (PAB Notes 3 and 4 remove only Notes E(1) and E(3)).',
        applied_by=("reserve.formula.note_e:note_e5_single_customer",),
        tests=("tests/test_rule_facts.py::test_note_e5_applies_in_the_pab_computation",),
    ),
    Reading(
        'e1_debit_basis',
        'Note E(1)',
        'The margin accounts tested are customer margin accounts whose debit is in Item 10 after unsecured '
        'parts, doubtful accounts and Notes E(2), E(4), E(6). A security is collateral for an account only up'
        " to 140% of that account's debit (each security in the account capped separately, several rows of "
        "one security in one account summed first). The 15% test compares each non-exempted security's capped"
        ' value across all margin accounts with 15% of the capped value of all securities (exempted ones '
        'included). The reduction is the excess, never more than the debits of the accounts that security '
        "collateralizes. Each security's reduction is attributed to the accounts holding it pro rata to their"
        ' debits (exact fractions); an account holding several concentrated securities never loses more than '
        'its whole debit (the reduction is limited and the rest given back), and Note E(5) is tested on each '
        "account's debit less its share.",
        applied_by=(
            "reserve.formula.note_e:_E1Values",
            "reserve.formula.note_e:E1Shares",
            "reserve.formula.note_e:_e5_customers",
        ),
        tests=(
            "tests/test_formula_credits_debits.py::test_note_e5_applies_to_the_debits_left_after_note_e1",
            "tests/test_rounding.py::test_note_e1_share_taken_off_before_note_e5_rounds_down",
            "tests/test_rounding.py::test_note_e1_amount_given_back_rounds_down",
        ),
    ),
    Reading(
        'e6_bounds',
        'Note E(6)',
        'Non-customer share under 5%: the whole debit stays; from 5% through 50% inclusive: the non-customer '
        'share of the debit is excluded; over 50%: the whole debit is excluded — unless the debit is '
        'demonstrated related to credits. The share applies to the debit after its unsecured part is removed.',
        applied_by=(
            "reserve.formula.debits:item_10_debit_balances",
            "reserve.formula.note_e:note_e6_joint_accounts",
        ),
        tests=(
            "tests/test_formula_credits_debits.py::test_item_10_unsecured_doubtful_e4_e6",
            "tests/test_rounding.py::test_note_e6_share_rounds_up",
        ),
    ),
    Reading(
        'e2_omnibus',
        'Note E(2)',
        "A special omnibus account's debit is reduced by its deficit less calls outstanding five business "
        'days or less (never below zero); an omnibus account with a credit (or zero) balance has its credit '
        'increased by that amount (Item 1).',
        applied_by=(
            "reserve.formula.credits:item_1_credit_balances",
            "reserve.formula.debits:item_10_debit_balances",
            "reserve.formula.note_e:note_e2_deficit_less_calls",
        ),
        tests=("tests/test_formula_credits_debits.py::test_note_e2_special_omnibus",),
    ),
    Reading(
        'zero_balances',
        'Items 1, 10',
        "An account with a zero balance is accounted for as excluded ('nothing to include').",
        applied_by=("reserve.formula.credits:item_1_credit_balances",),
        tests=(
            "tests/test_formula_credits_debits.py::test_item_1_credit_balances_and_note_a_drafts",
            "tests/test_formula_credits_debits.py::test_every_row_accounted_for",
        ),
    ),
    Reading(
        'items_7_8_alternative',
        'Rule 15c3-1(a)(1)(ii)(B)',
        'For an alternative-method firm, Items 7 and 8 take items more than 7 business days old, the age '
        'being the business days after open_date up to and including as_of (an item opened on day T is n '
        'business days old on T+n; one opened on a non-business day is already one day old on the next '
        'business day); otherwise over 30 calendar days.',
        applied_by=(
            "reserve.formula.credits:_items_7_8_age",
            "reserve.formula.item_rows:ItemRows",
        ),
        tests=("tests/test_formula_credits_debits.py::test_items_7_and_8_alternative_method_seven_business_days",),
    ),
    Reading(
        'pab_note9_line',
        'PAB Note 9',
        "Clearing deposits relating to other broker-dealers' proprietary business are a PAB debit shown with "
        'the other debits (Exhibit A has no numbered line for them); they are not flagged as unsupported '
        'other debits.',
        applied_by=("reserve.formula.pab:pab_note_9_clearing_deposits",),
        tests=("tests/test_rule_facts.py::test_pab_note_9_clearing_deposits_are_other_debits_not_flagged",),
    ),
    Reading(
        'pab_note7',
        'PAB Note 7',
        'A deposit received before a transaction pending settlement is excluded from PAB credits only when '
        "every condition is stated and met: its transaction's deposits (same transaction_id; a row without "
        "one stands alone) total $5,000,000 or more, or its broker-dealer's such deposits (same broker_id; a "
        'row without one stands alone) total $10,000,000 or more in aggregate; it names the separate PAB '
        'Reserve Bank Account holding it (reserve_bank_account_id: a PAB account marked pab_note7_account); '
        'and it was placed there (placed_on) before the business day after it was received (open_date), or on'
        ' that day by 12 p.m. ET (placed_by_noon), and not after prepared_on. A row lacking any of these -- '
        'every row of a book written before these columns existed -- stays a credit (the higher requirement),'
        ' each listed for review.',
        applied_by=("reserve.formula.pab:pab_note_7_pending_settlement",),
        tests=(
            "tests/test_formula_credits_debits.py::test_pab_notes_5_7_8_9",
            "tests/test_formula_credits_debits.py::test_pab_notes_7_8_without_their_conditions_give_nothing",
            "tests/test_rule_facts.py::test_pab_note_7_size_timing_and_the_separate_account",
        ),
    ),
    Reading(
        'pab_note7_account',
        'PAB Note 7; Rule 15c3-3(e)',
        'The Note 7 deposits excluded from PAB credits have left the computation, so the money representing '
        "them does not also count on deposit: the separate PAB account's counted amount (after the Rule "
        '15c3-3(e)(5) cap) is reduced by the excluded deposits that name it; the rest of the account counts.',
        applied_by=(
            "reserve.formula.pab:pab_note_7_pending_settlement",
            "reserve.formula.reserve_bank:reserve_bank_on_deposit",
            "reserve.formula.reserve_bank:pab_note_7_held_deposits",
        ),
        tests=(
            "tests/test_formula_credits_debits.py::test_pab_notes_5_7_8_9",
            "tests/test_rule_facts.py::test_pab_note_7_size_timing_and_the_separate_account",
        ),
    ),
    Reading(
        'pab_note2',
        'PAB Note 2',
        'Every row belongs to exactly one computation by its `book` column, so no credit is counted in both.',
        applied_by=("reserve.formula.pab:pab_note_2_one_computation",),
        tests=("tests/test_rule_facts.py::test_each_row_is_in_one_computation",),
    ),
    Reading(
        'monthly_105',
        'Item 16; Rule 15c3-3(e)(3)(i)(C)',
        "With frequency `monthly` the customer computation's required deposit is 105% of its excess of "
        "credits (rounded up); the PAB computation's is its excess (Rule 15c3-3(e)(3)(iii) has no 105%). A "
        "monthly as_of that is not the month's last business day, and a monthly PAB computation in a book "
        'with customer accounts, are flagged for review.',
        applied_by=("reserve.formula.computation:monthly_105",),
        tests=(
            "tests/test_formula_credits_debits.py::test_daily_two_percent_and_monthly_105",
            "tests/test_rounding.py::test_105_percent_monthly_rounds_up",
        ),
    ),
    Reading(
        'reduction',
        'Note E(3); Rule 15c3-1(a)(1)(ii)(A); PAB Note 4',
        'Basic method: 1% of Item 10. Alternative method: 3% of aggregate debits, 2% for a firm computing '
        'daily (see daily_basis). No reduction in the PAB computation.',
        applied_by=(
            "reserve.formula.computation:debit_reduction",
            "reserve.formula.pab:pab_note_4_no_reduction",
        ),
        tests=(
            "tests/test_formula_credits_debits.py::test_other_lines_sweep_and_reduction",
            "tests/test_formula_credits_debits.py::test_daily_two_percent_and_monthly_105",
            "tests/test_rule_facts.py::test_daily_computation_basis_decides_2_or_3_percent",
        ),
    ),
    Reading(
        'daily_basis',
        'Rule 15c3-1(a)(1)(ii)(A); Rule 15c3-3(e)(3)(i)(B)(1), (e)(3)(v)',
        'With frequency daily, the 2% reduction applies when the firm must compute daily (daily_basis '
        'required, or average_total_credits of $500 million or more, whatever daily_basis says) and as_of is '
        'on or after 2026-06-30, the compliance date Release 34-103320 set; and, for a voluntary daily '
        'computer, from the 30th calendar day after the date of its written notice to its designated '
        'examining authority (as_of on or after daily_notice_date + 30 days); before that it takes 3%. A '
        'voluntary basis needs the notice date. '
        'Before 2026-06-30 a firm that must soon compute daily does so by choice (SEC staff FAQ 2025-12-08, '
        'Q1 and Q3): it takes 2% only on the voluntary terms, notice included. Before 2025-03-14, the '
        'effective date of the daily amendments (Release 34-102022), a daily book takes 3%. The 2% '
        'reduction is the smaller one: it leaves more debits and so gives the lower requirement, a benefit '
        'the book must earn. A daily book that does not say why it computes daily (written before '
        'daily_basis existed) gets 2%, as SPEC reads frequency daily, flagged for review. Average total '
        'credits of $500 million or more are reported as making daily computation required (severe when the '
        'book is not daily); before 2026-06-30, as required from that date (a review finding: not yet in '
        'force).',
        applied_by=(
            "reserve.formula.computation:voluntary_daily_start",
            "reserve.formula.computation:_required_daily_in_force",
            "reserve.formula.computation:_alternative_pct",
            "reserve.formula.computation:_daily_findings",
        ),
        tests=(
            "tests/test_formula_credits_debits.py::test_daily_two_percent_and_monthly_105",
            "tests/test_rule_facts.py::test_daily_computation_basis_decides_2_or_3_percent",
            "tests/test_rule_facts.py::test_average_total_credits_of_500_million_make_daily_required",
            "tests/test_rule_facts.py::test_before_the_compliance_date_daily_is_coming_not_in_force",
            "tests/test_rule_facts.py::test_before_the_compliance_date_required_daily_takes_2_percent_only_on_the_voluntary_terms",
            "tests/test_rule_facts.py::test_on_the_compliance_date_required_daily_takes_2_percent_without_notice",
            "tests/test_rule_facts.py::test_before_the_daily_amendments_took_effect_a_daily_book_takes_3_percent",
        ),
    ),
    Reading(
        'bank_cap',
        'Rule 15c3-3(e)(5)',
        "Cash at an affiliated bank is excluded. Cash at a non-affiliated bank counts up to 15% of the bank's"
        ' equity capital (rounded down), one cap per bank shared by the customer and PAB accounts there pro '
        "rata to their cash (each computation's share rounded down; within a computation, its share is spread"
        ' over its accounts pro rata to their cash, the cents left by rounding going to the largest '
        "remainders). Where a bank's rows disagree on its equity capital, the smallest figure is used. "
        'Qualified securities are not capped. An account without the Rule 15c3-3(f) written notification '
        'counts for nothing.',
        applied_by=("reserve.formula.reserve_bank:bank_cap_e5",),
        tests=(
            "tests/test_rounding.py::test_bank_15_percent_cap_rounds_down",
            "tests/test_rounding.py::test_bank_cap_pro_rata_shares_round_down",
        ),
    ),
    Reading(
        'sweep',
        'SEC staff FAQ 2025-12-08 Q5',
        'sweep_next_day credits reduce the customer deposit needed but never the required deposit used to '
        'decide a withdrawal.',
        applied_by=(
            "reserve.formula.computation:deposit_needed",
            "reserve.formula.credits:sweep_next_day",
        ),
        tests=("tests/test_formula_credits_debits.py::test_other_lines_sweep_and_reduction",),
    ),
    Reading(
        'cross_margin',
        'Cross-margining order, April 15, 2026',
        'A customer account marked cross_margin is outside both computations only when the firm attests all '
        'three cross_margin_* parameters; otherwise it stays in and the report says why. The order covers '
        'customer accounts: a PAB account marked cross_margin stays in the PAB computation, flagged for '
        'review.',
        applied_by=("reserve.formula.scope:cross_margin_order",),
        tests=("tests/test_formula_credits_debits.py::test_noncustomer_and_cross_margin",),
    ),
    Reading(
        'business_days',
        'Rule 15c3-3 (business day undefined)',
        'Business days are weekdays on which the Federal Reserve Banks are open (holidays package, XFED '
        "calendar), less the book's extra holidays. Ageing in Items 4, 6-9 and 12 counts calendar days.",
        applied_by=("reserve.formula.computation:calendar_for",),
        tests=(
            "tests/test_calendar.py::test_fed_holidays_2026_exactly",
            "tests/test_formula_credits_debits.py::test_items_7_and_8_alternative_method_seven_business_days",
        ),
    ),
    Reading(
        'daily_non_computation',
        'SEC staff FAQ 2025-12-08 Q6',
        "A daily filer's non-computation days: weekday Federal Reserve holidays (the FAQ's 'Federal Holiday',"
        " read as the Fed's calendar: a Saturday holiday closes no Friday), Good Friday, and the FAQ's "
        "Additional Days (the Friday before MLK Day, Washington's Birthday, Memorial Day, Labor Day and "
        'Columbus Day; the Thursday before Good Friday; the Friday after Thanksgiving; the business day '
        'before Juneteenth, Independence Day and Christmas -- the Friday after when the holiday is a Thursday'
        " -- and before New Year's Day). A daily filer computing as of such a day is told so, not stopped.",
        applied_by=("reserve.formula.computation:frequency_findings",),
        tests=("tests/test_calendar.py::test_faq_q6_2025",),
    ),
    Reading(
        'deadline',
        'Rule 15c3-3(e)(3)',
        'The deposit is due one hour after the opening of banking business on the second business day after '
        'as_of; the report gives that date.',
        applied_by=("reserve.formula.computation:computations",),
        tests=("tests/test_calendar.py::test_deposit_deadline",),
    ),
    Reading(
        'enum_case',
        'BOOK_FORMAT.md',
        'Enumerations (book, type, kind, ...) are matched without regard to case.',
        applied_by=("reserve.book.convert:_convert_enum",),
        tests=("tests/test_loader.py::test_enumeration_case_insensitive",),
    ),
    Reading(
        'id_case',
        'BOOK_FORMAT.md',
        'Identifiers are matched exactly, case included; two ids of one identifier column that differ only '
        'in case (OAKMONT and oakmont), in one file or in two files of one table, are refused, both named: as two keys they would split a customer '
        "(Note E(5)), a bank (Rule 15c3-3(e)(5)'s 15% limit) or a security (Note E(1)), or count a row twice.",
        applied_by=("reserve.book.convert:_case_clashes", "reserve.book.convert:_case_clashes_across_files"),
        tests=("tests/test_loader.py::test_identifiers_that_differ_only_in_case_are_refused_naming_both",
               "tests/test_loader.py::test_identifiers_differing_only_in_case_across_the_files_of_a_table_are_refused"),
    ),
    Reading(
        'collateral_repeats',
        'Note E(1); BOOK_FORMAT.md (collateral)',
        'The collateral table has no key: rows of one account and security are lots, summed. A row that repeats '
        'another exactly (account, security, market value, exempted) is counted as a lot, as the book gives it, '
        'and each such row is a review finding naming the row it repeats: a copy would add its value to the 15% '
        "test's denominator again, but two lots of one size are possible, so it is not refused.",
        applied_by=("reserve.formula.note_e:_repeat_findings",),
        tests=("tests/test_formula_credits_debits.py::test_a_collateral_row_repeated_exactly_is_a_review_finding",),
    ),
    Reading(
        'credit_reductions_bound',
        'Exhibit A Items 1-9; Rule 15c3-1(a)(1)(ii)(C); PAB Notes 5, 6 and 8',
        'A reduction of a credit line (new issues off Item 1, PAB Notes 5, 6 and 8 off PAB Items 1 and 2) excludes '
        'an amount that is part of the credits of that line, so the reductions of a line cannot exceed its credits. '
        'When they would take the line below zero, none of them is taken: the line keeps its credits before them, '
        'each reduction row is excluded with that reason, and a severe finding names the line (a review finding '
        'each row). A negative credit is a debit the rule does not give; which of the rows is wrong the book does '
        'not say, so the higher requirement is kept.',
        applied_by=("reserve.formula.credits:reductions_within_credits",),
        tests=("tests/test_credit_reductions_bound.py::test_reductions_within_the_line_are_taken",
               "tests/test_credit_reductions_bound.py::test_reductions_past_the_line_are_none_of_them_taken",
               "tests/test_credit_reductions_bound.py::test_a_new_issue_past_item_1_keeps_its_debit_side"),
    ),
    Reading(
        'bank_affiliated_any',
        'Rule 15c3-3(e)(5)',
        "Whether a bank is affiliated with the firm is the bank's fact, not an account's: when the reserve bank "
        'account rows of one bank_id disagree, every row of the bank is taken as affiliated (its cash does not '
        'count on deposit, the reading that counts less), and a review finding names the bank.',
        applied_by=("reserve.formula.reserve_bank:bank_affiliated",),
        tests=("tests/test_bank_affiliated.py::test_rows_of_one_bank_that_disagree_are_all_affiliated",
               "tests/test_bank_affiliated.py::test_rows_that_agree_keep_their_flag"),
    ),
    Reading(
        'id_visible',
        'Rule 15c3-3a Note E(5); Rule 15c3-3(e)(5); BOOK_FORMAT.md',
        'An identifier (a text column whose name ends in _id) is refused, located and the code points named, '
        'when it holds a character that does not show -- a control (Cc: NUL, tab, DEL, C1), a format character '
        '(Cf: soft hyphen, zero-width space and joiners, direction marks and isolates, the Arabic letter mark, the '
        'Mongolian vowel separator, tags, byte order mark), private use (Co), a surrogate (Cs), a line or paragraph '
        'separator (Zl, Zp), a space other than the ASCII space inside it (Zs; spaces at either end are stripped), a '
        'variation selector (U+FE00-FE0F, U+E0100-E01EF, U+180B-180D, U+180F), the combining grapheme joiner '
        'U+034F, a Hangul filler (U+115F, U+1160, U+3164, U+FFA0) or the braille blank U+2800 -- or when it is not '
        'in composed Unicode form (NFC). Other text keeps such characters. As a second key beside the id it looks '
        "the same as, it would split a customer (Note E(5)'s grouping), a bank (Rule 15c3-3(e)(5)'s 15% limit) "
        "or pass a copied row through the key checks, each in the firm's favour. Letters of other scripts that "
        'look like Latin ones (a Cyrillic O) are characters of their own: an id holding them is refused only '
        'when it reads as another id of its column (id_lookalike).',
        applied_by=("reserve.book.convert:_refuse_unseen", "reserve.book.convert:_convert_text"),
        tests=("tests/test_ids_hidden_chars.py::test_a_character_that_does_not_show_inside_an_id_is_refused",
               "tests/test_ids_hidden_chars.py::test_a_character_that_does_not_show_at_the_end_of_an_id_is_refused",
               "tests/test_ids_hidden_chars.py::test_every_character_that_does_not_show_is_named_once",
               "tests/test_ids_hidden_chars.py::test_a_bank_id_with_a_variation_selector_is_refused",
               "tests/test_ids_hidden_chars.py::test_an_item_id_with_a_nul_is_refused_in_csv_and_parquet",
               "tests/test_ids_hidden_chars.py::test_other_text_keeps_such_characters",
               "tests/test_ids_hidden_chars.py::test_plain_ascii_ids_with_an_inner_space_and_ids_of_other_scripts_are_accepted",
               "tests/test_ids_hidden_chars.py::test_an_id_not_in_composed_unicode_form_is_refused",
               "tests/test_ids_hidden_chars.py::test_other_ids_not_in_nfc_are_refused",
               "tests/test_ids_hidden_chars.py::test_an_id_both_hidden_and_decomposed_is_one_problem",
               "tests/test_ids_hidden_chars.py::test_the_fast_path_reads_exactly_the_strings_bytes",
               "tests/test_ids_hidden_chars.py::test_the_fast_path_never_reads_the_buffer_padding",
               "tests/test_ids_hidden_chars.py::test_the_column_is_tested_whatever_else_it_holds",
               "tests/test_ids_hidden_chars.py::test_the_sample_book_with_a_customer_id_given_an_isolate_is_refused"),
    ),
    Reading(
        'id_lookalike',
        'Rule 15c3-3a Note E(5); Rule 15c3-3(e)(5); BOOK_FORMAT.md',
        'Two ids of one identifier column (a text column whose name ends in _id), in one file or in two files of '
        'one table, that read the same once compatibility forms are folded (NFKC: a full-width O is O) and the '
        'Cyrillic and Greek letters drawn as Latin ones are taken for those letters (a subset of Unicode\'s '
        'confusables, UTS #39: Cyrillic A B E K M H O P C T Y X S I J Q W and their small letters, Greek A B E Z H '
        'I K M N O P T Y X and small o v i k p u x), case aside, are refused, both named, the odd letters named by '
        'code point: OAKMONT and OAKMONT with a Cyrillic O look the same on a screen and in print, and as two keys '
        "they would split a customer out of Note E(5)'s grouping, a bank out of Rule 15c3-3(e)(5)'s 15% limit, or "
        'count a row twice, in the firm\'s favour (hostile walk-through). An id of another script that reads as no '
        'other id of its column is kept. Letters not in the subset (a Cyrillic Zhe, a Greek Theta) and digits '
        'that resemble letters (0 and O) are not folded.',
        applied_by=("reserve.book.convert:_skeleton", "reserve.book.convert:_case_clashes"),
        tests=("tests/test_loader.py::test_identifiers_that_read_the_same_through_look_alike_letters_are_refused",
               "tests/test_loader.py::test_ids_of_other_scripts_that_read_differently_are_kept"),
    ),
    Reading(
        'h_dates_order',
        'Note H(b)(1)(iii)',
        'The dates of a firm-owned Treasury stop-gap (a cca_deposits row, or the cca_requirement_increments '
        'row it names) are in the order (iii) describes and have happened when the computation rests on them: '
        'the requirement (or increment) arose on or before as_of; the call (B) is on or after the day it arose; '
        'the cure (C) is on or after the day it arose and the call; and the cure is on or before prepared_on '
        '(as_of when blank) -- a cure the computation relied on must have been received when it was prepared. '
        'A date out of that order is refused as a located problem, never taken as a cure in time. Same-day dates '
        'are in order. Whether the call was on that very day, and the cure by the close of the next business '
        "day and sufficient, stay the computation's findings.",
        applied_by=(
            'reserve.book.validate:_check_h_dates_order',
            'reserve.book.validate:_check_h_dates_of',
        ),
        tests=(
            'tests/test_note_h_dates_order.py::test_a_cure_dated_after_prepared_on_is_refused',
            'tests/test_note_h_dates_order.py::test_a_cure_after_a_stated_prepared_on_is_refused',
            'tests/test_note_h_dates_order.py::test_a_cure_dated_before_the_requirement_arose_is_refused',
            'tests/test_note_h_dates_order.py::test_a_cure_dated_before_the_call_is_refused',
            'tests/test_note_h_dates_order.py::test_a_call_dated_before_the_requirement_arose_is_refused',
            'tests/test_note_h_dates_order.py::test_a_requirement_arising_after_as_of_is_refused',
            'tests/test_note_h_dates_order.py::test_every_date_out_of_order_is_refused_at_once_each_row_named',
            'tests/test_note_h_dates_order.py::test_an_increment_out_of_order_is_refused',
            'tests/test_note_h_dates_order.py::test_the_boundary_dates_are_accepted',
            'tests/test_note_h_dates_order.py::test_dates_in_order_load',
            'tests/test_note_h_dates_order.py::test_a_cure_on_a_stated_prepared_on_after_as_of_is_accepted',
            'tests/test_note_h_dates_order.py::test_the_sample_with_fd0009_cured_after_prepared_on_is_refused',
            'tests/test_note_h_dates_order.py::test_the_sample_with_fd0009_cured_on_prepared_on_counts',
        ),
    ),
    Reading(
        'bank_one_name',
        'Rule 15c3-3(e)(5)',
        'The 15% equity-capital cap is per bank, and a bank is its bank_id. A bank name (case and spacing aside) '
        'given under two or more bank_ids may be one bank given two caps: the ids are kept as given (two banks may '
        'share a name) and a review finding names them.',
        applied_by=("reserve.formula.reserve_bank:_one_bank_two_ids",),
        tests=("tests/test_bank_affiliated.py::test_one_bank_name_under_two_ids_is_flagged",),
    ),
    Reading(
        'empty_table',
        'BOOK_FORMAT.md (tables)',
        'A table file or sheet that is empty -- not even its header row -- is refused, naming it: an export cut '
        'short looks like this, and read as a table of no rows it would drop every credit and debit the table '
        'holds. A table with no rows is its header row alone.',
        applied_by=("reserve.book.convert:type_chunk",),
        tests=("tests/test_loader.py::test_an_empty_file_or_sheet_is_refused_not_read_as_no_rows",),
    ),
    Reading(
        'pct_fraction',
        'Note E(6); BOOK_FORMAT.md (pct)',
        'A percentage is read as percent, as the format says (0.2 is 0.2%), but a non-customer share of 0.05 to 1 '
        'on a debit Note E(6) leaves whole may be a fraction written for percent (0.2 meant as 20%; a Parquet or '
        'CSV file has no percent format to tell): each such account is a review finding saying what a fraction '
        'would mean. The figure is not changed: the book decides, the reviewer confirms.',
        applied_by=("reserve.formula.debits:note_e6_fraction_findings",),
        tests=("tests/test_formula_credits_debits.py::test_a_pct_that_may_be_a_fraction_is_a_review_finding",),
    ),
    Reading(
        'focus_item_15',
        'Form X-17A-5 Part II (FOCUS), as amended March 1, 2026',
        'Item 15 is shown with no FOCUS box. Since March 1, 2026 FOCUS Part II has new boxes for the reserve '
        'computations (12843, 12844, 12849, 12850, 12851), covering daily computation and the '
        "Treasury-clearing item, but which box is which line is not confirmed here, so Item 15's box is left "
        "blank. Item 15 is never reported in an 'Other debits' box (4469): it is its own line of total debits"
        ' (box 4470 includes it).',
        applied_by=("reserve.formula.model:Line",),
        tests=("tests/test_rule_facts.py::test_item_15_has_no_focus_box_and_the_report_says_why",),
    ),
    Reading(
        'clearing_margin_groups',
        'Notes F and G; Items 13, 14',
        "Margin 'required and on deposit' is counted once per clearing organization, computation and line: "
        'the deposits in a permitted form (cash, proprietary qualified securities, customer-collateralized '
        'letters of credit) of the rows naming one clearing_org_id together count up to its margin '
        'requirement, given to the rows in item_id order. Where those rows state different requirements, the '
        'smallest is used (the smaller debit), flagged. Rows naming no clearing organization (every row of a '
        "book written before clearing_org_id existed) are taken as one organization's per computation and "
        'line: each row counts up to the requirement it states, and all of them together up to the largest '
        'requirement stated -- never more than counting each row on its own, and the rows are listed for '
        'review when there are several.',
        applied_by=(
            "reserve.formula.debits:items_13_14_clearing_margin",
            "reserve.formula.debits:_unnamed_organizations",
        ),
        tests=(
            "tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization",
            "tests/test_rule_facts.py::test_margin_rows_of_one_organization_stating_different_requirements",
            "tests/test_rule_facts.py::test_margin_rows_naming_no_organization_are_one_organization",
        ),
    ),
    Reading(
        'note_b_letters_of_credit',
        'Note B',
        'letter_of_credit is the first sentence (options- or security-futures-related): Item 2 only to the '
        "extent of the member's margin requirement at the clearing organization -- rows naming one "
        'clearing_org_id capped together once at the largest requirement they state (the larger credit), a '
        'row naming none at its own. letter_of_credit_portfolio_margin is the second sentence (other futures '
        'under an SRO portfolio margining rule): its amount, not capped.',
        applied_by=("reserve.formula.credits:note_b_letters_of_credit",),
        tests=("tests/test_rule_facts.py::test_note_b_letters_of_credit_first_and_second_sentences",),
    ),
    Reading(
        'note_g_annual',
        'Note G(b), (c)',
        "For a futures_margin row naming a clearing organization, Item 14 applies only if the organization's "
        'row attests Note G(b)(1), (2) and (3) and its note_g_determined_on is on or before as_of and not '
        "earlier than the same day a year before ('at least annually'); the organization's facts decide, "
        "whatever the row's clearing_org_qualified says. A row naming none keeps clearing_org_qualified.",
        applied_by=("reserve.formula.debits:items_13_14_clearing_margin",),
        tests=("tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization",),
    ),
    Reading(
        'note_c',
        'Note C',
        'securities_loaned: Item 3 = amount (monies payable against the securities loaned) + the excess of '
        'market value over collateral_value (the value of the collateral received). A blank collateral_value '
        'is the amount: cash collateral, for which monies payable and collateral received are the same '
        'number.',
        applied_by=("reserve.formula.credits:item_3_securities_loaned",),
        tests=("tests/test_rule_facts.py::test_note_c_monies_payable_and_collateral_value_differ",),
    ),
    Reading(
        'ageing_blank_date',
        'Items 4, 6-9, 12; Note D; Rule 15c3-1(a)(1)(ii)(C)',
        'An item of a kind that ages needs its open_date: a blank one is a problem in the book. Should one '
        'reach the computation, it is never taken as a young item: a credit (Items 4 with Note D, 6-9) counts'
        ' as aged, a fail to deliver as older than 30 days (no Item 12 debit), a new-issue credit as outside '
        'its 3 business days.',
        applied_by=(
            "reserve.formula.item_rows:item_row_checks",
            "reserve.formula.item_rows:ItemRows",
        ),
        tests=("tests/test_rule_facts.py::test_a_blank_open_date_reaching_the_formula_is_never_a_young_item",),
    ),
    Reading(
        'new_issue_exclusion',
        'Rule 15c3-1(a)(1)(ii)(C)',
        "An alternative-method firm's new_issue_not_received row (credit balances payable for U.S. government"
        ' or agency, or municipal, securities not yet received from the issuer or its agent) is taken out of '
        'Item 1, and its related_debit out of Item 10, while it is not more than 3 business days old '
        '(business days after open_date up to and including as_of, as for Items 7 and 8). Otherwise -- a '
        'basic-method firm, other securities, older -- the credit and debits stay in the formula.',
        applied_by=("reserve.formula.credits:new_issue_exclusion",),
        tests=("tests/test_rule_facts.py::test_new_issue_credits_and_related_debits_excluded_for_3_business_days",),
    ),
    Reading(
        'fails_allocated',
        'Rule 15c3-1(a)(1)(ii)(D)',
        'For an alternative-method firm, a fail to deliver not older than 30 days or a security borrowed '
        'whose allocated_to names a fail to receive of the same issue is excluded from Items 11 and 12; the '
        'report lists their contract value and the 1% of it to deduct from net worth (rounded up). A '
        "basic-method firm's such rows stay in their lines.",
        applied_by=("reserve.formula.debits:fails_allocated",),
        tests=(
            "tests/test_rounding.py::test_net_capital_one_percent_rounds_up",
            "tests/test_rule_facts.py::test_fails_allocated_to_fails_to_receive_are_excluded_and_listed",
        ),
    ),
    Reading(
        'pab_note5',
        'PAB Note 5',
        'A receivable of another broker-dealer (pab_note5_credit) is a PAB credit balance when payment_terms '
        'is immediate; a clearing deposit (pab_note5_clearing_deposit) when immediate or within_30_days. '
        'Stated otherwise, it is not a credit balance and is left out. Not stated, it stays a credit (a blank'
        " never drops a credit), flagged. The first sentence's exclusion (pab_note5_exclusion) is given only "
        'when identified_as_payable.',
        applied_by=("reserve.formula.pab:pab_note_5_receivables",),
        tests=(
            "tests/test_formula_credits_debits.py::test_pab_notes_5_7_8_9",
            "tests/test_rule_facts.py::test_pab_note_5_payment_terms_and_identified_payables",
        ),
    ),
    Reading(
        'pab_note6',
        'PAB Note 6',
        'pab_note6_cross_margin reduces PAB Item 2 (where credits from the use of PAB securities at a '
        'clearing organization are carried, as in Note B) only when replaced_next_business_day; '
        'pab_note6_cftc_segregated (balances of a portfolio margin account segregated under CFTC regulations)'
        ' reduces PAB Item 1.',
        applied_by=("reserve.formula.pab:pab_note_6_cross_margin",),
        tests=("tests/test_rule_facts.py::test_pab_note_6_cross_margin_and_cftc_segregated_balances",),
    ),
    Reading(
        'pab_note8',
        'PAB Note 8',
        'A sweep reduces PAB credits only when the row states both conditions: swept by 10 a.m. ET on the '
        'deposit date (swept_by_10am) and free of any right, charge, security interest, lien or claim of the '
        'investment company or the firm (free_of_liens). A row lacking either -- every row of a book written '
        'before these columns existed -- reduces nothing, listed for review.',
        applied_by=("reserve.formula.pab:pab_note_8_sweeps",),
        tests=(
            "tests/test_formula_credits_debits.py::test_pab_notes_5_7_8_9",
            "tests/test_formula_credits_debits.py::test_pab_notes_7_8_without_their_conditions_give_nothing",
            "tests/test_rule_facts.py::test_pab_note_8_sweep_needs_both_conditions",
        ),
    ),
    Reading(
        'not_pab_accounts',
        'Rule 15c3-3(a)(16)',
        'An account of a broker-dealer that is a delivery-versus-payment or receipt-versus-payment account, '
        'or is subordinated to the claims of creditors, is not a PAB account: a row of book pab or '
        'noncustomer with a non_pab_reason is excluded from both computations for that reason (a customer row'
        ' may not give one).',
        applied_by=("reserve.formula.scope:outside_both_computations",),
        tests=("tests/test_rule_facts.py::test_accounts_that_are_not_pab_accounts",),
    ),
)

# Note H (Item 15) readings, kept with the Note H package (reserve/formula/note_h).
_NOTE_H: tuple[Reading, ...] = (
    Reading(
        'h_cash_owed',
        'Note H(b)(1)(i); Release 34-99149 (credit items are "cash owed to customers")',
        '"Cash owed by the broker or dealer to the customer" is the customer\'s credit balances in the formula, '
        'account by account (Item 1), not netted against a debit balance the customer has in another account '
        '(that debit is Item 10\'s, carried gross as the formula carries it). The rule does not say whether a '
        'debit elsewhere reduces the cash owed; read netted, a customer with a credit in one account and an equal '
        'debit in another would have no cash for Item 15. This is a reading to confirm.',
        applied_by=("reserve.formula.note_h.accounts:account_facts",),
        tests=("tests/test_note_h_cash_owed.py::test_cash_owed_is_the_customers_credit_balances_not_netted_against_its_debits",),
    ),
    Reading(
        'h_cure_sufficient',
        'Note H(b)(1)(iii)(C)',
        '"A sufficient amount ... to meet the margin requirement" is the shortfall at the time the '
        'requirement arose: cure_received_amount >= requirement_at_arise - customer_assets_at_arise, received'
        ' on or before the next business day after requirement_arose_on (Federal Reserve calendar plus book '
        'holidays).',
        applied_by=(
            'reserve.formula.note_h.allocation:firm_treasuries_stop_gap',
        ),
        tests=(
            'tests/test_note_h.py::test_firm_treasury_cure_shortfall_is_the_reading',
            'tests/test_note_h.py::test_firm_treasury_conditions',
        ),
    ),
    Reading(
        'h_firm_treasury_amount',
        'Note H(b)(1)(iii)',
        'Firm-owned Treasuries meeting (A)-(C) count at their value, up to the requirement after the '
        "customer's own eligible assets are allocated to it (h_allocation_order). The rule sets no cap at the"
        ' shortfall when the requirement arose (requirement_at_arise - customer_assets_at_arise), nor at an '
        "increment's shortfall; the release calls them an interim step, so a firm posting more than that "
        'shortfall should expect the question. Not capped here.',
        applied_by=(
            'reserve.formula.note_h.allocation:firm_treasuries_stop_gap',
            'reserve.formula.note_h.allocation:allocate',
        ),
        tests=(
            'tests/test_note_h.py::test_firm_treasury_conditions',
        ),
    ),
    Reading(
        'h_not_demonstrated',
        'Note H(b)(1)(iii)',
        'A blank field that a condition needs (requirement_arose_on, requirement_at_arise, '
        'customer_assets_at_arise, call_issued_on, cure_received_amount, or the same fields of the increment '
        'the deposit names) means the condition is not demonstrated: the firm-owned Treasury deposit is '
        'ineligible for that reason.',
        applied_by=(
            'reserve.formula.note_h.allocation:firm_treasuries_stop_gap',
        ),
        tests=(
            'tests/test_note_h.py::test_missing_arise_date_means_not_demonstrated',
            'tests/test_note_h.py::test_firm_treasury_conditions',
        ),
    ),
    Reading(
        'h_increments',
        'Note H(b)(1)(iii)',
        '"At the time the margin requirement arose", "on the day the margin requirement arose" and "by the '
        'close of the next business day after the margin requirement arose" are read per increment when a '
        'requirement grew over several days: each row of cca_requirement_increments is one increment, with '
        "the customer's whole requirement and assets when it arose, its own call and its own cure; firm-owned"
        ' Treasuries delivered for it name it (cca_deposits.increment_id) and are tested on it, so one cure '
        "is never counted for two increments' deposits by being repeated on each. A deposit naming no "
        'increment is tested on its own columns (one increment, as in the original format).',
        applied_by=(
            'reserve.formula.note_h.allocation:stop_gap_facts',
            'reserve.formula.note_h.allocation:firm_treasuries_stop_gap',
            'reserve.formula.note_h.allocation:increment_dispositions',
        ),
        tests=(
            'tests/test_note_h_facts.py::test_a_requirement_grown_over_two_days',
            'tests/test_note_h_facts.py::test_each_increment_is_tested_on_its_own',
            'tests/test_note_h_facts.py::test_one_cure_for_several_deposits_of_one_increment',
            'tests/test_note_h_facts.py::test_an_increment_no_deposit_names_is_excluded',
        ),
    ),
    Reading(
        'h_pending',
        'Note H(b)(1)(iii)(C)',
        'A firm-owned Treasury deposit meeting every other condition whose cure is not recorded while '
        'prepared_on is on or before the deadline is pending: counted only under pending_cure_policy=include,'
        " always listed with its deadline. An entry's status is 'pending' when its Item 15 under the two "
        'policies differs. A cure not recorded once the deadline has passed, or recorded after it, fails (C).',
        applied_by=(
            'reserve.formula.note_h.allocation:StopGap',
            'reserve.formula.note_h.allocation:pending_deposits',
            'reserve.formula.note_h.inputs:NoteHInputs',
            'reserve.formula.model:PendingDeposit',
            'reserve.formula.note_h.allocation:pending_and_counted',
            'reserve.formula.note_h.allocation:margin_required_and_on_deposit',
            'reserve.formula.note_h.allocation:pending_cure_findings',
        ),
        tests=(
            'tests/test_note_h.py::test_pending_cure',
            'tests/test_note_h.py::test_pending_cure_past_its_deadline_fails',
            'tests/test_note_h.py::test_pending_cure_on_the_deadline_day_is_still_pending',
            'tests/test_note_h.py::test_pending_that_does_not_change_item_15_is_listed_but_not_the_status',
        ),
    ),
    Reading(
        'h_customer_cash_cap',
        'Note H(b)(1)(i)',
        'Customer cash counts only up to the cash the firm owes that customer: the sum of the positive '
        "balances of all accounts with the customer's customer_id in the same computation. The cap is shared "
        "by all of that customer's otherwise eligible cash deposits at all clearing agencies: spent first on "
        'the cash that meets a counted requirement (customer cash is allocated to a requirement first), then '
        'on cash beyond the requirements, each in order of cca_id, account_id, deposit_id; the rest is '
        "excluded. The owner's account must be in the same computation as the account margined (customer or "
        'PAB).',
        applied_by=(
            'reserve.formula.note_h.deposits:customer_cash_cap',
        ),
        tests=(
            'tests/test_note_h.py::test_customer_cash_capped_at_credit_balances_across_ccas',
            'tests/test_note_h.py::test_customer_cash_cap_is_spent_on_cash_meeting_requirements_first',
            'tests/test_note_h.py::test_customer_cash_cap_counts_only_the_same_computation',
        ),
    ),
    Reading(
        'h_same_customer',
        'Note H(b)(1)(i)-(ii)',
        'A customer-owned deposit margins only the requirement of an account with the same customer_id as '
        "owner_account_id; otherwise it is ineligible (one customer's assets never margin another's).",
        applied_by=(
            'reserve.formula.note_h.deposits:held_for_the_customer',
        ),
        tests=(
            'tests/test_note_h.py::test_customer_securities_of_another_customer',
            'tests/test_note_h.py::test_another_customers_cash',
            'tests/test_note_h.py::test_owner_account_must_be_in_the_same_computation',
        ),
    ),
    Reading(
        'h_allocation_order',
        'Note H(a)',
        "Item 15 of one customer at one clearing agency is allocated to that customer's eligible deposits in "
        'the order: customer cash, customer Treasuries, qualified customer securities, firm Treasuries; then '
        'by deposit_id. Eligible deposits beyond the requirement are excess on deposit, reported for recall.',
        applied_by=(
            'reserve.formula.note_h.allocation:allocate',
            'reserve.formula.note_h.deposits:customer_cash_cap',
        ),
        tests=(
            'tests/test_note_h.py::test_excess_on_deposit_and_allocation_order',
            'tests/test_note_h.py::test_customer_cash_cap_is_spent_on_cash_meeting_requirements_first',
        ),
    ),
    Reading(
        'h_excess',
        'Note H(a)',
        'excess_on_deposit = eligible deposits less the whole requirement (never negative): eligible deposits'
        ' that cover a requirement that is not counted (net basis, omnibus account, non-Treasury positions) '
        "are not excess. An entry with eligible deposits and no requirement at all has the status 'excess "
        "only'.",
        applied_by=(
            'reserve.formula.model:NoteHEntry',
            'reserve.formula.note_h.allocation:margin_required_and_on_deposit',
            'reserve.formula.note_h.allocation:excess_findings',
        ),
        tests=(
            'tests/test_note_h.py::test_excess_on_deposit_and_allocation_order',
            'tests/test_note_h.py::test_deposit_without_requirement',
            'tests/test_note_h.py::test_eligible_deposit_entirely_unused_is_excluded_as_excess',
        ),
    ),
    Reading(
        'h_item2_securities',
        'Note B',
        'Every customer-owned deposit that is a security (us_treasury, qualified_customer_security, '
        "other_security and, conservatively, the original format's `other`, flagged for review) at a clearing"
        ' agency that is registered and clears U.S. Treasuries is an Item 2 credit at its value, in any '
        "account at the clearing agency and including excess, in the computation of owner_account_id's book, "
        'whatever the (b) conditions. not_a_security is not. Customer cash is not added: it is already in '
        'Item 1.',
        applied_by=(
            'reserve.formula.note_h.deposits:customer_securities_item_2',
            'reserve.formula.note_h.deposits:deposit_dispositions',
            'reserve.formula.note_h.deposits:other_asset_findings',
        ),
        tests=(
            'tests/test_note_h.py::test_item_2_for_customer_securities_in_house_account_and_at_failing_cca',
            'tests/test_note_h_facts.py::test_other_security_not_a_security_and_other',
            'tests/test_note_h_facts.py::test_firm_owned_other_security_is_no_item_2',
        ),
    ),
    Reading(
        'h_outside_accounts',
        'Note H(a)(2); PAB Note 9',
        'Requirements and deposits of a PAB account belong to the PAB computation; those of a non-customer '
        'account (or an account not in the accounts table, or a cross-margin account outside the formula) are'
        ' excluded.',
        applied_by=(
            'reserve.formula.note_h.accounts:account_facts',
            'reserve.formula.note_h.requirements:outside_the_computations',
            'reserve.formula.note_h.deposits:for_the_customers_positions',
        ),
        tests=(
            'tests/test_note_h.py::test_noncustomer_account_is_excluded',
            'tests/test_note_h.py::test_pab_account_in_the_pab_computation',
        ),
    ),
    Reading(
        'h_pab_account',
        'PAB Note 1; Note H(b)(2)(iii); PAB Note 9',
        'Note H read for PAB accounts (PAB Note 1: "customers" -> "PAB accounts"): a PAB Item 15 needs the '
        "clearing agency's own conditions (registered, clears U.S. Treasuries, the (b)(2) rule sets, "
        'compliance, the (b)(3) notice) and a PAB clearing account of its own: designated exactly "Special '
        'Clearing Account for the Exclusive Benefit of the PAB Accounts of <firm_name>" (the rule\'s wording '
        "with PAB Note 1's substitution; neither the rule nor Release 34-99149 gives other wording), with the"
        " clearing agency's written notice and written contract for it and the rule sets applying to it "
        "(pab_rules_apply). The customers' designation, notice and contract are not the PAB account's, and "
        "PAB margin counts only in the PAB Accounts' Special Clearing Account (cca_deposits.special_account ="
        " pab_accounts). Failures of the PAB account's conditions are reported only where PAB accounts' "
        'margin is at the clearing agency.',
        applied_by=(
            'reserve.formula.note_h.cca:rules_of_the_clearing_agency',
            'reserve.formula.note_h.outcome:_entry_failures',
            'reserve.formula.note_h.cca:cca_test',
            'reserve.formula.note_h.cca:special_clearing_account_designation',
            'reserve.formula.note_h.cca:with_cca',
            'reserve.formula.note_h.cca:cca_findings',
            'reserve.formula.note_h.deposits:special_clearing_account',
        ),
        tests=(
            'tests/test_note_h.py::test_pab_account_in_the_pab_computation',
            'tests/test_note_h_facts.py::test_pab_margin_needs_the_pab_clearing_account',
            'tests/test_note_h_facts.py::test_each_pab_attestation_is_required',
            'tests/test_note_h_facts.py::test_pab_designation_must_read_exactly',
            'tests/test_note_h_facts.py::test_pab_margin_in_the_customers_special_account',
            'tests/test_note_h_facts.py::test_customer_and_pab_clearing_accounts_are_tested_apart',
        ),
    ),
    Reading(
        'h_account_structure',
        'Note H(b)(2)(i); Release 34-105980 (July 2026, notice)',
        'A requirement counts only where the clearing agency calculates a separate margin for the customer, '
        "delivered gross (basis gross), in the customer's own account (account_structure own_gross) or in an "
        'omnibus account with a separate margin per customer (omnibus_gross, as Release 34-99149 describes '
        "FICC's Sponsored Service). Margin in an omnibus account netted across customers (omnibus_net) earns "
        'no Item 15 debit: the exemption applied for (Release 34-105980) is noticed, not granted; if an order'
        ' is granted, the switch OMNIBUS_NET_MARGIN_COUNTS in reserve/formula/note_h/requirements.py lets omnibus_net '
        'requirements count. A stated structure must agree with the basis (own_gross and omnibus_gross: '
        'gross; omnibus_net: net), or the book is refused. A blank account_structure states nothing and is '
        "never taken as gross: the requirement's own stated basis (gross or net) then decides, as in the "
        'original format.',
        applied_by=(
            'reserve.book.validate:_validate_cca',
            'reserve.formula.model:NoteHEntry',
            'reserve.report.model:NoteHEntry',
            'reserve.formula.note_h.requirements:omnibus_net_margin',
            'reserve.formula.note_h.allocation:margin_required_and_on_deposit',
        ),
        tests=(
            'tests/test_note_h_facts.py::test_account_structure',
            'tests/test_note_h_facts.py::test_a_structure_contradicting_the_basis_is_refused',
            'tests/test_note_h_facts.py::test_an_order_permitting_omnibus_margin_is_one_switch',
        ),
    ),
    Reading(
        'h_pairing',
        'Note H; Items 1, 2; Note B; SEC staff FAQ (August 6, 2025)',
        "Customer cash behind an Item 15 debit stays a credit in Item 1, and customers' securities at the "
        'clearing agency a credit in Item 2. Checked on the final dispositions: per customer (customer_id of '
        "the deposit's owner_account_id) and computation, the customer cash in Item 15 must not exceed the "
        "customer's Item 1 credits (the Item 1 records of the accounts with that customer_id, after every "
        "exclusion); each customer security's Item 15 amount must not exceed the Item 2 credit recorded for "
        'the same deposit. A debit without its matching credit is a severe exception naming the customer; the'
        ' debit itself is not changed.',
        applied_by=(
            'reserve.formula.computation:_note_h_pairing',
            'reserve.formula.note_h.pairing:pairing_findings',
        ),
        tests=(
            'tests/test_note_h_facts.py::test_pairing_holds_on_a_computed_book',
            'tests/test_note_h_facts.py::test_customer_cash_in_item_15_without_its_item_1_credit',
            'tests/test_note_h_facts.py::test_customer_security_in_item_15_without_its_item_2_credit',
            'tests/test_note_h_facts.py::test_compute_reports_a_debit_without_its_credit',
            'tests/test_note_h_facts.py::test_pairing_in_the_pab_computation',
        ),
    ),
)

#: The one registry of readings, in the order the report lists them.
READINGS: dict[str, Reading] = {r.id: r for r in (*_GENERAL, *_NOTE_H)}
assert len(READINGS) == len(_GENERAL) + len(_NOTE_H), "a reading id is declared twice"


def assumptions(keys: Iterable[str] | None = None) -> list[dict[str, str]]:
    """The readings (all, or those of `keys`, in that order) as the report's Assumptions list them."""
    chosen = keys or READINGS.keys()
    return [{"key": k, "rule": READINGS[k].rule, "reading": READINGS[k].text} for k in chosen]
