"""Checkout schemas: the SDK's session request, the session out, the page's approve form."""

from marshmallow import EXCLUDE, fields

from sandbox.schemas.base import NON_EMPTY, Naira, ObjectId, RequestSchema, Timestamp
from sandbox.schemas.fast import WireSchema


class CheckoutSessionCreateSchema(RequestSchema):
    """POST /v1/checkout/session, the body `payluk-escrow-inline-checkout` sends (§9):
    `{paymentToken, reference, redirectUrl, customerId?, publicKey}`. `publicKey` comes
    first so a body missing it reports that field before any other."""

    public_key = fields.String(data_key="publicKey", required=True, validate=NON_EMPTY)
    payment_token = fields.String(data_key="paymentToken", required=True, validate=NON_EMPTY)
    reference = fields.String(required=True, validate=NON_EMPTY)
    redirect_url = fields.Url(data_key="redirectUrl", required=True, schemes={"http", "https"},
                              require_tld=False)
    # The SDK drops an undefined customerId from its JSON; an explicit null means "none" too.
    customer_id = fields.String(data_key="customerId", allow_none=True, load_default=None)


class CheckoutSessionQuerySchema(RequestSchema):
    """GET /v1/checkout/session/{id}?publicKey=… (other query parameters are refused)."""

    public_key = fields.String(data_key="publicKey", required=True, validate=NON_EMPTY)


class CheckoutApproveFormSchema(WireSchema):
    """The page's approve form: the chosen buyer when the session names none. A browser form
    may carry other fields (a button's name), so unknown ones are ignored."""

    class Meta:
        unknown = EXCLUDE

    customer_id = ObjectId(data_key="customerId", load_default=None)


class CheckoutSessionSchema(WireSchema):
    """The `session` the SDK hands to Payluk's widget; `url` is the sandbox checkout page."""

    id = fields.String()
    url = fields.String()
    payment_token = fields.String(data_key="paymentToken")
    reference = fields.String()
    amount = Naira()
    status = fields.String()
    customer_id = fields.String(data_key="customerId", allow_none=True)
    expires_at_ms = Timestamp(data_key="expiresAt")
    redirect_url = fields.String(data_key="redirectUrl")


CHECKOUT_SESSION_CREATE = CheckoutSessionCreateSchema()
CHECKOUT_SESSION_QUERY = CheckoutSessionQuerySchema()
CHECKOUT_APPROVE_FORM = CheckoutApproveFormSchema()
CHECKOUT_SESSION = CheckoutSessionSchema()
