import type {
  AddJobRequest,
  AddJobResponse,
  EnvSpec,
  EvaluationResult,
  ListJobsResponse,
  LinkTestcaseResponse,
  LoginEventRequest,
  RemoveJobRequest,
  RemoveJobResponse,
  SessionDetails,
} from "@terrarium/wire";
import type { Browser } from "playwright-core";
import { Terrarium } from "./client.js";
import { setDate, type SetDateOptions, type SetDateResult } from "./clock.js";
import { Environment } from "./environment.js";
import { ConflictError, EnvironmentError, InvalidSessionError, NotFoundError, TimeoutError } from "./errors.js";
import { beatInThread } from "./heartbeat.js";
import type { Http } from "./http.js";
import { logIn, type LoginOptions, type LoginOutcome, type LoginResult } from "./login.js";
import { SessionLogsRequest, type LogsOptions } from "./logs.js";
import {
  DEFAULT_WAIT_TIMEOUT,
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
  toRemoveEnvResult,
  toSessionInfo,
  toSessionJob,
  type ExecuteResult,
  type JobOutcome,
  type ReadyResult,
  type RemoveEnvResult,
  type Results,
  type SessionInfo,
  type SessionJob,
  type SnapshotResult,
} from "./types.js";

export type {
  LogsOptions,
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
  /** Its start is not finished yet (`create({ wait: false })`): what `wait()` still does. */
  pending?: PendingStart;
}

/** @internal what finishing a session's start involves. */
export interface PendingStart {
  /** Seconds `wait()` waits for readiness when not told otherwise. */
  timeout: number;
  /** Reset once ready (a session made from a test case, as Plato's SDK does). */
  reset: boolean;
  /** Start background heartbeats once ready. */
  heartbeat: boolean;
}

