import type {
  JobInfo as WireSessionJob,
  RemoveJobResponse,
  SessionEvent as WireSessionEvent,
  SessionEventKind,
  SessionLogs as WireSessionLogs,
  WaitForReadyResponse,
  ExecuteResult as WireExecuteResult,
  JobDetails,
  JobOutcome as WireJobOutcome,
  SessionDetails,
  SimulatorInfo as WireSimulatorInfo,
  Artifact as WireArtifact,
  ArtifactDetails as WireArtifactDetails,
} from "@terrarium/wire";

/**
 * What a command printed and how it ended, in one environment: `stdout` and `stderr` are text, or with
 * `encoding: "base64"` Buffers of the exact bytes.
 */
export interface ExecuteResult<Output extends string | Buffer = string> {
  stdout: Output;
  stderr: Output;
  /** null when the command was killed by its timeout or could not run (see `error`). */
  exitCode: number | null;
  timedOut: boolean;
  /** Output beyond the server's limit (4 MiB per stream) was cut (text at a whole character). */
  truncated: boolean;
  /** Text only: stdout had bytes that are not UTF-8, shown as U+FFFD (`encoding: "base64"` keeps them). */
  stdoutLossy: boolean;
  stderrLossy: boolean;
  /** Why the command could not run in this environment at all. */
  error?: string;
}

/** How one environment fared in an operation that either works or not (reset, heartbeat, close). */
export interface JobOutcome {
  success: boolean;
  message?: string;
  error?: string;
}

/** Per-job answers of a session operation, keyed by job id. */
export interface Results<T> {
  results: Record<string, T>;
}

/** Whether an environment answers its readiness check, and why not. */
export interface Readiness {
  ready: boolean;
  error?: string;
}

/** Answer of `waitForReady`: `ready` when every environment is; per job id otherwise. */
export interface ReadyResult {
  ready: boolean;
  results: Record<string, Readiness>;
}

export interface JobInfo {
  jobId: string;
  sessionId: string;
  alias: string;
  simulator: string | null;
  tag: string | null;
  artifactId: string | null;
  status: JobDetails["status"];
  error: string | null;
  heartbeatTimeout: number;
  lastHeartbeatAt: string;
  createdAt: string;
  closedAt: string | null;
  closeReason: JobDetails["close_reason"];
}

export interface SessionInfo {
  sessionId: string;
  taskPublicId: string | null;
  status: SessionDetails["status"];
  createdAt: string;
  closedAt: string | null;
  envs: JobInfo[];
}

export interface SimulatorInfo {
  name: string;
  version: string;
  description: string;
  appPort: number;
  ports: number[];
  resources: { cpus: number; memoryBytes: number };
  image: string;
  built: boolean;
  /** Every tag `Env.simulator(name, { tag })` can start: the built version, `latest`, published ones. */
  tags: string[];
  /** Tags published from disk snapshots, with the artifact each was made from. */
  published: { tag: string; artifactId: string }[];
  accounts: WireSimulatorInfo["accounts"];
  /** The variants of its seed data, for `Env.simulator(name, { dataset })`; `base` is the default. */
  datasets: { name: string; description: string; built: boolean; accounts: WireSimulatorInfo["accounts"] }[];
  /** For a simulator published under a new name: what its newest version was snapshotted from. */
  publishedFrom: { simulator: string; version: string; artifactId: string } | null;
}

export const toExecuteResult = (
  r: WireExecuteResult,
  encoding: "utf8" | "base64" = "utf8",
): ExecuteResult<string | Buffer> => ({
  stdout: encoding === "base64" ? Buffer.from(r.stdout, "base64") : r.stdout,
  stderr: encoding === "base64" ? Buffer.from(r.stderr, "base64") : r.stderr,
  exitCode: r.exit_code,
  timedOut: r.timed_out,
  truncated: r.truncated ?? false,
  stdoutLossy: r.stdout_lossy ?? false,
  stderrLossy: r.stderr_lossy ?? false,
  ...(r.error !== undefined ? { error: r.error } : {}),
});

export const toJobOutcome = (r: WireJobOutcome): JobOutcome => ({
  success: r.success,
  ...(r.message !== undefined ? { message: r.message } : {}),
  ...(r.error !== undefined ? { error: r.error } : {}),
});

export const toReadyResult = (r: WaitForReadyResponse): ReadyResult => ({
  ready: r.ready,
  results: Object.fromEntries(
    Object.entries(r.results).map(([job, x]) => [
      job,
      { ready: x.ready, ...(x.error !== undefined ? { error: x.error } : {}) },
    ]),
  ),
});

export function mapResults<W, T>(answer: { results: Record<string, W> }, map: (w: W) => T): Results<T> {
  return { results: Object.fromEntries(Object.entries(answer.results).map(([job, r]) => [job, map(r)])) };
}

export const toJobInfo = (j: JobDetails): JobInfo => ({
  jobId: j.job_id,
  sessionId: j.session_id,
  alias: j.alias,
  simulator: j.simulator,
  tag: j.tag,
  artifactId: j.artifact_id,
  status: j.status,
  error: j.error,
  heartbeatTimeout: j.heartbeat_timeout,
  lastHeartbeatAt: j.last_heartbeat_at,
  createdAt: j.created_at,
  closedAt: j.closed_at,
  closeReason: j.close_reason,
});

export const toSessionInfo = (s: SessionDetails): SessionInfo => ({
  sessionId: s.session_id,
  taskPublicId: s.task_public_id,
  status: s.status,
  createdAt: s.created_at,
  closedAt: s.closed_at,
  envs: s.envs.map(toJobInfo),
});

