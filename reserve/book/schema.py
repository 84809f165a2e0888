"""The book format, declared as data: one `Table` per sheet, one `Column` per column.

This is the single source of truth for BOOK_FORMAT.md inside the program. The loader
(`read.py`, `convert.py`), the validator, `reserve template` and the README's column
reference are all driven from these declarations, so a column is described once.

Column types:
    money   exact dollar amount, at most 2 decimals -> int64 cents
    pct     0..100 percent, at most 4 decimals -> int64 in 1/10,000 of a percent
    date    Excel date or ISO text -> datetime64[D]-like (pandas Timestamp, NaT for blank)
    datetime  a date AND a time of day: an Excel date-time cell, ISO text YYYY-MM-DD HH:MM[:SS]
            (or with a T), a Parquet timestamp with no zone -> datetime64[ns], naive (NaT for
            blank); a date without a time is refused (issue 15: a deadline turns on the hour)
    bool    TRUE/FALSE, true/false/t/f/yes/no/y/n/1/0 -> bool
    text    stripped string
    enum    text restricted to `choices`, matched without regard to case (reading: enum_case)
"""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED = object()  # sentinel: the column must be present and non-blank
BLANK = None  # the column may be blank; stays missing (NaN/NaT/<NA>)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # money | pct | date | datetime | bool | text | enum
    default: object = BLANK  # REQUIRED, BLANK, or a default value (in the column's own units)
    help: str = ""
    choices: tuple[str, ...] = ()
    nonneg: bool = False  # money >= 0
    default_from: str | None = None  # default is the value of another column (e.g. customer_id = account_id)
    # Issue 10: a default that can favour the firm (earn a debit, keep a debit, meet a rule's
    # condition) — the rule it touches and why. When a book leans on it (the column omitted, or
    # cells left blank), the report lists it and raises a review finding; no default of a
    # column that *decides* a condition is kept at all (those columns are REQUIRED).
    favourable: str = ""
    # The rows on which that default can favour the firm, as (column, op, value) with op one
    # of "<", "==": e.g. ("balance", "<", 0), a debit. Empty: every row.
    favourable_when: tuple = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class Table:
    name: str
    help: str
    columns: tuple[Column, ...]
    required: bool = True  # the table must be in the book
    key: tuple[str, ...] = ()  # unique key
    kind: str = "rows"  # rows | parameters

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


BOOKS = ("customer", "pab")
ACCOUNT_BOOKS = ("customer", "pab", "noncustomer")

# Item kinds -> which computation(s) they may appear in (BOOK_FORMAT.md "Kinds").
ITEM_KINDS: dict[str, tuple[str, ...]] = {
    "drafts_payable": BOOKS,
    "checks_drawn_in_excess": BOOKS,
    "bank_loan": BOOKS,
    "letter_of_credit": BOOKS,
    "letter_of_credit_portfolio_margin": BOOKS,
    "securities_loaned": BOOKS,
    "fail_to_receive": BOOKS,
    "principal_sale_credit": BOOKS,
    "stock_dividend_receivable": BOOKS,
    "short_count_difference": BOOKS,
    "suspense_short": BOOKS,
    "transfer_unconfirmed": BOOKS,
    "securities_borrowed": BOOKS,
    "fail_to_deliver": BOOKS,
    "occ_margin": BOOKS,
    "futures_margin": BOOKS,
    "new_issue_not_received": BOOKS,
    "other_credit": BOOKS,
    "other_debit": BOOKS,
    # SEC staff FAQ 2025-12-08 Q5: customer reserve bank account only.
    "sweep_next_day": ("customer",),
    "pab_note5_credit": ("pab",),
    "pab_note5_clearing_deposit": ("pab",),
    "pab_note5_exclusion": ("pab",),
    "pab_note6_cross_margin": ("pab",),
    "pab_note6_cftc_segregated": ("pab",),
    "pab_note7_exclusion": ("pab",),
    "pab_note8_sweep": ("pab",),
    "pab_note9_clearing_deposit": ("pab",),
}

