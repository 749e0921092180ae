"""Catalogue routes: escrow categories, countries, saved debit cards (feature-gated) and the
crypto whitelist (payluk-api.md §5.6-§5.9)."""

import io
import json
import re

import pytest
from werkzeug.datastructures import MultiDict

from sandbox import create_app
from sandbox.controlplane.fixture_sets import DEFAULT_DIR, FixtureError, load_fixture
from tests.conftest import advance_clock, BUYER, KEY, POOR_BUYER, SELLER, START, UNKNOWN_ID, InProcessHttp, make_config

ELECTRONICS, SERVICES, FASHION = "665f1b2c9a1e4d0012ab3c50", "665f1b2c9a1e4d0012ab3c51", "665f1b2c9a1e4d0012ab3c52"
CARD = "665f1b2c9a1e4d0012ab3c60"
POOR_CARD = "665f1b2c9a1e4d0012ab3c61"
ADDRESS = "0x" + "ab12" * 10
OBJECT_ID = re.compile(r"[0-9a-f]{24}")

ELECTRONICS_OBJECT = {
    "id": ELECTRONICS, "name": "Electronics", "description": "Phones, laptops and accessories",
    "imageUrl": f"https://cdn.payluk.ng/category/{ELECTRONICS}.png", "category_position": 1,
    "createdAt": START, "updatedAt": START,
}
DEFAULT_ORDER = [("Electronics", 1), ("Services", 2), ("Fashion", 3)]


def expect(reply, status):
    assert reply.status == status, reply.body
    assert reply.body["status"] == status
    return reply.data


def error(reply, status, message):
    assert (reply.status, reply.body) == (status, {"status": status, "message": message, "data": {}})


def delete(http, path, **kw):
    return http.request("DELETE", path, **kw)


def categories(http):
    return expect(http.get("/v1/escrow/category/get?limit=100"), 200)["data"]


def order(http):
    return [(c["name"], c["category_position"]) for c in categories(http)]


# -- every route: bearer auth as usual -------------------------------------------------------------

ROUTES = [
    ("POST", "/v1/escrow/category/create"),
    ("PUT", f"/v1/escrow/category/edit/{ELECTRONICS}"),
    ("GET", "/v1/escrow/category/get"),
    ("GET", f"/v1/escrow/category/get/{ELECTRONICS}"),
    ("PUT", f"/v1/escrow/category/position/{ELECTRONICS}"),
    ("DELETE", f"/v1/escrow/category/delete/{ELECTRONICS}"),
    ("GET", "/v1/misc/countries"),
    ("GET", "/v1/countries"),
    ("GET", "/v1/cards"),
    ("DELETE", f"/v1/card/{CARD}"),
    ("GET", "/v1/whitelist-address"),
    ("POST", "/v1/whitelist-address"),
    ("DELETE", f"/v1/whitelist-address/{UNKNOWN_ID}"),
]


@pytest.mark.parametrize("method, path", ROUTES)
def test_catalog_auth__missing_token(http, method, path):
    error(http.request(method, path, key=None, customer=BUYER), 401, "No token provided")


@pytest.mark.parametrize("method, path", ROUTES)
def test_catalog_auth__live_key(http, method, path):
    reply = http.request(method, path, key=None, customer=BUYER, headers={"Authorization": "Bearer sk_live_abc"})
    error(reply, 403, "Unauthorized Access")


# -- categories ------------------------------------------------------------------------------------


def test_list_categories(http):
    reply = http.get("/v1/escrow/category/get")
    data = expect(reply, 200)
    assert reply.body["message"] == "Categories fetched successfully"
    assert list(data) == ["data", "pagination"], "data first, then pagination"
    assert data["data"][0] == ELECTRONICS_OBJECT
    assert [(c["name"], c["category_position"]) for c in data["data"]] == DEFAULT_ORDER
    assert data["pagination"] == {"count": 3, "pages": 1, "isLastPage": True, "nextPage": None, "previousPage": None}


