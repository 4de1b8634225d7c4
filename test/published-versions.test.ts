import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { Env } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const exists = (image: string) =>
  run("podman", ["image", "exists", image]).then(
    () => true,
    () => false,
  );
const version = (tag: string) => `localhost/terrarium/fossil:${tag}`;
const TICKETS = 'fossil sql -R /data/project.fossil "SELECT title FROM ticket ORDER BY title"';

/** Publishes a fossil environment holding one ticket as a version; answers the artifact's id. */
async function publish(t: TestServer, tag: string, ticket: string): Promise<string> {
  const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
  const forge = session.getEnv("forge")!;
  await forge.execute(`fossil ticket add -R /data/project.fossil title '${ticket}' status Open`);
  const snap = await forge.diskSnapshot({ overrideVersion: tag });
  expect(snap).toMatchObject({ success: true, publishedAs: `fossil:${tag}` });
  await session.close();
  return snap.artifactId!;
}

describe("published versions across a restart", () => {
  const home = mkdtempSync(join(tmpdir(), "terrarium-test-"));
  const servers: TestServer[] = [];
  const images: string[] = [];
  afterAll(async () => {
    for (const t of servers) await t.stop();
    for (const image of images) await run("podman", ["rmi", "-f", image]).catch(() => undefined);
  });

  it("keep their artifact's versions; recovery removes only the version of an artifact whose record is gone", async () => {
    const stamp = Date.now().toString(36);
    const [keep, lost, theirs, mine] = ["keep", "lost", "theirs", "mine"].map((n) => `${n}-${stamp}`) as [
      string,
      string,
      string,
      string,
    ];
    images.push(...[keep, lost, theirs, mine].map(version));
    const first = await startTestServer({}, home);
    const other = await startTestServer();
    servers.push(other);
    const kept = await publish(first, keep, "Kept");
    const gone = await publish(first, lost, "Lost");
    await publish(other, theirs, "Theirs");
    // A user's own name for the version whose record goes: not the server's to remove.
    await run("podman", ["tag", version(lost), version(mine)]);
    await first.stop({ keepHome: true });

    // A removal interrupted after its record went: its image and version are still in Podman.
    const db = new Database(join(home, "terrarium.db"));
    db.prepare("DELETE FROM artifacts WHERE id = ?").run(gone);
    db.close();
    const t = await startTestServer({}, home);
    servers.push(t);

    expect(await exists(version(lost))).toBe(false);
    expect(await exists(`localhost/terrarium-artifacts:${gone}`)).toBe(false);
    expect(await exists(version(mine))).toBe(true);
    expect(await exists(version(theirs))).toBe(true);
    expect(await exists(version(keep))).toBe(true);
    const fossil = (await t.client.simulators.list()).find((s) => s.name === "fossil")!;
    expect(fossil.published).toContainEqual({ tag: keep, artifactId: kept });
    expect(fossil.tags).not.toContain(lost);

    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge", tag: keep })] });
    expect((await session.getEnv("forge")!.execute(TICKETS)).stdout).toContain("Kept");
    await session.close();
  });
});
