import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface ServerConfig {
  /** Data directory: store, logs, the server's own Podman socket. */
  home: string;
  host: string;
  port: number;
  /** Keys accepted in `X-API-Key` besides those in the store. */
  apiKeys: string[];
  /** Require a key even on loopback. Off-loopback a key is always required. */
  requireApiKey: boolean;
  /** Folder with one sub-folder per simulator. */
  simulatorsDir: string;
  /** Folder of the tasks that span simulators (each simulator's own are in its `tasks/`). */
  tasksDir: string;
  /** Socket of a running Podman API service; when unset the server starts its own. */
  podmanSocket?: string;
  /** How often the reaper looks for environments whose heartbeats stopped, in ms. */
  reaperIntervalMs: number;
  /** Bytes of stdout and of stderr kept per execute. */
  execOutputLimit: number;
  /**
   * Start environments with the exec agent, the fast `execute` (TERRARIUM_EXEC_AGENT=off: every
   * execute goes through podman exec).
   */
  execAgent: boolean;
  /**
   * The `criu` binary memory snapshots use (TERRARIUM_CRIU); default the first in PATH, with
   * /usr/local/sbin (where `terrarium setup` builds one) ahead of /usr/sbin.
   */
  criu?: string;
  /**
   * Ready environments kept per kind (simulator version or artifact) once a kind has been asked for,
   * so create and reset hand one over at once (TERRARIUM_POOL_SIZE; 0 turns the warm pool off).
   */
  poolSize: number;
  /**
   * A simulator image whose boot until ready takes at least this many ms gets a ready artifact (a
   * memory checkpoint of it booted and warmed) that later starts resume instead of booting
   * (TERRARIUM_READY_BOOT_MS, default 3000; "off": never). Needs memory snapshots.
   */
  readyArtifactBootMs?: number;
  logLevel: string;
  /** Where the environment proxy listens; its host defaults to the API's. Port 0 picks a free one. */
  proxyHost?: string;
  proxyPort: number;
  /**
   * Base domain of public URLs (`<job>--<port>.<domain>`), for remote use behind a wildcard DNS
   * record; unset means `localhost:<proxy port>`. URLs then carry the session's access token.
   */
  publicDomain?: string;
  publicScheme: "http" | "https";
  /**
   * Waits before each retry of a shutdown callback, in ms (TERRARIUM_CALLBACK_RETRY_MS, a comma-separated
   * list); unset: 2, 4, 8... 128 s (8 tries over about 4 minutes).
   */
  callbackRetryDelaysMs?: number[];
}

export const DEFAULT_PORT = 7350;
export const DEFAULT_PROXY_PORT = 7351;
export const DEFAULT_POOL_SIZE = 2;
export const DEFAULT_READY_BOOT_MS = 3000;

/** The repository's `simulators/` folder, found from this file's place in the package. */
export function defaultSimulatorsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../../simulators");
}

/** The repository's `tasks/` folder. */
export function defaultTasksDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../../tasks");
}

export function defaultHome(): string {
  return process.env.TERRARIUM_HOME ?? join(homedir(), ".terrarium");
}

/** Reads the configuration from the environment; explicit overrides win. */
export function loadConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const env = process.env;
  const fromEnvKey = env.TERRARIUM_API_KEY ? [env.TERRARIUM_API_KEY] : [];
  return {
    home: defaultHome(),
    host: env.TERRARIUM_HOST ?? "127.0.0.1",
    port: env.TERRARIUM_PORT ? Number(env.TERRARIUM_PORT) : DEFAULT_PORT,
    apiKeys: fromEnvKey,
    requireApiKey: env.TERRARIUM_REQUIRE_API_KEY === "1",
    simulatorsDir: env.TERRARIUM_SIMULATORS_DIR ?? defaultSimulatorsDir(),
    tasksDir: env.TERRARIUM_TASKS_DIR ?? defaultTasksDir(),
    podmanSocket: env.TERRARIUM_PODMAN_SOCKET || undefined,
    reaperIntervalMs: 1000,
    execOutputLimit: 4 * 1024 * 1024,
    execAgent: env.TERRARIUM_EXEC_AGENT !== "off",
    criu: env.TERRARIUM_CRIU || undefined,
    poolSize: env.TERRARIUM_POOL_SIZE ? Number(env.TERRARIUM_POOL_SIZE) : DEFAULT_POOL_SIZE,
    readyArtifactBootMs:
      env.TERRARIUM_READY_BOOT_MS === "off"
        ? undefined
        : env.TERRARIUM_READY_BOOT_MS
          ? Number(env.TERRARIUM_READY_BOOT_MS)
          : DEFAULT_READY_BOOT_MS,
    logLevel: env.TERRARIUM_LOG_LEVEL ?? "info",
    proxyHost: env.TERRARIUM_PROXY_HOST || undefined,
    proxyPort: env.TERRARIUM_PROXY_PORT ? Number(env.TERRARIUM_PROXY_PORT) : DEFAULT_PROXY_PORT,
    publicDomain: env.TERRARIUM_PUBLIC_DOMAIN || undefined,
    publicScheme: env.TERRARIUM_PUBLIC_SCHEME === "https" ? "https" : "http",
    callbackRetryDelaysMs: env.TERRARIUM_CALLBACK_RETRY_MS ? retryDelays(env.TERRARIUM_CALLBACK_RETRY_MS) : undefined,
    ...overrides,
  };
}

export const isLoopback = (host: string) => host === "localhost" || host === "::1" || host.startsWith("127.");

function retryDelays(text: string): number[] {
  const delays = text.split(",").map((part) => Number(part.trim()));
  if (delays.some((d) => !Number.isFinite(d) || d < 0))
    throw new Error(
      `TERRARIUM_CALLBACK_RETRY_MS: "${text}" is not a comma-separated list of milliseconds, e.g. 2000,4000,8000`,
    );
  return delays;
}
