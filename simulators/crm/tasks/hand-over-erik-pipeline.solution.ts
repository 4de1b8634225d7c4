import type { Solution } from "@terrarium/sdk";
import { Tryton } from "./lib/tryton.js";

// Over JSON-RPC as dana: Erik's opportunities found by their owner (and state), one write for all.
async function handOver(base: string, states: string[] | undefined): Promise<void> {
  const crm = await Tryton.login(base, "dana", "dana-password");
  const erik = await crm.one("company.employee", [["party.name", "=", "Erik Nilsson"]]);
  const dana = await crm.one("company.employee", [["party.name", "=", "Dana Whitfield"]]);
  const domain: unknown[] = [["employee", "=", erik.id]];
  if (states) domain.push(["state", "in", states]);
  const ids = await crm.search("sale.opportunity", domain);
  await crm.write("sale.opportunity", ids, { employee: dana.id });
}

export const solve: Solution = async ({ urls }) => {
  await handOver(urls.crm!, ["lead", "opportunity"]);
};

// Hands over every opportunity of Erik's, the closed ones too.
export const wrong: Solution = async ({ urls }) => {
  await handOver(urls.crm!, undefined);
};
