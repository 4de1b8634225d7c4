import type { Solution } from "@terrarium/sdk";
import { Redmine } from "./lib/redmine-api.js";

// Over the REST API: the open issues of 2.4 (Resolved counts as open in Redmine), one PUT each,
// then PUT /versions/<id>.json to close the version.
async function ship(base: string, closeResolved: boolean): Promise<void> {
  const api = new Redmine(base);
  const v24 = await api.idOf("/projects/dispatch/versions.json", "versions", "2.4");
  const v30 = await api.idOf("/projects/dispatch/versions.json", "versions", "3.0");
  const closed = await api.idOf("/issue_statuses.json", "issue_statuses", "Closed");
  for (const issue of await api.issues("dispatch", `fixed_version_id=${v24}&status_id=open`)) {
    const change =
      closeResolved && issue.status.name === "Resolved" ? { status_id: closed } : { fixed_version_id: v30 };
    await api.put(`/issues/${issue.id}.json`, { issue: change });
  }
  await api.put(`/versions/${v24}.json`, { version: { status: "closed" } });
}

export const solve: Solution = async ({ urls }) => {
  await ship(urls.pm!, true);
};

// Treats "open" as "unfinished": the Resolved issue, which ships in 2.4, is moved to 3.0 instead of closed.
export const wrong: Solution = async ({ urls }) => {
  await ship(urls.pm!, false);
};
