import type { Solution } from "@terrarium/sdk";
import { Redmine } from "./lib/redmine-api.js";

// Over the REST API: one PUT with the three fields and the note, then POST .../watchers.json.
const NOTE = "DKIM must be published for the portal's sending domain before the 4.2 release.";

async function escalate(api: Redmine, subject: string, withNoteAndWatcher: boolean): Promise<void> {
  const issue = await api.issue("portal", subject);
  const change: Record<string, unknown> = {
    priority_id: await api.idOf("/enumerations/issue_priorities.json", "issue_priorities", "Urgent"),
    fixed_version_id: await api.idOf("/projects/portal/versions.json", "versions", "4.2"),
    assigned_to_id: await api.userId("alice"),
  };
  if (withNoteAndWatcher) change.notes = NOTE;
  await api.put(`/issues/${issue.id}.json`, { issue: change });
  if (withNoteAndWatcher) await api.post(`/issues/${issue.id}/watchers.json`, { user_id: await api.userId("carol") });
}

export const solve: Solution = async ({ urls }) => {
  await escalate(new Redmine(urls.pm!), "Password reset email goes to spam at Outlook.com", true);
};

// Escalates the bug correctly, then also escalates the SAML single sign-on feature ("enterprise
// sign-ups" read too broadly): another issue changed.
export const wrong: Solution = async ({ urls }) => {
  const api = new Redmine(urls.pm!);
  await escalate(api, "Password reset email goes to spam at Outlook.com", true);
  await escalate(api, "Single sign-on with SAML for enterprise customers", false);
};
