import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Terrarium } from "@terrarium/sdk";
import { loadConfig, startServer, type TerrariumServer } from "@terrarium/server";

export interface Connection {
  client: Terrarium;
  /** The server this command started, if none was running. */
  server?: TerrariumServer;
  close(): Promise<void>;
}

/**
 * The server at TERRARIUM_URL when one answers; otherwise one started here, stopped by `close`. A
 * `private` one listens on free ports with its own data folder (removed at close), so several commands
 * can run side by side without sharing, or stopping, each other's server; it is used unless
 * TERRARIUM_URL is set. `pool` keeps the warm pool of a server started here (off otherwise: it
 * would only make environments nobody takes before the command ends).
 */
export async function connectOrStart(
  say: (line: string) => void,
  options: { private?: boolean; pool?: boolean } = {},
): Promise<Connection> {
  // A private run uses a shared server only when TERRARIUM_URL names one on purpose: a default server
  // found by chance may be another command's, and go away under it.
  const running = new Terrarium({ maxRetries: 0 });
  const health =
    options.private && !process.env.TERRARIUM_URL ? undefined : await running.health().catch(() => undefined);
  if (health) {
    say(`Using the server at ${running.baseUrl} (Terrarium ${health.version})`);
    return { client: running, close: () => running.close() };
  }
  const config = loadConfig();
  if (options.private) mkdirSync(config.home, { recursive: true });
  const home = options.private ? mkdtempSync(join(config.home, "run-")) : config.home;
  const server = await startServer({
    ...config,
    logLevel: "warn",
    // A server that lives for one command keeps a warm pool only where the command uses it, and a
    // private one (its data removed at close) makes no ready artifacts.
    ...(options.pool ? {} : { poolSize: 0 }),
    ...(options.private ? { home, port: 0, proxyPort: 0, readyArtifactBootMs: undefined } : {}),
  });
  const client = new Terrarium({ baseUrl: server.url });
  say(`Started a server at ${server.url} (data in ${home})`);
  return {
    client,
    server,
    async close() {
      await client.close();
      await server.close();
      if (options.private) rmSync(home, { recursive: true, force: true });
    },
  };
}