def test_list_categories__paging(http):
    first = expect(http.get("/v1/escrow/category/get?limit=2"), 200)
    assert [c["id"] for c in first["data"]] == [ELECTRONICS, SERVICES]
    assert first["pagination"] == {"count": 3, "pages": 2, "isLastPage": False, "nextPage": 2, "previousPage": None}
    second = expect(http.get("/v1/escrow/category/get?limit=2&page=2"), 200)
    assert [c["id"] for c in second["data"]] == [FASHION]
    assert second["pagination"] == {"count": 3, "pages": 2, "isLastPage": True, "nextPage": None, "previousPage": 1}
    assert expect(http.get("/v1/escrow/category/get?limit=2&page=9"), 200)["data"] == []


@pytest.mark.parametrize("query, message", [
    ("page=0", '"page" must be greater than or equal to 1'),
    ("limit=abc", '"limit" must be an integer'),
    ("limit=101", '"limit" must be less than or equal to 100'),
])
def test_list_categories__bad_query(http, query, message):
    error(http.get(f"/v1/escrow/category/get?{query}"), 400, message)


def test_create_category(http):
    reply = http.post("/v1/escrow/category/create", data={"name": "Books", "description": "Paperbacks"},
                      files={"imageUrl": [("cover.JPG", b"\xff\xd8 jpeg bytes")]})
    created = expect(reply, 201)
    assert reply.body["message"] == "Category created successfully"
    assert OBJECT_ID.fullmatch(created["id"])
    assert created == {"id": created["id"], "name": "Books", "description": "Paperbacks",
                       "imageUrl": f"https://cdn.payluk.ng/category/{created['id']}.jpg", "category_position": 4,
                       "createdAt": START, "updatedAt": START}
    assert expect(http.get(f"/v1/escrow/category/get/{created['id']}"), 200) == created
    assert order(http) == DEFAULT_ORDER + [("Books", 4)]


def test_create_category__json_at_a_position(http):
    body = {"name": "Books", "imageUrl": "https://example.com/books.png", "category_position": 1}
    created = expect(http.post("/v1/escrow/category/create", json=body), 201)
    assert (created["imageUrl"], created["category_position"]) == ("https://example.com/books.png", 1)
    assert order(http) == [("Books", 1), ("Electronics", 2), ("Services", 3), ("Fashion", 4)]


def test_create_category__multipart_position_is_text(http):
    created = expect(http.post("/v1/escrow/category/create", data={"name": "Books", "category_position": "2"}), 201)
    assert created["category_position"] == 2
    assert order(http) == [("Electronics", 1), ("Books", 2), ("Services", 3), ("Fashion", 4)]


def test_create_category__position_past_the_end_goes_last(http):
    created = expect(http.post("/v1/escrow/category/create", json={"name": "Books", "category_position": 99}), 201)
    assert created["category_position"] == 4


def test_create_category__minimal(http):
    created = expect(http.post("/v1/escrow/category/create", json={"name": "Books"}), 201)
    assert (created["description"], created["imageUrl"], created["category_position"]) == (None, None, 4)


def test_create_category__customer_id_is_ignored(http):
    expect(http.post("/v1/escrow/category/create", customer=UNKNOWN_ID, json={"name": "Books"}), 201)
    expect(http.get("/v1/escrow/category/get", customer=UNKNOWN_ID), 200)


@pytest.mark.parametrize("name", ["Electronics", "electronics", " ELECTRONICS "])
def test_create_category__duplicate_name(http, name):
    error(http.post("/v1/escrow/category/create", json={"name": name}), 400, "A category with this name already exists")
    assert order(http) == DEFAULT_ORDER


@pytest.mark.parametrize("kwargs, message", [
    ({"json": {}}, '"name" is required'),
    ({"json": {"name": ""}}, '"name" is not allowed to be empty'),
    ({"json": {"name": 5}}, '"name" must be a string'),
    ({"json": {"name": "Books", "colour": "red"}}, '"colour" is not allowed'),
    ({"json": {"name": "Books", "category_position": 0}}, '"category_position" must be greater than or equal to 1'),
    ({"json": {"name": "Books", "category_position": "x"}}, '"category_position" must be an integer'),
    ({"json": {"name": "Books", "imageUrl": "not a url"}}, '"imageUrl" must be a valid uri'),
    ({"json": {"name": "Books", "description": 7}}, '"description" must be a string'),
    ({"data": {"name": "Books", "category_position": "1.5"}}, '"category_position" must be an integer'),
    ({"data": {"description": "no name"}}, '"name" is required'),
    ({"data": {"name": "Books"}, "files": {"imageUrl": [("a.png", b"a"), ("b.png", b"b")]}},
     '"imageUrl" must contain at most 1 image'),
    ({"data": {"name": "Books"}, "files": {"cover": [("b.png", b"b")]}}, '"cover" is not allowed'),
    ({"body": b"{", "headers": {"Content-Type": "application/json"}}, "Malformed JSON in request body"),
    ({"body": b"[1]", "headers": {"Content-Type": "application/json"}}, "Request body must be a JSON object"),
])
def test_create_category__invalid(http, kwargs, message):
    error(http.post("/v1/escrow/category/create", **kwargs), 400, message)
    assert order(http) == DEFAULT_ORDER


