import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podmanObjectsOf, startTestServer, type TestServer } from "./helpers.js";

const run = promisify(execFile);
const readme = fileURLToPath(new URL("../README.md", import.meta.url));
// Inside the repository, so that `@terrarium/sdk` resolves as it does for a user.
const script = fileURLToPath(new URL("./.readme-sdk-example.mjs", import.meta.url));

describe("the README's SDK example", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    rmSync(script, { force: true });
    await t?.stop();
  });

  it("runs as written against a real server and leaves nothing behind", async () => {
    const text = readFileSync(readme, "utf8");
    const example = /<!-- sdk-example:ts -->\s+```ts\n([\s\S]*?)```/.exec(text)?.[1];
    expect(example).toBeDefined();
    const { outputText } = ts.transpileModule(example!, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(script, outputText);
    const { stdout } = await run(process.execPath, [script], {
      env: { ...process.env, TERRARIUM_URL: t.server.url },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/^j_\w+ 0 \w+\nThis is fossil version/m);
    expect(stdout).toContain("insert Crash on empty input");
    expect(await podmanObjectsOf(t.server.instanceId)).toEqual({ containers: [], networks: [] });
  });
});
