import type { Solution } from "@terrarium/sdk";
import { FossilSite } from "./fossil-site.js";

// Over HTTP, as a browser would: the ticket found in the "All Tickets" report, then its edit form
// (every field as it is, the priority changed), previewed and submitted.
async function setPriority(base: string, priority: string): Promise<void> {
  const site = await FossilSite.login(base);
  const id = await site.ticketId("Check the CRC of each record when replaying");
  await site.editTicket(id, { priority });
}

export const solve: Solution = async ({ urls }) => {
  await setPriority(urls.forge!, "Immediate");
};

// Right ticket, wrong value: "High" read as the top priority (it already is High).
export const wrong: Solution = async ({ urls }) => {
  await setPriority(urls.forge!, "High");
};
