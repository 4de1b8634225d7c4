import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadConfig, startServer, LABELS, type ServerConfig, type TerrariumServer } from "@terrarium/server";
import { Terrarium } from "@terrarium/sdk";

const run = promisify(execFile);

export interface TestServer {
  server: TerrariumServer;
  client: Terrarium;
  home: string;
  config: ServerConfig;
  /** Stops the server; unless `keepHome`, closes its open sessions first and removes its data. */
  stop(options?: { keepHome?: boolean }): Promise<void>;
}

/** A real server on a free port with its own data directory and its own Podman API service. */
export async function startTestServer(overrides: Partial<ServerConfig> = {}, home?: string): Promise<TestServer> {
  const dir = home ?? mkdtempSync(join(tmpdir(), "terrarium-test-"));
  const config = loadConfig({
    home: dir,
    port: 0,
    proxyPort: 0,
    logLevel: "warn",
    reaperIntervalMs: 250,
    // Tests count their containers and artifacts: the warm pool and ready artifacts are on only
    // where a test asks for them.
    poolSize: 0,
    readyArtifactBootMs: undefined,
    ...overrides,
  });
  const server = await startServer(config);
  const generated = server.apiKeyFile ? readFileSync(server.apiKeyFile, "utf8").trim() : undefined;
  const client = new Terrarium({ baseUrl: server.url, apiKey: config.apiKeys[0] ?? generated });
  return {
    server,
    client,
    home: dir,
    config,
    async stop(options = {}) {
      // A test that failed half-way must not leave environments behind: close what is still open,
      // unless the data is kept for a restart.
      if (!options.keepHome) {
        for (const session of await client.sessions.list())
          await client.sessions.close(session.sessionId).catch(() => undefined);
        // Artifact images live in Podman's store, not in the data folder removed below.
        for (const artifact of await client.artifacts.list({ role: "all" }))
          await client.artifacts.remove(artifact.artifactId, { force: true }).catch(() => undefined);
      }
      await client.close();
      await server.close();
      if (!options.keepHome) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Containers Podman itself knows for a session (ours or not), read with the podman command. */
export async function podmanContainers(sessionId: string): Promise<string[]> {
  const { stdout } = await run("podman", [
    "ps",
    "-a",
    "--filter",
    `label=${LABELS.session}=${sessionId}`,
    "--format",
    "{{.Names}}",
  ]);
  return stdout.split("\n").filter(Boolean);
}

export async function podmanNetworks(sessionId: string): Promise<string[]> {
  const { stdout } = await run("podman", [
    "network",
    "ls",
    "--filter",
    `label=${LABELS.session}=${sessionId}`,
    "--format",
    "{{.Name}}",
  ]);
  return stdout.split("\n").filter(Boolean);
}

/** Everything labelled with a server instance: what a test must leave at zero. */
export async function podmanObjectsOf(instanceId: string): Promise<{ containers: string[]; networks: string[] }> {
  const filter = `label=${LABELS.instance}=${instanceId}`;
  const [containers, networks] = await Promise.all([
    run("podman", ["ps", "-a", "--filter", filter, "--format", "{{.Names}}"]),
    run("podman", ["network", "ls", "--filter", filter, "--format", "{{.Name}}"]),
  ]);
  const lines = (s: string) => s.split("\n").filter(Boolean);
  return { containers: lines(containers.stdout), networks: lines(networks.stdout) };
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An environment's address on its session network, as Podman reports it. */
export async function environmentAddress(jobId: string): Promise<string> {
  const { stdout } = await run("podman", [
    "inspect",
    "-f",
    "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
    `terrarium-${jobId}`,
  ]);
  return stdout.trim();
}
