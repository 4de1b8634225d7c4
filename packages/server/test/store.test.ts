import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Store, type JobRecord } from "../src/store/store.js";

const at = "2026-11-24T00:00:00.000Z";
const job = (id: string, alias: string): JobRecord => ({
  id,
  sessionId: "s_1",
  alias,
  simulator: "fossil",
  tag: "latest",
  artifactId: null,
  image: "img",
  status: "starting",
  error: null,
  containerId: null,
  heartbeatTimeout: 300,
  lastHeartbeatAt: at,
  createdAt: at,
  closedAt: null,
  closeReason: null,
  restoreMemory: false,
});

const session = {
  id: "s_1",
  taskPublicId: null,
  status: "active" as const,
  network: "n",
  createdAt: at,
  closedAt: null,
  shutdownCallbackUrl: null,
  shutdownCallbackToken: null,
};

describe("Store", () => {
  it("keeps sessions, jobs and keys across reopening, with a stable instance id", () => {
    const path = join(mkdtempSync(join(tmpdir(), "terrarium-store-")), "t.db");
    const store = new Store(path);
    const instance = store.instanceId();
    store.insertSession(session, [job("j_1", "a"), job("j_2", "b")]);
    store.updateJob("j_1", { status: "running", containerId: "c1" });
    const key = store.createApiKey();
    store.close();

    const again = new Store(path);
    expect(again.instanceId()).toBe(instance);
    expect(again.getJob("j_1")).toMatchObject({ status: "running", containerId: "c1" });
    expect(again.openJobs().map((j) => j.id)).toEqual(["j_1", "j_2"]);
    expect(again.isValidApiKey(key)).toBe(true);
    expect(again.isValidApiKey(`${key}x`)).toBe(false);
    again.close();
  });

  it("refuses two jobs with one alias in a session, writing neither the session nor its jobs", () => {
    const store = new Store(join(mkdtempSync(join(tmpdir(), "terrarium-store-")), "t.db"));
    expect(() => store.insertSession(session, [job("j_1", "a"), job("j_2", "a")])).toThrow();
    expect(store.getSession("s_1")).toBeUndefined();
    expect(store.getJob("j_1")).toBeUndefined();
    store.close();
  });

  it("frees a closed job's alias for a new job of the session, and keeps one shutdown callback per session", () => {
    const store = new Store(join(mkdtempSync(join(tmpdir(), "terrarium-store-")), "t.db"));
    store.insertSession({ ...session, shutdownCallbackUrl: "http://127.0.0.1:9/x" }, [job("j_1", "a")]);
    expect(() => store.insertJob(job("j_2", "a"))).toThrow();
    store.updateJob("j_1", { status: "closed", closedAt: at, closeReason: "removed" });
    store.insertJob(job("j_2", "a"));
    expect(store.jobsOfSession("s_1").map((j) => [j.id, j.status])).toEqual([
      ["j_1", "closed"],
      ["j_2", "starting"],
    ]);
    store.closeSession("s_1", at, "{}");
    store.closeSession("s_1", at, "{}");
    expect(store.callbacks.due(at).map((c) => c.sessionId)).toEqual(["s_1"]);
    store.callbacks.failed("s_1", 1, "refused", undefined, at);
    expect(store.callbacks.due(at)).toEqual([]);
    expect(store.callbacks.status("s_1")).toMatchObject({ attempts: 1, abandonedAt: at, lastError: "refused" });
    store.close();
  });
});
