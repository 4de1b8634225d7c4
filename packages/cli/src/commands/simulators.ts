import { defaultSimulatorsDir, imageRecipe, loadSimulators, simulatorImage } from "@terrarium/server";
import { connectOrStart } from "../server-connection.js";
import { setup } from "./setup.js";

const dir = () => process.env.TERRARIUM_SIMULATORS_DIR ?? defaultSimulatorsDir();

/** `terrarium simulators ls`: every installed simulator and whether its current recipe is built. */
export async function listSimulators(): Promise<void> {
  const simulators = [...loadSimulators(dir()).values()];
  if (simulators.length === 0) return void process.stdout.write(`no simulators in ${dir()}\n`);
  const rows = await Promise.all(
    simulators.map(async ({ manifest, recipeHash }) => {
      const recipe = await imageRecipe(simulatorImage(manifest.name, manifest.version));
      const state = recipe === recipeHash ? "built" : recipe === undefined ? "not built" : "outdated";
      return [manifest.name, manifest.version, state, String(manifest.app_port), manifest.description];
    }),
  );
  printTable(["NAME", "VERSION", "IMAGE", "PORT", "DESCRIPTION"], rows);
}

/** `terrarium simulators build [names...]`: builds the images whose recipe changed (all with --force). */
export async function buildSimulators(names: string[], force: boolean): Promise<void> {
  await setup({ simulators: names.length > 0 ? names : undefined, force, simulatorsDir: dir() });
}

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  process.stdout.write(`${[line(header), ...rows.map(line)].join("\n")}\n`);
}

/** `terrarium simulators calibrate NAME`: the noise a login and idling produce, and rules to silence it. */
export async function calibrateSimulator(name: string, options: { idle: number; json: boolean }): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const connection = await connectOrStart(options.json ? () => undefined : say);
  try {
    const report = await connection.client.simulators.calibrate(name, { idleSeconds: options.idle });
    if (options.json) return void say(JSON.stringify(report, null, 2));
    say(
      `\n${report.simulator}: ${report.login.ok ? "" : "LOGIN FAILED: "}${report.login.detail}; idled ${options.idle} s`,
    );
    for (const [db, changes] of Object.entries(report.observed)) {
      say(`\n${db}: ${changes.length} change(s) without noise rules`);
      for (const c of changes) say(`  ${c.op.padEnd(6)} ${c.table}${c.changed ? ` (${c.changed.join(", ")})` : ""}`);
      const proposed = report.proposed[db]!;
      say(`proposed rules for ${db} (simulator.yaml, state.databases[].ignore):`);
      say(`  tables: [${proposed.tables.join(", ")}]`);
      say(`  columns: [${proposed.columns.join(", ")}]`);
      const remaining = report.remaining[db] ?? [];
      say(
        remaining.length === 0
          ? "the current rules leave no mutation"
          : `the current rules still let ${remaining.length} change(s) through: ${remaining.map((c) => `${c.op} ${c.table}`).join(", ")}`,
      );
    }
    if (report.files.length > 0) say(`\nfiles changed: ${report.files.join(", ")}`);
    if (!report.login.ok || Object.values(report.remaining).some((r) => r.length > 0)) process.exitCode = 1;
  } finally {
    await connection.close();
  }
}
