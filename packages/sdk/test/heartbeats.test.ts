import { afterEach, describe, expect, it } from "vitest";
import { Env, SerializedSession, Session, Terrarium } from "../src/index.js";
import { fail, startFakeApi, until, type FakeApi } from "./fake-api.js";

let api: FakeApi | undefined;
const savedKey = process.env.TERRARIUM_API_KEY;
afterEach(async () => {
  await api?.close();
  api = undefined;
  if (savedKey === undefined) delete process.env.TERRARIUM_API_KEY;
  else process.env.TERRARIUM_API_KEY = savedKey;
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("heartbeats", () => {
  it("run every heartbeatInterval after create, and close stops them", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url, heartbeatInterval: 40 });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    await until(() => api!.count("/heartbeat") >= 3, "3 heartbeats");
    const beats = api.count("/heartbeat");
    expect(api.seen.filter((s) => s.path.endsWith("/heartbeat")).every((s) => s.path.includes(session.sessionId))).toBe(
      true,
    );
    await session.close();
    const afterClose = api.count("/heartbeat");
    expect(afterClose - beats).toBeLessThanOrEqual(1);
    await sleep(200);
    expect(api.count("/heartbeat")).toBe(afterClose);
  });

  it("stopHeartbeat and startHeartbeat pause and resume them; client.close stops every session's", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url, heartbeatInterval: 40 });
    const one = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    const two = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    one.stopHeartbeat();
    two.stopHeartbeat();
    const stopped = api.count("/heartbeat");
    await sleep(150);
    expect(api.count("/heartbeat")).toBe(stopped);
    one.startHeartbeat();
    one.startHeartbeat(); // a second start does not double the rate
    two.startHeartbeat();
    const started = Date.now();
    const beatsOf = (s: Session) => api!.count(`${s.sessionId}/heartbeat`);
    await until(() => beatsOf(one) >= 3 && beatsOf(two) >= 3, "3 heartbeats of each session");
    // One timer per session, however often it was started.
    expect(beatsOf(one)).toBeLessThanOrEqual((Date.now() - started) / 40 + 1);
    await client.close();
    const beats = api.count("/heartbeat");
    expect([one.heartbeatRunning, two.heartbeatRunning]).toEqual([false, false]);
    await sleep(150);
    expect(api.count("/heartbeat")).toBe(beats);
    // client.close does not close sessions.
    expect(api.count("/close")).toBe(0);
    expect(api.sessions.get(one.sessionId)?.status).toBe("active");
  });

  it("a failing heartbeat never throws and is tried again at the next tick; a closed session stops them", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url, heartbeatInterval: 40, maxRetries: 0 });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      let failures = 0;
      api.override = (s) => {
        if (!s.path.endsWith("/heartbeat")) return undefined;
        failures++;
        return failures % 2 ? { destroy: true } : fail(503, "unavailable", "podman is restarting");
      };
      await until(() => failures >= 4, "4 failed heartbeats");
      expect(session.heartbeatRunning).toBe(true);

      api.override = undefined;
      const before = api.count("/heartbeat");
      await until(() => api!.count("/heartbeat") > before + 1, "heartbeats after the failures");

      // Closed elsewhere (e.g. by another process, or reaped): 409, and heartbeats stop.
      api.sessions.get(session.sessionId)!.status = "closed";
      await until(() => !session.heartbeatRunning, "heartbeats to stop");
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("do not pile up while one is slow", async () => {
    api = await startFakeApi((s) =>
      s.path.endsWith("/heartbeat") ? { delayMs: 300, body: { results: {} } } : undefined,
    );
    const client = new Terrarium({ baseUrl: api.url, heartbeatInterval: 30 });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    await sleep(400);
    expect(api.count("/heartbeat")).toBeLessThanOrEqual(2);
    session.stopHeartbeat();
  });
});

