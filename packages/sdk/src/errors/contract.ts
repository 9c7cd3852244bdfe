import {
  computeMarketAbi,
  hardwareChecksAbi,
  paymentChannelsAbi,
  plasmaGovernorAbi,
  protocolParametersAbi,
  providerRegistryAbi,
  rewardsDistributorAbi,
  timelockControllerAbi,
  validatorSetAbi,
  verificationManagerAbi,
  xplTokenAbi,
} from "@plasma/contracts";
import {
  BaseError,
  ContractFunctionRevertedError,
  formatEther,
  type Hex,
  HttpRequestError,
  hexToString,
  TimeoutError,
  WebSocketRequestError,
} from "viem";
import { VERIFICATION_STAGES } from "../actions/verificationStages.ts";
import { PlasmaError } from "./base.ts";
import { RpcUnreachableError } from "./errors.ts";

/** Every custom error any Plasma contract (or the OpenZeppelin code inside it) can revert with. */
export const plasmaErrorsAbi = dedupeErrors([
  ...computeMarketAbi,
  ...providerRegistryAbi,
  ...rewardsDistributorAbi,
  ...verificationManagerAbi,
  ...validatorSetAbi,
  ...hardwareChecksAbi,
  ...paymentChannelsAbi,
  ...protocolParametersAbi,
  ...xplTokenAbi,
  ...plasmaGovernorAbi,
  ...timelockControllerAbi,
]);

function dedupeErrors<T extends { type: string; name?: string }>(abi: readonly T[]): T[] {
  const seen = new Set<string>();
  return abi.filter((item) => {
    if (item.type !== "error" || !item.name || seen.has(item.name)) return false;
    seen.add(item.name);
    return true;
  });
}

const xpl = (wei: unknown) => `${formatEther(BigInt(wei as bigint))} XPL`;
const time = (seconds: unknown) => new Date(Number(seconds) * 1000).toISOString();
const LEASE_STATUS = ["none", "open", "running", "ended"] as const;
const status = (s: unknown) => LEASE_STATUS[Number(s)] ?? String(s);
const verificationStage = (s: unknown) => VERIFICATION_STAGES[Number(s)] ?? String(s);
const HARDWARE_STAGES = ["none", "waiting for a validator", "assigned", "open to dispute"] as const;
const hardwareStage = (s: unknown) => HARDWARE_STAGES[Number(s)] ?? String(s);
const paramName = (name: unknown) => hexToString(name as Hex, { size: 32 }).replace(/\0+$/, "");

type Explain = (args: readonly unknown[]) => [message: string, hint?: string];

