"""Escrow routes: standard lifecycle, milestone escrows, disputes and escrow lists."""

from flask import Blueprint, request

from sandbox.api.documented import ESCROW_NOT_FOUND, NOT_ALLOWED, PAY_CREATED, SUPER, Tag, doc, introduced, variant
from sandbox.api.http import (
    call,
    customer_header,
    envelope,
    form_or_json_body,
    json_body,
    no_customer_header,
    pagination,
    uploaded_name,
)
from sandbox.domain import disputes, escrows, milestones
from sandbox.domain.profiles import OCTOBER
from sandbox.domain import errors as E
from sandbox.domain.errors import ESCROW_IMAGE_URLS, BadRequest
from sandbox.schemas import answers as out
from sandbox.schemas import escrow as esc
from sandbox.schemas.base import load
from sandbox.schemas.escrow import (
    ADDITIONAL_FEE,
    ALL_DISPUTES_QUERY,
    DISPUTE_RESOLVE,
    DISPUTE_SUBMIT,
    ESCROW_CREATE,
    ESCROW_LIST_QUERY,
    FEEDS_QUERY,
    MILESTONE_CONVERT,
    MILESTONE_ESCROW_CREATE,
    MILESTONES,
    MY_DISPUTES_QUERY,
    dump_escrow,
)

bp = Blueprint("escrows", __name__)


def _escrow_fields(partial: bool = False) -> dict:
    """Create/edit fields from multipart (documented) or JSON (seen in clients), with images:
    uploaded `imageUrl` files, or `imageUrl` URL text in JSON. JSON numbers are read exactly."""
    fields, files = form_or_json_body("imageUrl", exact=True)
    data = load(ESCROW_CREATE, fields, partial=partial)
    urls = data.pop("image_urls", None)
    if isinstance(urls, str):
        urls = [urls]
    elif urls is not None and not (isinstance(urls, list) and all(isinstance(u, str) for u in urls)):
        raise BadRequest(ESCROW_IMAGE_URLS)
    data["image_urls"] = urls or []
    data["image_files"] = [f.filename or "image" for f in files if f]
    return data


def _escrows(page, viewer_id=None) -> dict:
    return {"data": [dump_escrow(e, viewer_id) for e in page.items], "pagination": pagination(page)}


def _seller() -> str | None:
    """`customer-id` on the seller's routes: required in [A]; optional from 2026-10 (absent: the
    merchant's own business account sells, payluk-api.md §1)."""
    return customer_header(optional_since=OCTOBER)


def _as_seller(escrow: dict) -> dict:
    """The escrow as its seller sees it (`isSeller` true): a seller's route only answers its
    seller, the customer in `customer-id` or, without one ([B]), the merchant."""
    return dump_escrow(escrow, escrow["seller_id"])


# [B] docs of the seller's routes: `customer-id` optional, the errors acting without it adds.
SELLER_OPTIONAL = {"customer": "optional"}
BLOCKED = ((401, E.ACCOUNT_DISABLED),)
SELF_ESCROW = ((401, E.MERCHANT_SELF_ESCROW),)
LATER_AMOUNT = ((400, E.AMOUNT_NUMBER), (400, E.AMOUNT_SAFE_NUMBER), (400, E.AMOUNT_AT_LEAST_1000),
                (400, E.AMOUNT_TWO_DECIMALS))
LATER_DELIVERY = ((400, E.MAX_DELIVERY_REQUIRED), (400, E.MAX_DELIVERY_AT_MOST), (400, E.DELIVERY_TIMELINE_REQUIRED))
LATER_MILESTONES = ((400, E.MILESTONE_AMOUNT_TWO_DECIMALS), (400, E.MILESTONE_DUE_DATE_FUTURE))


# -- standard escrows ----------------------------------------------------------------------


@bp.post("/v1/escrow/create")
@doc(Tag.ESCROWS, "Create a standard escrow (the seller is the customer-id)", data=esc.EscrowSchema, status=201,
     message="Created successfully", body=esc.EscrowCreateSchema, files={"imageUrl": "many"}, customer="required",
     errors=((400, E.TOO_MANY_IMAGES), (400, E.CATEGORY_NOT_FOUND)), links=PAY_CREATED)
@variant(OCTOBER, summary="Create a standard escrow (the seller is the customer-id, else the merchant)",
         **SELLER_OPTIONAL, body=esc.EscrowCreateLaterSchema, errors=((400, E.TOO_MANY_IMAGES), (400, E.CATEGORY_NOT_FOUND)) + LATER_AMOUNT
         + LATER_DELIVERY + BLOCKED + SELF_ESCROW)
