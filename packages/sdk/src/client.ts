import type {
  CalibrationReport,
  Health,
  MakeSessionRequest,
  MakeSessionResponse,
  SessionDetails,
  SessionList,
  SimulatorList,
  Task,
  TaskList,
  ArtifactList,
  ArtifactDetails as WireArtifactDetails,
} from "@terrarium/wire";
import { Env, type EnvSpec } from "./env.js";
import { EnvironmentError, TerrariumError } from "./errors.js";
import type { HeartbeatMode } from "./heartbeat.js";
import { Http } from "./http.js";
import { SessionLogsRequest, type LogsOptions } from "./logs.js";
import {
  DEFAULT_WAIT_TIMEOUT,
  Operations,
  type DiskSnapshotOptions,
  type PublicUrlOptions,
  type SessionState,
  type StateOptions,
} from "./operations.js";
import { Session, type SessionRecord } from "./session.js";
import {
  toSessionInfo,
  toSimulatorInfo,
  toArtifactInfo,
  toArtifactDetails,
  type ArtifactInfo,
  type ArtifactDetails,
  type JobOutcome,
  type Results,
  type SessionInfo,
  type SimulatorInfo,
  type SnapshotResult,
} from "./types.js";

export interface TerrariumOptions {
  /** Server URL; default `TERRARIUM_URL`, else http://127.0.0.1:7350. */
  baseUrl?: string;
  /** Sent as `X-API-Key`; default `TERRARIUM_API_KEY`. */
  apiKey?: string;
  /** Per-request timeout in ms (default 300 000); execute and waits add their own duration. */
  timeout?: number;
  /** Retries of idempotent calls on connection errors and 502/503/504 (default 2). */
  maxRetries?: number;
  /** Milliseconds between background heartbeats of sessions (default 30 000). */
  heartbeatInterval?: number;
  /**
   * Where background heartbeats run. `worker` (default): one thread the process shares for all its
   * sessions' heartbeats (unref'd, so it never keeps the process alive; it ends with its last session),
   * so a session lives on while the caller's event loop is blocked by synchronous work longer than
   * its heartbeat timeout. `timer`: timers on the caller's event loop, no thread; a blocked loop
   * holds them back and the server may close the session. Where no thread can start, `worker` falls
   * back to timers with a process warning.
   */
  heartbeatMode?: HeartbeatMode;
}

export interface CreateSessionOptions {
  /** Seconds to wait for every environment to be ready (default 120); with `wait: false`, `wait()`'s default. */
  timeout?: number;
  /** Heartbeat timeout (s) of the environments, after which the server closes them; per-env options win. */
  heartbeatTimeout?: number;
  /** Wait until every environment answers its readiness check (default true). */
  waitForReady?: boolean;
  /**
   * false: return as soon as the server recorded the session, its environments booting in the
   * background; `session.wait()` then waits for them (and resets a test case's session, and starts
   * heartbeats). Default true.
   */
  wait?: boolean;
  /** Start background heartbeats once ready (default true). */
  heartbeat?: boolean;
  /** The server POSTs here once when the session ends for any reason (closed, reaped, failed), with retries. */
  shutdownCallbackUrl?: string;
  /** Sent as `Authorization: Bearer <token>` with the shutdown callback. */
  shutdownCallbackToken?: string;
  /** Cancels the creation; a session already made is closed. */
  signal?: AbortSignal;
}

/** A session of environments: `Env.simulator(...)`, `Env.artifact(...)`. */
export interface CreateFromEnvs extends CreateSessionOptions {
  envs: EnvSpec[];
  task?: never;
  testcase?: never;
  artifacts?: never;
}

/** A session from a task's environments, by the task's public id. */
export interface CreateFromTask extends CreateSessionOptions {
  task: string;
  envs?: never;
  testcase?: never;
  artifacts?: never;
}

/**
 * A session from a test case (Plato's name for a task), by its id: the task's environments, reset once
 * ready so that the state the task is scored on starts from a fresh baseline (as Plato's SDK does).
 */
export interface CreateFromTestcase extends CreateSessionOptions {
  testcase: string;
  envs?: never;
  task?: never;
  artifacts?: never;
}

