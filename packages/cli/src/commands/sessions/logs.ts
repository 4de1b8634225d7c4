import type { SessionEvent } from "@terrarium/sdk";
import { cliClient } from "../../client.js";
import { printJson } from "../../output.js";

/**
 * `terrarium sessions logs ID [--after SEQ] [--limit N] [--job JOB]`: the session's events, oldest first
 * (every one, or one page with --limit); with --json, the page(s) as the server answers them.
 */
export async function showLogs(
  id: string,
  options: { after: number; limit?: number; job?: string; json: boolean },
): Promise<void> {
  const sessions = cliClient().sessions;
  const request = { after: options.after, ...(options.job ? { jobId: options.job } : {}) };
  const events: SessionEvent[] = [];
  let nextAfter: number | null = null;
  if (options.limit !== undefined) {
    const page = await sessions.logs(id, { ...request, limit: options.limit });
    events.push(...page.events);
    nextAfter = page.nextAfter;
  } else for await (const event of sessions.logs(id, request)) events.push(event);
  if (options.json) return printJson({ session_id: id, events, next_after: nextAfter });
  for (const e of events) {
    const command = e.kind === "execute" && typeof e.data?.command === "string" ? `  $ ${e.data.command}` : "";
    process.stdout.write(
      `${String(e.seq).padStart(6)}  ${e.at}  ${(e.alias ?? "-").padEnd(12)}  ${e.kind.padEnd(17)}  ${e.message}${command}\n`,
    );
  }
  if (nextAfter !== null) process.stdout.write(`(more: --after ${nextAfter})\n`);
}
