"""Domain errors carrying Payluk's HTTP status and its exact message strings.

Messages quoted from docs.payluk.ng ([A]) or the later docs ([B]) are kept verbatim; the
ones marked "sandbox" are our wording where Payluk documents no message (see README,
"Fidelity and limitations").
"""

# -- documented messages ---------------------------------------------------------------
NO_TOKEN = "No token provided"
UNAUTHORIZED_ACCESS = "Unauthorized Access"
ACCESS_DENIED = "Access denied"
CUSTOMER_ID_REQUIRED = "customer-id header is required"
CUSTOMER_NOT_FOUND = "Customer not found"
ACCOUNT_DISABLED = "Your account is disabled. Please contact support"
ACTION_NOT_ALLOWED = "Action not allowed"
ESCROW_NOT_FOUND = "Escrow not found"
MILESTONE_SUM_MISMATCH = "The sum of milestone amounts must equal the escrow amount"
MILESTONE_NOT_DISPUTABLE = "Milestone escrows cannot be disputed"
INSUFFICIENT_BALANCE = "Insufficient balance"
NO_CUSTOMER_WITH_EMAIL = "No customer found with the provided email"
CUSTOMER_ID_NOT_ALLOWED = "customer-id is not allowed in request header"
CANNOT_CLAIM_YET = "Escrow cannot be claimed yet"
BUYER_ALREADY_DISPUTED = "Buyer already submitted Dispute"
SELLER_ALREADY_DISPUTED = "Seller already submitted Dispute"
NO_DISPUTE = "No dispute found for this escrow"
ESCROW_ALREADY_COMPLETED = "Escrow already completed"
VAULT_NOT_DISPUTABLE = "Vault escrows cannot be disputed"  # [B]
# [B] (profile 2026-10): milestone disputes; pay-escrow's `Amount mismatch` is CHECKOUT_AMOUNT_MISMATCH.
ALL_MILESTONES_RELEASED = "All milestones have been released; there are no held funds to dispute"

# -- rule texts from the milestone concept page, used as messages ------------------------
MILESTONES_MIN_TWO = "At least 2 milestones are required"
MILESTONE_AMOUNT_POSITIVE_INT = "Every milestone amount must be a positive integer"
MILESTONE_WHO_PAYS_BUYER = "whoPays must be buyer"

# -- sandbox wording (Payluk documents no message for these) -----------------------------
AMOUNT_POSITIVE_INT = '"amount" must be a positive integer'
MILESTONE_NOT_FOUND = "Milestone not found"
BENEFICIARY_NOT_FOUND = "Milestone beneficiary customer not found"
NO_CUSTOMER_WITH_PHONE = "No customer found with the provided phone"
CUSTOMER_EMAIL_TAKEN = "A customer with this email already exists"
DUPLICATE_REFERENCE = "Duplicate reference"
ROUTE_NOT_FOUND = "Route not found"
CONTROL_TOKEN_REQUIRED = "Sandbox control token required (X-Sandbox-Token)"
# sandbox, 400: the Pact state-change route takes the key from the URL too (`?key=`), but one request
# naming two namespaces acts on neither.
KEY_IN_URL_CONFLICT = "The key in the URL and the Authorization header name different namespaces"
# sandbox, 403: a control that destroys other keys' namespaces, on a server reachable beyond loopback.
CONTROL_TOKEN_NEEDED = ("This control changes other keys' namespaces: on a sandbox listening beyond loopback it "
                        "needs a control token (start it with --control-token or SANDBOX_CONTROL_TOKEN, then send "
                        "X-Sandbox-Token)")
LIST_TYPE_REQUIRED = '"type" must be one of [sales, buy]'
TOO_MANY_IMAGES = '"imageUrl" must contain at most 5 images'
DUPLICATE_ESCROW_IDS = '"escrowDetails.escrowId" contains duplicate ids'  # sandbox
CUSTOMER_ID_TWICE = "Customer id {customer_id} is used twice"  # sandbox (a fixture set's step)
# [B] (profile 2026-10): pay-escrow's amount, additional fees, SPLIT rulings ([A] has no SPLIT).
PAY_AMOUNT_REQUIRED = '"amount" is required'  # Joi's wording: [B] makes it required
ADDITIONAL_FEE_STANDARD_ONLY = "Additional fees apply to standard escrows only"
SPLIT_AMOUNTS_REQUIRED = "sellerAmount and buyerAmount are required for a SPLIT resolution"
SPLIT_SUM_MISMATCH = "sellerAmount and buyerAmount must add up to the amount held in escrow"
RESOLUTION_STATUS_ONE_OF = '"status" must be one of [COMPLETED, REFUNDED]'  # [A]'s answer to SPLIT


