import type { EnvState, JobDetails } from "@terrarium/wire";
import { setDate, type SetDateOptions, type SetDateResult } from "./clock.js";
import { CaptureError, TerrariumError } from "./errors.js";
import type { Http } from "./http.js";
import {
  Operations,
  type DiskSnapshotOptions,
  type ExecuteOptions,
  type ExecuteOutput,
  type OperationOptions,
  type PublicUrlOptions,
  type StateOptions,
  type TextExecuteOptions,
  type WaitOptions,
} from "./operations.js";
import {
  toJobInfo,
  type ExecuteResult,
  type JobInfo,
  type JobOutcome,
  type ReadyResult,
  type Results,
  type SnapshotResult,
} from "./types.js";

/**
 * One running environment (job) of a session. Its operations use `/api/v2/jobs/{job_id}/...` and
 * touch no other environment of the session.
 *
 * @example
 * const forge = session.getEnv("forge")!;
 * const { stdout } = await forge.execute("ls /data");
 */
export class Environment {
  private readonly ops: Operations;

  /** @internal environments come from `session.envs` and `session.getEnv(alias)`. */
  constructor(
    private readonly http: Http,
    /** The server's id of this environment, e.g. `j_0123456789ab`; session answers are keyed by it. */
    readonly jobId: string,
    /** Its name in the session, and its host name on the session's network. */
    readonly alias: string,
    /** The simulator it was made from, or null (made from an artifact). */
    readonly simulator: string | null,
    /** The artifact it was made from, or null (made from a simulator). */
    readonly artifactId: string | null,
  ) {
    this.ops = new Operations(http, { jobId });
  }

  /**
   * Runs a shell command in this environment (`/bin/sh -c`); `timeout` in seconds, default 30.
   * A command that cannot run answers with `error` set rather than throwing. Never retried. With
   * `encoding: "base64"`, `stdout` and `stderr` are Buffers of the exact bytes.
   *
   * @example
   * const { stdout, exitCode } = await env.execute("cat /etc/hostname", { timeout: 10 });
   * const { stdout: png } = await env.execute("cat /data/logo.png", { encoding: "base64" }); // a Buffer
   */
  async execute<O extends ExecuteOptions = TextExecuteOptions>(
    command: string,
    options?: O,
  ): Promise<ExecuteResult<ExecuteOutput<O>>> {
    const { results } = await this.ops.execute(command, options);
    return this.own(results);
  }

  /**
   * Database rows and files this environment changed since its start or last reset.
   *
   * @example
   * const { dbs, files } = await env.getState();
   */
  async getState(options: StateOptions = {}): Promise<EnvState> {
    const { results } = await this.ops.state(options);
    const result = results[this.jobId];
    if (!result?.state) throw new CaptureError(result?.error ?? `the server answered no state for job ${this.jobId}`);
    return result.state;
  }

  /**
   * This environment's browser-reachable URL: its app's port, or `port`.
   *
   * @example
   * const url = await env.getPublicUrl(); // "http://j-0123456789ab.localhost:7351/"
   */
  async getPublicUrl(options: PublicUrlOptions = {}): Promise<string> {
    const results = await this.ops.publicUrls(options);
    const own = results[this.jobId];
    if (!own) throw new TerrariumError(`the server answered no URL for job ${this.jobId}`);
    return own.url;
  }

  /**
   * Brings this environment back to its starting state; its job id and alias stay.
   *
   * @example
   * const { results } = await env.reset(); // results[env.jobId].success
   */
  reset(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("reset", options);
  }

  /**
   * Memory snapshot of this environment (it keeps running): `{ success, artifactId, memory, error }`.
   *
   * @example
   * const { artifactId } = await env.snapshot();
   */
  async snapshot(options: OperationOptions = {}): Promise<SnapshotResult> {
    return this.own((await this.ops.snapshot(options)).results);
  }

  /**
   * Disk snapshot of this environment, optionally published as a version of its simulator.
   *
   * @example
   * const { artifactId } = await env.diskSnapshot({ overrideVersion: "triaged" });
   */
  async diskSnapshot(options: DiskSnapshotOptions = {}): Promise<SnapshotResult> {
    return this.own((await this.ops.diskSnapshot(options)).results);
  }

  /**
   * Moves this environment's clock (what its app, its databases and executed commands see) to `date`,
   * from where it runs on; a reset brings back the real time. A string is ISO 8601, in UTC without an
   * offset.
   *
   * @example
   * const { success, stdout } = await env.setDate("2031-05-04T10:00:00Z"); // stdout "2031-05-04T10:00:01.104Z\n"
   */
  async setDate(date: Date | string, options: SetDateOptions = {}): Promise<SetDateResult> {
    return this.own((await setDate(this.http, { jobId: this.jobId }, date, options)).results);
  }

  /**
   * Waits until the environment's app answers its readiness check (`timeout` seconds, default 120).
   *
   * @example
   * const { ready } = await env.waitForReady({ timeout: 60 });
   */
  waitForReady(options: WaitOptions = {}): Promise<ReadyResult> {
    return this.ops.waitForReady(options);
  }

  /**
   * Tells the server this environment is still in use (the session's heartbeats cover it already).
   *
   * @example
   * await env.heartbeat();
   */
  heartbeat(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.outcome("heartbeat", options);
  }

  /**
   * Closes just this environment; the session closes with its last one. Closing a closed environment
   * does nothing and answers success again, its message saying since when it is closed.
   *
   * @example
   * await session.getEnv("scratch")?.close();
   */
  close(options: OperationOptions = {}): Promise<Results<JobOutcome>> {
    return this.ops.close(options);
  }

  /**
   * The server's record of this job: status, heartbeats, close reason.
   *
   * @example
   * const { status, lastHeartbeatAt } = await env.details();
   */
  async details(options: OperationOptions = {}): Promise<JobInfo> {
    return toJobInfo(await this.ops.details<JobDetails>(options));
  }

  private own<T>(results: Record<string, T>): T {
    const result = results[this.jobId];
    if (!result) throw new TerrariumError(`the server answered no result for job ${this.jobId}`);
    return result;
  }
}
