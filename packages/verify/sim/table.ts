// A small column-aligned text table, and the number formats of the simulation's report.

/** One column of a table. */
export interface Column {
  header: string;
  /** Numbers read best right-aligned (the default); text left-aligned. */
  align?: "left" | "right";
}

/** Display width of a string: one per code point (the report uses no wide or combining characters). */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, size: number, align: "left" | "right"): string {
  const fill = " ".repeat(Math.max(0, size - width(text)));
  return align === "left" ? text + fill : fill + text;
}

/**
 * Formats rows under their headers, each column as wide as its widest cell, with a rule under the
 * headers. Missing cells are blank; trailing spaces are trimmed.
 * @example formatTable([{ header: "p" }, { header: "verdict", align: "left" }], [["0.1", "cheating loses"]])
 */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], gap = 2): string {
  const widths = columns.map((column, i) => Math.max(width(column.header), ...rows.map((row) => width(row[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    columns
      .map((column, i) => pad(cells[i] ?? "", widths[i] ?? 0, column.align ?? "right"))
      .join(" ".repeat(gap))
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join(" ".repeat(gap));
  return [line(columns.map((c) => c.header)), rule, ...rows.map(line)].join("\n");
}

/** An amount of XPL with thousands separators, e.g. "-1,234.5". */
export function xpl(amount: number, digits = 1): string {
  if (!Number.isFinite(amount)) return amount > 0 ? "∞" : amount < 0 ? "-∞" : "n/a";
  const rounded = Number(amount.toFixed(digits));
  return (Object.is(rounded, -0) ? 0 : rounded).toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A signed amount of XPL, e.g. "+12.0" or "-3.4". */
export function signedXpl(amount: number, digits = 1): string {
  const text = xpl(amount, digits);
  return amount > 0 && Number(amount.toFixed(digits)) !== 0 ? `+${text}` : text;
}

/** A fraction as a percentage, e.g. 0.1 → "10.0%". */
export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** A Monte Carlo mean and its 95 % interval as bounds, e.g. "-15.2 [-23.0, -7.4]". */
export function interval(estimate: { mean: number; lo: number; hi: number }, digits = 1): string {
  return `${xpl(estimate.mean, digits)} [${xpl(estimate.lo, digits)}, ${xpl(estimate.hi, digits)}]`;
}

/** A Monte Carlo mean and the half-width of its 95 % interval, e.g. "-15.2 ±7.8". */
export function plusMinus(estimate: { mean: number; lo: number; hi: number }, digits = 1): string {
  return `${xpl(estimate.mean, digits)} ±${xpl((estimate.hi - estimate.lo) / 2, digits)}`;
}

/** Word-wraps a paragraph to `columns` characters, each line after the first starting with `indent`. */
export function wrap(paragraph: string, columns = 116, indent = ""): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && width(line) + 1 + width(word) > columns) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}
