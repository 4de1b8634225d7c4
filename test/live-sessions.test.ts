import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podmanContainers, podmanNetworks, startTestServer, type TestServer } from "./helpers.js";

/** A JSON answer, read field by field (the shapes are the wire's; test/live-sessions asserts them). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = any;

/** The server's HTTP API, as any client (Plato's SDK among them) calls it. */
function api(t: TestServer) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${t.server.url}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, Answer>) : null };
  };
}

const fossil = (alias: string) => ({ type: "simulator", simulator: "fossil", alias });

describe("live sessions: environments added and removed, the session's log, deferred starts", () => {
  let t: TestServer;
  let call: ReturnType<typeof api>;
  beforeAll(async () => {
    t = await startTestServer();
    call = api(t);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("adds an environment that joins the session's network under its alias, lists it and removes it", async () => {
    const made = await call("POST", "/api/v2/sessions/make", { type: "envs", envs: [fossil("forge")], timeout: 120 });
    expect(made.status).toBe(200);
    const sessionId = made.body!.session_id as string;

    const added = await call("POST", `/api/v2/sessions/${sessionId}/jobs`, { env: fossil("mirror"), timeout: 120 });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toMatchObject({ session_id: sessionId, env: { alias: "mirror", success: true, ready: true } });
    const mirrorId = added.body!.env.job_id as string;

    // The new environment is on the session's network: forge reaches it by its alias. (The head of the
    // answer, not only its status line: a failure then shows what answered and why.)
    const reach = await call("POST", `/api/v2/sessions/${sessionId}/execute`, {
      command:
        "bash -c 'exec 3<>/dev/tcp/mirror/8080; printf \"GET /timeline HTTP/1.0\\r\\nHost: mirror\\r\\n\\r\\n\" >&3; head -c 2000 <&3'",
      timeout: 30,
    });
    const forgeId = made.body!.envs[0].job_id as string;
    expect(reach.body!.results[forgeId]).toMatchObject({
      exit_code: 0,
      stdout: expect.stringMatching(/^HTTP\/1\.\d 200/),
    });
    expect(reach.body!.results[mirrorId]).toMatchObject({ exit_code: 0 });

    // An alias an open environment has is refused, naming the field; nothing is made.
    const twice = await call("POST", `/api/v2/sessions/${sessionId}/jobs`, { env: fossil("mirror") });
    expect(twice.status).toBe(400);
    expect(twice.body!.error.message).toMatch(/^env\.alias: the session already has an environment "mirror"/);
    const listed = await call("GET", `/api/v2/sessions/${sessionId}/jobs`);
    expect(listed.body!.jobs.map((j: { alias: string; status: string }) => [j.alias, j.status])).toEqual([
      ["forge", "running"],
      ["mirror", "running"],
    ]);

    // Removing: an unknown alias is a 404 naming the field and listing what there is.
    const unknown = await call("POST", `/api/v2/sessions/${sessionId}/remove-job`, { alias: "nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body!.error.message).toMatch(/^alias: no open environment "nope".*forge \(j_/);
    const neither = await call("POST", `/api/v2/sessions/${sessionId}/remove-job`, {});
    expect(neither.status).toBe(400);

    const removed = await call("POST", `/api/v2/sessions/${sessionId}/remove-job`, { job_id: mirrorId });
    expect(removed.body).toMatchObject({ session_id: sessionId, job_id: mirrorId, success: true });
    expect(await podmanContainers(sessionId)).toEqual([`terrarium-${forgeId}`]);
    const after = await call("GET", `/api/v2/sessions/${sessionId}/jobs`);
    expect(after.body!.jobs.find((j: { job_id: string }) => j.job_id === mirrorId)).toMatchObject({
      status: "closed",
      close_reason: "removed",
      status_reason: "removed",
    });

    // The alias is free again; removing the last environment closes the session and its network.
    const again = await call("POST", `/api/v2/sessions/${sessionId}/jobs`, { env: fossil("mirror"), timeout: 120 });
    expect(again.body!.env).toMatchObject({ alias: "mirror", success: true });
    await call("POST", `/api/v2/sessions/${sessionId}/remove-job`, { alias: "mirror" });
    const last = await call("POST", `/api/v2/sessions/${sessionId}/remove-job`, { alias: "forge" });
    expect(last.body!.message).toMatch(/last environment, so the session is closed/);
    expect((await call("GET", `/api/v2/sessions/${sessionId}`)).body!.status).toBe("closed");
    expect(await podmanContainers(sessionId)).toEqual([]);
    expect(await podmanNetworks(sessionId)).toEqual([]);
    const closed = await call("POST", `/api/v2/sessions/${sessionId}/jobs`, { env: fossil("late") });
    expect(closed.status).toBe(409);
  });

  it("keeps the session's events in order, paged: created, ready, execute with command and exit code, reset, close", async () => {
    const made = await call("POST", "/api/v2/sessions/make", { type: "envs", envs: [fossil("forge")], timeout: 120 });
    const sessionId = made.body!.session_id as string;
    const jobId = made.body!.envs[0].job_id as string;
    await call("POST", `/api/v2/sessions/${sessionId}/execute`, { command: "echo hi; exit 3" });
    await call("GET", `/api/v2/sessions/${sessionId}/state`);
    await call("POST", `/api/v2/sessions/${sessionId}/reset`);
    await call("POST", `/api/v2/sessions/${sessionId}/logs/login`, { job_id: jobId, success: true, flow: "login" });
    await call("POST", `/api/v2/sessions/${sessionId}/close`);

    const all = await call("GET", `/api/v2/sessions/${sessionId}/logs?limit=1000`);
    expect(all.status).toBe(200);
    const events = all.body!.events as { seq: number; kind: string; job_id: string | null; data: Answer }[];
    expect(events.map((e) => e.kind)).toEqual([
      "created",
      "ready",
      "execute",
      "state",
      "reset",
      "login",
      "closed",
      "closed",
    ]);
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
    const execute = events.find((e) => e.kind === "execute")!;
    expect(execute).toMatchObject({
      job_id: jobId,
      data: { command: "echo hi; exit 3", exit_code: 3, timed_out: false },
    });
    expect(all.body!.next_after).toBeNull();

    // Paged: three at a time, each page after the last one's cursor, the same events in the end.
    const paged: number[] = [];
    let after = 0;
    for (;;) {
      const page = await call("GET", `/api/v2/sessions/${sessionId}/logs?limit=3&after=${after}`);
      paged.push(...page.body!.events.map((e: { seq: number }) => e.seq));
      if (page.body!.next_after === null) break;
      after = page.body!.next_after as number;
    }
    expect(paged).toEqual(events.map((e) => e.seq));
    // One environment's events (Plato's per-job path); bad paging is a 400 naming the field.
    const own = await call("GET", `/api/v2/sessions/${sessionId}/jobs/${jobId}/logs`);
    expect(own.body!.events.every((e: { job_id: string }) => e.job_id === jobId)).toBe(true);
    const bad = await call("GET", `/api/v2/sessions/${sessionId}/logs?limit=0`);
    expect(bad.status).toBe(400);
    expect(bad.body!.error.message).toMatch(/limit/);
    expect((await call("GET", "/api/v2/sessions/s_nope/logs")).status).toBe(404);
  });

  it("answers a deferred make at once; wait_for_ready then waits for the boot and readiness", async () => {
    const made = await call("POST", "/api/v2/sessions/make", { type: "envs", envs: [fossil("forge")], wait: false });
    expect(made.status).toBe(200);
    expect(made.body!.envs[0]).toMatchObject({ alias: "forge", success: true, ready: false });
    const sessionId = made.body!.session_id as string;
    const ready = await call("GET", `/api/v2/sessions/${sessionId}/wait_for_ready?timeout=120`);
    expect(ready.body).toMatchObject({ ready: true });
    const done = await call("POST", `/api/v2/sessions/${sessionId}/execute`, { command: "fossil version" });
    expect(Object.values(done.body!.results)[0]).toMatchObject({ exit_code: 0 });
    await call("POST", `/api/v2/sessions/${sessionId}/close`);
  });

  it("adds an environment in the background (wait: false); its wait_for_ready waits for the boot", async () => {
    const made = await call("POST", "/api/v2/sessions/make", { type: "envs", envs: [fossil("forge")], timeout: 120 });
    const sessionId = made.body!.session_id as string;
    const added = await call("POST", `/api/v2/sessions/${sessionId}/jobs`, { env: fossil("late"), wait: false });
    expect(added.body!.env).toMatchObject({ alias: "late", success: true, ready: false });
    const ready = await call("GET", `/api/v2/jobs/${added.body!.env.job_id}/wait_for_ready?timeout=120`);
    expect(ready.body).toMatchObject({ ready: true });
    await call("POST", `/api/v2/sessions/${sessionId}/close`);
  });

  it("links a task to a running session (link-testcase) when it has the task's environments, then evaluates it", async () => {
    const made = await call("POST", "/api/v2/sessions/make", { type: "envs", envs: [fossil("forge")], timeout: 120 });
    const sessionId = made.body!.session_id as string;
    expect((await call("POST", `/api/v2/sessions/${sessionId}/evaluate`)).status).toBe(409);
    const unknown = await call("POST", `/api/v2/sessions/${sessionId}/link-testcase`, { testcase_id: "fossil/nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body!.error.message).toMatch(/^testcase_id: unknown task "fossil\/nope"/);
    const linked = await call("POST", `/api/v2/sessions/${sessionId}/link-testcase`, {
      testcase_id: "fossil/promote-carol-developer",
    });
    expect(linked.body).toEqual({
      session_id: sessionId,
      testcase_id: "fossil/promote-carol-developer",
      success: true,
    });
    const evaluated = await call("POST", `/api/v2/sessions/${sessionId}/evaluate`);
    expect(evaluated.status).toBe(200);
    expect(evaluated.body).toMatchObject({ task_id: "fossil/promote-carol-developer", success: false });
    expect((await call("GET", `/api/v2/sessions/${sessionId}`)).body!.task_public_id).toBe(
      "fossil/promote-carol-developer",
    );
    await call("POST", `/api/v2/sessions/${sessionId}/close`);

    // A session without the task's forge cannot be scored by it: refused, naming what is missing.
    const other = await call("POST", "/api/v2/sessions/make", { type: "envs", envs: [fossil("other")] });
    const refused = await call("POST", `/api/v2/sessions/${other.body!.session_id}/link-testcase`, {
      testcase_id: "fossil/promote-carol-developer",
    });
    expect(refused.status).toBe(409);
    expect(refused.body!.error.message).toMatch(
      /reads forge \(fossil\), which this session has no open environment of; its environments: other \(fossil\)/,
    );
    await call("POST", `/api/v2/sessions/${other.body!.session_id}/close`);
  });

  it("makes a session from a test case (Plato's name for a task) and names the field of an unknown one", async () => {
    const made = await call("POST", "/api/v2/sessions/make", {
      type: "testcase",
      testcase_id: "fossil/count-open-storage-tickets",
      timeout: 120,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(made.body).toMatchObject({ task_public_id: "fossil/count-open-storage-tickets" });
    await call("POST", `/api/v2/sessions/${made.body!.session_id}/close`);
    const unknown = await call("POST", "/api/v2/sessions/make", { type: "testcase", testcase_id: "fossil/nope" });
    expect(unknown.status).toBe(404);
    expect(unknown.body!.error.message).toMatch(/^testcase_id: unknown task "fossil\/nope"/);
  });
});

describe("shutdown callbacks", () => {
  let t: TestServer;
  let receiver: Server;
  let url: string;
  const received: { headers: IncomingMessage["headers"]; body: Answer }[] = [];
  /** Answers 503 to this many requests before answering 204, to make the server retry. */
  let refusals = 0;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => {
        received.push({ headers: request.headers, body: JSON.parse(text) });
        response.writeHead(refusals-- > 0 ? 503 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ended`;
    t = await startTestServer({ callbackRetryDelaysMs: [200, 200, 200] });
  });
  afterAll(async () => {
    await t?.stop();
    receiver?.close();
  });

  const until = async (check: () => boolean) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 100));
  };

  it("POSTs once when the session is closed, with the token, retried until it is taken", async () => {
    refusals = 2;
    const made = await fetch(`${t.server.url}/api/v2/sessions/make`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        type: "envs",
        envs: [fossil("forge")],
        shutdown_callback_url: url,
        shutdown_callback_token: "s3cret-token",
      }),
    }).then((r) => r.json() as Promise<Record<string, Answer>>);
    const sessionId = made.session_id as string;
    const details = await fetch(`${t.server.url}/api/v2/sessions/${sessionId}`).then((r) => r.text());
    expect(details).toContain(url);
    expect(details).not.toContain("s3cret-token");
    await fetch(`${t.server.url}/api/v2/sessions/${sessionId}/close`, { method: "POST" });
    await fetch(`${t.server.url}/api/v2/sessions/${sessionId}/close`, { method: "POST" });
    await until(() => received.length >= 3);
    await new Promise((r) => setTimeout(r, 800));
    // Two refusals, then delivered: three tries, and nothing after (a second close owes nothing).
    expect(received).toHaveLength(3);
    for (const r of received) {
      expect(r.headers.authorization).toBe("Bearer s3cret-token");
      expect(r.body).toMatchObject({
        session_id: sessionId,
        job_public_id: made.envs[0].job_id,
        shutdown_reason: "closed",
        status: "closed",
        jobs: [{ alias: "forge", close_reason: "closed" }],
      });
    }
    const logs = await fetch(`${t.server.url}/api/v2/sessions/${sessionId}/logs`).then(
      (r) => r.json() as Promise<{ events: { kind: string; message: string }[] }>,
    );
    expect(logs.events.at(-1)).toMatchObject({
      kind: "shutdown_callback",
      message: expect.stringMatching(/delivered \(try 3\)/),
    });
    expect(JSON.stringify(logs)).not.toContain("s3cret-token");
  });

  it("calls back when the heartbeat timeout reaps the session, and refuses a URL that is not http(s)", async () => {
    received.length = 0;
    refusals = 0;
    const made = await fetch(`${t.server.url}/api/v2/sessions/make`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "envs", envs: [fossil("forge")], heartbeat_timeout: 1, shutdown_callback_url: url }),
    }).then((r) => r.json() as Promise<Record<string, Answer>>);
    await until(() => received.length >= 1);
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({ session_id: made.session_id, shutdown_reason: "heartbeat_timeout" });
    expect(received[0]!.headers.authorization).toBeUndefined();

    const bad = await fetch(`${t.server.url}/api/v2/sessions/make`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "envs", envs: [fossil("forge")], shutdown_callback_url: "file:///etc/passwd" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/shutdown_callback_url/);
  });

  it("resumes a callback owed before a restart", async () => {
    received.length = 0;
    refusals = 0;
    // A first server whose callback finds nobody listening, stopped before its next try.
    const deadPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const first = await startTestServer({ callbackRetryDelaysMs: [60_000] });
    const call = api(first);
    const made = await call("POST", "/api/v2/sessions/make", {
      type: "envs",
      envs: [fossil("forge")],
      shutdown_callback_url: `http://127.0.0.1:${deadPort}/ended`,
    });
    await call("POST", `/api/v2/sessions/${made.body!.session_id}/close`);
    await new Promise((r) => setTimeout(r, 500));
    await first.stop({ keepHome: true });

    // The receiver now listens on that port; the next server owes the callback and delivers it at once.
    const late = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => {
        received.push({ headers: request.headers, body: JSON.parse(text) });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => late.listen(deadPort, "127.0.0.1", resolve));
    const second = await startTestServer({ callbackRetryDelaysMs: [60_000] }, first.home);
    try {
      // Its first try was refused; the restart makes it due now rather than in a minute.
      await until(() => received.length >= 1);
      expect(received.map((r) => r.body.session_id)).toEqual([made.body!.session_id]);
    } finally {
      await second.stop();
      late.close();
    }
  });
});
