import type { JobDetails } from "@terrarium/wire";
import { CaptureError } from "./errors.js";
import type { Http } from "./http.js";
import type { EnvState } from "@terrarium/wire";
import {
  Operations,
  type ExecuteOptions,
  type OperationOptions,
  type StateOptions,
  type WaitOptions,
} from "./operations.js";
import { toJobInfo, type ExecuteResult, type JobInfo, type JobOutcome, type Results } from "./types.js";

/**
 * One running environment (job) of a session.
 *
 * @example
 * const { stdout } = await session.getEnv("forge")!.execute("ls /data");
 */
export class Environment {
  private readonly ops: Operations;

  constructor(
    http: Http,
    readonly jobId: string,
    readonly alias: string,
    readonly simulator: string | null,
    readonly artifactId: string | null,
  ) {
    this.ops = new Operations(http, `api/v2/jobs/${encodeURIComponent(jobId)}`);
  }

  /** Runs a shell command in this environment (`/bin/sh -c`); `timeout` in seconds, default 30. */
  async execute(command: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const { results } = await this.ops.execute(command, options);
    const result = results[this.jobId];
    if (!result) throw new Error(`the server answered no result for job ${this.jobId}`);
    return result;
  }

  /** Database rows and files this environment changed since its start or last reset. */
  async getState(options: StateOptions = {}): Promise<EnvState> {
    const { results } = await this.ops.state(options);
    const result = results[this.jobId];
    if (!result?.state) throw new CaptureError(result?.error ?? `the server answered no state for job ${this.jobId}`);
    return result.state;
  }

  /** Brings this environment back to its starting state. */
  reset(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("reset", options);
  }

  /** Waits until the environment's app answers its readiness check. */
  waitForReady(options: WaitOptions = {}) {
    return this.ops.waitForReady(options);
  }

  /** Tells the server this environment is still in use. */
  heartbeat(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("heartbeat", options);
  }

  /** Closes just this environment; the session closes with its last one. */
  close(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("close", options);
  }

  /** The server's record of this job: status, heartbeats, close reason. */
  async details(options: OperationOptions = {}): Promise<JobInfo> {
    return toJobInfo(await this.ops.details<JobDetails>(options));
  }
}
