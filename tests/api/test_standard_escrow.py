"""Standard escrows as far as the milestone flow needs them: create (multipart/JSON), verify."""

import pytest

from tests.conftest import BUYER, SELLER, START, UNKNOWN_ID
from tests.cluster_leg import http_with_cluster_leg  # noqa: F401  (these tests also run on a Redis Cluster)


def test_create_escrow__docs_example_multipart(api):
    escrow = api.create_escrow(files={"imageUrl": [("abc.png", b"\x89PNG fake")]})
    assert (escrow["amount"], escrow["fee"], escrow["whoPays"]) == (150000, 3750, "both")
    assert (escrow["purpose"], escrow["description"]) == ('MacBook Pro 14"', "Space grey, sealed")
    assert (escrow["maxDelivery"], escrow["deliveryTimeline"], escrow["totalQuantity"]) == (3, "days", 1)
    assert (escrow["settlementType"], escrow["state"], escrow["status"]) == ("STANDARD", "AWAITING_PAYMENT", "PENDING")
    assert escrow["milestones"] == [] and escrow["isSeller"] is True and escrow["createdAt"] == START
    assert len(escrow["imageUrl"]) == 1 and escrow["imageUrl"][0].startswith("https://cdn.payluk.ng/escrow/")
    assert escrow["imageUrl"][0].endswith(".png")


def test_create_escrow__json_body_as_real_clients_send(api):
    escrow = api.create_escrow({"amount": 160000, "purpose": "Shoes", "whoPays": "seller", "maxDelivery": 2,
                                "deliveryTimeline": "hours", "totalQuantity": 1,
                                "callbackUrl": "https://shop.example/hook", "imageUrl": "https://img.example/a.png"},
                               as_json=True)
    assert (escrow["amount"], escrow["fee"], escrow["imageUrl"]) == (160000, 4000, ["https://img.example/a.png"])


def test_create_escrow__defaults(api):
    escrow = api.create_escrow({"amount": "1000", "purpose": "Book", "whoPays": "buyer"})
    assert (escrow["maxDelivery"], escrow["deliveryTimeline"], escrow["description"]) == (3, "days", None)
    assert escrow["fee"] == 25


def test_create_escrow__fractional_fee_is_exact(api):
    escrow = api.create_escrow({"amount": "1001", "purpose": "Book", "whoPays": "both"})
    assert escrow["fee"] == 25.03  # 2.5 % of 1001 = 25.025, half a kobo rounded up


@pytest.mark.parametrize("fields, message", [
    ({"purpose": "x", "whoPays": "buyer"}, '"amount" is required'),
    ({"amount": "abc", "purpose": "x", "whoPays": "buyer"}, '"amount" must be an integer'),
    ({"amount": "0", "purpose": "x", "whoPays": "buyer"}, '"amount" must be greater than or equal to 1'),
    ({"amount": "10", "purpose": "x", "whoPays": "everyone"}, '"whoPays" must be one of [buyer, seller, both]'),
    ({"amount": "10", "whoPays": "buyer"}, '"purpose" is required'),
    ({"amount": "10", "purpose": "x", "whoPays": "buyer", "maxDelivery": "soon"}, '"maxDelivery" must be an integer'),
    ({"amount": "10", "purpose": "x", "whoPays": "buyer", "colour": "red"}, '"colour" is not allowed'),
])
def test_create_escrow__invalid(api, fields, message):
    api.error(api.http.post("/v1/escrow/create", customer=SELLER, data=fields), 400, message)


def test_create_escrow__json_callback_must_be_a_url(api):
    reply = api.http.post("/v1/escrow/create", customer=SELLER,
                          json={"amount": 10, "purpose": "x", "whoPays": "buyer", "callbackUrl": "not a url"})
    api.error(reply, 400, '"callbackUrl" must be a valid uri')


def test_create_escrow__files_only_under_image_url(api):
    reply = api.http.post("/v1/escrow/create", customer=SELLER, data={"amount": "10", "purpose": "x", "whoPays": "buyer"},
                          files={"photo": [("a.png", b"x")]})
    api.error(reply, 400, '"photo" is not allowed')


def test_create_escrow__too_many_images(api):
    files = {"imageUrl": [(f"{i}.png", b"x") for i in range(6)]}
    reply = api.http.post("/v1/escrow/create", customer=SELLER, data={"amount": "10", "purpose": "x", "whoPays": "buyer"},
                          files=files)
    api.error(reply, 400, '"imageUrl" must contain at most 5 images')


def test_create_escrow__customer_header(api):
    fields = {"amount": "10", "purpose": "x", "whoPays": "buyer"}
    api.error(api.http.post("/v1/escrow/create", data=fields), 400, "customer-id header is required")
    api.error(api.http.post("/v1/escrow/create", customer=UNKNOWN_ID, data=fields), 404, "Customer not found")


def test_verify_escrow(api):
    escrow = api.create_escrow()
    assert api.verify(escrow["paymentToken"], customer=SELLER) == escrow
    as_buyer = api.verify(escrow["paymentToken"], customer=BUYER)
    assert as_buyer["isSeller"] is False
    assert api.verify(escrow["paymentToken"])["isSeller"] is False
    api.error(api.http.get("/v1/escrow/verify/PY_unknown001234"), 400, "Escrow not found")
