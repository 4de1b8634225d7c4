import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  ErrorBody,
  ExecuteRequest,
  ExecuteResponse,
  JobDetails,
  JobIdParams,
  OutcomeResponse,
  StateQuery,
  StateResponse,
  WaitForReadyQuery,
  WaitForReadyResponse,
} from "@terrarium/wire";
import type { SessionService } from "../../services/sessions.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };
const tags = ["jobs"];

/** `/api/v2/jobs/{job_id}`: the session operations for one environment, answered in the same shape. */
export const jobRoutes =
  (sessions: SessionService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/:job_id",
      { schema: { tags, summary: "Job details", params: JobIdParams, response: { 200: JobDetails, ...errors } } },
      async (request) => sessions.jobDetails(request.params.job_id),
    );
    app.get(
      "/:job_id/wait_for_ready",
      {
        schema: {
          tags,
          summary: "Wait until the environment answers its readiness check",
          params: JobIdParams,
          querystring: WaitForReadyQuery,
          response: { 200: WaitForReadyResponse, ...errors },
        },
      },
      async (request) => sessions.waitForJobReady(request.params.job_id, request.query.timeout),
    );
    app.post(
      "/:job_id/reset",
      {
        schema: {
          tags,
          summary: "Reset the environment",
          params: JobIdParams,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.resetJob(request.params.job_id),
    );
    app.post(
      "/:job_id/execute",
      {
        schema: {
          tags,
          summary: "Run a shell command in the environment",
          params: JobIdParams,
          body: ExecuteRequest,
          response: { 200: ExecuteResponse, ...errors },
        },
      },
      async (request) => sessions.executeJob(request.params.job_id, request.body.command, request.body.timeout),
    );
    app.get(
      "/:job_id/state",
      {
        schema: {
          tags,
          summary: "Database rows and files changed since the start or the last reset",
          params: JobIdParams,
          querystring: StateQuery,
          response: { 200: StateResponse, ...errors },
        },
      },
      async (request) =>
        sessions.stateJob(request.params.job_id, {
          mode: request.query.merge_mutations ? "net" : "log",
          noise: request.query.noise,
        }),
    );
    app.post(
      "/:job_id/heartbeat",
      {
        schema: {
          tags,
          summary: "Keep the environment alive",
          params: JobIdParams,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.heartbeatJob(request.params.job_id),
    );
    app.post(
      "/:job_id/close",
      {
        schema: {
          tags,
          summary: "Close the environment",
          params: JobIdParams,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.closeJob(request.params.job_id),
    );
  };
