import { z } from "zod";
import { Alias } from "./ids.js";
import { DatasetName } from "./simulators.js";

/** Seconds without a heartbeat after which an environment is closed; 0 disables the check. */
export const HeartbeatTimeout = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3600);
export const DEFAULT_HEARTBEAT_TIMEOUT = 300;
export const DEFAULT_EXECUTE_TIMEOUT = 30;

export const SimulatorEnvSpec = z.object({
  type: z.literal("simulator").describe("Start a simulator"),
  simulator: z.string().min(1).describe("The simulator's name (GET /api/v2/simulators lists them)"),
  tag: z
    .string()
    .min(1)
    .default("latest")
    .describe(
      "Its version (image tag): latest (what `terrarium setup` builds) by default, or one published from a disk snapshot",
    ),
  dataset: DatasetName.optional().describe(
    "Which of its datasets (variants of its seed data, GET /api/v2/simulators lists them) to start from: image tag `<tag>-<dataset>`; base (tag `<tag>`) when unset",
  ),
  alias: Alias.optional().describe(
    "The environment's name in the session and its DNS name on the session's network (1-63 lowercase letters, digits or '-'); env-<8 random characters> when unset",
  ),
  heartbeat_timeout: HeartbeatTimeout.optional().describe(
    "Seconds without a heartbeat after which this environment is closed (any call on its session or job counts, and a running command keeps it); 0: never; the request's heartbeat_timeout, else 300, when unset",
  ),
});

export const ArtifactEnvSpec = z.object({
  type: z.literal("artifact").describe("Start from an artifact (a snapshot)"),
  artifact_id: z.string().min(1).describe("The artifact (GET /api/v2/artifacts lists them)"),
  alias: Alias.optional().describe(
    "The environment's name in the session and its DNS name on the session's network (1-63 lowercase letters, digits or '-'); env-<8 random characters> when unset",
  ),
  restore_memory: z
    .boolean()
    .default(true)
    .describe(
      "A memory artifact resumes its processes and memory (true, the default) or boots from its disk (false); a disk artifact always boots",
    ),
  heartbeat_timeout: HeartbeatTimeout.optional().describe(
    "Seconds without a heartbeat after which this environment is closed (any call on its session or job counts, and a running command keeps it); 0: never; the request's heartbeat_timeout, else 300, when unset",
  ),
});

export const EnvSpec = z.discriminatedUnion("type", [SimulatorEnvSpec, ArtifactEnvSpec]);
export type EnvSpec = z.input<typeof EnvSpec>;

/** Where the server POSTs once when a session ends (closed, reaped, failed...), and the bearer token it sends. */
export const ShutdownCallbackUrl = z
  .string()
  .url()
  .max(2048)
  .refine((url) => /^https?:\/\//i.test(url), "must be an http:// or https:// URL")
  .describe(
    "A URL the server POSTs once when the session ends for any reason (closed, heartbeat_timeout, failed, lost), retried with backoff until it answers 2xx (at most 8 tries over about 4 minutes); redirects are not followed",
  );

/** What every form of `make` takes besides its environments. */
const makeOptions = {
  wait: z
    .boolean()
    .default(true)
    .describe(
      "false: answer as soon as the session is recorded, its environments starting in the background (success then means accepted; GET .../wait_for_ready, session.wait() in the SDKs, waits for them); true (default): answer once they started",
    ),
  shutdown_callback_url: ShutdownCallbackUrl.optional(),
  shutdown_callback_token: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      "Sent as `Authorization: Bearer TOKEN` with the shutdown callback; kept by the server, never answered or logged",
    ),
  timeout: z
    .number()
    .min(0)
    .max(3600)
    .optional()
    .describe(
      "Seconds (at most 3600) to wait for every environment to be ready before answering; then success means ready. 0 or unset: answer once they started, without waiting",
    ),
  heartbeat_timeout: HeartbeatTimeout.optional().describe(
    "Seconds without a heartbeat after which an environment is closed, for each one that sets none; 300 by default; 0: never",
  ),
};

