import { createHmac, randomBytes } from "node:crypto";
import type { Hex } from "viem";
import type { ProviderDb } from "../state/db.ts";

const SECRET_KEY = "result-salt-secret";

/**
 * Salts for result commitments, derived from a secret the node keeps in its database: the same salt
 * after a restart (it must be revealed later), and nobody else can compute it before it is revealed.
 */
export function createResultSalts(db: ProviderDb): (leaseId: string) => Hex {
  let secret = db.getMeta(SECRET_KEY);
  if (!secret) {
    secret = randomBytes(32).toString("hex");
    db.setMeta(SECRET_KEY, secret);
  }
  const key = Buffer.from(secret, "hex");
  return (leaseId) => `0x${createHmac("sha256", key).update(`lease:${leaseId}`).digest("hex")}`;
}