# What each kind is, the line it goes to and the amount taken (docs/BOOK_FORMAT.md, the
# template's README). "age" = calendar days from open_date to as_of.
ITEM_KIND_HELP: dict[str, str] = {
    "drafts_payable": "Item 1 (Note A): outstanding drafts payable to customers applied against their credit balances; `amount`.",
    "checks_drawn_in_excess": "Item 1 (Note A): checks drawn in excess of bank balances per the firm's records; `amount` (the excess).",
    "bank_loan": "Item 2: monies borrowed collateralized by customers' securities; `amount`.",
    "letter_of_credit": "Item 2 (Note B, first sentence): an options- or security-futures-related letter of credit collateralized by customers' securities, to the extent of the member's margin requirement at the clearing organization: rows naming one `clearing_org_id` are capped together once, at the largest `margin_requirement` they state; a row naming none is capped at its own.",
    "letter_of_credit_portfolio_margin": "Item 2 (Note B, second sentence): a letter of credit collateralized by customers' securities related to other futures (and options on them) carried in a securities account under an SRO portfolio margining rule; `amount`, not capped.",
    "securities_loaned": "Item 3 (Note C): `amount` (monies payable against the securities loaned) + max(0, `market_value` − `collateral_value`); `collateral_value` (the value of the collateral received) defaults to `amount` (cash collateral).",
    "fail_to_receive": "Item 4 (Note D): `amount` (contract value) + if age > 30: max(0, `market_value` − `amount`).",
    "principal_sale_credit": "Item 5: credit balances in firm accounts attributable to principal sales to customers; `amount`.",
    "stock_dividend_receivable": "Item 6: `market_value` if age > 30, else excluded.",
    "short_count_difference": "Item 7: `market_value` if age > 30 (alternative method: more than 7 business days old), else excluded.",
    "suspense_short": "Item 8: `market_value` if age > 30 (alternative method: more than 7 business days old), else excluded.",
    "transfer_unconfirmed": "Item 9: `market_value` if age > 40 and not `confirmed`, else excluded.",
    "securities_borrowed": "Item 11: `amount`; excluded (alternative method) when `allocated_to` names a fail to receive of the same issue (Rule 15c3-1(a)(1)(ii)(D)).",
    "fail_to_deliver": "Item 12: `amount` (contract value) if age ≤ 30, else excluded; excluded (alternative method) when `allocated_to` names a fail to receive of the same issue (Rule 15c3-1(a)(1)(ii)(D)).",
    "occ_margin": "Item 13 (Note F): margin required and on deposit at the OCC in cash, qualified securities or customer-collateralized letters of credit (`collateral_form`); the deposits of one clearing organization (`clearing_org_id`) count together up to its `margin_requirement`, once.",
    "futures_margin": "Item 14 (Note G): as `occ_margin`, at a clearing organization meeting Note G(b) and determined so within the last year (Note G(c)): the facts of its `clearing_organizations` row, or `clearing_org_qualified` for a row naming none.",
    "other_credit": "FOCUS \"Other credits (List)\", box 4425: a credit no Item names; `amount`; `description` required.",
    "other_debit": "FOCUS \"Other debits (List)\", box 4469: `amount`; `description` required; listed for review.",
    "sweep_next_day": "Customer only (SEC staff FAQ 2025-12-08 Q5): credits in the computation moving to a bank sweep program on the next business day; reduce the deposit needed, never justify a withdrawal.",
    "new_issue_not_received": "Rule 15c3-1(a)(1)(ii)(C), alternative method: a credit balance representing amounts payable for securities not yet received from the issuer or its agent (`security_type` us_government_agency or municipal), with its `related_debit`; the credit balance and the related debit are part of account balances in `accounts`; while not more than 3 business days old (after `open_date`, up to and including as_of) this row takes the credit (`amount`) out of Item 1 and the `related_debit` out of Item 10. Basic method, other securities or older: both stay.",
    "pab_note5_credit": "PAB Item 1 (PAB Note 5): commissions receivable and other receivables of another broker-dealer that are non-allowable assets; `amount`; a credit only when `payment_terms` is `immediate` (left out when stated otherwise; kept, flagged, when blank).",
    "pab_note5_clearing_deposit": "PAB Item 1 (PAB Note 5): a clearing deposit of another broker-dealer; `amount`; a credit only when `payment_terms` is `immediate` or `within_30_days` (left out when `later`; kept, flagged, when blank).",
    "pab_note5_exclusion": "Reduces PAB Item 1 (PAB Note 5, first sentence): interest receivable, floor brokerage or commissions receivable of another broker-dealer (not clearing deposits) that are allowable assets, only when `identified_as_payable`.",
    "pab_note6_cross_margin": "Reduces PAB Item 2 (PAB Note 6): credits from PAB securities pledged for intra-day margin calls in an OCC-DCO cross-margin account, to the extent the other clearing corporation's excess margin replaced them the following business day; only when `replaced_next_business_day`.",
    "pab_note6_cftc_segregated": "Reduces PAB Item 1 (PAB Note 6, second sentence): balances of a portfolio margin account segregated under CFTC regulations; `amount`.",
    "pab_note7_exclusion": "Reduces PAB Item 1 (PAB Note 7): a deposit received (`open_date`) before a transaction pending settlement, when its transaction (`transaction_id`) totals $5,000,000 or more or its broker-dealer's (`broker_id`) such deposits total $10,000,000 or more, and it was placed (`placed_on`, `placed_by_noon`) in the separate PAB reserve account (`reserve_bank_account_id`) by 12 p.m. ET on the next business day.",
    "pab_note8_sweep": "Reduces PAB Item 1 (PAB Note 8): credits swept into money market or mutual funds, only when `swept_by_10am` (by 10 a.m. ET on the deposit date) and `free_of_liens`.",
    "pab_note9_clearing_deposit": "PAB other debit (PAB Note 9): clearing deposits identified as relating to other broker-dealers' proprietary business; `amount`.",
}


def _money(name, default=REQUIRED, help="", nonneg=False, default_from=None, favourable="", favourable_when=()):
    return Column(name, "money", default, help, nonneg=nonneg, default_from=default_from, favourable=favourable,
                  favourable_when=favourable_when)


def _enum(name, choices, default=REQUIRED, help="", favourable="", favourable_when=()):
    return Column(name, "enum", default, help, choices=tuple(choices), favourable=favourable,
                  favourable_when=favourable_when)


