import { afterEach, describe, expect, it } from "vitest";
import {
  ConflictError,
  Env,
  InvalidSessionError,
  NotFoundError,
  SerializedSession,
  Session,
  Terrarium,
  TerrariumError,
} from "../src/index.js";
import { startFakeApi, type FakeApi } from "./fake-api.js";

let api: FakeApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const good = {
  version: 1,
  session_id: "s_1",
  task_public_id: null,
  base_url: "http://127.0.0.1:7350",
  envs: [{ job_id: "j_1", alias: "forge", simulator: "fossil", artifact_id: null }],
  heartbeat: true,
};

/** What `fn` threw (it must throw). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("it did not throw");
}

describe("SerializedSession.parse", () => {
  it("answers a dumped session as it is", () => {
    expect(SerializedSession.parse(good)).toEqual(good);
  });

  it.each([
    ["a field of the wrong type", { ...good, envs: [{ ...good.envs[0], job_id: 7 }] }, "envs[0].job_id"],
    ["a missing field", { ...good, heartbeat: undefined }, "heartbeat"],
    ["another version", { ...good, version: 2 }, "version"],
    ["a base URL that is not a URL", { ...good, base_url: "not a url" }, "base_url"],
    ["no environments", { ...good, envs: [] }, "envs"],
    ["not an object at all", "garbage", "(the whole value)"],
  ])("rejects %s with an InvalidSessionError naming the field", (_, value, field) => {
    const error = thrown(() => SerializedSession.parse(value));
    expect(error).toBeInstanceOf(InvalidSessionError);
    expect(error).toBeInstanceOf(TerrariumError);
    expect((error as InvalidSessionError).field).toBe(field);
    expect((error as Error).message).toContain(`not a dumped session: ${field}: `);
    expect((error as Error).message).toContain("session.dump()");
  });
});

describe("Session.load", () => {
  it("of garbage throws an InvalidSessionError, not zod's error", async () => {
    const error = await Session.load({ ...good, session_id: 42 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSessionError);
    expect((error as InvalidSessionError).field).toBe("session_id");
  });

  it("of a closed session throws a ConflictError naming the reason and the time, and sends no heartbeat", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url, heartbeatInterval: 20 });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const dumped = session.dump();
    await session.close();

    const error = await Session.load(dumped, { client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toBe(
      `session "${session.sessionId}" was closed at 2025-01-01T00:01:00.000Z (closed), so it cannot be loaded; make a new session`,
    );
    expect((error as ConflictError).details).toEqual({
      session_id: session.sessionId,
      closed_at: "2025-01-01T00:01:00.000Z",
      close_reasons: ["closed"],
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(api.count("/heartbeat")).toBe(0);
  });

  it("names each reason its environments were closed for", async () => {
    api = await startFakeApi((s) =>
      s.method === "GET" && s.path === "/api/v2/sessions/s_1"
        ? {
            body: {
              session_id: "s_1",
              task_public_id: null,
              status: "closed",
              created_at: "2025-01-01T00:00:00.000Z",
              closed_at: "2025-01-01T00:05:00.000Z",
              envs: ["j_1", "j_2", "j_3"].map((job_id, i) => ({
                job_id,
                session_id: "s_1",
                alias: `e${i}`,
                simulator: "fossil",
                tag: "latest",
                artifact_id: null,
                status: "closed",
                error: null,
                heartbeat_timeout: 300,
                last_heartbeat_at: "2025-01-01T00:00:00.000Z",
                created_at: "2025-01-01T00:00:00.000Z",
                closed_at: "2025-01-01T00:05:00.000Z",
                close_reason: i === 0 ? "lost" : "heartbeat_timeout",
              })),
            },
          }
        : undefined,
    );
    const error = await Session.load({ ...good, base_url: api.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as Error).message).toContain("closed at 2025-01-01T00:05:00.000Z (lost, heartbeat_timeout)");
  });

  it("of a session the server does not know throws a NotFoundError naming the server", async () => {
    api = await startFakeApi();
    const error = await Session.load({ ...good, base_url: api.url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).message).toBe(
      `cannot load session "s_1": the server at ${api.url} answered: unknown session "s_1"`,
    );
  });

  it("of a dump whose environments are not the session's throws an InvalidSessionError naming the job", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const dumped = session.dump();
    const forged = { ...dumped, envs: [{ ...dumped.envs[0]!, job_id: "j_other" }] };

    const error = await Session.load(forged, { client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidSessionError);
    expect((error as InvalidSessionError).field).toBe("envs[0].job_id");
    expect((error as Error).message).toBe(
      `not a dumped session: envs[0].job_id: session "${session.sessionId}" has no job "j_other" with alias "forge"; pass what session.dump() returned`,
    );
    await session.close();
  });
});
