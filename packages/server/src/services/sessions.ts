import {
  type CloseReason,
  type ExecuteResult,
  type JobDetails,
  type JobOutcome,
  type MakeSessionResponse,
  type MadeEnv,
  type AddJobRequest,
  type AddJobResponse,
  type RemoveJobResponse,
  type ListJobsResponse,
  type SessionLogs,
  type ShutdownCallbackPayload,
  type LinkTestcaseResponse,
  type SessionDetails,
  type MakeSessionRequest,
  type SimulatorManifest,
  type StateResponse,
  type Task,
  type WaitForReadyResponse,
  type DiskSnapshotRequest,
  type DiskSnapshotResponse,
  type SnapshotResponse,
  type SnapshotResult,
} from "@terrarium/wire";
import type { z } from "zod";
import { DomainError, conflict, errorMessage, notFound } from "../errors.js";
import { newJobId, newSessionId } from "../ids.js";
import type { CaptureTarget, StateCapture, StateRequest } from "../capture/capture.js";
import type { ExecEncoding, Runtime } from "../runtime/runtime.js";
import type { JobRecord, SessionRecord, Store } from "../store/store.js";
import { JobActivity } from "./activity.js";
import type { JobRoute } from "../proxy/proxy.js";
import { KeyedLock } from "./keyed-lock.js";
import type { DatasetBuilder } from "./catalog.js";
import { LABELS } from "./labels.js";
import type { Simulator } from "../catalog/simulators.js";
import type { ArtifactService, SnapshotSource } from "./artifacts.js";
import { Planner, type EnvsRequest, type PlannedJob } from "./planning.js";
import { Publisher } from "./publishing.js";
import { SessionLog, loggedCommand } from "./session-log.js";
import type { CallbackDispatcher } from "./shutdown-callbacks.js";
import { Provisioner, containerName, networkName } from "./provisioning.js";
import type { WarmPool } from "./pool.js";

export { LABELS, containerName, networkName };

/** What an operation acts on: every open environment of a session, or one environment (job). */
export type Scope = { sessionId: string } | { jobId: string };

export interface SessionServiceOptions {
  store: Store;
  runtime: Runtime;
  simulators: () => Map<string, Simulator>;
  instanceId: string;
  execOutputLimit: number;
  capture: StateCapture;
  /** The tasks sessions can be made from, by id. */
  tasks?: () => Map<string, Task>;
  artifacts: ArtifactService;
  /** Builds a dataset's image the first time a session asks for it; unset: only built datasets start. */
  datasets?: DatasetBuilder;
  /** Ready environments to hand over at create and reset; none when unset. */
  pool?: WarmPool;
  /**
   * A simulator image whose boot until ready takes at least this long gets a ready artifact (a
   * checkpoint of it booted and warmed) that later starts resume; unset: never.
   */
  readyArtifactBootMs?: number;
  /** Delivers shutdown callbacks; told when a session that asked for one ends. */
  callbacks?: CallbackDispatcher;
}

type MakeRequest = z.output<typeof MakeSessionRequest>;

const now = () => new Date().toISOString();

/**
 * Sessions and their environments: creation, readiness, reset, execute, heartbeats and close. Knows
 * nothing of HTTP; every per-job failure is reported in that job's entry.
 */
export class SessionService {
  private readonly locks = new KeyedLock();
  /** Commands running per job: the reaper spares their environments. */
  private readonly activity = new JobActivity();
  private readonly planner: Planner;
  private readonly envs: Provisioner;
  private readonly publisher: Publisher;
  /** Each session's log of events; evaluation and the clock record theirs here too. */
  readonly log: SessionLog;

  constructor(private readonly o: SessionServiceOptions) {
    this.planner = new Planner(o);
    this.envs = new Provisioner(o);
    this.publisher = new Publisher({ ...o, simulatorOf: (job) => this.envs.simulatorOf(job) });
    this.log = new SessionLog(o.store);
  }

