import type { Solution } from "@terrarium/sdk";
import { Rt } from "../simulators/helpdesk/tasks/lib/rt-api.js";
import { redmine } from "./lib/apps.js";

const SUBJECT = "Route optimiser ignores vehicle weight limits (Redline Haulage)";

// Over both REST APIs, as erik: the ticket's number, the Redmine bug naming it, then the ticket's owner,
// severity and a comment naming the bug (a reply would mail the customer: the wrong solution's mistake).
async function triage(urls: Record<string, string>, note: "comment" | "correspond"): Promise<void> {
  const desk = new Rt(urls.desk!, "erik");
  const ticket = (await desk.ticketBySubject("Route optimiser ignores our weight limits")).id;
  const categories = await redmine(urls.pm!, "GET", "/projects/dispatch/issue_categories.json");
  const routing = categories.issue_categories.find((c: { name: string }) => c.name === "Routing engine");
  const trackers = await redmine(urls.pm!, "GET", "/trackers.json");
  const bug = trackers.trackers.find((t: { name: string }) => t.name === "Bug");
  const { issue } = await redmine(urls.pm!, "POST", "/issues.json", {
    issue: {
      project_id: "dispatch",
      tracker_id: bug.id,
      category_id: routing.id,
      subject: SUBJECT,
      description:
        `Reported by Sofia Costa (Redline Haulage) in RT #${ticket}: the route optimiser plans routes ` +
        "that ignore the vehicles' weight limits.",
    },
  });
  await desk.update(ticket, { Owner: "bob", CustomFields: { Severity: "High" } });
  await desk[note](ticket, `Filed as Redmine #${issue.id}`);
}

export const solve: Solution = async ({ urls }) => {
  await triage(urls, "comment");
};

// Does everything, but answers with a reply: Redline gets an email about an internal bug number.
export const wrong: Solution = async ({ urls }) => {
  await triage(urls, "correspond");
};
