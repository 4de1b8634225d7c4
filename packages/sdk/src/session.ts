import type { EvaluationResult, SessionDetails } from "@terrarium/wire";
import type { Browser } from "playwright-core";
import { Terrarium } from "./client.js";
import { setDate, type SetDateOptions, type SetDateResult } from "./clock.js";
import { Environment } from "./environment.js";
import { ConflictError, InvalidSessionError, NotFoundError } from "./errors.js";
import type { Http } from "./http.js";
import { logIn, type LoginOptions, type LoginResult } from "./login.js";
import {
  Operations,
  type DiskSnapshotOptions,
  type ExecuteOptions,
  type ExecuteOutput,
  type TextExecuteOptions,
  type PublicUrlOptions,
  type OperationOptions,
  type SessionState,
  type StateOptions,
  type WaitOptions,
} from "./operations.js";
import { SerializedSession } from "./serialized.js";
import {
  toSessionInfo,
  type ExecuteResult,
  type JobOutcome,
  type ReadyResult,
  type Results,
  type SessionInfo,
  type SnapshotResult,
} from "./types.js";

export type {
  DiskSnapshotOptions,
  ExecuteOptions,
  OperationOptions,
  PublicUrlOptions,
  SessionState,
  StateOptions,
  WaitOptions,
};

/** @internal what the SDK knows of a session that exists on the server. */
export interface SessionRecord {
  sessionId: string;
  taskPublicId: string | null;
  envs: { jobId: string; alias: string; simulator: string | null; artifactId: string | null }[];
}

export interface LoadOptions {
  /** The client to drive the session with; default a new one for the dumped server URL. */
  client?: Terrarium;
  /** Send heartbeats; default: as when the session was dumped. */
  heartbeat?: boolean;
  /** Cancels the check with the server. */
  signal?: AbortSignal;
}

/** A heartbeat gets this long at least, and at most the client's timeout. */
const MIN_HEARTBEAT_TIMEOUT_MS = 10_000;

/**
 * A group of running environments, operated on together. Answers are keyed by job id; `envs` and
 * `getEnv(alias)` map aliases to jobs. Heartbeats keep it alive until `close()`.
 *
 * @example
 * await using session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
 * const { results } = await session.execute("whoami");
 */
export class Session {
  /** The server's id of the session, e.g. `s_0123456789ab`. */
  readonly sessionId: string;
  /** The task this session was made from, or null. */
  readonly taskPublicId: string | null;
  /** Its environments, in the order they were asked for. */
  readonly envs: Environment[];
  private readonly ops: Operations;
  private readonly http: Http;
  private timer: NodeJS.Timeout | undefined;
  private beating = false;
  private closing: Promise<Results<JobOutcome>> | undefined;

  /** @internal use `client.sessions.create` or `Session.load`. */
  constructor(
    /** The client this session talks through. */
    readonly client: Terrarium,
    http: Http,
    record: SessionRecord,
  ) {
    this.http = http;
    this.ops = new Operations(http, { sessionId: record.sessionId });
    this.sessionId = record.sessionId;
    this.taskPublicId = record.taskPublicId;
    this.envs = record.envs.map((e) => new Environment(http, e.jobId, e.alias, e.simulator, e.artifactId));
  }

  /**
   * The environment with this alias, or undefined.
   *
   * @example
   * const result = await session.getEnv("forge")?.execute("ls -la");
   */
  getEnv(alias: string): Environment | undefined {
    return this.envs.find((e) => e.alias === alias);
  }