export interface AddEnvOptions extends OperationOptions {
  /** Seconds the whole call may take (start and readiness); default the client's timeout plus `readyTimeout`. */
  timeout?: number;
  /** Seconds the server waits for the environment to be ready (with `waitForReady`); default 120. */
  readyTimeout?: number;
  /** Seconds without heartbeats before the server closes this environment; 0 never; default the env's own, else 300. */
  heartbeatTimeout?: number;
  /** Wait until the environment answers its readiness check (default true); false: answer once it started. */
  waitForReady?: boolean;
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
  /** The task the session is scored against: the one it was made from, or one `linkTestcase` attached. */
  taskPublicId: string | null;
  /** Its environments, in the order they were asked for; `addEnv` and `removeEnv` keep it up to date. */
  readonly envs: Environment[];
  private readonly ops: Operations;
  private readonly http: Http;
  private timer: NodeJS.Timeout | undefined;
  private thread: { stop(): void } | undefined;
  private beating = false;
  private closing: Promise<Results<JobOutcome>> | undefined;
  private pending: PendingStart | undefined;
  private starting: Promise<void> | undefined;

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
    this.pending = record.pending;
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
   * Finishes a start that `create({ wait: false })` left to do: waits until every environment is ready
   * (`timeout` seconds; default the create's `timeout`, else 120), resets a session made from a test
   * case, then starts the heartbeats. An environment that failed throws an `EnvironmentError` naming
   * it, after closing the session (as `create` would have); still not ready in time throws a
   * `TimeoutError` and leaves the session open, to wait again or close. On a session that is ready
   * (made with `wait`, or waited for already) it does nothing.
   *
   * @example
   * const session = await client.sessions.create({ envs }, { wait: false });
   * // ... other work while the environments boot ...
   * await session.wait({ timeout: 300 });
   */
  wait(options: WaitOptions = {}): Promise<void> {
    const pending = this.pending;
    if (!pending || this.closing) return Promise.resolve();
    this.starting ??= this.finishStart({
      timeout: options.timeout ?? pending.timeout,
      signal: options.signal,
      ready: false,
      closeUnlessReady: false,
    }).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /**
   * @internal The end of a start (from `create` or `wait`): readiness, the reset of a test case, then the
   * heartbeats. `ready`: the server saw every environment ready already. `closeUnlessReady`: anything
   * short of ready closes the session (create's way: the caller has no session to close).
   */
  async finishStart(options: {
    timeout: number;
    signal: AbortSignal | undefined;
    ready: boolean;
    closeUnlessReady: boolean;
  }): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    const closeOnError = async (error: unknown): Promise<never> => {
      if (options.closeUnlessReady) await this.close().catch(() => undefined);
      throw error;
    };
    if (!options.ready) {
      const outcome = await this.untilReady(options.timeout, options.signal, !options.closeUnlessReady).catch(
        closeOnError,
      );
      if (outcome.failures) {
        if (outcome.failed || options.closeUnlessReady) throw await this.failStart(outcome.failures);
        const list = Object.entries(outcome.failures).map(([alias, why]) => `${alias}: ${why}`);
        throw new TimeoutError(
          `session ${this.sessionId} is not ready after ${options.timeout} s (${list.join("; ")}); wait again with session.wait({ timeout }) or close it`,
        );
      }
    }
    if (pending.reset) {
      // Made from a test case: reset once ready, so the task starts from a fresh baseline (Plato's SDK does).
      const { results } = await this.reset({ signal: options.signal }).catch(closeOnError);
      const failures = Object.fromEntries(
        this.envs.flatMap((env) => {
          const r = results[env.jobId];
          return r && !r.success ? [[env.alias, `reset failed: ${r.error ?? "no reason given"}`]] : [];
        }),
      );
      if (Object.keys(failures).length > 0) throw await this.failStart(failures);
    }
    this.pending = undefined;
    if (pending.heartbeat) this.startHeartbeat();
  }

  /**
   * Waits for readiness up to `timeout` seconds: answers the aliases not ready with why, and with
   * `classify` whether one of them failed for good (failed or closed on the server), not just slow.
   */
  private async untilReady(
    timeout: number,
    signal: AbortSignal | undefined,
    classify: boolean,
  ): Promise<{ failures?: Record<string, string>; failed?: boolean }> {
    let answer: ReadyResult | undefined;
    try {
      // For a deferred start this also waits for the boot, which holds the session's lock.
      answer = await this.ops.waitForReady({ timeout, signal, requestTimeoutMs: timeout * 1000 + this.client.timeout });
      if (answer.ready) return {};
    } catch (error) {
      // A deferred start that failed as a whole (its network, say) closed the session: its jobs say why.
      if (!(classify && error instanceof ConflictError)) throw error;
    }
    if (classify) {
      const jobs = await this.listJobs({ signal });
      const failed = jobs.filter(
        (j) => (j.status === "failed" || j.status === "closed") && this.envs.some((e) => e.jobId === j.jobId),
      );
      if (failed.length > 0) {
        return {
          failed: true,
          failures: Object.fromEntries(
            failed.map((j) => [
              j.alias,
              j.status === "failed" ? (j.error ?? "failed") : `closed (${j.statusReason ?? "closed"})`,
            ]),
          ),
        };
      }
    }
    const results = answer?.results ?? {};
    return {
      failures: Object.fromEntries(
        this.envs.flatMap((env) => {
          const r = results[env.jobId];
          return r?.ready ? [] : [[env.alias, r?.error ?? "not ready"]];
        }),
      ),
    };
  }

  /** Closes the session whose start failed, and the error that says why per alias. */
  private async failStart(failures: Record<string, string>): Promise<EnvironmentError> {
    await this.close().catch(() => undefined);
    const list = Object.entries(failures).map(([alias, why]) => `${alias}: ${why}`);
    return new EnvironmentError(
      `session ${this.sessionId} could not start, so it was closed; ${list.join("; ")}`,
      failures,
      this.sessionId,
    );
  }

  /**
   * Adds an environment to the running session: it joins the session's network under its alias (the
   * others reach it by that name) and appears in `envs` and `getEnv(alias)`. An alias an open
   * environment has is refused (`BadRequestError` naming `env.alias`). One that cannot start, or is
   * not ready within `readyTimeout`, is removed again and throws an `EnvironmentError` naming it; the
   * rest of the session is untouched. Never retried: a retry could add a second environment.
   *
   * @example
   * const mirror = await session.addEnv(Env.simulator("fossil", { alias: "mirror" }), { readyTimeout: 60 });
   * await session.getEnv("forge")!.execute("getent hosts mirror"); // its address on the session's network
   */
  async addEnv(env: EnvSpec, options: AddEnvOptions = {}): Promise<Environment> {
    const waitForReady = options.waitForReady !== false;
    const readyTimeout = options.readyTimeout ?? DEFAULT_WAIT_TIMEOUT;
    const body: AddJobRequest = {
      env,
      ...(waitForReady ? { timeout: readyTimeout } : {}),
      ...(options.heartbeatTimeout !== undefined ? { heartbeat_timeout: options.heartbeatTimeout } : {}),
    };
    const { env: made } = await this.http.request<AddJobResponse>("POST", `${this.path}/jobs`, {
      body,
      timeoutMs:
        options.timeout !== undefined
          ? options.timeout * 1000
          : this.client.timeout + (waitForReady ? readyTimeout * 1000 : 0),
      signal: options.signal,
    });
    if (!made.success) {
      // Not ready in time it would hold its alias (one that could not start is gone already).
      await this.http
        .request("POST", `${this.path}/remove-job`, { body: { job_id: made.job_id } satisfies RemoveJobRequest })
        .catch(() => undefined);
      const why = made.error ?? "could not be made";
      throw new EnvironmentError(
        `environment "${made.alias}" could not be added to session ${this.sessionId}, so it was removed; ${made.alias}: ${why}`,
        { [made.alias]: why },
        this.sessionId,
      );
    }
    const added = new Environment(this.http, made.job_id, made.alias, made.simulator, made.artifact_id);
    this.envs.push(added);
    return added;
  }

  /**
   * Removes an environment (by alias or the `Environment`) from the running session: its container
   * goes, its alias is free again; removing the last one closes the session. One the session has no
   * open environment of throws `NotFoundError` naming the field (`alias` or `job_id`) and listing the
   * session's environments.
   *
   * @example
   * const { success, message } = await session.removeEnv("mirror");
   * await session.removeEnv(session.getEnv("scratch")!);
   */
  async removeEnv(env: string | Environment, options: OperationOptions = {}): Promise<RemoveEnvResult> {
    const body: RemoveJobRequest = typeof env === "string" ? { alias: env } : { job_id: env.jobId };
    // Not retried: once removed, a second try answers 404.
    const answer = await this.http.request<RemoveJobResponse>("POST", `${this.path}/remove-job`, {
      body,
      signal: options.signal,
    });
    const at = this.envs.findIndex((e) => e.jobId === answer.job_id);
    if (answer.success && at >= 0) this.envs.splice(at, 1);
    return toRemoveEnvResult(answer);
  }

  /**
   * Every environment (job) of the session as the server sees it now, open and closed, with those
   * other processes added or removed; `envs` holds only what this object made or loaded.
   *
   * @example
   * for (const job of await session.listJobs()) console.log(job.alias, job.status, job.statusReason);
   */
  async listJobs(options: OperationOptions = {}): Promise<SessionJob[]> {
    const answer = await this.http.request<ListJobsResponse>("GET", `${this.path}/jobs`, {
      idempotent: true,
      signal: options.signal,
    });
    return answer.jobs.map(toSessionJob);
  }

  /**
   * Attaches a task (test case) to this running session, so `evaluate()` scores it against the task's
   * criteria (Plato's `link_testcase`). The session must have the task's environments, by alias: a
   * `ConflictError` names what is missing otherwise; an unknown task is a `NotFoundError`.
   *
   * @example
   * await session.linkTestcase("fossil/promote-carol-developer");
   * console.log((await session.evaluate()).score);
   */
  async linkTestcase(testcaseId: string, options: OperationOptions = {}): Promise<void> {
    const answer = await this.http.request<LinkTestcaseResponse>("POST", `${this.path}/link-testcase`, {
      body: { testcase_id: testcaseId },
      signal: options.signal,
    });
    this.taskPublicId = answer.testcase_id;
  }

  /**
   * The session's log on the server: what happened in it, oldest first (created, ready, execute with
   * its command and exit code, reset, login, state, evaluate, snapshots, close...). Awaited, it is one
   * page (`limit` events after `after`, default 100 from the start; `nextAfter` pages on); iterated
   * with `for await`, every event page after page. `jobId` keeps one environment's events.
   *
   * @example
   * const { events, nextAfter } = await session.logs({ limit: 20 });
   * for await (const event of session.logs()) if (event.kind === "execute") console.log(event.data?.command);
   */
  logs(options: LogsOptions = {}): SessionLogsRequest {
    return new SessionLogsRequest(this.http, this.sessionId, options);
  }

  /**
   * Waits until every environment's app answers its readiness check (`timeout` seconds, default 120).
   * `create` does this already; a session made with `wait: false` finishes its start with `wait()`.
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
   * Logs in to every environment whose simulator declares a browser login (or only `envAlias`), in
   * one context of `browser` (a Playwright `Browser`; playwright-core is needed for this method only;
   * `context` to use one of yours): one page per environment, by alias, each at its public URL and
   * logged in as the simulator's user with its `flow` (`login`). A failed try is tried again on a new
   * page (`retries`, default 2, `retryDelayMs` apart), each failed try leaving a screenshot in
   * `screenshotsDir`; failing every try throws a `LoginError` naming the environment, the step, the
   * page and the screenshots. Each environment's outcome goes into the session's log (`logs()`).
   *
   * @example
   * const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
   * const { pages, context } = await session.login(browser, { retries: 1, screenshotsDir: "shots" });
   * await pages.forge!.click("text=Tickets");
   * await context.close();
   */
  async login(browser: Browser, options: LoginOptions & OperationOptions = {}): Promise<LoginResult> {
    return logIn(browser, await this.ops.loginPlans(options), options, (outcome) => this.recordLogin(outcome));
  }

  private async recordLogin(outcome: LoginOutcome): Promise<void> {
    const body: LoginEventRequest = {
      job_id: outcome.jobId,
      success: outcome.success,
      flow: outcome.flow,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    };
    await this.http.request("POST", `${this.path}/logs/login`, { body });
  }

  /**
   * Scores the session's current state against the criteria of the task it was made from:
   * `{ status, success, score, checks: [{ id, pass, score, reason, evidence }] }`. `value` is the agent's
   * final answer, for tasks that ask for one. `status: "error"` means a check could not run (the
   * evaluator's or the environment's fault, never the agent's). The server captures every
   * environment's state itself at the moment of the call, so no `getState()` is needed first (Plato's
   * SDK sends one before evaluating; here it would be a wasted round trip).
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
   * Sends heartbeats in the background, every `heartbeatInterval` of the client (30 s by default), in
   * the client's `heartbeatMode`: by default (`worker`) from one thread the process shares for all its
   * sessions, so they go on while this thread's event loop is blocked by synchronous work; with
   * `timer`, from timers on this event loop. They never keep the process alive and never throw: a
   * failed one is tried again at the next tick, and they stop once the server says the session is
   * gone. `create` (once ready), `wait` and `load` start them.
   *
   * @example
   * session.stopHeartbeat(); // ... hand the session to another process, or take it back:
   * session.startHeartbeat();
   */
  startHeartbeat(): void {
    if (this.heartbeatRunning || this.closing) return;
    if (this.client.heartbeatMode === "worker") {
      this.thread = beatInThread(
        {
          url: `${this.client.baseUrl}/${this.path}/heartbeat`,
          apiKey: this.http.options.apiKey,
          intervalMs: this.client.heartbeatInterval,
          timeoutMs: this.heartbeatTimeoutMs(),
        },
        () => this.stopHeartbeat(),
        () => {
          // The thread ended under it: beat on this loop rather than not at all.
          this.thread = undefined;
          this.startTimer();
        },
      );
    }
    if (!this.thread) this.startTimer();
    this.client.track(this);
  }

  private startTimer(): void {
    this.timer = setInterval(() => void this.beat(), this.client.heartbeatInterval);
    this.timer.unref();
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
    this.thread?.stop();
    this.thread = undefined;
    this.client.untrack(this);
  }

  /**
   * Whether background heartbeats are running.
   *
   * @example
   * if (!session.heartbeatRunning) session.startHeartbeat();
   */
  get heartbeatRunning(): boolean {
    return this.timer !== undefined || this.thread !== undefined;
  }

  private async beat(): Promise<void> {
    // A slow server must not pile up heartbeats: skip the tick while the last one is still out.
    if (this.beating) return;
    this.beating = true;
    try {
      await this.ops.outcome("heartbeat", { timeoutMs: this.heartbeatTimeoutMs() });
    } catch (error) {
      // Closed elsewhere (or reaped): no heartbeat can help any more. Anything else: next tick.
      if (error instanceof ConflictError || error instanceof NotFoundError) this.stopHeartbeat();
    } finally {
      this.beating = false;
    }
  }

  private heartbeatTimeoutMs(): number {
    return Math.min(this.client.timeout, Math.max(MIN_HEARTBEAT_TIMEOUT_MS, this.client.heartbeatInterval));
  }

  private get path(): string {
    return `api/v2/sessions/${encodeURIComponent(this.sessionId)}`;
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
    this.pending = undefined;
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
