import type { FastifyInstance } from "fastify";
import type { Health } from "@terrarium/wire";
import type { EnvironmentProxy } from "../../proxy/proxy.js";
import type { Runtime } from "../../runtime/runtime.js";
import type { ArtifactService } from "../../services/artifacts.js";
import type { SimulatorCatalog } from "../../services/catalog.js";
import type { EvaluationService } from "../../services/evaluation.js";
import type { SessionService } from "../../services/sessions.js";
import type { TaskCatalog } from "../../services/tasks.js";
import { artifactRoutes } from "./artifacts.js";
import { healthRoutes, simulatorRoutes } from "./catalog.js";
import { jobRoutes } from "./jobs.js";
import { sessionRoutes } from "./sessions.js";
import { taskRoutes } from "./tasks.js";

export interface ApiServices {
  health: () => Promise<Health>;
  sessions: SessionService;
  evaluation: EvaluationService;
  tasks: TaskCatalog;
  artifacts: ArtifactService;
  catalog: SimulatorCatalog;
  runtime: Runtime;
  proxy: EnvironmentProxy;
}

/** Every route group of the API under its prefix: the server and the OpenAPI test register the same. */
export async function registerApiRoutes(app: FastifyInstance, s: ApiServices): Promise<void> {
  await app.register(healthRoutes(s.health));
  await app.register(sessionRoutes(s.sessions, s.proxy, s.evaluation), { prefix: "/api/v2/sessions" });
  await app.register(taskRoutes(s.tasks), { prefix: "/api/v2/tasks" });
  await app.register(artifactRoutes(s.artifacts), { prefix: "/api/v2/artifacts" });
  await app.register(jobRoutes(s.sessions, s.proxy), { prefix: "/api/v2/jobs" });
  await app.register(simulatorRoutes(s.catalog, s.sessions, s.runtime), { prefix: "/api/v2/simulators" });
}
