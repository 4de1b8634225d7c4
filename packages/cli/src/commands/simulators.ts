import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Env, type CalibrationReport, type Terrarium } from "@terrarium/sdk";
import { defaultSimulatorsDir, imageRecipe, loadSimulators, simulatorImage } from "@terrarium/server";
import { printTable } from "../output.js";
import { connectOrStart } from "../server-connection.js";
import { setup } from "./setup.js";

const run = promisify(execFile);
const dir = () => process.env.TERRARIUM_SIMULATORS_DIR ?? defaultSimulatorsDir();

/**
 * `terrarium simulators ls`: every installed simulator, whether its current recipe is built, and the
 * tags `sessions make SIMULATOR:TAG` can start: its version, `latest`, and the versions disk snapshots
 * published (`sessions snapshot --publish`).
 */
export async function listSimulators(): Promise<void> {
  const simulators = [...loadSimulators(dir()).values()];
  if (simulators.length === 0) return void process.stdout.write(`no simulators in ${dir()}\n`);
  const rows = await Promise.all(
    simulators.map(async ({ manifest, recipeHash }) => {
      const [recipe, tags] = await Promise.all([
        imageRecipe(simulatorImage(manifest.name, manifest.version)),
        imageTags(simulatorImage(manifest.name, "").slice(0, -1)),
      ]);
      const state = recipe === recipeHash ? "built" : recipe === undefined ? "not built" : "outdated";
      const ordered = [manifest.version, "latest"].filter((t) => tags.includes(t));
      ordered.push(...tags.filter((t) => !ordered.includes(t)).sort());
      return [
        manifest.name,
        manifest.version,
        state,
        ordered.join(",") || "-",
        String(manifest.app_port),
        roleOf(manifest),
        manifest.description,
      ];
    }),
  );
  printTable(["NAME", "VERSION", "IMAGE", "TAGS", "PORT", "ROLE", "DESCRIPTION"], rows);
}

/** What a simulator serves as, and whose role it plays: "CRM (the role of EspoCRM)". */
export function roleOf(manifest: { role: string; stands_in_for: string[] }): string {
  const others = manifest.stands_in_for;
  if (others.length === 0) return manifest.role;
  const names = others.length === 1 ? others[0] : `${others.slice(0, -1).join(", ")} or ${others.at(-1)}`;
  return `${manifest.role} (the role of ${names})`;
}

/** The tags of the images named `repository` in Podman's store (none when Podman is not there yet). */
async function imageTags(repository: string): Promise<string[]> {
  const listed = await run("podman", ["images", "--format", "{{.Tag}}", "--filter", `reference=${repository}`]).catch(
    () => ({ stdout: "" }),
  );
  return [...new Set(listed.stdout.split("\n").filter((t) => t && t !== "<none>"))];
}

/**
 * `terrarium simulators build [names...]`: builds the images whose recipe changed (all with --force),
 * of every dataset (`terrarium setup` builds only `base`; a session builds the others on first use).
 */
export async function buildSimulators(names: string[], force: boolean): Promise<void> {
  await setup({ simulators: names.length > 0 ? names : undefined, force, simulatorsDir: dir(), datasets: true });
}

/** `terrarium simulators calibrate NAME`: the noise a login and idling produce, and rules to silence it. */
export async function calibrateSimulator(
  name: string,
  options: { idle: number; json: boolean; browser?: boolean },
): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const connection = await connectOrStart(options.json ? () => undefined : say);
  try {
    const report = options.browser
      ? await calibrateInBrowser(connection.client, name, options.idle)
      : await connection.client.simulators.calibrate(name, { idleSeconds: options.idle });
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

/**
 * Calibration with the simulator's browser login: a fresh environment, its login steps run in Chromium
 * (as `session.login(browser)` does), its home page opened, then the server idles and reads it.
 */
async function calibrateInBrowser(client: Terrarium, name: string, idleSeconds: number): Promise<CalibrationReport> {
  const { chromium } = await import("playwright-core");
  const session = await client.sessions.create({
    envs: [Env.simulator(name, { alias: "calibration" })],
    heartbeatTimeout: 900,
  });
  const browser = await chromium.launch({ executablePath: process.env.TERRARIUM_CHROMIUM ?? "/usr/bin/chromium" });
  try {
    const { pages } = await session.login(browser);
    const page = pages.calibration!;
    await page.goto(new URL("/", page.url()).toString());
    await page.waitForLoadState("networkidle").catch(() => undefined);
    return await client.simulators.calibrate(name, { idleSeconds, jobId: session.envs[0]!.jobId });
  } finally {
    await browser.close().catch(() => undefined);
    await session.close().catch(() => undefined);
  }
}
