import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { cpus } from "node:os";

// Which tasks a test run takes, and why. Every task of a suite runs when the suite's files or the
// evaluator changed since the suite's last recorded full pass (bench/results/tasks/<suite>.json, written
// by a run that took every task and passed); otherwise a fixed sample does. TERRARIUM_TASKS=full takes
// every task, `sample` the sample; `npm run test:tasks` is the full run of every suite.

const root = fileURLToPath(new URL("..", import.meta.url));
export const RECORDS = join(root, "bench", "results", "tasks");

/** What every task's outcome depends on besides its own simulator: criteria, capture, the runner. */
const EVALUATOR = [
  "packages/server/src/eval",
  "packages/server/src/capture",
  "packages/server/src/services/tasks.ts",
  "packages/wire/src/tasks.ts",
  "packages/wire/src/state.ts",
  "packages/cli/src/tasks",
  "packages/sdk/src/login.ts",
  "packages/sdk/src/solution.ts",
  "test/task-suite.ts",
  "test/task-plan.ts",
];

/** How many tasks of a suite a sampled run takes. */
export const SAMPLE_SIZE = Number(process.env.TERRARIUM_TASKS_SAMPLE ?? 3);

export interface SuiteFingerprint {
  /** Hash of the files of the suite: its tasks and every simulator they start. */
  suite: string;
  /** Hash of the evaluator's files (EVALUATOR). */
  evaluator: string;
}

/** A suite's last full pass: what it ran on, when, and how long it took (the benchmark of its time). */
export interface SuiteRecord {
  suite: string;
  fingerprint: SuiteFingerprint;
  tasks: number;
  /** Each task's reference and wrong runs, in seconds (sum of both tests). */
  seconds: Record<string, number>;
  total_seconds: number;
  passed_at: string;
  node: string;
  cpus: number;
}

export interface TaskPlan {
  mode: "full" | "sample";
  ids: string[];
  why: string;
}

/**
 * The plan for a suite: `paths` are the folders and files (relative to the repository) its outcome
 * depends on besides the evaluator, e.g. `simulators/redmine` or `tasks` and the simulators they use.
 */
export function planTasks(suite: string, ids: string[], paths: string[]): TaskPlan & { fingerprint: SuiteFingerprint } {
  const fingerprint = { suite: hashPaths(paths), evaluator: hashPaths(EVALUATOR) };
  const all = [...ids].sort();
  const asked = process.env.TERRARIUM_TASKS ?? "auto";
  if (!["auto", "full", "sample"].includes(asked))
    throw new Error(`TERRARIUM_TASKS is "${asked}": use full, sample or auto (the default)`);
  const full = (why: string) => ({ mode: "full" as const, ids: all, why, fingerprint });
  if (asked === "full") return full("TERRARIUM_TASKS=full");
  const record = readRecord(suite);
  if (asked === "auto") {
    if (!record) return full(`no full pass of ${suite} is recorded (bench/results/tasks/${suite}.json)`);
    const changed = [
      ...(record.fingerprint.suite !== fingerprint.suite ? [paths.join(", ")] : []),
      ...(record.fingerprint.evaluator !== fingerprint.evaluator ? ["the evaluator"] : []),
    ];
    if (changed.length) return full(`${changed.join(" and ")} changed since the full pass of ${record.passed_at}`);
    const added = all.filter((id) => !(id in record.seconds));
    if (added.length) return full(`tasks added since the full pass of ${record.passed_at}: ${added.join(", ")}`);
  }
  const sample = [...all]
    .sort((a, b) => digest(a).localeCompare(digest(b)))
    .slice(0, SAMPLE_SIZE)
    .sort();
  const why =
    asked === "sample"
      ? "TERRARIUM_TASKS=sample"
      : `nothing it depends on changed since its full pass of ${record!.passed_at}`;
  return {
    mode: "sample",
    ids: sample,
    why: `${why}; a fixed sample of ${sample.length} of ${all.length}`,
    fingerprint,
  };
}

export function readRecord(suite: string): SuiteRecord | undefined {
  const file = join(RECORDS, `${suite}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as SuiteRecord) : undefined;
}

/** Records a full pass of a suite: every task ran, and passed. */
export function recordFullPass(suite: string, fingerprint: SuiteFingerprint, seconds: Record<string, number>): void {
  mkdirSync(RECORDS, { recursive: true });
  const rounded = Object.fromEntries(
    Object.entries(seconds)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, s]) => [id, Math.round(s * 10) / 10]),
  );
  const record: SuiteRecord = {
    suite,
    fingerprint,
    tasks: Object.keys(seconds).length,
    seconds: rounded,
    total_seconds: Math.round(Object.values(seconds).reduce((a, b) => a + b, 0)),
    passed_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    node: process.version,
    cpus: cpus().length,
  };
  writeFileSync(join(RECORDS, `${suite}.json`), `${JSON.stringify(record, null, 2)}\n`);
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

/** A content hash of files and folders (paths relative to the repository), order- and mode-aware. */
function hashPaths(paths: string[]): string {
  const hash = createHash("sha256");
  for (const path of [...new Set(paths)].sort()) {
    for (const file of listFiles(join(root, path))) {
      hash.update(`${relative(root, file)}\n${statSync(file).mode & 0o111 ? "x" : "-"}\n`).update(readFileSync(file));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => (entry.isDirectory() || entry.isFile() ? listFiles(join(path, entry.name)) : []));
}
