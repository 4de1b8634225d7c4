import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { FlowList, JobDetails, JobIdParams } from "@terrarium/wire";
import type { EnvironmentProxy } from "../../proxy/proxy.js";
import type { SessionService } from "../../services/sessions.js";
import { platoLoginFlow } from "../login-flows.js";
import { errors, operationRoutes } from "./operations.js";

/** `/api/v2/jobs/{job_id}`: the session operations for one environment, each answering its bare result. */
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
    app.get(
      "/:job_id/flows",
      {
        schema: {
          tags: ["jobs"],
          summary: "The environment's browser flows in Plato's format: `login`, the simulator's browser login",
          params: JobIdParams,
          response: { 200: FlowList, ...errors },
        },
      },
      async (request) =>
        sessions.environments({ jobId: request.params.job_id }).flatMap(({ job, manifest }) => {
          const login = manifest?.login;
          return login?.steps ? [platoLoginFlow(job.simulator ?? job.alias, { ...login, steps: login.steps })] : [];
        }),
    );
    await app.register(operationRoutes(sessions, proxy, "job"));
  };
