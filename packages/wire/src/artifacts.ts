import { z } from "zod";

export const ArtifactKind = z.enum(["memory", "disk"]);
export type ArtifactKind = z.infer<typeof ArtifactKind>;

/** A tag Podman accepts, and not `latest` (that is what `terrarium setup` builds). */
export const ImageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a tag is letters, digits, '_', '.' and '-' (at most 128)")
  .refine((t) => t !== "latest", "`latest` is the version `terrarium setup` builds; choose another version");

/** An immutable record of one snapshot of one environment. */
export const Artifact = z.object({
  artifact_id: z.string(),
  /** `snapshot` of an environment, or a simulator image's `ready` artifact (booted, warmed, checkpointed). */
  role: z.enum(["snapshot", "ready"]),
  kind: ArtifactKind,
  simulator: z.string(),
  /** The simulator's version (simulator.yaml) the environment ran. */
  version: z.string(),
  /** The artifact the snapshotted environment started from, when it started from one. */
  parent_artifact_id: z.string().nullable(),
  /** The image a fresh boot starts from (for a memory artifact: the image its checkpoint runs on). */
  image: z.string(),
  /** A memory artifact's checkpoint archive (process memory and the filesystem's changes). */
  checkpoint: z.object({ file: z.string(), compression: z.string() }).nullable(),
  size: z.number().int(),
  /** sha256 of the checkpoint archive (memory) or the image's id (disk). */
  sha256: z.string(),
  /** `simulator:version` under which the disk snapshot was published, if it was. */
  published_as: z.string().nullable(),
  source_job_id: z.string().nullable(),
  created_at: z.string(),
});
export type Artifact = z.infer<typeof Artifact>;

export const ArtifactDetails = Artifact.extend({
  /** Ancestors, nearest first: the parent, its parent... A removed ancestor ends the chain. */
  lineage: z.array(z.object({ artifact_id: z.string(), kind: ArtifactKind.nullable(), removed: z.boolean() })),
  /** Artifacts made from environments started from this one. */
  children: z.array(z.string()),
});
export type ArtifactDetails = z.infer<typeof ArtifactDetails>;

export const ArtifactList = z.object({ artifacts: z.array(Artifact) });
export type ArtifactList = z.infer<typeof ArtifactList>;
export const ArtifactIdParams = z.object({ artifact_id: z.string() });

export const SnapshotResult = z.object({
  success: z.boolean(),
  artifact_id: z.string().optional(),
  memory: z.boolean(),
  error: z.string().optional(),
});
export type SnapshotResult = z.infer<typeof SnapshotResult>;
export const SnapshotResponse = z.object({ results: z.record(z.string(), SnapshotResult) });
export type SnapshotResponse = z.infer<typeof SnapshotResponse>;

export const DiskSnapshotRequest = z
  .object({
    /** Publish under this simulator's name (the environment's own simulator). */
    override_service: z.string().min(1).optional(),
    /** Publish as this version (image tag) of the simulator: `Env.simulator(name, { tag })` starts it. */
    override_version: ImageTag.optional(),
  })
  .refine((r) => r.override_service === undefined || r.override_version !== undefined, {
    message: "override_service needs override_version: the version (tag) to publish the snapshot as",
    path: ["override_version"],
  });
export type DiskSnapshotRequest = z.input<typeof DiskSnapshotRequest>;

export const DiskSnapshotResult = SnapshotResult.extend({
  /** The simulator and tag the snapshot was published as, when asked. */
  published_as: z.string().optional(),
});
export const DiskSnapshotResponse = z.object({ results: z.record(z.string(), DiskSnapshotResult) });
export type DiskSnapshotResponse = z.infer<typeof DiskSnapshotResponse>;
