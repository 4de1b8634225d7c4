import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConflictError,
  Env,
  InvalidSessionError,
  NotFoundError,
  SerializedSession,
  Session,
  Terrarium,
} from "@terrarium/sdk";
import { startTestServer, waitFor, type TestServer } from "./helpers.js";

describe("dump and load", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("drives the same environments from a fresh client, and heartbeats resume", async () => {
    const original = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge", heartbeatTimeout: 10 })],
    });
    await original.getEnv("forge")!.execute("echo from-the-first-client > /tmp/mark");
    const saved = JSON.stringify(original.dump());
    original.stopHeartbeat();

    const fresh = new Terrarium({ baseUrl: t.server.url, heartbeatInterval: 500 });
    const restored = await Session.load(SerializedSession.parse(JSON.parse(saved)), { client: fresh });
    try {
      expect(restored.sessionId).toBe(original.sessionId);
      expect(restored.envs.map((e) => [e.alias, e.jobId])).toEqual(original.envs.map((e) => [e.alias, e.jobId]));
      expect((await restored.getEnv("forge")!.execute("cat /tmp/mark")).stdout).toBe("from-the-first-client\n");

      const before = (await restored.details()).envs[0]!.lastHeartbeatAt;
      await waitFor(
        async () => ((await restored.details()).envs[0]!.lastHeartbeatAt > before ? true : undefined),
        10_000,
        "a heartbeat from the restored session",
      );
      // Past the 10 s timeout, the restored session's heartbeats keep it alive.
      await new Promise((r) => setTimeout(r, 12_000));
      expect((await restored.details()).status).toBe("active");
    } finally {
      await restored.close();
      await fresh.close();
    }
  });

  it("rejects a serialized session with missing fields, naming the first", () => {
    expect(() => SerializedSession.parse({ session_id: "s_x" })).toThrow(InvalidSessionError);
    expect(() => SerializedSession.parse({ session_id: "s_x" })).toThrow(/^not a dumped session: version: /);
  });

  it("fails fast on a closed session (naming when and why) and on one the server does not know", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const dumped = session.dump();
    await session.close();
    const { closedAt } = await t.client.sessions.retrieve(session.sessionId);
    expect(closedAt).toMatch(/^\d{4}-\d\d-\d\dT/);

    const closed = await Session.load(dumped, { client: t.client }).catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(ConflictError);
    expect((closed as Error).message).toBe(
      `session "${session.sessionId}" was closed at ${closedAt} (closed), so it cannot be loaded; make a new session`,
    );

    const unknown = await Session.load({ ...dumped, session_id: "s_000000000000" }, { client: t.client }).catch(
      (e: unknown) => e,
    );
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as Error).message).toMatch(
      new RegExp(`^cannot load session "s_000000000000": the server at ${t.server.url} answered: .*s_000000000000`),
    );
  });
});
