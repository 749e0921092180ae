"""Sandbox-only controls under /_sandbox (never mixed into /v1): reset, ledger, invariants."""

from flask import Blueprint, current_app, g

from sandbox import __version__
from sandbox.clock import iso
from sandbox.api.auth import public
from sandbox.api.http import call, envelope
from sandbox.domain import invariants
from sandbox.domain.money import kobo_to_wire
from sandbox.schemas.customer import CUSTOMERS

bp = Blueprint("sandbox_admin", __name__)


@bp.get("/healthz")
@public
def healthz():
    return envelope(200, "OK", {"version": __version__})


@bp.post("/_sandbox/reset")
def reset():
    current_app.extensions["sandbox"].store.reset(g.key)
    customers = call(lambda ns: ns.all("customers"))
    return envelope(200, "Sandbox reset successfully", {"customers": CUSTOMERS.dump(customers)})


@bp.get("/_sandbox/ledger")
def ledger():
    def read(ns):
        return ns.postings(), ns.balances()

    postings, balances = call(read)
    return envelope(200, "Ledger fetched successfully", {
        "balances": {account: kobo_to_wire(amount) for account, amount in sorted(balances.items())},
        "postings": [_posting(p) for p in postings],
    })


def _posting(posting: dict) -> dict:
    out = {"id": posting["id"], "at": iso(posting["at_ms"]), "kind": posting["kind"]}
    for key, wire in (("escrow_id", "escrowId"), ("milestone_id", "milestoneId"),
                      ("customer_id", "customerId"), ("reference", "reference")):
        if key in posting:
            out[wire] = posting[key]
    out["entries"] = [[account, kobo_to_wire(amount)] for account, amount in posting["entries"]]
    return out


@bp.get("/_sandbox/invariants")
def check_invariants():
    violations = call(invariants.check)
    return envelope(200, "Invariants checked", {"ok": not violations, "violations": violations})
