export { Terrarium, Sessions, Simulators, type TerrariumOptions, type CreateSessionOptions } from "./client.js";
export {
  Session,
  type ExecuteOptions,
  type OperationOptions,
  type SessionState,
  type StateOptions,
  type WaitOptions,
} from "./session.js";
export type { EnvState, DbState, RowChange, FileChange, CalibrationReport } from "@terrarium/wire";
export { Environment } from "./environment.js";
export { Env, type EnvSpec, type SimulatorEnvOptions, type ArtifactEnvOptions } from "./env.js";
export { SerializedSession } from "./serialized.js";
export * from "./errors.js";
export type { ExecuteResult, JobOutcome, Results, ReadyResult, JobInfo, SessionInfo, SimulatorInfo } from "./types.js";
