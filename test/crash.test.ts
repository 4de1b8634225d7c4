import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Env, Session, Terrarium } from "@terrarium/sdk";
import { podmanContainers, podmanNetworks, startTestServer, waitFor, type TestServer } from "./helpers.js";

const serverModule = new URL("../packages/server/dist/index.js", import.meta.url).href;

/** A server in its own process, so the test can kill it with SIGKILL. */
function serverProcess(home: string, poolSize = 0): Promise<{ url: string; kill: () => void }> {
  const script = `
    const { startServer, loadConfig } = await import(${JSON.stringify(serverModule)});
    const config = { home: ${JSON.stringify(home)}, port: 0, proxyPort: 0, logLevel: "warn", poolSize: ${poolSize} };
    const server = await startServer(loadConfig(config));
    console.log("URL " + server.url);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /URL (\S+)/.exec(out)?.[1];
      if (url) resolve({ url, kill: () => child.kill("SIGKILL") });
    });
    child.on("exit", (code) => reject(new Error(`server process exited (${code})`)));
  });
}

/** Running, as opposed to gone or a zombie waiting for its new parent to reap it. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

const run = promisify(execFile);
const containersOf = async (instance: string) =>
  (
    await run("podman", ["ps", "-a", "--filter", `label=io.terrarium.instance=${instance}`, "--format", "{{.Names}}"])
  ).stdout
    .split("\n")
    .filter(Boolean);
const artifactImagesOf = async (instance: string) =>
  (
    await run("podman", [
      "images",
      "--filter",
      `label=io.terrarium.instance=${instance}`,
      "--filter",
      "reference=localhost/terrarium-artifacts",
      "--format",
      "{{.Tag}}",
    ])
  ).stdout
    .split("\n")
    .filter(Boolean);

describe("a server killed with SIGKILL", () => {
  const homes: string[] = [];
  const servers: TestServer[] = [];
  const freshHome = () => {
    homes.push(mkdtempSync(join(tmpdir(), "terrarium-crash-")));
    return homes.at(-1)!;
  };
  /** Kills the server and waits until it no longer answers. */
  const kill = async (server: { kill: () => void }, client: Terrarium) => {
    server.kill();
    await waitFor(
      async () => (await client.health().catch(() => undefined)) === undefined || undefined,
      10_000,
      "the server to die",
    );
  };
  afterAll(async () => {
    for (const server of servers) await server.stop();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  it("leaves a store the next start recovers from: environments re-attached, its Podman service stopped, nothing leaked", async () => {
    const home = freshHome();
    const first = await serverProcess(home, 1);
    const client = new Terrarium({ baseUrl: first.url });
    const session = await client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" })],
      heartbeat: false,
    });
    await session.getEnv("forge")!.execute("echo before-the-crash > /tmp/mark");
    const podmanPid = Number(readFileSync(join(home, "run", "podman.pid"), "utf8"));
    expect(alive(podmanPid)).toBe(true);

    await kill(first, client);

    const t = await startTestServer({}, home);
    servers.push(t);
    expect(alive(podmanPid)).toBe(false); // the next start stopped what the killed run left running
    const fresh = new Terrarium({ baseUrl: t.server.url });
    const again = await Session.load({ ...session.dump(), base_url: t.server.url }, { client: fresh });
    expect((await again.getEnv("forge")!.execute("cat /tmp/mark")).stdout).toBe("before-the-crash\n");
    expect((await again.getState()).results[again.envs[0]!.jobId]!.state).toBeDefined();
    // The killed run's warm pool is gone too: only the new run's own environments are left.
    expect(await containersOf(t.server.instanceId)).toEqual([`terrarium-${session.envs[0]!.jobId}`]);
    await again.close();
    await fresh.close();
    await client.close();
    expect(await podmanContainers(session.sessionId)).toEqual([]);
    expect(await podmanNetworks(session.sessionId)).toEqual([]);
  });

  it("during a snapshot leaves no half artifact: after the restart every record has its image or archive, and nothing else is left", async () => {
    const home = freshHome();
    const first = await serverProcess(home);
    const client = new Terrarium({ baseUrl: first.url });
    const session = await client.sessions.create({ envs: [Env.simulator("fossil")], heartbeat: false });
    const health = await client.health();
    // One snapshot completes; then the server dies while two more (disk, and memory where the host
    // has it) are under way.
    const done = await session.diskSnapshot();
    expect(done.results[session.envs[0]!.jobId]!.success).toBe(true);
    void session.diskSnapshot().catch(() => undefined);
    if (health.capabilities.memory_snapshots) void session.snapshot().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kill(first, client);

    const t = await startTestServer({}, home);
    servers.push(t);
    const artifacts = await t.client.artifacts.list();
    expect(artifacts.map((a) => a.artifactId)).toContain(done.results[session.envs[0]!.jobId]!.artifactId);
    const images = await artifactImagesOf(t.server.instanceId);
    // Every disk artifact has its image; every image is an artifact's.
    expect(images.sort()).toEqual(
      artifacts
        .filter((a) => a.kind === "disk")
        .map((a) => a.artifactId)
        .sort(),
    );
    const dir = join(home, "artifacts");
    const files = existsSync(dir) ? readdirSync(dir) : [];
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(files.sort()).toEqual(artifacts.flatMap((a) => (a.checkpoint ? [a.checkpoint.file] : [])).sort());
    for (const a of artifacts) await t.client.artifacts.retrieve(a.artifactId);
    // The session lived through it, and a new snapshot works.
    const again = await Session.load({ ...session.dump(), base_url: t.server.url }, { client: t.client });
    expect((await again.diskSnapshot()).results[session.envs[0]!.jobId]!.success).toBe(true);
    await again.close();
    await client.close();
  });
});
