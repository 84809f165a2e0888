"""Write the sample books of `reserve` (run: `python sample_data/make_samples.py`).

`weekly_book.xlsx` is the weekly computation of Harbor Point Securities LLC, a small
fictional carrying broker-dealer, as of Friday 2026-11-20. It is small (dozens of rows) but
exercises every table of the book format and most of Exhibit A: see README.md beside this
script for what each part is there to show.

The script is deterministic: the same version of it writes a byte-identical workbook (the
workbook's timestamps and the zip entries' dates are fixed), so a change to the sample shows
up in review as a change to this script.

Dates are written as real Excel date cells and money as numbers, except a few money cells
typed as text the way finance people type them (`$1,250.00`, `(2,500.00)`, `1,234.50`) to
show that both forms load.
"""

from __future__ import annotations

import io
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

HERE = Path(__file__).resolve().parent
FIRM = "Harbor Point Securities LLC"
AS_OF = date(2026, 11, 20)  # a Friday: the weekly computation date
FIXED_TIME = datetime(2026, 11, 20, 18, 0, 0)  # workbook metadata, for byte-identical output
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00;(#,##0.00)"
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")

DESIGNATION = f"Special Clearing Account for the Exclusive Benefit of the Customers of {FIRM}"
# PAB Note 1 with Note H(b)(2)(iii)(B): the firm's PAB clearing account at FICC.
PAB_DESIGNATION = f"Special Clearing Account for the Exclusive Benefit of the PAB Accounts of {FIRM}"

# --------------------------------------------------------------------------- parameters

PARAMETERS = [
    ("firm_name", FIRM, "Legal name, as used in the FICC account designation"),
    ("as_of", AS_OF, "Friday: weekly computation date"),
    ("frequency", "weekly", ""),
    ("net_capital_method", "alternative", "3% reduction of aggregate debits"),
    ("tentative_net_capital", 40_000_000.00, "Note E(5): 25% = 10,000,000.00"),
    ("prepared_on", AS_OF, "Prepared at close of business: the C-2005 cure is still pending"),
    ("pending_cure_policy", "exclude", ""),
    ("average_total_credits", "$212,400,000.00", "Below $500 million: weekly computation allowed"),
    ("cross_margin_dual_registrant", True, "Harbor Point is also registered as an FCM"),
    ("cross_margin_joint_member", True, "Clearing member of FICC and CME"),
    ("cross_margin_conditions_met", False, "Not attested yet: cross-margin accounts stay in the computation"),
]

# --------------------------------------------------------------------------- accounts

ACCOUNT_COLUMNS = [
    "account_id", "customer_id", "book", "type", "balance", "unsecured_amount", "doubtful",
    "related_party", "noncustomer_ownership_pct", "debit_related_to_credits", "omnibus_deficit",
    "omnibus_calls_5bd", "e5_exception", "e5_exception_date", "cross_margin", "non_pab_reason",
    "account_name",  # an extra column: not in the book format, carried into the audit trail
]


def acct(account_id, book, type_, balance, name, **kw):
    row = {"account_id": account_id, "book": book, "type": type_, "balance": balance, "account_name": name}
    row.update(kw)
    return row


ACCOUNTS = [
    # Customer cash accounts: free credit balances (Item 1) and small debits (Item 10).
    acct("C-1001", "customer", "cash", 1_250_000.00, "Alder Family Trust"),
    acct("C-1002", "customer", "cash", 85_432.17, "Maria Okafor"),
    acct("C-1003", "customer", "cash", "$1,250.00", "Dennis Whitlow"),  # money typed as text
    acct("C-1004", "customer", "cash", 412_908.55, "Prairie Wind Foundation"),
    acct("C-1005", "customer", "cash", 23_118.40, "Lucia Fernandez IRA"),
    acct("C-1006", "customer", "cash", "(12,500.00)", "Gregory Pham",  # debit, partly unsecured
         unsecured_amount=2_500.00),
    acct("C-1007", "customer", "cash", -48_750.00, "Kestrel Ventures LLC",  # doubtful of collection
         doubtful=True),
    acct("C-1008", "customer", "cash", -6_420.00, "Ruth Adebayo", unsecured_amount=6_420.00),  # wholly unsecured
    # Customer margin accounts: debits (Item 10) collateralized by securities (Note E(1)).
    acct("C-1101", "customer", "margin", -450_000.00, "Daniel Marsh (brother of a principal)",
         related_party="principal"),  # Note E(4)
    acct("C-1102", "customer", "margin", -800_000.00, "Ortiz / Harbor Point Capital joint account",
         noncustomer_ownership_pct=20),  # Note E(6): 20% non-customer share
    acct("C-1103", "customer", "margin", -7_400_000.00, "Oakmont Capital Partners - Fund I", customer_id="OAKMONT"),  # Note E(5)
    acct("C-1104", "customer", "margin", -5_200_000.00, "Oakmont Capital Partners - Fund II", customer_id="OAKMONT"),  # Note E(5)
    acct("C-1105", "customer", "margin", -2_300_000.00, "Sequoia Ridge Advisors"),
    acct("C-1106", "customer", "margin", -950_000.00, "Thomas Leclerc"),
    acct("C-1107", "customer", "margin", 3_100_000.00, "Northgate Endowment"),  # margin account in credit
    acct("C-1108", "customer", "margin", -275_000.00, "Harbor Point Holdings (affiliate)",
         related_party="affiliate", debit_related_to_credits=True),  # Note E(4) exception
    # FICC sponsored members (Note H): their credit balances are the cash they may deliver.
    acct("C-2001", "customer", "cash", 2_600_000.00, "Bayview Municipal Pension Fund"),
    acct("C-2002", "customer", "cash", 1_100_000.00, "Cobalt Street Income Fund"),
    acct("C-2003", "customer", "cash", 350_000.00, "Pinecrest Treasury Partners"),
    acct("C-2004", "customer", "cash", 2_050_000.00, "Larchmont Relative Value Fund"),
    acct("C-2005", "customer", "cash", 140_000.00, "Saltmarsh Capital"),
    acct("C-2006", "customer", "cash", 900_000.00, "Ironbridge Liquidity Fund"),
    acct("C-2007", "customer", "cash", 725_000.00, "Westerly Short Duration Fund"),
    acct("C-2008", "customer", "cash", 980_000.00, "Granite Bay Asset Management"),
    # A customer cross-margin account (FICC-CME order): the parameters are not all attested.
    acct("C-3001", "customer", "margin", -150_000.00, "Tidewater Basis Fund (cross-margin)", cross_margin=True),
    # PAB: other broker-dealers' proprietary accounts.
    acct("P-5001", "pab", "cash", 9_200_000.00, "Ridgeline Securities Inc. - proprietary"),
    acct("P-5002", "pab", "margin", -1_150_000.00, "Corvid Trading LLC - proprietary"),
    acct("P-5003", "pab", "omnibus", -3_200_000.00, "Brightwater Clearing - special omnibus",
         omnibus_deficit=180_000.00, omnibus_calls_5bd=60_000.00),  # Note E(2)
    acct("P-5004", "pab", "cash", 640_000.00, "Eastlake Capital Markets - proprietary"),
    acct("P-5005", "pab", "cash", 1_000_000.00, "Ridgeline Securities Inc. - FICC sponsored"),
    # A broker-dealer's accounts that are not PAB accounts (Rule 15c3-3(a)(16)): out of both.
    acct("P-5006", "pab", "cash", 430_000.00, "Ridgeline Securities Inc. - DVP settlement account",
         non_pab_reason="delivery_versus_payment"),
    acct("P-5007", "noncustomer", "cash", 1_500_000.00, "Corvid Trading LLC - subordinated loan account",
         non_pab_reason="subordinated"),
    # Non-customers (Rule 15c3-3(a)(1)): excluded from both computations.
    acct("N-9001", "noncustomer", "cash", 500_000.00, "Harbor Point general partner"),
    acct("N-9002", "noncustomer", "margin", -220_000.00, "Director: Evelyn Marsh"),
]

# --------------------------------------------------------------------------- collateral

CONCENTRATED = "74347X831"  # a thinly traded small-cap held across several margin accounts
COLLATERAL = [
    # account, security, market value, exempted
    ("C-1101", "912797KX4", 300_000.00, True),   # U.S. Treasury bill: exempted
    ("C-1101", "037833100", 500_000.00, False),  # Apple Inc.
    ("C-1102", "594918104", 900_000.00, False),  # Microsoft Corp.
    ("C-1102", CONCENTRATED, 400_000.00, False),
    ("C-1103", CONCENTRATED, 2_600_000.00, False),
    ("C-1103", "91282CJL6", 9_000_000.00, True),  # U.S. Treasury note: exempted
    ("C-1103", "78462F103", 2_000_000.00, False),  # SPDR S&P 500 ETF Trust
    ("C-1103", "67066G104", 1_500_000.00, False),  # NVIDIA Corp.
    ("C-1104", CONCENTRATED, 1_500_000.00, False),
    ("C-1104", "037833100", 2_500_000.00, False),
    ("C-1104", "46625H100", 2_000_000.00, False),  # JPMorgan Chase & Co.
    ("C-1104", "91282CHT1", 3_000_000.00, True),
    ("C-1105", CONCENTRATED, 1_000_000.00, False),
    ("C-1105", "594918104", 1_200_000.00, False),
    ("C-1105", "478160104", 1_500_000.00, False),  # Johnson & Johnson
    ("C-1106", "78462F103", 1_500_000.00, False),  # above 140% of the 950,000.00 debit: capped
    ("C-1108", "91282CHT1", 400_000.00, True),
    ("C-3001", "91282CKB2", 210_000.00, True),
    ("P-5002", "78462F103", 1_700_000.00, False),  # PAB: no concentration test (PAB Note 3)
]

# --------------------------------------------------------------------------- items

ITEM_COLUMNS = ["item_id", "book", "kind", "amount", "market_value", "open_date", "confirmed",
                "margin_requirement", "collateral_form", "clearing_org_qualified", "clearing_org_id",
                "collateral_value", "security_id", "allocated_to", "security_type", "related_debit",
                "payment_terms", "identified_as_payable", "replaced_next_business_day", "transaction_id",
                "broker_id", "reserve_bank_account_id", "placed_on", "placed_by_noon", "swept_by_10am",
                "free_of_liens", "description"]


def item(item_id, book, kind, amount, **kw):
    row = {"item_id": item_id, "book": book, "kind": kind, "amount": amount}
    row.update(kw)
    return row


ITEMS = [
    # Credits
    item("DFT-26-1187", "customer", "drafts_payable", 182_450.00, description="Outstanding customer checks"),
    item("CHK-0092", "customer", "checks_drawn_in_excess", 46_300.00,
         description="Checks drawn on the disbursement account in excess of its bank balance (Note A)"),
    item("BL-FLB-0412", "customer", "bank_loan", 5_000_000.00,
         description="First Lakeshore Bank call loan collateralized by customer margin securities"),
    item("LOC-OCC-07", "customer", "letter_of_credit", 2_000_000.00, margin_requirement=1_250_000.00,
         clearing_org_id="OCC", description="Customer letter of credit at OCC: taken up to the requirement (Note B)"),
    item("LOC-PM-02", "customer", "letter_of_credit_portfolio_margin", 600_000.00,
         description="Letter of credit for portfolio-margined futures: not capped (Note B, second sentence)"),
    item("SL-30318", "customer", "securities_loaned", 3_200_000.00, market_value=3_350_000.00,
         description="Loan to Keystone Prime: market value above collateral (Note C)"),
    item("SL-30322", "customer", "securities_loaned", 1_000_000.00, market_value=950_000.00),
    item("SL-30340", "customer", "securities_loaned", 1_500_000.00, market_value=1_520_000.00,
         collateral_value=1_450_000.00,
         description="Loan against Treasury collateral valued 1,450,000.00: monies payable plus the excess (Note C)"),
    item("FTR-88410", "customer", "fail_to_receive", 410_000.00, market_value=415_000.00,
         open_date=date(2026, 11, 17), security_id="88160R101", description="Fresh fail: contract value"),
    item("FTR-87122", "customer", "fail_to_receive", 250_000.00, market_value=275_000.00,
         open_date=date(2026, 10, 8), description="Over 30 days: market value above contract added (Note D)"),
    item("PSC-5510", "customer", "principal_sale_credit", 95_000.00,
         description="Market value of short securities and credits in firm accounts (Item 5)"),
    item("SDR-2026-33", "customer", "stock_dividend_receivable", 18_750.00, market_value=18_750.00,
         open_date=date(2026, 10, 9), description="Record date 42 days ago: included"),
    item("SDR-2026-41", "customer", "stock_dividend_receivable", 9_800.00, market_value=9_800.00,
         open_date=date(2026, 11, 10), description="Record date 10 days ago: excluded"),
    item("SCD-1104", "customer", "short_count_difference", 42_000.00, market_value=42_000.00,
         open_date=date(2026, 10, 12), description="Box count short, 39 days"),
    item("SCD-1131", "customer", "short_count_difference", "4,150.00", market_value=4_150.00,
         open_date=date(2026, 11, 16), description="Box count short, 4 days: too new"),
    item("SUS-0098", "customer", "suspense_short", 12_600.00, market_value=12_600.00,
         open_date=date(2026, 11, 2), description="Unreconciled suspense short, over 7 business days"),
    item("TRF-7713", "customer", "transfer_unconfirmed", 33_000.00, market_value=33_000.00,
         open_date=date(2026, 10, 1), confirmed=False, description="In transfer 50 days, not confirmed"),
    item("TRF-7702", "customer", "transfer_unconfirmed", 27_500.00, market_value=27_500.00,
         open_date=date(2026, 9, 25), confirmed=True, description="In transfer 56 days, confirmed by the agent"),
    item("OC-01", "customer", "other_credit", 64_000.00,
         description="Customer dividends received, not yet credited to accounts"),
    # Debits
    item("SB-44120", "customer", "securities_borrowed", 4_100_000.00,
         description="Borrowed from Keystone Prime to cover customer short sales"),
    item("SB-44131", "customer", "securities_borrowed", 1_750_000.00),
    item("FTD-66051", "customer", "fail_to_deliver", 520_000.00, open_date=date(2026, 11, 16),
         description="Fresh fail to deliver"),
    item("FTD-65002", "customer", "fail_to_deliver", 180_000.00, open_date=date(2026, 10, 5),
         description="Over 30 days: excluded"),
    item("FTD-66077", "customer", "fail_to_deliver", 205_000.00, open_date=date(2026, 11, 17), security_id="88160R101",
         allocated_to="FTR-88410", description="Allocated to a fail to receive of the same issue: out of Item 12, "
                                              "1% of contract value deducted from net worth (Rule 15c3-1(a)(1)(ii)(D))"),
    item("NI-MUNI-118", "customer", "new_issue_not_received", 300_000.00, open_date=date(2026, 11, 18),
         security_type="municipal", related_debit=25_000.00,
         description="Part of C-1004's credit: payable for a municipal new issue not yet received (Rule "
                     "15c3-1(a)(1)(ii)(C)); its related debit is part of C-1006's"),
    item("OCC-MRG-CASH", "customer", "occ_margin", 1_000_000.00, margin_requirement=1_450_000.00,
         collateral_form="cash", clearing_org_id="OCC", description="Customer options margin at OCC in cash (Note F)"),
    item("OCC-MRG-QS", "customer", "occ_margin", 600_000.00, margin_requirement=1_450_000.00,
         collateral_form="qualified_securities", clearing_org_id="OCC",
         description="The same OCC requirement, partly met in Treasury bills: counted with the cash up to it once"),
    item("OCC-MRG-OTH", "customer", "occ_margin", 300_000.00, margin_requirement=1_450_000.00,
         collateral_form="other", clearing_org_id="OCC", description="Margin in a form Note F does not allow"),
    item("FUT-CME-01", "customer", "futures_margin", 900_000.00, margin_requirement=850_000.00,
         collateral_form="cash", clearing_org_qualified=True, clearing_org_id="CME",
         description="Security futures margin at CME Clearing (Note G)"),
    item("FUT-XYZ-02", "customer", "futures_margin", 400_000.00, margin_requirement=400_000.00,
         collateral_form="qualified_securities", clearing_org_qualified=False, clearing_org_id="XFC",
         description="Clearing organization last determined under Note G(c) more than a year ago"),
    item("OD-01", "customer", "other_debit", 22_500.00,
         description="Receivable from clearing bank for a customer wire returned 2026-11-19"),
    item("SWP-1121", "customer", "sweep_next_day", 750_000.00,
         description="Free credits moving to the bank sweep program on 2026-11-23"),
    # PAB
    item("PBL-0007", "pab", "bank_loan", 600_000.00, description="Loan collateralized by PAB securities"),
    item("PFTR-2201", "pab", "fail_to_receive", 310_000.00, market_value=300_000.00, open_date=date(2026, 11, 18)),
    item("PSB-8810", "pab", "securities_borrowed", 850_000.00),
    item("PFTD-3307", "pab", "fail_to_deliver", 220_000.00, open_date=date(2026, 11, 19)),
    item("PN5-01", "pab", "pab_note5_credit", 310_000.00, payment_terms="immediate",
         description="Commissions receivable of Ridgeline, subject to immediate cash payment (PAB Note 5)"),
    item("PN5-02", "pab", "pab_note5_clearing_deposit", 150_000.00, payment_terms="within_30_days",
         description="Corvid's clearing deposit, payable within 30 days: a PAB credit (PAB Note 5)"),
    item("PN5-03", "pab", "pab_note5_exclusion", 40_000.00, identified_as_payable=True,
         description="Floor brokerage receivable of Eastlake in P-5004's credit, identified as a payable (PAB Note 5)"),
    item("PN6-01", "pab", "pab_note6_cross_margin", 120_000.00, replaced_next_business_day=True,
         description="PAB securities pledged intra-day in the OCC-CME cross-margin account, replaced 2026-11-20 (PAB Note 6)"),
    item("PN6-02", "pab", "pab_note6_cftc_segregated", 90_000.00,
         description="Corvid portfolio margin balances segregated under CFTC rules (PAB Note 6)"),
    item("PN7-01", "pab", "pab_note7_exclusion", 5_500_000.00, open_date=date(2026, 11, 19), transaction_id="RDG-IPO-77",
         broker_id="P-5001", reserve_bank_account_id="RBA-LKS-PAB7", placed_on=date(2026, 11, 20), placed_by_noon=True,
         description="Ridgeline deposit of 5,500,000.00 before a pending settlement, placed in the separate PAB "
                     "account by noon the next business day (PAB Note 7)"),
    item("PN7-02", "pab", "pab_note7_exclusion", 800_000.00, open_date=date(2026, 11, 19), transaction_id="EST-0311",
         broker_id="P-5004", reserve_bank_account_id="RBA-LKS-PAB7", placed_on=date(2026, 11, 19),
         description="Eastlake deposit under $5 million (and Eastlake's under $10 million): stays a credit"),
    item("PN8-01", "pab", "pab_note8_sweep", 450_000.00, swept_by_10am=True, free_of_liens=True,
         description="Eastlake credits swept into a money market fund by 10 a.m. ET, free of liens (PAB Note 8)"),
    item("PN9-01", "pab", "pab_note9_clearing_deposit", 275_000.00,
         description="Clearing deposit at NSCC relating to PAB proprietary business (PAB Note 9)"),
]

# --------------------------------------------------------------------------- clearing organizations

CLEARING_ORG_COLUMNS = ["clearing_org_id", "name", "kind", "note_g_b1", "note_g_b2", "note_g_b3",
                        "note_g_determined_on"]
CLEARING_ORGANIZATIONS = [
    {"clearing_org_id": "OCC", "name": "The Options Clearing Corporation", "kind": "occ"},
    {"clearing_org_id": "CME", "name": "CME Clearing", "kind": "dco", "note_g_b1": True, "note_g_b2": True,
     "note_g_b3": True, "note_g_determined_on": date(2026, 2, 12)},
    # Meets Note G(b), but the firm's last determination is more than a year old (Note G(c)).
    {"clearing_org_id": "XFC", "name": "Xylem Futures Clearing LLC", "kind": "dco", "note_g_b1": True,
     "note_g_b2": True, "note_g_b3": True, "note_g_determined_on": date(2025, 9, 30)},
]

# --------------------------------------------------------------------------- Note H

CCA_COLUMNS = ["cca_id", "name", "registered", "clears_ust", "rule_gross_margin", "rule_investment_limit",
               "rule_segregated_account", "account_designation", "written_notice", "written_contract",
               "rule_custody", "rule_return_excess", "in_compliance", "sec_notice_date",
               "sec_notice_withdrawn_date", "pab_account_designation", "pab_rules_apply", "pab_written_notice",
               "pab_written_contract"]
CCA = [
    {"cca_id": "FICC", "name": "Fixed Income Clearing Corporation", "registered": True, "clears_ust": True,
     "rule_gross_margin": True, "rule_investment_limit": True, "rule_segregated_account": True,
     "account_designation": DESIGNATION, "written_notice": True, "written_contract": True,
     "rule_custody": True, "rule_return_excess": True, "in_compliance": True,
     "sec_notice_date": date(2024, 11, 29),
     # The PAB clearing account at FICC (PAB Note 1): its own designation, notice and contract.
     "pab_account_designation": PAB_DESIGNATION, "pab_rules_apply": True, "pab_written_notice": True,
     "pab_written_contract": True},
    # A second clearing agency that fails Note H: no written contract, a designation that is not
    # the Note H(b)(2)(iii)(B) wording, and no Commission notice yet.
    {"cca_id": "CMESC", "name": "CME Securities Clearing Inc.", "registered": True, "clears_ust": True,
     "rule_gross_margin": True, "rule_investment_limit": True, "rule_segregated_account": True,
     "account_designation": f"Customer Account of {FIRM}", "written_notice": True, "written_contract": False,
     "rule_custody": True, "rule_return_excess": True, "in_compliance": True},
]

CCA_REQUIREMENTS = [
    # cca, account, position type, basis, requirement[, account structure (Note H(b)(2)(i))]
    ("FICC", "C-2001", "ust_cash", "gross", 4_000_000.00, "own_gross"),  # a sponsored member's own account
    ("FICC", "C-2001", "ust_repo", "gross", 1_500_000.00, "own_gross"),
    ("FICC", "C-2002", "ust_repo", "gross", 3_000_000.00),
    ("FICC", "C-2003", "ust_cash", "gross", 1_200_000.00),
    ("FICC", "C-2004", "ust_repo", "gross", 2_000_000.00),
    ("FICC", "C-2005", "ust_cash", "gross", 800_000.00),
    ("FICC", "C-2006", "other", "gross", 600_000.00),  # tri-party GC repo: not Treasury cash/repo
    ("FICC", "C-2007", "ust_cash", "net", 700_000.00, "omnibus_net"),  # an omnibus account margined net
    ("CMESC", "C-2008", "ust_cash", "gross", 900_000.00),
    ("FICC", "P-5005", "ust_repo", "gross", 1_000_000.00),  # PAB (PAB Note 9)
]

DEPOSIT_COLUMNS = ["deposit_id", "cca_id", "account_id", "asset", "owner", "owner_account_id", "value",
                   "cca_account", "delivered_by_firm", "requirement_arose_on", "requirement_at_arise",
                   "customer_assets_at_arise", "call_issued_on", "cure_received_on", "cure_received_amount",
                   "special_account", "increment_id", "memo"]


def dep(deposit_id, cca_id, account_id, asset, owner, value, **kw):
    # cca_account and delivered_by_firm are required (issue 10): stated on every row
    row = {"deposit_id": deposit_id, "cca_id": cca_id, "account_id": account_id, "asset": asset,
           "owner": owner, "value": value, "cca_account": "customer_segregated", "delivered_by_firm": True}
    row.update(kw)
    return row


CCA_DEPOSITS = [
    # C-2001: fully covered by its own cash and Treasuries (5,700,000 for 5,500,000: 200,000 excess).
    dep("FD-0001", "FICC", "C-2001", "cash", "customer", 2_000_000.00, memo="Own cash, within its credit balance"),
    dep("FD-0002", "FICC", "C-2001", "us_treasury", "customer", 3_700_000.00, memo="Own Treasuries"),
    # C-2002: partly eligible.
    dep("FD-0003", "FICC", "C-2002", "us_treasury", "customer", 1_800_000.00, memo="Eligible"),
    dep("FD-0004", "FICC", "C-2002", "qualified_customer_security", "customer", 400_000.00,
        memo="Customer's qualified security: eligible, and an Item 2 credit (Note B)"),
    dep("FD-0005", "FICC", "C-2002", "cash", "customer", 500_000.00, cca_account="house",
        memo="Sits in the house account: not eligible"),
    dep("FD-0006", "FICC", "C-2002", "us_treasury", "customer", 250_000.00, delivered_by_firm=False,
        memo="Delivered by the customer's other broker-dealer: not eligible"),
    # C-2003: margined with another customer's Treasuries: not eligible (H(b)(1)(i)-(ii)).
    dep("FD-0007", "FICC", "C-2003", "us_treasury", "customer", 1_200_000.00, owner_account_id="C-2001",
        memo="Bayview's Treasuries used for Pinecrest"),
    # C-2004: a requirement that grew over two days, firm-owned Treasuries for each increment,
    # call issued the day each increment arose, cured the next business day (H(b)(1)(iii)(A)-(C);
    # the increments are in cca_requirement_increments).
    dep("FD-0008", "FICC", "C-2004", "us_treasury", "firm", 1_200_000.00, increment_id="INC-2004-1",
        memo="For the first increment: cured on the next business day"),
    dep("FD-0015", "FICC", "C-2004", "us_treasury", "firm", 800_000.00, increment_id="INC-2004-2",
        memo="For the second increment: cured on the next business day"),
    # C-2005: firm-owned Treasuries, requirement arose today: cure due Monday 2026-11-23, pending.
    dep("FD-0009", "FICC", "C-2005", "us_treasury", "firm", 800_000.00,
        requirement_arose_on=AS_OF, requirement_at_arise=800_000.00, customer_assets_at_arise=100_000.00,
        call_issued_on=AS_OF, memo="Cure pending: due by close of business 2026-11-23"),
    dep("FD-0010", "FICC", "C-2006", "cash", "customer", 600_000.00, memo="Margins a tri-party GC repo"),
    dep("FD-0011", "FICC", "C-2007", "us_treasury", "customer", 700_000.00, memo="Requirement computed net"),
    dep("FD-0012", "CMESC", "C-2008", "us_treasury", "customer", 900_000.00,
        memo="At a clearing agency that fails Note H(b)"),
    dep("FD-0013", "CMESC", "C-2008", "qualified_customer_security", "customer", 150_000.00,
        memo="Qualified clearing agency (H(a)): still an Item 2 credit"),
    dep("FD-0014", "FICC", "P-5005", "us_treasury", "customer", 1_000_000.00, special_account="pab_accounts",
        memo="PAB sponsored member: in the PAB clearing account (PAB Note 1)"),
]

INCREMENT_COLUMNS = ["increment_id", "cca_id", "account_id", "arose_on", "requirement_at_arise",
                     "customer_assets_at_arise", "call_issued_on", "cure_received_on", "cure_received_amount", "memo"]
CCA_REQUIREMENT_INCREMENTS = [
    # C-2004's requirement grew from 1,200,000.00 (Tuesday) to 2,000,000.00 (Wednesday). Each
    # increment: the customer's assets were short when it arose ((A)), the call went out that
    # day ((B)), and the customer delivered the shortfall by the close of the next business day ((C)).
    {"increment_id": "INC-2004-1", "cca_id": "FICC", "account_id": "C-2004", "arose_on": date(2026, 11, 17),
     "requirement_at_arise": 1_200_000.00, "customer_assets_at_arise": 250_000.00,
     "call_issued_on": date(2026, 11, 17), "cure_received_on": date(2026, 11, 18), "cure_received_amount": 950_000.00,
     "memo": "Shortfall 950,000.00, cured Wednesday"},
    {"increment_id": "INC-2004-2", "cca_id": "FICC", "account_id": "C-2004", "arose_on": date(2026, 11, 18),
     "requirement_at_arise": 2_000_000.00, "customer_assets_at_arise": 1_200_000.00,
     "call_issued_on": date(2026, 11, 18), "cure_received_on": date(2026, 11, 19), "cure_received_amount": 800_000.00,
     "memo": "Shortfall 800,000.00, cured Thursday"},
]

# --------------------------------------------------------------------------- reserve bank accounts

RBA_COLUMNS = ["account_id", "book", "bank_id", "bank_name", "bank_affiliated", "bank_equity_capital",
               "cash", "qualified_securities", "written_notification", "pab_note7_account"]
RESERVE_BANK_ACCOUNTS = [
    # First Lakeshore: 15% of 20,000,000.00 = 3,000,000.00 of cash, shared by the customer and
    # PAB accounts there pro rata (3,500,000.00 of cash: the cap binds).
    {"account_id": "RBA-FLB-CUST", "book": "customer", "bank_id": "FLB", "bank_name": "First Lakeshore Bank, N.A.",
     "bank_affiliated": False, "bank_equity_capital": 20_000_000.00, "cash": 2_400_000.00,
     "qualified_securities": 0, "written_notification": True},
    {"account_id": "RBA-FLB-PAB", "book": "pab", "bank_id": "FLB", "bank_name": "First Lakeshore Bank, N.A.",
     "bank_affiliated": False, "bank_equity_capital": 20_000_000.00, "cash": 1_100_000.00,
     "qualified_securities": 0, "written_notification": True},
    # An affiliated bank: its cash does not count (Rule 15c3-3(e)(5)).
    {"account_id": "RBA-HPT-CUST", "book": "customer", "bank_id": "HPT", "bank_name": "Harbor Point Trust Company",
     "bank_affiliated": True, "bank_equity_capital": 150_000_000.00, "cash": 1_000_000.00,
     "qualified_securities": 500_000.00, "written_notification": True},
    # No written notification from the bank (Rule 15c3-3(f)): the account does not count.
    {"account_id": "RBA-MNB-CUST", "book": "customer", "bank_id": "MNB", "bank_name": "Meridian National Bank",
     "bank_affiliated": False, "bank_equity_capital": 900_000_000.00, "cash": 750_000.00,
     "qualified_securities": 0, "written_notification": False},
    # The separate PAB Reserve Bank Account of PAB Note 7: the 5,500,000.00 Ridgeline deposit
    # excluded from PAB credits is the money here, so it does not also count on deposit.
    {"account_id": "RBA-LKS-PAB7", "book": "pab", "bank_id": "LKS", "bank_name": "Lakeshore Savings Bank",
     "bank_affiliated": False, "bank_equity_capital": 400_000_000.00, "cash": 6_300_000.00,
     "qualified_securities": 0, "written_notification": True, "pab_note7_account": True},
]

HOLIDAYS = [
    (date(2026, 12, 24), "Firm closed: Christmas Eve (board resolution 2026-03)"),
]


# The reviewer's dispositions (issue 14): each names an exception id the report shows. The
# ids are stable (rule, row, kind), so a reviewer's rows can be carried week to week.
REVIEW = [
    ("E-ebda079f15cc", "open", "Ops asked to return C-2001's Treasuries from C-2003's margin (ticket FIN-4471)",
     "M. Okafor (FinOps)", date(2026, 11, 23)),
    ("E-cd73e5922754", "accepted", "Aged fail with Dealer B; buy-in notice sent 2026-11-18, excluded as the rule requires",
     "M. Okafor (FinOps)", date(2026, 11, 23)),
    ("E-efdb9892804f", "resolved", "Excess moved to Second National on 2026-11-23 (wire 88213)", "M. Okafor (FinOps)",
     date(2026, 11, 23)),
]


# --------------------------------------------------------------------------- writing

def _sheet(wb, name, columns, rows):
    ws = wb.create_sheet(name)
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for r in rows:
        ws.append([r.get(c) if isinstance(r, dict) else r[i] for i, c in enumerate(columns)])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, float):
                cell.number_format = MONEY_FORMAT
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(12, len(c) + 3)
    ws.freeze_panes = "A2"
    return ws


