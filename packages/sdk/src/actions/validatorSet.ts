import { validatorSetAbi } from "@plasma/contracts";
import { type Address, type Hex, parseEventLogs } from "viem";
import { accountAddress, type PlasmaClient, read, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";
import { approveXpl, getXplAllowance } from "./token.ts";

const setAbi = [...validatorSetAbi, ...plasmaErrorsAbi] as const;

/** A validator's stake and record, from the validator set. */
export type ValidatorInfo = {
  address: Address;
  stake: bigint;
  /** In the draw set now (it may still be under the minimum stake). */
  active: boolean;
  /** 0 while active; when the stake may be withdrawn after an exit request (unix seconds). */
  exitAt: number;
  /** Verifications and hardware checks it is part of that have not ended. */
  openAssignments: number;
  attested: number;
  missed: number;
  disputesLost: number;
};

function send(client: PlasmaClient, action: string, functionName: string, args: readonly unknown[]) {
  return writeAndWait(client, action, { address: client.addresses.validatorSet, abi: setAbi, functionName, args });
}

/**
 * Reads a validator's stake and record.
 * @param validator The validator's address.
 * @returns Its stake, whether it is in the draw set, and its counters.
 * @example const v = await getValidator(client, "0x…"); console.log(v.stake, v.active);
 */
export async function getValidator(client: PlasmaClient, validator: Address): Promise<ValidatorInfo> {
  const v = await read(client, () =>
    client.public.readContract({
      address: client.addresses.validatorSet,
      abi: setAbi,
      functionName: "getValidator",
      args: [validator],
    }),
  );
  return {
    address: validator,
    stake: v.stake,
    active: v.slot !== 0,
    exitAt: Number(v.exitAt),
    openAssignments: v.openAssignments,
    attested: v.attested,
    missed: v.missed,
    disputesLost: v.disputesLost,
  };
}

/**
 * Lists the validators in the draw set now.
 * @returns Their addresses, in slot order.
 * @example const validators = await activeValidators(client);
 */
export async function activeValidators(client: PlasmaClient): Promise<readonly Address[]> {
  return read(client, () =>
    client.public.readContract({
      address: client.addresses.validatorSet,
      abi: setAbi,
      functionName: "activeValidators",
    }),
  );
}

/**
 * Stakes XPL as a validator in the validator set (approving it first when needed). The stake counts in draws
 * from the next block on.
 * @param amount XPL wei; the first stake must reach the protocol's minimum validator stake.
 * @returns The transaction hash.
 * @example await stakeValidator(client, parseEther("10000"));
 */
export async function stakeValidator(client: PlasmaClient, amount: bigint): Promise<Hex> {
  const me = accountAddress(client, "Staking as a validator");
  const spender = client.addresses.validatorSet;
  if ((await getXplAllowance(client, me, spender)) < amount) await approveXpl(client, { spender, amount });
  return (await send(client, "Staking as a validator", "stake", [amount])).transactionHash;
}

/**
 * Leaves the validator set: no longer drawn from the next block on; the stake can be withdrawn after the
 * unbonding period once every open assignment has ended.
 * @returns The transaction hash.
 * @example await requestValidatorExit(client);
 */
export async function requestValidatorExit(client: PlasmaClient): Promise<Hex> {
  return (await send(client, "Leaving the validator set", "requestExit", [])).transactionHash;
}

/**
 * Withdraws an exited validator's stake.
 * @returns The transaction hash and the XPL wei withdrawn.
 * @example const { amount } = await withdrawValidatorStake(client);
 */
export async function withdrawValidatorStake(client: PlasmaClient): Promise<{ hash: Hex; amount: bigint }> {
  const receipt = await send(client, "Withdrawing a validator's stake", "withdraw", []);
  const [event] = parseEventLogs({ abi: validatorSetAbi, eventName: "ValidatorWithdrawn", logs: receipt.logs });
  return { hash: receipt.transactionHash, amount: event?.args.amount ?? 0n };
}
