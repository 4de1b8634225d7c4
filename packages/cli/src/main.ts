#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { VERSION } from "./version.js";
import { setup } from "./commands/setup.js";
import { upForeground } from "./commands/up.js";
import { buildSimulators, calibrateSimulator, listSimulators } from "./commands/simulators.js";
import { evaluateSession } from "./commands/sessions/evaluate.js";
import { showLogs } from "./commands/sessions/logs.js";
import { execInSession } from "./commands/sessions/exec.js";
import { makeSession } from "./commands/sessions/make.js";
import { closeSessions, listSessions, resetSession, showSession, showUrls } from "./commands/sessions/manage.js";
import { showState } from "./commands/sessions/state.js";
import { CommandError, EXIT } from "./exit.js";
import { eventCount, heartbeatSeconds, LOG_LEVELS, port, positiveSeconds, seconds, sequence } from "./flags.js";
import { listTasks, runTaskCommand, showTask } from "./commands/tasks.js";
import { demo } from "./commands/demo.js";
import { listArtifacts, removeArtifacts, showArtifact, snapshotSession } from "./commands/artifacts.js";

/** Bounds of the server's fields the flags fill (packages/wire), so a flag out of range is a usage error. */
const MAX_WAIT = 3600;
const MAX_COMMAND = 24 * 3600;
const MAX_HEARTBEAT = 7 * 24 * 3600;
const MAX_IDLE = 300;

// `terrarium sessions ls | head -1`: a reader that stops early is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(EXIT.ok);
  throw error;
});

const program = new Command()
  .name("terrarium")
  .description("Sessions of simulated app environments for AI agents")
  .version(VERSION)
  // Usage errors exit 2 (commander has printed them), so that 1 stays "the command said no".
  .exitOverride();

program
  .command("setup")
  .description("install what is missing: Debian packages, Podman settings, the base image, simulator images")
  .action(() => setup());

program
  .command("up")
  .description("set up what is missing and run the server in the foreground")
  .option("--host <host>", "address to listen on (default 127.0.0.1; off loopback an API key is required)")
  .option("--port <port>", "port to listen on (default 7350)", port)
  .option("--no-setup", "skip the set-up checks")
  .addOption(
    new Option("--log-level <level>", "the server's log level (default info)")
      .choices(LOG_LEVELS)
      .env("TERRARIUM_LOG_LEVEL"),
  )
  .action((o: { host?: string; port?: number; setup: boolean; logLevel?: string }) => upForeground(o));

const simulators = program.command("simulators").description("the apps environments are made from");
simulators
  .command("ls")
  .description("list simulators and whether their images are built")
  .action(() => listSimulators());
simulators
  .command("build")
  .description("build simulator images whose recipe changed")
  .argument("[names...]", "simulators to build (default: all)")
  .option("--force", "rebuild even when the recipe did not change", false)
  .action((names: string[], o: { force: boolean }) => buildSimulators(names, o.force));

simulators
  .command("calibrate")
  .description("log in to a fresh environment, idle, and propose noise rules for what changed")
  .argument("<name>", "simulator")
  .option("--idle <seconds>", `seconds to idle after the login (at most ${MAX_IDLE})`, seconds(MAX_IDLE), 5)
  .option("--json", "print the full report", false)
  .option("--browser", "log in with the simulator's browser steps in Chromium (apps whose login is not a form)", false)
  .action((name: string, o: { idle: number; json: boolean; browser: boolean }) => calibrateSimulator(name, o));

const sessions = program.command("sessions").description("sessions on the server at TERRARIUM_URL");
sessions
  .command("make")
  .description(
    "make a session that stays until closed: environments as ALIAS=SIMULATOR[:TAG] (e.g. forge=fossil redmine:1.0.0), [ALIAS=]ARTIFACT_ID, or --task ID",
  )
  .argument("[envs...]", "environments; without an alias one is called after its simulator")
  .option("--task <id>", "make the session a task needs (then name no environments)")
  .option(
    "--timeout <seconds>",
    "seconds to wait until every environment is ready (0: do not wait)",
    seconds(MAX_WAIT),
    120,
  )
  .option(
    "--heartbeat-timeout <seconds>",
    "close it after this long without a call (0: never; this command sends no heartbeats)",
    heartbeatSeconds(MAX_HEARTBEAT),
    0,
  )
  .option("--json", "print the session as Session.load takes it", false)
  .action((envs: string[], o: { task?: string; timeout: number; heartbeatTimeout: number; json: boolean }) =>
    makeSession(envs, o),
  );
sessions
  .command("exec")
  .description(
    "run a shell command in every environment of a session, or one; exit 1 if any failed (one environment: its exit code, 124 on timeout)",
  )
  .argument("<id>", "session id")
  .argument("<command...>", "the command (after --, when it has words starting with -), run by sh -c")
  .option("--alias <alias>", "only in this environment")
  .option(
    "--timeout <seconds>",
    "kill the command and all it started after this long",
    positiveSeconds(MAX_COMMAND),
    30,
  )
  .option("--json", "print the results per job", false)
  .action((id: string, command: string[], o: { alias?: string; timeout: number; json: boolean }) =>
    execInSession(id, command, o),
  );
