import {
  DEFAULT_HEARTBEAT_TIMEOUT,
  type CloseReason,
  type ExecuteResult,
  type JobDetails,
  type JobOutcome,
  type MakeSessionResponse,
  type SessionDetails,
  type MakeEnvsRequest,
  type MakeSessionRequest,
  type SimulatorManifest,
  type StateResponse,
  type Task,
  type WaitForReadyResponse,
} from "@terrarium/wire";
import type { z } from "zod";
import { DomainError, badRequest, conflict, errorMessage, notFound } from "../errors.js";
import { defaultAlias, newJobId, newSessionId } from "../ids.js";
import { simulatorImage } from "../images.js";
import type { CaptureTarget, StateCapture, StateRequest } from "../capture/capture.js";
import type { Runtime } from "../runtime/runtime.js";
import type { JobRecord, SessionRecord, Store } from "../store/store.js";
import { KeyedLock } from "./keyed-lock.js";
import { waitUntilReady } from "./readiness.js";
import type { Simulator } from "./simulators.js";

/** What an operation acts on: every open environment of a session, or one environment (job). */
export type Scope = { sessionId: string } | { jobId: string };

/** Labels every container and network of ours carries; `instance` says which store owns it. */
export const LABELS = {
  managed: "io.terrarium.managed",
  instance: "io.terrarium.instance",
  session: "io.terrarium.session",
  job: "io.terrarium.job",
  alias: "io.terrarium.alias",
} as const;

export interface SessionServiceOptions {
  store: Store;
  runtime: Runtime;
  simulators: () => Map<string, Simulator>;
  instanceId: string;
  execOutputLimit: number;
  capture: StateCapture;
  /** The tasks sessions can be made from, by id. */
  tasks?: () => Map<string, Task>;
}

type MakeRequest = z.output<typeof MakeSessionRequest>;
type EnvsRequest = z.output<typeof MakeEnvsRequest>;

interface PlannedJob {
  alias: string;
  simulator: Simulator;
  tag: string;
  image: string;
  heartbeatTimeout: number;
}

const now = () => new Date().toISOString();
export const containerName = (jobId: string) => `terrarium-${jobId}`;
export const networkName = (sessionId: string) => `terrarium-${sessionId}`;

/**
 * Sessions and their environments: creation, readiness, reset, execute, heartbeats and close. Knows
 * nothing of HTTP; every per-job failure is reported in that job's entry.
 */
export class SessionService {
  private readonly locks = new KeyedLock();
  /** Jobs whose readiness check passed since their container last started. */
  private readonly ready = new Set<string>();
  /** Why a job's state baseline could not be taken; reported by `state`. */
  private readonly baselineErrors = new Map<string, string>();

  constructor(private readonly o: SessionServiceOptions) {}

  async make(input: MakeRequest): Promise<MakeSessionResponse> {
    let taskId: string | null = null;
    let request: EnvsRequest;
    if (input.type === "task") {
      const tasks = this.o.tasks?.() ?? new Map<string, Task>();
      const task = tasks.get(input.task_id);
      if (!task) {
        const known = [...tasks.keys()];
        throw notFound(
          `unknown task "${input.task_id}"; ${known.length ? `known tasks: ${known.slice(0, 20).join(", ")}${known.length > 20 ? "..." : ""}` : "this server has no tasks"}`,
        );
      }
      taskId = task.id;
      request = {
        type: "envs",
        envs: task.envs.map((e) => ({
          type: "simulator" as const,
          simulator: e.simulator!,
          tag: e.tag ?? "latest",
          alias: e.alias,
        })),
        timeout: input.timeout,
        heartbeat_timeout: input.heartbeat_timeout,
      };
    } else request = input;
    const planned = await this.plan(request);
    const createdAt = now();
    const session: SessionRecord = {
      id: newSessionId(),
      taskPublicId: taskId,
      status: "active",
      network: "",
      createdAt,
      closedAt: null,
    };
    session.network = networkName(session.id);
    const jobs: JobRecord[] = planned.map((p) => ({
      id: newJobId(),
      sessionId: session.id,
      alias: p.alias,
      simulator: p.simulator.manifest.name,
      tag: p.tag,
      artifactId: null,
      image: p.image,
      status: "starting",
      error: null,
      containerId: null,
      heartbeatTimeout: p.heartbeatTimeout,
      lastHeartbeatAt: createdAt,
      createdAt,
      closedAt: null,
      closeReason: null,
    }));
    // Recorded before anything exists in Podman, so a crash from here on is cleaned up at restart.
    this.o.store.insertSession(session, jobs);
    return this.locks.run(session.id, async () => {
      try {
        await this.o.runtime.createNetwork(session.network, this.labels(session.id));
      } catch (error) {
        await this.closeJobs(session.id, jobs, "failed");
        throw new DomainError("unavailable", `could not create the session's network: ${errorMessage(error)}`);
      }
      await Promise.all(jobs.map((job) => this.startJob(job)));
      if (request.timeout && request.timeout > 0) await this.waitJobs(this.openJobs(session.id), request.timeout);
      return {
        session_id: session.id,
        task_public_id: taskId,
        envs: this.o.store.jobsOfSession(session.id).map((job) => ({
          job_id: job.id,
          alias: job.alias,
          simulator: job.simulator,
          artifact_id: job.artifactId,
          success: job.status !== "failed",
          ...(job.error ? { error: job.error } : {}),
        })),
      };
    });
  }

