"""The fixture file format (`fixtures/*.json`): a merchant and its customers with balances,
plus optional escrow categories and saved debit cards."""

from marshmallow import ValidationError, fields, validate, validates_schema

from sandbox.domain import profiles
from sandbox.domain.merchant import MAX_COMMISSION_BP
from sandbox.schemas.base import Hundredths, ObjectId, RequestSchema, WholeNumber
from sandbox.schemas.customer import CustomerCreateSchema


class FixtureFeaturesSchema(RequestSchema):
    """Merchant feature flags; debit cards are off unless enabled ([A]: feature-gated)."""

    cards = fields.Boolean(load_default=False)


class FixtureMerchantSchema(RequestSchema):
    id = ObjectId(required=True)
    name = fields.String(required=True)
    email = fields.Email(required=True)
    super_admin = fields.Boolean(data_key="superAdmin", load_default=True)
    # [B]: whether the merchant is a business account, which may sell as itself (escrows created
    # without `customer-id`); one that is not gets 401 `Merchant cannot create escrow for itself via API`.
    business = fields.Boolean(load_default=True)
    features = fields.Nested(FixtureFeaturesSchema, load_default=lambda: {"cards": False})
    # [B] (profile 2026-10): the merchant's commission on escrow fees, a percent (e.g. 1.5), kept
    # in basis points; absent = 0.
    commission_bp = Hundredths(data_key="commission", scaled=True, maximum=MAX_COMMISSION_BP // 100)


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


class FixtureCategorySchema(RequestSchema):
    """A category as `POST /v1/escrow/category/create` takes it (JSON form), with a fixed id."""

    id = ObjectId(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, error="is not allowed to be empty"))
    description = fields.String(allow_none=True)
    image_url = fields.Url(data_key="imageUrl", allow_none=True, require_tld=False)
    category_position = WholeNumber()


class FixtureCardSchema(RequestSchema):
    """A saved debit card of a fixture customer (served only when `features.cards` is on)."""

    id = ObjectId(required=True)
    customer_id = ObjectId(data_key="customerId", required=True)
    last4 = fields.String(required=True, validate=validate.Regexp(r"^\d{4}$", error="must be exactly 4 digits"))
    brand = fields.String(required=True, validate=validate.Length(min=1, error="is not allowed to be empty"))


ACTION_OPS = ("create_escrow", "create_milestone_escrow", "pay_escrow", "confirm_milestone", "confirm_payment",
              "submit_dispute", "advance_clock")


class FixtureActionSchema(RequestSchema):
    """One step replayed through the domain after the parties exist, e.g.
    `{"op": "pay_escrow", "customer": "<buyer id>", "body": {...}}`. Strings starting with `$`
    refer to what an earlier step saved with `"as"`: `"$job.id"`, `"$job.milestones.0.id"`."""

    op = fields.String(required=True, validate=validate.OneOf(ACTION_OPS, error="must be one of [{choices}]"))
    customer = fields.String()
    body = fields.Dict()
    escrow = fields.String()
    milestone = fields.String()
    payment_token = fields.String(data_key="paymentToken")
    seconds = WholeNumber(minimum=0)
    name = fields.String(data_key="as")


class FixtureSchema(RequestSchema):
    description = fields.String(load_default="")
    # The API profile namespaces built from this set answer by (unless they choose one).
    profile = fields.String(load_default=None, validate=validate.OneOf(profiles.PROFILES, error="must be one of [{choices}]"))
    provider_states = fields.List(fields.String(), data_key="providerStates", load_default=list)
    actions = fields.List(fields.Nested(FixtureActionSchema), load_default=list)
    merchant = fields.Nested(FixtureMerchantSchema, required=True)
    customers = fields.List(
        fields.Nested(FixtureCustomerSchema),
        required=True,
        validate=validate.Length(min=1, error="must contain at least 1 customer"),
    )
    categories = fields.List(fields.Nested(FixtureCategorySchema), load_default=list)
    cards = fields.List(fields.Nested(FixtureCardSchema), load_default=list)

    @validates_schema
    def _catalog_references(self, data, **kwargs):
        """Category ids and names, and card ids, are unique; every card names a customer."""
        customers = {c["id"].lower() for c in data.get("customers", [])}
        if len(customers) != len(data.get("customers", [])):
            return  # a repeated customer id is the real fault; load_fixture names it
        seen = set()
        for index, category in enumerate(data.get("categories", [])):
            for key, wire in (("id", "id"), ("name", "name")):
                value = ("category", key, category[key].strip().lower())
                if value in seen:
                    raise ValidationError({"categories": {index: {wire: ["must be unique"]}}})
                seen.add(value)
        for index, card in enumerate(data.get("cards", [])):
            if card["customer_id"] not in customers:
                raise ValidationError({"cards": {index: {"customerId": ["must name a customer of this fixture"]}}})
            if ("card", card["id"]) in seen:
                raise ValidationError({"cards": {index: {"id": ["must be unique"]}}})
            seen.add(("card", card["id"]))


FIXTURE = FixtureSchema()
