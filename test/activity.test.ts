import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, Env } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fields of the answers these tests read. */
interface Answer {
  session_id?: string;
  status?: string;
  ready?: boolean;
  envs?: { alias: string; success: boolean; ready: boolean; error?: string }[];
}

/** Plain HTTP, as a user without the SDK (and so without heartbeats) calls the API. */
async function call(
  t: TestServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${t.server.url}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer };
}

describe("activity and heartbeats", () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("keeps a session that is used but never sent a heartbeat", async () => {
    const made = await call(t, "POST", "/api/v2/sessions/make", {
      type: "envs",
      envs: [{ type: "simulator", simulator: "fossil" }],
      heartbeat_timeout: 2,
      timeout: 60,
    });
    expect(made.status).toBe(200);
    const id = made.body.session_id as string;
    // Calls every 0.5 s for three times the timeout: executes, state reads and URL lookups all count.
    for (let i = 0; i < 12; i++) {
      const path = [
        `/api/v2/sessions/${id}/execute`,
        `/api/v2/sessions/${id}/state`,
        `/api/v2/sessions/${id}/public_url`,
      ][i % 3]!;
      const answer = await call(
        t,
        path.endsWith("execute") ? "POST" : "GET",
        path,
        path.endsWith("execute") ? { command: "true" } : undefined,
      );
      expect(answer.status).toBe(200);
      await sleep(500);
    }
    expect((await call(t, "GET", `/api/v2/sessions/${id}`)).body.status).toBe("active");
    // Left alone, it is reaped, although its details are read meanwhile: watching is not using.
    let status = "active";
    for (let i = 0; i < 60 && status === "active"; i++) {
      await sleep(500);
      status = (await call(t, "GET", `/api/v2/sessions/${id}`)).body.status!;
    }
    expect(status).toBe("closed");
  });

  it("does not reap an environment while a command runs in it, and names the reason after it is closed", async () => {
    const session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge", heartbeatTimeout: 2 })],
    });
    session.stopHeartbeat();
    const forge = session.getEnv("forge")!;
    // Runs three times past the heartbeat timeout.
    const result = await forge.execute("sleep 6; echo finished", { timeout: 30 });
    expect(result).toMatchObject({ exitCode: 0, stdout: "finished\n", timedOut: false });
    expect(result.error).toBeUndefined();
    expect((await session.details()).status).toBe("active");

    // The command's end restarted the timeout; with nothing more, the reaper closes the session.
    let closedAt = "";
    for (let i = 0; i < 60 && !closedAt; i++) {
      await sleep(500);
      const found = (await t.client.sessions.list({ status: "all" })).find((s) => s.sessionId === session.sessionId)!;
      closedAt = found.closedAt ?? "";
    }
    expect(closedAt).not.toBe("");
    const onSession = await session.execute("true").catch((error: unknown) => error);
    expect(onSession).toBeInstanceOf(ConflictError);
    expect((onSession as Error).message).toContain("heartbeat_timeout");
    expect((onSession as Error).message).toContain(closedAt);
    const onJob = await forge.execute("true").catch((error: unknown) => error);
    expect(onJob).toBeInstanceOf(ConflictError);
    expect((onJob as Error).message).toMatch(/heartbeat_timeout at \d{4}-/);
  });

  it("says a command's environment was closed or reset under it", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    try {
      const forge = session.getEnv("forge")!;
      const underReset = forge.execute("echo started; sleep 60", { timeout: 90 });
      await sleep(1500);
      await session.reset();
      const reset = await underReset;
      expect(reset.error).toMatch(/^the environment was reset at \d{4}-.* while the command ran/);
      expect(reset.exitCode).toBeNull();

      const underClose = forge.execute("sleep 60", { timeout: 90 });
      await sleep(1500);
      await session.close();
      expect((await underClose).error).toMatch(/^the environment was closed \(closed\) at \d{4}-/);
    } finally {
      await session.close().catch(() => undefined);
    }
  });

  it("answers success false with ready false when make's timeout runs out first", async () => {
    const made = await call(t, "POST", "/api/v2/sessions/make", {
      type: "envs",
      envs: [{ type: "simulator", simulator: "redmine", alias: "slow" }],
      timeout: 0.5,
    });
    expect(made.status).toBe(200);
    const id = made.body.session_id as string;
    try {
      const env = made.body.envs![0]!;
      expect(env).toMatchObject({ alias: "slow", success: false, ready: false });
      expect(env.error).toMatch(/not ready within the 0.5 s timeout/);
      // It was not given up: it becomes ready.
      const waited = await call(t, "GET", `/api/v2/sessions/${id}/wait_for_ready?timeout=60`);
      expect(waited.body.ready).toBe(true);

      const again = await call(t, "POST", "/api/v2/sessions/make", {
        type: "envs",
        envs: [{ type: "simulator", simulator: "fossil" }],
        timeout: 60,
      });
      expect(again.body.envs![0]).toMatchObject({ success: true, ready: true });
      await call(t, "POST", `/api/v2/sessions/${again.body.session_id}/close`);
      // Without a timeout, make answers at once: started, readiness not checked yet.
      const quick = await call(t, "POST", "/api/v2/sessions/make", {
        type: "envs",
        envs: [{ type: "simulator", simulator: "fossil" }],
      });
      expect(quick.body.envs![0]).toMatchObject({ success: true, ready: false });
      await call(t, "POST", `/api/v2/sessions/${quick.body.session_id}/close`);
    } finally {
      await call(t, "POST", `/api/v2/sessions/${id}/close`);
    }
  });
});