  async make(input: MakeRequest): Promise<MakeSessionResponse> {
    const { taskId, envs } = this.envsOf(input);
    const planned = await this.planner.plan(envs, { heartbeatTimeout: input.heartbeat_timeout });
    const createdAt = now();
    const session: SessionRecord = {
      id: newSessionId(),
      taskPublicId: taskId,
      status: "active",
      network: "",
      createdAt,
      closedAt: null,
      shutdownCallbackUrl: input.shutdown_callback_url ?? null,
      shutdownCallbackToken: input.shutdown_callback_token ?? null,
    };
    const jobs = planned.map((p) => newJob(session.id, p, createdAt));
    // Ready environments from the warm pool where there are some. A session of one environment keeps
    // its pooled network; several environments join a network of their own.
    const pooled = new Map(
      jobs.flatMap((job) => {
        const entry = this.o.pool?.take(...this.envs.kindOf(job));
        return entry ? [[job.id, entry] as const] : [];
      }),
    );
    const alone = jobs.length === 1 ? pooled.get(jobs[0]!.id) : undefined;
    session.network = alone?.network ?? networkName(session.id);
    // Recorded before anything else exists in Podman (pooled environments are labelled as such until a
    // job records them), so a crash from here on is cleaned up at restart.
    this.o.store.insertSession(session, jobs);
    this.log.record(
      session.id,
      "created",
      `session created${taskId ? ` for task ${taskId}` : ""} with ${jobs.map((j) => `${j.alias} (${j.simulator})`).join(", ")}`,
      { data: { task_id: taskId, envs: jobs.map((j) => ({ job_id: j.id, alias: j.alias, simulator: j.simulator })) } },
    );
    // Booting is activity: a short heartbeat timeout must not reap environments still being made.
    const started = this.locks.run(session.id, () =>
      this.busyWith(jobs, async () => {
        if (!alone) {
          try {
            await this.o.runtime.createNetwork(session.network, this.envs.labels(session.id));
          } catch (error) {
            for (const entry of pooled.values()) void this.o.pool?.discard(entry);
            const message = `could not create the session's network: ${errorMessage(error)}`;
            for (const job of jobs) this.failed(job, message);
            await this.closeJobs(session.id, jobs, "failed");
            throw new DomainError("unavailable", message);
          }
        }
        await Promise.all(
          jobs.map(async (job) => {
            const entry = pooled.get(job.id);
            await (entry ? this.envs.startFromPool(job, entry, entry === alone) : this.envs.startJob(job));
            this.started(job);
          }),
        );
        const made = await this.readiness(this.openJobs(session.id), input.timeout);
        return {
          session_id: session.id,
          task_public_id: taskId,
          envs: this.o.store.jobsOfSession(session.id).map(made),
        };
      }),
    );
    if (input.wait) return started;
    // Deferred: the boot goes on under the session's lock, which wait_for_ready (and every other
    // operation) waits for; a failure is recorded in the jobs, where wait_for_ready reports it.
    started.catch(() => undefined);
    return {
      session_id: session.id,
      task_public_id: taskId,
      envs: jobs.map(accepted),
    };
  }

  /** The environments a request asks for: its own, or its task's (test case's). */
  private envsOf(input: MakeRequest): { taskId: string | null; envs: EnvsRequest["envs"] } {
    if (input.type === "envs") return { taskId: null, envs: input.envs };
    const task =
      input.type === "task" ? this.task(input.task_id, "task_id") : this.task(input.testcase_id, "testcase_id");
    return {
      taskId: task.id,
      envs: task.envs.map((e) =>
        e.artifact !== undefined
          ? { type: "artifact" as const, artifact_id: e.artifact, alias: e.alias, restore_memory: true }
          : { type: "simulator" as const, simulator: e.simulator!, tag: e.tag ?? "latest", alias: e.alias },
      ),
    };
  }

  /** A task by id; unknown, a 404 naming `field` and the tasks there are. */
  private task(id: string, field: string): Task {
    const tasks = this.o.tasks?.() ?? new Map<string, Task>();
    const task = tasks.get(id);
    if (task) return task;
    const known = [...tasks.keys()];
    throw notFound(
      `${field}: unknown task "${id}"; ${known.length ? `known tasks: ${known.slice(0, 20).join(", ")}${known.length > 20 ? "..." : ""}` : "this server has no tasks"}`,
    );
  }

  /**
   * Attaches a task (test case) to a running session, so evaluate scores it against the task's criteria
   * (Plato's link_testcase). The session must have, open, every environment the task names, by alias
   * and simulator: the criteria read them by alias.
   */
  async linkTestcase(sessionId: string, testcaseId: string): Promise<LinkTestcaseResponse> {
    this.activeSession(sessionId);
    return this.locks.run(sessionId, async () => {
      this.activeSession(sessionId);
      const task = this.task(testcaseId, "testcase_id");
      const open = this.openJobs(sessionId);
      const artifactSimulator = (id: string) => this.o.store.getArtifact(id)?.simulator;
      const missing = task.envs.filter((e) => {
        const simulator = e.simulator ?? (e.artifact !== undefined ? artifactSimulator(e.artifact) : undefined);
        return !open.some((j) => j.alias === e.alias && (simulator === undefined || j.simulator === simulator));
      });
      if (missing.length > 0) {
        throw conflict(
          `testcase_id: task "${task.id}" reads ${missing.map((e) => `${e.alias} (${e.simulator ?? `artifact ${e.artifact}`})`).join(", ")}, which this session has no open environment of; its environments: ${open.map((j) => `${j.alias} (${j.simulator})`).join(", ") || "none"}`,
        );
      }
      this.o.store.updateSessionTask(sessionId, task.id);
      this.log.record(sessionId, "testcase_linked", `linked to task ${task.id}`, { data: { task_id: task.id } });
      return { session_id: sessionId, testcase_id: task.id, success: true };
    });
  }