  /** Validates a request completely before anything is created, so bad input leaves nothing behind. */
  private async plan(request: EnvsRequest): Promise<PlannedJob[]> {
    const simulators = this.o.simulators();
    const seen = new Set<string>();
    const planned: PlannedJob[] = [];
    for (const [index, spec] of request.envs.entries()) {
      if (spec.type === "artifact") {
        throw notFound(`envs.${index}: unknown artifact "${spec.artifact_id}"`);
      }
      const alias = spec.alias ?? defaultAlias();
      if (seen.has(alias)) {
        throw badRequest(
          `envs.${index}.alias: duplicate alias "${alias}"; each environment of a session needs its own alias`,
        );
      }
      seen.add(alias);
      const simulator = simulators.get(spec.simulator);
      if (!simulator) {
        const known = [...simulators.keys()];
        throw notFound(
          `envs.${index}.simulator: unknown simulator "${spec.simulator}"; known simulators: ${known.join(", ") || "none"}`,
          {
            known,
          },
        );
      }
      const image = simulatorImage(simulator.manifest.name, spec.tag);
      if (!(await this.o.runtime.imageExists(image))) {
        throw conflict(
          `envs.${index}: simulator "${spec.simulator}" has no image for tag "${spec.tag}"; build it with \`terrarium simulators build ${spec.simulator}\``,
        );
      }
      planned.push({
        alias,
        simulator,
        tag: spec.tag,
        image,
        heartbeatTimeout: spec.heartbeat_timeout ?? request.heartbeat_timeout ?? DEFAULT_HEARTBEAT_TIMEOUT,
      });
    }
    return planned;
  }

  private labels(sessionId: string, job?: JobRecord): Record<string, string> {
    return {
      [LABELS.managed]: "true",
      [LABELS.instance]: this.o.instanceId,
      [LABELS.session]: sessionId,
      ...(job ? { [LABELS.job]: job.id, [LABELS.alias]: job.alias } : {}),
    };
  }

  private simulatorOf(job: JobRecord): Simulator {
    const simulator = job.simulator ? this.o.simulators().get(job.simulator) : undefined;
    if (!simulator)
      throw new DomainError("unavailable", `simulator "${job.simulator}" is no longer installed on this server`);
    return simulator;
  }

  /** Starts the job's container (removing an earlier one); records success or the error. */
  private async startJob(job: JobRecord): Promise<void> {
    this.ready.delete(job.id);
    try {
      const { manifest } = this.simulatorOf(job);
      if (job.containerId) await this.o.runtime.removeEnvironment(job.containerId);
      else await this.o.runtime.removeEnvironment(containerName(job.id));
      const containerId = await this.o.runtime.startEnvironment({
        name: containerName(job.id),
        image: job.image,
        network: networkName(job.sessionId),
        alias: job.alias,
        cpus: manifest.resources.cpus,
        memoryBytes: manifest.resources.memory,
        labels: this.labels(job.sessionId, job),
      });
      Object.assign(job, { containerId, status: "running", error: null });
      this.o.store.updateJob(job.id, { containerId, status: "running", error: null });
    } catch (error) {
      const message = `could not start the environment: ${errorMessage(error)}`;
      Object.assign(job, { status: "failed", error: message });
      this.o.store.updateJob(job.id, { status: "failed", error: message });
    }
  }

