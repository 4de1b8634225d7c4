import {
  DEFAULT_DATASET,
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
  type DiskSnapshotRequest,
  type DiskSnapshotResponse,
  type SnapshotResponse,
  type SnapshotResult,
} from "@terrarium/wire";
import type { z } from "zod";
import { DomainError, badRequest, conflict, errorMessage, notFound } from "../errors.js";
import { defaultAlias, newJobId, newSessionId, randomToken } from "../ids.js";
import { simulatorImage } from "../images.js";
import type { CaptureTarget, StateCapture, StateRequest } from "../capture/capture.js";
import type { ExecEncoding, Runtime } from "../runtime/runtime.js";
import type { JobRecord, SessionRecord, Store } from "../store/store.js";
import { JobActivity } from "./activity.js";
import type { JobRoute } from "../proxy/proxy.js";
import { KeyedLock } from "./keyed-lock.js";
import { tagsOf, type DatasetBuilder } from "./catalog.js";
import { datasetTag } from "../catalog/datasets.js";
import { LABELS } from "./labels.js";

export { LABELS };
import { waitUntilReady } from "./readiness.js";
import type { Simulator } from "../catalog/simulators.js";
import type { ArtifactService, PublishTarget, SnapshotSource } from "./artifacts.js";
import { bootKind, resumeKind, type PooledEnvironment, type Recipe, type WarmPool } from "./pool.js";

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
}

type MakeRequest = z.output<typeof MakeSessionRequest>;
type EnvsRequest = z.output<typeof MakeEnvsRequest>;

