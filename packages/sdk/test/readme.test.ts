import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startFakeApi, type FakeApi } from "./fake-api.js";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
// The ```ts examples run here against the stand-in API; the browser login example (```typescript) needs
// a real browser and server, and test/browser-login.test.ts does what it shows.
const examples = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const sdk = fileURLToPath(new URL("../src/index.js", import.meta.url));

/** Runs a README example as written (but importing the SDK's source) and answers what it printed. */
async function run(example: string, index: number): Promise<string[]> {
  // Beside the tests, so that vitest compiles it as it does them.
  const file = fileURLToPath(new URL(`./.readme-example-${index}.ts`, import.meta.url));
  writeFileSync(file, example.replaceAll('"@terrarium/sdk"', JSON.stringify(sdk)));
  const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
  try {
    await import(file);
    return log.mock.calls.map((args) => args.join(" "));
  } finally {
    log.mockRestore();
    rmSync(file, { force: true });
  }
}

describe("the README's examples", () => {
  let api: FakeApi;
  const saved = process.env.TERRARIUM_URL;
  beforeAll(async () => {
    api = await startFakeApi();
    process.env.TERRARIUM_URL = api.url;
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.TERRARIUM_URL;
    else process.env.TERRARIUM_URL = saved;
    await api.close();
  });

  it("are four", () => {
    expect(examples).toHaveLength(4);
  });

  it("quick start: runs as written, closes its session and stops its heartbeats", async () => {
    const printed = await run(examples[0]!, 0);
    expect(printed).toEqual([
      expect.stringMatching(/^j_\d+ 0 forge: whoami$/),
      expect.stringMatching(/^j_\d+ 0 mirror: whoami$/),
      "forge: ls -la",
    ]);
    expect([...api.sessions.values()].map((s) => s.status)).toEqual(["closed"]);
  });

  it("sessions: from simulators and artifacts, listed and retrieved", async () => {
    const printed = await run(examples[1]!, 1);
    expect(printed).toEqual([
      expect.stringMatching(/^s_\d+ active 1$/),
      expect.stringMatching(/^s_\d+ active 1$/),
      "running",
    ]);
    expect(api.seen.find((s) => s.path.endsWith("/make") && JSON.stringify(s.body).includes("artifact"))?.body).toEqual(
      {
        type: "envs",
        envs: [{ type: "artifact", artifact_id: "a_0123456789ab", alias: "restored" }],
        timeout: 60,
        heartbeat_timeout: 600,
      },
    );
  });

  it("serialization: the loaded session drives the same environments", async () => {
    expect(await run(examples[2]!, 2)).toEqual(["true 0"]);
  });

  it("errors: typed, with the server's message", async () => {
    expect(await run(examples[3]!, 3)).toEqual([
      '404 not_found unknown session "s_000000000000"',
      expect.stringMatching(/^forge no answer on port 8080 within/),
    ]);
  });
});