# -- vault escrows ([B], sandbox/domain/vaults.py): Payluk documents the rules, not their messages --
VAULT_PARTICIPANTS_MIN_TWO = "At least 2 participants are required"  # sandbox
VAULT_PARTICIPANTS_UNIQUE = "Each customer can be a participant only once"  # sandbox
VAULT_STAKE_INVALID = "Every participant amount must be at least 1 with at most 2 decimal places"  # sandbox
VAULT_POT_MIN = "The sum of participant amounts must be at least 1000"  # sandbox
VAULT_PARTICIPANT_INACTIVE = "Every participant must be an active customer"  # sandbox
VAULT_WINNER_NOT_PARTICIPANT = "The winner must be a participant of this vault"  # sandbox

# -- profile 2026-10 ([B]): amounts, delivery window, milestones, who may call -------------------
# (sandbox/domain/escrows.py, milestones.py). [B] verbatim: MERCHANT_SELF_ESCROW; the amount and
# maxDelivery texts are Joi's wording of [B]'s documented rules (escrow amount >= 1000, 2 decimals,
# maxDelivery 1-365 and deliveryTimeline required); the milestone texts follow the concept page's
# rule-text style; the [A] whole-naira texts are what the standard create's schema has always said.
MERCHANT_SELF_ESCROW = "Merchant cannot create escrow for itself via API"  # [B], 401
AMOUNT_INTEGER = '"amount" must be an integer'  # [A] standard escrows (Joi)
AMOUNT_AT_LEAST_ONE = '"amount" must be greater than or equal to 1'  # [A] standard escrows (Joi)
AMOUNT_NUMBER = '"amount" must be a number'  # [B] (Joi)
AMOUNT_SAFE_NUMBER = '"amount" must be a safe number'  # [B] (Joi; the schemas word it so in every profile)
AMOUNT_AT_LEAST_1000 = '"amount" must be greater than or equal to 1000'  # [B] (Joi)
AMOUNT_TWO_DECIMALS = '"amount" must have no more than 2 decimal places'  # [B] (Joi)
MAX_DELIVERY_REQUIRED = '"maxDelivery" is required'  # [B] (Joi)
MAX_DELIVERY_AT_MOST = '"maxDelivery" must be less than or equal to 365'  # [B] (Joi)
DELIVERY_TIMELINE_REQUIRED = '"deliveryTimeline" is required'  # [B] (Joi)
MILESTONE_AMOUNT_TWO_DECIMALS = "Every milestone amount must be at least 1 with no more than 2 decimal places"  # [B]
MILESTONE_DUE_DATE_FUTURE = "Every milestone dueDate must be a date after today"  # [B], sandbox wording
MILESTONE_OUT_OF_ORDER = "Milestones must be confirmed in order"  # [B], sandbox wording


# -- catalog: categories, countries, cards, whitelist ------------------------------------
# [A] verbatim: FEATURE_NOT_ENABLED; the brief's: CATEGORY_NOT_FOUND, CARD_NOT_FOUND; the rest sandbox.
CATEGORY_NOT_FOUND = "Category not found"
CATEGORY_NAME_TAKEN = "A category with this name already exists"
FEATURE_NOT_ENABLED = "This feature is not enabled on your merchant account"
CARD_NOT_FOUND = "Card not found"
WHITELIST_DUPLICATE = "This address is already whitelisted"
WHITELIST_LIMIT_REACHED = "Whitelist limit reached: at most 5 addresses per customer"
WHITELIST_ADDRESS_NOT_FOUND = "Whitelisted address not found"


