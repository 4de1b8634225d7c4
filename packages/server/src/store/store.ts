import Database from "better-sqlite3";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { CloseReason, JobStatus } from "@terrarium/wire";
import { randomToken } from "../ids.js";
import { ShutdownCallbacks } from "./callbacks.js";
import { SessionEvents } from "./events.js";
import { migrate } from "./migrations.js";

export interface SessionRecord {
  id: string;
  taskPublicId: string | null;
  status: "active" | "closed";
  network: string;
  createdAt: string;
  closedAt: string | null;
  /** Where to POST once the session ends, and the bearer token to send (never answered or logged). */
  shutdownCallbackUrl: string | null;
  shutdownCallbackToken: string | null;
}

export interface JobRecord {
  id: string;
  sessionId: string;
  alias: string;
  simulator: string | null;
  tag: string | null;
  artifactId: string | null;
  /** Started from a memory artifact and resumed (reset resumes it again). */
  restoreMemory: boolean;
  image: string;
  status: JobStatus;
  error: string | null;
  containerId: string | null;
  heartbeatTimeout: number;
  lastHeartbeatAt: string;
  createdAt: string;
  closedAt: string | null;
  closeReason: CloseReason | null;
}

type JobRow = {
  id: string;
  session_id: string;
  alias: string;
  simulator: string | null;
  tag: string | null;
  artifact_id: string | null;
  restore_memory: number;
  image: string;
  status: JobStatus;
  error: string | null;
  container_id: string | null;
  heartbeat_timeout: number;
  last_heartbeat_at: string;
  created_at: string;
  closed_at: string | null;
  close_reason: CloseReason | null;
};
type SessionRow = {
  id: string;
  task_public_id: string | null;
  status: "active" | "closed";
  network: string;
  created_at: string;
  closed_at: string | null;
  shutdown_callback_url: string | null;
  shutdown_callback_token: string | null;
};

const toJob = (r: JobRow): JobRecord => ({
  id: r.id,
  sessionId: r.session_id,
  alias: r.alias,
  simulator: r.simulator,
  tag: r.tag,
  artifactId: r.artifact_id,
  restoreMemory: r.restore_memory === 1,
  image: r.image,
  status: r.status,
  error: r.error,
  containerId: r.container_id,
  heartbeatTimeout: r.heartbeat_timeout,
  lastHeartbeatAt: r.last_heartbeat_at,
  createdAt: r.created_at,
  closedAt: r.closed_at,
  closeReason: r.close_reason,
});
const toSession = (r: SessionRow): SessionRecord => ({
  id: r.id,
  taskPublicId: r.task_public_id,
  status: r.status,
  network: r.network,
  createdAt: r.created_at,
  closedAt: r.closed_at,
  shutdownCallbackUrl: r.shutdown_callback_url,
  shutdownCallbackToken: r.shutdown_callback_token,
});

export interface ArtifactRecord {
  id: string;
  /** A snapshot of an environment, or a simulator image's ready artifact (booted and warmed). */
  role: "snapshot" | "ready";
  /** For a ready artifact: the id of the image it was booted from (a rebuilt image needs a new one). */
  imageId: string | null;
  kind: "memory" | "disk";
  simulator: string;
  version: string;
  parentId: string | null;
  image: string;
  /** A memory artifact's checkpoint archive, relative to the artifacts folder. */
  checkpointFile: string | null;
  compression: string | null;
  size: number;
  sha256: string;
  publishedAs: string | null;
  sourceJobId: string | null;
  createdAt: string;
}
type ArtifactRow = {
  id: string;
  role: "snapshot" | "ready";
  image_id: string | null;
  kind: "memory" | "disk";
  simulator: string;
  version: string;
  parent_id: string | null;
  image: string;
  checkpoint_file: string | null;
  compression: string | null;
  size: number;
  sha256: string;
  published_as: string | null;
  source_job_id: string | null;
  created_at: string;
};
const toArtifact = (r: ArtifactRow): ArtifactRecord => ({
  id: r.id,
  role: r.role,
  imageId: r.image_id,
  kind: r.kind,
  simulator: r.simulator,
  version: r.version,
  parentId: r.parent_id,
  image: r.image,
  checkpointFile: r.checkpoint_file,
  compression: r.compression,
  size: r.size,
  sha256: r.sha256,
  publishedAs: r.published_as,
  sourceJobId: r.source_job_id,
  createdAt: r.created_at,
});

