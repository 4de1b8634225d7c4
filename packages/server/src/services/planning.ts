import { DEFAULT_DATASET, DEFAULT_HEARTBEAT_TIMEOUT, type MakeEnvsRequest } from "@terrarium/wire";
import type { z } from "zod";
import { badRequest, conflict, notFound } from "../errors.js";
import { defaultAlias } from "../ids.js";
import { simulatorImage } from "../images.js";
import type { Runtime } from "../runtime/runtime.js";
import type { Store } from "../store/store.js";
import type { Simulator } from "../catalog/simulators.js";
import { datasetTag } from "../catalog/datasets.js";
import type { ArtifactService } from "./artifacts.js";
import { tagsOf, type DatasetBuilder } from "./catalog.js";

export type EnvsRequest = z.output<typeof MakeEnvsRequest>;

/** What one environment of a session starts from, checked to exist. */
export interface PlannedJob {
  alias: string;
  simulator: Simulator;
  tag: string | null;
  image: string;
  artifactId: string | null;
  restoreMemory: boolean;
  heartbeatTimeout: number;
}

export interface PlannerOptions {
  store: Store;
  runtime: Runtime;
  simulators: () => Map<string, Simulator>;
  artifacts: ArtifactService;
  /** Builds a dataset's image the first time a session asks for it; unset: only built datasets start. */
  datasets?: DatasetBuilder;
}

/** Turns the environments a request asks for into what they start from, refusing what cannot start. */
export class Planner {
  constructor(private readonly o: PlannerOptions) {}

  /** Validates a request completely before anything is created, so bad input leaves nothing behind. */
  async plan(
    envs: EnvsRequest["envs"],
    options: {
      /** For environments that set none. */
      heartbeatTimeout?: number;
      /** Aliases open environments of the session already have, with their job ids. */
      taken?: ReadonlyMap<string, string>;
      /** How an error names the env spec at `index` (envs.N by default). */
      field?: (index: number) => string;
    } = {},
  ): Promise<PlannedJob[]> {
    const simulators = this.o.simulators();
    const taken = options.taken ?? new Map<string, string>();
    const fieldOf = options.field ?? ((index: number) => `envs.${index}`);
    const seen = new Set<string>();
    const planned: PlannedJob[] = [];
    for (const [index, spec] of envs.entries()) {
      const field = fieldOf(index);
      let alias = spec.alias ?? defaultAlias();
      while (spec.alias === undefined && taken.has(alias)) alias = defaultAlias();
      if (seen.has(alias)) {
        throw badRequest(
          `${field}.alias: duplicate alias "${alias}"; each environment of a session needs its own alias`,
        );
      }
      const holder = taken.get(alias);
      if (holder !== undefined) {
        throw badRequest(
          `${field}.alias: the session already has an environment "${alias}" (${holder}); give another alias, or remove that one first`,
        );
      }
      seen.add(alias);
      const heartbeatTimeout = spec.heartbeat_timeout ?? options.heartbeatTimeout ?? DEFAULT_HEARTBEAT_TIMEOUT;
      if (spec.type === "artifact") {
        planned.push({ alias, heartbeatTimeout, ...(await this.planArtifact(field, spec)) });
        continue;
      }
      const simulator = simulators.get(spec.simulator);
      if (!simulator) {
        const known = [...simulators.keys()];
        throw notFound(
          `${field}.simulator: unknown simulator "${spec.simulator}"; known simulators: ${known.join(", ") || "none"}`,
          {
            known,
          },
        );
      }
      const dataset = spec.dataset ?? DEFAULT_DATASET;
      const datasets = Object.keys(simulator.manifest.datasets);
      if (!datasets.includes(dataset)) {
        throw notFound(
          `${field}.dataset: simulator "${spec.simulator}" has no dataset "${dataset}"; its datasets: ${datasets.join(", ")}`,
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
            `${field}: simulator "${spec.simulator}" is not built; build it with \`terrarium simulators build ${spec.simulator}\``,
          );
        }
        const which = dataset === DEFAULT_DATASET ? `"${spec.tag}"` : `"${spec.tag}" of dataset "${dataset}" (${tag})`;
        throw notFound(
          `${field}.tag: simulator "${spec.simulator}" has no tag ${which}; its tags: ${tags.join(", ")}`,
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
    field: string,
    spec: { artifact_id: string; restore_memory: boolean },
  ): Promise<Omit<PlannedJob, "alias" | "heartbeatTimeout">> {
    const artifact = this.o.store.getArtifact(spec.artifact_id);
    if (!artifact) throw notFound(`${field}.artifact_id: unknown artifact "${spec.artifact_id}"`);
    const simulator = this.o.simulators().get(artifact.simulator);
    if (!simulator) {
      throw conflict(
        `${field}: artifact "${artifact.id}" is a snapshot of simulator "${artifact.simulator}", which this server no longer has`,
      );
    }
    const resume = artifact.kind === "memory" && spec.restore_memory;
    if (resume) {
      const support = await this.o.runtime.checkpointSupport();
      if (!support.supported) {
        throw conflict(
          `${field}: artifact "${artifact.id}" holds memory, which this host cannot restore (${support.reason}); pass restore_memory: false to boot from its disk`,
        );
      }
      await this.o.artifacts.archiveOf(artifact);
    }
    const image = resume ? artifact.image : await this.o.artifacts.bootImage(artifact);
    return { simulator, tag: null, image, artifactId: artifact.id, restoreMemory: resume };
  }
}
