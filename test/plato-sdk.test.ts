import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const here = join(import.meta.dirname, "plato");

/** Every example of the seed's Sessions page, in the order seed_examples.py runs them. */
const EXAMPLES = [
  "create from a simulator",
  "create from several simulators",
  "snapshot",
  "create from an artifact",
  "disk snapshot",
  "get state",
  "reset",
  "execute",
  "get public urls",
  "accessing environments",
  "browser login",
  "heartbeats",
  "serialization",
  "create from a task",
  "evaluate",
  "session properties",
  "live environments",
  "cleanup",
];

interface Report {
  sdk: string;
  examples: { name: string; status: "pass" | "fail" | "xfail"; detail: string }[];
}

/**
 * Plato's own Python SDK (plato-sdk-v2 from PyPI, pinned in test/plato/requirements*.txt, in cached venvs)
 * runs the seed page's examples unmodified against a live server, configured by its own settings only:
 * PLATO_BASE_URL and PLATO_API_KEY (any key: this server checks none).
 */
describe("Plato's Python SDK runs the seed's examples against Terrarium", () => {
  let t: TestServer;
  const pythons: Record<string, string> = {};
  let memorySnapshots = false;

  beforeAll(async () => {
    // Made once and cached; installing both takes a few minutes the first time.
    for (const requirements of ["requirements.txt", "requirements-2.8.txt"]) {
      const { stdout } = await run("bash", [join(here, "ensure-venv.sh"), requirements], { timeout: 900_000 });
      pythons[requirements] = stdout.trim().split("\n").at(-1)!;
    }
    t = await startTestServer();
    const health = (await (await fetch(`${t.server.url}/healthz`)).json()) as {
      capabilities: { memory_snapshots: boolean };
    };
    memorySnapshots = health.capabilities.memory_snapshots;
  }, 1_200_000);
  afterAll(async () => {
    await t?.stop();
  });

  async function examples(requirements: string): Promise<Report> {
    const { stdout } = await run(pythons[requirements]!, [join(here, "seed_examples.py")], {
      env: { ...process.env, PLATO_BASE_URL: t.server.url, PLATO_API_KEY: "any" },
      timeout: 1_200_000,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`seed_examples.py failed: ${error.message}\n${error.stderr ?? ""}`);
    });
    return JSON.parse(stdout.trim().split("\n").at(-1)!) as Report;
  }

  /** Each example passes, or fails for a reason named here (and nothing else). */
  function expectOutcomes(report: Report, expected: Record<string, RegExp>): void {
    expect(report.examples.map((e) => e.name)).toEqual(EXAMPLES);
    for (const example of report.examples) {
      const reason = expected[example.name];
      if (example.status === "pass") continue;
      expect(example.status, `${example.name}: ${example.detail}`).toBe("xfail");
      expect(example.detail, example.name).toMatch(reason ?? /^never$/);
    }
  }

  const noMemory: Record<string, RegExp> = { snapshot: /this host cannot checkpoint memory/ };

  it("the newest plato-sdk-v2 (2.187)", async () => {
    const report = await examples("requirements.txt");
    expect(report.sdk).toBe("2.187.0");
    // Its create() has testcase= where the page says task= (the page's call is refused by the SDK itself):
    // the example makes its session with testcase=, which the SDK then resets, as Plato's does.
    expectOutcomes(report, memorySnapshots ? {} : noMemory);
    expect(report.examples.find((e) => e.name === "create from a task")?.status).toBe("pass");
    expect(report.examples.find((e) => e.name === "live environments")?.status).toBe("pass");
    expect(report.examples.find((e) => e.name === "evaluate")?.status).toBe("pass");
  }, 1_200_000);

  it("the 2.8 series (2.8.8), which the page was written for", async () => {
    const report = await examples("requirements-2.8.txt");
    expect(report.sdk).toBe("2.8.8");
    expectOutcomes(report, {
      // Its evaluate() calls its own generated endpoint without the body that endpoint requires: no server helps.
      evaluate: /evaluate\(\) cannot call its endpoint: .*missing 1 required positional argument: 'body'/,
      // Plato's SDK added create(wait=False), add_env and the rest after the 2.8 series.
      "live environments": /has no create\(wait=False\)/,
      ...(memorySnapshots ? {} : noMemory),
    });
    expect(report.examples.find((e) => e.name === "create from a task")?.status).toBe("pass");
  }, 1_200_000);
});
