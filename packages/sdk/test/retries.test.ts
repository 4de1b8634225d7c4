import { afterEach, describe, expect, it } from "vitest";
import { ConnectionError, Env, ServiceUnavailableError, Terrarium } from "../src/index.js";
import { fail, startFakeApi, type FakeApi, type Reply } from "./fake-api.js";

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** Fails the first `times` requests to paths ending with `suffix`, then lets them through. */
function flaky(suffix: string, times: number, reply: Reply = fail(503, "unavailable", "podman is restarting")) {
  let left = times;
  return (s: { path: string }) => (s.path.endsWith(suffix) && left-- > 0 ? reply : undefined);
}

describe("retries", () => {
  it("retries a GET on 503 with backoff, then answers", async () => {
    api = await startFakeApi(flaky("/api/v2/sessions", 2));
    const started = Date.now();
    expect(await new Terrarium({ baseUrl: api.url, maxRetries: 2 }).sessions.list()).toEqual([]);
    expect(api.count("/api/v2/sessions")).toBe(3);
    // Backoff of about 0.5 s then 1 s (with jitter) between the attempts.
    expect(Date.now() - started).toBeGreaterThan(800);
  });

  it("waits as long as Retry-After says", async () => {
    api = await startFakeApi(
      flaky("/api/v2/simulators", 1, { ...fail(503, "unavailable", "busy"), headers: { "retry-after": "0" } }),
    );
    const started = Date.now();
    expect(await new Terrarium({ baseUrl: api.url }).simulators.list()).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(300);
  });

  it("gives up after maxRetries with the last error", async () => {
    api = await startFakeApi(
      flaky("/healthz", 10, { ...fail(503, "unavailable", "busy"), headers: { "retry-after": "0" } }),
    );
    const error = await new Terrarium({ baseUrl: api.url, maxRetries: 3 }).health().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(api.count("/healthz")).toBe(4);
  });

  it("retries when the connection drops", async () => {
    api = await startFakeApi(flaky("/healthz", 1, { destroy: true }));
    expect((await new Terrarium({ baseUrl: api.url }).health()).version).toBe("0.0.0-fake");
    expect(api.count("/healthz")).toBe(2);
  });

  it("does not retry a 4xx, nor non-idempotent calls (execute, make)", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url, maxRetries: 2 });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const before = api.seen.length;

    api.override = (s) => (s.path.endsWith("/execute") ? { destroy: true } : undefined);
    await expect(session.execute("touch /once")).rejects.toBeInstanceOf(ConnectionError);
    await expect(session.getEnv("forge")!.execute("touch /once")).rejects.toBeInstanceOf(ConnectionError);
    api.override = (s) => (s.path.endsWith("/execute") ? fail(503, "unavailable", "busy") : undefined);
    await expect(session.execute("touch /once")).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(api.count("/execute")).toBe(3);

    api.override = (s) => (s.path.endsWith("/make") ? fail(503, "unavailable", "busy") : undefined);
    await expect(client.sessions.create({ envs: [Env.simulator("fossil")] })).rejects.toBeInstanceOf(
      ServiceUnavailableError,
    );
    expect(api.count("/make")).toBe(2);

    api.override = (s) => (s.path.endsWith("/reset") ? fail(409, "conflict", "resetting already") : undefined);
    await expect(session.reset()).rejects.toThrow("resetting already");
    expect(api.count("/reset")).toBe(1);
    expect(api.seen.length - before).toBe(5);
    api.override = undefined;
    await session.close();
    await client.close();
  });

  it("retries reset, heartbeat and close, which are safe to send again", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url, heartbeatInterval: 60_000 });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    for (const op of ["/reset", "/heartbeat", "/close"]) {
      api.override = flaky(op, 1, { ...fail(502, "internal", "proxy hiccup"), headers: { "retry-after": "0" } });
      const { results } = await (op === "/reset"
        ? session.reset()
        : op === "/heartbeat"
          ? session.heartbeat()
          : session.close());
      expect(Object.values(results)[0]?.success, op).toBe(true);
      expect(api.count(op), op).toBe(2);
    }
  });
});
