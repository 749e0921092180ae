"""The OpenAPI 3.1 document of the sandbox, generated from the marshmallow schemas (apispec).

`ROUTES` below is the one table saying, per Flask route (`"METHOD /rule"`, exactly as the
url_map spells it), which schemas describe it: query, body (JSON, or multipart with file
parts), the `customer-id` header rule, the schema of `data` in the success envelope, and the
route's own error messages. Everything else is derived: path parameters from the rule,
validation-error examples by loading the real schemas, the common errors (authentication,
control token, `customer-id`, malformed JSON, 413, 500, scenario faults) from the code that
raises them. A contract test fails when the table and the url_map disagree.

`python -m sandbox.docs.openapi [FILE]` (or `make openapi`) writes the document (`openapi.json`).
"""

import copy
import json
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask
from marshmallow import Schema, fields

from sandbox import __version__
from sandbox.controlplane import faults
from sandbox.api import errors as api_errors
from sandbox.api import http as api_http
from sandbox.domain import errors as E
from sandbox.schemas import catalog as cat
from sandbox.schemas import checkout as chk
from sandbox.schemas import control as ctl
from sandbox.schemas import customer as cus
from sandbox.schemas import escrow as esc
from sandbox.schemas import intent as itn
from sandbox.schemas import journal as jrn
from sandbox.schemas import answers as out
from sandbox.schemas import payment as pay
from sandbox.schemas import scenario as scn
from sandbox.schemas.webhook import DeliveryOut, EventOut, EventQuery, WebhookConfigOut, WebhookConfigSchema
from sandbox.schemas.base import (
    DateOnly, Naira, ObjectId, StrictBool, Timestamp, UnixSeconds, WholeNumber, load,
)

OBJECT_ID = {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}

# -- tags ------------------------------------------------------------------------------------------

ESCROWS = "Escrows"
MILESTONES = "Milestone escrows"
DISPUTES = "Disputes"
CUSTOMERS = "Customers"
PAYMENTS = "Payments"
CATALOGUE = "Catalogue"
CHECKOUT = "Checkout"
CONTROLS = "Sandbox controls"
HEALTH = "Health"

TAGS = [
    {"name": ESCROWS, "description": "Standard escrows: create, edit, fund, confirm, claim, lists."},
    {"name": MILESTONES, "description": "Escrows released milestone by milestone."},
    {"name": DISPUTES, "description": "Disputes on standard escrows and their resolution."},
    {"name": CUSTOMERS, "description": "Merchant customers and their wallets (super-admin keys)."},
    {"name": PAYMENTS, "description": "Funding escrows, payment intents, top-ups, history."},
    {"name": CATALOGUE, "description": "Escrow categories, countries, saved cards, crypto whitelist."},
    {"name": CHECKOUT, "description": "Hosted checkout: the SDK's session routes and the sandbox pages."},
    {"name": CONTROLS, "description": "Sandbox-only controls under /_sandbox (never in Payluk's API)."},
    {"name": HEALTH, "description": "Health checks and this document."},
]


# -- the route table ---------------------------------------------------------------------------------


class OneOf:
    """`data` is one of several shapes (e.g. an object, or an array for a batch)."""

    def __init__(self, *choices):
        self.choices = choices


@dataclass(frozen=True)
class Op:
    """How one route is described. `data`: schema (class, or instance with many=True), OneOf,
    or None for non-JSON answers; `customer`: "required" | "optional" | "absent" | None (not
    read); `files`: multipart file parts (name -> "one" | "many"), which also makes the body
    multipart (JSON accepted too); `errors`: the route's own (status, message) pairs."""

    tag: str
    summary: str
    data: object = None
    status: int = 200
    message: object = None  # str, or a tuple of the messages the route can answer
    body: object = None
    files: dict = field(default_factory=dict)
    query: object = None
    customer: str | None = None
    errors: tuple = ()
    public: bool = False
    content: str = "application/json"  # the success media type
    json_body: bool = None  # reads a JSON body although `body` is None (defaults to bool(body))
    description: str = ""


# How an escrow moves on, for stateful clients and fuzzers: a created escrow can be paid, a
# paid standard escrow confirmed. (A milestone confirm needs a milestone id, which the pay
# answer does not carry.)
_PAY_CREATED = {"PayEscrow": {
    "operationId": "post_v1_payment_escrow",
    "description": "The buyer funds the escrow just created",
    "requestBody": {"gateway": "WALLET", "transactionType": "ESCROW",
                    "escrowDetails": {"escrowId": "$response.body#/data/id"}},
}}
LINKS = {
    "POST /v1/escrow/create": _PAY_CREATED,
    "POST /v1/escrow/milestone/create": _PAY_CREATED,
    "POST /v1/payment/escrow": {"ConfirmPayment": {
        "operationId": "post_v1_escrow_confirm_payment_escrowId",
        "description": "The buyer confirms the standard escrow just funded",
        "parameters": {"path.escrowId": "$request.body#/escrowDetails/escrowId"},
    }},
}

ESCROW_NOT_FOUND = ((400, E.ESCROW_NOT_FOUND),)
NOT_ALLOWED = ((400, E.ACTION_NOT_ALLOWED),)
SUPER = ((401, E.ACCESS_DENIED),)
CATEGORY_NOT_FOUND = ((400, E.CATEGORY_NOT_FOUND),)
FEATURE = ((403, E.FEATURE_NOT_ENABLED),)
SNAPSHOT_NOT_FOUND = ((404, "Snapshot not found"),)
HTML = "text/html"

