"""Payment-intent schemas: create-intent and verify in both doc generations' shapes, the
virtual-account, top-up and verify-account bodies, the authorisation form, and the answers."""

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from sandbox.clock import parse_iso
from sandbox.domain.funding import GATEWAYS, WALLET
from sandbox.domain.payments import CREDIT_TYPE_OF, DEBITS, TRANSACTION_TYPES, WALLET_TRANSFER, WITHDRAWAL
from sandbox.schemas.base import NON_EMPTY, Naira, RawAmount, RequestSchema, Timestamp, WholeNumber, one_of
from sandbox.schemas.customer import PageQuerySchema
from sandbox.schemas.fast import WireSchema
from sandbox.schemas.payment import TransactionSchema, UpperChoice

_TEN_DIGITS = validate.Regexp(r"^\d{10}$", error="must be 10 digits")
_ELEVEN_DIGITS = validate.Regexp(r"^\d{11}$", error="must be 11 digits")
_EVM_ADDRESS = validate.Regexp(r"^0x[0-9a-fA-F]{40}$", error="must be an address of 0x and 40 hex characters")
_REFERENCE = validate.Length(min=1, max=100, error="must be 1 to 100 characters long")
DEPOSIT_GATEWAYS = tuple(g for g in GATEWAYS if g != WALLET)


class WithdrawalDetailsSchema(RequestSchema):
    """[B] where a withdrawal is paid out to (a Nigerian bank account)."""

    account_name = fields.String(data_key="accountName", validate=NON_EMPTY)
    account_number = fields.String(data_key="accountNumber", required=True, validate=_TEN_DIGITS)
    bank_name = fields.String(data_key="bankName", validate=NON_EMPTY)
    bank_code = fields.String(data_key="bankCode", required=True, validate=NON_EMPTY)
    narration = fields.String()


class BlockchainDetailsSchema(RequestSchema):
    """[B] a cNGN withdrawal to an address on BSC."""

    to_address = fields.String(data_key="toAddress", required=True, validate=_EVM_ADDRESS)
    network = UpperChoice(("BSC",), required=True)
    token_address = fields.String(data_key="tokenAddress", validate=_EVM_ADDRESS)


class WalletDetailsSchema(RequestSchema):
    """[B] the receiving customer of a wallet transfer, by phone."""

    phone = fields.String(required=True, validate=_ELEVEN_DIGITS)
    name = fields.String()
    narration = fields.String()


class DepositDetailsSchema(RequestSchema):
    """[B] a saved card to charge (accepted; the sandbox's charge always succeeds)."""

    card_id = fields.String(data_key="cardId", required=True, validate=NON_EMPTY)


# Which details object goes with which transactionType (any other pairing is refused).
_DETAILS_FOR = (
    ("withdrawal_details", "withdrawalDetails", (WITHDRAWAL,)),
    ("blockchain_details", "blockchainDetails", (WITHDRAWAL,)),
    ("wallet_details", "walletDetails", (WALLET_TRANSFER,)),
    ("deposit_details", "depositDetails", tuple(t for t in TRANSACTION_TYPES if t not in DEBITS)),
)


class CreateIntentSchema(RequestSchema):
    """POST /v1/payment/create-intent. [A]: `amount`*, `gateway`*, `currency`, `transactionType`,
    `creditType`, upper-case. [B]: lower-case enums, `reference`, no `gateway`, and a details
    object per type. Both are accepted; `gateway` and `transactionType` get defaults."""

    amount = WholeNumber(required=True)
    gateway = UpperChoice(GATEWAYS)
    currency = UpperChoice(("NGN",))
    transaction_type = UpperChoice(TRANSACTION_TYPES, data_key="transactionType", load_default="DEPOSIT")
    credit_type = UpperChoice(("CREDIT", "DEBIT"), data_key="creditType")
    reference = fields.String(validate=_REFERENCE)
    withdrawal_details = fields.Nested(WithdrawalDetailsSchema, data_key="withdrawalDetails")
    blockchain_details = fields.Nested(BlockchainDetailsSchema, data_key="blockchainDetails")
    wallet_details = fields.Nested(WalletDetailsSchema, data_key="walletDetails")
    deposit_details = fields.Nested(DepositDetailsSchema, data_key="depositDetails")

    @validates_schema
    def check_consistency(self, data, **kwargs):
        kind = data["transaction_type"]
        a_kind = f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind} intent"
        for attribute, wire, kinds in _DETAILS_FOR:
            if attribute in data and kind not in kinds:
                raise ValidationError(f"is not allowed for {a_kind}", wire)
        if "withdrawal_details" in data and "blockchain_details" in data:
            raise ValidationError('is not allowed together with "withdrawalDetails"', "blockchainDetails")
        if kind == WALLET_TRANSFER and "wallet_details" not in data:
            raise ValidationError("is required", "walletDetails")
        expected = CREDIT_TYPE_OF[kind]
        if data.get("credit_type", expected) != expected:
            raise ValidationError(f"must be {expected} for {a_kind}", "creditType")
        if kind not in DEBITS and data.get("gateway") == WALLET:
            raise ValidationError(f"must be one of [{', '.join(DEPOSIT_GATEWAYS)}] for {a_kind}", "gateway")


