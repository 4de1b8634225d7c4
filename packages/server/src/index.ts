export { startServer, type TerrariumServer } from "./server.js";
export { stopOnSignals } from "./shutdown.js";
export {
  loadConfig,
  defaultHome,
  defaultSimulatorsDir,
  defaultTasksDir,
  DEFAULT_PORT,
  type ServerConfig,
} from "./config.js";
export { loadSimulators, loadSimulator, type Simulator } from "./catalog/simulators.js";
export { BASE_IMAGE, simulatorImage } from "./images.js";
export { connectPodman } from "./runtime/podman/service.js";
export type { Runtime, EnvironmentSpec } from "./runtime/runtime.js";
export { LABELS } from "./services/sessions.js";
export * from "./setup/index.js";
export { webLogin, type LoginOutcome } from "./services/web-login.js";
export { TaskCatalog, type LoadedTask, type InvalidTask } from "./services/tasks.js";
export { evaluate, type EvaluationInput, type LiveAccess, type EnvChanges, type EvalFn } from "./eval/evaluate.js";
export { match, looselyEqual, type MatchContext } from "./eval/matchers.js";
export {
  OpenAiCompatibleJudge,
  judgeFromEnv,
  judgePrompt,
  type Judge,
  type JudgeRequest,
  type JudgeVerdict,
} from "./eval/judge.js";
