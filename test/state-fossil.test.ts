import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
// The Fossil client the fossil tasks' solutions use: its forms over HTTP, as a browser fills them.
import { FossilSite } from "../simulators/fossil/tasks/fossil-site.js";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

const summary = (state: EnvState) =>
  [...new Set(state.dbs.flatMap((db) => db.changes.map((c) => `${c.table}:${c.op}`)))].sort();

describe("getState on fossil (SQLite)", () => {
  let t: TestServer;
  let session: Session;
  let base: string;
  let forge: FossilSite;

  const stateOf = async (alias: string) => {
    const env = session.getEnv(alias)!;
    const { results } = await session.getState();
    const result = results[env.jobId]!;
    if (!result.state) throw new Error(`no state for ${alias}: ${result.error}`);
    return result.state;
  };

  beforeAll(async () => {
    t = await startTestServer();
    session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("fossil", { alias: "mirror" })],
    });
    base = `http://${await environmentAddress(session.getEnv("forge")!.jobId)}:8080`;
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("is empty right after the start", async () => {
    const state = await stateOf("forge");
    expect(state.env).toBe("forge");
    expect(state.dbs).toHaveLength(1);
    expect(state.dbs[0]).toMatchObject({
      name: "repository",
      engine: "sqlite",
      database: "/data/project.fossil",
      changes: [],
    });
    expect(state.files).toEqual([]);
  });

  it("shows no mutation after a login and browsing, and says what it filtered", async () => {
    forge = await FossilSite.login(base, "alice", "alice-password");
    for (const path of ["/timeline", "/rptview?rn=1", "/wiki?name=Roadmap", "/dir"]) await forge.get(path);
    const state = await stateOf("forge");
    expect(state.dbs[0]!.changes).toEqual([]);
    expect(state.dbs[0]!.ignored!.rows).toBeGreaterThan(0);
    expect(state.dbs[0]!.ignored!.rules).toEqual(expect.arrayContaining(["table:accesslog"]));
  });

  it("reports exactly the rows a ticket filed through the web form writes", async () => {
    const id = await forge.newTicket({
      title: "Crash on empty key",
      type: "Code_Defect",
      severity: "Critical",
      foundin: "0.1.0",
      icomment: "`tkv db put '' x` segfaults",
    });
    const state = await stateOf("forge");
    expect(summary(state)).toEqual([
      "blob:insert",
      "concealed:insert",
      "event:insert",
      "rcvfrom:insert",
      "tag:insert",
      "tagxref:insert",
      "ticket:insert",
      "ticketchng:insert",
      "unclustered:insert",
      "unsent:insert",
    ]);
    const changes = state.dbs[0]!.changes;
    const ticket = changes.find((c) => c.table === "ticket")!;
    expect(ticket.pk).toEqual({ tkt_id: 15 });
    expect(ticket.before).toBeNull();
    expect(ticket.after).toMatchObject({
      tkt_uuid: id,
      title: "Crash on empty key",
      type: "Code_Defect",
      severity: "Critical",
      foundin: "0.1.0",
      status: "Open",
    });
    expect(changes.find((c) => c.table === "ticketchng")!.after).toMatchObject({
      tkt_id: 15,
      icomment: "`tkv db put '' x` segfaults",
      login: "alice",
    });
    expect(changes.find((c) => c.table === "event")!.after).toMatchObject({ type: "t", user: "alice" });
    expect(changes.find((c) => c.table === "tag")!.after).toMatchObject({ tagname: `tkt-${id}` });
    expect(state.dbs[0]!.tables.ticket).toMatchObject({ pk: ["tkt_id"] });
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);
  });

  it("adds a wiki page saved through the editor, and a file written in the environment", async () => {
    const bob = await FossilSite.login(base, "bob", "bob-password");
    await bob.saveWiki("Benchmarks", "# Benchmarks\n\nput: 1M ops/s", true);
    await session.getEnv("forge")!.execute("printf 'todo: replay\\n' > /data/notes.txt");

    const state = await stateOf("forge");
    const changes = state.dbs[0]!.changes;
    const wikiTag = changes.find((c) => c.table === "tag" && c.after?.tagname === "wiki-Benchmarks");
    expect(wikiTag?.op).toBe("insert");
    expect(changes.filter((c) => c.table === "event" && c.after?.type === "w")).toEqual([
      expect.objectContaining({
        op: "insert",
        after: expect.objectContaining({ user: "bob", comment: "+Benchmarks" }),
      }),
    ]);
    expect(changes.every((c) => c.op === "insert")).toBe(true);
    expect(state.files).toEqual([
      expect.objectContaining({
        path: "/data/notes.txt",
        op: "add",
        type: "file",
        after: expect.objectContaining({ size: 13, mode: "0644" }),
        text: expect.objectContaining({ after: "todo: replay\n", diff: expect.stringContaining("+todo: replay") }),
      }),
    ]);
    // The other environment of the session is untouched.
    const mirror = await stateOf("mirror");
    expect(mirror.dbs[0]!.changes).toEqual([]);
  });

  it("folds nothing away in log mode for a snapshot-based engine, and says so", async () => {
    const { mode, results } = await session.getState({ mergeMutations: false });
    expect(mode).toBe("log");
    const state = results[session.getEnv("forge")!.jobId]!.state!;
    expect(state.warnings).toEqual([expect.stringMatching(/SQLite capture diffs snapshots/)]);
    expect(state.dbs[0]!.changes.length).toBeGreaterThan(10);
  });

  it("is empty again after reset, and the app shows the seeded data", async () => {
    await session.reset();
    const state = await stateOf("forge");
    expect(state.dbs[0]!.changes).toEqual([]);
    expect(state.files).toEqual([]);
    const after = `http://${await environmentAddress(session.getEnv("forge")!.jobId)}:8080`;
    const page = async (path: string) => (await fetch(`${after}${path}`)).text(); // as a visitor
    const report = await page("/rptview?rn=1");
    expect(report).not.toContain("Crash on empty key");
    expect(report).toContain("tkv get prints nothing for keys written before a restart");
    expect(await page("/wiki?name=Benchmarks")).not.toContain("1M ops/s");
  });

  it("reports a clear per-job error when an environment's database is unreachable, and still answers for the others", async () => {
    await session.getEnv("mirror")!.execute("mv /data/project.fossil /data/moved-away.fossil");
    const { results } = await session.getState();
    expect(results[session.getEnv("mirror")!.jobId]!.error).toMatch(
      /repository: cannot read \/data\/project\.fossil: no such file/,
    );
    expect(results[session.getEnv("forge")!.jobId]!.state?.dbs[0]!.changes).toEqual([]);
  });
});
