import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { Task, type Check } from "@terrarium/wire";
import type { Simulator } from "../catalog/simulators.js";

export interface LoadedTask {
  task: Task;
  /** The task file. */
  file: string;
  /** The solution module's path, when the task names one. */
  solution?: string;
}

/** A task file that cannot be used, and every reason why (each naming the field). */
export interface InvalidTask {
  file: string;
  problems: string[];
}

export interface TaskCatalogSnapshot {
  tasks: Map<string, LoadedTask>;
  invalid: InvalidTask[];
}

/**
 * The task files: `simulators/<name>/tasks/*.yaml` (ids `<name>/<slug>`) and `tasks/*.yaml` (ids
 * `<slug>`), read on each call (they are few and small), so edits show without a restart. A file
 * that does not validate is reported with its problems and left out; the others stay usable.
 */
export class TaskCatalog {
  constructor(
    private readonly simulatorsDir: string,
    private readonly tasksDir: string,
    private readonly simulators: () => Map<string, Simulator>,
  ) {}

  load(): TaskCatalogSnapshot {
    const simulators = this.simulators();
    const tasks = new Map<string, LoadedTask>();
    const invalid: InvalidTask[] = [];
    const files: { file: string; simulator?: string }[] = [];
    for (const name of existsSync(this.simulatorsDir) ? readdirSync(this.simulatorsDir).sort() : []) {
      const folder = join(this.simulatorsDir, name, "tasks");
      for (const file of yamlFiles(folder)) files.push({ file, simulator: name });
    }
    for (const file of yamlFiles(this.tasksDir)) files.push({ file });

    for (const { file, simulator } of files) {
      const problems: string[] = [];
      const loaded = readTask(file, simulator, simulators, problems);
      if (loaded && tasks.has(loaded.task.id))
        problems.push(`id: "${loaded.task.id}" is also the id of ${tasks.get(loaded.task.id)!.file}`);
      if (problems.length > 0 || !loaded) invalid.push({ file, problems });
      else tasks.set(loaded.task.id, loaded);
    }
    return { tasks, invalid };
  }

  get(id: string): LoadedTask | undefined {
    return this.load().tasks.get(id);
  }
}

function yamlFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .map((f) => join(folder, f));
}

function readTask(
  file: string,
  simulator: string | undefined,
  simulators: Map<string, Simulator>,
  problems: string[],
): LoadedTask | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    problems.push(`not valid YAML: ${(error as Error).message.split("\n")[0]}`);
    return undefined;
  }
  const parsed = Task.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(describeIssue(issue as ZodIssueLike, issue.path));
    return undefined;
  }
  const task = parsed.data;
  const slug = basename(file).replace(/\.ya?ml$/, "");
  const expectedId = simulator ? `${simulator}/${slug}` : slug;
  if (task.id !== expectedId)
    problems.push(`id: "${task.id}" must be "${expectedId}" (from the file's place and name)`);

  const aliases = new Set<string>();
  task.envs.forEach((env, i) => {
    if (aliases.has(env.alias)) problems.push(`envs.${i}.alias: "${env.alias}" is used twice`);
    aliases.add(env.alias);
    if (env.simulator && !simulators.has(env.simulator))
      problems.push(
        `envs.${i}.simulator: no simulator "${env.simulator}" (known: ${[...simulators.keys()].join(", ")})`,
      );
    if (simulator && env.simulator && env.simulator !== simulator)
      problems.push(
        `envs.${i}.simulator: a task in simulators/${simulator}/tasks uses only ${simulator}; put tasks spanning simulators in tasks/`,
      );
  });

  const { criteria } = task;
  const vars = new Set(Object.keys(criteria.vars ?? {}));
  for (const [name, lookup] of Object.entries(criteria.vars ?? {}))
    if (!aliases.has(lookup.env)) problems.push(`criteria.vars.${name}.env: no environment "${lookup.env}" in envs`);
  const binds = new Set<string>();
  const ids = new Set<string>();
  const walk = (checks: Check[], path: string) =>
    checks.forEach((check, i) => {
      const here = `${path}.${i}`;
      if (ids.has(check.id)) problems.push(`${here}.id: "${check.id}" is used twice`);
      ids.add(check.id);
      for (const key of ["mutation", "forbid", "row", "sql", "file", "http"] as const) {
        const body = (check as unknown as Record<string, { env?: string; bind?: string }>)[key];
        if (!body) continue;
        if (body.env !== undefined && !aliases.has(body.env))
          problems.push(`${here}.${key}.env: no environment "${body.env}" in envs`);
        if (body.bind) binds.add(body.bind);
      }
      if ("onlyExpected" in check)
        for (const env of check.onlyExpected.envs ?? [])
          if (!aliases.has(env)) problems.push(`${here}.onlyExpected.envs: no environment "${env}" in envs`);
      if ("all" in check) walk(check.all, `${here}.all`);
      if ("any" in check) walk(check.any, `${here}.any`);
      if ("not" in check) walk([check.not], `${here}.not`);
    });
  walk(criteria.checks, "criteria.checks");
  for (const [at, ref] of refsIn(criteria.checks, "criteria.checks")) {
    const [head, name] = ref.split(".");
    if (head === "vars" ? !vars.has(name ?? "") : !binds.has(head!))
      problems.push(`${at}: $ref "${ref}" names ${head === "vars" ? `no var "${name}"` : `no bound change "${head}"`}`);
  }
  let solution: string | undefined;
  if (task.solution) {
    solution = join(dirname(file), task.solution);
    if (!existsSync(solution)) problems.push(`solution: ${task.solution} does not exist beside the task`);
  }
  return { task, file, ...(solution ? { solution } : {}) };
}

/** Every `$ref` in the checks, with where it is. */
function refsIn(value: unknown, path: string): [string, string][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => refsIn(v, `${path}.${i}`));
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === "$ref" && typeof v === "string" ? [[path, v] as [string, string]] : refsIn(v, `${path}.${k}`),
  );
}

interface ZodIssueLike {
  code: string;
  message: string;
  path: PropertyKey[];
  keys?: string[];
  errors?: ZodIssueLike[][];
}

/**
 * One line per problem, naming the field. A check or matcher that fits none of its kinds is explained
 * by the kind it comes closest to (the branch with the fewest problems), not by zod's dump of all.
 */
function describeIssue(issue: ZodIssueLike, at: PropertyKey[]): string {
  if (issue.code === "invalid_union" && issue.errors?.length) {
    const closest = [...issue.errors].sort((a, b) => a.length - b.length || depth(b) - depth(a))[0]!;
    // A misspelt field first: "unknown field mutaton" says more than "mutation is missing".
    const first = closest.find((i) => i.code === "unrecognized_keys") ?? closest[0];
    if (first) return describeIssue(first, [...at, ...first.path]);
  }
  const where = at.map(String).join(".") || "(top level)";
  if (issue.code === "unrecognized_keys") return `${where}: unknown field(s) ${issue.keys?.join(", ")}`;
  return `${where}: ${issue.message}`;
}

const depth = (issues: ZodIssueLike[]) => Math.max(0, ...issues.map((i) => i.path.length));
