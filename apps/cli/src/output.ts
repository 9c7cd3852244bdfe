import { InvalidArgumentError, PlasmaError } from "@plasma/sdk";
import Table from "cli-table3";
import { CommanderError } from "commander";

/** Exit codes scripts can rely on. */
export const EXIT = {
  ok: 0,
  /** The operation was refused or failed (contract error, bad state, insufficient funds). */
  failed: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The chain could not be reached; retrying later may help. */
  unavailable: 3,
} as const;

/** Raised for command-line mistakes that commander cannot see (e.g. conflicting flags). */
export class UsageError extends PlasmaError {
  override name = "UsageError";
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/** Output for one command: a JSON object with `--json`, else human-readable text. */
export type Output = {
  json: boolean;
  /** Prints `data` as JSON, or `human()` as text. */
  result(data: unknown, human: () => string): void;
};

export function createOutput(json: boolean): Output {
  return {
    json,
    result(data, human) {
      process.stdout.write(`${json ? toJson(data) : human()}\n`);
    },
  };
}

/** A table with a header row. */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}

/** Key–value lines, aligned. */
export function fields(entries: [string, string | number][]): string {
  const width = Math.max(...entries.map(([k]) => k.length));
  return entries.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** Prints an error for people (or as JSON) and returns the exit code it deserves. */
export function reportError(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) return EXIT.usage; // commander already printed it
  const code =
    error instanceof UsageError || error instanceof InvalidArgumentError
      ? EXIT.usage
      : error instanceof PlasmaError && error.retryable
        ? EXIT.unavailable
        : EXIT.failed;
  if (error instanceof PlasmaError) {
    if (json) {
      process.stderr.write(
        `${toJson({ error: { name: error.name, message: error.shortMessage, details: error.details, hints: error.metaMessages, retryable: error.retryable } })}\n`,
      );
    } else {
      const lines = [`error: ${error.shortMessage}`];
      if (error.details) lines.push(`  ${error.details}`);
      for (const hint of error.metaMessages) lines.push(`  hint: ${hint}`);
      process.stderr.write(`${lines.join("\n")}\n`);
    }
    return code;
  }
  // Not one of ours: still no stack trace, but say where to look.
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  process.stderr.write(`error: ${message}\n  hint: rerun with PLASMA_DEBUG=1 for details\n`);
  if (process.env.PLASMA_DEBUG) console.error(error);
  return code;
}
