import type { Solution } from "@terrarium/sdk";
import { Tryton, decimal } from "./lib/tryton.js";

// Over JSON-RPC as alice (product administration): the template found by its code, one write.
async function setPrice(base: string, code: string): Promise<void> {
  const crm = await Tryton.login(base, "alice", "alice-password");
  const template = await crm.one("product.template", [["code", "=", code]]);
  await crm.write("product.template", [template.id], { list_price: decimal(49) });
}

export const solve: Solution = async ({ urls }) => {
  await setPrice(urls.crm!, "DSP-PRO");
};

// Mixes up the two Dispatch licences and raises Dispatch Standard.
export const wrong: Solution = async ({ urls }) => {
  await setPrice(urls.crm!, "DSP-STD");
};
