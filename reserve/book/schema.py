"""The book format, declared as data: one `Table` per sheet, one `Column` per column.

This is the single source of truth for BOOK_FORMAT.md inside the program. The loader
(`read.py`, `convert.py`), the validator, `reserve template` and the README's column
reference are all driven from these declarations, so a column is described once.

Column types:
    money   exact dollar amount, at most 2 decimals -> int64 cents
    pct     0..100 percent, at most 4 decimals -> int64 in 1/10,000 of a percent
    date    Excel date or ISO text -> datetime64[D]-like (pandas Timestamp, NaT for blank)
    bool    TRUE/FALSE, true/false/yes/no/y/n/1/0 -> bool
    text    stripped string
    enum    text restricted to `choices`
"""

from __future__ import annotations

from dataclasses import dataclass, field

REQUIRED = object()  # sentinel: the column must be present and non-blank
BLANK = None  # the column may be blank; stays missing (NaN/NaT/<NA>)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # money | pct | date | bool | text | enum
    default: object = BLANK  # REQUIRED, BLANK, or a default value (in the column's own units)
    help: str = ""
    choices: tuple[str, ...] = ()
    nonneg: bool = False  # money >= 0
    default_from: str | None = None  # default is the value of another column (e.g. customer_id = account_id)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def may_be_omitted(self) -> bool:
        return not self.required


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
    "bank_loan": BOOKS,
    "letter_of_credit": BOOKS,
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
    "other_credit": BOOKS,
    "other_debit": BOOKS,
    # SEC staff FAQ 2025-12-08 Q5: customer reserve bank account only.
    "sweep_next_day": ("customer",),
    "pab_note5_credit": ("pab",),
    "pab_note7_exclusion": ("pab",),
    "pab_note8_sweep": ("pab",),
    "pab_note9_clearing_deposit": ("pab",),
}


def _money(name, default=REQUIRED, help="", nonneg=False, default_from=None):
    return Column(name, "money", default, help, nonneg=nonneg, default_from=default_from)


def _enum(name, choices, default=REQUIRED, help=""):
    return Column(name, "enum", default, help, choices=tuple(choices))


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
    ),
    kind="parameters",
)

ACCOUNTS = Table(
    "accounts",
    "Customer, PAB and non-customer account balances. One row per account (or per account and type).",
    (
        Column("account_id", "text", REQUIRED, "The account."),
        Column("customer_id", "text", BLANK, "The person (default: account_id): accounts with the same customer_id are one customer's (Note E(5) related accounts; Note H ownership).", default_from="account_id"),
        _enum("book", ACCOUNT_BOOKS, REQUIRED, "Which computation the account belongs to. `noncustomer` rows are excluded from both (and reported as such)."),
        _enum("type", ("cash", "margin", "omnibus"), "cash", "`omnibus`: a special omnibus account under Regulation T 220.7(f) or a similar account carried for another broker-dealer (Note E(2))."),
        _money("balance", REQUIRED, "Signed net balance: positive = credit (owed to the customer, Item 1); negative = debit (owed by the customer, Item 10)."),
        _money("unsecured_amount", 0, "The part of a debit balance that is unsecured (the whole debit for an unsecured account). Excluded from Item 10.", nonneg=True),
        Column("doubtful", "bool", False, "Account doubtful of collection: its whole debit is excluded from Item 10."),
        _enum("related_party", ("none", "principal", "affiliate"), "none", "Note E(4): household members and other persons related to principals, and affiliated persons."),
        Column("noncustomer_ownership_pct", "pct", 0, "Note E(6): the non-customer share (percent, 0-100) of a joint, custodian, hedge-fund or similar account."),
        Column("debit_related_to_credits", "bool", False, "The firm can demonstrate that the debit balance is directly related to credit items in the formula (the exception in Notes E(4), E(5), E(6))."),
        _money("omnibus_deficit", 0, "Note E(2): deficit in a special omnibus account.", nonneg=True),
        _money("omnibus_calls_5bd", 0, "Note E(2): calls for margin, mark to the market or other required deposits outstanding five business days or less.", nonneg=True),
        _enum("e5_exception", ("none", "plenary", "partial", "requested"), "none", "Note E(5) exception by the designated examining authority."),
        _money("e5_exception_amount", 0, "For `partial`: the amount of the E(5) reduction excepted.", nonneg=True),
        Column("e5_exception_date", "date", BLANK, "For `requested`: the day the request was made (the debit may be included for five business days from that day)."),
        Column("cross_margin", "bool", False, "A customer cross-margin account under the FICC-CME cross-margining order: outside both computations when all three `cross_margin_*` parameters are true."),
    ),
    key=("account_id", "type"),
)

COLLATERAL = Table(
    "collateral",
    "Securities collateralizing margin debits (Note E(1)).",
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
        Column("open_date", "date", BLANK, "The day the item arose (trade, settlement, record or break date), for aging in calendar days to as_of."),
        Column("confirmed", "bool", False, "`transfer_unconfirmed` only: confirmed to be in transfer by the transfer agent or issuer during the 40 days."),
        _money("margin_requirement", BLANK, "For `letter_of_credit`, `occ_margin`, `futures_margin`: the clearing organization's requirement.", nonneg=True),
        _enum("collateral_form", ("cash", "qualified_securities", "customer_loc", "other"), BLANK, "For `occ_margin` and `futures_margin` (Notes F and G)."),
        Column("clearing_org_qualified", "bool", False, "For `futures_margin`: the clearing organization meets Note G(b) and was determined so within the last year (Note G(c))."),
        Column("description", "text", BLANK, "What the item is. Required for `other_credit` and `other_debit`."),
    ),
    required=False,
    key=("item_id",),
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
        _enum("basis", ("gross", "net"), "gross", "`net`: computed net across customers: not eligible (Note H(b)(2)(i))."),
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
        Column("owner_account_id", "text", BLANK, "For owner=customer: the account whose cash or securities were delivered (default: account_id).", default_from="account_id"),
        _money("value", REQUIRED, "Cash amount, or market value of securities.", nonneg=True),
        _enum("cca_account", ("customer_segregated", "house"), "customer_segregated", "The firm's account at the clearing agency that holds it."),
        Column("delivered_by_firm", "bool", True, "Delivered by this broker-dealer (not by another broker-dealer of the same customer)."),
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
        Column("bank_affiliated", "bool", False, "The bank is an affiliate of the firm."),
        _money("bank_equity_capital", REQUIRED, "As reported in the bank's most recent Call Report.", nonneg=True),
        _money("cash", 0, "Cash on deposit at as_of.", nonneg=True),
        _money("qualified_securities", 0, "Value of qualified securities on deposit.", nonneg=True),
        Column("written_notification", "bool", False, "Rule 15c3-3(f) written notification and contract obtained from the bank."),
    ),
    required=False,
    key=("account_id",),
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
    CCA,
    CCA_REQUIREMENTS,
    CCA_REQUIREMENT_INCREMENTS,
    CCA_DEPOSITS,
    RESERVE_BANK_ACCOUNTS,
    HOLIDAYS,
)
TABLES_BY_NAME = {t.name: t for t in TABLES}

# Row tables (everything but the name/value parameters sheet).
ROW_TABLES = tuple(t for t in TABLES if t.kind == "rows")
