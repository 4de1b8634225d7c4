import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { podmanObjectsOf, startTestServer, type TestServer } from "./helpers.js";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const tsc = join(root, "node_modules/typescript/bin/tsc");

/** The README's SDK example in `lang`, between its marker and the end of its code block. */
function example(lang: "ts" | "js"): string {
  const code = new RegExp(`<!-- sdk-example:${lang} -->\\s+\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  if (!code) throw new Error(`README.md has no \`<!-- sdk-example:${lang} -->\` followed by a \`\`\`${lang} block`);
  return code;
}

// A user's shell has none of the npm_* variables `npx vitest` exports (npm_config_local_prefix would
// point npm at this repository).
const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

describe("the SDK installed from its tarball into a project outside the repository", () => {
  let t: TestServer;
  let packed: string;
  let project: string;
  const inProject = (file: string, args: string[], env: NodeJS.ProcessEnv = userEnv) =>
    exec(file, args, { cwd: project, env, timeout: 120_000 });

  beforeAll(async () => {
    packed = mkdtempSync(join(tmpdir(), "terrarium-sdk-pack-"));
    project = mkdtempSync(join(tmpdir(), "terrarium-sdk-user-"));
    const { stdout } = await exec(process.execPath, [join(root, "scripts/pack-sdk.mjs"), "--out", packed], {
      cwd: root,
    });
    const tarball = join(packed, "terrarium-sdk-0.1.0.tgz");
    expect(stdout).toContain(`npm install ${tarball}`);
    await inProject("npm", ["init", "-y"]);
    await inProject("npm", ["pkg", "set", "type=module"]);
    // zod comes from npm's cache when it is there (the workspace installed it), else the registry.
    await inProject("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball]);
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.stop();
    rmSync(project, { recursive: true, force: true });
    rmSync(packed, { recursive: true, force: true });
  });

  it("is one package with its wire schemas inside, no tests or source maps, and no playwright-core", async () => {
    const installed = join(project, "node_modules/@terrarium/sdk");
    const files = readdirSync(installed, { recursive: true }).map(String);
    expect(files).toContain("dist/index.d.ts");
    expect(files).toContain("node_modules/@terrarium/wire/dist/index.js");
    expect(files.filter((f) => /\.map$|test|(^|\/)src\//.test(f))).toEqual([]);
    expect(
      readdirSync(join(project, "node_modules"))
        .filter((f) => !f.startsWith("."))
        .sort(),
    ).toEqual(["@terrarium", "zod"]);
    expect(readdirSync(join(project, "node_modules/@terrarium"))).toEqual(["sdk"]);
    expect(existsSync(join(project, "node_modules/playwright-core"))).toBe(false);
    const { stdout } = await inProject(process.execPath, [
      "--input-type=module",
      "-e",
      'console.log(import.meta.resolve("@terrarium/sdk"))',
    ]);
    expect(stdout.trim()).toBe(`file://${installed}/dist/index.js`);
  });

  it("runs the README's JavaScript example with node against a real server, leaving nothing behind", async () => {
    // The JavaScript variant is the TypeScript example without its non-null assertions: one cannot drift.
    expect(example("js")).toBe(example("ts").replace(/!(?=[.;])/g, ""));
    writeFileSync(join(project, "example.mjs"), example("js"));
    const { stdout } = await inProject(process.execPath, ["example.mjs"], { ...userEnv, TERRARIUM_URL: t.server.url });
    expect(stdout).toMatch(/^j_\w+ 0 \w+\nThis is fossil version/m);
    expect(stdout).toContain("insert Crash on empty input");
    expect(stdout).toMatch(/forge: 'http:\/\/j-\w+\.localhost:\d+\/'/);
    expect(await podmanObjectsOf(t.server.instanceId)).toEqual({ containers: [], networks: [] });
  });

  it("type-checks the README's TypeScript example against the installed types, which are not `any`", async () => {
    writeFileSync(join(project, "example.ts"), example("ts"));
    // Mistakes the shipped types must catch: one in the SDK's own types, one in the bundled wire schemas'.
    writeFileSync(
      join(project, "mistakes.ts"),
      [
        'import { Terrarium, type EnvState } from "@terrarium/sdk";',
        "export const url: number = new Terrarium().baseUrl;",
        "export const tables = (state: EnvState): string => state.dbs.length;",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "ES2022", module: "nodenext", strict: true, skipLibCheck: true, noEmit: true },
        files: ["example.ts", "mistakes.ts"],
      }),
    );
    const failed = await inProject(process.execPath, [tsc, "-p", "."]).then(
      () => undefined,
      (error: { stdout: string }) => error,
    );
    const errors = failed?.stdout.split("\n").filter((line) => /^\S+\(\d+,\d+\): error/.test(line));
    expect(errors?.map((line) => /^(\S+)\((\d+),\d+\): error (TS\d+)/.exec(line)?.slice(1).join(" "))).toEqual([
      "mistakes.ts 2 TS2322",
      "mistakes.ts 3 TS2322",
    ]);
  });
});