ROUTES = {
    # -- standard escrows
    "POST /v1/escrow/create": Op(
        ESCROWS, "Create a standard escrow (the seller is the customer-id)", esc.EscrowSchema, 201,
        "Created successfully", esc.EscrowCreateSchema, {"imageUrl": "many"}, customer="required",
        errors=((400, E.TOO_MANY_IMAGES), (400, E.CATEGORY_NOT_FOUND))),
    "PUT /v1/escrow/edit/<token>": Op(
        ESCROWS, "Edit an unfunded escrow (any of the create fields)", esc.EscrowSchema, 200,
        "Escrow updated successfully", esc.EscrowCreateSchema(partial=True), {"imageUrl": "many"},
        customer="required", errors=ESCROW_NOT_FOUND + NOT_ALLOWED),
    "DELETE /v1/escrow/delete/<token>": Op(
        ESCROWS, "Delete an unfunded escrow", out.DeletedEscrowSchema, 200, "Escrow deleted successfully",
        customer="required", errors=ESCROW_NOT_FOUND + NOT_ALLOWED),
    "GET /v1/escrow/verify/<token>": Op(
        ESCROWS, "Look an escrow up by its payment token", esc.EscrowSchema, 200, "Escrow verified successfully",
        customer="optional", errors=ESCROW_NOT_FOUND),
    "POST /v1/escrow/confirm-payment/<escrow_id>": Op(
        ESCROWS, "The buyer confirms delivery: funds go to the seller", esc.EscrowSchema, 200,
        "Escrow updated successfully", customer="required", errors=ESCROW_NOT_FOUND + NOT_ALLOWED),
    "GET /v1/escrow/claim-funds/<token>": Op(
        ESCROWS, "The seller claims funds after the claim window", esc.EscrowSchema, 200,
        "Funds claimed successfully", customer="required",
        errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.CANNOT_CLAIM_YET),)),
    "GET /v1/escrow/transactions": Op(
        ESCROWS, "The customer's escrows (type=sales|buy), or the merchant's", out.EscrowPageSchema, 200,
        "Transaction fetched successfully", query=esc.EscrowListQuerySchema, customer="optional",
        errors=((401, E.LIST_TYPE_REQUIRED),)),
    "GET /v1/escrow/feeds": Op(
        ESCROWS, "Every escrow of the merchant, filtered", out.EscrowPageSchema, 200,
        "Escrow transactions fetched successfully", query=esc.FeedsQuerySchema, customer="absent"),
    # -- disputes
    "POST /v1/escrow/submit-dispute/<token>": Op(
        DISPUTES, "Open (or add to) a dispute on a funded escrow", esc.EscrowSchema, 200,
        "Escrow dispute submitted successfully", esc.DisputeSubmitSchema, {"file": "one"}, customer="required",
        errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_NOT_DISPUTABLE), (400, E.BUYER_ALREADY_DISPUTED),
                                                 (400, E.SELLER_ALREADY_DISPUTED))),
    "POST /v1/escrow/dispute/resolve/<escrow_id>": Op(
        DISPUTES, "The merchant rules on a dispute (COMPLETED or REFUNDED)", esc.EscrowSchema, 200,
        "Dispute resolution submitted successfully", esc.DisputeResolveSchema, {"file": "one"}, customer="absent",
        errors=ESCROW_NOT_FOUND + ((400, E.ESCROW_ALREADY_COMPLETED), (400, E.NO_DISPUTE))),
    "GET /v1/escrow/dispute/get": Op(
        DISPUTES, "The customer's disputed escrows", out.EscrowPageSchema, 200, "Escrow retrieved successfully",
        query=esc.MyDisputesQuerySchema, customer="required"),
    "GET /v1/escrow/dispute/get/<escrow_id>": Op(
        DISPUTES, "One disputed escrow of the customer", esc.EscrowSchema, 200,
        "Escrow dispute retrieved successfully", customer="required",
        errors=ESCROW_NOT_FOUND + ((400, E.NO_DISPUTE),)),
    "GET /v1/escrow/all-dispute": Op(
        DISPUTES, "Every disputed escrow of the merchant", out.EscrowPageSchema, 200, "Disputes fetched successfully",
        query=esc.AllDisputesQuerySchema, customer="absent"),
    # -- milestone escrows
    "POST /v1/escrow/milestone/create": Op(
        MILESTONES, "Create a milestone escrow (at least 2 milestones summing to the amount)", esc.EscrowSchema,
        201, "Milestone escrow created successfully", esc.MilestoneEscrowCreateSchema, customer="required",
        errors=((400, E.MILESTONES_MIN_TWO), (400, E.MILESTONE_SUM_MISMATCH), (400, E.MILESTONE_AMOUNT_POSITIVE_INT),
                (400, E.MILESTONE_WHO_PAYS_BUYER), (400, E.BENEFICIARY_NOT_FOUND))),
    "PUT /v1/escrow/milestone/edit/<token>": Op(
        MILESTONES, "Replace an unfunded milestone escrow's details and milestones", esc.EscrowSchema, 200,
        "Milestone escrow updated successfully", esc.MilestoneEscrowCreateSchema, customer="required",
        errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_SUM_MISMATCH),)),
    "PUT /v1/escrow/milestone/convert/<token>": Op(
        MILESTONES, "Convert an unfunded standard escrow to milestones", esc.EscrowSchema, 200,
        "Escrow converted to milestone successfully", esc.MilestoneConvertSchema, customer="required",
        errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_SUM_MISMATCH),)),
    "GET /v1/escrow/milestone/<segment:token>": Op(
        MILESTONES, "The milestones of an escrow", esc.MilestoneSchema(many=True), 200,
        "Milestones fetched successfully", errors=ESCROW_NOT_FOUND),
    "POST /v1/escrow/milestone/confirm/<escrow_id>/<milestone_id>": Op(
        MILESTONES, "The buyer confirms one milestone: its amount is released", esc.EscrowSchema, 200,
        "Milestone confirmed successfully", customer="required",
        errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_NOT_FOUND),)),
    # -- payments
    "POST /v1/payment/escrow": Op(
        PAYMENTS, "Fund one or more escrows (wallet or an external gateway)", pay.PaymentSchema, 200,
        "Payment intent verified successfully", pay.PayEscrowSchema, customer="required",
        errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.INSUFFICIENT_BALANCE), (400, E.DUPLICATE_REFERENCE))),
    "POST /v1/payment/create-intent": Op(
        PAYMENTS, "Create a payment intent (deposit, withdrawal, transfer)", itn.IntentCreatedSchema, 200,
        "Payment intent created successfully", itn.CreateIntentSchema, customer="required",
        errors=((400, E.DUPLICATE_REFERENCE), (400, E.TRANSFER_TO_SELF), (400, E.INSUFFICIENT_BALANCE))),
    "POST /v1/payment/verify": Op(
        PAYMENTS, "Verify intents: one object for `reference`, an array for `references`",
        OneOf(itn.VerifiedPaymentSchema, itn.VerifiedPaymentSchema(many=True)), 200,
        "Payment intent verified successfully", itn.VerifyPaymentSchema, customer="required",
        errors=((400, E.INTENT_NOT_FOUND), (400, E.INTENT_DECLINED), (400, E.INSUFFICIENT_BALANCE))),
    "POST /v1/payment/virtual-account": Op(
        PAYMENTS, "A virtual account the customer can pay into", itn.VirtualAccountResponseSchema, 200,
        "Virtual account generated successfully", itn.VirtualAccountSchema, customer="required"),
    "POST /v1/payment/topup": Op(
        PAYMENTS, "Staging top-up of the customer's main balance (once a day)", itn.TopUpResponseSchema, 200,
        "Virtual account top up successful", itn.TopUpSchema, customer="required",
        errors=((401, E.TOPUP_ONCE_A_DAY),)),
    "POST /v1/payment/verify-account": Op(
        PAYMENTS, "Resolve a bank account's name", itn.AccountResponseSchema, 200, "Account verified",
        itn.VerifyAccountSchema, customer="required", errors=((400, E.ACCOUNT_NOT_RESOLVED),)),
    "GET /v1/payment/history": Op(
        PAYMENTS, "The customer's transactions: a page, or a flat array when filtered by reference or dates",
        OneOf(out.HistoryPageSchema, itn.HistoryRecordSchema(many=True)), 200,
        "Payment history fetched successfully", query=itn.PaymentHistoryQuerySchema, customer="required"),
    "GET /_sandbox/authorize/<token>": Op(
        PAYMENTS, "Sandbox page standing in for the gateway: authorise or decline an intent", public=True,
        content=HTML, errors=((404, E.INTENT_NOT_FOUND),)),
    "POST /_sandbox/authorize/<token>": Op(
        PAYMENTS, "Submit the authorisation page (action=authorize|decline)", public=True, content=HTML,
        body=itn.AuthorizeFormSchema, json_body=False,
        errors=((404, E.INTENT_NOT_FOUND), (400, E.INTENT_ALREADY_VERIFIED))),
    # -- customers and wallet
    "POST /v1/customer/create": Op(
        CUSTOMERS, "Create a merchant customer", cus.CustomerSchema, 201, "Customer created successfully",
        cus.CustomerCreateSchema, errors=SUPER + ((400, E.CUSTOMER_EMAIL_TAKEN),)),
    "GET /v1/customers": Op(
        CUSTOMERS, "List the merchant's customers (or find one by email / phone)", out.CustomerPageSchema, 200,
        "Customers fetched successfully", query=cus.CustomerListQuerySchema,
        errors=SUPER + ((400, E.NO_CUSTOMER_WITH_EMAIL), (400, E.NO_CUSTOMER_WITH_PHONE))),
    "GET /v1/customer/<segment:customer_id>": Op(
        CUSTOMERS, "One customer ([B] path)", cus.CustomerSchema, 200, "Customers fetched successfully",
        errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),)),
    "GET /v1/customer/get/<customer_id>": Op(
        CUSTOMERS, "One customer ([A] path)", cus.CustomerSchema, 200, "Customers fetched successfully",
        errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),)),
    "PUT /v1/customer/permissions/<customer_id>": Op(
        CUSTOMERS, "Change a customer's canBuy / canSell / canWithdraw", out.PermissionsResultSchema, 200,
        "Customers fetched successfully", cus.PermissionsUpdateSchema, errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),)),
    "PUT /v1/customer/block/<customer_id>": Op(
        CUSTOMERS, "Block a customer", out.CustomerStatusSchema, 200, "Customers status updated successfully",
        cus.BlockSchema, errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),)),
    "PUT /v1/customer/unblock/<customer_id>": Op(
        CUSTOMERS, "Unblock a customer", out.CustomerStatusSchema, 200, "Customers status updated successfully",
        cus.BlockSchema, errors=SUPER + ((404, E.CUSTOMER_NOT_FOUND),)),
    "GET /v1/wallet": Op(
        CUSTOMERS, "The customer's main and escrow balances", pay.WalletSchema, 200, "Wallet fetched successfully",
        customer="required", errors=SUPER),
    # -- catalogue
    "POST /v1/escrow/category/create": Op(
        CATALOGUE, "Create an escrow category", cat.CategorySchema, 201, "Category created successfully",
        cat.CategoryCreateSchema, {"imageUrl": "one"}, errors=((400, E.CATEGORY_NAME_TAKEN),)),
    "PUT /v1/escrow/category/edit/<category_id>": Op(
        CATALOGUE, "Edit an escrow category", cat.CategorySchema, 200, "Category updated successfully",
        cat.CategoryEditSchema, {"imageUrl": "one"}, errors=CATEGORY_NOT_FOUND + ((400, E.CATEGORY_NAME_TAKEN),)),
    "GET /v1/escrow/category/get": Op(
        CATALOGUE, "List escrow categories by position", out.CategoryPageSchema, 200, "Categories fetched successfully",
        query=cus.PageQuerySchema),
    "GET /v1/escrow/category/get/<category_id>": Op(
        CATALOGUE, "One escrow category", cat.CategorySchema, 200, "Category fetched successfully",
        errors=CATEGORY_NOT_FOUND),
    "PUT /v1/escrow/category/position/<category_id>": Op(
        CATALOGUE, "Move a category to another position", cat.CategoryPositionResultSchema, 200,
        "Category position updated successfully", cat.CategoryPositionSchema, errors=CATEGORY_NOT_FOUND),
    "DELETE /v1/escrow/category/delete/<category_id>": Op(
        CATALOGUE, "Delete an escrow category", out.IdSchema, 200, "Category deleted successfully",
        errors=CATEGORY_NOT_FOUND),
    "GET /v1/countries": Op(
        CATALOGUE, "Supported countries ([B] path)", cat.CountrySchema(many=True), 200,
        "Countries fetched successfully"),
    "GET /v1/misc/countries": Op(
        CATALOGUE, "Supported countries ([A] path)", cat.CountrySchema(many=True), 200,
        "Countries fetched successfully"),
    "GET /v1/cards": Op(
        CATALOGUE, "The customer's saved debit cards (feature-gated)", cat.CardSchema(many=True), 200,
        "Cards fetched successfully", customer="optional", errors=FEATURE),
    "DELETE /v1/card/<card_id>": Op(
        CATALOGUE, "Remove a saved debit card (feature-gated)", out.IdSchema, 200, "Card removed successfully",
        customer="optional", errors=FEATURE + ((400, E.CARD_NOT_FOUND),)),
    "GET /v1/whitelist-address": Op(
        CATALOGUE, "The customer's whitelisted crypto addresses", cat.WhitelistEntrySchema(many=True), 200,
        "Whitelisted addresses fetched successfully", customer="required"),
    "POST /v1/whitelist-address": Op(
        CATALOGUE, "Whitelist a BSC address (at most 5)", cat.WhitelistEntrySchema, 201,
        "Address whitelisted successfully", cat.WhitelistAddSchema, customer="required",
        errors=((400, E.WHITELIST_DUPLICATE), (400, E.WHITELIST_LIMIT_REACHED))),
    "DELETE /v1/whitelist-address/<address_id>": Op(
        CATALOGUE, "Remove a whitelisted address", out.IdSchema, 200, "Whitelisted address removed successfully",
        customer="required", errors=((400, E.WHITELIST_ADDRESS_NOT_FOUND),)),
    # -- checkout
    "OPTIONS /v1/checkout/session": Op(
        CHECKOUT, "CORS preflight of the SDK's session request", status=204, public=True, content=None),
    "POST /v1/checkout/session": Op(
        CHECKOUT, "Create a hosted-checkout session (publishable key, no Authorization)",
        out.CheckoutSessionDataSchema, 201, "Checkout session created successfully",
        chk.CheckoutSessionCreateSchema, public=True,
        errors=((403, E.UNAUTHORIZED_ACCESS), (400, E.ESCROW_NOT_FOUND), (400, E.CHECKOUT_INVALID_STATE),
                (400, E.DUPLICATE_REFERENCE), (404, E.CUSTOMER_NOT_FOUND), (401, E.ACCOUNT_DISABLED)),
        description="The envelope carries the session twice: `data.session` and, for the SDK, top-level "
                    "`session`."),
    "GET /v1/checkout/session/<session_id>": Op(
        CHECKOUT, "A checkout session, by its id and the publishable key", out.CheckoutSessionDataSchema, 200,
        "Checkout session fetched successfully", query=chk.CheckoutSessionQuerySchema, public=True,
        errors=((403, E.UNAUTHORIZED_ACCESS), (404, E.CHECKOUT_SESSION_NOT_FOUND))),
    "GET /_sandbox/escrow-checkout.min.js": Op(
        CHECKOUT, "Stand-in for Payluk's widget script (opens the session's sandbox page)", public=True,
        content="application/javascript"),
    "GET /_sandbox/checkout/<session_id>": Op(
        CHECKOUT, "The sandbox checkout page of a session", public=True, content=HTML,
        errors=((404, E.CHECKOUT_SESSION_NOT_FOUND),)),
    "POST /_sandbox/checkout/<session_id>/approve": Op(
        CHECKOUT, "Approve the payment on the page: funds the escrow, redirects to redirectUrl", status=303,
        public=True, content=None, body=chk.CheckoutApproveFormSchema, json_body=False,
        errors=((404, E.CHECKOUT_SESSION_NOT_FOUND), (400, E.CHECKOUT_BUYER_REQUIRED),
                (400, E.CHECKOUT_SESSION_EXPIRED), (400, E.CHECKOUT_SESSION_COMPLETED))),
    "POST /_sandbox/checkout/<session_id>/decline": Op(
        CHECKOUT, "Decline the payment on the page: redirects to redirectUrl", status=303, public=True,
        content=None, errors=((404, E.CHECKOUT_SESSION_NOT_FOUND), (400, E.CHECKOUT_SESSION_COMPLETED))),
    # -- health and this document
    "GET /": Op(HEALTH, "An index of the sandbox's links: API base, docs, console", out.IndexSchema, 200,
                "payluk-sandbox is running", public=True),
    "GET /healthz": Op(HEALTH, "Liveness: the sandbox answers", out.HealthSchema, 200, "OK", public=True),
    "GET /readyz": Op(HEALTH, "Readiness: fixture sets loaded", out.ReadySchema, 200, "Ready", public=True),
    "GET /openapi.json": Op(HEALTH, "This OpenAPI document", public=True),
    "GET /docs": Op(HEALTH, "Swagger UI for this document (assets served locally)", public=True, content=HTML),
    "GET /docs/": Op(HEALTH, "Swagger UI for this document (flask-swagger-ui's own path)", public=True,
                     content=HTML),
    "GET /docs/<path:path>": Op(HEALTH, "Swagger UI assets (shipped with flask-swagger-ui)", public=True,
                                content="application/octet-stream", errors=((404, E.ROUTE_NOT_FOUND),)),
    "GET /static/<path:filename>": Op(
        HEALTH, "Flask's static files: the sandbox ships none (404)", content="application/octet-stream",
        errors=((404, E.ROUTE_NOT_FOUND),)),
    # -- sandbox controls: clock
    "GET /_sandbox/clock": Op(CONTROLS, "The namespace clock", out.ClockReplySchema, 200,
                              "Clock fetched successfully"),
    "POST /_sandbox/clock/advance": Op(
        CONTROLS, "Move the clock forward (seconds or an ISO-8601 duration); lists what fell due",
        out.ClockReplySchema, 200, "Clock advanced successfully", ctl.ClockAdvanceSchema),
    "POST /_sandbox/clock/set": Op(
        CONTROLS, "Set the clock to an instant; lists what fell due", out.ClockReplySchema, 200,
        "Clock set successfully", ctl.ClockSetSchema),
    "POST /_sandbox/clock/freeze": Op(CONTROLS, "Stop the clock", out.ClockReplySchema, 200, "Clock frozen"),
    "POST /_sandbox/clock/resume": Op(CONTROLS, "Let the clock run again", out.ClockReplySchema, 200,
                                      "Clock resumed"),
    # -- sandbox controls: state
    "POST /_sandbox/reset": Op(
        CONTROLS, "Rebuild the namespace from a fixture set (?all=true: drop every namespace)",
        out.ResetResultSchema, 200, ("Sandbox reset successfully", "Every namespace reset"), ctl.ResetSchema,
        query=ctl.ResetQuerySchema, errors=((400, "A reset of every namespace takes no fixtures or seed"),)),
    "POST /_sandbox/provider-states": Op(
        CONTROLS, "Pact provider state: reset into the named fixture set", out.ProviderStateResultSchema, 200,
        ("Provider state set up", "Provider state torn down"), ctl.ProviderStateSchema),
    "POST /_sandbox/snapshots": Op(CONTROLS, "Save the namespace under a name", out.SnapshotInfoSchema, 201,
                                   "Snapshot created successfully", ctl.SnapshotCreateSchema),
    "GET /_sandbox/snapshots": Op(CONTROLS, "List snapshots", out.SnapshotInfoSchema(many=True), 200,
                                  "Snapshots fetched successfully"),
    "POST /_sandbox/snapshots/<name>/restore": Op(
        CONTROLS, "Restore a snapshot", out.SnapshotInfoSchema, 200, "Snapshot restored successfully",
        errors=SNAPSHOT_NOT_FOUND),
    "DELETE /_sandbox/snapshots/<name>": Op(
        CONTROLS, "Delete a snapshot", out.SnapshotInfoSchema, 200, "Snapshot deleted successfully",
        errors=SNAPSHOT_NOT_FOUND),
    "GET /_sandbox/snapshots/<name>/export": Op(
        CONTROLS, "A snapshot as importable JSON", out.ExportedStateSchema, 200, "Snapshot exported successfully",
        errors=SNAPSHOT_NOT_FOUND),
    "GET /_sandbox/state": Op(CONTROLS, "The namespace as importable JSON", out.ExportedStateSchema, 200,
                              "State fetched successfully"),
    "POST /_sandbox/import": Op(CONTROLS, "Replace the namespace with an exported state (books must balance)",
                                out.ImportResultSchema, 200, "State imported successfully", ctl.ImportSchema),
    "POST /_sandbox/fork": Op(
        CONTROLS, "Copy the namespace into another key's", out.ForkResultSchema, 201,
        "Namespace forked successfully", ctl.ForkSchema,
        errors=((400, "A namespace cannot be forked into itself"),
                (400, "That key already has a namespace; send replace: true to overwrite it"))),
    "GET /_sandbox/ledger": Op(CONTROLS, "Balances and postings of the double-entry ledger", out.LedgerSchema, 200,
                               "Ledger fetched successfully"),
    "GET /_sandbox/invariants": Op(CONTROLS, "Check that the books balance", out.InvariantsSchema, 200,
                                   "Invariants checked"),
    # -- sandbox controls: scenarios and helpers
    "GET /_sandbox/scenarios": Op(CONTROLS, "The catalogue of scenarios, magic values and helpers",
                                  out.ScenarioCatalogueSchema, 200, "Scenarios fetched successfully"),
    "POST /_sandbox/helpers/block-customer": Op(
        CONTROLS, "Block a customer (test helper)", cus.CustomerSchema, faults.HELPER["block-customer"].status,
        faults.HELPER["block-customer"].message, scn.BlockCustomerSchema, errors=((404, E.CUSTOMER_NOT_FOUND),)),
    "POST /_sandbox/helpers/unblock-customer": Op(
        CONTROLS, "Unblock a customer (test helper)", cus.CustomerSchema,
        faults.HELPER["unblock-customer"].status, faults.HELPER["unblock-customer"].message,
        scn.CustomerRefSchema, errors=((404, E.CUSTOMER_NOT_FOUND),)),
    "POST /_sandbox/helpers/fund-customer": Op(
        CONTROLS, "Credit a customer's main balance (test helper)", pay.WalletSchema,
        faults.HELPER["fund-customer"].status, faults.HELPER["fund-customer"].message,
        scn.FundCustomerSchema, errors=((404, E.CUSTOMER_NOT_FOUND),)),
    # -- sandbox controls: journal
    "GET /_sandbox/requests": Op(CONTROLS, "The request journal, newest first, filtered", out.JournalPageSchema,
                                 200, "Requests fetched successfully", query=jrn.JournalQuerySchema),
    "GET /_sandbox/requests/<entry_id>": Op(
        CONTROLS, "One journal entry", out.JournalEntrySchema, 200, "Request fetched successfully",
        errors=((400, E.REQUEST_NOT_FOUND),)),
    "DELETE /_sandbox/requests": Op(CONTROLS, "Clear the journal", out.JournalClearedSchema, 200,
                                    "Requests cleared successfully"),
    # -- sandbox controls: webhooks
    "GET /_sandbox/webhook": Op(CONTROLS, "Webhook settings of the namespace", WebhookConfigOut, 200,
                                "Webhook settings fetched successfully"),
    "PUT /_sandbox/webhook": Op(CONTROLS, "Set the callback URL, milestone events, receiver faults, delay",
                                WebhookConfigOut, 200, "Webhook settings updated successfully",
                                WebhookConfigSchema),
    "GET /_sandbox/events": Op(CONTROLS, "The webhook event outbox", "EventPage", 200, "Events fetched successfully",
                               query=EventQuery),
    "POST /_sandbox/events/<event_id>/resend": Op(
        CONTROLS, "Queue an event for delivery again", EventOut, 200, "Event queued for delivery",
        errors=((404, "Event not found"), (400, "No webhook URL is set for this namespace"))),
    "GET /_sandbox/webhooks/deliveries": Op(CONTROLS, "The webhook delivery log", "DeliveryPage", 200,
                                            "Deliveries fetched successfully", query=EventQuery),
    "POST /_sandbox/webhooks/flush": Op(CONTROLS, "Deliver every due event now, synchronously",
                                        out.FlushResultSchema, 200, "Webhooks flushed"),
}

