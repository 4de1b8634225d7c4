import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env } from "@terrarium/sdk";
import { podmanContainers, startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const cli = fileURLToPath(new URL("../packages/cli/dist/main.js", import.meta.url));

describe("the terrarium command", () => {
  let t: TestServer;
  const terrarium = (...args: string[]) =>
    run("node", [cli, ...args], { env: { ...process.env, TERRARIUM_URL: t.server.url } }).catch(
      (error: { stdout: string; stderr: string; code: number }) => error,
    );

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("lists simulators with their build state", async () => {
    const { stdout } = await terrarium("simulators", "ls");
    expect(stdout).toMatch(/^NAME\s+VERSION\s+IMAGE/m);
    expect(stdout).toMatch(/^fossil\s+\S+\s+built\s+8080/m);
  });

  it("lists and closes sessions", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    session.stopHeartbeat();
    const listed = await terrarium("sessions", "ls");
    expect(listed.stdout).toContain(session.sessionId);
    expect(listed.stdout).toMatch(/forge=fossil\(running\)/);

    const closed = await terrarium("sessions", "close", session.sessionId);
    expect(closed.stdout).toContain(`${session.sessionId}: closed 1 environment(s)`);
    expect(await podmanContainers(session.sessionId)).toEqual([]);
    expect((await terrarium("sessions", "ls")).stdout).not.toContain(session.sessionId);
    expect((await terrarium("sessions", "ls", "--all")).stdout).toMatch(new RegExp(`${session.sessionId}\\s+closed`));
  });

  it("prints a readable summary of a session's state, and the full record with --json", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    try {
      await session
        .getEnv("forge")!
        .execute(
          "printf 'x\\n' > /data/notes.txt && fossil ticket add -R /data/project.fossil title 'From the CLI test' status Open >/dev/null",
        );
      const { stdout } = await terrarium("sessions", "state", session.sessionId);
      expect(stdout).toMatch(/^forge \(j_\w+\)$/m);
      expect(stdout).toMatch(/sqlite repository \(\/data\/project\.fossil\): \d+ change\(s\)/);
      expect(stdout).toMatch(/^ {4}ticket: 1 insert$/m);
      expect(stdout).toMatch(/file add +\/data\/notes\.txt/);
      const json = JSON.parse((await terrarium("sessions", "state", session.sessionId, "--json")).stdout) as {
        results: Record<string, { state: { dbs: { changes: { table: string; after: { title?: string } }[] }[] } }>;
      };
      const changes = json.results[session.getEnv("forge")!.jobId]!.state.dbs[0]!.changes;
      expect(changes.find((c) => c.table === "ticket")?.after.title).toBe("From the CLI test");

      const urls = (await terrarium("sessions", "urls", session.sessionId, "--port", "8080")).stdout;
      const host = session.getEnv("forge")!.jobId.replace("_", "-");
      expect(urls).toMatch(new RegExp(`^forge +http://${host}--8080\\.localhost:\\d+/$`, "m"));
    } finally {
      await session.close();
    }
  });

  it("calibrates a simulator: a web login and idling leave nothing through the current noise rules", async () => {
    const { stdout } = await terrarium("simulators", "calibrate", "fossil", "--idle", "2", "--json");
    const report = JSON.parse(stdout) as {
      login: { ok: boolean };
      observed: Record<string, { table: string; op: string; changed?: string[] }[]>;
      proposed: Record<string, { tables: string[]; columns: string[] }>;
      remaining: Record<string, unknown[]>;
    };
    expect(report.login.ok).toBe(true);
    expect(report.observed.repository).toEqual(
      expect.arrayContaining([
        { table: "accesslog", op: "insert" },
        { table: "user", op: "update", changed: expect.arrayContaining(["cookie"]) },
      ]),
    );
    expect(report.proposed.repository!.tables).toContain("accesslog");
    expect(report.proposed.repository!.columns).toContain("user.cookie");
    expect(report.remaining).toEqual({ repository: [] });
    const listed = await t.client.sessions.list({ status: "active" });
    expect(listed).toEqual([]); // the calibration session is closed
  });

  it("says what went wrong and exits non-zero", async () => {
    const unknown = (await terrarium("sessions", "close", "s_doesnotexist")) as { stderr: string; code?: number };
    expect(unknown.stderr).toMatch(/unknown session "s_doesnotexist"/);
    expect(unknown.code).toBe(1);
    const noServer = (await run("node", [cli, "sessions", "ls"], {
      env: { ...process.env, TERRARIUM_URL: "http://127.0.0.1:9" },
    }).catch((e: unknown) => e)) as { stderr: string; code: number };
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/127\.0\.0\.1:9/);
  });
});
