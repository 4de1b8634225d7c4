import type {
  CalibrationReport,
  Health,
  MakeSessionRequest,
  MakeSessionResponse,
  OutcomeResponse,
  SessionList,
  SimulatorList,
} from "@terrarium/wire";
import type { EnvSpec } from "./env.js";
import { EnvironmentError } from "./errors.js";
import { Http } from "./http.js";
import { Operations, type SessionState, type StateOptions } from "./operations.js";
import { Session } from "./session.js";
import {
  mapResults,
  toJobOutcome,
  toSessionInfo,
  toSimulatorInfo,
  type JobOutcome,
  type Results,
  type SessionInfo,
  type SimulatorInfo,
} from "./types.js";

export interface TerrariumOptions {
  /** Server URL; default `TERRARIUM_URL` or http://127.0.0.1:7350. */
  baseUrl?: string;
  /** Sent as `X-API-Key`; default `TERRARIUM_API_KEY`. */
  apiKey?: string;
  /** Per-request timeout in ms (default 300 000); execute and waits add their own duration. */
  timeout?: number;
  /** Retries of idempotent calls on connection errors and 502/503/504 (default 2). */
  maxRetries?: number;
  /** Milliseconds between heartbeats (default 30 000). */
  heartbeatInterval?: number;
}

export interface CreateSessionOptions {
  /** Seconds to wait for every environment to be ready (default 120). */
  timeout?: number;
  /** Default heartbeat timeout (s) of the environments; per-env options win. */
  heartbeatTimeout?: number;
  /** Wait until every environment answers its readiness check (default true). */
  waitForReady?: boolean;
  /** Start background heartbeats (default true). */
  heartbeat?: boolean;
  signal?: AbortSignal;
}

const DEFAULT_URL = "http://127.0.0.1:7350";

/**
 * Client of a Terrarium server.
 *
 * @example
 * const client = new Terrarium();
 * const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
 */
export class Terrarium {
  readonly baseUrl: string;
  readonly heartbeatInterval: number;
  /** @internal */
  readonly http: Http;
  private readonly heartbeating = new Set<Session>();
  readonly sessions: Sessions;
  readonly simulators: Simulators;

  constructor(options: TerrariumOptions = {}) {
    this.baseUrl = (options.baseUrl ?? process.env.TERRARIUM_URL ?? DEFAULT_URL).replace(/\/+$/, "");
    this.heartbeatInterval = options.heartbeatInterval ?? 30_000;
    this.http = new Http({
      baseUrl: this.baseUrl,
      apiKey: options.apiKey ?? process.env.TERRARIUM_API_KEY,
      timeoutMs: options.timeout ?? 300_000,
      maxRetries: options.maxRetries ?? 2,
    });
    this.sessions = new Sessions(this);
    this.simulators = new Simulators(this.http);
  }

  /** The server's health, version and capabilities. */
  health(options: { signal?: AbortSignal } = {}): Promise<Health> {
    return this.http.request<Health>("GET", "healthz", { idempotent: true, signal: options.signal, timeoutMs: 10_000 });
  }

  /** Stops the heartbeats of this client's sessions. Sessions stay open: close them with `session.close()`. */
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

/** `client.sessions`: create, list, retrieve and close sessions. */
export class Sessions {
  constructor(private readonly client: Terrarium) {}

