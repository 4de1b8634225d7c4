import { describeTaskSuite, tasksUsing } from "./task-suite.js";

describeTaskSuite(
  "mail",
  tasksUsing((simulators) => simulators.length === 1 && simulators[0] === "mail"),
);
