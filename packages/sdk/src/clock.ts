import type { SetDateAnswer, SetDateResult as WireSetDateResult } from "@terrarium/wire";
import type { Http } from "./http.js";
import type { OperationOptions } from "./operations.js";
import type { Results } from "./types.js";

export interface SetDateOptions extends OperationOptions {
  /** Seconds moving the clock may take in each environment (2-300); default 30. */
  timeout?: number;
}

/** How moving an environment's clock went. */
export interface SetDateResult {
  /** Whether the environment's clock now shows the date. */
  success: boolean;
  /** The environment's date after the move, as `date -u` printed it. */
  stdout: string;
  stderr: string;
  /** Why the clock did not move. */
  error?: string;
}

const DEFAULT_TIMEOUT = 30;
const SLACK_MS = 30_000;

/** The date as the wire takes it: a Date in UTC, a string as it is (the server checks it). */
function wireDate(date: Date | string): string {
  if (typeof date === "string") return date;
  if (Number.isNaN(date.getTime())) {
    throw new TypeError("setDate: the Date is invalid; pass a valid Date or an ISO 8601 string (2031-05-04T10:00:00Z)");
  }
  return date.toISOString();
}

const toSetDateResult = (r: WireSetDateResult): SetDateResult => ({
  success: r.success,
  stdout: r.stdout,
  stderr: r.stderr,
  ...(r.error !== undefined ? { error: r.error } : {}),
});

/**
 * @internal `set_date` of a session (answered per job id) or of one job (answered bare, taken here as
 * the one entry of the results). Safe to send again: the same date is set again.
 */
export async function setDate(
  http: Http,
  scope: { sessionId: string } | { jobId: string },
  date: Date | string,
  options: SetDateOptions = {},
): Promise<Results<SetDateResult>> {
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const path =
    "jobId" in scope
      ? `api/v2/jobs/${encodeURIComponent(scope.jobId)}/set_date`
      : `api/v2/sessions/${encodeURIComponent(scope.sessionId)}/set_date`;
  const answer = await http.request<SetDateAnswer | WireSetDateResult>("POST", path, {
    body: { datetime: wireDate(date), timeout },
    idempotent: true,
    timeoutMs: timeout * 1000 + SLACK_MS,
    signal: options.signal,
  });
  const results = "jobId" in scope ? { [scope.jobId]: answer as WireSetDateResult } : (answer as SetDateAnswer).results;
  return {
    results: Object.fromEntries(Object.entries(results).map(([job, r]) => [job, toSetDateResult(r)])),
  };
}
