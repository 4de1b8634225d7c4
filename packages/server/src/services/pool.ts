import type { SimulatorManifest } from "@terrarium/wire";
import type { StateCapture } from "../capture/capture.js";
import { errorMessage } from "../errors.js";
import { randomToken } from "../ids.js";
import type { EnvironmentSpec, Runtime } from "../runtime/runtime.js";
import { LABELS } from "./labels.js";
import { waitUntilReady } from "./readiness.js";

/** Label of pooled environments and their networks: the start key they were made for. */
export const POOL_LABEL = "io.terrarium.pool";

/** The pool's kinds: environments booted from an image, or resumed from a memory artifact. */
export const bootKind = (image: string) => `image:${image}`;
export const resumeKind = (artifactId: string) => `restore:${artifactId}`;

/** How to make one environment of a kind: boot an image, or resume a checkpoint. */
export interface Recipe {
  manifest: SimulatorManifest;
  /** Starts one; `booted`, when given, is told how long a boot took until the readiness check passed. */
  start(spec: EnvironmentSpec): Promise<{ containerId: string; booted?: (ms: number) => void }>;
  /** Written into the environment spec (the image it boots, or the checkpoint's). */
  image: string;
}

/** A ready environment waiting in the pool: running, answering its readiness check, baseline taken. */
export interface PooledEnvironment {
  key: string;
  containerId: string;
  /** Its own network, which nothing else is on. */
  network: string;
  /** The capture baseline's key, to hand over with `StateCapture.adopt`. */
  baseline: string;
}

export interface WarmPoolOptions {
  runtime: Runtime;
  capture: StateCapture;
  instanceId: string;
  /** Ready environments kept per kind (0 turns the pool off). */
  size: number;
  /** Kinds kept warm at once; the least recently used beyond that are let go. */
  maxKinds?: number;
  log?: { warn(obj: object, msg: string): void };
}

/** After this many failed fills in a row a kind stops refilling until it is asked for again. */
const MAX_FAILURES = 3;

/**
 * Ready environments per kind (a simulator image, an artifact), made before anyone asks. A kind is
 * kept warm from the first time it is asked for; every hand-over starts a refill in the background.
 * Pooled environments are on their own networks, so a session that takes one keeps that network.
 */
export class WarmPool {
  private readonly ready = new Map<string, PooledEnvironment[]>();
  private readonly recipes = new Map<string, Recipe>();
  private readonly filling = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  /** Kinds by last use, oldest first. */
  private readonly used: string[] = [];
  private closed = false;
  private readonly work = new Set<Promise<void>>();

  constructor(private readonly o: WarmPoolOptions) {}

  get enabled(): boolean {
    return this.o.size > 0 && !this.closed;
  }

  /**
   * A ready environment of this kind, if one is waiting. The kind is kept warm from now on; when one
   * is handed over, `replenish` after the hand-over refills it (so the refill does not compete with it).
   */
  take(key: string, recipe: Recipe): PooledEnvironment | undefined {
    if (!this.enabled) return undefined;
    this.recipes.set(key, recipe);
    this.failures.delete(key);
    this.touch(key);
    const entry = this.ready.get(key)?.shift();
    if (!entry) this.refill(key);
    return entry;
  }

  /** Refills a kind after a hand-over. */
  replenish(key: string): void {
    if (this.enabled && this.recipes.has(key)) this.refill(key);
  }

  /** How many are ready and being made, per kind (for /metrics and tests). */
  status(): Record<string, { ready: number; filling: number }> {
    const out: Record<string, { ready: number; filling: number }> = {};
    for (const key of this.recipes.keys())
      out[key] = { ready: this.ready.get(key)?.length ?? 0, filling: this.filling.get(key) ?? 0 };
    return out;
  }

  /** Resolves once every kind asked for so far has its ready environments (or gave up). */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /** Stops keeping these kinds (their image or artifact is gone) and removes their ready environments. */
  async forget(keys: string[]): Promise<void> {
    const gone: PooledEnvironment[] = [];
    for (const key of keys) {
      this.recipes.delete(key);
      const at = this.used.indexOf(key);
      if (at >= 0) this.used.splice(at, 1);
      gone.push(...(this.ready.get(key) ?? []));
      this.ready.delete(key);
    }
    await Promise.all(gone.map((e) => this.discard(e)));
  }