PARAMETERS = Table(
    "parameters",
    "Two columns, `name` and `value`: one row per parameter of the computation.",
    (
        Column("firm_name", "text", REQUIRED, "Legal name of the broker-dealer, as used in account designations."),
        Column("as_of", "date", REQUIRED, "The computation date (close of business). Normally a business day; another day (a year-end date) is accepted with a warning."),
        _enum("frequency", ("weekly", "daily", "monthly"), "weekly", "Computation frequency (Rule 15c3-3(e)(3)). `monthly`: the customer computation's required deposit is 105% of its excess of credits over debits (Rule 15c3-3(e)(3)(i)(C)); the PAB computation's is its excess."),
        _enum("net_capital_method", ("basic", "alternative"), "alternative", "Rule 15c3-1 method. `basic`: Note E(3) 1% reduction of Item 10. `alternative`: 3% reduction of aggregate debit items, or 2% when `frequency` is `daily`."),
        _money("tentative_net_capital", BLANK, "Required if any margin account has a debit. For Note E(5)."),
        Column("prepared_on", "date", BLANK, "The date the computation is prepared (default: as_of); decides whether a proprietary-Treasury cure deadline has passed (Note H(b)(1)(iii)(C)).", default_from="as_of"),
        _enum("pending_cure_policy", ("exclude", "include"), "exclude", "Treatment of proprietary U.S. Treasury securities whose cure deadline has not yet passed on `prepared_on` and whose cure is not yet recorded."),
        _money("average_total_credits", BLANK, "Mean of (customer + PAB total credits) over the 12 most recently filed month-end FOCUS reports; decides whether daily computation is required ($500 million).", nonneg=True),
        Column("cross_margin_dual_registrant", "bool", False, "The firm is registered as both broker-dealer and FCM (cross-margining order of April 15, 2026)."),
        Column("cross_margin_joint_member", "bool", False, "The firm is a clearing member of both FICC and CME."),
        Column("cross_margin_conditions_met", "bool", False, "The firm meets the order's conditions."),
        _enum("daily_basis", ("required", "voluntary"), BLANK, "With `frequency` daily: why the firm computes daily. `required`: average total credits of $500 million or more (Rule 15c3-3(e)(3)(i)(B)(1)); 2% reduction from 2026-06-30, the compliance date (Release 34-103320); before it, on the voluntary terms. `voluntary`: by election under Rule 15c3-3(e)(3)(v); 2% only from 30 calendar days after `daily_notice_date`, 3% before. No 2% before 2025-03-14. Blank: 2% (the lower requirement), flagged for review."),
        Column("daily_notice_date", "date", BLANK, "With `daily_basis` voluntary (then required), or `required` before 2026-06-30 (then optional: without it, 3%): the date of the firm's written notice to its designated examining authority of its election to compute daily (Rule 15c3-3(e)(3)(v))."),
        Column("test_run", "bool", False, "This run is a test computation (SEC staff FAQ of 2025-12-08), not one of the firm's computations: `reserve series` shows it apart from the series, leaves it out of the gaps and the average total credits, and never counts it as permitting a withdrawal."),
        Column("variance_threshold", "text", BLANK, "The firm's review policy (not a rule of Exhibit A): with `reserve compute --compare`, a line whose change since the previous report is above this needs a comment (a `review` row naming the variance's id, `V-<computation>-<line>`); the report lists the unexplained ones. An amount (`250000`), a percent of the prior amount (`5%`), or both joined by `or` (either is enough) or `and` (both must be passed): `250000 or 5%`. Blank: no line needs a comment (with `--compare` the changes are still shown)."),
        Column("bank_opens_at", "text", BLANK, "The hour the banks holding the reserve bank accounts open for business, `HH:MM` on a 24-hour clock (`08:30`; an Excel time cell is read as shown), in the same local time as `deposits.credited_at`. With the `deposits` table, `reserve series` checks each deposit needed against the deposits credited by its deadline, one hour after the opening of banking business on the second business day after `as_of` (Rule 15c3-3(e)(3)(i)): the deadline is that day at this hour plus one hour. Blank: the hour is not known, and a deposit credited on the deadline day cannot be shown timely, so it counts as late (the conservative reading)."),
    ),
    kind="parameters",
)

