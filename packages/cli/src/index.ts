export { runTask, formatResult, localTasks, type RunMode, type RunOptions, type TaskRun } from "./tasks/runner.js";