  private session(sessionId: string): SessionRecord {
    const session = this.o.store.getSession(sessionId);
    if (!session) throw notFound(`unknown session "${sessionId}"`);
    return session;
  }

  private activeSession(sessionId: string): SessionRecord {
    const session = this.session(sessionId);
    if (session.status === "closed") throw conflict(`session "${sessionId}" is closed`);
    return session;
  }

  private openJobs(sessionId: string): JobRecord[] {
    return this.o.store.jobsOfSession(sessionId).filter((j) => j.status !== "closed");
  }

  private openJob(jobId: string): JobRecord {
    const job = this.o.store.getJob(jobId);
    if (!job) throw notFound(`unknown job "${jobId}"`);
    if (job.status === "closed")
      throw conflict(`job "${jobId}" is closed${job.closeReason ? ` (${job.closeReason})` : ""}`);
    return job;
  }

  /** The session's open jobs, or one job: the targets of an operation, checked to be open. */
  private jobsIn(scope: Scope): { sessionId: string; jobs: JobRecord[] } {
    if ("jobId" in scope) {
      const job = this.openJob(scope.jobId);
      return { sessionId: job.sessionId, jobs: [job] };
    }
    this.activeSession(scope.sessionId);
    return { sessionId: scope.sessionId, jobs: this.openJobs(scope.sessionId) };
  }

  async waitForReady(scope: Scope, timeoutSeconds: number): Promise<WaitForReadyResponse> {
    return this.waitJobs(this.jobsIn(scope).jobs, timeoutSeconds);
  }