  /**
   * How make and add-job answer for `jobs`: with a timeout, once they waited that long for readiness, and
   * success then means ready (an environment still booting when it ran out says so).
   */
  private async readiness(jobs: JobRecord[], timeout: number | undefined): Promise<(job: JobRecord) => MadeEnv> {
    const waited = timeout !== undefined && timeout > 0 ? timeout : undefined;
    const results = waited === undefined ? {} : (await this.waitJobs(jobs, waited)).results;
    return (job) => this.made(job, waited, results[job.id]?.error);
  }

  /** A job's entry in make's and add-job's answers; `waited`: the seconds they waited for readiness. */
  private made(job: JobRecord, waited: number | undefined, notReady: string | undefined): MadeEnv {
    const ready = this.envs.isReady(job.id);
    const error =
      job.error ??
      (waited !== undefined && !ready
        ? `not ready within the ${waited} s timeout: ${notReady ?? "still starting"}; wait_for_ready waits longer`
        : undefined);
    return {
      job_id: job.id,
      alias: job.alias,
      simulator: job.simulator,
      artifact_id: job.artifactId,
      success: job.status !== "failed" && (waited === undefined || ready),
      ready,
      ...(error ? { error } : {}),
    };
  }

  /** After a start: the log says how it went. */
  private started(job: JobRecord): void {
    if (job.status === "failed") this.log.record(job.sessionId, "failed", job.error ?? "could not start", { job });
    else if (this.envs.isReady(job.id))
      this.log.record(job.sessionId, "ready", `${job.alias} ready (warm pool)`, { job });
  }

  private failed(job: JobRecord, message: string): void {
    Object.assign(job, { status: "failed", error: message });
    this.o.store.updateJob(job.id, { status: "failed", error: message });
    this.log.record(job.sessionId, "failed", message, { job });
  }

  /** Readiness, logged the first time each job passes it after a start. */
  private async waitJobs(jobs: JobRecord[], timeoutSeconds: number): Promise<WaitForReadyResponse> {
    const before = new Set(jobs.filter((j) => this.envs.isReady(j.id)).map((j) => j.id));
    const outcome = await this.envs.waitJobs(jobs, timeoutSeconds);
    for (const job of jobs)
      if (!before.has(job.id) && this.envs.isReady(job.id))
        this.log.record(job.sessionId, "ready", `${job.alias} ready`, { job });
    return outcome;
  }

  /**
   * One more environment in a live session, on its network under its alias (unique among the session's
   * open environments). It fails alone: the session's other environments are untouched.
   */
  async addJob(sessionId: string, request: z.output<typeof AddJobRequest>): Promise<AddJobResponse> {
    this.activeSession(sessionId);
    return this.locks.run(sessionId, async () => {
      this.activeSession(sessionId);
      const taken = new Map(this.openJobs(sessionId).map((j) => [j.alias, j.id]));
      const [planned] = await this.planner.plan([request.env], {
        heartbeatTimeout: request.heartbeat_timeout,
        taken,
        field: () => "env",
      });
      const job = newJob(sessionId, planned!, now());
      this.o.store.insertJob(job);
      this.log.record(sessionId, "env_added", `${job.alias} (${job.simulator}) added`, {
        job,
        data: { simulator: job.simulator, tag: job.tag, artifact_id: job.artifactId },
      });
      const boot = () =>
        this.busyWith([job], async () => {
          const entry = this.o.pool?.take(...this.envs.kindOf(job));
          await (entry ? this.envs.startFromPool(job, entry, false) : this.envs.startJob(job));
          this.started(job);
          const made = (await this.readiness([job], request.timeout))(job);
          // What could not start is removed at once: it would only hold its alias (its error stays in the job).
          if (job.status === "failed") await this.closeJobs(sessionId, [job], "failed");
          return made;
        });
      if (!request.wait) {
        // Deferred: the boot runs under the session's lock as soon as this call lets go of it, so a
        // wait_for_ready (of the session or the job) waits for it.
        this.locks.run(sessionId, boot).catch(() => undefined);
        return { session_id: sessionId, env: accepted(job) };
      }
      return { session_id: sessionId, env: await boot() };
    });
  }

