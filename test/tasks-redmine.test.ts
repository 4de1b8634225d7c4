import { describeTaskSuite, tasksUsing } from "./task-suite.js";

describeTaskSuite(
  "redmine",
  tasksUsing((simulators) => simulators.length === 1 && simulators[0] === "redmine"),
);
