import { z } from "zod";

/*
 * `set_date`: an environment's clock (what its app, its databases and executed commands see) moved
 * to a date, as Plato's `SetDateRequest` / `SetDateResult` have it. A reset brings the real time back.
 */

/** ISO 8601 date and time (T or a space between them); seconds, a fraction and a UTC offset are optional. */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** The earliest date a clock can be set to: before the Unix epoch, apps' clocks go negative. */
const EARLIEST = Date.UTC(1970, 0, 2);

/**
 * The instant an ISO 8601 date and time names, as milliseconds since the epoch; without a UTC offset
 * it is UTC (Plato's SDK sends a naive `datetime.isoformat()`, and environments run on UTC).
 * Answers why not when it names none.
 */
export function instantOf(text: string): { ms: number } | { error: string } {
  const m = DATE_TIME.exec(text.trim());
  if (!m) return { error: `"${text}" is not an ISO 8601 date and time; write e.g. 2031-05-04T10:00:00Z` };
  const [, date, minutes, seconds = "00", fraction = "", zone = "Z"] = m;
  const offset = /^[+-]\d{2}$/.test(zone) ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(`${date}T${minutes}:${seconds}.${fraction.padEnd(3, "0").slice(0, 3)}${offset.toUpperCase()}`);
  const [year, month, day] = date!.split("-").map(Number);
  // Date.parse rolls an impossible day over (2031-02-30 is March 2nd): refused instead.
  const check = new Date(Date.UTC(year!, month! - 1, day!));
  if (Number.isNaN(ms) || check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day) {
    return {
      error: `"${text}" is not a valid date and time (months 01-12, a day that month has, hours 00-23, minutes and seconds 00-59)`,
    };
  }
  if (ms < EARLIEST) return { error: `"${text}" is before 1970-01-02; an environment's clock cannot go back that far` };
  return { ms };
}

export const SetDateRequest = z.object({
  datetime: z
    .string()
    .superRefine((text, ctx) => {
      const instant = instantOf(text);
      if ("error" in instant) ctx.addIssue({ code: "custom", message: instant.error });
    })
    .describe(
      "The date and time the environment's clock moves to, ISO 8601 (e.g. 2031-05-04T10:00:00Z); without a UTC offset it is UTC",
    ),
  timeout: z
    .number()
    .int()
    .min(2)
    .max(300)
    .default(30)
    .describe("Seconds moving the clock may take in each environment (2-300); 30 by default"),
});
export type SetDateRequest = z.input<typeof SetDateRequest>;

export const SetDateResult = z.object({
  success: z.boolean().describe("Whether the environment's clock now shows the date"),
  stdout: z.string().describe("What the command that moved the clock printed: the environment's date after it"),
  stderr: z.string().describe("What it printed on stderr"),
  error: z.string().optional().describe("Why the clock did not move"),
});
export type SetDateResult = z.infer<typeof SetDateResult>;

export const SetDateAnswer = z.object({
  session_id: z.string().describe("The session the answer is about (s_...)"),
  results: z.record(z.string(), SetDateResult).describe("Per job id"),
});
export type SetDateAnswer = z.infer<typeof SetDateAnswer>;
