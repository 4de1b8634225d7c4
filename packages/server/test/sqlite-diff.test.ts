import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diffSqlite } from "../src/capture/sqlite-diff.js";

const none = { tables: [], columns: [], rows: [] };

/** A baseline database, a copy changed by `change`, and their diff. */
function diffAfter(setup: string, change: string, ignore = none) {
  const dir = mkdtempSync(join(tmpdir(), "terrarium-sqlite-"));
  const base = join(dir, "base.db");
  const live = join(dir, "live.db");
  const db = new Database(base);
  db.exec(setup);
  db.close();
  copyFileSync(base, live);
  const changed = new Database(live);
  changed.exec(change);
  changed.close();
  return diffSqlite(base, live, ignore);
}

const schema = `
  CREATE TABLE contacts (id INTEGER PRIMARY KEY, name TEXT, status TEXT, updated_at TEXT, photo BLOB);
  CREATE TABLE tags (contact_id INTEGER, tag TEXT, PRIMARY KEY (contact_id, tag));
  CREATE TABLE log (line TEXT);
  INSERT INTO contacts VALUES (1, 'Jane', 'lead', '2025-01-01', x'00ff'), (2, 'Bob', 'customer', '2025-01-01', NULL);
  INSERT INTO tags VALUES (1, 'vip');
  INSERT INTO log VALUES ('a'), ('b');
`;

describe("diffSqlite", () => {
  it("reports inserts, updates with changed columns, and deletes, keyed by primary key", () => {
    const diff = diffAfter(
      schema,
      `INSERT INTO contacts VALUES (3, 'Ann', 'lead', '2025-02-01', NULL);
       UPDATE contacts SET status = 'customer', updated_at = '2025-02-02' WHERE id = 1;
       DELETE FROM contacts WHERE id = 2;`,
    );
    expect(diff.changes).toEqual([
      {
        table: "contacts",
        op: "update",
        pk: { id: 1 },
        before: { id: 1, name: "Jane", status: "lead", updated_at: "2025-01-01", photo: { $b64: "AP8=" } },
        after: { id: 1, name: "Jane", status: "customer", updated_at: "2025-02-02", photo: { $b64: "AP8=" } },
        changed: ["status", "updated_at"],
      },
      {
        table: "contacts",
        op: "delete",
        pk: { id: 2 },
        before: { id: 2, name: "Bob", status: "customer", updated_at: "2025-01-01", photo: null },
        after: null,
      },
      {
        table: "contacts",
        op: "insert",
        pk: { id: 3 },
        before: null,
        after: { id: 3, name: "Ann", status: "lead", updated_at: "2025-02-01", photo: null },
      },
    ]);
    expect(diff.tables).toEqual({
      contacts: {
        pk: ["id"],
        columns: { id: "integer", name: "text", status: "text", updated_at: "text", photo: "blob" },
      },
    });
  });

  it("keys composite primary keys and rowid tables", () => {
    const diff = diffAfter(schema, `INSERT INTO tags VALUES (1, 'new'); UPDATE log SET line = 'B' WHERE line = 'b';`);
    expect(diff.changes.map((c) => [c.table, c.op, c.pk])).toEqual([
      ["tags", "insert", { contact_id: 1, tag: "new" }],
      ["log", "update", { $rowid: 2 }],
    ]);
    expect(diff.changes[1]!.after).toEqual({ line: "B" });
  });

  it("filters noise by table, column and row, and counts what it filtered", () => {
    const diff = diffAfter(
      schema + "CREATE TABLE config (name TEXT PRIMARY KEY, value TEXT);",
      `UPDATE contacts SET updated_at = '2025-03-01' WHERE id = 2;
       UPDATE contacts SET status = 'gone', updated_at = '2025-03-01' WHERE id = 1;
       INSERT INTO log VALUES ('c');
       INSERT INTO config VALUES ('baseurl:http://x:1/a', '1'), ('theme', 'dark');`,
      { tables: ["log"], columns: ["*.updated_at"], rows: [{ table: "config", where: { name: "baseurl:*" } }] },
    );
    expect(diff.changes.map((c) => [c.table, c.op, c.pk, c.changed])).toEqual([
      ["contacts", "update", { id: 1 }, ["status"]],
      ["config", "insert", { name: "theme" }, undefined],
    ]);
    expect(diff.ignored).toEqual({
      rows: 3,
      rules: ["column:contacts.updated_at", "row:config[name=baseurl:*]", "table:log"],
    });
  });

  it("reports created and dropped tables with their rows", () => {
    const diff = diffAfter(
      schema,
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'hi'); DROP TABLE log;",
    );
    expect(diff.schemaChanges.map((s) => [s.table, s.op])).toEqual([
      ["notes", "create"],
      ["log", "drop"],
    ]);
    expect(diff.changes.map((c) => [c.table, c.op])).toEqual([
      ["notes", "insert"],
      ["log", "delete"],
      ["log", "delete"],
    ]);
  });

  it("finds nothing when nothing changed", () => {
    const diff = diffAfter(schema, "SELECT 1;");
    expect(diff.changes).toEqual([]);
    expect(diff.schemaChanges).toEqual([]);
  });
});
