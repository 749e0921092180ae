"""Escrow routes: standard lifecycle, milestone escrows, disputes and escrow lists."""

from flask import Blueprint, request

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
from sandbox.domain.errors import ESCROW_IMAGE_URLS, BadRequest
from sandbox.schemas.base import load
from sandbox.schemas.escrow import (
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
    uploaded `imageUrl` files, or `imageUrl` URL text in JSON."""
    fields, files = form_or_json_body("imageUrl")
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


# -- standard escrows ----------------------------------------------------------------------


@bp.post("/v1/escrow/create")
def create_escrow():
    seller_id = customer_header()
    escrow = call(escrows.create_escrow, seller_id, _escrow_fields())
    return envelope(201, "Created successfully", dump_escrow(escrow, seller_id))


@bp.put("/v1/escrow/edit/<token>")
def edit_escrow(token):
    seller_id = customer_header()
    escrow = call(escrows.edit_escrow, seller_id, token, _escrow_fields(partial=True))
    return envelope(200, "Escrow updated successfully", dump_escrow(escrow, seller_id))


@bp.delete("/v1/escrow/delete/<token>")
def delete_escrow(token):
    seller_id = customer_header()
    escrow = call(escrows.delete_escrow, seller_id, token)
    return envelope(200, "Escrow deleted successfully", {"id": escrow["id"], "paymentToken": escrow["payment_token"]})


@bp.get("/v1/escrow/verify/<token>")
def verify_escrow(token):
    escrow = call(escrows.verify_escrow, token)
    return envelope(200, "Escrow verified successfully", dump_escrow(escrow, customer_header(required=False)))


@bp.post("/v1/escrow/confirm-payment/<escrow_id>")
def confirm_payment(escrow_id):
    buyer_id = customer_header()
    escrow = call(escrows.confirm_payment, buyer_id, escrow_id.lower())
    return envelope(200, "Escrow updated successfully", dump_escrow(escrow, buyer_id))


@bp.get("/v1/escrow/claim-funds/<token>")
def claim_funds(token):
    seller_id = customer_header()
    escrow = call(escrows.claim_funds, seller_id, token)
    return envelope(200, "Funds claimed successfully", dump_escrow(escrow, seller_id))


@bp.get("/v1/escrow/transactions")
def list_transactions():
    customer_id = customer_header(required=False)
    query = load(ESCROW_LIST_QUERY, request.args.to_dict())
    page = call(escrows.list_transactions, customer_id, query)
    return envelope(200, "Transaction fetched successfully", _escrows(page, customer_id))


@bp.get("/v1/escrow/feeds")
def list_feeds():
    no_customer_header()
    page = call(escrows.list_feeds, load(FEEDS_QUERY, request.args.to_dict()))
    return envelope(200, "Escrow transactions fetched successfully", _escrows(page))


# -- disputes ----------------------------------------------------------------------------------


@bp.post("/v1/escrow/submit-dispute/<token>")
def submit_dispute(token):
    customer_id = customer_header()
    fields, _ = form_or_json_body("file")
    data = {**load(DISPUTE_SUBMIT, fields), "file_name": uploaded_name("file")}
    escrow = call(disputes.submit_dispute, customer_id, token, data)
    return envelope(200, "Escrow dispute submitted successfully", dump_escrow(escrow, customer_id))


@bp.post("/v1/escrow/dispute/resolve/<escrow_id>")
def resolve_dispute(escrow_id):
    no_customer_header()
    fields, _ = form_or_json_body("file")
    data = {**load(DISPUTE_RESOLVE, fields), "file_name": uploaded_name("file")}
    escrow = call(disputes.resolve_dispute, escrow_id.lower(), data)
    return envelope(200, "Dispute resolution submitted successfully", dump_escrow(escrow, None))


@bp.get("/v1/escrow/dispute/get")
def list_my_disputes():
    customer_id = customer_header()
    page = call(disputes.list_my_disputes, customer_id, load(MY_DISPUTES_QUERY, request.args.to_dict()))
    return envelope(200, "Escrow retrieved successfully", _escrows(page, customer_id))


@bp.get("/v1/escrow/dispute/get/<escrow_id>")
def get_dispute(escrow_id):
    customer_id = customer_header()
    escrow = call(disputes.get_dispute, customer_id, escrow_id.lower())
    return envelope(200, "Escrow dispute retrieved successfully", dump_escrow(escrow, customer_id))


@bp.get("/v1/escrow/all-dispute")
def list_all_disputes():
    no_customer_header()
    page = call(disputes.list_all_disputes, load(ALL_DISPUTES_QUERY, request.args.to_dict()))
    return envelope(200, "Disputes fetched successfully", _escrows(page))


# -- milestone escrows -----------------------------------------------------------------------


@bp.post("/v1/escrow/milestone/create")
def create_milestone_escrow():
    seller_id = customer_header()
    data = load(MILESTONE_ESCROW_CREATE, json_body())
    escrow = call(milestones.create_milestone_escrow, seller_id, data)
    return envelope(201, "Milestone escrow created successfully", dump_escrow(escrow, seller_id))


@bp.put("/v1/escrow/milestone/edit/<token>")
def edit_milestone_escrow(token):
    seller_id = customer_header()
    data = load(MILESTONE_ESCROW_CREATE, json_body())
    escrow = call(milestones.edit_milestone_escrow, seller_id, token, data)
    return envelope(200, "Milestone escrow updated successfully", dump_escrow(escrow, seller_id))


@bp.put("/v1/escrow/milestone/convert/<token>")
def convert_to_milestone(token):
    seller_id = customer_header()
    data = load(MILESTONE_CONVERT, json_body())
    escrow = call(milestones.convert_to_milestone, seller_id, token, data)
    return envelope(200, "Escrow converted to milestone successfully", dump_escrow(escrow, seller_id))


@bp.get("/v1/escrow/milestone/<segment:token>")
def list_milestones(token):
    items = call(milestones.list_milestones, token)
    return envelope(200, "Milestones fetched successfully", MILESTONES.dump(items))


@bp.post("/v1/escrow/milestone/confirm/<escrow_id>/<milestone_id>")
def confirm_milestone(escrow_id, milestone_id):
    buyer_id = customer_header()
    escrow = call(milestones.confirm_milestone, buyer_id, escrow_id.lower(), milestone_id.lower())
    return envelope(200, "Milestone confirmed successfully", dump_escrow(escrow, buyer_id))