  /** Takes an environment (by job id or alias) out of its live session: its container goes, its alias is free. */
  async removeJob(sessionId: string, which: { job_id?: string; alias?: string }): Promise<RemoveJobResponse> {
    this.activeSession(sessionId);
    return this.locks.run(sessionId, async () => {
      this.activeSession(sessionId);
      const open = this.openJobs(sessionId);
      const job = open.find((j) => (which.job_id !== undefined ? j.id === which.job_id : j.alias === which.alias));
      if (!job) {
        const field = which.job_id !== undefined ? "job_id" : "alias";
        const value = which.job_id ?? which.alias;
        const known = open.map((j) => `${j.alias} (${j.id})`).join(", ") || "none";
        throw notFound(
          `${field}: no open environment ${JSON.stringify(value)} in session "${sessionId}"; its environments: ${known}`,
          {
            environments: open.map((j) => ({ job_id: j.id, alias: j.alias })),
          },
        );
      }
      const last = open.length === 1;
      const outcome = (await this.closeJobs(sessionId, [job], "removed"))[job.id]!;
      if (outcome.success) this.log.record(sessionId, "env_removed", `${job.alias} removed`, { job });
      return {
        session_id: sessionId,
        job_id: job.id,
        success: outcome.success,
        message: outcome.success
          ? `removed ${job.alias}${last ? "; it was the session's last environment, so the session is closed" : ""}`
          : outcome.error,
      };
    });
  }

  /** Every job of the session as the store has it now (added or removed by any client). */
  listJobs(sessionId: string): ListJobsResponse {
    this.session(sessionId);
    return {
      session_id: sessionId,
      jobs: this.o.store.jobsOfSession(sessionId).map((job) => ({
        ...describeJob(job),
        status_reason:
          job.status === "closed"
            ? job.closeReason === "failed" && job.error
              ? `failed: ${job.error}`
              : job.closeReason
            : job.status === "failed"
              ? job.error
              : null,
      })),
    };
  }

  /** A page of the session's log (of one of its jobs, with `jobId`). */
  logs(sessionId: string, options: { after: number; limit: number; jobId?: string }): SessionLogs {
    this.session(sessionId);
    if (options.jobId !== undefined) {
      const job = this.o.store.getJob(options.jobId);
      if (!job || job.sessionId !== sessionId)
        throw notFound(`job_id: no job "${options.jobId}" in session "${sessionId}"`);
    }
    return this.log.page(sessionId, options);
  }

  /** An event the SDK reports from the client's side: a browser login. */
  loggedIn(sessionId: string, event: { job_id: string; success: boolean; flow: string; error?: string }): void {
    const job = this.o.store.getJob(event.job_id);
    if (!job || job.sessionId !== sessionId)
      throw notFound(`job_id: no job "${event.job_id}" in session "${sessionId}"`);
    this.log.record(
      sessionId,
      "login",
      event.success
        ? `logged in to ${job.alias} (flow ${event.flow})`
        : `login to ${job.alias} failed (flow ${event.flow}): ${event.error ?? "no reason given"}`,
      { job, data: { flow: event.flow, success: event.success, ...(event.error ? { error: event.error } : {}) } },
    );
  }

  private session(sessionId: string): SessionRecord {
    const session = this.o.store.getSession(sessionId);
    if (!session) throw notFound(`unknown session "${sessionId}"`);
    return session;
  }

  private activeSession(sessionId: string): SessionRecord {
    const session = this.session(sessionId);
    if (session.status === "closed") {
      const reasons = [...new Set(this.o.store.jobsOfSession(sessionId).map((j) => j.closeReason ?? "closed"))];
      throw conflict(
        `session "${sessionId}" is closed (${reasons.join(", ")} at ${session.closedAt}); start a new one`,
        {
          close_reasons: reasons,
          closed_at: session.closedAt,
        },
      );
    }
    return session;
  }

  private openJobs(sessionId: string): JobRecord[] {
    return this.o.store.jobsOfSession(sessionId).filter((j) => j.status !== "closed");
  }

  private openJob(jobId: string): JobRecord {
    const job = this.o.store.getJob(jobId);
    if (!job) throw notFound(`unknown job "${jobId}"`);
    if (job.status === "closed") {
      throw conflict(
        `job "${jobId}" is closed (${job.closeReason ?? "closed"} at ${job.closedAt}); start a new session`,
        {
          close_reason: job.closeReason,
          closed_at: job.closedAt,
        },
      );
    }
    return job;
  }

  /** The session's open jobs, or one job: the targets of an operation, checked to be open. */
  private jobsIn(scope: Scope): { sessionId: string; jobs: JobRecord[] } {
    if ("jobId" in scope) {
      const job = this.openJob(scope.jobId);
      this.touch([job]);
      return { sessionId: job.sessionId, jobs: [job] };
    }
    this.activeSession(scope.sessionId);
    const jobs = this.openJobs(scope.sessionId);
    this.touch(jobs);
    return { sessionId: scope.sessionId, jobs };
  }

