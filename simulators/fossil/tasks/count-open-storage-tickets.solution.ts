import type { Solution } from "@terrarium/sdk";
import { FossilSite } from "./fossil-site.js";

// Reads the "All Tickets" report (as tab-separated values) and counts.
async function count(base: string, open: (status: string) => boolean): Promise<string> {
  const site = await FossilSite.login(base);
  const tickets = await site.tickets();
  return String(tickets.filter((t) => t.subsystem === "storage" && open(t.status)).length);
}

export const solve: Solution = async ({ urls }) => ({
  answer: await count(urls.forge!, (status) => status === "Open"),
});

// Counts the ticket in Review as open too (it is not closed, after all): 4.
export const wrong: Solution = async ({ urls }) => ({
  answer: await count(urls.forge!, (status) => status === "Open" || status === "Review"),
});
