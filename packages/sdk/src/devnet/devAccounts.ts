import type { Address, Hex } from "viem";
import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** anvil's public development mnemonic: its keys are known to everyone, never use them for value. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The devnet's named accounts, by anvil account index. */
export const DEV_ACCOUNT_NAMES = ["deployer", "client", "provider1", "provider2", "validator", "builder"] as const;
export type DevAccountName = (typeof DEV_ACCOUNT_NAMES)[number];

/** Derives the named dev accounts from anvil's mnemonic. */
export function devAccounts(): Record<DevAccountName, { address: Address; privateKey: Hex }> {
  return Object.fromEntries(
    DEV_ACCOUNT_NAMES.map((name, addressIndex) => {
      const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex });
      const key = account.getHdKey().privateKey;
      if (!key) throw new Error(`could not derive the key of dev account ${name}`);
      return [name, { address: account.address, privateKey: bytesToHex(key) }];
    }),
  ) as Record<DevAccountName, { address: Address; privateKey: Hex }>;
}
