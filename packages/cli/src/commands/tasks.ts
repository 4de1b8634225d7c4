import { loadConfig } from "@terrarium/server";
import { connectOrStart } from "../server-connection.js";
import { CommandError, EXIT } from "../exit.js";
import { localTasks, runTask, type RunMode } from "../tasks/runner.js";
import { formatResult, verdictExitCode } from "../tasks/verdict.js";
import { sessionHints } from "./sessions/hints.js";
import { printTable } from "../output.js";

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

export interface RunCommandOptions {
  solution: boolean;
  wrong: boolean;
  keep: boolean;
  heartbeatTimeout?: number;
  json: boolean;
}

/**
 * `terrarium tasks run ID [--solution|--wrong] [--keep]`: a fresh session, the solution (or nothing),
 * the verdict. Exits 0 when the task passed, 1 when it did not, 2 when it could not run or be
 * evaluated. A kept session has no heartbeat timeout (or the one asked for), since nothing sends
 * heartbeats once the command ends, so it needs a server that outlives the command.
 */
export async function runTaskCommand(id: string, options: RunCommandOptions): Promise<void> {
  try {
    process.exitCode = await runAndReport(id, options);
  } catch (error) {
    throw new CommandError((error as Error).message, EXIT.couldNotRun, { cause: error });
  }
}

async function runAndReport(id: string, options: RunCommandOptions): Promise<number> {
  if (options.solution && options.wrong) throw new Error("choose --solution or --wrong, not both");
  if (options.heartbeatTimeout !== undefined && !options.keep)
    throw new Error("--heartbeat-timeout is for the session --keep leaves open; add --keep, or leave it out");
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
  const quiet = options.json ? () => undefined : say;
  const connection = await connectOrStart(quiet, options.keep ? { lasting: { why: "--keep" } } : { private: true });
  const heartbeatTimeout = options.keep ? (options.heartbeatTimeout ?? 0) : undefined;
  try {
    const run = await runTask(connection.client, id, mode, {
      ...dirs(),
      keep: options.keep,
      ...(heartbeatTimeout !== undefined ? { heartbeatTimeout } : {}),
      say: options.json ? undefined : say,
    });
    if (options.json) say(JSON.stringify(run.result, null, 2));
    else for (const line of formatResult(run)) say(line);
    if (options.keep) {
      const urls = await connection.client.sessions.publicUrls(run.sessionId);
      const lines = [
        `\nsession ${run.sessionId} is kept open.`,
        ...Object.entries(urls).map(([alias, url]) => `  ${alias}  ${url}`),
        ...sessionHints(run.sessionId, heartbeatTimeout!),
      ];
      (options.json ? (line: string) => process.stderr.write(`${line}\n`) : say)(lines.join("\n"));
    }
    return verdictExitCode(run.result);
  } finally {
    await connection.close();
  }
}
