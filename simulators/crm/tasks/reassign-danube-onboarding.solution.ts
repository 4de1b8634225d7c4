import type { Solution } from "@terrarium/sdk";
import { openList, openRecord, save, setMany2One } from "./lib/sao.js";

// Through sao, logged in as the admin: the lead's form, its Employee field (typed, then picked from
// the completion list), Ctrl+S.
async function reassign(context: Parameters<Solution>[0], employee: string): Promise<void> {
  const page = (await context.pages()).crm!;
  await openList(page, "sale.opportunity");
  await openRecord(page, "Danube Movers onboarding");
  await setMany2One(page, "employee", employee);
  await save(page, "sale.opportunity");
}

export const solve: Solution = async (context) => {
  await reassign(context, "Dana Whitfield");
};

// Picks the other salesman.
export const wrong: Solution = async (context) => {
  await reassign(context, "Erik Nilsson");
};
