import type { Solution } from "@terrarium/sdk";
import { Redmine } from "./lib/redmine-api.js";

// Over the REST API: one POST /time_entries.json; an administrator may log time for someone else
// with `user_id`.
async function logTime(base: string, forBob: boolean): Promise<void> {
  const api = new Redmine(base);
  const bug = await api.issue("dispatch", "Duplicate job created when the portal retries a timed-out POST");
  const entry: Record<string, unknown> = {
    issue_id: bug.id,
    hours: 2.5,
    activity_id: await api.idOf("/enumerations/time_entry_activities.json", "time_entry_activities", "Development"),
    spent_on: "2025-04-17",
    comments: "Code review of the idempotency fix",
  };
  if (forBob) entry.user_id = await api.userId("bob");
  await api.post("/time_entries.json", { time_entry: entry });
}

export const solve: Solution = async ({ urls }) => {
  await logTime(urls.pm!, true);
};

// Logs the right entry, but as the admin who typed it in: the time is not Bob's.
export const wrong: Solution = async ({ urls }) => {
  await logTime(urls.pm!, false);
};
