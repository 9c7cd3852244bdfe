/** Stages of a lease's verification, in the order of the contract's `Stage` enum. A module of its own, with no
 * imports: the error messages need it too, and the verification actions import those messages. */
export const VERIFICATION_STAGES = [
  "none",
  "pending",
  "needs-validator",
  "assigned",
  "committed",
  "revealed",
  "final-reveal",
  "released",
  "verified",
  "failed",
  "refunded",
] as const;
export type VerificationStage = (typeof VERIFICATION_STAGES)[number];
