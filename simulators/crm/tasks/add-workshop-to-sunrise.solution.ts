import type { Solution } from "@terrarium/sdk";
import { Tryton, decimal } from "./lib/tryton.js";

// Over JSON-RPC as dana: the workshop as a new line of the opportunity and, if asked, the new amount,
// in one write.
async function addWorkshop(base: string, raiseAmount: boolean): Promise<void> {
  const crm = await Tryton.login(base, "dana", "dana-password");
  const deal = await crm.one(
    "sale.opportunity",
    [["description", "=", "Sunrise Deliveries Madrid launch"]],
    ["amount"],
  );
  const workshop = await crm.one("product.product", [["code", "=", "WS-ONB"]], ["default_uom"]);
  const values: Record<string, unknown> = {
    lines: [["create", [{ product: workshop.id, quantity: 1, unit: workshop.default_uom }]]],
  };
  if (raiseAmount) values.amount = decimal(Number(deal.amount.decimal) + 1800);
  await crm.write("sale.opportunity", [deal.id], values);
}

export const solve: Solution = async ({ urls }) => {
  await addWorkshop(urls.crm!, true);
};

// Adds the line and forgets the amount.
export const wrong: Solution = async ({ urls }) => {
  await addWorkshop(urls.crm!, false);
};
