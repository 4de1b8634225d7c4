import { DEFAULT_DATASET, type DiskSnapshotRequest } from "@terrarium/wire";
import { badRequest, conflict } from "../errors.js";
import { simulatorImage } from "../images.js";
import type { Runtime } from "../runtime/runtime.js";
import type { JobRecord } from "../store/store.js";
import type { Simulator } from "../catalog/simulators.js";
import { datasetTag } from "../catalog/datasets.js";
import type { PublishTarget } from "./artifacts.js";

export interface PublisherOptions {
  runtime: Runtime;
  simulators: () => Map<string, Simulator>;
  /** The simulator a job runs (throws when it is no longer installed). */
  simulatorOf: (job: JobRecord) => Simulator;
}

/** Where disk snapshots are published: as a version or dataset of a simulator, or as a new simulator. */
export class Publisher {
  constructor(private readonly o: PublisherOptions) {}

  /**
   * What a disk snapshot publishes, checked before anything is committed. As in Plato, the overrides
   * apply to the whole scope (a session, or one environment of it): `override_service` naming the
   * simulator of environments here publishes those as a new version of it; another name publishes the
   * scope's one environment as a simulator of that name; unset, each environment is published as a
   * version of its own simulator. Only what cannot be is refused.
   */
  async targets(jobs: JobRecord[], request: DiskSnapshotRequest): Promise<Map<string, PublishTarget>> {
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
        const simulator = this.o.simulatorOf(job);
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
    const source = this.o.simulatorOf(job);
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
}