  /** Removes every pooled environment and stops refilling. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    const all = [...this.ready.values()].flat();
    this.ready.clear();
    await Promise.all(all.map((e) => this.discard(e)));
  }

  private touch(key: string): void {
    const at = this.used.indexOf(key);
    if (at >= 0) this.used.splice(at, 1);
    this.used.push(key);
    const max = this.o.maxKinds ?? 4;
    while (this.used.length > max) {
      const old = this.used.shift()!;
      this.recipes.delete(old);
      const entries = this.ready.get(old) ?? [];
      this.ready.delete(old);
      for (const e of entries) this.track(this.discard(e));
    }
  }

  private refill(key: string): void {
    const want = this.o.size - (this.ready.get(key)?.length ?? 0) - (this.filling.get(key) ?? 0);
    for (let i = 0; i < want; i++) {
      this.filling.set(key, (this.filling.get(key) ?? 0) + 1);
      this.track(
        this.fill(key).then(async (made) => {
          this.filling.set(key, (this.filling.get(key) ?? 1) - 1);
          const failures = this.failures.get(key) ?? 0;
          if (made || failures === 0 || failures >= MAX_FAILURES) return;
          // Try again after a pause that grows with each failure in a row.
          await new Promise((resolve) => setTimeout(resolve, 1000 * failures).unref());
          if (this.enabled && this.recipes.has(key)) this.refill(key);
        }),
      );
    }
  }

  private track(work: Promise<void>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work));
  }

  /** Makes one ready environment of the kind; answers whether it did. */
  private async fill(key: string): Promise<boolean> {
    const recipe = this.recipes.get(key);
    if (!recipe || this.closed) return false;
    const id = `p_${randomToken()}`;
    const labels = { [LABELS.managed]: "true", [LABELS.instance]: this.o.instanceId, [POOL_LABEL]: key };
    const entry: PooledEnvironment = { key, containerId: "", network: `terrarium-${id}`, baseline: id };
    try {
      await this.o.runtime.createNetwork(entry.network, labels);
      const started = Date.now();
      const { containerId, booted } = await recipe.start({
        name: `terrarium-${id}`,
        image: recipe.image,
        network: entry.network,
        alias: "pooled",
        cpus: recipe.manifest.resources.cpus,
        memoryBytes: recipe.manifest.resources.memory,
        labels,
      });
      entry.containerId = containerId;
      const { readiness } = recipe.manifest;
      const outcome = await waitUntilReady(
        this.o.runtime,
        entry.containerId,
        readiness,
        Date.now() + readiness.timeout * 1000,
      );
      if (!outcome.ready) throw new Error(outcome.error);
      booted?.(Date.now() - started);
      // Looks up what a hand-over's renaming needs, off the hand-over's clock.
      await this.o.runtime.setHostname(entry.containerId, "pooled");
      await this.o.capture.baseline(
        { jobId: id, alias: "pooled", containerId: entry.containerId, manifest: recipe.manifest },
        true,
      );
      if (this.closed || !this.recipes.has(key)) throw new Error("the pool no longer keeps this kind");
      this.ready.set(key, [...(this.ready.get(key) ?? []), entry]);
      this.failures.delete(key);
      return true;
    } catch (error) {
      await this.discard(entry);
      if (this.closed || !this.recipes.has(key)) return false;
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
      this.o.log?.warn({ key, error: errorMessage(error) }, "could not make a pooled environment");
      return false;
    }
  }

  /** Removes a pooled environment that will not be handed over. */
  async discard(entry: PooledEnvironment): Promise<void> {
    if (entry.containerId) await this.o.runtime.removeEnvironment(entry.containerId).catch(() => undefined);
    await this.o.runtime.removeNetwork(entry.network).catch(() => undefined);
    this.o.capture.drop(entry.baseline);
  }
}
