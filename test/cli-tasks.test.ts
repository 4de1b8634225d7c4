import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvaluationResult } from "@terrarium/sdk";
import { terrarium as run } from "./cli-run.js";
import { startTestServer, waitFor, type TestServer } from "./helpers.js";

const TASK = "fossil/count-open-storage-tickets";

describe("terrarium tasks run: exit codes and --keep", () => {
  let t: TestServer;
  const terrarium = (...args: string[]) => run({ TERRARIUM_URL: t.server.url }, ...args);

  beforeAll(async () => {
    // The test server's reaper looks every 250 ms: a session with heartbeats lost is gone within a second.
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("exits 1 when the task is not passed (nothing done), 0 with the reference solution", async () => {
    const nothing = await terrarium("tasks", "run", TASK);
    expect(nothing.stdout).toMatch(/^FAILURE +score 0\.\d+ +status ok/m);
    expect(nothing.code).toBe(1);
    const json = await terrarium("tasks", "run", TASK, "--json");
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as EvaluationResult).success).toBe(false);

    const solved = await terrarium("tasks", "run", TASK, "--solution");
    expect(solved.stdout).toMatch(/^SUCCESS +score 1 +status ok/m);
    expect(solved.code, solved.stdout + solved.stderr).toBe(0);
    expect(await t.client.sessions.list()).toEqual([]); // without --keep, closed
  });

  it("exits 2 when it cannot run the task", async () => {
    const unknown = await terrarium("tasks", "run", "fossil/no-such-task");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown task "fossil\/no-such-task" \(terrarium tasks ls lists them\)/);
    const both = await terrarium("tasks", "run", TASK, "--solution", "--wrong");
    expect(both.code).toBe(2);
  });

  it("--keep leaves a session with no heartbeat timeout, and says how to use and close it", async () => {
    const kept = await terrarium("tasks", "run", TASK, "--solution", "--keep");
    expect(kept.code, kept.stderr).toBe(0);
    const id = /^session (s_[a-z0-9]{12}) is kept open\.$/m.exec(kept.stdout)?.[1];
    expect(id, kept.stdout).toBeDefined();
    try {
      expect(kept.stdout).toMatch(/^ +forge +http:\/\/j-[a-z0-9]{12}\.localhost:\d+\/$/m);
      expect(kept.stdout).toContain(`terrarium sessions exec ${id} -- COMMAND`);
      expect(kept.stdout).toContain(`terrarium sessions close ${id}`);
      expect(kept.stdout).toMatch(/no heartbeat timeout: it stays until it is closed/);

      // The command has ended and sent its last heartbeat; a session reaped after heartbeat_timeout
      // would be reaped within a reaper tick of it. This one has none.
      const info = await t.client.sessions.retrieve(id!);
      expect(info.envs.map((e) => e.heartbeatTimeout)).toEqual([0]);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect((await t.client.sessions.retrieve(id!)).status).toBe("active");
      const used = await terrarium("sessions", "exec", id!, "--alias", "forge", "hostname");
      expect(used).toMatchObject({ code: 0, stdout: "forge\n" });
    } finally {
      if (id) await t.client.sessions.close(id);
    }
  });

  it("--keep --heartbeat-timeout S keeps the session until S seconds without a call", async () => {
    const kept = await terrarium("tasks", "run", TASK, "--keep", "--heartbeat-timeout", "1", "--json");
    expect(kept.code).toBe(1); // nothing done: not passed
    expect((JSON.parse(kept.stdout) as EvaluationResult).success).toBe(false); // the hints go to stderr
    const id = /^session (s_[a-z0-9]{12}) is kept open\.$/m.exec(kept.stderr)?.[1];
    expect(id, kept.stderr).toBeDefined();
    expect(kept.stderr).toMatch(/closes it 1 s after its last call or heartbeat/);
    const closed = await waitFor(
      async () => {
        const info = await t.client.sessions.retrieve(id!);
        return info.status === "closed" ? info : undefined;
      },
      30_000,
      "the kept session with a 1 s heartbeat timeout to be closed",
    );
    expect(closed.envs[0]!.closeReason).toBe("heartbeat_timeout");
  });
});
