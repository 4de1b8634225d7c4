import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

// Over JSON-RPC: Dana's opportunities in the given states, their amounts summed.
async function total(base: string, states: string[]): Promise<number> {
  const crm = await Tryton.login(base, "dana", "dana-password");
  const dana = await crm.one("company.employee", [["party.name", "=", "Dana Whitfield"]]);
  const deals = await crm.searchRead(
    "sale.opportunity",
    [
      ["employee", "=", dana.id],
      ["state", "in", states],
    ],
    ["amount"],
  );
  return deals.reduce((sum, deal) => sum + Number(deal.amount.decimal), 0);
}

const euros = (amount: number) => `${amount.toLocaleString("en-US")} EUR`;

export const solve: Solution = async ({ urls }) => {
  return { answer: euros(await total(urls.crm!, ["lead", "opportunity"])) };
};

// Leaves the leads out: only the opportunity stage.
export const wrong: Solution = async ({ urls }) => {
  return { answer: euros(await total(urls.crm!, ["opportunity"])) };
};
