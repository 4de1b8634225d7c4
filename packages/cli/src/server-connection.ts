import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ConnectionError, type Terrarium } from "@terrarium/sdk";
import { loadConfig, startServer, stopOnSignals, type TerrariumServer } from "@terrarium/server";
import { apiKeyIn, cliClient } from "./client.js";

export interface Connection {
  client: Terrarium;
  /** The server this command started, if none was running. */
  server?: TerrariumServer;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Start a server of this command's own (free ports, own data folder) rather than use the default one. */
  private?: boolean;
  /** Keep the warm pool of a server started here. */
  pool?: boolean;
  /**
   * What is made must outlive the command: only a running server will do. Without one this throws,
   * saying to start one with `terrarium up`; `why` names what needs it (e.g. "--keep").
   */
  lasting?: { why: string };
}

/**
 * The server at TERRARIUM_URL, or at the default URL when one answers there; otherwise one started
 * here, stopped by `close`. A URL set in TERRARIUM_URL that does not answer is an error: the user
 * asked for that server, and a stand-in would hide that it is down. A `private` one listens on free
 * ports with its own data folder (removed at close), so several commands can run side by side without
 * sharing, or stopping, each other's server; it is used unless TERRARIUM_URL is set. `pool` keeps the
 * warm pool of a server started here (off otherwise: it would only make environments nobody takes
 * before the command ends).
 */
export async function connectOrStart(say: (line: string) => void, options: ConnectOptions = {}): Promise<Connection> {
  const running = cliClient({ maxRetries: 0 });
  const explicit = Boolean(process.env.TERRARIUM_URL);
  // A private run uses a shared server only when asked for one: a default server found by chance may
  // be another command's, and go away under it.
  const probe = explicit || !options.private || options.lasting;
  const health = probe ? await running.health().catch((error: Error) => error) : undefined;
  if (health && !(health instanceof Error)) {
    say(`Using the server at ${running.baseUrl} (Terrarium ${health.version})`);
    return { client: running, close: () => running.close() };
  }
  if (explicit) {
    throw new Error(
      `no Terrarium server answers at ${running.baseUrl} (TERRARIUM_URL)${health instanceof ConnectionError ? "" : `: ${health?.message}`}. ` +
        "Start one there with `terrarium up`, or unset TERRARIUM_URL to let this command start its own.",
    );
  }
  if (options.lasting) {
    throw new Error(
      `${options.lasting.why} needs a server that outlives this command, and none answers at ${running.baseUrl}: ` +
        "start one with `terrarium up` (in another terminal), then run this again.",
    );
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
  // A server that needs a key (TERRARIUM_REQUIRE_API_KEY=1) takes the one in the environment or the
  // one it generated into its data folder.
  const client = cliClient({ baseUrl: server.url, apiKey: process.env.TERRARIUM_API_KEY || apiKeyIn(home) });
  say(`Started a server at ${server.url} (data in ${home})`);
  const close = async () => {
    await client.close();
    await server.close();
    if (options.private) rmSync(home, { recursive: true, force: true });
  };
  // Ctrl-C in the middle of the command still removes what the server made.
  const release = stopOnSignals(close, (line) => process.stderr.write(`${line}\n`));
  return {
    client,
    server,
    async close() {
      release();
      await close();
    },
  };
}
