import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { encodeOutput, KeptOutput } from "../output.js";
import { EXEC_AGENT_PORT, type ExecEncoding, type ExecOptions, type ExecOutcome } from "../runtime.js";

/**
 * The exec agent (agent/terrarium-agent.pl) runs inside every environment whose image has perl: the
 * fast path of `execute`, with the isolation of podman exec (see the script's header). This is its
 * client and what the driver needs to start a container with it.
 */

/** The script on the host, found from this file's place in the package (src/ and dist/ alike). */
export const AGENT_SCRIPT = fileURLToPath(
  new URL("../../../src/runtime/podman/agent/terrarium-agent.pl", import.meta.url),
);
/** Where the script is mounted (read-only) in the container. */
export const AGENT_PATH = "/.terrarium/agent";
export const AGENT_ENTRYPOINT = ["/usr/bin/perl", AGENT_PATH];
/** The container's environment variable that hands the agent its token; the agent removes it. */
export const AGENT_TOKEN_ENV = "TERRARIUM_AGENT_TOKEN";
/** An image label that keeps the agent out of its containers (`off`); they execute through podman exec. */
export const AGENT_LABEL = "io.terrarium.exec-agent";

/** How long a connection may take before the agent counts as absent (a live one answers in a millisecond). */
const CONNECT_TIMEOUT_MS = 3_000;
/** How long after the command's own timeout the server stops waiting for the answer. */
const ANSWER_GRACE_MS = 10_000;

export interface AgentTarget {
  address: string;
  token: string;
}

/** An agent from before this protocol (in an environment restored from an older memory snapshot) says this. */
const OLD_AGENT_REFUSAL = "not a Terrarium exec request";

/** The agent answered but the exchange failed: the command may have run, so it is not run again. */
export class ExecAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecAgentError";
  }
}

/** The agent refused the request: the command did not run. */
export class ExecAgentRefusal extends ExecAgentError {
  constructor(readonly reason: string) {
    super(`the environment's exec agent refused: ${reason}`);
  }
}

export const newAgentToken = () => randomBytes(32).toString("hex");

/** Whether an image's entrypoint is the agent's (a commit of a container with the agent keeps it). */
export const wrappedByAgent = (entrypoint: string[] | null | undefined) =>
  AGENT_ENTRYPOINT.every((part, i) => entrypoint?.[i] === part);

/** The image's own command (entrypoint + cmd), without the agent's wrapper. */
export function imageCommand(config: { Entrypoint?: string[] | null; Cmd?: string[] | null }): string[] {
  const entrypoint = config.Entrypoint ?? [];
  const own = wrappedByAgent(entrypoint) ? entrypoint.slice(AGENT_ENTRYPOINT.length) : entrypoint;
  return [...own, ...(config.Cmd ?? [])];
}

/** The agent's token from a container's environment (`KEY=value` entries); undefined without one. */
export function agentToken(env: string[] | null | undefined): string | undefined {
  const entry = (env ?? []).find((e) => e.startsWith(`${AGENT_TOKEN_ENV}=`));
  const token = entry?.slice(AGENT_TOKEN_ENV.length + 1);
  return token || undefined;
}

/** The agent's request: "TRA2", the body's length, then each field as a u32 length and its bytes. */
export function agentRequest(token: string, command: string, options: ExecOptions): Buffer {
  const fields = [token, String(options.timeoutSeconds), String(options.outputLimit), command].flatMap((field) => {
    const bytes = Buffer.from(field, "utf8");
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return [length, bytes];
  });
  const body = Buffer.concat(fields);
  const header = Buffer.alloc(8);
  header.write("TRA2", 0, "latin1");
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/**
 * Runs `command` through the agent at `target`. Answers undefined when no agent takes the request
 * (none took the connection, or one too old for it refused it: nothing ran, so the caller may use
 * another way); throws ExecAgentError when one took it and then failed.
 */
export function execViaAgent(
  target: AgentTarget,
  command: string,
  options: ExecOptions,
): Promise<ExecOutcome | undefined> {
  const request = agentRequest(target.token, command, options);
  const output = new AnswerReader(options.outputLimit, options.encoding);

  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.address, port: EXEC_AGENT_PORT, noDelay: true });
    let connected = false;
    let settled = false;
    const finish = (outcome: ExecOutcome | undefined, error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(outcome);
    };
    let timer = setTimeout(() => finish(undefined), CONNECT_TIMEOUT_MS);
    socket.on("connect", () => {
      connected = true;
      clearTimeout(timer);
      // Past the command's own timeout and a grace, stop waiting: closing kills the command's group.
      timer = setTimeout(() => finish(output.kept()), options.timeoutSeconds * 1000 + ANSWER_GRACE_MS);
      socket.write(request);
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        const last = output.push(chunk);
        if (last) finish(last);
      } catch (error) {
        if (error instanceof ExecAgentRefusal && error.reason === OLD_AGENT_REFUSAL) finish(undefined);
        else finish(undefined, error as Error);
      }
    });
    socket.on("error", (error) => {
      if (!connected) return finish(undefined);
      finish(undefined, new ExecAgentError(`the environment's exec agent failed: ${error.message}`));
    });
    socket.on("close", () => {
      if (!connected) return finish(undefined);
      finish(
        undefined,
        new ExecAgentError(
          "the environment's exec agent closed the connection without an answer (the command may have run)",
        ),
      );
    });
  });
}

/** Reads the agent's answer frames (type byte, u32 length, payload), keeping `limit` bytes per stream. */
export class AnswerReader {
  private pending: Buffer = Buffer.alloc(0);
  private readonly out: KeptOutput;
  private readonly err: KeptOutput;

  constructor(
    limit: number,
    private readonly encoding: ExecEncoding = "utf8",
  ) {
    this.out = new KeptOutput(limit);
    this.err = new KeptOutput(limit);
  }

  /** Takes bytes; answers the outcome once the last frame is in. */
  push(chunk: Buffer): ExecOutcome | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 5) {
      const size = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + size) return undefined;
      const type = String.fromCharCode(this.pending[0]!);
      const payload = this.pending.subarray(5, 5 + size);
      this.pending = this.pending.subarray(5 + size);
      if (type === "O") this.out.push(payload);
      else if (type === "E") this.err.push(payload);
      else if (type === "X") return this.exit(payload.toString("latin1"));
      else if (type === "F") throw new ExecAgentRefusal(payload.toString());
      else throw new ExecAgentError(`the environment's exec agent answered an unknown frame (${JSON.stringify(type)})`);
    }
    return undefined;
  }

  /** What came so far, as the answer of a command whose time ran out. */
  kept(): ExecOutcome {
    return this.outcome(null, true);
  }

  private exit(text: string): ExecOutcome {
    const match = /^(\d+) ([01]) ([01]) ([01])$/.exec(text);
    if (!match) throw new ExecAgentError(`the environment's exec agent answered a malformed exit status: ${text}`);
    if (match[2] === "1") this.out.cut = true;
    if (match[3] === "1") this.err.cut = true;
    const timedOut = match[4] === "1";
    return this.outcome(timedOut ? null : Number(match[1]), timedOut);
  }

  private outcome(exitCode: number | null, timedOut: boolean): ExecOutcome {
    const stdout = encodeOutput(this.out.bytes(), this.out.cut, this.encoding);
    const stderr = encodeOutput(this.err.bytes(), this.err.cut, this.encoding);
    return {
      stdout: stdout.text,
      stderr: stderr.text,
      stdoutLossy: stdout.lossy,
      stderrLossy: stderr.lossy,
      exitCode,
      timedOut,
      truncated: this.out.cut || this.err.cut,
    };
  }
}
