// The seller may claim a funded standard escrow once `paidAt + maxDelivery × deliveryTimeline`
// has passed. The sandbox's clock controls stop and move the namespace's time: no waiting three
// days, and the edge of the window is exact.

import assert from "node:assert/strict";

import { PaylukError } from "../src/payluk.mjs";
import { sandboxTest } from "./sandbox.mjs";

const notYet = (err) => err instanceof PaylukError && err.status === 400 && err.message === "Escrow cannot be claimed yet";

sandboxTest("the seller claims once the 3-day delivery window has passed, not a second before", async (ns) => {
  const { payluk } = ns;
  await ns.control("POST", "/clock/freeze"); // time moves only when the test moves it
  const { seller, buyer } = await ns.parties();
  const escrow = await payluk.createEscrow(seller, {
    amount: 150000, purpose: 'MacBook Pro 14"', description: "Space grey, sealed", whoPays: "both",
    maxDelivery: 3, deliveryTimeline: "days",
  });
  assert.deepEqual([escrow.settlementType, escrow.fee, escrow.maxDelivery], ["STANDARD", 3750, 3]);

  const payment = await payluk.payEscrow(buyer, escrow);
  assert.equal(payment.amount, 150000 + 1875); // whoPays both: the buyer pays half the fee

  await assert.rejects(payluk.claimFunds(seller, escrow.paymentToken), notYet);
  const almost = await ns.advance("P2DT23H59M59S");
  assert.deepEqual(almost.due, []);
  await assert.rejects(payluk.claimFunds(seller, escrow.paymentToken), notYet);

  const moved = await ns.advance("PT1S");
  assert.deepEqual(moved.due.map((due) => [due.type, due.escrowId]), [["escrow.claimable", escrow.id]]);
  const claimed = await payluk.claimFunds(seller, escrow.paymentToken);
  assert.deepEqual([claimed.state, claimed.status], ["CLOSED", "CLAIMED"]);

  assert.equal((await payluk.wallet(seller)).mainBalance, 150000 - 1875); // less the seller's half of the fee
  await assert.rejects(payluk.claimFunds(seller, escrow.paymentToken),
    (err) => err instanceof PaylukError && err.status === 400 && err.message === "Action not allowed");
});
