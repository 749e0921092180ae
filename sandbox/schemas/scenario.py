"""Schemas of the scenario catalogue (`GET /_sandbox/scenarios`) and the test helpers."""

from marshmallow import fields, validate

from sandbox.controlplane import faults
from sandbox.schemas.base import ObjectId, RequestSchema, StrictBool, WholeNumber
from sandbox.schemas.fast import WireSchema


def _triggers(scenario: faults.Scenario) -> dict:
    first = scenario.params[0] if scenario.params else None
    example = f"{scenario.name}; {first.name}={first.default}" if first else scenario.name
    magic = [{
        "field": "reference",
        "match": "prefix",
        "value": scenario.reference_prefix,
        "routes": list(faults.REFERENCE_ROUTES),
        "example": f"{scenario.reference_prefix}{first.default}_order42" if first else
                   f"{scenario.reference_prefix}order42",
        **({"param": first.name} if first else {}),
    }]
    magic += [{"field": "amount", "match": "equals", "value": amount, "routes": list(faults.AMOUNT_ROUTES)}
              for amount in scenario.amounts]
    return {"header": scenario.name, "headerExample": example, "magic": magic}


class ParamSchema(WireSchema):
    name = fields.String()
    default = fields.Integer()
    minimum = fields.Integer()
    maximum = fields.Integer()
    description = fields.String()


class ScenarioSchema(WireSchema):
    """One scenario of the catalogue, on the wire."""

    name = fields.String()
    kind = fields.Constant("scenario")
    description = fields.String()
    applies_to = fields.List(fields.String(), data_key="appliesTo")
    ignored_when = fields.Dict(data_key="ignoredWhen")
    triggers = fields.Function(_triggers)
    params = fields.List(fields.Nested(ParamSchema))
    outcome = fields.String()
    effect = fields.Function(lambda s: {
        "status": s.status,
        "message": s.message,
        "body": s.body(),
        "headers": dict(s.headers),
    })
    committed = fields.Boolean()
    notes = fields.String()


class HelperSchema(WireSchema):
    """One test helper of the catalogue, on the wire."""

    name = fields.String()
    kind = fields.Constant("helper")
    description = fields.String()
    route = fields.String()
    body = fields.Dict()
    effect = fields.Function(lambda h: {"status": h.status, "message": h.message})
    committed = fields.Constant(True)


SCENARIO_LIST = ScenarioSchema(many=True)
HELPER_LIST = HelperSchema(many=True)


class CustomerRefSchema(RequestSchema):
    customer_id = ObjectId(data_key="customerId", required=True)


class BlockCustomerSchema(CustomerRefSchema):
    reason = fields.String(allow_none=True)


class FundCustomerSchema(CustomerRefSchema):
    amount = WholeNumber(required=True, validate=validate.Range(
        max=faults.MAX_FUNDING_NAIRA, error=f"must be less than or equal to {faults.MAX_FUNDING_NAIRA}"))


CUSTOMER_REF = CustomerRefSchema()
BLOCK_CUSTOMER = BlockCustomerSchema()
FUND_CUSTOMER = FundCustomerSchema()


class MaintenanceChoiceSchema(RequestSchema):
    """PUT /_sandbox/maintenance: in or out of maintenance mode, and the answers' Retry-After."""

    enabled = StrictBool(required=True)
    retry = WholeNumber(load_default=faults.BY_NAME[faults.MAINTENANCE].defaults()["retry"], minimum=0,
                        maximum=faults.BY_NAME[faults.MAINTENANCE].param("retry").maximum,
                        metadata={"description": "seconds, sent as Retry-After"})


class MaintenanceSchema(WireSchema):
    enabled = fields.Boolean(metadata={"description": "every /v1 request of the key answers 503"})
    retry = fields.Integer(metadata={"description": "seconds, sent as Retry-After"})


MAINTENANCE_CHOICE = MaintenanceChoiceSchema()
MAINTENANCE = MaintenanceSchema()
