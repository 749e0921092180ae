"""Escrow and milestone schemas: create/edit/convert requests, the escrow object out."""

import re
from decimal import Decimal

from marshmallow import fields, validate

from sandbox.domain.lifecycle import DELIVERY_TIMELINES, MILESTONE_STATUSES, STATUSES, WHO_PAYS
from sandbox.domain.money import kobo_to_wire
from sandbox.schemas.base import (
    MAX_SAFE_INTEGER,
    NON_EMPTY,
    DateOnly,
    Hundredths,
    Naira,
    ObjectId,
    RawAmount,
    RequestSchema,
    StrictBool,
    Timestamp,
    UnixSeconds,
    WholeNumber,
    one_of,
)
from sandbox.schemas.catalog import CategorySchema
from sandbox.schemas.customer import PageQuerySchema
from sandbox.schemas.fast import WireSchema
from sandbox.schemas.payment import UpperChoice


DECIMAL_TEXT = re.compile(r"[0-9]+\.[0-9]+", re.ASCII)


class TextAmount(RawAmount):
    """An escrow amount sent as multipart text or JSON: text spelling a number is read exactly
    ("150000" an int, "150000.50" a Decimal); anything else goes through as sent. The domain
    judges it by API profile ([A] whole naira, [B] up to 2 decimals), so this field refuses
    only what it always has: a whole number JavaScript cannot hold exactly (digits beyond
    MAX_SAFE_INTEGER refused before any conversion). A number with a fraction is the domain's
    to refuse ([A]: not an integer, however big)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            text = value.strip()
            if text.isascii() and text.isdigit():
                value = int(text) if len(text) <= 16 else MAX_SAFE_INTEGER + 1
            elif DECIMAL_TEXT.fullmatch(text):
                return Decimal(text)
        if isinstance(value, Decimal):
            return value
        return super()._deserialize(value, attr, data, **kwargs)


class MilestoneSpecSchema(RequestSchema):
    """One milestone as sent: `amount` is checked by the domain (its documented message)."""

    title = fields.String(required=True, validate=NON_EMPTY)
    description = fields.String(allow_none=True)
    amount = RawAmount(required=True, metadata={"type": "integer", "minimum": 1})
    due_date = DateOnly(data_key="dueDate", allow_none=True)
    customer_id = fields.String(data_key="customerId", allow_none=True)


class _EscrowDetailsSchema(RequestSchema):
    """Fields the standard and milestone create bodies share."""

    amount = RawAmount(required=True, metadata={"type": "integer", "minimum": 1})
    purpose = fields.String(required=True, validate=NON_EMPTY)
    description = fields.String(allow_none=True)
    who_pays = fields.String(data_key="whoPays", required=True, validate=one_of(WHO_PAYS))
    max_delivery = WholeNumber(data_key="maxDelivery", minimum=1, allow_none=True)
    delivery_timeline = fields.String(
        data_key="deliveryTimeline", validate=one_of(DELIVERY_TIMELINES), allow_none=True
    )
    total_quantity = WholeNumber(data_key="totalQuantity", minimum=1, allow_none=True)
    category_id = ObjectId(data_key="categoryId", allow_none=True)


class MilestoneEscrowCreateSchema(_EscrowDetailsSchema):
    """POST /v1/escrow/milestone/create and PUT /v1/escrow/milestone/edit/{token} (JSON)."""

    milestones = fields.List(fields.Nested(MilestoneSpecSchema), required=True)


MILESTONE_ESCROW_CREATE = MilestoneEscrowCreateSchema()


class MilestoneConvertSchema(RequestSchema):
    """PUT /v1/escrow/milestone/convert/{token}: optional new total, the milestones."""

    amount = RawAmount(allow_none=True, metadata={"type": "integer", "minimum": 1})
    milestones = fields.List(fields.Nested(MilestoneSpecSchema), required=True)


MILESTONE_CONVERT = MilestoneConvertSchema()


class EscrowCreateSchema(_EscrowDetailsSchema):
    """POST /v1/escrow/create, multipart (documented) or JSON (seen in real clients).

    Multipart carries numbers as text, so the numeric fields accept digit strings here.
    `imageUrl` in JSON is a URL or a list of URLs; `callbackUrl` is accepted and kept.
    """

    amount = TextAmount(required=True, metadata={"type": "integer", "minimum": 1})
    max_delivery = WholeNumber(data_key="maxDelivery", lenient=True, allow_none=True)
    total_quantity = WholeNumber(data_key="totalQuantity", lenient=True, allow_none=True)
    image_urls = fields.Raw(data_key="imageUrl", allow_none=True)
    callback_url = fields.Url(data_key="callbackUrl", allow_none=True, require_tld=False)


ESCROW_CREATE = EscrowCreateSchema()


# -- profile 2026-10's bodies, as documented ----------------------------------------------------------
# The views load the schemas above, which take either profile's body; the domain applies the
# profile's rules (sandbox/domain/escrows.py). These describe [B]'s rules in its OpenAPI document.

LATER_AMOUNT = {"type": "number", "minimum": 1000, "multipleOf": 0.01, "description": "Naira, at most 2 decimals"}
LATER_TEXT_AMOUNT = {**LATER_AMOUNT, "description": "Naira, at most 2 decimals (multipart: the number as text)"}
LATER_MILESTONE_AMOUNT = {"type": "number", "minimum": 1, "multipleOf": 0.01, "description": "Naira, at most 2 decimals"}
DUE_DATE = {"description": "A date after today (UTC) on the namespace clock"}


def _max_delivery(**kwargs) -> WholeNumber:
    return WholeNumber(data_key="maxDelivery", minimum=1, maximum=365, validate=validate.Range(max=365),
                       required=True, **kwargs)


def _delivery_timeline() -> fields.String:
    return fields.String(data_key="deliveryTimeline", validate=one_of(DELIVERY_TIMELINES), required=True)


class EscrowCreateLaterSchema(EscrowCreateSchema):
    """POST /v1/escrow/create in profile 2026-10: amounts to 2 decimals from 1 000, the delivery
    window required (maxDelivery 1-365)."""

    amount = TextAmount(required=True, metadata=LATER_TEXT_AMOUNT)
    max_delivery = _max_delivery(lenient=True)
    delivery_timeline = _delivery_timeline()


class EscrowEditLaterSchema(EscrowCreateSchema):
    """PUT /v1/escrow/edit/{token} in profile 2026-10: any create field, the delivery window always."""

    amount = TextAmount(metadata=LATER_TEXT_AMOUNT)
    purpose = fields.String(validate=NON_EMPTY)
    who_pays = fields.String(data_key="whoPays", validate=one_of(WHO_PAYS))
    max_delivery = _max_delivery(lenient=True)
    delivery_timeline = _delivery_timeline()


class MilestoneSpecLaterSchema(MilestoneSpecSchema):
    """One milestone in profile 2026-10: at least 1 with at most 2 decimals, a future due date."""

    amount = RawAmount(required=True, metadata=LATER_MILESTONE_AMOUNT)
    due_date = DateOnly(data_key="dueDate", allow_none=True, metadata=DUE_DATE)


class MilestoneEscrowCreateLaterSchema(MilestoneEscrowCreateSchema):
    """POST /v1/escrow/milestone/create and PUT .../edit/{token} in profile 2026-10."""

    amount = RawAmount(required=True, metadata=LATER_AMOUNT)
    max_delivery = _max_delivery()
    delivery_timeline = _delivery_timeline()
    milestones = fields.List(fields.Nested(MilestoneSpecLaterSchema), required=True)


class MilestoneConvertLaterSchema(MilestoneConvertSchema):
    """PUT /v1/escrow/milestone/convert/{token} in profile 2026-10."""

    amount = RawAmount(allow_none=True, metadata=LATER_AMOUNT)
    milestones = fields.List(fields.Nested(MilestoneSpecLaterSchema), required=True)


class EscrowListQuerySchema(PageQuerySchema):
    """GET /v1/escrow/transactions: `type` (checked by the domain: Payluk answers 401), filters."""

    type = fields.String()
    status = UpperChoice(STATUSES)
    category_id = ObjectId(data_key="categoryId")


ESCROW_LIST_QUERY = EscrowListQuerySchema()


class FeedsQuerySchema(PageQuerySchema):
    """GET /v1/escrow/feeds filters."""

    status = UpperChoice(STATUSES)
    customer_id = ObjectId(data_key="customerId")
    category_id = ObjectId(data_key="categoryId")
    payment_token = fields.String(data_key="paymentToken")
    from_date = DateOnly(data_key="fromDate")
    to_date = DateOnly(data_key="toDate")


FEEDS_QUERY = FeedsQuerySchema()


class MyDisputesQuerySchema(PageQuerySchema):
    """GET /v1/escrow/dispute/get filters."""

    payment_token = fields.String(data_key="paymentToken")
    from_date = DateOnly(data_key="fromDate")
    to_date = DateOnly(data_key="toDate")


MY_DISPUTES_QUERY = MyDisputesQuerySchema()


class AllDisputesQuerySchema(PageQuerySchema):
    """GET /v1/escrow/all-dispute filters ([B] adds paymentId and dates)."""

    payment_id = fields.String(data_key="paymentId")
    from_date = DateOnly(data_key="fromDate")
    to_date = DateOnly(data_key="toDate")


ALL_DISPUTES_QUERY = AllDisputesQuerySchema()


class DisputeSubmitSchema(RequestSchema):
    """POST /v1/escrow/submit-dispute/{token}: `message`, optional evidence `file` (multipart)."""

    message = fields.String(required=True, validate=NON_EMPTY)


DISPUTE_SUBMIT = DisputeSubmitSchema()


class DisputeResolveSchema(RequestSchema):
    """POST /v1/escrow/dispute/resolve/{escrowId}: the ruling ([B] SPLIT is not in [A]).
    `sellerAmount` / `buyerAmount` are accepted beside any ruling (real clients send them with
    COMPLETED / REFUNDED, which ignore them); multipart sends them as text."""

    resolution = fields.String(required=True, validate=NON_EMPTY)
    status = UpperChoice(("COMPLETED", "REFUNDED"), required=True)
    additional_fee_refundable = fields.Boolean(data_key="additionalFeeRefundable")
    seller_amount = Hundredths(data_key="sellerAmount", lenient=True, allow_none=True)
    buyer_amount = Hundredths(data_key="buyerAmount", lenient=True, allow_none=True)


class DisputeResolveLaterSchema(DisputeResolveSchema):
    """The ruling in profile 2026-10 ([B]): SPLIT too, with `sellerAmount` + `buyerAmount`
    adding up to the held pool. Every profile loads with it; 2026-06 refuses SPLIT with the
    message its own schema gave (errors.RESOLUTION_STATUS_ONE_OF)."""

    status = UpperChoice(("COMPLETED", "REFUNDED", "SPLIT"), required=True)


DISPUTE_RESOLVE = DisputeResolveLaterSchema()


class AdditionalFeeSchema(RequestSchema):
    """[B] PUT /v1/escrow/additional-fee/{paymentToken}: the merchant's delivery fee in naira
    (0 clears it) and whether a refund gives it back to the buyer (default true)."""

    additional_fee = Hundredths(data_key="additionalFee", required=True)
    additional_fee_refundable = StrictBool(data_key="additionalFeeRefundable")


ADDITIONAL_FEE = AdditionalFeeSchema()


class DisputeEntrySchema(WireSchema):
    """One message of the dispute thread (the documented array form)."""

    type = fields.String()
    name = fields.String()
    message = fields.String()
    proof_url = fields.String(data_key="proofUrl", allow_none=True)
    created_at = fields.String(data_key="createdAt")


class MilestoneSchema(WireSchema):
    """A milestone as Payluk returns it (`customerId` null when the seller is paid)."""

    id = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    amount = Naira()
    due_date = fields.String(data_key="dueDate", allow_none=True)
    status = fields.String(metadata={"enum": list(MILESTONE_STATUSES),
                                     "description": "REFUNDED and SPLIT only in profile 2026-10 (a dispute's ruling)"})
    released_at_ms = Timestamp(data_key="releasedAt")
    customer_id = fields.String(data_key="customerId", allow_none=True)


MILESTONE = MilestoneSchema()
MILESTONES = MilestoneSchema(many=True)


class ParticipantSchema(WireSchema):
    """A vault escrow's participant ([B]): the customer, the stake, STAKED | RELEASED | REFUNDED."""

    customer_id = fields.String(data_key="customerId")
    amount = Naira()
    status = fields.String(metadata={"enum": ["STAKED", "RELEASED", "REFUNDED"]})


