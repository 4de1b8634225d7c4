import { Terrarium } from "@terrarium/sdk";
import { printTable } from "./simulators.js";

/** `terrarium sessions ls`: sessions on the server at TERRARIUM_URL. */
export async function listSessions(all: boolean): Promise<void> {
  const client = new Terrarium();
  const sessions = await client.sessions.list({ status: all ? "all" : "active" });
  if (sessions.length === 0)
    return void process.stdout.write(all ? "no sessions\n" : "no active sessions (--all shows closed ones)\n");
  printTable(
    ["SESSION", "STATUS", "CREATED", "ENVIRONMENTS"],
    sessions.map((s) => [
      s.sessionId,
      s.status,
      s.createdAt,
      s.envs
        .map(
          (e) => `${e.alias}=${e.simulator ?? e.artifactId}(${e.status}${e.closeReason ? `: ${e.closeReason}` : ""})`,
        )
        .join(" "),
    ]),
  );
}

/** `terrarium sessions close ID...`: closes each session, reporting per environment. */
export async function closeSession(ids: string[]): Promise<void> {
  const client = new Terrarium();
  let failed = false;
  for (const id of ids) {
    try {
      const { results } = await client.sessions.close(id);
      const problems = Object.entries(results).filter(([, r]) => !r.success);
      for (const [job, r] of problems) process.stderr.write(`${id} ${job}: ${r.error}\n`);
      failed ||= problems.length > 0;
      process.stdout.write(`${id}: closed ${Object.keys(results).length - problems.length} environment(s)\n`);
    } catch (error) {
      failed = true;
      process.stderr.write(`${id}: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  if (failed) process.exitCode = 1;
}
