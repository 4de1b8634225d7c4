import { InvalidArgumentError } from "commander";

/** pino's levels (the server's logger), checked here so a typo is a usage error, not the logger's text. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

interface Range {
  /** What the value must be, e.g. "a number of seconds from 0 to 300". */
  allowed: string;
  min: number;
  max: number;
  integer?: boolean;
  /** The minimum itself is not allowed (a timeout of 0 s). */
  aboveMin?: boolean;
}

/**
 * A parser for a numeric flag. Commander puts the flag's name and the text given in front of the
 * message (`option '--idle <seconds>' argument 'abc' is invalid.`), so the message says what is allowed.
 */
function numberIn({ allowed, min, max, integer, aboveMin }: Range) {
  return (value: string): number => {
    const n = value.trim() === "" ? NaN : Number(value);
    if (!Number.isFinite(n) || n < min || (aboveMin && n === min) || n > max || (integer && !Number.isInteger(n)))
      throw new InvalidArgumentError(`It must be ${allowed}.`);
    return n;
  };
}

export const port = numberIn({ allowed: "a port: a whole number from 0 to 65535", min: 0, max: 65535, integer: true });

/** Seconds up to `max` (the bound the server's schema sets for the field the flag fills). */
export const seconds = (max: number) => numberIn({ allowed: `a number of seconds from 0 to ${max}`, min: 0, max });

/** Seconds above 0: a command's timeout. */
export const positiveSeconds = (max: number) =>
  numberIn({ allowed: `a number of seconds above 0, at most ${max}`, min: 0, max, aboveMin: true });

/** Whole seconds, 0 meaning never: heartbeat timeouts. */
export const heartbeatSeconds = (max: number) =>
  numberIn({ allowed: `a whole number of seconds from 0 (never) to ${max}`, min: 0, max, integer: true });

/** A log's cursor: a whole number from 0. */
export const sequence = numberIn({
  allowed: "a whole number from 0",
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  integer: true,
});

/** How many events to show: 1 to 1000 (one page of the server's). */
export const eventCount = numberIn({ allowed: "a whole number from 1 to 1000", min: 1, max: 1000, integer: true });