/** A session of one environment per artifact (snapshot) id, each `Env.artifact(id)`. */
export interface CreateFromArtifacts extends CreateSessionOptions {
  artifacts: string[];
  envs?: never;
  task?: never;
  testcase?: never;
}

/** What a session is made from: exactly one of `envs`, `task`, `testcase` or `artifacts`. */
export type CreateSessionRequest = CreateFromEnvs | CreateFromTask | CreateFromTestcase | CreateFromArtifacts;

const SOURCES = ["envs", "task", "testcase", "artifacts"] as const;

export const DEFAULT_BASE_URL = "http://127.0.0.1:7350";

/**
 * Client of a Terrarium server. Configuration is read once, here: explicit options win over
 * `TERRARIUM_URL` and `TERRARIUM_API_KEY`.
 *
 * @example
 * const client = new Terrarium();                       // or new Terrarium({ baseUrl, apiKey })
 * const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
 */
export class Terrarium {
  /** The server's URL, without a trailing slash. */
  readonly baseUrl: string;
  /** Milliseconds between background heartbeats. */
  readonly heartbeatInterval: number;
  /** Where background heartbeats run: `worker` (a shared thread, the default) or `timer`. */
  readonly heartbeatMode: HeartbeatMode;
  /** Default per-request timeout in ms. */
  readonly timeout: number;
  /** Retries of idempotent calls. */
  readonly maxRetries: number;
  /** @internal */
  readonly http: Http;
  /** Create, list, retrieve and close sessions. */
  readonly sessions: Sessions;
  /** The simulators environments can be made from. */
  readonly simulators: Simulators;
  /** The tasks sessions can be made from and evaluated against. */
  readonly tasks: Tasks;
  /** Snapshots of environments. */
  readonly artifacts: Artifacts;
  private readonly heartbeating = new Set<Session>();

  constructor(options: TerrariumOptions = {}) {
    const baseUrl = options.baseUrl ?? (process.env.TERRARIUM_URL || DEFAULT_BASE_URL);
    if (!URL.canParse(baseUrl)) {
      throw new TerrariumError(
        `the server URL "${baseUrl}" is not a URL (from ${options.baseUrl !== undefined ? "baseUrl" : "TERRARIUM_URL"}); e.g. ${DEFAULT_BASE_URL}`,
      );
    }
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.heartbeatInterval = positive(options.heartbeatInterval, "heartbeatInterval") ?? 30_000;
    const mode = options.heartbeatMode ?? "worker";
    if (mode !== "worker" && mode !== "timer")
      throw new TerrariumError(`heartbeatMode must be "worker" or "timer", not ${JSON.stringify(mode)}`);
    this.heartbeatMode = mode;
    this.timeout = positive(options.timeout, "timeout") ?? 300_000;
    this.maxRetries = Math.max(0, Math.floor(options.maxRetries ?? 2));
    this.http = new Http({
      baseUrl: this.baseUrl,
      apiKey: options.apiKey ?? (process.env.TERRARIUM_API_KEY || undefined),
      timeoutMs: this.timeout,
      maxRetries: this.maxRetries,
    });
    this.sessions = new Sessions(this);
    this.simulators = new Simulators(this.http);
    this.tasks = new Tasks(this.http);
    this.artifacts = new Artifacts(this.http);
  }

  /**
   * The server's health, version and capabilities.
   *
   * @example
   * const { version, capabilities } = await client.health();
   */
  health(options: { signal?: AbortSignal } = {}): Promise<Health> {
    return this.http.request<Health>("GET", "healthz", {
      idempotent: true,
      signal: options.signal,
      timeoutMs: Math.min(this.timeout, 10_000),
    });
  }

  /**
   * Stops the heartbeats of this client's open sessions. The sessions stay open: close them with
   * `session.close()` (or let the server close them after their heartbeat timeout).
   *
   * @example
   * await session.close();
   * await client.close();
   */
  async close(): Promise<void> {
    for (const session of [...this.heartbeating]) session.stopHeartbeat();
  }

  /** @internal */
  track(session: Session): void {
    this.heartbeating.add(session);
  }

  /** @internal */
  untrack(session: Session): void {
    this.heartbeating.delete(session);
  }
}

/**
 * `client.sessions`: create, list, retrieve and close sessions.
 *
 * @example
 * for (const s of await client.sessions.list()) console.log(s.sessionId, s.envs.length);
 */
