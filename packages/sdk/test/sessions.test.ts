import { afterEach, describe, expect, it } from "vitest";
import { ConflictError, Env, EnvironmentError, NotFoundError, Terrarium } from "../src/index.js";
import { fail, startFakeApi, type FakeApi } from "./fake-api.js";

/** What a text answer says of lossiness when the server says nothing of it (as older servers do). */
const TEXT = { stdoutLossy: false, stderrLossy: false };

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

describe("Env", () => {
  it("produces the wire EnvSpec, leaving out what was not given", () => {
    expect(Env.simulator("fossil")).toEqual({ type: "simulator", simulator: "fossil" });
    expect(Env.simulator("fossil", { alias: "forge", tag: "2.24", heartbeatTimeout: 60 })).toEqual({
      type: "simulator",
      simulator: "fossil",
      alias: "forge",
      tag: "2.24",
      heartbeat_timeout: 60,
    });
    expect(Env.artifact("a_1", { alias: "restored", restoreMemory: false, heartbeatTimeout: 0 })).toEqual({
      type: "artifact",
      artifact_id: "a_1",
      alias: "restored",
      restore_memory: false,
      heartbeat_timeout: 0,
    });
  });
});

describe("sessions.create", () => {
  it("makes the session in snake_case, waits for it, and starts heartbeats", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url });
    const session = await client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" }), Env.artifact("a_1", { alias: "copy" })],
      timeout: 60,
      heartbeatTimeout: 90,
    });
    expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "POST /api/v2/sessions/make",
      `GET /api/v2/sessions/${session.sessionId}/wait_for_ready`,
    ]);
    expect(api.seen[0]!.body).toEqual({
      type: "envs",
      envs: [
        { type: "simulator", simulator: "fossil", alias: "forge" },
        { type: "artifact", artifact_id: "a_1", alias: "copy" },
      ],
      timeout: 60,
      heartbeat_timeout: 90,
    });
    const waited = Number(api.seen[1]!.query.get("timeout"));
    expect(waited).toBeGreaterThan(55);
    expect(waited).toBeLessThanOrEqual(60);

    expect(session.taskPublicId).toBeNull();
    expect(session.envs.map((e) => [e.alias, e.simulator, e.artifactId])).toEqual([
      ["forge", "fossil", null],
      ["copy", null, "a_1"],
    ]);
    expect(session.getEnv("copy")).toBe(session.envs[1]);
    expect(session.getEnv("nothing")).toBeUndefined();
    expect(session.heartbeatRunning).toBe(true);
    await session.close();
    expect(session.heartbeatRunning).toBe(false);
  });

  it("with waitForReady: false, asks the server not to wait and does not wait either", async () => {
    api = await startFakeApi();
    const session = await new Terrarium({ baseUrl: api.url }).sessions.create({
      envs: [Env.simulator("fossil")],
      waitForReady: false,
      heartbeat: false,
    });
    expect(api.seen.map((s) => s.path)).toEqual(["/api/v2/sessions/make"]);
    expect(api.seen[0]!.body).toEqual({ type: "envs", envs: [{ type: "simulator", simulator: "fossil" }] });
    expect(session.heartbeatRunning).toBe(false);
    expect(session.envs[0]!.alias).toMatch(/^env-/);
  });

  it("from a task sends its id (the server answers 404 while it knows no tasks)", async () => {
    api = await startFakeApi();
    const error = await new Terrarium({ baseUrl: api.url }).sessions
      .create({ task: "fossil-close-ticket", timeout: 30 })
      .catch((e: unknown) => e);
    expect(api.seen[0]!.body).toEqual({ type: "task", task_id: "fossil-close-ticket", timeout: 30 });
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe('unknown task "fossil-close-ticket"');
  });

  it("closes the session and names each alias when an environment could not be made", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url });
    const error = await client.sessions
      .create({ envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("broken", { alias: "bad" })] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    const { failures, sessionId, message } = error as EnvironmentError;
    expect(failures).toEqual({ bad: 'image of simulator "broken" is not built; run `terrarium setup broken`' });
    expect(message).toMatch(/could not start, so it was closed; bad: image of simulator "broken" is not built/);
    expect(api.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      "POST /api/v2/sessions/make",
      `POST /api/v2/sessions/${sessionId}/close`,
    ]);
    expect(api.sessions.get(sessionId!)?.status).toBe("closed");
  });

  it("closes the session and names each alias when an environment does not become ready", async () => {
    api = await startFakeApi();
    const error = await new Terrarium({ baseUrl: api.url }).sessions
      .create({
        envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("sleepy", { alias: "slow" })],
        timeout: 5,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).failures).toEqual({ slow: expect.stringMatching(/no answer on port 8080/) });
    expect(api.seen.map((s) => s.path.split("/").at(-1))).toEqual(["make", "wait_for_ready", "close"]);
    expect(api.sessions.get((error as EnvironmentError).sessionId!)?.status).toBe("closed");
  });

  it("closes the session when waiting for it fails or is aborted", async () => {
    api = await startFakeApi((s) =>
      s.path.endsWith("/wait_for_ready") ? { delayMs: 2000, body: { ready: true, results: {} } } : undefined,
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("stop")), 200);
    await expect(
      new Terrarium({ baseUrl: api.url }).sessions.create({
        envs: [Env.simulator("fossil")],
        signal: controller.signal,
      }),
    ).rejects.toThrow("stop");
    expect(api.count("/close")).toBe(1);
  });
});

