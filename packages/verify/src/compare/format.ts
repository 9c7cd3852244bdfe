/** Three significant digits, exponent form for very small or large magnitudes: "3.1e-7", "0.5", "1.23e6". */
export function formatNumber(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const rounded = Number(x.toPrecision(3));
  const magnitude = Math.abs(rounded);
  return magnitude < 1e-3 || magnitude >= 1e6 ? rounded.toExponential().replace("e+", "e") : String(rounded);
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** "(2, 3)", NumPy's notation for a shape, "()" for a scalar. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

/** A sha256 cut to a recognisable prefix for messages. */
export function shortHash(sha256: string): string {
  return `${sha256.slice(0, 12)}…`;
}

/** A JSON-quoted value for messages, cut short: a hostile file must not flood a one-line reason. */
export function quote(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