def create_escrow():
    seller_id = _seller()
    escrow = call(escrows.create_escrow, seller_id, _escrow_fields())
    return envelope(201, "Created successfully", _as_seller(escrow))


@bp.put("/v1/escrow/edit/<token>")
@doc(Tag.ESCROWS, "Edit an unfunded escrow (any of the create fields)", data=esc.EscrowSchema,
     message="Escrow updated successfully", body=esc.EscrowCreateSchema(partial=True), files={"imageUrl": "many"},
     customer="required", errors=ESCROW_NOT_FOUND + NOT_ALLOWED)
@variant(OCTOBER, **SELLER_OPTIONAL, body=esc.EscrowEditLaterSchema,
         errors=ESCROW_NOT_FOUND + NOT_ALLOWED + LATER_AMOUNT + LATER_DELIVERY + BLOCKED)
def edit_escrow(token):
    seller_id = _seller()
    escrow = call(escrows.edit_escrow, seller_id, token, _escrow_fields(partial=True))
    return envelope(200, "Escrow updated successfully", _as_seller(escrow))


@bp.delete("/v1/escrow/delete/<token>")
@doc(Tag.ESCROWS, "Delete an unfunded escrow", data=out.DeletedEscrowSchema, message="Escrow deleted successfully",
     customer="required", errors=ESCROW_NOT_FOUND + NOT_ALLOWED)
@variant(OCTOBER, **SELLER_OPTIONAL, errors=ESCROW_NOT_FOUND + NOT_ALLOWED + BLOCKED)
def delete_escrow(token):
    seller_id = _seller()
    escrow = call(escrows.delete_escrow, seller_id, token)
    return envelope(200, "Escrow deleted successfully", {"id": escrow["id"], "paymentToken": escrow["payment_token"]})


@bp.get("/v1/escrow/verify/<token>")
@doc(Tag.ESCROWS, "Look an escrow up by its payment token", data=esc.EscrowSchema,
     message="Escrow verified successfully", customer="optional", errors=ESCROW_NOT_FOUND)
def verify_escrow(token):
    escrow = call(escrows.verify_escrow, token)
    return envelope(200, "Escrow verified successfully", dump_escrow(escrow, customer_header(required=False)))


@bp.post("/v1/escrow/confirm-payment/<escrow_id>")
@doc(Tag.ESCROWS, "The buyer confirms delivery: funds go to the seller", data=esc.EscrowSchema,
     message="Escrow updated successfully", customer="required", errors=ESCROW_NOT_FOUND + NOT_ALLOWED)
def confirm_payment(escrow_id):
    buyer_id = customer_header()
    escrow = call(escrows.confirm_payment, buyer_id, escrow_id.lower())
    return envelope(200, "Escrow updated successfully", dump_escrow(escrow, buyer_id))


@bp.get("/v1/escrow/claim-funds/<token>")
@doc(Tag.ESCROWS, "The seller claims funds after the claim window", data=esc.EscrowSchema,
     message="Funds claimed successfully", customer="required",
     errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.CANNOT_CLAIM_YET),))
@variant(OCTOBER, summary="The seller claims funds a day after the claim window", **SELLER_OPTIONAL,
         errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.CANNOT_CLAIM_YET),) + BLOCKED)
def claim_funds(token):
    seller_id = _seller()
    escrow = call(escrows.claim_funds, seller_id, token)
    return envelope(200, "Funds claimed successfully", _as_seller(escrow))


@bp.put("/v1/escrow/additional-fee/<token>")
@introduced(OCTOBER)
@doc(Tag.ESCROWS, "Set the merchant's additional (delivery) fee on an unpaid standard escrow (0 clears it)",
     data=esc.EscrowSchema, message="Additional fee updated successfully", body=esc.AdditionalFeeSchema,
     customer="absent", errors=SUPER + ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.ADDITIONAL_FEE_STANDARD_ONLY),))
def set_additional_fee(token):
    no_customer_header()
    escrow = call(escrows.set_additional_fee, token, load(ADDITIONAL_FEE, json_body()))
    return envelope(200, "Additional fee updated successfully", dump_escrow(escrow, None))


@bp.get("/v1/escrow/transactions")
@doc(Tag.ESCROWS, "The customer's escrows (type=sales|buy), or the merchant's", data=out.EscrowPageSchema,
     message="Transaction fetched successfully", query=esc.EscrowListQuerySchema, customer="optional",
     errors=((401, E.LIST_TYPE_REQUIRED),))
@variant(OCTOBER, errors=((401, E.LIST_TYPE_REQUIRED),) + BLOCKED)
def list_transactions():
    customer_id = customer_header(required=False)
    query = load(ESCROW_LIST_QUERY, request.args.to_dict())
    page = call(escrows.list_transactions, customer_id, query)
    return envelope(200, "Transaction fetched successfully", _escrows(page, page.viewer_id))


