import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statSync, readFileSync } from "node:fs";
import { AuthenticationError, BadRequestError, ConflictError, Env, NotFoundError, Terrarium } from "@terrarium/sdk";
import { podmanObjectsOf, startTestServer, type TestServer } from "./helpers.js";

describe("bad input gets a clear error and leaves nothing behind", () => {
  let t: TestServer;
  const post = (path: string, body: string, type = "application/json") =>
    fetch(`${t.server.url}${path}`, { method: "POST", headers: { "content-type": type }, body });

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    // Every case above must have left no container and no network of this server behind.
    expect(await podmanObjectsOf(t.server.instanceId)).toEqual({ containers: [], networks: [] });
    await t?.stop();
  });

  it("unknown simulator: 404 listing the known ones", async () => {
    const error = await t.client.sessions.create({ envs: [Env.simulator("gitea")] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).status).toBe(404);
    expect((error as Error).message).toMatch(/unknown simulator "gitea".*known simulators: .*fossil/);
  });

  it("duplicate alias: 400 naming it", async () => {
    const error = await t.client.sessions
      .create({ envs: [Env.simulator("fossil", { alias: "same" }), Env.simulator("fossil", { alias: "same" })] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toMatch(/duplicate alias "same"/);
  });

  it("malformed JSON: 400", async () => {
    const response = await post("/api/v2/sessions/make", '{"type": "envs", "envs": [');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string }; detail: string };
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message).toMatch(/malformed JSON/);
    // Where Plato's SDK (and FastAPI clients) read an error's message.
    expect(body.detail).toBe(body.error.message);
  });

  it("without API keys any key is accepted, as Plato's SDK always sends one", async () => {
    for (const key of ["any", "pk_live_not-a-key-of-this-server"]) {
      const response = await fetch(`${t.server.url}/api/v2/sessions`, { headers: { "x-api-key": key } });
      expect(response.status, key).toBe(200);
    }
  });

  it("missing or wrong fields: 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: "envs" }, /body\.envs/],
      [{ type: "envs", envs: [] }, /body\.envs: envs needs at least one environment/],
      [{ type: "envs", envs: [{ type: "simulator" }] }, /body\.envs\.0\.simulator/],
      [
        { type: "envs", envs: [{ type: "simulator", simulator: "fossil", alias: "Bad Alias!" }] },
        /body\.envs\.0\.alias/,
      ],
      [{ envs: [] }, /body\.type/],
    ];
    for (const [body, message] of cases) {
      const response = await post("/api/v2/sessions/make", JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    const noCommand = await post("/api/v2/sessions/s_000000000000/execute", JSON.stringify({ timeout: 3 }));
    expect(noCommand.status).toBe(400);
    expect(((await noCommand.json()) as { error: { message: string } }).error.message).toMatch(/body\.command/);
  });

  it("unknown session or job: 404", async () => {
    for (const path of ["/api/v2/sessions/s_000000000000", "/api/v2/jobs/j_000000000000"]) {
      const response = await fetch(`${t.server.url}${path}`);
      expect(response.status).toBe(404);
    }
    const error = await t.client.sessions.retrieve("s_nothere00000").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toMatch(/unknown session "s_nothere00000"/);
  });

  it("operations on a closed session: 409; closing it again answers success, saying since when", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const env = session.getEnv("forge")!;
    await session.close();
    for (const op of ["execute", "reset", "heartbeat"]) {
      const response = await post(
        `/api/v2/sessions/${session.sessionId}/${op}`,
        op === "execute" ? '{"command":"true"}' : "",
      );
      expect(response.status, op).toBe(409);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(
        /is closed \(closed at \d{4}-\d\d-\d\dT/,
      );
    }
    const error = await env.execute("true").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);

    // Plato's close is safe to repeat: the session's and the job's answer success again.
    const again = await post(`/api/v2/sessions/${session.sessionId}/close`, "");
    expect(again.status).toBe(200);
    const { closedAt } = (await t.client.sessions.retrieve(session.sessionId)).envs[0]!;
    expect(await again.json()).toEqual({
      session_id: session.sessionId,
      success: true,
      message: `session "${session.sessionId}" was already closed`,
      results: { [env.jobId]: { success: true, message: `already closed (closed at ${closedAt})` } },
    });
    const job = await post(`/api/v2/jobs/${env.jobId}/close`, "");
    expect(job.status).toBe(200);
    expect(await job.json()).toEqual({ success: true, message: `already closed (closed at ${closedAt})` });
    expect(await env.close()).toEqual({
      results: { [env.jobId]: { success: true, message: `already closed (closed at ${closedAt})` } },
    });
  });

  it("serves Prometheus metrics: request durations by route and status, open sessions and environments", async () => {
    await fetch(`${t.server.url}/api/v2/sessions/s_000000000000`);
    const text = await (await fetch(`${t.server.url}/metrics`)).text();
    expect(text).toMatch(
      /terrarium_http_request_duration_seconds_count\{method="GET",route="\/api\/v2\/sessions\/:session_id",status="404"\} [1-9]/,
    );
    expect(text).toMatch(/^terrarium_sessions_active \d+$/m);
    expect(text).toContain("# TYPE terrarium_environments gauge");
  });

  it("one error shape everywhere: an overlong id, a malformed URL, a wrong method (405 with Allow)", async () => {
    const expectShape = async (response: Response, status: number, code: string, message: RegExp) => {
      expect(response.status).toBe(status);
      const answer = (await response.json()) as Record<string, unknown>;
      expect(Object.keys(answer)).toEqual(["error", "detail"]);
      expect(answer.error).toMatchObject({ code, request_id: expect.stringMatching(/^req_/) });
      expect((answer.error as { message: string }).message).toMatch(message);
      expect(answer.detail).toBe((answer.error as { message: string }).message);
    };
    await expectShape(
      await fetch(`${t.server.url}/api/v2/sessions/${"s".repeat(5000)}`),
      400,
      "bad_request",
      /longer than 100 characters/,
    );
    await expectShape(await fetch(`${t.server.url}/api/v2/sessions/%zz`), 400, "bad_request", /malformed/);
    const wrong = await fetch(`${t.server.url}/api/v2/sessions/s_000000000000/execute`);
    expect(wrong.headers.get("allow")).toBe("POST");
    await expectShape(wrong, 405, "method_not_allowed", /does not take GET; it takes POST/);
    const remove = await fetch(`${t.server.url}/api/v2/sessions/make`, { method: "DELETE" });
    expect(remove.headers.get("allow")).toContain("POST");
    await expectShape(remove, 405, "method_not_allowed", /does not take DELETE/);
    await expectShape(
      await post(
        "/api/v2/sessions/make",
        JSON.stringify({ type: "envs", envs: [], pad: "x".repeat(17 * 1024 * 1024) }),
      ),
      413,
      "payload_too_large",
      /larger than the 16 MiB/,
    );
    // A trailing slash is the same route, not another one.
    expect((await fetch(`${t.server.url}/api/v2/sessions/`)).status).toBe(200);
  });

  it("routes whose body is optional take none", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    try {
      for (const type of [undefined, "application/json"]) {
        const response = await fetch(`${t.server.url}/api/v2/sessions/${session.sessionId}/disk_snapshot`, {
          method: "POST",
          headers: type ? { "content-type": type } : {},
        });
        expect(response.status, `disk_snapshot with content-type ${type}`).toBe(200);
        const { results } = (await response.json()) as { results: Record<string, { artifact_id: string }> };
        for (const r of Object.values(results)) await t.client.artifacts.remove(r.artifact_id);
      }
    } finally {
      await session.close();
    }
  });

  it("an unknown route: 404 as JSON; the OpenAPI document describes the API", async () => {
    const missing = await fetch(`${t.server.url}/api/v2/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const openapi = (await (await fetch(`${t.server.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        "/api/v2/sessions/make",
        "/api/v2/sessions/{session_id}/execute",
        "/api/v2/jobs/{job_id}/reset",
        "/api/v2/tasks/{task_id}",
        "/api/v2/tasks/{simulator}/{slug}",
        "/metrics",
      ]),
    );
    // Valid templates only, and no path twice with and without a trailing slash.
    for (const path of Object.keys(openapi.paths)) {
      expect(path).toMatch(/^\/[a-z0-9_/{}-]*$/);
      expect(path.length === 1 || !path.endsWith("/"), path).toBe(true);
    }
    const snapshot = openapi.paths["/api/v2/sessions/{session_id}/snapshot"] as { post: { requestBody?: unknown } };
    expect(snapshot.post.requestBody).toBeDefined();
  });
});

