import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  ErrorBody,
  ExecuteRequest,
  ExecuteResponse,
  ListSessionsQuery,
  MakeSessionRequest,
  MakeSessionResponse,
  OutcomeResponse,
  StateQuery,
  StateResponse,
  SessionDetails,
  SessionIdParams,
  SessionList,
  WaitForReadyQuery,
  WaitForReadyResponse,
} from "@terrarium/wire";
import type { SessionService } from "../../services/sessions.js";

const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };
const tags = ["sessions"];

/** `/api/v2/sessions`: every operation fans out to the session's jobs and answers per job id. */
export const sessionRoutes =
  (sessions: SessionService): FastifyPluginAsyncZod =>
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
      "/",
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
    app.get(
      "/:session_id/wait_for_ready",
      {
        schema: {
          tags,
          summary: "Wait until every environment answers its readiness check",
          params: SessionIdParams,
          querystring: WaitForReadyQuery,
          response: { 200: WaitForReadyResponse, ...errors },
        },
      },
      async (request) => sessions.waitForReady(request.params.session_id, request.query.timeout),
    );
    app.post(
      "/:session_id/reset",
      {
        schema: {
          tags,
          summary: "Reset every environment to its starting state",
          params: SessionIdParams,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.reset(request.params.session_id),
    );
    app.post(
      "/:session_id/execute",
      {
        schema: {
          tags,
          summary: "Run a shell command in every environment",
          params: SessionIdParams,
          body: ExecuteRequest,
          response: { 200: ExecuteResponse, ...errors },
        },
      },
      async (request) => sessions.execute(request.params.session_id, request.body.command, request.body.timeout),
    );
    app.get(
      "/:session_id/state",
      {
        schema: {
          tags,
          summary: "Database rows and files changed since the start or the last reset",
          params: SessionIdParams,
          querystring: StateQuery,
          response: { 200: StateResponse, ...errors },
        },
      },
      async (request) =>
        sessions.state(request.params.session_id, {
          mode: request.query.merge_mutations ? "net" : "log",
          noise: request.query.noise,
        }),
    );
    app.post(
      "/:session_id/heartbeat",
      {
        schema: {
          tags,
          summary: "Keep the session's environments alive",
          params: SessionIdParams,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.heartbeat(request.params.session_id),
    );
    app.post(
      "/:session_id/close",
      {
        schema: {
          tags,
          summary: "Close the session: remove its environments and network",
          params: SessionIdParams,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.close(request.params.session_id),
    );
  };
