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
STANDARD_DISPUTES_NOT_EMULATED = "Disputes on standard escrows are not emulated yet"


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


class NotImplementedYet(PaylukError):
    """501: a documented Payluk behaviour the sandbox does not emulate yet (listed in README)."""

    status = 501


class ActionNotAllowed(BadRequest):
    """400 `Action not allowed`: the escrow's state does not permit the action."""

    def __init__(self, message: str = ACTION_NOT_ALLOWED):
        super().__init__(message)
