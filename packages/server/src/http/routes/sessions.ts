import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  AddJobRequest,
  AddJobResponse,
  JobSessionParams,
  LinkTestcaseRequest,
  LinkTestcaseResponse,
  ListJobsResponse,
  LoginEventRequest,
  RemoveJobRequest,
  RemoveJobResponse,
  SessionLogs,
  SessionLogsQuery,
  ConnectNetworkAnswer,
  EvaluateRequest,
  EvaluationAnswer,
  ListSessionsQuery,
  MakeSessionRequest,
  MakeSessionResponse,
  SessionDetails,
  SessionIdParams,
  SessionList,
} from "@terrarium/wire";
import type { EnvironmentProxy } from "../../proxy/proxy.js";
import type { EvaluationService } from "../../services/evaluation.js";
import type { SessionService } from "../../services/sessions.js";
import { errors, operationRoutes, optionalBody } from "./operations.js";

const tags = ["sessions"];

/** `/api/v2/sessions`: every operation fans out to the session's jobs and answers per job id. */
export const sessionRoutes =
  (sessions: SessionService, proxy: EnvironmentProxy, evaluation: EvaluationService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      "/make",
      {
        schema: {
          tags,
          summary: "Create a session of environments",
          body: MakeSessionRequest,
          response: { 200: MakeSessionResponse, ...errors },
        },
      },
      async (request) => sessions.make(request.body),
    );
    app.get(
      "",
      {
        schema: {
          tags,
          summary: "List sessions",
          querystring: ListSessionsQuery,
          response: { 200: SessionList, ...errors },
        },
      },
      async (request) => ({ sessions: sessions.list(request.query.status) }),
    );
    app.get(
      "/:session_id",
      {
        schema: {
          tags,
          summary: "Session details",
          params: SessionIdParams,
          response: { 200: SessionDetails, ...errors },
        },
      },
      async (request) => sessions.details(request.params.session_id),
    );
    app.post(
      "/:session_id/evaluate",
      {
        schema: {
          tags,
          summary: "Score the session's current state against its task's criteria",
          params: SessionIdParams,
          body: optionalBody(EvaluateRequest),
          response: { 200: EvaluationAnswer, ...errors },
        },
      },
      async (request) => ({
        session_id: request.params.session_id,
        ...(await evaluation.evaluate(request.params.session_id, request.body?.value)),
      }),
    );
    app.post(
      "/:session_id/connect_network",
      {
        schema: {
          tags,
          summary:
            "Connect the environments to one network: they already are, from the start (Plato's SDK 2.8 asks after every create)",
          params: SessionIdParams,
          response: { 200: ConnectNetworkAnswer, ...errors },
        },
      },
      async (request) => {
        const environments = sessions.environments({ sessionId: request.params.session_id });
        return {
          success: true,
          session_id: request.params.session_id,
          results: Object.fromEntries(environments.map(({ job }) => [job.id, true])),
        };
      },
    );
    app.post(
      "/:session_id/jobs",
      {
        schema: {
          tags,
          summary:
            "Add an environment to a live session: it joins the session's network under its alias (Plato's add_job)",
          params: SessionIdParams,
          body: AddJobRequest,
          response: { 200: AddJobResponse, ...errors },
        },
      },
      async (request) => sessions.addJob(request.params.session_id, request.body),
    );
    app.get(
      "/:session_id/jobs",
      {
        schema: {
          tags,
          summary: "The session's environments (jobs) as the server sees them now, added or removed by any client",
          params: SessionIdParams,
          response: { 200: ListJobsResponse, ...errors },
        },
      },
      async (request) => sessions.listJobs(request.params.session_id),
    );
    app.post(
      "/:session_id/remove-job",
      {
        schema: {
          tags,
          summary:
            "Remove an environment from a live session (its container goes, its alias is free again); the last one closes the session",
          params: SessionIdParams,
          body: RemoveJobRequest,
          response: { 200: RemoveJobResponse, ...errors },
        },
      },
      async (request) => sessions.removeJob(request.params.session_id, request.body),
    );
    app.post(
      "/:session_id/link-testcase",
      {
        schema: {
          tags,
          summary:
            "Attach a task (test case) to a running session, so evaluate scores it; the session needs the task's environments by alias (Plato's link_testcase)",
          params: SessionIdParams,
          body: LinkTestcaseRequest,
          response: { 200: LinkTestcaseResponse, ...errors },
        },
      },
      async (request) => sessions.linkTestcase(request.params.session_id, request.body.testcase_id),
    );
    app.get(
      "/:session_id/logs",
      {
        schema: {
          tags,
          summary:
            "The session's log: what happened in it (created, ready, execute with command and exit code, reset, login, state, evaluate, snapshots, close...), oldest first, paged",
          params: SessionIdParams,
          querystring: SessionLogsQuery,
          response: { 200: SessionLogs, ...errors },
        },
      },
      async (request) => sessions.logs(request.params.session_id, request.query),
    );
    app.get(
      "/:session_id/jobs/:job_id/logs",
      {
        schema: {
          tags,
          summary: "The events of one environment of the session (Plato's get_session_logs), oldest first, paged",
          params: JobSessionParams,
          querystring: SessionLogsQuery,
          response: { 200: SessionLogs, ...errors },
        },
      },
      async (request) => sessions.logs(request.params.session_id, { ...request.query, jobId: request.params.job_id }),
    );
    app.post(
      "/:session_id/logs/login",
      {
        schema: {
          tags,
          summary: "Record a browser login into the session's log (the SDKs' login does, for every environment)",
          params: SessionIdParams,
          body: LoginEventRequest,
          response: { 204: z.null().describe("Recorded"), ...errors },
        },
      },
      async (request, reply) => {
        sessions.loggedIn(request.params.session_id, request.body);
        return reply.code(204).send(null);
      },
    );
    await app.register(operationRoutes(sessions, proxy, "session"));
  };
