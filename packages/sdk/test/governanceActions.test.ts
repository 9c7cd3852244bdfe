import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeProposalActions, encodeProposalActions, formatParameter, type ProposalAction } from "@plasma/sdk";

const addresses = {
  protocolParameters: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  xplToken: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
} as const;

describe("proposal actions", () => {
  it("encode to governor calls and decode back to the same actions", () => {
    const actions: ProposalAction[] = [
      { kind: "set-parameter", name: "emissionPerEpoch", value: 25_000n * 10n ** 18n },
      { kind: "grant", to: "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc", amount: 1n },
      { kind: "set-treasury", address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" },
    ];
    const { targets, values, calldatas } = encodeProposalActions(addresses, actions);
    assert.deepEqual(targets, [addresses.protocolParameters, addresses.xplToken, addresses.protocolParameters]);
    assert.deepEqual(values, [0n, 0n, 0n]);
    assert.deepEqual(decodeProposalActions(addresses, targets, values, calldatas), actions);
  });

  it("shows calls it does not know as raw calls instead of guessing", () => {
    const raw = { kind: "call", target: addresses.xplToken, value: 0n, data: "0xdeadbeef" } as const;
    assert.deepEqual(decodeProposalActions(addresses, [raw.target], [raw.value], [raw.data]), [raw]);
    const paid = { ...raw, value: 5n, data: "0x" as const };
    assert.deepEqual(decodeProposalActions(addresses, [paid.target], [paid.value], [paid.data]), [paid]);
  });

  it("formats values in their parameter's unit", () => {
    assert.equal(formatParameter("protocolFeeBps", 250n), "250 bps (2.5 %)");
    assert.equal(formatParameter("minProviderStake", 1500n * 10n ** 18n), "1500 XPL");
    assert.equal(formatParameter("unbondingPeriod", 604_800n), "604800 s");
  });
});
