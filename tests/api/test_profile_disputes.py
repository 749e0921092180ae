"""Profile 2026-10 ([B]): dispute rulings that never refund the fee (REFUNDED returns the held
pool), SPLIT, the additional fee on a refund, and disputes on milestone escrows; with the 2026-06
behaviour they leave unchanged."""

from sandbox.domain import errors as E
from tests.conftest import BENEFICIARY, BUYER, SELLER, balances_of

START_BUYER = 5_000_000
STANDARD = {"amount": "150000", "purpose": 'MacBook Pro 14"', "whoPays": "both", "maxDelivery": "3",
            "deliveryTimeline": "days"}
MERCHANT_ID = "665f1b2c9a1e4d0012ab3c01"


def set_commission(http, commission):
    assert http.put("/_sandbox/merchant", json={"commission": commission}).status == 200


def pay(api, escrow_id, amount):
    body = {"gateway": "wallet", "transactionType": "escrow", "escrowDetails": {"escrowId": escrow_id},
            "amount": amount}
    reply = api.http.post("/v1/payment/escrow", customer=BUYER, json=body)
    assert reply.status == 200, reply.body


def dispute(http, escrow, customer=BUYER):
    return http.post(f"/v1/escrow/submit-dispute/{escrow['paymentToken']}", customer=customer,
                     data={"message": "Not as described"})


def resolve(http, escrow, status, **fields):
    return http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}",
                     data={"resolution": "Ruling", "status": status, **fields})


def disputed_standard(later, additional_fee=None, refundable=True, commission=1.5):
    """150 000, whoPays both; with a 1.5 % commission: fee 5 250 (2 625 each side)."""
    set_commission(later.http, commission)
    escrow = later.create_escrow(STANDARD)
    charge = 150000 + 2625
    if additional_fee is not None:
        body = {"additionalFee": additional_fee, "additionalFeeRefundable": refundable}
        assert later.http.put(f"/v1/escrow/additional-fee/{escrow['paymentToken']}", json=body).status == 200
        charge += additional_fee
    pay(later, escrow["id"], charge)
    assert dispute(later.http, escrow).status == 200
    return escrow


def balances(http):
    return http.get("/_sandbox/ledger").data["balances"]


def merchant_main(http):
    return http.get("/v1/merchant/balance").data["mainBalance"]


# -- standard escrows ---------------------------------------------------------------------------------


def test_resolve_refunded__the_fee_is_never_refunded(later):
    escrow = disputed_standard(later)
    reply = resolve(later.http, escrow, "REFUNDED")
    assert reply.status == 200, reply.body
    assert (reply.data["status"], reply.data["state"], reply.data["refundedBy"]) == ("REFUNDED", "CLOSED", MERCHANT_ID)
    # The held pool (150 000 - the seller's 2 625) comes back; the buyer's own 2 625 does not.
    assert balances_of(later.wallet(BUYER)) == {"mainBalance": START_BUYER - 5250, "escrowBalance": 0, "currency": "NGN"}
    assert later.wallet(SELLER)["mainBalance"] == 0
    assert merchant_main(later.http) == 2250  # the commission is earned on a refund too
    assert balances(later.http)["payluk:fees"] == 3000
    assert "split" not in reply.data


def test_resolve_refunded__additional_fee_back_when_refundable(later):
    escrow = disputed_standard(later, additional_fee=1000, refundable=True)
    assert resolve(later.http, escrow, "REFUNDED").status == 200
    assert later.wallet(BUYER)["mainBalance"] == START_BUYER - 5250
    assert merchant_main(later.http) == 2250


def test_resolve_refunded__additional_fee_to_the_merchant_when_not(later):
    escrow = disputed_standard(later, additional_fee=1000, refundable=False)
    assert resolve(later.http, escrow, "REFUNDED").status == 200
    assert later.wallet(BUYER)["mainBalance"] == START_BUYER - 5250 - 1000
    assert merchant_main(later.http) == 3250
    types = sorted(t["transactionType"] for t in later.http.get("/v1/merchant/transactions").data["data"])
    assert types == ["commission", "delivery"]


def test_resolve_refunded__the_ruling_overrides_refundable(later):
    escrow = disputed_standard(later, additional_fee=1000, refundable=False)
    reply = resolve(later.http, escrow, "REFUNDED", additionalFeeRefundable="true")
    assert reply.data["additionalFeeRefundable"] is True
    assert later.wallet(BUYER)["mainBalance"] == START_BUYER - 5250
    assert merchant_main(later.http) == 2250


def test_resolve_refunded__2026_06_returns_everything(api):
    escrow = api.create_escrow()
    api.pay(escrow["id"])
    assert dispute(api.http, escrow).status == 200
    reply = resolve(api.http, escrow, "REFUNDED", sellerAmount="0", buyerAmount="151875")  # accepted, ignored
    assert reply.status == 200, reply.body
    assert api.wallet(BUYER)["mainBalance"] == START_BUYER
    assert "split" not in reply.data