# Pages answering `{data: [...], count, dropped}` in the webhook controls (their items have schemas).
PAGES = {
    "EventPage": EventOut,
    "DeliveryPage": DeliveryOut,
}

PATH_PARAMETER_NAMES = {
    "token": "paymentToken", "escrow_id": "escrowId", "milestone_id": "milestoneId", "customer_id": "customerId",
    "category_id": "categoryId", "card_id": "cardId", "address_id": "addressId", "session_id": "sessionId",
    "event_id": "eventId", "entry_id": "entryId",
}
PATH_PARAMETER_SCHEMAS = {
    "escrowId": OBJECT_ID, "milestoneId": OBJECT_ID, "customerId": OBJECT_ID, "categoryId": OBJECT_ID,
    "cardId": OBJECT_ID, "addressId": OBJECT_ID, "sessionId": OBJECT_ID, "eventId": OBJECT_ID,
}
RULE_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _parameter_name(rule: str, name: str) -> str:
    if name == "token" and rule.startswith("/_sandbox/authorize/"):
        return "token"  # an intent's authorisation token, not an escrow's paymentToken
    return PATH_PARAMETER_NAMES.get(name, name)


def openapi_path(rule: str) -> str:
    """`/v1/escrow/edit/<token>` -> `/v1/escrow/edit/{paymentToken}`."""
    return RULE_PARAMETER.sub(lambda m: "{" + _parameter_name(rule, m.group(2)) + "}", rule)