  /**
   * Creates a session and waits until its environments are ready. When one cannot be made or does
   * not become ready, the session is closed and an `EnvironmentError` names each failing alias.
   *
   * @example
   * const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
   * const fromTask = await client.sessions.create({ task: "fossil-close-ticket" });
   */
  async create(request: ({ envs: EnvSpec[] } | { task: string }) & CreateSessionOptions): Promise<Session> {
    const timeout = request.timeout ?? 120;
    const body: MakeSessionRequest =
      "task" in request
        ? { type: "task", task_id: request.task, heartbeat_timeout: request.heartbeatTimeout }
        : { type: "envs", envs: request.envs, heartbeat_timeout: request.heartbeatTimeout };
    const made = await this.client.http.request<MakeSessionResponse>("POST", "api/v2/sessions/make", {
      body,
      timeoutMs: (timeout + 60) * 1000,
      signal: request.signal,
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
    });
    const failures: Record<string, string> = {};
    for (const env of made.envs) if (!env.success) failures[env.alias] = env.error ?? "could not be made";
    if (Object.keys(failures).length === 0 && request.waitForReady !== false) {
      const ready = await session.waitForReady({ timeout, signal: request.signal }).catch(async (error: unknown) => {
        await session.close().catch(() => undefined);
        throw error;
      });
      for (const env of made.envs) {
        const r = ready.results[env.job_id];
        if (!r?.ready) failures[env.alias] = r?.error ?? "not ready";
      }
    }
    if (Object.keys(failures).length > 0) {
      await session.close().catch(() => undefined);
      const list = Object.entries(failures).map(([alias, why]) => `${alias}: ${why}`);
      throw new EnvironmentError(
        `session ${made.session_id} could not start (closed it): ${list.join("; ")}`,
        failures,
      );
    }
    if (request.heartbeat !== false) session.startHeartbeat();
    return session;
  }

  /** @internal a Session object for a session that exists on the server. */
  attach(state: ConstructorParameters<typeof Session>[2]): Session {
    return new Session(this.client, this.client.http, state);
  }

  /** Sessions on the server; `status` default `active`. */
  async list(options: { status?: "active" | "closed" | "all"; signal?: AbortSignal } = {}): Promise<SessionInfo[]> {
    const answer = await this.client.http.request<SessionList>("GET", "api/v2/sessions", {
      query: { status: options.status ?? "active" },
      idempotent: true,
      signal: options.signal,
    });
    return answer.sessions.map(toSessionInfo);
  }

  /** One session's record. Throws `NotFoundError` for an unknown id. */
  async retrieve(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<SessionInfo> {
    const answer = await this.client.http.request<Parameters<typeof toSessionInfo>[0]>(
      "GET",
      `api/v2/sessions/${encodeURIComponent(sessionId)}`,
      { idempotent: true, signal: options.signal },
    );
    return toSessionInfo(answer);
  }

  /** What changed in a session's environments, by session id. */
  state(sessionId: string, options: StateOptions = {}): Promise<SessionState> {
    return new Operations(this.client.http, `api/v2/sessions/${encodeURIComponent(sessionId)}`).state(options);
  }

  /** Closes a session by id (e.g. one another process made). */
  async close(sessionId: string, options: { signal?: AbortSignal } = {}): Promise<Results<JobOutcome>> {
    const answer = await this.client.http.request<OutcomeResponse>(
      "POST",
      `api/v2/sessions/${encodeURIComponent(sessionId)}/close`,
      {
        signal: options.signal,
      },
    );
    return mapResults(answer, toJobOutcome);
  }
}

/** `client.simulators`: what environments can be made from. */
export class Simulators {
  constructor(private readonly http: Http) {}

  async list(options: { signal?: AbortSignal } = {}): Promise<SimulatorInfo[]> {
    const answer = await this.http.request<SimulatorList>("GET", "api/v2/simulators", {
      idempotent: true,
      signal: options.signal,
    });
    return answer.simulators.map(toSimulatorInfo);
  }

  /**
   * Finds a simulator's noise: the server starts an environment, logs in through the app's web
   * login, idles, and reports every change with rules that would silence it.
   *
   * @example
   * const report = await client.simulators.calibrate("fossil", { idleSeconds: 5 });
   */
  calibrate(name: string, options: { idleSeconds?: number; signal?: AbortSignal } = {}): Promise<CalibrationReport> {
    const idle = options.idleSeconds ?? 5;
    return this.http.request<CalibrationReport>("POST", `api/v2/simulators/${encodeURIComponent(name)}/calibrate`, {
      body: { idle_seconds: idle },
      timeoutMs: (idle + 300) * 1000,
      signal: options.signal,
    });
  }
}