  /** Under the session's lock: a wait asked during a reset (or a make) waits for it, then for readiness. */
  async waitForReady(scope: Scope, timeoutSeconds: number): Promise<WaitForReadyResponse> {
    const { sessionId } = this.jobsIn(scope);
    return this.locks.run(sessionId, () => {
      const { jobs } = this.jobsIn(scope);
      return this.busyWith(jobs, () => this.waitJobs(jobs, timeoutSeconds));
    });
  }

  async reset(scope: Scope): Promise<{ results: Record<string, JobOutcome> }> {
    const { sessionId } = this.jobsIn(scope);
    return this.locks.run(sessionId, async () => {
      const { jobs } = this.jobsIn(scope);
      return { results: await this.busyWith(jobs, () => this.resetJobs(jobs)) };
    });
  }

  /** Replaces each environment by a fresh one from its starting image: same job id, alias and network. */
  private async resetJobs(jobs: JobRecord[]): Promise<Record<string, JobOutcome>> {
    const results: Record<string, JobOutcome> = {};
    await Promise.all(
      jobs.map(async (job) => {
        const started = Date.now();
        this.activity.interrupt(job.id, `reset at ${now()}`);
        const entry = this.o.pool?.take(...this.envs.kindOf(job));
        if (entry && (await this.envs.swapFromPool(job, entry))) {
          results[job.id] = { success: true, message: `reset in ${Date.now() - started} ms (warm pool)` };
        } else {
          const outcome = await this.envs.restart(job);
          results[job.id] = outcome.ready
            ? { success: true, message: `reset in ${Date.now() - started} ms` }
            : { success: false, error: outcome.error };
        }
        const result = results[job.id]!;
        this.log.record(
          job.sessionId,
          "reset",
          result.success ? `${job.alias} ${result.message}` : `${job.alias} reset failed: ${result.error}`,
          {
            job,
            data: { success: result.success, duration_ms: Date.now() - started },
          },
        );
      }),
    );
    return results;
  }

  async execute(
    scope: Scope,
    command: string,
    timeoutSeconds: number,
    encoding?: ExecEncoding,
  ): Promise<{ results: Record<string, ExecuteResult> }> {
    return { results: await this.executeJobs(this.jobsIn(scope).jobs, command, timeoutSeconds, encoding) };
  }

  private async executeJobs(
    jobs: JobRecord[],
    command: string,
    timeoutSeconds: number,
    encoding?: ExecEncoding,
  ): Promise<Record<string, ExecuteResult>> {
    const results: Record<string, ExecuteResult> = {};
    await Promise.all(
      jobs.map(async (job) => {
        const failed = (error: string): ExecuteResult => ({
          stdout: "",
          stderr: "",
          exit_code: null,
          timed_out: false,
          truncated: false,
          stdout_lossy: false,
          stderr_lossy: false,
          error,
        });
        if (job.status !== "running" || !job.containerId) {
          return void (results[job.id] = failed(job.error ?? `environment is ${job.status}`));
        }
        const running = this.activity.begin(job.id);
        const started = Date.now();
        try {
          const outcome = await this.o.runtime.exec(job.containerId, command, {
            timeoutSeconds,
            outputLimit: this.o.execOutputLimit,
            encoding,
          });
          results[job.id] = {
            stdout: outcome.stdout,
            stderr: outcome.stderr,
            exit_code: outcome.exitCode,
            timed_out: outcome.timedOut,
            truncated: outcome.truncated,
            stdout_lossy: outcome.stdoutLossy,
            stderr_lossy: outcome.stderrLossy,
          };
        } catch (error) {
          results[job.id] = failed(`could not execute: ${errorMessage(error)}`);
        } finally {
          this.activity.end(job.id, running);
          // A long command is activity too: its end restarts the heartbeat timeout.
          this.touch([job]);
        }
        if (running.interruption) {
          results[job.id] = {
            ...results[job.id]!,
            exit_code: null,
            error: `the environment was ${running.interruption} while the command ran; what it wrote until then is kept`,
          };
        }
        const result = results[job.id]!;
        this.log.record(
          job.sessionId,
          "execute",
          `${job.alias}: ${result.error ?? (result.timed_out ? "timed out" : `exit ${result.exit_code}`)}`,
          {
            job,
            data: {
              command: loggedCommand(command),
              exit_code: result.exit_code,
              timed_out: result.timed_out,
              duration_ms: Date.now() - started,
              ...(result.error ? { error: result.error } : {}),
            },
          },
        );
      }),
    );
    return results;
  }

  /** What capture and the evaluator's live reads need of a running job. */
  captureTarget(job: JobRecord): CaptureTarget {
    return this.envs.captureTarget(job);
  }

  /** Database rows and files changed in every environment since its start or last reset. */
  async state(scope: Scope, request: StateRequest): Promise<StateResponse> {
    const { jobs } = this.jobsIn(scope);
    return this.busyWith(jobs, () => this.stateOf(jobs, request));
  }