ACCOUNTS = Table(
    "accounts",
    "Customer, PAB and non-customer account balances. One row per account (or per account and type).",
    (
        Column("account_id", "text", REQUIRED, "The account."),
        Column("customer_id", "text", BLANK, "The person (default: account_id): accounts with the same customer_id are one customer's (Note E(5) related accounts; Note H ownership).", default_from="account_id",
               favourable="Note E(5): each account taken as its own customer, so one customer's debits are never added up across accounts against 25% of tentative net capital", favourable_when=("type", "==", "margin")),
        _enum("book", ACCOUNT_BOOKS, REQUIRED, "Which computation the account belongs to. `noncustomer` rows are excluded from both (and reported as such). The rows of one `account_id` (a row per type) name the same book: an account in two books is an error."),
        _enum("type", ("cash", "margin", "omnibus"), REQUIRED, "Required (issue 10: the original format's default `cash` let a margin account escape Notes E(1) and E(5)). `omnibus`: a special omnibus account under Regulation T 220.7(f) or a similar account carried for another broker-dealer (Note E(2))."),
        _money("balance", REQUIRED, "Signed net balance: positive = credit (owed to the customer, Item 1); negative = debit (owed by the customer, Item 10)."),
        _money("unsecured_amount", 0, "The part of a debit balance that is unsecured (the whole debit for an unsecured account). Excluded from Item 10.", nonneg=True,
               favourable="Item 10: a blank is no unsecured part, so the whole debit is counted", favourable_when=("balance", "<", 0)),
        Column("doubtful", "bool", False, "Account doubtful of collection: its whole debit is excluded from Item 10.",
               favourable="Item 10: a blank is not doubtful, so the debit is counted", favourable_when=("balance", "<", 0)),
        _enum("related_party", ("none", "principal", "affiliate"), "none", "Note E(4): household members and other persons related to principals, and affiliated persons.",
              favourable="Note E(4): a blank is not related, so the debit is counted", favourable_when=("balance", "<", 0)),
        Column("noncustomer_ownership_pct", "pct", 0, "Note E(6): the non-customer share (percent, 0-100) of a joint, custodian, hedge-fund or similar account.",
               favourable="Note E(6): a blank is no non-customer share, so the whole debit is counted", favourable_when=("balance", "<", 0)),
        Column("debit_related_to_credits", "bool", False, "The firm can demonstrate that the debit balance is directly related to credit items in the formula (the exception in Notes E(4), E(5), E(6))."),
        _money("omnibus_deficit", 0, "Note E(2): deficit in a special omnibus account.", nonneg=True,
               favourable="Note E(2): a blank is no deficit, so the omnibus account's debit is not reduced",
               favourable_when=("type", "==", "omnibus")),
        _money("omnibus_calls_5bd", 0, "Note E(2): calls for margin, mark to the market or other required deposits outstanding five business days or less.", nonneg=True),
        _enum("e5_exception", ("none", "plenary", "partial", "requested"), "none", "Note E(5) exception by the designated examining authority."),
        _money("e5_exception_amount", 0, "For `partial`: the amount of the E(5) reduction excepted.", nonneg=True),
        Column("e5_exception_date", "date", BLANK, "For `requested`: the day the request was made (the debit may be included for five business days from that day)."),
        Column("cross_margin", "bool", False, "A customer cross-margin account under the FICC-CME cross-margining order: outside both computations when all three `cross_margin_*` parameters are true."),
        _enum("non_pab_reason", ("delivery_versus_payment", "receipt_versus_payment", "subordinated"), BLANK, "An account of a broker-dealer that is not a PAB account under Rule 15c3-3(a)(16): a delivery-versus-payment or receipt-versus-payment account, or one subordinated to the claims of creditors. For `book` `pab` or `noncustomer` (refused for `customer`); the account is excluded from both computations for that reason."),
    ),
    key=("account_id", "type"),
)

COLLATERAL = Table(
    "collateral",
    "Securities collateralizing margin debits (Note E(1)). Rows of one account and security are lots and are summed; a row that repeats another exactly (the same account_id, security_id, market_value and exempted) is counted too, and named in a review finding (a copy would count the position twice in the 15% test).",
    (
        Column("account_id", "text", REQUIRED, "A margin account in `accounts`."),
        Column("security_id", "text", REQUIRED, "CUSIP or other identifier; the concentration test groups by it."),
        _money("market_value", REQUIRED, "Market value of the position held as collateral.", nonneg=True),
        Column("exempted", "bool", False, "An exempted security (not subject to the 15% concentration test)."),
    ),
    required=False,
)

