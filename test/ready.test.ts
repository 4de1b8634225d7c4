import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ConflictError, Env } from "@terrarium/sdk";
import { startTestServer, waitFor, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const exists = (image: string) =>
  run("podman", ["image", "exists", image]).then(
    () => true,
    () => false,
  );
const restored = async (jobId: string) =>
  (await run("podman", ["inspect", "-f", "{{.State.Restored}}", `terrarium-${jobId}`])).stdout.trim() === "true";

describe("ready artifacts", () => {
  let t: TestServer;
  let supported = false;

  beforeAll(async () => {
    // Every boot counts as slow here, so fossil gets a ready artifact.
    t = await startTestServer({ readyArtifactBootMs: 0 });
    supported = (await t.client.health()).capabilities.memory_snapshots;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("makes one after a slow boot, and later environments resume it instead of booting", async (context) => {
    if (!supported) return context.skip("this host cannot checkpoint memory (see /healthz)");
    const first = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "first" })] });
    expect(await restored(first.envs[0]!.jobId)).toBe(false);
    const ready = await waitFor(
      async () => (await t.client.artifacts.list({ role: "ready" }))[0],
      120_000,
      "the ready artifact",
    );
    expect(ready).toMatchObject({
      kind: "memory",
      simulator: "fossil",
      image: "localhost/terrarium/fossil:latest",
      parentArtifactId: null,
      sourceJobId: null,
    });

    const next = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "next" })] });
    const env = next.getEnv("next")!;
    expect(await restored(env.jobId)).toBe(true);
    // It is a fossil environment like any other: its own host name, an empty state, reset works.
    expect((await env.execute("hostname")).stdout).toBe("next\n");
    const state = await env.getState();
    expect(state.dbs[0]!.changes).toEqual([]);
    expect(state.files).toEqual([]);
    await env.execute("fossil ticket add -R /data/project.fossil title 'Resumed' status Open");
    expect((await env.getState()).dbs[0]!.changes.length).toBeGreaterThan(0);
    expect((await env.reset()).results[env.jobId]).toMatchObject({ success: true });
    expect((await env.getState()).dbs[0]!.changes).toEqual([]);
    expect(await restored(env.jobId)).toBe(true);
    expect((await env.execute("hostname")).stdout).toBe("next\n");
    await next.close();
    await first.close();
  });

  it("are listed only when asked for, and removed only with force", async (context) => {
    if (!supported) return context.skip("this host cannot checkpoint memory (see /healthz)");
    const session = await t.client.sessions.create({ envs: [Env.simulator("fossil")] });
    const ready = await waitFor(
      async () => (await t.client.artifacts.list({ role: "ready" }))[0],
      120_000,
      "the ready artifact",
    );
    await session.close();
    expect(ready.role).toBe("ready");
    expect((await t.client.artifacts.list()).map((a) => a.artifactId)).not.toContain(ready.artifactId);
    expect((await t.client.artifacts.list({ role: "all" })).map((a) => a.artifactId)).toContain(ready.artifactId);

    const refusal = await t.client.artifacts.remove(ready.artifactId).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect((refusal as Error).message).toMatch(
      /server's ready artifact for localhost\/terrarium\/fossil:latest.*makes it again.*force=true/,
    );
    expect((await t.client.artifacts.list({ role: "ready" })).map((a) => a.artifactId)).toEqual([ready.artifactId]);
    await t.client.artifacts.remove(ready.artifactId, { force: true });
    expect(await t.client.artifacts.list({ role: "ready" })).toEqual([]);
    expect(existsSync(join(t.home, "artifacts", ready.checkpoint!.file))).toBe(false);
  });

  it("of a published version go with it; a memory artifact on that version holds it", async (context) => {
    if (!supported) return context.skip("this host cannot checkpoint memory (see /healthz)");
    const source = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const tag = `ready-${Date.now().toString(36)}`;
    const image = `localhost/terrarium/fossil:${tag}`;
    const published = await source.getEnv("forge")!.diskSnapshot({ overrideVersion: tag });
    await source.close();
    try {
      // Booting the version makes its ready artifact; a memory snapshot of it resumes on the version.
      const user = await t.client.sessions.create({ envs: [Env.simulator("fossil", { alias: "v", tag })] });
      const memory = await user.getEnv("v")!.snapshot();
      expect(memory.success).toBe(true);
      await user.close();
      const ready = await waitFor(
        async () => (await t.client.artifacts.list({ role: "ready" })).find((a) => a.image === image),
        120_000,
        "the version's ready artifact",
      );

      const refusal = await t.client.artifacts.remove(published.artifactId!).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ConflictError);
      expect((refusal as Error).message).toContain(`${memory.artifactId} (on ${image})`);
      expect(await exists(image)).toBe(true);

      await t.client.artifacts.remove(memory.artifactId!);
      await t.client.artifacts.remove(published.artifactId!);
      expect(await exists(image)).toBe(false);
      const left = (await t.client.artifacts.list({ role: "all" })).map((a) => a.artifactId);
      expect(left).not.toContain(ready.artifactId);
      expect(existsSync(join(t.home, "artifacts", ready.checkpoint!.file))).toBe(false);
    } finally {
      await run("podman", ["rmi", "-f", image]).catch(() => undefined);
    }
  });
});
