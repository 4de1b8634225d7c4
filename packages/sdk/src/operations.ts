import type { EnvState, ExecuteResponse, OutcomeResponse, StateResponse, WaitForReadyResponse } from "@terrarium/wire";
import type { Http } from "./http.js";
import {
  mapResults,
  toExecuteResult,
  toJobOutcome,
  type ExecuteResult,
  type JobOutcome,
  type Results,
} from "./types.js";

export interface OperationOptions {
  signal?: AbortSignal;
}

export interface ExecuteOptions extends OperationOptions {
  /** Seconds before the command (and everything it started) is killed; default 30. */
  timeout?: number;
}

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

export interface WaitOptions extends OperationOptions {
  /** Seconds to wait; default 120. */
  timeout?: number;
}

/**
 * The operations a session and one of its environments share, on `/api/v2/sessions/{id}/...` or
 * `/api/v2/jobs/{id}/...`: both answer per job id.
 */
export class Operations {
  constructor(
    private readonly http: Http,
    /** e.g. `api/v2/sessions/s_123` */
    readonly base: string,
  ) {}

  waitForReady(options: WaitOptions = {}): Promise<WaitForReadyResponse> {
    const timeout = options.timeout ?? 120;
    return this.http.request<WaitForReadyResponse>("GET", `${this.base}/wait_for_ready`, {
      query: { timeout },
      idempotent: true,
      timeoutMs: (timeout + 30) * 1000,
      signal: options.signal,
    });
  }

  async execute(command: string, options: ExecuteOptions = {}): Promise<Results<ExecuteResult>> {
    const timeout = options.timeout ?? 30;
    const answer = await this.http.request<ExecuteResponse>("POST", `${this.base}/execute`, {
      body: { command, timeout },
      timeoutMs: (timeout + 30) * 1000,
      signal: options.signal,
    });
    return mapResults(answer, toExecuteResult);
  }

  /** reset, heartbeat and close: each answers `{ success }` per job. */
  async outcome(op: "reset" | "heartbeat" | "close", options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    const answer = await this.http.request<OutcomeResponse>("POST", `${this.base}/${op}`, {
      idempotent: op !== "close",
      signal: options.signal,
    });
    return mapResults(answer, toJobOutcome);
  }

  async state(options: StateOptions = {}): Promise<SessionState> {
    const answer = await this.http.request<StateResponse>("GET", `${this.base}/state`, {
      query: { merge_mutations: String(options.mergeMutations ?? true), noise: String(options.noise ?? true) },
      idempotent: true,
      signal: options.signal,
    });
    return { mode: answer.mode, capturedAt: answer.captured_at, results: answer.results };
  }

  details<T>(options: OperationOptions = {}): Promise<T> {
    return this.http.request<T>("GET", this.base, { idempotent: true, signal: options.signal });
  }
}
