"""The fixture file format (`fixtures/*.json`): a merchant and its customers with balances."""

from marshmallow import fields, validate

from sandbox.schemas.base import ObjectId, RequestSchema, WholeNumber
from sandbox.schemas.customer import CustomerCreateSchema


class FixtureFeaturesSchema(RequestSchema):
    """Merchant feature flags; debit cards are off unless enabled ([A]: feature-gated)."""

    cards = fields.Boolean(load_default=False)


class FixtureMerchantSchema(RequestSchema):
    id = ObjectId(required=True)
    name = fields.String(required=True)
    email = fields.Email(required=True)
    super_admin = fields.Boolean(data_key="superAdmin", load_default=True)
    features = fields.Nested(FixtureFeaturesSchema, load_default=lambda: {"cards": False})


class FixturePermissionsSchema(RequestSchema):
    can_buy = fields.Boolean(data_key="canBuy")
    can_sell = fields.Boolean(data_key="canSell")
    can_withdraw = fields.Boolean(data_key="canWithdraw")


class FixtureCustomerSchema(CustomerCreateSchema):
    """A customer as `POST /v1/customer/create` takes it, plus a fixed id, an opening main
    balance in naira and a `note` (what the party is for; shown at start-up)."""

    id = ObjectId(required=True)
    note = fields.String(load_default="")
    main_balance = WholeNumber(data_key="mainBalance", minimum=0, load_default=0)
    permissions = fields.Nested(FixturePermissionsSchema)


class FixtureSchema(RequestSchema):
    description = fields.String(load_default="")
    merchant = fields.Nested(FixtureMerchantSchema, required=True)
    customers = fields.List(
        fields.Nested(FixtureCustomerSchema),
        required=True,
        validate=validate.Length(min=1, error="must contain at least 1 customer"),
    )


FIXTURE = FixtureSchema()