export class Sessions {
  /** @internal */
  constructor(private readonly client: Terrarium) {}

  /**
   * Creates a session from exactly one of `envs`, `task`, `testcase` (a task, reset once ready) or
   * `artifacts` (ids, each started as `Env.artifact(id)`), and waits until its environments are ready.
   * Options go in the same object or in the second argument (which wins). When an environment cannot
   * be made or does not become ready, the session is closed and an `EnvironmentError` names each
   * failing alias with the server's message. Heartbeats start on their own once it is ready. With
   * `wait: false` it returns as soon as the server recorded the session; `session.wait()` finishes
   * the start. Giving none or several of the four throws a `TerrariumError` before any request.
   *
   * @example
   * const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
   * const fromTask = await client.sessions.create({ testcase: "fossil/count-open-storage-tickets" });
   * const later = await client.sessions.create({ artifacts: ["a_0123456789ab"] }, { wait: false });
   * await later.wait();
   */
  async create(request: CreateSessionRequest, options: CreateSessionOptions = {}): Promise<Session> {
    const o: CreateSessionRequest & CreateSessionOptions = { ...request, ...options };
    const given = SOURCES.filter((key) => o[key] !== undefined);
    if (given.length !== 1) {
      throw new TerrariumError(
        `sessions.create takes exactly one of envs, task, testcase or artifacts; ${given.length === 0 ? "none was given" : `got ${given.join(" and ")}`}`,
      );
    }
    if (o.artifacts !== undefined && (!Array.isArray(o.artifacts) || o.artifacts.length === 0)) {
      throw new TerrariumError("artifacts: give at least one artifact id (client.artifacts.list() shows them)");
    }
    const deferred = o.wait === false;
    const wait = o.waitForReady !== false && !deferred;
    const timeout = o.timeout ?? DEFAULT_WAIT_TIMEOUT;
    const deadline = Date.now() + timeout * 1000;
    const common = {
      // The server waits for readiness within make when asked to, saving the wait's round trip.
      ...(wait ? { timeout } : {}),
      ...(deferred ? { wait: false } : {}),
      ...(o.heartbeatTimeout !== undefined ? { heartbeat_timeout: o.heartbeatTimeout } : {}),
      ...(o.shutdownCallbackUrl !== undefined ? { shutdown_callback_url: o.shutdownCallbackUrl } : {}),
      ...(o.shutdownCallbackToken !== undefined ? { shutdown_callback_token: o.shutdownCallbackToken } : {}),
    };
    const body: MakeSessionRequest =
      o.task !== undefined
        ? { type: "task", task_id: o.task, ...common }
        : o.testcase !== undefined
          ? { type: "testcase", testcase_id: o.testcase, ...common }
          : { type: "envs", envs: o.envs ?? o.artifacts!.map((id) => Env.artifact(id)), ...common };
    const made = await this.client.http.request<MakeSessionResponse>("POST", "api/v2/sessions/make", {
      body,
      timeoutMs: this.client.timeout + (wait ? timeout * 1000 : 0),
      signal: o.signal,
    });
    const session = this.attach({
      sessionId: made.session_id,
      taskPublicId: made.task_public_id,
      envs: made.envs.map((e) => ({
        jobId: e.job_id,
        alias: e.alias,
        simulator: e.simulator,
        artifactId: e.artifact_id,
      })),
      pending: { timeout, reset: o.testcase !== undefined, heartbeat: o.heartbeat !== false },
    });
    const failures: Record<string, string> = {};
    for (const env of made.envs) if (!env.success) failures[env.alias] = env.error ?? "could not be made";
    if (Object.keys(failures).length > 0) {
      await session.close().catch(() => undefined);
      const list = Object.entries(failures).map(([alias, why]) => `${alias}: ${why}`);
      throw new EnvironmentError(
        `session ${made.session_id} could not start, so it was closed; ${list.join("; ")}`,
        failures,
        made.session_id,
      );
    }
    if (deferred) return session;
    await session.finishStart({
      timeout: Math.max(0, (deadline - Date.now()) / 1000),
      signal: o.signal,
      // The server already waited within make: only environments it did not see ready need a wait.
      ready: !wait || made.envs.every((e) => e.ready),
      closeUnlessReady: true,
    });
    return session;
  }

