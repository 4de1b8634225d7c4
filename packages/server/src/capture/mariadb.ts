import ZongJi, { type AnyBinlogEvent } from "@vlasky/zongji";
import mysql from "mysql2/promise";
import type { DbState, RowChange, Value } from "@terrarium/wire";
import { normalise } from "./values.js";

type Change = Omit<RowChange, "id">;

export interface MariadbSource {
  address: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

export interface BinlogPosition {
  file: string;
  position: number;
}

/** Rows of the tables that foreign-key cascades change: the binlog does not carry those changes. */
export type CascadeSnapshot = Record<string, { pk: string[]; rows: Record<string, Value>[] }>;

export interface MariadbLog {
  cut: string;
  changes: Change[];
  tables: DbState["tables"];
  warnings: string[];
  reconciled: boolean;
}

const READ_TIMEOUT_MS = 30_000;

export const connectMariadb = (s: MariadbSource) =>
  mysql.createConnection({
    host: s.address,
    port: s.port,
    user: s.user,
    password: s.password,
    database: s.database,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 5000,
  });

async function currentPosition(connection: mysql.Connection): Promise<BinlogPosition> {
  const [rows] = await connection.query("SHOW MASTER STATUS");
  const row = (rows as { File: string; Position: number }[])[0];
  if (!row) throw new Error("the binary log is off (log_bin): row changes cannot be captured");
  return { file: row.File, position: Number(row.Position) };
}

/**
 * Tables on the child side of an ON DELETE/UPDATE CASCADE (or SET NULL) foreign key. Read from
 * SHOW CREATE TABLE: MariaDB hides REFERENTIAL_CONSTRAINTS from an account that may only SELECT.
 */
async function cascadeTables(connection: mysql.Connection, database: string): Promise<string[]> {
  const [rows] = await connection.query(
    `SELECT DISTINCT TABLE_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
     WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL`,
    [database],
  );
  const tables: string[] = [];
  for (const { name } of rows as { name: string }[]) {
    const [created] = await connection.query(`SHOW CREATE TABLE \`${name.replaceAll("`", "``")}\``);
    const sql = String((created as Record<string, unknown>[])[0]?.["Create Table"] ?? "");
    if (/ON (DELETE|UPDATE) (CASCADE|SET NULL)/i.test(sql)) tables.push(name);
  }
  return tables;
}

async function primaryKeys(connection: mysql.Connection, database: string): Promise<Map<string, string[]>> {
  const [rows] = await connection.query(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.KEY_COLUMN_USAGE
     WHERE TABLE_SCHEMA = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  const keys = new Map<string, string[]>();
  for (const { t, c } of rows as { t: string; c: string }[]) keys.set(t, [...(keys.get(t) ?? []), c]);
  return keys;
}

async function snapshot(connection: mysql.Connection, database: string, tables: string[]): Promise<CascadeSnapshot> {
  const keys = await primaryKeys(connection, database);
  const out: CascadeSnapshot = {};
  for (const table of tables) {
    const [rows] = await connection.query(`SELECT * FROM \`${table.replaceAll("`", "``")}\``);
    out[table] = { pk: keys.get(table) ?? [], rows: (rows as Record<string, unknown>[]).map(normaliseRow) };
  }
  return out;
}

/** Starts capture: the current end of the binary log, and a snapshot of cascade-changed tables. */
export async function markBinlog(
  source: MariadbSource,
): Promise<{ position: BinlogPosition; cascades: CascadeSnapshot }> {
  const connection = await connectMariadb(source);
  try {
    const position = await currentPosition(connection);
    const cascades = await snapshot(connection, source.database, await cascadeTables(connection, source.database));
    return { position, cascades };
  } finally {
    await connection.end();
  }
}

/**
 * Reads the row events of the database from the recorded position to the current end of the binary
 * log (the cut, taken first), then replaces the changes of cascade-changed tables by a snapshot diff.
 */
export async function readBinlog(
  source: MariadbSource,
  from: BinlogPosition,
  cascades: CascadeSnapshot,
): Promise<MariadbLog> {
  const connection = await connectMariadb(source);
  try {
    const cut = await currentPosition(connection);
    const keys = await primaryKeys(connection, source.database);
    const events = samePosition(cut, from) ? [] : await streamRows(source, from, cut);
    const cascade = new Set(Object.keys(cascades));
    const changes: Change[] = [];
    const tables: DbState["tables"] = {};
    let seq = 0;
    for (const event of events) {
      if (cascade.has(event.table)) continue;
      const pk = keys.get(event.table) ?? [];
      const name = `${source.database}.${event.table}`;
      tables[name] ??= { pk, columns: event.columns };
      for (const row of event.rows) {
        const before = row.before ? normaliseRow(row.before) : null;
        const after = row.after ? normaliseRow(row.after) : null;
        const keyed = after ?? before!;
        const change: Change = {
          table: name,
          op: event.op,
          pk: Object.fromEntries(
            (pk.length ? pk : Object.keys(keyed)).map((k) => [k, keyed[k] as string | number | null]),
          ),
          before,
          after,
          seq: ++seq,
          tx: `${event.file}:${event.position}`,
          ts: new Date(event.timestamp).toISOString(),
        };
        if (before && after)
          change.changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
        changes.push(change);
      }
    }
    const now = await snapshot(connection, source.database, [...cascade]);
    for (const [table, then] of Object.entries(cascades)) {
      const name = `${source.database}.${table}`;
      const diff = diffRows(name, then.pk, then.rows, now[table]?.rows ?? []);
      if (diff.length) tables[name] = { pk: then.pk, columns: {} };
      changes.push(...diff.map((c) => ({ ...c, seq: ++seq })));
    }
    const warnings = cascade.size
      ? [`foreign-key cascade tables reconciled by snapshot: [${[...cascade].sort().join(", ")}]`]
      : [];
    return { cut: `${cut.file}:${cut.position}`, changes, tables, warnings, reconciled: cascade.size > 0 };
  } finally {
    await connection.end();
  }
}

const samePosition = (a: BinlogPosition, b: BinlogPosition) => a.file === b.file && a.position === b.position;
const sequence = (file: string) => Number(/\.(\d+)$/.exec(file)?.[1] ?? 0);
const reached = (file: string, position: number, cut: BinlogPosition) =>
  sequence(file) > sequence(cut.file) || (sequence(file) === sequence(cut.file) && position >= cut.position);

interface RowsRead {
  table: string;
  op: Change["op"];
  rows: { before?: Record<string, unknown>; after?: Record<string, unknown> }[];
  columns: Record<string, string>;
  file: string;
  position: number;
  timestamp: number;
}

/** Streams the binary log from `from` until the event that ends at or past `cut`. */
function streamRows(source: MariadbSource, from: BinlogPosition, cut: BinlogPosition): Promise<RowsRead[]> {
  return new Promise((resolve, reject) => {
    const zongji = new ZongJi({
      host: source.address,
      port: source.port,
      user: source.user,
      password: source.password,
      dateStrings: true,
    });
    const read: RowsRead[] = [];
    let file = from.file;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      zongji.stop();
      if (error) reject(error);
      else resolve(read);
    };
    const timer = setTimeout(
      () => finish(new Error(`reading the binary log did not reach ${cut.file}:${cut.position} in time`)),
      READ_TIMEOUT_MS,
    );
    zongji.on("error", (error: Error) => finish(error));
    zongji.on("binlog", (binlogEvent: AnyBinlogEvent) => {
      const event = binlogEvent as unknown as Record<string, unknown> & {
        getEventName(): string;
        nextPosition: number;
        timestamp: number;
      };
      const name = event.getEventName();
      if (name === "rotate") file = String(event.binlogName);
      const ops: Record<string, Change["op"]> = { writerows: "insert", updaterows: "update", deleterows: "delete" };
      const op = ops[name];
      if (op) {
        const map = (
          event.tableMap as Record<
            number,
            { parentSchema: string; tableName: string; columnSchemas: { COLUMN_NAME: string; COLUMN_TYPE: string }[] }
          >
        )[event.tableId as number];
        if (map && map.parentSchema === source.database) {
          const rows = (event.rows as Record<string, unknown>[]).map((r) =>
            op === "update"
              ? { before: r.before as Record<string, unknown>, after: r.after as Record<string, unknown> }
              : op === "insert"
                ? { after: r }
                : { before: r },
          );
          const columns = Object.fromEntries(map.columnSchemas.map((c) => [c.COLUMN_NAME, c.COLUMN_TYPE]));
          read.push({
            table: map.tableName,
            op,
            rows,
            columns,
            file,
            position: event.nextPosition,
            timestamp: event.timestamp,
          });
        }
      }
      if (event.nextPosition > 0 && reached(file, event.nextPosition, cut)) finish();
    });
    zongji.start({
      filename: from.file,
      position: from.position,
      serverId: 100_000 + Math.floor(Math.random() * 1_000_000),
    });
  });
}

function diffRows(
  table: string,
  pk: string[],
  before: Record<string, Value>[],
  after: Record<string, Value>[],
): Change[] {
  const key = (row: Record<string, Value>) => JSON.stringify((pk.length ? pk : Object.keys(row)).map((k) => row[k]));
  const old = new Map(before.map((r) => [key(r), r]));
  const changes: Change[] = [];
  const pkOf = (row: Record<string, Value>) =>
    Object.fromEntries((pk.length ? pk : Object.keys(row)).map((k) => [k, row[k] as string | number | null]));
  for (const row of after) {
    const previous = old.get(key(row));
    old.delete(key(row));
    if (!previous) changes.push({ table, op: "insert", pk: pkOf(row), before: null, after: row });
    else {
      const changed = Object.keys(row).filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(row[k]));
      if (changed.length) changes.push({ table, op: "update", pk: pkOf(row), before: previous, after: row, changed });
    }
  }
  for (const row of old.values()) changes.push({ table, op: "delete", pk: pkOf(row), before: row, after: null });
  return changes;
}

/**
 * MariaDB apps keep text in binary columns (MediaWiki's titles and page text are VARBINARY and BLOB):
 * bytes that are valid UTF-8 text are kept as strings, other bytes as {$b64}.
 */
export function normaliseRow(row: Record<string, unknown>): Record<string, Value> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => {
      if (Buffer.isBuffer(v)) {
        const text = v.toString("utf8");
        if (!v.includes(0) && !text.includes("\uFFFD")) return [k, text];
      }
      return [k, normalise(v)];
    }),
  );
}