class PaylukError(Exception):
    """An error Payluk answers with `{"status": status, "message": message, "data": {}}`."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status


class BadRequest(PaylukError):
    """400: validation failure, action not allowed or (Payluk's [A] habit) not found."""

    status = 400


class Unauthorized(PaylukError):
    """401: missing token, access denied, disabled account."""

    status = 401


class Forbidden(PaylukError):
    """403: a key that is not a test secret key."""

    status = 403


class NotFound(PaylukError):
    """404: the `customer-id` header (or a customer path id) names no customer ([B])."""

    status = 404


class Gone(PaylukError):
    """410: a route Payluk deprecated ([B] `POST /v1/payment/virtual-account`)."""

    status = 410


class NotImplementedYet(PaylukError):
    """501: a documented Payluk behaviour the sandbox does not emulate yet (listed in README)."""

    status = 501


class ActionNotAllowed(BadRequest):
    """400 `Action not allowed`: the escrow's state does not permit the action."""

    def __init__(self, message: str = ACTION_NOT_ALLOWED):
        super().__init__(message)


# -- hosted checkout (sandbox/domain/checkout.py) -----------------------------------------
CHECKOUT_INVALID_STATE = "Escrow is not in a valid state for checkout"  # [B]
CHECKOUT_AMOUNT_MISMATCH = "Amount mismatch"  # [B]'s pay-escrow message, reused by the page
CHECKOUT_SESSION_NOT_FOUND = "Checkout session not found"  # sandbox
CHECKOUT_SESSION_EXPIRED = "This checkout session has expired"  # sandbox
CHECKOUT_SESSION_COMPLETED = "This checkout session has already been paid"  # sandbox
CHECKOUT_SESSION_CANCELLED = "This checkout session was cancelled"  # sandbox
CHECKOUT_BUYER_REQUIRED = "Choose the customer who pays"  # sandbox


# -- payment intents, top-up, virtual account, verify-account (sandbox/domain/payments.py) --
TOPUP_ONCE_A_DAY = "You can only top up your account once a day"  # [B], 401
INTENT_NOT_FOUND = "Payment intent not found"  # sandbox
INTENT_DECLINED = "Payment intent was declined"  # sandbox
INTENT_ALREADY_VERIFIED = "Payment intent is already verified"  # sandbox
TRANSFER_TO_SELF = "You cannot transfer to your own wallet"  # sandbox
ACCOUNT_NOT_RESOLVED = "Could not resolve account name"  # sandbox
# [B] (profile 2026-10): the deprecated virtual account (410 since 2 Sep 2026; Payluk prints only
# "Gone"), the top-up's documented range 1 000-100 000 in Joi's wording (its lower bound is
# AMOUNT_AT_LEAST_1000).
ROUTE_DEPRECATED = "This route has been deprecated"  # sandbox wording, 410
TOPUP_AMOUNT_AT_MOST = '"amount" must be less than or equal to 100000'  # [B] (Joi)


# -- customers and banking ([B], profile 2026-10: sandbox/domain/customers.py, banking.py) ---------
COUNTRY_NOT_FOUND = "Country not found"  # sandbox: `countryId` names no country of /v1/countries
CUSTOMER_UPDATE_EMPTY = '"value" must contain at least one of [firstname, lastname, email]'  # Joi's .or()
PHONE_INVALID = '"phone" must be a phone number of 7 to 15 digits'  # sandbox (as customer create says it)

# [B] (profile 2026-10): intents' amount and reference, the test bank, the reverse helper.
INTENT_AMOUNT_AT_LEAST_100 = '"amount" must be greater than or equal to 100'  # [B] (Joi; documented minimum)
REFERENCE_REQUIRED = '"reference" is required'  # [B] (Joi; documented as required)
TEST_ACCOUNT_NOT_FOUND = "No test-bank deposit with this reference"  # sandbox
WITHDRAWAL_NOT_FOUND = "Withdrawal not found"  # sandbox
WITHDRAWAL_NOT_REVERSIBLE = "Only a successful withdrawal can be reversed"  # sandbox


# -- request journal (sandbox/api/journal.py, GET /_sandbox/requests/<id>) ------------------
REQUEST_NOT_FOUND = "Request not found"  # sandbox


# -- scenarios and fault injection (sandbox/controlplane/faults.py, X-Sandbox-Scenario) ----------------
CARD_DECLINED = "Card declined"  # sandbox
GATEWAY_TIMEOUT = "Gateway timeout"  # sandbox
SERVER_ERROR = "Internal server error"  # sandbox (the crash handler's wording)
TOO_MANY_REQUEST = "Too many request"  # [B], 429, a body without `data`
MAINTENANCE = "Service is under maintenance, please try again later"  # sandbox wording: [B] documents 503 = maintenance, no message
UNKNOWN_SCENARIO = 'Unknown sandbox scenario "{name}". Known scenarios: {known}'  # sandbox
SCENARIO_SYNTAX = "X-Sandbox-Scenario must be <name>[; <param>=<value>]..."  # sandbox
SCENARIO_PARAM_UNKNOWN = 'Sandbox scenario {scenario} takes no parameter "{param}" (allowed: {allowed})'  # sandbox
SCENARIO_PARAM_RANGE = 'Sandbox scenario parameter "{param}" must be a whole number from {minimum} to {maximum}'  # sandbox


# -- request bodies (sandbox/api/http.py and the views' body helpers) ----------------------------
MALFORMED_JSON = "Malformed JSON in request body"  # sandbox
CONTENT_TYPE_REQUIRED = "Content-Type must be {accepted}"  # sandbox
FIELD_NOT_ALLOWED = '"{name}" is not allowed'  # sandbox, Joi's wording for an unknown field
ESCROW_IMAGE_URLS = '"imageUrl" must be a URL or an array of URLs'  # sandbox
CATEGORY_ONE_IMAGE = '"imageUrl" must contain at most 1 image'  # sandbox


# -- webhook outbox (sandbox/domain/outbox.py, POST /_sandbox/events/<id>/resend) ------------------
EVENT_NOT_FOUND = "Event not found"  # sandbox
NO_WEBHOOK_URL = "No webhook URL is set for this namespace"  # sandbox


# -- sandbox controls (sandbox/domain/controls.py: /_sandbox/... and the console's buttons) ------------
CLOCK_PAST_LAST = "the clock cannot move past {last}"  # sandbox
FIXTURES_ONE_OF = '"fixtures" must be one of [{known}]'  # sandbox
RESET_ALL_NO_OPTIONS = "A reset of every namespace takes no fixtures or seed"  # sandbox
UNKNOWN_PROVIDER_STATE = "Unknown provider state; known: {known}"  # sandbox
PROVIDER_STATE_SEED = '"params.seed" must be a whole number'  # sandbox
PACT_STATE_REQUIRED = '"state" is required'  # sandbox (Joi's wording): in the body or, body-less, the query
SNAPSHOT_NOT_FOUND = "Snapshot not found"  # sandbox
IMPORT_MISSING = "Imported state is not valid: missing {parts}"  # sandbox
IMPORT_MALFORMED = "Imported state is not valid: missing or malformed {error}"  # sandbox
IMPORT_UNBALANCED = "Imported state does not balance: {problem}"  # sandbox
FORK_INTO_ITSELF = "A namespace cannot be forked into itself"  # sandbox
FORK_TARGET_TAKEN = "That key already has a namespace; send replace: true to overwrite it"  # sandbox


# -- fixture sets (sandbox/controlplane/fixture_sets.py: a bad step stops start-up) ----------------------
FIXTURE_NOTHING_SAVED = "{value}: nothing was saved as {name!r} before this step"  # sandbox
FIXTURE_NO_PART = "{value}: {name} has no {part!r}"  # sandbox
FIXTURE_BAD_DATE = "{value} is not a date: {error}"  # sandbox: "$today+P23D" in a fixture step
FIXTURE_UNKNOWN_OP = "unknown op {op!r}"  # sandbox


# -- the console (sandbox/console: pages and buttons at /_sandbox/console) ---------------------------
CONSOLE_NOT_SIGNED_IN = "Not signed in to the console"  # sandbox
CONSOLE_FORM_EXPIRED = "The sign-in form had expired. Please try again."  # sandbox
CONSOLE_TOKEN_REFUSED = "Sandbox control token required."  # sandbox (CONTROL_TOKEN_REQUIRED, as a sentence)
CONSOLE_NOT_A_TEST_KEY = "That is not a sandbox test secret key (sk_test_ followed by letters, digits, _ or -)."  # sandbox
CONSOLE_FORM_REFUSED = "Form refused"  # sandbox
CONSOLE_CSRF_REFUSED = ("The form's security token did not match this session (a stale page, or a forged form). "
                        "Nothing was changed: go back, reload the page and try again.")  # sandbox
CONSOLE_NO_ESCROW = "No escrow with this id in your namespace."  # sandbox
CONSOLE_NO_REQUEST = "No journal entry with this id (it may have dropped off)."  # sandbox

# The shared store (Redis) cannot be reached: the request applied nothing (503, Retry-After: 1).
STORE_UNAVAILABLE = "The sandbox's state store is unavailable; nothing was changed, try again"
