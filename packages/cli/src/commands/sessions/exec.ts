import type { ExecuteResult } from "@terrarium/sdk";
import { cliClient } from "../../client.js";
import { EXIT } from "../../exit.js";
import { printJson } from "../../output.js";
import { openSession } from "./open.js";

/** What `timeout` exits with when it killed the command, so scripts read a timeout the same way. */
const TIMED_OUT = 124;

export interface ExecOptions {
  alias?: string;
  timeout: number;
  json: boolean;
}

/**
 * `terrarium sessions exec ID [--alias A] -- COMMAND...`: the words are joined with spaces and run by
 * `sh -c` in every environment, or in one, as ssh does with its command. Exits 0 when every command
 * exited 0. With one environment it exits as its command did (124: killed at the timeout; 1: it could
 * not run), and prints its output as it is; with several each gets a header line, and the exit is 1
 * when any command failed, timed out or could not run.
 */
export async function execInSession(id: string, words: string[], options: ExecOptions): Promise<void> {
  const command = words.join(" ");
  const client = cliClient();
  const { info, session } = await openSession(client, id);
  const timeout = { timeout: options.timeout };
  let results: Record<string, ExecuteResult>;
  if (options.alias !== undefined) {
    const env = session.getEnv(options.alias);
    if (!env)
      throw new Error(
        `session ${id} has no environment "${options.alias}"; its aliases: ${session.envs.map((e) => e.alias).join(", ")}`,
      );
    results = { [env.jobId]: await env.execute(command, timeout) };
  } else results = (await session.execute(command, timeout)).results;

  // In the session's order (forge, then mirror), as it was made; the server answers in its own.
  const order = info.envs.map((e) => e.jobId);
  const entries = Object.entries(results).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  const failed = entries.some(([, r]) => r.exitCode !== 0);
  if (options.json) {
    printJson({ results });
  } else {
    const aliases = new Map(info.envs.map((e) => [e.jobId, e.alias]));
    const several = entries.length > 1;
    for (const [jobId, r] of entries) {
      const name = `${aliases.get(jobId) ?? jobId} (${jobId})`;
      if (several) process.stdout.write(`--- ${name}: ${outcome(r, options.timeout)}\n`);
      process.stdout.write(several && r.stdout && !r.stdout.endsWith("\n") ? `${r.stdout}\n` : r.stdout);
      process.stderr.write(r.stderr);
      if (!several && r.exitCode === null) process.stderr.write(`terrarium: ${name}: ${outcome(r, options.timeout)}\n`);
      if (r.truncated) process.stderr.write(`terrarium: ${name}: output cut at the server's limit\n`);
    }
  }
  const only = entries.length === 1 ? entries[0]![1] : undefined;
  if (only) process.exitCode = only.timedOut ? TIMED_OUT : (only.exitCode ?? EXIT.failed);
  else if (failed) process.exitCode = EXIT.failed;
}

function outcome(r: ExecuteResult, timeout: number): string {
  if (r.timedOut) return `timed out after ${timeout} s, and was killed`;
  if (r.error !== undefined) return `could not run: ${r.error}`;
  return `exit ${r.exitCode}`;
}