def test_resolve_completed__amounts_sent_are_ignored(later):
    escrow = disputed_standard(later, additional_fee=1000, refundable=True)
    reply = resolve(later.http, escrow, "COMPLETED", sellerAmount="150000")
    assert (reply.status, reply.data["status"], reply.data["approvedClaimBy"]) == (200, "COMPLETED", MERCHANT_ID)
    assert later.wallet(SELLER)["mainBalance"] == 147375
    assert merchant_main(later.http) == 3250  # commission + the additional fee, as on a confirm
    assert balances(later.http)["payluk:fees"] == 3000


def test_resolve_completed__2026_06_amounts_ignored(api):
    escrow = api.create_escrow()
    api.pay(escrow["id"])
    assert dispute(api.http, escrow).status == 200
    reply = api.http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}",
                          json={"resolution": "Delivered", "status": "COMPLETED", "sellerAmount": 150000})
    assert reply.status == 200, reply.body
    assert api.wallet(SELLER)["mainBalance"] == 150000 - 1875


def test_resolve_split(later):
    escrow = disputed_standard(later, additional_fee=1000, refundable=True)
    assert dispute(later.http, escrow, customer=SELLER).status == 200  # from INVESTIGATING
    reply = resolve(later.http, escrow, "split", sellerAmount="100000", buyerAmount="47375.00")
    assert reply.status == 200, reply.body
    data = reply.data
    assert (data["status"], data["state"], data["logs"]) == ("SPLIT", "CLOSED", ["PENDING", "ONGOING", "DISPUTED",
                                                                                 "INVESTIGATING"])
    assert data["split"] == {"sellerAmount": 100000, "buyerAmount": 47375, "pool": 147375,
                             "resolvedAt": "2026-06-22T10:15:00.000Z"}
    assert later.wallet(SELLER)["mainBalance"] == 100000
    assert later.wallet(BUYER)["mainBalance"] == START_BUYER - 153625 + 47375 + 1000
    assert merchant_main(later.http) == 2250
    assert later.verify(escrow["paymentToken"])["split"] == data["split"]
    events = later.http.get(f"/_sandbox/events?escrowId={escrow['id']}&type=escrow.split").data["data"]
    assert len(events) == 1


def test_resolve_split__from_disputed_with_decimals(later):
    escrow = disputed_standard(later)
    reply = later.http.post(f"/v1/escrow/dispute/resolve/{escrow['id']}", json={
        "resolution": "Half each", "status": "SPLIT", "sellerAmount": 73687.5, "buyerAmount": 73687.5})
    assert reply.status == 200, reply.body
    assert reply.data["split"]["sellerAmount"] == 73687.5
    assert later.wallet(SELLER)["mainBalance"] == 73687.5


def test_resolve_split__refused(later):
    escrow = disputed_standard(later)
    http = later.http
    for fields, message in (
        ({}, E.SPLIT_AMOUNTS_REQUIRED),
        ({"sellerAmount": "147375"}, E.SPLIT_AMOUNTS_REQUIRED),
        ({"sellerAmount": "100000", "buyerAmount": "47374.99"}, E.SPLIT_SUM_MISMATCH),
        ({"sellerAmount": "150000", "buyerAmount": "2625"}, E.SPLIT_SUM_MISMATCH),  # the fee is not shared out
        ({"sellerAmount": "1.001", "buyerAmount": "0"}, '"sellerAmount" must have no more than 2 decimal places'),
        ({"sellerAmount": "-1", "buyerAmount": "147376"}, '"sellerAmount" must be greater than or equal to 0'),
        ({"sellerAmount": "lots", "buyerAmount": "0"}, '"sellerAmount" must be a number'),
    ):
        later.error(resolve(http, escrow, "SPLIT", **fields), 400, message)
    later.error(resolve(http, escrow, "HALVES"), 400, '"status" must be one of [COMPLETED, REFUNDED, SPLIT]')
    assert later.verify(escrow["paymentToken"])["status"] == "DISPUTED"
    assert later.wallet(BUYER)["escrowBalance"] == 152625
    assert resolve(http, escrow, "SPLIT", sellerAmount="147375", buyerAmount="0").status == 200
    later.error(resolve(http, escrow, "SPLIT", sellerAmount="147375", buyerAmount="0"), 400,
                E.ESCROW_ALREADY_COMPLETED)


def test_resolve_split__without_a_dispute(later):
    escrow = later.create_escrow(STANDARD)
    pay(later, escrow["id"], 151500)
    later.error(resolve(later.http, escrow, "SPLIT", sellerAmount="1", buyerAmount="1"), 400, E.NO_DISPUTE)