def build_weekly_book() -> Workbook:
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    for line in (
        f"{FIRM}: weekly reserve computation book as of {AS_OF.isoformat()} (sample)",
        "",
        "A fictional book written by sample_data/make_samples.py to show every table of the book format.",
        "See sample_data/README.md for what each part exercises.",
        "Sheets other than the book's tables (like this one) are ignored by reserve.",
        "",
        "Try:  reserve validate weekly_book.xlsx",
        "      reserve compute weekly_book.xlsx --out report/",
    ):
        readme.append([line])
    readme.column_dimensions["A"].width = 110

    ws = _sheet(wb, "parameters", ["name", "value", "note"], PARAMETERS)
    ws.column_dimensions["B"].width = 34
    ws.column_dimensions["C"].width = 70
    _sheet(wb, "accounts", ACCOUNT_COLUMNS, ACCOUNTS)
    _sheet(wb, "collateral", ["account_id", "security_id", "market_value", "exempted"], COLLATERAL)
    _sheet(wb, "items", ITEM_COLUMNS, ITEMS)
    _sheet(wb, "clearing_organizations", CLEARING_ORG_COLUMNS, CLEARING_ORGANIZATIONS)
    _sheet(wb, "cca", CCA_COLUMNS, CCA)
    _sheet(wb, "cca_requirements", ["cca_id", "account_id", "position_type", "basis", "requirement",
                                    "account_structure"], [r + (None,) * (6 - len(r)) for r in CCA_REQUIREMENTS])
    _sheet(wb, "cca_requirement_increments", INCREMENT_COLUMNS, CCA_REQUIREMENT_INCREMENTS)
    _sheet(wb, "cca_deposits", DEPOSIT_COLUMNS, CCA_DEPOSITS)
    _sheet(wb, "reserve_bank_accounts", RBA_COLUMNS, RESERVE_BANK_ACCOUNTS)
    _sheet(wb, "holidays", ["date", "name"], HOLIDAYS)
    _sheet(wb, "review", ["exception_id", "disposition", "comment", "reviewer", "date"], REVIEW)
    wb.properties.creator = "reserve sample_data/make_samples.py"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save so that the same workbook gives the same bytes: openpyxl stamps the save time into
    docProps/core.xml and the zip entries; both are replaced by FIXED_TIME."""
    buf = io.BytesIO()
    wb.save(buf)
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                import re

                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)


def main(argv: list[str] | None = None) -> list[Path]:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else HERE
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "weekly_book.xlsx"
    save_deterministic(build_weekly_book(), path)
    print(f"wrote {path}")
    return [path]


if __name__ == "__main__":
    main()
