import { describeTaskSuite, tasksUsing } from "./task-suite.js";

describeTaskSuite(
  "fossil",
  tasksUsing((simulators) => simulators.length === 1 && simulators[0] === "fossil"),
);