  private async stateOf(jobs: JobRecord[], request: StateRequest): Promise<StateResponse> {
    const results: StateResponse["results"] = {};
    await Promise.all(
      jobs.map(async (job) => {
        if (job.status !== "running" || !job.containerId)
          return void (results[job.id] = { error: job.error ?? `environment is ${job.status}` });
        const baselineError = this.envs.baselineError(job.id);
        if (baselineError) return void (results[job.id] = { error: baselineError });
        try {
          const state = await this.o.capture.state(this.envs.captureTarget(job), request);
          results[job.id] = { state };
          const rows = state.dbs.reduce((n, db) => n + db.changes.length, 0);
          this.log.record(
            job.sessionId,
            "state",
            `${job.alias}: ${rows} row change(s), ${state.files.length} file change(s)`,
            {
              job,
              data: { mode: request.mode, rows, files: state.files.length },
            },
          );
        } catch (error) {
          results[job.id] = { error: `could not capture the state: ${errorMessage(error)}` };
          this.log.record(job.sessionId, "state", `${job.alias}: ${results[job.id]!.error}`, { job });
        }
      }),
    );
    return { mode: request.mode, captured_at: now(), results };
  }

  /** Memory snapshots: each environment checkpointed with its processes into an artifact; they keep running. */
  async snapshot(scope: Scope): Promise<SnapshotResponse> {
    return this.snapshotJobs(scope, async (source) => ({
      success: true,
      artifact_id: (await this.o.artifacts.memory(source)).id,
      memory: true,
    }));
  }

  /** Disk snapshots: each environment's filesystem committed as an artifact image, optionally published. */
  async diskSnapshot(scope: Scope, request: DiskSnapshotRequest): Promise<DiskSnapshotResponse> {
    const publishing = await this.publisher.targets(this.jobsIn(scope).jobs, request);
    return this.snapshotJobs(scope, async (source) => {
      const artifact = await this.o.artifacts.disk(source, publishing.get(source.job.id));
      return {
        success: true,
        artifact_id: artifact.id,
        memory: false,
        ...(artifact.publishedAs ? { published_as: artifact.publishedAs } : {}),
      };
    });
  }

  /** Runs a snapshot of each open job under the session's lock (no reset or close meanwhile). */
  private async snapshotJobs<R extends SnapshotResult>(
    scope: Scope,
    take: (source: SnapshotSource) => Promise<R>,
  ): Promise<{ results: Record<string, R | SnapshotResult> }> {
    const { sessionId } = this.jobsIn(scope);
    return this.locks.run(sessionId, async () => {
      const results: Record<string, R | SnapshotResult> = {};
      const { jobs } = this.jobsIn(scope);
      await this.busyWith(jobs, () =>
        Promise.all(
          jobs.map(async (job) => {
            if (job.status !== "running" || !job.containerId || !job.simulator) {
              return void (results[job.id] = {
                success: false,
                memory: false,
                error: job.error ?? `environment is ${job.status}`,
              });
            }
            try {
              const version = this.envs.simulatorOf(job).manifest.version;
              results[job.id] = await take({ job, containerId: job.containerId, version });
            } catch (error) {
              results[job.id] = { success: false, memory: false, error: errorMessage(error) };
            }
            const result: SnapshotResult & { published_as?: string } = results[job.id]!;
            this.log.record(
              job.sessionId,
              result.memory ? "snapshot" : "disk_snapshot",
              result.success
                ? `${job.alias} snapshotted as ${result.artifact_id}${result.published_as ? `, published as ${result.published_as}` : ""}`
                : `${job.alias} snapshot failed: ${result.error}`,
              { job, data: { success: result.success, artifact_id: result.artifact_id ?? null } },
            );
          }),
        ),
      );
      return { results };
    });
  }

  heartbeat(scope: Scope): { results: Record<string, JobOutcome> } {
    return { results: this.beat(this.jobsIn(scope).jobs) };
  }

  private beat(jobs: JobRecord[]): Record<string, JobOutcome> {
    const at = now();
    const results: Record<string, JobOutcome> = {};
    for (const job of jobs) {
      this.o.store.updateJob(job.id, { lastHeartbeatAt: at });
      results[job.id] = { success: true };
    }
    return results;
  }

