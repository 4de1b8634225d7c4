import { z } from "zod";
import { DiskSnapshotResult, SnapshotResult } from "./artifacts.js";
import { ExecuteResult, JobOutcome, Readiness } from "./sessions.js";
import { EnvState } from "./state.js";
import { EvaluationResult } from "./tasks.js";

/*
 * What the operations a session and a job share answer on the wire. Plato's own Python SDK parses
 * each answer with a pydantic model in which these fields are required (extra fields are allowed, so
 * ours stay): a session's answer names its session at the top, and `/api/v2/jobs/{job_id}/...` answers
 * the bare result of that one job, as an entry of the session's `results` would be.
 */

const sessionId = z.string().describe("The session the answer is about (s_...)");
const jobId = z.string().describe("The environment's job id (j_...)");
const perJob = <T extends z.ZodType>(result: T) => z.record(z.string(), result).describe("Per job id");

export const EnvironmentContext = z.object({
  job_id: jobId,
  alias: z.string().describe("Its alias in the session"),
  artifact_id: z.string().nullable().describe("The artifact it started from; null for a simulator"),
  simulator: z
    .string()
    .nullable()
    .describe("Its simulator (for an artifact, the one it is a snapshot of); null when none is recorded"),
});
export type EnvironmentContext = z.infer<typeof EnvironmentContext>;

export const SessionContext = z.object({
  session_id: sessionId,
  task_public_id: z.string().nullable().describe("The task the session was made for; null when made from envs"),
  envs: z.array(EnvironmentContext).describe("Its open environments, in the order they were made"),
});
export type SessionContext = z.infer<typeof SessionContext>;

export const JobReadiness = Readiness.extend({ job_id: jobId });
export type JobReadiness = z.infer<typeof JobReadiness>;
export const WaitForReadyAnswer = z.object({
  session_id: sessionId,
  ready: z.boolean().describe("Whether every environment is ready"),
  status: z
    .enum(["ready", "pending", "failed"])
    .describe("ready: every environment is; failed: one could not start and never will; pending: still starting"),
  results: perJob(JobReadiness),
  context: SessionContext.describe("The session and its environments, for a client to address them by alias"),
});
export type WaitForReadyAnswer = z.infer<typeof WaitForReadyAnswer>;

/** reset: `success` when every environment was reset. */
export const ResetAnswer = z.object({
  session_id: sessionId,
  success: z.boolean().describe("Whether it worked for every environment"),
  results: perJob(JobOutcome),
});
export type ResetAnswer = z.infer<typeof ResetAnswer>;
export const HeartbeatAnswer = ResetAnswer.extend({
  timestamp: z.string().describe("When the heartbeat was recorded (ISO-8601, UTC)"),
});
export type HeartbeatAnswer = z.infer<typeof HeartbeatAnswer>;
/** close is safe to repeat: a closed session or job answers success again, saying since when. */
export const CloseAnswer = ResetAnswer.extend({
  message: z.string().describe("What the close did, or since when the session was already closed"),
});
export type CloseAnswer = z.infer<typeof CloseAnswer>;

export const JobExecuteResult = ExecuteResult.extend({
  success: z.boolean().describe("The command ran to its end and exited 0"),
});
export type JobExecuteResult = z.infer<typeof JobExecuteResult>;
export const ExecuteAnswer = z.object({ session_id: sessionId, results: perJob(JobExecuteResult) });
export type ExecuteAnswer = z.infer<typeof ExecuteAnswer>;

/** A row change as Plato names its mutations: table_name, action (upper case) and the row's values. */
export const Mutation = z.object({
  table_name: z.string().describe("The table, as in the change's `table`"),
  action: z.enum(["INSERT", "UPDATE", "DELETE"]).describe("What happened to the row"),
  values: z
    .record(z.string(), z.unknown())
    .describe("The row after an insert or update; the deleted row (or its primary key, when that is all there is)"),
  old_values: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe("The row before an update or delete, when the capture saw it; null for an insert"),
  primary_key: z.record(z.string(), z.unknown()).describe("The row's primary key, column by column"),
  db: z.string().describe("The simulator's name for the database the row is in"),
  change_id: z.string().describe("The change in state.dbs[].changes this mutation is"),
});
export type Mutation = z.infer<typeof Mutation>;
export const JobStateResult = z.object({
  success: z.boolean().describe("Whether the environment's state was read"),
  state: EnvState.nullable().describe("Its changes since it started or was last reset; null when it was not read"),
  mutations: z
    .array(Mutation)
    .describe("The database row changes of `state`, in Plato's mutation shape; empty when the state was not read"),
  error: z.string().optional().describe("Why the state could not be read; other environments still answer"),
});
export type JobStateResult = z.infer<typeof JobStateResult>;
const stateMode = z
  .enum(["net", "log"])
  .describe("`net`: one net change per row; `log`: every change in commit order (merge_mutations=false)");
const capturedAt = z.string().describe("When the state was read (ISO-8601, UTC)");
export const StateAnswer = z.object({
  session_id: sessionId,
  mode: stateMode,
  captured_at: capturedAt,
  results: perJob(JobStateResult),
});
export type StateAnswer = z.infer<typeof StateAnswer>;
export const JobStateAnswer = JobStateResult.extend({ job_id: jobId, mode: stateMode, captured_at: capturedAt });
export type JobStateAnswer = z.infer<typeof JobStateAnswer>;

export const SnapshotAnswer = z.object({ session_id: sessionId, results: perJob(SnapshotResult) });
export type SnapshotAnswer = z.infer<typeof SnapshotAnswer>;
export const DiskSnapshotAnswer = z.object({ session_id: sessionId, results: perJob(DiskSnapshotResult) });
export type DiskSnapshotAnswer = z.infer<typeof DiskSnapshotAnswer>;

export const EvaluationAnswer = EvaluationResult.extend({ session_id: sessionId });
export type EvaluationAnswer = z.infer<typeof EvaluationAnswer>;

/** The environments of a session share one network from the start, reachable by alias. */
export const ConnectNetworkAnswer = z.object({
  success: z.boolean().describe("Always true: the session's environments are on one network from the start"),
  session_id: sessionId,
  results: perJob(z.boolean().describe("Whether the environment is on the session's network")),
});
export type ConnectNetworkAnswer = z.infer<typeof ConnectNetworkAnswer>;