export const toSimulatorInfo = (s: WireSimulatorInfo): SimulatorInfo => ({
  name: s.name,
  version: s.version,
  description: s.description,
  appPort: s.app_port,
  ports: s.ports,
  resources: { cpus: s.resources.cpus, memoryBytes: s.resources.memory_bytes },
  image: s.image,
  built: s.built,
  tags: s.tags,
  published: s.published.map((p) => ({ tag: p.tag, artifactId: p.artifact_id })),
  accounts: s.accounts,
  datasets: s.datasets,
  publishedFrom: s.published_from
    ? {
        simulator: s.published_from.simulator,
        version: s.published_from.version,
        artifactId: s.published_from.artifact_id,
      }
    : null,
});

/** How one environment's snapshot went: the artifact it made, or why not. */
export interface SnapshotResult {
  success: boolean;
  artifactId?: string;
  /** The artifact holds the environment's memory (a `snapshot`), not only its disk. */
  memory: boolean;
  /** `simulator:version` the disk snapshot was published as, when asked. */
  publishedAs?: string;
  error?: string;
}

export const toSnapshotResult = (r: {
  success: boolean;
  artifact_id?: string;
  memory: boolean;
  published_as?: string;
  error?: string;
}): SnapshotResult => ({
  success: r.success,
  memory: r.memory,
  ...(r.artifact_id !== undefined ? { artifactId: r.artifact_id } : {}),
  ...(r.published_as !== undefined ? { publishedAs: r.published_as } : {}),
  ...(r.error !== undefined ? { error: r.error } : {}),
});

/** An immutable snapshot of an environment: its disk (an image) or its memory too (a checkpoint). */
export interface ArtifactInfo {
  artifactId: string;
  /** `snapshot` of an environment, or a simulator's `ready` artifact (booted, warmed, checkpointed). */
  role: "snapshot" | "ready";
  kind: "memory" | "disk";
  simulator: string;
  version: string;
  parentArtifactId: string | null;
  image: string;
  checkpoint: { file: string; compression: string } | null;
  size: number;
  sha256: string;
  publishedAs: string | null;
  sourceJobId: string | null;
  createdAt: string;
}

export interface ArtifactDetails extends ArtifactInfo {
  /** Ancestors, nearest first; a removed one ends the chain. */
  lineage: { artifactId: string; kind: "memory" | "disk" | null; removed: boolean }[];
  children: string[];
}

export const toArtifactInfo = (a: WireArtifact): ArtifactInfo => ({
  artifactId: a.artifact_id,
  role: a.role,
  kind: a.kind,
  simulator: a.simulator,
  version: a.version,
  parentArtifactId: a.parent_artifact_id,
  image: a.image,
  checkpoint: a.checkpoint,
  size: a.size,
  sha256: a.sha256,
  publishedAs: a.published_as,
  sourceJobId: a.source_job_id,
  createdAt: a.created_at,
});

export const toArtifactDetails = (a: WireArtifactDetails): ArtifactDetails => ({
  ...toArtifactInfo(a),
  lineage: a.lineage.map((l) => ({ artifactId: l.artifact_id, kind: l.kind, removed: l.removed })),
  children: a.children,
});

/** A job as `session.listJobs()` shows it: the server's record, and why it has its status. */
export interface SessionJob extends JobInfo {
  /** Its close reason when closed, why it failed when failed; null while starting or running. */
  statusReason: string | null;
}

export const toSessionJob = (j: WireSessionJob): SessionJob => ({ ...toJobInfo(j), statusReason: j.status_reason });

/** How `session.removeEnv` went. */
export interface RemoveEnvResult {
  sessionId: string;
  /** The environment removed. */
  jobId: string;
  /** Whether its container and its place on the session's network are gone. */
  success: boolean;
  /** What was done (e.g. that it was the last environment, so the session closed), or why not. */
  message?: string;
}

export const toRemoveEnvResult = (r: RemoveJobResponse): RemoveEnvResult => ({
  sessionId: r.session_id,
  jobId: r.job_id,
  success: r.success,
  ...(r.message !== undefined ? { message: r.message } : {}),
});

/** What happened in a session, as its log on the server keeps it. */
export interface SessionEvent {
  /** Its place in the log: increasing, the cursor `after` pages with. */
  seq: number;
  /** When (ISO 8601, UTC). */
  at: string;
  kind: SessionEventKind;
  /** The environment it concerns; null for the session as a whole. */
  jobId: string | null;
  alias: string | null;
  /** One line saying what happened. */
  message: string;
  /** Its particulars, e.g. for `execute` the command, `exit_code`, `timed_out` and `duration_ms`. */
  data: Record<string, unknown> | null;
}

/** One page of a session's log. */
export interface SessionLogsPage {
  sessionId: string;
  /** Its events, oldest first. */
  events: SessionEvent[];
  /** Pass as `after` for the next page; null when this page holds the last event. */
  nextAfter: number | null;
}

const toSessionEvent = (e: WireSessionEvent): SessionEvent => ({
  seq: e.seq,
  at: e.at,
  kind: e.kind,
  jobId: e.job_id,
  alias: e.alias,
  message: e.message,
  data: e.data,
});

export const toSessionLogsPage = (p: WireSessionLogs): SessionLogsPage => ({
  sessionId: p.session_id,
  events: p.events.map(toSessionEvent),
  nextAfter: p.next_after,
});
export type { SessionEventKind };
