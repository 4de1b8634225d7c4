import { loadConfig } from "@terrarium/server";
import { connectOrStart } from "../server-connection.js";
import { formatResult, localTasks, runTask, type RunMode } from "../tasks/runner.js";
import { printTable } from "./simulators.js";

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const dirs = () => {
  const config = loadConfig();
  return { simulatorsDir: config.simulatorsDir, tasksDir: config.tasksDir };
};

/** `terrarium tasks ls`: every task, then every task file that does not validate and why (exit 1). */
export function listTasks(): void {
  const { tasks, invalid } = localTasks(dirs()).load();
  if (tasks.size === 0 && invalid.length === 0) return say("no tasks");
  printTable(
    ["TASK", "DIFFICULTY", "SIMULATORS", "CHECKS", "TITLE"],
    [...tasks.values()].map(({ task }) => [
      task.id,
      task.difficulty,
      [...new Set(task.envs.map((e) => e.simulator ?? "artifact"))].join(","),
      String(task.criteria.checks.length),
      task.title,
    ]),
  );
  if (invalid.length) {
    process.stderr.write(`\n${invalid.length} invalid task file(s):\n`);
    for (const bad of invalid) process.stderr.write(`  ${bad.file}\n${bad.problems.map((p) => `    ${p}\n`).join("")}`);
    process.exitCode = 1;
  }
}

/** `terrarium tasks show ID`: the prompt, environments and checks of a task. */
export function showTask(id: string, options: { json: boolean }): void {
  const loaded = localTasks(dirs()).get(id);
  if (!loaded) {
    process.stderr.write(`unknown or invalid task "${id}" (terrarium tasks ls lists them)\n`);
    process.exitCode = 1;
    return;
  }
  const { task } = loaded;
  if (options.json) return say(JSON.stringify(task, null, 2));
  say(`${task.id}: ${task.title} (${task.difficulty}${task.tags.length ? `; ${task.tags.join(", ")}` : ""})`);
  say(`file: ${loaded.file}${loaded.solution ? `\nsolution: ${loaded.solution}` : ""}`);
  say(`\n${task.prompt}\n`);
  for (const env of task.envs)
    say(`env ${env.alias}: ${env.simulator}${env.tag ? `:${env.tag}` : ""}, starts at ${env.start_url}`);
  say(`\nchecks (${task.criteria.scoring.strategy}, pass at ${task.criteria.scoring.passThreshold}):`);
  for (const check of task.criteria.checks) {
    const kind = Object.keys(check).find((k) => !["id", "weight", "required", "description", "penalty"].includes(k));
    say(
      `  ${check.id} (${kind}${check.required ? ", required" : ""}${check.weight !== undefined ? `, weight ${check.weight}` : ""})${check.description ? `: ${check.description}` : ""}`,
    );
  }
}

/** `terrarium tasks run ID [--solution|--wrong]`: a fresh session, the solution (or nothing), the verdict. */
export async function runTaskCommand(
  id: string,
  options: { solution: boolean; wrong: boolean; keep: boolean; json: boolean },
): Promise<void> {
  if (options.solution && options.wrong) throw new Error("choose --solution or --wrong, not both");
  const mode: RunMode = options.solution ? "solution" : options.wrong ? "wrong" : "nothing";
  const { tasks, invalid } = localTasks(dirs()).load();
  if (!tasks.has(id)) {
    const bad = invalid.find((i) => i.file.endsWith(`/${id.split("/").pop()}.yaml`));
    throw new Error(
      bad
        ? `task ${id} is invalid (${bad.file}):\n  ${bad.problems.join("\n  ")}`
        : `unknown task "${id}" (terrarium tasks ls lists them)`,
    );
  }
  const connection = await connectOrStart(options.json ? () => undefined : say, { private: true });
  try {
    const run = await runTask(connection.client, id, mode, {
      ...dirs(),
      keep: options.keep,
      say: options.json ? undefined : say,
    });
    if (options.json) say(JSON.stringify(run.result, null, 2));
    else for (const line of formatResult(run)) say(line);
    if (options.keep) say(`session ${run.sessionId} kept open`);
  } finally {
    await connection.close();
  }
}
