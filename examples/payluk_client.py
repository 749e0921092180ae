"""A tiny Payluk escrow client, written as an integrator would write it (only `requests`).

It knows nothing about the sandbox: give it Payluk's staging URL and a real `sk_test_` key, or
the sandbox's URL and any `sk_test_` key, and it behaves the same. Every Payluk answer is the
envelope `{"status", "message", "data"}`; the client returns `data` and raises `PaylukError`
(with the HTTP status and Payluk's message) on anything else than 2xx.
"""

from __future__ import annotations

import requests

STAGING_URL = "https://staging.api.payluk.ng"


class PaylukError(Exception):
    """A non-2xx answer from Payluk: `status` (HTTP code) and `message` (Payluk's text)."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message


class PaylukClient:
    """Payluk's /v1 API for a merchant acting on behalf of its customers (`customer-id`)."""

    def __init__(self, base_url: str = STAGING_URL, secret_key: str = "", timeout: float = 30):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {secret_key}"

    # -- escrows (the seller is the customer-id) -----------------------------------------------
    def create_milestone_escrow(self, seller_id: str, *, amount: int, purpose: str, milestones: list[dict],
                                who_pays: str = "buyer", **extra) -> dict:
        """POST /v1/escrow/milestone/create (JSON). Milestone amounts must add up to `amount`."""
        body = {"amount": amount, "purpose": purpose, "whoPays": who_pays, "milestones": milestones, **extra}
        return self._call("POST", "/v1/escrow/milestone/create", seller_id, json=body)

    def create_escrow(self, seller_id: str, *, amount: int, purpose: str, who_pays: str = "both",
                      max_delivery: int = 3, delivery_timeline: str = "days", **extra) -> dict:
        """POST /v1/escrow/create (multipart/form-data, as Payluk documents it)."""
        form = {"amount": amount, "purpose": purpose, "whoPays": who_pays, "maxDelivery": max_delivery,
                "deliveryTimeline": delivery_timeline, **extra}
        # requests sends `data=` as urlencoded; an (empty) files part forces multipart/form-data.
        files = {name: (None, str(value)) for name, value in form.items()}
        return self._call("POST", "/v1/escrow/create", seller_id, files=files)

    def verify(self, payment_token: str, customer_id: str | None = None) -> dict:
        """GET /v1/escrow/verify/{paymentToken}: the escrow behind a payment link."""
        return self._call("GET", f"/v1/escrow/verify/{payment_token}", customer_id)

    def milestones(self, payment_token: str) -> list[dict]:
        """GET /v1/escrow/milestone/{paymentToken}."""
        return self._call("GET", f"/v1/escrow/milestone/{payment_token}")

    def claim_funds(self, seller_id: str, payment_token: str) -> dict:
        """GET /v1/escrow/claim-funds/{paymentToken} (yes, a GET that moves money)."""
        return self._call("GET", f"/v1/escrow/claim-funds/{payment_token}", seller_id)

    # -- the buyer's side ----------------------------------------------------------------------
    def pay_escrow(self, buyer_id: str, escrow_id: str, *, gateway: str = "WALLET",
                   reference: str | None = None) -> dict:
        """POST /v1/payment/escrow: fund the whole escrow (amount + the buyer's fee share)."""
        body = {"gateway": gateway, "transactionType": "ESCROW", "escrowDetails": {"escrowId": escrow_id}}
        if reference is not None:
            body["reference"] = reference
        return self._call("POST", "/v1/payment/escrow", buyer_id, json=body)

    def confirm_milestone(self, buyer_id: str, escrow_id: str, milestone_id: str) -> dict:
        """POST /v1/escrow/milestone/confirm/{escrowId}/{milestoneId}: release one milestone."""
        return self._call("POST", f"/v1/escrow/milestone/confirm/{escrow_id}/{milestone_id}", buyer_id)

    # -- wallets -------------------------------------------------------------------------------
    def wallet(self, customer_id: str) -> dict:
        """GET /v1/wallet: `{mainBalance, escrowBalance, currency}`."""
        return self._call("GET", "/v1/wallet", customer_id)

    # -- plumbing ------------------------------------------------------------------------------
    def _call(self, method: str, path: str, customer_id: str | None = None, **kwargs):
        headers = {"customer-id": customer_id} if customer_id else {}
        reply = self.session.request(method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs)
        try:
            body = reply.json()
        except ValueError:
            raise PaylukError(reply.status_code, reply.text[:200] or reply.reason) from None
        if not 200 <= reply.status_code < 300:
            message = body.get("message") if isinstance(body, dict) else None
            raise PaylukError(reply.status_code, message or reply.reason)
        return body.get("data")
