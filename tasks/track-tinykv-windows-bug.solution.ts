import type { Solution } from "@terrarium/sdk";
import { fossilTicketHash, fossilTickets, redmine } from "./lib/apps.js";

const SUBJECT = "TinyKV: Windows: tkv cannot open paths with backslashes";

async function file(urls: Record<string, string>, priorityName: string): Promise<void> {
  const ticket = (await fossilTickets(urls.forge!)).find((t) => t.title!.startsWith("Windows: tkv cannot open paths"))!;
  const hash = await fossilTicketHash(urls.forge!, ticket["#"]!);
  const { trackers } = await redmine(urls.pm!, "GET", "/trackers.json");
  const { issue_priorities: priorities } = await redmine(urls.pm!, "GET", "/enumerations/issue_priorities.json");
  await redmine(urls.pm!, "POST", "/issues.json", {
    issue: {
      project_id: "dispatch",
      tracker_id: (trackers as { id: number; name: string }[]).find((t) => t.name === "Bug")!.id,
      priority_id: (priorities as { id: number; name: string }[]).find((p) => p.name === priorityName)!.id,
      subject: SUBJECT,
      description: `Upstream TinyKV ticket ${hash}: tkv cannot open paths with backslashes on Windows.`,
    },
  });
}

export const solve: Solution = async ({ urls }) => file(urls, "High");

/** The plausible mistake: filed, but with the default priority. */
export const wrong: Solution = async ({ urls }) => file(urls, "Normal");
