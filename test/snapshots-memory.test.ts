import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConflictError, Env, type EnvState, type Environment } from "@terrarium/sdk";
import { WikiApi } from "../simulators/mediawiki/tasks/lib/wiki-api.js";
import { environmentAddress, startTestServer, type TestServer } from "./helpers.js";

const stateOf = async (env: Environment): Promise<EnvState> => env.getState();
const changeCount = (state: EnvState) => state.dbs.reduce((n, db) => n + db.changes.length, 0) + state.files.length;

/**
 * A counter that lives only in a shell's memory, ticking every 100 ms and writing what it holds to
 * /tmp/count (renamed into place, so a snapshot never catches it half written). An environment resumed from memory goes on from where the snapshot was; one booted
 * fresh has no counter at all.
 */
const START_COUNTER =
  "setsid sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; sleep 0.1; done' >/dev/null 2>&1 < /dev/null &";
const count = async (env: Environment) => {
  const result = await env.execute("cat /tmp/count");
  if (result.exitCode !== 0) throw new Error(`cat /tmp/count: ${result.stderr}${result.error ?? ""}`);
  return Number(result.stdout.trim());
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("memory snapshots", () => {
  let t: TestServer;
  let supported = false;

  beforeAll(async () => {
    t = await startTestServer();
    supported = (await t.client.health()).capabilities.memory_snapshots;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("resumes one snapshot in two clones that go on from it, then diverge, while the original keeps running", async (context) => {
    if (!supported) return context.skip("this host cannot checkpoint memory (see /healthz)");
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "origin" })] });
    const origin = session.getEnv("origin")!;
    expect((await origin.execute(START_COUNTER)).exitCode).toBe(0);
    await origin.execute("echo shared > /tmp/branch");
    await sleep(1500);

    const snap = await origin.snapshot();
    expect(snap.error).toBeUndefined();
    expect(snap).toMatchObject({ success: true, memory: true });
    const atSnapshot = await count(origin);

    const clones = await t.client.sessions.create({
      envs: [Env.artifact(snap.artifactId!, { alias: "a" }), Env.artifact(snap.artifactId!, { alias: "b" })],
    });
    const [a, b] = [clones.getEnv("a")!, clones.getEnv("b")!];
    expect(a.artifactId).toBe(snap.artifactId);
    // Both go on from the snapshot's count (not from zero: the counter's memory came along).
    const [ca, cb] = [await count(a), await count(b)];
    expect(ca).toBeGreaterThanOrEqual(atSnapshot - 2);
    expect(cb).toBeGreaterThanOrEqual(atSnapshot - 2);
    await sleep(600);
    expect(await count(a)).toBeGreaterThan(ca);
    expect(await count(b)).toBeGreaterThan(cb);
    // The clones are reachable under their aliases on their own network, and are independent.
    expect((await a.execute("getent hosts b")).exitCode).toBe(0);
    await a.execute("echo a > /tmp/branch");
    await b.execute("echo b > /tmp/branch");
    expect((await a.execute("cat /tmp/branch")).stdout).toBe("a\n");
    expect((await b.execute("cat /tmp/branch")).stdout).toBe("b\n");
    expect((await origin.execute("cat /tmp/branch")).stdout).toBe("shared\n");
    // The original kept running.
    expect(await count(origin)).toBeGreaterThan(atSnapshot);

    // Each clone's state starts at the snapshot; reset resumes the snapshot again.
    await a.execute("fossil ticket add -R /data/project.fossil title 'In clone a' status Open");
    expect(changeCount(await stateOf(a))).toBeGreaterThan(0);
    expect(changeCount(await stateOf(b))).toBe(0);
    const reset = await a.reset();
    expect(reset.results[a.jobId]).toMatchObject({ success: true });
    expect((await a.execute("cat /tmp/branch")).stdout).toBe("shared\n");
    expect(await count(a)).toBeGreaterThanOrEqual(atSnapshot - 2);
    expect(changeCount(await stateOf(a))).toBe(0);

    // Booting the same artifact without its memory: its disk, and no counter running.
    const cold = await t.client.sessions.create({
      envs: [Env.artifact(snap.artifactId!, { alias: "cold", restoreMemory: false })],
    });
    const coldEnv = cold.getEnv("cold")!;
    expect((await coldEnv.execute("cat /tmp/branch")).stdout).toBe("shared\n");
    const frozen = await count(coldEnv);
    await sleep(500);
    expect(await count(coldEnv)).toBe(frozen);
    expect(changeCount(await stateOf(coldEnv))).toBe(0);

    for (const s of [cold, clones, session]) await s.close();
  });

  it("keeps a MediaWiki's rows and sessions across a memory snapshot", async (context) => {
    if (!supported) return context.skip("this host cannot checkpoint memory (see /healthz)");
    const session = await t.client.sessions.create({ envs: [Env.simulator("mediawiki", { alias: "wiki" })] });
    const wiki = session.getEnv("wiki")!;
    const api = new WikiApi(`http://${await environmentAddress(wiki.jobId)}`);
    await api.login("Alice", "alice-password");
    await api.edit("Glossary", "Written before the snapshot.", "before the snapshot");
    const snap = await wiki.snapshot();
    expect(snap.error).toBeUndefined();

    const clone = await t.client.sessions.create({ envs: [Env.artifact(snap.artifactId!, { alias: "copy" })] });
    const copy = clone.getEnv("copy")!;
    const copyApi = new WikiApi(`http://${await environmentAddress(copy.jobId)}`);
    expect(await copyApi.text("Glossary")).toContain("Written before the snapshot.");
    expect(changeCount(await stateOf(copy))).toBe(0);
    await copyApi.login("Alice", "alice-password");
    await copyApi.edit("Glossary", "Written in the clone.", "in the clone");
    expect((await stateOf(copy)).dbs[0]!.changes.length).toBeGreaterThan(0);
    expect(await api.text("Glossary")).toContain("Written before the snapshot.");
    // Booted from the artifact's disk alone, MariaDB recovers from its files: the edit is there too.
    const cold = await t.client.sessions.create({
      envs: [Env.artifact(snap.artifactId!, { alias: "cold", restoreMemory: false })],
    });
    const coldApi = new WikiApi(`http://${await environmentAddress(cold.envs[0]!.jobId)}`);
    expect(await coldApi.text("Glossary")).toContain("Written before the snapshot.");
    await cold.close();
    await clone.close();
    await session.close();
  });

  it("refuses to resume a corrupt archive, and to remove an artifact in use", async (context) => {
    if (!supported) return context.skip("this host cannot checkpoint memory (see /healthz)");
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil")] });
    const snap = await session.envs[0]!.snapshot();
    const artifact = await t.client.artifacts.retrieve(snap.artifactId!);
    expect(artifact).toMatchObject({ kind: "memory", simulator: "fossil", parentArtifactId: null });
    expect(artifact.checkpoint?.file).toBe(`${artifact.artifactId}.tar.zst`);

    const user = await t.client.sessions.create({ envs: [Env.artifact(artifact.artifactId)] });
    await expect(t.client.artifacts.remove(artifact.artifactId)).rejects.toThrow(ConflictError);
    await user.close();

    writeFileSync(join(t.home, "artifacts", artifact.checkpoint!.file), "not a checkpoint");
    await expect(t.client.sessions.create({ envs: [Env.artifact(artifact.artifactId)] })).rejects.toThrow(
      /is corrupt: its checkpoint archive's sha256/,
    );
    await t.client.artifacts.remove(artifact.artifactId);
    expect(existsSync(join(t.home, "artifacts", artifact.checkpoint!.file))).toBe(false);
    await session.close();
  });
});

describe("memory snapshots on a host without a working CRIU", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ criu: "/nonexistent/criu" });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("says so in /healthz and per job, leaves nothing behind, and disk snapshots still work", async () => {
    const health = await t.client.health();
    expect(health.capabilities).toMatchObject({ memory_snapshots: false, disk_snapshots: true });
    expect(health.capabilities.memory_snapshots_reason).toMatch(/criu/i);
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil")] });
    const { results } = await session.snapshot();
    const entry = results[session.envs[0]!.jobId]!;
    expect(entry.success).toBe(false);
    expect(entry.error).toMatch(/memory snapshots are not available on this host: .*criu/i);
    expect(entry.error).toMatch(/disk snapshot/);
    expect(await t.client.artifacts.list()).toEqual([]);
    const dir = join(t.home, "artifacts");
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect((await session.diskSnapshot()).results[session.envs[0]!.jobId]!.success).toBe(true);
    await session.close();
  });
});
