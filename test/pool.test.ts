import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Env, type EnvState, type Session } from "@terrarium/sdk";
import { podmanContainers, startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);

const stateOf = (session: Session): Promise<EnvState> => session.envs[0]!.getState();
const TICKETS = 'fossil sql -R /data/project.fossil "SELECT count(*) FROM ticket"';

/** Containers of the server waiting in its pool (labelled with the kind they were made for). */
async function pooled(instance: string): Promise<string[]> {
  const { stdout } = await run("podman", [
    "ps",
    "--filter",
    `label=io.terrarium.instance=${instance}`,
    "--filter",
    "label=io.terrarium.pool",
    "--format",
    "{{.Names}}",
  ]);
  return stdout.split("\n").filter((n) => n.startsWith("terrarium-p_"));
}

/** The pool kind a job's container was made for, or "" when it was booted for its job. */
const poolKindOf = async (jobId: string) =>
  (
    await run("podman", ["inspect", "-f", '{{index .Config.Labels "io.terrarium.pool"}}', `terrarium-${jobId}`])
  ).stdout.trim();

describe("warm pool", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ poolSize: 2 });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("hands over ready environments at create and reset, which behave like fresh ones", async () => {
    // The first session of a kind starts the slow way and asks the pool to keep two ready.
    const first = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    await t.server.pool.settled();
    expect(t.server.pool.status()["image:localhost/terrarium/fossil:latest"]).toEqual({ ready: 2, filling: 0 });
    expect(await pooled(t.server.instanceId)).toHaveLength(2);

    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "warm" })] });
    const env = session.getEnv("warm")!;
    // Named after its job, with the alias as host name, and an empty state (its baseline came along).
    expect(await podmanContainers(session.sessionId)).toEqual([]); // pooled: no session label
    const { stdout: names } = await run("podman", ["ps", "--format", "{{.Names}}"]);
    expect(names.split("\n")).toContain(`terrarium-${env.jobId}`);
    expect((await env.execute("hostname; cat /etc/hostname")).stdout).toBe("warm\nwarm\n");
    const stateBefore = await stateOf(session);
    expect(stateBefore.dbs[0]!.changes).toEqual([]);
    expect(stateBefore.files).toEqual([]);

    // It works like any environment: changes show in the state, reset takes them away.
    const seeded = (await env.execute(TICKETS)).stdout;
    await env.execute("fossil ticket add -R /data/project.fossil title 'Pooled' status Open");
    expect((await stateOf(session)).dbs[0]!.changes.some((c) => c.table === "ticket")).toBe(true);
    const reset = await session.reset();
    const outcome = reset.results[env.jobId]!;
    expect(outcome).toMatchObject({ success: true });
    expect(outcome.message).toMatch(/warm pool/);
    expect((await env.execute(TICKETS)).stdout).toBe(seeded);
    expect((await env.execute("hostname")).stdout).toBe("warm\n");
    expect((await stateOf(session)).dbs[0]!.changes).toEqual([]);
    // The proxy follows the job to its new environment.
    const url = await env.getPublicUrl();
    expect((await fetch(url)).status).toBe(200);

    // Several environments in one session: pooled ones join the session's network under their aliases.
    await t.server.pool.settled();
    const pair = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "left" }), Env.simulator("fossil", { alias: "right" })],
    });
    const ping = await pair.getEnv("left")!.execute("getent hosts right && hostname");
    expect(ping.exitCode).toBe(0);
    expect(ping.stdout).toMatch(/\bright\b.*\nleft\n$/);
    // They came from the pool (made for its kind), not booted for the session.
    for (const env of pair.envs) expect(await poolKindOf(env.jobId)).toBe("image:localhost/terrarium/fossil:latest");
    await t.server.pool.settled();
    const pairReset = await pair.reset();
    for (const env of pair.envs) expect(pairReset.results[env.jobId]!.message).toMatch(/warm pool/);
    expect((await pair.getEnv("right")!.execute("getent hosts left && hostname")).stdout).toMatch(
      /\bleft\b.*\nright\n$/,
    );

    for (const s of [first, session, pair]) await s.close();
    await t.server.pool.settled();
    expect(await pooled(t.server.instanceId)).toHaveLength(2);
  });

  it("lets go of a published version's pooled environments when its artifact is removed", async () => {
    const source = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const version = `pool-${Date.now()}`;
    const snapshot = await source.diskSnapshot({ overrideVersion: version });
    await source.close();
    const artifactId = Object.values(snapshot.results)[0]!.artifactId!;
    const kind = `image:localhost/terrarium/fossil:${version}`;
    // The version's first session makes the pool keep it warm.
    const user = await t.client.sessions.create({ envs: [Env.simulator("fossil", { tag: version })] });
    await user.close();
    await t.server.pool.settled();
    expect(t.server.pool.status()[kind]).toEqual({ ready: 2, filling: 0 });
    const kindOf = async (name: string) =>
      (await run("podman", ["inspect", "-f", '{{index .Config.Labels "io.terrarium.pool"}}', name])).stdout.trim();
    const before = await pooled(t.server.instanceId);
    const ofVersion = (await Promise.all(before.map(async (n) => ((await kindOf(n)) === kind ? n : "")))).filter(
      Boolean,
    );
    expect(ofVersion).toHaveLength(2);

    await t.client.artifacts.remove(artifactId);
    expect(t.server.pool.status()[kind]).toBeUndefined();
    const after = await pooled(t.server.instanceId);
    for (const name of ofVersion) expect(after).not.toContain(name);
  });

  it("removes its environments when the server stops", async () => {
    const home = t.home;
    const instance = t.server.instanceId;
    await t.server.pool.settled();
    expect((await pooled(instance)).length).toBeGreaterThan(0);
    await t.stop({ keepHome: true });
    expect(await pooled(instance)).toEqual([]);
    t = await startTestServer({ poolSize: 2 }, home);
  });
});