@bp.get("/v1/escrow/feeds")
@doc(Tag.ESCROWS, "Every escrow of the merchant, filtered", data=out.EscrowPageSchema,
     message="Escrow transactions fetched successfully", query=esc.FeedsQuerySchema, customer="absent")
def list_feeds():
    no_customer_header()
    page = call(escrows.list_feeds, load(FEEDS_QUERY, request.args.to_dict()))
    return envelope(200, "Escrow transactions fetched successfully", _escrows(page))


# -- disputes ----------------------------------------------------------------------------------


@bp.post("/v1/escrow/submit-dispute/<token>")
@doc(Tag.DISPUTES, "Open (or add to) a dispute on a funded escrow", data=esc.EscrowSchema,
     message="Escrow dispute submitted successfully", body=esc.DisputeSubmitSchema, files={"file": "one"},
     customer="required",
     errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_NOT_DISPUTABLE), (400, E.BUYER_ALREADY_DISPUTED),
                                              (400, E.SELLER_ALREADY_DISPUTED)))
@variant(OCTOBER, summary="Open (or add to) a dispute on a funded escrow (milestone escrows: while one is held)",
         errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.ALL_MILESTONES_RELEASED), (400, E.BUYER_ALREADY_DISPUTED),
                                                  (400, E.SELLER_ALREADY_DISPUTED)))
def submit_dispute(token):
    customer_id = customer_header()
    fields, _ = form_or_json_body("file")
    data = {**load(DISPUTE_SUBMIT, fields), "file_name": uploaded_name("file")}
    escrow = call(disputes.submit_dispute, customer_id, token, data)
    return envelope(200, "Escrow dispute submitted successfully", dump_escrow(escrow, customer_id))


@bp.post("/v1/escrow/dispute/resolve/<escrow_id>")
@doc(Tag.DISPUTES, "The merchant rules on a dispute (COMPLETED or REFUNDED)", data=esc.EscrowSchema,
     message="Dispute resolution submitted successfully", body=esc.DisputeResolveSchema, files={"file": "one"},
     customer="absent", errors=ESCROW_NOT_FOUND + ((400, E.ESCROW_ALREADY_COMPLETED), (400, E.NO_DISPUTE)))
@variant(OCTOBER, summary="The merchant rules on a dispute (COMPLETED, REFUNDED or SPLIT)",
         body=esc.DisputeResolveLaterSchema,
         errors=ESCROW_NOT_FOUND + ((400, E.ESCROW_ALREADY_COMPLETED), (400, E.NO_DISPUTE),
                                    (400, E.SPLIT_AMOUNTS_REQUIRED), (400, E.SPLIT_SUM_MISMATCH)))
def resolve_dispute(escrow_id):
    no_customer_header()
    fields, _ = form_or_json_body("file")
    data = {**load(DISPUTE_RESOLVE, fields), "file_name": uploaded_name("file")}
    escrow = call(disputes.resolve_dispute, escrow_id.lower(), data)
    return envelope(200, "Dispute resolution submitted successfully", dump_escrow(escrow, None))


@bp.get("/v1/escrow/dispute/get")
@doc(Tag.DISPUTES, "The customer's disputed escrows", data=out.EscrowPageSchema,
     message="Escrow retrieved successfully", query=esc.MyDisputesQuerySchema, customer="required")
def list_my_disputes():
    customer_id = customer_header()
    page = call(disputes.list_my_disputes, customer_id, load(MY_DISPUTES_QUERY, request.args.to_dict()))
    return envelope(200, "Escrow retrieved successfully", _escrows(page, customer_id))


@bp.get("/v1/escrow/dispute/get/<escrow_id>")
@doc(Tag.DISPUTES, "One disputed escrow of the customer", data=esc.EscrowSchema,
     message="Escrow dispute retrieved successfully", customer="required",
     errors=ESCROW_NOT_FOUND + ((400, E.NO_DISPUTE),))
def get_dispute(escrow_id):
    customer_id = customer_header()
    escrow = call(disputes.get_dispute, customer_id, escrow_id.lower())
    return envelope(200, "Escrow dispute retrieved successfully", dump_escrow(escrow, customer_id))


@bp.get("/v1/escrow/all-dispute")
@doc(Tag.DISPUTES, "Every disputed escrow of the merchant", data=out.EscrowPageSchema,
     message="Disputes fetched successfully", query=esc.AllDisputesQuerySchema, customer="absent")
def list_all_disputes():
    no_customer_header()
    page = call(disputes.list_all_disputes, load(ALL_DISPUTES_QUERY, request.args.to_dict()))
    return envelope(200, "Disputes fetched successfully", _escrows(page))


