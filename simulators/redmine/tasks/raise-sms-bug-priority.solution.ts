import type { Solution } from "@terrarium/sdk";
import { Redmine } from "./lib/redmine-api.js";

// Over the REST API: the bug found by subject, one PUT with the new priority.
async function setPriority(base: string, priority: string): Promise<void> {
  const api = new Redmine(base);
  const bug = await api.issue("dispatch", "SMS notification text cut off in Portuguese");
  const priorityId = await api.idOf("/enumerations/issue_priorities.json", "issue_priorities", priority);
  await api.put(`/issues/${bug.id}.json`, { issue: { priority_id: priorityId } });
}

export const solve: Solution = async ({ urls }) => {
  await setPriority(urls.pm!, "High");
};

// Escalates one notch too far: Urgent instead of High.
export const wrong: Solution = async ({ urls }) => {
  await setPriority(urls.pm!, "Urgent");
};
