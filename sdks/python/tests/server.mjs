// A real Terrarium server for the Python SDK's tests, configured as test/helpers.ts configures the
// TypeScript tests' (own data folder, free ports, no warm pool, no ready artifacts). It prints one
// JSON line, {"url", "proxy_port", "home"}, once listening, and stops when its standard input closes
// (the test run ended, or died) or on SIGTERM: it closes the sessions still open, removes the
// artifacts the run made (their images outlive the data folder), stops, and removes its data folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, startServer } from "@terrarium/server";
import { Terrarium } from "@terrarium/sdk";

const home = mkdtempSync(join(tmpdir(), "terrarium-pytest-"));
const config = loadConfig({
  home,
  port: 0,
  proxyPort: 0,
  logLevel: "warn",
  reaperIntervalMs: 250,
  poolSize: 0,
  readyArtifactBootMs: undefined,
});
const server = await startServer(config);
const client = new Terrarium({ baseUrl: server.url });
process.stdout.write(`${JSON.stringify({ url: server.url, proxy_port: server.proxy.port, home })}\n`);

let stopping;
function stop() {
  stopping ??= (async () => {
    for (const session of await client.sessions.list().catch(() => []))
      await client.sessions.close(session.sessionId).catch(() => undefined);
    for (const artifact of await client.artifacts.list({ role: "all" }).catch(() => []))
      await client.artifacts.remove(artifact.artifactId, { force: true }).catch(() => undefined);
    await client.close();
    await server.close();
    rmSync(home, { recursive: true, force: true });
    process.exit(0);
  })();
  return stopping;
}
process.stdin.on("end", stop);
process.stdin.on("error", stop);
process.stdin.resume();
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