export const MakeEnvsRequest = z.object({
  type: z.literal("envs").describe("The environments, one by one"),
  envs: z
    .array(EnvSpec)
    .min(1, "envs needs at least one environment")
    .max(64)
    .describe("The environments to start (1-64), on one network of their own"),
  ...makeOptions,
});
export const MakeTaskRequest = z.object({
  type: z.literal("task").describe("The environments of a task"),
  task_id: z.string().min(1).describe("The task (GET /api/v2/tasks lists them), e.g. redmine/close-duplicate"),
  ...makeOptions,
});
export const MakeTestcaseRequest = z.object({
  type: z
    .literal("testcase")
    .describe("The environments of a test case (Plato's name for a task; the SDKs reset the session once ready)"),
  testcase_id: z.string().min(1).describe("The test case: a task id (GET /api/v2/tasks lists them)"),
  ...makeOptions,
});
export const MakeSessionRequest = z.discriminatedUnion("type", [MakeEnvsRequest, MakeTaskRequest, MakeTestcaseRequest]);
export type MakeSessionRequest = z.input<typeof MakeSessionRequest>;

export const MadeEnv = z.object({
  job_id: z.string().describe("The environment's job id (j_...), for /api/v2/jobs/{job_id}"),
  alias: z.string().describe("Its alias"),
  simulator: z
    .string()
    .nullable()
    .describe("The environment's simulator (for an artifact, the one it is a snapshot of); null when none is recorded"),
  artifact_id: z.string().nullable().describe("The artifact it started from; null for a simulator"),
  /**
   * The environment started; when `make` was given a timeout, also that it became ready within it
   * (else `ready` is false and `error` says why; `wait_for_ready` can wait longer).
   */
  success: z
    .boolean()
    .describe(
      "The environment started; when make was given a timeout, also that it became ready within it (else ready is false and error says why; wait_for_ready can wait longer)",
    ),
  /** Its readiness check passed (only checked within `make` when a timeout was given). */
  ready: z
    .boolean()
    .default(false)
    .describe("Its readiness check passed (checked within make only when a timeout was given)"),
  error: z.string().optional().describe("Why it failed to start or is not ready"),
});
export type MadeEnv = z.infer<typeof MadeEnv>;

export const MakeSessionResponse = z.object({
  session_id: z.string().describe("The new session's id (s_...)"),
  task_public_id: z.string().nullable().describe("The task the session was made for; null when made from envs"),
  envs: z.array(MadeEnv).describe("Its environments, in the order asked for"),
});
export type MakeSessionResponse = z.infer<typeof MakeSessionResponse>;

/** Per-job answer of an operation that either worked or did not. */
export const JobOutcome = z.object({
  success: z.boolean().describe("Whether it worked for this environment"),
  message: z.string().optional().describe("What was done, when there is more to say"),
  error: z.string().optional().describe("Why it did not work"),
});
export type JobOutcome = z.infer<typeof JobOutcome>;
export const OutcomeResponse = z.object({ results: z.record(z.string(), JobOutcome).describe("Per job id") });
export type OutcomeResponse = z.infer<typeof OutcomeResponse>;

export const Readiness = z.object({
  ready: z.boolean().describe("Whether the environment's readiness check passes"),
  error: z.string().optional().describe("Why not, when it does not"),
});
export const WaitForReadyQuery = z.object({
  timeout: z.coerce.number().min(0).max(3600).default(120).describe("Seconds to wait at most (0-3600); 120 by default"),
});
export const WaitForReadyResponse = z.object({
  ready: z.boolean().describe("Whether every environment is ready"),
  results: z.record(z.string(), Readiness).describe("Per job id"),
});
export type WaitForReadyResponse = z.infer<typeof WaitForReadyResponse>;