describe("session and environment operations", () => {
  it("answer per job id in camelCase, keeping a job's error in its entry", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url });
    const session = await client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "a" }), Env.simulator("fossil", { alias: "b" })],
    });
    const [a, b] = session.envs.map((e) => e.jobId) as [string, string];

    expect(await session.execute("whoami", { timeout: 5 })).toEqual({
      results: {
        [a]: { stdout: "a: whoami\n", stderr: "", exitCode: 0, timedOut: false, truncated: false, ...TEXT },
        [b]: { stdout: "b: whoami\n", stderr: "", exitCode: 0, timedOut: false, truncated: false, ...TEXT },
      },
    });
    expect(api.seen.at(-1)!.body).toEqual({ command: "whoami", timeout: 5 });

    const { results } = await session.execute("fail-in-one");
    expect(results[a]).toEqual({
      stdout: "",
      stderr: "",
      exitCode: null,
      timedOut: false,
      truncated: false,
      ...TEXT,
      error: "container is gone",
    });
    expect(results[b]?.exitCode).toBe(0);
    expect(api.seen.at(-1)!.body).toEqual({ command: "fail-in-one", timeout: 30 });

    expect(await session.reset()).toEqual({
      results: { [a]: { success: true, message: "reset in 5 ms" }, [b]: { success: true, message: "reset in 5 ms" } },
    });
    expect(await session.waitForReady({ timeout: 7 })).toEqual({
      ready: true,
      results: { [a]: { ready: true }, [b]: { ready: true } },
    });
    expect(api.seen.at(-1)!.query.get("timeout")).toBe("7");
    expect(await session.heartbeat()).toEqual({ results: { [a]: { success: true }, [b]: { success: true } } });
    expect((await session.details()).envs.map((e) => e.alias)).toEqual(["a", "b"]);
    await session.close();
  });

  it("an Environment uses the /api/v2/jobs routes, which answer its bare result, and answers its own result", async () => {
    api = await startFakeApi();
    const session = await new Terrarium({ baseUrl: api.url }).sessions.create({
      envs: [Env.simulator("fossil", { alias: "a" }), Env.simulator("fossil", { alias: "b" })],
    });
    const b = session.getEnv("b")!;
    const from = api.seen.length;
    expect(await b.execute("ls -la", { timeout: 3 })).toEqual({
      stdout: "b: ls -la\n",
      stderr: "",
      exitCode: 0,
      timedOut: false,
      truncated: false,
      ...TEXT,
    });
    // base64 on request: the bytes, as a Buffer.
    const binary = await b.execute("cat /bin/true", { encoding: "base64" });
    expect(api.seen.at(-1)!.body).toEqual({ command: "cat /bin/true", timeout: 30, encoding: "base64" });
    expect(binary.stdout).toEqual(Buffer.from("b: cat /bin/true\n"));
    expect(await b.reset()).toEqual({ results: { [b.jobId]: { success: true, message: "reset in 5 ms" } } });
    expect(await b.waitForReady()).toEqual({ ready: true, results: { [b.jobId]: { ready: true } } });
    expect(await b.heartbeat()).toEqual({ results: { [b.jobId]: { success: true } } });
    expect((await b.details()).alias).toBe("b");
    expect(await b.close()).toEqual({ results: { [b.jobId]: { success: true } } });
    expect(await b.close()).toEqual({
      results: { [b.jobId]: { success: true, message: "already closed (closed at 2025-01-01T00:01:00.000Z)" } },
    });
    await expect(b.execute("true")).rejects.toBeInstanceOf(ConflictError);
    expect(api.seen.slice(from).map((s) => `${s.method} ${s.path.replace(b.jobId, "{job}")}`)).toEqual([
      "POST /api/v2/jobs/{job}/execute",
      "POST /api/v2/jobs/{job}/execute",
      "POST /api/v2/jobs/{job}/reset",
      "GET /api/v2/jobs/{job}/wait_for_ready",
      "POST /api/v2/jobs/{job}/heartbeat",
      "GET /api/v2/jobs/{job}",
      "POST /api/v2/jobs/{job}/close",
      "POST /api/v2/jobs/{job}/close",
      "POST /api/v2/jobs/{job}/execute",
    ]);
    expect(api.sessions.get(session.sessionId)?.status).toBe("active");
    await session.close();
  });

  it("an error of the whole call is thrown with the server's message", async () => {
    api = await startFakeApi();
    const session = await new Terrarium({ baseUrl: api.url }).sessions.create({ envs: [Env.simulator("fossil")] });
    api.override = (s) =>
      s.path.endsWith("/execute") ? fail(400, "bad_request", "body.command: command must not be empty") : undefined;
    await expect(session.execute("")).rejects.toThrow("body.command: command must not be empty");
    await session.close();
  });
});