  /**
   * Waits until every environment's app answers its readiness check (`timeout` seconds, default 120).
   * `create` does this already.
   *
   * @example
   * const { ready, results } = await session.waitForReady({ timeout: 60 }); // results[jobId].error
   */
  waitForReady(options: WaitOptions = {}): Promise<ReadyResult> {
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
   * Runs a shell command in every environment (`timeout` in seconds, default 30). An environment where
   * it could not run has `error` set in its entry. Never retried: the command may have run.
   *
   * @example
   * const { results } = await session.execute("ls /data", { timeout: 10 });
   * for (const [jobId, r] of Object.entries(results)) console.log(jobId, r.exitCode, r.stdout);
   */
  execute<O extends ExecuteOptions = TextExecuteOptions>(
    command: string,
    options?: O,
  ): Promise<Results<ExecuteResult<ExecuteOutput<O>>>> {
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

  /**
   * Browser-reachable URLs of the environments, by alias: the app's port, or `port`. They go through
   * the server's environment proxy; with a configured public domain they carry the session's token.
   *
   * @example
   * const urls = await session.getPublicUrl(); // { forge: "http://j-0123456789ab.localhost:7351/" }
   * const other = await session.getPublicUrl({ port: 8080 });
   */
  async getPublicUrl(options: PublicUrlOptions = {}): Promise<Record<string, string>> {
    const results = await this.ops.publicUrls(options);
    return Object.fromEntries(Object.values(results).map((r) => [r.alias, r.url]));
  }

  /**
   * Logs in to every environment whose simulator declares a browser login, in one new context of
   * `browser` (a Playwright `Browser`; playwright-core is needed for this method only): one page per
   * environment, by alias, each at its public URL and logged in as the simulator's user. A failed step
   * throws a `LoginError` naming the environment, the step, the page and a screenshot.
   *
   * @example
   * const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
   * const { pages, context } = await session.login(browser);
   * await pages.forge!.click("text=Tickets");
   * await context.close();
   */
  async login(browser: Browser, options: LoginOptions & OperationOptions = {}): Promise<LoginResult> {
    return logIn(browser, await this.ops.loginPlans(options), options);
  }

  /**
   * Scores the session's current state against the criteria of the task it was made from:
   * `{ status, success, score, checks: [{ id, pass, score, reason, evidence }] }`. `value` is the agent's
   * final answer, for tasks that ask for one. `status: "error"` means a check could not run (the
   * evaluator's or the environment's fault, never the agent's).
   *
   * @example
   * const result = await session.evaluate({ value: "42" });
   * for (const c of result.checks) console.log(c.id, c.pass, c.reason);
   */
  evaluate(options: { value?: string } & OperationOptions = {}): Promise<EvaluationResult> {
    return this.http.request<EvaluationResult>(
      "POST",
      `api/v2/sessions/${encodeURIComponent(this.sessionId)}/evaluate`,
      {
        body: options.value === undefined ? {} : { value: options.value },
        idempotent: true,
        signal: options.signal,
      },
    );
  }

  /**
   * Memory snapshot of every environment: processes, memory and disk, one artifact each. The
   * environments keep running. `Env.artifact(id)` resumes an artifact, as often as wanted
   * (branching). Where the host cannot checkpoint memory, each entry says so in `error`.
   *
   * @example
   * const { results } = await session.snapshot();
   * const ids = Object.values(results).map((r) => r.artifactId);
   */
  snapshot(options: OperationOptions = {}): Promise<Results<SnapshotResult>> {
    return this.ops.snapshot(options);
  }

  /**
   * Disk snapshot of every environment (databases made consistent first): one artifact each, booted
   * fresh by `Env.artifact(id)`. With `overrideVersion` it is also published as that version of the
   * simulator, which `Env.simulator(name, { tag: version })` starts; `overrideService` may name a new
   * simulator for a session of one environment (`session.getEnv(alias).diskSnapshot()` publishes one of several).
   *
   * @example
   * await session.diskSnapshot({ overrideService: "redmine", overrideVersion: "with-triage" });
   * await session.diskSnapshot({ overrideService: "my-service", overrideVersion: "v1.0.0" }); // a new simulator
   */
  diskSnapshot(options: DiskSnapshotOptions = {}): Promise<Results<SnapshotResult>> {
    return this.ops.diskSnapshot(options);
  }

  /**
   * Moves the clock of every environment (what its app, its databases and executed commands see) to
   * `date`, from where it runs on; a reset brings back the real time. A string is ISO 8601, in UTC
   * without an offset.
   *
   * @example
   * const { results } = await session.setDate(new Date("2031-05-04T10:00:00Z")); // results[jobId].success
   */
  setDate(date: Date | string, options: SetDateOptions = {}): Promise<Results<SetDateResult>> {
    return setDate(this.http, { sessionId: this.sessionId }, date, options);
  }

  /**
   * Tells the server the session is still in use. The SDK does this on its own (see `startHeartbeat`).
   *
   * @example
   * await session.heartbeat();
   */
  heartbeat(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("heartbeat", options);
  }

  /**
   * Sends heartbeats in the background, every `heartbeatInterval` of the client (30 s by default).
   * They never keep the process alive and never throw: a failed one is tried again at the next tick,
   * and they stop once the server says the session is gone. `create` and `load` start them.
   *
   * @example
   * session.stopHeartbeat(); // ... hand the session to another process, or take it back:
   * session.startHeartbeat();
   */
  startHeartbeat(): void {
    if (this.timer || this.closing) return;
    this.timer = setInterval(() => void this.beat(), this.client.heartbeatInterval);
    this.timer.unref();
    this.client.track(this);
  }

  /**
   * Stops the background heartbeats; the server closes the environments after their heartbeat timeout.
   *
   * @example
   * session.stopHeartbeat();
   */
  stopHeartbeat(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.client.untrack(this);
  }

  /**
   * Whether background heartbeats are running.
   *
   * @example
   * if (!session.heartbeatRunning) session.startHeartbeat();
   */
  get heartbeatRunning(): boolean {
    return this.timer !== undefined;
  }

  private async beat(): Promise<void> {
    // A slow server must not pile up heartbeats: skip the tick while the last one is still out.
    if (this.beating) return;
    this.beating = true;
    try {
      const timeoutMs = Math.min(
        this.client.timeout,
        Math.max(MIN_HEARTBEAT_TIMEOUT_MS, this.client.heartbeatInterval),
      );
      await this.ops.outcome("heartbeat", { timeoutMs });
    } catch (error) {
      // Closed elsewhere (or reaped): no heartbeat can help any more. Anything else: next tick.
      if (error instanceof ConflictError || error instanceof NotFoundError) this.stopHeartbeat();
    } finally {
      this.beating = false;
    }
  }

  /**
   * The server's record of the session and its environments.
   *
   * @example
   * const { status, envs } = await session.details(); // envs[0].lastHeartbeatAt
   */
  async details(options: OperationOptions = {}): Promise<SessionInfo> {
    return toSessionInfo(await this.ops.details<SessionDetails>(options));
  }

  /**
   * The session as plain JSON for `Session.load`, in this process or another. The API key is not in
   * it: the loading side brings its own.
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
   * Drives a dumped session again. Uses `options.client`, or a new client for the dumped server URL
   * (its API key from `TERRARIUM_API_KEY`); resumes heartbeats if they were running when dumped.
   * It asks the server first, so that a dead session fails here rather than at its first use: a
   * malformed dump, or one whose jobs are not the session's, throws `InvalidSessionError`; a closed
   * session `ConflictError` (with the time and reason); one the server does not know `NotFoundError`.
   *
   * @example
   * const session = await Session.load(SerializedSession.parse(JSON.parse(text)));
   * await session.getEnv("forge")!.execute("ls");
   */
  static async load(serialized: SerializedSession, options: LoadOptions = {}): Promise<Session> {
    const data = SerializedSession.parse(serialized);
    const client = options.client ?? new Terrarium({ baseUrl: data.base_url });
    const info = await client.sessions.retrieve(data.session_id, { signal: options.signal }).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
      throw new NotFoundError(
        error.status,
        error.code,
        `cannot load session "${data.session_id}": the server at ${client.baseUrl} answered: ${error.message}`,
        error.requestId,
        error.details,
      );
    });
    if (info.status === "closed") throw closedError(info);
    data.envs.forEach((env, i) => {
      if (!info.envs.some((job) => job.jobId === env.job_id && job.alias === env.alias)) {
        throw new InvalidSessionError(
          `envs[${i}].job_id`,
          `session "${data.session_id}" has no job "${env.job_id}" with alias "${env.alias}"`,
        );
      }
    });
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
    if (options.heartbeat ?? data.heartbeat) session.startHeartbeat();
    return session;
  }

