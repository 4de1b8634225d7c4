import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

const NEW_ADDRESS = { street: "Calle de Serrano 41", postal_code: "28001", city: "Madrid" };

// Over JSON-RPC as carol (party administration): each party's existing address, rewritten in place.
async function move(base: string, parties: string[]): Promise<void> {
  const crm = await Tryton.login(base, "carol", "carol-password");
  for (const name of parties) {
    const party = await crm.one("party.party", [["name", "=", name]], ["addresses"]);
    await crm.write("party.address", party.addresses as number[], NEW_ADDRESS);
  }
}

export const solve: Solution = async ({ urls }) => {
  await move(urls.crm!, ["Sunrise Deliveries SL", "Elena Ruiz"]);
};

// Moves the company and forgets its contact.
export const wrong: Solution = async ({ urls }) => {
  await move(urls.crm!, ["Sunrise Deliveries SL"]);
};
