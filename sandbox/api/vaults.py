"""Vault escrow routes ([B], profile 2026-10; docs.payluk.ng concepts/vault-escrows): create,
name the winner, cancel, read. Merchant routes: no `customer-id`, a super-admin key; earlier
profiles answer them 404 as unknown routes."""

from flask import Blueprint

from sandbox.api.documented import CATEGORY_NOT_FOUND, ESCROW_NOT_FOUND, NOT_ALLOWED, SUPER, Tag, doc, introduced
from sandbox.api.http import call, envelope, json_body, no_customer_header
from sandbox.domain import errors as E
from sandbox.domain import vaults
from sandbox.domain.profiles import OCTOBER
from sandbox.schemas import escrow as esc
from sandbox.schemas import vault as vlt
from sandbox.schemas.base import load
from sandbox.schemas.escrow import dump_escrow
from sandbox.schemas.vault import VAULT_CREATE, VAULT_WINNER

bp = Blueprint("vaults", __name__)

# The rules of a vault's participants, each refused with its own message (sandbox wording).
PARTICIPANT_RULES = ((400, E.VAULT_PARTICIPANTS_MIN_TWO), (400, E.VAULT_STAKE_INVALID),
                     (400, E.VAULT_PARTICIPANTS_UNIQUE), (404, E.CUSTOMER_NOT_FOUND),
                     (400, E.VAULT_PARTICIPANT_INACTIVE), (400, E.VAULT_POT_MIN), (400, E.INSUFFICIENT_BALANCE))


@bp.post("/v1/escrow/vault/create")
@introduced(OCTOBER)
@doc(Tag.ESCROWS, "Create a vault escrow: each participant's stake is locked in their escrow balance",
     data=esc.EscrowSchema, status=201, message="Vault escrow created successfully", body=vlt.VaultCreateSchema,
     customer="absent", errors=SUPER + PARTICIPANT_RULES + CATEGORY_NOT_FOUND,
     description="All or nothing: if any participant's main balance is short, no stake moves. The vault is "
                 "born OPENED/ONGOING; its fee (the escrow tariff on the pot) is paid out of the pot.")
def create_vault():
    no_customer_header()
    escrow = call(vaults.create_vault, load(VAULT_CREATE, json_body()))
    return envelope(201, "Vault escrow created successfully", dump_escrow(escrow, None))


@bp.post("/v1/escrow/vault/winner/<token>")
@introduced(OCTOBER)
@doc(Tag.ESCROWS, "Name a vault's winner: the pot minus the fee goes to that participant", data=esc.EscrowSchema,
     message="Vault winner selected successfully", body=vlt.VaultWinnerSchema, customer="absent",
     errors=SUPER + ESCROW_NOT_FOUND + NOT_ALLOWED + ((400, E.VAULT_WINNER_NOT_PARTICIPANT),))
def choose_winner(token):
    no_customer_header()
    escrow = call(vaults.choose_winner, token, load(VAULT_WINNER, json_body()))
    return envelope(200, "Vault winner selected successfully", dump_escrow(escrow, None))


@bp.post("/v1/escrow/vault/cancel/<token>")
@introduced(OCTOBER)
@doc(Tag.ESCROWS, "Cancel a vault: each stake goes back minus its pro-rata part of the fee", data=esc.EscrowSchema,
     message="Vault escrow cancelled successfully", customer="absent", errors=SUPER + ESCROW_NOT_FOUND + NOT_ALLOWED)
def cancel_vault(token):
    no_customer_header()
    escrow = call(vaults.cancel_vault, token)
    return envelope(200, "Vault escrow cancelled successfully", dump_escrow(escrow, None))


@bp.get("/v1/escrow/vault/<segment:token>")
@introduced(OCTOBER)
@doc(Tag.ESCROWS, "A vault escrow by its payment token", data=esc.EscrowSchema,
     message="Vault escrow fetched successfully", customer="absent", errors=SUPER + ESCROW_NOT_FOUND)
def get_vault(token):
    no_customer_header()
    escrow = call(vaults.get_vault, token)
    return envelope(200, "Vault escrow fetched successfully", dump_escrow(escrow, None))
