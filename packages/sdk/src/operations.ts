import {
  DEFAULT_EXECUTE_TIMEOUT,
  type CloseAnswer,
  type DiskSnapshotAnswer,
  type EnvState,
  type ExecuteAnswer,
  type HeartbeatAnswer,
  type JobExecuteResult,
  type JobOutcome as WireJobOutcome,
  type JobReadiness,
  type JobStateAnswer,
  type LoginPlan,
  type LoginPlanResponse,
  type PublicUrl,
  type PublicUrlResponse,
  type ResetAnswer,
  type SnapshotAnswer,
  type SnapshotResult as WireSnapshotResult,
  type StateAnswer,
  type WaitForReadyAnswer,
} from "@terrarium/wire";
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
  /**
   * Publish as this simulator (service): the simulator of environments here (a new version of it), or
   * a new name for the one environment snapshotted, which keeps its simulator's manifest (ports,
   * readiness, state capture, login, accounts). Default: each environment as a version of its own.
   */
  overrideService?: string;
  /** Publish as this version (image tag): `Env.simulator(name, { tag: version })` then starts it. */
  overrideVersion?: string;
  /** Publish as this dataset of the version: `Env.simulator(name, { tag: version, dataset })` starts it. */
  overrideDataset?: string;
}

export const DEFAULT_WAIT_TIMEOUT = 120;
/** Slack on top of a server-side wait (a command, a readiness wait) before the client gives up. */
const SLACK_MS = 30_000;

/**
 * @internal The operations a session and one of its environments share, on `/api/v2/sessions/{id}/...`
 * or `/api/v2/jobs/{id}/...`. A session answers per job id; a job answers its bare result, which is
 * taken here as a session's answer of that one job.
 */
export class Operations {
  private readonly base: string;

  constructor(
    private readonly http: Http,
    private readonly scope: { sessionId: string } | { jobId: string },
  ) {
    this.base =
      "jobId" in scope
        ? `api/v2/jobs/${encodeURIComponent(scope.jobId)}`
        : `api/v2/sessions/${encodeURIComponent(scope.sessionId)}`;
  }

  /** A session's `results`, or a job's bare result as the one entry of them. */
  private results<T>(answer: { results: Record<string, T> } | T): Record<string, T> {
    return "jobId" in this.scope
      ? { [this.scope.jobId]: answer as T }
      : (answer as { results: Record<string, T> }).results;
  }

  /** `requestTimeoutMs`: how long the request may take, when it may wait for more than readiness (a boot). */
  async waitForReady(options: WaitOptions & { requestTimeoutMs?: number } = {}): Promise<ReadyResult> {
    const timeout = options.timeout ?? DEFAULT_WAIT_TIMEOUT;
    const answer = await this.http.request<WaitForReadyAnswer | JobReadiness>("GET", `${this.base}/wait_for_ready`, {
      query: { timeout },
      idempotent: true,
      timeoutMs: options.requestTimeoutMs ?? timeout * 1000 + SLACK_MS,
      signal: options.signal,
    });
    return toReadyResult({ ready: answer.ready, results: this.results<JobReadiness>(answer) });
  }

  /** Not retried: a command may have run even when its answer was lost. */
  async execute<O extends ExecuteOptions = TextExecuteOptions>(
    command: string,
    options?: O,
  ): Promise<Results<ExecuteResult<ExecuteOutput<O>>>> {
    const timeout = options?.timeout ?? DEFAULT_EXECUTE_TIMEOUT;
    const encoding = options?.encoding ?? "utf8";
    const answer = await this.http.request<ExecuteAnswer | JobExecuteResult>("POST", `${this.base}/execute`, {
      body: { command, timeout, ...(encoding === "base64" ? { encoding } : {}) },
      timeoutMs: timeout * 1000 + SLACK_MS,
      signal: options?.signal,
    });
    return mapResults(
      { results: this.results<JobExecuteResult>(answer) },
      (r) => toExecuteResult(r, encoding) as ExecuteResult<ExecuteOutput<O>>,
    );
  }