export const ExecuteRequest = z.object({
  command: z
    .string()
    .min(1, "command must not be empty")
    .superRefine((command, ctx) => {
      // The shell would end the command at a NUL: refused, so nothing runs other than what was sent.
      const at = command.indexOf("\0");
      if (at >= 0)
        ctx.addIssue({
          code: "custom",
          message: `contains a NUL byte at position ${at}; a command is text without NUL (pass binary data encoded, e.g. base64 decoded with \`base64 -d\`)`,
        });
    })
    .describe("A shell command, run as `/bin/sh -c COMMAND` in the environment; no NUL byte"),
  timeout: z
    .number()
    .positive()
    .max(24 * 3600)
    .default(DEFAULT_EXECUTE_TIMEOUT)
    .describe("Seconds the command may run (at most 86400, 30 by default); then it is killed and timed_out is true"),
  encoding: z
    .enum(["utf8", "base64"])
    .default("utf8")
    .describe("How stdout and stderr are answered: UTF-8 text (utf8, the default), or base64 of the exact bytes"),
});
export type ExecuteRequest = z.input<typeof ExecuteRequest>;

export const ExecuteResult = z.object({
  stdout: z
    .string()
    .describe("The command's standard output (UTF-8 text, or base64 with encoding base64), cut at 4 MiB"),
  stderr: z.string().describe("Its standard error, as stdout"),
  /** null when the command could not run at all (see `error`) or was killed by the timeout. */
  exit_code: z
    .number()
    .int()
    .nullable()
    .describe("Its exit status; null when it could not run at all (see error) or was killed by the timeout"),
  timed_out: z.boolean().describe("Whether the timeout killed it"),
  /** true when stdout or stderr exceeded the output limit and was cut (in utf8, at a whole character). */
  truncated: z
    .boolean()
    .default(false)
    .describe("true when stdout or stderr exceeded the output limit and was cut (in utf8, at a whole character)"),
  stdout_lossy: z
    .boolean()
    .default(false)
    .describe("utf8 only: stdout had bytes that are not UTF-8, answered as U+FFFD; base64 gives them exact"),
  stderr_lossy: z.boolean().default(false).describe("utf8 only: the same for stderr"),
  error: z
    .string()
    .optional()
    .describe("Why the command could not run or finish, e.g. the environment was closed or reset under it"),
});
export type ExecuteResult = z.infer<typeof ExecuteResult>;
export const ExecuteResponse = z.object({ results: z.record(z.string(), ExecuteResult).describe("Per job id") });
export type ExecuteResponse = z.infer<typeof ExecuteResponse>;

export const JobStatus = z.enum(["starting", "running", "failed", "closed"]);
export type JobStatus = z.infer<typeof JobStatus>;
export const CloseReason = z.enum(["closed", "heartbeat_timeout", "lost", "failed", "removed"]);
export type CloseReason = z.infer<typeof CloseReason>;

export const JobDetails = z.object({
  job_id: z.string().describe("The environment's job id (j_...)"),
  session_id: z.string().describe("Its session"),
  alias: z.string().describe("Its alias in the session"),
  simulator: z
    .string()
    .nullable()
    .describe("The environment's simulator (for an artifact, the one it is a snapshot of); null when none is recorded"),
  tag: z
    .string()
    .nullable()
    .describe("The simulator's version (image tag) it runs; null when it started from an artifact"),
  artifact_id: z.string().nullable().describe("The artifact it started from; null for a simulator"),
  status: JobStatus.describe(
    "starting: being created and booted; running; failed: could not start (see error); closed (see close_reason)",
  ),
  error: z.string().nullable().describe("Why it failed to start; null otherwise"),
  heartbeat_timeout: z.number().describe("Seconds without a heartbeat after which it is closed; 0: never"),
  last_heartbeat_at: z.string().describe("Its last heartbeat, or call on it or its session (ISO-8601, UTC)"),
  created_at: z.string().describe("When it was made (ISO-8601, UTC)"),
  closed_at: z.string().nullable().describe("When it was closed (ISO-8601, UTC); null while open"),
  close_reason: CloseReason.nullable().describe(
    "closed: asked to close; heartbeat_timeout; lost: found dead or orphaned when the server restarted; failed: could not start; removed: taken out of its live session (remove-job). null while open",
  ),
});
export type JobDetails = z.infer<typeof JobDetails>;

