import type { Solution } from "@terrarium/sdk";
import { Rt } from "./lib/rt-api.js";

// Over REST 2: TicketSQL on the requestors' organisation, in Support, not resolved.
async function count(base: string, who: string): Promise<string> {
  const rt = new Rt(base);
  const ids = await rt.search(`Queue = 'Support' AND ${who} AND Status = '__Active__'`);
  return String(ids.length);
}

export const solve: Solution = async ({ urls }) => ({
  answer: await count(urls.hd!, "Requestor.Organization = 'Acme Logistics GmbH'"),
});

// Counts only the tickets of Acme's known contact, Priya Shah: 1.
export const wrong: Solution = async ({ urls }) => ({
  answer: await count(urls.hd!, "Requestor.EmailAddress = 'priya.shah@acme-logistics.example'"),
});
