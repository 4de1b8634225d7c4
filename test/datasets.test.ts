import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BadRequestError, Env, NotFoundError, type Environment } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

const sql = async (env: Environment, query: string): Promise<string> => {
  const result = await env.execute(`fossil sql -R /data/project.fossil "${query}"`);
  expect(result.exitCode, result.stderr).toBe(0);
  return result.stdout.trim();
};
const TICKETS = "SELECT count(*) FROM ticket";
const WIKI_PAGES = "SELECT count(*) FROM tag WHERE tagname GLOB 'wiki-*'";
const CHECK_INS = "SELECT count(*) FROM event WHERE type = 'ci'";
/** The error a call that must fail throws (undefined when it did not fail, which the test then says). */
const failure = (call: Promise<unknown>): Promise<Error | undefined> =>
  call.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
/** Accounts people log in with (Fossil's built-in capability classes left out). */
const ACCOUNTS =
  "SELECT login FROM user WHERE login NOT IN ('anonymous', 'nobody', 'developer', 'reader') ORDER BY login";
const addTicket = (title: string) =>
  `fossil ticket add -R /data/project.fossil title '${title}' status Open type Code_Defect`;

describe("datasets: named variants of a simulator's seed data", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("starts fossil's blank dataset beside the seeded one: no tickets, no wiki pages, admin alone; it resets to blank", async () => {
    const session = await t.client.sessions.create({
      envs: [
        Env.simulator("fossil", { alias: "seeded" }),
        Env.simulator("fossil", { alias: "empty", dataset: "blank" }),
      ],
    });
    const seeded = session.getEnv("seeded")!;
    const empty = session.getEnv("empty")!;
    expect(Number(await sql(seeded, TICKETS))).toBeGreaterThanOrEqual(12);
    expect(Number(await sql(seeded, WIKI_PAGES))).toBeGreaterThan(0);
    expect(Number(await sql(seeded, CHECK_INS))).toBeGreaterThan(1);
    expect(await sql(seeded, ACCOUNTS)).toBe("'admin'\n'alice'\n'bob'\n'carol'");
    expect(await sql(empty, TICKETS)).toBe("0");
    expect(await sql(empty, WIKI_PAGES)).toBe("0");
    expect(await sql(empty, CHECK_INS)).toBe("1"); // fossil init's initial empty check-in
    expect(await sql(empty, ACCOUNTS)).toBe("'admin'");
    const jobs = (await session.details()).envs;
    expect(jobs.map((j) => [j.alias, j.simulator, j.tag])).toEqual([
      ["seeded", "fossil", "latest"],
      ["empty", "fossil", "latest-blank"],
    ]);

    // The same manifest: state capture sees the ticket filed in the blank repository.
    expect((await empty.execute(addTicket("First ticket of an empty project"))).exitCode).toBe(0);
    const ticket = (await empty.getState()).dbs[0]!.changes.find((c) => c.table === "ticket");
    expect(ticket).toMatchObject({ op: "insert", after: { title: "First ticket of an empty project" } });

    // Reset brings each environment back to its own dataset.
    const { results } = await session.reset();
    expect(Object.values(results).every((r) => r.success)).toBe(true);
    expect(await sql(empty, TICKETS)).toBe("0");
    expect(Number(await sql(seeded, TICKETS))).toBeGreaterThanOrEqual(12);
    await session.close();

    const fossil = (await t.client.simulators.list()).find((s) => s.name === "fossil")!;
    expect(fossil.datasets.map((d) => [d.name, d.built])).toEqual([
      ["base", true],
      ["blank", true],
    ]);
    expect(fossil.datasets[1]!.accounts.map((a) => a.username)).toEqual(["admin"]);
    expect(fossil.tags).toEqual(expect.arrayContaining(["latest-blank", `${fossil.version}-blank`]));
  });

  it("answers 404 naming envs.N.dataset and listing the datasets for an unknown one, and makes nothing", async () => {
    const before = (await t.client.sessions.list()).length;
    const unknown = await failure(
      t.client.sessions.create({ envs: [Env.simulator("fossil"), Env.simulator("fossil", { dataset: "production" })] }),
    );
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown?.message).toBe(
      'envs.1.dataset: simulator "fossil" has no dataset "production"; its datasets: base, blank',
    );
    const invalid = await failure(
      t.client.sessions.create({ envs: [Env.simulator("fossil", { dataset: "Not A Name" })] }),
    );
    expect(invalid).toBeInstanceOf(BadRequestError);
    expect(invalid?.message).toContain("envs.0.dataset");
    expect(await t.client.sessions.list()).toHaveLength(before);
  });

  it("publishes a disk snapshot as a dataset of a version (override_dataset): image tag <version>-<dataset>", async () => {
    const service = `triage-${Date.now().toString(36)}`;
    const session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge", dataset: "blank" })],
    });
    const forge = session.getEnv("forge")!;
    expect((await forge.execute(addTicket("Triaged already"))).exitCode).toBe(0);
    const snap = await forge.diskSnapshot({
      overrideService: service,
      overrideVersion: "v1",
      overrideDataset: "triaged",
    });
    expect(snap).toMatchObject({ success: true, publishedAs: `${service}:v1-triaged` });
    await session.close();

    const listed = (await t.client.simulators.list()).find((s) => s.name === service)!;
    expect(listed.tags).toEqual(["v1-triaged"]);
    expect(listed.datasets.map((d) => d.name)).toEqual(["triaged"]);
    const copy = await t.client.sessions.create({
      envs: [Env.simulator(service, { alias: "copy", tag: "v1", dataset: "triaged" })],
    });
    const titles = await sql(copy.getEnv("copy")!, "SELECT title FROM ticket");
    expect(titles).toBe("'Triaged already'");
    await copy.close();

    // Its base dataset was never published: the error says which there are.
    const base = await failure(t.client.sessions.create({ envs: [Env.simulator(service, { tag: "v1" })] }));
    expect(base).toBeInstanceOf(NotFoundError);
    expect(base?.message).toBe(`envs.0.dataset: simulator "${service}" has no dataset "base"; its datasets: triaged`);
    await t.client.artifacts.remove(snap.artifactId!);
    expect((await t.client.simulators.list()).some((s) => s.name === service)).toBe(false);
  });
});
