import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupSteps } from "@terrarium/server";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

// Bare PostgreSQL and MariaDB set up as simulators must be for capture (test/fixtures/simulators):
// the engines' capture, end to end through the server, independent of any app.
const fixtures = fileURLToPath(new URL("./fixtures/simulators", import.meta.url));

const stateOf = async (session: Session, mergeMutations = true): Promise<EnvState> => {
  const { results } = await session.getState({ mergeMutations });
  const result = results[session.envs[0]!.jobId]!;
  if (!result.state) throw new Error(result.error);
  return result.state;
};
const ops = (state: EnvState) => state.dbs[0]!.changes.map((c) => [c.op, c.table, c.pk]);

describe("state capture per engine", () => {
  let t: TestServer;

  beforeAll(async () => {
    for (const step of setupSteps({ simulatorsDir: fixtures, simulators: ["pg-capture", "mariadb-capture"] }).slice(
      -2,
    )) {
      if (await step.check()) await step.run(() => undefined);
    }
    t = await startTestServer({ simulatorsDir: fixtures });
  }, 600_000);
  afterAll(async () => {
    await t?.stop();
  });

  describe("PostgreSQL (logical decoding with wal2json)", () => {
    let session: Session;
    const sql = (statements: string) =>
      session.envs[0]!.execute(`psql -v ON_ERROR_STOP=1 -q -d app -c "${statements}"`);

    beforeAll(async () => {
      session = await t.client.sessions.create({ envs: [Env.simulator("pg-capture", { alias: "db" })] });
    });
    afterAll(async () => {
      await session?.close();
    });

    it("reports net row changes with before and after values, normalised", async () => {
      expect((await stateOf(session)).dbs[0]).toMatchObject({
        engine: "postgres",
        changes: [],
        capture: { method: "logical" },
      });
      const result = await sql(
        "INSERT INTO items (name, price, meta) VALUES ('lantern', 7.25, '{\\\"tags\\\": [\\\"camping\\\"]}'); " +
          "UPDATE items SET price = 13.00 WHERE name = 'anvil'; UPDATE items SET price = 14.00 WHERE name = 'anvil'; " +
          "DELETE FROM items WHERE name = 'rope'; " +
          "INSERT INTO items (name) VALUES ('scratch'); DELETE FROM items WHERE name = 'scratch'; " +
          "INSERT INTO sessions (token) VALUES ('noise');",
      );
      expect(result.stderr).toBe("");
      const state = await stateOf(session);
      const db = state.dbs[0]!;
      expect(ops(state)).toEqual([
        ["insert", "public.items", { id: 3 }],
        ["update", "public.items", { id: 1 }],
        ["delete", "public.items", { id: 2 }],
      ]);
      expect(db.changes[0]!.after).toMatchObject({
        id: 3,
        name: "lantern",
        price: "7.25",
        meta: { tags: ["camping"] },
      });
      expect(db.changes[1]).toMatchObject({
        before: { price: "12.50" },
        after: { price: "14.00" },
        changed: ["price"],
      });
      expect(db.changes[2]!.before).toMatchObject({ id: 2, name: "rope", price: "3.00" });
      expect(db.tables["public.items"]).toMatchObject({ pk: ["id"], columns: { price: "numeric(10,2)" } });
      expect(db.ignored).toEqual({ rows: 1, rules: ["table:public.sessions"] });
    });

    it("keeps insert-then-delete and every update in the ordered log, with transactions", async () => {
      const log = (await stateOf(session, false)).dbs[0]!.changes;
      expect(log.map((c) => [c.op, c.pk.id])).toEqual([
        ["insert", 3],
        ["update", 1],
        ["update", 1],
        ["delete", 2],
        ["insert", 4],
        ["delete", 4],
      ]);
      expect(log.every((c, i) => c.seq === i + 1 && typeof c.tx === "string" && typeof c.ts === "string")).toBe(true);
    });

    it("captures tables created after the start with full before-values", async () => {
      await sql(
        "CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'draft'); UPDATE notes SET body = 'final' WHERE id = 1;",
      );
      const state = await stateOf(session);
      const note = state.dbs[0]!.changes.find((c) => c.table === "public.notes")!;
      expect(note).toMatchObject({ op: "insert", after: { id: 1, body: "final" } });
      const log = (await stateOf(session, false)).dbs[0]!.changes.filter((c) => c.table === "public.notes");
      expect(log[1]).toMatchObject({ op: "update", before: { id: 1, body: "draft" }, after: { id: 1, body: "final" } });
      expect(state.warnings).toEqual([]);
    });

    it("is empty after reset", async () => {
      await session.reset();
      expect((await stateOf(session)).dbs[0]!.changes).toEqual([]);
    });
  });

  describe("MariaDB (row-based binary log)", () => {
    let session: Session;
    const sql = (statements: string) => session.envs[0]!.execute(`mysql app -e "${statements}"`);

    beforeAll(async () => {
      session = await t.client.sessions.create({ envs: [Env.simulator("mariadb-capture", { alias: "db" })] });
    });
    afterAll(async () => {
      await session?.close();
    });

    it("reports row changes, text in binary columns as text, and cascades reconciled by snapshot", async () => {
      expect((await stateOf(session)).dbs[0]).toMatchObject({
        engine: "mariadb",
        changes: [],
        capture: { method: "binlog" },
      });
      const result = await sql(
        "INSERT INTO page VALUES (3, 'Help:Contents', '20250201000000'); " +
          "UPDATE page SET title = 'Main_Page_(old)' WHERE id = 1; UPDATE page SET touched = '20250301000000' WHERE id = 3; " +
          "DELETE FROM page WHERE id = 2; INSERT INTO revision VALUES (13, 3, 'start help'), (14, 3, 'temp'); DELETE FROM revision WHERE id = 14;",
      );
      expect(result.stderr).toBe("");
      const state = await stateOf(session);
      const db = state.dbs[0]!;
      expect(db.capture).toMatchObject({ method: "binlog", reconciled_with: "snapshot" });
      expect(state.warnings).toEqual(["app: foreign-key cascade tables reconciled by snapshot: [revision]"]);
      expect(ops(state)).toEqual([
        ["insert", "app.page", { id: 3 }],
        ["update", "app.page", { id: 1 }],
        ["delete", "app.page", { id: 2 }],
        ["insert", "app.revision", { id: 13 }],
        ["delete", "app.revision", { id: 11 }],
        ["delete", "app.revision", { id: 12 }],
      ]);
      expect(db.changes[0]!.after).toMatchObject({ title: "Help:Contents", touched: "20250301000000" });
      expect(db.changes[1]).toMatchObject({
        before: { title: "Main_Page" },
        after: { title: "Main_Page_(old)" },
        changed: ["title"],
      });
    });

    it("drops an update of only an ignored column, and keeps the ordered log on request", async () => {
      await sql("UPDATE page SET touched = '20250401000000' WHERE id = 1;");
      const net = await stateOf(session);
      expect(net.dbs[0]!.changes.find((c) => c.table === "app.page" && c.pk.id === 1)?.changed).toEqual(["title"]);
      // The log keeps the order and every change that is not noise: the two updates of `touched` alone are.
      const log = (await stateOf(session, false)).dbs[0]!;
      expect(log.changes.filter((c) => c.table === "app.page").map((c) => [c.op, c.pk.id])).toEqual([
        ["insert", 3],
        ["update", 1],
        ["delete", 2],
      ]);
      expect(log.ignored).toEqual({ rows: 2, rules: ["column:app.page.touched"] });
    });

    it("reports a clear error when the database is unreachable", async () => {
      await session.envs[0]!.execute("mysqladmin shutdown");
      const { results } = await session.getState();
      expect(results[session.envs[0]!.jobId]!.error).toMatch(/app: cannot read MariaDB database app: /);
    });
  });
});