def test_create_category__url_and_file_together(app):
    """A multipart body with `imageUrl` both as text and as a file is two images."""
    form = MultiDict([("name", "Books"), ("imageUrl", "https://example.com/a.png"),
                      ("imageUrl", (io.BytesIO(b"b"), "b.png"))])
    resp = app.test_client().post("/v1/escrow/category/create", data=form, content_type="multipart/form-data",
                                  headers={"Authorization": f"Bearer {KEY}"})
    assert (resp.status_code, resp.get_json()["message"]) == (400, '"imageUrl" must contain at most 1 image')


def test_edit_category__json(http):
    reply = http.put(f"/v1/escrow/category/edit/{ELECTRONICS}", json={"name": "Gadgets", "description": None})
    edited = expect(reply, 200)
    assert reply.body["message"] == "Category updated successfully"
    assert edited == {**ELECTRONICS_OBJECT, "name": "Gadgets", "description": None}
    assert expect(http.get(f"/v1/escrow/category/get/{ELECTRONICS}"), 200) == edited


def test_edit_category__new_cover_replaces_the_old(http):
    edited = expect(http.put(f"/v1/escrow/category/edit/{SERVICES}", data={},
                             files={"imageUrl": [("cover.webp", b"RIFF")]}), 200)
    assert edited["imageUrl"] == f"https://cdn.payluk.ng/category/{SERVICES}.webp"
    assert edited["name"] == "Services"
    cleared = expect(http.put(f"/v1/escrow/category/edit/{SERVICES}", json={"imageUrl": None}), 200)
    assert cleared["imageUrl"] is None


def test_edit_category__move(http):
    edited = expect(http.put(f"/v1/escrow/category/edit/{ELECTRONICS}", data={"category_position": "3"}), 200)
    assert edited["category_position"] == 3
    assert order(http) == [("Services", 1), ("Fashion", 2), ("Electronics", 3)]


def test_edit_category__nothing_sent(http):
    assert expect(http.put(f"/v1/escrow/category/edit/{ELECTRONICS}", json={}), 200) == ELECTRONICS_OBJECT


def test_edit_category__same_name_other_case(http):
    assert expect(http.put(f"/v1/escrow/category/edit/{ELECTRONICS}", json={"name": "ELECTRONICS"}), 200)["name"] \
        == "ELECTRONICS"


@pytest.mark.parametrize("category_id, body, message", [
    (UNKNOWN_ID, {"name": "X"}, "Category not found"),
    ("not-an-id", {"name": "X"}, "Category not found"),
    (SERVICES, {"name": "electronics"}, "A category with this name already exists"),
    (SERVICES, {"name": ""}, '"name" is not allowed to be empty'),
    (SERVICES, {"category_position": -1}, '"category_position" must be greater than or equal to 1'),
    (SERVICES, {"id": FASHION}, '"id" is not allowed'),
])
def test_edit_category__invalid(http, category_id, body, message):
    error(http.put(f"/v1/escrow/category/edit/{category_id}", json=body), 400, message)
    assert expect(http.get(f"/v1/escrow/category/get/{SERVICES}"), 200)["name"] == "Services"


def test_edit_category__updated_at_moves(app):
    http = InProcessHttp(app)
    advance_clock(app, 60_000)
    edited = expect(http.put(f"/v1/escrow/category/edit/{FASHION}", json={"description": "Shoes"}), 200)
    assert (edited["createdAt"], edited["updatedAt"]) == (START, "2026-06-22T10:16:00.000Z")


