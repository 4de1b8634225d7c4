import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { CalibrateRequest, CalibrationReport, ErrorBody, Health, SimulatorList } from "@terrarium/wire";
import { calibrate } from "../../services/calibration.js";
import type { SimulatorCatalog } from "../../services/catalog.js";
import type { SessionService } from "../../services/sessions.js";
import type { Runtime } from "../../runtime/runtime.js";
import { optionalBody } from "./operations.js";

/** `/api/v2/simulators`: what can be started here, and whether its image is built. */
export const simulatorRoutes =
  (catalog: SimulatorCatalog, sessions: SessionService, runtime: Runtime): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/:name/calibrate",
      {
        schema: {
          tags: ["simulators"],
          summary:
            "Find a simulator's noise: log in (or take an environment the caller logged in to), idle, and report every change with rules that would silence it",
          params: z.object({ name: z.string().describe("The simulator's name, e.g. fossil") }),
          body: optionalBody(CalibrateRequest),
          response: { 200: CalibrationReport, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) =>
        calibrate(sessions, runtime, () => catalog.all(), request.params.name, {
          idleSeconds: request.body?.idle_seconds ?? 5,
          jobId: request.body?.job_id,
        }),
    );
    app.get(
      "",
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