  /** reset and heartbeat: each answers `{ success }` per job, and may be sent again. */
  async outcome(
    op: "reset" | "heartbeat",
    options: OperationOptions & { timeoutMs?: number } = {},
  ): Promise<Results<JobOutcome>> {
    const answer = await this.http.request<ResetAnswer | HeartbeatAnswer | WireJobOutcome>(
      "POST",
      `${this.base}/${op}`,
      {
        idempotent: true,
        signal: options.signal,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      },
    );
    return mapResults({ results: this.results<WireJobOutcome>(answer) }, toJobOutcome);
  }

  /**
   * Closes. Safe to repeat (a retry after a lost answer too): a closed session or job answers success
   * again, each job's message saying since when it is closed.
   */
  async close(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    const answer = await this.http.request<CloseAnswer | WireJobOutcome>("POST", `${this.base}/close`, {
      idempotent: true,
      signal: options.signal,
    });
    return mapResults({ results: this.results<WireJobOutcome>(answer) }, toJobOutcome);
  }

  /** Not retried: each call makes new artifacts. */
  async snapshot(options: OperationOptions = {}): Promise<Results<SnapshotResult>> {
    const answer = await this.http.request<SnapshotAnswer | WireSnapshotResult>("POST", `${this.base}/snapshot`, {
      signal: options.signal,
    });
    return mapResults({ results: this.results<WireSnapshotResult>(answer) }, toSnapshotResult);
  }

  async diskSnapshot(options: DiskSnapshotOptions = {}): Promise<Results<SnapshotResult>> {
    const body = {
      ...(options.overrideService !== undefined ? { override_service: options.overrideService } : {}),
      ...(options.overrideVersion !== undefined ? { override_version: options.overrideVersion } : {}),
      ...(options.overrideDataset !== undefined ? { override_dataset: options.overrideDataset } : {}),
    };
    type DiskSnapshotResult = DiskSnapshotAnswer["results"][string];
    const answer = await this.http.request<DiskSnapshotAnswer | DiskSnapshotResult>(
      "POST",
      `${this.base}/disk_snapshot`,
      {
        body,
        signal: options.signal,
      },
    );
    return mapResults({ results: this.results<DiskSnapshotResult>(answer) }, toSnapshotResult);
  }

  async state(options: StateOptions = {}): Promise<SessionState> {
    const answer = await this.http.request<StateAnswer | JobStateAnswer>("GET", `${this.base}/state`, {
      query: { merge_mutations: String(options.mergeMutations ?? true), noise: String(options.noise ?? true) },
      idempotent: true,
      signal: options.signal,
    });
    const results = this.results<StateAnswer["results"][string]>(answer);
    return {
      mode: answer.mode,
      capturedAt: answer.captured_at,
      results: Object.fromEntries(
        Object.entries(results).map(([job, r]) => [
          job,
          { ...(r.state ? { state: r.state } : {}), ...(r.error !== undefined ? { error: r.error } : {}) },
        ]),
      ),
    };
  }

  async publicUrls(options: PublicUrlOptions = {}): Promise<Record<string, PublicUrl>> {
    const answer = await this.http.request<PublicUrlResponse | PublicUrl>("GET", `${this.base}/public_url`, {
      query: options.port === undefined ? {} : { port: options.port },
      idempotent: true,
      signal: options.signal,
    });
    return this.results<PublicUrl>(answer);
  }

  async loginPlans(options: OperationOptions = {}): Promise<Record<string, LoginPlan>> {
    const answer = await this.http.request<LoginPlanResponse | LoginPlan>("GET", `${this.base}/login`, {
      idempotent: true,
      signal: options.signal,
    });
    return this.results<LoginPlan>(answer);
  }

  details<T>(options: OperationOptions = {}): Promise<T> {
    return this.http.request<T>("GET", this.base, { idempotent: true, signal: options.signal });
  }
}