/** Readable message and fix for each contract error, by name. */
const EXPLAIN: Record<string, Explain> = {
  // market
  MarketUnknownLease: ([id]) => [`Lease ${id} does not exist.`, "List leases with `plasma lease status ID`."],
  MarketNotClient: ([id, caller]) => [`${caller} is not the client of lease ${id}.`, "Use the account that opened it."],
  MarketNotProvider: ([id, caller]) => [`${caller} is not the provider of lease ${id}.`],
  MarketNotParty: ([id, caller]) => [`${caller} is neither the client nor the provider of lease ${id}.`],
  MarketLeaseNotOpen: ([id, s]) => [`Lease ${id} is ${status(s)}, not open.`],
  MarketLeaseNotRunning: ([id, s]) => [
    `Lease ${id} is ${status(s)}, not running.`,
    Number(s) === 1 ? "It has not started yet; after its start deadline you can cancel it." : undefined,
  ],
  MarketStartDeadlinePassed: ([id, by]) => [`Lease ${id} had to start by ${time(by)}; that deadline has passed.`],
  MarketStartDeadlineNotPassed: ([id, by]) => [
    `Lease ${id} may still be started until ${time(by)}; it cannot be cancelled before then.`,
    "Wait for the deadline, then cancel for a full refund and the no-show penalty.",
  ],
  MarketPriceAboveMax: ([offer, price, max]) => [
    `Offer ${offer} costs ${xpl(price)} per GPU-second, above your maximum of ${xpl(max)}.`,
    "Raise --max-price or choose a cheaper offer.",
  ],
  MarketZeroGpus: () => ["A lease needs at least one GPU."],
  MarketZeroDuration: () => ["A lease needs at least one second."],
  MarketEscrowTooLarge: ([escrow]) => [`The escrow ${xpl(escrow)} is too large for one lease.`],
  MarketZeroResultHash: () => ["A completed lease needs a non-zero result hash."],
  MarketInvalidFailReason: ([r]) => [`Reason ${r} is not a failure reason (use TimedOut or ProviderFailed).`],
  MarketVerifiedLeaseSettlesAtEnd: ([id]) => [
    `Lease ${id} is verified: it is paid only when it ends with a result, through verification, not settled along the way.`,
    `Its pay keeps accruing; the provider is paid after verification once it completes the lease. See plasma lease status ${id}`,
  ],
  MarketNotVerification: ([who]) => [`${who} is not the verification manager; only it reports released verified pay.`],
  MarketAwaitingResult: ([id, dueBy]) => [
    `Lease ${id} has used all its seconds; its provider has until ${time(dueBy)} to end it with a result.`,
    `After that, plasma lease settle ${id} (or plasma lease stop ${id}) ends it without pay and refunds the whole escrow.`,
  ],
  MarketNothingToClaim: ([account]) => [`${account} has nothing to claim.`],
  // registry
  RegistryAlreadyRegistered: ([p]) => [`${p} is already registered as a provider.`, "Use `plasma provider update`."],
  RegistryNotRegistered: ([p]) => [`${p} is not a registered provider.`, "Run `plasma provider register` first."],
  RegistryEmptyEndpoint: () => ["The provider endpoint URL must not be empty."],
  RegistryStringTooLong: ([len, max]) => [`A text field is ${len} bytes long; at most ${max} are allowed.`],
  RegistryZeroAmount: () => ["The amount must be greater than zero."],
  RegistryUnstakeExceedsStake: ([p, amount, stake]) => [`${p} cannot unstake ${xpl(amount)}: it has ${xpl(stake)}.`],
  RegistryStakeBelowMinimum: ([p, stake, min]) => [
    `${p} has ${xpl(stake)} staked; the minimum is ${xpl(min)}.`,
    "Stake more with `plasma provider stake AMOUNT`, or deactivate your offers before unstaking.",
  ],
  RegistryNothingToWithdraw: ([p]) => [
    `${p} has nothing unbonded to withdraw.`,
    "Request it first: `plasma provider unstake` for your own stake, `plasma stake undelegate` for a delegation.",
  ],
  RegistryUnbondingNotFinished: ([p, at]) => [`${p}'s stake unbonds at ${time(at)}; withdraw after that.`],
  RegistryUnknownOffer: ([id]) => [`Offer ${id} does not exist.`, "List offers with `plasma market offers`."],
  RegistryNotOfferOwner: ([id, caller]) => [`Offer ${id} does not belong to ${caller}.`],
  RegistryEmptyGpuModel: () => ["The GPU model must not be empty (use `cpu` for CPU-only capacity)."],
  RegistryZeroGpuCount: () => ["An offer needs at least one GPU."],
  RegistryZeroVram: () => ["An offer needs a VRAM size above zero."],
  RegistryZeroPrice: () => ["An offer needs a price above zero."],
  RegistryGpuCountBelowInUse: ([id, count, inUse]) => [
    `Offer ${id} has ${inUse} GPUs leased; its count cannot drop to ${count}.`,
  ],
  RegistryOfferInactive: ([id]) => [
    `Offer ${id} is not accepting leases.`,
    "Choose an active offer: `plasma market offers`.",
  ],
  RegistryInsufficientCapacity: ([id, asked, free]) => [
    `Offer ${id} has ${free} free GPUs; you asked for ${asked}.`,
    "Ask for fewer GPUs or choose another offer.",
  ],
  RegistryReleaseExceedsInUse: ([id]) => [`Offer ${id} has fewer GPUs in use than released.`],
  RegistryCommissionTooHigh: ([bps]) => [`A commission of ${bps} bps is above 100 % (10000 bps).`],
  RegistryAmountTooSmall: ([amount]) => [`${xpl(amount)} is too small to buy a single share of this pool.`],
  RegistryUndelegateExceedsDelegation: ([p, who, amount, delegated]) => [
    `${who} has ${xpl(delegated)} delegated to ${p}; it cannot undelegate ${xpl(amount)}.`,
    "See your delegations with `plasma stake show`.",
  ],
  RegistryNoDelegators: ([p]) => [`${p} has no delegators to reward.`],
  RegistryRewardsPending: ([p, epoch]) => [
    `Stake that arrived at ${p} in epoch ${epoch} waits for the reward of that epoch (or an earlier one) to be distributed; no more may arrive until it is: rewards go to the stake that was there during their epoch.`,
    `Distribute it first (anyone may): \`plasma rewards distribute ${p}\`, then retry.`,
  ],
  RegistryNothingToClaim: ([who]) => [`${who} has no delegation rewards to claim from this provider.`],
  RegistryCollateralLocked: ([p, left, required]) => [
    `${p}'s verified leases and pending verifications lock ${xpl(required)} of its backing; this would leave ${xpl(left)}.`,
    "Collateral stays locked until those leases end and their verification is over (see `plasma provider show`); take out at most the backing above the lock, or wait.",
  ],
  RegistryNotDeployer: ([who]) => [`${who} did not deploy the registry; only its deployer names its callers, once.`],
  RegistryCallersAlreadySet: () => [
    "The registry's market, verification manager and rewards distributor were named at deployment; nobody can change them.",
  ],
  RegistryZeroCaller: () => ["The market, verification manager and rewards distributor must all be named (not zero)."],
  RegistryNotMarket: ([who]) => [`${who} is not the market; only the market reserves and releases capacity.`],
  RegistryNotSlasher: ([who]) => [
    `${who} may not slash: only the market (no-shows) and the verification manager (failed results) can, as named at deployment.`,
  ],
  RegistryNotRewardsDistributor: ([who]) => [`${who} is not the rewards distributor; only it adds delegator rewards.`],
  // rewards
  RewardsEpochNotEnded: ([epoch, endsAt]) => [`Epoch ${epoch} ends at ${time(endsAt)}; its rewards come after.`],
  RewardsNoWork: ([epoch, p]) => [`${p} settled no GPU-seconds in epoch ${epoch}.`],
  RewardsAlreadyDistributed: ([epoch, p]) => [`${p}'s rewards for epoch ${epoch} were already paid.`],
  RewardsNotDeployer: ([who]) => [
    `${who} did not deploy the rewards distributor; only its deployer names the market, once.`,
  ],
  RewardsMarketAlreadySet: () => ["The rewards distributor's market was named at deployment; nobody can change it."],
  RewardsZeroMarket: () => ["The market must be named (not zero)."],
  RewardsNotMarket: ([who]) => [`${who} is not the market; only the market records work for rewards.`],
  RewardsNothingToClaim: ([who]) => [
    `${who} has no provider rewards to claim.`,
    "Rewards come from GPU-seconds settled in epochs that have ended: see `plasma rewards show`.",
  ],
  // verification
  MarketInsufficientCollateral: ([p, backing, required]) => [
    `${p} is backed by ${xpl(backing)} but its verified leases would need ${xpl(required)} of collateral.`,
    "Choose another offer, open the lease without verification, or ask the provider to stake more (delegations count).",
  ],
  MarketVerifiedLeaseTooLarge: ([value, maxValue]) => [
    `A verified lease may be worth at most ${xpl(maxValue)} (a fifth of a validator's slash), and this one is worth ${xpl(value)}.`,
    "Split the work into smaller leases (fewer seconds or GPUs), or open it without verification (--verify none).",
  ],
  VerifyUnknownLease: ([id]) => [`Lease ${id} has no verification (not completed, or opened without verification).`],
  VerifyWrongStage: ([id, stage]) => [
    `Lease ${id}'s verification is at ${verificationStage(stage)}, which does not allow this step.`,
    `See where it stands: plasma lease status ${id}`,
  ],
  VerifyTooEarly: ([id, block]) => [`Lease ${id} can be drawn from block ${block} on.`, "Wait for the next block."],
  VerifyWindowOpen: ([id, deadline]) => [`The current step of lease ${id} is open until ${time(deadline)}.`],
  VerifyWindowClosed: ([id, deadline]) => [`The window for this step of lease ${id} closed at ${time(deadline)}.`],
  VerifyNotAssigned: ([id, who]) => [`${who} is not the validator assigned to lease ${id}.`],
  VerifyNotProvider: ([id, who]) => [`${who} is not the provider of lease ${id}.`],
  VerifyAlreadyRevealed: ([id, who]) => [`${who} already revealed its result for lease ${id}.`],
  VerifyCommitmentMismatch: ([id]) => [`The result and salt do not open the commitment made for lease ${id}.`],
  VerifyNotAMatch: ([id]) => [
    `That result does not open the provider's commitment for lease ${id}: it is not a match.`,
    "Attest a mismatch instead.",
  ],
  VerifyZeroCommitment: () => ["A commitment or result hash of zero is not allowed."],
  VerifyAuditExpected: ([id]) => [
    `Lease ${id}'s round 2 audits the first validator's tolerance-mode match.`,
    "Answer with attestAudit (the provider's outputs and the first validator's, each judged against yours).",
  ],
  VerifyNotAnAudit: ([id]) => [
    `Lease ${id}'s verification is not auditing a match now.`,
    "Attest a match or a mismatch instead.",
  ],
  // validator set
  ValidatorSetNotCaller: ([who]) => [
    `${who} may not do this: only the verification manager and the hardware checks may.`,
  ],
  ValidatorSetCallersAlreadySet: () => ["The validator set's callers are already named; nobody can change them."],
  ValidatorSetZeroAmount: () => ["Stake more than 0 XPL."],
  ValidatorSetStakeBelowMinimum: ([stake, minimum]) => [
    `A validator needs at least ${xpl(minimum)} staked; this would make ${xpl(stake)}.`,
  ],
  ValidatorSetNotValidator: ([who]) => [
    `${who} is not an active validator.`,
    "Stake with `plasma validator stake AMOUNT`.",
  ],
  ValidatorSetExiting: ([who]) => [`${who} is leaving the validator set; withdraw first, then stake again.`],
  ValidatorSetExitNotReady: ([who, exitAt, open]) => [
    Number(exitAt) === 0
      ? `${who} has not asked to leave the validator set.`
      : `${who} can withdraw after ${time(exitAt)} once its ${open} open assignment(s) have ended.`,
  ],
  ValidatorSetFull: ([max]) => [
    `The validator set is full (${max} validators).`,
    "Wait for a validator to leave; its slot goes to the next one to stake.",
  ],
  ValidatorSetDrawBlockNotPast: ([block, current]) => [`Block ${block} is not mined yet (the chain is at ${current}).`],
  // hardware checks
  HardwareCheckOpen: ([id, stage]) => [
    `Offer ${id} already has an open hardware check (${hardwareStage(stage)}).`,
    `See it: plasma validator checks ${id}`,
  ],
  HardwareCheckTooSoon: ([id, at]) => [
    `Offer ${id} was checked recently; a new check may be requested from ${time(at)}.`,
    "A provider answers a failed report by disputing it (`plasma validator dispute OFFER`), not with a new check.",
  ],
  HardwareCheckWrongStage: ([id, stage]) => [
    `Offer ${id}'s hardware check is ${hardwareStage(stage)}, which does not allow this step.`,
  ],
  HardwareCheckTooEarly: ([id, block]) => [
    `Offer ${id}'s check can be drawn from block ${block} on.`,
    "Wait for the next block.",
  ],
  HardwareCheckNotAssigned: ([id, who]) => [
    `${who} is not the validator assigned to check offer ${id}.`,
    "Only the validator drawn for a check may report it.",
  ],
  HardwareCheckWindowClosed: ([id, deadline]) => [
    `The window to act on offer ${id}'s check closed at ${time(deadline)}.`,
  ],
  HardwareCheckWindowOpen: ([id, deadline]) => [`Offer ${id}'s check window is open until ${time(deadline)}.`],
  HardwareCheckNotProvider: ([id, who]) => [`${who} is not the provider of offer ${id}; only it may dispute.`],
  HardwareCheckNotDisputable: ([id]) => [
    `Offer ${id} has no failed report open to dispute (a re-check's failure is final).`,
  ],
  VerifyMarketAlreadySet: () => ["The verification manager already has its market."],
  VerifyNotMarket: ([who]) => [`${who} is not the market.`],
  // payment channels
  ChannelUnknown: ([id]) => [`Payment channel ${id} does not exist.`, "List yours with `plasma channel show`."],
  ChannelZeroAmount: () => ["The amount must be more than 0 XPL."],
  ChannelZeroProvider: () => ["A channel needs a provider address."],
  ChannelNotClient: ([id, who]) => [`${who} is not the client of channel ${id}.`],
  ChannelNotProvider: ([id, who]) => [`${who} is not the provider of channel ${id}.`],
  ChannelIsClosed: ([id]) => [`Channel ${id} is closed.`, "Open a new one with `plasma channel open`."],
  ChannelClosing: ([id, at]) => [`Channel ${id} is closing (at ${time(at)}); it takes no top-ups.`],
  ChannelChallengeNotOver: ([id, at]) => [
    `Channel ${id} can be withdrawn from ${time(at)}: until then its provider may redeem its last voucher.`,
  ],
  ChannelNotClosing: ([id]) => [`Channel ${id} is open.`, "Ask to close it first: `plasma channel close ID`."],
  ChannelVoucherExceedsDeposit: ([id, amount, deposit]) => [
    `A voucher for ${xpl(amount)} exceeds channel ${id}'s deposit of ${xpl(deposit)}.`,
    "Top the channel up (`plasma channel topup`).",
  ],
  ChannelStaleVoucher: ([id, amount, redeemed]) => [
    `This voucher (${xpl(amount)} in all) pays nothing: ${xpl(redeemed)} of channel ${id} was already redeemed.`,
  ],
  ChannelBadSignature: ([id]) => [`The voucher was not signed by channel ${id}'s client.`],
  ChannelTooLarge: ([amount]) => [`A deposit of ${xpl(amount)} is too large for one channel.`],
  // parameters
  ParamsUnknown: ([name]) => [`There is no parameter named ${paramName(name)}.`],
  ParamsOutOfBounds: ([name, value, min, max]) => [
    `${paramName(name)} = ${value} is out of bounds: it must lie between ${min} and ${max}.`,
  ],
  ParamsZeroAddress: () => ["The zero address is not allowed here."],
  ParamsNothingScheduled: ([name]) => [`No change of ${paramName(name)} is waiting to apply.`],
  ParamsChangeNotDue: ([name, at]) => [
    `The change of ${paramName(name)} is harsher for stake already there, so it waits until ${time(at)}.`,
    `Apply it after that (anyone may): \`plasma gov apply ${paramName(name)}\`.`,
  ],
  // token and OpenZeppelin
  ERC20InsufficientBalance: ([who, balance, needed]) => [
    `${who} holds ${xpl(balance)} but ${xpl(needed)} is needed.`,
    "Get more XPL (`plasma balance` shows what you have).",
  ],
  ERC20InsufficientAllowance: ([spender, allowance, needed]) => [
    `${spender} may spend ${xpl(allowance)} of your XPL but needs ${xpl(needed)}.`,
    "Approve more XPL, or use the permit variant (the CLI does this for you).",
  ],
  ERC2612ExpiredSignature: ([deadline]) => [`The permit expired at ${time(deadline)}.`, "Sign a new one."],
  ERC2612InvalidSigner: ([signer, owner]) => [`The permit was signed by ${signer}, not ${owner}.`],
  AccessControlUnauthorizedAccount: ([account]) => [`${account} lacks the role this call needs.`],
  OwnableUnauthorizedAccount: ([account]) => [
    `${account} is not the owner; protocol parameters change only through their owner (governance).`,
  ],
};