export const SessionStatus = z.enum(["active", "closed"]);
export const SessionDetails = z.object({
  session_id: z.string().describe("The session's id (s_...)"),
  task_public_id: z.string().nullable().describe("The task it was made for; null when made from envs"),
  status: SessionStatus.describe("active, or closed once every environment of it is closed"),
  created_at: z.string().describe("When it was made (ISO-8601, UTC)"),
  closed_at: z.string().nullable().describe("When it was closed (ISO-8601, UTC); null while active"),
  envs: z.array(JobDetails).describe("Its environments, open and closed, in the order they were made"),
  shutdown_callback_url: z
    .string()
    .nullable()
    .default(null)
    .describe("Where the server POSTs when the session ends; null when none was given (its token is never shown)"),
});
export type SessionDetails = z.infer<typeof SessionDetails>;

export const ListSessionsQuery = z.object({
  status: z
    .enum(["active", "closed", "all"])
    .default("active")
    .describe("Which sessions: active (default), closed or all"),
});
export const SessionList = z.object({ sessions: z.array(SessionDetails).describe("The sessions, newest first") });
export type SessionList = z.infer<typeof SessionList>;

export const SessionIdParams = z.object({ session_id: z.string().describe("A session id (s_...)") });
export const JobIdParams = z.object({ job_id: z.string().describe("A job (environment) id (j_...)") });

/** `POST /api/v2/sessions/{id}/jobs`: one more environment in a live session, on its network under its alias. */
export const AddJobRequest = z.object({
  env: EnvSpec.describe("The environment to add; its alias must not be one an open environment of the session has"),
  timeout: makeOptions.timeout,
  heartbeat_timeout: HeartbeatTimeout.optional().describe(
    "Seconds without a heartbeat after which this environment is closed; 0: never; 300 when unset (or the env's own)",
  ),
  wait: makeOptions.wait,
});
export type AddJobRequest = z.input<typeof AddJobRequest>;
export const AddJobResponse = z.object({
  session_id: z.string().describe("The session the environment joined"),
  env: MadeEnv.describe("The new environment"),
});
export type AddJobResponse = z.infer<typeof AddJobResponse>;

/** `POST /api/v2/sessions/{id}/remove-job`: an environment out of a live session (Plato's path and body). */
export const RemoveJobRequest = z
  .object({
    job_id: z.string().min(1).optional().describe("The environment's job id (j_...); or give alias"),
    alias: Alias.optional().describe("The environment's alias; or give job_id"),
  })
  .refine((r) => (r.job_id === undefined) !== (r.alias === undefined), "give job_id or alias, exactly one");
export type RemoveJobRequest = z.input<typeof RemoveJobRequest>;
export const RemoveJobResponse = z.object({
  session_id: z.string().describe("The session it was removed from"),
  job_id: z.string().describe("The environment removed"),
  success: z.boolean().describe("Whether its container and network membership are gone"),
  message: z.string().optional().describe("What was done, or why not"),
});
export type RemoveJobResponse = z.infer<typeof RemoveJobResponse>;

export const JobInfo = JobDetails.extend({
  status_reason: z
    .string()
    .nullable()
    .describe("Why it has its status: its close reason, or why it failed; null while starting or running"),
});
export type JobInfo = z.infer<typeof JobInfo>;
export const ListJobsResponse = z.object({
  session_id: z.string().describe("The session"),
  jobs: z.array(JobInfo).describe("Every environment of the session, open and closed, as the server sees them now"),
});
export type ListJobsResponse = z.infer<typeof ListJobsResponse>;

