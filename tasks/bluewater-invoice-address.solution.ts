import type { Solution } from "@terrarium/sdk";
import { rt, rtTicketId, Tryton } from "./lib/apps.js";

const OFFICE = { street: "Großer Grasbrook 10", postal_code: "20457", city: "Hamburg" };

// The address over Tryton's JSON-RPC as dana (what sao's party form saves), then the reply and the
// status over RT's REST 2 API as carol.
async function closeTicket(urls: Record<string, string>): Promise<void> {
  const ticket = await rtTicketId(urls.desk!, "carol", "New invoice address");
  await rt(urls.desk!, "carol", "POST", `/ticket/${ticket}/correspond`, {
    Content: `Hello Jonas,\n\nYour invoices now go to your finance office, ${OFFICE.street}, ${OFFICE.postal_code} ${OFFICE.city}.\n\nCarol`,
    ContentType: "text/plain",
  });
  await rt(urls.desk!, "carol", "PUT", `/ticket/${ticket}`, { Status: "resolved" });
}

export const solve: Solution = async ({ urls }) => {
  const crm = await Tryton.login(urls.crm!, "dana");
  const party = await crm.idOf("party.party", [["name", "=", "Bluewater Freight AG"]]);
  const germany = await crm.idOf("country.country", [["code", "=", "DE"]]);
  await crm.create("party.address", { party, name: "Finance office", ...OFFICE, country: germany, invoice: true });
  await closeTicket(urls);
};

// Overwrites the current address with the finance office instead of adding it: deliveries would go there.
export const wrong: Solution = async ({ urls }) => {
  const crm = await Tryton.login(urls.crm!, "dana");
  const party = await crm.idOf("party.party", [["name", "=", "Bluewater Freight AG"]]);
  const [address] = await crm.find("party.address", [["party", "=", party]], ["id"]);
  await crm.write("party.address", [address.id], { name: "Finance office", ...OFFICE, invoice: true });
  await closeTicket(urls);
};