/** A contract rejected a call with one of its custom errors. */
export class ContractRevertError extends PlasmaError {
  override name = "ContractRevertError";
  /** The Solidity error's name, e.g. `MarketPriceAboveMax`. */
  readonly errorName: string;
  /** The error's arguments, as decoded from the revert data. */
  readonly args: readonly unknown[];

  constructor(errorName: string, args: readonly unknown[], cause?: unknown) {
    const explain = EXPLAIN[errorName];
    const [message, hint] = explain
      ? explain(args)
      : [`The contract rejected the call with ${errorName}(${args.map(String).join(", ")}).`];
    super(message, { details: `Contract error: ${errorName}`, metaMessages: hint ? [hint] : [], cause });
    this.errorName = errorName;
    this.args = args;
  }
}

/**
 * Turns whatever a viem call threw into a Plasma error: a decoded contract error, an unreachable
 * RPC, or the original error when it is neither.
 */
export function toPlasmaError(error: unknown, rpcUrl: string): unknown {
  if (error instanceof PlasmaError || !(error instanceof BaseError)) return error;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.data?.errorName) {
    return new ContractRevertError(reverted.data.errorName, reverted.data.args ?? [], error);
  }
  const network = error.walk(
    (e) => e instanceof HttpRequestError || e instanceof WebSocketRequestError || e instanceof TimeoutError,
  );
  if (network) return new RpcUnreachableError(rpcUrl, error);
  return error;
}
