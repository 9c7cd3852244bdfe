import type { Devnet } from "@plasma/sdk";
import { createWalletClient, http, parseAbi, stringToHex } from "viem";

/** Sets a protocol parameter as the timelock would after a vote: anvil lets the test act as it. */
export async function setParameterAsGovernance(devnet: Devnet, name: string, value: bigint): Promise<void> {
  const rpc = devnet.deployment.rpcUrl;
  const timelock = devnet.deployment.contracts.timelock;
  const request = (method: string, params: unknown[]) =>
    fetch(rpc, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    });
  await request("anvil_impersonateAccount", [timelock]);
  await request("anvil_setBalance", [timelock, "0x56BC75E2D63100000"]);
  const wallet = createWalletClient({ account: timelock, transport: http(rpc) });
  await wallet.writeContract({
    chain: null,
    address: devnet.deployment.contracts.protocolParameters,
    abi: parseAbi(["function setParameter(bytes32 name, uint256 value)"]),
    functionName: "setParameter",
    args: [stringToHex(name, { size: 32 }), value],
  });
  await request("anvil_stopImpersonatingAccount", [timelock]);
}

/** Waits for a condition on chain, checking it again every 250 ms (the chain changes between checks). */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