/** `POST /api/v2/sessions/{id}/link-testcase`: a task attached to a running session (Plato's path and body). */
export const LinkTestcaseRequest = z.object({
  testcase_id: z
    .string()
    .min(1)
    .describe("The task (test case) to score the session against; the session must have its environments, by alias"),
});
export const LinkTestcaseResponse = z.object({
  session_id: z.string().describe("The session"),
  testcase_id: z.string().describe("The task it is now scored against (evaluate)"),
  success: z.boolean().describe("Whether it was linked"),
});
export type LinkTestcaseResponse = z.infer<typeof LinkTestcaseResponse>;

/** What a session's log records. */
export const SessionEventKind = z.enum([
  "created",
  "ready",
  "failed",
  "env_added",
  "env_removed",
  "execute",
  "reset",
  "state",
  "evaluate",
  "snapshot",
  "disk_snapshot",
  "set_date",
  "testcase_linked",
  "login",
  "heartbeat_timeout",
  "closed",
  "shutdown_callback",
]);
export type SessionEventKind = z.infer<typeof SessionEventKind>;
export const SessionEvent = z.object({
  seq: z.number().int().describe("Its place in the server's log: increasing, the cursor for `after`"),
  at: z.string().describe("When it happened (ISO-8601, UTC)"),
  kind: SessionEventKind.describe("What happened"),
  job_id: z.string().nullable().describe("The environment it concerns; null for the session as a whole"),
  alias: z.string().nullable().describe("That environment's alias; null for the session as a whole"),
  message: z.string().describe("One line saying what happened"),
  data: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe(
      "Its particulars, e.g. for execute the command (cut at 4096 characters), exit_code, timed_out and duration_ms",
    ),
});
export type SessionEvent = z.infer<typeof SessionEvent>;
export const SessionLogsQuery = z.object({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe("Only events after this seq (the next_after of the previous page); 0: from the start"),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe("Events per page (1-1000, 100 by default)"),
});
export const SessionLogs = z.object({
  session_id: z.string().describe("The session"),
  events: z.array(SessionEvent).describe("Its events in the order they happened"),
  next_after: z
    .number()
    .int()
    .nullable()
    .describe("Pass as after for the next page; null when this page holds the last event"),
});
export type SessionLogs = z.infer<typeof SessionLogs>;
export const LoginEventRequest = z.object({
  job_id: z.string().min(1).describe("The environment the browser logged in to"),
  success: z.boolean().describe("Whether the login flow passed"),
  flow: z.string().min(1).max(200).describe("The login flow run"),
  error: z.string().max(4096).optional().describe("Why it failed"),
});
export type LoginEventRequest = z.input<typeof LoginEventRequest>;
export const JobSessionParams = z.object({
  session_id: z.string().describe("A session id (s_...)"),
  job_id: z.string().describe("A job (environment) id (j_...) of that session"),
});

/** What the server POSTs to a session's shutdown_callback_url once it ends (Plato's VMShutdownCallbackPayload and more). */
export const ShutdownCallbackPayload = z.object({
  session_id: z.string().describe("The session that ended"),
  job_public_id: z.string().describe("The environment whose end ended the session (Plato names the job)"),
  shutdown_reason: CloseReason.describe("Why the session ended: the close reason of that environment"),
  status: z.literal("closed").describe("The session's status: closed"),
  status_reason: z.string().describe("One line saying why"),
  timestamp: z.string().describe("When it ended (ISO-8601, UTC)"),
  jobs: z
    .array(
      z.object({
        job_id: z.string().describe("An environment of the session"),
        alias: z.string().describe("Its alias"),
        close_reason: CloseReason.nullable().describe("Why it was closed"),
        closed_at: z.string().nullable().describe("When (ISO-8601, UTC)"),
      }),
    )
    .describe("Every environment the session had"),
});
export type ShutdownCallbackPayload = z.infer<typeof ShutdownCallbackPayload>;