interface PlannedJob {
  alias: string;
  simulator: Simulator;
  tag: string | null;
  image: string;
  artifactId: string | null;
  restoreMemory: boolean;
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
  /** When jobs booted from a simulator image started (to time their boot until ready). */
  private readonly coldStarts = new Map<string, number>();
  /** Why a job's state baseline could not be taken; reported by `state`. */
  private readonly baselineErrors = new Map<string, string>();
  /** Commands running per job: the reaper spares their environments. */
  private readonly activity = new JobActivity();

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
        envs: task.envs.map((e) =>
          e.artifact !== undefined
            ? { type: "artifact" as const, artifact_id: e.artifact, alias: e.alias, restore_memory: true }
            : { type: "simulator" as const, simulator: e.simulator!, tag: e.tag ?? "latest", alias: e.alias },
        ),
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
    const jobs: JobRecord[] = planned.map((p) => ({
      id: newJobId(),
      sessionId: session.id,
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
    }));
    // Ready environments from the warm pool where there are some. A session of one environment keeps
    // its pooled network; several environments join a network of their own.
    const pooled = new Map(
      jobs.flatMap((job) => {
        const entry = this.o.pool?.take(...this.kindOf(job));
        return entry ? [[job.id, entry] as const] : [];
      }),
    );
    const alone = jobs.length === 1 ? pooled.get(jobs[0]!.id) : undefined;
    session.network = alone?.network ?? networkName(session.id);
    // Recorded before anything else exists in Podman (pooled environments are labelled as such until a
    // job records them), so a crash from here on is cleaned up at restart.
    this.o.store.insertSession(session, jobs);
    // Booting is activity: a short heartbeat timeout must not reap environments still being made.
    return this.locks.run(session.id, () =>
      this.busyWith(jobs, async () => {
        if (!alone) {
          try {
            await this.o.runtime.createNetwork(session.network, this.labels(session.id));
          } catch (error) {
            for (const entry of pooled.values()) void this.o.pool?.discard(entry);
            await this.closeJobs(session.id, jobs, "failed");
            throw new DomainError("unavailable", `could not create the session's network: ${errorMessage(error)}`);
          }
        }
        await Promise.all(
          jobs.map((job) => {
            const entry = pooled.get(job.id);
            return entry ? this.startFromPool(job, entry, entry === alone) : this.startJob(job);
          }),
        );
        // With a timeout, success means ready: an environment still booting when it ran out says so.
        const waited = request.timeout !== undefined && request.timeout > 0;
        const readiness = waited ? (await this.waitJobs(this.openJobs(session.id), request.timeout!)).results : {};
        return {
          session_id: session.id,
          task_public_id: taskId,
          envs: this.o.store.jobsOfSession(session.id).map((job) => {
            const ready = this.ready.has(job.id);
            const error =
              job.error ??
              (waited && !ready
                ? `not ready within the ${request.timeout} s timeout: ${readiness[job.id]?.error ?? "still starting"}; wait_for_ready waits longer`
                : undefined);
            return {
              job_id: job.id,
              alias: job.alias,
              simulator: job.simulator,
              artifact_id: job.artifactId,
              success: job.status !== "failed" && (!waited || ready),
              ready,
              ...(error ? { error } : {}),
            };
          }),
        };
      }),
    );
  }

  /** Validates a request completely before anything is created, so bad input leaves nothing behind. */
  private async plan(request: EnvsRequest): Promise<PlannedJob[]> {
    const simulators = this.o.simulators();
    const seen = new Set<string>();
    const planned: PlannedJob[] = [];
    for (const [index, spec] of request.envs.entries()) {
      const alias = spec.alias ?? defaultAlias();
      if (seen.has(alias)) {
        throw badRequest(
          `envs.${index}.alias: duplicate alias "${alias}"; each environment of a session needs its own alias`,
        );
      }
      seen.add(alias);
      const heartbeatTimeout = spec.heartbeat_timeout ?? request.heartbeat_timeout ?? DEFAULT_HEARTBEAT_TIMEOUT;
      if (spec.type === "artifact") {
        planned.push({ alias, heartbeatTimeout, ...(await this.planArtifact(index, spec)) });
        continue;
      }
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
      const dataset = spec.dataset ?? DEFAULT_DATASET;
      const datasets = Object.keys(simulator.manifest.datasets);
      if (!datasets.includes(dataset)) {
        throw notFound(
          `envs.${index}.dataset: simulator "${spec.simulator}" has no dataset "${dataset}"; its datasets: ${datasets.join(", ")}`,
          { datasets },
        );
      }
      const tag = datasetTag(spec.tag, dataset);
      await this.o.datasets?.prepare(simulator.manifest.name, spec.tag, dataset);
      const image = simulatorImage(simulator.manifest.name, tag);
      if (!(await this.o.runtime.imageExists(image))) {
        const tags = await tagsOf(this.o.runtime, simulator.manifest.name);
        if (tags.length === 0) {
          throw conflict(
            `envs.${index}: simulator "${spec.simulator}" is not built; build it with \`terrarium simulators build ${spec.simulator}\``,
          );
        }
        const which = dataset === DEFAULT_DATASET ? `"${spec.tag}"` : `"${spec.tag}" of dataset "${dataset}" (${tag})`;
        throw notFound(
          `envs.${index}.tag: simulator "${spec.simulator}" has no tag ${which}; its tags: ${tags.join(", ")}`,
          {
            tags,
          },
        );
      }
      planned.push({
        alias,
        simulator,
        tag,
        image,
        artifactId: null,
        restoreMemory: false,
        heartbeatTimeout,
      });
    }
    return planned;
  }

  /** An environment from an artifact: resumed from its checkpoint, or booted from its disk. */
  private async planArtifact(
    index: number,
    spec: { artifact_id: string; restore_memory: boolean },
  ): Promise<Omit<PlannedJob, "alias" | "heartbeatTimeout">> {
    const artifact = this.o.store.getArtifact(spec.artifact_id);
    if (!artifact) throw notFound(`envs.${index}.artifact_id: unknown artifact "${spec.artifact_id}"`);
    const simulator = this.o.simulators().get(artifact.simulator);
    if (!simulator) {
      throw conflict(
        `envs.${index}: artifact "${artifact.id}" is a snapshot of simulator "${artifact.simulator}", which this server no longer has`,
      );
    }
    const resume = artifact.kind === "memory" && spec.restore_memory;
    if (resume) {
      const support = await this.o.runtime.checkpointSupport();
      if (!support.supported) {
        throw conflict(
          `envs.${index}: artifact "${artifact.id}" holds memory, which this host cannot restore (${support.reason}); pass restore_memory: false to boot from its disk`,
        );
      }
      await this.o.artifacts.archiveOf(artifact);
    }
    const image = resume ? artifact.image : await this.o.artifacts.bootImage(artifact);
    return { simulator, tag: null, image, artifactId: artifact.id, restoreMemory: resume };
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

  /** The warm pool's kind of a job's starting point, and how to make one. */
  private kindOf(job: JobRecord): [string, Recipe] {
    const { manifest } = this.simulatorOf(job);
    if (job.restoreMemory && job.artifactId) {
      const artifact = this.o.artifacts.get(job.artifactId);
      return [
        resumeKind(artifact.id),
        {
          manifest,
          image: job.image,
          start: async (spec) => ({
            containerId: await this.o.runtime.restore(await this.o.artifacts.archiveOf(artifact), spec),
          }),
        },
      ];
    }
    return [
      bootKind(job.image),
      {
        manifest,
        image: job.image,
        start: async (spec) => {
          const ready = job.artifactId ? undefined : await this.readyArtifactOf(job.image);
          if (ready)
            return { containerId: await this.o.runtime.restore(await this.o.artifacts.archiveOf(ready), spec) };
          const containerId = await this.o.runtime.startEnvironment(spec);
          return { containerId, booted: (ms) => this.booted(manifest, job.image, ms) };
        },
      },
    ];
  }

  /** A simulator image's ready artifact, when ready artifacts are on and one was made. */
  private async readyArtifactOf(image: string) {
    if (this.o.readyArtifactBootMs === undefined) return undefined;
    return this.o.artifacts.readyFor(image).catch(() => undefined);
  }

  /**
   * A simulator image booted in `ms` until ready: when that is slow, its ready artifact is made in the
   * background (if the host can checkpoint memory), and later starts resume it instead of booting.
   */
  private booted(manifest: SimulatorManifest, image: string, ms: number): void {
    const threshold = this.o.readyArtifactBootMs;
    if (threshold === undefined || ms < threshold) return;
    void (async () => {
      if (!(await this.o.runtime.checkpointSupport()).supported) return;
      if (await this.o.artifacts.readyFor(image)) return;
      await this.o.artifacts.makeReady(manifest, image);
    })().catch(() => undefined);
  }

  /**
   * Makes a pooled environment the job's: joins it to `sessionNetwork` under the job's alias (unset:
   * the session keeps the pooled network), names it after the job, gives it the alias as host name,
   * and takes over its baseline. On failure the entry is discarded and the error thrown.
   */
  private async handOver(job: JobRecord, entry: PooledEnvironment, sessionNetwork?: string): Promise<void> {
    this.ready.delete(job.id);
    try {
      if (sessionNetwork) {
        await this.o.runtime.connectNetwork(sessionNetwork, entry.containerId, job.alias);
        void this.o.runtime
          .disconnectNetwork(entry.network, entry.containerId)
          .then(() => this.o.runtime.removeNetwork(entry.network))
          .catch(() => undefined);
      }
      await Promise.all([
        this.o.runtime.renameEnvironment(entry.containerId, containerName(job.id)),
        this.o.runtime.setHostname(entry.containerId, job.alias),
        this.o.capture.adopt(entry.baseline, job.id),
      ]);
    } catch (error) {
      void this.o.pool?.discard(entry);
      throw error;
    } finally {
      this.o.pool?.replenish(entry.key);
    }
    Object.assign(job, { containerId: entry.containerId, status: "running", error: null });
    this.o.store.updateJob(job.id, { containerId: entry.containerId, status: "running", error: null });
    this.baselineErrors.delete(job.id);
    this.ready.add(job.id);
  }

  /** At create: a pooled environment for the job, or (when the hand-over fails) a fresh start. */
  private async startFromPool(job: JobRecord, entry: PooledEnvironment, keepsNetwork: boolean): Promise<void> {
    const session = this.session(job.sessionId);
    try {
      await this.handOver(job, entry, keepsNetwork ? undefined : session.network);
    } catch {
      if (keepsNetwork) {
        session.network = networkName(session.id);
        this.o.store.updateSessionNetwork(session.id, session.network);
        await this.o.runtime.createNetwork(session.network, this.labels(session.id)).catch(() => undefined);
      }
      await this.startJob(job);
    }
  }

  /**
   * At reset: swaps the job's environment for a pooled one. A job alone in its session moves the
   * session to the pooled network; otherwise the old environment goes first, freeing its alias.
   * Answers false (nothing changed but the old environment's name) when the hand-over failed.
   */
  private async swapFromPool(job: JobRecord, entry: PooledEnvironment): Promise<boolean> {
    const session = this.session(job.sessionId);
    const alone = this.openJobs(session.id).length === 1;
    const old = job.containerId;
    if (old) {
      await this.o.runtime
        .renameEnvironment(old, `${containerName(job.id)}-old-${randomToken(6)}`)
        .catch(() => undefined);
      if (!alone) await this.o.runtime.removeEnvironment(old);
    }
    try {
      await this.handOver(job, entry, alone ? undefined : session.network);
    } catch {
      return false;
    }
    if (alone) {
      const oldNetwork = session.network;
      this.o.store.updateSessionNetwork(session.id, entry.network);
      // Off the caller's clock: the old environment and its network go in the background.
      void (async () => {
        if (old) await this.o.runtime.removeEnvironment(old);
        await this.o.runtime.removeNetwork(oldNetwork);
      })().catch(() => undefined);
    }
    return true;
  }

  /** A job's environment passed its readiness check: a boot's time goes to `booted`. */
  private noteReady(job: JobRecord): void {
    const started = this.coldStarts.get(job.id);
    this.coldStarts.delete(job.id);
    if (started !== undefined) this.booted(this.simulatorOf(job).manifest, job.image, Date.now() - started);
  }

  /** Starts the job's container (removing an earlier one); records success or the error. */
  private async startJob(job: JobRecord): Promise<void> {
    this.ready.delete(job.id);
    this.coldStarts.delete(job.id);
    try {
      const { manifest } = this.simulatorOf(job);
      if (job.containerId) await this.o.runtime.removeEnvironment(job.containerId);
      else await this.o.runtime.removeEnvironment(containerName(job.id));
      const spec = {
        name: containerName(job.id),
        image: job.image,
        network: this.session(job.sessionId).network,
        alias: job.alias,
        cpus: manifest.resources.cpus,
        memoryBytes: manifest.resources.memory,
        labels: this.labels(job.sessionId, job),
      };
      // Resumed: the job's memory artifact, or its simulator image's ready artifact. Else booted.
      const resume =
        job.restoreMemory && job.artifactId
          ? this.o.artifacts.get(job.artifactId)
          : job.artifactId
            ? undefined
            : await this.readyArtifactOf(job.image);
      const containerId = resume
        ? await this.o.runtime.restore(await this.o.artifacts.archiveOf(resume), spec)
        : await this.o.runtime.startEnvironment(spec);
      // A resumed environment has its source's host name: it gets its alias, like a booted one.
      if (resume) await this.o.runtime.setHostname(containerId, job.alias);
      else if (!job.artifactId) this.coldStarts.set(job.id, Date.now());
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
        ).catch((error: unknown) => ({
          ready: false as const,
          error: `cannot check readiness: ${errorMessage(error)}`,
        }));
        if (outcome.ready) {
          this.ready.add(job.id);
          this.noteReady(job);
          await this.takeBaseline(job, false);
        }
        results[job.id] = outcome;
      }),
    );
    return { ready: jobs.length > 0 && Object.values(results).every((r) => r.ready), results };
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
        const entry = this.o.pool?.take(...this.kindOf(job));
        if (entry && (await this.swapFromPool(job, entry))) {
          return void (results[job.id] = { success: true, message: `reset in ${Date.now() - started} ms (warm pool)` });
        }
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
        this.noteReady(job);
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
    const { jobs } = this.jobsIn(scope);
    return this.busyWith(jobs, () => this.stateOf(jobs, request));
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
    const publishing = await this.publishTargets(this.jobsIn(scope).jobs, request);
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

  /**
   * What a disk snapshot publishes, checked before anything is committed. As in Plato, the overrides
   * apply to the whole scope (a session, or one environment of it): `override_service` naming the
   * simulator of environments here publishes those as a new version of it; another name publishes the
   * scope's one environment as a simulator of that name; unset, each environment is published as a
   * version of its own simulator. Only what cannot be is refused.
   */
  private async publishTargets(jobs: JobRecord[], request: DiskSnapshotRequest): Promise<Map<string, PublishTarget>> {
    const version = request.override_version;
    if (!version) return new Map();
    const dataset = request.override_dataset ?? DEFAULT_DATASET;
    const tag = datasetTag(version, dataset);
    if (tag.length > 128) {
      throw badRequest(
        `override_dataset: the image tag ${tag} (override_version-override_dataset) is longer than 128 characters; shorten either`,
      );
    }
    const service = request.override_service;
    const running = jobs.filter((j) => j.simulator);
    const own = running.filter((j) => !service || j.simulator === service);
    const targets = own.length > 0 ? own : running;
    if (service && own.length === 0) await this.checkNewSimulator(service, targets);
    const names = targets.map((j) => service ?? j.simulator!);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice) {
      throw conflict(
        `override_version: several environments run "${twice}" and all would be published as ${twice}:${tag}; publish one of them with its own disk_snapshot (POST /api/v2/jobs/{job_id}/disk_snapshot; env.diskSnapshot() in the SDK)`,
      );
    }
    for (const name of names) {
      if (await this.o.runtime.imageExists(simulatorImage(name, tag)))
        throw conflict(
          `override_version: ${name} already has a version "${tag}"; versions are immutable: choose another, or remove the artifact it was published from (GET /api/v2/simulators lists it under published)`,
        );
    }
    return new Map(
      targets.map((job) => {
        const simulator = this.simulatorOf(job);
        const origin = simulator.published?.origin ?? simulator.manifest.name;
        return [
          job.id,
          { simulator: service ?? job.simulator!, version, dataset, manifest: simulator.manifest, origin },
        ];
      }),
    );
  }

  /**
   * `override_service` names no simulator of the scope's environments: the one environment becomes a
   * simulator of that name, which must not be another simulator.
   */
  private async checkNewSimulator(service: string, jobs: JobRecord[]): Promise<void> {
    if (jobs.length > 1) {
      throw conflict(
        `override_service: no environment here runs "${service}", so it names a new simulator, which only one of the ${jobs.length} environments here (${jobs.map((j) => `${j.alias}: ${j.simulator}`).join(", ")}) can be; publish that one with its own disk_snapshot (POST /api/v2/jobs/{job_id}/disk_snapshot; session.getEnv(alias).diskSnapshot() in the SDK)`,
      );
    }
    const job = jobs[0];
    if (!job) return;
    const source = this.simulatorOf(job);
    const origin = source.published?.origin ?? source.manifest.name;
    const existing = this.o.simulators().get(service);
    if (existing && !existing.published) {
      throw conflict(
        `override_service: "${service}" is a simulator of this server (with a folder of its own) and this environment runs ${job.simulator}; publish it under a new name, or as a version of ${job.simulator} (override_service "${job.simulator}", or none)`,
      );
    }
    if (existing?.published && existing.published.origin !== origin) {
      throw conflict(
        `override_service: "${service}" was published from ${existing.published.origin} and this environment runs ${job.simulator} (from ${origin}); a simulator keeps one manifest, so publish it under another name`,
      );
    }
    if (!existing && (await this.o.runtime.listImages(simulatorImage(service, "").slice(0, -1))).length > 0) {
      throw conflict(
        `override_service: localhost/terrarium/${service} holds images that are not a simulator of this server (such as Terrarium's base image); choose another name`,
      );
    }
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
              const version = this.simulatorOf(job).manifest.version;
              results[job.id] = await take({ job, containerId: job.containerId, version });
            } catch (error) {
              results[job.id] = { success: false, memory: false, error: errorMessage(error) };
            }
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
      await this.o.runtime.removeNetwork(this.session(sessionId).network);
      this.o.store.closeSession(sessionId, now());
    }
    return results;
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
