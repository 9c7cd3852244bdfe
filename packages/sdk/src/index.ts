export {
  cancelLease,
  claimBuilderFees,
  completeLease,
  END_REASON,
  END_REASON_TEXT,
  type EndReason,
  failLease,
  getBuilderBalance,
  getLease,
  getLeaseCount,
  LEASE_STATUS,
  type Lease,
  type LeaseEnd,
  type LeaseStatus,
  type OpenLeaseParameters,
  type OpenLeaseReturnType,
  openLease,
  settleLease,
  startLease,
  stopLease,
} from "./actions/market.ts";
export {
  createOffer,
  getOffer,
  getProtocolParameters,
  getProvider,
  listOffers,
  type Offer,
  type OfferFilter,
  type OfferInput,
  type ProtocolParameterValues,
  type Provider,
  providerRuntimes,
  registerProvider,
  requestUnstake,
  stake,
  updateOffer,
  updateProvider,
  withdrawStake,
} from "./actions/registry.ts";
export {
  type BuilderEarnings,
  claimBuilderEarnings,
  claimRewards,
  type EpochWork,
  getBuilderEarnings,
  getRewardsSummary,
  type RewardsSummary,
} from "./actions/rewards.ts";
export {
  claimDelegationRewards,
  type Delegation,
  type DelegationPool,
  delegateStake,
  getDelegation,
  getDelegationPool,
  listDelegations,
  setCommission,
  undelegateStake,
  withdrawDelegation,
} from "./actions/staking.ts";
export {
  approveXpl,
  delegateVotes,
  formatXpl,
  getVotingPower,
  getXplAllowance,
  getXplBalance,
  signXplPermit,
  transferXpl,
  type XplPermit,
} from "./actions/token.ts";
export { type LeaseOpenedEvent, type MarketEvent, watchLeaseOpened, watchMarketEvents } from "./actions/watch.ts";
export {
  type CreatePlasmaClientParameters,
  createPlasmaClient,
  type PlasmaClient,
  writeAndWait,
} from "./clients/createPlasmaClient.ts";
export {
  DEFAULT_GOVERNANCE,
  DEFAULT_REWARDS_EPOCH_SECONDS,
  type DeployPlasmaParameters,
  deployPlasma,
  type GovernanceSettings,
  XPL_TOTAL_SUPPLY,
} from "./deploy/deployPlasma.ts";
export { type Deployment, deploymentSchema, readDeployment, writeDeployment } from "./deployment.ts";
export { type Anvil, AnvilStartError, anvilBinary, startAnvil } from "./devnet/anvil.ts";
export { DEV_ACCOUNT_NAMES, DEV_MNEMONIC, type DevAccountName, devAccounts } from "./devnet/devAccounts.ts";
export {
  DEV_ACCOUNT_XPL,
  DEV_GOVERNANCE,
  DEV_REWARDS_EPOCH_SECONDS,
  DEV_REWARDS_POOL_XPL,
  DEV_TREASURY_XPL,
  type Devnet,
  startDevnet,
} from "./devnet/startDevnet.ts";
export { PlasmaError, type PlasmaErrorOptions } from "./errors/base.ts";
export { ContractRevertError, plasmaErrorsAbi, toPlasmaError } from "./errors/contract.ts";
export {
  AccountRequiredError,
  ChainMismatchError,
  ContractsNotDeployedError,
  DeploymentNotFoundError,
  InsufficientXplError,
  InvalidArgumentError,
  InvalidDeploymentError,
  NothingToDoError,
  RpcUnreachableError,
  TransactionRevertedError,
} from "./errors/errors.ts";
export {
  downloadOutput,
  followJob,
  getJobStatus,
  getOutputManifest,
  type JobStatus,
  type LogEvent,
  type OutputEntry,
  type ProviderApi,
  ProviderApiError,
  stopJob,
  submitJobSpec,
  uploadJobInput,
} from "./provider-api/client.ts";
export {
  bodyHash,
  MAX_REQUEST_LIFETIME_SECONDS,
  recoverRequestSigner,
  requestDomain,
  SIGNATURE_HEADERS,
  type SignedRequest,
  signRequest,
} from "./provider-api/signing.ts";
export {
  canonicalJobSpec,
  hashJobSpec,
  type JobSpec,
  JobSpecError,
  type JobSpecInput,
  jobSpecSchema,
  MAX_SPEC_BYTES,
  parseJobSpec,
  parseJobSpecText,
  relativePath,
} from "./spec/jobSpec.ts";
