"""Catalogue schemas: category requests and object, countries, saved cards, whitelist."""

import re

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from sandbox.domain.catalog import WHITELIST_NETWORKS
from sandbox.schemas.base import NON_EMPTY, RequestSchema, Timestamp, WholeNumber, one_of
from sandbox.schemas.fast import WireSchema

_EVM_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


# -- categories ------------------------------------------------------------------------------


class CategoryEditSchema(RequestSchema):
    """PUT /v1/escrow/category/edit/{categoryId}: multipart (documented) or JSON, every field
    optional. `imageUrl` as text is a URL (JSON clients); an uploaded file is handled by the
    view. Multipart sends numbers as text, so `category_position` takes digit strings."""

    name = fields.String(validate=NON_EMPTY)
    description = fields.String(allow_none=True)
    image_url = fields.Url(data_key="imageUrl", allow_none=True, require_tld=False)
    category_position = WholeNumber(lenient=True)


CATEGORY_EDIT = CategoryEditSchema()


class CategoryCreateSchema(CategoryEditSchema):
    """POST /v1/escrow/category/create: as edit, with `name` required."""

    name = fields.String(required=True, validate=NON_EMPTY)


CATEGORY_CREATE = CategoryCreateSchema()


class CategoryPositionSchema(RequestSchema):
    """PUT /v1/escrow/category/position/{categoryId} (JSON): `newPosition` >= 1."""

    new_position = WholeNumber(data_key="newPosition", required=True)


CATEGORY_POSITION = CategoryPositionSchema()


class CategorySchema(WireSchema):
    """A stored category on the wire (also used for the snapshot an escrow carries)."""

    id = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    image_url = fields.String(data_key="imageUrl", allow_none=True)
    position = fields.Integer(data_key="category_position")
    created_at_ms = Timestamp(data_key="createdAt")
    updated_at_ms = Timestamp(data_key="updatedAt")


CATEGORY = CategorySchema()
CATEGORIES = CategorySchema(many=True)


class CategoryPositionResultSchema(WireSchema):
    """docs.payluk.ng update-category-position answers just `{id, category_position}`."""

    id = fields.String()
    position = fields.Integer(data_key="category_position")


CATEGORY_POSITION_RESULT = CategoryPositionResultSchema()


# -- countries ---------------------------------------------------------------------------------


class CountrySchema(WireSchema):
    id = fields.String()
    name = fields.String()
    code = fields.String()
    dial_code = fields.String(data_key="dialCode")
    currency = fields.String()


COUNTRIES = CountrySchema(many=True)


# -- debit cards -------------------------------------------------------------------------------


class CardSchema(WireSchema):
    """A saved card as docs.payluk.ng debit-cards lists it: `{id, last4, brand}`."""

    id = fields.String()
    last4 = fields.String()
    brand = fields.String()


CARDS = CardSchema(many=True)


# -- crypto whitelist ----------------------------------------------------------------------------


def _evm_address(value: str) -> None:
    if not _EVM_ADDRESS.match(value):
        raise ValidationError("must be a valid BSC address (0x followed by 40 hex characters)")


class Otp(fields.Field):
    """[B] `otp`: digits as a string or a number; accepted and not checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ValidationError("must be a string")
        return str(value)


class CaseInsensitiveNetwork(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).upper()


class WhitelistAddSchema(RequestSchema):
    """POST /v1/whitelist-address in either generation's shape: [A] `address`, `network`,
    `label`; [B] `walletAddress`*, `network`* ("BSC"), `label`, `otp`. One of `address` /
    `walletAddress` is required; `network` is case-insensitive and defaults to BSC."""

    address = fields.String(validate=_evm_address)
    wallet_address = fields.String(data_key="walletAddress", validate=_evm_address)
    network = CaseInsensitiveNetwork(validate=one_of(WHITELIST_NETWORKS))
    label = fields.String(allow_none=True, validate=validate.Length(
        max=50, error="must be at most {max} characters long"))
    otp = Otp(allow_none=True)

    @validates_schema
    def _one_address(self, data, **kwargs):
        if "address" in data and "wallet_address" in data:
            raise ValidationError('is not allowed together with "walletAddress"', "address")
        if "address" not in data and "wallet_address" not in data:
            raise ValidationError("Missing data for required field.", "walletAddress")

    @post_load
    def _merge(self, data, **kwargs):
        if "wallet_address" in data:
            data["address"] = data.pop("wallet_address")
        data.pop("otp", None)
        return data


WHITELIST_ADD = WhitelistAddSchema()


class WhitelistEntrySchema(WireSchema):
    id = fields.String()
    address = fields.String()
    network = fields.String()
    label = fields.String(allow_none=True)
    created_at_ms = Timestamp(data_key="createdAt")


WHITELIST_ENTRY = WhitelistEntrySchema()
WHITELIST_ENTRIES = WhitelistEntrySchema(many=True)
