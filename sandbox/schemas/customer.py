"""Merchant-customer schemas: create request, list query, the customer object out."""

import re

from marshmallow import ValidationError, fields, validate, validates_schema

from sandbox.domain.errors import CUSTOMER_UPDATE_EMPTY
from sandbox.schemas.base import NON_EMPTY, DateOnly, Naira, RequestSchema, StrictBool, Timestamp, WholeNumber
from sandbox.schemas.fast import WireSchema

_PHONE = re.compile(r"^\+?\d{7,15}$")


def _phone(value: str) -> None:
    if not _PHONE.match(value):
        raise ValidationError("must be a phone number of 7 to 15 digits")


def _bvn(value: str) -> None:
    if not (len(value) == 11 and value.isdigit()):
        raise ValidationError("must be exactly 11 digits")


class CustomerCreateSchema(RequestSchema):
    """POST /v1/customer/create. `countryId` is optional ([B]; [A] required it) and `bvn`
    may be sent (11 digits): real clients send both shapes."""

    firstname = fields.String(required=True, validate=NON_EMPTY)
    lastname = fields.String(required=True, validate=NON_EMPTY)
    email = fields.Email(required=True)
    phone = fields.String(required=True, validate=_phone)
    country_id = fields.String(data_key="countryId", allow_none=True)
    bvn = fields.String(allow_none=True, validate=_bvn)
    dob = DateOnly(allow_none=True)


CUSTOMER_CREATE = CustomerCreateSchema()


class CustomerUpdateSchema(RequestSchema):
    """[B] PUT /v1/customer/update/{id}: at least one of `firstname`, `lastname`, `email`
    (JSON; phone, bvn, country and permissions have routes or no route of their own)."""

    firstname = fields.String(validate=NON_EMPTY)
    lastname = fields.String(validate=NON_EMPTY)
    email = fields.Email()

    @validates_schema
    def at_least_one(self, data, **kwargs):
        if not data:
            raise ValidationError(CUSTOMER_UPDATE_EMPTY, "_schema")


CUSTOMER_UPDATE = CustomerUpdateSchema()


class PageQuerySchema(RequestSchema):
    """`page` (1-based, default 1) and `limit` (default 10, at most 100) of a paged list.
    Unknown query parameters are refused like unknown body fields (Joi's default)."""

    page = WholeNumber(lenient=True, load_default=1)
    limit = WholeNumber(lenient=True, load_default=10, validate=validate.Range(max=100, error="must be less than or equal to 100"))


class CustomerListQuerySchema(PageQuerySchema):
    """GET /v1/customers: paging plus the [B] `email` / `phone` look-ups."""

    email = fields.String(validate=NON_EMPTY)
    phone = fields.String(validate=NON_EMPTY)


CUSTOMER_LIST_QUERY = CustomerListQuerySchema()


class PermissionsUpdateSchema(RequestSchema):
    """PUT /v1/customer/permissions/{id}: any of the flags, at least one."""

    can_buy = StrictBool(data_key="canBuy")
    can_sell = StrictBool(data_key="canSell")
    can_withdraw = StrictBool(data_key="canWithdraw")

    @validates_schema
    def at_least_one(self, data, **kwargs):
        if not data:
            raise ValidationError("at least one of canBuy, canSell, canWithdraw is required", "_schema")


PERMISSIONS_UPDATE = PermissionsUpdateSchema()


class BlockSchema(RequestSchema):
    """PUT /v1/customer/block/{id}: an optional reason ([B] `blockedReason`)."""

    reason = fields.String(allow_none=True)
    blocked_reason = fields.String(data_key="blockedReason", allow_none=True)


BLOCK = BlockSchema()


class PermissionsSchema(WireSchema):
    can_buy = fields.Boolean(data_key="canBuy")
    can_sell = fields.Boolean(data_key="canSell")
    can_withdraw = fields.Boolean(data_key="canWithdraw")


class CustomerSchema(WireSchema):
    """A customer with both `id` ([A]) and `customerId` ([B]) so either client generation works."""

    id = fields.String()
    customer_id = fields.Function(lambda c: c["id"], data_key="customerId")
    firstname = fields.String()
    lastname = fields.String()
    email = fields.String()
    phone = fields.String()
    country_id = fields.String(data_key="countryId", allow_none=True)
    bvn = fields.String(allow_none=True)
    dob = fields.String(allow_none=True)
    role = fields.String()
    status = fields.String()
    blocked_reason = fields.String(data_key="blockedReason", allow_none=True)
    blocked_at_ms = Timestamp(data_key="blockedAt")
    permissions = fields.Nested(PermissionsSchema)
    created_at_ms = Timestamp(data_key="createdAt")
    updated_at_ms = Timestamp(data_key="updatedAt")


class WalletLaterSchema(WireSchema):
    """GET /v1/wallet in profile 2026-10 ([B]): the balances plus the wallet's `id` (the
    customer's: one wallet each), `createdAt` (the customer's) and `updatedAt` (its last movement)."""

    id = fields.String()
    main = Naira(data_key="mainBalance")
    escrow = Naira(data_key="escrowBalance")
    currency = fields.Constant("NGN")
    created_at_ms = Timestamp(data_key="createdAt")
    updated_at_ms = Timestamp(data_key="updatedAt")


WALLET_LATER = WalletLaterSchema()
CUSTOMER = CustomerSchema()
CUSTOMERS = CustomerSchema(many=True)