class SplitSchema(WireSchema):
    """[B] how a SPLIT ruling shared the held pool (on the escrow after it)."""

    seller_amount = Naira(data_key="sellerAmount")
    buyer_amount = Naira(data_key="buyerAmount")
    pool = Naira()
    resolved_at_ms = Timestamp(data_key="resolvedAt")


class EscrowSchema(WireSchema):
    """The full escrow object, keys in the order of docs.payluk.ng create-escrow (201)."""

    id = fields.String()
    amount = Naira()
    purpose = fields.String()
    description = fields.String(allow_none=True)
    who_pays = fields.String(data_key="whoPays")
    image_urls = fields.List(fields.String(), data_key="imageUrl")
    fee = Naira()
    payment_token = fields.String(data_key="paymentToken")
    paid_at_ms = UnixSeconds(data_key="paidAt")
    status = fields.String()
    state = fields.String()
    logs = fields.List(fields.String())
    channel = fields.String()
    is_seller = fields.Boolean(data_key="isSeller")
    dispute = fields.List(fields.Nested(DisputeEntrySchema), allow_none=True)
    payment_details = fields.Function(
        lambda e: _payment_details(e["payment_details"]), data_key="paymentDetails"
    )
    category = fields.Nested(CategorySchema, allow_none=True)
    completed_at_ms = Timestamp(data_key="completedAt")
    approved_claim_by = fields.Raw(data_key="approvedClaimBy", allow_none=True)
    refunded_by = fields.Raw(data_key="refundedBy", allow_none=True)
    max_delivery = fields.Integer(data_key="maxDelivery", allow_none=True)
    delivery_timeline = fields.String(data_key="deliveryTimeline", allow_none=True)
    total_quantity = fields.Integer(data_key="totalQuantity")
    settlement_type = fields.String(data_key="settlementType")
    milestones = fields.List(fields.Nested(MilestoneSchema))
    created_at_ms = Timestamp(data_key="createdAt")
    updated_at_ms = Timestamp(data_key="updatedAt")
    additional_fee = Naira(data_key="additionalFee")
    additional_fee_refundable = fields.Boolean(data_key="additionalFeeRefundable")
    # [B] vault escrows only: other escrows have neither key (their answers stay as they were).
    participants = fields.List(fields.Nested(ParticipantSchema), metadata={
        "description": "Vault escrows only (profile 2026-10): each participant's stake"})
    winner_id = fields.String(data_key="winnerId", allow_none=True, metadata={
        "description": "Vault escrows only (profile 2026-10): the participant paid the pot, null until then"})


    # [B] only after a SPLIT ruling (absent otherwise, as [B]'s examples show it).
    split = fields.Nested(SplitSchema, metadata={"description": "Profile 2026-10, after a SPLIT ruling only"})


ESCROW = EscrowSchema()


def _payment_details(details):
    if details is None:
        return None
    return {
        "reference": details["reference"],
        "gateway": details["gateway"],
        "amount": kobo_to_wire(details["amount"]),
    }


def dump_escrow(escrow: dict, viewer_id: str | None) -> dict:
    """The escrow as the caller sees it: `isSeller` is relative to the `customer-id` sent."""
    return ESCROW.dump({**escrow, "is_seller": viewer_id is not None and viewer_id == escrow["seller_id"]})
