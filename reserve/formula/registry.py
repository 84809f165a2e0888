"""The rules of Exhibit A (Rule 15c3-3a), in the Exhibit's order, each with the function that
applies it and the tests that pin it — or the declared reason it needs none.

This is the index a newcomer reads first: ``python -m reserve.formula.registry`` prints it as
the Markdown table kept in ARCHITECTURE.md (between ``<!-- rules:begin -->`` and
``<!-- rules:end -->``; ``--write ARCHITECTURE.md`` rewrites that block, ``--check`` exits 1
when it is stale), and tests/test_rule_registry.py fails when the two differ, when a
citation of Exhibit A is missing or out of the Exhibit's order, when a function named here
does not exist, does not cite its rule or is not run by ``compute`` (computation.STEPS), or
when a test named here does not exist.

To add a rule: write its function in the module of its part of Exhibit A (credits, debits,
note_e, note_h, pab, reserve_bank, computation), run it from a step of computation.STEPS, pin
it with a hand-worked test, and fill its entry here; then ``--write ARCHITECTURE.md``.

Functions are named as ``module:function`` (resolved by the test, not imported here), so the
registry is plain data and imports nothing of the formula.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """One sentence (or subpart) of Exhibit A.

    citation: as the code cites it, e.g. "Item 10", "Note E(5)", "Note H(b)(1)(iii)(C)", "PAB Note 6".
    summary: what it requires, in a few words.
    function: the function applying it, as ``reserve.formula.module:function``; None when no
        function is needed (then ``no_function`` says why).
    tests: tests pinning it, as ``tests/file.py::test_name``.
    no_function: the declared reason no function applies it (e.g. "a heading", "applied by
        the book schema: ...").
    """

    citation: str
    summary: str
    function: str | None = None
    tests: tuple[str, ...] = ()
    no_function: str = ""


# Keep the order: Items 1-16, Notes A-G, Note H, PAB Notes 1-10.
_ITEMS_AND_NOTES_A_TO_G: tuple[Rule, ...] = (
    Rule("Item 1", "free credit balances and other credit balances in customers' accounts",
         "reserve.formula.credits:item_1_credit_balances",
         ("tests/test_formula_credits_debits.py::test_item_1_credit_balances_and_note_a_drafts",
          "tests/test_rule_facts.py::test_each_row_is_in_one_computation")),
    Rule("Item 2", "monies borrowed collateralized by customers' securities",
         "reserve.formula.credits:item_2_bank_loans",
         ("tests/test_formula_credits_debits.py::test_item_2_bank_loans_and_note_b_letters_of_credit",)),
    Rule("Item 3", "monies payable against customers' securities loaned",
         "reserve.formula.credits:item_3_securities_loaned",
         ("tests/test_formula_credits_debits.py::test_note_c_securities_loaned_excess_market_value",)),
    Rule("Item 4", "customers' securities failed to receive",
         "reserve.formula.credits:item_4_fails_to_receive",
         ("tests/test_formula_credits_debits.py::test_note_d_fails_to_receive_over_30_days",)),
    Rule("Item 5", "credit balances in firm accounts attributable to principal sales to customers",
         "reserve.formula.credits:item_5_principal_sales",
         ("tests/test_formula_credits_debits.py::test_items_5_to_9_ageing",)),
    Rule("Item 6", "stock dividends, splits and distributions outstanding over 30 days",
         "reserve.formula.credits:item_6_stock_dividends",
         ("tests/test_formula_credits_debits.py::test_items_5_to_9_ageing",)),
    Rule("Item 7", "short security count differences over 30 days old",
         "reserve.formula.credits:item_7_short_security_count",
         ("tests/test_formula_credits_debits.py::test_items_5_to_9_ageing",
          "tests/test_formula_credits_debits.py::test_items_7_and_8_alternative_method_seven_business_days")),
    Rule("Item 8", "short securities and credits in suspense accounts over 30 days",
         "reserve.formula.credits:item_8_suspense_shorts",
         ("tests/test_formula_credits_debits.py::test_items_5_to_9_ageing",
          "tests/test_formula_credits_debits.py::test_items_7_and_8_alternative_method_seven_business_days")),
    Rule("Item 9", "securities in transfer over 40 days not confirmed",
         "reserve.formula.credits:item_9_transfers_unconfirmed",
         ("tests/test_formula_credits_debits.py::test_items_5_to_9_ageing",)),
    Rule("Item 10", "debit balances in customers' cash and margin accounts",
         "reserve.formula.debits:item_10_debit_balances",
         ("tests/test_formula_credits_debits.py::test_item_10_unsecured_doubtful_e4_e6",)),
    Rule("Item 11", "securities borrowed to effectuate short sales and deliveries",
         "reserve.formula.debits:items_11_12_borrowed_and_failed",
         ("tests/test_formula_credits_debits.py::test_items_11_12_fails_to_deliver",
          "tests/test_rule_facts.py::test_fails_allocated_to_fails_to_receive_are_excluded_and_listed")),
    Rule("Item 12", "failed to deliver of customers' securities not older than 30 days",
         "reserve.formula.debits:items_11_12_borrowed_and_failed",
         ("tests/test_formula_credits_debits.py::test_items_11_12_fails_to_deliver",
          "tests/test_rule_facts.py::test_fails_allocated_to_fails_to_receive_are_excluded_and_listed")),
    Rule("Item 13", "margin required and on deposit with the Options Clearing Corporation",
         "reserve.formula.debits:items_13_14_clearing_margin",
         ("tests/test_formula_credits_debits.py::test_notes_f_and_g_clearing_margin",
          "tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization")),
    Rule("Item 14", "margin required and on deposit with a clearing agency or DCO (futures, SFPs)",
         "reserve.formula.debits:items_13_14_clearing_margin",
         ("tests/test_formula_credits_debits.py::test_notes_f_and_g_clearing_margin",
          "tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization")),
    Rule("Item 15", "margin required and on deposit with a qualified clearing agency (U.S. Treasuries)",
         "reserve.formula.note_h:apply_note_h",
         ("tests/test_note_h.py::test_baseline_customer_treasuries_cover_the_requirement",)),
    Rule("Item 16", "excess of total credits over total debits; the required deposit",
         "reserve.formula.computation:item_16_computation",
         ("tests/test_formula_credits_debits.py::test_other_lines_sweep_and_reduction",
          "tests/test_formula_credits_debits.py::test_reserve_bank_caps_and_pab_offset")),
    Rule("Note A", "Item 1 includes outstanding drafts payable to customers",
         "reserve.formula.credits:note_a_drafts_and_checks",
         ("tests/test_formula_credits_debits.py::test_item_1_credit_balances_and_note_a_drafts",)),
    Rule("Note A (checks)", "Item 1 includes checks drawn in excess of bank balances",
         "reserve.formula.credits:note_a_drafts_and_checks",
         ("tests/test_rule_facts.py::test_note_a_checks_drawn_in_excess_of_bank_balances",)),
    Rule("Note B", "Item 2 includes options- and SFP-related letters of credit",
         "reserve.formula.credits:note_b_letters_of_credit",
         ("tests/test_formula_credits_debits.py::test_item_2_bank_loans_and_note_b_letters_of_credit",
          "tests/test_rule_facts.py::test_note_b_letters_of_credit_first_and_second_sentences")),
    Rule("Note B (futures letters of credit)", "Item 2 includes letters of credit for other futures under portfolio margining",
         "reserve.formula.credits:note_b_letters_of_credit",
         ("tests/test_rule_facts.py::test_note_b_letters_of_credit_first_and_second_sentences",)),
    Rule("Note B (qualified clearing agency)", "Item 2 includes customers' securities on deposit at a qualified clearing agency",
         "reserve.formula.note_h.deposits:customer_securities_item_2",
         ("tests/test_note_h.py::test_item_2_for_customer_securities_in_house_account_and_at_failing_cca",
          "tests/test_note_h_facts.py::test_other_security_not_a_security_and_other")),
    Rule("Note C", "Item 3 includes the excess of market value loaned over collateral received",
         "reserve.formula.credits:item_3_securities_loaned",
         ("tests/test_formula_credits_debits.py::test_note_c_securities_loaned_excess_market_value",
          "tests/test_rule_facts.py::test_note_c_monies_payable_and_collateral_value_differ")),
    Rule("Note D", "Item 4 includes the excess of market value over contract value of fails over 30 days",
         "reserve.formula.credits:item_4_fails_to_receive",
         ("tests/test_formula_credits_debits.py::test_note_d_fails_to_receive_over_30_days",)),
    Rule("Note E(1)", "margin debits reduced by a concentrated security's excess over 15%",
         "reserve.formula.note_e:note_e1_concentration",
         ("tests/test_formula_credits_debits.py::test_note_e1_concentration",
          "tests/test_formula_credits_debits.py::test_note_e1_reduction_capped_at_debits_collateralized",
          "tests/test_formula_credits_debits.py::test_note_e1_account_never_loses_more_than_its_debit")),
    Rule("Note E(2)", "special omnibus account debits reduced by the deficit less calls",
         "reserve.formula.note_e:note_e2_deficit_less_calls",
         ("tests/test_formula_credits_debits.py::test_note_e2_special_omnibus",)),
    Rule("Note E(3)", "aggregate debits reduced by 1%",
         "reserve.formula.note_e:note_e3_one_percent",
         ("tests/test_rounding.py::test_one_percent_reduction_rounds_up",)),
    Rule("Note E(4)", "debits of household members and principals excluded",
         "reserve.formula.note_e:note_e4_related_parties",
         ("tests/test_formula_credits_debits.py::test_item_10_unsecured_doubtful_e4_e6",)),
    Rule("Note E(5)", "a single customer's margin debits over 25% of tentative net capital",
         "reserve.formula.note_e:note_e5_single_customer",
         ("tests/test_formula_credits_debits.py::test_note_e5_single_customer",
          "tests/test_formula_credits_debits.py::test_note_e5_exceptions",
          "tests/test_formula_credits_debits.py::test_note_e5_applies_to_the_debits_left_after_note_e1")),
    Rule("Note E(6)", "joint and custodian account debits with non-customer interests",
         "reserve.formula.note_e:note_e6_joint_accounts",
         ("tests/test_formula_credits_debits.py::test_item_10_unsecured_doubtful_e4_e6",
          "tests/test_rounding.py::test_note_e6_share_rounds_up")),
    Rule("Note F", "Item 13: OCC margin represented by cash, qualified securities and letters of credit",
         "reserve.formula.debits:items_13_14_clearing_margin",
         ("tests/test_formula_credits_debits.py::test_notes_f_and_g_clearing_margin",
          "tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization")),
    Rule("Note G(a)", "Item 14: margin at a registered clearing agency or DCO, as represented",
         "reserve.formula.debits:items_13_14_clearing_margin",
         ("tests/test_formula_credits_debits.py::test_notes_f_and_g_clearing_margin",)),
    Rule("Note G(b)(1)", "Item 14 only with a clearing organization meeting the deposit tests",
         "reserve.formula.debits:note_g_organizations",
         ("tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization",)),
    Rule("Note G(b)(2)", "Item 14 only where the Commission has approved the organization's margin rules",
         "reserve.formula.debits:note_g_organizations",
         ("tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization",)),
    Rule("Note G(b)(3)", "Item 14 only where the organization maintains the safeguards listed",
         "reserve.formula.debits:note_g_organizations",
         ("tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization",)),
    Rule("Note G(c)", "Item 14 only if the firm determines at least annually that the organization qualifies",
         "reserve.formula.debits:note_g_organizations",
         ("tests/test_rule_facts.py::test_notes_f_g_margin_capped_once_per_clearing_organization",)),
)

# Note H: this block is kept by the Note H package (reserve/formula/note_h/).
_NOTE_H: tuple[Rule, ...] = (
    Rule("Note H(a)", "Item 15: customer margin at a qualified clearing agency for U.S. Treasury positions",
         function="reserve.formula.note_h.allocation:margin_required_and_on_deposit",
         tests=("tests/test_note_h.py::test_baseline_customer_treasuries_cover_the_requirement",
                "tests/test_note_h.py::test_excess_on_deposit_and_allocation_order",
                "tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(a)(1)", "in the form of cash, U.S. Treasury securities or qualified customer securities",
         function="reserve.formula.note_h.deposits:permitted_collateral",
         tests=("tests/test_note_h.py::test_each_deposit_condition",
                "tests/test_note_h_facts.py::test_other_security_not_a_security_and_other",)),
    Rule("Note H(a)(2)", "used to margin U.S. Treasury positions of the firm's customers",
         function="reserve.formula.note_h.requirements:not_treasury_positions",
         tests=("tests/test_note_h.py::test_requirement_rows_add_up_and_only_treasury_gross_counts",
                "tests/test_note_h.py::test_position_type_other_gives_no_item_15",
                "tests/test_note_h.py::test_noncustomer_account_is_excluded",)),
    Rule("Note H(b)(1)(i)", "cash owed by the firm to the customer",
         function="reserve.formula.note_h.deposits:customer_cash_cap",
         tests=("tests/test_note_h.py::test_customer_cash_capped_at_credit_balances_across_ccas",
                "tests/test_note_h.py::test_customer_cash_cap_is_spent_on_cash_meeting_requirements_first",
                "tests/test_note_h.py::test_another_customers_cash",)),
    Rule("Note H(b)(1)(ii)", "Treasuries or qualified customer securities held for the customer",
         function="reserve.formula.note_h.deposits:held_for_the_customer",
         tests=("tests/test_note_h.py::test_customer_securities_of_another_customer",
                "tests/test_note_h.py::test_owner_account_must_be_in_the_same_computation",)),
    Rule("Note H(b)(1)(iii)", "firm-owned Treasuries, only as a stop-gap",
         function="reserve.formula.note_h.deposits:firm_owned_treasuries_only",
         tests=("tests/test_note_h.py::test_firm_owned_assets_other_than_treasuries_never",
                "tests/test_note_h.py::test_firm_treasury_conditions",)),
    Rule("Note H(b)(1)(iii)(A)", "the firm did not owe or hold sufficient customer assets",
         function="reserve.formula.note_h.allocation:firm_treasuries_stop_gap",
         tests=("tests/test_note_h.py::test_firm_treasury_conditions",
                "tests/test_note_h_facts.py::test_each_increment_is_tested_on_its_own",)),
    Rule("Note H(b)(1)(iii)(B)", "the firm called for the customer to deliver",
         function="reserve.formula.note_h.allocation:firm_treasuries_stop_gap",
         tests=("tests/test_note_h.py::test_firm_treasury_conditions",
                "tests/test_note_h_facts.py::test_each_increment_is_tested_on_its_own",)),
    Rule("Note H(b)(1)(iii)(C)", "a sufficient amount received by the next business day",
         function="reserve.formula.note_h.allocation:firm_treasuries_stop_gap",
         tests=("tests/test_note_h.py::test_firm_treasury_conditions",
                "tests/test_note_h.py::test_firm_treasury_cure_shortfall_is_the_reading",
                "tests/test_note_h.py::test_thanksgiving_moves_the_cure_deadline",
                "tests/test_note_h.py::test_pending_cure",)),
    Rule("Note H(b)(2)", "treated under approved rules of the qualified clearing agency",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",
                "tests/test_note_h.py::test_a_failing_cca_reports_all_its_failed_conditions",)),
    Rule("Note H(b)(2)(i)", "margin calculated separately (gross) per customer",
         function="reserve.formula.note_h.requirements:not_gross_per_customer",
         tests=("tests/test_note_h.py::test_net_basis_gives_no_item_15",
                "tests/test_note_h_facts.py::test_account_structure",
                "tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(2)(ii)", "the agency's investment of customer margin limited",
         function="reserve.formula.note_h.cca:rules_of_the_clearing_agency",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(2)(iii)", "customer margin used only for the customer",
         function="reserve.formula.note_h.deposits:special_clearing_account",
         tests=("tests/test_note_h.py::test_each_deposit_condition",
                "tests/test_note_h_facts.py::test_pab_margin_in_the_customers_special_account",
                "tests/test_note_h_facts.py::test_customer_margin_in_the_pab_special_account",)),
    Rule("Note H(b)(2)(iii)(A)", "used exclusively to clear, settle, novate and margin U.S. Treasury positions",
         function="reserve.formula.note_h.cca:rules_of_the_clearing_agency",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(2)(iii)(B)", "account designated 'Special Clearing Account for the Exclusive Benefit of the Customers'",
         function="reserve.formula.note_h.cca:special_clearing_account_designation",
         tests=("tests/test_note_h.py::test_account_designation_must_read_exactly",
                "tests/test_note_h_facts.py::test_pab_designation_must_read_exactly",)),
    Rule("Note H(b)(2)(iii)(C)", "written notice of the qualified clearing agency",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",
                "tests/test_note_h_facts.py::test_each_pab_attestation_is_required",)),
    Rule("Note H(b)(2)(iii)(D)", "written contract between the firm and the qualified clearing agency",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",
                "tests/test_note_h_facts.py::test_each_pab_attestation_is_required",)),
    Rule("Note H(b)(2)(iv)", "held at a Federal Reserve Bank or an FDIC-insured bank",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(2)(iv)(A)", "segregated from any other account of the qualified clearing agency",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(2)(iv)(B)", "written notice of the Federal Reserve Bank or bank",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(2)(iv)(C)", "written contract between the agency and the bank",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(2)(v)", "systems, controls, policies and procedures to return excess collateral",
         function="reserve.formula.note_h.cca:notice_contract_custody_and_return",
         tests=("tests/test_note_h.py::test_each_cca_attestation_is_required",)),
    Rule("Note H(b)(3)", "the Commission has approved the agency's rules",
         function="reserve.formula.note_h.cca:commission_notice",
         tests=("tests/test_note_h.py::test_commission_notice_b3",)),
    Rule("Note H(c)", "definition of qualified customer security and qualified clearing agency",
         function="reserve.formula.note_h.deposits:permitted_collateral",
         tests=("tests/test_note_h.py::test_excess_on_deposit_and_allocation_order",
                "tests/test_note_h_facts.py::test_other_security_not_a_security_and_other",)),
)

_PAB_NOTES: tuple[Rule, ...] = (
    Rule("PAB Note 1", "the Exhibit A formula applies to PAB accounts",
         "reserve.formula.computation:computations",
         ("tests/test_formula_credits_debits.py::test_note_e2_special_omnibus",
          "tests/test_rule_facts.py::test_each_row_is_in_one_computation")),
    Rule("PAB Note 2", "a credit in the customer computation is not also a PAB credit",
         "reserve.formula.pab:pab_note_2_one_computation",
         ("tests/test_rule_facts.py::test_each_row_is_in_one_computation",)),
    Rule("PAB Note 3", "Note E(1) does not apply to the PAB computation",
         "reserve.formula.pab:pab_note_3_no_concentration_test",
         ("tests/test_formula_modules.py::test_pab_note_3_no_concentration_test_for_pab_collateral",)),
    Rule("PAB Note 4", "Note E(3) (1% of debits) does not apply to the PAB computation",
         "reserve.formula.pab:pab_note_4_no_reduction",
         ("tests/test_formula_credits_debits.py::test_note_e2_special_omnibus",
          "tests/test_formula_credits_debits.py::test_monthly_105_is_for_the_customer_computation_only")),
    Rule("PAB Note 5", "interest, floor brokerage and commissions receivable; clearing deposits as credits",
         "reserve.formula.pab:pab_note_5_receivables",
         ("tests/test_rule_facts.py::test_pab_note_5_payment_terms_and_identified_payables",
          "tests/test_formula_credits_debits.py::test_pab_notes_5_7_8_9")),
    Rule("PAB Note 6", "cross-margin replacement the next business day; CFTC-segregated portfolio margin balances",
         "reserve.formula.pab:pab_note_6_cross_margin",
         ("tests/test_rule_facts.py::test_pab_note_6_cross_margin_and_cftc_segregated_balances",)),
    Rule("PAB Note 7", "deposits before a pending settlement placed in a separate PAB reserve account",
         "reserve.formula.pab:pab_note_7_pending_settlement",
         ("tests/test_rule_facts.py::test_pab_note_7_size_timing_and_the_separate_account",
          "tests/test_rule_facts.py::test_pab_note_7_account_must_be_a_pab_account",
          "tests/test_formula_credits_debits.py::test_pab_notes_7_8_without_their_conditions_give_nothing")),
    Rule("PAB Note 8", "credits swept to money market funds by 10 a.m. ET, free of liens",
         "reserve.formula.pab:pab_note_8_sweeps",
         ("tests/test_rule_facts.py::test_pab_note_8_sweep_needs_both_conditions",
          "tests/test_formula_credits_debits.py::test_pab_notes_7_8_without_their_conditions_give_nothing")),
    Rule("PAB Note 9", "clearing deposits as PAB debits to the identified proprietary share",
         "reserve.formula.pab:pab_note_9_clearing_deposits",
         ("tests/test_rule_facts.py::test_pab_note_9_clearing_deposits_are_other_debits_not_flagged",)),
    Rule("PAB Note 10", "PAB accounts cleared through an affiliate or third party are included",
         no_function="a statement of scope, applied by the book: PAB accounts cleared through an affiliate or a "
         "third-party clearing broker, and the omnibus PAB account, are rows of `accounts` with book pab, and every "
         "pab row is in the PAB computation (pab.pab_note_2_one_computation)"),
)

#: Every rule of Exhibit A, in the Exhibit's order.
RULES: tuple[Rule, ...] = (*_ITEMS_AND_NOTES_A_TO_G, *_NOTE_H, *_PAB_NOTES)


@dataclass(frozen=True)
class ItemKind:
    """Where a row of the `items` table goes, by its kind (the book's `kind` column).

    kind: the value of `items.kind` (reserve.book.schema.ITEM_KINDS).
    lines: the lines of the formula its rows may end on (a negative amount reduces the line:
        new issues and the PAB Note 5-8 exclusions take their credit off Item 1 or 2). Any item
        row may also end excluded, with its reason: a condition of its rule not met, or a
        check every item row passes (`item_rows.item_row_checks`).
    function: the rule function that reads the kind, as ``module:function``.
    rule: the rule, as the dispositions cite it.
    """

    kind: str
    lines: tuple[str, ...]
    function: str
    rule: str


#: Every item kind -> its lines and the function applying its rule (the map that otherwise
#: exists only as code); tests/test_rule_registry.py runs the formula to keep it true.
ITEM_KINDS: tuple[ItemKind, ...] = (
    ItemKind("drafts_payable", ("item_1",), "reserve.formula.credits:note_a_drafts_and_checks", "Note A"),
    ItemKind("checks_drawn_in_excess", ("item_1",), "reserve.formula.credits:note_a_drafts_and_checks", "Note A (checks)"),
    ItemKind("bank_loan", ("item_2",), "reserve.formula.credits:item_2_bank_loans", "Item 2"),
    ItemKind("letter_of_credit", ("item_2",), "reserve.formula.credits:note_b_letters_of_credit", "Note B"),
    ItemKind("letter_of_credit_portfolio_margin", ("item_2",), "reserve.formula.credits:note_b_letters_of_credit", "Note B (futures letters of credit)"),
    ItemKind("securities_loaned", ("item_3",), "reserve.formula.credits:item_3_securities_loaned", "Item 3; Note C"),
    ItemKind("fail_to_receive", ("item_4",), "reserve.formula.credits:item_4_fails_to_receive", "Item 4; Note D"),
    ItemKind("principal_sale_credit", ("item_5",), "reserve.formula.credits:item_5_principal_sales", "Item 5"),
    ItemKind("stock_dividend_receivable", ("item_6",), "reserve.formula.credits:item_6_stock_dividends", "Item 6"),
    ItemKind("short_count_difference", ("item_7",), "reserve.formula.credits:item_7_short_security_count", "Item 7"),
    ItemKind("suspense_short", ("item_8",), "reserve.formula.credits:item_8_suspense_shorts", "Item 8"),
    ItemKind("transfer_unconfirmed", ("item_9",), "reserve.formula.credits:item_9_transfers_unconfirmed", "Item 9"),
    ItemKind("securities_borrowed", ("item_11",), "reserve.formula.debits:items_11_12_borrowed_and_failed", "Item 11"),
    ItemKind("fail_to_deliver", ("item_12",), "reserve.formula.debits:items_11_12_borrowed_and_failed", "Item 12"),
    ItemKind("occ_margin", ("item_13",), "reserve.formula.debits:items_13_14_clearing_margin", "Item 13; Note F"),
    ItemKind("futures_margin", ("item_14",), "reserve.formula.debits:items_13_14_clearing_margin", "Item 14; Note G"),
    ItemKind("new_issue_not_received", ("item_1", "item_10"), "reserve.formula.credits:new_issue_exclusion", "Rule 15c3-1(a)(1)(ii)(C): new issues off Items 1 and 10"),
    ItemKind("other_credit", ("other_credits",), "reserve.formula.credits:other_credits", "FOCUS other credits (box 4425)"),
    ItemKind("other_debit", ("other_debits",), "reserve.formula.debits:other_debits", "FOCUS other debits (box 4469)"),
    ItemKind("sweep_next_day", ("sweep",), "reserve.formula.credits:sweep_next_day", "SEC staff FAQ 2025-12-08 Q5"),
    ItemKind("pab_note5_credit", ("item_1",), "reserve.formula.pab:pab_note_5_receivables", "PAB Note 5"),
    ItemKind("pab_note5_clearing_deposit", ("item_1",), "reserve.formula.pab:pab_note_5_receivables", "PAB Note 5"),
    ItemKind("pab_note5_exclusion", ("item_1",), "reserve.formula.pab:pab_note_5_receivables", "PAB Note 5"),
    ItemKind("pab_note6_cross_margin", ("item_2",), "reserve.formula.pab:pab_note_6_cross_margin", "PAB Note 6"),
    ItemKind("pab_note6_cftc_segregated", ("item_1",), "reserve.formula.pab:pab_note_6_cross_margin", "PAB Note 6"),
    ItemKind("pab_note7_exclusion", ("item_1",), "reserve.formula.pab:pab_note_7_pending_settlement", "PAB Note 7"),
    ItemKind("pab_note8_sweep", ("item_1",), "reserve.formula.pab:pab_note_8_sweeps", "PAB Note 8"),
    ItemKind("pab_note9_clearing_deposit", ("other_debits",), "reserve.formula.pab:pab_note_9_clearing_deposits", "PAB Note 9"),
)

BEGIN = "<!-- rules:begin -->"
END = "<!-- rules:end -->"


def table(rules: tuple[Rule, ...] = RULES) -> str:
    """The registry as a Markdown table: rule | summary | function | tests."""
    out = ["| Rule | Summary | Function | Tests |", "|---|---|---|---|"]
    for r in rules:
        where = f"`{r.function}`" if r.function else f"none: {r.no_function}"
        tests = "<br>".join(f"`{t}`" for t in r.tests) or "—"
        out.append(f"| {r.citation} | {r.summary} | {where.replace('|', '&#124;')} | {tests} |")
    return "\n".join(out) + "\n"


def kinds_table(kinds: tuple[ItemKind, ...] = ITEM_KINDS) -> str:
    """The item kinds as a Markdown table: kind | lines | function | rule."""
    out = ["| Item kind | Lines (or excluded) | Function | Rule |", "|---|---|---|---|"]
    for k in kinds:
        out.append(f"| `{k.kind}` | {', '.join(k.lines)} | `{k.function}` | {k.rule} |")
    return "\n".join(out) + "\n"


def block(rules: tuple[Rule, ...] = RULES) -> str:
    """The generated block of ARCHITECTURE.md, markers included."""
    return (f"{BEGIN}\n<!-- generated by `python -m reserve.formula.registry`; do not edit by hand -->\n\n"
            f"{table(rules)}\nEach row of the `items` table, by its kind:\n\n{kinds_table()}\n{END}")


def current_block(text: str) -> str | None:
    """The block between the markers in `text` (markers included), or None if absent."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start:end + len(END)]


def main(argv: list[str] | None = None) -> int:
    """Print the table; with ``--check FILE`` exit 1 if FILE's block differs; with
    ``--write FILE`` replace FILE's block."""
    import argparse
    from pathlib import Path

    ap = argparse.ArgumentParser(prog="python -m reserve.formula.registry", description=__doc__.splitlines()[0])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--check", metavar="FILE", help="exit 1 if FILE's rules block is not the registry's")
    group.add_argument("--write", metavar="FILE", help="replace FILE's rules block with the registry's")
    args = ap.parse_args(argv)
    if args.check or args.write:
        path = Path(args.check or args.write)
        text = path.read_text(encoding="utf-8")
        found = current_block(text)
        if found is None:
            print(f"{path}: no {BEGIN} ... {END} block")
            return 1
        if args.check:
            if found != block():
                print(f"{path}: the rules block differs from the registry; run "
                      f"python -m reserve.formula.registry --write {path}")
                return 1
            return 0
        path.write_text(text.replace(found, block()), encoding="utf-8")
        return 0
    print(block())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
