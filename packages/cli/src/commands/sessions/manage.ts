import type { JobInfo } from "@terrarium/sdk";
import { cliClient } from "../../client.js";
import { EXIT } from "../../exit.js";
import { printJson, printTable } from "../../output.js";
import { openSession, sourceOf } from "./open.js";

const envStatus = (e: JobInfo) => `${e.status}${e.closeReason ? `: ${e.closeReason}` : ""}`;

/** `terrarium sessions ls`: sessions on the server at TERRARIUM_URL, with the task each was made from. */
export async function listSessions(options: { all: boolean; json: boolean }): Promise<void> {
  const client = cliClient();
  const sessions = await client.sessions.list({ status: options.all ? "all" : "active" });
  if (options.json) return printJson(sessions);
  if (sessions.length === 0)
    return void process.stdout.write(options.all ? "no sessions\n" : "no active sessions (--all shows closed ones)\n");
  printTable(
    ["SESSION", "STATUS", "CREATED", "TASK", "ENVIRONMENTS"],
    sessions.map((s) => [
      s.sessionId,
      s.status,
      s.createdAt,
      s.taskPublicId ?? "-",
      s.envs.map((e) => `${e.alias}=${e.simulator ?? e.artifactId}(${envStatus(e)})`).join(" "),
    ]),
  );
}

/** `terrarium sessions show ID`: the session, its task, and each environment with its URL. */
export async function showSession(id: string, options: { json: boolean }): Promise<void> {
  const client = cliClient();
  const info = await client.sessions.retrieve(id);
  if (options.json) return printJson(info);
  const urls = info.status === "active" ? await client.sessions.publicUrls(id) : {};
  const closed = info.closedAt ? `, closed ${info.closedAt}` : "";
  const lines = [
    `session ${info.sessionId}: ${info.status} (created ${info.createdAt}${closed})`,
    `task     ${info.taskPublicId ?? "none (made from environments)"}`,
  ];
  process.stdout.write(`${lines.join("\n")}\n\n`);
  printTable(
    ["ALIAS", "JOB", "FROM", "STATUS", "HEARTBEAT TIMEOUT", "LAST HEARTBEAT", "URL"],
    info.envs.map((e) => [
      e.alias,
      e.jobId,
      sourceOf(e),
      envStatus(e) + (e.error ? ` (${e.error})` : ""),
      e.heartbeatTimeout === 0 ? "never" : `${e.heartbeatTimeout} s`,
      e.lastHeartbeatAt,
      urls[e.alias] ?? "-",
    ]),
  );
}

/** `terrarium sessions url ID`: where a browser reaches each environment (through the server's proxy). */
export async function showUrls(id: string, options: { port?: number; json: boolean }): Promise<void> {
  const client = cliClient();
  const urls = await client.sessions.publicUrls(id, { port: options.port });
  if (options.json) return printJson(urls);
  printTable(
    ["ALIAS", "URL"],
    Object.entries(urls).map(([alias, url]) => [alias, url]),
  );
}

/** `terrarium sessions reset ID`: every environment back to how it started; exit 1 if one could not be. */
export async function resetSession(id: string, options: { json: boolean }): Promise<void> {
  const client = cliClient();
  const { info, session } = await openSession(client, id);
  const { results } = await session.reset();
  if (Object.values(results).some((r) => !r.success)) process.exitCode = EXIT.failed;
  if (options.json) return printJson({ results });
  const aliases = new Map(info.envs.map((e) => [e.jobId, e.alias]));
  for (const [jobId, r] of Object.entries(results)) {
    const name = `${aliases.get(jobId) ?? jobId} (${jobId})`;
    if (r.success) process.stdout.write(`${name}: reset\n`);
    else process.stderr.write(`${name}: not reset: ${r.error}\n`);
  }
}

/** `terrarium sessions close ID...`: closes each session, reporting per environment. */
export async function closeSessions(ids: string[], options: { json: boolean }): Promise<void> {
  const client = cliClient();
  const answers: Record<string, unknown> = {};
  for (const id of ids) {
    try {
      const { results } = await client.sessions.close(id);
      answers[id] = { results };
      const problems = Object.entries(results).filter(([, r]) => !r.success);
      for (const [job, r] of problems) process.stderr.write(`${id} ${job}: ${r.error}\n`);
      if (problems.length > 0) process.exitCode = EXIT.failed;
      if (!options.json)
        process.stdout.write(`${id}: closed ${Object.keys(results).length - problems.length} environment(s)\n`);
    } catch (error) {
      process.exitCode = EXIT.failed;
      process.stderr.write(`${id}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  if (options.json) printJson(answers);
}
