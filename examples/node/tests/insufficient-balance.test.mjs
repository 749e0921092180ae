// A buyer whose wallet cannot cover the escrow: the client surfaces Payluk's envelope `message`,
// nothing moves, and once the wallet is funded the same payment goes through.

import assert from "node:assert/strict";

import { PaylukError } from "../src/payluk.mjs";
import { sandboxTest, websiteEscrow } from "./sandbox.mjs";

sandboxTest("a wallet payment beyond the balance: Insufficient balance, nothing moves", async (ns) => {
  const { payluk } = ns;
  const { seller, poorBuyer, beneficiary } = await ns.parties();
  const escrow = await payluk.createMilestoneEscrow(seller, websiteEscrow(beneficiary));

  const refused = await payluk.payEscrow(poorBuyer, escrow).then(() => null, (err) => err);
  assert.ok(refused instanceof PaylukError, `expected a PaylukError, got ${refused}`);
  assert.equal(refused.status, 400);
  assert.equal(refused.message, "Insufficient balance");
  assert.deepEqual(refused.body, { status: 400, message: "Insufficient balance", data: {} });

  const wallet = await payluk.wallet(poorBuyer);
  assert.deepEqual([wallet.mainBalance, wallet.escrowBalance], [10000, 0]);
  assert.equal((await payluk.verify(escrow.paymentToken, poorBuyer)).state, "AWAITING_PAYMENT");

  // The sandbox's helper tops the wallet up to exactly what is due (amount + the buyer's fee).
  await ns.control("POST", "/helpers/fund-customer", { customerId: poorBuyer, amount: 1025000 - 10000 });
  const payment = await payluk.payEscrow(poorBuyer, escrow);
  assert.deepEqual([payment.status, payment.amount], ["SUCCESS", 1025000]);
  const funded = await payluk.wallet(poorBuyer);
  assert.deepEqual([funded.mainBalance, funded.escrowBalance], [0, 1025000]);
});