  /**
   * Closes the session: heartbeats stop, its environments and network are removed. Closing again
   * sends nothing and answers as the first close did; a session closed elsewhere answers success per job,
   * each message saying since when it is closed.
   * When the close itself fails (server unreachable), calling it again tries again.
   *
   * @example
   * const { results } = await session.close(); // results[jobId].success
   */
  close(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    this.stopHeartbeat();
    this.closing ??= this.ops.close(options).catch((error: unknown) => {
      this.closing = undefined;
      throw error;
    });
    return this.closing;
  }

  /**
   * `await using session = ...` closes the session at the end of the block.
   *
   * @example
   * { await using session = await client.sessions.create({ envs }); await session.reset(); } // closed here
   */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Why a closed session cannot be loaded: when it closed, and the reasons its environments closed for. */
function closedError(info: SessionInfo): ConflictError {
  const reasons = [...new Set(info.envs.flatMap((e) => (e.closeReason ? [e.closeReason] : [])))];
  const when = info.closedAt ? ` at ${info.closedAt}` : "";
  const why = reasons.length > 0 ? ` (${reasons.join(", ")})` : "";
  return new ConflictError(
    409,
    "conflict",
    `session "${info.sessionId}" was closed${when}${why}, so it cannot be loaded; make a new session`,
    undefined,
    { session_id: info.sessionId, closed_at: info.closedAt, close_reasons: reasons },
  );
}
