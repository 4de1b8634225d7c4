import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, Terrarium } from "@terrarium/sdk";
import { podmanContainers, startTestServer, waitFor, type TestServer } from "./helpers.js";

describe("heartbeats", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("reaps an environment whose heartbeats stopped", async () => {
    const session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge", heartbeatTimeout: 2 })],
    });
    session.stopHeartbeat();
    const job = session.getEnv("forge")!.jobId;
    const details = await waitFor(
      async () => {
        const d = await session.details();
        return d.status === "closed" ? d : undefined;
      },
      30_000,
      "the reaper to close the session",
    );
    expect(details.envs[0]).toMatchObject({ jobId: job, status: "closed", closeReason: "heartbeat_timeout" });
    expect(await podmanContainers(session.sessionId)).toEqual([]);
  });

  it("keeps an environment whose heartbeats run", async () => {
    const client = new Terrarium({ baseUrl: t.server.url, heartbeatInterval: 500 });
    // Beats every 0.5 s against a 5 s timeout, watched for twice the timeout: margin for a busy machine.
    const session = await client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge", heartbeatTimeout: 5 })],
    });
    try {
      await new Promise((r) => setTimeout(r, 10_000));
      const details = await session.details();
      expect(details.status).toBe("active");
      expect(details.envs[0]?.status).toBe("running");
      expect((await session.getEnv("forge")!.execute("true")).exitCode).toBe(0);
    } finally {
      await session.close();
      await client.close();
    }
  });

  it("never reaps with heartbeat_timeout 0", async () => {
    const session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { heartbeatTimeout: 0 })],
      heartbeatTimeout: 1,
    });
    session.stopHeartbeat();
    try {
      await new Promise((r) => setTimeout(r, 3000));
      expect((await session.details()).status).toBe("active");
    } finally {
      await session.close();
    }
  });
});