def test_get_category(http):
    reply = http.get(f"/v1/escrow/category/get/{ELECTRONICS.upper()}")
    assert expect(reply, 200) == ELECTRONICS_OBJECT
    assert reply.body["message"] == "Category fetched successfully"


@pytest.mark.parametrize("category_id", [UNKNOWN_ID, "abc", "PY_8AB12C9D3045"])
def test_get_category__not_found(http, category_id):
    error(http.get(f"/v1/escrow/category/get/{category_id}"), 400, "Category not found")


def test_update_category_position(http):
    reply = http.put(f"/v1/escrow/category/position/{FASHION}", json={"newPosition": 1})
    assert expect(reply, 200) == {"id": FASHION, "category_position": 1}
    assert reply.body["message"] == "Category position updated successfully"
    assert order(http) == [("Fashion", 1), ("Electronics", 2), ("Services", 3)]
    assert expect(http.put(f"/v1/escrow/category/position/{FASHION}", json={"newPosition": 2}), 200) \
        == {"id": FASHION, "category_position": 2}
    assert order(http) == [("Electronics", 1), ("Fashion", 2), ("Services", 3)]


def test_update_category_position__same_place(http):
    assert expect(http.put(f"/v1/escrow/category/position/{SERVICES}", json={"newPosition": 2}), 200) \
        == {"id": SERVICES, "category_position": 2}
    assert order(http) == DEFAULT_ORDER


def test_update_category_position__past_the_end_goes_last(http):
    assert expect(http.put(f"/v1/escrow/category/position/{ELECTRONICS}", json={"newPosition": 50}), 200) \
        == {"id": ELECTRONICS, "category_position": 3}
    assert order(http) == [("Services", 1), ("Fashion", 2), ("Electronics", 3)]


@pytest.mark.parametrize("category_id, kwargs, message", [
    (FASHION, {"json": {}}, '"newPosition" is required'),
    (FASHION, {"json": {"newPosition": 0}}, '"newPosition" must be greater than or equal to 1'),
    (FASHION, {"json": {"newPosition": "1"}}, '"newPosition" must be an integer'),
    (FASHION, {"json": {"newPosition": 1.5}}, '"newPosition" must be an integer'),
    (FASHION, {"json": {"newPosition": True}}, '"newPosition" must be an integer'),
    (FASHION, {"json": {"newPosition": 1, "oldPosition": 3}}, '"oldPosition" is not allowed'),
    (FASHION, {"data": {"newPosition": "1"}}, "Content-Type must be application/json"),
    (FASHION, {"body": b"{nope", "headers": {"Content-Type": "application/json"}}, "Malformed JSON in request body"),
    (UNKNOWN_ID, {"json": {"newPosition": 1}}, "Category not found"),
    ("xyz", {"json": {"newPosition": 1}}, "Category not found"),
])
def test_update_category_position__invalid(http, category_id, kwargs, message):
    error(http.put(f"/v1/escrow/category/position/{category_id}", **kwargs), 400, message)
    assert order(http) == DEFAULT_ORDER


def test_delete_category(http):
    reply = delete(http, f"/v1/escrow/category/delete/{ELECTRONICS}")
    assert expect(reply, 200) == {"id": ELECTRONICS}
    assert reply.body["message"] == "Category deleted successfully"
    assert order(http) == [("Services", 1), ("Fashion", 2)], "positions close the gap"
    error(http.get(f"/v1/escrow/category/get/{ELECTRONICS}"), 400, "Category not found")
    error(delete(http, f"/v1/escrow/category/delete/{ELECTRONICS}"), 400, "Category not found")
    error(delete(http, "/v1/escrow/category/delete/123"), 400, "Category not found")
    assert expect(http.post("/v1/escrow/category/create", json={"name": "Electronics"}), 201)["category_position"] == 3


def test_delete_category__escrows_keep_their_snapshot(http, api):
    escrow = api.create_escrow({"amount": 150000, "purpose": "Phone", "whoPays": "buyer", "categoryId": ELECTRONICS},
                               as_json=True)
    expect(delete(http, f"/v1/escrow/category/delete/{ELECTRONICS}"), 200)
    kept = api.verify(escrow["paymentToken"])
    assert kept["category"]["id"] == ELECTRONICS and kept["category"]["name"] == "Electronics"


