"""Catalogue routes: escrow categories, countries, saved debit cards, crypto whitelist."""

from flask import Blueprint, request

from sandbox.api.documented import CATEGORY_NOT_FOUND, FEATURE, Tag, doc, variant
from sandbox.api.http import call, customer_header, envelope, form_or_json_body, json_body, pagination
from sandbox.domain import catalog
from sandbox.domain import errors as E
from sandbox.domain.profiles import OCTOBER
from sandbox.domain.errors import CATEGORY_ONE_IMAGE, BadRequest
from sandbox.schemas import answers as out
from sandbox.schemas import catalog as cat
from sandbox.schemas.base import load
from sandbox.schemas.catalog import (
    CARDS,
    CATEGORIES,
    CATEGORY,
    CATEGORY_CREATE,
    CATEGORY_EDIT,
    CATEGORY_POSITION,
    CATEGORY_POSITION_RESULT,
    COUNTRIES,
    WHITELIST_ADD,
    WHITELIST_ENTRIES,
    WHITELIST_ENTRY,
)
from sandbox.schemas.customer import PageQuerySchema

bp = Blueprint("catalog", __name__)

PAGE_QUERY = PageQuerySchema()


# -- categories (merchant-level: [A] accepts a `customer-id` header and ignores it; [B] checks one
# that is sent, absent = the merchant) -------------------------------------------------------------

# [B] docs: `customer-id` optional, and checked when sent.
CALLER = {"customer": "optional"}
BLOCKED = ((401, E.ACCOUNT_DISABLED),)


def _category_body(schema) -> dict:
    """Category fields from multipart (a cover file under `imageUrl`) or JSON (a URL)."""
    fields, files = form_or_json_body("imageUrl")
    data = load(schema, fields)
    files = [f for f in files if f]
    if len(files) + (1 if data.get("image_url") else 0) > 1:
        raise BadRequest(CATEGORY_ONE_IMAGE)
    if files:
        data.pop("image_url", None)
        data["image_file"] = files[0].filename or "image"
    return data


@bp.post("/v1/escrow/category/create")
@doc(Tag.CATALOGUE, "Create an escrow category", data=cat.CategorySchema, status=201,
     message="Category created successfully", body=cat.CategoryCreateSchema, files={"imageUrl": "one"},
     errors=((400, E.CATEGORY_NAME_TAKEN),))
@variant(OCTOBER, **CALLER, errors=((400, E.CATEGORY_NAME_TAKEN),) + BLOCKED)
def create_category():
    customer_id = customer_header(required=False)
    category = call(catalog.create_category, _category_body(CATEGORY_CREATE), customer_id)
    return envelope(201, "Category created successfully", CATEGORY.dump(category))


@bp.put("/v1/escrow/category/edit/<category_id>")
@doc(Tag.CATALOGUE, "Edit an escrow category", data=cat.CategorySchema, message="Category updated successfully",
     body=cat.CategoryEditSchema, files={"imageUrl": "one"},
     errors=CATEGORY_NOT_FOUND + ((400, E.CATEGORY_NAME_TAKEN),))
@variant(OCTOBER, **CALLER, errors=CATEGORY_NOT_FOUND + ((400, E.CATEGORY_NAME_TAKEN),) + BLOCKED)
def edit_category(category_id):
    customer_id = customer_header(required=False)
    category = call(catalog.edit_category, category_id.lower(), _category_body(CATEGORY_EDIT), customer_id)
    return envelope(200, "Category updated successfully", CATEGORY.dump(category))


@bp.get("/v1/escrow/category/get")
@doc(Tag.CATALOGUE, "List escrow categories by position", data=out.CategoryPageSchema,
     message="Categories fetched successfully", query=PageQuerySchema)
@variant(OCTOBER, **CALLER, errors=BLOCKED)
def list_categories():
    customer_id = customer_header(required=False)
    query = load(PAGE_QUERY, request.args.to_dict())
    page = call(catalog.list_categories, query["page"], query["limit"], customer_id)
    return envelope(200, "Categories fetched successfully",
                    {"data": CATEGORIES.dump(page.items), "pagination": pagination(page)})


@bp.get("/v1/escrow/category/get/<category_id>")
@doc(Tag.CATALOGUE, "One escrow category", data=cat.CategorySchema, message="Category fetched successfully",
     errors=CATEGORY_NOT_FOUND)
@variant(OCTOBER, **CALLER, errors=CATEGORY_NOT_FOUND + BLOCKED)
def get_category(category_id):
    category = call(catalog.get_category, category_id.lower(), customer_header(required=False))
    return envelope(200, "Category fetched successfully", CATEGORY.dump(category))


