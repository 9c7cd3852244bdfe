/** A file that breaks its format's rules (truncated, bad header, offsets out of range): reported as "malformed". */
export class MalformedError extends Error {
  override name = "MalformedError";
}

/**
 * A well-formed tensor file whose element type this package does not decode (complex, structured, float8…). Its
 * bytes differ, and with no numeric reading there is no tolerance to grant: reported as "different".
 */
export class UnsupportedDtypeError extends Error {
  override name = "UnsupportedDtypeError";
}
