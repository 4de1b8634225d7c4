import { cliClient } from "../../client.js";
import { printJson } from "../../output.js";

/** `terrarium sessions state ID`: what changed per environment (tables, counts, changed columns, files). */
export async function showState(id: string, options: { json: boolean; log: boolean }): Promise<void> {
  const client = cliClient();
  const [details, state] = await Promise.all([
    client.sessions.retrieve(id),
    client.sessions.state(id, { mergeMutations: !options.log }),
  ]);
  if (options.json) return printJson(state);
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