def test_categories_are_per_namespace(http):
    other = "sk_test_catalog_other"
    expect(http.post("/v1/escrow/category/create", key=other, json={"name": "Books"}), 201)
    assert order(http) == DEFAULT_ORDER


# -- countries -------------------------------------------------------------------------------------


def test_list_countries(http):
    reply = http.get("/v1/misc/countries")
    countries = expect(reply, 200)
    assert reply.body["message"] == "Countries fetched successfully"
    assert countries[0] == {"id": "665f1b2c9a1e4d0012ab4001", "name": "Nigeria", "code": "NG", "dialCode": "+234",
                            "currency": "NGN"}
    assert len(countries) >= 12
    assert len({c["id"] for c in countries}) == len({c["code"] for c in countries}) == len(countries)
    for country in countries:
        assert list(country) == ["id", "name", "code", "dialCode", "currency"]
        assert OBJECT_ID.fullmatch(country["id"])
        assert re.fullmatch(r"[A-Z]{2}", country["code"]) and re.fullmatch(r"[A-Z]{3}", country["currency"])
        assert re.fullmatch(r"\+\d{1,4}", country["dialCode"])
    assert {"GH", "KE", "ZA", "EG", "GB", "US"} <= {c["code"] for c in countries}


def test_list_countries__both_paths_agree(http):
    a, b = http.get("/v1/misc/countries"), http.get("/v1/countries", customer=BUYER)
    assert (a.status, a.body) == (b.status, b.body)


# -- debit cards -----------------------------------------------------------------------------------


@pytest.mark.parametrize("customer", [None, BUYER, UNKNOWN_ID])
@pytest.mark.parametrize("method, path", [("GET", "/v1/cards"), ("DELETE", f"/v1/card/{CARD}"),
                                          ("DELETE", f"/v1/card/{UNKNOWN_ID}")])
def test_cards__feature_not_enabled(http, method, path, customer):
    """The default merchant has no `features.cards`: 403 before any other check."""
    error(http.request(method, path, customer=customer), 403, "This feature is not enabled on your merchant account")


def _fixture_file(tmp_path, mutate) -> str:
    data = json.loads((DEFAULT_DIR / "default.json").read_text())
    mutate(data)
    file = tmp_path / "fixture.json"
    file.write_text(json.dumps(data))
    return str(file)


@pytest.fixture
def cards_http(tmp_path):
    """An in-process sandbox whose merchant has the cards feature; the poor buyer has a card too."""
    def enable(data):
        data["merchant"]["features"] = {"cards": True}
        data["cards"].append({"id": POOR_CARD, "customerId": POOR_BUYER, "last4": "5060", "brand": "verve"})

    return InProcessHttp(create_app(make_config(fixtures=_fixture_file(tmp_path, enable))))


def test_list_cards(cards_http):
    reply = cards_http.get("/v1/cards", customer=BUYER)
    assert expect(reply, 200) == [{"id": CARD, "last4": "4081", "brand": "visa"}]
    assert reply.body["message"] == "Cards fetched successfully"
    assert expect(cards_http.get("/v1/cards", customer=POOR_BUYER), 200) == [
        {"id": POOR_CARD, "last4": "5060", "brand": "verve"}]
    assert expect(cards_http.get("/v1/cards", customer=SELLER), 200) == []


@pytest.mark.parametrize("method, path", [("GET", "/v1/cards"), ("DELETE", f"/v1/card/{CARD}")])
def test_cards__customer_header(cards_http, method, path):
    error(cards_http.request(method, path), 400, "customer-id header is required")
    error(cards_http.request(method, path, customer=UNKNOWN_ID), 404, "Customer not found")
    assert expect(cards_http.get("/v1/cards", customer=BUYER), 200) != []


def test_delete_card(cards_http):
    reply = delete(cards_http, f"/v1/card/{CARD}", customer=BUYER)
    assert expect(reply, 200) == {"id": CARD}
    assert reply.body["message"] == "Card removed successfully"
    assert expect(cards_http.get("/v1/cards", customer=BUYER), 200) == []
    error(delete(cards_http, f"/v1/card/{CARD}", customer=BUYER), 400, "Card not found")


