import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Env, Session, Terrarium } from "@terrarium/sdk";
import { podmanContainers, podmanNetworks, startTestServer, waitFor, type TestServer } from "./helpers.js";

const serverModule = new URL("../packages/server/dist/index.js", import.meta.url).href;

/** A server in its own process, so the test can kill it with SIGKILL. */
function serverProcess(home: string): Promise<{ url: string; kill: () => void }> {
  const script = `
    const { startServer, loadConfig } = await import(${JSON.stringify(serverModule)});
    const server = await startServer(loadConfig({ home: ${JSON.stringify(home)}, port: 0, logLevel: "warn" }));
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

describe("a server killed with SIGKILL", () => {
  const home = mkdtempSync(join(tmpdir(), "terrarium-crash-"));
  let t: TestServer | undefined;
  afterAll(async () => {
    await t?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("leaves a store the next start recovers from: environments re-attached, its Podman service stopped, nothing leaked", async () => {
    const first = await serverProcess(home);
    const client = new Terrarium({ baseUrl: first.url });
    const session = await client.sessions.create({
      envs: [Env.simulator("fossil", { alias: "forge" })],
      heartbeat: false,
    });
    await session.getEnv("forge")!.execute("echo before-the-crash > /tmp/mark");
    const podmanPid = Number(readFileSync(join(home, "run", "podman.pid"), "utf8"));
    expect(alive(podmanPid)).toBe(true);

    first.kill();
    await waitFor(
      async () => (await client.health().catch(() => undefined)) === undefined || undefined,
      10_000,
      "the server to die",
    );

    t = await startTestServer({}, home);
    expect(alive(podmanPid)).toBe(false); // the next start stopped what the killed run left running
    const fresh = new Terrarium({ baseUrl: t.server.url });
    const again = await Session.load({ ...session.dump(), base_url: t.server.url }, { client: fresh });
    expect((await again.getEnv("forge")!.execute("cat /tmp/mark")).stdout).toBe("before-the-crash\n");
    expect((await again.getState()).results[again.envs[0]!.jobId]!.state).toBeDefined();
    await again.close();
    await fresh.close();
    await client.close();
    expect(await podmanContainers(session.sessionId)).toEqual([]);
    expect(await podmanNetworks(session.sessionId)).toEqual([]);
  });
});
