"""Response schemas for the answers views build as inline dicts (no schema of their own), so
the OpenAPI document (sandbox/docs/openapi.py) can describe every `data` from marshmallow.

They describe; they are not used to dump (the views' behaviour is theirs). The contract test
(tests/contract/test_openapi.py) checks real answers against the document built from them.
"""

from marshmallow import fields

from sandbox.schemas.base import Naira
from sandbox.schemas.catalog import CategorySchema
from sandbox.schemas.checkout import CheckoutSessionSchema
from sandbox.schemas.control import ClockSchema, DueSchema
from sandbox.schemas.customer import CustomerSchema
from sandbox.schemas.escrow import EscrowSchema
from sandbox.schemas.fast import WireSchema
from sandbox.schemas.intent import HistoryRecordSchema
from sandbox.schemas.payment import TransactionSchema
from sandbox.schemas.scenario import HelperSchema, ScenarioSchema


def _nullable_int(**kwargs):
    return fields.Integer(allow_none=True, **kwargs)


# -- shared pieces -------------------------------------------------------------------------------


class PaginationSchema(WireSchema):
    """Payluk's pagination block (sandbox/api/http.py `pagination`)."""

    count = fields.Integer()
    pages = fields.Integer()
    is_last_page = fields.Boolean(data_key="isLastPage")
    next_page = _nullable_int(data_key="nextPage")
    previous_page = _nullable_int(data_key="previousPage")


class IdSchema(WireSchema):
    """`{id}`: what the delete routes answer."""

    id = fields.String()


class ErrorEnvelopeSchema(WireSchema):
    """Every error: `{status, message, data: {}}`."""

    status = fields.Integer(required=True)
    message = fields.String(required=True)
    data = fields.Dict(required=True, metadata={"maxProperties": 0})


class RateLimitedSchema(WireSchema):
    """[B]'s 429 body (scenario `rate_limited`): no `data`."""

    status = fields.Integer(required=True)
    message = fields.String(required=True)


# -- escrows, customers, catalogue, payments ------------------------------------------------------


class EscrowPageSchema(WireSchema):
    data = fields.List(fields.Nested(EscrowSchema))
    pagination = fields.Nested(PaginationSchema)


class DeletedEscrowSchema(WireSchema):
    id = fields.String()
    payment_token = fields.String(data_key="paymentToken")


class CustomerPageSchema(WireSchema):
    pagination = fields.Nested(PaginationSchema)
    data = fields.List(fields.Nested(CustomerSchema))


class PermissionsResultSchema(WireSchema):
    id = fields.String()
    can_buy = fields.Boolean(data_key="canBuy")
    can_sell = fields.Boolean(data_key="canSell")
    can_withdraw = fields.Boolean(data_key="canWithdraw")


class CustomerStatusSchema(WireSchema):
    id = fields.String()
    status = fields.String(metadata={"enum": ["active", "blocked"]})


class CategoryPageSchema(WireSchema):
    data = fields.List(fields.Nested(CategorySchema))
    pagination = fields.Nested(PaginationSchema)


class HistoryPageSchema(WireSchema):
    data = fields.List(fields.Nested(HistoryRecordSchema))
    pagination = fields.Nested(PaginationSchema)


class TransactionPageSchema(WireSchema):
    """[B] a page of the payment history: [B]'s transaction objects."""

    data = fields.List(fields.Nested(TransactionSchema))
    pagination = fields.Nested(PaginationSchema)


class CheckoutSessionDataSchema(WireSchema):
    session = fields.Nested(CheckoutSessionSchema)


# -- sandbox controls --------------------------------------------------------------------------------


class IndexSchema(WireSchema):
    version = fields.String()
    api = fields.String(metadata={"description": "The API base URL (Payluk's paths under /v1 are relative to it)"})
    api_paths = fields.String(data_key="apiPaths")
    authorization = fields.String()
    docs = fields.String()
    openapi = fields.String()
    console = fields.String()
    scenarios = fields.String()
    health = fields.String()


class HealthSchema(WireSchema):
    version = fields.String()
    store = fields.String(metadata={"description": "The state backend: `memory` or `redis`"})
    worker = fields.Integer(metadata={"description": "The process id of the worker that answered"})
    profile = fields.String(metadata={"description": "The API profile namespaces answer by unless they choose one"})
    profiles = fields.List(fields.String(), metadata={"description": "Every API profile the sandbox has"})


class FixtureSetInfoSchema(WireSchema):
    name = fields.String()
    file = fields.String(allow_none=True)
    checksum = fields.String()
    description = fields.String(allow_none=True)
    customers = fields.Integer()
    categories = fields.Integer()
    actions = fields.Integer()


