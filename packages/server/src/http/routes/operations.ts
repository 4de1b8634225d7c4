import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  ErrorBody,
  DiskSnapshotRequest,
  DiskSnapshotResponse,
  SnapshotRequest,
  SnapshotResponse,
  LoginFlow,
  LoginPlanResponse,
  PublicUrlQuery,
  PublicUrlResponse,
  ExecuteRequest,
  ExecuteResponse,
  OutcomeResponse,
  StateQuery,
  StateResponse,
  WaitForReadyQuery,
  WaitForReadyResponse,
} from "@terrarium/wire";
import type { EnvironmentProxy } from "../../proxy/proxy.js";
import type { Scope, SessionService } from "../../services/sessions.js";

export const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };

/** A body the route can do without: a POST with none (Fastify's null) is taken as `{}`. */
export const optionalBody = <T extends z.ZodType>(schema: T) => z.preprocess((value) => value ?? {}, schema).optional();

/**
 * The operations a session and a single job share (wait_for_ready, reset, execute, state, heartbeat,
 * close): the same routes under `/{session_id}` and `/{job_id}`, answering per job id.
 */
export function operationRoutes(
  sessions: SessionService,
  proxy: EnvironmentProxy,
  kind: "session" | "job",
): FastifyPluginAsyncZod {
  const param = kind === "session" ? "session_id" : "job_id";
  const id = z.string().describe(kind === "session" ? "A session id (s_...)" : "A job (environment) id (j_...)");
  const params = z.object({ [param]: id }) as z.ZodObject<Record<string, z.ZodString>>;
  const scopeOf = (p: Record<string, string>): Scope =>
    kind === "session" ? { sessionId: p[param]! } : { jobId: p[param]! };
  const target = kind === "session" ? "every environment of the session" : "the environment";
  const tags = [kind === "session" ? "sessions" : "jobs"];

  return async (app) => {
    app.get(
      `/:${param}/wait_for_ready`,
      {
        schema: {
          tags,
          summary: `Wait until ${target} answers its readiness check`,
          params,
          querystring: WaitForReadyQuery,
          response: { 200: WaitForReadyResponse, ...errors },
        },
      },
      async (request) => sessions.waitForReady(scopeOf(request.params), request.query.timeout),
    );
    app.post(
      `/:${param}/reset`,
      {
        schema: {
          tags,
          summary: `Reset ${target} to its starting state`,
          params,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.reset(scopeOf(request.params)),
    );
    app.post(
      `/:${param}/execute`,
      {
        schema: {
          tags,
          summary: `Run a shell command in ${target}`,
          params,
          body: ExecuteRequest,
          response: { 200: ExecuteResponse, ...errors },
        },
      },
      async (request) =>
        sessions.execute(scopeOf(request.params), request.body.command, request.body.timeout, request.body.encoding),
    );
    app.get(
      `/:${param}/state`,
      {
        schema: {
          tags,
          summary: `Database rows and files ${target} changed since its start or last reset`,
          params,
          querystring: StateQuery,
          response: { 200: StateResponse, ...errors },
        },
      },
      async (request) =>
        sessions.state(scopeOf(request.params), {
          mode: request.query.merge_mutations ? "net" : "log",
          noise: request.query.noise,
        }),
    );
    app.get(
      `/:${param}/public_url`,
      {
        schema: {
          tags,
          summary: `Browser-reachable URL of ${target} (its app port, or ?port=)`,
          params,
          querystring: PublicUrlQuery,
          response: { 200: PublicUrlResponse, ...errors },
        },
      },
      async (request) => {
        const results: PublicUrlResponse["results"] = {};
        for (const { job } of sessions.environments(scopeOf(request.params)))
          results[job.id] = { alias: job.alias, url: proxy.url(job.id, job.sessionId, request.query.port) };
        return { results };
      },
    );
    app.get(
      `/:${param}/login`,
      {
        schema: {
          tags,
          summary: `How a browser logs in to ${target}: public URL and the simulator's login steps`,
          params,
          response: { 200: LoginPlanResponse, ...errors },
        },
      },
      async (request) => {
        const results: LoginPlanResponse["results"] = {};
        for (const { job, manifest } of sessions.environments(scopeOf(request.params))) {
          const login = manifest?.login;
          results[job.id] = {
            alias: job.alias,
            simulator: job.simulator,
            url: proxy.url(job.id, job.sessionId),
            flow: login?.steps
              ? LoginFlow.parse({ username: login.username, password: login.password, steps: login.steps })
              : null,
          };
        }
        return { results };
      },
    );
    app.post(
      `/:${param}/snapshot`,
      {
        schema: {
          tags,
          summary: `Memory snapshot of ${target}: processes, memory and disk, into an artifact each`,
          params,
          body: optionalBody(SnapshotRequest),
          response: { 200: SnapshotResponse, ...errors },
        },
      },
      async (request) => sessions.snapshot(scopeOf(request.params)),
    );
    app.post(
      `/:${param}/disk_snapshot`,
      {
        schema: {
          tags,
          summary: `Disk snapshot of ${target} into an artifact each; optionally published as a simulator version`,
          params,
          body: optionalBody(DiskSnapshotRequest),
          response: { 200: DiskSnapshotResponse, ...errors },
        },
      },
      async (request) => sessions.diskSnapshot(scopeOf(request.params), request.body ?? {}),
    );
    app.post(
      `/:${param}/heartbeat`,
      { schema: { tags, summary: `Keep ${target} alive`, params, response: { 200: OutcomeResponse, ...errors } } },
      async (request) => sessions.heartbeat(scopeOf(request.params)),
    );
    app.post(
      `/:${param}/close`,
      {
        schema: {
          tags,
          summary: `Close ${target}: remove containers (and the network with the last one)`,
          params,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => sessions.close(scopeOf(request.params)),
    );
  };
}