  /**
   * @internal A Session object for a session that exists on the server (no request is sent). To take
   * over a session from another process, use `Session.load`.
   */
  attach(record: SessionRecord): Session {
    return new Session(this.client, this.client.http, record);
  }

  /**
   * Sessions on the server; `status` default `active`.
   *
   * @example
   * const all = await client.sessions.list({ status: "all" });
   */
  async list(options: { status?: "active" | "closed" | "all"; signal?: AbortSignal } = {}): Promise<SessionInfo[]> {
    const answer = await this.client.http.request<SessionList>("GET", "api/v2/sessions", {
      query: { status: options.status ?? "active" },
      idempotent: true,
      signal: options.signal,
    });
    return answer.sessions.map(toSessionInfo);
  }

  /**
   * One session's record. Throws `NotFoundError` for an unknown id.
   *
   * @example
   * const { status, envs } = await client.sessions.retrieve("s_0123456789ab");
   */
  async retrieve(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<SessionInfo> {
    const answer = await this.client.http.request<SessionDetails>(
      "GET",
      `api/v2/sessions/${encodeURIComponent(sessionId)}`,
      { idempotent: true, signal: options.signal },
    );
    return toSessionInfo(answer);
  }

  /**
   * What changed in a session's environments, by session id.
   *
   * @example
   * const { results } = await client.sessions.state("s_0123456789ab");
   */
  state(sessionId: string, options: StateOptions = {}): Promise<SessionState> {
    return new Operations(this.client.http, { sessionId }).state(options);
  }

  /**
   * A session's log by session id, closed sessions' included: awaited, one page; with `for await`,
   * every event (see `session.logs()`).
   *
   * @example
   * for await (const event of client.sessions.logs("s_0123456789ab")) console.log(event.kind, event.message);
   */
  logs(sessionId: string, options: LogsOptions = {}): SessionLogsRequest {
    return new SessionLogsRequest(this.client.http, sessionId, options);
  }

  /**
   * Browser-reachable URLs of a session's environments by session id, per alias.
   *
   * @example
   * const urls = await client.sessions.publicUrls("s_0123456789ab", { port: 8080 });
   */
  async publicUrls(sessionId: string, options: PublicUrlOptions = {}): Promise<Record<string, string>> {
    const results = await new Operations(this.client.http, { sessionId }).publicUrls(options);
    return Object.fromEntries(Object.values(results).map((r) => [r.alias, r.url]));
  }

  /**
   * Memory snapshot of a session's environments by session id (see `session.snapshot()`).
   *
   * @example
   * const { results } = await client.sessions.snapshot("s_0123456789ab");
   */
  snapshot(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<Results<SnapshotResult>> {
    return new Operations(this.client.http, { sessionId }).snapshot(options);
  }

  /**
   * Disk snapshot of a session's environments by session id (see `session.diskSnapshot()`).
   *
   * @example
   * await client.sessions.diskSnapshot("s_0123456789ab", { overrideVersion: "triaged" });
   */
  diskSnapshot(sessionId: string, options: DiskSnapshotOptions = {}): Promise<Results<SnapshotResult>> {
    return new Operations(this.client.http, { sessionId }).diskSnapshot(options);
  }

  /**
   * Closes a session by id (e.g. one another process made). Safe to repeat: a closed session answers
   * success again, each job's message saying since when it is closed.
   *
   * @example
   * const { results } = await client.sessions.close("s_0123456789ab");
   */
  close(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<Results<JobOutcome>> {
    return new Operations(this.client.http, { sessionId }).close(options);
  }
}

/**
 * `client.simulators`: what environments can be made from.
 *
 * @example
 * const names = (await client.simulators.list()).filter((s) => s.built).map((s) => s.name);
 */
export class Simulators {
  /** @internal */
  constructor(private readonly http: Http) {}

  /**
   * Every simulator of the server, and whether its image is built.
   *
   * @example
   * for (const s of await client.simulators.list()) console.log(s.name, s.version, s.built);
   */
  async list(options: { signal?: AbortSignal } = {}): Promise<SimulatorInfo[]> {
    const answer = await this.http.request<SimulatorList>("GET", "api/v2/simulators", {
      idempotent: true,
      signal: options.signal,
    });
    return answer.simulators.map(toSimulatorInfo);
  }

  /**
   * Finds a simulator's noise: the server starts an environment, logs in through the app's web
   * login, idles, and reports every change with rules that would silence it. With `jobId`: reads that
   * running environment of the simulator instead, one the caller logged in to (a browser login).
   *
   * @example
   * const report = await client.simulators.calibrate("fossil", { idleSeconds: 5 });
   */
  calibrate(
    name: string,
    options: { idleSeconds?: number; jobId?: string; signal?: AbortSignal } = {},
  ): Promise<CalibrationReport> {
    const idle = options.idleSeconds ?? 5;
    return this.http.request<CalibrationReport>("POST", `api/v2/simulators/${encodeURIComponent(name)}/calibrate`, {
      body: { idle_seconds: idle, ...(options.jobId ? { job_id: options.jobId } : {}) },
      timeoutMs: (idle + 300) * 1000,
      signal: options.signal,
    });
  }
}

function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isFinite(value) && value > 0))
    throw new TerrariumError(`${name} must be a positive number of ms, not ${value}`);
  return value;
}

