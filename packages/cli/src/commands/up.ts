import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  defaultHome,
  loadConfig,
  startServer,
  stopOnSignals,
  type ServerConfig,
  type TerrariumServer,
} from "@terrarium/server";
import { cliClient } from "../client.js";
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
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const { publicAddresses, port } = server.proxy;
  say(`Terrarium is listening on ${server.url}`);
  say(`OpenAPI document: ${server.url}/openapi.json`);
  say(
    `Environment proxy on port ${port}: browsers reach environments at ${publicAddresses.scheme}://<job>.${publicAddresses.baseDomain}/ (terrarium sessions url ID lists them)`,
  );
  const keyFile = server.apiKeyFile ?? join(defaultHome(), "api-key");
  // Only the file is named: the key itself would end up in terminal scroll-back and CI logs.
  const health = await cliClient({ baseUrl: server.url }).health();
  if (health.auth === "api_key" && existsSync(keyFile))
    say(`API key in ${keyFile} (send it as X-API-Key; the CLI on this machine reads it from there)`);
  else if (health.auth === "api_key") say("API key: the one in TERRARIUM_API_KEY (send it as X-API-Key)");
  await new Promise<void>(() =>
    stopOnSignals(async () => {
      say("stopping; environments keep running and are re-attached at the next start");
      await server.close();
    }, say),
  );
}
