import { z } from "zod";
import { Alias } from "./ids.js";

/** Seconds without a heartbeat after which an environment is closed; 0 disables the check. */
export const HeartbeatTimeout = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3600);
export const DEFAULT_HEARTBEAT_TIMEOUT = 300;
export const DEFAULT_EXECUTE_TIMEOUT = 30;

export const SimulatorEnvSpec = z.object({
  type: z.literal("simulator"),
  simulator: z.string().min(1),
  tag: z.string().min(1).default("latest"),
  alias: Alias.optional(),
  heartbeat_timeout: HeartbeatTimeout.optional(),
});

export const ArtifactEnvSpec = z.object({
  type: z.literal("artifact"),
  artifact_id: z.string().min(1),
  alias: Alias.optional(),
  restore_memory: z.boolean().default(true),
  heartbeat_timeout: HeartbeatTimeout.optional(),
});

export const EnvSpec = z.discriminatedUnion("type", [SimulatorEnvSpec, ArtifactEnvSpec]);
export type EnvSpec = z.input<typeof EnvSpec>;

export const MakeEnvsRequest = z.object({
  type: z.literal("envs"),
  envs: z.array(EnvSpec).min(1, "envs needs at least one environment").max(64),
  /** Seconds to wait for every environment to be ready before answering; 0 answers at once. */
  timeout: z.number().min(0).max(3600).optional(),
  heartbeat_timeout: HeartbeatTimeout.optional(),
});
export const MakeTaskRequest = z.object({
  type: z.literal("task"),
  task_id: z.string().min(1),
  timeout: z.number().min(0).max(3600).optional(),
  heartbeat_timeout: HeartbeatTimeout.optional(),
});
export const MakeSessionRequest = z.discriminatedUnion("type", [MakeEnvsRequest, MakeTaskRequest]);
export type MakeSessionRequest = z.input<typeof MakeSessionRequest>;

export const MadeEnv = z.object({
  job_id: z.string(),
  alias: z.string(),
  simulator: z.string().nullable(),
  artifact_id: z.string().nullable(),
  success: z.boolean(),
  error: z.string().optional(),
});
export type MadeEnv = z.infer<typeof MadeEnv>;

export const MakeSessionResponse = z.object({
  session_id: z.string(),
  task_public_id: z.string().nullable(),
  envs: z.array(MadeEnv),
});
export type MakeSessionResponse = z.infer<typeof MakeSessionResponse>;

/** Per-job answer of an operation that either worked or did not. */
export const JobOutcome = z.object({
  success: z.boolean(),
  message: z.string().optional(),
  error: z.string().optional(),
});
export type JobOutcome = z.infer<typeof JobOutcome>;
export const OutcomeResponse = z.object({ results: z.record(z.string(), JobOutcome) });
export type OutcomeResponse = z.infer<typeof OutcomeResponse>;

export const Readiness = z.object({ ready: z.boolean(), error: z.string().optional() });
export const WaitForReadyQuery = z.object({ timeout: z.coerce.number().min(0).max(3600).default(120) });
export const WaitForReadyResponse = z.object({ ready: z.boolean(), results: z.record(z.string(), Readiness) });
export type WaitForReadyResponse = z.infer<typeof WaitForReadyResponse>;

export const ExecuteRequest = z.object({
  command: z.string().min(1, "command must not be empty"),
  timeout: z
    .number()
    .positive()
    .max(24 * 3600)
    .default(DEFAULT_EXECUTE_TIMEOUT),
});
export type ExecuteRequest = z.input<typeof ExecuteRequest>;

export const ExecuteResult = z.object({
  stdout: z.string(),
  stderr: z.string(),
  /** null when the command could not run at all (see `error`) or was killed by the timeout. */
  exit_code: z.number().int().nullable(),
  timed_out: z.boolean(),
  /** true when stdout or stderr exceeded the output limit and was cut. */
  truncated: z.boolean().default(false),
  error: z.string().optional(),
});
export type ExecuteResult = z.infer<typeof ExecuteResult>;
export const ExecuteResponse = z.object({ results: z.record(z.string(), ExecuteResult) });
export type ExecuteResponse = z.infer<typeof ExecuteResponse>;

export const JobStatus = z.enum(["starting", "running", "failed", "closed"]);
export type JobStatus = z.infer<typeof JobStatus>;
export const CloseReason = z.enum(["closed", "heartbeat_timeout", "lost", "failed"]);
export type CloseReason = z.infer<typeof CloseReason>;

export const JobDetails = z.object({
  job_id: z.string(),
  session_id: z.string(),
  alias: z.string(),
  simulator: z.string().nullable(),
  tag: z.string().nullable(),
  artifact_id: z.string().nullable(),
  status: JobStatus,
  error: z.string().nullable(),
  heartbeat_timeout: z.number(),
  last_heartbeat_at: z.string(),
  created_at: z.string(),
  closed_at: z.string().nullable(),
  close_reason: CloseReason.nullable(),
});
export type JobDetails = z.infer<typeof JobDetails>;

export const SessionStatus = z.enum(["active", "closed"]);
export const SessionDetails = z.object({
  session_id: z.string(),
  task_public_id: z.string().nullable(),
  status: SessionStatus,
  created_at: z.string(),
  closed_at: z.string().nullable(),
  envs: z.array(JobDetails),
});
export type SessionDetails = z.infer<typeof SessionDetails>;

export const ListSessionsQuery = z.object({
  status: z.enum(["active", "closed", "all"]).default("active"),
});
export const SessionList = z.object({ sessions: z.array(SessionDetails) });
export type SessionList = z.infer<typeof SessionList>;

export const SessionIdParams = z.object({ session_id: z.string() });
export const JobIdParams = z.object({ job_id: z.string() });