export type JobPatch = Partial<
  Pick<JobRecord, "status" | "error" | "containerId" | "lastHeartbeatAt" | "closedAt" | "closeReason">
>;
const jobColumns: Record<keyof JobPatch, string> = {
  status: "status",
  error: "error",
  containerId: "container_id",
  lastHeartbeatAt: "last_heartbeat_at",
  closedAt: "closed_at",
  closeReason: "close_reason",
};

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Metadata of sessions, jobs, artifacts and API keys in one SQLite file. Every write is a transaction, so a
 * crash leaves either the old or the new record, never half of one.
 */
export class Store {
  private readonly db: Database.Database;
  /** Sessions' logs: what happened in them, in order. */
  readonly events: SessionEvents;
  /** Shutdown callbacks owed, until delivered or given up. */
  readonly callbacks: ShutdownCallbacks;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma("foreign_keys = ON");
    this.db.pragma("busy_timeout = 5000");
    migrate(this.db);
    this.events = new SessionEvents(this.db);
    this.callbacks = new ShutdownCallbacks(this.db);
  }

  close(): void {
    this.db.close();
  }

  /** A stable id of this store: labels on containers say which server's store owns them. */
  instanceId(): string {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'instance_id'").get() as
      { value: string } | undefined;
    if (row) return row.value;
    const id = randomToken(10);
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('instance_id', ?)").run(id);
    return id;
  }

  insertSession(session: SessionRecord, jobs: JobRecord[]): void {
    const insertSession = this.db.prepare(
      `INSERT INTO sessions (id, task_public_id, status, network, created_at, closed_at, shutdown_callback_url,
        shutdown_callback_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      insertSession.run(
        session.id,
        session.taskPublicId,
        session.status,
        session.network,
        session.createdAt,
        session.closedAt,
        session.shutdownCallbackUrl,
        session.shutdownCallbackToken,
      );
      for (const job of jobs) this.insertJob(job);
    })();
  }

  /** A job of an existing session (an environment added to it live); its alias must be free among the open ones. */
  insertJob(job: JobRecord): void {
    this.db
      .prepare(
        `INSERT INTO jobs (id, session_id, alias, simulator, tag, artifact_id, restore_memory, image, status, error,
          container_id, heartbeat_timeout, last_heartbeat_at, created_at, closed_at, close_reason)
         VALUES (@id, @sessionId, @alias, @simulator, @tag, @artifactId, @restoreMemory, @image, @status, @error,
          @containerId, @heartbeatTimeout, @lastHeartbeatAt, @createdAt, @closedAt, @closeReason)`,
      )
      .run({ ...job, restoreMemory: job.restoreMemory ? 1 : 0 });
  }

  getSession(id: string): SessionRecord | undefined {
    const row = this.db.prepare("SELECT * FROM sessions WHERE id = ?").get(id) as SessionRow | undefined;
    return row && toSession(row);
  }

  listSessions(status: "active" | "closed" | "all"): SessionRecord[] {
    const rows = (
      status === "all"
        ? this.db.prepare("SELECT * FROM sessions ORDER BY created_at DESC").all()
        : this.db.prepare("SELECT * FROM sessions WHERE status = ? ORDER BY created_at DESC").all(status)
    ) as SessionRow[];
    return rows.map(toSession);
  }

  /** A task attached to a running session (link-testcase). */
  updateSessionTask(id: string, taskId: string): void {
    this.db.prepare("UPDATE sessions SET task_public_id = ? WHERE id = ?").run(taskId, id);
  }

  /** The session's environments moved to another network (a pooled environment's, at create or reset). */
  updateSessionNetwork(id: string, network: string): void {
    this.db.prepare("UPDATE sessions SET network = ? WHERE id = ?").run(network, id);
  }

  /**
   * Closes an active session; with `callback` (its shutdown callback's body), the callback is owed from the
   * same transaction, so a crash cannot close the session and forget to call back.
   */
  closeSession(id: string, closedAt: string, callback?: string): void {
    this.db.transaction(() => {
      const closed = this.db
        .prepare("UPDATE sessions SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'active'")
        .run(closedAt, id);
      const session = this.getSession(id);
      if (closed.changes === 1 && callback !== undefined && session?.shutdownCallbackUrl)
        this.callbacks.owe(id, session.shutdownCallbackUrl, session.shutdownCallbackToken, callback, closedAt);
    })();
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.db.prepare("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  jobsOfSession(sessionId: string): JobRecord[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE session_id = ? ORDER BY rowid").all(sessionId) as JobRow[];
    return rows.map(toJob);
  }

  /** Jobs that hold or may hold a container: everything not closed. */
  openJobs(): JobRecord[] {
    const rows = this.db.prepare("SELECT * FROM jobs WHERE status != 'closed' ORDER BY rowid").all() as JobRow[];
    return rows.map(toJob);
  }

  updateJob(id: string, patch: JobPatch): void {
    const keys = Object.keys(patch) as (keyof JobPatch)[];
    if (keys.length === 0) return;
    const sets = keys.map((k) => `${jobColumns[k]} = @${k}`).join(", ");
    this.db.prepare(`UPDATE jobs SET ${sets} WHERE id = @id`).run({ ...patch, id });
  }

  insertArtifact(artifact: ArtifactRecord): void {
    this.db
      .prepare(
        `INSERT INTO artifacts (id, role, image_id, kind, simulator, version, parent_id, image, checkpoint_file,
          compression, size, sha256, published_as, source_job_id, created_at)
         VALUES (@id, @role, @imageId, @kind, @simulator, @version, @parentId, @image, @checkpointFile, @compression,
          @size, @sha256, @publishedAs, @sourceJobId, @createdAt)`,
      )
      .run(artifact);
  }

  getArtifact(id: string): ArtifactRecord | undefined {
    const row = this.db.prepare("SELECT * FROM artifacts WHERE id = ?").get(id) as ArtifactRow | undefined;
    return row && toArtifact(row);
  }

  listArtifacts(): ArtifactRecord[] {
    const rows = this.db.prepare("SELECT * FROM artifacts ORDER BY created_at DESC, rowid DESC").all() as ArtifactRow[];
    return rows.map(toArtifact);
  }

  /** The newest ready artifact of an image (by name). */
  readyArtifact(image: string): ArtifactRecord | undefined {
    const row = this.db
      .prepare(
        "SELECT * FROM artifacts WHERE role = 'ready' AND image = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
      )
      .get(image) as ArtifactRow | undefined;
    return row && toArtifact(row);
  }

  childrenOf(id: string): string[] {
    const rows = this.db.prepare("SELECT id FROM artifacts WHERE parent_id = ? ORDER BY rowid").all(id) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  }

  deleteArtifact(id: string): void {
    this.db.prepare("DELETE FROM artifacts WHERE id = ?").run(id);
  }

  /** Open jobs that started from the artifact (their reset goes back to it). */
  openJobsOfArtifact(id: string): JobRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM jobs WHERE artifact_id = ? AND status != 'closed' ORDER BY rowid")
      .all(id) as JobRow[];
    return rows.map(toJob);
  }

  hasApiKeys(): boolean {
    return this.db.prepare("SELECT 1 FROM api_keys LIMIT 1").get() !== undefined;
  }

  /** Creates an API key and returns it; only its hash is stored. */
  createApiKey(): string {
    const key = `tk_${randomBytes(24).toString("base64url")}`;
    this.db.prepare("INSERT INTO api_keys (hash, created_at) VALUES (?, ?)").run(sha256(key), new Date().toISOString());
    return key;
  }

  isValidApiKey(key: string): boolean {
    return this.db.prepare("SELECT 1 FROM api_keys WHERE hash = ?").get(sha256(key)) !== undefined;
  }
}
