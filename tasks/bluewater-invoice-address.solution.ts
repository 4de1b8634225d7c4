import type { Solution } from "@terrarium/sdk";
import { Rt } from "../simulators/helpdesk/tasks/lib/rt-api.js";
import { Tryton } from "../simulators/crm/tasks/lib/tryton.js";

const OFFICE = { street: "Großer Grasbrook 10", postal_code: "20457", city: "Hamburg" };

// The address over Tryton's JSON-RPC as dana (what sao's party form saves), then the reply and the
// status over RT's REST 2 API as carol.
async function closeTicket(urls: Record<string, string>): Promise<void> {
  const desk = new Rt(urls.desk!, "carol");
  const ticket = (await desk.ticketBySubject("New invoice address")).id;
  await desk.correspond(
    ticket,
    `Hello Jonas,\n\nYour invoices now go to your finance office, ${OFFICE.street}, ${OFFICE.postal_code} ${OFFICE.city}.\n\nCarol`,
  );
  await desk.update(ticket, { Status: "resolved" });
}

export const solve: Solution = async ({ urls }) => {
  const crm = await Tryton.login(urls.crm!, "dana", "dana-password");
  const party = (await crm.one("party.party", [["name", "=", "Bluewater Freight AG"]])).id;
  const germany = (await crm.one("country.country", [["code", "=", "DE"]])).id;
  await crm.create("party.address", { party, name: "Finance office", ...OFFICE, country: germany, invoice: true });
  await closeTicket(urls);
};

// Overwrites the current address with the finance office instead of adding it: deliveries would go there.
export const wrong: Solution = async ({ urls }) => {
  const crm = await Tryton.login(urls.crm!, "dana", "dana-password");
  const party = (await crm.one("party.party", [["name", "=", "Bluewater Freight AG"]])).id;
  const address = await crm.one("party.address", [["party", "=", party]]);
  await crm.write("party.address", [address.id], { name: "Finance office", ...OFFICE, invoice: true });
  await closeTicket(urls);
};