class CreateIntentLaterSchema(CreateIntentSchema):
    """The body in profile 2026-10 ([B]): `amount` >= 100 with up to 2 decimals (checked by the
    domain, in Joi's words) and a required `reference`; enums in either case."""

    amount = RawAmount(required=True, metadata={"type": "number", "minimum": 100, "multipleOf": 0.01,
                                                "description": "Naira, at least 100, at most 2 decimals"})
    reference = fields.String(required=True, validate=_REFERENCE)


class VerifyPaymentSchema(RequestSchema):
    """POST /v1/payment/verify: `reference`, or the [A] batch `references`, or both (the docs'
    own example sends both); [B] `otp` is accepted and ignored. Loads `references` (all of
    them, `reference` first) and `batch` (answer with a list when `references` was sent)."""

    reference = fields.String(validate=NON_EMPTY)
    references = fields.List(fields.String(validate=NON_EMPTY),
                             validate=validate.Length(min=1, error="must contain at least 1 items"))
    otp = fields.String(allow_none=True)

    @validates_schema
    def check_references(self, data, **kwargs):
        if "reference" not in data and "references" not in data:
            raise ValidationError("is required", "reference")
        wanted = ([data["reference"]] if "reference" in data else []) + data.get("references", [])
        if len(set(wanted)) != len(wanted):
            raise ValidationError("must not contain duplicate values", "references")

    @post_load
    def combine(self, data, **kwargs):
        batch = "references" in data
        references = ([data["reference"]] if "reference" in data else []) + data.get("references", [])
        return {"references": references, "batch": batch}


class VirtualAccountSchema(RequestSchema):
    """POST /v1/payment/virtual-account: the docs send no body; an `amount` may be given."""

    amount = WholeNumber(allow_none=True)


class TopUpSchema(RequestSchema):
    """POST /v1/payment/topup: `amount`* in whole naira ([B]'s 1 000-100 000 range: domain/payments.py)."""

    amount = WholeNumber(required=True)


class VerifyAccountSchema(RequestSchema):
    """POST /v1/payment/verify-account: `accountNumber`* (10 digits), `bankCode`*, [B] `bankName`."""

    account_number = fields.String(data_key="accountNumber", required=True, validate=_TEN_DIGITS)
    bank_code = fields.String(data_key="bankCode", required=True, validate=NON_EMPTY)
    bank_name = fields.String(data_key="bankName", validate=NON_EMPTY)


class TestBankTransferSchema(RequestSchema):
    """POST /_sandbox/test-bank/transfer: the `reference` of the deposit intent paid into."""

    reference = fields.String(required=True, validate=NON_EMPTY)


class AuthorizeFormSchema(RequestSchema):
    """The authorisation page's form: which button was pressed."""

    action = fields.String(required=True, validate=one_of(("authorize", "decline")))


# -- answers ----------------------------------------------------------------------------------


class IntentCreatedSchema(WireSchema):
    """[A] create-intent answer: `{reference, amount, status: "PENDING", authorizationUrl}`."""

    reference = fields.String()
    amount = Naira()
    status = fields.String()
    authorization_url = fields.String(data_key="authorizationUrl")


class VerifiedPaymentSchema(WireSchema):
    """[A] verify answer: `{reference, status: "SUCCESS", amount}`."""

    reference = fields.String()
    status = fields.String()
    amount = Naira()


class VirtualAccountResponseSchema(WireSchema):
    account_number = fields.String(data_key="accountNumber")
    bank_code = fields.String(data_key="bankCode")
    amount = Naira(allow_none=True)
    account_name = fields.String(data_key="accountName")
    bank = fields.String()
    expires_in = fields.String(data_key="expiresIn")