  /**
   * Safe to repeat, as Plato's close is: a closed session or job answers success again, each job
   * saying why and since when it is closed.
   */
  async close(
    scope: Scope,
    reason: CloseReason = "closed",
  ): Promise<{ results: Record<string, JobOutcome>; message: string }> {
    const sessionId = "jobId" in scope ? this.knownJob(scope.jobId).sessionId : this.session(scope.sessionId).id;
    return this.locks.run(sessionId, async () => {
      const closed =
        "jobId" in scope
          ? [this.knownJob(scope.jobId)].filter((j) => j.status === "closed")
          : this.session(sessionId).status === "closed"
            ? this.o.store.jobsOfSession(sessionId)
            : [];
      if (closed.length > 0) {
        const results = Object.fromEntries(
          closed.map((j) => [
            j.id,
            { success: true, message: `already closed (${j.closeReason ?? "closed"} at ${j.closedAt})` },
          ]),
        );
        const what = "jobId" in scope ? `job "${scope.jobId}"` : `session "${sessionId}"`;
        return { results, message: `${what} was already closed` };
      }
      const results = await this.closeJobs(sessionId, this.jobsIn(scope).jobs, reason);
      const failed = Object.values(results).filter((r) => !r.success).length;
      const message = failed
        ? `${failed} of ${Object.keys(results).length} environments could not be closed; see results`
        : `closed ${Object.keys(results).length} environment(s)`;
      return { results, message };
    });
  }

  private knownJob(jobId: string): JobRecord {
    const job = this.o.store.getJob(jobId);
    if (!job) throw notFound(`unknown job "${jobId}"`);
    return job;
  }

  /**
   * Removes the jobs' containers and marks them closed; when no open job is left, the session's
   * network goes too and the session is closed. A container that cannot be removed keeps its job open
   * (and reported), so nothing is ever forgotten while it still runs.
   */
  private async closeJobs(
    sessionId: string,
    jobs: JobRecord[],
    reason: CloseReason,
  ): Promise<Record<string, JobOutcome>> {
    const results: Record<string, JobOutcome> = {};
    await Promise.all(
      jobs.map(async (job) => {
        this.activity.interrupt(job.id, `closed (${reason}) at ${now()}`);
        try {
          await this.o.runtime.removeEnvironment(job.containerId ?? containerName(job.id));
          this.envs.forget(job.id);
          this.o.store.updateJob(job.id, { status: "closed", closedAt: now(), closeReason: reason });
          results[job.id] = { success: true };
          if (reason !== "removed")
            this.log.record(
              job.sessionId,
              reason === "heartbeat_timeout" ? "heartbeat_timeout" : "closed",
              `${job.alias} closed (${reason})`,
              { job, data: { reason } },
            );
        } catch (error) {
          results[job.id] = { success: false, error: `could not remove the environment: ${errorMessage(error)}` };
        }
      }),
    );
    if (this.openJobs(sessionId).length === 0) {
      const session = this.session(sessionId);
      await this.o.runtime.removeNetwork(session.network);
      const at = now();
      const last = jobs.at(-1);
      const payload =
        session.shutdownCallbackUrl && last
          ? JSON.stringify(this.shutdownPayload(sessionId, last, reason, at))
          : undefined;
      this.o.store.closeSession(sessionId, at, payload);
      this.log.record(sessionId, "closed", `session closed (${reason})`, { data: { reason } });
      if (payload) this.o.callbacks?.kick();
    }
    return results;
  }

  /** What the shutdown callback of a session that ended as `last` closed for `reason` POSTs. */
  private shutdownPayload(
    sessionId: string,
    last: JobRecord,
    reason: CloseReason,
    at: string,
  ): ShutdownCallbackPayload {
    const jobs = this.o.store.jobsOfSession(sessionId);
    return {
      session_id: sessionId,
      job_public_id: last.id,
      shutdown_reason: reason,
      status: "closed",
      status_reason: `session ended: ${last.alias} ${reason === "closed" ? "was closed" : `closed (${reason})`}${jobs.length > 1 ? `, the last of its ${jobs.length} environments` : ""}`,
      timestamp: at,
      jobs: jobs.map((j) => ({ job_id: j.id, alias: j.alias, close_reason: j.closeReason, closed_at: j.closedAt })),
    };
  }

  /**
   * Runs an operation on jobs as activity: the reaper spares them meanwhile, and its end counts as a
   * heartbeat (a long reset or state read restarts the timeout, as a call does).
   */
  private async busyWith<T>(jobs: JobRecord[], work: () => Promise<T>): Promise<T> {
    const marks = jobs.map((job) => [job, this.activity.begin(job.id)] as const);
    try {
      return await work();
    } finally {
      for (const [job, mark] of marks) this.activity.end(job.id, mark);
      this.touch(jobs);
    }
  }