sessions
  .command("ls")
  .description("list sessions, with the task each was made from")
  .option("--all", "include closed sessions", false)
  .option("--json", "print the sessions as JSON", false)
  .action((o: { all: boolean; json: boolean }) => listSessions(o));
sessions
  .command("show")
  .description("a session: its status, task, and environments with their heartbeat timeouts and URLs")
  .argument("<id>", "session id")
  .option("--json", "print the record as JSON", false)
  .action((id: string, o: { json: boolean }) => showSession(id, o));
sessions
  .command("state")
  .description("what changed in each environment since its start or last reset")
  .argument("<id>", "session id")
  .option("--json", "print the full state record", false)
  .option("--log", "the ordered log of changes instead of net changes", false)
  .action((id: string, o: { json: boolean; log: boolean }) => showState(id, o));
sessions
  .command("logs")
  .description(
    "the session's events, oldest first: created, ready, execute (command, exit code), reset, login, close...",
  )
  .argument("<id>", "session id")
  .option("--after <seq>", "only events after this one (a page's next_after)", sequence, 0)
  .option("--limit <n>", "one page of at most this many events (1-1000), instead of every one", eventCount)
  .option("--job <job_id>", "only the events of this environment")
  .option("--json", "print the events as JSON", false)
  .action((id: string, o: { after: number; limit?: number; job?: string; json: boolean }) => showLogs(id, o));
sessions
  .command("reset")
  .description("bring every environment back to how it started (same jobs and aliases)")
  .argument("<id>", "session id")
  .option("--json", "print the results per job", false)
  .action((id: string, o: { json: boolean }) => resetSession(id, o));
sessions
  .command("evaluate")
  .description("score a session made from a task against its criteria: exit 0 passed, 1 not passed, 2 not evaluated")
  .argument("<id>", "session id")
  .option("--value <answer>", "the agent's final answer, for tasks that ask a question")
  .option("--json", "print the evaluation result as JSON", false)
  .action((id: string, o: { value?: string; json: boolean }) => evaluateSession(id, o));
sessions
  .command("url")
  .alias("urls")
  .description("browser-reachable URLs of a session's environments (through the server's proxy)")
  .argument("<id>", "session id")
  .option("--port <port>", "a port of the environments instead of their app port", port)
  .option("--json", "print the URLs by alias as JSON", false)
  .action((id: string, o: { port?: number; json: boolean }) => showUrls(id, o));
sessions
  .command("close")
  .description("close sessions: remove their environments and networks")
  .argument("<ids...>", "session ids")
  .option("--json", "print the results per session", false)
  .action((ids: string[], o: { json: boolean }) => closeSessions(ids, o));

sessions
  .command("snapshot")
  .description("snapshot every environment of a session into an artifact: memory (default) or --disk")
  .argument("<id>", "session id")
  .option("--disk", "only the disk (fast; an environment from it boots fresh)", false)
  .option("--publish <[simulator:]version>", "with --disk: publish as this version of the simulator")
  .action((id: string, o: { disk: boolean; publish?: string }) => snapshotSession(id, o));

const artifacts = program.command("artifacts").description("snapshots of environments");
artifacts
  .command("ls")
  .description("list artifacts, newest first")
  .action(() => listArtifacts());
artifacts
  .command("show")
  .description("an artifact, its lineage and children")
  .argument("<id>", "artifact id")
  .option("--json", "print the record as JSON", false)
  .action((id: string, o: { json: boolean }) => showArtifact(id, o));
artifacts
  .command("rm")
  .description("remove artifacts (refused while an open environment started from one)")
  .argument("<ids...>", "artifact ids")
  .action((ids: string[]) => removeArtifacts(ids));

const tasks = program.command("tasks").description("tasks: prompts with criteria, reference and wrong solutions");
tasks
  .command("ls")
  .description("list the tasks, and every invalid task file with its problems (exit 1 if any)")
  .action(() => listTasks());
tasks
  .command("show")
  .description("a task's prompt, environments and checks")
  .argument("<id>", "task id, e.g. redmine/escalate-webhook-bug")
  .option("--json", "print the whole task", false)
  .action((id: string, o: { json: boolean }) => showTask(id, o));
tasks
  .command("run")
  .description(
    "start a session from a task, run its reference (--solution) or wrong (--wrong) solution or nothing, and evaluate: exit 0 passed, 1 not passed, 2 could not run",
  )
  .argument("<id>", "task id")
  .option("--solution", "run the reference solution", false)
  .option("--wrong", "run the plausible wrong solution", false)
  .option("--keep", "leave the session open afterwards, with no heartbeat timeout (needs `terrarium up`)", false)
  .option(
    "--heartbeat-timeout <seconds>",
    "with --keep: close the kept session after this long without a call (default 0: never)",
    heartbeatSeconds(MAX_HEARTBEAT),
  )
  .option("--json", "print the evaluation result as JSON", false)
  .action(
    (id: string, o: { solution: boolean; wrong: boolean; keep: boolean; heartbeatTimeout?: number; json: boolean }) =>
      runTaskCommand(id, o),
  );

program
  .command("demo")
  .description("set up, start a server if none runs, and walk a session of two fossil environments through its life")
  .action(() => demo());

program.parseAsync().catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  process.stderr.write(`terrarium: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof CommandError ? error.exitCode : EXIT.failed);
});
