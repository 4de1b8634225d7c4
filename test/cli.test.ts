import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Env } from "@terrarium/sdk";
import { cli, terrarium as run } from "./cli-run.js";
import { podmanContainers, startTestServer, type TestServer } from "./helpers.js";

describe("the terrarium command", () => {
  let t: TestServer;
  const terrarium = (...args: string[]) => run({ TERRARIUM_URL: t.server.url }, ...args);

  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("lists simulators with their build state and tags, published ones included", async () => {
    const { stdout } = await terrarium("simulators", "ls");
    expect(stdout).toMatch(/^NAME\s+VERSION\s+IMAGE\s+TAGS\s+PORT/m);
    expect(stdout).toMatch(/^fossil\s+(\S+)\s+built\s+\1,latest\S*\s+8080/m);

    const version = `cli-${Date.now().toString(36)}`;
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const { results } = await session.diskSnapshot({ overrideVersion: version });
    await session.close();
    const artifact = Object.values(results)[0]!;
    expect(artifact.publishedAs).toBe(`fossil:${version}`);
    try {
      expect((await terrarium("simulators", "ls")).stdout).toMatch(
        new RegExp(`^fossil\\s+\\S+\\s+built\\s+\\S*,${version}\\b`, "m"),
      );
    } finally {
      await t.client.artifacts.remove(artifact.artifactId!).catch(() => undefined);
    }
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

  it("calibrates with the browser login in Chromium (--browser), for apps whose login is not a form", async () => {
    const { stdout } = await terrarium("simulators", "calibrate", "fossil", "--idle", "1", "--browser", "--json");
    const report = JSON.parse(stdout) as {
      login: { ok: boolean; detail: string };
      observed: Record<string, { table: string; op: string; changed?: string[] }[]>;
      remaining: Record<string, unknown[]>;
    };
    expect(report.login).toMatchObject({ ok: true, detail: expect.stringContaining("logged in to by the caller") });
    // The browser's login is seen as the form's is: a cookie issued, the access logged.
    expect(report.observed.repository).toEqual(
      expect.arrayContaining([{ table: "user", op: "update", changed: expect.arrayContaining(["cookie"]) }]),
    );
    expect(report.remaining).toEqual({ repository: [] });
    expect(await t.client.sessions.list({ status: "active" })).toEqual([]);
  });

  it("refuses to calibrate an environment of another simulator, or one that is not running", async () => {
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const jobId = session.envs[0]!.jobId;
    try {
      await expect(t.client.simulators.calibrate("redmine", { jobId, idleSeconds: 0 })).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining(`job_id: job ${jobId} runs fossil, not the simulator redmine`),
      });
    } finally {
      await session.close();
    }
    await expect(t.client.simulators.calibrate("fossil", { jobId, idleSeconds: 0 })).rejects.toMatchObject({
      status: 409,
    });
  });

  it("says what went wrong and exits non-zero", async () => {
    const unknown = await terrarium("sessions", "close", "s_doesnotexist");
    expect(unknown.stderr).toMatch(/unknown session "s_doesnotexist"/);
    expect(unknown.code).toBe(1);
    const noServer = await run({ TERRARIUM_URL: "http://127.0.0.1:9" }, "sessions", "ls");
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(/127\.0\.0\.1:9/);
  });

  it("checks every numeric flag and names the flag, exit 2 (a usage error)", async () => {
    const cases: [string[], string][] = [
      [["simulators", "calibrate", "fossil", "--idle", "abc"], "--idle <seconds>"],
      [["simulators", "calibrate", "fossil", "--idle", "-3"], "--idle <seconds>"],
      [["simulators", "calibrate", "fossil", "--idle", "301"], "--idle <seconds>"],
      [["up", "--port", "http"], "--port <port>"],
      [["sessions", "make", "fossil", "--timeout", "soon"], "--timeout <seconds>"],
      [["sessions", "make", "fossil", "--heartbeat-timeout", "1.5"], "--heartbeat-timeout <seconds>"],
      [["sessions", "exec", "s_000000000000", "--timeout", "0", "true"], "--timeout <seconds>"],
      [["sessions", "url", "s_000000000000", "--port", "-1"], "--port <port>"],
      [
        ["tasks", "run", "fossil/count-open-storage-tickets", "--keep", "--heartbeat-timeout", "x"],
        "--heartbeat-timeout",
      ],
    ];
    for (const [args, flag] of cases) {
      const { code, stderr } = await terrarium(...args);
      expect(stderr, args.join(" ")).toContain(`option '${flag}`);
      expect(stderr, args.join(" ")).toMatch(/is invalid\. It must be .*\d/);
      expect(stderr).not.toMatch(/delay|body\.|idle_seconds/);
      expect(code, args.join(" ")).toBe(2);
    }
  });

  it("checks the log level against the logger's levels, from the flag and from TERRARIUM_LOG_LEVEL", async () => {
    const flag = await terrarium("up", "--no-setup", "--log-level", "bogus");
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(
      /option '--log-level <level>' argument 'bogus' is invalid\. Allowed choices are fatal, error, warn, info, debug, trace, silent/,
    );
    const env = await run({ TERRARIUM_LOG_LEVEL: "loud" }, "up", "--no-setup");
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/value 'loud' from env 'TERRARIUM_LOG_LEVEL' is invalid/);
  });

  it("refuses a TERRARIUM_URL that does not answer rather than start a server of its own", async () => {
    const { code, stdout, stderr } = await run(
      { TERRARIUM_URL: "http://127.0.0.1:9" },
      "tasks",
      "run",
      "fossil/count-open-storage-tickets",
    );
    expect(stderr).toMatch(
      /no Terrarium server answers at http:\/\/127\.0\.0\.1:9 \(TERRARIUM_URL\)\. Start one there with `terrarium up`, or unset TERRARIUM_URL/,
    );
    expect(stdout).not.toMatch(/Started a server/);
    expect(code).toBe(2);
  });

  it("prints the set-up steps once each off a terminal", async () => {
    // The first build may make the blank dataset's image (set-up builds only base); the second finds both.
    expect((await terrarium("simulators", "build", "fossil")).code).toBe(0);
    const { code, stdout } = await terrarium("simulators", "build", "fossil");
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(5); // packages, Podman settings, CRIU, base image, fossil
    expect(new Set(lines).size).toBe(lines.length);
    // `simulators build` builds every dataset: fossil's base and blank, each once.
    expect(lines.filter((l) => /Simulator image fossil/.test(l))).toEqual([
      expect.stringMatching(/^✔ Simulator image fossil \S+: already there$/),
      expect.stringMatching(/^✔ Simulator image fossil \S+ \(dataset blank\): already there$/),
    ]);
  });

  describe("with a server that needs an API key", () => {
    let keyed: TestServer;
    beforeAll(async () => {
      keyed = await startTestServer({ requireApiKey: true, apiKeys: [] });
    });
    afterAll(async () => {
      await keyed?.stop();
    });

    it("reads $TERRARIUM_HOME/api-key when TERRARIUM_API_KEY is unset, and never prints it", async () => {
      const key = readFileSync(join(keyed.home, "api-key"), "utf8").trim();
      const env = { TERRARIUM_URL: keyed.server.url, TERRARIUM_API_KEY: undefined };
      const elsewhere = mkdtempSync(join(tmpdir(), "terrarium-home-"));
      const without = await run({ ...env, TERRARIUM_HOME: elsewhere }, "sessions", "ls");
      rmSync(elsewhere, { recursive: true });
      expect(without.code).toBe(1);
      expect(without.stderr).toMatch(/API key/i);
      const listed = await run({ ...env, TERRARIUM_HOME: keyed.home }, "sessions", "ls");
      expect(listed.stderr).toBe("");
      expect(listed.stdout).toMatch(/no active sessions/);
      expect(listed.code).toBe(0);
      expect(listed.stdout + listed.stderr).not.toContain(key);
    });
  });

  it("up prints the API, OpenAPI and proxy URLs, and where the API key is, not the key", async () => {
    const home = mkdtempSync(join(tmpdir(), "terrarium-up-"));
    const child = spawn("node", [cli, "up", "--no-setup", "--port", "0", "--log-level", "warn"], {
      env: {
        ...process.env,
        TERRARIUM_HOME: home,
        TERRARIUM_PROXY_PORT: "0",
        TERRARIUM_POOL_SIZE: "0",
        TERRARIUM_READY_BOOT_MS: "off",
        TERRARIUM_REQUIRE_API_KEY: "1",
        TERRARIUM_API_KEY: "",
      },
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", () => /API key/.test(out) && resolve());
        void exited.then(() => reject(new Error(`up exited:\n${out}`)));
      });
      const api = /^Terrarium is listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
      expect(api, out).toBeDefined();
      expect(out).toContain(`OpenAPI document: ${api}/openapi.json`);
      expect(out).toMatch(
        /^Environment proxy on port (\d+): browsers reach environments at http:\/\/<job>\.localhost:\1\/ /m,
      );
      expect(out).toMatch(new RegExp(`API key (written to|in) ${join(home, "api-key")}`));
      expect(out).not.toContain(readFileSync(join(home, "api-key"), "utf8").trim());
    } finally {
      child.kill("SIGINT");
      await exited;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
