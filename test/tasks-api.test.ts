import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConflictError, Env, NotFoundError } from "@terrarium/sdk";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "./helpers.js";

describe("tasks over the API", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("lists every shipped task, all of them valid, and serves each one", async () => {
    const { tasks, invalid } = await t.client.tasks.list();
    expect(invalid).toEqual([]);
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    expect(tasks.find((task) => task.id === "dispatch-release-page")).toMatchObject({
      simulators: ["redmine", "mediawiki"],
      difficulty: "medium",
    });
    const task = await t.client.tasks.retrieve("dispatch-release-page");
    expect(task.prompt).toContain("Dispatch 2.4 open issues");
    expect(task.criteria.checks.map((c) => c.id)).toContain("lists-open-issues");
    const perSimulator = tasks.find((x) => x.id.includes("/"));
    if (perSimulator) expect((await t.client.tasks.retrieve(perSimulator.id)).id).toBe(perSimulator.id);
    await expect(t.client.tasks.retrieve("no-such-task")).rejects.toThrow(NotFoundError);
  });

  it("refuses an unknown task and evaluating a session that was not made from a task", async () => {
    await expect(t.client.sessions.create({ task: "no-such-task" })).rejects.toThrow(/unknown task "no-such-task"/);
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    try {
      expect(session.taskPublicId).toBeNull();
      const failure = await session.evaluate().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ConflictError);
      expect((failure as Error).message).toMatch(/was not made from a task/);
    } finally {
      await session.close();
    }
  });

  it("makes a task's environment from an artifact when the task names one", async () => {
    const tasksDir = mkdtempSync(join(tmpdir(), "terrarium-tasks-"));
    const own = await startTestServer({ tasksDir });
    try {
      const source = await own.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
      await source.getEnv("forge")!.execute("echo from-the-artifact > /data/marker");
      const snapshot = await source.diskSnapshot();
      await source.close();
      const artifactId = Object.values(snapshot.results)[0]!.artifactId!;
      writeFileSync(
        join(tasksDir, "from-artifact.yaml"),
        [
          "id: from-artifact",
          "title: Starts from an artifact",
          "prompt: Look around.",
          `envs: [{ alias: forge, artifact: ${artifactId} }]`,
          "difficulty: easy",
          "criteria: { version: 1, checks: [{ id: answered, answer: { $regex: yes } }] }",
        ].join("\n"),
      );
      expect((await own.client.tasks.list()).invalid).toEqual([]);
      const session = await own.client.sessions.create({ task: "from-artifact" });
      try {
        const forge = session.getEnv("forge")!;
        expect(forge.artifactId).toBe(artifactId);
        expect((await forge.execute("cat /data/marker")).stdout).toBe("from-the-artifact\n");
      } finally {
        await session.close();
      }
    } finally {
      await own.stop();
      rmSync(tasksDir, { recursive: true, force: true });
    }
  });
});
