import { loadConfig, startServer, type ServerConfig, type TerrariumServer } from "@terrarium/server";
import { setup } from "./setup.js";

export interface UpOptions {
  host?: string;
  port?: number;
  setup?: boolean;
  logLevel?: string;
}

/** Starts the server (after the set-up, unless disabled) and answers the running server. */
export async function up(options: UpOptions = {}): Promise<TerrariumServer> {
  const overrides: Partial<ServerConfig> = {};
  if (options.host) overrides.host = options.host;
  if (options.port !== undefined) overrides.port = options.port;
  if (options.logLevel) overrides.logLevel = options.logLevel;
  const config = loadConfig(overrides);
  if (options.setup !== false) await setup({ simulatorsDir: config.simulatorsDir });
  return startServer(config);
}

/** `terrarium up`: runs the server in the foreground until interrupted. */
export async function upForeground(options: UpOptions): Promise<void> {
  const server = await up(options);
  process.stdout.write(`Terrarium is listening on ${server.url}\n`);
  if (server.apiKeyFile) process.stdout.write(`API key written to ${server.apiKeyFile} (send it as X-API-Key)\n`);
  process.stdout.write(`OpenAPI document: ${server.url}/openapi.json\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  process.stdout.write("stopping; environments keep running and are re-attached at the next start\n");
  await server.close();
}
