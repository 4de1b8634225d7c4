import { describeTaskSuite, tasksUsing } from "./task-suite.js";

describeTaskSuite(
  "helpdesk",
  tasksUsing((simulators) => simulators.length === 1 && simulators[0] === "helpdesk"),
);
