import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, Session, Terrarium } from "@terrarium/sdk";
import { podmanContainers, podmanNetworks, podmanObjectsOf, startTestServer, type TestServer } from "./helpers.js";

describe("nothing is left behind", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("close removes every container and the network, as Podman itself sees it", async () => {
    const session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "a" }), Env.simulator("fossil", { alias: "b" })],
    });
    expect((await podmanContainers(session.sessionId)).length).toBe(2);
    expect(await podmanNetworks(session.sessionId)).toEqual([`terrarium-${session.sessionId}`]);
    const { results } = await session.close();
    expect(Object.values(results).every((r) => r.success)).toBe(true);
    expect(await podmanContainers(session.sessionId)).toEqual([]);
    expect(await podmanNetworks(session.sessionId)).toEqual([]);
  });

  it("a restarted server re-attaches to running environments; close then leaves nothing", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const saved = session.dump();
    session.stopHeartbeat();
    await session.getEnv("forge")!.execute("echo survived > /tmp/mark");
    const home = t.home;
    await t.stop({ keepHome: true });
    expect((await podmanContainers(session.sessionId)).length).toBe(1); // environments outlive the server

    t = await startTestServer({}, home);
    const client = new Terrarium({ baseUrl: t.server.url });
    const again = await Session.load({ ...saved, base_url: t.server.url }, { client });
    expect((await again.getEnv("forge")!.execute("cat /tmp/mark")).stdout).toBe("survived\n");
    await again.close();
    await client.close();
    expect(await podmanContainers(session.sessionId)).toEqual([]);
    expect(await podmanNetworks(session.sessionId)).toEqual([]);
    expect(await podmanObjectsOf(t.server.instanceId)).toEqual({ containers: [], networks: [] });
  });

  it("a restart removes what its store does not know and closes what died", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    session.stopHeartbeat();
    const home = t.home;
    await t.stop({ keepHome: true });
    // The environment dies while the server is down.
    const { execFile } = await import("node:child_process");
    await new Promise((resolve) =>
      execFile("podman", ["rm", "-f", "-t", "0", `terrarium-${session.envs[0]!.jobId}`], resolve),
    );

    t = await startTestServer({}, home);
    const details = await t.client.sessions.retrieve(session.sessionId);
    expect(details.status).toBe("closed");
    expect(details.envs[0]).toMatchObject({ status: "closed", closeReason: "lost" });
    expect(await podmanNetworks(session.sessionId)).toEqual([]);
  });
});
