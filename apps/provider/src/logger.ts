import pino from "pino";

export type Logger = pino.Logger;

/** JSON logs to stderr (or a file descriptor), one line an event. */
export function createLogger(
  level: string = process.env.PLASMA_LOG_LEVEL ?? "info",
  destination: number = 2,
  name = "plasma-provider",
): Logger {
  return pino({ name, level }, pino.destination(destination));
}