def route_key(method: str, rule: str) -> str:
    return f"{method} {rule}"


# Browser pages for people (sandbox/console), not part of the API the document describes.
CONSOLE_PREFIX = "/_sandbox/console"


def url_map_routes(app) -> set:
    """The `"METHOD /rule"` keys of an app's url_map (HEAD and automatic OPTIONS left out)."""
    keys = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(CONSOLE_PREFIX):
            continue
        methods = set(rule.methods) - {"HEAD"}
        if methods != {"OPTIONS"}:
            methods.discard("OPTIONS")
        keys.update(route_key(m, rule.rule) for m in methods)
    return keys


# -- field types of the sandbox's own marshmallow fields -------------------------------------------


def _sandbox_field_properties(self, field, ret, **kwargs) -> dict:
    """apispec attribute function: JSON Schema of the custom fields in sandbox/schemas."""
    if isinstance(field, Timestamp):
        return {"type": ["string", "null"], "format": "date-time"}
    if isinstance(field, UnixSeconds):
        return {"type": ["string", "null"], "pattern": "^[0-9]+$", "description": "Unix seconds, as a string"}
    if isinstance(field, Naira):
        return {"type": ["number", "null"] if field.allow_none else "number",
                "description": "Naira: a whole number, or at most 2 decimals"}
    if isinstance(field, WholeNumber):
        props = {"type": ["integer", "null"] if field.allow_none else "integer", "minimum": field.minimum}
        if "x-maximum" in ret:  # apispec's spelling for a Range on a non-Number field
            props["maximum"] = ret.pop("x-maximum")
        return props
    if isinstance(field, ObjectId):
        return {"pattern": OBJECT_ID["pattern"]}
    if isinstance(field, DateOnly):
        return {"format": "date"}
    if isinstance(field, StrictBool):
        return {}
    if isinstance(field, pay.UpperChoice):
        # Matched case-insensitively; the documented spellings are listed.
        choices = list(field.choices) + [c.lower() for c in field.choices]
        return {"enum": choices + ([None] if field.allow_none else [])}
    if isinstance(field, pay.EscrowIds):
        return {"oneOf": [OBJECT_ID, {"type": "array", "minItems": 1, "items": OBJECT_ID}]}
    if isinstance(field, cat.Otp):
        return {"type": ["string", "integer", "null"]}
    if isinstance(field, ctl.Instant):
        return {"format": "date-time"}
    if isinstance(field, ctl.Duration):
        return {"description": "ISO-8601 duration, e.g. P3D or PT2H30M"}
    if isinstance(field, jrn.StatusFilter):
        return {"type": "string", "pattern": "^([1-5][0-9]{2}|[1-5][xX]{2})$"}
    if isinstance(field, jrn.Instant):
        return {"type": "string", "format": "date-time"}
    if isinstance(field, itn.DateOrInstant):
        return {"description": "YYYY-MM-DD (a whole UTC day) or an ISO-8601 instant"}
    if isinstance(field, fields.Constant):
        return {"const": field.constant}
    return {}


