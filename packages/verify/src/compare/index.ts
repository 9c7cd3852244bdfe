export { compareOutputs } from "./compareOutputs.ts";
export { DTYPE_SIZE, type DType, decode, type Values } from "./dtype.ts";
export { MalformedError, UnsupportedDtypeError } from "./errors.ts";
export { compareJson, MAX_JSON_BYTES, readJson } from "./json.ts";
export { type NpyArray, readNpy } from "./npy.ts";
export { unsafePathReason } from "./paths.ts";
export { readSafetensors, type SafetensorsFile } from "./safetensors.ts";
export { MAX_HEADER_BYTES, readValues, type TensorLayout } from "./tensor.ts";
export type {
  FileOutcome,
  FileStatus,
  FileVerdict,
  NumericStats,
  OutputSet,
  Tolerance,
  Verdict,
  VerificationSpec,
} from "./types.ts";
