import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env, type Session } from "@terrarium/sdk";
import { startTestServer, type TestServer } from "./helpers.js";

describe("a session of two fossil environments", () => {
  let t: TestServer;
  let session: Session;

  beforeAll(async () => {
    t = await startTestServer();
    session = await t.client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" }), Env.simulator("fossil", { alias: "mirror" })],
    });
  });
  afterAll(async () => {
    await session?.close();
    await t?.stop();
  });

  it("has both environments under their aliases", () => {
    expect(session.envs.map((e) => e.alias).sort()).toEqual(["forge", "mirror"]);
    expect(session.getEnv("forge")?.jobId).toMatch(/^j_/);
    expect(session.getEnv("nope")).toBeUndefined();
  });

  it("executes on every environment, results keyed by job id", async () => {
    const { results } = await session.execute("hostname; echo oops >&2; exit 3");
    expect(Object.keys(results).sort()).toEqual(session.envs.map((e) => e.jobId).sort());
    for (const env of session.envs) {
      expect(results[env.jobId]).toMatchObject({
        stdout: `${env.alias}\n`,
        stderr: "oops\n",
        exitCode: 3,
        timedOut: false,
      });
    }
  });

  it("executes in one environment through getEnv(alias)", async () => {
    const result = await session
      .getEnv("mirror")!
      .execute("fossil version && test -f /data/project.fossil && echo seeded");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/This is fossil version/);
    expect(result.stdout).toMatch(/seeded/);
  });

  it("runs the app: the forge answers over HTTP inside its environment", async () => {
    const result = await session
      .getEnv("forge")!
      .execute(
        "bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf \"GET /timeline HTTP/1.0\\r\\nHost: forge\\r\\n\\r\\n\" >&3; head -1 <&3'",
      );
    expect(result.stdout).toMatch(/^HTTP\/1\.[01] 200/);
  });

  it("kills a command that runs past its timeout and says so", async () => {
    const started = Date.now();
    const { results } = await session.execute("echo started; sleep 60; echo never", { timeout: 1 });
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const env of session.envs) {
      expect(results[env.jobId]).toMatchObject({ stdout: "started\n", timedOut: true, exitCode: null });
    }
    // Nothing of it lingers: no `sleep 60` left in any environment.
    const { results: after } = await session.execute("cat /proc/[0-9]*/cmdline | tr '\\0' ' '");
    for (const env of session.envs) expect(after[env.jobId]!.stdout).not.toContain("sleep 60");
  });

  it("keeps a long output and a failing command's status", async () => {
    const result = await session.getEnv("forge")!.execute("seq 1 100000; false");
    expect(result.stdout.split("\n")).toHaveLength(100001);
    expect(result.exitCode).toBe(1);
  });
});
