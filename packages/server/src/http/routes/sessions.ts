import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
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
    await app.register(operationRoutes(sessions, proxy, "session"));
  };
