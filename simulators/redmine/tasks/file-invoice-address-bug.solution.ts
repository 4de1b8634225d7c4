import type { Solution } from "@terrarium/sdk";
import { Redmine } from "./lib/redmine-api.js";

// Over the REST API: the ids of the tracker, category, version, priority and assignee by name, then
// one POST /issues.json.
async function fileBug(base: string, withVersion: boolean): Promise<void> {
  const api = new Redmine(base);
  const issue: Record<string, unknown> = {
    project_id: "portal",
    tracker_id: await api.idOf("/trackers.json", "trackers", "Bug"),
    subject: "Invoice PDF shows the old company address",
    description:
      "Invoices generated since 2025-04-01 still show Rua do Ouro 12. " +
      "The new address is Avenida da Liberdade 200, 1250-147 Lisboa.",
    category_id: await api.idOf("/projects/portal/issue_categories.json", "issue_categories", "Billing"),
    assigned_to_id: await api.userId("bob"),
    priority_id: await api.idOf("/enumerations/issue_priorities.json", "issue_priorities", "High"),
  };
  if (withVersion) issue.fixed_version_id = await api.idOf("/projects/portal/versions.json", "versions", "4.2");
  await api.post("/issues.json", { issue });
}

export const solve: Solution = async ({ urls }) => {
  await fileBug(urls.pm!, true);
};

// Files the bug but leaves the target version empty.
export const wrong: Solution = async ({ urls }) => {
  await fileBug(urls.pm!, false);
};
