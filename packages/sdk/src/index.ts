export {
  Terrarium,
  Sessions,
  Simulators,
  Tasks,
  Artifacts,
  DEFAULT_BASE_URL,
  type TerrariumOptions,
  type CreateSessionOptions,
  type CreateFromEnvs,
  type CreateFromTask,
  type CreateFromTestcase,
  type CreateFromArtifacts,
  type CreateSessionRequest,
} from "./client.js";
export type { HeartbeatMode } from "./heartbeat.js";
export { SessionLogsRequest, type LogsOptions } from "./logs.js";
export {
  Session,
  type AddEnvOptions,
  type LoadOptions,
  type DiskSnapshotOptions,
  type ExecuteOptions,
  type OperationOptions,
  type PublicUrlOptions,
  type SessionState,
  type StateOptions,
  type WaitOptions,
} from "./session.js";
export { Environment } from "./environment.js";
export type { SetDateOptions, SetDateResult } from "./clock.js";
export { LoginError, type LoginOptions, type LoginResult } from "./login.js";
export type { Account, Solution, SolutionContext, SolutionOutcome } from "./solution.js";
export { Env, type EnvSpec, type SimulatorEnvOptions, type ArtifactEnvOptions } from "./env.js";
export { SerializedSession } from "./serialized.js";
export {
  TerrariumError,
  ApiError,
  BadRequestError,
  AuthenticationError,
  NotFoundError,
  ConflictError,
  ServiceUnavailableError,
  InternalServerError,
  TimeoutError,
  GatewayTimeoutError,
  ConnectionError,
  EnvironmentError,
  CaptureError,
  InvalidSessionError,
} from "./errors.js";
export type {
  ExecuteResult,
  JobOutcome,
  Readiness,
  ReadyResult,
  Results,
  JobInfo,
  SessionInfo,
  SimulatorInfo,
  SnapshotResult,
  ArtifactInfo,
  ArtifactDetails,
  SessionJob,
  RemoveEnvResult,
  SessionEvent,
  SessionEventKind,
  SessionLogsPage,
} from "./types.js";
export type {
  EnvState,
  DbState,
  RowChange,
  FileChange,
  CalibrationReport,
  Health,
  Task,
  TaskList,
  EvaluationResult,
  CheckResult,
} from "@terrarium/wire";
