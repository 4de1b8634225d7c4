import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import { SimulatorManifest } from "@terrarium/wire";
import { BASE_RECIPE_HASH } from "../images.js";

/** A simulator sessions can start: one with a folder, or one published from a disk snapshot under a new name. */
export interface Simulator {
  manifest: SimulatorManifest;
  /** Set for a published simulator: where its newest version came from (it has images, no folder). */
  published?: PublishedFrom;
}

export interface PublishedFrom {
  /** The simulator the snapshotted environment ran, and its version. */
  simulator: string;
  version: string;
  /** The simulator with a folder that the chain of publications started from. */
  origin: string;
  artifactId: string;
}

/** A simulator with a folder (`simulators/<name>/`), which its images are built from. */
export interface SimulatorFolder extends Simulator {
  /** The simulator's folder: manifest, Containerfile, seed. */
  dir: string;
  /** Hash of every file of the recipe and of the base image's recipe: a change means a rebuild. */
  recipeHash: string;
}

/** A simulator folder whose manifest cannot be used, with the file and the exact problem. */
export class InvalidSimulatorError extends Error {
  constructor(
    readonly file: string,
    problems: string[],
  ) {
    super(`${file}: ${problems.join("; ")}`);
    this.name = "InvalidSimulatorError";
  }
}

/** Loads every `<dir>/<name>/simulator.yaml`; throws one error naming each invalid file and field. */
export function loadSimulators(dir: string): Map<string, SimulatorFolder> {
  const simulators = new Map<string, SimulatorFolder>();
  if (!existsSync(dir)) return simulators;
  const problems: InvalidSimulatorError[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const folder = join(dir, entry);
    const file = join(folder, "simulator.yaml");
    if (!statSync(folder).isDirectory() || !existsSync(file)) continue;
    try {
      const simulator = loadSimulator(folder);
      if (simulator.manifest.name !== entry) {
        throw new InvalidSimulatorError(file, [`name "${simulator.manifest.name}" must match its folder "${entry}"`]);
      }
      simulators.set(entry, simulator);
    } catch (error) {
      problems.push(error instanceof InvalidSimulatorError ? error : new InvalidSimulatorError(file, [String(error)]));
    }
  }
  if (problems.length > 0) throw new Error(`invalid simulators:\n${problems.map((p) => `  ${p.message}`).join("\n")}`);
  return simulators;
}

export function loadSimulator(folder: string): SimulatorFolder {
  const file = join(folder, "simulator.yaml");
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InvalidSimulatorError(file, [`not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = SimulatorManifest.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidSimulatorError(
      file,
      parsed.error.issues.map((i) => {
        // A bad key of a map (a dataset's name) says why in the issues nested under it.
        const why = i.code === "invalid_key" ? i.issues.map((k) => k.message).join("; ") : i.message;
        return `${i.path.join(".") || "(top level)"}: ${why}`;
      }),
    );
  }
  const containerfile = join(folder, parsed.data.image.containerfile);
  if (!existsSync(containerfile)) {
    throw new InvalidSimulatorError(file, [`image.containerfile: ${parsed.data.image.containerfile} does not exist`]);
  }
  return { manifest: parsed.data, dir: folder, recipeHash: hashRecipe(folder, parsed.data.image) };
}

/**
 * What the image is built from: the base image, the manifest's `image` section and every file of the
 * build context. The rest of simulator.yaml (noise rules, login, readiness) and the tasks are read at
 * run time, so editing them does not rebuild the image.
 */
function hashRecipe(folder: string, image: SimulatorManifest["image"]): string {
  const hash = createHash("sha256").update(`base:${BASE_RECIPE_HASH}\nimage:${JSON.stringify(image)}\n`);
  for (const file of listFiles(folder)) {
    const path = relative(folder, file);
    if (path.startsWith("tasks/") || path === "README.md" || path === "simulator.yaml") continue;
    hash.update(`${path}\n${statSync(file).mode & 0o111 ? "x" : "-"}\n`).update(readFileSync(file));
  }
  return hash.digest("hex").slice(0, 16);
}

function listFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
