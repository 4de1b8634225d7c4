import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Readable } from "node:stream";
import { extract } from "tar-stream";
import type { DbState, EnvState, SimulatorManifest } from "@terrarium/wire";
import type { Runtime } from "../runtime/runtime.js";
import { diffManifests, manifestOf } from "./files.js";
import { foldChanges } from "./fold.js";
import { describeMessages, isMessageFile } from "./maildir.js";
import { applyNoise } from "./noise.js";
import { markBinlog, readBinlog, type BinlogPosition, type CascadeSnapshot } from "./mariadb.js";
import { createSlot, readSlot, slotName } from "./postgres.js";
import { queryMariadb, queryPostgres, querySqlite, type Rows } from "./query.js";
import { diffSqlite } from "./sqlite-diff.js";

type Database = SimulatorManifest["state"]["databases"][number];

/** What capture needs of a job: its id, alias and running container. */
export interface CaptureTarget {
  jobId: string;
  alias: string;
  containerId: string;
  manifest: SimulatorManifest;
}

const COMPLETE = "complete";
const NO_NOISE_RULES = { tables: [], columns: [], rows: [] };

export interface StateRequest {
  /** Net changes, or the ordered log. */
  mode: "net" | "log";
  /** Apply the simulator's noise rules (off for calibration). */
  noise: boolean;
}

/**
 * State capture: at start and reset it stores a baseline of each environment's databases and
 * watched directories under `dir/<job>/`; `state` diffs the live environment against it. A baseline
 * is written to a temporary folder and renamed when whole, so a crash never leaves half of one.
 */
