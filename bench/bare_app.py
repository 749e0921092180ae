"""The stack's ceiling: bare Flask answering Payluk's paths with a Payluk-sized envelope.

No state, no validation, no ledger: each route parses its JSON body (as any JSON API must)
and answers a fixed escrow of the same size and shape as the sandbox's. Served by the same
granian configuration as the sandbox (sandbox.server.cli.granian), it is what Flask on this server
can do at best; `trivial` (a raw WSGI callable) is the load generator's own ceiling.
"""

import json

from flask import Flask, request

MILESTONE = {"id": "665f1b2c9a1e4d0012ab3c51", "title": "Design", "description": None, "amount": 1000,
             "dueDate": None, "status": "PENDING", "releasedAt": None, "customerId": None}
ESCROW = {
    "id": "665f1b2c9a1e4d0012ab3c50", "amount": 2000, "purpose": "bench", "description": None, "whoPays": "buyer",
    "imageUrl": [], "fee": 50, "paymentToken": "PY_benchtoken1", "paidAt": None, "status": "PENDING",
    "state": "CREATED", "logs": [], "channel": "API", "isSeller": True, "dispute": None, "paymentDetails": None,
    "category": None, "completedAt": None, "approvedClaimBy": None, "refundedBy": None, "maxDelivery": None,
    "deliveryTimeline": None, "totalQuantity": 1, "settlementType": "MILESTONE",
    "milestones": [MILESTONE, {**MILESTONE, "id": "665f1b2c9a1e4d0012ab3c52", "title": "Build"}],
    "createdAt": "2026-06-22T10:15:00.000Z", "updatedAt": "2026-06-22T10:15:00.000Z", "additionalFee": 0,
    "additionalFeeRefundable": True,
}
PAYMENT = {"reference": "ESC_REF_51CF22BF1B45", "status": "SUCCESS", "amount": 2050}


def create_app() -> Flask:
    app = Flask("bare")

    def answer(status: int, message: str, data) -> object:
        body = json.dumps({"status": status, "message": message, "data": data})
        return app.response_class(body, status=status, mimetype="application/json")

    @app.post("/v1/escrow/milestone/create")
    def create():
        request.get_json()
        return answer(201, "Milestone escrow created successfully", ESCROW)

    @app.post("/v1/payment/escrow")
    def pay():
        request.get_json()
        return answer(200, "Payment intent verified successfully", PAYMENT)

    @app.post("/v1/escrow/milestone/confirm/<escrow_id>/<milestone_id>")
    def confirm(escrow_id, milestone_id):
        return answer(200, "Milestone confirmed successfully", ESCROW)

    @app.get("/v1/escrow/verify/<token>")
    def verify(token):
        return answer(200, "Escrow fetched successfully", ESCROW)

    @app.get("/healthz")
    def healthz():
        return answer(200, "OK", {})

    return app


def trivial_app():
    """A raw WSGI callable answering 2 bytes: what the server and load generator cost alone."""

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    return app
