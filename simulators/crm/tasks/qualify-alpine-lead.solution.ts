import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

async function open(base: string): Promise<{ crm: Tryton; id: number }> {
  const crm = await Tryton.login(base, "erik", "erik-password");
  const deal = await crm.one("sale.opportunity", [["description", "=", "Alpine Transport evaluation"]]);
  await crm.write("sale.opportunity", [deal.id], { conversion_probability: 0.4 });
  return { crm, id: deal.id };
}

// Over JSON-RPC as erik (the lead's owner): the probability, then the "Convert to Opportunity" button.
export const solve: Solution = async ({ urls }) => {
  const { crm, id } = await open(urls.crm!);
  await crm.button("sale.opportunity", "opportunity", [id]);
};

// Goes one step too far: qualifies it and then converts it to a sale.
export const wrong: Solution = async ({ urls }) => {
  const { crm, id } = await open(urls.crm!);
  await crm.button("sale.opportunity", "opportunity", [id]);
  await crm.button("sale.opportunity", "convert", [id]);
};
