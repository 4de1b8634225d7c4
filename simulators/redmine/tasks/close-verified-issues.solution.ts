import type { Solution } from "@terrarium/sdk";
import { Redmine, type Issue } from "./lib/redmine-api.js";

// Over the REST API: the Resolved issues of each project, then one PUT per issue.
async function closeResolved(base: string, projects: string[] | "all"): Promise<void> {
  const api = new Redmine(base);
  const resolved = await api.idOf("/issue_statuses.json", "issue_statuses", "Resolved");
  const closed = await api.idOf("/issue_statuses.json", "issue_statuses", "Closed");
  const issues: Issue[] = [];
  if (projects === "all") {
    issues.push(...(await api.get<{ issues: Issue[] }>(`/issues.json?status_id=${resolved}&limit=100`)).issues);
  } else {
    for (const project of projects) issues.push(...(await api.issues(project, `status_id=${resolved}`)));
  }
  for (const issue of issues) await api.put(`/issues/${issue.id}.json`, { issue: { status_id: closed } });
}

export const solve: Solution = async ({ urls }) => {
  await closeResolved(urls.pm!, ["dispatch", "mobile"]);
};

// Closes every Resolved issue the admin can see, across all projects: the Infrastructure one too.
export const wrong: Solution = async ({ urls }) => {
  await closeResolved(urls.pm!, "all");
};
