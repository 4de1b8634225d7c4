import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BadRequestError,
  ConnectionError,
  Env,
  EnvironmentError,
  LoginError,
  NotFoundError,
  Terrarium,
  TerrariumError,
  type Session,
  type SessionEvent,
} from "@terrarium/sdk";
import { podmanContainers, startTestServer, waitFor, type TestServer } from "./helpers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Debian's Chromium, installed by `terrarium setup` (browser downloads do not work on such hosts). */
const CHROMIUM = "/usr/bin/chromium";
const forge = () => Env.simulator("fossil", { alias: "forge" });
/** An HTTP request from inside an environment to `host`'s fossil (no curl in the image: bash's /dev/tcp). */
const httpFrom = (host: string) =>
  `bash -c 'exec 3<>/dev/tcp/${host}/8080; printf "GET /timeline HTTP/1.0\\r\\nHost: ${host}\\r\\n\\r\\n" >&3; head -1 <&3'`;

async function allEvents(session: Session, options: { jobId?: string } = {}): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  for await (const event of session.logs({ limit: 1000, ...options })) events.push(event);
  return events;
}

describe("the TypeScript SDK against a live server: the 2026 session surface", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("refuses a create that names none or several of envs, task, testcase and artifacts, before any request", async () => {
    // Nothing listens on port 9: a request would fail with a ConnectionError, not with the refusal.
    const offline = new Terrarium({ baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
    const refusal = async (request: unknown) =>
      offline.sessions.create(request as Parameters<typeof offline.sessions.create>[0]).then(
        () => undefined,
        (error: unknown) => error,
      );
    // @ts-expect-error: the types take exactly one source too
    const typed = () => offline.sessions.create({ envs: [forge()], task: "fossil/count-open-storage-tickets" });
    expect(typed).toBeTypeOf("function");

    const both = await refusal({ envs: [forge()], task: "fossil/count-open-storage-tickets" });
    expect(both).toBeInstanceOf(TerrariumError);
    expect(both).not.toBeInstanceOf(ConnectionError);
    expect((both as Error).message).toBe(
      "sessions.create takes exactly one of envs, task, testcase or artifacts; got envs and task",
    );
    expect(((await refusal({ timeout: 5 })) as Error).message).toMatch(/exactly one of .*; none was given$/);
    expect(((await refusal({ testcase: "x", artifacts: ["a_1"] })) as Error).message).toMatch(
      /got testcase and artifacts$/,
    );
    expect(((await refusal({ artifacts: [] })) as Error).message).toMatch(/^artifacts: give at least one artifact id/);
    // And the live server saw no make.
    const before = (await t.client.sessions.list({ status: "all" })).length;
    await expect(
      t.client.sessions.create({ envs: [forge()] }, { task: "fossil/count-open-storage-tickets" } as never),
    ).rejects.toThrow(/got envs and task/);
    expect(await t.client.sessions.list({ status: "all" })).toHaveLength(before);
  });

  it("adds an environment the first reaches by its alias, lists the jobs, removes it; bad aliases are typed errors", async () => {
    const session = await t.client.sessions.create({ envs: [forge()] });
    try {
      const mirror = await session.addEnv(Env.simulator("fossil", { alias: "mirror" }), { readyTimeout: 120 });
      expect(mirror.alias).toBe("mirror");
      expect(session.getEnv("mirror")).toBe(mirror);
      expect(session.envs.map((e) => e.alias)).toEqual(["forge", "mirror"]);

      // On the session's network under its alias: forge's request reaches mirror's fossil.
      const reach = await session.getEnv("forge")!.execute(httpFrom("mirror"));
      expect(reach.exitCode, reach.stderr).toBe(0);
      expect(reach.stdout).toMatch(/^HTTP\/1\.\d 200/);
      expect((await mirror.execute("fossil version")).exitCode).toBe(0);

      const jobs = await session.listJobs();
      expect(jobs.map((j) => [j.alias, j.status, j.statusReason])).toEqual([
        ["forge", "running", null],
        ["mirror", "running", null],
      ]);
      expect(jobs[1]).toMatchObject({ jobId: mirror.jobId, sessionId: session.sessionId, simulator: "fossil" });

      // An alias an open environment has: 400 naming env.alias; nothing is added.
      const twice = await session.addEnv(Env.simulator("fossil", { alias: "mirror" })).catch((e: unknown) => e);
      expect(twice).toBeInstanceOf(BadRequestError);
      expect((twice as BadRequestError).message).toMatch(
        /^env\.alias: the session already has an environment "mirror"/,
      );
      expect(await session.listJobs()).toHaveLength(2);
      expect(session.envs).toHaveLength(2);

      // An alias no open environment has: 404 naming alias, listing what there is.
      const unknown = await session.removeEnv("nope").catch((e: unknown) => e);
      expect(unknown).toBeInstanceOf(NotFoundError);
      expect((unknown as NotFoundError).message).toMatch(/^alias: no open environment "nope".*forge \(j_/);

      const removed = await session.removeEnv(mirror);
      expect(removed).toMatchObject({ sessionId: session.sessionId, jobId: mirror.jobId, success: true });
      expect(session.envs.map((e) => e.alias)).toEqual(["forge"]);
      expect(session.getEnv("mirror")).toBeUndefined();
      expect(await podmanContainers(session.sessionId)).toEqual([`terrarium-${session.getEnv("forge")!.jobId}`]);
      expect((await session.listJobs()).find((j) => j.jobId === mirror.jobId)).toMatchObject({
        status: "closed",
        closeReason: "removed",
        statusReason: "removed",
      });
      // The Environment again: by job id now, so the 404 names job_id.
      const again = await session.removeEnv(mirror).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(NotFoundError);
      expect((again as NotFoundError).message).toMatch(/^job_id: no open environment/);

      // Its alias is free again; without waitForReady the answer comes once it started.
      const scratch = await session.addEnv(Env.simulator("fossil", { alias: "mirror" }), {
        waitForReady: false,
        heartbeatTimeout: 900,
      });
      expect((await session.listJobs()).find((j) => j.jobId === scratch.jobId)).toMatchObject({
        alias: "mirror",
        heartbeatTimeout: 900,
      });
      expect((await scratch.waitForReady({ timeout: 120 })).ready).toBe(true);
      expect((await session.removeEnv("mirror")).success).toBe(true);

      const kinds = (await allEvents(session)).map((e) => [e.kind, e.alias]);
      expect(kinds).toEqual(
        expect.arrayContaining([
          ["env_added", "mirror"],
          ["env_removed", "mirror"],
        ]),
      );
    } finally {
      await session.close();
    }
  });

  it("linkTestcase attaches a task to a running session, which evaluate then scores", async () => {
    const session = await t.client.sessions.create({ envs: [forge()] });
    try {
      await expect(session.linkTestcase("fossil/nope")).rejects.toThrow(NotFoundError);
      await session.linkTestcase("fossil/promote-carol-developer");
      expect(session.taskPublicId).toBe("fossil/promote-carol-developer");
      const result = await session.evaluate();
      expect(result).toMatchObject({ task_id: "fossil/promote-carol-developer", success: false });
    } finally {
      await session.close();
    }
  });

  it("create({ testcase }) resets the session once ready, as Plato's SDK does; create({ task }) does not", async () => {
    const testcase = await t.client.sessions.create({ testcase: "fossil/count-open-storage-tickets" });
    try {
      expect(testcase.taskPublicId).toBe("fossil/count-open-storage-tickets");
      const events = await allEvents(testcase);
      const kinds = events.map((e) => e.kind);
      expect(kinds).toContain("reset");
      expect(kinds.indexOf("reset")).toBeGreaterThan(kinds.indexOf("ready"));
      expect(events.find((e) => e.kind === "reset")).toMatchObject({ alias: "forge", data: { success: true } });
      // The reset is done before create answers: the task is scored from the fresh baseline.
      expect(testcase.heartbeatRunning).toBe(true);
      const result = await testcase.evaluate({ value: "3" });
      expect(result.status).toBe("ok");
      expect(result.success).toBe(true);
    } finally {
      await testcase.close();
    }

    const task = await t.client.sessions.create({ task: "fossil/count-open-storage-tickets" });
    try {
      expect((await allEvents(task)).map((e) => e.kind)).not.toContain("reset");
    } finally {
      await task.close();
    }
  });

  it("create({ wait: false }) answers before the start is done; wait() finishes it and starts heartbeats", async () => {
    const session = await t.client.sessions.create({ envs: [forge()] }, { wait: false });
    try {
      expect(session.envs.map((e) => e.alias)).toEqual(["forge"]);
      expect(session.heartbeatRunning).toBe(false);
      await session.wait({ timeout: 120 });
      expect(session.heartbeatRunning).toBe(true);
      expect((await session.getEnv("forge")!.execute("fossil version")).exitCode).toBe(0);
      const events = (await allEvents(session)).length;
      await session.wait(); // harmless on a ready session: nothing happens
      expect(await allEvents(session)).toHaveLength(events);
      expect(session.heartbeatRunning).toBe(true);
    } finally {
      await session.close();
    }

    // Deferred and from a test case: wait() also does the reset.
    const testcase = await t.client.sessions.create({ testcase: "fossil/count-open-storage-tickets", wait: false });
    try {
      await testcase.wait({ timeout: 120 });
      expect((await allEvents(testcase)).map((e) => e.kind)).toContain("reset");
    } finally {
      await testcase.close();
    }
  });

  it("wait() names an environment that ended before it was ready, and closes the session", async () => {
    const session = await t.client.sessions.create({ envs: [forge()] }, { wait: false });
    // Another client removes the one environment (the server does it once the boot is through).
    const removed = await fetch(`${t.server.url}/api/v2/sessions/${session.sessionId}/remove-job`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ alias: "forge" }),
    });
    expect(removed.status).toBe(200);
    const error = await session.wait({ timeout: 60 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as EnvironmentError).failures).toEqual({ forge: "closed (removed)" });
    expect((error as EnvironmentError).message).toMatch(/could not start, so it was closed; forge: closed \(removed\)/);
    expect(session.heartbeatRunning).toBe(false);
    expect((await session.details()).status).toBe("closed");
  });

  it("create({ artifacts }) starts one environment per artifact, and the shutdown callback reaches its URL", async () => {
    const received: { headers: IncomingMessage["headers"]; body: Record<string, unknown> }[] = [];
    const receiver: Server = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => {
        received.push({ headers: request.headers, body: JSON.parse(text) as Record<string, unknown> });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    try {
      const source = await t.client.sessions.create({ envs: [forge()] });
      await source.getEnv("forge")!.execute("echo from-the-snapshot > /data/marker.txt");
      const { artifactId } = await source.getEnv("forge")!.diskSnapshot();
      await source.close();
      expect(artifactId).toMatch(/^a_/);

      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ended`;
      const session = await t.client.sessions.create(
        { artifacts: [artifactId!] },
        { shutdownCallbackUrl: url, shutdownCallbackToken: "sdk-token" },
      );
      expect(session.envs).toHaveLength(1);
      expect(session.envs[0]!.artifactId).toBe(artifactId);
      expect(session.envs[0]!.alias).toMatch(/^env-/);
      expect((await session.envs[0]!.execute("cat /data/marker.txt")).stdout).toBe("from-the-snapshot\n");
      expect((await t.client.sessions.retrieve(session.sessionId)).sessionId).toBe(session.sessionId);
      await session.close();
      await waitFor(async () => (received.length > 0 ? true : undefined), 30_000, "the shutdown callback");
      expect(received[0]!.headers.authorization).toBe("Bearer sdk-token");
      expect(received[0]!.body).toMatchObject({ session_id: session.sessionId, shutdown_reason: "closed" });
    } finally {
      receiver.close();
    }
  });

  it("logs(): a typed page awaited, every event with for await, one environment's with jobId", async () => {
    const session = await t.client.sessions.create({ envs: [forge()] });
    const jobId = session.getEnv("forge")!.jobId;
    try {
      await session.execute("echo one");
      await session.execute("exit 3");
      await session.reset();

      const first = await session.logs({ limit: 2 });
      expect(first.sessionId).toBe(session.sessionId);
      expect(first.events).toHaveLength(2);
      expect(first.events[0]).toMatchObject({ kind: "created", jobId: null, alias: null });
      expect(first.nextAfter).toBe(first.events[1]!.seq);

      // Page by page by hand, and by iterating (two at a time): the same events, in order.
      const paged: SessionEvent[] = [];
      for (let after = 0; ;) {
        const page = await session.logs({ after, limit: 2 });
        paged.push(...page.events);
        if (page.nextAfter === null) break;
        after = page.nextAfter;
      }
      const iterated: SessionEvent[] = [];
      for await (const event of session.logs({ limit: 2 })) iterated.push(event);
      expect(iterated).toEqual(paged);
      expect(iterated.map((e) => e.kind)).toEqual(["created", "ready", "execute", "execute", "reset"]);
      expect(iterated[3]).toMatchObject({
        kind: "execute",
        jobId,
        alias: "forge",
        data: { command: "exit 3", exit_code: 3, timed_out: false },
      });
      expect(iterated.map((e) => e.seq)).toEqual([...iterated.map((e) => e.seq)].sort((a, b) => a - b));

      const later = await session.logs({ after: iterated[2]!.seq });
      expect(later.events.map((e) => e.kind)).toEqual(["execute", "reset"]);
      expect(later.nextAfter).toBeNull();
      const own = await allEvents(session, { jobId });
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((e) => e.jobId === jobId)).toBe(true);

      const bad = await session.logs({ limit: 0 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(bad).toBeInstanceOf(BadRequestError);
      expect((bad as Error).message).toMatch(/limit/);
      const unknownJob = await session.logs({ jobId: "j_000000000000" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(unknownJob).toBeInstanceOf(NotFoundError);
      expect((unknownJob as Error).message).toMatch(/^job_id: /);
    } finally {
      await session.close();
    }
  });

  describe("login(browser)", () => {
    let browser: Browser;
    let shots: string;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM });
      shots = mkdtempSync(join(tmpdir(), "terrarium-login-shots-"));
    });
    afterAll(async () => {
      await browser?.close();
      if (shots) rmSync(shots, { recursive: true, force: true });
    });

    it("logs in to one environment (envAlias) or each, records each outcome, retries a failed try with a screenshot each", async () => {
      const session = await t.client.sessions.create({
        envs: [forge(), Env.simulator("fossil", { alias: "mirror" })],
      });
      try {
        const one = await session.login(browser, { envAlias: "mirror" });
        try {
          expect(Object.keys(one.pages)).toEqual(["mirror"]);
          expect(await one.pages.mirror!.locator(".mainmenu").innerText()).toContain("Logout");
        } finally {
          await one.context.close();
        }

        // In a context of the caller's: the pages open there, and it is theirs to close.
        const context = await browser.newContext();
        try {
          const both = await session.login(browser, { context, flow: "login" });
          expect(both.context).toBe(context);
          expect(Object.keys(both.pages).sort()).toEqual(["forge", "mirror"]);
        } finally {
          await context.close();
        }

        // Refused before a page opens: an alias the session does not have, a flow no simulator declares.
        await expect(session.login(browser, { envAlias: "wiki" })).rejects.toThrow(
          /^envAlias: the session has no environment "wiki"; its aliases: forge, mirror$/,
        );
        await expect(session.login(browser, { flow: "sso" })).rejects.toThrow(
          /^flow: "forge" \(fossil\) has no login flow "sso"/,
        );

        // The admin's password changes behind the simulator's back: every try fails, each leaves a screenshot.
        const changed = await session
          .getEnv("forge")!
          .execute("fossil user password admin not-the-documented-one -R /data/project.fossil");
        expect(changed.exitCode, changed.stderr).toBe(0);
        const failure = await session
          .login(browser, {
            envAlias: "forge",
            retries: 1,
            retryDelayMs: 200,
            stepTimeout: 3000,
            screenshotsDir: shots,
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(failure).toBeInstanceOf(LoginError);
        const error = failure as LoginError;
        expect(error.alias).toBe("forge");
        expect(error.tries).toBe(2);
        expect(error.message).toMatch(/^login to "forge" failed at step \d+ .*; tried 2 times$/);
        expect(error.screenshots).toHaveLength(2);
        expect(error.screenshots.every((file) => existsSync(file) && file.startsWith(shots))).toBe(true);
        expect(readdirSync(shots).sort()).toEqual([
          expect.stringMatching(/^forge-try-1-step-\d+-\d+\.png$/),
          expect.stringMatching(/^forge-try-2-step-\d+-\d+\.png$/),
        ]);

        const logins = (await allEvents(session)).filter((e) => e.kind === "login");
        expect(logins.map((e) => [e.alias, e.data?.success])).toEqual([
          ["mirror", true],
          ["forge", true],
          ["mirror", true],
          ["forge", false],
        ]);
        expect(logins.at(-1)).toMatchObject({
          data: { flow: "login", success: false, error: expect.stringMatching(/^login to "forge" failed/) },
        });
        expect(JSON.stringify(logins)).not.toContain("terrarium-admin");
      } finally {
        await session.close();
      }
    });
  });

  describe("heartbeats", () => {
    it("from the worker thread keep a session whose event loop is blocked past its heartbeat timeout; timers do not", async () => {
      // The caller is a process of its own: blocking this one would block the server too.
      const dir = mkdtempSync(join(tmpdir(), "terrarium-blocked-"));
      const script = join(dir, "blocked.mjs");
      writeFileSync(
        script,
        `import { writeSync } from "node:fs";
import { Env, Terrarium } from ${JSON.stringify(pathToFileURL(join(root, "packages/sdk/dist/index.js")).href)};
const say = (value) => writeSync(1, JSON.stringify(value) + "\\n");
const make = (heartbeatMode) =>
  new Terrarium({ baseUrl: process.argv[2], heartbeatInterval: 500, heartbeatMode }).sessions.create({
    envs: [Env.simulator("fossil", { alias: "forge", heartbeatTimeout: 3 })],
  });
const [worker, timer] = await Promise.all([make("worker"), make("timer")]);
say({ worker: worker.sessionId, timer: timer.sessionId, running: [worker.heartbeatRunning, timer.heartbeatRunning] });
// Synchronous work for four times the heartbeat timeout: no timer or I/O of this thread runs meanwhile.
const end = Date.now() + 12_000;
while (Date.now() < end);
say({ unblocked: true });
// The process ends here with the worker session still beating: its unref'd thread must not keep it alive.
`,
      );
      const child = spawn(process.execPath, [script, t.server.url], { stdio: ["ignore", "pipe", "pipe"] });
      const lines: Record<string, unknown>[] = [];
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) =>
        lines.push(
          ...chunk
            .toString()
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        ),
      );
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      let ids: { worker: string; timer: string } | undefined;
      try {
        const started = await waitFor(async () => lines[0], 90_000, `the blocked process's sessions (${stderr})`);
        ids = started as { worker: string; timer: string };
        expect(started.running).toEqual([true, true]);

        // While the caller is blocked, the server reaps the session that beat with timers...
        const timer = await waitFor(
          async () => {
            const info = await t.client.sessions.retrieve(ids!.timer);
            return info.status === "closed" ? info : undefined;
          },
          60_000,
          "the timer session to be reaped",
        );
        expect(timer.envs[0]?.closeReason).toBe("heartbeat_timeout");
        // ...and keeps the one whose heartbeats come from the worker thread.
        const worker = await t.client.sessions.retrieve(ids.worker);
        expect(lines.some((l) => l.unblocked)).toBe(false); // both seen while it was still blocked
        expect(worker.status).toBe("active");
        expect(worker.envs[0]?.status).toBe("running");

        const exit = await Promise.race([
          exited,
          new Promise<string>((resolve) => setTimeout(() => resolve("still running 30 s after its work"), 30_000)),
        ]);
        expect(exit, stderr).toBe(0);
        expect(lines.at(-1)).toEqual({ unblocked: true });
        expect((await t.client.sessions.retrieve(ids.worker)).status).toBe("active");
      } finally {
        child.kill();
        if (ids) await t.client.sessions.close(ids.worker).catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("from the worker thread stop with their session alone: a stopped one is reaped, the other beats on", async () => {
      const client = new Terrarium({ baseUrl: t.server.url, heartbeatInterval: 500, heartbeatMode: "worker" });
      const kept = await client.sessions.create({ envs: [Env.simulator("fossil", { heartbeatTimeout: 3 })] });
      const stopped = await client.sessions.create({ envs: [Env.simulator("fossil", { heartbeatTimeout: 3 })] });
      try {
        expect([kept.heartbeatRunning, stopped.heartbeatRunning]).toEqual([true, true]);
        stopped.stopHeartbeat();
        expect(stopped.heartbeatRunning).toBe(false);
        const reaped = await waitFor(
          async () => {
            const info = await stopped.details();
            return info.status === "closed" ? info : undefined;
          },
          60_000,
          "the stopped session to be reaped",
        );
        expect(reaped.envs[0]?.closeReason).toBe("heartbeat_timeout");
        // The other session shares the thread and beats on.
        expect((await kept.details()).status).toBe("active");
        await kept.close();
        expect(kept.heartbeatRunning).toBe(false);
      } finally {
        await Promise.all([kept.close(), stopped.close()]);
        await client.close();
      }
    });
  });
});
