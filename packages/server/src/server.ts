import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Health } from "@terrarium/wire";
import { isLoopback, type ServerConfig } from "./config.js";
import { installAuth } from "./http/auth.js";
import { frameworkErrors, installErrorHandling, installJsonParser } from "./http/errors.js";
import { installMetrics } from "./http/metrics.js";
import { registerApiRoutes } from "./http/routes/index.js";
import { openapiTransforms } from "./http/openapi.js";
import { EnvironmentProxy } from "./proxy/proxy.js";
import { ensureHostFirewall } from "./runtime/podman/firewall.js";
import { connectPodman } from "./runtime/podman/service.js";
import type { Runtime } from "./runtime/runtime.js";
import { StateCapture } from "./capture/capture.js";
import { SimulatorCatalog } from "./services/catalog.js";
import { HeartbeatReaper } from "./services/reaper.js";
import { recover } from "./services/recovery.js";
import { SessionService } from "./services/sessions.js";
import { CallbackDispatcher } from "./services/shutdown-callbacks.js";
import { EvaluationService } from "./services/evaluation.js";
import { TaskCatalog } from "./services/tasks.js";
import { ArtifactService } from "./services/artifacts.js";
import { WarmPool } from "./services/pool.js";
import { judgeFromEnv } from "./eval/judge.js";
import { Store } from "./store/store.js";
import { VERSION } from "./version.js";

export interface TerrariumServer {
  app: FastifyInstance;
  /** The base URL the server listens on, e.g. http://127.0.0.1:7350. */
  url: string;
  /** Where a generated API key was written, when the server created one. */
  apiKeyFile?: string;
  /** Labels (`io.terrarium.instance`) on every container and network this server's store owns. */
  instanceId: string;
  sessions: SessionService;
  /** Ready environments per kind, handed over at create and reset. */
  pool: WarmPool;
  runtime: Runtime;
  /** The environment proxy: public URLs of environments. */
  proxy: EnvironmentProxy;
  close(): Promise<void>;
}

/**
 * Starts the control plane: store, Podman runtime, recovery of what a previous run left, the heartbeat
 * reaper, and the HTTP API. Environments keep running when the server stops; the next start
 * re-attaches to them.
 */
export async function startServer(config: ServerConfig): Promise<TerrariumServer> {
  mkdirSync(config.home, { recursive: true });
  await ensureHostFirewall().catch((error: Error) => {
    throw new Error(
      `cannot install the firewall rules that keep environments away from the host (${error.message.split("\n")[0]}); Terrarium needs root and iptables: run \`terrarium setup\` as root`,
    );
  });
  const store = new Store(join(config.home, "terrarium.db"));
  let runtime: Runtime;
  try {
    runtime = await connectPodman({
      socketPath: config.podmanSocket,
      ownSocketPath: join(config.home, "run", "podman.sock"),
      logPath: join(config.home, "logs", "podman.log"),
      execAgent: config.execAgent,
      criu: config.criu,
    });
  } catch (error) {
    store.close();
    throw error;
  }
  try {
    return await serve(config, store, runtime);
  } catch (error) {
    await runtime.close();
    store.close();
    throw error;
  }
}