ITEMS = Table(
    "items",
    "Every other formula item, one row per item (loans, fails, margin at clearing organizations, other lines).",
    (
        Column("item_id", "text", REQUIRED, "Identifier from the source report (loan id, fail id, ...)."),
        _enum("book", BOOKS, REQUIRED, "Which computation."),
        _enum("kind", tuple(ITEM_KINDS), REQUIRED, "What the row is (see the kinds table)."),
        _money("amount", REQUIRED, "The ledger/contract amount (see kind)."),
        _money("market_value", BLANK, "Market value, where the kind compares market and contract value.", nonneg=True),
        Column("open_date", "date", BLANK, "The day the item arose (trade, settlement, record or break date), for aging in calendar days to as_of. Required for the kinds that age (Items 4, 6-9, 12, Note D; `new_issue_not_received`); for `pab_note7_exclusion`, the day the deposit was received."),
        Column("confirmed", "bool", False, "`transfer_unconfirmed` only: confirmed to be in transfer by the transfer agent or issuer during the 40 days."),
        _money("margin_requirement", BLANK, "For `letter_of_credit`, `occ_margin`, `futures_margin`: the clearing organization's margin requirement for the row's computation and line; the rows of one organization state the same figure (where they differ, the one giving the higher reserve requirement is used, flagged).", nonneg=True),
        _enum("collateral_form", ("cash", "qualified_securities", "customer_loc", "other"), BLANK, "For `occ_margin` and `futures_margin` (Notes F and G)."),
        Column("clearing_org_qualified", "bool", False, "For `futures_margin` naming no `clearing_org_id`: the clearing organization meets Note G(b) and was determined so within the last year (Note G(c)). A row naming an organization takes its facts from `clearing_organizations` instead."),
        Column("description", "text", BLANK, "What the item is. Required for `other_credit` and `other_debit`."),
        Column("clearing_org_id", "text", BLANK, "For `occ_margin`, `futures_margin`, `letter_of_credit`: the clearing organization (a row of `clearing_organizations`). Its rows are capped together once at its margin requirement (Notes B, F, G); its Note G(b)/(c) facts decide Item 14. Blank: the `occ_margin` (or `futures_margin`) rows of one computation naming none are taken as one organization's, counted together up to the largest requirement they state; a `letter_of_credit` naming none is capped at its own requirement."),
        _money("collateral_value", BLANK, "For `securities_loaned` (Note C): the value of the collateral received (default: `amount`, cash collateral); `amount` is then the monies payable. Item 3 = amount + max(0, market_value − collateral_value).", nonneg=True, default_from="amount",
               favourable="Note C: collateral taken as worth the monies payable, so no shortfall of the collateral is added to Item 3",
               favourable_when=("kind", "==", "securities_loaned")),
        Column("security_id", "text", BLANK, "The issue (CUSIP or other identifier), for `allocated_to`: a fail to deliver or security borrowed and the fail to receive it is allocated to must be of the same issue (Rule 15c3-1(a)(1)(ii)(D))."),
        Column("allocated_to", "text", BLANK, "For `securities_borrowed` and `fail_to_deliver` (alternative method): the item_id of the `fail_to_receive` of the same issue it is allocated to; excluded from Items 11 and 12, 1% of its contract value deducted from net worth (Rule 15c3-1(a)(1)(ii)(D))."),
        _enum("security_type", ("us_government_agency", "municipal", "other"), BLANK, "For `new_issue_not_received` (required): the new issue's securities (Rule 15c3-1(a)(1)(ii)(C) covers those of Rule 15c3-1(c)(2)(vi)(A), U.S. government and agency, and (E), municipal)."),
        _money("related_debit", 0, "For `new_issue_not_received`: the related debit items excluded with the credit (Rule 15c3-1(a)(1)(ii)(C)); taken out of Item 10.", nonneg=True,
               favourable="Rule 15c3-1(a)(1)(ii)(C): a blank is no related debit, so the debits stay in Item 10 while the credit leaves",
               favourable_when=("kind", "==", "new_issue_not_received")),
        _enum("payment_terms", ("immediate", "within_30_days", "later"), BLANK, "For `pab_note5_credit` and `pab_note5_clearing_deposit` (PAB Note 5): when the amount is payable to the other broker-dealer. A receivable is a credit balance only if `immediate`; a clearing deposit if `immediate` or `within_30_days`."),
        Column("identified_as_payable", "bool", False, "For `pab_note5_exclusion` (PAB Note 5): the amount is clearly identified as a payable on the firm's books."),
        Column("replaced_next_business_day", "bool", False, "For `pab_note6_cross_margin` (PAB Note 6): the other clearing corporation's excess margin was used the following business day to replace the pledged PAB securities."),
        Column("transaction_id", "text", BLANK, "For `pab_note7_exclusion`: the transaction pending settlement; deposits with the same id are one transaction ($5,000,000 test). Blank: the row is its own transaction."),
        Column("broker_id", "text", BLANK, "For `pab_note7_exclusion`: the broker-dealer whose deposit it is; its deposits are summed for the $10,000,000 aggregate test. Blank: the row stands alone."),
        Column("reserve_bank_account_id", "text", BLANK, "For `pab_note7_exclusion`: the separate PAB Reserve Bank Account holding the deposit (an account_id of `reserve_bank_accounts`, book `pab`, `pab_note7_account` true)."),
        Column("placed_on", "date", BLANK, "For `pab_note7_exclusion`: the day the deposit was placed in that account (the deposit was received on `open_date`)."),
        Column("placed_by_noon", "bool", False, "For `pab_note7_exclusion`: placed by 12 p.m. Eastern Time on `placed_on` (needed when `placed_on` is the business day after receipt)."),
        Column("swept_by_10am", "bool", False, "For `pab_note8_sweep` (PAB Note 8): swept on or before 10 a.m. Eastern Time on the deposit date."),
        Column("free_of_liens", "bool", False, "For `pab_note8_sweep` (PAB Note 8): the credits swept are not subject to any right, charge, security interest, lien or claim in favour of the investment company or the firm."),
    ),
    required=False,
    key=("item_id",),
)

CLEARING_ORGANIZATIONS = Table(
    "clearing_organizations",
    "Clearing organizations holding margin for Items 13 and 14 and the letters of credit of Note B: one row per organization, named by the `clearing_org_id` of item rows. Each boolean is the firm's attestation of one condition of Note G(b).",
    (
        Column("clearing_org_id", "text", REQUIRED, "Identifier of the clearing organization (named by `items.clearing_org_id`)."),
        Column("name", "text", REQUIRED, "Name of the clearing organization."),
        _enum("kind", ("occ", "clearing_agency", "dco"), REQUIRED, "`occ`: the Options Clearing Corporation (Item 13, Note F: an `occ_margin` row that names an organization must name one of this kind); `clearing_agency`: registered under section 17A of the Act; `dco`: a derivatives clearing organization registered under section 5b of the Commodity Exchange Act (Item 14, Note G). OCC security futures margin may name OCC too."),
        Column("note_g_b1", "bool", False, "Note G(b)(1): security deposits and assessment power of at least $2 billion, $500 million of it security deposits; or at least $3 billion of margin deposits; or a Commission exemption."),
        Column("note_g_b2", "bool", False, "Note G(b)(2): for margin it holds at a bank, the bank's written notification (exclusive benefit of clearing members, no lien) obtained and preserved."),
        Column("note_g_b3", "bool", False, "Note G(b)(3): safeguards in handling cash and securities, fidelity bond coverage, periodic examination by independent public accountants; and (iv) a DCO not otherwise registered with the Commission has given its written undertaking."),
        Column("note_g_determined_on", "date", BLANK, "Note G(c): the date of the firm's latest determination that the organization meets Note G; Item 14 applies only if it is within the year before as_of (at least annually)."),
    ),
    required=False,
    key=("clearing_org_id",),
)