def _schema_name(schema) -> str:
    cls = resolve_schema_cls(schema)
    name = cls.__name__
    if name.endswith("Schema") and len(name) > 6:
        name = name[:-6]
    if isinstance(schema, Schema) and schema.partial:
        name += "Partial"
    return name


# -- building ---------------------------------------------------------------------------------------


def _schema_instance(schema) -> Schema:
    return schema if isinstance(schema, Schema) else schema()


def _message(fn) -> str:
    """The message a request helper of sandbox/api/http.py raises (read, not retyped)."""
    try:
        fn()
    except E.PaylukError as err:
        return err.message
    raise AssertionError("expected a refusal")  # pragma: no cover


@lru_cache(maxsize=1)
def _http_messages() -> dict:
    """The texts of the body/header helpers, obtained by calling them on sample requests."""
    app = Flask(__name__)
    found = {}
    with app.test_request_context(method="POST", data=b"{", content_type="application/json"):
        found["malformed"] = _message(api_http.json_body)
    with app.test_request_context(method="POST", data={"x": "1"}, content_type="multipart/form-data"):
        found["form"] = _message(api_http.json_body)
    return found


def _validation_examples(schema) -> list:
    """Real validation messages of a request schema: an empty body, and an unknown field."""
    instance = _schema_instance(schema)
    messages = []
    for sample in ({}, {"unexpected": True}):
        try:
            load(instance, sample, partial=bool(instance.partial))
        except E.PaylukError as err:
            if err.message not in messages:
                messages.append(err.message)
    return messages


