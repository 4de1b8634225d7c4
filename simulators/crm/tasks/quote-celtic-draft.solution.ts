import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

// Over JSON-RPC as dana: the party's draft sale, then its "Quote" button.
async function quote(base: string, party: string): Promise<void> {
  const crm = await Tryton.login(base, "dana", "dana-password");
  const ids = await crm.search("sale.sale", [
    ["party.name", "=", party],
    ["state", "=", "draft"],
  ]);
  await crm.button("sale.sale", "quote", ids.slice(0, 1));
}

export const solve: Solution = async ({ urls }) => {
  await quote(urls.crm!, "Celtic Freight Ltd");
};

// Quotes the wrong draft: Tulip Parcel's (from the converted last-mile opportunity).
export const wrong: Solution = async ({ urls }) => {
  await quote(urls.crm!, "Tulip Parcel BV");
};