describe("API keys", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ requireApiKey: true, apiKeys: ["right-key"] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("refuses a request without the key or with a wrong one, and accepts the right one", async () => {
    const refused = await fetch(`${t.server.url}/api/v2/sessions`);
    expect(refused.status).toBe(401);
    const body = (await refused.json()) as { error: { code: string; message: string }; detail: string };
    expect(body.error.code).toBe("unauthorized");
    expect(body.detail).toBe(body.error.message);
    expect((await fetch(`${t.server.url}/api/v2/sessions`, { headers: { "x-api-key": "wrong" } })).status).toBe(401);
    expect((await fetch(`${t.server.url}/api/v2/sessions`, { headers: { "x-api-key": "right-key" } })).status).toBe(
      200,
    );
    expect((await fetch(`${t.server.url}/healthz`)).status).toBe(200);
  });
});

describe("a server bound off loopback without a configured key", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ host: "0.0.0.0", apiKeys: [] });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("creates a key, keeps it in a file only its owner reads, and requires it", async () => {
    expect(t.server.apiKeyFile).toBeDefined();
    expect(statSync(t.server.apiKeyFile!).mode & 0o777).toBe(0o600);
    const key = readFileSync(t.server.apiKeyFile!, "utf8").trim();
    expect(key).toMatch(/^tk_/);
    const anonymous = new Terrarium({ baseUrl: t.server.url, apiKey: "" });
    const error = await anonymous.sessions.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toMatch(/X-API-Key/);
    expect(await new Terrarium({ baseUrl: t.server.url, apiKey: key }).sessions.list()).toEqual([]);
    expect(((await (await fetch(`${t.server.url}/healthz`)).json()) as { auth: string }).auth).toBe("api_key");
  });
});