async function serve(config: ServerConfig, store: Store, runtime: Runtime): Promise<TerrariumServer> {
  const instanceId = store.instanceId();
  const catalog = new SimulatorCatalog(config.simulatorsDir, runtime);
  const capture = new StateCapture(runtime, join(config.home, "capture"));
  const tasks = new TaskCatalog(config.simulatorsDir, config.tasksDir, () => catalog.all());
  const pool = new WarmPool({
    runtime,
    capture,
    instanceId,
    size: config.poolSize,
    log: { warn: (obj, msg) => app.log.warn(obj, msg) },
  });
  const artifacts = new ArtifactService({
    store,
    runtime,
    dir: join(config.home, "artifacts"),
    instanceId,
    pool,
    catalog,
  });
  const callbacks = new CallbackDispatcher({
    store,
    log: { record: (...args) => sessions.log.record(...args) },
    retryDelaysMs: config.callbackRetryDelaysMs,
  });
  const sessions = new SessionService({
    callbacks,
    pool,
    readyArtifactBootMs: config.readyArtifactBootMs,
    store,
    runtime,
    simulators: () => catalog.all(),
    datasets: catalog,
    instanceId,
    execOutputLimit: config.execOutputLimit,
    capture,
    artifacts,
    tasks: () => new Map([...tasks.load().tasks].map(([id, t]) => [id, t.task])),
  });
  const evaluation = new EvaluationService({ sessions, tasks, capture, runtime, judge: judgeFromEnv() });

  const app = Fastify({
    logger: { level: config.logLevel, redact: ["req.headers['x-api-key']"] },
    genReqId: () => `req_${Math.random().toString(36).slice(2, 12)}`,
    bodyLimit: 16 * 1024 * 1024,
    // `/api/v2/sessions/` is `/api/v2/sessions`: one path each in the OpenAPI document, both answered.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installJsonParser(app);
  installErrorHandling(app);

  // Published simulators before recovery: environments running them are re-attached with their manifest.
  await catalog.refresh();
  const recovery = await recover(store, runtime, sessions, instanceId);
  capture.prune(new Set(store.openJobs().map((j) => j.id)));
  const leftovers = await artifacts.recover();
  if (leftovers.removed.length > 0) app.log.info(leftovers, "removed what interrupted snapshots left");
  app.log.info(recovery, "recovered environments of the previous run");

  const needsKey = config.requireApiKey || !isLoopback(config.host);
  let apiKeyFile: string | undefined;
  if (needsKey) {
    if (config.apiKeys.length === 0 && !store.hasApiKeys()) {
      apiKeyFile = join(config.home, "api-key");
      writeFileSync(apiKeyFile, `${store.createApiKey()}\n`, { mode: 0o600 });
      chmodSync(apiKeyFile, 0o600);
      app.log.info({ file: apiKeyFile }, "created an API key (the key itself is only in that file)");
    }
    installAuth(app, store, config.apiKeys);
  }

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: "Terrarium API",
        version: VERSION,
        description: "Sessions of simulated app environments for AI agents",
      },
      components: { securitySchemes: { apiKey: { type: "apiKey", in: "header", name: "X-API-Key" } } },
      security: needsKey ? [{ apiKey: [] }] : [],
    },
    ...openapiTransforms,
  });
  installMetrics(app, store);
  const runtimeVersion = await runtime.version();
  const health = async (): Promise<Health> => {
    const memory = await runtime.checkpointSupport();
    return {
      status: "ok",
      version: VERSION,
      runtime: { name: runtime.name, version: runtimeVersion },
      capabilities: {
        memory_snapshots: memory.supported,
        ...(memory.supported ? {} : { memory_snapshots_reason: memory.reason }),
        disk_snapshots: true,
      },
      auth: needsKey ? "api_key" : "none",
    };
  };
  const proxy = await EnvironmentProxy.start({
    host: config.proxyHost ?? config.host,
    port: config.proxyPort,
    domain: config.publicDomain,
    scheme: config.publicScheme,
    secretFile: join(config.home, "proxy-secret"),
    sessions,
    runtime,
    log: app.log,
  }).catch((error: Error) => {
    throw new Error(
      `cannot start the environment proxy on port ${config.proxyPort} (${error.message}); set TERRARIUM_PROXY_PORT`,
    );
  });
  app.addHook("onClose", () => proxy.close());
  await registerApiRoutes(app, { health, sessions, evaluation, tasks, artifacts, catalog, runtime, proxy });
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  const reaper = new HeartbeatReaper(sessions, config.reaperIntervalMs, app.log);
  app.addHook("onClose", async () => {
    await reaper.stop();
    await callbacks.stop();
    sessions.log.flush();
    await Promise.all([pool.close(), artifacts.close(), catalog.close()]);
    await runtime.close();
    store.close();
  });

  // On failure startServer closes the runtime and the store; the reaper has not started yet.
  await app.listen({ host: config.host, port: config.port }).catch(async (error: unknown) => {
    await proxy.close();
    throw error;
  });
  reaper.start();
  // Callbacks owed from before a restart are tried now.
  callbacks.start();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  return {
    app,
    url: `http://${host}:${port}`,
    apiKeyFile,
    instanceId,
    sessions,
    pool,
    runtime,
    proxy,
    close: () => app.close(),
  };
}
