import type { Solution } from "@terrarium/sdk";
import { FossilSite } from "./fossil-site.js";

const RESTART = "tkv get prints nothing for keys written before a restart";
const REPLAY = "Replay the log when opening a database";

// Over HTTP: both ids from the "All Tickets" report, then the edit form of the one to close
// (Closed, Duplicate, the remark naming the other), previewed and submitted.
async function closeAsDuplicate(base: string, closed: string, original: string): Promise<void> {
  const site = await FossilSite.login(base);
  const closedId = await site.ticketId(closed);
  const originalId = await site.ticketId(original);
  await site.editTicket(closedId, { status: "Closed", resolution: "Duplicate" }, `Duplicate of [${originalId}].`);
}

export const solve: Solution = async ({ urls }) => {
  await closeAsDuplicate(urls.forge!, RESTART, REPLAY);
};

// The wrong way round: closes the replay ticket as a duplicate of Carol's.
export const wrong: Solution = async ({ urls }) => {
  await closeAsDuplicate(urls.forge!, REPLAY, RESTART);
};