class ReadySchema(WireSchema):
    version = fields.String()
    fixtures = fields.List(fields.Nested(FixtureSetInfoSchema))
    namespaces = fields.Integer()


class ClockReplySchema(ClockSchema):
    """The clock, plus (after advance/set) what fell due on the way."""

    due = fields.List(fields.Nested(DueSchema))


class PartiesSchema(WireSchema):
    """A reset namespace: its fixture set, the values its actions produced, its customers."""

    fixtures = fields.String()
    values = fields.Dict()
    customers = fields.List(fields.Nested(CustomerSchema))


class ResetResultSchema(PartiesSchema):
    """Reset of the caller's namespace (`fixtures`, `values`, `customers`) or, with `?all=true`,
    of every namespace (`namespaces`: how many were dropped)."""

    namespaces = fields.Integer()


class ProviderStateResultSchema(PartiesSchema):
    state = fields.String()


class SnapshotInfoSchema(WireSchema):
    name = fields.String()
    created_at = fields.String(data_key="createdAt", metadata={"format": "date-time"})


class ExportedStateSchema(WireSchema):
    format = fields.String()
    exported_at = fields.String(data_key="exportedAt", metadata={"format": "date-time"})
    name = fields.String()
    profile = fields.String(metadata={"description": "The API profile the namespace answers by"})
    state = fields.Dict()


class ImportResultSchema(WireSchema):
    escrows = fields.Integer()
    customers = fields.Integer()


class ForkResultSchema(WireSchema):
    key = fields.String()


class PostingSchema(WireSchema):
    id = fields.String()
    at = fields.String(metadata={"format": "date-time"})
    kind = fields.String()
    escrow_id = fields.String(data_key="escrowId")
    milestone_id = fields.String(data_key="milestoneId")
    customer_id = fields.String(data_key="customerId")
    reference = fields.String()
    entries = fields.List(fields.List(fields.Raw()), metadata={
        "description": "`[account, naira]` pairs; they sum to 0"})


class LedgerSchema(WireSchema):
    balances = fields.Dict(keys=fields.String(), values=Naira())
    postings = fields.List(fields.Nested(PostingSchema))


class InvariantsSchema(WireSchema):
    ok = fields.Boolean()
    violations = fields.List(fields.String())


class WebhookFaultInfoSchema(WireSchema):
    name = fields.String()
    kind = fields.String()
    description = fields.String()
    set = fields.String()


class ScenarioCatalogueSchema(WireSchema):
    header = fields.String()
    header_syntax = fields.String(data_key="headerSyntax")
    applied_header = fields.String(data_key="appliedHeader")
    magic_prefix = fields.String(data_key="magicPrefix")
    rules = fields.List(fields.String())
    scenarios = fields.List(fields.Nested(ScenarioSchema))
    helpers = fields.List(fields.Nested(HelperSchema))
    webhook_faults = fields.List(fields.Nested(WebhookFaultInfoSchema), data_key="webhookFaults")


class JournalEntrySchema(WireSchema):
    """One recorded request (sandbox/controlplane/recorder.py `render`)."""

    id = fields.Integer()
    at = fields.String(metadata={"format": "date-time"})
    method = fields.String()
    path = fields.String()
    query = fields.Dict()
    status = fields.Integer()
    latency_ms = fields.Float(data_key="latencyMs", allow_none=True)
    customer_id = fields.String(data_key="customerId", allow_none=True)
    scenario = fields.String(allow_none=True)
    profile = fields.String(allow_none=True, metadata={"description": "The API profile that answered"})
    ip = fields.String(allow_none=True)
    request_body = fields.Raw(data_key="requestBody", allow_none=True)
    request_body_truncated = fields.Boolean(data_key="requestBodyTruncated")
    response_body = fields.Raw(data_key="responseBody", allow_none=True)
    response_body_truncated = fields.Boolean(data_key="responseBodyTruncated")


class JournalPageSchema(WireSchema):
    data = fields.List(fields.Nested(JournalEntrySchema))
    count = fields.Integer()
    dropped = fields.Integer()
    capacity = fields.Integer()


class JournalClearedSchema(WireSchema):
    cleared = fields.Integer()


class FlushAttemptSchema(WireSchema):
    """One attempt a flush made (the flush view dumps its answer with this schema)."""

    event_id = fields.String(data_key="eventId")
    event = fields.String(attribute="event_type")
    url = fields.String()
    status_code = fields.Integer(data_key="statusCode", allow_none=True)
    latency_ms = fields.Float(data_key="latencyMs")
    error = fields.String(allow_none=True)


class FlushResultSchema(WireSchema):
    attempts = fields.List(fields.Nested(FlushAttemptSchema))