class TopUpResponseSchema(WireSchema):
    """[A] top-up answer: `{mainBalance}` after the credit."""

    main = Naira(data_key="mainBalance")


class AccountResponseSchema(WireSchema):
    account_name = fields.String(data_key="accountName")
    account_number = fields.String(data_key="accountNumber")


CREATE_INTENT = CreateIntentSchema()
CREATE_INTENT_LATER = CreateIntentLaterSchema()
VERIFY_PAYMENT = VerifyPaymentSchema()
VIRTUAL_ACCOUNT_REQUEST = VirtualAccountSchema()
TOP_UP = TopUpSchema()
VERIFY_ACCOUNT = VerifyAccountSchema()
AUTHORIZE_FORM = AuthorizeFormSchema()
TEST_BANK_TRANSFER = TestBankTransferSchema()
INTENT_CREATED = IntentCreatedSchema()
VERIFIED_PAYMENT = VerifiedPaymentSchema()
VIRTUAL_ACCOUNT = VirtualAccountResponseSchema()
TOP_UP_RESULT = TopUpResponseSchema()
ACCOUNT = AccountResponseSchema()


# -- payment history ([B]) ----------------------------------------------------------------------

HISTORY_TYPES = TRANSACTION_TYPES + ("TOPUP",)


class DateOrInstant(fields.String):
    """`YYYY-MM-DD` (a whole UTC day) or an ISO-8601 instant, loaded as epoch ms: the day's
    first millisecond, or its last one when `end_of_day`."""

    def __init__(self, *, end_of_day: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            ms = parse_iso(value)
        except ValueError:
            raise ValidationError("must be a valid date (YYYY-MM-DD or ISO-8601)") from None
        if len(value) == 10 and self.end_of_day:
            ms += 24 * 60 * 60 * 1000 - 1
        return ms


class PaymentHistoryQuerySchema(PageQuerySchema):
    """GET /v1/payment/history: paging, `type`, and the [B] `reference` / `fromDate` / `toDate`
    filters (any of which turns the answer into a flat array, as [B] documents)."""

    type = UpperChoice(HISTORY_TYPES)
    reference = fields.String(validate=NON_EMPTY)
    from_ms = DateOrInstant(data_key="fromDate")
    to_ms = DateOrInstant(data_key="toDate", end_of_day=True)


class HistoryRecordSchema(WireSchema):
    """A transaction of the history, [B]'s transaction object with [A]'s upper-case enums."""

    id = fields.String()
    reference = fields.String()
    amount = Naira()
    fee = Naira()
    currency = fields.String()
    gateway = fields.String(allow_none=True)
    transaction_type = fields.String(data_key="transactionType")
    credit_type = fields.String(data_key="creditType")
    status = fields.String()
    created_at_ms = Timestamp(data_key="createdAt")
    updated_at_ms = Timestamp(data_key="updatedAt")


PAYMENT_HISTORY_QUERY = PaymentHistoryQuerySchema()
HISTORY_RECORDS = HistoryRecordSchema(many=True)


# -- [B] (profile 2026-10) answers -------------------------------------------------------------


class TestAccountSchema(WireSchema):
    """[B] the "Payluk Test Bank" account a deposit without a card is paid into (staging)."""

    bank_name = fields.String(data_key="bankName")
    bank_code = fields.String(data_key="bankCode")
    account_number = fields.String(data_key="accountNumber")
    account_name = fields.String(data_key="accountName")
    amount = Naira()
    expires_at_ms = Timestamp(data_key="expiresAt")


class CheckoutConfigSchema(WireSchema):
    """[B] what a client needs to open the checkout of a card deposit: the publishable key, the
    intent's reference and amount, and the sandbox page standing in for the card checkout."""

    public_key = fields.String(data_key="publicKey")
    reference = fields.String()
    amount = Naira()
    currency = fields.String()
    url = fields.String()


class IntentTransactionSchema(TransactionSchema):
    """[B] create-intent and verify: the transaction, with where to pay a deposit (`testAccount`
    for a bank transfer to the test bank, `checkoutConfig` for a card) while it is pending."""

    test_account = fields.Nested(TestAccountSchema, data_key="testAccount")
    checkout_config = fields.Nested(CheckoutConfigSchema, data_key="checkoutConfig")


INTENT_TRANSACTION = IntentTransactionSchema()
INTENT_TRANSACTIONS = IntentTransactionSchema(many=True)