def _error_list(key: str, op: Op) -> list:
    """Every (status, message) the route can answer with an error envelope."""
    method, rule = key.split(" ", 1)
    errors = []
    if not op.public:
        errors += [(401, E.NO_TOKEN), (403, E.UNAUTHORIZED_ACCESS)]
        if rule.startswith("/_sandbox"):
            errors += [(401, E.CONTROL_TOKEN_REQUIRED), (404, E.ROUTE_NOT_FOUND)]
    if op.customer == "required":
        errors += [(400, E.CUSTOMER_ID_REQUIRED), (404, E.CUSTOMER_NOT_FOUND), (401, E.ACCOUNT_DISABLED)]
    elif op.customer == "optional":
        errors += [(404, E.CUSTOMER_NOT_FOUND)]
    elif op.customer == "absent":
        errors += [(400, E.CUSTOMER_ID_NOT_ALLOWED)]
    if _reads_json(op):
        errors += [(400, _http_messages()["malformed"])]
        if not op.files:
            errors += [(400, _http_messages()["form"])]
    for schema in (op.body, op.query):
        if schema is not None:
            errors += [(400, m) for m in _validation_examples(schema)]
    if rule.startswith("/v1/"):
        errors += [(400, E.SCENARIO_SYNTAX)]
        if key in _scenario_refusal_routes():
            errors += [(400, E.CARD_DECLINED), (400, E.INSUFFICIENT_BALANCE)]
        errors += [(504, E.GATEWAY_TIMEOUT)]
    errors += list(op.errors)
    if method in ("POST", "PUT"):
        errors += [(413, api_errors.HTTP_MESSAGES[413])]
    errors += [(500, E.SERVER_ERROR)]
    unique = []
    for pair in errors:
        if pair not in unique:
            unique.append(pair)
    return unique