export class StateCapture {
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly runtime: Runtime,
    private readonly dir: string,
  ) {}

  private folder(jobId: string) {
    return join(this.dir, jobId);
  }

  hasBaseline(jobId: string): boolean {
    return existsSync(join(this.folder(jobId), COMPLETE));
  }

  /** Takes a baseline unless one exists (or is being taken); `fresh` replaces an existing one (reset). */
  baseline(target: CaptureTarget, fresh = false): Promise<void> {
    const running = this.pending.get(target.jobId);
    if (running && !fresh) return running;
    if (!fresh && this.hasBaseline(target.jobId)) return Promise.resolve();
    const work = (running ?? Promise.resolve()).catch(() => undefined).then(() => this.takeBaseline(target));
    const tracked = work.finally(() => {
      if (this.pending.get(target.jobId) === tracked) this.pending.delete(target.jobId);
    });
    this.pending.set(target.jobId, tracked);
    return tracked;
  }

  private async takeBaseline(target: CaptureTarget): Promise<void> {
    const folder = this.folder(target.jobId);
    const temporary = `${folder}.tmp`;
    rmSync(temporary, { recursive: true, force: true });
    mkdirSync(temporary, { recursive: true });
    const { databases, files } = target.manifest.state;
    // Each source is a round trip into the environment: all of them side by side.
    await Promise.all([
      ...databases.map(async (db) => {
        if (db.engine === "sqlite") {
          writeFileSync(join(temporary, `db-${db.name}.sqlite`), await this.sqliteCopy(target.containerId, db));
        } else if (db.engine === "postgres") {
          const slot = slotName(target.jobId);
          const lsn = await untilItWorks(async () => createSlot(await this.networkSource(target, db), slot));
          writeFileSync(join(temporary, `db-${db.name}.json`), JSON.stringify({ slot, lsn }));
        } else {
          const mark = await untilItWorks(async () => markBinlog(await this.networkSource(target, db)));
          writeFileSync(join(temporary, `db-${db.name}.json`), JSON.stringify(mark));
        }
      }),
      ...files.map(async (watched, index) => {
        writeFileSync(
          join(temporary, `files-${index}.tar`),
          await this.runtime.archive(target.containerId, watched.root),
        );
      }),
    ]);
    writeFileSync(join(temporary, COMPLETE), new Date().toISOString());
    rmSync(folder, { recursive: true, force: true });
    renameSync(temporary, folder);
  }

  /**
   * Hands a baseline taken under one key (a pooled environment's) to a job, as if taken for it. The
   * environment it describes must be the job's from now on.
   */
  async adopt(from: string, jobId: string): Promise<void> {
    await this.pending.get(from);
    if (!this.hasBaseline(from)) throw new Error(`no baseline was taken for ${from}`);
    this.drop(jobId);
    renameSync(this.folder(from), this.folder(jobId));
  }

  /** Forgets a job's baseline (at close). */
  drop(jobId: string): void {
    this.pending.delete(jobId);
    rmSync(this.folder(jobId), { recursive: true, force: true });
    rmSync(`${this.folder(jobId)}.tmp`, { recursive: true, force: true });
  }

  /** Removes the baselines of every job not in `keep` (after a crash or a restart). */
  prune(keep: Set<string>): void {
    if (!existsSync(this.dir)) return;
    for (const entry of readdirSync(this.dir)) {
      // A .tmp folder is a baseline a crash interrupted: never complete, always removed.
      if (entry.endsWith(".tmp") || !keep.has(entry)) rmSync(join(this.dir, entry), { recursive: true, force: true });
    }
  }

  /** What changed in the environment since its baseline. */
  async state(target: CaptureTarget, request: StateRequest): Promise<EnvState> {
    const { mode } = request;
    await this.pending.get(target.jobId);
    const folder = this.folder(target.jobId);
    if (!this.hasBaseline(target.jobId)) {
      throw new Error(
        "no baseline was taken for this environment (it never became ready since its last start or reset)",
      );
    }
    const warnings: string[] = [];
    for (const db of target.manifest.state.databases) {
      if (db.engine === "sqlite" && mode === "log") {
        warnings.push(`${db.name}: SQLite capture diffs snapshots, so its log holds the net changes`);
      }
    }
    // Databases and folders are read side by side: each costs a round trip into the environment.
    const [diffs, fileChanges] = await Promise.all([
      Promise.all(
        target.manifest.state.databases.map((db) =>
          db.engine === "sqlite"
            ? this.sqliteState(target, db, folder, request)
            : this.logState(target, db, folder, request, warnings),
        ),
      ),
      Promise.all(
        target.manifest.state.files.map(async (watched, index) => {
          const keep = watched.format === "maildir" ? isMessageFile : undefined;
          const before = await manifestOf(readFileSync(join(folder, `files-${index}.tar`)), watched.root, keep);
          const archive = await this.runtime.archive(target.containerId, watched.root);
          const after = await manifestOf(archive, watched.root, keep);
          const changes = diffManifests(before, after, watched.root, watched.ignore);
          return keep ? describeMessages(changes, before, after, watched.root) : changes;
        }),
      ),
    ]);
    let seq = 0;
    const dbs = diffs.map((db) => ({
      ...db,
      changes: db.changes.map((c) => ({ ...c, id: `${target.alias}:${++seq}` })),
    }));
    const files = fileChanges.flat();
    return { env: target.alias, dbs, files, warnings };
  }

  /**
   * A read-only query on one of the environment's databases (the first when `db` is unset): live, or
   * for SQLite also on the baseline copy. PostgreSQL and MariaDB run it in a READ ONLY transaction
   * with a statement timeout; SQLite on a consistent copy opened read-only.
   */
  async query(
    target: CaptureTarget,
    request: { db?: string; sql: string; params?: unknown[]; from?: "live" | "baseline"; timeoutMs: number },
  ): Promise<{ engine: Database["engine"]; rows: Rows }> {
    const databases = target.manifest.state.databases;
    const db = request.db ? databases.find((d) => d.name === request.db) : databases[0];
    if (!db) {
      throw new Error(
        request.db
          ? `no database "${request.db}" in ${target.alias} (it has ${databases.map((d) => d.name).join(", ") || "none"})`
          : `${target.alias} declares no database`,
      );
    }
    const params = request.params ?? [];
    if (db.engine === "sqlite") {
      if (request.from === "baseline") {
        await this.pending.get(target.jobId);
        const file = join(this.folder(target.jobId), `db-${db.name}.sqlite`);
        if (!existsSync(file)) throw new Error(`${target.alias}: no baseline of ${db.name}`);
        return { engine: db.engine, rows: querySqlite(file, request.sql, params, request.timeoutMs) };
      }
      mkdirSync(this.dir, { recursive: true });
      const live = join(this.dir, `query-${target.jobId}-${randomUUID()}.sqlite`);
      try {
        writeFileSync(live, await this.sqliteCopy(target.containerId, db));
        return { engine: db.engine, rows: querySqlite(live, request.sql, params, request.timeoutMs) };
      } finally {
        rmSync(live, { force: true });
      }
    }
    if (request.from === "baseline") throw new Error(`${db.name}: only SQLite baselines can be queried directly`);
    const source = await this.networkSource(target, db);
    return {
      engine: db.engine,
      rows:
        db.engine === "postgres"
          ? await queryPostgres(source, request.sql, params, request.timeoutMs)
          : await queryMariadb(source, request.sql, params, request.timeoutMs),
    };
  }

  private async networkSource(target: CaptureTarget, db: Database) {
    const info = await this.runtime.inspectEnvironment(target.containerId);
    if (!info?.address) throw new Error(`${db.name}: the environment has no address`);
    if (!db.user || !db.password) throw new Error(`${db.name}: the simulator declares no capture user and password`);
    const port = db.port ?? (db.engine === "postgres" ? 5432 : 3306);
    return { address: info.address, port, database: db.location, user: db.user, password: db.password };
  }

  /** PostgreSQL (logical decoding) and MariaDB (binary log): an ordered log, folded unless asked for. */
  private async logState(
    target: CaptureTarget,
    db: Database,
    folder: string,
    { mode, noise }: StateRequest,
    warnings: string[],
  ): Promise<DbState> {
    const mark = JSON.parse(readFileSync(join(folder, `db-${db.name}.json`), "utf8")) as {
      slot?: string;
      position?: BinlogPosition;
      cascades?: CascadeSnapshot;
    };
    const engine = db.engine === "postgres" ? "PostgreSQL" : "MariaDB";
    let log;
    try {
      const source = await this.networkSource(target, db);
      log =
        db.engine === "postgres"
          ? { ...(await readSlot(source, mark.slot!)), reconciled: false }
          : await readBinlog(source, mark.position!, mark.cascades ?? {});
    } catch (error) {
      throw new Error(`${db.name}: cannot read ${engine} database ${db.location}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    warnings.push(...log.warnings.map((w) => `${db.name}: ${w}`));
    const { changes, ignored } = applyNoise(
      mode === "net" ? foldChanges(log.changes) : log.changes,
      noise ? db.ignore : NO_NOISE_RULES,
    );
    const tables = Object.fromEntries(
      Object.entries(log.tables).filter(([name]) => changes.some((c) => c.table === name)),
    );
    return {
      name: db.name,
      engine: db.engine === "postgres" ? "postgres" : "mariadb",
      database: db.location,
      capture: {
        method: db.engine === "postgres" ? "logical" : "binlog",
        cut: log.cut,
        ...(log.reconciled ? { reconciled_with: "snapshot" as const } : {}),
      },
      tables,
      changes: changes.map((c) => ({ id: "", ...c })),
      ignored,
    };
  }

  private async sqliteState(
    target: CaptureTarget,
    db: Database,
    folder: string,
    { noise }: StateRequest,
  ): Promise<DbState> {
    const live = join(folder, `live-${db.name}-${randomUUID()}.sqlite`);
    try {
      writeFileSync(live, await this.sqliteCopy(target.containerId, db));
      const cut = new Date().toISOString();
      const diff = diffSqlite(join(folder, `db-${db.name}.sqlite`), live, noise ? db.ignore : NO_NOISE_RULES);
      return {
        name: db.name,
        engine: "sqlite",
        database: db.location,
        capture: { method: "snapshot", cut },
        tables: diff.tables,
        changes: diff.changes.map((c) => ({ id: "", ...c })),
        ...(diff.schemaChanges.length ? { schema_changes: diff.schemaChanges } : {}),
        ignored: diff.ignored,
      };
    } finally {
      rmSync(live, { force: true });
    }
  }

  /**
   * A consistent copy of a live SQLite database: SQLite's backup API inside the environment (it
   * reads under a shared lock, so a concurrent write is either in the copy or not), then the file.
   */
  private async sqliteCopy(containerId: string, db: Database): Promise<Buffer> {
    const copy = `/tmp/.terrarium-capture-${randomUUID()}.sqlite`;
    const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
    const result = await this.runtime.exec(
      containerId,
      `{ test -f ${q(db.location)} || { echo "no such file" >&2; exit 3; }; } && sqlite3 -readonly -cmd '.timeout 10000' ${q(db.location)} ${q(`.backup '${copy}'`)}`,
      { timeoutSeconds: 60, outputLimit: 64 * 1024 },
    );
    if (result.timedOut) throw new Error(`${db.name}: copying ${db.location} timed out`);
    if (result.exitCode === 127)
      throw new Error(`${db.name}: the environment has no sqlite3 command; the simulator's image must install it`);
    if (result.exitCode !== 0)
      throw new Error(`${db.name}: cannot read ${db.location}: ${(result.stderr || result.stdout).trim()}`);
    const tar = await this.runtime.archive(containerId, copy);
    // Tidying up is not on the caller's clock; the next copy starts with rm -f anyway.
    void this.runtime
      .exec(containerId, `rm -f ${q(copy)}`, { timeoutSeconds: 10, outputLimit: 1024 })
      .catch(() => undefined);
    return firstFile(tar);
  }
}

export async function firstFile(archive: Buffer): Promise<Buffer> {
  const tar = extract();
  Readable.from([archive]).pipe(tar);
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === "file") return Buffer.concat(chunks);
  }
  throw new Error("the archive holds no file");
}

/**
 * A database server can accept connections a moment before it serves them ("the database system is
 * starting up"): the baseline retries for a few seconds before it gives up.
 */
async function untilItWorks<T>(work: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
