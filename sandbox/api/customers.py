"""Merchant-customer and wallet routes."""

from flask import Blueprint, request

from sandbox.api.http import call, customer_header, envelope, json_body, pagination
from sandbox.domain import services
from sandbox.schemas.base import load
from sandbox.schemas.customer import CUSTOMER, CUSTOMER_CREATE, CUSTOMER_LIST_QUERY, CUSTOMERS
from sandbox.schemas.payment import WALLET

bp = Blueprint("customers", __name__)


@bp.post("/v1/customer/create")
def create_customer():
    data = load(CUSTOMER_CREATE, json_body())
    customer = call(services.create_customer, data)
    return envelope(201, "Customer created successfully", CUSTOMER.dump(customer))


@bp.get("/v1/customers")
def list_customers():
    query = load(CUSTOMER_LIST_QUERY, request.args.to_dict())
    page = call(services.list_customers, query["page"], query["limit"], query.get("email"), query.get("phone"))
    # docs.payluk.ng list-merchant-customers: this list puts `pagination` before `data`.
    return envelope(200, "Customers fetched successfully",
                    {"pagination": pagination(page), "data": CUSTOMERS.dump(page.items)})


@bp.get("/v1/customer/get/<customer_id>")
@bp.get("/v1/customer/<customer_id>")
def get_customer(customer_id):
    customer = call(services.get_customer, customer_id.lower())
    return envelope(200, "Customers fetched successfully", CUSTOMER.dump(customer))


@bp.get("/v1/wallet")
def get_wallet():
    wallet = call(services.get_wallet, customer_header())
    return envelope(200, "Wallet fetched successfully", WALLET.dump(wallet))
