import type { Solution } from "@terrarium/sdk";
import { Redmine, type Issue } from "./lib/redmine-api.js";

// Over the REST API: the bug with its relations, the blocking issue, then a note (PUT with `notes`).
async function report(base: string, progressOf: "blocker" | "bug"): Promise<{ answer: string }> {
  const api = new Redmine(base);
  const found = await api.issue("dispatch", "Webhook deliveries are not retried after a 502");
  const { issue: bug } = await api.get<{ issue: Issue }>(`/issues/${found.id}.json?include=relations`);
  // "X blocks the bug": the relation's issue_id is the blocker, its issue_to_id the bug.
  const relation = bug.relations?.find((r) => r.relation_type === "blocks" && r.issue_to_id === bug.id);
  if (!relation) throw new Error("nothing blocks the webhook bug");
  const { issue: blocker } = await api.get<{ issue: Issue }>(`/issues/${relation.issue_id}.json`);
  const done = progressOf === "blocker" ? blocker.done_ratio : bug.done_ratio;
  const text = `Blocked by #${blocker.id} "${blocker.subject}", currently ${done}% done.`;
  await api.put(`/issues/${bug.id}.json`, { issue: { notes: text } });
  return { answer: text };
}

export const solve: Solution = async ({ urls }) => report(urls.pm!, "blocker");

// Names the right blocker but reports the webhook bug's own progress (60%) instead of the blocker's.
export const wrong: Solution = async ({ urls }) => report(urls.pm!, "bug");
