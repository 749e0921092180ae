"""Escrow routes: standard create/verify, milestone create/edit/convert/list/confirm, disputes."""

from flask import Blueprint

from sandbox.api.http import call, customer_header, envelope, form_or_json_body, json_body
from sandbox.domain import services
from sandbox.domain.errors import BadRequest
from sandbox.schemas.base import load
from sandbox.schemas.escrow import (
    ESCROW_CREATE,
    MILESTONE_CONVERT,
    MILESTONE_ESCROW_CREATE,
    MILESTONES,
    dump_escrow,
)

bp = Blueprint("escrows", __name__)

MAX_IMAGES = 5


def _image_inputs(data: dict, files: list) -> dict:
    """`imageUrl`: up to 5 uploaded files (multipart) or URL text (JSON clients)."""
    urls = data.pop("image_urls", None)
    if urls is None:
        urls = []
    elif isinstance(urls, str):
        urls = [urls]
    elif not (isinstance(urls, list) and all(isinstance(u, str) for u in urls)):
        raise BadRequest('"imageUrl" must be a URL or an array of URLs')
    names = [f.filename or "image" for f in files if f]
    if len(urls) + len(names) > MAX_IMAGES:
        raise BadRequest(f'"imageUrl" must contain at most {MAX_IMAGES} images')
    data["image_urls"] = urls
    data["image_files"] = names
    return data


@bp.post("/v1/escrow/create")
def create_escrow():
    seller_id = customer_header()
    fields, files = form_or_json_body("imageUrl")
    data = _image_inputs(load(ESCROW_CREATE, fields), files)
    escrow = call(services.create_escrow, seller_id, data)
    return envelope(201, "Created successfully", dump_escrow(escrow, seller_id))


@bp.get("/v1/escrow/verify/<token>")
def verify_escrow(token):
    escrow = call(services.verify_escrow, token)
    return envelope(200, "Escrow verified successfully", dump_escrow(escrow, customer_header(required=False)))


@bp.post("/v1/escrow/milestone/create")
def create_milestone_escrow():
    seller_id = customer_header()
    data = load(MILESTONE_ESCROW_CREATE, json_body())
    escrow = call(services.create_milestone_escrow, seller_id, data)
    return envelope(201, "Milestone escrow created successfully", dump_escrow(escrow, seller_id))


@bp.put("/v1/escrow/milestone/edit/<token>")
def edit_milestone_escrow(token):
    seller_id = customer_header()
    data = load(MILESTONE_ESCROW_CREATE, json_body())
    escrow = call(services.edit_milestone_escrow, seller_id, token, data)
    return envelope(200, "Milestone escrow updated successfully", dump_escrow(escrow, seller_id))


@bp.put("/v1/escrow/milestone/convert/<token>")
def convert_to_milestone(token):
    seller_id = customer_header()
    data = load(MILESTONE_CONVERT, json_body())
    escrow = call(services.convert_to_milestone, seller_id, token, data)
    return envelope(200, "Escrow converted to milestone successfully", dump_escrow(escrow, seller_id))


@bp.get("/v1/escrow/milestone/<token>")
def list_milestones(token):
    milestones = call(services.list_milestones, token)
    return envelope(200, "Milestones fetched successfully", MILESTONES.dump(milestones))


@bp.post("/v1/escrow/milestone/confirm/<escrow_id>/<milestone_id>")
def confirm_milestone(escrow_id, milestone_id):
    buyer_id = customer_header()
    escrow = call(services.confirm_milestone, buyer_id, escrow_id.lower(), milestone_id.lower())
    return envelope(200, "Milestone confirmed successfully", dump_escrow(escrow, buyer_id))


@bp.post("/v1/escrow/submit-dispute/<token>")
def submit_dispute(token):
    customer_id = customer_header()
    fields, _ = form_or_json_body("file")
    escrow = call(services.submit_dispute, customer_id, token, fields)
    return envelope(200, "Escrow dispute submitted successfully", dump_escrow(escrow, customer_id))
