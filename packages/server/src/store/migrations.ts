import type Database from "better-sqlite3";

/** Each entry moves the schema one version up; `PRAGMA user_version` records where a file stands. */
const migrations: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     task_public_id TEXT,
     status TEXT NOT NULL CHECK (status IN ('active', 'closed')),
     network TEXT NOT NULL,
     created_at TEXT NOT NULL,
     closed_at TEXT
   );
   CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id),
     alias TEXT NOT NULL,
     simulator TEXT,
     tag TEXT,
     artifact_id TEXT,
     image TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('starting', 'running', 'failed', 'closed')),
     error TEXT,
     container_id TEXT,
     heartbeat_timeout INTEGER NOT NULL,
     last_heartbeat_at TEXT NOT NULL,
     created_at TEXT NOT NULL,
     closed_at TEXT,
     close_reason TEXT,
     UNIQUE (session_id, alias)
   );
   CREATE INDEX jobs_open ON jobs (status) WHERE status != 'closed';
   CREATE TABLE api_keys (hash TEXT PRIMARY KEY, created_at TEXT NOT NULL);`,
  // Snapshots: artifacts, and whether a job started from one resumes its memory.
  `CREATE TABLE artifacts (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('memory', 'disk')),
     simulator TEXT NOT NULL,
     version TEXT NOT NULL,
     parent_id TEXT,
     image TEXT NOT NULL,
     checkpoint_file TEXT,
     compression TEXT,
     size INTEGER NOT NULL,
     sha256 TEXT NOT NULL,
     published_as TEXT,
     source_job_id TEXT,
     created_at TEXT NOT NULL
   );
   CREATE INDEX artifacts_parent ON artifacts (parent_id);
   ALTER TABLE jobs ADD COLUMN restore_memory INTEGER NOT NULL DEFAULT 0;`,
  // Ready artifacts: a simulator image booted, warmed and checkpointed, for the image id it was made of.
  `ALTER TABLE artifacts ADD COLUMN role TEXT NOT NULL DEFAULT 'snapshot' CHECK (role IN ('snapshot', 'ready'));
   ALTER TABLE artifacts ADD COLUMN image_id TEXT;`,
  // Live sessions: an alias is unique among a session's open jobs only (a removed environment's alias can be
  // given again), sessions' event logs, and shutdown callbacks kept until delivered.
  `CREATE TABLE jobs_new (
     id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id),
     alias TEXT NOT NULL,
     simulator TEXT,
     tag TEXT,
     artifact_id TEXT,
     image TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('starting', 'running', 'failed', 'closed')),
     error TEXT,
     container_id TEXT,
     heartbeat_timeout INTEGER NOT NULL,
     last_heartbeat_at TEXT NOT NULL,
     created_at TEXT NOT NULL,
     closed_at TEXT,
     close_reason TEXT,
     restore_memory INTEGER NOT NULL DEFAULT 0
   );
   INSERT INTO jobs_new (id, session_id, alias, simulator, tag, artifact_id, image, status, error, container_id,
     heartbeat_timeout, last_heartbeat_at, created_at, closed_at, close_reason, restore_memory)
   SELECT id, session_id, alias, simulator, tag, artifact_id, image, status, error, container_id, heartbeat_timeout,
     last_heartbeat_at, created_at, closed_at, close_reason, restore_memory FROM jobs ORDER BY rowid;
   DROP TABLE jobs;
   ALTER TABLE jobs_new RENAME TO jobs;
   CREATE INDEX jobs_open ON jobs (status) WHERE status != 'closed';
   CREATE INDEX jobs_session ON jobs (session_id);
   CREATE UNIQUE INDEX jobs_open_alias ON jobs (session_id, alias) WHERE status != 'closed';
   ALTER TABLE sessions ADD COLUMN shutdown_callback_url TEXT;
   ALTER TABLE sessions ADD COLUMN shutdown_callback_token TEXT;
   CREATE TABLE session_events (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     session_id TEXT NOT NULL,
     job_id TEXT,
     alias TEXT,
     at TEXT NOT NULL,
     kind TEXT NOT NULL,
     message TEXT NOT NULL,
     data TEXT
   );
   CREATE INDEX session_events_session ON session_events (session_id, seq);
   CREATE TABLE shutdown_callbacks (
     session_id TEXT PRIMARY KEY,
     url TEXT NOT NULL,
     token TEXT,
     payload TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at TEXT NOT NULL,
     delivered_at TEXT,
     abandoned_at TEXT,
     last_error TEXT
   );
   CREATE INDEX shutdown_callbacks_due ON shutdown_callbacks (next_attempt_at)
     WHERE delivered_at IS NULL AND abandoned_at IS NULL;`,
];

export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(
      `the store was written by a newer Terrarium (schema ${current}, this one knows ${migrations.length}); upgrade Terrarium`,
    );
  }
  for (let version = current; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
