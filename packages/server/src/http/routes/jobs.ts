import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { JobDetails, JobIdParams } from "@terrarium/wire";
import type { EnvironmentProxy } from "../../proxy/proxy.js";
import type { SessionService } from "../../services/sessions.js";
import { errors, operationRoutes } from "./operations.js";

/** `/api/v2/jobs/{job_id}`: the session operations for one environment, answered in the same shape. */
export const jobRoutes =
  (sessions: SessionService, proxy: EnvironmentProxy): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/:job_id",
      {
        schema: {
          tags: ["jobs"],
          summary: "Job details",
          params: JobIdParams,
          response: { 200: JobDetails, ...errors },
        },
      },
      async (request) => sessions.jobDetails(request.params.job_id),
    );
    await app.register(operationRoutes(sessions, proxy, "job"));
  };
