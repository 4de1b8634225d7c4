import type { ExecuteResponse, OutcomeResponse, WaitForReadyResponse } from "@terrarium/wire";
import type { Http } from "./http.js";
import {
  mapResults,
  toExecuteResult,
  toJobInfo,
  toJobOutcome,
  type ExecuteResult,
  type JobInfo,
  type JobOutcome,
  type Results,
} from "./types.js";
import type { ExecuteOptions, OperationOptions } from "./session.js";

/**
 * One running environment (job) of a session.
 *
 * @example
 * const { stdout } = await session.getEnv("forge")!.execute("ls /data");
 */
export class Environment {
  constructor(
    private readonly http: Http,
    readonly jobId: string,
    readonly alias: string,
    readonly simulator: string | null,
    readonly artifactId: string | null,
  ) {}

  private path(op: string) {
    return `api/v2/jobs/${encodeURIComponent(this.jobId)}/${op}`;
  }

  /** Runs a shell command in this environment (`/bin/sh -c`); `timeout` in seconds, default 30. */
  async execute(command: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const timeout = options.timeout ?? 30;
    const answer = await this.http.request<ExecuteResponse>("POST", this.path("execute"), {
      body: { command, timeout },
      timeoutMs: (timeout + 30) * 1000,
      signal: options.signal,
    });
    const result = answer.results[this.jobId];
    if (!result) throw new Error(`the server answered no result for job ${this.jobId}`);
    return toExecuteResult(result);
  }

  /** Brings this environment back to its starting state. */
  async reset(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    const answer = await this.http.request<OutcomeResponse>("POST", this.path("reset"), {
      idempotent: true,
      signal: options.signal,
    });
    return mapResults(answer, toJobOutcome);
  }

  /** Waits until the environment's app answers its readiness check (`timeout` seconds, default 120). */
  async waitForReady(options: { timeout?: number; signal?: AbortSignal } = {}): Promise<WaitForReadyResponse> {
    const timeout = options.timeout ?? 120;
    return this.http.request<WaitForReadyResponse>("GET", this.path("wait_for_ready"), {
      query: { timeout },
      idempotent: true,
      timeoutMs: (timeout + 30) * 1000,
      signal: options.signal,
    });
  }

  /** Tells the server this environment is still in use. */
  async heartbeat(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    const answer = await this.http.request<OutcomeResponse>("POST", this.path("heartbeat"), {
      idempotent: true,
      signal: options.signal,
    });
    return mapResults(answer, toJobOutcome);
  }

  /** Closes just this environment; the session closes with its last one. */
  async close(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    const answer = await this.http.request<OutcomeResponse>("POST", this.path("close"), { signal: options.signal });
    return mapResults(answer, toJobOutcome);
  }

  /** The server's record of this job: status, heartbeats, close reason. */
  async details(options: OperationOptions = {}): Promise<JobInfo> {
    const path = `api/v2/jobs/${encodeURIComponent(this.jobId)}`;
    return toJobInfo(await this.http.request("GET", path, { idempotent: true, signal: options.signal }));
  }
}
