import { defaultSimulatorsDir, imageRecipe, loadSimulators, simulatorImage } from "@terrarium/server";
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