@lru_cache(maxsize=1)
def _scenario_refusal_routes() -> frozenset:
    return frozenset(route for s in faults.SCENARIOS if s.outcome == "refuse" and s.status == 400
                     for route in s.applies_to)


def _reads_json(op: Op) -> bool:
    return bool(op.body) if op.json_body is None else op.json_body


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")[:60] or "error"


class Builder:
    def __init__(self):
        self.plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
        self.spec = APISpec(
            title="payluk-sandbox",
            version=__version__,
            openapi_version="3.1.0",
            plugins=[self.plugin],
            info={"description": "A stateful, deterministic sandbox of the Payluk escrow API (docs.payluk.ng). "
                                 "Every answer is Payluk's envelope `{status, message, data}`; amounts are whole "
                                 "naira; ids are 24-hex. /_sandbox routes are the sandbox's own controls."},
            servers=[{"url": "/", "description": "this sandbox"}],
            tags=TAGS,
            security=[{"bearerAuth": []}],
        )
        self.plugin.converter.add_attribute_function(_sandbox_field_properties)
        self.spec.components.security_scheme("bearerAuth", {
            "type": "http", "scheme": "bearer", "bearerFormat": "sk_test_…",
            "description": "A test secret key `sk_test_…` (each key is its own namespace; `sk_test_limited_…` "
                           "is a merchant without super-admin rights)."})
        self.spec.components.security_scheme("controlToken", {
            "type": "apiKey", "in": "header", "name": "X-Sandbox-Token",
            "description": "Needed on /_sandbox routes when the sandbox runs with a control token."})
        self.spec.components.schema("ErrorEnvelope", schema=out.ErrorEnvelopeSchema)
        self.spec.components.schema("RateLimited", schema=out.RateLimitedSchema)
        self.examples = {}  # (status, message) -> component name
        self.response_refs = []  # JSON schemas of success `data` (to mark their components strict)
        self.request_refs = []

    # -- pieces
    def example(self, status: int, message: str) -> str:
        """The name of the shared example of an error envelope (registered on first use)."""
        key = (status, message)
        if key not in self.examples:
            name = f"E{status}_{_slug(message)}"
            while name in self.examples.values():
                name += "_"
            self.examples[key] = name
            self.spec.components.example(name, {"summary": message,
                                                "value": {"status": status, "message": message, "data": {}}})
        return self.examples[key]

    def ref(self, schema) -> dict:
        """`{$ref}` (or an array of refs for many=True) to a schema's component."""
        return self.plugin.converter.resolve_nested_schema(schema)

    def data_schema(self, data) -> dict:
        if isinstance(data, OneOf):
            return {"oneOf": [self.data_schema(choice) for choice in data.choices]}
        if isinstance(data, str):  # a page of the webhook controls
            if data not in self.spec.components.schemas:
                self.spec.components.schema(data, {
                    "type": "object",
                    "properties": {"data": {"type": "array", "items": self.ref(PAGES[data])},
                                   "count": {"type": "integer"}, "dropped": {"type": "integer"}},
                })
            return {"$ref": f"#/components/schemas/{data}"}
        return self.ref(data)

    def envelope(self, data: dict, status: int, message, extra: dict | None = None) -> dict:
        """The success envelope `{status, message, data}` around a `data` JSON schema."""
        messages = [message] if isinstance(message, str) else list(message)
        properties = {
            "status": {"type": "integer", "const": status},
            "message": {"type": "string", "enum": messages} if len(messages) > 1
            else {"type": "string", "const": messages[0]},
            "data": data,
            **(extra or {}),
        }
        return {"type": "object", "required": list(properties), "properties": properties,
                "additionalProperties": False}

    def error_responses(self, key: str, op: Op) -> dict:
        by_status = {}
        for status, message in _error_list(key, op):
            by_status.setdefault(status, []).append(message)
        responses = {}
        for status, messages in sorted(by_status.items()):
            page = op.content == HTML and op.public and status != 500 or (
                key.startswith("POST /_sandbox/checkout/") and status in (400, 404))
            if page:
                responses[str(status)] = {
                    "description": "; ".join(messages) + " (rendered as an HTML page)",
                    "content": {HTML: {"schema": {"type": "string"}}},
                }
                continue
            examples = {}
            for message in messages:
                name = self.example(status, message)
                examples[name] = {"$ref": f"#/components/examples/{name}"}
            responses[str(status)] = {
                "description": "; ".join(messages),
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}, "examples": examples}},
            }
        if key.split(" ", 1)[1].startswith("/v1/") and not op.public or key == "POST /v1/checkout/session":
            responses["429"] = {
                "description": f"{E.TOO_MANY_REQUEST} (scenario rate_limited: a body without `data`)",
                "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/RateLimited"},
                    "example": {"status": 429, "message": E.TOO_MANY_REQUEST}}},
            }
        return responses

    def links(self, key: str) -> dict:
        """OpenAPI links for stateful testing: create -> pay -> confirm (`LINKS`)."""
        return {name: dict(link) for name, link in LINKS.get(key, {}).items()}

    def success_response(self, key: str, op: Op) -> dict:
        if op.status == 204:
            return {"description": "No content (CORS preflight)", "headers": {
                "Access-Control-Allow-Methods": {"schema": {"type": "string"}},
                "Access-Control-Allow-Headers": {"schema": {"type": "string"}}}}
        if op.status == 303:
            return {"description": "Redirect to the session's redirectUrl", "headers": {
                "Location": {"schema": {"type": "string", "format": "uri"}}}}
        if op.data is None:
            if key == "GET /openapi.json":
                schema = {"type": "object", "required": ["openapi", "paths"]}
                content = "application/json"
            else:
                schema, content = {"type": "string"}, op.content
            return {"description": op.summary, "content": {content: {"schema": schema}}}
        data = self.data_schema(op.data)
        self.response_refs.append(data)
        extra = None
        if key in ("POST /v1/checkout/session", "GET /v1/checkout/session/<session_id>"):
            extra = {"session": self.ref(chk.CheckoutSessionSchema)}
        return {"description": op.summary, "content": {"application/json": {
            "schema": self.envelope(data, op.status, op.message, extra)}}}

    def request_body(self, op: Op) -> dict | None:
        if op.body is None:
            return None
        instance = _schema_instance(op.body)
        required = any(f.required for f in instance.fields.values()) and not instance.partial
        if not _reads_json(op):  # an HTML form
            return {"required": required, "content": {"application/x-www-form-urlencoded": {
                "schema": self.plugin.converter.schema2jsonschema(instance)}}}
        ref = self.ref(op.body)
        self.request_refs.append(ref)
        content = {"application/json": {"schema": ref}}
        if op.files:
            form = copy.deepcopy(self.plugin.converter.schema2jsonschema(instance))
            form.pop("additionalProperties", None)
            for name, count in op.files.items():
                part = {"type": "string", "contentMediaType": "application/octet-stream"}
                text = form["properties"].get(name)
                if count == "many":
                    part = {"type": "array", "items": part}
                form["properties"][name] = part if text is None else {"oneOf": [part, {"type": "string"}],
                                                                      "description": "file part(s), or URL text"}
            form["additionalProperties"] = False
            content["multipart/form-data"] = {"schema": form}
        return {"required": required, "content": content}

    def parameters(self, key: str, op: Op) -> list:
        method, rule = key.split(" ", 1)
        params = []
        for converter, name in RULE_PARAMETER.findall(rule):
            wire = _parameter_name(rule, name)
            schema = PATH_PARAMETER_SCHEMAS.get(wire, {"type": "string"})
            params.append({"in": "path", "name": wire, "required": True, "schema": dict(schema)})
        if op.query is not None:
            params.append({"in": "query", "schema": op.query})
        if op.customer in ("required", "optional"):
            params.append({"in": "header", "name": "customer-id", "required": op.customer == "required",
                           "description": "The merchant customer the request acts for", "schema": dict(OBJECT_ID)})
        if rule.startswith("/v1/") and method != "OPTIONS":
            params.append({"in": "header", "name": faults.HEADER, "required": False,
                           "description": f"Sandbox fault injection: {faults.HEADER_SYNTAX} "
                                          "(see GET /_sandbox/scenarios)",
                           "schema": {"type": "string"}})
        return params

    def operation(self, key: str, op: Op) -> dict:
        method, rule = key.split(" ", 1)
        operation = {
            "tags": [op.tag],
            "summary": op.summary,
            "operationId": _slug(f"{method.lower()} {openapi_path(rule)}") + ("_index" if rule.endswith("/") else ""),
            "parameters": self.parameters(key, op),
            "responses": {str(op.status): self.success_response(key, op), **self.error_responses(key, op)},
        }
        links = self.links(key)
        if links:
            operation["responses"][str(op.status)]["links"] = links
        notes = [op.description] if op.description else []
        if op.customer == "absent":
            notes.append(f"Send no `customer-id` header: it is refused with 400 `{E.CUSTOMER_ID_NOT_ALLOWED}`.")
        if notes:
            operation["description"] = " ".join(notes)
        body = self.request_body(op)
        if body is not None:
            operation["requestBody"] = body
        if op.public:
            operation["security"] = []
        elif rule.startswith("/_sandbox"):
            operation["security"] = [{"bearerAuth": []}, {"bearerAuth": [], "controlToken": []}]
        return operation

    def build(self) -> dict:
        paths = {}
        for key, op in ROUTES.items():
            method, rule = key.split(" ", 1)
            paths.setdefault(openapi_path(rule), {})[method.lower()] = self.operation(key, op)
        for path in sorted(paths):
            self.spec.path(path=path, operations=paths[path])
        document = self.spec.to_dict()
        self._strict_responses(document)
        return document

    def _strict_responses(self, document: dict) -> None:
        """Components only ever answered (never sent) refuse keys they do not list, so an answer
        that grows a field the schemas do not describe fails the contract test."""
        schemas = document["components"]["schemas"]
        request_side = _reachable(self.request_refs, schemas)
        for name in _reachable(self.response_refs, schemas) - request_side:
            component = schemas[name]
            if component.get("type") == "object" and "additionalProperties" not in component:
                component["additionalProperties"] = False


# Answer fields that can be null although their schema field does not say `allow_none`
# (component, wire name): the document follows what the views really answer.
def _reachable(roots: list, schemas: dict) -> set:
    seen, stack = set(), list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in seen:
                    seen.add(name)
                    stack.append(schemas.get(name, {}))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return seen


@lru_cache(maxsize=1)
def document_json() -> str:
    """The document as committed in openapi.json (built once per process)."""
    return render(Builder().build())


def document() -> dict:
    """The OpenAPI document (a fresh copy; built once per process)."""
    return json.loads(document_json())


def render(doc: dict) -> str:
    """The committed form: sorted keys, indent 2, a trailing newline."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = argv[0] if argv else "openapi.json"
    text = document_json()
    if target == "-":
        sys.stdout.write(text)
    else:
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {target} ({len(ROUTES)} routes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
