import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  EvaluateRequest,
  EvaluationResult,
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
          response: { 200: EvaluationResult, ...errors },
        },
      },
      async (request) => evaluation.evaluate(request.params.session_id, request.body?.value),
    );
    await app.register(operationRoutes(sessions, proxy, "session"));
  };
