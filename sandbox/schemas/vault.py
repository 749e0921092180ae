"""Vault escrow request bodies ([B], profile 2026-10): create and name the winner (JSON)."""

from marshmallow import fields

from sandbox.schemas.base import NON_EMPTY, ObjectId, RawAmount, RequestSchema


class ParticipantSpecSchema(RequestSchema):
    """One participant as sent: `amount` (the stake) is checked by the domain, exactly."""

    customer_id = ObjectId(data_key="customerId", required=True)
    amount = RawAmount(required=True, metadata={"type": "number", "minimum": 1,
                                                "description": "Naira, at most 2 decimals"})


class VaultCreateSchema(RequestSchema):
    """POST /v1/escrow/vault/create: at least 2 participants whose stakes sum to at least 1000."""

    purpose = fields.String(required=True, validate=NON_EMPTY)
    description = fields.String(allow_none=True)
    category_id = ObjectId(data_key="categoryId", allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSpecSchema), required=True)


VAULT_CREATE = VaultCreateSchema()


class VaultWinnerSchema(RequestSchema):
    """POST /v1/escrow/vault/winner/{paymentToken}: the participant who takes the pot."""

    winner_id = ObjectId(data_key="winnerId", required=True)


VAULT_WINNER = VaultWinnerSchema()
