import { Terrarium } from "@terrarium/sdk";
import { loadConfig, startServer, type TerrariumServer } from "@terrarium/server";

export interface Connection {
  client: Terrarium;
  /** The server this command started, if none was running. */
  server?: TerrariumServer;
  close(): Promise<void>;
}

/** The server at TERRARIUM_URL when one answers; otherwise one started here, stopped by `close`. */
export async function connectOrStart(say: (line: string) => void): Promise<Connection> {
  const running = new Terrarium({ maxRetries: 0 });
  const health = await running.health().catch(() => undefined);
  if (health) {
    say(`Using the server at ${running.baseUrl} (Terrarium ${health.version})`);
    return { client: running, close: () => running.close() };
  }
  const config = loadConfig();
  const server = await startServer({ ...config, logLevel: "warn" });
  const client = new Terrarium({ baseUrl: server.url });
  say(`Started a server at ${server.url} (data in ${config.home})`);
  return {
    client,
    server,
    async close() {
      await client.close();
      await server.close();
    },
  };
}
