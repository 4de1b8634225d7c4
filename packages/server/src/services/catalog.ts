import type { SimulatorInfo } from "@terrarium/wire";
import { RECIPE_LABEL, simulatorImage } from "../images.js";
import type { Runtime } from "../runtime/runtime.js";
import { ARTIFACT_LABEL } from "./artifacts.js";
import { loadSimulators, type Simulator } from "../catalog/simulators.js";

/** The simulators installed on this server, and which of their images are built. */
export class SimulatorCatalog {
  private simulators: Map<string, Simulator>;

  constructor(
    private readonly dir: string,
    private readonly runtime: Runtime,
  ) {
    this.simulators = loadSimulators(dir);
  }

  all(): Map<string, Simulator> {
    return this.simulators;
  }

  /** Reads the simulator folders again (after a build or an edit). */
  reload(): void {
    this.simulators = loadSimulators(this.dir);
  }

  async list(): Promise<SimulatorInfo[]> {
    return Promise.all([...this.simulators.values()].map((s) => this.describe(s)));
  }

  private async describe(simulator: Simulator): Promise<SimulatorInfo> {
    const { manifest } = simulator;
    const images = await imagesOf(this.runtime, manifest.name);
    const current = images.find((i) => i.names.includes(simulatorImage(manifest.name, manifest.version)));
    // A published version's image is its artifact's image, labelled with the artifact's id.
    const published = images.flatMap((i) => {
      const artifact = i.labels[ARTIFACT_LABEL];
      return artifact ? i.tags.map((tag) => ({ tag, artifact_id: artifact })) : [];
    });
    return {
      name: manifest.name,
      version: manifest.version,
      description: manifest.description,
      app_port: manifest.app_port,
      ports: manifest.ports,
      resources: { cpus: manifest.resources.cpus, memory_bytes: manifest.resources.memory },
      image: simulatorImage(manifest.name, manifest.version),
      built: current?.labels[RECIPE_LABEL] === simulator.recipeHash,
      recipe_hash: simulator.recipeHash,
      tags: [...new Set(images.flatMap((i) => i.tags))].sort(),
      published: published.sort((a, b) => a.tag.localeCompare(b.tag)),
      accounts: manifest.accounts,
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