  /**
   * Closes every open job whose heartbeats (and every other call on it) stopped for longer than its
   * timeout, unless an operation (a command, a boot, a reset...) still runs in it. Checked again under the session's lock, so a call that
   * came in meanwhile keeps the environment.
   */
  async reapExpired(): Promise<string[]> {
    const expired = (job: JobRecord) =>
      job.heartbeatTimeout > 0 &&
      Date.now() - Date.parse(job.lastHeartbeatAt) > job.heartbeatTimeout * 1000 &&
      !this.activity.busy(job.id);
    const reaped: string[] = [];
    for (const candidate of this.o.store.openJobs().filter(expired)) {
      await this.locks.run(candidate.sessionId, async () => {
        const job = this.o.store.getJob(candidate.id);
        if (!job || job.status === "closed" || !expired(job)) return;
        const outcome = await this.closeJobs(job.sessionId, [job], "heartbeat_timeout");
        if (outcome[job.id]?.success) reaped.push(job.id);
      });
    }
    return reaped;
  }

  /**
   * Every operation on an open job counts as a heartbeat (plain-HTTP users need not send them); reading
   * its details does not, so a dashboard or `sessions ls` watching a session does not keep it. Written at
   * most once a second per job, so a busy loop of calls costs no store writes.
   */
  private touch(jobs: JobRecord[]): void {
    const at = Date.now();
    for (const job of jobs) {
      if (job.status === "closed") continue;
      if (at - Date.parse(job.lastHeartbeatAt) < 1000) continue;
      job.lastHeartbeatAt = new Date(at).toISOString();
      this.o.store.updateJob(job.id, { lastHeartbeatAt: job.lastHeartbeatAt });
    }
  }

  details(sessionId: string): SessionDetails {
    return this.describe(this.session(sessionId));
  }

  list(status: "active" | "closed" | "all"): SessionDetails[] {
    return this.o.store.listSessions(status).map((s) => this.describe(s));
  }

  /** Where the proxy sends a job's traffic: only a running environment of an open job is reachable. */
  route(jobId: string): JobRoute {
    const job = this.o.store.getJob(jobId);
    if (!job) return { kind: "unknown" };
    if (job.status === "closed") return { kind: "closed", reason: job.closeReason };
    if (job.status !== "running" || !job.containerId) return { kind: "starting" };
    const simulator = job.simulator ? this.o.simulators().get(job.simulator) : undefined;
    return {
      kind: "running",
      sessionId: job.sessionId,
      containerId: job.containerId,
      appPort: simulator?.manifest.app_port ?? null,
      ready: this.envs.isReady(job.id),
    };
  }

  /** The open jobs an operation names, each with its simulator's manifest when it is still installed. */
  environments(scope: Scope): { job: JobRecord; manifest: SimulatorManifest | undefined }[] {
    return this.jobsIn(scope).jobs.map((job) => ({
      job,
      manifest: job.simulator ? this.o.simulators().get(job.simulator)?.manifest : undefined,
    }));
  }

  jobDetails(jobId: string): JobDetails {
    const job = this.o.store.getJob(jobId);
    if (!job) throw notFound(`unknown job "${jobId}"`);
    return describeJob(job);
  }

  private describe(session: SessionRecord): SessionDetails {
    return {
      session_id: session.id,
      task_public_id: session.taskPublicId,
      status: session.status,
      created_at: session.createdAt,
      closed_at: session.closedAt,
      envs: this.o.store.jobsOfSession(session.id).map(describeJob),
      shutdown_callback_url: session.shutdownCallbackUrl,
    };
  }

  /** Closes jobs (and, when none is left open, their session) found dead or orphaned at restart. */
  closeLostJobs(sessionId: string, jobs: JobRecord[]): Promise<Record<string, JobOutcome>> {
    return this.locks.run(sessionId, () => this.closeJobs(sessionId, jobs, "lost"));
  }
}

/** A job of a deferred make or add-job, as the answer gives it: accepted, its start still to come. */
function accepted(job: JobRecord): MadeEnv {
  return {
    job_id: job.id,
    alias: job.alias,
    simulator: job.simulator,
    artifact_id: job.artifactId,
    success: true,
    ready: false,
  };
}

function newJob(sessionId: string, p: PlannedJob, createdAt: string): JobRecord {
  return {
    id: newJobId(),
    sessionId,
    alias: p.alias,
    simulator: p.simulator.manifest.name,
    tag: p.tag,
    artifactId: p.artifactId,
    restoreMemory: p.restoreMemory,
    image: p.image,
    status: "starting",
    error: null,
    containerId: null,
    heartbeatTimeout: p.heartbeatTimeout,
    lastHeartbeatAt: createdAt,
    createdAt,
    closedAt: null,
    closeReason: null,
  };
}

function describeJob(job: JobRecord): JobDetails {
  return {
    job_id: job.id,
    session_id: job.sessionId,
    alias: job.alias,
    simulator: job.simulator,
    tag: job.tag,
    artifact_id: job.artifactId,
    status: job.status,
    error: job.error,
    heartbeat_timeout: job.heartbeatTimeout,
    last_heartbeat_at: job.lastHeartbeatAt,
    created_at: job.createdAt,
    closed_at: job.closedAt,
    close_reason: job.closeReason,
  };
}
