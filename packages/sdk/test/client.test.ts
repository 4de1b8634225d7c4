import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_BASE_URL, Env, NotFoundError, Terrarium, TerrariumError } from "../src/index.js";
import { startFakeApi, type FakeApi } from "./fake-api.js";

let api: FakeApi | undefined;
const saved = { url: process.env.TERRARIUM_URL, key: process.env.TERRARIUM_API_KEY };
afterEach(async () => {
  await api?.close();
  api = undefined;
  restore("TERRARIUM_URL", saved.url);
  restore("TERRARIUM_API_KEY", saved.key);
});
function restore(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe("Terrarium client", () => {
  it("defaults to the local server and reads TERRARIUM_URL and TERRARIUM_API_KEY once; options win", async () => {
    delete process.env.TERRARIUM_URL;
    expect(new Terrarium().baseUrl).toBe(DEFAULT_BASE_URL);
    expect(DEFAULT_BASE_URL).toBe("http://127.0.0.1:7350");

    api = await startFakeApi();
    process.env.TERRARIUM_URL = `${api.url}/`;
    process.env.TERRARIUM_API_KEY = "from-env";
    const fromEnv = new Terrarium();
    expect(fromEnv.baseUrl).toBe(api.url);
    process.env.TERRARIUM_API_KEY = "changed-later";
    await fromEnv.health();
    expect(api.seen.at(-1)!.apiKey).toBe("from-env");

    const explicit = new Terrarium({ baseUrl: api.url, apiKey: "explicit" });
    await explicit.sessions.list();
    expect(api.seen.at(-1)!.apiKey).toBe("explicit");
  });

  it("sends X-API-Key on every request when a key is set, and none without one", async () => {
    api = await startFakeApi();
    delete process.env.TERRARIUM_API_KEY;
    await new Terrarium({ baseUrl: api.url }).health();
    expect(api.seen.at(-1)!.apiKey).toBeUndefined();

    const client = new Terrarium({ baseUrl: api.url, apiKey: "k_secret" });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    await session.execute("true");
    await session.envs[0]!.reset();
    await session.close();
    expect(api.seen.length).toBeGreaterThan(1);
    expect(api.seen.slice(1).map((s) => s.apiKey)).toEqual(api.seen.slice(1).map(() => "k_secret"));
  });

  it("rejects a server URL that is not one, naming where it came from", () => {
    process.env.TERRARIUM_URL = "localhost 7350";
    expect(() => new Terrarium()).toThrow(TerrariumError);
    expect(() => new Terrarium()).toThrow(/"localhost 7350" is not a URL \(from TERRARIUM_URL\)/);
    expect(() => new Terrarium({ baseUrl: "http://127.0.0.1:1", heartbeatInterval: 0 })).toThrow(/heartbeatInterval/);
  });

  it("health, simulators.list, sessions.list and retrieve answer in camelCase", async () => {
    api = await startFakeApi();
    const client = new Terrarium({ baseUrl: api.url });
    expect(await client.health()).toMatchObject({ status: "ok", version: "0.0.0-fake" });
    expect(await client.simulators.list()).toEqual([
      {
        name: "fossil",
        version: "2.24",
        description: "Fossil SCM",
        appPort: 8080,
        ports: [8080],
        resources: { cpus: 1, memoryBytes: 536870912 },
        image: "localhost/terrarium/fossil:2.24",
        built: true,
        tags: ["2.24", "2.24-tickets", "latest"],
        published: [{ tag: "2.24-tickets", artifactId: "a_000000000001" }],
        datasets: [
          { name: "base", description: "the seeded project", built: true, accounts: [] },
          { name: "blank", description: "an empty repository", built: false, accounts: [] },
        ],
        publishedFrom: null,
        accounts: [{ username: "admin", password: "admin", role: "admin" }],
      },
    ]);
    const session = await client.sessions.create({ envs: [Env.simulator("fossil", { alias: "forge" })] });
    const [listed] = await client.sessions.list();
    expect(listed).toEqual(await client.sessions.retrieve(session.sessionId));
    expect(listed).toMatchObject({
      sessionId: session.sessionId,
      taskPublicId: null,
      status: "active",
      closedAt: null,
      envs: [
        {
          jobId: session.envs[0]!.jobId,
          sessionId: session.sessionId,
          alias: "forge",
          simulator: "fossil",
          tag: "latest",
          artifactId: null,
          status: "running",
          heartbeatTimeout: 300,
          closeReason: null,
        },
      ],
    });
    await session.close();
    expect(await client.sessions.list()).toEqual([]);
    expect((await client.sessions.list({ status: "closed" }))[0]?.status).toBe("closed");
    await expect(client.sessions.retrieve("s_unknown")).rejects.toThrow(NotFoundError);
    await expect(client.sessions.retrieve("s_unknown")).rejects.toThrow('unknown session "s_unknown"');
    await client.close();
  });
});
