#!/usr/bin/env node
import { Command, InvalidArgumentError } from "commander";
import { VERSION } from "./version.js";
import { setup } from "./commands/setup.js";
import { upForeground } from "./commands/up.js";
import { buildSimulators, calibrateSimulator, listSimulators } from "./commands/simulators.js";
import { closeSession, listSessions, showState, showUrls } from "./commands/sessions.js";
import { listTasks, runTaskCommand, showTask } from "./commands/tasks.js";
import { demo } from "./commands/demo.js";
import { listArtifacts, removeArtifacts, showArtifact, snapshotSession } from "./commands/artifacts.js";

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("a port is an integer from 0 to 65535");
  return n;
};

const program = new Command()
  .name("terrarium")
  .description("Sessions of simulated app environments for AI agents")
  .version(VERSION);

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
  .option("--log-level <level>", "pino log level", "info")
  .action((o: { host?: string; port?: number; setup: boolean; logLevel: string }) => upForeground(o));

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
  .option("--idle <seconds>", "seconds to idle after the login", (v) => Number(v), 5)
  .option("--json", "print the full report", false)
  .action((name: string, o: { idle: number; json: boolean }) => calibrateSimulator(name, o));

const sessions = program.command("sessions").description("sessions on the server at TERRARIUM_URL");
sessions
  .command("ls")
  .description("list sessions")
  .option("--all", "include closed sessions", false)
  .action((o: { all: boolean }) => listSessions(o.all));
sessions
  .command("close")
  .description("close sessions: remove their environments and networks")
  .argument("<ids...>", "session ids")
  .action((ids: string[]) => closeSession(ids));

sessions
  .command("state")
  .description("what changed in each environment since its start or last reset")
  .argument("<id>", "session id")
  .option("--json", "print the full state record", false)
  .option("--log", "the ordered log of changes instead of net changes", false)
  .action((id: string, o: { json: boolean; log: boolean }) => showState(id, o));

sessions
  .command("urls")
  .description("browser-reachable URLs of a session's environments (through the server's proxy)")
  .argument("<id>", "session id")
  .option("--port <port>", "a port of the environments instead of their app port", port)
  .action((id: string, o: { port?: number }) => showUrls(id, o));

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
    "start a session from a task, run its reference (--solution) or wrong (--wrong) solution or nothing, and evaluate",
  )
  .argument("<id>", "task id")
  .option("--solution", "run the reference solution", false)
  .option("--wrong", "run the plausible wrong solution", false)
  .option("--keep", "leave the session open afterwards", false)
  .option("--json", "print the evaluation result as JSON", false)
  .action((id: string, o: { solution: boolean; wrong: boolean; keep: boolean; json: boolean }) =>
    runTaskCommand(id, o),
  );

program
  .command("demo")
  .description("set up, start a server if none runs, and walk a session of two fossil environments through its life")
  .action(() => demo());

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`terrarium: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
