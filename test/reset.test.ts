import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type Session } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

const countTickets = "fossil sql -R /data/project.fossil 'SELECT count(*) FROM ticket'";

describe("reset", () => {
  let t: TestServer;
  let session: Session;

  beforeAll(async () => {
    t = await startTestServer();
    session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("brings back the seeded state after a file and a ticket were added, keeping job ids and aliases", async () => {
    const env = session.getEnv("forge")!;
    const seeded = (await env.execute(countTickets)).stdout.trim();
    expect(Number(seeded)).toBeGreaterThanOrEqual(12);

    const change = await env.execute(
      `echo agent-was-here > /data/notes.txt && fossil ticket add -R /data/project.fossil title 'Crash on empty input' status Open type Code_Defect && ${countTickets}`,
    );
    expect(change.exitCode).toBe(0);
    expect(Number(change.stdout.trim().split("\n").pop())).toBe(Number(seeded) + 1);

    const jobIds = session.envs.map((e) => e.jobId);
    const { results } = await session.reset();
    expect(Object.keys(results)).toEqual(jobIds);
    expect(Object.values(results).every((r) => r.success)).toBe(true);

    expect(session.envs.map((e) => e.jobId)).toEqual(jobIds);
    expect(session.getEnv("forge")!.jobId).toBe(env.jobId);
    const after = await env.execute(`test -e /data/notes.txt && echo still-there; ${countTickets}`);
    expect(after.stdout.trim()).toBe(seeded);
    expect((await session.details()).envs.map((e) => [e.jobId, e.alias, e.status])).toEqual([
      [env.jobId, "forge", "running"],
    ]);
  });

  it("resets one environment through its job", async () => {
    const env = session.getEnv("forge")!;
    await env.execute("touch /data/marker");
    const { results } = await env.reset();
    expect(results[env.jobId]?.success).toBe(true);
    expect((await env.execute("test -e /data/marker")).exitCode).toBe(1);
  });
});