# -- milestone escrows -----------------------------------------------------------------------


@bp.post("/v1/escrow/milestone/create")
@doc(Tag.MILESTONES, "Create a milestone escrow (at least 2 milestones summing to the amount)", data=esc.EscrowSchema,
     status=201, message="Milestone escrow created successfully", body=esc.MilestoneEscrowCreateSchema,
     customer="required",
     errors=((400, E.MILESTONES_MIN_TWO), (400, E.MILESTONE_SUM_MISMATCH), (400, E.MILESTONE_AMOUNT_POSITIVE_INT),
             (400, E.MILESTONE_WHO_PAYS_BUYER), (400, E.BENEFICIARY_NOT_FOUND)),
     links=PAY_CREATED)
@variant(OCTOBER, **SELLER_OPTIONAL, body=esc.MilestoneEscrowCreateLaterSchema,
         errors=((400, E.MILESTONES_MIN_TWO), (400, E.MILESTONE_SUM_MISMATCH), (400, E.MILESTONE_WHO_PAYS_BUYER),
                 (400, E.BENEFICIARY_NOT_FOUND)) + LATER_AMOUNT + LATER_DELIVERY + LATER_MILESTONES + BLOCKED
         + SELF_ESCROW)
def create_milestone_escrow():
    seller_id = _seller()
    data = load(MILESTONE_ESCROW_CREATE, json_body(exact=True))
    escrow = call(milestones.create_milestone_escrow, seller_id, data)
    return envelope(201, "Milestone escrow created successfully", _as_seller(escrow))


@bp.put("/v1/escrow/milestone/edit/<token>")
@doc(Tag.MILESTONES, "Replace an unfunded milestone escrow's details and milestones", data=esc.EscrowSchema,
     message="Milestone escrow updated successfully", body=esc.MilestoneEscrowCreateSchema, customer="required",
     errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_SUM_MISMATCH),))
@variant(OCTOBER, **SELLER_OPTIONAL, body=esc.MilestoneEscrowCreateLaterSchema,
         errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_SUM_MISMATCH),) + LATER_AMOUNT + LATER_DELIVERY
         + LATER_MILESTONES + BLOCKED)
def edit_milestone_escrow(token):
    seller_id = _seller()
    data = load(MILESTONE_ESCROW_CREATE, json_body(exact=True))
    escrow = call(milestones.edit_milestone_escrow, seller_id, token, data)
    return envelope(200, "Milestone escrow updated successfully", _as_seller(escrow))


@bp.put("/v1/escrow/milestone/convert/<token>")
@doc(Tag.MILESTONES, "Convert an unfunded standard escrow to milestones", data=esc.EscrowSchema,
     message="Escrow converted to milestone successfully", body=esc.MilestoneConvertSchema, customer="required",
     errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_SUM_MISMATCH),))
@variant(OCTOBER, **SELLER_OPTIONAL, body=esc.MilestoneConvertLaterSchema,
         errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_SUM_MISMATCH),) + LATER_AMOUNT + LATER_MILESTONES
         + BLOCKED)
def convert_to_milestone(token):
    seller_id = _seller()
    data = load(MILESTONE_CONVERT, json_body(exact=True))
    escrow = call(milestones.convert_to_milestone, seller_id, token, data)
    return envelope(200, "Escrow converted to milestone successfully", _as_seller(escrow))


@bp.get("/v1/escrow/milestone/<segment:token>")
@doc(Tag.MILESTONES, "The milestones of an escrow", data=esc.MilestoneSchema(many=True),
     message="Milestones fetched successfully", errors=ESCROW_NOT_FOUND)
def list_milestones(token):
    items = call(milestones.list_milestones, token)
    return envelope(200, "Milestones fetched successfully", MILESTONES.dump(items))


@bp.post("/v1/escrow/milestone/confirm/<escrow_id>/<milestone_id>")
@doc(Tag.MILESTONES, "The buyer confirms one milestone: its amount is released", data=esc.EscrowSchema,
     message="Milestone confirmed successfully", customer="required",
     errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_NOT_FOUND),))
@variant(OCTOBER, summary="The buyer confirms the earliest pending milestone: its amount is released",
         errors=ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.MILESTONE_NOT_FOUND), (400, E.MILESTONE_OUT_OF_ORDER)))
def confirm_milestone(escrow_id, milestone_id):
    buyer_id = customer_header()
    escrow = call(milestones.confirm_milestone, buyer_id, escrow_id.lower(), milestone_id.lower())
    return envelope(200, "Milestone confirmed successfully", dump_escrow(escrow, buyer_id))
