"""The rules of Exhibit A (Rule 15c3-3a), in the Exhibit's order, each with the function that
applies it and the tests that pin it — or the declared reason it needs none.

This is the index a newcomer reads first: ``python -m reserve.formula.registry`` prints it as
the Markdown table kept in ARCHITECTURE.md (between ``<!-- rules:begin -->`` and
``<!-- rules:end -->``), and tests/test_rule_registry.py fails when the two differ, when a
citation of Exhibit A is missing, when a function named here does not exist or does not cite
its rule, or when a test named here does not exist.

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


# Placeholders (function=None, no_function="TODO") are filled by the restructuring (issue 12).
# Keep the order: Items 1-16, Notes A-G, Note H, PAB Notes 1-10.
_ITEMS_AND_NOTES_A_TO_G: tuple[Rule, ...] = (
    Rule("Item 1", "free credit balances and other credit balances in customers' accounts", no_function="TODO"),
    Rule("Item 2", "monies borrowed collateralized by customers' securities", no_function="TODO"),
    Rule("Item 3", "monies payable against customers' securities loaned", no_function="TODO"),
    Rule("Item 4", "customers' securities failed to receive", no_function="TODO"),
    Rule("Item 5", "credit balances in firm accounts attributable to principal sales to customers", no_function="TODO"),
    Rule("Item 6", "stock dividends, splits and distributions outstanding over 30 days", no_function="TODO"),
    Rule("Item 7", "short security count differences over 30 days old", no_function="TODO"),
    Rule("Item 8", "short securities and credits in suspense accounts over 30 days", no_function="TODO"),
    Rule("Item 9", "securities in transfer over 40 days not confirmed", no_function="TODO"),
    Rule("Item 10", "debit balances in customers' cash and margin accounts", no_function="TODO"),
    Rule("Item 11", "securities borrowed to effectuate short sales and deliveries", no_function="TODO"),
    Rule("Item 12", "failed to deliver of customers' securities not older than 30 days", no_function="TODO"),
    Rule("Item 13", "margin required and on deposit with the Options Clearing Corporation", no_function="TODO"),
    Rule("Item 14", "margin required and on deposit with a clearing agency or DCO (futures, SFPs)", no_function="TODO"),
    Rule("Item 15", "margin required and on deposit with a qualified clearing agency (U.S. Treasuries)", no_function="TODO"),
    Rule("Item 16", "excess of total credits over total debits; the required deposit", no_function="TODO"),
    Rule("Note A", "Item 1 includes outstanding drafts payable to customers", no_function="TODO"),
    Rule("Note A (checks)", "Item 1 includes checks drawn in excess of bank balances", no_function="TODO"),
    Rule("Note B", "Item 2 includes options- and SFP-related letters of credit", no_function="TODO"),
    Rule("Note B (futures letters of credit)", "Item 2 includes letters of credit for other futures under portfolio margining", no_function="TODO"),
    Rule("Note B (qualified clearing agency)", "Item 2 includes customers' securities on deposit at a qualified clearing agency", no_function="TODO"),
    Rule("Note C", "Item 3 includes the excess of market value loaned over collateral received", no_function="TODO"),
    Rule("Note D", "Item 4 includes the excess of market value over contract value of fails over 30 days", no_function="TODO"),
    Rule("Note E(1)", "margin debits reduced by a concentrated security's excess over 15%", no_function="TODO"),
    Rule("Note E(2)", "special omnibus account debits reduced by the deficit less calls", no_function="TODO"),
    Rule("Note E(3)", "aggregate debits reduced by 1%", no_function="TODO"),
    Rule("Note E(4)", "debits of household members and principals excluded", no_function="TODO"),
    Rule("Note E(5)", "a single customer's margin debits over 25% of tentative net capital", no_function="TODO"),
    Rule("Note E(6)", "joint and custodian account debits with non-customer interests", no_function="TODO"),
    Rule("Note F", "Item 13: OCC margin represented by cash, qualified securities and letters of credit", no_function="TODO"),
    Rule("Note G(a)", "Item 14: margin at a registered clearing agency or DCO, as represented", no_function="TODO"),
    Rule("Note G(b)(1)", "Item 14 only with a clearing organization meeting the deposit tests", no_function="TODO"),
    Rule("Note G(b)(2)", "Item 14 only where the Commission has approved the organization's margin rules", no_function="TODO"),
    Rule("Note G(b)(3)", "Item 14 only where the organization maintains the safeguards listed", no_function="TODO"),
    Rule("Note G(c)", "Item 14 only if the firm determines at least annually that the organization qualifies", no_function="TODO"),
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
    Rule("PAB Note 1", "the Exhibit A formula applies to PAB accounts", no_function="TODO"),
    Rule("PAB Note 2", "a credit in the customer computation is not also a PAB credit", no_function="TODO"),
    Rule("PAB Note 3", "Note E(1) does not apply to the PAB computation", no_function="TODO"),
    Rule("PAB Note 4", "Note E(3) (1% of debits) does not apply to the PAB computation", no_function="TODO"),
    Rule("PAB Note 5", "interest, floor brokerage and commissions receivable; clearing deposits as credits", no_function="TODO"),
    Rule("PAB Note 6", "cross-margin replacement the next business day; CFTC-segregated portfolio margin balances", no_function="TODO"),
    Rule("PAB Note 7", "deposits before a pending settlement placed in a separate PAB reserve account", no_function="TODO"),
    Rule("PAB Note 8", "credits swept to money market funds by 10 a.m. ET, free of liens", no_function="TODO"),
    Rule("PAB Note 9", "clearing deposits as PAB debits to the identified proprietary share", no_function="TODO"),
    Rule("PAB Note 10", "PAB accounts cleared through an affiliate or third party are included", no_function="TODO"),
)

#: Every rule of Exhibit A, in the Exhibit's order.
RULES: tuple[Rule, ...] = (*_ITEMS_AND_NOTES_A_TO_G, *_NOTE_H, *_PAB_NOTES)
