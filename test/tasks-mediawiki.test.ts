import { describeTaskSuite, tasksUsing } from "./task-suite.js";

describeTaskSuite(
  "mediawiki",
  tasksUsing((simulators) => simulators.length === 1 && simulators[0] === "mediawiki"),
);