@bp.put("/v1/escrow/category/position/<category_id>")
@doc(Tag.CATALOGUE, "Move a category to another position", data=cat.CategoryPositionResultSchema,
     message="Category position updated successfully", body=cat.CategoryPositionSchema, errors=CATEGORY_NOT_FOUND)
@variant(OCTOBER, **CALLER, errors=CATEGORY_NOT_FOUND + BLOCKED)
def update_category_position(category_id):
    customer_id = customer_header(required=False)
    data = load(CATEGORY_POSITION, json_body())
    category = call(catalog.update_category_position, category_id.lower(), data["new_position"], customer_id)
    return envelope(200, "Category position updated successfully", CATEGORY_POSITION_RESULT.dump(category))


@bp.delete("/v1/escrow/category/delete/<category_id>")
@doc(Tag.CATALOGUE, "Delete an escrow category", data=out.IdSchema, message="Category deleted successfully",
     errors=CATEGORY_NOT_FOUND)
@variant(OCTOBER, **CALLER, errors=CATEGORY_NOT_FOUND + BLOCKED)
def delete_category(category_id):
    category = call(catalog.delete_category, category_id.lower(), customer_header(required=False))
    return envelope(200, "Category deleted successfully", {"id": category["id"]})


# -- countries ([A] /v1/misc/countries, [B] /v1/countries) ------------------------------------------


@bp.get("/v1/misc/countries")
@bp.get("/v1/countries")
@doc(Tag.CATALOGUE, "Supported countries ([B] path)", data=cat.CountrySchema(many=True),
     message="Countries fetched successfully", rule="/v1/countries")
@doc(Tag.CATALOGUE, "Supported countries ([A] path)", data=cat.CountrySchema(many=True),
     message="Countries fetched successfully", rule="/v1/misc/countries")
def list_countries():
    return envelope(200, "Countries fetched successfully", COUNTRIES.dump(call(catalog.list_countries)))


# -- debit cards (feature-gated: the 403 comes before the customer-id check) ------------------------


@bp.get("/v1/cards")
@doc(Tag.CATALOGUE, "The customer's saved debit cards (feature-gated)", data=cat.CardSchema(many=True),
     message="Cards fetched successfully", customer="optional", errors=FEATURE)
def list_cards():
    cards = call(catalog.list_cards, customer_header(required=False))
    return envelope(200, "Cards fetched successfully", CARDS.dump(cards))


@bp.delete("/v1/card/<card_id>")
@doc(Tag.CATALOGUE, "Remove a saved debit card (feature-gated)", data=out.IdSchema, message="Card removed successfully",
     customer="optional", errors=FEATURE + ((400, E.CARD_NOT_FOUND),))
def delete_card(card_id):
    card = call(catalog.delete_card, customer_header(required=False), card_id.lower())
    return envelope(200, "Card removed successfully", {"id": card["id"]})


# -- crypto whitelist -------------------------------------------------------------------------------


@bp.get("/v1/whitelist-address")
@doc(Tag.CATALOGUE, "The customer's whitelisted crypto addresses", data=cat.WhitelistEntrySchema(many=True),
     message="Whitelisted addresses fetched successfully", customer="required")
def list_whitelist():
    entries = call(catalog.list_whitelist, customer_header())
    return envelope(200, "Whitelisted addresses fetched successfully", WHITELIST_ENTRIES.dump(entries))


@bp.post("/v1/whitelist-address")
@doc(Tag.CATALOGUE, "Whitelist a BSC address (at most 5)", data=cat.WhitelistEntrySchema, status=201,
     message="Address whitelisted successfully", body=cat.WhitelistAddSchema, customer="required",
     errors=((400, E.WHITELIST_DUPLICATE), (400, E.WHITELIST_LIMIT_REACHED)))
def add_whitelist_address():
    customer_id = customer_header()
    data = load(WHITELIST_ADD, json_body())
    entry = call(catalog.add_whitelist_address, customer_id, data)
    return envelope(201, "Address whitelisted successfully", WHITELIST_ENTRY.dump(entry))


@bp.delete("/v1/whitelist-address/<address_id>")
@doc(Tag.CATALOGUE, "Remove a whitelisted address", data=out.IdSchema,
     message="Whitelisted address removed successfully", customer="required",
     errors=((400, E.WHITELIST_ADDRESS_NOT_FOUND),))
def delete_whitelist_address(address_id):
    entry = call(catalog.delete_whitelist_address, customer_header(), address_id.lower())
    return envelope(200, "Whitelisted address removed successfully", {"id": entry["id"]})
