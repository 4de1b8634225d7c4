import { DEFAULT_DATASET, type SimulatorInfo } from "@terrarium/wire";
import { DomainError, errorMessage } from "../errors.js";
import { RECIPE_LABEL, simulatorImage } from "../images.js";
import type { Runtime } from "../runtime/runtime.js";
import { datasetTag } from "../catalog/datasets.js";
import { ARTIFACT_LABEL, loadPublished } from "../catalog/published.js";
import { loadSimulators, type Simulator, type SimulatorFolder } from "../catalog/simulators.js";
import { simulatorImageStep } from "../setup/simulator-image.js";

/** Builds a dataset's image the first time a session asks for it. */
export interface DatasetBuilder {
  /**
   * Makes sure the image of `dataset` at `tag` of a simulator with a folder is built from its current
   * files, building it when it is missing or stale; does nothing for what it cannot build (a published
   * simulator, another version, the base dataset, which `terrarium setup` builds).
   */
  prepare(name: string, tag: string, dataset: string): Promise<void>;
}

/**
 * The simulators installed on this server: those with a folder, and those published from disk
 * snapshots under a new name (read from their images, so `refresh` after a publication or removal).
 */
export class SimulatorCatalog implements DatasetBuilder {
  private folders: Map<string, SimulatorFolder>;
  private published = new Map<string, Simulator>();
  private merged: Map<string, Simulator>;
  /** Dataset images being built, by image: built once however many sessions ask. */
  private readonly building = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly dir: string,
    private readonly runtime: Runtime,
  ) {
    this.folders = loadSimulators(dir);
    this.merged = new Map(this.folders);
  }

  all(): Map<string, Simulator> {
    return this.merged;
  }

  /** Reads the simulator folders again (after a build or an edit). */
  reload(): void {
    this.folders = loadSimulators(this.dir);
    this.merge();
  }

  /** Reads the published simulators from Podman's images again. */
  async refresh(): Promise<void> {
    this.published = await loadPublished(this.runtime, new Set(this.folders.keys()));
    this.merge();
  }

  private merge(): void {
    this.merged = new Map<string, Simulator>([...this.published, ...this.folders]);
  }

  async list(): Promise<SimulatorInfo[]> {
    await this.refresh();
    return Promise.all([...this.merged.values()].map((s) => this.describe(s)));
  }

  async prepare(name: string, tag: string, dataset: string): Promise<void> {
    const simulator = this.folders.get(name);
    if (!simulator || dataset === DEFAULT_DATASET || ![simulator.manifest.version, "latest"].includes(tag)) return;
    const image = simulatorImage(name, datasetTag(tag, dataset));
    const work = this.building.get(image) ?? this.build(simulator, dataset, image);
    this.building.set(image, work);
    return work.finally(() => this.building.delete(image));
  }

  private async build(simulator: SimulatorFolder, dataset: string, image: string): Promise<void> {
    const images = await imagesOf(this.runtime, simulator.manifest.name);
    if (images.find((i) => i.names.includes(image))?.labels[RECIPE_LABEL] === simulator.recipeHash) return;
    if (this.stopping.signal.aborted) throw new DomainError("unavailable", "the server is stopping");
    try {
      await simulatorImageStep(simulator, { dataset }).run(() => undefined, this.stopping.signal);
    } catch (error) {
      throw new DomainError(
        "unavailable",
        `could not build dataset "${dataset}" of ${simulator.manifest.name}: ${errorMessage(error)}; try \`terrarium simulators build ${simulator.manifest.name}\` to see the whole build`,
      );
    }
  }

  /** At server stop: dataset builds under way are stopped (the sessions that wait for them fail). */
  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.building.values()]);
  }

  private async describe(simulator: Simulator): Promise<SimulatorInfo> {
    const { manifest } = simulator;
    const folder = this.folders.get(manifest.name);
    const images = await imagesOf(this.runtime, manifest.name);
    const current = (tag: string) =>
      folder
        ? images.find((i) => i.names.includes(simulatorImage(manifest.name, tag)))?.labels[RECIPE_LABEL] ===
          folder.recipeHash
        : images.some((i) => i.tags.includes(tag));
    // A published version's image is its artifact's image, labelled with the artifact's id.
    const published = images.flatMap((i) => {
      const artifact = i.labels[ARTIFACT_LABEL];
      return artifact ? i.tags.map((tag) => ({ tag, artifact_id: artifact })) : [];
    });
    const from = simulator.published;
    return {
      name: manifest.name,
      version: manifest.version,
      description: manifest.description,
      role: manifest.role,
      stands_in_for: manifest.stands_in_for,
      app_port: manifest.app_port,
      ports: manifest.ports,
      resources: { cpus: manifest.resources.cpus, memory_bytes: manifest.resources.memory },
      image: simulatorImage(manifest.name, manifest.version),
      built: current(manifest.version),
      recipe_hash: folder?.recipeHash ?? null,
      tags: [...new Set(images.flatMap((i) => i.tags))].sort(),
      published: published.sort((a, b) => a.tag.localeCompare(b.tag)),
      accounts: manifest.accounts,
      datasets: Object.entries(manifest.datasets).map(([name, d]) => ({
        name,
        description: d.description,
        built: current(datasetTag(manifest.version, name)),
        accounts: d.accounts ?? manifest.accounts,
      })),
      published_from: from ? { simulator: from.simulator, version: from.version, artifact_id: from.artifactId } : null,
    };
  }
}

/** A simulator's tags, sorted (what `Env.simulator(name, { tag })` can start); none for an unknown name. */
export async function tagsOf(runtime: Runtime, name: string): Promise<string[]> {
  return (await imagesOf(runtime, name)).flatMap((i) => i.tags).sort();
}

/** The images of a simulator's repository, each with its tags there. */
async function imagesOf(runtime: Runtime, name: string) {
  const repository = simulatorImage(name, "").slice(0, -1);
  const images = await runtime.listImages(repository);
  return images.map((image) => ({
    ...image,
    tags: image.names.filter((n) => n.startsWith(`${repository}:`)).map((n) => n.slice(repository.length + 1)),
  }));
}