  private async waitJobs(jobs: JobRecord[], timeoutSeconds: number): Promise<WaitForReadyResponse> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    const results: WaitForReadyResponse["results"] = {};
    await Promise.all(
      jobs.map(async (job) => {
        if (this.ready.has(job.id)) return void (results[job.id] = { ready: true });
        if (job.status !== "running" || !job.containerId) {
          return void (results[job.id] = { ready: false, error: job.error ?? `environment is ${job.status}` });
        }
        const outcome = await waitUntilReady(
          this.o.runtime,
          job.containerId,
          this.simulatorOf(job).manifest.readiness,
          deadline,
        );
        if (outcome.ready) {
          this.ready.add(job.id);
          await this.takeBaseline(job, false);
        }
        results[job.id] = outcome;
      }),
    );
    return { ready: jobs.length > 0 && Object.values(results).every((r) => r.ready), results };
  }

  async reset(scope: Scope): Promise<{ results: Record<string, JobOutcome> }> {
    const { sessionId } = this.jobsIn(scope);
    return this.locks.run(sessionId, async () => ({ results: await this.resetJobs(this.jobsIn(scope).jobs) }));
  }

  /** Replaces each environment by a fresh one from its starting image: same job id, alias and network. */
  private async resetJobs(jobs: JobRecord[]): Promise<Record<string, JobOutcome>> {
    const results: Record<string, JobOutcome> = {};
    await Promise.all(
      jobs.map(async (job) => {
        const started = Date.now();
        await this.startJob(job);
        if (job.status !== "running")
          return void (results[job.id] = { success: false, error: job.error ?? "reset failed" });
        const readiness = this.simulatorOf(job).manifest.readiness;
        const outcome = await waitUntilReady(
          this.o.runtime,
          job.containerId!,
          readiness,
          Date.now() + readiness.timeout * 1000,
        );
        if (!outcome.ready) return void (results[job.id] = { success: false, error: outcome.error });
        this.ready.add(job.id);
        await this.takeBaseline(job, true);
        results[job.id] = { success: true, message: `reset in ${Date.now() - started} ms` };
      }),
    );
    return results;
  }

  async execute(
    scope: Scope,
    command: string,
    timeoutSeconds: number,
  ): Promise<{ results: Record<string, ExecuteResult> }> {
    return { results: await this.executeJobs(this.jobsIn(scope).jobs, command, timeoutSeconds) };
  }

  private async executeJobs(
    jobs: JobRecord[],
    command: string,
    timeoutSeconds: number,
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
          error,
        });
        if (job.status !== "running" || !job.containerId) {
          return void (results[job.id] = failed(job.error ?? `environment is ${job.status}`));
        }
        try {
          const outcome = await this.o.runtime.exec(job.containerId, command, {
            timeoutSeconds,
            outputLimit: this.o.execOutputLimit,
          });
          results[job.id] = {
            stdout: outcome.stdout,
            stderr: outcome.stderr,
            exit_code: outcome.exitCode,
            timed_out: outcome.timedOut,
            truncated: outcome.truncated,
          };
        } catch (error) {
          results[job.id] = failed(`could not execute: ${errorMessage(error)}`);
        }
      }),
    );
    return results;
  }

  /** What capture and the evaluator's live reads need of a running job. */
  captureTarget(job: JobRecord): CaptureTarget {
    return { jobId: job.id, alias: job.alias, containerId: job.containerId!, manifest: this.simulatorOf(job).manifest };
  }

  /** The baseline of state capture: taken once the app is ready after a start (or, `fresh`, a reset). */
  private async takeBaseline(job: JobRecord, fresh: boolean): Promise<void> {
    try {
      await this.o.capture.baseline(this.captureTarget(job), fresh);
      this.baselineErrors.delete(job.id);
    } catch (error) {
      this.baselineErrors.set(job.id, `could not take the state baseline: ${errorMessage(error)}`);
    }
  }

  /** Database rows and files changed in every environment since its start or last reset. */
  async state(scope: Scope, request: StateRequest): Promise<StateResponse> {
    return this.stateOf(this.jobsIn(scope).jobs, request);
  }

  private async stateOf(jobs: JobRecord[], request: StateRequest): Promise<StateResponse> {
    const results: StateResponse["results"] = {};
    await Promise.all(
      jobs.map(async (job) => {
        if (job.status !== "running" || !job.containerId)
          return void (results[job.id] = { error: job.error ?? `environment is ${job.status}` });
        const baselineError = this.baselineErrors.get(job.id);
        if (baselineError) return void (results[job.id] = { error: baselineError });
        try {
          results[job.id] = { state: await this.o.capture.state(this.captureTarget(job), request) };
        } catch (error) {
          results[job.id] = { error: `could not capture the state: ${errorMessage(error)}` };
        }
      }),
    );
    return { mode: request.mode, captured_at: now(), results };
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

  async close(scope: Scope, reason: CloseReason = "closed"): Promise<{ results: Record<string, JobOutcome> }> {
    const { sessionId } = this.jobsIn(scope);
    return this.locks.run(sessionId, async () => ({
      results: await this.closeJobs(sessionId, this.jobsIn(scope).jobs, reason),
    }));
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
        try {
          await this.o.runtime.removeEnvironment(job.containerId ?? containerName(job.id));
          this.ready.delete(job.id);
          this.o.capture.drop(job.id);
          this.baselineErrors.delete(job.id);
          this.o.store.updateJob(job.id, { status: "closed", closedAt: now(), closeReason: reason });
          results[job.id] = { success: true };
        } catch (error) {
          results[job.id] = { success: false, error: `could not remove the environment: ${errorMessage(error)}` };
        }
      }),
    );
    if (this.openJobs(sessionId).length === 0) {
      await this.o.runtime.removeNetwork(networkName(sessionId));
      this.o.store.closeSession(sessionId, now());
    }
    return results;
  }

  /** Closes every open job whose heartbeats stopped for longer than its timeout. */
  async reapExpired(at = Date.now()): Promise<string[]> {
    const expired = this.o.store
      .openJobs()
      .filter((job) => job.heartbeatTimeout > 0 && at - Date.parse(job.lastHeartbeatAt) > job.heartbeatTimeout * 1000);
    const reaped: string[] = [];
    for (const job of expired) {
      try {
        await this.close({ jobId: job.id }, "heartbeat_timeout");
        reaped.push(job.id);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    }
    return reaped;
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
      ready: this.ready.has(job.id),
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
    };
  }

  /** Closes jobs (and, when none is left open, their session) found dead or orphaned at restart. */
  closeLostJobs(sessionId: string, jobs: JobRecord[]): Promise<Record<string, JobOutcome>> {
    return this.locks.run(sessionId, () => this.closeJobs(sessionId, jobs, "lost"));
  }
}

export type JobRoute =
  | { kind: "unknown" }
  | { kind: "closed"; reason: string | null }
  | { kind: "starting" }
  | { kind: "running"; sessionId: string; containerId: string; appPort: number | null; ready: boolean };

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
