import { spawn, type ChildProcess } from "node:child_process";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { Env, Terrarium } from "@terrarium/sdk";
import { cli } from "./cli-run.js";
import { podmanObjectsOf, waitFor } from "./helpers.js";

const run = promisify(execFile);

interface Up {
  child: ChildProcess;
  url: string;
  home: string;
  exited: Promise<number | null>;
  output: () => string;
}

/** `terrarium up` as a terminal runs it: a process group of its own, which Ctrl-C signals whole. */
async function up(env: Record<string, string>): Promise<Up> {
  const home = mkdtempSync(join(tmpdir(), "terrarium-up-"));
  const child = spawn("node", [cli, "up", "--no-setup", "--port", "0"], {
    env: { ...process.env, TERRARIUM_HOME: home, TERRARIUM_PROXY_PORT: "0", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await waitFor(
    async () => /listening on (http:\/\/\S+)/.exec(output)?.[1],
    60_000,
    `terrarium up to listen (output: ${output})`,
  );
  return { child, url, home, exited, output: () => output };
}

const instanceOf = (home: string) => {
  const db = new Database(join(home, "terrarium.db"), { readonly: true });
  try {
    return (db.prepare("SELECT value FROM meta WHERE key = 'instance_id'").get() as { value: string }).value;
  } finally {
    db.close();
  }
};

/** `podman system service` processes serving a socket under `home`. */
async function podmanServices(home: string): Promise<string[]> {
  const { stdout } = await run("ps", ["-eo", "pid,args"]);
  return stdout.split("\n").filter((line) => line.includes("system service") && line.includes(home));
}

describe("stopping the server", () => {
  const homes: string[] = [];
  afterEach(() => {
    for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
  });

  it("Ctrl-C (SIGINT to the process group) removes the warm pool and the Podman service it started", async () => {
    const server = await up({ TERRARIUM_POOL_SIZE: "1", TERRARIUM_READY_BOOT_MS: "off" });
    homes.push(server.home);
    const instance = instanceOf(server.home);
    const client = new Terrarium({ baseUrl: server.url });
    // A session of a kind makes the pool keep it warm; closing it leaves the pool filling.
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    await session.close();
    await client.close();
    await waitFor(
      async () => ((await podmanObjectsOf(instance)).containers.length > 0 ? true : undefined),
      60_000,
      "a pooled environment",
    );
    expect(await podmanServices(server.home)).toHaveLength(1);

    process.kill(-server.child.pid!, "SIGINT");
    expect(await server.exited, server.output()).toBe(130);
    expect(await podmanObjectsOf(instance)).toEqual({ containers: [], networks: [] });
    expect(await podmanServices(server.home)).toEqual([]);
    expect(server.output()).toContain("stopping");
  });

  it("SIGTERM to the group while a ready artifact is being made leaves no scratch environment", async () => {
    // Every boot is slow enough to earn a ready artifact: the first fossil boot starts making one.
    const server = await up({ TERRARIUM_POOL_SIZE: "0", TERRARIUM_READY_BOOT_MS: "1" });
    homes.push(server.home);
    const instance = instanceOf(server.home);
    const client = new Terrarium({ baseUrl: server.url });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")] });
    await session.close();
    await client.close();
    const scratch = await waitFor(
      async () => (await podmanObjectsOf(instance)).containers.find((n) => n.startsWith("terrarium-scratch-ready-")),
      60_000,
      "the ready artifact's scratch environment",
    );
    expect(scratch).toBeDefined();

    process.kill(-server.child.pid!, "SIGTERM");
    expect(await server.exited, server.output()).toBe(143);
    expect(await podmanObjectsOf(instance)).toEqual({ containers: [], networks: [] });
    expect(await podmanServices(server.home)).toEqual([]);
    // Nothing half-made was recorded as an artifact, and no archive was left but a recorded one's: the
    // signal may come just after the ready artifact was done (then it is whole, and kept).
    const db = new Database(join(server.home, "terrarium.db"), { readonly: true });
    const artifacts = db.prepare("SELECT checkpoint_file AS file, size FROM artifacts").all() as {
      file: string;
      size: number;
    }[];
    db.close();
    const files = readdirSync(join(server.home, "artifacts"));
    expect(files.sort()).toEqual(artifacts.map((a) => a.file).sort());
    for (const a of artifacts) expect(statSync(join(server.home, "artifacts", a.file)).size).toBe(a.size);
  });

  it("a server killed with SIGKILL takes its Podman service along", async () => {
    const server = await up({ TERRARIUM_POOL_SIZE: "0", TERRARIUM_READY_BOOT_MS: "off" });
    homes.push(server.home);
    expect(await podmanServices(server.home)).toHaveLength(1);
    process.kill(server.child.pid!, "SIGKILL");
    await server.exited;
    await waitFor(
      async () => ((await podmanServices(server.home)).length === 0 ? true : undefined),
      10_000,
      "the Podman service to stop",
    );
  });
});
