import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { protocolParametersAbi } from "@plasma/contracts";
import {
  decodeProposalActions,
  encodeProposalActions,
  formatParameter,
  GOVERNED_PARAMETERS,
  governedParameterNames,
  type ProposalAction,
} from "@plasma/sdk";
import { encodeFunctionData, stringToHex } from "viem";

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
      { kind: "call", target: "0x0000000000000000000000000000000000000001", value: 7n, data: "0x1234" },
    ];
    const { targets, values, calldatas } = encodeProposalActions(addresses, actions);
    assert.deepEqual(targets, [
      addresses.protocolParameters,
      addresses.xplToken,
      addresses.protocolParameters,
      "0x0000000000000000000000000000000000000001",
    ]);
    assert.deepEqual(values, [0n, 0n, 0n, 7n]);
    assert.equal(
      calldatas[0],
      encodeFunctionData({
        abi: protocolParametersAbi,
        functionName: "setParameter",
        args: [stringToHex("emissionPerEpoch", { size: 32 }), 25_000n * 10n ** 18n],
      }),
      "the name goes on chain as its bytes32 (left-aligned, zero-padded)",
    );
    assert.deepEqual(decodeProposalActions(addresses, targets, values, calldatas), actions);
  });

  it("round-trips every governed parameter in the table, at both ends of uint256", () => {
    assert.deepEqual(governedParameterNames(), Object.keys(GOVERNED_PARAMETERS));
    for (const name of governedParameterNames()) {
      for (const value of [0n, 1n, 2n ** 256n - 1n]) {
        const action: ProposalAction = { kind: "set-parameter", name, value };
        const { targets, values, calldatas } = encodeProposalActions(addresses, [action]);
        assert.deepEqual(decodeProposalActions(addresses, targets, values, calldatas), [action], name);
      }
    }
  });

  it("shows calls it does not know as raw calls instead of guessing", () => {
    const raw = { kind: "call", target: addresses.xplToken, value: 0n, data: "0xdeadbeef" } as const;
    assert.deepEqual(decodeProposalActions(addresses, [raw.target], [raw.value], [raw.data]), [raw]);
    const paid = { ...raw, value: 5n, data: "0x" as const };
    assert.deepEqual(decodeProposalActions(addresses, [paid.target], [paid.value], [paid.data]), [paid]);
    // setParameter with a name outside the table: a real call, but not one we can describe
    const unknown = encodeFunctionData({
      abi: protocolParametersAbi,
      functionName: "setParameter",
      args: [stringToHex("notAParameter", { size: 32 }), 1n],
    });
    assert.deepEqual(decodeProposalActions(addresses, [addresses.protocolParameters], [0n], [unknown]), [
      { kind: "call", target: addresses.protocolParameters, value: 0n, data: unknown },
    ]);
    // a transfer sent to another contract than the XPL token is not a treasury grant
    const transfer = encodeProposalActions(addresses, [{ kind: "grant", to: addresses.xplToken, amount: 1n }])
      .calldatas[0] as `0x${string}`;
    assert.deepEqual(decodeProposalActions(addresses, [addresses.protocolParameters], [0n], [transfer]), [
      { kind: "call", target: addresses.protocolParameters, value: 0n, data: transfer },
    ]);
  });

  it("formats values in their parameter's unit", () => {
    assert.equal(formatParameter("protocolFeeBps", 250n), "250 bps (2.5 %)");
    assert.equal(formatParameter("minProviderStake", 1500n * 10n ** 18n), "1500 XPL");
    assert.equal(formatParameter("minProviderStake", 15n * 10n ** 17n), "1.5 XPL");
    assert.equal(formatParameter("unbondingPeriod", 604_800n), "604800 s (7d)");
    assert.equal(formatParameter("startDeadline", 5_405n), "5405 s (1h 30m 5s)");
    assert.equal(formatParameter("startDeadline", 0n), "0 s (0s)");
  });
});
