export { HardwareCheckNotAssignedError, type HardwareCheckResult, runHardwareCheck } from "./hardwareCheck.ts";
export { createHardwareDuty, type HardwareDuty, type HardwareDutyOptions } from "./hardwareDuty.ts";
export { createValidatorMetrics, type ValidatorMetrics } from "./metrics.ts";
export {
  fetchProviderOutputs,
  type Reexecution,
  ReexecutionError,
  reexecuteLease,
} from "./reexecute.ts";
export { openValidatorDb, type ValidatorDb, type WorkRow } from "./state.ts";
export {
  startValidatorNode,
  UNAVAILABLE_RESULT,
  type ValidatorNode,
  type ValidatorNodeOptions,
} from "./validatorNode.ts";
