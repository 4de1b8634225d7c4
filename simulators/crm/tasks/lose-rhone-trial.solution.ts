import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

// Over JSON-RPC as dana (the account manager): the reason first, then the workflow button.
async function close(base: string, button: "lost" | "cancel"): Promise<void> {
  const crm = await Tryton.login(base, "dana", "dana-password");
  const deal = await crm.one("sale.opportunity", [["description", "=", "Rhône Express trial"]]);
  await crm.write("sale.opportunity", [deal.id], { lost_reason: "Staying with spreadsheets for 2025" });
  await crm.button("sale.opportunity", button, [deal.id]);
}

export const solve: Solution = async ({ urls }) => {
  await close(urls.crm!, "lost");
};

// Cancels the opportunity instead: it leaves the pipeline, but is not recorded as lost.
export const wrong: Solution = async ({ urls }) => {
  await close(urls.crm!, "cancel");
};
