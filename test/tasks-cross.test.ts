import { describeTaskSuite, tasksUsing } from "./task-suite.js";

describeTaskSuite(
  "cross-app",
  tasksUsing((simulators) => simulators.length > 1),
);
