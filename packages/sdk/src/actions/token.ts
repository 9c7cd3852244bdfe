import { xplTokenAbi } from "@plasma/contracts";
import { type Address, formatEther, type Hex, parseSignature } from "viem";
import { accountAddress, type PlasmaClient, read, requireWallet, writeAndWait } from "../clients/createPlasmaClient.ts";
import { plasmaErrorsAbi } from "../errors/contract.ts";

const tokenAbi = [...xplTokenAbi, ...plasmaErrorsAbi] as const;

/** Formats XPL wei for people: `1234.5 XPL`. */
export function formatXpl(wei: bigint): string {
  return `${formatEther(wei)} XPL`;
}

/**
 * Returns an account's XPL balance.
 * @example const wei = await getXplBalance(client, "0x7099…");
 */
export async function getXplBalance(client: PlasmaClient, owner: Address): Promise<bigint> {
  return read(client, () =>
    client.public.readContract({
      address: client.addresses.xplToken,
      abi: tokenAbi,
      functionName: "balanceOf",
      args: [owner],
    }),
  );
}

/** Returns how much XPL `spender` may move for `owner`. */
export async function getXplAllowance(client: PlasmaClient, owner: Address, spender: Address): Promise<bigint> {
  return read(client, () =>
    client.public.readContract({
      address: client.addresses.xplToken,
      abi: tokenAbi,
      functionName: "allowance",
      args: [owner, spender],
    }),
  );
}

/**
 * Sends XPL from the client's account.
 * @returns The transaction hash.
 * @example await transferXpl(client, { to: "0x7099…", amount: parseEther("10") });
 */
export async function transferXpl(client: PlasmaClient, params: { to: Address; amount: bigint }): Promise<Hex> {
  const receipt = await writeAndWait(client, "Sending XPL", {
    address: client.addresses.xplToken,
    abi: tokenAbi,
    functionName: "transfer",
    args: [params.to, params.amount],
  });
  return receipt.transactionHash;
}

/** Approves `spender` to move `amount` XPL from the client's account. */
export async function approveXpl(client: PlasmaClient, params: { spender: Address; amount: bigint }): Promise<Hex> {
  const receipt = await writeAndWait(client, "Approving XPL", {
    address: client.addresses.xplToken,
    abi: tokenAbi,
    functionName: "approve",
    args: [params.spender, params.amount],
  });
  return receipt.transactionHash;
}

/** An EIP-2612 permit, split for the contracts' `…WithPermit` functions. */
export type XplPermit = { value: bigint; deadline: bigint; v: number; r: Hex; s: Hex };

/**
 * Signs an EIP-2612 permit (off chain, no transaction) letting `spender` move `value` XPL.
 * @param lifetimeSeconds How long the permit stays valid (default one hour).
 */
export async function signXplPermit(
  client: PlasmaClient,
  params: { spender: Address; value: bigint; lifetimeSeconds?: number },
): Promise<XplPermit> {
  const wallet = requireWallet(client, "Signing a permit");
  const owner = accountAddress(client, "Signing a permit");
  const [nonce, block] = await read(client, () =>
    Promise.all([
      client.public.readContract({
        address: client.addresses.xplToken,
        abi: tokenAbi,
        functionName: "nonces",
        args: [owner],
      }),
      client.public.getBlock(),
    ]),
  );
  const deadline = block.timestamp + BigInt(params.lifetimeSeconds ?? 3600);
  const signature = await wallet.signTypedData({
    domain: { name: "Plasma", version: "1", chainId: client.chain.id, verifyingContract: client.addresses.xplToken },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner, spender: params.spender, value: params.value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { value: params.value, deadline, r, s, v: Number(v ?? BigInt(yParity + 27)) };
}

/**
 * Delegates the account's XPL voting power (to itself, to vote directly, or to anyone else);
 * XPL counts for governance only once delegated.
 * @example await delegateVotes(client, { to: client.account.address });
 */
export async function delegateVotes(client: PlasmaClient, params: { to: Address }): Promise<Hex> {
  const receipt = await writeAndWait(client, "Delegating votes", {
    address: client.addresses.xplToken,
    abi: tokenAbi,
    functionName: "delegate",
    args: [params.to],
  });
  return receipt.transactionHash;
}

/** An account's current voting power and who it delegates its own XPL to (null: nobody yet). */
export async function getVotingPower(
  client: PlasmaClient,
  account: Address,
): Promise<{ votes: bigint; delegate: Address | null }> {
  const [votes, delegate] = await Promise.all([
    client.public.readContract({
      address: client.addresses.xplToken,
      abi: tokenAbi,
      functionName: "getVotes",
      args: [account],
    }),
    client.public.readContract({
      address: client.addresses.xplToken,
      abi: tokenAbi,
      functionName: "delegates",
      args: [account],
    }),
  ]);
  return { votes, delegate: /^0x0{40}$/.test(delegate) ? null : delegate };
}
