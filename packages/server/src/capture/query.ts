import Database from "better-sqlite3";
import pg from "pg";
import type { Value } from "@terrarium/wire";
import { connectMariadb, normaliseRow, type MariadbSource } from "./mariadb.js";
import { connect, type PostgresSource } from "./postgres.js";
import { normalise } from "./values.js";

/** Rows of a read-only query, values normalised as capture normalises them. */
export type Rows = Record<string, Value>[];

// Text as PostgreSQL prints it for the types capture keeps exact (bigint, numeric) or normalises itself
// (timestamps, dates): the default parsers would round or shift them.
const RAW = new Set([20, 1700, 1082, 1114, 1184]);
const rawTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    RAW.has(oid)
      ? (value: string) => value
      : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

/** A query in a READ ONLY transaction with a statement timeout, never committed. */
export async function queryPostgres(source: PostgresSource, sql: string, params: unknown[], timeoutMs: number) {
  const client = await connect(source, { types: rawTypes });
  try {
    await client.query("BEGIN READ ONLY");
    await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
    const result = await client.query({ text: sql, values: params });
    const types = new Map(result.fields.map((f) => [f.name, f.dataTypeID]));
    return result.rows.map((row: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => {
          const oid = types.get(k);
          if (typeof v === "string" && oid === 1114) return [k, v.replace(" ", "T")];
          if (typeof v === "string" && oid === 1184)
            return [k, new Date(v.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")).toISOString()];
          return [k, normalise(v)];
        }),
      ),
    ) as Rows;
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    await client.end();
  }
}

export async function queryMariadb(source: MariadbSource, sql: string, params: unknown[], timeoutMs: number) {
  const connection = await connectMariadb(source);
  try {
    await connection.query(`SET SESSION max_statement_time = ${Math.max(0.001, timeoutMs / 1000)}`);
    await connection.query("START TRANSACTION READ ONLY");
    const [rows] = await connection.query(sql, params);
    if (!Array.isArray(rows)) throw new Error("the query returned no rows (only read-only SELECT queries are run)");
    return (rows as Record<string, unknown>[]).map((row) =>
      Object.fromEntries(
        Object.entries(normaliseRow(row)).map(([k, v]) => [
          k,
          typeof v === "string" && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(v) ? v.replace(" ", "T") : v,
        ]),
      ),
    ) as Rows;
  } finally {
    await connection.query("ROLLBACK").catch(() => undefined);
    await connection.end();
  }
}

/** A query on a copy of an SQLite database, opened read-only: it cannot change the app's file anyway. */
export function querySqlite(file: string, sql: string, params: unknown[], timeoutMs: number): Rows {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: timeoutMs });
  try {
    const statement = db.prepare(sql);
    if (!statement.reader) throw new Error("only read-only SELECT queries are run");
    return statement
      .all(...(params as unknown[]))
      .map((row) =>
        Object.fromEntries(Object.entries(row as Record<string, unknown>).map(([k, v]) => [k, normalise(v)])),
      ) as Rows;
  } finally {
    db.close();
  }
}
