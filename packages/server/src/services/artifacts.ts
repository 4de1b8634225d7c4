import { createHash } from "node:crypto";
import {
  chmodSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  fsyncSync,
  closeSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import type { Artifact, ArtifactDetails, ArtifactListQuery, SimulatorManifest } from "@terrarium/wire";
import { DATASET_LABEL, datasetTag } from "../catalog/datasets.js";
import { ARTIFACT_LABEL, PUBLICATION_LABEL, PUBLISHED_LABEL, encodePublication } from "../catalog/published.js";
import { waitUntilReady } from "./readiness.js";
import { DomainError, conflict, errorMessage, notFound } from "../errors.js";
import { newArtifactId, randomToken } from "../ids.js";
import { simulatorImage } from "../images.js";
import type { Runtime } from "../runtime/runtime.js";
import type { ArtifactRecord, JobRecord, Store } from "../store/store.js";
import { LABELS } from "./labels.js";
import { bootKind, resumeKind, type WarmPool } from "./pool.js";

/** Every artifact's image is a tag of one repository: `localhost/terrarium-artifacts:<artifact id>`. */
export const ARTIFACT_REPOSITORY = "localhost/terrarium-artifacts";
export const artifactImage = (id: string) => `${ARTIFACT_REPOSITORY}:${id}`;
/** The image a memory artifact boots from when its memory is not resumed, made on first use. */
const bootImageOf = (id: string) => `${ARTIFACT_REPOSITORY}:${id}-disk`;
/** `fossil:9.9` → `localhost/terrarium/fossil:9.9`. */
const publishedImage = (as: string) => simulatorImage(as.slice(0, as.indexOf(":")), as.slice(as.indexOf(":") + 1));
const TEMPORARY = ".tmp";

export interface ArtifactServiceOptions {
  store: Store;
  runtime: Runtime;
  /** Where checkpoint archives live: `$TERRARIUM_HOME/artifacts`. */
  dir: string;
  /** Labels (`io.terrarium.instance`) on this store's artifact images. */
  instanceId: string;
  /** The warm pool, which lets go of the starting points a removal takes away. */
  pool?: Pick<WarmPool, "forget">;
  /** The simulator catalog, which reads published simulators again after a publication or removal. */
  catalog?: { refresh(): Promise<void> };
}

/** What a disk snapshot is published as: `localhost/terrarium/<simulator>:<version>[-<dataset>]`. */
export interface PublishTarget {
  /** The environment's own simulator (a new version of it), or a new name (a new simulator). */
  simulator: string;
  version: string;
  dataset: string;
  /** The environment's simulator's manifest, which a simulator published under a new name keeps. */
  manifest: SimulatorManifest;
  /** The simulator with a folder that the environment's simulator comes from. */
  origin: string;
}

/** What a snapshot is taken of: a running job, its container and its simulator's version. */
export interface SnapshotSource {
  job: JobRecord;
  containerId: string;
  version: string;
}

const now = () => new Date().toISOString();

/**
 * Artifacts: immutable snapshots of environments, a committed image (disk) or a checkpoint archive
 * (memory). A record is written only once its image or archive is whole, so a crash in the middle of
 * a snapshot leaves at most an unnamed leftover, removed at the next start.
 */
export class ArtifactService {
  /** Boot images of memory artifacts being made, by image name (made once however many ask). */
  private readonly making = new Map<string, Promise<unknown>>();
  /** Archives whose sha256 matched in this run, with their size and time then. */
  private readonly verified = new Map<string, string>();
  /** Scratch environments (and their networks, of the same name) that exist right now. */
  private readonly scratches = new Set<string>();
  private closing = false;
  constructor(private readonly o: ArtifactServiceOptions) {
    // Checkpoints hold process memory, secrets included: only the server's user may read them.
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    chmodSync(o.dir, 0o700);
  }

  get(id: string): ArtifactRecord {
    const artifact = this.o.store.getArtifact(id);
    if (!artifact) throw notFound(`unknown artifact "${id}"`);
    return artifact;
  }

  /** Newest first; by default the snapshots users made, not the server's ready artifacts. */
  list(role: ArtifactListQuery["role"] = "snapshot"): Artifact[] {
    return this.o.store
      .listArtifacts()
      .filter((a) => role === "all" || a.role === role)
      .map(describe);
  }

  details(id: string): ArtifactDetails {
    const artifact = this.get(id);
    const lineage: ArtifactDetails["lineage"] = [];
    const seen = new Set([id]);
    for (let parent = artifact.parentId; parent && !seen.has(parent);) {
      seen.add(parent);
      const record = this.o.store.getArtifact(parent);
      lineage.push({ artifact_id: parent, kind: record?.kind ?? null, removed: !record });
      parent = record?.parentId ?? null;
    }
    return { ...describe(artifact), lineage, children: this.o.store.childrenOf(id) };
  }

  /**
   * Commits the environment's filesystem as an image; with `publish`, also names it as a version of
   * a simulator (`localhost/terrarium/<simulator>:<version>[-<dataset>]`), which `Env.simulator(name,
   * { tag, dataset })` starts. The image carries what a simulator published under a new name needs
   * (its source's manifest), so the catalog finds it after a restart without a folder.
   */
  async disk(source: SnapshotSource, publish?: PublishTarget): Promise<ArtifactRecord> {
    const { job } = source;
    const simulator = job.simulator!;
    const as = publish ? `${publish.simulator}:${datasetTag(publish.version, publish.dataset)}` : null;
    const published = as ? publishedImage(as) : null;
    if (published && (await this.o.runtime.imageId(published))) {
      throw conflict(
        `override_version: ${publish!.simulator} already has a version "${as!.slice(publish!.simulator.length + 1)}"; versions are immutable: choose another, or remove the artifact it was published from (GET /api/v2/simulators lists it under published)`,
      );
    }
    const id = newArtifactId();
    const image = artifactImage(id);
    const { imageId, size } = await this.o.runtime.commit(source.containerId, image, {
      [ARTIFACT_LABEL]: id,
      // Set either way: an environment started from a published version would hand its labels down.
      [PUBLISHED_LABEL]: as ?? "",
      [PUBLICATION_LABEL]: publish
        ? encodePublication({
            from: { simulator, version: source.version },
            origin: publish.origin,
            version: publish.version,
            dataset: publish.dataset,
            publishedAt: now(),
            manifest: publish.manifest,
          })
        : "",
      ...(publish ? { [DATASET_LABEL]: publish.dataset } : {}),
      [LABELS.instance]: this.o.instanceId,
    });
    const record: ArtifactRecord = {
      id,
      role: "snapshot",
      imageId: null,
      kind: "disk",
      simulator,
      version: source.version,
      parentId: job.artifactId,
      image,
      checkpointFile: null,
      compression: null,
      size,
      sha256: imageId.replace(/^sha256:/, ""),
      publishedAs: as,
      sourceJobId: job.id,
      createdAt: now(),
    };
    try {
      if (published) await this.o.runtime.tagImage(imageId, published);
      this.o.store.insertArtifact(record);
    } catch (error) {
      if (published) await this.o.runtime.removeImage(published).catch(() => undefined);
      await this.o.runtime.removeImage(image).catch(() => undefined);
      throw error;
    }
    // The snapshot is made either way; a catalog that could not be read now is read at its next listing.
    if (published) await this.o.catalog?.refresh().catch(() => undefined);
    return record;
  }

  /** Checkpoints the running environment with its memory into an archive; it keeps running. */
  async memory(source: SnapshotSource): Promise<ArtifactRecord> {
    const { job } = source;
    return this.checkpointAs(source.containerId, {
      role: "snapshot",
      imageId: null,
      simulator: job.simulator!,
      version: source.version,
      parentId: job.artifactId,
      image: job.image,
      sourceJobId: job.id,
    });
  }

  private async checkpointAs(
    containerId: string,
    what: Pick<ArtifactRecord, "role" | "imageId" | "simulator" | "version" | "parentId" | "image" | "sourceJobId">,
  ): Promise<ArtifactRecord> {
    const support = await this.o.runtime.checkpointSupport();
    if (!support.supported) {
      throw new DomainError(
        "unavailable",
        `memory snapshots are not available on this host: ${support.reason}; a disk snapshot (disk_snapshot) still works`,
      );
    }
    const id = newArtifactId();
    const file = `${id}.tar.zst`;
    const temporary = join(this.o.dir, `${file}${TEMPORARY}`);
    try {
      await this.o.runtime.checkpoint(containerId, temporary);
      // On disk before it gets its name: a crash leaves a .tmp file (removed at start), never a torn archive.
      const fd = openSync(temporary, "r");
      fsyncSync(fd);
      closeSync(fd);
      const sha256 = await fileSha256(temporary);
      const size = statSync(temporary).size;
      renameSync(temporary, join(this.o.dir, file));
      const record: ArtifactRecord = {
        id,
        ...what,
        kind: "memory",
        checkpointFile: file,
        compression: "zstd",
        size,
        sha256,
        publishedAs: null,
        createdAt: now(),
      };
      this.o.store.insertArtifact(record);
      this.verified.set(id, fileStamp(join(this.o.dir, file)));
      return record;
    } catch (error) {
      rmSync(temporary, { force: true });
      rmSync(join(this.o.dir, file), { force: true });
      throw error;
    }
  }

  /**
   * The ready artifact of a simulator image, when one was made from the image as it is now: restoring
   * it skips the app's boot.
   */
  async readyFor(image: string): Promise<ArtifactRecord | undefined> {
    const ready = this.o.store.readyArtifact(image);
    if (!ready) return undefined;
    if (ready.imageId !== (await this.o.runtime.imageId(image))) {
      // The image was rebuilt since: its ready artifact is of the old one.
      await this.remove(ready.id, { force: true }).catch(() => undefined);
      return undefined;
    }
    return ready;
  }

  /**
   * Makes a simulator image's ready artifact: boots it in a scratch environment, waits for its
   * readiness check, warms it (a few requests to the app), and checkpoints it. Made once however many ask.
   */
  makeReady(simulator: SimulatorManifest, image: string): Promise<ArtifactRecord> {
    const running = this.making.get(`ready:${image}`) as Promise<ArtifactRecord> | undefined;
    if (running) return running;
    const work = this.bootAndCheckpoint(simulator, image).finally(() => this.making.delete(`ready:${image}`));
    this.making.set(`ready:${image}`, work);
    return work;
  }

  private async bootAndCheckpoint(simulator: SimulatorManifest, image: string): Promise<ArtifactRecord> {
    const imageId = await this.o.runtime.imageId(image);
    if (!imageId) throw new Error(`no image ${image}`);
    const scratch = `terrarium-scratch-ready-${randomToken(8)}`;
    const labels = { [LABELS.managed]: "true", [LABELS.instance]: this.o.instanceId };
    this.beginScratch(scratch);
    await this.o.runtime.createNetwork(scratch, labels);
    let containerId: string | undefined;
    try {
      containerId = await this.o.runtime.startEnvironment({
        name: scratch,
        image,
        network: scratch,
        alias: "ready",
        cpus: simulator.resources.cpus,
        memoryBytes: simulator.resources.memory,
        labels,
      });
      const { readiness } = simulator;
      const outcome = await waitUntilReady(
        this.o.runtime,
        containerId,
        readiness,
        Date.now() + readiness.timeout * 1000,
      );
      if (!outcome.ready) throw new Error(outcome.error);
      // Warm: the first requests load code and fill caches that every later environment then has.
      const address = (await this.o.runtime.inspectEnvironment(containerId))?.address;
      for (let i = 0; address && i < 3; i++) {
        await fetch(`http://${address}:${simulator.app_port}${simulator.readiness.http?.path ?? "/"}`, {
          signal: AbortSignal.timeout(10_000),
        })
          .then((r) => r.arrayBuffer())
          .catch(() => undefined);
      }
      return await this.checkpointAs(containerId, {
        role: "ready",
        imageId,
        simulator: simulator.name,
        version: simulator.version,
        parentId: null,
        image,
        sourceJobId: null,
      });
    } finally {
      await this.endScratch(scratch, containerId);
    }
  }

  /** A scratch environment is about to be made; none is once the server is stopping. */
  private beginScratch(name: string): void {
    if (this.closing) throw new DomainError("unavailable", "the server is stopping");
    this.scratches.add(name);
  }

  private async endScratch(name: string, containerId?: string): Promise<void> {
    await this.o.runtime.removeEnvironment(containerId ?? name).catch(() => undefined);
    await this.o.runtime.removeNetwork(name).catch(() => undefined);
    this.scratches.delete(name);
  }

  /**
   * At server stop: the scratch environments of ready artifacts and boot images being made are
   * removed at once (the work they served fails and leaves nothing), then that work is awaited.
   */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.scratches].map((name) => this.endScratch(name)));
    await Promise.allSettled([...this.making.values()]);
    await Promise.all([...this.scratches].map((name) => this.endScratch(name)));
  }

  /** The checkpoint archive of a memory artifact, checked against its sha256. */
  async archiveOf(artifact: ArtifactRecord): Promise<string> {
    const file = join(this.o.dir, artifact.checkpointFile ?? "");
    if (!artifact.checkpointFile || !existsSync(file))
      throw conflict(`artifact "${artifact.id}" has lost its checkpoint archive (${file})`);
    // Hashed again only when the file changed (its size or time) since it last matched.
    const stamp = fileStamp(file);
    if (this.verified.get(artifact.id) === stamp) return file;
    const sha256 = await fileSha256(file);
    if (sha256 === artifact.sha256) this.verified.set(artifact.id, stamp);
    if (sha256 !== artifact.sha256) {
      throw conflict(
        `artifact "${artifact.id}" is corrupt: its checkpoint archive's sha256 is ${sha256}, recorded ${artifact.sha256}`,
      );
    }
    return file;
  }

  /**
   * The image an environment boots from when it starts from the artifact without its memory: a disk
   * artifact's own; for a memory artifact, its checkpoint's filesystem committed once as an image
   * (resumed in a scratch environment, frozen and committed), kept beside the archive.
   */
  async bootImage(artifact: ArtifactRecord): Promise<string> {
    if (artifact.kind === "disk") {
      const imageId = await this.o.runtime.imageId(artifact.image);
      if (!imageId) throw conflict(`artifact "${artifact.id}" has lost its image ${artifact.image}`);
      if (imageId.replace(/^sha256:/, "") !== artifact.sha256)
        throw conflict(`artifact "${artifact.id}" is corrupt: its image ${artifact.image} is not the one recorded`);
      return artifact.image;
    }
    const image = bootImageOf(artifact.id);
    if (await this.o.runtime.imageId(image)) return image;
    const making = (this.making.get(image) as Promise<string> | undefined) ?? this.makeBootImage(artifact, image);
    this.making.set(image, making);
    try {
      return await making;
    } finally {
      this.making.delete(image);
    }
  }

  private async makeBootImage(artifact: ArtifactRecord, image: string): Promise<string> {
    const archive = await this.archiveOf(artifact);
    const scratch = `terrarium-scratch-${artifact.id}-${randomToken(6)}`;
    const labels = { [LABELS.managed]: "true", [LABELS.instance]: this.o.instanceId };
    this.beginScratch(scratch);
    await this.o.runtime.createNetwork(scratch, labels);
    let containerId: string | undefined;
    try {
      containerId = await this.o.runtime.restore(archive, {
        name: scratch,
        image: artifact.image,
        network: scratch,
        alias: "scratch",
        cpus: 1,
        memoryBytes: 0,
        labels,
      });
      await this.o.runtime.commit(containerId, image, {
        [ARTIFACT_LABEL]: artifact.id,
        [PUBLISHED_LABEL]: "",
        [PUBLICATION_LABEL]: "",
        [LABELS.instance]: this.o.instanceId,
      });
      return image;
    } finally {
      await this.endScratch(scratch, containerId);
    }
  }

  /**
   * Removes an artifact, with the version published from it and the ready artifacts of that version.
   * Refused while anything still needs it: an open environment started from it or running its
   * published version, or a memory artifact that resumes on its image. A ready artifact is the
   * server's own cache and goes only with `force`.
   */
  async remove(id: string, options: { force?: boolean } = {}): Promise<void> {
    const artifact = this.get(id);
    if (artifact.role === "ready" && !options.force) {
      throw conflict(
        `artifact "${id}" is the server's ready artifact for ${artifact.image} (that image booted, warmed and checkpointed, so environments resume it instead of booting); the server makes it again the next time the image boots slowly. Remove it anyway with ?force=true`,
      );
    }
    const users = this.o.store.openJobsOfArtifact(id);
    if (users.length > 0) {
      throw conflict(
        `artifact "${id}" is the starting point of open environments (${users.map((j) => j.id).join(", ")}); close them first`,
      );
    }
    const published = artifact.publishedAs ? publishedImage(artifact.publishedAs) : undefined;
    const running = published ? this.o.store.openJobs().filter((j) => j.image === published) : [];
    if (running.length > 0) {
      throw conflict(
        `artifact "${id}" is published as ${artifact.publishedAs}, which open environments run (${running.map((j) => j.id).join(", ")}); close them first (the version goes with the artifact)`,
      );
    }
    const own = new Set([
      bootImageOf(id),
      ...(artifact.kind === "disk" ? [artifact.image] : []),
      ...(published ? [published] : []),
    ]);
    const others = this.o.store.listArtifacts().filter((a) => a.id !== id);
    const resumers = others.filter((a) => a.role === "snapshot" && a.kind === "memory" && own.has(a.image));
    if (resumers.length > 0) {
      throw conflict(
        `artifact "${id}": memory artifacts ${resumers.map((a) => `${a.id} (on ${a.image})`).join(", ")} resume on its image; remove them first`,
      );
    }
    // The version's ready artifacts cache an image that is going away.
    const caches = others.filter((a) => a.role === "ready" && a.image === published);
    // The records go first: a crash after them leaves files and images that the next start removes.
    for (const record of [artifact, ...caches]) this.o.store.deleteArtifact(record.id);
    // Pooled environments of what goes would otherwise wait for a hand-over that never comes.
    await this.o.pool?.forget([
      ...[...own].map(bootKind),
      resumeKind(artifact.id),
      ...caches.map((c) => resumeKind(c.id)),
    ]);
    for (const record of [...caches, artifact]) await this.removeFiles(record);
    if (published) await this.o.catalog?.refresh().catch(() => undefined);
  }

  private async removeFiles(artifact: ArtifactRecord): Promise<void> {
    if (artifact.checkpointFile) rmSync(join(this.o.dir, artifact.checkpointFile), { force: true });
    // The published version goes before the artifact's own name, which recovery finds leftovers by.
    if (artifact.publishedAs) {
      const published = publishedImage(artifact.publishedAs);
      // Only the tag that is this artifact's image, not one someone made since under the same name.
      if ((await this.o.runtime.imageId(published))?.replace(/^sha256:/, "") === artifact.sha256)
        await this.o.runtime.removeImage(published);
    }
    await this.o.runtime.removeImage(bootImageOf(artifact.id));
    if (artifact.kind === "disk") await this.o.runtime.removeImage(artifact.image);
  }

  /**
   * After a crash or restart: removes half-written archives, and archives and images no record
   * names (a snapshot interrupted after its image was committed, or a removal interrupted), with the
   * version such an image was published as. Published versions of existing artifacts stay: they are
   * simulator versions, meant to outlive the server.
   */
  async recover(): Promise<{ removed: string[] }> {
    const removed: string[] = [];
    const records = this.o.store.listArtifacts();
    const known = new Set(records.map((a) => a.id));
    const published = new Set(records.flatMap((a) => (a.publishedAs ? [a.publishedAs] : [])));
    for (const entry of readdirSync(this.o.dir)) {
      const id = entry.replace(/\.tar(\.zst)?(\.tmp)?$/, "");
      if (entry.endsWith(TEMPORARY) || !known.has(id)) {
        rmSync(join(this.o.dir, entry), { recursive: true, force: true });
        removed.push(entry);
      }
    }
    let unpublished = false;
    const remove = async (name: string) => {
      await this.o.runtime.removeImage(name).catch((error: unknown) => {
        throw new Error(`cannot remove the leftover image ${name}: ${errorMessage(error)}`);
      });
      removed.push(name);
    };
    for (const image of await this.o.runtime.listImages(ARTIFACT_REPOSITORY)) {
      // Other servers (other data folders) share Podman's image store: only this one's are looked at.
      if (image.labels[LABELS.instance] !== this.o.instanceId) continue;
      // An image's other names (a published version, a user's own tag) are not artifact ids.
      const names = image.names.filter((n) => n.startsWith(`${ARTIFACT_REPOSITORY}:`));
      const leftovers = names.filter((n) => !known.has(n.slice(ARTIFACT_REPOSITORY.length + 1).replace(/-disk$/, "")));
      if (leftovers.length === 0) continue;
      const version = image.labels[PUBLISHED_LABEL];
      if (leftovers.length === names.length && version && !published.has(version)) {
        if (image.names.includes(publishedImage(version))) {
          await remove(publishedImage(version));
          unpublished = true;
        }
      }
      for (const name of leftovers) await remove(name);
    }
    if (unpublished) await this.o.catalog?.refresh();
    return { removed };
  }
}

function describe(a: ArtifactRecord): Artifact {
  return {
    artifact_id: a.id,
    role: a.role,
    kind: a.kind,
    simulator: a.simulator,
    version: a.version,
    parent_artifact_id: a.parentId,
    image: a.image,
    checkpoint: a.checkpointFile ? { file: a.checkpointFile, compression: a.compression ?? "none" } : null,
    size: a.size,
    sha256: a.sha256,
    published_as: a.publishedAs,
    source_job_id: a.sourceJobId,
    created_at: a.createdAt,
  };
}

function fileStamp(file: string): string {
  const { size, mtimeMs, ino } = statSync(file);
  return `${ino}:${size}:${mtimeMs}`;
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