@pytest.mark.parametrize("card_id", [POOR_CARD, UNKNOWN_ID, "4081"])
def test_delete_card__not_the_callers(cards_http, card_id):
    error(delete(cards_http, f"/v1/card/{card_id}", customer=BUYER), 400, "Card not found")
    assert len(expect(cards_http.get("/v1/cards", customer=POOR_BUYER), 200)) == 1
    assert len(expect(cards_http.get("/v1/cards", customer=BUYER), 200)) == 1


# -- fixture files: categories and cards -------------------------------------------------------------


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["cards"][0].update(customerId=UNKNOWN_ID),
     '"cards[0].customerId" must name a customer of this fixture'),
    (lambda d: d["cards"][0].update(last4="40a1"), '"cards[0].last4" must be exactly 4 digits'),
    (lambda d: d["cards"][0].pop("brand"), '"cards[0].brand" is required'),
    (lambda d: d["cards"].append(dict(d["cards"][0])), '"cards[1].id" must be unique'),
    (lambda d: d["categories"][0].pop("name"), '"categories[0].name" is required'),
    (lambda d: d["categories"][1].update(id=ELECTRONICS), '"categories[1].id" must be unique'),
    (lambda d: d["categories"][2].update(name="electronics"), '"categories[2].name" must be unique'),
    (lambda d: d["categories"][0].update(category_position=0),
     '"categories[0].category_position" must be greater than or equal to 1'),
    (lambda d: d["categories"][0].update(colour="red"), '"categories[0].colour" is not allowed'),
])
def test_bad_catalog_fixture(tmp_path, mutate, expected):
    file = _fixture_file(tmp_path, mutate)
    with pytest.raises(FixtureError) as err:
        load_fixture(file)
    assert str(err.value).startswith(f"{file}: {expected}")


def test_fixture_categories_take_their_position(tmp_path):
    def mutate(data):
        data["categories"].append({"id": "665f1b2c9a1e4d0012ab3c53", "name": "Books", "category_position": 1})
        del data["cards"]

    http = InProcessHttp(create_app(make_config(fixtures=_fixture_file(tmp_path, mutate))))
    assert order(http) == [("Books", 1), ("Electronics", 2), ("Services", 3), ("Fashion", 4)]


# -- crypto whitelist ---------------------------------------------------------------------------------


def whitelist(http, customer=BUYER):
    return expect(http.get("/v1/whitelist-address", customer=customer), 200)


def add(http, body, customer=BUYER):
    return http.post("/v1/whitelist-address", customer=customer, json=body)


def test_list_whitelist(http):
    reply = http.get("/v1/whitelist-address", customer=BUYER)
    assert expect(reply, 200) == []
    assert reply.body["message"] == "Whitelisted addresses fetched successfully"


def test_add_whitelist_address__docs_shape(http):
    reply = add(http, {"address": ADDRESS, "network": "BSC", "label": "Ledger"})
    entry = expect(reply, 201)
    assert reply.body["message"] == "Address whitelisted successfully"
    assert OBJECT_ID.fullmatch(entry["id"])
    assert entry == {"id": entry["id"], "address": ADDRESS, "network": "BSC", "label": "Ledger", "createdAt": START}
    assert whitelist(http) == [entry]
    assert whitelist(http, SELLER) == []


@pytest.mark.parametrize("extra", [{"network": "bsc", "otp": "123456"}, {"network": "Bsc", "otp": 123456},
                                   {"label": None}, {}])
def test_add_whitelist_address__later_docs_shape(http, extra):
    entry = expect(add(http, {"walletAddress": ADDRESS, **extra}), 201)
    assert (entry["address"], entry["network"], entry["label"]) == (ADDRESS, "BSC", None)
    assert "otp" not in entry and "walletAddress" not in entry


BAD_ADDRESS = '"{}" must be a valid BSC address (0x followed by 40 hex characters)'


