import type { Solution } from "@terrarium/sdk";
import { openList, openRecord, save, setField } from "./lib/sao.js";

// Through sao, logged in as the admin: the opportunities' list, the deal's form, its probability
// field, Ctrl+S.
async function setProbability(context: Parameters<Solution>[0], deal: string): Promise<void> {
  const page = (await context.pages()).crm!;
  await openList(page, "sale.opportunity");
  await openRecord(page, deal);
  await setField(page, "conversion_probability", "75");
  await save(page, "sale.opportunity");
}

export const solve: Solution = async (context) => {
  await setProbability(context, "Acme fleet expansion");
};

// Opens Acme's other opportunity, the route optimiser upgrade, and raises that one.
export const wrong: Solution = async (context) => {
  await setProbability(context, "Acme route optimiser upgrade");
};
