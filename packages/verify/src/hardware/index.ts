// Proof-of-GPU hardware challenges: a validator checks that an offer's hardware delivers the throughput of
// its claimed class. See chain.ts for the computation, protocol.ts and check.ts for the exchange.
export { type ChainContext, chainContext, computeRow, computeRowRange, computeRows } from "./chain.ts";
export {
  type ChallengeDtype,
  type ChallengeOffer,
  type ChallengeOptions,
  challengeId,
  challengeWorkFlops,
  createChallenge,
  DEFAULT_OPEN_ROWS,
  DEFAULT_ROWS_PER_LEAF,
  DEFAULT_WIDTH,
  type HardwareChallenge,
  LIMITS,
  MIN_ROUNDS,
  resolveHardwareClass,
  rowWorkFlops,
  validateChallenge,
} from "./challenge.ts";
export { checkResponse, checkResponseAsync, type HardwareVerdict, type HardwareVerdictCode } from "./check.ts";
export {
  findHardwareClass,
  HARDWARE_CLASSES,
  type HardwareClass,
  normalizeModelName,
  SUSTAINED_FRACTION,
} from "./classes.ts";
export { type CpuRunOptions, runCpuChallenge } from "./cpuRunner.ts";
export { ChallengeError, GpuRunnerError, type GpuRunnerErrorCode, UnknownGpuClassError } from "./errors.ts";
export {
  entryHash,
  fillRow,
  fmix32,
  GENERATOR_DOMAIN,
  generateMatrix,
  generatorKeys,
  int8RowHash,
  MATRIX_TAGS,
  type MatrixName,
} from "./generator.ts";
export {
  GPU_CHALLENGE_SCRIPT,
  type GpuPath,
  type GpuRunnerOutput,
  type GpuRunOptions,
  parseRunnerOutput,
  runGpuChallenge,
  runPython,
} from "./gpuRunner.ts";
export {
  buildTree,
  type Hex,
  leafHash,
  type MerkleTree,
  merkleProof,
  nodeHash,
  rootFromProof,
} from "./merkle.ts";
export {
  type CommittedRun,
  commitRows,
  leafCount,
  leafRows,
  type OpenedRow,
  openRows,
  selectRows,
} from "./protocol.ts";