describe("close", () => {
  it("is idempotent: a second close sends nothing and answers as the first", async () => {
    api = await startFakeApi();
    const session = await new Terrarium({ baseUrl: api.url }).sessions.create({ envs: [Env.simulator("fossil")] });
    const first = await session.close();
    expect(first).toEqual({ results: { [session.envs[0]!.jobId]: { success: true } } });
    expect(await session.close()).toEqual(first);
    await session[Symbol.asyncDispose]();
    expect(api.count("/close")).toBe(1);
    session.startHeartbeat();
    expect(session.heartbeatRunning).toBe(false);
  });

  it("of a session closed elsewhere answers success, saying since when; a failed close can be tried again", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url, maxRetries: 0 });
    const closedElsewhere = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    await client.sessions.close(closedElsewhere.sessionId);
    expect(await closedElsewhere.close()).toEqual({
      results: {
        [closedElsewhere.envs[0]!.jobId]: {
          success: true,
          message: "already closed (closed at 2025-01-01T00:01:00.000Z)",
        },
      },
    });

    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    api.override = (s) => (s.path.endsWith("/close") ? fail(503, "unavailable", "podman is restarting") : undefined);
    await expect(session.close()).rejects.toThrow("podman is restarting");
    api.override = undefined;
    expect((await session.close()).results[session.envs[0]!.jobId]).toEqual({ success: true });
  });

  it("await using closes the session at the end of the block", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url });
    let id = "";
    {
      await using session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
      id = session.sessionId;
      await session.reset();
    }
    expect(api.sessions.get(id)?.status).toBe("closed");
  });
});

describe("dump and load", () => {
  it("dump -> JSON -> SerializedSession.parse -> Session.load drives the same jobs, and heartbeats resume", async () => {
    api = await startFakeApi();
    const original = await new Terrarium({ baseUrl: api.url, apiKey: "k_first" }).sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" }), Env.artifact("a_1", { alias: "copy" })],
    });
    const text = JSON.stringify(original.dump());
    original.stopHeartbeat();
    expect(JSON.parse(text)).toEqual({
      version: 1,
      session_id: original.sessionId,
      task_public_id: null,
      base_url: api.url,
      envs: [
        { job_id: original.envs[0]!.jobId, alias: "forge", simulator: "fossil", artifact_id: null },
        { job_id: original.envs[1]!.jobId, alias: "copy", simulator: null, artifact_id: "a_1" },
      ],
      heartbeat: true,
    });
    expect(text).not.toContain("k_first");

    // No client given: one for the dumped URL, with the key of this process's environment.
    process.env.TERRARIUM_API_KEY = "k_second";
    const restored = await Session.load(SerializedSession.parse(JSON.parse(text)));
    const from = api.seen.length;
    expect(restored.sessionId).toBe(original.sessionId);
    expect(restored.client.baseUrl).toBe(api.url);
    expect(restored.envs.map((e) => [e.alias, e.jobId, e.simulator, e.artifactId])).toEqual(
      original.envs.map((e) => [e.alias, e.jobId, e.simulator, e.artifactId]),
    );
    const { results } = await restored.execute("whoami");
    expect(Object.keys(results)).toEqual(original.envs.map((e) => e.jobId));
    expect((await restored.getEnv("copy")!.execute("hostname")).stdout).toBe("copy: hostname\n");
    expect(api.seen.slice(from).map((s) => s.path)).toEqual([
      `/api/v2/sessions/${original.sessionId}/execute`,
      `/api/v2/jobs/${original.envs[1]!.jobId}/execute`,
    ]);
    expect(api.seen.slice(from).every((s) => s.apiKey === "k_second")).toBe(true);
    expect(restored.heartbeatRunning).toBe(true);
    expect(restored.dump()).toEqual(JSON.parse(text));
    await restored.close();
  });

  it("load with a client uses its heartbeat interval; heartbeats run against the same session", async () => {
    api = await startFakeApi();
    const original = await new Terrarium({ baseUrl: api.url }).sessions.create({ envs: [Env.simulator("fossil")] });
    const data = SerializedSession.parse(JSON.parse(JSON.stringify(original.dump())));
    original.stopHeartbeat();
    const client = new Terrarium({ baseUrl: api.url, heartbeatInterval: 40 });
    const restored = await Session.load(data, { client });
    await until(() => api!.count(`/api/v2/sessions/${original.sessionId}/heartbeat`) >= 3, "3 heartbeats");
    await client.close();
    expect(restored.heartbeatRunning).toBe(false);

    const quiet = await Session.load(data, { client, heartbeat: false });
    expect(quiet.heartbeatRunning).toBe(false);
    expect(quiet.dump().heartbeat).toBe(false);
    await quiet.close();
  });

  it("SerializedSession.parse rejects what is not a dumped session", () => {
    expect(() => SerializedSession.parse({ session_id: "s_x" })).toThrow();
    const good = {
      version: 1,
      session_id: "s_1",
      task_public_id: null,
      base_url: "http://127.0.0.1:7350",
      envs: [{ job_id: "j_1", alias: "a", simulator: "fossil", artifact_id: null }],
      heartbeat: true,
    };
    expect(SerializedSession.parse(good)).toEqual(good);
    expect(() => SerializedSession.parse({ ...good, version: 2 })).toThrow();
    expect(() => SerializedSession.parse({ ...good, base_url: "not a url" })).toThrow();
  });
});
