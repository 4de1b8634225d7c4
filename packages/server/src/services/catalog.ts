import type { SimulatorInfo } from "@terrarium/wire";
import { RECIPE_LABEL, simulatorImage } from "../images.js";
import type { Runtime } from "../runtime/runtime.js";
import { loadSimulators, type Simulator } from "./simulators.js";

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
    const repository = simulatorImage(manifest.name, "").slice(0, -1);
    const images = await this.runtime.listImages(repository);
    const tags = images.flatMap((i) =>
      i.names.filter((n) => n.startsWith(`${repository}:`)).map((n) => n.slice(repository.length + 1)),
    );
    const current = images.find((i) => i.names.includes(simulatorImage(manifest.name, manifest.version)));
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
      tags: [...new Set(tags)].sort(),
      accounts: manifest.accounts,
    };
  }
}
