import Database from "better-sqlite3";
import type { DbState, RowChange, Value } from "@terrarium/wire";
import { applyNoise, type NoiseRules } from "./noise.js";
import { normalise, sameValue } from "./values.js";

export type IgnoreRules = NoiseRules;

export interface SqliteDiff {
  tables: DbState["tables"];
  changes: Omit<RowChange, "id">[];
  schemaChanges: NonNullable<DbState["schema_changes"]>;
  ignored: { rows: number; rules: string[] };
}

interface TableInfo {
  name: string;
  sql: string;
  columns: Record<string, string>;
  /** Primary key columns; empty means the table is keyed by rowid. */
  pk: string[];
  withoutRowid: boolean;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const ROWID = "$rowid";

function tablesOf(db: Database.Database, schema: string): Map<string, TableInfo> {
  const rows = db
    .prepare(`SELECT name, sql FROM ${schema}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .all() as { name: string; sql: string }[];
  const tables = new Map<string, TableInfo>();
  for (const { name, sql } of rows) {
    const info = db.prepare(`PRAGMA ${schema}.table_info(${quote(name)})`).all() as {
      name: string;
      type: string;
      pk: number;
    }[];
    tables.set(name, {
      name,
      sql,
      columns: Object.fromEntries(info.map((c) => [c.name, c.type.toLowerCase() || "any"])),
      pk: info
        .filter((c) => Number(c.pk) > 0)
        .sort((a, b) => Number(a.pk) - Number(b.pk))
        .map((c) => c.name),
      withoutRowid: /without\s+rowid\s*$/i.test(sql.trim()),
    });
  }
  return tables;
}

/**
 * Net row changes between a baseline copy and the live copy of a SQLite database, read in one
 * transaction: rows are matched by primary key (or rowid), and only rows that differ are read
 * (`EXCEPT` both ways), so the cost follows the number of changes, not the size of the tables.
 */
export function diffSqlite(baselinePath: string, livePath: string, ignore: IgnoreRules): SqliteDiff {
  const db = new Database(livePath, { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    db.prepare("ATTACH DATABASE ? AS base").run(baselinePath);
    return db.transaction(() => diffAttached(db, ignore))();
  } finally {
    db.close();
  }
}

function diffAttached(db: Database.Database, ignore: IgnoreRules): SqliteDiff {
  const live = tablesOf(db, "main");
  const base = tablesOf(db, "base");
  const result: SqliteDiff = { tables: {}, changes: [], schemaChanges: [], ignored: { rows: 0, rules: [] } };
  const rulesUsed = new Set<string>();

  for (const name of new Set([...live.keys(), ...base.keys()])) {
    const now = live.get(name);
    const then = base.get(name);
    if (now && !then) result.schemaChanges.push({ table: name, op: "create", after: now.sql });
    else if (then && !now) result.schemaChanges.push({ table: name, op: "drop", before: then.sql });
    else if (now && then && now.sql !== then.sql)
      result.schemaChanges.push({ table: name, op: "alter", before: then.sql, after: now.sql });

    const table = now ?? then!;
    const keyed = table.pk.length > 0 ? table.pk : [ROWID];
    const common = Object.keys(table.columns).filter((c) => !now || !then || (c in now.columns && c in then.columns));
    const select = (schema: string) =>
      `SELECT ${table.pk.length === 0 ? `rowid AS ${quote(ROWID)}, ` : ""}${common.map(quote).join(", ")} FROM ${schema}.${quote(name)}`;
    const read = (sql: string) => (db.prepare(sql).all() as Record<string, unknown>[]).map(normaliseRow);
    const added = now ? (then ? read(`${select("main")} EXCEPT ${select("base")}`) : read(select("main"))) : [];
    const removed = then ? (now ? read(`${select("base")} EXCEPT ${select("main")}`) : read(select("base"))) : [];

    const key = (row: Record<string, Value>) => JSON.stringify(keyed.map((k) => row[k]));
    const before = new Map(removed.map((r) => [key(r), r]));
    const changes: Omit<RowChange, "id">[] = [];
    for (const after of added) {
      const old = before.get(key(after));
      const pk = pkOf(after, keyed);
      if (!old) {
        changes.push({ table: name, op: "insert", pk, before: null, after: strip(after) });
        continue;
      }
      before.delete(key(after));
      const changed = common.filter((c) => !sameValue(old[c], after[c]));
      changes.push({ table: name, op: "update", pk, before: strip(old), after: strip(after), changed });
    }
    for (const old of before.values())
      changes.push({ table: name, op: "delete", pk: pkOf(old, keyed), before: strip(old), after: null });
    changes.sort((a, b) => comparePk(a.pk, b.pk, keyed));
    const { changes: kept, ignored } = applyNoise(changes, ignore);
    result.ignored.rows += ignored.rows;
    for (const rule of ignored.rules) rulesUsed.add(rule);
    if (kept.length === 0) continue;
    result.tables[name] = { pk: keyed, columns: table.columns };
    result.changes.push(...kept);
  }
  result.ignored.rules = [...rulesUsed].sort();
  return result;
}

/** Orders rows by primary key, column by column (numbers numerically), for a stable answer. */
function comparePk(a: RowChange["pk"], b: RowChange["pk"], keyed: string[]): number {
  for (const k of keyed) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function normaliseRow(row: Record<string, unknown>): Record<string, Value> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, normalise(v)]));
}

function pkOf(row: Record<string, Value>, keyed: string[]): Record<string, string | number | boolean | null> {
  return Object.fromEntries(keyed.map((k) => [k, row[k] as string | number | boolean | null]));
}

/** The row as the app sees it: without the synthetic rowid column. */
function strip(row: Record<string, Value>): Record<string, Value> {
  const { [ROWID]: _rowid, ...rest } = row;
  return rest;
}
