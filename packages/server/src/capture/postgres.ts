import { parse as parseLossless } from "lossless-json";
import pg from "pg";
import type { DbState, RowChange, Value } from "@terrarium/wire";

type Change = Omit<RowChange, "id">;

export interface PostgresSource {
  address: string;
  port: number;
  database: string;
  user: string;
  password: string;
}

interface Wal2JsonColumn {
  name: string;
  type: string;
  value: unknown;
}
interface Wal2JsonRecord {
  action: "B" | "C" | "I" | "U" | "D" | "T" | "M";
  xid?: number;
  timestamp?: string;
  schema?: string;
  table?: string;
  columns?: Wal2JsonColumn[];
  identity?: Wal2JsonColumn[];
  pk?: { name: string; type: string }[];
}

export interface PostgresLog {
  cut: string;
  changes: Change[];
  tables: DbState["tables"];
  warnings: string[];
}

/** A connection as the capture user; `options` adds to or overrides the defaults (e.g. type parsers). */
export async function connect(source: PostgresSource, options: pg.ClientConfig = {}): Promise<pg.Client> {
  const client = new pg.Client({
    host: source.address,
    port: source.port,
    database: source.database,
    user: source.user,
    password: source.password,
    connectionTimeoutMillis: 5000,
    statement_timeout: 30_000,
    ...options,
  });
  await client.connect();
  return client;
}

/** Logical replication slots are named per job: `terrarium_<job id>`. */
export const slotName = (jobId: string) => `terrarium_${jobId.replace(/[^a-z0-9_]/g, "_")}`;

/**
 * Starts capture: (re)creates the job's logical replication slot with the wal2json plugin. Every
 * change committed after this point is kept by PostgreSQL until the slot is dropped.
 */
export async function createSlot(source: PostgresSource, slot: string): Promise<string> {
  const client = await connect(source);
  try {
    await client.query("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1", [
      slot,
    ]);
    // An environment resumed from a memory snapshot brings its source's slot along: unread, it would pin
    // the WAL. Dropping it is best effort (a slot in an image's lower layer cannot be renamed away).
    const { rows: stale } = await client.query<{ slot_name: string }>(
      "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE 'terrarium\\_%' AND slot_name <> $1 AND NOT active",
      [slot],
    );
    for (const { slot_name } of stale)
      await client.query("SELECT pg_drop_replication_slot($1)", [slot_name]).catch(() => undefined);
    const { rows } = await client.query<{ lsn: string }>(
      "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'wal2json')",
      [slot],
    );
    return rows[0]!.lsn;
  } finally {
    await client.end();
  }
}

/**
 * Reads every change committed since the slot was created, up to a consistent cut (the current WAL
 * position), without consuming it: the same call later sees the same changes and more.
 */
export async function readSlot(source: PostgresSource, slot: string): Promise<PostgresLog> {
  const client = await connect(source);
  try {
    const { rows: cutRows } = await client.query<{ cut: string }>("SELECT pg_current_wal_lsn()::text AS cut");
    const cut = cutRows[0]!.cut;
    const { rows } = await client.query<{ lsn: string; data: string }>(
      `SELECT lsn::text, data FROM pg_logical_slot_peek_changes($1, $2::pg_lsn, NULL,
         'format-version', '2', 'include-xids', '1', 'include-timestamp', '1', 'include-types', '1', 'include-pk', '1')`,
      [slot, cut],
    );
    // Numbers are read as their digits, so bigints and numerics keep every one (normalisePg types them).
    return { cut, ...decode(rows.map((r) => parseLossless(r.data, undefined, String) as Wal2JsonRecord)) };
  } finally {
    await client.end();
  }
}

/** Turns wal2json (format 2) records into ordered row changes with normalised values. */
export function decode(records: Wal2JsonRecord[]): Omit<PostgresLog, "cut"> {
  const changes: Change[] = [];
  const tables: DbState["tables"] = {};
  const warnings = new Set<string>();
  let xid: string | undefined;
  let ts: string | undefined;
  let seq = 0;
  for (const record of records) {
    if (record.action === "B") {
      xid = record.xid === undefined ? undefined : String(record.xid);
      ts = record.timestamp ? new Date(record.timestamp).toISOString() : undefined;
      continue;
    }
    if (record.action === "T")
      warnings.add(`${record.schema}.${record.table}: truncated; its rows are not listed one by one`);
    if (!["I", "U", "D"].includes(record.action)) continue;
    const table = `${record.schema}.${record.table}`;
    const after = record.action === "D" ? null : row(record.columns ?? []);
    const before = record.action === "I" ? null : record.identity ? row(record.identity) : null;
    const pkNames = (record.pk ?? []).map((p) => p.name);
    const source = after ?? before ?? {};
    const pk = Object.fromEntries(
      (pkNames.length > 0 ? pkNames : Object.keys(source)).map((k) => [
        k,
        source[k] as string | number | boolean | null,
      ]),
    );
    if (pkNames.length === 0) warnings.add(`${table}: no primary key; rows are identified by all their columns`);
    if (record.action !== "I" && !record.identity)
      warnings.add(`${table}: no REPLICA IDENTITY FULL; before-values are missing`);
    tables[table] ??= { pk: pkNames, columns: {} };
    for (const c of [...(record.columns ?? []), ...(record.identity ?? [])]) tables[table].columns[c.name] = c.type;
    const op = record.action === "I" ? "insert" : record.action === "U" ? "update" : "delete";
    const change: Change = {
      table,
      op,
      pk,
      before,
      after,
      seq: ++seq,
      ...(xid ? { tx: xid } : {}),
      ...(ts ? { ts } : {}),
    };
    if (op === "update" && before && after) {
      change.changed = Object.keys(after).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
    }
    changes.push(change);
  }
  return { changes, tables, warnings: [...warnings] };
}

function row(columns: Wal2JsonColumn[]): Record<string, Value> {
  return Object.fromEntries(columns.map((c) => [c.name, normalisePg(c.type, c.value)]));
}

/** Types whose every value a JSON number holds exactly; bigint and numeric stay strings. */
const SMALL_NUMBERS = new Set(["smallint", "integer", "real", "double precision", "oid"]);

/** One canonical encoding per type: big numbers as strings, timestamps ISO-8601, bytes as $b64, JSON parsed. */
export function normalisePg(type: string, value: unknown): Value {
  if (value === null || value === undefined) return null;
  const t = type.toLowerCase();
  if (typeof value === "string" && SMALL_NUMBERS.has(t)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : value; // NaN and Infinity have no JSON number
  }
  // wal2json prints numerics as JSON numbers ("2.00" arrives as 2): the declared scale restores them.
  const scale = /^numeric\(\d+,(\d+)\)$/.exec(t)?.[1];
  if (scale !== undefined && typeof value === "number") return value.toFixed(Number(scale));
  if (t === "bigint" || t === "numeric" || t.startsWith("numeric(") || t === "money") return String(value);
  if (t.startsWith("timestamp") && typeof value === "string") {
    if (t.includes("with time zone"))
      return new Date(value.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")).toISOString();
    return value.replace(" ", "T");
  }
  if (t === "bytea" && typeof value === "string")
    return { $b64: Buffer.from(value.replace(/^\\x/, ""), "hex").toString("base64") };
  if ((t === "json" || t === "jsonb") && typeof value === "string") {
    try {
      return JSON.parse(value) as Value;
    } catch {
      return value;
    }
  }
  return value as Value;
}