CCA = Table(
    "cca",
    "Clearing agencies holding customer U.S. Treasury margin (Note H). One row per clearing agency; each boolean is the firm's attestation of one Note H condition.",
    (
        Column("cca_id", "text", REQUIRED, "Identifier of the clearing agency."),
        Column("name", "text", REQUIRED, "Name of the clearing agency."),
        Column("registered", "bool", False, "Note H(a): registered with the Commission under section 17A."),
        Column("clears_ust", "bool", False, "Note H(a): clears, settles and novates U.S. Treasury transactions."),
        Column("rule_gross_margin", "bool", False, "Note H(b)(2)(i): separate margin per customer, delivered gross."),
        Column("rule_investment_limit", "bool", False, "Note H(b)(2)(ii): cash invested only in Treasuries of one year or less."),
        Column("rule_segregated_account", "bool", False, "Note H(b)(2)(iii)(A): segregated account used exclusively for customers' Treasury transactions."),
        Column("account_designation", "text", BLANK, "Note H(b)(2)(iii)(B): must read exactly `Special Clearing Account for the Exclusive Benefit of the Customers of <firm_name>`."),
        Column("written_notice", "bool", False, "Note H(b)(2)(iii)(C): written notice of the clearing agency retained."),
        Column("written_contract", "bool", False, "Note H(b)(2)(iii)(D): written contract with the clearing agency."),
        Column("rule_custody", "bool", False, "Note H(b)(2)(iv)(A)-(C): held by the CCA or at a Federal Reserve Bank or FDIC-insured bank, under the account conditions."),
        Column("rule_return_excess", "bool", False, "Note H(b)(2)(v): return of collateral no longer needed."),
        Column("in_compliance", "bool", False, "Note H(b)(2): the clearing agency and the firm comply with those rules."),
        Column("sec_notice_date", "date", BLANK, "Note H(b)(3): date the Commission published its notice permitting the debit."),
        Column("sec_notice_withdrawn_date", "date", BLANK, "Note H(b)(3): date that notice was withdrawn, if it was."),
        # PAB Note 1: Note H read for PAB accounts ("references to ... customers will be
        # treated as references to PAB accounts"): the firm's PAB clearing account at the
        # clearing agency, with its own designation and attestations. Needed only where PAB
        # accounts' margin is at this clearing agency; a blank never meets a condition.
        Column("pab_account_designation", "text", BLANK, "PAB Note 1 with Note H(b)(2)(iii)(B): the designation of the firm's PAB clearing account; must read exactly `Special Clearing Account for the Exclusive Benefit of the PAB Accounts of <firm_name>`. Needed for a PAB Item 15 only."),
        Column("pab_rules_apply", "bool", False, "PAB Note 1 with Note H(b)(2)(i)-(v): the clearing agency's rules (a separate margin per PAB account delivered gross, the investment limit, a segregated account used exclusively for PAB accounts' Treasury transactions, custody, return) apply to the firm's PAB clearing account, and the clearing agency and the firm comply with them."),
        Column("pab_written_notice", "bool", False, "PAB Note 1 with Note H(b)(2)(iii)(C): the clearing agency's written notice that the PAB clearing account is held for the exclusive benefit of the firm's PAB accounts, retained."),
        Column("pab_written_contract", "bool", False, "PAB Note 1 with Note H(b)(2)(iii)(D): written contract with the clearing agency for the PAB clearing account."),
    ),
    required=False,
    key=("cca_id",),
)

CCA_REQUIREMENTS = Table(
    "cca_requirements",
    "The clearing agency's margin requirement per customer (Note H).",
    (
        Column("cca_id", "text", REQUIRED, "A row of `cca`."),
        Column("account_id", "text", REQUIRED, "The customer (or PAB) account whose positions gave rise to it."),
        _enum("position_type", ("ust_cash", "ust_repo", "other"), REQUIRED, "Purchases and sales of U.S. Treasuries; Treasury repos and reverse repos; anything else (not eligible)."),
        _enum("basis", ("gross", "net"), REQUIRED, "Required (issue 10: the original format's default `gross` met Note H(b)(2)(i) unstated). `net`: computed net across customers: not eligible (Note H(b)(2)(i))."),
        _money("requirement", REQUIRED, "Margin required by the clearing agency for this customer's cleared positions.", nonneg=True),
        _enum("account_structure", ("own_gross", "omnibus_gross", "omnibus_net"), BLANK, "Note H(b)(2)(i): how the clearing agency holds and margins these positions. `own_gross`: the customer's own account, margin calculated for the customer and delivered gross. `omnibus_gross`: an omnibus account in which the clearing agency still calculates a separate margin for each customer, delivered gross (as Release 34-99149 describes FICC's Sponsored Service). `omnibus_net`: an omnibus account margined net across customers: no Item 15 (an exemption has been applied for, Release 34-105980, July 2026: a notice, not an order). Must agree with `basis` (`own_gross`, `omnibus_gross`: gross; `omnibus_net`: net). Blank: not stated; the requirement's `basis` decides, a blank is never taken as gross."),
    ),
    required=False,
)

