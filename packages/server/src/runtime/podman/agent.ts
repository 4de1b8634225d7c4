import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { EXEC_AGENT_PORT, type ExecOptions } from "../runtime.js";

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

export interface AgentOutcome {
  stdout: string;
  stderr: string;
  /** null when the command was killed by the timeout. */
  exitCode: number | null;
  timedOut: boolean;
  truncated: boolean;
}

/** The agent answered but the exchange failed: the command may have run, so it is not run again. */
export class ExecAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExecAgentError";
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

/**
 * Runs `command` through the agent at `target`. Answers undefined when no agent takes the connection
 * (nothing was sent, so the caller may use another way); throws ExecAgentError when one took it and
 * then failed.
 */
export function execViaAgent(
  target: AgentTarget,
  command: string,
  options: ExecOptions,
): Promise<AgentOutcome | undefined> {
  const body = Buffer.from(
    [target.token, String(options.timeoutSeconds), String(options.outputLimit), command].join("\0"),
    "utf8",
  );
  const header = Buffer.alloc(8);
  header.write("TRA1", 0, "latin1");
  header.writeUInt32BE(body.length, 4);
  const output = new AnswerReader(options.outputLimit);

  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.address, port: EXEC_AGENT_PORT, noDelay: true });
    let connected = false;
    let settled = false;
    const finish = (outcome: AgentOutcome | undefined, error?: Error) => {
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
      timer = setTimeout(
        () => finish({ ...output.kept(), exitCode: null, timedOut: true }),
        options.timeoutSeconds * 1000 + ANSWER_GRACE_MS,
      );
      socket.write(Buffer.concat([header, body]));
    });
    socket.on("data", (chunk: Buffer) => {
      try {
        const last = output.push(chunk);
        if (last) finish(last);
      } catch (error) {
        finish(undefined, error as Error);
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
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  private outBytes = 0;
  private errBytes = 0;
  private truncated = false;

  constructor(private readonly limit: number) {}

  /** Takes bytes; answers the outcome once the last frame is in. */
  push(chunk: Buffer): AgentOutcome | undefined {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 5) {
      const size = this.pending.readUInt32BE(1);
      if (this.pending.length < 5 + size) return undefined;
      const type = String.fromCharCode(this.pending[0]!);
      const payload = this.pending.subarray(5, 5 + size);
      this.pending = this.pending.subarray(5 + size);
      if (type === "O" || type === "E") this.keep(type, payload);
      else if (type === "X") return this.exit(payload.toString("latin1"));
      else if (type === "F") throw new ExecAgentError(`the environment's exec agent refused: ${payload.toString()}`);
      else throw new ExecAgentError(`the environment's exec agent answered an unknown frame (${JSON.stringify(type)})`);
    }
    return undefined;
  }

  kept(): Pick<AgentOutcome, "stdout" | "stderr" | "truncated"> {
    return {
      stdout: Buffer.concat(this.out).toString("utf8"),
      stderr: Buffer.concat(this.err).toString("utf8"),
      truncated: this.truncated,
    };
  }

  private exit(text: string): AgentOutcome {
    const match = /^(\d+) ([01]) ([01])$/.exec(text);
    if (!match) throw new ExecAgentError(`the environment's exec agent answered a malformed exit status: ${text}`);
    const timedOut = match[3] === "1";
    const kept = this.kept();
    return {
      ...kept,
      truncated: kept.truncated || match[2] === "1",
      exitCode: timedOut ? null : Number(match[1]),
      timedOut,
    };
  }

  private keep(stream: "O" | "E", payload: Buffer): void {
    const used = stream === "O" ? this.outBytes : this.errBytes;
    const room = Math.max(0, this.limit - used);
    if (payload.length > room) this.truncated = true;
    const part = Buffer.from(payload.subarray(0, room));
    if (part.length === 0) return;
    if (stream === "O") {
      this.out.push(part);
      this.outBytes += part.length;
    } else {
      this.err.push(part);
      this.errBytes += part.length;
    }
  }
}