def test_resolve_split__refused_in_2026_06(api):
    escrow = api.create_escrow()
    api.pay(escrow["id"])
    assert dispute(api.http, escrow).status == 200
    api.error(resolve(api.http, escrow, "SPLIT", sellerAmount="75000", buyerAmount="75000"), 400,
              E.RESOLUTION_STATUS_ONE_OF)
    assert api.verify(escrow["paymentToken"])["status"] == "DISPUTED"


# -- milestone escrows ----------------------------------------------------------------------------------


def funded_milestones(later, commission=0, released=0):
    """The docs' 1 000 000 milestone escrow (300 000 to BENEFICIARY, 500 000, 200 000), funded,
    its first `released` milestones confirmed."""
    set_commission(later.http, commission)
    escrow = later.create_milestone_escrow()
    pay(later, escrow["id"], 1000000 + escrow["fee"])
    for milestone in escrow["milestones"][:released]:
        later.confirm(escrow["id"], milestone["id"])
    return escrow


def statuses(escrow):
    return [m["status"] for m in escrow["milestones"]]


def test_milestone_dispute__opened_and_answered(later):
    escrow = funded_milestones(later, released=1)
    reply = dispute(later.http, escrow)
    assert (reply.status, reply.data["status"], reply.data["state"]) == (200, "DISPUTED", "OPENED")
    later.error(later.http.post(f"/v1/escrow/milestone/confirm/{escrow['id']}/{escrow['milestones'][1]['id']}",
                                customer=BUYER), 400, E.ACTION_NOT_ALLOWED)  # funds frozen
    later.error(dispute(later.http, escrow), 400, E.BUYER_ALREADY_DISPUTED)
    assert dispute(later.http, escrow, customer=SELLER).data["status"] == "INVESTIGATING"
    later.error(dispute(later.http, escrow, customer=SELLER), 400, E.SELLER_ALREADY_DISPUTED)
    assert later.wallet(BUYER)["escrowBalance"] == 700000 + 20000


def test_milestone_dispute__refused(later):
    unpaid = later.create_milestone_escrow()
    later.error(dispute(later.http, unpaid), 400, E.ACTION_NOT_ALLOWED)
    escrow = funded_milestones(later, released=3)
    later.error(dispute(later.http, escrow), 400, E.ALL_MILESTONES_RELEASED)
    other = funded_milestones(later)
    later.error(dispute(later.http, other, customer=SELLER), 400, E.ACTION_NOT_ALLOWED)  # the seller cannot open


def test_milestone_dispute__refused_in_2026_06(api):
    escrow = api.funded_milestone_escrow()
    api.error(dispute(api.http, escrow), 400, E.MILESTONE_NOT_DISPUTABLE)


def test_milestone_dispute__completed(later):
    escrow = funded_milestones(later, commission=1, released=1)
    assert dispute(later.http, escrow).status == 200
    reply = resolve(later.http, escrow, "COMPLETED")
    assert (reply.data["status"], reply.data["state"]) == ("COMPLETED", "CLOSED")
    assert statuses(reply.data) == ["RELEASED", "RELEASED", "RELEASED"]
    assert all(m["releasedAt"] for m in reply.data["milestones"])
    assert later.wallet(BENEFICIARY)["mainBalance"] == 300000
    assert later.wallet(SELLER)["mainBalance"] == 700000
    assert merchant_main(later.http) == 10000
    assert balances(later.http)["payluk:fees"] == 20000


def test_milestone_dispute__refunded(later):
    escrow = funded_milestones(later, commission=1, released=1)
    assert dispute(later.http, escrow).status == 200
    reply = resolve(later.http, escrow, "REFUNDED")
    assert (reply.data["status"], statuses(reply.data)) == ("REFUNDED", ["RELEASED", "REFUNDED", "REFUNDED"])
    assert balances_of(later.wallet(BUYER)) == {"mainBalance": START_BUYER - 1030000 + 700000, "escrowBalance": 0,
                                                "currency": "NGN"}
    assert merchant_main(later.http) == 10000
    assert balances(later.http)["payluk:fees"] == 20000


def test_milestone_dispute__split(later):
    escrow = funded_milestones(later, released=1)
    assert dispute(later.http, escrow).status == 200
    later.error(resolve(later.http, escrow, "SPLIT", sellerAmount="500000", buyerAmount="500000"), 400,
                E.SPLIT_SUM_MISMATCH)
    reply = resolve(later.http, escrow, "SPLIT", sellerAmount="400000", buyerAmount="300000")
    assert (reply.data["status"], statuses(reply.data)) == ("SPLIT", ["RELEASED", "SPLIT", "SPLIT"])
    assert reply.data["split"]["pool"] == 700000
    assert later.wallet(SELLER)["mainBalance"] == 400000  # the seller's part goes to the seller
    assert later.wallet(BENEFICIARY)["mainBalance"] == 300000  # the first milestone, released before
    assert later.wallet(BUYER)["mainBalance"] == START_BUYER - 1020000 + 300000
