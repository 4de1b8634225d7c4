import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Env } from "@terrarium/sdk";
import { startTestServer, waitFor, type TestServer } from "./helpers.js";

const run = promisify(execFile);
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
      async () => (await t.client.artifacts.list()).find((a) => a.role === "ready"),
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
});
