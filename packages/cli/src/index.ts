export { runTask, localTasks, type RunMode, type RunOptions, type TaskRun } from "./tasks/runner.js";
export { formatResult } from "./tasks/verdict.js";
