import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  CloseAnswer,
  DiskSnapshotAnswer,
  DiskSnapshotRequest,
  DiskSnapshotResult,
  ErrorBody,
  ExecuteAnswer,
  ExecuteRequest,
  HeartbeatAnswer,
  JobExecuteResult,
  JobOutcome,
  JobReadiness,
  JobStateAnswer,
  LoginFlow,
  LoginPlan,
  LoginPlanResponse,
  PublicUrl,
  PublicUrlQuery,
  PublicUrlResponse,
  ResetAnswer,
  SetDateAnswer,
  SetDateRequest,
  SetDateResult,
  SnapshotAnswer,
  SnapshotRequest,
  SnapshotResult,
  StateAnswer,
  StateQuery,
  WaitForReadyAnswer,
  WaitForReadyQuery,
} from "@terrarium/wire";
import type { EnvironmentProxy } from "../../proxy/proxy.js";
import type { Scope, SessionService } from "../../services/sessions.js";
import { ClockService } from "../../services/clock.js";
import { contextOf, everySucceeded, mapResults, own, withMutations, withSuccess } from "../answers.js";

export const errors = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 503: ErrorBody };

/** A body the route can do without: a POST with none (Fastify's null) is taken as `{}`. */
export const optionalBody = <T extends z.ZodType>(schema: T) => z.preprocess((value) => value ?? {}, schema).optional();

/** A job's route answers its own result bare, as Plato's do; a session's, every result under its id. */
const answer = <R, S extends object>(scope: Scope, results: Record<string, R>, top: S) =>
  "jobId" in scope ? own(results, scope.jobId) : { session_id: scope.sessionId, ...top, results };

/**
 * The operations a session and a single job share (wait_for_ready, reset, execute, state, heartbeat,
 * close...): the same routes under `/{session_id}` and `/{job_id}`. A session's answer is per job id
 * with the session's id at the top; a job's is the bare result of that job.
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
  const bare = kind === "job";

  return async (app) => {
    app.get(
      `/:${param}/wait_for_ready`,
      {
        schema: {
          tags,
          summary: `Wait until ${target} answers its readiness check`,
          params,
          querystring: WaitForReadyQuery,
          response: { 200: bare ? JobReadiness : WaitForReadyAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const { ready, results } = await sessions.waitForReady(scope, request.query.timeout);
        const withIds = mapResults(results, (r, job_id) => ({ job_id, ...r }));
        if ("jobId" in scope) return own(withIds, scope.jobId);
        const session = sessions.details(scope.sessionId);
        const failed = session.envs.some((e) => e.status === "failed");
        const status = ready ? ("ready" as const) : failed ? ("failed" as const) : ("pending" as const);
        return answer(scope, withIds, { ready, status, context: contextOf(session) });
      },
    );
    app.post(
      `/:${param}/reset`,
      {
        schema: {
          tags,
          summary: `Reset ${target} to its starting state`,
          params,
          response: { 200: bare ? JobOutcome : ResetAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const { results } = await sessions.reset(scope);
        return answer(scope, results, { success: everySucceeded(results) });
      },
    );
    app.post(
      `/:${param}/execute`,
      {
        schema: {
          tags,
          summary: `Run a shell command in ${target}`,
          params,
          body: ExecuteRequest,
          response: { 200: bare ? JobExecuteResult : ExecuteAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const { command, timeout, encoding } = request.body;
        const { results } = await sessions.execute(scope, command, timeout, encoding);
        return answer(scope, mapResults(results, withSuccess), {});
      },
    );
    app.get(
      `/:${param}/state`,
      {
        schema: {
          tags,
          summary: `Database rows and files ${target} changed since its start or last reset`,
          params,
          querystring: StateQuery,
          response: { 200: bare ? JobStateAnswer : StateAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const { mode, captured_at, results } = await sessions.state(scope, {
          mode: request.query.merge_mutations ? "net" : "log",
          noise: request.query.noise,
        });
        const shaped = mapResults(results, withMutations);
        if ("jobId" in scope) return { job_id: scope.jobId, mode, captured_at, ...own(shaped, scope.jobId) };
        return { session_id: scope.sessionId, mode, captured_at, results: shaped };
      },
    );
    app.get(
      `/:${param}/public_url`,
      {
        schema: {
          tags,
          summary: `Browser-reachable URL of ${target} (its app port, or ?port=)`,
          params,
          querystring: PublicUrlQuery,
          response: { 200: bare ? PublicUrl : PublicUrlResponse, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const results: PublicUrlResponse["results"] = {};
        for (const { job } of sessions.environments(scope)) {
          const url = proxy.url(job.id, job.sessionId, request.query.port);
          results[job.id] = { job_id: job.id, success: true, alias: job.alias, url };
        }
        return answer(scope, results, {});
      },
    );
    app.get(
      `/:${param}/login`,
      {
        schema: {
          tags,
          summary: `How a browser logs in to ${target}: public URL and the simulator's login steps`,
          params,
          response: { 200: bare ? LoginPlan : LoginPlanResponse, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const results: LoginPlanResponse["results"] = {};
        for (const { job, manifest } of sessions.environments(scope)) {
          const login = manifest?.login;
          results[job.id] = {
            job_id: job.id,
            alias: job.alias,
            simulator: job.simulator,
            url: proxy.url(job.id, job.sessionId),
            flow: login?.steps
              ? LoginFlow.parse({ username: login.username, password: login.password, steps: login.steps })
              : null,
          };
        }
        return answer(scope, results, {});
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
          response: { 200: bare ? SnapshotResult : SnapshotAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        return answer(scope, (await sessions.snapshot(scope)).results, {});
      },
    );
    app.post(
      `/:${param}/disk_snapshot`,
      {
        schema: {
          tags,
          summary: `Disk snapshot of ${target} into an artifact each; optionally published as a simulator version`,
          params,
          body: optionalBody(DiskSnapshotRequest),
          response: { 200: bare ? DiskSnapshotResult : DiskSnapshotAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        return answer(scope, (await sessions.diskSnapshot(scope, request.body ?? {})).results, {});
      },
    );
    const clock = new ClockService(sessions);
    app.post(
      `/:${param}/set_date`,
      {
        schema: {
          tags,
          summary: `Move the clock of ${target} (its app, databases and commands) to a date; a reset brings back the real time`,
          params,
          body: SetDateRequest,
          response: { 200: bare ? SetDateResult : SetDateAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        return answer(scope, await clock.setDate(scope, request.body.datetime, request.body.timeout), {});
      },
    );
    app.post(
      `/:${param}/heartbeat`,
      {
        schema: {
          tags,
          summary: `Keep ${target} alive`,
          params,
          response: { 200: bare ? JobOutcome : HeartbeatAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const { results } = sessions.heartbeat(scope);
        return answer(scope, results, { success: everySucceeded(results), timestamp: new Date().toISOString() });
      },
    );
    app.post(
      `/:${param}/close`,
      {
        schema: {
          tags,
          summary: `Close ${target}: remove containers (and the network with the last one); safe to repeat`,
          params,
          response: { 200: bare ? JobOutcome : CloseAnswer, ...errors },
        },
      },
      async (request) => {
        const scope = scopeOf(request.params);
        const { results, message } = await sessions.close(scope);
        return answer(scope, results, { success: everySucceeded(results), message });
      },
    );
  };
}
