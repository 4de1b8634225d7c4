import type { SimulatorManifest, WaitForReadyResponse } from "@terrarium/wire";
import { DomainError, errorMessage } from "../errors.js";
import { randomToken } from "../ids.js";
import type { CaptureTarget, StateCapture } from "../capture/capture.js";
import type { Runtime } from "../runtime/runtime.js";
import type { JobRecord, SessionRecord, Store } from "../store/store.js";
import type { Simulator } from "../catalog/simulators.js";
import type { ArtifactService } from "./artifacts.js";
import { LABELS } from "./labels.js";
import { bootKind, resumeKind, type PooledEnvironment, type Recipe, type WarmPool } from "./pool.js";
import { waitUntilReady } from "./readiness.js";

export const containerName = (jobId: string) => `terrarium-${jobId}`;
export const networkName = (sessionId: string) => `terrarium-${sessionId}`;

export interface ProvisionerOptions {
  store: Store;
  runtime: Runtime;
  simulators: () => Map<string, Simulator>;
  instanceId: string;
  capture: StateCapture;
  artifacts: ArtifactService;
  /** Ready environments to hand over at create and reset; none when unset. */
  pool?: WarmPool;
  /** A simulator image booting at least this long gets a ready artifact later starts resume; unset: never. */
  readyArtifactBootMs?: number;
}

/**
 * Environments' containers: started from the warm pool, a ready artifact, a memory artifact or their
 * image, on their session's network; their readiness, and their state baseline once ready. Knows nothing
 * of operations: the session service says when.
 */
export class Provisioner {
  /** Jobs whose readiness check passed since their container last started. */
  private readonly ready = new Set<string>();
  /** When jobs booted from a simulator image started (to time their boot until ready). */
  private readonly coldStarts = new Map<string, number>();
  /** Why a job's state baseline could not be taken; reported by `state`. */
  private readonly baselineErrors = new Map<string, string>();

  constructor(private readonly o: ProvisionerOptions) {}

  isReady(jobId: string): boolean {
    return this.ready.has(jobId);
  }

  baselineError(jobId: string): string | undefined {
    return this.baselineErrors.get(jobId);
  }

  /** The job is gone: nothing of it is remembered. */
  forget(jobId: string): void {
    this.ready.delete(jobId);
    this.coldStarts.delete(jobId);
    this.baselineErrors.delete(jobId);
    this.o.capture.drop(jobId);
  }

  private sessionOf(job: JobRecord): SessionRecord {
    const session = this.o.store.getSession(job.sessionId);
    if (!session) throw new DomainError("unavailable", `the session of job "${job.id}" is not in the store`);
    return session;
  }

  labels(sessionId: string, job?: JobRecord): Record<string, string> {
    return {
      [LABELS.managed]: "true",
      [LABELS.instance]: this.o.instanceId,
      [LABELS.session]: sessionId,
      ...(job ? { [LABELS.job]: job.id, [LABELS.alias]: job.alias } : {}),
    };
  }

  simulatorOf(job: JobRecord): Simulator {
    const simulator = job.simulator ? this.o.simulators().get(job.simulator) : undefined;
    if (!simulator)
      throw new DomainError("unavailable", `simulator "${job.simulator}" is no longer installed on this server`);
    return simulator;
  }

  /** The warm pool's kind of a job's starting point, and how to make one. */
  kindOf(job: JobRecord): [string, Recipe] {
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

  /**
   * At create, or added to a live session: a pooled environment for the job, joining the session's network
   * unless it `keepsNetwork` (a session of one keeps the pooled one), or (when the hand-over fails) a fresh start.
   */
  async startFromPool(job: JobRecord, entry: PooledEnvironment, keepsNetwork: boolean): Promise<void> {
    const session = this.sessionOf(job);
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
  async swapFromPool(job: JobRecord, entry: PooledEnvironment): Promise<boolean> {
    const session = this.sessionOf(job);
    const alone = this.o.store.jobsOfSession(session.id).filter((j) => j.status !== "closed").length === 1;
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
  noteReady(job: JobRecord): void {
    const started = this.coldStarts.get(job.id);
    this.coldStarts.delete(job.id);
    if (started !== undefined) this.booted(this.simulatorOf(job).manifest, job.image, Date.now() - started);
  }

  /** Starts the job's container (removing an earlier one); records success or the error. */
  async startJob(job: JobRecord): Promise<void> {
    this.ready.delete(job.id);
    this.coldStarts.delete(job.id);
    try {
      const { manifest } = this.simulatorOf(job);
      if (job.containerId) await this.o.runtime.removeEnvironment(job.containerId);
      else await this.o.runtime.removeEnvironment(containerName(job.id));
      const spec = {
        name: containerName(job.id),
        image: job.image,
        network: this.sessionOf(job).network,
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

  async waitJobs(jobs: JobRecord[], timeoutSeconds: number): Promise<WaitForReadyResponse> {
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

  /** What capture and the evaluator's live reads need of a running job. */
  captureTarget(job: JobRecord): CaptureTarget {
    return { jobId: job.id, alias: job.alias, containerId: job.containerId!, manifest: this.simulatorOf(job).manifest };
  }

  /**
   * After `startJob` at a reset: waits (up to the simulator's readiness timeout) for the app, then takes a
   * fresh baseline.
   */
  async restart(job: JobRecord): Promise<{ ready: true } | { ready: false; error: string }> {
    await this.startJob(job);
    if (job.status !== "running") return { ready: false, error: job.error ?? "reset failed" };
    const readiness = this.simulatorOf(job).manifest.readiness;
    const outcome = await waitUntilReady(
      this.o.runtime,
      job.containerId!,
      readiness,
      Date.now() + readiness.timeout * 1000,
    );
    if (!outcome.ready) return { ready: false, error: outcome.error ?? "not ready" };
    this.ready.add(job.id);
    this.noteReady(job);
    await this.takeBaseline(job, true);
    return { ready: true };
  }

  /** The baseline of state capture: taken once the app is ready after a start (or, `fresh`, a reset). */
  async takeBaseline(job: JobRecord, fresh: boolean): Promise<void> {
    try {
      await this.o.capture.baseline(this.captureTarget(job), fresh);
      this.baselineErrors.delete(job.id);
    } catch (error) {
      this.baselineErrors.set(job.id, `could not take the state baseline: ${errorMessage(error)}`);
    }
  }
}
