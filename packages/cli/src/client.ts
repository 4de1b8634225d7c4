import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_BASE_URL, Terrarium, type TerrariumOptions } from "@terrarium/sdk";
import { defaultHome } from "@terrarium/server";

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/** The key a server generated into `home` (`$TERRARIUM_HOME/api-key`), if there is one. */
export function apiKeyIn(home: string): string | undefined {
  const file = join(home, "api-key");
  return existsSync(file) ? readFileSync(file, "utf8").trim() || undefined : undefined;
}

/**
 * The client every command uses: the SDK's, except that without TERRARIUM_API_KEY the key a server on
 * this machine generated into `$TERRARIUM_HOME/api-key` is sent, so a server that needs a key works
 * without copying it. Only to loopback: the file is this machine's, and no other server may see it.
 */
export function cliClient(options: TerrariumOptions = {}): Terrarium {
  const baseUrl = options.baseUrl ?? (process.env.TERRARIUM_URL || DEFAULT_BASE_URL);
  const local = URL.canParse(baseUrl) && LOOPBACK.test(new URL(baseUrl).hostname);
  const apiKey = options.apiKey ?? (process.env.TERRARIUM_API_KEY || (local ? apiKeyIn(defaultHome()) : undefined));
  return new Terrarium({ ...options, ...(apiKey ? { apiKey } : {}) });
}
