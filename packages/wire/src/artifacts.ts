import { z } from "zod";
import { DatasetName, SimulatorName } from "./simulators.js";

export const ArtifactKind = z.enum(["memory", "disk"]);
export type ArtifactKind = z.infer<typeof ArtifactKind>;

/** A tag Podman accepts, and not `latest` (that is what `terrarium setup` builds). */
export const ImageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a tag is letters, digits, '_', '.' and '-' (at most 128)")
  .refine((t) => t !== "latest", "`latest` is the version `terrarium setup` builds; choose another version");

/** An immutable record of one snapshot of one environment. */
export const Artifact = z.object({
  artifact_id: z.string().describe("The artifact's id (a_...)"),
  /** `snapshot` of an environment, or a simulator image's `ready` artifact (booted, warmed, checkpointed). */
  role: z
    .enum(["snapshot", "ready"])
    .describe(
      "`snapshot` of an environment, or a simulator image's `ready` artifact (booted, warmed, checkpointed: the server's own)",
    ),
  kind: ArtifactKind.describe(
    "`memory`: processes, memory and disk (a checkpoint); `disk`: the filesystem only (an image)",
  ),
  simulator: z.string().describe("The simulator the environment ran"),
  /** The simulator's version (simulator.yaml) the environment ran. */
  version: z.string().describe("The simulator's version (simulator.yaml) the environment ran"),
  /** The artifact the snapshotted environment started from, when it started from one. */
  parent_artifact_id: z
    .string()
    .nullable()
    .describe("The artifact the snapshotted environment started from; null when it started from a simulator"),
  /** The image a fresh boot starts from (for a memory artifact: the image its checkpoint runs on). */
  image: z
    .string()
    .describe("The image a fresh boot starts from (for a memory artifact: the image its checkpoint runs on)"),
  /** A memory artifact's checkpoint archive (process memory and the filesystem's changes). */
  checkpoint: z
    .object({
      file: z.string().describe("The archive's path on the server"),
      compression: z.string().describe("zstd, or none"),
    })
    .nullable()
    .describe("A memory artifact's checkpoint archive (process memory and the filesystem's changes); null for disk"),
  size: z.number().int().describe("Bytes: the checkpoint archive (memory) or the image (disk)"),
  /** sha256 of the checkpoint archive (memory) or the image's id (disk). */
  sha256: z.string().describe("sha256 of the checkpoint archive (memory), or the image's id (disk)"),
  /** `simulator:version` under which the disk snapshot was published, if it was. */
  published_as: z
    .string()
    .nullable()
    .describe(
      "`simulator:tag` under which the disk snapshot was published (tag: `<version>` or `<version>-<dataset>`); null when it was not",
    ),
  source_job_id: z.string().nullable().describe("The job (environment) snapshotted; null for a ready artifact"),
  created_at: z.string().describe("When it was made (ISO-8601, UTC)"),
});
export type Artifact = z.infer<typeof Artifact>;

export const ArtifactDetails = Artifact.extend({
  /** Ancestors, nearest first: the parent, its parent... A removed ancestor ends the chain. */
  lineage: z
    .array(
      z.object({
        artifact_id: z.string().describe("The ancestor's id"),
        kind: ArtifactKind.nullable().describe("memory or disk; null when it was removed"),
        removed: z.boolean().describe("Whether it was removed (its own ancestors are then unknown)"),
      }),
    )
    .describe("Ancestors, nearest first: the parent, its parent... A removed ancestor ends the chain"),
  /** Artifacts made from environments started from this one. */
  children: z.array(z.string()).describe("Ids of artifacts made from environments started from this one"),
});
export type ArtifactDetails = z.infer<typeof ArtifactDetails>;

export const ArtifactList = z.object({ artifacts: z.array(Artifact).describe("The artifacts, newest first") });
export type ArtifactList = z.infer<typeof ArtifactList>;
export const ArtifactIdParams = z.object({ artifact_id: z.string().describe("An artifact id (a_...)") });
export const ArtifactListQuery = z.object({
  /** `snapshot` (default): the snapshots users made; `ready`: the server's own ready artifacts; `all`. */
  role: z
    .enum(["snapshot", "ready", "all"])
    .default("snapshot")
    .describe("`snapshot` (default): the snapshots users made; `ready`: the server's own ready artifacts; `all`"),
});
export type ArtifactListQuery = z.infer<typeof ArtifactListQuery>;
export const RemoveArtifactQuery = z.object({
  /** Needed to remove a ready artifact: the server's cache of a simulator image, made again when needed. */
  force: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .describe(
      "`true` is needed to remove a ready artifact (the server's cache of a simulator image, made again when needed); false by default",
    ),
});

export const SnapshotResult = z.object({
  success: z.boolean().describe("Whether the environment was snapshotted"),
  artifact_id: z.string().optional().describe("The new artifact; absent on failure"),
  memory: z
    .boolean()
    .describe("Whether the artifact holds processes and memory (snapshot) or the filesystem only (disk_snapshot)"),
  error: z.string().optional().describe("Why the snapshot failed"),
});
export type SnapshotResult = z.infer<typeof SnapshotResult>;
export const SnapshotResponse = z.object({ results: z.record(z.string(), SnapshotResult).describe("Per job id") });
export type SnapshotResponse = z.infer<typeof SnapshotResponse>;

/** A memory snapshot takes no options; the body may be absent or `{}`. */
export const SnapshotRequest = z.object({});
export type SnapshotRequest = z.input<typeof SnapshotRequest>;

export const DiskSnapshotRequest = z
  .object({
    /** The simulator (service) the snapshot is published as: the environment's own, or a new name. */
    override_service: SimulatorName.optional().describe(
      "With override_version: the simulator (service) to publish as. The simulator of environments here publishes those as a new version of it; another name publishes the one environment of the scope as a new simulator of that name, which keeps its simulator's ports, readiness, state capture, login and accounts. Unset: each environment as a version of its own simulator",
    ),
    /** Publish as this version (image tag) of the simulator: `Env.simulator(name, { tag })` starts it. */
    override_version: ImageTag.optional().describe(
      "Publish each snapshot as this version (image tag) of its simulator, so {type: simulator, tag} starts it: letters, digits, '_', '.', '-', not latest, not one that exists",
    ),
    /** Publish as this dataset of that version: image tag `<version>-<dataset>`. */
    override_dataset: DatasetName.optional().describe(
      "With override_version: publish as this dataset of the version, so {type: simulator, tag: version, dataset} starts it (image tag `<version>-<dataset>`); base (tag `<version>`) when unset",
    ),
  })
  .refine((r) => r.override_service === undefined || r.override_version !== undefined, {
    message: "override_service needs override_version: the version (tag) to publish the snapshot as",
    path: ["override_version"],
  })
  .refine((r) => r.override_dataset === undefined || r.override_version !== undefined, {
    message: "override_dataset needs override_version: the version (tag) to publish the snapshot as",
    path: ["override_version"],
  });
export type DiskSnapshotRequest = z.input<typeof DiskSnapshotRequest>;

export const DiskSnapshotResult = SnapshotResult.extend({
  /** The simulator and tag the snapshot was published as, when asked. */
  published_as: z
    .string()
    .optional()
    .describe("`simulator:tag` the snapshot was published as, when asked (tag: `<version>` or `<version>-<dataset>`)"),
});
export const DiskSnapshotResponse = z.object({
  results: z.record(z.string(), DiskSnapshotResult).describe("Per job id"),
});
export type DiskSnapshotResponse = z.infer<typeof DiskSnapshotResponse>;
