import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ErrorBody, Health, SimulatorList } from "@terrarium/wire";
import type { SimulatorCatalog } from "../../services/catalog.js";

/** `/api/v2/simulators`: what can be started here, and whether its image is built. */
export const simulatorRoutes =
  (catalog: SimulatorCatalog): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/",
      {
        schema: { tags: ["simulators"], summary: "List simulators", response: { 200: SimulatorList, 401: ErrorBody } },
      },
      async () => ({ simulators: await catalog.list() }),
    );
  };

/** `/healthz`: liveness plus what this server can do. */
export const healthRoutes =
  (health: () => Promise<Health>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/healthz",
      { schema: { tags: ["health"], summary: "Health and capabilities", response: { 200: Health } } },
      health,
    );
  };