CCA_REQUIREMENT_INCREMENTS = Table(
    "cca_requirement_increments",
    "Optional (Note H(b)(1)(iii)): a requirement that grew over several days, one row per increment, each with its own arise date, call and cure. Firm-owned Treasury deposits name the increment they were delivered for (`cca_deposits.increment_id`); conditions (A)-(C) are then tested per increment. A deposit without `increment_id` keeps its own columns (one increment).",
    (
        Column("increment_id", "text", REQUIRED, "Identifier of the increment."),
        Column("cca_id", "text", REQUIRED, "A row of `cca`."),
        Column("account_id", "text", REQUIRED, "The customer (or PAB) account whose requirement grew."),
        Column("arose_on", "date", BLANK, "Note H(b)(1)(iii)(A)-(C): the day this increment of the requirement arose. Blank: (B) and (C) are not demonstrated."),
        _money("requirement_at_arise", BLANK, "(iii)(A): the customer's whole requirement at the clearing agency when this increment arose. Blank: not demonstrated.", nonneg=True),
        _money("customer_assets_at_arise", BLANK, "(iii)(A): the customer's cash, Treasuries and qualified customer securities the firm owed or held at that time. Blank: not demonstrated.", nonneg=True),
        Column("call_issued_on", "date", BLANK, "(iii)(B): the day the firm called the customer for this increment."),
        Column("cure_received_on", "date", BLANK, "(iii)(C): the day the customer's delivery for this increment was received."),
        _money("cure_received_amount", BLANK, "(iii)(C): the amount received from the customer for this increment.", nonneg=True),
    ),
    required=False,
    key=("increment_id",),
)

CCA_DEPOSITS = Table(
    "cca_deposits",
    "What is on deposit at the clearing agency for each customer (Note H).",
    (
        Column("deposit_id", "text", REQUIRED, "Identifier of the deposit."),
        Column("cca_id", "text", REQUIRED, "A row of `cca`."),
        Column("account_id", "text", REQUIRED, "The customer (or PAB) account whose requirement this deposit margins."),
        _enum("asset", ("cash", "us_treasury", "qualified_customer_security", "other_security", "not_a_security", "other"), REQUIRED, "Note H(a)(1): cash, U.S. Treasury securities or qualified customer securities are permitted collateral. `other_security`: a security that is not permitted collateral (e.g. a customer's equities): no Item 15, but a customer's is an Item 2 credit (Note B, last sentence). `not_a_security`: neither cash nor a security: no Item 15, no Item 2. `other` (the original format's value): no Item 15, taken as a security for Item 2 (conservatively), with a review finding."),
        _enum("owner", ("customer", "firm"), REQUIRED, "Whose asset it is."),
        Column("owner_account_id", "text", BLANK, "For owner=customer: the account whose cash or securities were delivered (default: account_id).", default_from="account_id",
               favourable="Note H(b)(1)(i): the assets taken as the margined customer's own",
               favourable_when=("owner", "==", "customer")),
        _money("value", REQUIRED, "Cash amount, or market value of securities.", nonneg=True),
        _enum("cca_account", ("customer_segregated", "house"), REQUIRED, "Required (issue 10: the original format's default `customer_segregated` met Note H(b)(2)(iii)(A) unstated). The firm's account at the clearing agency that holds it."),
        Column("delivered_by_firm", "bool", REQUIRED, "Required (issue 10: the original format's default true met Note H(a) unstated). Delivered by this broker-dealer (not by another broker-dealer of the same customer)."),
        Column("requirement_arose_on", "date", BLANK, "owner=firm only: the day the margin requirement arose (Note H(b)(1)(iii))."),
        _money("requirement_at_arise", BLANK, "owner=firm only: the requirement at that time.", nonneg=True),
        _money("customer_assets_at_arise", BLANK, "owner=firm only: the customer's cash, Treasuries and qualified customer securities the firm owed or held at that time ((iii)(A)).", nonneg=True),
        Column("call_issued_on", "date", BLANK, "owner=firm only: the day the firm called the customer for margin ((iii)(B))."),
        Column("cure_received_on", "date", BLANK, "owner=firm only: the day the customer's delivery was received ((iii)(C))."),
        _money("cure_received_amount", BLANK, "owner=firm only: the amount received from the customer.", nonneg=True),
        _enum("special_account", ("customers", "pab_accounts"), BLANK, "For cca_account `customer_segregated`: which Special Clearing Account holds the deposit, the one for the exclusive benefit of the Customers (Note H(b)(2)(iii)) or of the PAB Accounts (PAB Note 1). A customer account's margin counts only in the Customers' account, a PAB account's only in the PAB Accounts' account. Blank: the Customers' account (the only one the original format knew)."),
        Column("increment_id", "text", BLANK, "owner=firm only (Note H(b)(1)(iii)): the row of `cca_requirement_increments` these Treasuries were delivered for; conditions (A)-(C) are tested on that increment, and this row's own requirement_arose_on ... cure_received_amount must then be blank."),
    ),
    required=False,
    key=("deposit_id",),
)

