import type { Solution } from "@terrarium/sdk";
import { Roundcube } from "../simulators/mail/tasks/lib/roundcube.js";
import { Tryton } from "../simulators/crm/tasks/lib/tryton.js";

// The address over Tryton's JSON-RPC as dana (sao's address form saves the same write), the move with
// Roundcube's own move action.
async function update(urls: Record<string, string>, postalCode: string): Promise<void> {
  const crm = await Tryton.login(urls.crm!, "dana", "dana-password");
  const party = (await crm.one("party.party", [["name", "=", "Polar Foods Oy"]])).id;
  const address = await crm.one("party.address", [["party", "=", party]]);
  await crm.write("party.address", [address.id], { street: "Itämerenkatu 9", postal_code: postalCode });
  const mail = await Roundcube.login(urls.mail!, "dana");
  await mail.move("INBOX", [await mail.uidOf("INBOX", "Our new office address from 1 April")], "Customers");
}

export const solve: Solution = async ({ urls }) => {
  await update(urls, "00180");
};

// Changes the street but keeps the old postal code.
export const wrong: Solution = async ({ urls }) => {
  await update(urls, "00100");
};
