import { describeTaskSuite, tasksUsing } from "./task-suite.js";

describeTaskSuite(
  "crm",
  tasksUsing((simulators) => simulators.length === 1 && simulators[0] === "crm"),
);