RESERVE_BANK_ACCOUNTS = Table(
    "reserve_bank_accounts",
    "The Reserve Bank Accounts (Rule 15c3-3(e), (f)).",
    (
        Column("account_id", "text", REQUIRED, "The bank account."),
        _enum("book", BOOKS, REQUIRED, "Customer or PAB reserve bank account."),
        Column("bank_id", "text", REQUIRED, "Concentration limits apply per bank."),
        Column("bank_name", "text", REQUIRED, "Name of the bank."),
        Column("bank_affiliated", "bool", REQUIRED, "The bank is an affiliate of the firm. Required (issue 10: the original format's default false counted deposits that Rule 15c3-3(e)(5) excludes)."),
        _money("bank_equity_capital", REQUIRED, "As reported in the bank's most recent Call Report.", nonneg=True),
        _money("cash", 0, "Cash on deposit at as_of.", nonneg=True),
        _money("qualified_securities", 0, "Value of qualified securities on deposit.", nonneg=True),
        Column("written_notification", "bool", False, "Rule 15c3-3(f) written notification and contract obtained from the bank."),
        Column("pab_note7_account", "bool", False, "PAB accounts only: the separate PAB Reserve Bank Account in which PAB Note 7 deposits are placed and maintained. The Note 7 deposits excluded from PAB credits do not also count on deposit here; the rest of the account counts."),
    ),
    required=False,
    key=("account_id",),
)

DEPOSITS = Table(
    "deposits",
    "Optional (issue 15): each credit to or debit from a Reserve Bank Account, as the bank's statement shows it, one row per movement (two identical rows are two movements): typically those since the previous computation. The computation does not use it (its on-deposit balance is the `reserve_bank_accounts` row as of the close of `as_of`); it is carried into report.json for `reserve series`, which checks that each deposit needed was made by its deadline (Rule 15c3-3(e)(3)), that each withdrawal was covered by a computation made that day (Rule 15c3-3(g)), and drafts the facts of the notice Rule 15c3-3(i) requires for a deposit not made. An empty table (the sheet with its header only, as `reserve template` writes it) states that no movement was made -- every deposit needed is then unmet; leave the sheet out of a book that does not record the movements, and the series says the deposits were not checked.",
    (
        Column("account_id", "text", REQUIRED, "The reserve bank account credited or debited: an `account_id` of `reserve_bank_accounts` in this book. The movement belongs to that account's computation (its `book`: customer or PAB)."),
        Column("credited_at", "datetime", REQUIRED, "When the bank credited (or debited) the account, in the bank's local time, to the minute: an Excel date-and-time cell (a cell formatted as a date alone is refused), or text `2026-11-24 08:45` / `2026-11-24T08:45:00`. A date without a time is refused: the deadline of a deposit is one hour after the bank opens (Rule 15c3-3(e)(3)(i)), so the hour decides whether it was made in time."),
        _money("amount", REQUIRED, "The amount credited or debited, more than zero; `kind` gives the direction."),
        _enum("kind", ("deposit", "withdrawal"), REQUIRED, "`deposit`: money or qualified securities credited to the account (Rule 15c3-3(e)(1)); `withdrawal`: taken out of it, allowed only as a computation made that day permits (Rule 15c3-3(g))."),
        Column("reference", "text", BLANK, "The wire or ticket reference on the bank's statement."),
    ),
    required=False,
)

REVIEW = Table(
    "review",
    "Optional (issue 14): the reviewer's disposition of an exception or a variance of this computation, one row per id. It is shown beside the exception (or variance) and carried into report.json; it never changes a figure, and an exception that is resolved or accepted is still listed (and still counts for `--fail-on`). Next week's book can carry the rows of exceptions still open. A row naming an id the report does not have is listed as naming none.",
    (
        Column("exception_id", "text", REQUIRED, "The id the report shows: an exception's `E-` and 12 hex digits (a repeated finding adds `-2`, `-3` ...), or a variance's `V-<computation>-<line>` (`V-customer-total_credits`)."),
        _enum("disposition", ("resolved", "accepted", "open"), REQUIRED, "`resolved`: the cause was corrected (it should be gone next week); `accepted`: reviewed and accepted as it stands (a comment says why); `open`: still being worked."),
        Column("comment", "text", BLANK, "Why; required for `accepted` and for a variance's explanation (a blank comment leaves a variance unexplained and an acceptance flagged)."),
        Column("reviewer", "text", REQUIRED, "Who reviewed it."),
        Column("date", "date", REQUIRED, "When it was reviewed."),
    ),
    required=False,
    key=("exception_id",),
)

HOLIDAYS = Table(
    "holidays",
    "Optional: extra non-business days beyond the Federal Reserve holidays.",
    (
        Column("date", "date", REQUIRED, "A day that is not a business day, in addition to the Federal Reserve holidays."),
        Column("name", "text", BLANK, "Why."),
    ),
    required=False,
)

TABLES: tuple[Table, ...] = (
    PARAMETERS,
    ACCOUNTS,
    COLLATERAL,
    ITEMS,
    CLEARING_ORGANIZATIONS,
    CCA,
    CCA_REQUIREMENTS,
    CCA_REQUIREMENT_INCREMENTS,
    CCA_DEPOSITS,
    RESERVE_BANK_ACCOUNTS,
    DEPOSITS,
    HOLIDAYS,
    REVIEW,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}
