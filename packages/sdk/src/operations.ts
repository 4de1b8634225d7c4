import {
  DEFAULT_EXECUTE_TIMEOUT,
  type EnvState,
  type ExecuteResponse,
  type LoginPlanResponse,
  type PublicUrlResponse,
  type OutcomeResponse,
  type StateResponse,
  type WaitForReadyResponse,
  type SnapshotResponse,
  type DiskSnapshotResponse,
} from "@terrarium/wire";
import { ConflictError } from "./errors.js";
import type { Http } from "./http.js";
import {
  mapResults,
  toExecuteResult,
  toJobOutcome,
  toReadyResult,
  toSnapshotResult,
  type SnapshotResult,
  type ExecuteResult,
  type JobOutcome,
  type ReadyResult,
  type Results,
} from "./types.js";

export interface OperationOptions {
  /** Cancels the call; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface ExecuteOptions extends OperationOptions {
  /** Seconds before the command (and everything it started) is killed; default 30. */
  timeout?: number;
  /** `base64`: `stdout` and `stderr` come back as Buffers of the exact bytes; default `utf8` (text). */
  encoding?: "utf8" | "base64";
}

/** What `stdout` and `stderr` are for these options: a Buffer with `encoding: "base64"`, text otherwise. */
export type ExecuteOutput<O extends ExecuteOptions> = O extends { encoding: "base64" }
  ? Buffer
  : "base64" extends O[keyof O & "encoding"]
    ? string | Buffer
    : string;
/** Options that answer text. */
export type TextExecuteOptions = ExecuteOptions & { encoding?: "utf8" };

export interface StateOptions extends OperationOptions {
  /** Net changes (default) or, with `false`, the ordered log of every change. */
  mergeMutations?: boolean;
  /** Apply the simulator's noise rules (default true); `false` shows every change, for calibration. */
  noise?: boolean;
}

/** What changed in each environment since its start or last reset, keyed by job id. */
export interface SessionState {
  mode: "net" | "log";
  capturedAt: string;
  results: Record<string, { state?: EnvState; error?: string }>;
}

export interface PublicUrlOptions extends OperationOptions {
  /** A port of the environment; default its simulator's app port. */
  port?: number;
}

export interface WaitOptions extends OperationOptions {
  /** Seconds to wait; default 120. */
  timeout?: number;
}

export interface DiskSnapshotOptions extends OperationOptions {
  /** Publish under this simulator's name (an environment's own simulator; default: each one's own). */
  overrideService?: string;
  /** Publish as this version (image tag): `Env.simulator(name, { tag: version })` then starts it. */
  overrideVersion?: string;
}

export const DEFAULT_WAIT_TIMEOUT = 120;
/** Slack on top of a server-side wait (a command, a readiness wait) before the client gives up. */
const SLACK_MS = 30_000;

/**
 * @internal The operations a session and one of its environments share, on `/api/v2/sessions/{id}/...`
 * or `/api/v2/jobs/{id}/...`: both answer per job id.
 */
export class Operations {
  constructor(
    private readonly http: Http,
    /** e.g. `api/v2/sessions/s_123` */
    readonly base: string,
  ) {}

  async waitForReady(options: WaitOptions = {}): Promise<ReadyResult> {
    const timeout = options.timeout ?? DEFAULT_WAIT_TIMEOUT;
    const answer = await this.http.request<WaitForReadyResponse>("GET", `${this.base}/wait_for_ready`, {
      query: { timeout },
      idempotent: true,
      timeoutMs: timeout * 1000 + SLACK_MS,
      signal: options.signal,
    });
    return toReadyResult(answer);
  }

  /** Not retried: a command may have run even when its answer was lost. */
  async execute<O extends ExecuteOptions = TextExecuteOptions>(
    command: string,
    options?: O,
  ): Promise<Results<ExecuteResult<ExecuteOutput<O>>>> {
    const timeout = options?.timeout ?? DEFAULT_EXECUTE_TIMEOUT;
    const encoding = options?.encoding ?? "utf8";
    const answer = await this.http.request<ExecuteResponse>("POST", `${this.base}/execute`, {
      body: { command, timeout, ...(encoding === "base64" ? { encoding } : {}) },
      timeoutMs: timeout * 1000 + SLACK_MS,
      signal: options?.signal,
    });
    return mapResults(answer, (r) => toExecuteResult(r, encoding) as ExecuteResult<ExecuteOutput<O>>);
  }

  /** reset and heartbeat: each answers `{ success }` per job, and may be sent again. */
  async outcome(
    op: "reset" | "heartbeat",
    options: OperationOptions & { timeoutMs?: number } = {},
  ): Promise<Results<JobOutcome>> {
    const answer = await this.http.request<OutcomeResponse>("POST", `${this.base}/${op}`, {
      idempotent: true,
      signal: options.signal,
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    return mapResults(answer, toJobOutcome);
  }

  /**
   * Closes; "already closed" (409) counts as done, which also makes a retry after a lost answer safe.
   * Answers no results then: nothing was closed by this call.
   */
  async close(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    try {
      const answer = await this.http.request<OutcomeResponse>("POST", `${this.base}/close`, {
        idempotent: true,
        signal: options.signal,
      });
      return mapResults(answer, toJobOutcome);
    } catch (error) {
      if (error instanceof ConflictError) return { results: {} };
      throw error;
    }
  }

  /** Not retried: each call makes new artifacts. */
  async snapshot(options: OperationOptions = {}): Promise<Results<SnapshotResult>> {
    const answer = await this.http.request<SnapshotResponse>("POST", `${this.base}/snapshot`, {
      signal: options.signal,
    });
    return mapResults(answer, toSnapshotResult);
  }

  async diskSnapshot(options: DiskSnapshotOptions = {}): Promise<Results<SnapshotResult>> {
    const body = {
      ...(options.overrideService !== undefined ? { override_service: options.overrideService } : {}),
      ...(options.overrideVersion !== undefined ? { override_version: options.overrideVersion } : {}),
    };
    const answer = await this.http.request<DiskSnapshotResponse>("POST", `${this.base}/disk_snapshot`, {
      body,
      signal: options.signal,
    });
    return mapResults(answer, toSnapshotResult);
  }

  async state(options: StateOptions = {}): Promise<SessionState> {
    const answer = await this.http.request<StateResponse>("GET", `${this.base}/state`, {
      query: { merge_mutations: String(options.mergeMutations ?? true), noise: String(options.noise ?? true) },
      idempotent: true,
      signal: options.signal,
    });
    return { mode: answer.mode, capturedAt: answer.captured_at, results: answer.results };
  }

  async publicUrls(options: PublicUrlOptions = {}): Promise<PublicUrlResponse["results"]> {
    const answer = await this.http.request<PublicUrlResponse>("GET", `${this.base}/public_url`, {
      query: options.port === undefined ? {} : { port: options.port },
      idempotent: true,
      signal: options.signal,
    });
    return answer.results;
  }

  async loginPlans(options: OperationOptions = {}): Promise<LoginPlanResponse["results"]> {
    const answer = await this.http.request<LoginPlanResponse>("GET", `${this.base}/login`, {
      idempotent: true,
      signal: options.signal,
    });
    return answer.results;
  }

  details<T>(options: OperationOptions = {}): Promise<T> {
    return this.http.request<T>("GET", this.base, { idempotent: true, signal: options.signal });
  }
}
