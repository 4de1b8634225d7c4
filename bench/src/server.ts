// What the benchmarks share: a server in this process with a data folder of its own, and raw
// Podman's cold start of an image, the baseline of every create.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Terrarium } from "@terrarium/sdk";
import { loadConfig, startServer, type ServerConfig, type TerrariumServer } from "@terrarium/server";
import { timed } from "./stats.js";

const run = promisify(execFile);

export interface BenchServer {
  server: TerrariumServer;
  client: Terrarium;
  home: string;
  /** Closes what a failed round left open (sessions; artifacts, whose images outlive the home) and removes the home. */
  stop(): Promise<void>;
}

export async function benchServer(overrides: Partial<ServerConfig> = {}): Promise<BenchServer> {
  const home = mkdtempSync(join(tmpdir(), "terrarium-bench-"));
  const server = await startServer(loadConfig({ home, port: 0, proxyPort: 0, logLevel: "warn", ...overrides }));
  const client = new Terrarium({ baseUrl: server.url });
  return {
    server,
    client,
    home,
    async stop() {
      for (const session of await client.sessions.list().catch(() => []))
        await client.sessions.close(session.sessionId).catch(() => undefined);
      for (const artifact of await client.artifacts.list().catch(() => []))
        await client.artifacts.remove(artifact.artifactId).catch(() => undefined);
      await client.close();
      await server.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function untilHttpOk(url: string): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `podman run` of an image until its app answers HTTP 200 on `port`, in ms: what any container engine does. */
export async function podmanRunUntilHttpOk(image: string, port: number): Promise<number> {
  const name = `terrarium-bench-run-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const [ms] = await timed(async () => {
      await run("podman", ["run", "-d", "--name", name, image]);
      const { stdout } = await run("podman", ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", name]);
      await untilHttpOk(`http://${stdout.trim()}:${port}/`);
    });
    return ms;
  } finally {
    await run("podman", ["rm", "-f", "-t", "0", name]);
  }
}
