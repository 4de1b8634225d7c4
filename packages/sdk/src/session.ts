import type { SessionDetails, WaitForReadyResponse } from "@terrarium/wire";
import { Terrarium } from "./client.js";
import { Environment } from "./environment.js";
import { ConflictError, NotFoundError } from "./errors.js";
import type { Http } from "./http.js";
import {
  Operations,
  type ExecuteOptions,
  type OperationOptions,
  type SessionState,
  type StateOptions,
  type WaitOptions,
} from "./operations.js";
import { SerializedSession } from "./serialized.js";
import { toSessionInfo, type ExecuteResult, type JobOutcome, type Results, type SessionInfo } from "./types.js";

export type { ExecuteOptions, OperationOptions, SessionState, StateOptions, WaitOptions };

interface SessionRecord {
  sessionId: string;
  taskPublicId: string | null;
  envs: { jobId: string; alias: string; simulator: string | null; artifactId: string | null }[];
}

/**
 * A group of running environments, operated on together. Answers are keyed by job id; `getEnv(alias)`
 * finds one environment.
 *
 * @example
 * await using session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
 * const { results } = await session.execute("whoami");
 */
export class Session {
  readonly sessionId: string;
  /** The task this session was made from, if any. */
  readonly taskPublicId: string | null;
  readonly envs: Environment[];
  private readonly ops: Operations;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** @internal use `client.sessions.create` or `Session.load`. */
  constructor(
    readonly client: Terrarium,
    http: Http,
    state: SessionRecord,
  ) {
    this.ops = new Operations(http, `api/v2/sessions/${encodeURIComponent(state.sessionId)}`);
    this.sessionId = state.sessionId;
    this.taskPublicId = state.taskPublicId;
    this.envs = state.envs.map((e) => new Environment(http, e.jobId, e.alias, e.simulator, e.artifactId));
  }

  /** The environment with this alias, or undefined. */
  getEnv(alias: string): Environment | undefined {
    return this.envs.find((e) => e.alias === alias);
  }

  /** Waits until every environment's app answers its readiness check (`timeout` seconds, default 120). */
  waitForReady(options: WaitOptions = {}): Promise<WaitForReadyResponse> {
    return this.ops.waitForReady(options);
  }

  /**
   * Brings every environment back to its starting state; job ids and aliases stay.
   *
   * @example
   * const { results } = await session.reset(); // results[jobId].success
   */
  reset(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("reset", options);
  }

  /**
   * Runs a shell command in every environment.
   *
   * @example
   * const { results } = await session.execute("ls /data", { timeout: 10 });
   * for (const [jobId, r] of Object.entries(results)) console.log(jobId, r.exitCode, r.stdout);
   */
  execute(command: string, options: ExecuteOptions = {}): Promise<Results<ExecuteResult>> {
    return this.ops.execute(command, options);
  }

  /**
   * Database rows and files every environment changed since its start or last reset.
   *
   * @example
   * const { results } = await session.getState();
   * for (const [jobId, r] of Object.entries(results)) console.log(jobId, r.state?.dbs[0]?.changes.length, r.error);
   */
  getState(options: StateOptions = {}): Promise<SessionState> {
    return this.ops.state(options);
  }

  /** Tells the server the session is still in use (the SDK does this every 30 s on its own). */
  heartbeat(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("heartbeat", options);
  }

  /** Starts sending heartbeats in the background (never keeps the process alive by itself). */
  startHeartbeat(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.beat(), this.client.heartbeatInterval);
    this.timer.unref();
    this.client.track(this);
  }

  /** Stops the background heartbeats; the server closes the environments after their heartbeat timeout. */
  stopHeartbeat(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.client.untrack(this);
  }

  get heartbeatRunning(): boolean {
    return this.timer !== undefined;
  }

  private async beat(): Promise<void> {
    try {
      await this.heartbeat();
    } catch (error) {
      // A session closed elsewhere (or reaped) needs no more heartbeats; other failures retry next tick.
      if (error instanceof ConflictError || error instanceof NotFoundError) this.stopHeartbeat();
    }
  }

  /** The server's record of the session and its environments. */
  async details(options: OperationOptions = {}): Promise<SessionInfo> {
    return toSessionInfo(await this.ops.details<SessionDetails>(options));
  }

  /**
   * The session as plain JSON for `Session.load` elsewhere.
   *
   * @example
   * const text = JSON.stringify(session.dump());
   * const again = await Session.load(SerializedSession.parse(JSON.parse(text)));
   */
  dump(): SerializedSession {
    return {
      version: 1,
      session_id: this.sessionId,
      task_public_id: this.taskPublicId,
      base_url: this.client.baseUrl,
      envs: this.envs.map((e) => ({
        job_id: e.jobId,
        alias: e.alias,
        simulator: e.simulator,
        artifact_id: e.artifactId,
      })),
      heartbeat: this.heartbeatRunning,
    };
  }

  /**
   * Drives a dumped session again, from any process. Uses `options.client`, or a new client for the
   * dumped server URL (with `TERRARIUM_API_KEY`); resumes heartbeats if they were running.
   */
  static async load(serialized: SerializedSession, options: { client?: Terrarium } = {}): Promise<Session> {
    const data = SerializedSession.parse(serialized);
    const client = options.client ?? new Terrarium({ baseUrl: data.base_url });
    const session = client.sessions.attach({
      sessionId: data.session_id,
      taskPublicId: data.task_public_id,
      envs: data.envs.map((e) => ({
        jobId: e.job_id,
        alias: e.alias,
        simulator: e.simulator,
        artifactId: e.artifact_id,
      })),
    });
    if (data.heartbeat) session.startHeartbeat();
    return session;
  }

  /**
   * Closes the session: its environments and network are removed. A second close does nothing.
   *
   * @example
   * await session.close();
   */
  async close(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    this.stopHeartbeat();
    if (this.closed) return { results: {} };
    try {
      return await this.ops.outcome("close", options);
    } catch (error) {
      // Closed already (by another process, or reaped): the goal of close is met.
      if (!(error instanceof ConflictError)) throw error;
      return { results: {} };
    } finally {
      this.closed = true;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