/** `client.tasks`: the server's task catalog. */
export class Tasks {
  /** @internal */
  constructor(private readonly http: Http) {}

  /**
   * Every task, and every task file that does not validate with its problems.
   *
   * @example
   * const { tasks, invalid } = await client.tasks.list();
   */
  list(options: { signal?: AbortSignal } = {}): Promise<TaskList> {
    return this.http.request<TaskList>("GET", "api/v2/tasks", { idempotent: true, signal: options.signal });
  }

  /**
   * One task: its prompt, environments and criteria.
   *
   * @example
   * const task = await client.tasks.retrieve("redmine/escalate-webhook-bug");
   */
  retrieve(id: string, options: { signal?: AbortSignal } = {}): Promise<Task> {
    const path = id.split("/").map(encodeURIComponent).join("/");
    return this.http.request<Task>("GET", `api/v2/tasks/${path}`, { idempotent: true, signal: options.signal });
  }
}

/** `client.artifacts`: snapshots of environments (`session.snapshot()`, `session.diskSnapshot()`). */
export class Artifacts {
  /** @internal */
  constructor(private readonly http: Http) {}

  /**
   * The server's artifacts, newest first: the snapshots users made, or with `role` the server's own
   * ready artifacts (`"ready"`) or everything (`"all"`).
   *
   * @example
   * for (const a of await client.artifacts.list()) console.log(a.artifactId, a.kind, a.simulator);
   * const caches = await client.artifacts.list({ role: "ready" });
   */
  async list(options: { role?: "snapshot" | "ready" | "all"; signal?: AbortSignal } = {}): Promise<ArtifactInfo[]> {
    const answer = await this.http.request<ArtifactList>("GET", "api/v2/artifacts", {
      ...(options.role ? { query: { role: options.role } } : {}),
      idempotent: true,
      signal: options.signal,
    });
    return answer.artifacts.map(toArtifactInfo);
  }

  /**
   * One artifact with its lineage (ancestors, nearest first) and children. Unknown: `NotFoundError`.
   *
   * @example
   * const { lineage } = await client.artifacts.retrieve("a_0123456789ab");
   */
  async retrieve(artifactId: string, options: { signal?: AbortSignal } = {}): Promise<ArtifactDetails> {
    const answer = await this.http.request<WireArtifactDetails>(
      "GET",
      `api/v2/artifacts/${encodeURIComponent(artifactId)}`,
      { idempotent: true, signal: options.signal },
    );
    return toArtifactDetails(answer);
  }

  /**
   * Removes an artifact (its image or checkpoint) and the version published from it. Refused
   * (`ConflictError`, saying what needs it) while an open environment started from it or runs its
   * published version, or a memory artifact resumes on its image; a ready artifact (the server's own
   * cache of a simulator image) needs `force`.
   *
   * @example
   * await client.artifacts.remove("a_0123456789ab");
   */
  async remove(artifactId: string, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    await this.http.request("DELETE", `api/v2/artifacts/${encodeURIComponent(artifactId)}`, {
      ...(options.force ? { query: { force: "true" } } : {}),
      idempotent: true,
      signal: options.signal,
    });
  }
}
