import { BadRequestError, ConflictError, Env, NotFoundError, type EnvSpec, type SimulatorInfo } from "@terrarium/sdk";
import { cliClient } from "../../client.js";
import { CommandError, EXIT } from "../../exit.js";
import { printJson, printTable } from "../../output.js";
import { sessionHints } from "./hints.js";
import { sourceOf } from "./open.js";

const ARTIFACT_ID = /^a_[a-z0-9]{12}$/;
const SYNTAX =
  "ALIAS=SIMULATOR[:TAG] (e.g. forge=fossil or forge=fossil:1.1.0), SIMULATOR[:TAG], or [ALIAS=]ARTIFACT_ID";

/** One environment argument of `sessions make`, as typed and as the SDK's spec. */
export interface EnvArgument {
  text: string;
  spec: EnvSpec;
  simulator?: string;
  tag?: string;
}

/**
 * Reads `[ALIAS=]SIMULATOR[:TAG]` or `[ALIAS=]ARTIFACT_ID`. A colon gives the image tag, as it does for
 * every container image (`fossil:1.1.0`), so the alias gets its own sign: `forge=fossil`, read "forge is
 * a fossil". Without an alias an environment is called after its simulator.
 */
export function parseEnvArgument(text: string): EnvArgument {
  const fail = (why: string): never => {
    throw new CommandError(`"${text}": ${why}; write ${SYNTAX}`, EXIT.usage);
  };
  const [alias, source] = text.includes("=")
    ? [text.slice(0, text.indexOf("=")), text.slice(text.indexOf("=") + 1)]
    : [undefined, text];
  if (alias === "") fail("the alias before '=' is empty");
  if (source === "") fail("nothing after the '='");
  if (ARTIFACT_ID.test(source)) return { text, spec: Env.artifact(source, alias ? { alias } : {}) };
  const [simulator, tag, ...rest] = source.split(":");
  if (rest.length > 0) fail("more than one ':'");
  if (!simulator) fail("the simulator before ':' is empty");
  if (tag === "") fail("the tag after ':' is empty");
  return {
    text,
    simulator,
    ...(tag !== undefined ? { tag } : {}),
    spec: Env.simulator(simulator!, { alias: alias ?? simulator, ...(tag !== undefined ? { tag } : {}) }),
  };
}

/** Two environments named alike, or a simulator or tag the server does not have: said before anything starts. */
function check(args: EnvArgument[], simulators: SimulatorInfo[]): void {
  const aliases = new Map<string, string>();
  for (const arg of args) {
    const alias = arg.spec.alias;
    if (alias === undefined) continue;
    const other = aliases.get(alias);
    if (other !== undefined)
      throw new CommandError(
        `"${other}" and "${arg.text}" are both called "${alias}": give each its own alias, e.g. forge=${arg.simulator ?? "fossil"} mirror=${arg.simulator ?? "fossil"}`,
        EXIT.usage,
      );
    aliases.set(alias, arg.text);
  }
  for (const arg of args) {
    if (!arg.simulator) continue;
    const simulator = simulators.find((s) => s.name === arg.simulator);
    if (!simulator)
      throw new CommandError(
        `"${arg.text}": unknown simulator "${arg.simulator}"; the server has ${simulators.map((s) => s.name).join(", ") || "none"}`,
        EXIT.usage,
      );
    if (arg.tag !== undefined && !simulator.tags.includes(arg.tag))
      throw new CommandError(
        `"${arg.text}": ${arg.simulator} has no tag "${arg.tag}" (its tags: ${simulator.tags.join(", ") || "none, build it with `terrarium simulators build " + arg.simulator + "`"}). ` +
          `A ':' gives the image tag; to call the environment "${arg.tag}", write ${arg.tag}=${arg.simulator}`,
        EXIT.usage,
      );
  }
}

export interface MakeOptions {
  task?: string;
  timeout: number;
  heartbeatTimeout: number;
  json: boolean;
}

/** `terrarium sessions make ENV... | --task ID`: a session that stays after the command (no heartbeats). */
export async function makeSession(envs: string[], options: MakeOptions): Promise<void> {
  if (options.task && envs.length > 0)
    throw new CommandError(
      "give environments or --task, not both (a task says which environments it needs)",
      EXIT.usage,
    );
  if (!options.task && envs.length === 0)
    throw new CommandError(`name at least one environment, as ${SYNTAX}, or give --task ID`, EXIT.usage);
  const client = cliClient();
  const args = envs.map(parseEnvArgument);
  if (args.some((a) => a.simulator)) check(args, await client.simulators.list());
  const started = Date.now();
  const common = {
    heartbeat: false,
    heartbeatTimeout: options.heartbeatTimeout,
    ...(options.timeout === 0 ? { waitForReady: false } : { timeout: options.timeout }),
  };
  const session = await client.sessions
    .create(options.task ? { task: options.task, ...common } : { envs: args.map((a) => a.spec), ...common })
    .catch((error: unknown) => {
      throw nameTheArgument(error, args);
    });
  if (options.json) return printJson(session.dump());
  const took = Date.now() - started;
  const [info, urls] = await Promise.all([client.sessions.retrieve(session.sessionId), session.getPublicUrl()]);
  const task = info.taskPublicId ? ` from task ${info.taskPublicId}` : "";
  const state = options.timeout === 0 ? "made (not waited for)" : "ready";
  process.stdout.write(
    `session ${session.sessionId}${task}: ${info.envs.length} environment(s) ${state} in ${took} ms\n`,
  );
  printTable(
    ["ALIAS", "JOB", "FROM", "URL"],
    info.envs.map((e) => [e.alias, e.jobId, sourceOf(e), urls[e.alias] ?? "-"]),
  );
  process.stdout.write(`${sessionHints(session.sessionId, options.heartbeatTimeout).join("\n")}\n`);
}

/**
 * The server names a bad environment by its place (`envs.1.alias: ...`); the user typed it as an
 * argument, so the message names that argument too.
 */
function nameTheArgument(error: unknown, args: EnvArgument[]): unknown {
  if (!(error instanceof BadRequestError || error instanceof NotFoundError || error instanceof ConflictError))
    return error;
  const match = /^(?:body\.)?envs\.(\d+)/.exec(error.message);
  const arg = match ? args[Number(match[1])] : undefined;
  return arg ? new CommandError(`"${arg.text}": ${error.message}`, EXIT.usage, { cause: error }) : error;
}
