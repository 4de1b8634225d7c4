import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  Env,
  EnvironmentError,
  InternalServerError,
  NotFoundError,
  SerializedSession,
  ServiceUnavailableError,
  Session,
  Terrarium,
} from "../src/index.js";

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let server: Server | undefined;
const seen: { method: string; url: string; key?: string; body: string }[] = [];

/** A stand-in HTTP API in the test: this is a unit test of the client's own behaviour. */
async function serve(handler: Handler): Promise<string> {
  seen.length = 0;
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, key: req.headers["x-api-key"] as string | undefined, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
};
const fail = (res: ServerResponse, status: number, code: string, message: string) =>
  json(res, status, { error: { code, message, request_id: "req_1" } });

const stop = async () => {
  if (server) await new Promise((r) => server!.close(r));
  server = undefined;
};
afterEach(stop);

describe("Terrarium client", () => {
  it("maps each error status to its class, with the server's message", async () => {
    const cases: [number, string, new (...a: never[]) => Error][] = [
      [400, "bad_request", BadRequestError],
      [401, "unauthorized", AuthenticationError],
      [404, "not_found", NotFoundError],
      [409, "conflict", ConflictError],
      [500, "internal", InternalServerError],
    ];
    for (const [status, code, Class] of cases) {
      const url = await serve((_q, _b, res) => fail(res, status, code, `message for ${status}`));
      const error = await new Terrarium({ baseUrl: url, maxRetries: 0 }).sessions
        .retrieve("s_1")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Class);
      expect((error as Error).message).toBe(`message for ${status}`);
      expect((error as { status: number }).status).toBe(status);
      expect((error as { requestId: string }).requestId).toBe("req_1");
      await stop();
    }
  });

  it("retries idempotent calls on 503, never execute", async () => {
    let calls = 0;
    const url = await serve((req, _b, res) => {
      calls++;
      if (req.url!.startsWith("/api/v2/sessions?") && calls < 3) return fail(res, 503, "unavailable", "busy");
      if (req.url!.includes("/execute")) return fail(res, 503, "unavailable", "busy");
      json(res, 200, { sessions: [] });
    });
    const client = new Terrarium({ baseUrl: url, maxRetries: 2 });
    expect(await client.sessions.list()).toEqual([]);
    expect(calls).toBe(3);
    calls = 0;
    const session = client.sessions.attach({ sessionId: "s_1", taskPublicId: null, envs: [] });
    await expect(session.execute("true")).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(calls).toBe(1);
  });

  it("says where it tried when the server is unreachable", async () => {
    const error = await new Terrarium({ baseUrl: "http://127.0.0.1:9", maxRetries: 0 })
      .health()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/127\.0\.0\.1:9.*terrarium up/);
  });

  it("sends the API key, snake_case bodies, and maps results keyed by job id to camelCase", async () => {
    const url = await serve((req, _b, res) => {
      if (req.url === "/api/v2/sessions/make") {
        return json(res, 200, {
          session_id: "s_1",
          task_public_id: null,
          envs: [{ job_id: "j_1", alias: "forge", simulator: "fossil", artifact_id: null, success: true }],
        });
      }
      if (req.url!.startsWith("/api/v2/sessions/s_1/wait_for_ready"))
        return json(res, 200, { ready: true, results: { j_1: { ready: true } } });
      json(res, 200, {
        results: { j_1: { stdout: "hi\n", stderr: "", exit_code: 0, timed_out: false, truncated: false } },
      });
    });
    const client = new Terrarium({ baseUrl: url, apiKey: "k1" });
    const session = await client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge", heartbeatTimeout: 5 })],
      heartbeat: false,
    });
    expect(JSON.parse(seen[0]!.body)).toEqual({
      type: "envs",
      envs: [{ type: "simulator", simulator: "fossil", alias: "forge", heartbeat_timeout: 5 }],
    });
    expect(seen.every((s) => s.key === "k1")).toBe(true);
    const { results } = await session.execute("echo hi", { timeout: 5 });
    expect(results).toEqual({ j_1: { stdout: "hi\n", stderr: "", exitCode: 0, timedOut: false, truncated: false } });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ command: "echo hi", timeout: 5 });
  });

  it("closes the session and names the alias when an environment failed", async () => {
    const url = await serve((req, _b, res) => {
      if (req.url === "/api/v2/sessions/make") {
        return json(res, 200, {
          session_id: "s_1",
          task_public_id: null,
          envs: [
            {
              job_id: "j_1",
              alias: "forge",
              simulator: "fossil",
              artifact_id: null,
              success: false,
              error: "no image",
            },
          ],
        });
      }
      json(res, 200, { results: { j_1: { success: true } } });
    });
    const error = await new Terrarium({ baseUrl: url }).sessions
      .create({ envs: [Env.simulator("fossil", { alias: "forge" })] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).failures).toEqual({ forge: "no image" });
    expect(seen.map((s) => s.url)).toEqual(["/api/v2/sessions/make", "/api/v2/sessions/s_1/close"]);
  });

  it("heartbeats after load, stops on close, and closes once", async () => {
    const url = await serve((_q, _b, res) => json(res, 200, { results: { j_1: { success: true } } }));
    const client = new Terrarium({ baseUrl: url, heartbeatInterval: 50 });
    const dumped = JSON.parse(
      JSON.stringify({
        version: 1,
        session_id: "s_1",
        task_public_id: null,
        base_url: url,
        envs: [{ job_id: "j_1", alias: "a", simulator: "fossil", artifact_id: null }],
        heartbeat: true,
      }),
    );
    const session = await Session.load(SerializedSession.parse(dumped), { client });
    await new Promise((r) => setTimeout(r, 300));
    const beats = seen.filter((s) => s.url.endsWith("/heartbeat")).length;
    expect(beats).toBeGreaterThanOrEqual(2);
    await session.close();
    await session.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.filter((s) => s.url.endsWith("/heartbeat")).length).toBe(beats);
    expect(seen.filter((s) => s.url.endsWith("/close")).length).toBe(1);
    expect(session.dump()).toMatchObject({ session_id: "s_1", base_url: url, heartbeat: false });
  });
});
