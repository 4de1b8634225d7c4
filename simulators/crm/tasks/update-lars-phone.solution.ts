import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

async function lars(base: string): Promise<{ crm: Tryton; party: number; phone: number }> {
  const crm = await Tryton.login(base, "dana", "dana-password");
  const party = await crm.one("party.party", [["name", "=", "Lars Haugen"]]);
  const phone = await crm.one("party.contact_mechanism", [
    ["party", "=", party.id],
    ["type", "=", "phone"],
  ]);
  return { crm, party: party.id, phone: phone.id };
}

// Over JSON-RPC: the phone entry of his party, rewritten in place.
export const solve: Solution = async ({ urls }) => {
  const { crm, phone } = await lars(urls.crm!);
  await crm.write("party.contact_mechanism", [phone], { value: "+47 915 55 099" });
};

// Adds the new number as a second phone entry and leaves the dead one.
export const wrong: Solution = async ({ urls }) => {
  const { crm, party } = await lars(urls.crm!);
  await crm.write("party.party", [party], {
    contact_mechanisms: [["create", [{ type: "phone", value: "+47 915 55 099" }]]],
  });
};
