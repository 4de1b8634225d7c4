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

/** `terrarium sessions state ID`: what changed per environment (tables, counts, changed columns, files). */
export async function showState(id: string, options: { json: boolean; log: boolean }): Promise<void> {
  const client = new Terrarium();
  const [details, state] = await Promise.all([
    client.sessions.retrieve(id),
    client.sessions.state(id, { mergeMutations: !options.log }),
  ]);
  if (options.json) return void process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
  const aliases = new Map(details.envs.map((e) => [e.jobId, e.alias]));
  for (const [jobId, result] of Object.entries(state.results)) {
    process.stdout.write(`${aliases.get(jobId) ?? jobId} (${jobId})\n`);
    if (!result.state) {
      process.stdout.write(`  error: ${result.error}\n`);
      continue;
    }
    for (const db of result.state.dbs) {
      process.stdout.write(`  ${db.engine} ${db.name} (${db.database}): ${db.changes.length} change(s)\n`);
      const byTable = new Map<string, { insert: number; update: number; delete: number; columns: Set<string> }>();
      for (const change of db.changes) {
        const entry = byTable.get(change.table) ?? { insert: 0, update: 0, delete: 0, columns: new Set<string>() };
        entry[change.op]++;
        for (const column of change.changed ?? []) entry.columns.add(column);
        byTable.set(change.table, entry);
      }
      for (const [table, e] of byTable) {
        const counts = (["insert", "update", "delete"] as const)
          .filter((op) => e[op] > 0)
          .map((op) => `${e[op]} ${op}`);
        const columns = e.columns.size > 0 ? `; changed: ${[...e.columns].join(", ")}` : "";
        process.stdout.write(`    ${table}: ${counts.join(", ")}${columns}\n`);
      }
      if (db.ignored && db.ignored.rows > 0)
        process.stdout.write(`    (${db.ignored.rows} filtered by ${db.ignored.rules.join(", ")})\n`);
    }
    for (const file of result.state.files) process.stdout.write(`  file ${file.op.padEnd(6)} ${file.path}\n`);
    for (const warning of result.state.warnings) process.stdout.write(`  warning: ${warning}\n`);
    if (result.state.dbs.every((d) => d.changes.length === 0) && result.state.files.length === 0) {
      process.stdout.write("  no changes since the start or last reset\n");
    }
  }
}

/** `terrarium sessions urls ID`: where a browser reaches each environment of a session. */
export async function showUrls(id: string, options: { port?: number }): Promise<void> {
  const client = new Terrarium();
  const urls = await client.sessions.publicUrls(id, { port: options.port });
  printTable(
    ["ALIAS", "URL"],
    Object.entries(urls).map(([alias, url]) => [alias, url]),
  );
}