@pytest.mark.parametrize("body, message", [
    ({}, '"walletAddress" is required'),
    ({"network": "BSC", "label": "x"}, '"walletAddress" is required'),
    ({"walletAddress": "0x123"}, BAD_ADDRESS.format("walletAddress")),
    ({"walletAddress": "ab12" * 10}, BAD_ADDRESS.format("walletAddress")),
    ({"walletAddress": ADDRESS + "0"}, BAD_ADDRESS.format("walletAddress")),
    ({"address": "0x" + "g" * 40}, BAD_ADDRESS.format("address")),
    ({"walletAddress": 5}, '"walletAddress" must be a string'),
    ({"walletAddress": ADDRESS, "network": "ETH"}, '"network" must be one of [BSC]'),
    ({"walletAddress": ADDRESS, "network": 56}, '"network" must be a string'),
    ({"address": ADDRESS, "walletAddress": ADDRESS}, '"address" is not allowed together with "walletAddress"'),
    ({"walletAddress": ADDRESS, "memo": "x"}, '"memo" is not allowed'),
    ({"walletAddress": ADDRESS, "label": "x" * 51}, '"label" must be at most 50 characters long'),
    ({"walletAddress": ADDRESS, "otp": True}, '"otp" must be a string'),
])
def test_add_whitelist_address__invalid(http, body, message):
    error(add(http, body), 400, message)
    assert whitelist(http) == []


def test_add_whitelist_address__not_json(http):
    error(http.post("/v1/whitelist-address", customer=BUYER, data={"walletAddress": ADDRESS}), 400,
          "Content-Type must be application/json")
    error(http.post("/v1/whitelist-address", customer=BUYER, body=b"{",
                    headers={"Content-Type": "application/json"}), 400, "Malformed JSON in request body")


def test_add_whitelist_address__duplicate(http):
    expect(add(http, {"address": ADDRESS}), 201)
    error(add(http, {"walletAddress": ADDRESS.upper().replace("0X", "0x")}), 400, "This address is already whitelisted")
    assert len(whitelist(http)) == 1
    expect(add(http, {"address": ADDRESS}, customer=SELLER), 201)  # another customer may whitelist it too


def test_add_whitelist_address__limit(http):
    addresses = [f"0x{n:040x}" for n in range(1, 7)]
    for address in addresses[:5]:
        expect(add(http, {"walletAddress": address, "network": "BSC"}), 201)
    error(add(http, {"walletAddress": addresses[5]}), 400, "Whitelist limit reached: at most 5 addresses per customer")
    error(add(http, {"walletAddress": addresses[0]}), 400, "This address is already whitelisted")
    assert [w["address"] for w in whitelist(http)] == addresses[:5]
    expect(add(http, {"walletAddress": addresses[5]}, customer=SELLER), 201)
    first = whitelist(http)[0]["id"]
    expect(delete(http, f"/v1/whitelist-address/{first}", customer=BUYER), 200)
    expect(add(http, {"walletAddress": addresses[5]}), 201)


def test_delete_whitelist_address(http):
    entry = expect(add(http, {"address": ADDRESS, "label": "Cold"}), 201)
    reply = delete(http, f"/v1/whitelist-address/{entry['id'].upper()}", customer=BUYER)
    assert expect(reply, 200) == {"id": entry["id"]}
    assert reply.body["message"] == "Whitelisted address removed successfully"
    assert whitelist(http) == []
    error(delete(http, f"/v1/whitelist-address/{entry['id']}", customer=BUYER), 400, "Whitelisted address not found")


@pytest.mark.parametrize("address_id", ["theirs", UNKNOWN_ID, "0x1"])
def test_delete_whitelist_address__not_the_callers(http, address_id):
    entry = expect(add(http, {"address": ADDRESS}, customer=SELLER), 201)
    address_id = entry["id"] if address_id == "theirs" else address_id
    error(delete(http, f"/v1/whitelist-address/{address_id}", customer=BUYER), 400, "Whitelisted address not found")
    assert whitelist(http, SELLER) == [entry]


@pytest.mark.parametrize("method, path", [("GET", "/v1/whitelist-address"), ("POST", "/v1/whitelist-address"),
                                          ("DELETE", f"/v1/whitelist-address/{UNKNOWN_ID}")])
def test_whitelist__customer_header(http, method, path):
    body = {"walletAddress": ADDRESS, "network": "BSC"}
    error(http.request(method, path, json=body), 400, "customer-id header is required")
    error(http.request(method, path, customer=UNKNOWN_ID, json=body), 404, "Customer not found")
    assert whitelist(http) == []
