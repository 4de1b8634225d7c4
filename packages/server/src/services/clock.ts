import { instantOf, type ExecuteResult, type SetDateResult } from "@terrarium/wire";
import { badRequest } from "../errors.js";
import type { Scope, SessionService } from "./sessions.js";

/*
 * An environment's clock. A time namespace cannot move it (Linux offsets only CLOCK_MONOTONIC and
 * CLOCK_BOOTTIME there, never CLOCK_REALTIME), so the exec agent starts the app and every command with
 * libfaketime preloaded (see with_clock in agent/terrarium-agent.pl): what the environment sees is the
 * real time moved by the offset in the file FAKETIME_TIMESTAMP_FILE names, which every process reads
 * again at most once a second. Moving the clock writes that file; a reset makes a new environment,
 * which has none.
 */

/** Past this, every process of the environment has read the new offset. */
const REREAD_SECONDS = 1.1;
/** How far the date an environment shows after the move may be from the one asked for. */
const TOLERANCE_MS = 5_000;

const NOT_MOVABLE =
  "this environment's clock cannot be moved: its image does not opt in (ENV TERRARIUM_CLOCK=on in its Containerfile, with Debian's libfaketime), or it runs without the exec agent";

/** The command that moves the clock by `offsetSeconds` and waits until every process has read it. */
export function moveClockCommand(offsetSeconds: number): string {
  const offset = `${offsetSeconds < 0 ? "-" : "+"}${Math.abs(offsetSeconds).toFixed(3)}`;
  return [
    'file="${FAKETIME_TIMESTAMP_FILE:-}"',
    `if [ -z "$file" ]; then echo "${NOT_MOVABLE}" >&2; exit 3; fi`,
    // Renamed into place: a process never reads a half-written offset.
    `printf '%s\\n' '${offset}' > "$file.new" && chmod 0644 "$file.new" && mv -f "$file.new" "$file" || exit`,
    `sleep ${REREAD_SECONDS}`,
  ].join("\n");
}

/**
 * Prints the date the environment shows. A command of its own: the agent preloads libfaketime only in
 * commands started once a date is set (it costs every command a few ms), so the one that set it still
 * shows the real time.
 */
export const SHOW_DATE = "date -u +%Y-%m-%dT%H:%M:%S.%3NZ";

/** Moves environments' clocks: what `set_date` does. Knows nothing of HTTP. */
export class ClockService {
  constructor(private readonly sessions: SessionService) {}

  /** Moves the clock of every environment in `scope` to `datetime` (ISO 8601); per job id. */
  async setDate(scope: Scope, datetime: string, timeoutSeconds: number): Promise<Record<string, SetDateResult>> {
    const instant = instantOf(datetime);
    if ("error" in instant) throw badRequest(`datetime: ${instant.error}`);
    const at = instant.ms;
    const started = Date.now();
    const { results } = await this.sessions.execute(scope, moveClockCommand((at - started) / 1000), timeoutSeconds);
    const moved = Object.values(results).some((r) => r.error === undefined && !r.timed_out && r.exit_code === 0);
    const shown = moved ? (await this.sessions.execute(scope, SHOW_DATE, timeoutSeconds)).results : {};
    const expected = at + (Date.now() - started);
    const outcomes = Object.fromEntries(
      Object.entries(results).map(([jobId, r]) => [jobId, outcomeOf(r, shown[jobId], expected, timeoutSeconds)]),
    );
    for (const { job } of this.sessions.environments(scope)) {
      const outcome = outcomes[job.id];
      if (!outcome) continue;
      this.sessions.log.record(
        job.sessionId,
        "set_date",
        outcome.success
          ? `${job.alias}: clock moved to ${datetime}`
          : `${job.alias}: set_date failed: ${outcome.error}`,
        { job, data: { datetime, success: outcome.success } },
      );
    }
    return outcomes;
  }
}

/**
 * The move and the date shown after it, as `set_date` answers them: moved when the environment shows
 * about `expected`.
 */
export function outcomeOf(
  r: ExecuteResult,
  show: ExecuteResult | undefined,
  expected: number,
  timeoutSeconds: number,
): SetDateResult {
  const output = { stdout: `${r.stdout}${show?.stdout ?? ""}`, stderr: `${r.stderr}${show?.stderr ?? ""}` };
  const failed = (error: string): SetDateResult => ({ success: false, ...output, error });
  if (r.error !== undefined) return failed(r.error);
  if (r.timed_out)
    return failed(`moving the clock took longer than the ${timeoutSeconds} s timeout; pass a longer one`);
  if (r.exit_code !== 0)
    return failed(r.stderr.trim() || `the command that moves the clock exited with status ${r.exit_code}`);
  if (show?.error !== undefined) return failed(show.error);
  const shown = (show?.stdout ?? "").trim();
  const at = Date.parse(shown);
  if (Number.isNaN(at) || Math.abs(at - expected) > TOLERANCE_MS) {
    return failed(
      `the clock did not move: the environment shows ${shown || "no date"}, not about ${new Date(expected).toISOString()}`,
    );
  }
  return { success: true, ...output };
}
